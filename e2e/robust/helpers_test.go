// Package robust drives the real module (dist/switchyard.wasm) in the Envoy-faithful host with
// hostile input from both sides, client and provider, on a fixed seed: every answer must be a
// clean error in the caller's API shape, no VM may fail, no secret may leak, and the next plain
// request must still work on every worker VM.
//
// Known limits the tests accept, each asserted precisely where it applies:
//
//   - Inline (the first attempt goes through Envoy's router), the filter holds a JSON answer
//     until its end. An upstream reset in the middle makes Envoy send its own reply directly
//     (sendDirectLocalReply bypasses the filter): 503 text/plain "upstream connect error or
//     disconnect/reset before headers. reset reason: connection termination". Only the
//     callout mode can answer that with a JSON error.
//   - OpenAI-family answers (openai, azure-openai) are copied after a brace check, not
//     validated (the hot path's choice, translate/openai): a bit flip inside a JSON answer or
//     a mid-stream event reaches the client as sent.
package robust

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"switchyard/e2e/gateway"
	"switchyard/e2e/providers"
)

const workers = 2

// env is a gateway on the default configuration with every log line kept.
type env struct {
	gw      *gateway.Gateway
	secrets []string
	client  *http.Client

	mu   sync.Mutex
	logs []string
}

func moduleBytes(t testing.TB) []byte {
	t.Helper()
	path := os.Getenv("SWITCHYARD_WASM")
	if path == "" {
		path = filepath.Join("..", "..", "dist", "switchyard.wasm")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("real module not available (%v): run `make build` or set SWITCHYARD_WASM", err)
	}
	return b
}

func start(t testing.TB) *env {
	t.Helper()
	return startWith(t, gateway.DefaultConfig())
}

func startWith(t testing.TB, cfg gateway.Config) *env {
	t.Helper()
	cfg.Listen, cfg.Admin = "127.0.0.1:0", ""
	cfg.Workers = workers
	cfg.Wasm = moduleBytes(t)
	e := &env{client: &http.Client{Timeout: 10 * time.Second}}
	for _, v := range cfg.Plugin.Env {
		e.secrets = append(e.secrets, v)
	}
	cfg.Logger = func(level int, msg string) {
		e.mu.Lock()
		e.logs = append(e.logs, msg)
		e.mu.Unlock()
	}
	g, err := gateway.Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.gw = g
	t.Cleanup(func() {
		// Nor in a metric name or label.
		var stats strings.Builder
		g.Stats().WritePrometheus(&stats)
		if s := e.secretIn(stats.String()); s != "" {
			t.Errorf("stored key %q in the metrics", s)
		}
		g.Close()
		e.noSecretInLogs(t)
	})
	return e
}

func (e *env) noSecretInLogs(t testing.TB) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, l := range e.logs {
		if s := e.secretIn(l); s != "" {
			t.Errorf("stored key %q in the log line %q", s, l)
		}
	}
}

func (e *env) secretIn(s string) string {
	for _, v := range e.secrets {
		if strings.Contains(s, v) {
			return v
		}
	}
	return ""
}

// answer is one response read to its end (err: how the read ended).
type answer struct {
	status int
	header http.Header
	body   []byte
	err    error
}

func (a answer) String() string {
	b := a.body
	if len(b) > 600 {
		b = append(b[:600:600], "..."...)
	}
	return fmt.Sprintf("%d %q (read: %v)", a.status, b, a.err)
}

// send makes one request; a transport failure is an answer with status 0.
func (e *env) send(method, path string, body []byte, hdr [][2]string) answer {
	var rd io.Reader
	if body != nil {
		rd = strings.NewReader(string(body))
		if len(body) > 1<<20 {
			// Oversize bodies go chunked (no content-length): the limit must hold while the
			// body streams in, not only on the announced length.
			rd = io.MultiReader(rd)
		}
	}
	req, err := http.NewRequest(method, e.gw.URL()+path, rd)
	if err != nil {
		return answer{err: err}
	}
	for _, h := range hdr {
		req.Header.Set(h[0], h[1])
	}
	res, err := e.client.Do(req)
	if err != nil {
		return answer{err: err}
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	return answer{res.StatusCode, res.Header, b, err}
}

// errorShape checks a non-2xx body: OpenAI's {"error":{"message","type",...}} or, for
// /v1/messages, Anthropic's {"type":"error","error":{"type","message"}}.
func errorShape(path string, a answer) error {
	var v struct {
		Type  *string `json:"type"`
		Error *struct {
			Message *string `json:"message"`
			Type    *string `json:"type"`
		} `json:"error"`
	}
	if err := json.Unmarshal(a.body, &v); err != nil {
		return fmt.Errorf("error body is not JSON: %v", err)
	}
	if v.Error == nil || v.Error.Message == nil || *v.Error.Message == "" || v.Error.Type == nil || *v.Error.Type == "" {
		return fmt.Errorf("error body lacks error.message or error.type")
	}
	if strings.HasPrefix(path, "/v1/messages") && (v.Type == nil || *v.Type != "error") {
		return fmt.Errorf("/v1/messages error is not Anthropic-shaped")
	}
	if ct := a.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return fmt.Errorf("error content-type %q", ct)
	}
	return nil
}

// healthy: no VM failed and a plain request succeeds on every worker VM (streams are spread
// round-robin, so 2*workers requests visit each VM twice).
func (e *env) healthy(t testing.TB) {
	t.Helper()
	for i, vm := range e.gw.Plugin().VMs() {
		if err := vm.Failed(); err != nil {
			t.Fatalf("VM %d failed: %v", i, err)
		}
	}
	for i := 0; i < 2*workers; i++ {
		a := e.send("POST", "/v1/chat/completions", []byte(`{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}`),
			[][2]string{{"x-portkey-provider", "openai"}, {"Content-Type", "application/json"}})
		if a.status != 200 || !strings.Contains(string(a.body), `"Hello from the mock."`) {
			t.Fatalf("plain request %d afterwards: %v", i, a)
		}
	}
}

func mock(name string) *providers.Mock {
	return providers.Lookup(name).(providers.Handler).Core()
}
