package robust

import (
	"strings"
	"testing"

	"switchyard/e2e/providers"
)

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

// An upstream answer with an empty body (content-length: 0) still reaches an inline client as
// the whole translated answer (found by TestHostileUpstreams: the client got the translated
// answer's content-length and no bytes, an unexpected EOF).
func TestEmptyUpstreamBodyInline(t *testing.T) {
	e := start(t)
	cases := []struct {
		provider, path, body string
		status               int
		wantStatus           int
		want                 string
	}{
		{"google", "/v1/chat/completions", `{"model":"m","messages":[{"role":"user","content":"hi"}]}`, 500, 500, `{"error":{"message":"Gemini returned HTTP 500","type":"api_error","param":null,"code":null}}`},
		{"bedrock", "/v1/chat/completions", `{"model":"m","messages":[{"role":"user","content":"hi"}]}`, 200, 502,
			`{"error":{"message":"upstream answer could not be translated: bedrock: unexpected response: body is not valid JSON","type":"api_error","param":null,"code":"bad_upstream_response"}}`},
		{"cohere", "/v1/messages", `{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}`, 200, 502,
			`{"type":"error","error":{"type":"api_error","message":"upstream answer could not be translated: Cohere returned a body that is not valid JSON: "}}`},
		{"openai", "/v1/chat/completions", `{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}`, 204, 200,
			"data: {\"error\":{\"message\":\"upstream stream ended before the response was complete\",\"type\":\"api_error\",\"param\":null,\"code\":\"upstream_stream_truncated\"}}\n\n"},
		{"vertex-ai", "/v1/chat/completions", `{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}`, 200, 200,
			"data: {\"error\":{\"message\":\"upstream stream ended before the answer was complete\",\"type\":\"api_error\",\"param\":null,\"code\":\"stream_truncated\"}}\n\n"},
	}
	for _, c := range cases {
		t.Run(c.provider, func(t *testing.T) {
			tag := t.Name()
			mock(c.provider).ScriptTag(tag, providers.Reply{Status: c.status, Body: []byte{}})
			a := e.send("POST", c.path, []byte(c.body), [][2]string{{"x-portkey-provider", c.provider}, {"x-mock-tag", tag}})
			if a.err != nil || a.status != c.wantStatus || string(a.body) != c.want {
				t.Fatalf("got %v\nwant %d %s", a, c.wantStatus, c.want)
			}
		})
	}
	e.healthy(t)
}

// An OpenAI-family answer that is an error object sent with 200 becomes a 502 error, not a 200
// the client would read as an empty completion (found by TestHostileUpstreams).
func TestOpenAIErrorBodyWithSuccessStatus(t *testing.T) {
	e := start(t)
	const want = `{"error":{"message":"upstream answer could not be translated: upstream returned an error with a success status: boom","type":"api_error","param":null,"code":"bad_upstream_response"}}`
	for _, p := range []string{"openai", "azure-openai"} {
		for _, path := range []string{"/v1/chat/completions", "/v1/embeddings"} {
			tag := t.Name() + p + path
			mock(p).ScriptTag(tag, providers.Reply{Body: []byte(`{"error":{"message":"boom","type":"server_error","param":null,"code":null}}`)})
			a := e.send("POST", path, []byte(`{"model":"m","input":"a","messages":[{"role":"user","content":"hi"}]}`),
				[][2]string{{"x-portkey-provider", p}, {"x-mock-tag", tag}})
			if a.status != 502 || string(a.body) != want {
				t.Errorf("%s %s: got %v\nwant 502 %s", p, path, a, want)
			}
		}
	}
	e.healthy(t)
}

// Answers passed on without translation (Anthropic's own /v1/messages, other /v1/* paths) are
// vetted: what the client cannot read becomes an error in its API's shape, the upstream status
// kept for errors, 502 for an unreadable success (found by TestHostileUpstreams: HTML pages,
// garbage and cut JSON reached the client raw).
func TestRawAnswersVetted(t *testing.T) {
	e := start(t)
	const msgBody = `{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}`
	html := []byte("<html><body><h1>502 Bad Gateway</h1></body></html>")
	cases := []struct {
		name, provider, method, path string
		reply                        providers.Reply
		wantStatus                   int
		want                         string
	}{
		{"messages html error", "anthropic", "POST", "/v1/messages", providers.Reply{Status: 502, Body: html}, 502,
			`{"type":"error","error":{"type":"api_error","message":"upstream returned HTTP 502 with a non-JSON body: 502 Bad Gateway"}}`},
		{"messages empty error", "anthropic", "POST", "/v1/messages", providers.Reply{Status: 500, Body: []byte{}}, 500,
			`{"type":"error","error":{"type":"api_error","message":"upstream returned HTTP 500 with an empty body"}}`},
		{"messages cut success", "anthropic", "POST", "/v1/messages", providers.Reply{Body: []byte(`{"id":"msg_1","type":"mess`)}, 502,
			`{"type":"error","error":{"type":"api_error","message":"upstream returned a success status with a body that is not a JSON object"}}`},
		{"messages error with 200", "anthropic", "POST", "/v1/messages", providers.Reply{Body: []byte(`{"type":"error","error":{"type":"overloaded_error","message":"busy"}}`)}, 502,
			`{"type":"error","error":{"type":"api_error","message":"upstream returned an error with a success status: busy"}}`},
		{"messages JSON error kept", "anthropic", "POST", "/v1/messages", providers.Reply{Status: 529, Body: []byte(`{"type":"error","error":{"type":"overloaded_error","message":"busy"}}`)}, 529,
			`{"type":"error","error":{"type":"overloaded_error","message":"busy"}}`},
		{"passthrough redirect untouched", "openai", "GET", "/v1/models", providers.Reply{Status: 302, Body: []byte("<a>moved</a>")}, 302, `<a>moved</a>`},
		{"passthrough html error", "openai", "GET", "/v1/models", providers.Reply{Status: 503, Body: html}, 503,
			`{"error":{"message":"upstream returned HTTP 503 with a non-JSON body: 502 Bad Gateway","type":"overloaded_error","param":null,"code":null}}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tag := t.Name()
			mock(c.provider).ScriptTag(tag, c.reply)
			var body []byte
			if c.method == "POST" {
				body = []byte(msgBody)
			}
			a := e.send(c.method, c.path, body, [][2]string{{"x-portkey-provider", c.provider}, {"x-mock-tag", tag}})
			if a.err != nil || a.status != c.wantStatus || string(a.body) != c.want {
				t.Fatalf("got %v\nwant %d %s", a, c.wantStatus, c.want)
			}
		})
	}
	e.healthy(t)
}

// An error answer is vetted whatever content-type it claims: an HTML page labelled
// text/event-stream for a streaming /v1/messages client reached it raw (found by
// TestHostileUpstreams).
func TestRawErrorLabelledAsStream(t *testing.T) {
	for _, mode := range []string{"auto", "callout"} {
		t.Run(mode, func(t *testing.T) {
			e, u := startHostile(t, mode)
			id := u.add(&hostile{status: 500, contentType: "text/event-stream", body: []byte("<html>oops</html>")})
			a := e.send("POST", "/v1/messages", []byte(`{"model":"m","max_tokens":5,"stream":true,"messages":[{"role":"user","content":"hi"}]}`),
				[][2]string{{"x-portkey-provider", "anthropic"}, {"x-robust-case", id}})
			const want = `{"type":"error","error":{"type":"api_error","message":"upstream returned HTTP 500 with a non-JSON body: oops"}}`
			if a.err != nil || a.status != 500 || string(a.body) != want || a.header.Get("Content-Type") != "application/json" {
				t.Fatalf("got %v %q\nwant 500 %s", a, a.header.Get("Content-Type"), want)
			}
			e.healthy(t)
		})
	}
}

// Anthropic's own stream to a /v1/messages client passes event by event as sent, and stops
// with Anthropic's error event at the first event a client cannot read or at an end before
// message_stop (found by TestHostileUpstreams: broken provider SSE reached the client raw).
func TestRawMessagesStreamVetted(t *testing.T) {
	const (
		start = "event: message_start\ndata: {\"type\":\"message_start\"}\n\n"
		delta = "event: content_block_delta\ndata: {\"type\":\"content_block_delta\"}\n\n"
		stop  = "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"
	)
	errEvent := func(msg string) string {
		return "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"" + msg + "\"}}\n\n"
	}
	cases := []struct{ name, upstream, want string }{
		{"clean", start + delta + stop, start + delta + stop},
		{"crlf framing", strings.ReplaceAll(start+delta+stop, "\n", "\r\n"), start + delta + stop},
		{"bad event", start + "event: content_block_delta\ndata: {oops\n\n" + delta + stop, start + errEvent("upstream sent a stream event that is not JSON")},
		{"cut", start + delta, start + delta + errEvent("upstream stream ended before the answer was complete")},
		{"provider error", start + "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"busy\"}}\n\n" + delta,
			start + "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"busy\"}}\n\n"},
	}
	for _, mode := range []string{"auto", "callout"} {
		t.Run(mode, func(t *testing.T) {
			e, u := startHostile(t, mode)
			for _, c := range cases {
				id := u.add(&hostile{status: 200, contentType: "text/event-stream", body: []byte(c.upstream)})
				a := e.send("POST", "/v1/messages", []byte(`{"model":"m","max_tokens":5,"stream":true,"messages":[{"role":"user","content":"hi"}]}`),
					[][2]string{{"x-portkey-provider", "anthropic"}, {"x-robust-case", id}})
				if a.err != nil || a.status != 200 || string(a.body) != c.want {
					t.Errorf("%s: got %v\nwant 200 %q", c.name, a, c.want)
				}
			}
			e.healthy(t)
		})
	}
}
