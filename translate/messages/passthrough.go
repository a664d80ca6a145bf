package messages

import (
	"errors"
	"strings"

	"switchyard/translate"
	"switchyard/translate/internal/rawjson"
)

// Passthrough appends the client's Messages body as an Anthropic-family target receives it:
// as it came, except that "model" becomes model when model is not empty (the target's
// model, as Target.Model replaces the client's for translated calls) and that overrides, a
// target's override_params, are deep-merged in as every family merges them
// (translate.MergeOverrides; only then is a new body allocated). Info reports the model sent
// and whether the client asked for a stream. A body that is not a JSON object is a 400; the
// rest is left for Anthropic to judge, as it would without the gateway.
func Passthrough(body []byte, model string, overrides []byte, dst []byte) ([]byte, Info, error) {
	var info Info
	if len(overrides) > 0 {
		merged, err := translate.MergeOverrides(nil, body, overrides)
		if errors.Is(err, translate.ErrOverridesNotObject) {
			return dst, info, &translate.Error{Status: 500, Type: "api_error", Code: "invalid_override_params", Message: err.Error()}
		}
		if err != nil {
			return dst, info, translate.Invalid(err.Error())
		}
		body = merged
	}
	src := view(body)
	if !rawjson.IsObject(src) {
		return dst, info, translate.Invalid("request body must be a JSON object")
	}
	if model == "" {
		// Nothing to change: the client's bytes as they came.
		rawjson.EachField(src, func(k, v string) bool {
			switch k {
			case "model":
				if isStr(v) {
					info.Model = strings.Clone(strValue(v))
				}
			case "stream":
				info.Stream = v == "true"
			}
			return true
		})
		return append(dst, body...), info, nil
	}
	// Members are copied as raw key and value; only the whitespace between top-level members
	// is lost.
	dst = append(dst, '{')
	n := 0
	sawModel := false
	rawjson.EachMember(src, func(k, v string) bool {
		if n > 0 {
			dst = append(dst, ',')
		}
		n++
		dst = append(dst, k...)
		dst = append(dst, ':')
		switch k {
		case `"model"`:
			sawModel = true
			dst = translate.AppendString(dst, model)
			return true
		case `"stream"`:
			info.Stream = v == "true"
		}
		dst = append(dst, v...)
		return true
	})
	info.Model = model
	if !sawModel {
		if n > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `"model":`...)
		dst = translate.AppendString(dst, model)
	}
	return append(dst, '}'), info, nil
}
