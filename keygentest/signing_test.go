package keygentest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Response signatures (signing.go, app/controllers/concerns/signature_headers.rb).

var sigRE = regexp.MustCompile(`^keyid="([^"]+)", algorithm="ed25519", signature="([^"]+)", headers="\(request-target\) host date digest"$`)

// verify checks a response's signature the way a client does
// (app/controllers/concerns/signature_headers.rb).
func verify(t *testing.T, tt *world, method, target string, r *reply) {
	t.Helper()
	sum := sha256.Sum256(r.body)
	digest := "sha-256=" + base64.StdEncoding.EncodeToString(sum[:])
	require.Equal(t, digest, r.header.Get("Digest"))
	assert.Equal(t, digest, r.header.Get("Keygen-Digest"))
	date := r.header.Get("Date")
	assert.Equal(t, date, r.header.Get("Keygen-Date"))
	when, err := http.ParseTime(date)
	require.NoError(t, err)
	assert.WithinDuration(t, tt.srv.Now(), when, 5*time.Second)
	m := sigRE.FindStringSubmatch(r.header.Get("Keygen-Signature"))
	require.NotNil(t, m, r.header.Get("Keygen-Signature"))
	assert.Equal(t, tt.srv.AccountID, m[1])
	sig, err := base64.StdEncoding.DecodeString(m[2])
	require.NoError(t, err)
	pub, err := hex.DecodeString(tt.srv.PublicKey)
	require.NoError(t, err)
	host, _, _ := strings.Cut(tt.srv.URL[len("http://"):], ":") // signed without the port (Rails request.host)
	msg := "(request-target): " + method + " " + target + "\nhost: " + host + "\ndate: " + date + "\ndigest: " + digest
	assert.True(t, ed25519.Verify(pub, []byte(msg), sig), "signature over %q", msg)
}

// TestResponseSignatures: every response of a resolved account is signed, success
// and error alike, including empty 204 bodies.
func TestResponseSignatures(t *testing.T) {
	t.Parallel()
	tt := newWorld(t)
	id := tt.product()
	base := "/v1/accounts/" + tt.srv.AccountID

	r := tt.get("/products?limit=5&order=asc")
	require.Equal(t, 200, r.status)
	verify(t, tt, "get", base+"/products?limit=5&order=asc", r)

	r = tt.do(req{method: "GET", path: "/products/nope", headers: map[string]string{"Keygen-Accept-Signature": `algorithm="ed25519"`}})
	require.Equal(t, 404, r.status)
	verify(t, tt, "get", base+"/products/nope", r)

	r = tt.do(req{method: "GET", path: "/products", auth: "-"})
	require.Equal(t, 401, r.status)
	verify(t, tt, "get", base+"/products", r)

	r = tt.do(req{method: "DELETE", path: "/products/" + id})
	require.Equal(t, 204, r.status)
	assert.Empty(t, r.body)
	verify(t, tt, "delete", base+"/products/"+id, r)
}

// TestSignatureTamper: a changed body no longer matches the signed digest.
func TestSignatureTamper(t *testing.T) {
	t.Parallel()
	tt := newWorld(t)
	r := tt.get("/products")
	r.body = append(r.body, ' ')
	sum := sha256.Sum256(r.body)
	assert.NotEqual(t, "sha-256="+base64.StdEncoding.EncodeToString(sum[:]), r.header.Get("Digest"))
}

// TestResponseSignatureAlgorithms: Keygen-Accept-Signature selects rsa-pss-sha256,
// rsa-sha256 or ecdsa-p256 (with an optional keyid); each answer verifies with the account's
// RSA or ECDSA public key over the same signing string.
func TestResponseSignatureAlgorithms(t *testing.T) {
	t.Parallel()
	tt := newWorld(t)
	base := "/v1/accounts/" + tt.srv.AccountID
	rsaPub := parsePEMKey(t, tt.srv.RSAPublicKeyPEM()).(*rsa.PublicKey)
	ecPub := parsePEMKey(t, tt.srv.ECDSAPublicKeyPEM()).(*ecdsa.PublicKey)
	host, _, _ := strings.Cut(tt.srv.URL[len("http://"):], ":")
	sigAlgRE := regexp.MustCompile(`^keyid="([^"]+)", algorithm="([^"]+)", signature="([^"]+)", headers="\(request-target\) host date digest"$`)

	for _, accept := range []string{
		`algorithm="rsa-pss-sha256"`,
		`algorithm="rsa-sha256"`,
		`algorithm="ecdsa-p256"`,
		`keyid="` + tt.srv.AccountID + `", algorithm="ecdsa-p256"`,
	} {
		t.Run(accept, func(t *testing.T) {
			r := tt.do(req{method: "GET", path: "/products?limit=1", headers: map[string]string{"Keygen-Accept-Signature": accept}})
			require.Equal(t, 200, r.status, string(r.body))
			m := sigAlgRE.FindStringSubmatch(r.header.Get("Keygen-Signature"))
			require.NotNil(t, m, r.header.Get("Keygen-Signature"))
			assert.Equal(t, tt.srv.AccountID, m[1])
			sig, err := base64.StdEncoding.DecodeString(m[3])
			require.NoError(t, err)
			msg := "(request-target): get " + base + "/products?limit=1\nhost: " + host +
				"\ndate: " + r.header.Get("Date") + "\ndigest: " + r.header.Get("Digest")
			sum := sha256.Sum256([]byte(msg))
			switch m[2] {
			case "rsa-pss-sha256":
				require.NoError(t, rsa.VerifyPSS(rsaPub, crypto.SHA256, sum[:], sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto}))
			case "rsa-sha256":
				require.NoError(t, rsa.VerifyPKCS1v15(rsaPub, crypto.SHA256, sum[:], sig))
			case "ecdsa-p256":
				require.True(t, ecdsa.VerifyASN1(ecPub, sum[:], sig))
			default:
				t.Fatalf("algorithm %q", m[2])
			}
		})
	}
}

func parsePEMKey(t *testing.T, s string) any {
	t.Helper()
	b, _ := pem.Decode([]byte(s))
	require.NotNil(t, b)
	k, err := x509.ParsePKIXPublicKey(b.Bytes)
	require.NoError(t, err)
	return k
}
