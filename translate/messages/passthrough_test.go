package messages

import (
	"testing"

	"switchyard/translate"
)

func TestPassthrough(t *testing.T) {
	cases := []struct {
		name, body, model, over, want string
		info                          Info
		err                           string
	}{
		{name: "untouched", body: ` {"model": "claude-sonnet-4-5", "max_tokens":1,"stream":true, "messages":[{"role":"user","content":"h\u00e9"}]}`,
			want: ` {"model": "claude-sonnet-4-5", "max_tokens":1,"stream":true, "messages":[{"role":"user","content":"h\u00e9"}]}`,
			info: Info{Model: "claude-sonnet-4-5", Stream: true}},
		{name: "target model", body: `{"max_tokens":1,"model":"claude","messages":[]}`, model: "claude-opus-4-1",
			want: `{"max_tokens":1,"model":"claude-opus-4-1","messages":[]}`, info: Info{Model: "claude-opus-4-1"}},
		{name: "target model added", body: `{"messages":[]}`, model: "m\"x",
			want: `{"messages":[],"model":"m\"x"}`, info: Info{Model: "m\"x"}},
		{name: "overrides", body: `{"model":"c","max_tokens":1,"metadata":{"user_id":"u"}}`, over: `{"max_tokens":4096,"metadata":{"tag":1},"top_k":5}`,
			want: `{"model":"c","max_tokens":4096,"metadata":{"user_id":"u","tag":1},"top_k":5}`, info: Info{Model: "c"}},
		{name: "overrides and target model", body: `{"model":"c","stream":true}`, model: "d", over: `{"model":"e","temperature":0}`,
			want: `{"model":"d","stream":true,"temperature":0}`, info: Info{Model: "d", Stream: true}},
		{name: "not an object", body: `[]`, err: "request body must be a JSON object"},
		{name: "bad overrides", body: `{}`, over: `[1]`, err: "override_params must be a JSON object"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var over []byte
			if tc.over != "" {
				over = []byte(tc.over)
			}
			out, info, err := Passthrough([]byte(tc.body), tc.model, over, nil)
			if tc.err != "" {
				if te, ok := err.(*translate.Error); !ok || te.Message != tc.err {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || string(out) != tc.want || info != tc.info {
				t.Fatalf("got %s %+v %v\nwant %s %+v", out, info, err, tc.want, tc.info)
			}
		})
	}
}
