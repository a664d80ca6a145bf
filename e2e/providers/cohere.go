package providers

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

func init() { register("cohere", func() Handler { return NewCohere() }) }

// Cohere mocks api.cohere.com v2: POST /v2/chat (a JSON answer, or with "stream":true the
// typed SSE events message-start … message-end) and POST /v2/embed; errors in Cohere's
// {"id":"...","message":"..."} shape.
type Cohere struct{ Mock }

// NewCohere returns a fresh Cohere mock with nothing recorded or scripted.
func NewCohere() *Cohere { return &Cohere{newMock("cohere")} }

// CohereID is the id of every answer unless a Reply sets one.
const CohereID = "c14c80c3-18eb-4519-9460-6c92edd8cfb4"

type cohereRequest struct {
	Model     string          `json:"model"`
	Stream    bool            `json:"stream"`
	Messages  json.RawMessage `json:"messages"`
	Texts     []string        `json:"texts"`
	InputType string          `json:"input_type"`
	OutputDim int             `json:"output_dimension"`
}

func (m *Cohere) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := m.begin(w, r)
	if c == nil {
		return
	}
	path := r.URL.Path
	chat := r.Method == http.MethodPost && strings.HasSuffix(path, "/chat")
	embed := r.Method == http.MethodPost && strings.HasSuffix(path, "/embed")
	if !chat && !embed {
		c.reply.Message = orDefault(c.reply.Message, "404 page not found")
		m.fail(c, http.StatusNotFound)
		return
	}
	if m.RequireKey != "" && !strings.EqualFold(r.Header.Get("Authorization"), "bearer "+m.RequireKey) {
		m.fail(c, http.StatusUnauthorized)
		return
	}
	if c.scripted(m.fail, sseType) {
		return
	}
	var req cohereRequest
	if err := json.Unmarshal(c.body, &req); err != nil {
		c.reply.Message = orDefault(c.reply.Message, "invalid request: unable to parse request body as JSON")
		m.fail(c, http.StatusBadRequest)
		return
	}
	if req.Model == "" {
		c.reply.Message = orDefault(c.reply.Message, "invalid request: model is required")
		m.fail(c, http.StatusBadRequest)
		return
	}
	if embed {
		m.embed(c, &req)
		return
	}
	if len(req.Messages) == 0 || string(req.Messages) == "null" {
		c.reply.Message = orDefault(c.reply.Message, "invalid request: messages is required")
		m.fail(c, http.StatusBadRequest)
		return
	}
	if req.Stream {
		m.stream(c)
		return
	}
	p := c.reply.pieces()
	tools := c.reply.tools()
	if len(tools) == 0 {
		c.json(http.StatusOK, []byte(`{"id":`+jsonString(orDefault(c.reply.ID, CohereID))+
			`,"message":{"role":"assistant","content":[{"type":"text","text":`+jsonString(strings.Join(p, ""))+
			`}]},"finish_reason":`+jsonString(c.finish("COMPLETE"))+`,"usage":`+cohereUsage(c.reply.prompt(), len(p))+`}`))
		return
	}
	// With tool calls Cohere puts its text in tool_plan, not content.
	msg := `{"role":"assistant"`
	if len(p) > 0 {
		msg += `,"tool_plan":` + jsonString(strings.Join(p, ""))
	}
	msg += `,"tool_calls":[`
	for i, t := range tools {
		if i > 0 {
			msg += ","
		}
		msg += `{"id":` + jsonString(t.ID) + `,"type":"function","function":{"name":` + jsonString(t.Name) + `,"arguments":` + jsonString(t.Arguments) + `}}`
	}
	msg += "]}"
	c.json(http.StatusOK, []byte(`{"id":`+jsonString(orDefault(c.reply.ID, CohereID))+`,"message":`+msg+
		`,"finish_reason":`+jsonString(c.finish("TOOL_CALL"))+`,"usage":`+cohereUsage(c.reply.prompt(), c.reply.output(len(p)))+`}`))
}

// cohereUsage reports billed units below the token counts, as Cohere does (its prompt template
// is not billed).
func cohereUsage(input, output int) string {
	billed := input / 2
	return `{"billed_units":{"input_tokens":` + strconv.Itoa(billed) + `,"output_tokens":` + strconv.Itoa(output) +
		`},"tokens":{"input_tokens":` + strconv.Itoa(input) + `,"output_tokens":` + strconv.Itoa(output) + `}}`
}

func (m *Cohere) fail(c *call, status int) {
	msg := "invalid request"
	switch {
	case status == 401:
		msg = "invalid api token"
	case status == 404:
		msg = "model not found, make sure the correct model ID was used and that you have access to the model."
	case status == 429:
		msg = "You are using a Trial key, which is limited to 10 API calls / minute."
	case status == 503:
		msg = "service unavailable"
	case status >= 500:
		msg = "internal server error, this has been reported to our developers"
	}
	c.json(status, []byte(`{"id":"`+mockUUID(c.seq)+`","message":`+jsonString(orDefault(c.reply.Message, msg))+`}`))
}

// mockUUID is a deterministic request id in UUID form.
func mockUUID(n int) string {
	s := strconv.Itoa(n)
	return "00000000-0000-4000-8000-" + strings.Repeat("0", 12-min(len(s), 12)) + s
}

// stream sends Cohere's typed events: message-start, content-start, one content-delta per
// piece, content-end, message-end (finish_reason and usage; an "error" when scripted). With
// tool calls the text comes as tool-plan-delta events, then per call tool-call-start, its
// arguments in tool-call-delta pieces, and tool-call-end.
func (m *Cohere) stream(c *call) {
	p := c.reply.pieces()
	tools := c.reply.tools()
	s := c.startSSE()
	ev := func(name, data string) bool {
		return s.send([]byte("event: " + name + "\ndata: " + data + "\n\n"))
	}
	if !ev("message-start", `{"type":"message-start","id":`+jsonString(orDefault(c.reply.ID, CohereID))+
		`,"delta":{"message":{"role":"assistant","content":[],"tool_plan":"","tool_calls":[],"citations":[]}}}`) {
		return
	}
	if len(tools) == 0 && !ev("content-start", `{"type":"content-start","index":0,"delta":{"message":{"content":{"type":"text","text":""}}}}`) {
		return
	}
	errAt := c.reply.errorAt(len(p))
	for i := 0; i <= len(p); i++ {
		if i == errAt {
			ev("message-end", `{"type":"message-end","delta":{"error":`+jsonString(orDefault(c.reply.Message, "internal server error"))+
				`,"finish_reason":"ERROR","usage":`+cohereUsage(c.reply.prompt(), i)+`}}`)
			return
		}
		if i == len(p) {
			break
		}
		ok := false
		if len(tools) > 0 {
			ok = ev("tool-plan-delta", `{"type":"tool-plan-delta","delta":{"message":{"tool_plan":`+jsonString(p[i])+`}}}`)
		} else {
			ok = ev("content-delta", `{"type":"content-delta","index":0,"delta":{"message":{"content":{"text":`+jsonString(p[i])+`}}}}`)
		}
		if !ok {
			return
		}
	}
	if len(tools) == 0 && !ev("content-end", `{"type":"content-end","index":0}`) {
		return
	}
	finish := "COMPLETE"
	for i, t := range tools {
		finish = "TOOL_CALL"
		idx := strconv.Itoa(i)
		if !ev("tool-call-start", `{"type":"tool-call-start","index":`+idx+`,"delta":{"message":{"tool_calls":{"id":`+jsonString(t.ID)+
			`,"type":"function","function":{"name":`+jsonString(t.Name)+`,"arguments":""}}}}}`) {
			return
		}
		for _, a := range halves(t.Arguments) {
			if !ev("tool-call-delta", `{"type":"tool-call-delta","index":`+idx+`,"delta":{"message":{"tool_calls":{"function":{"arguments":`+jsonString(a)+`}}}}}`) {
				return
			}
		}
		if !ev("tool-call-end", `{"type":"tool-call-end","index":`+idx+`}`) {
			return
		}
	}
	ev("message-end", `{"type":"message-end","delta":{"finish_reason":`+jsonString(c.finish(finish))+`,"usage":`+cohereUsage(c.reply.prompt(), c.reply.output(len(p)))+`}}`)
}

// embed answers one deterministic float vector per text (output_dimension, default 4).
func (m *Cohere) embed(c *call, req *cohereRequest) {
	if req.InputType == "" {
		c.reply.Message = orDefault(c.reply.Message, "invalid request: input_type is required")
		m.fail(c, http.StatusBadRequest)
		return
	}
	if len(req.Texts) == 0 {
		c.reply.Message = orDefault(c.reply.Message, "invalid request: texts must not be empty")
		m.fail(c, http.StatusBadRequest)
		return
	}
	dims := req.OutputDim
	if dims <= 0 || dims > 4096 {
		dims = 4
	}
	b := []byte(`{"id":` + jsonString(orDefault(c.reply.ID, CohereID)) + `,"embeddings":{"float":[`)
	tokens := 0
	for i, t := range req.Texts {
		if i > 0 {
			b = append(b, ',')
		}
		tokens += len(t)/4 + 1
		b = append(b, '[')
		for d := 0; d < dims; d++ {
			if d > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendFloat(b, float64(float32(i+1)*0.001+float32(d)*0.01), 'g', -1, 32)
		}
		b = append(b, ']')
	}
	b = append(b, `]},"texts":`...)
	texts, _ := json.Marshal(req.Texts)
	b = append(b, texts...)
	b = append(b, `,"meta":{"api_version":{"version":"2"},"billed_units":{"input_tokens":`...)
	b = strconv.AppendInt(b, int64(tokens), 10)
	b = append(b, `}},"response_type":"embeddings_by_type"}`...)
	c.json(http.StatusOK, b)
}
