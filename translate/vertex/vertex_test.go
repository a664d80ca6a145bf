package vertex

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"switchyard/translate"
	"switchyard/translate/internal/goldentest"
)

// The catalogue entry as translate/catalogue.go declares it.
var provider = &translate.Provider{
	ID: "vertex-ai", Family: "vertex-ai", Host: "{region}-aiplatform.googleapis.com", BasePath: "/v1",
	Auth: translate.AuthBearer, Ops: []translate.Operation{translate.OpChat, translate.OpEmbeddings},
}

func target(region string) *translate.Target {
	return &translate.Target{Provider: provider, APIKey: "ya29.test-token", Options: translate.Options{VertexProjectID: "my-proj", VertexRegion: region}}
}

func TestRegistered(t *testing.T) {
	if a, ok := translate.For("vertex-ai"); !ok || a == nil {
		t.Fatal("vertex-ai family not registered")
	}
}

func TestRequestGolden(t *testing.T) {
	cases := []struct {
		name, region string
		op           translate.Operation
		model        string // Call.Model after BuildRequest
		stream       bool
	}{
		{"gemini_chat", "us-central1", translate.OpChat, "gemini-2.0-flash-001", false},
		{"gemini_dotted_global", "global", translate.OpChat, "gemini-2.5-pro", true},
		{"embed_predict", "europe-west4", translate.OpEmbeddings, "text-embedding-005", false},
		{"claude_chat", "us-east5", translate.OpChat, "claude-3-5-sonnet-v2@20241022", false},
		{"claude_stream", "us-east5", translate.OpChat, "claude-sonnet-4@20250514", true},
		{"llama_stream", "us-central1", translate.OpChat, "meta/llama-3.3-70b-instruct-maas", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := &translate.Call{Op: tc.op, ID: "chatcmpl-test", Created: 1700000000}
			var r translate.UpstreamRequest
			if err := (Adapter{}).BuildRequest(c, target(tc.region), goldentest.Read(t, "request/"+tc.name+".json"), &r); err != nil {
				t.Fatalf("BuildRequest: %v", err)
			}
			if !json.Valid(r.Body) {
				t.Fatalf("body is not JSON: %s", r.Body)
			}
			if c.Model != tc.model || c.Stream != tc.stream {
				t.Errorf("call model %q stream %v, want %q %v", c.Model, c.Stream, tc.model, tc.stream)
			}
			goldentest.Check(t, "request/"+tc.name+".golden", goldentest.FormatRequest(&r))
		})
	}
}

func TestRequestErrors(t *testing.T) {
	chat := `{"model":"gemini-2.0-flash","messages":[{"role":"user","content":"x"}]}`
	cases := []struct {
		name    string
		body    string
		opts    translate.Options
		op      translate.Operation
		code    string
		message string
	}{
		{"no project", chat, translate.Options{VertexRegion: "us-central1"}, translate.OpChat, "invalid_request", "x-portkey-vertex-project-id"},
		{"no region", chat, translate.Options{VertexProjectID: "p"}, translate.OpChat, "invalid_request", "x-portkey-vertex-region"},
		{"bad region", chat, translate.Options{VertexProjectID: "p", VertexRegion: "us/../x"}, translate.OpChat, "invalid_request", "may hold only"},
		{"mistral publisher", `{"model":"mistralai.mistral-large-2411","messages":[]}`, translate.Options{VertexProjectID: "p", VertexRegion: "r"}, translate.OpChat, "unsupported_operation", "publisher mistralai"},
		{"llama embeddings", `{"model":"meta.llama-3.3-70b-instruct-maas","input":"x"}`, translate.Options{VertexProjectID: "p", VertexRegion: "r"}, translate.OpEmbeddings, "unsupported_operation", "chat completions only"},
		{"claude embeddings", `{"model":"claude-3-haiku@20240307","input":"x"}`, translate.Options{VertexProjectID: "p", VertexRegion: "r"}, translate.OpEmbeddings, "unsupported_operation", "chat completions only"},
		{"google claude", `{"model":"google.claude-3","messages":[]}`, translate.Options{VertexProjectID: "p", VertexRegion: "r"}, translate.OpChat, "invalid_request", "published by anthropic"},
		{"path injection", `{"model":"gemini:generateContent?x","messages":[]}`, translate.Options{VertexProjectID: "p", VertexRegion: "r"}, translate.OpChat, "invalid_request", "contains characters"},
		{"completions", `{"model":"gemini-2.0-flash","prompt":"x"}`, translate.Options{VertexProjectID: "p", VertexRegion: "r"}, translate.OpCompletions, "unsupported_operation", "completions"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := &translate.Call{Op: tc.op}
			var r translate.UpstreamRequest
			err := (Adapter{}).BuildRequest(c, &translate.Target{Provider: provider, Options: tc.opts}, []byte(tc.body), &r)
			te, ok := err.(*translate.Error)
			if !ok || te.Code != tc.code || !strings.Contains(te.Message, tc.message) {
				t.Fatalf("got %#v, want code %s containing %q", err, tc.code, tc.message)
			}
		})
	}
}

func TestPublisher(t *testing.T) {
	cases := []struct{ in, pub, name string }{
		{"gemini-2.0-flash", "google", "gemini-2.0-flash"},
		{"google.gemini-2.0-flash", "google", "gemini-2.0-flash"},
		{"google/gemini-1.5-pro-002", "google", "gemini-1.5-pro-002"},
		{"anthropic.claude-3-opus@20240229", "anthropic", "claude-3-opus@20240229"},
		{"anthropic/claude-3-haiku@20240307", "anthropic", "claude-3-haiku@20240307"},
		{"claude-opus-4@20250514", "anthropic", "claude-opus-4@20250514"},
		{"publishers/anthropic/models/claude-3-5-haiku@20241022", "anthropic", "claude-3-5-haiku@20241022"},
		{"gemini-1.5-flash.001", "google", "gemini-1.5-flash.001"},
		{"meta.llama-3.1-405b-instruct-maas", "meta", "llama-3.1-405b-instruct-maas"},
		{"meta/llama-4-scout-17b-16e-instruct-maas", "meta", "llama-4-scout-17b-16e-instruct-maas"},
	}
	for _, tc := range cases {
		pub, name, err := Publisher(tc.in)
		if err != nil || pub != tc.pub || name != tc.name {
			t.Errorf("Publisher(%q) = %q, %q, %v; want %q, %q", tc.in, pub, name, err, tc.pub, tc.name)
		}
	}
}

func TestCustomHostAndOverrides(t *testing.T) {
	tg := target("us-central1")
	tg.CustomHost = "http://127.0.0.1:9000/vertex"
	tg.Model = "anthropic.claude-3-5-haiku@20241022"
	tg.OverrideParams = []byte(`{"max_tokens":50}`)
	c := &translate.Call{Op: translate.OpChat}
	var r translate.UpstreamRequest
	if err := (Adapter{}).BuildRequest(c, tg, []byte(`{"model":"gemini-2.0-flash","max_tokens":10,"messages":[{"role":"user","content":"x"}]}`), &r); err != nil {
		t.Fatal(err)
	}
	got := r.Scheme + "://" + r.Authority + r.Path
	want := "http://127.0.0.1:9000/vertex/projects/my-proj/locations/us-central1/publishers/anthropic/models/claude-3-5-haiku@20241022:rawPredict"
	if got != want {
		t.Errorf("url %s, want %s", got, want)
	}
	if !bytes.Contains(r.Body, []byte(`"max_tokens":50`)) || bytes.Contains(r.Body, []byte(`"model"`)) {
		t.Errorf("body %s: want the override max_tokens and no model", r.Body)
	}
}

func TestResponseGolden(t *testing.T) {
	cases := []struct {
		name, model string
		op          translate.Operation
		usage       translate.Usage
	}{
		{"gemini", "gemini-2.0-flash-001", translate.OpChat, translate.Usage{PromptTokens: 265, CompletionTokens: 9, TotalTokens: 274}},
		{"claude", "claude-3-5-sonnet-v2@20241022", translate.OpChat, translate.Usage{PromptTokens: 12, CompletionTokens: 8, TotalTokens: 20}},
		{"predict", "text-embedding-005", translate.OpEmbeddings, translate.Usage{PromptTokens: 6, TotalTokens: 6}},
		{"llama", "meta/llama-3.3-70b-instruct-maas", translate.OpChat, translate.Usage{PromptTokens: 11, CompletionTokens: 7, TotalTokens: 18}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := &translate.Call{Op: tc.op, ID: "chatcmpl-test", Created: 1700000000, Model: tc.model}
			out, u, err := (Adapter{}).TranslateResponse(c, goldentest.Read(t, "response/"+tc.name+".json"), nil)
			if err != nil {
				t.Fatal(err)
			}
			if !json.Valid(out) {
				t.Fatalf("not JSON: %s", out)
			}
			if u != tc.usage {
				t.Errorf("usage %+v, want %+v", u, tc.usage)
			}
			goldentest.Check(t, "response/"+tc.name+".golden", append(out, '\n'))
		})
	}
}

func TestStreamGolden(t *testing.T) {
	cases := []struct {
		name, model string
		usage       translate.Usage
	}{
		{"gemini", "gemini-2.5-pro", translate.Usage{PromptTokens: 3, CompletionTokens: 22, TotalTokens: 25, ReasoningTokens: 20}},
		{"claude", "claude-sonnet-4@20250514", translate.Usage{PromptTokens: 14, CompletionTokens: 9, TotalTokens: 23}},
		{"llama", "meta/llama-3.3-70b-instruct-maas", translate.Usage{PromptTokens: 11, CompletionTokens: 2, TotalTokens: 13}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := goldentest.Read(t, "stream/"+tc.name+".sse")
			run := func(step int) []byte {
				c := &translate.Call{Op: translate.OpChat, Stream: true, IncludeUsage: true, ID: "chatcmpl-test", Created: 1700000000, Model: tc.model}
				s := (Adapter{}).NewStream(c)
				var out []byte
				var err error
				for off := 0; off < len(in); off += step {
					if out, err = s.Feed(out, in[off:min(off+step, len(in))]); err != nil {
						t.Fatal(err)
					}
				}
				if out, err = s.Finish(out); err != nil {
					t.Fatal(err)
				}
				if u := s.Usage(); u != tc.usage {
					t.Errorf("usage %+v, want %+v", u, tc.usage)
				}
				return out
			}
			out := run(len(in))
			for _, step := range []int{1, 7, 64} {
				if got := run(step); !bytes.Equal(got, out) {
					t.Fatalf("step %d: output differs", step)
				}
			}
			goldentest.Check(t, "stream/"+tc.name+".golden", out)
		})
	}
}

func TestErrorGolden(t *testing.T) {
	cases := []struct {
		name   string
		status int
	}{
		{"google_unauthenticated", 401},
		{"google_not_found_array", 404},
		{"anthropic_overloaded", 529},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := (Adapter{}).TranslateError(tc.status, goldentest.Read(t, "error/"+tc.name+".txt"), nil)
			if !json.Valid(out) {
				t.Fatalf("not JSON: %s", out)
			}
			goldentest.Check(t, "error/"+tc.name+".golden", append(out, '\n'))
		})
	}
}

// The catalogue's own entries (not test copies) build the documented URLs.
func TestCatalogueEntries(t *testing.T) {
	p := translate.Lookup("vertex-ai")
	if p == nil || p.Family != Family {
		t.Fatalf("catalogue vertex-ai entry: %+v", p)
	}
	for region, want := range map[string]string{
		"us-central1": "https://us-central1-aiplatform.googleapis.com/v1/projects/my-proj/locations/us-central1/publishers/google/models/gemini-2.0-flash:generateContent",
		"global":      "https://aiplatform.googleapis.com/v1/projects/my-proj/locations/global/publishers/google/models/gemini-2.0-flash:generateContent",
	} {
		tg := target(region)
		tg.Provider = p
		var r translate.UpstreamRequest
		if err := (Adapter{}).BuildRequest(&translate.Call{Op: translate.OpChat}, tg, []byte(`{"model":"gemini-2.0-flash","messages":[{"role":"user","content":"x"}]}`), &r); err != nil {
			t.Fatal(err)
		}
		if got := r.Scheme + "://" + r.Authority + r.Path; got != want {
			t.Errorf("%s: %s, want %s", region, got, want)
		}
	}
}

func TestAnthropicBetaHeader(t *testing.T) {
	tg := target("us-east5")
	tg.Options.AnthropicBeta = "context-1m-2025-08-07"
	var r translate.UpstreamRequest
	if err := (Adapter{}).BuildRequest(&translate.Call{Op: translate.OpChat}, tg, []byte(`{"model":"claude-sonnet-4@20250514","messages":[{"role":"user","content":"x"}]}`), &r); err != nil {
		t.Fatal(err)
	}
	last := r.Headers[len(r.Headers)-1]
	if last.Name != "anthropic-beta" || last.Value != "context-1m-2025-08-07" {
		t.Errorf("headers %+v", r.Headers)
	}
}
