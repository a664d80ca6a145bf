package gemini

import (
	"github.com/tidwall/gjson"

	"switchyard/translate/internal/rawjson"
)

// gjson decodes every string value that holds an escape into a fresh allocation, even when
// only the raw text is wanted. Message contents, tool arguments and streamed text are exactly
// such strings, so the hot paths walk those objects with eachMember, which only slices, and
// decode into the output buffer when a decoded value is needed. Input is always checked with
// gjson.Valid first; on anything else these helpers stop early instead of failing.

// eachMember calls fn with every member of a JSON object: the key as raw JSON (quotes
// included) and the raw value.
func eachMember(obj string, fn func(key, val string) bool) { rawjson.EachMember(obj, fn) }

func keyIs(key, name string) bool {
	return len(key) == len(name)+2 && key[1:len(key)-1] == name
}

// rawResult makes a gjson.Result from a raw value without decoding strings: a string's Str
// is its text when it has no escapes and "" otherwise, so callers of rawResult read strings
// through Raw (appendStrRaw, strNonEmpty) or decode them with appendUnescaped.
func rawResult(v string) gjson.Result {
	if len(v) >= 2 && v[0] == '"' {
		r := gjson.Result{Type: gjson.String, Raw: v}
		inner := v[1 : len(v)-1]
		if !hasBackslash(inner) {
			r.Str = inner
		}
		return r
	}
	return gjson.Parse(v)
}

func hasBackslash(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			return true
		}
	}
	return false
}

// strNonEmpty reports whether a string result holds at least one character.
func strNonEmpty(r gjson.Result) bool { return r.Type == gjson.String && len(r.Raw) > 2 }

// strText returns a string result's text, decoding (and allocating) only when it has escapes.
func strText(r gjson.Result) string {
	if r.Type != gjson.String {
		return ""
	}
	if r.Str != "" || len(r.Raw) <= 2 || !hasBackslash(r.Raw) {
		return r.Str
	}
	return gjson.Parse(r.Raw).Str
}

// appendUnescaped appends the decoded text of a raw JSON string literal.
func appendUnescaped(dst []byte, raw string) []byte {
	if len(raw) < 2 {
		return dst
	}
	return rawjson.AppendUnescaped(dst, raw[1:len(raw)-1])
}

// partFields are the members of a Gemini response part the translators read.
type partFields struct {
	text, functionCall, signature string // raw values, "" when absent
	thought                       bool
}

func readPart(p string) partFields {
	var f partFields
	eachMember(p, func(k, v string) bool {
		switch {
		case keyIs(k, "text"):
			if len(v) > 0 && v[0] == '"' {
				f.text = v
			}
		case keyIs(k, "thought"):
			f.thought = v == "true"
		case keyIs(k, "functionCall"):
			if len(v) > 0 && v[0] == '{' {
				f.functionCall = v
			}
		case keyIs(k, "thoughtSignature"):
			if len(v) > 0 && v[0] == '"' {
				f.signature = v
			}
		}
		return true
	})
	return f
}
