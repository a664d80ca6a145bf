package host

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
)

// Metric types.
const (
	MetricCounter   = 0
	MetricGauge     = 1
	MetricHistogram = 2
)

// Stats is Envoy's root stats scope for Wasm custom metrics
// ("wasmcustom.<name>"), shared by every VM and plugin of a Runtime.
type Stats struct {
	mu sync.Mutex
	m  map[string]*metric
}

type metric struct {
	name  string // full stat name, "wasmcustom.<name>"
	typ   uint32
	value int64
	// histogram
	count   uint64
	sum     float64
	buckets []uint64
}

// Envoy's default histogram bucket bounds (stats.proto histogram_bucket_settings).
var histBounds = []float64{0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000,
	30000, 60000, 300000, 600000, 1800000, 3600000}

// NewStats returns an empty store.
func NewStats() *Stats { return &Stats{m: map[string]*metric{}} }

func (st *Stats) define(name string, typ uint32) *metric {
	st.mu.Lock()
	defer st.mu.Unlock()
	full := "wasmcustom." + name
	if m, ok := st.m[full]; ok {
		return m
	}
	m := &metric{name: full, typ: typ}
	if typ == MetricHistogram {
		m.buckets = make([]uint64, len(histBounds))
	}
	st.m[full] = m
	return m
}

// Value returns a counter or gauge by its full stat name.
func (st *Stats) Value(name string) (int64, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	m, ok := st.m[name]
	if !ok {
		return 0, false
	}
	return m.value, true
}

// Histogram returns sample count and sum of a histogram by full stat name.
func (st *Stats) Histogram(name string) (count uint64, sum float64, ok bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	m, ok := st.m[name]
	if !ok {
		return 0, 0, false
	}
	return m.count, m.sum, true
}

// PrometheusName is Envoy's prometheus_stats.cc metricName for a custom
// namespace: "wasmcustom." stripped, no envoy_ prefix, sanitised to
// [a-zA-Z0-9_]; ok=false when the result does not start with [a-zA-Z_].
func PrometheusName(stat string) (string, bool) {
	name := strings.TrimPrefix(stat, "wasmcustom.")
	b := []byte(name)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			b[i] = '_'
		}
	}
	if len(b) == 0 || !(b[0] >= 'a' && b[0] <= 'z' || b[0] >= 'A' && b[0] <= 'Z' || b[0] == '_') {
		return "", false
	}
	return string(b), true
}

// WritePrometheus writes every metric in the text exposition format, sorted
// by name, like Envoy's /stats/prometheus.
func (st *Stats) WritePrometheus(w io.Writer) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	type row struct {
		name string
		m    *metric
	}
	var rows []row
	for full, m := range st.m {
		if n, ok := PrometheusName(full); ok {
			rows = append(rows, row{n, m})
		}
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].name < rows[j].name })
	for _, r := range rows {
		var err error
		switch r.m.typ {
		case MetricCounter:
			_, err = fmt.Fprintf(w, "# TYPE %s counter\n%s{} %d\n", r.name, r.name, r.m.value)
		case MetricGauge:
			_, err = fmt.Fprintf(w, "# TYPE %s gauge\n%s{} %d\n", r.name, r.name, r.m.value)
		case MetricHistogram:
			fmt.Fprintf(w, "# TYPE %s histogram\n", r.name)
			cum := uint64(0)
			for i, bound := range histBounds {
				cum += r.m.buckets[i]
				fmt.Fprintf(w, "%s_bucket{le=\"%s\"} %d\n", r.name, fmtFloat(bound), cum)
			}
			fmt.Fprintf(w, "%s_bucket{le=\"+Inf\"} %d\n", r.name, r.m.count)
			fmt.Fprintf(w, "%s_sum{} %s\n", r.name, fmtFloat(r.m.sum))
			_, err = fmt.Fprintf(w, "%s_count{} %d\n", r.name, r.m.count)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// WriteText writes Envoy's /stats form ("wasmcustom.name: value") sorted by
// name; histograms are summarised as count and sum.
func (st *Stats) WriteText(w io.Writer) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	names := make([]string, 0, len(st.m))
	for n := range st.m {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		m := st.m[n]
		var err error
		if m.typ == MetricHistogram {
			_, err = fmt.Fprintf(w, "%s: count=%d sum=%s\n", n, m.count, fmtFloat(m.sum))
		} else {
			_, err = fmt.Fprintf(w, "%s: %d\n", n, m.value)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func fmtFloat(f float64) string { return strings.TrimSuffix(fmt.Sprintf("%g", f), ".0") }

func proxyDefineMetric(vm *VM, s []uint64) {
	typ := uint32(s[0])
	name, ok := vm.readString(uint32(s[1]), uint32(s[2]))
	if !ok {
		s[0] = statusInvalidMemoryAccess
		return
	}
	if typ > MetricHistogram {
		s[0] = statusBadArgument
		return
	}
	key := string(rune('0'+typ)) + name
	id, found := vm.metricIDs[key]
	if !found {
		// Envoy: per-type counters starting at type+4, step 4.
		id = vm.nextMetric[typ]
		vm.nextMetric[typ] += 4
		vm.metricIDs[key] = id
		vm.metrics[id] = vm.plugin.mod.rt.Stats.define(name, typ)
	}
	if !vm.mem.WriteUint32Le(uint32(s[3]), id) {
		s[0] = statusInvalidMemoryAccess
		return
	}
	s[0] = statusOk
}

func proxyIncrementMetric(vm *VM, s []uint64) {
	m, ok := vm.metrics[uint32(s[0])]
	delta := int64(s[1])
	if !ok {
		s[0] = statusNotFound
		return
	}
	st := vm.plugin.mod.rt.Stats
	st.mu.Lock()
	defer st.mu.Unlock()
	switch m.typ {
	case MetricCounter:
		if delta <= 0 {
			s[0] = statusBadArgument
			return
		}
		m.value += delta
	case MetricGauge:
		m.value += delta
	default:
		s[0] = statusBadArgument
		return
	}
	s[0] = statusOk
}

func proxyRecordMetric(vm *VM, s []uint64) {
	m, ok := vm.metrics[uint32(s[0])]
	v := s[1]
	if !ok {
		s[0] = statusNotFound
		return
	}
	st := vm.plugin.mod.rt.Stats
	st.mu.Lock()
	defer st.mu.Unlock()
	switch m.typ {
	case MetricCounter:
		m.value += int64(v)
	case MetricGauge:
		m.value = int64(v)
	case MetricHistogram:
		m.count++
		m.sum += float64(v)
		for i, b := range histBounds {
			if float64(v) <= b {
				m.buckets[i]++
				break
			}
		}
	}
	s[0] = statusOk
}

func proxyGetMetric(vm *VM, s []uint64) {
	m, ok := vm.metrics[uint32(s[0])]
	if !ok {
		s[0] = statusNotFound
		return
	}
	if m.typ == MetricHistogram {
		s[0] = statusBadArgument
		return
	}
	st := vm.plugin.mod.rt.Stats
	st.mu.Lock()
	v := m.value
	st.mu.Unlock()
	if !vm.mem.WriteUint64Le(uint32(s[1]), uint64(v)) {
		s[0] = statusInvalidMemoryAccess
		return
	}
	s[0] = statusOk
}
