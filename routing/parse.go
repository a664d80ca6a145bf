package routing

import (
	"math"
	"net/url"
	"strconv"
	"strings"

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

	named map[string]*Config
}

// Parse parses a config with the zero Parser.
func Parse(raw []byte) (*Config, error) {
	var p Parser
	return p.Parse(raw)
}

// Parse parses and validates raw (the JSON of x-portkey-config or of a named config).
func (p *Parser) Parse(raw []byte) (*Config, error) {
	return p.parse(raw, "")
}

func fnv64a(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}

func (p *Parser) parse(raw []byte, id string) (*Config, error) {
	if len(raw) > MaxConfigBytes {
		return nil, errAt("config", "larger than "+strconv.Itoa(MaxConfigBytes)+" bytes")
	}
	// One copy: strings handed out by the config then never alias the caller's buffer.
	s := string(raw)
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
	c := &Config{root: root, id: id, headerProvider: ps.headerProvider}
	if id == "" {
		c.hash = fnv64a(raw)
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
			if err == nil && ps.p.KnownProvider != nil && !ps.p.KnownProvider(t.Provider) {
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
	if t.VirtualKey != "" {
		if ps.p.VirtualKeys == nil {
			return errAt(join(path, "virtual_key"), "virtual keys are not configured in this gateway")
		}
		vk, ok := ps.p.VirtualKeys.VirtualKey(t.VirtualKey)
		if !ok {
			return errAt(join(path, "virtual_key"), "unknown virtual key "+strconv.Quote(t.VirtualKey))
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

func (ps *parseState) group(t *Target, strategy, targets gjson.Result, path string, depth int) error {
	sp := func() string { return join(path, "strategy") }
	if !strategy.IsObject() {
		return errAt(sp(), "must be an object")
	}
	mode := strategy.Get("mode")
	switch {
	case !mode.Exists():
		return errAt(join(sp(), "mode"), "required (one of single, loadbalance, fallback, conditional)")
	case mode.Type != gjson.String:
		return errAt(join(sp(), "mode"), "must be one of single, loadbalance, fallback, conditional")
	}
	switch mode.Str {
	case "single":
		t.Mode = ModeSingle
	case "loadbalance":
		t.Mode = ModeLoadbalance
	case "fallback":
		t.Mode = ModeFallback
	case "conditional":
		t.Mode = ModeConditional
	default:
		return errAt(join(sp(), "mode"), "must be one of single, loadbalance, fallback, conditional (got "+strconv.Quote(mode.Str)+")")
	}
	if c := strategy.Get("on_status_codes"); c.Exists() {
		codes, err := parseCodes(c, "")
		if err != nil {
			ce := err.(*ConfigError)
			ce.Path = join(sp(), "on_status_codes") + ce.Path
			return err
		}
		if err != nil {
			return err
		}
		t.onStatusCodes, t.hasOnStatus = codes, true
	}

	tp := func() string { return join(path, "targets") }
	if !targets.IsArray() {
		return errAt(tp(), "must be an array of targets")
	}
	arr := targets.Array()
	if len(arr) == 0 {
		return errAt(tp(), "must hold at least one target")
	}
	if len(arr) > MaxGroupTargets {
		return errAt(tp(), "more than "+strconv.Itoa(MaxGroupTargets)+" targets in one group")
	}
	t.Targets = make([]*Target, len(arr))
	for i, v := range arr {
		if !v.IsObject() {
			return errAt(index(path, "targets", i), "must be an object")
		}
		child, err := ps.node(v, t.Path+".targets["+strconv.Itoa(i)+"]", t, depth+1)
		if err != nil {
			return err
		}
		t.Targets[i] = child
		t.totalWeight += child.Weight
	}
	switch t.Mode {
	case ModeLoadbalance:
		if t.totalWeight <= 0 {
			return errAt(tp(), "every weight is 0; a loadbalance needs at least one target with weight > 0")
		}
		if st := strategy.Get("sticky"); st.Exists() {
			f, err := parseSticky(st, join(sp(), "sticky"))
			if err != nil {
				return err
			}
			t.sticky = f
		}
	case ModeConditional:
		return ps.conditional(t, strategy, path)
	}
	return nil
}

func (ps *parseState) conditional(t *Target, strategy gjson.Result, path string) error {
	sp := func() string { return join(path, "strategy") }
	names := make(map[string]int, len(t.Targets))
	for i, c := range t.Targets {
		if c.Name == "" {
			continue
		}
		if _, dup := names[c.Name]; dup {
			return errAt(index(path, "targets", i)+".name", "duplicate target name "+strconv.Quote(c.Name))
		}
		names[c.Name] = i
	}
	find := func(v gjson.Result, p func() string) (int, error) {
		if v.Type != gjson.String || v.Str == "" {
			return 0, errAt(p(), "must be the name of a target")
		}
		i, ok := names[v.Str]
		if !ok {
			return 0, errAt(p(), "no target named "+strconv.Quote(v.Str)+" in "+join(path, "targets"))
		}
		return i, nil
	}
	conds := strategy.Get("conditions")
	cp := func() string { return join(sp(), "conditions") }
	if !conds.Exists() {
		return errAt(cp(), "required for mode conditional")
	}
	if !conds.IsArray() {
		return errAt(cp(), "must be an array of {\"query\":{...},\"then\":\"<target name>\"}")
	}
	list := conds.Array()
	t.conditions = make([]condition, len(list))
	for i, c := range list {
		ip := func() string { return index(sp(), "conditions", i) }
		if !c.IsObject() {
			return errAt(ip(), "must be an object {\"query\":{...},\"then\":\"<target name>\"}")
		}
		q := c.Get("query")
		if !q.Exists() {
			return errAt(join(ip(), "query"), "required")
		}
		node, err := compileQuery(q, join(ip(), "query"))
		if err != nil {
			return err
		}
		then := c.Get("then")
		if !then.Exists() {
			return errAt(join(ip(), "then"), "required")
		}
		idx, err := find(then, func() string { return join(ip(), "then") })
		if err != nil {
			return err
		}
		t.conditions[i] = condition{q: node, then: idx}
	}
	if d := strategy.Get("default"); d.Exists() {
		idx, err := find(d, func() string { return join(sp(), "default") })
		if err != nil {
			return err
		}
		t.defaultIdx = idx
	}
	return nil
}

func str(v gjson.Result, p string) (string, error) {
	if v.Type != gjson.String {
		return "", errAt(p, "must be a string")
	}
	return v.Str, nil
}

func nonEmpty(v gjson.Result, p string) (string, error) {
	if v.Type != gjson.String || v.Str == "" {
		return "", errAt(p, "must be a non-empty string")
	}
	return v.Str, nil
}

func parseCodes(v gjson.Result, p string) ([]int, error) {
	if !v.IsArray() {
		return nil, errAt(p, "must be an array of HTTP status codes")
	}
	codes := make([]int, 0, 8)
	i := 0
	var err error
	v.ForEach(func(_, c gjson.Result) bool {
		if c.Type != gjson.Number || c.Num != math.Trunc(c.Num) || c.Num < 100 || c.Num > 599 {
			err = errAt(p+"["+strconv.Itoa(i)+"]", "must be an HTTP status code from 100 to 599")
			return false
		}
		codes = append(codes, int(c.Num))
		i++
		return true
	})
	return codes, err
}

func parseRetry(v gjson.Result, p string) (Retry, error) {
	var r Retry
	if !v.IsObject() {
		return r, errAt(p, "must be an object {\"attempts\":N}")
	}
	a := v.Get("attempts")
	if !a.Exists() {
		return r, errAt(join(p, "attempts"), "required")
	}
	if a.Type != gjson.Number || a.Num != math.Trunc(a.Num) || a.Num < 0 || a.Num > MaxRetryAttempts {
		return r, errAt(join(p, "attempts"), "must be a whole number from 0 to 5")
	}
	r.Attempts = int(a.Num)
	r.OnStatusCodes = DefaultRetryStatusCodes
	if c := v.Get("on_status_codes"); c.Exists() {
		codes, err := parseCodes(c, join(p, "on_status_codes"))
		if err != nil {
			return r, err
		}
		r.OnStatusCodes = codes
	}
	if u := v.Get("use_retry_after_header"); u.Exists() {
		switch u.Type {
		case gjson.True:
			r.UseRetryAfterHeader = true
		case gjson.False:
		default:
			return r, errAt(join(p, "use_retry_after_header"), "must be true or false")
		}
	}
	return r, nil
}

func parseCache(v gjson.Result, p string) (Cache, error) {
	var c Cache
	mode := v
	if v.IsObject() {
		mode = v.Get("mode")
		if !mode.Exists() {
			return c, errAt(join(p, "mode"), "required (simple or semantic)")
		}
		if m := v.Get("max_age"); m.Exists() {
			if m.Type != gjson.Number || m.Num < 0 || m.Num != math.Trunc(m.Num) {
				return c, errAt(join(p, "max_age"), "must be a whole number of seconds >= 0")
			}
			c.MaxAge = int64(m.Num)
		}
		p = join(p, "mode")
	} else if v.Type != gjson.String {
		return c, errAt(p, "must be an object {\"mode\":\"simple\"} or a mode string")
	}
	if mode.Type != gjson.String || (mode.Str != "simple" && mode.Str != "semantic") {
		return c, errAt(p, "must be simple or semantic")
	}
	c.Mode = mode.Str
	return c, nil
}

func parseForward(v gjson.Result, p string) ([]string, error) {
	if !v.IsArray() {
		return nil, errAt(p, "must be an array of header names")
	}
	out := []string{} // an own empty list beats the parent's, as in Portkey ([] is truthy)
	i := 0
	var err error
	v.ForEach(func(_, h gjson.Result) bool {
		ip := p + "[" + strconv.Itoa(i) + "]"
		i++
		if h.Type != gjson.String || h.Str == "" {
			err = errAt(ip, "must be a header name")
			return false
		}
		if strings.EqualFold(h.Str, "x-portkey-forward-headers") {
			err = errAt(ip, "must not be x-portkey-forward-headers")
			return false
		}
		out = append(out, strings.ToLower(h.Str))
		return true
	})
	return out, err
}

func parseHost(v gjson.Result, p string) (string, error) {
	if v.Type != gjson.String {
		return "", errAt(p, "must be an http(s) URL string")
	}
	u, err := url.Parse(v.Str)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		strings.ContainsAny(v.Str, " \t\r\n@") {
		return "", errAt(p, "must be an http(s) URL without credentials, e.g. https://llm.internal:8443/v1")
	}
	return v.Str, nil
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
