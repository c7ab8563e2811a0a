package keygen

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fastRetry keeps retry tests quick.
func fastRetry(n int) Option {
	return WithRetry(RetryPolicy{MaxRetries: n, MinWait: time.Millisecond, MaxWait: 5 * time.Millisecond})
}

// sequence answers the i-th request with statuses[i] (the last one repeats), counting sends and
// recording the request bodies.
type sequence struct {
	statuses []int
	header   http.Header
	body     string // for error statuses
	calls    atomic.Int32
	bodies   []string
}

func (s *sequence) client(t *testing.T, opts ...Option) *Client {
	t.Helper()
	c, mt := newTestClient(t, opts...)
	mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		n := int(s.calls.Add(1))
		if req.Body != nil {
			b, _ := io.ReadAll(req.Body)
			s.bodies = append(s.bodies, string(b))
		}
		status := s.statuses[min(n, len(s.statuses))-1]
		body := s.body
		if status < 300 {
			body = productDoc("p1")
		}
		resp := jsonResponse(req, status, body)
		for k, v := range s.header {
			resp.Header[k] = v
		}
		return resp, nil
	})
	return c
}

const unavailable = `{"errors":[{"title":"Service unavailable","detail":"try later","code":"SERVICE_UNAVAILABLE"}]}`

func TestRetry429HonoursRetryAfterCappedByMaxWait(t *testing.T) {
	s := &sequence{statuses: []int{429, 200}, header: http.Header{"Retry-After": {"1"}}}
	c := s.client(t, WithRetry(RetryPolicy{MaxRetries: 2, MinWait: time.Millisecond, MaxWait: 50 * time.Millisecond}))
	start := time.Now()
	p, err := c.Products.Get(context.Background(), "p1")
	elapsed := time.Since(start)
	require.NoError(t, err)
	assert.Equal(t, "p1", p.ID)
	assert.EqualValues(t, 2, s.calls.Load())
	assert.GreaterOrEqual(t, elapsed, 50*time.Millisecond, "waited less than the capped Retry-After")
	assert.Less(t, elapsed, 500*time.Millisecond, "Retry-After was not capped by MaxWait")
}

func TestRetryRules(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		method    string
		statuses  []int
		wantCalls int
		wantErr   bool
	}{
		{"POST 500 is sent once", "POST", []int{500, 200}, 1, true},
		{"POST 503 is sent once", "POST", []int{503, 200}, 1, true},
		{"PATCH 503 is sent once", "PATCH", []int{503, 200}, 1, true},
		{"PATCH 502 is sent once", "PATCH", []int{502, 200}, 1, true},
		{"GET 503 twice then 200", "GET", []int{503, 503, 200}, 3, false},
		{"PUT 500 then 200", "PUT", []int{500, 200}, 2, false},
		{"DELETE 502 then 200", "DELETE", []int{502, 200}, 2, false},
		{"GET 501 is not retried", "GET", []int{501, 200}, 1, true},
		{"GET 404 is not retried", "GET", []int{404, 200}, 1, true},
		{"GET 409 is not retried", "GET", []int{409, 200}, 1, true},
		{"POST 429 is retried: nothing was done", "POST", []int{429, 200}, 2, false},
		{"PATCH 429 is retried", "PATCH", []int{429, 429, 200}, 3, false},
		{"GET 503 gives up after MaxRetries", "GET", []int{503}, 4, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := &sequence{statuses: tc.statuses, body: unavailable}
			c := s.client(t, fastRetry(3))
			var body any
			if tc.method == "POST" || tc.method == "PATCH" || tc.method == "PUT" {
				body = map[string]any{"data": map[string]any{"type": "products", "attributes": map[string]any{"name": "x"}}}
			}
			_, err := c.send(context.Background(), &request{method: tc.method, path: "/products/p1", body: body})
			assert.EqualValues(t, tc.wantCalls, s.calls.Load(), "sends")
			if tc.wantErr {
				var e *Error
				require.ErrorAs(t, err, &e)
				assert.Equal(t, tc.wantCalls, e.Attempts, "Attempts counts the sends")
			} else {
				require.NoError(t, err)
			}
			if body != nil {
				for _, b := range s.bodies {
					assert.Equal(t, s.bodies[0], b, "a retried request sends the same body")
				}
				assert.NotEmpty(t, s.bodies[0])
			}
		})
	}
}

func TestNonIdempotentDeleteIsNotRetried(t *testing.T) {
	t.Parallel()
	// Popping a pooled key is a DELETE whose repetition would lose a key.
	s := &sequence{statuses: []int{503, 200}, body: unavailable}
	c := s.client(t, fastRetry(3))
	_, err := c.send(context.Background(), &request{method: "DELETE", path: "/policies/p/pool", nonIdempotent: true})
	require.Error(t, err)
	assert.EqualValues(t, 1, s.calls.Load())

	// It is still retried on 429, which Keygen answers before doing anything.
	s = &sequence{statuses: []int{429, 200}}
	c = s.client(t, fastRetry(3))
	_, err = c.send(context.Background(), &request{method: "DELETE", path: "/policies/p/pool", nonIdempotent: true})
	require.NoError(t, err)
	assert.EqualValues(t, 2, s.calls.Load())
}

func TestLastErrorKeepsTheAPIBodyAndAttempts(t *testing.T) {
	t.Parallel()
	s := &sequence{statuses: []int{503}, body: unavailable}
	c := s.client(t, fastRetry(2))
	_, err := c.Products.Get(context.Background(), "p1")
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 503, e.StatusCode)
	assert.Equal(t, 3, e.Attempts)
	assert.True(t, e.HasCode("SERVICE_UNAVAILABLE"))
	assert.Equal(t, "try later", e.Errors[0].Detail)
	assert.Contains(t, err.Error(), "after 3 attempts")

	s = &sequence{statuses: []int{429}, body: `{"errors":[{"title":"Too many requests","code":"TOO_MANY_REQUESTS"}]}`, header: http.Header{"Retry-After": {"0"}}}
	c = s.client(t, fastRetry(1))
	_, err = c.Products.Create(context.Background(), ProductCreateOptions{Name: "x"})
	var rl *RateLimitError
	require.ErrorAs(t, err, &rl)
	assert.Equal(t, 2, rl.APIError.Attempts)
	assert.True(t, rl.HasCode(CodeTooManyRequests))
	assert.EqualValues(t, 2, s.calls.Load())
}

func TestWithoutRetriesSendsOnce(t *testing.T) {
	t.Parallel()
	for _, status := range []int{429, 500, 503} {
		s := &sequence{statuses: []int{status, 200}, header: http.Header{"Retry-After": {"0"}}}
		c := s.client(t, fastRetry(3), WithoutRetries())
		_, err := c.Products.Get(context.Background(), "p1")
		require.Error(t, err)
		assert.EqualValues(t, 1, s.calls.Load(), "status %d", status)
	}
}

// closedPort returns the address of a loopback port that refuses connections.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

func TestPostWhoseDialFailsIsRetried(t *testing.T) {
	addr := closedPort(t)
	hc := &http.Client{Transport: &http.Transport{}}
	c, err := NewClient(testAccount, WithBaseURL("http://"+addr), WithToken(testToken), WithHTTPClient(hc), fastRetry(2))
	require.NoError(t, err)
	_, err = c.Products.Create(context.Background(), ProductCreateOptions{Name: "x"})
	var te *TransportError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, 3, te.Attempts, "a refused connection never reached the server: safe to resend")
	assert.Equal(t, "POST", te.Method)
	var op *net.OpError
	require.ErrorAs(t, err, &op)
	assert.Equal(t, "dial", op.Op)
	assert.Contains(t, err.Error(), "after 3 attempts")
}

func TestBrokenConnectionAfterSending(t *testing.T) {
	t.Parallel()
	// A non-dial transport error: the request may have reached the server.
	broken := &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}
	for method, want := range map[string]int{"POST": 1, "PATCH": 1, "GET": 3, "PUT": 3, "DELETE": 3} {
		var calls atomic.Int32
		hc := &http.Client{Transport: roundTripFunc(func(req *http.Request) (*http.Response, error) {
			calls.Add(1)
			if req.Body != nil {
				_, _ = io.ReadAll(req.Body) // it was sent
			}
			return nil, broken
		})}
		c, _ := newTestClient(t, WithHTTPClient(hc), fastRetry(2))
		var body any
		if method != "GET" && method != "DELETE" {
			body = map[string]any{"data": nil}
		}
		_, err := c.send(context.Background(), &request{method: method, path: "/products/p1", body: body})
		var te *TransportError
		require.ErrorAs(t, err, &te, method)
		assert.EqualValues(t, want, calls.Load(), method)
		assert.Equal(t, want, te.Attempts, method)
		require.ErrorIs(t, err, broken)
	}
}

func TestCancelDuringRetryAfterWait(t *testing.T) {
	s := &sequence{statuses: []int{429, 200}, header: http.Header{"Retry-After": {"30"}}}
	c := s.client(t, WithRetry(RetryPolicy{MaxRetries: 3, MinWait: time.Millisecond, MaxWait: time.Minute}))
	ctx, cancel := context.WithCancel(context.Background())
	cancelled := make(chan time.Time, 1)
	time.AfterFunc(30*time.Millisecond, func() { cancelled <- time.Now(); cancel() })
	_, err := c.Products.Get(ctx, "p1")
	returned := time.Now()
	require.ErrorIs(t, err, context.Canceled)
	assert.Less(t, returned.Sub(<-cancelled), 100*time.Millisecond, "the wait did not end with ctx")
	assert.EqualValues(t, 1, s.calls.Load())
	var e *Error
	assert.False(t, errors.As(err, &e))
}

func TestDeadlineDuringBackoff(t *testing.T) {
	s := &sequence{statuses: []int{503}, body: unavailable}
	c := s.client(t, WithRetry(RetryPolicy{MaxRetries: 5, MinWait: time.Second, MaxWait: time.Second}))
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Products.Get(ctx, "p1")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 200*time.Millisecond)
}

func TestCancelledContextSendsNothing(t *testing.T) {
	t.Parallel()
	s := &sequence{statuses: []int{200}}
	c := s.client(t, fastRetry(3))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Products.Get(ctx, "p1")
	require.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, s.calls.Load())
}

func TestDefaultRetryPolicy(t *testing.T) {
	t.Parallel()
	p := DefaultRetryPolicy()
	assert.Equal(t, RetryPolicy{MaxRetries: 3, MinWait: 500 * time.Millisecond, MaxWait: 30 * time.Second, Budget: 20}, p)
	c, err := NewClient("acme")
	require.NoError(t, err)
	assert.Equal(t, p, c.cfg.retry)
	assert.Nil(t, c.http.Logger, "retryablehttp's default logger prints URLs")
	assert.Equal(t, 20, c.budget.Retries())
	assert.Equal(t, DefaultCallTimeout, c.cfg.callTimeout)
	assert.Equal(t, DefaultAttemptTimeout, c.cfg.httpClient.Timeout)
	tr, ok := c.cfg.httpClient.Transport.(*http.Transport)
	require.True(t, ok, "the default client has a pool of its own, not http.DefaultTransport")
	assert.NotSame(t, http.DefaultTransport, tr)
	assert.GreaterOrEqual(t, tr.MaxIdleConnsPerHost, 64)
	c, err = NewClient("acme", WithoutRetries())
	require.NoError(t, err)
	assert.Zero(t, c.http.RetryMax)
	assert.Nil(t, c.budget)
	c, err = NewClient("acme", WithHTTPClient(&http.Client{}))
	require.NoError(t, err)
	assert.Zero(t, c.cfg.callTimeout, "a caller's own client has no call bound unless asked")
	c, err = NewClient("acme", WithTimeout(0))
	require.NoError(t, err)
	assert.Negative(t, c.cfg.callTimeout, "explicitly none")
	_, err = NewClient("acme", WithTimeout(-time.Second))
	require.ErrorIs(t, err, ErrInvalidArgument)
}

// A policy that names only the retry count keeps the default waits: a 429 is not retried
// with no pause at all.
func TestWithRetryZeroWaitsTakeDefaults(t *testing.T) {
	t.Parallel()
	c, err := NewClient("acme", WithRetry(RetryPolicy{MaxRetries: 2}))
	require.NoError(t, err)
	assert.Equal(t, 500*time.Millisecond, c.cfg.retry.MinWait)
	assert.Equal(t, 30*time.Second, c.cfg.retry.MaxWait)

	c, err = NewClient("acme", WithRetry(RetryPolicy{MaxRetries: 2, MaxWait: 10 * time.Millisecond}))
	require.NoError(t, err)
	assert.Equal(t, 10*time.Millisecond, c.cfg.retry.MinWait, "MinWait never exceeds a given MaxWait")
	assert.Equal(t, 10*time.Millisecond, c.cfg.retry.MaxWait)
}
