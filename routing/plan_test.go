package routing

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 12, 4, 20, 0, 0, 0, time.UTC)

type fakeClock struct{ t time.Time }

func (c *fakeClock) Now() time.Time { return c.t }

// seq returns the values in turn, forever.
func seq(vals ...float64) func() float64 {
	i := 0
	return func() float64 {
		v := vals[i%len(vals)]
		i++
		return v
	}
}

// drive runs a plan to its end like the plugin would: wait as told, call, report. It returns
// one "path#try +wait" line per attempt.
func drive(p *Plan, clk *fakeClock, answer func(a Attempt) Outcome) []string {
	var log []string
	for n := 0; n < 100; n++ {
		a, wait, ok := p.Next()
		if !ok {
			return log
		}
		clk.t = clk.t.Add(wait)
		line := fmt.Sprintf("%s#%d", a.Path, a.Try)
		if wait > 0 {
			line += " +" + wait.String()
		}
		log = append(log, line)
		p.Report(answer(a))
	}
	panic("plan did not end")
}

// byProvider answers each provider with its script of statuses (the last one repeats).
func byProvider(script map[string][]int) func(Attempt) Outcome {
	calls := map[string]int{}
	return func(a Attempt) Outcome {
		s := script[a.Provider]
		i := calls[a.Provider]
		calls[a.Provider]++
		if i >= len(s) {
			i = len(s) - 1
		}
		if s[i] == 0 {
			return Outcome{ConnFailure: true}
		}
		if s[i] < 0 {
			return Outcome{Status: 500, GatewayError: true}
		}
		return Outcome{Status: s[i]}
	}
}

func TestPlanModes(t *testing.T) {
	cases := []struct {
		name     string
		cfg      string
		req      RequestInfo
		rand     []float64
		script   map[string][]int
		want     []string
		path     string
		retries  int
		err      string
		attempts int
	}{
		{name: "leaf", cfg: `{"provider":"a"}`, script: map[string][]int{"a": {200}},
			want: []string{"config#0"}, path: "config"},
		{name: "single takes the first target", cfg: `{"strategy":{"mode":"single"},"targets":[{"provider":"a"},{"provider":"b"}]}`,
			script: map[string][]int{"a": {500}, "b": {200}}, want: []string{"config.targets[0]#0"}, path: "config.targets[0]"},
		{name: "fallback moves on after non-2xx", cfg: `{"strategy":{"mode":"fallback"},"targets":[{"provider":"a"},{"provider":"b"},{"provider":"c"}]}`,
			script: map[string][]int{"a": {500}, "b": {400}, "c": {200}},
			want:   []string{"config.targets[0]#0", "config.targets[1]#0", "config.targets[2]#0"}, path: "config.targets[2]"},
		{name: "fallback stops at success", cfg: `{"strategy":{"mode":"fallback"},"targets":[{"provider":"a"},{"provider":"b"}]}`,
			script: map[string][]int{"a": {201}, "b": {200}}, want: []string{"config.targets[0]#0"}, path: "config.targets[0]"},
		{name: "fallback all fail answers with the last", cfg: `{"strategy":{"mode":"fallback"},"targets":[{"provider":"a"},{"provider":"b"}]}`,
			script: map[string][]int{"a": {502}, "b": {429}}, want: []string{"config.targets[0]#0", "config.targets[1]#0"}, path: "config.targets[1]"},
		{name: "fallback on_status_codes: unlisted status ends the chain",
			cfg:    `{"strategy":{"mode":"fallback","on_status_codes":[429]},"targets":[{"provider":"a"},{"provider":"b"}]}`,
			script: map[string][]int{"a": {500}, "b": {200}}, want: []string{"config.targets[0]#0"}, path: "config.targets[0]"},
		{name: "fallback on_status_codes: listed status moves on",
			cfg:    `{"strategy":{"mode":"fallback","on_status_codes":[429,503]},"targets":[{"provider":"a"},{"provider":"b"}]}`,
			script: map[string][]int{"a": {0}, "b": {200}}, want: []string{"config.targets[0]#0", "config.targets[1]#0"}, path: "config.targets[1]"},
		{name: "fallback on_status_codes may even list 200",
			cfg:    `{"strategy":{"mode":"fallback","on_status_codes":[200]},"targets":[{"provider":"a"},{"provider":"b"}]}`,
			script: map[string][]int{"a": {200}, "b": {500}}, want: []string{"config.targets[0]#0", "config.targets[1]#0"}, path: "config.targets[1]"},
		{name: "connection failure falls back", cfg: `{"strategy":{"mode":"fallback"},"targets":[{"provider":"a"},{"provider":"b"}]}`,
			script: map[string][]int{"a": {0}, "b": {200}}, want: []string{"config.targets[0]#0", "config.targets[1]#0"}, path: "config.targets[1]"},
		{name: "gateway error stops the chain", cfg: `{"strategy":{"mode":"fallback"},"targets":[{"provider":"a","retry":{"attempts":3}},{"provider":"b"}]}`,
			script: map[string][]int{"a": {-1}, "b": {200}}, want: []string{"config.targets[0]#0"}, path: "config.targets[0]"},
		{name: "loadbalance draws by weight", cfg: `{"strategy":{"mode":"loadbalance"},"targets":[{"provider":"a","weight":0.7},{"provider":"b","weight":0.3}]}`,
			rand: []float64{0.71}, script: map[string][]int{"b": {200}}, want: []string{"config.targets[1]#0"}, path: "config.targets[1]"},
		{name: "loadbalance low draw", cfg: `{"strategy":{"mode":"loadbalance"},"targets":[{"provider":"a","weight":0.7},{"provider":"b","weight":0.3}]}`,
			rand: []float64{0.69}, script: map[string][]int{"a": {200}}, want: []string{"config.targets[0]#0"}, path: "config.targets[0]"},
		{name: "loadbalance skips weight 0 even at the edge", cfg: `{"strategy":{"mode":"loadbalance"},"targets":[{"provider":"a","weight":0},{"provider":"b"},{"provider":"c","weight":0}]}`,
			rand: []float64{0.999999}, script: map[string][]int{"b": {200}}, want: []string{"config.targets[1]#0"}, path: "config.targets[1]"},
		{name: "loadbalance does not fall back", cfg: `{"strategy":{"mode":"loadbalance"},"targets":[{"provider":"a"},{"provider":"b"}]}`,
			rand: []float64{0}, script: map[string][]int{"a": {500}}, want: []string{"config.targets[0]#0"}, path: "config.targets[0]"},
		{name: "conditional first match wins",
			cfg: `{"strategy":{"mode":"conditional","conditions":[
				{"query":{"metadata.tier":"free"},"then":"cheap"},
				{"query":{"metadata.tier":{"$in":["pro","free"]}},"then":"smart"}],"default":"cheap"},
				"targets":[{"name":"smart","provider":"a"},{"name":"cheap","provider":"b"}]}`,
			req:    RequestInfo{Metadata: []byte(`{"tier":"pro"}`)},
			script: map[string][]int{"a": {200}}, want: []string{"config.targets[0]#0"}, path: "config.targets[0]"},
		{name: "conditional default",
			cfg: `{"strategy":{"mode":"conditional","conditions":[{"query":{"metadata.tier":"pro"},"then":"smart"}],"default":"cheap"},
				"targets":[{"name":"smart","provider":"a"},{"name":"cheap","provider":"b"}]}`,
			req:    RequestInfo{Metadata: []byte(`{"tier":"basic"}`)},
			script: map[string][]int{"b": {200}}, want: []string{"config.targets[1]#0"}, path: "config.targets[1]"},
		{name: "conditional no match without default",
			cfg: `{"strategy":{"mode":"conditional","conditions":[{"query":{"metadata.tier":"pro"},"then":"smart"}]},
				"targets":[{"name":"smart","provider":"a"}]}`,
			err: `routing: config: no condition matched and strategy.default is not set`},
		{name: "conditional on params and path",
			cfg: `{"strategy":{"mode":"conditional","conditions":[
				{"query":{"url.pathname":"/v1/embeddings"},"then":"emb"},
				{"query":{"params.model":{"$regex":"^claude-"},"params.stream":true},"then":"claude"}],"default":"gpt"},
				"targets":[{"name":"gpt","provider":"a"},{"name":"claude","provider":"b"},{"name":"emb","provider":"c"}]}`,
			req:    RequestInfo{Path: "/v1/chat/completions", Body: []byte(`{"model":"claude-sonnet-4","stream":true}`)},
			script: map[string][]int{"b": {200}}, want: []string{"config.targets[1]#0"}, path: "config.targets[1]"},
		{name: "nested: fallback over loadbalance, conditional, leaf",
			cfg: `{"strategy":{"mode":"fallback"},"targets":[
				{"strategy":{"mode":"loadbalance"},"targets":[{"provider":"a","weight":1},{"provider":"b","weight":3}]},
				{"strategy":{"mode":"conditional","conditions":[{"query":{"metadata.team":"ml"},"then":"c"}],"default":"d"},
				 "targets":[{"name":"c","provider":"c"},{"name":"d","provider":"d"}]},
				{"provider":"e"}]}`,
			req: RequestInfo{Metadata: []byte(`{"team":"ml"}`)}, rand: []float64{0.5},
			script: map[string][]int{"b": {503}, "c": {429}, "e": {200}},
			want:   []string{"config.targets[0].targets[1]#0", "config.targets[1].targets[0]#0", "config.targets[2]#0"},
			path:   "config.targets[2]"},
		{name: "nested fallback inside fallback",
			cfg: `{"strategy":{"mode":"fallback"},"targets":[
				{"strategy":{"mode":"fallback","on_status_codes":[429]},"targets":[{"provider":"a"},{"provider":"b"}]},
				{"provider":"c"}]}`,
			script: map[string][]int{"a": {429}, "b": {500}, "c": {200}},
			want:   []string{"config.targets[0].targets[0]#0", "config.targets[0].targets[1]#0", "config.targets[1]#0"},
			path:   "config.targets[1]"},
		{name: "gateway error in a nested group stops every level",
			cfg: `{"strategy":{"mode":"fallback"},"targets":[
				{"strategy":{"mode":"fallback"},"targets":[{"provider":"a"},{"provider":"b"}]},{"provider":"c"}]}`,
			script: map[string][]int{"a": {-1}}, want: []string{"config.targets[0].targets[0]#0"}, path: "config.targets[0].targets[0]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := mustParse(t, tc.cfg)
			clk := &fakeClock{t0}
			rnd := tc.rand
			if rnd == nil {
				rnd = []float64{0.5}
			}
			p := NewPlan(cfg, tc.req, Deps{Rand: seq(rnd...), Now: clk.Now})
			got := drive(p, clk, byProvider(tc.script))
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Fatalf("attempts\n got: %q\nwant: %q", got, tc.want)
			}
			if tc.err != "" {
				if p.Err() == nil || p.Err().Error() != tc.err {
					t.Fatalf("Err = %v, want %s", p.Err(), tc.err)
				}
				var re *RouteError
				if !errors.As(p.Err(), &re) {
					t.Fatalf("Err is %T", p.Err())
				}
				return
			}
			if p.Err() != nil {
				t.Fatalf("Err = %v", p.Err())
			}
			path, n := p.Result()
			if path != tc.path || n != tc.retries {
				t.Fatalf("Result = %q %d, want %q %d", path, n, tc.path, tc.retries)
			}
			if _, _, ok := p.Next(); ok || !p.Done() {
				t.Fatal("plan continues after its end")
			}
		})
	}
}

func TestPlanRetries(t *testing.T) {
	cases := []struct {
		name    string
		cfg     string
		script  map[string][]int
		rand    float64
		want    []string
		path    string
		retries int
	}{
		{name: "retried until success", cfg: `{"provider":"a","retry":{"attempts":3}}`, rand: 0,
			script: map[string][]int{"a": {503, 429, 200}},
			want:   []string{"config#0", "config#1 +500ms", "config#2 +1s"}, path: "config", retries: 2},
		{name: "jitter at the top", cfg: `{"provider":"a","retry":{"attempts":5}}`, rand: 0.999999999,
			script: map[string][]int{"a": {500}},
			want:   []string{"config#0", "config#1 +999.999999ms", "config#2 +1.999999999s", "config#3 +3.999999998s", "config#4 +7.999999996s", "config#5 +15.999999992s"},
			path:   "config", retries: -1},
		{name: "exhausted is -1", cfg: `{"provider":"a","retry":{"attempts":2}}`, rand: 0.5,
			script: map[string][]int{"a": {502}},
			want:   []string{"config#0", "config#1 +750ms", "config#2 +1.5s"}, path: "config", retries: -1},
		{name: "non-retryable status is not retried", cfg: `{"provider":"a","retry":{"attempts":3}}`,
			script: map[string][]int{"a": {400}}, want: []string{"config#0"}, path: "config", retries: 0},
		{name: "failure after a retry with a non-retryable status", cfg: `{"provider":"a","retry":{"attempts":3}}`, rand: 0,
			script: map[string][]int{"a": {500, 401}}, want: []string{"config#0", "config#1 +500ms"}, path: "config", retries: 1},
		{name: "own status list", cfg: `{"provider":"a","retry":{"attempts":3,"on_status_codes":[408]}}`, rand: 0,
			script: map[string][]int{"a": {408, 500}}, want: []string{"config#0", "config#1 +500ms"}, path: "config", retries: 1},
		{name: "connection failure is retried", cfg: `{"provider":"a","retry":{"attempts":1}}`, rand: 0,
			script: map[string][]int{"a": {0, 200}}, want: []string{"config#0", "config#1 +500ms"}, path: "config", retries: 1},
		{name: "no retry config: 0 even when failing", cfg: `{"provider":"a"}`,
			script: map[string][]int{"a": {503}}, want: []string{"config#0"}, path: "config", retries: 0},
		{name: "retries used up before fallback moves on",
			cfg: `{"retry":{"attempts":2},"strategy":{"mode":"fallback"},"targets":[{"provider":"a"},{"provider":"b"}]}`, rand: 0,
			script: map[string][]int{"a": {500}, "b": {429, 200}},
			want:   []string{"config.targets[0]#0", "config.targets[0]#1 +500ms", "config.targets[0]#2 +1s", "config.targets[1]#0", "config.targets[1]#1 +500ms"},
			path:   "config.targets[1]", retries: 1},
		{name: "all targets exhausted",
			cfg: `{"strategy":{"mode":"fallback"},"targets":[{"provider":"a","retry":{"attempts":1}},{"provider":"b","retry":{"attempts":1}}]}`, rand: 0,
			script: map[string][]int{"a": {500}, "b": {500}},
			want:   []string{"config.targets[0]#0", "config.targets[0]#1 +500ms", "config.targets[1]#0", "config.targets[1]#1 +500ms"},
			path:   "config.targets[1]", retries: -1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := mustParse(t, tc.cfg)
			clk := &fakeClock{t0}
			p := NewPlan(cfg, RequestInfo{}, Deps{Rand: seq(tc.rand), Now: clk.Now})
			got := drive(p, clk, byProvider(tc.script))
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Fatalf("attempts\n got: %q\nwant: %q", got, tc.want)
			}
			path, n := p.Result()
			if path != tc.path || n != tc.retries || p.Err() != nil {
				t.Fatalf("Result = %q %d (err %v), want %q %d", path, n, p.Err(), tc.path, tc.retries)
			}
		})
	}
}

func TestPlanAttemptFields(t *testing.T) {
	cfg := mustParse(t, `{"override_params":{"model":"gpt-4o"},"request_timeout":3000,"cache":{"mode":"simple"},
	  "strategy":{"mode":"single"},"targets":[{"provider":"openai","api_key":"sk-1","custom_host":"https://h.internal",
	  "forward_headers":["x-user"],"strict_open_ai_compliance":true,"openai_project":"p1"}]}`)
	p := NewPlan(cfg, RequestInfo{}, Deps{Rand: seq(0), Now: (&fakeClock{t0}).Now})
	a, wait, ok := p.Next()
	if !ok || wait != 0 {
		t.Fatal(ok, wait)
	}
	if a.Provider != "openai" || a.APIKey != "sk-1" || a.OverrideParams != `{"model":"gpt-4o"}` || a.Timeout != 3*time.Second ||
		a.CustomHost != "https://h.internal" || a.ForwardHeaders[0] != "x-user" || !a.Strict.Bool(false) ||
		a.Cache.Mode != "simple" || a.Options.Known.OpenAIProject != "p1" || a.Path != "config.targets[0]" || a.Try != 0 {
		t.Fatalf("attempt %+v", *a.Target)
	}
	// Next before Report is refused rather than skipping an outcome.
	if _, _, ok := p.Next(); ok {
		t.Fatal("Next before Report gave an attempt")
	}
	p.Report(Outcome{Status: 200})
	if _, _, ok := p.Next(); ok {
		t.Fatal("more attempts after success")
	}
}

func TestPlanHeaderProvider(t *testing.T) {
	var ps Parser
	// Portkey's {"retry":...} config takes provider and key from the headers.
	cfg, err := ps.Resolve(`{"retry":{"attempts":1},"override_params":{"model":"m"}}`, HeaderProvider{Provider: "openai", APIKey: "sk-h"})
	if err != nil {
		t.Fatal(err)
	}
	p := NewPlan(cfg, RequestInfo{}, Deps{Rand: seq(0), Now: (&fakeClock{t0}).Now})
	a, _, ok := p.Next()
	if !ok || a.Provider != "openai" || a.APIKey != "sk-h" || a.Retry.Attempts != 1 || a.Path != "config" {
		t.Fatalf("%v %+v", ok, a.Target)
	}
	// Without x-portkey-provider the same config is an error.
	if _, err := ps.Resolve(`{"retry":{"attempts":1}}`, HeaderProvider{}); err == nil ||
		err.Error() != `config: needs provider, virtual_key, or strategy and targets (or send x-portkey-provider)` {
		t.Fatalf("got %v", err)
	}
	// A provider-less config handed to NewPlan directly fails at the first Next.
	raw := mustParse(t, `{"retry":{"attempts":1}}`)
	if !raw.NeedsHeaderProvider() {
		t.Fatal("NeedsHeaderProvider = false")
	}
	p = NewPlan(raw, RequestInfo{}, Deps{})
	if _, _, ok := p.Next(); ok || p.Err() == nil {
		t.Fatal("provider-less plan produced an attempt")
	}
}

func TestResolve(t *testing.T) {
	ps := &Parser{}
	if err := ps.AddNamed("prod", []byte(`{"strategy":{"mode":"fallback"},"targets":[{"provider":"openai"},{"provider":"anthropic"}]}`)); err != nil {
		t.Fatal(err)
	}
	if err := ps.AddNamed("bad", []byte(`{"strategy":{"mode":"fallback"},"targets":[{"weight":-1,"provider":"a"}]}`)); err == nil ||
		err.Error() != `configs["bad"].targets[0].weight: must be a number >= 0` {
		t.Fatalf("AddNamed error = %v", err)
	}
	c, err := ps.Resolve(" prod ", HeaderProvider{Provider: "groq"})
	if err != nil || c.Root().Mode != ModeFallback || c.MaxAttempts() != 2 {
		t.Fatalf("%v %+v", err, c)
	}
	if named, _ := ps.Named("prod"); named != c {
		t.Fatal("a named config is re-parsed per request")
	}
	if _, err := ps.Resolve("pc-unknown", HeaderProvider{}); err == nil ||
		err.Error() != `x-portkey-config: no config named "pc-unknown" in the gateway configuration (inline configs must be JSON objects)` {
		t.Fatalf("got %v", err)
	}
	c, err = ps.Resolve("", HeaderProvider{Provider: "anthropic", APIKey: "sk-ant", Options: KnownOptions{AnthropicVersion: "2023-06-01"}})
	if err != nil || c.Root().Provider != "anthropic" || c.Root().APIKey != "sk-ant" || c.Root().Path != "config" ||
		c.Root().Options.Known.AnthropicVersion != "2023-06-01" || c.MaxAttempts() != 1 {
		t.Fatalf("%v %+v", err, c.Root())
	}
	if _, err := ps.Resolve("", HeaderProvider{}); err == nil ||
		err.Error() != `x-portkey-provider: required when x-portkey-config is not sent (or send x-portkey-virtual-key)` {
		t.Fatalf("got %v", err)
	}
	if _, err := ps.Resolve("", HeaderProvider{VirtualKey: "vk"}); err == nil ||
		err.Error() != `x-portkey-virtual-key: virtual keys are not configured in this gateway` {
		t.Fatalf("got %v", err)
	}
	ps.VirtualKeys = VirtualKeyMap{"vk-bedrock": {Provider: "bedrock", APIKeyEnv: "AWS_KEYS", Options: KnownOptions{AWSRegion: "eu-west-1"}}}
	c, err = ps.Resolve("", HeaderProvider{VirtualKey: "vk-bedrock", Options: KnownOptions{AWSRegion: "us-east-1"}})
	if err != nil || c.Root().Provider != "bedrock" || c.Root().APIKeyEnv != "AWS_KEYS" || c.Root().Options.Known.AWSRegion != "us-east-1" {
		t.Fatalf("%v %+v", err, c.Root())
	}
	if _, err := ps.Resolve("", HeaderProvider{VirtualKey: "vk-x"}); err == nil ||
		err.Error() != `x-portkey-virtual-key: unknown virtual key "vk-x"` {
		t.Fatalf("got %v", err)
	}
	if _, err := ps.Resolve(`{"strategy":{"mode":"nope"},"targets":[{"provider":"a"}]}`, HeaderProvider{}); err == nil ||
		err.Error() != `strategy.mode: must be one of single, loadbalance, fallback, conditional (got "nope")` {
		t.Fatalf("got %v", err)
	}
}

func TestAPIKeyFromAuthorization(t *testing.T) {
	for in, want := range map[string]string{
		"Bearer sk-123": "sk-123", "sk-raw": "sk-raw", "": "", "Bearer ": "", "bearer sk": "bearer sk",
	} {
		if got := APIKeyFromAuthorization(in); got != want {
			t.Errorf("%q -> %q, want %q", in, got, want)
		}
	}
}

func TestPlanReuse(t *testing.T) {
	var p Plan
	clk := &fakeClock{t0}
	a := mustParse(t, `{"strategy":{"mode":"fallback"},"targets":[{"provider":"a","retry":{"attempts":1}},{"provider":"b"}]}`)
	b := mustParse(t, `{"provider":"c"}`)
	p.Init(a, RequestInfo{}, Deps{Rand: seq(0), Now: clk.Now})
	if got := drive(&p, clk, byProvider(map[string][]int{"a": {500}, "b": {500}})); len(got) != 3 || p.Calls() != 3 {
		t.Fatal(got)
	}
	p.Init(b, RequestInfo{}, Deps{Rand: seq(0), Now: clk.Now})
	if p.Done() || p.Calls() != 0 || p.Err() != nil {
		t.Fatal("state survived Init")
	}
	if path, n := p.Result(); path != "" || n != 0 {
		t.Fatal(path, n)
	}
	if got := drive(&p, clk, byProvider(map[string][]int{"c": {200}})); strings.Join(got, ",") != "config#0" {
		t.Fatal(got)
	}
	if path, n := p.Result(); path != "config" || n != 0 {
		t.Fatal(path, n)
	}
}
