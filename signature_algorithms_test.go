package keygen

// Response signatures in each of Keygen's four algorithms (keygen-api
// app/controllers/concerns/signature_methods.rb), signed here with freshly generated keys,
// and the account key in each form Keygen shows it.

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/pem"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// accountKey is a fresh account key pair of one type, its public half as Keygen shows it:
// hex for Ed25519, PEM "PUBLIC KEY" for RSA and ECDSA.
type accountKey struct {
	priv crypto.Signer
	pub  string
}

// freshKeys generates one key of each type ("ed25519", "rsa", "ecdsa") for this test.
func freshKeys(t *testing.T) map[string]accountKey {
	t.Helper()
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	return map[string]accountKey{
		"ed25519": {ed, edHex(ed)},
		"rsa":     {rk, pemPKIX(t, &rk.PublicKey)},
		"ecdsa":   {ek, pemPKIX(t, &ek.PublicKey)},
	}
}

// kindOf is the key type each algorithm signs with.
var kindOf = map[string]string{
	"ed25519":        "ed25519",
	"rsa-pss-sha256": "rsa",
	"rsa-sha256":     "rsa",
	"ecdsa-p256":     "ecdsa",
}

var allAlgorithms = []string{"ed25519", "rsa-pss-sha256", "rsa-sha256", "ecdsa-p256"}

// algSigner signs answers as Keygen's generate_signature_header does, in any algorithm.
type algSigner struct {
	key   crypto.Signer
	label string // the algorithm parameter of Keygen-Signature
	with  string // the primitive actually used; "" is label
}

func (s algSigner) sign(t *testing.T, req *http.Request, status int, body string) *http.Response {
	t.Helper()
	date := time.Now().UTC().Format(http.TimeFormat)
	digest := digestOf(body)
	msg := "(request-target): " + strings.ToLower(req.Method) + " " + req.URL.RequestURI() + "\n" +
		"host: " + req.URL.Hostname() + "\n" +
		"date: " + date + "\n" +
		"digest: " + digest
	with := s.with
	if with == "" {
		with = s.label
	}
	sig := b64(testSign(t, with, s.key, []byte(msg)))
	resp := jsonResponse(req, status, body)
	resp.Header.Set("Date", date)
	resp.Header.Set("Digest", digest)
	resp.Header.Set("Keygen-Signature", `keyid="`+testAccountID+`", algorithm="`+s.label+`", signature="`+sig+`", headers="(request-target) host date digest"`)
	return resp
}

// acceptLog records the Keygen-Accept-Signature headers a client sent.
type acceptLog struct {
	mu  sync.Mutex
	got [][]string
}

func (l *acceptLog) add(req *http.Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.got = append(l.got, req.Header.Values("Keygen-Accept-Signature"))
}

func (l *acceptLog) all() [][]string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([][]string(nil), l.got...)
}

// algClient is a test client with opts whose every request is answered by answer; it
// records the Keygen-Accept-Signature header of each request.
func algClient(t *testing.T, answer func(req *http.Request) *http.Response, opts ...Option) (*Client, *acceptLog) {
	t.Helper()
	c, mt := newTestClient(t, opts...)
	log := &acceptLog{}
	mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		log.add(req)
		return answer(req), nil
	})
	return c, log
}

const notFoundDoc = `{"meta":{"id":"req-9"},"errors":[{"title":"Not found","detail":"The requested product 'gone' was not found","code":"NOT_FOUND"}]}`

func TestSignatureAlgorithmsVerifyAnswers(t *testing.T) {
	t.Parallel()
	keys := freshKeys(t)
	others := freshKeys(t)
	ctx := context.Background()
	for _, alg := range allAlgorithms {
		t.Run(alg, func(t *testing.T) {
			t.Parallel()
			k := keys[kindOf[alg]]
			good := algSigner{key: k.priv, label: alg}
			var answer func(req *http.Request) *http.Response
			c, log := algClient(t, func(req *http.Request) *http.Response { return answer(req) },
				WithPublicKey(k.pub), WithSignatureAlgorithm(alg))

			answer = func(req *http.Request) *http.Response {
				if strings.HasSuffix(req.URL.Path, "/products/gone") {
					return good.sign(t, req, http.StatusNotFound, notFoundDoc)
				}
				if req.Method == http.MethodDelete {
					return good.sign(t, req, http.StatusNoContent, "")
				}
				return good.sign(t, req, http.StatusOK, productDoc("p1"))
			}
			p, err := c.Products.Get(ctx, "p1")
			require.NoError(t, err)
			assert.Equal(t, "p1", p.ID)
			require.NoError(t, c.Products.Delete(ctx, "p1"))
			_, err = c.Products.Get(ctx, "gone")
			require.ErrorIs(t, err, ErrNotFound, "a signed 404 verifies and is the API error it says")
			assert.NotErrorIs(t, err, ErrSignatureInvalid)

			// Every request asked for exactly this algorithm, in Keygen's syntax.
			for i, got := range log.all() {
				assert.Equal(t, []string{`algorithm="` + alg + `"`}, got, "request %d", i)
			}

			// Signed with another account's key of the same type.
			answer = func(req *http.Request) *http.Response {
				return algSigner{key: others[kindOf[alg]].priv, label: alg}.sign(t, req, http.StatusOK, productDoc("p1"))
			}
			_, err = c.Products.Get(ctx, "p1")
			requireSignatureError(t, err, "Keygen-Signature does not verify for GET /base/v1/accounts/acme/products/p1 ("+alg+")")

			// A body changed after signing; and one re-hashed into its Digest.
			answer = func(req *http.Request) *http.Response {
				resp := good.sign(t, req, http.StatusOK, productDoc("p1"))
				resp.Body = httpBody(productDoc("p2"))
				return resp
			}
			_, err = c.Products.Get(ctx, "p1")
			requireSignatureError(t, err, "body does not match its Digest")
			answer = func(req *http.Request) *http.Response {
				resp := good.sign(t, req, http.StatusOK, productDoc("p1"))
				resp.Body = httpBody(productDoc("p2"))
				resp.Header.Set("Digest", digestOf(productDoc("p2")))
				return resp
			}
			_, err = c.Products.Get(ctx, "p1")
			requireSignatureError(t, err, "Keygen-Signature does not verify")

			// The 404 signed by another key is a forgery, not an API error.
			answer = func(req *http.Request) *http.Response {
				return algSigner{key: others[kindOf[alg]].priv, label: alg}.sign(t, req, http.StatusNotFound, notFoundDoc)
			}
			_, err = c.Products.Get(ctx, "gone")
			requireSignatureError(t, err, "does not verify")
		})
	}
}

// An answer must be signed with the algorithm asked for, even when it is a valid signature
// of the account in another: that is how a man in the middle would pick a weaker check.
func TestSignatureAlgorithmConfusion(t *testing.T) {
	t.Parallel()
	keys := freshKeys(t)
	cases := []struct {
		name        string
		clientKey   string // key type given to WithPublicKey
		ask         string // WithSignatureAlgorithm; "" for the default
		signKey     string // key type the answer is signed with
		label, with string
		reason      string
	}{
		{"PKCS#1 v1.5 answer to a PSS request", "rsa", "rsa-pss-sha256", "rsa", "rsa-sha256", "", `algorithm "rsa-sha256" is not rsa-pss-sha256`},
		{"PSS answer to a PKCS#1 v1.5 request", "rsa", "rsa-sha256", "rsa", "rsa-pss-sha256", "", `algorithm "rsa-pss-sha256" is not rsa-sha256`},
		{"PKCS#1 v1.5 answer to the RSA default", "rsa", "", "rsa", "rsa-sha256", "", `algorithm "rsa-sha256" is not rsa-pss-sha256`},
		{"ed25519 answer to an RSA client", "rsa", "rsa-pss-sha256", "ed25519", "ed25519", "", `algorithm "ed25519" is not rsa-pss-sha256`},
		{"ed25519 answer to an ECDSA client", "ecdsa", "", "ed25519", "ed25519", "", `algorithm "ed25519" is not ecdsa-p256`},
		{"rsa-sha256 answer to an Ed25519 client", "ed25519", "", "rsa", "rsa-sha256", "", `algorithm "rsa-sha256" is not ed25519`},
		{"ecdsa-p256 answer to an Ed25519 client", "ed25519", "ed25519", "ecdsa", "ecdsa-p256", "", `algorithm "ecdsa-p256" is not ed25519`},
		{"ecdsa-p256 answer to an RSA client", "rsa", "rsa-sha256", "ecdsa", "ecdsa-p256", "", `algorithm "ecdsa-p256" is not rsa-sha256`},
		{"PSS signature labelled rsa-sha256", "rsa", "rsa-sha256", "rsa", "rsa-sha256", "rsa-pss-sha256", "Keygen-Signature does not verify"},
		{"PKCS#1 v1.5 signature labelled rsa-pss-sha256", "rsa", "rsa-pss-sha256", "rsa", "rsa-pss-sha256", "rsa-sha256", "Keygen-Signature does not verify"},
		// Keygen echoes the name the client sent, which is lower-case.
		{"algorithm in upper case", "rsa", "rsa-pss-sha256", "rsa", "RSA-PSS-SHA256", "rsa-pss-sha256", `algorithm "RSA-PSS-SHA256" is not rsa-pss-sha256`},
		{"no algorithm parameter", "ed25519", "", "ed25519", "", "ed25519", `algorithm "" is not ed25519`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := algSigner{key: keys[tc.signKey].priv, label: tc.label, with: tc.with}
			opts := []Option{WithPublicKey(keys[tc.clientKey].pub)}
			if tc.ask != "" {
				opts = append(opts, WithSignatureAlgorithm(tc.ask))
			}
			c, _ := algClient(t, func(req *http.Request) *http.Response {
				resp := s.sign(t, req, http.StatusOK, productDoc("p1"))
				if tc.label == "" {
					h := resp.Header.Get("Keygen-Signature")
					resp.Header.Set("Keygen-Signature", strings.Replace(h, `algorithm="", `, "", 1))
				}
				return resp
			}, opts...)
			p, err := c.Products.Get(context.Background(), "p1")
			assert.Nil(t, p)
			requireSignatureError(t, err, tc.reason)
		})
	}
}

func TestSignatureAlgorithmDefaults(t *testing.T) {
	t.Parallel()
	keys := freshKeys(t)
	for kind, want := range map[string]string{"ed25519": "ed25519", "rsa": "rsa-pss-sha256", "ecdsa": "ecdsa-p256"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			k := keys[kind]
			c, log := algClient(t, func(req *http.Request) *http.Response {
				return algSigner{key: k.priv, label: want}.sign(t, req, http.StatusOK, productDoc("p1"))
			}, WithPublicKey(k.pub))
			_, err := c.Products.Get(context.Background(), "p1")
			require.NoError(t, err)
			assert.Equal(t, [][]string{{`algorithm="` + want + `"`}}, log.all())
		})
	}
	t.Run("no public key, no header", func(t *testing.T) {
		c, log := algClient(t, func(req *http.Request) *http.Response { return jsonResponse(req, http.StatusOK, productDoc("p1")) })
		_, err := c.Products.Get(context.Background(), "p1")
		require.NoError(t, err)
		assert.Equal(t, [][]string{nil}, log.all())
	})
}

func TestSignatureAlgorithmOptionErrors(t *testing.T) {
	t.Parallel()
	keys := freshKeys(t)
	newClient := func(opts ...Option) error {
		c, err := NewClient("acme", append([]Option{WithToken(testToken)}, opts...)...)
		if err == nil {
			assert.NotNil(t, c)
			return nil
		}
		assert.Nil(t, c)
		require.ErrorIs(t, err, ErrInvalidArgument)
		return err
	}
	for _, alg := range []string{"", "ED25519", "Rsa-Sha256", " ed25519", "ed25519 ", "rsa", "rsa-pss-sha512", "hmac-sha256", "ecdsa-p384", "legacy"} {
		err := newClient(WithPublicKey(keys["ed25519"].pub), WithSignatureAlgorithm(alg))
		require.Error(t, err, "%q", alg)
		assert.Contains(t, err.Error(), `WithSignatureAlgorithm: unsupported algorithm "`+alg+`"`)
	}

	err := newClient(WithSignatureAlgorithm("ed25519"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "WithSignatureAlgorithm needs WithPublicKey")

	edPEM := pemPKIX(t, keys["ed25519"].priv.Public())
	for _, tc := range []struct{ key, alg, msg string }{
		{keys["ed25519"].pub, "rsa-sha256", "rsa-sha256 signatures need the account's RSA public key, but the key given is its Ed25519 key"},
		{keys["ed25519"].pub, "rsa-pss-sha256", "rsa-pss-sha256 signatures need the account's RSA public key, but the key given is its Ed25519 key"},
		{keys["ed25519"].pub, "ecdsa-p256", "ecdsa-p256 signatures need the account's ECDSA P-256 public key, but the key given is its Ed25519 key"},
		{edPEM, "rsa-sha256", "rsa-sha256 signatures need the account's RSA public key, but the key given is its Ed25519 key"},
		{keys["rsa"].pub, "ed25519", "ed25519 signatures need the account's Ed25519 public key, but the key given is its RSA key"},
		{keys["rsa"].pub, "ecdsa-p256", "ecdsa-p256 signatures need the account's ECDSA P-256 public key, but the key given is its RSA key"},
		{keys["ecdsa"].pub, "ed25519", "ed25519 signatures need the account's Ed25519 public key, but the key given is its ECDSA P-256 key"},
		{keys["ecdsa"].pub, "rsa-sha256", "rsa-sha256 signatures need the account's RSA public key, but the key given is its ECDSA P-256 key"},
	} {
		err := newClient(WithPublicKey(tc.key), WithSignatureAlgorithm(tc.alg))
		require.Error(t, err, "%s with %s", tc.alg, tc.msg)
		assert.Contains(t, err.Error(), "WithSignatureAlgorithm: "+tc.msg)
	}

	// Matching pairs are accepted, in either order of the options.
	for _, alg := range allAlgorithms {
		k := keys[kindOf[alg]].pub
		require.NoError(t, newClient(WithPublicKey(k), WithSignatureAlgorithm(alg)), alg)
		require.NoError(t, newClient(WithSignatureAlgorithm(alg), WithPublicKey(k)), alg)
	}
}

// keyForms are the spellings of a public key Keygen shows: as given (hex or PEM), base64 of it
// (the account document's meta.keys), and for RSA the PKCS#1 PEM too.
func keyForms(t *testing.T, kind string, k accountKey) map[string]string {
	t.Helper()
	forms := map[string]string{
		"as shown":                 k.pub,
		"base64":                   base64.StdEncoding.EncodeToString([]byte(k.pub)),
		"surrounded by whitespace": "\n  " + k.pub + " \n",
	}
	switch kind {
	case "ed25519":
		forms["PKIX PEM"] = pemPKIX(t, k.priv.Public())
		forms["upper-case hex"] = strings.ToUpper(k.pub)
	case "rsa":
		pkcs1 := pemPKCS1(&k.priv.(*rsa.PrivateKey).PublicKey)
		forms["PKCS#1 PEM"] = pkcs1
		forms["base64 of PKCS#1 PEM"] = base64.StdEncoding.EncodeToString([]byte(pkcs1))
		forms["PEM with CRLF"] = strings.ReplaceAll(k.pub, "\n", "\r\n")
	case "ecdsa":
		forms["PEM with CRLF"] = strings.ReplaceAll(k.pub, "\n", "\r\n")
	}
	return forms
}

func TestWithPublicKeyForms(t *testing.T) {
	t.Parallel()
	keys := freshKeys(t)
	others := freshKeys(t)
	for _, alg := range allAlgorithms {
		kind := kindOf[alg]
		for name, form := range keyForms(t, kind, keys[kind]) {
			t.Run(alg+"/"+name, func(t *testing.T) {
				t.Parallel()
				signWith := keys[kind].priv
				c, _ := algClient(t, func(req *http.Request) *http.Response {
					return algSigner{key: signWith, label: alg}.sign(t, req, http.StatusOK, productDoc("p1"))
				}, WithPublicKey(form), WithSignatureAlgorithm(alg))
				_, err := c.Products.Get(context.Background(), "p1")
				require.NoError(t, err, "the parsed key is the account's")
				signWith = others[kind].priv
				_, err = c.Products.Get(context.Background(), "p1")
				requireSignatureError(t, err, "does not verify")
			})
		}
	}
}

// garbageKeys are public keys that must be refused, each with the reason given.
func garbageKeys(t *testing.T) map[string]struct{ key, reason string } {
	t.Helper()
	keys := testKeys(t)
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err)
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	require.NoError(t, err)
	rsaPEM := pemPKIX(t, &keys.rsa.PublicKey)
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	block := func(typ string, der []byte) string {
		return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
	}
	edHexKey := edHex(keys.ed)
	return map[string]struct{ key, reason string }{
		"empty":                    {"", "empty"},
		"blank":                    {" \n\t", "empty"},
		"short hex":                {"abcd", "not 64 hex characters (Ed25519) nor PEM (RSA, ECDSA), nor base64 of either"},
		"63 hex characters":        {edHexKey[:63], "not 64 hex characters"},
		"66 hex characters":        {edHexKey + "00", "not 64 hex characters"},
		"not hex":                  {strings.Repeat("zz", 32), "not 64 hex characters"},
		"base64 of text":           {b64("hello, world"), "nor base64 of either"},
		"base64 of base64 of PEM":  {b64(b64(rsaPEM)), "nor base64 of either"},
		"base64 of base64 of hex":  {b64(b64(edHexKey)), "nor base64 of either"},
		"half a PEM":               {rsaPEM[:len(rsaPEM)/2], "unreadable PEM"},
		"base64 of half a PEM":     {b64(rsaPEM[:len(rsaPEM)/2]), "unreadable PEM"},
		"PEM body not base64":      {"-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n", "unreadable PEM"},
		"PEM of garbage DER":       {block("PUBLIC KEY", []byte("not DER at all")), "invalid public key"},
		"PKCS#1 PEM of garbage":    {block("RSA PUBLIC KEY", []byte{0x30, 0x03, 0x02, 0x01, 0x00}), "invalid public key"},
		"private key PEM":          {block("PRIVATE KEY", []byte{1, 2, 3}), `PEM block "PRIVATE KEY" is not a PUBLIC KEY or RSA PUBLIC KEY`},
		"certificate PEM":          {block("CERTIFICATE", []byte{1, 2, 3}), `PEM block "CERTIFICATE" is not a PUBLIC KEY`},
		"RSA 1024":                 {pemPKIX(t, &small.PublicKey), "RSA key of 1024 bits (want at least 2048)"},
		"base64 of RSA 1024":       {b64(pemPKIX(t, &small.PublicKey)), "RSA key of 1024 bits"},
		"ECDSA P-384":              {pemPKIX(t, &p384.PublicKey), "ECDSA key is not on P-256"},
		"BEGIN line and no more":   {"-----BEGIN PUBLIC KEY-----", "unreadable PEM"},
		"NUL bytes":                {"\x00\x00\x00", "not 64 hex characters"},
		"base64 of BEGIN and junk": {b64("-----BEGIN junk"), "unreadable PEM"},
	}
}

func TestWithPublicKeyGarbage(t *testing.T) {
	t.Parallel()
	for name, tc := range garbageKeys(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, err := NewClient("acme", WithToken(testToken), WithPublicKey(tc.key))
			assert.Nil(t, c)
			require.ErrorIs(t, err, ErrInvalidArgument)
			require.ErrorIs(t, err, ErrInvalidPublicKey)
			assert.Contains(t, err.Error(), "WithPublicKey: invalid public key: ")
			assert.Contains(t, err.Error(), tc.reason)

			_, err = VerifyWebhook(tc.key, WebhookRequest{Method: "POST", Host: "h", RequestURI: "/", Header: http.Header{}})
			require.ErrorIs(t, err, ErrInvalidArgument)
			require.ErrorIs(t, err, ErrInvalidPublicKey)
			assert.NotErrorIs(t, err, ErrSignatureInvalid)
			assert.Contains(t, err.Error(), tc.reason)
		})
	}
}

// ParsePublicKey keeps its contract: Ed25519 only, as hex or base64 of hex.
func TestParsePublicKeyStaysEd25519(t *testing.T) {
	t.Parallel()
	keys := freshKeys(t)
	want := keys["ed25519"].priv.Public().(ed25519.PublicKey)
	for _, s := range []string{keys["ed25519"].pub, base64.StdEncoding.EncodeToString([]byte(keys["ed25519"].pub)), " " + keys["ed25519"].pub + "\n"} {
		got, err := ParsePublicKey(s)
		require.NoError(t, err, s)
		assert.Equal(t, want, got)
	}
	for _, s := range []string{keys["rsa"].pub, keys["ecdsa"].pub, pemPKIX(t, want), base64.StdEncoding.EncodeToString([]byte(keys["rsa"].pub)), ""} {
		_, err := ParsePublicKey(s)
		require.Error(t, err, s)
		assert.Contains(t, err.Error(), "64 hex characters")
	}
}

func httpBody(s string) io.ReadCloser { return io.NopCloser(strings.NewReader(s)) }
