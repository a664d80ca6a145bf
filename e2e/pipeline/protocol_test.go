package pipeline

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

func sha(s string) string {
	d := sha256.Sum256([]byte(s))
	return hex.EncodeToString(d[:])
}

// TestGatewayAuthentication: with gateway_keys configured, nothing happens without a valid key;
// the key never reaches a provider and is never taken for a provider key.
func TestGatewayAuthentication(t *testing.T) {
	g := start(t, func(pc map[string]any) {
		pc["gateway_keys"] = []string{sha("gw-secret-1"), sha("gw-secret-2")}
		delete(pc, "allow_unauthenticated_stored_keys")
	})
	const denied = `{"error":{"message":"missing or invalid gateway key: send it in the x-switchyard-key header (or x-portkey-api-key, or Authorization: Bearer <key>)","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}`
	for _, hdr := range [][]string{nil, {"x-switchyard-key", "wrong"}, {"Authorization", "Bearer wrong"}, {"Authorization", "Bearer sk-openai-client"}} {
		tag := newTag(t)
		// The config header is invalid too: authentication comes before anything else.
		r := do(t, g, "POST", "/v1/chat/completions", chatBody, append(hdr, "x-portkey-config", "{", "x-mock-tag", tag)...)
		wantStatus(t, r, 401)
		wantBody(t, r.body, denied)
	}
	for i, hdr := range [][]string{{"x-switchyard-key", "gw-secret-1"}, {"Authorization", "Bearer gw-secret-2"}, {"x-portkey-api-key", "gw-secret-1"}} {
		tag := newTag(t)
		r := do(t, g, "POST", "/v1/chat/completions", chatBody, append(hdr, "x-portkey-provider", "openai", "x-mock-tag", tag)...)
		wantStatus(t, r, 200)
		up := only(t, "openai", tag)
		if got := up.Header.Get("Authorization"); got != "Bearer sk-mock" {
			t.Errorf("case %d: upstream authorization %q, want the stored key", i, got)
		}
		noGatewayHeaders(t, up)
	}
	// An authenticated client may still bring its own provider key.
	tag := newTag(t)
	r := do(t, g, "POST", "/v1/chat/completions", chatBody, "x-switchyard-key", "gw-secret-1",
		"Authorization", "Bearer sk-client", "x-portkey-provider", "openai", "x-mock-tag", tag)
	wantStatus(t, r, 200)
	if got := only(t, "openai", tag).Header.Get("Authorization"); got != "Bearer sk-client" {
		t.Errorf("client key replaced: %q", got)
	}
}

// TestStoredKeysNeedAuthentication: without gateway keys and without
// allow_unauthenticated_stored_keys, stored keys and virtual keys are refused.
func TestStoredKeysNeedAuthentication(t *testing.T) {
	g := start(t, func(pc map[string]any) { delete(pc, "allow_unauthenticated_stored_keys") })
	const refused = `{"error":{"message":"no provider API key in the request, and this gateway's stored keys need gateway authentication","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}`
	for _, hdr := range [][]string{{"x-portkey-provider", "openai"}, {"x-portkey-virtual-key", "claude-prod"}} {
		tag := newTag(t)
		r := do(t, g, "POST", "/v1/chat/completions", chatBody, append(hdr, "x-mock-tag", tag)...)
		wantStatus(t, r, 401)
		wantBody(t, r.body, refused)
	}
	tag := newTag(t)
	r := do(t, g, "POST", "/v1/chat/completions", chatBody, "x-portkey-provider", "openai", "Authorization", "Bearer sk-own", "x-mock-tag", tag)
	wantStatus(t, r, 200)
	if got := only(t, "openai", tag).Header.Get("Authorization"); got != "Bearer sk-own" {
		t.Errorf("authorization %q", got)
	}
}

// TestCredentialReachesOnlyItsProvider: a client key goes to the provider in its own header
// style; no other credential header passes.
func TestCredentialReachesOnlyItsProvider(t *testing.T) {
	g := start(t, nil)
	tag := newTag(t)
	r := do(t, g, "POST", "/v1/chat/completions", chatBody, "x-portkey-provider", "anthropic",
		"Authorization", "Bearer sk-ant-client", "x-goog-api-key", "g-key", "api-key", "az-key", "x-mock-tag", tag)
	wantStatus(t, r, 200)
	up := only(t, "anthropic", tag)
	if up.Header.Get("X-Api-Key") != "sk-ant-client" || up.Header.Get("Authorization") != "" ||
		up.Header.Get("X-Goog-Api-Key") != "" || up.Header.Get("Api-Key") != "" {
		t.Fatalf("upstream headers %v", up.Header)
	}
	// x-api-key is Anthropic's own credential header.
	tag = newTag(t)
	r = do(t, g, "POST", "/v1/chat/completions", chatBody, "x-portkey-provider", "anthropic", "x-api-key", "sk-ant-x", "x-mock-tag", tag)
	wantStatus(t, r, 200)
	if got := only(t, "anthropic", tag).Header.Get("X-Api-Key"); got != "sk-ant-x" {
		t.Fatalf("x-api-key %q", got)
	}
}

func TestVirtualKey(t *testing.T) {
	g := start(t, nil)
	tag := newTag(t)
	r := do(t, g, "POST", "/v1/chat/completions", chatBody, "x-portkey-virtual-key", "claude-prod", "x-mock-tag", tag)
	wantStatus(t, r, 200)
	if r.header.Get("X-Portkey-Provider") != "anthropic" || only(t, "anthropic", tag).Header.Get("X-Api-Key") != "sk-ant-mock" {
		t.Fatalf("%v", r.header)
	}
}

// TestProviderOptionHeaders: Azure, AWS, Vertex and Anthropic settings from x-portkey-* headers.
func TestProviderOptionHeaders(t *testing.T) {
	g := start(t, nil)
	cases := []struct {
		provider string
		hdr      []string
		host     string
		path     string
		check    [2]string
	}{
		{"azure-openai", []string{"x-portkey-azure-resource-name", "res2", "x-portkey-azure-deployment-id", "dep2", "x-portkey-azure-api-version", "2025-01-01"},
			"res2.openai.azure.com", "/openai/deployments/dep2/chat/completions?api-version=2025-01-01", [2]string{}},
		{"bedrock", []string{"x-portkey-aws-region", "eu-west-1"}, "bedrock-runtime.eu-west-1.amazonaws.com", "/model/gpt-4o-mini/converse", [2]string{}},
		{"vertex-ai", []string{"x-portkey-vertex-project-id", "p2", "x-portkey-vertex-region", "europe-west4"}, "europe-west4-aiplatform.googleapis.com",
			"/v1/projects/p2/locations/europe-west4/publishers/google/models/gpt-4o-mini:generateContent", [2]string{}},
		{"anthropic", []string{"x-portkey-anthropic-version", "2024-01-01", "x-portkey-anthropic-beta", "tools-1"}, "api.anthropic.com", "/v1/messages",
			[2]string{"Anthropic-Beta", "tools-1"}},
		{"openai", []string{"x-portkey-openai-organization", "org-1", "x-portkey-openai-project", "proj-1"}, "api.openai.com", "/v1/chat/completions",
			[2]string{"Openai-Project", "proj-1"}},
	}
	for _, c := range cases {
		t.Run(c.provider, func(t *testing.T) {
			tag := newTag(t)
			r := do(t, g, "POST", "/v1/chat/completions", chatBody, append(c.hdr, "x-portkey-provider", c.provider, "x-mock-tag", tag)...)
			wantStatus(t, r, 200)
			up := only(t, c.provider, tag)
			if up.Host != c.host || up.Path != c.path {
				t.Errorf("upstream %s %s", up.Host, up.Path)
			}
			if c.check[0] != "" && up.Header.Get(c.check[0]) != c.check[1] {
				t.Errorf("%s = %q", c.check[0], up.Header.Get(c.check[0]))
			}
			noGatewayHeaders(t, up)
		})
	}
}

// TestCustomHostAllowList: only allow-listed base URLs, mapped to their cluster.
func TestCustomHostAllowList(t *testing.T) {
	g := start(t, func(pc map[string]any) {
		pc["custom_hosts"] = map[string]any{"http://llm.internal:8080/v1": "openai"}
	})
	tag := newTag(t)
	r := do(t, g, "POST", "/v1/chat/completions", chatBody, "x-portkey-provider", "openai",
		"x-portkey-custom-host", "http://llm.internal:8080/v1/", "x-mock-tag", tag)
	wantStatus(t, r, 200)
	up := only(t, "openai", tag)
	if up.Host != "llm.internal:8080" || up.Path != "/v1/chat/completions" {
		t.Fatalf("upstream %s %s", up.Host, up.Path)
	}
	// A catalogue provider with no providers entry is reachable through an allowed custom host.
	tag = newTag(t)
	r = do(t, g, "POST", "/v1/chat/completions", chatBody, "x-portkey-config",
		`{"provider":"ollama","custom_host":"http://llm.internal:8080/v1"}`, "x-mock-tag", tag)
	wantStatus(t, r, 200)
	if up := only(t, "openai", tag); up.Host != "llm.internal:8080" || up.Path != "/v1/chat/completions" || up.Header.Get("Authorization") != "" {
		t.Fatalf("upstream %s %s %v", up.Host, up.Path, up.Header)
	}
	for _, h := range []string{"http://evil.example/v1", "http://llm.internal:8080/v2"} {
		tag := newTag(t)
		r := do(t, g, "POST", "/v1/chat/completions", chatBody, "x-portkey-provider", "openai", "x-portkey-custom-host", h, "x-mock-tag", tag)
		wantStatus(t, r, 400)
		wantBody(t, r.body, `{"error":{"message":"custom host \"`+h+`\" is not on this gateway's allow-list","type":"invalid_request_error","param":null,"code":"custom_host_not_allowed"}}`)
		if n := len(mock("openai").Tagged(tag)); n != 0 {
			t.Fatalf("request reached a provider")
		}
	}
}

// TestForwardHeaders: a header the gateway drops passes when the client asks for it.
func TestForwardHeaders(t *testing.T) {
	g := start(t, nil)
	tag := newTag(t)
	do(t, g, "POST", "/v1/chat/completions", chatBody, "x-portkey-provider", "openai", "openai-organization", "org-x",
		"x-custom", "kept", "x-mock-tag", tag)
	up := only(t, "openai", tag)
	if up.Header.Get("Openai-Organization") != "" || up.Header.Get("X-Custom") != "kept" {
		t.Fatalf("without forward: %v", up.Header)
	}
	tag = newTag(t)
	do(t, g, "POST", "/v1/chat/completions", chatBody, "x-portkey-provider", "openai", "openai-organization", "org-x",
		"x-portkey-forward-headers", "openai-organization, x-portkey-provider", "x-mock-tag", tag)
	up = only(t, "openai", tag)
	if up.Header.Get("Openai-Organization") != "org-x" {
		t.Fatalf("forwarded header missing: %v", up.Header)
	}
	noGatewayHeaders(t, up)
}

// TestModelsPassthrough: other /v1 paths go to OpenAI-compatible targets untouched.
func TestModelsPassthrough(t *testing.T) {
	g := start(t, nil)
	tag := newTag(t)
	r := do(t, g, "GET", "/v1/models", "", "x-portkey-provider", "openai", "x-mock-tag", tag)
	wantStatus(t, r, 200)
	if !strings.Contains(r.body, `"object":"list"`) || r.header.Get("X-Portkey-Provider") != "openai" {
		t.Fatalf("%v %s", r.header, r.body)
	}
	if up := only(t, "openai", tag); up.Path != "/v1/models" || up.Method != "GET" || up.Header.Get("Authorization") != "Bearer sk-mock" {
		t.Fatalf("upstream %s %s %v", up.Method, up.Path, up.Header)
	}
}

// TestBedrockSigV4FromHeaders: AWS credentials from x-portkey-aws-* headers sign the request;
// the secret never travels.
func TestBedrockSigV4FromHeaders(t *testing.T) {
	g := start(t, nil)
	tag := newTag(t)
	r := do(t, g, "POST", "/v1/chat/completions", chatBody, "x-portkey-provider", "bedrock",
		"x-portkey-aws-access-key-id", "AKIDEXAMPLE", "x-portkey-aws-secret-access-key", "wJalrXUtnFEMI-secret",
		"x-portkey-aws-session-token", "tok-1", "x-portkey-aws-region", "us-west-2", "x-mock-tag", tag)
	wantStatus(t, r, 200)
	up := only(t, "bedrock", tag)
	auth := up.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/") || !strings.Contains(auth, "/us-west-2/bedrock/aws4_request") ||
		up.Header.Get("X-Amz-Date") == "" || up.Header.Get("X-Amz-Security-Token") != "tok-1" || up.Host != "bedrock-runtime.us-west-2.amazonaws.com" {
		t.Fatalf("upstream %s %v", up.Host, up.Header)
	}
	for k, vs := range up.Header {
		for _, v := range vs {
			if strings.Contains(v, "wJalrXUtnFEMI-secret") {
				t.Fatalf("secret sent in %s", k)
			}
		}
	}
	noGatewayHeaders(t, up)
}

// TestAzureClientKey: Azure clients send their key in api-key; it reaches Azure in api-key.
func TestAzureClientKey(t *testing.T) {
	g := start(t, nil)
	tag := newTag(t)
	r := do(t, g, "POST", "/v1/chat/completions", chatBody, "x-portkey-provider", "azure-openai", "api-key", "az-client", "x-mock-tag", tag)
	wantStatus(t, r, 200)
	if up := only(t, "azure-openai", tag); up.Header.Get("Api-Key") != "az-client" || up.Header.Get("Authorization") != "" {
		t.Fatalf("upstream %v", up.Header)
	}
}
