package anthropic

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"switchyard/translate"
	"switchyard/translate/internal/goldentest"
)

// testProvider mirrors the catalogue entry without depending on it.
func testProvider() *translate.Provider {
	return &translate.Provider{
		ID: "anthropic", Family: Family, Scheme: "https", Host: "api.anthropic.com", BasePath: "/v1",
		Auth: translate.AuthXAPIKey, Ops: []translate.Operation{translate.OpChat},
	}
}

// dumpRequest renders what goes upstream: request line, headers in order, body bytes, and the
// Call fields the response side relies on.
func dumpRequest(r *translate.UpstreamRequest, c *translate.Call) []byte {
	return fmt.Appendf([]byte(goldentest.Head(r)), "\n%s\n\ncall: model=%q stream=%v include_usage=%v\n", r.Body, c.Model, c.Stream, c.IncludeUsage)
}

func TestRequestGolden(t *testing.T) {
	cases := []struct {
		name   string
		target func(*translate.Target)
	}{
		{name: "basic"},
		{name: "agent_tools"},
		{name: "named_tool"},
		{name: "images"},
		{name: "system_blocks"},
		{name: "thinking_effort"},
		{name: "thinking_object"},
		{name: "effort_clamped"},
		{name: "overrides", target: func(tg *translate.Target) {
			tg.Model = "claude-opus-4-1-20250805"
			tg.OverrideParams = []byte(`{"temperature":0.7,"top_k":40,"stream_options":{"include_usage":true}}`)
			tg.CustomHost = "http://127.0.0.1:8089/anthropic/v1/"
			tg.Options.AnthropicVersion = "2024-01-01"
			tg.Options.AnthropicBeta = "prompt-caching-2024-07-31,output-128k-2025-02-19"
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tg := &translate.Target{Provider: testProvider(), APIKey: "sk-ant-test"}
			if tc.target != nil {
				tc.target(tg)
			}
			c := &translate.Call{Op: translate.OpChat, Created: 1700000000, ID: "chatcmpl-fallback"}
			var r translate.UpstreamRequest
			err := Adapter{}.BuildRequest(c, tg, goldentest.Read(t, "request/"+tc.name+".json"), &r)
			if err != nil {
				t.Fatalf("BuildRequest: %v", err)
			}
			if !validJSON(r.Body) {
				t.Fatalf("body is not valid JSON: %s", r.Body)
			}
			goldentest.Check(t, "request/"+tc.name+".golden", dumpRequest(&r, c))
			// A caller that validated the body already (Call.BodyValid) gets the same request.
			cv := &translate.Call{Op: translate.OpChat, Created: 1700000000, ID: "chatcmpl-fallback", BodyValid: true}
			var rv translate.UpstreamRequest
			if err := (Adapter{}).BuildRequest(cv, tg, goldentest.Read(t, "request/"+tc.name+".json"), &rv); err != nil {
				t.Fatalf("BuildRequest with BodyValid: %v", err)
			}
			if got, want := dumpRequest(&rv, cv), dumpRequest(&r, c); string(got) != string(want) {
				t.Errorf("BodyValid changed the request:\n%s\nwant\n%s", got, want)
			}
		})
	}
}

func TestResponseGolden(t *testing.T) {
	for _, name := range []string{"text_cache_usage", "tool_use_parallel", "tool_use_only", "thinking", "refusal", "max_tokens", "stop_sequence_pause"} {
		t.Run(name, func(t *testing.T) {
			c := &translate.Call{Op: translate.OpChat, Created: 1700000000, ID: "chatcmpl-fallback", Model: "claude-sonnet-4-5"}
			out, u, err := Adapter{}.TranslateResponse(c, goldentest.Read(t, "response/"+name+".json"), nil)
			if err != nil {
				t.Fatalf("TranslateResponse: %v", err)
			}
			if !validJSON(out) {
				t.Fatalf("output is not valid JSON: %s", out)
			}
			goldentest.Check(t, "response/"+name+".golden", fmt.Appendf(out, "\n%+v\n", u))
		})
	}
}

// runStream feeds the whole input at once and renders output, Finish and usage.
func runStream(c *translate.Call, in []byte, split func([]byte) [][]byte) []byte {
	s := Adapter{}.NewStream(c)
	out, err := goldentest.Feed(s, split(in))
	return fmt.Appendf(out, "-- err: %v\n-- usage: %+v\n", err, s.Usage())
}

func whole(b []byte) [][]byte { return [][]byte{b} }

func TestStreamGolden(t *testing.T) {
	cases := []struct {
		name         string
		includeUsage bool
	}{
		{"text", false},
		{"text_usage", true},
		{"tool_use", true},
		{"parallel_thinking", false},
		{"tool_no_input", false},
		{"refusal", false},
		{"error_event", false},
		{"truncated", false},
		{"crlf_no_message_start", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.name
			if tc.name == "text_usage" {
				in = "text"
			}
			c := &translate.Call{Op: translate.OpChat, Stream: true, IncludeUsage: tc.includeUsage, Created: 1700000000, ID: "chatcmpl-fallback", Model: "claude-sonnet-4-5"}
			out := runStream(c, goldentest.Read(t, "stream/"+in+".sse"), whole)
			checkChunks(t, out)
			goldentest.Check(t, "stream/"+tc.name+".golden", out)
		})
	}
}

// checkChunks asserts every data line of the output is valid JSON or [DONE].
func checkChunks(t *testing.T, out []byte) {
	t.Helper()
	for _, line := range strings.Split(string(out), "\n") {
		if d, ok := strings.CutPrefix(line, "data: "); ok && d != "[DONE]" && !validJSON([]byte(d)) {
			t.Fatalf("chunk is not valid JSON: %s", d)
		}
	}
}

func TestErrorGolden(t *testing.T) {
	cases := []struct {
		name   string
		status int
	}{
		{"invalid_request", 400},
		{"authentication", 401},
		{"permission", 403},
		{"not_found", 404},
		{"request_too_large", 413},
		{"rate_limit", 429},
		{"api_error", 500},
		{"overloaded", 529},
		{"billing", 402},
		{"html_gateway", 502},
		{"empty", 503},
		{"vertex_google", 400},
		{"unknown_json", 418},
	}
	var all []byte
	for _, tc := range cases {
		body := goldentest.Read(t, "error/"+tc.name+".json")
		out := Adapter{}.TranslateError(tc.status, body, nil)
		if !validJSON(out) {
			t.Fatalf("%s: not valid JSON: %s", tc.name, out)
		}
		all = fmt.Appendf(all, "%s %d: %s\n", tc.name, tc.status, out)
	}
	goldentest.Check(t, "error/errors.golden", all)
}

func TestTruncatedIsErrTruncated(t *testing.T) {
	c := &translate.Call{Op: translate.OpChat, Stream: true, Created: 1}
	s := NewStream(c)
	out, err := s.Feed(nil, goldentest.Read(t, "stream/truncated.sse"))
	if err != nil {
		t.Fatal(err)
	}
	out, err = s.Finish(out)
	if !errors.Is(err, translate.ErrTruncated) {
		t.Fatalf("Finish error = %v, want ErrTruncated", err)
	}
	if bytes.Contains(out, []byte("[DONE]")) {
		t.Fatalf("a truncated stream must not end with [DONE]: %s", out)
	}
}
