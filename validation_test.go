package keygen

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// signResponse signs resp as Keygen does (keygen-sh/keygen-api,
// app/controllers/concerns/signature_headers.rb and signature_methods.rb): Date, a Digest of
// the body, and an ed25519 Keygen-Signature over the request target, host, date and digest.
func signResponse(t *testing.T, priv ed25519.PrivateKey, req *http.Request, resp *http.Response) {
	t.Helper()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	resp.Body = io.NopCloser(bytes.NewReader(body))
	sum := sha256.Sum256(body)
	digest := "sha-256=" + base64.StdEncoding.EncodeToString(sum[:])
	date := time.Now().UTC().Format(http.TimeFormat)
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	msg := "(request-target): " + strings.ToLower(req.Method) + " " + req.URL.RequestURI() + "\n" +
		"host: " + host + "\n" +
		"date: " + date + "\n" +
		"digest: " + digest
	sig := base64.StdEncoding.EncodeToString(ed25519.Sign(priv, []byte(msg)))
	resp.Header.Set("Date", date)
	resp.Header.Set("Digest", digest)
	resp.Header.Set("Keygen-Signature", `keyid="4f2d6e0a-0f0b-4f7e-9d3c-6c1f4d2b8a11", algorithm="ed25519", signature="`+sig+`", headers="(request-target) host date digest"`)
}

// newSigningClient returns a client that checks signatures with a throwaway key, and the
// private half to sign fixtures with.
func newSigningClient(t *testing.T, opts ...Option) (*Client, *httpmock.MockTransport, ed25519.PrivateKey) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)
	c, mt := newTestClient(t, append([]Option{WithPublicKey(hex.EncodeToString(pub))}, opts...)...)
	return c, mt, priv
}

// respondSignedValidation answers a validation with the fixture whose meta.nonce is set by
// echo from the nonce the request sent, signed with priv. It records the nonce sent.
func respondSignedValidation(t *testing.T, mt *httpmock.MockTransport, priv ed25519.PrivateKey, path, name string, sent *int64, echo func(int64) any) {
	mt.RegisterResponder("POST", apiURL(path), func(req *http.Request) (*http.Response, error) {
		var in struct {
			Meta struct {
				Nonce json.Number `json:"nonce"`
				Key   string      `json:"key"`
			} `json:"meta"`
		}
		dec := json.NewDecoder(req.Body)
		dec.UseNumber()
		require.NoError(t, dec.Decode(&in))
		n, err := in.Meta.Nonce.Int64()
		require.NoError(t, err, "nonce %q is not an integer", in.Meta.Nonce)
		*sent = n
		var doc map[string]any
		require.NoError(t, json.Unmarshal(fixture(t, name), &doc))
		doc["meta"].(map[string]any)["nonce"] = echo(n)
		body, err := json.Marshal(doc)
		require.NoError(t, err)
		resp := httpmock.NewBytesResponse(200, body)
		resp.Request = req
		signResponse(t, priv, req, resp)
		return resp, nil
	})
}

func TestLicensesValidateWithScopeAndNonce(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	calls := expect(t, mt, wire{method: "POST", path: "/licenses/" + licenseID + "/actions/validate", golden: "licenses_validate.json", fixture: "license_validation.json"})
	v, err := c.Licenses.Validate(context.Background(), licenseID, &ValidateOptions{
		Nonce: 42,
		Scope: &ValidationScope{Fingerprint: "4c:8e:91:0a:b2:7d", Product: "2313b7e7-1ea6-4a01-901e-2931de6bb1e2", Entitlements: []string{"PRO", "SYNC"}},
	})
	require.NoError(t, err)
	assert.Equal(t, 1, *calls)
	assert.True(t, v.Valid)
	assert.Equal(t, ValidationValid, v.Code)
	assert.Equal(t, "is valid", v.Detail)
	assert.Equal(t, mustTime(t, "2024-05-12T14:20:05.123Z"), v.Timestamp)
	assert.Equal(t, int64(42), v.Nonce)
	assert.Equal(t, &ValidationScope{Fingerprint: "4c:8e:91:0a:b2:7d", Product: "2313b7e7-1ea6-4a01-901e-2931de6bb1e2", Entitlements: []string{"PRO", "SYNC"}}, v.Scope)
	require.NotNil(t, v.License)
	assertProSeat(t, v.License, "2024-05-12T14:20:05.123Z")
	assert.Equal(t, Ptr(mustTime(t, "2024-05-12T14:20:05.123Z")), v.License.LastValidated)
	assert.Equal(t, "ACTIVE", v.License.Status)
}

// Without options and without a public key, nothing is sent: Keygen's meta is optional.
func TestLicensesValidateNoOptionsSendsNoBody(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "POST", path: "/licenses/" + licenseKey + "/actions/validate", fixture: "license_validation_mismatch.json"})
	v, err := c.Licenses.Validate(context.Background(), licenseKey, nil)
	require.NoError(t, err)
	// An invalid license is data, not an error.
	assert.False(t, v.Valid)
	assert.Equal(t, ValidationFingerprintScopeMismatch, v.Code)
	assert.Equal(t, "fingerprint is not activated (does not match any associated machines)", v.Detail)
	assert.Zero(t, v.Nonce)
	assert.Equal(t, &ValidationScope{Fingerprint: "ff:ff:ff:ff:ff:ff"}, v.Scope)
	require.NotNil(t, v.License)
	assertActiveProSeat(t, v.License)

	_, err = c.Licenses.Validate(context.Background(), "", nil)
	require.ErrorIs(t, err, ErrInvalidArgument)
}

func TestLicensesValidateKey(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "POST", path: "/licenses/actions/validate-key", golden: "licenses_validate_key.json", fixture: "license_validation_mismatch.json"})
	v, err := c.Licenses.ValidateKey(context.Background(), licenseKey, &ValidateOptions{Scope: &ValidationScope{Fingerprint: "ff:ff:ff:ff:ff:ff"}})
	require.NoError(t, err)
	assert.False(t, v.Valid)
	assert.Equal(t, ValidationFingerprintScopeMismatch, v.Code)
	assert.Equal(t, mustTime(t, "2024-05-12T14:22:00Z"), v.Timestamp)
	require.NotNil(t, v.License)
	assert.Equal(t, licenseID, v.License.ID)
}

// An unknown key answers 200 with data null and code NOT_FOUND: a Validation, not an error.
// A client with no credentials sends none: validate-key needs none.
func TestLicensesValidateKeyNotFoundWithoutCredentials(t *testing.T) {
	t.Parallel()
	mt := httpmock.NewMockTransport()
	c, err := NewClient(testAccount, WithBaseURL(testBase), WithHTTPClient(&http.Client{Transport: mt}), WithoutRetries())
	require.NoError(t, err)
	expect(t, mt, wire{method: "POST", path: "/licenses/actions/validate-key", auth: "-", golden: "licenses_validate_key_bare.json", fixture: "license_validate_key_not_found.json"})
	v, err := c.Licenses.ValidateKey(context.Background(), signedKey, nil)
	require.NoError(t, err)
	assert.False(t, v.Valid)
	assert.Equal(t, ValidationNotFound, v.Code)
	assert.Equal(t, "does not exist", v.Detail)
	assert.Equal(t, mustTime(t, "2024-05-12T14:21:00Z"), v.Timestamp)
	assert.Nil(t, v.License)
	assert.Nil(t, v.Scope)

	_, err = c.Licenses.ValidateKey(context.Background(), "", nil)
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Equal(t, 1, mt.GetTotalCallCount())
}

// A validation answer with no meta cannot be read as a validation.
func TestLicensesValidateWithoutMetaFails(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "POST", path: "/licenses/" + licenseID + "/actions/validate", fixture: "license.json"})
	_, err := c.Licenses.Validate(context.Background(), licenseID, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no meta")
}

// With a public key, a random nonce goes out and the signed answer echoing it is accepted.
func TestLicensesValidateKeySignedNonceEchoed(t *testing.T) {
	t.Parallel()
	c, mt, priv := newSigningClient(t)
	var sent int64
	respondSignedValidation(t, mt, priv, "/licenses/actions/validate-key", "license_validate_key_not_found.json", &sent, func(n int64) any { return n })
	v, err := c.Licenses.ValidateKey(context.Background(), licenseKey, nil)
	require.NoError(t, err)
	assert.Positive(t, sent)
	assert.Less(t, sent, int64(1)<<53, "the nonce must be exact as a JSON number")
	assert.Equal(t, sent, v.Nonce)
	assert.Equal(t, ValidationNotFound, v.Code)

	// A second validation draws a fresh nonce.
	first := sent
	_, err = c.Licenses.ValidateKey(context.Background(), licenseKey, nil)
	require.NoError(t, err)
	assert.NotEqual(t, first, sent)
}

// A correctly signed answer that echoes another nonce is a replay of an older answer.
func TestLicensesValidateSignedNonceMismatch(t *testing.T) {
	t.Parallel()
	c, mt, priv := newSigningClient(t)
	var sent int64
	respondSignedValidation(t, mt, priv, "/licenses/"+licenseID+"/actions/validate", "license_validation.json", &sent, func(n int64) any { return n + 1 })
	v, err := c.Licenses.Validate(context.Background(), licenseID, &ValidateOptions{Scope: &ValidationScope{Fingerprint: "4c:8e:91:0a:b2:7d"}})
	require.Error(t, err)
	assert.Nil(t, v)
	require.ErrorIs(t, err, ErrSignatureInvalid)
	var se *SignatureError
	require.True(t, errors.As(err, &se))
	assert.Contains(t, se.Reason, "nonce does not match")
	assert.Positive(t, sent)
}

// A signed answer that drops the nonce is refused too, and so is a caller's own nonce
// that comes back different.
func TestLicensesValidateSignedNonceMissingOrChanged(t *testing.T) {
	t.Parallel()
	c, mt, priv := newSigningClient(t)
	var sent int64
	respondSignedValidation(t, mt, priv, "/licenses/actions/validate-key", "license_validation.json", &sent, func(int64) any { return nil })
	_, err := c.Licenses.ValidateKey(context.Background(), licenseKey, nil)
	require.ErrorIs(t, err, ErrSignatureInvalid)

	c2, mt2, priv2 := newSigningClient(t)
	respondSignedValidation(t, mt2, priv2, "/licenses/actions/validate-key", "license_validation.json", &sent, func(int64) any { return 7 })
	_, err = c2.Licenses.ValidateKey(context.Background(), licenseKey, &ValidateOptions{Nonce: 1234})
	require.ErrorIs(t, err, ErrSignatureInvalid)
	assert.Equal(t, int64(1234), sent)
}

// An answer signed by another key fails before its nonce is even looked at.
func TestLicensesValidateWrongSigner(t *testing.T) {
	t.Parallel()
	c, mt, _ := newSigningClient(t)
	_, other, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)
	var sent int64
	respondSignedValidation(t, mt, other, "/licenses/actions/validate-key", "license_validation.json", &sent, func(n int64) any { return n })
	_, err = c.Licenses.ValidateKey(context.Background(), licenseKey, nil)
	require.ErrorIs(t, err, ErrSignatureInvalid)
	var se *SignatureError
	require.True(t, errors.As(err, &se))
	assert.NotContains(t, se.Reason, "nonce")
}

func TestLicensesQuickValidate(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	// A GET with no body, no scope and no nonce.
	calls := expect(t, mt, wire{method: "GET", path: "/licenses/" + licenseKey + "/actions/validate", fixture: "license_quick_validation.json"})
	v, err := c.Licenses.QuickValidate(context.Background(), licenseKey)
	require.NoError(t, err)
	assert.Equal(t, 1, *calls)
	assert.False(t, v.Valid)
	assert.Equal(t, ValidationOverdue, v.Code)
	assert.Equal(t, "is overdue for check in", v.Detail)
	assert.Equal(t, mustTime(t, "2024-05-12T14:20:05.123Z"), v.Timestamp)
	assert.Zero(t, v.Nonce)
	assert.Nil(t, v.Scope)
	require.NotNil(t, v.License)
	assert.Equal(t, licenseID, v.License.ID)
	assert.Equal(t, licenseKey, v.License.Key)

	for _, id := range []string{"", signedKey} {
		_, err := c.Licenses.QuickValidate(context.Background(), id)
		require.ErrorIs(t, err, ErrInvalidArgument)
	}
	assert.Equal(t, 1, mt.GetTotalCallCount())
}
