package main

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero"

	"switchyard/e2e/host/hosttest"
)

// hostImports reads a host's import list ("module name" per line, docs/host.md §1).
func hostImports(t testing.TB, file string) map[string]bool {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "testdata", "host-imports", file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	set := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			set[line] = true
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(set) < 50 {
		t.Fatalf("%s: only %d imports, file looks truncated", file, len(set))
	}
	return set
}

// forbidden links on paper but breaks a host: Kong declares proxy_get_log_level with another
// signature and lacks the other two (docs/host.md §1.6).
var forbidden = map[string]bool{
	"env proxy_get_log_level": true, "env proxy_get_header_map_size": true, "env proxy_get_buffer_status": true,
}

// requiredExports: Kong refuses a filter without context_create, vm_start, configure and an
// allocator; the ABI version export is how both hosts detect the ABI; the rest are the callbacks
// Switchyard relies on.
var requiredExports = []string{
	"proxy_abi_version_0_2_1", "proxy_on_context_create", "proxy_on_vm_start", "proxy_on_configure",
	"proxy_on_memory_allocate", "_initialize", "proxy_on_request_headers", "proxy_on_request_body",
	"proxy_on_response_headers", "proxy_on_response_body", "proxy_on_log", "proxy_on_done",
	"proxy_on_delete", "proxy_on_tick", "proxy_on_http_call_response", "proxy_on_queue_ready",
	"proxy_on_request_trailers", "proxy_on_response_trailers",
}

// portabilityProblems lists every reason wasm would not load, or would break, on Envoy >= 1.39
// or Kong ngx_wasm_module 0.6, plus the module's imports.
func portabilityProblems(t testing.TB, wasm []byte, exportsRequired []string) (problems, imports []string) {
	t.Helper()
	ctx := context.Background()
	r := wazero.NewRuntime(ctx)
	defer r.Close(ctx)
	m, err := r.CompileModule(ctx, wasm)
	if err != nil {
		return []string{"compile: " + err.Error()}, nil
	}
	envoy := hostImports(t, "envoy-1.39.txt")
	kong := hostImports(t, "kong-ngx-wasm-0.6.txt")
	for _, f := range m.ImportedFunctions() {
		mod, name, _ := f.Import()
		imp := mod + " " + name
		imports = append(imports, imp)
		if !envoy[imp] {
			problems = append(problems, "import "+imp+" is not provided by Envoy 1.39")
		}
		if !kong[imp] {
			problems = append(problems, "import "+imp+" is not provided by Kong ngx_wasm_module 0.6")
		}
		if forbidden[imp] {
			problems = append(problems, "import "+imp+" breaks Kong (docs/host.md §1.6)")
		}
	}
	exports := m.ExportedFunctions()
	for _, name := range exportsRequired {
		if _, ok := exports[name]; !ok {
			problems = append(problems, "missing export "+name)
		}
	}
	if _, ok := exports["malloc"]; ok {
		problems = append(problems, "malloc export: hosts would prefer it over proxy_on_memory_allocate")
	}
	return problems, imports
}

func TestModuleImportsAreEnvoyAndKongSafe(t *testing.T) {
	wasm := hosttest.Module(t)
	problems, imports := portabilityProblems(t, wasm, requiredExports)
	for _, p := range problems {
		t.Error(p)
	}
	t.Logf("module: %d bytes, %d imports", len(wasm), len(imports))
}

// TestBindingImportsAreEnvoyAndKongSafe builds a module that calls every host function of package
// abi, so an import the filter does not use yet is checked too.
func TestBindingImportsAreEnvoyAndKongSafe(t *testing.T) {
	wasm := hosttest.Build(t, "./plugin/abi/testdata/allcalls")
	problems, imports := portabilityProblems(t, wasm, requiredExports)
	for _, p := range problems {
		t.Error(p)
	}
	envCalls := 0
	for _, imp := range imports {
		if strings.HasPrefix(imp, "env ") {
			envCalls++
		}
	}
	// A drop means the probe stopped referencing part of the binding.
	if envCalls < 29 {
		t.Errorf("probe imports only %d env functions, want >= 29: %v", envCalls, imports)
	}
}

// TestPortabilityCheckCatchesBadModules feeds the checker hand-assembled modules, so the import
// test above is known to be able to fail.
func TestPortabilityCheckCatchesBadModules(t *testing.T) {
	cases := []struct {
		name    string
		imports [][2]string
		want    []string
	}{
		{"log level", [][2]string{{"env", "proxy_get_log_level"}}, []string{
			"import env proxy_get_log_level breaks Kong (docs/host.md §1.6)",
			"missing export proxy_abi_version_0_2_1",
		}},
		{"buffer status", [][2]string{{"env", "proxy_get_buffer_status"}}, []string{
			"import env proxy_get_buffer_status is not provided by Kong ngx_wasm_module 0.6",
			"import env proxy_get_buffer_status breaks Kong (docs/host.md §1.6)",
		}},
		{"envoy only", [][2]string{{"env", "envoy_resolve_dns"}}, []string{
			"import env envoy_resolve_dns is not provided by Kong ngx_wasm_module 0.6",
		}},
		{"kong only", [][2]string{{"env", "proxy_get_map_values"}}, []string{
			"import env proxy_get_map_values is not provided by Envoy 1.39",
		}},
		{"wasi not on kong", [][2]string{{"wasi_snapshot_preview1", "fd_readdir"}}, []string{
			"import wasi_snapshot_preview1 fd_readdir is not provided by Kong ngx_wasm_module 0.6",
		}},
		{"fine", [][2]string{{"env", "proxy_log"}, {"wasi_snapshot_preview1", "fd_write"}}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, _ := portabilityProblems(t, importsOnlyModule(c.imports), []string{"proxy_abi_version_0_2_1"})
			// The hand-made modules export nothing; only the first case asks for the export check.
			if c.name != "log level" {
				got = dropMissingExport(got)
			}
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Fatalf("problems\n got %q\nwant %q", got, c.want)
			}
		})
	}
}

func dropMissingExport(ps []string) []string {
	var out []string
	for _, p := range ps {
		if !strings.HasPrefix(p, "missing export") {
			out = append(out, p)
		}
	}
	return out
}

// importsOnlyModule assembles a wasm module whose only content is function imports of type
// () -> () (the checker compares names, wazero only needs a valid module).
func importsOnlyModule(imports [][2]string) []byte {
	b := []byte{0, 'a', 's', 'm', 1, 0, 0, 0}
	b = append(b, 1, 4, 1, 0x60, 0, 0) // type section: one func type () -> ()
	var sec []byte
	sec = append(sec, byte(len(imports)))
	for _, imp := range imports {
		sec = append(sec, byte(len(imp[0])))
		sec = append(sec, imp[0]...)
		sec = append(sec, byte(len(imp[1])))
		sec = append(sec, imp[1]...)
		sec = append(sec, 0, 0) // kind func, type index 0
	}
	b = append(b, 2, byte(len(sec)))
	return append(b, sec...)
}
