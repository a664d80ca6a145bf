package bedrock

import "testing"

func TestApplyOverrides(t *testing.T) {
	cases := []struct{ body, ov, want string }{
		{`{"a":1,"b":{"x":1,"y":2}}`, `{"a":2,"b":{"y":3,"z":4}}`, `{"a":2,"b":{"x":1,"y":3,"z":4}}`},
		{`{"b":1}`, `{"b":{"c":1}}`, `{"b":{"c":1}}`},
		{`{}`, `{"a.b":1,"c*":[1,2]}`, `{"a.b":1,"c*":[1,2]}`},
		{`{"model":"x","messages":[]}`, `{"messages":[{"role":"user","content":"hi"}]}`, `{"model":"x","messages":[{"role":"user","content":"hi"}]}`},
	}
	for _, tc := range cases {
		got, err := applyOverrides([]byte(tc.body), []byte(tc.ov))
		if err != nil {
			t.Fatalf("%s + %s: %v", tc.body, tc.ov, err)
		}
		if string(got) != tc.want {
			t.Errorf("%s + %s = %s, want %s", tc.body, tc.ov, got, tc.want)
		}
	}
}
