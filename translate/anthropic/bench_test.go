package anthropic

import (
	"testing"

	"switchyard/translate"
	"switchyard/translate/internal/goldentest"
)

// Benchmarks for the hot paths, with reused output buffers as the plugin uses them:
//
//	go test -run '^$' -bench . -benchmem ./translate/anthropic/

func BenchmarkRequest(b *testing.B) {
	body := goldentest.Read(b, "bench/request.json")
	tg := &translate.Target{Provider: testProvider(), APIKey: "sk-ant-test"}
	var r translate.UpstreamRequest
	var c translate.Call
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	defer goldentest.CPUMetric(b)()
	for b.Loop() {
		r.Reset()
		c = translate.Call{Op: translate.OpChat, Created: 1700000000}
		if err := (Adapter{}).BuildRequest(&c, tg, body, &r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkResponse(b *testing.B) {
	body := goldentest.Read(b, "bench/response.json")
	c := &translate.Call{Op: translate.OpChat, Created: 1700000000, Model: "claude-sonnet-4-5"}
	var out []byte
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	defer goldentest.CPUMetric(b)()
	for b.Loop() {
		var err error
		if out, _, err = (Adapter{}).TranslateResponse(c, body, out[:0]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStream: 50 Anthropic events (text, a tool call, usage) fed in 256-byte network
// chunks into a fresh Stream per iteration, as a new response would be.
func BenchmarkStream(b *testing.B) {
	c := &translate.Call{Op: translate.OpChat, Stream: true, IncludeUsage: true, Created: 1700000000}
	goldentest.BenchStream(b, func() translate.Stream { return NewStream(c) }, goldentest.Read(b, "bench/stream.sse"), 256, nil)
}

// BenchmarkBaselineByteLoop is the perf-floor calibration (a plain loop over the 2.5 KB
// request, ~3 µs on the reference machine): on a loaded machine, compare ratios to it.
func BenchmarkBaselineByteLoop(b *testing.B) {
	body := goldentest.Read(b, "bench/request.json")
	n := 0
	defer goldentest.CPUMetric(b)()
	for b.Loop() {
		for _, c := range body {
			if c == '"' {
				n++
			}
		}
	}
	if n == 0 {
		b.Fatal("no quotes")
	}
}
