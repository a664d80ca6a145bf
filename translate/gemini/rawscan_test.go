package gemini

import (
	"encoding/json"
	"testing"

	"github.com/tidwall/gjson"
)

func TestAppendUnescaped(t *testing.T) {
	for _, s := range []string{"", "plain", "q\"uote\\back/slash", "nl\n\t\r\b\f", "é€😀", "\u2028<>&", "\x01"} {
		raw, _ := json.Marshal(s)
		if got := string(appendUnescaped(nil, string(raw))); got != s {
			t.Errorf("%q: got %q", raw, got)
		}
	}
	// Escaped forms encoding/json never writes.
	for raw, want := range map[string]string{`"\u00e9\/"`: "é/", `"\ud83d\ude00"`: "😀", `"\ud83d"`: "\uFFFD", `"\uZZZZ"`: "\uFFFDZZZZ"} {
		if got := string(appendUnescaped(nil, raw)); got != want {
			t.Errorf("%s: got %q want %q", raw, got, want)
		}
	}
}

func TestEachMember(t *testing.T) {
	obj := ` { "a" : "x\"}" , "b":{"c":[1,"]",{}]},"d":-1.5e3,"e":true , "f":null}`
	var got []string
	eachMember(obj, func(k, v string) bool {
		got = append(got, k+"="+v)
		return true
	})
	want := []string{`"a"="x\"}"`, `"b"={"c":[1,"]",{}]}`, `"d"=-1.5e3`, `"e"=true`, `"f"=null`}
	if len(got) != len(want) {
		t.Fatalf("got %q", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("member %d: got %s want %s", i, got[i], want[i])
		}
	}
	if r := rawResult(`"a\nb"`); r.Type != gjson.String || r.Str != "" || strText(r) != "a\nb" {
		t.Errorf("rawResult escaped: %+v", r)
	}
}

// The walker itself is fuzzed against gjson in translate/internal/rawjson (FuzzScan).
