package messages

import (
	"errors"
	"strings"
	"testing"

	"switchyard/translate"
)

// base completes a request fragment with the required fields unless it sets them itself.
func base(extra string) []byte {
	b := `{"model":"m","max_tokens":100`
	if strings.Contains(extra, `"messages"`) {
		return []byte(b + "," + extra + "}")
	}
	if extra != "" {
		b += "," + extra
	}
	return []byte(b + `,"messages":[{"role":"user","content":"hi"}]}`)
}

func TestToChatInvalid(t *testing.T) {
	cases := []struct {
		body []byte
		msg  string
		code string
	}{
		{[]byte(`{"model":`), "request body is not valid JSON", "invalid_request"},
		{[]byte(`[1]`), "request body must be a JSON object", "invalid_request"},
		{[]byte(`{"max_tokens":1,"messages":[]}`), "model is required", "invalid_request"},
		{[]byte(`{"model":5,"max_tokens":1,"messages":[]}`), "model must be a non-empty string", "invalid_request"},
		{[]byte(`{"model":"m","messages":[{"role":"user","content":"x"}]}`), "max_tokens is required", "invalid_request"},
		{[]byte(`{"model":"m","max_tokens":0,"messages":[]}`), "max_tokens must be a positive integer, got 0", "invalid_request"},
		{[]byte(`{"model":"m","max_tokens":1.5,"messages":[]}`), "max_tokens must be a positive integer, got 1.5", "invalid_request"},
		{[]byte(`{"model":"m","max_tokens":1}`), "messages is required", "invalid_request"},
		{base(`"messages":{}`), "messages must be an array", "invalid_request"},
		{base(`"messages":[]`), "messages must contain at least one user or assistant message", "invalid_request"},
		{base(`"stream":"yes"`), "stream must be a boolean", "invalid_request"},
		{base(`"messages":[1]`), "messages[0] must be an object", "invalid_request"},
		{base(`"messages":[{"content":"x"}]`), "messages[0].role is required", "invalid_request"},
		{base(`"messages":[{"role":"system","content":"x"}]`), `messages[0].role must be "user" or "assistant", got "system"`, "invalid_request"},
		{base(`"messages":[{"role":"user","content":5}]`), "messages[0].content must be a string or an array of content blocks", "invalid_request"},
		{base(`"messages":[{"role":"user","content":[{"text":"x"}]}]`), "messages[0].content[0].type is required", "invalid_request"},
		{base(`"messages":[{"role":"user","content":[{"type":"text","text":1}]}]`), "messages[0].content[0].text must be a string", "invalid_request"},
		{base(`"messages":[{"role":"user","content":[{"type":"image","source":{"type":"file","file_id":"f"}}]}]`), `messages[0].content[0]: image source type "file" cannot be sent to a non-Anthropic model; use base64 or url`, "unsupported_operation"},
		{base(`"messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","data":"x"}}]}]`), "messages[0].content[0].source: a base64 image needs media_type and data", "invalid_request"},
		{base(`"messages":[{"role":"user","content":[{"type":"search_result","source":"s"}]}]`), `messages[0].content[0]: block type "search_result" cannot be sent to a non-Anthropic model in a user message`, "unsupported_operation"},
		{base(`"messages":[{"role":"user","content":[{"type":"tool_result","content":"x"}]}]`), "messages[0].content[0].tool_use_id is required", "invalid_request"},
		{base(`"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[{"type":"document","source":{}}]}]}]`), `messages[0].content[0].content[0]: block type "document" in a tool result cannot be sent to a non-Anthropic model`, "unsupported_operation"},
		{base(`"messages":[{"role":"assistant","content":[{"type":"tool_use","name":"f","input":{}}]}]`), "messages[0].content[0].id is required", "invalid_request"},
		{base(`"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"t","input":{}}]}]`), "messages[0].content[0].name is required", "invalid_request"},
		{base(`"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"f","input":"{}"}]}]`), "messages[0].content[0].input must be an object", "invalid_request"},
		{base(`"messages":[{"role":"assistant","content":[{"type":"server_tool_use","id":"t","name":"web_search","input":{}}]}]`), `messages[0].content[0]: block type "server_tool_use" cannot be sent to a non-Anthropic model in an assistant message`, "unsupported_operation"},
		{base(`"system":5`), "system must be a string or an array of text blocks", "invalid_request"},
		{base(`"system":[{"type":"image"}]`), "system[0] must be a text block with a string text", "invalid_request"},
		{base(`"temperature":"hot"`), "temperature must be a number", "invalid_request"},
		{base(`"top_p":true`), "top_p must be a number", "invalid_request"},
		{base(`"stop_sequences":"x"`), "stop_sequences must be an array of strings", "invalid_request"},
		{base(`"stop_sequences":["a",1]`), "stop_sequences[1] must be a string", "invalid_request"},
		{base(`"metadata":"u"`), "metadata must be an object", "invalid_request"},
		{base(`"metadata":{"user_id":1}`), "metadata.user_id must be a string", "invalid_request"},
		{base(`"tools":{}`), "tools must be an array", "invalid_request"},
		{base(`"tools":[1]`), "tools[0] must be an object", "invalid_request"},
		{base(`"tools":[{"type":"web_search_20250305","name":"web_search"}]`), `tools[0]: tool type "web_search_20250305" is an Anthropic server or client tool and cannot be sent to a non-Anthropic model; only custom tools (name, description, input_schema) are supported`, "unsupported_operation"},
		{base(`"tools":[{"input_schema":{}}]`), "tools[0].name is required", "invalid_request"},
		{base(`"tools":[{"name":"f"}]`), "tools[0].input_schema must be a JSON Schema object", "invalid_request"},
		{base(`"tool_choice":"auto"`), `tool_choice must be an object such as {"type":"auto"}`, "invalid_request"},
		{base(`"tool_choice":{"type":"maybe"}`), `tool_choice.type must be "auto", "any", "tool" or "none"`, "invalid_request"},
		{base(`"tools":[{"name":"f","input_schema":{}}],"tool_choice":{"type":"tool"}`), `tool_choice.name is required when tool_choice.type is "tool"`, "invalid_request"},
		{base(`"tool_choice":{"type":"any"}`), `tool_choice "any" requires tools`, "invalid_request"},
		{base(`"thinking":true`), "thinking must be an object", "invalid_request"},
		{base(`"thinking":{"budget_tokens":2000}`), "thinking.type is required", "invalid_request"},
		{base(`"thinking":{"type":"on"}`), `thinking.type must be "enabled", "disabled" or "adaptive", got "on"`, "invalid_request"},
		{base(`"thinking":{"type":"enabled"}`), "thinking.budget_tokens must be an integer", "invalid_request"},
		{base(`"thinking":{"type":"enabled","budget_tokens":512}`), "thinking.budget_tokens must be at least 1024", "invalid_request"},
		{[]byte(`{"model":"m","max_tokens":1024,"thinking":{"type":"enabled","budget_tokens":1024},"messages":[{"role":"user","content":"x"}]}`), "max_tokens must be greater than thinking.budget_tokens", "invalid_request"},
		{base(`"output_config":{"effort":"extreme"}`), `output_config.effort must be "low", "medium", "high" or "max"`, "invalid_request"},
		{base(`"output_config":[]`), "output_config must be an object", "invalid_request"},
	}
	for _, tc := range cases {
		_, _, err := ToChat(tc.body, nil)
		var te *translate.Error
		if !errors.As(err, &te) {
			t.Errorf("%s: error %v, want *translate.Error %q", tc.body, err, tc.msg)
			continue
		}
		if te.Message != tc.msg || te.Status != 400 || te.Code != tc.code {
			t.Errorf("%s:\n got %d %s %q\nwant 400 %s %q", tc.body, te.Status, te.Code, te.Message, tc.code, tc.msg)
		}
	}
}

// TestThinkingEffort pins the budget → effort mapping, the inverse of translate/anthropic's
// effort → budget (low 1024, medium 2048, high 4096).
func TestThinkingEffort(t *testing.T) {
	cases := []struct {
		thinking, output, want string
	}{
		{`{"type":"enabled","budget_tokens":1024}`, "", "low"},
		{`{"type":"enabled","budget_tokens":2047}`, "", "low"},
		{`{"type":"enabled","budget_tokens":2048}`, "", "medium"},
		{`{"type":"enabled","budget_tokens":4095}`, "", "medium"},
		{`{"type":"enabled","budget_tokens":4096}`, "", "high"},
		{`{"type":"enabled","budget_tokens":31999}`, "", "high"},
		{`{"type":"enabled","budget_tokens":1e4}`, "", "high"},
		{`{"type":"disabled"}`, `{"effort":"high"}`, ""},
		{`{"type":"adaptive"}`, "", ""},
		{`{"type":"adaptive"}`, `{"effort":"low"}`, "low"},
		{`{"type":"adaptive"}`, `{"effort":"max"}`, "high"},
		{"", `{"effort":"medium"}`, "medium"},
		{"", "", ""},
	}
	for _, tc := range cases {
		got, err := thinkingEffort(tc.thinking, tc.output, 64000)
		if err != nil || got != tc.want {
			t.Errorf("thinking %s output_config %s: got %q, %v; want %q", tc.thinking, tc.output, got, err, tc.want)
		}
	}
}

// TestToChatStringsStayRaw: escapes in the client's strings reach the chat body unchanged,
// also where texts are joined.
func TestToChatStringsStayRaw(t *testing.T) {
	body := base(`"system":[{"type":"text","text":"a\"b\\c\u2028"},{"type":"text","text":"\ud83d\ude00"}],` +
		`"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t\"1","content":[{"type":"text","text":"x\ny"}],"is_error":true},{"type":"text","text":"k"}]}]`)
	out, _, err := ToChat(body, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"model":"m","messages":[{"role":"system","content":"a\"b\\c\u2028\n\n\ud83d\ude00"},{"role":"tool","tool_call_id":"t\"1","content":"Error: x\ny"},{"role":"user","content":[{"type":"text","text":"k"}]}],"max_completion_tokens":100}`
	if string(out) != want {
		t.Fatalf("\n got %s\nwant %s", out, want)
	}
	if !validJSON(out) {
		t.Fatal("invalid JSON")
	}
}

// TestToChatAppends: dst is appended to, never overwritten.
func TestToChatAppends(t *testing.T) {
	out, _, err := ToChat(base(""), []byte("prefix"))
	if err != nil || !strings.HasPrefix(string(out), "prefix{") {
		t.Fatalf("%s %v", out, err)
	}
}
