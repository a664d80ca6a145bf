package providers

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"switchyard/translate"
	"switchyard/translate/cohere"
)

// TestCohereRoundTrip drives the real Cohere family against the mock over loopback: the
// translated request must be one the mock accepts, and its answers must translate back.
func TestCohereRoundTrip(t *testing.T) {
	m := NewCohere()
	m.RequireKey = "co-key"
	s := httptest.NewServer(m)
	defer s.Close()
	tg := &translate.Target{Provider: &translate.Provider{ID: "cohere", Family: "cohere", Host: "unused", BasePath: "/v2"},
		APIKey: "co-key", CustomHost: s.URL + "/v2"}
	send := func(c *translate.Call, body string) (int, []byte) {
		var r translate.UpstreamRequest
		if err := (cohere.Adapter{}).BuildRequest(c, tg, []byte(body), &r); err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest(r.Method, r.Scheme+"://"+r.Authority+r.Path, bytes.NewReader(r.Body))
		for _, h := range r.Headers {
			req.Header.Set(h.Name, h.Value)
		}
		req.Header.Set("x-mock-content", "Hi there, friend")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}

	c := &translate.Call{Op: translate.OpChat, Created: 1, ID: "x"}
	status, b := send(c, `{"model":"command-a-03-2025","messages":[{"role":"user","content":"hi"}]}`)
	if status != 200 {
		t.Fatalf("chat: %d %s", status, b)
	}
	out, u, err := (cohere.Adapter{}).TranslateResponse(c, b, nil)
	if err != nil || !strings.Contains(string(out), `"content":"Hi there, friend"`) || u.PromptTokens != 12 || u.CompletionTokens != 3 {
		t.Errorf("chat: %v %s %+v", err, out, u)
	}

	c = &translate.Call{Op: translate.OpChat, Created: 1, ID: "x"}
	status, b = send(c, `{"model":"command-a-03-2025","messages":[{"role":"user","content":"hi"}],"stream":true,"stream_options":{"include_usage":true}}`)
	if status != 200 {
		t.Fatalf("stream: %d %s", status, b)
	}
	st := (cohere.Adapter{}).NewStream(c)
	out, err = st.Feed(nil, b)
	if err == nil {
		out, err = st.Finish(out)
	}
	if err != nil || !strings.HasSuffix(string(out), "data: [DONE]\n\n") || strings.Count(string(out), `"content":" friend"`) != 1 || st.Usage().CompletionTokens != 3 {
		t.Errorf("stream: %v %s", err, out)
	}

	c = &translate.Call{Op: translate.OpEmbeddings}
	status, b = send(c, `{"model":"embed-v4.0","input":["a","b"],"dimensions":2}`)
	if status != 200 {
		t.Fatalf("embed: %d %s", status, b)
	}
	out, _, err = (cohere.Adapter{}).TranslateResponse(c, b, nil)
	if err != nil || string(out) != `{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.001,0.011]},{"object":"embedding","index":1,"embedding":[0.002,0.012]}],"model":"embed-v4.0","usage":{"prompt_tokens":2,"total_tokens":2}}` {
		t.Errorf("embed: %v %s", err, out)
	}

	// An upstream error keeps its message through TranslateError.
	tg.APIKey = "wrong"
	c = &translate.Call{Op: translate.OpChat}
	status, b = send(c, `{"model":"m","messages":[{"role":"user","content":"hi"}]}`)
	if got := string((cohere.Adapter{}).TranslateError(status, b, nil)); status != 401 || got != `{"error":{"message":"invalid api token","type":"authentication_error","param":null,"code":null}}` {
		t.Errorf("error: %d %s", status, got)
	}
}
