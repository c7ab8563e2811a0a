package keygentest

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// License users: GET|POST|DELETE /licenses/{id}/users
// (features/api/v1/licenses/relationships/users.feature).

const luFeature = "licenses/relationships/users.feature: "

// usersBody is an attach/detach body naming the users in order.
func usersBody(ids ...string) map[string]any {
	data := []any{}
	for _, id := range ids {
		data = append(data, map[string]any{"type": "user", "id": id})
	}
	return map[string]any{"data": data}
}

func attachUsers(lic, auth string, ids ...string) req {
	return req{method: "POST", path: "/licenses/" + lic + "/users", auth: auth, body: usersBody(ids...)}
}

func detachUsers(lic, auth string, ids ...string) req {
	return req{method: "DELETE", path: "/licenses/" + lic + "/users", auth: auth, body: usersBody(ids...)}
}

// TestLicensesUsersRead: w.lic is owned by user with user3 attached; licPerm (read
// permissions, no owner) has user2 attached.
func TestLicensesUsersRead(t *testing.T) {
	t.Parallel()
	w := newTeamWorld(t).addLicensees()
	tt := w
	tt.mutLicense(w.licPerm, func(l *license) { l.UserIDs = []string{w.user2} })
	foreign := bearer(newWorld(t).srv.AdminToken)
	key := tt.get("/licenses/" + w.lic).attrs()["key"].(string)
	lu := "/licenses/" + w.lic + "/users"
	ids := func(want ...string) func(t *testing.T, w *world, r *reply) {
		return func(t *testing.T, _ *world, r *reply) {
			var got []string
			for _, it := range r.list() {
				got = append(got, it.(map[string]any)["id"].(string))
			}
			assert.ElementsMatch(t, want, got, string(r.body))
		}
	}
	tt.run(t, []apiCase{
		{name: luFeature + "Admin retrieves the users for a license (owner and licensees)", r: getAs(lu, ""), status: 200, check: ids(w.user, w.user3)},
		{name: luFeature + "Admin retrieves the users for a license by key", r: getAs("/licenses/"+key+"/users", ""), status: 200, check: ids(w.user, w.user3)},
		{name: luFeature + "Admin attempts to retrieve the users for a license of another account", r: getAs(lu, foreign), status: 401},
		{name: luFeature + "Product retrieves the users for a license", r: getAs(lu, bearer(w.prodTok)), status: 200, check: ids(w.user, w.user3)},
		{name: luFeature + "Product retrieves the users for a license of another product", r: getAs(lu, bearer(w.prod2Tok)), status: 404},
		{name: luFeature + "License retrieves their users (without permission)", r: getAs(lu, bearer(w.licTok)), status: 403, detail: licLacks},
		{name: luFeature + "License retrieves their users (with permission)", r: getAs("/licenses/"+w.licPerm+"/users", bearer(w.licPermTok)), status: 200, check: ids(w.user2)},
		{name: luFeature + "Owner attempts to retrieve the users for their license", r: getAs(lu, bearer(w.userTok)), status: 200, check: ids(w.user, w.user3)},
		{name: luFeature + "User attempts to retrieve the users for their license", r: getAs(lu, bearer(w.user3Tok)), status: 200, check: ids(w.user, w.user3)},
		{name: luFeature + "User attempts to retrieve the users for another license", r: getAs(lu, bearer(w.user2Tok)), status: 404},

		{name: luFeature + "Admin retrieves a user for a license", r: getAs(lu+"/"+w.user3, ""), status: 200, check: dataID(w.user3)},
		{name: luFeature + "Admin retrieves a user by email", r: getAs(lu+"/user3@example.com", ""), status: 200, check: dataID(w.user3)},
		{name: luFeature + "Admin retrieves a user that is not a license user (not found)", r: getAs(lu+"/"+w.user2, ""), status: 404,
			code: "NOT_FOUND", detail: "The requested user '" + w.user2 + "' was not found"},
		{name: luFeature + "Product retrieves a user for a license", r: getAs(lu+"/"+w.user3, bearer(w.prodTok)), status: 200, check: dataID(w.user3)},
		{name: luFeature + "Owner attempts to retrieve a user for their license", r: getAs(lu+"/"+w.user3, bearer(w.userTok)), status: 200, check: dataID(w.user3)},
		{name: luFeature + "User attempts to retrieve themself for their license", r: getAs(lu+"/"+w.user3, bearer(w.user3Tok)), status: 200, check: dataID(w.user3)},
		{name: luFeature + "User attempts to retrieve another user for their license", r: getAs(lu+"/"+w.user, bearer(w.user3Tok)), status: 200, check: dataID(w.user)},
		{name: luFeature + "User attempts to retrieve users for a license they don't own", r: getAs(lu+"/"+w.user3, bearer(w.user2Tok)), status: 404},
		{name: luFeature + "License attempts to retrieve their user (without permission)", r: getAs(lu+"/"+w.user3, bearer(w.licTok)), status: 403, detail: licLacks},
		{name: luFeature + "License attempts to retrieve their user (with permission)", r: getAs("/licenses/"+w.licPerm+"/users/"+w.user2, bearer(w.licPermTok)), status: 200, check: dataID(w.user2)},
	})
}

// TestLicensesUsersAttach plays the attach scenarios in order on one world; each case
// notes the state it relies on.
func TestLicensesUsersAttach(t *testing.T) {
	t.Parallel()
	w := newTeamWorld(t).addLicensees()
	tt := w
	other := newWorld(t)
	foreignUser := other.get("/me").id()
	a, b, c := tt.createUser("a@example.com"), tt.createUser("b@example.com"), tt.createUser("c@example.com")
	_, cTok := tt.tokenFor("users", c, nil)
	owned := tt.licenseOwnedBy(w.pol, c) // c owns it, unprotected
	prot := tt.licenseOwnedBy(w.pol, c)
	tt.mutLicense(prot, func(l *license) { l.Protected = new(true) })
	many := make([]string, 101)
	for i := range many {
		many[i] = a
	}
	bodyErr := map[string]any{"pointer": "/data"}
	userPtr := map[string]any{"pointer": "/data/relationships/user"}
	tt.run(t, []apiCase{
		{name: luFeature + "Admin attaches users to a license", r: attachUsers(w.lic2, "", a, b), status: 200, check: func(t *testing.T, _ *world, r *reply) {
			require.Len(t, r.list(), 2, string(r.body))
			for i, id := range []string{a, b} {
				lu := r.list()[i].(map[string]any)
				assert.Equal(t, "license-users", lu["type"])
				rels := lu["relationships"].(map[string]any)
				assert.Equal(t, map[string]any{
					"links": map[string]any{"related": "/v1/accounts/" + tt.srv.AccountID + "/users/" + id},
					"data":  map[string]any{"type": "users", "id": id},
				}, rels["user"])
				assert.Equal(t, map[string]any{"type": "licenses", "id": w.lic2}, rels["license"].(map[string]any)["data"])
				assert.Equal(t, map[string]any{"related": "/v1/accounts/" + tt.srv.AccountID + "/licenses/" + w.lic2 + "/users/" + id}, lu["links"])
				assert.Contains(t, lu["attributes"], "created")
			}
			assert.EqualValues(t, 2, tt.usersCount(w.lic2), "relationships.users.meta.count")
		}},
		{name: luFeature + "Admin attaches a user to a license that already exists as a user", r: attachUsers(w.lic2, "", a), status: 422,
			title: unprocessed, code: "USER_TAKEN", detail: "already exists", source: userPtr},
		{name: luFeature + "Admin attaches a user to a license that already exists as an owner", r: attachUsers(w.lic, "", w.user), status: 422,
			title: unprocessed, code: "USER_CONFLICT", detail: "already exists (user is attached through owner)", source: userPtr},
		{name: luFeature + "Admin attempts to attach users to a license with an invalid user ID", r: attachUsers(w.lic, "", "d22692b1-0b4b-4cb7-9e3e-449e0fdf9cd8"), status: 422,
			title: unprocessed, code: "USER_NOT_FOUND", detail: "must exist", source: userPtr},
		{name: luFeature + "Admin attempts to attach a user to a license for another account", r: attachUsers(w.lic, "", foreignUser), status: 422,
			code: "USER_NOT_FOUND", detail: "must exist", source: userPtr},
		{name: luFeature + "Admin attaches empty users to a license", r: attachUsers(w.lic, ""), status: 400,
			title: "Bad request", detail: "length must be between 1 and 100 (inclusive)", source: bodyErr},
		{name: luFeature + "Admin bulk attaches 101 users to a license", r: attachUsers(w.lic, "", many...), status: 400,
			detail: "length must be between 1 and 100 (inclusive)", source: bodyErr},
		{name: luFeature + "Admin of another account attempts to attach themself to a license", r: attachUsers(w.lic, bearer(other.srv.AdminToken), foreignUser), status: 401},
		{name: luFeature + "Product attaches users to a license", r: attachUsers(w.lic, bearer(w.prodTok), a), status: 200, check: listLen(1)},
		{name: luFeature + "Product attempts to attach users to a license it doesn't own", r: attachUsers(w.lic2, bearer(w.prodTok), c), status: 404},
		{name: luFeature + "License attempts to attach users to themselves", r: attachUsers(w.lic, bearer(w.licTok), b), status: 403, detail: licLacks},
		{name: luFeature + "Owner attempts to attach users to a license (default permissions)", r: attachUsers(owned, bearer(cTok), a), status: 403, detail: userLacks},
		{name: luFeature + "User attempts to attach users to a license", r: attachUsers(w.lic2, bearer(w.user3Tok), c), status: 404},
	})
	// With license.users.attach (EE permissions) the owner may attach to an unprotected
	// license only; a licensee never may.
	tt.mutUser(c, func(u *user) { u.Permissions = []string{"license.users.attach"} })
	tt.mutUser(w.user3, func(u *user) { u.Permissions = []string{"license.users.attach"} })
	tt.run(t, []apiCase{
		{name: luFeature + "Owner attempts to attach users to a license (explicit permission, unprotected license)", r: attachUsers(owned, bearer(cTok), a, b), status: 200, check: listLen(2)},
		{name: luFeature + "Owner attempts to attach users to a license (explicit permission, protected license)", r: attachUsers(prot, bearer(cTok), a), status: 403, detail: denied},
		{name: luFeature + "User attempts to attach users to their license (explicit permission)", r: attachUsers(w.lic, bearer(w.user3Tok), b), status: 403, detail: denied},
	})
	// A failed attach undoes the whole request: b is valid but the owner is not.
	r := tt.do(attachUsers(w.lic, "", b, w.user))
	require.Equal(t, 422, r.status, string(r.body))
	assert.EqualValues(t, 3, tt.usersCount(w.lic), "owner, user3 and a; b rolled back")
}

// TestLicensesUsersLimits: the users limit counts the owner and the attached users, each
// new one in turn, with the policy's overage allowance (users.feature, max users limit).
func TestLicensesUsersLimits(t *testing.T) {
	t.Parallel()
	tt := newWorld(t)
	prod := tt.product()
	var users []string
	for i := range 8 {
		users = append(users, tt.createUser(fmt.Sprintf("u%d@example.com", i)))
	}
	owner := users[0]
	limited := func(strategy string, max, attached int) string {
		pol := tt.policy(prod, map[string]any{"maxUsers": max, "overageStrategy": strategy, "floating": true})
		lic := tt.licenseOwnedBy(pol, owner)
		if attached > 0 {
			r := tt.do(attachUsers(lic, "", users[1:1+attached]...))
			require.Equal(t, 200, r.status, string(r.body))
		}
		return lic
	}
	exceeded := func(max int) string {
		return fmt.Sprintf("user count has exceeded maximum allowed for license (%d)", max)
	}
	limitPtr := map[string]any{"pointer": "/data/relationships/users"}
	l125 := limited("ALLOW_1_25X_OVERAGE", 4, 2)
	l15 := limited("ALLOW_1_5X_OVERAGE", 4, 3)
	l2x := limited("ALLOW_2X_OVERAGE", 2, 2)
	lno := limited("NO_OVERAGE", 5, 1)
	lalways := limited("ALWAYS_ALLOW_OVERAGE", 5, 4)
	tt.run(t, []apiCase{
		{name: luFeature + "Admin attaches users to a license with a max users limit (ALLOW_1_25X_OVERAGE, exceeds limit)", r: attachUsers(l125, "", users[3:6]...), status: 422,
			title: unprocessed, code: "USER_LIMIT_EXCEEDED", detail: exceeded(4), source: limitPtr},
		{name: luFeature + "Admin attaches users to a license with a max users limit (ALLOW_1_25X_OVERAGE, within limit)", r: attachUsers(l125, "", users[3:5]...), status: 200, check: listLen(2)},
		{name: luFeature + "Admin attaches users to a license with a max users limit (ALLOW_1_5X_OVERAGE, exceeds limit)", r: attachUsers(l15, "", users[4:7]...), status: 422,
			code: "USER_LIMIT_EXCEEDED", detail: exceeded(4)},
		{name: luFeature + "Admin attaches users to a license with a max users limit (ALLOW_1_5X_OVERAGE, within limit)", r: attachUsers(l15, "", users[4:6]...), status: 200, check: listLen(2)},
		{name: luFeature + "Admin attaches users to a license with a max users limit (ALLOW_2X_OVERAGE, exceeds limit)", r: attachUsers(l2x, "", users[3:5]...), status: 422,
			code: "USER_LIMIT_EXCEEDED", detail: exceeded(2)},
		{name: luFeature + "Admin attaches users to a license with a max users limit (ALLOW_2X_OVERAGE, within limit)", r: attachUsers(l2x, "", users[3]), status: 200, check: listLen(1)},
		{name: luFeature + "Admin attaches users to a license with a max users limit (NO_OVERAGE, exceeds limit)", r: attachUsers(lno, "", users[2:6]...), status: 422,
			code: "USER_LIMIT_EXCEEDED", detail: exceeded(5), source: limitPtr},
		{name: luFeature + "Admin attaches users to a license with a max users limit (NO_OVERAGE, within limit)", r: attachUsers(lno, "", users[2:5]...), status: 200, check: listLen(3)},
		{name: luFeature + "Admin attaches users to a license with a max users limit (ALWAYS_ALLOW_OVERAGE, exceeds limit)", r: attachUsers(lalways, "", users[5:8]...), status: 200, check: listLen(3)},
	})
}

// TestLicensesUsersDetach: w.lic is owned by user with user3 attached; detaching checks
// the owner first (403), then that every user is attached (422).
func TestLicensesUsersDetach(t *testing.T) {
	t.Parallel()
	w := newTeamWorld(t).addLicensees()
	tt := w
	other := newWorld(t)
	a, b := tt.createUser("a@example.com"), tt.createUser("b@example.com")
	_, ownerTok := tt.tokenFor("users", w.user, nil)
	prot := tt.licenseOwnedBy(w.pol, w.user)
	tt.mutLicense(prot, func(l *license) { l.Protected = new(true); l.UserIDs = []string{a} })
	require.Equal(t, 200, tt.do(attachUsers(w.lic, "", a, b)).status)
	require.Equal(t, 200, tt.do(attachUsers(w.lic2, "", a, b)).status)
	const bogus = "d22692b1-0b4b-4cb7-9e3e-449e0fdf9cd8"
	tt.run(t, []apiCase{
		{name: luFeature + "Admin detaches empty users from a license", r: detachUsers(w.lic, ""), status: 400,
			title: "Bad request", detail: "length must be between 1 and 100 (inclusive)", source: map[string]any{"pointer": "/data"}},
		{name: luFeature + "Admin attempts to detach users from a license with an invalid user ID", r: detachUsers(w.lic, "", a, bogus, b), status: 422,
			title: "Unprocessable entity", detail: "cannot detach user '" + bogus + "' (user is not attached)", source: map[string]any{"pointer": "/data/1"}},
		{name: luFeature + "Admin attempts to detach a user from a license that is the owner", r: detachUsers(w.lic, "", w.user3, w.user), status: 403,
			title: "Access denied", detail: "cannot detach user '" + w.user + "' (user is attached through owner)", source: map[string]any{"pointer": "/data/1"}},
		{name: luFeature + "Admin attempts to detach a user from a license for another account", r: detachUsers(w.lic, bearer(other.srv.AdminToken), a), status: 401},
		{name: luFeature + "Product attempts to detach users from a license it doesn't own", r: detachUsers(w.lic2, bearer(w.prodTok), a), status: 404},
		{name: luFeature + "License attempts to detach users to themselves", r: detachUsers(w.lic, bearer(w.licTok), a), status: 403, detail: licLacks},
		{name: luFeature + "License attempts to detach users from another license", r: detachUsers(w.lic2, bearer(w.licTok), a), status: 404},
		{name: luFeature + "Owner attempts to detach a user from their license (default permission)", r: detachUsers(w.lic, bearer(ownerTok), a), status: 403, detail: userLacks},
		{name: luFeature + "User attempts to detach users from a license", r: detachUsers(w.lic2, bearer(w.user3Tok), a), status: 404},
		{name: luFeature + "Product detaches users from a license", r: detachUsers(w.lic, bearer(w.prodTok), b), status: 204},
	})
	assert.EqualValues(t, 3, tt.usersCount(w.lic), "owner, user3 and a remain")
	tt.mutUser(w.user, func(u *user) { u.Permissions = []string{"license.users.detach"} })
	tt.mutUser(w.user3, func(u *user) { u.Permissions = []string{"license.users.detach"} })
	tt.run(t, []apiCase{
		{name: luFeature + "Owner attempts to detach a user from their license (explicit permission, protected license)", r: detachUsers(prot, bearer(ownerTok), a), status: 403, detail: denied},
		{name: luFeature + "User attempts to detach users from their license (explicit permission)", r: detachUsers(w.lic, bearer(w.user3Tok), w.user3), status: 403, detail: denied},
		{name: luFeature + "Owner attempts to detach themself from their license", r: detachUsers(w.lic, bearer(ownerTok), w.user), status: 403,
			detail: "cannot detach user '" + w.user + "' (user is attached through owner)"},
		{name: luFeature + "Owner attempts to detach a user from their license (explicit permission, unprotected license)", r: detachUsers(w.lic, bearer(ownerTok), a), status: 204},
		{name: luFeature + "Admin detaches users from a license", r: detachUsers(w.lic2, "", a, b), status: 204},
	})
	assert.EqualValues(t, 2, tt.usersCount(w.lic), "owner and user3 remain")
	assert.EqualValues(t, 0, tt.usersCount(w.lic2))
}

// TestLicensesUsersCount: attached users count wherever a license's users do: the users
// scope of a teammate, the license filter user=, machine owners, and detaching one
// releases its machines (LicenseUser#nullify_machines_for_user) and events.
func TestLicensesUsersCount(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t)
	tt := newWorld(t, WithInsecureWebhooks())
	tt.mustCreate("/webhook-endpoints", "webhook-endpoints", map[string]any{"url": rc.url("/hooks"),
		"subscriptions": []string{"license.users.attached", "license.users.detached"}}, nil)
	prod := tt.product()
	pol := tt.policy(prod, nil)
	owner, mate := tt.createUser("owner@example.com"), tt.createUser("mate@example.com")
	lic := tt.licenseOwnedBy(pol, owner)
	_, mateTok := tt.tokenFor("users", mate, nil)
	// Before the attach the owner is not visible to mate, and an owner-less machine
	// cannot name mate.
	require.Equal(t, 404, tt.do(getAs("/users/"+owner, bearer(mateTok))).status)
	r := tt.do(attachUsers(lic, "", mate))
	require.Equal(t, 200, r.status, string(r.body))
	luID := r.list()[0].(map[string]any)["id"].(string)
	tt.run(t, []apiCase{
		{name: "users/show.feature: User retrieves a teammate (attached through license users)", r: getAs("/users/"+owner, bearer(mateTok)), status: 200, check: dataID(owner)},
		{name: "licenses/index.feature: Admin retrieves licenses filtered by user (attached user)", r: getAs("/licenses?user="+mate, ""), status: 200, check: listLen(1)},
		{name: "users/relationships/licenses.feature: licenses of an attached user", r: getAs("/users/"+mate+"/licenses", ""), status: 200, check: listLen(1)},
		{name: "machines/create.feature: Admin creates a machine owned by a license user", r: req{method: "POST", path: "/machines",
			body: doc("machines", map[string]any{"fingerprint": "fp-mate"}, map[string]any{"license": link("licenses", lic), "owner": link("users", mate)})}, status: 201},
	})
	require.Equal(t, 204, tt.do(detachUsers(lic, "", mate)).status)
	tt.srv.mu.Lock()
	for _, m := range tt.srv.db.machines {
		assert.Nil(t, m.OwnerID, "detaching a user releases its machines of the license")
	}
	tt.srv.mu.Unlock()
	assert.Equal(t, 404, tt.do(getAs("/users/"+owner, bearer(mateTok))).status)
	for _, ev := range []string{"license.users.attached", "license.users.detached"} {
		attrs := tt.onlyEvent(ev)
		var payload struct {
			Data []map[string]any `json:"data"`
		}
		require.NoError(t, json.Unmarshal([]byte(attrs["payload"].(string)), &payload), ev)
		require.Len(t, payload.Data, 1, ev)
		assert.Equal(t, "license-users", payload.Data[0]["type"], ev)
		assert.Equal(t, luID, payload.Data[0]["id"], ev)
	}
}
