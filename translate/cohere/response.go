package cohere

import (
	"github.com/tidwall/gjson"

	"switchyard/translate"
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
	var id, finish, message, usage gjson.Result
	root.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
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
	fr, ferr := finishReason(finish.Str)
	if ferr != nil {
		return dst, translate.Usage{}, ferr
	}
	u := readUsage(usage)

	dst = append(dst, `{"id":`...)
	if id.Type == gjson.String && id.Str != "" {
		dst = append(dst, id.Raw...)
	} else {
		dst = translate.AppendString(dst, c.ID)
	}
	dst = append(dst, `,"object":"chat.completion","created":`...)
	dst = translate.AppendInt(dst, c.Created)
	dst = append(dst, `,"model":`...)
	dst = translate.AppendString(dst, c.Model)
	dst = append(dst, `,"choices":[{"index":0,"message":{"role":"assistant","content":`...)

	var plan, content, calls gjson.Result
	message.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
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
	if calls.IsArray() && calls.Get("#").Int() > 0 {
		dst = append(dst, `,"tool_calls":[`...)
		n := 0
		calls.ForEach(func(_, tc gjson.Result) bool {
			if n > 0 {
				dst = append(dst, ',')
			}
			n++
			dst = appendToolCall(dst, tc)
			return true
		})
		dst = append(dst, ']')
	}
	dst = append(dst, `,"refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"`...)
	dst = append(dst, fr...)
	dst = append(dst, `"}],"usage":`...)
	dst = appendUsage(dst, u)
	dst = append(dst, `,"service_tier":"default","system_fingerprint":null}`...)
	return dst, u, nil
}

// appendAnswerText writes the content string: tool_plan then the text blocks, or null when
// there is neither (a pure tool-call answer, as OpenAI sends it). Thinking blocks are dropped.
func appendAnswerText(dst []byte, plan, content gjson.Result) []byte {
	start := len(dst)
	dst = append(dst, '"')
	empty := true
	if plan.Type == gjson.String && len(plan.Raw) > 2 {
		dst = append(dst, plan.Raw[1:len(plan.Raw)-1]...)
		empty = false
	}
	switch {
	case content.Type == gjson.String && len(content.Raw) > 2:
		dst = append(dst, content.Raw[1:len(content.Raw)-1]...)
		empty = false
	case content.IsArray():
		content.ForEach(func(_, part gjson.Result) bool {
			if part.Get("type").Str != "text" {
				return true
			}
			if t := part.Get("text"); t.Type == gjson.String && len(t.Raw) > 2 {
				dst = append(dst, t.Raw[1:len(t.Raw)-1]...)
				empty = false
			} else if t.Type == gjson.String {
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

func appendToolCall(dst []byte, tc gjson.Result) []byte {
	id, fn := tc.Get("id"), tc.Get("function")
	dst = append(dst, `{"id":`...)
	if id.Type == gjson.String {
		dst = append(dst, id.Raw...)
	} else {
		dst = append(dst, `""`...)
	}
	dst = append(dst, `,"type":"function","function":{"name":`...)
	if n := fn.Get("name"); n.Type == gjson.String {
		dst = append(dst, n.Raw...)
	} else {
		dst = append(dst, `""`...)
	}
	dst = append(dst, `,"arguments":`...)
	if a := fn.Get("arguments"); a.Type == gjson.String && len(a.Raw) > 2 {
		dst = append(dst, a.Raw...)
	} else {
		// The client parses arguments as JSON; an empty string would not parse.
		dst = append(dst, `"{}"`...)
	}
	return append(dst, "}}"...)
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

// appendUsage writes OpenAI's usage object with its details, as the OpenAI API sends it.
func appendUsage(dst []byte, u translate.Usage) []byte {
	dst = append(dst, `{"prompt_tokens":`...)
	dst = translate.AppendInt(dst, int64(u.PromptTokens))
	dst = append(dst, `,"completion_tokens":`...)
	dst = translate.AppendInt(dst, int64(u.CompletionTokens))
	dst = append(dst, `,"total_tokens":`...)
	dst = translate.AppendInt(dst, int64(u.TotalTokens))
	dst = append(dst, `,"prompt_tokens_details":{"cached_tokens":`...)
	dst = translate.AppendInt(dst, int64(u.CachedTokens))
	dst = append(dst, `,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}`...)
	return dst
}
