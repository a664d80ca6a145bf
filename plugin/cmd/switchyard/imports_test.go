package main

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero"
)

// repoRoot is three levels up from plugin/cmd/switchyard.
const repoRoot = "../../.."

// moduleBytes returns the built module: $SWITCHYARD_WASM, else dist/switchyard.wasm.
func moduleBytes(t testing.TB) []byte {
	t.Helper()
	path := os.Getenv("SWITCHYARD_WASM")
	if path == "" {
		path = filepath.Join(repoRoot, "dist", "switchyard.wasm")
		if _, err := os.Stat(path); err != nil {
			t.Skip("no module to check: set SWITCHYARD_WASM or run `make build` to produce dist/switchyard.wasm")
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read module: %v", err)
	}
	return b
}

// hostImports reads a host's import list ("module name" per line, docs/host.md §1).
func hostImports(t *testing.T, file string) map[string]bool {
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
var forbidden = []string{"env proxy_get_log_level", "env proxy_get_header_map_size", "env proxy_get_buffer_status"}

// kongRequiredExports must all be present or Kong refuses the filter; the ABI version export is
// how both hosts detect the ABI.
var requiredExports = []string{
	"proxy_abi_version_0_2_1", "proxy_on_context_create", "proxy_on_vm_start", "proxy_on_configure",
	"proxy_on_memory_allocate", "_initialize", "proxy_on_request_headers", "proxy_on_request_body",
	"proxy_on_response_headers", "proxy_on_response_body", "proxy_on_log", "proxy_on_done",
	"proxy_on_delete", "proxy_on_tick", "proxy_on_http_call_response", "proxy_on_queue_ready",
	"proxy_on_request_trailers", "proxy_on_response_trailers",
}

func checkPortable(t *testing.T, wasm []byte) (imports []string) {
	t.Helper()
	ctx := context.Background()
	r := wazero.NewRuntime(ctx)
	defer r.Close(ctx)
	m, err := r.CompileModule(ctx, wasm)
	if err != nil {
		t.Fatalf("compile module: %v", err)
	}
	envoy := hostImports(t, "envoy-1.39.txt")
	kong := hostImports(t, "kong-ngx-wasm-0.6.txt")
	for _, f := range m.ImportedFunctions() {
		mod, name, _ := f.Import()
		imp := mod + " " + name
		imports = append(imports, imp)
		if !envoy[imp] {
			t.Errorf("import %q is not provided by Envoy 1.39", imp)
		}
		if !kong[imp] {
			t.Errorf("import %q is not provided by Kong ngx_wasm_module 0.6", imp)
		}
		for _, bad := range forbidden {
			if imp == bad {
				t.Errorf("import %q breaks Kong (docs/host.md §1.6)", imp)
			}
		}
	}
	exports := m.ExportedFunctions()
	for _, name := range requiredExports {
		if _, ok := exports[name]; !ok {
			t.Errorf("missing export %s", name)
		}
	}
	if _, ok := exports["malloc"]; ok {
		t.Errorf("unexpected malloc export: hosts would prefer it over proxy_on_memory_allocate")
	}
	return imports
}

func TestModuleImportsAreEnvoyAndKongSafe(t *testing.T) {
	wasm := moduleBytes(t)
	imports := checkPortable(t, wasm)
	t.Logf("module: %d bytes, %d imports", len(wasm), len(imports))
}

// TestBindingImportsAreEnvoyAndKongSafe builds a module that calls every host function of package
// abi, so an import the filter does not use yet is checked too.
func TestBindingImportsAreEnvoyAndKongSafe(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a wasm module")
	}
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	out := filepath.Join(t.TempDir(), "allcalls.wasm")
	cmd := exec.Command(gobin, "build", "-buildmode=c-shared", "-o", out, "./plugin/abi/testdata/allcalls")
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("build probe: %v\n%s", err, stderr.String())
	}
	wasm, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	imports := checkPortable(t, wasm)
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
