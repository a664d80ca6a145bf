package routing

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Backoff shapes the wait before a retry. The zero value means the defaults below.
type Backoff struct {
	// Base is the first retry's ceiling (default 1s, Portkey's first wait).
	Base time.Duration
	// Max caps an exponential step (default 16s, Portkey's fifth wait).
	Max time.Duration
	// MaxRetryAfter caps a provider's Retry-After, and is also the total Retry-After wait one
	// target may spend across its retries (default 60s, Portkey's MAX_RETRY_LIMIT_MS). A
	// provider asking for longer ends that target's retries, as Portkey does.
	MaxRetryAfter time.Duration
}

const (
	defaultBase          = time.Second
	defaultMax           = 16 * time.Second
	defaultMaxRetryAfter = 60 * time.Second
)

func (b Backoff) withDefaults() Backoff {
	if b.Base <= 0 {
		b.Base = defaultBase
	}
	if b.Max <= 0 {
		b.Max = defaultMax
	}
	if b.MaxRetryAfter <= 0 {
		b.MaxRetryAfter = defaultMaxRetryAfter
	}
	return b
}

// Delay is the wait before retry n (1 = first retry), with "equal jitter":
//
//	step  = min(Max, Base × 2^(n−1))
//	delay = step/2 + r × step/2,   r uniform in [0,1)
//
// so retries 1..5 wait 0.5–1 s, 1–2 s, 2–4 s, 4–8 s, 8–16 s by default: Portkey's 1, 2, 4, 8,
// 16 s as the ceiling, spread so clients that failed together do not retry together.
func (b Backoff) Delay(n int, r float64) time.Duration {
	b = b.withDefaults()
	step := b.Max
	if n < 1 {
		n = 1
	}
	if n <= 40 {
		if s := b.Base << (n - 1); s > 0 && s < b.Max {
			step = s
		}
	}
	half := step / 2
	return half + time.Duration(r*float64(step-half))
}

// retryAfterHeaders are read in this order (Portkey's POSSIBLE_RETRY_STATUS_HEADERS).
var retryAfterHeaders = [...]string{"retry-after-ms", "x-ms-retry-after-ms", "retry-after"}

// RetryAfter reads the provider's requested wait from the response headers: retry-after-ms and
// x-ms-retry-after-ms in milliseconds, retry-after in seconds or as an HTTP date (relative to
// now). ok is false when no header gives a usable value.
func RetryAfter(header func(string) string, now time.Time) (time.Duration, bool) {
	if header == nil {
		return 0, false
	}
	for i, name := range retryAfterHeaders {
		v := strings.TrimSpace(header(name))
		if v == "" {
			continue
		}
		if i < 2 {
			ms, err := strconv.ParseFloat(v, 64)
			if err != nil || ms < 0 || math.IsNaN(ms) || math.IsInf(ms, 0) || ms > 1e12 {
				continue
			}
			return time.Duration(ms * float64(time.Millisecond)), true
		}
		if secs, err := strconv.ParseFloat(v, 64); err == nil {
			if secs < 0 || math.IsNaN(secs) || math.IsInf(secs, 0) || secs > 1e9 {
				continue
			}
			return time.Duration(secs * float64(time.Second)), true
		}
		if t, ok := parseHTTPDate(v); ok {
			d := t.Sub(now)
			if d < 0 {
				d = 0
			}
			return d, true
		}
	}
	return 0, false
}

// parseHTTPDate accepts the three date forms HTTP/1.1 allows (RFC 9110 §5.6.7) without pulling
// net/http into the module.
func parseHTTPDate(v string) (time.Time, bool) {
	for _, layout := range [...]string{time.RFC1123, "Monday, 02-Jan-06 15:04:05 MST", time.ANSIC} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
