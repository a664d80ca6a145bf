package anthropic

import "switchyard/translate/internal/rawjson"

// JSON string escaping in the two places the translation changes a string's level of
// quoting: tool-call arguments (a JSON document carried inside a JSON string) go from string
// to object in requests and back in responses.

// appendUnescaped appends the decoded form of the escaped string body in (no quotes).
func appendUnescaped(dst []byte, in string) []byte { return rawjson.AppendUnescaped(dst, in) }

// appendCompactAsString appends the raw JSON value v, with insignificant whitespace removed, as
// one JSON string literal: how OpenAI carries tool-call arguments. v is valid JSON, so its own
// strings need only their quotes and backslashes escaped once more.
func appendCompactAsString(dst []byte, v string) []byte {
	dst = append(dst, '"')
	in := false
	start := 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '"':
			dst = append(dst, v[start:i]...)
			dst = append(dst, '\\', '"')
			start = i + 1
			in = !in
		case c == '\\':
			// Inside a string: copy the escape pair, each backslash doubled.
			dst = append(dst, v[start:i]...)
			dst = append(dst, '\\', '\\')
			if i+1 < len(v) {
				i++
				if v[i] == '"' || v[i] == '\\' {
					dst = append(dst, '\\', v[i])
				} else {
					dst = append(dst, v[i])
				}
			}
			start = i + 1
		case !in && (c == ' ' || c == '\n' || c == '\r' || c == '\t'):
			dst = append(dst, v[start:i]...)
			start = i + 1
		}
	}
	dst = append(dst, v[start:]...)
	return append(dst, '"')
}
