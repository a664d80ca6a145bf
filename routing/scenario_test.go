package routing

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/scenarios/*.golden")

// scenario is one end-to-end routing case: a config as a client sends it, the request, and
// how the upstreams answer. The golden file holds the attempts the plugin would make and the
// Portkey response headers it would set.
type scenario struct {
	About    string          `json:"about"`
	Config   json.RawMessage `json:"config"`
	Metadata json.RawMessage `json:"metadata"`
	Body     json.RawMessage `json:"body"`
	Path     string          `json:"path"`
	Rand     []float64       `json:"rand"`
	// Script answers by provider (the last status repeats); Answers answers by call order.
	Script  map[string][]int `json:"script"`
	Answers []struct {
		Status       int               `json:"status"`
		Headers      map[string]string `json:"headers"`
		ConnFailure  bool              `json:"conn_failure"`
		GatewayError bool              `json:"gateway_error"`
	} `json:"answers"`
}

var scenarioKeys = VirtualKeyMap{
	"openai-virtual-key":    {Provider: "openai", APIKeyEnv: "OPENAI_API_KEY"},
	"anthropic-virtual-key": {Provider: "anthropic", APIKeyEnv: "ANTHROPIC_API_KEY", Options: KnownOptions{AnthropicVersion: "2023-06-01"}},
}

var optionKeys = []string{"resource_name", "deployment_id", "api_version", "azure_foundry_url",
	"aws_access_key_id", "aws_secret_access_key", "aws_session_token", "aws_region", "vertex_project_id",
	"vertex_region", "anthropic_version", "anthropic_beta", "openai_organization", "openai_project"}

func TestScenarios(t *testing.T) {
	files, err := filepath.Glob("testdata/scenarios/*.json")
	if err != nil || len(files) == 0 {
		t.Fatal("no scenarios", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var sc scenario
			if err := json.Unmarshal(raw, &sc); err != nil {
				t.Fatal(err)
			}
			got := runScenario(t, &sc)
			golden := strings.TrimSuffix(file, ".json") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Fatalf("%s\n--- got\n%s--- want\n%s", sc.About, got, want)
			}
		})
	}
}

func runScenario(t *testing.T, sc *scenario) string {
	ps := &Parser{VirtualKeys: scenarioKeys}
	cfg, err := ps.Resolve(string(sc.Config), HeaderProvider{})
	if err != nil {
		return "config error: " + err.Error() + "\n"
	}
	clk := &fakeClock{t0}
	rnd := sc.Rand
	if len(rnd) == 0 {
		rnd = []float64{0}
	}
	req := RequestInfo{Metadata: sc.Metadata, Body: sc.Body, Path: sc.Path}
	if req.Path == "" {
		req.Path = "/v1/chat/completions"
	}
	p := NewPlan(cfg, req, Deps{Rand: seq(rnd...), Now: clk.Now})
	var b strings.Builder
	fmt.Fprintf(&b, "max attempts: %d\n", cfg.MaxAttempts())
	calls := map[string]int{}
	for n := 0; ; n++ {
		a, wait, ok := p.Next()
		if !ok {
			break
		}
		clk.t = clk.t.Add(wait)
		key := a.APIKey
		if key == "" && a.APIKeyEnv != "" {
			key = "$" + a.APIKeyEnv
		}
		fmt.Fprintf(&b, "+%v %s try %d: provider=%s key=%s timeout=%v override=%s", clk.t.Sub(t0), a.Path, a.Try, a.Provider, key, a.Timeout, a.OverrideParams)
		for _, key := range optionKeys {
			if v := *a.Options.Known.field(key); v != "" {
				fmt.Fprintf(&b, " %s=%s", key, v)
			}
		}
		b.WriteString("\n")
		var o Outcome
		switch {
		case sc.Script != nil:
			s := sc.Script[a.Provider]
			i := min(calls[a.Provider], len(s)-1)
			calls[a.Provider]++
			o.Status = s[i]
		case n < len(sc.Answers):
			ans := sc.Answers[n]
			o = Outcome{Status: ans.Status, ConnFailure: ans.ConnFailure, GatewayError: ans.GatewayError}
			h := ans.Headers
			o.Header = func(name string) string { return h[name] }
		default:
			t.Fatalf("no answer for call %d", n+1)
		}
		switch {
		case o.GatewayError:
			fmt.Fprintf(&b, "  <- gateway error %d\n", o.Status)
		case o.ConnFailure:
			b.WriteString("  <- connection failure\n")
		default:
			fmt.Fprintf(&b, "  <- %d\n", o.Status)
		}
		clk.t = clk.t.Add(100 * time.Millisecond) // every call takes 100ms
		p.Report(o)
	}
	if err := p.Err(); err != nil {
		fmt.Fprintf(&b, "error: %v\n", err)
	}
	path, retries := p.Result()
	fmt.Fprintf(&b, "x-portkey-last-used-option-index: %s\nx-portkey-retry-attempt-count: %d\n", path, retries)
	return b.String()
}
