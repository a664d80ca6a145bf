package openai

import (
	"bytes"
	"fmt"
	"os"
	"testing"
	"time"

	"switchyard/translate"
	"switchyard/translate/internal/goldentest"
)

func benchRequestBody(b *testing.B) []byte {
	body, err := os.ReadFile("testdata/chat_request.json")
	if err != nil {
		b.Fatal(err)
	}
	i := bytes.LastIndexByte(body, '}')
	return append(append(body[:i:i], `,"stream":true}`...), '\n')
}

// A ~2.5 KB chat request (system, tools, images, tool calls and results), streamed: model
// override + stream_options.include_usage added.
func BenchmarkBuildRequest(b *testing.B) {
	body := benchRequestBody(b)
	tg := translate.Target{Provider: translate.Lookup("openai"), Model: "gpt-4o-mini", APIKey: "sk-test"}
	goldentest.BenchBuildRequest(b, Adapter{}, &tg, body, time.Time{})
}

func BenchmarkBuildRequestOverride(b *testing.B) {
	body := benchRequestBody(b)
	tg := translate.Target{Provider: translate.Lookup("openai"), Model: "gpt-4o-mini", APIKey: "sk-test",
		OverrideParams: []byte(`{"temperature":0.5,"metadata":{"env":"prod"},"seed":7}`)}
	goldentest.BenchBuildRequest(b, Adapter{}, &tg, body, time.Time{})
}

func BenchmarkTranslateResponse(b *testing.B) {
	body, err := os.ReadFile("testdata/chat_response.json")
	if err != nil {
		b.Fatal(err)
	}
	c := &translate.Call{Op: translate.OpChat}
	var dst []byte
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		dst, _, err = (Adapter{}).TranslateResponse(c, body, dst[:0])
		if err != nil {
			b.Fatal(err)
		}
	}
}

// 50 events: role, 46 content deltas, finish, usage-only chunk (dropped), [DONE]; fed in
// 512-byte chunks that split events anywhere.
func benchStream() []byte {
	var s bytes.Buffer
	head := `{"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_fc9f1d7035","choices":[{"index":0,`
	fmt.Fprintf(&s, "data: %s\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n", head)
	for i := 0; i < 46; i++ {
		fmt.Fprintf(&s, "data: %s\"delta\":{\"content\":\" word%d, \\\"quoted\\\"\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n", head, i)
	}
	fmt.Fprintf(&s, "data: %s\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":null}\n\n", head)
	s.WriteString(`data: {"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-2024-08-06","choices":[],"usage":{"prompt_tokens":19,"completion_tokens":92,"total_tokens":111,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}` + "\n\n")
	s.WriteString("data: [DONE]\n\n")
	return s.Bytes()
}

func BenchmarkStream50(b *testing.B) {
	c := &translate.Call{Op: translate.OpChat, Stream: true}
	goldentest.BenchStream(b, func() translate.Stream { return NewStream(c) }, benchStream(), 512, func(s translate.Stream) {
		if s.Usage().TotalTokens != 111 {
			b.Fatal("usage")
		}
	})
}

func TestBenchStreamShape(t *testing.T) {
	in := benchStream()
	if n := bytes.Count(in, []byte("data: ")); n != 50 {
		t.Fatalf("%d events", n)
	}
	out := runStream(false, [][]byte{in})
	if n := bytes.Count(out, []byte("data: ")); n != 49 {
		t.Fatalf("%d events out (usage-only chunk must be dropped)", n)
	}
}

var sink int

// BenchmarkBaselineByteLoop is perf-floor.md's yardstick (a plain loop over the 2.5 KB request,
// ~3 µs on an idle machine): compare ratios, not absolute times, on a loaded one.
func BenchmarkBaselineByteLoop(b *testing.B) {
	body := benchRequestBody(b)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		n := 0
		for _, c := range body {
			if c == '"' {
				n++
			}
		}
		sink += n
	}
}
