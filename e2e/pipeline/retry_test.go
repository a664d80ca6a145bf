package pipeline

import (
	"strings"
	"testing"
)

const fallbackConfig = `{"strategy":{"mode":"fallback"},"targets":[{"provider":"openai"},{"provider":"anthropic","override_params":{"model":"claude-3-5-haiku-latest"}}]}`

func modes(t *testing.T, f func(t *testing.T, mode string)) {
	for _, m := range []string{"inline", "callout"} {
		t.Run(m, func(t *testing.T) { f(t, m) })
	}
}

func withMode(mode string, more func(pc map[string]any)) func(pc map[string]any) {
	return func(pc map[string]any) {
		pc["attempt_mode"] = mode
		if more != nil {
			more(pc)
		}
	}
}

// TestFallbackRescuesFailedAttempt: the first target answers 500, the second (another family)
// answers; the client sees only the rescued answer, translated.
func TestFallbackRescuesFailedAttempt(t *testing.T) {
	modes(t, func(t *testing.T, mode string) {
		g := start(t, withMode(mode, nil))
		tag := newTag(t)
		r := do(t, g, "POST", "/v1/chat/completions", chatBody, "x-portkey-config", fallbackConfig,
			"x-mock-tag", tag, "x-mock-openai-status", "500", "x-portkey-trace-id", "tr-f")
		wantStatus(t, r, 200)
		wantBody(t, norm(r.body), `{"id":"msg_mock","object":"chat.completion","created":0,"model":"claude-3-5-haiku-latest",`+completionTail+`null}`)
		for k, v := range map[string]string{"X-Portkey-Last-Used-Option-Index": "config.targets[1]", "X-Portkey-Provider": "anthropic",
			"X-Portkey-Retry-Attempt-Count": "0", "X-Portkey-Trace-Id": "tr-f", "Content-Type": "application/json",
			"Content-Length": itoa(int64(len(r.body)))} {
			if got := r.header.Get(k); got != v {
				t.Errorf("%s = %q, want %q", k, got, v)
			}
		}
		only(t, "openai", tag)
		up := only(t, "anthropic", tag)
		if up.Path != "/v1/messages" || up.Header.Get("X-Api-Key") != "sk-ant-mock" || up.Header.Get("Authorization") != "" ||
			!strings.Contains(string(up.Body), `"model":"claude-3-5-haiku-latest"`) {
			t.Errorf("fallback request %s %v %s", up.Path, up.Header, up.Body)
		}
		noGatewayHeaders(t, up)
	})
}

// TestFallbackStreamIsComplete: a streaming client rescued by a callout gets one complete
// text/event-stream answer.
func TestFallbackStreamIsComplete(t *testing.T) {
	modes(t, func(t *testing.T, mode string) {
		g := start(t, withMode(mode, nil))
		tag := newTag(t)
		r := do(t, g, "POST", "/v1/chat/completions", `{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}`,
			"x-portkey-config", fallbackConfig, "x-mock-tag", tag, "x-mock-openai-status", "503")
		wantStatus(t, r, 200)
		if ct := r.header.Get("Content-Type"); ct != "text/event-stream" {
			t.Errorf("content-type %q", ct)
		}
		const (
			role  = `{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]`
			hello = `{"content":"Hello"},"logprobs":null,"finish_reason":null}]`
			from  = `{"content":" from"},"logprobs":null,"finish_reason":null}]`
			the   = `{"content":" the"},"logprobs":null,"finish_reason":null}]`
			mock  = `{"content":" mock."},"logprobs":null,"finish_reason":null}]`
			stop  = `{},"logprobs":null,"finish_reason":"stop"}]`
		)
		want := strings.ReplaceAll(sseBody("msg_mock", `"created":0,`, "null", "", role, hello, from, the, mock, stop),
			`"model":"m"`, `"model":"claude-3-5-haiku-latest"`)
		wantBody(t, norm(r.body), want)
		if got := r.header.Get("X-Portkey-Last-Used-Option-Index"); got != "config.targets[1]" {
			t.Errorf("option index %q", got)
		}
	})
}

// TestRetryAfterBackoff: a 429 is retried on the same target after a back-off on the tick.
func TestRetryAfterBackoff(t *testing.T) {
	modes(t, func(t *testing.T, mode string) {
		g := start(t, withMode(mode, nil))
		tag := newTag(t)
		r := do(t, g, "POST", "/v1/chat/completions", chatBody,
			"x-portkey-config", `{"provider":"openai","retry":{"attempts":2,"use_retry_after_header":true}}`,
			"x-mock-tag", tag, "x-mock-status", "429", "x-mock-fail-times", "1", "x-mock-retry-after", "0")
		wantStatus(t, r, 200)
		if !strings.HasPrefix(r.body, `{"id":"chatcmpl-mock","object":"chat.completion"`) {
			t.Fatalf("body %s", r.body)
		}
		if got := r.header.Get("X-Portkey-Retry-Attempt-Count"); got != "1" {
			t.Errorf("retry count %q, want 1", got)
		}
		if n := len(mock("openai").Tagged(tag)); n != 2 {
			t.Errorf("openai called %d times, want 2", n)
		}
	})
}

// TestEveryAttemptFails: the last attempt's error is the answer, with its status and message.
func TestEveryAttemptFails(t *testing.T) {
	modes(t, func(t *testing.T, mode string) {
		g := start(t, withMode(mode, nil))
		tag := newTag(t)
		r := do(t, g, "POST", "/v1/chat/completions", chatBody, "x-portkey-config", fallbackConfig,
			"x-mock-tag", tag, "x-mock-openai-status", "500", "x-mock-anthropic-status", "529",
			"x-mock-anthropic-error-message", "Overloaded")
		wantStatus(t, r, 529)
		wantBody(t, r.body, `{"error":{"message":"Overloaded","type":"overloaded_error","param":null,"code":"overloaded_error"}}`)
		if got := r.header.Get("X-Portkey-Last-Used-Option-Index"); got != "config.targets[1]" {
			t.Errorf("option index %q", got)
		}
	})
}

// TestRequestTimeout: an attempt over x-portkey-request-timeout answers Portkey's 408.
func TestRequestTimeout(t *testing.T) {
	modes(t, func(t *testing.T, mode string) {
		g := start(t, withMode(mode, nil))
		r := do(t, g, "POST", "/v1/chat/completions", chatBody, "x-portkey-provider", "openai",
			"x-portkey-request-timeout", "150", "x-mock-tag", newTag(t), "x-mock-delay-ms", "3000")
		wantStatus(t, r, 408)
		wantBody(t, r.body, `{"error":{"message":"Request exceeded the timeout sent in the request: 150ms","type":"timeout_error","param":null,"code":null}}`)
	})
}

// TestTimeoutFallsBack: a timed-out attempt is fallen back from.
func TestTimeoutFallsBack(t *testing.T) {
	modes(t, func(t *testing.T, mode string) {
		g := start(t, withMode(mode, nil))
		tag := newTag(t)
		cfg := `{"strategy":{"mode":"fallback"},"request_timeout":150,"targets":[{"provider":"openai"},{"provider":"cohere"}]}`
		r := do(t, g, "POST", "/v1/chat/completions", chatBody, "x-portkey-config", cfg,
			"x-mock-tag", tag, "x-mock-openai-delay-ms", "3000")
		wantStatus(t, r, 200)
		if r.header.Get("X-Portkey-Provider") != "cohere" || !strings.Contains(r.body, `"object":"chat.completion"`) {
			t.Fatalf("%v %s", r.header, r.body)
		}
	})
}

// TestDeadlineStopsRetries: the plan's overall deadline ends retries.
func TestDeadlineStopsRetries(t *testing.T) {
	g := start(t, func(pc map[string]any) { pc["request_deadline_ms"] = 300 })
	tag := newTag(t)
	r := do(t, g, "POST", "/v1/chat/completions", chatBody,
		"x-portkey-config", `{"provider":"openai","retry":{"attempts":5}}`, "x-mock-tag", tag, "x-mock-status", "503")
	wantStatus(t, r, 503)
	if n := len(mock("openai").Tagged(tag)); n < 1 || n > 2 {
		t.Errorf("openai called %d times within a 300 ms deadline", n)
	}
	if got := r.header.Get("X-Portkey-Retry-Attempt-Count"); got != "-1" {
		t.Errorf("retry count %q, want -1", got)
	}
}

// TestNamedConfig: x-portkey-config may name a config from the plugin configuration.
func TestNamedConfig(t *testing.T) {
	g := start(t, nil)
	tag := newTag(t)
	r := do(t, g, "POST", "/v1/chat/completions", chatBody, "x-portkey-config", "resilient",
		"x-mock-tag", tag, "x-mock-openai-status", "500")
	wantStatus(t, r, 200)
	if r.header.Get("X-Portkey-Provider") != "anthropic" || r.header.Get("X-Portkey-Retry-Attempt-Count") != "0" {
		t.Fatalf("%v %s", r.header, r.body)
	}
	if n := len(mock("openai").Tagged(tag)); n != 2 {
		t.Errorf("openai called %d times, want 2 (one retry)", n)
	}
}
