package gemini

import (
	"github.com/tidwall/gjson"

	"switchyard/translate"
)

// chatFields are the top-level keys of an OpenAI chat request that shape the Gemini body.
// They are collected in one pass over the body, then written in Gemini's order.
type chatFields struct {
	messages, tools, toolChoice                          gjson.Result
	temperature, topP, topK, maxTokens, maxCompletion    gjson.Result
	stop, n, presence, frequency, seed, responseFormat   gjson.Result
	reasoningEffort, thinking, streamOptions, streamFlag gjson.Result
}

// ChatInfo is what reading the client's chat request told the caller.
type ChatInfo struct {
	Stream       bool // "stream": true
	IncludeUsage bool // stream_options.include_usage, read only when streaming
}

// AppendChatRequest appends the Gemini generateContent body for the client's OpenAI chat
// request (validated and overrides merged by PrepareBody) to dst, for the upstream model
// name. Vertex AI's publishers/google models take the same body.
func AppendChatRequest(dst []byte, body []byte, model string) ([]byte, ChatInfo, error) {
	var info ChatInfo
	root := gjson.Parse(str(body))
	if !root.IsObject() {
		return dst, info, translate.Invalid("request body must be a JSON object")
	}
	var f chatFields
	root.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "messages":
			f.messages = v
		case "tools":
			f.tools = v
		case "tool_choice":
			f.toolChoice = v
		case "temperature":
			f.temperature = v
		case "top_p":
			f.topP = v
		case "top_k":
			f.topK = v
		case "max_tokens":
			f.maxTokens = v
		case "max_completion_tokens":
			f.maxCompletion = v
		case "stop":
			f.stop = v
		case "n":
			f.n = v
		case "presence_penalty":
			f.presence = v
		case "frequency_penalty":
			f.frequency = v
		case "seed":
			f.seed = v
		case "response_format":
			f.responseFormat = v
		case "reasoning_effort":
			f.reasoningEffort = v
		case "thinking":
			f.thinking = v
		case "stream":
			f.streamFlag = v
		case "stream_options":
			f.streamOptions = v
		}
		return true
	})
	info.Stream = f.streamFlag.Type == gjson.True
	info.IncludeUsage = info.Stream && f.streamOptions.Get("include_usage").Type == gjson.True
	if !f.messages.IsArray() {
		return dst, info, translate.Invalid("messages must be an array")
	}

	var err error
	dst = append(dst, `{"contents":[`...)
	var sysBuf [4]gjson.Result
	sys := sysBuf[:0]
	w := contentWriter{dst: dst, needSig: needsThoughtSignature(model)}
	f.messages.ForEach(func(_, m gjson.Result) bool {
		var role string
		var content gjson.Result
		if role, content, err = w.message(m); err != nil {
			return false
		}
		if role == "system" {
			sys = append(sys, content)
		}
		return true
	})
	if err != nil {
		return w.dst, info, err
	}
	dst = w.finish()
	if w.n == 0 {
		return dst, info, translate.Invalid("messages must contain at least one user or assistant message")
	}
	dst = append(dst, ']')
	if len(sys) > 0 {
		dst = append(dst, `,"systemInstruction":{"parts":[`...)
		np := 0
		for _, c := range sys {
			if dst, np, err = appendSystemParts(dst, c, np); err != nil {
				return dst, info, err
			}
		}
		dst = append(dst, "]}"...)
	}
	if dst, err = appendTools(dst, f.tools, f.toolChoice); err != nil {
		return dst, info, err
	}
	if dst, err = appendGenerationConfig(dst, &f); err != nil {
		return dst, info, err
	}
	return append(dst, '}'), info, nil
}

// appendSystemParts appends the text parts of one system/developer message.
func appendSystemParts(dst []byte, c gjson.Result, np int) ([]byte, int, error) {
	add := func(t gjson.Result) {
		if !strNonEmpty(t) {
			return
		}
		if np > 0 {
			dst = append(dst, ',')
		}
		np++
		dst = append(dst, `{"text":`...)
		dst = appendStrRaw(dst, t)
		dst = append(dst, '}')
	}
	switch {
	case c.Type == gjson.String:
		add(c)
	case c.IsArray():
		var err error
		c.ForEach(func(_, p gjson.Result) bool {
			var typ, text gjson.Result
			eachMember(p.Raw, func(k, v string) bool {
				switch {
				case keyIs(k, "type"):
					typ = rawResult(v)
				case keyIs(k, "text"):
					text = rawResult(v)
				}
				return true
			})
			if t := strText(typ); t != "text" {
				err = translate.Invalid("system message content parts must be text, got " + quoteType(t))
				return false
			}
			add(text)
			return true
		})
		if err != nil {
			return dst, np, err
		}
	case c.Type == gjson.Null || !c.Exists():
	default:
		return dst, np, translate.Invalid("system message content must be a string or an array of text parts")
	}
	return dst, np, nil
}

func quoteType(t string) string {
	if t == "" {
		return "a part without type"
	}
	if len(t) > 40 {
		t = t[:40]
	}
	return `"` + t + `"`
}
