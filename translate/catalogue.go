package translate

import "strings"

// AuthStyle is how a provider takes its credential.
type AuthStyle uint8

const (
	AuthBearer  AuthStyle = iota // Authorization: Bearer <key>
	AuthAPIKey                   // api-key: <key> (Azure)
	AuthXAPIKey                  // x-api-key: <key> (Anthropic)
	AuthGoogKey                  // x-goog-api-key: <key> (Gemini)
	AuthSigV4                    // AWS Signature Version 4 (Bedrock)
	AuthNone                     // no credential (local Ollama)
)

// Provider is one catalogue entry, keyed by Portkey's provider id so existing
// x-portkey-provider values work unchanged.
//
// Host and BasePath may hold {placeholders} that only the provider's family can fill:
//   - azure-openai {resource}: Options.AzureResourceName (or Options.AzureEndpoint / CustomHost)
//   - azure-ai {resource}: Options.AzureResourceName (or Options.AzureEndpoint / CustomHost)
//   - vertex-ai {region}: Options.VertexRegion
//   - bedrock {region}: Options.AWSRegion
//   - workers-ai {account_id}: no Options field yet, so Target.CustomHost must carry the full
//     base URL (https://api.cloudflare.com/client/v4/accounts/<id>/ai/v1); the openai family
//     refuses a URL with an unfilled placeholder.
type Provider struct {
	ID       string
	Family   string // adapter family: "openai", "azure-openai", "anthropic", "google", "vertex-ai", "bedrock", "cohere"
	Scheme   string // "https" unless the provider is local
	Host     string // default upstream host[:port]; may hold {placeholders} the family fills
	BasePath string // prefix before the operation path, e.g. "/v1" or "/api/v1"
	Auth     AuthStyle
	Headers  []Header // fixed extra headers
	Ops      []Operation
	// NoStreamOptions: the provider rejects stream_options (Mistral answers 422
	// "extra_forbidden") and sends usage in its last chunk anyway, so the gateway must not add
	// it and strips a client's.
	NoStreamOptions bool
	// CustomHostKeepsBase: a custom host given without a path keeps BasePath (Portkey appends
	// /v1 to an Ollama custom host; for everyone else the custom host is the whole base URL).
	CustomHostKeepsBase bool
}

// Supports reports whether the provider serves op.
func (p *Provider) Supports(op Operation) bool {
	for _, o := range p.Ops {
		if o == op {
			return true
		}
	}
	return false
}

// BaseURL resolves where requests go: the catalogue's scheme, host and base path, or
// customHost ("scheme://host[:port][/base]") when set. Placeholders are left for the family.
func (p *Provider) BaseURL(customHost string) (scheme, authority, base string, err error) {
	if customHost == "" {
		scheme = p.Scheme
		if scheme == "" {
			scheme = "https"
		}
		return scheme, p.Host, p.BasePath, nil
	}
	scheme, authority, base, err = SplitURL(customHost)
	if err == nil && base == "" && p.CustomHostKeepsBase {
		base = p.BasePath
	}
	return scheme, authority, base, err
}

// SplitURL splits an absolute http(s) base URL into scheme, authority and path (without a
// trailing slash). A query or fragment is refused: the families append paths and their own
// query strings.
func SplitURL(u string) (scheme, authority, path string, err error) {
	switch {
	case strings.HasPrefix(u, "https://"):
		scheme, u = "https", u[len("https://"):]
	case strings.HasPrefix(u, "http://"):
		scheme, u = "http", u[len("http://"):]
	default:
		return "", "", "", Invalid("custom host must start with http:// or https://: " + quoteShort(u))
	}
	if strings.ContainsAny(u, "?# \t\r\n") {
		return "", "", "", Invalid("custom host must be a base URL without query, fragment or spaces: " + quoteShort(u))
	}
	authority, path = u, ""
	if i := strings.IndexByte(u, '/'); i >= 0 {
		authority, path = u[:i], u[i:]
	}
	if !validAuthority(authority) {
		return "", "", "", Invalid("custom host must name a host[:port] (no user info): " + quoteShort(u))
	}
	return scheme, authority, strings.TrimRight(path, "/"), nil
}

// validAuthority accepts host[:port] with a DNS name, IPv4 or bracketed IPv6 host; user info
// ("user@host") and anything else that could redirect the request is refused.
func validAuthority(a string) bool {
	if a == "" || a[0] == ':' {
		return false
	}
	for i := 0; i < len(a); i++ {
		c := a[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '.' || c == '-' || c == '_' || c == ':' || c == '[' || c == ']') {
			return false
		}
	}
	return true
}

// HasPlaceholder reports whether s still holds a {placeholder}.
func HasPlaceholder(s string) bool { return strings.IndexByte(s, '{') >= 0 }

// Fill replaces {name} in tmpl by value. It allocates only when tmpl holds the placeholder.
func Fill(tmpl, name, value string) string {
	i := strings.Index(tmpl, "{"+name+"}")
	if i < 0 {
		return tmpl
	}
	return tmpl[:i] + value + tmpl[i+len(name)+2:]
}

func quoteShort(s string) string {
	if len(s) > 80 {
		s = s[:80] + "..."
	}
	return "\"" + s + "\""
}

var (
	opsAll       = []Operation{OpChat, OpCompletions, OpEmbeddings}
	opsChat      = []Operation{OpChat}
	opsChatCompl = []Operation{OpChat, OpCompletions}
	opsChatEmbed = []Operation{OpChat, OpEmbeddings}
)

// catalogue: hosts and paths follow each provider's OpenAI-compatible API reference and
// Portkey's gateway (src/providers/*/api.ts); where Portkey still points at a retired host the
// provider's current documented one is used (noted inline).
var catalogue = []Provider{
	{ID: "openai", Family: "openai", Host: "api.openai.com", BasePath: "/v1", Ops: opsAll},
	{ID: "azure-openai", Family: "azure-openai", Host: "{resource}.openai.azure.com", BasePath: "/openai", Auth: AuthAPIKey, Ops: opsAll},
	// Azure AI Foundry model inference (serverless and Foundry models): the model goes in the
	// body; "extra-parameters: drop" (Portkey's default) keeps models that do not know an
	// OpenAI field (stream_options, ...) from failing the request.
	{ID: "azure-ai", Family: "azure-openai", Host: "{resource}.services.ai.azure.com", BasePath: "/models", Auth: AuthBearer,
		Headers: []Header{{"extra-parameters", "drop"}}, Ops: opsChatEmbed},
	// The anthropic family sets anthropic-version itself (Options.AnthropicVersion).
	{ID: "anthropic", Family: "anthropic", Host: "api.anthropic.com", BasePath: "/v1", Auth: AuthXAPIKey, Ops: opsChat},
	{ID: "google", Family: "google", Host: "generativelanguage.googleapis.com", BasePath: "/v1beta", Auth: AuthGoogKey, Ops: opsChatEmbed},
	{ID: "vertex-ai", Family: "vertex-ai", Host: "{region}-aiplatform.googleapis.com", BasePath: "/v1", Auth: AuthBearer, Ops: opsChatEmbed},
	{ID: "bedrock", Family: "bedrock", Host: "bedrock-runtime.{region}.amazonaws.com", Auth: AuthSigV4, Ops: opsChatEmbed},
	{ID: "cohere", Family: "cohere", Host: "api.cohere.com", BasePath: "/v2", Ops: opsChatEmbed},
	{ID: "mistral-ai", Family: "openai", Host: "api.mistral.ai", BasePath: "/v1", Ops: opsChatEmbed, NoStreamOptions: true},
	{ID: "groq", Family: "openai", Host: "api.groq.com", BasePath: "/openai/v1", Ops: opsChat},
	{ID: "together-ai", Family: "openai", Host: "api.together.xyz", BasePath: "/v1", Ops: opsAll},
	{ID: "fireworks-ai", Family: "openai", Host: "api.fireworks.ai", BasePath: "/inference/v1", Ops: opsAll},
	// DeepSeek documents https://api.deepseek.com/chat/completions (the /v1 alias also works).
	{ID: "deepseek", Family: "openai", Host: "api.deepseek.com", Ops: opsChat},
	{ID: "perplexity-ai", Family: "openai", Host: "api.perplexity.ai", Ops: opsChat},
	{ID: "x-ai", Family: "openai", Host: "api.x.ai", BasePath: "/v1", Ops: opsAll},
	{ID: "openrouter", Family: "openai", Host: "openrouter.ai", BasePath: "/api/v1", Ops: opsChatCompl},
	{ID: "ollama", Family: "openai", Scheme: "http", Host: "localhost:11434", BasePath: "/v1", Auth: AuthNone, Ops: opsAll, CustomHostKeepsBase: true},
	{ID: "deepinfra", Family: "openai", Host: "api.deepinfra.com", BasePath: "/v1/openai", Ops: opsAll},
	{ID: "anyscale", Family: "openai", Host: "api.endpoints.anyscale.com", BasePath: "/v1", Ops: opsAll},
	{ID: "cerebras", Family: "openai", Host: "api.cerebras.ai", BasePath: "/v1", Ops: opsChatCompl},
	{ID: "sambanova", Family: "openai", Host: "api.sambanova.ai", BasePath: "/v1", Ops: opsChat},
	{ID: "novita-ai", Family: "openai", Host: "api.novita.ai", BasePath: "/v3/openai", Ops: opsChatCompl},
	{ID: "moonshot", Family: "openai", Host: "api.moonshot.cn", BasePath: "/v1", Ops: opsChat},
	{ID: "zhipu", Family: "openai", Host: "open.bigmodel.cn", BasePath: "/api/paas/v4", Ops: opsChatEmbed},
	{ID: "z-ai", Family: "openai", Host: "api.z.ai", BasePath: "/api/paas/v4", Ops: opsChat},
	// International DashScope endpoint, as Portkey uses (mainland: dashscope.aliyuncs.com).
	{ID: "dashscope", Family: "openai", Host: "dashscope-intl.aliyuncs.com", BasePath: "/compatible-mode/v1", Ops: opsChatEmbed},
	// Lambda's documented host (Portkey still uses the older api.lambdalabs.com alias).
	{ID: "lambda", Family: "openai", Host: "api.lambda.ai", BasePath: "/v1", Ops: opsChatCompl},
	// Nebius AI Studio's documented host (api.studio.nebius.ai is the older alias).
	{ID: "nebius", Family: "openai", Host: "api.studio.nebius.com", BasePath: "/v1", Ops: opsAll},
	// Hugging Face Inference Providers router (OpenAI-compatible); the per-model
	// api-inference.huggingface.co/models/<id>/v1 form is retired.
	{ID: "huggingface", Family: "openai", Host: "router.huggingface.co", BasePath: "/v1", Ops: opsChat},
	// GitHub Models (models.inference.ai.azure.com, which Portkey uses, is being retired).
	{ID: "github", Family: "openai", Host: "models.github.ai", BasePath: "/inference", Ops: opsChatEmbed},
	{ID: "lingyi", Family: "openai", Host: "api.lingyiwanwu.com", BasePath: "/v1", Ops: opsChat},
	{ID: "siliconflow", Family: "openai", Host: "api.siliconflow.cn", BasePath: "/v1", Ops: opsChatEmbed},
	{ID: "hyperbolic", Family: "openai", Host: "api.hyperbolic.xyz", BasePath: "/v1", Ops: opsChatCompl},
	{ID: "inference-net", Family: "openai", Host: "api.inference.net", BasePath: "/v1", Ops: opsChat},
	// Upstage's current base (the /v1/solar prefix Portkey uses is the legacy alias).
	{ID: "upstage", Family: "openai", Host: "api.upstage.ai", BasePath: "/v1", Ops: opsChatEmbed},
	{ID: "featherless-ai", Family: "openai", Host: "api.featherless.ai", BasePath: "/v1", Ops: opsChatCompl},
	{ID: "nscale", Family: "openai", Host: "inference.api.nscale.com", BasePath: "/v1", Ops: opsChat},
	{ID: "kluster-ai", Family: "openai", Host: "api.kluster.ai", BasePath: "/v1", Ops: opsChatEmbed},
	{ID: "lepton", Family: "openai", Host: "api.lepton.ai", BasePath: "/api/v1", Ops: opsChatCompl},
	// Cloudflare's OpenAI-compatible endpoint; {account_id} comes through CustomHost (see above).
	{ID: "workers-ai", Family: "openai", Host: "api.cloudflare.com", BasePath: "/client/v4/accounts/{account_id}/ai/v1", Ops: opsChatEmbed},
}

var byID = func() map[string]*Provider {
	m := make(map[string]*Provider, len(catalogue))
	for i := range catalogue {
		p := &catalogue[i]
		if p.Scheme == "" {
			p.Scheme = "https"
		}
		m[p.ID] = p
	}
	return m
}()

// Lookup returns the catalogue entry for a Portkey provider id, nil when unknown. The entry is
// shared: callers must not modify it.
func Lookup(id string) *Provider { return byID[id] }

// Providers lists every catalogue entry in catalogue order (shared, read-only).
func Providers() []*Provider {
	out := make([]*Provider, len(catalogue))
	for i := range catalogue {
		out[i] = &catalogue[i]
	}
	return out
}
