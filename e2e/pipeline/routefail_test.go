package pipeline

import "testing"

// TestRoutingErrorAfterFailedAttempt: when a failed first target hands over to a conditional
// that matches nothing and has no default, the plan ends with a routing error, which answers
// 400 (as before any attempt, and as Portkey's conditional router throws) rather than passing
// the failed attempt's upstream error off as the answer.
func TestRoutingErrorAfterFailedAttempt(t *testing.T) {
	const cfg = `{"strategy":{"mode":"fallback"},"targets":[{"provider":"anthropic"},` +
		`{"strategy":{"mode":"conditional","conditions":[{"query":{"metadata.tier":"gold"},"then":"gold"}]},` +
		`"targets":[{"name":"gold","provider":"openai"}]}]}`
	modes(t, func(t *testing.T, mode string) {
		g := start(t, withMode(mode, nil))
		tag := newTag(t)
		r := do(t, g, "POST", "/v1/chat/completions", chatBody, "x-portkey-config", cfg,
			"x-mock-tag", tag, "x-mock-anthropic-status", "500", "x-portkey-metadata", `{"tier":"free"}`)
		wantStatus(t, r, 400)
		wantBody(t, r.body, `{"error":{"message":"routing: config.targets[1]: no condition matched and strategy.default is not set","type":"invalid_request_error","param":null,"code":"routing_failed"}}`)
		only(t, "anthropic", tag)
		if n := len(mock("openai").Tagged(tag)); n != 0 {
			t.Errorf("openai called %d times", n)
		}
	})
}
