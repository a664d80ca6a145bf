package host

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestProperties(t *testing.T) {
	script := `req_headers get_property request/path
req_headers get_property request/url_path
req_headers get_property request/query
req_headers get_property request/host
req_headers get_property request/method
req_headers get_property request/scheme
req_headers get_property request/protocol
req_headers get_property request/id
req_headers get_property request/headers/x-multi
req_headers get_property request/headers/x-none
req_headers get_property source/address
req_headers get_property source/port int
req_headers get_property destination/port int
req_headers get_property connection/id int
req_headers get_property xds/cluster_name
req_headers get_property xds/route_name
req_headers get_property plugin_name
req_headers get_property plugin_root_id
req_headers get_property plugin_vm_id
req_headers get_property response/code int
req_headers get_property no/such
resp_headers get_property response/code int
log get_property response/code int
log get_property request/size int
log get_property response/headers pairs
configure get_property plugin_vm_id
configure get_property request/path`
	p, l := startProbe(t, script, nil)
	info := StreamInfo{Protocol: "HTTP/1.1", SourceAddr: "10.0.0.1:5555", DestAddr: "127.0.0.1:10000", ConnectionID: 7,
		Route: func(h *Headers) (string, string) { return "openai", "default" }}
	s := p.NewStream(&recSink{}, info)
	s.DecodeHeaders(NewHeaders(":authority", "api.example.com", ":path", "/v1/x?a=1", ":method", "POST", ":scheme", "https",
		"x-request-id", "rid-1", "x-multi", "a", "x-multi", "b"), false)
	s.DecodeData([]byte("12345"), true)
	s.EncodeHeaders(NewHeaders(":status", "201", "x-r", "1"), true)
	s.Finish()
	equalLines(t, "props", l.grep("get_property:"), []string{
		`info configure get_property: status=0 "probe_vm"`,
		`info configure get_property: status=1 ""`,
		`info configure get_property: status=0 "probe_vm"`,
		`info configure get_property: status=1 ""`,
		`info req_headers get_property: status=0 "/v1/x?a=1"`,
		`info req_headers get_property: status=0 "/v1/x"`,
		`info req_headers get_property: status=0 "a=1"`,
		`info req_headers get_property: status=0 "api.example.com"`,
		`info req_headers get_property: status=0 "POST"`,
		`info req_headers get_property: status=0 "https"`,
		`info req_headers get_property: status=0 "HTTP/1.1"`,
		`info req_headers get_property: status=0 "rid-1"`,
		`info req_headers get_property: status=0 "a,b"`,
		`info req_headers get_property: status=1 ""`,
		`info req_headers get_property: status=0 "10.0.0.1:5555"`,
		`info req_headers get_property: status=0 int=5555`,
		`info req_headers get_property: status=0 int=10000`,
		`info req_headers get_property: status=0 int=7`,
		`info req_headers get_property: status=0 "openai"`,
		`info req_headers get_property: status=0 "default"`,
		`info req_headers get_property: status=0 "probe"`,
		`info req_headers get_property: status=0 "probe_root"`,
		`info req_headers get_property: status=0 "probe_vm"`,
		`info req_headers get_property: status=1 ""`,
		`info req_headers get_property: status=1 ""`,
		`info resp_headers get_property: status=0 int=201`,
		`info log get_property: status=0 int=201`,
		`info log get_property: status=0 int=5`,
		`info log get_property: status=0 :status=201;x-r=1`,
	})
}

func TestSetPropertyIsFilterState(t *testing.T) {
	script := `req_headers set_property aigw.model gpt-4o
req_headers get_property aigw.model
log get_property aigw.model
configure set_property aigw.model x`
	p, l := startProbe(t, script, nil)
	s := p.NewStream(&recSink{}, StreamInfo{})
	s.DecodeHeaders(reqHeaders(), true)
	s.Finish()
	if v, ok := s.FilterState("wasm.aigw.model"); !ok || string(v) != "gpt-4o" {
		t.Fatalf("filter state = %q %v", v, ok)
	}
	equalLines(t, "logs", l.grep("property:"), []string{
		"info configure set_property: status=1", "info configure set_property: status=1",
		"info req_headers set_property: status=0", `info req_headers get_property: status=0 "gpt-4o"`,
		`info log get_property: status=0 "gpt-4o"`,
	})
}

func TestClearRouteCache(t *testing.T) {
	script := `req_headers return 1
req_body get_property xds/cluster_name
req_body replace_header 0 x-cluster anthropic
req_body get_property xds/cluster_name
req_body foreign clear_route_cache
req_body get_property xds/cluster_name
req_body foreign no_such_function`
	p, l := startProbe(t, script, nil)
	route := func(h *Headers) (string, string) {
		c, ok := h.Get("x-cluster")
		if !ok {
			c = "openai"
		}
		return c, "r"
	}
	sink := &recSink{}
	s := p.NewStream(sink, StreamInfo{Route: route})
	s.DecodeHeaders(reqHeaders(), false)
	s.DecodeData([]byte("{}"), true)
	equalLines(t, "logs", l.grep("req_body "), []string{
		"info req_body size=2 eos=1",
		`info req_body get_property: status=0 "openai"`,
		"info req_body replace_header: status=0",
		`info req_body get_property: status=0 "openai"`,
		"info req_body foreign: status=0",
		`info req_body get_property: status=0 "anthropic"`,
		"info req_body foreign: status=1",
	})
	if c, _ := s.Route(); c != "anthropic" {
		t.Fatalf("route = %q", c)
	}
	s.Finish()
}

func TestSharedDataCASAcrossVMs(t *testing.T) {
	script := `req_headers get_shared k
req_headers set_shared k v1 0
req_headers get_shared k
req_headers set_shared k v2 99
req_headers set_shared k v2 1
req_headers get_shared k`
	p, l := startProbe(t, script, func(c *Config) { c.Workers = 2; c.VMID = "shared_test_vm" })
	l.take()
	s := p.NewStream(&recSink{}, StreamInfo{})
	s.DecodeHeaders(reqHeaders(), true)
	s.Finish()
	equalLines(t, "vm1", l.grep("shared:"), []string{
		`info req_headers get_shared: status=1 value="" cas=0`,
		"info req_headers set_shared: status=0",
		`info req_headers get_shared: status=0 value="v1" cas=1`,
		"info req_headers set_shared: status=8",
		"info req_headers set_shared: status=0",
		`info req_headers get_shared: status=0 value="v2" cas=2`,
	})
	l.take()
	// The second stream lands on the other VM: it sees the same store.
	s2 := p.NewStream(&recSink{}, StreamInfo{})
	s2.DecodeHeaders(reqHeaders(), true)
	s2.Finish()
	if got := l.grep("get_shared:"); len(got) != 3 || got[0] != `info req_headers get_shared: status=0 value="v2" cas=2` {
		t.Fatalf("vm2: %v", got)
	}
}

func TestSharedQueue(t *testing.T) {
	script := `configure register_queue q1
req_headers resolve_queue shared_q_vm q1
req_headers resolve_queue shared_q_vm nope
req_headers dequeue 1
req_headers dequeue 99
req_headers enqueue 1 hello
req_headers enqueue 99 x
queue dequeue 1`
	p, l := startProbe(t, script, func(c *Config) { c.VMID = "shared_q_vm" })
	s := p.NewStream(&recSink{}, StreamInfo{})
	s.DecodeHeaders(reqHeaders(), true)
	s.Finish()
	waitFor(t, func() bool { return len(l.grep("queue dequeue:")) == 1 })
	equalLines(t, "logs", l.grep("queue"), []string{
		"info configure register_queue: status=0 token=1", "info configure register_queue: status=0 token=1",
		"info req_headers resolve_queue: status=0 token=1",
		"info req_headers resolve_queue: status=1 token=0",
		`info req_headers dequeue: status=7 value=""`,
		`info req_headers dequeue: status=1 value=""`,
		"info req_headers enqueue: status=0",
		"info req_headers enqueue: status=1",
		"info queue ctx=1 token=1",
		`info queue dequeue: status=0 value="hello"`,
	})
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestMetrics(t *testing.T) {
	script := `configure define_metric 0 probe.requests
configure define_metric 1 probe.inflight
configure define_metric 2 probe.latency_ms
configure define_metric 0 probe.errors
configure define_metric 1 probe.queue
configure define_metric 0 probe.requests
configure define_metric 3 bad
req_headers inc probe.requests 1
req_headers inc probe.requests 0
req_headers inc probe.requests -1
req_headers inc probe.inflight 5
req_headers inc probe.inflight -2
req_headers inc probe.latency_ms 1
req_headers inc #1000 1
req_headers record probe.latency_ms 42
req_headers record probe.latency_ms 7
req_headers record probe.requests 2
req_headers record probe.queue 9
req_headers record #1000 1
req_headers get_metric probe.requests
req_headers get_metric probe.inflight
req_headers get_metric probe.latency_ms
req_headers get_metric #1000`
	p, l := startProbe(t, script, nil)
	s := p.NewStream(&recSink{}, StreamInfo{})
	s.DecodeHeaders(reqHeaders(), true)
	s.Finish()
	got := l.grep("define_metric:")
	equalLines(t, "ids", got[len(got)-7:], []string{
		"info configure define_metric: status=0 id=4", "info configure define_metric: status=0 id=5",
		"info configure define_metric: status=0 id=6", "info configure define_metric: status=0 id=8",
		"info configure define_metric: status=0 id=9", "info configure define_metric: status=0 id=4",
		"info configure define_metric: status=2 id=0",
	})
	equalLines(t, "ops", l.grep("req_headers"), []string{
		"info req_headers n=5 eos=1",
		"info req_headers inc: status=0", "info req_headers inc: status=2", "info req_headers inc: status=2",
		"info req_headers inc: status=0", "info req_headers inc: status=0", "info req_headers inc: status=2",
		"info req_headers inc: status=1",
		"info req_headers record: status=0", "info req_headers record: status=0", "info req_headers record: status=0",
		"info req_headers record: status=0", "info req_headers record: status=1",
		"info req_headers get_metric: status=0 value=3", "info req_headers get_metric: status=0 value=3",
		"info req_headers get_metric: status=2 value=0", "info req_headers get_metric: status=1 value=0",
	})
	var b bytes.Buffer
	p.mod.rt.Stats.WritePrometheus(&b)
	for _, want := range []string{
		"# TYPE probe_requests counter\nprobe_requests{} 3\n",
		"# TYPE probe_inflight gauge\nprobe_inflight{} 3\n",
		"# TYPE probe_queue gauge\nprobe_queue{} 9\n",
		"probe_latency_ms_bucket{le=\"5\"} 0\nprobe_latency_ms_bucket{le=\"10\"} 1\n",
		"probe_latency_ms_bucket{le=\"+Inf\"} 2\nprobe_latency_ms_sum{} 49\nprobe_latency_ms_count{} 2\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("prometheus output lacks %q:\n%s", want, b.String())
		}
	}
}

func TestPrometheusName(t *testing.T) {
	for _, tc := range []struct{ in, out string }{
		{"wasmcustom.switchyard_requests_total", "switchyard_requests_total"},
		{"wasmcustom.a.b-c", "a_b_c"},
		{"wasmcustom.provider=.=openai;.;requests", "provider___openai___requests"},
		{"wasmcustom.9lives", ""},
	} {
		got, ok := PrometheusName(tc.in)
		if got != tc.out || ok != (tc.out != "") {
			t.Errorf("%q -> %q %v, want %q", tc.in, got, ok, tc.out)
		}
	}
}

func TestTicks(t *testing.T) {
	p, l := startProbe(t, "configure tick 5\ntick time", nil)
	waitFor(t, func() bool { return len(l.grep("tick time: status=0 recent=true")) >= 3 })
	if got := l.grep("tick ctx="); got[0] != "info tick ctx=1" {
		t.Fatalf("tick on %v, want root context 1", got[0])
	}
	p.Close(t.Context())
}

func TestWASI(t *testing.T) {
	t.Setenv("SWITCHYARD_HOST_KEY", "from-host")
	t.Setenv("SWITCHYARD_SECRET_NOT_LISTED", "x")
	script := `req_headers env API_KEY
req_headers env SWITCHYARD_HOST_KEY
req_headers env SWITCHYARD_SECRET_NOT_LISTED
req_headers stdout hello\sout
req_headers stderr hello\serr
req_headers sleep 3
req_headers churn 64
req_headers log_level
req_headers log 1 debug-dropped
req_headers log 6 bad-level`
	p, l := startProbe(t, script, func(c *Config) {
		c.Env = map[string]string{"API_KEY": "sk-1"}
		c.HostEnvKeys = []string{"SWITCHYARD_HOST_KEY"}
	})
	s := p.NewStream(&recSink{}, StreamInfo{})
	s.DecodeHeaders(reqHeaders(), true)
	s.Finish()
	equalLines(t, "logs", l.grep("hello"), []string{"info hello out", "error hello err"})
	equalLines(t, "logs", l.grep("req_headers "), []string{
		"info req_headers n=5 eos=1",
		`info req_headers env: "sk-1" true environ=2`,
		`info req_headers env: "from-host" true environ=2`,
		`info req_headers env: "" false environ=2`,
		"info req_headers stdout: ok",
		"info req_headers stderr: ok",
		"info req_headers sleep: slept=true",
		"info req_headers churn: ok",
		"info req_headers log_level: status=0 level=2",
		"info req_headers log: status=0",
		"info req_headers log: status=2",
	})
	// time.Sleep busy-waits on poll_oneoff (returns at once with nevents=0).
	if p.VMs()[0].PollCalls() == 0 {
		t.Error("poll_oneoff never called by time.Sleep")
	}
}
