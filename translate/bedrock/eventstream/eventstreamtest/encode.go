// Package eventstreamtest encodes AWS event stream messages with real checksums, for tests
// and mock providers. The plugin never imports it.
package eventstreamtest

import (
	"encoding/binary"
	"hash/crc32"
)

// Header is one message header. Value must be one of: bool, int8, int16, int32, int64,
// []byte, string, Timestamp, UUID.
type Header struct {
	Name  string
	Value any
}

// Timestamp is milliseconds since the Unix epoch (header type 8).
type Timestamp int64

// UUID is a 16-byte header value (type 9).
type UUID [16]byte

// AppendMessage appends one encoded message.
func AppendMessage(dst []byte, headers []Header, payload []byte) []byte {
	var hb []byte
	for _, h := range headers {
		hb = append(hb, byte(len(h.Name)))
		hb = append(hb, h.Name...)
		switch v := h.Value.(type) {
		case bool:
			if v {
				hb = append(hb, 0)
			} else {
				hb = append(hb, 1)
			}
		case int8:
			hb = append(hb, 2, byte(v))
		case int16:
			hb = binary.BigEndian.AppendUint16(append(hb, 3), uint16(v))
		case int32:
			hb = binary.BigEndian.AppendUint32(append(hb, 4), uint32(v))
		case int64:
			hb = binary.BigEndian.AppendUint64(append(hb, 5), uint64(v))
		case []byte:
			hb = binary.BigEndian.AppendUint16(append(hb, 6), uint16(len(v)))
			hb = append(hb, v...)
		case string:
			hb = binary.BigEndian.AppendUint16(append(hb, 7), uint16(len(v)))
			hb = append(hb, v...)
		case Timestamp:
			hb = binary.BigEndian.AppendUint64(append(hb, 8), uint64(v))
		case UUID:
			hb = append(append(hb, 9), v[:]...)
		default:
			panic("eventstreamtest: unsupported header value type")
		}
	}
	total := 12 + len(hb) + len(payload) + 4
	start := len(dst)
	dst = binary.BigEndian.AppendUint32(dst, uint32(total))
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(hb)))
	dst = binary.BigEndian.AppendUint32(dst, crc32.ChecksumIEEE(dst[start:start+8]))
	dst = append(dst, hb...)
	dst = append(dst, payload...)
	return binary.BigEndian.AppendUint32(dst, crc32.ChecksumIEEE(dst[start:]))
}

// Event appends a Bedrock-style event message: :event-type, :content-type application/json,
// :message-type event.
func Event(dst []byte, eventType string, payload string) []byte {
	return AppendMessage(dst, []Header{
		H(":event-type", eventType),
		H(":content-type", "application/json"),
		H(":message-type", "event"),
	}, []byte(payload))
}

// Exception appends a modeled exception message (:message-type exception).
func Exception(dst []byte, exceptionType string, payload string) []byte {
	return AppendMessage(dst, []Header{
		H(":exception-type", exceptionType),
		H(":content-type", "application/json"),
		H(":message-type", "exception"),
	}, []byte(payload))
}

// H builds a Header.
func H(name string, value any) Header { return Header{Name: name, Value: value} }
