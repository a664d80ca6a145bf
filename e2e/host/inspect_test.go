package host

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestManualTicksFireOnlyOnRequest(t *testing.T) {
	p, l := startProbe(t, "configure tick 5\ntick time", func(c *Config) { c.ManualTicks = true })
	vm := p.VMs()[0]
	if vm.TickPeriod() != 5*time.Millisecond {
		t.Fatalf("tick period %v", vm.TickPeriod())
	}
	time.Sleep(30 * time.Millisecond) // six periods: the host must not have ticked
	if got := l.grep("tick ctx="); len(got) != 0 {
		t.Fatalf("host ticked on its own: %q", got)
	}
	vm.Tick()
	vm.Tick()
	if got := l.grep("tick ctx="); len(got) != 2 || got[0] != "info tick ctx=1" {
		t.Fatalf("ticks %q", got)
	}
	if vm.RootContextID() != 1 {
		t.Fatalf("root context %d", vm.RootContextID())
	}
}

func TestTraceReportsCallbacksForeignAndCallouts(t *testing.T) {
	var events []Event
	p, _ := startProbe(t, "req_headers foreign clear_route_cache\nreq_headers http_call c1 250 :method=GET,:path=/x,:authority=a body\nreq_headers set_effective 99",
		func(c *Config) {
			c.Trace = func(e Event) { events = append(events, e) }
			c.Clusters = map[string]string{"c1": "http://127.0.0.1:1"}
		})
	events = nil // start-up callbacks
	s := p.NewStream(&recSink{}, StreamInfo{})
	s.DecodeHeaders(reqHeaders(), true)
	p.WaitCallouts()
	var got []string
	for _, e := range events {
		line := string(e.Kind) + " " + e.Name
		switch e.Kind {
		case EventCallback:
			if e.Name != "proxy_on_context_create" && e.Name != "proxy_on_request_headers" {
				continue // the callout's failure answer, on the root context
			}
			line += " ctx=" + itoa(e.Context) + " result=" + itoa(uint32(e.Result))
		case EventHTTPCall:
			line += " ctx=" + itoa(e.Context) + " token=" + itoa(e.Token) + " timeout=" + itoa(e.TimeoutMs) +
				" body=" + string(e.Body) + " path=" + mustGet(e.Headers, ":path")
		case EventSetEffectiveContext:
			line += " ctx=" + itoa(e.Context) + " result=" + itoa(uint32(e.Result))
		case EventForeign:
			line += " ctx=" + itoa(e.Context)
		}
		got = append(got, line)
	}
	equalLines(t, "events", got, []string{
		"callback proxy_on_context_create ctx=2 result=0",
		"foreign clear_route_cache ctx=2",
		"http_call c1 ctx=2 token=4 timeout=250 body=body path=/x",
		"set_effective_context  ctx=99 result=2",
		"callback proxy_on_request_headers ctx=2 result=0",
	})
}

func TestCallGuestOnUnknownContext(t *testing.T) {
	p, l := startProbe(t, "req_headers log 2 seen", nil)
	vm := p.VMs()[0]
	r, err := vm.CallGuest("proxy_on_request_headers", 77, 0, 1)
	if err != nil || r != 0 {
		t.Fatalf("r=%d err=%v", r, err)
	}
	if got := l.grep("req_headers n="); len(got) != 1 || !strings.Contains(got[0], "n=0 eos=1") {
		t.Fatalf("logs %q", got)
	}
	if _, err := vm.CallGuest("no_such_export"); err == nil || !strings.Contains(err.Error(), "does not export no_such_export") {
		t.Fatalf("err %v", err)
	}
}

func itoa(v uint32) string { return strconv.FormatUint(uint64(v), 10) }
