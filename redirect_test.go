package keygen

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// redirectingTo registers a GET at path below the account answering status with Location to.
func redirectingTo(mt *httpmock.MockTransport, path string, status int, to string) {
	mt.RegisterResponder("GET", apiURL(path), func(req *http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(status, `{"data":null}`)
		resp.Header.Set("Location", to)
		resp.Request = req
		return resp, nil
	})
}

// A request marked noRedirect gets the 3xx answer itself: nothing reaches the Location.
func TestSendNoRedirectKeepsTheAnswer(t *testing.T) {
	t.Parallel()
	for _, status := range []int{301, 302, 303, 307, 308} {
		c, mt := newTestClient(t)
		redirectingTo(mt, "/artifacts/a", status, "https://storage.test/object")
		mt.RegisterResponder("GET", "https://storage.test/object", httpmock.NewStringResponder(200, "bytes"))
		resp, err := c.send(context.Background(), &request{method: "GET", path: "/artifacts/a", noRedirect: true})
		require.NoError(t, err, "status %d", status)
		assert.Equal(t, status, resp.status)
		assert.Equal(t, "https://storage.test/object", resp.header.Get("Location"))
		assert.JSONEq(t, `{"data":null}`, string(resp.body))
		assert.Zero(t, mt.GetCallCountInfo()["GET https://storage.test/object"], "status %d: the redirect was followed", status)
	}
}

// Other requests still follow redirects, and a 3xx kept for a noRedirect request is the only
// non-2xx taken as success: a 4xx stays an error.
func TestSendFollowsRedirectsOtherwise(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	redirectingTo(mt, "/licenses/moved", 307, apiURL("/licenses/here"))
	calls := expect(t, mt, wire{method: "GET", path: "/licenses/here", fixture: "license.json"})
	_, err := c.Licenses.Get(context.Background(), "moved")
	require.NoError(t, err)
	assert.Equal(t, 1, *calls)

	expect(t, mt, wire{method: "GET", path: "/artifacts/gone", status: 404})
	_, err = c.send(context.Background(), &request{method: "GET", path: "/artifacts/gone", noRedirect: true})
	require.ErrorIs(t, err, ErrNotFound)
}

// The caller's own CheckRedirect keeps applying to the requests that follow redirects. A
// redirect it refuses is reported as the 3xx answer it was (go-retryablehttp's error handler
// hands back the last answer).
func TestSendKeepsTheCallersRedirectPolicy(t *testing.T) {
	t.Parallel()
	mt := httpmock.NewMockTransport()
	asked := 0
	hc := &http.Client{Transport: mt, CheckRedirect: func(*http.Request, []*http.Request) error {
		asked++
		return errors.New("no redirects here")
	}}
	c, err := NewClient(testAccount, WithBaseURL(testBase), WithToken(testToken), WithHTTPClient(hc), WithoutRetries())
	require.NoError(t, err)
	redirectingTo(mt, "/licenses/moved", 302, apiURL("/licenses/here"))
	_, err = c.Licenses.Get(context.Background(), "moved")
	var apiErr *Error
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 302, apiErr.StatusCode)
	assert.Equal(t, 1, asked)
	assert.Zero(t, mt.GetCallCountInfo()["GET "+apiURL("/licenses/here")])
}

// Without a policy of the caller's, net/http's limit of 10 redirects holds.
func TestSendStopsAfterTenRedirects(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	redirectingTo(mt, "/licenses/loop", 302, apiURL("/licenses/loop"))
	_, err := c.Licenses.Get(context.Background(), "loop")
	var apiErr *Error
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 302, apiErr.StatusCode)
	assert.Equal(t, 10, mt.GetTotalCallCount())
}
