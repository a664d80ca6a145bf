// Package scenarios holds the end-to-end must-shows: the real
// dist/switchyard.wasm in e2e/host behind e2e/gateway, talking to the mock
// providers over loopback, asserted byte for byte.
package scenarios

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"switchyard/e2e/gateway"
	"switchyard/e2e/providers"
)

const maxBody = 65536

// realModule returns dist/switchyard.wasm ($SWITCHYARD_WASM overrides) or
// skips the test.
func realModule(t testing.TB) []byte {
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

// env is a gateway on the real module with its own OpenAI mock.
type env struct {
	gw      *gateway.Gateway
	openai  *providers.OpenAI
	mockURL string
}

// pluginConfig is the scenarios' plugin configuration. open lets requests
// without gateway authentication use the stored key (refused otherwise).
func pluginConfig(open bool) json.RawMessage {
	extra := ""
	if open {
		extra = `"allow_unauthenticated_stored_keys":true,`
	}
	return json.RawMessage(`{"cluster_header":"x-switchyard-cluster","max_request_body_bytes":65536,` + extra + `
 "providers":{"openai":{"cluster":"openai","host":"api.openai.com","scheme":"https","api_key_env":"OPENAI_API_KEY"}}}`)
}

// start serves a fresh OpenAI mock and a gateway with workers VMs on it.
func start(t testing.TB, wasm []byte, workers int) *env {
	t.Helper()
	mock := providers.NewOpenAI()
	srv := httptest.NewServer(mock)
	t.Cleanup(srv.Close)
	cfg := gateway.DefaultConfig()
	cfg.Listen, cfg.Admin, cfg.Workers = "127.0.0.1:0", "", workers
	cfg.Wasm = wasm
	cfg.Clusters = map[string]string{"openai": srv.URL}
	cfg.Plugin.Env = map[string]string{"OPENAI_API_KEY": "sk-configured"}
	var startLog strings.Builder
	cfg.Logger = func(level int, msg string) {
		if level >= 3 {
			startLog.WriteString(msg + "\n")
		}
	}
	cfg.Plugin.Configuration = pluginConfig(true)
	g, err := gateway.Start(context.Background(), cfg)
	if err != nil {
		t.Fatalf("%v\n%s", err, startLog.String())
	}
	cfg.Logger = nil
	t.Cleanup(func() { g.Close() })
	return &env{gw: g, openai: mock, mockURL: srv.URL}
}

// post sends a request and returns the status, headers and whole body.
func post(t testing.TB, url, body string, hdr ...string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest("POST", url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, res.Header, string(b)
}

// headerLines renders a header map as sorted "Name: value" lines.
func headerLines(h http.Header) string {
	var out []string
	for k, vs := range h {
		for _, v := range vs {
			out = append(out, k+": "+v)
		}
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

func golden(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
