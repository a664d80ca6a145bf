package rawjson

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tidwall/gjson"
)

func TestEachMember(t *testing.T) {
	obj := ` { "a" : "x\"}" , "b":{"c":[1,"]",{}]},"d":-1.5e3,"e":true , "f":null}`
	var got []string
	EachMember(obj, func(k, v string) bool {
		got = append(got, k+"="+v)
		return true
	})
	want := []string{`"a"="x\"}"`, `"b"={"c":[1,"]",{}]}`, `"d"=-1.5e3`, `"e"=true`, `"f"=null`}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if Member(obj, "d") != "-1.5e3" || Member(obj, "x") != "" || Member(`[1]`, "a") != "" {
		t.Error("Member")
	}
	var elems []string
	EachElem(`[ "a,b" , {"x":[]}, 3 ]`, func(_ int, v string) bool { elems = append(elems, v); return true })
	if strings.Join(elems, "|") != `"a,b"|{"x":[]}|3` {
		t.Errorf("elems %q", elems)
	}
}

func TestMalformedStops(t *testing.T) {
	for _, s := range []string{`{"a":`, `{"a" 1}`, `{"a":"x`, `{"a":[1,}`, `[1,`, `{"a":1,,"b":2}`, `"\`} {
		EachMember(s, func(k, v string) bool { return true })
		EachElem(s, func(int, string) bool { return true })
		if WalkMembers(s, func(string, string) int { return Skip }) >= 0 && s[0] == '{' {
			t.Errorf("%s walked as complete", s)
		}
		ValueEnd(s, 0)
	}
}

func TestAppendUnescaped(t *testing.T) {
	for _, s := range []string{"", "plain", "q\"uote\\back/slash", "nl\n\t\r\b\f", "é€😀", "\u2028<>&", "\x01"} {
		raw, _ := json.Marshal(s)
		if got := Unescape(Inner(string(raw))); got != s {
			t.Errorf("%q: got %q", raw, got)
		}
	}
	// Escaped forms encoding/json never writes.
	for raw, want := range map[string]string{`\u00e9\/`: "é/", `\ud83d\ude00`: "😀", `\ud83d`: "\uFFFD", `\uZZZZ`: "\uFFFDZZZZ", `a\`: "a\uFFFD", `\x`: "\uFFFD"} {
		if got := string(AppendUnescaped(nil, raw)); got != want {
			t.Errorf("%s: got %q want %q", raw, got, want)
		}
	}
}

// FuzzScan checks the raw walker against gjson on valid JSON: same members (raw keys), same
// raw values, the walks end where the value ends, and decoded strings equal gjson's and
// encoding/json's.
func FuzzScan(f *testing.F) {
	f.Add(`{"a":"x\"y","b":[1,{"c":"]"}],"d":{"e":null},"f":"\u00e9\ud83d\ude00\n"}`)
	f.Add(`{"text": "hi", "thought": true}`)
	f.Add(`{"a\"b":"x\u00e9\n","c":[1,{"d":"}"}],"e":-1.5e3,"f":true,"g":null}`)
	f.Add(`[ "a,b" , {"x":[]}, 3, "` + strings.Repeat(`\\\"`, 20) + `" ]`)
	f.Fuzz(func(t *testing.T, s string) {
		if !gjson.Valid(s) {
			return
		}
		r := gjson.Parse(s)
		end := len(strings.TrimRight(s, " \t\r\n"))
		if r.IsObject() {
			type kv struct{ k, v string }
			var want, got []kv
			r.ForEach(func(k, v gjson.Result) bool {
				want = append(want, kv{k.Raw, v.Raw})
				return true
			})
			EachMember(s, func(k, v string) bool {
				got = append(got, kv{k, v})
				return true
			})
			if len(got) != len(want) {
				t.Fatalf("%s: %d members, gjson %d", s, len(got), len(want))
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("%s: member %d %q, gjson %q", s, i, got[i], want[i])
				}
				for _, raw := range []string{want[i].k, want[i].v} {
					if v := gjson.Parse(raw); v.Type == gjson.String {
						if d := Unescape(Inner(raw)); d != v.Str {
							t.Fatalf("%s: decoded %q, gjson %q", raw, d, v.Str)
						}
					}
				}
			}
			// EachField and WalkFields hand out the decoded keys gjson does.
			i := 0
			EachField(s, func(k, v string) bool {
				if d := gjson.Parse(want[i].k).Str; k != d || v != want[i].v {
					t.Fatalf("%s: field %d %q=%q, gjson %q", s, i, k, v, d)
				}
				i++
				return true
			})
			i = 0
			EachName(s, func(k, v string) bool {
				if k != want[i].k[1:len(want[i].k)-1] || v != want[i].v {
					t.Fatalf("%s: name %d %q=%q", s, i, k, v)
				}
				i++
				return true
			})
			i = 0
			WalkFields(s, func(k, rest string) int {
				if d := gjson.Parse(want[i].k).Str; k != d {
					t.Fatalf("%s: walked field %d %q, gjson %q", s, i, k, d)
				}
				i++
				return Skip
			})
			if i != len(want) {
				t.Fatalf("%s: walked %d fields", s, i)
			}
			// WalkMembers, skipping every other value and walking the rest itself, must see
			// the same members and end where the object ends.
			n := 0
			e := WalkMembers(s, func(k, rest string) int {
				if k != want[n].k {
					t.Fatalf("walk member %d: key %q", n, k)
				}
				n++
				if n%2 == 0 {
					return Skip
				}
				return len(RawAt(rest))
			})
			if n != len(want) || e != end {
				t.Fatalf("walk: %d members, end %d of %q", n, e, s)
			}
		}
		if r.IsArray() {
			var vals []string
			r.ForEach(func(_, v gjson.Result) bool { vals = append(vals, v.Raw); return true })
			n := 0
			EachElem(s, func(i int, v string) bool {
				if i != n || n >= len(vals) || v != vals[n] {
					t.Fatalf("element %d: got %q", n, v)
				}
				n++
				return true
			})
			if n != len(vals) {
				t.Fatalf("got %d elements, gjson %d", n, len(vals))
			}
			n = 0
			e := WalkElems(s, func(i int, rest string) int {
				n++
				if i%2 == 1 {
					return Skip
				}
				return len(RawAt(rest))
			})
			if n != len(vals) || e != end {
				t.Fatalf("walk: %d elements, end %d of %q", n, e, s)
			}
		}
		if r.Type == gjson.String {
			var want string
			if json.Unmarshal([]byte(s), &want) == nil && utf8.ValidString(s) {
				if got := string(AppendUnescaped(nil, Inner(strings.TrimSpace(s)))); got != want {
					t.Fatalf("unescape %q: got %q want %q", s, got, want)
				}
			}
		}
	})
}

func TestAppendCompact(t *testing.T) {
	for in, want := range map[string]string{
		"{ \"a\" : [ 1 , 2 ],\n\t\"b\\\" c\" : \" x  y \" }": `{"a":[1,2],"b\" c":" x  y "}`,
		`[ ]`: `[]`, ` 1 `: `1`, `"\\"`: `"\\"`,
	} {
		if got := string(AppendCompact([]byte("<"), in)); got != "<"+want {
			t.Errorf("%q: got %q want %q", in, got, want)
		}
	}
}

func TestIsObject(t *testing.T) {
	for s, want := range map[string]bool{`{}`: true, " \n{\"a\":1} ": true, `[]`: false, `{"a":}`: false, ``: false, `  `: false, `"{}"`: false} {
		if IsObject(s) != want {
			t.Errorf("IsObject(%q) != %v", s, want)
		}
	}
}

// FuzzCompact: on valid JSON the compact form is what encoding/json.Compact writes.
func FuzzCompact(f *testing.F) {
	f.Add("{ \"a\" : [ 1 , \"x \\\" y\" ] }")
	f.Fuzz(func(t *testing.T, s string) {
		got := AppendCompact(nil, s)
		if len(got) > len(s) {
			t.Fatalf("grew: %q -> %q", s, got)
		}
		var want bytes.Buffer
		if json.Compact(&want, []byte(s)) != nil {
			return
		}
		if string(got) != want.String() {
			t.Fatalf("%q: got %q want %q", s, got, want.String())
		}
	})
}
