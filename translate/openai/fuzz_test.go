package openai

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/tidwall/gjson"

	"switchyard/translate"
)

func seedFiles(f *testing.F, pattern string, add func([]byte)) {
	files, _ := filepath.Glob(filepath.Join("testdata", pattern))
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		add(b)
	}
}

var fuzzProviders = []string{"openai", "mistral-ai", "groq", "ollama", "together-ai"}

func FuzzBuildRequest(f *testing.F) {
	seedFiles(f, "*request.json", func(b []byte) {
		f.Add(b, []byte(`{"temperature":0.1,"stream_options":{"x":1}}`), "m", uint8(0))
		f.Add(b, []byte(nil), "", uint8(1))
	})
	f.Add([]byte(`{"stream":true,"stream_options":null}`), []byte(`{"stream":false}`), "", uint8(2))
	f.Fuzz(func(t *testing.T, body, override []byte, model string, sel uint8) {
		p := translate.Lookup(fuzzProviders[int(sel)%len(fuzzProviders)])
		op := translate.Operation(sel%3 + 1)
		if !p.Supports(op) {
			op = translate.OpChat
		}
		tg := translate.Target{Provider: p, Model: model, OverrideParams: override, APIKey: "k"}
		c := &translate.Call{Op: op}
		var r translate.UpstreamRequest
		if err := (Adapter{}).BuildRequest(c, &tg, body, &r); err != nil {
			if _, ok := err.(*translate.Error); !ok {
				t.Fatalf("error is not a *translate.Error: %v", err)
			}
			return
		}
		if !json.Valid(r.Body) || !gjson.ParseBytes(r.Body).IsObject() {
			t.Fatalf("invalid body %s from %s", r.Body, body)
		}
		if model != "" && utf8.ValidString(model) && gjson.GetBytes(r.Body, "model").Str != model && !bytes.Contains(body, []byte(`\`)) {
			t.Fatalf("model not replaced: %s", r.Body)
		}
		if c.Stream && !p.NoStreamOptions {
			if v := gjson.GetBytes(r.Body, "stream_options.include_usage"); v.Type != gjson.True {
				t.Fatalf("include_usage missing: %s", r.Body)
			}
		}
		if len(r.Body) > 2*(len(body)+len(override))+len(model)*6+64 {
			t.Fatalf("body grew too much: %d from %d+%d", len(r.Body), len(body), len(override))
		}
	})
}

func FuzzTranslateResponse(f *testing.F) {
	seedFiles(f, "*response.json", func(b []byte) { f.Add(b) })
	f.Fuzz(func(t *testing.T, body []byte) {
		out, _, err := (Adapter{}).TranslateResponse(&translate.Call{Op: translate.OpChat}, body, nil)
		if err == nil && !bytes.Equal(out, body) {
			t.Fatal("not byte-exact")
		}
	})
}

func FuzzTranslateError(f *testing.F) {
	seedFiles(f, "err_*.body", func(b []byte) { f.Add(400, b) })
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		out := (Adapter{}).TranslateError(status, body, nil)
		if !json.Valid(out) {
			t.Fatalf("not JSON: %s", out)
		}
		if gjson.GetBytes(out, "error.message").Type != gjson.String {
			t.Fatalf("no error.message: %s", out)
		}
		if len(out) > 3*len(body)+8192 {
			t.Fatalf("unbounded: %d from %d", len(out), len(body))
		}
	})
}

func FuzzStream(f *testing.F) {
	seedFiles(f, "*_stream.sse", func(b []byte) { f.Add(b, uint16(7), false) })
	f.Fuzz(func(t *testing.T, in []byte, split uint16, includeUsage bool) {
		want := runStream(includeUsage, [][]byte{in})
		i := int(split) % (len(in) + 1)
		if got := runStream(includeUsage, [][]byte{in[:i], in[i:]}); !bytes.Equal(got, want) {
			t.Fatalf("split at %d:\n%s\nvs\n%s", i, got, want)
		}
		if len(want) > 2*len(in)+1024 {
			t.Fatalf("output %d from input %d", len(want), len(in))
		}
	})
}
