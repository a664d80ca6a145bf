package openai

import (
	"github.com/tidwall/gjson"

	"switchyard/translate"
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
	if !isObject(s) {
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
	streamable := c.Op == translate.OpChat || c.Op == translate.OpCompletions

	// One pass over the top level finds what the edits depend on (gjson.Get would rescan
	// the body for each).
	var model, stream, streamOpts gjson.Result
	root.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "model":
			model = v
		case "stream":
			stream = v
		case "stream_options":
			streamOpts = v
		}
		return true
	})
	if ov := key(over, "stream"); ov.Exists() {
		stream = ov
	}
	c.Stream = streamable && stream.Type == gjson.True
	c.IncludeUsage = c.Stream && key(streamOpts, "include_usage").Type == gjson.True
	switch {
	case t.Model != "":
		c.Model = t.Model
	case key(over, "model").Type == gjson.String:
		c.Model = key(over, "model").Str
	default:
		c.Model = model.Str
	}
	noSO := t.Provider != nil && t.Provider.NoStreamOptions
	wantSO := c.Stream && !noSO

	dst = append(dst, '{')
	n := 0
	sawModel, sawSO := false, false
	root.ForEach(func(k, v gjson.Result) bool {
		name := k.Str
		switch name {
		case "model":
			sawModel = true
			if t.Model != "" {
				dst = appendKey(dst, &n, k.Raw)
				dst = translate.AppendString(dst, t.Model)
				return true
			}
		case "stream_options":
			sawSO = true
			if noSO {
				return true
			}
			if wantSO {
				dst = appendKey(dst, &n, k.Raw)
				dst = appendStreamOptions(dst, v, key(over, name))
				return true
			}
		}
		dst = appendKey(dst, &n, k.Raw)
		if ov := key(over, name); ov.Exists() {
			dst = appendMerged(dst, v, ov)
		} else {
			dst = append(dst, v.Raw...)
		}
		return true
	})
	over.ForEach(func(k, v gjson.Result) bool {
		name := k.Str
		switch {
		case name == "model" && t.Model != "":
			return true
		case name == "stream_options" && (wantSO || noSO):
			return true
		case key(root, name).Exists():
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
	if wantSO && !sawSO {
		dst = appendKey(dst, &n, `"stream_options"`)
		dst = appendStreamOptions(dst, gjson.Result{}, key(over, "stream_options"))
	}
	return append(dst, '}'), nil
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
func isObject(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\r', '\n':
			continue
		case '{':
			return gjson.Valid(s)
		}
		return false
	}
	return false
}

// key finds a top-level member of obj by its unescaped name. Unlike gjson.Get it treats no
// character of name as path syntax.
func key(obj gjson.Result, name string) gjson.Result {
	var out gjson.Result
	if !obj.IsObject() {
		return out
	}
	obj.ForEach(func(k, v gjson.Result) bool {
		if k.Str == name {
			out = v
			return false
		}
		return true
	})
	return out
}

func appendKey(dst []byte, n *int, rawKey string) []byte {
	if *n > 0 {
		dst = append(dst, ',')
	}
	*n++
	dst = append(dst, rawKey...)
	return append(dst, ':')
}

// appendMerged writes base deep-merged with over: two objects merge member by member (over
// wins, base's order first), any other pair takes over's value.
func appendMerged(dst []byte, base, over gjson.Result) []byte {
	if !base.IsObject() || !over.IsObject() {
		return append(dst, over.Raw...)
	}
	dst = append(dst, '{')
	n := 0
	base.ForEach(func(k, v gjson.Result) bool {
		dst = appendKey(dst, &n, k.Raw)
		if ov := key(over, k.Str); ov.Exists() {
			dst = appendMerged(dst, v, ov)
		} else {
			dst = append(dst, v.Raw...)
		}
		return true
	})
	over.ForEach(func(k, v gjson.Result) bool {
		if !key(base, k.Str).Exists() {
			dst = appendKey(dst, &n, k.Raw)
			dst = append(dst, v.Raw...)
		}
		return true
	})
	return append(dst, '}')
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
				dst = appendMerged(dst, v, ov)
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
