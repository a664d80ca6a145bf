package translate

import (
	"fmt"
	"strings"
	"testing"
)

// readAll feeds chunks and renders every dispatched event as "event|data" lines.
func readAll(r *SSEReader, chunks ...[]byte) (string, error) {
	var b strings.Builder
	for _, ch := range chunks {
		r.Feed(ch)
		for {
			ev, ok, err := r.Next()
			if err != nil {
				return b.String(), err
			}
			if !ok {
				break
			}
			fmt.Fprintf(&b, "%s|%s\n", ev.Event, ev.Data)
		}
	}
	return b.String(), nil
}

var sseCases = []struct {
	name, in, want string
	pending        bool
}{
	{"lf", "data: a\n\ndata: b\n\n", "|a\n|b\n", false},
	{"crlf", "data: a\r\n\r\ndata: b\r\n\r\n", "|a\n|b\n", false},
	{"cr", "data: a\r\rdata: b\r\r", "|a\n|b\n", false},
	{"mixed endings", "data: a\r\n\ndata: b\r\r\n", "|a\n|b\n", false},
	{"multi-line data", "data: one\ndata: two\ndata:\n\n", "|one\ntwo\n\n", false},
	{"no space after colon", "data:x\n\n", "|x\n", false},
	{"only one space dropped", "data:  x \n\n", "| x \n", false},
	{"field without colon", "data\n\n", "|\n", false},
	{"empty data dispatches", "data:\n\n", "|\n", false},
	{"event name", "event: error\ndata: {\"m\":1}\n\n", "error|{\"m\":1}\n", false},
	{"event name resets after dispatch", "event: ping\ndata: 1\n\ndata: 2\n\n", "ping|1\n|2\n", false},
	{"event without data is not dispatched", "event: ping\n\ndata: 2\n\n", "|2\n", false},
	{"comments and unknown fields", ": hi\nid: 7\nretry: 10\nfoo: bar\ndata: x\n\n", "|x\n", false},
	{"colon inside value", "data: {\"a\":\"b:c\"}\n\n", "|{\"a\":\"b:c\"}\n", false},
	{"blank lines only", "\n\n\r\n\r", "", false},
	{"unterminated event is pending", "data: a\n", "", true},
	{"unterminated line is pending", "data: a", "", true},
	{"leading BOM stripped", "\ufeffdata: a\n\n", "|a\n", false},
	{"BOM only at stream start", "data: a\n\n\ufeffdata: b\n\n", "|a\n", false},
	{"[DONE]", "data: [DONE]\n\n", "|[DONE]\n", false},
}

func TestSSEReader(t *testing.T) {
	for _, tc := range sseCases {
		t.Run(tc.name, func(t *testing.T) {
			var r SSEReader
			got, err := readAll(&r, []byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %q want %q", got, tc.want)
			}
			if r.Pending() != tc.pending {
				t.Errorf("Pending() = %v", r.Pending())
			}
		})
	}
}

// Every split of the input into two chunks, and byte-by-byte feeding, gives the same events.
func TestSSEReaderSplitInvariance(t *testing.T) {
	for _, tc := range sseCases {
		in := []byte(tc.in)
		for i := 0; i <= len(in); i++ {
			var r SSEReader
			got, err := readAll(&r, in[:i], in[i:])
			if err != nil || got != tc.want {
				t.Fatalf("%s split at %d: %q %v", tc.name, i, got, err)
			}
			if r.Pending() != tc.pending {
				t.Fatalf("%s split at %d: Pending() = %v", tc.name, i, r.Pending())
			}
		}
		var r SSEReader
		var chunks [][]byte
		for i := range in {
			chunks = append(chunks, in[i:i+1])
		}
		if got, _ := readAll(&r, chunks...); got != tc.want {
			t.Fatalf("%s byte by byte: %q", tc.name, got)
		}
	}
}

func TestSSEReaderLimits(t *testing.T) {
	r := SSEReader{MaxLine: 16}
	if _, err := readAll(&r, []byte("data: "+strings.Repeat("x", 20))); err != ErrLineTooLong {
		t.Errorf("long partial line: %v", err)
	}
	r = SSEReader{MaxLine: 16}
	if _, err := readAll(&r, []byte("data: 0123456789\ndata: 0123456789\n")); err != ErrLineTooLong {
		t.Errorf("long event data: %v", err)
	}
	r = SSEReader{MaxLine: 16}
	if got, err := readAll(&r, []byte("data: 0123456789\n\n")); err != nil || got != "|0123456789\n" {
		t.Errorf("within limit: %q %v", got, err)
	}
}

// The buffer must not grow with the stream: consumed bytes are dropped on the next Feed.
func TestSSEReaderBufferBounded(t *testing.T) {
	var r SSEReader
	ev := []byte("data: {\"choices\":[{\"delta\":{\"content\":\"hello\"}}]}\n\n")
	for i := 0; i < 10000; i++ {
		if _, err := readAll(&r, ev[:10], ev[10:]); err != nil {
			t.Fatal(err)
		}
	}
	if cap(r.buf) > 4*len(ev) {
		t.Errorf("buffer grew to %d", cap(r.buf))
	}
}

func FuzzSSEReader(f *testing.F) {
	for _, tc := range sseCases {
		f.Add([]byte(tc.in), uint16(3))
	}
	f.Fuzz(func(t *testing.T, in []byte, split uint16) {
		var whole SSEReader
		whole.MaxLine = 1 << 12
		want, werr := readAll(&whole, in)
		i := int(split) % (len(in) + 1)
		var parts SSEReader
		parts.MaxLine = 1 << 12
		got, gerr := readAll(&parts, in[:i], in[i:])
		if werr == nil && gerr == nil {
			if got != want {
				t.Fatalf("split at %d: %q vs %q", i, got, want)
			}
			if whole.Pending() != parts.Pending() {
				t.Fatalf("Pending differs")
			}
		}
		if len(want) > 2*len(in)+2 {
			t.Fatalf("output larger than input")
		}
	})
}
