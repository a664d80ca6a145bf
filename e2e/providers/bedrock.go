package providers

import (
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"net/http"
	"strconv"
	"strings"
)

func init() { register("bedrock", func() Handler { return NewBedrock() }) }

// Bedrock mocks the Bedrock Runtime: POST /model/{modelId}/converse (JSON),
// /converse-stream (application/vnd.amazon.eventstream frames with real CRCs) and /invoke
// for embeddings (Titan {"inputText"} and Cohere {"texts"} bodies). Errors are
// {"message":"..."} with the exception name in x-amzn-ErrorType, as AWS sends them.
// RequireKey accepts a Bedrock API key (Authorization: Bearer KEY) or a SigV4 Authorization
// whose Credential starts with KEY (the access key id); the signature itself is not checked.
type Bedrock struct{ Mock }

// NewBedrock returns a fresh Bedrock mock with nothing recorded or scripted.
func NewBedrock() *Bedrock { return &Bedrock{newMock("bedrock")} }

func (m *Bedrock) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := m.begin(w, r)
	if c == nil {
		return
	}
	w.Header().Set("x-amzn-RequestId", mockUUID(c.seq))
	path := r.URL.Path
	i := strings.Index(path, "/model/")
	j := strings.LastIndex(path, "/")
	op, model := "", ""
	if r.Method == http.MethodPost && i >= 0 && j > i+len("/model/") {
		model, op = path[i+len("/model/"):j], path[j+1:]
	}
	switch op {
	case "converse", "converse-stream", "invoke":
	default:
		c.reply.Message = orDefault(c.reply.Message, "Unable to determine service/operation name to be authorized")
		m.fail(c, http.StatusNotFound)
		return
	}
	if m.RequireKey != "" {
		a := r.Header.Get("Authorization")
		if a != "Bearer "+m.RequireKey && !strings.Contains(a, "Credential="+m.RequireKey+"/") {
			c.reply.Message = orDefault(c.reply.Message, "The security token included in the request is invalid.")
			m.fail(c, http.StatusForbidden)
			return
		}
	}
	// Raw frames for the event stream, sent as given.
	if c.scripted(m.fail, "application/vnd.amazon.eventstream") {
		return
	}
	var req struct {
		Messages  json.RawMessage `json:"messages"`
		InputText *string         `json:"inputText"`
		Texts     []string        `json:"texts"`
		Dims      int             `json:"dimensions"`
	}
	if err := json.Unmarshal(c.body, &req); err != nil {
		c.reply.Message = orDefault(c.reply.Message, "Malformed input request, please reformat your input and try again.")
		m.fail(c, http.StatusBadRequest)
		return
	}
	if op == "invoke" {
		m.embed(c, req.InputText, req.Texts, req.Dims)
		return
	}
	if len(req.Messages) == 0 || string(req.Messages) == "null" {
		c.reply.Message = orDefault(c.reply.Message, "1 validation error detected: Value null at 'messages' failed to satisfy constraint: Member must not be null")
		m.fail(c, http.StatusBadRequest)
		return
	}
	_ = model
	if op == "converse-stream" {
		m.stream(c)
		return
	}
	p := c.reply.pieces()
	content := ""
	if len(p) > 0 || len(c.reply.ToolCalls) == 0 {
		content = `{"text":` + jsonString(strings.Join(p, "")) + `}`
	}
	stop := "end_turn"
	for _, t := range c.reply.tools() {
		if content != "" {
			content += ","
		}
		content += `{"toolUse":{"toolUseId":` + jsonString(t.ID) + `,"name":` + jsonString(t.Name) + `,"input":` + jsonObject(t.Arguments) + `}}`
		stop = "tool_use"
	}
	c.json(http.StatusOK, []byte(`{"output":{"message":{"role":"assistant","content":[`+content+`]}},"stopReason":`+
		jsonString(c.finish(stop))+`,"usage":`+bedrockUsage(c.reply.prompt(), c.reply.output(len(p)))+`,"metrics":{"latencyMs":42}}`))
}

func bedrockUsage(in, out int) string {
	return `{"inputTokens":` + strconv.Itoa(in) + `,"outputTokens":` + strconv.Itoa(out) + `,"totalTokens":` + strconv.Itoa(in+out) + `}`
}

// bedrockException is the exception AWS documents for a status.
func bedrockException(status int) (string, string) {
	switch status {
	case 400:
		return "ValidationException", "Malformed input request, please reformat your input and try again."
	case 403:
		return "AccessDeniedException", "You don't have access to the model with the specified model ID."
	case 404:
		return "ResourceNotFoundException", "Could not resolve the foundation model from the provided model identifier."
	case 408:
		return "ModelTimeoutException", "Model has timed out in processing the request."
	case 424:
		return "ModelErrorException", "The model encountered an error processing the request."
	case 429:
		return "ThrottlingException", "Too many requests, please wait before trying again."
	case 503:
		return "ServiceUnavailableException", "Bedrock is unable to process your request."
	}
	if status >= 500 {
		return "InternalServerException", "The server encountered an internal error."
	}
	return "ValidationException", "Malformed input request, please reformat your input and try again."
}

func (m *Bedrock) fail(c *call, status int) {
	name, def := bedrockException(status)
	c.w.Header().Set("x-amzn-ErrorType", name+":http://internal.amazon.com/coral/com.amazon.bedrock/")
	c.json(status, []byte(`{"message":`+jsonString(orDefault(c.reply.Message, def))+`}`))
}

// eventFrame encodes one AWS event stream message: prelude (total and headers length, CRC),
// string headers, payload, message CRC (both CRC-32/IEEE, big endian).
func eventFrame(headers [][2]string, payload string) []byte {
	var hb []byte
	for _, h := range headers {
		hb = append(hb, byte(len(h[0])))
		hb = append(hb, h[0]...)
		hb = append(hb, 7)
		hb = binary.BigEndian.AppendUint16(hb, uint16(len(h[1])))
		hb = append(hb, h[1]...)
	}
	total := 12 + len(hb) + len(payload) + 4
	b := make([]byte, 0, total)
	b = binary.BigEndian.AppendUint32(b, uint32(total))
	b = binary.BigEndian.AppendUint32(b, uint32(len(hb)))
	b = binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
	b = append(b, hb...)
	b = append(b, payload...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
}

// bedrockEvent is one ConverseStream event; the "p" member is the padding AWS adds to every
// event payload so sizes do not leak content.
func bedrockEvent(typ, body string) []byte {
	body = strings.TrimSuffix(body, "}") + `,"p":"abcdefghijkl"}`
	return eventFrame([][2]string{{":event-type", typ}, {":content-type", "application/json"}, {":message-type", "event"}}, body)
}

// stream sends messageStart, the text as contentBlockDelta events, each tool call as
// contentBlockStart/Delta/Stop, messageStop and metadata (usage), as ConverseStream does.
func (m *Bedrock) stream(c *call) {
	p := c.reply.pieces()
	tools := c.reply.tools()
	s := c.startStream("application/vnd.amazon.eventstream")
	if !s.send(bedrockEvent("messageStart", `{"role":"assistant"}`)) {
		return
	}
	errAt := c.reply.errorAt(len(p))
	block := 0
	for i := 0; i <= len(p); i++ {
		if i == errAt {
			s.send(eventFrame([][2]string{{":exception-type", "modelStreamErrorException"}, {":content-type", "application/json"}, {":message-type", "exception"}},
				`{"message":`+jsonString(orDefault(c.reply.Message, "The model encountered an error processing the request."))+`}`))
			return
		}
		if i == len(p) {
			break
		}
		if !s.send(bedrockEvent("contentBlockDelta", `{"contentBlockIndex":0,"delta":{"text":`+jsonString(p[i])+`}}`)) {
			return
		}
	}
	if len(p) > 0 {
		if !s.send(bedrockEvent("contentBlockStop", `{"contentBlockIndex":0}`)) {
			return
		}
		block++
	}
	stop := "end_turn"
	for _, t := range tools {
		stop = "tool_use"
		idx := strconv.Itoa(block)
		if !s.send(bedrockEvent("contentBlockStart", `{"contentBlockIndex":`+idx+`,"start":{"toolUse":{"name":`+jsonString(t.Name)+`,"toolUseId":`+jsonString(t.ID)+`}}}`)) {
			return
		}
		for _, a := range halves(jsonObject(t.Arguments)) {
			if !s.send(bedrockEvent("contentBlockDelta", `{"contentBlockIndex":`+idx+`,"delta":{"toolUse":{"input":`+jsonString(a)+`}}}`)) {
				return
			}
		}
		if !s.send(bedrockEvent("contentBlockStop", `{"contentBlockIndex":`+idx+`}`)) {
			return
		}
		block++
	}
	if !s.send(bedrockEvent("messageStop", `{"stopReason":`+jsonString(c.finish(stop))+`}`)) {
		return
	}
	s.send(bedrockEvent("metadata", `{"metrics":{"latencyMs":42},"usage":`+bedrockUsage(c.reply.prompt(), c.reply.output(len(p)))+`}`))
}

// embed answers InvokeModel for Titan ({"embedding":[..],"inputTextTokenCount":N}) and Cohere
// ({"embeddings":[[..],..],"id","response_type":"embeddings_floats","texts"}) bodies.
func (m *Bedrock) embed(c *call, inputText *string, texts []string, dims int) {
	if dims <= 0 || dims > 4096 {
		dims = 4
	}
	vec := func(i int) []byte {
		b := []byte{'['}
		for d := 0; d < dims; d++ {
			if d > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendFloat(b, float64(float32(i+1)*0.001+float32(d)*0.01), 'g', -1, 32)
		}
		return append(b, ']')
	}
	switch {
	case inputText != nil:
		b := append([]byte(`{"embedding":`), vec(0)...)
		b = append(b, `,"inputTextTokenCount":`...)
		b = strconv.AppendInt(b, int64(len(*inputText)/4+1), 10)
		c.json(http.StatusOK, append(b, '}'))
	case len(texts) > 0:
		b := []byte(`{"embeddings":[`)
		for i := range texts {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, vec(i)...)
		}
		tj, _ := json.Marshal(texts)
		b = append(b, `],"id":`...)
		b = append(b, jsonString(orDefault(c.reply.ID, CohereID))...)
		b = append(b, `,"response_type":"embeddings_floats","texts":`...)
		b = append(b, tj...)
		c.json(http.StatusOK, append(b, '}'))
	default:
		c.reply.Message = orDefault(c.reply.Message, "Malformed input request: #: required key [inputText] not found, please reformat your input and try again.")
		m.fail(c, http.StatusBadRequest)
	}
}
