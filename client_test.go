package keygen

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// roundTripFunc is a one-off transport for tests that need more control than httpmock gives
// (counting bytes read, breaking the connection).
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// jsonResponse answers req with status and body as a JSON:API document.
func jsonResponse(req *http.Request, status int, body string) *http.Response {
	resp := httpmock.NewStringResponse(status, body)
	resp.Header.Set("Content-Type", "application/vnd.api+json; charset=utf-8")
	resp.Request = req
	return resp
}

// productDoc is a minimal product document with the given id.
func productDoc(id string) string {
	return `{"data":{"id":"` + id + `","type":"products","attributes":{"name":"P ` + id + `","metadata":{}}}}`
}

func TestNewClientDoesNoNetworkIO(t *testing.T) {
	t.Parallel()
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		t.Errorf("NewClient sent %s %s", r.Method, r.URL)
		return nil, errors.New("no network in NewClient")
	})}
	priv := newSigningKey(t)
	c, err := NewClient("acme",
		WithToken(testToken), WithBaseURL("https://keygen.example.com/prefix/"), WithHTTPClient(hc),
		WithUserAgent("my-app/1.2"), WithAPIVersion("1.7"), WithEnvironment("staging"),
		WithRetry(RetryPolicy{MaxRetries: 1, MinWait: time.Millisecond, MaxWait: time.Second}),
		WithLogger(slog.New(slog.DiscardHandler)), WithPublicKey(pubHex(priv)), WithClockSkew(time.Minute),
	)
	require.NoError(t, err)
	assert.Equal(t, "acme", c.Account())
	assert.Equal(t, "https://keygen.example.com/prefix", c.cfg.base)
	for _, s := range []any{c.Tokens, c.Products, c.Policies, c.Users, c.Licenses, c.Machines, c.Keys, c.Webhooks, c.WebhookEvents, c.Profile} {
		assert.NotNil(t, s)
	}
}

func TestNewClientRejectsBadInput(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		account string
		opt     Option
	}{
		{"empty account", " ", nil},
		{"account with slash", "acme/other", nil},
		{"account with query", "acme?x=1", nil},
		{"empty token", "acme", WithToken("  ")},
		{"token with newline", "acme", WithToken("abc\r\nX-Evil: 1")},
		{"token with NUL", "acme", WithToken("abc\x00def")},
		{"empty license key", "acme", WithLicenseKey("")},
		{"license key with newline", "acme", WithLicenseKey("KEY\nX: y")},
		{"base URL unparseable", "acme", WithBaseURL("http://[::1")},
		{"base URL no scheme", "acme", WithBaseURL("api.keygen.sh")},
		{"base URL ftp", "acme", WithBaseURL("ftp://api.keygen.sh")},
		{"base URL no host", "acme", WithBaseURL("https://")},
		{"base URL query", "acme", WithBaseURL("https://api.keygen.sh/?x=1")},
		{"base URL fragment", "acme", WithBaseURL("https://api.keygen.sh/#x")},
		{"base URL user info", "acme", WithBaseURL("https://user:secret@api.keygen.sh")},
		{"nil HTTP client", "acme", WithHTTPClient(nil)},
		{"user agent newline", "acme", WithUserAgent("app\r\nX: 1")},
		{"user agent control", "acme", WithUserAgent("app\x01")},
		{"API version 2.0", "acme", WithAPIVersion("2.0")},
		{"API version 1.9", "acme", WithAPIVersion("1.9")},
		{"API version 1.10", "acme", WithAPIVersion("1.10")},
		{"API version garbage", "acme", WithAPIVersion("latest")},
		{"API version empty", "acme", WithAPIVersion("")},
		{"empty environment", "acme", WithEnvironment("")},
		{"environment newline", "acme", WithEnvironment("prod\nX: 1")},
		{"negative retries", "acme", WithRetry(RetryPolicy{MaxRetries: -1})},
		{"negative wait", "acme", WithRetry(RetryPolicy{MaxRetries: 1, MinWait: -time.Second})},
		{"max below min", "acme", WithRetry(RetryPolicy{MaxRetries: 1, MinWait: time.Second, MaxWait: time.Millisecond})},
		{"public key short", "acme", WithPublicKey("abcd")},
		{"public key not hex", "acme", WithPublicKey(strings.Repeat("zz", 32))},
		{"clock skew zero", "acme", WithClockSkew(0)},
		{"clock skew negative", "acme", WithClockSkew(-time.Minute)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := NewClient(tc.account, tc.opt)
			require.ErrorIs(t, err, ErrInvalidArgument)
			assert.Nil(t, c)
			assert.NotContains(t, err.Error(), "secret", "an option error must not echo credentials")
		})
	}
}

func TestNewClientTokenAndLicenseKeyAreExclusive(t *testing.T) {
	t.Parallel()
	_, err := NewClient("acme", WithToken("tok"), WithLicenseKey("KEY"))
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.NotContains(t, err.Error(), "tok\"")
	assert.NotContains(t, err.Error(), "KEY\"")
	_, err = NewClient("acme", WithLicenseKey("KEY"), WithToken("tok"))
	require.ErrorIs(t, err, ErrInvalidArgument)
}

func TestPublicKeyAcceptsHexAndAccountBase64(t *testing.T) {
	t.Parallel()
	priv := newSigningKey(t)
	hexKey := pubHex(priv)
	k, err := ParsePublicKey(" " + hexKey + "\n")
	require.NoError(t, err)
	assert.Equal(t, priv.Public(), k)
	// Keygen's account document carries base64 of the hex text.
	k, err = ParsePublicKey(b64([]byte(hexKey)))
	require.NoError(t, err)
	assert.Equal(t, priv.Public(), k)
}

// headerCapture answers every request with a product and records the last request's headers.
func headerCapture(t *testing.T, mt *httpmock.MockTransport) func() http.Header {
	t.Helper()
	var mu sync.Mutex
	var last http.Header
	mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		mu.Lock()
		last = req.Header.Clone()
		mu.Unlock()
		if req.Method == http.MethodDelete {
			return jsonResponse(req, http.StatusNoContent, ""), nil
		}
		return jsonResponse(req, http.StatusOK, productDoc("p1")), nil
	})
	return func() http.Header {
		mu.Lock()
		defer mu.Unlock()
		return last
	}
}

func TestRequestHeaders(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, mt := newTestClient(t, WithUserAgent("my-app/1.2"), WithEnvironment("staging"))
	last := headerCapture(t, mt)

	_, err := c.Products.Get(ctx, "p1")
	require.NoError(t, err)
	h := last()
	assert.Equal(t, "1.8", h.Get("Keygen-Version"))
	assert.Equal(t, "application/vnd.api+json", h.Get("Accept"))
	assert.Empty(t, h.Get("Content-Type"), "a GET has no body, so no Content-Type")
	assert.Equal(t, "licensekit-keygen-go/"+Version+" my-app/1.2", h.Get("User-Agent"))
	assert.Equal(t, "Bearer "+testToken, h.Get("Authorization"))
	assert.Equal(t, "staging", h.Get("Keygen-Environment"))

	_, err = c.Products.Create(ctx, ProductCreateOptions{Name: "x"})
	require.NoError(t, err)
	h = last()
	assert.Equal(t, "application/vnd.api+json", h.Get("Content-Type"))
	assert.Equal(t, "application/vnd.api+json", h.Get("Accept"))
	assert.Equal(t, "1.8", h.Get("Keygen-Version"))
}

func TestRequestHeadersDefaults(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	last := headerCapture(t, mt)
	_, err := c.Products.Get(context.Background(), "p1")
	require.NoError(t, err)
	h := last()
	assert.Equal(t, "licensekit-keygen-go/"+Version, h.Get("User-Agent"), "no suffix, no trailing space")
	assert.Empty(t, h.Values("Keygen-Environment"), "no environment header unless asked")
}

func TestWithAPIVersion(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"1.5": "1.5", "v1.7": "1.7", " 1.0 ": "1.0", "1.8": "1.8"} {
		c, mt := newTestClient(t, WithAPIVersion(in))
		last := headerCapture(t, mt)
		_, err := c.Products.Get(context.Background(), "p1")
		require.NoError(t, err)
		assert.Equal(t, want, last().Get("Keygen-Version"), "WithAPIVersion(%q)", in)
	}
}

func TestLicenseKeyAuth(t *testing.T) {
	t.Parallel()
	mt := httpmock.NewMockTransport()
	c, err := NewClient(testAccount, WithBaseURL(testBase), WithLicenseKey("A1B2C3-D4E5F6-V3"),
		WithHTTPClient(&http.Client{Transport: mt}), WithoutRetries())
	require.NoError(t, err)
	last := headerCapture(t, mt)
	_, err = c.Products.Get(context.Background(), "p1")
	require.NoError(t, err)
	assert.Equal(t, "License A1B2C3-D4E5F6-V3", last().Get("Authorization"))
}

func TestNoAuthAndBasicAuthOverrideCredentials(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	last := headerCapture(t, mt)
	_, err := c.send(context.Background(), &request{method: "GET", path: "/products/p1", noAuth: true})
	require.NoError(t, err)
	assert.Empty(t, last().Values("Authorization"))

	_, err = c.send(context.Background(), &request{method: "POST", path: "/tokens", basicUser: "a@example.com", basicPass: "pw"})
	require.NoError(t, err)
	req, _ := http.NewRequest("GET", "/", nil)
	req.SetBasicAuth("a@example.com", "pw")
	assert.Equal(t, req.Header.Get("Authorization"), last().Get("Authorization"))
}

func TestBaseURLPrefixAndEscaping(t *testing.T) {
	t.Parallel()
	mt := httpmock.NewMockTransport()
	c, err := NewClient("my acme", WithBaseURL("http://127.0.0.1:3000/keygen/"), WithToken("t"),
		WithHTTPClient(&http.Client{Transport: mt}), WithoutRetries())
	require.NoError(t, err)
	var got string
	mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		got = req.URL.String()
		return jsonResponse(req, 200, productDoc("p1")), nil
	})
	_, err = c.Products.Get(context.Background(), "a b?c")
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:3000/keygen/v1/accounts/my%20acme/products/a%20b%3Fc", got)

	_, err = c.Products.Get(context.Background(), "key/abc.def")
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Equal(t, 1, mt.GetTotalCallCount())
}

func TestNilContextIsAnArgumentError(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	var nilCtx context.Context // a nil context is exactly what is tested
	_, err := c.send(nilCtx, &request{method: "GET", path: "/products"})
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Zero(t, mt.GetTotalCallCount())
}

func TestClientIsSafeForConcurrentUse(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t, WithRetry(RetryPolicy{MaxRetries: 2, MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond}))
	var calls atomic.Int64
	var failed sync.Map
	mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		calls.Add(1)
		id := strings.TrimPrefix(req.URL.Path, "/base/v1/accounts/acme/products/")
		// Every 7th id fails once, so retries and attempt counting run concurrently too.
		if n, _ := strconv.Atoi(strings.TrimPrefix(id, "p")); n%7 == 0 {
			if _, again := failed.LoadOrStore(id, true); !again {
				return jsonResponse(req, http.StatusServiceUnavailable, `{"errors":[{"title":"Service unavailable"}]}`), nil
			}
		}
		return jsonResponse(req, http.StatusOK, productDoc(id)), nil
	})
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for i := range 50 {
		wg.Go(func() {
			id := fmt.Sprintf("p%d", i)
			p, err := c.Products.Get(context.Background(), id)
			if err != nil {
				errs <- err
				return
			}
			if p.ID != id {
				errs <- fmt.Errorf("asked %s, got %s", id, p.ID)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	assert.Equal(t, int64(50+8), calls.Load(), "50 requests, 8 of them (p0, p7 … p49) sent twice")
}

// secrets used by the logging tests; none may show up in a log line or an error string.
const (
	secretLicenseKey = "SECRET-LICENSE-KEY-0123456789-V3"
	secretPassword   = "hunter2-secret-password"
)

func TestLoggingAtDebugKeepsSecretsOut(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, mt := newTestClient(t, WithLogger(logger))
	ctx := context.Background()
	var errStrings []string

	mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		switch {
		case strings.HasSuffix(req.URL.Path, "/products/p1"):
			return jsonResponse(req, 200, productDoc("p1")), nil
		case strings.HasSuffix(req.URL.Path, "/tokens"):
			return jsonResponse(req, 401, `{"errors":[{"title":"Unauthorized","detail":"email and password must be valid","code":"PASSWORD_INVALID","source":{"header":"Authorization"}}]}`), nil
		case strings.HasSuffix(req.URL.Path, "/machines"):
			return nil, errors.New("connection reset by peer")
		}
		return jsonResponse(req, 404, `{"meta":{"id":"req-1"},"errors":[{"title":"Not found","detail":"The requested resource was not found","code":"NOT_FOUND"}]}`), nil
	})

	_, err := c.Products.Get(ctx, "p1")
	require.NoError(t, err)
	_, err = c.send(ctx, &request{method: "POST", path: "/tokens", basicUser: "admin@example.com", basicPass: secretPassword})
	require.Error(t, err)
	errStrings = append(errStrings, err.Error())
	_, err = c.send(ctx, &request{method: "GET", path: "/machines", query: "key=" + secretLicenseKey + "&metadata%5Bemail%5D=jane%40example.com"})
	var te *TransportError
	require.ErrorAs(t, err, &te)
	errStrings = append(errStrings, err.Error())
	_, err = c.send(ctx, &request{method: "GET", path: "/licenses", query: "key=" + secretLicenseKey})
	require.ErrorIs(t, err, ErrNotFound)
	errStrings = append(errStrings, err.Error())

	out := buf.String()
	type line struct {
		Level    string
		Msg      string
		Method   string
		Path     string
		Status   int
		Attempts int
		Error    string
	}
	var lines []line
	for l := range strings.Lines(out) {
		var v line
		require.NoError(t, json.Unmarshal([]byte(l), &v), l)
		lines = append(lines, v)
	}
	require.Len(t, lines, 4, out)
	assert.Equal(t, line{Level: "DEBUG", Msg: "keygen request", Method: "GET", Path: "/products/p1", Status: 200, Attempts: 1}, lines[0])
	assert.Equal(t, line{Level: "DEBUG", Msg: "keygen request", Method: "POST", Path: "/tokens", Status: 401, Attempts: 1}, lines[1])
	assert.Equal(t, "WARN", lines[2].Level)
	assert.Equal(t, "/machines", lines[2].Path)
	assert.Contains(t, lines[2].Error, "connection reset by peer")
	assert.Equal(t, 404, lines[3].Status)

	for _, s := range append(errStrings, out) {
		for _, secret := range []string{testToken, secretLicenseKey, secretPassword, "jane", "metadata", "key="} {
			assert.NotContains(t, s, secret)
		}
	}
}

func TestLicenseKeyInPathIsRedacted(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	mt := httpmock.NewMockTransport()
	c, err := NewClient(testAccount, WithBaseURL(testBase), WithLicenseKey(secretLicenseKey),
		WithHTTPClient(&http.Client{Transport: mt}), WithoutRetries(),
		WithLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	require.NoError(t, err)
	calls := 0
	mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		calls++
		assert.Contains(t, req.URL.Path, secretLicenseKey, "the request itself is unchanged")
		if calls == 1 {
			return jsonResponse(req, 403, `{"errors":[{"title":"Access denied","detail":"You do not have permission to complete the request","code":"LICENSE_SUSPENDED"}]}`), nil
		}
		return nil, errors.New("connection reset by peer")
	})
	// A license key is a valid id alias in a path.
	_, err = c.send(context.Background(), &request{method: "GET", path: "/licenses/" + secretLicenseKey})
	require.ErrorIs(t, err, ErrForbidden)
	assert.NotContains(t, err.Error(), secretLicenseKey)
	assert.Contains(t, err.Error(), "/licenses/[REDACTED]")
	_, err = c.send(context.Background(), &request{method: "GET", path: "/licenses/" + secretLicenseKey})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), secretLicenseKey)
	assert.NotContains(t, buf.String(), secretLicenseKey)
	assert.Contains(t, buf.String(), "/licenses/[REDACTED]")
}

func TestNilLoggerIsSilentAndInfoLevelSkipsDebug(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	c, mt := newTestClient(t, WithLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))))
	headerCapture(t, mt)
	_, err := c.Products.Get(context.Background(), "p1")
	require.NoError(t, err)
	assert.Empty(t, buf.String())

	c, mt = newTestClient(t, WithLogger(nil))
	headerCapture(t, mt)
	_, err = c.Products.Get(context.Background(), "p1")
	require.NoError(t, err)
}

func TestSuccessBodyOverLimitIsAnError(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		resp := jsonResponse(req, 200, "")
		resp.Body = io.NopCloser(io.MultiReader(strings.NewReader(`{"data":[`), &zeroReader{n: maxBodySize + 10}))
		return resp, nil
	})
	_, err := c.Products.List(context.Background(), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "exceeds")
}

// zeroReader yields n spaces, counting what was read.
type zeroReader struct{ n, read int }

func (z *zeroReader) Read(p []byte) (int, error) {
	if z.n <= 0 {
		return 0, io.EOF
	}
	k := min(len(p), z.n)
	for i := range k {
		p[i] = ' '
	}
	z.n -= k
	z.read += k
	return k, nil
}

// A license key used as an id alias never reaches an error string, whoever's key it is.
func TestLicenseKeyAliasRedactedInErrors(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	const key = "C1B6DE-39A6E3-DE1529-8559A0-4AF593-V3"
	mt.RegisterResponder("GET", apiURL("/licenses/"+key), httpmock.NewStringResponder(404,
		`{"errors":[{"title":"Not found","detail":"The requested license '`+key+`' was not found","code":"NOT_FOUND"}]}`))
	_, err := c.Licenses.Get(context.Background(), key)
	require.ErrorIs(t, err, ErrNotFound)
	assert.NotContains(t, err.Error(), key)
	assert.Contains(t, err.Error(), "/licenses/[REDACTED]")
	assert.Contains(t, err.Error(), "The requested license '[REDACTED]' was not found")

	// Ids stay readable.
	assert.Equal(t, "/licenses/2313b7e7-1ea6-4a01-901e-2931de6bb1e2/actions/validate",
		c.redact("/licenses/2313b7e7-1ea6-4a01-901e-2931de6bb1e2/actions/validate"))
	assert.Equal(t, "/licenses/actions/validate-key", c.redact("/licenses/actions/validate-key"))
	// An escaped alias is found in its unescaped spelling too.
	assert.Equal(t, "license '[REDACTED]'", c.redact("license 'a b'", licenseAliases("/licenses/a%20b")...))
}

// A license key in the path of a call whose answer does not decode, or whose signature does
// not verify, stays out of the error: those errors name the call too.
func TestLicenseKeyAliasRedactedInDecodeAndSignatureErrors(t *testing.T) {
	t.Parallel()
	const key = "C1B6DE-39A6E3-DE1529-8559A0-4AF593-V3"
	ctx := context.Background()

	c, mt := newTestClient(t)
	mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		return jsonResponse(req, 200, `{"data":`), nil
	})
	_, err := c.Licenses.Get(ctx, key)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), key)
	assert.Contains(t, err.Error(), "/licenses/[REDACTED]")
	_, err = c.Licenses.Validate(ctx, key, nil)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), key)

	mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		return jsonResponse(req, 200, `{"data":{"id":"1","type":"licenses","attributes":{"expiry":"soon"}}}`), nil
	})
	_, err = c.Licenses.CheckIn(ctx, key)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), key)

	// Signed with another key: the check fails and says for which call, without the key in
	// the path or in the query (Machines.List filters by license key).
	priv, other := newSigningKey(t), newSigningKey(t)
	sc := signedClient(t, priv, func(req *http.Request) *http.Response {
		return signer{key: other}.sign(req, http.StatusOK, `{"data":[]}`)
	})
	_, err = sc.Licenses.Get(ctx, key)
	requireSignatureError(t, err, "does not verify for GET /base/v1/accounts/acme/licenses/[REDACTED]")
	assert.NotContains(t, err.Error(), key)
	_, err = sc.Machines.List(ctx, &MachineListOptions{Key: key})
	requireSignatureError(t, err, "does not verify for GET /base/v1/accounts/acme/machines")
	assert.NotContains(t, err.Error(), key)
}

// An id that cannot be routed is refused before any I/O without being repeated: it is
// usually a signed license key.
func TestSlashInIDRefusedWithoutEchoingIt(t *testing.T) {
	t.Parallel()
	const signed = "key/eyJsaWNlbnNlIjoic2VjcmV0In0=.c2lnbmF0dXJl"
	c, _ := newTestClient(t) // no responder: any request would fail differently
	ctx := context.Background()
	errs := []error{}
	_, err := c.Licenses.Get(ctx, signed)
	errs = append(errs, err)
	_, err = c.Licenses.Validate(ctx, signed, nil)
	errs = append(errs, err)
	_, err = c.Licenses.GenerateToken(ctx, signed, nil)
	errs = append(errs, err)
	errs = append(errs, c.Licenses.Revoke(ctx, signed))
	_, err = c.Machines.Get(ctx, signed)
	errs = append(errs, err)
	for i, err := range errs {
		require.ErrorIs(t, err, ErrInvalidArgument, "call %d", i)
		assert.NotContains(t, err.Error(), "eyJ", "call %d", i)
		assert.Contains(t, err.Error(), "use the resource's id", "call %d", i)
	}
}

// A base or endpoint URL that is refused is not repeated: its query may hold a secret.
func TestURLOptionErrorsDoNotEchoTheURL(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{"https://h.example.com/?token=s3cret", "https://h.example.com/#s3cret", "https:///s3cret"} {
		_, err := NewClient(testAccount, WithBaseURL(raw))
		require.ErrorIs(t, err, ErrInvalidArgument, raw)
		assert.NotContains(t, err.Error(), "s3cret", raw)
	}
	_, err := VerifyWebhook(strings.Repeat("ab", 32), WebhookRequest{}, WithWebhookEndpoint("/hooks?token=s3cret"))
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.NotContains(t, err.Error(), "s3cret")
}
