// Package wasmtest runs a built proxy-wasm module on wazero behind a small Envoy-like host, for
// tests of the real module (the full host is e2e/host). The host enforces what most often breaks a
// Go module on a real proxy: Envoy's restricted phases (only proxy_log during _initialize and
// inside proxy_on_memory_allocate), Kong's failing poll_oneoff/sched_yield, and data handed to the
// guest only through its allocator.
package wasmtest

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"

	"switchyard/plugin/abi"
)

// Host status codes and map/buffer types used below (docs/host.md §4.2).
const (
	ok          = 0
	notFound    = 1
	badArgument = 2
)

// Reply is a recorded proxy_send_local_response.
type Reply struct {
	Status  uint32
	Body    string
	Headers [][2]string
	Stream  uint32 // effective context when it was sent
}

// Callout is a recorded proxy_http_call.
type Callout struct {
	Token     uint32
	Upstream  string
	Headers   [][2]string
	Body      string
	TimeoutMs uint32
	Caller    uint32 // effective context when it was dispatched
}

// Host drives one module instance (one VM).
type Host struct {
	T      testing.TB
	Mod    api.Module
	Config []byte

	// Request state of the stream being driven.
	Headers [][2]string
	Body    []byte
	Replies []Reply

	// Response of the callout being delivered by DeliverCallout.
	CalloutHeaders [][2]string
	CalloutBody    []byte

	Logs       []string
	Foreign    []string
	Callouts   []Callout
	Violations []string
	TickMs     uint32
	Effective  uint32 // context set by the host for the current callback or by set_effective_context

	ctx        context.Context
	restricted bool
	fns        map[string]api.Function
	nextToken  uint32
	inCallout  bool
}

// compileCache keeps each test from recompiling a module (seconds per compile).
var compileCache = wazero.NewCompilationCache()

// New instantiates wasm and runs _initialize in a restricted phase. env becomes the WASI
// environment (Envoy's vm_config.environment_variables).
func New(t testing.TB, wasm []byte, config string, env map[string]string) *Host {
	t.Helper()
	h := &Host{T: t, ctx: context.Background(), Config: []byte(config), fns: map[string]api.Function{}, nextToken: 4}
	r := wazero.NewRuntimeWithConfig(h.ctx, wazero.NewRuntimeConfig().WithCompilationCache(compileCache))
	t.Cleanup(func() { r.Close(h.ctx) })

	wb := r.NewHostModuleBuilder(wasi_snapshot_preview1.ModuleName)
	wasi_snapshot_preview1.NewFunctionExporter().ExportFunctions(wb)
	i32 := api.ValueTypeI32
	wb.NewFunctionBuilder().WithGoModuleFunction(api.GoModuleFunc(func(_ context.Context, _ api.Module, s []uint64) {
		h.violate("poll_oneoff called (a Go timer armed the netpoller; Kong answers 58 and Go aborts)")
		s[0] = 58
	}), []api.ValueType{i32, i32, i32, i32}, []api.ValueType{i32}).Export("poll_oneoff")
	wb.NewFunctionBuilder().WithGoModuleFunction(api.GoModuleFunc(func(_ context.Context, _ api.Module, s []uint64) {
		h.violate("sched_yield called (Kong answers 58)")
		s[0] = 58
	}), nil, []api.ValueType{i32}).Export("sched_yield")
	if _, err := wb.Instantiate(h.ctx); err != nil {
		t.Fatal(err)
	}

	compiled, err := r.CompileModule(h.ctx, wasm)
	if err != nil {
		t.Fatal(err)
	}
	eb := r.NewHostModuleBuilder("env")
	impl := h.env()
	for _, f := range compiled.ImportedFunctions() {
		mod, name, _ := f.Import()
		if mod != "env" {
			continue
		}
		fn, found := impl[name]
		if !found {
			name := name
			fn = func(_ context.Context, _ api.Module, s []uint64) {
				h.violate("host function not emulated: " + name)
				if len(s) > 0 {
					s[0] = 12 // Unimplemented
				}
			}
		}
		eb.NewFunctionBuilder().WithGoModuleFunction(h.restrict(name, f.ParamTypes(), fn), f.ParamTypes(), f.ResultTypes()).Export(name)
	}
	if _, err := eb.Instantiate(h.ctx); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cfg := wazero.NewModuleConfig().WithStartFunctions().WithStderr(&stderr).WithStdout(&stderr)
	for k, v := range env {
		cfg = cfg.WithEnv(k, v)
	}
	if h.Mod, err = r.InstantiateModule(h.ctx, compiled, cfg); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if stderr.Len() > 0 {
			t.Logf("module stdout/stderr: %s", stderr.String())
		}
	})
	h.restricted = true
	h.Call("_initialize")
	h.restricted = false
	return h
}

func (h *Host) violate(msg string) { h.Violations = append(h.Violations, msg) }

// restrict wraps a host function with the restricted-phase check. It also clears the upper half
// of i32 parameters: wazero leaves them undefined in the uint64 stack slots.
func (h *Host) restrict(name string, params []api.ValueType, fn api.GoModuleFunc) api.GoModuleFunc {
	return func(ctx context.Context, m api.Module, s []uint64) {
		if h.restricted && name != "proxy_log" {
			h.violate(name + " called in a restricted phase (_initialize or allocation)")
		}
		for i, p := range params {
			if p == api.ValueTypeI32 {
				s[i] = uint64(uint32(s[i]))
			}
		}
		fn(ctx, m, s)
	}
}

func (h *Host) fn(name string) api.Function {
	f, found := h.fns[name]
	if !found {
		if f = h.Mod.ExportedFunction(name); f == nil {
			h.T.Fatalf("module does not export %s", name)
		}
		h.fns[name] = f
	}
	return f
}

// Call invokes an export and returns its first result (0 for none). A trap fails the test.
func (h *Host) Call(name string, args ...uint64) uint64 {
	h.T.Helper()
	res, err := h.fn(name).Call(h.ctx, args...)
	if err != nil {
		h.T.Fatalf("%s%v: %v\nlogs: %q", name, args, err, h.Logs)
	}
	if len(res) == 0 {
		return 0
	}
	return res[0]
}

// Start creates root context root and runs vm_start and configure.
func (h *Host) Start(root uint32) (vmStarted, configured bool) {
	h.Effective = root
	h.Call("proxy_on_context_create", uint64(root), 0)
	vmStarted = h.Call("proxy_on_vm_start", uint64(root), 0) == 1
	configured = h.Call("proxy_on_configure", uint64(root), uint64(len(h.Config))) == 1
	return vmStarted, configured
}

// Request runs stream id (under root 1) the way Envoy does: create, headers, the body in one
// final frame unless a local reply came first, then log, done, delete. It returns the header and
// body actions (body 0 when not called).
func (h *Host) Request(id uint32, headers [][2]string, body string) (hdrAct, bodyAct uint64) {
	h.Open(id, headers, body)
	hdrAct = h.StreamCall("proxy_on_request_headers", id, uint64(len(headers)), b2u(body == ""))
	if body != "" && len(h.Replies) == 0 {
		bodyAct = h.StreamCall("proxy_on_request_body", id, uint64(len(body)), 1)
	}
	h.Close(id)
	return hdrAct, bodyAct
}

// Open creates stream id with the given request.
func (h *Host) Open(id uint32, headers [][2]string, body string) {
	h.Headers = append([][2]string(nil), headers...)
	h.Body = []byte(body)
	h.Replies = nil
	h.Foreign = nil
	h.StreamCall("proxy_on_context_create", id, 1)
}

// StreamCall runs a callback of stream id with id as the effective context.
func (h *Host) StreamCall(name string, id uint32, args ...uint64) uint64 {
	h.Effective = id
	return h.Call(name, append([]uint64{uint64(id)}, args...)...)
}

// Close ends stream id in Envoy's order: log, done, delete.
func (h *Host) Close(id uint32) {
	h.StreamCall("proxy_on_log", id)
	h.StreamCall("proxy_on_done", id)
	h.StreamCall("proxy_on_delete", id)
}

// DeliverCallout answers callout token on root context root with CalloutHeaders/CalloutBody,
// like Envoy: the callback runs on the root context and the plugin re-targets itself.
func (h *Host) DeliverCallout(root, token uint32) {
	h.Effective = root
	h.inCallout = true
	defer func() { h.inCallout = false }()
	h.Call("proxy_on_http_call_response", uint64(root), uint64(token), uint64(len(h.CalloutHeaders)), uint64(len(h.CalloutBody)), 0)
}

func (h *Host) read(ptr, n uint64) []byte {
	b, found := h.Mod.Memory().Read(uint32(ptr), uint32(n))
	if !found {
		h.T.Fatalf("guest pointer out of range: %d+%d", ptr, n)
	}
	return bytes.Clone(b)
}

// give hands data to the guest the way Envoy does: allocate through the module in a restricted
// phase, copy, then write pointer and length to the out-parameters. Empty data is (0, 0).
func (h *Host) give(data []byte, retPtr, retLen uint64) {
	ptr := uint64(0)
	if len(data) > 0 {
		h.restricted = true
		res, err := h.fn("proxy_on_memory_allocate").Call(h.ctx, uint64(len(data)))
		h.restricted = false
		if err != nil {
			h.T.Fatalf("proxy_on_memory_allocate: %v", err)
		}
		ptr = res[0]
		h.Mod.Memory().Write(uint32(ptr), data)
	}
	h.Mod.Memory().WriteUint32Le(uint32(retPtr), uint32(ptr))
	h.Mod.Memory().WriteUint32Le(uint32(retLen), uint32(len(data)))
}

func (h *Host) pairs(ptr, n uint64) [][2]string {
	hs, err := abi.ParsePairs(h.read(ptr, n))
	if err != nil {
		h.violate("malformed pair blob from the guest")
	}
	return hs
}

func (h *Host) env() map[string]api.GoModuleFunc {
	return map[string]api.GoModuleFunc{
		"proxy_log": func(_ context.Context, _ api.Module, s []uint64) {
			h.Logs = append(h.Logs, string(h.read(s[1], s[2])))
			s[0] = ok
		},
		"proxy_get_buffer_bytes": func(_ context.Context, _ api.Module, s []uint64) {
			var buf []byte
			switch s[0] {
			case 0:
				buf = h.Body
			case 4:
				if !h.inCallout {
					s[0] = notFound
					return
				}
				buf = h.CalloutBody
			case 7:
				buf = h.Config
			default:
				s[0] = notFound
				return
			}
			start, n := s[1], s[2]
			start = min(start, uint64(len(buf)))
			n = min(n, uint64(len(buf))-start)
			h.give(buf[start:start+n], s[3], s[4])
			s[0] = ok
		},
		"proxy_get_header_map_value": func(_ context.Context, _ api.Module, s []uint64) {
			key := string(h.read(s[1], s[2]))
			m := h.headerMap(s[0])
			if m == nil {
				s[0] = badArgument
				return
			}
			for _, kv := range *m {
				if kv[0] == key {
					h.give([]byte(kv[1]), s[3], s[4])
					s[0] = ok
					return
				}
			}
			s[0] = notFound
		},
		"proxy_get_header_map_pairs": func(_ context.Context, _ api.Module, s []uint64) {
			m := h.headerMap(s[0])
			if m == nil || len(*m) == 0 {
				h.give(nil, s[1], s[2])
			} else {
				h.give(abi.AppendPairs(nil, *m), s[1], s[2])
			}
			s[0] = ok
		},
		"proxy_replace_header_map_value": func(_ context.Context, _ api.Module, s []uint64) {
			m := h.headerMap(s[0])
			if m == nil {
				s[0] = badArgument
				return
			}
			key, val := string(h.read(s[1], s[2])), string(h.read(s[3], s[4]))
			removeKey(m, key)
			*m = append(*m, [2]string{key, val})
			s[0] = ok
		},
		"proxy_add_header_map_value": func(_ context.Context, _ api.Module, s []uint64) {
			m := h.headerMap(s[0])
			if m == nil {
				s[0] = badArgument
				return
			}
			*m = append(*m, [2]string{string(h.read(s[1], s[2])), string(h.read(s[3], s[4]))})
			s[0] = ok
		},
		"proxy_remove_header_map_value": func(_ context.Context, _ api.Module, s []uint64) {
			m := h.headerMap(s[0])
			if m == nil {
				s[0] = badArgument
				return
			}
			removeKey(m, string(h.read(s[1], s[2])))
			s[0] = ok
		},
		"proxy_send_local_response": func(_ context.Context, _ api.Module, s []uint64) {
			h.Replies = append(h.Replies, Reply{
				Status: uint32(s[0]), Body: string(h.read(s[3], s[4])), Headers: h.pairs(s[5], s[6]), Stream: h.Effective,
			})
			s[0] = ok
		},
		"proxy_call_foreign_function": func(_ context.Context, _ api.Module, s []uint64) {
			name := string(h.read(s[0], s[1]))
			h.Foreign = append(h.Foreign, name)
			if name != "clear_route_cache" {
				s[0] = notFound
				return
			}
			h.give(nil, s[4], s[5])
			s[0] = ok
		},
		"proxy_set_effective_context": func(_ context.Context, _ api.Module, s []uint64) {
			h.Effective = uint32(s[0])
			s[0] = ok
		},
		"proxy_http_call": func(_ context.Context, _ api.Module, s []uint64) {
			c := Callout{
				Token: h.nextToken, Upstream: string(h.read(s[0], s[1])), Headers: h.pairs(s[2], s[3]),
				Body: string(h.read(s[4], s[5])), TimeoutMs: uint32(s[8]), Caller: h.Effective,
			}
			h.nextToken += 4 // Envoy's callout ids: 4, 8, 12...
			h.Callouts = append(h.Callouts, c)
			h.Mod.Memory().WriteUint32Le(uint32(s[9]), c.Token)
			s[0] = ok
		},
		"proxy_set_tick_period_milliseconds": func(_ context.Context, _ api.Module, s []uint64) {
			h.TickMs = uint32(s[0])
			s[0] = ok
		},
	}
}

// headerMap returns the map of a map type: 0 request headers, 6 callout response headers (only
// while a callout response is being delivered).
func (h *Host) headerMap(t uint64) *[][2]string {
	switch t {
	case 0:
		return &h.Headers
	case 6:
		if h.inCallout {
			return &h.CalloutHeaders
		}
	}
	return nil
}

func removeKey(m *[][2]string, key string) {
	out := (*m)[:0]
	for _, kv := range *m {
		if kv[0] != key {
			out = append(out, kv)
		}
	}
	*m = out
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// Build compiles the main package at pkg (relative to the module root) for wasip1 into a temp
// dir. It skips under -short because a cold build takes tens of seconds.
func Build(t testing.TB, pkg string) []byte {
	t.Helper()
	if testing.Short() {
		t.Skip("builds a wasm module")
	}
	root := moduleRoot(t)
	out := filepath.Join(t.TempDir(), "module.wasm")
	cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-buildmode=c-shared", "-o", out, pkg)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("build %s: %v\n%s", pkg, err, stderr.String())
	}
	wasm, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return wasm
}

// Module returns the built Switchyard module: $SWITCHYARD_WASM, else dist/switchyard.wasm under
// the module root; it skips the test when neither exists.
func Module(t testing.TB) []byte {
	t.Helper()
	path := os.Getenv("SWITCHYARD_WASM")
	if path == "" {
		path = filepath.Join(moduleRoot(t), "dist", "switchyard.wasm")
		if _, err := os.Stat(path); err != nil {
			t.Skip("no module: set SWITCHYARD_WASM or run `make build` to produce dist/switchyard.wasm")
		}
	}
	wasm, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read module: %v", err)
	}
	return wasm
}

func moduleRoot(t testing.TB) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}
