package providers

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

func init() { register("anthropic", func() Handler { return NewAnthropic() }) }

// Anthropic mocks api.anthropic.com: POST /v1/messages, a JSON message or (with "stream":true)
// the Messages SSE event stream; errors in Anthropic's {"type":"error","error":{...}} shape.
// Like the real API it rejects a request without the anthropic-version header.
type Anthropic struct{ Mock }

// NewAnthropic returns a fresh Anthropic mock with nothing recorded or scripted.
func NewAnthropic() *Anthropic { return &Anthropic{newMock("anthropic")} }

// AnthropicMessageID is the id of every answer unless a Reply sets one.
const AnthropicMessageID = "msg_mock"

type anthropicRequest struct {
	Model     string `json:"model"`
	MaxTokens *int   `json:"max_tokens"`
	Stream    bool   `json:"stream"`
}

func (m *Anthropic) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := m.begin(w, r)
	if c == nil {
		return
	}
	w.Header().Set("request-id", "req_mock_"+strconv.Itoa(c.seq))
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/messages") {
		c.reply.Message = orDefault(c.reply.Message, "Not Found")
		m.fail(c, http.StatusNotFound)
		return
	}
	if m.RequireKey != "" && r.Header.Get("x-api-key") != m.RequireKey {
		c.reply.Message = orDefault(c.reply.Message, "invalid x-api-key")
		m.fail(c, http.StatusUnauthorized)
		return
	}
	if c.scripted(m.fail, sseType) {
		return
	}
	if r.Header.Get("anthropic-version") == "" {
		c.reply.Message = orDefault(c.reply.Message, "anthropic-version: header is required")
		m.fail(c, http.StatusBadRequest)
		return
	}
	var req anthropicRequest
	if err := json.Unmarshal(c.body, &req); err != nil {
		c.reply.Message = orDefault(c.reply.Message, "There was an issue with your request body: invalid JSON")
		m.fail(c, http.StatusBadRequest)
		return
	}
	if req.Model == "" || req.MaxTokens == nil {
		field := "model"
		if req.Model != "" {
			field = "max_tokens"
		}
		c.reply.Message = orDefault(c.reply.Message, field+": Field required")
		m.fail(c, http.StatusBadRequest)
		return
	}
	if req.Stream {
		m.stream(c, &req)
		return
	}
	p := c.reply.pieces()
	tools := c.reply.tools()
	content, stop := "", "end_turn"
	if len(p) > 0 || len(tools) == 0 {
		content = `{"type":"text","text":` + jsonString(strings.Join(p, "")) + `}`
	}
	for _, t := range tools {
		if content != "" {
			content += ","
		}
		content += `{"type":"tool_use","id":` + jsonString(t.ID) + `,"name":` + jsonString(t.Name) + `,"input":` + jsonObject(t.Arguments) + `}`
		stop = "tool_use"
	}
	c.json(http.StatusOK, []byte(`{"id":`+jsonString(orDefault(c.reply.ID, AnthropicMessageID))+
		`,"type":"message","role":"assistant","model":`+jsonString(c.model(req.Model))+
		`,"content":[`+content+`],"stop_reason":`+jsonString(c.finish(stop))+
		`,"stop_sequence":null,"usage":`+anthropicUsage(c.reply.prompt(), c.reply.output(len(p)))+`}`))
}

// jsonObject is s when it is a JSON object, else {} (tool input must be an object).
func jsonObject(s string) string {
	var v map[string]json.RawMessage
	if json.Unmarshal([]byte(s), &v) != nil || v == nil {
		return "{}"
	}
	return s
}

func anthropicUsage(input, output int) string {
	return `{"input_tokens":` + strconv.Itoa(input) + `,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":` + strconv.Itoa(output) + `}`
}

// anthropicErrorType is the error.type Anthropic documents for each status.
func anthropicErrorType(status int) (string, string) {
	switch status {
	case 400:
		return "invalid_request_error", "Invalid request."
	case 401:
		return "authentication_error", "invalid x-api-key"
	case 403:
		return "permission_error", "Your API key does not have permission to use the specified resource."
	case 404:
		return "not_found_error", "Not Found"
	case 413:
		return "request_too_large", "Request exceeds the maximum allowed number of bytes."
	case 429:
		return "rate_limit_error", "Number of requests has exceeded your rate limit."
	case 529:
		return "overloaded_error", "Overloaded"
	}
	if status >= 500 {
		return "api_error", "Internal server error"
	}
	return "invalid_request_error", "Invalid request."
}

func anthropicError(status int, msg string) string {
	typ, def := anthropicErrorType(status)
	return `{"type":"error","error":{"type":"` + typ + `","message":` + jsonString(orDefault(msg, def)) + `}}`
}

func (m *Anthropic) fail(c *call, status int) {
	c.json(status, []byte(anthropicError(status, c.reply.Message)))
}

// stream sends the documented event sequence: message_start, content_block_start, ping, one
// content_block_delta per piece, content_block_stop, then per tool call a tool_use block whose
// input arrives as input_json_delta pieces, message_delta (stop reason, output tokens),
// message_stop.
func (m *Anthropic) stream(c *call, req *anthropicRequest) {
	p := c.reply.pieces()
	s := c.startSSE()
	ev := func(name, data string) bool {
		return s.send([]byte("event: " + name + "\ndata: " + data + "\n\n"))
	}
	if !ev("message_start", `{"type":"message_start","message":{"id":`+jsonString(orDefault(c.reply.ID, AnthropicMessageID))+
		`,"type":"message","role":"assistant","model":`+jsonString(c.model(req.Model))+
		`,"content":[],"stop_reason":null,"stop_sequence":null,"usage":`+anthropicUsage(c.reply.prompt(), 1)+`}}`) {
		return
	}
	idx, pinged := 0, false
	start := func(block string) bool {
		ok := ev("content_block_start", `{"type":"content_block_start","index":`+strconv.Itoa(idx)+`,"content_block":`+block+`}`)
		if ok && !pinged {
			pinged = true
			ok = ev("ping", `{"type": "ping"}`)
		}
		return ok
	}
	errAt := c.reply.errorAt(len(p))
	tools := c.reply.tools()
	if len(p) > 0 || len(tools) == 0 {
		if !start(`{"type":"text","text":""}`) {
			return
		}
		for i := 0; i <= len(p); i++ {
			if i == errAt {
				ev("error", anthropicError(529, c.reply.Message))
				return
			}
			if i == len(p) {
				break
			}
			if !ev("content_block_delta", `{"type":"content_block_delta","index":`+strconv.Itoa(idx)+`,"delta":{"type":"text_delta","text":`+jsonString(p[i])+`}}`) {
				return
			}
		}
		if !ev("content_block_stop", `{"type":"content_block_stop","index":`+strconv.Itoa(idx)+`}`) {
			return
		}
		idx++
	} else if errAt >= 0 {
		ev("error", anthropicError(529, c.reply.Message))
		return
	}
	stop := "end_turn"
	for _, t := range tools {
		stop = "tool_use"
		if !start(`{"type":"tool_use","id":` + jsonString(t.ID) + `,"name":` + jsonString(t.Name) + `,"input":{}}`) {
			return
		}
		for _, a := range halves(jsonObject(t.Arguments)) {
			if !ev("content_block_delta", `{"type":"content_block_delta","index":`+strconv.Itoa(idx)+`,"delta":{"type":"input_json_delta","partial_json":`+jsonString(a)+`}}`) {
				return
			}
		}
		if !ev("content_block_stop", `{"type":"content_block_stop","index":`+strconv.Itoa(idx)+`}`) {
			return
		}
		idx++
	}
	if !ev("message_delta", `{"type":"message_delta","delta":{"stop_reason":`+jsonString(c.finish(stop))+
		`,"stop_sequence":null},"usage":{"output_tokens":`+strconv.Itoa(c.reply.output(len(p)))+`}}`) {
		return
	}
	ev("message_stop", `{"type":"message_stop"}`)
}
