package scenarios

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"switchyard/e2e/host"
	"switchyard/e2e/host/hosttest"
	"switchyard/e2e/providers"
)

// Plugin CPU per request: one stream driven through e2e/host on one
// goroutine with no I/O (headers, body, provider answer, finish), so ns/op is
// host + guest CPU. The same drive with the probe guest in "quiet" mode (no
// work) is the host's share; the difference is the plugin's.
//
//	go test -run '^$' -bench 'BenchmarkPlugin' -benchmem ./e2e/scenarios/

type nopSink struct{ reqH, respH bool }

func (s *nopSink) RequestHeaders(*host.Headers, bool)  { s.reqH = true }
func (*nopSink) RequestData([]byte, bool)              {}
func (s *nopSink) ResponseHeaders(*host.Headers, bool) { s.respH = true }
func (*nopSink) ResponseData([]byte, bool)             {}
func (*nopSink) Reset(string)                          {}

// providerAnswer is what the OpenAI mock writes for body, as response
// headers and the body cut into the chunks it flushed (one per SSE event).
func providerAnswer(b *testing.B, body string) (*host.Headers, [][]byte) {
	req := httptest.NewRequest("POST", "/v1/chat/completions", strings.NewReader(body))
	req.Host = "api.openai.com"
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer sk-bench")
	w := httptest.NewRecorder()
	providers.NewOpenAI().ServeHTTP(w, req)
	if w.Code != 200 {
		b.Fatalf("mock: %d %s", w.Code, w.Body)
	}
	h := host.NewHeaders(":status", "200", "content-type", w.Header().Get("Content-Type"))
	out := w.Body.Bytes()
	if !strings.HasPrefix(w.Header().Get("Content-Type"), "text/event-stream") {
		h.Add("content-length", strconv.Itoa(len(out)))
		return h, [][]byte{out}
	}
	var chunks [][]byte
	for _, ev := range bytes.SplitAfter(out, []byte("\n\n")) {
		if len(ev) > 0 {
			chunks = append(chunks, ev)
		}
	}
	return h, chunks
}

func benchPlugin(b *testing.B, wasm []byte, config, body string, reqH func() *host.Headers) {
	ctx := context.Background()
	rt, err := host.NewRuntime(ctx, host.ProfileEnvoy)
	if err != nil {
		b.Fatal(err)
	}
	defer rt.Close(ctx)
	m, err := rt.Compile(ctx, wasm)
	if err != nil {
		b.Fatal(err)
	}
	p, err := m.NewPlugin(ctx, host.Config{Name: "switchyard", RootID: "switchyard", VMID: "switchyard",
		Configuration: []byte(config), Env: map[string]string{"OPENAI_API_KEY": "sk-configured"},
		AllowOnHeadersStopIteration: true, Logger: func(int, string) {}})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close(ctx)
	respH, chunks := providerAnswer(b, body)
	reqBody := []byte(body)
	one := func() *nopSink {
		sink := &nopSink{}
		s := p.NewStream(sink, host.StreamInfo{Protocol: "HTTP/1.1"})
		s.DecodeHeaders(reqH(), false)
		s.DecodeData(reqBody, true)
		s.EncodeHeaders(respH.Clone(), false)
		for i, c := range chunks {
			s.EncodeData(c, i == len(chunks)-1)
		}
		s.Finish()
		return sink
	}
	// A local reply or a failed VM would be measured as a "request": refuse.
	if s := one(); !s.reqH || !s.respH || p.VMs()[0].Failed() != nil {
		b.Fatalf("not a passthrough (upstream %v, response %v, vm %v)", s.reqH, s.respH, p.VMs()[0].Failed())
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		one()
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}

func benchHeaders() *host.Headers {
	return host.NewHeaders(":authority", "localhost:10000", ":path", "/v1/chat/completions", ":method", "POST",
		":scheme", "http", "content-type", "application/json", "authorization", "Bearer sk-client",
		"x-portkey-provider", "openai", "x-portkey-trace-id", "bench-1")
}

var (
	probeOnce sync.Once
	probeWasm []byte
)

func BenchmarkPluginOpenAIPassthrough(b *testing.B) {
	wasm := realModule(b)
	config := string(pluginConfig(false))
	for _, tc := range []struct{ name, body string }{
		{"json", chatBody},
		{"stream", `{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"hi"}]}`},
	} {
		b.Run(tc.name+"/switchyard", func(b *testing.B) { benchPlugin(b, wasm, config, tc.body, benchHeaders) })
		b.Run(tc.name+"/noop-guest", func(b *testing.B) {
			probeOnce.Do(func() { probeWasm = hosttest.Build(b, "./e2e/host/testdata/probe") })
			benchPlugin(b, probeWasm, "quiet on", tc.body, benchHeaders)
		})
	}
}

// BenchmarkLoadCheck is the local gateway under load, all on loopback, in
// one run: p50 latency of sequential requests on one keep-alive connection
// through the gateway and straight to the mock (interleaved, 2000 each),
// then requests per second at concurrency 16 (2000 requests each way).
// It ignores b.N: each invocation is one bounded measurement.
//
//	go test -run '^$' -bench BenchmarkLoadCheck -benchtime 1x ./e2e/scenarios/
func BenchmarkLoadCheck(b *testing.B) {
	e := start(b, realModule(b), 2)
	gw := e.gw.URL() + "/v1/chat/completions"
	direct := e.mockURL + "/v1/chat/completions"
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 32, DisableCompression: true}}
	defer client.CloseIdleConnections()
	do := func(url string) time.Duration {
		req, _ := http.NewRequest("POST", url, strings.NewReader(chatBody))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer sk-client")
		req.Header.Set("x-portkey-provider", "openai")
		t0 := time.Now()
		res, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		d := time.Since(t0)
		if res.StatusCode != 200 {
			b.Fatalf("%s: %d", url, res.StatusCode)
		}
		return d
	}
	const n, workers = 2000, 16
	for b.Loop() {
		for i := 0; i < 200; i++ { // warm-up: connections, guest heap
			do(gw)
			do(direct)
		}
		var lg, ld []time.Duration
		for i := 0; i < n; i++ {
			lg = append(lg, do(gw))
			ld = append(ld, do(direct))
		}
		p50g, p50d := median(lg), median(ld)
		rps := func(url string) float64 {
			var wg sync.WaitGroup
			next := make(chan struct{}, n)
			for i := 0; i < n; i++ {
				next <- struct{}{}
			}
			close(next)
			t0 := time.Now()
			for w := 0; w < workers; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range next {
						do(url)
					}
				}()
			}
			wg.Wait()
			return float64(n) / time.Since(t0).Seconds()
		}
		rg, rd := rps(gw), rps(direct)
		b.ReportMetric(float64(p50d.Microseconds()), "p50-direct-µs")
		b.ReportMetric(float64(p50g.Microseconds()), "p50-gateway-µs")
		b.ReportMetric(float64((p50g - p50d).Microseconds()), "p50-added-µs")
		b.ReportMetric(rd, "c16-direct-req/s")
		b.ReportMetric(rg, "c16-gateway-req/s")
		b.ReportMetric(rg/rd, "c16-ratio")
	}
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}
