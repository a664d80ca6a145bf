package cohere

import (
	"github.com/tidwall/gjson"

	"switchyard/translate"
	"switchyard/translate/internal/oaiw"
)

// TranslateResponse implements translate.Adapter.
func (Adapter) TranslateResponse(c *translate.Call, body []byte, dst []byte) ([]byte, translate.Usage, error) {
	src := view(body)
	if !gjson.Valid(src) {
		return dst, translate.Usage{}, badUpstream("Cohere returned a body that is not valid JSON: " + clip(src, 120))
	}
	root := gjson.Parse(src)
	if !root.IsObject() {
		return dst, translate.Usage{}, badUpstream("Cohere returned JSON that is not an object: " + clip(src, 120))
	}
	if c.Op == translate.OpEmbeddings {
		return translateEmbed(c, root, dst)
	}
	var id, finish, message, usage string
	eachMember(src, func(k, v string) bool {
		switch k {
		case "id":
			id = v
		case "finish_reason":
			finish = v
		case "message":
			message = v
		case "usage":
			usage = v
		}
		return true
	})
	fr, ferr := finishReason(unquote(finish))
	if ferr != nil {
		return dst, translate.Usage{}, ferr
	}
	u := readUsage(gjson.Parse(usage))

	dst = oaiw.AppendCompletionHead(dst, nonEmptyOrNone(id), c.ID, c.Created, "", c.Model)
	dst = append(dst, oaiw.AssistantMessage...)

	var plan, content, calls string
	eachMember(message, func(k, v string) bool {
		switch k {
		case "tool_plan":
			plan = v
		case "content":
			content = v
		case "tool_calls":
			calls = v
		}
		return true
	})
	dst = appendAnswerText(dst, plan, content)
	n := 0
	eachElem(calls, func(tc string) bool {
		if n == 0 {
			dst = append(dst, `,"tool_calls":[`...)
		} else {
			dst = append(dst, ',')
		}
		n++
		dst = appendToolCall(dst, tc)
		return true
	})
	if n > 0 {
		dst = append(dst, ']')
	}
	dst = oaiw.AppendMessageEnd(dst, fr)
	return oaiw.AppendCompletionEnd(dst, u), u, nil
}

// unquote strips a plain string literal's quotes (escapes stay; enum values have none).
func unquote(raw string) string {
	if isStr(raw) {
		return raw[1 : len(raw)-1]
	}
	return ""
}

// appendAnswerText writes the content string: tool_plan then the text blocks, or null when
// there is neither (a pure tool-call answer, as OpenAI sends it). Thinking blocks are dropped.
// Escaped string bodies concatenate into a valid escaped body, so nothing is decoded.
func appendAnswerText(dst []byte, plan, content string) []byte {
	start := len(dst)
	dst = append(dst, '"')
	empty := true
	if isStr(plan) {
		dst = append(dst, plan[1:len(plan)-1]...)
		empty = empty && len(plan) == 2
	}
	if isStr(content) {
		dst = append(dst, content[1:len(content)-1]...)
		empty = false
	} else {
		eachElem(content, func(part string) bool {
			if member(part, "type") != `"text"` {
				return true
			}
			if t := member(part, "text"); isStr(t) {
				dst = append(dst, t[1:len(t)-1]...)
				empty = false
			}
			return true
		})
	}
	if empty {
		return append(dst[:start], "null"...)
	}
	return append(dst, '"')
}

func appendToolCall(dst []byte, tc string) []byte {
	var id, fn string
	eachMember(tc, func(k, v string) bool {
		switch k {
		case "id":
			id = v
		case "function":
			fn = v
		}
		return true
	})
	var name, args string
	eachMember(fn, func(k, v string) bool {
		switch k {
		case "name":
			name = v
		case "arguments":
			args = v
		}
		return true
	})
	dst = oaiw.AppendToolCallHead(dst, id, name)
	// The client parses arguments as JSON; an empty string would not parse.
	if nonEmptyStr(args) {
		dst = append(dst, args...)
	} else {
		dst = append(dst, `"{}"`...)
	}
	return append(dst, "}}"...)
}

// nonEmptyOrNone is raw when it is a non-empty string literal, else "" (the caller's
// fallback is written).
func nonEmptyOrNone(raw string) string {
	if nonEmptyStr(raw) {
		return raw
	}
	return ""
}

// finishReason maps Cohere's finish_reason (see the package comment for ERROR and TIMEOUT).
func finishReason(r string) (string, *translate.Error) {
	switch r {
	case "MAX_TOKENS", "TIMEOUT":
		return "length", nil
	case "TOOL_CALL":
		return "tool_calls", nil
	case "ERROR":
		return "", &translate.Error{Status: 502, Type: "api_error", Code: "upstream_generation_error", Message: "Cohere reported an error during generation (finish_reason ERROR)"}
	}
	return "stop", nil
}

// readUsage prefers usage.tokens (everything the model processed) over usage.billed_units.
func readUsage(u gjson.Result) translate.Usage {
	if !u.IsObject() {
		return translate.Usage{}
	}
	var in, out int64
	src := u.Get("tokens")
	if !src.IsObject() {
		src = u.Get("billed_units")
	}
	if src.IsObject() {
		in, out = src.Get("input_tokens").Int(), src.Get("output_tokens").Int()
	}
	cached := u.Get("cached_tokens").Int()
	return translate.Usage{
		PromptTokens:     int(in),
		CompletionTokens: int(out),
		TotalTokens:      int(in + out),
		CachedTokens:     int(cached),
	}
}
