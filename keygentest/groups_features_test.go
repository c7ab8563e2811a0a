package keygentest

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The scenarios of features/api/v1/groups/**/*.feature (keygen-sh/keygen-api), one case per
// scenario, named "<file>: <scenario title>". Scenarios that need Keygen EE (environments)
// or a canceled account are not here.

// groups makes n groups and returns their ids in creation order.
func (w *world) groups(n int) []string {
	var out []string
	for i := range n {
		out = append(out, w.group(map[string]any{"name": fmt.Sprint("G", i)}))
	}
	return out
}

// inGroup puts a user, license or machine (kind) in the group, as the features' factories
// do (past the API's limits).
func (w *world) inGroup(kind, id, g string) {
	w.withStore(func(db *store) {
		gid := g
		switch kind {
		case "user":
			db.users[id].GroupID = &gid
		case "license":
			db.licenses[id].GroupID = &gid
		case "machine":
			db.machines[id].GroupID = &gid
		}
	})
}

// ownGroup makes the users owners of the group.
func (w *world) ownGroup(g string, users ...string) {
	w.t.Helper()
	r := w.do(req{method: "POST", path: "/groups/" + g + "/owners", body: ownersBody(users...)})
	require.Equal(w.t, 200, r.status, string(r.body))
}

// users makes n role-user users and returns their ids.
func (w *world) users(n int) []string {
	var out []string
	for range n {
		out = append(out, w.createUser(newUUID()+"@example.com"))
	}
	return out
}

func (w *world) groupCount() int {
	n := 0
	w.withStore(func(db *store) { n = len(db.lic.groups) })
	return n
}

func groupCount(n int) func(t *testing.T, w *world, r *reply) {
	return func(t *testing.T, w *world, _ *reply) { assert.Equal(t, n, w.groupCount()) }
}

func postGroup(typ, auth string, attrs map[string]any) req {
	return req{method: "POST", path: "/groups", auth: auth, body: doc(typ, attrs, nil)}
}

func patchGroup(id, auth string, attrs map[string]any) req {
	return req{method: "PATCH", path: "/groups/" + id, auth: auth, body: doc("groups", attrs, nil)}
}

func TestGroupFeaturesCreate(t *testing.T) {
	t.Parallel()
	const f = "groups/create.feature: "
	named := func(n string) map[string]any { return map[string]any{"name": n} }
	runEach(t, func(t *testing.T) *world { return newLicensingWorld(t, nil) }, []apiCase{
		{name: f + "Admin creates a group for their account", status: 201,
			attrs: map[string]any{"name": "Test Group", "maxUsers": float64(10), "maxLicenses": float64(10), "maxMachines": float64(10), "metadata": map[string]any{"foo": "bar"}},
			setup: func(w *world) req {
				return postGroup("groups", "", map[string]any{"name": "Test Group", "maxUsers": 10, "maxLicenses": 10, "maxMachines": 10, "metadata": map[string]any{"foo": "bar"}})
			}},
		{name: f + "Admin attempts to create a minimal group for their account", status: 201, check: groupCount(1),
			setup: func(w *world) req { return postGroup("group", "", named("ACME")) }},
		{name: f + "Admin attempts to create an incomplete group for their account", status: 400, check: groupCount(0),
			setup: func(w *world) req { return postGroup("group", "", map[string]any{"metadata": map[string]any{}}) }},
		{name: f + "Admin attempts to create a group for another account", status: 401,
			setup: func(w *world) req { return postGroup("groups", w.otherAcct, named("Space X")) }},
		{name: f + "Developer creates a group for their account", status: 201,
			setup: func(w *world) req { return postGroup("groups", w.devAuth, named("Some Group")) }},
		{name: f + "Sales attempts to create a group for their account", status: 403,
			setup: func(w *world) req { return postGroup("groups", w.salesAuth, named("Sales Group")) }},
		{name: f + "Support attempts to create a group for their account", status: 403,
			setup: func(w *world) req { return postGroup("groups", w.supportAuth, named("Support Group")) }},
		{name: f + "Read-only attempts to create a group for their account", status: 403,
			setup: func(w *world) req { return postGroup("groups", w.roAuth, named("Support Group")) }},
		{name: f + "Product attempts to create a group for their account", status: 201,
			setup: func(w *world) req { return postGroup("group", w.prodAuth, named("Product Group")) }},
		{name: f + "User attempts to create a group for their account", status: 403, check: groupCount(0),
			setup: func(w *world) req { return postGroup("group", w.ownerAuth, named("Product Group")) }},
		{name: f + "License attempts to create a group for their account", status: 403, check: groupCount(0),
			setup: func(w *world) req {
				return postGroup("group", w.licenseAuth(w.licenseOf(w.pol, false, false, nil), nil), named("License Group"))
			}},
		{name: f + "Anonymous attempts to create a group for their account", status: 401,
			setup: func(w *world) req { return postGroup("group", "-", named("Anon Group")) }},
		// Group validates only its name and metadata (app/models/group.rb): its limits take
		// any integer.
		{name: f + "(app/models/group.rb) Admin creates a group with zero and negative limits", status: 201,
			attrs: map[string]any{"maxUsers": float64(0), "maxLicenses": float64(-1), "maxMachines": float64(0)},
			setup: func(w *world) req {
				return postGroup("groups", "", map[string]any{"name": "G", "maxUsers": 0, "maxLicenses": -1, "maxMachines": 0})
			}},
	})
}

func TestGroupFeaturesUpdate(t *testing.T) {
	t.Parallel()
	const f = "groups/update.feature: "
	named := func(n string) map[string]any { return map[string]any{"name": n} }
	runEach(t, func(t *testing.T) *world { return newLicensingWorld(t, nil) }, []apiCase{
		{name: f + "Admin updates a group for their account",
			attrs: map[string]any{"maxMachines": float64(100), "metadata": map[string]any{"namespace": "Keygen"}},
			setup: func(w *world) req {
				return patchGroup(w.group(nil), "", map[string]any{"maxMachines": 100, "metadata": map[string]any{"namespace": "Keygen"}})
			}},
		{name: f + "Admin removes limits from a group", attrs: map[string]any{"maxMachines": nil},
			setup: func(w *world) req {
				return patchGroup(w.group(map[string]any{"maxMachines": 1}), "", map[string]any{"maxMachines": nil})
			}},
		{name: f + "Admin attempts to update a group for another account", status: 401,
			setup: func(w *world) req { return patchGroup(w.group(nil), w.otherAcct, named("Updated Group")) }},
		{name: f + "Developer updates a group for their account", attrs: map[string]any{"name": "Updated Group"},
			setup: func(w *world) req { return patchGroup(w.group(nil), w.devAuth, named("Updated Group")) }},
		{name: f + "Sales updates a group for their account", status: 403,
			setup: func(w *world) req {
				r := patchGroup(w.group(nil), w.salesAuth, named("Sales Group"))
				r.body.(map[string]any)["data"].(map[string]any)["type"] = "group"
				return r
			}},
		{name: f + "Support updates a group for their account", status: 403,
			setup: func(w *world) req { return patchGroup(w.group(nil), w.supportAuth, named("Support Group")) }},
		{name: f + "Read-only updates a group for their account", status: 403,
			setup: func(w *world) req { return patchGroup(w.group(nil), w.roAuth, named("Support Group")) }},
		{name: f + "Product attempts to update a group", attrs: map[string]any{"name": "Product Group"},
			setup: func(w *world) req { g := w.groups(2); return patchGroup(g[0], w.prodAuth, named("Product Group")) }},
		{name: f + "User attempts to update a group", status: 403,
			setup: func(w *world) req { g := w.groups(2); return patchGroup(g[0], w.ownerAuth, named("User Group")) }},
		{name: f + "License attempts to update a group", status: 403,
			setup: func(w *world) req {
				g := w.groups(2)
				return patchGroup(g[0], w.licenseAuth(w.licenseOf(w.pol, false, false, nil), nil), named("License Group"))
			}},
		{name: f + "Anonymous attempts to update a group", status: 401,
			setup: func(w *world) req { g := w.groups(2); return patchGroup(g[0], "-", named("Anonymous Group")) }},
		// GroupsController#update authorizes before it reads its typed params
		// (app/controllers/api/v1/groups_controller.rb): a bearer that may not update a group
		// is refused whatever its body holds.
		{name: f + "(app/controllers/api/v1/groups_controller.rb) Sales updates a group with an unpermitted attribute", status: 403,
			setup: func(w *world) req { return patchGroup(w.group(nil), w.salesAuth, map[string]any{"nope": 1}) }},
	})
}

func TestGroupFeaturesDestroy(t *testing.T) {
	t.Parallel()
	const f = "groups/destroy.feature: "
	del := func(id, auth string) req { return req{method: "DELETE", path: "/groups/" + id, auth: auth} }
	third := func(auth func(w *world) string) func(w *world) req {
		return func(w *world) req { a := auth(w); return del(w.groups(3)[2], a) }
	}
	// nullified checks that the members of a deleted group are kept and left group-less.
	nullified := func(path string, n int) func(t *testing.T, w *world, r *reply) {
		return func(t *testing.T, w *world, r *reply) {
			l := w.get(path + "?limit=100").list()
			require.Len(t, l, n)
			for _, it := range l {
				assert.Nil(t, it.(map[string]any)["relationships"].(map[string]any)["group"].(map[string]any)["data"])
			}
		}
	}
	runEach(t, func(t *testing.T) *world { return newLicensingWorld(t, nil) }, []apiCase{
		{name: f + "Admin deletes a group", status: 204, check: groupCount(2), setup: third(func(w *world) string { return "" })},
		{name: f + "Admin deletes a group (should nullify user groups)", status: 204,
			check: both(groupCount(2), func(t *testing.T, w *world, r *reply) {
				n := 0
				w.withStore(func(db *store) {
					for _, u := range db.users {
						if u.Role == "user" && u.Email != "owner@example.com" && u.Email != "license-user@example.com" && u.Email != "other@example.com" {
							n++
							assert.Nil(t, u.GroupID)
						}
					}
				})
				assert.Equal(t, 4, n)
			}),
			setup: func(w *world) req {
				g := w.groups(3)
				for _, u := range w.users(4) {
					w.inGroup("user", u, g[1])
				}
				return del(g[1], "")
			}},
		{name: f + "Admin deletes a group (should nullify license groups)", status: 204,
			check: both(groupCount(2), nullified("/licenses", 4)),
			setup: func(w *world) req {
				g := w.groups(3)
				for range 4 {
					w.inGroup("license", w.licenseOf(w.pol, false, false, nil), g[2])
				}
				return del(g[2], "")
			}},
		{name: f + "Admin deletes a group (should nullify machine groups)", status: 204,
			check: both(groupCount(2), nullified("/machines", 4)),
			setup: func(w *world) req {
				g := w.groups(3)
				for i := range 4 {
					w.inGroup("machine", w.createMachine(w.licenseOf(w.pol, false, false, nil), fmt.Sprint("m", i), nil), g[0])
				}
				return del(g[0], "")
			}},
		{name: f + "Admin attempts to delete a group for another account", status: 401, check: both(groupCount(3), errCount(1)),
			setup: func(w *world) req { return del(w.groups(3)[1], w.otherAcct) }},
		{name: f + "Developer deletes a group", status: 204, check: groupCount(2), setup: third(func(w *world) string { return w.devAuth })},
		{name: f + "Sales attempts to delete a group", status: 403, check: groupCount(3), setup: third(func(w *world) string { return w.salesAuth })},
		{name: f + "Support attempts to delete a group", status: 403, check: groupCount(3), setup: third(func(w *world) string { return w.supportAuth })},
		{name: f + "Read-only attempts to delete a group", status: 403, check: groupCount(3), setup: third(func(w *world) string { return w.roAuth })},
		{name: f + "Product attempts to delete a group", status: 204, check: groupCount(1),
			setup: func(w *world) req { return del(w.groups(2)[0], w.prodAuth) }},
		{name: f + "User attempts to delete a group", status: 403, check: groupCount(2),
			setup: func(w *world) req { return del(w.groups(2)[0], w.ownerAuth) }},
		{name: f + "License attempts to delete a group", status: 403, check: groupCount(2),
			setup: func(w *world) req {
				g := w.groups(2)
				return del(g[0], w.licenseAuth(w.licenseOf(w.pol, false, false, nil), nil))
			}},
		{name: f + "Anonymous attempts to delete a group", status: 401, check: groupCount(2),
			setup: func(w *world) req { return del(w.groups(2)[0], "-") }},
	})
}

func TestGroupFeaturesShow(t *testing.T) {
	t.Parallel()
	const f = "groups/show.feature: "
	first := func(auth func(w *world) string) func(w *world) req {
		return func(w *world) req { a := auth(w); return getAs("/groups/"+w.groups(3)[0], a) }
	}
	ok := isType("groups")
	runEach(t, func(t *testing.T) *world { return newLicensingWorld(t, nil) }, []apiCase{
		{name: f + "Admin retrieves a group for their account", check: ok, setup: first(func(w *world) string { return "" })},
		{name: f + "Developer retrieves a group for their account", check: ok, setup: first(func(w *world) string { return w.devAuth })},
		{name: f + "Sales retrieves a group for their account", check: ok, setup: first(func(w *world) string { return w.salesAuth })},
		{name: f + "Support retrieves a group for their account", check: ok, setup: first(func(w *world) string { return w.supportAuth })},
		{name: f + "Read-only retrieves a group for their account", check: ok, setup: first(func(w *world) string { return w.roAuth })},
		{name: f + "Admin retrieves an invalid group for their account", status: 404, title: "Not found", code: "NOT_FOUND",
			detail: "The requested group 'invalid' was not found", setup: func(w *world) req { return getAs("/groups/invalid", "") }},
		{name: f + "Admin attempts to retrieve a group for another account", status: 401, check: errCount(1),
			setup: first(func(w *world) string { return w.otherAcct })},
		{name: f + "Product retrieves a group", check: ok, setup: first(func(w *world) string { return w.prodAuth })},
		{name: f + "User retrieves a group (not a member)", status: 403, setup: first(func(w *world) string { return w.ownerAuth })},
		{name: f + "User retrieves a group (a member)", check: ok,
			setup: func(w *world) req {
				g := w.groups(3)
				w.inGroup("user", w.owner, g[0])
				return getAs("/groups/"+g[0], w.ownerAuth)
			}},
		{name: f + "User retrieves a group (an owner)", check: ok,
			setup: func(w *world) req {
				g := w.groups(3)
				w.ownGroup(g[0], w.owner)
				return getAs("/groups/"+g[0], w.ownerAuth)
			}},
		{name: f + "License retrieves a group (not a member)", status: 403,
			setup: func(w *world) req {
				g := w.groups(3)
				return getAs("/groups/"+g[0], w.licenseAuth(w.licenseOf(w.pol, false, false, nil), nil))
			}},
		{name: f + "License retrieves a group (a member)", check: ok,
			setup: func(w *world) req {
				g := w.groups(3)
				lic := w.licenseOf(w.pol, false, false, nil)
				w.inGroup("license", lic, g[0])
				return getAs("/groups/"+g[0], w.licenseAuth(lic, nil))
			}},
		{name: f + "Anonymous retrieves a group", status: 401, setup: first(func(w *world) string { return "-" })},
	})
}

func TestGroupFeaturesIndex(t *testing.T) {
	t.Parallel()
	const f = "groups/index.feature: "
	list := func(q, auth string) req { return getAs("/groups"+q, auth) }
	n := func(count int, auth func(w *world) string) func(w *world) req {
		return func(w *world) req { a := auth(w); w.groups(count); return list("", a) }
	}
	base := func(w *world) string { return "/v1/accounts/" + w.srv.AccountID + "/groups" }
	bad := func(name, q string) apiCase {
		return apiCase{name: f + name, status: 400, setup: func(w *world) req { w.groups(20); return list(q, "") }}
	}
	newest := func(w *world) []string { return listedIDs(w.get("/groups?limit=100")) }
	runEach(t, func(t *testing.T) *world { return newLicensingWorld(t, nil) }, []apiCase{
		{name: f + "Admin retrieves all groups for their account", check: listLen(3), setup: n(3, func(w *world) string { return "" })},
		{name: f + "Developer retrieves all groups for their account", check: listLen(2), setup: n(2, func(w *world) string { return w.devAuth })},
		{name: f + "Sales retrieves all groups for their account", check: listLen(2), setup: n(2, func(w *world) string { return w.salesAuth })},
		{name: f + "Support retrieves all groups for their account", check: listLen(5), setup: n(5, func(w *world) string { return w.supportAuth })},
		{name: f + "Read-only retrieves all groups for their account", check: listLen(5), setup: n(5, func(w *world) string { return w.roAuth })},
		{name: f + "Admin retrieves an offset-paginated list of groups",
			setup: func(w *world) req { w.groups(20); return list("?page[number]=1&page[size]=5", "") },
			check: both(listLen(5), func(t *testing.T, w *world, r *reply) {
				l := func(n int) string { return fmt.Sprintf("%s?page[number]=%d&page[size]=5", base(w), n) }
				wantLinks(map[string]any{"self": l(1), "prev": nil, "next": l(2), "first": l(1), "last": l(4),
					"meta": map[string]any{"pages": float64(4), "count": float64(20)}})(t, w, r)
			})},
		bad("Admin retrieves an offset-paginated list of groups with a page size that is too high", "?page[number]=1&page[size]=250"),
		bad("Admin retrieves an offset-paginated list of groups with a page size that is too low", "?page[number]=1&page[size]=-10"),
		bad("Admin retrieves an offset-paginated list of groups with an invalid page number", "?page[number]=-1&page[size]=10"),
		bad("Admin retrieves all groups with a limit that is too high", "?limit=900"),
		bad("Admin retrieves all groups with a limit that is too low", "?limit=-10"),
		{name: f + "Admin retrieves a keyset-paginated list of groups (first page)",
			setup: func(w *world) req { w.groups(19); return list("?page[size]=5&page[cursor]=", "") },
			check: both(listLen(5), func(t *testing.T, w *world, r *reply) {
				wantLinks(map[string]any{"self": base(w) + "?page[cursor]=&page[size]=5", "next": base(w) + "?page[cursor]=" + newest(w)[4] + "&page[size]=5"})(t, w, r)
			})},
		{name: f + "Admin retrieves a keyset-paginated list of groups (next page)",
			setup: func(w *world) req { w.groups(19); return list("?page[size]=5&page[cursor]="+newest(w)[4], "") },
			check: both(listLen(5), func(t *testing.T, w *world, r *reply) {
				all := newest(w)
				assert.Equal(t, all[5:10], listedIDs(r))
				wantLinks(map[string]any{"self": base(w) + "?page[cursor]=" + all[4] + "&page[size]=5", "next": base(w) + "?page[cursor]=" + all[9] + "&page[size]=5"})(t, w, r)
			})},
		{name: f + "Admin retrieves a keyset-paginated list of groups (last page)",
			setup: func(w *world) req { w.groups(19); return list("?page[size]=5&page[cursor]="+newest(w)[14], "") },
			check: both(listLen(4), func(t *testing.T, w *world, r *reply) {
				wantLinks(map[string]any{"self": base(w) + "?page[cursor]=" + newest(w)[14] + "&page[size]=5", "next": nil})(t, w, r)
			})},
		{name: f + "Admin retrieves all groups without a limit for their account", check: listLen(10), setup: n(20, func(w *world) string { return "" })},
		{name: f + "Admin retrieves all groups with a low limit for their account", check: listLen(5),
			setup: func(w *world) req { w.groups(10); return list("?limit=5", "") }},
		{name: f + "Admin retrieves all groups with a high limit for their account", check: listLen(20),
			setup: func(w *world) req { w.groups(20); return list("?limit=20", "") }},
		{name: f + "Admin attempts to retrieve all groups for another account", status: 401, check: errCount(1),
			setup: func(w *world) req { return list("", w.otherAcct) }},
		{name: f + "Product attempts to retrieve all groups for their account", check: listLen(3), setup: n(3, func(w *world) string { return w.prodAuth })},
		{name: f + "User attempts to retrieve all their groups (group owner and member)", check: listLen(2),
			setup: func(w *world) req {
				g := w.groups(3)
				w.inGroup("user", w.owner, g[0])
				w.ownGroup(g[1], w.owner)
				w.ownGroup(g[2], w.createUser("o2@example.com"))
				return list("", w.ownerAuth)
			}},
		{name: f + "User attempts to retrieve all their groups (group member)", check: listLen(1),
			setup: func(w *world) req { g := w.groups(3); w.inGroup("user", w.owner, g[0]); return list("", w.ownerAuth) }},
		{name: f + "User attempts to retrieve all their groups (no groups)", check: listLen(0), setup: n(3, func(w *world) string { return w.ownerAuth })},
		{name: f + "License attempts to retrieve all their groups (group member)", check: listLen(1),
			setup: func(w *world) req {
				g := w.groups(3)
				lic := w.licenseOf(w.pol, false, false, nil)
				w.inGroup("license", lic, g[0])
				return list("", w.licenseAuth(lic, nil))
			}},
		{name: f + "License attempts to retrieve all their groups (no groups)", check: listLen(0),
			setup: func(w *world) req {
				w.groups(3)
				return list("", w.licenseAuth(w.licenseOf(w.pol, false, false, nil), nil))
			}},
		{name: f + "Anonymous attempts to retrieve all groups for their account", status: 401, check: errCount(1),
			setup: n(3, func(w *world) string { return "-" })},
	})
}

func TestGroupFeaturesMembers(t *testing.T) {
	t.Parallel()
	const missing = "770e6d1e-e102-4492-bafa-0dd3c886fe93"
	// membersOf: 7 members of the kind, the 1st, 3rd and 4th in g0 and the 2nd in g1 (as
	// the features set them, with n made by mk). It returns the groups and the members.
	var cases []apiCase
	for _, kind := range []string{"user", "license", "machine"} {
		f := "groups/relationships/" + plural(kind) + ".feature: "
		path := func(g string) string { return "/groups/" + g + "/" + plural(kind) }
		// mk makes one member of the kind; of makes it belong to the product (prod) when
		// associated.
		mk := func(w *world, i int, associated bool) string {
			pol := w.pol2
			if associated {
				pol = w.pol
			}
			switch kind {
			case "user":
				u := w.createUser(fmt.Sprintf("m%d@example.com", i))
				if associated {
					lic := w.licenseOf(pol, false, false, nil)
					w.mutLicense(lic, func(l *license) { l.OwnerID = &u })
				}
				return u
			case "license":
				return w.licenseOf(pol, false, false, nil)
			}
			return w.createMachine(w.licenseOf(pol, false, false, nil), fmt.Sprint("m", i), nil)
		}
		// members makes 7 members; in g0: #1, #3, #4 (#2 in g1); associated says which
		// are of the product's.
		members := func(w *world, g []string, associated func(i int) bool) []string {
			var out []string
			for i := range 7 {
				out = append(out, mk(w, i, associated(i)))
			}
			w.inGroup(kind, out[0], g[0])
			w.inGroup(kind, out[1], g[1])
			w.inGroup(kind, out[2], g[0])
			w.inGroup(kind, out[3], g[0])
			return out
		}
		none := func(int) bool { return false }
		all := func(int) bool { return true }
		cases = append(cases,
			apiCase{name: f + "Admin retrieves all " + plural(kind) + " for a group", check: listLen(3),
				setup: func(w *world) req { g := w.groups(2); members(w, g, none); return getAs(path(g[0]), "") }},
			apiCase{name: f + "Admin retrieves all " + plural(kind) + " for a group that doesn't exist", status: 404,
				setup: func(w *world) req { w.groups(2); return getAs(path(missing), "") }},
			// Groups::{User,License,Machine}Policy scope a product to its own users, licenses
			// and machines (for_product) (app/policies/groups/*_policy.rb).
			apiCase{name: f + "Product retrieves all " + plural(kind) + " for a group (not associated)", check: listLen(0),
				setup: func(w *world) req { g := w.groups(2); members(w, g, none); return getAs(path(g[0]), w.prodAuth) }},
			apiCase{name: f + "Product retrieves all " + plural(kind) + " for a group (associated)",
				setup: func(w *world) req {
					g := w.groups(2)
					assoc := all
					if kind == "user" { // users 2..4 hold a license of the product
						assoc = func(i int) bool { return i >= 1 && i <= 3 }
					}
					members(w, g, assoc)
					return getAs(path(g[0]), w.prodAuth)
				},
				check: listLen(map[string]int{"user": 2, "license": 3, "machine": 3}[kind])},
			apiCase{name: f + "User retrieves all " + plural(kind) + " for their group (is owner)",
				setup: func(w *world) req {
					g := w.groups(2)
					w.ownGroup(g[0], w.owner)
					m := members(w, g, none)
					if kind == "user" { // the owner is the first user; others: 3rd, 5th in g0
						w.inGroup("user", m[0], g[1])
						w.inGroup("user", m[4], g[0])
						w.inGroup("user", m[3], g[1])
					}
					if kind != "user" { // the feature's fourth license or machine is in g1
						w.inGroup(kind, m[3], g[1])
					}
					return getAs(path(g[0]), w.ownerAuth)
				},
				check: listLen(map[string]int{"user": 2, "license": 2, "machine": 2}[kind])},
		)
		if kind == "license" {
			// The bearer user holding the licenses is in no group.
			cases = append(cases, apiCase{name: f + "User retrieves all licenses for their group (is member)", status: 403,
				setup: func(w *world) req {
					g := w.groups(2)
					w.inGroup("user", w.owner, g[0])
					m := members(w, g, none)
					w.mutLicense(m[0], func(l *license) { l.OwnerID = &w.owner })
					return getAs(path(g[0]), w.ownerAuth)
				}},
				apiCase{name: f + "User retrieves all licenses for a group", status: 404,
					setup: func(w *world) req {
						g := w.groups(2)
						m := members(w, g, none)
						for _, id := range m {
							w.mutLicense(id, func(l *license) { l.OwnerID = &w.owner })
						}
						return getAs(path(g[0]), w.ownerAuth)
					}},
				apiCase{name: f + "License retrieves all licenses for their group", status: 403,
					setup: func(w *world) req {
						g := w.groups(2)
						m := members(w, g, none)
						return getAs(path(g[0]), w.licenseAuth(m[0], nil))
					}},
				apiCase{name: f + "License retrieves all licenses for a group", status: 404,
					setup: func(w *world) req {
						g := w.groups(2)
						m := members(w, g, none)
						return getAs(path(g[1]), w.licenseAuth(m[0], nil))
					}},
				apiCase{name: f + "Anonymous retrieves all licenses for a group", status: 401,
					setup: func(w *world) req { g := w.groups(2); members(w, g, none); return getAs(path(g[0]), "-") }},
			)
		}
		if kind == "user" {
			// Groups::UserPolicy#index? lets through a user owning any group, and its scope
			// (for_group_owner) keeps only the members of the groups it owns
			// (app/policies/groups/user_policy.rb): a member of this group that owns another
			// one lists nothing.
			cases = append(cases, apiCase{name: f + "(app/policies/groups/user_policy.rb) User retrieves all users for their group (is member, owns another group)",
				check: listLen(0),
				setup: func(w *world) req {
					g := w.groups(2)
					w.inGroup("user", w.owner, g[0])
					w.ownGroup(g[1], w.owner)
					members(w, g, none)
					return getAs(path(g[0]), w.ownerAuth)
				}})
			cases = append(cases, apiCase{name: f + "User retrieves all users for a group (is not member)", status: 404,
				setup: func(w *world) req {
					g := w.groups(2)
					w.inGroup("user", w.owner, g[0])
					members(w, g, none)
					return getAs(path(g[1]), w.ownerAuth)
				}},
				apiCase{name: f + "User retrieves all users for their group (is member)", status: 403,
					setup: func(w *world) req {
						g := w.groups(2)
						w.inGroup("user", w.owner, g[1])
						members(w, g, none)
						return getAs(path(g[1]), w.ownerAuth)
					}},
				apiCase{name: f + "License retrieves all users for a group", status: 404,
					setup: func(w *world) req {
						g := w.groups(2)
						members(w, g, none)
						return getAs(path(g[0]), w.licenseAuth(w.licenseOf(w.pol, false, false, nil), nil))
					}},
				apiCase{name: f + "License retrieves all users for their group", status: 403,
					setup: func(w *world) req {
						g := w.groups(2)
						members(w, g, none)
						lic := w.licenseOf(w.pol, false, false, nil)
						w.inGroup("license", lic, g[0])
						return getAs(path(g[0]), w.licenseAuth(lic, nil))
					}},
				apiCase{name: f + "Anonymous retrieves all users for a group", status: 401,
					setup: func(w *world) req { g := w.groups(2); members(w, g, none); return getAs(path(g[0]), "-") }},
			)
		}
		if kind == "machine" {
			cases = append(cases, apiCase{name: f + "User retrieves all machines for their group (is member)", status: 403,
				setup: func(w *world) req {
					g := w.groups(2)
					w.inGroup("user", w.owner, g[0])
					m := members(w, g, none)
					w.inGroup("machine", m[3], g[1])
					return getAs(path(g[0]), w.ownerAuth)
				}},
				apiCase{name: f + "License retrieves all machines for their group", status: 403,
					setup: func(w *world) req {
						g := w.groups(2)
						lic := w.licenseOf(w.pol, false, false, nil)
						w.inGroup("license", lic, g[1])
						members(w, g, none)
						return getAs(path(g[1]), w.licenseAuth(lic, nil))
					}},
			)
			cases = append(cases, apiCase{name: f + "User retrieves all machines for a group", status: 404,
				setup: func(w *world) req { g := w.groups(2); members(w, g, none); return getAs(path(g[0]), w.ownerAuth) }},
				apiCase{name: f + "License retrieves all machines for a group", status: 404,
					setup: func(w *world) req {
						g := w.groups(2)
						members(w, g, none)
						return getAs(path(g[0]), w.licenseAuth(w.licenseOf(w.pol, false, false, nil), nil))
					}},
				apiCase{name: f + "Anonymous retrieves all machines for a group", status: 401,
					setup: func(w *world) req { g := w.groups(2); members(w, g, none); return getAs(path(g[0]), "-") }},
			)
		}
	}
	runEach(t, func(t *testing.T) *world { return newLicensingWorld(t, nil) }, cases)
}

func TestGroupFeaturesOwners(t *testing.T) {
	t.Parallel()
	const f = "groups/relationships/owners.feature: "
	owners := func(g string) string { return "/groups/" + g + "/owners" }
	// ownedBy3 is a group with 3 owners (new users); it returns the group and the owner
	// records' ids in creation order.
	ownedBy3 := func(w *world) (string, []string) {
		g := w.group(nil)
		w.ownGroup(g, w.users(3)...)
		var ids []string
		w.withStore(func(db *store) {
			for _, o := range db.groupOwners(g) {
				ids = append([]string{o.ID}, ids...)
			}
		})
		return g, ids
	}
	attach := func(g, auth string, users ...string) req {
		return req{method: "POST", path: owners(g), auth: auth, body: ownersBody(users...)}
	}
	detach := func(g, auth string, users ...string) req {
		return req{method: "DELETE", path: owners(g), auth: auth, body: ownersBody(users...)}
	}
	ownerCount := func(n int) func(t *testing.T, w *world, r *reply) {
		return func(t *testing.T, w *world, _ *reply) {
			w.withStore(func(db *store) { assert.Len(t, db.lic.groupOwners, n) })
		}
	}
	isOwner := isType("group-owners")
	runEach(t, func(t *testing.T) *world { return newLicensingWorld(t, nil) }, []apiCase{
		{name: f + "Admin retrieves the owners of a group", check: listLen(3),
			setup: func(w *world) req { g, _ := ownedBy3(w); return getAs(owners(g), "") }},
		{name: f + "Product retrieves the owners of a group", check: listLen(3),
			setup: func(w *world) req { g, _ := ownedBy3(w); return getAs(owners(g), w.prodAuth) }},
		// GroupOwnerSerializer links the record to itself, by the group-owner's id
		// (app/serializers/group_owner_serializer.rb).
		{name: f + "Admin retrieves an owner of a group",
			setup: func(w *world) req { g, o := ownedBy3(w); return getAs(owners(g)+"/"+o[0], "") },
			check: both(isOwner, func(t *testing.T, w *world, r *reply) {
				g := relData(r, "group")["id"].(string)
				assert.Equal(t, map[string]any{"self": "/v1/accounts/" + w.srv.AccountID + "/groups/" + g + "/owners/" + r.id()}, r.data()["links"])
			})},
		{name: f + "Product retrieves an owner of a group", check: isOwner,
			setup: func(w *world) req { g, o := ownedBy3(w); return getAs(owners(g)+"/"+o[0], w.prodAuth) }},
		{name: f + "User attempts to retrieve the owners of a group (is owner)", check: listLen(4),
			setup: func(w *world) req { g, _ := ownedBy3(w); w.ownGroup(g, w.owner); return getAs(owners(g), w.ownerAuth) }},
		{name: f + "User attempts to retrieve the owners of a group (is not member)", status: 404,
			setup: func(w *world) req { g, _ := ownedBy3(w); return getAs(owners(g), w.ownerAuth) }},
		{name: f + "User attempts to retrieve the owners of a group (is member)", check: listLen(3),
			setup: func(w *world) req {
				g, _ := ownedBy3(w)
				w.inGroup("user", w.owner, g)
				return getAs(owners(g), w.ownerAuth)
			}},
		{name: f + "License attempts to retrieve the owners of a group (is not member)", status: 404,
			setup: func(w *world) req {
				g, _ := ownedBy3(w)
				return getAs(owners(g), w.licenseAuth(w.licenseOf(w.pol, false, false, nil), nil))
			}},
		{name: f + "License attempts to retrieve the owners of a group (is member)", check: listLen(3),
			setup: func(w *world) req {
				g, _ := ownedBy3(w)
				lic := w.licenseOf(w.pol, false, false, nil)
				w.inGroup("license", lic, g)
				return getAs(owners(g), w.licenseAuth(lic, nil))
			}},
		{name: f + "Admin attempts to retrieve the owners of a group of another account", status: 401,
			setup: func(w *world) req { g, _ := ownedBy3(w); return getAs(owners(g), w.otherAcct) }},
		{name: f + "License attempts to retrieve an owner of a group (is not member)", status: 404,
			setup: func(w *world) req {
				g, o := ownedBy3(w)
				return getAs(owners(g)+"/"+o[0], w.licenseAuth(w.licenseOf(w.pol, false, false, nil), nil))
			}},
		{name: f + "License attempts to retrieve an owner of a group (is member)", check: isOwner,
			setup: func(w *world) req {
				g, o := ownedBy3(w)
				lic := w.licenseOf(w.pol, false, false, nil)
				w.inGroup("license", lic, g)
				return getAs(owners(g)+"/"+o[0], w.licenseAuth(lic, nil))
			}},
		{name: f + "User attempts to retrieve an owner of a group (is owner)", check: isOwner,
			setup: func(w *world) req {
				g := w.group(nil)
				w.ownGroup(g, w.owner)
				w.ownGroup(g, w.users(3)...)
				var first string
				w.withStore(func(db *store) {
					for _, o := range db.groupOwners(g) {
						if o.UserID == w.owner {
							first = o.ID
						}
					}
				})
				return getAs(owners(g)+"/"+first, w.ownerAuth)
			}},
		{name: f + "User attempts to retrieve an owner of a group (is not member)", status: 404,
			setup: func(w *world) req { g, o := ownedBy3(w); return getAs(owners(g)+"/"+o[0], w.ownerAuth) }},
		{name: f + "User attempts to retrieve an owner of a group (is member)", check: isOwner,
			setup: func(w *world) req {
				g, o := ownedBy3(w)
				w.inGroup("user", w.owner, g)
				return getAs(owners(g)+"/"+o[0], w.ownerAuth)
			}},
		// GroupOwnersController#show finds the record among the group's owners by its own id
		// (app/controllers/api/v1/groups/relationships/group_owners_controller.rb), not by
		// the user's.
		{name: f + "(group_owners_controller.rb) Admin retrieves an owner of a group by user ID", status: 404, code: "NOT_FOUND",
			setup: func(w *world) req { g := w.group(nil); w.ownGroup(g, w.owner); return getAs(owners(g)+"/"+w.owner, "") }},
		{name: f + "Admin attaches owners to a group", check: both(listLen(3), ownerCount(3)),
			setup: func(w *world) req { g := w.group(nil); return attach(g, "", w.users(3)...) }},
		{name: f + "Admin attaches owners to a group that already exists", status: 422, title: unprocessed, code: "USER_TAKEN",
			detail: "already exists", source: map[string]any{"pointer": "/data/relationships/user"},
			about: "https://keygen.sh/docs/api/group-owners/#group-owners-object-relationships-user",
			setup: func(w *world) req { g := w.group(nil); w.ownGroup(g, w.owner); return attach(g, "", w.owner) }},
		{name: f + "Admin attempts to attach owners to a group with an invalid owner ID", status: 422, title: unprocessed,
			code: "USER_NOT_FOUND", detail: "must exist", source: map[string]any{"pointer": "/data/relationships/user"},
			// The owners are created one by one without a transaction
			// (app/controllers/api/v1/groups/relationships/group_owners_controller.rb): the
			// first, valid, stays.
			check: ownerCount(1),
			setup: func(w *world) req {
				g := w.group(nil)
				u := w.users(2)
				return attach(g, "", u[0], "d22692b1-0b4b-4cb7-9e3e-449e0fdf9cd8", u[1])
			}},
		{name: f + "Admin attempts to attach an owner to a group for another account", status: 401,
			setup: func(w *world) req { return attach(w.group(nil), w.otherAcct, w.owner) }},
		{name: f + "Product attaches owners to a group", check: listLen(2),
			setup: func(w *world) req { u := w.users(4); return attach(w.group(nil), w.prodAuth, u[0], u[2]) }},
		{name: f + "License attempts to attach owners to a group (is not member)", status: 404,
			setup: func(w *world) req {
				g := w.group(nil)
				return attach(g, w.licenseAuth(w.licenseOf(w.pol, false, false, nil), nil), w.owner)
			}},
		{name: f + "License attempts to attach owners to a group (is member)", status: 403, check: ownerCount(0),
			setup: func(w *world) req {
				g := w.group(nil)
				lic := w.licenseOf(w.pol, false, false, nil)
				w.inGroup("license", lic, g)
				return attach(g, w.licenseAuth(lic, nil), w.owner)
			}},
		{name: f + "User attempts to attach owners to a group (is owner)", status: 403,
			setup: func(w *world) req {
				g := w.group(nil)
				u := w.createUser("u2@example.com")
				w.ownGroup(g, w.owner, u)
				return attach(g, w.ownerAuth, u)
			}},
		{name: f + "User attempts to attach owners to a group (is not member)", status: 404,
			setup: func(w *world) req { return attach(w.group(nil), w.ownerAuth, w.createUser("u2@example.com")) }},
		{name: f + "User attempts to attach owners to a group (is member)", status: 403, check: ownerCount(0),
			setup: func(w *world) req {
				g := w.group(nil)
				w.inGroup("user", w.owner, g)
				return attach(g, w.ownerAuth, w.createUser("u2@example.com"))
			}},
		{name: f + "Admin detaches owners from a group", status: 204, check: ownerCount(1),
			setup: func(w *world) req {
				g := w.group(nil)
				u := w.users(3)
				w.ownGroup(g, u...)
				return detach(g, "", u[0], u[1])
			}},
		{name: f + "Admin attempts to detach owners from a group with an invalid owner ID", status: 422, title: "Unprocessable entity",
			detail: "owner relationship for user '818f1f34-676b-4e0b-ba57-a98d02263212' not found", source: map[string]any{"pointer": "/data/2"},
			check: ownerCount(2),
			setup: func(w *world) req {
				g := w.group(nil)
				u := w.users(3)
				w.ownGroup(g, u[0], u[1])
				return detach(g, "", u[0], u[1], "818f1f34-676b-4e0b-ba57-a98d02263212")
			}},
		// GroupOwnersController#detach compares the owner records found with the ids sent,
		// so a repeated id fails, naming no user (Ruby's nil)
		// (app/controllers/api/v1/groups/relationships/group_owners_controller.rb).
		{name: f + "(group_owners_controller.rb) Admin attempts to detach the same owner twice", status: 422, title: "Unprocessable entity",
			detail: "owner relationship for user '' not found", source: map[string]any{"pointer": "/data/"}, check: ownerCount(1),
			setup: func(w *world) req { g := w.group(nil); w.ownGroup(g, w.owner); return detach(g, "", w.owner, w.owner) }},
		// The owners' data array has no length bounds
		// (app/controllers/api/v1/groups/relationships/group_owners_controller.rb).
		{name: f + "(group_owners_controller.rb) Admin attaches no owners to a group", check: both(ownerCount(0), func(t *testing.T, _ *world, r *reply) { assert.Equal(t, []any{}, r.doc["data"], string(r.body)) }),
			setup: func(w *world) req { return attach(w.group(nil), "") }},
		{name: f + "(group_owners_controller.rb) Admin detaches no owners from a group", status: 204, check: ownerCount(1),
			setup: func(w *world) req { g := w.group(nil); w.ownGroup(g, w.owner); return detach(g, "") }},
		{name: f + "(group_owners_controller.rb) Admin attaches 101 owners to a group", check: both(listLen(101), ownerCount(101)),
			setup: func(w *world) req { return attach(w.group(nil), "", w.users(101)...) }},
		{name: f + "Admin attempts to detach an owner from a group for another account", status: 401,
			setup: func(w *world) req { g := w.group(nil); w.ownGroup(g, w.owner); return detach(g, w.otherAcct, w.owner) }},
		{name: f + "Product detaches owners from a group", status: 204, check: ownerCount(0),
			setup: func(w *world) req {
				g := w.group(nil)
				u := w.users(2)
				w.ownGroup(g, u...)
				return detach(g, w.prodAuth, u...)
			}},
		{name: f + "License attempts to detach owners of a group (is not member)", status: 404,
			setup: func(w *world) req {
				g := w.group(nil)
				w.ownGroup(g, w.owner)
				return detach(g, w.licenseAuth(w.licenseOf(w.pol, false, false, nil), nil), w.owner)
			}},
		// The feature sends a POST (attach) here.
		{name: f + "License attempts to detach owners of a group (is member)", status: 403,
			setup: func(w *world) req {
				g := w.group(nil)
				lic := w.licenseOf(w.pol, false, false, nil)
				w.inGroup("license", lic, g)
				w.ownGroup(g, w.owner)
				return attach(g, w.licenseAuth(lic, nil), w.owner)
			}},
		{name: f + "User attempts to detach owners of a group (is owner)", status: 403,
			setup: func(w *world) req {
				g := w.group(nil)
				u := w.createUser("u2@example.com")
				w.ownGroup(g, w.owner, u)
				return attach(g, w.ownerAuth, u)
			}},
		{name: f + "User attempts to detach owners of a group (is not member)", status: 404,
			setup: func(w *world) req {
				g := w.group(nil)
				u := w.createUser("u2@example.com")
				w.ownGroup(g, u)
				return attach(g, w.ownerAuth, u)
			}},
		{name: f + "User attempts to detach owners of a group (is member)", status: 403,
			setup: func(w *world) req {
				g := w.group(nil)
				u := w.createUser("u2@example.com")
				w.inGroup("user", w.owner, g)
				w.ownGroup(g, u)
				return attach(g, w.ownerAuth, u)
			}},
	})
}

// The member routes GET /groups/{id}/users|licenses|machines/{member} (no feature scenario):
// the member is found among the group's by id or alias (FindByAliasService with the
// controller's aliases), then Groups::*Policy#show? runs
// (app/controllers/api/v1/groups/relationships/*_controller.rb, app/policies/groups/*_policy.rb).
func TestGroupMemberShow(t *testing.T) {
	t.Parallel()
	const f = "groups/relationships: "
	// fixture: a group with a user (u@example.com), a license (key "group-key-1") of the
	// second product, and a machine ("fp-1") of that license.
	fixture := func(w *world) string {
		g := w.group(nil)
		u := w.createUser("u@example.com")
		lic := w.mustLicense(w.pol2, map[string]any{"key": "group-key-1"}, nil).id()
		m := w.createMachine(lic, "fp-1", nil)
		w.inGroup("user", u, g)
		w.inGroup("license", lic, g)
		w.inGroup("machine", m, g)
		return g
	}
	get := func(kind, alias, auth string) func(w *world) req {
		return func(w *world) req {
			g := fixture(w)
			if auth == "product" {
				auth = w.prodAuth
			}
			return getAs("/groups/"+g+"/"+kind+"/"+alias, auth)
		}
	}
	runEach(t, func(t *testing.T) *world { return newLicensingWorld(t, nil) }, []apiCase{
		{name: f + "(users_controller.rb) Admin retrieves a group's user by email", check: isType("users"), setup: get("users", "u@example.com", "")},
		{name: f + "(licenses_controller.rb) Admin retrieves a group's license by key", check: isType("licenses"), setup: get("licenses", "group-key-1", "")},
		{name: f + "(machines_controller.rb) Admin retrieves a group's machine by fingerprint", check: isType("machines"), setup: get("machines", "fp-1", "")},
		{name: f + "(licenses_controller.rb) Admin retrieves a group's missing license", status: 404, code: "NOT_FOUND",
			detail: "The requested license 'nope' was not found", setup: get("licenses", "nope", "")},
		{name: f + "(user_policy.rb) Product retrieves a group's user", check: isType("users"), setup: get("users", "u@example.com", "product")},
		{name: f + "(license_policy.rb) Product retrieves a group's license of another product", status: 403, setup: get("licenses", "group-key-1", "product")},
		{name: f + "(machine_policy.rb) Product retrieves a group's machine of another product", status: 403, setup: get("machines", "fp-1", "product")},
	})
}
