package routing

import (
	"strings"
	"testing"
	"time"
)

func TestCooldownRecord(t *testing.T) {
	c := Cooldown{Failures: 3, Window: 10 * time.Second, Duration: 30 * time.Second}
	var st CooldownState
	c.record(&st, true, 1000)
	c.record(&st, true, 2000)
	if st.Failures != 2 || st.WindowStart != 1000 || st.Until != 0 {
		t.Fatalf("%+v", st)
	}
	// Outside the window the count starts again.
	c.record(&st, true, 12000)
	if st.Failures != 1 || st.WindowStart != 12000 {
		t.Fatalf("%+v", st)
	}
	c.record(&st, true, 13000)
	c.record(&st, true, 14000)
	if st.Until != 44000 || st.Failures != 0 {
		t.Fatalf("third failure in the window: %+v", st)
	}
	// A success clears the count; an unchanged state is not written.
	c.record(&st, true, 50000)
	if changed := c.record(&st, false, 51000); !changed || st.Failures != 0 {
		t.Fatalf("%+v", st)
	}
	if changed := c.record(&st, false, 52000); changed {
		t.Fatal("a success on a clean state was written")
	}
}

func TestCooldownStateBinary(t *testing.T) {
	st := CooldownState{Failures: 7, WindowStart: 1733342400123, Until: -5}
	b := st.AppendBinary(nil)
	if len(b) != 20 {
		t.Fatal(len(b))
	}
	got, ok := DecodeCooldownState(b)
	if !ok || got != st {
		t.Fatalf("%+v %v", got, ok)
	}
	if _, ok := DecodeCooldownState(b[:19]); ok {
		t.Fatal("short input decoded")
	}
}

func TestPlanCooldown(t *testing.T) {
	const fb = `{"strategy":{"mode":"fallback"},"targets":[{"provider":"a"},{"provider":"b"}]}`
	cfg := mustParse(t, fb)
	store := &MemoryCooldown{}
	clk := &fakeClock{t0}
	deps := Deps{Rand: seq(0), Now: clk.Now, CooldownStore: store,
		Cooldown: Cooldown{Failures: 2, Window: time.Minute, Duration: 30 * time.Second}}
	run := func() string {
		p := NewPlan(cfg, RequestInfo{}, deps)
		return strings.Join(drive(p, clk, byProvider(map[string][]int{"a": {503}, "b": {200}})), ",")
	}
	if got := run(); got != "config.targets[0]#0,config.targets[1]#0" {
		t.Fatal(got)
	}
	if got := run(); got != "config.targets[0]#0,config.targets[1]#0" {
		t.Fatal(got)
	}
	// Two failures within the window: a is skipped for 30s.
	if got := run(); got != "config.targets[1]#0" {
		t.Fatalf("cooling target tried: %s", got)
	}
	clk.t = clk.t.Add(29 * time.Second)
	if got := run(); got != "config.targets[1]#0" {
		t.Fatalf("cooling target tried: %s", got)
	}
	clk.t = clk.t.Add(2 * time.Second)
	if got := run(); got != "config.targets[0]#0,config.targets[1]#0" {
		t.Fatalf("after the cool-down: %s", got)
	}

	// Other configs do not share the state: keys carry the config's identity.
	other := mustParse(t, `{"strategy":{"mode":"fallback"},"targets":[{"provider":"a"},{"provider":"c"}]}`)
	if _, ok := store.Get([]byte(cfg.CooldownID() + "|config.targets[0]")); !ok {
		t.Fatal("no state under the expected key")
	}
	if _, ok := store.Get([]byte(other.CooldownID() + "|config.targets[0]")); ok {
		t.Fatal("state leaked across configs")
	}
}

func TestPlanCooldownAllDownStillTries(t *testing.T) {
	cfg := mustParse(t, `{"strategy":{"mode":"loadbalance"},"targets":[{"provider":"a"},{"provider":"b"}]}`)
	store := &MemoryCooldown{}
	clk := &fakeClock{t0}
	for _, k := range []string{"|config.targets[0]", "|config.targets[1]"} {
		store.Put([]byte(cfg.CooldownID()+k), CooldownState{Until: t0.Add(time.Minute).UnixMilli()})
	}
	p := NewPlan(cfg, RequestInfo{}, Deps{Rand: seq(0.9), Now: clk.Now, CooldownStore: store,
		Cooldown: Cooldown{Failures: 1, Window: time.Minute, Duration: time.Minute}})
	if got := drive(p, clk, byProvider(map[string][]int{"b": {200}})); strings.Join(got, ",") != "config.targets[1]#0" {
		t.Fatal(got)
	}
}

func TestPlanCooldownLoadbalanceSkips(t *testing.T) {
	cfg := mustParse(t, `{"strategy":{"mode":"loadbalance"},"targets":[{"provider":"a","weight":3},{"provider":"b"},{"provider":"c"}]}`)
	store := &MemoryCooldown{}
	clk := &fakeClock{t0}
	store.Put([]byte(cfg.CooldownID()+"|config.targets[0]"), CooldownState{Until: t0.Add(time.Minute).UnixMilli()})
	deps := Deps{Now: clk.Now, CooldownStore: store, Cooldown: Cooldown{Failures: 1, Window: time.Minute, Duration: time.Minute}}
	// The draw spreads over b and c only: 0.49 of their total weight 2 lands on b, 0.51 on c.
	for r, want := range map[float64]string{0.49: "config.targets[1]#0", 0.51: "config.targets[2]#0", 0: "config.targets[1]#0"} {
		deps.Rand = seq(r)
		p := NewPlan(cfg, RequestInfo{}, deps)
		if got := drive(p, clk, byProvider(map[string][]int{"b": {200}, "c": {200}})); strings.Join(got, ",") != want {
			t.Fatalf("r=%v: %q", r, got)
		}
	}
}

func TestPlanCooldownNestedGroupDown(t *testing.T) {
	// A group whose every leaf cools down is skipped by the fallback above it.
	cfg := mustParse(t, `{"strategy":{"mode":"fallback"},"targets":[
	  {"strategy":{"mode":"loadbalance"},"targets":[{"provider":"a"},{"provider":"b"}]},{"provider":"c"}]}`)
	store := &MemoryCooldown{}
	clk := &fakeClock{t0}
	until := CooldownState{Until: t0.Add(time.Minute).UnixMilli()}
	store.Put([]byte(cfg.CooldownID()+"|config.targets[0].targets[0]"), until)
	store.Put([]byte(cfg.CooldownID()+"|config.targets[0].targets[1]"), until)
	p := NewPlan(cfg, RequestInfo{}, Deps{Rand: seq(0), Now: clk.Now, CooldownStore: store,
		Cooldown: Cooldown{Failures: 1, Window: time.Minute, Duration: time.Minute}})
	if got := drive(p, clk, byProvider(map[string][]int{"c": {200}})); strings.Join(got, ",") != "config.targets[1]#0" {
		t.Fatal(got)
	}
}

func TestPlanCooldownOffByDefault(t *testing.T) {
	cfg := mustParse(t, `{"strategy":{"mode":"fallback"},"targets":[{"provider":"a"},{"provider":"b"}]}`)
	store := &MemoryCooldown{}
	clk := &fakeClock{t0}
	for i := 0; i < 5; i++ {
		p := NewPlan(cfg, RequestInfo{}, Deps{Now: clk.Now, CooldownStore: store}) // no policy
		drive(p, clk, byProvider(map[string][]int{"a": {500}, "b": {200}}))
	}
	if len(store.m) != 0 {
		t.Fatalf("store written without a policy: %v", store.m)
	}
}
