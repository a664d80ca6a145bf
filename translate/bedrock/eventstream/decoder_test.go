package eventstream_test

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"hash/crc32"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"switchyard/translate/bedrock/eventstream"
	est "switchyard/translate/bedrock/eventstream/eventstreamtest"
)

type decodedVector struct {
	TotalLength   uint32 `json:"total_length"`
	HeadersLength uint32 `json:"headers_length"`
	PreludeCRC    int64  `json:"prelude_crc"` // some vectors write the CRC as a signed int32
	Headers       []struct {
		Name  string          `json:"name"`
		Type  uint8           `json:"type"`
		Value json.RawMessage `json:"value"`
	} `json:"headers"`
	Payload    []byte `json:"payload"`
	MessageCRC int64  `json:"message_crc"`
}

// AWS's published encoding vectors: every positive case decodes to exactly the documented
// headers and payload.
func TestAWSPositiveVectors(t *testing.T) {
	files, _ := filepath.Glob("testdata/aws-vectors/encoded/positive/*")
	if len(files) != 5 {
		t.Fatalf("want 5 positive vectors, found %d", len(files))
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			enc, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			raw, err := os.ReadFile(filepath.Join("testdata/aws-vectors/decoded/positive", name))
			if err != nil {
				t.Fatal(err)
			}
			var want decodedVector
			if err := json.Unmarshal(raw, &want); err != nil {
				t.Fatal(err)
			}
			if binary.BigEndian.Uint32(enc[8:12]) != uint32(want.PreludeCRC) || binary.BigEndian.Uint32(enc[len(enc)-4:]) != uint32(want.MessageCRC) {
				t.Fatal("vector checksums do not match their description")
			}
			var d eventstream.Decoder
			d.Feed(enc)
			m, ok, err := d.Next()
			if err != nil || !ok {
				t.Fatalf("Next: ok=%v err=%v", ok, err)
			}
			if !bytes.Equal(m.Payload, want.Payload) {
				t.Errorf("payload %q, want %q", m.Payload, want.Payload)
			}
			if len(m.Headers) != int(want.HeadersLength) {
				t.Errorf("headers length %d, want %d", len(m.Headers), want.HeadersLength)
			}
			i := 0
			m.Each(func(name []byte, v eventstream.Value) {
				if i >= len(want.Headers) {
					t.Errorf("extra header %q", name)
					return
				}
				w := want.Headers[i]
				i++
				if string(name) != w.Name || v.Type != w.Type {
					t.Errorf("header %q type %d, want %q type %d", name, v.Type, w.Name, w.Type)
					return
				}
				switch v.Type {
				case eventstream.TypeBoolTrue, eventstream.TypeBoolFalse:
					if got := map[bool]string{true: "true", false: "false"}[v.Bool()]; got != string(w.Value) {
						t.Errorf("%s = %s, want %s", name, got, w.Value)
					}
				case eventstream.TypeByte,
					eventstream.TypeShort, eventstream.TypeInt, eventstream.TypeLong, eventstream.TypeTimestamp:
					if got := v.Int(); jsonInt(t, w.Value) != got {
						t.Errorf("%s = %d, want %s", name, got, w.Value)
					}
				case eventstream.TypeBytes, eventstream.TypeString, eventstream.TypeUUID:
					var b64 string
					json.Unmarshal(w.Value, &b64)
					wb, _ := base64.StdEncoding.DecodeString(b64)
					if !bytes.Equal(v.Raw, wb) {
						t.Errorf("%s = %q, want %q", name, v.Raw, wb)
					}
				}
			})
			if i != len(want.Headers) {
				t.Errorf("decoded %d headers, want %d", i, len(want.Headers))
			}
			if d.Pending() {
				t.Error("bytes left over")
			}
		})
	}
}

func jsonInt(t *testing.T, v json.RawMessage) int64 {
	var n int64
	if err := json.Unmarshal(v, &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// AWS's negative vectors: each is rejected with the documented checksum error.
func TestAWSNegativeVectors(t *testing.T) {
	want := map[string]error{
		"corrupted_header_len": eventstream.ErrPreludeCRC,
		"corrupted_headers":    eventstream.ErrMessageCRC,
		"corrupted_length":     eventstream.ErrPreludeCRC,
		"corrupted_payload":    eventstream.ErrMessageCRC,
	}
	for name, werr := range want {
		enc, err := os.ReadFile(filepath.Join("testdata/aws-vectors/encoded/negative", name))
		if err != nil {
			t.Fatal(err)
		}
		desc, _ := os.ReadFile(filepath.Join("testdata/aws-vectors/decoded/negative", name))
		if !strings.Contains(werr.Error(), strings.ToLower(string(desc))) {
			t.Errorf("%s: vector says %q, test expects %v", name, desc, werr)
		}
		var d eventstream.Decoder
		d.Feed(enc)
		_, ok, err := d.Next()
		if ok || !errors.Is(err, werr) {
			t.Errorf("%s: ok=%v err=%v, want %v", name, ok, err, werr)
		}
	}
}

func sampleStream() []byte {
	var b []byte
	b = est.AppendMessage(b, []est.Header{
		est.H("t", true), est.H("f", false), est.H("b", int8(-3)), est.H("s", int16(-300)), est.H("i", int32(70000)),
		est.H("l", int64(-1<<40)), est.H("by", []byte{0, 1, 2}), est.H("str", "héllo"), est.H("ts", est.Timestamp(8675309)),
		est.H("u", est.UUID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}),
	}, []byte(`{"a":1}`))
	for i := 0; i < 20; i++ {
		b = est.Event(b, "contentBlockDelta", `{"contentBlockIndex":0,"delta":{"text":"chunk `+strings.Repeat("x", i)+`"}}`)
	}
	b = est.AppendMessage(b, nil, nil) // empty message: 16 bytes
	return b
}

func decodeAll(t testing.TB, chunks [][]byte) string {
	var d eventstream.Decoder
	var out strings.Builder
	for _, c := range chunks {
		d.Feed(c)
		for {
			m, ok, err := d.Next()
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				break
			}
			m.Each(func(name []byte, v eventstream.Value) {
				out.WriteString(string(name))
				out.WriteByte('=')
				out.WriteString(base64.StdEncoding.EncodeToString(append([]byte{v.Type}, v.Raw...)))
				out.WriteByte(';')
			})
			out.WriteString("|")
			out.Write(m.Payload)
			out.WriteString("\n")
		}
	}
	if d.Pending() {
		t.Fatal("pending bytes at end")
	}
	return out.String()
}

func TestAllHeaderTypesRoundTrip(t *testing.T) {
	var d eventstream.Decoder
	d.Feed(sampleStream())
	m, ok, err := d.Next()
	if !ok || err != nil {
		t.Fatal(ok, err)
	}
	check := func(name string, typ uint8, i int64, s string) {
		v, found := m.Header(name)
		if !found || v.Type != typ {
			t.Errorf("%s: found=%v type=%d want %d", name, found, v.Type, typ)
			return
		}
		if s != "" && v.String() != s {
			t.Errorf("%s = %q want %q", name, v.String(), s)
		}
		if i != 0 && v.Int() != i {
			t.Errorf("%s = %d want %d", name, v.Int(), i)
		}
	}
	check("t", eventstream.TypeBoolTrue, 0, "")
	check("f", eventstream.TypeBoolFalse, 0, "")
	check("b", eventstream.TypeByte, -3, "")
	check("s", eventstream.TypeShort, -300, "")
	check("i", eventstream.TypeInt, 70000, "")
	check("l", eventstream.TypeLong, -1<<40, "")
	check("by", eventstream.TypeBytes, 0, "\x00\x01\x02")
	check("str", eventstream.TypeString, 0, "héllo")
	check("ts", eventstream.TypeTimestamp, 8675309, "")
	check("u", eventstream.TypeUUID, 0, "")
	if v, _ := m.Header("t"); !v.Bool() {
		t.Error("t is not true")
	}
	if _, found := m.Header("missing"); found {
		t.Error("found a missing header")
	}
	if string(m.Payload) != `{"a":1}` {
		t.Errorf("payload %q", m.Payload)
	}
}

// Splitting the input anywhere gives the same messages.
func TestChunkSplit(t *testing.T) {
	in := sampleStream()
	want := decodeAll(t, [][]byte{in})
	if strings.Count(want, "\n") != 22 {
		t.Fatalf("decoded %d messages", strings.Count(want, "\n"))
	}
	for i := 0; i <= len(in); i++ {
		if got := decodeAll(t, [][]byte{in[:i], in[i:]}); got != want {
			t.Fatalf("split at %d differs", i)
		}
	}
	rng := rand.New(rand.NewSource(7))
	for n := 0; n < 200; n++ {
		var chunks [][]byte
		for rest := in; len(rest) > 0; {
			k := 1 + rng.Intn(40)
			if k > len(rest) {
				k = len(rest)
			}
			chunks = append(chunks, rest[:k])
			rest = rest[k:]
		}
		if got := decodeAll(t, chunks); got != want {
			t.Fatalf("random split %d differs", n)
		}
	}
}

func TestBounds(t *testing.T) {
	big := est.Event(nil, "x", strings.Repeat("a", 2000))
	d := eventstream.Decoder{MaxMessage: 1024}
	d.Feed(big[:12]) // the prelude alone is enough to refuse
	if _, _, err := d.Next(); !errors.Is(err, eventstream.ErrTooLarge) {
		t.Fatalf("err = %v", err)
	}

	// A prelude with a valid CRC but impossible lengths.
	bad := binary.BigEndian.AppendUint32(nil, 15)
	bad = binary.BigEndian.AppendUint32(bad, 0)
	bad = binary.BigEndian.AppendUint32(bad, crc32.ChecksumIEEE(bad))
	var d2 eventstream.Decoder
	d2.Feed(bad)
	if _, _, err := d2.Next(); !errors.Is(err, eventstream.ErrBadLength) {
		t.Fatalf("err = %v", err)
	}

	// Headers that claim more bytes than they have, with valid checksums.
	msg := est.AppendMessage(nil, []est.Header{est.H("k", "v")}, nil)
	msg[12+1+1+1+1] = 9 // string length low byte: 9 > remaining
	binary.BigEndian.PutUint32(msg[len(msg)-4:], crc32.ChecksumIEEE(msg[:len(msg)-4]))
	var d3 eventstream.Decoder
	d3.Feed(msg)
	if _, _, err := d3.Next(); !errors.Is(err, eventstream.ErrBadHeaders) {
		t.Fatalf("err = %v", err)
	}

	// Unknown header type.
	msg = est.AppendMessage(nil, []est.Header{est.H("k", "v")}, nil)
	msg[12+2] = 42
	binary.BigEndian.PutUint32(msg[len(msg)-4:], crc32.ChecksumIEEE(msg[:len(msg)-4]))
	var d4 eventstream.Decoder
	d4.Feed(msg)
	if _, _, err := d4.Next(); err == nil {
		t.Fatal("unknown header type accepted")
	}
}

// Corrupting any single byte of a message is detected (a CRC or length error), never a panic
// and never a silently different message.
func TestEveryByteFlipDetected(t *testing.T) {
	in := est.Event(nil, "contentBlockDelta", `{"contentBlockIndex":0,"delta":{"text":"hi"}}`)
	for i := range in {
		c := bytes.Clone(in)
		c[i] ^= 0x20
		var d eventstream.Decoder
		d.Feed(c)
		_, ok, err := d.Next()
		if ok || (err == nil && !d.Pending()) {
			t.Fatalf("flip at %d: ok=%v err=%v", i, ok, err)
		}
	}
}

func FuzzDecoder(f *testing.F) {
	f.Add(sampleStream(), uint8(7))
	files, _ := filepath.Glob("testdata/aws-vectors/encoded/*/*")
	for _, p := range files {
		b, _ := os.ReadFile(p)
		f.Add(b, uint8(3))
	}
	f.Fuzz(func(t *testing.T, in []byte, step uint8) {
		d := eventstream.Decoder{MaxMessage: 1 << 16}
		n := int(step) + 1
		for len(in) > 0 {
			k := min(n, len(in))
			d.Feed(in[:k])
			in = in[k:]
			for {
				m, ok, err := d.Next()
				if err != nil {
					return
				}
				if !ok {
					break
				}
				m.Each(func(name []byte, v eventstream.Value) { _ = v.Int(); _ = v.String() })
				if len(m.Payload) > 1<<16 {
					t.Fatal("payload over the limit")
				}
			}
		}
	})
}
