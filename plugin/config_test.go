package plugin

import (
	"strings"
	"testing"
)

func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(testConfig))
	f.Add([]byte(`{"providers":{"p":{"cluster":"c","host":"h:443"}}}`))
	f.Add([]byte(`{"cluster_header":"x","max_request_body_bytes":1e3,"providers":{"p":{}}}`))
	f.Add([]byte(`{"providers":{"p":{"cluster":"c","host":"h","api_key_env":"K"}},"providers":{}}`))
	getenv := func(string) string { return "sk-fuzz" }
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := parseConfig(data, getenv)
		if err != nil {
			if strings.Contains(err.Error(), "sk-fuzz") {
				t.Fatalf("error leaks the key: %v", err)
			}
			return
		}
		if len(c.providers) == 0 || c.maxRequestBodyBytes <= 0 || !validHeaderName(c.clusterHeader) {
			t.Fatalf("accepted inconsistent config %+v", c)
		}
		for id, p := range c.providers {
			if id == "" || p.cluster == "" || p.host == "" || (p.scheme != "https" && p.scheme != "http") {
				t.Fatalf("accepted provider %q: %+v", id, p)
			}
			if p.apiKeyEnv != "" && p.authorization != "Bearer sk-fuzz" {
				t.Fatalf("provider %q: authorization %q", id, p.authorization)
			}
		}
	})
}
