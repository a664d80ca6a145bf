package host

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"sort"
	"sync/atomic"
	"time"
)

// Plugin is a configured plugin running in Workers VMs.
type Plugin struct {
	mod     *Module
	cfg     Config
	environ []string
	shared  *sharedStore
	client  *http.Client
	vms     []*VM
	next    atomic.Uint32
	closed  atomic.Bool
}

// NewPlugin starts a canary VM (start + configure, then thrown away, like
// cpp-host's WasmHandleBase::canary) and then cfg.Workers VMs.
func (m *Module) NewPlugin(ctx context.Context, cfg Config) (*Plugin, error) {
	if cfg.Workers <= 0 {
		cfg.Workers = 1
	}
	if cfg.BufferLimit <= 0 {
		cfg.BufferLimit = 1 << 20
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	p := &Plugin{mod: m, cfg: cfg, shared: m.rt.sharedFor(cfg.VMID)}
	p.client = cfg.HTTPClient
	if p.client == nil {
		p.client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}}
	}
	p.environ = buildEnviron(cfg)
	if m.rt.profile == ProfileKong {
		p.environ = os.Environ() // Kong exposes the whole nginx environment
	}
	canary, err := p.newVM(ctx, -1)
	if err != nil {
		return nil, fmt.Errorf("host: canary: %w", err)
	}
	canary.close(ctx)
	for i := 0; i < cfg.Workers; i++ {
		vm, err := p.newVM(ctx, i)
		if err != nil {
			p.Close(ctx)
			return nil, err
		}
		p.vms = append(p.vms, vm)
	}
	return p, nil
}

// buildEnviron follows Envoy's EnvironmentVariables: host_env_keys copied
// from the process environment, then key_values; nothing else.
func buildEnviron(cfg Config) []string {
	var out []string
	for _, k := range cfg.HostEnvKeys {
		if v, ok := os.LookupEnv(k); ok {
			out = append(out, k+"="+v)
		}
	}
	keys := make([]string, 0, len(cfg.Env))
	for k := range cfg.Env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		out = append(out, k+"="+cfg.Env[k])
	}
	return out
}

// Config returns the plugin configuration the plugin was built with.
func (p *Plugin) Config() Config { return p.cfg }

// VMs exposes the worker VMs (tests inspect them).
func (p *Plugin) VMs() []*VM { return p.vms }

func (p *Plugin) now() time.Time { return p.cfg.Now() }

func (p *Plugin) logf(level int, msg string) {
	if level < p.cfg.logLevel() {
		return
	}
	line := "wasm log " + p.cfg.Name + " " + p.cfg.RootID + " " + p.cfg.VMID + ": " + msg
	if p.cfg.Logger != nil {
		p.cfg.Logger(level, line)
		return
	}
	fmt.Fprintf(os.Stderr, "[%s] %s\n", LevelName(level), line)
}

// pickVM spreads streams over worker VMs round-robin, as connections spread
// over Envoy workers.
func (p *Plugin) pickVM() *VM {
	n := p.next.Add(1)
	return p.vms[int(n-1)%len(p.vms)]
}

// Close stops ticks and releases every VM.
func (p *Plugin) Close(ctx context.Context) {
	if p.closed.Swap(true) {
		return
	}
	for _, vm := range p.vms {
		vm.close(ctx)
	}
}
