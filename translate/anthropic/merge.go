package anthropic

import "switchyard/translate"

// applyOverrides deep-merges the target's override_params into the client's body before
// translation, as Portkey does: overrides are written in OpenAI terms ("max_tokens",
// "temperature", ...), objects merge key by key, anything else replaces. It runs only for
// targets with overrides, so it may allocate one new body.
func applyOverrides(body, over []byte) ([]byte, error) {
	b, o := view(body), view(over)
	if !valid(o) || !isObj(o[skipWS(o, 0):]) {
		return nil, &translate.Error{Status: 500, Type: "api_error", Code: "invalid_config", Message: "override_params must be a JSON object"}
	}
	if !valid(b) || !isObj(b[skipWS(b, 0):]) {
		return nil, translate.Invalid("request body must be a JSON object")
	}
	return mergeObjects(make([]byte, 0, len(body)+len(over)+16), b, o), nil
}

// mergeObjects appends base with over's members merged in: base's key order first, then keys
// only over has.
func mergeObjects(dst []byte, base, over string) []byte {
	dst = append(dst, '{')
	n := 0
	member := func(k, v string) {
		if n > 0 {
			dst = append(dst, ',')
		}
		n++
		dst = translate.AppendString(dst, k)
		dst = append(dst, ':')
		dst = append(dst, v...)
	}
	eachField(base, func(k, v string) bool {
		ov, found := lookup(over, k)
		switch {
		case !found:
			member(k, v)
		case isObj(ov) && isObj(v):
			if n > 0 {
				dst = append(dst, ',')
			}
			n++
			dst = translate.AppendString(dst, k)
			dst = append(dst, ':')
			dst = mergeObjects(dst, v, ov)
		default:
			member(k, ov)
		}
		return true
	})
	eachField(over, func(k, v string) bool {
		if _, found := lookup(base, k); !found {
			member(k, v)
		}
		return true
	})
	return append(dst, '}')
}

// lookup is field that also tells a present null from an absent key.
func lookup(obj, key string) (string, bool) {
	var out string
	found := false
	eachField(obj, func(k, v string) bool {
		if k == key {
			out, found = v, true
			return false
		}
		return true
	})
	return out, found
}
