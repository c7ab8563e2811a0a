package keygentest

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Components, after features/api/v1/components/*.feature, the nested components of
// features/api/v1/machines/create.feature and the components scope of
// features/api/v1/licenses/actions/validations.feature.

// component creates a component of the machine as the admin and returns its id.
func (w *world) component(machineID, fp string) string {
	w.t.Helper()
	return w.mustCreate("/components", "components", map[string]any{"fingerprint": fp, "name": "Part " + fp},
		map[string]any{"machine": link("machines", machineID)})
}

func componentBody(machineID, fp string) map[string]any {
	return doc("components", map[string]any{"fingerprint": fp, "name": "SSD"}, map[string]any{"machine": link("machines", machineID)})
}

// machineWithComponents is a machine create body with nested components.
func machineWithComponents(lic, fp string, comps ...string) map[string]any {
	data := []any{}
	for _, c := range comps {
		data = append(data, map[string]any{"type": "components", "attributes": map[string]any{"fingerprint": c, "name": "Part"}})
	}
	return doc("machines", map[string]any{"fingerprint": fp}, map[string]any{
		"license":    link("licenses", lic),
		"components": map[string]any{"data": data},
	})
}

func TestComponents(t *testing.T) {
	t.Parallel()
	fresh := func(t *testing.T) *world { return newLicensingWorld(t, nil) }
	runEach(t, fresh, []apiCase{
		{name: "components/create.feature: Admin creates a component for their account", status: 201,
			attrs: map[string]any{"fingerprint": "0af831cd", "name": "SSD", "metadata": map[string]any{}},
			setup: func(w *world) req {
				m := w.createMachine(w.licenseOf(w.pol, false, false, nil), "m1", nil)
				return req{method: "POST", path: "/components", body: componentBody(m, "0af831cd")}
			},
			check: func(t *testing.T, w *world, r *reply) {
				m, _ := relData(r, "machine")["id"].(string)
				assert.Equal(t, "/v1/accounts/"+w.srv.AccountID+"/components/"+r.id()+"/machine", rel(r, "machine")["links"].(map[string]any)["related"])
				assert.Equal(t, w.prod, relData(r, "product")["id"])
				assert.Len(t, w.get("/machines/"+m+"/components").list(), 1)
			}},
		{name: "components/create.feature: Admin creates a component missing a fingerprint", status: 400, detail: "is missing",
			source: map[string]any{"pointer": "/data/attributes/fingerprint"},
			setup: func(w *world) req {
				m := w.createMachine(w.licenseOf(w.pol, false, false, nil), "m1", nil)
				return req{method: "POST", path: "/components", body: doc("components", map[string]any{"name": "x"}, map[string]any{"machine": link("machines", m)})}
			}},
		{name: "components/create.feature: Admin creates a component for a missing machine", status: 422, code: "MACHINE_NOT_FOUND",
			detail: "must exist", source: map[string]any{"pointer": "/data/relationships/machine"},
			setup: func(w *world) req {
				return req{method: "POST", path: "/components", body: componentBody("818f1f34-676b-4e0b-ba57-a98d02263212", "x")}
			}},
		{name: "components/create.feature: Admin creates a component with a reserved fingerprint", status: 422, code: "FINGERPRINT_NOT_ALLOWED",
			setup: func(w *world) req {
				m := w.createMachine(w.licenseOf(w.pol, false, false, nil), "m1", nil)
				return req{method: "POST", path: "/components", body: componentBody(m, "actions")}
			}},
		{name: "components/create.feature: Admin creates a duplicate component (UNIQUE_PER_MACHINE, same machine)", status: 422,
			code: "FINGERPRINT_TAKEN", detail: "has already been taken", source: map[string]any{"pointer": "/data/attributes/fingerprint"},
			setup: func(w *world) req {
				m := w.createMachine(w.licenseOf(w.pol, false, false, nil), "m1", nil)
				w.component(m, "dup")
				return req{method: "POST", path: "/components", body: componentBody(m, "dup")}
			}},
		{name: "components/create.feature: Admin creates a duplicate component (UNIQUE_PER_MACHINE, other machine)", status: 201,
			setup: func(w *world) req {
				lic := w.licenseOf(w.pol, false, false, nil)
				w.component(w.createMachine(lic, "m1", nil), "dup")
				return req{method: "POST", path: "/components", body: componentBody(w.createMachine(lic, "m2", nil), "dup")}
			}},
		{name: "components/create.feature: Admin creates a duplicate component (UNIQUE_PER_LICENSE, same license)", status: 422,
			code: "FINGERPRINT_TAKEN", detail: "has already been taken for this license",
			setup: func(w *world) req {
				w.do(req{method: "PATCH", path: "/policies/" + w.pol, body: doc("policies", map[string]any{"componentUniquenessStrategy": "UNIQUE_PER_LICENSE"}, nil)})
				lic := w.licenseOf(w.pol, false, false, nil)
				w.component(w.createMachine(lic, "m1", nil), "dup")
				return req{method: "POST", path: "/components", body: componentBody(w.createMachine(lic, "m2", nil), "dup")}
			}},
		{name: "components/create.feature: Admin creates a duplicate component (UNIQUE_PER_LICENSE, same machine)", status: 422,
			code: "FINGERPRINT_TAKEN", detail: "has already been taken",
			setup: func(w *world) req {
				w.do(req{method: "PATCH", path: "/policies/" + w.pol, body: doc("policies", map[string]any{"componentUniquenessStrategy": "UNIQUE_PER_LICENSE"}, nil)})
				m := w.createMachine(w.licenseOf(w.pol, false, false, nil), "m1", nil)
				w.component(m, "dup")
				return req{method: "POST", path: "/components", body: componentBody(m, "dup")}
			},
			check: func(t *testing.T, w *world, r *reply) {
				// The model's uniqueness per machine, then the strategy's
				// (app/models/machine_component.rb): the same code at the same pointer, so
				// the serializer keeps the first (lib/keygen/jsonapi/errors.rb).
				require.Len(t, r.doc["errors"], 1)
				assert.Equal(t, "has already been taken", r.err(0)["detail"])
			}},
		{name: "components/create.feature: Admin creates a duplicate component (UNIQUE_PER_PRODUCT, other policy)", status: 422,
			code: "FINGERPRINT_TAKEN", detail: "has already been taken for this product",
			setup: func(w *world) req {
				a := w.policy(w.prod, map[string]any{"floating": true, "componentUniquenessStrategy": "UNIQUE_PER_PRODUCT"})
				b := w.policy(w.prod, map[string]any{"floating": true, "componentUniquenessStrategy": "UNIQUE_PER_PRODUCT"})
				w.component(w.createMachine(w.licenseOf(b, false, false, nil), "m1", nil), "dup")
				return req{method: "POST", path: "/components", body: componentBody(w.createMachine(w.licenseOf(a, false, false, nil), "m2", nil), "dup")}
			}},
		{name: "components/create.feature: License user creates a component for a machine it does not own", status: 403,
			setup: func(w *world) req {
				lic := w.licenseOf(w.pol, false, true, nil)
				m := w.createMachine(lic, "m1", nil)
				return req{method: "POST", path: "/components", auth: w.luAuth, body: componentBody(m, "x")}
			},
			check: func(t *testing.T, w *world, r *reply) { assert.Empty(t, w.get("/components").list()) }},
		{name: "components/create.feature: License creates a component for its machine", status: 201,
			setup: func(w *world) req {
				lic := w.licenseOf(w.pol, false, false, nil)
				m := w.createMachine(lic, "m1", nil)
				return req{method: "POST", path: "/components", auth: w.licenseAuth(lic, nil), body: componentBody(m, "x")}
			}},
		{name: "components/update.feature: License updates a component's metadata", status: 400, detail: "unpermitted parameter",
			source: map[string]any{"pointer": "/data/attributes/metadata"},
			setup: func(w *world) req {
				lic := w.licenseOf(w.pol, false, false, nil)
				cp := w.component(w.createMachine(lic, "m1", nil), "x")
				return req{method: "PATCH", path: "/components/" + cp, auth: w.licenseAuth(lic, nil),
					body: doc("components", map[string]any{"metadata": map[string]any{"a": 1}}, nil)}
			}},
		{name: "components/update.feature: Admin updates a component's name", attrs: map[string]any{"name": "GPU"},
			setup: func(w *world) req {
				cp := w.component(w.createMachine(w.licenseOf(w.pol, false, false, nil), "m1", nil), "x")
				return req{method: "PATCH", path: "/components/" + cp, body: doc("components", map[string]any{"name": "GPU"}, nil)}
			}},
		{name: "components/update.feature: Admin changes a component's fingerprint", status: 400, detail: "unpermitted parameter",
			source: map[string]any{"pointer": "/data/attributes/fingerprint"},
			setup: func(w *world) req {
				cp := w.component(w.createMachine(w.licenseOf(w.pol, false, false, nil), "m1", nil), "x")
				return req{method: "PATCH", path: "/components/" + cp, body: doc("components", map[string]any{"fingerprint": "y"}, nil)}
			}},
		{name: "components/index.feature: License user lists the components of its licenses' machines",
			setup: func(w *world) req {
				w.component(w.createMachine(w.licenseOf(w.pol, false, true, nil), "m1", nil), "a")
				w.component(w.createMachine(w.licenseOf(w.pol, false, false, nil), "m2", nil), "b")
				return getAs("/components", w.luAuth)
			},
			check: listLen(1)},
		{name: "components/index.feature: Admin filters components by machine",
			setup: func(w *world) req {
				lic := w.licenseOf(w.pol, false, false, nil)
				m := w.createMachine(lic, "m1", nil)
				w.component(m, "a")
				w.component(w.createMachine(lic, "m2", nil), "b")
				return getAs("/components?machine="+m, "")
			},
			check: listLen(1)},
		{name: "components/destroy.feature: Admin deletes a component", status: 204,
			setup: func(w *world) req {
				cp := w.component(w.createMachine(w.licenseOf(w.pol, false, false, nil), "m1", nil), "x")
				return req{method: "DELETE", path: "/components/" + cp}
			},
			check: func(t *testing.T, w *world, r *reply) { assert.Empty(t, w.get("/components").list()) }},
		{name: "machines/destroy.feature: deleting a machine deletes its components", status: 204,
			setup: func(w *world) req {
				m := w.createMachine(w.licenseOf(w.pol, false, false, nil), "m1", nil)
				w.component(m, "x")
				return req{method: "DELETE", path: "/machines/" + m}
			},
			check: func(t *testing.T, w *world, r *reply) { assert.Empty(t, w.get("/components").list()) }},
	})
}

func TestComponentsNested(t *testing.T) {
	t.Parallel()
	fresh := func(t *testing.T) *world { return newLicensingWorld(t, nil) }
	runEach(t, fresh, []apiCase{
		{name: "machines/create.feature: Admin activates a machine with components", status: 201,
			setup: func(w *world) req {
				return req{method: "POST", path: "/machines", body: machineWithComponents(w.licenseOf(w.pol, false, false, nil), "fp", "MOBO", "CPU", "GPU")}
			},
			check: func(t *testing.T, w *world, r *reply) {
				assert.Len(t, w.get("/machines/"+r.id()+"/components").list(), 3)
				assert.Len(t, w.get("/components").list(), 3)
			}},
		{name: "machines/create.feature: Admin activates a machine with duplicate components", status: 422,
			code: "COMPONENTS_FINGERPRINT_CONFLICT", detail: "is duplicated",
			source: map[string]any{"pointer": "/data/relationships/components/data/0/attributes/fingerprint"},
			setup: func(w *world) req {
				return req{method: "POST", path: "/machines", body: machineWithComponents(w.licenseOf(w.pol, false, false, nil), "fp", "A", "B", "A")}
			},
			check: func(t *testing.T, w *world, r *reply) {
				assert.Len(t, r.doc["errors"], 2)
				assert.Equal(t, map[string]any{"pointer": "/data/relationships/components/data/2/attributes/fingerprint"}, r.err(1)["source"])
				assert.Empty(t, w.get("/machines").list())
				assert.Empty(t, w.get("/components").list())
			}},
		{name: "machines/create.feature: Admin activates a machine with a taken component (UNIQUE_PER_LICENSE)", status: 422,
			code: "COMPONENTS_FINGERPRINT_TAKEN", detail: "has already been taken for this license",
			source: map[string]any{"pointer": "/data/relationships/components/data/1/attributes/fingerprint"},
			setup: func(w *world) req {
				w.do(req{method: "PATCH", path: "/policies/" + w.pol, body: doc("policies", map[string]any{"componentUniquenessStrategy": "UNIQUE_PER_LICENSE"}, nil)})
				lic := w.licenseOf(w.pol, false, false, nil)
				w.component(w.createMachine(lic, "m1", nil), "B")
				return req{method: "POST", path: "/machines", body: machineWithComponents(lic, "fp", "A", "B")}
			},
			check: func(t *testing.T, w *world, r *reply) { assert.Len(t, w.get("/components").list(), 1) }},
		{name: "machines/create.feature: Admin activates a machine with too many components", status: 422,
			title: "Unprocessable entity", detail: "too many records",
			setup: func(w *world) req {
				var comps []string
				for i := 0; i < 21; i++ {
					comps = append(comps, fmt.Sprint("c", i))
				}
				return req{method: "POST", path: "/machines", body: machineWithComponents(w.licenseOf(w.pol, false, false, nil), "fp", comps...)}
			},
			check: func(t *testing.T, w *world, r *reply) { assert.Empty(t, w.get("/machines").list()) }},
		{name: "machines/actions/check-out.feature: machine checkout with a components include",
			setup: func(w *world) req {
				r := w.do(req{method: "POST", path: "/machines", body: machineWithComponents(w.licenseOf(w.pol, false, false, nil), "fp", "A", "B")})
				require.Equal(w.t, 201, r.status, string(r.body))
				return req{method: "POST", path: "/machines/" + r.id() + "/actions/check-out?include=components"}
			},
			check: func(t *testing.T, w *world, r *reply) {
				types := includedTypes(fileDoc(t, r, "MACHINE"))
				require.Len(t, types, 2)
				assert.Contains(t, types[0], "components/")
			}},
	})
}

func TestComponentsValidation(t *testing.T) {
	t.Parallel()
	// A license with three machines of three components each (m0..m2, c<m><i>).
	fixture := func(w *world, matching string, require bool) string {
		pol := w.policy(w.prod, map[string]any{"floating": true, "componentMatchingStrategy": matching, "requireComponentsScope": require})
		lic := w.licenseOf(pol, false, false, nil)
		for m := 0; m < 3; m++ {
			id := w.createMachine(lic, fmt.Sprint("m", m), nil)
			for i := 0; i < 3; i++ {
				w.component(id, fmt.Sprintf("c%d%d", m, i))
			}
		}
		return lic
	}
	validate := func(lic string, scope map[string]any) req {
		return req{method: "POST", path: "/licenses/" + lic + "/actions/validate", body: map[string]any{"meta": map[string]any{"scope": scope}}}
	}
	runEach(t, func(t *testing.T) *world { return newLicensingWorld(t, nil) }, []apiCase{
		{name: "validations.feature: MATCH_ANY components of the fingerprint's machine", meta: map[string]any{"valid": true, "code": "VALID"},
			setup: func(w *world) req {
				return validate(fixture(w, "MATCH_ANY", false), map[string]any{"fingerprint": "m0", "components": []string{"c00", "nope"}})
			}},
		{name: "validations.feature: MATCH_ANY components of another machine", meta: map[string]any{"valid": false, "code": "COMPONENTS_SCOPE_MISMATCH",
			"detail": "one or more component is not activated (does not match any associated components)"},
			setup: func(w *world) req {
				return validate(fixture(w, "MATCH_ANY", false), map[string]any{"fingerprint": "m0", "components": []string{"c10", "c11", "c12"}})
			}},
		{name: "validations.feature: MATCH_ALL with one component missing", meta: map[string]any{"valid": false, "code": "COMPONENTS_SCOPE_MISMATCH",
			"detail": "one or more component is not activated (does not match all associated components)"},
			setup: func(w *world) req {
				return validate(fixture(w, "MATCH_ALL", false), map[string]any{"fingerprint": "m0", "components": []string{"c00", "c01", "c10"}})
			}},
		{name: "validations.feature: MATCH_TWO with two components", meta: map[string]any{"valid": true, "code": "VALID"},
			setup: func(w *world) req {
				return validate(fixture(w, "MATCH_TWO", false), map[string]any{"fingerprint": "m1", "components": []string{"c10", "c11", "x"}})
			}},
		{name: "validations.feature: MATCH_MOST with a minority", meta: map[string]any{"valid": false, "code": "COMPONENTS_SCOPE_MISMATCH"},
			setup: func(w *world) req {
				return validate(fixture(w, "MATCH_MOST", false), map[string]any{"fingerprint": "m1", "components": []string{"c10", "x", "y", "z"}})
			}},
		{name: "validations.feature: components scope without a fingerprint scope", meta: map[string]any{"valid": false, "code": "FINGERPRINT_SCOPE_REQUIRED",
			"detail": "fingerprint scope is required when using the components scope"},
			setup: func(w *world) req {
				return validate(fixture(w, "MATCH_ANY", false), map[string]any{"fingerprints": []string{"m0"}, "components": []string{"c00"}})
			}},
		{name: "validations.feature: components scope required", meta: map[string]any{"valid": false, "code": "COMPONENTS_SCOPE_REQUIRED"},
			setup: func(w *world) req {
				return validate(fixture(w, "MATCH_ANY", true), map[string]any{"fingerprint": "m0"})
			}},
	})
}
