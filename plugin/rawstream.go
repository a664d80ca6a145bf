package plugin

import (
	"bytes"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"
	"github.com/tidwall/gjson"

	"switchyard/plugin/abi"
	"switchyard/translate"
	"switchyard/translate/messages"
)

// rawStream passes Anthropic's own stream to a /v1/messages client event by event, as sent,
// until something a client cannot read arrives (an event that is not JSON, an oversized line,
// the end before message_stop): then the client gets Anthropic's error event and nothing more
// of the provider's bytes.
type rawStream struct {
	r       translate.SSEReader
	sawStop bool
	done    bool
}

func newRawStream(maxLine int) *rawStream {
	s := &rawStream{}
	s.r.MaxLine = maxLine
	return s
}

// feed appends what the client gets for one upstream chunk (and the stream's end).
func (s *rawStream) feed(dst, chunk []byte, eos bool) []byte {
	if s.done {
		return dst
	}
	if len(chunk) > 0 {
		s.r.Feed(chunk)
	}
	for {
		ev, ok, err := s.r.Next()
		if err != nil {
			return s.fail(dst, "upstream stream line exceeds the gateway limit")
		}
		if !ok {
			break
		}
		if !gjson.ValidBytes(ev.Data) {
			return s.fail(dst, "upstream sent a stream event that is not JSON")
		}
		dst = appendRawEvent(dst, ev)
		switch string(ev.Event) {
		case "message_stop":
			s.sawStop = true
		case "error":
			// Anthropic's in-stream error ends its stream.
			s.done = true
			return dst
		}
	}
	if eos {
		s.done = true
		if !s.sawStop {
			dst = messages.AppendErrorEvent(dst, "api_error", "upstream stream ended before the answer was complete")
		}
	}
	return dst
}

func (s *rawStream) fail(dst []byte, msg string) []byte {
	s.done = true
	return messages.AppendErrorEvent(dst, "api_error", msg)
}

// appendRawEvent writes the event back in Anthropic's framing; data of several lines keeps
// one data field per line.
func appendRawEvent(dst []byte, ev translate.SSEEvent) []byte {
	if len(ev.Event) > 0 {
		dst = append(dst, "event: "...)
		dst = append(dst, ev.Event...)
		dst = append(dst, '\n')
	}
	data := ev.Data
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

// feedRaw runs one response body callback of a raw /v1/messages stream.
func (h *httpContext) feedRaw(size int, eos bool) types.Action {
	var chunk []byte
	if size > 0 {
		var err error
		if chunk, err = abi.GetHttpResponseBodyInto(h.buf.chunk, 0, size); err != nil && err != types.ErrorStatusNotFound {
			return h.hostError("read response body", err)
		}
		if cap(chunk) > cap(h.buf.chunk) {
			h.buf.chunk = chunk[:0]
		}
	}
	out := h.raw.feed(h.buf.out[:0], chunk, eos)
	h.buf.out = out
	if err := abi.ReplaceHttpResponseBody(out); err != nil {
		return h.hostError("replace response body", err)
	}
	return types.ActionContinue
}

// rawStreams reports whether a success passed on without translation is Anthropic's own
// stream to a /v1/messages client (vetsRaw said it is not held whole).
func (h *httpContext) rawStreams(status int) bool {
	return h.cur.adapter == nil && h.kind == kindMessages && status >= 200 && status <= 299 && !h.cfg.kong
}
