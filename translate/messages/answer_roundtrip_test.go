package messages

import (
	"encoding/json"
	"reflect"
	"testing"

	"switchyard/translate"
	"switchyard/translate/anthropic"
	"switchyard/translate/internal/goldentest"
)

// TestAnswerRoundTrip: an Anthropic message → translate/anthropic's TranslateResponse →
// FromChatResponse gives the message back. Documented differences, none in these fixtures:
// several text blocks come back as one, thinking blocks are lost (the chat format has no
// field), stop_sequence reads as end_turn with a null stop_sequence, cache writes count as
// input tokens.
func TestAnswerRoundTrip(t *testing.T) {
	for _, name := range []string{"tool_use", "max_tokens"} {
		t.Run(name, func(t *testing.T) {
			in := goldentest.Read(t, "anthropic/"+name+".json")
			c := &translate.Call{Op: translate.OpChat, Created: 1, ID: "chatcmpl-x", Model: "m"}
			chat, u1, err := anthropic.Adapter{}.TranslateResponse(c, in, nil)
			if err != nil {
				t.Fatal(err)
			}
			back, u2, err := FromChatResponse(chat, nil)
			if err != nil {
				t.Fatal(err)
			}
			if u1 != u2 {
				t.Fatalf("usage %+v, want %+v", u2, u1)
			}
			var want, got any
			if json.Unmarshal(in, &want) != nil || json.Unmarshal(back, &got) != nil {
				t.Fatalf("invalid JSON: %s", back)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("\n got: %s\nwant: %s", back, in)
			}
		})
	}
}

// TestStreamRoundTrip: Anthropic events → translate/anthropic's Stream (as the gateway runs
// it for a Messages client, include_usage on) → Stream gives Anthropic events back. The
// golden file shows the documented differences: no ping, no empty partial_json, usage
// (input tokens) arrives with message_delta instead of message_start.
func TestStreamRoundTrip(t *testing.T) {
	in := goldentest.Read(t, "anthropic/stream.sse")
	c := &translate.Call{Op: translate.OpChat, Stream: true, IncludeUsage: true, Created: 1, ID: "chatcmpl-x", Model: "m"}
	chat, err := goldentest.Feed(anthropic.NewStream(c), [][]byte{in})
	if err != nil {
		t.Fatal(err)
	}
	out := runStream([][]byte{chat})
	checkEvents(t, out)
	goldentest.Check(t, "anthropic/stream.golden", out)
}
