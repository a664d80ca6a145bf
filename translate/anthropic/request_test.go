package anthropic

import (
	"errors"
	"strings"
	"testing"

	"switchyard/translate"
)

func build(t *testing.T, op translate.Operation, tg *translate.Target, body string) (*translate.UpstreamRequest, *translate.Call, error) {
	t.Helper()
	if tg == nil {
		tg = &translate.Target{Provider: testProvider(), APIKey: "sk-ant-test"}
	}
	c := &translate.Call{Op: op, Created: 1}
	var r translate.UpstreamRequest
	err := Adapter{}.BuildRequest(c, tg, []byte(body), &r)
	return &r, c, err
}

// Bodies: one message prefix so each case states only what it is about.
const um = `"model":"claude-x","messages":[{"role":"user","content":"hi"}]`

func TestRequestErrors(t *testing.T) {
	cases := []struct {
		name, body string
		op         translate.Operation
		status     int
		code, msg  string
	}{
		{"embeddings", `{"model":"m","input":"x"}`, translate.OpEmbeddings, 400, "unsupported_operation", "Anthropic does not offer embeddings; /v1/embeddings cannot be routed to provider anthropic"},
		{"completions", `{"model":"m","prompt":"x"}`, translate.OpCompletions, 400, "unsupported_operation", "Anthropic serves chat only; use /v1/chat/completions instead of /v1/completions for provider anthropic"},
		{"not json", `{"model":`, translate.OpChat, 400, "invalid_request", "request body is not valid JSON"},
		{"not object", `[1,2]`, translate.OpChat, 400, "invalid_request", "request body must be a JSON object"},
		{"no model", `{"messages":[{"role":"user","content":"hi"}]}`, translate.OpChat, 400, "invalid_request", "model is required"},
		{"no messages", `{"model":"m"}`, translate.OpChat, 400, "invalid_request", "messages is required"},
		{"no turns", `{"model":"m","messages":[{"role":"system","content":"x"},{"role":"user","content":""}]}`, translate.OpChat, 400, "invalid_request", "messages must contain a user or assistant message with content"},
		{"message not object", `{"model":"m","messages":["hi"]}`, translate.OpChat, 400, "invalid_request", "messages[0] must be an object"},
		{"tool not object", `{` + um + `,"tools":[1]}`, translate.OpChat, 400, "invalid_request", "tools[0] must be an object"},
		{"messages not array", `{"model":"m","messages":{}}`, translate.OpChat, 400, "invalid_request", "messages must be an array"},
		{"bad role", `{"model":"m","messages":[{"role":"function","content":"x","name":"f"}]}`, translate.OpChat, 400, "invalid_request", `messages[0].role "function" is not supported (use "system", "developer", "user", "assistant" or "tool")`},
		{"missing role", `{"model":"m","messages":[{"content":"x"}]}`, translate.OpChat, 400, "invalid_request", "messages[0].role is required"},
		{"bad content", `{"model":"m","messages":[{"role":"user","content":5}]}`, translate.OpChat, 400, "invalid_request", "messages[0].content must be a string, an array of content parts or null"},
		{"invalid arguments", `{"model":"m","messages":[{"role":"user","content":"hi"},{"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{\"a\": 1,"}}]}]}`, translate.OpChat, 400, "invalid_request", `messages[1].tool_calls[0].function.arguments is not valid JSON: {"a": 1,`},
		{"array arguments", `{"model":"m","messages":[{"role":"user","content":"hi"},{"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"[1]"}}]}]}`, translate.OpChat, 400, "invalid_request", "messages[1].tool_calls[0].function.arguments must be a JSON object, got: [1]"},
		{"number arguments", `{"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c1","function":{"name":"f","arguments":3}}]}]}`, translate.OpChat, 400, "invalid_request", "messages[0].tool_calls[0].function.arguments must be a string holding a JSON object"},
		{"tool call id", `{"model":"m","messages":[{"role":"assistant","tool_calls":[{"type":"function","function":{"name":"f","arguments":"{}"}}]}]}`, translate.OpChat, 400, "invalid_request", "messages[0].tool_calls[0].id is required"},
		{"tool call name", `{"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"arguments":"{}"}}]}]}`, translate.OpChat, 400, "invalid_request", "messages[0].tool_calls[0].function.name is required"},
		{"tool_call_id", `{"model":"m","messages":[{"role":"tool","content":"x"}]}`, translate.OpChat, 400, "invalid_request", "messages[0].tool_call_id is required"},
		{"n", `{` + um + `,"n":2}`, translate.OpChat, 400, "unsupported_operation", "n must be 1: Anthropic returns a single choice"},
		{"audio", `{"model":"m","messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{"data":"AAAA","format":"wav"}}]}]}`, translate.OpChat, 400, "unsupported_operation", "messages[0].content[0]: Anthropic does not accept audio input"},
		{"part type", `{"model":"m","messages":[{"role":"user","content":[{"text":"x"}]}]}`, translate.OpChat, 400, "invalid_request", "messages[0].content[0].type is required"},
		{"image in system", `{"model":"m","messages":[{"role":"system","content":[{"type":"image_url","image_url":{"url":"https://x/y.png"}}]},{"role":"user","content":"hi"}]}`, translate.OpChat, 400, "invalid_request", `messages[0].content[0]: content part type "image_url" is not supported here`},
		{"image ftp", `{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"ftp://x/y.png"}}]}]}`, translate.OpChat, 400, "invalid_request", "messages[0].content[0].image_url.url must be an http(s) URL or a base64 data URL"},
		{"image not base64", `{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/svg+xml,<svg/>"}}]}]}`, translate.OpChat, 400, "invalid_request", "messages[0].content[0].image_url.url: a data URL must look like data:<media type>;base64,<data>"},
		{"image no url", `{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{}}]}]}`, translate.OpChat, 400, "invalid_request", "messages[0].content[0].image_url.url is required"},
		{"file id", `{"model":"m","messages":[{"role":"user","content":[{"type":"file","file":{"file_id":"file-abc"}}]}]}`, translate.OpChat, 400, "unsupported_operation", "messages[0].content[0]: OpenAI file ids cannot be sent to Anthropic; send file.file_data as a base64 data URL"},
		{"tool type", `{` + um + `,"tools":[{"type":"custom","custom":{"name":"x"}}]}`, translate.OpChat, 400, "unsupported_operation", `tools[0]: only function tools are supported by Anthropic, got type "custom"`},
		{"tool name", `{` + um + `,"tools":[{"type":"function","function":{"description":"d"}}]}`, translate.OpChat, 400, "invalid_request", "tools[0].function.name is required"},
		{"tool params", `{` + um + `,"tools":[{"type":"function","function":{"name":"f","parameters":"x"}}]}`, translate.OpChat, 400, "invalid_request", "tools[0].function.parameters must be a JSON Schema object"},
		{"tool_choice bad", `{` + um + `,"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":"sometimes"}`, translate.OpChat, 400, "invalid_request", `tool_choice must be "none", "auto", "required" or a named function`},
		{"tool_choice without tools", `{` + um + `,"tool_choice":"required"}`, translate.OpChat, 400, "invalid_request", "tool_choice requires tools"},
		{"max_tokens", `{` + um + `,"max_tokens":0}`, translate.OpChat, 400, "invalid_request", "max_tokens must be a positive integer"},
		{"max_tokens fraction", `{` + um + `,"max_tokens":1.5}`, translate.OpChat, 400, "invalid_request", "max_tokens must be a positive integer"},
		{"effort", `{` + um + `,"reasoning_effort":"extreme"}`, translate.OpChat, 400, "invalid_request", `reasoning_effort must be one of "none", "minimal", "low", "medium", "high"`},
		{"effort too small", `{` + um + `,"reasoning_effort":"low","max_tokens":1000}`, translate.OpChat, 400, "invalid_request", "reasoning_effort needs max_tokens of at least 1025 on Anthropic: thinking takes at least 1024 tokens"},
		{"thinking type", `{` + um + `,"thinking":true}`, translate.OpChat, 400, "invalid_request", "thinking must be an object"},
		{"temperature", `{` + um + `,"temperature":"hot"}`, translate.OpChat, 400, "invalid_request", "temperature must be a number"},
		{"stop", `{` + um + `,"stop":[1]}`, translate.OpChat, 400, "invalid_request", "stop must be a string or an array of strings"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			op := tc.op
			_, _, err := build(t, op, nil, tc.body)
			var te *translate.Error
			if !errors.As(err, &te) {
				t.Fatalf("error = %v, want *translate.Error", err)
			}
			if te.Status != tc.status || te.Code != tc.code || te.Message != tc.msg || te.Type != "invalid_request_error" {
				t.Fatalf("got %d %s %s %q\nwant %d %s %q", te.Status, te.Type, te.Code, te.Message, tc.status, tc.code, tc.msg)
			}
		})
	}
}

// TestRequestBodies pins the body for small feature cases (exact bytes).
func TestRequestBodies(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"tool_choice none keeps no parallel flag",
			`{` + um + `,"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":"none","parallel_tool_calls":false}`,
			`{"messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}],"tools":[{"name":"f","input_schema":{"type":"object","properties":{}}}],"tool_choice":{"type":"none"},"max_tokens":4096,"model":"claude-x"}`},
		{"tool_choice auto",
			`{` + um + `,"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":"auto","parallel_tool_calls":true}`,
			`{"messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}],"tools":[{"name":"f","input_schema":{"type":"object","properties":{}}}],"tool_choice":{"type":"auto"},"max_tokens":4096,"model":"claude-x"}`},
		{"parallel false alone",
			`{"parallel_tool_calls":false,` + um + `,"tools":[{"type":"function","function":{"name":"f","cache_control":{"type":"ephemeral"}}}]}`,
			`{"messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}],"tools":[{"name":"f","input_schema":{"type":"object","properties":{}},"cache_control":{"type":"ephemeral"}}],"tool_choice":{"type":"auto","disable_parallel_tool_use":true},"max_tokens":4096,"model":"claude-x"}`},
		{"tool_choice without tools is dropped when harmless",
			`{` + um + `,"tool_choice":"none","parallel_tool_calls":false,"tools":[]}`,
			`{"messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}],"max_tokens":4096,"model":"claude-x"}`},
		{"nulls are unset",
			`{"model":"claude-x","messages":[{"role":"user","content":"hi","name":"bob"}],"temperature":null,"stop":null,"max_tokens":null,"tools":null,"user":null,"stream":null}`,
			`{"messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}],"max_tokens":4096,"model":"claude-x"}`},
		{"max_completion_tokens wins",
			`{` + um + `,"max_tokens":10,"max_completion_tokens":20,"stop":[]}`,
			`{"messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}],"max_tokens":20,"model":"claude-x"}`},
		{"blank stop sequences dropped",
			`{` + um + `,"stop":["\n"," ","","\u0020\t","END"]}`,
			`{"messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}],"stop_sequences":["END"],"max_tokens":4096,"model":"claude-x"}`},
		{"blank stop string dropped",
			`{` + um + `,"stop":"\n\n"}`,
			`{"messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}],"max_tokens":4096,"model":"claude-x"}`},
		{"whitespace-only texts dropped",
			`{"model":"claude-x","messages":[{"role":"system","content":"\n"},{"role":"user","content":" "},{"role":"user","content":[{"type":"text","text":"\t\n"},{"type":"text","text":"\u00a0x"},{"type":"text","text":" \u0020"}]},{"role":"assistant","content":"\r\n","tool_calls":[{"id":"c","function":{"name":"f","arguments":"{}"}}]}]}`,
			`{"messages":[{"role":"user","content":[{"type":"text","text":"\u00a0x"}]},{"role":"assistant","content":[{"type":"tool_use","id":"c","name":"f","input":{}}]}],"max_tokens":4096,"model":"claude-x"}`},
		{"effort none",
			`{` + um + `,"reasoning_effort":"none"}`,
			`{"messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}],"max_tokens":4096,"model":"claude-x"}`},
		{"arguments as object and escaped unicode",
			`{"model":"claude-x","messages":[{"role":"assistant","content":[{"type":"text","text":"a"},{"type":"refusal","refusal":"no"}],"tool_calls":[{"id":"c1","function":{"name":"f","arguments":{"k":1}}},{"id":"c2","function":{"name":"g","arguments":"{\"s\":\"\\ud83d\\ude00 \\\"q\\\"\"}"}}]},{"role":"assistant","content":"b"}]}`,
			`{"messages":[{"role":"assistant","content":[{"type":"text","text":"a"},{"type":"text","text":"no"},{"type":"tool_use","id":"c1","name":"f","input":{"k":1}},{"type":"tool_use","id":"c2","name":"g","input":{"s":"\ud83d\ude00 \"q\""}},{"type":"text","text":"b"}]}],"max_tokens":4096,"model":"claude-x"}`},
		{"tool result with image and empty parts",
			`{"model":"claude-x","messages":[{"role":"tool","tool_call_id":"t1","content":[{"type":"text","text":""},{"type":"image_url","image_url":"https://x/y.png"}]},{"role":"tool","tool_call_id":"t2","content":[{"type":"text","text":""}]},{"role":"tool","tool_call_id":"t3","content":""}]}`,
			`{"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":[{"type":"image","source":{"type":"url","url":"https://x/y.png"}}]},{"type":"tool_result","tool_use_id":"t2"},{"type":"tool_result","tool_use_id":"t3"}]}],"max_tokens":4096,"model":"claude-x"}`},
		{"many system messages",
			`{"model":"claude-x","messages":[{"role":"system","content":"1"},{"role":"system","content":"2"},{"role":"system","content":""},{"role":"developer","content":"4"},{"role":"system","content":[{"type":"text","text":"5"}]},{"role":"user","content":"hi"},{"role":"system","content":"6"}]}`,
			`{"messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}],"system":[{"type":"text","text":"1"},{"type":"text","text":"2"},{"type":"text","text":"4"},{"type":"text","text":"5"},{"type":"text","text":"6"}],"max_tokens":4096,"model":"claude-x"}`},
		{"empty system dropped",
			`{"model":"claude-x","messages":[{"role":"system","content":""},{"role":"user","content":"hi"}]}`,
			`{"messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}],"max_tokens":4096,"model":"claude-x"}`},
		{"escaped keys are understood",
			`{"mod\u0065l":"claude-x","messages":[{"r\u006fle":"user","content":"hi"}]}`,
			`{"messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}],"max_tokens":4096,"model":"claude-x"}`},
		{"thinking disabled keeps default max",
			`{` + um + `,"thinking":{"type":"disabled"}}`,
			`{"messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}],"thinking":{"type":"disabled"},"max_tokens":4096,"model":"claude-x"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, _, err := build(t, translate.OpChat, nil, tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if string(r.Body) != tc.want {
				t.Fatalf("body\n got: %s\nwant: %s", r.Body, tc.want)
			}
		})
	}
}

func TestRequestTargets(t *testing.T) {
	t.Run("bearer auth and fixed headers", func(t *testing.T) {
		p := testProvider()
		p.Auth = translate.AuthBearer
		p.Headers = []translate.Header{{Name: "x-extra", Value: "1"}}
		r, _, err := build(t, translate.OpChat, &translate.Target{Provider: p, APIKey: "k"}, `{`+um+`}`)
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		for _, h := range r.Headers {
			got += h.Name + "=" + h.Value + ";"
		}
		if want := "content-type=application/json;authorization=Bearer k;anthropic-version=2023-06-01;x-extra=1;"; got != want {
			t.Fatalf("headers %s, want %s", got, want)
		}
	})
	t.Run("custom host without base path", func(t *testing.T) {
		r, _, err := build(t, translate.OpChat, &translate.Target{Provider: testProvider(), CustomHost: "https://gw.example:8443"}, `{`+um+`}`)
		if err != nil {
			t.Fatal(err)
		}
		if r.Scheme != "https" || r.Authority != "gw.example:8443" || r.Path != "/messages" || len(r.Headers) != 2 {
			t.Fatalf("got %s %s %s %v", r.Scheme, r.Authority, r.Path, r.Headers)
		}
	})
	for _, bad := range []string{"gw.example", "https://", "https://h/v1?x=1"} {
		t.Run("bad custom host "+bad, func(t *testing.T) {
			_, _, err := build(t, translate.OpChat, &translate.Target{Provider: testProvider(), CustomHost: bad}, `{`+um+`}`)
			if err == nil || !strings.Contains(err.Error(), "custom host") {
				t.Fatalf("err = %v", err)
			}
		})
	}
	t.Run("override_params must be an object", func(t *testing.T) {
		_, _, err := build(t, translate.OpChat, &translate.Target{Provider: testProvider(), OverrideParams: []byte(`[1]`)}, `{`+um+`}`)
		var te *translate.Error
		if !errors.As(err, &te) || te.Message != "override_params must be a JSON object" {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("nested override merge", func(t *testing.T) {
		got, err := applyOverrides([]byte(`{"a":{"x":1,"y":{"z":2}},"b":3}`), []byte(`{"a":{"y":{"w":4},"v":5},"c":[1]}`))
		if err != nil {
			t.Fatal(err)
		}
		if want := `{"a":{"x":1,"y":{"z":2,"w":4},"v":5},"b":3,"c":[1]}`; string(got) != want {
			t.Fatalf("got %s want %s", got, want)
		}
	})
	t.Run("no provider", func(t *testing.T) {
		_, _, err := build(t, translate.OpChat, &translate.Target{}, `{`+um+`}`)
		if err == nil {
			t.Fatal("want error")
		}
	})
}

// TestBuildBodyVertex pins the export the Vertex AI family uses.
func TestBuildBodyVertex(t *testing.T) {
	c := &translate.Call{Op: translate.OpChat}
	out, err := BuildBody(c, &translate.Target{Model: "claude-sonnet-4-5@20250929"}, []byte(`{"model":"ignored","messages":[{"role":"user","content":"hi"}],"stream":true}`), []byte("keep:"), VertexVersion)
	if err != nil {
		t.Fatal(err)
	}
	want := `keep:{"anthropic_version":"vertex-2023-10-16","messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}],"stream":true,"max_tokens":4096}`
	if string(out) != want {
		t.Fatalf("got  %s\nwant %s", out, want)
	}
	if c.Model != "claude-sonnet-4-5@20250929" || !c.Stream {
		t.Fatalf("call = %+v", c)
	}
	// A nil target is allowed: the model comes from the body.
	if _, err := BuildBody(c, nil, []byte(`{`+um+`}`), nil, ""); err != nil || c.Model != "claude-x" {
		t.Fatalf("nil target: %v %q", err, c.Model)
	}
}

func TestRegistered(t *testing.T) {
	if a, ok := translate.For("anthropic"); !ok || a == nil {
		t.Fatal("family anthropic not registered")
	}
}
