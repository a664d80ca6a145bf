package openai

import (
	"bytes"
	"math/rand"
	"path/filepath"
	"strings"
	"testing"

	"switchyard/translate"
	"switchyard/translate/internal/goldentest"
)

// runStream feeds chunks and finishes, rendering output, error and usage for golden files.
func runStream(includeUsage bool, chunks [][]byte) []byte {
	return goldentest.DumpStream(NewStream(&translate.Call{Op: translate.OpChat, Stream: true, IncludeUsage: includeUsage}), chunks)
}

func streamFixtures(t *testing.T) []string {
	files, _ := filepath.Glob("testdata/*_stream.sse")
	if len(files) < 8 {
		t.Fatalf("only %d stream fixtures", len(files))
	}
	return files
}

func TestStreamGolden(t *testing.T) {
	for _, f := range streamFixtures(t) {
		name := strings.TrimSuffix(filepath.Base(f), ".sse")
		in := goldentest.Read(t, filepath.Base(f))
		for _, iu := range []bool{false, true} {
			suffix := ""
			if iu {
				suffix = "_include_usage"
			}
			t.Run(name+suffix, func(t *testing.T) {
				goldentest.Check(t, name+suffix+".golden", runStream(iu, [][]byte{in}))
			})
		}
	}
}

// TestStreamSplitInvariance: the output must not depend on how upstream bytes are chunked,
// nor on the line endings the upstream used.
func TestStreamSplitInvariance(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, f := range streamFixtures(t) {
		in := goldentest.Read(t, filepath.Base(f))
		for _, iu := range []bool{false, true} {
			want := runStream(iu, [][]byte{in})
			variants := map[string][]byte{
				"lf":   in,
				"crlf": bytes.ReplaceAll(in, []byte("\n"), []byte("\r\n")),
				"cr":   bytes.ReplaceAll(in, []byte("\n"), []byte("\r")),
			}
			for vname, v := range variants {
				if got := runStream(iu, [][]byte{v}); !bytes.Equal(got, want) {
					t.Fatalf("%s %s: whole differs\n%s\nvs\n%s", f, vname, got, want)
				}
				for i := 0; i <= len(v); i++ {
					if got := runStream(iu, [][]byte{v[:i], v[i:]}); !bytes.Equal(got, want) {
						t.Fatalf("%s %s split at %d:\n%s\nwant\n%s", f, vname, i, got, want)
					}
				}
				for trial := 0; trial < 50; trial++ {
					var chunks [][]byte
					for rest := v; len(rest) > 0; {
						n := 1 + rng.Intn(64)
						if trial%5 == 0 {
							n = 1
						}
						n = min(n, len(rest))
						chunks = append(chunks, rest[:n])
						rest = rest[n:]
					}
					if got := runStream(iu, chunks); !bytes.Equal(got, want) {
						t.Fatalf("%s %s random chunks (trial %d) differ:\n%s", f, vname, trial, got)
					}
				}
			}
		}
	}
}

func TestStreamUsageOnlyChunk(t *testing.T) {
	in := goldentest.Read(t, "chat_stream.sse")
	dropped := runStream(false, [][]byte{in})
	kept := runStream(true, [][]byte{in})
	if bytes.Contains(dropped, []byte(`"choices":[],"usage"`)) {
		t.Error("usage-only chunk must be dropped when the client did not ask for usage")
	}
	if !bytes.Contains(kept, []byte(`"choices":[],"usage"`)) {
		t.Error("usage-only chunk must be kept when the client asked for usage")
	}
	want := "-- usage: {PromptTokens:82 CompletionTokens:41 TotalTokens:123 CachedTokens:64 CacheWriteTokens:0 ReasoningTokens:0}"
	if !bytes.Contains(dropped, []byte(want)) || !bytes.Contains(kept, []byte(want)) {
		t.Errorf("usage not recorded:\n%s", dropped)
	}
}

func TestStreamEventsByteExact(t *testing.T) {
	// Every data payload of the upstream must appear unchanged in the output.
	in := goldentest.Read(t, "text_stream.sse")
	out := runStream(false, [][]byte{in})
	for _, line := range strings.Split(string(in), "\n") {
		if strings.HasPrefix(line, "data: ") && !bytes.Contains(out, []byte(line+"\n\n")) {
			t.Errorf("event not passed through byte-exact: %s", line)
		}
	}
}

func TestStreamAfterDoneIgnored(t *testing.T) {
	s := NewStream(&translate.Call{})
	out, err := s.Feed(nil, []byte("data: [DONE]\n\ndata: {\"choices\":[]}\n\n"))
	if err != nil || string(out) != "data: [DONE]\n\n" {
		t.Fatalf("%q %v", out, err)
	}
	out, err = s.Feed(out, []byte("data: garbage\n\n"))
	if err != nil || string(out) != "data: [DONE]\n\n" {
		t.Fatalf("%q %v", out, err)
	}
	out, err = s.Finish(out)
	if err != nil || string(out) != "data: [DONE]\n\n" {
		t.Fatalf("finish %q %v", out, err)
	}
}

func TestStreamMultiLineData(t *testing.T) {
	s := NewStream(&translate.Call{})
	out, err := s.Feed(nil, []byte("data: {\"choices\":\ndata: [{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := "data: {\"choices\":\ndata: [{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
	if string(out) != want {
		t.Errorf("got %q", out)
	}
}

func TestStreamNotJSON(t *testing.T) {
	s := NewStream(&translate.Call{})
	out, err := s.Feed(nil, []byte("data: hello\n\n"))
	e, ok := err.(*translate.Error)
	if !ok || e.Code != "invalid_upstream_stream" {
		t.Fatalf("err %v", err)
	}
	want := `data: {"error":{"message":"upstream sent a stream event that is not JSON: hello","type":"api_error","param":null,"code":"invalid_upstream_stream"}}` + "\n\n"
	if string(out) != want {
		t.Errorf("got %s", out)
	}
}

func TestStreamLineTooLong(t *testing.T) {
	s := NewStream(&translate.Call{})
	s.r.MaxLine = 64
	_, err := s.Feed(nil, []byte("data: "+strings.Repeat("x", 100)))
	if err != translate.ErrLineTooLong {
		t.Fatalf("err %v", err)
	}
}

func TestStreamErrorShapes(t *testing.T) {
	cases := []struct{ in, want string }{
		{"event: error\ndata: overloaded\n\n",
			`data: {"error":{"message":"upstream stream error: overloaded","type":"api_error","param":null,"code":"upstream_stream_error"}}` + "\n\n"},
		{"data: {\"error\":{\"code\":\"boom\"}}\n\n",
			`data: {"error":{"message":"upstream stream error: {\"error\":{\"code\":\"boom\"}}","type":"api_error","param":null,"code":"boom"}}` + "\n\n"},
		{"data: {\"error\":\"quota exceeded\",\"type\":\"rate_limit_error\"}\n\n",
			`data: {"error":{"message":"quota exceeded","type":"rate_limit_error","param":null,"code":null}}` + "\n\n"},
	}
	for _, tc := range cases {
		s := NewStream(&translate.Call{})
		out, err := s.Feed(nil, []byte(tc.in))
		if err == nil {
			t.Errorf("%q: no error", tc.in)
		}
		if string(out) != tc.want {
			t.Errorf("%q:\n got %s\nwant %s", tc.in, out, tc.want)
		}
		if out2, ferr := s.Finish(out); ferr != nil || len(out2) != len(out) {
			t.Errorf("Finish after an error must add nothing: %q %v", out2[len(out):], ferr)
		}
	}
}

func TestAppendWithoutMember(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"a":1,"usage":null}`, `{"a":1}`},
		{`{"usage":null,"a":1}`, `{"a":1}`},
		// Whitespace around the removed member may stay; the JSON stays valid.
		{`{"usage" : null , "a":1}`, `{ "a":1}`},
		{`{"a":1 , "usage":null ,"b":2}`, `{"a":1  ,"b":2}`},
		{`{"usage":null}`, `{}`},
	} {
		var s Stream
		var r translate.SSEReader
		r.Feed([]byte("data: " + tc.in + "\n\n"))
		ev, ok, err := r.Next()
		if !ok || err != nil {
			t.Fatal(tc.in, ok, err)
		}
		got, err := s.event(nil, ev, false)
		if err != nil || string(got) != "data: "+tc.want+"\n\n" {
			t.Errorf("%s: got %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}
