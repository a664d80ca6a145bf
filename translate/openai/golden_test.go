package openai

import (
	"bytes"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"switchyard/translate"
	"switchyard/translate/internal/goldentest"
)

func TestRequestGolden(t *testing.T) {
	cases := []struct {
		name, provider, in string
		op                 translate.Operation
		target             translate.Target
	}{
		{"req_openai_chat", "openai", "chat_request.json", translate.OpChat, translate.Target{
			Model: "gpt-4o-mini", APIKey: "sk-test",
			Options: translate.Options{OpenAIOrganization: "org-123", OpenAIProject: "proj_456"}}},
		{"req_openai_chat_keep_model", "openai", "chat_request.json", translate.OpChat, translate.Target{APIKey: "sk-test"}},
		{"req_openai_stream_override", "openai", "chat_stream_request.json", translate.OpChat, translate.Target{
			APIKey: "sk-test",
			OverrideParams: []byte(`{"temperature":0.3,"response_format":{"json_schema":{"strict":false,"description":"d"}},` +
				`"stream_options":{"chunk_hint":2},"seed":42,"model":"gpt-4.1"}`)}},
		{"req_groq_stream", "groq", "plain_stream_request.json", translate.OpChat, translate.Target{APIKey: "gsk_test"}},
		{"req_mistral_stream", "mistral-ai", "client_usage_stream_request.json", translate.OpChat, translate.Target{APIKey: "ms-test"}},
		{"req_together_completions", "together-ai", "completions_request.json", translate.OpCompletions, translate.Target{
			APIKey: "tg-test", Model: "meta-llama/Llama-3-8b-hf"}},
		{"req_openai_embeddings", "openai", "embeddings_request.json", translate.OpEmbeddings, translate.Target{APIKey: "sk-test"}},
		{"req_ollama_custom_host", "ollama", "plain_stream_request.json", translate.OpChat, translate.Target{
			CustomHost: "http://10.1.2.3:11434", Model: "llama3.2"}},
		{"req_openai_custom_host", "openai", "embeddings_request.json", translate.OpEmbeddings, translate.Target{
			CustomHost: "http://127.0.0.1:8000/proxy/v1/", APIKey: "k"}},
		{"req_workers_ai", "workers-ai", "plain_stream_request.json", translate.OpChat, translate.Target{
			CustomHost: "https://api.cloudflare.com/client/v4/accounts/0123abcd/ai/v1", APIKey: "cf-token",
			Model: "@cf/meta/llama-3.1-8b-instruct"}},
		{"req_deepinfra_chat", "deepinfra", "plain_stream_request.json", translate.OpChat, translate.Target{APIKey: "di"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tg := tc.target
			tg.Provider = translate.Lookup(tc.provider)
			c := &translate.Call{Op: tc.op}
			var r translate.UpstreamRequest
			if err := (Adapter{}).BuildRequest(c, &tg, goldentest.Read(t, tc.in), &r); err != nil {
				t.Fatal(err)
			}
			if !isObject(str(r.Body)) {
				t.Fatalf("body is not a JSON object: %s", r.Body)
			}
			goldentest.Check(t, tc.name+".golden", goldentest.DumpRequest(c, &r))
		})
	}
}

func TestRequestErrors(t *testing.T) {
	body := []byte(`{"model":"m","messages":[]}`)
	cases := []struct {
		name, provider string
		op             translate.Operation
		body           []byte
		target         translate.Target
		code, msg      string
	}{
		{"unsupported op", "groq", translate.OpEmbeddings, body, translate.Target{}, "unsupported_operation", "groq does not support the embeddings operation"},
		{"placeholder", "workers-ai", translate.OpChat, body, translate.Target{}, "invalid_request",
			"workers-ai needs custom_host: its URL https://api.cloudflare.com/client/v4/accounts/{account_id}/ai/v1 has a placeholder this gateway cannot fill"},
		{"not json", "openai", translate.OpChat, []byte(`{"model":`), translate.Target{}, "invalid_request", "request body must be a JSON object"},
		{"array", "openai", translate.OpChat, []byte(`[1]`), translate.Target{}, "invalid_request", "request body must be a JSON object"},
		{"empty", "openai", translate.OpChat, nil, translate.Target{}, "invalid_request", "request body must be a JSON object"},
		{"bad override", "openai", translate.OpChat, body, translate.Target{OverrideParams: []byte(`[]`)}, "invalid_override_params", "override_params must be a JSON object"},
		{"bad custom host", "openai", translate.OpChat, body, translate.Target{CustomHost: "localhost:8080"}, "invalid_request",
			`custom host must start with http:// or https://: "localhost:8080"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tg := tc.target
			tg.Provider = translate.Lookup(tc.provider)
			var r translate.UpstreamRequest
			err := (Adapter{}).BuildRequest(&translate.Call{Op: tc.op}, &tg, tc.body, &r)
			e, ok := err.(*translate.Error)
			if !ok {
				t.Fatalf("want *translate.Error, got %v", err)
			}
			if e.Code != tc.code || e.Message != tc.msg {
				t.Errorf("got %s %q", e.Code, e.Message)
			}
		})
	}
}

func TestResponseGolden(t *testing.T) {
	cases := []struct {
		in   string
		want translate.Usage
	}{
		{"chat_response.json", translate.Usage{PromptTokens: 1117, CompletionTokens: 46, TotalTokens: 1163, CachedTokens: 1024}},
		{"refusal_response.json", translate.Usage{PromptTokens: 81, CompletionTokens: 11, TotalTokens: 92}},
		{"reasoning_response.json", translate.Usage{PromptTokens: 13, CompletionTokens: 456, TotalTokens: 469, ReasoningTokens: 448}},
		{"deepseek_response.json", translate.Usage{PromptTokens: 16, CompletionTokens: 10, TotalTokens: 26}},
		{"embeddings_response.json", translate.Usage{PromptTokens: 8, TotalTokens: 8}},
		{"completions_response.json", translate.Usage{PromptTokens: 5, CompletionTokens: 7, TotalTokens: 12}},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			in := goldentest.Read(t, tc.in)
			prefix := []byte("prefix:")
			out, u, err := (Adapter{}).TranslateResponse(&translate.Call{Op: translate.OpChat}, in, prefix)
			if err != nil {
				t.Fatal(err)
			}
			// The answer already is OpenAI's: byte-exact passthrough, appended after dst.
			if !bytes.Equal(out, append([]byte("prefix:"), in...)) {
				t.Errorf("not a byte-exact passthrough:\n%s", out)
			}
			if u != tc.want {
				t.Errorf("usage %+v, want %+v", u, tc.want)
			}
		})
	}
	_, _, err := (Adapter{}).TranslateResponse(&translate.Call{}, []byte("<html>oops</html>"), nil)
	if e, ok := err.(*translate.Error); !ok || e.Status != 502 || e.Code != "invalid_upstream_response" {
		t.Errorf("non-JSON 200: %v", err)
	}
}

func TestDeepSeekCacheHit(t *testing.T) {
	_, u, _ := TranslateResponse(nil, []byte(`{"usage":{"prompt_tokens":100,"completion_tokens":5,"total_tokens":105,"prompt_cache_hit_tokens":64}}`), nil)
	if u.CachedTokens != 64 {
		t.Errorf("cached %d", u.CachedTokens)
	}
}

func TestErrorGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/err_*.body")
	if len(files) < 8 {
		t.Fatalf("only %d error fixtures", len(files))
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".body")
		t.Run(name, func(t *testing.T) {
			status, _ := strconv.Atoi(name[strings.LastIndexByte(name, '_')+1:])
			in := goldentest.Read(t, filepath.Base(f))
			out := (Adapter{}).TranslateError(status, in, nil)
			if !isObject(str(out)) {
				t.Fatalf("not JSON: %s", out)
			}
			goldentest.Check(t, name+".golden", append(out, '\n'))
		})
	}
}

func TestErrorPassthroughIsByteExact(t *testing.T) {
	in := goldentest.Read(t, "err_openai_401.body")
	if out := AppendUpstreamError(nil, 401, in); !bytes.Equal(out, in) {
		t.Errorf("OpenAI-shaped error rewritten:\n%s", out)
	}
}
