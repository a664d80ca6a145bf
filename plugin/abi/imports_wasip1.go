//go:build wasip1

package abi

// Host calls of ABI 0.2.1 (docs/host.md §1.1). Strings travel as (ptr, len) pairs of i32; every
// size is 32-bit; results come back through *uint32 out-parameters the host writes to. Inputs are
// passed as strings (a []byte is viewed as one without copying) and kept alive by the callers.
// Deliberately absent: proxy_get_log_level (Kong declares another signature),
// proxy_get_header_map_size and proxy_get_buffer_status (Kong lacks them).

//go:wasmimport env proxy_log
func proxyLog(level uint32, msg string) uint32

//go:wasmimport env proxy_get_status
func proxyGetStatus(code *uint32, msgPtr *uint32, msgLen *uint32) uint32

//go:wasmimport env proxy_set_property
func proxySetProperty(path string, value string) uint32

//go:wasmimport env proxy_get_property
func proxyGetProperty(path string, retPtr *uint32, retLen *uint32) uint32

//go:wasmimport env proxy_send_local_response
func proxySendLocalResponse(code uint32, details string, body string, headers string, grpcStatus int32) uint32

//go:wasmimport env proxy_get_shared_data
func proxyGetSharedData(key string, retPtr *uint32, retLen *uint32, cas *uint32) uint32

//go:wasmimport env proxy_set_shared_data
func proxySetSharedData(key string, value string, cas uint32) uint32

//go:wasmimport env proxy_register_shared_queue
func proxyRegisterSharedQueue(name string, token *uint32) uint32

//go:wasmimport env proxy_dequeue_shared_queue
func proxyDequeueSharedQueue(token uint32, retPtr *uint32, retLen *uint32) uint32

//go:wasmimport env proxy_enqueue_shared_queue
func proxyEnqueueSharedQueue(token uint32, value string) uint32

//go:wasmimport env proxy_get_header_map_value
func proxyGetHeaderMapValue(mapType uint32, key string, retPtr *uint32, retLen *uint32) uint32

//go:wasmimport env proxy_add_header_map_value
func proxyAddHeaderMapValue(mapType uint32, key string, value string) uint32

//go:wasmimport env proxy_replace_header_map_value
func proxyReplaceHeaderMapValue(mapType uint32, key string, value string) uint32

//go:wasmimport env proxy_remove_header_map_value
func proxyRemoveHeaderMapValue(mapType uint32, key string) uint32

//go:wasmimport env proxy_get_header_map_pairs
func proxyGetHeaderMapPairs(mapType uint32, retPtr *uint32, retLen *uint32) uint32

//go:wasmimport env proxy_set_header_map_pairs
func proxySetHeaderMapPairs(mapType uint32, pairs string) uint32

//go:wasmimport env proxy_get_buffer_bytes
func proxyGetBufferBytes(bufType uint32, start uint32, length uint32, retPtr *uint32, retLen *uint32) uint32

//go:wasmimport env proxy_set_buffer_bytes
func proxySetBufferBytes(bufType uint32, start uint32, length uint32, data string) uint32

//go:wasmimport env proxy_http_call
func proxyHttpCall(upstream string, headers string, body string, trailers string, timeoutMs uint32, token *uint32) uint32

//go:wasmimport env proxy_set_tick_period_milliseconds
func proxySetTickPeriodMilliseconds(ms uint32) uint32

//go:wasmimport env proxy_get_current_time_nanoseconds
func proxyGetCurrentTimeNanoseconds(ret *uint64) uint32

//go:wasmimport env proxy_define_metric
func proxyDefineMetric(metricType uint32, name string, id *uint32) uint32

//go:wasmimport env proxy_increment_metric
func proxyIncrementMetric(id uint32, delta int64) uint32

//go:wasmimport env proxy_record_metric
func proxyRecordMetric(id uint32, value uint64) uint32

//go:wasmimport env proxy_get_metric
func proxyGetMetric(id uint32, ret *uint64) uint32

//go:wasmimport env proxy_set_effective_context
func proxySetEffectiveContext(id uint32) uint32

//go:wasmimport env proxy_call_foreign_function
func proxyCallForeignFunction(name string, args string, retPtr *uint32, retLen *uint32) uint32

//go:wasmimport env proxy_continue_stream
func proxyContinueStream(streamType uint32) uint32

//go:wasmimport env proxy_close_stream
func proxyCloseStream(streamType uint32) uint32
