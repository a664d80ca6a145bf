package plugin

import (
	"errors"
	"strconv"
	"time"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"

	"switchyard/plugin/abi"
	"switchyard/routing"
	"switchyard/translate"
	"switchyard/translate/messages"
)

// Envoy's router answers an async request that ran out of time with this body (host.md §3.1).
const routerTimeoutBody = "upstream request timeout"

// schedule runs attempt a after wait: at once, or on the root context's tick (never a Go timer).
func (h *httpContext) schedule(a routing.Attempt, wait time.Duration) {
	h.attempt = a
	if wait <= 0 {
		h.dispatch()
		return
	}
	h.due = hostNow().Add(wait).UnixNano()
	h.plug.addWaiter(h)
}

// start runs the first attempt of a callout-mode plan.
func (h *httpContext) start(a routing.Attempt) { h.schedule(a, 0) }

// dispatch sends h.attempt as an http_call to its cluster.
func (h *httpContext) dispatch() {
	a := h.attempt
	h.calls++
	if err := h.prepare(&a); err != nil {
		h.plan.Report(routing.Outcome{GatewayError: true})
		h.state = stAnswered
		h.replyTranslateError(err)
		return
	}
	hs := h.upstreamHeaders(h.buf.hdrs[:0], false)
	h.buf.hdrs = hs
	timeout := uint32(0)
	if h.cur.timeoutMS > 0 {
		timeout = uint32(h.cur.timeoutMS)
	}
	if _, err := abi.DispatchHttpCall(h.cur.cluster, hs, h.buf.up.Body, nil, timeout, h.onCallout); err != nil {
		abi.LogError("switchyard: http_call to cluster " + h.cur.cluster + " failed: " + err.Error())
		h.plan.Report(routing.Outcome{GatewayError: true})
		h.state = stAnswered
		h.replyError(502, "the gateway could not reach cluster "+quote(h.cur.cluster)+" for provider "+
			quote(h.cur.providerID), "api_error", "upstream_unavailable")
	}
}

// onCallout receives an attempt's answer: report it, then retry, fall back or answer.
func (h *httpContext) onCallout(numHeaders, bodySize, _ int) {
	if h.state == stAnswered || h.state == stPassed {
		return
	}
	// A callout dispatched from the tick has no guarded stream to answer a panic (abi.Guard
	// knows only the stream whose callback is running): answer this one here.
	defer h.recoverAnswer("http call response")
	var hs [][2]string
	if numHeaders > 0 {
		hs, _ = abi.GetHttpCallResponseHeaders()
	}
	st, _ := strconv.Atoi(pairValue(hs, ":status"))
	var body []byte
	if bodySize > 0 && st != 0 {
		if bodySize > h.cfg.maxResponseBodyBytes {
			h.plan.Report(routing.Outcome{GatewayError: true})
			h.state = stAnswered
			h.replyAttemptError(502, "upstream answer exceeds the gateway limit of "+
				strconv.Itoa(h.cfg.maxResponseBodyBytes)+" bytes", "api_error", "response_too_large")
			return
		}
		body, _ = abi.GetHttpCallResponseBody(0, bodySize)
	}
	h.timeout = false
	out := routing.Outcome{Status: st, Header: func(n string) string { return pairValue(hs, n) }}
	switch {
	case st == 0:
		out.ConnFailure = true
	case st == 504 && h.cur.timeoutMS > 0 && string(body) == routerTimeoutBody:
		h.timeout = true
		out.Status = 408
	}
	h.plan.Report(out)
	h.status = st
	if st >= 200 && st <= 299 {
		h.answer(hs, body)
		return
	}
	if a, wait, ok := h.plan.Next(); ok {
		h.schedule(a, wait)
		return
	}
	if h.routeFailed() {
		return
	}
	switch {
	case h.timeout:
		h.finishTimeout()
	case out.ConnFailure:
		h.state = stAnswered
		h.replyAttemptError(502, "provider "+quote(h.cur.providerID)+" could not be reached (connection failure)", "api_error", "upstream_unavailable")
	default:
		h.answer(hs, body)
	}
}

// answer sends an attempt's final answer (success or upstream error), translated, as a local
// response. A streaming client gets a complete text/event-stream body.
func (h *httpContext) answer(hs [][2]string, body []byte) {
	h.state = stAnswered
	status := h.status
	var out []byte
	ct := "application/json"
	switch {
	case h.cur.adapter == nil && h.vetsRaw(status, pairValue(hs, "content-type")):
		out, status = h.vetRaw(h.buf.out[:0], status, body)
	case h.rawStreams(status):
		out = newRawStream(h.cfg.maxSSELineBytes).feed(h.buf.out[:0], body, true)
		ct = "text/event-stream"
	case h.cur.adapter == nil:
		out = append(h.buf.out[:0], body...)
		ct = pairValue(hs, "content-type")
	case status >= 200 && status <= 299 && h.cur.call.Stream:
		// The answer is a stream (its events carry any failure): 200, as a 204 or 205 would
		// drop the body.
		status = 200
		h.newStream()
		out = h.feedStream(h.buf.out[:0], body, true)
		ct = "text/event-stream"
	default:
		out, status = h.translateAnswer(h.buf.out[:0], status, body)
	}
	h.buf.out = out
	rh := h.buf.rhdrs[:0]
	for i := range hs {
		k := hs[i][0]
		switch {
		case k == "" || k[0] == ':' || hopByHop(k) || k == "content-length" || k == "content-type" ||
			k == "content-encoding" || hasPrefixFold(k, gatewayPrefix):
			continue
		}
		rh = append(rh, hs[i])
	}
	if ct != "" {
		rh = append(rh, [2]string{"content-type", ct})
	}
	rh = h.gatewayHeaders(rh)
	h.buf.rhdrs = rh
	h.send(uint32(status), rh, out)
}

// finishTimeout answers Portkey's request-timeout error.
func (h *httpContext) finishTimeout() {
	h.state = stAnswered
	msg := "Request exceeded the timeout sent in the request: " + strconv.FormatInt(h.cur.timeoutMS, 10) + "ms"
	h.replyAttemptError(408, msg, "timeout_error", "")
}

// routeFailed answers 400 when the plan ended on a routing error after a failed attempt (a
// fallback handing over to a conditional that matches nothing): the failed attempt's answer is
// not the client's answer. A deadline is different: the last attempt's answer stands.
func (h *httpContext) routeFailed() bool {
	var re *routing.RouteError
	if !errors.As(h.plan.Err(), &re) {
		return false
	}
	h.state = stAnswered
	h.replyAttemptError(400, re.Error(), "invalid_request_error", "routing_failed")
	return true
}

// planFailed answers a plan that ended without an answer to give.
func (h *httpContext) planFailed() types.Action {
	err := h.plan.Err()
	var re *routing.RouteError
	switch {
	case errors.Is(err, routing.ErrDeadline):
		return h.replyError(408, "the request deadline of "+strconv.FormatInt(h.cfg.requestDeadlineMS, 10)+
			"ms passed before another attempt could start", "timeout_error", "request_deadline_exceeded")
	case errors.As(err, &re):
		return h.reject(400, re.Error(), "routing_failed")
	}
	return h.replyError(500, "routing produced no attempt", "api_error", "no_attempt")
}

// reject answers the client with an OpenAI invalid_request_error.
func (h *httpContext) reject(status uint32, message, code string) types.Action {
	return h.replyError(status, message, "invalid_request_error", code)
}

func (h *httpContext) replyTranslateError(err error) types.Action {
	var te *translate.Error
	if errors.As(err, &te) {
		return h.replyError(uint32(te.Status), te.Message, te.Type, te.Code)
	}
	return h.replyError(400, err.Error(), "invalid_request_error", "")
}

// replyError sends an OpenAI-shaped gateway error with the gateway response headers.
func (h *httpContext) replyError(status uint32, message, typ, code string) types.Action {
	return h.replyErrorAs(status, message, typ, code, false)
}

// replyAttemptError answers the failure of an attempt the gateway made (connection failure,
// timeout, oversized answer): as with an upstream's own error, the client learns which target
// failed from the x-portkey-* routing headers, whichever attempt mode ran it.
func (h *httpContext) replyAttemptError(status uint32, message, typ, code string) types.Action {
	return h.replyErrorAs(status, message, typ, code, true)
}

func (h *httpContext) replyErrorAs(status uint32, message, typ, code string, routed bool) types.Action {
	var out []byte
	var hdrs [][2]string
	if h.buf != nil {
		out, hdrs = h.buf.out[:0], h.buf.rhdrs[:0]
	}
	if h.kind == kindMessages {
		// An Anthropic client gets Anthropic's error shape.
		out = messages.AppendError(out, messages.ErrorType(int(status)), message)
	} else {
		out = translate.AppendError(out, message, typ, code)
	}
	hdrs = append(hdrs, [2]string{"content-type", "application/json"})
	switch {
	case routed:
		hdrs = h.gatewayHeaders(hdrs)
	case h.in.traceID != "":
		hdrs = append(hdrs, [2]string{"x-portkey-trace-id", h.in.traceID})
	}
	if h.buf != nil {
		h.buf.out, h.buf.rhdrs = out, hdrs
	}
	return h.send(status, hdrs, out)
}

func (h *httpContext) hostError(what string, err error) types.Action {
	abi.LogError("switchyard: " + what + ": " + err.Error())
	return h.fail(500, abi.InternalErrorBody)
}

func (h *httpContext) fail(status uint32, body string) types.Action {
	return h.send(status, [][2]string{{"content-type", "application/json"}}, []byte(body))
}

func (h *httpContext) send(status uint32, hdrs [][2]string, body []byte) types.Action {
	h.state = stAnswered
	h.respStatus = int(status)
	h.publishAnswer()
	if h.plug != nil {
		h.plug.removeWaiter(h)
	}
	if err := abi.SendHttpResponse(status, hdrs, body, -1); err != nil {
		abi.LogError("switchyard: send_local_response failed: " + err.Error())
	}
	return types.ActionPause
}

// recoverAnswer turns a panic into the stream's 500 instead of a stream left hanging.
func (h *httpContext) recoverAnswer(where string) {
	if r := recover(); r != nil {
		abi.LogError("switchyard: recovered panic in " + where)
		if h.state != stAnswered && h.state != stPassed {
			h.fail(500, abi.InternalErrorBody)
		}
	}
}
