//go:build !linux

package anthropic

func threadCPU() int64 { return 0 }
