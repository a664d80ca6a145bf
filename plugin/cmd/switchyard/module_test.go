package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"

	"switchyard/plugin/abi"
)

// miniHost is just enough of an Envoy-like proxy-wasm host to drive the real module through the
// request path: header map 0, body buffer 0, plugin configuration, local replies, logs and
// clear_route_cache. It enforces Envoy's restricted phases (docs/host.md §1.3): only proxy_log
// during _initialize and while the host is allocating guest memory. The full host lives in e2e/.
type miniHost struct {
	t      testing.TB
	ctx    context.Context
	mod    api.Module
	config []byte

	restricted bool
	violations []string

	headers [][2]string
	body    []byte
	reply   *reply
	logs    []string
	foreign []string

	// fns caches exported functions: ExportedFunction builds a new call engine each time.
	fns map[string]api.Function
}

// compileCache keeps each test from recompiling the module (seconds per compile).
var compileCache = wazero.NewCompilationCache()

type reply struct {
	status  uint32
	body    string
	headers [][2]string
}

func newMiniHost(t testing.TB, config string, env map[string]string) *miniHost {
	t.Helper()
	wasm := moduleBytes(t)
	h := &miniHost{t: t, ctx: context.Background(), config: []byte(config), fns: map[string]api.Function{}}
	r := wazero.NewRuntimeWithConfig(h.ctx, wazero.NewRuntimeConfig().WithCompilationCache(compileCache))
	t.Cleanup(func() { r.Close(h.ctx) })
	// WASI as wazero implements it, except the two calls Kong fails (docs/host.md §1.6): any
	// poll_oneoff means a Go timer armed the netpoller, which aborts the VM on Kong.
	wb := r.NewHostModuleBuilder(wasi_snapshot_preview1.ModuleName)
	wasi_snapshot_preview1.NewFunctionExporter().ExportFunctions(wb)
	i32 := api.ValueTypeI32
	wb.NewFunctionBuilder().WithGoModuleFunction(api.GoModuleFunc(func(_ context.Context, _ api.Module, s []uint64) {
		h.violations = append(h.violations, "poll_oneoff called (Kong answers 58 and Go aborts)")
		s[0] = 58
	}), []api.ValueType{i32, i32, i32, i32}, []api.ValueType{i32}).Export("poll_oneoff")
	wb.NewFunctionBuilder().WithGoModuleFunction(api.GoModuleFunc(func(_ context.Context, _ api.Module, s []uint64) {
		h.violations = append(h.violations, "sched_yield called (Kong answers 58)")
		s[0] = 58
	}), nil, []api.ValueType{i32}).Export("sched_yield")
	if _, err := wb.Instantiate(h.ctx); err != nil {
		t.Fatal(err)
	}
	compiled, err := r.CompileModule(h.ctx, wasm)
	if err != nil {
		t.Fatal(err)
	}
	b := r.NewHostModuleBuilder("env")
	impl := h.env()
	for _, f := range compiled.ImportedFunctions() {
		mod, name, _ := f.Import()
		if mod != "env" {
			continue
		}
		fn, ok := impl[name]
		if !ok {
			name := name
			fn = func(context.Context, api.Module, []uint64) {
				h.violations = append(h.violations, "unimplemented "+name)
			}
			fn = h.stub(name, fn)
		} else {
			fn = h.stub(name, fn)
		}
		b.NewFunctionBuilder().WithGoModuleFunction(fn, f.ParamTypes(), f.ResultTypes()).Export(name)
	}
	if _, err := b.Instantiate(h.ctx); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cfg := wazero.NewModuleConfig().WithStartFunctions().WithStderr(&stderr).WithStdout(&stderr)
	for k, v := range env {
		cfg = cfg.WithEnv(k, v)
	}
	h.mod, err = r.InstantiateModule(h.ctx, compiled, cfg)
	if err != nil {
		t.Fatal(err)
	}
	h.restricted = true
	h.call("_initialize")
	h.restricted = false
	t.Cleanup(func() {
		if stderr.Len() > 0 {
			t.Logf("module stderr: %s", stderr.String())
		}
	})
	return h
}

// stub wraps a host function with the restricted-phase check.
func (h *miniHost) stub(name string, fn api.GoModuleFunc) api.GoModuleFunc {
	return func(ctx context.Context, m api.Module, stack []uint64) {
		if h.restricted && name != "proxy_log" {
			h.violations = append(h.violations, name+" called in a restricted phase")
		}
		fn(ctx, m, stack)
	}
}

func (h *miniHost) fn(name string) api.Function {
	f, ok := h.fns[name]
	if !ok {
		if f = h.mod.ExportedFunction(name); f == nil {
			h.t.Fatalf("module does not export %s", name)
		}
		h.fns[name] = f
	}
	return f
}

func (h *miniHost) call(name string, args ...uint64) uint64 {
	h.t.Helper()
	res, err := h.fn(name).Call(h.ctx, args...)
	if err != nil {
		h.t.Fatalf("%s: %v", name, err)
	}
	if len(res) == 0 {
		return 0
	}
	return res[0]
}

func (h *miniHost) read(ptr, n uint64) []byte {
	b, ok := h.mod.Memory().Read(uint32(ptr), uint32(n))
	if !ok {
		h.t.Fatalf("guest pointer out of range: %d+%d", ptr, n)
	}
	return bytes.Clone(b)
}

// give hands data to the guest the way Envoy does: allocate through the module, then write the
// pointer and length to the out-parameters.
func (h *miniHost) give(data []byte, retPtr, retLen uint64) {
	ptr := uint64(0)
	if len(data) > 0 {
		h.restricted = true
		res, err := h.fn("proxy_on_memory_allocate").Call(h.ctx, uint64(len(data)))
		h.restricted = false
		if err != nil {
			h.t.Fatalf("allocate: %v", err)
		}
		ptr = res[0]
		h.mod.Memory().Write(uint32(ptr), data)
	}
	h.mod.Memory().WriteUint32Le(uint32(retPtr), uint32(ptr))
	h.mod.Memory().WriteUint32Le(uint32(retLen), uint32(len(data)))
}

func (h *miniHost) env() map[string]api.GoModuleFunc {
	ok := func(stack []uint64, st uint64) { stack[0] = st }
	return map[string]api.GoModuleFunc{
		"proxy_log": func(_ context.Context, _ api.Module, s []uint64) {
			h.logs = append(h.logs, string(h.read(s[1], s[2])))
			ok(s, 0)
		},
		"proxy_get_buffer_bytes": func(_ context.Context, _ api.Module, s []uint64) {
			var buf []byte
			switch s[0] {
			case 7:
				buf = h.config
			case 0:
				buf = h.body
			default:
				ok(s, 1)
				return
			}
			start, n := s[1], s[2]
			if start > uint64(len(buf)) {
				start = uint64(len(buf))
			}
			if start+n > uint64(len(buf)) {
				n = uint64(len(buf)) - start
			}
			h.give(buf[start:start+n], s[3], s[4])
			ok(s, 0)
		},
		"proxy_get_header_map_value": func(_ context.Context, _ api.Module, s []uint64) {
			key := string(h.read(s[1], s[2]))
			for _, kv := range h.headers {
				if kv[0] == key {
					h.give([]byte(kv[1]), s[3], s[4])
					ok(s, 0)
					return
				}
			}
			ok(s, 1)
		},
		"proxy_get_header_map_pairs": func(_ context.Context, _ api.Module, s []uint64) {
			h.give(abi.AppendPairs(nil, h.headers), s[1], s[2])
			ok(s, 0)
		},
		"proxy_replace_header_map_value": func(_ context.Context, _ api.Module, s []uint64) {
			key, val := string(h.read(s[1], s[2])), string(h.read(s[3], s[4]))
			h.remove(key)
			h.headers = append(h.headers, [2]string{key, val})
			ok(s, 0)
		},
		"proxy_add_header_map_value": func(_ context.Context, _ api.Module, s []uint64) {
			h.headers = append(h.headers, [2]string{string(h.read(s[1], s[2])), string(h.read(s[3], s[4]))})
			ok(s, 0)
		},
		"proxy_remove_header_map_value": func(_ context.Context, _ api.Module, s []uint64) {
			h.remove(string(h.read(s[1], s[2])))
			ok(s, 0)
		},
		"proxy_send_local_response": func(_ context.Context, _ api.Module, s []uint64) {
			hs, err := abi.ParsePairs(h.read(s[5], s[6]))
			if err != nil {
				h.violations = append(h.violations, "send_local_response: bad header blob")
			}
			h.reply = &reply{status: uint32(s[0]), body: string(h.read(s[3], s[4])), headers: hs}
			ok(s, 0)
		},
		"proxy_call_foreign_function": func(_ context.Context, _ api.Module, s []uint64) {
			name := string(h.read(s[0], s[1]))
			h.foreign = append(h.foreign, name)
			if name != "clear_route_cache" {
				ok(s, 1)
				return
			}
			h.give(nil, s[4], s[5])
			ok(s, 0)
		},
		"proxy_set_effective_context": func(_ context.Context, _ api.Module, s []uint64) { ok(s, 0) },
	}
}

func (h *miniHost) remove(key string) {
	out := h.headers[:0]
	for _, kv := range h.headers {
		if kv[0] != key {
			out = append(out, kv)
		}
	}
	h.headers = out
}

// request runs one stream the way Envoy does and returns the header and body actions.
func (h *miniHost) request(id uint32, headers [][2]string, body string) (hdrAct, bodyAct uint64) {
	h.headers = append([][2]string(nil), headers...)
	h.body = []byte(body)
	h.reply = nil
	h.foreign = nil
	h.call("proxy_on_context_create", uint64(id), 1)
	hdrAct = h.call("proxy_on_request_headers", uint64(id), uint64(len(headers)), b2u(body == ""))
	if body != "" && h.reply == nil {
		bodyAct = h.call("proxy_on_request_body", uint64(id), uint64(len(body)), 1)
	}
	h.call("proxy_on_log", uint64(id))
	h.call("proxy_on_done", uint64(id))
	h.call("proxy_on_delete", uint64(id))
	return hdrAct, bodyAct
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

const moduleConfig = `{"cluster_header":"x-switchyard-cluster","max_request_body_bytes":65536,
 "providers":{"openai":{"cluster":"openai","host":"api.openai.com","scheme":"https","api_key_env":"OPENAI_API_KEY"}}}`

func startedHost(t testing.TB) *miniHost {
	h := newMiniHost(t, moduleConfig, map[string]string{"OPENAI_API_KEY": "sk-module-test"})
	h.call("proxy_on_context_create", 1, 0)
	if got := h.call("proxy_on_vm_start", 1, 0); got != 1 {
		t.Fatalf("vm_start = %d, logs %q", got, h.logs)
	}
	if got := h.call("proxy_on_configure", 1, uint64(len(h.config))); got != 1 {
		t.Fatalf("configure = %d, logs %q", got, h.logs)
	}
	return h
}

func TestModuleRewritesRequestInWasm(t *testing.T) {
	h := startedHost(t)
	hdr, body := h.request(2, [][2]string{
		{":method", "POST"}, {":path", "/v1/chat/completions"}, {":authority", "localhost:10000"},
		{"content-type", "application/json"}, {"x-portkey-provider", "openai"}, {"x-portkey-trace-id", "t1"},
	}, `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}`)
	if hdr != 1 || body != 0 {
		t.Fatalf("actions headers=%d body=%d, want 1 (pause) and 0 (continue); logs %q", hdr, body, h.logs)
	}
	want := [][2]string{
		{":method", "POST"}, {":path", "/v1/chat/completions"}, {"content-type", "application/json"},
		{":authority", "api.openai.com"}, {"authorization", "Bearer sk-module-test"},
		{"x-switchyard-cluster", "openai"},
	}
	if !equalPairs(h.headers, want) {
		t.Errorf("headers after body:\n got %q\nwant %q", h.headers, want)
	}
	if len(h.foreign) != 1 || h.foreign[0] != "clear_route_cache" {
		t.Errorf("foreign calls %q, want [clear_route_cache]", h.foreign)
	}
	if h.reply != nil {
		t.Errorf("unexpected local reply %+v", h.reply)
	}
	if len(h.violations) > 0 {
		t.Errorf("host rule violations: %q", h.violations)
	}
	for _, l := range h.logs {
		if strings.Contains(l, "sk-module-test") {
			t.Errorf("API key in a log line: %q", l)
		}
	}
}

func TestModuleLocalRepliesInWasm(t *testing.T) {
	h := startedHost(t)
	hdr, _ := h.request(2, [][2]string{{":method", "POST"}, {":path", "/v1/chat/completions"}, {"x-portkey-provider", "nope"}}, `{}`)
	want := `{"error":{"message":"unknown provider \"nope\" in x-portkey-provider header","type":"invalid_request_error","param":null,"code":"unknown_provider"}}`
	if hdr != 1 || h.reply == nil || h.reply.status != 400 || h.reply.body != want {
		t.Fatalf("unknown provider: action %d reply %+v", hdr, h.reply)
	}
	if !equalPairs(h.reply.headers, [][2]string{{"content-type", "application/json"}}) {
		t.Errorf("reply headers %q", h.reply.headers)
	}
	_, body := h.request(3, [][2]string{{":method", "POST"}, {"x-portkey-provider", "openai"}}, `{"model":`)
	if body != 1 || h.reply == nil || h.reply.status != 400 || !strings.Contains(h.reply.body, `"code":"invalid_json"`) {
		t.Fatalf("malformed JSON: action %d reply %+v", body, h.reply)
	}
}

// TestModuleSurvivesGCUnderLoad pushes enough allocations through the host allocator to run
// many GCs, checking every body arrives intact (a collected host buffer would corrupt it).
func TestModuleSurvivesGCUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	h := startedHost(t)
	pad := strings.Repeat("x", 16<<10)
	for i := uint32(0); i < 1500; i++ {
		body := `{"model":"m","messages":[{"role":"user","content":"` + pad + `"}]}`
		hdr, act := h.request(2+i, [][2]string{{":method", "POST"}, {"x-portkey-provider", "openai"}, {"authorization", "Bearer client"}}, body)
		if hdr != 1 || act != 0 || h.reply != nil {
			t.Fatalf("request %d: actions %d/%d reply %+v logs %q", i, hdr, act, h.reply, h.logs)
		}
		if got := header(h.headers, "authorization"); got != "Bearer client" {
			t.Fatalf("request %d: authorization %q", i, got)
		}
	}
	if len(h.violations) > 0 {
		t.Errorf("host rule violations: %q", h.violations)
	}
	t.Logf("guest memory after load: %d pages", h.mod.Memory().Size()/65536)
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
		hdr, act := h.request(id, headers, body)
		if hdr != 1 || act != 0 {
			b.Fatalf("actions %d/%d", hdr, act)
		}
		id++
	}
}
