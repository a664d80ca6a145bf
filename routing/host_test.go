package routing

import (
	"net/url"
	"strings"
	"testing"
)

// oldHostCheck is the net/url check validHTTPURL replaced; validHTTPURL must never accept what
// it refused.
func oldHostCheck(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.User == nil &&
		!strings.ContainsAny(s, " \t\r\n@")
}

func TestValidHTTPURL(t *testing.T) {
	ok := []string{
		"https://api.openai.com", "http://127.0.0.1:8089/anthropic/v1/", "https://llm.internal:8443/v1",
		"HTTPS://Gw.Internal/v1", "http://h.internal", "http://[::1]:8080/v1", "http://[fe80::1]",
		"http://[::ffff:10.0.0.1]:80", "http://[2001:db8:0:0:0:0:0:1]/x", "https://x/v1?api-version=1#top",
		"https://x/a%20b", "http://x:", "http://my_host/v1",
	}
	bad := []string{
		"", "ftp://x", "https://u:p@x", "https://x y", "http:x", "http:///v1", "http://:80", "https://x:8a",
		"http://[::1", "http://[1.2.3.4]", "http://[1:::2]", "http://[::1]x", "https://x/%zz", "https://x/#%",
		"http://a:1:2", "http://x\x7f", "http://[fe80::1%25en0]", "http://h\u00e9.internal",
	}
	for _, s := range ok {
		if !validHTTPURL(s) || !oldHostCheck(s) {
			t.Errorf("%q: new %v, old %v; want both true", s, validHTTPURL(s), oldHostCheck(s))
		}
	}
	for _, s := range bad {
		if validHTTPURL(s) {
			t.Errorf("%q: accepted", s)
		}
	}
}

func FuzzValidHTTPURL(f *testing.F) {
	for _, s := range []string{"https://a.b:1/c?d#e", "http://[::1]:80", "http://[1:2::3:4.5.6.7]", "http://x/%41"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if validHTTPURL(s) && !oldHostCheck(s) {
			t.Fatalf("%q accepted, url.Parse check refuses it", s)
		}
	})
}
