package gemini

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"switchyard/translate"
	"switchyard/translate/internal/goldentest"
)

func mustValidJSON(t *testing.T, what string, b []byte) {
	t.Helper()
	if !json.Valid(b) {
		t.Fatalf("%s is not valid JSON: %s", what, b)
	}
}

var geminiProvider = &translate.Provider{
	ID: "google", Family: "google", Scheme: "https",
	Host: "generativelanguage.googleapis.com", BasePath: "/v1beta",
	Auth: translate.AuthGoogKey, Ops: []translate.Operation{translate.OpChat, translate.OpEmbeddings},
}

func TestRequestGolden(t *testing.T) {
	cases := []struct {
		name   string
		op     translate.Operation
		target translate.Target
	}{
		{name: "chat_basic", op: translate.OpChat},
		{name: "chat_tools", op: translate.OpChat},
		{name: "chat_parallel_tool_results", op: translate.OpChat},
		{name: "chat_images", op: translate.OpChat},
		{name: "chat_params", op: translate.OpChat},
		{name: "chat_json_schema", op: translate.OpChat},
		{name: "chat_stream", op: translate.OpChat},
		{name: "chat_thinking", op: translate.OpChat},
		{name: "chat_override", op: translate.OpChat, target: translate.Target{
			Model: "gemini-2.5-pro", OverrideParams: []byte(`{"temperature":0.1,"generationConfig":1,"stream_options":{"include_usage":false}}`),
		}},
		{name: "chat_custom_host", op: translate.OpChat, target: translate.Target{CustomHost: "http://127.0.0.1:8089/gemini/v1beta/"}},
		{name: "embed_single", op: translate.OpEmbeddings},
		{name: "embed_batch", op: translate.OpEmbeddings},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := goldentest.Read(t, "request/"+tc.name+".json")
			tg := tc.target
			tg.Provider = geminiProvider
			tg.APIKey = "test-key"
			c := &translate.Call{Op: tc.op, ID: "chatcmpl-test", Created: 1700000000}
			var r translate.UpstreamRequest
			if err := (Adapter{}).BuildRequest(c, &tg, in, &r); err != nil {
				t.Fatalf("BuildRequest: %v", err)
			}
			mustValidJSON(t, "body", r.Body)
			if want := strings.Contains(tc.name, "stream") || tc.name == "chat_override"; c.Stream != want {
				t.Errorf("Call.Stream = %v, want %v", c.Stream, want)
			}
			// chat_override's override_params turn include_usage off.
			if want := tc.name == "chat_stream"; c.IncludeUsage != want {
				t.Errorf("Call.IncludeUsage = %v, want %v", c.IncludeUsage, want)
			}
			if want := map[string]string{"chat_override": "gemini-2.5-pro", "chat_custom_host": "gemini-1.5-flash-002"}[tc.name]; want != "" && c.Model != want {
				t.Errorf("Call.Model = %q, want %q", c.Model, want)
			}
			goldentest.Check(t, "request/"+tc.name+".golden", goldentest.FormatRequest(&r))
		})
	}
}

func TestRequestErrors(t *testing.T) {
	cases := []struct{ name, body, want string }{
		{"not json", `{"model":`, "not valid JSON"},
		{"no model", `{"messages":[{"role":"user","content":"hi"}]}`, "model is required"},
		{"bad model", `{"model":"../../v1/files?x=","messages":[{"role":"user","content":"hi"}]}`, "contains characters"},
		{"no messages", `{"model":"gemini-2.0-flash"}`, "messages must be an array"},
		{"only system", `{"model":"gemini-2.0-flash","messages":[{"role":"system","content":"x"}]}`, "at least one user"},
		{"bad role", `{"model":"gemini-2.0-flash","messages":[{"role":"robot","content":"x"}]}`, `unsupported message role "robot"`},
		{"unknown tool id", `{"model":"gemini-2.0-flash","messages":[{"role":"user","content":"x"},{"role":"tool","tool_call_id":"nope","content":"1"}]}`, `"nope" matches no earlier`},
		{"bad args", `{"model":"gemini-2.0-flash","messages":[{"role":"user","content":"x"},{"role":"assistant","tool_calls":[{"id":"a","type":"function","function":{"name":"f","arguments":"{oops"}}]}]}`, "arguments must be a JSON object"},
		{"bad temperature", `{"model":"gemini-2.0-flash","temperature":"hot","messages":[{"role":"user","content":"x"}]}`, "temperature must be a number"},
		{"bad effort", `{"model":"gemini-2.0-flash","reasoning_effort":"max","messages":[{"role":"user","content":"x"}]}`, "reasoning_effort must be"},
		{"bad tool choice", `{"model":"gemini-2.0-flash","tool_choice":"sometimes","messages":[{"role":"user","content":"x"}]}`, "tool_choice must be"},
		{"non-base64 data uri", `{"model":"gemini-2.0-flash","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png,abc"}}]}]}`, "base64"},
		{"audio part type", `{"model":"gemini-2.0-flash","messages":[{"role":"user","content":[{"type":"video","x":1}]}]}`, `content part type "video" is not supported`},
		{"token embeddings", `{"model":"gemini-embedding-001","input":[1,2,3]}`, "token arrays are not supported"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			op := translate.OpChat
			if strings.Contains(tc.body, `"input"`) {
				op = translate.OpEmbeddings
			}
			c := &translate.Call{Op: op}
			var r translate.UpstreamRequest
			err := (Adapter{}).BuildRequest(c, &translate.Target{Provider: geminiProvider}, []byte(tc.body), &r)
			te, ok := err.(*translate.Error)
			if !ok || te.Status != 400 || !strings.Contains(te.Message, tc.want) {
				t.Fatalf("got %v, want a 400 containing %q", err, tc.want)
			}
		})
	}
	c := &translate.Call{Op: translate.OpCompletions}
	var r translate.UpstreamRequest
	err := (Adapter{}).BuildRequest(c, &translate.Target{Provider: geminiProvider}, []byte(`{"model":"gemini-2.0-flash","prompt":"x"}`), &r)
	if te, ok := err.(*translate.Error); !ok || te.Code != "unsupported_operation" {
		t.Fatalf("completions: got %v, want unsupported_operation", err)
	}
}

func TestResponseGolden(t *testing.T) {
	cases := []struct {
		name  string
		op    translate.Operation
		usage translate.Usage
	}{
		{name: "text", usage: translate.Usage{PromptTokens: 8, CompletionTokens: 12, TotalTokens: 20}},
		{name: "parallel_function_calls", usage: translate.Usage{PromptTokens: 95, CompletionTokens: 24, TotalTokens: 119}},
		{name: "usage_cached_thoughts", usage: translate.Usage{PromptTokens: 1210, CompletionTokens: 363, TotalTokens: 1573, CachedTokens: 1024, ReasoningTokens: 321}},
		{name: "safety_candidate"},
		{name: "prompt_blocked", usage: translate.Usage{PromptTokens: 7, TotalTokens: 7}},
		{name: "max_tokens_two_candidates", usage: translate.Usage{PromptTokens: 5, CompletionTokens: 20, TotalTokens: 25}},
		{name: "embed_single", op: translate.OpEmbeddings},
		{name: "embed_batch", op: translate.OpEmbeddings},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			op := tc.op
			if op == 0 {
				op = translate.OpChat
			}
			c := &translate.Call{Op: op, ID: "chatcmpl-test", Created: 1700000000, Model: "gemini-2.0-flash"}
			in := goldentest.Read(t, "response/"+tc.name+".json")
			out, u, err := (Adapter{}).TranslateResponse(c, in, nil)
			if err != nil {
				t.Fatalf("TranslateResponse: %v", err)
			}
			mustValidJSON(t, "answer", out)
			if u != tc.usage {
				t.Errorf("usage = %+v, want %+v", u, tc.usage)
			}
			goldentest.Check(t, "response/"+tc.name+".golden", append(out, '\n'))
		})
	}
}

func TestErrorGolden(t *testing.T) {
	cases := []struct {
		name   string
		status int
	}{
		{"invalid_argument", 400},
		{"permission_denied", 403},
		{"resource_exhausted", 429},
		{"array_wrapped", 400},
		{"html", 502},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := goldentest.Read(t, "error/"+tc.name+".txt")
			out := (Adapter{}).TranslateError(tc.status, in, nil)
			mustValidJSON(t, "error", out)
			goldentest.Check(t, "error/"+tc.name+".golden", append(out, '\n'))
		})
	}
}

// runStream feeds in to a new stream in pieces of the given sizes (cycled) and returns the
// whole output and the error of Finish.
func runStream(c *translate.Call, in []byte, sizes []int) ([]byte, translate.Usage, error) {
	s := NewStream(c)
	out, err := goldentest.Feed(s, goldentest.Split(in, sizes))
	return out, s.Usage(), err
}

var errMidStream = &translate.Error{Message: "mid-stream error"}

func TestStreamGolden(t *testing.T) {
	cases := []struct {
		name         string
		includeUsage bool
		usage        translate.Usage
		err          error
	}{
		{name: "text", includeUsage: true, usage: translate.Usage{PromptTokens: 6, CompletionTokens: 14, TotalTokens: 20}},
		{name: "function_calls", usage: translate.Usage{PromptTokens: 70, CompletionTokens: 30, TotalTokens: 100}},
		{name: "thinking_usage", includeUsage: true, usage: translate.Usage{PromptTokens: 12, CompletionTokens: 110, TotalTokens: 122, CachedTokens: 0, ReasoningTokens: 100}},
		{name: "safety", usage: translate.Usage{PromptTokens: 9, CompletionTokens: 3, TotalTokens: 12}},
		{name: "prompt_blocked", usage: translate.Usage{PromptTokens: 7, TotalTokens: 7}},
		{name: "truncated", usage: translate.Usage{PromptTokens: 6, CompletionTokens: 4, TotalTokens: 10}, err: translate.ErrTruncated},
		{name: "no_trailing_blank_line", usage: translate.Usage{PromptTokens: 6, CompletionTokens: 2, TotalTokens: 8}},
		{name: "two_candidates", includeUsage: true, usage: translate.Usage{PromptTokens: 4, CompletionTokens: 6, TotalTokens: 10}},
		{name: "error_event", err: errMidStream},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := &translate.Call{Op: translate.OpChat, Stream: true, IncludeUsage: tc.includeUsage, ID: "chatcmpl-test", Created: 1700000000, Model: "gemini-2.0-flash"}
			in := goldentest.Read(t, "stream/"+tc.name+".sse")
			out, u, err := runStream(c, in, nil)
			if tc.err == errMidStream {
				if te, ok := err.(*translate.Error); ok && te.Message == "The model is overloaded. Please try again later." {
					err = errMidStream
				}
			}
			if err != tc.err {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if u != tc.usage {
				t.Errorf("usage = %+v, want %+v", u, tc.usage)
			}
			for _, ev := range bytes.Split(bytes.TrimSuffix(out, []byte("\n\n")), []byte("\n\n")) {
				data := bytes.TrimPrefix(ev, []byte("data: "))
				if string(data) != "[DONE]" {
					mustValidJSON(t, "chunk", data)
				}
			}
			goldentest.Check(t, "stream/"+tc.name+".golden", out)
		})
	}
}

func TestMergeOverrides(t *testing.T) {
	got, err := MergeOverrides([]byte(`{"a":1,"b":{"x":1,"y":{"z":2}},"c":[1]}`), []byte(`{"b":{"y":{"w":3},"v":true},"c":{"k":1},"d":"new","a.b":2}`))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"a":1,"b":{"x":1,"y":{"z":2,"w":3},"v":true},"c":{"k":1},"d":"new","a.b":2}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if _, err := MergeOverrides([]byte(`{}`), []byte(`[1]`)); err == nil {
		t.Error("array override accepted")
	}
}

func TestValidModel(t *testing.T) {
	for m, ok := range map[string]bool{
		"gemini-2.0-flash": true, "gemini-1.5-pro-002": true, "claude-3-5-sonnet-v2@20241022": true, "text_embedding.x": true,
		"": false, "a/b": false, "a?b": false, "a#b": false, "a:b": false, "..": false, "a b": false, "a%2fb": false,
	} {
		if ValidModel(m) != ok {
			t.Errorf("ValidModel(%q) = %v", m, !ok)
		}
	}
}

// A tool call's thought signature survives the round trip: answer → client → next request.
func TestThoughtSignatureRoundTrip(t *testing.T) {
	c := &translate.Call{Op: translate.OpChat, ID: "chatcmpl-rt", Model: "gemini-3-pro"}
	ans, _, err := (Adapter{}).TranslateResponse(c, goldentest.Read(t, "response/parallel_function_calls.json"), nil)
	if err != nil {
		t.Fatal(err)
	}
	msg := gjsonGet(ans, "choices.0.message")
	body := `{"model":"gemini-3-pro","messages":[{"role":"user","content":"go"},` + msg +
		`,{"role":"tool","tool_call_id":"call_chatcmpl-rt_0_0","content":"sunny"},{"role":"tool","tool_call_id":"call_chatcmpl-rt_0_1","content":"rain"},{"role":"tool","tool_call_id":"call_chatcmpl-rt_0_2","content":"12:00"}]}`
	var r translate.UpstreamRequest
	if err := (Adapter{}).BuildRequest(&translate.Call{Op: translate.OpChat}, &translate.Target{Provider: geminiProvider}, []byte(body), &r); err != nil {
		t.Fatal(err)
	}
	want := `{"role":"model","parts":[{"text":"I'll check both cities."},{"functionCall":{"name":"get_weather","args":{"location":"Paris","unit":"celsius"}},"thoughtSignature":"CiQBVKhc7n"},{"functionCall":{"name":"get_weather","args":{"location":"London"}}},{"functionCall":{"name":"get_time","args":{}}}]},{"role":"user","parts":[{"functionResponse":{"name":"get_weather","response":{"content":"sunny"}}},{"functionResponse":{"name":"get_weather","response":{"content":"rain"}}},{"functionResponse":{"name":"get_time","response":{"content":"12:00"}}}]}`
	if !strings.Contains(string(r.Body), want) {
		t.Errorf("body %s\nwant it to contain %s", r.Body, want)
	}
}

func gjsonGet(b []byte, path string) string { return gjson.GetBytes(b, path).Raw }

func TestThoughtSignatureSentinel(t *testing.T) {
	body := `{"model":"%s","messages":[{"role":"user","content":"go"},{"role":"assistant","tool_calls":[{"id":"a","type":"function","function":{"name":"f","arguments":"{}"}},{"id":"b","type":"function","function":{"name":"g","arguments":"{}"}}]},{"role":"tool","tool_call_id":"a","content":"1"},{"role":"tool","tool_call_id":"b","content":"2"}]}`
	for model, want := range map[string]string{
		"gemini-3-pro-preview": `"parts":[{"functionCall":{"name":"f","args":{}},"thoughtSignature":"skip_thought_signature_validator"},{"functionCall":{"name":"g","args":{}}}]`,
		"gemini-3.1-flash":     `"parts":[{"functionCall":{"name":"f","args":{}},"thoughtSignature":"skip_thought_signature_validator"},{"functionCall":{"name":"g","args":{}}}]`,
		"gemini-2.5-flash":     `"parts":[{"functionCall":{"name":"f","args":{}}},{"functionCall":{"name":"g","args":{}}}]`,
		"gemini-exp-1206":      `"parts":[{"functionCall":{"name":"f","args":{}}},{"functionCall":{"name":"g","args":{}}}]`,
	} {
		var r translate.UpstreamRequest
		err := (Adapter{}).BuildRequest(&translate.Call{Op: translate.OpChat}, &translate.Target{Provider: geminiProvider}, []byte(strings.Replace(body, "%s", model, 1)), &r)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(r.Body), want) {
			t.Errorf("%s: body %s\nwant it to contain %s", model, r.Body, want)
		}
	}
}

func TestCatalogueEntry(t *testing.T) {
	p := translate.Lookup("google")
	if p == nil || p.Family != "google" {
		t.Fatalf("catalogue google entry: %+v", p)
	}
	var r translate.UpstreamRequest
	c := &translate.Call{Op: translate.OpChat}
	if err := (Adapter{}).BuildRequest(c, &translate.Target{Provider: p, APIKey: "k"}, []byte(`{"model":"gemini-2.0-flash","stream":true,"messages":[{"role":"user","content":"x"}]}`), &r); err != nil {
		t.Fatal(err)
	}
	want := "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse"
	if got := r.Scheme + "://" + r.Authority + r.Path; got != want {
		t.Errorf("url %s, want %s", got, want)
	}
	if h := r.Headers[len(r.Headers)-1]; h.Name != "x-goog-api-key" || h.Value != "k" {
		t.Errorf("headers %+v", r.Headers)
	}
	if a, ok := translate.For("google"); !ok || a == nil {
		t.Error("google family not registered")
	}
}
