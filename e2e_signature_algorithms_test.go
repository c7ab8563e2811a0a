package keygen_test

// End-to-end tests of the four signature algorithms Keygen signs with (keygen-api
// app/controllers/concerns/signature_methods.rb): a client asks keygentest for one with
// WithSignatureAlgorithm, through an httptest reverse proxy that can tamper with what passes;
// webhook endpoints registered with each signatureAlgorithm deliver real events.

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	keygen "github.com/licensekit/keygen"
	"github.com/licensekit/keygen/keygentest"
)

var signatureAlgorithms = []string{"ed25519", "rsa-pss-sha256", "rsa-sha256", "ecdsa-p256"}

// accountKey is the server's public key that checks alg, as Keygen shows it (hex for Ed25519,
// PEM for RSA and ECDSA).
func accountKey(srv *keygentest.Server, alg string) string {
	switch alg {
	case "ed25519":
		return srv.PublicKey
	case "rsa-pss-sha256", "rsa-sha256":
		return srv.RSAPublicKeyPEM()
	case "ecdsa-p256":
		return srv.ECDSAPublicKeyPEM()
	}
	panic("unknown algorithm " + alg)
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// proxyMode is what sigProxy does to the next exchanges.
type proxyMode struct {
	flip   bool   // change one byte in the middle of the answer's body
	rehash bool   // and put that body's Digest in the answer
	accept string // replaces the request's Keygen-Accept-Signature; "-" removes it
}

// sigProxy is a reverse proxy between the SDK and keygentest.
type sigProxy struct {
	*httptest.Server
	mu   sync.Mutex
	mode proxyMode
	algs []string // the algorithm parameter of every answer's Keygen-Signature
}

func newSigProxy(t *testing.T, target string) *sigProxy {
	t.Helper()
	u, err := url.Parse(target)
	require.NoError(t, err)
	p := &sigProxy{}
	rp := httputil.NewSingleHostReverseProxy(u)
	direct := rp.Director
	rp.Director = func(r *http.Request) {
		direct(r)
		switch a := p.current().accept; a {
		case "":
		case "-":
			r.Header.Del("Keygen-Accept-Signature")
		default:
			r.Header.Set("Keygen-Accept-Signature", a)
		}
	}
	rp.ModifyResponse = func(res *http.Response) error {
		alg := ""
		if params, err := keygen.ParseSignatureHeader(res.Header.Get("Keygen-Signature")); err == nil {
			alg = params["algorithm"]
		}
		m := p.current()
		p.mu.Lock()
		p.algs = append(p.algs, alg)
		p.mu.Unlock()
		if !m.flip {
			return nil
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			return err
		}
		if len(body) == 0 {
			panic("sigProxy: nothing to tamper with")
		}
		body[len(body)/2] ^= 0x01
		if m.rehash {
			res.Header.Set("Digest", digestOf(body))
		}
		res.Body = io.NopCloser(bytes.NewReader(body))
		res.ContentLength = int64(len(body))
		res.Header.Set("Content-Length", strconv.Itoa(len(body)))
		return nil
	}
	p.Server = httptest.NewServer(rp)
	t.Cleanup(p.Close)
	return p
}

func (p *sigProxy) set(m proxyMode) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.mode = m
}

func (p *sigProxy) current() proxyMode {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.mode
}

// seen returns the algorithms of the answers since the last call.
func (p *sigProxy) seen() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := p.algs
	p.algs = nil
	return out
}

// TestE2ESignatureAlgorithms: for each algorithm, a client with the matching account key
// makes real calls to keygentest through a reverse proxy: untouched answers verify, each
// signed in the algorithm asked for; tampered ones, answers in another algorithm (the proxy
// rewrote what the client asked for) and another account's key are refused.
func TestE2ESignatureAlgorithms(t *testing.T) {
	t.Parallel()
	otherAccount := keygentest.NewServer()
	t.Cleanup(otherAccount.Close)
	downgrade := map[string]string{
		"ed25519":        "ecdsa-p256",
		"rsa-pss-sha256": "rsa-sha256",
		"rsa-sha256":     "rsa-pss-sha256",
		"ecdsa-p256":     "ed25519",
	}
	for _, alg := range signatureAlgorithms {
		t.Run(alg, func(t *testing.T) {
			t.Parallel()
			e := newE2E(t)
			ctx := e.ctx
			prod := e.product("Signed " + alg)
			pol := e.policy(keygen.PolicyCreateOptions{ProductID: prod.ID})
			lic, err := e.admin.Licenses.Create(ctx, keygen.LicenseCreateOptions{PolicyID: pol.ID})
			require.NoError(t, err)
			missing := "00000000-0000-4000-8000-" + randomHex(t, 6)

			p := newSigProxy(t, e.srv.URL)
			client := func(key string) *keygen.Client {
				return e.tokenClient(e.srv.AdminToken, keygen.WithBaseURL(p.URL),
					keygen.WithPublicKey(key), keygen.WithSignatureAlgorithm(alg))
			}
			getLicense := func(c *keygen.Client) error {
				l, err := c.Licenses.Get(ctx, lic.ID)
				if err == nil {
					assert.Equal(t, lic.Key, l.Key)
				}
				return err
			}
			validateKey := func(c *keygen.Client) error {
				v, err := c.Licenses.ValidateKey(ctx, lic.Key, nil)
				if err == nil {
					assert.True(t, v.Valid, "%s %s", v.Code, v.Detail)
					assert.NotZero(t, v.Nonce, "WithPublicKey sends a nonce")
				}
				return err
			}
			list := func(c *keygen.Client) error {
				page, err := c.Licenses.List(ctx, nil)
				if err == nil {
					assert.Equal(t, []string{lic.ID}, ids(page.Data, func(l *keygen.License) string { return l.ID }))
				}
				return err
			}
			getMissing := func(c *keygen.Client) error { _, err := c.Licenses.Get(ctx, missing); return err }

			for form, key := range map[string]string{"as shown": accountKey(e.srv, alg), "base64 (meta.keys)": b64(accountKey(e.srv, alg))} {
				t.Run("untouched, key "+form, func(t *testing.T) {
					c := client(key)
					require.NoError(t, getLicense(c))
					require.NoError(t, validateKey(c))
					require.NoError(t, list(c))
					err := getMissing(c)
					apiErr(t, err, http.StatusNotFound)
					assert.NotErrorIs(t, err, keygen.ErrSignatureInvalid, "a signed 404 verifies")
					assert.Equal(t, []string{alg, alg, alg, alg}, p.seen(), "keygentest signed in the algorithm asked for")
				})
			}

			c := client(accountKey(e.srv, alg))
			calls := map[string]func(*keygen.Client) error{"get": getLicense, "validate-key": validateKey, "list": list, "404": getMissing}
			t.Run("one body byte changed", func(t *testing.T) {
				p.set(proxyMode{flip: true})
				defer p.set(proxyMode{})
				for _, call := range calls {
					sigFail(t, call(c), "body does not match its Digest")
				}
			})
			t.Run("body changed and Digest recomputed", func(t *testing.T) {
				p.set(proxyMode{flip: true, rehash: true})
				defer p.set(proxyMode{})
				for _, call := range calls {
					sigFail(t, call(c), "Keygen-Signature does not verify")
				}
			})
			t.Run("signed in another algorithm", func(t *testing.T) {
				p.seen()
				p.set(proxyMode{accept: `algorithm="` + downgrade[alg] + `"`})
				defer p.set(proxyMode{})
				for _, call := range calls {
					sigFail(t, call(c), `algorithm "`+downgrade[alg]+`" is not `+alg)
				}
				// Genuine signatures of the account, in the algorithm the proxy asked for.
				assert.Equal(t, []string{downgrade[alg], downgrade[alg], downgrade[alg], downgrade[alg]}, p.seen())
			})
			t.Run("Keygen-Accept-Signature stripped", func(t *testing.T) {
				p.set(proxyMode{accept: "-"})
				defer p.set(proxyMode{})
				err := getLicense(c)
				assert.Equal(t, []string{"ed25519"}, p.seen(), "Keygen's default")
				if alg == "ed25519" {
					require.NoError(t, err)
					return
				}
				sigFail(t, err, `algorithm "ed25519" is not `+alg)
			})
			t.Run("another account's key of the same type", func(t *testing.T) {
				for _, call := range calls {
					sigFail(t, call(client(accountKey(otherAccount, alg))), "Keygen-Signature does not verify")
				}
			})
			t.Run("untouched again", func(t *testing.T) {
				for _, call := range calls {
					err := call(c)
					if err != nil {
						apiErr(t, err, http.StatusNotFound)
					}
				}
			})
		})
	}
}

// hook is one delivery as the receiver got it.
type hook struct {
	alg string
	req keygen.WebhookRequest
	ev  *keygen.WebhookEvent
	err error
}

// TestE2EWebhookSignatureAlgorithms registers one endpoint per signatureAlgorithm on
// keygentest; each real delivery verifies with the matching account key, pinned to that
// algorithm, and is refused tampered, with a key of another type, pinned to the other RSA
// algorithm, or with another account's key.
func TestE2EWebhookSignatureAlgorithms(t *testing.T) {
	t.Parallel()
	srv := keygentest.NewServer(keygentest.WithInsecureWebhooks())
	t.Cleanup(srv.Close)
	otherAccount := keygentest.NewServer()
	t.Cleanup(otherAccount.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	admin := srv.Client(keygen.WithoutRetries())
	keys := map[string]string{}
	for _, alg := range signatureAlgorithms {
		keys[alg] = accountKey(srv, alg)
	}

	var mu sync.Mutex
	var got []hook
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		alg := strings.TrimPrefix(r.URL.Path, "/hooks/")
		ev, err := keygen.ParseWebhook(r, keys[alg], keygen.WithWebhookClock(srv.Now), keygen.WithWebhookAlgorithm(alg))
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, hook{alg: alg, ev: ev, err: err,
			req: keygen.WebhookRequest{Method: r.Method, Host: r.Host, RequestURI: r.RequestURI, Header: r.Header.Clone(), Body: body}})
		mu.Unlock()
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(rc.Close)

	for _, alg := range signatureAlgorithms {
		ep, err := admin.Webhooks.Create(ctx, keygen.WebhookCreateOptions{
			URL: rc.URL + "/hooks/" + alg, Subscriptions: []string{keygen.EventLicenseCreated}, SignatureAlgorithm: alg,
		})
		require.NoError(t, err)
		require.Equal(t, alg, ep.SignatureAlgorithm)
	}
	product, err := admin.Products.Create(ctx, keygen.ProductCreateOptions{Name: "Hooks"})
	require.NoError(t, err)
	policy, err := admin.Policies.Create(ctx, keygen.PolicyCreateOptions{ProductID: product.ID, Name: "Pro"})
	require.NoError(t, err)
	lic, err := admin.Licenses.Create(ctx, keygen.LicenseCreateOptions{PolicyID: policy.ID})
	require.NoError(t, err)
	require.NoError(t, srv.WaitWebhooks(ctx))

	mu.Lock()
	deliveries := map[string]hook{}
	for _, h := range got {
		require.NotContains(t, deliveries, h.alg, "one delivery per endpoint")
		deliveries[h.alg] = h
	}
	mu.Unlock()
	require.Len(t, deliveries, len(signatureAlgorithms))

	// Every receiver verified its delivery and answered 204.
	page, err := admin.WebhookEvents.List(ctx, &keygen.WebhookEventListOptions{Events: []string{keygen.EventLicenseCreated}})
	require.NoError(t, err)
	require.Len(t, page.Data, len(signatureAlgorithms))
	for _, ev := range page.Data {
		assert.Equal(t, "DELIVERED", ev.Status, "event for %s", ev.Endpoint)
		if assert.NotNil(t, ev.LastResponseCode) {
			assert.Equal(t, http.StatusNoContent, *ev.LastResponseCode, "event for %s", ev.Endpoint)
		}
	}

	for _, alg := range signatureAlgorithms {
		t.Run(alg, func(t *testing.T) {
			t.Parallel()
			d := deliveries[alg]
			require.NoError(t, d.err, "the receiver verified the untouched delivery")
			assert.Equal(t, alg, sigParam(t, d.req.Header.Get("Keygen-Signature"), "algorithm"))
			assert.Equal(t, keygen.EventLicenseCreated, d.ev.Event)
			l, err := d.ev.PayloadLicense()
			require.NoError(t, err)
			assert.Equal(t, lic.ID, l.ID)

			clock := keygen.WithWebhookClock(srv.Now)
			verify := func(key string, r keygen.WebhookRequest, opts ...keygen.WebhookOption) error {
				_, err := keygen.VerifyWebhook(key, r, append(opts, clock)...)
				return err
			}
			require.NoError(t, verify(keys[alg], d.req))
			require.NoError(t, verify(b64(keys[alg]), d.req), "base64 of the key, as meta.keys has it")

			changed := d.req
			changed.Body = append([]byte(nil), d.req.Body...)
			changed.Body[len(changed.Body)/2] ^= 0x01
			sigFail(t, verify(keys[alg], changed), "body does not match its Digest")
			changed.Header = d.req.Header.Clone()
			changed.Header.Set("Digest", digestOf(changed.Body))
			sigFail(t, verify(keys[alg], changed), "Keygen-Signature does not verify for POST /hooks/"+alg+" ("+alg+")")

			// Keys of another type are refused by the algorithm check, before any crypto.
			for _, other := range []string{"ed25519", "rsa-sha256", "ecdsa-p256"} {
				if accountKey(srv, other) == keys[alg] {
					continue
				}
				sigFail(t, verify(accountKey(srv, other), d.req), `algorithm "`+alg+`" is not `)
			}
			// An RSA key pinned to the other RSA algorithm.
			switch alg {
			case "rsa-pss-sha256":
				sigFail(t, verify(keys[alg], d.req, keygen.WithWebhookAlgorithm("rsa-sha256")), `algorithm "rsa-pss-sha256" is not rsa-sha256`)
			case "rsa-sha256":
				sigFail(t, verify(keys[alg], d.req, keygen.WithWebhookAlgorithm("rsa-pss-sha256")), `algorithm "rsa-sha256" is not rsa-pss-sha256`)
			}
			sigFail(t, verify(accountKey(otherAccount, alg), d.req), "Keygen-Signature does not verify")
		})
	}
}
