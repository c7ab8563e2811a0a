package keygentest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Cases drawn from the real server's request specs for users, passwords, profiles,
// products, policies, keys and webhooks (features/api/v1/…), played over real HTTP. Each
// case names the feature file and scenario it pins (keygen-api.md §1.15, §2).

// addLicensees adds to the team a teammate (user3, attached to lic as a licensee), a
// license with explicit EE read permissions and a token for the second product.
func (w *world) addLicensees() *world {
	tt := w
	w.user3 = tt.createUser("user3@example.com")
	_, w.user3Tok = tt.tokenFor("users", w.user3, nil)
	_, w.prod2Tok = tt.tokenFor("products", w.prod2, nil)
	tt.srv.mu.Lock()
	tt.srv.db.licenses[w.lic].UserIDs = []string{w.user3}
	tt.srv.mu.Unlock()
	w.licPerm = tt.licenseOwnedBy(w.pol, "")
	tt.srv.mu.Lock()
	tt.srv.db.licenses[w.licPerm].Permissions = []string{"user.read", "product.read", "policy.read"}
	tt.srv.mu.Unlock()
	_, w.licPermTok = tt.tokenFor("licenses", w.licPerm, nil)
	return w
}

func listLen(n int) func(t *testing.T, w *world, r *reply) {
	return func(t *testing.T, _ *world, r *reply) { assert.Len(t, r.list(), n, string(r.body)) }
}

func TestF5Users(t *testing.T) {
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

func TestF5UserWrites(t *testing.T) {
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

func TestTeamPasswords(t *testing.T) {
	w := newTeamWorld(t).addLicensees()
	tt := w
	reset := "passwords/reset.feature: "
	forgot := func(email string) req {
		return req{method: "POST", path: "/passwords", auth: "-", body: map[string]any{"meta": map[string]any{"email": email, "deliver": false}}}
	}
	tt.run(t, []apiCase{
		{name: reset + "User resets their password (has password)", r: forgot("user@example.com"), status: 204},
		{name: reset + "User resets their password with case insensitivity", r: forgot("USER@example.com"), status: 204},
		{name: reset + "User resets their password using a bad email", r: forgot("bad@example.com"), status: 204},
		{name: reset + "User resets their password without an email", r: req{method: "POST", path: "/passwords", auth: "-", body: map[string]any{"meta": map[string]any{}}}, status: 400},
	})
}

func TestTeamProfiles(t *testing.T) {
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

func TestTeamProducts(t *testing.T) {
	w := newTeamWorld(t).addLicensees()
	tt := w
	foreign := bearer(newWorld(t).srv.AdminToken)
	closed := tt.mustCreate("/products", "products", map[string]any{"name": "Closed", "distributionStrategy": "CLOSED"}, nil)
	tt.mustCreate("/products", "products", map[string]any{"name": "Open", "distributionStrategy": "OPEN"}, nil)
	ps := "products/show.feature: "
	pi := "products/index.feature: "
	get := func(path, auth string) req { return req{method: "GET", path: path, auth: auth} }
	permUser := tt.createUser("perm@example.com")
	tt.srv.mu.Lock()
	tt.srv.db.users[permUser].Permissions = []string{"user.read", "product.read", "policy.read"}
	tt.srv.mu.Unlock()
	tt.licenseOwnedBy(w.pol, permUser)
	_, permUserTok := tt.tokenFor("users", permUser, nil)
	tt.run(t, []apiCase{
		{name: ps + "Admin retrieves a product for their account", r: get("/products/"+w.prod, ""), status: 200, attrs: map[string]any{"name": "App"}},
		{name: ps + "Sales retrieves a product for their account", r: get("/products/"+w.prod, bearer(w.salesTok)), status: 200},
		{name: ps + "Support retrieves a product for their account", r: get("/products/"+w.prod, bearer(w.supportTok)), status: 200},
		{name: ps + "Read-only retrieves a product for their account", r: get("/products/"+w.prod, bearer(w.roTok)), status: 200},
		{name: ps + "Admin retrieves an invalid product for their account", r: get("/products/invalid", ""), status: 404,
			detail: "The requested product 'invalid' was not found", code: "NOT_FOUND"},
		{name: ps + "Admin attempts to retrieve a product for another account", r: get("/products/"+w.prod, foreign), status: 401},
		{name: ps + "Product retrieves itself", r: get("/products/"+w.prod, bearer(w.prodTok)), status: 200},
		{name: ps + "Product attempts to retrieve another product", r: get("/products/"+w.prod2, bearer(w.prodTok)), status: 404},
		{name: ps + "License attempts to retrieve their product (default permissions)", r: get("/products/"+w.prod, bearer(w.licTok)), status: 403,
			detail: "You do not have permission to complete the request (license lacks permission to perform action)"},
		{name: ps + "License attempts to retrieve their product (explicit permission)", r: get("/products/"+w.prod, bearer(w.licPermTok)), status: 200},
		{name: ps + "License attempts to retrieve a product", r: get("/products/"+w.prod2, bearer(w.licTok)), status: 404},
		{name: ps + "User attempts to retrieve their product (default permissions)", r: get("/products/"+w.prod, bearer(w.userTok)), status: 403,
			detail: "You do not have permission to complete the request (user lacks permission to perform action)"},
		{name: ps + "User attempts to retrieve their product (explicit permission)", r: get("/products/"+w.prod, bearer(permUserTok)), status: 200},
		{name: ps + "User attempts to retrieve a product", r: get("/products/"+w.prod2, bearer(w.userTok)), status: 404},
		{name: ps + "User attempts to retrieve a closed product", r: get("/products/"+closed, bearer(permUserTok)), status: 404},

		{name: pi + "Admin retrieves all products for their account", r: get("/products", ""), status: 200, check: listLen(4)},
		{name: pi + "Support retrieves all products for their account", r: get("/products", bearer(w.supportTok)), status: 200, check: listLen(4)},
		{name: pi + "Product attempts to retrieve all products", r: get("/products", bearer(w.prodTok)), status: 403},
		{name: pi + "License attempts to retrieve their products (default permissions)", r: get("/products", bearer(w.licTok)), status: 403},
		{name: pi + "License attempts to retrieve their products (explicit permission)", r: get("/products", bearer(w.licPermTok)), status: 200, check: listLen(2)},
		{name: pi + "User attempts to retrieve their products (default permissions)", r: get("/products", bearer(w.userTok)), status: 403},
		{name: pi + "User attempts to retrieve their products (explicit permission)", r: get("/products", bearer(permUserTok)), status: 200, check: listLen(2)},
		{name: pi + "Admin retrieves all products with a limit that is too low", r: get("/products?limit=0", ""), status: 400},
	})

	pu2 := "products/update.feature: "
	pdl := "products/destroy.feature: "
	pcr := "products/create.feature: "
	patchProd := func(id, auth string) req {
		return req{method: "PATCH", path: "/products/" + id, auth: auth, body: doc("products", map[string]any{"platforms": []string{"Nintendo"}}, nil)}
	}
	rmProd := func(id, auth string) req { return req{method: "DELETE", path: "/products/" + id, auth: auth} }
	newProd := func(auth string) req {
		return req{method: "POST", path: "/products", auth: auth, body: doc("products", map[string]any{"name": "Cool App"}, nil)}
	}
	tt.run(t, []apiCase{
		{name: pcr + "Developer creates a product for their account", r: newProd(bearer(w.devTok)), status: 201, attrs: map[string]any{"name": "Cool App", "distributionStrategy": "LICENSED"}},
		{name: pcr + "Sales attempts to create a product for their account", r: newProd(bearer(w.salesTok)), status: 403},
		{name: pcr + "Support attempts to create a product for their account", r: newProd(bearer(w.supportTok)), status: 403},
		{name: pcr + "Read-only attempts to create a product for their account", r: newProd(bearer(w.roTok)), status: 403},
		{name: pcr + "Product attempts to create a product for their account", r: newProd(bearer(w.prodTok)), status: 403},
		{name: pu2 + "Developer updates a product for their account", r: patchProd(w.prod, bearer(w.devTok)), status: 200, attrs: map[string]any{"platforms": []any{"Nintendo"}}},
		{name: pu2 + "Sales updates a product for their account", r: patchProd(w.prod, bearer(w.salesTok)), status: 403},
		{name: pu2 + "Support updates a product for their account", r: patchProd(w.prod, bearer(w.supportTok)), status: 403},
		{name: pu2 + "Read-only updates a product for their account", r: patchProd(w.prod, bearer(w.roTok)), status: 403},
		{name: pu2 + "Product updates the platforms for itself", r: patchProd(w.prod, bearer(w.prodTok)), status: 200},
		{name: pu2 + "Product attempts to update the platforms for another product", r: patchProd(w.prod2, bearer(w.prodTok)), status: 404},
		{name: pu2 + "License attempts to update the platforms for their product", r: patchProd(w.prod, bearer(w.licPermTok)), status: 403},
		{name: pu2 + "License attempts to update the platforms for a product", r: patchProd(w.prod2, bearer(w.licTok)), status: 404},
		{name: pu2 + "User attempts to update the platforms for their product", r: patchProd(w.prod, bearer(permUserTok)), status: 403},
		{name: pu2 + "User attempts to update the platforms for a product", r: patchProd(w.prod2, bearer(w.userTok)), status: 404},
		{name: pu2 + "Admin removes a product's platforms", r: req{method: "PATCH", path: "/products/" + w.prod, body: doc("products", map[string]any{"platforms": nil}, nil)}, status: 200, attrs: map[string]any{"platforms": nil}},
		{name: pdl + "Sales attempts to delete one of their products", r: rmProd(w.prod, bearer(w.salesTok)), status: 403},
		{name: pdl + "Read-only attempts to delete one of their products", r: rmProd(w.prod, bearer(w.roTok)), status: 403},
		{name: pdl + "Product deletes itself", r: rmProd(w.prod, bearer(w.prodTok)), status: 403},
		{name: pdl + "Product attempts to delete another product for their account", r: rmProd(w.prod2, bearer(w.prodTok)), status: 404},
		{name: pdl + "License attempts to delete their product", r: rmProd(w.prod, bearer(w.licPermTok)), status: 403},
		{name: pdl + "License attempts to delete a product", r: rmProd(w.prod2, bearer(w.licTok)), status: 404},
		{name: pdl + "User attempts to delete a one of their products", r: rmProd(w.prod, bearer(permUserTok)), status: 403},
		{name: pdl + "User attempts to delete a product", r: rmProd(w.prod2, bearer(w.userTok)), status: 404},
		{name: pdl + "Anonymous attempts to delete a product", r: rmProd(w.prod, "-"), status: 401},
		{name: pdl + "Developer deletes one of their products", r: rmProd(closed, bearer(w.devTok)), status: 204},
	})
	require.NotEmpty(t, w.prod)
}

func TestTeamPolicies(t *testing.T) {
	w := newTeamWorld(t).addLicensees()
	tt := w
	tt.mustCreate("/products", "products", map[string]any{"name": "Closed", "distributionStrategy": "CLOSED"}, nil)
	tt.mustCreate("/products", "products", map[string]any{"name": "Open", "distributionStrategy": "OPEN"}, nil)
	get := func(path, auth string) req { return req{method: "GET", path: path, auth: auth} }
	permUser := tt.createUser("perm@example.com")
	tt.srv.mu.Lock()
	tt.srv.db.users[permUser].Permissions = []string{"user.read", "product.read", "policy.read"}
	tt.srv.mu.Unlock()
	tt.licenseOwnedBy(w.pol, permUser)
	_, permUserTok := tt.tokenFor("users", permUser, nil)

	pols := "policies/show.feature: "
	poli := "policies/index.feature: "
	tt.run(t, []apiCase{
		{name: pols + "Admin retrieves a policy for their account", r: get("/policies/"+w.pol, ""), status: 200},
		{name: pols + "Support retrieves a policy for their account", r: get("/policies/"+w.pol, bearer(w.supportTok)), status: 200},
		{name: pols + "Admin retrieves an invalid policy for their account", r: get("/policies/invalid", ""), status: 404, detail: "The requested policy 'invalid' was not found"},
		{name: pols + "Product retrieves a policy for their product", r: get("/policies/"+w.pol, bearer(w.prodTok)), status: 200},
		{name: pols + "Product attempts to retrieve a policy for another product", r: get("/policies/"+w.pol2, bearer(w.prodTok)), status: 404},
		{name: pols + "License attempts to retrieve their policy (default permissions)", r: get("/policies/"+w.pol, bearer(w.licTok)), status: 403},
		{name: pols + "License attempts to retrieve their policy (explicit permission)", r: get("/policies/"+w.pol, bearer(w.licPermTok)), status: 200},
		{name: pols + "License attempts to retrieve a policy", r: get("/policies/"+w.pol2, bearer(w.licTok)), status: 404},
		{name: pols + "User attempts to retrieve their policy (default permissions)", r: get("/policies/"+w.pol, bearer(w.userTok)), status: 403},
		{name: pols + "User attempts to retrieve their policy (license owner, explicit permission)", r: get("/policies/"+w.pol, bearer(permUserTok)), status: 200},
		{name: pols + "User attempts to retrieve a policy", r: get("/policies/"+w.pol2, bearer(w.userTok)), status: 404},
		{name: poli + "Product retrieves all policies for their product", r: get("/policies", bearer(w.prodTok)), status: 200, check: listLen(1)},
		{name: poli + "License attempts to retrieve their policies (default permissions)", r: get("/policies", bearer(w.licTok)), status: 403},
		{name: poli + "License attempts to retrieve their policies (explicit permission)", r: get("/policies", bearer(w.licPermTok)), status: 200, check: listLen(1)},
		{name: poli + "User attempts to retrieve their policies (default permissions)", r: get("/policies", bearer(w.userTok)), status: 403},
		{name: poli + "User attempts to retrieve their policies (license owner, explicit permission)", r: get("/policies", bearer(permUserTok)), status: 200, check: listLen(1)},
		{name: poli + "Read-only retrieves all policies for their account", r: get("/policies", bearer(w.roTok)), status: 200, check: listLen(2)},
	})

	pc := "policies/create.feature: "
	pu := "policies/update.feature: "
	pd := "policies/destroy.feature: "
	newPol := func(prod, auth string) req {
		return req{method: "POST", path: "/policies", auth: auth, body: doc("policies", map[string]any{"name": "P"}, map[string]any{"product": link("products", prod)})}
	}
	patchPol := func(id, auth string) req {
		return req{method: "PATCH", path: "/policies/" + id, auth: auth, body: doc("policies", map[string]any{"name": "Renamed"}, nil)}
	}
	rmPol := func(id, auth string) req { return req{method: "DELETE", path: "/policies/" + id, auth: auth} }
	tt.run(t, []apiCase{
		{name: pc + "Product attempts to create a policy for their product", r: newPol(w.prod, bearer(w.prodTok)), status: 201},
		{name: pc + "Product attempts to create a policy for another product", r: newPol(w.prod2, bearer(w.prodTok)), status: 403},
		{name: pc + "User attempts to create a policy for their account", r: newPol(w.prod, bearer(w.userTok)), status: 403},
		{name: pc + "License attempts to create a policy for their account", r: newPol(w.prod, bearer(w.licTok)), status: 403},
		{name: pc + "Developer creates a policy for their account", r: newPol(w.prod, bearer(w.devTok)), status: 201},
		{name: pc + "Sales creates a policy for their account", r: newPol(w.prod, bearer(w.salesTok)), status: 201},
		{name: pc + "Support attempts to create a policy for their account", r: newPol(w.prod, bearer(w.supportTok)), status: 403},
		{name: pc + "Read-only attempts to create a policy for their account", r: newPol(w.prod, bearer(w.roTok)), status: 403},
		{name: pu + "Sales updates a policy for their account", r: patchPol(w.pol, bearer(w.salesTok)), status: 200, attrs: map[string]any{"name": "Renamed"}},
		{name: pu + "Support updates a policy for their account", r: patchPol(w.pol, bearer(w.supportTok)), status: 403},
		{name: pu + "Read-only updates a policy for their account", r: patchPol(w.pol, bearer(w.roTok)), status: 403},
		{name: pu + "Product updates a policy for their product", r: patchPol(w.pol, bearer(w.prodTok)), status: 200},
		{name: pu + "Product attempts to update a policy for another product", r: patchPol(w.pol2, bearer(w.prodTok)), status: 404},
		{name: pu + "License attempts to update their policy", r: patchPol(w.pol, bearer(w.licTok)), status: 403},
		{name: pu + "License attempts to update a policy", r: patchPol(w.pol2, bearer(w.licTok)), status: 404},
		{name: pu + "User attempts to update their policy", r: patchPol(w.pol, bearer(w.userTok)), status: 403},
		{name: pu + "User attempts to update a policy", r: patchPol(w.pol2, bearer(w.userTok)), status: 404},
		{name: pd + "Sales deletes one of their policies", r: rmPol(w.pol, bearer(w.salesTok)), status: 403},
		{name: pd + "Support deletes one of their policies", r: rmPol(w.pol, bearer(w.supportTok)), status: 403},
		{name: pd + "Read-only deletes one of their policies", r: rmPol(w.pol, bearer(w.roTok)), status: 403},
		{name: pd + "Product deletes a policy for a different product", r: rmPol(w.pol2, bearer(w.prodTok)), status: 404},
		{name: pd + "License attempts to delete a policy for their product", r: rmPol(w.pol, bearer(w.licTok)), status: 403},
		{name: pd + "User attempts to delete a policy for their product", r: rmPol(w.pol, bearer(w.userTok)), status: 403},
		{name: pd + "Anonymous attempts to delete a policy", r: rmPol(w.pol, "-"), status: 401},
		{name: pd + "Product deletes one of their policies", r: rmPol(tt.policy(w.prod, nil), bearer(w.prodTok)), status: 204},
	})
}

func TestTeamKeys(t *testing.T) {
	w := newTeamWorld(t).addLicensees()
	tt := w
	foreign := bearer(newWorld(t).srv.AdminToken)
	pooled := tt.policy(w.prod, map[string]any{"usePool": true})
	pooled2 := tt.policy(w.prod2, map[string]any{"usePool": true})
	newKey := func(pol, key, auth string) req {
		return req{method: "POST", path: "/keys", auth: auth, body: doc("keys", map[string]any{"key": key}, map[string]any{"policy": link("policies", pol)})}
	}
	key := tt.mustCreate("/keys", "keys", map[string]any{"key": "aaaaaaaaaa"}, map[string]any{"policy": link("policies", pooled)})
	key2 := tt.mustCreate("/keys", "keys", map[string]any{"key": "bbbbbbbbbb"}, map[string]any{"policy": link("policies", pooled2)})
	get := func(path, auth string) req { return req{method: "GET", path: path, auth: auth} }
	patchKey := func(id, auth string) req {
		return req{method: "PATCH", path: "/keys/" + id, auth: auth, body: doc("keys", map[string]any{"key": "c-" + id[:8]}, nil)}
	}
	ks, ki, kc, ku, kd := "keys/show.feature: ", "keys/index.feature: ", "keys/create.feature: ", "keys/update.feature: ", "keys/destroy.feature: "
	kp := "keys/relationships/policy.feature: "
	tt.run(t, []apiCase{
		{name: ks + "Admin retrieves a key for their account", r: get("/keys/"+key, ""), status: 200, attrs: map[string]any{"key": "aaaaaaaaaa"}},
		{name: ks + "Admin retrieves an invalid key for their account", r: get("/keys/invalid", ""), status: 404, detail: "The requested key 'invalid' was not found"},
		{name: ks + "Product retrieves a key for their product", r: get("/keys/"+key, bearer(w.prodTok)), status: 200},
		{name: ks + "Product attempts to retrieve a key for another product", r: get("/keys/"+key2, bearer(w.prodTok)), status: 404},
		{name: ks + "License attempts to retrieve a key", r: get("/keys/"+key, bearer(w.licTok)), status: 404},
		{name: ks + "User attempts to retrieve a key", r: get("/keys/"+key, bearer(w.userTok)), status: 404},
		{name: ks + "Admin attempts to retrieve a key for another account", r: get("/keys/"+key, foreign), status: 401},
		{name: ki + "Admin retrieves all keys for their account", r: get("/keys", ""), status: 200, check: listLen(2)},
		{name: ki + "Product retrieves all keys for their product", r: get("/keys", bearer(w.prodTok)), status: 200, check: listLen(1)},
		{name: ki + "License attempts to retrieve all keys for their account", r: get("/keys", bearer(w.licTok)), status: 403},
		{name: ki + "User attempts to retrieve all keys for their account", r: get("/keys", bearer(w.userTok)), status: 403},
		{name: kp + "Product retrieves the policy for a key", r: get("/keys/"+key+"/policy", bearer(w.prodTok)), status: 200},
		{name: kp + "Product retrieves the policy for a key of another product", r: get("/keys/"+key2+"/policy", bearer(w.prodTok)), status: 404},
		{name: kp + "License attempts to retrieve the policy for a key", r: get("/keys/"+key+"/policy", bearer(w.licTok)), status: 404},
		{name: kp + "User attempts to retrieve the policy for a key", r: get("/keys/"+key+"/policy", bearer(w.userTok)), status: 404},
		{name: kc + "Admin creates a key for a pooled policy", r: newKey(pooled, "rNxgJ2niG2eQkiJLWwmvHDimWVpm4L", ""), status: 201, attrs: map[string]any{"key": "rNxgJ2niG2eQkiJLWwmvHDimWVpm4L"}},
		{name: kc + "User attempts to create a key", r: newKey(pooled, "x1xxxxxxxx", bearer(w.userTok)), status: 403},
		{name: kc + "Product creates a key for another product's policy", r: newKey(pooled2, "x2xxxxxxxx", bearer(w.prodTok)), status: 403},
		{name: kc + "Unauthenticated user attempts to create a key", r: newKey(pooled, "x3xxxxxxxx", "-"), status: 401},
		{name: ku + "Product updates a key for their product", r: patchKey(key, bearer(w.prodTok)), status: 200},
		{name: ku + "Product attempts to update a key for another product", r: patchKey(key2, bearer(w.prodTok)), status: 404},
		{name: ku + "License attempts to update a key for their account", r: patchKey(key, bearer(w.licTok)), status: 404},
		{name: ku + "User attempts to update a key for their account", r: patchKey(key, bearer(w.userTok)), status: 404},
		{name: ku + "Anonymous user attempts to update a key for their account", r: patchKey(key, "-"), status: 401},
		{name: kd + "Product attempts to delete a key for another product", r: req{method: "DELETE", path: "/keys/" + key2, auth: bearer(w.prodTok)}, status: 404},
		{name: kd + "License attempts to delete a key for their account", r: req{method: "DELETE", path: "/keys/" + key, auth: bearer(w.licTok)}, status: 404},
		{name: kd + "User attempts to delete a key for their account", r: req{method: "DELETE", path: "/keys/" + key, auth: bearer(w.userTok)}, status: 404},
		{name: kd + "Product attempts to delete a key for their product", r: req{method: "DELETE", path: "/keys/" + key, auth: bearer(w.prodTok)}, status: 204},
	})
}

func TestTeamWebhooks(t *testing.T) {
	w := newTeamWorld(t).addLicensees()
	tt := w
	foreign := bearer(newWorld(t).srv.AdminToken)
	pooled := tt.policy(w.prod, map[string]any{"usePool": true})
	pooled2 := tt.policy(w.prod2, map[string]any{"usePool": true})
	tt.mustCreate("/keys", "keys", map[string]any{"key": "aaaaaaaaaa"}, map[string]any{"policy": link("policies", pooled)})
	tt.mustCreate("/keys", "keys", map[string]any{"key": "bbbbbbbbbb"}, map[string]any{"policy": link("policies", pooled2)})
	get := func(path, auth string) req { return req{method: "GET", path: path, auth: auth} }

	ep := tt.mustCreate("/webhook-endpoints", "webhook-endpoints", map[string]any{"url": "https://example.com/hooks"}, nil)
	tt.createUser("evented@example.com") // emits user.created to the endpoint
	evs := tt.get("/webhook-events").list()
	require.NotEmpty(t, evs)
	ev := evs[0].(map[string]any)["id"].(string)
	es, ed, eu := "webhook_endpoints/show.feature: ", "webhook_endpoints/destroy.feature: ", "webhook_endpoints/update.feature: "
	vs, vd := "webhook_events/show.feature: ", "webhook_events/destroy.feature: "
	patchEp := func(auth string) req {
		return req{method: "PATCH", path: "/webhook-endpoints/" + ep, auth: auth, body: doc("webhook-endpoints", map[string]any{"url": "https://example.com/v2"}, nil)}
	}
	tt.run(t, []apiCase{
		{name: es + "Admin retrieves a webhook endpoint for their account", r: get("/webhook-endpoints/"+ep, ""), status: 200, attrs: map[string]any{"url": "https://example.com/hooks"}},
		{name: es + "Admin retrieves an invalid webhook endpoint for their account", r: get("/webhook-endpoints/invalid", ""), status: 404},
		{name: es + "Admin attempts to retrieve a webhook endpoint for another account", r: get("/webhook-endpoints/"+ep, foreign), status: 401},
		{name: es + "License retrieves a webhook endpoint for their account", r: get("/webhook-endpoints/"+ep, bearer(w.licTok)), status: 404},
		{name: es + "User retrieves a webhook endpoint for their account", r: get("/webhook-endpoints/"+ep, bearer(w.userTok)), status: 404},
		{name: es + "Anonymous retrieves a webhook endpoint for an account", r: get("/webhook-endpoints/"+ep, "-"), status: 401},
		{name: eu + "Product attempts to update a webhook endpoint for their account", r: patchEp(bearer(w.prodTok)), status: 404},
		{name: eu + "License attempts to update a webhook endpoint for their account", r: patchEp(bearer(w.licTok)), status: 404},
		{name: eu + "User attempts to update a webhook endpoint for their account", r: patchEp(bearer(w.userTok)), status: 404},
		{name: eu + "Admin updates a webhook endpoint's url", r: patchEp(""), status: 200, attrs: map[string]any{"url": "https://example.com/v2"}},
		{name: vs + "Admin retrieves a webhook event for their account", r: get("/webhook-events/"+ev, ""), status: 200},
		{name: vs + "Admin retrieves an invalid webhook event for their account", r: get("/webhook-events/invalid", ""), status: 404},
		{name: vs + "Product retrieves a webhook event for their account", r: get("/webhook-events/"+ev, bearer(w.prodTok)), status: 404},
		{name: vs + "License retrieves a webhook event for their account", r: get("/webhook-events/"+ev, bearer(w.licTok)), status: 404},
		{name: vs + "User retrieves a webhook event for their account", r: get("/webhook-events/"+ev, bearer(w.userTok)), status: 404},
		{name: vs + "Anonymous retrieves a webhook event for an account", r: get("/webhook-events/"+ev, "-"), status: 401},
		{name: vd + "Product attempts to delete a webhook event for their account", r: req{method: "DELETE", path: "/webhook-events/" + ev, auth: bearer(w.prodTok)}, status: 404},
		{name: vd + "License attempts to delete a webhook event for their account", r: req{method: "DELETE", path: "/webhook-events/" + ev, auth: bearer(w.licTok)}, status: 404},
		{name: vd + "User attempts to delete a webhook event for their account", r: req{method: "DELETE", path: "/webhook-events/" + ev, auth: bearer(w.userTok)}, status: 404},
		{name: vd + "Admin deletes one of their webhook events", r: req{method: "DELETE", path: "/webhook-events/" + ev}, status: 204},
		{name: ed + "Product attempts to delete a webhook endpoint for their account", r: req{method: "DELETE", path: "/webhook-endpoints/" + ep, auth: bearer(w.prodTok)}, status: 404},
		{name: ed + "License attempts to delete a webhook endpoint for their account", r: req{method: "DELETE", path: "/webhook-endpoints/" + ep, auth: bearer(w.licTok)}, status: 404},
		{name: ed + "User attempts to delete a webhook endpoint for their account", r: req{method: "DELETE", path: "/webhook-endpoints/" + ep, auth: bearer(w.userTok)}, status: 404},
		{name: ed + "Admin deletes one of their webhook endpoints", r: req{method: "DELETE", path: "/webhook-endpoints/" + ep}, status: 204},
	})
}
