package messages

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"switchyard/translate"
)

// validJSON uses encoding/json, independent of the code under test.
func validJSON(b []byte) bool { return json.Valid(b) }

// runStream feeds the parts in order, then Finish, and renders the output with the error and
// the usage.
func runStream(in [][]byte) []byte {
	s := NewStream(&translate.Call{ID: "msg_fallback", Model: "fallback-model"})
	var out []byte
	var err error
	for _, p := range in {
		if out, err = s.Feed(out, p); err != nil {
			break
		}
	}
	if err == nil {
		out, err = s.Finish(out)
	}
	return fmt.Appendf(out, "-- err: %v\n-- usage: %+v\n", err, s.Usage())
}

// checkEvents asserts the output is a sequence of Anthropic events: "event: X" then
// "data: {valid JSON whose type is X}", a blank line after each.
func checkEvents(t *testing.T, out []byte) {
	t.Helper()
	body, _, _ := strings.Cut(string(out), "-- err:")
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
