package azure

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"switchyard/translate"
)

func FuzzBuildRequest(f *testing.F) {
	body, err := os.ReadFile("testdata/chat_request.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(body, "acme", "gpt-4o", "", "", false)
	f.Add(body, "acme", "", "v1", "", true)
	f.Add([]byte(`{"stream":true}`), "", "d", "2024-10-21", "https://x.openai.azure.com/openai", false)
	f.Add([]byte(`{}`), "a.b", "../x", "1&x", "ftp://x", true)
	f.Fuzz(func(t *testing.T, body []byte, resource, deployment, version, endpoint string, ai bool) {
		id := "azure-openai"
		if ai {
			id = "azure-ai"
		}
		tg := translate.Target{Provider: translate.Lookup(id), APIKey: "k", Options: translate.Options{
			AzureResourceName: resource, AzureDeploymentID: deployment, AzureAPIVersion: version, AzureEndpoint: endpoint}}
		var r translate.UpstreamRequest
		err := (Adapter{}).BuildRequest(&translate.Call{Op: translate.OpChat}, &tg, body, &r)
		if err != nil {
			if _, ok := err.(*translate.Error); !ok {
				t.Fatalf("not a *translate.Error: %v", err)
			}
			return
		}
		// Whatever the client's headers say, the request must stay on an Azure host (or the
		// configured endpoint) and the path must not break out of the deployment segment.
		if endpoint == "" && !strings.HasSuffix(r.Authority, ".openai.azure.com") && !strings.HasSuffix(r.Authority, ".services.ai.azure.com") {
			t.Fatalf("authority %q", r.Authority)
		}
		if strings.ContainsAny(r.Authority, "/?#@ ") || strings.ContainsAny(r.Path, " #\r\n") || dotSegment(r.Path) ||
			!strings.HasPrefix(r.Path, "/") || strings.Count(r.Path, "?") > 1 {
			t.Fatalf("unsafe URL %s %s", r.Authority, r.Path)
		}
		if !json.Valid(r.Body) {
			t.Fatalf("invalid body %s", r.Body)
		}
	})
}

func dotSegment(path string) bool {
	path, _, _ = strings.Cut(path, "?")
	for _, seg := range strings.Split(path, "/") {
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}
