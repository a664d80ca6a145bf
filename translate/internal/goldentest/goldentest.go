// Package goldentest is the golden-file harness the translate families' tests share: the
// -update flag, comparing output with testdata/ files, reading fixtures, and the text form
// of an upstream request the golden files hold.
//
// Names are relative to the test's package directory's testdata/ folder (go test runs each
// package's tests in its own directory).
package goldentest

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"switchyard/translate"
)

var update = flag.Bool("update", false, "rewrite golden files from current output (review every diff by hand)")

// Updating reports whether the test run rewrites golden files (-update).
func Updating() bool { return *update }

// Check compares got with the golden file testdata/name; under -update it writes got there.
func Check(t testing.TB, name string, got []byte) {
	t.Helper()
	want := Want(t, name, got)
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs\n got: %s\nwant: %s", name, got, want)
	}
}

// Want returns the golden file testdata/name, for tests that compare in their own way; under
// -update it first writes got there (creating folders) and returns it.
func Want(t testing.TB, name string, got []byte) []byte {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return got
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	return want
}

// Read returns the fixture testdata/name.
func Read(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Head renders an upstream request's line and headers, in order, one per line.
func Head(r *translate.UpstreamRequest) string {
	var b bytes.Buffer
	b.WriteString(r.Method + " " + r.Scheme + "://" + r.Authority + r.Path + "\n")
	for _, h := range r.Headers {
		b.WriteString(h.Name + ": " + h.Value + "\n")
	}
	return b.String()
}

// DumpRequest renders an upstream request with the Call fields the response side relies on:
// Head, "call: model=... stream=... include_usage=...", a blank line, the body bytes as sent.
func DumpRequest(c *translate.Call, r *translate.UpstreamRequest) []byte {
	b := []byte(Head(r))
	b = append(b, "call: model="+c.Model+" stream="+strconv.FormatBool(c.Stream)+
		" include_usage="+strconv.FormatBool(c.IncludeUsage)+"\n\n"...)
	b = append(b, r.Body...)
	return append(b, '\n')
}

// FormatRequest renders an upstream request without the Call: Head, a blank line, the body.
func FormatRequest(r *translate.UpstreamRequest) []byte {
	b := []byte(Head(r) + "\n")
	b = append(b, r.Body...)
	return append(b, '\n')
}

// AddSeeds adds every fixture matching testdata/glob to a fuzz target's seed corpus.
func AddSeeds(f *testing.F, glob string) {
	f.Helper()
	files, _ := filepath.Glob(filepath.Join("testdata", glob))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
}
