package gemini

import (
	"github.com/tidwall/gjson"

	"switchyard/translate"
)

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
