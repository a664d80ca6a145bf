// Package translate turns an OpenAI-format request into what a provider expects, and the
// provider's answer (JSON, stream, error) back into exactly what the OpenAI API would have
// returned. It is pure Go (gjson, sjson, std): it never imports the proxy-wasm ABI, so it runs
// natively in tests and benchmarks exactly as it runs inside the module.
//
// One small contract serves every provider API family: an Adapter builds the upstream request
// and translates JSON answers and errors, and creates a Stream that translates a streamed
// answer fed in arbitrary chunks. Families register themselves (Register) from their own file,
// so adding one touches no other.
package translate

import (
	"errors"
	"sync"
	"time"
)

// Operation is the OpenAI API call the client made.
type Operation uint8

const (
	OpChat        Operation = iota + 1 // POST /v1/chat/completions
	OpCompletions                      // POST /v1/completions (legacy)
	OpEmbeddings                       // POST /v1/embeddings
)

func (o Operation) String() string {
	switch o {
	case OpChat:
		return "chat"
	case OpCompletions:
		return "completions"
	case OpEmbeddings:
		return "embeddings"
	}
	return "unknown"
}

// Header is one HTTP header to set on the upstream request. Names are lower case.
type Header struct{ Name, Value string }

// Options carries the provider-specific settings a target may have (Portkey's config keys and
// x-portkey-* headers). Fields a family does not use are ignored.
type Options struct {
	// Azure OpenAI / Azure AI.
	AzureResourceName string // {resource}.openai.azure.com
	AzureDeploymentID string // deployment in the URL
	AzureAPIVersion   string // api-version query parameter
	AzureEndpoint     string // full base URL (AI Foundry / v1 form), overrides resource
	// AWS.
	AWSAccessKeyID     string
	AWSSecretAccessKey string
	AWSSessionToken    string
	AWSRegion          string
	// Google Vertex AI.
	VertexProjectID string
	VertexRegion    string
	// Anthropic.
	AnthropicVersion string
	AnthropicBeta    string
	// OpenAI.
	OpenAIOrganization string
	OpenAIProject      string
}

// Target is one resolved attempt: which provider, with what credentials and overrides.
type Target struct {
	Provider *Provider
	// Model replaces the client's model when not empty.
	Model string
	// APIKey is the provider credential (bearer token, api key). Never logged.
	APIKey string
	// CustomHost, when set, is a base URL ("https://host:port/base") that replaces the
	// catalogue's scheme, host and base path.
	CustomHost string
	// OverrideParams is a raw JSON object whose keys replace (deep-merge into) the request body.
	OverrideParams []byte
	Options        Options
}

// Call is what the request side learned that the response side needs. The caller fills
// Created and ID (so translation stays deterministic and testable); BuildRequest fills the rest.
type Call struct {
	Op     Operation
	Model  string // model sent upstream (after overrides)
	Stream bool   // the client asked for a stream
	// IncludeUsage: the client itself asked for stream_options.include_usage. Families may ask
	// the upstream for usage regardless; the usage-only chunk is then dropped unless this is set.
	IncludeUsage bool
	Created      int64     // unix seconds for synthesized "created" fields
	ID           string    // fallback response id ("chatcmpl-..."), when the provider gives none
	Now          time.Time // wall clock for request signing (SigV4); zero = not needed
	// BodyValid: the caller has already checked the request body with gjson.Valid, so an
	// adapter may skip its own whole-body validation (inside wasm that walk costs ~15 µs for a
	// 2.5 KB body). Adapters that do not look at it validate as before.
	BodyValid bool
}

// UpstreamRequest is the request to send to the provider. Adapters append into Body and
// Headers so a caller can reuse one UpstreamRequest across requests without allocating.
type UpstreamRequest struct {
	Method    string
	Scheme    string // "https" or "http"
	Authority string // host[:port]
	Path      string // path and query
	Headers   []Header
	Body      []byte
}

// Reset empties r, keeping its buffers.
func (r *UpstreamRequest) Reset() {
	r.Method, r.Scheme, r.Authority, r.Path = "", "", "", ""
	r.Headers = r.Headers[:0]
	r.Body = r.Body[:0]
}

// Usage is token accounting, in OpenAI's terms.
type Usage struct {
	PromptTokens     int
	CompletionTokens int
	TotalTokens      int
	CachedTokens     int // prompt tokens read from a cache
	CacheWriteTokens int // prompt tokens written to a cache (Anthropic cache_creation)
	ReasoningTokens  int // completion tokens spent thinking
}

// Adapter is one provider API family.
type Adapter interface {
	// BuildRequest turns the client's OpenAI-format body for c.Op into the upstream request.
	// It fills c.Model, c.Stream, c.IncludeUsage. dst is Reset by the caller.
	// A *Error is returned for input the client must fix (status 400) or an operation the
	// family does not support.
	BuildRequest(c *Call, t *Target, body []byte, dst *UpstreamRequest) error
	// TranslateResponse turns a successful (2xx) JSON answer into the OpenAI answer, appended to dst.
	TranslateResponse(c *Call, body []byte, dst []byte) ([]byte, Usage, error)
	// TranslateError turns an upstream error answer (any status >= 400) into an OpenAI error
	// object appended to dst. The caller keeps the upstream status.
	TranslateError(status int, body []byte, dst []byte) []byte
	// NewStream returns a translator for a streamed answer to c.
	NewStream(c *Call) Stream
}

// Families live in their own packages (translate/openai, translate/anthropic, ...) and call
// Register from init; the plugin imports them all through translate/all.

// Stream translates a streamed upstream answer, fed in chunks split anywhere (mid-line,
// mid-CRLF, mid-frame). Output is OpenAI SSE: "data: {chat.completion.chunk}\n\n" events and a
// final "data: [DONE]\n\n".
type Stream interface {
	// Feed appends the translation of everything complete so far to dst. A malformed upstream
	// stream yields an error after appending an OpenAI error event to dst; Feed must not be
	// called again after an error. chunk is valid only during the call (the plugin reads every
	// chunk of a stream into the same buffer): copy what must outlive it.
	Feed(dst []byte, chunk []byte) ([]byte, error)
	// Finish is called at the end of the upstream stream; it flushes what is pending and appends
	// "data: [DONE]\n\n" if the upstream did not already end the stream. A stream cut short
	// (no terminal event) appends an error event and returns ErrTruncated.
	Finish(dst []byte) ([]byte, error)
	// Usage reports the usage seen so far.
	Usage() Usage
}

// Error is a translation failure with the status and OpenAI error type to answer with.
type Error struct {
	Status  int    // HTTP status for the client
	Type    string // OpenAI error type: invalid_request_error, api_error, ...
	Code    string // machine code, may be empty
	Message string
}

func (e *Error) Error() string { return e.Message }

// Invalid is a request the client must fix (400 invalid_request_error).
func Invalid(msg string) *Error {
	return &Error{Status: 400, Type: "invalid_request_error", Code: "invalid_request", Message: msg}
}

// Unsupported is an operation or feature the provider does not offer.
func Unsupported(msg string) *Error {
	return &Error{Status: 400, Type: "invalid_request_error", Code: "unsupported_operation", Message: msg}
}

// ErrTruncated reports an upstream stream that ended without its terminal event.
var ErrTruncated = errors.New("translate: upstream stream ended early")

var (
	regMu    sync.RWMutex
	adapters = map[string]Adapter{}
)

// Register makes an adapter available for a family name. Families call it from init.
func Register(family string, a Adapter) {
	regMu.Lock()
	adapters[family] = a
	regMu.Unlock()
}

// For returns the adapter of a family.
func For(family string) (Adapter, bool) {
	regMu.RLock()
	a, ok := adapters[family]
	regMu.RUnlock()
	return a, ok
}
