package host

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

var (
	probeOnce sync.Once
	probeWasm []byte
	probeErr  error
	probeDir  string

	rtOnce   sync.Once
	sharedRT *Runtime
	probeMod *Module
	rtErr    error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if probeDir != "" {
		os.RemoveAll(probeDir)
	}
	os.Exit(code)
}

// probe builds testdata/probe once per test process (the go build cache
// makes reruns fast).
func probe(t testing.TB) []byte {
	t.Helper()
	probeOnce.Do(func() {
		probeDir, probeErr = os.MkdirTemp("", "switchyard-probe")
		if probeErr != nil {
			return
		}
		out := filepath.Join(probeDir, "probe.wasm")
		cmd := exec.Command(goBin(), "build", "-buildmode=c-shared", "-o", out, "./testdata/probe")
		cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
		if b, err := cmd.CombinedOutput(); err != nil {
			probeErr = fmt.Errorf("build probe: %v\n%s", err, b)
			return
		}
		probeWasm, probeErr = os.ReadFile(out)
	})
	if probeErr != nil {
		t.Fatal(probeErr)
	}
	return probeWasm
}

func goBin() string {
	p := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(p); err == nil {
		return p
	}
	return "go"
}

// probeModule compiles the probe once in a shared runtime.
func probeModule(t testing.TB) *Module {
	t.Helper()
	w := probe(t)
	rtOnce.Do(func() {
		sharedRT, rtErr = NewRuntime(context.Background(), ProfileEnvoy)
		if rtErr != nil {
			return
		}
		probeMod, rtErr = sharedRT.Compile(context.Background(), w)
	})
	if rtErr != nil {
		t.Fatal(rtErr)
	}
	return probeMod
}

// logs collects plugin log lines without the Envoy prefix.
type logs struct {
	mu    sync.Mutex
	lines []string
}

func (l *logs) add(level int, msg string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if i := strings.Index(msg, ": "); i >= 0 && strings.HasPrefix(msg, "wasm log ") {
		msg = msg[i+2:]
	}
	l.lines = append(l.lines, LevelName(level)+" "+msg)
}

func (l *logs) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.lines
	l.lines = nil
	return out
}

// grep returns lines containing every substring.
func (l *logs) grep(subs ...string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
next:
	for _, line := range l.lines {
		for _, s := range subs {
			if !strings.Contains(line, s) {
				continue next
			}
		}
		out = append(out, line)
	}
	return out
}

// startProbe starts a plugin on the probe with the given script.
func startProbe(t testing.TB, script string, mod func(*Config)) (*Plugin, *logs) {
	t.Helper()
	m := probeModule(t)
	l := &logs{}
	cfg := Config{Name: "probe", RootID: "probe_root", VMID: "probe_vm", Configuration: []byte(script),
		Workers: 1, Logger: l.add, AllowOnHeadersStopIteration: true}
	if mod != nil {
		mod(&cfg)
	}
	p, err := m.NewPlugin(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close(context.Background()) })
	return p, l
}

// recSink records what the stream emits, in order.
type recSink struct {
	events []string
	reqH   *Headers
	respH  *Headers
	reqB   []byte
	respB  []byte
}

func (r *recSink) RequestHeaders(h *Headers, eos bool) {
	r.reqH = h.Clone()
	r.events = append(r.events, fmt.Sprintf("req_headers eos=%v", eos))
}
func (r *recSink) RequestData(p []byte, eos bool) {
	r.reqB = append(r.reqB, p...)
	r.events = append(r.events, fmt.Sprintf("req_data %q eos=%v", p, eos))
}
func (r *recSink) ResponseHeaders(h *Headers, eos bool) {
	r.respH = h.Clone()
	st, _ := h.Get(":status")
	r.events = append(r.events, fmt.Sprintf("resp_headers %s eos=%v", st, eos))
}
func (r *recSink) ResponseData(p []byte, eos bool) {
	r.respB = append(r.respB, p...)
	r.events = append(r.events, fmt.Sprintf("resp_data %q eos=%v", p, eos))
}
func (r *recSink) Reset(d string) { r.events = append(r.events, "reset "+d) }

func reqHeaders(kv ...string) *Headers {
	h := NewHeaders(":authority", "example.com", ":path", "/v1/chat/completions", ":method", "POST",
		":scheme", "http", "content-type", "application/json")
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

func equalLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n got: %s\nwant: %s", what, strings.Join(got, "\n      "), strings.Join(want, "\n      "))
	}
}
