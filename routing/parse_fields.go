package routing

import (
	"math"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"
)

func str(v gjson.Result, p string) (string, error) {
	if v.Type != gjson.String {
		return "", errAt(p, "must be a string")
	}
	return v.Str, nil
}

func nonEmpty(v gjson.Result, p string) (string, error) {
	if v.Type != gjson.String || v.Str == "" {
		return "", errAt(p, "must be a non-empty string")
	}
	return v.Str, nil
}

func parseCodes(v gjson.Result, p string) ([]int, error) {
	if !v.IsArray() {
		return nil, errAt(p, "must be an array of HTTP status codes")
	}
	codes := make([]int, 0, 8)
	i := 0
	var err error
	v.ForEach(func(_, c gjson.Result) bool {
		if c.Type != gjson.Number || c.Num != math.Trunc(c.Num) || c.Num < 100 || c.Num > 599 {
			err = errAt(p+"["+strconv.Itoa(i)+"]", "must be an HTTP status code from 100 to 599")
			return false
		}
		codes = append(codes, int(c.Num))
		i++
		return true
	})
	return codes, err
}

func parseRetry(v gjson.Result, p string) (Retry, error) {
	var r Retry
	if !v.IsObject() {
		return r, errAt(p, "must be an object {\"attempts\":N}")
	}
	a := v.Get("attempts")
	if !a.Exists() {
		return r, errAt(join(p, "attempts"), "required")
	}
	if a.Type != gjson.Number || a.Num != math.Trunc(a.Num) || a.Num < 0 || a.Num > MaxRetryAttempts {
		return r, errAt(join(p, "attempts"), "must be a whole number from 0 to 5")
	}
	r.Attempts = int(a.Num)
	r.OnStatusCodes = DefaultRetryStatusCodes
	if c := v.Get("on_status_codes"); c.Exists() {
		codes, err := parseCodes(c, join(p, "on_status_codes"))
		if err != nil {
			return r, err
		}
		r.OnStatusCodes = codes
	}
	// Portkey's code reads use_retry_after_header; its newer docs spell it with an s.
	for _, key := range [...]string{"use_retry_after_header", "use_retry_after_headers"} {
		if u := v.Get(key); u.Exists() {
			switch u.Type {
			case gjson.True:
				r.UseRetryAfterHeader = true
			case gjson.False:
			default:
				return r, errAt(join(p, key), "must be true or false")
			}
		}
	}
	return r, nil
}

func parseCache(v gjson.Result, p string) (Cache, error) {
	var c Cache
	mode := v
	if v.IsObject() {
		mode = v.Get("mode")
		if !mode.Exists() {
			return c, errAt(join(p, "mode"), "required (simple or semantic)")
		}
		if m := v.Get("max_age"); m.Exists() {
			if m.Type != gjson.Number || m.Num < 0 || m.Num != math.Trunc(m.Num) {
				return c, errAt(join(p, "max_age"), "must be a whole number of seconds >= 0")
			}
			c.MaxAge = int64(m.Num)
		}
		p = join(p, "mode")
	} else if v.Type != gjson.String {
		return c, errAt(p, "must be an object {\"mode\":\"simple\"} or a mode string")
	}
	if mode.Type != gjson.String || (mode.Str != "simple" && mode.Str != "semantic") {
		return c, errAt(p, "must be simple or semantic")
	}
	c.Mode = mode.Str
	return c, nil
}

func parseForward(v gjson.Result, p string) ([]string, error) {
	if !v.IsArray() {
		return nil, errAt(p, "must be an array of header names")
	}
	out := []string{} // an own empty list beats the parent's, as in Portkey ([] is truthy)
	i := 0
	var err error
	v.ForEach(func(_, h gjson.Result) bool {
		ip := p + "[" + strconv.Itoa(i) + "]"
		i++
		if h.Type != gjson.String || h.Str == "" {
			err = errAt(ip, "must be a header name")
			return false
		}
		if strings.EqualFold(h.Str, "x-portkey-forward-headers") {
			err = errAt(ip, "must not be x-portkey-forward-headers")
			return false
		}
		out = append(out, strings.ToLower(h.Str))
		return true
	})
	return out, err
}

func parseHost(v gjson.Result, p string) (string, error) {
	if v.Type != gjson.String {
		return "", errAt(p, "must be an http(s) URL string")
	}
	if !validHTTPURL(v.Str) {
		return "", errAt(p, "must be an http(s) URL without credentials, e.g. https://llm.internal:8443/v1")
	}
	return v.Str, nil
}
