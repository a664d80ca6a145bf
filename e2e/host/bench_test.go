package host

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

type nopSink struct{}

func (nopSink) RequestHeaders(*Headers, bool)  {}
func (nopSink) RequestData([]byte, bool)       {}
func (nopSink) ResponseHeaders(*Headers, bool) {}
func (nopSink) ResponseData([]byte, bool)      {}
func (nopSink) Reset(string)                   {}

var (
	benchReq  = []byte(`{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}`)
	benchResp = []byte(`{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"Hello"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}`)
)

// passthrough runs one complete request/response through the host the way
// the gateway drives it. The Switchyard requests carry the client's own key:
// stored keys may need gateway authentication.
func passthrough(p *Plugin, reqH func() *Headers) {
	s := p.NewStream(nopSink{}, StreamInfo{Protocol: "HTTP/1.1"})
	s.DecodeHeaders(reqH(), false)
	s.DecodeData(benchReq, true)
	s.EncodeHeaders(NewHeaders(":status", "200", "content-type", "application/json"), false)
	s.EncodeData(benchResp, true)
	s.Finish()
}

func BenchmarkPassthroughProbe(b *testing.B) {
	p, _ := startProbe(b, "quiet on", nil)
	b.ReportAllocs()
	for b.Loop() {
		passthrough(p, func() *Headers { return reqHeaders() })
	}
}

func BenchmarkPassthroughSwitchyard(b *testing.B) {
	path := os.Getenv("SWITCHYARD_WASM")
	if path == "" {
		path = filepath.Join("..", "..", "dist", "switchyard.wasm")
	}
	w, err := os.ReadFile(path)
	if err != nil {
		b.Skipf("real module not available: %v", err)
	}
	ctx := context.Background()
	rt, err := NewRuntime(ctx, ProfileEnvoy)
	if err != nil {
		b.Fatal(err)
	}
	defer rt.Close(ctx)
	m, err := rt.Compile(ctx, w)
	if err != nil {
		b.Fatal(err)
	}
	l := &logs{}
	p, err := m.NewPlugin(ctx, Config{Name: "switchyard", RootID: "switchyard", VMID: "switchyard", Logger: l.add,
		Configuration: []byte(`{"providers":{"openai":{"cluster":"openai","host":"api.openai.com","scheme":"https","api_key_env":"OPENAI_API_KEY"}}}`),
		Env:           map[string]string{"OPENAI_API_KEY": "sk-mock"}, AllowOnHeadersStopIteration: true})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close(ctx)
	b.ReportAllocs()
	for b.Loop() {
		passthrough(p, func() *Headers {
			return reqHeaders("x-portkey-provider", "openai", "authorization", "Bearer sk-client")
		})
	}
	b.StopTimer()
	// Guard against measuring a fail-closed VM or a local error reply.
	sink := &recSink{}
	s := p.NewStream(sink, StreamInfo{Protocol: "HTTP/1.1"})
	s.DecodeHeaders(reqHeaders("x-portkey-provider", "openai", "authorization", "Bearer sk-client"), false)
	s.DecodeData(benchReq, true)
	s.EncodeHeaders(NewHeaders(":status", "200", "content-type", "application/json"), false)
	s.EncodeData(benchResp, true)
	s.Finish()
	if len(sink.events) < 3 || sink.events[0] != "req_headers eos=false" || sink.events[2] != "resp_headers 200 eos=false" {
		b.Fatalf("not a passthrough: %v", sink.events)
	}
}
