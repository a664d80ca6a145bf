package providers

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"strings"
)

func init() {
	register("openai", func() Handler { return NewOpenAI() })
	// Azure OpenAI serves the same bodies under /openai/deployments/{id}/..., with an api-key
	// header; the suffix routes and RequireKey's api-key check cover it.
	register("azure-openai", func() Handler { m := NewOpenAI(); m.name = "azure-openai"; return m })
}

// OpenAI mocks api.openai.com: POST /v1/chat/completions (JSON and SSE), /v1/completions,
// /v1/embeddings, GET /v1/models[/{id}]. Routes match on the path suffix so a custom base path
// ("/openai/v1/chat/completions") works too.
type OpenAI struct{ Mock }

// NewOpenAI returns a fresh OpenAI mock with nothing recorded or scripted.
func NewOpenAI() *OpenAI { return &OpenAI{newMock("openai")} }

// Fixed identifiers of OpenAI answers (overridable per Reply).
const (
	OpenAIChatID         = "chatcmpl-mock"
	OpenAICompletionID   = "cmpl-mock"
	OpenAIFingerprint    = "fp_mock"
	openAIStreamType     = "chat.completion.chunk"
	openAIInvalidJSONMsg = "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)"
)

type openAIRequest struct {
	Model         string `json:"model"`
	Stream        bool   `json:"stream"`
	StreamOptions struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
	Input          json.RawMessage `json:"input"`
	Dimensions     int             `json:"dimensions"`
	EncodingFormat string          `json:"encoding_format"`
}

func (m *OpenAI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := m.begin(w, r)
	if c == nil {
		return
	}
	path := r.URL.Path
	op := ""
	switch {
	case r.Method == http.MethodPost && strings.HasSuffix(path, "/chat/completions"):
		op = "chat"
	case r.Method == http.MethodPost && strings.HasSuffix(path, "/completions"):
		op = "completions"
	case r.Method == http.MethodPost && strings.HasSuffix(path, "/embeddings"):
		op = "embeddings"
	case r.Method == http.MethodGet && strings.HasSuffix(path, "/models"):
		op = "models"
	case r.Method == http.MethodGet && strings.Contains(path, "/models/"):
		op = "model"
	default:
		msg := orDefault(c.reply.Message, "Invalid URL ("+r.Method+" "+path+")")
		c.json(http.StatusNotFound, []byte(`{"error":{"message":`+jsonString(msg)+`,"type":"invalid_request_error","param":null,"code":null}}`))
		return
	}
	if m.RequireKey != "" && r.Header.Get("Authorization") != "Bearer "+m.RequireKey && r.Header.Get("api-key") != m.RequireKey {
		c.reply.Message = orDefault(c.reply.Message, "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.")
		m.fail(c, http.StatusUnauthorized)
		return
	}
	if c.scripted(m.fail, sseType) {
		return
	}
	var req openAIRequest
	if op == "chat" || op == "completions" || op == "embeddings" {
		if err := json.Unmarshal(c.body, &req); err != nil {
			c.reply.Message = orDefault(c.reply.Message, openAIInvalidJSONMsg)
			m.fail(c, http.StatusBadRequest)
			return
		}
		if req.Model == "" {
			c.reply.Message = orDefault(c.reply.Message, "you must provide a model parameter")
			m.fail(c, http.StatusBadRequest)
			return
		}
	}
	switch op {
	case "chat":
		if req.Stream {
			m.chatStream(c, &req)
		} else {
			c.json(http.StatusOK, m.chatJSON(c, &req))
		}
	case "completions":
		if req.Stream {
			m.completionStream(c, &req)
		} else {
			c.json(http.StatusOK, m.completionJSON(c, &req))
		}
	case "embeddings":
		m.embeddings(c, &req)
	case "models":
		c.json(http.StatusOK, []byte(`{"object":"list","data":[`+openAIModel("gpt-4o-mini")+`,`+openAIModel("text-embedding-3-small")+`]}`))
	case "model":
		c.json(http.StatusOK, []byte(openAIModel(path[strings.LastIndex(path, "/")+1:])))
	}
}

func orStatus(s int) int {
	if s == 0 {
		return http.StatusOK
	}
	return s
}

func openAIModel(id string) string {
	return `{"id":` + jsonString(id) + `,"object":"model","created":1686935002,"owned_by":"openai"}`
}

// fail answers with OpenAI's error object.
func (m *OpenAI) fail(c *call, status int) {
	typ, code, msg := "invalid_request_error", "null", "Invalid request."
	switch {
	case status == 401:
		code, msg = `"invalid_api_key"`, "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys."
	case status == 403:
		code, msg = `"unsupported_country_region_territory"`, "Country, region, or territory not supported"
	case status == 404:
		code, msg = `"model_not_found"`, "The model does not exist or you do not have access to it."
	case status == 413:
		msg = "Request too large."
	case status == 429:
		typ, code, msg = "requests", `"rate_limit_exceeded"`, "Rate limit reached for requests. Please try again in 1s."
	case status == 503:
		typ, msg = "server_error", "The engine is currently overloaded, please try again later."
	case status >= 500:
		typ, msg = "server_error", "The server had an error while processing your request. Sorry about that!"
	}
	msg = orDefault(c.reply.Message, msg)
	c.w.Header().Set("x-request-id", "req_mock_"+strconv.Itoa(c.seq))
	c.json(status, []byte(`{"error":{"message":`+jsonString(msg)+`,"type":"`+typ+`","param":null,"code":`+code+`}}`))
}

func (c *call) model(req string) string { return orDefault(c.reply.Model, req) }

func (c *call) finish(def string) string { return orDefault(c.reply.FinishReason, def) }

func openAIUsage(prompt, completion int) string {
	return `{"prompt_tokens":` + strconv.Itoa(prompt) + `,"completion_tokens":` + strconv.Itoa(completion) +
		`,"total_tokens":` + strconv.Itoa(prompt+completion) +
		`,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}`
}

func (m *OpenAI) chatJSON(c *call, req *openAIRequest) []byte {
	p := c.reply.pieces()
	content, finish := "null", "stop"
	if len(p) > 0 {
		content = jsonString(strings.Join(p, ""))
	}
	calls := ""
	if tools := c.reply.tools(); len(tools) > 0 {
		finish = "tool_calls"
		calls = `,"tool_calls":[`
		for i, t := range tools {
			if i > 0 {
				calls += ","
			}
			calls += `{"id":` + jsonString(t.ID) + `,"type":"function","function":{"name":` + jsonString(t.Name) + `,"arguments":` + jsonString(t.Arguments) + `}}`
		}
		calls += "]"
	}
	return []byte(`{"id":` + jsonString(orDefault(c.reply.ID, OpenAIChatID)) +
		`,"object":"chat.completion","created":` + strconv.FormatInt(c.reply.created(), 10) +
		`,"model":` + jsonString(c.model(req.Model)) +
		`,"choices":[{"index":0,"message":{"role":"assistant","content":` + content + calls +
		`,"refusal":null,"annotations":[]},"logprobs":null,"finish_reason":` + jsonString(c.finish(finish)) +
		`}],"usage":` + openAIUsage(c.reply.prompt(), c.reply.output(len(p))) +
		`,"service_tier":"default","system_fingerprint":"` + OpenAIFingerprint + `"}`)
}

// chatStream sends a role chunk, one chunk per piece, the finish chunk, the usage chunk when
// stream_options.include_usage, then [DONE], as OpenAI does.
func (m *OpenAI) chatStream(c *call, req *openAIRequest) {
	head := `data: {"id":` + jsonString(orDefault(c.reply.ID, OpenAIChatID)) +
		`,"object":"chat.completion.chunk","created":` + strconv.FormatInt(c.reply.created(), 10) +
		`,"model":` + jsonString(c.model(req.Model)) +
		`,"service_tier":"default","system_fingerprint":"` + OpenAIFingerprint + `","choices":`
	tail := "}\n\n"
	if req.StreamOptions.IncludeUsage {
		tail = `,"usage":null}` + "\n\n"
	}
	s := c.startSSE()
	if !s.send([]byte(head + `[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]` + tail)) {
		return
	}
	p := c.reply.pieces()
	errAt := c.reply.errorAt(len(p))
	for i := 0; i <= len(p); i++ {
		if i == errAt {
			// OpenAI reports a failure mid-stream as a data event holding an error object.
			s.send([]byte(`data: {"error":{"message":` + jsonString(orDefault(c.reply.Message, "The server had an error while processing your request. Sorry about that!")) +
				`,"type":"server_error","param":null,"code":null}}` + "\n\n"))
			return
		}
		if i == len(p) {
			break
		}
		if !s.send([]byte(head + `[{"index":0,"delta":{"content":` + jsonString(p[i]) + `},"logprobs":null,"finish_reason":null}]` + tail)) {
			return
		}
	}
	finish := "stop"
	for i, t := range c.reply.tools() {
		finish = "tool_calls"
		idx := strconv.Itoa(i)
		if !s.send([]byte(head + `[{"index":0,"delta":{"tool_calls":[{"index":` + idx + `,"id":` + jsonString(t.ID) +
			`,"type":"function","function":{"name":` + jsonString(t.Name) + `,"arguments":""}}]},"logprobs":null,"finish_reason":null}]` + tail)) {
			return
		}
		for _, a := range halves(t.Arguments) {
			if !s.send([]byte(head + `[{"index":0,"delta":{"tool_calls":[{"index":` + idx + `,"function":{"arguments":` + jsonString(a) +
				`}}]},"logprobs":null,"finish_reason":null}]` + tail)) {
				return
			}
		}
	}
	if !s.send([]byte(head + `[{"index":0,"delta":{},"logprobs":null,"finish_reason":` + jsonString(c.finish(finish)) + `}]` + tail)) {
		return
	}
	if req.StreamOptions.IncludeUsage {
		if !s.send([]byte(head + `[],"usage":` + openAIUsage(c.reply.prompt(), c.reply.output(len(p))) + "}\n\n")) {
			return
		}
	}
	s.send([]byte("data: [DONE]\n\n"))
}

func (m *OpenAI) completionJSON(c *call, req *openAIRequest) []byte {
	p := c.reply.pieces()
	return []byte(`{"id":` + jsonString(orDefault(c.reply.ID, OpenAICompletionID)) +
		`,"object":"text_completion","created":` + strconv.FormatInt(c.reply.created(), 10) +
		`,"model":` + jsonString(c.model(req.Model)) +
		`,"choices":[{"text":` + jsonString(strings.Join(p, "")) +
		`,"index":0,"logprobs":null,"finish_reason":` + jsonString(c.finish("stop")) +
		`}],"usage":{"prompt_tokens":` + strconv.Itoa(c.reply.prompt()) + `,"completion_tokens":` + strconv.Itoa(len(p)) +
		`,"total_tokens":` + strconv.Itoa(c.reply.prompt()+len(p)) + `}}`)
}

func (m *OpenAI) completionStream(c *call, req *openAIRequest) {
	head := `data: {"id":` + jsonString(orDefault(c.reply.ID, OpenAICompletionID)) +
		`,"object":"text_completion","created":` + strconv.FormatInt(c.reply.created(), 10) + `,"choices":`
	tail := `,"model":` + jsonString(c.model(req.Model)) + `,"system_fingerprint":"` + OpenAIFingerprint + `"`
	s := c.startSSE()
	p := c.reply.pieces()
	for i, piece := range p {
		fin := "null"
		if i == len(p)-1 {
			fin = jsonString(c.finish("stop"))
		}
		if !s.send([]byte(head + `[{"text":` + jsonString(piece) + `,"index":0,"logprobs":null,"finish_reason":` + fin + `}]` + tail + "}\n\n")) {
			return
		}
	}
	if req.StreamOptions.IncludeUsage {
		if !s.send([]byte(head + `[]` + tail + `,"usage":{"prompt_tokens":` + strconv.Itoa(c.reply.prompt()) +
			`,"completion_tokens":` + strconv.Itoa(len(p)) + `,"total_tokens":` + strconv.Itoa(c.reply.prompt()+len(p)) + "}}\n\n")) {
			return
		}
	}
	s.send([]byte("data: [DONE]\n\n"))
}

// embeddings answers one deterministic vector per input (a string, an array of strings or of
// token arrays); dimensions default to 4. encoding_format "base64" packs float32 little endian.
func (m *OpenAI) embeddings(c *call, req *openAIRequest) {
	var inputs []json.RawMessage
	in := strings.TrimSpace(string(req.Input))
	switch {
	case in == "" || in == "null":
		c.reply.Message = orDefault(c.reply.Message, "'input' is a required property")
		m.fail(c, http.StatusBadRequest)
		return
	case in[0] == '[' && !isTokenArray(req.Input):
		if err := json.Unmarshal(req.Input, &inputs); err != nil {
			m.fail(c, http.StatusBadRequest)
			return
		}
	default:
		inputs = []json.RawMessage{req.Input}
	}
	dims := req.Dimensions
	if dims <= 0 || dims > 4096 {
		dims = 4
	}
	b := []byte(`{"object":"list","data":[`)
	tokens := 0
	for i, raw := range inputs {
		if i > 0 {
			b = append(b, ',')
		}
		tokens += len(raw)/4 + 1
		b = append(b, `{"object":"embedding","index":`...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, `,"embedding":`...)
		vec := make([]float32, dims)
		for d := range vec {
			vec[d] = float32(i+1)*0.001 + float32(d)*0.01
		}
		if req.EncodingFormat == "base64" {
			raw := make([]byte, 4*dims)
			for d, f := range vec {
				binary.LittleEndian.PutUint32(raw[4*d:], math.Float32bits(f))
			}
			b = append(b, '"')
			b = append(b, base64.StdEncoding.EncodeToString(raw)...)
			b = append(b, '"')
		} else {
			b = append(b, '[')
			for d, f := range vec {
				if d > 0 {
					b = append(b, ',')
				}
				b = strconv.AppendFloat(b, float64(f), 'g', -1, 32)
			}
			b = append(b, ']')
		}
		b = append(b, '}')
	}
	b = append(b, `],"model":`...)
	b = append(b, jsonString(c.model(req.Model))...)
	b = append(b, `,"usage":{"prompt_tokens":`...)
	b = strconv.AppendInt(b, int64(tokens), 10)
	b = append(b, `,"total_tokens":`...)
	b = strconv.AppendInt(b, int64(tokens), 10)
	b = append(b, "}}"...)
	c.json(http.StatusOK, b)
}

// isTokenArray tells one tokenised input ([1,2,3]) from a batch of inputs.
func isTokenArray(raw json.RawMessage) bool {
	var nums []int
	return json.Unmarshal(raw, &nums) == nil
}
