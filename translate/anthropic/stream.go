package anthropic

import (
	"errors"

	"switchyard/translate"
	"switchyard/translate/internal/oaiw"
)

// Stream translates Anthropic's server-sent events into OpenAI chat.completion.chunk events:
//
//	message_start                → a role chunk {"role":"assistant","content":"","refusal":null}
//	content_block_start text     → a content chunk if the block starts with text
//	content_block_start tool_use → {"tool_calls":[{index, id, type, function{name, arguments:""}}]}
//	text_delta                   → {"content": text}
//	input_json_delta             → {"tool_calls":[{index, function{arguments: partial_json}}]}
//	content_block_stop tool_use  → arguments "{}" when the tool got no input at all, so the
//	                               client's accumulated arguments always parse
//	message_delta                → {} with finish_reason; output usage recorded
//	message_stop                 → usage chunk (choices [], only with include_usage), [DONE]
//	error                        → an OpenAI error event, and the stream ends
//
// The tool_call index counts tool calls only, not content blocks, so it is stable whatever
// text or thinking blocks come between. Thinking (thinking_delta, signature_delta,
// redacted_thinking) and server-tool blocks are dropped: OpenAI's chunk has no field for them.
// ping and unknown events (Anthropic may add some) are ignored. Every chunk carries
// "usage":null when the client asked for include_usage, as OpenAI's do.
type Stream struct {
	created      int64
	fallbackID   string
	fallbackMdl  string
	includeUsage bool

	r      translate.SSEReader
	prefix []byte // `data: {"id":..,"object":"chat.completion.chunk",...,"delta":`
	blocks []block
	// inline backing for blocks and prefix: a message rarely has more than 4 blocks, and
	// a prefix is ~200 bytes, so a typical stream allocates neither.
	blockBuf  [4]block
	prefixBuf [256]byte
	tools     int
	u         usageCounts
	started   bool // prefix built
	ended     bool // finish_reason sent
	done      bool // [DONE] sent
	failed    bool
	// finishing: Finish is dispatching an event the upstream left unterminated; if it is cut
	// mid-JSON, the stream was truncated rather than malformed.
	finishing bool
}

// block is what the stream remembers about one content block.
type block struct {
	kind byte // 't' text, 'u' tool_use, 0 anything dropped
	args bool // a tool_use block received some argument text
	tool int32
}

// Limits on what an upstream can make the stream remember or repeat in every chunk.
const (
	maxBlocks   = 4096 // content blocks in one message
	maxIDLength = 256  // message id and model name, copied into every chunk
)

// errCut marks the last, unterminated event as cut off (see finishing).
var errCut = errors.New("anthropic: last event cut off")

// NewStream implements translate.Adapter.
func (Adapter) NewStream(c *translate.Call) translate.Stream { return NewStream(c) }

// NewStream returns the stream translator for an Anthropic streamed message. Anthropic on
// Vertex AI (streamRawPredict) streams the same server-sent events, so it is reused there.
func NewStream(c *translate.Call) *Stream {
	s := &Stream{created: c.Created, fallbackID: c.ID, fallbackMdl: c.Model, includeUsage: c.IncludeUsage}
	s.blocks = s.blockBuf[:0]
	s.prefix = s.prefixBuf[:0]
	return s
}

// Usage implements translate.Stream.
func (s *Stream) Usage() translate.Usage { return s.u.usage() }

// Feed implements translate.Stream.
func (s *Stream) Feed(dst []byte, chunk []byte) ([]byte, error) {
	if s.failed || s.done {
		return dst, nil
	}
	s.r.Feed(chunk)
	return s.drain(dst)
}

func (s *Stream) drain(dst []byte) ([]byte, error) {
	for !s.done {
		ev, ok, err := s.r.Next()
		if err != nil {
			return s.fail(dst, badUpstream("Anthropic stream: "+err.Error()))
		}
		if !ok {
			return dst, nil
		}
		if dst, err = s.event(dst, view(ev.Data)); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

// Finish implements translate.Stream. An event still unterminated at the end is dispatched
// (a lenient reading of a stream whose last blank line was lost); a stream that never reached
// message_stop is reported as truncated.
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
	}
	if s.done {
		return dst, nil
	}
	s.failed = true
	dst = translate.AppendErrorEvent(dst, "Anthropic stream ended before message_stop", "api_error", "upstream_truncated")
	return dst, translate.ErrTruncated
}

func (s *Stream) fail(dst []byte, e *translate.Error) ([]byte, error) {
	s.failed = true
	return translate.AppendErrorEvent(dst, e.Message, e.Type, e.Code), e
}

// event translates one event's data. The "type" inside the data is authoritative; the SSE
// event name repeats it.
func (s *Stream) event(dst []byte, data string) ([]byte, error) {
	if !valid(data) {
		if s.finishing {
			return dst, errCut
		}
		return s.fail(dst, badUpstream("Anthropic stream sent an event that is not valid JSON: "+clip(data, 120)))
	}
	// One walk over the event; the delta object, the part that repeats 50 times a second, is
	// read in place rather than skipped and re-read.
	var typ, index, cblock, message, usage, errObj string
	var d delta
	walkFields(data, func(k, rest string) int {
		var v string
		switch k {
		case "delta":
			if rest[0] == '{' {
				return d.read(rest)
			}
			return skip
		case "type":
			typ = rawAt(rest)
			v = typ
		case "index":
			index = rawAt(rest)
			v = index
		case "content_block":
			cblock = rawAt(rest)
			v = cblock
		case "message":
			message = rawAt(rest)
			v = message
		case "usage":
			usage = rawAt(rest)
			v = usage
		case "error":
			errObj = rawAt(rest)
			v = errObj
		default:
			return skip
		}
		return len(v)
	})
	switch typ {
	case `"message_start"`:
		return s.messageStart(dst, message)
	case `"content_block_start"`:
		b, err := s.block(index, true)
		if err != nil {
			return s.fail(dst, err)
		}
		return s.blockStart(dst, b, cblock), nil
	case `"content_block_delta"`:
		b, err := s.block(index, false)
		if err != nil {
			return s.fail(dst, err)
		}
		return s.blockDelta(dst, b, &d), nil
	case `"content_block_stop"`:
		b, err := s.block(index, false)
		if err != nil {
			return s.fail(dst, err)
		}
		if b.kind == 'u' && !b.args {
			b.args = true
			dst = s.toolArgs(dst, b.tool, `"{}"`)
		}
		return dst, nil
	case `"message_delta"`:
		s.u.read(usage)
		if !isNull(d.stopReason) && !s.ended {
			dst = s.finishChunk(dst, finishReason(d.stopReason))
		}
		return dst, nil
	case `"message_stop"`:
		if !s.ended {
			// No message_delta carried a stop_reason; the message is complete all the same.
			dst = s.finishChunk(dst, "stop")
		}
		if s.includeUsage {
			dst = s.head(dst)
			dst = dst[:len(dst)-len(`"choices":[{"index":0,"delta":`)]
			dst = append(dst, `"choices":[],"usage":`...)
			dst = oaiw.AppendUsage(dst, s.u.usage())
			dst = append(dst, "}\n\n"...)
		}
		s.done = true
		return translate.AppendDone(dst), nil
	case `"error"`:
		et := inner(field(errObj, "type"))
		msg := strValue(field(errObj, "message"))
		if msg == "" {
			msg = "Anthropic stream reported an error"
		}
		return s.fail(dst, &translate.Error{Status: 502, Type: openAIType(et, 500), Code: et, Message: msg})
	}
	return dst, nil
}

func (s *Stream) messageStart(dst []byte, message string) ([]byte, error) {
	if s.started {
		return dst, nil
	}
	var id, model, usage string
	eachField(message, func(k, v string) bool {
		switch k {
		case "id":
			id = v
		case "model":
			model = v
		case "usage":
			usage = v
		}
		return true
	})
	if len(id) > maxIDLength || len(model) > maxIDLength {
		return s.fail(dst, badUpstream("Anthropic stream: message id or model name is implausibly long"))
	}
	s.u.read(usage)
	s.buildPrefix(id, model)
	dst = s.head(dst)
	dst = append(dst, `{"role":"assistant","content":"","refusal":null}`...)
	return s.tail(dst, ""), nil
}

// buildPrefix writes, once, the bytes every chunk starts with. id and model are raw string
// literals from message_start, or empty to use the call's.
func (s *Stream) buildPrefix(id, model string) {
	s.started = true
	p := oaiw.AppendChunkHead(s.prefix[:0], strOrNone(id), s.fallbackID, s.created, strOrNone(model), s.fallbackMdl)
	s.prefix = append(p, oaiw.Delta0...)
}

// head starts a chunk; a stream whose message_start was lost still gets well-formed chunks.
func (s *Stream) head(dst []byte) []byte {
	if !s.started {
		s.buildPrefix("", "")
	}
	return append(dst, s.prefix...)
}

// tail ends a chunk; finish is "" for null.
func (s *Stream) tail(dst []byte, finish string) []byte {
	return oaiw.AppendChunkEnd(dst, finish, s.includeUsage)
}

func (s *Stream) finishChunk(dst []byte, finish string) []byte {
	s.ended = true
	dst = append(s.head(dst), "{}"...)
	return s.tail(dst, finish)
}

// block returns the state of the content block at the raw index; start creates it.
func (s *Stream) block(index string, start bool) (*block, *translate.Error) {
	n, ok := intValue(index)
	if !ok || n < 0 || n >= maxBlocks {
		return nil, badUpstream("Anthropic stream: content block index " + clip(index, 20) + " is missing or out of range")
	}
	i := int(n)
	if i >= len(s.blocks) {
		if !start {
			return nil, badUpstream("Anthropic stream: content block " + itoa(i) + " was never started")
		}
		for len(s.blocks) <= i {
			s.blocks = append(s.blocks, block{})
		}
	}
	return &s.blocks[i], nil
}

func (s *Stream) blockStart(dst []byte, b *block, cb string) []byte {
	var typ, id, name, text string
	eachField(cb, func(k, v string) bool {
		switch k {
		case "type":
			typ = v
		case "id":
			id = v
		case "name":
			name = v
		case "text":
			text = v
		}
		return true
	})
	*b = block{}
	switch typ {
	case `"text"`:
		b.kind = 't'
		if isStr(text) && !isEmptyStr(text) {
			dst = s.content(dst, text)
		}
	case `"tool_use"`:
		b.kind = 'u'
		b.tool = int32(s.tools)
		s.tools++
		dst = oaiw.AppendToolCallStart(s.head(dst), int(b.tool), id, name, `""`)
		dst = s.tail(dst, "")
	}
	return dst
}

// delta is the part of a content_block_delta or message_delta event the stream uses.
type delta struct {
	typ, text, partial, stopReason string
}

// read walks a delta object at the start of rest and returns its length.
func (d *delta) read(rest string) int {
	return walkFields(rest, func(k, r string) int {
		var v string
		switch k {
		case "type":
			d.typ = rawAt(r)
			v = d.typ
		case "text":
			d.text = rawAt(r)
			v = d.text
		case "partial_json":
			d.partial = rawAt(r)
			v = d.partial
		case "stop_reason":
			d.stopReason = rawAt(r)
			v = d.stopReason
		default:
			return skip
		}
		return len(v)
	})
}

func (s *Stream) blockDelta(dst []byte, b *block, d *delta) []byte {
	switch d.typ {
	case `"text_delta"`:
		if b.kind == 't' && isStr(d.text) && !isEmptyStr(d.text) {
			dst = s.content(dst, d.text)
		}
	case `"input_json_delta"`:
		// Anthropic opens with an empty partial_json; OpenAI sends no empty deltas.
		if b.kind == 'u' && isStr(d.partial) && !isEmptyStr(d.partial) {
			b.args = true
			dst = s.toolArgs(dst, b.tool, d.partial)
		}
	}
	return dst
}

func (s *Stream) content(dst []byte, text string) []byte {
	dst = append(s.head(dst), `{"content":`...)
	dst = append(dst, text...)
	dst = append(dst, '}')
	return s.tail(dst, "")
}

func (s *Stream) toolArgs(dst []byte, tool int32, args string) []byte {
	dst = oaiw.AppendToolCallArgs(s.head(dst), int(tool), args)
	return s.tail(dst, "")
}
