package scenarios

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"switchyard/e2e/gateway"
	"switchyard/e2e/host/hosttest"
	"switchyard/plugin/abi"
)

// TestPanicAnswers500AndNextRequestSucceeds: the real module has no input
// that panics (its panic hook, plugin.panicHook, is a package variable only
// native tests can set), so this runs the abi binding's dispatch guest -- the
// same abi.Guard the real module's callbacks go through -- behind the same
// gateway: x-test: panic makes OnHttpRequestHeaders panic.
func TestPanicAnswers500AndNextRequestSucceeds(t *testing.T) {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "upstream ok x-seen="+r.Header.Get("x-seen"))
	}))
	defer upstream.Close()
	cfg := gateway.DefaultConfig()
	cfg.Listen, cfg.Admin, cfg.Workers = "127.0.0.1:0", "", 1
	cfg.Wasm = hosttest.Build(t, "./plugin/abi/testdata/dispatch")
	cfg.Clusters = map[string]string{"openai": upstream.URL}
	cfg.Plugin.Configuration = json.RawMessage(`"dispatch-test"`)
	cfg.Logger = func(int, string) {}
	g, err := gateway.Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	st, h, body := post(t, g.URL()+"/v1/chat/completions", chatBody, "x-test", "panic")
	if st != 500 || body != abi.InternalErrorBody || h.Get("Content-Type") != "application/json" {
		t.Fatalf("panic: %d %q %s", st, h.Get("Content-Type"), body)
	}
	for i := 0; i < 3; i++ {
		st, _, body = post(t, g.URL()+"/v1/chat/completions", chatBody)
		if st != 200 || body != "upstream ok x-seen=yes" {
			t.Fatalf("request %d after the panic: %d %s", i, st, body)
		}
	}
	if err := g.Plugin().VMs()[0].Failed(); err != nil {
		t.Fatalf("VM failed: %v", err)
	}
}

// TestGuestMemoryStaysFlat sends many passthrough requests through one VM.
// Go's heap settles after a few thousand requests (measured: 54 pages at the
// start, 124 at 5k, 129 from 25k to 60k with the foundation module), so the
// warm-up is 5k requests and the next 20k may add at most 8 pages (512 KiB,
// 26 bytes per request): a per-request leak of any real object fails.
func TestGuestMemoryStaysFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("25k requests; the heap needs ~5k to settle")
	}
	const warm, n = 5000, 20000
	e := start(t, realModule(t), 1)
	vm := e.gw.Plugin().VMs()[0]
	send := func(i int) {
		st, _, body := post(t, e.gw.URL()+"/v1/chat/completions", chatBody,
			"Content-Type", "application/json", "x-portkey-provider", "openai")
		if st != 200 {
			t.Fatalf("request %d: %d %s", i, st, body)
		}
	}
	for i := 0; i < warm; i++ {
		send(i)
	}
	before := vm.MemoryPages()
	for i := 0; i < n; i++ {
		send(i)
	}
	after := vm.MemoryPages()
	t.Logf("guest memory: %d pages after %d warm-up requests, %d pages after %d more", before, warm, after, n)
	if after > before+8 {
		t.Errorf("guest memory grew from %d to %d pages over %d requests", before, after, n)
	}
	if err := vm.Failed(); err != nil {
		t.Fatal(err)
	}
}
