package oaiw

import (
	"encoding/json"
	"testing"

	"switchyard/translate"
)

func TestCompletion(t *testing.T) {
	u := translate.Usage{PromptTokens: 12, CompletionTokens: 5, TotalTokens: 17, CachedTokens: 3, ReasoningTokens: 2}
	b := AppendCompletionHead(nil, `"msg_1"`, "unused", 1700000000, "", "m\"x")
	b = append(b, AssistantMessage...)
	b = append(b, `"hi"`...)
	b = AppendMessageEnd(b, "stop")
	b = AppendCompletionEnd(b, u)
	want := `{"id":"msg_1","object":"chat.completion","created":1700000000,"model":"m\"x","choices":[` +
		`{"index":0,"message":{"role":"assistant","content":"hi","refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],` +
		`"usage":{"prompt_tokens":12,"completion_tokens":5,"total_tokens":17,"prompt_tokens_details":{"cached_tokens":3,"audio_tokens":0},` +
		`"completion_tokens_details":{"reasoning_tokens":2,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},` +
		`"service_tier":"default","system_fingerprint":null}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	if !json.Valid(b) {
		t.Error("invalid JSON")
	}
}

func TestToolCallHead(t *testing.T) {
	b := AppendToolCallHead([]byte("x"), `"call_1"`, "null")
	b = append(b, `"{}"}}`...)
	if want := `x{"id":"call_1","type":"function","function":{"name":"","arguments":"{}"}}`; string(b) != want {
		t.Errorf("got %s", b)
	}
}

func TestChunks(t *testing.T) {
	cases := []struct{ name, got, want string }{
		{"head fallback", string(AppendChunkHead(nil, "", "chatcmpl-1", 5, `"m"`, "unused")),
			`data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":5,"model":"m","service_tier":"default","system_fingerprint":null,"choices":[`},
		{"end null", string(AppendChunkEnd([]byte("{}"), "", false)), `{},"logprobs":null,"finish_reason":null}]}` + "\n\n"},
		{"end usage null", string(AppendChunkEnd(nil, "tool_calls", true)), `,"logprobs":null,"finish_reason":"tool_calls"}],"usage":null}` + "\n\n"},
		{"tool start", string(AppendToolCallStart(nil, 2, `"toolu_1"`, `"get"`, `""`)),
			`{"tool_calls":[{"index":2,"id":"toolu_1","type":"function","function":{"name":"get","arguments":""}}]}`},
		{"tool start not strings", string(AppendToolCallStart(nil, 0, "", "7", `"{\"a\""`)),
			`{"tool_calls":[{"index":0,"id":"","type":"function","function":{"name":"","arguments":"{\"a\""}}]}`},
		{"tool args", string(AppendToolCallArgs(nil, 1, `":1}"`)), `{"tool_calls":[{"index":1,"function":{"arguments":":1}"}}]}`},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s:\n got  %s\n want %s", c.name, c.got, c.want)
		}
	}
	// A whole chunk is one valid JSON event.
	ev := AppendChunkHead(nil, `"id"`, "", 1, `"m"`, "")
	ev = append(ev, Delta0...)
	ev = AppendToolCallArgs(ev, 0, `"x"`)
	ev = AppendChunkEnd(ev, "", true)
	if s := string(ev); !json.Valid([]byte(s[len("data: ") : len(s)-2])) {
		t.Errorf("invalid chunk %s", ev)
	}
}
