package cohere

import (
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"switchyard/translate"
)

// TranslateError implements translate.Adapter. Cohere answers errors as {"message":"..."},
// sometimes with an "id"; the message is kept word for word and the OpenAI type follows the
// status (Cohere has no error types). Cohere's non-standard statuses get OpenAI codes: 498
// (a deny-listed token in the request or answer) and 499 (request cancelled).
func (Adapter) TranslateError(status int, body []byte, dst []byte) []byte {
	src := strings.TrimSpace(view(body))
	typ := translate.ErrorTypeForStatus(status)
	code := ""
	switch status {
	case 498:
		typ, code = "invalid_request_error", "invalid_token"
	case 499:
		code = "request_cancelled"
	}
	if src == "" {
		return translate.AppendError(dst, "Cohere returned HTTP "+strconv.Itoa(status)+" with an empty body", typ, code)
	}
	if !gjson.Valid(src) {
		return translate.AppendError(dst, "Cohere returned HTTP "+strconv.Itoa(status)+" with a non-JSON body: "+clip(src, 200), typ, code)
	}
	root := gjson.Parse(src)
	msg := root.Get("message")
	if msg.Type != gjson.String {
		// Proxies in front of Cohere may answer in OpenAI's or a generic {"error":...} shape.
		if e := root.Get("error"); e.Type == gjson.String {
			msg = e
		} else if m := e.Get("message"); m.Type == gjson.String {
			msg = m
		}
	}
	if msg.Type != gjson.String {
		return translate.AppendError(dst, "Cohere returned HTTP "+strconv.Itoa(status)+": "+clip(src, 200), typ, code)
	}
	return translate.AppendError(dst, msg.Str, typ, code)
}
