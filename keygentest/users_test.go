package keygentest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestUsers pins §2.4.
func TestUsers(t *testing.T) {
	tt := newWorld(t)
	t.Run("anonymous sign-up on an unprotected account", func(t *testing.T) {
		r := tt.do(req{method: "POST", path: "/users", auth: "-", body: doc("users", map[string]any{
			"firstName": "Clark", "lastName": "Kent", "email": "Superman@Keygen.sh", "password": "kent <3 lois"}, nil)})
		require.Equal(t, 201, r.status, string(r.body))
		assert.Equal(t, "user", r.attrs()["role"])
		assert.Equal(t, "Clark Kent", r.attrs()["fullName"])
		assert.Equal(t, "superman@keygen.sh", r.attrs()["email"])
		assert.Equal(t, "ACTIVE", r.attrs()["status"])
	})
	cases := []struct {
		name, auth string
		attrs      map[string]any
		status     int
		code       string
		pointer    string
		detail     string
	}{
		{"§2.4 role is unpermitted for anonymous", "-", map[string]any{"email": "t@keygen.sh", "role": "admin"}, 400, "", "/data/attributes/role", "unpermitted parameter"},
		{"§2.4 short password", "-", map[string]any{"email": "s@keygen.sh", "password": "short"}, 422, "PASSWORD_TOO_SHORT", "/data/attributes/password", "is too short (minimum is 6 characters)"},
		{"§2.4 email taken", "", map[string]any{"email": "SUPERMAN@keygen.sh"}, 422, "EMAIL_TAKEN", "/data/attributes/email", "has already been taken"},
		{"§2.4 email invalid", "", map[string]any{"email": "nope"}, 422, "EMAIL_INVALID", "/data/attributes/email", ""},
		{"§2.4 email missing", "", map[string]any{"firstName": "x"}, 400, "", "/data/attributes/email", "is missing"},
		{"§2.4 admin may set a role", "", map[string]any{"email": "dev@keygen.sh", "role": "developer"}, 201, "", "", ""},
		{"§2.4 role must be known", "", map[string]any{"email": "x@keygen.sh", "role": "king"}, 400, "", "/data/attributes/role", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := tt.do(req{method: "POST", path: "/users", auth: c.auth, body: doc("users", c.attrs, nil)})
			require.Equal(t, c.status, r.status, string(r.body))
			if c.status >= 400 {
				assert.Equal(t, c.code, r.code())
				assert.Equal(t, c.pointer, r.source()["pointer"])
				if c.detail != "" {
					assert.Equal(t, c.detail, r.detail())
				}
			}
		})
	}

	u0 := tt.createUser("u0@example.com")
	u1 := tt.mustCreate("/users", "users", map[string]any{"email": "u1@example.com", "password": "password", "metadata": map[string]any{"tier": "gold", "seats": 3}}, nil)
	_, tok0 := tt.tokenFor("users", u0, nil)

	t.Run("§1.1 email alias, case-insensitive", func(t *testing.T) {
		assert.Equal(t, u1, tt.get("/users/U1@Example.com").id())
	})
	t.Run("§1.15 another user's record is 404", func(t *testing.T) {
		assert.Equal(t, 404, tt.do(req{method: "GET", path: "/users/" + u1, auth: "Bearer " + tok0}).status)
		assert.Equal(t, 200, tt.do(req{method: "GET", path: "/users/" + u0, auth: "Bearer " + tok0}).status)
	})
	t.Run("§1.9 list hides non-user roles by default", func(t *testing.T) {
		for _, u := range tt.get("/users?limit=100").list() {
			assert.Equal(t, "user", u.(map[string]any)["attributes"].(map[string]any)["role"])
		}
		r := tt.get("/users?roles[]=admin")
		require.Len(t, r.list(), 1)
		assert.Equal(t, tt.srv.AdminEmail, r.list()[0].(map[string]any)["attributes"].(map[string]any)["email"])
	})
	t.Run("§1.9 metadata filters match typed values", func(t *testing.T) {
		assert.Len(t, tt.get("/users?metadata[tier]=gold").list(), 1)
		assert.Len(t, tt.get("/users?metadata[seats]=3").list(), 1)
		assert.Len(t, tt.get("/users?metadata[seats]=4").list(), 0)
	})
	t.Run("§2.4 a user may not set their own metadata", func(t *testing.T) {
		r := tt.do(req{method: "PATCH", path: "/users/" + u0, auth: "Bearer " + tok0, body: doc("users", map[string]any{"metadata": map[string]any{"a": 1}}, nil)})
		assert.Equal(t, 400, r.status)
		r = tt.do(req{method: "PATCH", path: "/users/" + u0, auth: "Bearer " + tok0, body: doc("users", map[string]any{"firstName": "Zero"}, nil)})
		assert.Equal(t, 200, r.status)
	})
	t.Run("§2.4 ban and unban", func(t *testing.T) {
		r := tt.do(req{method: "POST", path: "/users/" + u1 + "/actions/ban"})
		require.Equal(t, 200, r.status)
		assert.Equal(t, "BANNED", r.attrs()["status"])
		assert.Len(t, tt.get("/users?status=banned").list(), 1)
		r = tt.do(req{method: "POST", path: "/users/" + u1 + "/actions/unban"})
		assert.Equal(t, "ACTIVE", r.attrs()["status"])
	})
	t.Run("§2.4 the last admin cannot be deleted", func(t *testing.T) {
		me := tt.get("/me")
		r := tt.do(req{method: "DELETE", path: "/users/" + me.id()})
		require.Equal(t, 422, r.status)
		assert.Equal(t, "ACCOUNT_ADMINS_REQUIRED", r.code())
	})
	t.Run("§2.4 delete user", func(t *testing.T) {
		assert.Equal(t, 204, tt.do(req{method: "DELETE", path: "/users/" + u1}).status)
		assert.Equal(t, 404, tt.get("/users/"+u1).status)
	})
}

// TestPasswords pins §2.4 update-password and §2.5 forgot-password.
func TestPasswords(t *testing.T) {
	tt := newWorld(t)
	uid := tt.createUser("p@example.com")
	_, keep := tt.tokenFor("users", uid, nil)
	_, drop := tt.tokenFor("users", uid, nil)
	path := "/users/" + uid + "/actions/update-password"

	r := tt.do(req{method: "POST", path: path, auth: "Bearer " + keep, body: map[string]any{"meta": map[string]any{"oldPassword": "wrong", "newPassword": "password2"}}})
	require.Equal(t, 401, r.status)
	assert.Equal(t, "is not valid", r.detail())
	assert.Equal(t, "/meta/oldPassword", r.source()["pointer"])

	r = tt.do(req{method: "POST", path: path, auth: "Bearer " + keep, body: map[string]any{"meta": map[string]any{"oldPassword": "password", "newPassword": "pass"}}})
	require.Equal(t, 422, r.status)
	assert.Equal(t, "PASSWORD_TOO_SHORT", r.code())
	assert.Equal(t, "/data/attributes/password", r.source()["pointer"])

	r = tt.do(req{method: "POST", path: path, auth: "Bearer " + keep, body: map[string]any{"meta": map[string]any{"oldPassword": "password", "newPassword": "password2"}}})
	require.Equal(t, 200, r.status, string(r.body))
	assert.Equal(t, 200, tt.do(req{method: "GET", path: "/me", auth: "Bearer " + keep}).status, "the token in use survives")
	assert.Equal(t, 401, tt.do(req{method: "GET", path: "/me", auth: "Bearer " + drop}).status, "other tokens are revoked")
	assert.Equal(t, 201, tt.do(req{method: "POST", path: "/tokens", auth: basic("p@example.com", "password2")}).status)

	t.Run("§2.4 admins use update, not update-password", func(t *testing.T) {
		r := tt.do(req{method: "POST", path: path, body: map[string]any{"meta": map[string]any{"oldPassword": "password2", "newPassword": "password3"}}})
		assert.Equal(t, 403, r.status)
	})
	t.Run("§2.5 forgot password is always 204", func(t *testing.T) {
		for _, email := range []string{"p@example.com", "unknown@example.com"} {
			r := tt.do(req{method: "POST", path: "/passwords", auth: "-", body: map[string]any{"meta": map[string]any{"email": email, "deliver": false}}})
			assert.Equal(t, 204, r.status)
			assert.Empty(t, r.body)
		}
		r := tt.do(req{method: "POST", path: "/passwords", auth: "-", body: map[string]any{"meta": map[string]any{}}})
		assert.Equal(t, 400, r.status)
		assert.Equal(t, "/meta/email", r.source()["pointer"])
	})
	t.Run("§2.4 reset-password with a bad token is 404, an old one 401", func(t *testing.T) {
		rp := "/users/" + uid + "/actions/reset-password"
		body := map[string]any{"meta": map[string]any{"passwordResetToken": "nope", "newPassword": "password9"}}
		assert.Equal(t, 404, tt.do(req{method: "POST", path: rp, auth: "-", body: body}).status)

		tt.srv.mu.Lock()
		u := tt.srv.db.users[uid]
		u.ResetDigest, u.ResetSentAt = digest("reset-token-123"), ptr(tt.srv.clock.now())
		tt.srv.mu.Unlock()
		tt.srv.Advance(25 * 3600e9)
		body = map[string]any{"meta": map[string]any{"passwordResetToken": "reset-token-123", "newPassword": "password9"}}
		r := tt.do(req{method: "POST", path: rp, auth: "-", body: body})
		require.Equal(t, 401, r.status)
		assert.Equal(t, "is expired", r.detail())
		assert.Equal(t, "/meta/passwordResetToken", r.source()["pointer"])
	})
}
