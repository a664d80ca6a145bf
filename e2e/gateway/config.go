// Package gateway is a small HTTP front on top of e2e/host: Envoy's
// connection manager and router (listener, route picking the cluster from a
// request header, clusters as base URLs, route timeout, streaming without
// buffering) plus an admin listener with /ready and /stats/prometheus.
package gateway

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"
)

// Config is the gateway config file (contracts.md).
type Config struct {
	Listen           string            `json:"listen"`
	Admin            string            `json:"admin"`
	Workers          int               `json:"workers"`
	Route            RouteConfig       `json:"route"`
	BufferLimitBytes int               `json:"buffer_limit_bytes"`
	Clusters         map[string]string `json:"clusters"`
	Plugin           PluginConfig      `json:"plugin"`

	// WasmPath is the module to load when Wasm is empty.
	WasmPath string `json:"-"`
	Wasm     []byte `json:"-"`
	// Logger receives plugin and gateway logs (default: stderr).
	Logger func(level int, msg string) `json:"-"`
	// AccessLog, when set, receives one entry per finished stream.
	AccessLog func(AccessEntry) `json:"-"`
	// HTTPClient overrides the client used for upstreams and http_call
	// (e.g. to trust a test TLS server).
	HTTPClient *http.Client `json:"-"`
}

// AccessEntry is what Envoy's access log would show for a stream.
type AccessEntry struct {
	Method, Path, Authority string
	Status                  int
	// Details is %RESPONSE_CODE_DETAILS% for local replies and resets.
	Details string
	Cluster string
	// FilterState holds set_property values under "wasm.<path>".
	FilterState map[string][]byte
	Duration    time.Duration
	Reset       bool
}

// RouteConfig is the single route: cluster from a header, else the default.
type RouteConfig struct {
	ClusterHeader  string `json:"cluster_header"`
	DefaultCluster string `json:"default_cluster"`
	TimeoutMS      int    `json:"timeout_ms"`
}

// PluginConfig is Envoy's PluginConfig + VmConfig for the one Wasm filter.
type PluginConfig struct {
	Name                        string            `json:"name"`
	RootID                      string            `json:"root_id"`
	VMID                        string            `json:"vm_id"`
	AllowOnHeadersStopIteration bool              `json:"allow_on_headers_stop_iteration"`
	Env                         map[string]string `json:"env"`
	HostEnvKeys                 []string          `json:"host_env_keys"`
	// Configuration is passed to the plugin as JSON text (Envoy: a
	// StringValue, or a Struct rendered as JSON).
	Configuration json.RawMessage `json:"configuration"`
	// VMConfiguration is vm_config.configuration.
	VMConfiguration json.RawMessage `json:"vm_configuration,omitempty"`
}

//go:embed default.json
var defaultJSON []byte

// DefaultConfig is the embedded configuration `make run` uses: clusters on
// the built-in mock providers.
func DefaultConfig() Config {
	c, err := ParseConfig(defaultJSON)
	if err != nil {
		panic("gateway: embedded default.json: " + err.Error())
	}
	return c
}

// LoadConfig reads a config file.
func LoadConfig(path string) (Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Config{}, err
	}
	return ParseConfig(b)
}

// ParseConfig parses and completes a config (defaults of contracts.md).
func ParseConfig(b []byte) (Config, error) {
	var c Config
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return Config{}, fmt.Errorf("gateway config: %w", err)
	}
	c.setDefaults()
	return c, nil
}

func (c *Config) setDefaults() {
	if c.Listen == "" {
		c.Listen = "127.0.0.1:10000"
	}
	if c.Workers <= 0 {
		c.Workers = 1
	}
	if c.Route.ClusterHeader == "" {
		c.Route.ClusterHeader = "x-switchyard-cluster"
	}
	if c.Route.TimeoutMS <= 0 {
		c.Route.TimeoutMS = 300000
	}
	if c.BufferLimitBytes <= 0 {
		c.BufferLimitBytes = 1 << 20
	}
	if c.Plugin.Name == "" {
		c.Plugin.Name = "switchyard"
	}
	if c.Plugin.RootID == "" {
		c.Plugin.RootID = c.Plugin.Name
	}
	if c.Plugin.VMID == "" {
		c.Plugin.VMID = c.Plugin.Name
	}
	c.Route.ClusterHeader = strings.ToLower(c.Route.ClusterHeader)
}
