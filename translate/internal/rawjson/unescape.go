package rawjson

import "unicode/utf8"

// Inner returns the characters between a string literal's quotes, still escaped; "" for
// anything but a string literal.
func Inner(raw string) string {
	if len(raw) < 2 || raw[0] != '"' {
		return ""
	}
	return raw[1 : len(raw)-1]
}

// Unescape returns the decoded form of an escaped string body (no quotes). It allocates only
// when in holds an escape.
func Unescape(in string) string {
	// A byte loop, not IndexByte: this runs on every short key of a walk.
	for i := 0; i < len(in); i++ {
		if in[i] == '\\' {
			return string(AppendUnescaped(nil, in))
		}
	}
	return in
}

// AppendUnescaped appends the decoded form of the escaped string body in (no quotes). Bad
// escapes and lone surrogates become U+FFFD, as encoding/json does.
func AppendUnescaped(dst []byte, in string) []byte {
	start := 0
	for i := 0; i < len(in); {
		if in[i] != '\\' {
			i++
			continue
		}
		dst = append(dst, in[start:i]...)
		if i+1 >= len(in) {
			dst = utf8.AppendRune(dst, utf8.RuneError)
			i++
			start = i
			break
		}
		c := in[i+1]
		i += 2
		switch c {
		case '"', '\\', '/':
			dst = append(dst, c)
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r, ok := hex4(in, i)
			if !ok {
				dst = utf8.AppendRune(dst, utf8.RuneError)
				break
			}
			i += 4
			if r >= 0xD800 && r < 0xDC00 {
				// A high surrogate must be followed by \u and a low surrogate.
				if i+6 <= len(in) && in[i] == '\\' && in[i+1] == 'u' {
					if r2, ok := hex4(in, i+2); ok && r2 >= 0xDC00 && r2 < 0xE000 {
						r = (r-0xD800)<<10 | (r2 - 0xDC00) + 0x10000
						i += 6
						dst = utf8.AppendRune(dst, r)
						break
					}
				}
				r = utf8.RuneError
			} else if r >= 0xDC00 && r < 0xE000 {
				r = utf8.RuneError
			}
			dst = utf8.AppendRune(dst, r)
		default:
			dst = utf8.AppendRune(dst, utf8.RuneError)
		}
		start = i
	}
	if start < len(in) {
		dst = append(dst, in[start:]...)
	}
	return dst
}

func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
