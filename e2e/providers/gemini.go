package providers

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

func init() {
	register("google", func() Handler { return NewGemini("google") })
	register("vertex-ai", func() Handler { return NewGemini("vertex-ai") })
}

// Gemini mocks the Gemini API (generativelanguage.googleapis.com, and Vertex AI's publisher
// model paths, which take the same bodies): POST .../models/{model}:generateContent,
// :streamGenerateContent (SSE with ?alt=sse, CRLF-framed as Google sends it; a JSON array
// without), :embedContent and :batchEmbedContents; errors in Google's
// {"error":{"code","message","status"}} shape. Routes match on the ":method" suffix.
type Gemini struct{ Mock }

// NewGemini returns a fresh Gemini mock answering as provider name ("google", "vertex-ai").
func NewGemini(name string) *Gemini { return &Gemini{newMock(name)} }

// GeminiResponseID is the responseId of every answer unless a Reply sets one.
const GeminiResponseID = "mock-gemini-response"

type geminiRequest struct {
	Contents []json.RawMessage `json:"contents"`
	Content  *json.RawMessage  `json:"content"`
	Requests []json.RawMessage `json:"requests"`
	Dims     int               `json:"outputDimensionality"`
}

func (m *Gemini) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := m.begin(w, r)
	if c == nil {
		return
	}
	path := r.URL.Path
	model, method, _ := strings.Cut(path[strings.LastIndex(path, "/")+1:], ":")
	if r.Method != http.MethodPost || !strings.Contains(path, "/models/") || model == "" {
		method = ""
	}
	switch method {
	case "generateContent", "streamGenerateContent", "embedContent", "batchEmbedContents":
	default:
		c.reply.Message = orDefault(c.reply.Message, "Method not found.")
		m.fail(c, http.StatusNotFound)
		return
	}
	if m.RequireKey != "" && r.Header.Get("x-goog-api-key") != m.RequireKey && r.URL.Query().Get("key") != m.RequireKey &&
		r.Header.Get("Authorization") != "Bearer "+m.RequireKey {
		m.fail(c, http.StatusUnauthorized)
		return
	}
	if c.scripted(m.fail, sseType) {
		return
	}
	var req geminiRequest
	if err := json.Unmarshal(c.body, &req); err != nil {
		c.reply.Message = orDefault(c.reply.Message, "Invalid JSON payload received.")
		m.fail(c, http.StatusBadRequest)
		return
	}
	switch method {
	case "embedContent", "batchEmbedContents":
		m.embed(c, &req, method == "batchEmbedContents")
		return
	}
	if len(req.Contents) == 0 {
		c.reply.Message = orDefault(c.reply.Message, "* GenerateContentRequest.contents: contents is not specified\n")
		m.fail(c, http.StatusBadRequest)
		return
	}
	if method == "streamGenerateContent" {
		m.stream(c, model, r.URL.Query().Get("alt") == "sse")
		return
	}
	p := c.reply.pieces()
	c.json(http.StatusOK, []byte(m.chunk(c, model, strings.Join(p, ""), true, len(p))))
}

// geminiStatus is Google's canonical status name for an HTTP status.
func geminiStatus(code int) (string, string) {
	switch code {
	case 400:
		return "INVALID_ARGUMENT", "Request contains an invalid argument."
	case 401:
		return "UNAUTHENTICATED", "API key not valid. Please pass a valid API key."
	case 403:
		return "PERMISSION_DENIED", "The caller does not have permission"
	case 404:
		return "NOT_FOUND", "Requested entity was not found."
	case 429:
		return "RESOURCE_EXHAUSTED", "You exceeded your current quota, please check your plan and billing details."
	case 503:
		return "UNAVAILABLE", "The model is overloaded. Please try again later."
	case 504:
		return "DEADLINE_EXCEEDED", "Deadline expired before operation could complete."
	}
	if code >= 500 {
		return "INTERNAL", "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting"
	}
	return "FAILED_PRECONDITION", "Precondition check failed."
}

func geminiError(code int, msg string) string {
	status, def := geminiStatus(code)
	return `{"error":{"code":` + strconv.Itoa(code) + `,"message":` + jsonString(orDefault(msg, def)) + `,"status":"` + status + `"}}`
}

func (m *Gemini) fail(c *call, status int) {
	c.json(status, []byte(geminiError(status, c.reply.Message)))
}

// chunk is one GenerateContentResponse: text (omitted when empty and there are tool calls),
// the tool calls when last, finishReason and full usage when last.
func (m *Gemini) chunk(c *call, model, text string, last bool, pieces int) string {
	parts := ""
	if text != "" || len(c.reply.ToolCalls) == 0 {
		parts = `{"text":` + jsonString(text) + `}`
	}
	if last {
		for _, t := range c.reply.tools() {
			if parts != "" {
				parts += ","
			}
			parts += `{"functionCall":{"name":` + jsonString(t.Name) + `,"args":` + jsonObject(t.Arguments) + `}}`
		}
	}
	out := `{"candidates":[{"content":{"parts":[` + parts + `],"role":"model"}`
	if last {
		out += `,"finishReason":` + jsonString(c.finish("STOP"))
	}
	completion := pieces
	if last {
		completion = c.reply.output(pieces)
	}
	out += `,"index":0}],"usageMetadata":{"promptTokenCount":` + strconv.Itoa(c.reply.prompt())
	if completion > 0 {
		out += `,"candidatesTokenCount":` + strconv.Itoa(completion)
	}
	out += `,"totalTokenCount":` + strconv.Itoa(c.reply.prompt()+completion) +
		`},"modelVersion":` + jsonString(c.model(model)) + `,"responseId":` + jsonString(orDefault(c.reply.ID, GeminiResponseID)) + `}`
	return out
}

// stream sends one response chunk per piece (usage so far in each, finishReason and tool calls
// in the last). With sse the chunks are "data: ...\r\n\r\n" events; without, Gemini's JSON
// array, one element per write.
func (m *Gemini) stream(c *call, model string, useSSE bool) {
	p := c.reply.pieces()
	if len(p) == 0 {
		p = []string{""}
	}
	var s *sse
	if useSSE {
		s = c.startSSE()
	} else {
		c.header(http.StatusOK, "application/json; charset=UTF-8", -1)
		s = &sse{c: c}
	}
	frame := func(i int, body string) []byte {
		if useSSE {
			return []byte("data: " + body + "\r\n\r\n")
		}
		if i == 0 {
			return []byte("[" + body)
		}
		return []byte(",\r\n" + body)
	}
	errAt := c.reply.errorAt(len(p))
	for i := 0; i <= len(p); i++ {
		if i == errAt {
			// Google ends a failing stream with an error object in place of a chunk.
			s.send(frame(i, geminiError(503, c.reply.Message)))
			return
		}
		if i == len(p) {
			break
		}
		if !s.send(frame(i, m.chunk(c, model, p[i], i == len(p)-1, i+1))) {
			return
		}
	}
	if !useSSE {
		s.send([]byte("]"))
	}
}

// embed answers embedContent ({"embedding":{"values":[..]}}) and batchEmbedContents
// ({"embeddings":[{"values":[..]},..]}) with deterministic vectors (outputDimensionality,
// default 4).
func (m *Gemini) embed(c *call, req *geminiRequest, batch bool) {
	n := 1
	dims := req.Dims
	if batch {
		n = len(req.Requests)
		if n == 0 {
			c.reply.Message = orDefault(c.reply.Message, "* BatchEmbedContentsRequest.requests: at least one request is required\n")
			m.fail(c, http.StatusBadRequest)
			return
		}
		var first struct {
			Dims int `json:"outputDimensionality"`
		}
		_ = json.Unmarshal(req.Requests[0], &first)
		dims = first.Dims
	} else if req.Content == nil {
		c.reply.Message = orDefault(c.reply.Message, "* EmbedContentRequest.content: contents is not specified\n")
		m.fail(c, http.StatusBadRequest)
		return
	}
	if dims <= 0 || dims > 4096 {
		dims = 4
	}
	vec := func(i int) []byte {
		b := []byte(`{"values":[`)
		for d := 0; d < dims; d++ {
			if d > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendFloat(b, float64(float32(i+1)*0.001+float32(d)*0.01), 'g', -1, 32)
		}
		return append(b, "]}"...)
	}
	if !batch {
		c.json(http.StatusOK, append(append([]byte(`{"embedding":`), vec(0)...), '}'))
		return
	}
	b := []byte(`{"embeddings":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, vec(i)...)
	}
	c.json(http.StatusOK, append(b, "]}"...))
}
