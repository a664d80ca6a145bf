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
