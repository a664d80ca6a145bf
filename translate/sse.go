package translate

import (
	"bytes"
	"errors"
)

// ErrLineTooLong reports an SSE line longer than the reader's limit.
var ErrLineTooLong = errors.New("translate: SSE line too long")

// DefaultMaxLine bounds one SSE line (and one event's data) so a broken upstream cannot grow
// the reader without limit.
const DefaultMaxLine = 1 << 20

// SSEEvent is one server-sent event. Its slices are valid until the next Feed or Next.
type SSEEvent struct {
	Event []byte // the "event:" field, empty when absent
	Data  []byte // "data:" lines joined with "\n"
}

// SSEReader splits a server-sent-event stream fed in arbitrary chunks into events, as the
// WHATWG EventSource parser does: lines end in LF, CRLF or CR (a CRLF may be split across
// chunks), a blank line dispatches, comments (":") and unknown fields are ignored, one leading
// space after the colon is dropped, a UTF-8 byte order mark opening the stream is skipped.
// Events without data are not dispatched.
type SSEReader struct {
	MaxLine int // 0 = DefaultMaxLine

	buf     []byte
	off     int
	skipLF  bool // the previous line ended in CR: a following LF belongs to it
	event   []byte
	data    []byte
	hasData bool
	started bool // the stream's first bytes were checked for a byte order mark
}

// Feed adds upstream bytes. Call Next until it returns false afterwards.
func (r *SSEReader) Feed(chunk []byte) {
	if r.off > 0 {
		n := copy(r.buf, r.buf[r.off:])
		r.buf = r.buf[:n]
		r.off = 0
	}
	r.buf = append(r.buf, chunk...)
}

// Next returns the next complete event, false when more input is needed. After an error the
// reader must not be used again.
func (r *SSEReader) Next() (SSEEvent, bool, error) {
	max := r.MaxLine
	if max <= 0 {
		max = DefaultMaxLine
	}
	if !r.started {
		// A leading BOM would otherwise turn the first field name into "\ufeffdata".
		const bom = "\xef\xbb\xbf"
		rest := r.buf[r.off:]
		n := min(len(rest), len(bom))
		switch {
		case string(rest[:n]) != bom[:n]:
			r.started = true
		case n == len(bom):
			r.off += n
			r.started = true
		default:
			return SSEEvent{}, false, nil // too few bytes to tell yet
		}
	}
	for {
		if r.skipLF && r.off < len(r.buf) {
			if r.buf[r.off] == '\n' {
				r.off++
			}
			r.skipLF = false
		}
		rest := r.buf[r.off:]
		// Nearly every stream ends lines in LF: find it with the vectorised IndexByte, then look
		// for a CR only before it (a byte-at-a-time scan was a third of the families' stream time).
		end := bytes.IndexByte(rest, '\n')
		scope := rest
		if end >= 0 {
			scope = rest[:end]
		}
		if cr := bytes.IndexByte(scope, '\r'); cr >= 0 {
			end = cr
		}
		if end < 0 {
			if len(rest) > max {
				return SSEEvent{}, false, ErrLineTooLong
			}
			return SSEEvent{}, false, nil
		}
		line := rest[:end]
		if rest[end] == '\r' {
			r.skipLF = true
		}
		r.off += end + 1
		if len(line) == 0 {
			if !r.hasData {
				r.event = r.event[:0]
				continue
			}
			ev := SSEEvent{Event: r.event, Data: r.data}
			r.event = r.event[:0]
			r.data = r.data[:0]
			r.hasData = false
			return ev, true, nil
		}
		if line[0] == ':' {
			continue
		}
		field, value := line, []byte(nil)
		if i := bytes.IndexByte(line, ':'); i >= 0 {
			field, value = line[:i], line[i+1:]
			if len(value) > 0 && value[0] == ' ' {
				value = value[1:]
			}
		}
		switch string(field) {
		case "data":
			if r.hasData {
				r.data = append(r.data, '\n')
			}
			r.data = append(r.data, value...)
			r.hasData = true
			if len(r.data) > max {
				return SSEEvent{}, false, ErrLineTooLong
			}
		case "event":
			r.event = append(r.event[:0], value...)
		}
	}
}

// Pending reports whether bytes of an unfinished event are buffered (used to tell a clean end
// of stream from a truncated one).
func (r *SSEReader) Pending() bool {
	return r.hasData || len(r.event) > 0 || r.off < len(r.buf)
}
