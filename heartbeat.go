package keygen

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// HeartbeatOptions tune a HeartbeatMonitor. The zero value is ready to use.
type HeartbeatOptions struct {
	// Interval is the time between pings. Zero derives it from the machine's
	// heartbeatDuration as each ping answers it: half of it, so that a failed ping leaves
	// the other half for retries before Keygen declares the machine dead.
	Interval time.Duration
	// OnPing is called after each successful ping with the machine as Keygen answered it.
	OnPing func(*Machine)
	// OnError is called with each passing failure (transport error, 5xx, 429, 409, a bad
	// signature…) before the ping is retried. Terminal failures are returned by Run instead.
	OnError func(error)
	// MaxRetryWait caps the backoff between retries of a failed ping. Zero means the ping
	// interval, so retries never come less often than pings.
	MaxRetryWait time.Duration
}

// HeartbeatMonitor keeps a machine alive by pinging it on its heartbeat interval
// (POST /v1/accounts/{account}/machines/{id}/actions/ping) until its context ends. Policies
// with requireHeartbeat declare a machine dead, and may deactivate it, when a ping is late.
type HeartbeatMonitor struct {
	c    *Client
	id   string
	opts HeartbeatOptions
}

// NewHeartbeatMonitor returns a monitor for machineID (its id or fingerprint). It does no I/O;
// bad arguments are reported by Run.
func NewHeartbeatMonitor(c *Client, machineID string, opts HeartbeatOptions) *HeartbeatMonitor {
	return &HeartbeatMonitor{c: c, id: machineID, opts: opts}
}

const (
	// defaultHeartbeatDuration is Keygen's own default (600 s), used if an answer lacks it.
	defaultHeartbeatDuration = 600 * time.Second
	minHeartbeatInterval     = time.Second
	maxHeartbeatRetryBase    = time.Second
)

// Run pings the machine (POST /v1/accounts/{account}/machines/{id}/actions/ping) at once,
// then every interval, and blocks until ctx is done (returning ctx.Err()) or a ping fails for
// good (returning that error). Failures for good are answers that a retry cannot change: 422
// MACHINE_HEARTBEAT_DEAD (the machine is dead and may not be revived: activate it again), 404
// (the machine was deactivated or culled), 401 and 403 (the credentials or their permissions
// are gone), other 4xx and local argument errors, all of them signed when the client checks
// signatures: an unsigned error answer under WithPublicKey (Error.Unverified) is never final.
// Every other failure is reported to OnError and retried with exponential backoff. Callbacks run on Run's goroutine. Run may be called
// again after it returns.
func (m *HeartbeatMonitor) Run(ctx context.Context) error {
	if ctx == nil {
		return argErr("HeartbeatMonitor.Run", "nil context")
	}
	if m == nil || m.c == nil {
		return argErr("HeartbeatMonitor.Run", "nil client")
	}
	if m.opts.Interval < 0 || m.opts.MaxRetryWait < 0 {
		return argErr("HeartbeatMonitor.Run", "negative Interval or MaxRetryWait")
	}
	path, err := pathf("/machines/%s/actions/ping", m.id)
	if err != nil {
		return err
	}
	interval := m.opts.Interval
	failures := 0
	for {
		mach, err := sendOne[Machine](ctx, m.c, &request{method: "POST", path: path})
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		var wait time.Duration
		if err != nil {
			if heartbeatTerminal(err) {
				return err
			}
			if m.opts.OnError != nil {
				m.opts.OnError(err)
			}
			failures++
			wait = m.retryWait(err, failures, interval)
		} else {
			failures = 0
			if m.opts.Interval == 0 {
				interval = heartbeatInterval(time.Duration(mach.HeartbeatDuration) * time.Second)
			}
			if m.opts.OnPing != nil {
				m.opts.OnPing(mach)
			}
			wait = interval
		}
		if err := sleepCtx(ctx, wait); err != nil {
			return err
		}
	}
}

// heartbeatInterval is half the heartbeat duration, at least a second.
func heartbeatInterval(duration time.Duration) time.Duration {
	if duration <= 0 {
		duration = defaultHeartbeatDuration
	}
	return max(duration/2, minHeartbeatInterval)
}

// retryWait backs off from min(1s, interval/8) doubling per consecutive failure, capped by
// MaxRetryWait (default: the interval); a 429's Retry-After is honoured up to that cap.
func (m *HeartbeatMonitor) retryWait(err error, failures int, interval time.Duration) time.Duration {
	if interval <= 0 {
		// No successful ping yet and no Interval given: assume Keygen's default duration.
		interval = heartbeatInterval(0)
	}
	limit := m.opts.MaxRetryWait
	if limit == 0 {
		limit = interval
	}
	d := min(maxHeartbeatRetryBase, interval/8)
	for i := 1; i < failures && d < limit; i++ {
		d *= 2
	}
	var rl *RateLimitError
	if errors.As(err, &rl) && rl.RetryAfter > d {
		d = rl.RetryAfter
	}
	return min(d, limit)
}

// heartbeatTerminal reports failures a retry cannot fix.
func heartbeatTerminal(err error) bool {
	if errors.Is(err, ErrInvalidArgument) {
		return true
	}
	var e *Error
	if !errors.As(err, &e) {
		return false // transport, signature or decoding failure: may pass
	}
	if e.Unverified {
		// An unsigned error under WithPublicKey may come from anyone on the path: a forged
		// 404 must not stop the heartbeats (and so let the machine die) for good.
		return false
	}
	switch e.StatusCode {
	case http.StatusRequestTimeout, http.StatusConflict, http.StatusTooManyRequests:
		return false // timeouts, lock contention and throttling pass
	}
	return e.StatusCode >= 400 && e.StatusCode < 500
}

// sleepCtx waits d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
