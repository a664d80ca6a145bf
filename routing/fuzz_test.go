package routing

import (
	"errors"
	"testing"
	"time"
)

var fuzzSeeds = []string{
	`{"provider":"openai","api_key":"sk"}`,
	`{"strategy":{"mode":"fallback","on_status_codes":[429]},"targets":[{"provider":"a","retry":{"attempts":2}},{"virtual_key":"vk"}]}`,
	`{"strategy":{"mode":"loadbalance","sticky":{"hash_fields":["metadata.user"]}},"targets":[{"provider":"a","weight":0.7},{"provider":"b","weight":0.3}]}`,
	`{"strategy":{"mode":"conditional","conditions":[{"query":{"$or":[{"metadata.tier":{"$in":["pro"]}},{"params.max_tokens":{"$gt":"10"}}]},"then":"x"}],"default":"y"},"targets":[{"name":"x","provider":"a"},{"name":"y","provider":"b","override_params":{"model":"m"}}]}`,
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
