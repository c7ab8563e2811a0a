package keygen_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	keygen "github.com/licensekit/keygen"
)

func TestE2EUsersCRUD(t *testing.T) {
	t.Parallel()
	e := newE2E(t)

	// Emails are stored lower-cased; fullName is null unless both names are set; status
	// ACTIVE for a new user; role user; metadata {} (keygen-sh/keygen-api, app/models/user.rb).
	u, err := e.admin.Users.Create(e.ctx, keygen.UserCreateOptions{Email: "Alice@Example.COM", FirstName: "Alice", Password: "secret-1"})
	require.NoError(t, err)
	assert.Len(t, u.ID, 36)
	assert.Equal(t, "alice@example.com", u.Email)
	require.NotNil(t, u.FirstName)
	assert.Equal(t, "Alice", *u.FirstName)
	assert.Nil(t, u.LastName)
	assert.Nil(t, u.FullName)
	assert.Equal(t, "ACTIVE", u.Status)
	assert.Equal(t, "user", u.Role)
	assert.Empty(t, u.Metadata)
	assert.Empty(t, u.GroupID)
	assert.Equal(t, e.srv.AccountID, u.AccountID)
	recent(t, u.Created, 0)

	// Get by id and by email alias (lower-cased, §1.1).
	byEmail, err := e.admin.Users.Get(e.ctx, "alice@example.com")
	require.NoError(t, err)
	assert.Equal(t, u, byEmail)

	up, err := e.admin.Users.Update(e.ctx, u.ID, keygen.UserUpdateOptions{
		LastName: keygen.Set("Smith"),
		Metadata: map[string]any{"crmId": "c-1"},
	})
	require.NoError(t, err)
	require.NotNil(t, up.FullName)
	assert.Equal(t, "Alice Smith", *up.FullName)
	assert.Equal(t, map[string]any{"crmId": "c-1"}, up.Metadata)
	up, err = e.admin.Users.Update(e.ctx, u.ID, keygen.UserUpdateOptions{FirstName: keygen.Null[string]()})
	require.NoError(t, err)
	assert.Nil(t, up.FirstName)
	assert.Nil(t, up.FullName)
	require.NotNil(t, up.LastName)

	// The list shows only role user unless roles[] asks (§1.9).
	bob, err := e.admin.Users.Create(e.ctx, keygen.UserCreateOptions{Email: "bob@example.com", Metadata: map[string]any{"tier": "gold"}})
	require.NoError(t, err)
	dev, err := e.admin.Users.Create(e.ctx, keygen.UserCreateOptions{Email: "dev@example.com", Role: "developer"})
	require.NoError(t, err)
	assert.Equal(t, "developer", dev.Role)
	page, err := e.admin.Users.List(e.ctx, nil)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{u.ID, bob.ID}, ids(page.Data, func(u *keygen.User) string { return u.ID }))
	staff, err := e.admin.Users.List(e.ctx, &keygen.UserListOptions{Roles: []string{"admin", "developer"}})
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"admin@keygentest.example", "dev@example.com"}, ids(staff.Data, func(u *keygen.User) string { return u.Email }))
	gold, err := e.admin.Users.List(e.ctx, &keygen.UserListOptions{Metadata: map[string]any{"tier": "gold"}})
	require.NoError(t, err)
	assert.Equal(t, []string{bob.ID}, ids(gold.Data, func(u *keygen.User) string { return u.ID }))
	all := collect(t, e.admin.Users.All(e.ctx, &keygen.UserListOptions{ListOptions: keygen.ListOptions{PageSize: 1}}))
	assert.Len(t, all, 2)

	// Ban and unban (§2.4); a banned user lists as BANNED.
	banned, err := e.admin.Users.Ban(e.ctx, bob.ID)
	require.NoError(t, err)
	assert.Equal(t, "BANNED", banned.Status)
	bannedList, err := e.admin.Users.List(e.ctx, &keygen.UserListOptions{Status: "BANNED"})
	require.NoError(t, err)
	assert.Equal(t, []string{bob.ID}, ids(bannedList.Data, func(u *keygen.User) string { return u.ID }))
	unbanned, err := e.admin.Users.Unban(e.ctx, bob.ID)
	require.NoError(t, err)
	assert.Equal(t, "ACTIVE", unbanned.Status)
	// Only role-user users can be banned: 403.
	_, err = e.admin.Users.Ban(e.ctx, dev.ID)
	apiErr(t, err, 403)
	assert.True(t, errors.Is(err, keygen.ErrForbidden))

	require.NoError(t, e.admin.Users.Delete(e.ctx, bob.ID))
	_, err = e.admin.Users.Get(e.ctx, bob.ID)
	errWithCode(t, err, 404, keygen.CodeNotFound, "")
}

func TestE2EUsersErrors(t *testing.T) {
	t.Parallel()
	e := newE2E(t)
	_, err := e.admin.Users.Create(e.ctx, keygen.UserCreateOptions{Email: "taken@example.com"})
	require.NoError(t, err)

	_, err = e.admin.Users.Create(e.ctx, keygen.UserCreateOptions{Email: "TAKEN@example.com"})
	errWithCode(t, err, 422, "EMAIL_TAKEN", "/data/attributes/email")
	_, err = e.admin.Users.Create(e.ctx, keygen.UserCreateOptions{Email: "not-an-email"})
	errWithCode(t, err, 422, keygen.CodeEmailInvalid, "/data/attributes/email")
	_, err = e.admin.Users.Create(e.ctx, keygen.UserCreateOptions{Email: "short@example.com", Password: "abc"})
	errWithCode(t, err, 422, "PASSWORD_TOO_SHORT", "/data/attributes/password")

	// The account's last admin cannot be deleted (§2.4).
	me, err := e.admin.Profile.Get(e.ctx)
	require.NoError(t, err)
	err = e.admin.Users.Delete(e.ctx, me.ID)
	errWithCode(t, err, 422, "ACCOUNT_ADMINS_REQUIRED", "/data/relationships/account")

	// Anyone may create a user in an unprotected account (§2.4), but not list them.
	anon := e.client()
	u, err := anon.Users.Create(e.ctx, keygen.UserCreateOptions{Email: "self-signup@example.com", Password: "secret-1"})
	require.NoError(t, err)
	assert.Equal(t, "user", u.Role)
	_, err = anon.Users.List(e.ctx, nil)
	errWithCode(t, err, 401, keygen.CodeTokenMissing, "")
}

// TestE2EUsersUserToken: what a role-user's own token may see and do (§1.15).
func TestE2EUsersUserToken(t *testing.T) {
	t.Parallel()
	e := newE2E(t)
	alice, aliceTok := e.user("alice@example.com", "alice-pass")
	bob, bobTok := e.user("bob@example.com", "bob-pass")
	ac := e.tokenClient(aliceTok.Secret)

	self, err := ac.Users.Get(e.ctx, alice.ID)
	require.NoError(t, err)
	assert.Equal(t, alice.ID, self.ID)
	// Another user's resources are invisible: 404, not 403.
	_, err = ac.Users.Get(e.ctx, bob.ID)
	errWithCode(t, err, 404, keygen.CodeNotFound, "")
	_, err = ac.Tokens.Get(e.ctx, bobTok.ID)
	errWithCode(t, err, 404, keygen.CodeNotFound, "")
	page, err := ac.Users.List(e.ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{alice.ID}, ids(page.Data, func(u *keygen.User) string { return u.ID }))
	// Users may not create products: 403.
	_, err = ac.Products.Create(e.ctx, keygen.ProductCreateOptions{Name: "Nope"})
	apiErr(t, err, 403)

	// A user may rename themselves.
	up, err := ac.Users.Update(e.ctx, alice.ID, keygen.UserUpdateOptions{FirstName: keygen.Set("Al")})
	require.NoError(t, err)
	require.NotNil(t, up.FirstName)
	assert.Equal(t, "Al", *up.FirstName)

	// A banned user's token is refused with 403 USER_BANNED (§1.6).
	_, err = e.admin.Users.Ban(e.ctx, bob.ID)
	require.NoError(t, err)
	_, err = e.tokenClient(bobTok.Secret).Profile.Get(e.ctx)
	errWithCode(t, err, 403, keygen.CodeUserBanned, "")
}

func TestE2EUsersPasswords(t *testing.T) {
	t.Parallel()
	e := newE2E(t)
	alice, tok := e.user("alice@example.com", "old-password")
	other, err := e.client().Tokens.Generate(e.ctx, "alice@example.com", "old-password", nil)
	require.NoError(t, err)
	ac := e.tokenClient(tok.Secret)

	// A wrong old password is a 401 pointing at /meta/oldPassword with no code (§2.4).
	_, err = ac.Users.UpdatePassword(e.ctx, alice.ID, "wrong-password", "new-password")
	e1 := apiErr(t, err, 401)
	assert.Equal(t, "/meta/oldPassword", e1.Errors[0].Source.Pointer)
	assert.Equal(t, "is not valid", e1.Errors[0].Detail)
	assert.NotContains(t, err.Error(), "wrong-password", "no password in error strings")

	u, err := ac.Users.UpdatePassword(e.ctx, alice.ID, "old-password", "new-password")
	require.NoError(t, err)
	assert.Equal(t, alice.ID, u.ID)
	// The user's other tokens are revoked; the one in use keeps working.
	_, err = e.tokenClient(other.Secret).Profile.Get(e.ctx)
	errWithCode(t, err, 401, keygen.CodeTokenInvalid, "")
	_, err = ac.Profile.Get(e.ctx)
	require.NoError(t, err)
	_, err = e.client().Tokens.Generate(e.ctx, "alice@example.com", "old-password", nil)
	errWithCode(t, err, 401, keygen.CodePasswordInvalid, "")
	_, err = e.client().Tokens.Generate(e.ctx, "alice@example.com", "new-password", nil)
	require.NoError(t, err)

	// Only the user themselves may update their password: an admin token gets 403.
	_, err = e.admin.Users.UpdatePassword(e.ctx, alice.ID, "new-password", "newer-password")
	apiErr(t, err, 403)

	// Forgot password is 204 whether or not the email is known (§2.5).
	require.NoError(t, e.client().Users.RequestPasswordReset(e.ctx, "alice@example.com", false))
	require.NoError(t, e.client().Users.RequestPasswordReset(e.ctx, "nobody@example.com", true))
	// A reset token that was never issued answers as if the user did not exist (404).
	_, err = e.client().Users.ResetPassword(e.ctx, alice.ID, randomHex(t, 24)+"v3", "reset-password")
	errWithCode(t, err, 404, keygen.CodeNotFound, "")
	// And the password did not change.
	_, err = e.client().Tokens.Generate(e.ctx, "alice@example.com", "new-password", nil)
	require.NoError(t, err)
}
