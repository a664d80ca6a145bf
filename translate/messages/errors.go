package messages

import (
	"strconv"
	"strings"

	"switchyard/translate"
	"switchyard/translate/internal/rawjson"
)

// ErrorType is the Anthropic error type for an HTTP status, as Anthropic documents them:
// 400 invalid_request_error, 401 authentication_error, 402 billing_error, 403
// permission_error, 404 not_found_error, 413 request_too_large, 429 rate_limit_error, 500
// api_error, 504 timeout_error, 529 overloaded_error. 503 also reads as overloaded (what
// OpenAI-compatible servers send when busy); other 4xx as invalid_request_error, anything
// else as api_error.
func ErrorType(status int) string {
	switch status {
	case 400:
		return "invalid_request_error"
	case 401:
		return "authentication_error"
	case 402:
		return "billing_error"
	case 403:
		return "permission_error"
	case 404:
		return "not_found_error"
	case 413:
		return "request_too_large"
	case 429:
		return "rate_limit_error"
	case 504, 408:
		return "timeout_error"
	case 503, 529:
		return "overloaded_error"
	}
	if status >= 400 && status < 500 {
		return "invalid_request_error"
	}
	return "api_error"
}

// anthropicType reports whether t is an Anthropic error type.
func anthropicType(t string) bool {
	switch t {
	case "invalid_request_error", "authentication_error", "billing_error", "permission_error",
		"not_found_error", "request_too_large", "rate_limit_error", "api_error",
		"timeout_error", "overloaded_error":
		return true
	}
	return false
}

// AppendError appends Anthropic's error body {"type":"error","error":{"type":..,"message":..}}.
func AppendError(dst []byte, typ, message string) []byte {
	dst = append(dst, `{"type":"error","error":{"type":`...)
	dst = translate.AppendString(dst, typ)
	dst = append(dst, `,"message":`...)
	dst = translate.AppendString(dst, message)
	return append(dst, "}}"...)
}

// AppendErrorEvent appends an Anthropic stream error event.
func AppendErrorEvent(dst []byte, typ, message string) []byte {
	dst = append(dst, "event: error\ndata: "...)
	dst = AppendError(dst, typ, message)
	return append(dst, "\n\n"...)
}

// FromError appends the Anthropic error body for a gateway error (a ToChat refusal, a
// BuildRequest failure); the HTTP status to answer with is e.Status.
func FromError(e *translate.Error, dst []byte) []byte {
	return AppendError(dst, ErrorType(e.Status), e.Message)
}

// FromChatError appends the Anthropic error body for an OpenAI error answer with the given
// HTTP status (the caller keeps the status). The message is kept word for word; the type
// follows the status (ErrorType). When the status says nothing specific (a 4xx other than the
// documented ones, or a 5xx) and the error's code or type already names an Anthropic type
// (translate/anthropic keeps Anthropic's type as the OpenAI code), that type is used. A body
// that is not an OpenAI error is quoted in the message, clipped.
func FromChatError(status int, openAIErrorJSON []byte, dst []byte) []byte {
	typ := ErrorType(status)
	src := strings.TrimSpace(view(openAIErrorJSON))
	if src == "" {
		return AppendError(dst, typ, "upstream returned HTTP "+strconv.Itoa(status)+" with an empty body")
	}
	if !valid(src) {
		return AppendError(dst, typ, "upstream returned HTTP "+strconv.Itoa(status)+" with a non-JSON body: "+clip(src, 200))
	}
	obj := src
	if isArr(obj) {
		rawjson.EachElem(src, func(_ int, v string) bool { obj = v; return false })
	}
	e := field(obj, "error")
	if isStr(e) {
		return AppendError(dst, typ, strValue(e))
	}
	if !isObj(e) {
		e = obj
	}
	msg := field(e, "message")
	if !isStr(msg) {
		return AppendError(dst, typ, "upstream returned HTTP "+strconv.Itoa(status)+": "+clip(src, 200))
	}
	if status != 400 && status != 401 && status != 402 && status != 403 && status != 404 &&
		status != 413 && status != 429 {
		if c := inner(field(e, "code")); anthropicType(c) {
			typ = c
		} else if t := inner(field(e, "type")); anthropicType(t) && t != "invalid_request_error" {
			typ = t
		}
	}
	return AppendError(dst, typ, strValue(msg))
}
