package routing

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

func mustParse(t *testing.T, raw string) *Config {
	t.Helper()
	c, err := Parse([]byte(raw))
	if err != nil {
		t.Fatalf("Parse(%s): %v", raw, err)
	}
	return c
}

// find returns the target at a path such as "config.targets[0].targets[1]".
func find(t *testing.T, c *Config, path string) *Target {
	t.Helper()
	var walk func(*Target) *Target
	walk = func(n *Target) *Target {
		if n.Path == path {
			return n
		}
		for _, ch := range n.Targets {
			if f := walk(ch); f != nil {
				return f
			}
		}
		return nil
	}
	n := walk(c.Root())
	if n == nil {
		t.Fatalf("no target at %s", path)
	}
	return n
}

func TestParseErrors(t *testing.T) {
	vks := VirtualKeyMap{"vk-anthropic": {Provider: "anthropic", APIKeyEnv: "ANTHROPIC_KEY"}}
	cases := []struct {
		name, raw, want string
	}{
		{"not json", `{"provider":`, `config: not valid JSON`},
		{"not object", `[1]`, `config: must be a JSON object`},
		{"empty object", `{}`, `config: needs provider, virtual_key, or strategy and targets`},
		{"legacy", `{"mode":"fallback","options":[{"provider":"openai"}]}`,
			`config: the legacy "mode"/"options" form is not supported; write {"strategy":{"mode":"fallback"},"targets":[...]} instead`},
		{"legacy nested", `{"strategy":{"mode":"fallback"},"targets":[{"mode":"single","options":[]}]}`,
			`targets[0]: the legacy "mode"/"options" form is not supported; write {"strategy":{"mode":"fallback"},"targets":[...]} instead`},
		{"unknown mode", `{"strategy":{"mode":"random"},"targets":[{"provider":"openai"}]}`,
			`strategy.mode: must be one of single, loadbalance, fallback, conditional (got "random")`},
		{"mode missing", `{"strategy":{},"targets":[{"provider":"openai"}]}`,
			`strategy.mode: required (one of single, loadbalance, fallback, conditional)`},
		{"mode not string", `{"strategy":{"mode":3},"targets":[{"provider":"openai"}]}`,
			`strategy.mode: must be one of single, loadbalance, fallback, conditional`},
		{"strategy not object", `{"strategy":"fallback","targets":[{"provider":"openai"}]}`,
			`strategy: must be an object`},
		{"strategy without targets", `{"strategy":{"mode":"fallback"}}`, `targets: required when strategy is set`},
		{"targets without strategy", `{"targets":[{"provider":"openai"}]}`,
			`strategy: required when targets is set (e.g. {"mode":"fallback"})`},
		{"targets empty", `{"strategy":{"mode":"fallback"},"targets":[]}`, `targets: must hold at least one target`},
		{"targets not array", `{"strategy":{"mode":"fallback"},"targets":{}}`, `targets: must be an array of targets`},
		{"target not object", `{"strategy":{"mode":"fallback"},"targets":["openai"]}`, `targets[0]: must be an object`},
		{"target without provider", `{"strategy":{"mode":"fallback"},"targets":[{"provider":"openai"},{"api_key":"k"}]}`,
			`targets[1]: needs provider, virtual_key, or strategy and targets`},
		{"nested target without provider", `{"strategy":{"mode":"fallback"},"targets":[{"strategy":{"mode":"single"},"targets":[{"weight":1}]}]}`,
			`targets[0].targets[0]: needs provider, virtual_key, or strategy and targets`},
		{"negative weight", `{"strategy":{"mode":"loadbalance"},"targets":[{"provider":"a"},{"provider":"b","weight":-1}]}`,
			`targets[1].weight: must be a number >= 0`},
		{"string weight", `{"strategy":{"mode":"loadbalance"},"targets":[{"provider":"a","weight":"2"}]}`,
			`targets[0].weight: must be a number >= 0`},
		{"huge weight", `{"strategy":{"mode":"loadbalance"},"targets":[{"provider":"a","weight":1e12}]}`,
			`targets[0].weight: must be at most 1000000000`},
		{"all weights zero", `{"strategy":{"mode":"loadbalance"},"targets":[{"provider":"a","weight":0},{"provider":"b","weight":0}]}`,
			`targets: every weight is 0; a loadbalance needs at least one target with weight > 0`},
		{"nested all weights zero", `{"strategy":{"mode":"fallback"},"targets":[{"strategy":{"mode":"loadbalance"},"targets":[{"provider":"a","weight":0}]}]}`,
			`targets[0].targets: every weight is 0; a loadbalance needs at least one target with weight > 0`},
		{"retry negative", `{"provider":"openai","retry":{"attempts":-1}}`, `retry.attempts: must be a whole number from 0 to 5`},
		{"retry absurd", `{"provider":"openai","retry":{"attempts":1000}}`, `retry.attempts: must be a whole number from 0 to 5`},
		{"retry six", `{"provider":"openai","retry":{"attempts":6}}`, `retry.attempts: must be a whole number from 0 to 5`},
		{"retry fraction", `{"provider":"openai","retry":{"attempts":1.5}}`, `retry.attempts: must be a whole number from 0 to 5`},
		{"retry missing attempts", `{"provider":"openai","retry":{"on_status_codes":[429]}}`, `retry.attempts: required`},
		{"retry not object", `{"provider":"openai","retry":3}`, `retry: must be an object {"attempts":N}`},
		{"retry codes", `{"provider":"openai","retry":{"attempts":2,"on_status_codes":[429,"500"]}}`,
			`retry.on_status_codes[1]: must be an HTTP status code from 100 to 599`},
		{"retry codes range", `{"provider":"openai","retry":{"attempts":2,"on_status_codes":[99]}}`,
			`retry.on_status_codes[0]: must be an HTTP status code from 100 to 599`},
		{"retry after flag", `{"provider":"openai","retry":{"attempts":2,"use_retry_after_header":"yes"}}`,
			`retry.use_retry_after_header: must be true or false`},
		{"fallback codes", `{"strategy":{"mode":"fallback","on_status_codes":429},"targets":[{"provider":"a"}]}`,
			`strategy.on_status_codes: must be an array of HTTP status codes`},
		{"timeout", `{"provider":"openai","request_timeout":-5}`, `request_timeout: must be a whole number of milliseconds from 0 to 86400000`},
		{"timeout string", `{"provider":"openai","request_timeout":"5s"}`, `request_timeout: must be a whole number of milliseconds from 0 to 86400000`},
		{"provider empty", `{"provider":""}`, `provider: must be a non-empty string`},
		{"provider number", `{"provider":1}`, `provider: must be a non-empty string`},
		{"api key", `{"provider":"openai","api_key":7}`, `api_key: must be a string`},
		{"override", `{"provider":"openai","override_params":[1]}`, `override_params: must be an object`},
		{"cache mode", `{"provider":"openai","cache":{"mode":"fast"}}`, `cache.mode: must be simple or semantic`},
		{"cache mode missing", `{"provider":"openai","cache":{"max_age":5}}`, `cache.mode: required (simple or semantic)`},
		{"cache max age", `{"provider":"openai","cache":{"mode":"simple","max_age":-1}}`, `cache.max_age: must be a whole number of seconds >= 0`},
		{"cache type", `{"provider":"openai","cache":true}`, `cache: must be an object {"mode":"simple"} or a mode string`},
		{"strict", `{"provider":"openai","strict_open_ai_compliance":"no"}`, `strict_open_ai_compliance: must be true or false`},
		{"forward headers", `{"provider":"openai","forward_headers":"x-a"}`, `forward_headers: must be an array of header names`},
		{"forward headers self", `{"provider":"openai","forward_headers":["x-a","X-Portkey-Forward-Headers"]}`,
			`forward_headers[1]: must not be x-portkey-forward-headers`},
		{"custom host scheme", `{"provider":"openai","custom_host":"ftp://x"}`,
			`custom_host: must be an http(s) URL without credentials, e.g. https://llm.internal:8443/v1`},
		{"custom host creds", `{"provider":"openai","custom_host":"https://u:p@x"}`,
			`custom_host: must be an http(s) URL without credentials, e.g. https://llm.internal:8443/v1`},
		{"provider option type", `{"provider":"azure-openai","resource_name":5}`, `resource_name: must be a string`},
		{"provider slug unknown", `{"strategy":{"mode":"fallback"},"targets":[{"provider":"@openai-dev"}]}`, `targets[0].provider: unknown provider slug "@openai-dev"`},
		{"provider slug empty", `{"provider":"@"}`, `provider: must name a provider slug after '@'`},
		{"provider slug vs virtual key", `{"provider":"@vk-anthropic","virtual_key":"other"}`,
			`provider: "@vk-anthropic" and virtual_key "other" name different providers`},
		{"retry after plural", `{"provider":"openai","retry":{"attempts":1,"use_retry_after_headers":1}}`,
			`retry.use_retry_after_headers: must be true or false`},
		{"virtual key unknown", `{"virtual_key":"vk-nope"}`, `virtual_key: unknown virtual key "vk-nope"`},
		{"virtual key conflict", `{"virtual_key":"vk-anthropic","provider":"openai"}`,
			`provider: "openai" conflicts with virtual key "vk-anthropic" (provider "anthropic")`},
		{"conditions missing", `{"strategy":{"mode":"conditional"},"targets":[{"name":"a","provider":"openai"}]}`,
			`strategy.conditions: required for mode conditional`},
		{"conditions not array", `{"strategy":{"mode":"conditional","conditions":{}},"targets":[{"name":"a","provider":"openai"}]}`,
			`strategy.conditions: must be an array of {"query":{...},"then":"<target name>"}`},
		{"condition unknown target", `{"strategy":{"mode":"conditional","conditions":[{"query":{"metadata.tier":"pro"},"then":"a"},{"query":{},"then":"gpt5"}]},"targets":[{"name":"a","provider":"openai"}]}`,
			`strategy.conditions[1].then: no target named "gpt5" in targets`},
		{"condition then missing", `{"strategy":{"mode":"conditional","conditions":[{"query":{}}]},"targets":[{"name":"a","provider":"openai"}]}`,
			`strategy.conditions[0].then: required`},
		{"condition query missing", `{"strategy":{"mode":"conditional","conditions":[{"then":"a"}]},"targets":[{"name":"a","provider":"openai"}]}`,
			`strategy.conditions[0].query: required`},
		{"default unknown", `{"strategy":{"mode":"conditional","conditions":[],"default":"b"},"targets":[{"name":"a","provider":"openai"}]}`,
			`strategy.default: no target named "b" in targets`},
		{"duplicate names", `{"strategy":{"mode":"conditional","conditions":[]},"targets":[{"name":"a","provider":"openai"},{"name":"a","provider":"x"}]}`,
			`targets[1].name: duplicate target name "a"`},
		{"unknown operator", `{"strategy":{"mode":"conditional","conditions":[{"query":{"metadata.tier":{"$like":"p%"}},"then":"a"}]},"targets":[{"name":"a","provider":"openai"}]}`,
			`strategy.conditions[0].query.metadata.tier.$like: unknown operator "$like"; use $eq, $ne, $gt, $gte, $lt, $lte, $in, $nin or $regex`},
		{"unknown top operator", `{"strategy":{"mode":"conditional","conditions":[{"query":{"$not":[]},"then":"a"}]},"targets":[{"name":"a","provider":"openai"}]}`,
			`strategy.conditions[0].query.$not: unknown operator "$not" here; only $and and $or may join queries`},
		{"unknown field root", `{"strategy":{"mode":"conditional","conditions":[{"query":{"headers.x":"1"},"then":"a"}]},"targets":[{"name":"a","provider":"openai"}]}`,
			`strategy.conditions[0].query.headers.x: unknown field; use metadata.<key>, params.<key> or url.pathname`},
		{"url field", `{"strategy":{"mode":"conditional","conditions":[{"query":{"url.host":"x"},"then":"a"}]},"targets":[{"name":"a","provider":"openai"}]}`,
			`strategy.conditions[0].query.url.host: unknown field; the url offers only url.pathname`},
		{"bare root", `{"strategy":{"mode":"conditional","conditions":[{"query":{"metadata":"x"},"then":"a"}]},"targets":[{"name":"a","provider":"openai"}]}`,
			`strategy.conditions[0].query.metadata: must name a field, e.g. metadata.user.tier`},
		{"or not array", `{"strategy":{"mode":"conditional","conditions":[{"query":{"$or":{"metadata.a":"1"}},"then":"a"}]},"targets":[{"name":"a","provider":"openai"}]}`,
			`strategy.conditions[0].query.$or: must be an array of query objects`},
		{"bad regex", `{"strategy":{"mode":"conditional","conditions":[{"query":{"params.model":{"$regex":"gpt-("}},"then":"a"}]},"targets":[{"name":"a","provider":"openai"}]}`,
			"strategy.conditions[0].query.params.model.$regex: invalid regular expression: error parsing regexp: missing closing ): `gpt-(`"},
		{"gt not number", `{"strategy":{"mode":"conditional","conditions":[{"query":{"params.max_tokens":{"$gt":"many"}},"then":"a"}]},"targets":[{"name":"a","provider":"openai"}]}`,
			`strategy.conditions[0].query.params.max_tokens.$gt: must be a number`},
		{"in not array", `{"strategy":{"mode":"conditional","conditions":[{"query":{"metadata.tier":{"$in":"pro"}},"then":"a"}]},"targets":[{"name":"a","provider":"openai"}]}`,
			`strategy.conditions[0].query.metadata.tier.$in: must be an array of values`},
		{"eq object", `{"strategy":{"mode":"conditional","conditions":[{"query":{"metadata.tier":{"$eq":{}}},"then":"a"}]},"targets":[{"name":"a","provider":"openai"}]}`,
			`strategy.conditions[0].query.metadata.tier.$eq: must be a string, number, boolean or null`},
		{"bare array", `{"strategy":{"mode":"conditional","conditions":[{"query":{"metadata.tier":["a"]},"then":"a"}]},"targets":[{"name":"a","provider":"openai"}]}`,
			`strategy.conditions[0].query.metadata.tier: must be a value or an operator object such as {"$in":[...]}`},
		{"sticky", `{"strategy":{"mode":"loadbalance","sticky":{"hash_fields":["user"]}},"targets":[{"provider":"a"}]}`,
			`strategy.sticky.hash_fields[0]: unknown field "user"; use metadata.<key>, params.<key>, url.pathname or trace_id`},
		{"sticky empty", `{"strategy":{"mode":"loadbalance","sticky":{"hash_fields":[]}},"targets":[{"provider":"a"}]}`,
			`strategy.sticky.hash_fields: must be a non-empty array of fields (metadata.<key>, params.<key>, url.pathname, trace_id)`},
		{"too deep", `{"strategy":{"mode":"single"},"targets":[` + strings.Repeat(`{"strategy":{"mode":"single"},"targets":[`, 8) + `{"provider":"a"}` + strings.Repeat(`]}`, 8) + `]}`,
			`targets[0].targets[0].targets[0].targets[0].targets[0].targets[0].targets[0].targets[0].targets: nesting deeper than 8 levels`},
		{"too many targets", manyTargets(5, 60), `targets[4].targets[10]: more than 256 targets in one config`},
		{"too many in a group", manyTargets(0, 65), `targets: more than 64 targets in one group`},
		{"then not a string", `{"strategy":{"mode":"conditional","conditions":[{"query":{},"then":1}]},"targets":[{"name":"a","provider":"openai"}]}`,
			`strategy.conditions[0].then: must be the name of a target`},
		{"condition not object", `{"strategy":{"mode":"conditional","conditions":["a"]},"targets":[{"name":"a","provider":"openai"}]}`,
			`strategy.conditions[0]: must be an object {"query":{...},"then":"<target name>"}`},
		{"query not object", `{"strategy":{"mode":"conditional","conditions":[{"query":"metadata.a=1","then":"a"}]},"targets":[{"name":"a","provider":"openai"}]}`,
			`strategy.conditions[0].query: must be a query object`},
		{"nested query not object", `{"strategy":{"mode":"conditional","conditions":[{"query":{"$and":[{"metadata.a":"1"},3]},"then":"a"}]},"targets":[{"name":"a","provider":"openai"}]}`,
			`strategy.conditions[0].query.$and[1]: must be a query object`},
		{"nested operator error", `{"strategy":{"mode":"conditional","conditions":[{"query":{"$or":[{"$and":[{"params.n":{"$gt":[]}}]}]},"then":"a"}]},"targets":[{"name":"a","provider":"openai"}]}`,
			`strategy.conditions[0].query.$or[0].$and[0].params.n.$gt: must be a number`},
		{"regex not string", `{"strategy":{"mode":"conditional","conditions":[{"query":{"params.model":{"$regex":5}},"then":"a"}]},"targets":[{"name":"a","provider":"openai"}]}`,
			`strategy.conditions[0].query.params.model.$regex: must be a regular expression string`},
		{"conditional nested path", `{"strategy":{"mode":"fallback"},"targets":[{"provider":"x"},{"strategy":{"mode":"conditional","conditions":[{"query":{"params.a":{"$foo":1}},"then":"a"}]},"targets":[{"name":"a","provider":"openai"}]}]}`,
			`targets[1].strategy.conditions[0].query.params.a.$foo: unknown operator "$foo"; use $eq, $ne, $gt, $gte, $lt, $lte, $in, $nin or $regex`},
		{"sticky not object", `{"strategy":{"mode":"loadbalance","sticky":true},"targets":[{"provider":"a"}]}`,
			`strategy.sticky: must be an object {"hash_fields":["metadata.user_id"]}`},
		{"sticky field type", `{"strategy":{"mode":"loadbalance","sticky":{"hash_fields":["trace_id",1]}},"targets":[{"provider":"a"}]}`,
			`strategy.sticky.hash_fields[1]: must be a string`},
		{"cache mode string", `{"provider":"openai","cache":"always"}`, `cache: must be simple or semantic`},
		{"forward header empty", `{"provider":"openai","forward_headers":["x-a",""]}`, `forward_headers[1]: must be a header name`},
		{"custom host type", `{"provider":"openai","custom_host":1}`, `custom_host: must be an http(s) URL string`},
		{"name type", `{"strategy":{"mode":"fallback"},"targets":[{"provider":"openai","name":1}]}`, `targets[0].name: must be a string`},
		{"virtual key empty", `{"virtual_key":""}`, `virtual_key: must be a non-empty string`},
		{"nested retry error", `{"strategy":{"mode":"fallback"},"targets":[{"provider":"a"},{"strategy":{"mode":"single"},"targets":[{"provider":"b","retry":{"attempts":2,"on_status_codes":[600]}}]}]}`,
			`targets[1].targets[0].retry.on_status_codes[0]: must be an HTTP status code from 100 to 599`},
		{"nested fallback codes", `{"strategy":{"mode":"fallback"},"targets":[{"strategy":{"mode":"fallback","on_status_codes":[429,1000]},"targets":[{"provider":"b"}]}]}`,
			`targets[0].strategy.on_status_codes[1]: must be an HTTP status code from 100 to 599`},
		{"query too deep", `{"strategy":{"mode":"conditional","conditions":[{"query":` + strings.Repeat(`{"$or":[`, 18) + "{}" + strings.Repeat("]}", 18) +
			`,"then":"a"}]},"targets":[{"name":"a","provider":"a"}]}`,
			`strategy.conditions[0].query` + strings.Repeat(".$or[0]", 17) + `: $and/$or nested deeper than 16 levels`},
		{"too big", `{"provider":"` + strings.Repeat("a", MaxConfigBytes) + `"}`, `config: larger than 65536 bytes`},
	}
	p := &Parser{VirtualKeys: vks}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := p.Parse([]byte(tc.raw))
			if err == nil {
				t.Fatalf("accepted %s", tc.raw)
			}
			if err.Error() != tc.want {
				t.Fatalf("error\n got: %s\nwant: %s", err, tc.want)
			}
			if _, ok := err.(*ConfigError); !ok {
				t.Fatalf("error is %T, want *ConfigError", err)
			}
		})
	}
}

func TestParseProviderSlug(t *testing.T) {
	p := &Parser{VirtualKeys: VirtualKeyMap{"openai-prod": {Provider: "openai", APIKeyEnv: "OPENAI_PROD_KEY"}},
		KnownProvider: func(s string) bool { return s == "openai" }}
	c, err := p.Parse([]byte(`{"provider":"@openai-prod","retry":{"attempts":2,"use_retry_after_headers":true}}`))
	if err != nil {
		t.Fatal(err)
	}
	r := c.Root()
	if r.Provider != "openai" || r.VirtualKey != "openai-prod" || r.APIKeyEnv != "OPENAI_PROD_KEY" || !r.Retry.UseRetryAfterHeader {
		t.Fatalf("%+v", r)
	}
}

func TestParseVirtualKeysNotConfigured(t *testing.T) {
	_, err := Parse([]byte(`{"strategy":{"mode":"fallback"},"targets":[{"virtual_key":"vk"}]}`))
	if err == nil || err.Error() != `targets[0].virtual_key: virtual keys are not configured in this gateway` {
		t.Fatalf("got %v", err)
	}
}

func TestParseKnownProvider(t *testing.T) {
	p := &Parser{KnownProvider: func(s string) bool { return s == "openai" }}
	_, err := p.Parse([]byte(`{"strategy":{"mode":"fallback"},"targets":[{"provider":"openai"},{"provider":"opnai"}]}`))
	if err == nil || err.Error() != `targets[1].provider: unknown provider "opnai"` {
		t.Fatalf("got %v", err)
	}
}

func TestParsePathsAndModes(t *testing.T) {
	c := mustParse(t, `{
	  "strategy": {"mode": "fallback"},
	  "targets": [
	    {"strategy": {"mode": "loadbalance"}, "targets": [
	      {"provider": "openai", "weight": 0.7},
	      {"provider": "azure-openai", "weight": 0.3}
	    ]},
	    {"provider": "anthropic"}
	  ]
	}`)
	root := c.Root()
	if root.Path != "config" || root.Mode != ModeFallback || len(root.Targets) != 2 {
		t.Fatalf("root = %+v", root)
	}
	lb := root.Targets[0]
	if lb.Path != "config.targets[0]" || lb.Mode != ModeLoadbalance || lb.totalWeight != 1.0 {
		t.Fatalf("lb = %+v", lb)
	}
	if got := lb.Targets[1].Path; got != "config.targets[0].targets[1]" {
		t.Fatalf("path %q", got)
	}
	if lb.Targets[0].Weight != 0.7 || root.Targets[1].Weight != 1 {
		t.Fatalf("weights %v %v", lb.Targets[0].Weight, root.Targets[1].Weight)
	}
	// 2 (one leaf of the loadbalance) ... each leaf 1 call: fallback sums, loadbalance maxes.
	if c.MaxAttempts() != 2 {
		t.Fatalf("MaxAttempts = %d", c.MaxAttempts())
	}
}

func TestParseInheritance(t *testing.T) {
	c := mustParse(t, `{
	  "retry": {"attempts": 3},
	  "cache": {"mode": "simple", "max_age": 60},
	  "request_timeout": 10000,
	  "custom_host": "https://gw.internal/v1",
	  "forward_headers": ["X-User"],
	  "strict_open_ai_compliance": false,
	  "strategy": {"mode": "fallback"},
	  "targets": [
	    {"provider": "openai"},
	    {"provider": "anthropic", "retry": {"attempts": 1, "on_status_codes": [429]},
	     "cache": "semantic", "request_timeout": 2000, "custom_host": "http://claude.internal",
	     "forward_headers": [], "strict_open_ai_compliance": true},
	    {"strategy": {"mode": "single"}, "request_timeout": 0, "retry": {"attempts": 0},
	     "targets": [{"provider": "groq"}]}
	  ]
	}`)
	a := find(t, c, "config.targets[0]")
	want := Retry{Attempts: 3, OnStatusCodes: DefaultRetryStatusCodes}
	if !reflect.DeepEqual(a.Retry, want) || a.Cache != (Cache{"simple", 60}) || a.RequestTimeout != 10000 ||
		a.CustomHost != "https://gw.internal/v1" || !reflect.DeepEqual(a.ForwardHeaders, []string{"x-user"}) ||
		a.Strict != False {
		t.Fatalf("inherited: %+v", a)
	}
	b := find(t, c, "config.targets[1]")
	if !reflect.DeepEqual(b.Retry, Retry{Attempts: 1, OnStatusCodes: []int{429}}) || b.Cache != (Cache{Mode: "semantic"}) ||
		b.RequestTimeout != 2000 || b.CustomHost != "http://claude.internal" || len(b.ForwardHeaders) != 0 ||
		b.ForwardHeaders == nil || b.Strict != True {
		t.Fatalf("own: %+v", b)
	}
	// request_timeout 0 is "unset" in Portkey, so the parent's applies; retry attempts 0 is a value.
	g := find(t, c, "config.targets[2].targets[0]")
	if g.RequestTimeout != 10000 || g.Retry.Attempts != 0 || g.Cache.Mode != "simple" {
		t.Fatalf("grandchild: %+v", g)
	}
	if c.MaxAttempts() != 4+2+1 {
		t.Fatalf("MaxAttempts = %d", c.MaxAttempts())
	}
}

func TestParseOverrideMerge(t *testing.T) {
	cases := []struct {
		name, raw, path, want string
	}{
		{"none", `{"provider":"openai"}`, "config", ``},
		{"own only", `{"provider":"openai","override_params":{"model":"gpt-4o"}}`, "config", `{"model":"gpt-4o"}`},
		{"inherited verbatim",
			`{"override_params":{"model":"gpt-4o", "temperature":0.2},"strategy":{"mode":"single"},"targets":[{"provider":"openai"}]}`,
			"config.targets[0]", `{"model":"gpt-4o", "temperature":0.2}`},
		{"child wins and deep merge",
			`{"override_params":{"model":"gpt-4o","metadata":{"a":1,"b":{"x":1}},"stop":["a"]},"strategy":{"mode":"single"},
			  "targets":[{"provider":"openai","override_params":{"metadata":{"b":{"y":2},"c":3},"stop":["b"],"top_p":1}}]}`,
			"config.targets[0]", `{"model":"gpt-4o","metadata":{"a":1,"b":{"x":1,"y":2},"c":3},"stop":["b"],"top_p":1}`},
		{"three levels",
			`{"override_params":{"a":1},"strategy":{"mode":"single"},"targets":[
			   {"override_params":{"b":2},"strategy":{"mode":"single"},"targets":[
			     {"provider":"openai","override_params":{"a":3,"c":{"d":4}}}]}]}`,
			"config.targets[0].targets[0]", `{"a":3,"b":2,"c":{"d":4}}`},
		{"object replaced by scalar",
			`{"override_params":{"response_format":{"type":"json_object"}},"strategy":{"mode":"single"},"targets":[{"provider":"openai","override_params":{"response_format":null}}]}`,
			"config.targets[0]", `{"response_format":null}`},
		{"keys with dots",
			`{"override_params":{"a.b":1},"strategy":{"mode":"single"},"targets":[{"provider":"openai","override_params":{"a.b":2,"a":{"b":3}}}]}`,
			"config.targets[0]", `{"a.b":2,"a":{"b":3}}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := mustParse(t, tc.raw)
			if got := find(t, c, tc.path).OverrideParams; got != tc.want {
				t.Fatalf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestParseProviderOptions(t *testing.T) {
	c := mustParse(t, `{"strategy":{"mode":"fallback"},"targets":[
	  {"provider":"azure-openai","api_key":"k","resource_name":"res","deployment_id":"dep","api_version":"2024-10-21",
	   "azure_foundry_url":"https://x.services.ai.azure.com","azure_auth_mode":"entra"},
	  {"provider":"bedrock","aws_access_key_id":"AKIA","aws_secret_access_key":"s","aws_session_token":"t","aws_region":"us-east-1"},
	  {"provider":"vertex-ai","vertex_project_id":"p","vertex_region":"europe-west4","vertex_service_account_json":{"type":"service_account"}},
	  {"provider":"anthropic","anthropic_version":"2023-06-01","anthropic_beta":"prompt-caching-2024-07-31"},
	  {"provider":"openai","openai_organization":"org","openai_project":"proj","id":"ignored","before_request_hooks":[]}
	]}`)
	want := []KnownOptions{
		{AzureResourceName: "res", AzureDeploymentID: "dep", AzureAPIVersion: "2024-10-21", AzureEndpoint: "https://x.services.ai.azure.com"},
		{AWSAccessKeyID: "AKIA", AWSSecretAccessKey: "s", AWSSessionToken: "t", AWSRegion: "us-east-1"},
		{VertexProjectID: "p", VertexRegion: "europe-west4"},
		{AnthropicVersion: "2023-06-01", AnthropicBeta: "prompt-caching-2024-07-31"},
		{OpenAIOrganization: "org", OpenAIProject: "proj"},
	}
	for i, w := range want {
		if got := c.Root().Targets[i].Options.Known; got != w {
			t.Errorf("target %d: got %+v want %+v", i, got, w)
		}
	}
	if raw, ok := c.Root().Targets[0].Options.ExtraRaw("azure_auth_mode"); !ok || raw != `"entra"` {
		t.Errorf("azure_auth_mode extra = %q %v", raw, ok)
	}
	if raw, ok := c.Root().Targets[2].Options.ExtraRaw("vertex_service_account_json"); !ok || raw != `{"type":"service_account"}` {
		t.Errorf("vertex_service_account_json extra = %q %v", raw, ok)
	}
	if n := len(c.Root().Targets[4].Options.Extra); n != 0 {
		t.Errorf("ignored keys leaked into Extra: %+v", c.Root().Targets[4].Options.Extra)
	}
	if c.Root().Targets[0].APIKey != "k" {
		t.Errorf("api_key lost")
	}
}

func TestParseVirtualKey(t *testing.T) {
	p := &Parser{VirtualKeys: VirtualKeyMap{
		"azure-prod": {Provider: "azure-openai", APIKeyEnv: "AZURE_KEY",
			Options: KnownOptions{AzureResourceName: "prod", AzureDeploymentID: "gpt4o", AzureAPIVersion: "2024-10-21"}},
	}}
	c, err := p.Parse([]byte(`{"strategy":{"mode":"single"},"targets":[{"virtual_key":"azure-prod","deployment_id":"gpt4o-mini"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	leaf := c.Root().Targets[0]
	if leaf.Provider != "azure-openai" || leaf.APIKeyEnv != "AZURE_KEY" || leaf.VirtualKey != "azure-prod" || leaf.APIKey != "" {
		t.Fatalf("leaf %+v", leaf)
	}
	// The target's own keys beat the virtual key's.
	if leaf.Options.Known != (KnownOptions{AzureResourceName: "prod", AzureDeploymentID: "gpt4o-mini", AzureAPIVersion: "2024-10-21"}) {
		t.Fatalf("options %+v", leaf.Options.Known)
	}
	// An api_key in the config wins over the virtual key's env var.
	c, err = p.Parse([]byte(`{"virtual_key":"azure-prod","api_key":"inline"}`))
	if err != nil || c.Root().APIKey != "inline" || c.Root().APIKeyEnv != "" {
		t.Fatalf("%v %+v", err, c.Root())
	}
}

func TestParseDoesNotAliasInput(t *testing.T) {
	raw := []byte(`{"provider":"openai","override_params":{"model":"gpt-4o"}}`)
	c, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	for i := range raw {
		raw[i] = 'x'
	}
	if c.Root().Provider != "openai" || c.Root().OverrideParams != `{"model":"gpt-4o"}` {
		t.Fatalf("config aliases the input buffer: %+v", c.Root())
	}
}

func TestParseLegacyModeAlone(t *testing.T) {
	if _, err := Parse([]byte(`{"mode":"loadbalance","provider":"openai"}`)); err == nil ||
		err.Error() != `config: the legacy "mode"/"options" form is not supported; write {"strategy":{"mode":"fallback"},"targets":[...]} instead` {
		t.Fatalf("got %v", err)
	}
	// Any other "mode" is a provider option (Portkey passes unknown keys on).
	c := mustParse(t, `{"mode":"chat","provider":"openai"}`)
	if raw, ok := c.Root().Options.ExtraRaw("mode"); !ok || raw != `"chat"` {
		t.Fatalf("%q %v", raw, ok)
	}
}

func TestParseStrayModeNextToStrategy(t *testing.T) {
	// "mode" beside a strategy is not the legacy form; Portkey ignores it and so do we.
	c := mustParse(t, `{"mode":"x","strategy":{"mode":"single"},"targets":[{"provider":"openai"}]}`)
	if c.Root().Mode != ModeSingle {
		t.Fatal(c.Root().Mode)
	}
}

// manyTargets builds a fallback over groups leaves-wide (groups 0: the root holds the leaves).
func manyTargets(groups, leaves int) string {
	leaf := strings.TrimSuffix(strings.Repeat(`{"provider":"a"},`, leaves), ",")
	if groups == 0 {
		return `{"strategy":{"mode":"fallback"},"targets":[` + leaf + `]}`
	}
	g := `{"strategy":{"mode":"fallback"},"targets":[` + leaf + `]}`
	return `{"strategy":{"mode":"fallback"},"targets":[` + strings.TrimSuffix(strings.Repeat(g+",", groups), ",") + `]}`
}

func TestAddNamedRejectsBadNames(t *testing.T) {
	var ps Parser
	for _, name := range []string{"", "{x}"} {
		if err := ps.AddNamed(name, []byte(`{"provider":"a"}`)); err == nil ||
			err.Error() != `configs: a config name must be non-empty and must not start with '{'` {
			t.Fatalf("%q: %v", name, err)
		}
	}
}

func TestOverrideMergeLargeAndDuplicate(t *testing.T) {
	// Duplicates: the last occurrence counts on both sides and stands where it occurs.
	c := mustParse(t, `{"override_params":{"a":1,"b":2,"a":3},"strategy":{"mode":"single"},
	  "targets":[{"provider":"p","override_params":{"c":1,"c":{"x":1},"b":{"y":2}}}]}`)
	if got := c.Root().Targets[0].OverrideParams; got != `{"b":{"y":2},"a":3,"c":{"x":1}}` {
		t.Fatalf("got %s", got)
	}
	// Large objects take the indexed path; the result must follow the same rules.
	var base, over strings.Builder
	base.WriteString("{")
	over.WriteString("{")
	for i := 0; i < 100; i++ {
		if i > 0 {
			base.WriteString(",")
			over.WriteString(",")
		}
		fmt.Fprintf(&base, `"k%d":{"v":%d}`, i, i)
		fmt.Fprintf(&over, `"k%d":{"w":%d}`, i+50, i)
	}
	if base.Len() <= keyIndexScanMax {
		t.Fatal("test objects too small for the indexed path")
	}
	base.WriteString("}")
	over.WriteString("}")
	got := string(appendMerged(nil, gjson.Parse(base.String()), gjson.Parse(over.String())))
	if !gjson.Valid(got) {
		t.Fatal(got)
	}
	for i := 0; i < 150; i++ {
		r := gjson.Get(got, fmt.Sprintf("k%d", i))
		wantV, wantW := i < 100, i >= 50
		if r.Get("v").Exists() != wantV || r.Get("w").Exists() != wantW {
			t.Fatalf("k%d = %s", i, r.Raw)
		}
	}
	if !strings.HasPrefix(got, `{"k0":{"v":0},`) || !strings.HasSuffix(got, `"k149":{"w":99}}`) {
		t.Fatalf("order: %s", got)
	}
}
