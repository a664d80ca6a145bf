package gemini

import (
	"strings"
	"unsafe"

	"github.com/tidwall/gjson"

	"switchyard/translate"
)

// str views b as a string without copying; gjson results then point into b, so reading a
// request allocates nothing. b must not change while the view is in use.
func str(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// ValidModel reports whether a model name is safe to put into a URL path: a client-chosen
// name must never add path segments, a query or a fragment upstream.
func ValidModel(m string) bool {
	if m == "" || len(m) > 256 || strings.Contains(m, "..") {
		return false
	}
	for i := 0; i < len(m); i++ {
		c := m[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			continue
		}
		switch c {
		case '-', '_', '.', '@':
			continue
		}
		return false
	}
	return true
}

// MergeOverrides returns body with the keys of over (a JSON object) deep-merged in: objects
// merge key by key, anything else replaces. It allocates a new body, which happens only for
// targets that carry override_params.
func MergeOverrides(body, over []byte) ([]byte, error) {
	o := gjson.Parse(str(over))
	if !o.IsObject() {
		return nil, translate.Invalid("override_params must be a JSON object")
	}
	b := gjson.Parse(str(body))
	if !b.IsObject() {
		return nil, translate.Invalid("request body must be a JSON object")
	}
	return appendMerged(make([]byte, 0, len(body)+len(over)), b, o), nil
}

func appendMerged(dst []byte, base, over gjson.Result) []byte {
	dst = append(dst, '{')
	n := 0
	base.ForEach(func(k, v gjson.Result) bool {
		if n > 0 {
			dst = append(dst, ',')
		}
		n++
		dst = append(dst, k.Raw...)
		ov := over.Get(escapeKey(k.Str))
		switch {
		case !ov.Exists():
			dst = append(dst, ':')
			dst = append(dst, v.Raw...)
		case ov.IsObject() && v.IsObject():
			dst = append(dst, ':')
			dst = appendMerged(dst, v, ov)
		default:
			dst = append(dst, ':')
			dst = append(dst, ov.Raw...)
		}
		return true
	})
	over.ForEach(func(k, v gjson.Result) bool {
		if base.Get(escapeKey(k.Str)).Exists() {
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

// escapeKey makes a JSON key usable as one gjson path component.
func escapeKey(k string) string {
	if !strings.ContainsAny(k, `.*?|#@\!=<>%`) {
		return k
	}
	var b strings.Builder
	for i := 0; i < len(k); i++ {
		switch k[i] {
		case '.', '*', '?', '|', '#', '@', '\\', '!', '=', '<', '>', '%':
			b.WriteByte('\\')
		}
		b.WriteByte(k[i])
	}
	return b.String()
}

// appendStrRaw appends a gjson string value as JSON, reusing its escaped form when it already
// is a JSON string.
func appendStrRaw(dst []byte, v gjson.Result) []byte {
	if v.Type == gjson.String && len(v.Raw) >= 2 && v.Raw[0] == '"' {
		return append(dst, v.Raw...)
	}
	return translate.AppendString(dst, v.String())
}

// appendStrInner appends the inside of a JSON string value (without quotes), so several
// strings can be joined into one.
func appendStrInner(dst []byte, v gjson.Result) []byte {
	if v.Type == gjson.String && len(v.Raw) >= 2 && v.Raw[0] == '"' {
		return append(dst, v.Raw[1:len(v.Raw)-1]...)
	}
	s := translate.AppendString(dst, v.String())
	return append(s[:len(dst)], s[len(dst)+1:len(s)-1]...)
}

// appendCompact appends a valid JSON text without the insignificant whitespace Google's
// pretty-printed answers carry (tool arguments, embedding vectors).
func appendCompact(dst []byte, raw string) []byte {
	inStr, esc := false, false
	start := 0
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if inStr {
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
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
