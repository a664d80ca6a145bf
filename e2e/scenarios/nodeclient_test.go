package scenarios

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestOpenAINodeClient runs the official openai npm package (pinned in
// testdata/openai-client/package-lock.json; `.ci/run` runs `npm ci` there)
// against the gateway: a JSON and a streamed chat completion.
func TestOpenAINodeClient(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not installed: the openai npm client scenario needs Node >= 20")
	}
	dir := filepath.Join("testdata", "openai-client")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "openai", "package.json")); err != nil {
		t.Skip("openai npm package not installed: run `npm ci` in e2e/scenarios/testdata/openai-client")
	}
	e := start(t, realModule(t), 1)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "client.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GATEWAY_URL="+e.gw.URL())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node client: %v\nstdout: %s\nstderr: %s", err, stdout.String(), stderr.String())
	}
	want := `{"json":{"id":"chatcmpl-mock","object":"chat.completion","model":"gpt-4o-mini","content":"Hello from the mock.","finish_reason":"stop","usage":16},` +
		`"stream":{"chunks":6,"content":"Hello from the mock.","finish_reason":"stop","objects":["chat.completion.chunk"]}}`
	if got := strings.TrimSpace(stdout.String()); got != want {
		t.Errorf("client saw\n got %s\nwant %s", got, want)
	}
	reqs := e.openai.Requests()
	if len(reqs) != 2 {
		t.Fatalf("provider saw %d requests", len(reqs))
	}
	for i, r := range reqs {
		if got := r.Header.Values("Authorization"); len(got) != 1 || got[0] != "Bearer sk-node-client" {
			t.Errorf("request %d: Authorization %q, want the client's own key", i, got)
		}
		if ua := r.Header.Get("User-Agent"); ua != "OpenAI/JS 6.49.0" {
			t.Errorf("request %d: User-Agent %q", i, ua)
		}
		for k := range r.Header {
			if strings.HasPrefix(strings.ToLower(k), "x-portkey-") {
				t.Errorf("request %d: gateway header %s reached the provider", i, k)
			}
		}
		if r.Method+" "+r.Host+r.Path != "POST api.openai.com/v1/chat/completions" {
			t.Errorf("request %d: %s %s%s", i, r.Method, r.Host, r.Path)
		}
	}
}
