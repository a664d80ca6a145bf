//go:build wasip1

package abi

import (
	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"
)

// Callbacks of ABI 0.2.1. Guard already recovers panics inside plugin code; the recover here is
// the last line for the dispatcher itself, because a panic escaping an export kills the VM and
// fails every later request.

//go:wasmexport proxy_abi_version_0_2_1
func proxyAbiVersion021() {}

//go:wasmexport proxy_on_context_create
func proxyOnContextCreate(id, parent uint32) {
	defer recoverExport("proxy_on_context_create", id, nil)
	createContext(id, parent)
}

//go:wasmexport proxy_on_vm_start
func proxyOnVMStart(root, vmConfigSize uint32) (ok uint32) {
	defer recoverExport("proxy_on_vm_start", 0, &ok)
	activeID = root
	v := vm()
	if v == nil {
		LogCritical("switchyard: no VM context registered (abi.RegisterVMContext was not called)")
		return 0
	}
	return b2u(bool(v.OnVMStart(int(vmConfigSize))))
}

//go:wasmexport proxy_on_configure
func proxyOnConfigure(root, pluginConfigSize uint32) (ok uint32) {
	defer recoverExport("proxy_on_configure", 0, &ok)
	r := rootContext(root)
	if r == nil {
		LogCritical("switchyard: proxy_on_configure for unknown root context " + itoa(root))
		return 0
	}
	return b2u(bool(r.OnPluginStart(int(pluginConfigSize))))
}

//go:wasmexport proxy_on_request_headers
func proxyOnRequestHeaders(id, n, eos uint32) (act uint32) {
	defer recoverExport("proxy_on_request_headers", id, &act)
	if h := stream(id); h != nil {
		return uint32(h.OnHttpRequestHeaders(int(n), eos != 0))
	}
	return uint32(types.ActionContinue)
}

//go:wasmexport proxy_on_request_body
func proxyOnRequestBody(id, size, eos uint32) (act uint32) {
	defer recoverExport("proxy_on_request_body", id, &act)
	if h := stream(id); h != nil {
		return uint32(h.OnHttpRequestBody(int(size), eos != 0))
	}
	return uint32(types.ActionContinue)
}

//go:wasmexport proxy_on_request_trailers
func proxyOnRequestTrailers(id, n uint32) (act uint32) {
	defer recoverExport("proxy_on_request_trailers", id, &act)
	if h := stream(id); h != nil {
		return uint32(h.OnHttpRequestTrailers(int(n)))
	}
	return uint32(types.ActionContinue)
}

//go:wasmexport proxy_on_response_headers
func proxyOnResponseHeaders(id, n, eos uint32) (act uint32) {
	defer recoverExport("proxy_on_response_headers", id, &act)
	if h := stream(id); h != nil {
		return uint32(h.OnHttpResponseHeaders(int(n), eos != 0))
	}
	return uint32(types.ActionContinue)
}

//go:wasmexport proxy_on_response_body
func proxyOnResponseBody(id, size, eos uint32) (act uint32) {
	defer recoverExport("proxy_on_response_body", id, &act)
	if h := stream(id); h != nil {
		return uint32(h.OnHttpResponseBody(int(size), eos != 0))
	}
	return uint32(types.ActionContinue)
}

//go:wasmexport proxy_on_response_trailers
func proxyOnResponseTrailers(id, n uint32) (act uint32) {
	defer recoverExport("proxy_on_response_trailers", id, &act)
	if h := stream(id); h != nil {
		return uint32(h.OnHttpResponseTrailers(int(n)))
	}
	return uint32(types.ActionContinue)
}

//go:wasmexport proxy_on_log
func proxyOnLog(id uint32) {
	defer recoverExport("proxy_on_log", 0, nil)
	if h := stream(id); h != nil {
		h.OnHttpStreamDone()
	}
}

//go:wasmexport proxy_on_done
func proxyOnDone(id uint32) (done uint32) {
	done = 1
	defer recoverExport("proxy_on_done", 0, nil)
	if r, ok := roots[id]; ok {
		activeID = id
		return b2u(r.OnPluginDone())
	}
	return 1
}

//go:wasmexport proxy_on_delete
func proxyOnDelete(id uint32) {
	defer recoverExport("proxy_on_delete", 0, nil)
	deleteContext(id)
}

//go:wasmexport proxy_on_tick
func proxyOnTick(root uint32) {
	defer recoverExport("proxy_on_tick", 0, nil)
	if r := rootContext(root); r != nil {
		r.OnTick()
	}
}

//go:wasmexport proxy_on_queue_ready
func proxyOnQueueReady(root, queueID uint32) {
	defer recoverExport("proxy_on_queue_ready", 0, nil)
	if r := rootContext(root); r != nil {
		r.OnQueueReady(queueID)
	}
}

//go:wasmexport proxy_on_http_call_response
func proxyOnHttpCallResponse(root, token, numHeaders, bodySize, numTrailers uint32) {
	defer recoverExport("proxy_on_http_call_response", 0, nil)
	httpCallResponse(root, token, int(numHeaders), int(bodySize), int(numTrailers))
}

// recoverExport must be deferred directly by an export. For a stream callback (stream != 0 and
// result != nil) it answers the stream with a 500 and makes the callback return Pause; otherwise
// it leaves the result as set (0 = failure for vm_start/configure).
func recoverExport(where string, stream uint32, result *uint32) {
	r := recover()
	if r == nil {
		return
	}
	logPanic(where, r)
	if result == nil {
		return
	}
	if stream != 0 {
		if s, ok := streams[stream]; ok {
			if g, ok := s.ctx.(*guardedHttp); ok {
				g.fail()
			} else {
				sendInternalError()
			}
		}
		*result = uint32(types.ActionPause)
		return
	}
	*result = 0
}

func b2u(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}
