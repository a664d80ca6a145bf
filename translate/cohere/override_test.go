package cohere

import "testing"

func TestApplyOverrides(t *testing.T) {
	cases := []struct{ body, over, want string }{
		{`{"a":1,"b":{"x":1,"y":2},"c":[1]}`, `{"b":{"y":3,"z":4},"c":[2],"d":null}`, `{"a":1,"b":{"x":1,"y":3,"z":4},"c":[2],"d":null}`},
		{`{"a.b":1,"k*":2}`, `{"a.b":5}`, `{"a.b":5,"k*":2}`},
		{`{"b":{"x":1}}`, `{"b":7}`, `{"b":7}`},
		{`{"b":7}`, `{"b":{"x":1}}`, `{"b":{"x":1}}`},
		{` { "m" : "x" } `, `{}`, `{"m":"x"}`},
	}
	for _, c := range cases {
		got, err := applyOverrides([]byte(c.body), []byte(c.over))
		if err != nil || string(got) != c.want {
			t.Errorf("%s + %s = %s, %v; want %s", c.body, c.over, got, err, c.want)
		}
	}
	if _, err := applyOverrides([]byte(`[1]`), []byte(`{}`)); err == nil {
		t.Error("array body accepted")
	}
	if _, err := applyOverrides([]byte(`{}`), []byte(`"x"`)); err == nil {
		t.Error("string overrides accepted")
	}
}

func TestScan(t *testing.T) {
	obj := ` {"a" : "x\"}" , "b":{"c":[1,{"d":"]"}]},"e":-1.5e3 ,"f":true}`
	want := map[string]string{"a": `"x\"}"`, "b": `{"c":[1,{"d":"]"}]}`, "e": `-1.5e3`, "f": `true`}
	n := 0
	eachMember(obj, func(k, v string) bool {
		if want[k] != v {
			t.Errorf("%s = %q, want %q", k, v, want[k])
		}
		n++
		return true
	})
	if n != 4 {
		t.Errorf("%d members", n)
	}
	var elems []string
	eachElem(`[ "a,b" , {"x":[]}, 3 ]`, func(v string) bool { elems = append(elems, v); return true })
	if len(elems) != 3 || elems[0] != `"a,b"` || elems[1] != `{"x":[]}` || elems[2] != "3" {
		t.Errorf("elems %q", elems)
	}
	if member(`[1]`, "a") != "" || member(`{"a":1}`, "b") != "" {
		t.Error("member of non-object or absent key")
	}
}
