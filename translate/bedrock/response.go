package bedrock

import (
	"github.com/tidwall/gjson"

	"switchyard/translate"
	"switchyard/translate/internal/oaiw"
	"switchyard/translate/internal/rawjson"
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
	b = oaiw.AppendCompletionHead(b, "", c.ID, c.Created, "", c.Model)
	b = append(b, oaiw.AssistantMessage...)

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
			b = oaiw.AppendToolCallHead(b, strRaw(tu.Get("toolUseId")), strRaw(tu.Get("name")))
			in := tu.Get("input")
			if in.Exists() {
				var tmp [256]byte
				b = translate.AppendString(b, unsafeStr(rawjson.AppendCompact(tmp[:0], in.Raw)))
			} else {
				b = append(b, `"{}"`...)
			}
			b = append(b, "}}"...)
			return true
		})
		b = append(b, ']')
	}
	b = oaiw.AppendMessageEnd(b, finishReason(stopReason.Str))
	return oaiw.AppendCompletionEnd(b, u), u, nil
}

// strRaw is v's raw literal when v is a string, else "" (oaiw then writes an empty string).
func strRaw(v gjson.Result) string {
	if v.Type == gjson.String {
		return v.Raw
	}
	return ""
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

func unsafeStr(b []byte) string { return str(b) }
