package keygen_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	keygen "github.com/licensekit/keygen"
)

// TestE2EGenerateBearerTokens creates product, license and user tokens through their
// relationship routes (keygen-sh/keygen-api,
// app/controllers/api/v1/{products,licenses,users}/relationships/tokens_controller.rb) and
// uses each of them.
func TestE2EGenerateBearerTokens(t *testing.T) {
	t.Parallel()
	e := newE2E(t)
	prod := e.product("App")
	pol := e.policy(keygen.PolicyCreateOptions{ProductID: prod.ID, MaxMachines: keygen.Ptr(5), Floating: keygen.Ptr(true)})
	lic, err := e.admin.Licenses.Create(e.ctx, keygen.LicenseCreateOptions{PolicyID: pol.ID})
	require.NoError(t, err)

	// Product token: never expires by default; it authenticates as the product.
	pt, err := e.admin.Products.GenerateToken(e.ctx, prod.ID, &keygen.ProductTokenOptions{Name: "backend"})
	require.NoError(t, err)
	assert.Equal(t, "product-token", pt.Kind)
	assert.NotEmpty(t, pt.Secret)
	assert.Equal(t, keygen.Ptr("backend"), pt.Name)
	assert.Nil(t, pt.Expiry)
	assert.Equal(t, "products", pt.BearerType)
	assert.Equal(t, prod.ID, pt.BearerID)
	me, err := e.tokenClient(pt.Secret).Profile.Get(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, prod.ID, me.ID)

	// License token with activation limits, then used to activate: the second activation is
	// over its limit of one.
	expiry := e.srv.Now().Add(30 * 24 * time.Hour).Truncate(time.Millisecond)
	lt, err := e.admin.Licenses.GenerateToken(e.ctx, lic.ID, &keygen.LicenseTokenOptions{
		Name: "installer", Expiry: keygen.Set(expiry), MaxActivations: keygen.Ptr(1), MaxDeactivations: keygen.Ptr(0),
	})
	require.NoError(t, err)
	assert.Equal(t, "activation-token", lt.Kind)
	assert.Equal(t, "licenses", lt.BearerType)
	assert.Equal(t, lic.ID, lt.BearerID)
	require.NotNil(t, lt.Expiry)
	assert.True(t, expiry.Equal(*lt.Expiry), "%s vs %s", expiry, lt.Expiry)
	assert.Equal(t, keygen.Ptr(1), lt.MaxActivations)
	assert.Equal(t, keygen.Ptr(0), lt.MaxDeactivations)
	app := e.tokenClient(lt.Secret)
	_, err = app.Machines.Create(e.ctx, keygen.MachineCreateOptions{LicenseID: lic.ID, Fingerprint: "fp-1"})
	require.NoError(t, err)
	_, err = app.Machines.Create(e.ctx, keygen.MachineCreateOptions{LicenseID: lic.ID, Fingerprint: "fp-2"})
	errWithCode(t, err, 422, keygen.CodeActivationsExceeded, "")

	// User token, made by an admin for a customer who has no password.
	u, err := e.admin.Users.Create(e.ctx, keygen.UserCreateOptions{Email: "nopass@example.com"})
	require.NoError(t, err)
	ut, err := e.admin.Users.GenerateToken(e.ctx, u.ID, nil)
	require.NoError(t, err)
	assert.Equal(t, "user-token", ut.Kind)
	assert.Equal(t, u.ID, ut.BearerID)
	require.NotNil(t, ut.Expiry, "user tokens expire after 14 days by default")
	assert.WithinDuration(t, e.srv.Now().Add(14*24*time.Hour), *ut.Expiry, time.Minute)
	me, err = e.tokenClient(ut.Secret).Profile.Get(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, u.ID, me.ID)

	// A user cannot even see a licensed product it holds no license for; a product bearer
	// may not mint product tokens, not even its own.
	_, err = e.tokenClient(ut.Secret).Products.GenerateToken(e.ctx, prod.ID, nil)
	apiErr(t, err, 404)
	_, err = e.tokenClient(pt.Secret).Products.GenerateToken(e.ctx, prod.ID, nil)
	apiErr(t, err, 403)
	_, err = e.admin.Products.GenerateToken(e.ctx, "00000000-0000-4000-8000-000000000000", nil)
	apiErr(t, err, 404)
}

// TestE2ELicenseRelationshipsAndQuickValidate moves a license between policies and owners
// and quick-validates it (GET …/actions/validate: no scope checks).
func TestE2ELicenseRelationshipsAndQuickValidate(t *testing.T) {
	t.Parallel()
	e := newE2E(t)
	prod := e.product("App")
	polA := e.policy(keygen.PolicyCreateOptions{ProductID: prod.ID, RequireFingerprintScope: keygen.Ptr(true)})
	polB := e.policy(keygen.PolicyCreateOptions{ProductID: prod.ID, MaxMachines: keygen.Ptr(3), Floating: keygen.Ptr(true)})
	alice, _ := e.user("alice@example.com", "alice-password")
	lic, err := e.admin.Licenses.Create(e.ctx, keygen.LicenseCreateOptions{PolicyID: polA.ID})
	require.NoError(t, err)

	// A full validation without a fingerprint fails the required scope; the quick one does
	// not check scopes.
	full, err := e.admin.Licenses.Validate(e.ctx, lic.ID, nil)
	require.NoError(t, err)
	assert.Equal(t, keygen.ValidationFingerprintScopeRequired, full.Code)
	quick, err := e.admin.Licenses.QuickValidate(e.ctx, lic.Key)
	require.NoError(t, err)
	assert.True(t, quick.Valid)
	assert.Equal(t, keygen.ValidationValid, quick.Code)
	require.NotNil(t, quick.License)
	assert.Equal(t, lic.ID, quick.License.ID)
	assert.Nil(t, quick.Scope)

	moved, err := e.admin.Licenses.ChangePolicy(e.ctx, lic.ID, polB.ID)
	require.NoError(t, err)
	assert.Equal(t, polB.ID, moved.PolicyID)
	_, err = e.admin.Licenses.ChangePolicy(e.ctx, lic.ID, "00000000-0000-4000-8000-000000000000")
	errWithCode(t, err, 422, "POLICY_NOT_FOUND", "/data/relationships/policy")

	owned, err := e.admin.Licenses.ChangeOwner(e.ctx, lic.ID, alice.ID)
	require.NoError(t, err)
	assert.Equal(t, alice.ID, owned.OwnerID)
	got, err := e.admin.Licenses.Get(e.ctx, lic.ID)
	require.NoError(t, err)
	assert.Equal(t, alice.ID, got.OwnerID)
	assert.Equal(t, polB.ID, got.PolicyID)

	orphan, err := e.admin.Licenses.ChangeOwner(e.ctx, lic.ID, "")
	require.NoError(t, err)
	assert.Empty(t, orphan.OwnerID)

	// Quick validation of an unknown license is a 404, unlike validate-key.
	_, err = e.admin.Licenses.QuickValidate(e.ctx, "NO-SUCH-KEY")
	apiErr(t, err, 404)
}
