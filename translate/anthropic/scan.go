package anthropic

import (
	"strconv"
	"unsafe"

	"github.com/tidwall/gjson"

	"switchyard/translate/internal/rawjson"
)

// Readers for JSON that gjson.Valid has already accepted, over translate/internal/rawjson
// (raw spans, no decoding). The anthropic side hands callbacks decoded keys, so a key a client
// wrote with escapes ("ro\u006ce") still matches.

// view returns b as a string without copying. The result must not outlive b's contents.
func view(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// valid reports whether s is one well-formed JSON value (gjson's validator: no allocation).
func valid(s string) bool { return gjson.Valid(s) }

// skipWS returns the index of the first non-space byte at or after i.
func skipWS(s string, i int) int { return rawjson.SkipWS(s, i) }

// eachField calls fn with the decoded key and the raw value of every member of the object
// obj, in order, until fn returns false: a key a client wrote with escapes ("ro\u006ce")
// still matches.
func eachField(obj string, fn func(key, val string) bool) { rawjson.EachField(obj, fn) }

// Results of a walk callback besides a length: the value was not walked (skip it), or stop.
const (
	skip = rawjson.Skip
	stop = rawjson.Stop
)

// walkFields is eachField for values fn walks itself, returning the length it walked, skip or
// stop (rawjson.WalkFields).
func walkFields(obj string, fn func(key, rest string) int) int { return rawjson.WalkFields(obj, fn) }

// walkElems is eachElem for elements the callback walks itself (rawjson.WalkElems).
func walkElems(arr string, fn func(i int, rest string) int) int { return rawjson.WalkElems(arr, fn) }

// rawAt returns the raw value at the start of rest.
func rawAt(rest string) string { return rawjson.RawAt(rest) }

// eachElem calls fn with the raw value of every element of the array arr, in order, until fn
// returns false.
func eachElem(arr string, fn func(i int, val string) bool) { rawjson.EachElem(arr, fn) }

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
func inner(raw string) string { return rawjson.Inner(raw) }

// strValue returns the decoded value of a string literal. It only allocates when the literal
// contains escapes.
func strValue(raw string) string { return rawjson.Unescape(rawjson.Inner(raw)) }

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
