package abi

import (
	"runtime"
	"strconv"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"
)

// InternalErrorBody is what a stream gets when the filter panics: OpenAI's error shape, so SDK
// clients surface it as an ordinary APIError.
const InternalErrorBody = `{"error":{"message":"internal error in switchyard filter","type":"api_error","param":null,"code":"internal_error"}}`

var internalErrorHeaders = [][2]string{{"content-type", "application/json"}}

// Guard wraps a VM context so that a panic in any plugin callback never kills the VM: it is
// logged, the affected stream is answered with a 500 (InternalErrorBody) and later callbacks of
// that stream are skipped. SetVMContext applies it; tests that hand a VM context straight to
// proxytest should wrap it themselves to get production behaviour.
func Guard(vm types.VMContext) types.VMContext {
	if vm == nil {
		return nil
	}
	if g, ok := vm.(*guardedVM); ok {
		return g
	}
	return &guardedVM{inner: vm}
}

type guardedVM struct{ inner types.VMContext }

type guardedPlugin struct {
	inner types.PluginContext
	id    uint32
}

type guardedHttp struct {
	inner  types.HttpContext
	failed bool // answered with a 500; later callbacks pass through untouched
	broken bool // its constructor panicked; the first callback answers the 500
}

// currentStream is the guarded stream whose callback is running, so that a callout dispatched
// from it can answer that stream if its response callback panics. A VM is single-threaded.
var currentStream *guardedHttp

func (g *guardedVM) OnVMStart(size int) (st types.OnVMStartStatus) {
	defer func() {
		if r := recover(); r != nil {
			logPanic("OnVMStart", r)
			st = types.OnVMStartStatusFailed
		}
	}()
	return g.inner.OnVMStart(size)
}

func (g *guardedVM) NewPluginContext(id uint32) (pc types.PluginContext) {
	defer func() {
		if r := recover(); r != nil {
			logPanic("NewPluginContext", r)
			pc = nil
		}
	}()
	inner := g.inner.NewPluginContext(id)
	if inner == nil {
		return nil
	}
	return &guardedPlugin{inner: inner, id: id}
}

func (p *guardedPlugin) OnPluginStart(size int) (st types.OnPluginStartStatus) {
	defer func() {
		if r := recover(); r != nil {
			logPanic("OnPluginStart", r)
			st = types.OnPluginStartStatusFailed
		}
	}()
	return p.inner.OnPluginStart(size)
}

func (p *guardedPlugin) OnPluginDone() (done bool) {
	defer func() {
		if r := recover(); r != nil {
			logPanic("OnPluginDone", r)
			done = true
		}
	}()
	return p.inner.OnPluginDone()
}

func (p *guardedPlugin) OnQueueReady(id uint32) {
	defer recoverLog("OnQueueReady")
	p.inner.OnQueueReady(id)
}

func (p *guardedPlugin) OnTick() {
	defer recoverLog("OnTick")
	p.inner.OnTick()
}

func (p *guardedPlugin) NewTcpContext(uint32) types.TcpContext { return nil }

func (p *guardedPlugin) NewHttpContext(id uint32) (hc types.HttpContext) {
	defer func() {
		if r := recover(); r != nil {
			logPanic("NewHttpContext", r)
			// A stream that answers 500 at its first callback beats no context at all; the reply
			// waits for a callback because hosts create the context before the stream can answer.
			hc = &guardedHttp{inner: &types.DefaultHttpContext{}, broken: true}
		}
	}()
	inner := p.inner.NewHttpContext(id)
	if inner == nil {
		return nil
	}
	return &guardedHttp{inner: inner}
}

func (h *guardedHttp) enter() { currentStream = h }

// skip answers a callback of a failed or broken stream without running plugin code.
func (h *guardedHttp) skip() types.Action {
	if h.broken {
		h.broken = false
		h.fail()
		return types.ActionPause
	}
	return types.ActionContinue
}

// leave recovers a panic of the named callback; it must be deferred directly.
func (h *guardedHttp) leave(where string, act *types.Action) {
	currentStream = nil
	if r := recover(); r != nil {
		logPanic(where, r)
		h.fail()
		*act = types.ActionPause
	}
}

func (h *guardedHttp) fail() {
	if h.failed {
		return
	}
	h.failed = true
	sendInternalError()
}

func (h *guardedHttp) OnHttpRequestHeaders(n int, eos bool) (act types.Action) {
	if h.failed || h.broken {
		return h.skip()
	}
	h.enter()
	defer h.leave("OnHttpRequestHeaders", &act)
	return h.inner.OnHttpRequestHeaders(n, eos)
}

func (h *guardedHttp) OnHttpRequestBody(n int, eos bool) (act types.Action) {
	if h.failed || h.broken {
		return h.skip()
	}
	h.enter()
	defer h.leave("OnHttpRequestBody", &act)
	return h.inner.OnHttpRequestBody(n, eos)
}

func (h *guardedHttp) OnHttpRequestTrailers(n int) (act types.Action) {
	if h.failed || h.broken {
		return h.skip()
	}
	h.enter()
	defer h.leave("OnHttpRequestTrailers", &act)
	return h.inner.OnHttpRequestTrailers(n)
}

func (h *guardedHttp) OnHttpResponseHeaders(n int, eos bool) (act types.Action) {
	if h.failed || h.broken {
		return h.skip()
	}
	h.enter()
	defer h.leave("OnHttpResponseHeaders", &act)
	return h.inner.OnHttpResponseHeaders(n, eos)
}

func (h *guardedHttp) OnHttpResponseBody(n int, eos bool) (act types.Action) {
	if h.failed || h.broken {
		return h.skip()
	}
	h.enter()
	defer h.leave("OnHttpResponseBody", &act)
	return h.inner.OnHttpResponseBody(n, eos)
}

func (h *guardedHttp) OnHttpResponseTrailers(n int) (act types.Action) {
	if h.failed || h.broken {
		return h.skip()
	}
	h.enter()
	defer h.leave("OnHttpResponseTrailers", &act)
	return h.inner.OnHttpResponseTrailers(n)
}

func (h *guardedHttp) OnHttpStreamDone() {
	if h.failed || h.broken {
		return
	}
	var act types.Action
	h.enter()
	defer h.leave("OnHttpStreamDone", &act)
	h.inner.OnHttpStreamDone()
}

// guardCallout wraps an http callout callback: a panic answers the stream that dispatched the
// call (if any) with a 500, because that stream is usually paused waiting for this callback.
func guardCallout(cb func(numHeaders, bodySize, numTrailers int)) func(int, int, int) {
	caller := currentStream
	return func(nh, bs, nt int) {
		prev := currentStream
		currentStream = caller
		defer func() {
			currentStream = prev
			if r := recover(); r != nil {
				logPanic("http call response", r)
				if caller != nil {
					caller.fail()
				}
			}
		}()
		if caller != nil && caller.failed {
			return
		}
		cb(nh, bs, nt)
	}
}

func recoverLog(where string) {
	if r := recover(); r != nil {
		logPanic(where, r)
	}
}

func sendInternalError() {
	_ = SendHttpResponse(500, internalErrorHeaders, []byte(InternalErrorBody), -1)
}

// logPanic logs where a panic happened. Only runtime errors are printed verbatim: a value passed
// to panic() by plugin code could carry request data or a credential.
func logPanic(where string, r any) {
	msg := "switchyard: recovered panic in " + where + ": "
	switch v := r.(type) {
	case runtime.Error:
		msg += v.Error()
	case error:
		msg += "error value (not logged)"
	default:
		msg += "non-error value (not logged)"
	}
	var pcs [16]uintptr
	n := runtime.Callers(3, pcs[:])
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		msg += "\n  at " + f.Function + ":" + strconv.Itoa(f.Line)
		if !more {
			break
		}
	}
	LogError(msg)
}
