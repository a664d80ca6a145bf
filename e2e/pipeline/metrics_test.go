package pipeline

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"switchyard/e2e/gateway"
)

// startObserved runs a gateway with the admin listener and access_log on; it returns the
// plugin's info-level log lines as they arrive.
func startObserved(t *testing.T, entries chan<- gateway.AccessEntry) (*gateway.Gateway, func() []string) {
	t.Helper()
	cfg := gateway.DefaultConfig()
	cfg.Listen, cfg.Admin = "127.0.0.1:0", "127.0.0.1:0"
	cfg.Workers = 1
	cfg.Wasm = moduleBytes(t)
	var mu sync.Mutex
	var logs []string
	cfg.Logger = func(level int, msg string) {
		mu.Lock()
		// The host prefixes "wasm log <plugin> <root> <vm>: "; the level is proxy-wasm's.
		logs = append(logs, itoa(int64(level))+" "+msg)
		mu.Unlock()
	}
	cfg.AccessLog = func(e gateway.AccessEntry) { entries <- e }
	var pc map[string]any
	if err := json.Unmarshal(cfg.Plugin.Configuration, &pc); err != nil {
		t.Fatal(err)
	}
	pc["access_log"] = true
	b, _ := json.Marshal(pc)
	cfg.Plugin.Configuration = b
	g, err := gateway.Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	return g, func() []string {
		mu.Lock()
		defer mu.Unlock()
		for _, l := range logs {
			for _, v := range cfg.Plugin.Env {
				if strings.Contains(l, v) {
					t.Errorf("a stored key is in the log line %q", l)
				}
			}
		}
		return append([]string(nil), logs...)
	}
}

type accessRecord struct {
	TraceID          string `json:"trace_id"`
	Provider         string `json:"provider"`
	Model            string `json:"model"`
	Status           int    `json:"status"`
	LatencyMS        *int   `json:"latency_ms"`
	Attempts         int    `json:"attempts"`
	Retries          int    `json:"retries"`
	PromptTokens     int    `json:"prompt_tokens"`
	CompletionTokens int    `json:"completion_tokens"`
	Path             string `json:"path"`
}

// TestMetricsAndAccessLog: after requests to two providers (a success each way, a stream, an
// upstream error, a fallback, a retry and a rejected request) the admin's Prometheus output
// holds the exact counters, token counters equal the mocks' usage, and each request left one
// JSON access-log line without any key.
func TestMetricsAndAccessLog(t *testing.T) {
	entries := make(chan gateway.AccessEntry, 16)
	g, logs := startObserved(t, entries)
	const clientKey = "sk-client-secret-0123456789"
	tag := newTag(t)
	reqs := []struct {
		trace, body string
		hdr         []string
		status      int
	}{
		{"tr-1", chatBody, []string{"x-portkey-provider", "openai", "authorization", "Bearer " + clientKey}, 200},
		{"tr-2", `{"model":"claude-3-5-haiku-latest","stream":true,"messages":[{"role":"user","content":"hi"}]}`,
			[]string{"x-portkey-provider", "anthropic"}, 200},
		{"tr-3", chatBody, []string{"x-portkey-provider", "openai", "x-mock-status", "500"}, 500},
		{"tr-4", chatBody, []string{"x-portkey-config", fallbackConfig, "x-mock-openai-status", "500"}, 200},
		{"tr-5", chatBody, []string{"x-portkey-config", `{"provider":"openai","retry":{"attempts":2,"use_retry_after_header":true}}`,
			"x-mock-status", "429", "x-mock-fail-times", "1", "x-mock-retry-after", "0"}, 200},
		{"tr-6", chatBody, nil, 400},
	}
	for i, rq := range reqs {
		r := do(t, g, "POST", "/v1/chat/completions?key="+clientKey, rq.body,
			append(rq.hdr, "x-mock-tag", tag+"-"+itoa(int64(i)), "x-portkey-trace-id", rq.trace)...)
		wantStatus(t, r, rq.status)
		// Envoy's access log reads the filter state the plugin set before the answer.
		e := <-entries
		fs := map[string]string{}
		for _, k := range []string{"wasm.switchyard.provider", "wasm.switchyard.model", "wasm.switchyard.trace_id"} {
			if v, ok := e.FilterState[k]; ok {
				fs[k] = string(v)
			}
		}
		if i == 0 {
			want := map[string]string{"wasm.switchyard.provider": "openai", "wasm.switchyard.model": "gpt-4o-mini", "wasm.switchyard.trace_id": "tr-1"}
			if len(fs) != 3 || fs["wasm.switchyard.provider"] != want["wasm.switchyard.provider"] ||
				fs["wasm.switchyard.model"] != want["wasm.switchyard.model"] || fs["wasm.switchyard.trace_id"] != want["wasm.switchyard.trace_id"] {
				t.Errorf("filter state %v, want %v", fs, want)
			}
		}
		if fs["wasm.switchyard.trace_id"] != rq.trace {
			t.Errorf("request %d: trace_id filter state %q", i, fs["wasm.switchyard.trace_id"])
		}
	}

	res, err := http.Get(g.AdminURL() + "/stats/prometheus")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	prom := string(raw)
	// The host applies no stats_tags: names are the sanitized tag convention. The mocks answer
	// 12 prompt tokens and one completion token per word of "Hello from the mock.".
	for _, line := range []string{
		"switchyard_requests_total_provider___openai____status___2xx___{} 2",
		"switchyard_requests_total_provider___openai____status___5xx___{} 1",
		"switchyard_requests_total_provider___anthropic____status___2xx___{} 2",
		"switchyard_requests_total_provider___none____status___4xx___{} 1",
		"switchyard_tokens_total_provider___openai____model___gpt_4o_mini____kind___prompt___{} 24",
		"switchyard_tokens_total_provider___openai____model___gpt_4o_mini____kind___completion___{} 8",
		"switchyard_tokens_total_provider___anthropic____model___claude_3_5_haiku_latest____kind___prompt___{} 24",
		"switchyard_tokens_total_provider___anthropic____model___claude_3_5_haiku_latest____kind___completion___{} 8",
		"switchyard_request_duration_ms_provider___openai___{} 3",
		"switchyard_request_duration_ms_provider___anthropic___{} 2",
		"switchyard_request_duration_ms_provider___none___{} 1",
		"switchyard_upstream_attempts_total{} 7",
		"switchyard_retries_total{} 1",
		"switchyard_fallbacks_total{} 1",
	} {
		name := line
		if strings.HasPrefix(line, "switchyard_request_duration_ms") {
			// Histograms: the sample count.
			i := strings.Index(line, "{}")
			line = line[:i] + "_count" + line[i:]
			name = line
		}
		if !strings.Contains(prom, "\n"+name+"\n") {
			t.Errorf("missing %q in /stats/prometheus:\n%s", name, prom)
		}
	}
	if n := strings.Count(prom, "# TYPE switchyard_"); n != 14 {
		t.Errorf("%d switchyard metrics, want 14:\n%s", n, prom)
	}

	var recs []accessRecord
	for _, l := range logs() {
		if strings.Contains(l, clientKey) || strings.Contains(strings.ToLower(l), "authorization") {
			t.Errorf("log line carries the client key: %s", l)
		}
		i := strings.Index(l, `{"trace_id":`)
		if i < 0 {
			continue
		}
		if !strings.HasPrefix(l, "2 wasm log ") { // info
			t.Errorf("access log line not at info level: %s", l)
		}
		l = l[i:]
		var r accessRecord
		dec := json.NewDecoder(strings.NewReader(l))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("access log line %q: %v", l, err)
		}
		if r.LatencyMS == nil || *r.LatencyMS < 0 {
			t.Errorf("latency_ms missing in %s", l)
		}
		r.LatencyMS = nil
		recs = append(recs, r)
	}
	p := "/v1/chat/completions"
	want := []accessRecord{
		{"tr-1", "openai", "gpt-4o-mini", 200, nil, 1, 0, 12, 4, p},
		{"tr-2", "anthropic", "claude-3-5-haiku-latest", 200, nil, 1, 0, 12, 4, p},
		{"tr-3", "openai", "gpt-4o-mini", 500, nil, 1, 0, 0, 0, p},
		{"tr-4", "anthropic", "claude-3-5-haiku-latest", 200, nil, 2, 0, 12, 4, p},
		{"tr-5", "openai", "gpt-4o-mini", 200, nil, 2, 1, 12, 4, p},
		{"tr-6", "none", "", 400, nil, 0, 0, 0, 0, p},
	}
	if len(recs) != len(want) {
		t.Fatalf("%d access log lines, want %d: %+v", len(recs), len(want), recs)
	}
	for i := range want {
		if recs[i] != want[i] {
			t.Errorf("access log %d:\n got %+v\nwant %+v", i, recs[i], want[i])
		}
	}
}

// TestAccessLogOffByDefault: without access_log the plugin logs nothing per request.
func TestAccessLogOffByDefault(t *testing.T) {
	cfg := gateway.DefaultConfig()
	cfg.Listen, cfg.Admin, cfg.Workers, cfg.Wasm = "127.0.0.1:0", "", 1, moduleBytes(t)
	var mu sync.Mutex
	var lines []string
	cfg.Logger = func(_ int, msg string) { mu.Lock(); lines = append(lines, msg); mu.Unlock() }
	g, err := gateway.Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	wantStatus(t, do(t, g, "POST", "/v1/chat/completions", chatBody, "x-portkey-provider", "openai", "x-mock-tag", newTag(t)), 200)
	mu.Lock()
	defer mu.Unlock()
	for _, l := range lines {
		if strings.Contains(l, `"trace_id"`) {
			t.Errorf("access log line without access_log: %s", l)
		}
	}
}
