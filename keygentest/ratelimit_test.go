package keygentest

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Request throttling (ratelimit.go, config/initializers/rack_attack.rb).

// TestRateLimit pins config/initializers/rack_attack.rb: with WithRateLimit, each (account, IP,
// credential) gets n requests per window; then a rack-level 429 with Retry-After and
// X-RateLimit-*; windows follow the server clock.
func TestRateLimit(t *testing.T) {
	t.Parallel()
	// The clock starts on a minute boundary, so the test has ~60 s before the window rolls.
	start := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	tt := newWorld(t, WithRateLimit(3, time.Minute), WithStartTime(start))
	reset := strconv.FormatInt(start.Add(time.Minute).Unix(), 10)

	for i := 1; i <= 3; i++ {
		r := tt.get("/products")
		require.Equal(t, 200, r.status, "request %d", i)
		t.Run("passing answers carry X-RateLimit-* #"+strconv.Itoa(i), func(t *testing.T) {
			assert.Equal(t, "1m", r.header.Get("X-RateLimit-Window"))
			assert.Equal(t, strconv.Itoa(i), r.header.Get("X-RateLimit-Count"))
			assert.Equal(t, "3", r.header.Get("X-RateLimit-Limit"))
			assert.Equal(t, strconv.Itoa(3-i), r.header.Get("X-RateLimit-Remaining"))
			assert.Equal(t, reset, r.header.Get("X-RateLimit-Reset"))
		})
	}

	r := tt.get("/products")
	t.Run("past the limit: 429 body", func(t *testing.T) {
		require.Equal(t, 429, r.status)
		assert.JSONEq(t, `{"errors":[{"title":"Too many requests","detail":"Throttle limit has been reached for your IP address. Please slow down. See https://keygen.sh/docs/api/rate-limiting/ for more info.","code":"TOO_MANY_REQUESTS"}]}`, string(r.body))
		assert.Equal(t, "application/vnd.api+json; charset=utf-8", r.header.Get("Content-Type"))
	})
	t.Run("429 headers", func(t *testing.T) {
		assert.Equal(t, "1m", r.header.Get("X-RateLimit-Window"))
		assert.Equal(t, "4", r.header.Get("X-RateLimit-Count"))
		assert.Equal(t, "3", r.header.Get("X-RateLimit-Limit"))
		assert.Equal(t, "0", r.header.Get("X-RateLimit-Remaining"))
		assert.Equal(t, reset, r.header.Get("X-RateLimit-Reset"))
		ra, err := strconv.Atoi(r.header.Get("Retry-After"))
		require.NoError(t, err)
		assert.True(t, ra >= 1 && ra <= 60, "Retry-After %d", ra)
	})
	t.Run("429 is rack-level: no meta, unsigned", func(t *testing.T) {
		assert.NotContains(t, r.doc, "meta")
		assert.Empty(t, r.header.Get("Keygen-Signature"))
		assert.Empty(t, r.header.Get("Digest"))
	})
	t.Run("another credential has its own count", func(t *testing.T) {
		o := tt.do(req{method: "GET", path: "/products", auth: "-"})
		assert.Equal(t, 401, o.status)
		assert.Equal(t, "1", o.header.Get("X-RateLimit-Count"))
	})
	t.Run("the window resets with the server clock", func(t *testing.T) {
		tt.srv.Advance(time.Minute)
		r := tt.get("/products")
		require.Equal(t, 200, r.status)
		assert.Equal(t, "1", r.header.Get("X-RateLimit-Count"))
		assert.Equal(t, "2", r.header.Get("X-RateLimit-Remaining"))
	})
}

// TestRateLimitOff pins that throttling is off by default (as on a self-hosted server).
func TestRateLimitOff(t *testing.T) {
	t.Parallel()
	tt := newWorld(t)
	for i := 0; i < 20; i++ {
		r := tt.get("/products")
		require.Equal(t, 200, r.status)
		require.Empty(t, r.header.Get("X-RateLimit-Limit"))
	}
}

// TestThrottleKey pins Rack::Attack's discriminator (config/initializers/rack_attack.rb):
// account, IP, credential hash.
func TestThrottleKey(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, auth, query, want string }{
		{"bearer", "Bearer abc", "", "abc"},
		{"license scheme", "License KEY-1", "", "KEY-1"},
		{"basic license:key", basic("license", "KEY-2"), "", "KEY-2"},
		{"basic email:password", basic("a@b.c", "pw"), "", "a@b.c"},
		{"query token", "", "token=tok", "tok"},
		{"none", "", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newRequest(t, "/v1/accounts/acme/products?"+tc.query, tc.auth)
			assert.Equal(t, tc.want, requestCredential(r))
		})
	}
}

func newRequest(t *testing.T, target, auth string) *http.Request {
	t.Helper()
	r := httptest.NewRequest("GET", target, nil)
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	return r
}
