package gemini

import (
	"testing"
	"time"

	"switchyard/translate"
	"switchyard/translate/internal/goldentest"
)

// BenchmarkBuildRequestOverride is BenchmarkBuildRequest with a target carrying
// override_params (two replaced or added scalars, one merged object): the shared deep merge.
func BenchmarkBuildRequestOverride(b *testing.B) {
	tg := translate.Target{Provider: geminiProvider, APIKey: "k"}
	tg.OverrideParams = []byte(`{"temperature":0.5,"top_p":0.9,"stream_options":{"include_usage":true}}`)
	goldentest.BenchBuildRequest(b, Adapter{}, &tg, goldentest.Read(b, "bench_chat.json"), time.Time{})
}
