package plugin

import (
	"testing"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"
)

// BenchmarkRequestPath runs one request through the filter in proxytest; the emulator's own map
// and header copying is included, so this is an upper bound for the plugin's native cost.
func BenchmarkRequestPath(b *testing.B) {
	h := newTestHost(b, `{"allow_unauthenticated_stored_keys":true,"providers":{"openai":{"cluster":"openai","host":"api.openai.com","api_key_env":"SWITCHYARD_TEST_OPENAI_KEY"}}}`)
	headers := baseHeaders([2]string{"x-portkey-provider", "openai"}, [2]string{"x-portkey-trace-id", "t"})
	body := []byte(chatBody)
	b.ReportAllocs()
	for b.Loop() {
		id := h.InitializeHttpContext()
		h.CallOnRequestHeaders(id, headers, false)
		if act := h.CallOnRequestBody(id, body, true); act != types.ActionContinue {
			b.Fatalf("action %v", act)
		}
		h.CompleteHttpContext(id)
	}
}
