package messages

import (
	"bytes"
	"errors"

	"switchyard/translate"
	"switchyard/translate/internal/rawjson"
)

// Stream turns an OpenAI chat.completion.chunk stream (the gateway's own output for any
// provider) into the events Anthropic's Messages API streams:
//
//	first chunk                → message_start (empty content; usage so far, usually zeros:
//	                             OpenAI reports usage only at the end)
//	delta.reasoning_content    → a thinking block: content_block_start, thinking_delta
//	delta.content / .refusal   → a text block: content_block_start, text_delta
//	delta.tool_calls[i] start  → a tool_use block per tool call (id, name, input {})
//	tool_calls[i].arguments    → input_json_delta (partial_json copied as sent)
//	a change of kind           → content_block_stop of the open block, then the new block
//	finish_reason              → content_block_stop; the stop_reason is remembered
//	[DONE]                     → message_delta (stop_reason, full usage), message_stop
//	{"error":...}              → event: error, and the stream ends
//
// Blocks are numbered 0, 1, 2... in the order they open; only one is open at a time, as
// Anthropic streams them. message_delta waits for [DONE] because the usage chunk comes after
// the finish_reason chunk. No ping events are sent. Thinking blocks carry an empty signature:
// the model behind the gateway signs nothing. Deltas of a tool call whose block was already
// closed (tool calls interleaved, which no known provider does) end the stream with an error
// rather than corrupt an input.
type Stream struct {
	fallbackID, fallbackModel string

	r        translate.SSEReader
	u        translate.Usage
	msgID    []byte // raw id literal of the message, for generated tool ids
	toolID   []byte // raw id literal of the open tool call
	idBuf    [64]byte
	toolBuf  [64]byte
	stop     string // stop_reason from the finish_reason
	open     byte   // open block: 0 none, 't' text, 'k' thinking, 'u' tool_use
	next     int    // index of the next block
	tool     int64  // OpenAI index of the open (or last) tool call
	lastTool int64  // highest OpenAI tool index started, -1 before any
	started  bool   // message_start sent
	finished bool   // a finish_reason was seen
	done     bool   // message_stop sent
	failed   bool
	// finishing: Finish dispatches an event the upstream left unterminated; a cut JSON there
	// is a truncation, reported as such.
	finishing bool
}

// maxIDLength bounds an id or model copied from the upstream.
const maxIDLength = 256

var errCut = errors.New("messages: last event cut off")

// NewStream returns a converter for one streamed answer. c.ID and c.Model stand in when the
// upstream chunks carry no id or model.
func NewStream(c *translate.Call) *Stream {
	s := &Stream{lastTool: -1, tool: -1}
	if c != nil {
		s.fallbackID, s.fallbackModel = c.ID, c.Model
	}
	s.msgID, s.toolID = s.idBuf[:0], s.toolBuf[:0]
	return s
}

// Usage implements translate.Stream: the OpenAI usage seen so far.
func (s *Stream) Usage() translate.Usage { return s.u }

// Feed implements translate.Stream: it appends the Anthropic events for everything complete
// in the stream so far. After an error (an error event is already in dst) it must not be
// called again.
func (s *Stream) Feed(dst []byte, chunk []byte) ([]byte, error) {
	if s.failed || s.done {
		return dst, nil
	}
	s.r.Feed(chunk)
	return s.drain(dst)
}

// Finish implements translate.Stream. An event missing only its blank line is still
// delivered. Without [DONE], a stream that carried a finish_reason ended cleanly and is
// closed normally; otherwise an error event is appended and translate.ErrTruncated returned.
func (s *Stream) Finish(dst []byte) ([]byte, error) {
	if s.failed || s.done {
		return dst, nil
	}
	if s.r.Pending() {
		s.finishing = true
		s.r.Feed([]byte("\n\n"))
		var err error
		if dst, err = s.drain(dst); err != nil && err != errCut {
			return dst, err
		}
		if s.done || s.failed {
			return dst, nil
		}
	}
	if s.finished {
		return s.end(dst), nil
	}
	s.failed = true
	dst = AppendErrorEvent(dst, "api_error", "upstream stream ended before the response was complete")
	return dst, translate.ErrTruncated
}

func (s *Stream) drain(dst []byte) ([]byte, error) {
	for !s.done && !s.failed {
		ev, ok, err := s.r.Next()
		if err != nil {
			return s.fail(dst, badUpstream("upstream stream: "+err.Error()))
		}
		if !ok {
			return dst, nil
		}
		if dst, err = s.event(dst, ev.Data); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

func (s *Stream) fail(dst []byte, e *translate.Error) ([]byte, error) {
	s.failed = true
	return AppendErrorEvent(dst, ErrorType(e.Status), e.Message), e
}

var doneData = []byte("[DONE]")

func (s *Stream) event(dst []byte, data []byte) ([]byte, error) {
	if bytes.Equal(bytes.TrimSpace(data), doneData) {
		return s.end(dst), nil
	}
	src := view(data)
	if !valid(src) {
		if s.finishing {
			return dst, errCut
		}
		return s.fail(dst, badUpstream("upstream stream sent an event that is not valid JSON: "+clip(src, 120)))
	}
	// One walk, nested values read in place: the delta, the part that changes in every
	// chunk, is not skipped first and re-read later.
	var id, model, usage, errObj string
	var c chunk
	rawjson.WalkFields(src, func(k, rest string) int {
		var v string
		switch k {
		case "choices":
			if rest[0] == '[' {
				return rawjson.WalkElems(rest, c.choice)
			}
			return rawjson.Skip
		case "id":
			id = rawjson.RawAt(rest)
			v = id
		case "model":
			model = rawjson.RawAt(rest)
			v = model
		case "usage":
			usage = rawjson.RawAt(rest)
			v = usage
		case "error":
			errObj = rawjson.RawAt(rest)
			v = errObj
		default:
			return rawjson.Skip
		}
		return len(v)
	})
	if errObj != "" && errObj != "null" {
		return s.upstreamError(dst, errObj)
	}
	if isObj(usage) {
		s.u = translate.Usage{}
		readUsage(usage, &s.u)
	}
	if !s.started {
		if c.n == 0 && !isObj(usage) {
			// Azure opens with a chunk of prompt_filter_results and empty id, model and
			// choices: the message starts with the first chunk that says something.
			return dst, nil
		}
		if len(id) > maxIDLength || len(model) > maxIDLength {
			return s.fail(dst, badUpstream("upstream stream: id or model name is implausibly long"))
		}
		dst = s.messageStart(dst, id, model)
	}
	finish := c.finish
	reasoning, content, refusal, calls := c.reasoning, c.content, c.refusal, c.calls
	if isStr(reasoning) && reasoning != `""` {
		dst = s.delta(dst, 'k', reasoning)
	}
	if isStr(content) && content != `""` {
		dst = s.delta(dst, 't', content)
	}
	if isStr(refusal) && refusal != `""` {
		dst = s.delta(dst, 't', refusal)
		if s.stop == "" {
			s.stop = "refusal"
		}
	}
	if isArr(calls) {
		var err error
		rawjson.EachElem(calls, func(k int, c string) bool {
			dst, err = s.toolDelta(dst, c, k)
			return err == nil
		})
		if err != nil {
			return dst, err
		}
	}
	if !isNull(finish) && !s.finished {
		s.finished = true
		if r := stopReason(finish); r != "end_turn" || s.stop == "" {
			s.stop = r
		}
		dst = s.closeBlock(dst)
	}
	return dst, nil
}

// upstreamError ends the stream with Anthropic's error event. The type is the Anthropic one
// when the gateway kept it as the code (translate/anthropic does), else the OpenAI type's
// Anthropic twin.
func (s *Stream) upstreamError(dst []byte, e string) ([]byte, error) {
	msg := strValue(field(e, "message"))
	if isStr(e) {
		msg = strValue(e)
	}
	if msg == "" {
		msg = "upstream stream reported an error"
	}
	typ := inner(field(e, "code"))
	if !anthropicType(typ) {
		switch t := inner(field(e, "type")); t {
		case "insufficient_quota":
			typ = "billing_error"
		default:
			if typ = t; !anthropicType(typ) {
				typ = "api_error"
			}
		}
	}
	s.failed = true
	return AppendErrorEvent(dst, typ, msg), &translate.Error{Status: 502, Type: "api_error", Code: typ, Message: msg}
}

func (s *Stream) messageStart(dst []byte, id, model string) []byte {
	s.started = true
	if isStr(id) && id != `""` {
		s.msgID = append(s.msgID[:0], id...)
	} else {
		s.msgID = translate.AppendString(s.msgID[:0], s.fallbackID)
	}
	dst = append(dst, "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":"...)
	dst = append(dst, s.msgID...)
	dst = append(dst, `,"type":"message","role":"assistant","model":`...)
	if isStr(model) && model != `""` {
		dst = append(dst, model...)
	} else {
		dst = translate.AppendString(dst, s.fallbackModel)
	}
	dst = append(dst, `,"content":[],"stop_reason":null,"stop_sequence":null,"usage":`...)
	dst = appendUsage(dst, s.u)
	return append(dst, "}}\n\n"...)
}

func (s *Stream) closeBlock(dst []byte) []byte {
	if s.open == 0 {
		return dst
	}
	s.open = 0
	dst = append(dst, "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":"...)
	dst = translate.AppendInt(dst, int64(s.next-1))
	return append(dst, "}\n\n"...)
}

// startBlock closes the open block and opens the next one, up to its content_block value,
// which the caller writes.
func (s *Stream) startBlock(dst []byte, kind byte) []byte {
	dst = s.closeBlock(dst)
	s.open = kind
	dst = append(dst, "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":"...)
	dst = translate.AppendInt(dst, int64(s.next))
	s.next++
	return append(dst, `,"content_block":`...)
}

func (s *Stream) deltaHead(dst []byte) []byte {
	dst = append(dst, "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":"...)
	dst = translate.AppendInt(dst, int64(s.next-1))
	return append(dst, `,"delta":`...)
}

// delta writes a text ('t') or thinking ('k') delta, opening its block when needed.
func (s *Stream) delta(dst []byte, kind byte, text string) []byte {
	if s.open != kind {
		dst = s.startBlock(dst, kind)
		if kind == 't' {
			dst = append(dst, `{"type":"text","text":""}}`+"\n\n"...)
		} else {
			dst = append(dst, `{"type":"thinking","thinking":"","signature":""}}`+"\n\n"...)
		}
	}
	dst = s.deltaHead(dst)
	if kind == 't' {
		dst = append(dst, `{"type":"text_delta","text":`...)
	} else {
		dst = append(dst, `{"type":"thinking_delta","thinking":`...)
	}
	dst = append(dst, text...)
	return append(dst, "}}\n\n"...)
}

// toolDelta handles one element of delta.tool_calls; k is its position in the array, the
// index when the provider sends none.
func (s *Stream) toolDelta(dst []byte, c string, k int) ([]byte, error) {
	var index, id, fn string
	rawjson.EachField(c, func(key, v string) bool {
		switch key {
		case "index":
			index = v
		case "id":
			id = v
		case "function":
			fn = v
		}
		return true
	})
	idx, ok := intValue(index)
	if !ok {
		idx = int64(k)
	}
	var name, args string
	rawjson.EachField(fn, func(key, v string) bool {
		switch key {
		case "name":
			name = v
		case "arguments":
			args = v
		}
		return true
	})
	hasID := isStr(id) && id != `""`
	same := s.open == 'u' && idx == s.tool && (!hasID || string(s.toolID) == id)
	if !same {
		if idx <= s.lastTool && !hasID {
			if !isStr(args) || args == `""` {
				return dst, nil // an empty delta for a finished call: nothing lost
			}
			return s.fail(dst, badUpstream("upstream stream: arguments for tool call "+itoa(int(idx))+" arrived after another call started"))
		}
		if len(id) > maxIDLength {
			return s.fail(dst, badUpstream("upstream stream: tool call id is implausibly long"))
		}
		s.tool = idx
		s.lastTool = max(s.lastTool, idx)
		if hasID {
			s.toolID = append(s.toolID[:0], id...)
		} else {
			s.toolID = appendToolID(s.toolID[:0], view(s.msgID), int(idx))
		}
		dst = s.startBlock(dst, 'u')
		dst = append(dst, `{"type":"tool_use","id":`...)
		dst = append(dst, s.toolID...)
		dst = append(dst, `,"name":`...)
		dst = appendStrOr(dst, name, "")
		dst = append(dst, `,"input":{}}}`+"\n\n"...)
	}
	if isStr(args) && args != `""` {
		dst = s.deltaHead(dst)
		dst = append(dst, `{"type":"input_json_delta","partial_json":`...)
		dst = append(dst, args...)
		dst = append(dst, "}}\n\n"...)
	}
	return dst, nil
}

// end closes the message: the open block, message_delta with the stop reason and the usage,
// message_stop.
func (s *Stream) end(dst []byte) []byte {
	if !s.started {
		dst = s.messageStart(dst, "", "")
	}
	dst = s.closeBlock(dst)
	stop := s.stop
	if stop == "" {
		stop = "end_turn"
	}
	dst = append(dst, "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\""...)
	dst = append(dst, stop...)
	dst = append(dst, `","stop_sequence":null},"usage":`...)
	dst = appendUsage(dst, s.u)
	dst = append(dst, "}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"...)
	s.done = true
	return dst
}

// The stream satisfies the gateway's stream contract, so the plugin drives it like any other.
var _ translate.Stream = (*Stream)(nil)

// chunk is what a chat.completion.chunk's first choice carries.
type chunk struct {
	n                                          int // choices seen
	finish, reasoning, content, refusal, calls string
}

// choice walks one element of choices in place (the first only; OpenAI streams one choice
// per chunk for n=1) and returns its length.
func (c *chunk) choice(_ int, rest string) int {
	if c.n++; c.n > 1 {
		return rawjson.Skip
	}
	return rawjson.WalkFields(rest, func(k, r string) int {
		var v string
		switch k {
		case "delta":
			if r[0] == '{' {
				return rawjson.WalkFields(r, c.delta)
			}
			return rawjson.Skip
		case "finish_reason":
			c.finish = rawjson.RawAt(r)
			v = c.finish
		default:
			return rawjson.Skip
		}
		return len(v)
	})
}

func (c *chunk) delta(k, r string) int {
	v := rawjson.RawAt(r)
	switch k {
	case "reasoning_content", "reasoning":
		if isStr(v) {
			c.reasoning = v
		}
	case "content":
		c.content = v
	case "refusal":
		c.refusal = v
	case "tool_calls":
		c.calls = v
	default:
		return rawjson.Skip
	}
	return len(v)
}
