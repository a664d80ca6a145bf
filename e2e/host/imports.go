package host

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

const (
	i32 = api.ValueTypeI32
	i64 = api.ValueTypeI64
)

// phase says which allow-list applies to host calls (host.md §1.3).
type phase uint8

const (
	phaseNormal phase = iota
	phaseStart        // _initialize / main
	phaseAlloc        // host-initiated malloc
)

// hostFunc is one import the host provides.
type hostFunc struct {
	module  string
	name    string
	params  []api.ValueType
	results []api.ValueType
	fn      func(vm *VM, stack []uint64)
	startOK bool // allowed during _initialize
	allocOK bool // allowed during host-initiated allocation
}

type vmKey struct{}

func vmFrom(ctx context.Context) *VM { return ctx.Value(vmKey{}).(*VM) }

// restrictedTrap is the panic value that makes wazero abort the guest call;
// the message matches V8's in cpp-host.
type restrictedTrap struct{ name string }

func (r restrictedTrap) Error() string { return "restricted_callback: " + r.name }

func (f *hostFunc) goFunc() api.GoModuleFunc {
	fn, startOK, allocOK, name := f.fn, f.startOK, f.allocOK, f.module+"."+f.name
	return func(ctx context.Context, _ api.Module, stack []uint64) {
		vm := vmFrom(ctx)
		switch vm.phase {
		case phaseStart:
			if !startOK {
				panic(restrictedTrap{name})
			}
		case phaseAlloc:
			if !allocOK {
				panic(restrictedTrap{name})
			}
		}
		fn(vm, stack)
	}
}

// Profile names a host whose import set is mimicked.
type Profile string

// ProfileEnvoy is Envoy >= 1.39 (cpp-host 09e5f8d): 42 env + 45 WASI functions
// registered under both WASI module names.
const ProfileEnvoy Profile = "envoy-1.39"

// profileFuncs returns the import table of a profile.
func profileFuncs(p Profile) ([]*hostFunc, error) {
	switch p {
	case ProfileEnvoy, "":
		out := envFuncs()
		for _, mod := range []string{"wasi_snapshot_preview1", "wasi_unstable"} {
			for _, f := range wasiFuncs() {
				f.module = mod
				out = append(out, f)
			}
		}
		return out, nil
	case ProfileKong:
		return kongFuncs(), nil
	}
	return nil, fmt.Errorf("host: unknown profile %q", p)
}

// ImportList renders a profile's imports as "module name" lines, sorted by
// module then registration order, for comparison with docs/host-imports.
func ImportList(p Profile) ([]string, error) {
	fs, err := profileFuncs(p)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.module + " " + f.name
	}
	return out, nil
}

// instantiateImports registers the host modules of a profile in rt.
func instantiateImports(ctx context.Context, rt wazero.Runtime, fs []*hostFunc) error {
	byMod := map[string]wazero.HostModuleBuilder{}
	var order []string
	for _, f := range fs {
		b, ok := byMod[f.module]
		if !ok {
			b = rt.NewHostModuleBuilder(f.module)
			byMod[f.module] = b
			order = append(order, f.module)
		}
		b.NewFunctionBuilder().WithGoModuleFunction(f.goFunc(), f.params, f.results).Export(f.name)
	}
	for _, m := range order {
		if _, err := byMod[m].Instantiate(ctx); err != nil {
			return fmt.Errorf("host: instantiate %s: %w", m, err)
		}
	}
	return nil
}

// checkImports reproduces V8::link: every function import must exist with the
// exact signature. abi decides whether 0.2.1-only names are offered.
func checkImports(cm wazero.CompiledModule, fs []*hostFunc, abi string) error {
	idx := make(map[string]*hostFunc, len(fs))
	for _, f := range fs {
		if abi == abi020 && f.name == "proxy_get_log_level" {
			continue
		}
		idx[f.module+"."+f.name] = f
	}
	var errs []string
	for _, d := range cm.ImportedFunctions() {
		mod, name, _ := d.Import()
		f, ok := idx[mod+"."+name]
		if !ok {
			errs = append(errs, "missing import: "+mod+"."+name)
			continue
		}
		if !sameTypes(d.ParamTypes(), f.params) || !sameTypes(d.ResultTypes(), f.results) {
			errs = append(errs, fmt.Sprintf("import type mismatch: %s.%s: module wants %s, host provides %s",
				mod, name, sig(d.ParamTypes(), d.ResultTypes()), sig(f.params, f.results)))
		}
	}
	for _, d := range cm.ImportedMemories() {
		mod, name, _ := d.Import()
		errs = append(errs, "missing import: memory "+mod+"."+name)
	}
	if len(errs) > 0 {
		sort.Strings(errs)
		return fmt.Errorf("host: link failed: %s", strings.Join(errs, "; "))
	}
	return nil
}

func sameTypes(a, b []api.ValueType) bool {
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

func sig(p, r []api.ValueType) string {
	name := func(ts []api.ValueType) string {
		s := make([]string, len(ts))
		for i, t := range ts {
			s[i] = api.ValueTypeName(t)
		}
		return "(" + strings.Join(s, ",") + ")"
	}
	return name(p) + "->" + name(r)
}

func params(n int) []api.ValueType {
	p := make([]api.ValueType, n)
	for i := range p {
		p[i] = i32
	}
	return p
}

var retI32 = []api.ValueType{i32}
