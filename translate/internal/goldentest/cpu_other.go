//go:build !linux

package goldentest

func threadCPU() int64 { return 0 }
