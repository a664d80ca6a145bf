package openai

import (
	"github.com/tidwall/gjson"

	"switchyard/translate"
	"switchyard/translate/internal/rawjson"
)

// AppendBody appends the client's OpenAI body as the provider should receive it: every field
// copied as raw bytes in its original order, except that
//   - "model" becomes t.Model when set,
//   - t.OverrideParams is deep-merged in (objects merge key by key, anything else is replaced;
//     keys the body lacks are appended),
//   - a streamed chat/completions call gets stream_options.include_usage: true so the gateway
//     can count tokens (a provider with NoStreamOptions gets no stream_options at all).
//
// It fills c.Model, c.Stream and c.IncludeUsage (what the client itself asked for).
func AppendBody(dst []byte, c *translate.Call, t *translate.Target, body []byte) ([]byte, error) {
	s := str(body)
	if !(c.BodyValid && rawjson.StartsObject(s)) && !isObject(s) {
		return dst, translate.Invalid("request body must be a JSON object")
	}
	var over gjson.Result
	if len(t.OverrideParams) > 0 {
		o := str(t.OverrideParams)
		if !isObject(o) {
			return dst, &translate.Error{Status: 500, Type: "api_error", Code: "invalid_override_params",
				Message: "override_params must be a JSON object"}
		}
		over = gjson.Parse(o)
	}
	root := gjson.Parse(s)
	noSO := t.Provider != nil && t.Provider.NoStreamOptions
	overSO := key(over, "stream_options")

	// One pass copies the body and applies the edits. Whether the call streams may only be
	// known after stream_options was written (key order is the client's), so that value's
	// place is remembered and fixed up afterwards.
	var model, stream, streamOpts gjson.Result
	soStart, soEnd := -1, -1
	var matched uint64 // override keys (by index, first 64) that the body also has
	var idx overIndex
	idx.build(over)
	dst = append(dst, '{')
	n := 0
	sawModel := false
	root.ForEach(func(k, v gjson.Result) bool {
		name := k.Str
		if over.Exists() && translate.OverriddenAlias(over, name) {
			return true
		}
		switch name {
		case "model":
			sawModel, model = true, v
			if t.Model != "" {
				dst = appendKey(dst, &n, k.Raw)
				dst = translate.AppendString(dst, t.Model)
				return true
			}
		case "stream":
			stream = v
		case "stream_options":
			streamOpts = v
			if noSO {
				return true
			}
			dst = appendKey(dst, &n, k.Raw)
			soStart = len(dst)
			dst = appendValue(dst, v, overSO)
			soEnd = len(dst)
			return true
		}
		dst = appendKey(dst, &n, k.Raw)
		ov, i := idx.find(over, name)
		if i >= 0 && i < 64 {
			matched |= 1 << i
		}
		dst = appendValue(dst, v, ov)
		return true
	})
	if ov := key(over, "stream"); ov.Exists() {
		stream = ov
	}
	c.Stream = (c.Op == translate.OpChat || c.Op == translate.OpCompletions) && stream.Type == gjson.True
	c.IncludeUsage = c.Stream && key(streamOpts, "include_usage").Type == gjson.True
	switch {
	case t.Model != "":
		c.Model = t.Model
	case key(over, "model").Type == gjson.String:
		c.Model = key(over, "model").Str
	default:
		c.Model = model.Str
	}
	wantSO := c.Stream && !noSO
	if wantSO && soStart >= 0 {
		var buf [256]byte
		dst = splice(dst, soStart, soEnd, appendStreamOptions(buf[:0], streamOpts, overSO))
	}

	i := -1
	over.ForEach(func(k, v gjson.Result) bool {
		i++
		name := k.Str
		switch {
		case name == "model" && (t.Model != "" || sawModel):
			return true
		case name == "stream_options" && (wantSO || noSO || soStart >= 0):
			return true
		case i < 64 && matched&(1<<i) != 0:
			return true
		case i >= 64 && key(root, name).Exists():
			return true
		}
		dst = appendKey(dst, &n, k.Raw)
		dst = append(dst, v.Raw...)
		return true
	})
	if t.Model != "" && !sawModel {
		dst = appendKey(dst, &n, `"model"`)
		dst = translate.AppendString(dst, t.Model)
	}
	if wantSO && soStart < 0 {
		dst = appendKey(dst, &n, `"stream_options"`)
		dst = appendStreamOptions(dst, gjson.Result{}, overSO)
	}
	return append(dst, '}'), nil
}

// appendValue writes v, deep-merged with over when an override exists.
func appendValue(dst []byte, v, over gjson.Result) []byte {
	if over.Exists() {
		return translate.AppendMerged(dst, v, over)
	}
	return append(dst, v.Raw...)
}

// splice replaces dst[i:j] with val in place.
func splice(dst []byte, i, j int, val []byte) []byte {
	end := len(dst)
	newEnd := end - (j - i) + len(val)
	if newEnd > end {
		dst = append(dst, make([]byte, newEnd-end)...)
	}
	copy(dst[i+len(val):newEnd], dst[j:end])
	copy(dst[i:], val)
	return dst[:newEnd]
}

// looksLikeObject is the cheap check for bodies the gateway only passes through: the first
// and last non-space bytes are braces. It tells a JSON answer from an HTML or text one.
func looksLikeObject(s string) bool {
	i, j := 0, len(s)
	for i < j && isSpace(s[i]) {
		i++
	}
	for j > i && isSpace(s[j-1]) {
		j--
	}
	return j-i >= 2 && s[i] == '{' && s[j-1] == '}'
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// isObject reports whether s is one valid JSON object (surrounding whitespace allowed).
func isObject(s string) bool { return rawjson.IsObject(s) }

// overIndex holds the top-level members of a small override object so the body pass can
// look each body key up without re-parsing the override.
type overIndex struct {
	n    int // members indexed; -1 when the object has too many (then find scans)
	keys [8]string
	vals [8]gjson.Result
}

func (x *overIndex) build(over gjson.Result) {
	over.ForEach(func(k, v gjson.Result) bool {
		if x.n == len(x.keys) {
			x.n = -1
			return false
		}
		x.keys[x.n], x.vals[x.n] = k.Str, v
		x.n++
		return true
	})
}

func (x *overIndex) find(over gjson.Result, name string) (gjson.Result, int) {
	if x.n < 0 {
		return keyIndex(over, name)
	}
	for i := 0; i < x.n; i++ {
		if x.keys[i] == name {
			return x.vals[i], i
		}
	}
	return gjson.Result{}, -1
}

// keyIndex is key that also reports the member's position (-1 when absent).
func keyIndex(obj gjson.Result, name string) (gjson.Result, int) {
	var out gjson.Result
	idx, at := -1, 0
	if !obj.IsObject() {
		return out, -1
	}
	obj.ForEach(func(k, v gjson.Result) bool {
		if k.Str == name {
			out, idx = v, at
			return false
		}
		at++
		return true
	})
	return out, idx
}

// key finds a top-level member of obj by its unescaped name (translate.Member: no path syntax).
func key(obj gjson.Result, name string) gjson.Result { return translate.Member(obj, name) }

func appendKey(dst []byte, n *int, rawKey string) []byte {
	if *n > 0 {
		dst = append(dst, ',')
	}
	*n++
	dst = append(dst, rawKey...)
	return append(dst, ':')
}

// appendStreamOptions writes base merged with over, with include_usage forced true.
func appendStreamOptions(dst []byte, base, over gjson.Result) []byte {
	dst = append(dst, '{')
	n := 0
	saw := false
	if base.IsObject() {
		base.ForEach(func(k, v gjson.Result) bool {
			dst = appendKey(dst, &n, k.Raw)
			switch ov := key(over, k.Str); {
			case k.Str == "include_usage":
				saw = true
				dst = append(dst, "true"...)
			case ov.Exists():
				dst = translate.AppendMerged(dst, v, ov)
			default:
				dst = append(dst, v.Raw...)
			}
			return true
		})
	}
	over.ForEach(func(k, v gjson.Result) bool {
		if k.Str == "include_usage" || key(base, k.Str).Exists() {
			return true
		}
		dst = appendKey(dst, &n, k.Raw)
		dst = append(dst, v.Raw...)
		return true
	})
	if !saw {
		dst = appendKey(dst, &n, `"include_usage"`)
		dst = append(dst, "true"...)
	}
	return append(dst, '}')
}
