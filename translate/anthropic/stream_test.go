package anthropic

import (
	"bytes"
	"math/rand"
	"strings"
	"testing"

	"switchyard/translate"
	"switchyard/translate/internal/goldentest"
)

var streamFixtures = []string{"text", "tool_use", "parallel_thinking", "tool_no_input", "refusal", "error_event", "truncated", "crlf_no_message_start"}

// TestStreamSplitAnywhere: the same upstream bytes split at every offset, and in random chunk
// sizes, give byte-identical output, error and usage.
func TestStreamSplitAnywhere(t *testing.T) {
	for _, name := range streamFixtures {
		t.Run(name, func(t *testing.T) {
			in := goldentest.Read(t, "stream/"+name+".sse")
			c := &translate.Call{Op: translate.OpChat, Stream: true, IncludeUsage: true, Created: 1700000000, ID: "chatcmpl-x", Model: "m"}
			want := runStream(c, in, whole)
			for i := 0; i <= len(in); i++ {
				got := runStream(c, in, func(b []byte) [][]byte { return [][]byte{b[:i], b[i:]} })
				if !bytes.Equal(got, want) {
					t.Fatalf("split at %d differs:\n%s\nwant:\n%s", i, got, want)
				}
			}
			// Three-way splits around every CR/LF catch state kept across two boundaries.
			for i := 0; i < len(in); i++ {
				if in[i] != '\n' && in[i] != '\r' {
					continue
				}
				got := runStream(c, in, func(b []byte) [][]byte { return [][]byte{b[:i], b[i : i+1], b[i+1:]} })
				if !bytes.Equal(got, want) {
					t.Fatalf("3-way split at %d differs", i)
				}
			}
			rng := rand.New(rand.NewSource(42))
			for round := 0; round < 200; round++ {
				got := runStream(c, in, func(b []byte) [][]byte {
					var parts [][]byte
					for len(b) > 0 {
						n := 1 + rng.Intn(40)
						if n > len(b) {
							n = len(b)
						}
						parts = append(parts, b[:n])
						b = b[n:]
					}
					return parts
				})
				if !bytes.Equal(got, want) {
					t.Fatalf("random split round %d differs", round)
				}
			}
		})
	}
}

func TestStreamMalformed(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"bad json", "data: {\"type\":\n\n", `data: {"error":{"message":"Anthropic stream sent an event that is not valid JSON: {\"type\":","type":"api_error","param":null,"code":"bad_upstream_response"}}` + "\n\n"},
		{"unstarted block", `data: {"type":"content_block_delta","index":3,"delta":{"type":"text_delta","text":"x"}}` + "\n\n", `data: {"error":{"message":"Anthropic stream: content block 3 was never started","type":"api_error","param":null,"code":"bad_upstream_response"}}` + "\n\n"},
		{"huge index", `data: {"type":"content_block_start","index":99999,"content_block":{"type":"text","text":""}}` + "\n\n", `data: {"error":{"message":"Anthropic stream: content block index 99999 is missing or out of range","type":"api_error","param":null,"code":"bad_upstream_response"}}` + "\n\n"},
		{"long id", `data: {"type":"message_start","message":{"id":"` + strings.Repeat("a", 300) + `"}}` + "\n\n", `data: {"error":{"message":"Anthropic stream: message id or model name is implausibly long","type":"api_error","param":null,"code":"bad_upstream_response"}}` + "\n\n"},
		{"error without message", `data: {"type":"error","error":{"type":"api_error"}}` + "\n\n", `data: {"error":{"message":"Anthropic stream reported an error","type":"api_error","param":null,"code":"api_error"}}` + "\n\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := NewStream(&translate.Call{Op: translate.OpChat, Created: 1})
			out, err := s.Feed(nil, []byte(tc.in))
			if err == nil {
				t.Fatal("want an error")
			}
			if string(out) != tc.want {
				t.Fatalf("got  %q\nwant %q", out, tc.want)
			}
			// After an error nothing more is written.
			if out2, _ := s.Finish(nil); len(out2) != 0 {
				t.Fatalf("Finish after error wrote %q", out2)
			}
		})
	}
}

func TestStreamLineTooLong(t *testing.T) {
	s := NewStream(&translate.Call{Op: translate.OpChat, Created: 1})
	s.r.MaxLine = 64
	out, err := s.Feed(nil, []byte("data: "+strings.Repeat("x", 100)))
	if err == nil || !strings.Contains(string(out), "SSE line too long") {
		t.Fatalf("out %q err %v", out, err)
	}
}

// TestStreamAfterDone: bytes after message_stop are ignored and Finish adds nothing.
func TestStreamAfterDone(t *testing.T) {
	s := NewStream(&translate.Call{Op: translate.OpChat, Created: 1})
	out, err := s.Feed(nil, []byte("data: {\"type\":\"message_stop\"}\n\ndata: {\"type\":\"message_stop\"}\n\n"))
	if err != nil || strings.Count(string(out), "[DONE]") != 1 {
		t.Fatalf("out %q err %v", out, err)
	}
	if out, err = s.Finish(nil); err != nil || len(out) != 0 {
		t.Fatalf("Finish: %q %v", out, err)
	}
}

func TestStreamEmptyIsTruncated(t *testing.T) {
	s := NewStream(&translate.Call{Op: translate.OpChat, Created: 1})
	out, err := s.Finish(nil)
	if err != translate.ErrTruncated || !strings.Contains(string(out), "ended before message_stop") {
		t.Fatalf("out %q err %v", out, err)
	}
}
