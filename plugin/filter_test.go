package plugin

import (
	"io"
	"log"
	"os"
	"strings"
	"testing"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/proxytest"
	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"

	"switchyard/plugin/abi"
)

const testKey = "sk-test-0123456789"

const testConfig = `{
  "cluster_header": "x-switchyard-cluster",
  "allow_unauthenticated_stored_keys": true,
  "max_request_body_bytes": 100,
  "providers": {
    "openai": {"cluster": "openai", "host": "api.openai.com", "scheme": "https", "api_key_env": "SWITCHYARD_TEST_OPENAI_KEY"},
    "groq": {"cluster": "groq_cluster", "host": "api.groq.com", "api_key_env": "SWITCHYARD_TEST_UNSET_KEY"}
  }
}`

func TestMain(m *testing.M) {
	// proxytest narrates callouts and foreign calls through the log package.
	log.SetOutput(io.Discard)
	os.Exit(m.Run())
}

type testHost struct {
	proxytest.HostEmulator
	clearRouteCache int
}

func newTestHost(t testing.TB, config string) *testHost {
	t.Helper()
	t.Setenv("SWITCHYARD_TEST_OPENAI_KEY", testKey)
	os.Unsetenv("SWITCHYARD_TEST_UNSET_KEY")
	opt := proxytest.NewEmulatorOption().WithVMContext(abi.Guard(NewVMContext())).
		WithPluginConfiguration([]byte(config))
	host, reset := proxytest.NewHostEmulator(opt)
	t.Cleanup(reset)
	h := &testHost{HostEmulator: host}
	// Envoy's foreign function; proxytest exits the process on an unregistered name.
	host.RegisterForeignFunction("clear_route_cache", func([]byte) []byte { h.clearRouteCache++; return []byte{0} })
	if st := host.StartPlugin(); st != types.OnPluginStartStatusOK {
		t.Fatalf("plugin start failed: %q", host.GetCriticalLogs())
	}
	t.Cleanup(func() { h.assertKeyNeverLogged(t) })
	return h
}

func (h *testHost) assertKeyNeverLogged(t testing.TB) {
	t.Helper()
	for _, logs := range [][]string{h.GetTraceLogs(), h.GetDebugLogs(), h.GetInfoLogs(), h.GetWarnLogs(), h.GetErrorLogs(), h.GetCriticalLogs()} {
		for _, l := range logs {
			if strings.Contains(l, testKey) {
				t.Errorf("API key in log line %q", l)
			}
		}
	}
}

var chatBody = `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}`

func baseHeaders(extra ...[2]string) [][2]string {
	return append([][2]string{
		{":method", "POST"}, {":path", "/v1/chat/completions"}, {":authority", "localhost:10000"},
		{"content-type", "application/json"}, {"x-portkey-trace-id", "t-1"},
	}, extra...)
}

func TestPassthroughRewritesForProvider(t *testing.T) {
	h := newTestHost(t, testConfig)
	id := h.InitializeHttpContext()
	act := h.CallOnRequestHeaders(id, baseHeaders(
		[2]string{"x-portkey-provider", "openai"}, [2]string{"x-portkey-trace-id", "trace-1"},
		[2]string{"X-Portkey-Metadata", `{"user":"u"}`}, [2]string{"x-portkey-trace-id", "trace-2"},
		[2]string{"x-switchyard-cluster", "client-chosen"},
	), false)
	if act != types.ActionPause {
		t.Fatalf("headers action %v, want Pause until the body is known", act)
	}
	if h.clearRouteCache != 0 {
		t.Fatal("route cache cleared before the headers were rewritten")
	}
	if act := h.CallOnRequestBody(id, []byte(chatBody[:20]), false); act != types.ActionPause {
		t.Fatalf("partial body action %v, want Pause", act)
	}
	if act := h.CallOnRequestBody(id, []byte(chatBody[20:]), true); act != types.ActionContinue {
		t.Fatalf("final body action %v, want Continue", act)
	}
	want := [][2]string{
		{":method", "POST"}, {":path", "/v1/chat/completions"}, {":authority", "api.openai.com"}, {":scheme", "https"},
		{"content-type", "application/json"}, {"authorization", "Bearer " + testKey},
		{"content-length", "67"}, {"accept-encoding", "identity"}, {"x-switchyard-cluster", "openai"},
	}
	assertHeaders(t, h.GetCurrentRequestHeaders(id), want)
	if got := string(h.GetCurrentRequestBody(id)); got != chatBody {
		t.Errorf("body changed: %q", got)
	}
	if h.clearRouteCache != 1 {
		t.Errorf("clear_route_cache called %d times, want 1", h.clearRouteCache)
	}
	if r := h.GetSentLocalResponse(id); r != nil {
		t.Errorf("unexpected local response %d %s", r.StatusCode, r.Data)
	}
	h.CompleteHttpContext(id)
}

func TestClientAuthorizationWins(t *testing.T) {
	h := newTestHost(t, testConfig)
	id := h.InitializeHttpContext()
	h.CallOnRequestHeaders(id, baseHeaders([2]string{"x-portkey-provider", "openai"}, [2]string{"authorization", "Bearer sk-client"}), false)
	if act := h.CallOnRequestBody(id, []byte(chatBody), true); act != types.ActionContinue {
		t.Fatalf("body action %v", act)
	}
	assertHeaders(t, h.GetCurrentRequestHeaders(id), [][2]string{
		{":method", "POST"}, {":path", "/v1/chat/completions"}, {":authority", "api.openai.com"}, {":scheme", "https"},
		{"content-type", "application/json"}, {"authorization", "Bearer sk-client"},
		{"content-length", "67"}, {"accept-encoding", "identity"}, {"x-switchyard-cluster", "openai"},
	})
}

func TestBodylessRequestIsRewrittenAtHeaders(t *testing.T) {
	h := newTestHost(t, testConfig)
	id := h.InitializeHttpContext()
	act := h.CallOnRequestHeaders(id, [][2]string{{":method", "GET"}, {":path", "/v1/models"}, {":authority", "gw"}, {"x-portkey-provider", "groq"}}, true)
	if act != types.ActionContinue {
		t.Fatalf("headers action %v, want Continue", act)
	}
	// groq's key variable is unset: nothing is injected and the provider will answer 401 itself.
	assertHeaders(t, h.GetCurrentRequestHeaders(id), [][2]string{
		{":method", "GET"}, {":path", "/openai/v1/models"}, {":authority", "api.groq.com"}, {":scheme", "https"},
		{"accept-encoding", "identity"}, {"x-switchyard-cluster", "groq_cluster"},
	})
	if h.clearRouteCache != 1 {
		t.Errorf("clear_route_cache called %d times", h.clearRouteCache)
	}
}

func TestLocalReplies(t *testing.T) {
	cases := []struct {
		name    string
		headers [][2]string
		body    []string // chunks; nil = request ends at the headers
		status  uint32
		reply   string
	}{
		{
			name:    "unknown provider",
			headers: baseHeaders([2]string{"x-portkey-provider", "acme"}),
			status:  400,
			reply:   `{"error":{"message":"x-portkey-provider: unknown provider \"acme\"","type":"invalid_request_error","param":null,"code":"invalid_config"}}`,
		},
		{
			name:    "missing provider",
			headers: baseHeaders(),
			body:    []string{chatBody},
			status:  400,
			reply:   `{"error":{"message":"missing x-portkey-provider, x-portkey-config or x-portkey-virtual-key header: name the provider to call","type":"invalid_request_error","param":null,"code":"unknown_provider"}}`,
		},
		{
			name:    "unknown provider value is bounded and escaped",
			headers: baseHeaders([2]string{"x-portkey-provider", `a"b` + strings.Repeat("z", 80)}),
			status:  400,
			reply: `{"error":{"message":"x-portkey-provider: unknown provider \"a\\\"b` + strings.Repeat("z", 80) +
				`\"","type":"invalid_request_error","param":null,"code":"invalid_config"}}`,
		},
		{
			name:    "malformed JSON",
			headers: baseHeaders([2]string{"x-portkey-provider", "openai"}),
			body:    []string{`{"model":"gpt-4o",`, `"messages":[}`},
			status:  400,
			reply:   `{"error":{"message":"request body is not valid JSON","type":"invalid_request_error","param":null,"code":"invalid_json"}}`,
		},
		{
			name:    "body over the limit across chunks",
			headers: baseHeaders([2]string{"x-portkey-provider", "openai"}),
			body:    []string{strings.Repeat(" ", 60), strings.Repeat(" ", 60)},
			status:  413,
			reply:   `{"error":{"message":"request body exceeds the gateway limit of 100 bytes","type":"invalid_request_error","param":null,"code":"request_too_large"}}`,
		},
		{
			name:    "content-length over the limit",
			headers: baseHeaders([2]string{"x-portkey-provider", "openai"}, [2]string{"content-length", "101"}),
			status:  413,
			reply:   `{"error":{"message":"request body exceeds the gateway limit of 100 bytes","type":"invalid_request_error","param":null,"code":"request_too_large"}}`,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newTestHost(t, testConfig)
			id := h.InitializeHttpContext()
			act := h.CallOnRequestHeaders(id, c.headers, c.body == nil)
			for i, chunk := range c.body {
				if h.GetSentLocalResponse(id) != nil {
					break
				}
				act = h.CallOnRequestBody(id, []byte(chunk), i == len(c.body)-1)
			}
			if act != types.ActionPause {
				t.Errorf("last action %v, want Pause with a local reply", act)
			}
			r := h.GetSentLocalResponse(id)
			if r == nil {
				t.Fatal("no local response")
			}
			if r.StatusCode != c.status || string(r.Data) != c.reply || r.GRPCStatus != -1 {
				t.Errorf("got %d %s (grpc %d)\nwant %d %s", r.StatusCode, r.Data, r.GRPCStatus, c.status, c.reply)
			}
			assertHeaders(t, r.Headers, [][2]string{{"content-type", "application/json"}, {"x-portkey-trace-id", "t-1"}})
			if h.clearRouteCache != 0 {
				t.Error("route cache cleared for a rejected request")
			}
			// The local reply comes back through this filter's response path untouched.
			if act := h.CallOnResponseHeaders(id, [][2]string{{":status", "400"}}, false); act != types.ActionContinue {
				t.Errorf("response headers action %v", act)
			}
			h.CompleteHttpContext(id)
		})
	}
}

func TestPanicAnswers500AndVMKeepsServing(t *testing.T) {
	h := newTestHost(t, testConfig)
	armed := true
	panicHook = func(stage string) {
		if armed && stage == "request_body" {
			armed = false
			var p *provider
			_ = p.host // nil dereference: a runtime error
		}
	}
	t.Cleanup(func() { panicHook = nil })

	id := h.InitializeHttpContext()
	h.CallOnRequestHeaders(id, baseHeaders([2]string{"x-portkey-provider", "openai"}), false)
	if act := h.CallOnRequestBody(id, []byte(chatBody), true); act != types.ActionPause {
		t.Fatalf("panicking body callback: %v, want Pause", act)
	}
	r := h.GetSentLocalResponse(id)
	if r == nil || r.StatusCode != 500 || string(r.Data) != `{"error":{"message":"internal error in switchyard filter","type":"api_error","param":null,"code":"internal_error"}}` {
		t.Fatalf("local response %+v", r)
	}
	if logs := strings.Join(h.GetErrorLogs(), "\n"); !strings.Contains(logs, "recovered panic in OnHttpRequestBody: runtime error: invalid memory address or nil pointer dereference") {
		t.Fatalf("error logs %q", logs)
	}
	h.CompleteHttpContext(id)

	next := h.InitializeHttpContext()
	h.CallOnRequestHeaders(next, baseHeaders([2]string{"x-portkey-provider", "openai"}), false)
	if act := h.CallOnRequestBody(next, []byte(chatBody), true); act != types.ActionContinue {
		t.Fatalf("next request: %v", act)
	}
	if r := h.GetSentLocalResponse(next); r != nil {
		t.Fatalf("next request got %d %s", r.StatusCode, r.Data)
	}
	if got := header(h.GetCurrentRequestHeaders(next), ":authority"); got != "api.openai.com" {
		t.Fatalf("next request :authority %q", got)
	}
}

func TestBadConfigRejectedWithPreciseLog(t *testing.T) {
	cases := []struct{ config, log string }{
		{``, "switchyard: invalid plugin configuration: plugin configuration is empty; expected a JSON object with \"providers\""},
		{`{"providers":`, "switchyard: invalid plugin configuration: plugin configuration is not valid JSON"},
		{`[]`, "switchyard: invalid plugin configuration: plugin configuration must be a JSON object"},
		{`{}`, "switchyard: invalid plugin configuration: plugin configuration has no \"providers\" object"},
		{`{"providers":{}}`, "switchyard: invalid plugin configuration: providers must name at least one provider"},
		{`{"providers":{"openai":{"host":"api.openai.com"}}}`, "switchyard: invalid plugin configuration: providers.openai.cluster is required"},
		{`{"providers":{"acme":{"cluster":"acme"}}}`, `switchyard: invalid plugin configuration: providers.acme: unknown provider id "acme" (not in the translate catalogue)`},
		{`{"attempt_mode":"sometimes","providers":{"openai":{"cluster":"c"}}}`, `switchyard: invalid plugin configuration: attempt_mode must be "auto", "inline" or "callout" (got "sometimes")`},
		{`{"gateway_keys":["abc"],"providers":{"openai":{"cluster":"c"}}}`, `switchyard: invalid plugin configuration: gateway_keys[0] must be a 64-character SHA-256 hex digest`},
		{`{"custom_hosts":{"ftp://x":"c"},"providers":{"openai":{"cluster":"c"}}}`, `switchyard: invalid plugin configuration: custom_hosts: custom host must start with http:// or https://: "ftp://x"`},
		{`{"providers":{"openai":{"cluster":"c","aws_secret_access_key":"s"}}}`, `switchyard: invalid plugin configuration: providers.openai.aws_secret_access_key: secrets do not belong in the plugin configuration; use aws_secret_access_key_env`},
		{`{"virtual_keys":{"vk":{"provider":"acme"}},"providers":{"openai":{"cluster":"c"}}}`, `switchyard: invalid plugin configuration: virtual_keys.vk.provider: unknown provider "acme"`},
		{`{"configs":{"c1":{"retry":{"attempts":9}}},"providers":{"openai":{"cluster":"c"}}}`, `switchyard: invalid plugin configuration: configs: configs["c1"].retry.attempts: must be a whole number from 0 to 5`},
		{`{"providers":{"openai":{"cluster":"c","host":"https://api.openai.com"}}}`, `switchyard: invalid plugin configuration: providers.openai.host must be a host or host:port without scheme or path (got "https://api.openai.com")`},
		{`{"providers":{"openai":{"cluster":"c","host":"h","scheme":"ftp"}}}`, `switchyard: invalid plugin configuration: providers.openai.scheme must be "https" or "http" (got "ftp")`},
		{`{"providers":{"openai":{"cluster":1,"host":"h"}}}`, `switchyard: invalid plugin configuration: providers.openai.cluster must be a string (got 1)`},
		{`{"providers":{"openai":{"cluster":"c","host":"h","api_key":"sk"}}}`, `switchyard: invalid plugin configuration: unknown field "api_key" in providers.openai`},
		{`{"max_request_body_bytes":0,"providers":{"p":{"cluster":"c","host":"h"}}}`, `switchyard: invalid plugin configuration: max_request_body_bytes must be a positive integer (got 0)`},
		{`{"max_request_body_bytes":1.5,"providers":{"p":{"cluster":"c","host":"h"}}}`, `switchyard: invalid plugin configuration: max_request_body_bytes must be a positive integer (got 1.5)`},
		{`{"cluster_header":"X-Cluster","providers":{"p":{"cluster":"c","host":"h"}}}`, `switchyard: invalid plugin configuration: cluster_header must be a lowercase HTTP header name (got "X-Cluster")`},
		{`{"cluster_header":"x-portkey-cluster","providers":{"p":{"cluster":"c","host":"h"}}}`, `switchyard: invalid plugin configuration: cluster_header must not start with x-portkey- (those headers are stripped)`},
		{`{"proxy":"nginx","providers":{"p":{"cluster":"c","host":"h"}}}`, `switchyard: invalid plugin configuration: proxy must be "envoy" or "kong" (got "nginx")`},
		{`{"provider":{}}`, `switchyard: invalid plugin configuration: unknown field "provider" in plugin configuration`},
		{`{"providers":{"openai":{"cluster":"c","host":"h","api_key_env":"A=B"}}}`, `switchyard: invalid plugin configuration: providers.openai.api_key_env must be an environment variable name (got "A=B")`},
	}
	for _, c := range cases {
		t.Run(c.config, func(t *testing.T) {
			opt := proxytest.NewEmulatorOption().WithVMContext(abi.Guard(NewVMContext())).WithPluginConfiguration([]byte(c.config))
			host, reset := proxytest.NewHostEmulator(opt)
			defer reset()
			if st := host.StartPlugin(); st != types.OnPluginStartStatusFailed {
				t.Fatal("invalid configuration accepted")
			}
			logs := host.GetCriticalLogs()
			if len(logs) != 1 || logs[0] != c.log {
				t.Fatalf("critical logs %q\nwant %q", logs, c.log)
			}
		})
	}
}

func TestKeyWithControlCharactersRejectedWithoutLoggingIt(t *testing.T) {
	t.Setenv("SWITCHYARD_TEST_BAD_KEY", "sk-bad\nkey")
	cfg := `{"providers":{"openai":{"cluster":"c","host":"h","api_key_env":"SWITCHYARD_TEST_BAD_KEY"}}}`
	host, reset := proxytest.NewHostEmulator(proxytest.NewEmulatorOption().WithVMContext(abi.Guard(NewVMContext())).WithPluginConfiguration([]byte(cfg)))
	defer reset()
	if st := host.StartPlugin(); st != types.OnPluginStartStatusFailed {
		t.Fatal("accepted")
	}
	want := "switchyard: invalid plugin configuration: environment variable SWITCHYARD_TEST_BAD_KEY (providers.openai.api_key_env) holds characters not allowed in a header value"
	if logs := host.GetCriticalLogs(); len(logs) != 1 || logs[0] != want {
		t.Fatalf("critical logs %q", logs)
	}
}

func TestUnsetKeyVariableWarns(t *testing.T) {
	h := newTestHost(t, testConfig)
	want := "switchyard: provider groq: environment variable SWITCHYARD_TEST_UNSET_KEY is unset or empty; requests without their own key reach the provider unauthenticated"
	if logs := h.GetWarnLogs(); len(logs) != 1 || logs[0] != want {
		t.Fatalf("warn logs %q", logs)
	}
}

const kongConfig = `{"proxy":"kong","allow_unauthenticated_stored_keys":true,"max_request_body_bytes":100,"providers":{"openai":{"cluster":"openai","host":"api.openai.com","api_key_env":"SWITCHYARD_TEST_OPENAI_KEY"}}}`

// Kong gives eof=0 at the headers even for a body-less request and may never call the body
// callback, so the headers are rewritten at once; it traps on unknown foreign functions.
func TestKongRewritesAtHeadersWithoutRouteCache(t *testing.T) {
	h := newTestHost(t, kongConfig)
	id := h.InitializeHttpContext()
	act := h.CallOnRequestHeaders(id, [][2]string{{":method", "GET"}, {":path", "/v1/models"}, {":authority", "gw"}, {"x-portkey-provider", "openai"}}, false)
	if act != types.ActionContinue {
		t.Fatalf("headers action %v, want Continue on Kong (reply %+v)", act, h.GetSentLocalResponse(id))
	}
	assertHeaders(t, h.GetCurrentRequestHeaders(id), [][2]string{
		{":method", "GET"}, {":path", "/v1/models"}, {":authority", "api.openai.com"}, {":scheme", "https"},
		{"authorization", "Bearer " + testKey}, {"accept-encoding", "identity"}, {"x-switchyard-cluster", "openai"},
	})
	if h.clearRouteCache != 0 {
		t.Fatalf("clear_route_cache called %d times on Kong", h.clearRouteCache)
	}
}

func TestKongStillValidatesTheBody(t *testing.T) {
	h := newTestHost(t, kongConfig)
	ok := h.InitializeHttpContext()
	h.CallOnRequestHeaders(ok, baseHeaders([2]string{"x-portkey-provider", "openai"}), false)
	if act := h.CallOnRequestBody(ok, []byte(chatBody), true); act != types.ActionContinue || h.GetSentLocalResponse(ok) != nil {
		t.Fatalf("valid body: action %v", act)
	}
	bad := h.InitializeHttpContext()
	h.CallOnRequestHeaders(bad, baseHeaders([2]string{"x-portkey-provider", "openai"}), false)
	if act := h.CallOnRequestBody(bad, []byte(`{"model"`), true); act != types.ActionPause {
		t.Fatalf("invalid body: action %v", act)
	}
	r := h.GetSentLocalResponse(bad)
	if r == nil || r.StatusCode != 400 || string(r.Data) != `{"error":{"message":"request body is not valid JSON","type":"invalid_request_error","param":null,"code":"invalid_json"}}` {
		t.Fatalf("invalid body reply %+v", r)
	}
	if h.clearRouteCache != 0 {
		t.Fatalf("clear_route_cache called %d times on Kong", h.clearRouteCache)
	}
}

func TestDefaultsApply(t *testing.T) {
	c, err := parseConfig([]byte(`{"providers":{"openai":{"cluster":"openai","host":"api.openai.com"}}}`), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if c.clusterHeader != "x-switchyard-cluster" || c.maxRequestBodyBytes != 1<<20 || c.kong ||
		c.maxResponseBodyBytes != 4<<20 || c.maxSSELineBytes != 1<<20 || c.attemptMode != modeAuto || c.storedKeysUsable() {
		t.Fatalf("defaults: %+v %+v", c, c.providers["openai"])
	}
}

func assertHeaders(t *testing.T, got, want [][2]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("headers\n got %q\nwant %q", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("headers\n got %q\nwant %q", got, want)
		}
	}
}

func header(hs [][2]string, k string) string {
	for _, kv := range hs {
		if kv[0] == k {
			return kv[1]
		}
	}
	return ""
}

// TestKongAutoModeRunsRetryablePlansAsCallouts: on Kong (no response hold at headers) a plan
// that may retry runs its attempts as http callouts from the request phase; the answer is a
// local response with the gateway headers.
func TestKongAutoModeRunsRetryablePlansAsCallouts(t *testing.T) {
	h := newTestHost(t, kongConfig)
	id := h.InitializeHttpContext()
	hdrs := baseHeaders([2]string{"x-portkey-config", `{"provider":"openai","retry":{"attempts":1}}`}, [2]string{"x-mock", "kept"})
	if act := h.CallOnRequestHeaders(id, hdrs, false); act != types.ActionContinue {
		t.Fatalf("headers action %v, want Continue on Kong", act)
	}
	if act := h.CallOnRequestBody(id, []byte(chatBody), true); act != types.ActionPause {
		t.Fatalf("body action %v, want Pause while the callout runs", act)
	}
	calls := h.GetCalloutAttributesFromContext(id)
	if len(calls) != 1 || calls[0].Upstream != "openai" || string(calls[0].Body) != chatBody {
		t.Fatalf("callouts %+v", calls)
	}
	for k, v := range map[string]string{":path": "/v1/chat/completions", ":authority": "api.openai.com", ":method": "POST",
		"authorization": "Bearer " + testKey, "x-mock": "kept", "x-portkey-config": "", "x-switchyard-cluster": ""} {
		if got := header(calls[0].Headers, k); got != v {
			t.Errorf("callout %s = %q, want %q", k, got, v)
		}
	}
	answer := `{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o-mini","choices":[]}`
	h.CallOnHttpCallResponse(calls[0].CalloutID, [][2]string{{":status", "200"}, {"content-type", "application/json"}, {"x-request-id", "up-1"}}, nil, []byte(answer))
	r := h.GetSentLocalResponse(id)
	if r == nil || r.StatusCode != 200 || string(r.Data) != answer {
		t.Fatalf("local response %+v", r)
	}
	assertHeaders(t, r.Headers, [][2]string{{"x-request-id", "up-1"}, {"content-type", "application/json"},
		{"x-portkey-last-used-option-index", "config"}, {"x-portkey-retry-attempt-count", "0"}, {"x-portkey-cache-status", "DISABLED"},
		{"x-portkey-trace-id", "t-1"}, {"x-portkey-provider", "openai"}})
}
