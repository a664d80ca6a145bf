//go:build !linux

package cohere

func threadNanos() int64 { return 0 }
