package plugin

import (
	"strconv"
	"strings"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"
	"github.com/tidwall/gjson"

	"switchyard/plugin/abi"
	"switchyard/translate"
)

const (
	providerHeader = "x-portkey-provider"
	gatewayPrefix  = "x-portkey-"
	// maxEchoedValue bounds how much of a client-sent value an error message repeats.
	maxEchoedValue = 64
)

// panicHook lets tests force a panic at a named stage to exercise abi.Guard. Production never
// sets it.
var panicHook func(stage string)

var jsonHeaders = [][2]string{{"content-type", "application/json"}}

type httpContext struct {
	types.DefaultHttpContext
	cfg        *config
	provider   *provider
	clientAuth bool
	// headers is the request header list read at the headers callback; gateway counts its
	// x-portkey-* entries, which are removed when the request is forwarded.
	headers [][2]string
	gateway int
	// rewritten: the headers already point at the provider (Kong rewrites at the headers).
	rewritten bool
	// finished: the request was answered locally or handed on; later request callbacks pass.
	finished bool
}

func (h *httpContext) OnHttpRequestHeaders(_ int, endOfStream bool) types.Action {
	if panicHook != nil {
		panicHook("request_headers")
	}
	if h.cfg == nil {
		// Envoy never creates streams for a plugin whose configure failed; answer anyway.
		return h.fail(500, abi.InternalErrorBody)
	}
	// One host call reads every header; the rest of the stream works from this copy.
	hs, err := abi.GetHttpRequestHeaders()
	if err != nil && err != types.ErrorStatusNotFound {
		return h.hostError("read request headers", err)
	}
	var name, contentLength string
	for i := range hs {
		k, v := hs[i][0], hs[i][1]
		switch {
		case k == providerHeader:
			h.gateway++
			if name == "" {
				name = v
			}
		case k == "authorization":
			h.clientAuth = h.clientAuth || v != ""
		case k == "content-length":
			contentLength = v
		case hasPrefixFold(k, gatewayPrefix):
			h.gateway++
		}
	}
	if h.gateway > 0 {
		h.headers = hs
	}
	if name == "" {
		return h.reject(400, "missing "+providerHeader+" header: name the provider to call", "unknown_provider")
	}
	p := h.cfg.lookup(name)
	if p == nil {
		return h.reject(400, "unknown provider "+quote(name)+" in "+providerHeader+" header", "unknown_provider")
	}
	h.provider = p
	if contentLength != "" {
		if n, err := strconv.ParseInt(contentLength, 10, 64); err == nil && n > int64(h.cfg.maxRequestBodyBytes) {
			return h.tooLarge()
		}
	}
	if endOfStream {
		return h.forward()
	}
	if h.cfg.kong {
		// Kong: no pause here (see config.kong); the body is still checked before nginx proxies.
		if act, ok := h.rewrite(); !ok {
			return act
		}
		h.rewritten = true
		return types.ActionContinue
	}
	// Hold the headers (the host runs with allow_on_headers_stop_iteration) so they can still be
	// rewritten once the body is known.
	return types.ActionPause
}

func (h *httpContext) OnHttpRequestBody(size int, endOfStream bool) types.Action {
	if h.finished {
		return types.ActionContinue
	}
	if panicHook != nil {
		panicHook("request_body")
	}
	// While this filter pauses, size is everything buffered so far (docs/host.md §2.3).
	if size > h.cfg.maxRequestBodyBytes {
		return h.tooLarge()
	}
	if !endOfStream {
		return types.ActionPause
	}
	if size > 0 {
		body, err := abi.GetHttpRequestBody(0, size)
		if err != nil && err != types.ErrorStatusNotFound {
			abi.LogError("switchyard: cannot read request body: " + err.Error())
			return h.fail(500, abi.InternalErrorBody)
		}
		if len(body) > 0 && !gjson.ValidBytes(body) {
			return h.reject(400, "request body is not valid JSON", "invalid_json")
		}
	}
	if h.rewritten {
		h.finished = true
		return types.ActionContinue
	}
	return h.forward()
}

// forward rewrites the held request headers for the chosen provider and lets it go upstream.
func (h *httpContext) forward() types.Action {
	h.finished = true
	if act, ok := h.rewrite(); !ok {
		return act
	}
	return types.ActionContinue
}

// rewrite points the request at the provider: authority, credentials, the cluster header, no
// gateway headers. On failure it has answered the client and returns the action to give.
func (h *httpContext) rewrite() (types.Action, bool) {
	p := h.provider
	if err := abi.ReplaceHttpRequestHeader(":authority", p.host); err != nil {
		return h.hostError("set :authority", err), false
	}
	if !h.clientAuth && p.authorization != "" {
		if err := abi.ReplaceHttpRequestHeader("authorization", p.authorization); err != nil {
			return h.hostError("set authorization", err), false
		}
	}
	if err := abi.ReplaceHttpRequestHeader(h.cfg.clusterHeader, p.cluster); err != nil {
		return h.hostError("set "+h.cfg.clusterHeader, err), false
	}
	if err := h.stripGatewayHeaders(); err != nil {
		return h.hostError("strip gateway headers", err), false
	}
	// Envoy >= 1.33 only re-selects the route when asked (docs/host.md §5.3). Other hosts without
	// the function answer NotFound; Kong traps, so it is never called there.
	if !h.cfg.kong {
		if _, err := abi.CallForeignFunction("clear_route_cache", nil); err != nil && err != types.ErrorStatusNotFound {
			abi.LogWarn("switchyard: clear_route_cache failed: " + err.Error())
		}
	}
	return types.ActionContinue, true
}

// stripGatewayHeaders removes every x-portkey-* request header: gateway headers never reach a
// provider. It removes once per occurrence because hosts differ: Envoy drops every value of the
// name, proxytest only the first, and removing an absent name is not an error.
func (h *httpContext) stripGatewayHeaders() error {
	if h.gateway == 0 {
		return nil
	}
	for i := range h.headers {
		if k := h.headers[i][0]; hasPrefixFold(k, gatewayPrefix) {
			if err := abi.RemoveHttpRequestHeader(k); err != nil {
				return err
			}
		}
	}
	return nil
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func (c *config) lookup(name string) *provider {
	if p, ok := c.providers[name]; ok {
		return p
	}
	if lower := strings.ToLower(name); lower != name {
		return c.providers[lower]
	}
	return nil
}

func (h *httpContext) tooLarge() types.Action {
	return h.reject(413, "request body exceeds the gateway limit of "+
		strconv.Itoa(h.cfg.maxRequestBodyBytes)+" bytes", "request_too_large")
}

// reject answers the client with an OpenAI-style invalid_request_error.
func (h *httpContext) reject(status uint32, message, code string) types.Action {
	body := translate.AppendError(make([]byte, 0, 128+len(message)), message, "invalid_request_error", code)
	return h.fail(status, string(body))
}

func (h *httpContext) hostError(what string, err error) types.Action {
	abi.LogError("switchyard: " + what + ": " + err.Error())
	return h.fail(500, abi.InternalErrorBody)
}

func (h *httpContext) fail(status uint32, body string) types.Action {
	h.finished = true
	if err := abi.SendHttpResponse(status, jsonHeaders, []byte(body), -1); err != nil {
		abi.LogError("switchyard: send_local_response failed: " + err.Error())
	}
	return types.ActionPause
}

// quote renders a client-supplied value for an error message, bounded in length.
func quote(s string) string {
	if len(s) > maxEchoedValue {
		s = s[:maxEchoedValue] + "..."
	}
	return strconv.Quote(s)
}
