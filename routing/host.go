package routing

import "strings"

// validHTTPURL accepts an http(s) base URL for custom_host. It replaces net/url, which cost the
// wasm module ~170 KB (net/url with net/netip and unique) for this one check. It is never laxer
// than the url.Parse check it replaced (FuzzValidHTTPURL holds it to that): scheme http or https
// in any case, then "//", a host that is a DNS name, IPv4 address or bracketed IPv6 address with
// an optional numeric port, no user info, no spaces or control bytes, and well-formed %-escapes
// in the path and fragment. Exotic hosts url.Parse tolerated (percent-escaped or non-ASCII
// names, an empty host with a port, IPv6 zones) are refused: translate.SplitURL refuses them at
// request time anyway.
func validHTTPURL(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c == 0x7f || c == '@' {
			return false
		}
	}
	i := strings.Index(s, "://")
	if i < 0 || !(strings.EqualFold(s[:i], "http") || strings.EqualFold(s[:i], "https")) {
		return false
	}
	rest, frag, _ := strings.Cut(s[i+3:], "#")
	if !validEscapes(frag) {
		return false
	}
	rest, _, _ = strings.Cut(rest, "?") // url.Parse does not check the query
	authority, path := rest, ""
	if j := strings.IndexByte(rest, '/'); j >= 0 {
		authority, path = rest[:j], rest[j:]
	}
	return validEscapes(path) && validHostPort(authority)
}

// validEscapes: every '%' starts a two-hex-digit escape.
func validEscapes(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '%' {
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return false
			}
			i += 2
		}
	}
	return true
}

func validHostPort(a string) bool {
	host, port := a, ""
	if strings.HasPrefix(a, "[") {
		j := strings.IndexByte(a, ']')
		if j < 0 || !validIPv6(a[1:j]) {
			return false
		}
		host, port = "", a[j+1:]
	} else {
		if j := strings.IndexByte(a, ':'); j >= 0 {
			host, port = a[:j], a[j:]
		}
		if host == "" {
			return false
		}
		for i := 0; i < len(host); i++ {
			c := host[i]
			if !(isAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
				return false
			}
		}
	}
	if port == "" {
		return true
	}
	if port[0] != ':' {
		return false
	}
	for i := 1; i < len(port); i++ {
		if port[i] < '0' || port[i] > '9' {
			return false
		}
	}
	return true
}

// validIPv6 accepts the textual IPv6 forms (RFC 4291 §2.2, no zone): eight hex groups, or fewer
// with one "::", the last 32 bits optionally written as dotted IPv4.
func validIPv6(s string) bool {
	if s == "" {
		return false
	}
	groups, compressed, afterGroup := 0, false, false
	for i := 0; i < len(s); {
		if s[i] == ':' {
			if i+1 < len(s) && s[i+1] == ':' {
				if compressed {
					return false
				}
				compressed, afterGroup = true, false
				i += 2
				continue
			}
			// A single colon separates two groups.
			if !afterGroup || i+1 == len(s) {
				return false
			}
			afterGroup = false
			i++
			continue
		}
		if afterGroup {
			return false
		}
		j := i
		for j < len(s) && j-i < 5 && isHex(s[j]) {
			j++
		}
		if j < len(s) && s[j] == '.' {
			if !validIPv4(s[i:]) {
				return false
			}
			groups += 2
			break
		}
		if j == i || j-i > 4 {
			return false
		}
		groups++
		afterGroup = true
		i = j
	}
	if compressed {
		return groups <= 7
	}
	return groups == 8
}

func validIPv4(s string) bool {
	parts := 0
	for s != "" {
		j := 0
		for j < len(s) && j < 4 && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == 0 || j > 3 || (j > 1 && s[0] == '0') {
			return false
		}
		n := 0
		for k := 0; k < j; k++ {
			n = n*10 + int(s[k]-'0')
		}
		if n > 255 {
			return false
		}
		parts++
		s = s[j:]
		if s == "" {
			break
		}
		if s[0] != '.' || len(s) == 1 {
			return false
		}
		s = s[1:]
	}
	return parts == 4
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
