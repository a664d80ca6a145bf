package plugin

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"
	"github.com/tidwall/gjson"

	"switchyard/plugin/abi"
	"switchyard/routing"
	"switchyard/translate"
	"switchyard/translate/messages"
)

// stopNoBuffer is Envoy's StopIterationNoBuffer: drop a held answer's body while callouts run
// (the SDK's Action has no name for it; the binding passes the value through).
const stopNoBuffer = types.Action(3)

func (h *httpContext) OnHttpResponseHeaders(_ int, endOfStream bool) types.Action {
	if h.state != stInline {
		return types.ActionContinue
	}
	hs, err := abi.GetHttpResponseHeaders()
	if err != nil && err != types.ErrorStatusNotFound {
		return h.hostError("read response headers", err)
	}
	st, _ := strconv.Atoi(pairValue(hs, ":status"))
	h.status = st
	if st == 504 && h.cur.timeoutMS > 0 && pairValue(hs, "content-type") == "text/plain" {
		// Envoy's router gave up after the attempt's timeout (x-envoy-upstream-rq-timeout-ms).
		h.timeout = true
		st = 408
	}
	h.plan.Report(routing.Outcome{Status: st, Header: func(n string) string { return pairValue(hs, n) }})
	if st < 200 || st > 299 {
		// Kong cannot hold a response at its headers: the answer flows as it is.
		if a, wait, ok := h.plan.Next(); ok && !h.cfg.kong {
			h.state = stHolding
			h.schedule(a, wait)
			return types.ActionPause
		}
		if h.routeFailed() {
			return types.ActionPause
		}
		if h.timeout {
			h.state = stAnswered
			h.finishTimeout()
			return types.ActionPause
		}
		if h.cur.adapter != nil {
			h.errOut = true
		}
	}
	vet := h.cur.adapter == nil && h.vetsRaw(st, pairValue(hs, "content-type"))
	if endOfStream && (h.cur.adapter != nil || vet || h.rawStreams(st)) && !h.cfg.kong {
		// An empty upstream body: no body callback follows to carry the translated answer (the
		// client would get a content-length and no bytes), so it goes out whole, locally.
		h.answer(hs, nil)
		return types.ActionPause
	}
	// The answer flows to the client.
	h.respStatus = st
	h.publishAnswer()
	h.setGatewayResponseHeaders(hs)
	switch {
	case h.cur.adapter == nil && !vet:
		if h.rawStreams(st) {
			abi.RemoveHttpResponseHeader("content-length")
			h.raw = newRawStream(h.cfg.maxSSELineBytes)
		}
		return types.ActionContinue
	case vet || h.errOut || !h.cur.call.Stream:
		h.jsonOut = true
		abi.RemoveHttpResponseHeader("content-length")
		if h.cfg.kong {
			// Kong cannot hold response headers; the body goes out chunked.
			return types.ActionContinue
		}
		return types.ActionPause
	default:
		abi.RemoveHttpResponseHeader("content-length")
		abi.ReplaceHttpResponseHeader("content-type", "text/event-stream")
		h.newStream()
		return types.ActionContinue
	}
}

// setGatewayResponseHeaders adds Portkey's response headers and drops hop-by-hop ones.
func (h *httpContext) setGatewayResponseHeaders(hs [][2]string) {
	for i := range hs {
		if k := hs[i][0]; hopByHop(k) && k != "transfer-encoding" {
			abi.RemoveHttpResponseHeader(k)
		}
	}
	for _, p := range h.gatewayHeaders(h.buf.hdrs[:0]) {
		abi.ReplaceHttpResponseHeader(p[0], p[1])
	}
}

// gatewayHeaders appends x-portkey-* response headers.
func (h *httpContext) gatewayHeaders(dst [][2]string) [][2]string {
	path, retries := h.plan.Result()
	if path == "" {
		path = "config"
	}
	cache := "DISABLED"
	if h.attempt.Target != nil && h.attempt.Cache.Mode != "" {
		cache = "MISS"
	}
	return append(dst,
		[2]string{"x-portkey-last-used-option-index", path},
		[2]string{"x-portkey-retry-attempt-count", strconv.Itoa(retries)},
		[2]string{"x-portkey-cache-status", cache},
		[2]string{"x-portkey-trace-id", h.in.traceID},
		[2]string{"x-portkey-provider", h.cur.providerID})
}

func (h *httpContext) OnHttpResponseBody(size int, endOfStream bool) types.Action {
	switch h.state {
	case stHolding:
		return stopNoBuffer
	case stInline:
	default:
		return types.ActionContinue
	}
	if h.jsonOut {
		if size > h.cfg.maxResponseBodyBytes {
			h.state = stAnswered
			return h.replyError(502, "upstream answer exceeds the gateway limit of "+
				strconv.Itoa(h.cfg.maxResponseBodyBytes)+" bytes", "api_error", "response_too_large")
		}
		if !endOfStream {
			return types.ActionPause
		}
		body, err := abi.GetHttpResponseBody(0, size)
		if err != nil && err != types.ErrorStatusNotFound {
			return h.hostError("read response body", err)
		}
		return h.finishInlineJSON(body)
	}
	if h.raw != nil {
		return h.feedRaw(size, endOfStream)
	}
	if h.stream == nil {
		if h.cur.adapter != nil && !h.cfg.kong {
			// The translated stream already ended (an error event or its end was sent): the
			// provider's remaining raw bytes must not follow it to the client.
			if err := abi.ReplaceHttpResponseBody(nil); err != nil {
				return h.hostError("replace response body", err)
			}
		}
		return types.ActionContinue
	}
	var chunk []byte
	if size > 0 {
		var err error
		// Streams copy what they keep (translate.Stream.Feed), so every chunk of this stream
		// lands in the same buffer.
		if chunk, err = abi.GetHttpResponseBodyInto(h.buf.chunk, 0, size); err != nil && err != types.ErrorStatusNotFound {
			return h.hostError("read response body", err)
		}
		if cap(chunk) > cap(h.buf.chunk) {
			h.buf.chunk = chunk[:0]
		}
	}
	out := h.feedStream(h.buf.out[:0], chunk, endOfStream)
	h.buf.out = out
	if err := abi.ReplaceHttpResponseBody(out); err != nil {
		return h.hostError("replace response body", err)
	}
	return types.ActionContinue
}

// feedStream translates one upstream chunk (and the end of the stream) into OpenAI SSE.
func (h *httpContext) feedStream(dst, chunk []byte, eos bool) []byte {
	if h.stream == nil {
		return dst
	}
	if h.lineTooLong(chunk) {
		dst = translate.AppendErrorEvent(dst, "upstream stream line exceeds the gateway limit of "+
			strconv.Itoa(h.cfg.maxSSELineBytes)+" bytes", "api_error", "response_too_large")
		h.stream = nil
		return dst
	}
	if h.msgStream != nil {
		return h.feedConverted(dst, chunk, eos)
	}
	var err error
	if len(chunk) > 0 {
		dst, err = h.stream.Feed(dst, chunk)
	}
	if err != nil {
		h.stream = nil
		return dst
	}
	if eos {
		dst, _ = h.stream.Finish(dst)
		h.recordUsage(h.stream.Usage())
		h.stream = nil
	}
	return dst
}

// newStream starts the answer's stream translation: the family's, then for a /v1/messages
// client OpenAI chunks → Anthropic events.
func (h *httpContext) newStream() {
	h.stream = h.cur.adapter.NewStream(&h.cur.call)
	h.msgStream = nil
	if h.cur.convert {
		h.msgStream = messages.NewStream(&h.cur.call)
	}
	h.lineLen = 0
}

// feedConverted runs both stream stages; the OpenAI SSE in between lives in h.buf.mid.
func (h *httpContext) feedConverted(dst, chunk []byte, eos bool) []byte {
	mid := h.buf.mid[:0]
	var err error
	if len(chunk) > 0 {
		mid, err = h.stream.Feed(mid, chunk)
	}
	if err == nil && eos {
		mid, err = h.stream.Finish(mid)
	}
	dst, err2 := h.msgStream.Feed(dst, mid)
	h.buf.mid = mid
	if err != nil || err2 != nil {
		h.stream, h.msgStream = nil, nil
		return dst
	}
	if eos {
		dst, _ = h.msgStream.Finish(dst)
		h.recordUsage(h.stream.Usage())
		h.stream, h.msgStream = nil, nil
	}
	return dst
}

// lineTooLong bounds an SSE upstream's line length (AWS event streams are framed, not lined).
func (h *httpContext) lineTooLong(chunk []byte) bool {
	if h.cur.target.Provider != nil && h.cur.target.Provider.Family == "bedrock" {
		return false
	}
	for _, c := range chunk {
		if c == '\n' || c == '\r' {
			h.lineLen = 0
			continue
		}
		if h.lineLen++; h.lineLen > h.cfg.maxSSELineBytes {
			return true
		}
	}
	return false
}

func (h *httpContext) finishInlineJSON(body []byte) types.Action {
	out, status := h.translateAnswer(h.buf.out[:0], h.status, body)
	h.buf.out = out
	if err := abi.ReplaceHttpResponseBody(out); err != nil && err != types.ErrorStatusNotFound {
		return h.hostError("replace response body", err)
	}
	h.respStatus = status
	if status != h.status {
		abi.ReplaceHttpResponseHeader(":status", strconv.Itoa(status))
	}
	abi.ReplaceHttpResponseHeader("content-type", "application/json")
	if !h.cfg.kong {
		abi.ReplaceHttpResponseHeader("content-length", strconv.Itoa(len(out)))
	}
	h.state = stPassed
	return types.ActionContinue
}

// translateAnswer turns a complete upstream JSON answer (success or error) into the OpenAI
// answer; it returns the status to send.
func (h *httpContext) translateAnswer(dst []byte, status int, body []byte) ([]byte, int) {
	ad := h.cur.adapter
	if ad == nil {
		return h.vetRaw(dst, status, body)
	}
	if h.cur.convert {
		// Provider → OpenAI (h.buf.mid) → Anthropic Messages (dst).
		if status < 200 || status > 299 {
			h.buf.mid = ad.TranslateError(status, body, h.buf.mid[:0])
			return messages.FromChatError(status, h.buf.mid, dst), status
		}
		chat, usage, err := ad.TranslateResponse(&h.cur.call, body, h.buf.mid[:0])
		h.buf.mid = chat
		if err == nil {
			var out []byte
			if out, _, err = messages.FromChatResponse(chat, dst); err == nil {
				h.recordUsage(usage)
				return out, status
			}
		}
		return messages.AppendError(dst[:0], "api_error", "upstream answer could not be translated: "+err.Error()), 502
	}
	if status < 200 || status > 299 {
		return ad.TranslateError(status, body, dst), status
	}
	out, usage, err := ad.TranslateResponse(&h.cur.call, body, dst)
	if err != nil {
		msg := "upstream answer could not be translated: " + err.Error()
		return translate.AppendError(dst[:0], msg, "api_error", "bad_upstream_response"), 502
	}
	h.recordUsage(usage)
	if !h.strict() {
		out = h.addProviderDetail(out, body)
	}
	return out, status
}

// strict reports whether answers must be pure OpenAI shape (the default); the header beats the
// config's strict_open_ai_compliance.
func (h *httpContext) strict() bool {
	if h.in.strict != routing.Unset {
		return h.in.strict == routing.True
	}
	if h.attempt.Target != nil {
		return h.attempt.Strict.Bool(true)
	}
	return true
}

// addProviderDetail adds what Portkey adds without strict OpenAI compliance: Anthropic's raw
// stop reason as finish_reason and its content blocks (thinking, tool_use...) as
// message.content_blocks. Off the default path, so sjson's copies are acceptable here.
func (h *httpContext) addProviderDetail(out, upstream []byte) []byte {
	if h.cur.target.Provider == nil || h.cur.target.Provider.Family != "anthropic" || h.cur.call.Op != translate.OpChat {
		return out
	}
	if blocks := gjson.GetBytes(upstream, "content"); blocks.IsArray() {
		out = setMember(out, "choices.0.message", "content_blocks", blocks.Raw)
	}
	if stop := gjson.GetBytes(upstream, "stop_reason"); stop.Type == gjson.String {
		out = setMember(out, "choices.0", "finish_reason", string(appendJSONString(nil, stop.Str)))
	}
	return out
}

// setMember sets the member name of the object at path in doc to the raw JSON value raw, in
// place, the way sjson.SetRawBytes(doc, path+"."+name, raw) writes it: an existing value is
// replaced, a new member goes last. It replaces sjson, which cost the module ~80 KB for these
// two edits of the translator's own output; doc is returned as it is when path is no object
// (that output always has choices[0].message).
func setMember(doc []byte, path, name, raw string) []byte {
	obj := gjson.GetBytes(doc, path)
	if !obj.IsObject() || obj.Index <= 0 {
		return doc
	}
	var start, end int // the span of doc to replace
	var val []byte
	if cur := gjson.Get(obj.Raw, name); cur.Exists() && cur.Index > 0 {
		start = obj.Index + cur.Index
		end = start + len(cur.Raw)
		val = append(val, raw...)
	} else {
		end = obj.Index + strings.LastIndexByte(obj.Raw, '}')
		start = end
		if strings.TrimLeft(obj.Raw[1:], " \t\r\n")[0] != '}' {
			val = append(val, ',')
		}
		val = appendJSONString(val, name)
		val = append(val, ':')
		val = append(val, raw...)
	}
	out := make([]byte, 0, len(doc)-(end-start)+len(val))
	out = append(out, doc[:start]...)
	out = append(out, val...)
	return append(out, doc[end:]...)
}

// appendJSONString quotes s as sjson does: plain printable ASCII as it is, anything else
// through encoding/json (which gjson links in anyway).
func appendJSONString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c > 0x7f || c == '"' || c == '\\' {
			b, _ := json.Marshal(s)
			return append(dst, b...)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}

// recordUsage publishes token counts as filter state for the access log (wasm.switchyard.usage).
func (h *httpContext) recordUsage(u translate.Usage) {
	h.usage = u
	if u.TotalTokens == 0 && u.PromptTokens == 0 && u.CompletionTokens == 0 {
		return
	}
	b := strconv.AppendInt(h.buf.tmp[:0], int64(u.PromptTokens), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(u.CompletionTokens), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(u.TotalTokens), 10)
	h.buf.tmp = b
	abi.SetProperty(usagePath, b)
}

var usagePath = []string{"switchyard.usage"}

func pairValue(hs [][2]string, k string) string {
	for i := range hs {
		if hs[i][0] == k {
			return hs[i][1]
		}
	}
	return ""
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
