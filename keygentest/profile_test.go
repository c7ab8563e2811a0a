package keygentest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The bearer's profile: GET /me and GET /profile (features/api/v1/profiles/*.feature).

// TestProfileMe: /me returns the bearer and includes the token without its secret
// (app/controllers/api/v1/profiles_controller.rb).
func TestProfileMe(t *testing.T) {
	t.Parallel()
	tt := newWorld(t)
	r := tt.get("/me")
	require.Equal(t, 200, r.status)
	assert.Equal(t, "users", r.data()["type"])
	assert.Equal(t, "admin", r.attrs()["role"])
	inc := r.doc["included"].([]any)
	require.Len(t, inc, 1)
	tok := inc[0].(map[string]any)
	assert.Equal(t, "tokens", tok["type"])
	assert.NotContains(t, tok["attributes"], "token")

	prod := tt.product()
	pol := tt.policy(prod, map[string]any{"authenticationStrategy": "LICENSE"})
	lic := tt.seedLicense(pol, nil)
	r = tt.do(req{method: "GET", path: "/me", auth: "License " + lic.Key})
	require.Equal(t, 200, r.status)
	assert.Equal(t, "licenses", r.data()["type"])
	assert.Equal(t, lic.ID, r.id())
	assert.Nil(t, r.doc["included"], "no token under license-key auth")

	r = tt.get("/profile")
	require.Equal(t, 200, r.status)
	assert.Equal(t, r.header.Get("Keygen-Token"), r.doc["meta"].(map[string]any)["tokenId"])
}

func TestProfileFeatures(t *testing.T) {
	t.Parallel()
	w := newTeamWorld(t).addLicensees()
	tt := w
	me := "profiles/me.feature: "
	tt.run(t, []apiCase{
		{name: me + "Admin requests their profile", r: req{method: "GET", path: "/me"}, status: 200,
			check: func(t *testing.T, _ *world, r *reply) { assert.Equal(t, w.admin, r.id()) }},
		{name: me + "Product requests their profile", r: req{method: "GET", path: "/me", auth: bearer(w.prodTok)}, status: 200,
			check: func(t *testing.T, _ *world, r *reply) { assert.Equal(t, "products", r.data()["type"]) }},
		{name: me + "User requests their profile", r: req{method: "GET", path: "/me", auth: bearer(w.userTok)}, status: 200, attrs: map[string]any{"email": "user@example.com"}},
		{name: me + "License requests their profile (token)", r: req{method: "GET", path: "/me", auth: bearer(w.licTok)}, status: 200,
			check: func(t *testing.T, _ *world, r *reply) {
				assert.Equal(t, "licenses", r.data()["type"])
				assert.Equal(t, map[string]any{"type": "users", "id": w.user}, relData(r, "owner"))
			}},
		{name: me + "License requests their profile using a legacy API version", r: req{method: "GET", path: "/me", auth: bearer(w.licTok), headers: map[string]string{"Keygen-Version": "1.4"}}, status: 200,
			check: func(t *testing.T, _ *world, r *reply) {
				assert.Equal(t, map[string]any{"type": "users", "id": w.user}, relData(r, "user"))
			}},
		{name: me + "License requests their profile (invalid key)", r: req{method: "GET", path: "/me", auth: "License invalid-key"}, status: 401,
			title: "Unauthorized", code: "LICENSE_INVALID", detail: "You must be authenticated to complete the request"},
		{name: me + "Anonymous requests their profile", r: req{method: "GET", path: "/me", auth: "-"}, status: 401},
		{name: "profiles/show.feature: User requests their profile", r: req{method: "GET", path: "/profile", auth: bearer(w.userTok)}, status: 200,
			check: func(t *testing.T, _ *world, r *reply) { assert.Equal(t, w.user, r.id()) }},
		{name: "profiles/show.feature: Anonymous requests their profile", r: req{method: "GET", path: "/profile", auth: "-"}, status: 401},
	})
}

func TestProfileWire(t *testing.T) {
	t.Parallel()
	tt := newResourceWorld(t)
	userTok, prodTok := tt.userTok, tt.prodTok
	tt.run(t, []apiCase{
		{name: "/me with a user token includes the token", r: req{method: "GET", path: "/me", auth: "Bearer " + userTok}, status: 200, check: func(t *testing.T, _ *world, r *reply) {
			assert.Equal(t, "users", r.data()["type"])
			inc, _ := r.doc["included"].([]any)
			if assert.Len(t, inc, 1) {
				assert.Equal(t, "tokens", inc[0].(map[string]any)["type"])
				assert.NotContains(t, inc[0].(map[string]any)["attributes"], "token")
			}
		}},
		{name: "/me without auth", r: req{method: "GET", path: "/me", auth: "-"}, status: 401, code: "TOKEN_MISSING"},
		{name: "/profile meta.tokenId", r: req{method: "GET", path: "/profile", auth: "Bearer " + prodTok}, status: 200, check: func(t *testing.T, _ *world, r *reply) {
			assert.Equal(t, "products", r.data()["type"])
			assert.Contains(t, r.doc["meta"], "tokenId")
		}},
	})
}
