package plugin

import (
	"strings"

	"github.com/tidwall/gjson"

	"switchyard/translate/messages"
	"switchyard/translate/openai"
)

// vetsRaw reports whether an answer passed on without translation (Anthropic's own
// /v1/messages, other /v1/* paths to OpenAI-compatible targets) is held and vetted before it
// reaches the client: every error (whatever content-type it claims), and every /v1/messages
// success that is not a stream. A passthrough success can be anything (audio, files),
// successful streams flow as they come, and so do redirects and 304s (no body to vet).
func (h *httpContext) vetsRaw(status int, contentType string) bool {
	if h.cfg.kong || status >= 300 && status < 400 {
		return false
	}
	if status >= 400 {
		return true
	}
	return h.kind == kindMessages && !strings.HasPrefix(contentType, "text/event-stream")
}

// vetRaw turns what a client could not read from a raw answer into an error in its API's
// shape: an error body that is not JSON keeps the upstream status, an unreadable success (or
// Anthropic's error object sent with 200) becomes a 502. Readable answers pass byte for byte.
func (h *httpContext) vetRaw(dst []byte, status int, body []byte) ([]byte, int) {
	valid := gjson.ValidBytes(body) && gjson.ParseBytes(body).IsObject()
	if status < 200 || status > 299 {
		if valid {
			return append(dst, body...), status
		}
		if h.kind != kindMessages {
			return openai.AppendUpstreamError(dst, status, body), status
		}
		h.buf.mid = openai.AppendUpstreamError(h.buf.mid[:0], status, body)
		return messages.FromChatError(status, h.buf.mid, dst), status
	}
	if !valid {
		return messages.AppendError(dst, "api_error", "upstream returned a success status with a body that is not a JSON object"), 502
	}
	if e := gjson.GetBytes(body, "error"); gjson.GetBytes(body, "type").Str == "error" && e.IsObject() {
		return messages.AppendError(dst, "api_error", "upstream returned an error with a success status: "+e.Get("message").String()), 502
	}
	return append(dst, body...), status
}
