package keygentest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The scenarios of features/api/v1/components/**/*.feature (keygen-sh/keygen-api), one case
// per scenario, named "<file>: <scenario title>". Scenarios that need Keygen EE (environments,
// the permissions attribute) or a canceled account are not here.

// luID is the license user of the licensing world (license-user@example.com).
func (w *world) luID() string {
	w.t.Helper()
	var id string
	w.withStore(func(db *store) {
		for _, u := range db.users {
			if u.Email == "license-user@example.com" {
				id = u.ID
			}
		}
	})
	require.NotEmpty(w.t, id)
	return id
}

// machineOwnedBy activates a machine of the license owned by the user.
func (w *world) machineOwnedBy(lic, fp, owner string) string {
	w.t.Helper()
	return w.mustCreate("/machines", "machines", map[string]any{"fingerprint": fp},
		map[string]any{"license": link("licenses", lic), "owner": link("users", owner)})
}

// comps makes n components ("the current account has n components"), each on a machine of
// its own unowned license (as the component factory does).
func (w *world) comps(n int) []string {
	var out []string
	for i := range n {
		m := w.createMachine(w.licenseOf(w.pol, false, false, nil), fmt.Sprint("fm", i), nil)
		out = append(out, w.component(m, fmt.Sprint("fc", i)))
	}
	return out
}

// compsOn makes n components of the machine.
func (w *world) compsOn(m string, n int) []string {
	var out []string
	for range n {
		out = append(out, w.component(m, newUUID()))
	}
	return out
}

// ownedMachine is a machine of a license of pol owned by the owner user.
func (w *world) ownedMachine(pol string) (lic, m string) {
	lic = w.licenseOf(pol, true, false, nil)
	return lic, w.createMachine(lic, newUUID(), nil)
}

// uniqWorld builds products × policies × licenses × machines whose policies use the
// component uniqueness strategy; it returns the machines in creation order.
func (w *world) uniqWorld(strategy string, products, policies, licenses, machines int) []string {
	var out []string
	for range products {
		prod := w.product()
		for range policies {
			pol := w.policy(prod, map[string]any{"floating": true, "componentUniquenessStrategy": strategy})
			for range licenses {
				lic := w.licenseOf(pol, false, false, nil)
				for range machines {
					out = append(out, w.createMachine(lic, newUUID(), nil))
				}
			}
		}
	}
	return out
}

func postComp(m, fp, name, auth string) req {
	return req{method: "POST", path: "/components", auth: auth,
		body: doc("components", map[string]any{"fingerprint": fp, "name": name}, map[string]any{"machine": link("machines", m)})}
}

func (w *world) componentCount() int {
	n := 0
	w.withStore(func(db *store) { n = len(db.lic.components) })
	return n
}

func compCount(n int) func(t *testing.T, w *world, r *reply) {
	return func(t *testing.T, w *world, _ *reply) { assert.Equal(t, n, w.componentCount()) }
}

func isType(typ string) func(t *testing.T, w *world, r *reply) {
	return func(t *testing.T, _ *world, r *reply) { assert.Equal(t, typ, r.data()["type"], string(r.body)) }
}

func TestComponentFeaturesCreate(t *testing.T) {
	t.Parallel()
	const f = "components/create.feature: "
	const fp = "5f28e8a43bcd402082190b48d0048100"
	taken := func(detail string) apiCase {
		return apiCase{status: 422, title: unprocessed, code: "FINGERPRINT_TAKEN", detail: detail,
			source: map[string]any{"pointer": "/data/attributes/fingerprint"},
			about:  "https://keygen.sh/docs/api/components/#components-object-attrs-fingerprint"}
	}
	// uniq is a uniqueness scenario: the world, the machine of the stored component, and
	// the expectation for a new component of machines[0].
	uniq := func(name, strategy string, shape [4]int, at int, want apiCase) apiCase {
		want.name = f + name
		want.setup = func(w *world) req {
			ms := w.uniqWorld(strategy, shape[0], shape[1], shape[2], shape[3])
			if at >= 0 {
				w.component(ms[at], fp)
			}
			return postComp(ms[0], fp, "SSD", "")
		}
		return want
	}
	created := apiCase{status: 201}
	admin := func(w *world) string { m := w.createMachine(w.licenseOf(w.pol, false, false, nil), "m", nil); return m }
	runEach(t, func(t *testing.T) *world { return newLicensingWorld(t, nil) }, []apiCase{
		{name: f + "Admin creates a component for their account", status: 201,
			attrs: map[string]any{"fingerprint": "0af831cd3c2f494aa8311ab13f2b6ec1", "name": "CPU"},
			setup: func(w *world) req { return postComp(admin(w), "0af831cd3c2f494aa8311ab13f2b6ec1", "CPU", "") },
			check: func(t *testing.T, w *world, r *reply) {
				m := w.get("/machines").list()[0].(map[string]any)["id"]
				assert.Equal(t, map[string]any{"data": map[string]any{"type": "machines", "id": m},
					"links": map[string]any{"related": "/v1/accounts/" + w.srv.AccountID + "/components/" + r.id() + "/machine"}}, rel(r, "machine"))
			}},
		{name: f + "Developer creates a component for their account", status: 201,
			setup: func(w *world) req { return postComp(admin(w), "47aac935086a472282ed7218730d8e89", "GPU", w.devAuth) }},
		{name: f + "Sales creates a component for their account", status: 201,
			setup: func(w *world) req { return postComp(admin(w), "192.168.1.1", "IP", w.salesAuth) }},
		{name: f + "Support attempts to create a component for their account", status: 403,
			setup: func(w *world) req {
				return postComp(admin(w), "005322acdf11488faa5dc0d69b11e576", "MOBO", w.supportAuth)
			}},
		{name: f + "Read-only attempts to create a component for their account", status: 403,
			setup: func(w *world) req { return postComp(admin(w), "af:5f:db:75", "MAC", w.roAuth) }},
		uniq("Admin creates a component with a fingerprint matching another component for a different machine (UNIQUE_PER_MACHINE)",
			"UNIQUE_PER_MACHINE", [4]int{2, 1, 1, 2}, 3, created),
		uniq("Admin creates a component with a fingerprint matching another component for the same machine (UNIQUE_PER_MACHINE)",
			"UNIQUE_PER_MACHINE", [4]int{2, 1, 1, 2}, 0, taken("has already been taken")),
		uniq("Admin creates a component with a fingerprint matching another component for a different license (UNIQUE_PER_LICENSE)",
			"UNIQUE_PER_LICENSE", [4]int{2, 1, 2, 1}, 3, created),
		uniq("Admin creates a component with a fingerprint matching another component for the same license (UNIQUE_PER_LICENSE)",
			"UNIQUE_PER_LICENSE", [4]int{2, 1, 2, 2}, 1, taken("has already been taken for this license")),
		uniq("Admin creates a component with a fingerprint matching another component for a different policy (UNIQUE_PER_POLICY)",
			"UNIQUE_PER_POLICY", [4]int{2, 2, 2, 2}, 15, created),
		uniq("Admin creates a component with a fingerprint matching another component for the same policy (UNIQUE_PER_POLICY)",
			"UNIQUE_PER_POLICY", [4]int{2, 2, 2, 2}, 2, taken("has already been taken for this policy")),
		uniq("Admin creates a component with a fingerprint matching another component for a different product (UNIQUE_PER_PRODUCT)",
			"UNIQUE_PER_PRODUCT", [4]int{2, 1, 2, 1}, 2, created),
		uniq("Admin creates a component with a fingerprint matching another component for the same product (UNIQUE_PER_PRODUCT)",
			"UNIQUE_PER_PRODUCT", [4]int{2, 1, 2, 1}, 1, taken("has already been taken for this product")),
		uniq("Admin creates a component with a fingerprint matching another component (UNIQUE_PER_ACCOUNT)",
			"UNIQUE_PER_ACCOUNT", [4]int{2, 1, 2, 1}, -1, created),
		uniq("Admin creates a component with a fingerprint matching another component for a different product (UNIQUE_PER_ACCOUNT)",
			"UNIQUE_PER_ACCOUNT", [4]int{2, 1, 2, 1}, 2, taken("has already been taken for this account")),
		uniq("Admin creates a component with a fingerprint matching another component for the same product (UNIQUE_PER_ACCOUNT)",
			"UNIQUE_PER_ACCOUNT", [4]int{2, 1, 2, 1}, 1, taken("has already been taken for this account")),
		{name: f + "Admin creates a component for their account with a fingerprint matching a reserved word", status: 422,
			title: unprocessed, code: "FINGERPRINT_NOT_ALLOWED", detail: "is reserved", source: map[string]any{"pointer": "/data/attributes/fingerprint"},
			setup: func(w *world) req {
				m := admin(w)
				w.component(m, "x")
				return postComp(m, "actions", "reserved", "")
			}},
		// The exclusion of EXCLUDED_ALIASES is case-sensitive (app/models/machine_component.rb,
		// app/models/application_record.rb).
		{name: f + "(app/models/machine_component.rb) Admin creates a component with an upper-case reserved word as its fingerprint", status: 201,
			attrs: map[string]any{"fingerprint": "ACTIONS"},
			setup: func(w *world) req { return postComp(admin(w), "ACTIONS", "reserved", "") }},
		{name: f + "(app/models/machine_component.rb) Admin activates a machine with an upper-case reserved word as a component fingerprint", status: 201,
			check: compCount(1),
			setup: func(w *world) req {
				return req{method: "POST", path: "/machines", body: machineWithComponents(w.licenseOf(w.pol, false, false, nil), "fp", "ACTION")}
			}},
		// MachineComponent validates the fingerprint's uniqueness per machine before the
		// name (app/models/machine_component.rb).
		{name: f + "(app/models/machine_component.rb) Admin creates a duplicate component with a name too long", status: 422,
			code: "FINGERPRINT_TAKEN", detail: "has already been taken",
			setup: func(w *world) req {
				m := admin(w)
				w.component(m, "dup")
				return postComp(m, "dup", strings.Repeat("n", 256), "")
			},
			check: func(t *testing.T, _ *world, r *reply) {
				require.Len(t, r.doc["errors"], 2, string(r.body))
				assert.Equal(t, "NAME_TOO_LONG", r.err(1)["code"])
			}},
		{name: f + "Admin creates a component with missing attributes", status: 400, title: "Bad request", detail: "is missing",
			source: map[string]any{"pointer": "/data/attributes"},
			setup: func(w *world) req {
				return req{method: "POST", path: "/components", body: doc("components", nil, map[string]any{"machine": link("machines", admin(w))})}
			}},
		{name: f + "Admin creates a component with missing fingerprint", status: 400, title: "Bad request", detail: "is missing",
			source: map[string]any{"pointer": "/data/attributes/fingerprint"},
			setup: func(w *world) req {
				return req{method: "POST", path: "/components", body: doc("components", map[string]any{"name": "test"}, map[string]any{"machine": link("machines", admin(w))})}
			}},
		{name: f + "Admin creates a component with missing name", status: 400, title: "Bad request", detail: "is missing",
			source: map[string]any{"pointer": "/data/attributes/name"},
			setup: func(w *world) req {
				return req{method: "POST", path: "/components", body: doc("components", map[string]any{"fingerprint": "test"}, map[string]any{"machine": link("machines", admin(w))})}
			}},
		{name: f + "Admin creates a component with missing relationships", status: 400, title: "Bad request", detail: "is missing",
			source: map[string]any{"pointer": "/data/relationships"},
			setup: func(w *world) req {
				admin(w)
				return req{method: "POST", path: "/components", body: doc("components", map[string]any{"fingerprint": "42", "name": "life"}, nil)}
			}},
		{name: f + "Admin creates a component with missing machine", status: 400, title: "Bad request", detail: "is missing",
			source: map[string]any{"pointer": "/data/relationships/machine"},
			setup: func(w *world) req {
				admin(w)
				return req{method: "POST", path: "/components", body: doc("components", map[string]any{"fingerprint": "42", "name": "life"}, map[string]any{})}
			}},
		{name: f + "Admin creates a component with an invalid machine UUID", status: 422, title: unprocessed, code: "MACHINE_NOT_FOUND",
			detail: "must exist", source: map[string]any{"pointer": "/data/relationships/machine"},
			about: "https://keygen.sh/docs/api/components/#components-object-relationships-machine",
			setup: func(w *world) req {
				admin(w)
				return postComp("16896379-73ae-4d92-a458-6e7841c9ad08", "7E038967-9FAA-41C6-B018-539E601A133B", "SystemGUID", "")
			}},
		{name: f + "User creates a component for their machine (license owner)", status: 201,
			attrs: map[string]any{"fingerprint": "26f93d8e-e7e0-4078-93af-9132886799c5", "name": "HDD"},
			setup: func(w *world) req {
				_, m := w.ownedMachine(w.pol)
				return postComp(m, "26f93d8e-e7e0-4078-93af-9132886799c5", "HDD", w.ownerAuth)
			}},
		{name: f + "User creates a component for their machine (license user, as owner)", status: 201,
			setup: func(w *world) req {
				lic := w.licenseOf(w.pol, false, true, nil)
				return postComp(w.machineOwnedBy(lic, "m", w.luID()), "26f93d8e", "HDD", w.luAuth)
			}},
		{name: f + "User creates a component for their machine (license user, no owner)", status: 403,
			setup: func(w *world) req {
				lic := w.licenseOf(w.pol, false, true, nil)
				return postComp(w.createMachine(lic, "m", nil), "26f93d8e", "HDD", w.luAuth)
			},
			check: compCount(0)},
		{name: f + "User creates a component for their machine with a protected policy", status: 403,
			setup: func(w *world) req {
				_, m := w.ownedMachine(w.prot)
				return postComp(m, "08:a6:49:ee", "drive", w.ownerAuth)
			}},
		{name: f + "User creates a component for an unprotected machine", status: 201,
			attrs: map[string]any{"fingerprint": "26f93d8e-e7e0-4078-93af-9132886799c5", "name": "HDD"},
			setup: func(w *world) req {
				_, m := w.ownedMachine(w.pol)
				return postComp(m, "26f93d8e-e7e0-4078-93af-9132886799c5", "HDD", w.ownerAuth)
			}},
		{name: f + "License creates a component for their machine", status: 201,
			attrs: map[string]any{"fingerprint": "26f93d8e-e7e0-4078-93af-9132886799c5", "name": "HDD"},
			setup: func(w *world) req {
				lic := w.licenseOf(w.pol, false, false, nil)
				m := w.createMachine(lic, "m0", nil)
				w.createMachine(lic, "m1", nil)
				w.createMachine(lic, "m2", nil)
				return postComp(m, "26f93d8e-e7e0-4078-93af-9132886799c5", "HDD", w.licenseAuth(lic, nil))
			}},
		{name: f + "License creates a component for a protected machine", status: 201,
			setup: func(w *world) req {
				lic := w.licenseOf(w.prot, false, false, nil)
				return postComp(w.createMachine(lic, "m", nil), "26f93d8e", "HDD", w.licenseAuth(lic, nil))
			}},
		{name: f + "License creates a component for their machine with a duplicate fingerprint", status: 422, title: unprocessed,
			code: "FINGERPRINT_TAKEN", detail: "has already been taken", source: map[string]any{"pointer": "/data/attributes/fingerprint"},
			setup: func(w *world) req {
				lic := w.licenseOf(w.pol, false, false, nil)
				m := w.createMachine(lic, "m", nil)
				w.component(m, "26f93d8e-e7e0-4078-93af-9132886799c5")
				return postComp(m, "26f93d8e-e7e0-4078-93af-9132886799c5", "HDD", w.licenseAuth(lic, nil))
			},
			check: compCount(1)},
		{name: f + "License creates a component for their machine with a blank fingerprint", status: 400, title: "Bad request",
			detail: "cannot be blank", source: map[string]any{"pointer": "/data/attributes/fingerprint"},
			setup: func(w *world) req {
				lic := w.licenseOf(w.pol, false, false, nil)
				return postComp(w.createMachine(lic, "m", nil), "", "HDD", w.licenseAuth(lic, nil))
			},
			check: compCount(0)},
		{name: f + "License creates a component for their machine with a blank name", status: 400, title: "Bad request",
			detail: "cannot be blank", source: map[string]any{"pointer": "/data/attributes/name"},
			setup: func(w *world) req {
				lic := w.licenseOf(w.pol, false, false, nil)
				return postComp(w.createMachine(lic, "m", nil), "94619120-910b-47aa-9c9c-7cb9474a5a15", "", w.licenseAuth(lic, nil))
			},
			check: compCount(0)},
		{name: f + "License creates a component for another license's machine", status: 403,
			setup: func(w *world) req {
				var ms []string
				for i := range 3 {
					ms = append(ms, w.createMachine(w.licenseOf(w.pol, false, false, nil), fmt.Sprint("m", i), nil))
				}
				var first string
				w.withStore(func(db *store) { first = db.machines[ms[0]].LicenseID })
				return postComp(ms[1], "23daa04a", "GPU", w.licenseAuth(first, nil))
			}},
		{name: f + "Product creates a component for another product's machine", status: 403,
			setup: func(w *world) req {
				m := w.createMachine(w.licenseOf(w.pol2, false, false, nil), "m", nil)
				return postComp(m, "89cadd7c", "GPU", w.prodAuth)
			}},
		{name: f + "User creates a component for another user's machine", status: 403,
			setup: func(w *world) req { return postComp(admin(w), "01a7c6dc", "GPU", w.ownerAuth) }},
		{name: f + "Anonymous attempts to create a component", status: 401,
			setup: func(w *world) req { return postComp(admin(w), "44a03eb5", "chip", "-") }},
		{name: f + "Admin of another account attempts to create a component", status: 401,
			setup: func(w *world) req { return postComp(admin(w), "aebbb996", "motherboard", w.otherAcct) }},
		{name: f + "License activates a component with a pre-determined ID", status: 400,
			setup: func(w *world) req {
				lic := w.licenseOf(w.pol, false, false, nil)
				r := postComp(w.createMachine(lic, "m", nil), "04745910", "network", w.licenseAuth(lic, nil))
				r.body.(map[string]any)["data"].(map[string]any)["id"] = "00000000-2521-4033-9f4f-3675387016f7"
				return r
			},
			check: compCount(0)},
	})
}

func patchComp(id, auth string, attrs map[string]any) req {
	d := doc("components", attrs, nil)
	d["data"].(map[string]any)["id"] = id
	return req{method: "PATCH", path: "/components/" + id, auth: auth, body: d}
}

var ryzen = map[string]any{"metadata": map[string]any{"addit": map[string]any{"mfg": "Ryzen"}}}

func TestComponentFeaturesUpdate(t *testing.T) {
	t.Parallel()
	const f = "components/update.feature: "
	one := func(w *world) string { return w.comps(1)[0] }
	// prodComp is a component of the product's machine; licComp one of a license's.
	prodComp := func(w *world) string {
		return w.component(w.createMachine(w.licenseOf(w.pol, false, false, nil), "m", nil), "c")
	}
	runEach(t, func(t *testing.T) *world { return newLicensingWorld(t, nil) }, []apiCase{
		{name: f + "Admin updates a component's fingerprint", status: 400, title: "Bad request", detail: "unpermitted parameter",
			source: map[string]any{"pointer": "/data/attributes/fingerprint"},
			setup: func(w *world) req {
				return patchComp(one(w), "", map[string]any{"fingerprint": "1bac629c32f688919eb8f81d2232a04b"})
			}},
		{name: f + "Admin updates a component's name", attrs: map[string]any{"name": "MAC address"},
			setup: func(w *world) req { return patchComp(one(w), "", map[string]any{"name": "MAC address"}) }},
		{name: f + "Admin updates a component's metadata", attrs: map[string]any{"metadata": map[string]any{"addit": map[string]any{"mfg": "Ryzen"}}},
			setup: func(w *world) req { return patchComp(one(w), "", ryzen) }},
		{name: f + "Developer updates a component",
			setup: func(w *world) req { return patchComp(one(w), w.devAuth, ryzen) }},
		{name: f + "Sales updates a component",
			setup: func(w *world) req { return patchComp(one(w), w.salesAuth, ryzen) }},
		{name: f + "Support updates a component",
			setup: func(w *world) req { return patchComp(one(w), w.supportAuth, ryzen) }},
		// MachineComponentsController#update authorizes before it reads its typed params, so
		// the read-only's metadata (a parameter it may not send) is a 403, not a 400.
		{name: f + "Read only updates a component", status: 403, detail: roLacks,
			setup: func(w *world) req { return patchComp(one(w), w.roAuth, ryzen) }},
		{name: f + "Product updates a component",
			setup: func(w *world) req { return patchComp(prodComp(w), w.prodAuth, ryzen) }},
		{name: f + "Product updates a component for a different product", status: 404,
			setup: func(w *world) req {
				cp := w.component(w.createMachine(w.licenseOf(w.pol2, false, false, nil), "m", nil), "c")
				return patchComp(cp, w.prodAuth, ryzen)
			}},
		{name: f + "License updates a component's metadata", status: 400, detail: "unpermitted parameter",
			source: map[string]any{"pointer": "/data/attributes/metadata"},
			setup: func(w *world) req {
				lic := w.licenseOf(w.pol, false, false, nil)
				return patchComp(w.component(w.createMachine(lic, "m", nil), "c"), w.licenseAuth(lic, nil), ryzen)
			}},
		{name: f + "License updates a component for a different license", status: 404,
			setup: func(w *world) req {
				lic := w.licenseOf(w.pol, false, false, nil)
				return patchComp(one(w), w.licenseAuth(lic, nil), ryzen)
			}},
		{name: f + "User updates a component's name (license owner)", attrs: map[string]any{"name": "GPU"},
			setup: func(w *world) req {
				_, m := w.ownedMachine(w.pol)
				return patchComp(w.component(m, "c"), w.ownerAuth, map[string]any{"name": "GPU"})
			}},
		{name: f + "User updates a component's name (license user, as owner)", attrs: map[string]any{"name": "GPU"},
			setup: func(w *world) req {
				lic := w.licenseOf(w.pol, false, true, nil)
				m := w.machineOwnedBy(lic, "m", w.luID())
				return patchComp(w.component(m, "c"), w.luAuth, map[string]any{"name": "GPU"})
			}},
		{name: f + "User updates a component's name (license user, no owner)", status: 403,
			setup: func(w *world) req {
				lic := w.licenseOf(w.pol, false, true, nil)
				return patchComp(w.component(w.createMachine(lic, "m", nil), "c"), w.luAuth, map[string]any{"name": "GPU"})
			}},
		{name: f + "User updates a component's metadata", status: 400, detail: "unpermitted parameter",
			source: map[string]any{"pointer": "/data/attributes/metadata"},
			setup: func(w *world) req {
				_, m := w.ownedMachine(w.pol)
				return patchComp(w.component(m, "c"), w.ownerAuth, ryzen)
			}},
		// MachineComponentPolicy#update lets a license update its components whether or not
		// it is protected (app/policies/machine_component_policy.rb).
		{name: f + "(app/policies/machine_component_policy.rb) License updates a component's name for a protected license",
			attrs: map[string]any{"name": "GPU"},
			setup: func(w *world) req {
				lic := w.licenseOf(w.prot, false, false, nil)
				return patchComp(w.component(w.createMachine(lic, "m", nil), "c"), w.licenseAuth(lic, nil), map[string]any{"name": "GPU"})
			}},
		{name: f + "User updates a component for a different user", status: 404,
			setup: func(w *world) req { return patchComp(one(w), w.ownerAuth, ryzen) }},
		{name: f + "Anonymous updates a component", status: 401,
			setup: func(w *world) req { return patchComp(one(w), "-", ryzen) }},
	})
}

func TestComponentFeaturesDestroy(t *testing.T) {
	t.Parallel()
	const f = "components/destroy.feature: "
	del := func(id, auth string) req { return req{method: "DELETE", path: "/components/" + id, auth: auth} }
	third := func(auth func(w *world) string) func(w *world) req {
		return func(w *world) req { a := auth(w); return del(w.comps(3)[2], a) }
	}
	lu := func(owned bool, pol func(w *world) string) func(w *world) req {
		return func(w *world) req {
			lic := w.licenseOf(pol(w), false, true, nil)
			var m string
			if owned {
				m = w.machineOwnedBy(lic, "m", w.luID())
			} else {
				m = w.createMachine(lic, "m", nil)
			}
			return del(w.component(m, "c"), w.luAuth)
		}
	}
	runEach(t, func(t *testing.T) *world { return newLicensingWorld(t, nil) }, []apiCase{
		{name: f + "Admin deletes one of their components", status: 204, check: compCount(2),
			setup: third(func(w *world) string { return "" })},
		{name: f + "Developer deletes one of their components", status: 204, check: compCount(2),
			setup: third(func(w *world) string { return w.devAuth })},
		{name: f + "Sales deletes one of their components", status: 204, check: compCount(2),
			setup: third(func(w *world) string { return w.salesAuth })},
		{name: f + "Support deletes one of their components", status: 403, check: compCount(3),
			setup: third(func(w *world) string { return w.supportAuth })},
		{name: f + "Read-only deletes one of their components", status: 403, check: compCount(3),
			setup: third(func(w *world) string { return w.roAuth })},
		{name: f + "Product deletes one of their components", status: 204, check: compCount(0),
			setup: func(w *world) req {
				return del(w.component(w.createMachine(w.licenseOf(w.pol, false, false, nil), "m", nil), "c"), w.prodAuth)
			}},
		{name: f + "Product deletes a component for a different product", status: 404, check: compCount(1),
			setup: func(w *world) req {
				return del(w.component(w.createMachine(w.licenseOf(w.pol2, false, false, nil), "m", nil), "c"), w.prodAuth)
			}},
		{name: f + "User attempts to delete a component that belongs to another user", status: 404, check: both(compCount(3), errCount(1)),
			setup: func(w *world) req { return del(w.comps(3)[1], w.ownerAuth) }},
		{name: f + "User deletes a component for their unprotected license (license owner)", status: 204, check: compCount(0),
			setup: func(w *world) req { _, m := w.ownedMachine(w.pol); return del(w.component(m, "c"), w.ownerAuth) }},
		{name: f + "User deletes a component for their unprotected license (license user, as owner)", status: 204, check: compCount(0),
			setup: lu(true, func(w *world) string { return w.pol })},
		{name: f + "User deletes a component for their unprotected license (license user, no owner)", status: 403, check: compCount(1),
			setup: lu(false, func(w *world) string { return w.pol })},
		{name: f + "User deletes a component for their protected license", status: 403, check: compCount(1),
			setup: func(w *world) req { _, m := w.ownedMachine(w.prot); return del(w.component(m, "c"), w.ownerAuth) }},
		{name: f + "License deletes a component for one of their machines", status: 204, check: compCount(1),
			setup: func(w *world) req {
				lic := w.licenseOf(w.pol, false, false, nil)
				var m string
				for i := range 3 {
					m = w.createMachine(lic, fmt.Sprint("m", i), nil)
				}
				return del(w.compsOn(m, 2)[0], w.licenseAuth(lic, nil))
			}},
		{name: f + "License deletes a component for a different license", status: 404, check: compCount(1),
			setup: func(w *world) req {
				lic := w.licenseOf(w.pol, false, false, nil)
				return del(w.comps(1)[0], w.licenseAuth(lic, nil))
			}},
		{name: f + "Anonymous user attempts to delete a component for their account", status: 401, check: both(compCount(3), errCount(1)),
			setup: func(w *world) req { return del(w.comps(3)[1], "-") }},
		{name: f + "Admin attempts to delete a component for another account", status: 401, check: both(compCount(3), errCount(1)),
			setup: func(w *world) req { return del(w.comps(3)[1], w.otherAcct) }},
	})
}

func errCount(n int) func(t *testing.T, w *world, r *reply) {
	return func(t *testing.T, _ *world, r *reply) { assert.Len(t, r.doc["errors"], n, string(r.body)) }
}

func TestComponentFeaturesShow(t *testing.T) {
	t.Parallel()
	const f = "components/show.feature: "
	first := func(auth func(w *world) string) func(w *world) req {
		return func(w *world) req { a := auth(w); return getAs("/components/"+w.comps(3)[0], a) }
	}
	runEach(t, func(t *testing.T) *world { return newLicensingWorld(t, nil) }, []apiCase{
		{name: f + "Admin retrieves a component for their account", attrs: map[string]any{"fingerprint": "8151c161b1f6aa75e66646ba73dbdba0", "name": "CPU"},
			check: isType("components"),
			setup: func(w *world) req {
				m := w.createMachine(w.licenseOf(w.pol, false, false, nil), "m", nil)
				id := w.mustCreate("/components", "components", map[string]any{"fingerprint": "8151c161b1f6aa75e66646ba73dbdba0", "name": "CPU"},
					map[string]any{"machine": link("machines", m)})
				return getAs("/components/"+id, "")
			}},
		{name: f + "Developer retrieves a component for their account", setup: first(func(w *world) string { return w.devAuth })},
		{name: f + "Sales retrieves a component for their account", setup: first(func(w *world) string { return w.salesAuth })},
		{name: f + "Support retrieves a component for their account", setup: first(func(w *world) string { return w.supportAuth })},
		{name: f + "Read-only retrieves a component for their account", setup: first(func(w *world) string { return w.roAuth })},
		// The not-found detail names the model, MachineComponent (app/models/machine_component.rb).
		{name: f + "Admin retrieves an invalid component for their account", status: 404, title: "Not found", code: "NOT_FOUND",
			detail: "The requested machine component 'invalid' was not found",
			setup:  func(w *world) req { return getAs("/components/invalid", "") }},
		{name: f + "Product retrieves a component for their product", check: isType("components"),
			setup: func(w *world) req {
				return getAs("/components/"+w.component(w.createMachine(w.licenseOf(w.pol, false, false, nil), "m", nil), "c"), w.prodAuth)
			}},
		{name: f + "Product attempts to retrieve a component for another product", status: 404,
			setup: func(w *world) req {
				return getAs("/components/"+w.component(w.createMachine(w.licenseOf(w.pol2, false, false, nil), "m", nil), "c"), w.prodAuth)
			}},
		{name: f + "User retrieves a component for their license (license owner)", check: isType("components"),
			setup: func(w *world) req {
				_, m := w.ownedMachine(w.pol)
				return getAs("/components/"+w.compsOn(m, 3)[0], w.ownerAuth)
			}},
		{name: f + "User retrieves a component for their license (license user)", check: isType("components"),
			setup: func(w *world) req {
				m := w.createMachine(w.licenseOf(w.pol, false, true, nil), "m", nil)
				return getAs("/components/"+w.compsOn(m, 3)[0], w.luAuth)
			}},
		{name: f + "User retrieves a component for a license they don't own", status: 404,
			setup: first(func(w *world) string { return w.ownerAuth })},
		{name: f + "License retrieves a component for their license", check: isType("components"),
			setup: func(w *world) req {
				lic := w.licenseOf(w.pol, false, false, nil)
				return getAs("/components/"+w.compsOn(w.createMachine(lic, "m", nil), 3)[0], w.licenseAuth(lic, nil))
			}},
		{name: f + "License retrieves a component for another license", status: 404,
			setup: func(w *world) req {
				lic := w.licenseOf(w.pol, false, false, nil)
				return getAs("/components/"+w.comps(1)[0], w.licenseAuth(lic, nil))
			}},
		{name: f + "Admin attempts to retrieve a component for another account", status: 401, check: errCount(1),
			setup: first(func(w *world) string { return w.otherAcct })},
	})
}

func TestComponentFeaturesIndex(t *testing.T) {
	t.Parallel()
	const f = "components/index.feature: "
	list := func(q, auth string) req { return getAs("/components"+q, auth) }
	staff := func(auth func(w *world) string) func(w *world) req {
		return func(w *world) req { a := auth(w); w.comps(3); return list("", a) }
	}
	// base is the components collection path of the world's account.
	base := func(w *world) string { return "/v1/accounts/" + w.srv.AccountID + "/components" }
	offsetLinks := func(q string, pages, count int, next bool) func(t *testing.T, w *world, r *reply) {
		return func(t *testing.T, w *world, r *reply) {
			l := func(n int) string { return base(w) + "?" + fmt.Sprintf(q, n) }
			want := map[string]any{"self": l(1), "prev": nil, "next": nil, "first": l(1), "last": l(pages),
				"meta": map[string]any{"pages": float64(pages), "count": float64(count)}}
			if next {
				want["next"] = l(2)
			}
			wantLinks(want)(t, w, r)
		}
	}
	// twoProducts: a machine of a license of each of two products, with a and b components.
	twoProducts := func(w *world, a, b int) (m1, m2, l1, l2 string) {
		l1 = w.licenseOf(w.pol, false, false, nil)
		l2 = w.licenseOf(w.pol2, false, false, nil)
		m1, m2 = w.createMachine(l1, "m1", nil), w.createMachine(l2, "m2", nil)
		w.compsOn(m1, a)
		w.compsOn(m2, b)
		return
	}
	// ownerScoped: licenses 1 and 2 owned by the user, machines on licenses 1..3 (the
	// first owned by the user) with 7, 14 and 4 components.
	ownerScoped := func(w *world) {
		l1 := w.licenseOf(w.pol, true, false, nil)
		l2 := w.licenseOf(w.pol2, true, false, nil)
		l3 := w.licenseOf(w.pol2, false, false, nil)
		w.compsOn(w.machineOwnedBy(l1, "m1", w.owner), 7)
		w.compsOn(w.createMachine(l2, "m2", nil), 14)
		w.compsOn(w.createMachine(l3, "m3", nil), 4)
	}
	bad := func(name, q string) apiCase {
		return apiCase{name: f + name, status: 400, setup: func(w *world) req { w.comps(2); return list(q, "") }}
	}
	runEach(t, func(t *testing.T) *world { return newLicensingWorld(t, nil) }, []apiCase{
		{name: f + "Admin retrieves all components for their account", check: listLen(3), setup: staff(func(w *world) string { return "" })},
		{name: f + "Developer retrieves all components for their account", check: listLen(3), setup: staff(func(w *world) string { return w.devAuth })},
		{name: f + "Sales retrieves all components for their account", check: listLen(3), setup: staff(func(w *world) string { return w.salesAuth })},
		{name: f + "Support retrieves all components for their account", check: listLen(3), setup: staff(func(w *world) string { return w.supportAuth })},
		{name: f + "Read-only retrieves all components for their account", check: listLen(3), setup: staff(func(w *world) string { return w.roAuth })},
		{name: f + "Admin retrieves an offset-paginated list of components", check: listLen(5),
			setup: func(w *world) req {
				w.compsOn(w.createMachine(w.licenseOf(w.pol, false, false, nil), "m", nil), 20)
				return list("?page[number]=2&page[size]=5", "")
			}},
		{name: f + "Admin retrieves an offset-paginated list of components scoped to product",
			check: both(listLen(6), func(t *testing.T, w *world, r *reply) {
				offsetLinks("page[number]=%d&page[size]=100&product="+w.prod2, 1, 6, false)(t, w, r)
			}),
			setup: func(w *world) req {
				twoProducts(w, 9, 6)
				return list("?page[number]=1&page[size]=100&product="+w.prod2, "")
			}},
		{name: f + "Admin retrieves an offset-paginated list of components scoped to license",
			setup: func(w *world) req {
				_, _, l1, _ := twoProducts(w, 13, 4)
				return list("?page[number]=1&page[size]=100&license="+l1, "")
			},
			check: both(listLen(13), func(t *testing.T, w *world, r *reply) {
				assert.Equal(t, float64(13), r.doc["links"].(map[string]any)["meta"].(map[string]any)["count"])
			})},
		{name: f + "Admin retrieves an offset-paginated list of components scoped to machine",
			setup: func(w *world) req {
				_, m2, _, _ := twoProducts(w, 2, 14)
				return list("?page[number]=1&page[size]=10&machine="+m2, "")
			},
			check: both(listLen(10), func(t *testing.T, w *world, r *reply) {
				m2 := w.get("/machines?license=" + w.get("/licenses?product=" + w.prod2).list()[0].(map[string]any)["id"].(string)).list()[0].(map[string]any)["id"].(string)
				offsetLinks("machine="+m2+"&page[number]=%d&page[size]=10", 2, 14, true)(t, w, r)
			})},
		{name: f + "Admin retrieves an offset-paginated list of components scoped to owner",
			setup: func(w *world) req { ownerScoped(w); return list("?page[number]=1&page[size]=10&owner="+w.owner, "") },
			check: both(listLen(7), func(t *testing.T, w *world, r *reply) {
				offsetLinks("owner="+w.owner+"&page[number]=%d&page[size]=10", 1, 7, false)(t, w, r)
			})},
		{name: f + "Admin retrieves an offset-paginated list of components scoped to user",
			setup: func(w *world) req { ownerScoped(w); return list("?page[number]=1&page[size]=10&user="+w.owner, "") },
			check: both(listLen(10), func(t *testing.T, w *world, r *reply) {
				offsetLinks("page[number]=%d&page[size]=10&user="+w.owner, 3, 21, true)(t, w, r)
			})},
		// MachineComponent.for_user takes a user's id or, for anything not a UUID, its email
		// (app/models/machine_component.rb).
		{name: f + "(app/models/machine_component.rb for_user) components scoped to a user's email", check: listLen(21),
			setup: func(w *world) req {
				ownerScoped(w)
				return list("?page[size]=100&page[number]=1&user=owner@example.com", "")
			}},
		// MachineComponent.for_machine joins the machine by id only: a fingerprint matches
		// nothing (app/models/machine_component.rb).
		{name: f + "(app/models/machine_component.rb for_machine) components scoped to a machine fingerprint", check: listLen(0),
			setup: func(w *world) req { twoProducts(w, 2, 3); return list("?machine=m1", "") }},
		// MachineComponent.for_user sets the FROM clause, and a user bearer's scope
		// (for_user again, app/policies/application_policy.rb) replaces it: the filter is
		// ignored for users.
		{name: f + "(app/models/machine_component.rb for_user) User retrieves their components scoped to another user", check: listLen(3),
			setup: func(w *world) req {
				_, m := w.ownedMachine(w.pol)
				w.compsOn(m, 3)
				w.compsOn(w.createMachine(w.licenseOf(w.pol, false, true, nil), "lu", nil), 2)
				return list("?user="+w.luID(), w.ownerAuth)
			}},
		bad("Admin retrieves an offset-paginated list of components with a page size that is too high", "?page[number]=1&page[size]=250"),
		bad("Admin retrieves an offset-paginated list of components with a page size that is too low", "?page[number]=1&page[size]=0"),
		bad("Admin retrieves an offset-paginated list of components with an invalid page number", "?page[number]=-1&page[size]=10"),
		bad("Admin retrieves an offset-paginated list of components with an invalid page param", "?page=1&size=100"),
		bad("Admin retrieves all components with a limit that is too high", "?limit=900"),
		bad("Admin retrieves all components with a limit that is too low", "?limit=0"),
		{name: f + "Admin retrieves a keyset-paginated list of components (first page)",
			setup: func(w *world) req { w.comps(19); return list("?page[size]=5&page[cursor]=", "") },
			check: func(t *testing.T, w *world, r *reply) {
				all := listedIDs(w.get("/components?limit=100"))
				require.Len(t, r.list(), 5)
				wantLinks(map[string]any{"self": base(w) + "?page[cursor]=&page[size]=5", "next": base(w) + "?page[cursor]=" + all[4] + "&page[size]=5"})(t, w, r)
			}},
		{name: f + "Admin retrieves a keyset-paginated list of components (next page)",
			setup: func(w *world) req {
				w.comps(19)
				return list("?page[size]=5&page[cursor]="+listedIDs(w.get("/components?limit=100"))[4], "")
			},
			check: func(t *testing.T, w *world, r *reply) {
				all := listedIDs(w.get("/components?limit=100"))
				assert.Equal(t, all[5:10], listedIDs(r))
				wantLinks(map[string]any{"self": base(w) + "?page[cursor]=" + all[4] + "&page[size]=5", "next": base(w) + "?page[cursor]=" + all[9] + "&page[size]=5"})(t, w, r)
			}},
		{name: f + "Admin retrieves a keyset-paginated list of components (last page)", check: listLen(4),
			setup: func(w *world) req {
				w.comps(19)
				all := listedIDs(w.get("/components?limit=100"))
				return list("?page[size]=5&page[cursor]="+all[14], "")
			}},
		{name: f + "Admin retrieves all components without a limit for their account", check: listLen(10),
			setup: func(w *world) req {
				w.compsOn(w.createMachine(w.licenseOf(w.pol, false, false, nil), "m", nil), 20)
				return list("", "")
			}},
		{name: f + "Admin retrieves all components with a low limit for their account", check: listLen(5),
			setup: func(w *world) req { w.comps(10); return list("?limit=5", "") }},
		{name: f + "Admin retrieves all components with a high limit for their account", check: listLen(20),
			setup: func(w *world) req {
				w.compsOn(w.createMachine(w.licenseOf(w.pol, false, false, nil), "m", nil), 20)
				return list("?limit=20", "")
			}},
		{name: f + "Product retrieves all components for their product", check: listLen(1),
			setup: func(w *world) req {
				w.component(w.createMachine(w.licenseOf(w.pol, false, false, nil), "m", nil), "c")
				for i := range 5 {
					w.component(w.createMachine(w.licenseOf(w.pol2, false, false, nil), fmt.Sprint("o", i), nil), "c")
				}
				return list("", w.prodAuth)
			}},
		{name: f + "Admin attempts to retrieve all components for another account", status: 401, check: errCount(1),
			setup: func(w *world) req { return list("", w.otherAcct) }},
		{name: f + "User attempts to retrieve all components for their group", check: listLen(0),
			setup: func(w *world) req {
				g1, g2 := w.group(nil), w.group(nil)
				require.Equal(w.t, 200, w.do(req{method: "POST", path: "/groups/" + g1 + "/owners", body: ownersBody(w.owner)}).status)
				for i, g := range []string{g1, g1, g2, g2} {
					lic := w.mustLicense(w.pol, nil, map[string]any{"group": groupLink(g)}).id()
					w.compsOn(w.createMachine(lic, fmt.Sprint("g", i), nil), []int{3, 1, 7, 2}[i])
				}
				w.comps(5)
				return list("", w.ownerAuth)
			}},
		{name: f + "User attempts to retrieve all their components (license owner)", check: listLen(3),
			setup: func(w *world) req {
				_, m := w.ownedMachine(w.pol)
				w.compsOn(m, 3)
				w.comps(2)
				return list("", w.ownerAuth)
			}},
		{name: f + "User attempts to retrieve all their components (license user)", check: listLen(6),
			setup: func(w *world) req {
				lics := []string{w.licenseOf(w.pol, false, true, nil), w.licenseOf(w.pol, false, false, nil), w.licenseOf(w.pol, false, true, nil)}
				for i, l := range lics {
					w.compsOn(w.createMachine(l, fmt.Sprint("m", i), nil), 3)
				}
				return list("", w.luAuth)
			}},
		{name: f + "License retrieves all components for their license with matches", check: listLen(3),
			setup: func(w *world) req {
				lic := w.licenseOf(w.pol, false, false, nil)
				w.compsOn(w.createMachine(lic, "m", nil), 3)
				w.comps(2)
				return list("", w.licenseAuth(lic, nil))
			}},
		{name: f + "License retrieves all components for their license with no matches", check: listLen(0),
			setup: func(w *world) req {
				lic := w.licenseOf(w.pol, false, false, nil)
				w.comps(5)
				return list("", w.licenseAuth(lic, nil))
			}},
	})
}

func TestComponentFeaturesRelationships(t *testing.T) {
	t.Parallel()
	var cases []apiCase
	for _, rel := range []string{"license", "machine", "product"} {
		f := "components/relationships/" + rel + ".feature: "
		typ := plural(rel)
		path := func(cp string) string { return "/components/" + cp + "/" + rel }
		// userOK: a user reads a related license or machine, but not the product: the default
		// user permissions lack product.read (403).
		userOK, userTitle := 200, "User attempts to retrieve the "+rel+" for a component they own"
		licOK := 200
		if rel == "product" {
			userOK, licOK = 403, 403
		}
		okOr := func(status int) func(t *testing.T, w *world, r *reply) {
			return func(t *testing.T, w *world, r *reply) {
				if status == 200 {
					isType(typ)(t, w, r)
				}
			}
		}
		owner, lu := " (license owner)", " (license user)"
		licTitle := "License attempts to retrieves the " + rel + " of a component"
		if rel == "product" {
			owner, lu = " (default permission)", ""
			licTitle += " (default permission)"
		}
		cases = append(cases,
			apiCase{name: f + "Admin retrieves the " + rel + " for a component", check: isType(typ),
				setup: func(w *world) req { return getAs(path(w.comps(3)[0]), "") }},
			apiCase{name: f + "Product retrieves the " + rel + " for a component", check: isType(typ),
				setup: func(w *world) req {
					return getAs(path(w.component(w.createMachine(w.licenseOf(w.pol, false, false, nil), "m", nil), "c")), w.prodAuth)
				}},
			apiCase{name: f + "Product retrieves the " + rel + " for a component of different product", status: 404,
				setup: func(w *world) req {
					return getAs(path(w.component(w.createMachine(w.licenseOf(w.pol2, false, false, nil), "m", nil), "c")), w.prodAuth)
				}},
			apiCase{name: f + userTitle + owner, status: userOK, check: okOr(userOK),
				setup: func(w *world) req { _, m := w.ownedMachine(w.pol); return getAs(path(w.compsOn(m, 3)[0]), w.ownerAuth) }},
			apiCase{name: f + "User attempts to retrieve the " + rel + " for a component they don't own", status: 404,
				setup: func(w *world) req { return getAs(path(w.comps(3)[0]), w.ownerAuth) }},
			apiCase{name: f + licTitle, status: licOK, check: okOr(licOK),
				setup: func(w *world) req {
					lic := w.licenseOf(w.pol, false, false, nil)
					return getAs(path(w.compsOn(w.createMachine(lic, "m", nil), 2)[1]), w.licenseAuth(lic, nil))
				}},
			apiCase{name: f + "License attempts to retrieve the " + rel + " for a component they don't own", status: 404,
				setup: func(w *world) req {
					lic := w.licenseOf(w.pol, false, false, nil)
					return getAs(path(w.comps(2)[1]), w.licenseAuth(lic, nil))
				}},
			apiCase{name: f + "Anonymous attempts to retrieve a components's license", status: 401,
				setup: func(w *world) req { return getAs(path(w.comps(1)[0]), "-") }},
			apiCase{name: f + "Admin attempts to retrieve the " + rel + " for a component of another account", status: 401,
				setup: func(w *world) req { return getAs(path(w.comps(3)[0]), w.otherAcct) }},
		)
		if lu != "" {
			cases = append(cases, apiCase{name: f + userTitle + lu, check: isType(typ),
				setup: func(w *world) req {
					m := w.createMachine(w.licenseOf(w.pol, false, true, nil), "m", nil)
					return getAs(path(w.compsOn(m, 3)[0]), w.luAuth)
				}})
		}
	}
	runEach(t, func(t *testing.T) *world { return newLicensingWorld(t, nil) }, cases)
}
