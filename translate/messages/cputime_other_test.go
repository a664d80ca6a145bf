//go:build !linux

package messages

func threadCPU() int64 { return 0 }
