package host

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// calloutResponse is valid only during proxy_on_http_call_response.
type calloutResponse struct {
	headers, trailers *Headers
	body              []byte
}

type calloutRequest struct {
	token    uint32
	url      string
	headers  *Headers
	body     []byte
	trailers *Headers
	timeout  time.Duration
}

func proxyHTTPCall(vm *VM, s []uint64) {
	cluster, ok1 := vm.readString(uint32(s[0]), uint32(s[1]))
	hb, ok2 := vm.read(uint32(s[2]), uint32(s[3]))
	body, ok3 := vm.read(uint32(s[4]), uint32(s[5]))
	tb, ok4 := vm.read(uint32(s[6]), uint32(s[7]))
	if !ok1 || !ok2 || !ok3 || !ok4 {
		s[0] = statusInvalidMemoryAccess
		return
	}
	timeoutMS, tokenPtr := uint32(s[8]), uint32(s[9])
	base, known := vm.plugin.cfg.Clusters[cluster]
	if !known || timeoutMS > math.MaxInt32 {
		s[0] = statusBadArgument
		return
	}
	pairs, _ := DecodePairs(hb)
	h := &Headers{}
	for _, p := range pairs {
		h.Add(p[0], p[1])
	}
	for _, k := range []string{":path", ":method", ":authority"} {
		if v, ok := h.Get(k); !ok || v == "" {
			s[0] = statusBadArgument
			return
		}
	}
	var trailers *Headers
	if tp, _ := DecodePairs(tb); len(tp) > 0 {
		trailers = &Headers{}
		for _, p := range tp {
			trailers.Add(p[0], p[1])
		}
	}
	vm.nextToken += 4
	tok := vm.nextToken
	if !vm.mem.WriteUint32Le(tokenPtr, tok) {
		s[0] = statusInvalidMemoryAccess
		return
	}
	if vm.plugin.cfg.Trace != nil {
		vm.plugin.cfg.Trace(Event{Kind: EventHTTPCall, Name: cluster, Context: vm.effective, Token: tok,
			Headers: h.Clone(), Body: append([]byte(nil), body...), TimeoutMs: timeoutMS})
	}
	req := &calloutRequest{token: tok, url: strings.TrimSuffix(base, "/") + mustGet(h, ":path"),
		headers: h, body: append([]byte(nil), body...), trailers: trailers,
		timeout: time.Duration(timeoutMS) * time.Millisecond}
	vm.calloutsWG.Add(1)
	go vm.runCallout(req)
	s[0] = statusOk
}

// runCallout performs the request like Envoy's async client + router and
// delivers the result to the root context.
func (vm *VM) runCallout(r *calloutRequest) {
	defer vm.calloutsWG.Done()
	resp, failed := vm.doCallout(r)
	vm.async(func() {
		if failed {
			vm.statusCode, vm.statusMsg = statusBrokenConnection, "reset"
			vm.callCtx(vm.fnHTTPCallResp, vm.rootID, uint64(vm.rootID), uint64(r.token), 0, 0, 0)
			return
		}
		vm.callout = resp
		vm.statusCode, vm.statusMsg = statusOk, ""
		vm.callCtx(vm.fnHTTPCallResp, vm.rootID, uint64(vm.rootID), uint64(r.token),
			uint64(resp.headers.Len()), uint64(len(resp.body)), uint64(resp.trailers.Len()))
		vm.callout = nil
	})
}

func routerReply(code int, body string) *calloutResponse {
	return &calloutResponse{
		headers: NewHeaders(":status", strconv.Itoa(code), "content-length", strconv.Itoa(len(body)),
			"content-type", "text/plain"),
		body: []byte(body),
	}
}

// Router local replies Envoy produces for an async request.
const (
	bodyUpstreamTimeout = "upstream request timeout"
	bodyConnectFailure  = "upstream connect error or disconnect/reset before headers. reset reason: remote connection failure"
	bodyResetBefore     = "upstream connect error or disconnect/reset before headers. reset reason: connection termination"
)

func (vm *VM) doCallout(r *calloutRequest) (resp *calloutResponse, reset bool) {
	ctx := context.Background()
	if r.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, r.timeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, mustGet(r.headers, ":method"), r.url, bytes.NewReader(r.body))
	if err != nil {
		return routerReply(503, bodyConnectFailure), false
	}
	req.Host = mustGet(r.headers, ":authority")
	for _, p := range r.headers.Pairs() {
		if strings.HasPrefix(p[0], ":") {
			continue
		}
		req.Header.Add(p[0], p[1])
	}
	if len(r.body) == 0 {
		req.Body = http.NoBody
	}
	req.ContentLength = int64(len(r.body))
	if r.trailers != nil {
		req.Trailer = http.Header{}
		for _, p := range r.trailers.Pairs() {
			req.Trailer.Add(p[0], p[1])
		}
		req.ContentLength = -1
	}
	res, err := vm.plugin.client.Do(req)
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return routerReply(504, bodyUpstreamTimeout), false
		}
		var op *net.OpError
		if errors.As(err, &op) && op.Op == "dial" {
			return routerReply(503, bodyConnectFailure), false
		}
		return routerReply(503, bodyResetBefore), false
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, true
		}
		return nil, true
	}
	out := &calloutResponse{headers: responseHeaders(res), body: body}
	if len(res.Trailer) > 0 {
		out.trailers = &Headers{}
		addHeaderMap(out.trailers, res.Trailer)
	}
	return out, false
}

// responseHeaders converts a net/http response to an Envoy header map:
// ":status" first, then names lowercased in sorted order.
func responseHeaders(res *http.Response) *Headers {
	h := &Headers{kv: make([][2]string, 0, len(res.Header)+2)}
	h.Add(":status", strconv.Itoa(res.StatusCode))
	addHeaderMap(h, res.Header)
	if res.ContentLength >= 0 && res.Header.Get("Content-Length") == "" && len(res.TransferEncoding) == 0 {
		h.Add("content-length", strconv.FormatInt(res.ContentLength, 10))
	}
	return h
}

func addHeaderMap(h *Headers, m http.Header) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range m[k] {
			h.Add(k, v)
		}
	}
}

// WaitCallouts blocks until every http_call in flight has been delivered
// (tests use it before asserting).
func (p *Plugin) WaitCallouts() {
	for _, vm := range p.vms {
		vm.calloutsWG.Wait()
	}
}
