// Package rawjson walks JSON text that gjson.Valid has already accepted, handing out raw
// sub-strings of the input (no copy, no decoding).
//
// Why not gjson.ForEach/Get for the walk: every Result gjson yields for a string value that
// contains an escape (a newline in a chat turn, the \" of every tool-call "arguments" string)
// is unescaped into a fresh heap string, one allocation per such value. The translators only
// copy raw JSON or look at short ASCII keys and type tags, so they need raw spans, never
// decoded strings; they decode into their output buffer (AppendUnescaped) when they must.
// Every function stops safely on malformed input, so none can panic even on unvalidated text.
package rawjson

import "strings"

// SkipWS returns the index of the first non-space byte at or after i.
func SkipWS(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// StringEnd returns the index just past the string literal that opens at s[i] == '"', or -1.
// A quote ends the string unless an odd run of backslashes precedes it. Short strings (keys,
// roles, ids: most of them) are scanned byte by byte; longer ones jump from quote to quote
// with IndexByte (vectorised), so long texts and base64 images cost little.
func StringEnd(s string, i int) int {
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

// ValueEnd returns the index just past the JSON value that starts at s[i], or -1.
func ValueEnd(s string, i int) int {
	if i >= len(s) {
		return -1
	}
	switch s[i] {
	case '"':
		return StringEnd(s, i)
	case '{', '[':
		depth := 0
		for ; i < len(s); i++ {
			c := s[i]
			if !structural[c] {
				continue
			}
			switch c {
			case '"':
				e := StringEnd(s, i)
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

// RawAt returns the raw value at the start of rest, "" when there is none.
func RawAt(rest string) string {
	if e := ValueEnd(rest, 0); e > 0 {
		return rest[:e]
	}
	return ""
}

// EachMember calls fn with the key as raw JSON (quotes included, escapes not decoded, like
// gjson's Result.Raw of a key) and the raw value of every member of the object obj, in order,
// until fn returns false. Anything but an object yields nothing.
func EachMember(obj string, fn func(key, val string) bool) { eachMember(obj, keyRaw, fn) }

// EachField is EachMember with decoded keys (no quotes; allocates only for a key written
// with escapes, which real clients never do).
func EachField(obj string, fn func(key, val string) bool) { eachMember(obj, keyDecoded, fn) }

// EachName is EachMember with keys as written between their quotes (escapes not decoded):
// for callers that look only for plain ASCII names.
func EachName(obj string, fn func(key, val string) bool) { eachMember(obj, keyInner, fn) }

// How a walk hands out keys.
const (
	keyRaw     = iota // with quotes, escaped
	keyInner          // without quotes, escaped
	keyDecoded        // without quotes, decoded
)

func eachMember(obj string, mode int, fn func(key, val string) bool) {
	i := SkipWS(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return
	}
	i++
	for {
		i = SkipWS(obj, i)
		if i >= len(obj) || obj[i] != '"' {
			return
		}
		ke := StringEnd(obj, i)
		if ke < 0 {
			return
		}
		key := obj[i:ke]
		switch mode {
		case keyInner:
			key = obj[i+1 : ke-1]
		case keyDecoded:
			key = Unescape(obj[i+1 : ke-1])
		}
		i = SkipWS(obj, ke)
		if i >= len(obj) || obj[i] != ':' {
			return
		}
		i = SkipWS(obj, i+1)
		ve := ValueEnd(obj, i)
		if ve < 0 {
			return
		}
		if !fn(key, obj[i:ve]) {
			return
		}
		i = SkipWS(obj, ve)
		if i >= len(obj) || obj[i] != ',' {
			return
		}
		i++
	}
}

// EachElem calls fn with the index and raw value of every element of the array arr, in
// order, until fn returns false.
func EachElem(arr string, fn func(i int, val string) bool) {
	i := SkipWS(arr, 0)
	if i >= len(arr) || arr[i] != '[' {
		return
	}
	i = SkipWS(arr, i+1)
	if i < len(arr) && arr[i] == ']' {
		return
	}
	for n := 0; ; n++ {
		i = SkipWS(arr, i)
		ve := ValueEnd(arr, i)
		if ve < 0 || ve == i {
			return
		}
		if !fn(n, arr[i:ve]) {
			return
		}
		i = SkipWS(arr, ve)
		if i >= len(arr) || arr[i] != ',' {
			return
		}
		i++
	}
}

// Member returns the raw value of the first member of obj whose key, as written between its
// quotes (escapes not decoded), is key; "" when absent.
func Member(obj, key string) string {
	var out string
	eachMember(obj, keyInner, func(k, v string) bool {
		if k == key {
			out = v
			return false
		}
		return true
	})
	return out
}

// Results of a walk callback besides a length: the value was not walked (Skip it), or Stop.
const (
	Skip = -1
	Stop = -2
)

// WalkMembers is EachMember for values the callback walks itself, so that nested values are
// scanned once rather than once per level: fn gets the raw key and the rest of obj from the
// value's first byte, and returns the length of the value it walked, Skip or Stop.
// WalkMembers returns the index just past the object, or -1 if it is malformed or stopped.
func WalkMembers(obj string, fn func(key, rest string) int) int { return walkMembers(obj, keyRaw, fn) }

// WalkFields is WalkMembers with decoded keys, as EachField.
func WalkFields(obj string, fn func(key, rest string) int) int {
	return walkMembers(obj, keyDecoded, fn)
}

func walkMembers(obj string, mode int, fn func(key, rest string) int) int {
	i := SkipWS(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return -1
	}
	i = SkipWS(obj, i+1)
	if i < len(obj) && obj[i] == '}' {
		return i + 1
	}
	for {
		if i >= len(obj) || obj[i] != '"' {
			return -1
		}
		ke := StringEnd(obj, i)
		if ke < 0 {
			return -1
		}
		key := obj[i:ke]
		if mode == keyDecoded {
			key = Unescape(obj[i+1 : ke-1])
		}
		i = SkipWS(obj, ke)
		if i >= len(obj) || obj[i] != ':' {
			return -1
		}
		i = SkipWS(obj, i+1)
		if i >= len(obj) {
			return -1
		}
		n := fn(key, obj[i:])
		switch {
		case n == Stop:
			return -1
		case n < 0:
			if i = ValueEnd(obj, i); i < 0 {
				return -1
			}
		default:
			i += min(n, len(obj)-i)
		}
		i = SkipWS(obj, i)
		if i >= len(obj) {
			return -1
		}
		if obj[i] == '}' {
			return i + 1
		}
		if obj[i] != ',' {
			return -1
		}
		i = SkipWS(obj, i+1)
	}
}

// WalkElems is EachElem in the manner of WalkMembers.
func WalkElems(arr string, fn func(i int, rest string) int) int {
	i := SkipWS(arr, 0)
	if i >= len(arr) || arr[i] != '[' {
		return -1
	}
	i = SkipWS(arr, i+1)
	if i < len(arr) && arr[i] == ']' {
		return i + 1
	}
	for n := 0; ; n++ {
		if i >= len(arr) {
			return -1
		}
		k := fn(n, arr[i:])
		switch {
		case k == Stop:
			return -1
		case k < 0:
			if i = ValueEnd(arr, i); i < 0 {
				return -1
			}
		default:
			i += min(k, len(arr)-i)
		}
		i = SkipWS(arr, i)
		if i >= len(arr) {
			return -1
		}
		if arr[i] == ']' {
			return i + 1
		}
		if arr[i] != ',' {
			return -1
		}
		i = SkipWS(arr, i+1)
	}
}
