package anthropic

import (
	"switchyard/translate"
	"switchyard/translate/internal/oaiw"
)

// finishReason maps Anthropic's stop_reason to OpenAI's finish_reason. pause_turn (a server
// tool paused a long turn) ends this answer like a normal stop; refusal is what OpenAI calls
// content_filter; model_context_window_exceeded ran out of room like max_tokens. Unknown
// future reasons read as "stop", the answer being complete as far as the client can tell.
func finishReason(raw string) string {
	switch raw {
	case `"max_tokens"`, `"model_context_window_exceeded"`:
		return "length"
	case `"tool_use"`:
		return "tool_calls"
	case `"refusal"`:
		return "content_filter"
	}
	return "stop"
}

// maxToolsInline bounds the tool_use blocks remembered during the one pass over content; more
// (unusual) costs a second pass, not an allocation.
const maxToolsInline = 8

// usageCounts is Anthropic's usage. Anthropic counts cached prompt tokens apart from
// input_tokens; OpenAI's prompt_tokens includes them, with cache reads in cached_tokens.
type usageCounts struct {
	input, output, cacheRead, cacheWrite int64
}

func (u *usageCounts) read(obj string) {
	eachField(obj, func(k, v string) bool {
		n, ok := intValue(v)
		if !ok {
			return true
		}
		switch k {
		case "input_tokens":
			u.input = n
		case "output_tokens":
			u.output = n
		case "cache_read_input_tokens":
			u.cacheRead = n
		case "cache_creation_input_tokens":
			u.cacheWrite = n
		}
		return true
	})
}

func (u *usageCounts) usage() translate.Usage {
	p := int(u.input + u.cacheRead + u.cacheWrite)
	return translate.Usage{
		PromptTokens:     p,
		CompletionTokens: int(u.output),
		TotalTokens:      p + int(u.output),
		CachedTokens:     int(u.cacheRead),
		CacheWriteTokens: int(u.cacheWrite),
	}
}

// strOrNone is raw when it is a string literal, else "" (the caller's fallback is written).
func strOrNone(raw string) string {
	if isStr(raw) {
		return raw
	}
	return ""
}

// badUpstream is an upstream answer the gateway cannot read: the client gets a 502.
func badUpstream(msg string) *translate.Error {
	return &translate.Error{Status: 502, Type: "api_error", Code: "bad_upstream_response", Message: msg}
}

// TranslateResponse implements translate.Adapter: an Anthropic message becomes a
// chat.completion. Text blocks are concatenated into message.content (Anthropic splits text
// around citations and tool calls; OpenAI has one string); tool_use blocks become tool_calls
// with the input as compact JSON arguments; thinking, redacted_thinking and server-tool blocks
// are dropped (see the package comment). content is null when the answer is only tool calls,
// as OpenAI sends it.
func (Adapter) TranslateResponse(c *translate.Call, body []byte, dst []byte) ([]byte, translate.Usage, error) {
	src := view(body)
	if !valid(src) || !isObj(src[skipWS(src, 0):]) {
		return dst, translate.Usage{}, badUpstream("Anthropic returned a response that is not a JSON object")
	}
	var id, model, typ, content, stop, usageRaw, errObj string
	eachField(src, func(k, v string) bool {
		switch k {
		case "id":
			id = v
		case "model":
			model = v
		case "type":
			typ = v
		case "content":
			content = v
		case "stop_reason":
			stop = v
		case "usage":
			usageRaw = v
		case "error":
			errObj = v
		}
		return true
	})
	if typ == `"error"` || (typ == "" && isObj(errObj)) {
		// An error wrapped in a 2xx (seen through some proxies): report it, not an empty answer.
		msg := strValue(field(errObj, "message"))
		if msg == "" {
			msg = "Anthropic returned an error object with a success status"
		}
		et := inner(field(errObj, "type"))
		return dst, translate.Usage{}, &translate.Error{Status: 502, Type: openAIType(et, 502), Code: et, Message: msg}
	}
	if !isArr(content) && !isNull(content) {
		return dst, translate.Usage{}, badUpstream("Anthropic returned a message whose content is not an array")
	}
	var u usageCounts
	u.read(usageRaw)
	usage := u.usage()

	dst = oaiw.AppendCompletionHead(dst, strOrNone(id), c.ID, c.Created, strOrNone(model), c.Model)
	dst = append(dst, oaiw.AssistantMessage...)

	// Text is written as it is met; tool_use blocks are remembered and written after it.
	var tools [maxToolsInline]string
	ntools := 0
	mark := len(dst)
	dst = append(dst, '"')
	texts := 0
	eachElem(content, func(_ int, b string) bool {
		var btype, text string
		eachField(b, func(k, v string) bool {
			switch k {
			case "type":
				btype = v
			case "text":
				text = v
			}
			return true
		})
		switch btype {
		case `"text"`:
			if isStr(text) {
				// Raw string bodies concatenate into one valid string: escapes never span
				// the quotes.
				dst = append(dst, inner(text)...)
				texts++
			}
		case `"tool_use"`:
			if ntools < maxToolsInline {
				tools[ntools] = b
			}
			ntools++
		}
		return true
	})
	if texts == 0 && ntools > 0 {
		dst = append(dst[:mark], "null"...)
	} else {
		dst = append(dst, '"')
	}
	if ntools > 0 {
		dst = append(dst, `,"tool_calls":[`...)
		if ntools <= maxToolsInline {
			for i := 0; i < ntools; i++ {
				dst = appendToolCall(dst, tools[i], i)
			}
		} else {
			n := 0
			eachElem(content, func(_ int, b string) bool {
				if field(b, "type") == `"tool_use"` {
					dst = appendToolCall(dst, b, n)
					n++
				}
				return true
			})
		}
		dst = append(dst, ']')
	}
	dst = oaiw.AppendMessageEnd(dst, finishReason(stop))
	return oaiw.AppendCompletionEnd(dst, usage), usage, nil
}

func appendToolCall(dst []byte, block string, i int) []byte {
	var id, name, input string
	eachField(block, func(k, v string) bool {
		switch k {
		case "id":
			id = v
		case "name":
			name = v
		case "input":
			input = v
		}
		return true
	})
	if i > 0 {
		dst = append(dst, ',')
	}
	dst = oaiw.AppendToolCallHead(dst, id, name)
	if input == "" || input == "null" {
		input = "{}"
	}
	dst = appendCompactAsString(dst, input)
	return append(dst, "}}"...)
}
