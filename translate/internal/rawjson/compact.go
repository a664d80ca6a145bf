package rawjson

import "github.com/tidwall/gjson"

// AppendCompact appends the JSON text raw without the insignificant whitespace between
// tokens (strings are copied as they are), so values copied from a pretty-printed upstream
// answer look the way OpenAI writes them.
func AppendCompact(dst []byte, raw string) []byte {
	inStr := false
	start := 0
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if inStr {
			if c == '\\' {
				i++
			} else if c == '"' {
				inStr = false
			}
			continue
		}
		switch c {
		case '"':
			inStr = true
		case ' ', '\t', '\n', '\r':
			dst = append(dst, raw[start:i]...)
			start = i + 1
		}
	}
	return append(dst, raw[start:]...)
}

// StartsObject reports whether the first non-space byte of s opens an object; for text already
// known to be valid JSON it is IsObject without the validation walk.
func StartsObject(s string) bool {
	i := SkipWS(s, 0)
	return i < len(s) && s[i] == '{'
}

// IsObject reports whether s is one valid JSON object (surrounding whitespace allowed).
func IsObject(s string) bool {
	i := SkipWS(s, 0)
	return i < len(s) && s[i] == '{' && gjson.Valid(s)
}
