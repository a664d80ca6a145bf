package gemini

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tidwall/gjson"

	"switchyard/translate"
)

// maxErrorText bounds how much of a non-JSON error body is quoted back to the client.
const maxErrorText = 512

// AppendError turns a Google error answer into an OpenAI error object. Google sends
// {"error":{"code":400,"message":"...","status":"INVALID_ARGUMENT"}}, or the same wrapped in
// an array from the streaming endpoints. The message is kept, the type follows the HTTP
// status as OpenAI's does, and Google's status string becomes the code. provider names the
// upstream in messages synthesized for bodies that carry no usable error.
func AppendError(dst []byte, status int, body []byte, provider string) []byte {
	s := str(body)
	var e gjson.Result
	if gjson.Valid(s) {
		root := gjson.Parse(s)
		if root.IsArray() {
			root = root.Get("0")
		}
		e = root.Get("error")
	}
	typ := translate.ErrorTypeForStatus(status)
	if e.IsObject() {
		msg := e.Get("message").String()
		if msg == "" {
			msg = provider + " returned HTTP " + strconv.Itoa(status)
		}
		return translate.AppendError(dst, msg, typ, e.Get("status").String())
	}
	if e.Type == gjson.String && e.Str != "" { // {"error": "text"}
		return translate.AppendError(dst, e.Str, typ, "")
	}
	msg := provider + " returned HTTP " + strconv.Itoa(status)
	if t := strings.TrimSpace(s); t != "" {
		if len(t) > maxErrorText {
			t = t[:maxErrorText]
			for len(t) > 0 && !utf8.ValidString(t) {
				t = t[:len(t)-1]
			}
		}
		msg += ": " + t
	}
	return translate.AppendError(dst, msg, typ, "")
}
