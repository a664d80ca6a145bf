package gemini

import (
	"strings"

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

// appendTools writes tools and toolConfig.
func appendTools(dst []byte, tools, choice gjson.Result) ([]byte, error) {
	if tools.Exists() && tools.Type != gjson.Null && !tools.IsArray() {
		return dst, translate.Invalid("tools must be an array")
	}
	n := 0
	var err error
	tools.ForEach(func(_, t gjson.Result) bool {
		if typ := t.Get("type").Str; typ != "function" && typ != "" {
			err = translate.Invalid("tool type " + quoteType(typ) + " is not supported by Gemini; only function tools are")
			return false
		}
		fn := t.Get("function")
		name := fn.Get("name")
		if name.Type != gjson.String || name.Str == "" {
			err = translate.Invalid("every tool needs function.name")
			return false
		}
		if n == 0 {
			dst = append(dst, `,"tools":[{"functionDeclarations":[`...)
		} else {
			dst = append(dst, ',')
		}
		n++
		dst = append(dst, `{"name":`...)
		dst = appendStrRaw(dst, name)
		if d := fn.Get("description"); d.Type == gjson.String {
			dst = append(dst, `,"description":`...)
			dst = appendStrRaw(dst, d)
		}
		// Gemini rejects an OBJECT schema with no properties, so a function without arguments
		// is declared without parameters.
		if p := fn.Get("parameters"); p.IsObject() && (!p.Get("type").Exists() || p.Get("type").Str != "object" || hasProperties(p)) {
			dst = append(dst, `,"parameters":`...)
			if dst, err = AppendSchema(dst, p); err != nil {
				return false
			}
		}
		dst = append(dst, '}')
		return true
	})
	if err != nil {
		return dst, err
	}
	if n > 0 {
		dst = append(dst, "]}]"...)
	}
	if !choice.Exists() || choice.Type == gjson.Null {
		return dst, nil
	}
	var mode string
	var name gjson.Result
	switch {
	case choice.Type == gjson.String:
		switch choice.Str {
		case "auto":
			mode = "AUTO"
		case "none":
			mode = "NONE"
		case "required":
			mode = "ANY"
		default:
			return dst, translate.Invalid(`tool_choice must be "auto", "none", "required" or a function`)
		}
	case choice.IsObject():
		if name = choice.Get("function.name"); name.Type != gjson.String || name.Str == "" {
			return dst, translate.Invalid("tool_choice object needs function.name")
		}
		mode = "ANY"
	default:
		return dst, translate.Invalid("tool_choice must be a string or an object")
	}
	// Without tools a tool_choice means nothing (OpenAI refuses the combination), so Gemini
	// gets no toolConfig for functions it does not have.
	if n == 0 {
		return dst, nil
	}
	dst = append(dst, `,"toolConfig":{"functionCallingConfig":{"mode":"`...)
	dst = append(dst, mode...)
	if name.Exists() {
		dst = append(dst, `","allowedFunctionNames":[`...)
		dst = appendStrRaw(dst, name)
		dst = append(dst, "]}}"...)
	} else {
		dst = append(dst, `"}}`...)
	}
	return dst, nil
}

func hasProperties(p gjson.Result) bool {
	has := false
	p.Get("properties").ForEach(func(_, _ gjson.Result) bool {
		has = true
		return false
	})
	return has
}

// Thinking budgets for reasoning_effort: low, medium and high follow the mapping Google
// documents for its own OpenAI-compatible endpoint (1K, 8K, 24K tokens); "none" turns
// thinking off; "minimal" uses 512, the smallest budget every 2.5 model accepts.
func thinkingBudget(effort string) (string, bool) {
	switch effort {
	case "none":
		return "0", true
	case "minimal":
		return "512", true
	case "low":
		return "1024", true
	case "medium":
		return "8192", true
	case "high":
		return "24576", true
	}
	return "", false
}

// appendGenerationConfig writes generationConfig when any generation parameter is set.
func appendGenerationConfig(dst []byte, f *chatFields) ([]byte, error) {
	n := 0
	key := func(k string) {
		if n == 0 {
			dst = append(dst, `,"generationConfig":{`...)
		} else {
			dst = append(dst, ',')
		}
		n++
		dst = append(dst, '"')
		dst = append(dst, k...)
		dst = append(dst, `":`...)
	}
	var err error
	num := func(name, k string, v gjson.Result) {
		if err != nil || !v.Exists() || v.Type == gjson.Null {
			return
		}
		if v.Type != gjson.Number {
			err = translate.Invalid(name + " must be a number")
			return
		}
		key(k)
		dst = append(dst, v.Raw...)
	}
	switch {
	case f.stop.Type == gjson.String:
		key("stopSequences")
		dst = append(dst, '[')
		dst = appendStrRaw(dst, f.stop)
		dst = append(dst, ']')
	case f.stop.IsArray():
		key("stopSequences")
		dst = append(dst, '[')
		i := 0
		f.stop.ForEach(func(_, s gjson.Result) bool {
			if s.Type != gjson.String {
				err = translate.Invalid("stop must be a string or an array of strings")
				return false
			}
			if i > 0 {
				dst = append(dst, ',')
			}
			i++
			dst = appendStrRaw(dst, s)
			return true
		})
		dst = append(dst, ']')
	case f.stop.Exists() && f.stop.Type != gjson.Null:
		err = translate.Invalid("stop must be a string or an array of strings")
	}
	num("n", "candidateCount", f.n)
	if f.maxCompletion.Exists() && f.maxCompletion.Type != gjson.Null {
		num("max_completion_tokens", "maxOutputTokens", f.maxCompletion)
	} else {
		num("max_tokens", "maxOutputTokens", f.maxTokens)
	}
	num("temperature", "temperature", f.temperature)
	num("top_p", "topP", f.topP)
	num("top_k", "topK", f.topK)
	num("presence_penalty", "presencePenalty", f.presence)
	num("frequency_penalty", "frequencyPenalty", f.frequency)
	num("seed", "seed", f.seed)
	if err != nil {
		return dst, err
	}
	if rf := f.responseFormat; rf.IsObject() {
		switch rf.Get("type").Str {
		case "json_object":
			key("responseMimeType")
			dst = append(dst, `"application/json"`...)
		case "json_schema":
			key("responseMimeType")
			dst = append(dst, `"application/json"`...)
			if sc := rf.Get("json_schema.schema"); sc.IsObject() {
				key("responseSchema")
				if dst, err = AppendSchema(dst, sc); err != nil {
					return dst, err
				}
			}
		case "text", "":
		default:
			return dst, translate.Invalid("response_format type " + quoteType(rf.Get("type").Str) + " is not supported")
		}
	}
	budget, ok := "", false
	if th := f.thinking; th.IsObject() {
		switch th.Get("type").Str {
		case "enabled":
			if b := th.Get("budget_tokens"); b.Type == gjson.Number {
				budget, ok = b.Raw, true
			}
		case "disabled":
			budget, ok = "0", true
		}
	}
	if !ok && f.reasoningEffort.Type == gjson.String {
		if budget, ok = thinkingBudget(f.reasoningEffort.Str); !ok {
			return dst, translate.Invalid(`reasoning_effort must be "none", "minimal", "low", "medium" or "high"`)
		}
	}
	if ok {
		key("thinkingConfig")
		dst = append(dst, `{"thinkingBudget":`...)
		dst = append(dst, budget...)
		dst = append(dst, '}')
	}
	if n > 0 {
		dst = append(dst, '}')
	}
	return dst, nil
}

// needsThoughtSignature reports whether the model is Gemini 3 or later, which refuses a
// replayed functionCall without a thoughtSignature.
func needsThoughtSignature(model string) bool {
	rest, ok := strings.CutPrefix(model, "gemini-")
	if !ok {
		return false
	}
	n, i := 0, 0
	for ; i < len(rest) && rest[i] >= '0' && rest[i] <= '9' && i < 4; i++ {
		n = n*10 + int(rest[i]-'0')
	}
	return i > 0 && n >= 3
}

// extOf is the file extension of a URL path, lower case, without query or fragment.
func extOf(u string) string {
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	slash := strings.LastIndexByte(u, '/')
	dot := strings.LastIndexByte(u, '.')
	if dot < 0 || dot < slash {
		return ""
	}
	return strings.ToLower(u[dot+1:])
}

// DefaultImageMIME is the type sent for an image URL whose extension says nothing: Gemini
// needs a mimeType on fileData, and JPEG is what most extension-less image URLs serve.
const DefaultImageMIME = "image/jpeg"

// mimeForURL guesses a fileData mimeType from the URL's extension.
func mimeForURL(u, def string) string {
	switch extOf(u) {
	case "jpg", "jpeg":
		return "image/jpeg"
	case "png":
		return "image/png"
	case "gif":
		return "image/gif"
	case "webp":
		return "image/webp"
	case "heic":
		return "image/heic"
	case "heif":
		return "image/heif"
	case "pdf":
		return "application/pdf"
	case "txt":
		return "text/plain"
	case "mp3":
		return "audio/mp3"
	case "wav":
		return "audio/wav"
	case "flac":
		return "audio/flac"
	case "ogg":
		return "audio/ogg"
	case "mp4":
		return "video/mp4"
	case "mov":
		return "video/mov"
	case "webm":
		return "video/webm"
	}
	return def
}
