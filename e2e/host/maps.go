package host

import "math"

// Map types (host.md §4.2).
const (
	mapRequestHeaders   = 0
	mapRequestTrailers  = 1
	mapResponseHeaders  = 2
	mapResponseTrailers = 3
	mapCalloutHeaders   = 6
	mapCalloutTrailers  = 7
)

// mapRef resolves a map type for the effective context.
type mapRef struct {
	h        *Headers
	avail    bool
	writable bool
	// set installs a new map when h is nil but the phase allows creating one
	// (trailers added from the last body callback).
	set func(*Headers)
}

func (vm *VM) headerMap(t uint32) (mapRef, uint32) {
	if t > 7 {
		return mapRef{}, statusBadArgument
	}
	if t == mapCalloutHeaders || t == mapCalloutTrailers {
		if vm.callout == nil {
			return mapRef{}, statusOk
		}
		if t == mapCalloutHeaders {
			return mapRef{h: vm.callout.headers, avail: true}, statusOk
		}
		return mapRef{h: vm.callout.trailers, avail: vm.callout.trailers != nil}, statusOk
	}
	s := vm.stream()
	if s == nil || t > 3 {
		return mapRef{}, statusOk
	}
	if s.inLog {
		switch t {
		case mapRequestHeaders:
			return mapRef{h: s.reqH, avail: s.reqH != nil}, statusOk
		case mapResponseHeaders:
			return mapRef{h: s.respH, avail: s.respH != nil}, statusOk
		case mapResponseTrailers:
			return mapRef{h: s.respT, avail: true}, statusOk
		}
		return mapRef{}, statusOk
	}
	switch t {
	case mapRequestHeaders:
		return mapRef{h: s.reqH, avail: s.reqHAvail, writable: true}, statusOk
	case mapResponseHeaders:
		return mapRef{h: s.respH, avail: s.respHAvail, writable: true}, statusOk
	case mapRequestTrailers:
		return mapRef{h: s.reqT, avail: s.reqTAvail, writable: true, set: func(h *Headers) { s.reqT = h }}, statusOk
	default:
		return mapRef{h: s.respT, avail: s.respTAvail, writable: true, set: func(h *Headers) { s.respT = h }}, statusOk
	}
}

// writableMap returns the map to modify or a status (2 when unavailable or
// read-only, cpp-host/Envoy getMap returning nullptr).
func (vm *VM) writableMap(t uint32) (*Headers, uint32) {
	m, st := vm.headerMap(t)
	if st != statusOk {
		return nil, st
	}
	if !m.avail || !m.writable {
		return nil, statusBadArgument
	}
	if m.h == nil {
		if m.set == nil {
			return nil, statusBadArgument
		}
		m.h = &Headers{}
		m.set(m.h)
	}
	return m.h, statusOk
}

func proxyGetHeaderMapValue(vm *VM, s []uint64) {
	key, ok := vm.readString(uint32(s[1]), uint32(s[2]))
	if !ok {
		s[0] = statusInvalidMemoryAccess
		return
	}
	m, st := vm.headerMap(uint32(s[0]))
	if st != statusOk {
		s[0] = uint64(st)
		return
	}
	if !m.avail {
		if str := vm.stream(); str != nil && str.inLog {
			s[0] = statusNotFound
		} else {
			s[0] = statusBadArgument
		}
		return
	}
	v, found := m.h.Get(lower(key))
	if !found {
		s[0] = statusNotFound
		return
	}
	s[0] = uint64(vm.copyOutString(v, uint32(s[3]), uint32(s[4])))
}

func proxyGetHeaderMapPairs(vm *VM, s []uint64) {
	m, st := vm.headerMap(uint32(s[0]))
	if st != statusOk {
		s[0] = uint64(st)
		return
	}
	if !m.avail || m.h.Len() == 0 {
		s[0] = uint64(vm.copyOut(nil, uint32(s[1]), uint32(s[2])))
		return
	}
	buf := EncodePairs(vm.scratch[:0], m.h.Pairs())
	vm.scratch = buf[:0]
	s[0] = uint64(vm.copyOut(buf, uint32(s[1]), uint32(s[2])))
}

func proxySetHeaderMapPairs(vm *VM, s []uint64) {
	b, ok := vm.read(uint32(s[1]), uint32(s[2]))
	if !ok {
		s[0] = statusInvalidMemoryAccess
		return
	}
	h, st := vm.writableMap(uint32(s[0]))
	if st != statusOk {
		s[0] = uint64(st)
		return
	}
	pairs, _ := DecodePairs(b)
	h.kv = h.kv[:0]
	for _, p := range pairs {
		h.Add(p[0], p[1])
	}
	s[0] = statusOk
}

func proxyAddHeaderMapValue(vm *VM, s []uint64)     { editHeader(vm, s, false) }
func proxyReplaceHeaderMapValue(vm *VM, s []uint64) { editHeader(vm, s, true) }

func editHeader(vm *VM, s []uint64, replace bool) {
	key, ok1 := vm.readString(uint32(s[1]), uint32(s[2]))
	val, ok2 := vm.readString(uint32(s[3]), uint32(s[4]))
	if !ok1 || !ok2 {
		s[0] = statusInvalidMemoryAccess
		return
	}
	h, st := vm.writableMap(uint32(s[0]))
	if st != statusOk {
		s[0] = uint64(st)
		return
	}
	if replace {
		h.Set(key, val)
	} else {
		h.Add(key, val)
	}
	s[0] = statusOk
}

func proxyRemoveHeaderMapValue(vm *VM, s []uint64) {
	key, ok := vm.readString(uint32(s[1]), uint32(s[2]))
	if !ok {
		s[0] = statusInvalidMemoryAccess
		return
	}
	h, st := vm.writableMap(uint32(s[0]))
	if st != statusOk {
		s[0] = uint64(st)
		return
	}
	h.Del(key)
	s[0] = statusOk
}

func proxyGetHeaderMapSize(vm *VM, s []uint64) {
	m, st := vm.headerMap(uint32(s[0]))
	if st != statusOk {
		s[0] = uint64(st)
		return
	}
	if !m.avail {
		s[0] = statusBadArgument
		return
	}
	if !vm.mem.WriteUint32Le(uint32(s[1]), uint32(m.h.ByteSize())) {
		s[0] = statusInvalidMemoryAccess
		return
	}
	s[0] = statusOk
}

// Buffer types (host.md §4.2).
const (
	bufRequestBody     = 0
	bufResponseBody    = 1
	bufCalloutBody     = 4
	bufVMConfiguration = 6
	bufPluginConfig    = 7
)

// buffer returns the bytes of a buffer type, whether it exists now, and
// for mutable buffers a setter.
func (vm *VM) buffer(t uint32) ([]byte, bool, func([]byte), uint32) {
	if t > 8 {
		return nil, false, nil, statusBadArgument
	}
	switch t {
	case bufVMConfiguration:
		return vm.plugin.cfg.VMConfiguration, true, nil, statusOk
	case bufPluginConfig:
		return vm.plugin.cfg.Configuration, vm.configAvailable, nil, statusOk
	case bufCalloutBody:
		if vm.callout == nil {
			return nil, false, nil, statusOk
		}
		return vm.callout.body, true, nil, statusOk
	case bufRequestBody, bufResponseBody:
		s := vm.stream()
		if s == nil || s.inLog {
			return nil, false, nil, statusOk
		}
		d := &s.dec
		if t == bufResponseBody {
			d = &s.enc
		}
		if !d.bufAvail {
			return nil, false, nil, statusOk
		}
		return d.buf, true, func(b []byte) { d.buf = b }, statusOk
	}
	return nil, false, nil, statusOk
}

func proxyGetBufferStatus(vm *VM, s []uint64) {
	b, avail, _, st := vm.buffer(uint32(s[0]))
	if st != statusOk {
		s[0] = uint64(st)
		return
	}
	if !avail {
		s[0] = statusNotFound
		return
	}
	if !vm.mem.WriteUint32Le(uint32(s[1]), uint32(len(b))) || !vm.mem.WriteUint32Le(uint32(s[2]), 0) {
		s[0] = statusInvalidMemoryAccess
		return
	}
	s[0] = statusOk
}

func proxyGetBufferBytes(vm *VM, s []uint64) {
	start, n := uint32(s[1]), uint32(s[2])
	b, avail, _, st := vm.buffer(uint32(s[0]))
	if st != statusOk {
		s[0] = uint64(st)
		return
	}
	if !avail {
		s[0] = statusNotFound
		return
	}
	if uint64(start)+uint64(n) > math.MaxUint32 {
		s[0] = statusBadArgument
		return
	}
	if start >= uint32(len(b)) {
		s[0] = uint64(vm.copyOut(nil, uint32(s[3]), uint32(s[4])))
		return
	}
	end := start + n
	if end > uint32(len(b)) {
		end = uint32(len(b))
	}
	s[0] = uint64(vm.copyOut(b[start:end], uint32(s[3]), uint32(s[4])))
}

func proxySetBufferBytes(vm *VM, s []uint64) {
	start, n := uint32(s[1]), uint32(s[2])
	data, ok := vm.read(uint32(s[3]), uint32(s[4]))
	if !ok {
		s[0] = statusInvalidMemoryAccess
		return
	}
	b, avail, set, st := vm.buffer(uint32(s[0]))
	if st != statusOk {
		s[0] = uint64(st)
		return
	}
	if !avail {
		s[0] = statusNotFound
		return
	}
	if set == nil {
		s[0] = statusBadArgument
		return
	}
	size := uint32(len(b))
	switch {
	case start == 0 && n == 0: // prepend
		nb := make([]byte, 0, len(data)+len(b))
		set(append(append(nb, data...), b...))
	case start == 0 && n >= size: // replace
		set(append([]byte(nil), data...))
	case start >= size: // append
		set(append(b, data...))
	default:
		s[0] = statusBadArgument
		return
	}
	s[0] = statusOk
}
