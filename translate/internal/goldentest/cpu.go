package goldentest

import (
	"runtime"
	"testing"
)

// CPUMetric reports the benchmark's own thread CPU time as "cpu-ns/op": on a machine shared
// with other jobs it measures the work, not the wait for a core. Use as
// `defer goldentest.CPUMetric(b)()` before the loop. Off Linux it reports nothing.
func CPUMetric(b *testing.B) func() {
	runtime.LockOSThread()
	start := threadCPU()
	return func() {
		if d := threadCPU() - start; start > 0 && b.N > 0 {
			b.ReportMetric(float64(d)/float64(b.N), "cpu-ns/op")
		}
		runtime.UnlockOSThread()
	}
}
