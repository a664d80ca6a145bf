package goldentest

import (
	"fmt"

	"switchyard/translate"
)

// Feed feeds chunks to s in order and finishes it, stopping at the first Feed error (a
// Stream must not be used after one). It returns everything s wrote and the error.
func Feed(s translate.Stream, chunks [][]byte) ([]byte, error) {
	var out []byte
	var err error
	for _, ch := range chunks {
		if out, err = s.Feed(out, ch); err != nil {
			return out, err
		}
	}
	return s.Finish(out)
}

// Split cuts in into chunks of the given sizes, cycling through them (a size below 1 counts
// as 1); no sizes means one chunk. Empty input gives no chunks.
func Split(in []byte, sizes []int) [][]byte {
	var chunks [][]byte
	for k := 0; len(in) > 0; k++ {
		n := len(in)
		if len(sizes) > 0 {
			n = min(max(sizes[k%len(sizes)], 1), len(in))
		}
		chunks = append(chunks, in[:n])
		in = in[n:]
	}
	return chunks
}

// DumpStream feeds chunks to s and renders, for a golden file, its output followed by the
// Feed error (feeding stops at the first), the Finish error (Finish runs regardless, as a
// proxy ends every stream) and the usage.
func DumpStream(s translate.Stream, chunks [][]byte) []byte {
	var out []byte
	var err error
	for _, ch := range chunks {
		if out, err = s.Feed(out, ch); err != nil {
			break
		}
	}
	out, ferr := s.Finish(out)
	return fmt.Appendf(out, "-- feed error: %v\n-- finish error: %v\n-- usage: %+v\n", err, ferr, s.Usage())
}
