package messages

import "syscall"

// threadCPU is the calling thread's CPU time in ns (RUSAGE_THREAD): on a machine shared with
// other jobs it measures the work itself, not the wait for a core.
func threadCPU() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
