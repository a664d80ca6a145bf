package main

import "unsafe"

//go:wasmimport env proxy_log
func proxyLog(level uint32, msg unsafe.Pointer, size uint32) uint32

//go:wasmimport env proxy_get_log_level
func proxyGetLogLevel(ret unsafe.Pointer) uint32

//go:wasmimport env proxy_get_status
func proxyGetStatus(code unsafe.Pointer, msgPtr unsafe.Pointer, msgLen unsafe.Pointer) uint32

//go:wasmimport env proxy_get_header_map_value
func proxyGetHeaderMapValue(t uint32, k unsafe.Pointer, kl uint32, rp unsafe.Pointer, rl unsafe.Pointer) uint32

//go:wasmimport env proxy_add_header_map_value
func proxyAddHeaderMapValue(t uint32, k unsafe.Pointer, kl uint32, v unsafe.Pointer, vl uint32) uint32

//go:wasmimport env proxy_replace_header_map_value
func proxyReplaceHeaderMapValue(t uint32, k unsafe.Pointer, kl uint32, v unsafe.Pointer, vl uint32) uint32

//go:wasmimport env proxy_remove_header_map_value
func proxyRemoveHeaderMapValue(t uint32, k unsafe.Pointer, kl uint32) uint32

//go:wasmimport env proxy_get_header_map_pairs
func proxyGetHeaderMapPairs(t uint32, rp unsafe.Pointer, rl unsafe.Pointer) uint32

//go:wasmimport env proxy_set_header_map_pairs
func proxySetHeaderMapPairs(t uint32, p unsafe.Pointer, l uint32) uint32

//go:wasmimport env proxy_get_header_map_size
func proxyGetHeaderMapSize(t uint32, ret unsafe.Pointer) uint32

//go:wasmimport env proxy_get_buffer_status
func proxyGetBufferStatus(t uint32, l unsafe.Pointer, f unsafe.Pointer) uint32

//go:wasmimport env proxy_get_buffer_bytes
func proxyGetBufferBytes(t uint32, start uint32, n uint32, rp unsafe.Pointer, rl unsafe.Pointer) uint32

//go:wasmimport env proxy_set_buffer_bytes
func proxySetBufferBytes(t uint32, start uint32, n uint32, p unsafe.Pointer, l uint32) uint32

//go:wasmimport env proxy_get_property
func proxyGetProperty(p unsafe.Pointer, l uint32, rp unsafe.Pointer, rl unsafe.Pointer) uint32

//go:wasmimport env proxy_set_property
func proxySetProperty(p unsafe.Pointer, l uint32, v unsafe.Pointer, vl uint32) uint32

//go:wasmimport env proxy_send_local_response
func proxySendLocalResponse(code uint32, d unsafe.Pointer, dl uint32, b unsafe.Pointer, bl uint32, h unsafe.Pointer, hl uint32, grpc int32) uint32

//go:wasmimport env proxy_continue_stream
func proxyContinueStream(t uint32) uint32

//go:wasmimport env proxy_close_stream
func proxyCloseStream(t uint32) uint32

//go:wasmimport env proxy_http_call
func proxyHTTPCall(u unsafe.Pointer, ul uint32, h unsafe.Pointer, hl uint32, b unsafe.Pointer, bl uint32, t unsafe.Pointer, tl uint32, timeout uint32, token unsafe.Pointer) uint32

//go:wasmimport env proxy_get_shared_data
func proxyGetSharedData(k unsafe.Pointer, kl uint32, rp unsafe.Pointer, rl unsafe.Pointer, cas unsafe.Pointer) uint32

//go:wasmimport env proxy_set_shared_data
func proxySetSharedData(k unsafe.Pointer, kl uint32, v unsafe.Pointer, vl uint32, cas uint32) uint32

//go:wasmimport env proxy_register_shared_queue
func proxyRegisterSharedQueue(n unsafe.Pointer, nl uint32, token unsafe.Pointer) uint32

//go:wasmimport env proxy_resolve_shared_queue
func proxyResolveSharedQueue(v unsafe.Pointer, vl uint32, n unsafe.Pointer, nl uint32, token unsafe.Pointer) uint32

//go:wasmimport env proxy_enqueue_shared_queue
func proxyEnqueueSharedQueue(token uint32, v unsafe.Pointer, vl uint32) uint32

//go:wasmimport env proxy_dequeue_shared_queue
func proxyDequeueSharedQueue(token uint32, rp unsafe.Pointer, rl unsafe.Pointer) uint32

//go:wasmimport env proxy_define_metric
func proxyDefineMetric(t uint32, n unsafe.Pointer, nl uint32, id unsafe.Pointer) uint32

//go:wasmimport env proxy_increment_metric
func proxyIncrementMetric(id uint32, delta int64) uint32

//go:wasmimport env proxy_record_metric
func proxyRecordMetric(id uint32, v uint64) uint32

//go:wasmimport env proxy_get_metric
func proxyGetMetric(id uint32, ret unsafe.Pointer) uint32

//go:wasmimport env proxy_set_tick_period_milliseconds
func proxySetTickPeriod(ms uint32) uint32

//go:wasmimport env proxy_get_current_time_nanoseconds
func proxyGetCurrentTime(ret unsafe.Pointer) uint32

//go:wasmimport env proxy_set_effective_context
func proxySetEffectiveContext(id uint32) uint32

//go:wasmimport env proxy_call_foreign_function
func proxyCallForeignFunction(n unsafe.Pointer, nl uint32, a unsafe.Pointer, al uint32, rp unsafe.Pointer, rl unsafe.Pointer) uint32

//go:wasmimport env proxy_done
func proxyDone() uint32

// held keeps host-requested allocations reachable until the next callback
// (the pointer handed to the host must survive a GC before we read it).
var held [][]byte

// allocHook makes the allocator call a host function (restricted-phase tests).
var allocHook string

//go:wasmexport proxy_on_memory_allocate
func proxyOnMemoryAllocate(size uint32) unsafe.Pointer {
	switch allocHook {
	case "log":
		logInfo("in allocator")
	case "tick":
		proxySetTickPeriod(0)
	}
	if size == 0 {
		size = 1
	}
	b := make([]byte, size)
	held = append(held, b)
	return unsafe.Pointer(&b[0])
}

//go:wasmexport proxy_abi_version_0_2_1
func proxyABIVersion() {}

func ptr(s string) unsafe.Pointer { return unsafe.Pointer(unsafe.StringData(s)) }

func bptr(b []byte) unsafe.Pointer {
	if len(b) == 0 {
		return nil
	}
	return unsafe.Pointer(&b[0])
}

func hostBytes(p, n uint32) []byte {
	if p == 0 || n == 0 {
		return nil
	}
	return append([]byte(nil), unsafe.Slice((*byte)(unsafe.Pointer(uintptr(p))), n)...)
}

func logInfo(msg string) { proxyLog(2, ptr(msg), uint32(len(msg))) }
