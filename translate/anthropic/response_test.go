package anthropic

import (
	"errors"
	"testing"

	"switchyard/translate"
)

func TestResponseErrors(t *testing.T) {
	cases := []struct {
		name, body string
		status     int
		typ, code  string
		msg        string
	}{
		{"not json", `<html>`, 502, "api_error", "bad_upstream_response", "Anthropic returned a response that is not a JSON object"},
		{"array", `[]`, 502, "api_error", "bad_upstream_response", "Anthropic returned a response that is not a JSON object"},
		{"content not array", `{"type":"message","content":"x"}`, 502, "api_error", "bad_upstream_response", "Anthropic returned a message whose content is not an array"},
		{"error in 200", `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`, 502, "overloaded_error", "overloaded_error", "Overloaded"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Adapter{}.TranslateResponse(&translate.Call{}, []byte(tc.body), nil)
			var te *translate.Error
			if !errors.As(err, &te) || te.Status != tc.status || te.Type != tc.typ || te.Code != tc.code || te.Message != tc.msg {
				t.Fatalf("got %+v", err)
			}
		})
	}
}

// TestResponseFallbacks: a message without id or model takes the call's; with many tool_use
// blocks (more than are remembered inline) all are written in order.
func TestResponseFallbacks(t *testing.T) {
	body := `{"type":"message","content":[`
	for i := 0; i < 10; i++ {
		if i > 0 {
			body += ","
		}
		body += `{"type":"tool_use","id":"t` + itoa(i) + `","name":"f","input":{"i":` + itoa(i) + `}}`
	}
	body += `],"stop_reason":"tool_use"}`
	out, u, err := Adapter{}.TranslateResponse(&translate.Call{ID: "chatcmpl-1", Model: "m", Created: 5}, []byte(body), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"chatcmpl-1","object":"chat.completion","created":5,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[`
	for i := 0; i < 10; i++ {
		if i > 0 {
			want += ","
		}
		want += `{"id":"t` + itoa(i) + `","type":"function","function":{"name":"f","arguments":"{\"i\":` + itoa(i) + `}"}}`
	}
	want += `],"refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":0,"completion_tokens":0,"total_tokens":0,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},"service_tier":"default","system_fingerprint":null}`
	if string(out) != want {
		t.Fatalf("got  %s\nwant %s", out, want)
	}
	if u != (translate.Usage{}) {
		t.Fatalf("usage %+v", u)
	}
}

func TestErrorShapes(t *testing.T) {
	cases := []struct {
		status     int
		body, want string
	}{
		{400, `{"error":"plain text"}`, `{"error":{"message":"plain text","type":"invalid_request_error","param":null,"code":null}}`},
		{500, `{"message":"bare"}`, `{"error":{"message":"bare","type":"api_error","param":null,"code":null}}`},
		{529, "  \n", `{"error":{"message":"Anthropic returned HTTP 529 with an empty body","type":"overloaded_error","param":null,"code":null}}`},
	}
	for _, tc := range cases {
		if got := string(Adapter{}.TranslateError(tc.status, []byte(tc.body), nil)); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.body, got, tc.want)
		}
	}
}
