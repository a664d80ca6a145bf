package host

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func upstream(t *testing.T, h http.HandlerFunc) string {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestHTTPCallValidationAndTokens(t *testing.T) {
	url := upstream(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	script := `req_headers http_call nope 1000 :path=/,:method=GET,:authority=h
req_headers http_call up 1000 :method=GET,:authority=h
req_headers http_call up 1000 :path=/,:authority=h
req_headers http_call up 1000 :path=/,:method=GET
req_headers http_call up 4294967295 :path=/,:method=GET,:authority=h
req_headers http_call up 1000 :path=/a,:method=GET,:authority=h
req_headers http_call up 0 :path=/b,:method=GET,:authority=h`
	p, l := startProbe(t, script, func(c *Config) { c.Clusters = map[string]string{"up": url} })
	s := p.NewStream(&recSink{}, StreamInfo{})
	s.DecodeHeaders(reqHeaders(), true)
	p.WaitCallouts()
	waitFor(t, func() bool { return len(l.grep("callout ctx=")) == 2 })
	s.Finish()
	equalLines(t, "calls", l.grep("http_call:"), []string{
		"info req_headers http_call: status=2 token=0",
		"info req_headers http_call: status=2 token=0",
		"info req_headers http_call: status=2 token=0",
		"info req_headers http_call: status=2 token=0",
		"info req_headers http_call: status=2 token=0",
		"info req_headers http_call: status=0 token=4",
		"info req_headers http_call: status=0 token=8",
	})
	got := l.grep("callout ctx=")
	for _, g := range got {
		if !strings.HasPrefix(g, "info callout ctx=1 token=") || !strings.Contains(g, "body=2 trailers=0") {
			t.Errorf("callback %q: want root context 1 and a 2-byte body", g)
		}
	}
}

func TestHTTPCallResponseAndResumeStream(t *testing.T) {
	var gotReq *http.Request
	var gotBody string
	url := upstream(t, func(w http.ResponseWriter, r *http.Request) {
		gotReq = r
		b, _ := io.ReadAll(r.Body)
		gotBody = string(b)
		w.Header().Set("X-Up", "yes")
		w.WriteHeader(201)
		io.WriteString(w, `{"ok":true}`)
	})
	script := `req_headers http_call up 5000 :path=/v1/x?q=1,:method=POST,:authority=api.test,X-Key=k1 {"in":1}
req_headers return 1
req_body return 1
callout get_header 6 :status
callout get_header 6 x-up
callout get_pairs 7
callout get_header 7 x
callout get_body 4 0 100
callout add_header 6 a b
callout set_body 4 0 0 x
callout get_header 0 :path
callout resume_caller
callout get_header 0 :path
callout replace_header 0 x-from-callout 1
callout continue 0
callout get_status`
	p, l := startProbe(t, script, func(c *Config) { c.Clusters = map[string]string{"up": url} })
	sink := &recSink{}
	s := p.NewStream(sink, StreamInfo{})
	s.DecodeHeaders(reqHeaders(), false)
	s.DecodeData([]byte("body"), true)
	if len(sink.events) != 0 {
		t.Fatalf("forwarded before callout: %v", sink.events)
	}
	select {
	case <-s.Notify():
	case <-time.After(5 * time.Second):
		t.Fatal("no notification")
	}
	s.Pump()
	equalLines(t, "sink", sink.events, []string{"req_headers eos=false", `req_data "body" eos=true`})
	if v, _ := sink.reqH.Get("x-from-callout"); v != "1" {
		t.Errorf("header set from callout lost")
	}
	s.Finish()
	if gotReq.Method != "POST" || gotReq.Host != "api.test" || gotReq.URL.String() != "/v1/x?q=1" ||
		gotReq.Header.Get("X-Key") != "k1" || gotBody != `{"in":1}` || gotReq.ContentLength != 8 {
		t.Errorf("upstream saw %s %s host=%s key=%q body=%q cl=%d", gotReq.Method, gotReq.URL, gotReq.Host,
			gotReq.Header.Get("X-Key"), gotBody, gotReq.ContentLength)
	}
	equalLines(t, "callout", l.grep("callout "), []string{
		"info callout ctx=1 token=4 headers=5 body=11 trailers=0",
		`info callout get_header: status=0 value="201" ptr0=false`,
		`info callout get_header: status=0 value="yes" ptr0=false`,
		"info callout get_pairs: status=0 ptr=false len=0 ",
		`info callout get_header: status=2 value="" ptr0=true`,
		`info callout get_body: status=0 "{\"ok\":true}"`,
		"info callout add_header: status=2",
		"info callout set_body: status=2",
		`info callout get_header: status=2 value="" ptr0=true`,
		"info callout resume_caller: status=0",
		`info callout get_header: status=0 value="/v1/chat/completions" ptr0=false`,
		"info callout replace_header: status=0",
		"info callout continue: status=0",
		`info callout get_status: status=0 code=0 msg=""`,
	})
}

func TestHTTPCallLocalResponseFromCallback(t *testing.T) {
	url := upstream(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) })
	script := `req_headers http_call up 5000 :path=/,:method=GET,:authority=h
req_headers return 1
callout resume_caller
callout local_response 503 all\sfailed {"error":"x"} content-type=application/json`
	p, _ := startProbe(t, script, func(c *Config) { c.Clusters = map[string]string{"up": url} })
	sink := &recSink{}
	s := p.NewStream(sink, StreamInfo{})
	s.DecodeHeaders(reqHeaders(), true)
	<-s.Notify()
	s.Pump()
	s.Finish()
	equalLines(t, "sink", sink.events, []string{"resp_headers 503 eos=false", `resp_data "{\"error\":\"x\"}" eos=true`})
}

func TestHTTPCallFailures(t *testing.T) {
	slow := upstream(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
	})
	reset := upstream(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		w.WriteHeader(200)
		io.WriteString(w, "partial")
		w.(http.Flusher).Flush()
		conn, _, _ := w.(http.Hijacker).Hijack()
		conn.Close()
	})
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := "http://" + ln.Addr().String()
	ln.Close()
	script := `req_headers http_call slow 50 :path=/,:method=GET,:authority=h
req_headers http_call closed 0 :path=/,:method=GET,:authority=h
req_headers http_call reset 0 :path=/,:method=GET,:authority=h
callout get_header 6 :status
callout get_body 4 0 200
callout get_status`
	p, l := startProbe(t, script, func(c *Config) {
		c.Clusters = map[string]string{"slow": slow, "closed": closed, "reset": reset}
	})
	s := p.NewStream(&recSink{}, StreamInfo{})
	s.DecodeHeaders(reqHeaders(), true)
	p.WaitCallouts()
	s.Finish()
	byToken := map[string][]string{}
	tok := ""
	for _, line := range l.grep("callout") {
		if i := strings.Index(line, "token="); i >= 0 {
			tok = strings.Fields(line[i:])[0]
		}
		byToken[tok] = append(byToken[tok], line)
	}
	equalLines(t, "timeout", byToken["token=4"], []string{
		"info callout ctx=1 token=4 headers=3 body=24 trailers=0",
		`info callout get_header: status=0 value="504" ptr0=false`,
		`info callout get_body: status=0 "upstream request timeout"`,
		`info callout get_status: status=0 code=0 msg=""`,
	})
	equalLines(t, "connect", byToken["token=8"], []string{
		"info callout ctx=1 token=8 headers=3 body=98 trailers=0",
		`info callout get_header: status=0 value="503" ptr0=false`,
		`info callout get_body: status=0 "upstream connect error or disconnect/reset before headers. reset reason: remote connection failure"`,
		`info callout get_status: status=0 code=0 msg=""`,
	})
	equalLines(t, "reset", byToken["token=12"], []string{
		"info callout ctx=1 token=12 headers=0 body=0 trailers=0",
		`info callout get_header: status=2 value="" ptr0=true`,
		`info callout get_body: status=1 ""`,
		`info callout get_status: status=0 code=11 msg="reset"`,
	})
}
