package gemini

import (
	"bytes"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"switchyard/translate"
)

// TestStreamChunkSplit feeds every stream fixture split at every byte offset, and in random
// chunk sizes (fixed seed), and requires byte-identical output and the same final error.
func TestStreamChunkSplit(t *testing.T) {
	files, _ := filepath.Glob("testdata/stream/*.sse")
	if len(files) == 0 {
		t.Fatal("no stream fixtures")
	}
	files = append(files, "bench") // the benchmark's 50-event stream too
	for _, f := range files {
		var in []byte
		if f == "bench" {
			in = benchStream(50)
		} else {
			var err error
			if in, err = os.ReadFile(f); err != nil {
				t.Fatal(err)
			}
		}
		t.Run(filepath.Base(f), func(t *testing.T) {
			newCall := func() *translate.Call {
				return &translate.Call{Op: translate.OpChat, Stream: true, IncludeUsage: true, ID: "chatcmpl-x", Created: 1, Model: "gemini-2.0-flash"}
			}
			want, _, wantErr := runStream(newCall(), in, nil)
			for i := 0; i <= len(in); i++ {
				s := NewStream(newCall())
				out, err := s.Feed(nil, in[:i])
				if err == nil {
					out, err = s.Feed(out, in[i:])
				}
				if err == nil {
					out, err = s.Finish(out)
				}
				if err != wantErr && !(err != nil && wantErr != nil && err.Error() == wantErr.Error()) {
					t.Fatalf("split at %d: err %v, want %v", i, err, wantErr)
				}
				if !bytes.Equal(out, want) {
					t.Fatalf("split at %d: output differs\n got: %s\nwant: %s", i, out, want)
				}
			}
			rng := rand.New(rand.NewSource(42))
			for round := 0; round < 200; round++ {
				sizes := make([]int, 1+rng.Intn(8))
				for j := range sizes {
					sizes[j] = 1 + rng.Intn(64)
				}
				out, _, err := runStream(newCall(), in, sizes)
				if (err == nil) != (wantErr == nil) {
					t.Fatalf("sizes %v: err %v, want %v", sizes, err, wantErr)
				}
				if !bytes.Equal(out, want) {
					t.Fatalf("sizes %v: output differs", sizes)
				}
			}
		})
	}
}

// benchStream builds an n-event text stream in Gemini's alt=sse shape.
func benchStream(n int) []byte {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString(`data: {"candidates": [{"content": {"parts": [{"text": "token number `)
		b.WriteString(strings.Repeat("x", i%7))
		b.WriteString(` with \"quotes\"\n"}],"role": "model"}`)
		if i == n-1 {
			b.WriteString(`,"finishReason": "STOP"`)
		}
		b.WriteString(`,"index": 0}],"usageMetadata": {"promptTokenCount": 20,"candidatesTokenCount": `)
		b.WriteString(strings.Repeat("1", 1+i%3))
		b.WriteString(`,"totalTokenCount": 140},"modelVersion": "gemini-2.0-flash","responseId": "bench-1"}` + "\r\n\r\n")
	}
	return []byte(b.String())
}
