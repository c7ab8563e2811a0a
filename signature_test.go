package keygen

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newSigningKey(t *testing.T) ed25519.PrivateKey {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	return priv
}

func pubHex(priv ed25519.PrivateKey) string {
	return hex.EncodeToString(priv.Public().(ed25519.PublicKey))
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func digestOf(body string) string {
	sum := sha256.Sum256([]byte(body))
	return "sha-256=" + b64(sum[:])
}

// signer signs answers the way Keygen does (keygen-sh/keygen-api,
// app/controllers/concerns/signature_headers.rb and signature_methods.rb). Each field lets a
// test forge one part of it.
type signer struct {
	key     ed25519.PrivateKey
	date    time.Time // zero: now
	host    string    // "": the request's Host
	target  string    // "": the request's path and query
	method  string    // "": the request's method
	headers string    // "": "(request-target) host date digest"
	// mutate edits the finished headers (drop one, change the body afterwards…).
	mutate func(h http.Header, body *string)
}

func (s signer) sign(req *http.Request, status int, body string) *http.Response {
	date := s.date
	if date.IsZero() {
		date = time.Now()
	}
	httpDate := date.UTC().Format(http.TimeFormat)
	host, target, method, headers := s.host, s.target, s.method, s.headers
	if host == "" {
		host = req.Host
	}
	if target == "" {
		target = req.URL.RequestURI()
	}
	if method == "" {
		method = req.Method
	}
	if headers == "" {
		headers = "(request-target) host date digest"
	}
	digest := digestOf(body)
	msg := "(request-target): " + strings.ToLower(method) + " " + target + "\n" +
		"host: " + host + "\n" +
		"date: " + httpDate + "\n" +
		"digest: " + digest
	sig := ed25519.Sign(s.key, []byte(msg))
	h := http.Header{}
	h.Set("Date", httpDate)
	h.Set("Digest", digest)
	h.Set("Keygen-Signature", `keyid="4f2d6e0a-0f0b-4f7e-9d3c-6c1f4d2b8a11", algorithm="ed25519", signature="`+b64(sig)+`", headers="`+headers+`"`)
	if s.mutate != nil {
		s.mutate(h, &body)
	}
	resp := jsonResponse(req, status, body)
	for k, v := range h {
		resp.Header[k] = v
	}
	return resp
}

// signedClient is a test client that checks signatures against priv's public key; every
// request is answered by answer.
func signedClient(t *testing.T, priv ed25519.PrivateKey, answer func(req *http.Request) *http.Response, opts ...Option) *Client {
	t.Helper()
	c, mt := newTestClient(t, append([]Option{WithPublicKey(pubHex(priv))}, opts...)...)
	mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) { return answer(req), nil })
	return c
}

func requireSignatureError(t *testing.T, err error, reason string) {
	t.Helper()
	require.ErrorIs(t, err, ErrSignatureInvalid)
	var se *SignatureError
	require.ErrorAs(t, err, &se)
	assert.Contains(t, se.Reason, reason)
	var apiErr *Error
	assert.False(t, errors.As(err, &apiErr), "a forged answer must not pass for an API error")
}

func TestSignedResponsePasses(t *testing.T) {
	t.Parallel()
	priv := newSigningKey(t)
	s := signer{key: priv}
	c := signedClient(t, priv, func(req *http.Request) *http.Response {
		if req.Method == http.MethodDelete {
			return s.sign(req, http.StatusNoContent, "") // an empty body hashes ""
		}
		if strings.HasSuffix(req.URL.Path, "/products") {
			return s.sign(req, http.StatusOK, `{"data":[],"links":{"self":"/v1/accounts/acme/products?page%5Bnumber%5D=1&page%5Bsize%5D=5"}}`)
		}
		return s.sign(req, http.StatusOK, productDoc("p1"))
	})
	ctx := context.Background()
	p, err := c.Products.Get(ctx, "p1")
	require.NoError(t, err)
	assert.Equal(t, "p1", p.ID)
	require.NoError(t, c.Products.Delete(ctx, "p1"))
	// The query is part of the signed request target.
	_, err = c.Products.List(ctx, &ProductListOptions{ListOptions{PageSize: 5}})
	require.NoError(t, err)
}

func TestForgedResponsesAreRejected(t *testing.T) {
	t.Parallel()
	priv := newSigningKey(t)
	other := newSigningKey(t)
	body := productDoc("p1")
	cases := []struct {
		name   string
		s      signer
		reason string
	}{
		{"one changed body byte", signer{key: priv, mutate: func(_ http.Header, b *string) { *b = strings.Replace(*b, "P p1", "P p2", 1) }}, "Digest"},
		{"missing Digest", signer{key: priv, mutate: func(h http.Header, _ *string) { h.Del("Digest") }}, "missing Digest"},
		{"missing Keygen-Signature", signer{key: priv, mutate: func(h http.Header, _ *string) { h.Del("Keygen-Signature") }}, "missing Keygen-Signature"},
		{"missing Date", signer{key: priv, mutate: func(h http.Header, _ *string) { h.Del("Date") }}, "missing Date"},
		{"unparseable Date", signer{key: priv, mutate: func(h http.Header, _ *string) { h.Set("Date", "yesterday") }}, "unparseable Date"},
		{"Date changed after signing", signer{key: priv, mutate: func(h http.Header, _ *string) {
			d, _ := http.ParseTime(h.Get("Date"))
			h.Set("Date", d.Add(time.Second).Format(http.TimeFormat))
		}}, "does not verify"},
		{"signed by another key", signer{key: other}, "does not verify"},
		{"Date older than 5 minutes", signer{key: priv, date: time.Now().Add(-6 * time.Minute)}, "away from the local clock"},
		{"Date in the future beyond tolerance", signer{key: priv, date: time.Now().Add(6 * time.Minute)}, "away from the local clock"},
		{"headers param lists other names", signer{key: priv, headers: "(request-target) date digest"}, "signed headers"},
		{"headers param in another order", signer{key: priv, headers: "date (request-target) host digest"}, "signed headers"},
		{"signed for another path", signer{key: priv, target: "/base/v1/accounts/acme/products/p2"}, "does not verify"},
		{"signed for another account", signer{key: priv, target: "/base/v1/accounts/other/products/p1"}, "does not verify"},
		{"signed for another method", signer{key: priv, method: "DELETE"}, "does not verify"},
		{"signed for another host", signer{key: priv, host: "evil.example.com"}, "does not verify"},
		{"algorithm is not ed25519", signer{key: priv, mutate: func(h http.Header, _ *string) {
			h.Set("Keygen-Signature", strings.Replace(h.Get("Keygen-Signature"), `"ed25519"`, `"rsa-sha256"`, 1))
		}}, `algorithm "rsa-sha256" is not ed25519`},
		{"signature not base64", signer{key: priv, mutate: func(h http.Header, _ *string) {
			h.Set("Keygen-Signature", `algorithm="ed25519", signature="!!!", headers="(request-target) host date digest"`)
		}}, "signature is not base64"},
		{"malformed header", signer{key: priv, mutate: func(h http.Header, _ *string) {
			h.Set("Keygen-Signature", `algorithm=ed25519, signature=abc`)
		}}, "not quoted"},
		{"digest of another algorithm", signer{key: priv, mutate: func(h http.Header, _ *string) {
			h.Set("Digest", "sha-512="+strings.TrimPrefix(h.Get("Digest"), "sha-256="))
		}}, "Digest"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := signedClient(t, priv, func(req *http.Request) *http.Response { return tc.s.sign(req, http.StatusOK, body) })
			p, err := c.Products.Get(context.Background(), "p1")
			requireSignatureError(t, err, tc.reason)
			assert.Nil(t, p)
		})
	}
}

func TestSignatureReplayedFromAnotherEndpoint(t *testing.T) {
	t.Parallel()
	priv := newSigningKey(t)
	// Record a genuine answer to GET /products/p2 ...
	recorded := map[string]*http.Response{}
	c := signedClient(t, priv, func(req *http.Request) *http.Response {
		if r, ok := recorded["replay"]; ok {
			r.Request = req
			return r
		}
		return signer{key: priv}.sign(req, http.StatusOK, productDoc("p2"))
	})
	_, err := c.Products.Get(context.Background(), "p2")
	require.NoError(t, err)
	// ... and play it back as the answer to GET /products/p1.
	req, _ := http.NewRequest("GET", apiURL("/products/p2"), nil)
	recorded["replay"] = signer{key: priv}.sign(req, http.StatusOK, productDoc("p2"))
	_, err = c.Products.Get(context.Background(), "p1")
	requireSignatureError(t, err, "does not verify for GET /base/v1/accounts/acme/products/p1")
}

func TestClockSkewTolerance(t *testing.T) {
	t.Parallel()
	priv := newSigningKey(t)
	at := func(age time.Duration) func(req *http.Request) *http.Response {
		return func(req *http.Request) *http.Response {
			return signer{key: priv, date: time.Now().Add(-age)}.sign(req, http.StatusOK, productDoc("p1"))
		}
	}
	ctx := context.Background()
	// Default tolerance is 5 minutes either way.
	_, err := signedClient(t, priv, at(4*time.Minute)).Products.Get(ctx, "p1")
	require.NoError(t, err)
	_, err = signedClient(t, priv, at(-4*time.Minute)).Products.Get(ctx, "p1")
	require.NoError(t, err)
	// A tighter tolerance rejects what the default accepts ...
	_, err = signedClient(t, priv, at(2*time.Minute), WithClockSkew(time.Minute)).Products.Get(ctx, "p1")
	requireSignatureError(t, err, "tolerance 1m0s")
	_, err = signedClient(t, priv, at(-2*time.Minute), WithClockSkew(time.Minute)).Products.Get(ctx, "p1")
	requireSignatureError(t, err, "tolerance 1m0s")
	// ... and a wider one accepts what the default rejects.
	_, err = signedClient(t, priv, at(7*time.Minute), WithClockSkew(10*time.Minute)).Products.Get(ctx, "p1")
	require.NoError(t, err)
}

func TestSignatureHostWithPort(t *testing.T) {
	t.Parallel()
	priv := newSigningKey(t)
	mk := func(host string) *Client {
		mt := httpmock.NewMockTransport()
		c, err := NewClient(testAccount, WithBaseURL("https://keygen.example.com:8443"), WithToken(testToken),
			WithHTTPClient(&http.Client{Transport: mt}), WithoutRetries(), WithPublicKey(pubHex(priv)))
		require.NoError(t, err)
		mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
			return signer{key: priv, host: host}.sign(req, 200, productDoc("p1")), nil
		})
		return c
	}
	ctx := context.Background()
	// Keygen (Rails request.host) signs the host without its port.
	_, err := mk("keygen.example.com").Products.Get(ctx, "p1")
	require.NoError(t, err)
	// The Host header as sent, port included, is not what Keygen signs: one spelling only.
	_, err = mk("keygen.example.com:8443").Products.Get(ctx, "p1")
	requireSignatureError(t, err, "does not verify")
	_, err = mk("keygen.example.com:9999").Products.Get(ctx, "p1")
	requireSignatureError(t, err, "does not verify")
	_, err = mk("other.example.com").Products.Get(ctx, "p1")
	requireSignatureError(t, err, "does not verify")
}

func TestSignedErrorAnswers(t *testing.T) {
	t.Parallel()
	priv := newSigningKey(t)
	other := newSigningKey(t)
	notFound := `{"meta":{"id":"req-9"},"errors":[{"title":"Not found","detail":"The requested product 'p1' was not found","code":"NOT_FOUND"}]}`
	ctx := context.Background()

	// A signed 404 is verified and then reported as the API error it is.
	c := signedClient(t, priv, func(req *http.Request) *http.Response { return signer{key: priv}.sign(req, 404, notFound) })
	_, err := c.Products.Get(ctx, "p1")
	require.ErrorIs(t, err, ErrNotFound)
	assert.False(t, errors.Is(err, ErrSignatureInvalid))

	// A 404 that carries a signature from another key is a forgery.
	c = signedClient(t, priv, func(req *http.Request) *http.Response { return signer{key: other}.sign(req, 404, notFound) })
	_, err = c.Products.Get(ctx, "p1")
	requireSignatureError(t, err, "does not verify")

	// A 4xx with a Digest but no signature was stripped of it.
	c = signedClient(t, priv, func(req *http.Request) *http.Response {
		return signer{key: priv, mutate: func(h http.Header, _ *string) { h.Del("Keygen-Signature") }}.sign(req, 422, notFound)
	})
	_, err = c.Products.Get(ctx, "p1")
	requireSignatureError(t, err, "missing Keygen-Signature")

	// Rack-level answers (rate limit, bad request, proxy errors) are never signed by Keygen
	// and pass as plain errors.
	for status, body := range map[int]string{
		429: `{"errors":[{"title":"Too many requests","code":"TOO_MANY_REQUESTS"}]}`,
		400: `{"errors":[{"title":"Bad request","code":"JSON_INVALID"}]}`,
		502: `<html>Bad Gateway</html>`,
	} {
		c = signedClient(t, priv, func(req *http.Request) *http.Response { return jsonResponse(req, status, body) })
		_, err = c.Products.Get(ctx, "p1")
		var apiErr *Error
		require.ErrorAs(t, err, &apiErr, "status %d", status)
		assert.Equal(t, status, apiErr.StatusCode)
		assert.False(t, errors.Is(err, ErrSignatureInvalid))
	}

	// An unsigned success is never accepted.
	c = signedClient(t, priv, func(req *http.Request) *http.Response { return jsonResponse(req, 200, productDoc("p1")) })
	_, err = c.Products.Get(ctx, "p1")
	requireSignatureError(t, err, "missing Keygen-Signature")
}

func TestParseSignatureHeader(t *testing.T) {
	t.Parallel()
	ok := []struct {
		in   string
		want map[string]string
	}{
		{`keyid="k", algorithm="ed25519", signature="c2ln", headers="(request-target) host date digest"`,
			map[string]string{"keyid": "k", "algorithm": "ed25519", "signature": "c2ln", "headers": "(request-target) host date digest"}},
		{`signature="c2ln"`, map[string]string{"signature": "c2ln"}},
		{`  Signature = "c2ln" ,Algorithm="ed25519"  `, map[string]string{"signature": "c2ln", "algorithm": "ed25519"}},
		{`signature="a=b,c", algorithm="ed25519"`, map[string]string{"signature": "a=b,c", "algorithm": "ed25519"}},
		{`algorithm="ed25519", signature="c2ln",`, map[string]string{"signature": "c2ln", "algorithm": "ed25519"}},
		{`, algorithm="ed25519",, signature="c2ln" , ,`, map[string]string{"signature": "c2ln", "algorithm": "ed25519"}},
	}
	for _, tc := range ok {
		got, err := ParseSignatureHeader(tc.in)
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
	bad := map[string]string{
		``:                                       "no signature",
		`algorithm="ed25519"`:                    "no signature",
		`signature=""`:                           "no signature",
		`signature="a", signature="b"`:           "repeats signature",
		`signature="a", Signature="b"`:           "repeats signature",
		`signature=c2ln`:                         "not quoted",
		`signature="c2ln`:                        "unterminated",
		`signature="c2ln" algorithm="ed25519"`:   "junk after signature",
		`signature`:                              "malformed",
		`="c2ln"`:                                "malformed",
		`sig nature="c2ln"`:                      "bad parameter name",
		`signature="c2ln";algorithm="ed25519"`:   "junk after signature",
		`algorithm="ed25519", ;signature="c2ln"`: "bad parameter name",
		`signature="c2ln", algorithm="ed25519", junk`:        "malformed",
		`signature="c2ln", algorithm="ed25519", x="1" y="2"`: "junk after x",
	}
	for in, reason := range bad {
		_, err := ParseSignatureHeader(in)
		require.ErrorIs(t, err, ErrSignatureInvalid, in)
		assert.Contains(t, err.Error(), reason, in)
	}
}
