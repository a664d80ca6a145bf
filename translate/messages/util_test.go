package messages

import (
	"encoding/json"
	"strings"
	"testing"

	"switchyard/translate"
	"switchyard/translate/internal/goldentest"
)

// validJSON uses encoding/json, independent of the code under test.
func validJSON(b []byte) bool { return json.Valid(b) }

// runStream feeds the parts in order, then Finish, and renders the output with the errors
// and the usage.
func runStream(in [][]byte) []byte {
	return goldentest.DumpStream(NewStream(&translate.Call{ID: "msg_fallback", Model: "fallback-model"}), in)
}

// checkEvents asserts the output is a sequence of Anthropic events: "event: X" then
// "data: {valid JSON whose type is X}", a blank line after each.
func checkEvents(t *testing.T, out []byte) {
	t.Helper()
	body, _, _ := strings.Cut(string(out), "-- feed error:")
	for _, ev := range strings.Split(strings.TrimSuffix(body, "\n\n"), "\n\n") {
		if ev == "" {
			continue
		}
		name, data, ok := strings.Cut(ev, "\n")
		name, ok1 := strings.CutPrefix(name, "event: ")
		data, ok2 := strings.CutPrefix(data, "data: ")
		if !ok || !ok1 || !ok2 {
			t.Fatalf("malformed event %q", ev)
		}
		var v struct{ Type string }
		if err := json.Unmarshal([]byte(data), &v); err != nil || v.Type != name {
			t.Fatalf("event %s: data %s (type %q, err %v)", name, data, v.Type, err)
		}
	}
}
