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
}

// DefaultRetryPolicy retries 3 times, waiting from 500ms up to 30s.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxRetries: 3, MinWait: 500 * time.Millisecond, MaxWait: 30 * time.Second}
}

// WithRetry sets the retry policy; zero waits take the defaults.
func WithRetry(p RetryPolicy) Option {
	return func(c *config) error {
		if p.MaxRetries < 0 || p.MinWait < 0 || p.MaxWait < 0 {
			return errors.New("WithRetry: negative value")
		}
		def := DefaultRetryPolicy()
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
// the last answer so its error document reaches the caller.
func newRetryClient(hc *http.Client, p RetryPolicy) *retryablehttp.Client {
	return &retryablehttp.Client{
		HTTPClient:   hc,
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

func withRetryState(ctx context.Context, method string, idempotent bool, attempts *int) context.Context {
	return retry.WithState(ctx, method, idempotent, attempts)
}

func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
