package messages

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"switchyard/translate"
	"switchyard/translate/internal/goldentest"
)

// Fuzz targets: no panic, output valid where it must be, output bounded by the input size.
// Run each briefly: go test -run '^$' -fuzz FuzzToChat -fuzztime 15s ./translate/messages/

func FuzzToChat(f *testing.F) {
	goldentest.AddSeeds(f, "request/*.json")
	f.Add([]byte(`{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"x","content":[{"type":"image","source":{"type":"url","url":"u"}}]}]}]}`))
	f.Add([]byte(`[{"type":"tool_use","id":"a","name":"b","input":{"x":"\u2028"}}]`))
	// The input is tried as a whole body and in the places a body holds values, so the
	// fuzzer reaches the block conversions without first having to invent a valid envelope.
	wraps := [][2]string{
		{"", ""},
		{`{"model":"m","max_tokens":9,"messages":[{"role":"user","content":`, `}]}`},
		{`{"model":"m","max_tokens":9,"messages":[{"role":"user","content":"q"},{"role":"assistant","content":`, `}]}`},
		{`{"model":"m","max_tokens":9,"messages":[{"role":"user","content":"q"}],"system":`, `}`},
		{`{"model":"m","max_tokens":9999,"messages":[{"role":"user","content":"q"}],"tools":[{"name":"t","input_schema":{}}],"tool_choice":`, `,"thinking":{"type":"enabled","budget_tokens":2000}}`},
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, w := range wraps {
			body := append(append([]byte(w[0]), in...), w[1]...)
			out, _, err := ToChat(body, nil)
			if err != nil {
				if _, ok := err.(*translate.Error); !ok {
					t.Fatalf("error is not a *translate.Error: %v", err)
				}
				continue
			}
			if !validJSON(out) {
				t.Fatalf("invalid JSON out of %q:\n%s", body, out)
			}
			if len(out) > 4*len(body)+1024 {
				t.Fatalf("output %d bytes for %d input bytes", len(out), len(body))
			}
		}
	})
}

func FuzzFromChatResponse(f *testing.F) {
	goldentest.AddSeeds(f, "response/*.json")
	f.Fuzz(func(t *testing.T, body []byte) {
		out, _, err := FromChatResponse(body, nil)
		if err != nil {
			if _, ok := err.(*translate.Error); !ok {
				t.Fatalf("error is not a *translate.Error: %v", err)
			}
			return
		}
		if !validJSON(out) {
			t.Fatalf("invalid JSON out of %q:\n%s", body, out)
		}
		if len(out) > 128*len(body)+1024 {
			t.Fatalf("output %d bytes for %d input bytes", len(out), len(body))
		}
	})
}

func FuzzFromChatError(f *testing.F) {
	goldentest.AddSeeds(f, "error/*.json")
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, status := range []int{400, 429, 500, 529} {
			out := FromChatError(status, body, nil)
			if !validJSON(out) {
				t.Fatalf("invalid JSON out of %q:\n%s", body, out)
			}
			if len(out) > 6*len(body)+1024 {
				t.Fatalf("output %d bytes for %d input bytes", len(out), len(body))
			}
		}
	})
}

// FuzzStream: any upstream bytes, split anywhere, give the same output as one chunk, made
// of well-formed Anthropic events, bounded by the input.
func FuzzStream(f *testing.F) {
	names, _ := filepath.Glob(filepath.Join("testdata", "stream", "*.sse"))
	for _, n := range names {
		if b, err := os.ReadFile(n); err == nil {
			f.Add(b, uint16(len(b)/2))
		}
	}
	f.Fuzz(func(t *testing.T, in []byte, cut uint16) {
		i := int(cut) % (len(in) + 1)
		whole := runStream([][]byte{in})
		if split := runStream([][]byte{in[:i], in[i:]}); !bytes.Equal(whole, split) {
			t.Fatalf("split at %d changes the output:\n%s\n----\n%s", i, whole, split)
		}
		checkEvents(t, whole)
		if len(whole) > 200*len(in)+4096 {
			t.Fatalf("output %d bytes for %d input bytes", len(whole), len(in))
		}
	})
}

func FuzzPassthrough(f *testing.F) {
	goldentest.AddSeeds(f, "request/*.json")
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, model := range []string{"", "claude-opus-4-1"} {
			out, info, err := Passthrough(body, model, nil, nil)
			if err != nil {
				continue
			}
			if !validJSON(out) {
				t.Fatalf("invalid JSON out of %q:\n%s", body, out)
			}
			if model != "" && info.Model != model {
				t.Fatalf("model %q, want %q", info.Model, model)
			}
			if len(out) > len(body)+len(model)+16 {
				t.Fatalf("output %d bytes for %d input bytes", len(out), len(body))
			}
		}
	})
}
