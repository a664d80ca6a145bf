package routing

import (
	"math"
	"strconv"

	"github.com/tidwall/gjson"
)

// Limits that keep a hostile config from costing more than a real one ever needs.
const (
	MaxConfigBytes  = 64 << 10
	MaxDepth        = 8 // nesting levels of targets below the root
	MaxTargets      = 256
	MaxGroupTargets = 64 // one bit per child in the plan's cool-down mask
	MaxWeight       = 1e9
)

// VirtualKey is what a virtual_key resolves to: the provider, the NAME of the environment
// variable that holds its API key (the caller reads it), and provider options.
type VirtualKey struct {
	Provider   string
	APIKeyEnv  string
	CustomHost string
	Options    KnownOptions
}

// VirtualKeyTable resolves virtual keys (from the plugin configuration).
type VirtualKeyTable interface {
	VirtualKey(name string) (VirtualKey, bool)
}

// VirtualKeyMap is a VirtualKeyTable backed by a map.
type VirtualKeyMap map[string]VirtualKey

func (m VirtualKeyMap) VirtualKey(name string) (VirtualKey, bool) {
	vk, ok := m[name]
	return vk, ok
}

// Parser parses configs against the plugin's tables. The zero Parser accepts any provider name
// and rejects virtual keys. A Parser is safe for concurrent Parse calls once set up.
type Parser struct {
	VirtualKeys VirtualKeyTable
	// KnownProvider, when set, rejects provider names it reports false for.
	KnownProvider func(string) bool
	// CacheSize > 0 keeps that many parsed inline configs for Resolve: clients send the same
	// x-portkey-config on every request, and a hit costs a hash instead of a parse.
	CacheSize int

	named map[string]*Config
	cache configCache
}

// Parse parses a config with the zero Parser.
func Parse(raw []byte) (*Config, error) {
	var p Parser
	return p.Parse(raw)
}

// Parse parses and validates raw (the JSON of x-portkey-config or of a named config).
func (p *Parser) Parse(raw []byte) (*Config, error) {
	if len(raw) > MaxConfigBytes {
		return nil, errAt("config", "larger than "+strconv.Itoa(MaxConfigBytes)+" bytes")
	}
	// One copy: strings handed out by the config then never alias the caller's buffer.
	return p.parse(string(raw), "")
}

func fnv64a(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// parse reads s, which the config may keep referring to (so never an unsafe view).
func (p *Parser) parse(s string, id string) (*Config, error) {
	if len(s) > MaxConfigBytes {
		return nil, errAt("config", "larger than "+strconv.Itoa(MaxConfigBytes)+" bytes")
	}
	if !gjson.Valid(s) {
		return nil, errAt("config", "not valid JSON")
	}
	res := gjson.Parse(s)
	if !res.IsObject() {
		return nil, errAt("config", "must be a JSON object")
	}
	ps := parseState{p: p}
	root, err := ps.node(res, "config", nil, 0)
	if err != nil {
		return nil, err
	}
	c := &Config{root: root, id: id, headerProvider: ps.headerProvider, raw: s}
	if id == "" {
		c.hash = fnv64a(s)
	}
	c.maxAttempts = maxAttempts(root)
	return c, nil
}

type parseState struct {
	p              *Parser
	count          int
	headerProvider bool
}

// seen records which keys a target object set, for inheritance (own beats parent's).
type seen struct {
	strategy, targets, retry, cache, host, fwd, strict bool
	legacyMode, legacyOptions                          bool
	any                                                bool
	slug                                               string // provider "@slug"
}

// node parses one target. Its error paths are its target path without the "config." prefix.
func (ps *parseState) node(obj gjson.Result, tpath string, parent *Target, depth int) (*Target, error) {
	path := ""
	if len(tpath) > len("config.") {
		path = tpath[len("config."):]
	}
	ps.count++
	if ps.count > MaxTargets {
		return nil, errAt(rootName(path), "more than "+strconv.Itoa(MaxTargets)+" targets in one config")
	}
	t := &Target{Path: tpath, Weight: 1, defaultIdx: -1}
	var (
		key      string
		s        seen
		strategy gjson.Result
		targets  gjson.Result
		override gjson.Result
		err      error
	)
	obj.ForEach(func(k, v gjson.Result) bool {
		s.any = true
		key = k.Str
		switch key {
		case "strategy":
			s.strategy, strategy = true, v
		case "targets":
			s.targets, targets = true, v
		case "name":
			t.Name, err = str(v, "")
		case "weight":
			if v.Type != gjson.Number || v.Num < 0 {
				err = errAt("", "must be a number >= 0")
			} else if v.Num > MaxWeight {
				err = errAt("", "must be at most 1000000000")
			}
			t.Weight = v.Num
		case "provider":
			t.Provider, err = nonEmpty(v, "")
			if err == nil && t.Provider[0] == '@' {
				// Portkey's "@slug" names a stored provider: our virtual key of that name.
				s.slug, t.Provider = t.Provider[1:], ""
				if s.slug == "" {
					err = errAt("", "must name a provider slug after '@'")
				}
			} else if err == nil && ps.p.KnownProvider != nil && !ps.p.KnownProvider(t.Provider) {
				err = errAt("", "unknown provider "+strconv.Quote(t.Provider))
			}
		case "api_key":
			t.APIKey, err = str(v, "")
		case "virtual_key":
			t.VirtualKey, err = nonEmpty(v, "")
		case "override_params":
			if !v.IsObject() {
				err = errAt("", "must be an object")
			}
			override = v
		case "retry":
			s.retry = true
			t.Retry, err = parseRetry(v, "")
		case "request_timeout":
			if v.Type != gjson.Number || v.Num < 0 || v.Num != math.Trunc(v.Num) || v.Num > 24*3600*1000 {
				err = errAt("", "must be a whole number of milliseconds from 0 to 86400000")
			}
			t.RequestTimeout = int64(v.Num)
		case "custom_host":
			s.host = true
			t.CustomHost, err = parseHost(v, "")
		case "forward_headers":
			s.fwd = true
			t.ForwardHeaders, err = parseForward(v, "")
		case "cache":
			s.cache = true
			t.Cache, err = parseCache(v, "")
		case "strict_open_ai_compliance":
			s.strict = true
			switch v.Type {
			case gjson.True:
				t.Strict = True
			case gjson.False:
				t.Strict = False
			default:
				err = errAt("", "must be true or false")
			}
		case "mode":
			s.legacyMode = true
		case "options":
			s.legacyOptions = true
		case "id", "on_status_codes", "cb_config",
			"before_request_hooks", "after_request_hooks", "input_guardrails", "output_guardrails",
			"default_input_guardrails", "default_output_guardrails", "input_mutators", "output_mutators":
			// Portkey features outside routing; accepted so existing configs keep working.
		default:
			if f := t.Options.Known.field(key); f != nil {
				*f, err = str(v, "")
			} else {
				t.Options.Extra = append(t.Options.Extra, Option{Key: key, Raw: v.Raw})
			}
		}
		return err == nil
	})
	if err != nil {
		// Helpers report paths relative to the key; the full path is built only on failure.
		if ce, ok := err.(*ConfigError); ok {
			kp := join(path, key)
			switch {
			case ce.Path == "":
				ce.Path = kp
			case ce.Path[0] == '[':
				ce.Path = kp + ce.Path
			default:
				ce.Path = kp + "." + ce.Path
			}
		}
		return nil, err
	}
	if s.legacyMode || s.legacyOptions {
		// Legacy: "options", or a strategy name in "mode", without the new strategy/targets.
		legacy := s.legacyOptions
		if m := obj.Get("mode"); m.Str == "single" || m.Str == "fallback" || m.Str == "loadbalance" {
			legacy = true
		}
		if legacy && !s.strategy && !s.targets {
			return nil, errAt(rootName(path), `the legacy "mode"/"options" form is not supported; write {"strategy":{"mode":"fallback"},"targets":[...]} instead`)
		}
		// "mode" next to a strategy is a stray key, not a legacy config.
		if s.legacyMode {
			t.Options.Extra = append(t.Options.Extra, Option{Key: "mode", Raw: obj.Get("mode").Raw})
		}
		if s.legacyOptions {
			t.Options.Extra = append(t.Options.Extra, Option{Key: "options", Raw: obj.Get("options").Raw})
		}
	}

	// Inheritance: a target's own setting beats its parent's; override_params deep-merge.
	if parent != nil {
		if !s.retry {
			t.Retry = parent.Retry
		}
		if !s.cache {
			t.Cache = parent.Cache
		}
		if t.RequestTimeout == 0 { // Portkey treats 0 as unset
			t.RequestTimeout = parent.RequestTimeout
		}
		if !s.host {
			t.CustomHost = parent.CustomHost
		}
		if !s.fwd {
			t.ForwardHeaders = parent.ForwardHeaders
		}
		if !s.strict {
			t.Strict = parent.Strict
		}
		t.OverrideParams = parent.OverrideParams
	}
	if override.Exists() {
		if t.OverrideParams == "" {
			t.OverrideParams = override.Raw
		} else {
			t.OverrideParams = string(appendMerged(make([]byte, 0, len(t.OverrideParams)+len(override.Raw)), gjson.Parse(t.OverrideParams), override))
		}
	}

	switch {
	case s.strategy:
		if !s.targets {
			return nil, errAt(join(path, "targets"), "required when strategy is set")
		}
		if depth >= MaxDepth {
			return nil, errAt(join(path, "targets"), "nesting deeper than "+strconv.Itoa(MaxDepth)+" levels")
		}
		if err := ps.group(t, strategy, targets, path, depth); err != nil {
			return nil, err
		}
	case s.targets:
		return nil, errAt(join(path, "strategy"), "required when targets is set (e.g. {\"mode\":\"fallback\"})")
	default:
		if err := ps.leaf(t, path, s); err != nil {
			return nil, err
		}
	}
	return t, nil
}

func (ps *parseState) leaf(t *Target, path string, s seen) error {
	vkKey := "virtual_key"
	if s.slug != "" {
		if t.VirtualKey != "" && t.VirtualKey != s.slug {
			return errAt(join(path, "provider"), `"@`+s.slug+`" and virtual_key `+strconv.Quote(t.VirtualKey)+" name different providers")
		}
		t.VirtualKey, vkKey = s.slug, "provider"
	}
	if t.VirtualKey != "" {
		if ps.p.VirtualKeys == nil {
			return errAt(join(path, vkKey), "virtual keys are not configured in this gateway")
		}
		vk, ok := ps.p.VirtualKeys.VirtualKey(t.VirtualKey)
		if !ok {
			what := "virtual key " + strconv.Quote(t.VirtualKey)
			if s.slug != "" {
				what = "provider slug " + strconv.Quote("@"+s.slug)
			}
			return errAt(join(path, vkKey), "unknown "+what)
		}
		if t.Provider != "" && vk.Provider != "" && t.Provider != vk.Provider {
			return errAt(join(path, "provider"), strconv.Quote(t.Provider)+" conflicts with virtual key "+
				strconv.Quote(t.VirtualKey)+" (provider "+strconv.Quote(vk.Provider)+")")
		}
		if t.Provider == "" {
			t.Provider = vk.Provider
		}
		if t.APIKey == "" {
			t.APIKeyEnv = vk.APIKeyEnv
		}
		if t.CustomHost == "" {
			t.CustomHost = vk.CustomHost
		}
		t.Options.Known.fillFrom(&vk.Options)
	}
	if t.Provider != "" {
		return nil
	}
	if path == "" && s.any {
		// Portkey takes the provider of such a config ({"retry":...}) from the headers.
		ps.headerProvider = true
		return nil
	}
	return errAt(rootName(path), "needs provider, virtual_key, or strategy and targets")
}

func maxAttempts(t *Target) int {
	switch t.Mode {
	case ModeLeaf:
		return t.Retry.Attempts + 1
	case ModeFallback:
		n := 0
		for _, c := range t.Targets {
			n += maxAttempts(c)
		}
		return n
	}
	n := 0
	for _, c := range t.Targets {
		if m := maxAttempts(c); m > n {
			n = m
		}
	}
	return n
}
