// Package anthropic is the Anthropic Messages API family: OpenAI chat requests become
// POST {base}/messages, and Anthropic messages, streams and errors come back in exactly the
// shape the OpenAI API uses.
//
// Choices that change what a client sees (each is explained where it is made):
//   - /v1/completions is refused (Unsupported), as are /v1/embeddings: Anthropic has no
//     embeddings endpoint, and its legacy Text Completions API does not serve current models;
//     translating a prompt into a chat turn would also have to invent text_completion answers.
//   - max_tokens defaults to DefaultMaxTokens (Anthropic requires it; OpenAI does not).
//   - reasoning_effort maps to a thinking budget (effortBudget); an explicit Anthropic
//     "thinking" object is passed through and wins.
//   - Thinking and redacted_thinking blocks are dropped from answers and streams: the OpenAI
//     chat format has no field for them. A consequence: an OpenAI-format client cannot hand
//     thinking blocks back, which Anthropic requires when thinking is combined with tool use
//     over several turns.
//   - OpenAI-only request fields are dropped, because Anthropic rejects unknown fields; the
//     list is in request.go (dropped fields). Values are passed as given, not clamped:
//     temperature above 1 (OpenAI allows 2) or a temperature with thinking enabled gets
//     Anthropic's own 400, which is more honest than silently changing the request.
//   - system and developer messages, wherever they are in the conversation, are hoisted into
//     the top-level "system" in order; Anthropic has no system turns.
//   - Refusals (stop_reason "refusal") keep their text in content, with finish_reason
//     "content_filter"; message.refusal stays null, as OpenAI reserves it for structured
//     output refusals.
//
// Anthropic on Vertex AI and on Bedrock (InvokeModel) takes the same body without "model" and
// with "anthropic_version" inside; those families call BuildBody with that version and reuse
// Adapter's TranslateResponse, TranslateError and NewStream unchanged.
package anthropic

import (
	"strings"

	"switchyard/translate"
)

// Family is the catalogue family name this package registers.
const Family = "anthropic"

// DefaultVersion is sent as anthropic-version when the target does not choose one.
const DefaultVersion = "2023-06-01"

// VertexVersion is the in-body anthropic_version Vertex AI requires.
const VertexVersion = "vertex-2023-10-16"

// Adapter implements translate.Adapter for the Anthropic Messages API. It is stateless; the
// zero value is ready to use (other families may embed or call it).
type Adapter struct{}

func init() { translate.Register(Family, Adapter{}) }

// BuildRequest implements translate.Adapter.
func (Adapter) BuildRequest(c *translate.Call, t *translate.Target, body []byte, dst *translate.UpstreamRequest) error {
	if t == nil || t.Provider == nil {
		return &translate.Error{Status: 500, Type: "api_error", Message: "anthropic: target has no provider"}
	}
	switch c.Op {
	case translate.OpChat:
	case translate.OpEmbeddings:
		return translate.Unsupported("Anthropic does not offer embeddings; /v1/embeddings cannot be routed to provider " + t.Provider.ID)
	case translate.OpCompletions:
		return translate.Unsupported("Anthropic serves chat only; use /v1/chat/completions instead of /v1/completions for provider " + t.Provider.ID)
	default:
		return translate.Unsupported("operation " + c.Op.String() + " is not supported by provider " + t.Provider.ID)
	}
	p := t.Provider
	// A custom host is the whole base URL ("http://127.0.0.1:8089/anthropic/v1"), resolved the
	// way every family does it.
	scheme, authority, base, err := p.BaseURL(t.CustomHost)
	if err != nil {
		return err
	}
	out, err := BuildBody(c, t, body, dst.Body, "")
	if err != nil {
		return err
	}
	dst.Body = out
	dst.Method = "POST"
	dst.Scheme = scheme
	dst.Authority = authority
	dst.Path = messagesPath(base)

	dst.Headers = append(dst.Headers, translate.Header{Name: "content-type", Value: "application/json"})
	switch p.Auth {
	case translate.AuthXAPIKey:
		if t.APIKey != "" {
			dst.Headers = append(dst.Headers, translate.Header{Name: "x-api-key", Value: t.APIKey})
		}
	case translate.AuthBearer:
		// A custom catalogue entry (an Anthropic-compatible proxy) may want a bearer token.
		if t.APIKey != "" {
			dst.Headers = append(dst.Headers, translate.Header{Name: "authorization", Value: "Bearer " + t.APIKey})
		}
	}
	version := t.Options.AnthropicVersion
	if version == "" {
		version = DefaultVersion
	}
	dst.Headers = append(dst.Headers, translate.Header{Name: "anthropic-version", Value: version})
	if t.Options.AnthropicBeta != "" {
		dst.Headers = append(dst.Headers, translate.Header{Name: "anthropic-beta", Value: t.Options.AnthropicBeta})
	}
	dst.Headers = append(dst.Headers, p.Headers...)
	return nil
}

// messagesPath avoids a string concatenation (an allocation) for the catalogue's usual "/v1".
func messagesPath(base string) string {
	switch base {
	case "/v1":
		return "/v1/messages"
	case "", "/":
		return "/messages"
	}
	return strings.TrimSuffix(base, "/") + "/messages"
}
