package pipeline

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"switchyard/e2e/providers"
)

var createdRE = regexp.MustCompile(`"created":\d+`)

// norm pins the synthesized "created" (the host clock) so answers compare byte for byte.
func norm(s string) string { return createdRE.ReplaceAllString(s, `"created":0`) }

const completionTail = `"choices":[{"index":0,"message":{"role":"assistant","content":"Hello from the mock.","refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":4,"total_tokens":16,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},"service_tier":"default","system_fingerprint":`

// TestChatEveryFamily: one OpenAI chat request, translated for each family's wire format, and
// each provider's answer translated back to the same OpenAI completion.
func TestChatEveryFamily(t *testing.T) {
	g := start(t, nil)
	cases := []struct {
		provider, host, path, authHeader, authValue, upBody, id, fingerprint string
	}{
		{"openai", "api.openai.com", "/v1/chat/completions", "Authorization", "Bearer sk-mock",
			chatBody, "chatcmpl-mock", `"fp_mock"`},
		{"anthropic", "api.anthropic.com", "/v1/messages", "X-Api-Key", "sk-ant-mock",
			`{"messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}],"max_tokens":4096,"model":"gpt-4o-mini"}`, "msg_mock", "null"},
		{"google", "generativelanguage.googleapis.com", "/v1beta/models/gpt-4o-mini:generateContent", "X-Goog-Api-Key", "goog-mock",
			`{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}`, "mock-gemini-response", "null"},
		{"vertex-ai", "us-central1-aiplatform.googleapis.com", "/v1/projects/demo-project/locations/us-central1/publishers/google/models/gpt-4o-mini:generateContent",
			"Authorization", "Bearer ya29.mock", `{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}`, "mock-gemini-response", "null"},
		{"bedrock", "bedrock-runtime.us-east-1.amazonaws.com", "/model/gpt-4o-mini/converse", "Authorization", "Bearer bedrock-mock",
			`{"messages":[{"role":"user","content":[{"text":"hi"}]}]}`, "chatcmpl-trace-1", "null"},
		{"cohere", "api.cohere.com", "/v2/chat", "Authorization", "Bearer co-mock", chatBody, "c14c80c3-18eb-4519-9460-6c92edd8cfb4", "null"},
		{"azure-openai", "demo.openai.azure.com", "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21", "Api-Key", "azure-mock",
			chatBody, "chatcmpl-mock", `"fp_mock"`},
	}
	for _, c := range cases {
		t.Run(c.provider, func(t *testing.T) {
			tag := newTag(t)
			r := do(t, g, "POST", "/v1/chat/completions", chatBody, "x-portkey-provider", c.provider,
				"x-portkey-trace-id", "trace-1", "x-mock-tag", tag, "x-portkey-metadata", `{"user":"u1"}`)
			wantStatus(t, r, 200)
			created := `"created":0,`
			wantBody(t, norm(r.body), `{"id":"`+c.id+`","object":"chat.completion",`+created+`"model":"gpt-4o-mini",`+completionTail+c.fingerprint+`}`)
			for k, v := range map[string]string{"Content-Type": "application/json", "X-Portkey-Provider": c.provider,
				"X-Portkey-Trace-Id": "trace-1", "X-Portkey-Last-Used-Option-Index": "config",
				"X-Portkey-Retry-Attempt-Count": "0", "X-Portkey-Cache-Status": "DISABLED"} {
				if got := r.header.Get(k); got != v {
					t.Errorf("response %s = %q, want %q", k, got, v)
				}
			}
			if got, want := r.header.Get("Content-Length"), itoa(int64(len(r.body))); got != want {
				t.Errorf("content-length %s, body %s bytes", got, want)
			}
			up := only(t, c.provider, tag)
			if up.Host != c.host || up.Path != c.path || string(up.Body) != c.upBody {
				t.Errorf("upstream %s %s %s\nwant %s %s %s", up.Host, up.Path, up.Body, c.host, c.path, c.upBody)
			}
			if got := up.Header.Get(c.authHeader); got != c.authValue {
				t.Errorf("upstream %s = %q, want %q", c.authHeader, got, c.authValue)
			}
			if got := up.Header.Get("Accept-Encoding"); got != "identity" {
				t.Errorf("upstream accept-encoding %q", got)
			}
			noGatewayHeaders(t, up)
		})
	}
}

func sseBody(id, created, fp, usage string, deltas ...string) string {
	var b strings.Builder
	for _, d := range deltas {
		b.WriteString(`data: {"id":"` + id + `","object":"chat.completion.chunk",` + created + `"model":"m","service_tier":"default","system_fingerprint":` + fp + `,"choices":[{"index":0,"delta":` + d + usage + "}\n\n")
	}
	b.WriteString("data: [DONE]\n\n")
	return b.String()
}

// TestStreamEveryFamily: SSE (OpenAI, Anthropic, Gemini, Cohere) and AWS event streams
// (Bedrock) become OpenAI chunks, chunk by chunk.
func TestStreamEveryFamily(t *testing.T) {
	g := start(t, nil)
	body := `{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}`
	const (
		role    = `{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]`
		hello   = `{"content":"Hello"},"logprobs":null,"finish_reason":null}]`
		from    = `{"content":" from"},"logprobs":null,"finish_reason":null}]`
		the     = `{"content":" the"},"logprobs":null,"finish_reason":null}]`
		mock    = `{"content":" mock."},"logprobs":null,"finish_reason":null}]`
		stop    = `{},"logprobs":null,"finish_reason":"stop"}]`
		gRole   = `{"role":"assistant","content":"Hello","refusal":null},"logprobs":null,"finish_reason":null}]`
		created = `"created":0,`
	)
	cases := []struct{ provider, want string }{
		{"openai", sseBody("chatcmpl-mock", created, `"fp_mock"`, "", role, hello, from, the, mock, stop)},
		{"azure-openai", sseBody("chatcmpl-mock", created, `"fp_mock"`, "", role, hello, from, the, mock, stop)},
		{"anthropic", sseBody("msg_mock", created, "null", "", role, hello, from, the, mock, stop)},
		{"google", sseBody("mock-gemini-response", created, "null", "", gRole, from, the, mock, stop)},
		{"vertex-ai", sseBody("mock-gemini-response", created, "null", "", gRole, from, the, mock, stop)},
		{"bedrock", sseBody("chatcmpl-trace-1", created, "null", "", role, hello, from, the, mock, stop)},
		{"cohere", sseBody("c14c80c3-18eb-4519-9460-6c92edd8cfb4", created, "null", "", role, hello, from, the, mock, stop)},
	}
	for _, c := range cases {
		t.Run(c.provider, func(t *testing.T) {
			tag := newTag(t)
			r := do(t, g, "POST", "/v1/chat/completions", body, "x-portkey-provider", c.provider,
				"x-portkey-trace-id", "trace-1", "x-mock-tag", tag, "x-mock-stream-gap-ms", "2")
			wantStatus(t, r, 200)
			if ct := r.header.Get("Content-Type"); ct != "text/event-stream" {
				t.Errorf("content-type %q", ct)
			}
			if cl := r.header.Get("Content-Length"); cl != "" {
				t.Errorf("stream carries content-length %s", cl)
			}
			wantBody(t, norm(r.body), c.want)
		})
	}
}

func TestEmbeddings(t *testing.T) {
	g := start(t, nil)
	cases := []struct{ provider, model, want string }{
		{"openai", "text-embedding-3-small", `{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.001,0.011,0.021,0.031]}],"model":"text-embedding-3-small","usage":{"prompt_tokens":2,"total_tokens":2}}`},
		{"google", "text-embedding-004", `{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.001,0.011,0.021,0.031]}],"model":"text-embedding-004","usage":{"prompt_tokens":0,"total_tokens":0}}`},
		{"cohere", "embed-english-v3.0", `{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.001,0.011,0.021,0.031]}],"model":"embed-english-v3.0","usage":{"prompt_tokens":1,"total_tokens":1}}`},
		{"azure-openai", "text-embedding-3-small", `{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.001,0.011,0.021,0.031]}],"model":"text-embedding-3-small","usage":{"prompt_tokens":2,"total_tokens":2}}`},
	}
	for _, c := range cases {
		t.Run(c.provider, func(t *testing.T) {
			r := do(t, g, "POST", "/v1/embeddings", `{"model":"`+c.model+`","input":"hi"}`, "x-portkey-provider", c.provider, "x-mock-tag", newTag(t))
			wantStatus(t, r, 200)
			wantBody(t, r.body, c.want)
		})
	}
}

func TestCompletionsLegacy(t *testing.T) {
	g := start(t, nil)
	tag := newTag(t)
	r := do(t, g, "POST", "/v1/completions", `{"model":"gpt-3.5-turbo-instruct","prompt":"hi"}`, "x-portkey-provider", "openai", "x-mock-tag", tag)
	wantStatus(t, r, 200)
	if !strings.HasPrefix(r.body, `{"id":"cmpl-mock","object":"text_completion"`) {
		t.Fatalf("body %s", r.body)
	}
	if up := only(t, "openai", tag); up.Path != "/v1/completions" {
		t.Fatalf("upstream path %s", up.Path)
	}
}

// TestInlineStreamIsNotHeld: translated events reach the client while the provider is still
// streaming (the mock holds its stream after the first event until the client has read it).
func TestInlineStreamIsNotHeld(t *testing.T) {
	g := start(t, nil)
	tag := newTag(t)
	release := make(chan struct{})
	mock("anthropic").ScriptTag(tag, providers.Reply{Release: release})
	defer func() {
		select {
		case <-release:
		default:
			close(release)
		}
	}()
	req, _ := http.NewRequest("POST", g.URL()+"/v1/chat/completions",
		strings.NewReader(`{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}`))
	req.Header.Set("x-portkey-provider", "anthropic")
	req.Header.Set("x-mock-tag", tag)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	first := make(chan string, 1)
	go func() {
		buf := make([]byte, 4096)
		n, _ := res.Body.Read(buf)
		first <- string(buf[:n])
	}()
	select {
	case got := <-first:
		if !strings.HasPrefix(got, `data: {"id":"msg_mock","object":"chat.completion.chunk"`) {
			t.Fatalf("first bytes %q", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no event reached the client while the provider held its stream: the answer is buffered")
	}
	close(release)
	rest, _ := io.ReadAll(res.Body)
	if !strings.HasSuffix(string(rest), "data: [DONE]\n\n") {
		t.Fatalf("stream end %q", rest)
	}
}

// TestNonStrictAddsProviderDetail: strict_open_ai_compliance false (header or config) adds
// Anthropic's raw stop reason and content blocks, as Portkey does; the default stays pure.
func TestNonStrictAddsProviderDetail(t *testing.T) {
	g := start(t, nil)
	want := `{"id":"msg_mock","object":"chat.completion","created":0,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"Hello from the mock.","refusal":null,"annotations":[],"content_blocks":[{"type":"text","text":"Hello from the mock."}]},"logprobs":null,"finish_reason":"end_turn"}],` +
		`"usage":{"prompt_tokens":12,"completion_tokens":4,"total_tokens":16,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},"service_tier":"default","system_fingerprint":null}`
	r := do(t, g, "POST", "/v1/chat/completions", chatBody, "x-portkey-provider", "anthropic",
		"x-portkey-strict-open-ai-compliance", "false", "x-mock-tag", newTag(t))
	wantStatus(t, r, 200)
	wantBody(t, norm(r.body), want)
	r = do(t, g, "POST", "/v1/chat/completions", chatBody, "x-portkey-config",
		`{"provider":"anthropic","strict_open_ai_compliance":false}`, "x-mock-tag", newTag(t))
	wantBody(t, norm(r.body), want)
	r = do(t, g, "POST", "/v1/chat/completions", chatBody, "x-portkey-provider", "anthropic", "x-mock-tag", newTag(t))
	wantBody(t, norm(r.body), `{"id":"msg_mock","object":"chat.completion","created":0,"model":"gpt-4o-mini",`+completionTail+`null}`)
}
