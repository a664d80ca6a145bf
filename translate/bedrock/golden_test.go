package bedrock

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"switchyard/translate"
	est "switchyard/translate/bedrock/eventstream/eventstreamtest"
	"switchyard/translate/internal/goldentest"
)

func provider() *translate.Provider {
	return &translate.Provider{
		ID: "bedrock", Family: "bedrock", Scheme: "https",
		Host: "bedrock-runtime.{region}.amazonaws.com", Auth: translate.AuthSigV4,
		Ops: []translate.Operation{translate.OpChat, translate.OpEmbeddings},
	}
}

var signTime = time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)

func awsOptions(region, token string) translate.Options {
	return translate.Options{
		AWSAccessKeyID: "AKIDEXAMPLE", AWSSecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
		AWSSessionToken: token, AWSRegion: region,
	}
}

func pretty(t *testing.T, compact []byte) []byte {
	var out bytes.Buffer
	if err := json.Indent(&out, compact, "", "  "); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, compact)
	}
	out.WriteByte('\n')
	return out.Bytes()
}

func compactOf(t *testing.T, pretty []byte) []byte {
	var out bytes.Buffer
	if err := json.Compact(&out, pretty); err != nil {
		t.Fatalf("golden is not JSON: %v", err)
	}
	return out.Bytes()
}

// renderRequest prints an upstream request's line and headers; the body follows, indented.
func renderRequest(c *translate.Call, r *translate.UpstreamRequest) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s %s://%s%s\n", r.Method, r.Scheme, r.Authority, r.Path)
	fmt.Fprintf(&sb, "# call: model=%s stream=%v include_usage=%v\n", c.Model, c.Stream, c.IncludeUsage)
	for _, h := range r.Headers {
		fmt.Fprintf(&sb, "%s: %s\n", h.Name, h.Value)
	}
	return sb.String()
}

type requestCase struct {
	name   string
	op     translate.Operation
	target translate.Target
}

func requestCases() []requestCase {
	p := provider()
	return []requestCase{
		{"chat_basic", translate.OpChat, translate.Target{Provider: p, Options: awsOptions("us-east-1", "")}},
		{"chat_tools_stream", translate.OpChat, translate.Target{Provider: p, Options: awsOptions("us-west-2", "FwoGZXIvYXdzEXAMPLESESSIONTOKEN")}},
		{"chat_images", translate.OpChat, translate.Target{Provider: p, Options: awsOptions("eu-central-1", "")}},
		{"chat_arn_override", translate.OpChat, translate.Target{Provider: p,
			Model:          "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123xyz",
			APIKey:         "bedrock-api-key-EXAMPLE",
			CustomHost:     "http://127.0.0.1:9000/proxy/",
			OverrideParams: []byte(`{"temperature":0.1,"max_tokens":50,"guardrailConfig":{"trace":"disabled"}}`)}},
		{"chat_tool_choice_none", translate.OpChat, translate.Target{Provider: p, Options: awsOptions("", "")}},
		{"embed_titan", translate.OpEmbeddings, translate.Target{Provider: p, Options: awsOptions("us-east-1", "")}},
		{"embed_cohere", translate.OpEmbeddings, translate.Target{Provider: p, Options: awsOptions("us-east-1", "")}},
	}
}

// Golden upstream requests: exact method, URL, headers (including the SigV4 Authorization
// for a fixed time and key) and body bytes.
func TestRequestGolden(t *testing.T) {
	for _, tc := range requestCases() {
		t.Run(tc.name, func(t *testing.T) {
			in, err := os.ReadFile(filepath.Join("testdata/requests", tc.name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			c := &translate.Call{Op: tc.op, Now: signTime}
			var r translate.UpstreamRequest
			if err := (Adapter{}).BuildRequest(c, &tc.target, in, &r); err != nil {
				t.Fatal(err)
			}
			got := renderRequest(c, &r) + "\n" + string(pretty(t, r.Body))
			want := goldentest.Want(t, filepath.Join("requests", tc.name+".golden"), []byte(got))
			head, body, _ := strings.Cut(string(want), "\n\n")
			if gotHead := renderRequest(c, &r); gotHead != head+"\n" {
				t.Errorf("request line and headers:\n%s\nwant:\n%s", gotHead, head)
			}
			if wb := compactOf(t, []byte(body)); !bytes.Equal(r.Body, wb) {
				t.Errorf("body:\n%s\nwant:\n%s", r.Body, wb)
			}
		})
	}
}

type responseCase struct {
	name  string
	op    translate.Operation
	model string
	usage translate.Usage
}

// Golden responses: Bedrock answers (from the Converse / InvokeModel references) to exact
// OpenAI bytes, and the usage reported to the gateway.
func TestResponseGolden(t *testing.T) {
	cases := []responseCase{
		{"chat_text_cache", translate.OpChat, "anthropic.claude-3-5-sonnet-20240620-v1:0",
			translate.Usage{PromptTokens: 1812, CompletionTokens: 41, TotalTokens: 1853, CachedTokens: 1024, CacheWriteTokens: 700}},
		{"chat_parallel_tools", translate.OpChat, "us.anthropic.claude-3-7-sonnet-20250219-v1:0",
			translate.Usage{PromptTokens: 402, CompletionTokens: 120, TotalTokens: 522}},
		{"chat_guardrail", translate.OpChat, "amazon.nova-pro-v1:0",
			translate.Usage{PromptTokens: 25, CompletionTokens: 0, TotalTokens: 25}},
		{"chat_max_tokens", translate.OpChat, "meta.llama3-70b-instruct-v1:0",
			translate.Usage{PromptTokens: 12, CompletionTokens: 16, TotalTokens: 28}},
		{"embed_titan", translate.OpEmbeddings, "amazon.titan-embed-text-v2:0",
			translate.Usage{PromptTokens: 5, TotalTokens: 5}},
		{"embed_cohere", translate.OpEmbeddings, "cohere.embed-english-v3", translate.Usage{}},
		{"embed_cohere_by_type", translate.OpEmbeddings, "cohere.embed-multilingual-v3", translate.Usage{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in, err := os.ReadFile(filepath.Join("testdata/responses", tc.name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			c := &translate.Call{Op: tc.op, Model: tc.model, ID: "chatcmpl-bedrock-0001", Created: 1768471200}
			out, u, err := (Adapter{}).TranslateResponse(c, in, nil)
			if err != nil {
				t.Fatal(err)
			}
			want := goldentest.Want(t, filepath.Join("responses", tc.name+".golden"), pretty(t, out))
			if wb := compactOf(t, want); !bytes.Equal(out, wb) {
				t.Errorf("got:\n%s\nwant:\n%s", out, wb)
			}
			if u != tc.usage {
				t.Errorf("usage %+v, want %+v", u, tc.usage)
			}
		})
	}
}

// Golden errors: Bedrock error answers to OpenAI error objects.
func TestErrorGolden(t *testing.T) {
	cases := []struct {
		name   string
		status int
		body   string
	}{
		{"validation", 400, `{"message":"The provided model identifier is invalid."}`},
		{"access_denied", 403, `{"message":"You don't have access to the model with the specified model ID."}`},
		{"bad_signature", 403, `{"message":"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method."}`},
		{"not_found", 404, `{"message":"Could not resolve the foundation model from the provided model identifier."}`},
		{"timeout", 408, `{"message":"Model has timed out in processing the request. Try your request again."}`},
		{"model_error", 424, `{"message":"Received client error (400) from primary with message \"invalid\"","originalStatusCode":400}`},
		{"throttling", 429, `{"message":"Too many requests, please wait before trying again."}`},
		{"not_ready", 429, `{"message":"Model is not ready for inference. Wait and try your request again."}`},
		{"internal", 500, `{"message":"The server encountered an internal error while processing the request."}`},
		{"unavailable", 503, `{"message":"Bedrock is unable to process your request."}`},
		{"typed", 400, `{"__type":"com.amazon.coral.validate#ValidationException","message":"1 validation error detected"}`},
		{"quota_typed", 400, `{"Message":"quota","code":"ServiceQuotaExceededException:http://internal.amazon.com/coral/"}`},
		{"empty", 502, ``},
		{"html", 504, `<html><body>Gateway Timeout</body></html>`},
	}
	var all bytes.Buffer
	for _, tc := range cases {
		out := (Adapter{}).TranslateError(tc.status, []byte(tc.body), nil)
		if !json.Valid(out) {
			t.Errorf("%s: not JSON: %s", tc.name, out)
		}
		fmt.Fprintf(&all, "%s %d\n%s\n", tc.name, tc.status, out)
	}
	want := goldentest.Want(t, "errors/errors.golden", all.Bytes())
	if !bytes.Equal(all.Bytes(), want) {
		t.Errorf("got:\n%s\nwant:\n%s", all.Bytes(), want)
	}
}

// buildStream encodes a stream fixture: one line per message,
//
//	event <type> <json payload>
//	exception <type> <json payload>
//	error <code> <message>
//	corrupt-crc            flip a bit of the previous message's CRC
//	truncate <n>           drop the last n bytes
func buildStream(t testing.TB, path string) []byte {
	f, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var b []byte
	last := 0
	sc := bufio.NewScanner(bytes.NewReader(f))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		kind, rest, _ := strings.Cut(line, " ")
		name, payload, _ := strings.Cut(rest, " ")
		switch kind {
		case "event":
			last = len(b)
			b = est.Event(b, name, payload)
		case "exception":
			last = len(b)
			b = est.Exception(b, name, payload)
		case "error":
			last = len(b)
			b = est.AppendMessage(b, []est.Header{est.H(":message-type", "error"), est.H(":error-code", name), est.H(":error-message", payload)}, nil)
		case "corrupt-crc":
			b[len(b)-1] ^= 1
		case "truncate":
			n, _ := strconv.Atoi(name)
			b = b[:len(b)-n]
		default:
			t.Fatalf("bad fixture line %q", line)
		}
	}
	_ = last
	return b
}

type streamCase struct {
	name         string
	includeUsage bool
	err          error // nil, translate.ErrTruncated, or a *translate.Error with this code
	code         string
	usage        translate.Usage
}

func streamCases() []streamCase {
	return []streamCase{
		{name: "text_usage", includeUsage: true, usage: translate.Usage{PromptTokens: 1450, CompletionTokens: 9, TotalTokens: 1459, CachedTokens: 1400, CacheWriteTokens: 40}},
		{name: "text_no_usage", usage: translate.Usage{PromptTokens: 11, CompletionTokens: 9, TotalTokens: 20}},
		{name: "parallel_tools", includeUsage: true, usage: translate.Usage{PromptTokens: 380, CompletionTokens: 95, TotalTokens: 475}},
		{name: "guardrail", includeUsage: true, usage: translate.Usage{PromptTokens: 30, CompletionTokens: 4, TotalTokens: 34}},
		{name: "no_metadata"},
		{name: "exception_throttling", code: "ThrottlingException"},
		{name: "exception_model_stream", code: "ModelStreamErrorException"},
		{name: "error_message", code: "InternalFailure"},
		{name: "truncated_frame", err: translate.ErrTruncated},
		{name: "no_stop", err: translate.ErrTruncated},
		{name: "corrupt_crc", code: "bad_upstream_stream"},
	}
}

// runStream feeds chunks and finishes, returning the output and the first error.
func runStream(c *translate.Call, chunks [][]byte) ([]byte, error, translate.Stream) {
	s := (Adapter{}).NewStream(c)
	out, err := goldentest.Feed(s, chunks)
	return out, err, s
}

func checkStreamErr(t *testing.T, tc streamCase, err error) {
	t.Helper()
	switch {
	case tc.code != "":
		var te *translate.Error
		if !errors.As(err, &te) || te.Code != tc.code {
			t.Fatalf("err = %v, want code %s", err, tc.code)
		}
	case tc.err != nil:
		if !errors.Is(err, tc.err) {
			t.Fatalf("err = %v, want %v", err, tc.err)
		}
	case err != nil:
		t.Fatalf("err = %v", err)
	}
}

func streamCall(tc streamCase) *translate.Call {
	return &translate.Call{Op: translate.OpChat, Model: "anthropic.claude-3-5-sonnet-20240620-v1:0", Stream: true,
		IncludeUsage: tc.includeUsage, ID: "chatcmpl-bedrock-0002", Created: 1768471200}
}

// Golden streams: binary event streams built from fixtures → exact OpenAI SSE bytes.
func TestStreamGolden(t *testing.T) {
	for _, tc := range streamCases() {
		t.Run(tc.name, func(t *testing.T) {
			in := buildStream(t, filepath.Join("testdata/streams", tc.name+".events"))
			out, err, s := runStream(streamCall(tc), [][]byte{in})
			checkStreamErr(t, tc, err)
			want := goldentest.Want(t, filepath.Join("streams", tc.name+".golden"), out)
			if !bytes.Equal(out, want) {
				t.Errorf("got:\n%s\nwant:\n%s", out, want)
			}
			if s.Usage() != tc.usage {
				t.Errorf("usage %+v, want %+v", s.Usage(), tc.usage)
			}
		})
	}
}
