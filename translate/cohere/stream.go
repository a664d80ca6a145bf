package cohere

import (
	"strconv"

	"github.com/tidwall/gjson"

	"switchyard/translate"
	"switchyard/translate/internal/oaiw"
)

// Stream translates Cohere v2 chat-stream events into OpenAI chat.completion.chunk events:
//
//	message-start    → a role chunk {"role":"assistant","content":"","refusal":null}; its id
//	                   becomes every chunk's id
//	content-start    → a content chunk when the block starts with text
//	content-delta    → {"content": text} (thinking deltas are dropped)
//	tool-plan-delta  → {"content": tool_plan} (see the package comment)
//	tool-call-start  → {"tool_calls":[{index, id, type, function{name, arguments}}]}
//	tool-call-delta  → {"tool_calls":[{index, function{arguments}}]}
//	tool-call-end    → arguments "{}" when the call got none, so the client's JSON parses
//	message-end      → {} with finish_reason, the usage chunk (choices [], only with
//	                   include_usage), [DONE]; an "error" in it or finish_reason ERROR ends the
//	                   stream with an OpenAI error event instead
//	citation-*, debug and unknown events are ignored; a "[DONE]" data line after message-end
//	is too (before it, the stream is truncated).
//
// The event type is read from the data's "type" (Cohere repeats it as the SSE event name,
// which is used when the data has none). The OpenAI tool_call index counts tool calls in the
// order they start, whatever index Cohere gives them, so it is stable.
type Stream struct {
	created      int64
	fallbackID   string
	model        string
	includeUsage bool

	r       translate.SSEReader
	prefix  []byte // `data: {"id":..,"object":"chat.completion.chunk",...,"delta":`
	tools   []toolState
	u       translate.Usage
	started bool // prefix built
	done    bool // [DONE] sent
	failed  bool
}

// toolState maps one Cohere tool-call index to its OpenAI index.
type toolState struct {
	cohere int64
	args   bool
}

// Limits on what an upstream can make the stream remember or repeat in every chunk.
const (
	maxTools    = 512
	maxIDLength = 256
)

// NewStream implements translate.Adapter.
func (Adapter) NewStream(c *translate.Call) translate.Stream { return NewStream(c) }

// NewStream returns the translator for a Cohere v2 chat stream.
func NewStream(c *translate.Call) *Stream {
	return &Stream{created: c.Created, fallbackID: c.ID, model: c.Model, includeUsage: c.IncludeUsage}
}

// Usage implements translate.Stream.
func (s *Stream) Usage() translate.Usage { return s.u }

// Feed implements translate.Stream.
func (s *Stream) Feed(dst []byte, chunk []byte) ([]byte, error) {
	if s.failed || s.done {
		return dst, nil
	}
	s.r.Feed(chunk)
	return s.drain(dst)
}

func (s *Stream) drain(dst []byte) ([]byte, error) {
	for !s.done && !s.failed {
		ev, ok, err := s.r.Next()
		if err != nil {
			return s.fail(dst, badUpstream("Cohere stream: "+err.Error()))
		}
		if !ok {
			return dst, nil
		}
		if dst, err = s.event(dst, view(ev.Event), view(ev.Data)); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

// Finish implements translate.Stream. An event still unterminated at the end is dispatched (a
// lenient reading of a stream whose last blank line was lost); a stream that never reached
// message-end is reported as truncated.
func (s *Stream) Finish(dst []byte) ([]byte, error) {
	if s.failed || s.done {
		return dst, nil
	}
	if s.r.Pending() {
		s.r.Feed([]byte("\n\n"))
		var err error
		if dst, err = s.drain(dst); err != nil {
			return dst, err
		}
	}
	if s.done || s.failed {
		return dst, nil
	}
	s.failed = true
	dst = translate.AppendErrorEvent(dst, "Cohere stream ended before message-end", "api_error", "upstream_truncated")
	return dst, translate.ErrTruncated
}

func (s *Stream) fail(dst []byte, e *translate.Error) ([]byte, error) {
	s.failed = true
	return translate.AppendErrorEvent(dst, e.Message, e.Type, e.Code), e
}

func (s *Stream) event(dst []byte, name, data string) ([]byte, error) {
	if data == "[DONE]" {
		// Only reached before message-end (after it the stream is done): the answer is cut.
		s.failed = true
		dst = translate.AppendErrorEvent(dst, "Cohere stream ended before message-end", "api_error", "upstream_truncated")
		return dst, translate.ErrTruncated
	}
	if !gjson.Valid(data) {
		return s.fail(dst, badUpstream("Cohere stream sent an event that is not valid JSON: "+clip(data, 120)))
	}
	var typ, id, index, delta, message string
	eachMember(data, func(k, v string) bool {
		switch k {
		case "type":
			typ = v
		case "id":
			id = v
		case "index":
			index = v
		case "delta":
			delta = v
		case "message":
			message = v
		}
		return true
	})
	t := unquote(typ)
	if !isStr(typ) {
		t = name
	}
	switch t {
	case "message-start":
		if s.started {
			return dst, nil
		}
		if len(id) > maxIDLength {
			return s.fail(dst, badUpstream("Cohere stream: message id is implausibly long"))
		}
		s.buildPrefix(id)
		dst = append(dst, s.prefix...)
		dst = append(dst, `{"role":"assistant","content":"","refusal":null}`...)
		return s.tail(dst, ""), nil
	case "content-start", "content-delta":
		c := member(member(delta, "message"), "content")
		if txt := member(c, "text"); nonEmptyStr(txt) && member(c, "type") != `"thinking"` {
			dst = s.content(dst, txt)
		}
		return dst, nil
	case "tool-plan-delta":
		if p := member(member(delta, "message"), "tool_plan"); nonEmptyStr(p) {
			dst = s.content(dst, p)
		}
		return dst, nil
	case "tool-call-start":
		return s.toolStart(dst, index, member(member(delta, "message"), "tool_calls"))
	case "tool-call-delta":
		i, err := s.tool(index)
		if err != nil {
			return s.fail(dst, err)
		}
		fn := member(member(member(delta, "message"), "tool_calls"), "function")
		if a := member(fn, "arguments"); nonEmptyStr(a) {
			s.tools[i].args = true
			dst = s.toolArgs(dst, i, a)
		}
		return dst, nil
	case "tool-call-end":
		i, err := s.tool(index)
		if err != nil {
			return s.fail(dst, err)
		}
		if !s.tools[i].args {
			s.tools[i].args = true
			dst = s.toolArgs(dst, i, `"{}"`)
		}
		return dst, nil
	case "message-end":
		return s.end(dst, delta)
	case "":
		// No type at all: an error object some fronts send mid-stream ({"message":"..."}).
		if isStr(message) {
			return s.fail(dst, &translate.Error{Status: 502, Type: "api_error", Code: "upstream_error", Message: gjson.Parse(message).Str})
		}
	}
	return dst, nil
}

func (s *Stream) end(dst []byte, delta string) ([]byte, error) {
	var finish, usage, errMsg string
	eachMember(delta, func(k, v string) bool {
		switch k {
		case "finish_reason":
			finish = v
		case "usage":
			usage = v
		case "error":
			errMsg = v
		}
		return true
	})
	s.u = readUsage(gjson.Parse(usage))
	if nonEmptyStr(errMsg) {
		return s.fail(dst, &translate.Error{Status: 502, Type: "api_error", Code: "upstream_generation_error", Message: "Cohere reported an error during generation: " + gjson.Parse(errMsg).Str})
	}
	fr, ferr := finishReason(unquote(finish))
	if ferr != nil {
		return s.fail(dst, ferr)
	}
	dst = append(s.head(dst), "{}"...)
	dst = s.tail(dst, fr)
	if s.includeUsage {
		dst = s.head(dst)
		dst = dst[:len(dst)-len(`"choices":[{"index":0,"delta":`)]
		dst = append(dst, `"choices":[],"usage":`...)
		dst = oaiw.AppendUsage(dst, s.u)
		dst = append(dst, "}\n\n"...)
	}
	s.done = true
	return translate.AppendDone(dst), nil
}

// buildPrefix writes, once, the bytes every chunk starts with; id is message-start's raw id.
func (s *Stream) buildPrefix(id string) {
	s.started = true
	p := oaiw.AppendChunkHead(s.prefix[:0], nonEmptyOrNone(id), s.fallbackID, s.created, "", s.model)
	s.prefix = append(p, oaiw.Delta0...)
}

// head starts a chunk; a stream whose message-start was lost still gets well-formed chunks.
func (s *Stream) head(dst []byte) []byte {
	if !s.started {
		s.buildPrefix("")
	}
	return append(dst, s.prefix...)
}

// tail ends a chunk; finish is "" for null.
func (s *Stream) tail(dst []byte, finish string) []byte {
	return oaiw.AppendChunkEnd(dst, finish, s.includeUsage)
}

// content writes a content chunk; text is a raw JSON string literal.
func (s *Stream) content(dst []byte, text string) []byte {
	dst = append(s.head(dst), `{"content":`...)
	dst = append(dst, text...)
	dst = append(dst, '}')
	return s.tail(dst, "")
}

func (s *Stream) toolStart(dst []byte, index, call string) ([]byte, error) {
	ci, ok := indexValue(index)
	if !ok {
		return s.fail(dst, badUpstream("Cohere stream: tool-call-start without an index"))
	}
	if len(s.tools) >= maxTools {
		return s.fail(dst, badUpstream("Cohere stream: too many tool calls"))
	}
	for _, t := range s.tools {
		if t.cohere == ci {
			return s.fail(dst, badUpstream("Cohere stream: tool call "+strconv.FormatInt(ci, 10)+" started twice"))
		}
	}
	i := len(s.tools)
	s.tools = append(s.tools, toolState{cohere: ci})
	var id, fn string
	eachMember(call, func(k, v string) bool {
		switch k {
		case "id":
			id = v
		case "function":
			fn = v
		}
		return true
	})
	name, args := member(fn, "name"), member(fn, "arguments")
	if len(id) > maxIDLength || len(name) > maxIDLength {
		return s.fail(dst, badUpstream("Cohere stream: tool call id or name is implausibly long"))
	}
	if nonEmptyStr(args) {
		s.tools[i].args = true
	} else {
		args = `""`
	}
	dst = oaiw.AppendToolCallStart(s.head(dst), i, id, name, args)
	return s.tail(dst, ""), nil
}

// indexValue reads a raw non-negative integer index.
func indexValue(raw string) (int64, bool) {
	if raw == "" || len(raw) > 9 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// tool finds the OpenAI index of the tool call Cohere numbers index.
func (s *Stream) tool(index string) (int, *translate.Error) {
	ci, ok := indexValue(index)
	if !ok {
		return 0, badUpstream("Cohere stream: tool-call event without an index")
	}
	for i := len(s.tools) - 1; i >= 0; i-- {
		if s.tools[i].cohere == ci {
			return i, nil
		}
	}
	return 0, badUpstream("Cohere stream: tool call " + strconv.FormatInt(ci, 10) + " was never started")
}

func (s *Stream) toolArgs(dst []byte, i int, raw string) []byte {
	dst = oaiw.AppendToolCallArgs(s.head(dst), i, raw)
	return s.tail(dst, "")
}
