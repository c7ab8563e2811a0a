package keygentest

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Scenarios of features/api/v1/machines/**/*.feature (keygen-sh/keygen-api) not pinned by
// machines_test.go, one case each, named "<file>: <scenario title>". EE scenarios
// (environments, the permissions attribute) and those of a disabled or canceled account are
// not here.

// mPost posts a machine document as auth (the admin when empty).
func mPost(auth string, body any) req {
	return req{method: "POST", path: "/machines", auth: auth, body: body}
}

// mOwned activates n machines of the license with attrs and the owner ("" for none),
// setting the owner in the store as the features' factories do (past the license-user rule).
func mOwned(w *world, lic string, n int, owner string, attrs map[string]any) {
	w.t.Helper()
	for range n {
		a := map[string]any{}
		for k, v := range attrs {
			a[k] = v
		}
		id := w.createMachine(lic, newUUID(), a)
		if owner != "" {
			w.withStore(func(db *store) { db.machines[id].OwnerID = ptr(owner) })
		}
	}
}

// perUserLicense is the first of the PER_USER scenarios' licenses: a policy with attrs,
// a license with a license user (returned) and machines seeded past the limits.
func perUserLicense(w *world, attrs map[string]any) (lic, u string) {
	pol := w.floatingPolicy(attrs)
	lic, _ = w.createLicense(pol, nil, "")
	u = w.createUser("lu@example.com")
	w.addLicenseUser(lic, u)
	return lic, u
}

// seeded lifts the policy's limits while fn seeds machines, then restores them (the
// features' factories write past the limits).
func seeded(w *world, lic string, fn func()) {
	var pol *policy
	var keep string
	w.withStore(func(db *store) {
		pol = db.policies[db.licenses[lic].PolicyID]
		keep = pol.OverageStrategy
		pol.OverageStrategy = "ALWAYS_ALLOW_OVERAGE"
	})
	fn()
	w.withStore(func(db *store) { pol.OverageStrategy = keep })
}

func TestMachineFeaturesCreate(t *testing.T) {
	const fp = "Pm:L2:UP:ti:9Z:eJ:Ts:4k:Zv:Gn:LJ:cv:sn:dW:hw"
	limit := func(n int, scope string) string {
		return fmt.Sprintf("machine count has exceeded maximum allowed for %s (%d)", scope, n)
	}
	data := map[string]any{"pointer": "/data"}
	perUser := func(over string, max int, floating bool) map[string]any {
		a := map[string]any{"machineLeasingStrategy": "PER_USER", "maxMachines": max, "floating": floating}
		if over != "" {
			a["overageStrategy"] = over
		}
		return a
	}
	// perUserCase: owned machines of the license user and unowned ones, then a machine
	// posted with or without the owner.
	perUserCase := func(title string, attrs map[string]any, owned, unowned int, withOwner bool, status int, detail string) apiCase {
		c := apiCase{name: mcreate + ": " + title, status: status,
			setup: func(w *world) req {
				lic, u := perUserLicense(w, attrs)
				for range 3 {
					w.createLicense(w.floatingPolicy(nil), nil, "")
				}
				seeded(w, lic, func() {
					mOwned(w, lic, owned, u, nil)
					mOwned(w, lic, unowned, "", nil)
				})
				var rels map[string]any
				if withOwner {
					rels = map[string]any{"owner": link("users", u)}
				}
				return mPost("", machineBody(lic, fp, nil, rels))
			}}
		if detail != "" {
			c.title, c.code, c.detail, c.source = unprocessed, "MACHINE_LIMIT_EXCEEDED", detail, data
		} else {
			c.attrs = map[string]any{"fingerprint": fp}
		}
		return c
	}
	// resCase: n machines with attr=each on a license of a policy with attrs (the license
	// with lattrs), then a machine with attr=next.
	resCase := func(title string, attrs, lattrs map[string]any, attr string, n, each, next int, status int, code, detail string) apiCase {
		c := apiCase{name: mcreate + ": " + title, status: status,
			setup: func(w *world) req {
				lic, _ := w.createLicense(w.floatingPolicy(attrs), lattrs, "")
				seeded(w, lic, func() { mOwned(w, lic, n, "", map[string]any{attr: each}) })
				return mPost("", machineBody(lic, fp, map[string]any{attr: next}, nil))
			}}
		if code != "" {
			c.title, c.code, c.detail, c.source = unprocessed, code, detail, data
		} else {
			c.attrs = map[string]any{attr: float64(next)}
		}
		return c
	}
	cores := func(over string, floating bool, maxMachines int) map[string]any {
		return map[string]any{"overageStrategy": over, "maxMachines": maxMachines, "maxCores": 32, "floating": floating}
	}
	coreLimit := "machine core count has exceeded maximum allowed for license (32)"
	// compConflict: a machine with one component on the last license, then a machine on the
	// first license nesting a component of the same fingerprint.
	compConflict := func(strategy string, products, policies, licenses int, status int, detail string) apiCase {
		c := apiCase{name: mcreate + ": Admin creates a machine with conflicting hardware components (" + strategy + ")", status: status,
			setup: func(w *world) req {
				var lics []string
				for range products {
					prod := w.product()
					for range policies {
						pol := w.policy(prod, map[string]any{"floating": true, "componentUniquenessStrategy": strategy})
						for range licenses {
							lics = append(lics, w.licenseOf(pol, false, false, nil))
						}
					}
				}
				m := w.createMachine(lics[len(lics)-1], newUUID(), nil)
				w.component(m, "COMPFP")
				return mPost("", machineBody(lics[0], "B841C9C6E06C4F6B9FED0ED551B71D16", map[string]any{"name": "Windows Desktop"},
					map[string]any{"components": map[string]any{"data": []any{
						map[string]any{"type": "components", "attributes": map[string]any{"fingerprint": "COMPFP", "name": "CPU"}}}}}))
			}}
		if detail != "" {
			c.title, c.code, c.detail = unprocessed, "COMPONENTS_FINGERPRINT_TAKEN", detail
			c.source = map[string]any{"pointer": "/data/relationships/components/data/0/attributes/fingerprint"}
			c.check = both(compCount(1), func(t *testing.T, w *world, _ *reply) { assert.Equal(t, 1, w.machineCount()) })
		} else {
			c.check = both(compCount(2), func(t *testing.T, w *world, _ *reply) { assert.Equal(t, 2, w.machineCount()) })
		}
		return c
	}
	comp := func(fp, name string) map[string]any {
		return map[string]any{"type": "components", "attributes": map[string]any{"fingerprint": fp, "name": name}}
	}
	cases := []apiCase{
		{name: mcreate + ": Admin creates a machine for a floating license that has already reached its limit (allows 1.25x overages)", status: 201,
			setup: func(w *world) req {
				lic, _ := w.createLicense(w.floatingPolicy(map[string]any{"overageStrategy": "ALLOW_1_25X_OVERAGE", "maxMachines": 4, "strict": true}), nil, "")
				mOwned(w, lic, 4, "", nil)
				return mPost("", machineBody(lic, fp, nil, nil))
			},
			attrs: map[string]any{"fingerprint": fp}},
		{name: mcreate + ": Admin creates a machine for a node-locked license that does not have a limit (no overages)", status: 201,
			setup: func(w *world) req {
				pol := w.floatingPolicy(map[string]any{"overageStrategy": "NO_OVERAGE", "floating": false})
				lic, _ := w.createLicense(pol, nil, "")
				// A node-locked policy's limit may be cleared (validates equal_to 1, allow_nil).
				w.patchPolicy(pol, map[string]any{"maxMachines": nil})
				mOwned(w, lic, 3, "", nil)
				return mPost("", machineBody(lic, fp, nil, nil))
			},
			attrs: map[string]any{"fingerprint": fp}},
		perUserCase("Admin creates a machine for a floating license that is under its limit (PER_USER leasing strategy, no owner)",
			perUser("", 3, true), 3, 2, false, 201, ""),
		perUserCase("Admin creates a machine for a floating license that has exceeded its limit (PER_USER leasing strategy, with owner)",
			perUser("", 3, true), 3, 2, true, 422, limit(3, "user")),
		perUserCase("Admin creates a machine for a floating license that is under its overage limit (PER_USER leasing strategy, with owner)",
			perUser("ALLOW_2X_OVERAGE", 3, true), 5, 6, true, 201, ""),
		perUserCase("Admin creates a machine for a floating license that is under its overage limit (PER_USER leasing strategy, no owner)",
			perUser("ALLOW_2X_OVERAGE", 3, true), 6, 5, false, 201, ""),
		perUserCase("Admin creates a machine for a floating license that has exceeded its overage limit (PER_USER leasing strategy, with owner)",
			perUser("ALLOW_2X_OVERAGE", 3, true), 6, 5, true, 422, limit(3, "user")),
		perUserCase("Admin creates a machine for a floating license that has exceeded its overage limit (PER_USER leasing strategy, no owner)",
			perUser("ALLOW_2X_OVERAGE", 3, true), 5, 6, false, 422, limit(3, "user")),
		perUserCase("Admin creates a machine for a node-locked license that has not reached its limit (PER_USER leasing strategy, with owner)",
			perUser("", 1, false), 0, 1, true, 201, ""),
		perUserCase("Admin creates a machine for a node-locked license that has not reached its limit (PER_USER leasing strategy, no owner)",
			perUser("", 1, false), 1, 0, false, 201, ""),
		perUserCase("Admin creates a machine for a node-locked license that has exceeded its limit (PER_USER leasing strategy, with owner)",
			perUser("", 1, false), 1, 0, true, 422, limit(1, "user")),
		perUserCase("Admin creates a machine for a node-locked license that has exceeded its limit (PER_USER leasing strategy, no owner)",
			perUser("", 1, false), 0, 1, false, 422, limit(1, "user")),

		resCase("Admin creates a machine for a floating license that has not reached its core limit",
			cores("NO_OVERAGE", true, 10), nil, "cores", 2, 8, 12, 201, "", ""),
		resCase("Admin creates a machine for a floating license that has exceeded its core limit (allow overage)",
			cores("ALWAYS_ALLOW_OVERAGE", true, 10), nil, "cores", 3, 8, 16, 201, "", ""),
		resCase("Admin creates a machine for a floating license that has exceeded its core overage limit (allow 1.5x overage)",
			cores("ALLOW_1_5X_OVERAGE", true, 10), nil, "cores", 6, 8, 16, 422, "MACHINE_CORE_LIMIT_EXCEEDED", coreLimit),
		resCase("Admin creates a machine for a floating license that is under its core overage limit (allow 2x overage)",
			cores("ALLOW_2X_OVERAGE", true, 10), nil, "cores", 6, 8, 16, 201, "", ""),
		resCase("Admin creates a machine for a floating license that has exceeded its core overage limit (allow 2x overage)",
			cores("ALLOW_2X_OVERAGE", true, 10), nil, "cores", 7, 8, 16, 422, "MACHINE_CORE_LIMIT_EXCEEDED", coreLimit),
		resCase("Admin creates a machine for a node-locked license that has not reached its core limit",
			map[string]any{"overageStrategy": "NO_OVERAGE", "maxMachines": 1, "maxCores": 8, "floating": false}, nil, "cores", 0, 8, 8, 201, "", ""),
		resCase("Admin creates a machine for a node-locked license that has not reached its core limit (PER_USER leasing strategy, no owner)",
			map[string]any{"machineLeasingStrategy": "PER_USER", "overageStrategy": "NO_OVERAGE", "maxMachines": 1, "maxCores": 8, "floating": false},
			nil, "cores", 0, 8, 8, 201, "", ""),
		resCase("Admin creates a machine for a floating license that has not reached its memory limit",
			map[string]any{"overageStrategy": "NO_OVERAGE", "maxMachines": 10, "maxMemory": 32768}, nil, "memory", 2, 8192, 12288, 201, "", ""),
		resCase("Admin creates a machine for a floating license with a max memory override (no overages)",
			map[string]any{"overageStrategy": "NO_OVERAGE", "maxMachines": 10, "maxMemory": 32768}, map[string]any{"maxMemory": 65536},
			"memory", 4, 8192, 32768, 201, "", ""),
		resCase("Admin creates a machine for a floating license that has exceeded its memory limit (allow overage)",
			map[string]any{"overageStrategy": "ALWAYS_ALLOW_OVERAGE", "maxMachines": 10, "maxMemory": 32768}, nil, "memory", 3, 8192, 16384, 201, "", ""),
		resCase("Admin creates a machine for a floating license that is under its memory overage limit (allow 1.5x overage)",
			map[string]any{"overageStrategy": "ALLOW_1_5X_OVERAGE", "maxMachines": 10, "maxMemory": 32768}, nil, "memory", 3, 8192, 16384, 201, "", ""),
		resCase("Admin creates a machine for a floating license that has not reached its disk limit",
			map[string]any{"overageStrategy": "NO_OVERAGE", "maxMachines": 10, "maxDisk": 1048576}, nil, "disk", 2, 262144, 393216, 201, "", ""),
		resCase("Admin creates a machine for a floating license with a max disk override (no overages)",
			map[string]any{"overageStrategy": "NO_OVERAGE", "maxMachines": 10, "maxDisk": 1048576}, map[string]any{"maxDisk": 2097152},
			"disk", 4, 262144, 1048576, 201, "", ""),
		resCase("Admin creates a machine for a floating license that has exceeded its disk limit (allow overage)",
			map[string]any{"overageStrategy": "ALWAYS_ALLOW_OVERAGE", "maxMachines": 10, "maxDisk": 1048576}, nil, "disk", 3, 262144, 524288, 201, "", ""),
		{name: mcreate + ": Admin creates a machine with a large disk count but policy has no maximum", status: 201,
			setup: func(w *world) req {
				lic, _ := w.createLicense("", nil, "")
				return mPost("", machineBody(lic, fp, map[string]any{"disk": int64(9223372036854775807)}, nil))
			},
			check: func(t *testing.T, _ *world, r *reply) {
				assert.Contains(t, string(r.body), `"disk":9223372036854775807`)
			}},
		{name: mcreate + ": Admin creates a machine for a floating license that is under its core overage limit (PER_USER leasing strategy, no owner)", status: 201,
			setup: func(w *world) req {
				lic, _ := perUserLicense(w, map[string]any{"machineLeasingStrategy": "PER_USER", "maxMachines": 10, "maxCores": 32})
				mOwned(w, lic, 2, "", map[string]any{"cores": 8})
				return mPost("", machineBody(lic, fp, map[string]any{"cores": 16}, nil))
			},
			attrs: map[string]any{"cores": 16.0}},
		{name: mcreate + ": Admin creates a machine for a floating license that has exceeded its core overage limit (PER_USER leasing strategy, with owner)", status: 422,
			setup: func(w *world) req {
				lic, u := perUserLicense(w, map[string]any{"machineLeasingStrategy": "PER_USER", "maxMachines": 10, "maxCores": 32})
				mOwned(w, lic, 2, u, map[string]any{"cores": 16})
				return mPost("", machineBody(lic, fp, map[string]any{"cores": 16}, map[string]any{"owner": link("users", u)}))
			},
			title: unprocessed, code: "MACHINE_CORE_LIMIT_EXCEEDED", detail: "machine core count has exceeded maximum allowed for user (32)", source: data},
		{name: mcreate + ": Admin creates a machine for a floating license that has exceeded its core overage limit (PER_USER leasing strategy, no owner)", status: 422,
			setup: func(w *world) req {
				lic, _ := perUserLicense(w, map[string]any{"machineLeasingStrategy": "PER_USER", "maxMachines": 10, "maxCores": 32})
				seeded(w, lic, func() { mOwned(w, lic, 2, "", map[string]any{"cores": 16}) })
				return mPost("", machineBody(lic, fp, map[string]any{"cores": 16}, nil))
			},
			title: unprocessed, code: "MACHINE_CORE_LIMIT_EXCEEDED", detail: "machine core count has exceeded maximum allowed for user (32)", source: data},

		// Nested components (app/controllers/api/v1/machines_controller.rb, app/models/machine.rb).
		{name: mcreate + ": Admin creates a machine with nested hardware components", status: 201,
			setup: func(w *world) req {
				lic, _ := w.createLicense("", nil, "")
				return mPost("", machineBody(lic, "B841C9C6E06C4F6B9FED0ED551B71D16", map[string]any{"name": "Windows Desktop"},
					map[string]any{"components": map[string]any{"data": []any{
						map[string]any{"type": "components", "attributes": map[string]any{"fingerprint": "E31EE496D46E4C33A3D27BD3745F3B00", "name": "MOBO",
							"metadata": map[string]any{"make": "ASUS", "model": "ROG Strix B550-XE"}}},
						comp("3EE6404F473A455F91B418029388A3BF", "CPU"), comp("1D595FD063C7477C8969C16D120BD95D", "GPU")}}}))
			},
			attrs: map[string]any{"fingerprint": "B841C9C6E06C4F6B9FED0ED551B71D16", "name": "Windows Desktop"},
			check: compCount(3)},
		{name: mcreate + ": Admin creates a machine with too many hardware components", status: 422,
			setup: func(w *world) req {
				lic, _ := w.createLicense("", nil, "")
				var cs []any
				for i := range 21 {
					cs = append(cs, comp(fmt.Sprintf("%02d", i), fmt.Sprintf("%02d", i)))
				}
				return mPost("", machineBody(lic, "A527640DCF194DFA837E1B81ECCE24FA", map[string]any{"name": "Test"},
					map[string]any{"components": map[string]any{"data": cs}}))
			},
			title: "Unprocessable entity", detail: "too many records",
			check: both(compCount(0), func(t *testing.T, w *world, _ *reply) { assert.Equal(t, 0, w.machineCount()) })},
		{name: mcreate + ": Admin creates a machine with duplicate hardware components", status: 422,
			setup: func(w *world) req {
				lic, _ := w.createLicense("", nil, "")
				return mPost("", machineBody(lic, "B841C9C6E06C4F6B9FED0ED551B71D16", map[string]any{"name": "Windows Desktop"},
					map[string]any{"components": map[string]any{"data": []any{
						comp("E31EE496D46E4C33A3D27BD3745F3B00", "MOBO"), comp("E31EE496D46E4C33A3D27BD3745F3B00", "MOBO")}}}))
			},
			title: unprocessed, detail: "is duplicated", code: "COMPONENTS_FINGERPRINT_CONFLICT",
			source: map[string]any{"pointer": "/data/relationships/components/data/0/attributes/fingerprint"},
			check: func(t *testing.T, w *world, r *reply) {
				assert.Equal(t, map[string]any{"pointer": "/data/relationships/components/data/1/attributes/fingerprint"}, r.err(1)["source"], string(r.body))
				assert.Equal(t, "COMPONENTS_FINGERPRINT_CONFLICT", r.err(1)["code"])
				assert.Equal(t, 0, w.machineCount())
			}},
		compConflict("UNIQUE_PER_ACCOUNT", 2, 1, 2, 422, "has already been taken for this account"),
		compConflict("UNIQUE_PER_PRODUCT", 1, 2, 2, 422, "has already been taken for this product"),
		compConflict("UNIQUE_PER_POLICY", 1, 1, 2, 422, "has already been taken for this policy"),
		compConflict("UNIQUE_PER_LICENSE", 1, 1, 1, 422, "has already been taken for this license"),
		compConflict("UNIQUE_PER_MACHINE", 1, 1, 1, 201, ""),
	}
	runEach(t, newProductWorld, cases)
}

// TestMachineFeaturesCreateScopes: fingerprint uniqueness strategies, groups and owners of
// a new machine (app/models/machine.rb, app/policies/machine_policy.rb).
func TestMachineFeaturesCreateScopes(t *testing.T) {
	const fp = "mN:8M:uK:WL:Dx:8z:Vb:9A:ut:zD:FA:xL:fv:zt:ZE"
	const gfp = "4d:Eq:UV:D3:XZ:tL:WN:Bz:mA:Eg:E6:Mk:YX:dK:NC"
	taken := func(detail string) map[string]any { return map[string]any{"pointer": "/data/attributes/fingerprint"} }
	// uniq: a machine with fp on the other license, then the first license's token
	// (maxActivations 1) activates fp; a refusal spends no activation.
	uniq := func(title string, mk func(w *world) (lic, other string), status int, detail string) apiCase {
		c := apiCase{name: mcreate + ": " + title, status: status,
			setup: func(w *world) req {
				lic, other := mk(w)
				w.createMachine(other, fp, nil)
				return mPost(w.licenseAuth(lic, map[string]any{"maxActivations": 1}), machineBody(lic, fp, nil, nil))
			}}
		if detail != "" {
			c.title, c.code, c.detail, c.source = unprocessed, "FINGERPRINT_TAKEN", detail, taken(detail)
			c.check = func(t *testing.T, w *world, _ *reply) {
				assert.Equal(t, 1, w.machineCount())
				w.withStore(func(db *store) {
					for _, tk := range db.tokens {
						if tk.Kind == "activation-token" {
							assert.Equal(t, 0, int(tk.Activations))
						}
					}
				})
			}
		} else {
			c.attrs = map[string]any{"fingerprint": fp}
		}
		return c
	}
	samePolicy := func(strategy string) func(w *world) (string, string) {
		return func(w *world) (string, string) {
			pol := w.floatingPolicy(map[string]any{"machineUniquenessStrategy": strategy})
			a, _ := w.createLicense(pol, nil, "")
			b, _ := w.createLicense(pol, nil, "")
			return a, b
		}
	}
	group := func(w *world, max int) string {
		return w.mustCreate("/groups", "groups", map[string]any{"name": "G", "maxMachines": max}, nil)
	}
	groupRel := func(w *world, r *reply) map[string]any { return relData(r, "group") }
	cases := []apiCase{
		uniq("License creates a machine with a fingerprint matching another license's machine for a policy-scoped machine uniqueness strategy (same policy)",
			samePolicy("UNIQUE_PER_POLICY"), 422, "has already been taken for this policy"),
		uniq("License creates a machine with a fingerprint from another license's machine for a policy-scoped machine uniqueness strategy (different policy)",
			func(w *world) (string, string) {
				a, _ := w.createLicense(w.floatingPolicy(map[string]any{"machineUniquenessStrategy": "UNIQUE_PER_POLICY"}), nil, "")
				b, _ := w.createLicense(w.floatingPolicy(map[string]any{"machineUniquenessStrategy": "UNIQUE_PER_POLICY"}), nil, "")
				return a, b
			}, 201, ""),
		uniq("License creates a machine with a fingerprint from another license's machine for a product-scoped machine uniqueness strategy (different product)",
			func(w *world) (string, string) {
				a, _ := w.createLicense(w.floatingPolicy(map[string]any{"machineUniquenessStrategy": "UNIQUE_PER_PRODUCT"}), nil, "")
				b := w.licenseOwnedBy(w.policy(w.product(), map[string]any{"floating": true, "machineUniquenessStrategy": "UNIQUE_PER_PRODUCT"}), "")
				return a, b
			}, 201, ""),
		uniq("License creates a machine with a fingerprint from another license's machine for a account-scoped machine uniqueness strategy (same account)",
			samePolicy("UNIQUE_PER_ACCOUNT"), 422, "has already been taken for this account"),

		{name: mcreate + ": Admin creates a grouped machine for their account (limit exceeded, explicit group)", status: 422,
			setup: func(w *world) req {
				g := group(w, 1)
				lic, _ := w.createLicense("", nil, "")
				other, _ := w.createLicense("", nil, "")
				m := w.createMachine(other, newUUID(), nil)
				w.withStore(func(db *store) { db.machines[m].GroupID = ptr(g) })
				return mPost("", machineBody(lic, gfp, nil, map[string]any{"group": link("groups", g)}))
			},
			title: unprocessed, code: "GROUP_MACHINE_LIMIT_EXCEEDED", detail: "machine count has exceeded maximum allowed by current group (1)",
			source: map[string]any{"pointer": "/data/relationships/group"}},
		{name: mcreate + ": Admin creates a grouped machine for their account (limit exceeded, inherited group)", status: 422,
			setup: func(w *world) req {
				g := group(w, 1)
				lic, _ := w.createLicense("", nil, "")
				w.mutLicense(lic, func(l *license) { l.GroupID = ptr(g) })
				other, _ := w.createLicense("", nil, "")
				m := w.createMachine(other, newUUID(), nil)
				w.withStore(func(db *store) { db.machines[m].GroupID = ptr(g) })
				return mPost("", machineBody(lic, gfp, nil, nil))
			},
			title: unprocessed, code: "GROUP_MACHINE_LIMIT_EXCEEDED", detail: "machine count has exceeded maximum allowed by current group (1)",
			source: map[string]any{"pointer": "/data/relationships/group"}},
		{name: mcreate + ": Admin creates a grouped machine for their account (inherited from license)", status: 201,
			setup: func(w *world) req {
				g := group(w, 1)
				lic, _ := w.createLicense("", nil, "")
				w.mutLicense(lic, func(l *license) { l.GroupID = ptr(g) })
				return mPost("", machineBody(lic, gfp, nil, nil))
			},
			check: func(t *testing.T, w *world, r *reply) {
				assert.Equal(t, link("groups", w.groupID())["data"], groupRel(w, r), string(r.body))
			}},
		// The license's owner is the admin (users[0]), who has no group; the machine has
		// no owner, so it inherits nothing.
		{name: mcreate + ": Admin creates a grouped machine for their account (inherited from user)", status: 201,
			setup: func(w *world) req {
				g := group(w, 1)
				u := w.createUser("grouped@example.com")
				w.mutUser(u, func(u *user) { u.GroupID = ptr(g) })
				lic, _ := w.createLicense("", nil, "")
				admin := w.get("/me").id()
				w.mutLicense(lic, func(l *license) { l.OwnerID = ptr(admin) })
				return mPost("", machineBody(lic, gfp, nil, nil))
			},
			check: func(t *testing.T, w *world, r *reply) {
				assert.Contains(t, rel(r, "group"), "data", string(r.body))
				assert.Nil(t, groupRel(w, r), string(r.body))
			}},
		{name: mcreate + ": Product creates a grouped machine for their account", status: 201,
			setup: func(w *world) req {
				g := group(w, 1)
				lic, _ := w.createLicense("", nil, "")
				return mPost(w.productAuth(w.prod), machineBody(lic, gfp, nil, map[string]any{"group": link("groups", g)}))
			},
			check: func(t *testing.T, w *world, r *reply) {
				assert.Equal(t, link("groups", w.groupID())["data"], groupRel(w, r), string(r.body))
			}},
		{name: mcreate + ": Admin creates a machine with an owner (license owner matches license owner)", status: 201,
			setup: func(w *world) req {
				u := w.createUser("owner@example.com")
				lic, _ := w.createLicense("", nil, u)
				w.createLicense("", nil, u)
				return mPost("", machineBody(lic, gfp, nil, map[string]any{"owner": link("users", u)}))
			},
			attrs: map[string]any{"fingerprint": gfp},
			check: func(t *testing.T, w *world, r *reply) {
				var u string
				w.withStore(func(db *store) {
					for _, x := range db.users {
						if x.Email == "owner@example.com" {
							u = x.ID
						}
					}
				})
				assert.Equal(t, link("users", u)["data"], relData(r, "owner"), string(r.body))
			}},
		{name: mcreate + ": License activates a machine with a token (auth strategy allowed)", status: 201,
			setup: func(w *world) req {
				lic, _ := w.createLicense(w.floatingPolicy(map[string]any{"authenticationStrategy": "TOKEN"}), nil, "")
				return mPost(w.licenseAuth(lic, nil), machineBody(lic, "Pm:L2:UP:ti:9Z:eJ:Ts:4k:Zv:Gn:LJ:cv:sn:dW:hw", nil, nil))
			}},
	}
	runEach(t, newProductWorld, cases)
}

// groupID is the one group of the world.
func (w *world) groupID() string {
	var id string
	w.withStore(func(db *store) {
		for gid := range db.lic.groups {
			id = gid
		}
	})
	return id
}
