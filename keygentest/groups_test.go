package keygentest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Groups, after features/api/v1/groups/*.feature, features/api/v1/groups/relationships/*.feature
// and features/api/v1/{licenses,users,machines}/relationships/group.feature.

// group creates a group as the admin and returns its id.
func (w *world) group(attrs map[string]any) string {
	w.t.Helper()
	return w.mustCreate("/groups", "groups", mergeAttrs(map[string]any{"name": "G"}, attrs), nil)
}

func groupLink(id string) map[string]any { return link("groups", id) }

func ownersBody(ids ...string) map[string]any {
	data := []any{}
	for _, id := range ids {
		data = append(data, map[string]any{"type": "user", "id": id})
	}
	return map[string]any{"data": data}
}

func TestGroups(t *testing.T) {
	t.Parallel()
	fresh := func(t *testing.T) *world { return newLicensingWorld(t, nil) }
	runEach(t, fresh, []apiCase{
		{name: "groups/create.feature: Admin creates a group", status: 201,
			attrs: map[string]any{"name": "Test Group", "maxUsers": float64(10), "maxLicenses": float64(10), "maxMachines": float64(10), "metadata": map[string]any{"foo": "bar"}},
			setup: func(w *world) req {
				return req{method: "POST", path: "/groups", body: doc("groups", map[string]any{"name": "Test Group", "maxUsers": 10, "maxLicenses": 10, "maxMachines": 10, "metadata": map[string]any{"foo": "bar"}}, nil)}
			},
			check: func(t *testing.T, w *world, r *reply) {
				for _, rel := range []string{"owners", "users", "licenses", "machines"} {
					assert.Equal(t, map[string]any{"related": "/v1/accounts/" + w.srv.AccountID + "/groups/" + r.id() + "/" + rel}, r.data()["relationships"].(map[string]any)[rel].(map[string]any)["links"])
				}
			}},
		{name: "groups/create.feature: Admin creates a group with only a name", status: 201,
			attrs: map[string]any{"name": "ACME", "maxUsers": nil, "maxLicenses": nil, "maxMachines": nil, "metadata": map[string]any{}},
			setup: func(w *world) req {
				return req{method: "POST", path: "/groups", body: doc("group", map[string]any{"name": "ACME"}, nil)}
			}},
		{name: "groups/create.feature: Sales agent creates a group", status: 403,
			setup: func(w *world) req {
				return req{method: "POST", path: "/groups", auth: w.salesAuth, body: doc("groups", map[string]any{"name": "x"}, nil)}
			}},
		{name: "groups/show.feature: License retrieves its group",
			setup: func(w *world) req {
				g := w.group(nil)
				lic := w.mustLicense(w.pol, nil, map[string]any{"group": groupLink(g)}).id()
				return getAs("/groups/"+g, w.licenseAuth(lic, nil))
			}},
		{name: "groups/show.feature: License retrieves another group", status: 403,
			setup: func(w *world) req {
				w.group(nil)
				other := w.group(nil)
				return getAs("/groups/"+other, w.licenseAuth(w.licenseOf(w.pol, false, false, nil), nil))
			}},
		{name: "groups/update.feature: Admin removes a group's machine limit", attrs: map[string]any{"maxMachines": nil},
			setup: func(w *world) req {
				g := w.group(map[string]any{"maxMachines": 1})
				return req{method: "PATCH", path: "/groups/" + g, body: doc("groups", map[string]any{"maxMachines": nil}, nil)}
			}},
		{name: "groups/destroy.feature: Admin deletes a group (members leave it)", status: 204,
			setup: func(w *world) req {
				g := w.group(nil)
				w.mustLicense(w.pol, nil, map[string]any{"group": groupLink(g)})
				return req{method: "DELETE", path: "/groups/" + g}
			},
			check: func(t *testing.T, w *world, r *reply) {
				l := w.get("/licenses").list()[0].(map[string]any)
				assert.Nil(t, l["relationships"].(map[string]any)["group"].(map[string]any)["data"])
			}},
		{name: "groups/relationships/owners.feature: Admin attaches owners", check: func(t *testing.T, w *world, r *reply) {
			require.Len(t, r.list(), 1)
			o := r.list()[0].(map[string]any)
			assert.Equal(t, "group-owners", o["type"])
			assert.Equal(t, map[string]any{"type": "users", "id": w.owner}, o["relationships"].(map[string]any)["user"].(map[string]any)["data"])
			assert.Len(t, w.get("/groups/"+o["relationships"].(map[string]any)["group"].(map[string]any)["data"].(map[string]any)["id"].(string)+"/owners").list(), 1)
		},
			setup: func(w *world) req {
				return req{method: "POST", path: "/groups/" + w.group(nil) + "/owners", body: ownersBody(w.owner)}
			}},
		{name: "groups/relationships/owners.feature: Admin attaches an existing owner", status: 422, code: "USER_TAKEN",
			detail: "already exists", source: map[string]any{"pointer": "/data/relationships/user"},
			setup: func(w *world) req {
				g := w.group(nil)
				w.do(req{method: "POST", path: "/groups/" + g + "/owners", body: ownersBody(w.owner)})
				return req{method: "POST", path: "/groups/" + g + "/owners", body: ownersBody(w.owner)}
			}},
		{name: "groups/relationships/owners.feature: Admin detaches a non-owner", status: 422, title: "Unprocessable entity",
			source: map[string]any{"pointer": "/data/0"},
			setup: func(w *world) req {
				return req{method: "DELETE", path: "/groups/" + w.group(nil) + "/owners", body: ownersBody(w.owner)}
			}},
		{name: "groups/relationships/owners.feature: User lists the owners of a group it is not in", status: 404,
			setup: func(w *world) req { return getAs("/groups/"+w.group(nil)+"/owners", w.ownerAuth) }},
		{name: "groups/relationships/licenses.feature: Admin lists a group's licenses",
			setup: func(w *world) req {
				g := w.group(nil)
				w.mustLicense(w.pol, nil, map[string]any{"group": groupLink(g)})
				w.mustLicense(w.pol, nil, map[string]any{"group": groupLink(g)})
				w.licenseOf(w.pol, false, false, nil)
				return getAs("/groups/"+g+"/licenses", "")
			},
			check: listLen(2)},
		{name: "groups/relationships/licenses.feature: Group owner lists the group's licenses",
			setup: func(w *world) req {
				g := w.group(nil)
				w.do(req{method: "POST", path: "/groups/" + g + "/owners", body: ownersBody(w.owner)})
				w.mustLicense(w.pol, nil, map[string]any{"group": groupLink(g)})
				return getAs("/groups/"+g+"/licenses", w.ownerAuth)
			},
			check: listLen(1)},
	})
}

func TestGroupsMembership(t *testing.T) {
	t.Parallel()
	fresh := func(t *testing.T) *world { return newLicensingWorld(t, nil) }
	runEach(t, fresh, []apiCase{
		{name: "licenses/relationships/group.feature: Admin changes a license's group",
			setup: func(w *world) req {
				return req{method: "PUT", path: "/licenses/" + w.licenseOf(w.pol, false, false, nil) + "/group", body: groupLink(w.group(nil))}
			},
			check: func(t *testing.T, w *world, r *reply) {
				assert.Equal(t, "licenses", r.data()["type"])
				assert.Equal(t, "groups", relData(r, "group")["type"])
				assert.Equal(t, 200, w.get("/licenses/"+r.id()+"/group").status)
			}},
		{name: "licenses/relationships/group.feature: Admin removes a license's group",
			setup: func(w *world) req {
				lic := w.mustLicense(w.pol, nil, map[string]any{"group": groupLink(w.group(nil))}).id()
				return req{method: "PUT", path: "/licenses/" + lic + "/group", body: map[string]any{"data": nil}}
			},
			check: func(t *testing.T, w *world, r *reply) {
				assert.Nil(t, rel(r, "group")["data"])
				g := w.get("/licenses/" + r.id() + "/group")
				assert.Equal(t, 404, g.status)
				assert.Equal(t, "The requested group was not found", g.detail())
			}},
		{name: "licenses/relationships/group.feature: Admin changes a license's group over its limit", status: 422,
			code: "GROUP_LICENSE_LIMIT_EXCEEDED", detail: "license count has exceeded maximum allowed by current group (1)",
			source: map[string]any{"pointer": "/data/relationships/group"},
			setup: func(w *world) req {
				g := w.group(map[string]any{"maxLicenses": 1})
				w.mustLicense(w.pol, nil, map[string]any{"group": groupLink(g)})
				return req{method: "PUT", path: "/licenses/" + w.licenseOf(w.pol, false, false, nil) + "/group", body: groupLink(g)}
			}},
		{name: "licenses/relationships/group.feature: Admin changes a license's group to a missing group", status: 422,
			code: "GROUP_NOT_FOUND",
			setup: func(w *world) req {
				return req{method: "PUT", path: "/licenses/" + w.licenseOf(w.pol, false, false, nil) + "/group", body: groupLink("818f1f34-676b-4e0b-ba57-a98d02263212")}
			}},
		{name: "licenses/relationships/group.feature: License owner changes its license's group", status: 403,
			setup: func(w *world) req {
				return req{method: "PUT", path: "/licenses/" + w.licenseOf(w.pol, true, false, nil) + "/group", auth: w.ownerAuth, body: groupLink(w.group(nil))}
			}},
		{name: "users/relationships/group.feature: Admin changes a user's group over its limit", status: 422,
			code: "GROUP_USER_LIMIT_EXCEEDED", detail: "user count has exceeded maximum allowed by current group (1)",
			setup: func(w *world) req {
				g := w.group(map[string]any{"maxUsers": 1})
				require.Equal(w.t, 200, w.do(req{method: "PUT", path: "/users/" + w.owner + "/group", body: groupLink(g)}).status)
				u := w.createUser("x@example.com")
				return req{method: "PUT", path: "/users/" + u + "/group", body: groupLink(g)}
			}},
		{name: "machines/create.feature: Admin activates a machine over its license's group limit", status: 422,
			code: "GROUP_MACHINE_LIMIT_EXCEEDED", detail: "machine count has exceeded maximum allowed by current group (1)",
			source: map[string]any{"pointer": "/data/relationships/group"},
			setup: func(w *world) req {
				g := w.group(map[string]any{"maxMachines": 1})
				lic := w.mustLicense(w.pol, nil, map[string]any{"group": groupLink(g)}).id()
				w.createMachine(lic, "m1", nil)
				return req{method: "POST", path: "/machines", body: doc("machines", map[string]any{"fingerprint": "m2"}, map[string]any{"license": link("licenses", lic)})}
			}},
		{name: "licenses/relationships/owner.feature: Product changes a license's owner relationship that would exceed group limits",
			status: 422, code: "GROUP_LICENSE_LIMIT_EXCEEDED", detail: "license count has exceeded maximum allowed by current group (1)",
			source: map[string]any{"pointer": "/data/relationships/group"},
			setup: func(w *world) req {
				g := w.group(map[string]any{"maxLicenses": 1})
				require.Equal(w.t, 200, w.do(req{method: "PUT", path: "/users/" + w.owner + "/group", body: groupLink(g)}).status)
				w.mustLicense(w.pol, nil, map[string]any{"group": groupLink(g)})
				lic := w.licenseOf(w.pol, false, false, nil)
				return req{method: "PUT", path: "/licenses/" + lic + "/owner", auth: w.prodAuth, body: link("users", w.owner)}
			},
			check: func(t *testing.T, w *world, r *reply) {
				assert.Len(t, w.get("/groups/"+w.get("/groups").list()[0].(map[string]any)["id"].(string)+"/licenses").list(), 1)
			}},
		{name: "licenses/create.feature: a license without a group takes its owner's", status: 201,
			setup: func(w *world) req {
				g := w.group(nil)
				require.Equal(w.t, 200, w.do(req{method: "PUT", path: "/users/" + w.owner + "/group", body: groupLink(g)}).status)
				return req{method: "POST", path: "/licenses", body: doc("licenses", nil, map[string]any{"policy": link("policies", w.pol), "owner": link("users", w.owner)})}
			},
			check: func(t *testing.T, w *world, r *reply) { assert.Equal(t, "groups", relData(r, "group")["type"]) }},
		{name: "machines/create.feature: a machine without a group takes its license's", status: 201,
			setup: func(w *world) req {
				g := w.group(nil)
				lic := w.mustLicense(w.pol, nil, map[string]any{"group": groupLink(g)}).id()
				return req{method: "POST", path: "/machines", body: doc("machines", map[string]any{"fingerprint": "m"}, map[string]any{"license": link("licenses", lic)})}
			},
			check: func(t *testing.T, w *world, r *reply) { assert.Equal(t, "groups", relData(r, "group")["type"]) }},
	})
}
