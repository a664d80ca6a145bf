package providers

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata golden files")

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s mismatch\n got: %s\nwant: %s", name, got, want)
	}
}

// do runs one request straight through the handler.
func do(h http.Handler, method, path, body string, hdr ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Add(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestLookup(t *testing.T) {
	for _, name := range []string{"openai", "azure-openai", "anthropic", "cohere", "google", "vertex-ai", "bedrock"} {
		a, b := Lookup(name), Lookup(name)
		if a == nil || a != b {
			t.Fatalf("Lookup(%q) = %v, %v: want one shared instance", name, a, b)
		}
		if got := a.(Handler).Core().Name(); got != name {
			t.Errorf("name %q, want %q", got, name)
		}
	}
	if Lookup("nope") != nil {
		t.Error("unknown provider must give nil")
	}
	if got := strings.Join(Names(), ","); got != "anthropic,azure-openai,bedrock,cohere,google,openai,vertex-ai" {
		t.Errorf("Names = %s", got)
	}
	if _, ok := Lookup("openai").(*OpenAI); !ok {
		t.Error("openai mock must be *OpenAI")
	}
}

func TestSplit(t *testing.T) {
	cases := []struct {
		r    Reply
		want string
	}{
		{Reply{}, `Hello| from| the| mock.`},
		{Reply{Events: 3}, `w0| w1| w2`},
		{Reply{Content: "abcdef", Events: 3}, `ab|cd|ef`},
		{Reply{Content: "héé", Events: 2}, `hé|é`},
		{Reply{Content: "a  b c"}, `a|  b| c`},
		{Reply{Content: "x", Events: 3}, `||x`},
	}
	for _, c := range cases {
		if got := strings.Join(c.r.pieces(), "|"); got != c.want {
			t.Errorf("%+v: %q, want %q", c.r, got, c.want)
		}
	}
}

func TestRecording(t *testing.T) {
	m := NewOpenAI()
	body := `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}`
	do(m, "POST", "/v1/chat/completions?x=1", body, "Authorization", "Bearer sk-1", "x-mock-tag", "a")
	do(m, "GET", "/v1/models", "", "x-mock-tag", "b")
	reqs := m.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests recorded", len(reqs))
	}
	r := reqs[0]
	if r.Method != "POST" || r.Path != "/v1/chat/completions?x=1" || string(r.Body) != body || r.Header.Get("Authorization") != "Bearer sk-1" {
		t.Errorf("recorded %+v", r)
	}
	if last, ok := m.Last(); !ok || last.Path != "/v1/models" {
		t.Errorf("Last = %+v", last)
	}
	if tg := m.Tagged("a"); len(tg) != 1 || string(tg[0].Body) != body {
		t.Errorf("Tagged(a) = %+v", tg)
	}
	m.Reset()
	if _, ok := m.Last(); ok || len(m.Requests()) != 0 {
		t.Error("Reset kept requests")
	}
}

func TestRecordingBounded(t *testing.T) {
	m := NewOpenAI()
	for i := 0; i < maxRecorded+5; i++ {
		do(m, "GET", "/v1/models", "")
	}
	if n := len(m.Requests()); n != maxRecorded {
		t.Errorf("kept %d requests, want %d", n, maxRecorded)
	}
}

func TestScriptQueueAndHeaderOverride(t *testing.T) {
	m := NewOpenAI()
	m.Script(Reply{Status: 500, Message: "first"}, Reply{Content: "second answer"})
	m.ScriptTag("t", Reply{Status: 503})
	body := `{"model":"m"}`
	if w := do(m, "POST", "/v1/chat/completions", body, "x-mock-tag", "t"); w.Code != 503 {
		t.Errorf("tagged script: %d", w.Code)
	}
	w := do(m, "POST", "/v1/chat/completions", body)
	if w.Code != 500 || !strings.Contains(w.Body.String(), `"message":"first"`) {
		t.Errorf("queue 1: %d %s", w.Code, w.Body)
	}
	// The header knob overrides the queued reply's content.
	w = do(m, "POST", "/v1/chat/completions", body, "x-mock-content", "from header")
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"content":"from header"`) {
		t.Errorf("queue 2: %d %s", w.Code, w.Body)
	}
	// Queue empty: the default answer.
	w = do(m, "POST", "/v1/chat/completions", body)
	if !strings.Contains(w.Body.String(), `"content":"Hello from the mock."`) {
		t.Errorf("default: %s", w.Body)
	}
}

func TestFailTimesAndScopedKnobs(t *testing.T) {
	m := NewOpenAI()
	hdr := []string{"x-mock-status", "502", "x-mock-fail-times", "2", "x-mock-tag", "ft"}
	var codes []int
	for i := 0; i < 4; i++ {
		codes = append(codes, do(m, "POST", "/v1/chat/completions", `{"model":"m"}`, hdr...).Code)
	}
	if want := []int{502, 502, 200, 200}; !equalInts(codes, want) {
		t.Errorf("codes %v, want %v", codes, want)
	}
	// A knob scoped to another mock does not apply; one scoped to this mock wins.
	a := NewAnthropic()
	o := NewOpenAI()
	h := []string{"x-mock-openai-status", "500", "x-mock-status", "429", "anthropic-version", "2023-06-01"}
	if c := do(o, "POST", "/v1/chat/completions", `{"model":"m"}`, h...).Code; c != 500 {
		t.Errorf("openai scoped: %d", c)
	}
	if c := do(a, "POST", "/v1/messages", `{"model":"m","max_tokens":5}`, h...).Code; c != 429 {
		t.Errorf("anthropic unscoped: %d", c)
	}
	h = []string{"x-mock-openai-status", "500", "anthropic-version", "2023-06-01"}
	if c := do(a, "POST", "/v1/messages", `{"model":"m","max_tokens":5}`, h...).Code; c != 200 {
		t.Errorf("anthropic must ignore openai knob: %d", c)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// serve starts a real loopback server so aborts and flushes behave as on the wire.
func serve(t *testing.T, h http.Handler) *httptest.Server {
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s
}

func post(t *testing.T, url, body string, hdr ...string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestResetAfterEvents(t *testing.T) {
	s := serve(t, NewOpenAI())
	resp := post(t, s.URL+"/v1/chat/completions", `{"model":"m","stream":true}`, "x-mock-reset-after", "2")
	got, err := io.ReadAll(resp.Body)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("read error %v, want unexpected EOF", err)
	}
	if n := strings.Count(string(got), "data: "); n != 2 {
		t.Errorf("%d events before the reset, want 2: %q", n, got)
	}
}

func TestResetBeforeResponse(t *testing.T) {
	s := serve(t, NewOpenAI())
	req, _ := http.NewRequest("POST", s.URL+"/v1/chat/completions", strings.NewReader(`{"model":"m"}`))
	req.Header.Set("x-mock-reset-after", "0")
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("got status %d, want a connection error", resp.StatusCode)
	}
}

func TestResetMidJSON(t *testing.T) {
	s := serve(t, NewOpenAI())
	resp := post(t, s.URL+"/v1/chat/completions", `{"model":"m"}`, "x-mock-reset-after", "10")
	got, err := io.ReadAll(resp.Body)
	if !errors.Is(err, io.ErrUnexpectedEOF) || string(got) != `{"id":"cha` {
		t.Errorf("got %q, %v", got, err)
	}
}

func TestResetWithRecorderDoesNotPanic(t *testing.T) {
	w := do(NewOpenAI(), "POST", "/v1/chat/completions", `{"model":"m","stream":true}`, "x-mock-reset-after", "1")
	if n := strings.Count(w.Body.String(), "data: "); n != 1 {
		t.Errorf("%d events, want 1", n)
	}
}

// TestHoldProvesStreaming reads the first event while the mock is still blocked on Release:
// if anything between here and the mock buffered the stream, the first read would never return.
func TestHoldProvesStreaming(t *testing.T) {
	m := NewOpenAI()
	release := make(chan struct{})
	m.Script(Reply{Release: release})
	s := serve(t, m)
	resp := post(t, s.URL+"/v1/chat/completions", `{"model":"m","stream":true}`)
	br := bufio.NewReader(resp.Body)
	first, err := br.ReadString('\n')
	if err != nil || !strings.Contains(first, `"role":"assistant"`) {
		t.Fatalf("first event %q, %v", first, err)
	}
	close(release)
	rest, err := io.ReadAll(br)
	if err != nil || !strings.HasSuffix(string(rest), "data: [DONE]\n\n") {
		t.Errorf("rest %q, %v", rest, err)
	}
}

func TestClientGoneStopsStream(t *testing.T) {
	m := NewOpenAI()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := httptest.NewRequest("POST", "/v1/chat/completions", strings.NewReader(`{"model":"m","stream":true}`)).WithContext(ctx)
	r.Header.Set("x-mock-hold-ms", "100000")
	w := httptest.NewRecorder()
	m.ServeHTTP(w, r)
	if n := strings.Count(w.Body.String(), "data: "); n != 1 {
		t.Errorf("%d events after the client left, want 1", n)
	}
	r = httptest.NewRequest("POST", "/v1/chat/completions", strings.NewReader(`{"model":"m"}`)).WithContext(ctx)
	r.Header.Set("x-mock-delay-ms", "100000")
	w = httptest.NewRecorder()
	m.ServeHTTP(w, r)
	if w.Body.Len() != 0 {
		t.Errorf("wrote %q after the client left during the delay", w.Body)
	}
}

func TestRawBodyAndSSE(t *testing.T) {
	m := NewOpenAI()
	m.Script(Reply{Status: 418, Body: []byte(`{"weird":true}`), RetryAfter: "7", Header: http.Header{"X-Extra": {"1"}}},
		Reply{SSE: []string{"data: a\n\n", "data: b\n\n"}})
	w := do(m, "POST", "/v1/chat/completions", `not json`)
	if w.Code != 418 || w.Body.String() != `{"weird":true}` || w.Header().Get("Retry-After") != "7" || w.Header().Get("X-Extra") != "1" {
		t.Errorf("raw body: %d %q %v", w.Code, w.Body, w.Header())
	}
	w = do(m, "POST", "/v1/chat/completions", `{}`)
	if w.Body.String() != "data: a\n\ndata: b\n\n" || w.Header().Get("Content-Type") != "text/event-stream; charset=utf-8" {
		t.Errorf("raw sse: %q %v", w.Body, w.Header())
	}
}

func TestScriptedToolCalls(t *testing.T) {
	calls := []ToolCall{{ID: "toolu_1", Name: "get_weather", Arguments: `{"city":"Paris"}`}, {Name: "bad", Arguments: "nope"}}
	a := NewAnthropic()
	a.Script(Reply{ToolCalls: calls})
	w := do(a, "POST", "/v1/messages", `{"model":"m","max_tokens":5}`, "anthropic-version", "2023-06-01")
	want := `"content":[{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris"}},{"type":"tool_use","id":"call_1","name":"bad","input":{}}],"stop_reason":"tool_use"`
	if !strings.Contains(w.Body.String(), want) {
		t.Errorf("anthropic: %s", w.Body)
	}
	o := NewOpenAI()
	o.Script(Reply{ToolCalls: calls[:1], FinishReason: "stop"})
	w = do(o, "POST", "/v1/chat/completions", `{"model":"m"}`)
	want = `"tool_calls":[{"id":"toolu_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}],"refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"`
	if !strings.Contains(w.Body.String(), want) {
		t.Errorf("openai: %s", w.Body)
	}
}

// TestParallelTags: concurrent clients with their own tags get their own scripts and fail
// counters, and Tagged sees exactly their requests.
func TestParallelTags(t *testing.T) {
	m := NewOpenAI()
	s := serve(t, m)
	const clients, each = 8, 5
	for i := 0; i < clients; i++ {
		// One reply is consumed per request, failed ones included: the third is the first 200.
		m.ScriptTag(fmt.Sprint("c", i), Reply{}, Reply{}, Reply{Content: fmt.Sprint("for c", i)})
	}
	var wg sync.WaitGroup
	errs := make(chan string, clients*each)
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func(tag string) {
			defer wg.Done()
			for j := 0; j < each; j++ {
				req, _ := http.NewRequest("POST", s.URL+"/v1/chat/completions", strings.NewReader(`{"model":"m"}`))
				req.Header.Set("x-mock-tag", tag)
				req.Header.Set("x-mock-status", "503")
				req.Header.Set("x-mock-fail-times", "2")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					errs <- err.Error()
					return
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				want := 200
				if j < 2 {
					want = 503
				}
				if resp.StatusCode != want || (j == 2 && !strings.Contains(string(body), "for "+tag)) {
					errs <- fmt.Sprintf("%s request %d: %d %s", tag, j, resp.StatusCode, body)
				}
			}
		}(fmt.Sprint("c", i))
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	for i := 0; i < clients; i++ {
		if n := len(m.Tagged(fmt.Sprint("c", i))); n != each {
			t.Errorf("c%d: %d requests recorded", i, n)
		}
	}
}
