// Package azure is the Azure OpenAI family: Azure OpenAI (provider azure-openai) and Azure AI
// Foundry model inference (provider azure-ai). Bodies, answers, streams and errors are the
// OpenAI family's (package openai); only where requests go and how they authenticate differ.
//
// URL forms (resource, deployment and api-version come from Options, which the plugin fills
// from config or Portkey's x-portkey-azure-resource-name / -deployment-id / -api-version):
//
//	azure-openai, dated api-version (default DefaultAPIVersion):
//	  https://{resource}.openai.azure.com/openai/deployments/{deployment}/chat/completions?api-version={v}
//	azure-openai or azure-ai, AzureAPIVersion "v1" (model in the body, no api-version):
//	  https://{resource}.openai.azure.com/openai/v1/chat/completions
//	  https://{resource}.services.ai.azure.com/openai/v1/chat/completions
//	azure-ai (model inference, default DefaultInferenceAPIVersion):
//	  https://{resource}.services.ai.azure.com/models/chat/completions?api-version={v}
//
// Options.AzureEndpoint (or Target.CustomHost) replaces https://{resource}.<domain>/<base> with a
// full base URL, e.g. https://acme.openai.azure.com/openai/v1 or a serverless
// https://my-model.eastus2.models.ai.azure.com. An endpoint ending in /v1 always uses the v1
// form (a version such as "preview" then stays in the query); for the deployment form the
// endpoint is the resource root (…/openai is added when missing).
//
// Without a deployment id, the deployment form uses the model as the deployment name; in the
// v1 and model inference forms a deployment id without a target model becomes the body's model.
package azure

import (
	"strings"

	"switchyard/translate"
	"switchyard/translate/openai"
)

// DefaultAPIVersion is the latest GA Azure OpenAI data-plane inference version (2024-10-21):
// chat with tools, structured outputs, stream_options.include_usage and embeddings.
const DefaultAPIVersion = "2024-10-21"

// DefaultInferenceAPIVersion is the Azure AI model inference API version.
const DefaultInferenceAPIVersion = "2024-05-01-preview"

func init() { translate.Register("azure-openai", Adapter{}) }

// Adapter implements translate.Adapter for the "azure-openai" family; answers, errors and
// streams are translated by the embedded OpenAI adapter.
type Adapter struct{ openai.Adapter }

// BuildRequest implements translate.Adapter.
func (Adapter) BuildRequest(c *translate.Call, t *translate.Target, body []byte, dst *translate.UpstreamRequest) error {
	if err := openai.CheckOp(c, t); err != nil {
		return err
	}
	p := t.Provider
	o := &t.Options
	inference := p.ID == "azure-ai"
	version := o.AzureAPIVersion
	v1 := version == "v1"
	if version != "" && !token(version) {
		return translate.Invalid("invalid Azure api-version " + quote(version))
	}
	dep := o.AzureDeploymentID
	if dep != "" && !segment(dep) {
		return translate.Invalid("invalid Azure deployment id " + quote(dep) + ": use letters, digits, '.', '_' and '-'")
	}

	scheme, authority, base := "https", "", ""
	custom := o.AzureEndpoint
	if custom == "" {
		custom = t.CustomHost
	}
	if custom != "" {
		var err error
		if scheme, authority, base, err = translate.SplitURL(custom); err != nil {
			return err
		}
		// An endpoint that already is a v1 base (…/openai/v1) speaks the v1 form; a version
		// given with it (e.g. "preview") stays a query parameter.
		if strings.HasSuffix(base, "/v1") {
			v1 = true
		}
	} else {
		res := o.AzureResourceName
		if res == "" {
			return translate.Invalid(p.ID + " needs an Azure resource name (x-portkey-azure-resource-name) or an endpoint URL")
		}
		if !hostLabel(res) {
			return translate.Invalid("invalid Azure resource name " + quote(res) + ": use letters, digits and '-'")
		}
		authority = translate.Fill(p.Host, "resource", res)
		base = p.BasePath
		if v1 {
			base = "/openai"
		}
	}

	// The v1 form and model inference take the model from the body; a deployment id given
	// for them names the model.
	tt := t
	if (v1 || inference) && t.Model == "" && dep != "" {
		cp := *t
		cp.Model = dep
		tt = &cp
	}
	var err error
	if dst.Body, err = openai.AppendBody(dst.Body, c, tt, body); err != nil {
		return err
	}

	var path strings.Builder
	path.Grow(len(base) + len(dep) + 64)
	switch {
	case v1:
		path.WriteString(base)
		switch {
		case strings.HasSuffix(base, "/v1"):
		case strings.HasSuffix(base, "/openai"):
			path.WriteString("/v1")
		default:
			path.WriteString("/openai/v1")
		}
		path.WriteString(openai.OpPath(c.Op))
		if version != "" && version != "v1" {
			path.WriteString("?api-version=")
			path.WriteString(version)
		}
	case inference:
		if version == "" {
			version = DefaultInferenceAPIVersion
		}
		path.WriteString(base)
		path.WriteString(openai.OpPath(c.Op))
		path.WriteString("?api-version=")
		path.WriteString(version)
	default:
		if dep == "" {
			dep = c.Model
		} else if c.Model == "" {
			c.Model = dep // the deployment decides the model; report it
		}
		if dep == "" || !segment(dep) {
			return translate.Invalid("azure-openai needs a deployment id (x-portkey-azure-deployment-id) or a model naming the deployment")
		}
		if version == "" {
			version = DefaultAPIVersion
		}
		if !strings.HasSuffix(base, "/openai") {
			base += "/openai"
		}
		path.WriteString(base)
		path.WriteString("/deployments/")
		path.WriteString(dep)
		path.WriteString(openai.OpPath(c.Op))
		path.WriteString("?api-version=")
		path.WriteString(version)
	}

	dst.Method = "POST"
	dst.Scheme = scheme
	dst.Authority = authority
	dst.Path = path.String()
	dst.Headers = openai.AppendHeaders(dst.Headers, p, t)
	if inference && o.AzureDeploymentID != "" {
		// Routes a model inference call to one deployment (Portkey sends it too).
		dst.Headers = append(dst.Headers, translate.Header{Name: "azureml-model-deployment", Value: o.AzureDeploymentID})
	}
	return nil
}

// token: a deployment id or api-version goes into the URL unescaped, so only safe bytes pass.
func token(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return s != ""
}

// segment: a deployment id is one path segment; "." and ".." would walk the path.
func segment(s string) bool { return token(s) && strings.Trim(s, ".") != "" }

// hostLabel: a resource name becomes the first DNS label of the host; anything else could
// point the request at another host.
func hostLabel(s string) bool {
	if s == "" || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func quote(s string) string {
	if len(s) > 80 {
		s = s[:80] + "..."
	}
	return "\"" + s + "\""
}
