package translate

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// stdString is encoding/json's encoding of s with HTML escaping off (OpenAI sends <, > and &
// literally).
func stdString(t testing.TB, s string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

var stringCases = []string{
	"", "plain", `quote " and \ backslash`, "tab\tnew\nline\rcr", "\b\f\v\x00\x01\x1f\x7f",
	"<script>&amp;</script>", "héllo wörld", "emoji 👋🏽", "\u2028 line sep \u2029 para sep",
	"\ufeffbom", "日本語テキスト", "mixed \"😀\" \n end", strings.Repeat("x", 300),
}

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range stringCases {
		got := AppendString([]byte("prefix"), s)
		want := append([]byte("prefix"), stdString(t, s)...)
		if !bytes.Equal(got, want) {
			t.Errorf("%q:\n got %s\nwant %s", s, got, want)
		}
	}
}

func TestAppendStringInvalidUTF8(t *testing.T) {
	cases := map[string]string{
		"a\xffb":         `"a\ufffdb"`,
		"\xed\xa0\x80":   `"\ufffd\ufffd\ufffd"`, // UTF-8 encoded surrogate half
		"ok\xe2\x82":     `"ok\ufffd\ufffd"`,     // truncated sequence
		"\xc0\xaf slash": `"\ufffd\ufffd slash"`, // overlong encoding
	}
	for in, want := range cases {
		if got := string(AppendString(nil, in)); got != want {
			t.Errorf("%q = %s, want %s", in, got, want)
		}
		// encoding/json makes the same replacement.
		if got := string(AppendString(nil, in)); got != string(stdString(t, in)) {
			t.Errorf("%q differs from encoding/json: %s vs %s", in, got, stdString(t, in))
		}
	}
}

func TestAppendError(t *testing.T) {
	got := string(AppendError(nil, `bad "x"`, "invalid_request_error", ""))
	want := `{"error":{"message":"bad \"x\"","type":"invalid_request_error","param":null,"code":null}}`
	if got != want {
		t.Errorf("got %s", got)
	}
	got = string(AppendErrorEvent(nil, "m", "api_error", "c"))
	want = "data: {\"error\":{\"message\":\"m\",\"type\":\"api_error\",\"param\":null,\"code\":\"c\"}}\n\n"
	if got != want {
		t.Errorf("got %q", got)
	}
	if string(AppendDone(nil)) != "data: [DONE]\n\n" {
		t.Error("AppendDone")
	}
	if string(AppendInt([]byte("n="), -42)) != "n=-42" {
		t.Error("AppendInt")
	}
}

func TestErrorTypeForStatus(t *testing.T) {
	cases := map[int]string{400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
		404: "invalid_request_error", 408: "timeout_error", 422: "invalid_request_error", 429: "rate_limit_error",
		500: "api_error", 502: "api_error", 503: "overloaded_error", 504: "timeout_error", 529: "overloaded_error"}
	for status, want := range cases {
		if got := ErrorTypeForStatus(status); got != want {
			t.Errorf("%d: %s", status, got)
		}
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range stringCases {
		f.Add(s)
	}
	f.Add("a\xffb\xed\xa0\x80")
	f.Fuzz(func(t *testing.T, s string) {
		out := AppendString(nil, s)
		if !json.Valid(out) {
			t.Fatalf("invalid JSON %q", out)
		}
		var back string
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatal(err)
		}
		if utf8.ValidString(s) {
			if back != s {
				t.Fatalf("round trip %q -> %q", s, back)
			}
			if want := stdString(t, s); !bytes.Equal(out, want) {
				t.Fatalf("%q: got %s want %s", s, out, want)
			}
		} else if back != strings.ToValidUTF8(back, "\ufffd") {
			t.Fatalf("decoded value not valid UTF-8")
		}
	})
}
