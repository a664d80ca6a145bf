package routing

import (
	"errors"
	"testing"
	"time"

	"github.com/tidwall/gjson"
)

var fuzzSeeds = []string{
	`{"provider":"openai","api_key":"sk"}`,
	`{"strategy":{"mode":"fallback","on_status_codes":[429]},"targets":[{"provider":"a","retry":{"attempts":2}},{"virtual_key":"vk"}]}`,
	`{"strategy":{"mode":"loadbalance","sticky":{"hash_fields":["metadata.user"]}},"targets":[{"provider":"a","weight":0.7},{"provider":"b","weight":0.3}]}`,
	`{"strategy":{"mode":"conditional","conditions":[{"query":{"$or":[{"metadata.tier":{"$in":["pro"]}},{"params.max_tokens":{"$gt":"10"}}]},"then":"x"}],"default":"y"},"targets":[{"name":"x","provider":"a"},{"name":"y","provider":"b","override_params":{"model":"m"}}]}`,
	`{"override_params":{"a":{"b":1},"a":2,"c":[1]},"strategy":{"mode":"single"},"targets":[{"provider":"a","override_params":{"a":{"x":{}},"c":{"d":1},"c":3}}]}`,
	`{"override_params":{"a":{"b":1}},"cache":"simple","strategy":{"mode":"single"},"targets":[{"provider":"a","override_params":{"a":{"c":2}}}]}`,
	`{"mode":"fallback","options":[]}`,
	`{"retry":{"attempts":1}}`,
	`[]`, `{`, `{"strategy":{"mode":"single"},"targets":[{"strategy":{"mode":"single"},"targets":[{"provider":"a"}]}]}`,
}

// FuzzParse: any input gives a config or a *ConfigError, never a panic; a config always plans.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	ps := &Parser{VirtualKeys: VirtualKeyMap{"vk": {Provider: "openai", APIKeyEnv: "K"}}}
	f.Fuzz(func(t *testing.T, raw []byte) {
		cfg, err := ps.Parse(raw)
		if err != nil {
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Path == "" || ce.Msg == "" {
				t.Fatalf("error %T %q lacks a path or message", err, err)
			}
			return
		}
		var walk func(*Target)
		walk = func(n *Target) {
			if n.OverrideParams != "" && !gjson.Valid(n.OverrideParams) {
				t.Fatalf("%s: merged override_params is not JSON: %s", n.Path, n.OverrideParams)
			}
			for _, c := range n.Targets {
				walk(c)
			}
		}
		walk(cfg.Root())
		cfg, err = cfg.WithHeaderProvider(HeaderProvider{Provider: "openai"})
		if err != nil {
			t.Fatal(err)
		}
		// Every config must run to its end within MaxAttempts calls, whatever happens.
		clk := &fakeClock{t0}
		p := NewPlan(cfg, RequestInfo{Metadata: []byte(`{"tier":"pro"}`), Body: []byte(`{"max_tokens":50}`)},
			Deps{Rand: seq(0.3, 0.9), Now: clk.Now})
		calls := 0
		for {
			_, wait, ok := p.Next()
			if !ok {
				break
			}
			if wait < 0 || wait > time.Minute {
				t.Fatalf("wait %v", wait)
			}
			clk.t = clk.t.Add(wait)
			calls++
			if calls > cfg.MaxAttempts() {
				t.Fatalf("%d calls, MaxAttempts %d", calls, cfg.MaxAttempts())
			}
			p.Report(Outcome{Status: 503})
		}
		if p.Err() == nil && calls == 0 {
			t.Fatal("plan ended without an attempt or an error")
		}
	})
}

// FuzzRetryAfter: any header value gives a non-negative wait or nothing.
func FuzzRetryAfter(f *testing.F) {
	for _, s := range []string{"1500", "2.5", "-1", "Fri, 04 Dec 2026 20:00:07 GMT", "Friday, 04-Dec-26 20:00:09 GMT", "Fri Dec  4 20:00:11 2026", "1e308", "NaN", ""} {
		f.Add(s, uint8(0))
		f.Add(s, uint8(2))
	}
	f.Fuzz(func(t *testing.T, v string, which uint8) {
		name := retryAfterHeaders[int(which)%len(retryAfterHeaders)]
		d, ok := RetryAfter(func(h string) string {
			if h == name {
				return v
			}
			return ""
		}, t0)
		if d < 0 || (!ok && d != 0) {
			t.Fatalf("%s: %q -> %v %v", name, v, d, ok)
		}
	})
}

// FuzzConditionalRequest: any metadata and body (valid JSON or not) route without a panic, to
// a target or to the no-match error.
func FuzzConditionalRequest(f *testing.F) {
	cfg, err := Parse([]byte(`{"strategy":{"mode":"conditional","conditions":[
	  {"query":{"$or":[{"metadata.user.tier":{"$in":["pro",1,true,null]}},{"params.messages.0.role":{"$regex":"^sys"}}]},"then":"a"},
	  {"query":{"params.max_tokens":{"$gte":"100","$lt":1e3},"metadata.x":{"$ne":null},"params.a.b.c.d.e":{"$nin":[1]}},"then":"b"}]},
	  "targets":[{"name":"a","provider":"a"},{"name":"b","provider":"b"}]}`))
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(`{"user":{"tier":"pro"}}`), []byte(`{"max_tokens":100}`))
	f.Add([]byte(`{"x":1}`), []byte(`{"max_tokens":"500","messages":[{"role":"system"}]}`))
	f.Add([]byte(`{`), []byte(`[[[`))
	f.Fuzz(func(t *testing.T, meta, body []byte) {
		p := NewPlan(cfg, RequestInfo{Metadata: meta, Body: body}, Deps{Rand: seq(0.5), Now: (&fakeClock{t0}).Now})
		a, _, ok := p.Next()
		if ok == (p.Err() != nil) {
			t.Fatalf("ok=%v err=%v", ok, p.Err())
		}
		if ok && a.Provider != "a" && a.Provider != "b" {
			t.Fatal(a.Provider)
		}
	})
}
