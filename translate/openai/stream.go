package openai

import (
	"bytes"
	"unsafe"

	"github.com/tidwall/gjson"

	"switchyard/translate"
	"switchyard/translate/internal/rawjson"
)

// NewStream implements translate.Adapter.
func (Adapter) NewStream(c *translate.Call) translate.Stream { return NewStream(c) }

// NewStream returns the family's stream translator (shared with Azure).
func NewStream(c *translate.Call) *Stream {
	return &Stream{includeUsage: c.IncludeUsage}
}

// Stream passes an OpenAI chat.completion.chunk / text_completion stream through. Each event's
// data is re-emitted byte for byte as "data: <data>\n\n" (event names, ids and comments are
// dropped: OpenAI sends none the client needs), so the output does not depend on how the
// upstream bytes were chunked. It only intervenes where the gateway must:
//   - the usage-only chunk (empty choices + usage), which the gateway asked for on its own
//     account, is dropped unless the client asked for it; usage is recorded from any chunk
//     (some providers put it in the last chunk with choices, Groq in x_groq.usage);
//   - an upstream error (an "error" event, or a data line holding an error object) becomes an
//     OpenAI error event (copied as is when already OpenAI-shaped) and ends the stream: Feed
//     returns a *translate.Error (the event is already in dst; the error is for logs/metrics);
//   - data that does not even look like a JSON object ends the stream the same way (chunks
//     are otherwise forwarded unvalidated; only the final, possibly cut, event is validated);
//   - anything after [DONE] is ignored.
//
// Finish: after [DONE] it adds nothing. Without [DONE], a stream whose last complete event
// carried a finish_reason ended cleanly, so [DONE] is appended; otherwise the stream was cut
// short: an error event is appended and translate.ErrTruncated returned. A final event missing
// only its blank line is still delivered.
type Stream struct {
	r            translate.SSEReader
	usage        translate.Usage
	includeUsage bool
	done         bool   // [DONE] seen
	failed       bool   // an error event was emitted
	lastChoices  []byte // choices of the last chunk that had any
}

// Usage implements translate.Stream.
func (s *Stream) Usage() translate.Usage { return s.usage }

// Feed implements translate.Stream.
func (s *Stream) Feed(dst []byte, chunk []byte) ([]byte, error) {
	if s.done || s.failed {
		return dst, nil
	}
	s.r.Feed(chunk)
	return s.drain(dst, false)
}

// Finish implements translate.Stream.
func (s *Stream) Finish(dst []byte) ([]byte, error) {
	if s.failed || s.done {
		return dst, nil
	}
	if s.r.Pending() {
		s.r.Feed(blankLine)
		var err error
		if dst, err = s.drain(dst, true); err != nil || s.done {
			return dst, err
		}
	}
	if s.finished() {
		return translate.AppendDone(dst), nil
	}
	s.failed = true
	dst = translate.AppendErrorEvent(dst, "upstream stream ended before the response was complete",
		"api_error", "upstream_stream_truncated")
	return dst, translate.ErrTruncated
}

// blankLine terminates an event the upstream left without its blank line.
var blankLine = []byte("\n\n")

// finished reports whether the last chunk with choices carried a finish_reason.
func (s *Stream) finished() bool {
	fin := false
	gjson.Parse(str(s.lastChoices)).ForEach(func(_, ch gjson.Result) bool {
		if key(ch, "finish_reason").Type == gjson.String {
			fin = true
		}
		return !fin
	})
	return fin
}

// emptyArray reports whether raw is "[]" (with any whitespace inside).
func emptyArray(raw string) bool {
	for i := 1; i < len(raw); i++ {
		if !isSpace(raw[i]) {
			return raw[i] == ']'
		}
	}
	return false
}

func (s *Stream) drain(dst []byte, final bool) ([]byte, error) {
	for !s.done && !s.failed {
		ev, ok, err := s.r.Next()
		if err != nil {
			return s.fail(dst, "upstream stream event exceeds the size limit", "upstream_stream_too_large", err)
		}
		if !ok {
			return dst, nil
		}
		if dst, err = s.event(dst, ev, final); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

func (s *Stream) fail(dst []byte, msg, code string, err error) ([]byte, error) {
	s.failed = true
	dst = translate.AppendErrorEvent(dst, msg, "api_error", code)
	if err == nil {
		err = &translate.Error{Status: 502, Type: "api_error", Code: code, Message: msg}
	}
	return dst, err
}

func (s *Stream) event(dst []byte, ev translate.SSEEvent, final bool) ([]byte, error) {
	data := ev.Data
	if string(bytes.TrimSpace(data)) == "[DONE]" {
		s.done = true
		return translate.AppendDone(dst), nil
	}
	d := str(data)
	// Only the final, possibly cut, event gets a full validity check: mid-stream the data is
	// forwarded as is and a brace check is enough to tell JSON from junk.
	if final && !isObject(d) || !final && !looksLikeObject(d) {
		if final {
			return s.fail(dst, "upstream stream ended in the middle of an event", "upstream_stream_truncated", translate.ErrTruncated)
		}
		if string(ev.Event) == "error" {
			return s.fail(dst, "upstream stream error: "+clip(d, 300), "upstream_stream_error", nil)
		}
		return s.fail(dst, "upstream sent a stream event that is not JSON: "+clip(d, 200), "invalid_upstream_stream", nil)
	}
	// rawjson hands out raw spans: gjson's ForEach would also parse "created" and every other
	// member of every chunk (float parsing is dear in wasm) only for them to be ignored.
	var choices, usage, errv, xgroq gjson.Result
	usageKey, usageEnd := -1, -1
	rawjson.EachMember(d, func(rawKey, raw string) bool {
		switch rawjson.Unescape(rawKey[1 : len(rawKey)-1]) {
		case "choices":
			choices = gjson.Parse(raw)
		case "usage":
			usage = gjson.Parse(raw)
			usageKey, usageEnd = offsetIn(d, rawKey), offsetIn(d, raw)+len(raw)
		case "error":
			errv = gjson.Parse(raw)
		case "x_groq":
			xgroq = gjson.Parse(raw)
		}
		return true
	})
	if string(ev.Event) == "error" || (errv.Exists() && errv.Type != gjson.Null && !choices.Exists()) {
		return s.upstreamError(dst, data, errv)
	}
	if !usage.IsObject() && xgroq.IsObject() {
		usage = key(xgroq, "usage")
	}
	empty := !choices.IsArray() || emptyArray(choices.Raw)
	if !empty {
		// Whether the answer finished matters only if the stream ends without [DONE]; keep
		// the choices and look at them then instead of parsing every chunk twice.
		s.lastChoices = append(s.lastChoices[:0], choices.Raw...)
	}
	if usage.IsObject() {
		s.usage = ParseUsage(usage)
		if empty && !s.includeUsage {
			return dst, nil
		}
	}
	if usage.Type == gjson.Null && usageKey >= 0 && !s.includeUsage {
		// With include_usage (which the gateway asks for on its own account) OpenAI puts
		// "usage":null in every chunk; a client that did not ask gets chunks without the field.
		return appendWithoutMember(dst, data, usageKey, usageEnd), nil
	}
	return AppendDataEvent(dst, data), nil
}

// appendWithoutMember appends data as one event with the object member spanning
// data[start:end] (key to end of value) and its separating comma removed.
func appendWithoutMember(dst, data []byte, start, end int) []byte {
	i := start - 1
	for i >= 0 && isSpace(data[i]) {
		i--
	}
	if i >= 0 && data[i] == ',' {
		start = i // drop the comma before the member
	} else {
		j := end
		for j < len(data) && isSpace(data[j]) {
			j++
		}
		if j < len(data) && data[j] == ',' {
			end = j + 1 // first member: drop the comma after it
		}
	}
	if bytes.IndexByte(data, '\n') >= 0 {
		// Multi-line data (rare): rebuild it so each line still gets its own "data:" prefix.
		return AppendDataEvent(dst, append(append([]byte(nil), data[:start]...), data[end:]...))
	}
	dst = append(dst, "data: "...)
	dst = append(dst, data[:start]...)
	dst = append(dst, data[end:]...)
	return append(dst, "\n\n"...)
}

// upstreamError ends the stream with the upstream's error as an OpenAI error event.
func (s *Stream) upstreamError(dst []byte, data []byte, errv gjson.Result) ([]byte, error) {
	s.failed = true
	e := &translate.Error{Status: 502, Type: "api_error", Code: "upstream_stream_error", Message: "upstream stream error"}
	if errv.IsObject() && key(errv, "message").Type == gjson.String && key(errv, "type").Type == gjson.String {
		e.Message += ": " + key(errv, "message").Str
		e.Type = key(errv, "type").Str
		return AppendDataEvent(dst, data), e
	}
	dst = append(dst, "data: "...)
	start := len(dst)
	dst = appendUpstreamError(dst, 500, data, "upstream stream error")
	norm := gjson.Parse(str(dst[start:]))
	e.Message += ": " + norm.Get("error.message").Str
	e.Type = norm.Get("error.type").Str
	return append(dst, "\n\n"...), e
}

// AppendDataEvent appends data as one SSE event, one "data:" line per line of data so that
// multi-line data keeps its exact bytes.
func AppendDataEvent(dst []byte, data []byte) []byte {
	for {
		i := bytes.IndexByte(data, '\n')
		dst = append(dst, "data: "...)
		if i < 0 {
			dst = append(dst, data...)
			break
		}
		dst = append(dst, data[:i]...)
		dst = append(dst, '\n')
		data = data[i+1:]
	}
	return append(dst, "\n\n"...)
}

// offsetIn is the position of sub, a substring of s, within s.
func offsetIn(s, sub string) int {
	return int(uintptr(unsafe.Pointer(unsafe.StringData(sub))) - uintptr(unsafe.Pointer(unsafe.StringData(s))))
}
