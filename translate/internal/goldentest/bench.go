package goldentest

import (
	"testing"
	"time"

	"switchyard/translate"
)

// BenchBuildRequest times a.BuildRequest of a chat call on body, reusing one UpstreamRequest
// as the plugin does. now is the signing clock (zero unless the family signs requests).
func BenchBuildRequest(b *testing.B, a translate.Adapter, tg *translate.Target, body []byte, now time.Time) {
	b.Helper()
	// Declared outside the loop: passed to an interface method they escape, and one heap
	// copy for the whole run keeps allocs/op the family's own.
	var r translate.UpstreamRequest
	var c translate.Call
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		r.Reset()
		c = translate.Call{Op: translate.OpChat, Now: now}
		if err := a.BuildRequest(&c, tg, body, &r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchStream times a fresh stream (newStream) translating in, fed in chunk-byte network
// pieces, as a new response would be. The stream is created through the translate.Stream
// interface, as the plugin creates it, so its allocation counts. check, when set, vets each
// finished stream (e.g. its usage).
func BenchStream(b *testing.B, newStream func() translate.Stream, in []byte, chunk int, check func(translate.Stream)) {
	b.Helper()
	var out []byte
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	defer CPUMetric(b)()
	for b.Loop() {
		s := newStream()
		out = out[:0]
		var err error
		for rest := in; len(rest) > 0; {
			n := min(chunk, len(rest))
			if out, err = s.Feed(out, rest[:n]); err != nil {
				b.Fatal(err)
			}
			rest = rest[n:]
		}
		if out, err = s.Finish(out); err != nil {
			b.Fatal(err)
		}
		if check != nil {
			check(s)
		}
	}
}
