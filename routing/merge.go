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
	for i, e := range b.list {
		if b.last(e.k.Str) != i {
			continue
		}
		if n > 0 {
			dst = append(dst, ',')
		}
		n++
		dst = append(dst, e.k.Raw...)
		dst = append(dst, ':')
		j := o.last(e.k.Str)
		switch {
		case j < 0:
			dst = append(dst, e.v.Raw...)
		case e.v.IsObject() && o.list[j].v.IsObject():
			dst = appendMerged(dst, e.v, o.list[j].v)
		default:
			dst = append(dst, o.list[j].v.Raw...)
		}
	}
	for i, e := range o.list {
		if o.last(e.k.Str) != i || b.last(e.k.Str) >= 0 {
			continue
		}
		if n > 0 {
			dst = append(dst, ',')
		}
		n++
		dst = append(dst, e.k.Raw...)
		dst = append(dst, ':')
		dst = append(dst, e.v.Raw...)
	}
	return append(dst, '}')
}

type keyValue struct{ k, v gjson.Result }

// keyIndex finds an object's keys by exact (unescaped) name; gjson paths would read '.', '*'
// and friends in a name as syntax. Large objects get a map so a hostile config cannot make the
// merge quadratic.
type keyIndex struct {
	list []keyValue
	m    map[string]int // key -> index of its last occurrence, for large objects
}

const keyIndexMapMin = 16

func newKeyIndex(obj gjson.Result) keyIndex {
	var x keyIndex
	obj.ForEach(func(k, v gjson.Result) bool {
		x.list = append(x.list, keyValue{k, v})
		return true
	})
	if len(x.list) >= keyIndexMapMin {
		x.m = make(map[string]int, len(x.list))
		for i, e := range x.list {
			x.m[e.k.Str] = i
		}
	}
	return x
}

// last is the index of key's last occurrence, -1 when absent.
func (x *keyIndex) last(key string) int {
	if x.m != nil {
		if i, ok := x.m[key]; ok {
			return i
		}
		return -1
	}
	for i := len(x.list) - 1; i >= 0; i-- {
		if x.list[i].k.Str == key {
			return i
		}
	}
	return -1
}
