package goldentest

import (
	"errors"
	"fmt"
	"testing"

	"switchyard/translate"
)

func TestSplit(t *testing.T) {
	for _, c := range []struct {
		in    string
		sizes []int
		want  string
	}{
		{"abcdefg", []int{2, 3}, "[ab cde fg]"},
		{"abc", nil, "[abc]"},
		{"abc", []int{0, -1}, "[a b c]"},
		{"abc", []int{10}, "[abc]"},
		{"", []int{1}, "[]"},
		{"", nil, "[]"},
	} {
		var got []string
		for _, ch := range Split([]byte(c.in), c.sizes) {
			got = append(got, string(ch))
		}
		if s := fmt.Sprint(got); s != c.want {
			t.Errorf("Split(%q, %v) = %s, want %s", c.in, c.sizes, s, c.want)
		}
	}
}

// echo copies what it is fed, fails on a chunk "!" and marks Finish.
type echo struct{ finished bool }

var errBang = errors.New("bang")

func (e *echo) Feed(dst, chunk []byte) ([]byte, error) {
	if string(chunk) == "!" {
		return append(dst, "E"...), errBang
	}
	return append(dst, chunk...), nil
}
func (e *echo) Finish(dst []byte) ([]byte, error) { e.finished = true; return append(dst, "F"...), nil }
func (e *echo) Usage() translate.Usage            { return translate.Usage{TotalTokens: 3} }

func TestFeed(t *testing.T) {
	out, err := Feed(&echo{}, [][]byte{[]byte("a"), []byte("b")})
	if string(out) != "abF" || err != nil {
		t.Errorf("got %q, %v", out, err)
	}
	e := &echo{}
	out, err = Feed(e, [][]byte{[]byte("a"), []byte("!"), []byte("b")})
	if string(out) != "aE" || err != errBang || e.finished {
		t.Errorf("after a Feed error: %q, %v, finished %v", out, err, e.finished)
	}
	got := string(DumpStream(&echo{}, [][]byte{[]byte("a"), []byte("!"), []byte("b")}))
	want := "aEF-- feed error: bang\n-- finish error: <nil>\n-- usage: {PromptTokens:0 CompletionTokens:0 TotalTokens:3 CachedTokens:0 CacheWriteTokens:0 ReasoningTokens:0}\n"
	if got != want {
		t.Errorf("DumpStream: %q", got)
	}
}
