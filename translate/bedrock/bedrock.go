// Package bedrock is the AWS Bedrock family: OpenAI chat completions through the Bedrock
// Runtime Converse and ConverseStream APIs, embeddings through InvokeModel (Titan and Cohere
// embedding models), requests signed with AWS Signature Version 4 (service "bedrock", the
// signing name of the bedrock-runtime endpoint).
//
// Choices this family makes (see also the report that introduced it):
//   - Credentials: Options.AWSAccessKeyID + AWSSecretAccessKey (+ AWSSessionToken) sign with
//     SigV4; without them, Target.APIKey is sent as a Bedrock API key (Authorization: Bearer).
//     Neither is a 400 invalid_request_error.
//   - Region: Options.AWSRegion, "us-east-1" when empty. It fills "{region}" in the provider
//     host and the signing scope.
//   - Signing time: Call.Now, required for SigV4 (a zero Now is a gateway bug and fails with
//     500 api_error rather than sign with a made-up clock).
//   - The model id is sent as one URI-encoded path segment (":" → %3A, "/" → %2F, so ARNs
//     and inference profile ids stay one segment) and signed encoded twice, as AWS requires
//     for every service but S3.
//   - Signed headers: content-type, host, x-amz-date and x-amz-security-token when a session
//     token is set. x-amz-content-sha256 is S3-only and is not sent.
package bedrock

import (
	"strconv"
	"unsafe"

	"github.com/tidwall/gjson"

	"switchyard/translate"
	"switchyard/translate/bedrock/sigv4"
)

func init() { translate.Register("bedrock", Adapter{}) }

// Adapter implements translate.Adapter for Bedrock. It holds no state.
type Adapter struct{}

const (
	defaultRegion = "us-east-1"
	signingName   = "bedrock"
)

// BuildRequest turns an OpenAI chat or embeddings body into a signed Bedrock request.
func (Adapter) BuildRequest(c *translate.Call, t *translate.Target, body []byte, dst *translate.UpstreamRequest) error {
	if t == nil || t.Provider == nil {
		return &translate.Error{Status: 500, Type: "api_error", Code: "no_provider", Message: "bedrock: target has no provider"}
	}
	if len(t.OverrideParams) > 0 {
		merged, err := applyOverrides(body, t.OverrideParams)
		if err != nil {
			return err
		}
		body = merged
	}
	if !gjson.ValidBytes(body) {
		return translate.Invalid("request body is not valid JSON")
	}
	root := gjson.Parse(str(body))
	if !root.IsObject() {
		return translate.Invalid("request body must be a JSON object")
	}
	model := t.Model
	if model == "" {
		model = root.Get("model").String()
	}
	if model == "" {
		return translate.Invalid("model is required")
	}
	c.Model = model

	var op string
	var err error
	switch c.Op {
	case translate.OpChat:
		dst.Body, err = buildConverse(c, root, dst.Body[:0])
		op = "/converse"
		if c.Stream {
			op = "/converse-stream"
		}
	case translate.OpEmbeddings:
		dst.Body, err = buildEmbeddings(model, root, dst.Body[:0])
		op = "/invoke"
	default:
		return translate.Unsupported("bedrock supports /v1/chat/completions and /v1/embeddings, not " + c.Op.String())
	}
	if err != nil {
		return err
	}

	region := t.Options.AWSRegion
	if region == "" {
		region = defaultRegion
	}
	// The region lands in the host name and the signing scope: a client-supplied value
	// (x-portkey-aws-region) must not be able to change where the request goes.
	if !validRegion(region) {
		return translate.Invalid("bedrock: invalid AWS region " + strconv.Quote(region))
	}
	p := t.Provider
	scheme, authority, base, err := p.BaseURL(t.CustomHost)
	if err != nil {
		return err
	}
	dst.Method = "POST"
	dst.Scheme = scheme
	dst.Authority = translate.Fill(authority, "region", region)
	base = translate.Fill(base, "region", region)
	if translate.HasPlaceholder(dst.Authority) || translate.HasPlaceholder(base) {
		return &translate.Error{Status: 500, Type: "api_error", Code: "bad_provider",
			Message: "bedrock: provider host has an unknown placeholder: " + dst.Authority + base}
	}
	path := make([]byte, 0, len(base)+len(model)*3+len("/model/")+len(op))
	path = append(path, base...)
	path = append(path, "/model/"...)
	path = appendPathSegment(path, model)
	path = append(path, op...)
	dst.Path = unsafe.String(&path[0], len(path)) // path is never written again

	accept := "application/json"
	if c.Op == translate.OpChat && c.Stream {
		accept = "application/vnd.amazon.eventstream"
	}
	dst.Headers = append(dst.Headers,
		translate.Header{Name: "content-type", Value: "application/json"},
		translate.Header{Name: "accept", Value: accept})
	dst.Headers = append(dst.Headers, p.Headers...)

	o := &t.Options
	switch {
	case o.AWSAccessKeyID != "" && o.AWSSecretAccessKey != "":
		if c.Now.IsZero() {
			return &translate.Error{Status: 500, Type: "api_error", Code: "signing_time_missing",
				Message: "bedrock: Call.Now must be set to sign the request (SigV4)"}
		}
		hs := [2]sigv4.Header{{Name: "content-type", Value: "application/json"}, {Name: "host", Value: dst.Authority}}
		s := sigv4.Sign(&sigv4.Request{
			Method: "POST", Path: dst.Path, Headers: hs[:], Payload: dst.Body, Time: c.Now,
			Region: region, Service: signingName,
			Creds: sigv4.Credentials{AccessKeyID: o.AWSAccessKeyID, SecretAccessKey: o.AWSSecretAccessKey, SessionToken: o.AWSSessionToken},
		})
		dst.Headers = append(dst.Headers, translate.Header{Name: "x-amz-date", Value: s.AmzDate})
		if o.AWSSessionToken != "" {
			dst.Headers = append(dst.Headers, translate.Header{Name: "x-amz-security-token", Value: o.AWSSessionToken})
		}
		dst.Headers = append(dst.Headers, translate.Header{Name: "authorization", Value: s.Authorization})
	case t.APIKey != "":
		dst.Headers = append(dst.Headers, translate.Header{Name: "authorization", Value: "Bearer " + t.APIKey})
	default:
		return translate.Invalid("bedrock: no AWS credentials: set an AWS access key id and secret access key (or a Bedrock API key)")
	}
	return nil
}

// validRegion accepts AWS region names (us-east-1, us-gov-west-1, eu-isoe-west-1, ...).
func validRegion(r string) bool {
	if len(r) == 0 || len(r) > 32 {
		return false
	}
	for i := 0; i < len(r); i++ {
		if c := r[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// appendPathSegment URI-encodes s as a single path segment.
func appendPathSegment(b []byte, s string) []byte {
	const hexd = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b = append(b, c)
			continue
		}
		b = append(b, '%', hexd[c>>4], hexd[c&15])
	}
	return b
}

// str is a zero-copy string view of b for gjson; b must not change while it is used.
func str(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}
