// Package vertex is the "vertex-ai" family: Google Vertex AI. Gemini models go to
// publishers/google (the Gemini wire format from translate/gemini), Claude models to
// publishers/anthropic rawPredict/streamRawPredict (the Anthropic Messages body from
// translate/anthropic, with anthropic_version "vertex-2023-10-16" in the body and no model).
//
// Model names follow Portkey's convention: "<publisher>.<model>" with publisher google,
// anthropic or meta ("anthropic.claude-3-5-sonnet-v2@20241022", "meta.llama-3.3-70b-instruct-maas");
// "<publisher>/<model>" and the resource form "publishers/<publisher>/models/<model>" are read
// the same way, and a bare "claude-..." name goes to Anthropic. Every other name is a Google
// model. Meta's Llama models are served by Vertex's OpenAI-compatible MaaS endpoint
// (endpoints/openapi/chat/completions, body model "meta/<model>"), so their request and answer
// go through translate/openai. Portkey's other publishers (mistralai, endpoints) use custom
// endpoints this family does not build; they are refused with a clear message.
//
// Credentials: Target.APIKey is an OAuth2 access token sent as "Authorization: Bearer"
// (Options.AnthropicBeta becomes the anthropic-beta header for Claude); this
// package never talks to a metadata server or signs service-account JWTs. Project and region
// come from Options (x-portkey-vertex-project-id / x-portkey-vertex-region, or
// vertex_project_id / vertex_region in a config); region "global" uses the global host
// aiplatform.googleapis.com.
package vertex

import (
	"strings"

	"github.com/tidwall/gjson"

	"switchyard/translate"
	"switchyard/translate/anthropic"
	"switchyard/translate/gemini"
	"switchyard/translate/openai"
)

// Family is the catalogue family name this package registers.
const Family = "vertex-ai"

func init() { translate.Register(Family, Adapter{}) }

// Adapter implements translate.Adapter for Vertex AI.
type Adapter struct{}

// defaultProvider stands in for a target without a catalogue entry.
var defaultProvider = translate.Provider{ID: "vertex-ai", Family: Family, Scheme: "https", Host: "{region}-aiplatform.googleapis.com", BasePath: "/v1", Auth: translate.AuthBearer}

// Publisher splits a client model name into the Vertex publisher ("google" or "anthropic")
// and the model id, or returns an error for publishers this family does not serve.
func Publisher(model string) (publisher, name string, err error) {
	name = model
	if rest, ok := strings.CutPrefix(model, "publishers/"); ok {
		if p, m, ok := strings.Cut(rest, "/models/"); ok {
			publisher, name = p, m
		}
	} else if i := strings.IndexAny(model, "./"); i > 0 {
		switch p := model[:i]; p {
		case "google", "anthropic", "meta", "mistralai", "endpoints":
			publisher, name = p, model[i+1:]
		}
	}
	switch publisher {
	case "":
		publisher = "google"
		if strings.HasPrefix(name, "claude-") {
			publisher = "anthropic"
		}
	case "google", "anthropic", "meta":
	default:
		return "", "", translate.Unsupported("Vertex AI publisher " + publisher + " is not supported by this gateway; google (Gemini), anthropic (Claude) and meta (Llama) models are")
	}
	return publisher, name, nil
}

// IsOpenAIShaped reports whether a Call's upstream model is served by the OpenAI-compatible
// MaaS endpoint (its body model is "meta/<model>").
func IsOpenAIShaped(model string) bool { return strings.HasPrefix(model, "meta/") }

// IsAnthropic reports whether a Call's upstream model is a Claude model, so the answer is
// Anthropic-shaped.
func IsAnthropic(model string) bool { return strings.HasPrefix(model, "claude-") }

// BuildRequest implements translate.Adapter.
func (Adapter) BuildRequest(c *translate.Call, t *translate.Target, body []byte, dst *translate.UpstreamRequest) error {
	body, model, err := gemini.PrepareBody(t, body)
	if err != nil {
		return err
	}
	if model == "" {
		return translate.Invalid("model is required")
	}
	publisher, name, err := Publisher(model)
	if err != nil {
		return err
	}
	if !gemini.ValidModel(name) {
		return translate.Invalid("model name " + quote(name) + " contains characters Vertex AI model names never have")
	}
	if publisher == "anthropic" && !IsAnthropic(name) {
		return translate.Invalid("Vertex AI anthropic models are named claude-...; got " + quote(name))
	}
	if publisher == "google" && IsAnthropic(name) {
		return translate.Invalid("claude models are published by anthropic on Vertex AI, not google")
	}
	project, region := t.Options.VertexProjectID, t.Options.VertexRegion
	if project == "" {
		return translate.Invalid("Vertex AI needs a project id: set the x-portkey-vertex-project-id header or vertex_project_id in the config")
	}
	if region == "" {
		return translate.Invalid("Vertex AI needs a region: set the x-portkey-vertex-region header or vertex_region in the config")
	}
	if !validSegment(project) || !validSegment(region) {
		return translate.Invalid("Vertex AI project id and region may hold only letters, digits, '-', '_', '.' and ':'")
	}
	base, err := setUpstream(t, region, dst)
	if err != nil {
		return err
	}
	dst.Method = "POST"
	if publisher == "meta" {
		if c.Op != translate.OpChat {
			return translate.Unsupported("Llama on Vertex AI serves chat completions only")
		}
		mt := *t
		mt.OverrideParams, mt.Model = nil, "meta/"+name
		if dst.Body, err = openai.AppendBody(dst.Body, c, &mt, body); err != nil {
			return err
		}
		dst.Path = base + "/projects/" + project + "/locations/" + region + "/endpoints/openapi/chat/completions"
		return nil
	}
	prefix := base + "/projects/" + project + "/locations/" + region + "/publishers/" + publisher + "/models/" + name
	if publisher == "anthropic" {
		if c.Op != translate.OpChat {
			return translate.Unsupported("Claude on Vertex AI serves chat completions only")
		}
		// The body is already merged; the model is the one in the URL.
		at := *t
		at.OverrideParams, at.Model = nil, name
		if dst.Body, err = anthropic.BuildBody(c, &at, body, dst.Body, anthropic.VertexVersion); err != nil {
			return err
		}
		// Claude's beta features are switched on by the same header on Vertex AI.
		if t.Options.AnthropicBeta != "" {
			dst.Headers = append(dst.Headers, translate.Header{Name: "anthropic-beta", Value: t.Options.AnthropicBeta})
		}
		if c.Stream {
			dst.Path = prefix + ":streamRawPredict"
		} else {
			dst.Path = prefix + ":rawPredict"
		}
		return nil
	}
	c.Model = name
	switch c.Op {
	case translate.OpChat:
		var info gemini.ChatInfo
		if dst.Body, info, err = gemini.AppendChatRequest(dst.Body, body, name); err != nil {
			return err
		}
		c.Stream, c.IncludeUsage = info.Stream, info.IncludeUsage
		if c.Stream {
			dst.Path = prefix + ":streamGenerateContent?alt=sse"
		} else {
			dst.Path = prefix + ":generateContent"
		}
	case translate.OpEmbeddings:
		if dst.Body, err = appendPredictRequest(dst.Body, body); err != nil {
			return err
		}
		dst.Path = prefix + ":predict"
	default:
		return translate.Unsupported("Vertex AI does not support the " + c.Op.String() + " operation; use chat completions")
	}
	return nil
}

func quote(s string) string {
	if len(s) > 60 {
		s = s[:60]
	}
	return `"` + s + `"`
}

func validSegment(s string) bool {
	if len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == ':' {
			continue
		}
		return false
	}
	return !strings.Contains(s, "..")
}

// setUpstream fills scheme, authority and headers and returns the base path. The catalogue
// host carries {region}; the global region has no regional host.
func setUpstream(t *translate.Target, region string, dst *translate.UpstreamRequest) (string, error) {
	p := t.Provider
	if p == nil {
		p = &defaultProvider
	}
	scheme, authority, base, err := p.BaseURL(t.CustomHost)
	if err != nil {
		return "", err
	}
	if authority == "" {
		authority = defaultProvider.Host
	}
	if region == "global" && authority == "{region}-aiplatform.googleapis.com" {
		authority = "aiplatform.googleapis.com"
	}
	authority = translate.Fill(authority, "region", region)
	if base == "" && t.CustomHost == "" {
		base = defaultProvider.BasePath
	}
	dst.Scheme, dst.Authority = scheme, authority
	dst.Headers = append(dst.Headers, translate.Header{Name: "content-type", Value: "application/json"})
	dst.Headers = append(dst.Headers, p.Headers...)
	if t.APIKey != "" && p.Auth != translate.AuthNone {
		dst.Headers = append(dst.Headers, translate.Header{Name: "authorization", Value: "Bearer " + t.APIKey})
	}
	return base, nil
}

// appendPredictRequest builds the :predict body of Vertex text-embedding models:
// {"instances":[{"content":...}],"parameters":{"outputDimensionality":N}}.
func appendPredictRequest(dst []byte, body []byte) ([]byte, error) {
	input, dims, err := gemini.EmbedInput(body)
	if err != nil {
		return dst, err
	}
	dst = append(dst, `{"instances":[`...)
	one := func(v gjson.Result) {
		dst = append(dst, `{"content":`...)
		dst = append(dst, v.Raw...)
		dst = append(dst, '}')
	}
	if input.Type == gjson.String {
		one(input)
	} else {
		i := 0
		input.ForEach(func(_, v gjson.Result) bool {
			if i > 0 {
				dst = append(dst, ',')
			}
			i++
			one(v)
			return true
		})
	}
	dst = append(dst, ']')
	if dims.Type == gjson.Number {
		dst = append(dst, `,"parameters":{"outputDimensionality":`...)
		dst = append(dst, dims.Raw...)
		dst = append(dst, '}')
	}
	return append(dst, '}'), nil
}

// TranslateResponse implements translate.Adapter.
func (Adapter) TranslateResponse(c *translate.Call, body []byte, dst []byte) ([]byte, translate.Usage, error) {
	if IsOpenAIShaped(c.Model) {
		return openai.TranslateResponse(c, body, dst)
	}
	if IsAnthropic(c.Model) {
		return anthropic.Adapter{}.TranslateResponse(c, body, dst)
	}
	return gemini.Adapter{}.TranslateResponse(c, body, dst)
}

// TranslateError implements translate.Adapter. Vertex's own front answers in Google's shape
// even for Claude models (auth, quota, unknown model); Claude's errors from rawPredict are
// Anthropic-shaped ({"type":"error",...}) and go through the Anthropic adapter.
func (Adapter) TranslateError(status int, body []byte, dst []byte) []byte {
	if gjson.GetBytes(body, "type").Str == "error" {
		return anthropic.Adapter{}.TranslateError(status, body, dst)
	}
	return gemini.AppendError(dst, status, body, "Vertex AI")
}

// NewStream implements translate.Adapter.
func (Adapter) NewStream(c *translate.Call) translate.Stream {
	if IsOpenAIShaped(c.Model) {
		return openai.NewStream(c)
	}
	if IsAnthropic(c.Model) {
		return anthropic.Adapter{}.NewStream(c)
	}
	return gemini.NewStream(c)
}
