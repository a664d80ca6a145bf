// Command allcalls references every host call of package abi so that the import check sees the
// binding's whole import set, not only what the filter uses today.
package main

import (
	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"

	"switchyard/plugin/abi"
)

func init() {
	abi.RegisterVMContext(func() types.VMContext { return &types.DefaultVMContext{} })
}

func main() {}

//go:wasmexport switchyard_probe
func probe(n uint32) {
	if n != 0x5157 {
		return
	}
	h := [][2]string{{"a", "b"}}
	b := []byte("x")
	abi.GetVMConfiguration()
	abi.GetPluginConfiguration()
	abi.SetTickPeriodMilliSeconds(1)
	abi.SetEffectiveContext(1)
	abi.GetCurrentTimeNanoseconds()
	q, _ := abi.RegisterSharedQueue("q")
	abi.EnqueueSharedQueue(q, b)
	abi.DequeueSharedQueue(q)
	abi.DispatchHttpCall("c", h, b, h, 1, func(int, int, int) {})
	abi.GetHttpCallResponseHeaders()
	abi.GetHttpCallResponseBody(0, 1)
	abi.GetHttpCallResponseTrailers()
	abi.GetHttpRequestHeaders()
	abi.ReplaceHttpRequestHeaders(h)
	abi.GetHttpRequestHeader("a")
	abi.RemoveHttpRequestHeader("a")
	abi.ReplaceHttpRequestHeader("a", "b")
	abi.AddHttpRequestHeader("a", "b")
	abi.GetHttpRequestBody(0, 1)
	abi.AppendHttpRequestBody(b)
	abi.PrependHttpRequestBody(b)
	abi.ReplaceHttpRequestBody(b)
	abi.GetHttpRequestTrailers()
	abi.ReplaceHttpRequestTrailers(h)
	abi.ResumeHttpRequest()
	abi.GetHttpResponseHeaders()
	abi.ReplaceHttpResponseHeaders(h)
	abi.GetHttpResponseHeader("a")
	abi.RemoveHttpResponseHeader("a")
	abi.ReplaceHttpResponseHeader("a", "b")
	abi.AddHttpResponseHeader("a", "b")
	abi.GetHttpResponseBody(0, 1)
	abi.ReplaceHttpResponseBody(b)
	abi.ResumeHttpResponse()
	abi.CloseHttpStream()
	abi.SendHttpResponse(500, h, b, -1)
	abi.GetSharedData("k")
	abi.SetSharedData("k", b, 1)
	abi.GetProperty([]string{"a", "b"})
	abi.SetProperty([]string{"a"}, b)
	abi.CallForeignFunction("f", b)
	abi.LogInfo("x")
	c, _ := abi.DefineCounterMetric("c")
	c.Increment(1)
	c.Value()
	g, _ := abi.DefineGaugeMetric("g")
	g.Add(-1)
	hi, _ := abi.DefineHistogramMetric("h")
	hi.Record(1)
	abi.GetStatus()
}
