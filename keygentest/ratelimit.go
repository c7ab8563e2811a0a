package keygentest

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Request throttling (config/initializers/rack_attack.rb), after Keygen's Rack::Attack generic
// throttle (req/ip/1s, req/ip/1m): with WithRateLimit(n, window), each (account in the path,
// client IP, SHA-256 of the credential) may make n requests per window. Windows are fixed and
// aligned on the server clock's epoch seconds, like Rack::Attack's periods, so Server.Advance
// past a window's end starts a fresh one. Off by default.

type limiter struct {
	limit  int
	period int64  // seconds
	name   string // X-RateLimit-Window, e.g. "1m"

	mu     sync.Mutex
	counts map[string]*bucket
}

type bucket struct {
	window int64 // epoch / period
	count  int
}

func newLimiter(n int, window time.Duration) *limiter {
	if n <= 0 || window <= 0 {
		return nil
	}
	period := int64(window / time.Second)
	if period < 1 {
		period = 1
	}
	return &limiter{limit: n, period: period, name: windowName(period), counts: map[string]*bucket{}}
}

// windowName renders a period the way Keygen names its throttles' windows ("1s", "1m").
func windowName(sec int64) string {
	switch {
	case sec%3600 == 0:
		return strconv.FormatInt(sec/3600, 10) + "h"
	case sec%60 == 0:
		return strconv.FormatInt(sec/60, 10) + "m"
	}
	return strconv.FormatInt(sec, 10) + "s"
}

// throttle runs first in dispatch, like Rack::Attack, before routing and the account. It
// counts the request; past the limit it returns a rack-level 429 (no meta, unsigned) with
// Retry-After and the X-RateLimit-* headers. Answers that pass carry the X-RateLimit-*
// headers too (set on c.header, so only controller answers show them, as in Keygen).
func (s *Server) throttle(c *call) *apiError {
	l := s.limiter
	if l == nil {
		return nil
	}
	now := s.clock.now().Unix()
	window := now / l.period
	key := throttleKey(c.r)

	l.mu.Lock()
	b := l.counts[key]
	if b == nil || b.window != window {
		if len(l.counts) > 10000 {
			for k, x := range l.counts {
				if x.window != window {
					delete(l.counts, k)
				}
			}
		}
		b = &bucket{window: window}
		l.counts[key] = b
	}
	b.count++
	count := b.count
	l.mu.Unlock()

	reset := now + (l.period - now%l.period)
	h := http.Header{}
	h.Set("X-RateLimit-Window", l.name)
	h.Set("X-RateLimit-Count", strconv.Itoa(count))
	h.Set("X-RateLimit-Limit", strconv.Itoa(l.limit))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(reset, 10))
	if count <= l.limit {
		h.Set("X-RateLimit-Remaining", strconv.Itoa(l.limit-count))
		for k, v := range h {
			c.header[k] = v
		}
		return nil
	}
	h.Set("X-RateLimit-Remaining", "0")
	h.Set("Retry-After", strconv.FormatInt(l.period-now%l.period, 10))
	e := rackError(http.StatusTooManyRequests,
		"Throttle limit has been reached for your IP address. Please slow down. See https://keygen.sh/docs/api/rate-limiting/ for more info.",
		"TOO_MANY_REQUESTS")
	e.header = h
	return e
}

// throttleKey is Rack::Attack's discriminator: "<account>/<ip>/<sha256(credential)>", the
// account being the path segment as sent (slug or id), the credential a Bearer/Token/
// License value, a Basic password for license:/token: users or else the Basic user, or
// the token/auth query parameter.
func throttleKey(r *http.Request) string {
	ip := r.RemoteAddr
	if h, _, err := net.SplitHostPort(ip); err == nil {
		ip = h
	}
	sum := sha256.Sum256([]byte(requestCredential(r)))
	key := ip + "/" + hex.EncodeToString(sum[:])
	if acct, _, ok := splitAccountPath(r.URL.EscapedPath()); ok {
		key = acct + "/" + key
	}
	return key
}

func requestCredential(r *http.Request) string {
	scheme, value, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	userPass := func(s string) string {
		user, pass, _ := strings.Cut(s, ":")
		switch user {
		case "license", "token":
			return pass
		}
		return user
	}
	switch strings.ToLower(scheme) {
	case "license", "bearer", "token":
		return value
	case "basic":
		dec, _ := base64.StdEncoding.DecodeString(strings.TrimSpace(value))
		return userPass(string(dec))
	}
	q := r.URL.Query()
	v := q.Get("token")
	if v == "" {
		v = q.Get("auth")
	}
	return userPass(v)
}
