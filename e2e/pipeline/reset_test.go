package pipeline

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

const streamBody = `{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}`

// streamResult is a streamed answer read to its end, and how the read ended.
type streamResult struct {
	result
	err error
}

// stream posts a streaming chat request and reads the answer to its end. The client's 10 s
// timeout is the no-hang bound: every case here ends within milliseconds, so only a stream
// left open by the gateway can reach it (and then fails as a timeout, not as the expected end).
func stream(t *testing.T, url string, hdr ...string) streamResult {
	t.Helper()
	req, _ := http.NewRequest("POST", url+"/v1/chat/completions", strings.NewReader(streamBody))
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return streamResult{result{res.StatusCode, res.Header, string(b)}, err}
}

// TestUpstreamResetMidStream: the provider's connection breaks after four stream events
// (Anthropic's message_start, content_block_start, ping and the first text delta).
//
// Inline (the first attempt goes through the proxy's router and streams), the client has the
// translated events of what arrived, then its stream is reset, as Envoy's router resets the
// downstream stream on an upstream reset after the response started: the filter gets no more
// body callbacks (only the stream's end), so the plugin cannot append an error event or [DONE]. The client sees a truncated
// stream (HTTP/1.1: no final chunk, io.ErrUnexpectedEOF), which OpenAI's SDKs raise as an
// error. The stream has started, so no fallback follows.
//
// As a callout (attempt_mode callout, or any attempt after a failed first one) the answer is
// held until complete, so the reset is an ordinary connection failure: a fallback takes over
// with a complete stream, and without one the client gets a 502 before any stream byte.
func TestUpstreamResetMidStream(t *testing.T) {
	const (
		role      = `{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]`
		hello     = `{"content":"Hello"},"logprobs":null,"finish_reason":null}]`
		from      = `{"content":" from"},"logprobs":null,"finish_reason":null}]`
		the       = `{"content":" the"},"logprobs":null,"finish_reason":null}]`
		mockText  = `{"content":" mock."},"logprobs":null,"finish_reason":null}]`
		stop      = `{},"logprobs":null,"finish_reason":"stop"}]`
		created   = `"created":0,`
		unreached = `{"error":{"message":"provider \"anthropic\" could not be reached (connection failure)","type":"api_error","param":null,"code":"upstream_unavailable"}}`
	)
	// What the client has of the broken Anthropic stream: everything before [DONE] is cut.
	truncated := strings.TrimSuffix(sseBody("msg_mock", created, "null", "", role, hello), "data: [DONE]\n\n")
	complete := sseBody("chatcmpl-mock", `"created":1700000000,`, `"fp_mock"`, "", role, hello, from, the, mockText, stop)

	wantTruncated := func(t *testing.T, r streamResult, index string) {
		t.Helper()
		if !errors.Is(r.err, io.ErrUnexpectedEOF) {
			t.Fatalf("stream ended with %v, want a reset (unexpected EOF); body %q", r.err, r.body)
		}
		wantStatus(t, r.result, 200)
		wantBody(t, norm(r.body), truncated)
		wantRoute(t, r.result, "anthropic", index, "0")
		if ct := r.header.Get("Content-Type"); ct != "text/event-stream" {
			t.Errorf("content-type %q", ct)
		}
	}
	wantUnreached := func(t *testing.T, r streamResult, index string) {
		t.Helper()
		wantRoute(t, r.result, "anthropic", index, "0")
		if r.err != nil {
			t.Fatalf("read: %v", r.err)
		}
		wantStatus(t, r.result, 502)
		wantBody(t, r.body, unreached)
		if got := r.header.Get("Content-Type"); got != "application/json" {
			t.Errorf("content-type %q", got)
		}
	}

	modes(t, func(t *testing.T, mode string) {
		g := start(t, withMode(mode, nil))
		reset := []string{"x-mock-anthropic-reset-after", "4"}

		t.Run("single target", func(t *testing.T) {
			tag := newTag(t)
			r := stream(t, g.URL(), append([]string{"x-portkey-provider", "anthropic", "x-mock-tag", tag}, reset...)...)
			if mode == "inline" {
				wantTruncated(t, r, "config")
			} else {
				wantUnreached(t, r, "config")
			}
			wantCalls(t, tag, map[string]int{"anthropic": 1})
		})

		t.Run("first of a fallback", func(t *testing.T) {
			tag := newTag(t)
			cfg := `{"strategy":{"mode":"fallback"},"targets":[{"provider":"anthropic"},{"provider":"openai"}]}`
			r := stream(t, g.URL(), append([]string{"x-portkey-config", cfg, "x-mock-tag", tag}, reset...)...)
			if mode == "inline" {
				wantTruncated(t, r, "config.targets[0]")
				wantCalls(t, tag, map[string]int{"anthropic": 1})
				return
			}
			if r.err != nil {
				t.Fatalf("read: %v", r.err)
			}
			wantStatus(t, r.result, 200)
			wantBody(t, r.body, complete)
			wantRoute(t, r.result, "openai", "config.targets[1]", "0")
			wantCalls(t, tag, map[string]int{"anthropic": 1, "openai": 1})
		})

		// The first attempt fails with a 500; the fallback callout's stream breaks.
		t.Run("callout rescue breaks", func(t *testing.T) {
			tag := newTag(t)
			r := stream(t, g.URL(), append([]string{"x-portkey-config", fallbackConfig, "x-mock-tag", tag, "x-mock-openai-status", "500"}, reset...)...)
			wantUnreached(t, r, "config.targets[1]")
			wantCalls(t, tag, map[string]int{"openai": 1, "anthropic": 1})
		})
	})
}

// TestAttemptFailureRoutingHeaders: an attempt that fails without an upstream answer (it timed
// out) is answered by the gateway with the same x-portkey-* routing headers as an upstream's
// own error, in both attempt modes.
func TestAttemptFailureRoutingHeaders(t *testing.T) {
	modes(t, func(t *testing.T, mode string) {
		g := start(t, withMode(mode, nil))
		cases := []struct {
			name, cfg, provider, index string
		}{
			{"single target", `{"provider":"openai","request_timeout":50}`, "openai", "config"},
			{"last of a fallback", `{"strategy":{"mode":"fallback"},"request_timeout":50,"targets":[{"provider":"openai"},{"provider":"cohere"}]}`,
				"cohere", "config.targets[1]"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				r := do(t, g, "POST", "/v1/chat/completions", chatBody, "x-portkey-config", c.cfg,
					"x-portkey-trace-id", "tr-408", "x-mock-tag", newTag(t), "x-mock-delay-ms", "3000")
				wantStatus(t, r, 408)
				wantBody(t, r.body, `{"error":{"message":"Request exceeded the timeout sent in the request: 50ms","type":"timeout_error","param":null,"code":null}}`)
				wantRoute(t, r, c.provider, c.index, "0")
				if got := r.header.Get("X-Portkey-Trace-Id"); got != "tr-408" {
					t.Errorf("trace id %q", got)
				}
			})
		}
	})
}

// TestStreamErrorEventEndsStream: when the provider ends its stream with its own error event
// (Anthropic's overloaded_error after two text pieces), the client's stream ends with the
// OpenAI error event, inline as it streams and when a callout rescued the request (the first
// target answered 500), and the read ends cleanly.
func TestStreamErrorEventEndsStream(t *testing.T) {
	const (
		role  = `{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]`
		hello = `{"content":"Hello"},"logprobs":null,"finish_reason":null}]`
		from  = `{"content":" from"},"logprobs":null,"finish_reason":null}]`
	)
	events := strings.TrimSuffix(sseBody("msg_mock", `"created":0,`, "null", "", role, hello, from), "data: [DONE]\n\n") +
		`data: {"error":{"message":"Overloaded","type":"overloaded_error","param":null,"code":"overloaded_error"}}` + "\n\n"
	modes(t, func(t *testing.T, mode string) {
		g := start(t, withMode(mode, nil))
		cases := []struct {
			name, model, index string
			hdr                []string
		}{
			{"first attempt", "m", "config", []string{"x-portkey-provider", "anthropic"}},
			{"callout rescue", "claude-3-5-haiku-latest", "config.targets[1]", []string{"x-portkey-config", fallbackConfig, "x-mock-openai-status", "500"}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				r := stream(t, g.URL(), append([]string{"x-mock-tag", newTag(t), "x-mock-stream-error-after", "2"}, c.hdr...)...)
				if r.err != nil {
					t.Fatalf("read: %v", r.err)
				}
				wantStatus(t, r.result, 200)
				wantBody(t, norm(r.body), strings.ReplaceAll(events, `"model":"m"`, `"model":"`+c.model+`"`))
				wantRoute(t, r.result, "anthropic", c.index, "0")
			})
		}
	})
}
