package sigv4

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type suiteContext struct {
	Credentials struct {
		AccessKeyID     string `json:"access_key_id"`
		SecretAccessKey string `json:"secret_access_key"`
		Token           string `json:"token"`
	} `json:"credentials"`
	Region    string `json:"region"`
	Service   string `json:"service"`
	SignBody  bool   `json:"sign_body"`
	Timestamp string `json:"timestamp"`
}

// parseRequest reads a test-suite request.txt: request line, "Name:value" headers, blank
// line, body.
func parseRequest(t *testing.T, raw string) (method, path string, headers []Header, body []byte) {
	head, b, _ := strings.Cut(raw, "\n\n")
	sc := bufio.NewScanner(strings.NewReader(head))
	sc.Scan()
	line := sc.Text()
	method, rest, _ := strings.Cut(line, " ")
	path = rest[:strings.LastIndex(rest, " ")]
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			t.Fatalf("header line %q", sc.Text())
		}
		headers = append(headers, Header{name, value})
	}
	return method, path, headers, []byte(b)
}

func read(t *testing.T, dir, name string) string {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Every vector of AWS's published suite kept in testdata: canonical request, string to sign,
// signature and Authorization header must match byte for byte.
func TestAWSSuite(t *testing.T) {
	dirs, _ := filepath.Glob("testdata/aws-sig-v4-test-suite/*")
	n := 0
	for _, dir := range dirs {
		if _, err := os.Stat(filepath.Join(dir, "request.txt")); err != nil {
			continue
		}
		n++
		t.Run(filepath.Base(dir), func(t *testing.T) {
			var ctx suiteContext
			if err := json.Unmarshal([]byte(read(t, dir, "context.json")), &ctx); err != nil {
				t.Fatal(err)
			}
			ts, err := time.Parse(time.RFC3339, ctx.Timestamp)
			if err != nil {
				t.Fatal(err)
			}
			method, path, headers, body := parseRequest(t, read(t, dir, "request.txt"))
			req := &Request{
				Method: method, Path: path, Headers: headers, Payload: body, Time: ts,
				Region: ctx.Region, Service: ctx.Service,
				Creds:             Credentials{ctx.Credentials.AccessKeyID, ctx.Credentials.SecretAccessKey, ctx.Credentials.Token},
				SignPayloadHeader: ctx.SignBody,
			}
			s := Sign(req)
			creq, sts := Intermediate(req)
			if want := read(t, dir, "header-canonical-request.txt"); creq != want {
				t.Errorf("canonical request:\n%s\nwant:\n%s", creq, want)
			}
			if want := read(t, dir, "header-string-to-sign.txt"); sts != want {
				t.Errorf("string to sign:\n%s\nwant:\n%s", sts, want)
			}
			if want := read(t, dir, "header-signature.txt"); s.Signature != want {
				t.Errorf("signature %s, want %s", s.Signature, want)
			}
			signed := read(t, dir, "header-signed-request.txt")
			i := strings.Index(signed, "\nAuthorization:")
			if i < 0 {
				t.Fatal("no Authorization in header-signed-request.txt")
			}
			wantAuth, _, _ := strings.Cut(signed[i+len("\nAuthorization:"):], "\n")
			if s.Authorization != wantAuth {
				t.Errorf("authorization:\n%s\nwant:\n%s", s.Authorization, wantAuth)
			}
			if ctx.Credentials.Token != "" && !strings.Contains(signed, "X-Amz-Security-Token:"+ctx.Credentials.Token+"\n") {
				t.Errorf("security token header %q not in the signed request", ctx.Credentials.Token)
			}
			if !strings.Contains(signed, "X-Amz-Date:"+s.AmzDate+"\n") {
				t.Errorf("x-amz-date %q not in the signed request", s.AmzDate)
			}
		})
	}
	if n < 10 {
		t.Fatalf("only %d vectors found", n)
	}
}

// Bedrock model ids are sent escaped once and signed escaped twice.
func TestCanonicalURIDoubleEncodes(t *testing.T) {
	creq, _ := Intermediate(&Request{
		Method: "POST", Path: "/model/" + URIEncode("arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-sonnet-20240620-v1:0") + "/converse",
		Headers: []Header{{"host", "bedrock-runtime.us-east-1.amazonaws.com"}},
		Time:    time.Unix(0, 0), Region: "us-east-1", Service: "bedrock", Creds: Credentials{"A", "B", ""},
	})
	want := "POST\n/model/arn%253Aaws%253Abedrock%253Aus-east-1%253A123456789012%253Ainference-profile%252Fus.anthropic.claude-3-5-sonnet-20240620-v1%253A0/converse\n\n"
	if !strings.HasPrefix(creq, want) {
		t.Fatalf("canonical request:\n%s", creq)
	}
}

func TestLongSecretHashedFirst(t *testing.T) {
	// HMAC keys longer than a block are hashed; the result must still be deterministic and
	// differ from a truncated key.
	a := Sign(&Request{Method: "GET", Path: "/", Time: time.Unix(0, 0), Region: "r", Service: "s", Creds: Credentials{"A", strings.Repeat("k", 100), ""}})
	b := Sign(&Request{Method: "GET", Path: "/", Time: time.Unix(0, 0), Region: "r", Service: "s", Creds: Credentials{"A", strings.Repeat("k", 60), ""}})
	if a.Signature == b.Signature || len(a.Signature) != 64 {
		t.Fatal(a.Signature, b.Signature)
	}
}

func BenchmarkSign(b *testing.B) {
	body := []byte(strings.Repeat("x", 2500))
	r := &Request{Method: "POST", Path: "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse",
		Headers: []Header{{"content-type", "application/json"}, {"host", "bedrock-runtime.us-east-1.amazonaws.com"}},
		Payload: body, Time: time.Unix(1700000000, 0), Region: "us-east-1", Service: "bedrock",
		Creds: Credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""}}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		Sign(r)
	}
}
