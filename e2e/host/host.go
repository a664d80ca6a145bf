// Package host is a proxy-wasm host on wazero that behaves like Envoy >= 1.39
// (docs/host.md): Envoy's import set, restricted start/allocation phases,
// canary VM, one VM per worker, Envoy's filter-manager semantics for streams,
// properties, shared data, metrics, ticks and http callouts to named clusters.
//
// Use:
//
//	rt, _ := host.NewRuntime(ctx, host.ProfileEnvoy)   // imports + metric store
//	mod, _ := rt.Compile(ctx, wasm)                      // ABI, allocator, link check
//	p, _ := mod.NewPlugin(ctx, host.Config{...})         // canary + Workers VMs
//	s := p.NewStream(sink, host.StreamInfo{Route: ...})  // one HTTP stream
//	s.DecodeHeaders(h, false); s.DecodeData(b, true)     // what the filter passes goes to sink
//	s.EncodeHeaders(rh, false); s.EncodeData(rb, true)
//	for !s.Done() { <-s.Notify(); s.Pump() }             // async continue/local reply
//	s.Finish()                                           // on_log, on_done, on_delete
//
// NewRuntimeWith(ctx, ProfileEnvoy, Options{WASI: WASIKong}) keeps Envoy's
// imports and restricted phases but answers WASI like Kong (poll_oneoff and
// sched_yield fail), so a module that armed a Go timer dies as on Kong.
// Config.Trace, Config.ManualTicks with VM.Tick, and VM.CallGuest let tests
// observe statuses and drive callbacks; package hosttest wraps them.
//
// All Stream methods run on the goroutine that drives the stream; Sink
// methods are called back on that same goroutine, never under the VM lock.
package host

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/tetratelabs/wazero"
)

// Log levels (proxy-wasm): trace .. critical.
const (
	LogTrace = iota
	LogDebug
	LogInfo
	LogWarn
	LogError
	LogCritical
)

// LevelName is Envoy's spelling of a log level.
func LevelName(l int) string {
	switch l {
	case LogTrace:
		return "trace"
	case LogDebug:
		return "debug"
	case LogInfo:
		return "info"
	case LogWarn:
		return "warning"
	case LogError:
		return "error"
	case LogCritical:
		return "critical"
	}
	return "unknown"
}

// Runtime owns a wazero runtime with the host imports of one profile, the
// metric store (Envoy's root stats scope) and the shared-data stores.
type Runtime struct {
	rt      wazero.Runtime
	profile Profile
	funcs   []*hostFunc
	Stats   *Stats

	mu     sync.Mutex
	shared map[string]*sharedStore // by vm_id
}

var (
	cacheOnce sync.Once
	cache     wazero.CompilationCache
)

// compilationCache is process-wide and on disk so repeated test processes
// skip the ~2 s compile of a Go module.
func compilationCache() wazero.CompilationCache {
	cacheOnce.Do(func() {
		dir, err := os.UserCacheDir()
		if err != nil {
			dir = os.TempDir()
		}
		c, err := wazero.NewCompilationCacheWithDir(filepath.Join(dir, "switchyard-wazero"))
		if err != nil {
			c = wazero.NewCompilationCache()
		}
		cache = c
	})
	return cache
}

// NewRuntime creates a runtime for profile (ProfileEnvoy when empty).
func NewRuntime(ctx context.Context, profile Profile) (*Runtime, error) {
	return newRuntime(ctx, profile, Options{})
}

func newRuntime(ctx context.Context, profile Profile, opts Options) (*Runtime, error) {
	if profile == "" {
		profile = ProfileEnvoy
	}
	fs, err := profileFuncs(profile)
	if err == nil && profile == ProfileEnvoy && opts.WASI == WASIKong {
		fs = envoyWithKongWASI()
	} else if err == nil && opts.WASI != "" && opts.WASI != WASIEnvoy && opts.WASI != WASIKong {
		err = fmt.Errorf("host: unknown WASI profile %q", opts.WASI)
	}
	if err != nil {
		return nil, err
	}
	// 16384 pages = 1 GiB, cpp-host's PROXY_WASM_HOST_MAX_WASM_MEMORY_SIZE_BYTES.
	cfg := wazero.NewRuntimeConfig().WithCompilationCache(compilationCache()).
		WithMemoryLimitPages(16384).WithCloseOnContextDone(false)
	rt := wazero.NewRuntimeWithConfig(ctx, cfg)
	if err := instantiateImports(ctx, rt, fs); err != nil {
		rt.Close(ctx)
		return nil, err
	}
	return &Runtime{rt: rt, profile: profile, funcs: fs, Stats: NewStats(), shared: map[string]*sharedStore{}}, nil
}

// Close releases the runtime and every module instantiated from it.
func (r *Runtime) Close(ctx context.Context) error { return r.rt.Close(ctx) }

func (r *Runtime) sharedFor(vmID string) *sharedStore {
	r.mu.Lock()
	defer r.mu.Unlock()
	s, ok := r.shared[vmID]
	if !ok {
		s = newSharedStore()
		r.shared[vmID] = s
	}
	return s
}

const (
	abi021 = "0_2_1"
	abi020 = "0_2_0"
)

// Module is a compiled plugin whose ABI version and imports were checked.
type Module struct {
	rt  *Runtime
	cm  wazero.CompiledModule
	ABI string
}

// Compile compiles wasm once and validates it like cpp-host does at load:
// ABI export, allocator, imports.
func (r *Runtime) Compile(ctx context.Context, wasm []byte) (*Module, error) {
	cm, err := r.rt.CompileModule(ctx, wasm)
	if err != nil {
		return nil, fmt.Errorf("host: compile: %w", err)
	}
	ex := cm.ExportedFunctions()
	abi := ""
	switch {
	case ex["proxy_abi_version_0_2_1"] != nil:
		abi = abi021
	case ex["proxy_abi_version_0_2_0"] != nil:
		abi = abi020
	case ex["proxy_abi_version_0_1_0"] != nil:
		return nil, errors.New("host: ABI 0.1.0 modules are not supported by this host")
	default:
		return nil, errors.New("host: wasm missing proxy_abi_version_* export (unknown ABI version)")
	}
	if ex["malloc"] == nil && ex["proxy_on_memory_allocate"] == nil {
		return nil, errors.New("host: Wasm module is missing malloc function")
	}
	if err := checkImports(cm, r.funcs, abi); err != nil {
		return nil, err
	}
	return &Module{rt: r, cm: cm, ABI: abi}, nil
}

// Config is one plugin (Envoy PluginConfig + VmConfig + the bits of the
// bootstrap the host needs).
type Config struct {
	Name, RootID, VMID string
	// Configuration is PluginConfig.configuration (buffer 7 during on_configure).
	Configuration []byte
	// VMConfiguration is VmConfig.configuration (buffer 6).
	VMConfiguration []byte
	// Env is vm_config.environment_variables.key_values; HostEnvKeys are
	// copied from this process' environment.
	Env         map[string]string
	HostEnvKeys []string
	// AllowOnHeadersStopIteration is PluginConfig field 9.
	AllowOnHeadersStopIteration bool
	// Workers is the number of VMs (Envoy: one per worker thread). Default 1.
	Workers int
	// Clusters maps cluster names usable by proxy_http_call to base URLs.
	Clusters map[string]string
	// BufferLimit is per_connection_buffer_limit_bytes (default 1 MiB).
	BufferLimit int
	// LogLevel is the level reported by proxy_get_log_level and below which
	// proxy_log is dropped (default info).
	LogLevel *int
	// Logger receives plugin logs, already prefixed like Envoy
	// ("wasm log <name> <root_id> <vm_id>: msg"). Default: stderr.
	Logger func(level int, msg string)
	// HTTPClient performs http_call requests (default: a private client).
	HTTPClient *http.Client
	// Now is the realtime clock (default time.Now).
	Now func() time.Time
	// Trace, when set, is told of every guest callback that returned, every
	// foreign function, http callout and set_effective_context the guest
	// called (tests assert filter statuses with it). It runs with the VM
	// locked: it must not call back into the host.
	Trace func(Event)
	// ManualTicks keeps the host from firing proxy_on_tick on its own; the
	// test fires ticks with VM.Tick.
	ManualTicks bool
}

func (c *Config) logLevel() int {
	if c.LogLevel == nil {
		return LogInfo
	}
	return *c.LogLevel
}
