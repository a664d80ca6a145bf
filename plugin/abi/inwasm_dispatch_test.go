package abi_test

import (
	"strings"
	"testing"

	"switchyard/plugin/abi"
	"switchyard/plugin/internal/wasmtest"
)

// These tests run the wasip1 build of the binding (imports, exports, allocator, dispatcher) inside
// wazero, driving testdata/dispatch.

func dispatchHost(t *testing.T) *wasmtest.Host {
	t.Helper()
	h := wasmtest.New(t, wasmtest.Build(t, "./plugin/abi/testdata/dispatch"), "dispatch-test", nil)
	if vm, cfg := h.Start(1); !vm || !cfg {
		t.Fatalf("start: vm %v configure %v logs %q", vm, cfg, h.Logs)
	}
	if h.TickMs != 250 {
		t.Fatalf("tick period %d", h.TickMs)
	}
	t.Cleanup(func() {
		if len(h.Violations) > 0 {
			t.Errorf("host rule violations: %q", h.Violations)
		}
	})
	return h
}

func TestWasmPanicAnswers500AndVMKeepsServing(t *testing.T) {
	h := dispatchHost(t)
	hdr, _ := h.Request(2, [][2]string{{":path", "/"}, {"x-test", "panic"}}, "")
	if hdr != 1 {
		t.Fatalf("panicking callback returned %d, want 1 (pause)", hdr)
	}
	if len(h.Replies) != 1 || h.Replies[0].Status != 500 || h.Replies[0].Body != abi.InternalErrorBody || h.Replies[0].Stream != 2 {
		t.Fatalf("replies %+v", h.Replies)
	}
	logs := strings.Join(h.Logs, "\n")
	if !strings.Contains(logs, "recovered panic in OnHttpRequestHeaders: assignment to entry in nil map") {
		t.Fatalf("logs %q", logs)
	}
	if strings.Contains(logs, "stream done") {
		t.Fatal("a failed stream's OnHttpStreamDone ran")
	}

	h.Logs = nil
	hdr, _ = h.Request(3, [][2]string{{":path", "/"}}, "")
	if hdr != 0 || len(h.Replies) != 0 {
		t.Fatalf("next request: action %d replies %+v", hdr, h.Replies)
	}
	if got := h.Headers[len(h.Headers)-1]; got != [2]string{"x-seen", "yes"} {
		t.Fatalf("next request headers %q", h.Headers)
	}
	if strings.Join(h.Logs, "|") != "stream done" {
		t.Fatalf("next request logs %q", h.Logs)
	}
}

func TestWasmCalloutAnswersTheCallingStream(t *testing.T) {
	h := dispatchHost(t)
	h.Open(2, [][2]string{{":path", "/"}, {"x-test", "callout"}}, "")
	if act := h.StreamCall("proxy_on_request_headers", 2, 2, 1); act != 1 {
		t.Fatalf("headers action %d, want pause", act)
	}
	if len(h.Callouts) != 1 {
		t.Fatalf("callouts %+v", h.Callouts)
	}
	c := h.Callouts[0]
	want := [][2]string{{":method", "POST"}, {":path", "/v1/x"}, {":authority", "a.example"}}
	if c.Upstream != "upstream_a" || c.Body != `{"q":1}` || c.TimeoutMs != 1500 || c.Caller != 2 || !equal(c.Headers, want) {
		t.Fatalf("callout %+v", c)
	}
	// Another stream in between must not confuse the dispatcher.
	h.Request(3, [][2]string{{":path", "/"}}, "")
	h.Replies = nil

	h.CalloutHeaders = [][2]string{{":status", "201"}, {"content-type", "text/plain"}}
	h.CalloutBody = []byte("upstream says hi")
	h.DeliverCallout(1, c.Token)
	if len(h.Replies) != 1 {
		t.Fatalf("replies %+v logs %q", h.Replies, h.Logs)
	}
	r := h.Replies[0]
	if r.Stream != 2 || r.Status != 200 || r.Body != "from callout: upstream says hi" || !equal(r.Headers, [][2]string{{"x-upstream-status", "201"}}) {
		t.Fatalf("reply %+v", r)
	}
	h.Close(2)
}

func TestWasmCalloutPanicAnswersTheCallingStream(t *testing.T) {
	h := dispatchHost(t)
	h.Open(2, [][2]string{{":path", "/"}, {"x-test", "callout-panic"}}, "")
	h.StreamCall("proxy_on_request_headers", 2, 2, 1)
	h.DeliverCallout(1, h.Callouts[0].Token)
	if len(h.Replies) != 1 || h.Replies[0].Status != 500 || h.Replies[0].Body != abi.InternalErrorBody || h.Replies[0].Stream != 2 {
		t.Fatalf("replies %+v", h.Replies)
	}
	if !strings.Contains(strings.Join(h.Logs, "\n"), "recovered panic in http call response: runtime error: invalid memory address or nil pointer dereference") {
		t.Fatalf("logs %q", h.Logs)
	}
	h.Close(2)
}

func TestWasmCalloutAfterStreamEndedIsDropped(t *testing.T) {
	h := dispatchHost(t)
	h.Open(2, [][2]string{{":path", "/"}, {"x-test", "callout"}}, "")
	h.StreamCall("proxy_on_request_headers", 2, 2, 1)
	h.Close(2) // the client went away
	h.DeliverCallout(1, h.Callouts[0].Token)
	if len(h.Replies) != 0 || h.Effective != 1 {
		t.Fatalf("replies %+v effective %d", h.Replies, h.Effective)
	}
	// Unknown tokens are logged, not fatal.
	h.DeliverCallout(1, 999)
	if !strings.Contains(strings.Join(h.Logs, "\n"), "switchyard: response for unknown http call 999") {
		t.Fatalf("logs %q", h.Logs)
	}
}

func TestWasmTickAndRootCallout(t *testing.T) {
	h := dispatchHost(t)
	h.Effective = 1
	h.Call("proxy_on_tick", 1)
	if len(h.Callouts) != 1 || h.Callouts[0].Caller != 1 || h.Callouts[0].Upstream != "tick_cluster" {
		t.Fatalf("callouts %+v", h.Callouts)
	}
	h.CalloutHeaders = [][2]string{{":status", "200"}}
	h.CalloutBody = nil
	h.DeliverCallout(1, h.Callouts[0].Token)
	if got := strings.Join(h.Logs, "|"); got != "tick|tick callout answered" {
		t.Fatalf("logs %q", got)
	}
}

func TestWasmUnknownContextsAreHarmless(t *testing.T) {
	h := dispatchHost(t)
	for _, cb := range []string{"proxy_on_request_headers", "proxy_on_response_headers", "proxy_on_request_body", "proxy_on_response_body"} {
		if act := h.Call(cb, 77, 0, 0); act != 0 {
			t.Errorf("%s on unknown context: %d", cb, act)
		}
	}
	h.Call("proxy_on_log", 77)
	h.Call("proxy_on_delete", 77)
	if got := h.Call("proxy_on_done", 77); got != 1 {
		t.Errorf("proxy_on_done on unknown context: %d", got)
	}
	// A stream for a root that does not exist is logged and ignored.
	h.Call("proxy_on_context_create", 78, 55)
	if !strings.Contains(strings.Join(h.Logs, "\n"), "stream context 78 for unknown root context 55") {
		t.Fatalf("logs %q", h.Logs)
	}
	if act := h.Call("proxy_on_request_headers", 78, 0, 1); act != 0 {
		t.Fatalf("headers on orphan stream: %d", act)
	}
}

func TestWasmBadConfigFailsConfigure(t *testing.T) {
	h := wasmtest.New(t, wasmtest.Build(t, "./plugin/abi/testdata/dispatch"), "wrong", nil)
	if vm, cfg := h.Start(1); !vm || cfg {
		t.Fatalf("start: vm %v configure %v", vm, cfg)
	}
}

func equal(a, b [][2]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
