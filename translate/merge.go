package translate

import (
	"errors"
	"slices"
	"unsafe"

	"github.com/tidwall/gjson"

	"switchyard/translate/internal/rawjson"
)

// Errors of MergeOverrides. Families turn them into the *Error their API answers with (a bad
// override is a gateway configuration fault for some, a client-visible 400 for others).
var (
	ErrOverridesNotObject = errors.New("override_params must be a JSON object")
	ErrBodyNotObject      = errors.New("request body must be a JSON object")
)

// maxMergeDepth bounds the recursion of a deep merge on hostile nesting; deeper than it, the
// override's value replaces the body's instead of merging into it.
const maxMergeDepth = 32

// MergeOverrides appends to dst the client's body with a target's override_params deep-merged
// in, as Portkey does: two objects merge member by member (the body's key order first, then
// keys only the override has), any other pair takes the override's value. Keys and values are
// copied as raw bytes. Both inputs must be valid JSON objects (overrides are checked first).
// It runs only for targets with overrides; with a nil dst it allocates the one new body.
func MergeOverrides(dst, body, overrides []byte) ([]byte, error) {
	o := view(overrides)
	if !rawjson.IsObject(o) {
		return dst, ErrOverridesNotObject
	}
	b := view(body)
	if !rawjson.IsObject(b) {
		return dst, ErrBodyNotObject
	}
	dst = slices.Grow(dst, len(body)+len(overrides)+16)
	return appendMerged(dst, gjson.Parse(b), gjson.Parse(o), 0), nil
}

// OverriddenAlias reports a top-level body token limit that the override sets under its other
// name (max_tokens / max_completion_tokens): the override's limit must win, and a body with both
// makes OpenAI answer 400 invalid_parameter_combination, so the body's is left out.
func OverriddenAlias(over gjson.Result, name string) bool {
	var alias string
	switch name {
	case "max_tokens":
		alias = "max_completion_tokens"
	case "max_completion_tokens":
		alias = "max_tokens"
	default:
		return false
	}
	return Member(over, alias).Exists() && !Member(over, name).Exists()
}

// AppendMerged appends base deep-merged with over (see MergeOverrides); when either is not an
// object, over's raw value. Callers that edit a body in their own single pass (translate/openai)
// use it for the members an override touches.
func AppendMerged(dst []byte, base, over gjson.Result) []byte {
	return appendMerged(dst, base, over, 0)
}

func appendMerged(dst []byte, base, over gjson.Result, depth int) []byte {
	if !base.IsObject() || !over.IsObject() || depth >= maxMergeDepth {
		return append(dst, over.Raw...)
	}
	dst = append(dst, '{')
	n := 0
	// matched marks the override members (the first 64) whose key the base also has, so the
	// second loop need not search the base again.
	var matched uint64
	base.ForEach(func(k, v gjson.Result) bool {
		if depth == 0 && OverriddenAlias(over, k.Str) {
			return true
		}
		if n > 0 {
			dst = append(dst, ',')
		}
		n++
		dst = append(dst, k.Raw...)
		dst = append(dst, ':')
		ov, m := findAll(over, k.Str)
		matched |= m
		if ov.Exists() {
			dst = appendMerged(dst, v, ov, depth+1)
		} else {
			dst = append(dst, v.Raw...)
		}
		return true
	})
	i := -1
	over.ForEach(func(k, v gjson.Result) bool {
		i++
		if i < 64 && matched&(1<<i) != 0 || i >= 64 && Member(base, k.Str).Exists() {
			return true
		}
		if n > 0 {
			dst = append(dst, ',')
		}
		n++
		dst = append(dst, k.Raw...)
		dst = append(dst, ':')
		dst = append(dst, v.Raw...)
		return true
	})
	return append(dst, '}')
}

// findAll returns the first member of obj named name and a mask of the positions (below 64)
// of every member with that name: an override may repeat a key, and every copy of a key the
// body has must stay out of the appended members.
func findAll(obj gjson.Result, name string) (gjson.Result, uint64) {
	var out gjson.Result
	var mask uint64
	i := -1
	obj.ForEach(func(k, v gjson.Result) bool {
		i++
		if k.Str == name {
			if !out.Exists() {
				out = v
			}
			if i < 64 {
				mask |= 1 << i
			}
		}
		return true
	})
	return out, mask
}

// Member returns the first member of the object obj whose (unescaped) key is name. Unlike
// gjson.Get it gives no character of name a path meaning.
func Member(obj gjson.Result, name string) gjson.Result {
	var out gjson.Result
	if !obj.IsObject() {
		return out
	}
	obj.ForEach(func(k, v gjson.Result) bool {
		if k.Str == name {
			out = v
			return false
		}
		return true
	})
	return out
}

// view returns b as a string without copying; it must not outlive b's contents.
func view(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
