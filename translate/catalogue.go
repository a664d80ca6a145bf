package translate

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
type Provider struct {
	ID       string
	Family   string // adapter family: "openai", "azure-openai", "anthropic", "google", "vertex-ai", "bedrock", "cohere"
	Scheme   string // "https" unless the provider is local
	Host     string // default upstream host[:port]; may hold {placeholders} the family fills
	BasePath string // prefix before the operation path, e.g. "/v1" or "/api/v1"
	Auth     AuthStyle
	Headers  []Header // fixed extra headers
	Ops      []Operation
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
