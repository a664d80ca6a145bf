// Package providers holds mock model providers that speak each real wire format (JSON answers,
// SSE streams, provider-shaped errors) for the e2e tests and `make run`.
//
// Every mock is an http.Handler built on one shared core, so adding a provider is one file: a
// type embedding Mock, its routes, its answer and error shapes, and a line in init. Lookup
// knows "openai", "azure-openai", "anthropic", "google" and "vertex-ai" (Gemini), "cohere"
// and "bedrock" (Converse, ConverseStream event streams, InvokeModel embeddings).
//
// Behaviour is scripted per request, so parallel tests never interfere:
//
//   - Request headers only mocks understand (the gateway strips only x-portkey-* headers, so
//     these reach the mock). A header x-mock-<name>-<knob> (for example x-mock-openai-status)
//     overrides x-mock-<knob> for the mock called <name>, so one client request can make the
//     first provider of a fallback fail and the second succeed:
//
//     x-mock-status: 429           answer with this status and the provider's error shape
//     x-mock-error-message: text   message of that error
//     x-mock-fail-times: N         apply x-mock-status only to the first N requests of this tag
//     x-mock-retry-after: 2        Retry-After response header
//     x-mock-delay-ms: 50          wait before the response headers
//     x-mock-stream-gap-ms: 10     wait between stream events (SSE, event-stream frames)
//     x-mock-hold-ms: 200          wait after the first stream event (proves true streaming;
//     Reply.Release waits on a channel instead of a clock)
//     x-mock-events: 8             number of content pieces (stream deltas)
//     x-mock-content: text         the assistant text (split into pieces on word boundaries)
//     x-mock-stream-error-after: N end the stream with the provider's error event after N pieces
//     x-mock-reset-after: N        abort the connection after N stream events (N bytes of a
//     JSON answer); 0 closes it before any response
//     x-mock-tool-calls: a,b       answer with calls to these functions (arguments {})
//     x-mock-tag: t1               groups requests for Mock.Tagged, ScriptTag and fail-times
//
//   - A queue of Reply values (Mock.Script, Mock.ScriptTag) consumed one per request; header
//     knobs then override the popped Reply field by field.
//
// Every request is recorded (method, path, host, headers, body; the last 1000) for assertions:
// Requests, Last, Tagged. RequireKey makes a mock answer 401/403 unless the provider's own
// credential header carries the key. Timings are capped at two minutes and stop when the
// client goes away; the mocks only listen where the caller serves them and never dial out.
package providers

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Request is one request a mock received, recorded before it answered.
type Request struct {
	Method string
	Path   string // path and query, as received
	Host   string
	Header http.Header
	Body   []byte
}

// Reply scripts one answer. The zero value is a normal successful answer.
type Reply struct {
	Status     int    // >= 400: answer with the provider's error shape
	Message    string // error message (a default per status when empty)
	RetryAfter string // Retry-After header value
	Header     http.Header

	Delay   time.Duration   // before the response headers
	Gap     time.Duration   // between SSE events
	Hold    time.Duration   // after the first SSE event
	Release <-chan struct{} // when set, wait after the first SSE event until it is closed

	Content string // assistant text; default "Hello from the mock."
	Events  int    // content pieces; 0 = one per word of Content
	Model   string // model in the answer; default: the request's model
	ID      string // answer id; default a fixed per-provider id
	Created int64  // "created"; default 1700000000

	// ToolCalls, when set, are answered in the provider's own tool-call shape after the text
	// (which is then empty unless Content or Events asks for some); the finish reason becomes
	// the provider's tool-call one.
	ToolCalls []ToolCall

	PromptTokens int    // default 12; completion tokens = pieces + tool calls
	FinishReason string // provider's own stop value; default the provider's normal stop

	StreamError      bool // end the stream with the provider's in-stream error event ...
	StreamErrorAfter int  // ... after this many content pieces (clamped to their number)

	Abort      bool // abort the connection
	AbortAfter int  // ... after this many SSE events (JSON: bytes); 0 = before any response

	Body []byte   // raw answer body sent as is (with Status, default 200)
	SSE  []string // raw SSE events sent as is (framing included), one flush each
}

const (
	defaultCreated = 1700000000
	defaultContent = "Hello from the mock."
	defaultPrompt  = 12
	maxBody        = 32 << 20
	maxRecorded    = 1000
	maxWait        = 2 * time.Minute
	maxEvents      = 10000
)

// ToolCall is one function call the mock answers with.
type ToolCall struct {
	ID        string // default "call_<n>"
	Name      string
	Arguments string // a JSON object; default "{}"
}

// Mock is the core every provider mock embeds: recording, scripts, knobs, timing and faults.
type Mock struct {
	name string

	// RequireKey, when set, makes the mock answer 401 to requests that do not carry it in the
	// provider's credential header.
	RequireKey string

	mu     sync.Mutex
	reqs   []Request
	queue  []Reply
	tagged map[string][]Reply
	seen   map[string]int
	seq    int
}

func newMock(name string) Mock { return Mock{name: name} }

// Name is the provider id the mock answers for.
func (m *Mock) Name() string { return m.name }

// Script queues replies for the next requests (those without a ScriptTag queue of their own).
func (m *Mock) Script(r ...Reply) {
	m.mu.Lock()
	m.queue = append(m.queue, r...)
	m.mu.Unlock()
}

// ScriptTag queues replies for the next requests carrying x-mock-tag: tag.
func (m *Mock) ScriptTag(tag string, r ...Reply) {
	m.mu.Lock()
	if m.tagged == nil {
		m.tagged = map[string][]Reply{}
	}
	m.tagged[tag] = append(m.tagged[tag], r...)
	m.mu.Unlock()
}

// Requests returns a copy of the recorded requests, oldest first (the last 1000).
func (m *Mock) Requests() []Request {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Request(nil), m.reqs...)
}

// Last returns the most recent request.
func (m *Mock) Last() (Request, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.reqs) == 0 {
		return Request{}, false
	}
	return m.reqs[len(m.reqs)-1], true
}

// Tagged returns the recorded requests carrying x-mock-tag: tag, oldest first.
func (m *Mock) Tagged(tag string) []Request {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Request
	for _, r := range m.reqs {
		if r.Header.Get("x-mock-tag") == tag {
			out = append(out, r)
		}
	}
	return out
}

// Reset forgets recorded requests, queued scripts and fail-times counters.
func (m *Mock) Reset() {
	m.mu.Lock()
	m.reqs, m.queue, m.tagged, m.seen, m.seq = nil, nil, nil, nil, 0
	m.mu.Unlock()
}

// call is one request being answered.
type call struct {
	m     *Mock
	w     http.ResponseWriter
	r     *http.Request
	body  []byte
	reply Reply
	seq   int
}

// knob reads x-mock-<name>-<k>, falling back to x-mock-<k>.
func (c *call) knob(k string) (string, bool) {
	if v := c.r.Header.Values("x-mock-" + c.m.name + "-" + k); len(v) > 0 {
		return v[0], true
	}
	v := c.r.Header.Values("x-mock-" + k)
	if len(v) == 0 {
		return "", false
	}
	return v[0], true
}

func (c *call) knobInt(k string) (int, bool) {
	v, ok := c.knob(k)
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

func (c *call) knobMS(k string) (time.Duration, bool) {
	n, ok := c.knobInt(k)
	return time.Duration(n) * time.Millisecond, ok
}

// begin records the request and resolves its Reply. It returns nil when the request was fully
// answered already (read failure, delay cut short by the client, abort before any response).
func (m *Mock) begin(w http.ResponseWriter, r *http.Request) *call {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	tag := r.Header.Get("x-mock-tag")
	m.mu.Lock()
	m.seq++
	c := &call{m: m, w: w, r: r, body: body, seq: m.seq}
	rec := Request{Method: r.Method, Path: r.URL.RequestURI(), Host: r.Host, Header: r.Header.Clone(), Body: body}
	if len(m.reqs) >= maxRecorded {
		m.reqs = append(m.reqs[:0], m.reqs[1:]...)
	}
	m.reqs = append(m.reqs, rec)
	if q := m.tagged[tag]; tag != "" && len(q) > 0 {
		c.reply, m.tagged[tag] = q[0], q[1:]
	} else if len(m.queue) > 0 {
		c.reply, m.queue = m.queue[0], m.queue[1:]
	}
	failTimes, limited := c.knobInt("fail-times")
	seen := 0
	if limited {
		if m.seen == nil {
			m.seen = map[string]int{}
		}
		m.seen[tag]++
		seen = m.seen[tag]
	}
	m.mu.Unlock()

	if err != nil {
		return nil
	}
	c.applyKnobs(limited && seen > failTimes)
	if len(body) > maxBody {
		c.reply.Status = http.StatusRequestEntityTooLarge
	}
	if !sleep(r.Context(), c.reply.Delay) {
		return nil
	}
	if c.reply.Abort && c.reply.AbortAfter == 0 {
		c.abort()
		return nil
	}
	return c
}

func (c *call) applyKnobs(skipStatus bool) {
	p := &c.reply
	if n, ok := c.knobInt("status"); ok && !skipStatus {
		p.Status = n
	}
	if skipStatus {
		p.Status = 0
	}
	if v, ok := c.knob("error-message"); ok {
		p.Message = v
	}
	if v, ok := c.knob("retry-after"); ok {
		p.RetryAfter = v
	}
	if d, ok := c.knobMS("delay-ms"); ok {
		p.Delay = d
	}
	if d, ok := c.knobMS("stream-gap-ms"); ok {
		p.Gap = d
	}
	if d, ok := c.knobMS("hold-ms"); ok {
		p.Hold = d
	}
	if n, ok := c.knobInt("events"); ok {
		p.Events = n
	}
	if v, ok := c.knob("content"); ok {
		p.Content = v
	}
	if n, ok := c.knobInt("stream-error-after"); ok {
		p.StreamError, p.StreamErrorAfter = true, n
	}
	if v, ok := c.knob("tool-calls"); ok {
		p.ToolCalls = nil
		for _, name := range strings.Split(v, ",") {
			if name = strings.TrimSpace(name); name != "" && len(p.ToolCalls) < 64 {
				p.ToolCalls = append(p.ToolCalls, ToolCall{Name: name})
			}
		}
	}
	if n, ok := c.knobInt("reset-after"); ok {
		p.Abort, p.AbortAfter = true, n
	}
}

// pieces splits the reply's content into stream deltas.
func (p *Reply) pieces() []string {
	if len(p.ToolCalls) > 0 && p.Content == "" && p.Events == 0 {
		return nil
	}
	n := p.Events
	if n > maxEvents {
		n = maxEvents
	}
	text := p.Content
	if text == "" && n > 0 {
		out := make([]string, n)
		for i := range out {
			if i == 0 {
				out[i] = "w0"
			} else {
				out[i] = " w" + strconv.Itoa(i)
			}
		}
		return out
	}
	if text == "" {
		text = defaultContent
	}
	if n == 0 {
		return splitWords(text)
	}
	return splitN(text, n)
}

// splitWords cuts before every space run, so pieces keep their leading space as model tokens do.
func splitWords(s string) []string {
	var out []string
	start := 0
	for i := 1; i < len(s); i++ {
		if s[i] == ' ' && s[i-1] != ' ' {
			out = append(out, s[start:i])
			start = i
		}
	}
	return append(out, s[start:])
}

// splitN cuts s into n pieces of about equal size on rune boundaries (some may be empty).
func splitN(s string, n int) []string {
	out := make([]string, 0, n)
	start := 0
	for i := 1; i <= n; i++ {
		end := len(s) * i / n
		for end < len(s) && end > start && s[end]&0xC0 == 0x80 {
			end++
		}
		if end < start {
			end = start
		}
		out = append(out, s[start:end])
		start = end
	}
	return out
}

// tools returns the reply's tool calls with defaults filled in.
func (p *Reply) tools() []ToolCall {
	out := make([]ToolCall, len(p.ToolCalls))
	for i, t := range p.ToolCalls {
		t.ID = orDefault(t.ID, "call_"+strconv.Itoa(i))
		t.Arguments = orDefault(t.Arguments, "{}")
		out[i] = t
	}
	return out
}

// output is the completion token count: one per piece and per tool call.
func (p *Reply) output(pieces int) int { return pieces + len(p.ToolCalls) }

// halves splits s in two on a rune boundary, as streamed arguments arrive in pieces.
func halves(s string) [2]string {
	h := len(s) / 2
	for h > 0 && h < len(s) && s[h]&0xC0 == 0x80 {
		h++
	}
	return [2]string{s[:h], s[h:]}
}

// errorAt is the piece index before which the in-stream error goes, -1 for none.
func (p *Reply) errorAt(pieces int) int {
	if !p.StreamError {
		return -1
	}
	return min(p.StreamErrorAfter, pieces)
}

func (p *Reply) created() int64 {
	if p.Created != 0 {
		return p.Created
	}
	return defaultCreated
}

func (p *Reply) prompt() int {
	if p.PromptTokens != 0 {
		return p.PromptTokens
	}
	return defaultPrompt
}

func orDefault(v, def string) string {
	if v != "" {
		return v
	}
	return def
}

// header writes the status line and headers shared by every answer.
func (c *call) header(status int, contentType string, contentLength int) {
	h := c.w.Header()
	for k, v := range c.reply.Header {
		h[k] = append([]string(nil), v...)
	}
	h.Set("Content-Type", contentType)
	if c.reply.RetryAfter != "" {
		h.Set("Retry-After", c.reply.RetryAfter)
	}
	if contentLength >= 0 {
		h.Set("Content-Length", strconv.Itoa(contentLength))
	}
	c.w.WriteHeader(status)
}

// json sends a complete JSON answer, honouring an abort after some bytes.
func (c *call) json(status int, body []byte) {
	c.header(status, "application/json", len(body))
	if c.reply.Abort && c.reply.AbortAfter < len(body) {
		c.w.Write(body[:c.reply.AbortAfter])
		c.flush()
		c.abort()
		return
	}
	c.w.Write(body)
}

func (c *call) flush() { _ = http.NewResponseController(c.w).Flush() }

// abort cuts the connection so the client sees a reset, not a clean end. A writer that cannot be
// hijacked (httptest.ResponseRecorder) just stops receiving bytes.
func (c *call) abort() {
	conn, _, err := http.NewResponseController(c.w).Hijack()
	if err == nil {
		conn.Close()
	}
}

// sse sends events with the scripted gap, hold and abort. It returns false when the stream
// stopped early (abort or client gone); the caller then writes nothing more.
type sse struct {
	c       *call
	n       int
	stopped bool
}

const sseType = "text/event-stream; charset=utf-8"

func (c *call) startSSE() *sse { return c.startStream(sseType) }

// scripted answers with what the test scripted verbatim, before any request checks: a raw
// body, an error status in the provider's own error shape (fail), or raw stream bytes of
// streamType. It reports whether it answered.
func (c *call) scripted(fail func(*call, int), streamType string) bool {
	switch {
	case c.reply.Body != nil:
		c.json(orStatus(c.reply.Status), c.reply.Body)
	case c.reply.Status >= 400:
		fail(c, c.reply.Status)
	case c.reply.SSE != nil:
		c.startStream(streamType).raw(c.reply.SSE)
	default:
		return false
	}
	return true
}

// startStream starts a streamed 200 answer of any framing (SSE, AWS event stream, JSON array).
func (c *call) startStream(contentType string) *sse {
	c.header(http.StatusOK, contentType, -1)
	c.flush()
	return &sse{c: c}
}

func (s *sse) send(ev []byte) bool {
	if s.stopped {
		return false
	}
	c := s.c
	ctx := c.r.Context()
	if s.n == 1 {
		if !sleep(ctx, c.reply.Hold) || !waitRelease(ctx, c.reply.Release) {
			s.stopped = true
			return false
		}
	}
	if s.n > 0 && !sleep(ctx, c.reply.Gap) {
		s.stopped = true
		return false
	}
	if c.reply.Abort && s.n >= c.reply.AbortAfter {
		s.stopped = true
		c.abort()
		return false
	}
	if _, err := c.w.Write(ev); err != nil {
		s.stopped = true
		return false
	}
	c.flush()
	s.n++
	return true
}

// raw sends the reply's scripted SSE events verbatim.
func (s *sse) raw(events []string) {
	for _, e := range events {
		if !s.send([]byte(e)) {
			return
		}
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	if d > maxWait {
		d = maxWait
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func waitRelease(ctx context.Context, ch <-chan struct{}) bool {
	if ch == nil {
		return true
	}
	t := time.NewTimer(maxWait)
	defer t.Stop()
	select {
	case <-ch:
		return true
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
