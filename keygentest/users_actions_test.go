package keygentest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// User password actions: update-password and reset-password
// (features/api/v1/users/actions/password.feature), and forgot-password next to them.

// TestUsersPasswords pins update-password
// (app/controllers/api/v1/users/actions/password_controller.rb) and forgot-password
// (app/controllers/api/v1/passwords_controller.rb).
func TestUsersPasswords(t *testing.T) {
	t.Parallel()
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

	t.Run("admins use update, not update-password", func(t *testing.T) {
		r := tt.do(req{method: "POST", path: path, body: map[string]any{"meta": map[string]any{"oldPassword": "password2", "newPassword": "password3"}}})
		assert.Equal(t, 403, r.status)
	})
	t.Run("forgot password is always 204", func(t *testing.T) {
		for _, email := range []string{"p@example.com", "unknown@example.com"} {
			r := tt.do(req{method: "POST", path: "/passwords", auth: "-", body: map[string]any{"meta": map[string]any{"email": email, "deliver": false}}})
			assert.Equal(t, 204, r.status)
			assert.Empty(t, r.body)
		}
		r := tt.do(req{method: "POST", path: "/passwords", auth: "-", body: map[string]any{"meta": map[string]any{}}})
		assert.Equal(t, 400, r.status)
		assert.Equal(t, "/meta/email", r.source()["pointer"])
	})
	t.Run("reset-password with a bad token is 404, an old one 401", func(t *testing.T) {
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

func TestUsersUpdatePasswordStaff(t *testing.T) {
	t.Parallel()
	w := newTeamWorld(t)
	tt := w
	tt.run(t, []apiCase{
		{name: "users/actions/password.feature: Read only updates their password", r: writeAs("POST", "/users/"+w.ro+"/actions/update-password", w.roTok,
			map[string]any{"meta": map[string]any{"oldPassword": "password", "newPassword": "password2"}}), status: 200},
		{name: "users/actions/password.feature: Read only updates their password (logs in with it)", r: req{method: "POST", path: "/tokens", auth: basic("ro@example.com", "password2")}, status: 201},
	})
}
