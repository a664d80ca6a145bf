//go:build linux

package cohere

import "syscall"

// threadNanos is the calling OS thread's CPU time (getrusage RUSAGE_THREAD = 1).
func threadNanos() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(1, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
