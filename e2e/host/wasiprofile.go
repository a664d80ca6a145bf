package host

import "context"

// WASIProfile picks the semantics of the WASI functions independently of the
// env set, so one host can be Envoy in every respect but WASI and show what a
// module does on a host whose poll_oneoff fails (host.md §1.5, §6.2).
type WASIProfile string

const (
	// WASIEnvoy is cpp-host >= 94091cd (Envoy >= 1.39): poll_oneoff reports
	// zero events at once, sched_yield succeeds, proc_exit only logs.
	WASIEnvoy WASIProfile = "envoy"
	// WASIKong is ngx_wasi_preview1_host.c (Kong ngx_wasm_module 0.6, §1.6):
	// 18 functions under wasi_snapshot_preview1 only; poll_oneoff and
	// sched_yield answer 58, so a Go module that armed a timer dies at its
	// next GC; proc_exit traps. With ProfileEnvoy, Envoy's restricted phases
	// still apply and the environment is still Config.Env/HostEnvKeys.
	WASIKong WASIProfile = "kong"
)

// Options are runtime settings beyond the profile.
type Options struct {
	// WASI overrides the profile's WASI semantics (default: the profile's own;
	// ProfileKong always uses WASIKong).
	WASI WASIProfile
}

// NewRuntimeWith is NewRuntime with options.
func NewRuntimeWith(ctx context.Context, profile Profile, opts Options) (*Runtime, error) {
	return newRuntime(ctx, profile, opts)
}

// envoyWithKongWASI is Envoy's env set (with Envoy's restricted phases) and
// Kong's WASI functions, each keeping Envoy's start/allocation allow-list.
func envoyWithKongWASI() []*hostFunc {
	envoyWASI := map[string]*hostFunc{}
	for _, f := range wasiFuncs() {
		envoyWASI[f.name] = f
	}
	out := envFuncs()
	for _, f := range kongWASI() {
		f.module = "wasi_snapshot_preview1"
		if e := envoyWASI[f.name]; e != nil {
			f.startOK, f.allocOK = e.startOK, e.allocOK
		}
		out = append(out, f)
	}
	return out
}
