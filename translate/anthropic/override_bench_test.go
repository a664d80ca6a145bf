package anthropic

import (
	"testing"
	"time"

	"switchyard/translate"
	"switchyard/translate/internal/goldentest"
)

// BenchmarkBuildRequestOverride is BenchmarkBuildRequest with a target carrying
// override_params (two replaced or added scalars, one merged object): the shared deep merge.
func BenchmarkBuildRequestOverride(b *testing.B) {
	tg := translate.Target{Provider: testProvider(), APIKey: "sk-ant-test"}
	tg.OverrideParams = []byte(`{"temperature":0.5,"top_p":0.9,"stream_options":{"include_usage":true}}`)
	goldentest.BenchBuildRequest(b, Adapter{}, &tg, goldentest.Read(b, "bench/request.json"), time.Time{})
}
