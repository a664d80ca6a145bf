package pipeline

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"

	"switchyard/e2e/host"
)

// The benchmarks drive the real module through e2e/host (Envoy profile, one VM) without HTTP:
// request headers, a ~2 KB body, response headers and body, stream end. ns/op is the plugin's
// CPU per request plus the host's bookkeeping (boundary crossings are ~1% per perf-floor.md).

const benchConfig = `{"allow_unauthenticated_stored_keys":true,"request_deadline_ms":120000,"providers":{
 "openai":{"cluster":"openai","api_key_env":"OPENAI_API_KEY"},
 "anthropic":{"cluster":"anthropic","api_key_env":"ANTHROPIC_API_KEY"}}}`

// benchBody is a ~2 KB chat request: system prompt, several turns, a tool.
var benchBody = func() string {
	long := strings.Repeat("Please keep answers short and cite the documentation. ", 9)
	return `{"model":"gpt-4o-mini","temperature":0.2,"max_tokens":512,"messages":[` +
		`{"role":"system","content":"` + long + `"},` +
		`{"role":"user","content":"` + long + `What is the capital of France?"},` +
		`{"role":"assistant","content":"Paris is the capital of France."},` +
		`{"role":"user","content":"` + long + `And of Italy?"},` +
		`{"role":"assistant","content":"Rome."},` +
		`{"role":"user","content":"Thanks. Now Spain, please."}],` +
		`"tools":[{"type":"function","function":{"name":"lookup","description":"Look a capital up","parameters":{"type":"object","properties":{"country":{"type":"string"}},"required":["country"]}}}]}`
}()

const (
	openAIJSON    = `{"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"Madrid is the capital of Spain.","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":420,"completion_tokens":8,"total_tokens":428},"system_fingerprint":"fp_1"}`
	anthropicJSON = `{"id":"msg_1","type":"message","role":"assistant","model":"claude-3-5-haiku-latest","content":[{"type":"text","text":"Madrid is the capital of Spain."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":420,"output_tokens":8}}`
)

// streamChunks returns 20 content events of each wire format, one network chunk each.
func openAISSE() [][]byte {
	var out [][]byte
	for i := 0; i < 20; i++ {
		out = append(out, []byte(`data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"word`+strconv.Itoa(i)+` "},"finish_reason":null}]}`+"\n\n"))
	}
	out = append(out, []byte(`data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`+"\n\ndata: [DONE]\n\n"))
	return out
}

func anthropicSSE() [][]byte {
	out := [][]byte{[]byte("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-3-5-haiku-latest\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":420,\"output_tokens\":1}}}\n\n" +
		"event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n")}
	for i := 0; i < 20; i++ {
		out = append(out, []byte("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"word"+strconv.Itoa(i)+" \"}}\n\n"))
	}
	out = append(out, []byte("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"+
		"event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":20}}\n\n"+
		"event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"))
	return out
}

type countSink struct {
	status string
	bytes  int
}

func (s *countSink) RequestHeaders(*host.Headers, bool) {}
func (s *countSink) RequestData([]byte, bool)           {}
func (s *countSink) ResponseHeaders(h *host.Headers, _ bool) {
	s.status, _ = h.Get(":status")
}
func (s *countSink) ResponseData(p []byte, _ bool) { s.bytes += len(p) }
func (s *countSink) Reset(string)                  {}

var (
	benchOnce   sync.Once
	benchPlugin *host.Plugin
	benchErr    error
)

func benchHost(b *testing.B) *host.Plugin {
	b.Helper()
	w := moduleBytes(b)
	benchOnce.Do(func() {
		ctx := context.Background()
		rt, err := host.NewRuntime(ctx, host.ProfileEnvoy)
		if err != nil {
			benchErr = err
			return
		}
		m, err := rt.Compile(ctx, w)
		if err != nil {
			benchErr = err
			return
		}
		benchPlugin, benchErr = m.NewPlugin(ctx, host.Config{Name: "switchyard", RootID: "switchyard", VMID: "switchyard",
			Logger: func(int, string) {}, Configuration: []byte(benchConfig), AllowOnHeadersStopIteration: true,
			Env: map[string]string{"OPENAI_API_KEY": "sk-bench", "ANTHROPIC_API_KEY": "sk-ant-bench"}})
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchPlugin
}

func oneRequest(p *host.Plugin, provider, body string, ct string, resp [][]byte) *countSink {
	sink := &countSink{}
	s := p.NewStream(sink, host.StreamInfo{Protocol: "HTTP/1.1"})
	s.DecodeHeaders(host.NewHeaders(":authority", "gw", ":path", "/v1/chat/completions", ":method", "POST", ":scheme", "http",
		"content-type", "application/json", "content-length", strconv.Itoa(len(body)), "x-portkey-provider", provider,
		"x-portkey-trace-id", "bench"), false)
	s.DecodeData([]byte(body), true)
	s.EncodeHeaders(host.NewHeaders(":status", "200", "content-type", ct), false)
	for i, c := range resp {
		s.EncodeData(c, i == len(resp)-1)
	}
	s.Finish()
	return sink
}

func benchPipeline(b *testing.B, provider string, stream bool, ct string, resp [][]byte) {
	p := benchHost(b)
	body := benchBody
	if stream {
		body = strings.Replace(body, `"temperature"`, `"stream":true,"temperature"`, 1)
	}
	// Guard: a real translated 200, not a local error reply.
	if s := oneRequest(p, provider, body, ct, resp); s.status != "200" || s.bytes < 100 {
		b.Fatalf("not a translated answer: status %s, %d bytes", s.status, s.bytes)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		oneRequest(p, provider, body, ct, resp)
	}
}

func BenchmarkOpenAIPassthroughJSON(b *testing.B) {
	benchPipeline(b, "openai", false, "application/json", [][]byte{[]byte(openAIJSON)})
}

func BenchmarkOpenAIToAnthropicJSON(b *testing.B) {
	benchPipeline(b, "anthropic", false, "application/json", [][]byte{[]byte(anthropicJSON)})
}

func BenchmarkOpenAIPassthroughStream(b *testing.B) {
	benchPipeline(b, "openai", true, "text/event-stream", openAISSE())
}

func BenchmarkOpenAIToAnthropicStream(b *testing.B) {
	benchPipeline(b, "anthropic", true, "text/event-stream", anthropicSSE())
}
