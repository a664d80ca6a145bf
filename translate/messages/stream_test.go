package messages

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"switchyard/translate"
	"switchyard/translate/internal/goldentest"
)

var streamFixtures = []string{"text", "tool_calls_parallel", "whole_tool_calls", "reasoning", "refusal", "error_event", "truncated", "finish_no_done_crlf"}

// TestStreamChunkSplit: the output must not depend on how the upstream bytes were cut: every
// two-way split at each byte offset, one byte at a time, and random chunk sizes (fixed seed)
// all give the bytes of the one-chunk run.
func TestStreamChunkSplit(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, name := range streamFixtures {
		in := goldentest.Read(t, "stream/"+name+".sse")
		want := runStream([][]byte{in})
		for i := 0; i <= len(in); i++ {
			if got := runStream([][]byte{in[:i], in[i:]}); !bytes.Equal(got, want) {
				t.Fatalf("%s split at %d:\n got: %s\nwant: %s", name, i, got, want)
			}
		}
		if got := runStream(goldentest.Split(in, []int{1})); !bytes.Equal(got, want) {
			t.Fatalf("%s fed byte by byte:\n got: %s\nwant: %s", name, got, want)
		}
		for round := 0; round < 200; round++ {
			var parts [][]byte
			for rest := in; len(rest) > 0; {
				n := min(1+rng.IntN(64), len(rest))
				parts = append(parts, rest[:n])
				rest = rest[n:]
			}
			if got := runStream(parts); !bytes.Equal(got, want) {
				t.Fatalf("%s random chunks (round %d):\n got: %s\nwant: %s", name, round, got, want)
			}
		}
	}
}

func TestStreamTruncatedIsErrTruncated(t *testing.T) {
	s := NewStream(&translate.Call{})
	out, err := s.Feed(nil, goldentest.Read(t, "stream/truncated.sse"))
	if err != nil {
		t.Fatal(err)
	}
	out, err = s.Finish(out)
	if !errors.Is(err, translate.ErrTruncated) {
		t.Fatalf("Finish error = %v, want ErrTruncated", err)
	}
	if bytes.Contains(out, []byte("message_stop")) {
		t.Fatalf("a truncated stream must not end with message_stop: %s", out)
	}
	// Nothing more after the end.
	if more, _ := s.Feed(nil, []byte("data: [DONE]\n\n")); len(more) != 0 {
		t.Fatalf("Feed after failure wrote %q", more)
	}
}

func TestStreamCases(t *testing.T) {
	chunk := func(delta string) string {
		return `data: {"id":"c1","model":"m","choices":[{"index":0,"delta":` + delta + `,"finish_reason":null}]}` + "\n\n"
	}
	cases := []struct {
		name, in string
		want     []string // substrings that must appear, in order
		err      string
	}{
		{
			name: "done only: an empty message from the fallbacks",
			in:   "data: [DONE]\n\n",
			want: []string{`"id":"msg_fallback"`, `"model":"fallback-model"`, `"stop_reason":"end_turn"`, "message_stop"},
		},
		{
			name: "interleaved tool calls are refused",
			in: chunk(`{"tool_calls":[{"index":0,"id":"a","function":{"name":"f","arguments":"{"}}]}`) +
				chunk(`{"tool_calls":[{"index":1,"id":"b","function":{"name":"g","arguments":"{"}}]}`) +
				chunk(`{"tool_calls":[{"index":0,"function":{"arguments":"}"}}]}`),
			want: []string{`"index":0,"content_block":{"type":"tool_use","id":"a"`, `"index":1,"content_block":{"type":"tool_use","id":"b"`, "event: error", "arrived after another call started"},
			err:  "arrived after another call started",
		},
		{
			name: "same index, new id: a new block (providers that number every call 0)",
			in: chunk(`{"tool_calls":[{"index":0,"id":"a","function":{"name":"f","arguments":"{}"}}]}`) +
				chunk(`{"tool_calls":[{"index":0,"id":"b","function":{"name":"g","arguments":"{}"}}]}`) +
				"data: [DONE]\n\n",
			want: []string{`"index":0,"content_block":{"type":"tool_use","id":"a"`, `{"type":"content_block_stop","index":0}`, `"index":1,"content_block":{"type":"tool_use","id":"b"`, `{"type":"content_block_stop","index":1}`, "message_stop"},
		},
		{
			name: "text after a tool call opens a new text block",
			in: chunk(`{"content":"a"}`) + chunk(`{"tool_calls":[{"index":0,"id":"x","function":{"name":"f"}}]}`) +
				chunk(`{"content":"b"}`) + "data: [DONE]\n\n",
			want: []string{`"index":0,"content_block":{"type":"text"`, `"index":1,"content_block":{"type":"tool_use"`, `{"type":"content_block_stop","index":1}`, `"index":2,"content_block":{"type":"text"`, `"index":2,"delta":{"type":"text_delta","text":"b"}`},
		},
		{
			name: "Azure's prompt filter chunk does not start the message",
			in: `data: {"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[{"prompt_index":0,"content_filter_results":{}}]}` + "\n\n" +
				`data: {"id":"chatcmpl-az","model":"","choices":[{"index":0,"delta":{"role":"assistant","content":"x"},"finish_reason":null}]}` + "\n\n" + "data: [DONE]\n\n",
			want: []string{`"message":{"id":"chatcmpl-az","type":"message","role":"assistant","model":"fallback-model"`, `"text":"x"`, "message_stop"},
		},
		{
			name: "not JSON",
			in:   "data: {oops\n\n",
			want: []string{"event: error", `"type":"api_error"`, "not valid JSON"},
			err:  "not valid JSON",
		},
		{
			name: "insufficient quota error",
			in:   chunk(`{"content":"a"}`) + `data: {"error":{"message":"quota","type":"insufficient_quota","code":"insufficient_quota"}}` + "\n\n",
			want: []string{`event: error` + "\n" + `data: {"type":"error","error":{"type":"billing_error","message":"quota"}}`},
			err:  "quota",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := runStream([][]byte{[]byte(tc.in)})
			checkEvents(t, out)
			rest := string(out)
			for _, w := range tc.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("missing (in order) %q in:\n%s", w, out)
				}
				rest = rest[i+len(w):]
			}
			clean := strings.Contains(string(out), "-- feed error: <nil>\n-- finish error: <nil>\n")
			if clean != (tc.err == "") {
				t.Fatalf("want error %q:\n%s", tc.err, out)
			}
		})
	}
}
