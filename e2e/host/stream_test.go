package host

import (
	"testing"
)

func TestPassthroughCallbackOrder(t *testing.T) {
	p, l := startProbe(t, "", nil)
	l.take()
	sink := &recSink{}
	s := p.NewStream(sink, StreamInfo{Protocol: "HTTP/1.1"})
	s.DecodeHeaders(reqHeaders(), false)
	s.DecodeData([]byte(`{"a":1}`), true)
	s.EncodeHeaders(NewHeaders(":status", "200", "content-type", "application/json"), false)
	s.EncodeData([]byte("ok"), false)
	s.EncodeData(nil, true)
	s.Finish()
	equalLines(t, "sink", sink.events, []string{
		"req_headers eos=false", `req_data "{\"a\":1}" eos=true`,
		"resp_headers 200 eos=false", `resp_data "ok" eos=false`, `resp_data "" eos=true`,
	})
	equalLines(t, "logs", l.take(), []string{
		"info req_headers n=5 eos=0", "info req_body size=7 eos=1",
		"info resp_headers n=2 eos=0", "info resp_body size=2 eos=0", "info resp_body size=0 eos=1",
		"info log ctx=2", "info done ctx=2", "info delete ctx=2",
	})
}

func TestContextIDsPerVM(t *testing.T) {
	p, l := startProbe(t, "", func(c *Config) { c.Workers = 2 })
	l.take()
	for i := 0; i < 4; i++ {
		s := p.NewStream(&recSink{}, StreamInfo{})
		s.DecodeHeaders(reqHeaders(), true)
		s.Finish()
	}
	// Round robin over 2 VMs; each VM counts from 1 (root) so streams are 2, 2, 3, 3.
	equalLines(t, "ids", l.grep("log ctx="), []string{"info log ctx=2", "info log ctx=2", "info log ctx=3", "info log ctx=3"})
}

func TestHeadersPauseWithoutAllowIsStopAll(t *testing.T) {
	script := "req_headers return 1\nreq_body get_body 0 0 100"
	p, l := startProbe(t, script, func(c *Config) { c.AllowOnHeadersStopIteration = false })
	l.take()
	sink := &recSink{}
	s := p.NewStream(sink, StreamInfo{})
	s.DecodeHeaders(reqHeaders(), false)
	s.DecodeData([]byte("abc"), false)
	s.DecodeData([]byte("def"), true)
	// StopAllIterationAndWatermark: body held, the filter is not called.
	equalLines(t, "logs", l.take(), []string{"info req_headers n=5 eos=0"})
	if len(sink.events) != 0 {
		t.Fatalf("forwarded while stopped: %v", sink.events)
	}
	s.Finish()
}

func TestHeadersStopIterationDeliversBody(t *testing.T) {
	script := "req_headers return 1\nreq_body_more return 1\nreq_body_eos replace_header 0 x-model gpt\nreq_body_eos get_body 0 0 100"
	p, l := startProbe(t, script, nil)
	l.take()
	sink := &recSink{}
	s := p.NewStream(sink, StreamInfo{})
	s.DecodeHeaders(reqHeaders(), false)
	s.DecodeData([]byte("abc"), false)
	s.DecodeData([]byte("def"), false)
	s.DecodeData([]byte("ghi"), true)
	equalLines(t, "logs", l.take(), []string{
		"info req_headers n=5 eos=0",
		"info req_body size=3 eos=0",
		"info req_body size=6 eos=0", // accumulated after StopIterationAndBuffer
		"info req_body size=9 eos=1",
		"info req_body_eos replace_header: status=0",
		`info req_body_eos get_body: status=0 "abcdefghi"`,
	})
	equalLines(t, "sink", sink.events, []string{"req_headers eos=false", `req_data "abcdefghi" eos=true`})
	if v, _ := sink.reqH.Get("x-model"); v != "gpt" {
		t.Errorf("header edit in body phase lost: %v", sink.reqH.Pairs())
	}
	s.Finish()
}

func TestHeaderResultClamp(t *testing.T) {
	p, l := startProbe(t, "req_headers return 77", nil)
	l.take()
	sink := &recSink{}
	s := p.NewStream(sink, StreamInfo{})
	s.DecodeHeaders(reqHeaders(), false)
	s.DecodeData([]byte("x"), true)
	// > 4 clamps to StopAllIterationAndWatermark: nothing delivered or forwarded.
	if len(sink.events) != 0 || len(l.grep("req_body")) != 0 {
		t.Fatalf("events %v logs %v", sink.events, l.take())
	}
	s.Finish()
}

func TestBodyContinueForwardsEachChunk(t *testing.T) {
	p, l := startProbe(t, "", nil)
	l.take()
	sink := &recSink{}
	s := p.NewStream(sink, StreamInfo{})
	s.DecodeHeaders(reqHeaders(), false)
	s.DecodeData([]byte("ab"), false)
	s.DecodeData([]byte("cd"), true)
	equalLines(t, "sink", sink.events, []string{"req_headers eos=false", `req_data "ab" eos=false`, `req_data "cd" eos=true`})
	equalLines(t, "sizes", l.grep("req_body size"), []string{"info req_body size=2 eos=0", "info req_body size=2 eos=1"})
	s.Finish()
}

func TestRequestBufferLimit413(t *testing.T) {
	p, l := startProbe(t, "req_headers return 1\nreq_body return 1", func(c *Config) { c.BufferLimit = 8 })
	l.take()
	sink := &recSink{}
	s := p.NewStream(sink, StreamInfo{})
	s.DecodeHeaders(reqHeaders(), false)
	s.DecodeData([]byte("12345"), false)
	s.DecodeData([]byte("67890"), false)
	s.DecodeData([]byte("more"), true)
	equalLines(t, "sink", sink.events, []string{"resp_headers 413 eos=false", `resp_data "Payload Too Large" eos=true`})
	if ct, _ := sink.respH.Get("content-type"); ct != "text/plain" {
		t.Errorf("content-type = %q", ct)
	}
	// The VM is not called for this stream any more (no response callbacks), but on_log runs.
	s.Finish()
	equalLines(t, "logs", l.take(), []string{
		"info req_headers n=5 eos=0", "info req_body size=5 eos=0", "info req_body size=10 eos=0",
		"info log ctx=2", "info done ctx=2", "info delete ctx=2",
	})
}

func TestResponseBufferLimit500(t *testing.T) {
	p, l := startProbe(t, "resp_headers return 1\nresp_body return 1", func(c *Config) { c.BufferLimit = 4 })
	l.take()
	sink := &recSink{}
	s := p.NewStream(sink, StreamInfo{})
	s.DecodeHeaders(reqHeaders(), true)
	s.EncodeHeaders(NewHeaders(":status", "200"), false)
	s.EncodeData([]byte("12345"), false)
	s.EncodeData([]byte("6"), true)
	equalLines(t, "sink", sink.events, []string{"req_headers eos=true", "resp_headers 500 eos=false", `resp_data "Internal Server Error" eos=true`})
	s.Finish()
}

func TestResponseOverLimitAfterHeadersResets(t *testing.T) {
	p, _ := startProbe(t, "resp_body return 1", func(c *Config) { c.BufferLimit = 4 })
	sink := &recSink{}
	s := p.NewStream(sink, StreamInfo{})
	s.DecodeHeaders(reqHeaders(), true)
	s.EncodeHeaders(NewHeaders(":status", "200"), false)
	s.EncodeData([]byte("12345"), false)
	equalLines(t, "sink", sink.events, []string{"req_headers eos=true", "resp_headers 200 eos=false", "reset response_payload_too_large"})
	s.Finish()
}

func TestLocalResponseFromRequestHeaders(t *testing.T) {
	script := "req_headers local_response 429 rate\\slimited {\"error\":1} x-a=1,Content-Type=application/json\nreq_headers return 0\nresp_headers get_pairs 2"
	p, l := startProbe(t, script, nil)
	l.take()
	sink := &recSink{}
	s := p.NewStream(sink, StreamInfo{})
	s.DecodeHeaders(reqHeaders(), false)
	s.DecodeData([]byte("ignored"), true)
	s.Finish()
	// The reply is deferred until the callback returns, forces stop (nothing
	// forwarded upstream although the plugin returned Continue), and runs
	// through this filter's encoder callbacks.
	equalLines(t, "sink", sink.events, []string{"resp_headers 429 eos=false", `resp_data "{\"error\":1}" eos=true`})
	equalLines(t, "logs", l.take(), []string{
		"info req_headers n=5 eos=0",
		"info req_headers local_response: status=0",
		"info resp_headers n=4 eos=0",
		"info resp_headers get_pairs: status=0 ptr=true len=102 :status=429;x-a=1;content-type=application/json;content-length=11",
		"info resp_body size=11 eos=1",
		"info log ctx=2", "info done ctx=2", "info delete ctx=2",
	})
	if d := s.codeDetails; d != "rate_limited" {
		t.Errorf("details = %q", d)
	}
}

func TestLocalResponseFromResponseHeadersIsDirect(t *testing.T) {
	script := "resp_headers local_response 502 bad upstream-failed\nresp_headers return 0"
	p, l := startProbe(t, script, nil)
	l.take()
	sink := &recSink{}
	s := p.NewStream(sink, StreamInfo{})
	s.DecodeHeaders(reqHeaders(), true)
	s.EncodeHeaders(NewHeaders(":status", "500"), false)
	s.EncodeData([]byte("upstream body"), true)
	s.Finish()
	equalLines(t, "sink", sink.events, []string{"req_headers eos=true", "resp_headers 502 eos=false", `resp_data "upstream-failed" eos=true`})
	if n := len(l.grep("resp_headers n=")); n != 1 {
		t.Errorf("on_response_headers ran %d times, want 1 (direct reply)", n)
	}
	if n := len(l.grep("resp_body size")); n != 0 {
		t.Errorf("upstream body reached the filter after local reply")
	}
}

func TestHeaderMapAvailabilityByPhase(t *testing.T) {
	script := `req_headers get_header 0 :path
req_headers get_header 0 x-empty
req_headers get_header 0 x-absent
req_headers get_header 0 X-Multi
req_headers get_header 1 x
req_headers get_header 8 x
req_headers get_header 2 :status
req_body get_header 0 :path
req_body get_pairs 0
req_body add_header 0 a b
req_body map_size 0
resp_headers get_header 0 :path
resp_headers get_header 2 :status
resp_headers map_size 2
resp_body get_header 2 :status
log get_header 0 :path
log get_header 1 x
log get_header 2 :status
log add_header 2 a b
log get_pairs 3`
	p, l := startProbe(t, script, nil)
	l.take()
	s := p.NewStream(&recSink{}, StreamInfo{})
	s.DecodeHeaders(reqHeaders("x-empty", "", "x-multi", "1", "x-multi", "2"), false)
	s.DecodeData([]byte("b"), true)
	s.EncodeHeaders(NewHeaders(":status", "200", "server", "x"), false)
	s.EncodeData([]byte("b"), true)
	s.Finish()
	equalLines(t, "logs", l.grep(": status="), []string{
		`info req_headers get_header: status=0 value="/v1/chat/completions" ptr0=false`,
		`info req_headers get_header: status=0 value="" ptr0=true`,
		`info req_headers get_header: status=1 value="" ptr0=true`,
		`info req_headers get_header: status=0 value="1" ptr0=false`,
		`info req_headers get_header: status=2 value="" ptr0=true`,
		`info req_headers get_header: status=2 value="" ptr0=true`,
		`info req_headers get_header: status=2 value="" ptr0=true`,
		`info req_body get_header: status=2 value="" ptr0=true`,
		`info req_body get_pairs: status=0 ptr=false len=0 `,
		`info req_body add_header: status=2`,
		`info req_body map_size: status=2 size=0`,
		`info resp_headers get_header: status=2 value="" ptr0=true`,
		`info resp_headers get_header: status=0 value="200" ptr0=false`,
		`info resp_headers map_size: status=0 size=17`,
		`info resp_body get_header: status=2 value="" ptr0=true`,
		`info log get_header: status=0 value="/v1/chat/completions" ptr0=false`,
		`info log get_header: status=1 value="" ptr0=true`,
		`info log get_header: status=0 value="200" ptr0=false`,
		`info log add_header: status=2`,
		`info log get_pairs: status=0 ptr=false len=0 `,
	})
}

func TestSetHeaderPairsAndMalformedBlob(t *testing.T) {
	script := `req_headers set_pairs 0 :path=/x,:method=GET,:authority=h,X-New=v
req_headers get_pairs 0
req_headers set_pairs_raw 0 0100000001000000
req_headers get_pairs 0
req_headers set_pairs_raw 0 01000000010000000100000061003100
req_headers get_pairs 0`
	p, l := startProbe(t, script, nil)
	l.take()
	s := p.NewStream(&recSink{}, StreamInfo{})
	s.DecodeHeaders(reqHeaders(), true)
	s.Finish()
	equalLines(t, "logs", l.grep("get_pairs"), []string{
		"info req_headers get_pairs: status=0 ptr=true len=78 :path=/x;:method=GET;:authority=h;x-new=v",
		"info req_headers get_pairs: status=0 ptr=false len=0 ", // truncated blob decodes as empty
		"info req_headers get_pairs: status=0 ptr=true len=16 a=1",
	})
}

func TestSetBufferBytes(t *testing.T) {
	script := `req_body set_body 0 0 0 <<
req_body set_body 0 100 0 >>
req_body get_body 0 0 100
req_body set_body 0 1 1 bad
req_body set_body 0 0 1000 new
req_body get_body 0 0 100
req_body get_body 0 1 1
req_body get_body 0 9 5
req_body get_body 0 4294967295 2
req_body set_body 6 0 0 x
req_body get_body 9 0 1
req_body get_body 7 0 1
req_body get_body 4 0 1
req_body buffer_status 0`
	p, l := startProbe(t, script, nil)
	l.take()
	sink := &recSink{}
	s := p.NewStream(sink, StreamInfo{})
	s.DecodeHeaders(reqHeaders(), false)
	s.DecodeData([]byte("body"), true)
	s.Finish()
	equalLines(t, "logs", l.grep("req_body ", ": status="), []string{
		"info req_body set_body: status=0",
		"info req_body set_body: status=0",
		`info req_body get_body: status=0 "<<body>>"`,
		"info req_body set_body: status=2",
		"info req_body set_body: status=0",
		`info req_body get_body: status=0 "new"`,
		`info req_body get_body: status=0 "e"`,
		`info req_body get_body: status=0 ""`,
		`info req_body get_body: status=2 ""`,
		"info req_body set_body: status=2",
		`info req_body get_body: status=2 ""`,
		`info req_body get_body: status=1 ""`,
		`info req_body get_body: status=1 ""`,
		"info req_body buffer_status: status=0 len=3 flags=0",
	})
	equalLines(t, "sink", sink.events, []string{"req_headers eos=false", `req_data "new" eos=true`})
}

func TestTrapFailsClosed(t *testing.T) {
	p, l := startProbe(t, "req_headers panic", nil)
	sink := &recSink{}
	s := p.NewStream(sink, StreamInfo{})
	s.DecodeHeaders(reqHeaders(), true)
	s.Finish()
	equalLines(t, "sink", sink.events, []string{"resp_headers 503 eos=true"})
	if p.VMs()[0].Failed() == nil {
		t.Fatal("VM not marked failed")
	}
	if len(l.grep("critical", "wasm vm failed")) != 1 {
		t.Errorf("no critical log: %v", l.take())
	}
	// Every later stream on that VM fails closed without calling the guest.
	sink2 := &recSink{}
	s2 := p.NewStream(sink2, StreamInfo{})
	s2.DecodeHeaders(reqHeaders(), true)
	s2.Finish()
	equalLines(t, "sink2", sink2.events, []string{"resp_headers 503 eos=true"})
	if s2.codeDetails != "wasm_fail_stream" {
		t.Errorf("details %q", s2.codeDetails)
	}
}
