package cohere

import (
	"encoding/json"
	"testing"

	"switchyard/translate"
	"switchyard/translate/internal/goldentest"
)

// FuzzBuildRequest: any client body either fails with a *translate.Error or yields a valid
// JSON upstream body no larger than a bounded multiple of the input.
func FuzzBuildRequest(f *testing.F) {
	goldentest.AddSeeds(f, "requests/*.json")
	f.Add([]byte(`{"model":"m","messages":[{"role":"assistant","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}],"tool_calls":[{"id":"1","function":{"name":"f"}}]}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, op := range []translate.Operation{translate.OpChat, translate.OpEmbeddings} {
			var r translate.UpstreamRequest
			tg := target()
			tg.OverrideParams = []byte(`{"temperature":0.5,"response_format":{"type":"json_object"}}`)
			err := (Adapter{}).BuildRequest(&translate.Call{Op: op}, tg, body, &r)
			if err != nil {
				if _, ok := err.(*translate.Error); !ok {
					t.Fatalf("error of type %T: %v", err, err)
				}
				continue
			}
			if !json.Valid(r.Body) {
				t.Fatalf("invalid upstream body %s from %s", r.Body, body)
			}
			if len(r.Body) > 4*len(body)+512 {
				t.Fatalf("upstream body grew from %d to %d bytes", len(body), len(r.Body))
			}
		}
	})
}

// FuzzTranslateResponse: any upstream answer yields valid JSON or a *translate.Error.
func FuzzTranslateResponse(f *testing.F) {
	goldentest.AddSeeds(f, "responses/*.json")
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, op := range []translate.Operation{translate.OpChat, translate.OpEmbeddings} {
			out, _, err := (Adapter{}).TranslateResponse(call(op), body, nil)
			if err != nil {
				if _, ok := err.(*translate.Error); !ok {
					t.Fatalf("error of type %T: %v", err, err)
				}
				continue
			}
			if !json.Valid(out) {
				t.Fatalf("invalid answer %s from %s", out, body)
			}
			if len(out) > 2*len(body)+1024 {
				t.Fatalf("answer grew from %d to %d bytes", len(body), len(out))
			}
		}
		e := (Adapter{}).TranslateError(500, body, nil)
		// Each invalid UTF-8 byte of an upstream message becomes the 6-byte escape \ufffd.
		if !json.Valid(e) || len(e) > 6*len(body)+512 {
			t.Fatalf("bad error answer %s", e)
		}
	})
}

// FuzzStream: any upstream stream, split in two anywhere, yields well-formed OpenAI events
// identical to the unsplit translation, bounded in size.
func FuzzStream(f *testing.F) {
	goldentest.AddSeeds(f, "streams/*.sse")
	f.Fuzz(func(t *testing.T, in []byte) {
		c := call(translate.OpChat)
		c.Stream, c.IncludeUsage = true, true
		want, _, _ := runStream(c, in, []int{len(in) + 1})
		checkChunks(t, want)
		if len(want) > 16*len(in)+4096 {
			t.Fatalf("output grew from %d to %d bytes", len(in), len(want))
		}
		cut := len(in) / 3
		got, _, _ := runStream(c, in, []int{cut, 7, len(in)})
		if string(got) != string(want) {
			t.Fatalf("split output differs\n got: %s\nwant: %s", got, want)
		}
	})
}
