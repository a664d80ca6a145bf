package anthropic

import (
	"strconv"
	"strings"

	"switchyard/translate"
)

// statusForType is the HTTP status Anthropic documents for each error type (0: unknown type).
func statusForType(t string) int {
	switch t {
	case "invalid_request_error":
		return 400
	case "authentication_error":
		return 401
	case "billing_error":
		return 402
	case "permission_error":
		return 403
	case "not_found_error":
		return 404
	case "request_too_large":
		return 413
	case "rate_limit_error":
		return 429
	case "api_error":
		return 500
	case "timeout_error":
		return 504
	case "overloaded_error":
		return 529
	}
	return 0
}

// openAIType is the OpenAI error type for an Anthropic error type, falling back to the HTTP
// status when the type is unknown or missing. The Anthropic type itself is kept as the code.
func openAIType(anthropicType string, status int) string {
	if s := statusForType(anthropicType); s != 0 {
		status = s
	}
	return translate.ErrorTypeForStatus(status)
}

// TranslateError implements translate.Adapter. Anthropic's shape is
// {"type":"error","error":{"type":"not_found_error","message":"..."},"request_id":"..."}; the
// message is kept word for word, the type becomes OpenAI's and is also kept as "code". It also
// reads the {"error":{"code":..,"message":..,"status":..}} shape Google fronts use (Anthropic on
// Vertex AI), bare {"message":..} bodies, and says precisely what came back otherwise.
func (Adapter) TranslateError(status int, body []byte, dst []byte) []byte {
	src := strings.TrimSpace(view(body))
	if src == "" {
		return translate.AppendError(dst, "Anthropic returned HTTP "+strconv.Itoa(status)+" with an empty body", translate.ErrorTypeForStatus(status), "")
	}
	if !valid(src) {
		return translate.AppendError(dst, "Anthropic returned HTTP "+strconv.Itoa(status)+" with a non-JSON body: "+clip(src, 200), translate.ErrorTypeForStatus(status), "")
	}
	obj := src
	if isArr(obj) {
		eachElem(src, func(_ int, v string) bool { obj = v; return false })
	}
	e := field(obj, "error")
	if isStr(e) {
		return translate.AppendError(dst, strValue(e), translate.ErrorTypeForStatus(status), "")
	}
	if !isObj(e) {
		e = obj
	}
	msg, typ := field(e, "message"), inner(field(e, "type"))
	if typ == "" {
		typ = inner(field(e, "status"))
	}
	if !isStr(msg) {
		return translate.AppendError(dst, "Anthropic returned HTTP "+strconv.Itoa(status)+": "+clip(src, 200), translate.ErrorTypeForStatus(status), typ)
	}
	return translate.AppendError(dst, strValue(msg), openAIType(typ, status), typ)
}
