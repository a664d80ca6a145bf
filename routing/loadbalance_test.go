package routing

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// firstPick draws one loadbalance decision and returns the picked child index.
func firstPick(t *testing.T, cfg *Config, req RequestInfo, deps Deps) int {
	p := NewPlan(cfg, req, deps)
	a, _, ok := p.Next()
	if !ok {
		t.Fatal("no attempt")
	}
	for i, c := range cfg.Root().Targets {
		if c == a.Target {
			return i
		}
	}
	t.Fatalf("picked %s", a.Path)
	return -1
}

func TestLoadbalanceDistribution(t *testing.T) {
	const n = 100_000
	cases := []struct {
		cfg  string
		want []float64
	}{
		{`{"strategy":{"mode":"loadbalance"},"targets":[{"provider":"a","weight":0.7},{"provider":"b","weight":0.3}]}`,
			[]float64{0.7, 0.3}},
		{`{"strategy":{"mode":"loadbalance"},"targets":[{"provider":"a","weight":1},{"provider":"b","weight":1},{"provider":"c","weight":2}]}`,
			[]float64{0.25, 0.25, 0.5}},
		{`{"strategy":{"mode":"loadbalance"},"targets":[{"provider":"a","weight":0},{"provider":"b"},{"provider":"c","weight":0},{"provider":"d","weight":3}]}`,
			[]float64{0, 0.25, 0, 0.75}},
	}
	for _, tc := range cases {
		cfg := mustParse(t, tc.cfg)
		rng := rand.New(rand.NewPCG(1, 2))
		deps := Deps{Rand: rng.Float64}
		counts := make([]int, len(tc.want))
		for i := 0; i < n; i++ {
			counts[firstPick(t, cfg, RequestInfo{}, deps)]++
		}
		for i, w := range tc.want {
			got := float64(counts[i]) / n
			// 5 standard deviations of a binomial share: fails by chance about once in 3 million.
			tol := 5 * math.Sqrt(w*(1-w)/n)
			if w == 0 && counts[i] != 0 {
				t.Errorf("%s: weight-0 target %d picked %d times", tc.cfg, i, counts[i])
			}
			if math.Abs(got-w) > tol {
				t.Errorf("%s: target %d share %.4f, want %.2f ± %.4f", tc.cfg, i, got, w, tol)
			}
		}
	}
}

func TestStickyLoadbalance(t *testing.T) {
	cfg := mustParse(t, `{"strategy":{"mode":"loadbalance","sticky":{"hash_fields":["metadata.user.id"]}},
	  "targets":[{"provider":"a","weight":1},{"provider":"b","weight":1},{"provider":"c","weight":2}]}`)
	// The random source must not matter for a user that is present.
	deps := Deps{Rand: func() float64 { panic("random draw for a sticky user") }}
	counts := make([]int, 3)
	for u := 0; u < 20_000; u++ {
		req := RequestInfo{Metadata: []byte(fmt.Sprintf(`{"user":{"id":"user-%d"}}`, u))}
		first := firstPick(t, cfg, req, deps)
		for k := 0; k < 3; k++ {
			if again := firstPick(t, cfg, req, deps); again != first {
				t.Fatalf("user %d moved from %d to %d", u, first, again)
			}
		}
		counts[first]++
	}
	// Users still spread by weight.
	for i, w := range []float64{0.25, 0.25, 0.5} {
		if got := float64(counts[i]) / 20_000; math.Abs(got-w) > 0.02 {
			t.Errorf("target %d gets %.3f of users, want %.2f", i, got, w)
		}
	}
	// Without the field the draw is random.
	drew := false
	deps.Rand = func() float64 { drew = true; return 0.9 }
	if firstPick(t, cfg, RequestInfo{Metadata: []byte(`{}`)}, deps) != 2 || !drew {
		t.Fatal("missing sticky field did not fall back to the random draw")
	}
}

func TestStickyTraceID(t *testing.T) {
	cfg := mustParse(t, `{"strategy":{"mode":"loadbalance","sticky":{"hash_fields":["trace_id","params.user"]}},
	  "targets":[{"provider":"a"},{"provider":"b"}]}`)
	deps := Deps{Rand: func() float64 { panic("random draw") }}
	seen := map[int]bool{}
	for i := 0; i < 64; i++ {
		req := RequestInfo{TraceID: fmt.Sprintf("trace-%d", i), Body: []byte(`{"user":"u1"}`)}
		a, b := firstPick(t, cfg, req, deps), firstPick(t, cfg, req, deps)
		if a != b {
			t.Fatal("trace moved")
		}
		seen[a] = true
	}
	if len(seen) != 2 {
		t.Fatal("64 traces all landed on one target")
	}
}
