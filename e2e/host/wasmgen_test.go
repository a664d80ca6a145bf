package host

// A tiny WebAssembly binary writer for link-time tests (modules with chosen
// imports and exports; function bodies do nothing).

type wfunc struct {
	params, results []byte // 0x7f i32, 0x7e i64
}

type wimport struct {
	mod, name string
	sig       wfunc
}

type wexport struct {
	name string
	sig  wfunc
}

func uleb(b []byte, v uint32) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v != 0 {
			b = append(b, c|0x80)
		} else {
			return append(b, c)
		}
	}
}

func wname(b []byte, s string) []byte { return append(uleb(b, uint32(len(s))), s...) }

func section(b []byte, id byte, body []byte) []byte {
	return append(uleb(append(b, id), uint32(len(body))), body...)
}

// buildWasm returns a module importing imports and exporting funcs plus a
// memory named "memory".
func buildWasm(imports []wimport, exports []wexport) []byte {
	var types []wfunc
	typeIdx := func(f wfunc) uint32 {
		for i, t := range types {
			if string(t.params) == string(f.params) && string(t.results) == string(f.results) {
				return uint32(i)
			}
		}
		types = append(types, f)
		return uint32(len(types) - 1)
	}
	var imp, fn, exp, code []byte
	imp = uleb(imp, uint32(len(imports)))
	for _, i := range imports {
		imp = wname(wname(imp, i.mod), i.name)
		imp = uleb(append(imp, 0), typeIdx(i.sig))
	}
	fn = uleb(fn, uint32(len(exports)))
	code = uleb(code, uint32(len(exports)))
	exp = uleb(exp, uint32(len(exports)+1))
	for n, e := range exports {
		fn = uleb(fn, typeIdx(e.sig))
		exp = uleb(append(wname(exp, e.name), 0), uint32(len(imports)+n))
		var body []byte
		body = append(body, 0) // no locals
		for _, r := range e.sig.results {
			if r == 0x7e {
				body = append(body, 0x42, 0)
			} else {
				body = append(body, 0x41, 0)
			}
		}
		body = append(body, 0x0b)
		code = append(uleb(code, uint32(len(body))), body...)
	}
	exp = append(wname(exp, "memory"), 2, 0)
	var ty []byte
	ty = uleb(ty, uint32(len(types)))
	for _, t := range types {
		ty = append(ty, 0x60)
		ty = append(uleb(ty, uint32(len(t.params))), t.params...)
		ty = append(uleb(ty, uint32(len(t.results))), t.results...)
	}
	out := []byte{0, 'a', 's', 'm', 1, 0, 0, 0}
	out = section(out, 1, ty)
	out = section(out, 2, imp)
	out = section(out, 3, fn)
	out = section(out, 5, []byte{1, 0, 1})
	out = section(out, 7, exp)
	out = section(out, 10, code)
	return out
}

var (
	sigVoid   = wfunc{}
	sigAlloc  = wfunc{params: []byte{0x7f}, results: []byte{0x7f}}
	sigLog    = wfunc{params: []byte{0x7f, 0x7f, 0x7f}, results: []byte{0x7f}}
	abiExport = wexport{"proxy_abi_version_0_2_1", sigVoid}
	malloc    = wexport{"malloc", sigAlloc}
)
