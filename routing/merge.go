package routing

import "github.com/tidwall/gjson"

// appendMerged appends base deep-merged with over: keys of over win, objects present on both
// sides merge recursively, everything else (arrays included) is replaced whole. Base's key
// order is kept and over's new keys follow in their order. Values are copied raw, never
// re-encoded.
func appendMerged(dst []byte, base, over gjson.Result) []byte {
	dst = append(dst, '{')
	n := 0
	sep := func() {
		if n > 0 {
			dst = append(dst, ',')
		}
		n++
	}
	base.ForEach(func(k, v gjson.Result) bool {
		if lastIndexOfKey(base, k.Str) != k.Index {
			return true // a duplicate key: JSON's last occurrence wins
		}
		o, ok := lookupKey(over, k.Str)
		sep()
		dst = append(dst, k.Raw...)
		dst = append(dst, ':')
		switch {
		case !ok:
			dst = append(dst, v.Raw...)
		case v.IsObject() && o.IsObject():
			dst = appendMerged(dst, v, o)
		default:
			dst = append(dst, o.Raw...)
		}
		return true
	})
	over.ForEach(func(k, v gjson.Result) bool {
		if _, inBase := lookupKey(base, k.Str); inBase || lastIndexOfKey(over, k.Str) != k.Index {
			return true
		}
		sep()
		dst = append(dst, k.Raw...)
		dst = append(dst, ':')
		dst = append(dst, v.Raw...)
		return true
	})
	return append(dst, '}')
}

// lookupKey finds key's last value in obj by exact (unescaped) name; gjson paths would treat
// '.', '*' and friends in the name as syntax.
func lookupKey(obj gjson.Result, key string) (gjson.Result, bool) {
	var out gjson.Result
	found := false
	obj.ForEach(func(k, v gjson.Result) bool {
		if k.Str == key {
			out, found = v, true
		}
		return true
	})
	return out, found
}

func lastIndexOfKey(obj gjson.Result, key string) int {
	idx := -1
	obj.ForEach(func(k, _ gjson.Result) bool {
		if k.Str == key {
			idx = k.Index
		}
		return true
	})
	return idx
}
