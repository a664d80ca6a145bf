package bedrock

import (
	"strings"

	"github.com/tidwall/gjson"

	"switchyard/translate"
)

// TranslateError turns a Bedrock error answer into an OpenAI error object. Bedrock answers
// {"message": "..."} and names the exception in the x-amzn-errortype header, which this
// contract does not pass, so the exception is taken from a "__type" field when present and
// otherwise inferred from the status (and, where one status has several exceptions, from the
// message):
//
//	400 ValidationException          403 AccessDeniedException (InvalidSignatureException /
//	404 ResourceNotFoundException        UnrecognizedClientException for credential problems,
//	408 ModelTimeoutException            typed authentication_error)
//	424 ModelErrorException          429 ThrottlingException (ModelNotReadyException when the
//	500 InternalServerException          message says the model is not ready)
//	503 ServiceUnavailableException
//
// The exception name is the OpenAI error code; the type follows the status.
func (Adapter) TranslateError(status int, body []byte, dst []byte) []byte {
	var msg, name string
	if gjson.ValidBytes(body) {
		root := gjson.Parse(str(body))
		root.ForEach(func(k, v gjson.Result) bool {
			switch k.Str {
			case "message", "Message":
				if msg == "" {
					msg = v.String()
				}
			case "__type", "code":
				name = exceptionName(v.String())
			}
			return true
		})
	} else if s := strings.TrimSpace(string(body)); s != "" {
		if len(s) > 512 {
			s = s[:512]
		}
		msg = s
	}
	if name == "" {
		name = exceptionForStatus(status, msg)
	}
	if msg == "" {
		msg = "Bedrock returned HTTP " + itoa(status)
		if name != "" {
			msg += " (" + name + ")"
		}
	}
	typ := translate.ErrorTypeForStatus(status)
	if name == "InvalidSignatureException" || name == "UnrecognizedClientException" || name == "ExpiredTokenException" {
		typ = "authentication_error"
	}
	return translate.AppendError(dst, msg, typ, name)
}

// exceptionName strips the namespace and trailing URL AWS sometimes puts around the name
// ("com.amazon.coral.service#ValidationException", "ValidationException:http://...").
func exceptionName(s string) string {
	if i := strings.LastIndexByte(s, '#'); i >= 0 {
		s = s[i+1:]
	}
	if i := strings.IndexByte(s, ':'); i >= 0 {
		s = s[:i]
	}
	return s
}

func exceptionForStatus(status int, msg string) string {
	lower := strings.ToLower(msg)
	switch status {
	case 400:
		return "ValidationException"
	case 403:
		switch {
		case strings.Contains(lower, "signature"):
			return "InvalidSignatureException"
		case strings.Contains(lower, "security token"):
			return "UnrecognizedClientException"
		}
		return "AccessDeniedException"
	case 404:
		return "ResourceNotFoundException"
	case 408:
		return "ModelTimeoutException"
	case 424:
		return "ModelErrorException"
	case 429:
		if strings.Contains(lower, "not ready") {
			return "ModelNotReadyException"
		}
		return "ThrottlingException"
	case 500:
		return "InternalServerException"
	case 503:
		return "ServiceUnavailableException"
	}
	return ""
}

// streamException maps the :exception-type of an event-stream exception to the HTTP status
// the Bedrock API reference gives it.
func streamException(name string) (status int, code string) {
	switch name {
	case "validationException":
		return 400, "ValidationException"
	case "throttlingException":
		return 429, "ThrottlingException"
	case "modelStreamErrorException":
		return 424, "ModelStreamErrorException"
	case "modelTimeoutException":
		return 408, "ModelTimeoutException"
	case "serviceUnavailableException":
		return 503, "ServiceUnavailableException"
	case "internalServerException":
		return 500, "InternalServerException"
	}
	if name == "" {
		return 500, "InternalServerException"
	}
	return 500, strings.ToUpper(name[:1]) + name[1:]
}

func itoa(n int) string { return string(translate.AppendInt(nil, int64(n))) }
