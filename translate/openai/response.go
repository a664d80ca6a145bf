package openai

import (
	"strings"

	"github.com/tidwall/gjson"

	"switchyard/translate"
	"switchyard/translate/internal/rawjson"
)

// TranslateResponse implements translate.Adapter: the answer already is OpenAI's, so it is
// copied byte for byte and only read for usage. It is not validated beyond looking like an
// object: the gateway forwards what the provider said, and a non-JSON success answer (an HTML
// page from a proxy) is refused.
func (Adapter) TranslateResponse(c *translate.Call, body []byte, dst []byte) ([]byte, translate.Usage, error) {
	return TranslateResponse(c, body, dst)
}

// TranslateResponse is the family's response translation, shared with Azure.
func TranslateResponse(_ *translate.Call, body []byte, dst []byte) ([]byte, translate.Usage, error) {
	s := str(body)
	if !looksLikeObject(s) {
		return dst, translate.Usage{}, &translate.Error{Status: 502, Type: "api_error", Code: "invalid_upstream_response",
			Message: "upstream returned a success status with a body that is not a JSON object"}
	}
	// An error object sent with a success status (a proxy or a compatible server that gets it
	// wrong) must not reach the client as a 200 it would read as an empty completion. Such a
	// body leads with "error"; answers never do, so they pay one look at their first key.
	if i := rawjson.SkipWS(s, rawjson.SkipWS(s, 0)+1); strings.HasPrefix(s[i:], `"error"`) {
		errv := gjson.Get(s, "error")
		if errv.IsObject() && !gjson.Get(s, "choices").Exists() && !gjson.Get(s, "data").Exists() {
			msg := errv.Get("message").String()
			if msg == "" {
				msg = compact(errv.Raw)
			}
			return dst, translate.Usage{}, &translate.Error{Status: 502, Type: "api_error", Code: "upstream_error",
				Message: "upstream returned an error with a success status: " + clip(msg, 300)}
		}
	}
	return append(dst, body...), ParseUsage(gjson.Get(s, "usage")), nil
}

// ParseUsage reads an OpenAI usage object. It also understands DeepSeek's
// prompt_cache_hit_tokens; total_tokens defaults to prompt + completion.
func ParseUsage(u gjson.Result) translate.Usage {
	var out translate.Usage
	if !u.IsObject() {
		return out
	}
	hit := 0
	u.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "prompt_tokens":
			out.PromptTokens = int(v.Int())
		case "completion_tokens":
			out.CompletionTokens = int(v.Int())
		case "total_tokens":
			out.TotalTokens = int(v.Int())
		case "prompt_tokens_details":
			out.CachedTokens = int(v.Get("cached_tokens").Int())
		case "completion_tokens_details":
			out.ReasoningTokens = int(v.Get("reasoning_tokens").Int())
		case "prompt_cache_hit_tokens":
			hit = int(v.Int())
		}
		return true
	})
	if out.CachedTokens == 0 {
		out.CachedTokens = hit
	}
	if out.TotalTokens == 0 {
		out.TotalTokens = out.PromptTokens + out.CompletionTokens
	}
	return out
}
