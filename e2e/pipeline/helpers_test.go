// Package pipeline tests the whole request pipeline end to end: the real module in the
// Envoy-faithful host (e2e/gateway), mock providers speaking each wire format, exact bytes.
package pipeline

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"switchyard/e2e/gateway"
	"switchyard/e2e/providers"
)

var (
	wasmOnce sync.Once
	wasmBin  []byte
	wasmErr  error
	tagSeq   atomic.Int64
)

func moduleBytes(t testing.TB) []byte {
	t.Helper()
	wasmOnce.Do(func() {
		path := os.Getenv("SWITCHYARD_WASM")
		if path == "" {
			path = filepath.Join("..", "..", "dist", "switchyard.wasm")
		}
		wasmBin, wasmErr = os.ReadFile(path)
	})
	if wasmErr != nil {
		t.Skipf("real module not available (%v): run `make build` or set SWITCHYARD_WASM", wasmErr)
	}
	return wasmBin
}

// start runs a gateway on the default configuration; edit changes the plugin configuration
// (a decoded JSON object) before start.
func start(t testing.TB, edit func(pc map[string]any)) *gateway.Gateway {
	t.Helper()
	cfg := gateway.DefaultConfig()
	cfg.Listen, cfg.Admin = "127.0.0.1:0", ""
	cfg.Workers = 1
	cfg.Wasm = moduleBytes(t)
	var mu sync.Mutex
	var logs []string
	cfg.Logger = func(level int, msg string) {
		mu.Lock()
		logs = append(logs, msg)
		mu.Unlock()
		if level >= 3 {
			t.Log(msg)
		}
	}
	// Secrets never reach a log line.
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, l := range logs {
			for _, v := range cfg.Plugin.Env {
				if strings.Contains(l, v) {
					t.Errorf("a stored key is in the log line %q", l)
				}
			}
		}
	})
	if edit != nil {
		var pc map[string]any
		if err := json.Unmarshal(cfg.Plugin.Configuration, &pc); err != nil {
			t.Fatal(err)
		}
		edit(pc)
		b, err := json.Marshal(pc)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Plugin.Configuration = b
	}
	g, err := gateway.Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	return g
}

// newTag isolates a test's requests on the shared mocks.
func newTag(t testing.TB) string {
	return t.Name() + "-" + itoa(tagSeq.Add(1))
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

type result struct {
	status int
	header http.Header
	body   string
}

func do(t testing.TB, g *gateway.Gateway, method, path, body string, hdr ...string) result {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, g.URL()+path, rd)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return result{res.StatusCode, res.Header, string(b)}
}

func mock(name string) *providers.Mock {
	return providers.Lookup(name).(providers.Handler).Core()
}

// only returns the single request a mock recorded for tag.
func only(t testing.TB, name, tag string) providers.Request {
	t.Helper()
	rs := mock(name).Tagged(tag)
	if len(rs) != 1 {
		t.Fatalf("%s saw %d requests for %s, want 1", name, len(rs), tag)
	}
	return rs[0]
}

func wantStatus(t testing.TB, r result, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
}

func wantBody(t testing.TB, got, want string) {
	t.Helper()
	if got != want {
		t.Fatalf("body:\n got %s\nwant %s", got, want)
	}
}

// noGatewayHeaders: nothing of the gateway protocol reaches a provider. (The routing cluster
// header is the proxy's; a real Envoy route removes it with request_headers_to_remove.)
func noGatewayHeaders(t testing.TB, r providers.Request) {
	t.Helper()
	for k := range r.Header {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "x-portkey-") || lk == "x-switchyard-key" {
			t.Errorf("upstream got gateway header %s", k)
		}
	}
}

const chatBody = `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}`
