// Package retry holds the SDK's retry decisions for go-retryablehttp: which answers to retry
// and how long to wait. The library's own defaults are never used: its policy retries POST on
// 5xx (a second license could be created) and ignores Retry-After on most statuses.
package retry

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

type stateKey struct{}

// state travels in the request's context: retryablehttp's CheckRetry sees no request when the
// transport failed, and we must know whether the request may be repeated to decide.
type state struct {
	idempotent bool
	attempts   *int
}

// WithState records the method, whether the request may be repeated once it reached the
// server (idempotent is ANDed with the method's own idempotence: a DELETE that pops a pooled
// key is not), and an attempt counter for one call.
func WithState(ctx context.Context, method string, idempotent bool, attempts *int) context.Context {
	return context.WithValue(ctx, stateKey{}, state{idempotent: idempotent && Idempotent(method), attempts: attempts})
}

// CountAttempt is the RequestLogHook: it runs once before every attempt.
func CountAttempt(req *http.Request) {
	if s, ok := req.Context().Value(stateKey{}).(state); ok && s.attempts != nil {
		*s.attempts++
	}
}

// Idempotent reports methods that may be repeated after reaching the server.
func Idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions:
		return true
	}
	return false
}

// Check decides whether to send the request again.
//   - ctx done: stop at once.
//   - 429: retry for every method; the server refused before doing anything.
//   - other 5xx (not 501): retry idempotent methods only.
//   - transport error: retry idempotent methods; for POST/PATCH only when the connection was
//     never made (dial errors), since then the server cannot have acted on it.
func Check(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	// Without state (not one of our requests) assume the worst: not idempotent.
	idempotent := false
	if s, ok := ctx.Value(stateKey{}).(state); ok {
		idempotent = s.idempotent
	}
	if err != nil {
		if !retryableTransportError(err) {
			return false, err
		}
		return idempotent || neverSent(err), err
	}
	if resp == nil {
		return false, nil
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return true, nil
	case resp.StatusCode == http.StatusNotImplemented:
		return false, nil
	case resp.StatusCode >= 500:
		return idempotent, nil
	}
	return false, nil
}

func retryableTransportError(err error) bool {
	// Certificate problems do not heal by retrying.
	var unknownCA x509.UnknownAuthorityError
	var badHost x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	if errors.As(err, &unknownCA) || errors.As(err, &badHost) || errors.As(err, &invalid) || errors.As(err, &verify) {
		return false
	}
	// Nor do redirect loops and bad schemes, which net/http reports as plain strings.
	msg := err.Error()
	for _, s := range []string{"stopped after", "unsupported protocol scheme", "x509: "} {
		if strings.Contains(msg, s) {
			return false
		}
	}
	return true
}

func neverSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}

// Backoff waits as the server asked (Retry-After on 429/503, capped by max) or else
// exponentially from min, with full jitter in the upper half, capped by max.
func Backoff(min, max time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if d, ok := RetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			if d > max {
				d = max
			}
			return d
		}
	}
	if min <= 0 {
		return 0
	}
	d := min
	for i := 0; i < attempt && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	half := d / 2
	return half + time.Duration(rand.Int64N(int64(half)+1))
}

// RetryAfter parses a Retry-After header: seconds, or an HTTP date.
func RetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if !(s >= 0 && s <= 1e9) { // also refuses NaN, which would convert to a negative wait
			return 0, false
		}
		return time.Duration(s * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}
