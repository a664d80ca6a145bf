package host

import (
	"context"
	"os"
	"strings"
	"testing"
)

func TestKongImportsAreASubsetOfKong(t *testing.T) {
	b, err := os.ReadFile("testdata/kong-ngx-wasm-0.6.txt")
	if err != nil {
		t.Fatal(err)
	}
	kong := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		kong[l] = true
	}
	got, _ := ImportList(ProfileKong)
	for _, l := range got {
		if !kong[l] {
			t.Errorf("%s offered but not in Kong", l)
		}
	}
	for _, must := range []string{"env proxy_log", "env proxy_http_call", "env proxy_get_configuration",
		"wasi_snapshot_preview1 poll_oneoff", "wasi_snapshot_preview1 sched_yield"} {
		if !strings.Contains(strings.Join(got, "\n")+"\n", must+"\n") {
			t.Errorf("%s missing", must)
		}
	}
	if len(got) != 63 { // 45 env with a known signature + 18 WASI
		t.Errorf("only %d imports", len(got))
	}
}

func TestKongLinking(t *testing.T) {
	ctx := context.Background()
	rt, err := NewRuntime(ctx, ProfileKong)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close(ctx)
	// The probe imports proxy_get_header_map_size, proxy_get_buffer_status and
	// the spec signature of proxy_get_log_level: Kong refuses it.
	_, err = rt.Compile(ctx, probe(t))
	for _, want := range []string{
		"missing import: env.proxy_get_header_map_size",
		"missing import: env.proxy_get_buffer_status",
		"import type mismatch: env.proxy_get_log_level: module wants (i32)->(i32), host provides (i32,i32)->(i32)",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v\nwant %q", err, want)
		}
	}
	ok := buildWasm([]wimport{{"env", "proxy_log", sigLog}, {"env", "proxy_dispatch_http_call",
		wfunc{params: []byte{0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f}, results: []byte{0x7f}}}},
		[]wexport{abiExport, malloc})
	if _, err := rt.Compile(ctx, ok); err != nil {
		t.Fatal(err)
	}
}
