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

// MergeOverrides returns body with the keys of over (a JSON object) deep-merged in
// (translate.MergeOverrides). It allocates a new body, which happens only for targets that
// carry override_params.
func MergeOverrides(body, over []byte) ([]byte, error) {
	out, err := translate.MergeOverrides(nil, body, over)
	if err != nil {
		return nil, translate.Invalid(err.Error())
	}
	return out, nil
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
