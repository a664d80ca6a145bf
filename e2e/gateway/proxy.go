package gateway

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"switchyard/e2e/host"
)

// Envoy router local-reply bodies and details.
const (
	bodyConnectFailure = "upstream connect error or disconnect/reset before headers. reset reason: remote connection failure"
	bodyResetBefore    = "upstream connect error or disconnect/reset before headers. reset reason: connection termination"
	bodyTimeout        = "upstream request timeout"
)

type upEvent struct {
	h   *host.Headers
	p   []byte
	buf *[]byte // pooled backing array of p, returned after EncodeData
	eos bool
	err error
}

// chunkPool holds read buffers; the stream copies what it keeps, so a
// buffer is reusable once Decode/EncodeData returns.
var chunkPool = sync.Pool{New: func() any { b := make([]byte, 16<<10); return &b }}

// exchange is one downstream request: the host.Sink of its stream plus the
// upstream request the router started.
type exchange struct {
	g       *Gateway
	w       http.ResponseWriter
	flusher http.Flusher
	s       *host.Stream
	ctx     context.Context

	upCancel  context.CancelFunc
	upBody    *io.PipeWriter
	upEvents  chan upEvent
	noCluster bool
	wroteHead bool
	reset     bool
}

// ServeHTTP drives one stream through the plugin the way Envoy's filter
// manager and router would.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), g.timeout)
	defer cancel()
	x := &exchange{g: g, w: w, ctx: ctx}
	x.flusher, _ = w.(http.Flusher)
	info := host.StreamInfo{Protocol: r.Proto, SourceAddr: r.RemoteAddr, Route: g.route, ConnectionID: g.connID.Add(1)}
	if la, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		info.DestAddr = la.String()
	}
	x.s = g.plugin.NewStream(x, info)
	start := time.Now()
	defer func() {
		if x.upCancel != nil {
			x.upCancel()
		}
		if x.upBody != nil {
			x.upBody.CloseWithError(errors.New("stream ended"))
		}
		x.s.Finish()
		if g.cfg.AccessLog != nil {
			cluster, _ := x.s.Route()
			g.cfg.AccessLog(AccessEntry{Method: r.Method, Path: r.RequestURI, Authority: r.Host,
				Status: x.s.ResponseCode(), Details: x.s.ResponseCodeDetails(), Cluster: cluster,
				FilterState: x.s.FilterStates(), Duration: time.Since(start), Reset: x.reset})
		}
		if x.reset {
			panic(http.ErrAbortHandler)
		}
	}()

	eos := r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0
	x.s.DecodeHeaders(requestHeaders(r), eos)
	x.afterCall()
	if !eos {
		bp := chunkPool.Get().(*[]byte)
		defer chunkPool.Put(bp)
		buf := *bp
		for !x.s.DecodeComplete() {
			n, err := r.Body.Read(buf)
			last := err != nil
			if n > 0 || last {
				// The stream copies what it keeps.
				x.s.DecodeData(buf[:n], last)
				x.afterCall()
			}
			if last {
				if err != io.EOF {
					x.s.Reset("downstream_remote_disconnect")
					return
				}
				break
			}
			x.pumpNonBlocking()
		}
	}
	for !x.s.Done() && !x.reset {
		select {
		case <-x.s.Notify():
			x.s.Pump()
		case ev := <-x.upEvents:
			x.upstreamEvent(ev)
		case <-ctx.Done():
			if r.Context().Err() != nil {
				x.s.Reset("downstream_remote_disconnect")
				return
			}
			x.s.LocalReply(504, []byte(bodyTimeout), "upstream_response_timeout")
			if !x.s.Done() {
				x.s.Reset("upstream_response_timeout")
				x.reset = true
			}
		}
		x.afterCall()
	}
}

func (x *exchange) pumpNonBlocking() {
	select {
	case <-x.s.Notify():
		x.s.Pump()
		x.afterCall()
	default:
	}
}

// afterCall runs router decisions that must not happen inside a Sink
// callback (they call back into the stream).
func (x *exchange) afterCall() {
	if x.noCluster {
		x.noCluster = false
		x.s.LocalReply(503, nil, "cluster_not_found")
	}
}

func (x *exchange) upstreamEvent(ev upEvent) {
	switch {
	case ev.err != nil:
		x.upEvents = nil
		if x.s.Responding() {
			x.s.Reset("upstream_reset_after_response_started")
			x.reset = true
			return
		}
		switch {
		case errors.Is(ev.err, context.DeadlineExceeded):
			x.s.LocalReply(504, []byte(bodyTimeout), "upstream_response_timeout")
		case isDialError(ev.err):
			x.s.LocalReply(503, []byte(bodyConnectFailure), "upstream_reset_before_response_started{remote_connection_failure}")
		default:
			x.s.LocalReply(503, []byte(bodyResetBefore), "upstream_reset_before_response_started{connection_termination}")
		}
	case ev.h != nil:
		x.s.EncodeHeaders(ev.h, ev.eos)
	default:
		x.s.EncodeData(ev.p, ev.eos)
		if ev.buf != nil {
			chunkPool.Put(ev.buf)
		}
	}
	if ev.eos {
		x.upEvents = nil
	}
}

func isDialError(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// requestHeaders builds Envoy's request header map for an HTTP/1.1 request:
// pseudo-headers first, then the client's headers (sorted, lowercase), then
// what the connection manager adds.
func requestHeaders(r *http.Request) *host.Headers {
	h := host.NewHeaders(":authority", r.Host, ":path", r.RequestURI, ":method", r.Method, ":scheme", "http")
	keys := make([]string, 0, len(r.Header))
	for k := range r.Header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range r.Header[k] {
			h.Add(k, v)
		}
	}
	if _, ok := h.Get("content-length"); !ok && r.ContentLength > 0 {
		h.Add("content-length", strconv.FormatInt(r.ContentLength, 10))
	}
	if len(r.TransferEncoding) > 0 {
		h.Add("transfer-encoding", strings.Join(r.TransferEncoding, ","))
	}
	h.Set("x-forwarded-proto", "http")
	if _, ok := h.Get("x-request-id"); !ok {
		h.Add("x-request-id", requestID())
	}
	return h
}

func requestID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	s := hex.EncodeToString(b[:])
	return s[:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:]
}

// RequestHeaders is the router: pick the cluster (re-evaluated after
// clear_route_cache) and start the upstream request.
func (x *exchange) RequestHeaders(h *host.Headers, eos bool) {
	cluster, _ := x.s.Route()
	base, ok := x.g.clusters[cluster]
	if !ok {
		x.noCluster = true
		return
	}
	ctx, cancel := context.WithCancel(x.ctx)
	// Envoy's router takes a per-request timeout from x-envoy-upstream-rq-timeout-ms (set by a
	// filter after the connection manager sanitised client x-envoy-* headers) instead of the
	// route's, and removes the header before the request goes upstream.
	if v, ok := h.Get("x-envoy-upstream-rq-timeout-ms"); ok {
		h.Del("x-envoy-upstream-rq-timeout-ms")
		if ms, err := strconv.Atoi(v); err == nil && ms > 0 {
			cancel()
			ctx, cancel = context.WithTimeout(x.ctx, time.Duration(ms)*time.Millisecond)
		}
	}
	x.upCancel = cancel
	var body io.Reader = http.NoBody
	if !eos {
		pr, pw := io.Pipe()
		x.upBody = pw
		body = pr
	}
	path, _ := h.Get(":path")
	req, err := http.NewRequestWithContext(ctx, mustGet(h, ":method"), strings.TrimSuffix(base.String(), "/")+path, body)
	if err != nil {
		x.upEvents = make(chan upEvent, 1)
		x.upEvents <- upEvent{err: err}
		return
	}
	req.Host = mustGet(h, ":authority")
	for _, p := range h.Pairs() {
		switch {
		case strings.HasPrefix(p[0], ":"), p[0] == "content-length", p[0] == "transfer-encoding",
			p[0] == "connection", p[0] == "host":
			continue
		}
		req.Header.Add(p[0], p[1])
	}
	if eos {
		req.ContentLength = 0
	} else {
		// The filter may have rewritten the body: stream it chunked.
		req.ContentLength = -1
	}
	x.upEvents = make(chan upEvent, 4)
	go x.runUpstream(req, x.upEvents)
}

func mustGet(h *host.Headers, k string) string {
	v, _ := h.Get(k)
	return v
}

// runUpstream performs the request and streams the response as events,
// chunk by chunk as they arrive.
func (x *exchange) runUpstream(req *http.Request, ev chan<- upEvent) {
	// Wait on the stream's context, not the request's: a per-request timeout
	// (x-envoy-upstream-rq-timeout-ms) ends the request, and its error must
	// still reach the stream.
	send := func(e upEvent) bool {
		select {
		case ev <- e:
			return true
		case <-x.ctx.Done():
			return false
		}
	}
	res, err := x.g.client.Do(req)
	if err != nil {
		if ctxErr := req.Context().Err(); errors.Is(ctxErr, context.DeadlineExceeded) {
			err = ctxErr
		}
		send(upEvent{err: err})
		return
	}
	defer res.Body.Close()
	h := host.NewHeaders(":status", strconv.Itoa(res.StatusCode))
	keys := make([]string, 0, len(res.Header))
	for k := range res.Header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range res.Header[k] {
			h.Add(k, v)
		}
	}
	noBody := res.ContentLength == 0 || req.Method == http.MethodHead
	if !send(upEvent{h: h, eos: noBody}) || noBody {
		return
	}
	for {
		bp := chunkPool.Get().(*[]byte)
		buf := *bp
		n, err := res.Body.Read(buf)
		if err == io.EOF {
			send(upEvent{p: buf[:n], buf: bp, eos: true})
			return
		}
		if err != nil {
			if n > 0 {
				send(upEvent{p: buf[:n], buf: bp})
			}
			if ctxErr := req.Context().Err(); errors.Is(ctxErr, context.DeadlineExceeded) {
				err = ctxErr
			}
			send(upEvent{err: err})
			return
		}
		if n == 0 {
			chunkPool.Put(bp)
			continue
		}
		if !send(upEvent{p: buf[:n], buf: bp}) {
			return
		}
	}
}

// RequestData streams request body bytes to the upstream as they pass.
func (x *exchange) RequestData(p []byte, eos bool) {
	if x.upBody == nil {
		return
	}
	if len(p) > 0 {
		if _, err := x.upBody.Write(p); err != nil {
			x.upBody = nil
			return
		}
	}
	if eos {
		x.upBody.Close()
		x.upBody = nil
	}
}

// ResponseHeaders writes the status and headers to the client. A local reply
// before the upstream answered abandons the upstream request.
func (x *exchange) ResponseHeaders(h *host.Headers, eos bool) {
	if x.wroteHead {
		return
	}
	x.wroteHead = true
	code, _ := strconv.Atoi(mustGet(h, ":status"))
	if code < 200 || code > 999 {
		code = 502
	}
	hdr := x.w.Header()
	for _, p := range h.Pairs() {
		if strings.HasPrefix(p[0], ":") || p[0] == "transfer-encoding" || p[0] == "connection" {
			continue
		}
		hdr[http.CanonicalHeaderKey(p[0])] = append(hdr[http.CanonicalHeaderKey(p[0])], p[1])
	}
	x.w.WriteHeader(code)
	if x.flusher != nil {
		x.flusher.Flush()
	}
}

// ResponseData writes and flushes each chunk as it passes the filter.
func (x *exchange) ResponseData(p []byte, eos bool) {
	if len(p) > 0 {
		// A failed write means the client left; the request context
		// notices and the stream is reset.
		x.w.Write(p)
	}
	if x.flusher != nil {
		x.flusher.Flush()
	}
}

// Reset aborts the client connection once the handler returns.
func (x *exchange) Reset(details string) { x.reset = true }
