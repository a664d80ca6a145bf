package translate

import (
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

func TestMergeOverrides(t *testing.T) {
	cases := []struct{ name, body, over, want string }{
		{"deep merge keeps body order", `{"a":1,"b":{"x":1,"y":{"z":2}},"c":[1]}`, `{"b":{"y":{"w":3},"v":true},"c":{"k":1},"d":"new"}`,
			`{"a":1,"b":{"x":1,"y":{"z":2,"w":3},"v":true},"c":{"k":1},"d":"new"}`},
		{"object replaces scalar", `{"b":7}`, `{"b":{"x":1}}`, `{"b":{"x":1}}`},
		{"scalar replaces object", `{"b":{"x":1}}`, `{"b":7}`, `{"b":7}`},
		{"null is a value", `{"a":1}`, `{"a":null,"n":null}`, `{"a":null,"n":null}`},
		{"no path syntax in keys", `{"a.b":1,"k*":2,"a":{"b":0}}`, `{"a.b":5,"#":1}`, `{"a.b":5,"k*":2,"a":{"b":0},"#":1}`},
		{"escaped keys match by value", `{"k\u0065y":1}`, `{"key":2}`, `{"k\u0065y":2}`},
		{"raw values and keys copied", `{"s":"a\"b\n","u":"\u00e9"}`, `{"t":"x\ty"}`, `{"s":"a\"b\n","u":"\u00e9","t":"x\ty"}`},
		{"whitespace dropped between members only", ` { "m" : [ 1 , 2 ] } `, `{ }`, `{"m":[ 1 , 2 ]}`},
		{"duplicate body keys all merged", `{"a":{"x":1},"a":{"y":1}}`, `{"a":{"z":1}}`, `{"a":{"x":1,"z":1},"a":{"y":1,"z":1}}`},
		{"first of duplicate override keys wins", `{"a":1}`, `{"a":2,"a":3,"b":1,"b":2}`, `{"a":2,"b":1,"b":2}`},
		{"override token limit beats the body's alias", `{"max_completion_tokens":50,"n":1}`, `{"max_tokens":200}`, `{"n":1,"max_tokens":200}`},
		{"and the other way round", `{"max_tokens":50}`, `{"max_completion_tokens":200}`, `{"max_completion_tokens":200}`},
		{"same name merges as usual", `{"max_tokens":50,"max_completion_tokens":9}`, `{"max_tokens":200,"max_completion_tokens":300}`, `{"max_tokens":200,"max_completion_tokens":300}`},
		{"aliases only at the top level", `{"o":{"max_tokens":1}}`, `{"o":{"max_completion_tokens":2}}`, `{"o":{"max_tokens":1,"max_completion_tokens":2}}`},
	}
	for _, c := range cases {
		got, err := MergeOverrides(nil, []byte(c.body), []byte(c.over))
		if err != nil || string(got) != c.want {
			t.Errorf("%s: %s + %s = %s, %v; want %s", c.name, c.body, c.over, got, err, c.want)
		}
	}
}

func TestMergeOverridesAppends(t *testing.T) {
	got, err := MergeOverrides([]byte("x:"), []byte(`{"a":1}`), []byte(`{"b":2}`))
	if err != nil || string(got) != `x:{"a":1,"b":2}` {
		t.Errorf("got %s, %v", got, err)
	}
}

func TestMergeOverridesErrors(t *testing.T) {
	cases := []struct {
		body, over string
		want       error
	}{
		{`{}`, `"x"`, ErrOverridesNotObject},
		{`{}`, `[1]`, ErrOverridesNotObject},
		{`{}`, `{"a":`, ErrOverridesNotObject},
		{`{}`, ``, ErrOverridesNotObject},
		{`[1]`, `{}`, ErrBodyNotObject},
		{`{"a":`, `{}`, ErrBodyNotObject},
		{`[1]`, `[1]`, ErrOverridesNotObject}, // overrides are checked first
	}
	for _, c := range cases {
		dst := []byte("keep")
		got, err := MergeOverrides(dst, []byte(c.body), []byte(c.over))
		if err != c.want || string(got) != "keep" {
			t.Errorf("%s + %s: %q, %v; want %v and dst untouched", c.body, c.over, got, err, c.want)
		}
	}
}

// TestMergeDepthBound: past maxMergeDepth nested objects the override replaces instead of
// merging, so hostile nesting cannot recurse without bound.
func TestMergeDepthBound(t *testing.T) {
	nest := func(d int, leaf string) string {
		return strings.Repeat(`{"a":`, d) + leaf + strings.Repeat("}", d)
	}
	got, err := MergeOverrides(nil, []byte(nest(40, `{"x":1}`)), []byte(nest(40, `{"y":2}`)))
	if err != nil {
		t.Fatal(err)
	}
	if want := nest(maxMergeDepth, nest(40-maxMergeDepth, `{"y":2}`)); string(got) != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
	got, _ = MergeOverrides(nil, []byte(nest(3, `{"x":1}`)), []byte(nest(3, `{"y":2}`)))
	if want := nest(3, `{"x":1,"y":2}`); string(got) != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestMember(t *testing.T) {
	if v := Member(gjsonParse(`{"a.b":1,"a":{"b":2}}`), "a.b"); v.Raw != "1" {
		t.Errorf("a.b = %q", v.Raw)
	}
	if Member(gjsonParse(`[1]`), "0").Exists() || Member(gjsonParse(`{"a":1}`), "b").Exists() {
		t.Error("member of non-object or absent key")
	}
}

func gjsonParse(s string) gjson.Result { return gjson.Parse(s) }

// FuzzMergeOverrides: never panics; two valid objects always merge into valid JSON that
// holds every override key.
func FuzzMergeOverrides(f *testing.F) {
	f.Add([]byte(`{"a":1,"b":{"x":1}}`), []byte(`{"b":{"y":2},"c":[1]}`))
	f.Add([]byte(`{"a":{"a":{"a":{}}}}`), []byte(`{"a":{"a":{"b":null}},"a":1}`))
	f.Add([]byte(`[1]`), []byte(`{"k\"":"\u00e9"}`))
	f.Fuzz(func(t *testing.T, body, over []byte) {
		got, err := MergeOverrides(nil, body, over)
		if err != nil {
			return
		}
		if !gjson.ValidBytes(got) {
			t.Fatalf("%s + %s = invalid %s", body, over, got)
		}
		g := gjson.ParseBytes(got)
		gjson.ParseBytes(over).ForEach(func(k, _ gjson.Result) bool {
			if !Member(g, k.Str).Exists() {
				t.Fatalf("%s + %s = %s lost key %s", body, over, got, k.Raw)
			}
			return true
		})
	})
}
