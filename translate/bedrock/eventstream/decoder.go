// Package eventstream decodes the AWS event stream binary framing
// (content type application/vnd.amazon.eventstream) that Bedrock's streaming APIs answer with.
//
// A message is: total length (u32), headers length (u32), prelude CRC32 (of those 8 bytes),
// headers, payload, message CRC32 (of everything before it). All integers are big endian and
// the checksum is CRC-32 (IEEE). Each header is: name length (u8), name, value type (u8),
// value, where the value's encoding depends on its type.
package eventstream

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

const (
	preludeLen = 12 // total length, headers length, prelude CRC
	minMessage = preludeLen + 4

	// MaxMessageLen and MaxHeadersLen are the limits the format itself sets.
	MaxMessageLen = 16 << 20
	MaxHeadersLen = 128 << 10
)

// Header value types.
const (
	TypeBoolTrue  = 0
	TypeBoolFalse = 1
	TypeByte      = 2
	TypeShort     = 3
	TypeInt       = 4
	TypeLong      = 5
	TypeBytes     = 6
	TypeString    = 7
	TypeTimestamp = 8
	TypeUUID      = 9
)

var (
	ErrPreludeCRC  = errors.New("eventstream: prelude checksum mismatch")
	ErrMessageCRC  = errors.New("eventstream: message checksum mismatch")
	ErrTooLarge    = errors.New("eventstream: message larger than the limit")
	ErrBadLength   = errors.New("eventstream: invalid message length")
	ErrBadHeaders  = errors.New("eventstream: malformed headers")
	ErrTruncated   = errors.New("eventstream: stream ended inside a message")
	errUnknownType = errors.New("eventstream: unknown header value type")
)

// Value is a header value: its type and its encoded bytes (without the type byte and, for
// bytes and strings, without the length prefix).
type Value struct {
	Type uint8
	Raw  []byte
}

// String returns a string or bytes value as text, "" for other types.
func (v Value) String() string {
	if v.Type == TypeString || v.Type == TypeBytes {
		return string(v.Raw)
	}
	return ""
}

// Int returns the value of an integer or timestamp (milliseconds) header.
func (v Value) Int() int64 {
	switch v.Type {
	case TypeByte:
		return int64(int8(v.Raw[0]))
	case TypeShort:
		return int64(int16(binary.BigEndian.Uint16(v.Raw)))
	case TypeInt:
		return int64(int32(binary.BigEndian.Uint32(v.Raw)))
	case TypeLong, TypeTimestamp:
		return int64(binary.BigEndian.Uint64(v.Raw))
	}
	return 0
}

// Bool reports the value of a boolean header.
func (v Value) Bool() bool { return v.Type == TypeBoolTrue }

// Message is one decoded message. Its slices point into the decoder's buffer and are valid
// until the next call to Feed.
type Message struct {
	Headers []byte // the encoded header block, already validated
	Payload []byte
}

// Header returns the value of the first header called name.
func (m *Message) Header(name string) (Value, bool) {
	h := m.Headers
	for len(h) > 0 {
		n := int(h[0])
		hn := h[1 : 1+n]
		v, size, _ := readValue(h[1+n:])
		if string(hn) == name {
			return v, true
		}
		h = h[1+n+size:]
	}
	return Value{}, false
}

// HeaderString returns a string header's text, "" when absent.
func (m *Message) HeaderString(name string) string {
	v, ok := m.Header(name)
	if !ok {
		return ""
	}
	return v.String()
}

// Each calls fn for every header in order.
func (m *Message) Each(fn func(name []byte, v Value)) {
	h := m.Headers
	for len(h) > 0 {
		n := int(h[0])
		v, size, _ := readValue(h[1+n:])
		fn(h[1:1+n], v)
		h = h[1+n+size:]
	}
}

// readValue reads one type byte and value; size counts the type byte.
func readValue(b []byte) (Value, int, error) {
	if len(b) < 1 {
		return Value{}, 0, ErrBadHeaders
	}
	t := b[0]
	var n int
	switch t {
	case TypeBoolTrue, TypeBoolFalse:
		n = 0
	case TypeByte:
		n = 1
	case TypeShort:
		n = 2
	case TypeInt:
		n = 4
	case TypeLong, TypeTimestamp:
		n = 8
	case TypeUUID:
		n = 16
	case TypeBytes, TypeString:
		if len(b) < 3 {
			return Value{}, 0, ErrBadHeaders
		}
		l := int(binary.BigEndian.Uint16(b[1:3]))
		if len(b) < 3+l {
			return Value{}, 0, ErrBadHeaders
		}
		return Value{Type: t, Raw: b[3 : 3+l]}, 3 + l, nil
	default:
		return Value{}, 0, errUnknownType
	}
	if len(b) < 1+n {
		return Value{}, 0, ErrBadHeaders
	}
	return Value{Type: t, Raw: b[1 : 1+n]}, 1 + n, nil
}

// validateHeaders checks that a header block parses completely.
func validateHeaders(h []byte) error {
	for len(h) > 0 {
		n := int(h[0])
		if n == 0 || len(h) < 1+n {
			return ErrBadHeaders
		}
		_, size, err := readValue(h[1+n:])
		if err != nil {
			return err
		}
		h = h[1+n+size:]
	}
	return nil
}

// Decoder splits a byte stream fed in arbitrary chunks into messages, checking both
// checksums. After an error it must not be used again.
type Decoder struct {
	// MaxMessage bounds one message (0 = MaxMessageLen) so a broken or hostile upstream cannot
	// make the decoder buffer without limit.
	MaxMessage int

	buf []byte
	off int
}

// Feed adds upstream bytes. Call Next until it returns false afterwards.
func (d *Decoder) Feed(chunk []byte) {
	if d.off > 0 {
		n := copy(d.buf, d.buf[d.off:])
		d.buf = d.buf[:n]
		d.off = 0
	}
	d.buf = append(d.buf, chunk...)
}

// Next returns the next complete message, false when more input is needed.
func (d *Decoder) Next() (Message, bool, error) {
	rest := d.buf[d.off:]
	if len(rest) < preludeLen {
		return Message{}, false, nil
	}
	total := binary.BigEndian.Uint32(rest[0:4])
	hlen := binary.BigEndian.Uint32(rest[4:8])
	if crc32.ChecksumIEEE(rest[:8]) != binary.BigEndian.Uint32(rest[8:12]) {
		return Message{}, false, ErrPreludeCRC
	}
	max := d.MaxMessage
	if max <= 0 || max > MaxMessageLen {
		max = MaxMessageLen
	}
	if total > uint32(max) {
		return Message{}, false, fmt.Errorf("%w (%d bytes, limit %d)", ErrTooLarge, total, max)
	}
	if total < minMessage || hlen > MaxHeadersLen || hlen > total-minMessage {
		return Message{}, false, ErrBadLength
	}
	if len(rest) < int(total) {
		return Message{}, false, nil
	}
	msg := rest[:total]
	end := int(total) - 4
	if crc32.ChecksumIEEE(msg[:end]) != binary.BigEndian.Uint32(msg[end:]) {
		return Message{}, false, ErrMessageCRC
	}
	headers := msg[preludeLen : preludeLen+int(hlen)]
	if err := validateHeaders(headers); err != nil {
		return Message{}, false, err
	}
	d.off += int(total)
	return Message{Headers: headers, Payload: msg[preludeLen+int(hlen) : end]}, true, nil
}

// Pending reports whether bytes of an unfinished message are buffered.
func (d *Decoder) Pending() bool { return d.off < len(d.buf) }
