package vertex

import (
	"bytes"
	"encoding/json"
	"math/rand"
	"testing"

	"switchyard/translate"
	"switchyard/translate/internal/goldentest"
)

func FuzzBuildRequest(f *testing.F) {
	goldentest.AddSeeds(f, "request/*.json")
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, op := range []translate.Operation{translate.OpChat, translate.OpEmbeddings} {
			c := &translate.Call{Op: op}
			var r translate.UpstreamRequest
			err := (Adapter{}).BuildRequest(c, target("us-central1"), body, &r)
			if err != nil {
				if _, ok := err.(*translate.Error); !ok {
					t.Fatalf("error is %T, want *translate.Error", err)
				}
				continue
			}
			if !json.Valid(r.Body) {
				t.Fatalf("invalid upstream body for %q: %s", body, r.Body)
			}
		}
	})
}

func FuzzTranslateResponse(f *testing.F) {
	goldentest.AddSeeds(f, "response/*.json")
	goldentest.AddSeeds(f, "error/*.txt")
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, model := range []string{"gemini-2.0-flash", "claude-3-5-haiku@20241022", "meta/llama-3.3-70b-instruct-maas"} {
			c := &translate.Call{Op: translate.OpChat, ID: "chatcmpl-f", Model: model}
			// The Llama answer is passed through as is (translate/openai), valid or not.
			if out, _, err := (Adapter{}).TranslateResponse(c, body, nil); err == nil && !IsOpenAIShaped(model) && !json.Valid(out) {
				t.Fatalf("invalid answer for %q: %s", body, out)
			}
		}
		if e := (Adapter{}).TranslateError(500, body, nil); !json.Valid(e) {
			t.Fatalf("invalid error for %q: %s", body, e)
		}
	})
}

func FuzzStream(f *testing.F) {
	goldentest.AddSeeds(f, "stream/*.sse")
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, model := range []string{"gemini-2.0-flash", "claude-3-5-haiku@20241022", "meta/llama-3.3-70b-instruct-maas"} {
			c := &translate.Call{Op: translate.OpChat, Stream: true, IncludeUsage: true, ID: "chatcmpl-f", Model: model}
			s := (Adapter{}).NewStream(c)
			out, err := s.Feed(nil, in)
			if err == nil {
				out, _ = s.Finish(out)
			}
			for _, ev := range bytes.Split(bytes.TrimSuffix(out, []byte("\n\n")), []byte("\n\n")) {
				if len(ev) == 0 {
					continue
				}
				data, ok := bytes.CutPrefix(ev, []byte("data: "))
				if !ok {
					t.Fatalf("event without data: %q", ev)
				}
				// The OpenAI-compatible Llama stream is passed through byte for byte
				// (translate/openai's choice), so only the framing is checked there.
				if !IsOpenAIShaped(model) && string(data) != "[DONE]" && !json.Valid(data) {
					t.Fatalf("event data is not JSON: %q", ev)
				}
			}
		}
	})
}

// TestStreamChunkSplit: both Vertex stream shapes give byte-identical output however the
// upstream bytes are split (every offset, then random sizes with a fixed seed).
func TestStreamChunkSplit(t *testing.T) {
	for name, model := range map[string]string{"gemini": "gemini-2.5-pro", "claude": "claude-sonnet-4@20250514", "llama": "meta/llama-3.3-70b-instruct-maas"} {
		in := goldentest.Read(t, "stream/"+name+".sse")
		run := func(parts [][]byte) []byte {
			c := &translate.Call{Op: translate.OpChat, Stream: true, IncludeUsage: true, ID: "x", Created: 1, Model: model}
			s := (Adapter{}).NewStream(c)
			var out []byte
			var err error
			for _, p := range parts {
				if out, err = s.Feed(out, p); err != nil {
					t.Fatal(err)
				}
			}
			if out, err = s.Finish(out); err != nil {
				t.Fatal(err)
			}
			return out
		}
		want := run([][]byte{in})
		for i := 0; i <= len(in); i++ {
			if got := run([][]byte{in[:i], in[i:]}); !bytes.Equal(got, want) {
				t.Fatalf("%s: split at %d differs", name, i)
			}
		}
		rng := rand.New(rand.NewSource(7))
		for round := 0; round < 200; round++ {
			var parts [][]byte
			for rest := in; len(rest) > 0; {
				n := min(1+rng.Intn(48), len(rest))
				parts, rest = append(parts, rest[:n]), rest[n:]
			}
			if got := run(parts); !bytes.Equal(got, want) {
				t.Fatalf("%s: random split round %d differs", name, round)
			}
		}
	}
}

func BenchmarkBuildRequestClaude(b *testing.B) {
	in := goldentest.Read(b, "request/claude_chat.json")
	tg := target("us-east5")
	var r translate.UpstreamRequest
	b.ReportAllocs()
	for b.Loop() {
		r.Reset()
		c := translate.Call{Op: translate.OpChat}
		if err := (Adapter{}).BuildRequest(&c, tg, in, &r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBuildRequestGemini(b *testing.B) {
	in := goldentest.Read(b, "request/gemini_chat.json")
	tg := target("us-central1")
	var r translate.UpstreamRequest
	b.ReportAllocs()
	for b.Loop() {
		r.Reset()
		c := translate.Call{Op: translate.OpChat}
		if err := (Adapter{}).BuildRequest(&c, tg, in, &r); err != nil {
			b.Fatal(err)
		}
	}
}
