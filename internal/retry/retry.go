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
	"sync"
	"time"
)

type callKey struct{}

// Call is one API call's state as the retry machinery sees it. It travels in the request's
// context: go-retryablehttp's CheckRetry sees no request when the transport failed, and we
// must know whether the request may be repeated to decide. One value per call, filled in by
// the caller: Attempts and Body are written as the call goes.
type Call struct {
	// Idempotent says the request may be repeated once it reached the server: the method's
	// own idempotence, and not a DELETE that pops a pooled key (see Begin).
	Idempotent bool
	// Budget is the client's retry budget (nil: none) and MaxRetries the policy's retry
	// count, so that the budget pays only for retries really made.
	Budget     *Budget
	MaxRetries int
	// Attempts counts the attempts made so far.
	Attempts int
	// Body is the body Transport read last: the final answer's once the call is over.
	Body *Body
}

// Begin returns ctx carrying c, with c.Idempotent ANDed with the method's own idempotence.
func Begin(ctx context.Context, method string, c *Call) context.Context {
	c.Idempotent = c.Idempotent && Idempotent(method)
	return context.WithValue(ctx, callKey{}, c)
}

func callOf(ctx context.Context) *Call {
	c, _ := ctx.Value(callKey{}).(*Call)
	return c
}

// CountAttempt is the RequestLogHook: it runs once before every attempt.
func CountAttempt(req *http.Request) {
	if c := callOf(req.Context()); c != nil {
		c.Attempts++
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
//
// A retry that Check would make is paid for from the client's Budget; once it is spent the
// answer or error is returned as it is.
func Check(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	// Without state (not one of our requests) assume the worst: not idempotent.
	s := callOf(ctx)
	if s == nil {
		s = &Call{}
	}
	retry := false
	switch {
	case err != nil:
		if !retryableTransportError(err) {
			return false, err
		}
		retry = s.Idempotent || neverSent(err)
	case resp == nil:
	case resp.StatusCode == http.StatusTooManyRequests:
		retry = true
	case resp.StatusCode == http.StatusNotImplemented:
	case resp.StatusCode >= 500:
		retry = s.Idempotent
	}
	// go-retryablehttp asks after the last attempt too; only a retry that will be made pays.
	if retry && s.Attempts <= s.MaxRetries && !s.Budget.take() {
		retry = false
	}
	return retry, err
}

// Budget is a client-wide retry quota, after the standard retry mode of aws-sdk-go-v2: every
// retry spends tokens, every call that succeeds earns one back. In an outage the quota runs
// out after a few calls, and from then on each call is sent once, so a client does not
// multiply the load on a server that is already down by its retry count. It refills as soon
// as calls succeed again. A nil *Budget never refuses. Safe for concurrent use.
type Budget struct {
	mu       sync.Mutex
	tokens   int
	capacity int
}

// Token costs: a retry spends RetryCost tokens; a success earns SuccessRefill.
const (
	RetryCost     = 5
	SuccessRefill = 1
)

// NewBudget returns a full budget allowing retries retries in a row with no success.
func NewBudget(retries int) *Budget {
	return &Budget{tokens: retries * RetryCost, capacity: retries * RetryCost}
}

func (b *Budget) take() bool {
	if b == nil {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.tokens < RetryCost {
		return false
	}
	b.tokens -= RetryCost
	return true
}

// Success records a call that got an answer it could use.
func (b *Budget) Success() {
	if b == nil {
		return
	}
	b.mu.Lock()
	b.tokens = min(b.tokens+SuccessRefill, b.capacity)
	b.mu.Unlock()
}

// Retries reports how many retries the budget allows now.
func (b *Budget) Retries() int {
	if b == nil {
		return -1
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.tokens / RetryCost
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
