package keygentest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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

// memberGroupCases are the scenarios that licenses/ and machines/relationships/group.feature
// share. mk makes the member (of the first product's policy unless other) and returns its
// id; owned makes it the owner user's; lu the license user's (attached, not owner).
func memberGroupCases(kind string, mk func(w *world, other, owned, lu bool) string) []apiCase {
	f := plural(kind) + "/relationships/group.feature: "
	path := func(id string) string { return "/" + plural(kind) + "/" + id + "/group" }
	ok := isType("groups")
	// grouped makes the member in a new group.
	grouped := func(w *world, other, owned, lu bool) string {
		id := mk(w, other, owned, lu)
		w.inGroup(kind, id, w.group(nil))
		return id
	}
	// bearerOf is the license bearer of the member (itself, or the machine's license).
	bearerOf := func(w *world, id string) string {
		if kind == "license" {
			return w.licenseAuth(id, nil)
		}
		var lic string
		w.withStore(func(db *store) { lic = db.machines[id].LicenseID })
		return w.licenseAuth(lic, nil)
	}
	the := map[string]string{"license": "a license", "machine": "a machine"}[kind]
	its := map[string]string{"license": "a license's", "machine": "a machine's"}[kind]
	cases := []apiCase{
		{name: f + "Admin retrieves the group for " + the + " (by ID)", check: ok,
			setup: func(w *world) req { return getAs(path(grouped(w, false, false, false)), "") }},
		{name: f + "Product retrieves the group for " + the, check: ok,
			setup: func(w *world) req { return getAs(path(grouped(w, false, false, false)), w.prodAuth) }},
		{name: f + "Product retrieves the group for " + the + " of another product", status: 404,
			setup: func(w *world) req { return getAs(path(grouped(w, true, false, false)), w.prodAuth) }},
		{name: f + "Admin attempts to retrieve the group for " + the + " of another account", status: 401,
			setup: func(w *world) req { return getAs(path(mk(w, false, false, false)), w.otherAcct) }},
		{name: f + "Admin changes " + its + " group relationship to another group",
			setup: func(w *world) req {
				id := grouped(w, false, false, false)
				w.group(nil)
				return putGroup(path(id), "", w.group(nil))
			},
			check: both(isType(plural(kind)), groupLinkage(func(w *world) string { return listedIDs(w.get("/groups"))[0] }))},
		{name: f + "Admin removes " + its + " group relationship", check: groupLinkage(func(*world) string { return "" }),
			setup: func(w *world) req { return putGroup(path(grouped(w, false, false, false)), "", nil) }},
		{name: f + "Admin changes " + its + " group relationship to a group for another account", status: 401,
			setup: func(w *world) req { return putGroup(path(grouped(w, false, false, false)), w.otherAcct, w.group(nil)) }},
		{name: f + "Product changes " + its + " group relationship to another group",
			check: groupLinkage(func(w *world) string { return listedIDs(w.get("/groups"))[0] }),
			setup: func(w *world) req { return putGroup(path(grouped(w, false, false, false)), w.prodAuth, w.group(nil)) }},
		{name: f + "Product changes " + its + " group relationship to a new group for " + the + " they don't own", status: 404,
			setup: func(w *world) req { return putGroup(path(mk(w, true, false, false)), w.prodAuth, w.group(nil)) }},
		{name: f + "Anonymous changes " + its + " group relationship to a different group", status: 401,
			setup: func(w *world) req { return putGroup(path(mk(w, false, false, false)), "-", w.group(nil)) }},
	}
	// License, User and Machine validate the group only when it changes
	// (group_id_changed? in app/models/{license,machine}.rb).
	cases = append(cases, apiCase{name: f + "(app/models/" + kind + ".rb group_id_changed?) Admin puts " + the + " back in its own group over the group's limit",
		check: groupLinkage(func(w *world) string { return listedIDs(w.get("/groups"))[0] }),
		setup: func(w *world) req {
			id := grouped(w, false, false, false)
			g := listedIDs(w.get("/groups"))[0]
			limit := map[string]string{"license": "maxLicenses", "machine": "maxMachines"}[kind]
			require.Equal(w.t, 200, w.do(patchGroup(g, "", map[string]any{limit: 0})).status)
			return putGroup(path(id), "", g)
		}})
	if kind == "license" {
		cases = append(cases,
			apiCase{name: f + "Admin retrieves the group for a license (by key)", check: ok,
				setup: func(w *world) req {
					id := grouped(w, false, false, false)
					var key string
					w.withStore(func(db *store) { key = db.licenses[id].Key })
					return getAs(path(key), "")
				}},
			apiCase{name: f + "User attempts to retrieve the group for a license they own (no group)", status: 404, detail: "The requested group was not found",
				setup: func(w *world) req { return getAs(path(mk(w, false, true, false)), w.ownerAuth) }},
			apiCase{name: f + "User attempts to retrieve the group for a license they own (not in group)", check: ok,
				setup: func(w *world) req { return getAs(path(grouped(w, false, true, false)), w.ownerAuth) }},
			apiCase{name: f + "User attempts to retrieve the group for a license they own (in group)", check: ok,
				setup: func(w *world) req {
					id := grouped(w, false, true, false)
					w.inGroup("user", w.owner, listedIDs(w.get("/groups"))[0])
					return getAs(path(id), w.ownerAuth)
				}},
			apiCase{name: f + "User attempts to retrieve the group for a license they have (in group)", check: ok,
				setup: func(w *world) req { return getAs(path(grouped(w, false, false, true)), w.luAuth) }},
			apiCase{name: f + "User attempts to retrieve the group for a license they don't own", status: 404,
				setup: func(w *world) req { w.group(nil); return getAs(path(mk(w, false, false, false)), w.ownerAuth) }},
			apiCase{name: f + "License attempts to retrieve the group for their license (in group)", check: ok,
				setup: func(w *world) req { id := grouped(w, false, false, false); return getAs(path(id), bearerOf(w, id)) }},
			apiCase{name: f + "License attempts to retrieve the group for their license (no group)", status: 404,
				setup: func(w *world) req { id := mk(w, false, false, false); return getAs(path(id), bearerOf(w, id)) }},
			apiCase{name: f + "Admin adds a license to a group",
				check: groupLinkage(func(w *world) string { return listedIDs(w.get("/groups"))[2] }),
				setup: func(w *world) req {
					g := w.groups(3)
					return putGroup(path(mk(w, false, false, false)), "", g[0])
				}},
			apiCase{name: f + "Admin changes a license's group relationship to a non-existent group", status: 422, title: unprocessed,
				code: "GROUP_NOT_FOUND", detail: "must exist", source: map[string]any{"pointer": "/data/relationships/group"},
				setup: func(w *world) req { return putGroup(path(grouped(w, false, false, false)), "", missingGroup) }},
			apiCase{name: f + "User attempts to change a license's group relationship (license owner)", status: 403,
				setup: func(w *world) req { id := grouped(w, false, true, false); return putGroup(path(id), w.ownerAuth, id) }},
			apiCase{name: f + "User attempts to change a license's group relationship (license user)", status: 403,
				setup: func(w *world) req { id := grouped(w, false, false, true); return putGroup(path(id), w.luAuth, id) }},
			apiCase{name: f + "User changes a license's group relationship to another group for a license they don't own", status: 404,
				setup: func(w *world) req {
					id := grouped(w, false, false, false)
					return putGroup(path(id), w.ownerAuth, w.group(nil))
				}},
		)
	}
	if kind == "machine" {
		cases = append(cases,
			apiCase{name: f + "Admin retrieves the group for a machine (by fingerprint)", check: ok,
				setup: func(w *world) req {
					id := grouped(w, false, false, false)
					var fp string
					w.withStore(func(db *store) { fp = db.machines[id].Fingerprint })
					return getAs(path(fp), "")
				}},
			apiCase{name: f + "User attempts to retrieve the group for a machine they own (no group)", status: 404,
				setup: func(w *world) req { return getAs(path(mk(w, false, true, false)), w.ownerAuth) }},
			apiCase{name: f + "User attempts to retrieve the group for a machine they own (not in group)", check: ok,
				setup: func(w *world) req { return getAs(path(grouped(w, false, true, false)), w.ownerAuth) }},
			apiCase{name: f + "User attempts to retrieve the group for a machine they own (in group)", check: ok,
				setup: func(w *world) req {
					id := grouped(w, false, true, false)
					w.inGroup("user", w.owner, listedIDs(w.get("/groups"))[0])
					return getAs(path(id), w.ownerAuth)
				}},
			apiCase{name: f + "User attempts to retrieve the group for a machine they have (in group)", check: ok,
				setup: func(w *world) req { return getAs(path(grouped(w, false, false, true)), w.luAuth) }},
			apiCase{name: f + "User attempts to retrieve the group for a machine they don't own", status: 404,
				setup: func(w *world) req { return getAs(path(grouped(w, false, false, false)), w.ownerAuth) }},
			apiCase{name: f + "License attempts to retrieve the group for their license (no group)", status: 404,
				setup: func(w *world) req { id := mk(w, false, false, false); return getAs(path(id), bearerOf(w, id)) }},
			apiCase{name: f + "License attempts to retrieve the group for their license (not in group)", check: ok,
				setup: func(w *world) req { id := grouped(w, false, false, false); return getAs(path(id), bearerOf(w, id)) }},
			apiCase{name: f + "License attempts to retrieve the group for their license (in group)", check: ok,
				setup: func(w *world) req {
					id := grouped(w, false, false, false)
					var lic string
					w.withStore(func(db *store) { lic = db.machines[id].LicenseID })
					w.inGroup("license", lic, listedIDs(w.get("/groups"))[0])
					return getAs(path(id), bearerOf(w, id))
				}},
			apiCase{name: f + "Admin adds a machine to a group",
				check: groupLinkage(func(w *world) string { return listedIDs(w.get("/groups"))[2] }),
				setup: func(w *world) req {
					g := w.groups(3)
					return putGroup(path(mk(w, false, false, false)), "", g[0])
				}},
			apiCase{name: f + "Admin changes a machine's policy relationship to a non-existent group", status: 422, title: unprocessed,
				code: "GROUP_NOT_FOUND", detail: "must exist", source: map[string]any{"pointer": "/data/relationships/group"},
				setup: func(w *world) req { return putGroup(path(grouped(w, false, false, false)), "", missingGroup) }},
			apiCase{name: f + "User attempts to change a machine's group relationship (license owner)", status: 403,
				setup: func(w *world) req { return putGroup(path(mk(w, false, true, false)), w.ownerAuth, w.group(nil)) }},
			apiCase{name: f + "User attempts to change a machine's group relationship (license user)", status: 403,
				setup: func(w *world) req { return putGroup(path(mk(w, false, false, true)), w.luAuth, w.group(nil)) }},
			apiCase{name: f + "User changes a machine's group relationship to another group for a machine they don't own", status: 404,
				setup: func(w *world) req { return putGroup(path(mk(w, false, false, false)), w.ownerAuth, w.group(nil)) }},
			apiCase{name: f + "License changes a machine's group relationship to another group", status: 403,
				setup: func(w *world) req {
					id := mk(w, false, false, false)
					return putGroup(path(id), bearerOf(w, id), w.group(nil))
				}},
		)
	}
	return cases
}

func TestGroupFeaturesLicenseGroup(t *testing.T) {
	t.Parallel()
	mk := func(w *world, other, owned, lu bool) string {
		pol := w.pol
		if other {
			pol = w.pol2
		}
		return w.licenseOf(pol, owned, lu, nil)
	}
	runEach(t, func(t *testing.T) *world { return newLicensingWorld(t, nil) }, memberGroupCases("license", mk))
}

func TestGroupFeaturesMachineGroup(t *testing.T) {
	t.Parallel()
	mk := func(w *world, other, owned, lu bool) string {
		pol := w.pol
		if other {
			pol = w.pol2
		}
		return w.createMachine(w.licenseOf(pol, owned, lu, nil), newUUID(), nil)
	}
	runEach(t, func(t *testing.T) *world { return newLicensingWorld(t, nil) }, memberGroupCases("machine", mk))
}
