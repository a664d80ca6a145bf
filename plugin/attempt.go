package plugin

import (
	"strconv"
	"strings"
	"time"

	"switchyard/routing"
	"switchyard/translate"
	"switchyard/translate/messages"
)

// attemptState is one prepared upstream call.
type attemptState struct {
	providerID string
	cluster    string
	adapter    translate.Adapter // nil for /v1/messages and pass-through paths
	call       translate.Call
	target     translate.Target
	timeoutMS  int64
	forward    []string
	// convert: a /v1/messages client on a non-Anthropic target; answers are converted from
	// OpenAI chat back to Anthropic's Messages shape.
	convert bool
}

// prepare resolves the attempt's cluster and credential and builds its upstream request in
// h.buf.up. Errors are *translate.Error (the client's fault or an unsupported operation).
func (h *httpContext) prepare(a *routing.Attempt) error {
	if h.buf == nil {
		h.buf = h.plug.getBuffers()
	}
	if a.Try > 0 {
		h.retried++
	} else if h.calls > 1 {
		h.fellBack++
	}
	cur := &h.cur
	*cur = attemptState{providerID: a.Provider}
	entry := translate.Lookup(a.Provider)
	if entry == nil {
		return translate.Invalid("unknown provider " + quote(a.Provider))
	}
	pc := h.cfg.providers[a.Provider]
	customHost := strings.TrimRight(a.CustomHost, "/")
	if customHost == "" {
		customHost = h.in.customHost
	}
	if customHost != "" {
		cl, ok := h.cfg.customHosts[customHost]
		if !ok {
			return &translate.Error{Status: 400, Type: "invalid_request_error", Code: "custom_host_not_allowed",
				Message: "custom host " + quote(customHost) + " is not on this gateway's allow-list"}
		}
		cur.cluster = cl
	} else if pc != nil {
		cur.cluster = pc.cluster
	} else {
		return &translate.Error{Status: 400, Type: "invalid_request_error", Code: "provider_not_configured",
			Message: "provider " + quote(a.Provider) + " is not configured on this gateway"}
	}
	key := a.APIKey
	if key == "" {
		stored := ""
		switch {
		case a.APIKeyEnv != "":
			stored = h.cfg.envKeys[a.APIKeyEnv]
		case pc != nil:
			stored = pc.apiKey
		}
		if stored != "" {
			if !h.cfg.storedKeysUsable() {
				return &translate.Error{Status: 401, Type: "invalid_request_error", Code: "invalid_api_key",
					Message: "no provider API key in the request, and this gateway's stored keys need gateway authentication"}
			}
			key = stored
		}
	}
	opts := translate.Options(a.Options.Known)
	if pc != nil {
		fillOptions(&opts, translate.Options(pc.options))
	}
	cur.target = translate.Target{Provider: entry, APIKey: key, CustomHost: customHost, Options: opts}
	if a.OverrideParams != "" {
		cur.target.OverrideParams = []byte(a.OverrideParams)
	}
	cur.timeoutMS = int64(a.Timeout / time.Millisecond)
	if a.Timeout > 0 && cur.timeoutMS == 0 {
		cur.timeoutMS = 1
	}
	cur.forward = a.ForwardHeaders
	now := hostNow()
	cur.call = translate.Call{Op: h.op, Created: now.Unix(), ID: "chatcmpl-" + h.in.traceID, Now: now}
	up := &h.buf.up
	up.Reset()
	switch h.kind {
	case kindTranslated:
		ad, ok := translate.For(entry.Family)
		if !ok {
			return &translate.Error{Status: 500, Type: "api_error", Code: "no_adapter", Message: "no translator for provider " + quote(a.Provider)}
		}
		cur.adapter = ad
		cur.call.BodyValid = true // route() ran gjson.ValidBytes on it
		if err := ad.BuildRequest(&cur.call, &cur.target, h.body, up); err != nil {
			return err
		}
	case kindMessages:
		if entry.Family == "anthropic" {
			if err := h.buildDirect(entry, "/messages"); err != nil {
				return err
			}
			body, _, err := messages.Passthrough(h.body, "", cur.target.OverrideParams, up.Body[:0])
			if err != nil {
				return err
			}
			up.Body = body
			v := opts.AnthropicVersion
			if v == "" {
				v = h.clientHeader("anthropic-version")
			}
			if v == "" {
				v = "2023-06-01"
			}
			up.Headers = append(up.Headers, translate.Header{Name: "anthropic-version", Value: v})
			if b := opts.AnthropicBeta; b != "" {
				up.Headers = append(up.Headers, translate.Header{Name: "anthropic-beta", Value: b})
			}
			break
		}
		// Any other family: Messages → OpenAI chat (once per request) → the family's request;
		// answers go the other way (response.go).
		if h.buf.chat == nil {
			chat, _, err := messages.ToChat(h.body, h.buf.chatStore[:0])
			if err != nil {
				return err
			}
			h.buf.chatStore, h.buf.chat = chat, chat
		}
		ad, ok := translate.For(entry.Family)
		if !ok {
			return &translate.Error{Status: 500, Type: "api_error", Code: "no_adapter", Message: "no translator for provider " + quote(a.Provider)}
		}
		cur.adapter, cur.convert = ad, true
		cur.call.Op = translate.OpChat
		if err := ad.BuildRequest(&cur.call, &cur.target, h.buf.chat, up); err != nil {
			return err
		}
	case kindPassthrough:
		if entry.Family != "openai" {
			return &translate.Error{Status: 501, Type: "invalid_request_error", Code: "unsupported_operation",
				Message: h.path + " is only proxied to OpenAI-compatible targets (provider " + quote(a.Provider) + " is not)"}
		}
		p := h.path
		if strings.HasPrefix(p, "/v1/") {
			p = p[len("/v1"):]
		}
		if err := h.buildDirect(entry, p); err != nil {
			return err
		}
		if o := opts.OpenAIOrganization; o != "" {
			up.Headers = append(up.Headers, translate.Header{Name: "openai-organization", Value: o})
		}
		if o := opts.OpenAIProject; o != "" {
			up.Headers = append(up.Headers, translate.Header{Name: "openai-project", Value: o})
		}
	}
	if pc != nil && pc.host != "" && customHost == "" {
		up.Authority = pc.host
	}
	return nil
}

// buildDirect fills h.buf.up for a request passed on without translation.
func (h *httpContext) buildDirect(entry *translate.Provider, opPath string) error {
	up := &h.buf.up
	scheme, authority, base, err := entry.BaseURL(h.cur.target.CustomHost)
	if err != nil {
		return err
	}
	if translate.HasPlaceholder(authority) || translate.HasPlaceholder(base) {
		return translate.Invalid(entry.ID + " needs a custom host for " + h.path)
	}
	up.Method, up.Scheme, up.Authority, up.Path = h.method, scheme, authority, base+opPath
	up.Body = append(up.Body, h.body...)
	ct := h.clientHeader("content-type")
	if ct == "" && len(h.body) > 0 {
		ct = "application/json"
	}
	if ct != "" {
		up.Headers = append(up.Headers, translate.Header{Name: "content-type", Value: ct})
	}
	if k := h.cur.target.APIKey; k != "" {
		switch entry.Auth {
		case translate.AuthBearer:
			up.Headers = append(up.Headers, translate.Header{Name: "authorization", Value: "Bearer " + k})
		case translate.AuthXAPIKey:
			up.Headers = append(up.Headers, translate.Header{Name: "x-api-key", Value: k})
		case translate.AuthAPIKey:
			up.Headers = append(up.Headers, translate.Header{Name: "api-key", Value: k})
		case translate.AuthGoogKey:
			up.Headers = append(up.Headers, translate.Header{Name: "x-goog-api-key", Value: k})
		}
	}
	return nil
}

func (h *httpContext) clientHeader(name string) string {
	for i := range h.headers {
		if h.headers[i][0] == name {
			return h.headers[i][1]
		}
	}
	return ""
}

// upstreamHeaders builds the full header list of the attempt: pseudo-headers, the client's
// headers minus gateway headers, credentials, hop-by-hop headers and what the translator sets,
// then the translator's headers. inline adds the routing cluster header and the attempt timeout
// for Envoy's router.
func (h *httpContext) upstreamHeaders(dst [][2]string, inline bool) [][2]string {
	up := &h.buf.up
	method := up.Method
	if method == "" {
		method = "POST"
	}
	dst = append(dst, [2]string{":method", method}, [2]string{":path", up.Path},
		[2]string{":authority", up.Authority}, [2]string{":scheme", up.Scheme})
	for i := range h.headers {
		k := h.headers[i][0]
		if k == "" || k[0] == ':' || h.setByTranslator(k) || (dropHeader(k, h.cfg.clusterHeader) && !h.forwarded(k)) {
			continue
		}
		dst = append(dst, h.headers[i])
	}
	for _, hd := range up.Headers {
		dst = append(dst, [2]string{hd.Name, hd.Value})
	}
	if len(up.Body) > 0 || method == "POST" {
		dst = append(dst, [2]string{"content-length", strconv.Itoa(len(up.Body))})
	}
	dst = append(dst, [2]string{"accept-encoding", "identity"})
	if inline {
		dst = append(dst, [2]string{h.cfg.clusterHeader, h.cur.cluster})
		if h.cur.timeoutMS > 0 {
			dst = append(dst, [2]string{"x-envoy-upstream-rq-timeout-ms", strconv.FormatInt(h.cur.timeoutMS, 10)})
		}
	}
	return dst
}

func (h *httpContext) setByTranslator(k string) bool {
	for _, hd := range h.buf.up.Headers {
		if hd.Name == k {
			return true
		}
	}
	return false
}

// forwarded: the client asked (forward_headers / x-portkey-forward-headers) for this header to
// reach the provider even though the gateway would drop it. Gateway headers never pass.
func (h *httpContext) forwarded(k string) bool {
	if strings.HasPrefix(k, gatewayPrefix) || k == gatewayKeyHeader || k == h.cfg.clusterHeader ||
		hopByHop(k) || k == "content-length" || strings.HasPrefix(k, "x-envoy-") {
		return false
	}
	if k == "authorization" && h.authConsumed {
		return false
	}
	for _, f := range h.cur.forward {
		if strings.EqualFold(f, k) {
			return true
		}
	}
	for list := h.in.forward; list != ""; {
		var f string
		if i := strings.IndexByte(list, ','); i >= 0 {
			f, list = list[:i], list[i+1:]
		} else {
			f, list = list, ""
		}
		if strings.EqualFold(strings.TrimSpace(f), k) {
			return true
		}
	}
	return false
}

// dropHeader lists the client headers that never reach a provider on their own.
func dropHeader(k, clusterHeader string) bool {
	switch k {
	case "authorization", "x-api-key", "api-key", "x-goog-api-key", "proxy-authorization",
		gatewayKeyHeader, "content-length", "content-type", "accept-encoding", "host",
		"x-amz-date", "x-amz-security-token", "x-amz-content-sha256",
		"anthropic-version", "anthropic-beta", "openai-organization", "openai-project":
		return true
	}
	return k == clusterHeader || hopByHop(k) || strings.HasPrefix(k, gatewayPrefix) || strings.HasPrefix(k, "x-envoy-")
}

func hopByHop(k string) bool {
	switch k {
	case "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade":
		return true
	}
	return false
}

func fillOptions(dst *translate.Options, src translate.Options) {
	fill := func(d *string, s string) {
		if *d == "" {
			*d = s
		}
	}
	fill(&dst.AzureResourceName, src.AzureResourceName)
	fill(&dst.AzureDeploymentID, src.AzureDeploymentID)
	fill(&dst.AzureAPIVersion, src.AzureAPIVersion)
	fill(&dst.AzureEndpoint, src.AzureEndpoint)
	fill(&dst.AWSAccessKeyID, src.AWSAccessKeyID)
	fill(&dst.AWSSecretAccessKey, src.AWSSecretAccessKey)
	fill(&dst.AWSSessionToken, src.AWSSessionToken)
	fill(&dst.AWSRegion, src.AWSRegion)
	fill(&dst.VertexProjectID, src.VertexProjectID)
	fill(&dst.VertexRegion, src.VertexRegion)
	fill(&dst.AnthropicVersion, src.AnthropicVersion)
	fill(&dst.AnthropicBeta, src.AnthropicBeta)
	fill(&dst.OpenAIOrganization, src.OpenAIOrganization)
	fill(&dst.OpenAIProject, src.OpenAIProject)
}
