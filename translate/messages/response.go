package messages

import (
	"switchyard/translate"
	"switchyard/translate/internal/rawjson"
)

// stopReason maps OpenAI's finish_reason to Anthropic's stop_reason. function_call is the
// legacy form of tool_calls. OpenAI does not say which stop sequence matched, so a stop
// sequence reads as end_turn and stop_sequence is always null. A missing or unknown reason
// reads as end_turn: the answer is complete as far as the client can tell.
func stopReason(raw string) string {
	switch raw {
	case `"length"`:
		return "max_tokens"
	case `"tool_calls"`, `"function_call"`:
		return "tool_use"
	case `"content_filter"`:
		return "refusal"
	}
	return "end_turn"
}

// readUsage reads an OpenAI usage object.
func readUsage(obj string, u *translate.Usage) {
	rawjson.EachField(obj, func(k, v string) bool {
		switch k {
		case "prompt_tokens":
			u.PromptTokens = num(v)
		case "completion_tokens":
			u.CompletionTokens = num(v)
		case "total_tokens":
			u.TotalTokens = num(v)
		case "prompt_tokens_details":
			if n, ok := intValue(field(v, "cached_tokens")); ok && n >= 0 {
				u.CachedTokens = int(n)
			}
		case "completion_tokens_details":
			if n, ok := intValue(field(v, "reasoning_tokens")); ok && n >= 0 {
				u.ReasoningTokens = int(n)
			}
		}
		return true
	})
	if u.TotalTokens == 0 {
		u.TotalTokens = u.PromptTokens + u.CompletionTokens
	}
}

func num(v string) int {
	if n, ok := intValue(v); ok && n >= 0 {
		return int(n)
	}
	return 0
}

// appendUsage writes Anthropic's usage. Anthropic counts cached prompt tokens apart from
// input_tokens, OpenAI inside prompt_tokens, so input_tokens = prompt_tokens - cached_tokens.
// OpenAI reports no cache writes: cache_creation_input_tokens is 0.
func appendUsage(dst []byte, u translate.Usage) []byte {
	in := max(u.PromptTokens-u.CachedTokens, 0)
	dst = append(dst, `{"input_tokens":`...)
	dst = translate.AppendInt(dst, int64(in))
	dst = append(dst, `,"cache_creation_input_tokens":0,"cache_read_input_tokens":`...)
	dst = translate.AppendInt(dst, int64(u.CachedTokens))
	dst = append(dst, `,"output_tokens":`...)
	dst = translate.AppendInt(dst, int64(u.CompletionTokens))
	return append(dst, '}')
}

// badUpstream is an answer the gateway cannot read; the client gets a 502.
func badUpstream(msg string) *translate.Error {
	return &translate.Error{Status: 502, Type: "api_error", Code: "bad_upstream_response", Message: msg}
}

// FromChatResponse appends the Anthropic message for an OpenAI chat.completion (its first
// choice): reasoning_content or reasoning (DeepSeek, vLLM, OpenRouter send the model's reasoning there) as
// a thinking block with an empty signature, the text as one text block, a refusal as a text
// block, each tool call as a tool_use block whose input is the parsed arguments. Arguments
// that are not a JSON object (a call cut off by the token limit) become {}: Anthropic's input
// is always an object, and an Anthropic client cannot be handed a string there. The chat id
// and model are kept as they are.
func FromChatResponse(chatJSON []byte, dst []byte) ([]byte, translate.Usage, error) {
	var u translate.Usage
	src := view(chatJSON)
	if !valid(src) || !isObj(src[rawjson.SkipWS(src, 0):]) {
		return dst, u, badUpstream("upstream returned a chat completion that is not a JSON object")
	}
	var id, model, choices, usage, errObj string
	rawjson.EachField(src, func(k, v string) bool {
		switch k {
		case "id":
			id = v
		case "model":
			model = v
		case "choices":
			choices = v
		case "usage":
			usage = v
		case "error":
			errObj = v
		}
		return true
	})
	if isObj(errObj) {
		msg := strValue(field(errObj, "message"))
		if msg == "" {
			msg = "upstream returned an error object with a success status"
		}
		return dst, u, &translate.Error{Status: 502, Type: "api_error", Code: "upstream_error", Message: msg}
	}
	if !isArr(choices) {
		return dst, u, badUpstream("upstream chat completion has no choices array")
	}
	var msg, finish string
	rawjson.EachElem(choices, func(_ int, c string) bool {
		msg, finish = field(c, "message"), field(c, "finish_reason")
		return false
	})
	readUsage(usage, &u)
	var content, reasoning, refusal, calls string
	rawjson.EachField(msg, func(k, v string) bool {
		switch k {
		case "content":
			content = v
		case "reasoning_content", "reasoning":
			if isStr(v) {
				reasoning = v
			}
		case "refusal":
			refusal = v
		case "tool_calls":
			calls = v
		}
		return true
	})

	dst = append(dst, `{"id":`...)
	dst = appendStrOr(dst, id, "msg_gateway")
	dst = append(dst, `,"type":"message","role":"assistant","model":`...)
	dst = appendStrOr(dst, model, "")
	dst = append(dst, `,"content":[`...)
	n := 0
	sep := func() {
		if n > 0 {
			dst = append(dst, ',')
		}
		n++
	}
	if isStr(reasoning) && reasoning != `""` {
		sep()
		dst = append(dst, `{"type":"thinking","thinking":`...)
		dst = append(dst, reasoning...)
		dst = append(dst, `,"signature":""}`...)
	}
	switch {
	case isStr(content) && content != `""`:
		sep()
		dst = append(dst, `{"type":"text","text":`...)
		dst = append(dst, content...)
		dst = append(dst, `}`...)
	case isArr(content):
		// Some providers answer with an array of text parts.
		rawjson.EachElem(content, func(_ int, p string) bool {
			if t := field(p, "text"); isStr(t) && t != `""` {
				sep()
				dst = append(dst, `{"type":"text","text":`...)
				dst = append(dst, t...)
				dst = append(dst, `}`...)
			}
			return true
		})
	}
	if isStr(refusal) && refusal != `""` {
		sep()
		dst = append(dst, `{"type":"text","text":`...)
		dst = append(dst, refusal...)
		dst = append(dst, `}`...)
	}
	rawjson.EachElem(calls, func(k int, c string) bool {
		sep()
		dst = appendToolUse(dst, c, id, k)
		return true
	})
	stop := stopReason(finish)
	if isStr(refusal) && refusal != `""` && stop == "end_turn" {
		stop = "refusal"
	}
	dst = append(dst, `],"stop_reason":"`...)
	dst = append(dst, stop...)
	dst = append(dst, `","stop_sequence":null,"usage":`...)
	dst = appendUsage(dst, u)
	return append(dst, '}'), u, nil
}

func appendToolUse(dst []byte, call, msgID string, k int) []byte {
	var id, fn string
	rawjson.EachField(call, func(key, v string) bool {
		switch key {
		case "id":
			id = v
		case "function":
			fn = v
		}
		return true
	})
	var name, args string
	rawjson.EachField(fn, func(key, v string) bool {
		switch key {
		case "name":
			name = v
		case "arguments":
			args = v
		}
		return true
	})
	dst = append(dst, `{"type":"tool_use","id":`...)
	if isStr(id) && id != `""` {
		dst = append(dst, id...)
	} else {
		dst = appendToolID(dst, msgID, k)
	}
	dst = append(dst, `,"name":`...)
	dst = appendStrOr(dst, name, "")
	dst = append(dst, `,"input":`...)
	return append(appendInput(dst, args), '}')
}

// appendToolID makes an id for a tool call the provider left without one; the message id
// keeps it unique across the conversation.
func appendToolID(dst []byte, msgID string, k int) []byte {
	dst = append(dst, `"toolu_`...)
	// Bounded: the id is repeated for every call, and an answer may hold many.
	if isStr(msgID) && len(msgID) <= maxIDLength {
		dst = append(dst, inner(msgID)...)
		dst = append(dst, '_')
	}
	dst = translate.AppendInt(dst, int64(k))
	return append(dst, '"')
}

// appendInput decodes an arguments string into dst and keeps it, compacted, when it is a
// JSON object, otherwise writes {}. Some providers already send an object.
func appendInput(dst []byte, args string) []byte {
	switch {
	case isObj(args):
		return rawjson.AppendCompact(dst, args)
	case isStr(args):
		mark := len(dst)
		dst = rawjson.AppendUnescaped(dst, inner(args))
		in := view(dst[mark:])
		if !rawjson.IsObject(in) {
			return append(dst[:mark], "{}"...)
		}
		// Anthropic sends input compact; a decoded arguments string is often pretty-printed.
		// The compact copy goes after the decoded text (in stays valid even if dst moves) and
		// is then moved back over it.
		end := len(dst)
		dst = rawjson.AppendCompact(dst, in)
		n := copy(dst[mark:], dst[end:])
		return dst[:mark+n]
	}
	return append(dst, "{}"...)
}

func appendStrOr(dst []byte, raw, def string) []byte {
	if isStr(raw) {
		return append(dst, raw...)
	}
	return translate.AppendString(dst, def)
}
