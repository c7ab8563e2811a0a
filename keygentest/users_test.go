package keygentest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Users: create, show, index, update, destroy and the staff roles
// (features/api/v1/users/*.feature).

// TestUsers pins the user routes (app/controllers/api/v1/users_controller.rb).
func TestUsers(t *testing.T) {
	t.Parallel()
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
		{"role is unpermitted for anonymous", "-", map[string]any{"email": "t@keygen.sh", "role": "admin"}, 400, "", "/data/attributes/role", "unpermitted parameter"},
		{"short password", "-", map[string]any{"email": "s@keygen.sh", "password": "short"}, 422, "PASSWORD_TOO_SHORT", "/data/attributes/password", "is too short (minimum is 6 characters)"},
		{"email taken", "", map[string]any{"email": "SUPERMAN@keygen.sh"}, 422, "EMAIL_TAKEN", "/data/attributes/email", "has already been taken"},
		{"email invalid", "", map[string]any{"email": "nope"}, 422, "EMAIL_INVALID", "/data/attributes/email", ""},
		{"email missing", "", map[string]any{"firstName": "x"}, 400, "", "/data/attributes/email", "is missing"},
		{"admin may set a role", "", map[string]any{"email": "dev@keygen.sh", "role": "developer"}, 201, "", "", ""},
		{"role must be known", "", map[string]any{"email": "x@keygen.sh", "role": "king"}, 400, "", "/data/attributes/role", ""},
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

	t.Run("email alias, case-insensitive", func(t *testing.T) {
		assert.Equal(t, u1, tt.get("/users/U1@Example.com").id())
	})
	t.Run("another user's record is 404", func(t *testing.T) {
		assert.Equal(t, 404, tt.do(req{method: "GET", path: "/users/" + u1, auth: "Bearer " + tok0}).status)
		assert.Equal(t, 200, tt.do(req{method: "GET", path: "/users/" + u0, auth: "Bearer " + tok0}).status)
	})
	t.Run("list hides non-user roles by default", func(t *testing.T) {
		for _, u := range tt.get("/users?limit=100").list() {
			assert.Equal(t, "user", u.(map[string]any)["attributes"].(map[string]any)["role"])
		}
		r := tt.get("/users?roles[]=admin")
		require.Len(t, r.list(), 1)
		assert.Equal(t, tt.srv.AdminEmail, r.list()[0].(map[string]any)["attributes"].(map[string]any)["email"])
	})
	t.Run("metadata filters match typed values", func(t *testing.T) {
		assert.Len(t, tt.get("/users?metadata[tier]=gold").list(), 1)
		assert.Len(t, tt.get("/users?metadata[seats]=3").list(), 1)
		assert.Len(t, tt.get("/users?metadata[seats]=4").list(), 0)
	})
	t.Run("a user may not set their own metadata", func(t *testing.T) {
		r := tt.do(req{method: "PATCH", path: "/users/" + u0, auth: "Bearer " + tok0, body: doc("users", map[string]any{"metadata": map[string]any{"a": 1}}, nil)})
		assert.Equal(t, 400, r.status)
		r = tt.do(req{method: "PATCH", path: "/users/" + u0, auth: "Bearer " + tok0, body: doc("users", map[string]any{"firstName": "Zero"}, nil)})
		assert.Equal(t, 200, r.status)
	})
	t.Run("ban and unban", func(t *testing.T) {
		r := tt.do(req{method: "POST", path: "/users/" + u1 + "/actions/ban"})
		require.Equal(t, 200, r.status)
		assert.Equal(t, "BANNED", r.attrs()["status"])
		assert.Len(t, tt.get("/users?status=banned").list(), 1)
		r = tt.do(req{method: "POST", path: "/users/" + u1 + "/actions/unban"})
		assert.Equal(t, "ACTIVE", r.attrs()["status"])
	})
	t.Run("the last admin cannot be deleted", func(t *testing.T) {
		me := tt.get("/me")
		r := tt.do(req{method: "DELETE", path: "/users/" + me.id()})
		require.Equal(t, 422, r.status)
		assert.Equal(t, "ACCOUNT_ADMINS_REQUIRED", r.code())
	})
	t.Run("delete user", func(t *testing.T) {
		assert.Equal(t, 204, tt.do(req{method: "DELETE", path: "/users/" + u1}).status)
		assert.Equal(t, 404, tt.get("/users/"+u1).status)
	})
}

func TestUsersCreate(t *testing.T) {
	t.Parallel()
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

func TestUsersShowIndex(t *testing.T) {
	t.Parallel()
	w := newTeamWorld(t).addLicensees()
	tt := w
	foreign := bearer(newWorld(t).srv.AdminToken)
	show := "users/show.feature: "
	idx := "users/index.feature: "
	get := func(id, auth string) req { return req{method: "GET", path: "/users/" + id, auth: auth} }
	tt.run(t, []apiCase{
		{name: show + "Admin retrieves a user for their account", r: get(w.user, ""), status: 200, attrs: map[string]any{"email": "user@example.com", "role": "user"}},
		{name: show + "Developer retrieves a user for their account", r: get(w.user, bearer(w.devTok)), status: 200},
		{name: show + "Sales retrieves a user for their account", r: get(w.user, bearer(w.salesTok)), status: 200},
		{name: show + "Support retrieves a user for their account", r: get(w.user, bearer(w.supportTok)), status: 200},
		{name: show + "Read-only retrieves a user for their account", r: get(w.user, bearer(w.roTok)), status: 200},
		{name: show + "Admin retrieves a user for their account by email", r: get("user@example.com", ""), status: 200,
			check: func(t *testing.T, _ *world, r *reply) { assert.Equal(t, w.user, r.id()) }},
		{name: show + "Admin retrieves a user for their account by email with a different casing", r: get("UsEr@Example.com", ""), status: 200,
			check: func(t *testing.T, _ *world, r *reply) { assert.Equal(t, w.user, r.id()) }},
		{name: show + "Admin retrieves another admin for their account by email", r: get("admin2@example.com", ""), status: 200, attrs: map[string]any{"role": "admin"}},
		{name: show + "Admin retrieves an invalid user for their account", r: get("invalid", ""), status: 404,
			title: "Not found", code: "NOT_FOUND", detail: "The requested user 'invalid' was not found"},
		{name: show + "Product retrieves a user for their product", r: get(w.user, bearer(w.prodTok)), status: 200},
		{name: show + "Product retrieves a user for another product", r: get(w.user2, bearer(w.prodTok)), status: 200},
		{name: show + "Product retrieves an admin (not in scope)", r: get(w.admin2, bearer(w.prodTok)), status: 404},
		{name: show + "License retrieves their owner (with permissions)", r: get(w.user, bearer(w.licPermTok)), status: 404}, // licPerm has no owner
		{name: show + "License retrieves their owner (default permissions)", r: get(w.user, bearer(w.licTok)), status: 403,
			detail: "You do not have permission to complete the request (license lacks permission to perform action)"},
		{name: show + "License retrieves their user (default permissions)", r: get(w.user3, bearer(w.licTok)), status: 403},
		{name: show + "License retrieves a user", r: get(w.user2, bearer(w.licTok)), status: 404},
		{name: show + "User attempts to retrieve another user", r: get(w.user2, bearer(w.userTok)), status: 404},
		{name: show + "User attempts to retreive an associated user (as license owner)", r: get(w.user3, bearer(w.userTok)), status: 200},
		{name: show + "User attempts to retreive an associated owner (as license user)", r: get(w.user, bearer(w.user3Tok)), status: 200},
		{name: show + "User retrieves themself", r: get(w.user, bearer(w.userTok)), status: 200},
		{name: show + "Admin attempts to retrieve a user for another account", r: get(w.user, foreign), status: 401},

		{name: idx + "Admin retrieves all users for their account (role user by default)", r: req{method: "GET", path: "/users"}, status: 200, check: listLen(3)},
		{name: idx + "Sales retrieves all users for their account", r: req{method: "GET", path: "/users", auth: bearer(w.salesTok)}, status: 200, check: listLen(3)},
		{name: idx + "Read-only retrieves all users for their account", r: req{method: "GET", path: "/users", auth: bearer(w.roTok)}, status: 200, check: listLen(3)},
		{name: idx + "Product retrieves all users", r: req{method: "GET", path: "/users", auth: bearer(w.prodTok)}, status: 200, check: listLen(3)},
		{name: idx + "Product retrieves all users for their product", r: req{method: "GET", path: "/users?product=" + w.prod, auth: bearer(w.prodTok)}, status: 200, check: listLen(2)},
		{name: idx + "Product retrieves all users of another product", r: req{method: "GET", path: "/users?product=" + w.prod2, auth: bearer(w.prodTok)}, status: 200, check: listLen(0)},
		{name: idx + "Product retrieves all users scoped to a specific license", r: req{method: "GET", path: "/users?license=" + w.lic, auth: bearer(w.prod2Tok)}, status: 200, check: listLen(2)},
		{name: idx + "License attempts to retrieve all associated users (without permission)", r: req{method: "GET", path: "/users", auth: bearer(w.licTok)}, status: 403},
		{name: idx + "User attempts to retrieve all associated users (has teammates)", r: req{method: "GET", path: "/users", auth: bearer(w.user3Tok)}, status: 200, check: listLen(2)},
		{name: idx + "User attempts to retrieve all associated users (no teammates)", r: req{method: "GET", path: "/users", auth: bearer(w.user2Tok)}, status: 200, check: listLen(1)},
		{name: idx + "Admin attempts to retrieve all users for another account", r: req{method: "GET", path: "/users", auth: foreign}, status: 401},
		{name: idx + "Admin retrieves all users with a limit that is too high", r: req{method: "GET", path: "/users?limit=900"}, status: 400},
	})

	// A license with user.read lists its owner and users.
	owned := tt.licenseOwnedBy(w.pol, w.user2)
	tt.srv.mu.Lock()
	tt.srv.db.licenses[owned].Permissions = []string{"user.read"}
	tt.srv.db.licenses[owned].UserIDs = []string{w.user3}
	tt.srv.mu.Unlock()
	_, ownedTok := tt.tokenFor("licenses", owned, nil)
	tt.run(t, []apiCase{
		{name: idx + "License attempts to retrieve all associated users (with permission)", r: req{method: "GET", path: "/users", auth: bearer(ownedTok)}, status: 200, check: listLen(2)},
		{name: show + "License retrieves their owner (with permissions)", r: get(w.user2, bearer(ownedTok)), status: 200},
		{name: show + "License retrieves their user (with permissions)", r: get(w.user3, bearer(ownedTok)), status: 200},
	})
}

func TestUsersUpdateDestroyActions(t *testing.T) {
	t.Parallel()
	w := newTeamWorld(t).addLicensees()
	tt := w
	bans := "users/actions/bans.feature: "
	act := func(id, action, auth string) req {
		return req{method: "POST", path: "/users/" + id + "/actions/" + action, auth: auth}
	}
	tt.run(t, []apiCase{
		{name: bans + "Admin bans another admin", r: act(w.admin, "ban", bearer(w.admin2Tok)), status: 403},
		{name: bans + "Admin bans themself", r: act(w.admin, "ban", ""), status: 403},
		{name: bans + "License bans a user", r: act(w.user2, "ban", bearer(w.licTok)), status: 404},
		{name: bans + "License bans themself", r: act(w.user, "ban", bearer(w.licTok)), status: 403},
		{name: bans + "User bans another user", r: act(w.user2, "ban", bearer(w.userTok)), status: 404},
		{name: bans + "User bans themself", r: act(w.user, "ban", bearer(w.userTok)), status: 403},
		{name: bans + "Anonymous bans a user", r: act(w.user, "ban", "-"), status: 401},
		{name: bans + "Product bans a user", r: act(w.user2, "ban", bearer(w.prodTok)), status: 200,
			attrs: map[string]any{"status": "BANNED"}},
		{name: "users/banned.feature: Banned user attempts to authenticate with a token", r: req{method: "GET", path: "/me", auth: bearer(w.user2Tok)}, status: 403,
			title: "Access denied", code: "USER_BANNED", detail: "User is banned"},
		{name: bans + "Product unbans a user", r: act(w.user2, "unban", bearer(w.prodTok)), status: 200, attrs: map[string]any{"status": "ACTIVE"}},
		{name: bans + "Admin bans a user", r: act(w.user, "ban", ""), status: 200},
		{name: "users/banned.feature: Banned user attempts to authenticate with a license key",
			r: req{method: "GET", path: "/me", auth: "License " + tt.srv.db.licenses[w.lic].Key}, status: 403,
			title: "Access denied", code: "LICENSE_BANNED", detail: "License is banned"},
		{name: bans + "Admin unbans a user", r: act(w.user, "unban", ""), status: 200, attrs: map[string]any{"status": "ACTIVE"}},
	})

	pw := "users/actions/password.feature: "
	upw := func(id, auth, old, nw string) req {
		return req{method: "POST", path: "/users/" + id + "/actions/update-password", auth: auth,
			body: map[string]any{"meta": map[string]any{"oldPassword": old, "newPassword": nw}}}
	}
	tt.run(t, []apiCase{
		{name: pw + "User updates their password (too short)", r: upw(w.user3, bearer(w.user3Tok), "password", "pw"), status: 422},
		{name: pw + "User attempts to update password with missing parameters", r: req{method: "POST", path: "/users/" + w.user3 + "/actions/update-password", auth: bearer(w.user3Tok),
			body: map[string]any{"meta": map[string]any{"newPassword": "newpassword"}}}, status: 400},
		{name: pw + "User of same account attempts to update password for another user", r: upw(w.user2, bearer(w.userTok), "password", "newpassword"), status: 404},
		{name: pw + "Admin attempts to update password for another user", r: upw(w.user3, "", "password", "newpassword"), status: 403},
		{name: pw + "License attempts to updates their user's password", r: upw(w.user, bearer(w.licTok), "password", "newpassword"), status: 403},
		{name: pw + "License attempts to updates a user's password", r: upw(w.user2, bearer(w.licTok), "password", "newpassword"), status: 404},
		{name: pw + "User updates their password by using their email", r: upw("user3@example.com", bearer(w.user3Tok), "password", "newpassword"), status: 200},
		{name: pw + "Read only updates their password", r: upw(w.ro, bearer(w.roTok), "password", "newpassword"), status: 200},
	})

	up := "users/update.feature: "
	patch := func(id, auth string, attrs map[string]any) req {
		return req{method: "PATCH", path: "/users/" + id, auth: auth, body: doc("users", attrs, nil)}
	}
	tt.run(t, []apiCase{
		{name: up + "Admin updates a user for their account", r: patch(w.user, "", map[string]any{"firstName": "Mr. Robot"}), status: 200, attrs: map[string]any{"firstName": "Mr. Robot"}},
		{name: up + "Developer updates a user for their account", r: patch(w.user, bearer(w.devTok), map[string]any{"firstName": "Dev"}), status: 200},
		{name: up + "Sales updates a user for their account", r: patch(w.user, bearer(w.salesTok), map[string]any{"firstName": "Sales"}), status: 200},
		{name: up + "Sales attempts to update an admin for their account", r: patch(w.admin2, bearer(w.salesTok), map[string]any{"firstName": "X"}), status: 403},
		{name: up + "Developer updates an admin (verify_privileges!)", r: patch(w.admin2, bearer(w.devTok), map[string]any{"firstName": "X"}), status: 403},
		{name: up + "Support updates a user for their account", r: patch(w.user, bearer(w.supportTok), map[string]any{"firstName": "X"}), status: 403},
		{name: up + "Read-only updates a user for their account", r: patch(w.user, bearer(w.roTok), map[string]any{"firstName": "X"}), status: 403},
		{name: up + "User attempts to escalate their privileges to an admin role", r: patch(w.user, bearer(w.userTok), map[string]any{"role": "admin"}), status: 400},
		{name: up + "Admin promotes a user to a product role for their account", r: patch(w.user2, "", map[string]any{"role": "product"}), status: 400},
		{name: up + "Product removes an admin's permissions", r: patch(w.admin2, bearer(w.prodTok), map[string]any{"firstName": "X"}), status: 404},
		{name: up + "Product updates a users metadata", r: patch(w.user, bearer(w.prodTok), map[string]any{"metadata": map[string]any{"foo": "bar"}}), status: 200,
			attrs: map[string]any{"metadata": map[string]any{"foo": "bar"}}},
		{name: up + "Product promotes a user's role to admin", r: patch(w.user, bearer(w.prodTok), map[string]any{"role": "admin"}), status: 400},
		{name: up + "User updates their metadata", r: patch(w.user, bearer(w.userTok), map[string]any{"metadata": map[string]any{"foo": "bar"}}), status: 400},
		{name: up + "Product updates a user for their product", r: patch(w.user, bearer(w.prodTok), map[string]any{"firstName": "P"}), status: 200},
		{name: up + "Product attempts to update a user for another product", r: patch(w.user2, bearer(w.prod2Tok), map[string]any{"firstName": "P"}), status: 200},
		{name: up + "User attempts to update an associated user", r: patch(w.user, bearer(w.user3Tok), map[string]any{"firstName": "X"}), status: 403},
		{name: up + "User attempts to update their password directly", r: patch(w.user, bearer(w.userTok), map[string]any{"password": "newpassword"}), status: 400},
		{name: up + "User attempts to update another user's password", r: patch(w.user2, bearer(w.userTok), map[string]any{"password": "newpassword"}), status: 404},
		{name: up + "Admin attempts to update a user's password", r: patch(w.user2, "", map[string]any{"password": "newpassword"}), status: 200},
		{name: up + "Product attempts to update a user's password", r: patch(w.user, bearer(w.prodTok), map[string]any{"password": "newpassword2"}), status: 200},
		{name: up + "Admin promotes a user to sales for their account", r: patch(tt.createUser("promo@example.com"), "", map[string]any{"role": "sales-agent"}), status: 200, attrs: map[string]any{"role": "sales-agent"}},
		{name: up + "Admin attempts to demote another admin to user", r: patch(w.admin2, "", map[string]any{"role": "user"}), status: 200, attrs: map[string]any{"role": "user"}},
		{name: up + "Admin attempts to demote themself to user when they're the only admin for the account", r: patch(w.admin, "", map[string]any{"role": "user"}), status: 422,
			code: "ACCOUNT_ADMINS_REQUIRED", source: map[string]any{"pointer": "/data/relationships/account"}},
	})

	del := "users/destroy.feature: "
	rm := func(id, auth string) req { return req{method: "DELETE", path: "/users/" + id, auth: auth} }
	lonely := tt.createUser("lonely@example.com")
	tt.run(t, []apiCase{
		{name: del + "Developer attempts to delete an admin", r: rm(w.admin, bearer(w.devTok)), status: 403,
			detail: "You do not have permission to complete the request (developer lacks privileges to perform action on user)"},
		{name: del + "Developer deletes one of their users", r: rm(tt.createUser("gone@example.com"), bearer(w.devTok)), status: 204},
		{name: del + "Sales attempts to delete one of their users", r: rm(w.user, bearer(w.salesTok)), status: 403},
		{name: del + "Support attempts to delete one of their users", r: rm(w.user, bearer(w.supportTok)), status: 403},
		{name: del + "Read-only attempts to delete one of their users", r: rm(w.user, bearer(w.roTok)), status: 403},
		{name: del + "Product attempts to delete a user (one product)", r: rm(w.user, bearer(w.prod2Tok)), status: 403,
			detail: "You do not have permission to complete the request (user cannot belong to another product)"},
		{name: del + "Product attempts to delete an admin", r: rm(w.admin, bearer(w.prodTok)), status: 404},
		{name: del + "License attempts to delete their user", r: rm(w.user, bearer(w.licTok)), status: 403},
		{name: del + "License attempts to delete a user", r: rm(w.user2, bearer(w.licTok)), status: 404},
		{name: del + "User attempts to delete themself", r: rm(w.user, bearer(w.userTok)), status: 403},
		{name: del + "User attempts to delete an associated user", r: rm(w.user, bearer(w.user3Tok)), status: 403},
		{name: del + "User attempts to delete another user", r: rm(w.user2, bearer(w.userTok)), status: 404},
		{name: del + "Product attempts to delete a user (no products)", r: rm(lonely, bearer(w.prodTok)), status: 204},
		{name: del + "Product attempts to delete their user (one product)", r: rm(w.user, bearer(w.prodTok)), status: 204},
		{name: del + "Admin attempts to delete themself when they're the only admin for the account", r: rm(w.admin, ""), status: 422,
			code: "ACCOUNT_ADMINS_REQUIRED"},
	})
}

func TestUsersWire(t *testing.T) {
	t.Parallel()
	tt := newResourceWorld(t)
	uid, userTok := tt.user, tt.userTok
	tt.run(t, []apiCase{
		{name: "EMAIL_TAKEN", r: req{method: "POST", path: "/users", body: doc("users", map[string]any{"email": "U@example.com"}, nil)}, status: 422,
			code: "EMAIL_TAKEN", detail: "has already been taken", source: map[string]any{"pointer": "/data/attributes/email"}},
		{name: "EMAIL_INVALID", r: req{method: "POST", path: "/users", body: doc("users", map[string]any{"email": "foo.com"}, nil)}, status: 422,
			code: "EMAIL_INVALID", detail: "is invalid"},
		{name: "email missing: 400", r: req{method: "POST", path: "/users", body: doc("users", map[string]any{"firstName": "A"}, nil)}, status: 400,
			detail: "is missing", source: map[string]any{"pointer": "/data/attributes/email"}},
		{name: "invalid role: 400 is invalid", r: req{method: "PATCH", path: "/users/" + uid, body: doc("users", map[string]any{"role": "mod"}, nil)}, status: 400,
			detail: "is invalid", source: map[string]any{"pointer": "/data/attributes/role"}},
		{name: "blank first name allowed", r: req{method: "PATCH", path: "/users/" + uid, body: doc("users", map[string]any{"firstName": ""}, nil)}, status: 200},
		{name: "user may not set own password via update", r: req{method: "PATCH", path: "/users/" + uid, auth: "Bearer " + userTok,
			body: doc("users", map[string]any{"password": "newpassword"}, nil)}, status: 400, detail: "unpermitted parameter",
			source: map[string]any{"pointer": "/data/attributes/password"}},
		{name: "user by email alias", r: req{method: "GET", path: "/users/U@EXAMPLE.COM"}, status: 200, check: func(t *testing.T, _ *world, r *reply) { assert.Equal(t, uid, r.id()) }},
		{name: "update-password wrong old", r: req{method: "POST", path: "/users/" + uid + "/actions/update-password", auth: "Bearer " + userTok,
			body: map[string]any{"meta": map[string]any{"oldPassword": "wrong", "newPassword": "newpassword"}}}, status: 401,
			detail: "is not valid", source: map[string]any{"pointer": "/meta/oldPassword"}},
	})
}

func TestUsersStaff(t *testing.T) {
	t.Parallel()
	w := newTeamWorld(t)
	tt := w
	u3, u4 := tt.createUser("u3@example.com"), tt.createUser("u4@example.com")
	create := func(tok, email, role string) req {
		a := map[string]any{"firstName": "Tony", "lastName": "Stark", "email": email, "password": "((jarvis))"}
		if role != "" {
			a["role"] = role
		}
		return writeAs("POST", "/users", tok, doc("users", a, nil))
	}
	update := func(tok, id string) req {
		return writeAs("PATCH", "/users/"+id, tok, doc("users", map[string]any{"firstName": "Mr. Robot"}, nil))
	}
	c, d, u := "users/create.feature: ", "users/destroy.feature: ", "users/update.feature: "
	cases := []apiCase{
		{name: c + "Developer creates a user for their protected account", r: create(w.devTok, "dev-made@keygen.sh", ""), status: 201},
		{name: c + "Sales creates a user for their protected account", r: create(w.salesTok, "ironman@keygen.sh", ""), status: 201, attrs: map[string]any{"role": "user"}},
		{name: c + "Support creates a user for their account", r: create(w.supportTok, "support-made@keygen.sh", ""), status: 403, detail: denied},
		{name: c + "Read-only creates a user for their account", r: create(w.roTok, "ro-made@keygen.sh", ""), status: 403, detail: roLacks},
		// role is a permitted attribute only for admins: anyone else gets a 400.
		{name: c + "Developer attempts to create an admin for their account", r: create(w.devTok, "ecorp@keygen.sh", "admin"), status: 400},
		{name: c + "Sales attempts to create an admin for their unprotected account", r: create(w.salesTok, "stark@keygen.sh", "admin"), status: 400},
		{name: d + "Developer attempts to delete an admin", r: writeAs("DELETE", "/users/"+w.admin2, w.devTok, nil), status: 403,
			detail: noPerm + " (developer lacks privileges to perform action on user)"},
		{name: d + "Developer deletes one of their users", r: writeAs("DELETE", "/users/"+u3, w.devTok, nil), status: 204},
		{name: d + "Sales attempts to delete one of their users", r: writeAs("DELETE", "/users/"+u4, w.salesTok, nil), status: 403, detail: denied},
		{name: d + "Support attempts to delete one of their users", r: writeAs("DELETE", "/users/"+u4, w.supportTok, nil), status: 403, detail: denied},
		{name: d + "Read-only attempts to delete one of their users", r: writeAs("DELETE", "/users/"+u4, w.roTok, nil), status: 403, detail: roLacks},
		{name: u + "Developer updates a user for their account", r: update(w.devTok, w.user), status: 200, attrs: map[string]any{"firstName": "Mr. Robot"}},
		{name: u + "Sales updates a user for their account", r: update(w.salesTok, w.user), status: 200},
		{name: u + "Sales attempts to update an admin for their account", r: update(w.salesTok, w.admin), status: 403,
			detail: noPerm + " (sales agent lacks privileges to perform action on user)"},
		{name: u + "Support updates a user for their account", r: update(w.supportTok, w.user), status: 403, detail: denied},
		{name: u + "Read-only updates a user for their account", r: update(w.roTok, w.user), status: 403, detail: roLacks},
	}
	tt.run(t, append(w.staffReads("user", "users", w.user), cases...))
	r := tt.get("/users/" + u4)
	assert.Equal(t, 200, r.status, "u4 survives the denied deletes")
}
