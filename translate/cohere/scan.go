package cohere

import "switchyard/translate/internal/rawjson"

// Readers for JSON that gjson.Valid has already accepted, over translate/internal/rawjson:
// gjson decodes every string value it hands out (an allocation and a copy whenever the string
// holds an escape, as long model answers do); these only find raw spans, which the
// translators copy as they are.

// eachMember calls fn with every member of the object obj: the key as written between its
// quotes (escapes not decoded; every key this package looks for is plain ASCII) and the raw
// value. It stops when fn returns false. Anything but an object yields nothing.
func eachMember(obj string, fn func(key, raw string) bool) { rawjson.EachName(obj, fn) }

// eachElem calls fn with every raw element of the array arr until fn returns false.
func eachElem(arr string, fn func(raw string) bool) {
	rawjson.EachElem(arr, func(_ int, v string) bool { return fn(v) })
}

// member returns the raw value of key in obj, "" when absent.
func member(obj, key string) string { return rawjson.Member(obj, key) }

// isStr reports whether raw is a string literal; nonEmpty also wants at least one character.
func isStr(raw string) bool       { return len(raw) >= 2 && raw[0] == '"' }
func nonEmptyStr(raw string) bool { return len(raw) > 2 && raw[0] == '"' }
