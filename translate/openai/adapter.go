// Package openai is the OpenAI-compatible family: OpenAI itself and every provider whose API
// is the OpenAI API at another base URL. Requests and answers pass through byte for byte
// except for the few edits a gateway must make (model, override_params, stream usage), so
// fields the gateway does not know still reach the provider and the client.
//
// The Azure family reuses the exported pieces (AppendBody, AppendHeaders, Adapter's response,
// error and stream translation).
package openai

import (
	"unsafe"

	"switchyard/translate"
)

func init() { translate.Register("openai", Adapter{}) }

// Adapter implements translate.Adapter for the "openai" family. It is stateless.
type Adapter struct{}

// OpPath is the path of op below the provider's base path.
func OpPath(op translate.Operation) string {
	switch op {
	case translate.OpChat:
		return "/chat/completions"
	case translate.OpCompletions:
		return "/completions"
	case translate.OpEmbeddings:
		return "/embeddings"
	}
	return ""
}

// CheckOp refuses an operation the provider does not serve.
func CheckOp(c *translate.Call, t *translate.Target) error {
	if t.Provider == nil {
		return &translate.Error{Status: 500, Type: "api_error", Code: "no_provider", Message: "target has no provider"}
	}
	if OpPath(c.Op) == "" || !t.Provider.Supports(c.Op) {
		return translate.Unsupported(t.Provider.ID + " does not support the " + c.Op.String() + " operation")
	}
	return nil
}

// BuildRequest implements translate.Adapter.
func (Adapter) BuildRequest(c *translate.Call, t *translate.Target, body []byte, dst *translate.UpstreamRequest) error {
	if err := CheckOp(c, t); err != nil {
		return err
	}
	p := t.Provider
	scheme, authority, base, err := p.BaseURL(t.CustomHost)
	if err != nil {
		return err
	}
	if translate.HasPlaceholder(authority) || translate.HasPlaceholder(base) {
		return translate.Invalid(p.ID + " needs custom_host: its URL " + scheme + "://" + authority + base +
			" has a placeholder this gateway cannot fill")
	}
	dst.Body, err = AppendBody(dst.Body, c, t, body)
	if err != nil {
		return err
	}
	dst.Method = "POST"
	dst.Scheme = scheme
	dst.Authority = authority
	dst.Path = base + OpPath(c.Op)
	dst.Headers = AppendHeaders(dst.Headers, p, t)
	return nil
}

// AppendHeaders appends content-type, the credential in the provider's style, the OpenAI
// organization/project headers and the catalogue's fixed headers.
func AppendHeaders(h []translate.Header, p *translate.Provider, t *translate.Target) []translate.Header {
	h = append(h, translate.Header{Name: "content-type", Value: "application/json"})
	if t.APIKey != "" {
		switch p.Auth {
		case translate.AuthBearer:
			h = append(h, translate.Header{Name: "authorization", Value: "Bearer " + t.APIKey})
		case translate.AuthAPIKey:
			h = append(h, translate.Header{Name: "api-key", Value: t.APIKey})
		case translate.AuthXAPIKey:
			h = append(h, translate.Header{Name: "x-api-key", Value: t.APIKey})
		case translate.AuthGoogKey:
			h = append(h, translate.Header{Name: "x-goog-api-key", Value: t.APIKey})
		}
	}
	if o := t.Options.OpenAIOrganization; o != "" {
		h = append(h, translate.Header{Name: "openai-organization", Value: o})
	}
	if o := t.Options.OpenAIProject; o != "" {
		h = append(h, translate.Header{Name: "openai-project", Value: o})
	}
	return append(h, p.Headers...)
}

// str views b as a string without copying; the string must not outlive b's contents.
func str(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
