package bedrock

import (
	"testing"

	"switchyard/translate"
	"switchyard/translate/internal/goldentest"
)

// BenchmarkBuildRequestOverride is BenchmarkBuildRequest with a target carrying
// override_params (two replaced or added scalars, one merged object): the shared deep merge.
func BenchmarkBuildRequestOverride(b *testing.B) {
	tg := translate.Target{Provider: provider(), Options: awsOptions("us-east-1", "")}
	tg.OverrideParams = []byte(`{"temperature":0.5,"top_p":0.9,"stream_options":{"include_usage":true}}`)
	goldentest.BenchBuildRequest(b, Adapter{}, &tg, benchRequest, signTime)
}
