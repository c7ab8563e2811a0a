package keygentest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Tokens: password login, generate, show, index, regenerate and revoke
// (features/api/v1/tokens/*.feature).

func tokenBody(attrs map[string]any, bearerType, bearerID string) map[string]any {
	var rels map[string]any
	if bearerType != "" {
		rels = map[string]any{"bearer": link(bearerType, bearerID)}
	}
	return doc("tokens", attrs, rels)
}

// TestTokensGenerate pins password login and its credential codes
// (app/controllers/api/v1/tokens_controller.rb).
func TestTokensGenerate(t *testing.T) {
	t.Parallel()
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
		{"not an email", basic("@", "x"), "", "EMAIL_REQUIRED", "email is required"},
		{"unknown email", basic("nobody@example.com", "x"), "", "EMAIL_INVALID", "email must be valid"},
		{"passwordless user", basic("nopw@example.com", "x"), "", "PASSWORD_NOT_SUPPORTED", "password is unsupported"},
		{"empty password", basic("u@example.com", ""), "", "PASSWORD_REQUIRED", "password is required"},
		{"wrong password", basic("u@example.com", "nope"), "", "PASSWORD_INVALID", "password must be valid"},
		{"v1.7 collapses codes", basic("u@example.com", "nope"), "1.7", "CREDENTIALS_INVALID", "email and password must be valid"},
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

	t.Run("no credentials", func(t *testing.T) {
		r := tt.do(req{method: "POST", path: "/tokens", auth: "-"})
		assert.Equal(t, 401, r.status)
		assert.Equal(t, "TOKEN_MISSING", r.code())
	})
	t.Run("banned user password login", func(t *testing.T) {
		id := tt.createUser("b@example.com")
		tt.do(req{method: "POST", path: "/users/" + id + "/actions/ban"})
		r := tt.do(req{method: "POST", path: "/tokens", auth: basic("b@example.com", "password")})
		assert.Equal(t, 403, r.status)
		assert.Equal(t, "You do not have permission to complete the request (user is banned)", r.detail())
	})
	t.Run("admin may mint user tokens, not product tokens", func(t *testing.T) {
		uid := tt.createUser("minted@example.com")
		r := tt.do(req{method: "POST", path: "/tokens", body: doc("tokens", nil, map[string]any{"bearer": link("users", uid)})})
		require.Equal(t, 201, r.status, string(r.body))
		assert.Equal(t, "user-token", r.attrs()["kind"])
		prod := tt.product()
		r = tt.do(req{method: "POST", path: "/tokens", body: doc("tokens", nil, map[string]any{"bearer": link("products", prod)})})
		assert.Equal(t, 403, r.status)
	})
}

// TestTokensLifecycle pins relationship routes, list filters, regenerate and revoke.
func TestTokensLifecycle(t *testing.T) {
	t.Parallel()
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

func TestTokensGenerateShowRegenerateRevoke(t *testing.T) {
	t.Parallel()
	w := newTeamWorld(t)
	tt := w
	gen := "tokens/generate.feature: "
	const far = "2531-01-01T00:00:00.000Z"
	tt.run(t, []apiCase{
		{name: gen + "Admin generates a new token via basic authentication",
			r:      req{method: "POST", path: "/tokens", auth: basic(tt.srv.AdminEmail, "password")},
			status: 201, attrs: map[string]any{"kind": "admin-token", "expiry": nil},
			check: func(t *testing.T, _ *world, r *reply) {
				assert.NotEmpty(t, r.attrs()["token"])
				assert.Equal(t, map[string]any{"type": "users", "id": w.admin}, relData(r, "bearer"))
			}},
		{name: gen + "Admin generates a named token",
			r:      req{method: "POST", path: "/tokens", auth: basic(tt.srv.AdminEmail, "password"), body: tokenBody(map[string]any{"name": "Client Token"}, "", "")},
			status: 201, attrs: map[string]any{"name": "Client Token"}},
		{name: gen + "Developer generates a new token via basic authentication",
			r: req{method: "POST", path: "/tokens", auth: basic("dev@example.com", "password")}, status: 201, attrs: map[string]any{"kind": "developer-token", "expiry": nil}},
		{name: gen + "Sales generates a new token via basic authentication",
			r: req{method: "POST", path: "/tokens", auth: basic("sales@example.com", "password")}, status: 201, attrs: map[string]any{"kind": "sales-token", "expiry": nil}},
		{name: gen + "Support generates a new token via basic authentication",
			r: req{method: "POST", path: "/tokens", auth: basic("support@example.com", "password")}, status: 201, attrs: map[string]any{"kind": "support-token", "expiry": nil}},
		{name: gen + "Read-only generates a new token via basic authentication",
			r: req{method: "POST", path: "/tokens", auth: basic("ro@example.com", "password")}, status: 201, attrs: map[string]any{"kind": "read-only-token", "expiry": nil}},
		{name: gen + "Admin generates a new token with a custom expiry via basic authentication",
			r:      req{method: "POST", path: "/tokens", auth: basic(tt.srv.AdminEmail, "password"), body: tokenBody(map[string]any{"expiry": far}, "", "")},
			status: 201, attrs: map[string]any{"kind": "admin-token", "expiry": far}},
		{name: gen + "Admin generates a new token for an invalid product",
			r: req{method: "POST", path: "/tokens", body: tokenBody(nil, "product", "2845d39b-050f-417a-8f06-a50f31c2b792")}, status: 403},
		{name: gen + "Admin generates a product token (admin→product via /tokens is denied)",
			r: req{method: "POST", path: "/tokens", body: tokenBody(nil, "product", w.prod)}, status: 403},
		{name: gen + "Admin generates a user token",
			r: req{method: "POST", path: "/tokens", body: tokenBody(nil, "user", w.user)}, status: 201, attrs: map[string]any{"kind": "user-token"}},
		{name: gen + "Product generates a new token for themselves",
			r: req{method: "POST", path: "/tokens", auth: bearer(w.prodTok)}, status: 403},
		{name: gen + "Product generates a new token for a product",
			r: req{method: "POST", path: "/tokens", auth: bearer(w.prodTok), body: tokenBody(nil, "product", w.prod2)}, status: 403},
		{name: gen + "Product generates a new token for their license",
			r: req{method: "POST", path: "/tokens", auth: bearer(w.prodTok), body: tokenBody(nil, "licenses", w.lic)}, status: 201,
			attrs: map[string]any{"kind": "activation-token"},
			check: func(t *testing.T, _ *world, r *reply) {
				assert.Equal(t, map[string]any{"type": "licenses", "id": w.lic}, relData(r, "bearer"))
			}},
		{name: gen + "Product generates a new token for a license",
			r: req{method: "POST", path: "/tokens", auth: bearer(w.prodTok), body: tokenBody(nil, "licenses", w.lic2)}, status: 403},
		{name: gen + "Product generates a new token for an admin",
			r: req{method: "POST", path: "/tokens", auth: bearer(w.prodTok), body: tokenBody(nil, "users", w.admin2)}, status: 403},
		{name: gen + "Product generates a new token for their user",
			r: req{method: "POST", path: "/tokens", auth: bearer(w.prodTok), body: tokenBody(nil, "user", w.user)}, status: 201, attrs: map[string]any{"kind": "user-token"}},
		{name: gen + "Product generates a new token for a user",
			r: req{method: "POST", path: "/tokens", auth: bearer(w.prodTok), body: tokenBody(nil, "user", w.user2)}, status: 403},
		{name: gen + "Product generates a new token for an invalid user",
			r: req{method: "POST", path: "/tokens", auth: bearer(w.prodTok), body: tokenBody(nil, "user", "0ea6a022-5fa1-42f2-9bf0-b0a3c5bbcc24")}, status: 403},
		{name: gen + "User generates a new token via token authentication",
			r: req{method: "POST", path: "/tokens", auth: bearer(w.userTok)}, status: 201, attrs: map[string]any{"kind": "user-token", "name": nil},
			check: func(t *testing.T, _ *world, r *reply) {
				exp, err := time.Parse(time.RFC3339, r.attrs()["expiry"].(string))
				require.NoError(t, err)
				assert.WithinDuration(t, tt.srv.clock.now().Add(14*24*time.Hour), exp, time.Minute)
			}},
		{name: gen + "Developer generates a new token",
			r: req{method: "POST", path: "/tokens", auth: bearer(w.devTok), body: tokenBody(map[string]any{"name": "Dev Token"}, "user", w.dev)}, status: 201,
			attrs: map[string]any{"kind": "developer-token", "expiry": nil}},
		{name: gen + "Developer generates a token for an admin",
			r: req{method: "POST", path: "/tokens", auth: bearer(w.devTok), body: tokenBody(map[string]any{"name": "Admin Token"}, "user", w.admin2)}, status: 403},
		{name: gen + "User generates a token for another user",
			r: req{method: "POST", path: "/tokens", auth: bearer(w.userTok), body: tokenBody(nil, "user", w.user2)}, status: 403},
		{name: gen + "User generates a token for an admin",
			r: req{method: "POST", path: "/tokens", auth: bearer(w.userTok), body: tokenBody(nil, "user", w.admin2)}, status: 403},
		{name: gen + "User generates a new token with a custom expiry via basic authentication",
			r: req{method: "POST", path: "/tokens", auth: basic("user@example.com", "password"), body: tokenBody(map[string]any{"expiry": "2049-01-01T00:00:00.000Z"}, "", "")}, status: 201,
			attrs: map[string]any{"expiry": "2049-01-01T00:00:00.000Z"}},
		{name: gen + "User generates a new token without an expiry via basic authentication",
			r: req{method: "POST", path: "/tokens", auth: basic("user@example.com", "password"), body: tokenBody(map[string]any{"expiry": nil}, "", "")}, status: 201,
			attrs: map[string]any{"expiry": nil, "kind": "user-token"}},
		{name: gen + "User attempts to generate a new token with an invalid email",
			r: req{method: "POST", path: "/tokens", auth: basic("foo@bar.example", "secret")}, status: 401,
			title: "Unauthorized", code: "EMAIL_INVALID", detail: "email must be valid", source: map[string]any{"header": "Authorization"}},
		{name: gen + "User attempts to generate a new token with an invalid email (v1.7)",
			r: req{method: "POST", path: "/tokens", auth: basic("foo@bar.example", "secret"), headers: map[string]string{"Keygen-Version": "1.7"}}, status: 401,
			code: "CREDENTIALS_INVALID", detail: "email and password must be valid", source: map[string]any{"header": "Authorization"}},
		{name: gen + "User attempts to generate a new token with an invalid password",
			r: req{method: "POST", path: "/tokens", auth: basic("user@example.com", "someBadPassword")}, status: 401,
			code: "PASSWORD_INVALID", detail: "password must be valid", source: map[string]any{"header": "Authorization"}},
		{name: gen + "User attempts to generate a new token without a password",
			r: req{method: "POST", path: "/tokens", auth: basic("user@example.com", "")}, status: 401,
			code: "PASSWORD_REQUIRED", detail: "password is required", source: map[string]any{"header": "Authorization"}},
		{name: gen + "User attempts to generate a new token without a password (v1.7)",
			r: req{method: "POST", path: "/tokens", auth: basic("user@example.com", ""), headers: map[string]string{"Keygen-Version": "1.7"}}, status: 401,
			code: "CREDENTIALS_INVALID"},
		{name: gen + "User attempts to generate a new token without authentication",
			r: req{method: "POST", path: "/tokens", auth: "-"}, status: 401},
		{name: gen + "Anonymous attempts to send a null byte within the email",
			r: req{method: "POST", path: "/tokens", auth: "Basic Zm9vQGJhAHIuZXhhbXBsZTpiYXo="}, status: 401,
			code: "EMAIL_REQUIRED", detail: "email is required", source: map[string]any{"header": "Authorization"}},
		{name: gen + "Anonymous attempts to send a badly encoded email address",
			r: req{method: "POST", path: "/tokens", auth: basic("\x80"+tt.srv.AdminEmail, "\x80password")}, status: 400,
			title: "Bad request", code: "ENCODING_INVALID", detail: "The request could not be completed because it contains an invalid byte sequence (check encoding)"},
		{name: gen + "Anonymous attempts to send a null byte within the password",
			r: req{method: "POST", path: "/tokens", auth: basic("user@example.com", "ba\x00z")}, status: 401,
			code: "PASSWORD_INVALID", detail: "password must be valid"},
	})

	prodTok2, _ := tt.tokenFor("products", w.prod2, nil)
	show := "tokens/show.feature: "
	reg := "tokens/regenerate.feature: "
	rev := "tokens/revoke.feature: "
	tt.run(t, []apiCase{
		{name: show + "Admin retrieves an invalid token while authenticated",
			r: req{method: "GET", path: "/tokens/invalid"}, status: 404, title: "Not found", code: "NOT_FOUND", detail: "The requested token 'invalid' was not found"},
		{name: show + "Product requests a token for their license",
			r: req{method: "GET", path: "/tokens/" + w.licTokID, auth: bearer(w.prodTok)}, status: 200},
		{name: show + "Product requests a token for their user",
			r: req{method: "GET", path: "/tokens/" + w.userTokID, auth: bearer(w.prodTok)}, status: 200},
		{name: show + "Product requests a token for an admin",
			r: req{method: "GET", path: "/tokens/" + w.admin2TokID, auth: bearer(w.prodTok)}, status: 404},
		{name: show + "Product requests a token for a user",
			r: req{method: "GET", path: "/tokens/" + w.admin2TokID, auth: bearer(w.user2Tok)}, status: 404},
		{name: show + "Anonymous requests a user's token",
			r: req{method: "GET", path: "/tokens/" + w.userTokID, auth: "-"}, status: 401},
		{name: show + "Admin requests a token while authenticated (no secret)",
			r: req{method: "GET", path: "/tokens/" + w.userTokID}, status: 200,
			check: func(t *testing.T, _ *world, r *reply) { assert.NotContains(t, r.attrs(), "token") }},
		{name: reg + "Admin resets an admin token by id",
			r: req{method: "PUT", path: "/tokens/" + w.admin2TokID}, status: 403},
		{name: reg + "Admin resets a product token by id",
			r: req{method: "PUT", path: "/tokens/" + prodTok2}, status: 200, attrs: map[string]any{"kind": "product-token", "expiry": nil},
			check: func(t *testing.T, _ *world, r *reply) { assert.NotEmpty(t, r.attrs()["token"]) }},
		{name: reg + "Product resets a token for an admin",
			r: req{method: "PUT", path: "/tokens/" + w.admin2TokID, auth: bearer(w.prodTok)}, status: 404},
		{name: reg + "Product resets a token for their license",
			r: req{method: "PUT", path: "/tokens/" + w.licTokID, auth: bearer(w.prodTok)}, status: 200},
		{name: reg + "User resets their current token with a bad reset token",
			r: req{method: "PUT", path: "/tokens", auth: bearer("user-badtoken")}, status: 401,
			title: "Unauthorized", code: "TOKEN_INVALID", detail: "You must be authenticated to complete the request"},
		{name: rev + "User attempts to revoke another user's token",
			r: req{method: "DELETE", path: "/tokens/" + w.licTokID, auth: bearer(w.user2Tok)}, status: 404},
		{name: rev + "Product revokes a token for an admin",
			r: req{method: "DELETE", path: "/tokens/" + w.admin2TokID, auth: bearer(w.prodTok)}, status: 404},
	})
}

func TestTokensIndex(t *testing.T) {
	t.Parallel()
	tt := newWorld(t)
	var prods, users, lics []string
	for i := 0; i < 3; i++ {
		prods = append(prods, tt.mustCreate("/products", "products", map[string]any{"name": "P"}, nil))
		tt.tokenFor("products", prods[i], nil)
	}
	for i := 0; i < 5; i++ {
		users = append(users, tt.createUser("u"+string(rune('0'+i))+"@example.com"))
		tt.tokenFor("users", users[i], nil)
	}
	pol := tt.policy(prods[0], nil)
	for i := 0; i < 2; i++ {
		lics = append(lics, tt.licenseOwnedBy(pol, ""))
		tt.tokenFor("licenses", lics[i], nil)
	}
	_, prodTok := tt.tokenFor("products", prods[0], nil)
	_, userTok := tt.tokenFor("users", users[1], nil)
	_, licTok := tt.tokenFor("licenses", lics[0], nil)
	ix := "tokens/index.feature: "
	count := func(n int) func(t *testing.T, w *world, r *reply) {
		return func(t *testing.T, _ *world, r *reply) { assert.Len(t, r.list(), n) }
	}
	tt.run(t, []apiCase{
		// 3+1 product, 5+1 user, 2+1 license tokens and the admin's own.
		{name: ix + "Admin requests all tokens while authenticated", r: req{method: "GET", path: "/tokens?limit=100"}, status: 200, check: count(14)},
		{name: ix + "Admin requests all tokens for a specific user", r: req{method: "GET", path: "/tokens?bearer[type]=user&bearer[id]=" + users[3]}, status: 200, check: count(1)},
		{name: ix + "Admin requests all tokens for a specific product", r: req{method: "GET", path: "/tokens?bearer[type]=product&bearer[id]=" + prods[1]}, status: 200, check: count(1)},
		{name: ix + "Admin requests all tokens for a specific license", r: req{method: "GET", path: "/tokens?bearer[type]=license&bearer[id]=" + lics[1]}, status: 200, check: count(1)},
		{name: ix + "Admin requests all tokens with product bearers", r: req{method: "GET", path: "/tokens?bearer[type]=product"}, status: 200, check: count(4)},
		{name: ix + "Admin requests all tokens for admin bearers", r: req{method: "GET", path: "/tokens?bearer[role]=admin"}, status: 200, check: count(1)},
		{name: ix + "Admin requests tokens for multiple roles", r: req{method: "GET", path: "/tokens?bearer[role][]=license&bearer[role][]=user&limit=100"}, status: 200, check: count(9)},
		{name: ix + "Product requests all tokens for a specific license", r: req{method: "GET", path: "/tokens?bearer[type]=license&bearer[id]=" + lics[0], auth: bearer(prodTok)}, status: 200, check: count(2)},
		{name: ix + "License requests their tokens while authenticated", r: req{method: "GET", path: "/tokens", auth: bearer(licTok)}, status: 200, check: count(2)},
		{name: ix + "License requests tokens for another license", r: req{method: "GET", path: "/tokens?bearer[type]=license&bearer[id]=" + lics[1], auth: bearer(licTok)}, status: 200, check: count(0)},
		{name: ix + "User requests their tokens while authenticated", r: req{method: "GET", path: "/tokens", auth: bearer(userTok)}, status: 200, check: count(2)},
		{name: ix + "User requests another user's tokens", r: req{method: "GET", path: "/tokens?bearer[type]=user&bearer[id]=" + users[0], auth: bearer(userTok)}, status: 200, check: count(0)},
	})
}

func TestTokensRegenerateExpiry(t *testing.T) {
	t.Parallel()
	tt := newWorld(t)
	u := tt.createUser("u@example.com")
	_, userTok := tt.tokenFor("users", u, map[string]any{"expiry": tt.srv.Now().Add(7 * 24 * time.Hour).Format(time.RFC3339)})
	_, expired := tt.tokenFor("users", u, map[string]any{"expiry": tt.srv.Now().Add(time.Hour).Format(time.RFC3339)})
	p := tt.product()
	_, prodTok := tt.tokenFor("products", p, nil)
	tt.srv.Advance(2 * time.Hour)
	reg := "tokens/regenerate.feature: "
	within2w := func(t *testing.T, _ *world, r *reply) {
		exp, err := time.Parse(time.RFC3339, r.attrs()["expiry"].(string))
		require.NoError(t, err)
		assert.WithinDuration(t, tt.srv.Now().Add(14*24*time.Hour), exp, time.Minute)
	}
	tt.run(t, []apiCase{
		{name: reg + "User resets their current token", r: req{method: "PUT", path: "/tokens", auth: bearer(userTok)}, status: 200, attrs: map[string]any{"kind": "user-token"}, check: within2w},
		{name: reg + "User resets their current token that is expired", r: req{method: "PUT", path: "/tokens", auth: bearer(expired)}, status: 401},
		{name: reg + "Product resets their current token", r: req{method: "PUT", path: "/tokens", auth: bearer(prodTok)}, status: 200, attrs: map[string]any{"kind": "product-token", "expiry": nil}},
		{name: "tokens/expiration.feature: Admin attempts to use an expired token", r: req{method: "GET", path: "/me", auth: bearer(expired)}, status: 401, code: "TOKEN_EXPIRED", detail: "Token is expired"},
	})
}

// TestTokensWire pins the wire answers of the token routes on a newResourceWorld.
func TestTokensWire(t *testing.T) {
	t.Parallel()
	tt := newResourceWorld(t)
	prod, uid, userTok := tt.prod, tt.user, tt.userTok
	tt.run(t, []apiCase{
		{name: "password login: 201 user token, expiry +14d", r: req{method: "POST", path: "/tokens", auth: basic("u@example.com", "password")}, status: 201,
			attrs: map[string]any{"kind": "user-token"}, check: func(t *testing.T, _ *world, r *reply) {
				assert.NotEmpty(t, r.attrs()["token"])
				assert.NotNil(t, r.attrs()["expiry"])
				assert.NotEmpty(t, r.header.Get("Location"))
			}},
		{name: "wrong password", r: req{method: "POST", path: "/tokens", auth: basic("u@example.com", "nope")}, status: 401,
			code: "PASSWORD_INVALID", detail: "password must be valid", source: map[string]any{"header": "Authorization"}},
		{name: "unknown email", r: req{method: "POST", path: "/tokens", auth: basic("who@example.com", "password")}, status: 401,
			code: "EMAIL_INVALID", detail: "email must be valid", source: map[string]any{"header": "Authorization"}},
		{name: "blank password", r: req{method: "POST", path: "/tokens", auth: basic("u@example.com", "")}, status: 401,
			code: "PASSWORD_REQUIRED", detail: "password is required", source: map[string]any{"header": "Authorization"}},
		{name: "v1.7 CREDENTIALS_INVALID", r: req{method: "POST", path: "/tokens", auth: basic("u@example.com", "nope"), headers: map[string]string{"Keygen-Version": "1.7"}},
			status: 401, code: "CREDENTIALS_INVALID", detail: "email and password must be valid"},
		{name: "generate without credentials", r: req{method: "POST", path: "/tokens", auth: "-"}, status: 401, code: "TOKEN_MISSING"},
		{name: "retrieve has no secret", r: req{method: "GET", path: "/tokens", auth: "Bearer " + userTok}, status: 200, check: func(t *testing.T, _ *world, r *reply) {
			for _, x := range r.list() {
				assert.NotContains(t, x.(map[string]any)["attributes"], "token")
			}
		}},
		{name: "token id as bearer", r: req{method: "GET", path: "/tokens", auth: "Bearer " + uid}, status: 401, code: "TOKEN_FORMAT_INVALID"},
		{name: "blank token name: cannot be blank", r: req{method: "POST", path: "/products/" + prod + "/tokens", body: doc("tokens", map[string]any{"name": ""}, nil)},
			status: 400, detail: "cannot be blank", source: map[string]any{"pointer": "/data/attributes/name"}},
		{name: "blank webhook apiVersion: cannot be blank", r: req{method: "POST", path: "/webhook-endpoints", body: doc("webhook-endpoints", map[string]any{"url": "https://example.com/b", "apiVersion": ""}, nil)},
			status: 400, detail: "cannot be blank", source: map[string]any{"pointer": "/data/attributes/apiVersion"}},
		{name: "product token route: 200", r: req{method: "POST", path: "/products/" + prod + "/tokens"}, status: 200, attrs: map[string]any{"kind": "product-token", "expiry": nil}},
		{name: "user token route: 200", r: req{method: "POST", path: "/users/" + uid + "/tokens"}, status: 200, attrs: map[string]any{"kind": "user-token"}},
		{name: "user cannot mint product tokens (cannot see product → 404)", r: req{method: "POST", path: "/products/" + prod + "/tokens", auth: "Bearer " + userTok}, status: 404},
	})
}

func TestTokensStaff(t *testing.T) {
	t.Parallel()
	w := newTeamWorld(t)
	tt := w
	g := "tokens/generate.feature: "
	login := func(email string) req { return req{method: "POST", path: "/tokens", auth: basic(email, "password")} }
	forBearer := func(id string) req {
		return writeAs("POST", "/tokens", w.devTok, doc("tokens", map[string]any{"name": "Dev Token"}, map[string]any{"bearer": link("user", id)}))
	}
	tt.run(t, []apiCase{
		{name: g + "Developer generates a new token via basic authentication", r: login("dev@example.com"), status: 201, attrs: map[string]any{"kind": "developer-token", "expiry": nil}},
		{name: g + "Sales generates a new token via basic authentication", r: login("sales@example.com"), status: 201, attrs: map[string]any{"kind": "sales-token", "expiry": nil}},
		{name: g + "Support generates a new token via basic authentication", r: login("support@example.com"), status: 201, attrs: map[string]any{"kind": "support-token", "expiry": nil}},
		{name: g + "Read-only generates a new token via basic authentication", r: login("ro@example.com"), status: 201, attrs: map[string]any{"kind": "read-only-token", "expiry": nil}},
		{name: g + "Developer generates a new token", r: forBearer(w.dev), status: 201, attrs: map[string]any{"kind": "developer-token", "expiry": nil},
			check: func(t *testing.T, _ *world, r *reply) {
				rel, _ := r.data()["relationships"].(map[string]any)["bearer"].(map[string]any)
				assert.Equal(t, map[string]any{"type": "users", "id": w.dev}, rel["data"])
			}},
		{name: g + "Developer generates a token for an admin", r: forBearer(w.admin), status: 403, title: "Access denied", detail: denied},
	})
}
