package host

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"testing"
)

func TestPairsFormat(t *testing.T) {
	got := EncodePairs(nil, [][2]string{{"a", "1"}, {"bb", "22"}})
	// host.md §4.1 example.
	want, _ := hex.DecodeString("02000000" + "01000000" + "01000000" + "02000000" + "02000000" + "6100" + "3100" + "626200" + "323200")
	if !bytes.Equal(got, want) {
		t.Fatalf("encode:\n got %x\nwant %x", got, want)
	}
	pairs, ok := DecodePairs(got)
	if !ok || len(pairs) != 2 || pairs[1] != [2]string{"bb", "22"} {
		t.Fatalf("decode: %v %v", pairs, ok)
	}
}

func TestPairsLimits(t *testing.T) {
	many := make([][2]string, 1025)
	for i := range many {
		many[i] = [2]string{"k", "v"}
	}
	big := [][2]string{{"k", string(make([]byte, 1<<20))}}
	bad := EncodePairs(nil, [][2]string{{"a", "1"}})
	bad[len(bad)-1] = 'x' // missing NUL terminator
	for name, b := range map[string][]byte{
		"1025 pairs":  EncodePairs(nil, many),
		"over 1 MiB":  EncodePairs(nil, big),
		"no NUL":      bad,
		"trailing":    append(EncodePairs(nil, [][2]string{{"a", "1"}}), 0),
		"short":       {1, 0, 0},
		"count lies":  binary.LittleEndian.AppendUint32(nil, 3),
		"len too big": append(binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(nil, 1), 100), 1), 'a', 0, '1', 0),
	} {
		if p, ok := DecodePairs(b); ok || p != nil {
			t.Errorf("%s: decoded %v %v, want empty", name, len(p), ok)
		}
	}
	if p, ok := DecodePairs(EncodePairs(nil, many[:1024])); !ok || len(p) != 1024 {
		t.Errorf("1024 pairs rejected")
	}
}

func TestHeadersSetKeepsPositionAndLowercases(t *testing.T) {
	h := NewHeaders(":path", "/", "X-A", "1", "b", "2", "x-a", "3")
	h.Set("X-A", "9")
	h.Add("C", "4")
	h.Del("B")
	var got []string
	for _, p := range h.Pairs() {
		got = append(got, p[0]+"="+p[1])
	}
	equalLines(t, "pairs", got, []string{":path=/", "x-a=9", "c=4"})
	if h.ByteSize() != len(":path/x-a9c4") {
		t.Errorf("byte size %d", h.ByteSize())
	}
}

func FuzzDecodePairs(f *testing.F) {
	f.Add(EncodePairs(nil, [][2]string{{"a", "1"}, {"bb", "22"}}))
	f.Add([]byte{0, 0, 0, 0})
	f.Add([]byte{255, 255, 255, 255, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		p, ok := DecodePairs(b)
		if !ok {
			return
		}
		// Whatever decodes re-encodes to the same bytes.
		if len(b) > 0 && !bytes.Equal(EncodePairs(nil, p), b) {
			t.Fatalf("round trip mismatch for %x", b)
		}
	})
}
