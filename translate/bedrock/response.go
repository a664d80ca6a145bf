package bedrock

import (
	"github.com/tidwall/gjson"

	"switchyard/translate"
)

// TranslateResponse turns a Converse answer (or an InvokeModel embeddings answer) into the
// OpenAI answer. Converse returns no id or creation time: Call.ID and Call.Created are used,
// and the model is Call.Model.
func (Adapter) TranslateResponse(c *translate.Call, body []byte, dst []byte) ([]byte, translate.Usage, error) {
	if !gjson.ValidBytes(body) {
		return dst, translate.Usage{}, errBadResponse("body is not valid JSON")
	}
	root := gjson.Parse(str(body))
	if c.Op == translate.OpEmbeddings {
		return translateEmbeddings(c, root, dst)
	}
	var content, stopReason, usage gjson.Result
	root.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "output":
			content = v.Get("message.content")
		case "stopReason":
			stopReason = v
		case "usage":
			usage = v
		}
		return true
	})
	if !content.IsArray() {
		return dst, translate.Usage{}, errBadResponse("no output.message.content array")
	}
	u := parseUsage(usage)

	b := dst
	b = append(b, `{"id":`...)
	b = translate.AppendString(b, c.ID)
	b = append(b, `,"object":"chat.completion","created":`...)
	b = translate.AppendInt(b, c.Created)
	b = append(b, `,"model":`...)
	b = translate.AppendString(b, c.Model)
	b = append(b, `,"choices":[{"index":0,"message":{"role":"assistant","content":`...)

	// Text blocks concatenate: the inside of already-escaped JSON strings can be joined as is.
	texts, tools := 0, 0
	content.ForEach(func(_, blk gjson.Result) bool {
		if t := blk.Get("text"); t.Type == gjson.String {
			if texts == 0 {
				b = append(b, '"')
			}
			texts++
			b = append(b, t.Raw[1:len(t.Raw)-1]...)
		} else if blk.Get("toolUse").Exists() {
			tools++
		}
		return true
	})
	switch {
	case texts > 0:
		b = append(b, '"')
	case tools > 0:
		b = append(b, "null"...)
	default:
		b = append(b, `""`...)
	}
	if tools > 0 {
		b = append(b, `,"tool_calls":[`...)
		i := 0
		content.ForEach(func(_, blk gjson.Result) bool {
			tu := blk.Get("toolUse")
			if !tu.Exists() {
				return true
			}
			if i > 0 {
				b = append(b, ',')
			}
			i++
			b = append(b, `{"id":`...)
			b = appendStringOrEmpty(b, tu.Get("toolUseId"))
			b = append(b, `,"type":"function","function":{"name":`...)
			b = appendStringOrEmpty(b, tu.Get("name"))
			b = append(b, `,"arguments":`...)
			in := tu.Get("input")
			if in.Exists() {
				var tmp [256]byte
				b = translate.AppendString(b, unsafeStr(appendCompact(tmp[:0], in.Raw)))
			} else {
				b = append(b, `"{}"`...)
			}
			b = append(b, "}}"...)
			return true
		})
		b = append(b, ']')
	}
	b = append(b, `,"refusal":null,"annotations":[]},"logprobs":null,"finish_reason":`...)
	b = translate.AppendString(b, finishReason(stopReason.Str))
	b = append(b, `}],"usage":`...)
	b = appendUsage(b, u)
	return append(b, `,"service_tier":"default","system_fingerprint":null}`...), u, nil
}

func appendStringOrEmpty(b []byte, v gjson.Result) []byte {
	if v.Type == gjson.String {
		return append(b, v.Raw...)
	}
	return append(b, `""`...)
}

// finishReason maps a Converse stopReason to an OpenAI finish_reason.
func finishReason(s string) string {
	switch s {
	case "max_tokens", "model_context_window_exceeded":
		return "length"
	case "tool_use":
		return "tool_calls"
	case "guardrail_intervened", "content_filtered":
		return "content_filter"
	}
	return "stop" // end_turn, stop_sequence and anything new
}

// parseUsage reads a Converse TokenUsage. Bedrock's inputTokens excludes cache reads and
// writes, while OpenAI's prompt_tokens includes cached tokens, so prompt_tokens = inputTokens
// + cacheReadInputTokens + cacheWriteInputTokens and total = prompt + completion.
func parseUsage(v gjson.Result) translate.Usage {
	var u translate.Usage
	var in int
	v.ForEach(func(k, n gjson.Result) bool {
		switch k.Str {
		case "inputTokens":
			in = int(n.Int())
		case "outputTokens":
			u.CompletionTokens = int(n.Int())
		case "cacheReadInputTokens":
			u.CachedTokens = int(n.Int())
		case "cacheWriteInputTokens":
			u.CacheWriteTokens = int(n.Int())
		}
		return true
	})
	u.PromptTokens = in + u.CachedTokens + u.CacheWriteTokens
	u.TotalTokens = u.PromptTokens + u.CompletionTokens
	return u
}

func appendUsage(b []byte, u translate.Usage) []byte {
	b = append(b, `{"prompt_tokens":`...)
	b = translate.AppendInt(b, int64(u.PromptTokens))
	b = append(b, `,"completion_tokens":`...)
	b = translate.AppendInt(b, int64(u.CompletionTokens))
	b = append(b, `,"total_tokens":`...)
	b = translate.AppendInt(b, int64(u.TotalTokens))
	b = append(b, `,"prompt_tokens_details":{"cached_tokens":`...)
	b = translate.AppendInt(b, int64(u.CachedTokens))
	// Bedrock reports no reasoning, audio or prediction tokens apart.
	return append(b, `,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}`...)
}

// appendCompact appends valid JSON without the whitespace between tokens, so values copied
// from an upstream answer look the way OpenAI writes them.
func appendCompact(b []byte, raw string) []byte {
	inStr := false
	start := 0
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if inStr {
			if c == '\\' {
				i++
			} else if c == '"' {
				inStr = false
			}
			continue
		}
		switch c {
		case '"':
			inStr = true
		case ' ', '\t', '\n', '\r':
			b = append(b, raw[start:i]...)
			start = i + 1
		}
	}
	return append(b, raw[start:]...)
}

func unsafeStr(b []byte) string { return str(b) }
