package keygentest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Authentication schemes, credentials and their error codes
// (app/controllers/concerns/authentication.rb).

// TestAuthentication pins the authentication schemes and codes
// (app/controllers/concerns/authentication.rb).
func TestAuthentication(t *testing.T) {
	t.Parallel()
	tt := newWorld(t)
	prod := tt.product()
	tokenPol := tt.policy(prod, nil)
	licensePol := tt.policy(prod, map[string]any{"authenticationStrategy": "LICENSE"})
	revokePol := tt.policy(prod, map[string]any{"authenticationStrategy": "MIXED", "expirationStrategy": "REVOKE_ACCESS"})
	tokenLic := tt.seedLicense(tokenPol, nil)
	keyLic := tt.seedLicense(licensePol, nil)
	suspended := tt.seedLicense(licensePol, func(l *license) { l.Suspended = true })
	expired := tt.seedLicense(revokePol, func(l *license) { l.Expiry = ptr(time.Now().Add(-time.Hour)) })
	_, licTok := tt.tokenFor("licenses", keyLic.ID, nil)
	_, expiring := tt.tokenFor("users", tt.createUser("e@example.com"), map[string]any{"expiry": time.Now().Add(time.Hour).Format(time.RFC3339)})
	banned := tt.createUser("banned@example.com")
	_, bannedTok := tt.tokenFor("users", banned, nil)
	require.Equal(t, 200, tt.do(req{method: "POST", path: "/users/" + banned + "/actions/ban"}).status)

	cases := []struct {
		name   string
		auth   string
		path   string
		status int
		code   string
		detail string
	}{
		{"no credentials", "-", "/me", 401, "TOKEN_MISSING", "You must be authenticated to complete the request"},
		{"unknown token", "Bearer admin-0000v3", "/me", 401, "TOKEN_INVALID", ""},
		{"UUID as token", "Bearer " + tt.srv.AccountID, "/me", 401, "TOKEN_FORMAT_INVALID",
			"Token format is invalid (make sure that you're providing a token value, not a token's UUID identifier)"},
		{"Token scheme alias", "Token " + tt.srv.AdminToken, "/me", 200, "", ""},
		{"Basic token:<t>", basic("token", tt.srv.AdminToken), "/me", 200, "", ""},
		{"Basic legacy <t>:", basic(tt.srv.AdminToken, ""), "/me", 200, "", ""},
		{"query token", "-", "/me?token=" + tt.srv.AdminToken, 200, "", ""},
		{"query auth", "-", "/me?auth=token:" + tt.srv.AdminToken, 200, "", ""},
		{"License key with LICENSE strategy", "License " + keyLic.Key, "/me", 200, "", ""},
		{"Basic license:<key>", basic("license", keyLic.Key), "/me", 200, "", ""},
		{"License key with TOKEN strategy", "License " + tokenLic.Key, "/me", 403, "LICENSE_NOT_ALLOWED", "License key authentication is not allowed by policy"},
		{"unknown license key", "License NOPE", "/me", 401, "LICENSE_INVALID", ""},
		{"suspended license", "License " + suspended.Key, "/me", 403, "LICENSE_SUSPENDED", "License is suspended"},
		{"expired license REVOKE_ACCESS", "License " + expired.Key, "/me", 403, "LICENSE_EXPIRED", "License is expired"},
		{"license token under LICENSE strategy", "Bearer " + licTok, "/me", 403, "TOKEN_NOT_ALLOWED", "Token authentication is not allowed by policy"},
		{"banned user", "Bearer " + bannedTok, "/me", 403, "USER_BANNED", "User is banned"},
		{"password only on POST /tokens", basic(tt.srv.AdminEmail, "password"), "/me", 401, "TOKEN_INVALID", ""},
		{"expiring token still valid", "Bearer " + expiring, "/me", 200, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := tt.do(req{method: "GET", path: c.path, auth: c.auth})
			require.Equal(t, c.status, r.status, string(r.body))
			assert.Equal(t, c.code, r.code())
			if c.detail != "" {
				assert.Equal(t, c.detail, r.detail())
			}
			if c.status == 401 {
				assert.Contains(t, r.header.Get("WWW-Authenticate"), `realm="keygen"`)
			}
		})
	}

	t.Run("TOKEN_MISSING challenge", func(t *testing.T) {
		r := tt.do(req{method: "GET", path: "/me", auth: "-"})
		assert.Equal(t, `Bearer realm="keygen"`, r.header.Get("WWW-Authenticate"))
	})
	t.Run("token expiry follows the server clock", func(t *testing.T) {
		tt.srv.Advance(2 * time.Hour)
		r := tt.do(req{method: "GET", path: "/me", auth: "Bearer " + expiring})
		assert.Equal(t, 401, r.status)
		assert.Equal(t, "TOKEN_EXPIRED", r.code())
		assert.Equal(t, "Token is expired", r.detail())
	})
}

// TestAuthenticationCrossAccountToken: a token from another server's account is a 401
// (app/controllers/concerns/authentication.rb).
func TestAuthenticationCrossAccountToken(t *testing.T) {
	t.Parallel()
	a, b := newWorld(t), newWorld(t)
	r := a.do(req{method: "GET", path: "/products", auth: "Bearer " + b.srv.AdminToken})
	assert.Equal(t, 401, r.status)
	assert.Equal(t, "TOKEN_INVALID", r.code())
}
