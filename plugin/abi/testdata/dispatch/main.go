// Command dispatch is a test plugin for the wasip1 dispatcher of package abi: the request header
// x-test picks what a stream does (panic, http callouts, pass through).
package main

import (
	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"

	"switchyard/plugin/abi"
)

func init() {
	abi.RegisterVMContext(func() types.VMContext { return &vm{} })
}

func main() {}

type vm struct{ types.DefaultVMContext }

func (*vm) NewPluginContext(id uint32) types.PluginContext { return &root{id: id} }

type root struct {
	types.DefaultPluginContext
	id uint32
}

func (r *root) OnPluginStart(int) types.OnPluginStartStatus {
	cfg, err := abi.GetPluginConfiguration()
	if err != nil || string(cfg) != "dispatch-test" {
		abi.LogCritical("bad configuration")
		return types.OnPluginStartStatusFailed
	}
	if err := abi.SetTickPeriodMilliSeconds(250); err != nil {
		abi.LogCritical("tick: " + err.Error())
	}
	return types.OnPluginStartStatusOK
}

func (r *root) OnTick() {
	abi.LogInfo("tick")
	// A callout from the root context: its callback runs with no stream to answer.
	if _, err := abi.DispatchHttpCall("tick_cluster", [][2]string{{":method", "GET"}, {":path", "/tick"}, {":authority", "t"}},
		nil, nil, 100, func(nh, bs, nt int) { abi.LogInfo("tick callout answered") }); err != nil {
		abi.LogError("tick dispatch: " + err.Error())
	}
}

func (r *root) NewHttpContext(id uint32) types.HttpContext { return &stream{id: id} }

type stream struct {
	types.DefaultHttpContext
	id uint32
}

func (s *stream) OnHttpRequestHeaders(int, bool) types.Action {
	mode, _ := abi.GetHttpRequestHeader("x-test")
	switch mode {
	case "panic":
		var m map[string]int
		m["x"]++
	case "callout", "callout-panic":
		body, _ := abi.GetHttpRequestBody(0, 1<<20) // not available at headers: NotFound
		_, err := abi.DispatchHttpCall("upstream_a",
			[][2]string{{":method", "POST"}, {":path", "/v1/x"}, {":authority", "a.example"}},
			[]byte(`{"q":1}`), nil, 1500, func(nh, bs, nt int) {
				if mode == "callout-panic" {
					var p *stream
					_ = p.id
				}
				hs, err := abi.GetHttpCallResponseHeaders()
				if err != nil {
					abi.LogError("callout headers: " + err.Error())
				}
				b, err := abi.GetHttpCallResponseBody(0, bs)
				if err != nil {
					abi.LogError("callout body: " + err.Error())
				}
				status := ""
				for _, h := range hs {
					if h[0] == ":status" {
						status = h[1]
					}
				}
				abi.SendHttpResponse(200, [][2]string{{"x-upstream-status", status}}, append([]byte("from callout: "), b...), -1)
			})
		if err != nil {
			abi.LogError("dispatch: " + err.Error())
			return types.ActionContinue
		}
		_ = body
		return types.ActionPause
	}
	abi.ReplaceHttpRequestHeader("x-seen", "yes")
	return types.ActionContinue
}

func (s *stream) OnHttpStreamDone() { abi.LogInfo("stream done") }
