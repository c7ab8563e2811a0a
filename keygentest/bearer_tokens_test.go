package keygentest

import "testing"

// The tokens relationships of users and products (keygen-api.md §2.1; features
// users/relationships/tokens.feature and products/relationships/tokens.feature, with
// Users::TokenPolicy and Products::TokenPolicy).
func TestBearerTokenRoutes(t *testing.T) {
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
