package host

import (
	"strconv"
	"time"

	"github.com/tetratelabs/wazero/api"
)

// Sink receives what the filter lets through. Its methods are called only
// from the goroutine that drives the stream (inside Decode*/Encode*/Pump/
// Finish), never with the VM lock held.
type Sink interface {
	// RequestHeaders: headers passed the filter; the router picks the route
	// now (Stream.Route) and starts the upstream request.
	RequestHeaders(h *Headers, endStream bool)
	RequestData(p []byte, endStream bool)
	// ResponseHeaders/Data go to the client. A local reply that starts
	// before the upstream answered means the upstream request must be
	// abandoned.
	ResponseHeaders(h *Headers, endStream bool)
	ResponseData(p []byte, endStream bool)
	// Reset aborts the stream in both directions.
	Reset(details string)
}

// StreamInfo is what the connection manager knows about a stream.
type StreamInfo struct {
	Protocol     string // "HTTP/1.1"
	SourceAddr   string // ip:port of the client
	DestAddr     string // ip:port of the listener
	ConnectionID uint64
	// Route resolves the route for the current request headers: the cluster
	// name and route name. Called at stream start and again after
	// clear_route_cache when someone needs the route.
	Route func(h *Headers) (cluster, route string)
}

type actionKind uint8

const (
	actContinue actionKind = iota
	actLocal
	actClose
)

// action is a deferred effect of a hostcall (cpp-host "after VM call").
type action struct {
	kind    actionKind
	dir     int
	code    int
	body    []byte
	headers *Headers
	details string
}

type sinkOp struct {
	kind int // 0 reqH, 1 reqD, 2 respH, 3 respD, 4 reset
	h    *Headers
	p    []byte
	eos  bool
	s    string
}

// Header/data filter statuses after Envoy's conversion (host.md §0.7).
const (
	hdrContinue          = 0
	hdrStopIteration     = 1
	hdrContinueAndEnd    = 2
	hdrStopAllBuffer     = 3
	hdrStopAllWatermark  = 4
	dataContinue         = 0
	dataStopAndBuffer    = 1
	dataStopAndWatermark = 2
	dataStopNoBuffer     = 3
)

// direction is the per-direction filter-manager state.
type direction struct {
	headersStopped bool   // headers held by the filter
	stopAll        bool   // StopAllIteration: data is held without calling the filter
	buffering      bool   // last data callback asked to buffer: accumulate
	held           []byte // data received during stopAll
	buf            []byte // buffer the filter sees (type 0 / 1)
	bufAvail       bool
	eosIn          bool // end of stream received
	done           bool // end of stream passed on
	headersOut     bool // headers passed on
}

// Stream is one HTTP stream through the plugin, driven like Envoy's filter
// manager drives the Wasm filter. All exported methods must be called from
// one goroutine (the connection manager's), which also receives Sink calls.
type Stream struct {
	vm   *VM
	id   uint32
	sink Sink
	info StreamInfo

	created, deleted bool
	vmFailed         bool
	filterDone       bool // Envoy stops calling the VM (413, failed VM)

	reqH, reqT, respH, respT *Headers
	reqHAvail, reqTAvail     bool
	respHAvail, respTAvail   bool
	inLog                    bool

	dec, enc        direction
	upstreamStarted bool // EncodeHeaders was called by the router
	localReply      bool // a local reply was started
	reset           bool
	code            int
	codeDetails     string
	reqSize         int
	respSize        int
	start           time.Time
	end             time.Time

	routeCluster, routeName string
	routeValid              bool

	filterState map[string][]byte

	localInCall bool
	pending     []action // guarded by vm.mu
	ops         []sinkOp // produced under vm.mu, flushed after

	notify chan struct{}
}

// NewStream creates a stream on the next worker VM. The guest context is
// created lazily at the first DecodeHeaders, like Envoy.
func (p *Plugin) NewStream(sink Sink, info StreamInfo) *Stream {
	vm := p.pickVM()
	s := &Stream{vm: vm, sink: sink, info: info, notify: make(chan struct{}, 1), start: p.now()}
	vm.mu.Lock()
	s.id = vm.nextContextID
	vm.nextContextID++
	vm.streams[s.id] = s
	vm.mu.Unlock()
	return s
}

// ID is the stream's context id.
func (s *Stream) ID() uint32 { return s.id }

// Notify fires when asynchronous callbacks queued actions for this stream;
// the driver then calls Pump.
func (s *Stream) Notify() <-chan struct{} { return s.notify }

func (s *Stream) signal() {
	select {
	case s.notify <- struct{}{}:
	default:
	}
}

// Done reports that the response reached its end (or the stream was reset).
func (s *Stream) Done() bool {
	s.vm.mu.Lock()
	defer s.vm.mu.Unlock()
	return s.enc.done || s.reset
}

// DecodeComplete reports that the request ended upstream-wards (or will not
// be forwarded because a local reply started).
func (s *Stream) DecodeComplete() bool {
	s.vm.mu.Lock()
	defer s.vm.mu.Unlock()
	return s.dec.done || s.localReply || s.reset
}

// Responding reports that response headers went to the client or a local
// reply is under way.
func (s *Stream) Responding() bool {
	s.vm.mu.Lock()
	defer s.vm.mu.Unlock()
	return s.enc.headersOut || s.localReply || s.reset
}

// FilterState returns a filter-state value (set_property stores "wasm."+path).
func (s *Stream) FilterState(key string) ([]byte, bool) {
	s.vm.mu.Lock()
	defer s.vm.mu.Unlock()
	v, ok := s.filterState[key]
	return v, ok
}

// FilterStates returns a copy of every filter-state value of the stream.
func (s *Stream) FilterStates() map[string][]byte {
	s.vm.mu.Lock()
	defer s.vm.mu.Unlock()
	out := make(map[string][]byte, len(s.filterState))
	for k, v := range s.filterState {
		out[k] = append([]byte(nil), v...)
	}
	return out
}

// ResponseCodeDetails is Envoy's %RESPONSE_CODE_DETAILS% for local replies
// and resets ("" when the upstream answered).
func (s *Stream) ResponseCodeDetails() string {
	s.vm.mu.Lock()
	defer s.vm.mu.Unlock()
	return s.codeDetails
}

// Route returns the cached route, re-resolving it after clear_route_cache.
func (s *Stream) Route() (cluster, route string) {
	s.vm.mu.Lock()
	defer s.vm.mu.Unlock()
	return s.routeLocked()
}

func (s *Stream) routeLocked() (string, string) {
	if !s.routeValid && s.info.Route != nil && s.reqH != nil {
		s.routeCluster, s.routeName = s.info.Route(s.reqH)
		s.routeValid = true
	}
	return s.routeCluster, s.routeName
}

// ResponseCode is the status sent (or being sent) to the client.
func (s *Stream) ResponseCode() int {
	s.vm.mu.Lock()
	defer s.vm.mu.Unlock()
	return s.code
}

func (s *Stream) queue(a action) {
	s.pending = append(s.pending, a)
	s.vm.touch(s)
}

func (s *Stream) emit(op sinkOp) { s.ops = append(s.ops, op) }

// unlockFlush releases the VM and hands the produced output to the sink.
func (s *Stream) unlockFlush() {
	s.vm.notifyTouchedLocked()
	ops := s.ops
	s.ops = nil
	s.vm.mu.Unlock()
	for _, op := range ops {
		switch op.kind {
		case 0:
			s.sink.RequestHeaders(op.h, op.eos)
		case 1:
			s.sink.RequestData(op.p, op.eos)
		case 2:
			s.sink.ResponseHeaders(op.h, op.eos)
		case 3:
			s.sink.ResponseData(op.p, op.eos)
		case 4:
			s.sink.Reset(op.s)
		}
	}
}

// callFilter calls a stream callback; it returns ok=false when the VM is
// (or just became) failed, after failing the stream.
func (s *Stream) callFilter(fn api.Function, a, b uint64) (uint32, bool) {
	vm := s.vm
	if s.vmFailed || vm.failed != nil {
		s.failStream()
		return 0, false
	}
	if !s.created {
		s.created = true
		if _, err := vm.callCtx(vm.fnContextCreate, s.id, uint64(s.id), uint64(vm.rootID)); err != nil {
			s.failStream()
			return 0, false
		}
	}
	s.localInCall = false
	r, err := vm.callCtx(fn, s.id, uint64(s.id), a, b)
	if err != nil {
		s.failStream()
		return 0, false
	}
	// close_stream resets before the filter manager sees the result.
	for _, a := range s.pending {
		if a.kind == actClose {
			s.resetLocked(a.details)
			return 0, false
		}
	}
	return uint32(r), true
}

// failStream is FAIL_CLOSED: 503 wasm_fail_stream, or a reset once the
// response started.
func (s *Stream) failStream() {
	s.filterDone = true
	s.pending = nil
	if s.reset || s.enc.done {
		return
	}
	s.directReply(503, nil, nil, "wasm_fail_stream")
}

// DecodeHeaders delivers request headers (Envoy decodeHeaders).
func (s *Stream) DecodeHeaders(h *Headers, endStream bool) {
	s.vm.mu.Lock()
	defer s.unlockFlush()
	s.reqH = h
	s.reqHAvail = true
	s.dec.eosIn = endStream
	s.routeLocked()
	if s.filterDone || s.vmFailed || s.vm.failed != nil {
		s.failStream()
		return
	}
	r, ok := s.callFilter(s.vm.fnReqHeaders, uint64(h.Len()), b2u(endStream))
	if !ok {
		return
	}
	s.afterHeaders(&s.dec, r, true)
	s.processPendingLocked()
}

// afterHeaders applies a headers callback result (convertVmCallResultToFilterHeadersStatus).
func (s *Stream) afterHeaders(d *direction, r uint32, request bool) {
	if r > hdrStopAllWatermark {
		r = hdrStopAllWatermark
	}
	if r == hdrStopIteration && !s.vm.plugin.cfg.AllowOnHeadersStopIteration {
		r = hdrStopAllWatermark
	}
	if s.localInCall {
		r = hdrStopAllWatermark
	}
	switch r {
	case hdrContinue:
		s.passHeaders(d, request, d.eosIn)
	case hdrContinueAndEnd:
		s.passHeaders(d, request, true)
		d.done = true
	case hdrStopIteration:
		d.headersStopped = true
	default:
		d.headersStopped = true
		d.stopAll = true
	}
}

func (s *Stream) passHeaders(d *direction, request, eos bool) {
	d.headersStopped = false
	d.headersOut = true
	if request {
		s.reqHAvail = false
		s.routeLocked()
		s.emit(sinkOp{kind: 0, h: s.reqH, eos: eos})
	} else {
		s.respHAvail = false
		s.code, _ = strconv.Atoi(mustGet(s.respH, ":status"))
		s.emit(sinkOp{kind: 2, h: s.respH, eos: eos})
	}
	if eos {
		d.done = true
	}
}

func mustGet(h *Headers, k string) string {
	v, _ := h.Get(k)
	return v
}

// DecodeData delivers one request body chunk (Envoy decodeData).
func (s *Stream) DecodeData(p []byte, endStream bool) {
	s.vm.mu.Lock()
	defer s.unlockFlush()
	s.reqSize += len(p)
	if s.dec.done || s.localReply || s.reset {
		return
	}
	s.dec.eosIn = endStream
	if s.filterDone {
		s.forwardData(&s.dec, true, append([]byte(nil), p...), endStream)
		return
	}
	if s.dec.stopAll {
		s.dec.held = append(s.dec.held, p...)
		s.processPendingLocked()
		return
	}
	s.deliverData(&s.dec, true, p, endStream)
	s.processPendingLocked()
}

// deliverData runs one body callback with Envoy's accumulation rule: after a
// buffering result the new chunk is appended and the filter sees the total.
func (s *Stream) deliverData(d *direction, request bool, p []byte, eos bool) {
	if d.buffering {
		d.buf = append(d.buf, p...)
	} else {
		d.buf = append([]byte(nil), p...)
	}
	d.bufAvail = true
	if request && eos {
		s.reqTAvail = true // trailers may be added from the last body call
	}
	fn := s.vm.fnRespBody
	if request {
		fn = s.vm.fnReqBody
	}
	r, ok := s.callFilter(fn, uint64(len(d.buf)), b2u(eos))
	if request {
		s.reqTAvail = false
	}
	if !ok {
		return
	}
	if r > dataStopNoBuffer {
		r = dataStopNoBuffer
	}
	if s.localInCall {
		r = dataStopNoBuffer
	}
	switch r {
	case dataContinue:
		d.buffering = false
		data := d.buf
		d.buf = nil
		d.bufAvail = false
		if d.headersStopped {
			s.passHeaders(d, request, false)
		}
		s.forwardData(d, request, data, eos)
	case dataStopAndBuffer, dataStopAndWatermark:
		d.buffering = true
		if r == dataStopAndBuffer && len(d.buf) > s.vm.plugin.cfg.BufferLimit {
			s.overLimit(request)
		}
	case dataStopNoBuffer:
		d.buffering = false
		d.buf = nil
	}
}

func (s *Stream) forwardData(d *direction, request bool, data []byte, eos bool) {
	if len(data) == 0 && !eos {
		return
	}
	if request {
		s.emit(sinkOp{kind: 1, p: data, eos: eos})
	} else {
		s.respSize += len(data)
		s.emit(sinkOp{kind: 3, p: data, eos: eos})
	}
	if eos {
		d.done = true
	}
}

// overLimit is filter_manager requestDataTooLarge / responseDataTooLarge.
func (s *Stream) overLimit(request bool) {
	s.filterDone = true
	s.pending = nil
	if request {
		s.directReply(413, []byte("Payload Too Large"), nil, "request_payload_too_large")
		return
	}
	if !s.enc.headersOut {
		s.directReply(500, []byte("Internal Server Error"), nil, "response_payload_too_large")
		return
	}
	s.resetLocked("response_payload_too_large")
}

// EncodeHeaders delivers upstream response headers (Envoy encodeHeaders).
func (s *Stream) EncodeHeaders(h *Headers, endStream bool) {
	s.vm.mu.Lock()
	defer s.unlockFlush()
	if s.localReply || s.reset {
		return
	}
	s.upstreamStarted = true
	s.encodeHeadersLocked(h, endStream)
}

func (s *Stream) encodeHeadersLocked(h *Headers, endStream bool) {
	s.respH = h
	// The router records the upstream status in stream info before the
	// encoder filters run (response.code).
	s.code, _ = strconv.Atoi(mustGet(h, ":status"))
	s.respHAvail = true
	s.enc.eosIn = endStream
	if s.filterDone {
		s.passHeaders(&s.enc, false, endStream)
		return
	}
	r, ok := s.callFilter(s.vm.fnRespHeaders, uint64(h.Len()), b2u(endStream))
	if !ok {
		return
	}
	s.afterHeaders(&s.enc, r, false)
	s.processPendingLocked()
}

// EncodeData delivers one upstream response body chunk.
func (s *Stream) EncodeData(p []byte, endStream bool) {
	s.vm.mu.Lock()
	defer s.unlockFlush()
	if s.enc.done || s.reset || (s.localReply && !s.upstreamStarted) {
		return
	}
	s.encodeDataLocked(p, endStream)
}

func (s *Stream) encodeDataLocked(p []byte, endStream bool) {
	s.enc.eosIn = endStream
	if s.filterDone {
		s.forwardData(&s.enc, false, append([]byte(nil), p...), endStream)
		return
	}
	if s.enc.stopAll {
		s.enc.held = append(s.enc.held, p...)
		s.processPendingLocked()
		return
	}
	s.deliverData(&s.enc, false, p, endStream)
	s.processPendingLocked()
}

// Pump runs actions queued by asynchronous callbacks (http_call responses,
// ticks, queue events): continue_stream, send_local_response, close_stream,
// or the VM failing.
func (s *Stream) Pump() {
	s.vm.mu.Lock()
	defer s.unlockFlush()
	if s.vmFailed && !s.filterDone {
		s.failStream()
		return
	}
	s.processPendingLocked()
}

func (s *Stream) processPendingLocked() {
	for len(s.pending) > 0 && !s.reset {
		a := s.pending[0]
		s.pending = s.pending[1:]
		switch a.kind {
		case actContinue:
			if a.dir == 0 {
				s.resume(&s.dec, true)
			} else {
				s.resume(&s.enc, false)
			}
		case actLocal:
			s.sendLocal(a)
		case actClose:
			s.resetLocked(a.details)
		}
	}
}

// resume is continueDecoding/continueEncoding: pass held headers, then give
// data held during StopAll to this filter again, or pass its buffer on.
func (s *Stream) resume(d *direction, request bool) {
	if d.done || (request && s.localReply) || s.filterDone {
		return
	}
	wasStopAll := d.stopAll
	d.stopAll = false
	if request {
		s.reqHAvail = false
	} else {
		s.respHAvail = false
	}
	if d.headersStopped {
		eos := d.eosIn && len(d.buf) == 0 && len(d.held) == 0
		s.passHeaders(d, request, eos)
		if eos {
			return
		}
	}
	if wasStopAll && (len(d.held) > 0 || d.eosIn) {
		held := d.held
		d.held = nil
		s.deliverData(d, request, held, d.eosIn)
		return
	}
	if len(d.buf) > 0 || d.eosIn {
		data := d.buf
		d.buf, d.bufAvail, d.buffering = nil, false, false
		s.forwardData(d, request, data, d.eosIn)
	}
}

// sendLocal executes send_local_response after the guest call returned.
func (s *Stream) sendLocal(a action) {
	if s.enc.headersOut || (s.localReply && s.enc.done) {
		s.resetLocked(a.details)
		return
	}
	h := localHeaders(a.code, a.headers, a.body)
	s.codeDetails = a.details
	if s.upstreamStarted || s.filterDone || s.localReply {
		// Encoding already started (upstream headers, or a local reply
		// being encoded): Envoy sends the reply directly.
		s.localReply = true
		s.pending = nil
		s.enc = direction{}
		s.emitDirect(h, a.body)
		return
	}
	// From the request path the reply runs through the encoder filters,
	// this one included.
	s.localReply = true
	s.dec.done = true
	s.dec.held, s.dec.buf = nil, nil
	s.reqHAvail = false
	s.encodeHeadersLocked(h, len(a.body) == 0)
	if len(a.body) > 0 && !s.reset && !s.enc.done {
		s.encodeDataLocked(a.body, true)
	}
}

func localHeaders(code int, extra *Headers, body []byte) *Headers {
	h := &Headers{kv: make([][2]string, 0, 4+extra.Len())}
	h.Add(":status", strconv.Itoa(code))
	for _, p := range extra.Pairs() {
		h.Add(p[0], p[1])
	}
	if len(body) > 0 {
		h.Set("content-length", strconv.Itoa(len(body)))
		if _, ok := h.Get("content-type"); !ok {
			h.Add("content-type", "text/plain")
		}
	}
	return h
}

// directReply sends a local reply that bypasses the filter (or resets when
// the response already started).
func (s *Stream) directReply(code int, body []byte, extra *Headers, details string) {
	if s.enc.headersOut {
		s.resetLocked(details)
		return
	}
	s.codeDetails = details
	s.localReply = true
	s.dec.done = true
	s.emitDirect(localHeaders(code, extra, body), body)
}

func (s *Stream) emitDirect(h *Headers, body []byte) {
	s.respH = h
	s.code, _ = strconv.Atoi(mustGet(h, ":status"))
	s.enc.headersOut = true
	s.emit(sinkOp{kind: 2, h: h, eos: len(body) == 0})
	if len(body) > 0 {
		s.respSize += len(body)
		s.emit(sinkOp{kind: 3, p: body, eos: true})
	}
	s.enc.done = true
}

func (s *Stream) resetLocked(details string) {
	if s.reset {
		return
	}
	s.reset = true
	s.codeDetails = details
	s.pending = nil
	s.emit(sinkOp{kind: 4, s: details})
}

// LocalReply is a local reply from a filter after this one (the router:
// 503 no cluster, 504 upstream timeout...). It runs through this filter's
// encoder callbacks when the response has not started.
func (s *Stream) LocalReply(code int, body []byte, details string) {
	s.vm.mu.Lock()
	defer s.unlockFlush()
	if s.reset || s.localReply || s.enc.done {
		return
	}
	if s.enc.headersOut {
		s.resetLocked(details)
		return
	}
	if s.upstreamStarted {
		s.directReply(code, body, nil, details)
		return
	}
	s.localReply = true
	s.codeDetails = details
	h := localHeaders(code, nil, body)
	s.encodeHeadersLocked(h, len(body) == 0)
	if len(body) > 0 && !s.reset && !s.enc.done {
		s.encodeDataLocked(body, true)
	}
}

// Reset is a downstream or upstream reset noticed by the driver.
func (s *Stream) Reset(details string) {
	s.vm.mu.Lock()
	defer s.vm.mu.Unlock()
	if !s.reset {
		s.reset = true
		s.codeDetails = details
	}
}

// Finish ends the stream: on_log -> on_done -> on_delete (Envoy's deferred
// stream destroy), with the access-log copies of the header maps.
func (s *Stream) Finish() {
	vm := s.vm
	vm.mu.Lock()
	defer vm.mu.Unlock()
	if s.deleted {
		return
	}
	s.end = vm.plugin.now()
	if vm.failed == nil && !vm.closed {
		if !s.created {
			s.created = true
			vm.callCtx(vm.fnContextCreate, s.id, uint64(s.id), uint64(vm.rootID))
		}
		s.inLog = true
		s.reqHAvail, s.respHAvail, s.reqTAvail, s.respTAvail = false, false, false, false
		s.dec.bufAvail, s.enc.bufAvail = false, false
		vm.callCtx(vm.fnLog, s.id, uint64(s.id))
		s.inLog = false
		vm.callCtx(vm.fnDone, s.id, uint64(s.id))
		vm.callCtx(vm.fnDelete, s.id, uint64(s.id))
	}
	s.deleted = true
	s.pending = nil
	delete(vm.streams, s.id)
	vm.touched = vm.touched[:0]
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}
