package keygentest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Entitlements, after features/api/v1/entitlements/*.feature,
// features/api/v1/policies/relationships/entitlements.feature,
// features/api/v1/licenses/relationships/entitlements.feature and the entitlements scope of
// features/api/v1/licenses/actions/validations.feature.

// entitlement creates an entitlement as the admin and returns its id.
func (w *world) entitlement(code string) string {
	w.t.Helper()
	return w.mustCreate("/entitlements", "entitlements", map[string]any{"name": code + " name", "code": code}, nil)
}

// attachEntitlements attaches entitlements to a policy or license ("policies"/"licenses").
func (w *world) attachEntitlements(parent, id string, ents ...string) *reply {
	w.t.Helper()
	var data []any
	for _, e := range ents {
		data = append(data, map[string]any{"type": "entitlements", "id": e})
	}
	return w.do(req{method: "POST", path: "/" + parent + "/" + id + "/entitlements", body: map[string]any{"data": data}})
}

func entitlementBody(ents ...string) map[string]any {
	data := []any{}
	for _, e := range ents {
		data = append(data, map[string]any{"type": "entitlement", "id": e})
	}
	return map[string]any{"data": data}
}

func TestEntitlements(t *testing.T) {
	t.Parallel()
	runEach(t, func(t *testing.T) *world { return newLicensingWorld(t, nil) }, []apiCase{
		{name: "entitlements.feature: Admin creates an entitlement for their account", status: 201,
			attrs: map[string]any{"name": "Test Entitlement", "code": "TEST_ENTITLEMENT", "metadata": map[string]any{"foo": "bar"}},
			setup: func(w *world) req {
				return req{method: "POST", path: "/entitlements", body: doc("entitlements", map[string]any{"name": "Test Entitlement", "code": "TEST_ENTITLEMENT", "metadata": map[string]any{"foo": "bar"}}, nil)}
			},
			check: func(t *testing.T, w *world, r *reply) {
				assert.Equal(t, w.srv.URL+"/v1/accounts/"+w.srv.AccountID+"/entitlements/"+r.id(), r.header.Get("Location"))
				assert.Equal(t, "entitlements", r.data()["type"])
			}},
		{name: "entitlements.feature: Admin creates an entitlement missing a code", status: 400, detail: "is missing",
			source: map[string]any{"pointer": "/data/attributes/code"},
			setup: func(w *world) req {
				return req{method: "POST", path: "/entitlements", body: doc("entitlement", map[string]any{"name": "V1 Updates"}, nil)}
			}},
		{name: "entitlements.feature: Admin creates an entitlement with a duplicate code (any case)", status: 422,
			code: "CODE_TAKEN", detail: "has already been taken", source: map[string]any{"pointer": "/data/attributes/code"},
			setup: func(w *world) req {
				w.entitlement("FEATURE")
				return req{method: "POST", path: "/entitlements", body: doc("entitlements", map[string]any{"name": "x", "code": "feature"}, nil)}
			}},
		{name: "entitlements.feature: Admin creates an entitlement with a reserved code", status: 422,
			code: "CODE_NOT_ALLOWED", detail: "is reserved",
			setup: func(w *world) req {
				return req{method: "POST", path: "/entitlements", body: doc("entitlements", map[string]any{"name": "x", "code": "actions"}, nil)}
			}},
		{name: "entitlements.feature: Sales agent attempts to create an entitlement", status: 403,
			setup: func(w *world) req {
				return req{method: "POST", path: "/entitlements", auth: w.salesAuth, body: doc("entitlements", map[string]any{"name": "x", "code": "X"}, nil)}
			},
			check: func(t *testing.T, w *world, r *reply) { assert.Empty(t, w.get("/entitlements").list()) }},
		{name: "entitlements.feature: Admin retrieves an entitlement by code (exact case)",
			setup: func(w *world) req {
				w.entitlement("ALPHA")
				w.entitlement("BRAVO")
				assert.Equal(w.t, 404, w.get("/entitlements/bravo").status)
				return getAs("/entitlements/BRAVO", "")
			},
			check: func(t *testing.T, w *world, r *reply) { assert.Equal(t, "BRAVO", r.attrs()["code"]) }},
		{name: "entitlements.feature: Admin retrieves an invalid entitlement", status: 404, code: "NOT_FOUND",
			detail: "The requested entitlement 'invalid' was not found",
			setup:  func(w *world) req { return getAs("/entitlements/invalid", "") }},
		{name: "entitlements.feature: Admin updates an entitlement with a blank code", status: 400, detail: "cannot be blank",
			source: map[string]any{"pointer": "/data/attributes/code"},
			setup: func(w *world) req {
				id := w.entitlement("EXPL")
				return req{method: "PATCH", path: "/entitlements/" + id, body: doc("entitlements", map[string]any{"code": ""}, nil)}
			}},
		{name: "entitlements.feature: License lists its entitlements (policy's and own)",
			setup: func(w *world) req {
				pe, a, b := w.entitlement("POLICY_FEATURE"), w.entitlement("A"), w.entitlement("B")
				w.entitlement("UNRELATED")
				lic := w.licenseOf(w.pol, false, false, nil)
				require.Equal(w.t, 200, w.attachEntitlements("policies", w.pol, pe).status)
				require.Equal(w.t, 200, w.attachEntitlements("licenses", lic, a, b).status)
				return getAs("/entitlements", w.licenseAuth(lic, nil))
			},
			check: listLen(3)},
		{name: "entitlements.feature: User lists the entitlements of the licenses it owns",
			setup: func(w *world) req {
				p1, l1 := w.entitlement("P1"), w.entitlement("L1")
				w.entitlement("L3")
				lic := w.licenseOf(w.pol, true, false, nil)
				w.attachEntitlements("policies", w.pol, p1)
				w.attachEntitlements("licenses", lic, l1)
				return getAs("/entitlements", w.ownerAuth)
			},
			check: listLen(2)},
		{name: "entitlements.feature: License retrieves an entitlement it does not hold", status: 404,
			setup: func(w *world) req {
				id := w.entitlement("ALPHA")
				return getAs("/entitlements/"+id, w.licenseAuth(w.licenseOf(w.pol, false, false, nil), nil))
			}},
		{name: "entitlements.feature: License deletes an entitlement it holds", status: 403,
			setup: func(w *world) req {
				id := w.entitlement("ALPHA")
				lic := w.licenseOf(w.pol, false, false, nil)
				w.attachEntitlements("licenses", lic, id)
				return req{method: "DELETE", path: "/entitlements/" + id, auth: w.licenseAuth(lic, nil)}
			}},
		{name: "entitlements.feature: Admin deletes an entitlement (detached everywhere)", status: 204,
			setup: func(w *world) req {
				id := w.entitlement("ALPHA")
				w.attachEntitlements("policies", w.pol, id)
				return req{method: "DELETE", path: "/entitlements/ALPHA"}
			},
			check: func(t *testing.T, w *world, r *reply) {
				assert.Empty(t, w.get("/policies/"+w.pol+"/entitlements").list())
			}},
	})
}

func TestEntitlementsRelationships(t *testing.T) {
	t.Parallel()
	runEach(t, func(t *testing.T) *world { return newLicensingWorld(t, nil) }, []apiCase{
		{name: "policies/relationships/entitlements.feature: Product attaches entitlements to its policy",
			setup: func(w *world) req {
				a, d := w.entitlement("ALPHA"), w.entitlement("DELTA")
				return req{method: "POST", path: "/policies/" + w.pol + "/entitlements", auth: w.prodAuth, body: entitlementBody(a, d)}
			},
			check: func(t *testing.T, w *world, r *reply) {
				require.Len(t, r.list(), 2)
				first := r.list()[0].(map[string]any)
				assert.Equal(t, "policy-entitlements", first["type"])
				rels := first["relationships"].(map[string]any)
				eid := rels["entitlement"].(map[string]any)["data"].(map[string]any)["id"].(string)
				assert.Equal(t, map[string]any{"type": "policies", "id": w.pol}, rels["policy"].(map[string]any)["data"])
				assert.Equal(t, "/v1/accounts/"+w.srv.AccountID+"/policies/"+w.pol+"/entitlements/"+eid, first["links"].(map[string]any)["related"])
				assert.Len(t, w.get("/policies/"+w.pol+"/entitlements").list(), 2)
			}},
		{name: "policies/relationships/entitlements.feature: Admin attaches an empty list", status: 400,
			detail: "length must be between 1 and 100 (inclusive)", source: map[string]any{"pointer": "/data"},
			setup: func(w *world) req {
				return req{method: "POST", path: "/policies/" + w.pol + "/entitlements", body: entitlementBody()}
			}},
		{name: "policies/relationships/entitlements.feature: Admin attaches a missing entitlement (nothing attached)", status: 422,
			code: "ENTITLEMENT_NOT_FOUND", detail: "must exist", source: map[string]any{"pointer": "/data/relationships/entitlement"},
			setup: func(w *world) req {
				a := w.entitlement("ALPHA")
				return req{method: "POST", path: "/policies/" + w.pol + "/entitlements", body: entitlementBody(a, "818f1f34-676b-4e0b-ba57-a98d02263212")}
			},
			check: func(t *testing.T, w *world, r *reply) {
				assert.Empty(t, w.get("/policies/"+w.pol+"/entitlements").list())
			}},
		{name: "policies/relationships/entitlements.feature: Admin attaches an already attached entitlement", status: 422,
			code: "ENTITLEMENT_TAKEN", detail: "already exists",
			setup: func(w *world) req {
				a := w.entitlement("ALPHA")
				w.attachEntitlements("policies", w.pol, a)
				return req{method: "POST", path: "/policies/" + w.pol + "/entitlements", body: entitlementBody(a)}
			}},
		{name: "policies/relationships/entitlements.feature: License retrieves an entitlement of its policy", status: 403,
			setup: func(w *world) req {
				a := w.entitlement("ALPHA")
				w.attachEntitlements("policies", w.pol, a)
				return getAs("/policies/"+w.pol+"/entitlements/"+a, w.licenseAuth(w.licenseOf(w.pol, false, false, nil), nil))
			}},
		{name: "policies/relationships/entitlements.feature: Admin detaches an unattached entitlement", status: 422,
			title: "Unprocessable entity", detail: "cannot detach entitlement '818f1f34-676b-4e0b-ba57-a98d02263212' (entitlement is not attached)",
			source: map[string]any{"pointer": "/data/1"},
			setup: func(w *world) req {
				a := w.entitlement("ALPHA")
				w.attachEntitlements("policies", w.pol, a)
				return req{method: "DELETE", path: "/policies/" + w.pol + "/entitlements", body: entitlementBody(a, "818f1f34-676b-4e0b-ba57-a98d02263212")}
			},
			check: func(t *testing.T, w *world, r *reply) {
				assert.Len(t, w.get("/policies/"+w.pol+"/entitlements").list(), 1)
			}},
		{name: "licenses/relationships/entitlements.feature: Admin attaches an entitlement its policy grants", status: 422,
			code: "ENTITLEMENT_CONFLICT", detail: "already exists (entitlement is attached through policy)",
			source: map[string]any{"pointer": "/data/relationships/entitlement"},
			setup: func(w *world) req {
				a := w.entitlement("ALPHA")
				lic := w.licenseOf(w.pol, false, false, nil)
				w.attachEntitlements("policies", w.pol, a)
				return req{method: "POST", path: "/licenses/" + lic + "/entitlements", body: entitlementBody(a)}
			}},
		{name: "licenses/relationships/entitlements.feature: Admin detaches an entitlement attached through the policy", status: 403,
			setup: func(w *world) req {
				a, b := w.entitlement("LICENSE_FEATURE"), w.entitlement("POLICY_FEATURE")
				lic := w.licenseOf(w.pol, false, false, nil)
				w.attachEntitlements("policies", w.pol, b)
				w.attachEntitlements("licenses", lic, a)
				return req{method: "DELETE", path: "/licenses/" + lic + "/entitlements", body: entitlementBody(a, b)}
			},
			check: func(t *testing.T, w *world, r *reply) {
				assert.Equal(t, map[string]any{"pointer": "/data/1"}, r.source())
				assert.Contains(t, r.detail(), "(entitlement is attached through policy)")
			}},
		{name: "licenses/relationships/entitlements.feature: License owner attempts to attach an entitlement", status: 403,
			setup: func(w *world) req {
				a := w.entitlement("ALPHA")
				lic := w.licenseOf(w.pol, true, false, nil)
				return req{method: "POST", path: "/licenses/" + lic + "/entitlements", auth: w.ownerAuth, body: entitlementBody(a)}
			}},
		{name: "licenses/relationships/entitlements.feature: License owner lists the license's entitlements",
			setup: func(w *world) req {
				a, b := w.entitlement("A"), w.entitlement("B")
				lic := w.licenseOf(w.pol, true, false, nil)
				w.attachEntitlements("policies", w.pol, a)
				w.attachEntitlements("licenses", lic, b)
				return getAs("/licenses/"+lic+"/entitlements", w.ownerAuth)
			},
			check: listLen(2)},
	})
}

func TestEntitlementsValidation(t *testing.T) {
	t.Parallel()
	validate := func(w *world, lic string, scope map[string]any) req {
		return req{method: "POST", path: "/licenses/" + lic + "/actions/validate", body: map[string]any{"meta": map[string]any{"scope": scope}}}
	}
	runEach(t, func(t *testing.T) *world { return newLicensingWorld(t, nil) }, []apiCase{
		{name: "validations.feature: entitlements scope with some missing", meta: map[string]any{"valid": false,
			"code": "ENTITLEMENTS_MISSING", "detail": "is missing one or more required entitlements",
			"scope": map[string]any{"entitlements": []any{"A", "B", "C"}}},
			setup: func(w *world) req {
				w.attachEntitlements("policies", w.pol, w.entitlement("A"), w.entitlement("B"))
				return validate(w, w.licenseOf(w.pol, false, false, nil), map[string]any{"entitlements": []string{"A", "B", "C"}})
			}},
		{name: "validations.feature: entitlements scope with all present (policy and license)",
			meta: map[string]any{"valid": true, "code": "VALID"},
			setup: func(w *world) req {
				lic := w.licenseOf(w.pol, false, false, nil)
				w.attachEntitlements("policies", w.pol, w.entitlement("P"))
				w.attachEntitlements("licenses", lic, w.entitlement("L"))
				return validate(w, lic, map[string]any{"entitlements": []string{"L", "P", "L"}})
			}},
		{name: "validations.feature: entitlements scope is empty",
			meta: map[string]any{"valid": false, "code": "ENTITLEMENTS_SCOPE_EMPTY", "detail": "entitlements scope is empty"},
			setup: func(w *world) req {
				return validate(w, w.licenseOf(w.pol, false, false, nil), map[string]any{"entitlements": []string{}})
			}},
		{name: "validations.feature: entitlement codes are compared case-sensitively",
			meta: map[string]any{"valid": false, "code": "ENTITLEMENTS_MISSING"},
			setup: func(w *world) req {
				w.attachEntitlements("policies", w.pol, w.entitlement("FEATURE_A"))
				return validate(w, w.licenseOf(w.pol, false, false, nil), map[string]any{"entitlements": []string{"feature_a"}})
			}},
		{name: "validations.feature: entitlements are checked before the fingerprint scope",
			meta: map[string]any{"valid": false, "code": "ENTITLEMENTS_MISSING"},
			setup: func(w *world) req {
				return validate(w, w.licenseOf(w.pol, false, false, nil), map[string]any{"entitlements": []string{"X"}, "fingerprint": "fp"})
			}},
		{name: "licenses/actions/check-out.feature: license checkout with an entitlements include",
			setup: func(w *world) req {
				lic := w.licenseOf(w.pol, false, false, nil)
				e := w.entitlement("P")
				w.attachEntitlements("policies", w.pol, e)
				return req{method: "POST", path: "/licenses/" + lic + "/actions/check-out?include=entitlements"}
			},
			check: func(t *testing.T, w *world, r *reply) {
				types := includedTypes(fileDoc(t, r, "LICENSE"))
				require.Len(t, types, 1)
				assert.Contains(t, types[0], "entitlements/")
			}},
		{name: "machines/actions/check-out.feature: machine checkout with a license.entitlements include",
			setup: func(w *world) req {
				lic := w.licenseOf(w.pol, false, false, nil)
				w.attachEntitlements("licenses", lic, w.entitlement("L"))
				m := w.createMachine(lic, "fp-ent", nil)
				return req{method: "POST", path: "/machines/" + m + "/actions/check-out?include=license.entitlements"}
			},
			check: func(t *testing.T, w *world, r *reply) {
				d := fileDoc(t, r, "MACHINE")
				types := includedTypes(d)
				require.Len(t, types, 2)
				assert.Contains(t, types[0], "licenses/")
				assert.Contains(t, types[1], "entitlements/")
				ent := d["included"].([]any)[1].(map[string]any)
				assert.Equal(t, "L", ent["attributes"].(map[string]any)["code"])
			}},
	})
}
