package bedrock

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/rand"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"switchyard/translate"
	est "switchyard/translate/bedrock/eventstream/eventstreamtest"
)

func TestRegistered(t *testing.T) {
	a, ok := translate.For("bedrock")
	if !ok {
		t.Fatal("bedrock is not registered")
	}
	if _, ok := a.(Adapter); !ok {
		t.Fatalf("registered %T", a)
	}
}

// Splitting the upstream bytes anywhere — at every single offset, and in random chunk sizes
// with a fixed seed — gives byte-identical output and the same error.
func TestStreamChunkSplit(t *testing.T) {
	cases := append(streamCases(), streamCase{name: "fifty", includeUsage: true})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var in []byte
			if tc.name == "fifty" {
				in = fiftyEventStream()
			} else {
				in = buildStream(t, filepath.Join("testdata/streams", tc.name+".events"))
			}
			want, werr, _ := runStream(streamCall(tc), [][]byte{in})
			if tc.name == "fifty" && (werr != nil || !bytes.HasSuffix(want, []byte("data: [DONE]\n\n"))) {
				t.Fatalf("fifty-event stream: err=%v", werr)
			}
			for i := 0; i <= len(in); i++ {
				got, err, _ := runStream(streamCall(tc), [][]byte{in[:i], in[i:]})
				if !bytes.Equal(got, want) || errString(err) != errString(werr) {
					t.Fatalf("split at %d:\n%s\nerr=%v\nwant:\n%s\nerr=%v", i, got, err, want, werr)
				}
			}
			rng := rand.New(rand.NewSource(42))
			for n := 0; n < 300; n++ {
				var chunks [][]byte
				for rest := in; len(rest) > 0; {
					k := 1 + rng.Intn(64)
					if n%3 == 0 {
						k = 1 + rng.Intn(7)
					}
					k = min(k, len(rest))
					chunks = append(chunks, rest[:k])
					rest = rest[k:]
				}
				got, err, _ := runStream(streamCall(tc), chunks)
				if !bytes.Equal(got, want) || errString(err) != errString(werr) {
					t.Fatalf("random split %d differs:\n%s", n, got)
				}
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// fiftyEventStream is a realistic 50-event ConverseStream answer: text, two tool uses with
// streamed arguments, stop and metadata.
func fiftyEventStream() []byte {
	var b []byte
	b = est.Event(b, "messageStart", `{"p":"abcdefghijklmnopq","role":"assistant"}`)
	for i := 0; i < 30; i++ {
		b = est.Event(b, "contentBlockDelta", `{"contentBlockIndex":0,"delta":{"text":"word `+strings.Repeat("x", i%7)+` "},"p":"abcdefghijklmnop"}`)
	}
	b = est.Event(b, "contentBlockStop", `{"contentBlockIndex":0,"p":"abcd"}`)
	for tool := 1; tool <= 2; tool++ {
		id := string(rune('0' + tool))
		b = est.Event(b, "contentBlockStart", `{"contentBlockIndex":`+id+`,"p":"abc","start":{"toolUse":{"name":"get_weather","toolUseId":"tooluse_`+id+`"}}}`)
		for _, part := range []string{`{\"ci`, `ty\": \"Par`, `is\", \"un`, `it\": \"c\"}`, ``} {
			b = est.Event(b, "contentBlockDelta", `{"contentBlockIndex":`+id+`,"delta":{"toolUse":{"input":"`+part+`"}},"p":"abcdefgh"}`)
		}
		b = est.Event(b, "contentBlockStop", `{"contentBlockIndex":`+id+`,"p":"abcdefghijk"}`)
	}
	b = est.Event(b, "messageStop", `{"p":"ab","stopReason":"tool_use"}`)
	b = est.Event(b, "metadata", `{"metrics":{"latencyMs":1234},"p":"abc","usage":{"cacheReadInputTokens":100,"inputTokens":500,"outputTokens":250,"totalTokens":850}}`)
	return b
}

func TestFiftyEventStreamShape(t *testing.T) {
	in := fiftyEventStream()
	out, err, s := runStream(streamCall(streamCase{includeUsage: true}), [][]byte{in})
	if err != nil {
		t.Fatal(err)
	}
	events := strings.Split(strings.TrimSuffix(string(out), "\n\n"), "\n\n")
	// role + 30 text + 2×(start + 4 non-empty deltas) + finish + usage + [DONE]
	if len(events) != 1+30+10+1+1+1 {
		t.Fatalf("%d output events", len(events))
	}
	args := map[int]string{}
	for _, e := range events[:len(events)-1] {
		var chunk struct {
			Choices []struct {
				Delta struct {
					ToolCalls []struct {
						Index    int `json:"index"`
						Function struct {
							Arguments string `json:"arguments"`
						} `json:"function"`
					} `json:"tool_calls"`
				} `json:"delta"`
			} `json:"choices"`
		}
		if err := json.Unmarshal([]byte(strings.TrimPrefix(e, "data: ")), &chunk); err != nil {
			t.Fatalf("%v: %s", err, e)
		}
		for _, c := range chunk.Choices {
			for _, tc := range c.Delta.ToolCalls {
				args[tc.Index] += tc.Function.Arguments
			}
		}
	}
	for i := 0; i < 2; i++ {
		if args[i] != `{"city": "Paris", "unit": "c"}` {
			t.Errorf("tool %d arguments %q", i, args[i])
		}
	}
	if u := s.Usage(); u.PromptTokens != 600 || u.CachedTokens != 100 || u.CompletionTokens != 250 || u.TotalTokens != 850 {
		t.Errorf("usage %+v", u)
	}
}

func TestStreamAfterErrorAndDone(t *testing.T) {
	s := (Adapter{}).NewStream(streamCall(streamCase{}))
	bad := est.Event(nil, "messageStart", `{"role":"assistant"}`)
	bad[len(bad)-1] ^= 0xff
	out, err := s.Feed(nil, bad)
	if err == nil || !strings.Contains(string(out), "checksum") {
		t.Fatalf("out=%s err=%v", out, err)
	}
	if more, err := s.Finish(nil); len(more) != 0 || err != nil {
		t.Fatalf("Finish after error: %q %v", more, err)
	}

	// A tool input delta for a block that never started is an upstream protocol error.
	s = (Adapter{}).NewStream(streamCall(streamCase{}))
	in := est.Event(nil, "messageStart", `{"role":"assistant"}`)
	in = est.Event(in, "contentBlockDelta", `{"contentBlockIndex":3,"delta":{"toolUse":{"input":"{}"}}}`)
	out, err = s.Feed(nil, in)
	var te *translate.Error
	if !errors.As(err, &te) || te.Code != "bad_upstream_stream" || !strings.Contains(string(out), "never started") {
		t.Fatalf("out=%s err=%v", out, err)
	}

	// Payloads must be JSON.
	s = (Adapter{}).NewStream(streamCall(streamCase{}))
	if _, err = s.Feed(nil, est.Event(nil, "messageStart", `{"role":`)); !errors.As(err, &te) {
		t.Fatalf("err=%v", err)
	}

	// Oversized frames are refused from their prelude.
	s = (Adapter{}).NewStream(streamCall(streamCase{}))
	big := est.Event(nil, "contentBlockDelta", `{"contentBlockIndex":0,"delta":{"text":"`+strings.Repeat("a", maxStreamMessage)+`"}}`)
	if out, err = s.Feed(nil, big[:64]); err == nil || !strings.Contains(string(out), "larger than the limit") {
		t.Fatalf("out=%s err=%v", out, err)
	}
}

func build(t *testing.T, op translate.Operation, tgt translate.Target, body string) (*translate.UpstreamRequest, error) {
	t.Helper()
	c := &translate.Call{Op: op, Now: signTime}
	var r translate.UpstreamRequest
	err := (Adapter{}).BuildRequest(c, &tgt, []byte(body), &r)
	return &r, err
}

func TestRequestErrors(t *testing.T) {
	aws := translate.Target{Provider: provider(), Options: awsOptions("us-east-1", "")}
	cases := []struct {
		name   string
		op     translate.Operation
		target translate.Target
		body   string
		status int
		code   string
		msg    string
	}{
		{"remote image", translate.OpChat, aws, `{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://example.com/a.png"}}]}]}`, 400, "invalid_request", "not remote URLs"},
		{"bmp image", translate.OpChat, aws, `{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/bmp;base64,AAAA"}}]}]}`, 400, "invalid_request", "image/bmp"},
		{"not base64", translate.OpChat, aws, `{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png,abc"}}]}]}`, 400, "invalid_request", "base64"},
		{"audio part", translate.OpChat, aws, `{"model":"m","messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{}}]}]}`, 400, "invalid_request", "input_audio"},
		{"n=2", translate.OpChat, aws, `{"model":"m","n":2,"messages":[{"role":"user","content":"x"}]}`, 400, "unsupported_operation", "n other than 1"},
		{"bad role", translate.OpChat, aws, `{"model":"m","messages":[{"role":"user","content":"x"},{"role":"function","content":"y"}]}`, 400, "invalid_request", "messages[1].role"},
		{"only system", translate.OpChat, aws, `{"model":"m","messages":[{"role":"system","content":"x"}]}`, 400, "invalid_request", "at least one"},
		{"no messages", translate.OpChat, aws, `{"model":"m"}`, 400, "invalid_request", "messages must be an array"},
		{"no model", translate.OpChat, aws, `{"messages":[{"role":"user","content":"x"}]}`, 400, "invalid_request", "model is required"},
		{"not json", translate.OpChat, aws, `{"model":`, 400, "invalid_request", "not valid JSON"},
		{"array body", translate.OpChat, aws, `[1]`, 400, "invalid_request", "JSON object"},
		{"bad arguments", translate.OpChat, aws, `{"model":"m","messages":[{"role":"user","content":"x"},{"role":"assistant","tool_calls":[{"id":"t1","type":"function","function":{"name":"f","arguments":"{oops"}}]}]}`, 400, "invalid_request", "not valid JSON"},
		{"tool without id", translate.OpChat, aws, `{"model":"m","messages":[{"role":"user","content":"x"},{"role":"tool","content":"r"}]}`, 400, "invalid_request", "tool_call_id"},
		{"temperature string", translate.OpChat, aws, `{"model":"m","temperature":"hot","messages":[{"role":"user","content":"x"}]}`, 400, "invalid_request", "temperature must be a number"},
		{"stop number", translate.OpChat, aws, `{"model":"m","stop":[1],"messages":[{"role":"user","content":"x"}]}`, 400, "invalid_request", "stop must be"},
		{"bad tool choice", translate.OpChat, aws, `{"model":"m","tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":"sometimes","messages":[{"role":"user","content":"x"}]}`, 400, "invalid_request", "tool_choice"},
		{"non-function tool", translate.OpChat, aws, `{"model":"m","tools":[{"type":"code_interpreter"}],"messages":[{"role":"user","content":"x"}]}`, 400, "invalid_request", "function tools"},
		{"completions", translate.OpCompletions, aws, `{"model":"m","prompt":"x"}`, 400, "unsupported_operation", "completions"},
		{"titan batch", translate.OpEmbeddings, aws, `{"model":"amazon.titan-embed-text-v2:0","input":["a","b"]}`, 400, "unsupported_operation", "one input per request"},
		{"token input", translate.OpEmbeddings, aws, `{"model":"cohere.embed-english-v3","input":[[1,2,3]]}`, 400, "invalid_request", "token arrays"},
		{"unknown embed model", translate.OpEmbeddings, aws, `{"model":"amazon.nova-pro-v1:0","input":"x"}`, 400, "unsupported_operation", "Titan"},
		{"empty embed input", translate.OpEmbeddings, aws, `{"model":"cohere.embed-english-v3","input":[]}`, 400, "invalid_request", "empty"},
		{"no credentials", translate.OpChat, translate.Target{Provider: provider()}, `{"model":"m","messages":[{"role":"user","content":"x"}]}`, 400, "invalid_request", "no AWS credentials"},
		{"half credentials", translate.OpChat, translate.Target{Provider: provider(), Options: translate.Options{AWSAccessKeyID: "AK"}}, `{"model":"m","messages":[{"role":"user","content":"x"}]}`, 400, "invalid_request", "no AWS credentials"},
		{"region injection", translate.OpChat, translate.Target{Provider: provider(), Options: awsOptions("evil.example.com/x", "")}, `{"model":"m","messages":[{"role":"user","content":"x"}]}`, 400, "invalid_request", "invalid AWS region"},
		{"region upper", translate.OpChat, translate.Target{Provider: provider(), Options: awsOptions("US-EAST-1", "")}, `{"model":"m","messages":[{"role":"user","content":"x"}]}`, 400, "invalid_request", "invalid AWS region"},
		{"custom host user info", translate.OpChat, translate.Target{Provider: provider(), Options: awsOptions("", ""), CustomHost: "https://user@evil.example.com"}, `{"model":"m","messages":[{"role":"user","content":"x"}]}`, 400, "invalid_request", "custom host"},
		{"bad override", translate.OpChat, translate.Target{Provider: provider(), Options: awsOptions("", ""), OverrideParams: []byte(`[1]`)}, `{"model":"m","messages":[{"role":"user","content":"x"}]}`, 400, "invalid_request", "override_params"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := build(t, tc.op, tc.target, tc.body)
			var te *translate.Error
			if !errors.As(err, &te) {
				t.Fatalf("err = %v", err)
			}
			if te.Status != tc.status || te.Code != tc.code || !strings.Contains(te.Message, tc.msg) {
				t.Fatalf("got %d %s %q, want %d %s containing %q", te.Status, te.Code, te.Message, tc.status, tc.code, tc.msg)
			}
		})
	}

	// A zero signing time is the gateway's bug, not the client's.
	c := &translate.Call{Op: translate.OpChat}
	var r translate.UpstreamRequest
	err := (Adapter{}).BuildRequest(c, &aws, []byte(`{"model":"m","messages":[{"role":"user","content":"x"}]}`), &r)
	var te *translate.Error
	if !errors.As(err, &te) || te.Status != 500 || te.Code != "signing_time_missing" {
		t.Fatalf("zero Now: %v", err)
	}
}

// tool_choice "none" keeps the tools (without a choice) when the conversation already holds
// tool blocks, because Bedrock rejects toolUse/toolResult blocks without a toolConfig.
func TestToolChoiceNoneWithToolHistory(t *testing.T) {
	r, err := build(t, translate.OpChat, translate.Target{Provider: provider(), Options: awsOptions("", "")}, `{"model":"m","tool_choice":"none",
		"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}],
		"messages":[{"role":"user","content":"x"},{"role":"assistant","tool_calls":[{"id":"t1","type":"function","function":{"name":"f","arguments":""}}]},{"role":"tool","tool_call_id":"t1","content":""}]}`)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"messages":[{"role":"user","content":[{"text":"x"}]},{"role":"assistant","content":[{"toolUse":{"toolUseId":"t1","name":"f","input":{}}}]},{"role":"user","content":[{"toolResult":{"toolUseId":"t1","content":[{"text":""}]}}]}],"toolConfig":{"tools":[{"toolSpec":{"name":"f","inputSchema":{"json":{"type":"object"}}}}]}}`
	if string(r.Body) != want {
		t.Fatalf("body:\n%s\nwant:\n%s", r.Body, want)
	}
}

// The same UpstreamRequest can be reused: Reset keeps buffers, output is identical.
func TestReuseUpstreamRequest(t *testing.T) {
	tgt := translate.Target{Provider: provider(), Options: awsOptions("us-east-1", "tok")}
	body := []byte(`{"model":"anthropic.claude-3-haiku-20240307-v1:0","messages":[{"role":"user","content":"hello"}],"max_tokens":10}`)
	var r translate.UpstreamRequest
	c := &translate.Call{Op: translate.OpChat, Now: signTime}
	if err := (Adapter{}).BuildRequest(c, &tgt, body, &r); err != nil {
		t.Fatal(err)
	}
	first := renderRequest(c, &r) + string(r.Body)
	r.Reset()
	c2 := &translate.Call{Op: translate.OpChat, Now: signTime}
	if err := (Adapter{}).BuildRequest(c2, &tgt, body, &r); err != nil {
		t.Fatal(err)
	}
	if second := renderRequest(c2, &r) + string(r.Body); second != first {
		t.Fatalf("second build differs:\n%s\n%s", first, second)
	}
	// A different time changes the date and the signature.
	r.Reset()
	c3 := &translate.Call{Op: translate.OpChat, Now: signTime.Add(time.Second)}
	(Adapter{}).BuildRequest(c3, &tgt, body, &r)
	if renderRequest(c3, &r)+string(r.Body) == first {
		t.Fatal("signing ignored the time")
	}
}

func TestTranslateResponseErrors(t *testing.T) {
	for _, body := range []string{``, `{`, `{"output":{}}`, `[]`} {
		_, _, err := (Adapter{}).TranslateResponse(&translate.Call{Op: translate.OpChat}, []byte(body), nil)
		var te *translate.Error
		if !errors.As(err, &te) || te.Status != 502 {
			t.Errorf("%q: err = %v", body, err)
		}
	}
	if _, _, err := (Adapter{}).TranslateResponse(&translate.Call{Op: translate.OpEmbeddings}, []byte(`{"x":1}`), nil); err == nil {
		t.Error("embedding answer without embeddings accepted")
	}
}

// Consecutive turns of one Converse role merge; blank texts and empty turns vanish (Bedrock
// rejects blank text blocks); system messages anywhere join the system list in order.
func TestMessageMerging(t *testing.T) {
	r, err := build(t, translate.OpChat, translate.Target{Provider: provider(), Options: awsOptions("", "")}, `{"model":"m","messages":[
		{"role":"user","content":"a"},
		{"role":"system","content":[{"type":"text","text":"s1"},{"type":"text","text":""}]},
		{"role":"user","content":[{"type":"text","text":""},{"type":"text","text":"b"}]},
		{"role":"assistant","content":" \n "},
		{"role":"user","content":"\t"},
		{"role":"assistant","content":"c"},
		{"role":"developer","content":"s2"},
		{"role":"assistant","content":[{"type":"text","text":"d"}]},
		{"role":"user","content":"e"}],"stop":["","x"]}`)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"messages":[{"role":"user","content":[{"text":"a"},{"text":"b"}]},{"role":"assistant","content":[{"text":"c"},{"text":"d"}]},{"role":"user","content":[{"text":"e"}]}],"system":[{"text":"s1"},{"text":"s2"}],"inferenceConfig":{"stopSequences":["x"]}}`
	if string(r.Body) != want {
		t.Fatalf("body:\n%s\nwant:\n%s", r.Body, want)
	}
}

// SDK-style payloads wrapped in {"<eventType>": {...}} translate like wire payloads.
func TestStreamWrappedPayloads(t *testing.T) {
	var in []byte
	in = est.Event(in, "messageStart", `{"messageStart":{"role":"assistant"}}`)
	in = est.Event(in, "contentBlockDelta", `{"contentBlockDelta":{"contentBlockIndex":0,"delta":{"text":"Hi"}}}`)
	in = est.Event(in, "messageStop", `{"messageStop":{"stopReason":"max_tokens"}}`)
	in = est.Event(in, "metadata", `{"metadata":{"usage":{"inputTokens":3,"outputTokens":1}}}`)
	got, err, s := runStream(streamCall(streamCase{}), [][]byte{in})
	if err != nil {
		t.Fatal(err)
	}
	want, _, _ := runStream(streamCall(streamCase{}), [][]byte{buildStream(t, "testdata/streams/no_metadata.events")})
	got = bytes.Replace(got, []byte(`"Hi"`), []byte(`"Done"`), 1)
	if !bytes.Equal(got, want) {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
	if s.Usage().TotalTokens != 4 {
		t.Fatalf("usage %+v", s.Usage())
	}
}
