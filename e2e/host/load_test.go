package host

import (
	"context"
	"os"
	"strings"
	"testing"
)

func TestImportListMatchesEnvoy139(t *testing.T) {
	want, err := os.ReadFile("testdata/envoy-1.39.txt")
	if err != nil {
		t.Fatal(err)
	}
	got, err := ImportList(ProfileEnvoy)
	if err != nil {
		t.Fatal(err)
	}
	equalLines(t, "imports", got, strings.Split(strings.TrimSpace(string(want)), "\n"))
}

func TestLoadValidation(t *testing.T) {
	ctx := context.Background()
	rt, err := NewRuntime(ctx, ProfileEnvoy)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close(ctx)
	tests := []struct {
		name    string
		imports []wimport
		exports []wexport
		wantErr string
	}{
		{"ok", []wimport{{"env", "proxy_log", sigLog}}, []wexport{abiExport, malloc}, ""},
		{"ok 0.2.0 + proxy_on_memory_allocate", nil,
			[]wexport{{"proxy_abi_version_0_2_0", sigVoid}, {"proxy_on_memory_allocate", sigAlloc}}, ""},
		{"no abi", nil, []wexport{malloc}, "missing proxy_abi_version_* export"},
		{"abi 0.1.0", nil, []wexport{{"proxy_abi_version_0_1_0", sigVoid}, malloc}, "ABI 0.1.0"},
		{"no allocator", nil, []wexport{abiExport}, "Wasm module is missing malloc function"},
		{"missing import", []wimport{{"env", "proxy_get_header_map_value_v2", sigLog}}, []wexport{abiExport, malloc},
			"missing import: env.proxy_get_header_map_value_v2"},
		{"kong-only import", []wimport{{"env", "proxy_get_configuration", wfunc{params: []byte{0x7f, 0x7f}, results: []byte{0x7f}}}},
			[]wexport{abiExport, malloc}, "missing import: env.proxy_get_configuration"},
		{"wrong signature", []wimport{{"env", "proxy_get_log_level", wfunc{params: []byte{0x7f, 0x7f}, results: []byte{0x7f}}}},
			[]wexport{abiExport, malloc}, "import type mismatch: env.proxy_get_log_level: module wants (i32,i32)->(i32), host provides (i32)->(i32)"},
		{"i64 metric arg", []wimport{{"env", "proxy_increment_metric", wfunc{params: []byte{0x7f, 0x7f}, results: []byte{0x7f}}}},
			[]wexport{abiExport, malloc}, "import type mismatch: env.proxy_increment_metric"},
		{"0.2.0 lacks get_log_level", []wimport{{"env", "proxy_get_log_level", wfunc{params: []byte{0x7f}, results: []byte{0x7f}}}},
			[]wexport{{"proxy_abi_version_0_2_0", sigVoid}, malloc}, "missing import: env.proxy_get_log_level"},
		{"wasi_unstable", []wimport{{"wasi_unstable", "fd_write", wfunc{params: []byte{0x7f, 0x7f, 0x7f, 0x7f}, results: []byte{0x7f}}}},
			[]wexport{abiExport, malloc}, ""},
		{"wasi unknown", []wimport{{"wasi_snapshot_preview1", "sock_open", sigLog}}, []wexport{abiExport, malloc},
			"missing import: wasi_snapshot_preview1.sock_open"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := rt.Compile(ctx, buildWasm(tc.imports, tc.exports))
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error = %v, want containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestRestrictedInitialize(t *testing.T) {
	m := probeModule(t)
	l := &logs{}
	_, err := m.NewPlugin(context.Background(), Config{Name: "p", RootID: "r", VMID: "v", Logger: l.add,
		Env: map[string]string{"PROBE_INIT": "tick"}})
	if err == nil || !strings.Contains(err.Error(), "restricted_callback") ||
		!strings.Contains(err.Error(), "env.proxy_set_tick_period_milliseconds") {
		t.Fatalf("err = %v, want restricted_callback trap", err)
	}
	p, l := startProbe(t, "", func(c *Config) { c.Env = map[string]string{"PROBE_INIT": "log"} })
	_ = p
	// proxy_log is allowed during _initialize: once for the canary, once for the worker.
	if got := l.grep("init log"); len(got) != 2 {
		t.Fatalf("init logs = %v", got)
	}
}

func TestCanaryAndWorkersStartConfigure(t *testing.T) {
	script := "configure log 2 configured\nconfigure get_body 7 0 100\nconfigure get_body 6 0 100"
	vmcfg := "vm_start log 2 started"
	p, l := startProbe(t, script, func(c *Config) { c.Workers = 3; c.VMConfiguration = []byte(vmcfg) })
	if len(p.VMs()) != 3 {
		t.Fatalf("vms = %d", len(p.VMs()))
	}
	// canary + 3 workers each run start and configure once.
	if n := len(l.grep("vm_start log: status=0")); n != 4 {
		t.Errorf("vm_start runs = %d, want 4", n)
	}
	if n := len(l.grep("configure get_body: status=0 \"configure log 2 configured")); n != 4 {
		t.Errorf("plugin config reads = %d, want 4: %v", n, l.grep("configure get_body"))
	}
	if n := len(l.grep(`configure get_body: status=0 "vm_start log 2 started"`)); n != 4 {
		t.Errorf("vm config reads = %d", n)
	}
}

func TestConfigureFailureFailsLoad(t *testing.T) {
	m := probeModule(t)
	_, err := m.NewPlugin(context.Background(), Config{Configuration: []byte("configure return 0"), Logger: (&logs{}).add})
	if err == nil || !strings.Contains(err.Error(), "proxy_on_configure returned 0") {
		t.Fatalf("err = %v", err)
	}
	_, err = m.NewPlugin(context.Background(), Config{VMConfiguration: []byte("vm_start return 0"), Logger: (&logs{}).add})
	if err == nil || !strings.Contains(err.Error(), "proxy_on_vm_start returned 0") {
		t.Fatalf("err = %v", err)
	}
}
