package keygentest

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
	compConflict := func(title, strategy string, products, policies, licenses int, status int, detail string) apiCase {
		c := apiCase{name: mcreate + ": " + title, status: status,
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
		compConflict("Admin creates a machine with conflicting hardware components (UNIQUE_PER_ACCOUNT)", "UNIQUE_PER_ACCOUNT", 2, 1, 2, 422, "has already been taken for this account"),
		compConflict("Admin creates a machine with conflicting hardware components (UNIQUE_PER_PRODUCT)", "UNIQUE_PER_PRODUCT", 1, 2, 2, 422, "has already been taken for this product"),
		compConflict("Admin creates a machine with conflicting hardware components (UNIQUE_PER_POLICY)", "UNIQUE_PER_POLICY", 1, 1, 2, 422, "has already been taken for this policy"),
		compConflict("Admin creates a machine with conflicting hardware components (UNIQUE_PER_LICENSE)", "UNIQUE_PER_LICENSE", 1, 1, 1, 422, "has already been taken for this license"),
		compConflict("Admin creates a machine with conflicting hardware components (UNIQUE_PER_MACHINE)", "UNIQUE_PER_MACHINE", 1, 1, 1, 201, ""),
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

// mPatch patches the machine's attributes as auth (the admin when empty).
func mPatch(id, auth string, attrs map[string]any) req {
	return req{method: "PATCH", path: "/machines/" + id, auth: auth, body: map[string]any{"data": map[string]any{"type": "machines", "attributes": attrs}}}
}

func machinesLeft(n int) func(t *testing.T, w *world, r *reply) {
	return func(t *testing.T, w *world, r *reply) { assert.Equal(t, n, w.machineCount(), string(r.body)) }
}

// TestMachineFeaturesUpdateDestroy: machines/update.feature and machines/destroy.feature
// (app/policies/machine_policy.rb, app/models/machine.rb).
func TestMachineFeaturesUpdateDestroy(t *testing.T) {
	// onPolicy is one machine with attrs on a license of a policy with pattrs.
	onPolicy := func(w *world, pattrs, attrs map[string]any) string {
		lic, _ := w.createLicense(w.floatingPolicy(pattrs), nil, "")
		return w.createMachine(lic, newUUID(), attrs)
	}
	resUpdate := func(title string, pattrs map[string]any, attr string, from, to int64, status int, code, detail string) apiCase {
		c := apiCase{name: mupdate + ": " + title, status: status,
			setup: func(w *world) req {
				return mPatch(onPolicy(w, pattrs, map[string]any{attr: from}), "", map[string]any{attr: to})
			}}
		if code != "" {
			c.title, c.code, c.detail, c.source = unprocessed, code, detail, map[string]any{"pointer": "/data"}
		} else {
			c.attrs = map[string]any{attr: float64(to)}
		}
		return c
	}
	// userMachine: a license of a policy with pattrs owned by a new user (or with the user
	// as licensee when !owner), and a machine on it owned by the user when machineOwner.
	userMachine := func(w *world, pattrs map[string]any, owner, machineOwner bool) (m, auth string) {
		u, auth := w.userToken("user@example.com")
		var lic string
		if owner {
			lic, _ = w.createLicense(w.floatingPolicy(pattrs), nil, u)
		} else {
			lic, _ = w.createLicense(w.floatingPolicy(pattrs), nil, "")
			w.addLicenseUser(lic, u)
		}
		if machineOwner {
			return w.machineOwnedBy(lic, newUUID(), u), auth
		}
		return w.createMachine(lic, newUUID(), nil), auth
	}
	del := func(id, auth string) req { return req{method: "DELETE", path: "/machines/" + id, auth: auth} }
	threeMachines := func(w *world) []string {
		lic, _ := w.createLicense("", nil, "")
		return []string{w.createMachine(lic, newUUID(), nil), w.createMachine(lic, newUUID(), nil), w.createMachine(lic, newUUID(), nil)}
	}
	cases := []apiCase{
		resUpdate("Admin updates a machine's core count to an amount that is permissible",
			map[string]any{"overageStrategy": "NO_OVERAGE", "maxMachines": 1, "maxCores": 12, "floating": false}, "cores", 8, 12, 200, "", ""),
		resUpdate("Admin updates a machine's core count to an amount that exceeds their maximum core limit (allows overages)",
			map[string]any{"overageStrategy": "ALWAYS_ALLOW_OVERAGE", "maxMachines": 5, "maxCores": 12}, "cores", 8, 32, 200, "", ""),
		resUpdate("Admin updates a machine's memory to an amount that is permissible",
			map[string]any{"overageStrategy": "NO_OVERAGE", "maxMachines": 1, "maxMemory": 268435456, "floating": false}, "memory", 67108864, 67108864, 200, "", ""),
		resUpdate("Admin updates a machine's memory to an amount that exceeds their maximum memory limit (no overages)",
			map[string]any{"overageStrategy": "NO_OVERAGE", "maxMachines": 2, "maxMemory": 268435456}, "memory", 67108864, 536870912, 422,
			"MACHINE_MEMORY_LIMIT_EXCEEDED", "machine memory has exceeded maximum allowed for license (268435456)"),
		resUpdate("Admin updates a machine's disk to an amount that is permissible",
			map[string]any{"overageStrategy": "NO_OVERAGE", "maxMachines": 1, "maxDisk": 274877906944, "floating": false}, "disk", 68719476736, 68719476736, 200, "", ""),
		resUpdate("Admin updates a machine's disk to an amount that exceeds their maximum disk limit (no overages)",
			map[string]any{"overageStrategy": "NO_OVERAGE", "maxMachines": 2, "maxDisk": 274877906944}, "disk", 68719476736, 549755813888, 422,
			"MACHINE_DISK_LIMIT_EXCEEDED", "machine disk has exceeded maximum allowed for license (274877906944)"),
		resUpdate("Admin updates a machine's disk to an amount that exceeds their maximum disk limit (allows overages)",
			map[string]any{"overageStrategy": "ALWAYS_ALLOW_OVERAGE", "maxMachines": 2, "maxDisk": 274877906944}, "disk", 68719476736, 549755813888, 200, "", ""),
		{name: mupdate + ": Product updates a machine for their product",
			setup: func(w *world) req {
				return mPatch(onPolicy(w, nil, nil), w.productAuth(w.prod), map[string]any{"name": "Work MacBook Pro"})
			},
			attrs: map[string]any{"name": "Work MacBook Pro"}},
		{name: mupdate + ": License updates a machine's name that belongs to a unprotected license",
			setup: func(w *world) req {
				lic, _ := w.createLicense(w.floatingPolicy(map[string]any{"protected": false}), nil, "")
				return mPatch(w.createMachine(lic, newUUID(), nil), w.licenseAuth(lic, nil), map[string]any{"name": "Office Mac"})
			},
			attrs: map[string]any{"name": "Office Mac"}},
		{name: mupdate + ": User updates a machine's name that belongs to a unprotected license (license owner)",
			setup: func(w *world) req {
				m, auth := userMachine(w, map[string]any{"protected": false}, true, false)
				return mPatch(m, auth, map[string]any{"name": "Office Mac"})
			},
			attrs: map[string]any{"name": "Office Mac"}},
		{name: mupdate + ": User updates a machine's name that belongs to a unprotected license (license user, as owner)",
			setup: func(w *world) req {
				m, auth := userMachine(w, map[string]any{"protected": false}, false, true)
				return mPatch(m, auth, map[string]any{"name": "Office Mac"})
			},
			attrs: map[string]any{"name": "Office Mac"}},
		{name: mupdate + ": User updates a machine's name that belongs to a protected license", status: 403,
			setup: func(w *world) req {
				m, auth := userMachine(w, map[string]any{"protected": true}, true, false)
				return mPatch(m, auth, map[string]any{"name": "Office Mac"})
			},
			title: "Access denied", detail: denied},
		{name: mupdate + ": User updates a machine's fingerprint for their license", status: 400,
			setup: func(w *world) req {
				m, auth := userMachine(w, nil, true, false)
				return mPatch(m, auth, map[string]any{"fingerprint": "F8:2B:DV:tH:Tm:AY:uG:QG:VJ:ct:N6:nK:WF:tq:vr"})
			},
			title: "Bad request", detail: "unpermitted parameter", source: map[string]any{"pointer": "/data/attributes/fingerprint"}},
		{name: mupdate + ": User attempts to update a machine for another user", status: 404,
			setup: func(w *world) req {
				_, auth := w.userToken("me@example.com")
				u := w.createUser("other@example.com")
				lic, _ := w.createLicense("", nil, u)
				return req{method: "PATCH", path: "/machines/" + w.createMachine(lic, newUUID(), nil), auth: auth,
					body: map[string]any{"machine": map[string]any{"name": "Office Mac"}}}
			},
			title: "Not found"},
		{name: mupdate + ": Anonymous user attempts to update a machine for their account", status: 401,
			setup: func(w *world) req { return mPatch(threeMachines(w)[0], "-", map[string]any{"name": "iPad 4"}) },
			title: "Unauthorized"},
		{name: mupdate + ": Admin attempts to update a machine for another account", status: 401,
			setup: func(w *world) req {
				return mPatch(threeMachines(w)[0], "Bearer "+newWorld(w.t).srv.AdminToken, map[string]any{"name": "PC"})
			},
			title: "Unauthorized"},

		{name: mdestroy + ": Product deletes a machine", status: 204,
			setup: func(w *world) req { return del(threeMachines(w)[2], w.productAuth(w.prod)) },
			check: machinesLeft(2)},
		{name: mdestroy + ": Product deletes a machine for a different product", status: 404,
			setup: func(w *world) req {
				other := w.product()
				ms := threeMachines(w)
				return del(ms[2], w.productAuth(other))
			},
			title: "Not found", check: machinesLeft(3)},
		{name: mdestroy + ": Admin deletes one of their machines by fingerprint", status: 204,
			setup: func(w *world) req {
				lic, _ := w.createLicense("", nil, "")
				w.createMachine(lic, "foo-bar-baz", nil)
				threeMachines(w)
				return del("foo-bar-baz", "")
			},
			check: machinesLeft(3)},
		{name: mdestroy + ": User attempts to delete a machine that belongs to another user", status: 404,
			setup: func(w *world) req {
				ms := threeMachines(w)
				_, auth := w.userToken("me@example.com")
				return del(ms[1], auth)
			},
			title: "Not found", check: func(t *testing.T, w *world, r *reply) {
				assert.Len(t, r.doc["errors"], 1)
				assert.Equal(t, 3, w.machineCount())
			}},
		{name: mdestroy + ": Owner deletes a machine for their unprotected license (is machine owner)", status: 204,
			setup: func(w *world) req {
				m, auth := userMachine(w, map[string]any{"protected": false}, true, true)
				return del(m, auth)
			},
			check: machinesLeft(0)},
		{name: mdestroy + ": User deletes a machine for their unprotected license (is machine owner)", status: 204,
			setup: func(w *world) req {
				m, auth := userMachine(w, map[string]any{"protected": false}, false, true)
				return del(m, auth)
			},
			check: machinesLeft(0)},
		{name: mdestroy + ": Owner deletes a machine for their protected license (is machine owner)", status: 403,
			setup: func(w *world) req {
				m, auth := userMachine(w, map[string]any{"protected": true}, true, true)
				return del(m, auth)
			},
			title: "Access denied", detail: denied, check: machinesLeft(1)},
		{name: mdestroy + ": Owner deletes a machine for their protected license (not machine owner)", status: 403,
			setup: func(w *world) req {
				m, auth := userMachine(w, map[string]any{"protected": true}, true, false)
				return del(m, auth)
			},
			title: "Access denied", detail: denied, check: machinesLeft(1)},
		// The licensee sees the machine (it belongs to their license) but neither owns it
		// nor the license: deny!.
		{name: mdestroy + ": User deletes a machine for their protected license (not machine owner)", status: 403,
			setup: func(w *world) req {
				m, auth := userMachine(w, map[string]any{"protected": true}, false, false)
				return del(m, auth)
			},
			title: "Access denied", detail: denied, check: machinesLeft(1)},
		// The bearer is a second user, not the group's owner: the machines are not theirs.
		{name: mdestroy + ": User deletes a machine for their group", status: 404,
			setup: func(w *world) req {
				g := w.mustCreate("/groups", "groups", map[string]any{"name": "G"}, nil)
				owner := w.createUser("group-owner@example.com")
				addGroupOwner(w, g, owner)
				ms := threeMachines(w)
				w.withStore(func(db *store) {
					for _, m := range ms {
						db.machines[m].GroupID = ptr(g)
					}
				})
				_, auth := w.userToken("me@example.com")
				return del(ms[1], auth)
			},
			title: "Not found", check: machinesLeft(3)},
		{name: mdestroy + ": Anonymous user attempts to delete a machine for their account", status: 401,
			setup: func(w *world) req { return del(threeMachines(w)[1], "-") },
			title: "Unauthorized", check: func(t *testing.T, w *world, r *reply) {
				assert.Len(t, r.doc["errors"], 1)
				assert.Equal(t, 3, w.machineCount())
			}},
		{name: mdestroy + ": Admin attempts to delete a machine for another account", status: 401,
			setup: func(w *world) req { return del(threeMachines(w)[1], "Bearer "+newWorld(w.t).srv.AdminToken) },
			title: "Unauthorized", check: func(t *testing.T, w *world, r *reply) {
				assert.Len(t, r.doc["errors"], 1)
				assert.Equal(t, 3, w.machineCount())
			}},
	}
	runEach(t, newProductWorld, cases)
}

// TestMachineFeaturesHeartbeats: machines/actions/heartbeats.feature
// (app/controllers/api/v1/machines/actions/heartbeats_controller.rb, app/models/machine.rb).
func TestMachineFeaturesHeartbeats(t *testing.T) {
	ping := func(id, auth string) req {
		return req{method: "POST", path: "/machines/" + id + "/actions/ping-heartbeat", auth: auth}
	}
	// beatAt sets the machine's last heartbeat to ago before now (nil when ago < 0).
	beatAt := func(w *world, m string, ago time.Duration) {
		w.withStore(func(db *store) {
			if ago < 0 {
				db.machines[m].LastHeartbeat = nil
				return
			}
			at := w.srv.clock.now().Add(-ago)
			db.machines[m].LastHeartbeat = &at
		})
	}
	alive := func(status string) func(t *testing.T, w *world, r *reply) {
		return func(t *testing.T, w *world, r *reply) {
			a := r.attrs()
			assert.Equal(t, true, a["requireHeartbeat"], string(r.body))
			assert.Equal(t, status, a["heartbeatStatus"], string(r.body))
			assert.NotNil(t, a["lastHeartbeat"])
			assert.NotNil(t, a["nextHeartbeat"])
		}
	}
	machine := func(w *world, pattrs map[string]any) string {
		lic, _ := w.createLicense(w.floatingPolicy(pattrs), nil, "")
		return w.createMachine(lic, newUUID(), nil)
	}
	cases := []apiCase{
		{name: mbeat + ": Admin pings an alive machine's heartbeat",
			setup: func(w *world) req {
				m := machine(w, nil)
				beatAt(w, m, time.Minute)
				return ping(m, "")
			},
			check: alive("ALIVE")},
		{name: mbeat + ": Admin pings a dead machine's heartbeat that supports resurrection (always revive, from first ping basis)",
			setup: func(w *world) req {
				// ALWAYS_REVIVE validates only with KEEP_DEAD (app/models/policy.rb); the
				// feature writes the strategy past validation.
				m := machine(w, map[string]any{"heartbeatResurrectionStrategy": "ALWAYS_REVIVE", "heartbeatCullStrategy": "KEEP_DEAD", "heartbeatDuration": 2629746})
				beatAt(w, m, 2*2629746*time.Second)
				return ping(m, "")
			},
			check: func(t *testing.T, w *world, r *reply) {
				alive("RESURRECTED")(t, w, r)
				// RESURRECTED is transient: the machine reads ALIVE afterwards.
				assert.Equal(t, "ALIVE", w.get("/machines/" + r.id()).attrs()["heartbeatStatus"])
			}},
		{name: mbeat + ": Product pings a machine's heartbeat",
			setup: func(w *world) req {
				m := machine(w, nil)
				beatAt(w, m, -1)
				return ping(m, w.productAuth(w.prod))
			},
			check: alive("ALIVE")},
		{name: mbeat + ": Product pings a machine's heartbeat that doesn't belong to them", status: 404,
			setup: func(w *world) req {
				other := w.product()
				m := machine(w, nil)
				return ping(m, w.productAuth(other))
			},
			title: "Not found"},
		{name: mbeat + ": User pings an unprotected machine's heartbeat (license user, machine owner)",
			setup: func(w *world) req {
				u, auth := w.userToken("user@example.com")
				lic, _ := w.createLicense(w.floatingPolicy(map[string]any{"protected": false}), nil, "")
				w.addLicenseUser(lic, u)
				m := w.machineOwnedBy(lic, newUUID(), u)
				beatAt(w, m, -1)
				return req{method: "POST", path: "/machines/" + m + "/actions/ping", auth: auth}
			},
			check: alive("ALIVE")},
		{name: mbeat + ": User pings a machine's heartbeat that doesn't belong to them", status: 404,
			setup: func(w *world) req {
				_, auth := w.userToken("user@example.com")
				return ping(machine(w, nil), auth)
			},
			title: "Not found"},
		{name: mbeat + ": Anonymous resets a machine's heartbeat", status: 401,
			setup: func(w *world) req {
				m := machine(w, nil)
				beatAt(w, m, time.Hour)
				return req{method: "POST", path: "/machines/" + m + "/actions/reset-heartbeat", auth: "-"}
			},
			title: "Unauthorized"},
	}
	runEach(t, newProductWorld, cases)
}

// TestMachineFeaturesRelationships: machines/relationships/group.feature and owner.feature
// (app/controllers/api/v1/machines/relationships/*_controller.rb, app/policies/machines/*).
func TestMachineFeaturesRelationships(t *testing.T) {
	const rgroup, rowner = "machines/relationships/group.feature", "machines/relationships/owner.feature"
	group := func(w *world, attrs map[string]any) string {
		a := map[string]any{"name": "G"}
		for k, v := range attrs {
			a[k] = v
		}
		return w.mustCreate("/groups", "groups", a, nil)
	}
	// grouped is a machine of a license of prod's policy in group g.
	grouped := func(w *world, prod, g string) string {
		lic := w.licenseOwnedBy(w.policy(prod, map[string]any{"floating": true}), "")
		m := w.createMachine(lic, newUUID(), nil)
		if g != "" {
			w.withStore(func(db *store) { db.machines[m].GroupID = ptr(g) })
		}
		return m
	}
	getGroup := func(m, auth string) req { return getAs("/machines/"+m+"/group", auth) }
	putGroup := func(m, auth string, data any) req {
		return req{method: "PUT", path: "/machines/" + m + "/group", auth: auth, body: map[string]any{"data": data}}
	}
	isGroup := func(t *testing.T, _ *world, r *reply) { assert.Equal(t, "groups", r.data()["type"], string(r.body)) }
	// groupIs checks the machine's group linkage: the i-th group made, or null when i < 0.
	groupIs := func(groups *[]string, i int) func(t *testing.T, w *world, r *reply) {
		return func(t *testing.T, w *world, r *reply) {
			g := rel(r, "group")
			assert.Equal(t, "/v1/accounts/"+w.srv.AccountID+"/machines/"+r.id()+"/group", g["links"].(map[string]any)["related"])
			if i < 0 {
				assert.Contains(t, g, "data")
				assert.Nil(t, g["data"], string(r.body))
				return
			}
			assert.Equal(t, link("groups", (*groups)[i])["data"], g["data"], string(r.body))
		}
	}
	var gs [8][]string // the groups made by each case that checks linkage
	other := func(w *world) string { return "Bearer " + newWorld(w.t).srv.AdminToken }
	cases := []apiCase{
		{name: rgroup + ": Admin retrieves the group for a machine (by ID)",
			setup: func(w *world) req { return getGroup(grouped(w, w.prod, group(w, nil)), "") }, check: isGroup},
		{name: rgroup + ": Product retrieves the group for a machine",
			setup: func(w *world) req { return getGroup(grouped(w, w.prod, group(w, nil)), w.productAuth(w.prod)) }, check: isGroup},
		{name: rgroup + ": Product retrieves the group for a machine of another product", status: 404,
			setup: func(w *world) req {
				return getGroup(grouped(w, w.product(), group(w, nil)), w.productAuth(w.prod))
			},
			title: "Not found"},
		{name: rgroup + ": Admin attempts to retrieve the group for a machine of another account", status: 401,
			setup: func(w *world) req { return getGroup(grouped(w, w.prod, ""), other(w)) }, title: "Unauthorized"},
		{name: rgroup + ": Admin changes a machine's group relationship to another group",
			setup: func(w *world) req {
				gs[0] = []string{group(w, nil), group(w, nil), group(w, nil)}
				return putGroup(grouped(w, w.prod, gs[0][0]), "", link("groups", gs[0][2])["data"])
			},
			check: groupIs(&gs[0], 2)},
		{name: rgroup + ": Admin removes a machine's group relationship",
			setup: func(w *world) req {
				gs[1] = []string{group(w, nil), group(w, nil), group(w, nil)}
				return putGroup(grouped(w, w.prod, gs[1][0]), "", nil)
			},
			check: groupIs(&gs[1], -1)},
		{name: rgroup + ": Admin changes a machine's group relationship to a group for another account", status: 401,
			setup: func(w *world) req {
				g0, g1 := group(w, nil), group(w, nil)
				return putGroup(grouped(w, w.prod, g0), other(w), link("groups", g1)["data"])
			},
			title: "Unauthorized"},
		{name: rgroup + ": Product changes a machine's group relationship to another group",
			setup: func(w *world) req {
				w.product()
				gs[2] = []string{group(w, nil), group(w, nil)}
				return putGroup(grouped(w, w.prod, gs[2][0]), w.productAuth(w.prod), link("groups", gs[2][1])["data"])
			},
			check: groupIs(&gs[2], 1)},
		{name: rgroup + ": Product changes a machine's group relationship to a new group for a machine they don't own", status: 404,
			setup: func(w *world) req {
				g0, g1 := group(w, nil), group(w, nil)
				return putGroup(grouped(w, w.product(), g0), w.productAuth(w.prod), link("groups", g1)["data"])
			},
			title: "Not found"},
		{name: rgroup + ": Anonymous changes a machine's group relationship to a different group", status: 401,
			setup: func(w *world) req {
				g := group(w, nil)
				return putGroup(grouped(w, w.prod, ""), "-", link("groups", g)["data"])
			},
			title: "Unauthorized"},
		// A group of one machine holding a machine; the second license's machine gets an
		// owner in that group (a license user), which would be the group's second machine.
		{name: rowner + ": Product changes a machine's owner relationship that would exceed group limits", status: 422,
			setup: func(w *world) req {
				g := group(w, map[string]any{"maxMachines": 1})
				var users []string
				for i := range 3 {
					u := w.createUser(fmt.Sprintf("u%d@example.com", i))
					w.mutUser(u, func(x *user) { x.GroupID = ptr(g) })
					users = append(users, u)
				}
				pol := w.floatingPolicy(nil)
				grouped(w, w.prod, g)
				lic := w.licenseOwnedBy(pol, "")
				for _, u := range users {
					w.addLicenseUser(lic, u)
				}
				m := w.createMachine(lic, newUUID(), nil)
				return req{method: "PUT", path: "/machines/" + m + "/owner", auth: w.productAuth(w.prod), body: map[string]any{"data": link("users", users[1])["data"]}}
			},
			title: unprocessed, code: "GROUP_MACHINE_LIMIT_EXCEEDED", detail: "machine count has exceeded maximum allowed by current group (1)",
			source: map[string]any{"pointer": "/data/relationships/group"}},
	}
	runEach(t, newProductWorld, cases)
}

// TestMachineFeaturesCheckouts: machines/actions/checkouts.feature
// (app/controllers/api/v1/machines/actions/checkouts_controller.rb,
// app/services/machine_checkout_service.rb).
func TestMachineFeaturesCheckouts(t *testing.T) {
	co := func(method, path, auth string, body any) req {
		return req{method: method, path: path, auth: auth, body: body}
	}
	meta := func(m map[string]any) any { return map[string]any{"meta": m} }
	mach := func(w *world) string {
		lic, _ := w.createLicense("", nil, "")
		return w.createMachine(lic, newUUID(), nil)
	}
	path := func(m string) string { return "/machines/" + m + "/actions/check-out" }
	// certMeta decodes the certificate's payload (from the POST answer, or the GET body)
	// and checks its algorithm and data.
	certMeta := func(t *testing.T, r *reply, get bool, alg string) map[string]any {
		cert := string(r.body)
		if !get {
			cert, _ = r.attrs()["certificate"].(string)
		}
		f := parseCert(t, cert, "MACHINE")
		assert.Equal(t, alg, f["alg"])
		raw, err := base64.StdEncoding.DecodeString(f["enc"])
		if !assert.NoError(t, err) {
			return nil
		}
		var d map[string]any
		if !assert.NoError(t, json.Unmarshal(raw, &d)) {
			return nil
		}
		assert.Equal(t, "machines", d["data"].(map[string]any)["type"])
		m, _ := d["meta"].(map[string]any)
		return m
	}
	ttl := func(get bool, want any) func(t *testing.T, w *world, r *reply) {
		return func(t *testing.T, w *world, r *reply) {
			m := certMeta(t, r, get, "base64+ed25519")
			assert.Equal(t, want, m["ttl"])
			assert.Equal(t, want == nil, m["expiry"] == nil, "expiry: %v", m["expiry"])
		}
	}
	// grouped is a machine in a group.
	grouped := func(w *world) string {
		g := w.mustCreate("/groups", "groups", map[string]any{"name": "G"}, nil)
		m := mach(w)
		w.withStore(func(db *store) { db.machines[m].GroupID = ptr(g) })
		return m
	}
	// includes checks the types of the certificate's included resources.
	includes := func(get bool, types ...string) func(t *testing.T, w *world, r *reply) {
		return func(t *testing.T, w *world, r *reply) {
			cert := string(r.body)
			if !get {
				cert, _ = r.attrs()["certificate"].(string)
			}
			raw, err := base64.StdEncoding.DecodeString(parseCert(t, cert, "MACHINE")["enc"])
			assert.NoError(t, err)
			var d map[string]any
			assert.NoError(t, json.Unmarshal(raw, &d))
			var got []string
			for _, x := range includedTypes(d) {
				got = append(got, strings.Split(x, "/")[0])
			}
			assert.Equal(t, types, got, string(raw))
		}
	}
	// schemed is a machine of a license of a policy with the signing scheme.
	schemed := func(w *world, scheme string) string {
		lic, _ := w.createLicense(w.floatingPolicy(map[string]any{"scheme": scheme}), nil, "")
		return w.createMachine(lic, newUUID(), nil)
	}
	// signed checks the certificate's algorithm only (its payload may be encrypted).
	signed := func(get bool, alg string) func(t *testing.T, w *world, r *reply) {
		return func(t *testing.T, w *world, r *reply) {
			cert := string(r.body)
			if !get {
				cert, _ = r.attrs()["certificate"].(string)
			}
			assert.Equal(t, alg, parseCert(t, cert, "MACHINE")["alg"])
		}
	}
	badReq := func(name, code, detail, param string, setup func(w *world) req) apiCase {
		return apiCase{name: mcheck + ": " + name, status: 400, title: "Bad request", code: code, detail: detail,
			source: map[string]any{"parameter": param}, setup: setup}
	}
	cases := []apiCase{
		{name: mcheck + ": Anonymous performs a machine checkout (POST)", status: 401, title: "Unauthorized",
			setup: func(w *world) req { return co("POST", path(mach(w)), "-", nil) }},
		{name: mcheck + ": Anonymous performs a machine checkout (GET)", status: 401, title: "Unauthorized",
			setup: func(w *world) req { return co("GET", path(mach(w)), "-", nil) }},
		{name: mcheck + ": Admin performs a machine checkout with defaults (GET)",
			setup:   func(w *world) req { return co("GET", path(mach(w)), "", nil) },
			headers: map[string]string{"Content-Type": "application/octet-stream"},
			check: func(t *testing.T, w *world, r *reply) {
				assert.Regexp(t, `^attachment; filename="[0-9a-f-]{36}\.lic"$`, r.header.Get("Content-Disposition"))
				ttl(true, 2629746.0)(t, w, r)
			}},
		{name: mcheck + ": Admin performs an encrypted machine checkout with blank value (POST)",
			setup: func(w *world) req { return co("POST", path(mach(w)), "", meta(map[string]any{"encrypt": nil})) },
			check: ttl(false, 2629746.0)},
		{name: mcheck + ": Admin performs an encrypted machine checkout with blank value (GET)",
			setup: func(w *world) req { return co("GET", path(mach(w))+"?encrypt=", "", nil) },
			check: ttl(true, 2629746.0)},
		badReq("Admin performs a machine checkout with an invalid encoding algorithm (POST)", "CHECKOUT_ALGORITHM_INVALID", "invalid encoding algorithm", "algorithm",
			func(w *world) req {
				return co("POST", path(mach(w)), "", meta(map[string]any{"algorithm": "foo+ed25519"}))
			}),
		{name: mcheck + ": Admin performs a machine checkout with a nil algorithm (POST)",
			setup: func(w *world) req { return co("POST", path(mach(w)), "", meta(map[string]any{"algorithm": nil})) },
			check: ttl(false, 2629746.0)},
		{name: mcheck + ": Admin performs a machine checkout with an empty algorithm (GET)",
			setup: func(w *world) req { return co("GET", path(mach(w))+"?algorithm=", "", nil) },
			check: ttl(true, 2629746.0)},
		{name: mcheck + ": Admin performs a machine checkout with a nil TTL (POST)",
			setup: func(w *world) req { return co("POST", path(mach(w)), "", meta(map[string]any{"ttl": nil})) },
			check: ttl(false, nil)},
		{name: mcheck + ": Admin performs a machine checkout with an empty TTL (GET)",
			setup: func(w *world) req { return co("GET", path(mach(w))+"?ttl=", "", nil) },
			check: ttl(true, nil)},
		badReq("Admin performs a machine checkout with a TTL that is too short (POST)", "CHECKOUT_TTL_INVALID", "must be greater than or equal to 3600 (1 hour)", "ttl",
			func(w *world) req { return co("POST", path(mach(w)), "", meta(map[string]any{"ttl": 60})) }),
		{name: mcheck + ": Admin performs a machine checkout with invalid includes (GET)", status: 400, title: "Bad request",
			code: "CHECKOUT_INCLUDE_INVALID", detail: "invalid includes", source: map[string]any{"parameter": "include"},
			headers: map[string]string{"Content-Type": "application/vnd.api+json; charset=utf-8"},
			setup:   func(w *world) req { return co("GET", path(mach(w))+"?include=account", "", nil) }},
		{name: mcheck + ": Product performs a checkout for a machine of another product (POST)", status: 404, title: "Not found",
			setup: func(w *world) req { return co("POST", path(mach(w)), w.productAuth(w.product()), nil) }},
		{name: mcheck + ": License performs a machine checkout for another machine (GET)", status: 404, title: "Not found",
			setup: func(w *world) req {
				lic, _ := w.createLicense("", nil, "")
				return co("GET", path(mach(w)), w.licenseAuth(lic, nil), nil)
			}},
		{name: mcheck + ": Admin performs a machine checkout using RSA (POST)",
			setup: func(w *world) req { return co("POST", path(schemed(w, "RSA_2048_PKCS1_SIGN_V2")), "", nil) }, check: signed(false, "base64+rsa-sha256")},
		{name: mcheck + ": Admin performs a machine checkout using RSA (GET)",
			setup: func(w *world) req { return co("GET", path(schemed(w, "RSA_2048_PKCS1_SIGN_V2")), "", nil) }, check: signed(true, "base64+rsa-sha256")},
		{name: mcheck + ": Admin performs a machine checkout using RSA-PSS (POST)",
			setup: func(w *world) req { return co("POST", path(schemed(w, "RSA_2048_PKCS1_PSS_SIGN_V2")), "", nil) }, check: signed(false, "base64+rsa-pss-sha256")},
		{name: mcheck + ": Admin performs a machine checkout using RSA-PSS (GET)",
			setup: func(w *world) req { return co("GET", path(schemed(w, "RSA_2048_PKCS1_PSS_SIGN_V2")), "", nil) }, check: signed(true, "base64+rsa-pss-sha256")},
		{name: mcheck + ": Admin performs a machine checkout using ECDSA (POST)",
			setup: func(w *world) req { return co("POST", path(schemed(w, "ECDSA_P256_SIGN")), "", nil) }, check: signed(false, "base64+ecdsa-p256")},
		{name: mcheck + ": Admin performs a machine checkout using ECDSA (GET)",
			setup: func(w *world) req { return co("GET", path(schemed(w, "ECDSA_P256_SIGN")), "", nil) }, check: signed(true, "base64+ecdsa-p256")},
		{name: mcheck + ": Admin performs a machine checkout using Ed25519 (POST)",
			setup: func(w *world) req { return co("POST", path(schemed(w, "ED25519_SIGN")), "", nil) }, check: signed(false, "base64+ed25519")},
		{name: mcheck + ": Admin performs a machine checkout using Ed25519 (GET)",
			setup: func(w *world) req { return co("GET", path(schemed(w, "ED25519_SIGN")), "", nil) }, check: signed(true, "base64+ed25519")},
		{name: mcheck + ": Admin performs a machine checkout with a custom algorithm (POST)",
			setup: func(w *world) req {
				return co("POST", path(mach(w)), "", meta(map[string]any{"algorithm": "aes-256-gcm+ecdsa-p256"}))
			},
			check: signed(false, "aes-256-gcm+ecdsa-p256")},
		{name: mcheck + ": Admin performs an encrypted machine checkout (POST)",
			setup: func(w *world) req { return co("POST", path(mach(w)), "", meta(map[string]any{"encrypt": true})) },
			check: signed(false, "aes-256-gcm+ed25519")},
		{name: mcheck + ": Admin performs an encrypted machine checkout (GET)",
			setup: func(w *world) req { return co("GET", path(mach(w))+"?encrypt=1", "", nil) },
			check: signed(true, "aes-256-gcm+ed25519")},
		{name: mcheck + ": Admin performs a machine checkout with a custom TTL (POST)",
			setup: func(w *world) req { return co("POST", path(mach(w)), "", meta(map[string]any{"ttl": 86400})) },
			check: ttl(false, 86400.0)},
		{name: mcheck + ": Admin performs a machine checkout with a custom TTL (GET)",
			setup: func(w *world) req { return co("GET", path(mach(w))+"?ttl=3600", "", nil) },
			check: ttl(true, 3600.0)},
		{name: mcheck + ": Admin performs a machine checkout with a TTL that is very long (POST)",
			setup: func(w *world) req { return co("POST", path(mach(w)), "", meta(map[string]any{"ttl": 189341712})) },
			check: ttl(false, 189341712.0)},
		{name: mcheck + ": Admin performs a machine checkout with a TTL that is very long (GET)",
			setup: func(w *world) req { return co("GET", path(mach(w))+"?ttl=189341712", "", nil) },
			check: ttl(true, 189341712.0)},
		{name: mcheck + ": Admin performs a machine checkout by fingerprint (POST)",
			setup: func(w *world) req {
				lic, _ := w.createLicense("", nil, "")
				w.createMachine(lic, "4d:Eq:UV:D3", nil)
				return co("POST", path("4d:Eq:UV:D3"), "", nil)
			},
			check: ttl(false, 2629746.0)},
		{name: mcheck + ": Product performs a machine checkout (POST)",
			setup: func(w *world) req { return co("POST", path(mach(w)), w.productAuth(w.prod), nil) }, check: ttl(false, 2629746.0)},
		{name: mcheck + ": Product performs a machine checkout (GET)",
			setup: func(w *world) req { return co("GET", path(mach(w)), w.productAuth(w.prod), nil) }, check: ttl(true, 2629746.0)},
		{name: mcheck + ": License performs a machine checkout (POST)",
			setup: func(w *world) req {
				lic, _ := w.createLicense("", nil, "")
				return co("POST", path(w.createMachine(lic, newUUID(), nil)), w.licenseAuth(lic, nil), nil)
			},
			check: ttl(false, 2629746.0)},
		{name: mcheck + ": License performs a machine checkout (GET)",
			setup: func(w *world) req {
				lic, _ := w.createLicense("", nil, "")
				return co("GET", path(w.createMachine(lic, newUUID(), nil)), w.licenseAuth(lic, nil), nil)
			},
			check: ttl(true, 2629746.0)},
		{name: mcheck + ": User performs a machine checkout for their machine (POST, license owner)",
			setup: func(w *world) req {
				u, auth := w.userToken("u@example.com")
				lic, _ := w.createLicense("", nil, u)
				return co("POST", path(w.createMachine(lic, newUUID(), nil)), auth, nil)
			},
			check: ttl(false, 2629746.0)},
		{name: mcheck + ": User performs a machine checkout for their machine (GET, licensee)",
			setup: func(w *world) req {
				u, auth := w.userToken("u@example.com")
				lic, _ := w.createLicense("", nil, "")
				w.addLicenseUser(lic, u)
				return co("GET", path(w.createMachine(lic, newUUID(), nil)), auth, nil)
			},
			check: ttl(true, 2629746.0)},
		{name: mcheck + ": Admin performs a machine checkout with a group include (POST)",
			setup: func(w *world) req {
				m := grouped(w)
				return co("POST", path(m), "", meta(map[string]any{"include": []any{"group"}}))
			},
			check: includes(false, "groups")},
		{name: mcheck + ": Admin performs a machine checkout with a group include (GET)",
			setup: func(w *world) req { return co("GET", path(grouped(w))+"?include=group", "", nil) },
			check: includes(true, "groups")},
		{name: mcheck + ": Admin performs a machine checkout with a license include (GET)",
			setup: func(w *world) req { return co("GET", path(mach(w))+"?include=license", "", nil) },
			check: includes(true, "licenses")},
		{name: mcheck + ": Admin performs a machine checkout a product include (POST)",
			setup: func(w *world) req {
				return co("POST", path(mach(w)), "", meta(map[string]any{"include": []any{"license.product"}}))
			},
			check: includes(false, "licenses", "products")},
		{name: mcheck + ": Admin performs a machine checkout a product include (GET)",
			setup: func(w *world) req { return co("GET", path(mach(w))+"?include=license.product", "", nil) },
			check: includes(true, "licenses", "products")},
		{name: mcheck + ": Admin performs a machine checkout with a policy include (GET)",
			setup: func(w *world) req { return co("GET", path(mach(w))+"?include=license.policy", "", nil) },
			check: includes(true, "licenses", "policies")},
		{name: mcheck + ": User performs a machine checkout for a machine they don't own (POST)", status: 404, title: "Not found",
			setup: func(w *world) req {
				_, auth := w.userToken("u@example.com")
				return co("POST", path(mach(w)), auth, nil)
			}},
	}
	runEach(t, newProductWorld, cases)
}

// TestMachineFeaturesProofs: machines/actions/v1x0/proofs.feature
// (app/controllers/api/v1/machines/actions/v1x0/proofs_controller.rb).
func TestMachineFeaturesProofs(t *testing.T) {
	const feature = "machines/actions/v1x0/proofs.feature"
	gen := func(m, auth string, body any) req {
		return req{method: "POST", path: "/machines/" + m + "/actions/generate-offline-proof", auth: auth, body: body}
	}
	// proofOf verifies meta.proof against the account's RSA key and returns its dataset.
	proofOf := func(t *testing.T, w *world, r *reply) map[string]any {
		meta, _ := r.doc["meta"].(map[string]any)
		proof, _ := meta["proof"].(string)
		assert.True(t, strings.HasPrefix(proof, "proof/"), proof)
		i := strings.LastIndex(proof, ".")
		if !assert.Greater(t, i, 0, proof) {
			return nil
		}
		signing, encSig := proof[:i], proof[i+1:]
		sig, err := base64.URLEncoding.DecodeString(encSig)
		assert.NoError(t, err)
		sum := sha256.Sum256([]byte(signing))
		assert.NoError(t, rsa.VerifyPKCS1v15(parsePub(t, w.srv.RSAPublicKeyPEM()).(*rsa.PublicKey), crypto.SHA256, sum[:], sig))
		raw, err := base64.URLEncoding.DecodeString(strings.TrimPrefix(signing, "proof/"))
		assert.NoError(t, err)
		var d map[string]any
		assert.NoError(t, json.Unmarshal(raw, &d), string(raw))
		return d
	}
	// defaultDataset checks the default dataset of the answered machine.
	defaultDataset := func(t *testing.T, w *world, r *reply) {
		assert.Equal(t, "machines", r.data()["type"])
		d := proofOf(t, w, r)
		var want map[string]any
		w.withStore(func(db *store) {
			m := db.machines[r.id()]
			l := db.licenses[m.LicenseID]
			pol := db.policies[l.PolicyID]
			want = map[string]any{
				"account": map[string]any{"id": w.srv.AccountID},
				"product": map[string]any{"id": pol.ProductID},
				"policy":  map[string]any{"id": pol.ID, "duration": float64(*pol.Duration)},
				"license": map[string]any{"id": l.ID, "key": l.Key, "expiry": optTime(l.Expiry)},
				"machine": map[string]any{"id": m.ID, "fingerprint": m.Fingerprint, "created": fmtTime(m.Created)},
			}
		})
		for k, v := range want {
			assert.Equal(t, v, d[k], k)
		}
		assert.NotEmpty(t, d["ts"])
	}
	mach := func(w *world) (lic, m string) {
		lic, _ = w.createLicense(w.floatingPolicy(map[string]any{"duration": 1209600}), nil, "")
		return lic, w.createMachine(lic, newUUID(), nil)
	}
	custom := func(m string) any {
		return map[string]any{"meta": map[string]any{"dataset": map[string]any{"fingerprint": "fp", "id": m, "nonce": 1}}}
	}
	cases := []apiCase{
		{name: feature + ": Admin generates a proof for a machine with the default dataset",
			setup: func(w *world) req { _, m := mach(w); return gen(m, "", nil) },
			check: defaultDataset},
		{name: feature + ": Admin generates a proof for a machine with a custom dataset",
			setup: func(w *world) req { _, m := mach(w); return gen(m, "", custom(m)) },
			check: func(t *testing.T, w *world, r *reply) {
				assert.Equal(t, map[string]any{"fingerprint": "fp", "id": r.id(), "nonce": 1.0}, proofOf(t, w, r))
			}},
		{name: feature + ": Product attempts to generate a default proof for a machine",
			setup: func(w *world) req { _, m := mach(w); return gen(m, w.productAuth(w.prod), nil) },
			check: defaultDataset},
		{name: feature + ": Product attempts to generate a custom proof for a machine",
			setup: func(w *world) req { _, m := mach(w); return gen(m, w.productAuth(w.prod), custom(m)) },
			check: func(t *testing.T, w *world, r *reply) {
				assert.Equal(t, map[string]any{"fingerprint": "fp", "id": r.id(), "nonce": 1.0}, proofOf(t, w, r))
			}},
		{name: feature + ": License generates a proof for their machine",
			setup: func(w *world) req { lic, m := mach(w); return gen(m, w.licenseAuth(lic, nil), nil) },
			check: defaultDataset},
		{name: feature + ": License attempts to generate a proof for a machine that isn't theirs", status: 404, title: "Not found",
			setup: func(w *world) req {
				_, m := mach(w)
				other, _ := w.createLicense("", nil, "")
				return gen(m, w.licenseAuth(other, nil), custom(m))
			}},
		// A license may not send a dataset: meta is unpermitted for it (typed params).
		{name: feature + ": License attempts to generate a proof for a machine with a custom dataset", status: 400,
			title: "Bad request", detail: "unpermitted parameter", source: map[string]any{"pointer": "/meta"},
			setup: func(w *world) req { lic, m := mach(w); return gen(m, w.licenseAuth(lic, nil), custom(m)) }},
		{name: feature + ": a user owning a protected license is denied (app/policies/machines/v1x0/proof_policy.rb)", status: 403,
			title: "Access denied", detail: denied,
			setup: func(w *world) req {
				u, auth := w.userToken("u@example.com")
				lic, _ := w.createLicense(w.floatingPolicy(map[string]any{"protected": true}), nil, u)
				return gen(w.createMachine(lic, newUUID(), nil), auth, nil)
			}},
		{name: feature + ": a user owning an unprotected license generates a proof (app/policies/machines/v1x0/proof_policy.rb)",
			setup: func(w *world) req {
				u, auth := w.userToken("u@example.com")
				lic, _ := w.createLicense(w.floatingPolicy(map[string]any{"protected": false, "duration": 1209600}), nil, u)
				return gen(w.createMachine(lic, newUUID(), nil), auth, nil)
			},
			check: defaultDataset},
		{name: feature + ": Anonymous is unauthorized", status: 401, title: "Unauthorized",
			setup: func(w *world) req { _, m := mach(w); return gen(m, "-", nil) }},
	}
	runEach(t, newProductWorld, cases)
}

// TestMachineFeaturesComponents: machines/relationships/components.feature
// (app/controllers/api/v1/machines/relationships/components_controller.rb).
func TestMachineFeaturesComponents(t *testing.T) {
	const feature = "machines/relationships/components.feature"
	// on is a machine of a license of prod's policy (owned by owner, with licensee) with n
	// components; it returns the license, the machine and the components.
	on := func(w *world, prod, owner, licensee string, n int) (lic, m string, comps []string) {
		lic = w.licenseOwnedBy(w.policy(prod, map[string]any{"floating": true}), owner)
		if licensee != "" {
			w.addLicenseUser(lic, licensee)
		}
		m = w.createMachine(lic, newUUID(), nil)
		return lic, m, w.compsOn(m, n)
	}
	list := func(m, auth string) req { return getAs("/machines/"+m+"/components", auth) }
	one := func(m, c, auth string) req { return getAs("/machines/"+m+"/components/"+c, auth) }
	pageLinks := func(pages, count int, next string, last int) func(t *testing.T, w *world, r *reply) {
		return func(t *testing.T, w *world, r *reply) {
			m := r.list()[0].(map[string]any)["relationships"].(map[string]any)["machine"].(map[string]any)["data"].(map[string]any)["id"].(string)
			base := "/v1/accounts/" + w.srv.AccountID + "/machines/" + m + "/components?page[number]="
			var nx any
			if next != "" {
				nx = base + next + "&page[size]=5"
			}
			wantLinks(map[string]any{
				"self": base + "1&page[size]=5", "prev": nil, "next": nx, "first": base + "1&page[size]=5",
				"last": base + fmt.Sprint(last) + "&page[size]=5", "meta": map[string]any{"pages": float64(pages), "count": float64(count)},
			})(t, w, r)
		}
	}
	var ids [4][]string
	cases := []apiCase{
		{name: feature + ": Admin retrieves an offset-paginated list of components for a machine with no other pages",
			setup: func(w *world) req {
				_, m, _ := on(w, w.prod, "", "", 2)
				return getAs("/machines/"+m+"/components?page[number]=1&page[size]=5", "")
			},
			check: both(listLen(2), pageLinks(1, 2, "", 1))},
		{name: feature + ": Admin retrieves an offset-paginated list of components for a machine with other pages",
			setup: func(w *world) req {
				_, m, _ := on(w, w.prod, "", "", 20)
				return getAs("/machines/"+m+"/components?page[number]=1&page[size]=5", "")
			},
			check: both(listLen(5), pageLinks(4, 20, "2", 4))},
		{name: feature + ": Admin retrieves the components for a machine by fingerprint",
			setup: func(w *world) req {
				lic, _ := w.createLicense("", nil, "")
				w.compsOn(w.createMachine(lic, "foo", nil), 3)
				return list("foo", "")
			},
			check: listLen(3)},
		{name: feature + ": Product retrieves the components for a machine",
			setup: func(w *world) req { _, m, _ := on(w, w.prod, "", "", 3); return list(m, w.productAuth(w.prod)) },
			check: listLen(3)},
		{name: feature + ": Product retrieves the components for a different product's machine", status: 404, title: "Not found",
			setup: func(w *world) req { _, m, _ := on(w, w.product(), "", "", 3); return list(m, w.productAuth(w.prod)) }},
		{name: feature + ": License retrieves the components for a machine",
			setup: func(w *world) req { lic, m, _ := on(w, w.prod, "", "", 3); return list(m, w.licenseAuth(lic, nil)) },
			check: listLen(3)},
		{name: feature + ": License retrieves the components for different license's machine", status: 404, title: "Not found",
			setup: func(w *world) req {
				lic, _ := w.createLicense("", nil, "")
				_, m, _ := on(w, w.prod, "", "", 3)
				return list(m, w.licenseAuth(lic, nil))
			}},
		{name: feature + ": User retrieves the components for their machine (license owner)",
			setup: func(w *world) req {
				u, auth := w.userToken("u@example.com")
				_, m, _ := on(w, w.prod, u, "", 3)
				return list(m, auth)
			},
			check: listLen(3)},
		{name: feature + ": User retrieves the components for their machine (license user)",
			setup: func(w *world) req {
				u, auth := w.userToken("u@example.com")
				_, m, _ := on(w, w.prod, "", u, 3)
				return list(m, auth)
			},
			check: listLen(3)},
		{name: feature + ": User retrieves the components for different user's machine", status: 404, title: "Not found",
			setup: func(w *world) req {
				_, auth := w.userToken("u@example.com")
				_, m, _ := on(w, w.prod, "", "", 3)
				return list(m, auth)
			}},
		{name: feature + ": Admin retrieves a component for a machine",
			setup: func(w *world) req {
				_, m, cs := on(w, w.prod, "", "", 3)
				ids[0] = cs
				return one(m, cs[0], "")
			},
			check: both(isType("components"), func(t *testing.T, w *world, r *reply) { assert.Equal(t, ids[0][0], r.id()) })},
		{name: feature + ": Product retrieves a component for a machine",
			setup: func(w *world) req {
				_, m, cs := on(w, w.prod, "", "", 3)
				return one(m, cs[0], w.productAuth(w.prod))
			},
			check: isType("components")},
		{name: feature + ": User retrieves their machine's component (license owner)",
			setup: func(w *world) req {
				w.createUser("first@example.com")
				u, auth := w.userToken("u@example.com")
				_, m, cs := on(w, w.prod, u, "", 1)
				return one(m, cs[0], auth)
			},
			check: isType("components")},
		{name: feature + ": User retrieves their machine's component (license user)",
			setup: func(w *world) req {
				w.createUser("first@example.com")
				u, auth := w.userToken("u@example.com")
				_, m, cs := on(w, w.prod, "", u, 1)
				return one(m, cs[0], auth)
			},
			check: isType("components")},
		{name: feature + ": User retireves a machine's component for a different user", status: 404, title: "Not found",
			setup: func(w *world) req {
				_, auth := w.userToken("u@example.com")
				other := w.createUser("other@example.com")
				_, m, cs := on(w, w.prod, other, "", 1)
				return one(m, cs[0], auth)
			}},
		{name: feature + ": License retrieves a machine's component",
			setup: func(w *world) req {
				lic, m, cs := on(w, w.prod, "", "", 3)
				return one(m, cs[0], w.licenseAuth(lic, nil))
			},
			check: isType("components")},
		{name: feature + ": License retireves a machine's component for a different license", status: 404, title: "Not found",
			setup: func(w *world) req {
				lic, _ := w.createLicense("", nil, "")
				_, m, cs := on(w, w.prod, "", "", 3)
				return one(m, cs[0], w.licenseAuth(lic, nil))
			}},
		{name: feature + ": License retrieves a wrongly scoped machine's component", status: 404, title: "Not found",
			setup: func(w *world) req {
				lic, m, _ := on(w, w.prod, "", "", 1)
				_, _, other := on(w, w.prod, "", "", 1)
				return one(m, other[0], w.licenseAuth(lic, nil))
			}},
		{name: feature + ": Admin attempts to retrieve the components for a machine of another account", status: 401, title: "Unauthorized",
			setup: func(w *world) req {
				_, m, _ := on(w, w.prod, "", "", 3)
				return list(m, "Bearer "+newWorld(w.t).srv.AdminToken)
			}},
	}
	runEach(t, newProductWorld, cases)
}

// TestMachineFeaturesShow: machines/show.feature (app/controllers/api/v1/machines_controller.rb,
// app/policies/machine_policy.rb, app/serializers/machine_serializer.rb).
func TestMachineFeaturesShow(t *testing.T) {
	const fp = "4d:Eq:UV:D3:XZ:tL:WN:Bz:mA:Eg:E6:Mk:YX:dK:NC"
	three := func(w *world) []string {
		var out []string
		for range 3 {
			lic, _ := w.createLicense("", nil, "")
			out = append(out, w.createMachine(lic, newUUID(), nil))
		}
		return out
	}
	show := func(id, auth string) req { return getAs("/machines/"+id, auth) }
	isMachine := isType("machines")
	// relIs checks a to-one relationship of the answered machine: its related link and
	// data (nil for null).
	relIs := func(name string, data func(w *world) any) func(t *testing.T, w *world, r *reply) {
		return func(t *testing.T, w *world, r *reply) {
			x := rel(r, name)
			assert.Equal(t, map[string]any{"related": "/v1/accounts/" + w.srv.AccountID + "/machines/" + r.id() + "/" + name}, x["links"])
			assert.Contains(t, x, "data")
			assert.Equal(t, data(w), x["data"], string(r.body))
		}
	}
	var owners [1]string
	cases := []apiCase{
		{name: mshow + ": Developer retrieves a machine for their account",
			setup: func(w *world) req { return show(three(w)[0], w.roleAuth("developer")) }, check: isMachine},
		{name: mshow + ": Sales retrieves a machine for their account",
			setup: func(w *world) req { return show(three(w)[0], w.roleAuth("sales-agent")) }, check: isMachine},
		{name: mshow + ": Support retrieves a machine for their account",
			setup: func(w *world) req { return show(three(w)[0], w.roleAuth("support-agent")) }, check: isMachine},
		{name: mshow + ": Admin retrieves a machine for their account by fingerprint",
			setup: func(w *world) req {
				lic, _ := w.createLicense("", nil, "")
				w.createMachine(lic, fp, nil)
				three(w)
				return show(fp, "")
			},
			attrs: map[string]any{"fingerprint": fp}, check: isMachine},
		{name: mshow + ": Admin retrieves a machine for their account that has an owner",
			setup: func(w *world) req {
				u := w.createUser("u@example.com")
				owners[0] = u
				lic, _ := w.createLicense("", nil, u)
				m := w.machineOwnedBy(lic, newUUID(), u)
				w.machineOwnedBy(lic, newUUID(), u)
				return show(m, "")
			},
			check: relIs("owner", func(w *world) any { return link("users", owners[0])["data"] })},
		{name: mshow + ": Admin retrieves a machine for their account that doesn't have an owner",
			setup: func(w *world) req { return show(three(w)[0], "") },
			check: relIs("owner", func(*world) any { return nil })},
		{name: mshow + ": Admin retrieves a machine for their account that doesn't have a user (v1.5)",
			setup: func(w *world) req {
				r := show(three(w)[0], "")
				r.headers = map[string]string{"Keygen-Version": "1.5"}
				return r
			},
			check: relIs("user", func(*world) any { return nil })},
		{name: mshow + ": Admin retrieves a machine for their account with a newline character in the ID (ID does not exist)", status: 404,
			setup: func(w *world) req { return getAs("/machines/95a4a5dc-fd79-4108-ba73-c3610ccfcab1%0A", "") },
			title: "Not found", code: "NOT_FOUND", detail: "The requested machine '95a4a5dc-fd79-4108-ba73-c3610ccfcab1\n' was not found"},
		{name: mshow + ": Product retrieves a machine for their product",
			setup: func(w *world) req { return show(three(w)[0], w.productAuth(w.prod)) }, check: isMachine},
		{name: mshow + ": Owner retrieves a machine for their license",
			setup: func(w *world) req {
				u, auth := w.userToken("u@example.com")
				lic, _ := w.createLicense("", nil, u)
				return show(w.createMachine(lic, newUUID(), nil), auth)
			},
			check: isMachine},
		{name: mshow + ": License retrieves a machine for their license",
			setup: func(w *world) req {
				lic, _ := w.createLicense("", nil, "")
				return show(w.createMachine(lic, newUUID(), nil), w.licenseAuth(lic, nil))
			},
			check: isMachine},
		{name: mshow + ": License retrieves a machine for another license", status: 404, title: "Not found",
			setup: func(w *world) req {
				a, _ := w.createLicense("", nil, "")
				b, _ := w.createLicense("", nil, "")
				return show(w.createMachine(b, newUUID(), nil), w.licenseAuth(a, nil))
			}},
		{name: mshow + ": Admin attempts to retrieve a machine for another account", status: 401, title: "Unauthorized",
			setup: func(w *world) req { return show(three(w)[0], "Bearer "+newWorld(w.t).srv.AdminToken) },
			check: func(t *testing.T, _ *world, r *reply) { assert.Len(t, r.doc["errors"], 1) }},
	}
	runEach(t, newProductWorld, cases)
}

// addGroupOwner makes the user an owner of the group.
func addGroupOwner(w *world, g, u string) {
	w.t.Helper()
	r := w.do(req{method: "POST", path: "/groups/" + g + "/owners", body: map[string]any{"data": []any{link("users", u)["data"]}}})
	require.Equal(w.t, 200, r.status, string(r.body))
}

// TestMachineFeaturesIndex: machines/index.feature (app/controllers/api/v1/machines_controller.rb,
// app/policies/machine_policy.rb).
func TestMachineFeaturesIndex(t *testing.T) {
	// n makes n machines, each on a license of its own.
	n := func(w *world, count int) []string {
		lic, _ := w.createLicense(w.floatingPolicy(map[string]any{"maxMachines": 100}), nil, "")
		var out []string
		for range count {
			out = append(out, w.createMachine(lic, newUUID(), nil))
		}
		return out
	}
	ls := func(q, auth string) req { return getAs("/machines"+q, auth) }
	nonEmpty := func(t *testing.T, _ *world, r *reply) { assert.Len(t, r.list(), 3, string(r.body)) }
	var cursor [1][]string
	cases := []apiCase{
		{name: mindex + ": Admin retrieves all machines for their account",
			setup: func(w *world) req { n(w, 3); return ls("", "") }, check: listLen(3)},
		{name: mindex + ": Developer retrieves all machines for their account",
			setup: func(w *world) req { n(w, 3); return ls("", w.roleAuth("developer")) }, check: nonEmpty},
		{name: mindex + ": Sales retrieves all machines for their account",
			setup: func(w *world) req { n(w, 3); return ls("", w.roleAuth("sales-agent")) }, check: nonEmpty},
		{name: mindex + ": Support retrieves all machines for their account",
			setup: func(w *world) req { n(w, 3); return ls("", w.roleAuth("support-agent")) }, check: nonEmpty},
		{name: mindex + ": Read-only retrieves all machines for their account",
			setup: func(w *world) req { n(w, 3); return ls("", w.roleAuth("read-only")) }, check: nonEmpty},
		{name: mindex + ": Admin retrieves an offset-paginated list of machines with a page size that is too high", status: 400,
			title: "Bad request", source: map[string]any{"parameter": "page[size]"}, detail: "page size must be a number between 1 and 100 (got 250)",
			setup: func(w *world) req { n(w, 20); return ls("?page[number]=1&page[size]=250", "") }},
		{name: mindex + ": Admin retrieves an offset-paginated list of machines with an invalid page number", status: 400,
			title: "Bad request", source: map[string]any{"parameter": "page[number]"}, detail: "page number must be a number between 1 and 100 (got -1)",
			setup: func(w *world) req { n(w, 20); return ls("?page[number]=-1&page[size]=10", "") }},
		{name: mindex + ": Admin retrieves a keyset-paginated list of machines (first page)",
			setup: func(w *world) req { n(w, 19); return ls("?page[size]=5&page[cursor]=", "") },
			check: func(t *testing.T, w *world, r *reply) {
				assert.Len(t, r.list(), 5)
				ids := listedIDs(r)
				links := r.doc["links"].(map[string]any)
				base := "/v1/accounts/" + w.srv.AccountID + "/machines?page[cursor]="
				self, _ := url.QueryUnescape(links["self"].(string))
				next, _ := url.QueryUnescape(links["next"].(string))
				assert.Equal(t, base+"&page[size]=5", self)
				assert.Equal(t, base+ids[4]+"&page[size]=5", next)
			}},
		{name: mindex + ": Admin retrieves a keyset-paginated list of machines (next page)",
			setup: func(w *world) req {
				ms := n(w, 19)
				// newest first: $machines[-5] is the 15th created.
				cursor[0] = ms
				return ls("?page[size]=5&page[cursor]="+ms[14], "")
			},
			check: func(t *testing.T, w *world, r *reply) {
				assert.Equal(t, []string{cursor[0][13], cursor[0][12], cursor[0][11], cursor[0][10], cursor[0][9]}, listedIDs(r), string(r.body))
				links := r.doc["links"].(map[string]any)
				next, _ := url.QueryUnescape(links["next"].(string))
				ids := listedIDs(r)
				assert.Equal(t, "/v1/accounts/"+w.srv.AccountID+"/machines?page[cursor]="+ids[4]+"&page[size]=5", next)
			}},
		{name: mindex + ": Admin retrieves a keyset-paginated list of machines (last page)",
			setup: func(w *world) req {
				ms := n(w, 19)
				// newest first: the cursor of the 15th newest leaves the 4 oldest.
				return ls("?page[size]=5&page[cursor]="+ms[4], "")
			},
			check: func(t *testing.T, w *world, r *reply) {
				assert.Len(t, r.list(), 4, string(r.body))
				links := r.doc["links"].(map[string]any)
				assert.Contains(t, links, "next")
				assert.Nil(t, links["next"])
			}},
		{name: mindex + ": Admin retrieves all machines without a limit for their account",
			setup: func(w *world) req { n(w, 20); return ls("", "") }, check: listLen(10)},
		{name: mindex + ": Admin retrieves all machines with a low limit for their account",
			setup: func(w *world) req { n(w, 10); return ls("?limit=5", "") }, check: listLen(5)},
		{name: mindex + ": Admin retrieves all machines with a high limit for their account",
			setup: func(w *world) req { n(w, 20); return ls("?limit=20", "") }, check: listLen(20)},
		{name: mindex + ": Admin retrieves all dead machines",
			setup: func(w *world) req {
				a, _ := w.createLicense(w.floatingPolicy(map[string]any{"heartbeatDuration": 1800}), nil, "")
				b, _ := w.createLicense(w.floatingPolicy(nil), nil, "")
				now := w.srv.clock.now()
				for _, x := range []struct {
					lic string
					ago time.Duration
				}{{a, time.Minute}, {a, 31 * time.Minute}, {a, 11 * time.Minute}, {b, -1}, {b, 24 * time.Hour}} {
					m := w.createMachine(x.lic, newUUID(), nil)
					w.withStore(func(db *store) {
						if x.ago < 0 {
							db.machines[m].LastHeartbeat = nil
						} else {
							at := now.Add(-x.ago)
							db.machines[m].LastHeartbeat = &at
						}
					})
				}
				return ls("?status=dead", "")
			},
			check: listLen(2)},
		{name: mindex + ": Product retrieves all machines for their product",
			setup: func(w *world) req {
				other := w.product()
				lic := w.licenseOwnedBy(w.policy(other, map[string]any{"floating": true}), "")
				w.createMachine(lic, newUUID(), nil)
				w.createMachine(lic, newUUID(), nil)
				n(w, 2)
				return ls("", w.productAuth(other))
			},
			check: listLen(2)},
		{name: mindex + ": Admin attempts to retrieve all machines for another account", status: 401, title: "Unauthorized",
			setup: func(w *world) req { return ls("", "Bearer "+newWorld(w.t).srv.AdminToken) },
			check: func(t *testing.T, _ *world, r *reply) { assert.Len(t, r.doc["errors"], 1) }},
		// Owning a group shows a user none of its machines: only those of their licenses.
		{name: mindex + ": User attempts to retrieve all machines for their group",
			setup: func(w *world) req {
				g0 := w.mustCreate("/groups", "groups", map[string]any{"name": "G0"}, nil)
				g1 := w.mustCreate("/groups", "groups", map[string]any{"name": "G1"}, nil)
				u, auth := w.userToken("u@example.com")
				addGroupOwner(w, g0, u)
				lic, _ := w.createLicense("", nil, u)
				ms := n(w, 7)
				w.withStore(func(db *store) {
					for i, g := range []string{g0, g0, g0, g1} {
						db.machines[ms[i]].GroupID = ptr(g)
					}
					db.machines[ms[4]].LicenseID = lic
				})
				return ls("", auth)
			},
			check: listLen(1)},
		{name: mindex + ": User attempts to retrieve all machines for their account (license owner)",
			setup: func(w *world) req {
				u, auth := w.userToken("u@example.com")
				lic, _ := w.createLicense("", nil, u)
				for range 3 {
					w.createMachine(lic, newUUID(), nil)
				}
				n(w, 2)
				return ls("", auth)
			},
			check: listLen(3)},
		{name: mindex + ": User attempts to retrieve all machines for their account (license user)",
			setup: func(w *world) req {
				u, auth := w.userToken("u@example.com")
				lic, _ := w.createLicense("", nil, "")
				w.addLicenseUser(lic, u)
				for range 3 {
					w.createMachine(lic, newUUID(), nil)
				}
				n(w, 2)
				return ls("", auth)
			},
			check: listLen(3)},
		{name: mindex + ": User attempts to retrieve machines for their account scoped by a fingerprint that exists",
			setup: func(w *world) req {
				u, auth := w.userToken("u@example.com")
				lic, _ := w.createLicense("", nil, u)
				for _, fp := range []string{"a", "b", "test", "d", "e"} {
					w.createMachine(lic, fp, nil)
				}
				return ls("?fingerprint=test", auth)
			},
			check: listLen(1)},
		{name: mindex + ": User attempts to retrieve machines for their account scoped by a license key that doesn't exist",
			setup: func(w *world) req {
				u, auth := w.userToken("u@example.com")
				lic, _ := w.createLicense("", map[string]any{"key": "a-license-key"}, u)
				for range 5 {
					w.createMachine(lic, newUUID(), nil)
				}
				return ls("?key=invalid", auth)
			},
			check: listLen(0)},
		{name: mindex + ": License retrieves all machines for their license with matches",
			setup: func(w *world) req {
				lic, _ := w.createLicense("", nil, "")
				w.createMachine(lic, newUUID(), nil)
				n(w, 4)
				return ls("", w.licenseAuth(lic, nil))
			},
			check: listLen(1)},
	}
	runEach(t, newProductWorld, cases)
}
