// Command probe is a purpose-built proxy-wasm guest for the host tests. Its
// plugin configuration is a script: one "<event> <command> <args...>" per
// line; each command logs "<event> <command>: <result>" with proxy_log.
// Events: vm_start configure ctx_create req_headers req_body req_body_eos
// req_body_more resp_headers resp_body resp_body_eos resp_body_more log done
// delete tick callout queue.
package main

import (
	"encoding/binary"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
	"unsafe"
)

func main() {}

func init() {
	switch os.Getenv("PROBE_INIT") {
	case "log":
		logInfo("init log")
	case "tick":
		proxySetTickPeriod(10) // not allowed during _initialize: traps
	}
}

var (
	script  = map[string][][]string{}
	metrics = map[string]uint32{}
	callers = map[uint32]uint32{} // http_call token -> stream context
	current uint32
	lastTok uint32
	rootCtx uint32
)

// trace logs a callback line unless the script says "quiet on" (benchmarks).
func trace(format string, args ...any) {
	if len(script["quiet"]) > 0 {
		return
	}
	logInfo(fmt.Sprintf(format, args...))
}

func run(event string, def uint32) uint32 {
	held = held[:0]
	ret := def
	for _, c := range script[event] {
		if c[0] == "return" {
			n, _ := strconv.Atoi(c[1])
			ret = uint32(n)
			continue
		}
		res := exec(c)
		logInfo(event + " " + c[0] + ": " + res)
	}
	return ret
}

//go:wasmexport proxy_on_context_create
func onContextCreate(id, parent uint32) {
	if parent == 0 {
		rootCtx = id
		return
	}
	current = id
	run("ctx_create", 0)
}

//go:wasmexport proxy_on_vm_start
func onVMStart(id, size uint32) uint32 {
	var p, l uint32
	proxyGetBufferBytes(6, 0, size, unsafe.Pointer(&p), unsafe.Pointer(&l))
	script = map[string][][]string{}
	parse(string(hostBytes(p, l)))
	return run("vm_start", 1)
}

// parse adds script lines; the VM configuration holds vm_start lines, the
// plugin configuration the rest.
func parse(cfg string) {
	for _, line := range strings.Split(cfg, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || strings.HasPrefix(f[0], "#") {
			continue
		}
		script[f[0]] = append(script[f[0]], f[1:])
	}
}

//go:wasmexport proxy_on_configure
func onConfigure(id, size uint32) uint32 {
	var p, l uint32
	st := proxyGetBufferBytes(7, 0, size, unsafe.Pointer(&p), unsafe.Pointer(&l))
	cfg := string(hostBytes(p, l))
	if st != 0 || uint32(len(cfg)) != size {
		logInfo(fmt.Sprintf("configure: buffer status=%d len=%d size=%d", st, len(cfg), size))
	}
	parse(cfg)
	return run("configure", 1)
}

func body(ev string, eos uint32) string {
	if eos != 0 {
		return ev + "_eos"
	}
	return ev + "_more"
}

//go:wasmexport proxy_on_request_headers
func onRequestHeaders(id, n, eos uint32) uint32 {
	current = id
	trace("req_headers n=%d eos=%d", n, eos)
	return run("req_headers", 0)
}

//go:wasmexport proxy_on_request_body
func onRequestBody(id, size, eos uint32) uint32 {
	current = id
	trace("req_body size=%d eos=%d", size, eos)
	r := run("req_body", 0)
	if len(script[body("req_body", eos)]) > 0 {
		r = run(body("req_body", eos), r)
	}
	return r
}

//go:wasmexport proxy_on_response_headers
func onResponseHeaders(id, n, eos uint32) uint32 {
	current = id
	trace("resp_headers n=%d eos=%d", n, eos)
	return run("resp_headers", 0)
}

//go:wasmexport proxy_on_response_body
func onResponseBody(id, size, eos uint32) uint32 {
	current = id
	trace("resp_body size=%d eos=%d", size, eos)
	r := run("resp_body", 0)
	if len(script[body("resp_body", eos)]) > 0 {
		r = run(body("resp_body", eos), r)
	}
	return r
}

//go:wasmexport proxy_on_log
func onLog(id uint32) {
	current = id
	trace("log ctx=%d", id)
	run("log", 0)
}

//go:wasmexport proxy_on_done
func onDone(id uint32) uint32 {
	trace("done ctx=%d", id)
	run("done", 0)
	return 1
}

//go:wasmexport proxy_on_delete
func onDelete(id uint32) {
	trace("delete ctx=%d", id)
	run("delete", 0)
}

//go:wasmexport proxy_on_tick
func onTick(id uint32) {
	trace("tick ctx=%d", id)
	run("tick", 0)
}

//go:wasmexport proxy_on_http_call_response
func onHTTPCallResponse(id, token, nh, bs, nt uint32) {
	lastTok = token
	trace("callout ctx=%d token=%d headers=%d body=%d trailers=%d", id, token, nh, bs, nt)
	run("callout", 0)
}

//go:wasmexport proxy_on_queue_ready
func onQueueReady(id, token uint32) {
	trace("queue ctx=%d token=%d", id, token)
	run("queue", 0)
}

func num(s string) uint32 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return uint32(n)
}

func arg(c []string, i int) string {
	if i < len(c) {
		if c[i] == "-" {
			return ""
		}
		return strings.ReplaceAll(c[i], "\\s", " ")
	}
	return ""
}

func encodePairs(spec string) []byte {
	var kv [][2]string
	for _, p := range strings.Split(spec, ",") {
		if p == "" {
			continue
		}
		k, v, _ := strings.Cut(p, "=")
		kv = append(kv, [2]string{k, strings.ReplaceAll(v, "\\s", " ")})
	}
	b := binary.LittleEndian.AppendUint32(nil, uint32(len(kv)))
	for _, p := range kv {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(p[0])))
		b = binary.LittleEndian.AppendUint32(b, uint32(len(p[1])))
	}
	for _, p := range kv {
		b = append(append(append(append(b, p[0]...), 0), p[1]...), 0)
	}
	return b
}

func decodePairs(b []byte) string {
	if len(b) < 4 {
		return ""
	}
	n := binary.LittleEndian.Uint32(b)
	data := b[4+8*n:]
	var out []string
	for i := uint32(0); i < n; i++ {
		kl := binary.LittleEndian.Uint32(b[4+8*i:])
		vl := binary.LittleEndian.Uint32(b[8+8*i:])
		out = append(out, string(data[:kl])+"="+string(data[kl+1:kl+1+vl]))
		data = data[kl+vl+2:]
	}
	return strings.Join(out, ";")
}

func exec(c []string) string {
	var p, l, u uint32
	P, L, U := unsafe.Pointer(&p), unsafe.Pointer(&l), unsafe.Pointer(&u)
	a := func(i int) string { return arg(c, i) }
	switch c[0] {
	case "log":
		m := a(2)
		return fmt.Sprintf("status=%d", proxyLog(num(a(1)), ptr(m), uint32(len(m))))
	case "log_level":
		st := proxyGetLogLevel(P)
		return fmt.Sprintf("status=%d level=%d", st, p)
	case "get_header":
		k := a(2)
		st := proxyGetHeaderMapValue(num(a(1)), ptr(k), uint32(len(k)), P, L)
		return fmt.Sprintf("status=%d value=%q ptr0=%v", st, hostBytes(p, l), p == 0)
	case "add_header", "replace_header":
		k, v := a(2), a(3)
		f := proxyAddHeaderMapValue
		if c[0] == "replace_header" {
			f = proxyReplaceHeaderMapValue
		}
		return fmt.Sprintf("status=%d", f(num(a(1)), ptr(k), uint32(len(k)), ptr(v), uint32(len(v))))
	case "remove_header":
		k := a(2)
		return fmt.Sprintf("status=%d", proxyRemoveHeaderMapValue(num(a(1)), ptr(k), uint32(len(k))))
	case "get_pairs":
		st := proxyGetHeaderMapPairs(num(a(1)), P, L)
		return fmt.Sprintf("status=%d ptr=%v len=%d %s", st, p != 0, l, decodePairs(hostBytes(p, l)))
	case "set_pairs":
		b := encodePairs(a(2))
		if a(2) == "" {
			b = nil
		}
		return fmt.Sprintf("status=%d", proxySetHeaderMapPairs(num(a(1)), bptr(b), uint32(len(b))))
	case "set_pairs_raw": // hex blob
		b := unhex(a(2))
		return fmt.Sprintf("status=%d", proxySetHeaderMapPairs(num(a(1)), bptr(b), uint32(len(b))))
	case "map_size":
		st := proxyGetHeaderMapSize(num(a(1)), P)
		return fmt.Sprintf("status=%d size=%d", st, p)
	case "buffer_status":
		st := proxyGetBufferStatus(num(a(1)), P, L)
		return fmt.Sprintf("status=%d len=%d flags=%d", st, p, l)
	case "get_body":
		st := proxyGetBufferBytes(num(a(1)), num(a(2)), num(a(3)), P, L)
		return fmt.Sprintf("status=%d %q", st, hostBytes(p, l))
	case "set_body":
		d := a(4)
		return fmt.Sprintf("status=%d", proxySetBufferBytes(num(a(1)), num(a(2)), num(a(3)), ptr(d), uint32(len(d))))
	case "get_property":
		path := strings.ReplaceAll(a(1), "/", "\x00")
		st := proxyGetProperty(ptr(path), uint32(len(path)), P, L)
		v := hostBytes(p, l)
		if a(2) == "int" && len(v) == 8 {
			return fmt.Sprintf("status=%d int=%d", st, int64(binary.LittleEndian.Uint64(v)))
		}
		if a(2) == "pairs" {
			return fmt.Sprintf("status=%d %s", st, decodePairs(v))
		}
		return fmt.Sprintf("status=%d %q", st, v)
	case "set_property":
		path, v := strings.ReplaceAll(a(1), "/", "\x00"), a(2)
		return fmt.Sprintf("status=%d", proxySetProperty(ptr(path), uint32(len(path)), ptr(v), uint32(len(v))))
	case "local_response":
		d, b := a(2), a(3)
		h := encodePairs(a(4))
		return fmt.Sprintf("status=%d", proxySendLocalResponse(num(a(1)), ptr(d), uint32(len(d)), ptr(b), uint32(len(b)), bptr(h), uint32(len(h)), -1))
	case "continue":
		return fmt.Sprintf("status=%d", proxyContinueStream(num(a(1))))
	case "close":
		return fmt.Sprintf("status=%d", proxyCloseStream(num(a(1))))
	case "http_call": // cluster timeout headers(k=v,...) body
		cl, b := a(1), a(4)
		h := encodePairs(a(3))
		st := proxyHTTPCall(ptr(cl), uint32(len(cl)), bptr(h), uint32(len(h)), ptr(b), uint32(len(b)), nil, 0, num(a(2)), P)
		if st == 0 {
			callers[p] = current
		}
		return fmt.Sprintf("status=%d token=%d", st, p)
	case "resume_caller": // set effective context to the stream that made the last call
		return fmt.Sprintf("status=%d", proxySetEffectiveContext(callers[lastTok]))
	case "set_effective":
		return fmt.Sprintf("status=%d", proxySetEffectiveContext(num(a(1))))
	case "get_status":
		st := proxyGetStatus(U, P, L)
		return fmt.Sprintf("status=%d code=%d msg=%q", st, u, hostBytes(p, l))
	case "set_shared":
		k, v := a(1), a(2)
		return fmt.Sprintf("status=%d", proxySetSharedData(ptr(k), uint32(len(k)), ptr(v), uint32(len(v)), num(a(3))))
	case "get_shared":
		k := a(1)
		st := proxyGetSharedData(ptr(k), uint32(len(k)), P, L, U)
		return fmt.Sprintf("status=%d value=%q cas=%d", st, hostBytes(p, l), u)
	case "define_metric":
		n := a(2)
		st := proxyDefineMetric(num(a(1)), ptr(n), uint32(len(n)), P)
		metrics[n] = p
		return fmt.Sprintf("status=%d id=%d", st, p)
	case "inc", "record", "get_metric":
		id, ok := metrics[a(1)]
		if !ok {
			id = num(a(1))
		}
		switch c[0] {
		case "inc":
			d, _ := strconv.ParseInt(a(2), 10, 64)
			return fmt.Sprintf("status=%d", proxyIncrementMetric(id, d))
		case "record":
			d, _ := strconv.ParseUint(a(2), 10, 64)
			return fmt.Sprintf("status=%d", proxyRecordMetric(id, d))
		}
		var v uint64
		st := proxyGetMetric(id, unsafe.Pointer(&v))
		return fmt.Sprintf("status=%d value=%d", st, int64(v))
	case "tick":
		return fmt.Sprintf("status=%d", proxySetTickPeriod(num(a(1))))
	case "time":
		var t int64
		st := proxyGetCurrentTime(unsafe.Pointer(&t))
		return fmt.Sprintf("status=%d recent=%v", st, time.Since(time.Unix(0, t)).Abs() < time.Minute)
	case "foreign":
		n := a(1)
		st := proxyCallForeignFunction(ptr(n), uint32(len(n)), nil, 0, P, L)
		return fmt.Sprintf("status=%d", st)
	case "register_queue":
		n := a(1)
		return fmt.Sprintf("status=%d token=%d", proxyRegisterSharedQueue(ptr(n), uint32(len(n)), P), p)
	case "resolve_queue":
		v, n := a(1), a(2)
		return fmt.Sprintf("status=%d token=%d", proxyResolveSharedQueue(ptr(v), uint32(len(v)), ptr(n), uint32(len(n)), P), p)
	case "enqueue":
		v := a(2)
		return fmt.Sprintf("status=%d", proxyEnqueueSharedQueue(num(a(1)), ptr(v), uint32(len(v))))
	case "dequeue":
		st := proxyDequeueSharedQueue(num(a(1)), P, L)
		return fmt.Sprintf("status=%d value=%q", st, hostBytes(p, l))
	case "done":
		return fmt.Sprintf("status=%d", proxyDone())
	case "env":
		v, ok := os.LookupEnv(a(1))
		return fmt.Sprintf("%q %v environ=%d", v, ok, len(os.Environ()))
	case "stdout":
		fmt.Println(a(1))
		return "ok"
	case "stderr":
		fmt.Fprintln(os.Stderr, a(1))
		return "ok"
	case "sleep":
		start := time.Now()
		time.Sleep(time.Duration(num(a(1))) * time.Millisecond)
		return fmt.Sprintf("slept=%v", time.Since(start) >= time.Duration(num(a(1)))*time.Millisecond)
	case "churn": // allocate N MiB in 64 KiB pieces to force GCs
		var keep [][]byte
		for i := uint32(0); i < num(a(1))*16; i++ {
			keep = append(keep, make([]byte, 64<<10))
			if len(keep) > 8 {
				keep = keep[1:]
			}
		}
		return "ok"
	case "bad_ptr": // out-of-bounds guest pointers
		bad := unsafe.Pointer(uintptr(0xfffffff0))
		return fmt.Sprintf("log=%d get_header=%d property=%d set_body=%d",
			proxyLog(2, bad, 100), proxyGetHeaderMapValue(0, ptr(":path"), 5, bad, bad),
			proxyGetProperty(bad, 100, P, L), proxySetBufferBytes(0, 0, 0, bad, 64))
	case "exit":
		os.Exit(3)
		return "returned"
	case "alloc_hook":
		allocHook = a(1)
		return "ok"
	case "panic":
		panic("probe panic")
	}
	return "unknown command"
}

func unhex(s string) []byte {
	b := make([]byte, len(s)/2)
	for i := range b {
		v, _ := strconv.ParseUint(s[2*i:2*i+2], 16, 8)
		b[i] = byte(v)
	}
	return b
}
