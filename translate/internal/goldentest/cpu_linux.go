//go:build linux

package goldentest

import "syscall"

// threadCPU is the calling OS thread's CPU time in ns (getrusage RUSAGE_THREAD = 1).
func threadCPU() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(1, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
