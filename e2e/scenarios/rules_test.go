package scenarios

import (
	"strconv"
	"strings"
	"testing"
)

// Gateway headers (x-portkey-*) are the gateway's own: none reaches a
// provider, whatever its case.
func TestGatewayHeadersNeverReachUpstream(t *testing.T) {
	e := start(t, realModule(t), 1)
	st, _, body := post(t, e.gw.URL()+"/v1/chat/completions", chatBody,
		"Content-Type", "application/json", "X-Portkey-Provider", "openai",
		"x-portkey-trace-id", "trace-h", "x-portkey-metadata", `{"user":"u1"}`,
		"x-portkey-cache-force-refresh", "true", "X-PORTKEY-SOMETHING-NEW", "x")
	if st != 200 {
		t.Fatalf("%d %s", st, body)
	}
	up, ok := e.openai.Last()
	if !ok {
		t.Fatal("mock saw no request")
	}
	for k := range up.Header {
		if strings.HasPrefix(strings.ToLower(k), "x-portkey-") {
			t.Errorf("gateway header %s reached the provider", k)
		}
	}
}

func TestAuthorization(t *testing.T) {
	e := start(t, realModule(t), 1)
	for _, tc := range []struct {
		name, client, want string
	}{
		{"configured key injected", "", "Bearer sk-configured"},
		{"client key wins", "Bearer sk-client-own", "Bearer sk-client-own"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hdr := []string{"Content-Type", "application/json", "x-portkey-provider", "openai"}
			if tc.client != "" {
				hdr = append(hdr, "Authorization", tc.client)
			}
			if st, _, body := post(t, e.gw.URL()+"/v1/chat/completions", chatBody, hdr...); st != 200 {
				t.Fatalf("%d %s", st, body)
			}
			up, _ := e.openai.Last()
			if got := up.Header.Values("Authorization"); len(got) != 1 || got[0] != tc.want {
				t.Errorf("provider saw Authorization %q, want %q", got, tc.want)
			}
		})
	}
}

// Requests the gateway refuses get an exact OpenAI-shaped error and never
// reach the provider.
func TestRejections(t *testing.T) {
	e := start(t, realModule(t), 1)
	big := `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"` + strings.Repeat("a", maxBody) + `"}]}`
	for _, tc := range []struct {
		name, provider, body string
		status               int
		want                 string
	}{
		{"malformed JSON", "openai", `{"model":"gpt-4o-mini","messages":[`, 400,
			`{"error":{"message":"request body is not valid JSON","type":"invalid_request_error","param":null,"code":"invalid_json"}}`},
		{"unknown provider", "no-such-provider", chatBody, 400,
			`{"error":{"message":"x-portkey-provider: unknown provider \"no-such-provider\"","type":"invalid_request_error","param":null,"code":"invalid_config"}}`},
		{"body over the limit", "openai", big, 413,
			`{"error":{"message":"request body exceeds the gateway limit of 65536 bytes","type":"invalid_request_error","param":null,"code":"request_too_large"}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(e.openai.Requests())
			st, h, body := post(t, e.gw.URL()+"/v1/chat/completions", tc.body,
				"Content-Type", "application/json", "x-portkey-provider", tc.provider)
			if st != tc.status || body != tc.want {
				t.Errorf("got %d %s\nwant %d %s", st, body, tc.status, tc.want)
			}
			if h.Get("Content-Type") != "application/json" || h.Get("Content-Length") != strconv.Itoa(len(body)) {
				t.Errorf("headers %v", h)
			}
			if n := len(e.openai.Requests()); n != before {
				t.Errorf("provider was called")
			}
		})
	}
}
