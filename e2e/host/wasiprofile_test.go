package host

import (
	"context"
	"strings"
	"testing"
)

// startKongWASIProbe runs the probe on Envoy's env set with Kong's WASI.
func startKongWASIProbe(t *testing.T, script string) (*Plugin, *logs) {
	t.Helper()
	ctx := context.Background()
	rt, err := NewRuntimeWith(ctx, ProfileEnvoy, Options{WASI: WASIKong})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Close(ctx) })
	m, err := rt.Compile(ctx, probe(t))
	if err != nil {
		t.Fatal(err)
	}
	l := &logs{}
	p, err := m.NewPlugin(ctx, Config{Name: "probe", RootID: "probe_root", VMID: "probe_vm",
		Configuration: []byte(script), Logger: l.add, AllowOnHeadersStopIteration: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close(ctx) })
	return p, l
}

// A Go module survives Kong's WASI as long as it never arms a timer: GCs do
// not poll. The first time.Sleep polls, gets 58 and the Go runtime aborts.
func TestKongWASIKillsAModuleThatSleeps(t *testing.T) {
	p, l := startKongWASIProbe(t, "req_headers churn 64\nreq_headers sleep 3")
	sink := &recSink{}
	s := p.NewStream(sink, StreamInfo{})
	s.DecodeHeaders(reqHeaders(), true)
	s.Finish()
	vm := p.VMs()[0]
	equalLines(t, "logs", l.grep("req_headers "), []string{"info req_headers n=5 eos=1", "info req_headers churn: ok"})
	if vm.PollCalls() == 0 {
		t.Error("poll_oneoff never called")
	}
	// The scheduler's netpoll gets 58 and throws (golang/go#78513's trace).
	if err := vm.Failed(); err == nil || !strings.Contains(err.Error(), "runtime.netpoll") {
		t.Errorf("VM error %v, want a throw from runtime.netpoll", err)
	}
	if got := l.grep("fatal error"); len(got) == 0 {
		t.Errorf("no Go fatal error on stderr; logs %q", l.take())
	}
	equalLines(t, "client", sink.events, []string{"resp_headers 503 eos=true"})
}

func TestKongWASIKeepsEnvoyRestrictedPhasesAndKongImports(t *testing.T) {
	ctx := context.Background()
	rt, err := NewRuntimeWith(ctx, ProfileEnvoy, Options{WASI: WASIKong})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close(ctx)
	i4 := wfunc{params: []byte{0x7f, 0x7f, 0x7f, 0x7f}, results: []byte{0x7f}}
	for _, tc := range []struct {
		imp     wimport
		wantErr string
	}{
		{wimport{"wasi_snapshot_preview1", "poll_oneoff", i4}, ""},
		{wimport{"env", "proxy_get_header_map_size", wfunc{params: []byte{0x7f, 0x7f}, results: []byte{0x7f}}}, ""},
		{wimport{"wasi_unstable", "fd_write", i4}, "missing import: wasi_unstable.fd_write"},
		{wimport{"wasi_snapshot_preview1", "fd_pwrite", wfunc{params: []byte{0x7f, 0x7f, 0x7f, 0x7e, 0x7f}, results: []byte{0x7f}}},
			"missing import: wasi_snapshot_preview1.fd_pwrite"},
	} {
		_, err := rt.Compile(ctx, buildWasm([]wimport{tc.imp}, []wexport{abiExport, malloc}))
		if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
			t.Errorf("%s.%s: err %v, want %q", tc.imp.mod, tc.imp.name, err, tc.wantErr)
		}
	}
	if _, err := NewRuntimeWith(ctx, ProfileEnvoy, Options{WASI: "wasmtime"}); err == nil {
		t.Error("unknown WASI profile accepted")
	}
	// proxy_* other than proxy_log during _initialize still trap.
	p, _ := startKongWASIProbe(t, "req_headers log 2 x")
	if p.VMs()[0].Failed() != nil {
		t.Fatal(p.VMs()[0].Failed())
	}
	fs := envoyWithKongWASI()
	for _, f := range fs {
		switch f.module + "." + f.name {
		case "env.proxy_get_property", "wasi_snapshot_preview1.sched_yield", "wasi_snapshot_preview1.proc_exit":
			if f.startOK {
				t.Errorf("%s allowed during _initialize", f.name)
			}
		case "wasi_snapshot_preview1.poll_oneoff", "wasi_snapshot_preview1.clock_time_get":
			if !f.startOK || !f.allocOK {
				t.Errorf("%s restricted", f.name)
			}
		}
	}
}
