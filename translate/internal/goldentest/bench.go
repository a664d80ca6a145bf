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
