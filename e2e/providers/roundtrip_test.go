package providers

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"switchyard/translate"
	_ "switchyard/translate/anthropic"
	_ "switchyard/translate/bedrock"
	_ "switchyard/translate/cohere"
	_ "switchyard/translate/gemini"
	_ "switchyard/translate/openai"
)

// TestFamiliesRoundTrip drives each translate family against its mock over loopback: the
// family's request must be one the mock accepts (credential included), and the mock's JSON
// answer, stream and tool calls must come back as OpenAI answers. It checks the mocks speak
// the same wire formats the families were written from.
func TestFamiliesRoundTrip(t *testing.T) {
	cases := []struct {
		family, base string
		auth         translate.AuthStyle
		mock         func() Handler
		model        string
	}{
		{"openai", "/v1", translate.AuthBearer, func() Handler { return NewOpenAI() }, "gpt-4o-mini"},
		{"anthropic", "/v1", translate.AuthXAPIKey, func() Handler { return NewAnthropic() }, "claude-sonnet-4-5"},
		{"google", "/v1beta", translate.AuthGoogKey, func() Handler { return NewGemini("google") }, "gemini-2.0-flash"},
		{"cohere", "/v2", translate.AuthBearer, func() Handler { return NewCohere() }, "command-a-03-2025"},
		{"bedrock", "", translate.AuthSigV4, func() Handler { return NewBedrock() }, "anthropic.claude-3-5-sonnet-20240620-v1:0"},
	}
	for _, tc := range cases {
		t.Run(tc.family, func(t *testing.T) {
			a, ok := translate.For(tc.family)
			if !ok {
				t.Skipf("family %s is not registered", tc.family)
			}
			m := tc.mock()
			m.Core().RequireKey = "k-123"
			s := httptest.NewServer(m)
			defer s.Close()
			tg := &translate.Target{Provider: &translate.Provider{ID: tc.family, Family: tc.family, Host: "unused", BasePath: tc.base, Auth: tc.auth,
				Ops: []translate.Operation{translate.OpChat}}, APIKey: "k-123", CustomHost: s.URL + tc.base}
			send := func(c *translate.Call, body string, knobs ...string) []byte {
				var r translate.UpstreamRequest
				if err := a.BuildRequest(c, tg, []byte(body), &r); err != nil {
					t.Fatal(err)
				}
				req, _ := http.NewRequest(r.Method, r.Scheme+"://"+r.Authority+r.Path, bytes.NewReader(r.Body))
				for _, h := range r.Headers {
					req.Header.Set(h.Name, h.Value)
				}
				for i := 0; i+1 < len(knobs); i += 2 {
					req.Header.Set(knobs[i], knobs[i+1])
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				if resp.StatusCode != 200 {
					t.Fatalf("%s %s: %d %s", r.Method, r.Path, resp.StatusCode, b)
				}
				return b
			}
			chat := `{"model":"` + tc.model + `","messages":[{"role":"user","content":"hi"}]`

			c := &translate.Call{Op: translate.OpChat, Created: 1, ID: "x"}
			b := send(c, chat+`}`, "x-mock-content", "Hi there, friend")
			out, u, err := a.TranslateResponse(c, b, nil)
			if err != nil || !strings.Contains(string(out), `"content":"Hi there, friend"`) || u.CompletionTokens != 3 {
				t.Errorf("chat: %v %s %+v", err, out, u)
			}

			c = &translate.Call{Op: translate.OpChat, Created: 1, ID: "x"}
			b = send(c, chat+`,"stream":true,"stream_options":{"include_usage":true}}`, "x-mock-content", "Hi there, friend")
			st := a.NewStream(c)
			out, err = st.Feed(nil, b)
			if err == nil {
				out, err = st.Finish(out)
			}
			if err != nil || !strings.HasSuffix(string(out), "data: [DONE]\n\n") || !strings.Contains(string(out), `" friend"`) || st.Usage().CompletionTokens != 3 {
				t.Errorf("stream: %v %s", err, out)
			}

			c = &translate.Call{Op: translate.OpChat, Created: 1, ID: "x"}
			b = send(c, chat+`,"tools":[{"type":"function","function":{"name":"now","parameters":{"type":"object","properties":{}}}}]}`, "x-mock-tool-calls", "now")
			out, _, err = a.TranslateResponse(c, b, nil)
			if err != nil || !strings.Contains(string(out), `"name":"now","arguments":"{}"`) || !strings.Contains(string(out), `"finish_reason":"tool_calls"`) {
				t.Errorf("tools: %v %s", err, out)
			}
		})
	}
}

// TestBedrockSigV4RoundTrip: a SigV4-signed request (access key id as the mock's key) is
// accepted, and its signed headers arrive unchanged.
func TestBedrockSigV4RoundTrip(t *testing.T) {
	a, ok := translate.For("bedrock")
	if !ok {
		t.Skip("family bedrock is not registered")
	}
	m := NewBedrock()
	m.RequireKey = "AKIDEXAMPLE"
	s := httptest.NewServer(m)
	defer s.Close()
	tg := &translate.Target{Provider: &translate.Provider{ID: "bedrock", Family: "bedrock", Host: "bedrock-runtime.{region}.amazonaws.com", Auth: translate.AuthSigV4,
		Ops: []translate.Operation{translate.OpChat}}, CustomHost: s.URL,
		Options: translate.Options{AWSAccessKeyID: "AKIDEXAMPLE", AWSSecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", AWSRegion: "us-west-2"}}
	c := &translate.Call{Op: translate.OpChat, Created: 1, ID: "x", Now: time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)}
	var r translate.UpstreamRequest
	if err := a.BuildRequest(c, tg, []byte(`{"model":"amazon.nova-lite-v1:0","messages":[{"role":"user","content":"hi"}]}`), &r); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(r.Method, r.Scheme+"://"+r.Authority+r.Path, bytes.NewReader(r.Body))
	for _, h := range r.Headers {
		req.Header.Set(h.Name, h.Value)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	last, _ := m.Last()
	if resp.StatusCode != 200 || !strings.HasPrefix(last.Header.Get("Authorization"), "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260115/us-west-2/bedrock/aws4_request") ||
		last.Header.Get("X-Amz-Date") != "20260115T100000Z" || !bytes.Equal(last.Body, r.Body) {
		t.Fatalf("%d %s; mock saw %v", resp.StatusCode, b, last.Header)
	}
	if out, _, err := a.TranslateResponse(c, b, nil); err != nil || !strings.Contains(string(out), `"content":"Hello from the mock."`) {
		t.Errorf("%v %s", err, out)
	}
}
