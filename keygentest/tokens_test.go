package keygentest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTokenGenerate pins §2.1 password login and its §1.6 credential codes.
func TestTokenGenerate(t *testing.T) {
	tt := newWorld(t)
	tt.createUser("u@example.com")
	passwordless := tt.mustCreate("/users", "users", map[string]any{"email": "nopw@example.com"}, nil)
	_ = passwordless

	t.Run("user login: 201, secret, 2-week expiry, Location", func(t *testing.T) {
		r := tt.do(req{method: "POST", path: "/tokens", auth: basic("U@example.com", "password")})
		require.Equal(t, 201, r.status, string(r.body))
		a := r.attrs()
		assert.Equal(t, "user-token", a["kind"])
		assert.Regexp(t, `^user-[0-9a-f]{64}v3$`, a["token"])
		exp, err := time.Parse(time.RFC3339, a["expiry"].(string))
		require.NoError(t, err)
		assert.WithinDuration(t, tt.srv.Now().Add(14*24*time.Hour), exp, time.Minute)
		assert.Equal(t, tt.srv.URL+"/v1/accounts/"+tt.srv.AccountID+"/tokens/"+r.id(), r.header.Get("Location"))
		assert.Equal(t, "users", r.data()["relationships"].(map[string]any)["bearer"].(map[string]any)["data"].(map[string]any)["type"])
		shown := tt.get("/tokens/" + r.id())
		assert.NotContains(t, shown.attrs(), "token", "secret only on generate")
	})
	t.Run("admin login: no expiry by default, explicit expiry honoured", func(t *testing.T) {
		r := tt.do(req{method: "POST", path: "/tokens", auth: basic(tt.srv.AdminEmail, "password")})
		require.Equal(t, 201, r.status)
		assert.Equal(t, "admin-token", r.attrs()["kind"])
		assert.Nil(t, r.attrs()["expiry"])
		assert.Regexp(t, `^admin-[0-9a-f]{64}v3$`, r.attrs()["token"])
		r = tt.do(req{method: "POST", path: "/tokens", auth: basic(tt.srv.AdminEmail, "password"),
			body: doc("tokens", map[string]any{"expiry": "2049-01-01T00:00:00.000Z", "name": "ci"}, nil)})
		require.Equal(t, 201, r.status)
		assert.Equal(t, "2049-01-01T00:00:00.000Z", r.attrs()["expiry"])
		assert.Equal(t, "ci", r.attrs()["name"])
	})

	cases := []struct {
		name, auth, version, code, detail string
	}{
		{"§1.6 not an email", basic("@", "x"), "", "EMAIL_REQUIRED", "email is required"},
		{"§1.6 unknown email", basic("nobody@example.com", "x"), "", "EMAIL_INVALID", "email must be valid"},
		{"§1.6 passwordless user", basic("nopw@example.com", "x"), "", "PASSWORD_NOT_SUPPORTED", "password is unsupported"},
		{"§1.6 empty password", basic("u@example.com", ""), "", "PASSWORD_REQUIRED", "password is required"},
		{"§1.6 wrong password", basic("u@example.com", "nope"), "", "PASSWORD_INVALID", "password must be valid"},
		{"§1.12 v1.7 collapses codes", basic("u@example.com", "nope"), "1.7", "CREDENTIALS_INVALID", "email and password must be valid"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := map[string]string{}
			if c.version != "" {
				h["Keygen-Version"] = c.version
			}
			r := tt.do(req{method: "POST", path: "/tokens", auth: c.auth, headers: h})
			require.Equal(t, 401, r.status, string(r.body))
			assert.Equal(t, c.code, r.code())
			assert.Equal(t, c.detail, r.detail())
			assert.Equal(t, "Authorization", r.source()["header"])
		})
	}

	t.Run("§2.1 no credentials", func(t *testing.T) {
		r := tt.do(req{method: "POST", path: "/tokens", auth: "-"})
		assert.Equal(t, 401, r.status)
		assert.Equal(t, "TOKEN_MISSING", r.code())
	})
	t.Run("§2.1 banned user password login", func(t *testing.T) {
		id := tt.createUser("b@example.com")
		tt.do(req{method: "POST", path: "/users/" + id + "/actions/ban"})
		r := tt.do(req{method: "POST", path: "/tokens", auth: basic("b@example.com", "password")})
		assert.Equal(t, 403, r.status)
		assert.Equal(t, "You do not have permission to complete the request (user is banned)", r.detail())
	})
	t.Run("§2.1 admin may mint user tokens, not product tokens", func(t *testing.T) {
		uid := tt.createUser("minted@example.com")
		r := tt.do(req{method: "POST", path: "/tokens", body: doc("tokens", nil, map[string]any{"bearer": link("users", uid)})})
		require.Equal(t, 201, r.status, string(r.body))
		assert.Equal(t, "user-token", r.attrs()["kind"])
		prod := tt.product()
		r = tt.do(req{method: "POST", path: "/tokens", body: doc("tokens", nil, map[string]any{"bearer": link("products", prod)})})
		assert.Equal(t, 403, r.status)
	})
}

// TestTokenLifecycle pins §2.1 relationship routes, list filters, regenerate and revoke.
func TestTokenLifecycle(t *testing.T) {
	tt := newWorld(t)
	prod := tt.product()
	uid := tt.createUser("u@example.com")
	other := tt.createUser("o@example.com")

	prodTokID, prodTok := tt.tokenFor("products", prod, nil)
	assert.Regexp(t, `^prod-[0-9a-f]{64}v3$`, prodTok)
	userTokID, userTok := tt.tokenFor("users", uid, map[string]any{"name": "laptop"})
	_, otherTok := tt.tokenFor("users", other, nil)

	t.Run("license token format", func(t *testing.T) {
		pol := tt.policy(prod, nil)
		lic := tt.seedLicense(pol, nil)
		r := tt.do(req{method: "POST", path: "/licenses/" + lic.ID + "/tokens", body: doc("tokens", map[string]any{"maxActivations": 3}, nil)})
		require.Equal(t, 200, r.status, string(r.body))
		assert.Equal(t, "activation-token", r.attrs()["kind"])
		assert.Regexp(t, `^activ-[0-9a-f]{32}v3$`, r.attrs()["token"])
		assert.EqualValues(t, 3, r.attrs()["maxActivations"])
		assert.EqualValues(t, 0, r.attrs()["activations"])
		r = tt.do(req{method: "POST", path: "/licenses/" + lic.ID + "/tokens", body: doc("tokens", map[string]any{"maxActivations": -1}, nil)})
		assert.Equal(t, 422, r.status)
		assert.Equal(t, "MAX_ACTIVATIONS_INVALID", r.code())
	})
	t.Run("list filters by bearer", func(t *testing.T) {
		r := tt.get("/tokens?bearer[type]=user&bearer[id]=" + uid)
		require.Len(t, r.list(), 1)
		assert.Equal(t, userTokID, r.list()[0].(map[string]any)["id"])
		r = tt.get("/tokens?bearer[type]=products")
		require.Len(t, r.list(), 1)
		assert.Equal(t, prodTokID, r.list()[0].(map[string]any)["id"])
	})
	t.Run("a user sees only their own tokens; others are 404", func(t *testing.T) {
		r := tt.do(req{method: "GET", path: "/tokens", auth: "Bearer " + userTok})
		require.Len(t, r.list(), 1)
		r = tt.do(req{method: "DELETE", path: "/tokens/" + prodTokID, auth: "Bearer " + userTok})
		assert.Equal(t, 404, r.status)
	})
	t.Run("regenerate resets an expiring token to 14 days and changes the secret", func(t *testing.T) {
		tt.srv.Advance(24 * time.Hour)
		r := tt.do(req{method: "PUT", path: "/tokens/" + userTokID})
		require.Equal(t, 200, r.status, string(r.body))
		newSecret := r.attrs()["token"].(string)
		assert.NotEqual(t, userTok, newSecret)
		exp, _ := time.Parse(time.RFC3339, r.attrs()["expiry"].(string))
		assert.WithinDuration(t, tt.srv.Now().Add(14*24*time.Hour), exp, time.Minute)
		assert.Equal(t, 401, tt.do(req{method: "GET", path: "/me", auth: "Bearer " + userTok}).status)
		assert.Equal(t, 200, tt.do(req{method: "GET", path: "/me", auth: "Bearer " + newSecret}).status)
		r = tt.do(req{method: "PUT", path: "/tokens/" + prodTokID})
		assert.Nil(t, r.attrs()["expiry"], "a token without expiry keeps none")
	})
	t.Run("revoke own: 204 then 401", func(t *testing.T) {
		me := tt.do(req{method: "GET", path: "/me", auth: "Bearer " + otherTok})
		tokID := me.header.Get("Keygen-Token")
		r := tt.do(req{method: "DELETE", path: "/tokens/" + tokID, auth: "Bearer " + otherTok})
		assert.Equal(t, 204, r.status)
		assert.Equal(t, 401, tt.do(req{method: "GET", path: "/me", auth: "Bearer " + otherTok}).status)
	})
	t.Run("PUT /tokens with a bad token", func(t *testing.T) {
		r := tt.do(req{method: "PUT", path: "/tokens", auth: "Bearer someBadToken"})
		assert.Equal(t, 401, r.status)
		assert.Equal(t, "TOKEN_INVALID", r.code())
	})
}
