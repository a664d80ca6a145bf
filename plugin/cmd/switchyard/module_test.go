package main

import (
	"strconv"
	"strings"
	"testing"

	"switchyard/e2e/host"
	"switchyard/e2e/host/hosttest"
)

// These tests run the built module in e2e/host: Envoy's filter manager and
// restricted phases, Kong's WASI (a Go timer would kill the VM).

const moduleConfig = `{"cluster_header":"x-switchyard-cluster","max_request_body_bytes":65536,"allow_unauthenticated_stored_keys":true,
 "providers":{"openai":{"cluster":"openai","host":"api.openai.com","scheme":"https","api_key_env":"OPENAI_API_KEY"}}}`

func startedHost(t testing.TB) *hosttest.Host {
	t.Helper()
	return hosttest.MustStart(t, hosttest.Module(t), moduleConfig,
		hosttest.Options{Env: map[string]string{"OPENAI_API_KEY": "sk-module-test"}})
}

func TestModuleRewritesRequestInWasm(t *testing.T) {
	h := startedHost(t)
	body := `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}`
	f := h.Request([][2]string{
		{":method", "POST"}, {":path", "/v1/chat/completions"}, {":authority", "localhost:10000"},
		{"content-type", "application/json"}, {"x-portkey-provider", "openai"}, {"x-portkey-trace-id", "t1"},
	}, body)
	if hdr, b := f.Result("proxy_on_request_headers"), f.Result("proxy_on_request_body"); hdr != 1 || b != 0 {
		t.Fatalf("actions headers=%d body=%d, want 1 (pause) and 0 (continue); logs %q", hdr, b, h.Logs())
	}
	// Envoy replaces a header in place and appends a new one.
	want := [][2]string{
		{":method", "POST"}, {":path", "/v1/chat/completions"}, {":authority", "api.openai.com"}, {":scheme", "https"},
		{"content-type", "application/json"}, {"authorization", "Bearer sk-module-test"},
		{"content-length", "67"}, {"accept-encoding", "identity"}, {"x-switchyard-cluster", "openai"},
	}
	got, gotBody := f.Upstream()
	if !equalPairs(got, want) || gotBody != body {
		t.Errorf("upstream request:\n got %q %s\nwant %q %s", got, gotBody, want, body)
	}
	var foreign []string
	for _, e := range h.Events(host.EventForeign) {
		foreign = append(foreign, e.Name)
		if e.Context != f.ID() {
			t.Errorf("foreign call on context %d, want the stream %d", e.Context, f.ID())
		}
	}
	if len(foreign) != 1 || foreign[0] != "clear_route_cache" {
		t.Errorf("foreign calls %q, want [clear_route_cache]", foreign)
	}
	if rh, rb := f.Reply(); rh != nil {
		t.Errorf("unexpected local reply %q %s", rh, rb)
	}
	if v := h.Violations(); len(v) > 0 {
		t.Errorf("host rule violations: %q", v)
	}
	for _, l := range h.Logs() {
		if strings.Contains(l, "sk-module-test") {
			t.Errorf("API key in a log line: %q", l)
		}
	}
}

func TestModuleLocalRepliesInWasm(t *testing.T) {
	h := startedHost(t)
	f := h.Request([][2]string{{":method", "POST"}, {":path", "/v1/chat/completions"}, {"x-portkey-provider", "nope"}, {"x-portkey-trace-id", "t-9"}}, `{}`)
	want := `{"error":{"message":"x-portkey-provider: unknown provider \"nope\"","type":"invalid_request_error","param":null,"code":"invalid_config"}}`
	rh, rb := f.Reply()
	if hdr := f.Result("proxy_on_request_headers"); hdr != 1 || rb != want {
		t.Fatalf("unknown provider: action %d reply %q %s", hdr, rh, rb)
	}
	if f.Result("proxy_on_request_body") != -1 {
		t.Error("body delivered after a local reply at headers")
	}
	if up, _ := f.Upstream(); up != nil {
		t.Errorf("rejected request went upstream: %q", up)
	}
	wantH := [][2]string{{":status", "400"}, {"content-type", "application/json"}, {"x-portkey-trace-id", "t-9"}, {"content-length", strconv.Itoa(len(want))}}
	if !equalPairs(rh, wantH) {
		t.Errorf("reply headers %q, want %q", rh, wantH)
	}
	f = h.Request([][2]string{{":method", "POST"}, {":path", "/v1/chat/completions"}, {"x-portkey-provider", "openai"}}, `{"model":`)
	want = `{"error":{"message":"request body is not valid JSON","type":"invalid_request_error","param":null,"code":"invalid_json"}}`
	rh, rb = f.Reply()
	if act := f.Result("proxy_on_request_body"); act != 1 || rb != want || len(rh) == 0 || rh[0] != [2]string{":status", "400"} {
		t.Fatalf("malformed JSON: action %d reply %q %s", act, rh, rb)
	}
	if v := h.Violations(); len(v) > 0 {
		t.Errorf("host rule violations: %q", v)
	}
}

func TestModuleRejectsBadConfigInWasm(t *testing.T) {
	_, logs, err := hosttest.Start(t, hosttest.Module(t), `{"providers":{"openai":{"host":"api.openai.com"}}}`, hosttest.Options{})
	if err == nil || !strings.Contains(err.Error(), "proxy_on_configure returned 0") {
		t.Fatalf("start error %v, want configure (not vm_start) to fail", err)
	}
	if want := "switchyard: invalid plugin configuration: providers.openai.cluster is required"; len(logs) != 1 || logs[0] != want {
		t.Fatalf("logs %q", logs)
	}
}

// TestModuleSurvivesGCUnderLoad pushes enough allocations through the host allocator to run
// many GCs, checking every request still sees intact data (a collected host buffer would
// corrupt it) and that no GC needed poll_oneoff.
func TestModuleSurvivesGCUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	h := startedHost(t)
	pad := strings.Repeat("x", 16<<10)
	for i := 0; i < 1500; i++ {
		body := `{"model":"m","messages":[{"role":"user","content":"` + pad + `"}]}`
		f := h.Request([][2]string{{":method", "POST"}, {":path", "/v1/chat/completions"}, {"x-portkey-provider", "openai"}, {"authorization", "Bearer client"}}, body)
		up, upBody := f.Upstream()
		if hdr, act := f.Result("proxy_on_request_headers"), f.Result("proxy_on_request_body"); hdr != 1 || act != 0 || upBody != body {
			rh, rb := f.Reply()
			t.Fatalf("request %d: actions %d/%d reply %q %s logs %q", i, hdr, act, rh, rb, h.Logs())
		}
		if got := header(up, "authorization"); got != "Bearer client" {
			t.Fatalf("request %d: authorization %q", i, got)
		}
	}
	if v := h.Violations(); len(v) > 0 {
		t.Errorf("host rule violations: %q", v)
	}
	t.Logf("guest memory after load: %d pages", h.VM.MemoryPages())
}

// BenchmarkModuleRequest is one request through the real module in e2e/host: create, headers
// (pause), body (validate, rewrite, strip, clear_route_cache), log, done, delete.
func BenchmarkModuleRequest(b *testing.B) {
	h := startedHost(b)
	headers := [][2]string{
		{":method", "POST"}, {":path", "/v1/chat/completions"}, {":authority", "localhost:10000"},
		{"content-type", "application/json"}, {"x-portkey-provider", "openai"}, {"x-portkey-trace-id", "t1"},
	}
	body := `{"model":"gpt-4o-mini","messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"` +
		strings.Repeat("hello ", 300) + `"}]}`
	b.ReportAllocs()
	for b.Loop() {
		f := h.Request(headers, body)
		if up, _ := f.Upstream(); up == nil {
			rh, rb := f.Reply()
			b.Fatalf("not forwarded: %q %s", rh, rb)
		}
	}
}

func header(hs [][2]string, k string) string {
	for _, kv := range hs {
		if kv[0] == k {
			return kv[1]
		}
	}
	return ""
}

func equalPairs(a, b [][2]string) bool {
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
