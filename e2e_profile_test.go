package keygen_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	keygen "github.com/licensekit/keygen"
)

// TestE2EProfile: GET /me for each kind of bearer (keygen-sh/keygen-api,
// app/controllers/api/v1/profiles_controller.rb). License tokens and license keys are
// covered in e2e_licenses_test.go.
func TestE2EProfile(t *testing.T) {
	t.Parallel()
	e := newE2E(t)

	admin, err := e.admin.Profile.Get(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, keygen.BearerTypeUser, admin.Type)
	require.NotNil(t, admin.User)
	assert.Equal(t, admin.ID, admin.User.ID)
	assert.Equal(t, e.srv.AdminEmail, admin.User.Email)
	assert.Equal(t, "admin", admin.User.Role)
	assert.Nil(t, admin.Product)
	assert.Nil(t, admin.License)
	require.NotNil(t, admin.Token)
	assert.Equal(t, "admin-token", admin.Token.Kind)
	assert.Equal(t, admin.ID, admin.Token.BearerID)
	assert.Empty(t, admin.Token.Secret)

	alice, tok := e.user("alice@example.com", "alice-pass")
	user, err := e.tokenClient(tok.Secret).Profile.Get(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, keygen.BearerTypeUser, user.Type)
	assert.Equal(t, alice.ID, user.ID)
	require.NotNil(t, user.User)
	assert.Equal(t, "alice@example.com", user.User.Email)
	assert.Equal(t, "user", user.User.Role)
	require.NotNil(t, user.Token)
	assert.Equal(t, tok.ID, user.Token.ID)
	assert.Equal(t, "user-token", user.Token.Kind)

	prod := e.product("App")
	pt := e.bearerToken("products", prod.ID)
	product, err := e.tokenClient(pt).Profile.Get(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, keygen.BearerTypeProduct, product.Type)
	assert.Equal(t, prod.ID, product.ID)
	require.NotNil(t, product.Product)
	assert.Equal(t, "App", product.Product.Name)
	assert.Nil(t, product.User)
	require.NotNil(t, product.Token)
	assert.Equal(t, "product-token", product.Token.Kind)
	assert.Equal(t, keygen.BearerTypeProduct, product.Token.BearerType)

	// A product token reads its own product and not another one (404, §1.15).
	other := e.product("Other")
	pc := e.tokenClient(pt)
	_, err = pc.Products.Get(e.ctx, prod.ID)
	require.NoError(t, err)
	_, err = pc.Products.Get(e.ctx, other.ID)
	errWithCode(t, err, 404, keygen.CodeNotFound, "")

	_, err = e.client().Profile.Get(e.ctx)
	errWithCode(t, err, 401, keygen.CodeTokenMissing, "")
}

// TestE2ESignatures: with WithPublicKey every answer is verified (Keygen signs them all:
// keygen-sh/keygen-api, app/controllers/concerns/signature_headers.rb): creates (201),
// reads, lists, updates, deletes (204, empty body), password login and error answers. A
// wrong key or a stale Date fails with ErrSignatureInvalid.
func TestE2ESignatures(t *testing.T) {
	t.Parallel()
	e := newE2E(t)
	c := e.srv.Client(keygen.WithPublicKey(e.srv.PublicKey), keygen.WithoutRetries())
	anon := e.client(keygen.WithPublicKey(e.srv.PublicKey))

	p, err := c.Products.Create(e.ctx, keygen.ProductCreateOptions{Name: "Signed", Metadata: map[string]any{"q": "a&b <c>"}})
	require.NoError(t, err)
	_, err = c.Products.Get(e.ctx, p.ID)
	require.NoError(t, err)
	_, err = c.Products.Update(e.ctx, p.ID, keygen.ProductUpdateOptions{Name: keygen.Ptr("Signed 2")})
	require.NoError(t, err)
	// The signed request target includes the query string as sent.
	page, err := c.Products.List(e.ctx, &keygen.ProductListOptions{ListOptions: keygen.ListOptions{PageSize: 5, PageNumber: 1}})
	require.NoError(t, err)
	assert.Len(t, page.Data, 1)
	pol, err := c.Policies.Create(e.ctx, keygen.PolicyCreateOptions{ProductID: p.ID, Name: "Pool", UsePool: keygen.Ptr(true)})
	require.NoError(t, err)
	k, err := c.Keys.Create(e.ctx, keygen.KeyCreateOptions{Key: "SIGNED-KEY-1", PolicyID: pol.ID})
	require.NoError(t, err)
	_, err = c.Policies.PopKey(e.ctx, pol.ID)
	require.NoError(t, err)
	_, err = c.Keys.Get(e.ctx, k.ID)
	errWithCode(t, err, 404, keygen.CodeNotFound, "") // a signed error answer is still a *Error
	u, err := c.Users.Create(e.ctx, keygen.UserCreateOptions{Email: "signed@example.com", Password: "secret-1"})
	require.NoError(t, err)
	_, err = c.Users.List(e.ctx, &keygen.UserListOptions{Roles: []string{"user"}, Metadata: map[string]any{"a": "b c"}})
	require.NoError(t, err)
	tok, err := anon.Tokens.Generate(e.ctx, "signed@example.com", "secret-1", nil)
	require.NoError(t, err)
	me, err := e.tokenClient(tok.Secret, keygen.WithPublicKey(e.srv.PublicKey)).Profile.Get(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, u.ID, me.ID)
	require.NoError(t, anon.Users.RequestPasswordReset(e.ctx, "signed@example.com", false))
	_, err = c.Tokens.List(e.ctx, nil)
	require.NoError(t, err)
	require.NoError(t, c.Tokens.Revoke(e.ctx, tok.ID))
	require.NoError(t, c.Policies.Delete(e.ctx, pol.ID))
	require.NoError(t, c.Products.Delete(e.ctx, p.ID))
	_, err = anon.Products.List(e.ctx, nil)
	errWithCode(t, err, 401, keygen.CodeTokenMissing, "")

	// Another key: every answer is refused.
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	wrong := e.srv.Client(keygen.WithPublicKey(hex.EncodeToString(pub)), keygen.WithoutRetries())
	_, err = wrong.Profile.Get(e.ctx)
	require.Error(t, err)
	assert.True(t, errors.Is(err, keygen.ErrSignatureInvalid), "got %v", err)
	var se *keygen.SignatureError
	assert.True(t, errors.As(err, &se))
	_, err = wrong.Products.Create(e.ctx, keygen.ProductCreateOptions{Name: "x"})
	assert.True(t, errors.Is(err, keygen.ErrSignatureInvalid), "got %v", err)

	// A Date far from the local clock is refused (a replayed or forged answer), unless
	// the skew tolerance allows it.
	e.srv.Advance(10 * time.Minute)
	_, err = c.Profile.Get(e.ctx)
	assert.True(t, errors.Is(err, keygen.ErrSignatureInvalid), "got %v", err)
	lenient := e.srv.Client(keygen.WithPublicKey(e.srv.PublicKey), keygen.WithClockSkew(time.Hour), keygen.WithoutRetries())
	_, err = lenient.Profile.Get(e.ctx)
	require.NoError(t, err)
}
