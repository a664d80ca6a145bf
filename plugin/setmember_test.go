package plugin

import (
	"testing"

	"github.com/tidwall/sjson"
)

// setMember must write what sjson wrote before it (sjson is test-only now).
func TestSetMemberMatchesSjson(t *testing.T) {
	docs := []string{
		`{"id":"m","choices":[{"index":0,"message":{"role":"assistant","content":"hi","refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],"usage":{}}`,
		`{"choices":[{"message":{},"finish_reason":null}]}`,
		`{"choices":[{"message":{ },"finish_reason":"x"}]}`,
		`{"choices":[{"message":{"content_blocks":[1],"a":1},"finish_reason":"length"}],"x":{"message":2}}`,
		`{"choices":[ { "message" : { "a" : 1 } , "finish_reason" : "stop" } ]}`,
	}
	raws := []string{`[{"type":"text","text":"hi"}]`, `[]`}
	stops := []string{"end_turn", "tool_use", `we"ird`, "ünï", "a<b>&\u2028", "\x7f", "tab\t"}
	for _, d := range docs {
		for _, r := range raws {
			want, err := sjson.SetRawBytes([]byte(d), "choices.0.message.content_blocks", []byte(r))
			if err != nil {
				t.Fatal(err)
			}
			if got := setMember([]byte(d), "choices.0.message", "content_blocks", r); string(got) != string(want) {
				t.Errorf("content_blocks in %s:\n got  %s\n want %s", d, got, want)
			}
		}
		for _, s := range stops {
			want, err := sjson.SetBytes([]byte(d), "choices.0.finish_reason", s)
			if err != nil {
				t.Fatal(err)
			}
			if got := setMember([]byte(d), "choices.0", "finish_reason", string(appendJSONString(nil, s))); string(got) != string(want) {
				t.Errorf("finish_reason %q in %s:\n got  %s\n want %s", s, d, got, want)
			}
		}
	}
}
