package translate

import (
	"strings"
	"testing"
)

var requiredProviders = []string{
	"openai", "azure-openai", "azure-ai", "anthropic", "google", "vertex-ai", "bedrock", "cohere",
	"mistral-ai", "groq", "together-ai", "fireworks-ai", "deepseek", "perplexity-ai", "x-ai",
	"openrouter", "ollama", "deepinfra", "anyscale", "cerebras", "sambanova", "novita-ai",
	"moonshot", "zhipu", "z-ai", "dashscope", "lambda", "nebius", "huggingface", "github",
	"lingyi", "siliconflow", "hyperbolic", "inference-net", "upstage", "featherless-ai", "nscale",
	"kluster-ai", "lepton", "workers-ai",
}

var knownFamilies = map[string]bool{
	"openai": true, "azure-openai": true, "anthropic": true, "google": true,
	"vertex-ai": true, "bedrock": true, "cohere": true,
}

func TestCatalogueEntries(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range Providers() {
		t.Run(p.ID, func(t *testing.T) {
			if seen[p.ID] {
				t.Fatalf("duplicate id")
			}
			seen[p.ID] = true
			if !knownFamilies[p.Family] {
				t.Errorf("unknown family %q", p.Family)
			}
			if p.Host == "" || strings.ContainsAny(p.Host, "/ ") {
				t.Errorf("bad host %q", p.Host)
			}
			if p.Scheme != "https" && !(p.Scheme == "http" && p.ID == "ollama") {
				t.Errorf("scheme %q", p.Scheme)
			}
			if p.BasePath != "" && (!strings.HasPrefix(p.BasePath, "/") || strings.HasSuffix(p.BasePath, "/")) {
				t.Errorf("base path %q must start and not end with /", p.BasePath)
			}
			if !p.Supports(OpChat) {
				t.Errorf("every provider serves chat")
			}
			if len(p.Ops) == 0 || len(p.Ops) > 3 {
				t.Errorf("ops %v", p.Ops)
			}
			for _, o := range p.Ops {
				if o.String() == "unknown" {
					t.Errorf("bad op %d", o)
				}
			}
			for _, h := range p.Headers {
				if h.Name != strings.ToLower(h.Name) || h.Name == "" || h.Value == "" {
					t.Errorf("header %+v must be lower case and non-empty", h)
				}
			}
			if p.Auth == AuthSigV4 && p.Family != "bedrock" {
				t.Errorf("SigV4 only for bedrock")
			}
			if Lookup(p.ID) != p {
				t.Errorf("Lookup does not return the catalogue entry")
			}
		})
	}
	for _, id := range requiredProviders {
		if Lookup(id) == nil {
			t.Errorf("missing provider %q", id)
		}
	}
	if Lookup("no-such-provider") != nil {
		t.Error("unknown id must give nil")
	}
}

func TestCatalogueSpotChecks(t *testing.T) {
	cases := []struct {
		id, family, scheme, host, base string
		auth                           AuthStyle
		embed, compl                   bool
	}{
		{"openai", "openai", "https", "api.openai.com", "/v1", AuthBearer, true, true},
		{"azure-openai", "azure-openai", "https", "{resource}.openai.azure.com", "/openai", AuthAPIKey, true, true},
		{"azure-ai", "azure-openai", "https", "{resource}.services.ai.azure.com", "/models", AuthBearer, true, false},
		{"anthropic", "anthropic", "https", "api.anthropic.com", "/v1", AuthXAPIKey, false, false},
		{"google", "google", "https", "generativelanguage.googleapis.com", "/v1beta", AuthGoogKey, true, false},
		{"vertex-ai", "vertex-ai", "https", "{region}-aiplatform.googleapis.com", "/v1", AuthBearer, true, false},
		{"bedrock", "bedrock", "https", "bedrock-runtime.{region}.amazonaws.com", "", AuthSigV4, true, false},
		{"cohere", "cohere", "https", "api.cohere.com", "/v2", AuthBearer, true, false},
		{"groq", "openai", "https", "api.groq.com", "/openai/v1", AuthBearer, false, false},
		{"fireworks-ai", "openai", "https", "api.fireworks.ai", "/inference/v1", AuthBearer, true, true},
		{"openrouter", "openai", "https", "openrouter.ai", "/api/v1", AuthBearer, false, true},
		{"deepinfra", "openai", "https", "api.deepinfra.com", "/v1/openai", AuthBearer, true, true},
		{"perplexity-ai", "openai", "https", "api.perplexity.ai", "", AuthBearer, false, false},
		{"ollama", "openai", "http", "localhost:11434", "/v1", AuthNone, true, true},
		{"zhipu", "openai", "https", "open.bigmodel.cn", "/api/paas/v4", AuthBearer, true, false},
		{"dashscope", "openai", "https", "dashscope-intl.aliyuncs.com", "/compatible-mode/v1", AuthBearer, true, false},
		{"workers-ai", "openai", "https", "api.cloudflare.com", "/client/v4/accounts/{account_id}/ai/v1", AuthBearer, true, false},
		{"mistral-ai", "openai", "https", "api.mistral.ai", "/v1", AuthBearer, true, false},
	}
	for _, c := range cases {
		p := Lookup(c.id)
		if p == nil {
			t.Fatalf("%s missing", c.id)
		}
		if p.Family != c.family || p.Scheme != c.scheme || p.Host != c.host || p.BasePath != c.base || p.Auth != c.auth {
			t.Errorf("%s = %s %s://%s%s auth %d; want %s %s://%s%s auth %d", c.id,
				p.Family, p.Scheme, p.Host, p.BasePath, p.Auth, c.family, c.scheme, c.host, c.base, c.auth)
		}
		if p.Supports(OpEmbeddings) != c.embed || p.Supports(OpCompletions) != c.compl {
			t.Errorf("%s ops %v", c.id, p.Ops)
		}
	}
	if !Lookup("mistral-ai").NoStreamOptions || Lookup("openai").NoStreamOptions {
		t.Error("NoStreamOptions: mistral-ai only")
	}
}

func TestBaseURL(t *testing.T) {
	cases := []struct {
		id, custom              string
		scheme, authority, base string
		wantErr                 bool
	}{
		{"openai", "", "https", "api.openai.com", "/v1", false},
		{"openai", "http://127.0.0.1:8080/proxy/v1/", "http", "127.0.0.1:8080", "/proxy/v1", false},
		{"openai", "https://gw.example", "https", "gw.example", "", false},
		{"ollama", "http://10.0.0.5:11434", "http", "10.0.0.5:11434", "/v1", false},
		{"ollama", "http://10.0.0.5:11434/custom", "http", "10.0.0.5:11434", "/custom", false},
		{"openai", "ftp://x", "", "", "", true},
		{"openai", "https://x/v1?a=b", "", "", "", true},
		{"openai", "https:///v1", "", "", "", true},
		{"openai", "http://@", "", "", "", true},
		{"openai", "https://user:pw@evil.example/v1", "", "", "", true},
		{"openai", "https://[::1]:8443/v1", "https", "[::1]:8443", "/v1", false},
	}
	for _, c := range cases {
		s, a, b, err := Lookup(c.id).BaseURL(c.custom)
		if (err != nil) != c.wantErr {
			t.Errorf("%s %q: err %v", c.id, c.custom, err)
			continue
		}
		if err != nil {
			if e, ok := err.(*Error); !ok || e.Status != 400 {
				t.Errorf("%q: want a 400 *Error, got %#v", c.custom, err)
			}
			continue
		}
		if s != c.scheme || a != c.authority || b != c.base {
			t.Errorf("%s %q = %s %s %s", c.id, c.custom, s, a, b)
		}
	}
}

func TestFill(t *testing.T) {
	if got := Fill("{resource}.openai.azure.com", "resource", "acme"); got != "acme.openai.azure.com" {
		t.Error(got)
	}
	if got := Fill("bedrock-runtime.{region}.amazonaws.com", "region", "eu-west-1"); got != "bedrock-runtime.eu-west-1.amazonaws.com" {
		t.Error(got)
	}
	if got := Fill("api.openai.com", "region", "x"); got != "api.openai.com" {
		t.Error(got)
	}
	if !HasPlaceholder("/a/{account_id}/b") || HasPlaceholder("/a/b") {
		t.Error("HasPlaceholder")
	}
}
