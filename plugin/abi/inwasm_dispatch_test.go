package abi_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"switchyard/e2e/host"
	"switchyard/e2e/host/hosttest"
	"switchyard/plugin/abi"
)

// These tests run the wasip1 build of the binding (imports, exports, allocator, dispatcher) in
// e2e/host (Envoy's filter manager and restricted phases, Kong's WASI), driving testdata/dispatch.

// upstream is a callout target that holds each answer until released.
type upstream struct {
	srv     *httptest.Server
	release chan struct{}
	mu      sync.Mutex
	seen    []string
}

func newUpstream(t *testing.T, status int, body string) *upstream {
	u := &upstream{release: make(chan struct{})}
	u.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		u.mu.Lock()
		u.seen = append(u.seen, r.Method+" "+r.Host+r.URL.Path+" "+string(b))
		u.mu.Unlock()
		<-u.release
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(func() {
		select {
		case <-u.release:
		default:
			close(u.release)
		}
		u.srv.Close()
	})
	return u
}

var (
	dispatchOnce sync.Once
	dispatchWasm []byte
)

// dispatchModule builds testdata/dispatch once per test process.
func dispatchModule(t *testing.T) []byte {
	t.Helper()
	if testing.Short() {
		t.Skip("builds a wasm module")
	}
	dispatchOnce.Do(func() { dispatchWasm = hosttest.Build(t, "./plugin/abi/testdata/dispatch") })
	if dispatchWasm == nil {
		t.Fatal("dispatch module did not build")
	}
	return dispatchWasm
}

func dispatchHost(t *testing.T, clusters map[string]string) *hosttest.Host {
	t.Helper()
	h := hosttest.MustStart(t, dispatchModule(t), "dispatch-test", hosttest.Options{Clusters: clusters, ManualTicks: true})
	if p := h.VM.TickPeriod(); p != 250*time.Millisecond {
		t.Fatalf("tick period %v", p)
	}
	h.ClearLogs()
	t.Cleanup(func() {
		if v := h.Violations(); len(v) > 0 {
			t.Errorf("host rule violations: %q", v)
		}
	})
	return h
}

func TestWasmPanicAnswers500AndVMKeepsServing(t *testing.T) {
	h := dispatchHost(t, nil)
	f := h.Request([][2]string{{":path", "/"}, {"x-test", "panic"}}, "")
	if hdr := f.Result("proxy_on_request_headers"); hdr != 1 {
		t.Fatalf("panicking callback returned %d, want 1 (pause)", hdr)
	}
	rh, rb := f.Reply()
	if len(rh) == 0 || rh[0] != [2]string{":status", "500"} || rb != abi.InternalErrorBody {
		t.Fatalf("reply %q %s", rh, rb)
	}
	if up, _ := f.Upstream(); up != nil {
		t.Fatalf("failed request went upstream: %q", up)
	}
	logs := strings.Join(h.Logs(), "\n")
	if !strings.Contains(logs, "recovered panic in OnHttpRequestHeaders: assignment to entry in nil map") {
		t.Fatalf("logs %q", logs)
	}
	if strings.Contains(logs, "stream done") {
		t.Fatal("a failed stream's OnHttpStreamDone ran")
	}

	h.ClearLogs()
	f = h.Request([][2]string{{":path", "/"}}, "")
	if rh, _ := f.Reply(); f.Result("proxy_on_request_headers") != 0 || rh != nil {
		t.Fatalf("next request: action %d reply %q", f.Result("proxy_on_request_headers"), rh)
	}
	up, _ := f.Upstream()
	if len(up) == 0 || up[len(up)-1] != [2]string{"x-seen", "yes"} {
		t.Fatalf("next request headers %q", up)
	}
	if got := strings.Join(h.Logs(), "|"); got != "stream done" {
		t.Fatalf("next request logs %q", got)
	}
}

func TestWasmCalloutAnswersTheCallingStream(t *testing.T) {
	u := newUpstream(t, 201, "upstream says hi")
	h := dispatchHost(t, map[string]string{"upstream_a": u.srv.URL})
	f := h.Open([][2]string{{":path", "/"}, {"x-test", "callout"}}, "")
	if act := f.Result("proxy_on_request_headers"); act != 1 {
		t.Fatalf("headers action %d, want pause", act)
	}
	calls := h.Events(host.EventHTTPCall)
	if len(calls) != 1 {
		t.Fatalf("callouts %+v", calls)
	}
	c := calls[0]
	want := [][2]string{{":method", "POST"}, {":path", "/v1/x"}, {":authority", "a.example"}}
	if c.Name != "upstream_a" || string(c.Body) != `{"q":1}` || c.TimeoutMs != 1500 || c.Context != f.ID() || !equal(c.Headers.Pairs(), want) {
		t.Fatalf("callout %+v", c)
	}
	// Another stream in between must not confuse the dispatcher.
	other := h.Request([][2]string{{":path", "/"}}, "")
	if rh, _ := other.Reply(); rh != nil {
		t.Fatalf("the other stream got a reply %q", rh)
	}

	close(u.release)
	if !f.WaitResponse(5 * time.Second) {
		t.Fatalf("no reply; logs %q", h.Logs())
	}
	rh, rb := f.Reply()
	wantH := [][2]string{{":status", "200"}, {"x-upstream-status", "201"}, {"content-length", "30"}, {"content-type", "text/plain"}}
	if rb != "from callout: upstream says hi" || !equal(rh, wantH) {
		t.Fatalf("reply %q %q, want %q", rh, rb, wantH)
	}
	if got := strings.Join(u.seen, "|"); got != `POST a.example/v1/x {"q":1}` {
		t.Fatalf("upstream saw %q", got)
	}
	f.Finish()
}

func TestWasmCalloutPanicAnswersTheCallingStream(t *testing.T) {
	u := newUpstream(t, 200, "x")
	close(u.release)
	h := dispatchHost(t, map[string]string{"upstream_a": u.srv.URL})
	f := h.Open([][2]string{{":path", "/"}, {"x-test", "callout-panic"}}, "")
	if !f.WaitResponse(5 * time.Second) {
		t.Fatalf("no reply; logs %q", h.Logs())
	}
	rh, rb := f.Reply()
	if len(rh) == 0 || rh[0] != [2]string{":status", "500"} || rb != abi.InternalErrorBody {
		t.Fatalf("reply %q %s", rh, rb)
	}
	if !strings.Contains(strings.Join(h.Logs(), "\n"), "recovered panic in http call response: runtime error: invalid memory address or nil pointer dereference") {
		t.Fatalf("logs %q", h.Logs())
	}
	f.Finish()
}

func TestWasmCalloutAfterStreamEndedIsDropped(t *testing.T) {
	u := newUpstream(t, 200, "late")
	h := dispatchHost(t, map[string]string{"upstream_a": u.srv.URL})
	f := h.Open([][2]string{{":path", "/"}, {"x-test", "callout"}}, "")
	f.Finish() // the client went away
	close(u.release)
	h.Plugin.WaitCallouts()
	if rh, _ := f.Reply(); rh != nil {
		t.Fatalf("reply %q to a finished stream", rh)
	}
	if n := len(h.Events(host.EventSetEffectiveContext)); n != 0 {
		t.Fatalf("the plugin re-targeted %d times after its stream ended: %+v", n, h.Events(host.EventSetEffectiveContext))
	}
	// Unknown tokens are logged, not fatal.
	if _, err := h.VM.CallGuest("proxy_on_http_call_response", 1, 999, 0, 0, 0); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(h.Logs(), "\n"), "switchyard: response for unknown http call 999") {
		t.Fatalf("logs %q", h.Logs())
	}
}

func TestWasmTickAndRootCallout(t *testing.T) {
	u := newUpstream(t, 200, "")
	close(u.release)
	h := dispatchHost(t, map[string]string{"tick_cluster": u.srv.URL})
	h.VM.Tick()
	h.Plugin.WaitCallouts()
	calls := h.Events(host.EventHTTPCall)
	if len(calls) != 1 || calls[0].Context != 1 || calls[0].Name != "tick_cluster" {
		t.Fatalf("callouts %+v", calls)
	}
	if got := strings.Join(h.Logs(), "|"); got != "tick|tick callout answered" {
		t.Fatalf("logs %q", got)
	}
}

func TestWasmUnknownContextsAreHarmless(t *testing.T) {
	h := dispatchHost(t, nil)
	call := func(name string, args ...uint64) uint64 {
		t.Helper()
		r, err := h.VM.CallGuest(name, args...)
		if err != nil {
			t.Fatalf("%s%v: %v", name, args, err)
		}
		return r
	}
	for _, cb := range []string{"proxy_on_request_headers", "proxy_on_response_headers", "proxy_on_request_body", "proxy_on_response_body"} {
		if act := call(cb, 77, 0, 0); act != 0 {
			t.Errorf("%s on unknown context: %d", cb, act)
		}
	}
	call("proxy_on_log", 77)
	call("proxy_on_delete", 77)
	if got := call("proxy_on_done", 77); got != 1 {
		t.Errorf("proxy_on_done on unknown context: %d", got)
	}
	// A stream for a root that does not exist is logged and ignored.
	call("proxy_on_context_create", 78, 55)
	if !strings.Contains(strings.Join(h.Logs(), "\n"), "stream context 78 for unknown root context 55") {
		t.Fatalf("logs %q", h.Logs())
	}
	if act := call("proxy_on_request_headers", 78, 0, 1); act != 0 {
		t.Fatalf("headers on orphan stream: %d", act)
	}
}

func TestWasmBadConfigFailsConfigure(t *testing.T) {
	_, logs, err := hosttest.Start(t, dispatchModule(t), "wrong", hosttest.Options{})
	if err == nil || !strings.Contains(err.Error(), "proxy_on_configure returned 0") {
		t.Fatalf("start error %v, want configure (not vm_start) to fail; logs %q", err, logs)
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
