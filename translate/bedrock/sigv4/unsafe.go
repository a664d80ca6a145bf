package sigv4

import "unsafe"

// unsafeBytes is a zero-copy view for hashing: the bytes are only read.
func unsafeBytes(s string) []byte {
	if s == "" {
		return nil
	}
	return unsafe.Slice(unsafe.StringData(s), len(s))
}
