package bedrock

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"switchyard/translate"
	est "switchyard/translate/bedrock/eventstream/eventstreamtest"
	"switchyard/translate/internal/goldentest"
)

// Any body: no panic; a successful build is valid JSON, bounded by the input size.
func FuzzBuildRequest(f *testing.F) {
	goldentest.AddSeeds(f, "requests/*.json")
	f.Add([]byte(`{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":"data:image/png;base64,\u0022"}]}]}`))
	f.Add([]byte(`{"model":"amazon.titan-embed-text-v1","input":"x","dimensions":8,"normalize":true}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, op := range []translate.Operation{translate.OpChat, translate.OpEmbeddings} {
			tgt := translate.Target{Provider: provider(), Options: awsOptions("us-east-1", "t")}
			c := &translate.Call{Op: op, Now: signTime}
			var r translate.UpstreamRequest
			err := (Adapter{}).BuildRequest(c, &tgt, body, &r)
			if err != nil {
				if _, ok := err.(*translate.Error); !ok {
					t.Fatalf("error of type %T", err)
				}
				continue
			}
			if !json.Valid(r.Body) {
				t.Fatalf("invalid upstream JSON:\n%s\nfrom:\n%s", r.Body, body)
			}
			if len(r.Body) > 4*len(body)+1024 {
				t.Fatalf("body grew from %d to %d bytes", len(body), len(r.Body))
			}
		}
	})
}

// Any answer: no panic; a successful translation is valid JSON.
func FuzzTranslateResponse(f *testing.F) {
	goldentest.AddSeeds(f, "responses/*.json")
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, op := range []translate.Operation{translate.OpChat, translate.OpEmbeddings} {
			c := &translate.Call{Op: op, Model: "m", ID: "chatcmpl-1", Created: 1}
			out, _, err := (Adapter{}).TranslateResponse(c, body, nil)
			if err == nil && !json.Valid(out) {
				t.Fatalf("invalid JSON:\n%s\nfrom:\n%s", out, body)
			}
		}
		out := (Adapter{}).TranslateError(400, body, nil)
		if !json.Valid(out) {
			t.Fatalf("invalid error JSON: %s", out)
		}
	})
}

// checkSSE asserts every event is "data: <JSON>" or "data: [DONE]" (last), and that an
// error, if any, is announced by an error event.
func checkSSE(t *testing.T, out []byte, err error) {
	if len(out) == 0 {
		return
	}
	if !bytes.HasSuffix(out, []byte("\n\n")) {
		t.Fatalf("output does not end an event: %q", out)
	}
	events := strings.Split(strings.TrimSuffix(string(out), "\n\n"), "\n\n")
	for i, e := range events {
		data, ok := strings.CutPrefix(e, "data: ")
		if !ok {
			t.Fatalf("event %d is not data: %q", i, e)
		}
		if data == "[DONE]" {
			if i != len(events)-1 || err != nil {
				t.Fatalf("[DONE] not last or with error %v", err)
			}
			continue
		}
		if !json.Valid([]byte(data)) {
			t.Fatalf("event %d not JSON: %q", i, data)
		}
	}
	if err != nil && !strings.Contains(events[len(events)-1], `"error"`) {
		t.Fatalf("error %v without an error event", err)
	}
}

// Arbitrary bytes (mostly corrupt frames) split anywhere: no panic, clean SSE, error events.
func FuzzStreamBytes(f *testing.F) {
	for _, tc := range streamCases() {
		f.Add(buildStream(f, filepath.Join("testdata/streams", tc.name+".events")), uint8(5))
	}
	f.Fuzz(func(t *testing.T, in []byte, step uint8) {
		var chunks [][]byte
		n := int(step)%97 + 1
		for len(in) > 0 {
			k := min(n, len(in))
			chunks = append(chunks, in[:k])
			in = in[k:]
		}
		out, err, _ := runStream(&translate.Call{Op: translate.OpChat, Model: "m", ID: "x", IncludeUsage: step&1 == 1}, chunks)
		checkSSE(t, out, err)
	})
}

// Well-framed events with arbitrary types and payloads: the translator's own logic.
func FuzzStreamEvents(f *testing.F) {
	f.Add(uint8(0), `{"role":"assistant"}`, uint8(2), `{"contentBlockIndex":0,"delta":{"text":"hi"}}`, uint8(1), `{"contentBlockIndex":1,"start":{"toolUse":{"toolUseId":"t","name":"n"}}}`)
	f.Add(uint8(2), `{"contentBlockIndex":1,"delta":{"toolUse":{"input":"{\"a"}}}`, uint8(4), `{"stopReason":"tool_use"}`, uint8(5), `{"usage":{"inputTokens":1}}`)
	f.Add(uint8(6), `{"message":"x"}`, uint8(4), `{}`, uint8(5), `{"usage":{"inputTokens":"x"}}`)
	types := []string{"messageStart", "contentBlockStart", "contentBlockDelta", "contentBlockStop", "messageStop", "metadata", "exception", "other"}
	f.Fuzz(func(t *testing.T, t1 uint8, p1 string, t2 uint8, p2 string, t3 uint8, p3 string) {
		var in []byte
		in = est.Event(in, "messageStart", `{"role":"assistant"}`)
		for _, e := range []struct {
			t uint8
			p string
		}{{t1, p1}, {t2, p2}, {t3, p3}} {
			if len(e.p) > 60000 {
				return
			}
			name := types[int(e.t)%len(types)]
			if name == "exception" {
				in = est.Exception(in, "throttlingException", e.p)
			} else {
				in = est.Event(in, name, e.p)
			}
		}
		in = est.Event(in, "messageStop", `{"stopReason":"end_turn"}`)
		in = est.Event(in, "metadata", `{"usage":{"inputTokens":1,"outputTokens":2}}`)
		out, err, _ := runStream(&translate.Call{Op: translate.OpChat, Model: "m", ID: "x", IncludeUsage: true}, [][]byte{in})
		checkSSE(t, out, err)
	})
}
