package keygen

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// answerAll makes the test client answer every request with status, body and extra headers.
func answerAll(t *testing.T, status int, body string, header http.Header, opts ...Option) (*Client, *int) {
	t.Helper()
	c, mt := newTestClient(t, opts...)
	calls := new(int)
	mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		*calls++
		resp := jsonResponse(req, status, body)
		for k, v := range header {
			resp.Header[k] = v
		}
		return resp, nil
	})
	return c, calls
}

func TestErrorDocumentKeepsEveryErrorObject(t *testing.T) {
	t.Parallel()
	body := `{"meta":{"id":"9b1c2d3e-req"},"errors":[
	  {"title":"Unprocessable resource","detail":"has already been taken","code":"KEY_TAKEN","source":{"pointer":"/data/attributes/key"},
	   "links":{"about":"https://keygen.sh/docs/api/licenses/#licenses-object-attrs-key"}},
	  {"title":"Bad request","detail":"must be a number between 1 and 100","code":"LIMIT_INVALID","source":{"parameter":"limit"}},
	  {"title":"Unauthorized","detail":"email and password must be valid","code":"PASSWORD_INVALID","source":{"header":"Authorization"}},
	  {"title":"Unprocessable resource","detail":"must be valid"}
	]}`
	c, _ := answerAll(t, 422, body, http.Header{"X-Request-Id": {"header-id"}})
	_, err := c.Products.Create(context.Background(), ProductCreateOptions{Name: "x"})
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 422, e.StatusCode)
	assert.Equal(t, "9b1c2d3e-req", e.RequestID, "meta.id wins over the header")
	assert.Equal(t, 1, e.Attempts)
	assert.Equal(t, "POST", e.Method)
	assert.Equal(t, "/base/v1/accounts/acme/products", e.Path)
	require.Len(t, e.Errors, 4)
	assert.Equal(t, ErrorObject{
		Title: "Unprocessable resource", Detail: "has already been taken", Code: "KEY_TAKEN",
		Source: ErrorSource{Pointer: "/data/attributes/key"},
		Links:  map[string]string{"about": "https://keygen.sh/docs/api/licenses/#licenses-object-attrs-key"},
	}, e.Errors[0])
	assert.Equal(t, ErrorObject{Title: "Bad request", Detail: "must be a number between 1 and 100", Code: "LIMIT_INVALID", Source: ErrorSource{Parameter: "limit"}}, e.Errors[1])
	assert.Equal(t, ErrorObject{Title: "Unauthorized", Detail: "email and password must be valid", Code: "PASSWORD_INVALID", Source: ErrorSource{Header: "Authorization"}}, e.Errors[2])
	assert.Equal(t, ErrorObject{Title: "Unprocessable resource", Detail: "must be valid"}, e.Errors[3])

	assert.True(t, e.HasCode(CodeKeyTaken))
	assert.True(t, e.HasCode("PASSWORD_INVALID"))
	assert.False(t, e.HasCode("EMAIL_TAKEN"))
	assert.Equal(t, CodeKeyTaken, e.Code())
	assert.True(t, HasCode(err, "LIMIT_INVALID"))
	assert.True(t, HasCode(errors.Join(errors.New("wrapped"), err), "LIMIT_INVALID"))
	assert.False(t, HasCode(errors.New("plain"), "KEY_TAKEN"))
	assert.False(t, HasCode(nil, "KEY_TAKEN"))
	require.ErrorIs(t, err, ErrUnprocessable)

	msg := err.Error()
	for _, part := range []string{"POST", "/products", "422", "has already been taken", "KEY_TAKEN", "/data/attributes/key", "parameter limit", "header Authorization", "must be valid"} {
		assert.Contains(t, msg, part)
	}
}

func TestErrorRequestIDFromHeaderWhenNoMeta(t *testing.T) {
	t.Parallel()
	c, _ := answerAll(t, 400, `{"errors":[{"title":"Bad request","code":"JSON_INVALID"}]}`, http.Header{"X-Request-Id": {"hdr-7"}})
	_, err := c.Products.Get(context.Background(), "p1")
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "hdr-7", e.RequestID)
	assert.Equal(t, "", (&Error{}).Code())
}

func TestErrorSentinelsByStatus(t *testing.T) {
	t.Parallel()
	sentinels := []error{ErrBadRequest, ErrUnauthorized, ErrForbidden, ErrNotFound, ErrConflict, ErrUnprocessable, ErrRateLimited}
	cases := map[int]error{400: ErrBadRequest, 401: ErrUnauthorized, 403: ErrForbidden, 404: ErrNotFound, 409: ErrConflict, 422: ErrUnprocessable, 429: ErrRateLimited,
		402: nil, 405: nil, 500: nil, 503: nil}
	for status, want := range cases {
		c, _ := answerAll(t, status, `{"errors":[{"title":"`+http.StatusText(status)+`"}]}`, nil)
		_, err := c.Products.Get(context.Background(), "p1")
		var e *Error
		require.ErrorAs(t, err, &e, "status %d", status)
		assert.Equal(t, status, e.StatusCode)
		for _, s := range sentinels {
			assert.Equal(t, s == want, errors.Is(err, s), "status %d vs %v", status, s)
		}
		assert.False(t, errors.Is(err, ErrInvalidArgument))
		assert.False(t, errors.Is(err, ErrSignatureInvalid))
	}
}

func TestErrorFromProxyHTMLPage(t *testing.T) {
	t.Parallel()
	c, _ := answerAll(t, 502, "<html><body><h1>502 Bad Gateway</h1></body></html>", http.Header{"Content-Type": {"text/html"}})
	_, err := c.Products.Get(context.Background(), "p1")
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 502, e.StatusCode)
	require.Len(t, e.Errors, 1)
	assert.Equal(t, "Bad Gateway", e.Errors[0].Title)
	assert.Contains(t, e.Errors[0].Detail, "text/html")
	assert.Contains(t, err.Error(), "502")
}

func TestErrorFromTruncatedJSON(t *testing.T) {
	t.Parallel()
	c, _ := answerAll(t, 404, `{"meta":{"id":"x"},"errors":[{"title":"Not fo`, nil)
	_, err := c.Products.Get(context.Background(), "p1")
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 404, e.StatusCode)
	require.ErrorIs(t, err, ErrNotFound)
	assert.Equal(t, "Not Found", e.Errors[0].Title)
}

func TestErrorWithEmptyOrForeignJSONBody(t *testing.T) {
	t.Parallel()
	for _, body := range []string{"", `{"data":null}`, `{"errors":[]}`, `[]`, `"oops"`} {
		c, _ := answerAll(t, 500, body, nil)
		_, err := c.Products.Get(context.Background(), "p1")
		var e *Error
		require.ErrorAs(t, err, &e, "body %q", body)
		assert.Equal(t, 500, e.StatusCode)
		require.Len(t, e.Errors, 1)
		assert.Equal(t, "Internal Server Error", e.Errors[0].Title)
	}
}

func TestOversizedErrorBodyIsCutAtTheLimit(t *testing.T) {
	t.Parallel()
	body := &zeroReader{n: 64 << 20}
	closed := false
	hc := &http.Client{Transport: roundTripFunc(func(req *http.Request) (*http.Response, error) {
		return &http.Response{
			StatusCode: 500, Header: http.Header{"Content-Type": {"text/html"}}, Request: req,
			Body: readCloser{Reader: io.MultiReader(strings.NewReader(`{"errors":[{"title":"x"}`), body), close: func() { closed = true }},
		}, nil
	})}
	c, _ := newTestClient(t, WithHTTPClient(hc))
	start := time.Now()
	_, err := c.Products.Get(context.Background(), "p1")
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 500, e.StatusCode)
	assert.LessOrEqual(t, body.read, maxErrorBodySize+1, "read past the error body limit")
	assert.Greater(t, body.read, maxErrorBodySize/2)
	assert.True(t, closed, "the body is closed")
	assert.Less(t, time.Since(start), 5*time.Second)
}

type readCloser struct {
	io.Reader
	close func()
}

func (r readCloser) Close() error { r.close(); return nil }

func TestRateLimitError(t *testing.T) {
	t.Parallel()
	reset := time.Now().Add(42 * time.Second).Unix()
	h := http.Header{
		"Retry-After":           {"7"},
		"X-Ratelimit-Limit":     {"60"},
		"X-Ratelimit-Remaining": {"0"},
		"X-Ratelimit-Reset":     {strconv.FormatInt(reset, 10)},
		"X-Ratelimit-Window":    {"1m"},
	}
	body := `{"errors":[{"title":"Too many requests","detail":"Throttle limit has been reached for your IP address.","code":"TOO_MANY_REQUESTS"}]}`
	c, calls := answerAll(t, 429, body, h)
	_, err := c.Products.Get(context.Background(), "p1")
	assert.Equal(t, 1, *calls)

	var rl *RateLimitError
	require.ErrorAs(t, err, &rl)
	assert.Equal(t, 7*time.Second, rl.RetryAfter)
	assert.Equal(t, 60, rl.Limit)
	assert.Equal(t, 0, rl.Remaining)
	assert.Equal(t, time.Unix(reset, 0).UTC(), rl.Reset)
	assert.Equal(t, "1m", rl.Window)
	assert.True(t, rl.HasCode(CodeTooManyRequests))

	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 429, e.StatusCode)
	assert.Same(t, rl.APIError, e)
	require.ErrorIs(t, err, ErrRateLimited)
	assert.True(t, HasCode(err, CodeTooManyRequests))
	assert.Contains(t, err.Error(), "retry after 7s")
	assert.Contains(t, err.Error(), "Throttle limit")
}

func TestRateLimitErrorHTTPDateAndMissingHeaders(t *testing.T) {
	t.Parallel()
	when := time.Now().Add(30 * time.Second).UTC().Format(http.TimeFormat)
	c, _ := answerAll(t, 429, `{"errors":[{"title":"Too many requests"}]}`, http.Header{"Retry-After": {when}, "X-Ratelimit-Window": {"auth"}})
	_, err := c.Products.Get(context.Background(), "p1")
	var rl *RateLimitError
	require.ErrorAs(t, err, &rl)
	assert.InDelta(t, 30, rl.RetryAfter.Seconds(), 2)
	assert.Equal(t, "auth", rl.Window)
	assert.Zero(t, rl.Limit)
	assert.True(t, rl.Reset.IsZero())

	c, _ = answerAll(t, 429, "", http.Header{"Retry-After": {"soon"}})
	_, err = c.Products.Get(context.Background(), "p1")
	require.ErrorAs(t, err, &rl)
	assert.Zero(t, rl.RetryAfter)
	assert.NotContains(t, err.Error(), "retry after")
}

func TestDeleteWithNoContent(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	calls := 0
	mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		calls++
		return &http.Response{StatusCode: 204, Header: http.Header{}, Body: http.NoBody, Request: req}, nil
	})
	require.NoError(t, c.Products.Delete(context.Background(), "p1"))
	assert.Equal(t, 1, calls)
}

func TestNullDataOnGetIsAnError(t *testing.T) {
	t.Parallel()
	for _, body := range []string{`{"data":null}`, `{}`, `{"meta":{}}`} {
		c, _ := answerAll(t, 200, body, nil)
		var p *Product
		var err error
		require.NotPanics(t, func() { p, err = c.Products.Get(context.Background(), "p1") })
		require.Error(t, err, body)
		assert.Nil(t, p)
		assert.Contains(t, err.Error(), "no data")
		assert.Contains(t, err.Error(), "/products/p1")
	}
}

func TestMalformedSuccessBodies(t *testing.T) {
	t.Parallel()
	for body, want := range map[string]string{
		"":                                   "empty body",
		"<html>":                             "invalid JSON:API document",
		`{"data":[]}`:                        "not a resource object",
		`{"data":{"id":"1","type":"users"}}`: "does not match",
		`{"data":{"id":"1","type":"products","attributes":{"name":5}}}`: `attribute "name"`,
	} {
		c, _ := answerAll(t, 200, body, nil)
		var err error
		require.NotPanics(t, func() { _, err = c.Products.Get(context.Background(), "p1") })
		require.Error(t, err, body)
		assert.Contains(t, err.Error(), want, body)
	}
}

func TestTransportErrorUnwraps(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	hc := &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, boom })}
	c, _ := newTestClient(t, WithHTTPClient(hc))
	_, err := c.Products.Get(context.Background(), "p1")
	var te *TransportError
	require.ErrorAs(t, err, &te)
	require.ErrorIs(t, err, boom)
	assert.Equal(t, "GET", te.Method)
	assert.Equal(t, "/products/p1", te.Path)
	assert.Equal(t, 1, te.Attempts)
	var e *Error
	assert.False(t, errors.As(err, &e), "no answer, no *Error")
	assert.False(t, errors.Is(err, ErrNotFound))
}
