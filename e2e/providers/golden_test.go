package providers

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestGolden pins the exact bytes of every answer shape (status, content type, Retry-After,
// body) against testdata/*.golden.
func TestGolden(t *testing.T) {
	const chat = `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say hi <&>"}]}`
	const anth = `{"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"hi"}]}`
	av := []string{"anthropic-version", "2023-06-01"}
	const brk = `{"messages":[{"role":"user","content":[{"text":"hi"}]}]}`
	const gem = `{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}`
	cases := []struct {
		name   string
		mock   http.Handler
		method string
		path   string
		body   string
		hdr    []string
	}{
		{"openai_chat.golden", NewOpenAI(), "POST", "/v1/chat/completions", chat, nil},
		{"openai_chat_content.golden", NewOpenAI(), "POST", "/v1/chat/completions", chat, []string{"x-mock-content", "a \"quoted\" <b>\n", "x-mock-events", "2"}},
		{"openai_chat_stream.golden", NewOpenAI(), "POST", "/v1/chat/completions", `{"model":"gpt-4o-mini","stream":true}`, nil},
		{"openai_chat_stream_usage.golden", NewOpenAI(), "POST", "/v1/chat/completions", `{"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true}}`, []string{"x-mock-events", "2"}},
		{"openai_chat_stream_error.golden", NewOpenAI(), "POST", "/v1/chat/completions", `{"model":"gpt-4o-mini","stream":true}`, []string{"x-mock-stream-error-after", "1"}},
		{"openai_completions.golden", NewOpenAI(), "POST", "/v1/completions", `{"model":"gpt-3.5-turbo-instruct","prompt":"x"}`, nil},
		{"openai_completions_stream.golden", NewOpenAI(), "POST", "/v1/completions", `{"model":"gpt-3.5-turbo-instruct","prompt":"x","stream":true,"stream_options":{"include_usage":true}}`, []string{"x-mock-events", "2"}},
		{"openai_embeddings.golden", NewOpenAI(), "POST", "/v1/embeddings", `{"model":"text-embedding-3-small","input":["a","bb"],"dimensions":3}`, nil},
		{"openai_embeddings_one.golden", NewOpenAI(), "POST", "/v1/embeddings", `{"model":"text-embedding-3-small","input":"hello"}`, nil},
		{"openai_embeddings_tokens_base64.golden", NewOpenAI(), "POST", "/v1/embeddings", `{"model":"text-embedding-3-small","input":[1,2,3],"encoding_format":"base64","dimensions":2}`, nil},
		{"openai_models.golden", NewOpenAI(), "GET", "/v1/models", "", nil},
		{"openai_model.golden", NewOpenAI(), "GET", "/v1/models/gpt-4o", "", nil},
		{"openai_429.golden", NewOpenAI(), "POST", "/v1/chat/completions", chat, []string{"x-mock-status", "429", "x-mock-retry-after", "3"}},
		{"openai_500_message.golden", NewOpenAI(), "POST", "/v1/chat/completions", chat, []string{"x-mock-status", "500", "x-mock-error-message", "boom"}},
		{"openai_401.golden", NewOpenAI(), "POST", "/v1/chat/completions", chat, []string{"x-mock-status", "401"}},
		{"openai_404_path.golden", NewOpenAI(), "POST", "/v1/nothing", chat, nil},
		{"openai_bad_json.golden", NewOpenAI(), "POST", "/v1/chat/completions", `{"model":`, nil},
		{"openai_no_model.golden", NewOpenAI(), "POST", "/v1/chat/completions", `{}`, nil},
		{"anthropic_message.golden", NewAnthropic(), "POST", "/v1/messages", anth, av},
		{"anthropic_stream.golden", NewAnthropic(), "POST", "/v1/messages", `{"model":"claude-sonnet-4-5","max_tokens":64,"stream":true}`, append([]string{"x-mock-events", "2"}, av...)},
		{"anthropic_stream_error.golden", NewAnthropic(), "POST", "/v1/messages", `{"model":"claude-sonnet-4-5","max_tokens":64,"stream":true}`, append([]string{"x-mock-stream-error-after", "1"}, av...)},
		{"anthropic_429.golden", NewAnthropic(), "POST", "/v1/messages", anth, append([]string{"x-mock-status", "429", "x-mock-retry-after", "5"}, av...)},
		{"anthropic_529.golden", NewAnthropic(), "POST", "/v1/messages", anth, append([]string{"x-mock-status", "529"}, av...)},
		{"anthropic_no_version.golden", NewAnthropic(), "POST", "/v1/messages", anth, nil},
		{"anthropic_no_max_tokens.golden", NewAnthropic(), "POST", "/v1/messages", `{"model":"claude-sonnet-4-5"}`, av},
		{"anthropic_404.golden", NewAnthropic(), "POST", "/v1/complete", anth, av},
		{"cohere_chat.golden", NewCohere(), "POST", "/v2/chat", `{"model":"command-a-03-2025","messages":[{"role":"user","content":"hi"}]}`, nil},
		{"cohere_stream.golden", NewCohere(), "POST", "/v2/chat", `{"model":"command-a-03-2025","messages":[{"role":"user","content":"hi"}],"stream":true}`, []string{"x-mock-events", "2"}},
		{"cohere_stream_error.golden", NewCohere(), "POST", "/v2/chat", `{"model":"command-a-03-2025","messages":[],"stream":true}`, []string{"x-mock-stream-error-after", "1"}},
		{"cohere_embed.golden", NewCohere(), "POST", "/v2/embed", `{"model":"embed-v4.0","texts":["hello","goodbye"],"input_type":"search_document","embedding_types":["float"],"output_dimension":3}`, nil},
		{"cohere_embed_no_input_type.golden", NewCohere(), "POST", "/v2/embed", `{"model":"embed-v4.0","texts":["a"]}`, nil},
		{"cohere_429.golden", NewCohere(), "POST", "/v2/chat", `{"model":"m","messages":[]}`, []string{"x-mock-status", "429", "x-mock-retry-after", "1"}},
		{"cohere_no_model.golden", NewCohere(), "POST", "/v2/chat", `{"messages":[]}`, nil},
		{"cohere_404.golden", NewCohere(), "POST", "/v1/generate", `{}`, nil},
		{"openai_chat_tools.golden", NewOpenAI(), "POST", "/v1/chat/completions", chat, []string{"x-mock-tool-calls", "now,weather"}},
		{"openai_chat_tools_stream.golden", NewOpenAI(), "POST", "/v1/chat/completions", `{"model":"gpt-4o-mini","stream":true}`, []string{"x-mock-tool-calls", "now", "x-mock-content", "Checking."}},
		{"anthropic_tools.golden", NewAnthropic(), "POST", "/v1/messages", anth, append([]string{"x-mock-tool-calls", "now,weather"}, av...)},
		{"anthropic_tools_stream.golden", NewAnthropic(), "POST", "/v1/messages", `{"model":"claude-sonnet-4-5","max_tokens":64,"stream":true}`, append([]string{"x-mock-tool-calls", "now", "x-mock-content", "Checking."}, av...)},
		{"anthropic_tools_only_stream.golden", NewAnthropic(), "POST", "/v1/messages", `{"model":"claude-sonnet-4-5","max_tokens":64,"stream":true}`, append([]string{"x-mock-tool-calls", "now"}, av...)},
		{"cohere_tools.golden", NewCohere(), "POST", "/v2/chat", `{"model":"command-a-03-2025","messages":[]}`, []string{"x-mock-tool-calls", "now,weather", "x-mock-content", "I will check."}},
		{"gemini_chat.golden", NewGemini("google"), "POST", "/v1beta/models/gemini-2.0-flash:generateContent", gem, nil},
		{"gemini_stream_sse.golden", NewGemini("google"), "POST", "/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse", gem, []string{"x-mock-events", "2"}},
		{"gemini_stream_array.golden", NewGemini("google"), "POST", "/v1beta/models/gemini-2.0-flash:streamGenerateContent", gem, []string{"x-mock-events", "2"}},
		{"gemini_stream_error.golden", NewGemini("google"), "POST", "/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse", gem, []string{"x-mock-stream-error-after", "1"}},
		{"gemini_tools.golden", NewGemini("google"), "POST", "/v1beta/models/gemini-2.0-flash:generateContent", gem, []string{"x-mock-tool-calls", "now,weather"}},
		{"gemini_tools_stream.golden", NewGemini("google"), "POST", "/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse", gem, []string{"x-mock-tool-calls", "now", "x-mock-content", "Checking now"}},
		{"gemini_embed.golden", NewGemini("google"), "POST", "/v1beta/models/gemini-embedding-001:embedContent", `{"model":"models/gemini-embedding-001","content":{"parts":[{"text":"a"}]},"outputDimensionality":3}`, nil},
		{"gemini_batch_embed.golden", NewGemini("google"), "POST", "/v1beta/models/text-embedding-004:batchEmbedContents", `{"requests":[{"model":"models/text-embedding-004","content":{"parts":[{"text":"a"}]}},{"model":"models/text-embedding-004","content":{"parts":[{"text":"b"}]}}]}`, nil},
		{"gemini_429.golden", NewGemini("google"), "POST", "/v1beta/models/gemini-2.0-flash:generateContent", gem, []string{"x-mock-status", "429", "x-mock-retry-after", "29"}},
		{"gemini_no_contents.golden", NewGemini("google"), "POST", "/v1beta/models/gemini-2.0-flash:generateContent", `{}`, nil},
		{"gemini_404.golden", NewGemini("google"), "POST", "/v1beta/models/gemini-2.0-flash:countTokens", gem, nil},
		{"vertex_chat.golden", NewGemini("vertex-ai"), "POST", "/v1/projects/p/locations/us-central1/publishers/google/models/gemini-2.0-flash:generateContent", gem, []string{"x-mock-vertex-ai-status", "503"}},
		{"bedrock_converse.golden", NewBedrock(), "POST", "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse", brk, nil},
		{"bedrock_converse_tools.golden", NewBedrock(), "POST", "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse", brk, []string{"x-mock-tool-calls", "now,weather"}},
		{"bedrock_429.golden", NewBedrock(), "POST", "/model/m/converse", brk, []string{"x-mock-status", "429"}},
		{"bedrock_no_messages.golden", NewBedrock(), "POST", "/model/m/converse", `{}`, nil},
		{"bedrock_titan.golden", NewBedrock(), "POST", "/model/amazon.titan-embed-text-v2%3A0/invoke", `{"inputText":"hello world","dimensions":3}`, nil},
		{"bedrock_cohere_embed.golden", NewBedrock(), "POST", "/model/cohere.embed-english-v3/invoke", `{"texts":["a","b"],"input_type":"search_document"}`, nil},
		{"bedrock_404.golden", NewBedrock(), "POST", "/v1/chat/completions", brk, nil},
		{"cohere_tools_stream.golden", NewCohere(), "POST", "/v2/chat", `{"model":"command-a-03-2025","messages":[],"stream":true}`, []string{"x-mock-tool-calls", "now", "x-mock-content", "Checking."}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := do(c.mock, c.method, c.path, c.body, c.hdr...)
			got := fmt.Sprintf("%d %s retry-after=%q\n%s", w.Code, w.Header().Get("Content-Type"), w.Header().Get("Retry-After"), w.Body)
			if et := w.Header().Get("x-amzn-ErrorType"); et != "" {
				got = "x-amzn-ErrorType: " + et + "\n" + got
			}
			golden(t, c.name, []byte(got))
		})
	}
}

func TestRequireKey(t *testing.T) {
	o := NewOpenAI()
	o.RequireKey = "sk-right"
	if w := do(o, "POST", "/v1/chat/completions", `{"model":"m"}`, "Authorization", "Bearer sk-wrong"); w.Code != 401 ||
		!strings.Contains(w.Body.String(), `"code":"invalid_api_key"`) {
		t.Errorf("wrong key: %d %s", w.Code, w.Body)
	}
	if w := do(o, "POST", "/v1/chat/completions", `{"model":"m"}`, "Authorization", "Bearer sk-right"); w.Code != 200 {
		t.Errorf("right key: %d %s", w.Code, w.Body)
	}
	az := Lookup("azure-openai").(*OpenAI)
	if az.Name() != "azure-openai" {
		t.Errorf("azure mock named %q", az.Name())
	}
	if w := do(o, "POST", "/openai/deployments/gpt4o/chat/completions?api-version=2024-10-21", `{"model":"m"}`, "api-key", "sk-right"); w.Code != 200 {
		t.Errorf("azure api-key: %d %s", w.Code, w.Body)
	}
	a := NewAnthropic()
	a.RequireKey = "ak"
	if w := do(a, "POST", "/v1/messages", `{"model":"m","max_tokens":1}`, "anthropic-version", "2023-06-01", "Authorization", "Bearer ak"); w.Code != 401 ||
		!strings.Contains(w.Body.String(), `"authentication_error"`) {
		t.Errorf("anthropic bearer instead of x-api-key: %d %s", w.Code, w.Body)
	}
	if w := do(a, "POST", "/v1/messages", `{"model":"m","max_tokens":1}`, "anthropic-version", "2023-06-01", "x-api-key", "ak"); w.Code != 200 {
		t.Errorf("anthropic right key: %d %s", w.Code, w.Body)
	}
}

// FuzzOpenAI feeds arbitrary bodies and knob values: the mock must answer without panicking.
func FuzzOpenAI(f *testing.F) {
	f.Add("/v1/chat/completions", `{"model":"m","stream":true,"stream_options":{"include_usage":true}}`, "3", "1")
	f.Add("/v1/embeddings", `{"model":"m","input":[[1,2],[3]],"encoding_format":"base64"}`, "x", "-1")
	f.Add("/v1/completions", `{"model":"m","stream":true}`, "0", "99")
	f.Fuzz(func(t *testing.T, path, body, events, errAfter string) {
		for _, m := range []http.Handler{NewOpenAI(), NewAnthropic(), NewCohere(), NewGemini("google"), NewBedrock()} {
			r := httptest.NewRequest("POST", "/", strings.NewReader(body))
			r.URL.Path = path
			r.Header.Set("x-mock-events", events)
			r.Header.Set("x-mock-stream-error-after", errAfter)
			r.Header.Set("anthropic-version", "1")
			w := httptest.NewRecorder()
			m.ServeHTTP(w, r)
			if w.Code < 200 || w.Code > 599 {
				t.Fatalf("status %d", w.Code)
			}
		}
	})
}
