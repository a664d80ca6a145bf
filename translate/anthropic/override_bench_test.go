package anthropic

import (
	"testing"

	"switchyard/translate"
	"switchyard/translate/internal/goldentest"
)

// BenchmarkBuildRequestOverride is BenchmarkBuildRequest with a target carrying
// override_params (one replaced scalar, one added scalar, one merged object), the path that
// runs the shared deep merge.
func BenchmarkBuildRequestOverride(b *testing.B) {
	body := goldentest.Read(b, "bench/request.json")
	tg := translate.Target{Provider: testProvider(), APIKey: "sk-ant-test"}
	tg.OverrideParams = []byte(`{"temperature":0.5,"top_p":0.9,"stream_options":{"include_usage":true}}`)
	var r translate.UpstreamRequest
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		r.Reset()
		c := translate.Call{Op: translate.OpChat}
		if err := (Adapter{}).BuildRequest(&c, &tg, body, &r); err != nil {
			b.Fatal(err)
		}
	}
}
