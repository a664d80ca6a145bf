package routing

import (
	"strconv"
	"strings"

	"github.com/tidwall/gjson"
)

// stickyField is one input of a sticky loadbalance hash.
type stickyField struct {
	src   source // srcMetadata, srcParams, srcPath or srcTrace
	path  string
	trace bool
}

// parseSticky reads strategy.sticky: {"hash_fields": ["metadata.user_id", "trace_id", ...]}.
func parseSticky(v gjson.Result, p string) ([]stickyField, error) {
	if !v.IsObject() {
		return nil, errAt(p, "must be an object {\"hash_fields\":[\"metadata.user_id\"]}")
	}
	hf := v.Get("hash_fields")
	hp := join(p, "hash_fields")
	if !hf.IsArray() || len(hf.Array()) == 0 {
		return nil, errAt(hp, "must be a non-empty array of fields (metadata.<key>, params.<key>, url.pathname, trace_id)")
	}
	var out []stickyField
	i := 0
	var err error
	hf.ForEach(func(_, f gjson.Result) bool {
		ip := hp + "[" + strconv.Itoa(i) + "]"
		i++
		if f.Type != gjson.String {
			err = errAt(ip, "must be a string")
			return false
		}
		switch {
		case f.Str == "trace_id":
			out = append(out, stickyField{trace: true})
			return true
		case f.Str == "url.pathname":
			out = append(out, stickyField{src: srcPath})
			return true
		}
		root, rest, _ := strings.Cut(f.Str, ".")
		if (root != "metadata" && root != "params") || rest == "" {
			err = errAt(ip, "unknown field "+strconv.Quote(f.Str)+"; use metadata.<key>, params.<key>, url.pathname or trace_id")
			return false
		}
		sf := stickyField{src: srcMetadata, path: escapePath(rest)}
		if root == "params" {
			sf.src = srcParams
		}
		out = append(out, sf)
		return true
	})
	return out, err
}

// stickyHash is FNV-1a over the present fields' values (0xff between fields); ok is false when
// none is present, and the draw falls back to random.
func (p *Plan) stickyHash(fields []stickyField) (uint64, bool) {
	const (
		offset = 14695981039346656037
		prime  = 1099511628211
	)
	h := uint64(offset)
	any := false
	add := func(s string) {
		for i := 0; i < len(s); i++ {
			h ^= uint64(s[i])
			h *= prime
		}
	}
	for _, f := range fields {
		var s string
		switch {
		case f.trace:
			s = p.traceID
		case f.src == srcPath:
			s = p.ctx.path
		default:
			v := gjson.Get(p.ctx.doc(f.src), f.path)
			if !v.Exists() {
				s = ""
			} else if v.Type == gjson.String {
				s = v.Str
			} else {
				s = v.Raw
			}
		}
		if s != "" {
			any = true
		}
		add(s)
		h ^= 0xff
		h *= prime
	}
	// Mix so nearby inputs spread over the whole range (FNV's high bits vary little).
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h, any
}
