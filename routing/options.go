package routing

// Options are the provider-specific settings of a leaf. The fields mirror translate.Options
// name for name and in the same order, so the plugin converts with translate.Options(opts.Known)
// without routing importing translate.
type Options struct {
	Known KnownOptions
	// Extra holds every other non-routing key of the target verbatim (raw JSON values), as
	// Portkey hands all of a target's keys to the provider layer.
	Extra []Option
}

// KnownOptions: see Options.
type KnownOptions struct {
	AzureResourceName  string // resource_name
	AzureDeploymentID  string // deployment_id
	AzureAPIVersion    string // api_version
	AzureEndpoint      string // azure_foundry_url
	AWSAccessKeyID     string // aws_access_key_id
	AWSSecretAccessKey string // aws_secret_access_key
	AWSSessionToken    string // aws_session_token
	AWSRegion          string // aws_region
	VertexProjectID    string // vertex_project_id
	VertexRegion       string // vertex_region
	AnthropicVersion   string // anthropic_version
	AnthropicBeta      string // anthropic_beta
	OpenAIOrganization string // openai_organization
	OpenAIProject      string // openai_project
}

// Option is one extra provider setting: the config key and its raw JSON value.
type Option struct {
	Key string
	Raw string
}

// ExtraRaw returns the raw JSON value of an extra option.
func (o *Options) ExtraRaw(key string) (string, bool) {
	for i := range o.Extra {
		if o.Extra[i].Key == key {
			return o.Extra[i].Raw, true
		}
	}
	return "", false
}

// field returns the field a Portkey config key fills, or nil.
func (k *KnownOptions) field(key string) *string {
	switch key {
	case "resource_name":
		return &k.AzureResourceName
	case "deployment_id":
		return &k.AzureDeploymentID
	case "api_version":
		return &k.AzureAPIVersion
	case "azure_foundry_url":
		return &k.AzureEndpoint
	case "aws_access_key_id":
		return &k.AWSAccessKeyID
	case "aws_secret_access_key":
		return &k.AWSSecretAccessKey
	case "aws_session_token":
		return &k.AWSSessionToken
	case "aws_region":
		return &k.AWSRegion
	case "vertex_project_id":
		return &k.VertexProjectID
	case "vertex_region":
		return &k.VertexRegion
	case "anthropic_version":
		return &k.AnthropicVersion
	case "anthropic_beta":
		return &k.AnthropicBeta
	case "openai_organization":
		return &k.OpenAIOrganization
	case "openai_project":
		return &k.OpenAIProject
	}
	return nil
}

// Set fills a known option by its Portkey config key; it reports false for other keys.
func (k *KnownOptions) Set(key, value string) bool {
	f := k.field(key)
	if f == nil {
		return false
	}
	*f = value
	return true
}

// fillFrom copies src's non-empty fields into k where k is empty.
func (k *KnownOptions) fillFrom(src *KnownOptions) {
	fill := func(dst *string, s string) {
		if *dst == "" {
			*dst = s
		}
	}
	fill(&k.AzureResourceName, src.AzureResourceName)
	fill(&k.AzureDeploymentID, src.AzureDeploymentID)
	fill(&k.AzureAPIVersion, src.AzureAPIVersion)
	fill(&k.AzureEndpoint, src.AzureEndpoint)
	fill(&k.AWSAccessKeyID, src.AWSAccessKeyID)
	fill(&k.AWSSecretAccessKey, src.AWSSecretAccessKey)
	fill(&k.AWSSessionToken, src.AWSSessionToken)
	fill(&k.AWSRegion, src.AWSRegion)
	fill(&k.VertexProjectID, src.VertexProjectID)
	fill(&k.VertexRegion, src.VertexRegion)
	fill(&k.AnthropicVersion, src.AnthropicVersion)
	fill(&k.AnthropicBeta, src.AnthropicBeta)
	fill(&k.OpenAIOrganization, src.OpenAIOrganization)
	fill(&k.OpenAIProject, src.OpenAIProject)
}
