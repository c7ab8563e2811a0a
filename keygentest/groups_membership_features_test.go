package keygentest

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The scenarios of features/api/v1/{licenses,users,machines}/relationships/group.feature
// (keygen-sh/keygen-api), whose routes are groups.go's memberGroup and changeMemberGroup.
// Scenarios that need Keygen EE (environments) or a canceled account are not here.

func putGroup(path, auth string, group any) req {
	var data any
	if id, ok := group.(string); ok {
		data = map[string]any{"type": "groups", "id": id}
	}
	return req{method: "PUT", path: path, auth: auth, body: map[string]any{"data": data}}
}

// groupLinkage checks the answer's group linkage: the group, or null for "".
func groupLinkage(id func(w *world) string) func(t *testing.T, w *world, r *reply) {
	return func(t *testing.T, w *world, r *reply) {
		g := rel(r, "group")
		if want := id(w); want != "" {
			assert.Equal(t, map[string]any{"type": "groups", "id": want}, g["data"], string(r.body))
		} else {
			assert.Contains(t, g, "data")
			assert.Nil(t, g["data"], string(r.body))
		}
		assert.Equal(t, "/v1/accounts/"+w.srv.AccountID+"/"+r.data()["type"].(string)+"/"+r.id()+"/group", g["links"].(map[string]any)["related"])
	}
}

const missingGroup = "ef842664-16c5-4c22-b415-fa9f538e9035"

func TestGroupFeaturesUserGroup(t *testing.T) {
	t.Parallel()
	const f = "users/relationships/group.feature: "
	// inG puts the owner user in a new group and returns it.
	inG := func(w *world) string { g := w.group(nil); w.inGroup("user", w.owner, g); return g }
	path := func(w *world) string { return "/users/" + w.owner + "/group" }
	var g2 string
	_ = g2
	ok := isType("groups")
	runEach(t, func(t *testing.T) *world { return newLicensingWorld(t, nil) }, []apiCase{
		{name: f + "Admin retrieves the group for a user (by ID)", check: ok,
			setup: func(w *world) req { inG(w); return getAs(path(w), "") }},
		{name: f + "Admin retrieves the group for a user (by email)", check: ok,
			setup: func(w *world) req { inG(w); return getAs("/users/owner@example.com/group", "") }},
		{name: f + "Product retrieves the group for a user", check: ok,
			setup: func(w *world) req { inG(w); w.licenseOf(w.pol, true, false, nil); return getAs(path(w), w.prodAuth) }},
		{name: f + "Product retrieves the group for a user of another product", check: ok,
			setup: func(w *world) req { inG(w); w.licenseOf(w.pol2, true, false, nil); return getAs(path(w), w.prodAuth) }},
		{name: f + "User attempts to retrieve the group for their profile", check: ok,
			setup: func(w *world) req { inG(w); return getAs(path(w), w.ownerAuth) }},
		{name: f + "User attempts to retrieve the group of another user", status: 404,
			setup: func(w *world) req {
				w.group(nil)
				return getAs("/users/"+w.createUser("u2@example.com")+"/group", w.ownerAuth)
			}},
		// Users::GroupPolicy#show? lets a user read only its own group, and no license
		// (app/policies/users/group_policy.rb).
		{name: f + "License attempts to retrieve the group for their user (not in group)", status: 403,
			setup: func(w *world) req {
				inG(w)
				return getAs(path(w), w.licenseAuth(w.licenseOf(w.pol, true, false, nil), nil))
			}},
		{name: f + "License attempts to retrieve the group for their user (in group)", status: 403,
			setup: func(w *world) req {
				g := inG(w)
				lic := w.licenseOf(w.pol, true, false, nil)
				w.inGroup("license", lic, g)
				return getAs(path(w), w.licenseAuth(lic, nil))
			}},
		{name: f + "(app/policies/users/group_policy.rb) User attempts to retrieve the group of a teammate", status: 403,
			setup: func(w *world) req {
				g := w.group(nil)
				lu := w.luID()
				w.inGroup("user", lu, g)
				w.licenseOf(w.pol, true, true, nil) // the owner and the license user are teammates
				return getAs("/users/"+lu+"/group", w.ownerAuth)
			}},
		{name: f + "Admin attempts to retrieve the group for a user of another account", status: 401,
			setup: func(w *world) req { return getAs(path(w), w.otherAcct) }},
		{name: f + "Admin changes a user's group relationship to another group",
			setup: func(w *world) req { inG(w); w.group(nil); return putGroup(path(w), "", w.group(nil)) },
			check: both(isType("users"), groupLinkage(func(w *world) string { return listedIDs(w.get("/groups"))[0] }))},
		{name: f + "Admin removes a user's group relationship", check: groupLinkage(func(*world) string { return "" }),
			setup: func(w *world) req { inG(w); return putGroup(path(w), "", nil) }},
		{name: f + "Admin changes a user's policy relationship to a non-existent group", status: 422, title: unprocessed,
			code: "GROUP_NOT_FOUND", detail: "must exist", source: map[string]any{"pointer": "/data/relationships/group"},
			setup: func(w *world) req { inG(w); return putGroup(path(w), "", missingGroup) }},
		{name: f + "Admin changes a user's group relationship to a group for another account", status: 401,
			setup: func(w *world) req { inG(w); return putGroup(path(w), w.otherAcct, w.group(nil)) }},
		{name: f + "Product changes a user's group relationship to another group",
			setup: func(w *world) req {
				inG(w)
				w.licenseOf(w.pol, true, false, nil)
				return putGroup(path(w), w.prodAuth, w.group(nil))
			}},
		{name: f + "Product changes a user's group relationship to a new group for a user they don't own",
			setup: func(w *world) req {
				inG(w)
				w.licenseOf(w.pol2, true, false, nil)
				return putGroup(path(w), w.prodAuth, w.group(nil))
			}},
		{name: f + "User attempts to change their group relationship", status: 403,
			setup: func(w *world) req { inG(w); return putGroup(path(w), w.ownerAuth, w.group(nil)) }},
		{name: f + "User changes another user's group relationship to a different group", status: 404,
			setup: func(w *world) req {
				return putGroup("/users/"+w.createUser("u2@example.com")+"/group", w.ownerAuth, w.group(nil))
			}},
		{name: f + "License changes a user's group relationship to another group", status: 403,
			setup: func(w *world) req {
				inG(w)
				return putGroup(path(w), w.licenseAuth(w.licenseOf(w.pol, true, false, nil), nil), w.group(nil))
			}},
		{name: f + "Anonymous changes a user's group relationship to a different group", status: 401,
			setup: func(w *world) req { return putGroup(path(w), "-", w.group(nil)) }},
	})
}
