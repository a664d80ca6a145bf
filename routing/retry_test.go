package routing

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestBackoffDelay(t *testing.T) {
	cases := []struct {
		b    Backoff
		n    int
		r    float64
		want time.Duration
	}{
		{Backoff{}, 1, 0, 500 * time.Millisecond},
		{Backoff{}, 1, 0.5, 750 * time.Millisecond},
		{Backoff{}, 2, 0, time.Second},
		{Backoff{}, 3, 0, 2 * time.Second},
		{Backoff{}, 4, 0, 4 * time.Second},
		{Backoff{}, 5, 0, 8 * time.Second},
		{Backoff{}, 5, 0.5, 12 * time.Second},
		{Backoff{}, 6, 0, 8 * time.Second}, // capped at Max = 16s
		{Backoff{}, 200, 0, 8 * time.Second},
		{Backoff{}, 0, 0, 500 * time.Millisecond},
		{Backoff{Base: 100 * time.Millisecond, Max: time.Second}, 3, 0, 200 * time.Millisecond},
		{Backoff{Base: 100 * time.Millisecond, Max: time.Second}, 5, 0.5, 750 * time.Millisecond},
	}
	for _, tc := range cases {
		if got := tc.b.Delay(tc.n, tc.r); got != tc.want {
			t.Errorf("%+v.Delay(%d, %v) = %v, want %v", tc.b, tc.n, tc.r, got, tc.want)
		}
	}
}

func headers(kv ...string) func(string) string {
	return func(name string) string {
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i] == name {
				return kv[i+1]
			}
		}
		return ""
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 12, 4, 20, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		h    func(string) string
		want time.Duration
		ok   bool
	}{
		{"retry-after-ms", headers("retry-after-ms", "1500"), 1500 * time.Millisecond, true},
		{"retry-after-ms fraction", headers("retry-after-ms", " 2.5 "), 2500 * time.Microsecond, true},
		{"x-ms-retry-after-ms", headers("x-ms-retry-after-ms", "800"), 800 * time.Millisecond, true},
		{"retry-after seconds", headers("retry-after", "3"), 3 * time.Second, true},
		{"retry-after date", headers("retry-after", "Fri, 04 Dec 2026 20:00:07 GMT"), 7 * time.Second, true},
		{"retry-after RFC 850 date", headers("retry-after", "Friday, 04-Dec-26 20:00:09 GMT"), 9 * time.Second, true},
		{"retry-after asctime date", headers("retry-after", "Fri Dec  4 20:00:11 2026"), 11 * time.Second, true},
		{"retry-after past date", headers("retry-after", "Fri, 04 Dec 2026 19:59:00 GMT"), 0, true},
		{"ms header first", headers("retry-after", "30", "retry-after-ms", "100", "x-ms-retry-after-ms", "200"), 100 * time.Millisecond, true},
		{"x-ms before retry-after", headers("retry-after", "30", "x-ms-retry-after-ms", "200"), 200 * time.Millisecond, true},
		{"bad ms falls through", headers("retry-after-ms", "soon", "retry-after", "2"), 2 * time.Second, true},
		{"negative", headers("retry-after", "-3"), 0, false},
		{"garbage", headers("retry-after", "tomorrow"), 0, false},
		{"none", headers(), 0, false},
		{"nil getter", nil, 0, false},
	}
	for _, tc := range cases {
		got, ok := RetryAfter(tc.h, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: got %v %v, want %v %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

// outcomes answers each call in turn (the last repeats).
func outcomes(list ...Outcome) func(Attempt) Outcome {
	i := 0
	return func(Attempt) Outcome {
		o := list[min(i, len(list)-1)]
		i++
		return o
	}
}

func TestPlanRetryAfter(t *testing.T) {
	const cfg = `{"strategy":{"mode":"fallback"},"targets":[
	  {"provider":"a","retry":{"attempts":3,"use_retry_after_header":true}},{"provider":"b"}]}`
	cases := []struct {
		name    string
		cfg     string
		answers []Outcome
		want    []string
		path    string
		retries int
	}{
		{name: "each header drives the wait", cfg: cfg,
			answers: []Outcome{
				{Status: 429, Header: headers("retry-after-ms", "1200")},
				{Status: 429, Header: headers("x-ms-retry-after-ms", "300")},
				{Status: 503, Header: headers("retry-after", "Fri, 04 Dec 2026 20:00:05 GMT")},
				{Status: 200}},
			// The date is relative to the clock at the third report: t0 + 1.5s.
			want: []string{"config.targets[0]#0", "config.targets[0]#1 +1.2s", "config.targets[0]#2 +300ms", "config.targets[0]#3 +3.5s"},
			path: "config.targets[0]", retries: 3},
		{name: "no header: back-off", cfg: cfg,
			answers: []Outcome{{Status: 429}, {Status: 200}},
			want:    []string{"config.targets[0]#0", "config.targets[0]#1 +500ms"}, path: "config.targets[0]", retries: 1},
		{name: "flag off: header ignored",
			cfg:     `{"provider":"a","retry":{"attempts":1}}`,
			answers: []Outcome{{Status: 429, Header: headers("retry-after", "9")}, {Status: 200}},
			want:    []string{"config#0", "config#1 +500ms"}, path: "config", retries: 1},
		{name: "too long: target given up, fallback goes on", cfg: cfg,
			answers: []Outcome{{Status: 429, Header: headers("retry-after", "61")}, {Status: 200}},
			want:    []string{"config.targets[0]#0", "config.targets[1]#0"}, path: "config.targets[1]", retries: 0},
		{name: "budget of 60s across retries", cfg: cfg,
			answers: []Outcome{
				{Status: 429, Header: headers("retry-after", "40")},
				{Status: 429, Header: headers("retry-after", "30")},
				{Status: 500}},
			want: []string{"config.targets[0]#0", "config.targets[0]#1 +40s", "config.targets[1]#0"},
			path: "config.targets[1]", retries: 0},
		{name: "given up counts -1 when it is the answer",
			cfg:     `{"provider":"a","retry":{"attempts":3,"use_retry_after_header":true}}`,
			answers: []Outcome{{Status: 429, Header: headers("retry-after", "3600")}},
			want:    []string{"config#0"}, path: "config", retries: -1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clk := &fakeClock{t0}
			p := NewPlan(mustParse(t, tc.cfg), RequestInfo{}, Deps{Rand: seq(0), Now: clk.Now})
			got := drive(p, clk, outcomes(tc.answers...))
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Fatalf("attempts\n got: %q\nwant: %q", got, tc.want)
			}
			if path, n := p.Result(); path != tc.path || n != tc.retries {
				t.Fatalf("Result = %q %d, want %q %d", path, n, tc.path, tc.retries)
			}
		})
	}
}

func TestPlanMaxRetryAfterOption(t *testing.T) {
	clk := &fakeClock{t0}
	p := NewPlan(mustParse(t, `{"provider":"a","retry":{"attempts":2,"use_retry_after_header":true}}`), RequestInfo{},
		Deps{Rand: seq(0), Now: clk.Now, Backoff: Backoff{MaxRetryAfter: 5 * time.Second}})
	got := drive(p, clk, outcomes(Outcome{Status: 429, Header: headers("retry-after", "4")}, Outcome{Status: 429, Header: headers("retry-after", "2")}))
	if strings.Join(got, ",") != "config#0,config#1 +4s" {
		t.Fatalf("got %q", got)
	}
	if _, n := p.Result(); n != -1 {
		t.Fatalf("retries = %d", n)
	}
}

func TestPlanDeadline(t *testing.T) {
	t.Run("timeout capped by the time left", func(t *testing.T) {
		clk := &fakeClock{t0}
		p := NewPlan(mustParse(t, `{"provider":"a","request_timeout":30000,"retry":{"attempts":2}}`),
			RequestInfo{Deadline: t0.Add(10 * time.Second)}, Deps{Rand: seq(0), Now: clk.Now})
		a, _, _ := p.Next()
		if a.Timeout != 10*time.Second {
			t.Fatalf("first timeout %v", a.Timeout)
		}
		clk.t = clk.t.Add(3 * time.Second)
		p.Report(Outcome{Status: 500})
		a, wait, ok := p.Next()
		// Starts 500ms from now (t0+3.5s): 6.5s are left.
		if !ok || wait != 500*time.Millisecond || a.Timeout != 6500*time.Millisecond || a.Try != 1 {
			t.Fatalf("retry: %v %v %v %d", ok, wait, a.Timeout, a.Try)
		}
	})
	t.Run("no request_timeout: the deadline is the timeout", func(t *testing.T) {
		clk := &fakeClock{t0}
		p := NewPlan(mustParse(t, `{"provider":"a"}`), RequestInfo{Deadline: t0.Add(2 * time.Second)}, Deps{Now: clk.Now})
		if a, _, _ := p.Next(); a.Timeout != 2*time.Second {
			t.Fatal(a.Timeout)
		}
	})
	t.Run("a retry that would start after the deadline is skipped; fallback still runs", func(t *testing.T) {
		clk := &fakeClock{t0}
		p := NewPlan(mustParse(t, `{"strategy":{"mode":"fallback"},"targets":[{"provider":"a","retry":{"attempts":3}},{"provider":"b"}]}`),
			RequestInfo{Deadline: t0.Add(1200 * time.Millisecond)}, Deps{Rand: seq(0), Now: clk.Now})
		got := drive(p, clk, byProvider(map[string][]int{"a": {500}, "b": {200}}))
		// Retry 1 at +500ms fits; retry 2 would start at +1.5s, past the deadline.
		want := "config.targets[0]#0,config.targets[0]#1 +500ms,config.targets[1]#0"
		if strings.Join(got, ",") != want {
			t.Fatalf("got %q", got)
		}
		if path, n := p.Result(); path != "config.targets[1]" || n != 0 || p.Err() != nil {
			t.Fatal(path, n, p.Err())
		}
	})
	t.Run("retry-after past the deadline ends the target", func(t *testing.T) {
		clk := &fakeClock{t0}
		p := NewPlan(mustParse(t, `{"provider":"a","retry":{"attempts":3,"use_retry_after_header":true}}`),
			RequestInfo{Deadline: t0.Add(5 * time.Second)}, Deps{Rand: seq(0), Now: clk.Now})
		got := drive(p, clk, outcomes(Outcome{Status: 429, Header: headers("retry-after-ms", "5000")}))
		if strings.Join(got, ",") != "config#0" {
			t.Fatalf("got %q", got)
		}
		if _, n := p.Result(); n != -1 {
			t.Fatal(n)
		}
	})
	t.Run("deadline passed while waiting: ErrDeadline", func(t *testing.T) {
		clk := &fakeClock{t0}
		p := NewPlan(mustParse(t, `{"strategy":{"mode":"fallback"},"targets":[{"provider":"a"},{"provider":"b"}]}`),
			RequestInfo{Deadline: t0.Add(time.Second)}, Deps{Now: clk.Now})
		p.Next()
		clk.t = clk.t.Add(2 * time.Second) // the first call took too long
		p.Report(Outcome{Status: 500})
		if _, _, ok := p.Next(); ok || !errors.Is(p.Err(), ErrDeadline) {
			t.Fatalf("ok=%v err=%v", ok, p.Err())
		}
		if path, n := p.Result(); path != "config.targets[0]" || n != 0 {
			t.Fatal(path, n)
		}
	})
}

func TestPlanRequestTimeoutHeaderWins(t *testing.T) {
	cfg := mustParse(t, `{"strategy":{"mode":"fallback"},"targets":[{"provider":"a","request_timeout":30000},{"provider":"b"}]}`)
	clk := &fakeClock{t0}
	p := NewPlan(cfg, RequestInfo{RequestTimeout: 1500}, Deps{Now: clk.Now})
	a, _, _ := p.Next()
	if a.Timeout != 1500*time.Millisecond {
		t.Fatal(a.Timeout)
	}
	p.Report(Outcome{Status: 408}) // Portkey answers a timeout with 408: not retried, but fallen back from
	a, _, ok := p.Next()
	if !ok || a.Path != "config.targets[1]" || a.Timeout != 1500*time.Millisecond {
		t.Fatal(ok, a.Path, a.Timeout)
	}
}
