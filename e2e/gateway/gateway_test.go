package gateway

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	probeOnce sync.Once
	probeWasm []byte
	probeErr  error
)

// probe builds e2e/host's probe guest once per test process.
func probe(t testing.TB) []byte {
	t.Helper()
	probeOnce.Do(func() {
		dir, err := os.MkdirTemp("", "gw-probe")
		if err != nil {
			probeErr = err
			return
		}
		defer os.RemoveAll(dir)
		out := filepath.Join(dir, "probe.wasm")
		cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-buildmode=c-shared", "-o", out, "../host/testdata/probe")
		cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
		if b, err := cmd.CombinedOutput(); err != nil {
			probeErr = fmt.Errorf("build probe: %v\n%s", err, b)
			return
		}
		probeWasm, probeErr = os.ReadFile(out)
	})
	if probeErr != nil {
		t.Fatal(probeErr)
	}
	return probeWasm
}

func upstream(t *testing.T, h http.HandlerFunc) string {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// startProbeGateway runs the gateway on the probe guest with a script.
func startProbeGateway(t *testing.T, script string, clusters map[string]string, mod func(*Config)) *Gateway {
	t.Helper()
	cfgJSON, _ := json.Marshal(script)
	cfg := Config{
		Listen: "127.0.0.1:0", Admin: "127.0.0.1:0", Workers: 2,
		Route:    RouteConfig{ClusterHeader: "x-switchyard-cluster", DefaultCluster: "a"},
		Clusters: clusters,
		Plugin: PluginConfig{Name: "probe", AllowOnHeadersStopIteration: true,
			Configuration: json.RawMessage(cfgJSON)},
		Wasm:   probe(t),
		Logger: func(int, string) {},
	}
	if mod != nil {
		mod(&cfg)
	}
	g, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	return g
}

// script is the probe's plugin configuration; a JSON string configuration
// reaches the plugin as its raw value (Envoy StringValue).
func script(lines ...string) string { return strings.Join(lines, "\n") }

func do(t *testing.T, method, url string, body string, hdr ...string) (*http.Response, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, url, rd)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func TestRoutesByClusterHeader(t *testing.T) {
	a := upstream(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "a %s %s %s host=%s", r.Method, r.URL, b, r.Host)
	})
	b := upstream(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "b") })
	g := startProbeGateway(t, script(), map[string]string{"a": a, "b": b}, nil)
	res, body := do(t, "POST", g.URL()+"/v1/x?q=1", `{"k":1}`)
	if res.StatusCode != 200 || body != `a POST /v1/x?q=1 {"k":1} host=`+strings.TrimPrefix(g.URL(), "http://") {
		t.Fatalf("%d %q", res.StatusCode, body)
	}
	_, body = do(t, "GET", g.URL()+"/", "", "x-switchyard-cluster", "b")
	if body != "b" {
		t.Fatalf("cluster header ignored: %q", body)
	}
	res, body = do(t, "GET", g.URL()+"/", "", "x-switchyard-cluster", "nope")
	if res.StatusCode != 503 || body != "" {
		t.Fatalf("unknown cluster: %d %q", res.StatusCode, body)
	}
}

func TestClearRouteCacheReroutes(t *testing.T) {
	a := upstream(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "a") })
	b := upstream(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "b cluster-header="+r.Header.Get("x-switchyard-cluster"))
	})
	// Without clear_route_cache the route chosen at stream start stays.
	g := startProbeGateway(t, script("req_headers replace_header 0 x-switchyard-cluster b"), map[string]string{"a": a, "b": b}, nil)
	if _, body := do(t, "GET", g.URL()+"/", ""); body != "a" {
		t.Fatalf("route changed without clear_route_cache: %q", body)
	}
	g2 := startProbeGateway(t, script("req_headers replace_header 0 x-switchyard-cluster b", "req_headers foreign clear_route_cache"),
		map[string]string{"a": a, "b": b}, nil)
	if _, body := do(t, "GET", g2.URL()+"/", ""); body != "b cluster-header=b" {
		t.Fatalf("clear_route_cache did not reroute: %q", body)
	}
}

func TestStreamsResponseChunksWithoutBuffering(t *testing.T) {
	next := make(chan struct{})
	a := upstream(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for i := 0; i < 3; i++ {
			fmt.Fprintf(w, "data: %d\n\n", i)
			w.(http.Flusher).Flush()
			select {
			case <-next:
			case <-time.After(5 * time.Second):
				return
			}
		}
	})
	g := startProbeGateway(t, script(), map[string]string{"a": a}, nil)
	res, err := http.Get(g.URL() + "/stream")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	rd := bufio.NewReader(res.Body)
	for i := 0; i < 3; i++ {
		line, err := rd.ReadString('\n')
		if err != nil || line != fmt.Sprintf("data: %d\n", i) {
			t.Fatalf("chunk %d: %q %v", i, line, err)
		}
		rd.ReadString('\n')
		// The upstream sends the next event only after we saw this one.
		next <- struct{}{}
	}
}

func TestStreamsRequestBodyUpstream(t *testing.T) {
	got := make(chan string, 4)
	a := upstream(t, func(w http.ResponseWriter, r *http.Request) {
		buf := make([]byte, 64)
		for {
			n, err := r.Body.Read(buf)
			if n > 0 {
				got <- string(buf[:n])
			}
			if err != nil {
				break
			}
		}
		io.WriteString(w, "done")
	})
	g := startProbeGateway(t, script(), map[string]string{"a": a}, nil)
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", g.URL()+"/", pr)
	resc := make(chan *http.Response, 1)
	go func() {
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			resc <- res
		}
	}()
	pw.Write([]byte("first"))
	select {
	case s := <-got:
		if s != "first" {
			t.Fatalf("got %q", s)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("first chunk was not streamed upstream before the request ended")
	}
	pw.Write([]byte("second"))
	pw.Close()
	res := <-resc
	b, _ := io.ReadAll(res.Body)
	if string(b) != "done" {
		t.Fatalf("%q", b)
	}
}

func TestLocalReplyAnd413(t *testing.T) {
	a := upstream(t, func(w http.ResponseWriter, r *http.Request) { t.Error("upstream called") })
	g := startProbeGateway(t, script("req_headers local_response 401 no_key {\"error\":\"unauthorized\"} content-type=application/json"),
		map[string]string{"a": a}, nil)
	res, body := do(t, "POST", g.URL()+"/", "x")
	if res.StatusCode != 401 || body != `{"error":"unauthorized"}` || res.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("%d %q %v", res.StatusCode, body, res.Header)
	}
	g2 := startProbeGateway(t, script("req_headers return 1", "req_body return 1"), map[string]string{"a": a},
		func(c *Config) { c.BufferLimitBytes = 16 })
	res, body = do(t, "POST", g2.URL()+"/", strings.Repeat("x", 40))
	if res.StatusCode != 413 || body != "Payload Too Large" {
		t.Fatalf("%d %q", res.StatusCode, body)
	}
}

func TestUpstreamTimeoutAndConnectFailure(t *testing.T) {
	slow := upstream(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := "http://" + ln.Addr().String()
	ln.Close()
	g := startProbeGateway(t, script(), map[string]string{"a": slow, "closed": closed},
		func(c *Config) { c.Route.TimeoutMS = 100 })
	res, body := do(t, "GET", g.URL()+"/", "")
	if res.StatusCode != 504 || body != "upstream request timeout" {
		t.Fatalf("timeout: %d %q", res.StatusCode, body)
	}
	res, body = do(t, "GET", g.URL()+"/", "", "x-switchyard-cluster", "closed")
	if res.StatusCode != 503 || !strings.HasPrefix(body, "upstream connect error") {
		t.Fatalf("connect: %d %q", res.StatusCode, body)
	}
}

func TestVMTrapFailsClosed(t *testing.T) {
	a := upstream(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	g := startProbeGateway(t, script("req_headers panic"), map[string]string{"a": a}, func(c *Config) { c.Workers = 1 })
	for i := 0; i < 2; i++ {
		if res, _ := do(t, "GET", g.URL()+"/", ""); res.StatusCode != 503 {
			t.Fatalf("request %d: %d", i, res.StatusCode)
		}
	}
}

func TestAdminReadyAndPrometheus(t *testing.T) {
	a := upstream(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	g := startProbeGateway(t, script("configure define_metric 0 switchyard.requests_total", "req_headers inc switchyard.requests_total 1"),
		map[string]string{"a": a}, nil)
	for i := 0; i < 3; i++ {
		do(t, "GET", g.URL()+"/", "")
	}
	res, body := do(t, "GET", g.AdminURL()+"/ready", "")
	if res.StatusCode != 200 || body != "LIVE\n" {
		t.Fatalf("ready: %d %q", res.StatusCode, body)
	}
	_, body = do(t, "GET", g.AdminURL()+"/stats/prometheus", "")
	if !strings.Contains(body, "# TYPE switchyard_requests_total counter\nswitchyard_requests_total{} 3\n") {
		t.Fatalf("prometheus:\n%s", body)
	}
	if _, body = do(t, "GET", g.AdminURL()+"/stats", ""); body != "wasmcustom.switchyard.requests_total: 3\n" {
		t.Fatalf("stats: %q", body)
	}
}

func TestDefaultConfig(t *testing.T) {
	c := DefaultConfig()
	if c.Listen != "127.0.0.1:10000" || c.Clusters["openai"] != "mock://openai" || c.Route.TimeoutMS != 300000 ||
		!c.Plugin.AllowOnHeadersStopIteration || c.Plugin.Env["OPENAI_API_KEY"] != "sk-mock" {
		t.Fatalf("%+v", c)
	}
	if _, err := ParseConfig([]byte(`{"listen":"x","bogus":1}`)); err == nil {
		t.Fatal("unknown field accepted")
	}
}

func TestAccessLogCarriesFilterState(t *testing.T) {
	a := upstream(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(201) })
	entries := make(chan AccessEntry, 1)
	g := startProbeGateway(t, script("req_headers set_property aigw.model gpt-4o"), map[string]string{"a": a},
		func(c *Config) { c.AccessLog = func(e AccessEntry) { entries <- e } })
	do(t, "POST", g.URL()+"/v1/chat/completions?x=1", "{}")
	e := <-entries
	if e.Method != "POST" || e.Path != "/v1/chat/completions?x=1" || e.Status != 201 || e.Cluster != "a" ||
		string(e.FilterState["wasm.aigw.model"]) != "gpt-4o" || e.Reset {
		t.Fatalf("%+v", e)
	}
}

func TestResponseOverLimitAfterHeadersResetsClient(t *testing.T) {
	a := upstream(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(200)
		io.WriteString(w, strings.Repeat("x", 64))
	})
	g := startProbeGateway(t, script("resp_body return 1"), map[string]string{"a": a},
		func(c *Config) { c.BufferLimitBytes = 16 })
	res, err := http.Get(g.URL() + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("status %d", res.StatusCode)
	}
	if _, err := io.ReadAll(res.Body); err == nil {
		t.Fatal("body completed although the stream was reset")
	}
}

func TestClientDisconnectIsLoggedAsReset(t *testing.T) {
	started := make(chan struct{})
	a := upstream(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(200)
		w.(http.Flusher).Flush()
		close(started)
		<-r.Context().Done()
	})
	entries := make(chan AccessEntry, 1)
	g := startProbeGateway(t, script(), map[string]string{"a": a},
		func(c *Config) { c.AccessLog = func(e AccessEntry) { entries <- e } })
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", g.URL()+"/", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	<-started
	cancel()
	res.Body.Close()
	select {
	case e := <-entries:
		if e.Status != 200 || e.Details != "downstream_remote_disconnect" {
			t.Fatalf("%+v", e)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("stream not finished after client left")
	}
}

// TestPerRequestTimeoutHeader: like Envoy's router, x-envoy-upstream-rq-timeout-ms (set here by
// the probe filter) replaces the route timeout and is not sent upstream.
func TestPerRequestTimeoutHeader(t *testing.T) {
	slow := upstream(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("x-fast") != "" {
			io.WriteString(w, "seen="+r.Header.Get("x-envoy-upstream-rq-timeout-ms"))
			return
		}
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	g := startProbeGateway(t, script("req_headers replace_header 0 x-envoy-upstream-rq-timeout-ms 100"),
		map[string]string{"a": slow}, func(c *Config) { c.Route.TimeoutMS = 10000 })
	start := time.Now()
	res, body := do(t, "GET", g.URL()+"/", "")
	if res.StatusCode != 504 || body != "upstream request timeout" || time.Since(start) > 3*time.Second {
		t.Fatalf("timeout: %d %q after %v", res.StatusCode, body, time.Since(start))
	}
	if _, body := do(t, "GET", g.URL()+"/", "", "x-fast", "1"); body != "seen=" {
		t.Fatalf("header reached the upstream: %q", body)
	}
}
