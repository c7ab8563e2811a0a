package keygen_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	keygen "github.com/licensekit/keygen"
)

// TestE2EClientOptions: the API root with its /v1, as a newcomer copies it, reaches the
// server; a license key of the default and of a signed scheme given to WithToken is refused
// before any request, with the hint to use WithLicenseKey, which then works.
func TestE2EClientOptions(t *testing.T) {
	t.Parallel()
	e := newE2E(t)
	prod := e.product("App")

	for _, base := range []string{e.srv.URL + "/v1", e.srv.URL + "/v1/"} {
		c, err := keygen.NewClient(e.srv.AccountID, keygen.WithBaseURL(base), keygen.WithToken(e.srv.AdminToken))
		require.NoError(t, err)
		got, err := c.Products.Get(e.ctx, prod.ID)
		require.NoError(t, err, base)
		assert.Equal(t, "App", got.Name)
	}

	for _, scheme := range []string{"", keygen.SchemeED25519Sign} {
		pol := e.policy(keygen.PolicyCreateOptions{ProductID: prod.ID, AuthenticationStrategy: "LICENSE", Scheme: scheme})
		lic, err := e.admin.Licenses.Create(e.ctx, keygen.LicenseCreateOptions{PolicyID: pol.ID})
		require.NoError(t, err)

		_, err = keygen.NewClient(e.srv.AccountID, keygen.WithBaseURL(e.srv.URL), keygen.WithToken(lic.Key))
		require.Error(t, err, "scheme %q", scheme)
		assert.True(t, errors.Is(err, keygen.ErrInvalidArgument))
		assert.Contains(t, err.Error(), "WithLicenseKey")
		assert.NotContains(t, err.Error(), lic.Key)

		app := e.client(keygen.WithLicenseKey(lic.Key))
		me, err := app.Licenses.Get(e.ctx, lic.ID)
		require.NoError(t, err, "scheme %q", scheme)
		assert.Equal(t, lic.ID, me.ID)
	}
}
