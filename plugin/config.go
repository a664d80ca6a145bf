package plugin

import (
	"errors"
	"os"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"
)

const (
	defaultClusterHeader       = "x-switchyard-cluster"
	defaultMaxRequestBodyBytes = 1 << 20
)

// config is the parsed plugin configuration (notes/contracts.md). It is immutable once built, so a
// failed reconfiguration leaves the previous one serving.
type config struct {
	clusterHeader       string
	maxRequestBodyBytes int
	providers           map[string]*provider
	// kong selects Kong's behaviour ("proxy": "kong"). Envoy (the default) holds the request
	// headers until the body is known and calls the foreign function clear_route_cache after the
	// rewrite. Kong hangs a request whose headers callback pauses when no body callback follows
	// (body-less requests), and traps on any foreign function it does not know ("host trap
	// (internal error): unknown foreign function", 500), so there the headers are rewritten at
	// once and the body is only validated.
	kong bool
}

type provider struct {
	id        string
	cluster   string
	host      string
	scheme    string
	apiKeyEnv string
	// authorization is "Bearer <key>" built once; empty when the env var is unset or empty. It
	// must never reach a log line.
	authorization string
}

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
	c := &config{clusterHeader: defaultClusterHeader, maxRequestBodyBytes: defaultMaxRequestBodyBytes}
	var err error
	seenProviders := false
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
			n, ok := positiveInt(v)
			if !ok {
				err = errors.New("max_request_body_bytes must be a positive integer (got " + v.Raw + ")")
				return false
			}
			c.maxRequestBodyBytes = n
		case "proxy":
			switch {
			case v.Type == gjson.String && v.Str == "envoy":
			case v.Type == gjson.String && v.Str == "kong":
				c.kong = true
			default:
				err = errors.New("proxy must be \"envoy\" or \"kong\" (got " + v.Raw + ")")
				return false
			}
		case "providers":
			seenProviders = true
			c.providers, err = parseProviders(v, getenv)
			return err == nil
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
	p := &provider{id: id, scheme: "https"}
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
			if f.Str != "https" && f.Str != "http" {
				err = errors.New(field + " must be \"https\" or \"http\" (got " + strconv.Quote(f.Str) + ")")
				return false
			}
			p.scheme = f.Str
		case "api_key_env":
			if f.Str == "" || strings.ContainsAny(f.Str, "= \x00") {
				err = errors.New(field + " must be an environment variable name (got " + strconv.Quote(f.Str) + ")")
				return false
			}
			p.apiKeyEnv = f.Str
		default:
			err = errors.New("unknown field " + strconv.Quote(k.Str) + " in " + at)
			return false
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
	if p.host == "" {
		return nil, errors.New(at + ".host is required")
	}
	if p.apiKeyEnv != "" {
		key := strings.TrimSpace(getenv(p.apiKeyEnv))
		if key != "" {
			if !validHeaderValue(key) {
				// The key is not quoted: the message must stay safe to log.
				return nil, errors.New("environment variable " + p.apiKeyEnv + " (" + at + ".api_key_env) holds characters not allowed in a header value")
			}
			p.authorization = "Bearer " + key
		}
	}
	return p, nil
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
