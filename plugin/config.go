package plugin

import (
	"encoding/hex"
	"errors"
	"os"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"switchyard/routing"
	"switchyard/translate"
)

const (
	defaultClusterHeader        = "x-switchyard-cluster"
	defaultMaxRequestBodyBytes  = 1 << 20
	defaultMaxResponseBodyBytes = 4 << 20
	defaultMaxSSELineBytes      = 1 << 20
	// defaultTickMS is the back-off clock's resolution.
	defaultTickMS = 20
)

// Attempt modes (attempt_mode).
const (
	modeAuto uint8 = iota
	modeInline
	modeCallout
)

// config is the parsed plugin configuration (README "Plugin configuration"). It is immutable
// once built, so a failed reconfiguration leaves the previous one serving.
type config struct {
	clusterHeader        string
	maxRequestBodyBytes  int
	maxResponseBodyBytes int
	maxSSELineBytes      int
	requestDeadlineMS    int64
	attemptMode          uint8
	providers            map[string]*provider
	// customHosts maps an allowed base URL (no trailing slash) to its cluster.
	customHosts map[string]string
	// gatewayKeys holds SHA-256 digests of the accepted gateway keys.
	gatewayKeys [][32]byte
	// storedKeysOpen lets unauthenticated requests use stored provider keys and virtual keys
	// (allow_unauthenticated_stored_keys).
	storedKeysOpen bool
	// envKeys caches the values of every api_key_env named by a virtual key, read once.
	envKeys map[string]string
	parser  routing.Parser
	// kong selects Kong's behaviour ("proxy": "kong"). Envoy (the default) holds the request
	// headers until the body is known and calls the foreign function clear_route_cache after the
	// rewrite. Kong hangs a request whose headers callback pauses when no body callback follows
	// (body-less requests), traps on unknown foreign functions and cannot hold a response at its
	// headers, so plans that may retry run as callouts there.
	kong bool
	// accessLog: one JSON line per request at info level (access_log).
	accessLog bool
}

type provider struct {
	id        string
	cluster   string
	host      string // authority override; "" = the catalogue's (placeholders filled)
	apiKeyEnv string
	// apiKey is the stored key read from apiKeyEnv; it must never reach a log line.
	apiKey  string
	options routing.KnownOptions
	entry   *translate.Provider
}

// authenticated reports whether stored keys may be used by a request that passed (or did not
// need) gateway authentication.
func (c *config) storedKeysUsable() bool { return c.storedKeysOpen || len(c.gatewayKeys) > 0 }

// parseConfig validates the configuration and reads API keys with getenv. Errors name the exact
// field so an operator can fix the config from one log line; they never contain a key.
func parseConfig(data []byte, getenv func(string) string) (*config, error) {
	if len(data) == 0 {
		return nil, errors.New("plugin configuration is empty; expected a JSON object with \"providers\"")
	}
	if !gjson.ValidBytes(data) {
		return nil, errors.New("plugin configuration is not valid JSON")
	}
	root := gjson.ParseBytes(data)
	if !root.IsObject() {
		return nil, errors.New("plugin configuration must be a JSON object")
	}
	c := &config{clusterHeader: defaultClusterHeader, maxRequestBodyBytes: defaultMaxRequestBodyBytes,
		maxResponseBodyBytes: defaultMaxResponseBodyBytes, maxSSELineBytes: defaultMaxSSELineBytes,
		envKeys: map[string]string{}}
	var err error
	seenProviders := false
	var virtualKeys, configs gjson.Result
	intField := func(name string, v gjson.Result, dst *int) bool {
		n, ok := positiveInt(v)
		if !ok {
			err = errors.New(name + " must be a positive integer (got " + v.Raw + ")")
			return false
		}
		*dst = n
		return true
	}
	root.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "cluster_header":
			if v.Type != gjson.String || !validHeaderName(v.Str) {
				err = errors.New("cluster_header must be a lowercase HTTP header name (got " + v.Raw + ")")
				return false
			}
			if strings.HasPrefix(v.Str, "x-portkey-") {
				err = errors.New("cluster_header must not start with x-portkey- (those headers are stripped)")
				return false
			}
			c.clusterHeader = v.Str
		case "max_request_body_bytes":
			return intField(k.Str, v, &c.maxRequestBodyBytes)
		case "max_response_body_bytes":
			return intField(k.Str, v, &c.maxResponseBodyBytes)
		case "max_sse_line_bytes":
			return intField(k.Str, v, &c.maxSSELineBytes)
		case "request_deadline_ms":
			var n int
			if !intField(k.Str, v, &n) {
				return false
			}
			c.requestDeadlineMS = int64(n)
		case "proxy":
			switch {
			case v.Type == gjson.String && v.Str == "envoy":
			case v.Type == gjson.String && v.Str == "kong":
				c.kong = true
			default:
				err = errors.New("proxy must be \"envoy\" or \"kong\" (got " + v.Raw + ")")
				return false
			}
		case "attempt_mode":
			switch {
			case v.Type == gjson.String && v.Str == "auto":
				c.attemptMode = modeAuto
			case v.Type == gjson.String && v.Str == "inline":
				c.attemptMode = modeInline
			case v.Type == gjson.String && v.Str == "callout":
				c.attemptMode = modeCallout
			default:
				err = errors.New("attempt_mode must be \"auto\", \"inline\" or \"callout\" (got " + v.Raw + ")")
				return false
			}
		case "providers":
			seenProviders = true
			c.providers, err = parseProviders(v, getenv)
			return err == nil
		case "virtual_keys":
			if !v.IsObject() {
				err = errors.New("virtual_keys must be a JSON object mapping a virtual key to its provider settings")
				return false
			}
			virtualKeys = v
		case "configs":
			if !v.IsObject() {
				err = errors.New("configs must be a JSON object mapping a name to a routing config")
				return false
			}
			configs = v
		case "custom_hosts":
			c.customHosts, err = parseCustomHosts(v)
			return err == nil
		case "gateway_keys":
			c.gatewayKeys, err = parseGatewayKeys(v)
			return err == nil
		case "allow_unauthenticated_stored_keys":
			if v.Type != gjson.True && v.Type != gjson.False {
				err = errors.New("allow_unauthenticated_stored_keys must be true or false (got " + v.Raw + ")")
				return false
			}
			c.storedKeysOpen = v.Type == gjson.True
		case "access_log":
			if v.Type != gjson.True && v.Type != gjson.False {
				err = errors.New("access_log must be true or false (got " + v.Raw + ")")
				return false
			}
			c.accessLog = v.Type == gjson.True
		default:
			err = errors.New("unknown field " + strconv.Quote(k.Str) + " in plugin configuration")
			return false
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	if !seenProviders {
		return nil, errors.New("plugin configuration has no \"providers\" object")
	}
	c.parser.CacheSize = 64
	c.parser.KnownProvider = func(name string) bool {
		return c.providers[name] != nil || translate.Lookup(name) != nil
	}
	if virtualKeys.Exists() {
		vks, err := parseVirtualKeys(virtualKeys, c, getenv)
		if err != nil {
			return nil, err
		}
		c.parser.VirtualKeys = vks
	}
	if configs.Exists() {
		configs.ForEach(func(k, v gjson.Result) bool {
			if !v.IsObject() {
				err = errors.New("configs." + k.Str + " must be a JSON object")
				return false
			}
			if e := c.parser.AddNamed(k.Str, []byte(v.Raw)); e != nil {
				err = errors.New("configs: " + e.Error())
				return false
			}
			return true
		})
		if err != nil {
			return nil, err
		}
	}
	return c, nil
}

func parseProviders(v gjson.Result, getenv func(string) string) (map[string]*provider, error) {
	if !v.IsObject() {
		return nil, errors.New("providers must be a JSON object mapping provider id to its settings")
	}
	out := map[string]*provider{}
	var err error
	v.ForEach(func(k, pv gjson.Result) bool {
		id := k.Str
		if id == "" {
			err = errors.New("providers: provider id must not be empty")
			return false
		}
		if _, dup := out[id]; dup {
			err = errors.New("providers." + id + ": defined twice")
			return false
		}
		var p *provider
		p, err = parseProvider(id, pv, getenv)
		if err != nil {
			return false
		}
		out[id] = p
		return true
	})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, errors.New("providers must name at least one provider")
	}
	return out, nil
}

func parseProvider(id string, v gjson.Result, getenv func(string) string) (*provider, error) {
	at := "providers." + id
	if !v.IsObject() {
		return nil, errors.New(at + " must be a JSON object")
	}
	p := &provider{id: id, entry: translate.Lookup(id)}
	if p.entry == nil {
		return nil, errors.New(at + ": unknown provider id " + strconv.Quote(id) + " (not in the translate catalogue)")
	}
	var err error
	v.ForEach(func(k, f gjson.Result) bool {
		field := at + "." + k.Str
		if f.Type != gjson.String {
			err = errors.New(field + " must be a string (got " + f.Raw + ")")
			return false
		}
		switch k.Str {
		case "cluster":
			p.cluster = f.Str
		case "host":
			if !validAuthority(f.Str) {
				err = errors.New(field + " must be a host or host:port without scheme or path (got " + strconv.Quote(f.Str) + ")")
				return false
			}
			p.host = f.Str
		case "scheme":
			// The cluster decides TLS; kept for configurations written for the first filter.
			if f.Str != "https" && f.Str != "http" {
				err = errors.New(field + " must be \"https\" or \"http\" (got " + strconv.Quote(f.Str) + ")")
				return false
			}
		case "api_key_env":
			if p.apiKey, err = envSecret(field, f.Str, getenv); err != nil {
				return false
			}
			p.apiKeyEnv = f.Str
		case "aws_access_key_id_env", "aws_secret_access_key_env", "aws_session_token_env":
			var val string
			if val, err = envSecret(field, f.Str, getenv); err != nil {
				return false
			}
			p.options.Set(strings.TrimSuffix(k.Str, "_env"), val)
		case "aws_access_key_id", "aws_secret_access_key", "aws_session_token":
			err = errors.New(field + ": secrets do not belong in the plugin configuration; use " + k.Str + "_env")
			return false
		default:
			if !p.options.Set(k.Str, f.Str) {
				err = errors.New("unknown field " + strconv.Quote(k.Str) + " in " + at)
				return false
			}
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	if p.cluster == "" {
		return nil, errors.New(at + ".cluster is required")
	}
	if !validHeaderValue(p.cluster) {
		return nil, errors.New(at + ".cluster contains characters not allowed in a header value")
	}
	return p, nil
}

// envSecret reads the secret named by the env-var name in field. Errors name the variable and
// the field, never the value, so they stay safe to log.
func envSecret(field, name string, getenv func(string) string) (string, error) {
	if !validEnvName(name) {
		return "", errors.New(field + " must be an environment variable name (got " + strconv.Quote(name) + ")")
	}
	val := strings.TrimSpace(getenv(name))
	if !validHeaderValue(val) {
		return "", errors.New("environment variable " + name + " (" + field + ") holds characters not allowed in a header value")
	}
	return val, nil
}

func parseVirtualKeys(v gjson.Result, c *config, getenv func(string) string) (routing.VirtualKeyMap, error) {
	out := routing.VirtualKeyMap{}
	var err error
	v.ForEach(func(k, vv gjson.Result) bool {
		at := "virtual_keys." + k.Str
		if k.Str == "" || !vv.IsObject() {
			err = errors.New(at + " must be a JSON object with a non-empty name")
			return false
		}
		var vk routing.VirtualKey
		vv.ForEach(func(fk, f gjson.Result) bool {
			field := at + "." + fk.Str
			if f.Type != gjson.String {
				err = errors.New(field + " must be a string (got " + f.Raw + ")")
				return false
			}
			switch fk.Str {
			case "provider":
				vk.Provider = f.Str
			case "api_key_env":
				var key string
				if key, err = envSecret(field, f.Str, getenv); err != nil {
					return false
				}
				vk.APIKeyEnv = f.Str
				c.envKeys[f.Str] = key
			case "custom_host":
				vk.CustomHost = strings.TrimRight(f.Str, "/")
				if _, ok := c.customHosts[vk.CustomHost]; !ok {
					err = errors.New(field + " " + strconv.Quote(f.Str) + " is not in custom_hosts")
					return false
				}
			default:
				if !vk.Options.Set(fk.Str, f.Str) {
					err = errors.New("unknown field " + strconv.Quote(fk.Str) + " in " + at)
					return false
				}
			}
			return true
		})
		if err != nil {
			return false
		}
		if vk.Provider == "" {
			err = errors.New(at + ".provider is required")
			return false
		}
		if translate.Lookup(vk.Provider) == nil {
			err = errors.New(at + ".provider: unknown provider " + strconv.Quote(vk.Provider))
			return false
		}
		out[k.Str] = vk
		return true
	})
	return out, err
}

func parseCustomHosts(v gjson.Result) (map[string]string, error) {
	if !v.IsObject() {
		return nil, errors.New("custom_hosts must be a JSON object mapping a base URL to a cluster")
	}
	out := map[string]string{}
	var err error
	v.ForEach(func(k, cl gjson.Result) bool {
		u := strings.TrimRight(k.Str, "/")
		if _, _, _, e := translate.SplitURL(u); e != nil {
			err = errors.New("custom_hosts: " + e.Error())
			return false
		}
		if cl.Type != gjson.String || cl.Str == "" || !validHeaderValue(cl.Str) {
			err = errors.New("custom_hosts[" + strconv.Quote(k.Str) + "] must be a cluster name (got " + cl.Raw + ")")
			return false
		}
		out[u] = cl.Str
		return true
	})
	return out, err
}

func parseGatewayKeys(v gjson.Result) ([][32]byte, error) {
	if !v.IsArray() {
		return nil, errors.New("gateway_keys must be an array of SHA-256 hex digests")
	}
	var out [][32]byte
	var err error
	v.ForEach(func(i, k gjson.Result) bool {
		var d [32]byte
		if k.Type != gjson.String || len(k.Str) != 64 {
			err = errors.New("gateway_keys[" + i.String() + "] must be a 64-character SHA-256 hex digest")
			return false
		}
		if _, e := hex.Decode(d[:], []byte(k.Str)); e != nil {
			err = errors.New("gateway_keys[" + i.String() + "] is not hexadecimal")
			return false
		}
		out = append(out, d)
		return true
	})
	if err == nil && len(out) == 0 {
		err = errors.New("gateway_keys must not be empty (omit it to turn gateway authentication off)")
	}
	return out, err
}

func positiveInt(v gjson.Result) (int, bool) {
	if v.Type != gjson.Number {
		return 0, false
	}
	n, err := strconv.ParseInt(v.Raw, 10, 64)
	if err != nil || n <= 0 || n > 1<<31-1 {
		return 0, false
	}
	return int(n), true
}

func validEnvName(s string) bool { return s != "" && !strings.ContainsAny(s, "= \x00") }

// validHeaderName accepts RFC 9110 token characters in lowercase (HTTP/2 forbids uppercase).
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

func validHeaderValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// validAuthority accepts host, host:port and [v6]:port; no scheme, userinfo, path or spaces.
func validAuthority(s string) bool {
	if s == "" || strings.Contains(s, "://") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '.' || c == '-' || c == ':' || c == '[' || c == ']' || c == '_':
		default:
			return false
		}
	}
	return true
}

// osGetenv is the production key source: Envoy passes vm_config.environment_variables, Kong the
// nginx process environment, both through WASI environ.
var osGetenv = os.Getenv
