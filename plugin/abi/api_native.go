//go:build !wasip1

package abi

import (
	"time"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm"
	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"
)

// The native build forwards to the SDK so proxytest can drive the plugin; see doc.go.

// SetVMContext installs the plugin's VM context (wrapped in Guard).
func SetVMContext(vm types.VMContext) { proxywasm.SetVMContext(Guard(vm)) }

// RegisterVMContext installs the VM context built by newVM. The wasip1 build calls newVM lazily at
// the first proxy_on_context_create; natively there is nothing to wait for.
func RegisterVMContext(newVM func() types.VMContext) { SetVMContext(newVM()) }

func GetVMConfiguration() ([]byte, error)     { return proxywasm.GetVMConfiguration() }
func GetPluginConfiguration() ([]byte, error) { return proxywasm.GetPluginConfiguration() }

func SetTickPeriodMilliSeconds(ms uint32) error { return proxywasm.SetTickPeriodMilliSeconds(ms) }
func SetEffectiveContext(contextID uint32) error {
	return proxywasm.SetEffectiveContext(contextID)
}

// GetCurrentTimeNanoseconds is the host clock (proxytest has none, so natively the Go clock).
func GetCurrentTimeNanoseconds() (int64, error) { return time.Now().UnixNano(), nil }

func RegisterSharedQueue(name string) (uint32, error) { return proxywasm.RegisterSharedQueue(name) }
func EnqueueSharedQueue(queueID uint32, data []byte) error {
	return proxywasm.EnqueueSharedQueue(queueID, data)
}
func DequeueSharedQueue(queueID uint32) ([]byte, error) {
	return proxywasm.DequeueSharedQueue(queueID)
}

// DispatchHttpCall sends an http call to cluster; callBack runs with the dispatching context as
// the effective context. A panic in callBack answers that stream with a 500.
func DispatchHttpCall(cluster string, headers [][2]string, body []byte, trailers [][2]string,
	timeoutMillisecond uint32, callBack func(numHeaders, bodySize, numTrailers int)) (uint32, error) {
	return proxywasm.DispatchHttpCall(cluster, headers, body, trailers, timeoutMillisecond, guardCallout(callBack))
}

func GetHttpCallResponseHeaders() ([][2]string, error) {
	return proxywasm.GetHttpCallResponseHeaders()
}
func GetHttpCallResponseBody(start, maxSize int) ([]byte, error) {
	return proxywasm.GetHttpCallResponseBody(start, maxSize)
}
func GetHttpCallResponseTrailers() ([][2]string, error) {
	return proxywasm.GetHttpCallResponseTrailers()
}

func GetHttpRequestHeaders() ([][2]string, error) { return proxywasm.GetHttpRequestHeaders() }
func ReplaceHttpRequestHeaders(h [][2]string) error {
	return proxywasm.ReplaceHttpRequestHeaders(h)
}
func GetHttpRequestHeader(key string) (string, error) { return proxywasm.GetHttpRequestHeader(key) }
func RemoveHttpRequestHeader(key string) error        { return proxywasm.RemoveHttpRequestHeader(key) }
func ReplaceHttpRequestHeader(key, value string) error {
	return proxywasm.ReplaceHttpRequestHeader(key, value)
}
func AddHttpRequestHeader(key, value string) error {
	return proxywasm.AddHttpRequestHeader(key, value)
}
func GetHttpRequestBody(start, maxSize int) ([]byte, error) {
	return proxywasm.GetHttpRequestBody(start, maxSize)
}
func AppendHttpRequestBody(data []byte) error  { return proxywasm.AppendHttpRequestBody(data) }
func PrependHttpRequestBody(data []byte) error { return proxywasm.PrependHttpRequestBody(data) }
func ReplaceHttpRequestBody(data []byte) error { return proxywasm.ReplaceHttpRequestBody(data) }
func GetHttpRequestTrailers() ([][2]string, error) {
	return proxywasm.GetHttpRequestTrailers()
}
func ReplaceHttpRequestTrailers(t [][2]string) error {
	return proxywasm.ReplaceHttpRequestTrailers(t)
}
func GetHttpRequestTrailer(key string) (string, error) {
	return proxywasm.GetHttpRequestTrailer(key)
}
func RemoveHttpRequestTrailer(key string) error { return proxywasm.RemoveHttpRequestTrailer(key) }
func ReplaceHttpRequestTrailer(key, value string) error {
	return proxywasm.ReplaceHttpRequestTrailer(key, value)
}
func AddHttpRequestTrailer(key, value string) error {
	return proxywasm.AddHttpRequestTrailer(key, value)
}
func ResumeHttpRequest() error { return proxywasm.ResumeHttpRequest() }

func GetHttpResponseHeaders() ([][2]string, error) { return proxywasm.GetHttpResponseHeaders() }
func ReplaceHttpResponseHeaders(h [][2]string) error {
	return proxywasm.ReplaceHttpResponseHeaders(h)
}
func GetHttpResponseHeader(key string) (string, error) {
	return proxywasm.GetHttpResponseHeader(key)
}
func RemoveHttpResponseHeader(key string) error { return proxywasm.RemoveHttpResponseHeader(key) }
func ReplaceHttpResponseHeader(key, value string) error {
	return proxywasm.ReplaceHttpResponseHeader(key, value)
}
func AddHttpResponseHeader(key, value string) error {
	return proxywasm.AddHttpResponseHeader(key, value)
}

// GetHttpResponseBodyInto is GetHttpResponseBody that may write into scratch's memory (see the
// wasip1 build); natively it is GetHttpResponseBody.
func GetHttpResponseBodyInto(scratch []byte, start, maxSize int) ([]byte, error) {
	return proxywasm.GetHttpResponseBody(start, maxSize)
}

func GetHttpResponseBody(start, maxSize int) ([]byte, error) {
	return proxywasm.GetHttpResponseBody(start, maxSize)
}
func AppendHttpResponseBody(data []byte) error  { return proxywasm.AppendHttpResponseBody(data) }
func PrependHttpResponseBody(data []byte) error { return proxywasm.PrependHttpResponseBody(data) }
func ReplaceHttpResponseBody(data []byte) error { return proxywasm.ReplaceHttpResponseBody(data) }
func GetHttpResponseTrailers() ([][2]string, error) {
	return proxywasm.GetHttpResponseTrailers()
}
func ReplaceHttpResponseTrailers(t [][2]string) error {
	return proxywasm.ReplaceHttpResponseTrailers(t)
}
func GetHttpResponseTrailer(key string) (string, error) {
	return proxywasm.GetHttpResponseTrailer(key)
}
func RemoveHttpResponseTrailer(key string) error { return proxywasm.RemoveHttpResponseTrailer(key) }
func ReplaceHttpResponseTrailer(key, value string) error {
	return proxywasm.ReplaceHttpResponseTrailer(key, value)
}
func AddHttpResponseTrailer(key, value string) error {
	return proxywasm.AddHttpResponseTrailer(key, value)
}
func ResumeHttpResponse() error { return proxywasm.ResumeHttpResponse() }

// SendHttpResponse answers the current stream locally; gRPCStatus -1 means "not gRPC".
func SendHttpResponse(statusCode uint32, headers [][2]string, body []byte, gRPCStatus int32) error {
	return proxywasm.SendHttpResponse(statusCode, headers, body, gRPCStatus)
}

func GetSharedData(key string) ([]byte, uint32, error) { return proxywasm.GetSharedData(key) }
func SetSharedData(key string, data []byte, cas uint32) error {
	return proxywasm.SetSharedData(key, data, cas)
}

func GetProperty(path []string) ([]byte, error)         { return proxywasm.GetProperty(path) }
func GetPropertyMap(path []string) ([][2]string, error) { return proxywasm.GetPropertyMap(path) }
func SetProperty(path []string, data []byte) error      { return proxywasm.SetProperty(path, data) }

// CallForeignFunction calls a host-specific function. Note that proxytest exits the test process
// for a name that was not registered with RegisterForeignFunction.
func CallForeignFunction(name string, param []byte) ([]byte, error) {
	return proxywasm.CallForeignFunction(name, param)
}

func LogTrace(msg string)    { proxywasm.LogTrace(msg) }
func LogDebug(msg string)    { proxywasm.LogDebug(msg) }
func LogInfo(msg string)     { proxywasm.LogInfo(msg) }
func LogWarn(msg string)     { proxywasm.LogWarn(msg) }
func LogError(msg string)    { proxywasm.LogError(msg) }
func LogCritical(msg string) { proxywasm.LogCritical(msg) }

// The SDK's metric calls panic on host errors; these return them instead.

func DefineCounterMetric(name string) (m MetricCounter, err error) {
	defer recoverErr(&err)
	return MetricCounter(proxywasm.DefineCounterMetric(name)), nil
}
func DefineGaugeMetric(name string) (m MetricGauge, err error) {
	defer recoverErr(&err)
	return MetricGauge(proxywasm.DefineGaugeMetric(name)), nil
}
func DefineHistogramMetric(name string) (m MetricHistogram, err error) {
	defer recoverErr(&err)
	return MetricHistogram(proxywasm.DefineHistogramMetric(name)), nil
}
func (m MetricCounter) Increment(offset uint64) (err error) {
	defer recoverErr(&err)
	proxywasm.MetricCounter(m).Increment(offset)
	return nil
}
func (m MetricCounter) Value() (v uint64, err error) {
	defer recoverErr(&err)
	return proxywasm.MetricCounter(m).Value(), nil
}
func (m MetricGauge) Add(offset int64) (err error) {
	defer recoverErr(&err)
	proxywasm.MetricGauge(m).Add(offset)
	return nil
}
func (m MetricGauge) Value() (v int64, err error) {
	defer recoverErr(&err)
	return proxywasm.MetricGauge(m).Value(), nil
}
func (m MetricHistogram) Record(value uint64) (err error) {
	defer recoverErr(&err)
	proxywasm.MetricHistogram(m).Record(value)
	return nil
}
func (m MetricHistogram) Value() (v uint64, err error) {
	defer recoverErr(&err)
	return proxywasm.MetricHistogram(m).Value(), nil
}

func recoverErr(err *error) {
	if r := recover(); r != nil {
		*err = types.ErrorInternalFailure
	}
}

// CloseHttpStream resets the current stream; proxytest has no public hook for it.
func CloseHttpStream() error { return types.ErrorUnimplemented }

// GetStatus reports the detail of the last failed host operation; proxytest has none.
func GetStatus() (uint32, string, error) { return 0, "", types.ErrorUnimplemented }
