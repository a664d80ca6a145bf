package azure

import (
	"bytes"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"switchyard/translate"
	"switchyard/translate/internal/goldentest"
)

func TestRegistered(t *testing.T) {
	for _, id := range []string{"azure-openai", "azure-ai"} {
		a, ok := translate.For(translate.Lookup(id).Family)
		if !ok {
			t.Fatalf("%s: family not registered", id)
		}
		if _, ok := a.(Adapter); !ok {
			t.Fatalf("%s: wrong adapter %T", id, a)
		}
	}
}

func TestRequestGolden(t *testing.T) {
	cases := []struct {
		name, provider, in string
		op                 translate.Operation
		target             translate.Target
	}{
		{"req_deployment_chat", "azure-openai", "chat_request.json", translate.OpChat, translate.Target{APIKey: "azkey",
			Options: translate.Options{AzureResourceName: "acme-eastus", AzureDeploymentID: "gpt4o-prod"}}},
		{"req_deployment_stream_version", "azure-openai", "stream_request.json", translate.OpChat, translate.Target{APIKey: "azkey",
			Options: translate.Options{AzureResourceName: "acme", AzureDeploymentID: "gpt-4o", AzureAPIVersion: "2025-04-01-preview"}}},
		{"req_deployment_from_model", "azure-openai", "stream_request.json", translate.OpChat, translate.Target{APIKey: "azkey",
			Options: translate.Options{AzureResourceName: "acme"}}},
		{"req_deployment_embeddings", "azure-openai", "embeddings_request.json", translate.OpEmbeddings, translate.Target{APIKey: "azkey",
			Options: translate.Options{AzureResourceName: "acme", AzureDeploymentID: "text-embedding-3-large"}}},
		{"req_v1_chat", "azure-openai", "chat_request.json", translate.OpChat, translate.Target{APIKey: "azkey",
			Options: translate.Options{AzureResourceName: "acme", AzureDeploymentID: "gpt-4.1-mini", AzureAPIVersion: "v1"}}},
		{"req_v1_endpoint", "azure-openai", "stream_request.json", translate.OpChat, translate.Target{APIKey: "azkey", Model: "o4-mini",
			Options: translate.Options{AzureEndpoint: "https://acme.openai.azure.com/openai/v1/", AzureAPIVersion: "v1"}}},
		{"req_v1_endpoint_preview", "azure-openai", "stream_request.json", translate.OpChat, translate.Target{APIKey: "azkey",
			Options: translate.Options{AzureEndpoint: "https://acme.openai.azure.com/openai/v1", AzureAPIVersion: "preview", AzureDeploymentID: "gpt-5"}}},
		{"req_endpoint_deployment", "azure-openai", "stream_request.json", translate.OpChat, translate.Target{APIKey: "azkey",
			Options: translate.Options{AzureEndpoint: "https://acme.openai.azure.com", AzureDeploymentID: "chat"}}},
		{"req_custom_host_loopback", "azure-openai", "stream_request.json", translate.OpChat, translate.Target{APIKey: "azkey",
			CustomHost: "http://127.0.0.1:9000/openai", Options: translate.Options{AzureDeploymentID: "chat"}}},
		{"req_ai_inference", "azure-ai", "stream_request.json", translate.OpChat, translate.Target{APIKey: "aikey",
			Model: "DeepSeek-R1", Options: translate.Options{AzureResourceName: "acme-foundry"}}},
		{"req_ai_inference_deployment", "azure-ai", "embeddings_request.json", translate.OpEmbeddings, translate.Target{APIKey: "aikey",
			Options: translate.Options{AzureResourceName: "acme-foundry", AzureDeploymentID: "cohere-embed-v3", AzureAPIVersion: "2024-05-01-preview"}}},
		{"req_ai_serverless_endpoint", "azure-ai", "chat_request.json", translate.OpChat, translate.Target{APIKey: "aikey",
			Options: translate.Options{AzureEndpoint: "https://Meta-Llama-3-1-8B.eastus2.models.ai.azure.com"}}},
		{"req_ai_v1", "azure-ai", "stream_request.json", translate.OpChat, translate.Target{APIKey: "aikey",
			Options: translate.Options{AzureResourceName: "acme-foundry", AzureAPIVersion: "v1"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tg := tc.target
			tg.Provider = translate.Lookup(tc.provider)
			c := &translate.Call{Op: tc.op}
			var r translate.UpstreamRequest
			if err := (Adapter{}).BuildRequest(c, &tg, goldentest.Read(t, tc.in), &r); err != nil {
				t.Fatal(err)
			}
			goldentest.Check(t, tc.name+".golden", goldentest.DumpRequest(c, &r))
		})
	}
}

func TestRequestErrors(t *testing.T) {
	body := []byte(`{"messages":[{"role":"user","content":"hi"}]}`)
	cases := []struct {
		name, provider string
		op             translate.Operation
		opts           translate.Options
		msg            string
	}{
		{"no resource", "azure-openai", translate.OpChat, translate.Options{AzureDeploymentID: "d"},
			"azure-openai needs an Azure resource name (x-portkey-azure-resource-name) or an endpoint URL"},
		{"host injection", "azure-openai", translate.OpChat, translate.Options{AzureResourceName: "evil.com/x?", AzureDeploymentID: "d"},
			`invalid Azure resource name "evil.com/x?": use letters, digits and '-'`},
		{"deployment injection", "azure-openai", translate.OpChat, translate.Options{AzureResourceName: "acme", AzureDeploymentID: "../../x"},
			`invalid Azure deployment id "../../x": use letters, digits, '.', '_' and '-'`},
		{"version injection", "azure-openai", translate.OpChat, translate.Options{AzureResourceName: "acme", AzureDeploymentID: "d", AzureAPIVersion: "1&x=y"},
			`invalid Azure api-version "1&x=y"`},
		{"no deployment", "azure-openai", translate.OpChat, translate.Options{AzureResourceName: "acme"},
			"azure-openai needs a deployment id (x-portkey-azure-deployment-id) or a model naming the deployment"},
		{"ai completions", "azure-ai", translate.OpCompletions, translate.Options{AzureResourceName: "acme"},
			"azure-ai does not support the completions operation"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tg := translate.Target{Provider: translate.Lookup(tc.provider), Options: tc.opts}
			var r translate.UpstreamRequest
			err := (Adapter{}).BuildRequest(&translate.Call{Op: tc.op}, &tg, body, &r)
			e, ok := err.(*translate.Error)
			if !ok || e.Status != 400 || e.Message != tc.msg {
				t.Fatalf("got %#v", err)
			}
		})
	}
}

func TestResponsePassthrough(t *testing.T) {
	cases := []struct {
		in   string
		want translate.Usage
	}{
		{"chat_response.json", translate.Usage{PromptTokens: 1520, CompletionTokens: 40, TotalTokens: 1560, CachedTokens: 1280}},
		{"filtered_response.json", translate.Usage{PromptTokens: 25, CompletionTokens: 12, TotalTokens: 37}},
	}
	for _, tc := range cases {
		in := goldentest.Read(t, tc.in)
		out, u, err := (Adapter{}).TranslateResponse(&translate.Call{Op: translate.OpChat}, in, nil)
		if err != nil {
			t.Fatal(err)
		}
		// prompt_filter_results / content_filter_results reach the client unchanged.
		if !bytes.Equal(out, in) {
			t.Errorf("%s: not byte-exact", tc.in)
		}
		if u != tc.want {
			t.Errorf("%s: usage %+v", tc.in, u)
		}
	}
}

func runStream(includeUsage bool, chunks [][]byte) []byte {
	return goldentest.DumpStream((Adapter{}).NewStream(&translate.Call{Op: translate.OpChat, Stream: true, IncludeUsage: includeUsage}), chunks)
}

func TestStreamGolden(t *testing.T) {
	in := goldentest.Read(t, "chat_stream.sse")
	goldentest.Check(t, "chat_stream.golden", runStream(false, [][]byte{in}))
	goldentest.Check(t, "chat_stream_include_usage.golden", runStream(true, [][]byte{in}))
	want := runStream(false, [][]byte{in})
	crlf := bytes.ReplaceAll(in, []byte("\n"), []byte("\r\n"))
	for i := 0; i <= len(crlf); i++ {
		if got := runStream(false, [][]byte{crlf[:i], crlf[i:]}); !bytes.Equal(got, want) {
			t.Fatalf("split at %d differs:\n%s", i, got)
		}
	}
}

func TestErrorGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/err_*.body")
	if len(files) < 6 {
		t.Fatalf("only %d error fixtures", len(files))
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".body")
		t.Run(name, func(t *testing.T) {
			status, _ := strconv.Atoi(name[strings.LastIndexByte(name, '_')+1:])
			out := (Adapter{}).TranslateError(status, goldentest.Read(t, filepath.Base(f)), nil)
			goldentest.Check(t, name+".golden", append(out, '\n'))
		})
	}
}

func TestDotDeploymentRefused(t *testing.T) {
	for _, dep := range []string{".", "..", "..."} {
		tg := translate.Target{Provider: translate.Lookup("azure-openai"),
			Options: translate.Options{AzureResourceName: "acme", AzureDeploymentID: dep}}
		var r translate.UpstreamRequest
		if err := (Adapter{}).BuildRequest(&translate.Call{Op: translate.OpChat}, &tg, []byte(`{}`), &r); err == nil {
			t.Errorf("%q accepted: %s", dep, r.Path)
		}
	}
}
