package keygen

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// updateGolden rewrites testdata/golden files from what the SDK sends. Review every diff
// against Keygen's API reference (https://keygen.sh/docs/api/) and server
// (keygen-sh/keygen-api) before committing it.
var updateGolden = flag.Bool("update", false, "rewrite request golden files")

const (
	testAccount = "acme"
	// testBase mounts the API under a prefix, so a method that builds an absolute path by
	// mistake misses the mock and fails loudly.
	testBase  = "https://api.keygen.test/base"
	testToken = "admin-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abv3"
)

// newTestClient returns a client whose requests go to its own httpmock transport.
func newTestClient(t *testing.T, opts ...Option) (*Client, *httpmock.MockTransport) {
	t.Helper()
	mt := httpmock.NewMockTransport()
	all := append([]Option{
		WithBaseURL(testBase),
		WithToken(testToken),
		WithHTTPClient(&http.Client{Transport: mt}),
		WithoutRetries(),
	}, opts...)
	c, err := NewClient(testAccount, all...)
	require.NoError(t, err)
	return c, mt
}

// apiURL is the full URL of a path below the test account.
func apiURL(path string) string { return testBase + "/v1/accounts/" + testAccount + path }

// fixture reads testdata/<name>.
func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

// wire describes the request a test expects, and the answer to give it.
type wire struct {
	method string
	path   string     // below the account
	query  url.Values // exact query; nil means none
	golden string     // testdata/golden/<golden> holds the expected JSON body; "" means no body
	auth   string     // expected Authorization header; "" means the admin bearer token

	status  int
	fixture string // testdata/<fixture> is the response body; "" means empty
	header  http.Header
}

// expect registers a responder that checks the request on the wire and answers it. It
// returns a counter of calls.
func expect(t *testing.T, mt *httpmock.MockTransport, w wire) *int {
	t.Helper()
	calls := new(int)
	var respBody []byte
	if w.fixture != "" {
		respBody = fixture(t, w.fixture)
	}
	mt.RegisterResponder(w.method, apiURL(w.path), func(req *http.Request) (*http.Response, error) {
		*calls++
		checkRequest(t, req, w)
		status := w.status
		if status == 0 {
			status = http.StatusOK
		}
		resp := httpmock.NewBytesResponse(status, respBody)
		resp.Header.Set("Content-Type", "application/vnd.api+json; charset=utf-8")
		for k, v := range w.header {
			resp.Header[k] = v
		}
		resp.Request = req
		return resp, nil
	})
	return calls
}

func checkRequest(t *testing.T, req *http.Request, w wire) {
	t.Helper()
	assert.Equal(t, w.method, req.Method)
	assert.Equal(t, "application/vnd.api+json", req.Header.Get("Accept"))
	assert.Equal(t, "1.8", req.Header.Get("Keygen-Version"))
	assert.Regexp(t, `^licensekit-keygen-go/\d+\.\d+\.\d+`, req.Header.Get("User-Agent"))
	wantAuth := w.auth
	if wantAuth == "" {
		wantAuth = "Bearer " + testToken
	} else if wantAuth == "-" {
		wantAuth = ""
	}
	assert.Equal(t, wantAuth, req.Header.Get("Authorization"))
	gotQuery := req.URL.Query()
	if w.query == nil {
		assert.Empty(t, gotQuery, "query")
	} else {
		assert.Equal(t, w.query, gotQuery, "query")
	}
	var body []byte
	if req.Body != nil {
		var err error
		body, err = io.ReadAll(req.Body)
		require.NoError(t, err)
	}
	if w.golden == "" {
		assert.Empty(t, body, "request body")
		return
	}
	assert.Equal(t, "application/vnd.api+json", req.Header.Get("Content-Type"))
	path := filepath.Join("testdata", "golden", w.golden)
	if *updateGolden {
		var v any
		require.NoError(t, json.Unmarshal(body, &v))
		var pretty bytes.Buffer
		enc := json.NewEncoder(&pretty)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		require.NoError(t, enc.Encode(v))
		require.NoError(t, os.WriteFile(path, pretty.Bytes(), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "golden file %s", path)
	assert.JSONEq(t, string(want), string(body), "request body vs %s", path)
}

// mustTime parses an RFC 3339 time for assertions.
func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	require.NoError(t, err)
	return v
}

// readFixture reads testdata/<name> outside a *testing.T (benchmarks, examples).
func readFixture(name string) ([]byte, error) { return os.ReadFile(filepath.Join("testdata", name)) }
