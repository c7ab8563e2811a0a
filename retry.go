package keygen

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/licensekit/keygen/internal/retry"
)

// RetryPolicy says how often and how long the client retries. Whatever the policy, POST and
// PATCH (and the few DELETEs that are not idempotent, like popping a key from a policy's
// pool) are never repeated once they may have reached the server (a retry could create a
// second license); they are retried only on 429, when Keygen refused them unprocessed, and
// when the connection could not even be made.
type RetryPolicy struct {
	// MaxRetries is the number of retries after the first attempt (0 = no retries).
	MaxRetries int
	// MinWait is the first backoff; each retry doubles it, with jitter. Zero takes the
	// default (500ms).
	MinWait time.Duration
	// MaxWait caps every wait, Retry-After included. Zero takes the default (30s), so that
	// RetryPolicy{MaxRetries: 5} does not hammer a rate-limited server with no pause.
	MaxWait time.Duration
	// Budget is the client-wide retry quota: how many retries the client (all its calls
	// together) may make in a row without a success; each call that succeeds earns a fifth
	// of a retry back. In an outage the quota is spent after a few calls and every later
	// call is sent once, so retries cannot multiply the load on a server that is already
	// down (the idea of aws-sdk-go-v2's standard retry mode). Zero takes the default (20).
	Budget int
}

// DefaultRetryPolicy retries 3 times, waiting from 500ms up to 30s, within a client-wide
// budget of 20 retries in a row without a success.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxRetries: 3, MinWait: 500 * time.Millisecond, MaxWait: 30 * time.Second, Budget: defaultRetryBudget}
}

const defaultRetryBudget = 20

// WithRetry sets the retry policy; zero waits take the defaults.
func WithRetry(p RetryPolicy) Option {
	return func(c *config) error {
		if p.MaxRetries < 0 || p.MinWait < 0 || p.MaxWait < 0 || p.Budget < 0 {
			return errors.New("WithRetry: negative value")
		}
		def := DefaultRetryPolicy()
		if p.Budget == 0 {
			p.Budget = def.Budget
		}
		if p.MaxWait == 0 {
			p.MaxWait = max(def.MaxWait, p.MinWait)
		}
		if p.MinWait == 0 {
			p.MinWait = min(def.MinWait, p.MaxWait)
		}
		if p.MaxWait < p.MinWait {
			return errors.New("WithRetry: MaxWait is below MinWait")
		}
		c.retry = p
		return nil
	}
}

// WithoutRetries sends every request exactly once.
func WithoutRetries() Option {
	return func(c *config) error {
		c.retry = RetryPolicy{}
		return nil
	}
}

// newRetryClient configures go-retryablehttp explicitly: no logger (it would print URLs with
// license keys in them), our own CheckRetry and Backoff, and an error handler that hands back
// the last answer so its error document reaches the caller. It sends through a copy of hc
// whose transport reads each body within its attempt (so a cut body is retried) and never
// lets go-retryablehttp close the idle connections of a transport that is not ours.
func newRetryClient(hc *http.Client, p RetryPolicy) *retryablehttp.Client {
	inner := *hc
	inner.Transport = &retry.Transport{Base: hc.Transport, Limit: bodyLimit}
	inner.CheckRedirect = checkRedirect(hc.CheckRedirect)
	return &retryablehttp.Client{
		HTTPClient:   &inner,
		Logger:       nil,
		RetryWaitMin: p.MinWait,
		RetryWaitMax: p.MaxWait,
		RetryMax:     p.MaxRetries,
		CheckRetry:   retry.Check,
		Backoff:      retry.Backoff,
		RequestLogHook: func(_ retryablehttp.Logger, req *http.Request, _ int) {
			retry.CountAttempt(req)
		},
		ErrorHandler: func(resp *http.Response, err error, _ int) (*http.Response, error) {
			if resp != nil && (err == nil || !isContextErr(err)) {
				return resp, nil
			}
			if resp != nil {
				resp.Body.Close()
			}
			return nil, err
		},
	}
}

// bodyLimit bounds how much of an answer is read: Keygen documents are small, error pages
// smaller still.
func bodyLimit(status int) int64 {
	if status >= 300 {
		return maxErrorBodySize
	}
	return maxBodySize
}

// Default timeouts, for a client made without WithHTTPClient or WithTimeout.
const (
	// DefaultAttemptTimeout bounds one attempt (connect, send, wait, read).
	DefaultAttemptTimeout = 10 * time.Second
	// DefaultCallTimeout bounds a whole call, retries and waits included, when its context
	// has no deadline of its own.
	DefaultCallTimeout = 30 * time.Second
)

// newTransport is the client's own connection pool: sized for many goroutines calling at
// once (http.DefaultTransport keeps 2 idle connections per host, so a busy client would open
// a new connection for most calls), with HTTP/2 when the server offers it.
func newTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 256
	t.MaxIdleConnsPerHost = 128
	t.IdleConnTimeout = 90 * time.Second
	t.ResponseHeaderTimeout = DefaultAttemptTimeout
	return t
}

// beginCall starts the retry state of one call of r.
func (c *Client) beginCall(ctx context.Context, r *request) (context.Context, *retry.Call) {
	call := &retry.Call{Idempotent: !r.nonIdempotent, Budget: c.budget, MaxRetries: c.cfg.retry.MaxRetries}
	return retry.Begin(ctx, r.method, call), call
}

func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
