// Package plugin is Switchyard's proxy-wasm HTTP filter: it classifies an OpenAI API call, reads
// Portkey's x-portkey-* headers, builds the routing plan, translates the request for the chosen
// provider and sends the first attempt through the proxy's own router; retries and fallbacks run
// as http callouts with back-off on the root context's tick, and every answer is translated back
// to OpenAI's shape.
package plugin

import (
	"math/rand/v2"
	"time"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"

	"switchyard/plugin/abi"
	"switchyard/translate"
	_ "switchyard/translate/all"
)

// NewVMContext builds the VM context. It makes no host call, so it may run at any time; the
// module's main package registers it with abi.RegisterVMContext.
func NewVMContext() types.VMContext { return &vmContext{} }

type vmContext struct {
	types.DefaultVMContext
	met vmMetrics
}

func (v *vmContext) NewPluginContext(id uint32) types.PluginContext {
	return &pluginContext{id: id, getenv: osGetenv, met: &v.met}
}

type pluginContext struct {
	types.DefaultPluginContext
	id     uint32
	cfg    *config
	getenv func(string) string
	met    *vmMetrics
	// waiters are streams whose next attempt waits for a back-off to end.
	waiters []*httpContext
	ticking bool
	// free holds per-stream buffers for reuse: a VM runs one callback at a time, so a stream
	// takes a set when it starts an attempt and gives it back when it ends.
	free []*buffers
	// freeCtx holds stream contexts the host has deleted (abi.Recycler), zeroed.
	freeCtx []*httpContext
}

// buffers are the reusable byte and header buffers of one stream.
type buffers struct {
	up    translate.UpstreamRequest
	out   []byte
	tmp   []byte
	mid   []byte // OpenAI SSE between two stream stages (/v1/messages conversion)
	chunk []byte // the upstream stream chunk being translated (host-written, reused)
	hdrs  [][2]string
	rhdrs [][2]string
	// chat is the OpenAI chat form of a /v1/messages body, nil until needed; chatStore keeps
	// its backing array.
	chat, chatStore []byte
}

func (p *pluginContext) getBuffers() *buffers {
	if n := len(p.free); n > 0 {
		b := p.free[n-1]
		p.free = p.free[:n-1]
		return b
	}
	return &buffers{}
}

func (p *pluginContext) putBuffers(b *buffers) {
	// Keep a few sets; a burst's extra memory goes back to the GC.
	if len(p.free) < 64 && cap(b.out) <= 1<<20 && cap(b.up.Body) <= 1<<20 && cap(b.chunk) <= 1<<20 {
		b.up.Reset()
		b.out, b.tmp, b.mid, b.hdrs, b.rhdrs = b.out[:0], b.tmp[:0], b.mid[:0], b.hdrs[:0], b.rhdrs[:0]
		b.chunk = b.chunk[:0]
		b.chat, b.chatStore = nil, b.chatStore[:0]
		p.free = append(p.free, b)
	}
}

func (p *pluginContext) OnPluginStart(int) types.OnPluginStartStatus {
	data, err := abi.GetPluginConfiguration()
	if err != nil && err != types.ErrorStatusNotFound {
		abi.LogCritical("switchyard: cannot read plugin configuration: " + err.Error())
		return types.OnPluginStartStatusFailed
	}
	cfg, err := parseConfig(data, p.getenv)
	if err != nil {
		abi.LogCritical("switchyard: invalid plugin configuration: " + err.Error())
		return types.OnPluginStartStatusFailed
	}
	for _, pr := range cfg.providers {
		if pr.apiKeyEnv != "" && pr.apiKey == "" {
			abi.LogWarn("switchyard: provider " + pr.id + ": environment variable " + pr.apiKeyEnv +
				" is unset or empty; requests without their own key reach the provider unauthenticated")
		}
	}
	if cfg.kong {
		// Kong allows one tick period, set from the root context (host.md §1.6).
		if err := abi.SetTickPeriodMilliSeconds(defaultTickMS); err != nil {
			abi.LogWarn("switchyard: cannot set the tick period: " + err.Error())
		}
		p.ticking = true
	}
	p.cfg = cfg
	return types.OnPluginStartStatusOK
}

func (p *pluginContext) NewHttpContext(id uint32) types.HttpContext {
	if n := len(p.freeCtx); n > 0 {
		h := p.freeCtx[n-1]
		p.freeCtx[n-1] = nil
		p.freeCtx = p.freeCtx[:n-1]
		h.plug, h.cfg, h.id = p, p.cfg, id
		return h
	}
	return &httpContext{plug: p, cfg: p.cfg, id: id}
}

func (h *httpContext) OnHttpStreamDone() {
	if !h.done {
		h.observe()
	}
	h.plug.removeWaiter(h)
	h.state = stPassed
	h.done = true
	if h.buf != nil {
		h.plug.putBuffers(h.buf)
		h.buf = nil
	}
}

// Recycle keeps h for a later stream once the host has deleted this one (abi.Recycler). Only a
// stream whose done callback ran is reused: without it h may still wait for a back-off tick.
// Its callouts still in flight are dropped by the dispatcher, which finds their stream gone.
func (h *httpContext) Recycle() {
	p := h.plug
	if !h.done || p == nil || len(p.freeCtx) >= 64 {
		return
	}
	*h = httpContext{} // also lets the GC have the request's body and headers now
	p.freeCtx = append(p.freeCtx, h)
}

func (p *pluginContext) addWaiter(h *httpContext) {
	p.waiters = append(p.waiters, h)
	if !p.ticking {
		if err := abi.SetTickPeriodMilliSeconds(defaultTickMS); err != nil {
			abi.LogError("switchyard: cannot set the tick period: " + err.Error())
		}
		p.ticking = true
	}
}

func (p *pluginContext) removeWaiter(h *httpContext) {
	for i, w := range p.waiters {
		if w == h {
			p.waiters = append(p.waiters[:i], p.waiters[i+1:]...)
			return
		}
	}
}

// OnTick starts the attempts whose back-off has ended.
func (p *pluginContext) OnTick() {
	now := hostNow().UnixNano()
	for i := 0; i < len(p.waiters); {
		h := p.waiters[i]
		if h.due > now {
			i++
			continue
		}
		p.waiters = append(p.waiters[:i], p.waiters[i+1:]...)
		if h.state == stAnswered || h.state == stPassed {
			continue
		}
		// The callout and its answer belong to the stream.
		if err := abi.SetEffectiveContext(h.id); err != nil {
			continue
		}
		func() {
			defer h.recoverAnswer("tick")
			h.dispatch()
		}()
	}
	if len(p.waiters) == 0 && p.ticking && (p.cfg == nil || !p.cfg.kong) {
		abi.SetTickPeriodMilliSeconds(0)
		p.ticking = false
	}
}

// hostNow is the host's wall clock (no Go timer involved).
func hostNow() time.Time {
	ns, err := abi.GetCurrentTimeNanoseconds()
	if err != nil {
		return time.Now()
	}
	return time.Unix(0, ns)
}

// newTraceID is a random UUID v4 for requests that bring no x-portkey-trace-id.
func newTraceID() string {
	const hexd = "0123456789abcdef"
	var b [36]byte
	a, c := rand.Uint64(), rand.Uint64()
	j := 0
	for i := 0; i < 36; i++ {
		switch i {
		case 8, 13, 18, 23:
			b[i] = '-'
			continue
		case 14:
			b[i] = '4'
			continue
		}
		var nib uint64
		if j < 16 {
			nib = a >> (4 * j) & 0xf
		} else {
			nib = c >> (4 * (j - 16)) & 0xf
		}
		if i == 19 {
			nib = nib&0x3 | 0x8
		}
		b[i] = hexd[nib]
		j++
	}
	return string(b[:])
}
