package robust

import "testing"

// Minimal regressions for what the randomized tests found, with the exact bytes a client sees.

// A /v1/messages client gets a bad gateway header refused in Anthropic's error shape, as every
// other error on that path (found by TestHostileClientInput: it was OpenAI-shaped).
func TestMessagesHeaderErrorIsAnthropicShaped(t *testing.T) {
	e := start(t)
	a := e.send("POST", "/v1/messages", []byte(`{"model":"claude-3-5-sonnet-latest","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}`),
		[][2]string{{"x-portkey-provider", "anthropic"}, {"x-portkey-metadata", "[1]"}})
	want := `{"type":"error","error":{"type":"invalid_request_error","message":"x-portkey-metadata must be a JSON object"}}`
	if a.status != 400 || string(a.body) != want {
		t.Fatalf("got %v\nwant 400 %s", a, want)
	}
	e.healthy(t)
}
