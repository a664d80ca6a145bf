//go:build wasip1

package abi

import (
	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"
)

// The context dispatcher: which plugin (root) and stream contexts exist in this VM, which one is
// running, and which callout belongs to whom. One VM runs one callback at a time.
var (
	vmContext types.VMContext
	vmFactory func() types.VMContext

	roots    = map[uint32]types.PluginContext{}
	streams  = map[uint32]*streamState{}
	callouts = map[uint32]calloutState{}
	activeID uint32
)

type streamState struct {
	ctx  types.HttpContext
	root uint32
}

type calloutState struct {
	cb     func(int, int, int)
	caller uint32
}

func vm() types.VMContext {
	if vmContext == nil && vmFactory != nil {
		f := vmFactory
		vmFactory = nil
		vmContext = Guard(f())
	}
	return vmContext
}

func createContext(id, parent uint32) {
	if parent == 0 {
		v := vm()
		if v == nil {
			LogCritical("switchyard: no VM context registered (abi.RegisterVMContext was not called)")
			return
		}
		if pc := v.NewPluginContext(id); pc != nil {
			roots[id] = pc
		}
		return
	}
	root, ok := roots[parent]
	if !ok {
		LogError("switchyard: stream context " + itoa(id) + " for unknown root context " + itoa(parent))
		return
	}
	activeID = id
	if hc := root.NewHttpContext(id); hc != nil {
		streams[id] = &streamState{ctx: hc, root: parent}
	}
}

func stream(id uint32) types.HttpContext {
	s, ok := streams[id]
	if !ok {
		return nil
	}
	activeID = id
	return s.ctx
}

func rootContext(id uint32) types.PluginContext {
	r, ok := roots[id]
	if !ok {
		return nil
	}
	activeID = id
	return r
}

func registerCallout(token uint32, cb func(int, int, int)) {
	callouts[token] = calloutState{cb: cb, caller: activeID}
}

func httpCallResponse(root, token uint32, nh, bs, nt int) {
	c, ok := callouts[token]
	if !ok {
		LogWarn("switchyard: response for unknown http call " + itoa(token))
		return
	}
	delete(callouts, token)
	activeID = root
	if c.caller != root {
		// The dispatching stream may be gone (client hung up); its callback has no one to answer.
		if _, alive := streams[c.caller]; !alive {
			return
		}
		if SetEffectiveContext(c.caller) != nil {
			return
		}
	}
	c.cb(nh, bs, nt)
}

func deleteContext(id uint32) {
	if s, ok := streams[id]; ok {
		delete(streams, id)
		recycle(s.ctx)
		return
	}
	delete(roots, id)
}
