// Package cohere is the Cohere v2 API family: OpenAI chat requests become POST {base}/chat and
// embeddings POST {base}/embed (base https://api.cohere.com/v2, bearer auth); Cohere's answers,
// streams and errors come back exactly as the OpenAI API shapes them.
//
// Choices that change what a client sees (each is explained where it is made):
//   - /v1/completions is refused (Unsupported): Cohere v2 has no text-completion endpoint.
//   - Usage reports usage.tokens (what the model processed, Cohere's own prompt template
//     included), not usage.billed_units (what is charged); billed units are the fallback when
//     tokens are absent. usage.cached_tokens becomes prompt_tokens_details.cached_tokens.
//   - tool_plan (Cohere's reasoning before tool calls) is part of the assistant's content,
//     before any text, in answers and streams alike; an assistant turn sent back with
//     tool_calls turns its text into tool_plan, so a tool loop round-trips.
//   - finish_reason: COMPLETE and STOP_SEQUENCE → "stop", MAX_TOKENS → "length", TOOL_CALL →
//     "tool_calls", TIMEOUT → "length" (the answer was cut short by Cohere's time limit, which
//     clients handle like a token limit), ERROR → an OpenAI error (502): Cohere says the
//     generation failed, so the partial text is not passed off as an answer.
//   - tool_choice "required" → "REQUIRED", "none" → "NONE", "auto" → omitted; a named function
//     → "REQUIRED" with only that tool offered (Cohere cannot force one tool by name).
//   - Thinking content and citations are dropped: OpenAI's chat format has no field for them.
//   - top_p above 0.99 is sent as p 0.99 (Cohere's documented maximum; top_p 1 is a common
//     client default meaning "no cut"). temperature and penalties are passed as given.
//   - Fields Cohere does not know are dropped (list in request.go); Cohere's own fields
//     (documents, citation_options, safety_mode, thinking, priority, strict_tools, k, p) are
//     passed through so clients can use them.
//   - Embeddings: input_type defaults to "search_document" (a client may send input_type);
//     dimensions → output_dimension; answers are always float arrays (OpenAI SDKs accept them
//     whatever encoding_format they asked for); token-array inputs are refused.
package cohere

import (
	"strings"
	"unsafe"

	"switchyard/translate"
)

// Family is the catalogue family name this package registers.
const Family = "cohere"

// DefaultInputType is the embed input_type when the client does not choose one: OpenAI's
// embeddings API has no such notion and most embeddings are stored for search.
const DefaultInputType = "search_document"

// Adapter implements translate.Adapter for Cohere v2. It is stateless.
type Adapter struct{}

func init() { translate.Register(Family, Adapter{}) }

// BuildRequest implements translate.Adapter.
func (Adapter) BuildRequest(c *translate.Call, t *translate.Target, body []byte, dst *translate.UpstreamRequest) error {
	if t == nil || t.Provider == nil {
		return &translate.Error{Status: 500, Type: "api_error", Code: "invalid_config", Message: "cohere: target has no provider"}
	}
	p := t.Provider
	var op string
	switch c.Op {
	case translate.OpChat:
		op = "/chat"
	case translate.OpEmbeddings:
		op = "/embed"
	case translate.OpCompletions:
		return translate.Unsupported("Cohere v2 serves chat and embeddings only; use /v1/chat/completions instead of /v1/completions for provider " + p.ID)
	default:
		return translate.Unsupported("operation " + c.Op.String() + " is not supported by provider " + p.ID)
	}
	scheme, authority, base, err := p.BaseURL(t.CustomHost)
	if err != nil {
		return err
	}
	if len(t.OverrideParams) > 0 {
		if body, err = applyOverrides(body, t.OverrideParams); err != nil {
			return err
		}
	}
	if c.Op == translate.OpChat {
		dst.Body, err = buildChat(c, t, body, dst.Body)
	} else {
		dst.Body, err = buildEmbed(c, t, body, dst.Body)
	}
	if err != nil {
		return err
	}
	dst.Method = "POST"
	dst.Scheme = scheme
	dst.Authority = authority
	dst.Path = opPath(base, op)
	dst.Headers = append(dst.Headers, translate.Header{Name: "content-type", Value: "application/json"})
	if c.Stream {
		dst.Headers = append(dst.Headers, translate.Header{Name: "accept", Value: "text/event-stream"})
	} else {
		dst.Headers = append(dst.Headers, translate.Header{Name: "accept", Value: "application/json"})
	}
	if t.APIKey != "" && p.Auth == translate.AuthBearer {
		dst.Headers = append(dst.Headers, translate.Header{Name: "authorization", Value: "Bearer " + t.APIKey})
	}
	dst.Headers = append(dst.Headers, p.Headers...)
	return nil
}

// opPath avoids a concatenation (an allocation) for the catalogue's usual "/v2".
func opPath(base, op string) string {
	if base == "/v2" {
		if op == "/chat" {
			return "/v2/chat"
		}
		return "/v2/embed"
	}
	return strings.TrimSuffix(base, "/") + op
}

// view reads a body without copying it (gjson only reads).
func view(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// badUpstream is an upstream answer the gateway cannot read: the client gets a 502.
func badUpstream(msg string) *translate.Error {
	return &translate.Error{Status: 502, Type: "api_error", Code: "bad_upstream_response", Message: msg}
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
