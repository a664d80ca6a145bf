//go:build wasip1

package abi

import (
	"unsafe"
)

// Go's wasip1 c-shared build exports no malloc, so hosts allocate through
// proxy_on_memory_allocate (docs/host.md §0.3). A Go slice nothing refers to may be collected and
// reused before the guest reads it, so every allocation is parked in pending until the host call
// that asked for it returns and the guest takes it.
var pending [][]byte

// reuse, when non-nil, is memory the next allocation may hand out instead of a fresh slice
// (GetHttpResponseBodyInto).
var reuse []byte

// maxPending bounds pending if a host allocates without handing the pointer back.
const maxPending = 64

//go:wasmexport proxy_on_memory_allocate
func proxyOnMemoryAllocate(size uint32) (ptr *byte) {
	// A null pointer makes the host fail its call cleanly instead of losing the VM.
	defer func() {
		if r := recover(); r != nil {
			ptr = nil
		}
	}()
	n := size
	if n == 0 {
		n = 1 // a valid non-null pointer even for empty values
	}
	var buf []byte
	if int(n) <= len(reuse) {
		// The host overwrites all n bytes: no need for fresh zeroed memory.
		buf = reuse[:n:n]
	} else {
		buf = make([]byte, n)
	}
	reuse = nil // one allocation per host call at most
	if len(pending) >= maxPending {
		copy(pending, pending[1:])
		pending[len(pending)-1] = nil
		pending = pending[:len(pending)-1]
	}
	pending = append(pending, buf)
	return &buf[0]
}

// takeAlloc returns the host-written buffer at ptr as a slice the caller owns. ptr 0 means an
// empty value (Envoy answers an empty header that way). A pointer our allocator did not hand out
// is refused rather than read blindly.
func takeAlloc(ptr, size uint32) ([]byte, error) {
	if ptr == 0 || size == 0 {
		releaseAllocs()
		return nil, nil
	}
	var out []byte
	for i := len(pending) - 1; i >= 0; i-- {
		b := pending[i]
		if uint32(uintptr(unsafe.Pointer(&b[0]))) == ptr {
			if int64(size) <= int64(len(b)) {
				out = b[:size:size]
			}
			break
		}
	}
	releaseAllocs()
	if out == nil {
		return nil, ErrInvalidMemoryAccess
	}
	return out, nil
}

// releaseAllocs drops allocations of the host call that just returned; whatever the host did not
// hand back is garbage now.
func releaseAllocs() {
	clear(pending)
	pending = pending[:0]
}

// scratch is reused to serialise pair blobs and property paths: the VM is single-threaded and the
// host copies what it needs before the call returns.
var scratch []byte

func view(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}
