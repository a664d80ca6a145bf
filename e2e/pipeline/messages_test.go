package pipeline

import (
	"strings"
	"testing"
)

const messagesBody = `{"model":"claude-3-5-haiku-latest","max_tokens":256,"messages":[{"role":"user","content":"hi"}]}`

const anthropicMessage = `"type":"message","role":"assistant","model":"claude-3-5-haiku-latest","content":[{"type":"text","text":"Hello from the mock."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":12,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":4}}`

// TestMessagesToAnthropicPassesThrough: an Anthropic client reaching an Anthropic target is
// passed through (credential in x-api-key, the client's anthropic-version).
func TestMessagesToAnthropicPassesThrough(t *testing.T) {
	g := start(t, nil)
	tag := newTag(t)
	r := do(t, g, "POST", "/v1/messages", messagesBody, "x-portkey-provider", "anthropic", "x-api-key", "sk-ant-client",
		"anthropic-version", "2023-06-01", "x-mock-tag", tag)
	wantStatus(t, r, 200)
	wantBody(t, r.body, `{"id":"msg_mock",`+anthropicMessage)
	up := only(t, "anthropic", tag)
	if up.Path != "/v1/messages" || string(up.Body) != messagesBody || up.Header.Get("X-Api-Key") != "sk-ant-client" ||
		up.Header.Get("Anthropic-Version") != "2023-06-01" || up.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("upstream %s %v %s", up.Path, up.Header, up.Body)
	}
	noGatewayHeaders(t, up)
}

// TestMessagesConvertedForOtherFamilies: the same client reaching OpenAI or Bedrock gets an
// Anthropic message back, and Anthropic errors.
func TestMessagesConvertedForOtherFamilies(t *testing.T) {
	g := start(t, nil)
	cases := []struct{ provider, id, path, upBody string }{
		{"openai", "chatcmpl-mock", "/v1/chat/completions",
			`{"model":"claude-3-5-haiku-latest","messages":[{"role":"user","content":"hi"}],"max_completion_tokens":256}`},
		{"bedrock", "chatcmpl-tr-m", "/model/claude-3-5-haiku-latest/converse",
			`{"messages":[{"role":"user","content":[{"text":"hi"}]}],"inferenceConfig":{"maxTokens":256}}`},
	}
	for _, c := range cases {
		t.Run(c.provider, func(t *testing.T) {
			tag := newTag(t)
			r := do(t, g, "POST", "/v1/messages", messagesBody, "x-portkey-provider", c.provider, "x-mock-tag", tag, "x-portkey-trace-id", "tr-m")
			wantStatus(t, r, 200)
			wantBody(t, r.body, `{"id":"`+c.id+`",`+anthropicMessage)
			up := only(t, c.provider, tag)
			if up.Path != c.path || string(up.Body) != c.upBody {
				t.Errorf("upstream %s %s", up.Path, up.Body)
			}
			r = do(t, g, "POST", "/v1/messages", messagesBody, "x-portkey-provider", c.provider, "x-mock-tag", tag,
				"x-mock-status", "429", "x-mock-error-message", "too many")
			wantStatus(t, r, 429)
			wantBody(t, r.body, `{"type":"error","error":{"type":"rate_limit_error","message":"too many"}}`)
		})
	}
}

func TestMessagesStreamConverted(t *testing.T) {
	g := start(t, nil)
	body := strings.Replace(messagesBody, `"max_tokens"`, `"stream":true,"max_tokens"`, 1)
	r := do(t, g, "POST", "/v1/messages", body, "x-portkey-provider", "openai", "x-mock-tag", newTag(t))
	wantStatus(t, r, 200)
	ev := func(name, data string) string { return "event: " + name + "\ndata: " + data + "\n\n" }
	delta := func(s string) string {
		return ev("content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"`+s+`"}}`)
	}
	want := ev("message_start", `{"type":"message_start","message":{"id":"chatcmpl-mock","type":"message","role":"assistant","model":"claude-3-5-haiku-latest","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":0}}}`) +
		ev("content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`) +
		delta("Hello") + delta(" from") + delta(" the") + delta(" mock.") +
		ev("content_block_stop", `{"type":"content_block_stop","index":0}`) +
		ev("message_delta", `{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":12,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":4}}`) +
		ev("message_stop", `{"type":"message_stop"}`)
	wantBody(t, r.body, want)
	if ct := r.header.Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("content-type %q", ct)
	}
}

// TestMessagesGatewayErrorsAreAnthropicShaped: the gateway's own refusals speak Anthropic too.
func TestMessagesGatewayErrorsAreAnthropicShaped(t *testing.T) {
	g := start(t, nil)
	r := do(t, g, "POST", "/v1/messages", `{"model":`, "x-portkey-provider", "openai", "x-mock-tag", newTag(t))
	wantStatus(t, r, 400)
	wantBody(t, r.body, `{"type":"error","error":{"type":"invalid_request_error","message":"request body is not valid JSON"}}`)
}

// TestMessagesFallbackAcrossFamilies: a fallback from Anthropic to OpenAI keeps the client's
// Messages shape.
func TestMessagesFallbackAcrossFamilies(t *testing.T) {
	g := start(t, nil)
	cfg := `{"strategy":{"mode":"fallback"},"targets":[{"provider":"anthropic"},{"provider":"openai"}]}`
	r := do(t, g, "POST", "/v1/messages", messagesBody, "x-portkey-config", cfg, "x-mock-tag", newTag(t), "x-mock-anthropic-status", "529")
	wantStatus(t, r, 200)
	wantBody(t, r.body, `{"id":"chatcmpl-mock",`+anthropicMessage)
}
