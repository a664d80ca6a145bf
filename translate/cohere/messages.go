package cohere

import (
	"github.com/tidwall/gjson"

	"switchyard/translate"
)

// appendMessages writes Cohere v2 messages. The roles are the same four OpenAI uses
// ("developer" is OpenAI's newer name for system); content parts differ only in what each
// role may hold, so most values are copied raw.
func appendMessages(b []byte, msgs gjson.Result) ([]byte, error) {
	b = append(b, '[')
	n := 0
	var err error
	msgs.ForEach(func(_, m gjson.Result) bool {
		if !m.IsObject() {
			err = translate.Invalid("every message must be an object")
			return false
		}
		var role, content, toolCalls, toolCallID gjson.Result
		m.ForEach(func(k, v gjson.Result) bool {
			switch k.Str {
			case "role":
				role = v
			case "content":
				content = v
			case "tool_calls":
				toolCalls = v
			case "tool_call_id":
				toolCallID = v
			}
			return true
		})
		if n > 0 {
			b = append(b, ',')
		}
		n++
		switch role.Str {
		case "system", "developer":
			b = append(b, `{"role":"system","content":`...)
			b, err = appendTextContent(b, content, "system")
		case "user":
			b = append(b, `{"role":"user","content":`...)
			b, err = appendUserContent(b, content)
		case "assistant":
			b, err = appendAssistant(b, content, toolCalls)
		case "tool":
			if toolCallID.Type != gjson.String {
				err = translate.Invalid("a tool message needs tool_call_id")
				return false
			}
			b = append(b, `{"role":"tool","tool_call_id":`...)
			b = append(b, toolCallID.Raw...)
			b = append(b, `,"content":`...)
			b, err = appendTextContent(b, content, "tool")
		case "function":
			err = translate.Unsupported("the deprecated function role is not supported for Cohere; use tool messages")
		default:
			err = translate.Invalid("unknown message role \"" + clip(role.String(), 40) + "\"")
		}
		if err != nil {
			return false
		}
		b = append(b, '}')
		return true
	})
	return append(b, ']'), err
}

// appendTextContent writes a string as is, and an array as Cohere text blocks (the only kind
// system and tool messages take here).
func appendTextContent(b []byte, content gjson.Result, role string) ([]byte, error) {
	switch {
	case content.Type == gjson.String:
		return append(b, content.Raw...), nil
	case content.Type == gjson.Null || !content.Exists():
		return append(b, `""`...), nil
	case !content.IsArray():
		return b, translate.Invalid(role + " message content must be a string or an array of parts")
	}
	b = append(b, '[')
	n := 0
	var err error
	content.ForEach(func(_, part gjson.Result) bool {
		if typ := part.Get("type").String(); typ != "text" {
			err = translate.Unsupported("Cohere " + role + " messages take text parts only, not \"" + clip(typ, 40) + "\"")
			return false
		}
		b = appendTextPart(b, part.Get("text"), n)
		n++
		return true
	})
	return append(b, ']'), err
}

func appendTextPart(b []byte, text gjson.Result, n int) []byte {
	if n > 0 {
		b = append(b, ',')
	}
	b = append(b, `{"type":"text","text":`...)
	if text.Type == gjson.String {
		b = append(b, text.Raw...)
	} else {
		b = append(b, `""`...)
	}
	return append(b, '}')
}

// appendUserContent writes user content: text and image_url parts have the same shape in both
// APIs (Cohere takes a web URL or a base64 data URI, and the same detail values).
func appendUserContent(b []byte, content gjson.Result) ([]byte, error) {
	switch {
	case content.Type == gjson.String:
		return append(b, content.Raw...), nil
	case !content.IsArray():
		return b, translate.Invalid("user message content must be a string or an array of parts")
	}
	b = append(b, '[')
	n := 0
	var err error
	content.ForEach(func(_, part gjson.Result) bool {
		switch typ := part.Get("type").String(); typ {
		case "text":
			b = appendTextPart(b, part.Get("text"), n)
		case "image_url":
			img := part.Get("image_url")
			if n > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"type":"image_url","image_url":`...)
			switch {
			case img.IsObject() && img.Get("url").Type == gjson.String:
				b = append(b, `{"url":`...)
				b = append(b, img.Get("url").Raw...)
				if d := img.Get("detail"); d.Type == gjson.String {
					b = appendMember(b, "detail", d.Raw)
				}
				b = append(b, '}')
			case img.Type == gjson.String:
				b = append(b, `{"url":`...)
				b = append(b, img.Raw...)
				b = append(b, '}')
			default:
				err = translate.Invalid("image_url part needs image_url.url")
				return false
			}
			b = append(b, '}')
		default:
			err = translate.Unsupported("Cohere user messages take text and image_url parts, not \"" + clip(typ, 40) + "\"")
			return false
		}
		n++
		return true
	})
	return append(b, ']'), err
}

// appendAssistant writes an assistant turn. With tool_calls, its text becomes tool_plan: that
// is where Cohere put the text that came with tool calls, so a tool loop round-trips.
func appendAssistant(b []byte, content, toolCalls gjson.Result) ([]byte, error) {
	b = append(b, `{"role":"assistant"`...)
	hasCalls := toolCalls.IsArray() && len(toolCalls.Raw) > 2 && toolCalls.Get("#").Int() > 0
	if !hasCalls {
		if content.IsArray() {
			// Refusal parts are OpenAI-only; text parts carry over.
			b = append(b, `,"content":[`...)
			n := 0
			content.ForEach(func(_, part gjson.Result) bool {
				if part.Get("type").String() == "text" {
					b = appendTextPart(b, part.Get("text"), n)
					n++
				}
				return true
			})
			return append(b, ']'), nil
		}
		// An empty turn carries no content member: Cohere rejects empty text.
		if content.Type == gjson.String && content.Str != "" {
			b = append(b, `,"content":`...)
			b = append(b, content.Raw...)
		}
		return b, nil
	}
	if plan := joinText(content); plan != "" {
		b = append(b, `,"tool_plan":`...)
		b = append(b, plan...)
	}
	b = append(b, `,"tool_calls":[`...)
	n := 0
	var err error
	toolCalls.ForEach(func(_, tc gjson.Result) bool {
		id, fn := tc.Get("id"), tc.Get("function")
		name, args := fn.Get("name"), fn.Get("arguments")
		if id.Type != gjson.String || name.Type != gjson.String {
			err = translate.Invalid("every assistant tool call needs id and function.name")
			return false
		}
		if n > 0 {
			b = append(b, ',')
		}
		n++
		b = append(b, `{"id":`...)
		b = append(b, id.Raw...)
		b = append(b, `,"type":"function","function":{"name":`...)
		b = append(b, name.Raw...)
		b = append(b, `,"arguments":`...)
		if args.Type == gjson.String {
			b = append(b, args.Raw...)
		} else {
			b = append(b, `"{}"`...)
		}
		b = append(b, "}}"...)
		return true
	})
	return append(b, ']'), err
}

// joinText returns content's text as one raw JSON string literal ("" when there is none).
// Escaped string bodies concatenate into a valid escaped body, so nothing is decoded.
func joinText(content gjson.Result) string {
	if content.Type == gjson.String {
		if content.Str == "" {
			return ""
		}
		return content.Raw
	}
	if !content.IsArray() {
		return ""
	}
	var parts []string
	content.ForEach(func(_, part gjson.Result) bool {
		if t := part.Get("text"); part.Get("type").String() == "text" && t.Type == gjson.String && len(t.Raw) > 2 {
			parts = append(parts, t.Raw)
		}
		return true
	})
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	out := []byte{'"'}
	for _, p := range parts {
		out = append(out, p[1:len(p)-1]...)
	}
	return string(append(out, '"'))
}
