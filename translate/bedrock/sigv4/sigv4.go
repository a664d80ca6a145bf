// Package sigv4 signs HTTP requests with AWS Signature Version 4 (header form), as described
// in AWS's "Create a signed AWS API request" reference, for services other than S3:
//
//	CanonicalRequest = Method \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n
//	                   SignedHeaders \n hex(sha256(payload))
//	StringToSign     = "AWS4-HMAC-SHA256" \n amzdate \n date/region/service/aws4_request \n
//	                   hex(sha256(CanonicalRequest))
//	SigningKey       = HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request")
//
// The canonical URI is the request path as sent, URI-encoded once more (every byte except
// A-Z a-z 0-9 - _ . ~ and '/'), so a path segment sent as "%3A" is signed as "%253A" — what
// non-S3 services such as Bedrock verify. Paths are not dot-segment normalised (callers send
// clean paths).
package sigv4

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// Header is one request header; names may be in any case.
type Header struct{ Name, Value string }

// Credentials are an access key pair and, for temporary credentials, a session token.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
}

// Request is what gets signed.
type Request struct {
	Method  string
	Path    string   // path as sent, with an optional "?query"
	Headers []Header // the request's own headers to sign, including host
	Payload []byte
	Time    time.Time
	Region  string
	Service string
	Creds   Credentials
	// SignPayloadHeader adds and signs x-amz-content-sha256 (S3 needs it; most services
	// accept it; the test suite's sign_body cases use it).
	SignPayloadHeader bool
}

// Signed is the outcome: headers to add to the request (x-amz-date, optionally
// x-amz-security-token and x-amz-content-sha256, and authorization), plus the intermediate
// strings for tests and debugging.
type Signed struct {
	AmzDate          string
	SecurityToken    string // empty when none
	ContentSHA256    string // empty unless SignPayloadHeader
	Authorization    string
	CanonicalRequest []byte
	StringToSign     []byte
	Signature        string
}

const algorithm = "AWS4-HMAC-SHA256"

// Sign computes the signature. scratch is reused for the canonical request and string to sign
// (the returned slices alias it).
func Sign(r *Request, scratch []byte) Signed {
	var s Signed
	t := r.Time.UTC()
	var dateBuf [16]byte
	amz := t.AppendFormat(dateBuf[:0], "20060102T150405Z")
	s.AmzDate = string(amz)
	date := s.AmzDate[:8]
	payloadHash := sha256.Sum256(r.Payload)
	var phex [64]byte
	hex.Encode(phex[:], payloadHash[:])
	if r.SignPayloadHeader {
		s.ContentSHA256 = string(phex[:])
	}
	s.SecurityToken = r.Creds.SessionToken

	// Collect the headers to sign: the request's own plus those the signature adds.
	var fixed [12]Header
	hs := append(fixed[:0], r.Headers...)
	hs = append(hs, Header{"x-amz-date", s.AmzDate})
	if s.SecurityToken != "" {
		hs = append(hs, Header{"x-amz-security-token", s.SecurityToken})
	}
	if r.SignPayloadHeader {
		hs = append(hs, Header{"x-amz-content-sha256", s.ContentSHA256})
	}
	for i := range hs {
		if !isLower(hs[i].Name) {
			hs[i].Name = strings.ToLower(hs[i].Name)
		}
	}
	// Stable insertion sort by name: few headers, no allocation, duplicates keep their order
	// (their values are joined with commas in that order).
	for i := 1; i < len(hs); i++ {
		for j := i; j > 0 && hs[j].Name < hs[j-1].Name; j-- {
			hs[j], hs[j-1] = hs[j-1], hs[j]
		}
	}

	b := scratch[:0]
	b = append(b, r.Method...)
	b = append(b, '\n')
	path, query := r.Path, ""
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path, query = path[:i], path[i+1:]
	}
	if path == "" {
		path = "/"
	}
	b = appendURIEncode(b, path, false)
	b = append(b, '\n')
	b = appendCanonicalQuery(b, query)
	b = append(b, '\n')
	for i := 0; i < len(hs); i++ {
		if i > 0 && hs[i].Name == hs[i-1].Name {
			b = append(b, ',')
		} else {
			if i > 0 {
				b = append(b, '\n')
			}
			b = append(b, hs[i].Name...)
			b = append(b, ':')
		}
		b = appendTrimmed(b, hs[i].Value)
	}
	b = append(b, '\n', '\n')
	signedStart := len(b)
	for i := 0; i < len(hs); i++ {
		if i > 0 && hs[i].Name == hs[i-1].Name {
			continue
		}
		if i > 0 {
			b = append(b, ';')
		}
		b = append(b, hs[i].Name...)
	}
	signedEnd := len(b)
	b = append(b, '\n')
	b = append(b, phex[:]...)
	creqEnd := len(b)
	creqHash := sha256.Sum256(b[:creqEnd])

	scopeStart := creqEnd
	b = append(b, algorithm...)
	b = append(b, '\n')
	b = append(b, amz...)
	b = append(b, '\n')
	credStart := len(b)
	b = append(b, date...)
	b = append(b, '/')
	b = append(b, r.Region...)
	b = append(b, '/')
	b = append(b, r.Service...)
	b = append(b, "/aws4_request"...)
	credEnd := len(b)
	b = append(b, '\n')
	b = hex.AppendEncode(b, creqHash[:])
	s.CanonicalRequest = b[:creqEnd]
	s.StringToSign = b[scopeStart:]

	var kbuf [128]byte
	secret := append(append(kbuf[:0], "AWS4"...), r.Creds.SecretAccessKey...)
	k := hmacSHA256(secret, unsafeBytes(date))
	k = hmacSHA256(k[:], unsafeBytes(r.Region))
	k = hmacSHA256(k[:], unsafeBytes(r.Service))
	k = hmacSHA256(k[:], []byte("aws4_request"))
	sig := hmacSHA256(k[:], s.StringToSign)

	var ab [512]byte
	a := append(ab[:0], algorithm...)
	a = append(a, " Credential="...)
	a = append(a, r.Creds.AccessKeyID...)
	a = append(a, '/')
	a = append(a, b[credStart:credEnd]...)
	a = append(a, ", SignedHeaders="...)
	a = append(a, b[signedStart:signedEnd]...)
	a = append(a, ", Signature="...)
	sigStart := len(a)
	a = hex.AppendEncode(a, sig[:])
	s.Authorization = string(a)
	s.Signature = s.Authorization[sigStart:]
	return s
}

// hmacSHA256 is HMAC-SHA256(key, msg) (RFC 2104) over sha256.Sum256 and stack buffers, so
// signing allocates nothing for the hashing.
func hmacSHA256(key, msg []byte) [sha256.Size]byte {
	var kh [sha256.Size]byte
	if len(key) > sha256.BlockSize {
		kh = sha256.Sum256(key)
		key = kh[:]
	}
	var stack [sha256.BlockSize + 256]byte
	buf := stack[:0]
	if sha256.BlockSize+len(msg) > len(stack) {
		buf = make([]byte, 0, sha256.BlockSize+len(msg))
	}
	buf = buf[:sha256.BlockSize]
	clear(buf)
	copy(buf, key)
	for i := range buf {
		buf[i] ^= 0x36
	}
	buf = append(buf, msg...)
	inner := sha256.Sum256(buf)
	buf = buf[:sha256.BlockSize+sha256.Size]
	for i := 0; i < sha256.BlockSize; i++ {
		buf[i] ^= 0x36 ^ 0x5c
	}
	copy(buf[sha256.BlockSize:], inner[:])
	return sha256.Sum256(buf)
}

func isLower(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			return false
		}
	}
	return true
}

// appendTrimmed appends a header value with leading and trailing spaces removed and runs of
// spaces collapsed to one, as the canonical form requires.
func appendTrimmed(b []byte, v string) []byte {
	v = strings.TrimSpace(v)
	space := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ' ' || c == '\t' {
			if !space {
				b = append(b, ' ')
			}
			space = true
			continue
		}
		space = false
		b = append(b, c)
	}
	return b
}

func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

// appendURIEncode applies AWS's UriEncode: every byte but the unreserved ones becomes %XX
// (upper-case hex); '/' is kept unless encodeSlash.
func appendURIEncode(b []byte, s string, encodeSlash bool) []byte {
	const hexd = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) || (c == '/' && !encodeSlash) {
			b = append(b, c)
			continue
		}
		b = append(b, '%', hexd[c>>4], hexd[c&15])
	}
	return b
}

// URIEncode is AWS's UriEncode of one path segment or query component ('/' encoded too).
func URIEncode(s string) string { return string(appendURIEncode(nil, s, true)) }

type queryPair struct{ k, v string }

// appendCanonicalQuery sorts parameters by encoded name, then value, each component decoded
// once and re-encoded so already-escaped and raw queries canonicalise alike.
func appendCanonicalQuery(b []byte, q string) []byte {
	if q == "" {
		return b
	}
	var pairs []queryPair
	for _, part := range strings.Split(q, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		pairs = append(pairs, queryPair{
			string(appendURIEncode(nil, unescape(k), true)),
			string(appendURIEncode(nil, unescape(v), true)),
		})
	}
	for i := 1; i < len(pairs); i++ {
		for j := i; j > 0 && (pairs[j].k < pairs[j-1].k || pairs[j].k == pairs[j-1].k && pairs[j].v < pairs[j-1].v); j-- {
			pairs[j], pairs[j-1] = pairs[j-1], pairs[j]
		}
	}
	for i, p := range pairs {
		if i > 0 {
			b = append(b, '&')
		}
		b = append(b, p.k...)
		b = append(b, '=')
		b = append(b, p.v...)
	}
	return b
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// unescape decodes %XX sequences, leaving malformed ones as they are; '+' stays '+'.
func unescape(s string) string {
	if strings.IndexByte(s, '%') < 0 {
		return s
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			h, ok1 := unhex(s[i+1])
			l, ok2 := unhex(s[i+2])
			if ok1 && ok2 {
				out = append(out, h<<4|l)
				i += 2
				continue
			}
		}
		out = append(out, s[i])
	}
	return string(out)
}
