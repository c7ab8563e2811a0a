package keygen_test

// End-to-end tests of response signatures (keygen-sh/keygen-api,
// app/controllers/concerns/signature_headers.rb): a client WithPublicKey talks to
// keygentest through a RoundTripper that can rewrite each real, signed answer in transit,
// as a man in the middle would. Every rewrite must fail closed with a
// *keygen.SignatureError; every untouched answer must pass.

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	keygen "github.com/licensekit/keygen"
	"github.com/licensekit/keygen/keygentest"
)

// answer is one HTTP answer as keygentest sent it (or as the man in the middle rewrote it).
type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a *answer) clone() *answer {
	return &answer{status: a.status, header: a.header.Clone(), body: append([]byte(nil), a.body...)}
}

// rewriteFunc turns the real answer to req into the one the SDK receives. It may return the
// answer it was given, changed, or any other.
type rewriteFunc func(req *http.Request, real *answer) *answer

// mitm is an http.RoundTripper between the SDK and keygentest. It records every real answer
// and rewrites the next one when told to.
type mitm struct {
	base http.RoundTripper

	mu      sync.Mutex
	rewrite rewriteFunc         // applied to the next answer only
	editReq func(*http.Request) // applied to the next request only
	seen    []*answer           // every real answer, untouched
	calls   []string            // "METHOD /path" of every request
}

func newMITM() *mitm { return &mitm{base: http.DefaultTransport} }

// next rewrites the next answer (and only that one) with fn.
func (m *mitm) next(fn rewriteFunc) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.rewrite = fn
}

// nextRequest changes the next request before keygentest sees it.
func (m *mitm) nextRequest(fn func(*http.Request)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.editReq = fn
}

// last returns a copy of the last real answer.
func (m *mitm) last() *answer {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.seen[len(m.seen)-1].clone()
}

func (m *mitm) RoundTrip(req *http.Request) (*http.Response, error) {
	m.mu.Lock()
	rw, edit := m.rewrite, m.editReq
	m.rewrite, m.editReq = nil, nil
	m.calls = append(m.calls, req.Method+" "+req.URL.Path)
	m.mu.Unlock()

	out := req
	if edit != nil {
		out = req.Clone(req.Context())
		edit(out)
	}
	res, err := m.base.RoundTrip(out)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return nil, err
	}
	a := &answer{status: res.StatusCode, header: res.Header.Clone(), body: body}
	m.mu.Lock()
	m.seen = append(m.seen, a.clone())
	m.mu.Unlock()
	if rw != nil {
		a = rw(req, a)
	}
	return &http.Response{
		Status:        fmt.Sprintf("%d %s", a.status, http.StatusText(a.status)),
		StatusCode:    a.status,
		Proto:         res.Proto,
		ProtoMajor:    res.ProtoMajor,
		ProtoMinor:    res.ProtoMinor,
		Header:        a.header,
		Body:          io.NopCloser(bytes.NewReader(a.body)),
		ContentLength: int64(len(a.body)),
		Request:       req,
	}, nil
}

// sigE2E is a keygentest server, its admin client (direct, for setup) and a verifying admin
// client whose answers pass through m.
type sigE2E struct {
	*e2e
	m *mitm
	c *keygen.Client
}

func newSigE2E(t *testing.T, srvOpts []keygentest.Option, clientOpts ...keygen.Option) *sigE2E {
	t.Helper()
	srv := keygentest.NewServer(srvOpts...)
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	e := &e2e{t: t, ctx: ctx, srv: srv, admin: srv.Client(keygen.WithoutRetries())}
	m := newMITM()
	return &sigE2E{e2e: e, m: m, c: e.signedClient(m, clientOpts...)}
}

// signedClient is an admin client that checks signatures and sends through rt.
func (e *e2e) signedClient(rt http.RoundTripper, opts ...keygen.Option) *keygen.Client {
	e.t.Helper()
	return e.tokenClient(e.srv.AdminToken, append([]keygen.Option{
		keygen.WithPublicKey(e.srv.PublicKey),
		keygen.WithHTTPClient(&http.Client{Transport: rt, Timeout: 10 * time.Second}),
	}, opts...)...)
}

// sigFail asserts that err is a signature failure (and nothing else: not an API error) whose
// reason mentions want.
func sigFail(t *testing.T, err error, want string) {
	t.Helper()
	require.Error(t, err, "a tampered answer must not be accepted")
	require.ErrorIs(t, err, keygen.ErrSignatureInvalid)
	var se *keygen.SignatureError
	require.True(t, errors.As(err, &se), "want *keygen.SignatureError, got %T: %v", err, err)
	require.NotEmpty(t, se.Reason)
	assert.Contains(t, se.Reason, want)
	var ae *keygen.Error
	assert.False(t, errors.As(err, &ae), "a signature failure must not pass for an API error: %v", err)
}

// flipByte changes one byte in the middle of the body.
func flipByte(_ *http.Request, a *answer) *answer {
	if len(a.body) == 0 {
		panic("flipByte: empty body")
	}
	a.body[len(a.body)/2] ^= 0x01
	return a
}

// replace returns a rewrite that answers with a copy of other, whatever was asked.
func replace(other *answer) rewriteFunc {
	return func(*http.Request, *answer) *answer { return other.clone() }
}

// digestOf is the Digest header value of body (keygen-sh/keygen-api,
// app/controllers/concerns/signature_methods.rb: generate_digest_header).
func digestOf(body []byte) string {
	sum := sha256.Sum256(body)
	return "sha-256=" + base64.StdEncoding.EncodeToString(sum[:])
}

// signingString builds the signed string for an answer to req (keygen-sh/keygen-api,
// app/controllers/concerns/signature_methods.rb: generate_signing_data).
func signingString(req *http.Request, a *answer) string {
	host, _, err := net.SplitHostPort(req.URL.Host)
	if err != nil {
		host = req.URL.Host
	}
	return "(request-target): " + strings.ToLower(req.Method) + " " + req.URL.RequestURI() + "\n" +
		"host: " + host + "\n" +
		"date: " + a.header.Get("Date") + "\n" +
		"digest: " + a.header.Get("Digest")
}

// sigParam extracts one parameter of a Keygen-Signature header.
func sigParam(t *testing.T, header, name string) string {
	t.Helper()
	p, err := keygen.ParseSignatureHeader(header)
	require.NoError(t, err)
	return p[name]
}

// TestE2ESignaturesTampered rewrites real keygentest answers in transit and checks that a
// client WithPublicKey rejects each one.
func TestE2ESignaturesTampered(t *testing.T) {
	t.Parallel()
	e := newSigE2E(t, nil)
	ctx, c, m := e.ctx, e.c, e.m

	prodA, prodB := e.product("Product A"), e.product("Product B")
	pol := e.policy(keygen.PolicyCreateOptions{ProductID: prodA.ID})
	lic, err := e.admin.Licenses.Create(ctx, keygen.LicenseCreateOptions{PolicyID: pol.ID})
	require.NoError(t, err)
	suspended, err := e.admin.Licenses.Create(ctx, keygen.LicenseCreateOptions{PolicyID: pol.ID})
	require.NoError(t, err)
	_, err = e.admin.Licenses.Suspend(ctx, suspended.ID)
	require.NoError(t, err)

	getA := func() error { _, err := c.Products.Get(ctx, prodA.ID); return err }
	getB := func() error { _, err := c.Products.Get(ctx, prodB.ID); return err }
	list := func() error { _, err := c.Products.List(ctx, nil); return err }
	create := func() error {
		_, err := c.Products.Create(ctx, keygen.ProductCreateOptions{Name: "Created " + randomHex(t, 4)})
		return err
	}
	validateKey := func() error { _, err := c.Licenses.ValidateKey(ctx, lic.Key, nil); return err }

	// Real answers to swap parts from. The untouched calls pass.
	require.NoError(t, getA())
	realA := m.last()
	require.NoError(t, getB())
	realB := m.last()
	require.NotEqual(t, realA.header.Get("Digest"), realB.header.Get("Digest"))
	require.NotEqual(t, realA.header.Get("Keygen-Signature"), realB.header.Get("Keygen-Signature"))

	t.Run("one body byte changed", func(t *testing.T) {
		for name, call := range map[string]func() error{"Get": getA, "List": list, "Create": create, "ValidateKey": validateKey} {
			t.Run(name, func(t *testing.T) {
				require.NoError(t, call(), "untouched")
				m.next(flipByte)
				sigFail(t, call(), "body does not match its Digest")
			})
		}
	})

	t.Run("invalid validation made valid, Digest recomputed", func(t *testing.T) {
		v, err := c.Licenses.ValidateKey(ctx, suspended.Key, nil)
		require.NoError(t, err)
		require.False(t, v.Valid)
		require.Equal(t, keygen.ValidationSuspended, v.Code)
		m.next(func(_ *http.Request, a *answer) *answer {
			b := bytes.Replace(a.body, []byte(`"valid":false`), []byte(`"valid":true`), 1)
			b = bytes.Replace(b, []byte(`"SUSPENDED"`), []byte(`"VALID"`), 1)
			require.NotEqual(t, a.body, b, "the rewrite must change the answer")
			a.body = b
			a.header.Set("Digest", digestOf(b))
			return a
		})
		_, err = c.Licenses.ValidateKey(ctx, suspended.Key, nil)
		sigFail(t, err, "Keygen-Signature does not verify")
	})

	t.Run("Digest of another answer", func(t *testing.T) {
		m.next(func(_ *http.Request, a *answer) *answer {
			a.header.Set("Digest", realB.header.Get("Digest"))
			return a
		})
		sigFail(t, getA(), "body does not match its Digest")
	})

	t.Run("body and Digest of another answer", func(t *testing.T) {
		m.next(func(_ *http.Request, a *answer) *answer {
			a.body = realB.clone().body
			a.header.Set("Digest", realB.header.Get("Digest"))
			return a
		})
		sigFail(t, getA(), "Keygen-Signature does not verify")
	})

	t.Run("Keygen-Signature of another answer", func(t *testing.T) {
		m.next(func(_ *http.Request, a *answer) *answer {
			a.header.Set("Keygen-Signature", realB.header.Get("Keygen-Signature"))
			return a
		})
		sigFail(t, getA(), "Keygen-Signature does not verify")
	})

	for _, h := range []string{"Keygen-Signature", "Digest", "Date"} {
		t.Run(h+" missing", func(t *testing.T) {
			m.next(func(_ *http.Request, a *answer) *answer {
				require.NotEmpty(t, a.header.Get(h), "keygentest sends %s", h)
				a.header.Del(h)
				return a
			})
			sigFail(t, getA(), "missing "+h+" header")
		})
	}

	t.Run("Keygen-Signature and Digest both stripped from a 200", func(t *testing.T) {
		m.next(func(_ *http.Request, a *answer) *answer {
			a.header.Del("Keygen-Signature")
			a.header.Del("Digest")
			a.header.Del("Keygen-Digest")
			return a
		})
		sigFail(t, getA(), "missing Keygen-Signature header")
	})

	t.Run("Date of another answer", func(t *testing.T) {
		old := realA.header.Get("Date")
		e.srv.Advance(2 * time.Minute) // still within the 5 minute tolerance
		defer e.srv.Advance(-2 * time.Minute)
		m.next(func(_ *http.Request, a *answer) *answer {
			require.NotEqual(t, old, a.header.Get("Date"), "the swapped Date must differ")
			a.header.Set("Date", old)
			return a
		})
		sigFail(t, getA(), "Keygen-Signature does not verify")
	})

	t.Run("signed with another key over the correct signing string", func(t *testing.T) {
		pub, err := keygen.ParsePublicKey(e.srv.PublicKey)
		require.NoError(t, err)
		_, otherKey, err := ed25519.GenerateKey(rand.Reader)
		require.NoError(t, err)
		m.next(func(req *http.Request, a *answer) *answer {
			msg := []byte(signingString(req, a))
			hdr := a.header.Get("Keygen-Signature")
			genuine, err := base64.StdEncoding.DecodeString(sigParam(t, hdr, "signature"))
			require.NoError(t, err)
			// The signing string is right: the real signature verifies over it.
			require.True(t, ed25519.Verify(pub, msg, genuine), "signing string %q", msg)
			forged := base64.StdEncoding.EncodeToString(ed25519.Sign(otherKey, msg))
			a.header.Set("Keygen-Signature", strings.Replace(hdr, sigParam(t, hdr, "signature"), forged, 1))
			require.NotEqual(t, hdr, a.header.Get("Keygen-Signature"))
			return a
		})
		sigFail(t, getA(), "Keygen-Signature does not verify")
	})

	t.Run("answer for another path replayed", func(t *testing.T) {
		m.next(replace(realA))
		sigFail(t, getB(), "Keygen-Signature does not verify for GET /v1/accounts/"+e.srv.AccountID+"/products/"+prodB.ID)
	})

	t.Run("answer for another query replayed", func(t *testing.T) {
		_, err := c.Products.List(ctx, &keygen.ProductListOptions{ListOptions: keygen.ListOptions{PageSize: 1, PageNumber: 1}})
		require.NoError(t, err)
		page1 := m.last()
		m.next(replace(page1))
		_, err = c.Products.List(ctx, &keygen.ProductListOptions{ListOptions: keygen.ListOptions{PageSize: 1, PageNumber: 2}})
		sigFail(t, err, "Keygen-Signature does not verify")
	})

	t.Run("redirected to another resource", func(t *testing.T) {
		// The client follows a forged redirect to a real, signed answer for product B: it is
		// not the answer to the request the SDK made.
		m.next(func(*http.Request, *answer) *answer {
			h := http.Header{}
			h.Set("Location", e.srv.URL+"/v1/accounts/"+e.srv.AccountID+"/products/"+prodB.ID)
			return &answer{status: http.StatusFound, header: h}
		})
		p, err := c.Products.Get(ctx, prodA.ID)
		if p != nil {
			t.Logf("accepted product %s for %s", p.ID, prodA.ID)
		}
		sigFail(t, err, "Keygen-Signature does not verify")
	})

	t.Run("validation redirected to another license", func(t *testing.T) {
		// 307 keeps the method and body (with our nonce): the answer is a real, signed, valid
		// validation of another license, echoing our nonce.
		m.next(func(*http.Request, *answer) *answer {
			h := http.Header{}
			h.Set("Location", e.srv.URL+"/v1/accounts/"+e.srv.AccountID+"/licenses/"+lic.ID+"/actions/validate")
			return &answer{status: http.StatusTemporaryRedirect, header: h}
		})
		v, err := c.Licenses.Validate(ctx, suspended.ID, nil)
		if v != nil {
			t.Logf("accepted validation of %s (valid=%v) for %s", v.License.ID, v.Valid, suspended.ID)
		}
		sigFail(t, err, "Keygen-Signature does not verify")
	})

	t.Run("validation answer for another nonce", func(t *testing.T) {
		first, err := c.Licenses.ValidateKey(ctx, lic.Key, nil)
		require.NoError(t, err)
		require.NotZero(t, first.Nonce, "WithPublicKey sends a nonce")
		recorded := m.last()
		// Same path, so the signature is valid; only the nonce tells the answers apart.
		m.next(replace(recorded))
		_, err = c.Licenses.ValidateKey(ctx, lic.Key, nil)
		sigFail(t, err, "nonce")

		// The same with a caller's nonce.
		_, err = c.Licenses.Validate(ctx, lic.ID, &keygen.ValidateOptions{Nonce: 42})
		require.NoError(t, err)
		recorded = m.last()
		m.next(replace(recorded))
		_, err = c.Licenses.Validate(ctx, lic.ID, &keygen.ValidateOptions{Nonce: 43})
		sigFail(t, err, "nonce")
	})

	t.Run("signed 404", func(t *testing.T) {
		missing := "00000000-0000-4000-8000-" + randomHex(t, 6)
		getMissing := func() error { _, err := c.Products.Get(ctx, missing); return err }
		err := getMissing()
		apiErr(t, err, http.StatusNotFound)
		assert.NotErrorIs(t, err, keygen.ErrSignatureInvalid)
		real404 := m.last()
		require.NotEmpty(t, real404.header.Get("Keygen-Signature"), "keygentest signs controller errors")

		m.next(flipByte)
		sigFail(t, getMissing(), "body does not match its Digest")

		m.next(func(_ *http.Request, a *answer) *answer {
			a.header.Set("Keygen-Signature", realB.header.Get("Keygen-Signature"))
			return a
		})
		sigFail(t, getMissing(), "Keygen-Signature does not verify")

		m.next(func(_ *http.Request, a *answer) *answer {
			a.header.Del("Keygen-Signature")
			return a
		})
		sigFail(t, getMissing(), "missing Keygen-Signature header")

		// A real signed 404 replayed for an existing product does not make it disappear.
		m.next(replace(real404))
		sigFail(t, getA(), "Keygen-Signature does not verify")
	})

	t.Run("unsigned 400 from the rack level", func(t *testing.T) {
		m.nextRequest(func(r *http.Request) { r.Header.Set("Accept", "text/html") })
		err := getA()
		ae := apiErr(t, err, http.StatusBadRequest)
		assert.True(t, ae.HasCode("MIME_TYPE_INVALID"), "%v", err)
		assert.NotErrorIs(t, err, keygen.ErrSignatureInvalid)
		assert.Empty(t, m.last().header.Get("Keygen-Signature"), "rack errors are unsigned")
	})
}

// TestE2ESignaturesRateLimited: keygentest's 429 is unsigned (rack level, as Keygen's:
// keygen-sh/keygen-api, config/initializers/rack_attack.rb) and comes through as the rate
// limit error it is.
func TestE2ESignaturesRateLimited(t *testing.T) {
	t.Parallel()
	e := newSigE2E(t, []keygentest.Option{keygentest.WithRateLimit(2, time.Minute)})
	for range 2 {
		_, err := e.c.Products.List(e.ctx, nil)
		require.NoError(t, err)
	}
	_, err := e.c.Products.List(e.ctx, nil)
	var rl *keygen.RateLimitError
	require.True(t, errors.As(err, &rl), "want *keygen.RateLimitError, got %T: %v", err, err)
	apiErr(t, err, http.StatusTooManyRequests)
	assert.ErrorIs(t, err, keygen.ErrRateLimited)
	assert.NotErrorIs(t, err, keygen.ErrSignatureInvalid)
	assert.Empty(t, e.m.last().header.Get("Keygen-Signature"))
}

// TestE2ESignaturesDate: a server whose clock is 10 minutes off signs Dates 10 minutes off;
// they are rejected with the default tolerance of 5 minutes and accepted with 15.
func TestE2ESignaturesDate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		offset time.Duration
	}{{"10 minutes old", -10 * time.Minute}, {"10 minutes ahead", 10 * time.Minute}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newSigE2E(t, []keygentest.Option{keygentest.WithStartTime(time.Now().Add(tc.offset))})
			_, err := e.c.Products.List(e.ctx, nil)
			sigFail(t, err, "away from the local clock")
			d, err := http.ParseTime(e.m.last().header.Get("Date"))
			require.NoError(t, err)
			assert.InDelta(t, tc.offset.Seconds(), time.Until(d).Seconds(), 30, "Date %s", d)

			_, err = e.c.Licenses.ValidateKey(e.ctx, "NO-SUCH-KEY", nil)
			sigFail(t, err, "away from the local clock")

			lenient := e.signedClient(e.m, keygen.WithClockSkew(15*time.Minute))
			_, err = lenient.Products.List(e.ctx, nil)
			require.NoError(t, err)
			v, err := lenient.Licenses.ValidateKey(e.ctx, "NO-SUCH-KEY", nil)
			require.NoError(t, err)
			assert.Equal(t, keygen.ValidationNotFound, v.Code)
		})
	}
}

// TestE2ESignaturesUntouched runs every service through the same transport, passing every
// answer through: a client WithPublicKey accepts all of keygentest's real answers.
func TestE2ESignaturesUntouched(t *testing.T) {
	t.Parallel()
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(hook.Close)
	e := newSigE2E(t, []keygentest.Option{keygentest.WithInsecureWebhooks()})
	ctx, c := e.ctx, e.c
	ok := func(err error) { t.Helper(); require.NoError(t, err) }
	do := func(_ any, err error) { t.Helper(); ok(err) }

	// The check is on: the same client with another account's key refuses the answers.
	otherPub, _, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	wrong := e.tokenClient(e.srv.AdminToken, keygen.WithPublicKey(hex.EncodeToString(otherPub)),
		keygen.WithHTTPClient(&http.Client{Transport: e.m}))
	_, err = wrong.Products.List(ctx, nil)
	sigFail(t, err, "Keygen-Signature does not verify")

	// Webhook endpoints.
	wh, err := c.Webhooks.Create(ctx, keygen.WebhookCreateOptions{URL: hook.URL + "/hook"})
	ok(err)
	do(c.Webhooks.Get(ctx, wh.ID))
	do(c.Webhooks.Update(ctx, wh.ID, keygen.WebhookUpdateOptions{Subscriptions: []string{keygen.EventAll}}))
	do(c.Webhooks.List(ctx, nil))
	collect(t, c.Webhooks.All(ctx, nil))

	// Profile.
	do(c.Profile.Get(ctx))

	// Products.
	prod, err := c.Products.Create(ctx, keygen.ProductCreateOptions{Name: "Signed"})
	ok(err)
	do(c.Products.Get(ctx, prod.ID))
	do(c.Products.Update(ctx, prod.ID, keygen.ProductUpdateOptions{Name: keygen.Ptr("Signed 2")}))
	do(c.Products.List(ctx, nil))
	collect(t, c.Products.All(ctx, nil))

	// Policies and the key pool.
	pol, err := c.Policies.Create(ctx, keygen.PolicyCreateOptions{
		ProductID: prod.ID, Name: "Pro", Floating: keygen.Ptr(true), MaxMachines: keygen.Ptr(2), Duration: keygen.Ptr(30 * 24 * 3600),
		RequireCheckIn: keygen.Ptr(true), CheckInInterval: "day", CheckInIntervalCount: keygen.Ptr(1),
	})
	ok(err)
	do(c.Policies.Get(ctx, pol.ID))
	do(c.Policies.Update(ctx, pol.ID, keygen.PolicyUpdateOptions{Name: keygen.Ptr("Pro 2")}))
	do(c.Policies.List(ctx, nil))
	collect(t, c.Policies.All(ctx, nil))
	pool, err := c.Policies.Create(ctx, keygen.PolicyCreateOptions{ProductID: prod.ID, Name: "Pooled", UsePool: keygen.Ptr(true)})
	ok(err)

	// Keys.
	key, err := c.Keys.Create(ctx, keygen.KeyCreateOptions{Key: "POOLED-KEY-0001", PolicyID: pool.ID})
	ok(err)
	do(c.Keys.Create(ctx, keygen.KeyCreateOptions{Key: "POOLED-KEY-0002", PolicyID: pool.ID}))
	do(c.Keys.Get(ctx, key.ID))
	do(c.Keys.Update(ctx, key.ID, keygen.KeyUpdateOptions{Key: keygen.Ptr("POOLED-KEY-0001-B")}))
	do(c.Keys.List(ctx, nil))
	collect(t, c.Keys.All(ctx, nil))
	ok(c.Keys.Delete(ctx, key.ID))
	do(c.Policies.PopKey(ctx, pool.ID))

	// Users.
	user, err := c.Users.Create(ctx, keygen.UserCreateOptions{Email: "signed@example.com", Password: "password-1"})
	ok(err)
	do(c.Users.Get(ctx, user.ID))
	do(c.Users.Update(ctx, user.ID, keygen.UserUpdateOptions{FirstName: keygen.Set("Sig")}))
	do(c.Users.List(ctx, nil))
	collect(t, c.Users.All(ctx, nil))
	do(c.Users.Ban(ctx, user.ID))
	do(c.Users.Unban(ctx, user.ID))
	ok(c.Users.RequestPasswordReset(ctx, user.Email, false))

	// Tokens.
	tok, err := c.Tokens.Generate(ctx, user.Email, "password-1", nil)
	ok(err)
	do(c.Tokens.Get(ctx, tok.ID))
	do(c.Tokens.List(ctx, nil))
	collect(t, c.Tokens.All(ctx, nil))
	regen, err := c.Tokens.Regenerate(ctx, tok.ID)
	ok(err)
	ok(c.Tokens.Revoke(ctx, regen.ID))
	// The user changes their own password, through the same verifying transport.
	own, err := c.Tokens.Generate(ctx, user.Email, "password-1", nil)
	ok(err)
	userClient := e.tokenClient(own.Secret, keygen.WithPublicKey(e.srv.PublicKey),
		keygen.WithHTTPClient(&http.Client{Transport: e.m}))
	do(userClient.Profile.Get(ctx))
	do(userClient.Users.UpdatePassword(ctx, user.ID, "password-1", "password-2"))

	// Licenses.
	lic, err := c.Licenses.Create(ctx, keygen.LicenseCreateOptions{PolicyID: pol.ID, OwnerID: user.ID})
	ok(err)
	do(c.Licenses.Get(ctx, lic.ID))
	do(c.Licenses.Update(ctx, lic.ID, keygen.LicenseUpdateOptions{Name: keygen.Set("Signed license")}))
	do(c.Licenses.List(ctx, nil))
	collect(t, c.Licenses.All(ctx, nil))
	do(c.Licenses.Validate(ctx, lic.ID, nil))
	do(c.Licenses.ValidateKey(ctx, lic.Key, &keygen.ValidateOptions{Scope: &keygen.ValidationScope{Fingerprint: "fp-1"}}))
	do(c.Licenses.Suspend(ctx, lic.ID))
	do(c.Licenses.Reinstate(ctx, lic.ID))
	do(c.Licenses.Renew(ctx, lic.ID))
	do(c.Licenses.CheckIn(ctx, lic.ID))
	do(c.Licenses.CheckOut(ctx, lic.ID, nil))
	do(c.Licenses.CheckOut(ctx, lic.ID, &keygen.CheckOutOptions{Encrypt: true, Include: []string{"policy"}}))

	// Machines.
	mach, err := c.Machines.Create(ctx, keygen.MachineCreateOptions{LicenseID: lic.ID, Fingerprint: "fp-1"})
	ok(err)
	do(c.Machines.Get(ctx, mach.ID))
	do(c.Machines.Update(ctx, mach.ID, keygen.MachineUpdateOptions{Name: keygen.Set("Workstation")}))
	do(c.Machines.List(ctx, nil))
	collect(t, c.Machines.All(ctx, nil))
	do(c.Machines.Ping(ctx, mach.ID))
	do(c.Machines.Reset(ctx, mach.ID))
	do(c.Machines.CheckOut(ctx, mach.ID, nil))
	v, err := c.Licenses.ValidateKey(ctx, lic.Key, &keygen.ValidateOptions{Scope: &keygen.ValidationScope{Fingerprint: "fp-1"}})
	ok(err)
	assert.True(t, v.Valid, "%s %s", v.Code, v.Detail)
	ok(c.Machines.Delete(ctx, mach.ID))

	// Webhook events (the endpoint answered 204 to each).
	ok(e.srv.WaitWebhooks(ctx))
	events, err := c.WebhookEvents.List(ctx, nil)
	ok(err)
	require.NotEmpty(t, events.Data)
	collect(t, c.WebhookEvents.All(ctx, nil))
	do(c.WebhookEvents.Get(ctx, events.Data[0].ID))
	do(c.WebhookEvents.Retry(ctx, events.Data[0].ID))
	ok(e.srv.WaitWebhooks(ctx))
	ok(c.WebhookEvents.Delete(ctx, events.Data[1].ID))

	// Deletions (204 answers are signed too: the digest of an empty body).
	ok(c.Licenses.Revoke(ctx, lic.ID))
	ok(c.Users.Delete(ctx, user.ID))
	ok(c.Policies.Delete(ctx, pool.ID))
	ok(c.Policies.Delete(ctx, pol.ID))
	ok(c.Products.Delete(ctx, prod.ID))
	ok(c.Webhooks.Delete(ctx, wh.ID))

	// Every answer went through the transport, and every one was signed, so every one was
	// checked.
	e.m.mu.Lock()
	defer e.m.mu.Unlock()
	require.Equal(t, len(e.m.calls), len(e.m.seen))
	require.Greater(t, len(e.m.seen), 70)
	for i, a := range e.m.seen {
		assert.NotEmpty(t, a.header.Get("Keygen-Signature"), "answer %d to %s (%d) is unsigned", i, e.m.calls[i], a.status)
		assert.Less(t, a.status, 300, "answer %d to %s", i, e.m.calls[i])
		if a.status == http.StatusNoContent {
			assert.Equal(t, digestOf(nil), a.header.Get("Digest"))
		}
	}
}
