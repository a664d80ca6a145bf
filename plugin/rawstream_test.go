package plugin

import (
	"strings"
	"testing"
)

// BenchmarkRawStream: Anthropic's own 50-event stream passed to a /v1/messages client in 16
// KiB chunks, vetted event by event.
func BenchmarkRawStream(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude\",\"content\":[],\"usage\":{\"input_tokens\":12,\"output_tokens\":1}}}\n\n")
	for i := 0; i < 48; i++ {
		sb.WriteString("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\" word\"}}\n\n")
	}
	sb.WriteString("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n")
	in := []byte(sb.String())
	var dst []byte
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		s := newRawStream(1 << 20)
		dst = dst[:0]
		for off := 0; off < len(in); off += 16 << 10 {
			end := min(off+16<<10, len(in))
			dst = s.feed(dst, in[off:end], end == len(in))
		}
		if len(dst) != len(in) {
			b.Fatalf("out %d bytes, in %d", len(dst), len(in))
		}
	}
}
