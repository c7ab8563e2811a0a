package keygentest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Cases drawn from the real server's request specs (features/api/v1/…), played over real
// HTTP. Each case names the feature file and scenario it pins (keygen-api.md §2).

func (w *world) createRoleUser(email, role string) string {
	return w.mustCreate("/users", "users", map[string]any{"email": email, "password": "password", "role": role}, nil)
}

func (w *world) licenseOwnedBy(policyID, ownerID string) string {
	rels := map[string]any{"policy": link("policies", policyID)}
	if ownerID != "" {
		rels["owner"] = link("users", ownerID)
	}
	return w.mustCreate("/licenses", "licenses", nil, rels)
}

func newTeamWorld(t *testing.T) *world {
	tt := newWorld(t)
	w := tt
	w.admin = tt.get("/me").id()
	w.prod = tt.product()
	w.prod2 = tt.mustCreate("/products", "products", map[string]any{"name": "Other"}, nil)
	w.pol = tt.policy(w.prod, nil)
	w.pol2 = tt.policy(w.prod2, nil)
	w.user = tt.createUser("user@example.com")
	w.user2 = tt.createUser("user2@example.com")
	w.dev = tt.createRoleUser("dev@example.com", "developer")
	w.sales = tt.createRoleUser("sales@example.com", "sales-agent")
	w.support = tt.createRoleUser("support@example.com", "support-agent")
	w.ro = tt.createRoleUser("ro@example.com", "read-only")
	w.admin2 = tt.createRoleUser("admin2@example.com", "admin")
	w.lic = tt.licenseOwnedBy(w.pol, w.user)
	w.lic2 = tt.licenseOwnedBy(w.pol2, "")
	w.prodTokID, w.prodTok = tt.tokenFor("products", w.prod, nil)
	w.userTokID, w.userTok = tt.tokenFor("users", w.user, nil)
	_, w.user2Tok = tt.tokenFor("users", w.user2, nil)
	w.licTokID, w.licTok = tt.tokenFor("licenses", w.lic, nil)
	_, w.devTok = tt.loginToken("dev@example.com")
	_, w.salesTok = tt.loginToken("sales@example.com")
	_, w.supportTok = tt.loginToken("support@example.com")
	_, w.roTok = tt.loginToken("ro@example.com")
	w.admin2TokID, w.admin2Tok = tt.loginToken("admin2@example.com")
	w.staff = map[string]string{"Developer": w.devTok, "Sales": w.salesTok, "Support": w.supportTok, "Read-only": w.roTok}
	return w
}

func bearer(tok string) string { return "Bearer " + tok }

func tokenBody(attrs map[string]any, bearerType, bearerID string) map[string]any {
	var rels map[string]any
	if bearerType != "" {
		rels = map[string]any{"bearer": link(bearerType, bearerID)}
	}
	return doc("tokens", attrs, rels)
}

func relData(r *reply, name string) map[string]any {
	rels, _ := r.data()["relationships"].(map[string]any)
	rel, _ := rels[name].(map[string]any)
	d, _ := rel["data"].(map[string]any)
	return d
}

func TestF4Tokens(t *testing.T) {
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

func TestF4TokensIndex(t *testing.T) {
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

func TestF4TokenRegenerateExpiry(t *testing.T) {
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

func TestF4UsersCreate(t *testing.T) {
	w := newTeamWorld(t)
	tt := w
	cr := "users/create.feature: "
	user := func(extra map[string]any) map[string]any {
		a := map[string]any{"email": newUUID()[:8] + "@keygen.example", "password": "password"}
		for k, v := range extra {
			a[k] = v
		}
		return doc("users", a, nil)
	}
	unpermitted := func(ptr string) map[string]any { return map[string]any{"pointer": ptr} }
	badJSON := "The request could not be completed because it contains invalid JSON (check formatting/encoding)"
	raw := func(attrs string) string {
		return `{"data":{"type":"users","attributes":{"email":"bishopfox+blog@keygen.example","password":"json-interoperability-vulnerabilities","role":null,` + attrs + `}}}`
	}
	tt.run(t, []apiCase{
		{name: cr + "Anonymous creates a user with blank names", r: req{method: "POST", path: "/users", auth: "-", body: user(map[string]any{"firstName": "", "lastName": ""})}, status: 201,
			attrs: map[string]any{"firstName": "", "lastName": "", "fullName": " "}},
		{name: cr + "Anonymous creates a user with null names", r: req{method: "POST", path: "/users", auth: "-", body: user(map[string]any{"firstName": nil, "lastName": nil})}, status: 201,
			attrs: map[string]any{"firstName": nil, "lastName": nil}},
		{name: cr + "Anonymous creates a grouped user for an account", r: req{method: "POST", path: "/users", auth: "-", body: doc("users", map[string]any{"email": "g@keygen.example"}, map[string]any{"group": link("groups", newUUID())})}, status: 400,
			title: "Bad request", detail: "unpermitted parameter", source: unpermitted("/data/relationships/group")},
		{name: cr + "Anonymous creates a user without a password", r: req{method: "POST", path: "/users", auth: "-", body: doc("users", map[string]any{"email": "nopw@keygen.example"}, nil)}, status: 201},
		{name: cr + "Anonymous attempts to create an incomplete user for an account", r: req{method: "POST", path: "/users", auth: "-", body: doc("users", map[string]any{"firstName": "x", "password": "password"}, nil)}, status: 400},
		{name: cr + "Anonymous attempts to create a user with invalid parameter types", r: req{method: "POST", path: "/users", auth: "-", body: doc("users", map[string]any{"email": 1, "password": "password"}, nil)}, status: 400},
		{name: cr + "Anonymous attempts to create a user with an invalid email", r: req{method: "POST", path: "/users", auth: "-", body: doc("users", map[string]any{"email": "foo.bar.baz"}, nil)}, status: 422,
			code: "EMAIL_INVALID", detail: "is invalid", source: unpermitted("/data/attributes/email")},
		{name: cr + "Developer creates a user for their protected account", r: req{method: "POST", path: "/users", auth: bearer(w.devTok), body: user(nil)}, status: 201},
		{name: cr + "Sales creates a user for their protected account", r: req{method: "POST", path: "/users", auth: bearer(w.salesTok), body: user(nil)}, status: 201},
		{name: cr + "Support creates a user for their account", r: req{method: "POST", path: "/users", auth: bearer(w.supportTok), body: user(nil)}, status: 403},
		{name: cr + "Read-only creates a user for their account", r: req{method: "POST", path: "/users", auth: bearer(w.roTok), body: user(nil)}, status: 403},
		{name: cr + "Admin creates a sales agent for their account", r: req{method: "POST", path: "/users", body: user(map[string]any{"role": "sales-agent"})}, status: 201, attrs: map[string]any{"role": "sales-agent"}},
		{name: cr + "Admin creates a read-only for their account", r: req{method: "POST", path: "/users", body: user(map[string]any{"role": "read-only"})}, status: 201, attrs: map[string]any{"role": "read-only"}},
		{name: cr + "Admin creates an admin for their account (for default permissions, with default permissions)", r: req{method: "POST", path: "/users", body: user(map[string]any{"role": "admin"})}, status: 201, attrs: map[string]any{"role": "admin"}},
		{name: cr + "Developer attempts to create an admin for their account", r: req{method: "POST", path: "/users", auth: bearer(w.devTok), body: user(map[string]any{"role": "admin"})}, status: 400},
		{name: cr + "Sales attempts to create an admin for their unprotected account", r: req{method: "POST", path: "/users", auth: bearer(w.salesTok), body: user(map[string]any{"role": "admin"})}, status: 400},
		{name: cr + "Admin attempts to create a user with an invalid role", r: req{method: "POST", path: "/users", body: user(map[string]any{"role": "super-admin"})}, status: 400},
		{name: cr + "Product creates an admin for their account", r: req{method: "POST", path: "/users", auth: bearer(w.prodTok), body: user(map[string]any{"role": "admin"})}, status: 400},
		{name: cr + "Product creates a user for a protected account", r: req{method: "POST", path: "/users", auth: bearer(w.prodTok), body: user(nil)}, status: 201},
		{name: cr + "User attempts to create an admin for their account", r: req{method: "POST", path: "/users", auth: bearer(w.userTok), body: user(map[string]any{"role": "admin"})}, status: 400},
		{name: cr + "Anonymous attempts to create a user with a license role for an account", r: req{method: "POST", path: "/users", auth: "-", body: user(map[string]any{"role": "license"})}, status: 400,
			detail: "unpermitted parameter", source: unpermitted("/data/attributes/role")},
		{name: cr + "Anonymous attempts to create a user with an admin role for an account (meme casing)", r: req{method: "POST", path: "/users", auth: "-", body: user(map[string]any{"RoLe": "admin"})}, status: 400,
			detail: "unpermitted parameter", source: unpermitted("/data/attributes/roLe")},
		{name: cr + "Anonymous attempts to create a user with an admin role for an account (caps casing)", r: req{method: "POST", path: "/users", auth: "-", body: user(map[string]any{"ROLE": "admin"})}, status: 400,
			detail: "unpermitted parameter", source: unpermitted("/data/attributes/role")},
		{name: cr + "Anonymous attempts to send a request containing an invalid byte sequence (bad UTF-8 encoding)", r: req{method: "POST", path: "/users", auth: "-",
			raw: `{"data":{"type":"users","attributes":{"firstName":"CP1252 ` + "\xE4\xF6\xFC\xDF" + `","email":"thor@keygen.sh","password":"hunter1"}}}`}, status: 400,
			code: "JSON_INVALID", detail: badJSON, noMeta: true},
		{name: cr + "Anonymous attempts to send a request containing a unicode injection (1)", r: req{method: "POST", path: "/users", auth: "-", raw: raw(`"role\ud888":"admin"`)}, status: 400,
			code: "JSON_INVALID", detail: badJSON, noMeta: true},
		{name: cr + "Anonymous attempts to send a request containing a stray quotes injection", r: req{method: "POST", path: "/users", auth: "-", raw: raw(`'role':"admin"`)}, status: 400,
			code: "JSON_INVALID", detail: badJSON, noMeta: true},
		{name: cr + "Anonymous attempts to send a request containing a missing quotes injection", r: req{method: "POST", path: "/users", auth: "-", raw: raw(`role:"admin"`)}, status: 400,
			code: "JSON_INVALID", detail: badJSON, noMeta: true},
		{name: cr + "Anonymous attempts to send a request containing a stray backslash injection", r: req{method: "POST", path: "/users", auth: "-", raw: raw(`"ro\le":"admin"`)}, status: 400,
			detail: "unpermitted parameter", source: unpermitted("/data/attributes/role")},
		{name: cr + "Anonymous attempts to send a request containing a unicode injection (2)", r: req{method: "POST", path: "/users", auth: "-", raw: raw(`"role\x0d":"admin"`)}, status: 400,
			detail: "unpermitted parameter"},
	})
}

func TestModelValidationProducts(t *testing.T) {
	tt := newWorld(t)
	tt.product()
	ptr := func(attr string) map[string]any { return map[string]any{"pointer": "/data/attributes/" + attr} }
	inv := func(name string, r req, code, attr, detail string) apiCase {
		return apiCase{name: name, r: r, status: 422, title: "Unprocessable resource", code: code, source: ptr(attr), detail: detail}
	}
	tt.run(t, []apiCase{
		inv("products/create.feature: Admin creates a product with an invalid distribution strategy",
			req{method: "POST", path: "/products", body: doc("products", map[string]any{"name": "X", "distributionStrategy": "PRIVATE"}, nil)},
			"DISTRIBUTION_STRATEGY_NOT_ALLOWED", "distributionStrategy", "unsupported distribution strategy"),
		{name: "products/create.feature: Admin creates a product with an invalid URL for their account",
			r: req{method: "POST", path: "/products", body: doc("products", map[string]any{"name": "X", "url": "file:///boom.sh"}, nil)}, status: 422},
		{name: "products/create.feature: Admin attempts to create an incomplete product for their account",
			r: req{method: "POST", path: "/products", body: doc("products", map[string]any{"url": "https://example.com"}, nil)}, status: 400},
	})
}

func TestModelValidationPolicies(t *testing.T) {
	tt := newWorld(t)
	prod := tt.product()
	pc := "policies/create.feature: "
	ptr := func(attr string) map[string]any { return map[string]any{"pointer": "/data/attributes/" + attr} }
	policy := func(attrs map[string]any) req {
		if _, ok := attrs["name"]; !ok {
			attrs["name"] = "P"
		}
		return req{method: "POST", path: "/policies", body: doc("policies", attrs, map[string]any{"product": link("products", prod)})}
	}
	inv := func(name string, r req, code, attr, detail string) apiCase {
		return apiCase{name: name, r: r, status: 422, title: "Unprocessable resource", code: code, source: ptr(attr), detail: detail}
	}
	tt.run(t, []apiCase{
		inv(pc+"Admin creates a policy that has a max uses that exceeds the max value of a 4 byte integer", policy(map[string]any{"maxUses": 2147483648}),
			"MAX_USES_INVALID", "maxUses", "must be less than or equal to 2147483647"),
		{name: pc + "Admin creates a policy that has a leasing strategy", r: policy(map[string]any{"leasingStrategy": "PER_MACHINE"}), status: 400,
			detail: "unpermitted parameter", source: ptr("leasingStrategy")},
		inv(pc+"Admin creates a policy that has an invalid machine uniqueness strategy", policy(map[string]any{"machineUniquenessStrategy": "UNIQUE_PER_AGENT"}),
			"MACHINE_UNIQUENESS_STRATEGY_NOT_ALLOWED", "machineUniquenessStrategy", "unsupported machine uniqueness strategy"),
		inv(pc+"Admin creates a policy that has an invalid machine matching strategy", policy(map[string]any{"machineMatchingStrategy": "MATCH_NONE"}),
			"MACHINE_MATCHING_STRATEGY_NOT_ALLOWED", "machineMatchingStrategy", "unsupported machine matching strategy"),
		inv(pc+"Admin creates a policy that has an invalid expiration strategy", policy(map[string]any{"expirationStrategy": "REVOKE"}),
			"EXPIRATION_STRATEGY_NOT_ALLOWED", "expirationStrategy", "unsupported expiration strategy"),
		inv(pc+"Admin creates a policy that has an invalid expiration basis", policy(map[string]any{"expirationBasis": "FROM_NEVER"}),
			"EXPIRATION_BASIS_NOT_ALLOWED", "expirationBasis", "unsupported expiration basis"),
		inv(pc+"Admin creates a policy that has an invalid renewal basis", policy(map[string]any{"renewalBasis": "FROM_NEVER"}),
			"RENEWAL_BASIS_NOT_ALLOWED", "renewalBasis", "unsupported renewal basis"),
		inv(pc+"Admin creates a policy that has an invalid license auth strategy", policy(map[string]any{"authenticationStrategy": "BASIC"}),
			"AUTHENTICATION_STRATEGY_NOT_ALLOWED", "authenticationStrategy", "unsupported authentication strategy"),
		inv(pc+"Admin creates a policy that has an invalid heartbeat cull strategy", policy(map[string]any{"heartbeatCullStrategy": "KILL"}),
			"HEARTBEAT_CULL_STRATEGY_NOT_ALLOWED", "heartbeatCullStrategy", "unsupported heartbeat cull strategy"),
		inv(pc+"Admin creates a policy that has an invalid heartbeat resurrection strategy", policy(map[string]any{"heartbeatResurrectionStrategy": "NEVER"}),
			"HEARTBEAT_RESURRECTION_STRATEGY_NOT_ALLOWED", "heartbeatResurrectionStrategy", "unsupported heartbeat resurrection strategy"),
		inv(pc+"Admin creates a policy that has an incompatible heartbeat resurrection strategy", policy(map[string]any{"heartbeatResurrectionStrategy": "ALWAYS_REVIVE", "heartbeatCullStrategy": "DEACTIVATE_DEAD"}),
			"HEARTBEAT_CULL_STRATEGY_NOT_ALLOWED", "heartbeatCullStrategy", "incompatible heartbeat cull strategy (must be KEEP_DEAD when resurrection strategy is ALWAYS_REVIVE)"),
		inv(pc+"Admin creates a policy that has an invalid transfer strategy", policy(map[string]any{"transferStrategy": "RESET"}),
			"TRANSFER_STRATEGY_NOT_ALLOWED", "transferStrategy", "unsupported transfer strategy"),
		inv(pc+"Admin creates a policy that has an allow 1.25x overage strategy (non-divisible machine limit)", policy(map[string]any{"floating": true, "maxMachines": 3, "overageStrategy": "ALLOW_1_25X_OVERAGE"}),
			"OVERAGE_STRATEGY_NOT_ALLOWED", "overageStrategy", "incompatible overage strategy (cannot use ALLOW_1_25X_OVERAGE with a max machines value not divisible by 4)"),
		inv(pc+"Admin creates a policy that has an allow 1.5x overage strategy (odd user limit)", policy(map[string]any{"floating": true, "maxMachines": 2, "maxUsers": 3, "overageStrategy": "ALLOW_1_5X_OVERAGE"}),
			"OVERAGE_STRATEGY_NOT_ALLOWED", "overageStrategy", "incompatible overage strategy (cannot use ALLOW_1_5X_OVERAGE with a max users value not divisible by 2)"),
		inv(pc+"Admin creates a node-locked policy that has an allow 1.5x overage strategy", policy(map[string]any{"floating": false, "overageStrategy": "ALLOW_1_5X_OVERAGE"}),
			"OVERAGE_STRATEGY_NOT_ALLOWED", "overageStrategy", "incompatible overage strategy (cannot use ALLOW_1_5X_OVERAGE for node-locked policy)"),
		inv(pc+"Admin creates a policy that has an invalid overage strategy", policy(map[string]any{"overageStrategy": "ALLOW_3X_OVERAGE"}),
			"OVERAGE_STRATEGY_NOT_ALLOWED", "overageStrategy", "unsupported overage strategy"),
		inv(pc+"Admin creates a policy with a custom heartbeat duration that is too short", policy(map[string]any{"heartbeatDuration": 59}),
			"HEARTBEAT_DURATION_INVALID", "heartbeatDuration", "must be greater than or equal to 60 (1 minute)"),
		inv(pc+"Admin attempts to create a policy that is legacy encrypted that uses a pool", policy(map[string]any{"encrypted": true, "usePool": true}),
			"ENCRYPTED_NOT_SUPPORTED", "encrypted", "cannot be encrypted and use a pool"),
		inv(pc+"Admin attempts to create a policy using scheme RSA_2048_PKCS1_SIGN that uses a pool", policy(map[string]any{"scheme": "RSA_2048_PKCS1_SIGN", "usePool": true}),
			"SCHEME_NOT_SUPPORTED", "scheme", "cannot use a scheme and use a pool"),
		inv(pc+"Admin creates a policy for their account that requires license check-in that is invalid", policy(map[string]any{"requireCheckIn": true, "checkInInterval": "decade", "checkInIntervalCount": 1}),
			"CHECK_IN_INTERVAL_NOT_ALLOWED", "checkInInterval", "must be one of: day, week, month, year"),
		inv(pc+"Admin creates a floating policy for their account that is not valid", policy(map[string]any{"floating": true, "maxMachines": 0}),
			"MAX_MACHINES_INVALID", "maxMachines", "must be greater than or equal to 1 for floating policy"),
		inv(pc+"Admin creates a node-locked policy for their account that is not valid", policy(map[string]any{"floating": false, "maxMachines": 5}),
			"MAX_MACHINES_INVALID", "maxMachines", "must be equal to 1 for non-floating policy"),
		inv(pc+"Admin creates a policy using scheme LEGACY_ENCRYPT for their account without encrypted", policy(map[string]any{"scheme": "LEGACY_ENCRYPT"}),
			"SCHEME_INVALID", "scheme", "must be encrypted when using LEGACY_ENCRYPT scheme"),
		inv(pc+"Admin creates a policy using an unsupported encryption scheme RSA_2048_PKCS1_SIGN", policy(map[string]any{"scheme": "RSA_2048_PKCS1_SIGN", "encrypted": true}),
			"SCHEME_NOT_ALLOWED", "scheme", "unsupported encryption scheme (scheme must be LEGACY_ENCRYPT for legacy encrypted policies)"),
		inv(pc+"Admin creates a policy using scheme AES_SHA256 for their account", policy(map[string]any{"scheme": "AES_SHA256"}),
			"SCHEME_NOT_ALLOWED", "scheme", "unsupported signing scheme"),
		{name: pc + "Admin creates a concurrent policy (v1.2)", r: policy(map[string]any{"concurrent": true}), status: 400},
		inv(pc+"Admin creates a policy for their account that has a duration that is too large", policy(map[string]any{"duration": 2147483648}),
			"DURATION_INVALID", "duration", "must be less than or equal to 2147483647"),
		inv(pc+"Admin creates a policy that has an invalid maximum cores count", policy(map[string]any{"maxCores": 0}), "MAX_CORES_INVALID", "maxCores", "must be greater than or equal to 1"),
		inv(pc+"Admin creates a policy that has an invalid max memory", policy(map[string]any{"maxMemory": 0}), "MAX_MEMORY_INVALID", "maxMemory", "must be greater than or equal to 1"),
		inv(pc+"Admin creates a policy that has an invalid max disk", policy(map[string]any{"maxDisk": 0}), "MAX_DISK_INVALID", "maxDisk", "must be greater than or equal to 1"),
		inv(pc+"Admin creates a policy that has an invalid maximum process count", policy(map[string]any{"maxProcesses": 0}), "MAX_PROCESSES_INVALID", "maxProcesses", "must be greater than 0"),
		{name: pc + "Admin attempts to create an policy for their account with too short of a duration", r: policy(map[string]any{"duration": 3600}), status: 422},
	})
}

func TestModelValidationWebhookEndpoints(t *testing.T) {
	tt := newWorld(t)
	tt.product()
	we := "webhook_endpoints/create.feature: "
	ptr := func(attr string) map[string]any { return map[string]any{"pointer": "/data/attributes/" + attr} }
	hook := func(attrs map[string]any) req {
		return req{method: "POST", path: "/webhook-endpoints", body: doc("webhook-endpoints", attrs, nil)}
	}
	inv := func(name string, r req, code, attr, detail string) apiCase {
		return apiCase{name: name, r: r, status: 422, title: "Unprocessable resource", code: code, source: ptr(attr), detail: detail}
	}
	tt.run(t, []apiCase{
		inv(we+"Admin creates a webhook endpoint for their account that subscribes to no events", hook(map[string]any{"url": "https://example.com", "subscriptions": []any{}}),
			"SUBSCRIPTIONS_TOO_SHORT", "subscriptions", "must have at least 1 webhook event subscription"),
		inv(we+"Admin creates a webhook endpoint for their account with an invalid signature algorithm", hook(map[string]any{"url": "https://example.com/", "signatureAlgorithm": "sha1"}),
			"SIGNATURE_ALGORITHM_NOT_ALLOWED", "signatureAlgorithm", "unsupported signature algorithm"),
		inv(we+"Admin creates a webhook endpoint for their account with an invalid domain", hook(map[string]any{"url": "https://invalid", "subscriptions": []any{"*"}}),
			"URL_HOST_INVALID", "url", "must be a URL with a valid host"),
		inv(we+"Admin creates a webhook endpoint for their account with a forbidden domain", hook(map[string]any{"url": "https://api.keygen.sh/v1/accounts/demo/webhook-events", "subscriptions": []any{"*"}}),
			"URL_HOST_INVALID", "url", "must be a URL with a valid host"),
		inv(we+"Admin creates a webhook endpoint for their account with an invalid URI", hook(map[string]any{"url": "1230-12e9 c0ascka-ff.a!", "subscriptions": []any{"*"}}),
			"URL_INVALID", "url", "must be a valid URL"),
		inv(we+"Admin creates a localhost webhook endpoint for their account", hook(map[string]any{"url": "https://localhost", "subscriptions": []any{"*"}}),
			"URL_HOST_INVALID", "url", "must be a URL with a valid host"),
		inv(we+"Admin creates a webhook endpoint for their account that subscribes to non-existent events", hook(map[string]any{"url": "https://example.com", "subscriptions": []any{"license.created", "foo.bar"}}),
			"SUBSCRIPTIONS_NOT_ALLOWED", "subscriptions", "unsupported webhook event type for subscription"),
		{name: we + "Admin creates a webhook endpoint with missing url", r: hook(map[string]any{"subscriptions": []any{"*"}}), status: 400},
		inv(we+"Admin creates a webhook endpoint with a non-https url", hook(map[string]any{"url": "http://example.com"}),
			"URL_PROTOCOL_INVALID", "url", "must be a valid URL using one of the following protocols: https"),
		{name: we + "Admin creates a webhook endpoint with an invalid url protocol", r: hook(map[string]any{"url": "ssh://example.com"}), status: 422},
		{name: we + "Admin creates a webhook endpoint for their account", r: hook(map[string]any{"url": "https://example.com"}), status: 201,
			attrs: map[string]any{"signatureAlgorithm": "ed25519", "apiVersion": "1.8", "subscriptions": []any{"*"}}},
		{name: we + "Admin creates a webhook endpoint for an older API version", r: hook(map[string]any{"url": "https://example.com", "apiVersion": "1.5"}), status: 201,
			attrs: map[string]any{"apiVersion": "1.5"}},
	})
}
