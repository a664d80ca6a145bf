package openai

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tidwall/gjson"

	"switchyard/translate"
)

// TranslateError implements translate.Adapter.
func (Adapter) TranslateError(status int, body []byte, dst []byte) []byte {
	return AppendUpstreamError(dst, status, body)
}

// AppendUpstreamError appends the OpenAI error object for an upstream error answer.
//
// An answer already in OpenAI's shape ({"error":{"message":"...","type":"...",...}}) is copied
// byte for byte. Other JSON errors are normalised, keeping what the provider said: error.message
// or message or detail (non-string values as compact JSON), the provider's type (else the one
// OpenAI uses for the status), its code (numbers as strings), its param, and Azure's innererror
// (content-filter details) as is. Non-JSON answers (an HTML error page from a proxy, plain
// text, nothing) become a message naming the status and what the body said.
func AppendUpstreamError(dst []byte, status int, body []byte) []byte {
	return appendUpstreamError(dst, status, body, "upstream returned HTTP "+strconv.Itoa(status))
}

// appendUpstreamError: what names the source in synthesized messages.
func appendUpstreamError(dst []byte, status int, body []byte, what string) []byte {
	s := strings.TrimSpace(str(body))
	if s == "" {
		return translate.AppendError(dst, what+" with an empty body", translate.ErrorTypeForStatus(status), "")
	}
	if s[0] != '{' || !gjson.Valid(s) {
		return translate.AppendError(dst, what+" with a non-JSON body: "+textSnippet(s), translate.ErrorTypeForStatus(status), "")
	}
	root := gjson.Parse(s)
	var msg, typ, code, param, inner gjson.Result
	e := key(root, "error")
	switch {
	case e.IsObject():
		msg, typ, code = key(e, "message"), key(e, "type"), key(e, "code")
		if msg.Type == gjson.String && typ.Type == gjson.String {
			return append(dst, body...)
		}
		param, inner = key(e, "param"), key(e, "innererror")
	case e.Type == gjson.String:
		msg = e
		typ, code = key(root, "type"), key(root, "code")
	default:
		msg = key(root, "message")
		if !msg.Exists() {
			msg = key(root, "detail")
		}
		if !msg.Exists() {
			msg = key(root, "msg")
		}
		typ, code = key(root, "type"), key(root, "code")
	}

	dst = append(dst, `{"error":{"message":`...)
	switch {
	case msg.Type == gjson.String && msg.Str != "":
		dst = translate.AppendString(dst, msg.Str)
	case msg.Exists() && msg.Type != gjson.Null && msg.Type != gjson.String:
		dst = translate.AppendString(dst, compact(msg.Raw))
	default:
		dst = translate.AppendString(dst, what+": "+compact(s))
	}
	dst = append(dst, `,"type":`...)
	if typ.Type == gjson.String && typ.Str != "" && typ.Str != "error" {
		dst = translate.AppendString(dst, typ.Str)
	} else {
		dst = translate.AppendString(dst, translate.ErrorTypeForStatus(status))
	}
	dst = append(dst, `,"param":`...)
	if param.Type == gjson.String {
		dst = append(dst, param.Raw...)
	} else {
		dst = append(dst, "null"...)
	}
	dst = append(dst, `,"code":`...)
	switch code.Type {
	case gjson.String:
		dst = append(dst, code.Raw...)
	case gjson.Number:
		dst = translate.AppendString(dst, code.Raw)
	default:
		dst = append(dst, "null"...)
	}
	if inner.Exists() {
		dst = append(dst, `,"innererror":`...)
		dst = append(dst, inner.Raw...)
	}
	return append(dst, "}}"...)
}

// compact bounds a JSON value used as a message (it is already escaped JSON text, shown as is).
func compact(raw string) string { return clip(strings.Join(strings.Fields(raw), " "), 1000) }

// textSnippet is what a client should see of a non-JSON error body: an HTML page's <title>
// (or its text without tags), plain text with whitespace collapsed, at most 300 bytes.
func textSnippet(s string) string {
	low := strings.ToLower(s)
	if i := strings.Index(low, "<title>"); i >= 0 {
		if j := strings.Index(low[i:], "</title>"); j > 0 {
			if t := strings.TrimSpace(s[i+len("<title>") : i+j]); t != "" {
				return clip(strings.Join(strings.Fields(t), " "), 300)
			}
		}
	}
	if strings.HasPrefix(s, "<") {
		var b strings.Builder
		in := false
		for _, r := range s {
			switch {
			case r == '<':
				in = true
				b.WriteByte(' ')
			case r == '>':
				in = false
			case !in:
				b.WriteRune(r)
			}
		}
		s = b.String()
	}
	return clip(strings.Join(strings.Fields(s), " "), 300)
}

// clip cuts s to at most n bytes on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}
