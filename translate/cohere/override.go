package cohere

import (
	"github.com/tidwall/gjson"

	"switchyard/translate"
)

// applyOverrides deep-merges the target's override_params into the client's body before
// translation, as Portkey does: overrides are written in OpenAI terms ("max_tokens",
// "temperature", ...) or Cohere's own passthrough fields; objects merge key by key, anything
// else replaces. It runs only for targets with overrides, so it may allocate one new body.
func applyOverrides(body, over []byte) ([]byte, error) {
	o := view(over)
	if !gjson.Valid(o) || !gjson.Parse(o).IsObject() {
		return nil, &translate.Error{Status: 500, Type: "api_error", Code: "invalid_config", Message: "override_params must be a JSON object"}
	}
	b := view(body)
	if !gjson.Valid(b) || !gjson.Parse(b).IsObject() {
		return nil, translate.Invalid("request body must be a JSON object")
	}
	return mergeObjects(make([]byte, 0, len(body)+len(over)+16), gjson.Parse(b), gjson.Parse(o), 0), nil
}

// maxMergeDepth bounds the recursion on hostile nesting.
const maxMergeDepth = 32

// mergeObjects appends base with over's members merged in: base's key order first, then keys
// only over has.
func mergeObjects(dst []byte, base, over gjson.Result, depth int) []byte {
	dst = append(dst, '{')
	n := 0
	sep := func() {
		if n > 0 {
			dst = append(dst, ',')
		}
		n++
	}
	base.ForEach(func(k, v gjson.Result) bool {
		ov := over.Get(gjson.Escape(k.String()))
		sep()
		dst = append(dst, k.Raw...)
		dst = append(dst, ':')
		switch {
		case !ov.Exists():
			dst = append(dst, v.Raw...)
		case ov.IsObject() && v.IsObject() && depth < maxMergeDepth:
			dst = mergeObjects(dst, v, ov, depth+1)
		default:
			dst = append(dst, ov.Raw...)
		}
		return true
	})
	over.ForEach(func(k, v gjson.Result) bool {
		if !base.Get(gjson.Escape(k.String())).Exists() {
			sep()
			dst = append(dst, k.Raw...)
			dst = append(dst, ':')
			dst = append(dst, v.Raw...)
		}
		return true
	})
	return append(dst, '}')
}
