package openai

import (
	"testing"

	"switchyard/translate"
)

func TestAppendBodyEdits(t *testing.T) {
	cases := []struct {
		name, provider string
		op             translate.Operation
		body, over     string
		model          string
		want           string
		stream, usage  bool
	}{
		{"empty object gets model", "openai", translate.OpChat, `{}`, ``, "x", `{"model":"x"}`, false, false},
		{"pretty top level", "openai", translate.OpChat, "{\n  \"model\" : \"a\",\n  \"n\": 2\n}\n", ``, "b", `{"model":"b","n":2}`, false, false},
		{"escaped model key replaced", "openai", translate.OpChat, `{"mod\u0065l":"a"}`, ``, "b", `{"mod\u0065l":"b"}`, false, false},
		{"model escaped on write", "openai", translate.OpChat, `{"model":"a"}`, ``, "we\"ird\n", `{"model":"we\"ird\n"}`, false, false},
		{"stream_options null replaced", "openai", translate.OpChat, `{"stream":true,"stream_options":null}`, ``, "",
			`{"stream":true,"stream_options":{"include_usage":true}}`, true, false},
		{"client include_usage kept and recorded", "openai", translate.OpChat, `{"stream":true,"stream_options":{"include_usage":true}}`, ``, "",
			`{"stream":true,"stream_options":{"include_usage":true}}`, true, true},
		{"include_usage false forced on", "openai", translate.OpChat, `{"stream_options":{"include_usage":false},"stream":true}`, ``, "",
			`{"stream_options":{"include_usage":true},"stream":true}`, true, false},
		{"stream_options before stream grows", "openai", translate.OpChat, `{"stream_options":{"z":1},"messages":[{"role":"user","content":"a long tail to move"}],"stream":true}`, ``, "",
			`{"stream_options":{"z":1,"include_usage":true},"messages":[{"role":"user","content":"a long tail to move"}],"stream":true}`, true, false},
		{"stream_options before stream shrinks", "openai", translate.OpChat, `{"stream_options":{ "include_usage" : false , "q": [1, 2] },"n":1,"stream":true}`, ``, "",
			`{"stream_options":{"include_usage":true,"q":[1, 2]},"n":1,"stream":true}`, true, false},
		{"not streaming: stream_options untouched", "openai", translate.OpChat, `{"stream":false,"stream_options":{"include_usage":false}}`, ``, "",
			`{"stream":false,"stream_options":{"include_usage":false}}`, false, false},
		{"stream string is not true", "openai", translate.OpChat, `{"stream":"true"}`, ``, "", `{"stream":"true"}`, false, false},
		{"embeddings never stream", "openai", translate.OpEmbeddings, `{"input":"a","stream":true}`, ``, "", `{"input":"a","stream":true}`, false, false},
		{"override turns streaming on", "openai", translate.OpChat, `{"messages":[]}`, `{"stream":true}`, "",
			`{"messages":[],"stream":true,"stream_options":{"include_usage":true}}`, true, false},
		{"override token limit beats the client's alias", "openai", translate.OpChat, `{"max_completion_tokens":50,"n":1}`, `{"max_tokens":200}`, "",
			`{"n":1,"max_tokens":200}`, false, false},
		{"override turns streaming off", "openai", translate.OpChat, `{"stream":true}`, `{"stream":false}`, "", `{"stream":false}`, false, false},
		{"deep merge", "openai", translate.OpChat, `{"a":{"b":1,"c":{"d":2}},"e":[1,2],"f":{"g":1}}`, `{"a":{"c":{"x":3},"b":9},"e":[3],"f":5,"h":null}`, "",
			`{"a":{"b":9,"c":{"d":2,"x":3}},"e":[3],"f":5,"h":null}`, false, false},
		{"override object replaces scalar", "openai", translate.OpChat, `{"a":1}`, `{"a":{"b":2}}`, "", `{"a":{"b":2}}`, false, false},
		{"override model used when target has none", "openai", translate.OpChat, `{"model":"a"}`, `{"model":"o"}`, "", `{"model":"o"}`, false, false},
		{"target model beats override model", "openai", translate.OpChat, `{}`, `{"model":"o"}`, "t", `{"model":"t"}`, false, false},
		{"override stream_options merged", "openai", translate.OpChat, `{"stream":true}`, `{"stream_options":{"include_usage":false,"z":1}}`, "",
			`{"stream":true,"stream_options":{"z":1,"include_usage":true}}`, true, false},
		{"mistral: client stream_options stripped", "mistral-ai", translate.OpChat, `{"stream":true,"stream_options":{"include_usage":true},"n":1}`, ``, "",
			`{"stream":true,"n":1}`, true, true},
		{"mistral: override stream_options dropped", "mistral-ai", translate.OpChat, `{"stream":true}`, `{"stream_options":{"x":1}}`, "",
			`{"stream":true}`, true, false},
		{"completions stream", "together-ai", translate.OpCompletions, `{"prompt":"p","stream":true}`, ``, "",
			`{"prompt":"p","stream":true,"stream_options":{"include_usage":true}}`, true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tg := translate.Target{Provider: translate.Lookup(tc.provider), Model: tc.model}
			if tc.over != "" {
				tg.OverrideParams = []byte(tc.over)
			}
			c := &translate.Call{Op: tc.op}
			out, err := AppendBody([]byte("keep:"), c, &tg, []byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if got := string(out); got != "keep:"+tc.want {
				t.Errorf("got  %s\nwant keep:%s", got, tc.want)
			}
			// A caller that validated the body already gets the same bytes.
			cv := &translate.Call{Op: tc.op, BodyValid: true}
			if outV, err := AppendBody([]byte("keep:"), cv, &tg, []byte(tc.body)); err != nil || string(outV) != string(out) {
				t.Errorf("BodyValid: got %s, %v", outV, err)
			}
			if !isObject(string(out[5:])) {
				t.Errorf("not valid JSON")
			}
			if c.Stream != tc.stream || c.IncludeUsage != tc.usage {
				t.Errorf("stream=%v include_usage=%v", c.Stream, c.IncludeUsage)
			}
		})
	}
}

func TestAppendBodyValidStillChecksObject(t *testing.T) {
	tg := translate.Target{Provider: translate.Lookup("openai")}
	for _, body := range []string{`[1]`, ` "s"`, ``} {
		if _, err := AppendBody(nil, &translate.Call{Op: translate.OpChat, BodyValid: true}, &tg, []byte(body)); err == nil {
			t.Errorf("%q: want an error", body)
		}
	}
}
