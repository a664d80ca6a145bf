package messages

import (
	"testing"

	"switchyard/translate"
	"switchyard/translate/internal/goldentest"
)

// Hot-path benchmarks with reused output buffers, as the plugin uses them:
//
//	go test -run '^$' -bench . -benchmem ./translate/messages/

// BenchmarkToChat: a 2,500-byte Claude Code-like request (system blocks, 7 turns with two
// parallel tool calls, their results and a content array, 2 tools, streaming).
func BenchmarkToChat(b *testing.B) {
	body := goldentest.Read(b, "bench/request.json")
	var out []byte
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	defer goldentest.CPUMetric(b)()
	for b.Loop() {
		var err error
		if out, _, err = ToChat(body, out[:0]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFromChatResponse: a 1,147-byte chat.completion with text and two tool calls.
func BenchmarkFromChatResponse(b *testing.B) {
	body := goldentest.Read(b, "bench/response.json")
	var out []byte
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	defer goldentest.CPUMetric(b)()
	for b.Loop() {
		var err error
		if out, _, err = FromChatResponse(body, out[:0]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStream: 50 chat.completion.chunk events (text, a tool call, finish, usage) and
// [DONE], fed in 256-byte network chunks into a fresh Stream per iteration.
func BenchmarkStream(b *testing.B) {
	c := &translate.Call{ID: "msg_x", Model: "m"}
	goldentest.BenchStream(b, func() translate.Stream { return NewStream(c) }, goldentest.Read(b, "bench/stream.sse"), 256, nil)
}

func BenchmarkFromChatError(b *testing.B) {
	body := goldentest.Read(b, "error/rate_limit.json")
	var out []byte
	b.ReportAllocs()
	defer goldentest.CPUMetric(b)()
	for b.Loop() {
		out = FromChatError(429, body, out[:0])
	}
}

// TestBenchFixtures keeps the benchmark inputs honest: they convert, to the expected shape.
func TestBenchFixtures(t *testing.T) {
	req, info, err := ToChat(goldentest.Read(t, "bench/request.json"), nil)
	if err != nil || !validJSON(req) || !info.Stream {
		t.Fatalf("request: %v %+v %s", err, info, req)
	}
	resp, u, err := FromChatResponse(goldentest.Read(t, "bench/response.json"), nil)
	if err != nil || !validJSON(resp) || u.PromptTokens != 1117 {
		t.Fatalf("response: %v %+v %s", err, u, resp)
	}
	out := runStream([][]byte{goldentest.Read(t, "bench/stream.sse")})
	checkEvents(t, out)
	goldentest.Check(t, "bench/stream.golden", out)
}
