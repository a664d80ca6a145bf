package gemini

import (
	"unicode/utf16"
	"unicode/utf8"

	"github.com/tidwall/gjson"
)

// gjson decodes every string value that holds an escape into a fresh allocation, even when
// only the raw text is wanted. Message contents, tool arguments and streamed text are exactly
// such strings, so the hot paths walk those objects with eachMember, which only slices, and
// decode into the output buffer when a decoded value is needed. Input is always checked with
// gjson.Valid first; on anything else these helpers stop early instead of failing.

// eachMember calls fn with every member of a JSON object: the key as raw JSON (quotes
// included) and the raw value.
func eachMember(obj string, fn func(key, val string) bool) {
	i := skipWS(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return
	}
	i++
	for {
		i = skipWS(obj, i)
		if i >= len(obj) || obj[i] == '}' {
			return
		}
		if obj[i] == ',' {
			i++
			continue
		}
		if obj[i] != '"' {
			return
		}
		ks := i
		i = skipString(obj, i)
		key := obj[ks:i]
		i = skipWS(obj, i)
		if i >= len(obj) || obj[i] != ':' {
			return
		}
		i = skipWS(obj, i+1)
		vs := i
		i = skipValue(obj, i)
		if i <= vs || !fn(key, obj[vs:i]) {
			return
		}
	}
}

func keyIs(key, name string) bool {
	return len(key) == len(name)+2 && key[1:len(key)-1] == name
}

func skipWS(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string starting at s[i] == '"'.
func skipString(s string, i int) int {
	for i++; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(s)
}

func skipValue(s string, i int) int {
	if i >= len(s) {
		return i
	}
	switch s[i] {
	case '"':
		return skipString(s, i)
	case '{', '[':
		depth := 0
		for ; i < len(s); i++ {
			switch s[i] {
			case '"':
				i = skipString(s, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return len(s)
	}
	for ; i < len(s); i++ {
		switch s[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i
		}
	}
	return i
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
	s := raw[1 : len(raw)-1]
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			dst = append(dst, c)
			continue
		}
		i++
		if i >= len(s) {
			break
		}
		switch s[i] {
		case 'n':
			dst = append(dst, '\n')
		case 't':
			dst = append(dst, '\t')
		case 'r':
			dst = append(dst, '\r')
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'u':
			r, n := hex4(s, i+1)
			if n == 0 {
				dst = append(dst, "\uFFFD"...)
				continue
			}
			i += 4
			if utf16.IsSurrogate(r) {
				if r2, n2 := hex4(s, i+3); n2 > 0 && i+2 < len(s) && s[i+1] == '\\' && s[i+2] == 'u' {
					if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
						r = d
						i += 6
					} else {
						r = utf8.RuneError
					}
				} else {
					r = utf8.RuneError
				}
			}
			dst = utf8.AppendRune(dst, r)
		default: // '"', '\\', '/'
			dst = append(dst, s[i])
		}
	}
	return dst
}

func hex4(s string, i int) (rune, int) {
	if i+4 > len(s) {
		return 0, 0
	}
	var r rune
	for j := i; j < i+4; j++ {
		c := s[j]
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, 0
		}
	}
	return r, 4
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
