package gemini

import (
	"testing"
	"time"

	"switchyard/translate"
	"switchyard/translate/internal/goldentest"
)

func BenchmarkBuildRequest(b *testing.B) {
	in := goldentest.Read(b, "bench_chat.json")
	t := &translate.Target{Provider: geminiProvider, APIKey: "k"}
	goldentest.BenchBuildRequest(b, Adapter{}, t, in, time.Time{})
}

func BenchmarkTranslateResponse(b *testing.B) {
	in := goldentest.Read(b, "response/parallel_function_calls.json")
	c := &translate.Call{Op: translate.OpChat, ID: "chatcmpl-b", Created: 1, Model: "gemini-2.0-flash"}
	var out []byte
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if out, _, err = (Adapter{}).TranslateResponse(c, in, out[:0]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkStream50(b *testing.B) {
	c := &translate.Call{Op: translate.OpChat, Stream: true, IncludeUsage: true, ID: "chatcmpl-b", Created: 1, Model: "gemini-2.0-flash"}
	goldentest.BenchStream(b, func() translate.Stream { return NewStream(c) }, benchStream(50), 512, nil)
}
