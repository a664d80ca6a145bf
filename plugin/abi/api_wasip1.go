//go:build wasip1

package abi

import (
	"errors"
	"runtime"
	"strconv"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"
)

// SetVMContext installs the plugin's VM context (wrapped in Guard). It makes no host call, so it
// may run from init().
func SetVMContext(vm types.VMContext) { vmContext = Guard(vm) }

// RegisterVMContext records a constructor that runs at the first proxy_on_context_create, i.e.
// outside _initialize where Envoy forbids most host calls.
func RegisterVMContext(newVM func() types.VMContext) { vmFactory = newVM }

func GetVMConfiguration() ([]byte, error)     { return getBuffer(bufVMConfiguration, 0, maxBufferBytes) }
func GetPluginConfiguration() ([]byte, error) { return getBuffer(bufPluginConfig, 0, maxBufferBytes) }

func SetTickPeriodMilliSeconds(ms uint32) error {
	return statusToError(proxySetTickPeriodMilliseconds(ms))
}

func SetEffectiveContext(contextID uint32) error {
	st := proxySetEffectiveContext(contextID)
	if st == statusOK {
		activeID = contextID
	}
	return statusToError(st)
}

// GetCurrentTimeNanoseconds is the host's wall clock.
func GetCurrentTimeNanoseconds() (int64, error) {
	var ns uint64
	if err := statusToError(proxyGetCurrentTimeNanoseconds(&ns)); err != nil {
		return 0, err
	}
	return int64(ns), nil
}

func RegisterSharedQueue(name string) (uint32, error) {
	var id uint32
	err := statusToError(proxyRegisterSharedQueue(name, &id))
	return id, err
}

func EnqueueSharedQueue(queueID uint32, data []byte) error {
	st := proxyEnqueueSharedQueue(queueID, view(data))
	runtime.KeepAlive(data)
	return statusToError(st)
}

func DequeueSharedQueue(queueID uint32) ([]byte, error) {
	var p, n uint32
	if st := proxyDequeueSharedQueue(queueID, &p, &n); st != statusOK {
		releaseAllocs()
		return nil, statusToError(st)
	}
	return takeAlloc(p, n)
}

// DispatchHttpCall sends an http call to cluster (Envoy: a cluster name; Kong: host:port). The
// callback runs with the dispatching context as the effective context; a panic in it answers
// that stream with a 500.
func DispatchHttpCall(cluster string, headers [][2]string, body []byte, trailers [][2]string,
	timeoutMillisecond uint32, callBack func(numHeaders, bodySize, numTrailers int)) (uint32, error) {
	scratch = AppendPairs(scratch[:0], headers)
	hl := len(scratch)
	scratch = AppendPairs(scratch, trailers)
	var token uint32
	st := proxyHttpCall(cluster, view(scratch[:hl]), view(body), view(scratch[hl:]), timeoutMillisecond, &token)
	runtime.KeepAlive(body)
	if st != statusOK {
		return 0, statusToError(st)
	}
	registerCallout(token, guardCallout(callBack))
	return token, nil
}

func GetHttpCallResponseHeaders() ([][2]string, error)  { return getMap(mapHttpCallRespHeaders) }
func GetHttpCallResponseTrailers() ([][2]string, error) { return getMap(mapHttpCallRespTrailers) }
func GetHttpCallResponseBody(start, maxSize int) ([]byte, error) {
	return getBuffer(bufHttpCallResponse, start, maxSize)
}

func GetHttpRequestHeaders() ([][2]string, error)   { return getMap(mapRequestHeaders) }
func ReplaceHttpRequestHeaders(h [][2]string) error { return setMap(mapRequestHeaders, h) }
func GetHttpRequestHeader(key string) (string, error) {
	return getMapValue(mapRequestHeaders, key)
}
func RemoveHttpRequestHeader(key string) error { return removeMapValue(mapRequestHeaders, key) }
func ReplaceHttpRequestHeader(key, value string) error {
	return replaceMapValue(mapRequestHeaders, key, value)
}
func AddHttpRequestHeader(key, value string) error {
	return addMapValue(mapRequestHeaders, key, value)
}
func GetHttpRequestBody(start, maxSize int) ([]byte, error) {
	return getBuffer(bufRequestBody, start, maxSize)
}
func AppendHttpRequestBody(data []byte) error {
	return setBuffer(bufRequestBody, maxBufferBytes, 0, data)
}
func PrependHttpRequestBody(data []byte) error { return setBuffer(bufRequestBody, 0, 0, data) }
func ReplaceHttpRequestBody(data []byte) error {
	return setBuffer(bufRequestBody, 0, maxBufferBytes, data)
}
func GetHttpRequestTrailers() ([][2]string, error)   { return getMap(mapRequestTrailers) }
func ReplaceHttpRequestTrailers(t [][2]string) error { return setMap(mapRequestTrailers, t) }
func GetHttpRequestTrailer(key string) (string, error) {
	return getMapValue(mapRequestTrailers, key)
}
func RemoveHttpRequestTrailer(key string) error { return removeMapValue(mapRequestTrailers, key) }
func ReplaceHttpRequestTrailer(key, value string) error {
	return replaceMapValue(mapRequestTrailers, key, value)
}
func AddHttpRequestTrailer(key, value string) error {
	return addMapValue(mapRequestTrailers, key, value)
}
func ResumeHttpRequest() error { return statusToError(proxyContinueStream(streamRequest)) }

func GetHttpResponseHeaders() ([][2]string, error)   { return getMap(mapResponseHeaders) }
func ReplaceHttpResponseHeaders(h [][2]string) error { return setMap(mapResponseHeaders, h) }
func GetHttpResponseHeader(key string) (string, error) {
	return getMapValue(mapResponseHeaders, key)
}
func RemoveHttpResponseHeader(key string) error { return removeMapValue(mapResponseHeaders, key) }
func ReplaceHttpResponseHeader(key, value string) error {
	return replaceMapValue(mapResponseHeaders, key, value)
}
func AddHttpResponseHeader(key, value string) error {
	return addMapValue(mapResponseHeaders, key, value)
}
func GetHttpResponseBody(start, maxSize int) ([]byte, error) {
	return getBuffer(bufResponseBody, start, maxSize)
}

// GetHttpResponseBodyInto is GetHttpResponseBody for a caller that is done with the bytes before
// it calls the host again: the host writes into scratch's memory when it is large enough, so a
// stream's chunks reuse one buffer instead of allocating (and zeroing) one per chunk. Pass the
// returned slice as the next scratch.
func GetHttpResponseBodyInto(scratch []byte, start, maxSize int) ([]byte, error) {
	reuse = scratch[:cap(scratch)]
	b, err := getBuffer(bufResponseBody, start, maxSize)
	reuse = nil
	return b, err
}
func AppendHttpResponseBody(data []byte) error {
	return setBuffer(bufResponseBody, maxBufferBytes, 0, data)
}
func PrependHttpResponseBody(data []byte) error { return setBuffer(bufResponseBody, 0, 0, data) }
func ReplaceHttpResponseBody(data []byte) error {
	return setBuffer(bufResponseBody, 0, maxBufferBytes, data)
}
func GetHttpResponseTrailers() ([][2]string, error)   { return getMap(mapResponseTrailers) }
func ReplaceHttpResponseTrailers(t [][2]string) error { return setMap(mapResponseTrailers, t) }
func GetHttpResponseTrailer(key string) (string, error) {
	return getMapValue(mapResponseTrailers, key)
}
func RemoveHttpResponseTrailer(key string) error { return removeMapValue(mapResponseTrailers, key) }
func ReplaceHttpResponseTrailer(key, value string) error {
	return replaceMapValue(mapResponseTrailers, key, value)
}
func AddHttpResponseTrailer(key, value string) error {
	return addMapValue(mapResponseTrailers, key, value)
}
func ResumeHttpResponse() error { return statusToError(proxyContinueStream(streamResponse)) }

// CloseHttpStream resets the current stream (Envoy only; Kong traps on proxy_close_stream).
func CloseHttpStream() error { return statusToError(proxyCloseStream(streamRequest)) }

// SendHttpResponse answers the current stream locally; gRPCStatus -1 means "not gRPC". The host
// acts on it after the current callback returns.
func SendHttpResponse(statusCode uint32, headers [][2]string, body []byte, gRPCStatus int32) error {
	scratch = AppendPairs(scratch[:0], headers)
	st := proxySendLocalResponse(statusCode, "", view(body), view(scratch), gRPCStatus)
	runtime.KeepAlive(body)
	return statusToError(st)
}

func GetSharedData(key string) ([]byte, uint32, error) {
	var p, n, cas uint32
	if st := proxyGetSharedData(key, &p, &n, &cas); st != statusOK {
		releaseAllocs()
		return nil, 0, statusToError(st)
	}
	b, err := takeAlloc(p, n)
	return b, cas, err
}

// SetSharedData stores data under key; a non-zero cas that no longer matches fails with
// types.ErrorStatusCasMismatch.
func SetSharedData(key string, data []byte, cas uint32) error {
	st := proxySetSharedData(key, view(data), cas)
	runtime.KeepAlive(data)
	return statusToError(st)
}

func GetProperty(path []string) ([]byte, error) {
	if len(path) == 0 {
		return nil, errors.New("abi: property path must not be empty")
	}
	scratch = AppendPropertyPath(scratch[:0], path)
	var p, n uint32
	if st := proxyGetProperty(view(scratch), &p, &n); st != statusOK {
		releaseAllocs()
		return nil, statusToError(st)
	}
	return takeAlloc(p, n)
}

func GetPropertyMap(path []string) ([][2]string, error) {
	b, err := GetProperty(path)
	if err != nil {
		return nil, err
	}
	return ParsePairs(b)
}

func SetProperty(path []string, data []byte) error {
	if len(path) == 0 {
		return errors.New("abi: property path must not be empty")
	}
	scratch = AppendPropertyPath(scratch[:0], path)
	st := proxySetProperty(view(scratch), view(data))
	runtime.KeepAlive(data)
	return statusToError(st)
}

// CallForeignFunction calls a host-specific function; an unknown name is
// types.ErrorStatusNotFound.
func CallForeignFunction(name string, param []byte) ([]byte, error) {
	var p, n uint32
	st := proxyCallForeignFunction(name, view(param), &p, &n)
	runtime.KeepAlive(param)
	if st != statusOK {
		releaseAllocs()
		return nil, statusToError(st)
	}
	return takeAlloc(p, n)
}

func LogTrace(msg string)    { proxyLog(logTrace, msg) }
func LogDebug(msg string)    { proxyLog(logDebug, msg) }
func LogInfo(msg string)     { proxyLog(logInfo, msg) }
func LogWarn(msg string)     { proxyLog(logWarn, msg) }
func LogError(msg string)    { proxyLog(logError, msg) }
func LogCritical(msg string) { proxyLog(logCritical, msg) }

func defineMetric(t uint32, name string) (uint32, error) {
	var id uint32
	err := statusToError(proxyDefineMetric(t, name, &id))
	return id, err
}

func DefineCounterMetric(name string) (MetricCounter, error) {
	id, err := defineMetric(metricCounter, name)
	return MetricCounter(id), err
}
func DefineGaugeMetric(name string) (MetricGauge, error) {
	id, err := defineMetric(metricGauge, name)
	return MetricGauge(id), err
}
func DefineHistogramMetric(name string) (MetricHistogram, error) {
	id, err := defineMetric(metricHistogram, name)
	return MetricHistogram(id), err
}

func (m MetricCounter) Increment(offset uint64) error {
	return statusToError(proxyIncrementMetric(uint32(m), int64(offset)))
}
func (m MetricCounter) Value() (uint64, error) {
	var v uint64
	err := statusToError(proxyGetMetric(uint32(m), &v))
	return v, err
}
func (m MetricGauge) Add(offset int64) error {
	return statusToError(proxyIncrementMetric(uint32(m), offset))
}
func (m MetricGauge) Value() (int64, error) {
	var v uint64
	err := statusToError(proxyGetMetric(uint32(m), &v))
	return int64(v), err
}
func (m MetricHistogram) Record(value uint64) error {
	return statusToError(proxyRecordMetric(uint32(m), value))
}
func (m MetricHistogram) Value() (uint64, error) {
	var v uint64
	err := statusToError(proxyGetMetric(uint32(m), &v))
	return v, err
}

func getMap(mapType uint32) ([][2]string, error) {
	var p, n uint32
	if st := proxyGetHeaderMapPairs(mapType, &p, &n); st != statusOK {
		releaseAllocs()
		return nil, statusToError(st)
	}
	b, err := takeAlloc(p, n)
	if err != nil {
		return nil, err
	}
	return ParsePairs(b)
}

func setMap(mapType uint32, pairs [][2]string) error {
	scratch = AppendPairs(scratch[:0], pairs)
	return statusToError(proxySetHeaderMapPairs(mapType, view(scratch)))
}

func getMapValue(mapType uint32, key string) (string, error) {
	var p, n uint32
	if st := proxyGetHeaderMapValue(mapType, key, &p, &n); st != statusOK {
		releaseAllocs()
		return "", statusToError(st)
	}
	b, err := takeAlloc(p, n)
	return view(b), err
}

func removeMapValue(mapType uint32, key string) error {
	return statusToError(proxyRemoveHeaderMapValue(mapType, key))
}

func replaceMapValue(mapType uint32, key, value string) error {
	return statusToError(proxyReplaceHeaderMapValue(mapType, key, value))
}

func addMapValue(mapType uint32, key, value string) error {
	return statusToError(proxyAddHeaderMapValue(mapType, key, value))
}

func getBuffer(bufType uint32, start, maxSize int) ([]byte, error) {
	if start < 0 || maxSize < 0 || start > maxBufferBytes {
		return nil, types.ErrorStatusBadArgument
	}
	if maxSize > maxBufferBytes {
		maxSize = maxBufferBytes
	}
	var p, n uint32
	if st := proxyGetBufferBytes(bufType, uint32(start), uint32(maxSize), &p, &n); st != statusOK {
		releaseAllocs()
		return nil, statusToError(st)
	}
	return takeAlloc(p, n)
}

func setBuffer(bufType uint32, start, length uint32, data []byte) error {
	st := proxySetBufferBytes(bufType, start, length, view(data))
	runtime.KeepAlive(data)
	return statusToError(st)
}

// GetStatus reports the detail of the last failed host operation (Envoy: a reset http call).
// Kong traps on proxy_get_status, so call it only on Envoy-like hosts.
func GetStatus() (uint32, string, error) {
	var code, p, n uint32
	if st := proxyGetStatus(&code, &p, &n); st != statusOK {
		releaseAllocs()
		return 0, "", statusToError(st)
	}
	b, err := takeAlloc(p, n)
	return code, view(b), err
}

func itoa(v uint32) string { return strconv.FormatUint(uint64(v), 10) }
