package routing

import (
	"strconv"
	"strings"
)

// AddNamed parses and keeps a config under a name, so x-portkey-config may carry the name
// instead of JSON. Call it while loading the plugin configuration; a bad config is reported
// then, not on a request.
func (p *Parser) AddNamed(name string, raw []byte) error {
	if name == "" || strings.HasPrefix(strings.TrimSpace(name), "{") {
		return errAt("configs", "a config name must be non-empty and must not start with '{'")
	}
	c, err := p.parse(string(raw), "n:"+name)
	if err != nil {
		if ce, ok := err.(*ConfigError); ok {
			return &ConfigError{Path: "configs[" + strconv.Quote(name) + "]." + ce.Path, Msg: ce.Msg}
		}
		return err
	}
	if p.named == nil {
		p.named = make(map[string]*Config)
	}
	p.named[name] = c
	return nil
}

// Named returns a config added with AddNamed.
func (p *Parser) Named(name string) (*Config, bool) {
	c, ok := p.named[name]
	return c, ok
}

// HeaderProvider is the header-only way to pick a provider: x-portkey-provider, the key from
// Authorization (without "Bearer "), and provider settings from x-portkey-* headers.
type HeaderProvider struct {
	Provider string
	APIKey   string
	// VirtualKey is x-portkey-virtual-key: it stands for provider and key when Provider is empty.
	VirtualKey string
	Options    KnownOptions
}

// Resolve turns the request's routing headers into a config: x-portkey-config as JSON (it
// starts with '{') or as the name of a config from the plugin configuration; without it, the
// header-only form (a single attempt). A config without a provider of its own (Portkey's
// {"retry":{...}} form) takes it from hp. configHeader must be an ordinary immutable string,
// never an unsafe view of a reused buffer: the returned (and cached) config refers to it.
func (p *Parser) Resolve(configHeader string, hp HeaderProvider) (*Config, error) {
	v := strings.TrimSpace(configHeader)
	var c *Config
	switch {
	case v == "":
		return p.FromHeaders(hp)
	case v[0] == '{':
		var err error
		if c, err = p.inline(v); err != nil {
			return nil, err
		}
	default:
		var ok bool
		if c, ok = p.named[v]; !ok {
			return nil, errAt("x-portkey-config", "no config named "+strconv.Quote(v)+" in the gateway configuration (inline configs must be JSON objects)")
		}
	}
	return c.WithHeaderProvider(hp)
}

// FromHeaders is the header-only form: one leaf at path "config".
func (p *Parser) FromHeaders(hp HeaderProvider) (*Config, error) {
	// With the gateway's stored keys a request names only the provider: its config is the same
	// every time, and building it costs three allocations (~2 µs in wasm). Configs carrying a
	// client's key are never kept.
	plain := p.CacheSize > 0 && hp.Provider != "" && hp.APIKey == "" && hp.VirtualKey == "" && hp.Options == (KnownOptions{})
	if plain {
		cc := &p.cache
		cc.mu.Lock()
		c := cc.byProvider[hp.Provider]
		cc.mu.Unlock()
		if c != nil {
			return c, nil
		}
		// The kept config must not pin the request's header block (the name may alias it).
		hp.Provider = strings.Clone(hp.Provider)
	}
	c, err := p.fromHeaders(hp)
	if plain && err == nil {
		cc := &p.cache
		cc.mu.Lock()
		if cc.byProvider == nil {
			cc.byProvider = make(map[string]*Config)
		}
		// Only known providers get here, so the map stays small; the bound is a backstop.
		if len(cc.byProvider) < 256 {
			cc.byProvider[hp.Provider] = c
		}
		cc.mu.Unlock()
	}
	return c, err
}

func (p *Parser) fromHeaders(hp HeaderProvider) (*Config, error) {
	t := &Target{Path: "config", Weight: 1, defaultIdx: -1, Provider: hp.Provider, APIKey: hp.APIKey}
	t.Options.Known = hp.Options
	if hp.Provider == "" && hp.VirtualKey != "" {
		if p.VirtualKeys == nil {
			return nil, errAt("x-portkey-virtual-key", "virtual keys are not configured in this gateway")
		}
		vk, ok := p.VirtualKeys.VirtualKey(hp.VirtualKey)
		if !ok {
			return nil, errAt("x-portkey-virtual-key", "unknown virtual key "+strconv.Quote(hp.VirtualKey))
		}
		t.Provider, t.VirtualKey, t.CustomHost = vk.Provider, hp.VirtualKey, vk.CustomHost
		if t.APIKey == "" {
			t.APIKeyEnv = vk.APIKeyEnv
		}
		t.Options.Known.fillFrom(&vk.Options)
	}
	if t.Provider == "" {
		return nil, errAt("x-portkey-provider", "required when x-portkey-config is not sent (or send x-portkey-virtual-key)")
	}
	if p.KnownProvider != nil && !p.KnownProvider(t.Provider) {
		return nil, errAt("x-portkey-provider", "unknown provider "+strconv.Quote(t.Provider))
	}
	return &Config{root: t, id: "p:" + t.Provider, maxAttempts: 1}, nil
}

// WithHeaderProvider fills a provider-less root from the headers; other configs are returned
// as they are. The original (possibly shared) config is never modified.
func (c *Config) WithHeaderProvider(hp HeaderProvider) (*Config, error) {
	if !c.headerProvider {
		return c, nil
	}
	if hp.Provider == "" {
		return nil, errAt("config", "needs provider, virtual_key, or strategy and targets (or send x-portkey-provider)")
	}
	cc := *c
	root := *c.root
	root.Provider = hp.Provider
	if root.APIKey == "" {
		root.APIKey = hp.APIKey
	}
	root.Options.Known.fillFrom(&hp.Options)
	cc.root = &root
	cc.headerProvider = false
	return &cc, nil
}

// APIKeyFromAuthorization is the provider key of the header-only form: the Authorization value
// without its "Bearer " prefix (Portkey removes the first "Bearer " and keeps the rest as is).
func APIKeyFromAuthorization(v string) string {
	if i := strings.Index(v, "Bearer "); i >= 0 {
		return v[:i] + v[i+len("Bearer "):]
	}
	return v
}
