package pipeline

import (
	"io"
	"math"
	"net/http"
	"strings"
	"sync"
	"testing"

	"switchyard/e2e/gateway"
)

// send is do for goroutines other than the test's own (which must not call t.Fatal).
func send(g *gateway.Gateway, body string, hdr ...string) (result, error) {
	req, _ := http.NewRequest("POST", g.URL()+"/v1/chat/completions", strings.NewReader(body))
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return result{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return result{res.StatusCode, res.Header, string(b)}, err
}

// TestLoadbalanceSplit: 1,000 requests through a 0.7/0.3 loadbalance land on each target in
// proportion to its weight; a weight-0 target is never drawn.
//
// The bound: each request is an independent draw, so the count on the 0.7 target is
// Binomial(1000, 0.7) with standard deviation sqrt(1000·0.7·0.3) ≈ 14.5 requests = 1.45
// percentage points. ±5 points is ±3.45 σ: a correct draw fails this test about once in 1,800
// runs, while a draw that ignored the weights (50/50) or swapped them (30/70) is 20 or 40
// points off, 14 σ and more, and can never pass.
func TestLoadbalanceSplit(t *testing.T) {
	g := start(t, nil)
	const (
		n       = 1000
		workers = 8
		cfg     = `{"strategy":{"mode":"loadbalance"},"targets":[` +
			`{"provider":"openai","weight":0.7},{"provider":"cohere","weight":0},{"provider":"anthropic","weight":0.3}]}`
	)
	tag := newTag(t)
	var (
		mu     sync.Mutex
		counts = map[string]int{}
		bad    []string
		wg     sync.WaitGroup
		next   = make(chan int)
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range next {
				r, err := send(g, chatBody, "x-portkey-config", cfg, "x-mock-tag", tag)
				mu.Lock()
				switch {
				case err != nil:
					bad = append(bad, err.Error())
				case r.status != 200 || r.header.Get("X-Portkey-Retry-Attempt-Count") != "0":
					bad = append(bad, itoa(int64(r.status))+" "+r.body)
				default:
					counts[r.header.Get("X-Portkey-Provider")+" "+r.header.Get("X-Portkey-Last-Used-Option-Index")]++
				}
				mu.Unlock()
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	if len(bad) > 0 {
		t.Fatalf("%d requests failed, first: %s", len(bad), bad[0])
	}
	openai, anthropic := counts["openai config.targets[0]"], counts["anthropic config.targets[2]"]
	if openai+anthropic != n {
		t.Fatalf("answers by target %v: some came from elsewhere (the weight-0 target?)", counts)
	}
	if share := float64(openai) / n; math.Abs(share-0.7) > 0.05 {
		t.Errorf("openai (weight 0.7) answered %d of %d (%.1f%%), want 65%%..75%%", openai, n, 100*share)
	}
	if c := len(mock("cohere").Tagged(tag)); c != 0 {
		t.Errorf("the weight-0 target was called %d times", c)
	}
	t.Logf("split over %d requests: %v", n, counts)
}

// wantRoute checks the gateway's routing headers.
func wantRoute(t *testing.T, r result, provider, index, retries string) {
	t.Helper()
	for k, v := range map[string]string{"X-Portkey-Provider": provider, "X-Portkey-Last-Used-Option-Index": index,
		"X-Portkey-Retry-Attempt-Count": retries} {
		if got := r.header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
}

// calls counts the requests each mock saw for tag.
func calls(tag string, names ...string) map[string]int {
	out := map[string]int{}
	for _, n := range names {
		if c := len(mock(n).Tagged(tag)); c > 0 {
			out[n] = c
		}
	}
	return out
}

func wantCalls(t *testing.T, tag string, want map[string]int) {
	t.Helper()
	got := calls(tag, "openai", "anthropic", "google", "cohere")
	if len(got) != len(want) {
		t.Errorf("upstream calls %v, want %v", got, want)
		return
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("upstream calls %v, want %v", got, want)
			return
		}
	}
}

// TestConditionalRouting: conditions on x-portkey-metadata and on request body fields (a
// top-level and a nested one) pick the target; the first match wins, then the default; with no
// match and no default the request is refused before any provider is called.
func TestConditionalRouting(t *testing.T) {
	const targets = `"targets":[{"name":"paid","provider":"anthropic"},{"name":"mini","provider":"openai"},` +
		`{"name":"gold","provider":"cohere"},{"name":"rest","provider":"google"}]`
	const conds = `"conditions":[` +
		`{"query":{"metadata.plan":{"$eq":"paid"}},"then":"paid"},` +
		`{"query":{"params.model":{"$in":["gpt-4o-mini","gpt-4.1-mini"]}},"then":"mini"},` +
		`{"query":{"$and":[{"params.metadata.tier":"gold"},{"metadata.region":{"$ne":"eu"}}]},"then":"gold"},` +
		`{"query":{"metadata.priority":{"$gte":2}},"then":"paid"}]`
	withDefault := `{"strategy":{"mode":"conditional",` + conds + `,"default":"rest"},` + targets + `}`
	noDefault := `{"strategy":{"mode":"conditional",` + conds + `},` + targets + `}`
	const (
		mini = `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}`
		big  = `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}`
		gold = `{"model":"gpt-4o","metadata":{"tier":"gold"},"messages":[{"role":"user","content":"hi"}]}`
	)
	cases := []struct {
		name, body, metadata, provider, index string
	}{
		{"metadata beats params (first match wins)", mini, `{"plan":"paid"}`, "anthropic", "config.targets[0]"},
		{"top-level body field", mini, `{"plan":"free"}`, "openai", "config.targets[1]"},
		{"nested body field and metadata", gold, `{"region":"us"}`, "cohere", "config.targets[2]"},
		{"nested body field, metadata vetoes", gold, `{"region":"eu"}`, "google", "config.targets[3]"},
		{"no metadata at all", big, "", "google", "config.targets[3]"},
		// Ordering operators compare parseFloat of both sides, as Portkey does: "3" ≥ 2.
		{"numeric metadata as a string", big, `{"priority":"3"}`, "anthropic", "config.targets[0]"},
		{"numeric metadata below", big, `{"priority":1}`, "google", "config.targets[3]"},
	}
	// The choice is made before the first attempt; both attempt modes send it the same way.
	modes(t, func(t *testing.T, mode string) {
		g := start(t, withMode(mode, nil))
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				for _, cfg := range []string{withDefault, noDefault} {
					tag := newTag(t)
					hdr := []string{"x-portkey-config", cfg, "x-mock-tag", tag}
					if c.metadata != "" {
						hdr = append(hdr, "x-portkey-metadata", c.metadata)
					}
					r := do(t, g, "POST", "/v1/chat/completions", c.body, hdr...)
					if cfg == noDefault && c.provider == "google" {
						wantStatus(t, r, 400)
						wantBody(t, r.body, `{"error":{"message":"routing: config: no condition matched and strategy.default is not set","type":"invalid_request_error","param":null,"code":"routing_failed"}}`)
						wantCalls(t, tag, nil)
						continue
					}
					wantStatus(t, r, 200)
					wantRoute(t, r, c.provider, c.index, "0")
					wantCalls(t, tag, map[string]int{c.provider: 1})
				}
			})
		}
	})
}

// TestNestedStrategies: groups inside groups. The answering target's path and its retry count
// come back in the headers; a failing group hands over to its parent's next target.
func TestNestedStrategies(t *testing.T) {
	// A fallback whose first target is a loadbalance that always draws its second child
	// (the first has weight 0); that child retries once, after 10 ms (the mocks send Retry-After: 0.01; 0 would mean the default back-off of 0.5-1 s).
	const lbFirst = `{"strategy":{"mode":"fallback"},"targets":[` +
		`{"strategy":{"mode":"loadbalance"},"targets":[{"provider":"cohere","weight":0},{"provider":"openai","weight":1,"retry":{"attempts":1,"use_retry_after_header":true}}]},` +
		`{"provider":"anthropic"}]}`
	// A fallback whose first target is a conditional on metadata.
	const condFirst = `{"strategy":{"mode":"fallback"},"targets":[` +
		`{"strategy":{"mode":"conditional","conditions":[{"query":{"metadata.env":"prod"},"then":"main"}],"default":"spare"},` +
		`"targets":[{"name":"spare","provider":"google"},{"name":"main","provider":"openai"}]},` +
		`{"provider":"anthropic"}]}`
	// A fallback inside a fallback inside a fallback.
	const deep = `{"strategy":{"mode":"fallback"},"targets":[` +
		`{"strategy":{"mode":"fallback","on_status_codes":[503]},"targets":[{"provider":"openai"},` +
		`{"strategy":{"mode":"fallback"},"targets":[{"provider":"cohere"},{"provider":"google"}]}]},` +
		`{"provider":"anthropic"}]}`
	// A loadbalance that always draws a fallback group.
	const lbOfFallback = `{"strategy":{"mode":"loadbalance"},"targets":[{"provider":"cohere","weight":0},` +
		`{"weight":2,"strategy":{"mode":"fallback"},"targets":[{"provider":"openai"},{"provider":"anthropic"}]}]}`
	// The last target of a fallback retries (and may run out of retries).
	const retryLast = `{"strategy":{"mode":"fallback"},"targets":[{"provider":"anthropic"},` +
		`{"strategy":{"mode":"loadbalance"},"targets":[{"provider":"openai","retry":{"attempts":2,"use_retry_after_header":true}}]}]}`
	cases := []struct {
		name, cfg string
		hdr       []string
		status    int
		provider  string
		index     string
		retries   string
		calls     map[string]int
	}{
		{"loadbalance answers", lbFirst, nil, 200, "openai", "config.targets[0].targets[1]", "0", map[string]int{"openai": 1}},
		{"loadbalance child retried", lbFirst, []string{"x-mock-openai-status", "503", "x-mock-fail-times", "1"},
			200, "openai", "config.targets[0].targets[1]", "1", map[string]int{"openai": 2}},
		{"loadbalance exhausted, parent falls back", lbFirst, []string{"x-mock-openai-status", "500"},
			200, "anthropic", "config.targets[1]", "0", map[string]int{"openai": 2, "anthropic": 1}},
		{"everything fails", lbFirst, []string{"x-mock-openai-status", "500", "x-mock-anthropic-status", "502"},
			502, "anthropic", "config.targets[1]", "0", map[string]int{"openai": 2, "anthropic": 1}},
		{"conditional match", condFirst, []string{"x-portkey-metadata", `{"env":"prod"}`},
			200, "openai", "config.targets[0].targets[1]", "0", map[string]int{"openai": 1}},
		{"conditional default", condFirst, []string{"x-portkey-metadata", `{"env":"dev"}`},
			200, "google", "config.targets[0].targets[0]", "0", map[string]int{"google": 1}},
		{"conditional target fails, parent falls back", condFirst, []string{"x-portkey-metadata", `{"env":"prod"}`, "x-mock-openai-status", "429"},
			200, "anthropic", "config.targets[1]", "0", map[string]int{"openai": 1, "anthropic": 1}},
		{"three levels", deep, []string{"x-mock-openai-status", "503", "x-mock-cohere-status", "500"},
			200, "google", "config.targets[0].targets[1].targets[1]", "0", map[string]int{"openai": 1, "cohere": 1, "google": 1}},
		{"inner on_status_codes passes over, outer falls back", deep, []string{"x-mock-openai-status", "500"},
			200, "anthropic", "config.targets[1]", "0", map[string]int{"openai": 1, "anthropic": 1}},
		{"loadbalance draws a fallback", lbOfFallback, []string{"x-mock-openai-status", "500"},
			200, "anthropic", "config.targets[1].targets[1]", "0", map[string]int{"openai": 1, "anthropic": 1}},
		{"last target retried", retryLast, []string{"x-mock-anthropic-status", "500", "x-mock-openai-status", "502", "x-mock-openai-fail-times", "2"},
			200, "openai", "config.targets[1].targets[0]", "2", map[string]int{"anthropic": 1, "openai": 3}},
		{"last target out of retries", retryLast, []string{"x-mock-anthropic-status", "500", "x-mock-openai-status", "502"},
			502, "openai", "config.targets[1].targets[0]", "-1", map[string]int{"anthropic": 1, "openai": 3}},
	}
	modes(t, func(t *testing.T, mode string) {
		g := start(t, withMode(mode, nil))
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				tag := newTag(t)
				r := do(t, g, "POST", "/v1/chat/completions", chatBody,
					append([]string{"x-portkey-config", c.cfg, "x-mock-tag", tag, "x-mock-retry-after", "0.01"}, c.hdr...)...)
				wantStatus(t, r, c.status)
				wantRoute(t, r, c.provider, c.index, c.retries)
				wantCalls(t, tag, c.calls)
			})
		}
	})
}

// TestOverrideParamsReachUpstream: override_params at the root, on a group and on a leaf merge
// deeply (the deeper level wins a key both set) into the body each provider receives, in that
// provider's own wire format.
func TestOverrideParamsReachUpstream(t *testing.T) {
	const cfg = `{"override_params":{"temperature":0.2,"max_tokens":100,"metadata":{"team":"search"}},` +
		`"strategy":{"mode":"fallback"},"targets":[` +
		`{"override_params":{"max_tokens":200,"metadata":{"env":"prod"}},"strategy":{"mode":"loadbalance"},` +
		`"targets":[{"provider":"openai","override_params":{"model":"gpt-4.1","metadata":{"env":"canary"}}}]},` +
		`{"provider":"anthropic","override_params":{"model":"claude-3-5-haiku-latest","top_p":0.9}}]}`
	const body = `{"model":"gpt-4o-mini","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"hi"}],"max_tokens":50}`
	modes(t, func(t *testing.T, mode string) {
		g := start(t, withMode(mode, nil))
		tag := newTag(t)
		r := do(t, g, "POST", "/v1/chat/completions", body, "x-portkey-config", cfg, "x-mock-tag", tag, "x-mock-openai-status", "500")
		wantStatus(t, r, 200)
		wantRoute(t, r, "anthropic", "config.targets[1]", "0")
		// The leaf's model, the group's max_tokens (over the root's and the client's), the root's
		// temperature; metadata merged from root (team) and leaf (env, over the group's).
		openai := only(t, "openai", tag)
		wantBody(t, string(openai.Body), `{"model":"gpt-4.1","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"hi"}],`+
			`"max_tokens":200,"temperature":0.2,"metadata":{"team":"search","env":"canary"}}`)
		anthropic := only(t, "anthropic", tag)
		// The group's max_tokens is not this target's (it is outside the group): the root's 100
		// beats the client's 50. OpenAI's metadata has no Anthropic equivalent (Anthropic's
		// metadata takes only user_id) and is left out.
		wantBody(t, string(anthropic.Body), `{"messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}],"temperature":0.2,"top_p":0.9,`+
			`"system":"be brief","max_tokens":100,"model":"claude-3-5-haiku-latest"}`)
	})
}

// TestStickyLoadbalance: with strategy.sticky the same metadata.user_id always lands on the
// same target, and different users spread over both. The hash is deterministic, so this test
// cannot flake: 30 users all on one side of a 50/50 split would mean the hash ignores the value.
func TestStickyLoadbalance(t *testing.T) {
	g := start(t, nil)
	const cfg = `{"strategy":{"mode":"loadbalance","sticky":{"hash_fields":["metadata.user_id"]}},` +
		`"targets":[{"provider":"openai","weight":1},{"provider":"anthropic","weight":1}]}`
	per := map[string]int{}
	for u := 0; u < 30; u++ {
		md := `{"user_id":"user-` + itoa(int64(u)) + `"}`
		first := ""
		for i := 0; i < 3; i++ {
			r := do(t, g, "POST", "/v1/chat/completions", chatBody, "x-portkey-config", cfg, "x-portkey-metadata", md, "x-mock-tag", newTag(t))
			wantStatus(t, r, 200)
			got := r.header.Get("X-Portkey-Last-Used-Option-Index")
			if first == "" {
				first = got
				per[got]++
			} else if got != first {
				t.Fatalf("user %d went to %s, then %s", u, first, got)
			}
		}
	}
	if len(per) != 2 {
		t.Fatalf("30 users over a 50/50 split: %v", per)
	}
}
