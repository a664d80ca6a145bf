package host

import (
	"encoding/binary"
	"strings"
)

// Headers is an ordered header map with Envoy semantics: lowercase names,
// pseudo-headers stored like any other entry, repeated names kept as separate
// entries in insertion order.
type Headers struct {
	kv [][2]string
}

// NewHeaders builds a map from alternating name, value strings.
func NewHeaders(kv ...string) *Headers {
	h := &Headers{kv: make([][2]string, 0, len(kv)/2)}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

// Len is the number of entries (what Envoy passes as num_headers).
func (h *Headers) Len() int {
	if h == nil {
		return 0
	}
	return len(h.kv)
}

// Pairs exposes the entries; callers must not modify them.
func (h *Headers) Pairs() [][2]string {
	if h == nil {
		return nil
	}
	return h.kv
}

// Get returns the first value of name.
func (h *Headers) Get(name string) (string, bool) {
	if h == nil {
		return "", false
	}
	for i := range h.kv {
		if h.kv[i][0] == name || strings.EqualFold(h.kv[i][0], name) {
			return h.kv[i][1], true
		}
	}
	return "", false
}

// Values returns every value of name in order.
func (h *Headers) Values(name string) []string {
	var out []string
	for i := range h.Pairs() {
		if strings.EqualFold(h.kv[i][0], name) {
			out = append(out, h.kv[i][1])
		}
	}
	return out
}

// Add appends another value (Envoy addCopy).
func (h *Headers) Add(name, value string) {
	h.kv = append(h.kv, [2]string{lower(name), value})
}

// Set replaces all values of name with one (Envoy setCopy keeps the first
// entry's position).
func (h *Headers) Set(name, value string) {
	name = lower(name)
	found := false
	out := h.kv[:0]
	for _, p := range h.kv {
		if p[0] == name {
			if found {
				continue
			}
			found = true
			p[1] = value
		}
		out = append(out, p)
	}
	h.kv = out
	if !found {
		h.kv = append(h.kv, [2]string{name, value})
	}
}

// Del removes every entry of name.
func (h *Headers) Del(name string) {
	name = lower(name)
	out := h.kv[:0]
	for _, p := range h.kv {
		if p[0] != name {
			out = append(out, p)
		}
	}
	h.kv = out
}

// Clone returns a deep copy (entries are immutable strings).
func (h *Headers) Clone() *Headers {
	if h == nil {
		return nil
	}
	return &Headers{kv: append([][2]string(nil), h.kv...)}
}

// ByteSize is Envoy's HeaderMap::byteSize: the sum of name and value lengths.
func (h *Headers) ByteSize() int {
	n := 0
	for _, p := range h.Pairs() {
		n += len(p[0]) + len(p[1])
	}
	return n
}

func lower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

// Limits of the host-side pair decoder (cpp-host pairs_util.cc).
const (
	maxPairsBytes = 1 << 20
	maxPairs      = 1024
)

// EncodePairs serialises pairs in the proxy-wasm blob format (host.md §4.1).
func EncodePairs(dst []byte, pairs [][2]string) []byte {
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(pairs)))
	for _, p := range pairs {
		dst = binary.LittleEndian.AppendUint32(dst, uint32(len(p[0])))
		dst = binary.LittleEndian.AppendUint32(dst, uint32(len(p[1])))
	}
	for _, p := range pairs {
		dst = append(dst, p[0]...)
		dst = append(dst, 0)
		dst = append(dst, p[1]...)
		dst = append(dst, 0)
	}
	return dst
}

// DecodePairs parses a pair blob. Like cpp-host, anything malformed or over
// the limits decodes as an empty list (ok=false tells tests why).
func DecodePairs(b []byte) (pairs [][2]string, ok bool) {
	if len(b) == 0 {
		return nil, true
	}
	if len(b) > maxPairsBytes || len(b) < 4 {
		return nil, false
	}
	n := binary.LittleEndian.Uint32(b)
	if n > maxPairs {
		return nil, false
	}
	if uint64(len(b)) < 4+uint64(n)*8 {
		return nil, false
	}
	sizes := b[4 : 4+n*8]
	data := b[4+n*8:]
	pairs = make([][2]string, 0, n)
	for i := uint32(0); i < n; i++ {
		kl := binary.LittleEndian.Uint32(sizes[i*8:])
		vl := binary.LittleEndian.Uint32(sizes[i*8+4:])
		if uint64(len(data)) < uint64(kl)+uint64(vl)+2 {
			return nil, false
		}
		if data[kl] != 0 || data[kl+1+vl] != 0 {
			return nil, false
		}
		pairs = append(pairs, [2]string{string(data[:kl]), string(data[kl+1 : kl+1+vl])})
		data = data[kl+vl+2:]
	}
	if len(data) != 0 {
		return nil, false
	}
	return pairs, true
}
