package routing

import "github.com/tidwall/gjson"

// appendMerged appends base deep-merged with over: keys of over win, objects present on both
// sides merge recursively, everything else (arrays included) is replaced whole. Base's key
// order is kept and over's new keys follow in their order; of duplicate keys the last counts,
// as in JavaScript. Values are copied raw, never re-encoded.
func appendMerged(dst []byte, base, over gjson.Result) []byte {
	b, o := newKeyIndex(base), newKeyIndex(over)
	dst = append(dst, '{')
	n := 0
	b.each(func(pos int, k, v gjson.Result) {
		if b.last(k.Str) != pos {
			return
		}
		if n > 0 {
			dst = append(dst, ',')
		}
		n++
		dst = append(dst, k.Raw...)
		dst = append(dst, ':')
		ov, ok := o.get(k.Str)
		switch {
		case !ok:
			dst = append(dst, v.Raw...)
		case v.IsObject() && ov.IsObject():
			dst = appendMerged(dst, v, ov)
		default:
			dst = append(dst, ov.Raw...)
		}
	})
	o.each(func(pos int, k, v gjson.Result) {
		if o.last(k.Str) != pos || b.last(k.Str) >= 0 {
			return
		}
		if n > 0 {
			dst = append(dst, ',')
		}
		n++
		dst = append(dst, k.Raw...)
		dst = append(dst, ':')
		dst = append(dst, v.Raw...)
	})
	return append(dst, '}')
}

type keyValue struct{ k, v gjson.Result }

// keyIndex finds an object's keys by exact (unescaped) name; gjson paths would read '.', '*'
// and friends in a name as syntax. Small objects (every real override_params) are scanned in
// place without allocating; large ones get a list and a map so a hostile config cannot make
// the merge quadratic. Positions are byte offsets (small) or list indexes (large).
type keyIndex struct {
	obj  gjson.Result
	list []keyValue
	m    map[string]int
}

const keyIndexScanMax = 256 // bytes of JSON below which scanning beats indexing

func newKeyIndex(obj gjson.Result) keyIndex {
	x := keyIndex{obj: obj}
	if len(obj.Raw) <= keyIndexScanMax {
		return x
	}
	obj.ForEach(func(k, v gjson.Result) bool {
		x.list = append(x.list, keyValue{k, v})
		return true
	})
	x.m = make(map[string]int, len(x.list))
	for i, e := range x.list {
		x.m[e.k.Str] = i
	}
	return x
}

func (x *keyIndex) each(fn func(pos int, k, v gjson.Result)) {
	if x.m == nil {
		x.obj.ForEach(func(k, v gjson.Result) bool {
			fn(k.Index, k, v)
			return true
		})
		return
	}
	for i, e := range x.list {
		fn(i, e.k, e.v)
	}
}

// last is the position of key's last occurrence, -1 when absent.
func (x *keyIndex) last(key string) int {
	if x.m != nil {
		if i, ok := x.m[key]; ok {
			return i
		}
		return -1
	}
	pos := -1
	x.obj.ForEach(func(k, _ gjson.Result) bool {
		if k.Str == key {
			pos = k.Index
		}
		return true
	})
	return pos
}

// get is the value of key's last occurrence.
func (x *keyIndex) get(key string) (gjson.Result, bool) {
	if x.m != nil {
		if i, ok := x.m[key]; ok {
			return x.list[i].v, true
		}
		return gjson.Result{}, false
	}
	var out gjson.Result
	found := false
	x.obj.ForEach(func(k, v gjson.Result) bool {
		if k.Str == key {
			out, found = v, true
		}
		return true
	})
	return out, found
}
