package anthropic

import (
	"strconv"
	"strings"
	"unsafe"

	"github.com/tidwall/gjson"
)

// This file is a minimal reader for JSON that gjson.Valid has already accepted.
//
// Why not gjson.ForEach/Get for the walk: every Result gjson yields for a string value that
// contains an escape (a newline in a chat turn, the \" of every tool-call "arguments" string)
// is unescaped into a fresh heap string, one allocation per such value. The translators only
// ever copy raw JSON or look at short ASCII keys and type tags, so they need raw spans, never
// decoded strings. These helpers hand out sub-strings of the input (no copy) and stop safely
// on anything malformed, so they cannot panic even if called on unvalidated input.

// view returns b as a string without copying. The result must not outlive b's contents.
func view(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// valid reports whether s is one well-formed JSON value (gjson's validator: no allocation).
func valid(s string) bool { return gjson.Valid(s) }

// skipWS returns the index of the first non-space byte at or after i.
func skipWS(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// strEnd returns the index just past the string literal that opens at s[i] == '"', or -1.
// A quote ends the string unless an odd run of backslashes precedes it. Short strings (keys,
// roles, ids: most of them) are scanned byte by byte; longer ones jump from quote to quote
// with IndexByte (vectorised), so long texts and base64 images cost little.
func strEnd(s string, i int) int {
	start := i + 1
	i = start
	for n := min(len(s), i+24); i < n; i++ {
		if s[i] == '"' && !escaped(s, start, i) {
			return i + 1
		}
	}
	for i < len(s) {
		j := strings.IndexByte(s[i:], '"')
		if j < 0 {
			return -1
		}
		q := i + j
		if !escaped(s, start, q) {
			return q + 1
		}
		i = q + 1
	}
	return -1
}

// escaped reports whether s[q] is preceded by an odd run of backslashes that starts at or
// after start.
func escaped(s string, start, q int) bool {
	bs := 0
	for k := q - 1; k >= start && s[k] == '\\'; k-- {
		bs++
	}
	return bs&1 == 1
}

// structural marks the bytes a container skip must look at; everything else is skipped by
// one table load and one branch, which is what makes re-walking nested values cheap.
var structural = [256]bool{'"': true, '{': true, '[': true, '}': true, ']': true}

// valueEnd returns the index just past the JSON value that starts at s[i], or -1.
func valueEnd(s string, i int) int {
	if i >= len(s) {
		return -1
	}
	switch s[i] {
	case '"':
		return strEnd(s, i)
	case '{', '[':
		depth := 0
		for ; i < len(s); i++ {
			c := s[i]
			if !structural[c] {
				continue
			}
			switch c {
			case '"':
				e := strEnd(s, i)
				if e < 0 {
					return -1
				}
				i = e - 1
			case '{', '[':
				depth++
			default:
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return -1
	}
	for ; i < len(s); i++ {
		switch s[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i
		}
	}
	return i
}

// eachField calls fn with the key (between its quotes, still escaped) and the raw value of
// every member of the object obj, in order, until fn returns false.
func eachField(obj string, fn func(key, val string) bool) {
	i := skipWS(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return
	}
	i++
	for {
		i = skipWS(obj, i)
		if i >= len(obj) || obj[i] != '"' {
			return
		}
		ke := strEnd(obj, i)
		if ke < 0 {
			return
		}
		key := obj[i+1 : ke-1]
		i = skipWS(obj, ke)
		if i >= len(obj) || obj[i] != ':' {
			return
		}
		i = skipWS(obj, i+1)
		ve := valueEnd(obj, i)
		if ve < 0 {
			return
		}
		if !fn(unescapeKey(key), obj[i:ve]) {
			return
		}
		i = skipWS(obj, ve)
		if i >= len(obj) || obj[i] != ',' {
			return
		}
		i++
	}
}

// unescapeKey decodes a key written with escapes ("ro\u006ce"); real clients never do this,
// so the rare allocation is acceptable.
func unescapeKey(k string) string {
	for i := 0; i < len(k); i++ {
		if k[i] == '\\' {
			return string(appendUnescaped(nil, k))
		}
	}
	return k
}

// Results of a walk callback besides a length: the value was not walked (skip it), or stop.
const (
	skip = -1
	stop = -2
)

// walkFields is eachField for values the callback walks itself, so that nested values are
// scanned once rather than once per level: fn gets the key and the rest of obj from the
// value's first byte, and returns the length of the value it walked, skip or stop.
// walkFields returns the index just past the object, or -1 if it is malformed or stopped.
func walkFields(obj string, fn func(key, rest string) int) int {
	i := skipWS(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return -1
	}
	i = skipWS(obj, i+1)
	if i < len(obj) && obj[i] == '}' {
		return i + 1
	}
	for {
		if i >= len(obj) || obj[i] != '"' {
			return -1
		}
		ke := strEnd(obj, i)
		if ke < 0 {
			return -1
		}
		key := obj[i+1 : ke-1]
		i = skipWS(obj, ke)
		if i >= len(obj) || obj[i] != ':' {
			return -1
		}
		i = skipWS(obj, i+1)
		if i >= len(obj) {
			return -1
		}
		n := fn(unescapeKey(key), obj[i:])
		switch {
		case n == stop:
			return -1
		case n < 0:
			if i = valueEnd(obj, i); i < 0 {
				return -1
			}
		default:
			i += min(n, len(obj)-i)
		}
		i = skipWS(obj, i)
		if i >= len(obj) {
			return -1
		}
		if obj[i] == '}' {
			return i + 1
		}
		if obj[i] != ',' {
			return -1
		}
		i = skipWS(obj, i+1)
	}
}

// walkElems is eachElem in the manner of walkFields.
func walkElems(arr string, fn func(i int, rest string) int) int {
	i := skipWS(arr, 0)
	if i >= len(arr) || arr[i] != '[' {
		return -1
	}
	i = skipWS(arr, i+1)
	if i < len(arr) && arr[i] == ']' {
		return i + 1
	}
	for n := 0; ; n++ {
		if i >= len(arr) {
			return -1
		}
		k := fn(n, arr[i:])
		switch {
		case k == stop:
			return -1
		case k < 0:
			if i = valueEnd(arr, i); i < 0 {
				return -1
			}
		default:
			i += min(k, len(arr)-i)
		}
		i = skipWS(arr, i)
		if i >= len(arr) {
			return -1
		}
		if arr[i] == ']' {
			return i + 1
		}
		if arr[i] != ',' {
			return -1
		}
		i = skipWS(arr, i+1)
	}
}

// rawAt returns the raw value at the start of rest.
func rawAt(rest string) string {
	if e := valueEnd(rest, 0); e > 0 {
		return rest[:e]
	}
	return ""
}

// eachElem calls fn with the raw value of every element of the array arr, in order, until fn
// returns false.
func eachElem(arr string, fn func(i int, val string) bool) {
	i := skipWS(arr, 0)
	if i >= len(arr) || arr[i] != '[' {
		return
	}
	i = skipWS(arr, i+1)
	if i < len(arr) && arr[i] == ']' {
		return
	}
	for n := 0; ; n++ {
		i = skipWS(arr, i)
		ve := valueEnd(arr, i)
		if ve < 0 || ve == i {
			return
		}
		if !fn(n, arr[i:ve]) {
			return
		}
		i = skipWS(arr, ve)
		if i >= len(arr) || arr[i] != ',' {
			return
		}
		i++
	}
}

// field returns the raw value of key in obj, or "" when absent.
func field(obj, key string) string {
	var out string
	eachField(obj, func(k, v string) bool {
		if k == key {
			out = v
			return false
		}
		return true
	})
	return out
}

// isStr, isObj, isArr classify a raw value by its first byte.
func isStr(raw string) bool { return len(raw) >= 2 && raw[0] == '"' }
func isObj(raw string) bool { return len(raw) >= 2 && raw[0] == '{' }
func isArr(raw string) bool { return len(raw) >= 2 && raw[0] == '[' }

// isNull reports an absent or null value; OpenAI clients send explicit nulls for unset fields.
func isNull(raw string) bool { return raw == "" || raw == "null" }

// isEmptyStr reports the raw literal "".
func isEmptyStr(raw string) bool { return raw == `""` }

// isNum reports a raw JSON number.
func isNum(raw string) bool { return raw != "" && (raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9')) }

// inner returns the characters between a string literal's quotes, still escaped.
func inner(raw string) string {
	if !isStr(raw) {
		return ""
	}
	return raw[1 : len(raw)-1]
}

// strValue returns the decoded value of a string literal. It only allocates when the literal
// contains escapes.
func strValue(raw string) string {
	in := inner(raw)
	for i := 0; i < len(in); i++ {
		if in[i] == '\\' {
			return string(appendUnescaped(nil, in))
		}
	}
	return in
}

// intValue parses a raw JSON number that holds an integer (1024, 1024.0, 1e3). Plain digits
// are parsed by hand: strconv's errors allocate, and usage objects mix numbers with strings.
func intValue(raw string) (int64, bool) {
	i := 0
	if i < len(raw) && raw[i] == '-' {
		i++
	}
	if i == len(raw) {
		return 0, false
	}
	var n int64
	for ; i < len(raw) && i < 19; i++ {
		c := raw[i]
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int64(c-'0')
	}
	if i == len(raw) {
		if raw[0] == '-' {
			n = -n
		}
		return n, true
	}
	if !isNum(raw) {
		return 0, false
	}
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil || f != float64(int64(f)) {
		return 0, false
	}
	return int64(f), true
}
