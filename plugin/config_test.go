package plugin

import (
	"strings"
	"testing"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"
	"github.com/tidwall/gjson"
)

func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(testConfig))
	f.Add([]byte(`{"providers":{"p":{"cluster":"c","host":"h:443"}}}`))
	f.Add([]byte(`{"cluster_header":"x","max_request_body_bytes":1e3,"providers":{"p":{}}}`))
	f.Add([]byte(`{"providers":{"p":{"cluster":"c","host":"h","api_key_env":"K"}},"providers":{}}`))
	getenv := func(string) string { return "sk-fuzz" }
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := parseConfig(data, getenv)
		if err != nil {
			if strings.Contains(err.Error(), "sk-fuzz") {
				t.Fatalf("error leaks the key: %v", err)
			}
			return
		}
		if len(c.providers) == 0 || c.maxRequestBodyBytes <= 0 || !validHeaderName(c.clusterHeader) {
			t.Fatalf("accepted inconsistent config %+v", c)
		}
		for id, p := range c.providers {
			if id == "" || p.cluster == "" || p.entry == nil {
				t.Fatalf("accepted provider %q: %+v", id, p)
			}
			if p.apiKeyEnv != "" && p.apiKey != "sk-fuzz" {
				t.Fatalf("provider %q: stored key not read", id)
			}
		}
	})
}

// FuzzRequest drives arbitrary provider values and bodies, split at an arbitrary point, through
// the filter: every outcome is a pass-through or a 400/413 with a JSON error body, never a panic
// (which Guard would turn into a 500).
func FuzzRequest(f *testing.F) {
	f.Add("openai", []byte(chatBody), uint8(10), false)
	f.Add("OpenAI", []byte(`{"a":`), uint8(3), true)
	f.Add("", []byte(nil), uint8(0), false)
	f.Add("x\x00y", []byte(strings.Repeat("[", 200)), uint8(50), false)
	f.Fuzz(func(t *testing.T, provider string, body []byte, split uint8, kong bool) {
		cfg := testConfig
		if kong {
			cfg = kongConfig
		}
		h := newTestHost(t, cfg)
		id := h.InitializeHttpContext()
		headers := baseHeaders([2]string{"x-portkey-provider", provider}, [2]string{"x-portkey-trace-id", "t"})
		act := h.CallOnRequestHeaders(id, headers, len(body) == 0)
		if len(body) > 0 && h.GetSentLocalResponse(id) == nil {
			cut := min(int(split), len(body))
			if cut > 0 && cut < len(body) {
				act = h.CallOnRequestBody(id, body[:cut], false)
			}
			if h.GetSentLocalResponse(id) == nil {
				act = h.CallOnRequestBody(id, body[cut:], true)
			}
		}
		if r := h.GetSentLocalResponse(id); r != nil {
			if (r.StatusCode != 400 && r.StatusCode != 413) || !gjson.ValidBytes(r.Data) || act != types.ActionPause {
				t.Fatalf("reply %d %s (action %v)", r.StatusCode, r.Data, act)
			}
			return
		}
		if act != types.ActionContinue {
			t.Fatalf("no reply but action %v", act)
		}
		for _, kv := range h.GetCurrentRequestHeaders(id) {
			if strings.HasPrefix(kv[0], "x-portkey-") {
				t.Fatalf("gateway header forwarded: %q", kv)
			}
		}
	})
}
