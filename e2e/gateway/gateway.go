package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"switchyard/e2e/host"
	"switchyard/e2e/providers"
)

// Gateway is a running front: listener, admin listener, plugin VMs and the
// in-process mock providers behind mock:// clusters.
type Gateway struct {
	cfg      Config
	rt       *host.Runtime
	plugin   *host.Plugin
	clusters map[string]*url.URL
	client   *http.Client
	timeout  time.Duration

	ln, adminLn net.Listener
	srv, admin  *http.Server
	mocks       []*http.Server
	connID      atomic.Uint64
	ready       atomic.Bool
}

// Start loads the module, starts the plugin VMs, the mock providers and both
// listeners. Use Listen "127.0.0.1:0" in tests and read URL().
func Start(ctx context.Context, cfg Config) (*Gateway, error) {
	cfg.setDefaults()
	g := &Gateway{cfg: cfg, clusters: map[string]*url.URL{}, timeout: time.Duration(cfg.Route.TimeoutMS) * time.Millisecond}
	g.client = cfg.HTTPClient
	if g.client == nil {
		g.client = defaultClient()
	}
	ok := false
	defer func() {
		if !ok {
			g.Close()
		}
	}()
	raw := map[string]string{}
	for name, u := range cfg.Clusters {
		resolved, err := g.resolveCluster(name, u)
		if err != nil {
			return nil, err
		}
		raw[name] = resolved
		pu, err := url.Parse(resolved)
		if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
			return nil, fmt.Errorf("gateway: cluster %s: bad URL %q", name, u)
		}
		g.clusters[name] = pu
	}
	wasm := cfg.Wasm
	if wasm == nil {
		path := cfg.WasmPath
		if path == "" {
			path = "dist/switchyard.wasm"
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("gateway: read module: %w", err)
		}
		wasm = b
	}
	rt, err := host.NewRuntime(ctx, host.ProfileEnvoy)
	if err != nil {
		return nil, err
	}
	g.rt = rt
	mod, err := rt.Compile(ctx, wasm)
	if err != nil {
		return nil, err
	}
	pc := cfg.Plugin
	g.plugin, err = mod.NewPlugin(ctx, host.Config{
		Name: pc.Name, RootID: pc.RootID, VMID: pc.VMID,
		Configuration: anyToBytes(pc.Configuration), VMConfiguration: anyToBytes(pc.VMConfiguration),
		Env: pc.Env, HostEnvKeys: pc.HostEnvKeys, AllowOnHeadersStopIteration: pc.AllowOnHeadersStopIteration,
		Workers: cfg.Workers, Clusters: raw, BufferLimit: cfg.BufferLimitBytes, Logger: cfg.Logger,
		HTTPClient: g.client,
	})
	if err != nil {
		return nil, err
	}
	if g.ln, err = net.Listen("tcp", cfg.Listen); err != nil {
		return nil, err
	}
	g.srv = &http.Server{Handler: g, ReadHeaderTimeout: 30 * time.Second}
	go g.srv.Serve(g.ln)
	if cfg.Admin != "" {
		if g.adminLn, err = net.Listen("tcp", cfg.Admin); err != nil {
			return nil, err
		}
		g.admin = &http.Server{Handler: g.adminMux(), ReadHeaderTimeout: 30 * time.Second}
		go g.admin.Serve(g.adminLn)
	}
	g.ready.Store(true)
	ok = true
	return g, nil
}

// defaultClient talks HTTP/1.1 to clusters, never follows redirects and
// never adds Accept-Encoding (the router forwards bytes as they are).
func defaultClient() *http.Client {
	return &http.Client{
		Transport: &http.Transport{MaxIdleConnsPerHost: 256, DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// anyToBytes is Envoy's anyToBytes for the config forms a JSON file can
// express: a string (StringValue) is passed as its raw value, anything else
// (Struct) as JSON text.
func anyToBytes(raw json.RawMessage) []byte {
	var s string
	if len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, &s) == nil {
		return []byte(s)
	}
	return []byte(raw)
}

// resolveCluster starts mock://NAME providers on loopback.
func (g *Gateway) resolveCluster(name, u string) (string, error) {
	mock, isMock := strings.CutPrefix(u, "mock://")
	if !isMock {
		return u, nil
	}
	h := providers.Lookup(mock)
	if h == nil {
		return "", fmt.Errorf("gateway: cluster %s: no mock provider %q", name, mock)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 30 * time.Second}
	g.mocks = append(g.mocks, srv)
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), nil
}

// URL is the listener's base URL.
func (g *Gateway) URL() string { return "http://" + g.ln.Addr().String() }

// AdminURL is the admin listener's base URL ("" without admin).
func (g *Gateway) AdminURL() string {
	if g.adminLn == nil {
		return ""
	}
	return "http://" + g.adminLn.Addr().String()
}

// ClusterURL is the resolved base URL of a cluster (mock clusters included).
func (g *Gateway) ClusterURL(name string) string {
	if u, ok := g.clusters[name]; ok {
		return u.String()
	}
	return ""
}

// Plugin exposes the plugin (tests inspect VMs).
func (g *Gateway) Plugin() *host.Plugin { return g.plugin }

// Stats is the Wasm metric store.
func (g *Gateway) Stats() *host.Stats { return g.rt.Stats }

// Close stops listeners, VMs and mock providers.
func (g *Gateway) Close() error {
	g.ready.Store(false)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var errs []error
	if g.srv != nil {
		errs = append(errs, g.srv.Shutdown(ctx))
	} else if g.ln != nil {
		g.ln.Close()
	}
	if g.admin != nil {
		errs = append(errs, g.admin.Shutdown(ctx))
	} else if g.adminLn != nil {
		g.adminLn.Close()
	}
	for _, m := range g.mocks {
		m.Close()
	}
	if g.plugin != nil {
		g.plugin.Close(ctx)
	}
	if g.rt != nil {
		g.rt.Close(ctx)
	}
	if t, ok := g.client.Transport.(*http.Transport); ok {
		t.CloseIdleConnections()
	}
	for _, e := range errs {
		if e != nil && !errors.Is(e, context.DeadlineExceeded) {
			return e
		}
	}
	return nil
}

func (g *Gateway) adminMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/ready", func(w http.ResponseWriter, r *http.Request) {
		if !g.ready.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "PRE_INITIALIZING")
			return
		}
		fmt.Fprintln(w, "LIVE")
	})
	mux.HandleFunc("/stats", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		g.rt.Stats.WriteText(w)
	})
	mux.HandleFunc("/stats/prometheus", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		g.rt.Stats.WritePrometheus(w)
	})
	return mux
}

// route is the route table: the cluster named by the cluster header, else
// the default cluster.
func (g *Gateway) route(h *host.Headers) (string, string) {
	if c, ok := h.Get(g.cfg.Route.ClusterHeader); ok && c != "" {
		return c, "default"
	}
	return g.cfg.Route.DefaultCluster, "default"
}
