package plugin

import (
	"crypto/sha256"
	"crypto/subtle"
	"strconv"
	"strings"
	"time"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"
	"github.com/tidwall/gjson"

	"switchyard/plugin/abi"
	"switchyard/routing"
	"switchyard/translate"
)

const (
	gatewayPrefix = "x-portkey-"
	// gatewayKeyHeader carries the gateway key; Authorization: Bearer <gateway key> also works
	// (and is then never taken for a provider key).
	gatewayKeyHeader = "x-switchyard-key"
	// maxEchoedValue bounds how much of a client-sent value an error message repeats.
	maxEchoedValue = 64
)

// panicHook lets tests force a panic at a named stage to exercise abi.Guard. Production never
// sets it.
var panicHook func(stage string)

// opKind is what the client called.
type opKind uint8

const (
	kindTranslated  opKind = iota + 1 // chat, completions, embeddings: translated for every family
	kindMessages                      // /v1/messages: Anthropic's own API
	kindPassthrough                   // any other /v1/* path: OpenAI-compatible targets only
)

// stream states.
const (
	stRequest  uint8 = iota // reading the request
	stInline                // the first attempt went through the proxy's router
	stHolding               // a failed inline answer is held while callouts run
	stCallout               // attempts run as callouts from the request phase
	stAnswered              // answered locally; later callbacks pass
	stPassed                // request forwarded untouched / nothing more to do
)

// inputs are the request's gateway headers.
type inputs struct {
	provider, config, virtualKey, traceID, metadata, forward, customHost string
	apiKey                                                               string
	timeoutMS                                                            int64
	opts                                                                 routing.KnownOptions
	traceGenerated                                                       bool
	strict                                                               routing.Tristate
}

type httpContext struct {
	types.DefaultHttpContext
	plug  *pluginContext
	cfg   *config
	id    uint32
	state uint8

	headers       [][2]string
	method, path  string
	kind          opKind
	op            translate.Operation
	in            inputs
	authenticated bool
	// authConsumed: Authorization carried the gateway key, not a provider key.
	authConsumed bool
	// done: OnHttpStreamDone ran (a Recycle precondition).
	done bool
	body []byte

	rc      *routing.Config
	plan    routing.Plan
	calls   int
	attempt routing.Attempt
	cur     attemptState
	buf     *buffers

	// response side
	status int
	stream translate.Stream
	// msgStream converts the OpenAI chunks of stream for a /v1/messages client.
	msgStream translate.Stream
	lineLen   int // bytes since the last newline of an SSE upstream
	jsonOut   bool
	errOut    bool
	timeout   bool
	due       int64 // unix ns when a back-off wait ends

	// raw vets Anthropic's own stream to a /v1/messages client (rawstream.go).
	raw *rawStream

	// observability (metrics.go)
	startNS    int64           // host clock at the request headers
	respStatus int             // status of the answer sent to the client; 0 = none yet
	usage      translate.Usage // the answer's token counts
	retried    int             // attempts that retried a target
	fellBack   int             // attempts that moved to another target
	published  bool            // the answer's filter state is set
}

func (h *httpContext) OnHttpRequestHeaders(_ int, endOfStream bool) types.Action {
	if panicHook != nil {
		panicHook("request_headers")
	}
	if h.cfg == nil {
		// Envoy never creates streams for a plugin whose configure failed; answer anyway.
		return h.fail(500, abi.InternalErrorBody)
	}
	h.startNS, _ = abi.GetCurrentTimeNanoseconds()
	hs, err := abi.GetHttpRequestHeaders()
	if err != nil && err != types.ErrorStatusNotFound {
		return h.hostError("read request headers", err)
	}
	h.headers = hs
	var contentLength, auth, xAPIKey, azureKey, gwKey, portkeyKey, badHeader string
	for i := range hs {
		k, v := hs[i][0], hs[i][1]
		switch k {
		case ":method":
			h.method = v
		case ":path":
			h.path = v
		case "content-length":
			contentLength = v
		case "authorization":
			auth = v
		case "x-api-key":
			xAPIKey = v
		case "api-key":
			azureKey = v
		case "x-portkey-api-key":
			// Portkey's SDKs send their gateway key here.
			portkeyKey = v
		case gatewayKeyHeader:
			gwKey = v
		default:
			if len(k) > len(gatewayPrefix) && k[:len(gatewayPrefix)] == gatewayPrefix {
				if msg := h.in.set(k[len(gatewayPrefix):], v); msg != "" && badHeader == "" {
					badHeader = msg
				}
			}
		}
	}
	// Classified first so a /v1/messages client gets even a header or key error in Anthropic's
	// shape; the path's own refusal still comes after authentication.
	pathStatus, pathMsg := h.classify()
	// Gateway authentication comes before anything else.
	if gwKey == "" {
		gwKey = portkeyKey
	}
	if len(h.cfg.gatewayKeys) > 0 {
		switch {
		case gwKey != "" && h.cfg.validGatewayKey(gwKey):
			h.authenticated = true
		case gwKey == "" && strings.HasPrefix(auth, "Bearer ") && h.cfg.validGatewayKey(auth[len("Bearer "):]):
			h.authenticated, h.authConsumed = true, true
		default:
			return h.replyError(401, "missing or invalid gateway key: send it in the "+gatewayKeyHeader+
				" header (or x-portkey-api-key, or Authorization: Bearer <key>)", "invalid_request_error", "invalid_api_key")
		}
	}
	if !h.authConsumed {
		if auth != "" {
			h.in.apiKey = routing.APIKeyFromAuthorization(auth)
		} else if xAPIKey != "" {
			h.in.apiKey = xAPIKey
		} else if azureKey != "" {
			h.in.apiKey = azureKey
		}
	}
	if h.in.traceID == "" {
		h.in.traceID = newTraceID()
		h.in.traceGenerated = true
	}
	if badHeader != "" {
		return h.reject(400, badHeader, "invalid_header")
	}
	if pathStatus != 0 {
		return h.reject(pathStatus, pathMsg, "unsupported_operation")
	}
	if contentLength != "" {
		if n, err := strconv.ParseInt(contentLength, 10, 64); err == nil && n > int64(h.cfg.maxRequestBodyBytes) {
			return h.tooLarge()
		}
	}
	// The routing config needs no body: a bad one is refused before the body is uploaded.
	if h.in.provider == "" && h.in.config == "" && h.in.virtualKey == "" {
		return h.reject(400, "missing x-portkey-provider, x-portkey-config or x-portkey-virtual-key header: name the provider to call", "unknown_provider")
	}
	rc, err := h.cfg.parser.Resolve(h.in.config, routing.HeaderProvider{
		Provider: h.in.provider, APIKey: h.in.apiKey, VirtualKey: h.in.virtualKey, Options: h.in.opts})
	if err != nil {
		return h.reject(400, err.Error(), "invalid_config")
	}
	h.rc = rc
	if endOfStream {
		return h.route()
	}
	if h.cfg.kong {
		// Kong reports eof=0 here even without a body and may then never call the body
		// callback: a request that cannot have a body is routed now. Otherwise the body
		// callback comes once with the whole body; pausing here would hang.
		if h.method == "GET" || h.method == "HEAD" || contentLength == "0" {
			return h.route()
		}
		return types.ActionContinue
	}
	// Hold the headers (allow_on_headers_stop_iteration) so they can be rewritten once the
	// body is known.
	return types.ActionPause
}

func (in *inputs) set(name, v string) string {
	switch name {
	case "provider":
		in.provider = v
	case "config":
		in.config = v
	case "virtual-key":
		in.virtualKey = v
	case "trace-id":
		in.traceID = v
	case "metadata":
		in.metadata = v
		if !gjson.Valid(v) || !gjson.Parse(v).IsObject() {
			return "x-portkey-metadata must be a JSON object"
		}
	case "request-timeout":
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || n <= 0 || n > 1<<31-1 {
			return "x-portkey-request-timeout must be a positive number of milliseconds (got " + quote(v) + ")"
		}
		in.timeoutMS = n
	case "forward-headers":
		in.forward = v
	case "custom-host":
		in.customHost = strings.TrimRight(strings.TrimSpace(v), "/")
	case "strict-open-ai-compliance":
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "false":
			in.strict = routing.False
		case "true":
			in.strict = routing.True
		default:
			return "x-portkey-strict-open-ai-compliance must be true or false (got " + quote(v) + ")"
		}
	case "cache-force-refresh", "cache-namespace", "span-id", "parent-span-id", "span-name", "api-key":
		// Accepted for compatibility; no effect on this gateway (README).
	default:
		key := name
		if strings.HasPrefix(key, "azure-") {
			key = key[len("azure-"):]
		}
		key = strings.ReplaceAll(key, "-", "_")
		in.opts.Set(key, v)
	}
	return ""
}

func (c *config) validGatewayKey(k string) bool {
	sum := sha256.Sum256([]byte(k))
	ok := 0
	for i := range c.gatewayKeys {
		ok |= subtle.ConstantTimeCompare(sum[:], c.gatewayKeys[i][:])
	}
	return ok == 1
}

// classify maps the request path to the operation; status 0 = ok.
func (h *httpContext) classify() (uint32, string) {
	p := h.path
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	switch p {
	case "/v1/chat/completions", "/chat/completions":
		h.kind, h.op = kindTranslated, translate.OpChat
	case "/v1/completions", "/completions":
		h.kind, h.op = kindTranslated, translate.OpCompletions
	case "/v1/embeddings", "/embeddings":
		h.kind, h.op = kindTranslated, translate.OpEmbeddings
	case "/v1/messages":
		h.kind = kindMessages
	default:
		if !strings.HasPrefix(p, "/v1/") {
			return 404, "unknown path " + quote(p) + ": this gateway serves the OpenAI API under /v1/"
		}
		h.kind = kindPassthrough
		return 0, ""
	}
	if h.method != "POST" {
		return 405, h.method + " is not allowed on " + p + "; use POST"
	}
	return 0, ""
}

func (h *httpContext) OnHttpRequestBody(size int, endOfStream bool) types.Action {
	if h.state != stRequest {
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
			return h.hostError("read request body", err)
		}
		h.body = body
	}
	return h.route()
}

// route builds the plan and starts the first attempt: inline through the proxy's router, or as a
// callout.
func (h *httpContext) route() types.Action {
	if h.kind != kindPassthrough && !gjson.ValidBytes(h.body) {
		return h.reject(400, "request body is not valid JSON", "invalid_json")
	}
	rc := h.rc
	now := hostNow()
	info := routing.RequestInfo{Body: h.body, Path: h.path, TraceID: h.in.traceID, RequestTimeout: h.in.timeoutMS}
	if h.in.metadata != "" {
		info.Metadata = []byte(h.in.metadata)
	}
	if h.cfg.requestDeadlineMS > 0 {
		info.Deadline = now.Add(time.Duration(h.cfg.requestDeadlineMS) * time.Millisecond)
	}
	h.plan.Init(rc, info, routing.Deps{Now: hostNow})
	a, _, ok := h.plan.Next()
	if !ok {
		return h.planFailed()
	}
	callout := h.cfg.attemptMode == modeCallout ||
		(h.cfg.attemptMode == modeAuto && h.cfg.kong && rc.MaxAttempts() > 1)
	if callout {
		h.state = stCallout
		h.start(a)
		return types.ActionPause
	}
	h.attempt = a
	h.calls++
	if err := h.prepare(&a); err != nil {
		h.plan.Report(routing.Outcome{GatewayError: true})
		return h.replyTranslateError(err)
	}
	return h.forwardInline()
}

// forwardInline points the held request at the attempt's target and lets the proxy send it.
func (h *httpContext) forwardInline() types.Action {
	up := &h.buf.up
	hs := h.upstreamHeaders(h.buf.hdrs[:0], true)
	h.buf.hdrs = hs
	if err := abi.ReplaceHttpRequestHeaders(hs); err != nil {
		return h.hostError("set request headers", err)
	}
	if h.kind != kindPassthrough || len(h.body) > 0 {
		if err := abi.ReplaceHttpRequestBody(up.Body); err != nil && err != types.ErrorStatusNotFound {
			return h.hostError("set request body", err)
		}
	}
	// Envoy >= 1.33 only re-selects the route when asked (docs/host.md §5.3). Kong traps on
	// unknown foreign functions, so it is never called there.
	if !h.cfg.kong {
		if _, err := abi.CallForeignFunction("clear_route_cache", nil); err != nil && err != types.ErrorStatusNotFound {
			abi.LogWarn("switchyard: clear_route_cache failed: " + err.Error())
		}
	}
	h.state = stInline
	return types.ActionContinue
}

func (h *httpContext) tooLarge() types.Action {
	return h.reject(413, "request body exceeds the gateway limit of "+
		strconv.Itoa(h.cfg.maxRequestBodyBytes)+" bytes", "request_too_large")
}

// quote renders a client-supplied value for an error message, bounded in length.
func quote(s string) string {
	if len(s) > maxEchoedValue {
		s = s[:maxEchoedValue] + "..."
	}
	return strconv.Quote(s)
}
