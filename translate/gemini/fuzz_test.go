package gemini

import (
	"encoding/json"
	"testing"

	"switchyard/translate"
	"switchyard/translate/internal/goldentest"
)

// FuzzBuildRequest: any body yields either a *translate.Error or valid JSON, never a panic.
func FuzzBuildRequest(f *testing.F) {
	goldentest.AddSeeds(f, "request/*.json")
	f.Add([]byte(`{"model":"m","messages":[{"role":"tool","tool_call_id":"x","content":{}}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, op := range []translate.Operation{translate.OpChat, translate.OpEmbeddings} {
			c := &translate.Call{Op: op, ID: "chatcmpl-f"}
			var r translate.UpstreamRequest
			err := (Adapter{}).BuildRequest(c, &translate.Target{Provider: geminiProvider, Model: "gemini-2.0-flash"}, body, &r)
			if err != nil {
				if _, ok := err.(*translate.Error); !ok {
					t.Fatalf("error is %T, want *translate.Error", err)
				}
				continue
			}
			if !json.Valid(r.Body) {
				t.Fatalf("invalid upstream body for %q: %s", body, r.Body)
			}
			if len(r.Body) > 4*len(body)+1024 {
				t.Fatalf("body grew from %d to %d bytes", len(body), len(r.Body))
			}
		}
	})
}

// FuzzTranslateResponse: any answer yields valid JSON or an error; errors translate too.
func FuzzTranslateResponse(f *testing.F) {
	goldentest.AddSeeds(f, "response/*.json")
	goldentest.AddSeeds(f, "error/*.txt")
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, op := range []translate.Operation{translate.OpChat, translate.OpEmbeddings} {
			c := &translate.Call{Op: op, ID: "chatcmpl-f", Model: "m"}
			out, _, err := (Adapter{}).TranslateResponse(c, body, nil)
			if err == nil && !json.Valid(out) {
				t.Fatalf("invalid answer for %q: %s", body, out)
			}
			if len(out) > 8*len(body)+1024 {
				t.Fatalf("answer grew from %d to %d bytes", len(body), len(out))
			}
		}
		if e := (Adapter{}).TranslateError(500, body, nil); !json.Valid(e) {
			t.Fatalf("invalid error for %q: %s", body, e)
		}
	})
}

// FuzzStream: any byte stream, split in two anywhere, yields well-formed SSE events whose
// data is JSON or [DONE], never a panic.
func FuzzStream(f *testing.F) {
	goldentest.AddSeeds(f, "stream/*.sse")
	f.Fuzz(func(t *testing.T, in []byte) {
		c := &translate.Call{Op: translate.OpChat, Stream: true, IncludeUsage: true, ID: "chatcmpl-f", Model: "m"}
		s := NewStream(c)
		half := len(in) / 2
		out, err := s.Feed(nil, in[:half])
		if err == nil {
			out, err = s.Feed(out, in[half:])
		}
		if err == nil {
			out, _ = s.Finish(out)
		}
		checkSSE(t, out)
		if len(out) > 16*len(in)+4096 {
			t.Fatalf("output grew from %d to %d bytes", len(in), len(out))
		}
	})
}

func checkSSE(t *testing.T, out []byte) {
	t.Helper()
	for len(out) > 0 {
		end := indexOf(out, "\n\n")
		if end < 0 || len(out) < 6 || string(out[:6]) != "data: " {
			t.Fatalf("malformed SSE output: %q", out)
		}
		data := out[6:end]
		if string(data) != "[DONE]" && !json.Valid(data) {
			t.Fatalf("event data is not JSON: %s", data)
		}
		out = out[end+2:]
	}
}

func indexOf(b []byte, s string) int {
	for i := 0; i+len(s) <= len(b); i++ {
		if string(b[i:i+len(s)]) == s {
			return i
		}
	}
	return -1
}
