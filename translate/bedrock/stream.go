package bedrock

import (
	"strings"

	"github.com/tidwall/gjson"

	"switchyard/translate"
	"switchyard/translate/bedrock/eventstream"
	"switchyard/translate/internal/oaiw"
)

// maxStreamMessage bounds one ConverseStream event. Bedrock's events are small (a delta, a
// usage record); the format's own 16 MiB limit would let a broken upstream grow the module's
// memory for good.
const maxStreamMessage = 1 << 20

// NewStream returns a translator from a ConverseStream event stream to OpenAI chunks.
func (Adapter) NewStream(c *translate.Call) translate.Stream {
	s := &stream{includeUsage: c.IncludeUsage}
	s.dec.MaxMessage = maxStreamMessage
	s.tools = s.toolsBuf[:0]
	s.prefix = oaiw.AppendChunkHead(s.prefixBuf[:0], "", c.ID, c.Created, "", c.Model)
	return s
}

type toolBlock struct {
	block int64 // Converse contentBlockIndex
	index int   // OpenAI tool_calls index
}

// stream is one ConverseStream translation. Events: messageStart → the role chunk;
// contentBlockStart with toolUse → a tool call's id and name; contentBlockDelta → text or
// tool argument deltas (reasoningContent deltas are dropped: chat completions has no field
// for them); messageStop → the finish_reason chunk; metadata → usage, then the usage chunk
// (when the client asked) and [DONE]. A stream that ends after messageStop without metadata
// is complete; one that ends before messageStop is truncated.
type stream struct {
	dec          eventstream.Decoder
	prefix       []byte
	includeUsage bool

	started, stopped, done, failed bool
	tools                          []toolBlock
	usage                          translate.Usage

	// Inline storage so a typical stream allocates only the struct and the decoder buffer.
	toolsBuf  [4]toolBlock
	prefixBuf [256]byte
}

func (s *stream) Usage() translate.Usage { return s.usage }

func (s *stream) Feed(dst []byte, chunk []byte) ([]byte, error) {
	if s.failed || s.done {
		return dst, nil
	}
	s.dec.Feed(chunk)
	for {
		m, ok, err := s.dec.Next()
		if err != nil {
			return s.fail(dst, &translate.Error{Status: 502, Type: "api_error", Code: "bad_upstream_stream",
				Message: "bedrock: malformed event stream: " + err.Error()})
		}
		if !ok {
			return dst, nil
		}
		dst, err = s.message(dst, &m)
		if err != nil || s.done {
			return dst, err
		}
	}
}

func (s *stream) Finish(dst []byte) ([]byte, error) {
	if s.failed || s.done {
		return dst, nil
	}
	if s.stopped && !s.dec.Pending() {
		return s.end(dst), nil
	}
	s.failed = true
	dst = translate.AppendErrorEvent(dst, "bedrock: stream ended before the response was complete", "api_error", "upstream_truncated")
	return dst, translate.ErrTruncated
}

func (s *stream) fail(dst []byte, e *translate.Error) ([]byte, error) {
	s.failed = true
	return translate.AppendErrorEvent(dst, e.Message, e.Type, e.Code), e
}

func header(m *eventstream.Message, name string) []byte {
	v, _ := m.Header(name)
	return v.Raw
}

func (s *stream) message(dst []byte, m *eventstream.Message) ([]byte, error) {
	switch string(header(m, ":message-type")) {
	case "event", "":
	case "exception":
		name := string(header(m, ":exception-type"))
		status, code := streamException(name)
		msg := ""
		if gjson.ValidBytes(m.Payload) {
			msg = gjson.GetBytes(m.Payload, "message").String()
		}
		if msg == "" {
			msg = "Bedrock stream failed: " + code
		}
		return s.fail(dst, &translate.Error{Status: status, Type: translate.ErrorTypeForStatus(status), Code: code, Message: msg})
	case "error":
		code := string(header(m, ":error-code"))
		msg := string(header(m, ":error-message"))
		if msg == "" {
			msg = "Bedrock stream failed: " + code
		}
		return s.fail(dst, &translate.Error{Status: 500, Type: "api_error", Code: code, Message: msg})
	default:
		return dst, nil
	}
	if !gjson.ValidBytes(m.Payload) {
		return s.fail(dst, &translate.Error{Status: 502, Type: "api_error", Code: "bad_upstream_stream",
			Message: "bedrock: event payload is not valid JSON"})
	}
	p := gjson.Parse(str(m.Payload))
	et := header(m, ":event-type")
	// The wire payload is the event's members; SDK-style dumps wrap them in an object keyed
	// by the event type. Accept both.
	if len(et) > 0 && p.Raw[0] == '{' && p.Raw[1] == '"' && strings.HasPrefix(p.Raw[2:], str(et)) {
		if w := p.Get(str(et)); w.IsObject() {
			p = w
		}
	}
	switch string(et) {
	case "messageStart":
		dst = s.start(dst)
	case "contentBlockStart":
		tu := p.Get("start.toolUse")
		if !tu.Exists() {
			return dst, nil
		}
		dst = s.start(dst)
		t := toolBlock{block: p.Get("contentBlockIndex").Int(), index: len(s.tools)}
		s.tools = append(s.tools, t)
		dst = oaiw.AppendToolCallStart(s.open(dst), t.index, strRaw(tu.Get("toolUseId")), strRaw(tu.Get("name")), `""`)
		dst = s.close(dst, "")
	case "contentBlockDelta":
		d := p.Get("delta")
		if t := d.Get("text"); t.Type == gjson.String {
			if t.Str == "" {
				return dst, nil
			}
			dst = s.start(dst)
			dst = s.open(dst)
			dst = append(dst, `{"content":`...)
			dst = append(dst, t.Raw...)
			dst = append(dst, '}')
			return s.close(dst, ""), nil
		}
		in := d.Get("toolUse.input")
		if in.Type != gjson.String {
			return dst, nil
		}
		block := p.Get("contentBlockIndex").Int()
		idx := -1
		for _, t := range s.tools {
			if t.block == block {
				idx = t.index
			}
		}
		if idx < 0 {
			return s.fail(dst, &translate.Error{Status: 502, Type: "api_error", Code: "bad_upstream_stream",
				Message: "bedrock: tool input delta for a content block that never started"})
		}
		if len(in.Raw) == 2 { // ""
			return dst, nil
		}
		dst = oaiw.AppendToolCallArgs(s.open(dst), idx, in.Raw)
		dst = s.close(dst, "")
	case "messageStop":
		dst = s.start(dst)
		s.stopped = true
		dst = s.open(dst)
		dst = append(dst, "{}"...)
		dst = s.close(dst, finishReason(p.Get("stopReason").Str))
	case "metadata":
		s.usage = parseUsage(p.Get("usage"))
		if s.stopped {
			dst = s.end(dst)
		}
	}
	return dst, nil
}

// start emits the role chunk once, before anything else.
func (s *stream) start(dst []byte) []byte {
	if s.started {
		return dst
	}
	s.started = true
	dst = s.open(dst)
	dst = append(dst, `{"role":"assistant","content":"","refusal":null}`...)
	return s.close(dst, "")
}

// open starts a chunk whose one choice's delta follows.
func (s *stream) open(dst []byte) []byte {
	dst = append(dst, s.prefix...)
	return append(dst, oaiw.Delta0...)
}

// close ends a chunk; finish is one of finishReason's tokens, or "" for null.
func (s *stream) close(dst []byte, finish string) []byte {
	return oaiw.AppendChunkEnd(dst, finish, s.includeUsage)
}

// end emits the usage chunk (when asked for) and [DONE].
func (s *stream) end(dst []byte) []byte {
	s.done = true
	if s.includeUsage {
		dst = append(dst, s.prefix...)
		dst = append(dst, `],"usage":`...)
		dst = oaiw.AppendUsage(dst, s.usage)
		dst = append(dst, "}\n\n"...)
	}
	return translate.AppendDone(dst)
}
