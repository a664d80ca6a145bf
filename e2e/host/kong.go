package host

import (
	"fmt"
	"time"

	"github.com/tetratelabs/wazero/api"
)

// ProfileKong is Kong ngx_wasm_module 0.6 at link time (host.md §1.6):
// Kong's env names (those whose signature is known), proxy_get_log_level
// with Kong's (i32,i32) signature, traps for the functions Kong leaves
// unimplemented, Kong's 18 WASI functions (sched_yield and poll_oneoff fail
// with 58, proc_exit traps, environ is the whole process environment) and no
// restricted phases. Stream semantics stay Envoy's: use it to check that a
// module links and starts on Kong, not for Kong's HTTP behaviour.
const ProfileKong Profile = "kong-ngx-wasm-0.6"

// kongEnv lists Kong's env names in kong-ngx-wasm-0.6.txt order.
var kongEnv = []string{
	"proxy_log", "proxy_get_log_level", "proxy_get_current_time_nanoseconds", "proxy_set_effective_context",
	"proxy_context_finalize", "proxy_done", "proxy_create_timer", "proxy_delete_timer",
	"proxy_set_tick_period_milliseconds", "proxy_get_buffer", "proxy_get_buffer_bytes", "proxy_set_buffer",
	"proxy_set_buffer_bytes", "proxy_get_map_values", "proxy_get_header_map_pairs", "proxy_get_header_map_value",
	"proxy_set_map_values", "proxy_set_header_map_pairs", "proxy_add_header_map_value",
	"proxy_replace_header_map_value", "proxy_remove_header_map_value", "proxy_get_property", "proxy_set_property",
	"proxy_resume_stream", "proxy_resume_downstream", "proxy_resume_upstream", "proxy_continue_stream",
	"proxy_close_stream", "proxy_resume_http_stream", "proxy_continue_request", "proxy_continue_response",
	"proxy_send_http_response", "proxy_send_local_response", "proxy_dispatch_http_call", "proxy_http_call",
	"proxy_dispatch_grpc_call", "proxy_grpc_call", "proxy_open_grpc_stream", "proxy_grpc_stream",
	"proxy_send_grpc_stream_message", "proxy_grpc_send", "proxy_cancel_grpc_call", "proxy_grpc_cancel",
	"proxy_close_grpc_call", "proxy_grpc_close", "proxy_get_status", "proxy_open_shared_kvstore",
	"proxy_get_shared_kvstore_key_values", "proxy_get_shared_data", "proxy_set_shared_kvstore_key_values",
	"proxy_set_shared_data", "proxy_add_shared_kvstore_key_values", "proxy_remove_shared_kvstore_key",
	"proxy_delete_shared_kvstore", "proxy_open_shared_queue", "proxy_register_shared_queue",
	"proxy_dequeue_shared_queue_item", "proxy_dequeue_shared_queue", "proxy_enqueue_shared_queue_item",
	"proxy_enqueue_shared_queue", "proxy_delete_shared_queue", "proxy_resolve_shared_queue", "proxy_create_metric",
	"proxy_define_metric", "proxy_get_metric_value", "proxy_get_metric", "proxy_set_metric_value",
	"proxy_record_metric", "proxy_increment_metric_value", "proxy_increment_metric", "proxy_delete_metric",
	"proxy_call_custom_function", "proxy_call_foreign_function", "proxy_get_configuration",
	"proxy_clear_route_cache", "ngx_log",
}

// kongTraps are present in Kong but trap when called ("host trap (function
// not yet implemented)").
var kongTraps = map[string]bool{
	"proxy_get_log_level": true, "proxy_done": true, "proxy_context_finalize": true, "proxy_close_stream": true,
	"proxy_continue_response": true, "proxy_resume_stream": true, "proxy_resume_downstream": true,
	"proxy_resume_upstream": true, "proxy_resume_http_stream": true, "proxy_grpc_call": true,
	"proxy_grpc_stream": true, "proxy_grpc_send": true, "proxy_grpc_cancel": true, "proxy_grpc_close": true,
	"proxy_get_status": true, "proxy_resolve_shared_queue": true, "proxy_clear_route_cache": true,
}

// kongOnly are Kong names outside Envoy's set whose signature is known
// (0.1.0 names and vNEXT aliases of 0.2.x functions).
func kongOnly(name string) *hostFunc {
	f := func(p []api.ValueType, fn func(*VM, []uint64)) *hostFunc {
		return &hostFunc{module: "env", name: name, params: p, results: retI32, fn: fn}
	}
	switch name {
	case "proxy_get_configuration":
		return f(params(2), func(vm *VM, s []uint64) {
			s[0] = uint64(vm.copyOut(vm.plugin.cfg.Configuration, uint32(s[0]), uint32(s[1])))
		})
	case "proxy_continue_request":
		return f(nil, func(vm *VM, s []uint64) { s[0] = 0; proxyContinueStream(vm, s) })
	case "proxy_continue_response", "proxy_clear_route_cache":
		return f(nil, nil)
	case "proxy_dispatch_http_call":
		return f(params(10), proxyHTTPCall)
	case "proxy_send_http_response":
		return f(params(8), proxySendLocalResponse)
	case "proxy_get_buffer":
		return f(params(5), proxyGetBufferBytes)
	case "proxy_set_buffer":
		return f(params(5), proxySetBufferBytes)
	}
	return nil
}

func kongFuncs() []*hostFunc {
	envoy := map[string]*hostFunc{}
	for _, f := range envFuncs() {
		envoy[f.name] = f
	}
	var out []*hostFunc
	for _, name := range kongEnv {
		f := envoy[name]
		if f == nil {
			f = kongOnly(name)
		}
		if f == nil {
			continue // signature unknown: not offered
		}
		g := *f
		switch {
		case name == "proxy_get_log_level":
			g.params = params(2)
		case name == "proxy_set_effective_context":
			g.fn = func(_ *VM, s []uint64) { s[0] = statusOk } // a no-op in Kong
		case name == "proxy_get_header_map_size" || name == "proxy_get_buffer_status":
			continue
		}
		if kongTraps[name] {
			msg := "host trap (function not yet implemented): " + name
			g.fn = func(*VM, []uint64) { panic(fmt.Errorf("%s", msg)) }
		}
		out = append(out, &g)
	}
	for _, f := range kongWASI() {
		f.module = "wasi_snapshot_preview1"
		out = append(out, f)
	}
	for _, f := range out {
		f.startOK, f.allocOK = true, true // Kong has no restricted phases
	}
	return out
}

// kongWASI is ngx_wasi_preview1_host.c.
func kongWASI() []*hostFunc {
	ret := func(code uint64) func(*VM, []uint64) { return func(_ *VM, s []uint64) { s[0] = code } }
	f := func(name string, p []api.ValueType, fn func(*VM, []uint64)) *hostFunc {
		return &hostFunc{name: name, params: p, results: retI32, fn: fn}
	}
	I, L := i32, i64
	return []*hostFunc{
		f("args_get", tv(I, I), ret(errnoSuccess)),
		f("args_sizes_get", tv(I, I), wasiArgsSizesGet),
		f("clock_time_get", tv(I, L, I), func(vm *VM, s []uint64) {
			if uint32(s[0]) == 1 { // nginx's cached monotonic clock: millisecond granularity
				t := uint64(time.Since(processStart).Milliseconds()) * uint64(time.Millisecond)
				if !vm.mem.WriteUint64Le(uint32(s[2]), t) {
					s[0] = errnoFault
					return
				}
				s[0] = errnoSuccess
				return
			}
			wasiClockTimeGet(vm, s)
		}),
		f("environ_get", tv(I, I), wasiEnvironGet),
		f("environ_sizes_get", tv(I, I), wasiEnvironSizesGet),
		f("fd_close", tv(I), ret(errnoBadf)),
		f("fd_fdstat_get", tv(I, I), ret(errnoBadf)),
		f("fd_fdstat_set_flags", tv(I, I), ret(errnoBadf)),
		f("fd_prestat_get", tv(I, I), ret(errnoBadf)),
		f("fd_prestat_dir_name", tv(I, I, I), ret(errnoNotsup)),
		f("fd_read", tv(I, I, I, I), ret(errnoBadf)),
		f("fd_seek", tv(I, L, I, I), ret(errnoBadf)),
		f("fd_write", tv(I, I, I, I), wasiFdWrite),
		f("path_open", tv(I, I, I, I, I, L, L, I, I), ret(54)),
		{name: "proc_exit", params: tv(I), fn: func(*VM, []uint64) { panic(fmt.Errorf("proc_exit: NYI")) }},
		f("random_get", tv(I, I), wasiRandomGet),
		f("sched_yield", nil, func(vm *VM, s []uint64) { vm.yieldCalls++; s[0] = errnoNotsup }),
		f("poll_oneoff", tv(I, I, I, I), func(vm *VM, s []uint64) { vm.pollCalls++; s[0] = errnoNotsup }),
	}
}
