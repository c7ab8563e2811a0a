package retry

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func ctxFor(method string, idempotent bool) (context.Context, *int) {
	c := &Call{Idempotent: idempotent, MaxRetries: 3}
	return Begin(context.Background(), method, c), &c.Attempts
}

func resp(status int, header ...string) *http.Response {
	h := http.Header{}
	for i := 0; i+1 < len(header); i += 2 {
		h.Set(header[i], header[i+1])
	}
	return &http.Response{StatusCode: status, Header: h}
}

func TestCheckStatuses(t *testing.T) {
	type row struct {
		method string
		status int
		want   bool
	}
	var rows []row
	for _, m := range []string{"GET", "HEAD", "PUT", "DELETE", "OPTIONS"} {
		rows = append(rows, row{m, 500, true}, row{m, 502, true}, row{m, 503, true}, row{m, 504, true}, row{m, 501, false}, row{m, 429, true},
			row{m, 200, false}, row{m, 201, false}, row{m, 400, false}, row{m, 404, false}, row{m, 409, false}, row{m, 422, false})
	}
	for _, m := range []string{"POST", "PATCH"} {
		rows = append(rows, row{m, 500, false}, row{m, 502, false}, row{m, 503, false}, row{m, 504, false}, row{m, 501, false}, row{m, 429, true},
			row{m, 200, false}, row{m, 409, false})
	}
	for _, r := range rows {
		ctx, _ := ctxFor(r.method, true)
		got, err := Check(ctx, resp(r.status), nil)
		require.NoError(t, err)
		assert.Equal(t, r.want, got, "%s %d", r.method, r.status)
	}
	// A DELETE marked non-idempotent behaves like a POST.
	ctx, _ := ctxFor("DELETE", false)
	got, _ := Check(ctx, resp(503), nil)
	assert.False(t, got)
	got, _ = Check(ctx, resp(429), nil)
	assert.True(t, got)
	// Without state, assume the worst.
	got, _ = Check(context.Background(), resp(503), nil)
	assert.False(t, got)
	got, _ = Check(context.Background(), nil, nil)
	assert.False(t, got)
}

func urlErr(err error) error { return &url.Error{Op: "Post", URL: "https://api.keygen.sh/x", Err: err} }

func TestCheckTransportErrors(t *testing.T) {
	dial := urlErr(&net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")})
	dns := urlErr(&net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "api.keygen.sh"}})
	dnsBare := urlErr(&net.DNSError{Err: "server misbehaving", Name: "api.keygen.sh", IsTemporary: true})
	reset := urlErr(&net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")})
	eof := urlErr(errors.New("EOF"))
	cases := []struct {
		name   string
		err    error
		method string
		want   bool
	}{
		{"POST dial refused", dial, "POST", true},
		{"PATCH dial refused", dial, "PATCH", true},
		{"POST DNS failure", dns, "POST", true},
		{"POST bare DNS error", dnsBare, "POST", true},
		{"POST reset after sending", reset, "POST", false},
		{"PATCH EOF", eof, "PATCH", false},
		{"GET reset", reset, "GET", true},
		{"DELETE EOF", eof, "DELETE", true},
		{"GET bad certificate", urlErr(x509.UnknownAuthorityError{}), "GET", false},
		{"GET hostname mismatch", urlErr(x509.HostnameError{Certificate: &x509.Certificate{}, Host: "x"}), "GET", false},
		{"GET certificate verification", urlErr(&tls.CertificateVerificationError{Err: x509.CertificateInvalidError{Reason: x509.Expired}}), "GET", false},
		{"GET redirect loop", urlErr(errors.New("stopped after 10 redirects")), "GET", false},
		{"GET bad scheme", urlErr(errors.New(`unsupported protocol scheme "ftp"`)), "GET", false},
	}
	for _, tc := range cases {
		ctx, _ := ctxFor(tc.method, true)
		got, err := Check(ctx, nil, tc.err)
		assert.Equal(t, tc.want, got, tc.name)
		assert.Equal(t, tc.err, err, "%s: the transport error is passed on", tc.name)
	}
	ctx, _ := ctxFor("DELETE", false)
	got, _ := Check(ctx, nil, reset)
	assert.False(t, got, "non-idempotent DELETE after sending")
	got, _ = Check(ctx, nil, dial)
	assert.True(t, got, "non-idempotent DELETE that never connected")
}

func TestCheckStopsWhenCtxIsDone(t *testing.T) {
	ctx, cancel := context.WithCancel(Begin(context.Background(), "GET", &Call{Idempotent: true, MaxRetries: 3}))
	cancel()
	got, err := Check(ctx, resp(503), nil)
	assert.False(t, got)
	require.ErrorIs(t, err, context.Canceled)
	got, err = Check(ctx, nil, urlErr(context.Canceled))
	assert.False(t, got)
	require.ErrorIs(t, err, context.Canceled)
}

func TestCountAttempt(t *testing.T) {
	ctx, n := ctxFor("GET", true)
	req, _ := http.NewRequestWithContext(ctx, "GET", "https://api.keygen.sh", nil)
	CountAttempt(req)
	CountAttempt(req)
	assert.Equal(t, 2, *n)
	CountAttempt(httptestRequest()) // no state: nothing to count, no panic
}

func httptestRequest() *http.Request {
	r, _ := http.NewRequest("GET", "https://api.keygen.sh", nil)
	return r
}

func TestIdempotent(t *testing.T) {
	for m, want := range map[string]bool{"GET": true, "HEAD": true, "PUT": true, "DELETE": true, "OPTIONS": true, "POST": false, "PATCH": false, "get": false} {
		assert.Equal(t, want, Idempotent(m), m)
	}
}

func TestBackoffExponentialWithJitter(t *testing.T) {
	minW, maxW := 100*time.Millisecond, 10*time.Second
	for attempt, ceiling := range []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond} {
		seen := map[time.Duration]bool{}
		for range 200 {
			d := Backoff(minW, maxW, attempt, resp(503))
			assert.GreaterOrEqual(t, d, ceiling/2, "attempt %d", attempt)
			assert.LessOrEqual(t, d, ceiling, "attempt %d", attempt)
			seen[d] = true
		}
		assert.Greater(t, len(seen), 10, "attempt %d: no jitter", attempt)
	}
	for range 100 {
		d := Backoff(minW, time.Second, 40, nil)
		assert.LessOrEqual(t, d, time.Second, "capped, and no overflow at high attempts")
		assert.GreaterOrEqual(t, d, 500*time.Millisecond)
	}
	assert.Zero(t, Backoff(0, 0, 3, nil))
}

func TestBackoffHonoursRetryAfter(t *testing.T) {
	assert.Equal(t, 2*time.Second, Backoff(time.Millisecond, time.Minute, 0, resp(429, "Retry-After", "2")))
	assert.Equal(t, 2*time.Second, Backoff(time.Millisecond, time.Minute, 0, resp(503, "Retry-After", "2")))
	assert.Equal(t, 50*time.Millisecond, Backoff(time.Millisecond, 50*time.Millisecond, 0, resp(429, "Retry-After", "3600")), "capped by max")
	assert.Equal(t, time.Duration(0), Backoff(time.Millisecond, time.Minute, 0, resp(429, "Retry-After", "0")))
	// Retry-After on other statuses, or unparseable, falls back to the exponential wait.
	d := Backoff(time.Millisecond, time.Minute, 0, resp(500, "Retry-After", "30"))
	assert.LessOrEqual(t, d, time.Millisecond)
	d = Backoff(time.Millisecond, time.Minute, 0, resp(429, "Retry-After", "NaN"))
	assert.GreaterOrEqual(t, d, time.Duration(0))
	assert.LessOrEqual(t, d, time.Millisecond)
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	ok := map[string]time.Duration{
		"7":                             7 * time.Second,
		" 7 ":                           7 * time.Second,
		"0":                             0,
		"1.5":                           1500 * time.Millisecond,
		"Wed, 01 May 2024 10:00:30 GMT": 30 * time.Second,
		"Wed, 01 May 2024 09:59:00 GMT": 0, // in the past: retry now
	}
	for in, want := range ok {
		d, good := RetryAfter(in, now)
		assert.True(t, good, in)
		assert.Equal(t, want, d, in)
	}
	for _, in := range []string{"", "soon", "-1", "NaN", "nan", "Inf", "+Inf", "1e10", fmt.Sprint(math.MaxInt64), "2024-05-01T10:00:30Z"} {
		d, good := RetryAfter(in, now)
		assert.False(t, good, in)
		assert.Zero(t, d, in)
	}
}

func TestBudget(t *testing.T) {
	b := NewBudget(2)
	assert.Equal(t, 2, b.Retries())
	assert.True(t, b.take())
	assert.True(t, b.take())
	assert.False(t, b.take(), "spent")
	for range RetryCost - 1 {
		b.Success()
	}
	assert.False(t, b.take(), "four successes do not pay for a retry")
	b.Success()
	assert.True(t, b.take(), "five do")
	for range 100 {
		b.Success()
	}
	assert.Equal(t, 2, b.Retries(), "never above capacity")
	var none *Budget
	assert.True(t, none.take(), "no budget never refuses")
	none.Success()
	assert.Equal(t, -1, none.Retries())
}

// A retry refused by the budget returns the answer as it is; the last attempt's question does
// not spend the budget.
func TestCheckSpendsBudgetOnlyOnRetriesMade(t *testing.T) {
	b := NewBudget(1)
	call := &Call{Idempotent: true, Budget: b, MaxRetries: 3, Attempts: 4}
	ctx := Begin(context.Background(), "GET", call)
	retry, err := Check(ctx, &http.Response{StatusCode: 503}, nil)
	require.NoError(t, err)
	assert.True(t, retry, "retryablehttp stops by itself after the last attempt")
	assert.Equal(t, 1, b.Retries(), "nothing spent on the last attempt")
	call.Attempts = 1
	retry, _ = Check(ctx, &http.Response{StatusCode: 503}, nil)
	assert.True(t, retry)
	assert.Equal(t, 0, b.Retries())
	retry, _ = Check(ctx, &http.Response{StatusCode: 503}, nil)
	assert.False(t, retry, "budget spent")
}
