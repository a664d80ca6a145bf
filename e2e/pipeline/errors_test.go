package pipeline

import (
	"regexp"
	"strings"
	"testing"
)

func TestGatewayErrors(t *testing.T) {
	g := start(t, func(pc map[string]any) { pc["max_request_body_bytes"] = 200 })
	cases := []struct {
		name, path, body string
		hdr              []string
		status           int
		want             string
	}{
		{"malformed JSON", "/v1/chat/completions", `{"model":`, []string{"x-portkey-provider", "openai"}, 400,
			`{"error":{"message":"request body is not valid JSON","type":"invalid_request_error","param":null,"code":"invalid_json"}}`},
		{"no provider", "/v1/chat/completions", chatBody, nil, 400,
			`{"error":{"message":"missing x-portkey-provider, x-portkey-config or x-portkey-virtual-key header: name the provider to call","type":"invalid_request_error","param":null,"code":"unknown_provider"}}`},
		{"unknown provider", "/v1/chat/completions", chatBody, []string{"x-portkey-provider", "acme"}, 400,
			`{"error":{"message":"x-portkey-provider: unknown provider \"acme\"","type":"invalid_request_error","param":null,"code":"invalid_config"}}`},
		{"provider without a cluster", "/v1/chat/completions", chatBody, []string{"x-portkey-provider", "groq"}, 400,
			`{"error":{"message":"provider \"groq\" is not configured on this gateway","type":"invalid_request_error","param":null,"code":"provider_not_configured"}}`},
		{"unsupported operation", "/v1/embeddings", `{"model":"e","input":"x"}`, []string{"x-portkey-provider", "anthropic"}, 400,
			`{"error":{"message":"Anthropic does not offer embeddings; /v1/embeddings cannot be routed to provider anthropic","type":"invalid_request_error","param":null,"code":"unsupported_operation"}}`},
		{"bad config", "/v1/chat/completions", chatBody, []string{"x-portkey-config", `{"strategy":{"mode":"fallback"}}`}, 400,
			`{"error":{"message":"targets: required when strategy is set","type":"invalid_request_error","param":null,"code":"invalid_config"}}`},
		{"unknown named config", "/v1/chat/completions", chatBody, []string{"x-portkey-config", "nope"}, 400,
			`{"error":{"message":"x-portkey-config: no config named \"nope\" in the gateway configuration (inline configs must be JSON objects)","type":"invalid_request_error","param":null,"code":"invalid_config"}}`},
		{"bad metadata", "/v1/chat/completions", chatBody, []string{"x-portkey-provider", "openai", "x-portkey-metadata", "[1]"}, 400,
			`{"error":{"message":"x-portkey-metadata must be a JSON object","type":"invalid_request_error","param":null,"code":"invalid_header"}}`},
		{"bad timeout", "/v1/chat/completions", chatBody, []string{"x-portkey-provider", "openai", "x-portkey-request-timeout", "soon"}, 400,
			`{"error":{"message":"x-portkey-request-timeout must be a positive number of milliseconds (got \"soon\")","type":"invalid_request_error","param":null,"code":"invalid_header"}}`},
		{"body too large", "/v1/chat/completions", `{"model":"m","messages":[{"role":"user","content":"` + strings.Repeat("x", 300) + `"}]}`,
			[]string{"x-portkey-provider", "openai"}, 413,
			`{"error":{"message":"request body exceeds the gateway limit of 200 bytes","type":"invalid_request_error","param":null,"code":"request_too_large"}}`},
		{"not /v1", "/v2/chat", chatBody, []string{"x-portkey-provider", "openai"}, 404,
			`{"error":{"message":"unknown path \"/v2/chat\": this gateway serves the OpenAI API under /v1/","type":"invalid_request_error","param":null,"code":"unsupported_operation"}}`},
		{"wrong method", "/v1/chat/completions", "", []string{"x-portkey-provider", "openai"}, 405,
			`{"error":{"message":"GET is not allowed on /v1/chat/completions; use POST","type":"invalid_request_error","param":null,"code":"unsupported_operation"}}`},
		{"passthrough to a translated family", "/v1/models", "", []string{"x-portkey-provider", "anthropic"}, 501,
			`{"error":{"message":"/v1/models is only proxied to OpenAI-compatible targets (provider \"anthropic\" is not)","type":"invalid_request_error","param":null,"code":"unsupported_operation"}}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			method := "POST"
			if c.body == "" {
				method = "GET"
			}
			tag := newTag(t)
			r := do(t, g, method, c.path, c.body, append(c.hdr, "x-mock-tag", tag, "x-portkey-trace-id", "tr-e")...)
			wantStatus(t, r, c.status)
			wantBody(t, r.body, c.want)
			if r.header.Get("Content-Type") != "application/json" || r.header.Get("X-Portkey-Trace-Id") != "tr-e" {
				t.Errorf("headers %v", r.header)
			}
			for _, p := range []string{"openai", "anthropic"} {
				if n := len(mock(p).Tagged(tag)); n != 0 {
					t.Errorf("%s called %d times for a rejected request", p, n)
				}
			}
		})
	}
}

// TestUpstreamErrorsKeepStatusAndMessage: a provider's error keeps its status and message, in
// OpenAI's shape.
func TestUpstreamErrorsKeepStatusAndMessage(t *testing.T) {
	g := start(t, nil)
	cases := []struct {
		provider string
		status   int
		want     string
	}{
		{"openai", 429, `{"error":{"message":"slow down","type":"requests","param":null,"code":"rate_limit_exceeded"}}`},
		{"anthropic", 401, `{"error":{"message":"slow down","type":"authentication_error","param":null,"code":"authentication_error"}}`},
		{"google", 400, `{"error":{"message":"slow down","type":"invalid_request_error","param":null,"code":"INVALID_ARGUMENT"}}`},
		{"bedrock", 400, `{"error":{"message":"slow down","type":"invalid_request_error","param":null,"code":"ValidationException"}}`},
		{"cohere", 422, `{"error":{"message":"slow down","type":"invalid_request_error","param":null,"code":null}}`},
	}
	for _, c := range cases {
		t.Run(c.provider, func(t *testing.T) {
			r := do(t, g, "POST", "/v1/chat/completions", chatBody, "x-portkey-provider", c.provider, "x-mock-tag", newTag(t),
				"x-mock-status", itoa(int64(c.status)), "x-mock-error-message", "slow down")
			wantStatus(t, r, c.status)
			wantBody(t, r.body, c.want)
			if r.header.Get("X-Portkey-Provider") != c.provider || r.header.Get("Content-Length") != itoa(int64(len(r.body))) {
				t.Errorf("headers %v", r.header)
			}
		})
	}
}

func TestResponseOverLimitIs502(t *testing.T) {
	g := start(t, func(pc map[string]any) { pc["max_response_body_bytes"] = 100 })
	r := do(t, g, "POST", "/v1/chat/completions", chatBody, "x-portkey-provider", "anthropic", "x-mock-tag", newTag(t))
	wantStatus(t, r, 502)
	wantBody(t, r.body, `{"error":{"message":"upstream answer exceeds the gateway limit of 100 bytes","type":"api_error","param":null,"code":"response_too_large"}}`)
}

func TestSSELineOverLimitEndsStreamWithError(t *testing.T) {
	g := start(t, func(pc map[string]any) { pc["max_sse_line_bytes"] = 64 })
	r := do(t, g, "POST", "/v1/chat/completions", `{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}`, "x-portkey-provider", "anthropic",
		// Events arrive in separate chunks, so chunks after the error event exist and must not
		// reach the client raw.
		"x-mock-tag", newTag(t), "x-mock-stream-gap-ms", "5")
	wantStatus(t, r, 200)
	want := `data: {"error":{"message":"upstream stream line exceeds the gateway limit of 64 bytes","type":"api_error","param":null,"code":"response_too_large"}}` + "\n\n"
	if !strings.HasSuffix(r.body, want) {
		t.Fatalf("stream %q", r.body)
	}
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestTraceIDGeneratedWhenAbsent(t *testing.T) {
	g := start(t, nil)
	r := do(t, g, "POST", "/v1/chat/completions", chatBody, "x-portkey-provider", "openai", "x-mock-tag", newTag(t))
	wantStatus(t, r, 200)
	if id := r.header.Get("X-Portkey-Trace-Id"); !uuidRE.MatchString(id) {
		t.Fatalf("trace id %q", id)
	}
}
