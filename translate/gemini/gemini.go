// Package gemini is the "google" family: Google's Gemini API (AI Studio,
// generativelanguage.googleapis.com/v1beta, key in x-goog-api-key). It also exports the
// Gemini wire format (request body, answer, stream, error and embeddings translation) that
// translate/vertex reuses for Vertex AI's publishers/google models.
//
// Choices a client can notice (each is explained where it is made):
//   - Chat: POST models/{model}:generateContent, or :streamGenerateContent?alt=sse when
//     stream is true. /v1/completions is Unsupported.
//   - Messages: system and developer text goes to systemInstruction (wherever it appears);
//     user/assistant become user/model contents, consecutive turns of one role merged; tool
//     results become functionResponse parts of a user turn, named from the matching
//     assistant tool call (or the tool message's name); a result that is a JSON object is
//     sent as is, anything else as {"content": ...}.
//   - Media: data: URIs (base64 only) become inlineData; any other URL (https, gs://, Files
//     API) becomes fileData with a mimeType guessed from the extension, DefaultImageMIME for
//     image_url parts and application/pdf for file parts when the extension says nothing.
//   - Tools: function tools only; schemas are reduced to the OpenAPI subset Gemini accepts
//     (AppendSchema); a function without properties is declared without parameters.
//     tool_choice auto/none/required/named → AUTO/NONE/ANY/ANY+allowedFunctionNames.
//   - generationConfig: temperature, top_p, top_k, max_completion_tokens (else max_tokens),
//     stop, n, presence/frequency penalties, seed, response_format (json_object → JSON MIME
//     type; json_schema → JSON MIME type + responseSchema). reasoning_effort →
//     thinkingBudget (thinkingBudget); an Anthropic-style "thinking" object wins over it.
//     Ignored: user, logit_bias, logprobs, top_logprobs, parallel_tool_calls, metadata,
//     store, service_tier, modalities.
//   - Answers: text parts joined, thought parts left out; tool call ids are Gemini's
//     functionCall.id or "call_<Call.ID>_<candidate>_<n>"; a thoughtSignature rides along as
//     tool_calls[].extra_content.google.thought_signature and goes back upstream when the
//     client returns it; for Gemini 3 and later, a replayed step whose signature the client
//     dropped gets Google's documented "skip_thought_signature_validator" sentinel on its
//     first call instead of failing with a 400. finish reasons: FinishReason. Usage: ParseUsage. A prompt blocked
//     before any candidate is a normal answer with finish_reason "content_filter".
//   - Embeddings: a string input → :embedContent, an array → :batchEmbedContents; dimensions
//     → outputDimensionality; token-array input is Unsupported; vectors are always floats
//     (encoding_format base64 is not honoured: the OpenAI SDKs accept floats either way);
//     usage is 0 because the Gemini API returns no token counts.
//   - Errors: Google's {"error":{code,message,status}}, bare or array-wrapped, keep their
//     message; the type follows the HTTP status and the code is Google's status string.
package gemini

import (
	"strings"

	"github.com/tidwall/gjson"

	"switchyard/translate"
)

// DefaultHost is used when the catalogue entry leaves the host empty.
const DefaultHost = "generativelanguage.googleapis.com"

// defaultProvider stands in for a target without a catalogue entry.
var defaultProvider = translate.Provider{ID: "google", Family: "google", Scheme: "https", Host: DefaultHost, BasePath: "/v1beta", Auth: translate.AuthGoogKey}

func init() { translate.Register("google", Adapter{}) }

// Adapter implements translate.Adapter for Gemini.
type Adapter struct{}

// PrepareBody merges the target's override_params into the client's body and returns the
// model to send (Target.Model, else the body's). Both families call it before anything else
// so an override of "model" routes as the client would expect.
// It also rejects a body that is not valid JSON, so the builders after it need not check.
func PrepareBody(t *translate.Target, body []byte) ([]byte, string, error) {
	if !gjson.Valid(str(body)) {
		return nil, "", translate.Invalid("request body is not valid JSON")
	}
	if len(t.OverrideParams) > 0 {
		var err error
		if body, err = MergeOverrides(body, t.OverrideParams); err != nil {
			return nil, "", err
		}
	}
	model := t.Model
	if model == "" {
		// A copy: the Call outlives the request body buffer.
		model = strings.Clone(gjson.Get(str(body), "model").Str)
	}
	return body, model, nil
}

// BuildRequest implements translate.Adapter.
func (Adapter) BuildRequest(c *translate.Call, t *translate.Target, body []byte, dst *translate.UpstreamRequest) error {
	body, model, err := PrepareBody(t, body)
	if err != nil {
		return err
	}
	model = strings.TrimPrefix(model, "models/")
	if model == "" {
		return translate.Invalid("model is required")
	}
	if !ValidModel(model) {
		return translate.Invalid("model name " + quoteType(model) + " contains characters Gemini model names never have")
	}
	c.Model = model
	dst.Method = "POST"
	base, err := setUpstream(t, dst)
	if err != nil {
		return err
	}
	switch c.Op {
	case translate.OpChat:
		var info ChatInfo
		if dst.Body, info, err = AppendChatRequest(dst.Body, body, model); err != nil {
			return err
		}
		c.Stream, c.IncludeUsage = info.Stream, info.IncludeUsage
		if c.Stream {
			dst.Path = base + "/models/" + model + ":streamGenerateContent?alt=sse"
		} else {
			dst.Path = base + "/models/" + model + ":generateContent"
		}
	case translate.OpEmbeddings:
		var batch bool
		if dst.Body, batch, err = AppendEmbedRequest(dst.Body, body, model); err != nil {
			return err
		}
		if batch {
			dst.Path = base + "/models/" + model + ":batchEmbedContents"
		} else {
			dst.Path = base + "/models/" + model + ":embedContent"
		}
	default:
		return translate.Unsupported("Gemini does not support the " + c.Op.String() + " operation; use chat completions")
	}
	return nil
}

// setUpstream fills scheme, authority and headers, and returns the base path.
func setUpstream(t *translate.Target, dst *translate.UpstreamRequest) (string, error) {
	p := t.Provider
	if p == nil {
		p = &defaultProvider
	}
	scheme, authority, base, err := p.BaseURL(t.CustomHost)
	if err != nil {
		return "", err
	}
	if authority == "" {
		authority = DefaultHost
	}
	dst.Scheme, dst.Authority = scheme, authority
	dst.Headers = append(dst.Headers, translate.Header{Name: "content-type", Value: "application/json"})
	dst.Headers = append(dst.Headers, p.Headers...)
	if t.APIKey != "" {
		switch p.Auth {
		case translate.AuthBearer:
			dst.Headers = append(dst.Headers, translate.Header{Name: "authorization", Value: "Bearer " + t.APIKey})
		case translate.AuthNone:
		default:
			dst.Headers = append(dst.Headers, translate.Header{Name: "x-goog-api-key", Value: t.APIKey})
		}
	}
	return base, nil
}

// TranslateResponse implements translate.Adapter.
func (Adapter) TranslateResponse(c *translate.Call, body []byte, dst []byte) ([]byte, translate.Usage, error) {
	if c.Op == translate.OpEmbeddings {
		return AppendEmbeddings(dst, c, body)
	}
	return AppendChatResponse(dst, c, body)
}

// TranslateError implements translate.Adapter.
func (Adapter) TranslateError(status int, body []byte, dst []byte) []byte {
	return AppendError(dst, status, body, "Gemini")
}

// NewStream implements translate.Adapter.
func (Adapter) NewStream(c *translate.Call) translate.Stream { return NewStream(c) }
