// Command gateway runs Switchyard locally: the plugin module inside the
// e2e/host proxy-wasm host behind a small HTTP front (what `make run` starts).
// Without -config it uses an embedded configuration whose clusters are the
// built-in mock providers.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"switchyard/e2e/gateway"
	"switchyard/e2e/host"
)

type clusterFlags map[string]string

func (c clusterFlags) String() string { return fmt.Sprint(map[string]string(c)) }

func (c clusterFlags) Set(v string) error {
	name, url, ok := strings.Cut(v, "=")
	if !ok || name == "" || url == "" {
		return fmt.Errorf("want NAME=URL, got %q", v)
	}
	c[name] = url
	return nil
}

func main() {
	log.SetFlags(log.LstdFlags | log.LUTC)
	if err := run(os.Args[1:]); err != nil {
		log.Fatal(err)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("gateway", flag.ContinueOnError)
	configPath := fs.String("config", "", "gateway config JSON file (default: embedded, mock providers)")
	listen := fs.String("listen", "127.0.0.1:10000", "listener address")
	admin := fs.String("admin", "", "admin listener address (/ready, /stats/prometheus); default from config")
	wasmPath := fs.String("wasm", "dist/switchyard.wasm", "plugin module")
	workers := fs.Int("workers", 0, "VMs (Envoy worker threads); default from config")
	clusters := clusterFlags{}
	fs.Var(clusters, "cluster", "NAME=URL cluster override (repeatable; mock://NAME = built-in mock)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg := gateway.DefaultConfig()
	if *configPath != "" {
		c, err := gateway.LoadConfig(*configPath)
		if err != nil {
			return err
		}
		cfg = c
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if set["listen"] || *configPath == "" && cfg.Listen == "" {
		cfg.Listen = *listen
	}
	if set["admin"] {
		cfg.Admin = *admin
	}
	if *workers > 0 {
		cfg.Workers = *workers
	}
	if cfg.Clusters == nil {
		cfg.Clusters = map[string]string{}
	}
	for k, v := range clusters {
		cfg.Clusters[k] = v
	}
	cfg.WasmPath = *wasmPath
	// The embedded default carries mock keys so `make run` answers without any; a key exported in
	// the gateway's own environment wins, so pointing a cluster at the real provider only takes
	// `OPENAI_API_KEY=... -cluster openai=https://api.openai.com`.
	for k := range cfg.Plugin.Env {
		if v := os.Getenv(k); v != "" {
			cfg.Plugin.Env[k] = v
		}
	}
	cfg.Logger = func(level int, msg string) { log.Printf("[%s] %s", host.LevelName(level), msg) }
	cfg.AccessLog = func(e gateway.AccessEntry) {
		var b strings.Builder
		fmt.Fprintf(&b, "[access] %s %s %d cluster=%s", e.Method, e.Path, e.Status, e.Cluster)
		if e.Details != "" {
			fmt.Fprintf(&b, " details=%s", e.Details)
		}
		keys := make([]string, 0, len(e.FilterState))
		for k := range e.FilterState {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, " %s=%q", k, e.FilterState[k])
		}
		fmt.Fprintf(&b, " %dms", e.Duration.Milliseconds())
		log.Print(b.String())
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	g, err := gateway.Start(ctx, cfg)
	if err != nil {
		return err
	}
	log.Printf("switchyard gateway listening on %s (admin %s, %d workers, module %s)", g.URL(), g.AdminURL(), cfg.Workers, cfg.WasmPath)
	for name := range cfg.Clusters {
		log.Printf("cluster %s -> %s", name, g.ClusterURL(name))
	}
	<-ctx.Done()
	log.Printf("shutting down")
	return g.Close()
}
