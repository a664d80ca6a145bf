package translate

import (
	"strconv"
	"unicode/utf8"
)

// AppendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD, as encoding/json does;
// '<', '>' and '&' are kept literal, as OpenAI's API sends them.
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b': // encoding/json (Go 1.22+) uses the short escapes for \b and \f too
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				const hex = "0123456789abcdef"
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		// U+2028 and U+2029 break JavaScript string literals; escape them as encoding/json does.
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\u202`...)
			dst = append(dst, "89"[r&1])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// AppendInt appends a decimal integer.
func AppendInt(dst []byte, n int64) []byte { return strconv.AppendInt(dst, n, 10) }

// AppendError appends an OpenAI error object:
// {"error":{"message":...,"type":...,"param":null,"code":...}} (code null when empty).
func AppendError(dst []byte, message, typ, code string) []byte {
	dst = append(dst, `{"error":{"message":`...)
	dst = AppendString(dst, message)
	dst = append(dst, `,"type":`...)
	dst = AppendString(dst, typ)
	dst = append(dst, `,"param":null,"code":`...)
	if code == "" {
		dst = append(dst, "null"...)
	} else {
		dst = AppendString(dst, code)
	}
	return append(dst, "}}"...)
}

// AppendErrorEvent appends an OpenAI-style error as one SSE event, the way the gateway ends a
// stream that broke upstream.
func AppendErrorEvent(dst []byte, message, typ, code string) []byte {
	dst = append(dst, "data: "...)
	dst = AppendError(dst, message, typ, code)
	return append(dst, "\n\n"...)
}

// AppendDone appends the terminal SSE event.
func AppendDone(dst []byte) []byte { return append(dst, "data: [DONE]\n\n"...) }

// ErrorTypeForStatus is the OpenAI error type clients expect for an HTTP status.
func ErrorTypeForStatus(status int) string {
	switch {
	case status == 400 || status == 404 || status == 409 || status == 413 || status == 422:
		return "invalid_request_error"
	case status == 401:
		return "authentication_error"
	case status == 403:
		return "permission_error"
	case status == 408 || status == 504:
		return "timeout_error"
	case status == 429:
		return "rate_limit_error"
	case status == 529 || status == 503:
		return "overloaded_error"
	}
	return "api_error"
}
