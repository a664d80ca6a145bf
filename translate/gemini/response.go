package gemini

import (
	"strconv"

	"github.com/tidwall/gjson"

	"switchyard/translate"
	"switchyard/translate/internal/oaiw"
	"switchyard/translate/internal/rawjson"
)

// FinishReason maps a Gemini finishReason to OpenAI's: STOP is "stop", or "tool_calls" when
// the candidate called functions; MAX_TOKENS is "length"; the safety family (SAFETY,
// RECITATION, BLOCKLIST, PROHIBITED_CONTENT, SPII, IMAGE_SAFETY) is "content_filter";
// anything else (LANGUAGE, OTHER, MALFORMED_FUNCTION_CALL, ...) is "stop".
func FinishReason(r string, calledTools bool) string {
	switch r {
	case "MAX_TOKENS":
		return "length"
	case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY":
		return "content_filter"
	}
	if calledTools {
		return "tool_calls"
	}
	return "stop"
}

// ParseUsage reads usageMetadata. OpenAI counts reasoning inside completion tokens, so
// completion = candidatesTokenCount + thoughtsTokenCount with the thoughts also reported as
// reasoning_tokens; tool-use prompt tokens (grounding, code execution) count as prompt;
// cachedContentTokenCount (already part of promptTokenCount) is cached_tokens; the total is
// Gemini's totalTokenCount when present.
func ParseUsage(m gjson.Result) translate.Usage {
	var u translate.Usage
	var total int
	m.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "promptTokenCount", "toolUsePromptTokenCount":
			u.PromptTokens += int(v.Int())
		case "candidatesTokenCount":
			u.CompletionTokens += int(v.Int())
		case "thoughtsTokenCount":
			u.ReasoningTokens = int(v.Int())
			u.CompletionTokens += u.ReasoningTokens
		case "cachedContentTokenCount":
			u.CachedTokens = int(v.Int())
		case "totalTokenCount":
			total = int(v.Int())
		}
		return true
	})
	u.TotalTokens = total
	if total == 0 {
		u.TotalTokens = u.PromptTokens + u.CompletionTokens
	}
	return u
}

// rawNonEmpty is v's raw literal when v is a non-empty string, else "" (the caller's
// fallback is written).
func rawNonEmpty(v gjson.Result) string {
	if v.Type == gjson.String && v.Str != "" && len(v.Raw) >= 2 && v.Raw[0] == '"' {
		return v.Raw
	}
	return ""
}

// appendToolCallID appends the id of a function call. Gemini's functionCall.id is used when
// the upstream sends one; otherwise the id is derived from the call so it is deterministic:
// "call_<Call.ID>_<candidate index>_<n>" with n counting the candidate's calls from 0.
func appendToolCallID(dst []byte, c *translate.Call, fc gjson.Result, cand, n int) []byte {
	if id := fc.Get("id"); id.Type == gjson.String && id.Str != "" {
		return appendStrRaw(dst, id)
	}
	dst = append(dst, `"call_`...)
	s := translate.AppendString(dst, c.ID)
	dst = append(s[:len(dst)], s[len(dst)+1:len(s)-1]...)
	dst = append(dst, '_')
	dst = strconv.AppendInt(dst, int64(cand), 10)
	dst = append(dst, '_')
	dst = strconv.AppendInt(dst, int64(n), 10)
	return append(dst, '"')
}

// appendToolCall appends one OpenAI tool call (without the stream "index") for a functionCall
// part. A thoughtSignature rides along as extra_content.google.thought_signature, the field
// Google's OpenAI-compatible endpoint uses, so a client that echoes the call back keeps it.
func appendToolCall(dst []byte, c *translate.Call, pf *partFields, cand, n int) []byte {
	fc := gjson.Parse(pf.functionCall)
	dst = append(dst, `"id":`...)
	dst = appendToolCallID(dst, c, fc, cand, n)
	dst = append(dst, `,"type":"function","function":{"name":`...)
	dst = appendStrRaw(dst, fc.Get("name"))
	dst = append(dst, `,"arguments":`...)
	if a := fc.Get("args"); a.Exists() && a.Type != gjson.Null {
		var buf [256]byte
		dst = translate.AppendString(dst, string(rawjson.AppendCompact(buf[:0], a.Raw)))
	} else {
		dst = append(dst, `"{}"`...)
	}
	dst = append(dst, '}')
	if len(pf.signature) > 2 {
		dst = append(dst, `,"extra_content":{"google":{"thought_signature":`...)
		dst = append(dst, pf.signature...)
		dst = append(dst, "}}"...)
	}
	return dst
}

// respHead is what a GenerateContentResponse says beyond its candidates.
type respHead struct {
	candidates, usage, feedback gjson.Result
	id, model                   gjson.Result
	err                         gjson.Result
}

func readHead(root gjson.Result) respHead {
	var h respHead
	root.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "candidates":
			h.candidates = v
		case "usageMetadata":
			h.usage = v
		case "promptFeedback":
			h.feedback = v
		case "responseId":
			h.id = v
		case "modelVersion":
			h.model = v
		case "error":
			h.err = v
		}
		return true
	})
	return h
}

// AppendChatResponse turns a GenerateContentResponse into a chat.completion. id is Gemini's
// responseId (Call.ID when absent), model its modelVersion (Call.Model when absent). Text
// parts are joined; thought parts (thinking summaries) are left out of the content. A prompt
// blocked before any candidate (promptFeedback.blockReason) is answered as one choice with
// null content and finish_reason "content_filter", the way OpenAI reports filtered output.
func AppendChatResponse(dst []byte, c *translate.Call, body []byte) ([]byte, translate.Usage, error) {
	s := str(body)
	if !gjson.Valid(s) {
		return dst, translate.Usage{}, &translate.Error{Status: 502, Type: "api_error", Message: "upstream answer is not valid JSON"}
	}
	root := gjson.Parse(s)
	if root.IsArray() { // a stream endpoint's answer read whole: one object per element
		root = root.Get("0")
	}
	h := readHead(root)
	if h.err.Exists() {
		return dst, translate.Usage{}, &translate.Error{Status: 502, Type: "api_error", Message: "upstream error: " + h.err.Get("message").String()}
	}
	u := ParseUsage(h.usage)
	dst = oaiw.AppendCompletionHead(dst, rawNonEmpty(h.id), c.ID, c.Created, rawNonEmpty(h.model), c.Model)
	n := 0
	h.candidates.ForEach(func(_, cand gjson.Result) bool {
		if n > 0 {
			dst = append(dst, ',')
		}
		dst = appendChoice(dst, c, cand, n)
		n++
		return true
	})
	if n == 0 {
		dst = append(dst, `{"index":0,"message":{"role":"assistant","content":null,"refusal":null,"annotations":[]},"logprobs":null,"finish_reason":`...)
		if h.feedback.Get("blockReason").Exists() {
			dst = append(dst, `"content_filter"}`...)
		} else {
			dst = append(dst, `"stop"}`...)
		}
	}
	return oaiw.AppendCompletionEnd(dst, u), u, nil
}

func appendChoice(dst []byte, c *translate.Call, cand gjson.Result, pos int) []byte {
	idx := pos
	var parts, finish gjson.Result
	cand.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "index":
			idx = int(v.Int())
		case "content":
			parts = v.Get("parts")
		case "finishReason":
			finish = v
		}
		return true
	})
	dst = append(dst, `{"index":`...)
	dst = strconv.AppendInt(dst, int64(idx), 10)
	dst = append(dst, `,"message":{"role":"assistant","content":`...)
	text := false
	parts.ForEach(func(_, p gjson.Result) bool {
		if pf := readPart(p.Raw); pf.text != "" && !pf.thought {
			if !text {
				dst = append(dst, '"')
				text = true
			}
			dst = append(dst, pf.text[1:len(pf.text)-1]...)
		}
		return true
	})
	if text {
		dst = append(dst, '"')
	} else {
		dst = append(dst, "null"...)
	}
	calls := 0
	parts.ForEach(func(_, p gjson.Result) bool {
		if pf := readPart(p.Raw); pf.functionCall != "" {
			if calls == 0 {
				dst = append(dst, `,"tool_calls":[`...)
			} else {
				dst = append(dst, ',')
			}
			dst = append(dst, '{')
			dst = appendToolCall(dst, c, &pf, idx, calls)
			dst = append(dst, '}')
			calls++
		}
		return true
	})
	if calls > 0 {
		dst = append(dst, ']')
	}
	return oaiw.AppendMessageEnd(dst, FinishReason(finish.Str, calls > 0))
}
