package robust

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"

	"switchyard/e2e/gateway"
	"switchyard/e2e/providers"
)

// hostile is one scripted upstream answer: the real mock's answer to the request the gateway
// sent, then broken as the case says.
type hostile struct {
	kind        string
	status      int    // 0: the mock's own
	contentType string // "": the mock's own; "-": none at all
	body        []byte // nil: the mock's answer after mutate
	mutate      func(good []byte) []byte
	reset       bool // abort the connection after the bytes (no clean end)
	mockHeaders [][2]string
	// unreadable: a success nobody can read; a JSON client must get a 502
	unreadable bool
	// sent is the status the upstream answered with (0: never called); set under upstreams.mu
	sent int
}

// upstreams serves every cluster with the real mocks behind a breaking layer; a request names
// its case in x-robust-case.
type upstreams struct {
	mu    sync.Mutex
	cases map[string]*hostile
	seq   int
}

func (u *upstreams) add(h *hostile) string {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.seq++
	id := strconv.Itoa(u.seq)
	u.cases[id] = h
	return id
}

func (u *upstreams) handler(name string) http.Handler {
	mockH := providers.Lookup(name)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.mu.Lock()
		c := u.cases[r.Header.Get("x-robust-case")]
		u.mu.Unlock()
		body, _ := io.ReadAll(r.Body)
		r2 := r.Clone(context.Background())
		r2.Body = io.NopCloser(bytes.NewReader(body))
		if c != nil {
			for _, h := range c.mockHeaders {
				r2.Header.Set(h[0], h[1])
			}
		}
		rec := httptest.NewRecorder()
		mockH.ServeHTTP(rec, r2)
		res := rec.Result()
		out, status, ct := rec.Body.Bytes(), res.StatusCode, res.Header.Get("Content-Type")
		if c != nil {
			if c.body != nil {
				out = c.body
			} else if c.mutate != nil {
				out = c.mutate(bytes.Clone(out))
			}
			if c.status != 0 {
				status = c.status
			}
			if c.contentType != "" {
				ct = c.contentType
			}
		}
		if c != nil {
			u.mu.Lock()
			c.sent = status
			u.mu.Unlock()
		}
		for k, v := range res.Header {
			if k != "Content-Length" && k != "Content-Type" {
				w.Header()[k] = v
			}
		}
		if ct == "-" {
			w.Header()["Content-Type"] = nil
		} else {
			w.Header().Set("Content-Type", ct)
		}
		w.WriteHeader(status)
		w.Write(out)
		if c != nil && c.reset {
			http.NewResponseController(w).Flush()
			panic(http.ErrAbortHandler)
		}
	})
}

func startHostile(t testing.TB, attemptMode string) (*env, *upstreams) {
	t.Helper()
	u := &upstreams{cases: map[string]*hostile{}}
	cfg := gateway.DefaultConfig()
	for name := range cfg.Clusters {
		srv := httptest.NewServer(u.handler(name))
		t.Cleanup(srv.Close)
		cfg.Clusters[name] = srv.URL
	}
	var pc map[string]any
	if err := json.Unmarshal(cfg.Plugin.Configuration, &pc); err != nil {
		t.Fatal(err)
	}
	pc["attempt_mode"] = attemptMode
	b, _ := json.Marshal(pc)
	cfg.Plugin.Configuration = b
	return startWith(t, cfg), u
}

// jsonPaths lists every value's path in a JSON document (sjson syntax).
func jsonPaths(doc []byte) []string {
	var out []string
	var walk func(prefix string, v gjson.Result)
	walk = func(prefix string, v gjson.Result) {
		if prefix != "" {
			out = append(out, prefix)
		}
		if !v.IsObject() && !v.IsArray() {
			return
		}
		i := 0
		v.ForEach(func(k, val gjson.Result) bool {
			key := k.String()
			if v.IsArray() {
				key = strconv.Itoa(i)
			}
			i++
			key = strings.NewReplacer(".", `\.`, "*", `\*`, "?", `\?`).Replace(key)
			if prefix != "" {
				key = prefix + "." + key
			}
			walk(key, val)
			return true
		})
	}
	walk("", gjson.ParseBytes(doc))
	return out
}

var upstreamValues = []string{`null`, `"x"`, `5`, `-1`, `1e308`, `99999999999999999999999`, `{}`, `[]`, `[1,"a",null]`, `{"a":{"b":[]}}`, `true`, `"\ud800"`, `""`}

// breakJSON sets a random path of a JSON document to a wrong value (or deletes it).
func breakJSON(r *rand.Rand, doc []byte) []byte {
	paths := jsonPaths(doc)
	if len(paths) == 0 {
		return doc
	}
	p := paths[r.IntN(len(paths))]
	if r.IntN(4) == 0 {
		if b, err := sjson.DeleteBytes(doc, p); err == nil {
			return b
		}
		return doc
	}
	if b, err := sjson.SetRawBytes(doc, p, []byte(upstreamValues[r.IntN(len(upstreamValues))])); err == nil {
		return b
	}
	return doc
}

// hugeUsage sets every token count of a JSON document to v.
func hugeUsage(doc []byte, v string) []byte {
	for _, p := range jsonPaths(doc) {
		last := p[strings.LastIndexByte(p, '.')+1:]
		if strings.Contains(strings.ToLower(last), "token") {
			if b, err := sjson.SetRawBytes(doc, p, []byte(v)); err == nil {
				doc = b
			}
		}
	}
	return doc
}

// sseEvents splits an SSE body into events (framing kept).
func sseEvents(b []byte) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		i := bytes.Index(b, []byte("\n\n"))
		if i < 0 {
			out = append(out, b)
			break
		}
		out = append(out, b[:i+2])
		b = b[i+2:]
	}
	return out
}

// breakEvent breaks one SSE event's JSON data.
func breakEvent(r *rand.Rand, ev []byte) []byte {
	i := bytes.Index(ev, []byte("data: "))
	if i < 0 {
		return ev
	}
	data := bytes.TrimRight(ev[i+6:], "\n")
	if !gjson.ValidBytes(data) {
		return ev
	}
	out := append(bytes.Clone(ev[:i+6]), breakJSON(r, data)...)
	return append(out, "\n\n"...)
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func randomHostile(r *rand.Rand, stream bool) *hostile {
	html := []byte("<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>\n")
	garbage := make([]byte, 1+r.IntN(300))
	for i := range garbage {
		garbage[i] = byte(r.IntN(256))
	}
	switch r.IntN(16) {
	case 0:
		return &hostile{kind: "truncated", mutate: func(b []byte) []byte { return b[:r.IntN(len(b)+1)] }}
	case 1:
		return &hostile{kind: "truncated+reset", reset: true, mutate: func(b []byte) []byte { return b[:r.IntN(len(b)+1)] }}
	case 2:
		return &hostile{kind: "bit flips", mutate: func(b []byte) []byte {
			for k := 1 + r.IntN(4); k > 0 && len(b) > 0; k-- {
				b[r.IntN(len(b))] ^= 1 << r.IntN(8)
			}
			return b
		}}
	case 3:
		return statusCase(&hostile{kind: "html page", status: pick(r, []int{200, 500, 502, 503, 504, 429}), contentType: "text/html", body: html})
	case 4:
		return statusCase(&hostile{kind: "binary garbage", status: pick(r, []int{200, 500}), body: garbage})
	case 5:
		return statusCase(&hostile{kind: "empty", status: pick(r, []int{200, 500, 204}), body: []byte{}})
	case 6:
		return &hostile{kind: "no content-type", contentType: "-"}
	case 7, 8:
		return &hostile{kind: "wrong shape", mutate: func(b []byte) []byte {
			if stream {
				evs := sseEvents(b)
				if len(evs) == 0 {
					return b
				}
				k := r.IntN(len(evs))
				evs[k] = breakEvent(r, evs[k])
				return bytes.Join(evs, nil)
			}
			return breakJSON(r, b)
		}}
	case 9:
		return &hostile{kind: "huge usage", mutate: func(b []byte) []byte {
			v := pick(r, []string{"1e308", "99999999999999999999999", "-5", "9223372036854775807", `"12"`, "1.5"})
			if stream {
				evs := sseEvents(b)
				for k, ev := range evs {
					if i := bytes.Index(ev, []byte("data: ")); i >= 0 {
						data := bytes.TrimRight(ev[i+6:], "\n")
						if gjson.ValidBytes(data) {
							evs[k] = append(append(bytes.Clone(ev[:i+6]), hugeUsage(data, v)...), "\n\n"...)
						}
					}
				}
				return bytes.Join(evs, nil)
			}
			return hugeUsage(b, v)
		}}
	case 10:
		// The provider's own error body, sent with 200.
		return &hostile{kind: "200 with error body", status: 200, mockHeaders: [][2]string{{"x-mock-status", pick(r, []string{"400", "429", "500", "529"})}}}
	case 11:
		st := pick(r, []int{400, 401, 403, 404, 409, 422, 429, 500, 502, 503, 529})
		return &hostile{kind: "upstream error", mockHeaders: [][2]string{{"x-mock-status", strconv.Itoa(st)}, {"x-mock-error-message", "boom"}}}
	case 12:
		return &hostile{kind: "invalid JSON event", mutate: func(b []byte) []byte {
			evs := sseEvents(b)
			k := r.IntN(len(evs) + 1)
			bad := pick(r, []string{"data: {oops\n\n", "data: \n\n", "data: [1,\n\n", "event: message_delta\ndata: nope\n\n", ": comment\n\n", "data: \xff\xfe\n\n", "retry: 5\n\n", "data: {\"type\":\"error\"}\n\n"})
			evs = append(evs[:k], append([][]byte{[]byte(bad)}, evs[k:]...)...)
			return bytes.Join(evs, nil)
		}}
	case 13:
		return &hostile{kind: "broken framing", mutate: func(b []byte) []byte {
			switch r.IntN(3) {
			case 0:
				return bytes.ReplaceAll(b, []byte("\n\n"), []byte("\n"))
			case 1:
				return bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n"))
			}
			return bytes.ReplaceAll(b, []byte("data: "), []byte("data:"))
		}}
	case 14:
		return &hostile{kind: "stream error event", mockHeaders: [][2]string{{"x-mock-stream-error-after", strconv.Itoa(r.IntN(3))}}}
	default:
		return &hostile{kind: "tool calls broken", mockHeaders: [][2]string{{"x-mock-tool-calls", "f,g"}}, mutate: func(b []byte) []byte {
			if stream {
				evs := sseEvents(b)
				if len(evs) > 0 {
					k := r.IntN(len(evs))
					evs[k] = breakEvent(r, evs[k])
				}
				return bytes.Join(evs, nil)
			}
			return breakJSON(r, b)
		}}
	}
}

// statusCase: an error status is kept, an unreadable success is a 502 for JSON clients.
func statusCase(h *hostile) *hostile {
	h.unreadable = h.status < 400
	return h
}

var clientKinds = []struct {
	path, body string
	stream     bool
}{
	{"/v1/chat/completions", `{"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}]}`, false},
	{"/v1/chat/completions", `{"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}`, true},
	{"/v1/messages", `{"model":"m","max_tokens":50,"messages":[{"role":"user","content":"hi"}]}`, false},
	{"/v1/messages", `{"model":"m","max_tokens":50,"stream":true,"messages":[{"role":"user","content":"hi"}]}`, true},
	{"/v1/embeddings", `{"model":"m","input":["a","b"]}`, false},
}

// TestHostileUpstreams: 2,000 answers from providers of every family, each broken at random
// (fixed seed), to JSON and streaming clients, in both attempt modes.
func TestHostileUpstreams(t *testing.T) {
	// Four clients at once, each on its own seed, so streams interleave inside a VM (recycled
	// contexts, shared buffers) as they do under load.
	const clients, perClient = 4, 250
	for _, mode := range []string{"auto", "callout"} {
		t.Run(mode, func(t *testing.T) {
			e, u := startHostile(t, mode)
			var mu sync.Mutex
			seen := map[string]int{}
			var wg sync.WaitGroup
			for c := 0; c < clients; c++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r := rand.New(rand.NewPCG(20261204, uint64(2+c)))
					for i := 0; i < perClient; i++ {
						fam := pick(r, families)
						ck := pick(r, clientKinds)
						h := randomHostile(r, ck.stream)
						id := u.add(h)
						a := e.send("POST", ck.path, []byte(ck.body), [][2]string{{"x-portkey-provider", fam}, {"Content-Type", "application/json"}, {"x-robust-case", id}})
						u.mu.Lock()
						sent := h.sent
						u.mu.Unlock()
						if err := checkUpstreamAnswer(e, mode, fam, ck.path, ck.stream, h, sent, a); err != nil {
							msg := err.Error()
							if len(msg) > 60 {
								msg = msg[:60]
							}
							key := fmt.Sprintf("%s %s stream=%v %s: %s", fam, ck.path, ck.stream, h.kind, msg)
							mu.Lock()
							seen[key]++
							first := seen[key] == 1
							mu.Unlock()
							if first {
								t.Errorf("client %d request %d (%s %s stream=%v, upstream %s): %v\n  answer: %v", c, i, fam, ck.path, ck.stream, h.kind, err, a)
							}
						}
					}
				}()
			}
			wg.Wait()
			for k, n := range seen {
				t.Logf("%d× %s", n, k)
			}
			e.healthy(t)
		})
	}
}

// bodyResetBefore is the router's own reply to an upstream reset before the response is sent
// downstream (Envoy's sendDirectLocalReply, which bypasses the filter).
const bodyResetBefore = "upstream connect error or disconnect/reset before headers. reset reason: connection termination"

func checkUpstreamAnswer(e *env, mode, fam, path string, stream bool, h *hostile, sent int, a answer) error {
	if a.status == 0 {
		return fmt.Errorf("no answer: %v", a.err)
	}
	// Known limit (package doc): inline, the filter holds a JSON answer until its
	// end; when the upstream resets meanwhile, Envoy answers directly, bypassing the filter.
	if mode == "auto" && h.reset && a.status == 503 && string(a.body) == bodyResetBefore {
		return nil
	}
	if sent >= 400 && !h.reset && a.status != sent {
		return fmt.Errorf("status %d, want the upstream's %d", a.status, sent)
	}
	if sent != 0 && h.unreadable && !stream && a.status != 502 {
		return fmt.Errorf("status %d for an unreadable success, want 502", a.status)
	}
	if s := e.secretIn(string(a.body)); s != "" {
		return fmt.Errorf("stored key %q in the answer", s)
	}
	if errors.Is(a.err, context.DeadlineExceeded) || (a.err != nil && strings.Contains(a.err.Error(), "Client.Timeout")) {
		return fmt.Errorf("hang: %v", a.err)
	}
	if a.status >= 400 {
		if err := errorShape(path, a); err != nil {
			return err
		}
		return nil
	}
	if a.status != 200 {
		return fmt.Errorf("status %d", a.status)
	}
	ct := a.header.Get("Content-Type")
	if !stream || !strings.HasPrefix(ct, "text/event-stream") {
		if a.err != nil {
			return fmt.Errorf("answer cut: %v", a.err)
		}
		if openAIFamily(fam) && path != "/v1/messages" {
			// Deliberate: OpenAI answers are copied after a brace check, not validated.
			if b := bytes.TrimSpace(a.body); len(b) < 2 || b[0] != '{' || b[len(b)-1] != '}' {
				return fmt.Errorf("200 answer is not an object")
			}
		} else if !json.Valid(a.body) {
			return fmt.Errorf("200 answer is not JSON")
		}
		if gjson.GetBytes(a.body, "error").Exists() || gjson.GetBytes(a.body, "type").String() == "error" {
			return fmt.Errorf("200 answer carries an error")
		}
		return nil
	}
	// A stream: well-formed SSE with JSON data, nothing after an error event, a clean end (or
	// the reset of an inline stream whose upstream reset: Envoy resets the client too).
	if a.err != nil && !(h.reset && errors.Is(a.err, io.ErrUnexpectedEOF)) {
		return fmt.Errorf("stream cut: %v", a.err)
	}
	events := sseEvents(a.body)
	errored := false
	for k, ev := range events {
		if !bytes.HasSuffix(ev, []byte("\n\n")) && (a.err == nil || k != len(events)-1) {
			return fmt.Errorf("event %d not terminated: %q", k, ev)
		}
		if errored && string(ev) != "data: [DONE]\n\n" {
			return fmt.Errorf("event after the error event: %q", ev)
		}
		for _, line := range strings.Split(strings.TrimRight(string(ev), "\n"), "\n") {
			switch {
			case line == "data: [DONE]" && !strings.HasPrefix(path, "/v1/messages"):
			case strings.HasPrefix(line, "data: "):
				d := line[6:]
				valid := gjson.Valid(d)
				if openAIFamily(fam) && path != "/v1/messages" {
					// Deliberate: mid-stream OpenAI events are forwarded after a brace check.
					t := strings.TrimSpace(d)
					valid = len(t) >= 2 && t[0] == '{' && t[len(t)-1] == '}'
				}
				if !valid {
					if a.err != nil && k == len(events)-1 {
						continue // cut by the reset
					}
					return fmt.Errorf("event %d data is not JSON: %q", k, line)
				}
				if gjson.Get(d, "error").Exists() {
					errored = true
				}
			case strings.HasPrefix(line, "event: ") && strings.HasPrefix(path, "/v1/messages"):
			default:
				if a.err != nil && k == len(events)-1 {
					continue
				}
				return fmt.Errorf("event %d has a raw line %q", k, line)
			}
		}
	}
	if a.err == nil && !errored {
		last := ""
		if len(events) > 0 {
			last = string(events[len(events)-1])
		}
		if strings.HasPrefix(path, "/v1/messages") {
			if !strings.Contains(last, "message_stop") {
				return fmt.Errorf("stream ended without message_stop or an error: last %q", last)
			}
		} else if last != "data: [DONE]\n\n" {
			return fmt.Errorf("stream ended without [DONE] or an error: last %q", last)
		}
	}
	return nil
}

func openAIFamily(fam string) bool { return fam == "openai" || fam == "azure-openai" }
