package plugin

import "testing"

func TestRecycledContextIsFresh(t *testing.T) {
	p := &pluginContext{cfg: &config{}}
	h := p.NewHttpContext(2).(*httpContext)
	h.body, h.path, h.state, h.in.traceID = []byte("{}"), "/v1/chat/completions", stInline, "t"
	h.Recycle() // no done callback yet: it may still wait for a tick
	if len(p.freeCtx) != 0 {
		t.Fatal("a stream without its done callback was recycled")
	}
	h.OnHttpStreamDone()
	h.Recycle()
	h2 := p.NewHttpContext(3).(*httpContext)
	if h2 != h {
		t.Fatal("deleted context not reused")
	}
	if h2.id != 3 || h2.plug != p || h2.cfg != p.cfg || h2.body != nil || h2.path != "" || h2.state != stRequest ||
		h2.in.traceID != "" || h2.done {
		t.Fatalf("reused context keeps old state: %+v", h2)
	}
	if h3 := p.NewHttpContext(4).(*httpContext); h3 == h2 {
		t.Fatal("one context handed to two streams")
	}
}
