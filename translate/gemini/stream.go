package gemini

import (
	"strconv"

	"github.com/tidwall/gjson"

	"switchyard/translate"
	"switchyard/translate/internal/oaiw"
)

// maxCandidates bounds per-candidate state; Gemini's candidateCount is at most 8.
const maxCandidates = 16

type candState struct {
	seen, roleSent, finished bool
	calls                    int
}

// Stream translates streamGenerateContent?alt=sse, where every event's data is a whole
// GenerateContentResponse, into chat.completion.chunk events: per candidate a first chunk
// with the role (and the first text, possibly ""), text deltas, one chunk per event carrying
// that event's function calls as complete tool_call deltas (indexes count the candidate's
// calls), and a finish chunk with an empty delta. usageMetadata is cumulative, so the last
// one seen is the usage; the usage chunk (choices []) follows at the end when the client
// asked for it. The stream is complete when every candidate seen has a finishReason, or
// the prompt was blocked.
type Stream struct {
	c     *translate.Call
	sse   translate.SSEReader
	id    []byte // JSON string of the chunk id
	model []byte // JSON string of the chunk model
	cands [maxCandidates]candState
	usage translate.Usage
	done  bool // terminal state reached
	dead  bool // an error was reported
}

// NewStream returns a Gemini stream translator.
func NewStream(c *translate.Call) *Stream { return &Stream{c: c} }

// Usage implements translate.Stream.
func (s *Stream) Usage() translate.Usage { return s.usage }

// Feed implements translate.Stream.
func (s *Stream) Feed(dst []byte, chunk []byte) ([]byte, error) {
	if s.dead {
		return dst, errStreamDead
	}
	s.sse.Feed(chunk)
	for {
		ev, ok, err := s.sse.Next()
		if err != nil {
			return s.fail(dst, "upstream stream event is too large", "stream_error", err)
		}
		if !ok {
			return dst, nil
		}
		if dst, err = s.event(dst, ev.Data); err != nil {
			return dst, err
		}
	}
}

var errStreamDead = &translate.Error{Status: 502, Type: "api_error", Message: "stream already failed"}

func (s *Stream) fail(dst []byte, msg, code string, err error) ([]byte, error) {
	s.dead = true
	dst = translate.AppendErrorEvent(dst, msg, "api_error", code)
	return dst, err
}

// Finish implements translate.Stream.
func (s *Stream) Finish(dst []byte) ([]byte, error) {
	if s.dead {
		return dst, errStreamDead
	}
	if !s.done && s.sse.Pending() {
		// An upstream that closed without the final blank line: the last event may still be
		// whole. A cut-off event is not valid JSON and is reported as truncation below.
		s.sse.Feed([]byte("\n\n"))
		if ev, ok, err := s.sse.Next(); err == nil && ok && gjson.Valid(str(ev.Data)) {
			var err error
			if dst, err = s.event(dst, ev.Data); err != nil {
				return dst, err
			}
		}
	}
	if !s.done {
		return s.fail(dst, "upstream stream ended before the answer was complete", "stream_truncated", translate.ErrTruncated)
	}
	s.dead = true
	if s.c.IncludeUsage {
		dst = s.head(dst)
		dst = append(dst, `],"usage":`...)
		dst = oaiw.AppendUsage(dst, s.usage)
		dst = append(dst, "}\n\n"...)
	}
	return translate.AppendDone(dst), nil
}

func (s *Stream) event(dst []byte, data []byte) ([]byte, error) {
	d := str(data)
	if !gjson.Valid(d) {
		return s.fail(dst, "upstream stream event is not valid JSON", "stream_error", &translate.Error{Status: 502, Type: "api_error", Message: "upstream stream event is not valid JSON"})
	}
	root := gjson.Parse(d)
	if root.IsArray() {
		root = root.Get("0")
	}
	h := readHead(root)
	if h.err.Exists() {
		msg := h.err.Get("message").String()
		if msg == "" {
			msg = "upstream reported an error mid-stream"
		}
		typ := "api_error"
		if code := h.err.Get("code").Int(); code >= 400 && code < 600 {
			typ = translate.ErrorTypeForStatus(int(code))
		}
		s.dead = true
		dst = translate.AppendErrorEvent(dst, msg, typ, h.err.Get("status").String())
		return dst, &translate.Error{Status: 502, Type: typ, Message: msg}
	}
	if s.id == nil {
		if h.id.Type == gjson.String && h.id.Str != "" {
			s.id = appendStrRaw(make([]byte, 0, len(h.id.Raw)), h.id)
		} else {
			s.id = translate.AppendString(nil, s.c.ID)
		}
		if h.model.Type == gjson.String && h.model.Str != "" {
			s.model = appendStrRaw(make([]byte, 0, len(h.model.Raw)), h.model)
		} else {
			s.model = translate.AppendString(nil, s.c.Model)
		}
	}
	if h.usage.Exists() {
		s.usage = ParseUsage(h.usage)
	}
	pos := 0
	var err error
	h.candidates.ForEach(func(_, cand gjson.Result) bool {
		dst, err = s.candidate(dst, cand, pos)
		pos++
		return err == nil
	})
	if err != nil {
		return dst, err
	}
	if pos == 0 && h.feedback.Get("blockReason").Exists() {
		st := &s.cands[0]
		st.seen = true
		if !st.finished {
			st.finished = true
			dst = s.finishChunk(dst, st, 0, "content_filter")
		}
	}
	s.done = false
	for i := range s.cands {
		if s.cands[i].seen {
			s.done = true
			if !s.cands[i].finished {
				s.done = false
				break
			}
		}
	}
	return dst, nil
}

func (s *Stream) candidate(dst []byte, cand gjson.Result, pos int) ([]byte, error) {
	idx := pos
	var parts, finish gjson.Result
	cand.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "index":
			idx = int(v.Int())
		case "content":
			parts = v.Get("parts")
		case "finishReason":
			finish = v
		}
		return true
	})
	if idx < 0 || idx >= maxCandidates {
		return s.fail(dst, "upstream stream has a candidate index out of range", "stream_error", &translate.Error{Status: 502, Type: "api_error", Message: "candidate index out of range"})
	}
	st := &s.cands[idx]
	st.seen = true
	// Text first: one delta with every text part of this event joined.
	mark := len(dst)
	dst = s.chunkStart(dst, idx)
	dst = append(dst, `{`...)
	first := !st.roleSent
	if first {
		dst = append(dst, `"role":"assistant",`...)
	}
	dst = append(dst, `"content":"`...)
	textStart := len(dst)
	calls := 0
	parts.ForEach(func(_, p gjson.Result) bool {
		pf := readPart(p.Raw)
		if pf.text != "" && !pf.thought {
			dst = append(dst, pf.text[1:len(pf.text)-1]...)
		}
		if pf.functionCall != "" {
			calls++
		}
		return true
	})
	if len(dst) == textStart && st.roleSent {
		dst = dst[:mark] // nothing to say
	} else {
		st.roleSent = true
		dst = append(dst, '"')
		if first {
			dst = append(dst, `,"refusal":null`...)
		}
		dst = append(dst, '}')
		dst = s.chunkEnd(dst, "")
	}
	// Then this event's function calls, complete, in one delta.
	n := 0
	parts.ForEach(func(_, p gjson.Result) bool {
		if calls == 0 {
			return false
		}
		pf := readPart(p.Raw)
		if pf.functionCall == "" {
			return true
		}
		if n == 0 {
			dst = s.chunkStart(dst, idx)
			dst = append(dst, `{"tool_calls":[`...)
		} else {
			dst = append(dst, ',')
		}
		n++
		dst = append(dst, `{"index":`...)
		dst = strconv.AppendInt(dst, int64(st.calls), 10)
		dst = append(dst, ',')
		dst = appendToolCall(dst, s.c, &pf, idx, st.calls)
		dst = append(dst, '}')
		st.calls++
		return true
	})
	if n > 0 {
		dst = append(dst, "]}"...)
		dst = s.chunkEnd(dst, "")
	}
	if finish.Type == gjson.String && finish.Str != "" && !st.finished {
		st.finished = true
		dst = s.finishChunk(dst, st, idx, FinishReason(finish.Str, st.calls > 0))
	}
	return dst, nil
}

func (s *Stream) finishChunk(dst []byte, st *candState, idx int, reason string) []byte {
	dst = s.chunkStart(dst, idx)
	if st.roleSent {
		dst = append(dst, "{}"...)
	} else {
		st.roleSent = true
		dst = append(dst, `{"role":"assistant","content":null,"refusal":null}`...)
	}
	return s.chunkEnd(dst, reason)
}

// head appends the chunk prefix up to the opening of "choices".
func (s *Stream) head(dst []byte) []byte {
	return oaiw.AppendChunkHead(dst, str(s.id), s.c.ID, s.c.Created, str(s.model), s.c.Model)
}

func (s *Stream) chunkStart(dst []byte, idx int) []byte {
	dst = s.head(dst)
	dst = append(dst, `{"index":`...)
	dst = strconv.AppendInt(dst, int64(idx), 10)
	return append(dst, `,"delta":`...)
}

// chunkEnd closes a choice chunk; with include_usage every chunk carries "usage":null, as
// OpenAI's do.
func (s *Stream) chunkEnd(dst []byte, reason string) []byte {
	return oaiw.AppendChunkEnd(dst, reason, s.c.IncludeUsage)
}
