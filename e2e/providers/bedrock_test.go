package providers

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"strings"
	"testing"
)

// decodeFrames renders an AWS event stream as text, one line per message, checking both CRCs.
func decodeFrames(t *testing.T, b []byte) string {
	t.Helper()
	var out strings.Builder
	for len(b) > 0 {
		if len(b) < 16 {
			t.Fatalf("short frame: %d bytes", len(b))
		}
		total, hl := int(binary.BigEndian.Uint32(b)), int(binary.BigEndian.Uint32(b[4:]))
		if total > len(b) || crc32.ChecksumIEEE(b[:8]) != binary.BigEndian.Uint32(b[8:]) ||
			crc32.ChecksumIEEE(b[:total-4]) != binary.BigEndian.Uint32(b[total-4:]) {
			t.Fatalf("bad frame lengths or CRC")
		}
		h := b[12 : 12+hl]
		var names []string
		for len(h) > 0 {
			n := int(h[0])
			name := string(h[1 : 1+n])
			if h[1+n] != 7 {
				t.Fatalf("header %s is not a string", name)
			}
			vl := int(binary.BigEndian.Uint16(h[2+n:]))
			names = append(names, name+"="+string(h[4+n:4+n+vl]))
			h = h[4+n+vl:]
		}
		fmt.Fprintf(&out, "%s %s\n", strings.Join(names, " "), b[12+hl:total-4])
		b = b[total:]
	}
	return out.String()
}

func TestBedrockStreamFrames(t *testing.T) {
	cases := []struct {
		name string
		hdr  []string
	}{
		{"bedrock_stream.golden", []string{"x-mock-events", "2"}},
		{"bedrock_stream_tools.golden", []string{"x-mock-tool-calls", "now", "x-mock-content", "Checking."}},
		{"bedrock_stream_error.golden", []string{"x-mock-stream-error-after", "1"}},
	}
	for _, c := range cases {
		w := do(NewBedrock(), "POST", "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse-stream", `{"messages":[{"role":"user","content":[{"text":"hi"}]}]}`, c.hdr...)
		if w.Code != 200 || w.Header().Get("Content-Type") != "application/vnd.amazon.eventstream" {
			t.Fatalf("%s: %d %v", c.name, w.Code, w.Header())
		}
		golden(t, c.name, []byte(decodeFrames(t, w.Body.Bytes())))
	}
}
