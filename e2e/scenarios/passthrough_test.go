package scenarios

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"switchyard/e2e/providers"
)

const chatBody = `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}`

// replay answers rec with a fresh mock: the exact bytes the provider wrote
// for the request the gateway sent (the mock's answers are deterministic).
func replay(t *testing.T, rec providers.Request) (int, http.Header, []byte) {
	t.Helper()
	req := httptest.NewRequest(rec.Method, rec.Path, bytes.NewReader(rec.Body))
	req.Host = rec.Host
	req.Header = rec.Header.Clone()
	w := httptest.NewRecorder()
	providers.NewOpenAI().ServeHTTP(w, req)
	return w.Code, w.Header(), w.Body.Bytes()
}

var requestID = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// upstreamHeaders renders what the provider received, with the per-request
// x-request-id checked and masked.
func upstreamHeaders(t *testing.T, rec providers.Request) string {
	t.Helper()
	h := rec.Header.Clone()
	if id := h.Get("X-Request-Id"); !requestID.MatchString(id) {
		t.Errorf("x-request-id %q", id)
	}
	h.Set("X-Request-Id", "<uuid>")
	return headerLines(h)
}

func TestOpenAIPassthroughJSON(t *testing.T) {
	e := start(t, realModule(t), 1)
	st, h, body := post(t, e.gw.URL()+"/v1/chat/completions", chatBody,
		"Content-Type", "application/json", "Accept-Encoding", "identity", "User-Agent", "scenario/1",
		"x-portkey-provider", "openai", "x-portkey-trace-id", "trace-json-1")
	reqs := e.openai.Requests()
	if len(reqs) != 1 {
		t.Fatalf("mock saw %d requests", len(reqs))
	}
	up := reqs[0]
	if got := up.Method + " " + up.Host + up.Path; got != "POST api.openai.com/v1/chat/completions" {
		t.Errorf("upstream request line %q", got)
	}
	if string(up.Body) != chatBody {
		t.Errorf("upstream body\n got %s\nwant %s", up.Body, chatBody)
	}
	wantH := strings.Join([]string{
		"Accept-Encoding: identity",
		"Authorization: Bearer sk-configured",
		"Content-Type: application/json",
		"User-Agent: scenario/1",
		"X-Forwarded-Proto: http",
		"X-Request-Id: <uuid>",
		"X-Switchyard-Cluster: openai",
	}, "\n")
	if got := upstreamHeaders(t, up); got != wantH {
		t.Errorf("upstream headers\n got %s\nwant %s", got, wantH)
	}
	code, mh, want := replay(t, up)
	if st != code || body != string(want) || h.Get("Content-Type") != mh.Get("Content-Type") {
		t.Errorf("client got %d %q %s\nprovider wrote %d %q %s", st, h.Get("Content-Type"), body, code, mh.Get("Content-Type"), want)
	}
	if want := golden(t, "openai_chat.json"); body != want {
		t.Errorf("client body\n got %s\nwant %s", body, want)
	}
}

// TestOpenAIStreamingIsTrueStreaming holds the mock after its first SSE
// event: the client must read that event while the provider has not sent
// the rest, then the whole stream byte for byte.
func TestOpenAIStreamingIsTrueStreaming(t *testing.T) {
	e := start(t, realModule(t), 1)
	release := make(chan struct{})
	released := false
	defer func() {
		if !released {
			close(release)
		}
	}()
	e.openai.Script(providers.Reply{Release: release})
	req, _ := http.NewRequest("POST", e.gw.URL()+"/v1/chat/completions",
		strings.NewReader(`{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"hi"}]}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("x-portkey-provider", "openai")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("status %d content-type %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	rd := bufio.NewReader(res.Body)
	// The mock writes nothing after its first event until release is
	// closed, so reading that event now proves nothing buffered it.
	first := readEvent(t, rd)
	close(release)
	released = true
	rest, err := io.ReadAll(rd)
	if err != nil {
		t.Fatal(err)
	}
	up, _ := e.openai.Last()
	_, _, provider := replay(t, up)
	want := clientView(string(provider))
	if got := first + string(rest); got != want {
		t.Errorf("client stream\n got %q\nwant %q", got, want)
	}
	if !strings.HasPrefix(want, first) || !strings.HasPrefix(first, "data: {") {
		t.Errorf("first event %q is not the provider's first event", first)
	}
	if !strings.HasSuffix(string(rest), "data: [DONE]\n\n") {
		t.Errorf("stream does not end with [DONE]: %q", rest)
	}
}

// clientView is the provider's OpenAI stream as a client that did not ask
// for usage receives it: the gateway asks the provider for usage to count
// tokens (stream_options.include_usage), drops the usage-only chunk and
// removes the per-chunk "usage":null that request makes the provider send,
// as real OpenAI omits the field when the client did not ask for usage.
func clientView(stream string) string {
	var out strings.Builder
	for _, ev := range strings.SplitAfter(stream, "\n\n") {
		if !strings.Contains(ev, `"choices":[],"usage":{`) {
			out.WriteString(strings.Replace(ev, `,"usage":null`, "", 1))
		}
	}
	return out.String()
}

// readEvent reads one SSE event (up to the blank line), failing after 10 s.
func readEvent(t *testing.T, rd *bufio.Reader) string {
	t.Helper()
	type result struct {
		s   string
		err error
	}
	ch := make(chan result, 1)
	go func() {
		var b strings.Builder
		for {
			line, err := rd.ReadString('\n')
			b.WriteString(line)
			if err != nil || line == "\n" {
				ch <- result{b.String(), err}
				return
			}
		}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			t.Fatalf("first event: %v (%q)", r.err, r.s)
		}
		return r.s
	case <-time.After(10 * time.Second):
		t.Fatal("first SSE event did not arrive while the provider held the rest")
		return ""
	}
}
