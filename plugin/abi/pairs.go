package abi

import (
	"encoding/binary"
	"unsafe"
)

// AppendPairs appends the proxy-wasm pair blob of pairs to dst (docs/host.md §4.1):
// u32 N, N x (u32 key_len, u32 value_len), then each key and value followed by a NUL byte.
// An empty map is written as N=0, which every host accepts.
func AppendPairs(dst []byte, pairs [][2]string) []byte {
	size := 4
	for i := range pairs {
		size += 10 + len(pairs[i][0]) + len(pairs[i][1])
	}
	dst = grow(dst, size)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(pairs)))
	for i := range pairs {
		dst = binary.LittleEndian.AppendUint32(dst, uint32(len(pairs[i][0])))
		dst = binary.LittleEndian.AppendUint32(dst, uint32(len(pairs[i][1])))
	}
	for i := range pairs {
		dst = append(dst, pairs[i][0]...)
		dst = append(dst, 0)
		dst = append(dst, pairs[i][1]...)
		dst = append(dst, 0)
	}
	return dst
}

// ParsePairs decodes a pair blob. The returned strings alias b, so b must not be modified
// afterwards (blobs from the host are fresh allocations owned by the caller). An empty b is an
// empty map, which is how hosts report a map with no entries. Anything that does not match the
// layout exactly (short sizes, missing NUL terminators, trailing bytes) is ErrMalformedPairs.
func ParsePairs(b []byte) ([][2]string, error) {
	if len(b) == 0 {
		return nil, nil
	}
	if len(b) < 4 {
		return nil, ErrMalformedPairs
	}
	n := uint64(binary.LittleEndian.Uint32(b))
	// Each pair needs at least 10 bytes; checking first keeps a hostile count from allocating.
	if n*10 > uint64(len(b)-4) {
		return nil, ErrMalformedPairs
	}
	if n == 0 {
		if len(b) != 4 {
			return nil, ErrMalformedPairs
		}
		return nil, nil
	}
	out := make([][2]string, n)
	sizes := b[4 : 4+8*n]
	data := uint64(4 + 8*n)
	end := uint64(len(b))
	for i := uint64(0); i < n; i++ {
		kl := uint64(binary.LittleEndian.Uint32(sizes[8*i:]))
		vl := uint64(binary.LittleEndian.Uint32(sizes[8*i+4:]))
		if data+kl+1+vl+1 > end || b[data+kl] != 0 || b[data+kl+1+vl] != 0 {
			return nil, ErrMalformedPairs
		}
		out[i][0] = bytesToString(b[data : data+kl])
		data += kl + 1
		out[i][1] = bytesToString(b[data : data+vl])
		data += vl + 1
	}
	if data != end {
		return nil, ErrMalformedPairs
	}
	return out, nil
}

// AppendPropertyPath appends a property path: segments joined by a single NUL, no trailing NUL.
func AppendPropertyPath(dst []byte, path []string) []byte {
	for i, p := range path {
		if i > 0 {
			dst = append(dst, 0)
		}
		dst = append(dst, p...)
	}
	return dst
}

func grow(dst []byte, n int) []byte {
	if cap(dst)-len(dst) >= n {
		return dst
	}
	out := make([]byte, len(dst), len(dst)+n)
	copy(out, dst)
	return out
}

func bytesToString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}
