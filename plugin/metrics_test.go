package plugin

import (
	"strconv"
	"strings"
	"testing"
)

func TestMetricName(t *testing.T) {
	for _, c := range []struct {
		k    metricKey
		want string
	}{
		{metricKey{kind: mRequests, provider: "openai", status: "2xx"}, "switchyard_requests_total_provider=.=openai;.;_status=.=2xx;.;"},
		{metricKey{kind: mTokensPrompt, provider: "anthropic", model: "claude-3-5-haiku"}, "switchyard_tokens_total_provider=.=anthropic;.;_model=.=claude-3-5-haiku;.;_kind=.=prompt;.;"},
		{metricKey{kind: mTokensCompletion, provider: "openai", model: "gpt-4.1"}, "switchyard_tokens_total_provider=.=openai;.;_model=.=gpt-4.1;.;_kind=.=completion;.;"},
		{metricKey{kind: mDuration, provider: "none"}, "switchyard_request_duration_ms_provider=.=none;.;"},
		{metricKey{kind: mAttempts}, "switchyard_upstream_attempts_total"},
		{metricKey{kind: mRetries}, "switchyard_retries_total"},
		{metricKey{kind: mFallbacks}, "switchyard_fallbacks_total"},
	} {
		if got := metricName(c.k); got != c.want {
			t.Errorf("metricName(%+v) = %q, want %q", c.k, got, c.want)
		}
	}
}

// TestModelLabelBounded: client-chosen model names cannot grow the stat set without bound nor
// break the tag delimiters.
func TestModelLabelBounded(t *testing.T) {
	var m vmMetrics
	if got := m.modelLabel("a;.;_status=.=x"); got != "a_.__status_._x" {
		t.Errorf("sanitized label %q", got)
	}
	if got := m.modelLabel(strings.Repeat("m", 100)); got != strings.Repeat("m", maxModelLabel) {
		t.Errorf("long label %q", got)
	}
	if got := m.modelLabel(""); got != "none" {
		t.Errorf("empty model label %q", got)
	}
	for i := 0; len(m.models) < maxModelLabels; i++ {
		m.modelLabel("model-" + strconv.Itoa(i))
	}
	if got := m.modelLabel("one-too-many"); got != "other" {
		t.Errorf("label past the cap %q, want other", got)
	}
	if got := m.modelLabel("model-0"); got != "model-0" {
		t.Errorf("known model after the cap %q", got)
	}
}

func TestStatusClassAndProvider(t *testing.T) {
	for st, want := range map[int]string{0: "none", 101: "1xx", 200: "2xx", 204: "2xx", 302: "3xx", 429: "4xx", 503: "5xx", 999: "none"} {
		if got := statusClass(st); got != want {
			t.Errorf("statusClass(%d) = %q, want %q", st, got, want)
		}
	}
	for id, want := range map[string]string{"": "none", "openai": "openai", "no-such-provider": "unknown"} {
		if got := providerLabel(id); got != want {
			t.Errorf("providerLabel(%q) = %q, want %q", id, got, want)
		}
	}
}

func TestConfigAccessLog(t *testing.T) {
	base := `{"providers":{"openai":{"cluster":"openai"}}`
	for _, c := range []struct {
		extra string
		on    bool
		err   string
	}{
		{"", false, ""},
		{`,"access_log":true`, true, ""},
		{`,"access_log":false`, false, ""},
		{`,"access_log":"yes"`, false, `access_log must be true or false (got "yes")`},
	} {
		cfg, err := parseConfig([]byte(base+c.extra+"}"), func(string) string { return "" })
		switch {
		case c.err != "":
			if err == nil || err.Error() != c.err {
				t.Errorf("%s: error %v, want %q", c.extra, err, c.err)
			}
		case err != nil:
			t.Errorf("%s: %v", c.extra, err)
		case cfg.accessLog != c.on:
			t.Errorf("%s: accessLog %v", c.extra, cfg.accessLog)
		}
	}
}
