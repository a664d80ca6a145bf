package plugin

import (
	"strconv"
	"strings"

	"switchyard/plugin/abi"
	"switchyard/translate"
)

// Metric names carry their labels in the Istio-style form <base>_<label>=.=<value>;.; so that
// Envoy's stats_tags regexes (examples/envoy/envoy.yaml) turn them into Prometheus labels
// (docs/host.md §5.4). Every distinct name is a separate stat in the host, so label values are
// bounded: providers come from the catalogue (anything else is "unknown"), statuses are classes,
// and models are the first maxModelLabels distinct names a VM sees (later ones are "other").
const (
	maxModelLabels = 64
	maxModelLabel  = 64 // bytes kept of a model name
)

// Metric kinds: one family each.
const (
	mRequests uint8 = iota
	mTokensPrompt
	mTokensCompletion
	mDuration
	mAttempts
	mRetries
	mFallbacks
)

// metricKey names one stat without building its string: lookups on the hot path allocate nothing.
type metricKey struct {
	kind                    uint8
	provider, model, status string
}

// vmMetrics is the per-VM cache of metric ids (defining is a host call) and the access-log line
// buffer; a VM runs one callback at a time.
type vmMetrics struct {
	ids    map[metricKey]int64 // host id; -1 = the host refused it (not retried)
	models map[string]string   // model name -> its label
	line   []byte
}

// id returns the metric id for k, defining it on first use.
func (m *vmMetrics) id(k metricKey) (uint32, bool) {
	if id, ok := m.ids[k]; ok {
		return uint32(id), id >= 0
	}
	if m.ids == nil {
		m.ids = map[metricKey]int64{}
	}
	name := metricName(k)
	var id uint32
	var err error
	switch k.kind {
	case mDuration:
		var h abi.MetricHistogram
		h, err = abi.DefineHistogramMetric(name)
		id = uint32(h)
	default:
		var c abi.MetricCounter
		c, err = abi.DefineCounterMetric(name)
		id = uint32(c)
	}
	if err != nil {
		abi.LogWarn("switchyard: cannot define metric " + name + ": " + err.Error())
		m.ids[k] = -1
		return 0, false
	}
	m.ids[k] = int64(id)
	return id, true
}

func (m *vmMetrics) add(k metricKey, n uint64) {
	if n == 0 {
		return
	}
	if id, ok := m.id(k); ok {
		abi.MetricCounter(id).Increment(n)
	}
}

func metricName(k metricKey) string {
	var b strings.Builder
	switch k.kind {
	case mRequests:
		b.WriteString("switchyard_requests_total")
	case mTokensPrompt, mTokensCompletion:
		b.WriteString("switchyard_tokens_total")
	case mDuration:
		b.WriteString("switchyard_request_duration_ms")
	case mAttempts:
		return "switchyard_upstream_attempts_total"
	case mRetries:
		return "switchyard_retries_total"
	case mFallbacks:
		return "switchyard_fallbacks_total"
	}
	tag := func(label, v string) {
		b.WriteString("_" + label + "=.=")
		b.WriteString(v)
		b.WriteString(";.;")
	}
	tag("provider", k.provider)
	if k.model != "" {
		tag("model", k.model)
	}
	if k.status != "" {
		tag("status", k.status)
	}
	switch k.kind {
	case mTokensPrompt:
		tag("kind", "prompt")
	case mTokensCompletion:
		tag("kind", "completion")
	}
	return b.String()
}

// modelLabel bounds the model label set of a VM. The name comes from the client's body (or a
// config override), so it is cut to maxModelLabel bytes of [A-Za-z0-9._:/-] (anything else
// becomes '_', which also keeps the tag delimiters out).
func (m *vmMetrics) modelLabel(model string) string {
	if model == "" {
		return "none"
	}
	if l, ok := m.models[model]; ok {
		return l
	}
	if len(m.models) >= maxModelLabels {
		return "other"
	}
	if m.models == nil {
		m.models = map[string]string{}
	}
	b := []byte(model)
	if len(b) > maxModelLabel {
		b = b[:maxModelLabel]
	}
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '.' || c == '_' || c == '-' || c == ':' || c == '/') {
			b[i] = '_'
		}
	}
	l := string(b)
	m.models[model] = l
	return l
}

// providerLabel is a catalogue provider id, "unknown" for a name the catalogue lacks, "none"
// when no attempt was made.
func providerLabel(id string) string {
	switch {
	case id == "":
		return "none"
	case translate.Lookup(id) == nil:
		return "unknown"
	}
	return id
}

func statusClass(st int) string {
	switch st / 100 {
	case 1:
		return "1xx"
	case 2:
		return "2xx"
	case 3:
		return "3xx"
	case 4:
		return "4xx"
	case 5:
		return "5xx"
	}
	return "none" // no answer was sent (the client went away)
}

// observe records the finished stream: metrics, and the access-log line when configured.
func (h *httpContext) observe() {
	if h.startNS == 0 || h.plug == nil || h.plug.met == nil {
		return
	}
	m := h.plug.met
	latency := uint64(0)
	if now, err := abi.GetCurrentTimeNanoseconds(); err == nil && now > h.startNS {
		latency = uint64(now-h.startNS) / 1e6
	}
	provider := providerLabel(h.cur.providerID)
	status := h.respStatus
	if status == 0 {
		status = h.status
	}
	m.add(metricKey{kind: mRequests, provider: provider, status: statusClass(status)}, 1)
	if h.usage.PromptTokens > 0 || h.usage.CompletionTokens > 0 {
		model := m.modelLabel(h.cur.call.Model)
		m.add(metricKey{kind: mTokensPrompt, provider: provider, model: model}, uint64(max(h.usage.PromptTokens, 0)))
		m.add(metricKey{kind: mTokensCompletion, provider: provider, model: model}, uint64(max(h.usage.CompletionTokens, 0)))
	}
	if id, ok := m.id(metricKey{kind: mDuration, provider: provider}); ok {
		abi.MetricHistogram(id).Record(latency)
	}
	m.add(metricKey{kind: mAttempts}, uint64(h.calls))
	m.add(metricKey{kind: mRetries}, uint64(h.retried))
	m.add(metricKey{kind: mFallbacks}, uint64(h.fellBack))
	if h.cfg != nil && h.cfg.accessLog {
		m.line = h.appendLogLine(m.line[:0], provider, status, latency)
		abi.LogInfo(string(m.line))
		if cap(m.line) > 4096 {
			m.line = nil
		}
	}
}

// appendLogLine writes the request's access-log record as one JSON object. It holds no key,
// header or body: the path loses its query string (Gemini-style ?key=).
func (h *httpContext) appendLogLine(b []byte, provider string, status int, latency uint64) []byte {
	path := h.path
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	model := h.cur.call.Model
	if len(model) > 256 {
		model = model[:256]
	}
	b = append(b, `{"trace_id":`...)
	b = appendJSONString(b, bounded(h.in.traceID))
	b = append(b, `,"provider":`...)
	b = appendJSONString(b, provider)
	b = append(b, `,"model":`...)
	b = appendJSONString(b, model)
	b = append(b, `,"status":`...)
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(b, `,"latency_ms":`...)
	b = strconv.AppendUint(b, latency, 10)
	b = append(b, `,"attempts":`...)
	b = strconv.AppendInt(b, int64(h.calls), 10)
	b = append(b, `,"retries":`...)
	b = strconv.AppendInt(b, int64(h.retried), 10)
	b = append(b, `,"prompt_tokens":`...)
	b = strconv.AppendInt(b, int64(h.usage.PromptTokens), 10)
	b = append(b, `,"completion_tokens":`...)
	b = strconv.AppendInt(b, int64(h.usage.CompletionTokens), 10)
	b = append(b, `,"path":`...)
	b = appendJSONString(b, bounded(path))
	return append(b, '}')
}

// bounded cuts a client-supplied value for the log line.
func bounded(s string) string {
	if len(s) > 256 {
		return s[:256]
	}
	return s
}

// publishAnswer sets the filter state Envoy's access log reads (%FILTER_STATE(wasm.switchyard.model:PLAIN)%
// ...). It runs when the answer starts: Envoy runs the connection manager's access logs before
// the filter's own on_log, so state set there would come too late.
func (h *httpContext) publishAnswer() {
	if h.published || h.cfg == nil || h.cfg.kong {
		// Kong's set_property takes only wasmx.* / ngx.* (docs/host.md §5.2).
		return
	}
	h.published = true
	if h.cur.providerID != "" {
		abi.SetProperty(providerPath, []byte(providerLabel(h.cur.providerID)))
	}
	if h.cur.call.Model != "" {
		abi.SetProperty(modelPath, []byte(bounded(h.cur.call.Model)))
	}
	if h.in.traceID != "" {
		abi.SetProperty(tracePath, []byte(bounded(h.in.traceID)))
	}
}

var (
	providerPath = []string{"switchyard.provider"}
	modelPath    = []string{"switchyard.model"}
	tracePath    = []string{"switchyard.trace_id"}
)
