package abi

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"
)

func TestAppendPairsGolden(t *testing.T) {
	cases := []struct {
		name  string
		pairs [][2]string
		hex   string
	}{
		{"empty", nil, "00000000"},
		// docs/host.md §4.1 example.
		{"spec example", [][2]string{{"a", "1"}, {"bb", "22"}},
			"02000000" + "01000000" + "01000000" + "02000000" + "02000000" + "6100" + "3100" + "626200" + "323200"},
		{"empty value", [][2]string{{":path", ""}}, "01000000" + "05000000" + "00000000" + "3a7061746800" + "00"},
		{"repeated key", [][2]string{{"k", "1"}, {"k", "2"}},
			"02000000" + "01000000" + "01000000" + "01000000" + "01000000" + "6b00" + "3100" + "6b00" + "3200"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := AppendPairs(nil, c.pairs)
			if h := hex.EncodeToString(got); h != c.hex {
				t.Fatalf("got %s\nwant %s", h, c.hex)
			}
			back, err := ParsePairs(got)
			if err != nil {
				t.Fatal(err)
			}
			if len(back) != len(c.pairs) {
				t.Fatalf("round trip %q, want %q", back, c.pairs)
			}
			for i := range back {
				if back[i] != c.pairs[i] {
					t.Fatalf("round trip %q, want %q", back, c.pairs)
				}
			}
		})
	}
}

func TestAppendPairsKeepsPrefix(t *testing.T) {
	dst := make([]byte, 3, 64)
	copy(dst, "abc")
	got := AppendPairs(dst, [][2]string{{"k", "v"}})
	if string(got[:3]) != "abc" || len(got) != 3+4+8+4 {
		t.Fatalf("got %q", got)
	}
}

func TestParsePairsRejectsMalformed(t *testing.T) {
	valid := AppendPairs(nil, [][2]string{{"a", "1"}, {"bb", "22"}})
	cases := map[string][]byte{
		"short count":        {1, 0},
		"count too large":    {0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
		"zero count, extra":  {0, 0, 0, 0, 1},
		"truncated data":     valid[:len(valid)-1],
		"trailing byte":      append(bytes.Clone(valid), 0),
		"missing key NUL":    replaceAt(valid, 4+16+1, 'X'),
		"missing value NUL":  replaceAt(valid, 4+16+3, 'Y'),
		"key length too big": replaceAt(valid, 4, 200),
	}
	for name, b := range cases {
		t.Run(name, func(t *testing.T) {
			if got, err := ParsePairs(b); !errors.Is(err, ErrMalformedPairs) {
				t.Fatalf("ParsePairs(%x) = %q, %v; want ErrMalformedPairs", b, got, err)
			}
		})
	}
	if got, err := ParsePairs(nil); err != nil || got != nil {
		t.Fatalf("empty blob: %q, %v", got, err)
	}
}

// replaceAt returns a copy of b with b[i] set to v.
func replaceAt(b []byte, i int, v byte) []byte {
	c := bytes.Clone(b)
	c[i] = v
	return c
}

func TestAppendPropertyPath(t *testing.T) {
	cases := []struct {
		path []string
		want string
	}{
		{[]string{"request", "headers", "x-foo"}, "request\x00headers\x00x-foo"},
		{[]string{"aigw.model"}, "aigw.model"},
		{nil, ""},
	}
	for _, c := range cases {
		if got := string(AppendPropertyPath(nil, c.path)); got != c.want {
			t.Errorf("%q: got %q want %q", c.path, got, c.want)
		}
	}
}

func FuzzParsePairs(f *testing.F) {
	f.Add(AppendPairs(nil, [][2]string{{"a", "1"}, {"bb", "22"}}))
	f.Add(AppendPairs(nil, nil))
	f.Add([]byte{1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		pairs, err := ParsePairs(b)
		if err != nil {
			return
		}
		// Whatever decodes must re-encode to exactly the input (the layout has one spelling).
		if again := AppendPairs(nil, pairs); len(b) != 0 && !bytes.Equal(again, b) {
			t.Fatalf("re-encoding %x gives %x", b, again)
		}
		if len(pairs) > len(b)/10 {
			t.Fatalf("%d pairs from %d bytes", len(pairs), len(b))
		}
	})
}

func BenchmarkAppendPairs(b *testing.B) {
	hs := [][2]string{{":method", "POST"}, {":path", "/v1/chat/completions"}, {":authority", "api.openai.com"},
		{"content-type", "application/json"}, {"authorization", "Bearer sk-xxxxxxxxxxxxxxxxxxxxxxxx"}}
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendPairs(buf[:0], hs)
	}
}

func BenchmarkParsePairs(b *testing.B) {
	blob := AppendPairs(nil, [][2]string{{":method", "POST"}, {":path", "/v1/chat/completions"},
		{":authority", "api.openai.com"}, {"content-type", "application/json"}, {"x-portkey-provider", "openai"}})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParsePairs(blob); err != nil {
			b.Fatal(err)
		}
	}
}
