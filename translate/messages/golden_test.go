package messages

import (
	"fmt"
	"testing"

	"switchyard/translate"
	"switchyard/translate/internal/goldentest"
)

func TestToChatGolden(t *testing.T) {
	for _, name := range []string{"basic", "agent_tools", "media", "named_tool", "any_tool_thinking_adaptive", "no_tools_choice"} {
		t.Run(name, func(t *testing.T) {
			out, info, err := ToChat(goldentest.Read(t, "request/"+name+".json"), nil)
			if err != nil {
				t.Fatalf("ToChat: %v", err)
			}
			if !validJSON(out) {
				t.Fatalf("not valid JSON: %s", out)
			}
			goldentest.Check(t, "request/"+name+".golden", fmt.Appendf(out, "\n%+v\n", info))
		})
	}
}

func TestFromChatResponseGolden(t *testing.T) {
	for _, name := range []string{"text_usage", "tool_calls_parallel", "text_and_bad_args", "reasoning", "refusal", "content_filter"} {
		t.Run(name, func(t *testing.T) {
			out, u, err := FromChatResponse(goldentest.Read(t, "response/"+name+".json"), nil)
			if err != nil {
				t.Fatalf("FromChatResponse: %v", err)
			}
			if !validJSON(out) {
				t.Fatalf("not valid JSON: %s", out)
			}
			goldentest.Check(t, "response/"+name+".golden", fmt.Appendf(out, "\n%+v\n", u))
		})
	}
}

func TestStreamGolden(t *testing.T) {
	for _, name := range []string{"text", "tool_calls_parallel", "whole_tool_calls", "reasoning", "refusal", "error_event", "truncated", "finish_no_done_crlf"} {
		t.Run(name, func(t *testing.T) {
			out := runStream([][]byte{goldentest.Read(t, "stream/"+name+".sse")})
			checkEvents(t, out)
			goldentest.Check(t, "stream/"+name+".golden", out)
		})
	}
}

func TestFromChatErrorGolden(t *testing.T) {
	cases := []struct {
		name   string
		status int
	}{
		{"invalid_request", 400},
		{"authentication", 401},
		{"quota", 402},
		{"not_found", 404},
		{"rate_limit", 429},
		{"quota", 429},
		{"server_error", 500},
		{"overloaded_via_anthropic", 529},
		{"overloaded_via_anthropic", 500},
		{"server_error", 503},
		{"gateway_timeout", 504},
		{"html", 502},
		{"empty", 503},
		{"string_error", 503},
		{"unknown", 404},
		{"invalid_request", 422},
	}
	var all []byte
	for _, tc := range cases {
		out := FromChatError(tc.status, goldentest.Read(t, "error/"+tc.name+".json"), nil)
		if !validJSON(out) {
			t.Fatalf("%s: not valid JSON: %s", tc.name, out)
		}
		all = fmt.Appendf(all, "%s %d: %s\n", tc.name, tc.status, out)
	}
	all = fmt.Appendf(all, "FromError: %s\n", FromError(translate.Invalid("max_tokens is required"), nil))
	goldentest.Check(t, "error/errors.golden", all)
}

func TestFromChatResponseErrors(t *testing.T) {
	cases := []struct {
		body, msg string
		status    int
	}{
		{`not json`, "upstream returned a chat completion that is not a JSON object", 502},
		{`[1]`, "upstream returned a chat completion that is not a JSON object", 502},
		{`{"id":"x","object":"chat.completion"}`, "upstream chat completion has no choices array", 502},
		{`{"error":{"message":"quota exceeded","type":"insufficient_quota"}}`, "quota exceeded", 502},
	}
	for _, tc := range cases {
		_, _, err := FromChatResponse([]byte(tc.body), nil)
		te, ok := err.(*translate.Error)
		if !ok || te.Message != tc.msg || te.Status != tc.status {
			t.Errorf("%s: got %v, want %d %q", tc.body, err, tc.status, tc.msg)
		}
	}
	// No choice at all is an empty, complete answer.
	out, _, err := FromChatResponse([]byte(`{"id":"c","model":"m","choices":[]}`), nil)
	want := `{"id":"c","type":"message","role":"assistant","model":"m","content":[],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":0}}`
	if err != nil || string(out) != want {
		t.Fatalf("got %s %v\nwant %s", out, err, want)
	}
}
