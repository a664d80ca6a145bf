package routing

import "strconv"

// Mode is a target group's strategy. A target without a strategy is a leaf: one provider.
type Mode uint8

const (
	ModeLeaf Mode = iota
	ModeSingle
	ModeLoadbalance
	ModeFallback
	ModeConditional
)

func (m Mode) String() string {
	switch m {
	case ModeSingle:
		return "single"
	case ModeLoadbalance:
		return "loadbalance"
	case ModeFallback:
		return "fallback"
	case ModeConditional:
		return "conditional"
	}
	return "leaf"
}

// Config is a parsed, validated routing config. It is immutable once built, so one Config may
// serve many concurrent plans (named configs are parsed once at plugin start).
type Config struct {
	root *Target
	// id names the config in cool-down keys: "n:<name>" for a named config, "p:<provider>"
	// for the header form; empty for an inline config, which hash (FNV-1a of its JSON) names.
	id   string
	hash uint64
	raw  string // the JSON it was parsed from (the cache compares it)
	// headerProvider: the root is a leaf without provider, to be filled from
	// x-portkey-provider / Authorization (Portkey reads a config such as {"retry":{...}} that way).
	headerProvider bool
	maxAttempts    int
}

// Root is the top of the target tree (path "config").
func (c *Config) Root() *Target { return c.root }

// MaxAttempts is the most upstream calls one request can make under this config, counting
// retries; 1 means the plan can never retry or fall back.
func (c *Config) MaxAttempts() int { return c.maxAttempts }

// NeedsHeaderProvider reports a config whose root names no provider: the provider and key must
// come from the request headers (see WithHeaderProvider).
func (c *Config) NeedsHeaderProvider() bool { return c.headerProvider }

// Target is one node of the config tree. Group fields (Mode != ModeLeaf) and leaf fields are
// both present; the effective settings below are already inherited from the ancestors, so a
// plan reads them without walking up.
type Target struct {
	Path   string // "config", "config.targets[1]", "config.targets[0].targets[1]"
	Name   string
	Weight float64

	Mode          Mode
	Targets       []*Target
	onStatusCodes []int // fallback trigger codes; nil = any non-2xx
	hasOnStatus   bool
	conditions    []condition
	defaultIdx    int // conditional default target index, -1 = none
	sticky        []stickyField
	totalWeight   float64

	// Leaf settings (provider, credentials, options) apply to leaves only.
	Provider   string
	APIKey     string
	VirtualKey string
	// APIKeyEnv is the NAME of the VM environment variable holding the key, from the virtual key
	// table. The caller reads it; routing never sees key material it did not get in the config.
	APIKeyEnv string
	Options   Options

	// Effective (inherited) settings.
	OverrideParams string // raw JSON object, deep-merged from the root down; "" = none
	Retry          Retry
	RequestTimeout int64 // milliseconds, 0 = none
	CustomHost     string
	ForwardHeaders []string
	Cache          Cache
	Strict         Tristate
}

// IsLeaf reports a target that calls a provider.
func (t *Target) IsLeaf() bool { return t.Mode == ModeLeaf }

// Retry is a target's retry policy. Attempts counts re-tries: a target is called at most
// Attempts+1 times.
type Retry struct {
	Attempts            int
	OnStatusCodes       []int
	UseRetryAfterHeader bool
}

// DefaultRetryStatusCodes are retried when retry.on_status_codes is absent (Portkey's list).
var DefaultRetryStatusCodes = []int{429, 500, 502, 503, 504}

// MaxRetryAttempts is Portkey's documented ceiling for retry.attempts; larger values are
// rejected rather than clamped so a config never silently does less than it says.
const MaxRetryAttempts = 5

func (r *Retry) retries(status int) bool {
	if r.Attempts == 0 {
		return false
	}
	return containsInt(r.OnStatusCodes, status)
}

// Cache is the cache setting of a target. Mode "" means no cache.
type Cache struct {
	Mode   string // "simple" | "semantic"
	MaxAge int64  // seconds, 0 = default
}

// Tristate is an optional boolean.
type Tristate uint8

const (
	Unset Tristate = iota
	False
	True
)

// Bool returns the value, or def when unset.
func (t Tristate) Bool(def bool) bool {
	switch t {
	case True:
		return true
	case False:
		return false
	}
	return def
}

func containsInt(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// CooldownID is the prefix of this config's cool-down keys.
func (c *Config) CooldownID() string {
	if c.id != "" {
		return c.id
	}
	return "h:" + strconv.FormatUint(c.hash, 16)
}
