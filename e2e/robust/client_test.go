package robust

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/tidwall/sjson"
)

var families = []string{"openai", "anthropic", "google", "bedrock", "cohere", "vertex-ai", "azure-openai"}

var bases = []struct{ path, body string }{
	{"/v1/chat/completions", `{"model":"gpt-4o-mini","messages":[{"role":"system","content":"be brief"},{"role":"user","content":[{"type":"text","text":"hi"},{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]},{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{\"a\":1}"}}]},{"role":"tool","tool_call_id":"call_1","content":"42"}],"tools":[{"type":"function","function":{"name":"f","description":"d","parameters":{"type":"object","properties":{"a":{"type":"integer"}}}}}],"tool_choice":"auto","max_tokens":20,"temperature":0.5,"top_p":1,"stop":["x"],"n":1,"user":"u","response_format":{"type":"text"}}`},
	{"/v1/chat/completions", `{"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}`},
	{"/v1/messages", `{"model":"claude-3-5-sonnet-latest","max_tokens":100,"system":[{"type":"text","text":"sys"}],"messages":[{"role":"user","content":[{"type":"text","text":"hi"}]},{"role":"assistant","content":[{"type":"tool_use","id":"tu_1","name":"f","input":{"a":1}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"tu_1","content":"42"}]}],"tools":[{"name":"f","input_schema":{"type":"object"}}],"tool_choice":{"type":"auto"}}`},
	{"/v1/messages", `{"model":"claude-3-5-sonnet-latest","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"hi"}]}`},
	{"/v1/embeddings", `{"model":"text-embedding-3-small","input":["a","b"],"encoding_format":"float","dimensions":8}`},
	{"/v1/embeddings", `{"model":"text-embedding-3-small","input":"a"}`},
}

var fieldPaths = []string{
	"model", "messages", "messages.0", "messages.0.role", "messages.0.content", "messages.1.content",
	"messages.1.content.0", "messages.1.content.0.type", "messages.1.content.1.image_url", "messages.1.content.1.image_url.url",
	"messages.2.tool_calls", "messages.2.tool_calls.0", "messages.2.tool_calls.0.function",
	"messages.2.tool_calls.0.function.arguments", "messages.2.tool_calls.0.function.name", "messages.3.tool_call_id",
	"messages.2.content", "messages.2.content.0.input", "messages.3.content.0.content",
	"tools", "tools.0", "tools.0.function", "tools.0.function.parameters", "tools.0.input_schema", "tools.0.name",
	"tool_choice", "max_tokens", "temperature", "top_p", "stop", "n", "user", "response_format", "stream",
	"stream_options", "system", "input", "input.0", "encoding_format", "dimensions", "metadata", "seed",
}

func deep(n int, open, close string) string {
	return strings.Repeat(open, n) + strings.Repeat(close, n)
}

var hostileValues = []string{
	`"str"`, `""`, `123`, `-1`, `0`, `1.5`, `1e309`, `-1e309`, `99999999999999999999999999999`, `18446744073709551616`,
	`{}`, `[]`, `null`, `true`, `false`, `[1,2,3]`, `{"a":[{"b":null}]}`, `"\ud800"`, `"\u0000"`,
	`"` + strings.Repeat("x", 70000) + `"`, deep(5000, "[", "]"), deep(2000, `{"a":`, "}"),
	`[{"role":"user"}]`, `[{"role":7,"content":"x"}]`, `[{"role":"user","content":[{"type":"nope"}]}]`,
	`{"type":"function","function":{"name":"f","arguments":"{not json"}}`,
	`[{"id":"c","type":"function","function":{"name":"f","arguments":"{not json"}}]`,
	`[{"id":"c","type":"function","function":{"name":"f","arguments":{"a":1}}}]`,
	`"{\"a\":"`, `{"type":"json_schema","json_schema":{"name":"x","schema":5}}`,
}

// mutateBody applies one to three random mutations to a valid body.
func mutateBody(r *rand.Rand, body []byte) []byte {
	for n := 1 + r.IntN(3); n > 0; n-- {
		switch r.IntN(121) / 10 { // 0-11 alike, 12 (oversize) rare
		case 0: // truncation
			body = body[:r.IntN(len(body)+1)]
		case 1: // bit flips
			body = bytes.Clone(body)
			for k := 1 + r.IntN(4); k > 0 && len(body) > 0; k-- {
				body[r.IntN(len(body))] ^= 1 << r.IntN(8)
			}
		case 2, 3, 4, 5: // wrong type for a known field
			if b, err := sjson.SetRawBytes(body, fieldPaths[r.IntN(len(fieldPaths))], []byte(hostileValues[r.IntN(len(hostileValues))])); err == nil {
				body = b
			}
		case 6: // duplicate keys
			if len(body) > 1 && body[0] == '{' {
				dup := []string{`"model":7,`, `"messages":"x",`, `"stream":"yes",`, `"model":"a","model":"b",`, `"input":{},`}
				body = append([]byte("{"+dup[r.IntN(len(dup))]), body[1:]...)
			}
		case 7: // invalid UTF-8 in a string
			if i := bytes.IndexByte(body, '"'); i >= 0 {
				body = append(append(bytes.Clone(body[:i+1]), "\xff\xfe\xc3"...), body[i+1:]...)
			}
		case 8: // non-object or empty body
			alts := []string{"", " ", "[]", `"x"`, "1", "null", "true", "{}", "{", "}", "\x00\x01", deep(100000, "[", "]"), "\xef\xbb\xbf" + string(body)}
			body = []byte(alts[r.IntN(len(alts))])
		case 9: // deep nesting as a whole body
			body = []byte(`{"model":"m","messages":` + deep(1+r.IntN(20000), "[", "]") + `}`)
		case 10: // remove a field
			if b, err := sjson.DeleteBytes(body, fieldPaths[r.IntN(len(fieldPaths))]); err == nil {
				body = b
			}
		case 12: // over the gateway's 1 MiB request limit
			body = []byte(`{"model":"m","messages":[{"role":"user","content":"` + strings.Repeat("x", 1<<20+r.IntN(1<<19)) + `"}]}`)
		case 11: // trailing garbage
			body = append(bytes.Clone(body), []string{"x", "}", "{}", " \n", ",", "\x00"}[r.IntN(6)]...)
		}
	}
	return body
}

var configs = []string{
	`{"provider":"openai"}`, `{"provider":"anthropic","override_params":{"model":"claude"}}`, `resilient`, `nope`,
	`{"strategy":{"mode":"fallback"},"targets":[{"provider":"openai"},{"provider":"anthropic"}]}`,
	`{"strategy":{"mode":"loadbalance"},"targets":[{"provider":"openai","weight":-1},{"provider":"cohere","weight":1e308}]}`,
	`{"strategy":{"mode":"conditional","conditions":[{"query":{"metadata.x":{"$eq":1}},"then":"a"}],"default":"b"},"targets":[{"name":"a","provider":"google"},{"name":"b","provider":"bedrock"}]}`,
	`{"retry":{"attempts":1000000000,"on_status_codes":[500]},"provider":"openai"}`,
	`{"targets":5}`, `{"strategy":"x"}`, `{"provider":7}`, `[]`, `{}`, `{"provider":"openai","request_timeout":-1}`,
	`{"strategy":{"mode":"fallback"},"targets":[{"strategy":{"mode":"fallback"},"targets":[{"strategy":{"mode":"fallback"},"targets":[{"provider":"openai"}]}]}]}`,
	`{"virtual_key":"claude-prod"}`, `{"provider":"openai","custom_host":"http://169.254.169.254"}`,
	`{"provider":"openai","override_params":{"messages":"x","model":5,"max_tokens":-1}}`,
}

var (
	providerVals = append(append([]string(nil), families...), "", "OPENAI", "acme", "open ai", "groq", "../openai", "openai,anthropic", strings.Repeat("a", 5000))
	metadataVals = []string{`{"user_id":"u"}`, `[1]`, `{`, `"x"`, `{"a":{"b":[1,{"c":null}]}}`, `{"a":1e309}`, `null`, `{"` + strings.Repeat("k", 3000) + `":1}`, deep(3000, `{"a":`, "}")}
	timeoutVals  = []string{"1", "0", "-5", "1e99", "abc", "99999999999999999999", "50", " 100 ", "1.5", ""}
	pathVals     = []string{"/v1/chat/completions", "/v1/messages", "/v1/embeddings", "/v1/completions", "/v1/models", "/v1/", "/v2/x", "/",
		"/v1/chat/completions?x=1&y", "/v1/chat/completions/", "/v1/chat/completions/../models", "/v1//chat/completions", "/v1/%ff", "/V1/CHAT/COMPLETIONS", "/v1/responses", "/v1/images/generations"}
	methodVals = []string{"POST", "POST", "POST", "GET", "PUT", "DELETE", "PATCH", "OPTIONS"}
)

// mutateString applies a printable-ASCII mutation (header values cannot carry control bytes).
func mutateString(r *rand.Rand, s string) string {
	if s == "" || r.IntN(2) == 0 {
		return s
	}
	b := []byte(s)
	switch r.IntN(3) {
	case 0:
		return string(b[:r.IntN(len(b))])
	case 1:
		b[r.IntN(len(b))] = byte(' ' + r.IntN(95))
	case 2:
		i := r.IntN(len(b))
		return string(b[:i]) + `"}]{[,:` + string(b[i:])
	}
	return string(b)
}

type hostileRequest struct {
	method, path string
	body         []byte
	hdr          [][2]string
}

// header returns the value of the request header name (case-insensitive), "" when absent.
func (h hostileRequest) header(name string) string {
	for _, p := range h.hdr {
		if strings.EqualFold(p[0], name) {
			return p[1]
		}
	}
	return ""
}

func (h hostileRequest) String() string {
	b := h.body
	if len(b) > 300 {
		b = append(b[:300:300], "..."...)
	}
	var hs []string
	for _, kv := range h.hdr {
		v := kv[1]
		if len(v) > 120 {
			v = v[:120] + "..."
		}
		hs = append(hs, kv[0]+": "+v)
	}
	return fmt.Sprintf("%s %s %q body %q", h.method, h.path, hs, b)
}

func randomRequest(r *rand.Rand) hostileRequest {
	base := bases[r.IntN(len(bases))]
	req := hostileRequest{method: "POST", path: base.path, body: []byte(base.body)}
	if r.IntN(4) != 0 {
		req.body = mutateBody(r, req.body)
	}
	if r.IntN(8) == 0 {
		req.path = pathVals[r.IntN(len(pathVals))]
	}
	if r.IntN(8) == 0 {
		req.method = methodVals[r.IntN(len(methodVals))]
	}
	add := func(k, v string) { req.hdr = append(req.hdr, [2]string{k, v}) }
	switch r.IntN(10) {
	case 0, 1, 2, 3, 4, 5:
		add("x-portkey-provider", families[r.IntN(len(families))])
	case 6:
		add("x-portkey-provider", mutateString(r, providerVals[r.IntN(len(providerVals))]))
	case 7, 8:
		add("x-portkey-config", mutateString(r, configs[r.IntN(len(configs))]))
	case 9:
		add("x-portkey-virtual-key", mutateString(r, []string{"claude-prod", "nope", ""}[r.IntN(3)]))
	}
	if r.IntN(5) == 0 {
		add("x-portkey-metadata", mutateString(r, metadataVals[r.IntN(len(metadataVals))]))
	}
	if r.IntN(6) == 0 {
		add("x-portkey-request-timeout", timeoutVals[r.IntN(len(timeoutVals))])
	}
	if r.IntN(10) == 0 {
		add("x-portkey-trace-id", mutateString(r, "trace-1"))
	}
	if r.IntN(10) == 0 {
		add("x-portkey-retry-count", strconv.Itoa(r.IntN(20)-5))
	}
	if r.IntN(3) != 0 {
		add("Content-Type", []string{"application/json", "text/plain", "application/json; charset=latin1", "multipart/form-data"}[r.IntN(4)])
	}
	return req
}

// TestHostileClientInput sends 2,000 randomly broken requests (fixed seed) across every provider
// family; every answer must be a clean success or a clean error, and the gateway must stay whole.
func TestHostileClientInput(t *testing.T) {
	e := start(t)
	const n = 2000
	r := rand.New(rand.NewPCG(20261204, 1))
	statuses := map[int]int{}
	seen := map[string]int{} // one report per kind of failure
	for i := 0; i < n; i++ {
		req := randomRequest(r)
		a := e.send(req.method, req.path, req.body, req.hdr)
		statuses[a.status]++
		if err := checkClientAnswer(e, req, a); err != nil {
			kind := fmt.Sprintf("%d %v", a.status, err)
			if seen[kind]++; seen[kind] == 1 {
				t.Errorf("request %d: %v\n  request: %v\n  answer: %v", i, err, req, a)
			}
		}
	}
	for k, c := range seen {
		t.Logf("%d failures: %s", c, k)
	}
	t.Logf("statuses: %v", statuses)
	e.healthy(t)
}

func checkClientAnswer(e *env, req hostileRequest, a answer) error {
	if a.status == 0 {
		return fmt.Errorf("no answer: %v", a.err)
	}
	if a.err != nil {
		// A tiny x-portkey-request-timeout (1 ms) may run out after a stream's first bytes: the
		// route timeout then resets the client's stream, as Envoy's router does. Only then is a
		// cut answer expected.
		if a.status == 200 && req.header("x-portkey-request-timeout") != "" && (bytes.HasPrefix(a.body, []byte("data: ")) || bytes.HasPrefix(a.body, []byte("event: "))) {
			return nil
		}
		return fmt.Errorf("answer cut: %v", a.err)
	}
	if s := e.secretIn(string(a.body)); s != "" {
		return fmt.Errorf("stored key %q in the answer", s)
	}
	for k, vs := range a.header {
		for _, v := range vs {
			if s := e.secretIn(v); s != "" {
				return fmt.Errorf("stored key %q in the answer header %s", s, k)
			}
		}
	}
	if a.status < 200 || a.status > 599 || (a.status >= 300 && a.status < 400) {
		return fmt.Errorf("status %d", a.status)
	}
	if a.status == 503 && bytes.Contains(a.body, []byte("VM failed")) {
		return fmt.Errorf("fail-closed VM")
	}
	if a.status >= 200 && a.status <= 299 && strings.HasPrefix(req.path, "/v1/") {
		// A success is one JSON answer or a stream that ends cleanly.
		if strings.HasPrefix(a.header.Get("Content-Type"), "text/event-stream") {
			if !bytes.HasSuffix(a.body, []byte("data: [DONE]\n\n")) && !bytes.Contains(a.body, []byte("event: message_stop")) {
				return fmt.Errorf("stream without a clean end")
			}
		} else if !json.Valid(a.body) {
			return fmt.Errorf("success answer is not JSON")
		}
	}
	if a.status >= 400 && req.method != "HEAD" {
		path := req.path
		if i := strings.IndexByte(path, '?'); i >= 0 {
			path = path[:i]
		}
		return errorShape(path, a)
	}
	return nil
}
