package keygen_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	keygen "github.com/licensekit/keygen"
)

func TestE2ETokensGenerateWithPassword(t *testing.T) {
	t.Parallel()
	e := newE2E(t)

	// Password login: a new admin token, secret shown once, no expiry for non-user tokens
	// (keygen-sh/keygen-api, app/controllers/api/v1/tokens_controller.rb: generate, and
	// app/models/token.rb: set_default_expiry).
	tok, err := e.client().Tokens.Generate(e.ctx, e.srv.AdminEmail, e.srv.AdminPassword, nil)
	require.NoError(t, err)
	assert.Len(t, tok.ID, 36)
	assert.Equal(t, "admin-token", tok.Kind)
	assert.True(t, strings.HasPrefix(tok.Secret, "admin-"), "secret %q", tok.Secret)
	assert.True(t, strings.HasSuffix(tok.Secret, "v3"))
	assert.Nil(t, tok.Expiry)
	assert.Equal(t, keygen.BearerTypeUser, tok.BearerType)
	assert.Equal(t, e.srv.AccountID, tok.AccountID)
	recent(t, tok.Created, 0)

	// The new token works, and authenticates as the admin.
	c := e.tokenClient(tok.Secret)
	me, err := c.Profile.Get(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, tok.BearerID, me.ID)
	require.NotNil(t, me.User)
	assert.Equal(t, e.srv.AdminEmail, me.User.Email)
	assert.Equal(t, "admin", me.User.Role)
	require.NotNil(t, me.Token)
	assert.Equal(t, tok.ID, me.Token.ID)
	assert.Empty(t, me.Token.Secret, "/me never shows the secret")
	_, err = c.Products.Create(e.ctx, keygen.ProductCreateOptions{Name: "Made with a fresh token"})
	require.NoError(t, err)

	// Named token with an expiry, generated from the client's own token.
	exp := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Millisecond)
	named, err := c.Tokens.Generate(e.ctx, "", "", &keygen.TokenGenerateOptions{Name: "ci", Expiry: keygen.Set(exp)})
	require.NoError(t, err)
	require.NotNil(t, named.Name)
	assert.Equal(t, "ci", *named.Name)
	require.NotNil(t, named.Expiry)
	assert.True(t, exp.Equal(*named.Expiry), "expiry %s, want %s", named.Expiry, exp)
	assert.Equal(t, tok.BearerID, named.BearerID)

	// Credential errors (§1.6): 401 with source.header Authorization.
	_, err = e.client().Tokens.Generate(e.ctx, e.srv.AdminEmail, "wrong password", nil)
	o := errWithCode(t, err, 401, keygen.CodePasswordInvalid, "")
	assert.Equal(t, "Authorization", o.Source.Header)
	assert.NotContains(t, err.Error(), "wrong password")
	_, err = e.client().Tokens.Generate(e.ctx, "nobody@example.com", "whatever", nil)
	errWithCode(t, err, 401, keygen.CodeEmailInvalid, "")
	// No credentials at all.
	_, err = e.client().Tokens.Generate(e.ctx, "", "", nil)
	errWithCode(t, err, 401, keygen.CodeTokenMissing, "")
	// A passwordless user cannot log in.
	_, err = e.admin.Users.Create(e.ctx, keygen.UserCreateOptions{Email: "nopw@example.com"})
	require.NoError(t, err)
	_, err = e.client().Tokens.Generate(e.ctx, "nopw@example.com", "anything", nil)
	errWithCode(t, err, 401, "PASSWORD_NOT_SUPPORTED", "")
}

func TestE2ETokensLifecycle(t *testing.T) {
	t.Parallel()
	e := newE2E(t)
	alice, aliceTok := e.user("alice@example.com", "alice-pass")

	// User tokens expire in 14 days by default (§1.14).
	assert.Equal(t, "user-token", aliceTok.Kind)
	require.NotNil(t, aliceTok.Expiry)
	assert.WithinDuration(t, time.Now().Add(14*24*time.Hour), *aliceTok.Expiry, time.Minute)
	assert.Equal(t, alice.ID, aliceTok.BearerID)

	// An admin may generate a user token for a role-user (§2.1) ...
	forAlice, err := e.admin.Tokens.Generate(e.ctx, "", "", &keygen.TokenGenerateOptions{BearerType: "user", BearerID: alice.ID})
	require.NoError(t, err)
	assert.Equal(t, "user-token", forAlice.Kind)
	assert.Equal(t, keygen.BearerTypeUser, forAlice.BearerType)
	assert.Equal(t, alice.ID, forAlice.BearerID)
	// ... but not a product token through this route: 403.
	prod := e.product("App")
	_, err = e.admin.Tokens.Generate(e.ctx, "", "", &keygen.TokenGenerateOptions{BearerType: keygen.BearerTypeProduct, BearerID: prod.ID})
	apiErr(t, err, 403)

	// Get never shows the secret.
	got, err := e.admin.Tokens.Get(e.ctx, aliceTok.ID)
	require.NoError(t, err)
	assert.Empty(t, got.Secret)
	assert.Equal(t, aliceTok.ID, got.ID)
	assert.Equal(t, "user-token", got.Kind)
	assert.Equal(t, alice.ID, got.BearerID)

	// List filters (§1.9) and All.
	mine, err := e.admin.Tokens.List(e.ctx, &keygen.TokenListOptions{BearerType: "users", BearerID: alice.ID})
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{aliceTok.ID, forAlice.ID}, ids(mine.Data, func(t *keygen.Token) string { return t.ID }))
	admins, err := e.admin.Tokens.List(e.ctx, &keygen.TokenListOptions{BearerRole: "admin"})
	require.NoError(t, err)
	require.Len(t, admins.Data, 1)
	assert.Equal(t, "admin-token", admins.Data[0].Kind)
	all := collect(t, e.admin.Tokens.All(e.ctx, &keygen.TokenListOptions{ListOptions: keygen.ListOptions{PageSize: 1}}))
	assert.Len(t, all, 3)
	// A user sees only their own tokens.
	own := collect(t, e.tokenClient(aliceTok.Secret).Tokens.All(e.ctx, nil))
	assert.ElementsMatch(t, []string{aliceTok.ID, forAlice.ID}, ids(own, func(t *keygen.Token) string { return t.ID }))

	// Regenerate: a new secret, the old one stops working, an expiring token restarts its
	// 14 days (§2.1).
	e.srv.Advance(24 * time.Hour)
	regen, err := e.tokenClient(aliceTok.Secret).Tokens.Regenerate(e.ctx, aliceTok.ID)
	require.NoError(t, err)
	assert.Equal(t, aliceTok.ID, regen.ID)
	assert.NotEmpty(t, regen.Secret)
	assert.NotEqual(t, aliceTok.Secret, regen.Secret)
	require.NotNil(t, regen.Expiry)
	assert.WithinDuration(t, time.Now().Add(15*24*time.Hour), *regen.Expiry, time.Minute)
	_, err = e.tokenClient(aliceTok.Secret).Profile.Get(e.ctx)
	errWithCode(t, err, 401, keygen.CodeTokenInvalid, "")
	_, err = e.tokenClient(regen.Secret).Profile.Get(e.ctx)
	require.NoError(t, err)

	// Revoke: 204, then the token is gone.
	require.NoError(t, e.admin.Tokens.Revoke(e.ctx, regen.ID))
	_, err = e.tokenClient(regen.Secret).Profile.Get(e.ctx)
	errWithCode(t, err, 401, keygen.CodeTokenInvalid, "")
	_, err = e.admin.Tokens.Get(e.ctx, regen.ID)
	errWithCode(t, err, 404, keygen.CodeNotFound, "")

	// Expired tokens: 401 TOKEN_EXPIRED.
	e.srv.Advance(15 * 24 * time.Hour)
	_, err = e.tokenClient(forAlice.Secret).Profile.Get(e.ctx)
	errWithCode(t, err, 401, keygen.CodeTokenExpired, "")
}
