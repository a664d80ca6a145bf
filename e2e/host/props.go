package host

import (
	"bytes"
	"net"
	"strconv"
	"strings"
)

func proxyGetProperty(vm *VM, s []uint64) {
	raw, ok := vm.read(uint32(s[0]), uint32(s[1]))
	if !ok {
		s[0] = statusInvalidMemoryAccess
		return
	}
	v, st := vm.property(string(raw))
	if st != statusOk {
		s[0] = uint64(st)
		return
	}
	s[0] = uint64(vm.copyOut(v, uint32(s[2]), uint32(s[3])))
}

// proxySetProperty stores the value as filter state "wasm."+path, Envoy's
// CelState default (mutable bytes, life span FilterChain).
func proxySetProperty(vm *VM, s []uint64) {
	path, ok1 := vm.readString(uint32(s[0]), uint32(s[1]))
	val, ok2 := vm.read(uint32(s[2]), uint32(s[3]))
	if !ok1 || !ok2 {
		s[0] = statusInvalidMemoryAccess
		return
	}
	st := vm.stream()
	if st == nil {
		s[0] = statusNotFound
		return
	}
	if st.filterState == nil {
		st.filterState = map[string][]byte{}
	}
	st.filterState["wasm."+path] = append([]byte(nil), val...)
	s[0] = statusOk
}

// property evaluates an attribute path (segments joined by NUL) with
// Envoy's value encodings (host.md §5.1).
func (vm *VM) property(raw string) ([]byte, uint32) {
	seg := strings.Split(raw, "\x00")
	cfg := &vm.plugin.cfg
	switch raw {
	case "plugin_name":
		return []byte(cfg.Name), statusOk
	case "plugin_root_id":
		return []byte(cfg.RootID), statusOk
	case "plugin_vm_id":
		return []byte(cfg.VMID), statusOk
	}
	s := vm.stream()
	if s == nil {
		return nil, statusNotFound
	}
	str := func(v string, ok bool) ([]byte, uint32) {
		if !ok {
			return nil, statusNotFound
		}
		return []byte(v), statusOk
	}
	i64 := func(v int64) ([]byte, uint32) { return le64(uint64(v)), statusOk }
	sub := ""
	if len(seg) > 1 {
		sub = seg[1]
	}
	switch seg[0] {
	case "request":
		h := s.reqH
		path, _ := h.Get(":path")
		switch sub {
		case "path":
			return str(h.Get(":path"))
		case "url_path":
			p, _, _ := strings.Cut(path, "?")
			return []byte(p), statusOk
		case "query":
			_, q, _ := strings.Cut(path, "?")
			return []byte(q), statusOk
		case "host":
			return str(h.Get(":authority"))
		case "scheme":
			return str(h.Get(":scheme"))
		case "method":
			return str(h.Get(":method"))
		case "id":
			return str(h.Get("x-request-id"))
		case "useragent":
			return str(h.Get("user-agent"))
		case "referer":
			return str(h.Get("referer"))
		case "protocol":
			return []byte(s.info.Protocol), statusOk
		case "time":
			return i64(s.start.UnixNano())
		case "duration":
			if s.end.IsZero() {
				return nil, statusNotFound
			}
			return i64(s.end.Sub(s.start).Nanoseconds())
		case "size":
			return i64(int64(s.reqSize))
		case "total_size":
			return i64(int64(s.reqSize + h.ByteSize()))
		case "headers":
			return headerProperty(h, seg)
		}
	case "response":
		switch sub {
		case "code":
			if s.code == 0 {
				return nil, statusNotFound
			}
			return i64(int64(s.code))
		case "code_details":
			return str(s.codeDetails, s.codeDetails != "")
		case "flags":
			return i64(0)
		case "size":
			return i64(int64(s.respSize))
		case "total_size":
			return i64(int64(s.respSize + s.respH.ByteSize()))
		case "headers":
			return headerProperty(s.respH, seg)
		case "trailers":
			return headerProperty(s.respT, seg)
		}
	case "source", "destination":
		addr := s.info.SourceAddr
		if seg[0] == "destination" {
			addr = s.info.DestAddr
		}
		switch sub {
		case "address":
			return str(addr, addr != "")
		case "port":
			_, p, err := net.SplitHostPort(addr)
			n, err2 := strconv.Atoi(p)
			if err != nil || err2 != nil {
				return nil, statusNotFound
			}
			return i64(int64(n))
		}
	case "connection":
		switch sub {
		case "id":
			return le64(s.info.ConnectionID), statusOk
		case "mtls":
			return []byte{0}, statusOk
		}
	case "xds":
		cluster, route := s.routeLocked()
		switch sub {
		case "cluster_name":
			return str(cluster, cluster != "")
		case "route_name":
			return str(route, route != "")
		}
	case "filter_state":
		if len(seg) == 2 {
			v, ok := s.filterState[seg[1]]
			return str(string(v), ok)
		}
	}
	if len(seg) == 1 {
		if v, ok := s.filterState["wasm."+raw]; ok {
			return v, statusOk
		}
	}
	return nil, statusNotFound
}

// headerProperty serves request.headers / response.headers: the whole map
// as a pair blob, or one header with repeated values comma-joined.
func headerProperty(h *Headers, seg []string) ([]byte, uint32) {
	if len(seg) == 2 {
		var pairs [][2]string
		idx := map[string]int{}
		for _, p := range h.Pairs() {
			if i, ok := idx[p[0]]; ok {
				pairs[i][1] += "," + p[1]
				continue
			}
			idx[p[0]] = len(pairs)
			pairs = append(pairs, p)
		}
		return EncodePairs(nil, pairs), statusOk
	}
	if len(seg) != 3 {
		return nil, statusNotFound
	}
	vs := h.Values(seg[2])
	if len(vs) == 0 {
		return nil, statusNotFound
	}
	var b bytes.Buffer
	for i, v := range vs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(v)
	}
	return b.Bytes(), statusOk
}
