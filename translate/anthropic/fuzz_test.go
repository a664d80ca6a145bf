package anthropic

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tidwall/gjson"

	"switchyard/translate"
	"switchyard/translate/internal/goldentest"
)

// FuzzRequest: any body either fails with a *translate.Error or yields valid JSON of bounded
// size; never a panic.
func FuzzRequest(f *testing.F) {
	goldentest.AddSeeds(f, "request/*.json")
	f.Add([]byte(`{"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"a","function":{"name":"f","arguments":"{\"x\":\"\\ud800\"}"}}]}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		c := &translate.Call{Op: translate.OpChat}
		var r translate.UpstreamRequest
		err := Adapter{}.BuildRequest(c, &translate.Target{Provider: testProvider(), APIKey: "k"}, body, &r)
		if err != nil {
			if _, ok := err.(*translate.Error); !ok {
				t.Fatalf("error %T %v is not a *translate.Error", err, err)
			}
			return
		}
		if !json.Valid(r.Body) {
			t.Fatalf("invalid JSON upstream body %s from %s", r.Body, body)
		}
		if len(r.Body) > 8*len(body)+1024 {
			t.Fatalf("body grew from %d to %d bytes", len(body), len(r.Body))
		}
	})
}

// FuzzResponse: valid JSON out (or an error), bounded.
func FuzzResponse(f *testing.F) {
	goldentest.AddSeeds(f, "response/*.json")
	f.Fuzz(func(t *testing.T, body []byte) {
		c := &translate.Call{ID: "chatcmpl-x", Model: "m", Created: 1}
		out, _, err := Adapter{}.TranslateResponse(c, body, nil)
		if err == nil && !json.Valid(out) {
			t.Fatalf("invalid JSON %s from %s", out, body)
		}
		if len(out) > 4*len(body)+1024 {
			t.Fatalf("output grew from %d to %d bytes", len(body), len(out))
		}
		e := Adapter{}.TranslateError(500, body, nil)
		if !json.Valid(e) || len(e) > 1024+6*len(body) {
			t.Fatalf("bad error translation %s", e)
		}
	})
}

// FuzzStream: arbitrary upstream bytes, split at a fuzzed offset, give the same output as
// unsplit; every data line is JSON or [DONE]; output is bounded by the input.
func FuzzStream(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "stream", "*.sse"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b, uint16(len(b)/2), true)
		}
	}
	for _, ev := range []string{
		"data: {\"type\":\"message_stop\"}\n\n",
		"data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_use\",\"id\":\"t\",\"name\":\"f\"}}\r\n\r\n",
		"data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"a\\nb\"}}\n\n",
		"event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n",
		"data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"max_tokens\"},\"usage\":{\"output_tokens\":7}}\r",
	} {
		f.Add([]byte(ev), uint16(7), false)
	}
	f.Fuzz(func(t *testing.T, in []byte, at uint16, usage bool) {
		c := &translate.Call{Op: translate.OpChat, Stream: true, IncludeUsage: usage, Created: 1, ID: "chatcmpl-x", Model: "m"}
		want := runStream(c, in, whole)
		i := int(at) % (len(in) + 1)
		got := runStream(c, in, func(b []byte) [][]byte { return [][]byte{b[:i], b[i:]} })
		if !bytes.Equal(got, want) {
			t.Fatalf("split at %d differs:\n%s\nvs\n%s", i, got, want)
		}
		for _, line := range strings.Split(string(got), "\n") {
			if d, ok := strings.CutPrefix(line, "data: "); ok && d != "[DONE]" && !json.Valid([]byte(d)) {
				t.Fatalf("invalid chunk %q", d)
			}
		}
		if len(got) > 64*len(in)+4096 {
			t.Fatalf("output grew from %d to %d bytes", len(in), len(got))
		}
	})
}

// FuzzScan checks this package's decoded-key walks against gjson on valid JSON (same members,
// same raw values), and the arguments re-encoding against encoding/json. The walker itself
// (arrays, unescaping) is fuzzed in translate/internal/rawjson.
func FuzzScan(f *testing.F) {
	goldentest.AddSeeds(f, "request/*.json")
	goldentest.AddSeeds(f, "response/*.json")
	f.Add([]byte(`{"a\"b":"x\u00e9\n","c":[1,{"d":"}"}],"e":-1.5e3,"f":true,"g":null}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		s := string(in)
		if !gjson.Valid(s) {
			return
		}
		r := gjson.Parse(s)
		if r.IsObject() {
			var keys, vals []string
			r.ForEach(func(k, v gjson.Result) bool {
				keys, vals = append(keys, k.Str), append(vals, v.Raw)
				return true
			})
			n := 0
			eachField(s, func(k, v string) bool {
				if n >= len(keys) || k != keys[n] || v != vals[n] {
					t.Fatalf("member %d: got %q=%q", n, k, v)
				}
				n++
				return true
			})
			if n != len(keys) {
				t.Fatalf("got %d members, gjson %d", n, len(keys))
			}
			// walkFields, skipping every other value and walking the rest itself, must see
			// the same members and end where the object ends.
			n = 0
			end := walkFields(s, func(k, rest string) int {
				if k != keys[n] {
					t.Fatalf("walk member %d: key %q", n, k)
				}
				n++
				if n%2 == 0 {
					return skip
				}
				return len(rawAt(rest))
			})
			if n != len(keys) || end != len(strings.TrimRight(s, " \t\r\n")) {
				t.Fatalf("walk: %d members, end %d of %q", n, end, s)
			}
		}
		// Tool arguments: the string must decode to the compact form of the value.
		enc := appendCompactAsString(nil, strings.TrimSpace(s))
		var dec string
		if err := json.Unmarshal(enc, &dec); err != nil {
			t.Fatalf("arguments %s: %v", enc, err)
		}
		var compact bytes.Buffer
		// Invalid UTF-8 is passed through raw by design; encoding/json would replace it.
		if err := json.Compact(&compact, in); err == nil && utf8.Valid(in) && dec != compact.String() {
			t.Fatalf("arguments decode to %q, want %q", dec, compact.String())
		}
	})
}
