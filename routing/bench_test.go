package routing

import (
	"testing"
	"time"
)

// A realistic 3-level config: fallback over (loadbalance over a conditional and a leaf) and a
// leaf, with retries, overrides at every level and provider options.
var benchConfig = []byte(`{
  "retry": {"attempts": 2, "on_status_codes": [429, 500, 503]},
  "request_timeout": 30000,
  "override_params": {"temperature": 0.2, "metadata": {"team": "search"}},
  "strategy": {"mode": "fallback", "on_status_codes": [429, 500, 502, 503, 504]},
  "targets": [
    {
      "strategy": {"mode": "loadbalance"},
      "override_params": {"metadata": {"lb": true}},
      "targets": [
        {
          "weight": 0.7,
          "strategy": {"mode": "conditional",
            "conditions": [
              {"query": {"metadata.tier": {"$in": ["pro", "enterprise"]}}, "then": "smart"},
              {"query": {"$or": [{"params.max_tokens": {"$gt": 4000}}, {"params.model": {"$regex": "^o[0-9]"}}]}, "then": "reasoning"}
            ],
            "default": "cheap"},
          "targets": [
            {"name": "smart", "provider": "openai", "api_key": "sk-1", "override_params": {"model": "gpt-4o"}},
            {"name": "reasoning", "provider": "anthropic", "api_key": "sk-2", "anthropic_version": "2023-06-01", "override_params": {"model": "claude-sonnet-4"}},
            {"name": "cheap", "provider": "openai", "api_key": "sk-1", "override_params": {"model": "gpt-4o-mini"}}
          ]
        },
        {"weight": 0.3, "provider": "azure-openai", "api_key": "az", "resource_name": "r", "deployment_id": "d", "api_version": "2024-10-21"}
      ]
    },
    {"provider": "bedrock", "aws_access_key_id": "AKIA", "aws_secret_access_key": "s", "aws_region": "us-east-1",
     "override_params": {"model": "anthropic.claude-3-5-sonnet"}}
  ]
}`)

var (
	benchMeta = []byte(`{"tier":"pro","user":"u-123"}`)
	benchBody = []byte(`{"model":"gpt-4o","max_tokens":256,"messages":[{"role":"user","content":"hi"}]}`)
	benchNow  = func() time.Time { return t0 }
)

// BenchmarkParseAndFirstAttempt: an inline x-portkey-config, parsed per request.
func BenchmarkParseAndFirstAttempt(b *testing.B) {
	b.ReportAllocs()
	var p Plan
	for i := 0; i < b.N; i++ {
		cfg, err := Parse(benchConfig)
		if err != nil {
			b.Fatal(err)
		}
		p.Init(cfg, RequestInfo{Metadata: benchMeta, Body: benchBody}, Deps{Rand: func() float64 { return 0.2 }, Now: benchNow})
		a, _, ok := p.Next()
		if !ok || a.Provider != "openai" {
			b.Fatal(ok, a.Path)
		}
	}
}

// BenchmarkNamedConfigFirstAttempt: a config from the plugin configuration (parsed once).
func BenchmarkNamedConfigFirstAttempt(b *testing.B) {
	cfg, err := Parse(benchConfig)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var p Plan
	deps := Deps{Rand: func() float64 { return 0.2 }, Now: benchNow}
	for i := 0; i < b.N; i++ {
		p.Init(cfg, RequestInfo{Metadata: benchMeta, Body: benchBody}, deps)
		a, _, ok := p.Next()
		if !ok || a.Provider != "openai" {
			b.Fatal(ok, a.Path)
		}
	}
}

// BenchmarkFallbackWithRetries: the whole plan of a failing request (3 calls on the first leaf,
// then the fallback), with cool-down bookkeeping on.
func BenchmarkFallbackWithRetries(b *testing.B) {
	cfg, err := Parse(benchConfig)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var p Plan
	deps := Deps{Rand: func() float64 { return 0.2 }, Now: benchNow, CooldownStore: &MemoryCooldown{},
		Cooldown: Cooldown{Failures: 1 << 30, Window: time.Minute, Duration: time.Minute}}
	for i := 0; i < b.N; i++ {
		p.Init(cfg, RequestInfo{Metadata: benchMeta, Body: benchBody}, deps)
		n := 0
		for {
			_, _, ok := p.Next()
			if !ok {
				break
			}
			n++
			p.Report(Outcome{Status: 503})
		}
		if n != 6 {
			b.Fatal(n)
		}
	}
}

// BenchmarkCachedInlineConfigFirstAttempt: the same inline x-portkey-config on every request,
// with Parser.CacheSize set.
func BenchmarkCachedInlineConfigFirstAttempt(b *testing.B) {
	ps := &Parser{CacheSize: 16}
	header := string(benchConfig)
	b.ReportAllocs()
	var p Plan
	deps := Deps{Rand: func() float64 { return 0.2 }, Now: benchNow}
	for i := 0; i < b.N; i++ {
		cfg, err := ps.Resolve(header, HeaderProvider{})
		if err != nil {
			b.Fatal(err)
		}
		p.Init(cfg, RequestInfo{Metadata: benchMeta, Body: benchBody}, deps)
		a, _, ok := p.Next()
		if !ok || a.Provider != "openai" {
			b.Fatal(ok, a.Path)
		}
	}
}
