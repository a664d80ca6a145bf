package host

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestRestrictedAllocation(t *testing.T) {
	// proxy_log is allowed inside a host-initiated allocation.
	p, l := startProbe(t, "req_headers alloc_hook log\nreq_headers get_header 0 :path\nreq_headers alloc_hook -", nil)
	s := p.NewStream(&recSink{}, StreamInfo{})
	s.DecodeHeaders(reqHeaders(), true)
	s.Finish()
	equalLines(t, "allowed", l.grep("in allocator"), []string{"info in allocator"})
	if got := l.grep("get_header:"); len(got) != 1 || !strings.Contains(got[0], "status=0") {
		t.Fatalf("get_header: %v", got)
	}
	// Any other proxy_* call from the allocator traps the VM.
	p2, l2 := startProbe(t, "req_headers alloc_hook tick\nreq_headers get_header 0 :path", nil)
	sink := &recSink{}
	s2 := p2.NewStream(sink, StreamInfo{})
	s2.DecodeHeaders(reqHeaders(), true)
	s2.Finish()
	equalLines(t, "sink", sink.events, []string{"resp_headers 503 eos=true"})
	if err := p2.VMs()[0].Failed(); err == nil || !strings.Contains(err.Error(), "restricted_callback: env.proxy_set_tick_period_milliseconds") {
		t.Fatalf("failed = %v (logs %v)", err, l2.take())
	}
}

func TestContinueAndCloseStreamArguments(t *testing.T) {
	p, l := startProbe(t, "req_headers continue 4\nreq_headers continue 3\nreq_headers close 9\nresp_headers close 1", nil)
	sink := &recSink{}
	s := p.NewStream(sink, StreamInfo{})
	s.DecodeHeaders(reqHeaders(), true)
	s.EncodeHeaders(NewHeaders(":status", "200"), false)
	s.EncodeData([]byte("x"), true)
	s.Finish()
	equalLines(t, "logs", l.grep("_headers c"), []string{
		"info req_headers continue: status=2", "info req_headers continue: status=12", "info req_headers close: status=2",
		"info resp_headers close: status=0",
	})
	equalLines(t, "sink", sink.events, []string{"req_headers eos=true", "reset wasm_close_stream"})
}

// StopAllIteration holds body without calling the filter; continue_stream
// from a callout hands everything held to the filter in one callback.
func TestStopAllHeldBodyDeliveredOnResume(t *testing.T) {
	url := upstream(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	script := `req_headers http_call up 0 :path=/,:method=GET,:authority=h
req_headers return 1
callout resume_caller
callout continue 0`
	p, l := startProbe(t, script, func(c *Config) { c.AllowOnHeadersStopIteration = false; c.Clusters = map[string]string{"up": url} })
	l.take()
	sink := &recSink{}
	s := p.NewStream(sink, StreamInfo{})
	s.DecodeHeaders(reqHeaders(), false)
	s.DecodeData([]byte("abc"), false)
	s.DecodeData([]byte("def"), true)
	select {
	case <-s.Notify():
	case <-time.After(5 * time.Second):
		t.Fatal("no notification")
	}
	s.Pump()
	s.Finish()
	equalLines(t, "body callbacks", l.grep("req_body size"), []string{"info req_body size=6 eos=1"})
	equalLines(t, "sink", sink.events, []string{"req_headers eos=false", `req_data "abcdef" eos=true`})
}

// The DESIGN retry flow: pause at a failed response, retry as a callout,
// answer with a local reply that replaces the upstream response.
func TestResponsePauseCalloutLocalReply(t *testing.T) {
	url := upstream(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"retried":true}`) })
	script := `resp_headers http_call up 0 :path=/,:method=POST,:authority=h
resp_headers return 1
resp_body return 1
callout resume_caller
callout local_response 200 retried {"retried":true} content-type=application/json`
	p, l := startProbe(t, script, func(c *Config) { c.Clusters = map[string]string{"up": url} })
	sink := &recSink{}
	s := p.NewStream(sink, StreamInfo{})
	s.DecodeHeaders(reqHeaders(), true)
	s.EncodeHeaders(NewHeaders(":status", "503"), false)
	s.EncodeData([]byte("overloaded"), true)
	<-s.Notify()
	s.Pump()
	if !s.Done() {
		t.Fatal("stream not done")
	}
	s.Finish()
	equalLines(t, "sink", sink.events, []string{"req_headers eos=true", "resp_headers 200 eos=false", `resp_data "{\"retried\":true}" eos=true`})
	if s.ResponseCode() != 200 || len(l.grep("resp_headers n=")) != 1 {
		t.Fatalf("code %d, resp_headers callbacks %v", s.ResponseCode(), l.grep("resp_headers n="))
	}
}

// A trap in an asynchronous callback fails the VM; waiting streams get 503.
func TestTrapInCalloutFailsWaitingStream(t *testing.T) {
	url := upstream(t, func(w http.ResponseWriter, r *http.Request) {})
	script := "req_headers http_call up 0 :path=/,:method=GET,:authority=h\nreq_headers return 1\ncallout panic"
	p, _ := startProbe(t, script, func(c *Config) { c.Clusters = map[string]string{"up": url} })
	sink := &recSink{}
	s := p.NewStream(sink, StreamInfo{})
	s.DecodeHeaders(reqHeaders(), true)
	<-s.Notify()
	s.Pump()
	s.Finish()
	equalLines(t, "sink", sink.events, []string{"resp_headers 503 eos=true"})
}

func TestSetEffectiveContextUnknown(t *testing.T) {
	p, l := startProbe(t, "req_headers set_effective 99\nreq_headers set_effective 1\nreq_headers get_header 0 :path", nil)
	s := p.NewStream(&recSink{}, StreamInfo{})
	s.DecodeHeaders(reqHeaders(), true)
	s.Finish()
	equalLines(t, "logs", l.grep("req_headers ", "status="), []string{
		"info req_headers set_effective: status=2", "info req_headers set_effective: status=0",
		`info req_headers get_header: status=2 value="" ptr0=true`, // root context: no request headers
	})
}

func TestInvalidMemoryAccess(t *testing.T) {
	p, l := startProbe(t, "req_headers bad_ptr", nil)
	s := p.NewStream(&recSink{}, StreamInfo{})
	s.DecodeHeaders(reqHeaders(), false)
	s.DecodeData([]byte("x"), true)
	s.Finish()
	equalLines(t, "logs", l.grep("bad_ptr:"), []string{"info req_headers bad_ptr: log=6 get_header=6 property=6 set_body=6"})
}

// proc_exit only logs (cpp-host): the guest keeps running.
func TestProcExitOnlyLogs(t *testing.T) {
	p, l := startProbe(t, "req_headers exit", nil)
	sink := &recSink{}
	s := p.NewStream(sink, StreamInfo{})
	s.DecodeHeaders(reqHeaders(), true)
	s.Finish()
	equalLines(t, "logs", l.grep("exit"), []string{"info wasi_unstable proc_exit", "info req_headers exit: returned"})
	equalLines(t, "sink", sink.events, []string{"req_headers eos=true"})
}

func TestTickPeriodZeroStops(t *testing.T) {
	p, l := startProbe(t, "configure tick 2\ntick tick 0", nil)
	waitFor(t, func() bool { return len(l.grep("tick tick: status=0")) >= 1 }) // the canary is closed before it ticks
	n := len(l.grep("tick ctx="))
	time.Sleep(30 * time.Millisecond)
	if m := len(l.grep("tick ctx=")); m != n {
		t.Fatalf("ticks continued after period 0: %d -> %d", n, m)
	}
	p.Close(t.Context())
}

// A local reply requested while a local reply is being encoded replaces it
// directly instead of re-entering the filter.
func TestLocalReplyDuringLocalReply(t *testing.T) {
	script := "req_headers local_response 400 first first-body\nresp_headers local_response 418 second teapot"
	p, l := startProbe(t, script, nil)
	sink := &recSink{}
	s := p.NewStream(sink, StreamInfo{})
	s.DecodeHeaders(reqHeaders(), true)
	s.Finish()
	equalLines(t, "sink", sink.events, []string{"resp_headers 418 eos=false", `resp_data "teapot" eos=true`})
	if n := len(l.grep("resp_headers n=")); n != 1 {
		t.Fatalf("on_response_headers ran %d times", n)
	}
}

func TestContextCreatedLazilyAtFirstHeaders(t *testing.T) {
	p, l := startProbe(t, "ctx_create log 2 created", nil)
	s := p.NewStream(&recSink{}, StreamInfo{})
	if got := l.grep("ctx_create"); len(got) != 0 {
		t.Fatalf("created before headers: %v", got)
	}
	s.DecodeHeaders(reqHeaders(), true)
	equalLines(t, "create", l.grep("ctx_create"), []string{"info ctx_create log: status=0"})
	s.Finish()
	// A stream that never reached the filter is created in on_log.
	s2 := p.NewStream(&recSink{}, StreamInfo{})
	s2.Finish()
	if got := l.grep("ctx_create"); len(got) != 2 || len(l.grep("log ctx=3")) != 1 {
		t.Fatalf("creates %v, logs %v", got, l.grep("log ctx="))
	}
}

func TestHeadersOnlyRequestResumed(t *testing.T) {
	url := upstream(t, func(w http.ResponseWriter, r *http.Request) {})
	script := "req_headers http_call up 0 :path=/,:method=GET,:authority=h\nreq_headers return 1\ncallout resume_caller\ncallout continue 0"
	p, l := startProbe(t, script, func(c *Config) { c.Clusters = map[string]string{"up": url} })
	sink := &recSink{}
	s := p.NewStream(sink, StreamInfo{})
	s.DecodeHeaders(reqHeaders(), true)
	<-s.Notify()
	s.Pump()
	s.Finish()
	equalLines(t, "sink", sink.events, []string{"req_headers eos=true"})
	if n := len(l.grep("req_body")); n != 0 {
		t.Fatalf("body callback for a headers-only request")
	}
}

// The callout belongs to the root context: it completes after the stream is
// gone, and re-targeting the dead stream fails with BadArgument.
func TestCalloutOutlivesStream(t *testing.T) {
	release := make(chan struct{})
	url := upstream(t, func(w http.ResponseWriter, r *http.Request) { <-release })
	script := "req_headers http_call up 0 :path=/,:method=GET,:authority=h\nreq_headers return 1\ncallout resume_caller"
	p, l := startProbe(t, script, func(c *Config) { c.Clusters = map[string]string{"up": url} })
	s := p.NewStream(&recSink{}, StreamInfo{})
	s.DecodeHeaders(reqHeaders(), true)
	s.Finish()
	close(release)
	p.WaitCallouts()
	equalLines(t, "callout", l.grep("callout "), []string{
		"info callout ctx=1 token=4 headers=3 body=0 trailers=0", // :status, content-length, date
		"info callout resume_caller: status=2",
	})
}
