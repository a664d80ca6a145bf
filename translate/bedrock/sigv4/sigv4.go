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

// Signed is the outcome: the values of the headers to add to the request — x-amz-date,
// x-amz-content-sha256 (only with SignPayloadHeader), authorization — and, when the
// credentials have a session token, x-amz-security-token set to it.
type Signed struct {
	AmzDate       string
	ContentSHA256 string // empty unless SignPayloadHeader
	Authorization string
	Signature     string
}

const algorithm = "AWS4-HMAC-SHA256"

// Sign computes the signature. It keeps the canonical request on the stack for requests of
// ordinary size, and never retains r.
func Sign(r *Request) Signed {
	var stack [2048]byte
	var s Signed
	sign(r, stack[:0], &s)
	return s
}

// Intermediate returns the canonical request and string to sign, for tests and debugging.
func Intermediate(r *Request) (canonicalRequest, stringToSign string) {
	var s Signed
	b, creqEnd, stsStart := sign(r, nil, &s)
	return string(b[:creqEnd]), string(b[stsStart:])
}

// sign fills s and returns the buffer holding the canonical request (b[:creqEnd]) and the
// string to sign (b[stsStart:]).
func sign(r *Request, scratch []byte, s *Signed) (b []byte, creqEnd, stsStart int) {
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

	// The headers to sign: the request's own plus those the signature adds, sorted through
	// an index so the caller's strings are never copied into memory that could escape.
	var extra [3]Header
	ne := 0
	extra[ne] = Header{"x-amz-date", s.AmzDate}
	ne++
	if r.Creds.SessionToken != "" {
		extra[ne] = Header{"x-amz-security-token", r.Creds.SessionToken}
		ne++
	}
	if r.SignPayloadHeader {
		extra[ne] = Header{"x-amz-content-sha256", s.ContentSHA256}
		ne++
	}
	nh := len(r.Headers)
	var idxStack [32]int
	idx := idxStack[:0]
	if nh+ne > len(idxStack) {
		idx = make([]int, 0, nh+ne)
	}
	for i := 0; i < nh+ne; i++ {
		idx = append(idx, i)
	}
	name := func(i int) string {
		if i < nh {
			return r.Headers[i].Name
		}
		return extra[i-nh].Name
	}
	value := func(i int) string {
		if i < nh {
			return r.Headers[i].Value
		}
		return extra[i-nh].Value
	}
	// Stable insertion sort by lower-cased name: few headers, no allocation, duplicates keep
	// their order (their values are joined with commas in that order).
	for i := 1; i < len(idx); i++ {
		for j := i; j > 0 && lowerLess(name(idx[j]), name(idx[j-1])); j-- {
			idx[j], idx[j-1] = idx[j-1], idx[j]
		}
	}

	b = scratch[:0]
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
	for i := 0; i < len(idx); i++ {
		if i > 0 && lowerEqual(name(idx[i]), name(idx[i-1])) {
			b = append(b, ',')
		} else {
			if i > 0 {
				b = append(b, '\n')
			}
			b = appendLower(b, name(idx[i]))
			b = append(b, ':')
		}
		b = appendTrimmed(b, value(idx[i]))
	}
	b = append(b, '\n', '\n')
	signedStart := len(b)
	for i := 0; i < len(idx); i++ {
		if i > 0 && lowerEqual(name(idx[i]), name(idx[i-1])) {
			continue
		}
		if i > 0 {
			b = append(b, ';')
		}
		b = appendLower(b, name(idx[i]))
	}
	signedEnd := len(b)
	b = append(b, '\n')
	b = append(b, phex[:]...)
	creqEnd = len(b)
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

	var kbuf [128]byte
	secret := append(append(kbuf[:0], "AWS4"...), r.Creds.SecretAccessKey...)
	k := hmacSHA256(secret, unsafeBytes(date))
	k = hmacSHA256(k[:], unsafeBytes(r.Region))
	k = hmacSHA256(k[:], unsafeBytes(r.Service))
	k = hmacSHA256(k[:], []byte("aws4_request"))
	sig := hmacSHA256(k[:], b[scopeStart:])

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
	return b, creqEnd, scopeStart
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

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func lowerLess(a, b string) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		if x, y := lower(a[i]), lower(b[i]); x != y {
			return x < y
		}
	}
	return len(a) < len(b)
}

func lowerEqual(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lower(a[i]) != lower(b[i]) {
			return false
		}
	}
	return true
}

func appendLower(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		b = append(b, lower(s[i]))
	}
	return b
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
	for q != "" {
		part := q
		if i := strings.IndexByte(q, '&'); i >= 0 {
			part, q = q[:i], q[i+1:]
		} else {
			q = ""
		}
		if part == "" {
			continue
		}
		k, v := part, ""
		if i := strings.IndexByte(part, '='); i >= 0 {
			k, v = part[:i], part[i+1:]
		}
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
