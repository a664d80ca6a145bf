package messages

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"switchyard/translate"
	"switchyard/translate/anthropic"
	"switchyard/translate/internal/goldentest"
)

// TestRoundTripThroughAnthropic: an Anthropic request → ToChat → translate/anthropic's
// BuildBody must give back the original request, up to the differences this package
// documents, which normalize applies to the original:
//   - top_k, cache_control, tool "strict", tool type "custom" and a document's title are gone;
//   - thinking.budget_tokens comes back as the budget of its effort (1024, 2048 or 4096);
//   - system blocks come back as one string joined by a blank line;
//   - string contents come back as one text block (translate/anthropic always writes blocks);
//   - thinking and redacted_thinking blocks of the history are gone;
//   - a tool_result's text blocks come back as one string joined by a blank line, is_error as
//     an "Error: " prefix; its images come back as image blocks after the tool results;
//   - a text document comes back as a text block.
func TestRoundTripThroughAnthropic(t *testing.T) {
	for _, name := range []string{"basic", "agent_tools", "media", "named_tool"} {
		t.Run(name, func(t *testing.T) {
			in := goldentest.Read(t, "request/"+name+".json")
			chat, _, err := ToChat(in, nil)
			if err != nil {
				t.Fatal(err)
			}
			var c translate.Call
			back, err := anthropic.BuildBody(&c, nil, chat, nil, "")
			if err != nil {
				t.Fatalf("BuildBody: %v\nchat body: %s", err, chat)
			}
			var want, got map[string]any
			if err := json.Unmarshal(in, &want); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(back, &got); err != nil {
				t.Fatal(err)
			}
			normalize(want)
			if !reflect.DeepEqual(got, want) {
				w, _ := json.MarshalIndent(want, "", " ")
				g, _ := json.MarshalIndent(got, "", " ")
				t.Fatalf("round trip differs\n got: %s\nwant: %s", g, w)
			}
		})
	}
}

func normalize(m map[string]any) {
	delete(m, "top_k")
	dropKey(m, "cache_control")
	if th, ok := m["thinking"].(map[string]any); ok && th["type"] == "enabled" {
		switch b := th["budget_tokens"].(float64); {
		case b < 2048:
			th["budget_tokens"] = 1024.0
		case b < 4096:
			th["budget_tokens"] = 2048.0
		default:
			th["budget_tokens"] = 4096.0
		}
	}
	if blocks, ok := m["system"].([]any); ok {
		var texts []string
		for _, b := range blocks {
			texts = append(texts, b.(map[string]any)["text"].(string))
		}
		m["system"] = strings.Join(texts, "\n\n")
	}
	if tools, ok := m["tools"].([]any); ok {
		for _, tl := range tools {
			delete(tl.(map[string]any), "strict")
			delete(tl.(map[string]any), "type")
		}
	}
	if v, ok := m["stop_sequences"].([]any); ok && len(v) == 0 {
		delete(m, "stop_sequences")
	}
	if v, ok := m["stream"].(bool); ok && !v {
		delete(m, "stream")
	}
	for _, msg := range m["messages"].([]any) {
		msg := msg.(map[string]any)
		if s, ok := msg["content"].(string); ok {
			msg["content"] = []any{map[string]any{"type": "text", "text": s}}
			continue
		}
		var results, rest []any
		for _, b := range msg["content"].([]any) {
			b := b.(map[string]any)
			switch b["type"] {
			case "thinking", "redacted_thinking":
			case "tool_result":
				var texts []string
				if s, ok := b["content"].(string); ok {
					texts = []string{s}
				} else if arr, ok := b["content"].([]any); ok {
					for _, p := range arr {
						p := p.(map[string]any)
						if p["type"] == "image" {
							rest = append(rest, p)
						} else {
							texts = append(texts, p["text"].(string))
						}
					}
				}
				text := strings.Join(texts, "\n\n")
				if b["is_error"] == true {
					text = "Error: " + text
					delete(b, "is_error")
				}
				b["content"] = text
				results = append(results, b)
			case "document":
				if src := b["source"].(map[string]any); src["type"] == "text" {
					rest = append(rest, map[string]any{"type": "text", "text": src["data"]})
				} else {
					delete(b, "title")
					rest = append(rest, b)
				}
			default:
				rest = append(rest, b)
			}
		}
		msg["content"] = append(results, rest...)
	}
}

func dropKey(v any, key string) {
	switch v := v.(type) {
	case map[string]any:
		delete(v, key)
		for _, e := range v {
			dropKey(e, key)
		}
	case []any:
		for _, e := range v {
			dropKey(e, key)
		}
	}
}
