package gateway

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"switchyard/e2e/providers"
)

// switchyardWasm returns the real module or skips (contracts.md: env
// SWITCHYARD_WASM, else dist/switchyard.wasm at the repo root).
func switchyardWasm(t *testing.T) []byte {
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

func TestDefaultConfigWithRealModule(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Listen, cfg.Admin = "127.0.0.1:0", "127.0.0.1:0"
	cfg.Wasm = switchyardWasm(t)
	cfg.Logger = func(level int, msg string) { t.Log(msg) }
	g, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	res, body := do(t, "POST", g.URL()+"/v1/chat/completions",
		`{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}`,
		"Content-Type", "application/json", "x-portkey-provider", "openai")
	if res.StatusCode != 200 || !strings.Contains(body, `"object":"chat.completion"`) {
		t.Fatalf("%d %s", res.StatusCode, body)
	}
	mock := providers.Lookup("openai").(providers.Handler).Core()
	last, ok := mock.Last()
	if !ok {
		t.Fatal("mock saw no request")
	}
	if last.Host != "api.openai.com" || last.Header.Get("Authorization") != "Bearer sk-mock" ||
		last.Header.Get("X-Portkey-Provider") != "" || last.Path != "/v1/chat/completions" {
		t.Fatalf("mock saw %+v", last)
	}
}
