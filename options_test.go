package keygen

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWithBaseURLTrailingV1: a base URL written as Keygen's documentation writes the API root,
// with its /v1, must not become /v1/v1/accounts/…; a path prefix before it is kept.
func TestWithBaseURLTrailingV1(t *testing.T) {
	t.Parallel()
	for base, want := range map[string]string{
		"https://keygen.example.com":              "https://keygen.example.com/v1/accounts/acme/products/p1",
		"https://keygen.example.com/":             "https://keygen.example.com/v1/accounts/acme/products/p1",
		"https://keygen.example.com/v1":           "https://keygen.example.com/v1/accounts/acme/products/p1",
		"https://keygen.example.com/v1/":          "https://keygen.example.com/v1/accounts/acme/products/p1",
		"https://example.com/keygen/v1":           "https://example.com/keygen/v1/accounts/acme/products/p1",
		"http://127.0.0.1:3000/keygen/":           "http://127.0.0.1:3000/keygen/v1/accounts/acme/products/p1",
		"https://example.com/apiv1":               "https://example.com/apiv1/v1/accounts/acme/products/p1",
		"https://example.com/v1/accounts-gateway": "https://example.com/v1/accounts-gateway/v1/accounts/acme/products/p1",
	} {
		t.Run(base, func(t *testing.T) {
			t.Parallel()
			mt := httpmock.NewMockTransport()
			mt.RegisterResponder("GET", want, httpmock.NewStringResponder(200,
				`{"data":{"type":"products","id":"p1","attributes":{"name":"App"}}}`))
			c, err := NewClient("acme", WithBaseURL(base), WithToken(testToken),
				WithHTTPClient(&http.Client{Transport: mt}), WithoutRetries())
			require.NoError(t, err)
			p, err := c.Products.Get(context.Background(), "p1")
			require.NoError(t, err, "the request must go to %s", want)
			assert.Equal(t, "App", p.Name)
			assert.Equal(t, 1, mt.GetCallCountInfo()["GET "+want])
		})
	}
}

// TestWithTokenRefusesLicenseKeys: a license key passed to WithToken fails at NewClient with a
// hint to use WithLicenseKey, and without the key in the message; token shapes, Keygen's or
// not, are accepted.
func TestWithTokenRefusesLicenseKeys(t *testing.T) {
	t.Parallel()
	licenseKeys := []string{
		"C1B6DE-39A6E3-DE1529-8559A0-4AF593-V3", // Keygen's default format
		"c1b6de-39a6e3-de1529-8559a0-4af593-v3", // lower-cased by someone
		" C1B6DE-39A6E3-DE1529-8559A0-4AF593-V4 ",
		"key/eyJsaWNlbnNlIjp7ImlkIjoiMSJ9fQ==.c2lnbmF0dXJl", // a signed key (ED25519_SIGN…)
	}
	for _, key := range licenseKeys {
		_, err := NewClient("acme", WithToken(key))
		require.Error(t, err, key)
		assert.ErrorIs(t, err, ErrInvalidArgument)
		assert.Contains(t, err.Error(), "use WithLicenseKey")
		assert.NotContains(t, err.Error(), strings.TrimSpace(key), "the key is a secret")
		assert.NotContains(t, err.Error(), "C1B6DE")
		assert.NotContains(t, err.Error(), "eyJsaWNlbnNl")

		// The same value is fine as a license key.
		_, err = NewClient("acme", WithLicenseKey(key))
		assert.NoError(t, err, key)
	}

	hex64 := strings.Repeat("0123456789abcdef", 4)
	tokens := []string{
		"admin-" + hex64 + "v3",
		"prod-" + hex64 + "v3",
		"user-" + hex64 + "v3",
		"env-" + hex64 + "v3",
		"activ-" + hex64[:32] + "v3",
		"admi-" + hex64 + "v2",        // v2 tokens
		testToken,                     // this package's fixture
		"bench-token",                 // not Keygen's shape: a self-hosted server may differ
		"C1B6DE-39A6E3-DE1529-8559A0", // too short to be a default key
		"my-custom-license-key",       // a custom key cannot be told from a token: let through
	}
	for _, tok := range tokens {
		_, err := NewClient("acme", WithToken(tok))
		assert.NoError(t, err, tok)
	}
}
