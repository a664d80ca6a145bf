package cohere

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"switchyard/translate"
	"switchyard/translate/internal/goldentest"
)

// provider is the catalogue entry these tests use; the real catalogue lives elsewhere.
func provider() *translate.Provider {
	return &translate.Provider{ID: "cohere", Family: Family, Host: "api.cohere.com", BasePath: "/v2",
		Auth: translate.AuthBearer, Ops: []translate.Operation{translate.OpChat, translate.OpEmbeddings}}
}

func target() *translate.Target {
	return &translate.Target{Provider: provider(), APIKey: "co-test-key"}
}

func call(op translate.Operation) *translate.Call {
	return &translate.Call{Op: op, Created: 1733300000, ID: "chatcmpl-fallback", Model: "command-a-03-2025"}
}

func TestGoldenRequests(t *testing.T) {
	cases := []struct {
		name string
		op   translate.Operation
		tune func(*translate.Target)
	}{
		{"chat_basic", translate.OpChat, nil},
		{"chat_tools", translate.OpChat, nil},
		{"chat_tool_choice_named", translate.OpChat, nil},
		{"chat_tool_choice_none", translate.OpChat, nil},
		{"chat_stream", translate.OpChat, nil},
		{"chat_images", translate.OpChat, nil},
		{"chat_history_edges", translate.OpChat, nil},
		{"chat_json_schema", translate.OpChat, nil},
		{"chat_json_object", translate.OpChat, nil},
		{"chat_overrides", translate.OpChat, func(tg *translate.Target) {
			tg.Model = "command-r-plus-08-2024"
			tg.CustomHost = "http://127.0.0.1:8089/cohere/v2/"
			tg.OverrideParams = []byte(`{"temperature":0.1,"max_tokens":64,"response_format":{"json_schema":{"type":"object"}}}`)
			tg.Provider.Headers = []translate.Header{{Name: "x-client-name", Value: "switchyard"}}
		}},
		{"embed_batch", translate.OpEmbeddings, nil},
		{"embed_one", translate.OpEmbeddings, func(tg *translate.Target) { tg.APIKey = "" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tg := target()
			if tc.tune != nil {
				tc.tune(tg)
			}
			c := &translate.Call{Op: tc.op}
			var r translate.UpstreamRequest
			if err := (Adapter{}).BuildRequest(c, tg, goldentest.Read(t, filepath.Join("requests", tc.name+".json")), &r); err != nil {
				t.Fatal(err)
			}
			if !json.Valid(r.Body) {
				t.Fatalf("body is not valid JSON: %s", r.Body)
			}
			goldentest.Check(t, filepath.Join("requests", tc.name+".golden"), goldentest.DumpRequest(c, &r))
		})
	}
}

func TestRequestErrors(t *testing.T) {
	cases := []struct {
		name, body, want string
		op               translate.Operation
	}{
		{"invalid json", `{"model":`, "not valid JSON", translate.OpChat},
		{"not object", `[1]`, "JSON object", translate.OpChat},
		{"no model", `{"messages":[]}`, "model is required", translate.OpChat},
		{"no messages", `{"model":"m"}`, "messages is required", translate.OpChat},
		{"messages not array", `{"model":"m","messages":{}}`, "messages must be an array", translate.OpChat},
		{"bad role", `{"model":"m","messages":[{"role":"robot","content":"x"}]}`, `unknown message role "robot"`, translate.OpChat},
		{"function role", `{"model":"m","messages":[{"role":"function","name":"f","content":"x"}]}`, "function role", translate.OpChat},
		{"tool without id", `{"model":"m","messages":[{"role":"tool","content":"x"}]}`, "tool_call_id", translate.OpChat},
		{"audio part", `{"model":"m","messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{}}]}]}`, `not "input_audio"`, translate.OpChat},
		{"image without url", `{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{}}]}]}`, "image_url.url", translate.OpChat},
		{"system image", `{"model":"m","messages":[{"role":"system","content":[{"type":"image_url"}]}]}`, "text parts only", translate.OpChat},
		{"n>1", `{"model":"m","messages":[],"n":2}`, "n > 1", translate.OpChat},
		{"custom tool", `{"model":"m","messages":[],"tools":[{"type":"custom","custom":{}}]}`, "function tools only", translate.OpChat},
		{"tool no name", `{"model":"m","messages":[],"tools":[{"type":"function","function":{}}]}`, "function.name", translate.OpChat},
		{"tool_choice unknown", `{"model":"m","messages":[],"tool_choice":"sometimes"}`, "tool_choice must be", translate.OpChat},
		{"tool_choice missing fn", `{"model":"m","messages":[],"tools":[{"type":"function","function":{"name":"a"}}],"tool_choice":{"type":"function","function":{"name":"b"}}}`, `"b" which is not in tools`, translate.OpChat},
		{"bad response_format", `{"model":"m","messages":[],"response_format":{"type":"xml"}}`, "response_format.type", translate.OpChat},
		{"assistant call no id", `{"model":"m","messages":[{"role":"assistant","tool_calls":[{"function":{"name":"f"}}]}]}`, "needs id", translate.OpChat},
		{"embed tokens", `{"model":"m","input":[[1,2]]}`, "token-array", translate.OpEmbeddings},
		{"embed empty", `{"model":"m","input":[]}`, "must not be empty", translate.OpEmbeddings},
		{"embed number", `{"model":"m","input":5}`, "string or an array", translate.OpEmbeddings},
		{"embed too many", `{"model":"m","input":[` + strings.Repeat(`"a",`, 96) + `"a"]}`, "at most 96", translate.OpEmbeddings},
		{"completions", `{"model":"m","prompt":"x"}`, "/v1/completions", translate.OpCompletions},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var r translate.UpstreamRequest
			err := (Adapter{}).BuildRequest(&translate.Call{Op: tc.op}, target(), []byte(tc.body), &r)
			var te *translate.Error
			if !errors.As(err, &te) || te.Status != 400 || !strings.Contains(te.Message, tc.want) {
				t.Fatalf("err = %v, want a 400 containing %q", err, tc.want)
			}
		})
	}
	// Configuration mistakes are the gateway's, not the client's.
	tg := target()
	tg.OverrideParams = []byte(`[1]`)
	var te *translate.Error
	err := (Adapter{}).BuildRequest(&translate.Call{Op: translate.OpChat}, tg, []byte(`{"model":"m","messages":[]}`), &translate.UpstreamRequest{})
	if !errors.As(err, &te) || te.Status != 500 || te.Code != "invalid_config" {
		t.Errorf("bad override_params: %v", err)
	}
	tg = target()
	tg.CustomHost = "ftp://x"
	if err := (Adapter{}).BuildRequest(&translate.Call{Op: translate.OpChat}, tg, []byte(`{"model":"m","messages":[]}`), &translate.UpstreamRequest{}); err == nil {
		t.Error("ftp custom host accepted")
	}
	if err := (Adapter{}).BuildRequest(&translate.Call{Op: translate.OpChat}, &translate.Target{}, nil, &translate.UpstreamRequest{}); err == nil {
		t.Error("target without provider accepted")
	}
}

func TestRegistered(t *testing.T) {
	if a, ok := translate.For(Family); !ok || a == nil {
		t.Fatal("cohere family not registered")
	}
}

func TestGoldenResponses(t *testing.T) {
	cases := []struct {
		name    string
		op      translate.Operation
		usage   translate.Usage
		wantErr string
	}{
		{"chat_text", translate.OpChat, translate.Usage{PromptTokens: 71, CompletionTokens: 418, TotalTokens: 489}, ""},
		{"chat_tool_calls", translate.OpChat, translate.Usage{PromptTokens: 1032, CompletionTokens: 124, TotalTokens: 1156}, ""},
		{"chat_max_tokens_billed_only", translate.OpChat, translate.Usage{PromptTokens: 3, CompletionTokens: 9, TotalTokens: 12, CachedTokens: 2}, ""},
		{"chat_timeout_no_usage", translate.OpChat, translate.Usage{}, ""},
		{"chat_error", translate.OpChat, translate.Usage{}, "finish_reason ERROR"},
		{"embed_by_type", translate.OpEmbeddings, translate.Usage{PromptTokens: 2, TotalTokens: 2}, ""},
		{"embed_floats", translate.OpEmbeddings, translate.Usage{PromptTokens: 1, TotalTokens: 1}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := call(tc.op)
			if tc.op == translate.OpEmbeddings {
				c.Model = "embed-v4.0"
			}
			out, u, err := (Adapter{}).TranslateResponse(c, goldentest.Read(t, filepath.Join("responses", tc.name+".json")), nil)
			if tc.wantErr != "" {
				var te *translate.Error
				if !errors.As(err, &te) || te.Status != 502 || !strings.Contains(te.Message, tc.wantErr) {
					t.Fatalf("err = %v, want 502 with %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if u != tc.usage {
				t.Errorf("usage %+v, want %+v", u, tc.usage)
			}
			if !json.Valid(out) {
				t.Fatalf("invalid JSON: %s", out)
			}
			goldentest.Check(t, filepath.Join("responses", tc.name+".golden"), append(out, '\n'))
		})
	}
}

func TestResponseBadUpstream(t *testing.T) {
	for _, body := range []string{``, `not json`, `[1,2]`, `{"embeddings":{"int8":[[1]]}}`, `{"embeddings":[1]}`} {
		op := translate.OpChat
		if strings.Contains(body, "embeddings") {
			op = translate.OpEmbeddings
		}
		_, _, err := (Adapter{}).TranslateResponse(call(op), []byte(body), nil)
		var te *translate.Error
		if !errors.As(err, &te) || te.Status != 502 {
			t.Errorf("%q: err = %v, want 502", body, err)
		}
	}
}

func TestGoldenErrors(t *testing.T) {
	files, _ := filepath.Glob("testdata/errors/*.json")
	if len(files) == 0 {
		t.Fatal("no error fixtures")
	}
	for _, f := range files {
		var status int
		fmt.Sscanf(filepath.Base(f), "%d", &status)
		out := (Adapter{}).TranslateError(status, goldentest.Read(t, strings.TrimPrefix(f, "testdata/")), nil)
		if !json.Valid(out) {
			t.Errorf("%s: invalid JSON %s", f, out)
		}
		goldentest.Check(t, strings.TrimPrefix(strings.TrimSuffix(f, ".json"), "testdata/")+".golden", append(out, '\n'))
	}
}

// runStream feeds a whole fixture in pieces of the given sizes (cycled) and finishes.
func runStream(c *translate.Call, in []byte, sizes []int) ([]byte, translate.Usage, error) {
	s := NewStream(c)
	out, err := goldentest.Feed(s, goldentest.Split(in, sizes))
	return out, s.Usage(), err
}

func TestGoldenStreams(t *testing.T) {
	cases := []struct {
		name         string
		includeUsage bool
		wantErr      error // nil, ErrTruncated, or any *translate.Error (errBad)
		usage        translate.Usage
	}{
		{"text", true, nil, translate.Usage{PromptTokens: 71, CompletionTokens: 26, TotalTokens: 97}},
		{"text_done", false, nil, translate.Usage{PromptTokens: 71, CompletionTokens: 26, TotalTokens: 97}},
		{"text_crlf", true, nil, translate.Usage{PromptTokens: 71, CompletionTokens: 26, TotalTokens: 97}},
		{"text_data_only", true, nil, translate.Usage{PromptTokens: 71, CompletionTokens: 26, TotalTokens: 97}},
		{"tools", true, nil, translate.Usage{PromptTokens: 1589, CompletionTokens: 135, TotalTokens: 1724}},
		{"citations_thinking", false, nil, translate.Usage{PromptTokens: 80, CompletionTokens: 4, TotalTokens: 84, CachedTokens: 64}},
		{"text_truncated", true, translate.ErrTruncated, translate.Usage{}},
		{"done_early", false, translate.ErrTruncated, translate.Usage{}},
		{"end_error", false, errBad, translate.Usage{}},
		{"bad_json", false, errBad, translate.Usage{}},
		{"orphan_tool_delta", false, errBad, translate.Usage{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := call(translate.OpChat)
			c.Stream, c.IncludeUsage = true, tc.includeUsage
			out, u, err := runStream(c, goldentest.Read(t, filepath.Join("streams", tc.name+".sse")), []int{1 << 20})
			checkStreamErr(t, err, tc.wantErr)
			if u != tc.usage {
				t.Errorf("usage %+v, want %+v", u, tc.usage)
			}
			checkChunks(t, out)
			goldentest.Check(t, filepath.Join("streams", tc.name+".golden"), out)
		})
	}
}

var errBad = errors.New("any *translate.Error")

func checkStreamErr(t *testing.T, err, want error) {
	t.Helper()
	switch want {
	case nil:
		if err != nil {
			t.Fatalf("unexpected error %v", err)
		}
	case errBad:
		var te *translate.Error
		if !errors.As(err, &te) || te.Status != 502 {
			t.Fatalf("err = %v, want a 502 *translate.Error", err)
		}
	default:
		if !errors.Is(err, want) {
			t.Fatalf("err = %v, want %v", err, want)
		}
	}
}

// checkChunks asserts the OpenAI SSE framing: every event is "data: <json>\n\n" or the
// terminal [DONE], which only comes last.
func checkChunks(t *testing.T, out []byte) {
	t.Helper()
	events := strings.Split(strings.TrimSuffix(string(out), "\n\n"), "\n\n")
	for i, e := range events {
		if len(out) == 0 {
			return
		}
		data, ok := strings.CutPrefix(e, "data: ")
		if !ok {
			t.Fatalf("event %d not a data line: %q", i, e)
		}
		if data == "[DONE]" {
			if i != len(events)-1 {
				t.Fatalf("[DONE] at %d of %d", i, len(events))
			}
			continue
		}
		if !json.Valid([]byte(data)) {
			t.Fatalf("event %d not JSON: %s", i, data)
		}
	}
}

// TestStreamChunkSplit feeds every fixture split at every byte offset, and in random chunk
// sizes (fixed seed), and wants output byte-identical to the whole-body translation.
func TestStreamChunkSplit(t *testing.T) {
	files, _ := filepath.Glob("testdata/streams/*.sse")
	for _, f := range files {
		in := goldentest.Read(t, strings.TrimPrefix(f, "testdata/"))
		c := call(translate.OpChat)
		c.Stream, c.IncludeUsage = true, true
		want, wu, werr := runStream(c, in, []int{len(in) + 1})
		for cut := 1; cut < len(in); cut++ {
			s := NewStream(c)
			out, err := s.Feed(nil, in[:cut])
			if err == nil {
				out, err = s.Feed(out, in[cut:])
			}
			if err == nil {
				out, err = s.Finish(out)
			}
			if !bytes.Equal(out, want) || (err == nil) != (werr == nil) || s.Usage() != wu {
				t.Fatalf("%s: split at %d differs\n got: %s\nwant: %s", f, cut, out, want)
			}
		}
		rng := uint64(0x9E3779B97F4A7C15)
		for round := 0; round < 50; round++ {
			sizes := make([]int, 16)
			for i := range sizes {
				rng ^= rng << 13
				rng ^= rng >> 7
				rng ^= rng << 17
				sizes[i] = int(rng%97) + 1
			}
			out, u, err := runStream(c, in, sizes)
			if !bytes.Equal(out, want) || (err == nil) != (werr == nil) || u != wu {
				t.Fatalf("%s: random split %v differs\n got: %s\nwant: %s", f, sizes, out, want)
			}
		}
	}
}

func TestStreamFeedAfterEnd(t *testing.T) {
	c := call(translate.OpChat)
	s := NewStream(c)
	in := goldentest.Read(t, "streams/text_done.sse")
	out, err := s.Feed(nil, in)
	if err != nil {
		t.Fatal(err)
	}
	n := len(out)
	out, err = s.Feed(out, []byte("event: content-delta\ndata: {\"type\":\"content-delta\"}\n\n"))
	if err != nil || len(out) != n {
		t.Errorf("fed after [DONE]: %v, %q", err, out[n:])
	}
	if out, err = s.Finish(out); err != nil || len(out) != n {
		t.Errorf("finish after [DONE]: %v", err)
	}
	if strings.Count(string(out), "data: [DONE]") != 1 {
		t.Errorf("want exactly one [DONE]: %s", out)
	}
}
