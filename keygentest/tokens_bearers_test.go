package keygentest

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The tokens of a bearer: /users|products|licenses/{id}/tokens
// (features/api/v1/*/relationships/tokens.feature).

func postToken(path, auth string, attrs map[string]any) req {
	r := req{method: "POST", path: path, auth: auth}
	if attrs != nil {
		r.body = doc("tokens", attrs, nil)
	}
	return r
}

// TestTokensOfBearers: the tokens relationships of users and products (features
// users/relationships/tokens.feature and products/relationships/tokens.feature, with
// Users::TokenPolicy and Products::TokenPolicy).
func TestTokensOfBearers(t *testing.T) {
	t.Parallel()
	w := newTeamWorld(t)
	tt := w
	ut := "users/relationships/tokens.feature: "
	pt := "products/relationships/tokens.feature: "
	tt.run(t, []apiCase{
		{name: ut + "Admin generates an admin token (another)", r: req{method: "POST", path: "/users/" + w.admin2 + "/tokens"}, status: 403},
		{name: ut + "Admin generates a user token", r: req{method: "POST", path: "/users/" + w.user + "/tokens"}, status: 200, attrs: map[string]any{"kind": "user-token"}},
		{name: ut + "Product generates a user token (without license)", r: req{method: "POST", path: "/users/" + w.user2 + "/tokens", auth: bearer(w.prodTok)}, status: 403},
		{name: ut + "Product generates a user token (with license)", r: req{method: "POST", path: "/users/" + w.user + "/tokens", auth: bearer(w.prodTok)}, status: 200},
		{name: ut + "Product requests tokens for another product's user", r: req{method: "GET", path: "/users/" + w.user2 + "/tokens", auth: bearer(w.prodTok)}, status: 200, check: listLen(0)},
		{name: ut + "License requests tokens for their user (with default permission)", r: req{method: "GET", path: "/users/" + w.user + "/tokens", auth: bearer(w.licTok)}, status: 403},
		{name: ut + "User requests their tokens", r: req{method: "GET", path: "/users/" + w.user + "/tokens", auth: bearer(w.userTok)}, status: 200},
		{name: pt + "License requests tokens for their product", r: req{method: "GET", path: "/products/" + w.prod + "/tokens", auth: bearer(w.licTok)}, status: 403},
		{name: pt + "User requests tokens for their product", r: req{method: "GET", path: "/products/" + w.prod + "/tokens", auth: bearer(w.userTok)}, status: 403},
		{name: pt + "Product requests their tokens", r: req{method: "GET", path: "/products/" + w.prod + "/tokens", auth: bearer(w.prodTok)}, status: 200},
		{name: pt + "Admin requests a product's tokens", r: req{method: "GET", path: "/products/" + w.prod + "/tokens"}, status: 200},
	})
}

// TestTokensOfUsers: users/relationships/tokens.feature (non-EE scenarios). user owns
// w.lic (product prod) with user3 attached; user2 holds no license.
func TestTokensOfUsers(t *testing.T) {
	t.Parallel()
	w := newTeamWorld(t).addLicensees()
	tt := w
	f := "users/relationships/tokens.feature: "
	ut := func(id string) string { return "/users/" + id + "/tokens" }
	expiry := func(want any) func(t *testing.T, w *world, r *reply) {
		return func(t *testing.T, _ *world, r *reply) { assert.Equal(t, want, r.attrs()["expiry"], string(r.body)) }
	}
	tt.run(t, []apiCase{
		{name: f + "Admin requests tokens for one of their users", r: getAs(ut(w.user2), ""), status: 200, check: listLen(1)},
		{name: f + "Product requests tokens for one of their users", r: getAs(ut(w.user), bearer(w.prodTok)), status: 200, check: listLen(1)},
		{name: f + "License requests tokens for a user", r: getAs(ut(w.user2), bearer(w.licTok)), status: 404},
		{name: f + "User requests their tokens while authenticated", r: getAs(ut(w.user), bearer(w.userTok)), status: 200, check: listLen(1)},
		{name: f + "User requests tokens for another user", r: getAs(ut(w.user), bearer(w.user2Tok)), status: 404},
		{name: f + "Anonymous requests a user's tokens", r: getAs(ut(w.user), "-"), status: 401},

		{name: f + "Admin generates an admin token (themself)", r: postToken(ut(w.admin), "", nil), status: 200, attrs: map[string]any{"kind": "admin-token", "expiry": nil}},
		{name: f + "Admin generates a user token (has password)", r: postToken(ut(w.user), "", nil), status: 200, attrs: map[string]any{"kind": "user-token"},
			check: func(t *testing.T, _ *world, r *reply) {
				assert.NotNil(t, r.attrs()["expiry"])
				assert.NotEmpty(t, r.attrs()["token"])
			}},
		{name: f + "Admin generates a named user token", r: postToken(ut(w.user), "", map[string]any{"name": "Client Token"}), status: 200, attrs: map[string]any{"name": "Client Token"}},
		{name: f + "Admin generates a user token with a custom expiry (present)", r: postToken(ut(w.user), "", map[string]any{"expiry": "2016-10-05T22:53:37.000Z"}), status: 200,
			attrs: map[string]any{"kind": "user-token"}, check: expiry("2016-10-05T22:53:37.000Z")},
		{name: f + "Admin generates a user token with a custom expiry (null)", r: postToken(ut(w.user), "", map[string]any{"expiry": nil}), status: 200, check: expiry(nil)},
		{name: f + "Product generates a user token (with license)", r: postToken(ut(w.user), bearer(w.prodTok), nil), status: 200, attrs: map[string]any{"kind": "user-token"}},
		{name: f + "License generates a user token", r: postToken(ut(w.user), bearer(w.licTok), nil), status: 403},
		{name: f + "User generates a user token", r: postToken(ut(w.user), bearer(w.userTok), nil), status: 403},
		{name: f + "Anonymous generates a user token", r: postToken(ut(w.user), "-", nil), status: 401},
	})
}

// TestTokensOfProducts: products/relationships/tokens.feature (non-EE scenarios). user
// holds a license of prod; user2 holds none.
func TestTokensOfProducts(t *testing.T) {
	t.Parallel()
	w := newTeamWorld(t).addLicensees()
	tt := w
	foreign := bearer(newWorld(t).srv.AdminToken)
	f := "products/relationships/tokens.feature: "
	pt := func(id string) string { return "/products/" + id + "/tokens" }
	tt.run(t, []apiCase{
		{name: f + "Admin requests tokens for one of their products", r: getAs(pt(w.prod), ""), status: 200, check: listLen(1)},
		{name: f + "Product requests their tokens", r: getAs(pt(w.prod), bearer(w.prodTok)), status: 200, check: listLen(1)},
		{name: f + "Product requests tokens for another product", r: getAs(pt(w.prod2), bearer(w.prodTok)), status: 404},
		{name: f + "License requests tokens for a product", r: getAs(pt(w.prod2), bearer(w.licTok)), status: 404},
		{name: f + "User requests tokens for a product", r: getAs(pt(w.prod), bearer(w.user2Tok)), status: 404},

		{name: f + "Admin generates a product token", r: postToken(pt(w.prod), "", nil), status: 200, attrs: map[string]any{"kind": "product-token", "expiry": nil},
			check: func(t *testing.T, _ *world, r *reply) { assert.NotEmpty(t, r.attrs()["token"]) }},
		{name: f + "Admin generates a named product token", r: postToken(pt(w.prod), "", map[string]any{"name": "Server Token"}), status: 200, attrs: map[string]any{"name": "Server Token"}},
		{name: f + "Product attempts to generate a token", r: postToken(pt(w.prod), bearer(w.prodTok), nil), status: 403},
		{name: f + "Product attempts to generate a token for another product", r: postToken(pt(w.prod2), bearer(w.prodTok), nil), status: 404},
		{name: f + "License attempts to generate token for their product", r: postToken(pt(w.prod), bearer(w.licTok), nil), status: 403},
		{name: f + "License attempts to generate token for a product", r: postToken(pt(w.prod2), bearer(w.licTok), nil), status: 404},
		{name: f + "User attempts to generate token for their product", r: postToken(pt(w.prod), bearer(w.userTok), nil), status: 403},
		{name: f + "User attempts to generate token for a product", r: postToken(pt(w.prod), bearer(w.user2Tok), nil), status: 404},
		{name: f + "Admin attempts to generate a product token for another account", r: postToken(pt(w.prod), foreign, nil), status: 401},
	})
}

// TestTokensOfLicenses pins licenses/relationships/tokens.feature.
func TestTokensOfLicenses(t *testing.T) {
	t.Parallel()
	f := newLicensingWorld(t, nil)
	tt := f
	const r = "licenses/relationships/tokens.feature: "
	l0 := f.licenseOf(f.pol, true, false, nil)
	luLic := f.licenseOf(f.pol, false, true, nil)
	otherLic := f.licenseOf(f.pol2, false, false, nil)
	tokID, _ := tt.tokenFor("licenses", l0, nil)
	post := func(name, lic, auth string, attrs map[string]any, status int) apiCase {
		var body any
		if attrs != nil {
			body = doc("tokens", attrs, nil)
		}
		return apiCase{name: r + name, r: req{method: "POST", path: "/licenses/" + lic + "/tokens", auth: auth, body: body}, status: status}
	}
	token := func(c apiCase, attrs map[string]any) apiCase {
		c.attrs = map[string]any{"kind": "activation-token", "expiry": nil, "maxActivations": nil, "maxDeactivations": nil, "activations": float64(0), "deactivations": float64(0)}
		for k, v := range attrs {
			c.attrs[k] = v
		}
		return c
	}
	invalid := func(c apiCase, attr, code string) apiCase {
		c.title, c.detail, c.code = "Unprocessable resource", "must be greater than or equal to 0", code
		c.source = map[string]any{"pointer": "/data/attributes/" + attr}
		return c
	}
	get := func(name, path, auth string, status int) apiCase {
		return apiCase{name: r + name, r: req{method: "GET", path: path, auth: auth}, status: status}
	}
	cases := []apiCase{
		token(post("Admin generates a license token", l0, "", nil, 200), nil),
		func() apiCase {
			c := post("Admin generates a named license token", l0, "", map[string]any{"name": "Client Token"}, 200)
			c.attrs = map[string]any{"name": "Client Token"}
			return c
		}(),
		token(post("Admin generates a license token with a max activation count", l0, "", map[string]any{"maxActivations": 1}, 200), map[string]any{"maxActivations": float64(1)}),
		invalid(post("Admin generates a license token with a negative max activation count", l0, "", map[string]any{"maxActivations": -1}, 422), "maxActivations", "MAX_ACTIVATIONS_INVALID"),
		invalid(post("Admin generates a license token with a negative max deactivation count", l0, "", map[string]any{"maxDeactivations": -1}, 422), "maxDeactivations", "MAX_DEACTIVATIONS_INVALID"),
		token(post("Admin generates a license token with a set expiry", l0, "", map[string]any{"expiry": "2016-10-05T22:53:37.000Z"}, 200), map[string]any{"expiry": "2016-10-05T22:53:37.000Z"}),
		token(post("Admin generates a license token with a max deactivation count", l0, "", map[string]any{"maxDeactivations": 1}, 200), map[string]any{"maxDeactivations": float64(1)}),
		post("Admin generates a license token but sends invalid attributes", l0, "", map[string]any{"bearerId": f.owner, "bearerType": "users"}, 400),
		func() apiCase {
			c := post("Product generates a license token", l0, f.prodAuth, nil, 200)
			c.attrs = map[string]any{"expiry": nil}
			return c
		}(),
		post("Product attempts to generate a token for a license it doesn't own", otherLic, f.prodAuth, nil, 404),
		post("User attempts to generate a token for their license (license owner)", l0, f.ownerAuth, nil, 403),
		post("User attempts to generate a token for their license (license user)", luLic, f.luAuth, nil, 403),
		post("User attempts to generate a token for another license", otherLic, f.ownerAuth, nil, 404),
		post("Admin attempts to generate a license token for another account", l0, f.otherAcct, nil, 401),
		get("Admin requests tokens for one of their licenses", "/licenses/"+luLic+"/tokens", "", 200),
		get("Product requests a license's tokens", "/licenses/"+l0+"/tokens", f.prodAuth, 200),
		get("Product requests a license's token", "/licenses/"+l0+"/tokens/"+tokID, f.prodAuth, 200),
		get("Product attempts to request tokens for a license it doesn't own", "/licenses/"+otherLic+"/tokens", f.prodAuth, 404),
		get("License requests their tokens", "/licenses/"+l0+"/tokens", tt.bearerAuth("licenses", l0), 403),
		get("License requests another license's tokens", "/licenses/"+otherLic+"/tokens", tt.bearerAuth("licenses", l0), 404),
		get("User requests all tokens for their license (license owner)", "/licenses/"+l0+"/tokens", f.ownerAuth, 403),
		get("User requests all tokens for their license (license user)", "/licenses/"+luLic+"/tokens", f.luAuth, 403),
		get("User requests all tokens for another user's license", "/licenses/"+otherLic+"/tokens", f.ownerAuth, 404),
	}
	tt.run(t, cases)
}
