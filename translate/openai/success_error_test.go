package openai

import (
	"errors"
	"testing"

	"switchyard/translate"
)

// An error object sent with a success status is refused (502), never passed on as a 200; an
// answer that merely mentions "error" further in passes untouched.
func TestTranslateResponseErrorWithSuccessStatus(t *testing.T) {
	cases := []struct {
		body, wantMsg string
	}{
		{`{"error":{"message":"Invalid request.","type":"invalid_request_error","param":null,"code":null}}`,
			"upstream returned an error with a success status: Invalid request."},
		{` { "error" : {"code":5} }`, `upstream returned an error with a success status: {"code":5}`},
		{`{"id":"x","object":"chat.completion","choices":[],"error":{"message":"m"}}`, ""},
		{`{"error":{"message":"m"},"choices":[]}`, ""},
		{`{"error":"text"}`, ""},
	}
	for _, c := range cases {
		out, _, err := (Adapter{}).TranslateResponse(&translate.Call{Op: translate.OpChat}, []byte(c.body), nil)
		if c.wantMsg == "" {
			if err != nil || string(out) != c.body {
				t.Errorf("%s: got %q, %v; want it passed on", c.body, out, err)
			}
			continue
		}
		var te *translate.Error
		if !errors.As(err, &te) || te.Status != 502 || te.Code != "upstream_error" || te.Message != c.wantMsg || len(out) != 0 {
			t.Errorf("%s: got %q, %#v; want 502 %q", c.body, out, err, c.wantMsg)
		}
	}
}
