package host

import (
	"encoding/binary"
	"strings"

	"github.com/tetratelabs/wazero/api"
)

// proxy_status_t (host.md §4.2).
const (
	statusOk                  = 0
	statusNotFound            = 1
	statusBadArgument         = 2
	statusSerializationFail   = 3
	statusParseFailure        = 4
	statusInvalidMemoryAccess = 6
	statusEmpty               = 7
	statusCasMismatch         = 8
	statusInternalFailure     = 10
	statusBrokenConnection    = 11
	statusUnimplemented       = 12
)

// envFuncs is cpp-host's env set for ABI 0.2.1 plus Envoy's extras
// (docs/host-imports/envoy-1.39.txt order).
func envFuncs() []*hostFunc {
	f := func(name string, p []api.ValueType, fn func(*VM, []uint64)) *hostFunc {
		return &hostFunc{module: "env", name: name, params: p, results: retI32, fn: fn}
	}
	fs := []*hostFunc{
		f("proxy_log", params(3), proxyLog),
		f("proxy_get_status", params(3), proxyGetStatus),
		f("proxy_set_property", params(4), proxySetProperty),
		f("proxy_get_property", params(4), proxyGetProperty),
		f("proxy_send_local_response", params(8), proxySendLocalResponse),
		f("proxy_get_shared_data", params(5), proxyGetSharedData),
		f("proxy_set_shared_data", params(5), proxySetSharedData),
		f("proxy_register_shared_queue", params(3), proxyRegisterSharedQueue),
		f("proxy_resolve_shared_queue", params(5), proxyResolveSharedQueue),
		f("proxy_dequeue_shared_queue", params(3), proxyDequeueSharedQueue),
		f("proxy_enqueue_shared_queue", params(3), proxyEnqueueSharedQueue),
		f("proxy_get_header_map_value", params(5), proxyGetHeaderMapValue),
		f("proxy_add_header_map_value", params(5), proxyAddHeaderMapValue),
		f("proxy_replace_header_map_value", params(5), proxyReplaceHeaderMapValue),
		f("proxy_remove_header_map_value", params(3), proxyRemoveHeaderMapValue),
		f("proxy_get_header_map_pairs", params(3), proxyGetHeaderMapPairs),
		f("proxy_set_header_map_pairs", params(3), proxySetHeaderMapPairs),
		f("proxy_get_header_map_size", params(2), proxyGetHeaderMapSize),
		f("proxy_get_buffer_status", params(3), proxyGetBufferStatus),
		f("proxy_get_buffer_bytes", params(5), proxyGetBufferBytes),
		f("proxy_set_buffer_bytes", params(5), proxySetBufferBytes),
		f("proxy_http_call", params(10), proxyHTTPCall),
		f("proxy_grpc_call", params(12), func(_ *VM, s []uint64) { s[0] = statusBadArgument }),
		f("proxy_grpc_stream", params(9), func(_ *VM, s []uint64) { s[0] = statusBadArgument }),
		f("proxy_grpc_close", params(1), func(_ *VM, s []uint64) { s[0] = statusNotFound }),
		f("proxy_grpc_cancel", params(1), func(_ *VM, s []uint64) { s[0] = statusNotFound }),
		f("proxy_grpc_send", params(4), func(_ *VM, s []uint64) { s[0] = statusNotFound }),
		f("proxy_set_tick_period_milliseconds", params(1), proxySetTickPeriod),
		f("proxy_get_current_time_nanoseconds", params(1), proxyGetCurrentTime),
		f("proxy_define_metric", params(4), proxyDefineMetric),
		f("proxy_increment_metric", tv(i32, i64), proxyIncrementMetric),
		f("proxy_record_metric", tv(i32, i64), proxyRecordMetric),
		f("proxy_get_metric", params(2), proxyGetMetric),
		f("proxy_set_effective_context", params(1), proxySetEffectiveContext),
		f("proxy_done", nil, proxyDone),
		f("proxy_call_foreign_function", params(6), proxyCallForeignFunction),
		f("proxy_continue_stream", params(1), proxyContinueStream),
		f("proxy_close_stream", params(1), proxyCloseStream),
		f("proxy_get_log_level", params(1), proxyGetLogLevel),
		f("pthread_equal", params(2), func(_ *VM, s []uint64) {
			if uint32(s[0]) == uint32(s[1]) {
				s[0] = 1
			} else {
				s[0] = 0
			}
		}),
		{module: "env", name: "emscripten_notify_memory_growth", params: params(1), fn: func(*VM, []uint64) {}, startOK: true},
		// DNS resolution is not offered by this host: plugins must not rely on it.
		f("envoy_resolve_dns", params(3), func(_ *VM, s []uint64) { s[0] = statusUnimplemented }),
	}
	fs[0].startOK, fs[0].allocOK = true, true
	return fs
}

func (vm *VM) read(ptr, size uint32) ([]byte, bool) {
	if size == 0 {
		return nil, true
	}
	return vm.mem.Read(ptr, size)
}

func (vm *VM) readString(ptr, size uint32) (string, bool) {
	b, ok := vm.read(ptr, size)
	return string(b), ok
}

// stream is the effective context's stream, nil for the root context.
func (vm *VM) stream() *Stream { return vm.streams[vm.effective] }

func proxyLog(vm *VM, s []uint64) {
	level := uint32(s[0])
	msg, ok := vm.readString(uint32(s[1]), uint32(s[2]))
	if !ok {
		s[0] = statusInvalidMemoryAccess
		return
	}
	if level > LogCritical {
		s[0] = statusBadArgument
		return
	}
	vm.log(int(level), msg)
	s[0] = statusOk
}

func proxyGetLogLevel(vm *VM, s []uint64) {
	if !vm.mem.WriteUint32Le(uint32(s[0]), uint32(vm.plugin.cfg.logLevel())) {
		s[0] = statusInvalidMemoryAccess
		return
	}
	s[0] = statusOk
}

func proxyGetStatus(vm *VM, s []uint64) {
	if !vm.mem.WriteUint32Le(uint32(s[0]), vm.statusCode) {
		s[0] = statusInvalidMemoryAccess
		return
	}
	s[0] = uint64(vm.copyOutString(vm.statusMsg, uint32(s[1]), uint32(s[2])))
}

func proxyGetCurrentTime(vm *VM, s []uint64) {
	if !vm.mem.WriteUint64Le(uint32(s[0]), uint64(vm.plugin.now().UnixNano())) {
		s[0] = statusInvalidMemoryAccess
		return
	}
	s[0] = statusOk
}

func proxySetEffectiveContext(vm *VM, s []uint64) {
	id := uint32(s[0])
	s[0] = statusOk
	if id != vm.rootID {
		if st, ok := vm.streams[id]; !ok || st.deleted {
			s[0] = statusBadArgument
		}
	}
	if s[0] == statusOk {
		vm.effective = id
	}
	if vm.plugin.cfg.Trace != nil {
		vm.plugin.cfg.Trace(Event{Kind: EventSetEffectiveContext, Context: id, Result: s[0]})
	}
}

// proxyDone: stream contexts never wait on done; only a root context that
// returned false from on_done would, and this host never asks it to.
func proxyDone(_ *VM, s []uint64) { s[0] = statusNotFound }

func proxySendLocalResponse(vm *VM, s []uint64) {
	code := uint32(s[0])
	details, ok1 := vm.readString(uint32(s[1]), uint32(s[2]))
	body, ok2 := vm.read(uint32(s[3]), uint32(s[4]))
	hb, ok3 := vm.read(uint32(s[5]), uint32(s[6]))
	if !ok1 || !ok2 || !ok3 {
		s[0] = statusInvalidMemoryAccess
		return
	}
	st := vm.stream()
	if st == nil {
		s[0] = statusNotFound
		return
	}
	pairs, _ := DecodePairs(hb)
	h := &Headers{}
	for _, p := range pairs {
		h.Add(p[0], p[1])
	}
	st.queue(action{kind: actLocal, code: int(code), body: append([]byte(nil), body...),
		headers: h, details: strings.ReplaceAll(details, " ", "_")})
	st.localInCall = true
	s[0] = statusOk
}

func proxyContinueStream(vm *VM, s []uint64) {
	t := uint32(s[0])
	switch {
	case t > 3:
		s[0] = statusBadArgument
		return
	case t == 3:
		s[0] = statusUnimplemented
		return
	}
	st := vm.stream()
	if st == nil {
		s[0] = statusNotFound
		return
	}
	if t <= 1 {
		st.queue(action{kind: actContinue, dir: int(t)})
	}
	s[0] = statusOk
}

func proxyCloseStream(vm *VM, s []uint64) {
	t := uint32(s[0])
	if t > 3 {
		s[0] = statusBadArgument
		return
	}
	st := vm.stream()
	if st == nil {
		s[0] = statusNotFound
		return
	}
	if t <= 1 {
		st.queue(action{kind: actClose, details: "wasm_close_stream"})
	}
	s[0] = statusOk
}

func proxyCallForeignFunction(vm *VM, s []uint64) {
	name, ok := vm.readString(uint32(s[0]), uint32(s[1]))
	if _, ok2 := vm.read(uint32(s[2]), uint32(s[3])); !ok || !ok2 {
		s[0] = statusInvalidMemoryAccess
		return
	}
	if vm.plugin.cfg.Trace != nil {
		vm.plugin.cfg.Trace(Event{Kind: EventForeign, Name: name, Context: vm.effective})
	}
	switch name {
	case "clear_route_cache":
		// Since wasm_use_effective_ctx_for_foreign_functions, foreign
		// functions act on the effective context.
		if st := vm.stream(); st != nil {
			st.routeValid = false
		}
		if !vm.mem.WriteUint32Le(uint32(s[4]), 0) || !vm.mem.WriteUint32Le(uint32(s[5]), 0) {
			s[0] = statusInvalidMemoryAccess
			return
		}
		s[0] = statusOk
	default:
		s[0] = statusNotFound
	}
}

func le64(v uint64) []byte {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], v)
	return b[:]
}
