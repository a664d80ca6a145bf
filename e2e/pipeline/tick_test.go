package pipeline

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"switchyard/e2e/host"
	"switchyard/e2e/host/hosttest"
)

// These tests drive the module one callback at a time (hosttest, ticks only on demand) to
// check the back-off machinery: the tick is armed only while a retry waits, a retry waits for
// its tick, and a stream that ended while waiting never makes its callout.

const tickConfig = `{"allow_unauthenticated_stored_keys":true,"providers":{"openai":{"cluster":"openai","api_key_env":"OPENAI_API_KEY"}}}`

func tickHost(t *testing.T) (*hosttest.Host, func() int) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		calls.Add(1)
		w.Header().Set("content-type", "application/json")
		io.WriteString(w, `{"id":"chatcmpl-2","object":"chat.completion","created":1,"model":"gpt-4o-mini","choices":[]}`)
	}))
	t.Cleanup(srv.Close)
	h := hosttest.MustStart(t, moduleBytes(t), tickConfig, hosttest.Options{
		Env: map[string]string{"OPENAI_API_KEY": "sk-tick"}, Clusters: map[string]string{"openai": srv.URL}, ManualTicks: true})
	return h, func() int { return int(calls.Load()) }
}

func heldRetry(h *hosttest.Host) *hosttest.Flow {
	f := h.Open([][2]string{{":method", "POST"}, {":path", "/v1/chat/completions"}, {":authority", "gw"},
		{"content-type", "application/json"}, {"x-portkey-trace-id", "tick"},
		{"x-portkey-config", `{"provider":"openai","retry":{"attempts":1,"use_retry_after_header":true}}`}}, chatBody)
	f.Stream.EncodeHeaders(host.NewHeaders(":status", "429", "content-type", "application/json", "retry-after-ms", "1"), false)
	f.Stream.EncodeData([]byte(`{"error":{"message":"slow down","type":"requests","param":null,"code":null}}`), true)
	return f
}

func TestRetryWaitsForTick(t *testing.T) {
	h, calls := tickHost(t)
	f := heldRetry(h)
	if rh, _ := f.Reply(); rh != nil {
		t.Fatalf("failed attempt reached the client: %q", rh)
	}
	if p := h.VM.TickPeriod(); p != 20*time.Millisecond {
		t.Fatalf("tick period %v while a retry waits, want 20ms", p)
	}
	if n := len(h.Events(host.EventHTTPCall)); n != 0 {
		t.Fatalf("%d callouts before the tick", n)
	}
	time.Sleep(5 * time.Millisecond) // let the 1 ms Retry-After pass on the host clock
	h.VM.Tick()
	if !f.WaitResponse(10 * time.Second) {
		t.Fatal("no answer after the tick")
	}
	rh, rb := f.Reply()
	if len(rh) == 0 || rh[0] != [2]string{":status", "200"} || rb != `{"id":"chatcmpl-2","object":"chat.completion","created":1,"model":"gpt-4o-mini","choices":[]}` {
		t.Fatalf("answer %q %s", rh, rb)
	}
	if calls() != 1 || len(h.Events(host.EventHTTPCall)) != 1 {
		t.Fatalf("callouts %d", calls())
	}
	if p := h.VM.TickPeriod(); p != 0 {
		t.Errorf("tick still armed (%v) with nothing waiting", p)
	}
	f.Finish()
	if v := h.Violations(); len(v) > 0 {
		t.Errorf("host rule violations: %q", v)
	}
}

func TestEndedStreamNeverRetries(t *testing.T) {
	h, _ := tickHost(t)
	f := heldRetry(h)
	f.Finish() // the client went away during the back-off
	time.Sleep(5 * time.Millisecond)
	h.VM.Tick()
	// The tick runs asynchronously: it has run once it disarmed itself.
	deadline := time.Now().Add(2 * time.Second)
	for h.VM.TickPeriod() != 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if p := h.VM.TickPeriod(); p != 0 {
		t.Fatalf("tick still armed (%v)", p)
	}
	if n := len(h.Events(host.EventHTTPCall)); n != 0 {
		t.Fatalf("%d callouts for a stream that ended", n)
	}
}
