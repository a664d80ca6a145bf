// Package hosttest drives a proxy-wasm module through e2e/host one callback
// at a time, for tests of the real module and of the plugin/abi binding:
// every guest callback's status, foreign call, http callout and log line is
// recorded, and the host is Envoy >= 1.39 in every respect (restricted
// phases, canary VM, filter manager) except WASI, which is Kong's by default
// (poll_oneoff and sched_yield answer 58), so a module that armed a Go timer
// dies here like it would on Kong.
package hosttest

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"switchyard/e2e/host"
)

// Host is one started plugin with one worker VM.
type Host struct {
	T      testing.TB
	Plugin *host.Plugin
	VM     *host.VM

	mu     sync.Mutex
	logs   []string
	events []host.Event
}

// Options tune Start.
type Options struct {
	// Env is vm_config.environment_variables.key_values.
	Env map[string]string
	// Clusters maps callout cluster names to base URLs.
	Clusters map[string]string
	// WASI is the WASI semantics (default host.WASIKong).
	WASI host.WASIProfile
	// ManualTicks: ticks fire only through VM.Tick.
	ManualTicks bool
}

// Start compiles wasm and starts a plugin with configuration config. A
// start or configure failure is returned with the log lines produced so far.
func Start(t testing.TB, wasm []byte, config string, o Options) (*Host, []string, error) {
	t.Helper()
	ctx := context.Background()
	if o.WASI == "" {
		o.WASI = host.WASIKong
	}
	rt, err := host.NewRuntimeWith(ctx, host.ProfileEnvoy, host.Options{WASI: o.WASI})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Close(ctx) })
	mod, err := rt.Compile(ctx, wasm)
	if err != nil {
		t.Fatal(err)
	}
	h := &Host{T: t}
	trace := host.LogTrace
	p, err := mod.NewPlugin(ctx, host.Config{Name: "switchyard", RootID: "switchyard", VMID: "switchyard",
		Configuration: []byte(config), Env: o.Env, Clusters: o.Clusters, AllowOnHeadersStopIteration: true,
		LogLevel: &trace, Logger: h.log, Trace: h.trace, ManualTicks: o.ManualTicks})
	if err != nil {
		return nil, h.Logs(), err
	}
	t.Cleanup(func() { p.Close(ctx) })
	h.Plugin, h.VM = p, p.VMs()[0]
	return h, h.Logs(), nil
}

// MustStart is Start that fails the test on a start error.
func MustStart(t testing.TB, wasm []byte, config string, o Options) *Host {
	t.Helper()
	h, logs, err := Start(t, wasm, config, o)
	if err != nil {
		t.Fatalf("start: %v\nlogs %q", err, logs)
	}
	return h
}

func (h *Host) log(_ int, msg string) {
	if i := strings.Index(msg, ": "); i >= 0 && strings.HasPrefix(msg, "wasm log ") {
		msg = msg[i+2:]
	}
	h.mu.Lock()
	h.logs = append(h.logs, msg)
	h.mu.Unlock()
}

func (h *Host) trace(e host.Event) {
	h.mu.Lock()
	h.events = append(h.events, e)
	h.mu.Unlock()
}

// Logs returns the plugin's log lines (without Envoy's prefix) so far.
func (h *Host) Logs() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.logs...)
}

// ClearLogs forgets the log lines so far.
func (h *Host) ClearLogs() {
	h.mu.Lock()
	h.logs = nil
	h.mu.Unlock()
}

// Events returns the traced events of kind (all when empty) so far.
func (h *Host) Events(kind host.EventKind) []host.Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []host.Event
	for _, e := range h.events {
		if kind == "" || e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

// Result is the status the guest returned from callback on context id (-1:
// not called).
func (h *Host) Result(id uint32, callback string) int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := len(h.events) - 1; i >= 0; i-- {
		if e := h.events[i]; e.Kind == host.EventCallback && e.Name == callback && e.Context == id {
			return int64(e.Result)
		}
	}
	return -1
}

// Violations lists what would break the module on Envoy or Kong: a failed
// VM (restricted-phase call, trap, Go fatal error), poll_oneoff or
// sched_yield calls.
func (h *Host) Violations() []string {
	var v []string
	if err := h.VM.Failed(); err != nil {
		v = append(v, "VM failed: "+err.Error())
	}
	if n := h.VM.PollCalls(); n > 0 {
		v = append(v, "poll_oneoff called (a Go timer armed the netpoller; Kong answers 58 and Go aborts)")
	}
	if n := h.VM.SchedYieldCalls(); n > 0 {
		v = append(v, "sched_yield called (Kong answers 58)")
	}
	return v
}

// Flow is one HTTP stream with what came out of the filter.
type Flow struct {
	h      *Host
	Stream *host.Stream
	sink   *sink
}

// Open starts a stream and delivers its request headers (end of stream when
// body is empty) and then body in one final frame, unless a local reply
// came first.
func (h *Host) Open(headers [][2]string, body string) *Flow {
	hd := &host.Headers{}
	for _, kv := range headers {
		hd.Add(kv[0], kv[1])
	}
	f := &Flow{h: h, sink: &sink{}}
	f.Stream = h.Plugin.NewStream(f.sink, host.StreamInfo{Protocol: "HTTP/1.1"})
	f.Stream.DecodeHeaders(hd, body == "")
	if body != "" && !f.Stream.Responding() {
		f.Stream.DecodeData([]byte(body), true)
	}
	return f
}

// Request is Open then Finish (log, done, delete).
func (h *Host) Request(headers [][2]string, body string) *Flow {
	f := h.Open(headers, body)
	f.Finish()
	return f
}

// ID is the stream's context id.
func (f *Flow) ID() uint32 { return f.Stream.ID() }

// Result is the status of callback for this stream (-1: not called).
func (f *Flow) Result(callback string) int64 { return f.h.Result(f.ID(), callback) }

// Upstream returns the request headers and body the filter let through (nil
// headers: nothing went upstream).
func (f *Flow) Upstream() ([][2]string, string) {
	f.sink.mu.Lock()
	defer f.sink.mu.Unlock()
	if f.sink.reqH == nil {
		return nil, string(f.sink.reqB)
	}
	return f.sink.reqH.Pairs(), string(f.sink.reqB)
}

// Reply returns what the client received (nil headers: nothing yet).
func (f *Flow) Reply() (headers [][2]string, body string) {
	f.sink.mu.Lock()
	defer f.sink.mu.Unlock()
	if f.sink.respH == nil {
		return nil, string(f.sink.respB)
	}
	return f.sink.respH.Pairs(), string(f.sink.respB)
}

// WaitResponse pumps asynchronous actions (callout answers) until the
// response ended or d passed.
func (f *Flow) WaitResponse(d time.Duration) bool {
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	for !f.Stream.Done() {
		select {
		case <-f.Stream.Notify():
			f.Stream.Pump()
		case <-deadline.C:
			return false
		}
	}
	return true
}

// Finish ends the stream (on_log, on_done, on_delete).
func (f *Flow) Finish() { f.Stream.Finish() }

type sink struct {
	mu           sync.Mutex
	reqH, respH  *host.Headers
	reqB, respB  []byte
	resetDetails string
}

func (s *sink) RequestHeaders(h *host.Headers, _ bool) {
	s.mu.Lock()
	s.reqH = h.Clone()
	s.mu.Unlock()
}
func (s *sink) RequestData(p []byte, _ bool) {
	s.mu.Lock()
	s.reqB = append(s.reqB, p...)
	s.mu.Unlock()
}
func (s *sink) ResponseHeaders(h *host.Headers, _ bool) {
	s.mu.Lock()
	s.respH = h.Clone()
	s.mu.Unlock()
}
func (s *sink) ResponseData(p []byte, _ bool) {
	s.mu.Lock()
	s.respB = append(s.respB, p...)
	s.mu.Unlock()
}
func (s *sink) Reset(d string) {
	s.mu.Lock()
	s.resetDetails = d
	s.mu.Unlock()
}

// Build compiles the main package at pkg (relative to the module root) for
// wasip1. It skips under -short because a cold build takes tens of seconds.
func Build(t testing.TB, pkg string) []byte {
	t.Helper()
	if testing.Short() {
		t.Skip("builds a wasm module")
	}
	out := filepath.Join(t.TempDir(), "module.wasm")
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goBin); err != nil {
		goBin = "go"
	}
	cmd := exec.Command(goBin, "build", "-buildmode=c-shared", "-o", out, pkg)
	cmd.Dir = ModuleRoot(t)
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

// Module returns the built Switchyard module: $SWITCHYARD_WASM, else
// dist/switchyard.wasm under the module root; it skips the test when
// neither exists.
func Module(t testing.TB) []byte {
	t.Helper()
	path := os.Getenv("SWITCHYARD_WASM")
	if path == "" {
		path = filepath.Join(ModuleRoot(t), "dist", "switchyard.wasm")
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

// ModuleRoot is the directory holding go.mod above the working directory.
func ModuleRoot(t testing.TB) string {
	t.Helper()
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
