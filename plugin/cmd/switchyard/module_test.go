package main

import (
	"strings"
	"testing"

	"switchyard/plugin/internal/wasmtest"
)

const moduleConfig = `{"cluster_header":"x-switchyard-cluster","max_request_body_bytes":65536,
 "providers":{"openai":{"cluster":"openai","host":"api.openai.com","scheme":"https","api_key_env":"OPENAI_API_KEY"}}}`

func startedHost(t testing.TB) *wasmtest.Host {
	t.Helper()
	h := wasmtest.New(t, wasmtest.Module(t), moduleConfig, map[string]string{"OPENAI_API_KEY": "sk-module-test"})
	if vm, cfg := h.Start(1); !vm || !cfg {
		t.Fatalf("start: vm %v configure %v, logs %q", vm, cfg, h.Logs)
	}
	return h
}

func TestModuleRewritesRequestInWasm(t *testing.T) {
	h := startedHost(t)
	hdr, body := h.Request(2, [][2]string{
		{":method", "POST"}, {":path", "/v1/chat/completions"}, {":authority", "localhost:10000"},
		{"content-type", "application/json"}, {"x-portkey-provider", "openai"}, {"x-portkey-trace-id", "t1"},
	}, `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}`)
	if hdr != 1 || body != 0 {
		t.Fatalf("actions headers=%d body=%d, want 1 (pause) and 0 (continue); logs %q", hdr, body, h.Logs)
	}
	want := [][2]string{
		{":method", "POST"}, {":path", "/v1/chat/completions"}, {"content-type", "application/json"},
		{":authority", "api.openai.com"}, {"authorization", "Bearer sk-module-test"},
		{"x-switchyard-cluster", "openai"},
	}
	if !equalPairs(h.Headers, want) {
		t.Errorf("headers after body:\n got %q\nwant %q", h.Headers, want)
	}
	if len(h.Foreign) != 1 || h.Foreign[0] != "clear_route_cache" {
		t.Errorf("foreign calls %q, want [clear_route_cache]", h.Foreign)
	}
	if len(h.Replies) != 0 {
		t.Errorf("unexpected local reply %+v", h.Replies)
	}
	if len(h.Violations) > 0 {
		t.Errorf("host rule violations: %q", h.Violations)
	}
	for _, l := range h.Logs {
		if strings.Contains(l, "sk-module-test") {
			t.Errorf("API key in a log line: %q", l)
		}
	}
}

func TestModuleLocalRepliesInWasm(t *testing.T) {
	h := startedHost(t)
	hdr, _ := h.Request(2, [][2]string{{":method", "POST"}, {":path", "/v1/chat/completions"}, {"x-portkey-provider", "nope"}}, `{}`)
	want := `{"error":{"message":"unknown provider \"nope\" in x-portkey-provider header","type":"invalid_request_error","param":null,"code":"unknown_provider"}}`
	if hdr != 1 || len(h.Replies) != 1 || h.Replies[0].Status != 400 || h.Replies[0].Body != want {
		t.Fatalf("unknown provider: action %d replies %+v", hdr, h.Replies)
	}
	if !equalPairs(h.Replies[0].Headers, [][2]string{{"content-type", "application/json"}}) {
		t.Errorf("reply headers %q", h.Replies[0].Headers)
	}
	_, body := h.Request(3, [][2]string{{":method", "POST"}, {"x-portkey-provider", "openai"}}, `{"model":`)
	want = `{"error":{"message":"request body is not valid JSON","type":"invalid_request_error","param":null,"code":"invalid_json"}}`
	if body != 1 || len(h.Replies) != 1 || h.Replies[0].Status != 400 || h.Replies[0].Body != want {
		t.Fatalf("malformed JSON: action %d replies %+v", body, h.Replies)
	}
	if len(h.Violations) > 0 {
		t.Errorf("host rule violations: %q", h.Violations)
	}
}

func TestModuleRejectsBadConfigInWasm(t *testing.T) {
	h := wasmtest.New(t, wasmtest.Module(t), `{"providers":{"openai":{"host":"api.openai.com"}}}`, nil)
	if vm, cfg := h.Start(1); !vm || cfg {
		t.Fatalf("start: vm %v configure %v, want configure to fail", vm, cfg)
	}
	if want := "switchyard: invalid plugin configuration: providers.openai.cluster is required"; len(h.Logs) != 1 || h.Logs[0] != want {
		t.Fatalf("logs %q", h.Logs)
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
	for i := uint32(0); i < 1500; i++ {
		body := `{"model":"m","messages":[{"role":"user","content":"` + pad + `"}]}`
		hdr, act := h.Request(2+i, [][2]string{{":method", "POST"}, {"x-portkey-provider", "openai"}, {"authorization", "Bearer client"}}, body)
		if hdr != 1 || act != 0 || len(h.Replies) != 0 {
			t.Fatalf("request %d: actions %d/%d replies %+v logs %q", i, hdr, act, h.Replies, h.Logs)
		}
		if got := header(h.Headers, "authorization"); got != "Bearer client" {
			t.Fatalf("request %d: authorization %q", i, got)
		}
	}
	if len(h.Violations) > 0 {
		t.Errorf("host rule violations: %q", h.Violations)
	}
	t.Logf("guest memory after load: %d pages", h.Mod.Memory().Size()/65536)
}

// BenchmarkModuleRequest is one request through the real module on wazero: create, headers
// (pause), body (validate, rewrite, strip, clear_route_cache), log, done, delete.
func BenchmarkModuleRequest(b *testing.B) {
	h := startedHost(b)
	headers := [][2]string{
		{":method", "POST"}, {":path", "/v1/chat/completions"}, {":authority", "localhost:10000"},
		{"content-type", "application/json"}, {"x-portkey-provider", "openai"}, {"x-portkey-trace-id", "t1"},
	}
	body := `{"model":"gpt-4o-mini","messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"` +
		strings.Repeat("hello ", 300) + `"}]}`
	id := uint32(2)
	b.ReportAllocs()
	for b.Loop() {
		hdr, act := h.Request(id, headers, body)
		if hdr != 1 || act != 0 {
			b.Fatalf("actions %d/%d", hdr, act)
		}
		id++
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
