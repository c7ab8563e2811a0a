package keygentest

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Machines (keygen-api.md §2.7), heartbeats, license and machine check-out (§4.2) and
// license usage (§2.6), pinned over real HTTP against the behaviours the real server's
// request specs assert. Each case names the feature file and a scenario title.

func newProductWorld(t *testing.T) *world {
	w := newWorld(t)
	w.prod = w.product()
	return w
}

func (w *world) floatingPolicy(attrs map[string]any) string {
	if attrs == nil {
		attrs = map[string]any{}
	}
	if _, ok := attrs["floating"]; !ok {
		attrs["floating"] = true
	}
	return w.policy(w.prod, attrs)
}

// license makes a license for pol (a new default floating policy when empty).
func (w *world) createLicense(pol string, attrs map[string]any, owner string) (id, key string) {
	if pol == "" {
		pol = w.floatingPolicy(nil)
	}
	var rels map[string]any
	if owner != "" {
		rels = map[string]any{"owner": link("users", owner)}
	}
	r := w.mustLicense(pol, attrs, rels)
	return r.id(), r.attrs()["key"].(string)
}

func (w *world) createMachine(lic, fp string, attrs map[string]any) string {
	w.t.Helper()
	r := w.postMachine(lic, fp, attrs, "")
	require.Equal(w.t, 201, r.status, string(r.body))
	return r.id()
}

// licenseAuth is an activation token of the license.
func (w *world) licenseAuth(lic string, attrs map[string]any) string {
	_, tok := w.tokenFor("licenses", lic, attrs)
	return "Bearer " + tok
}

// roleAuth makes a staff user with the role and logs them in.
func (w *world) roleAuth(role string) string {
	w.t.Helper()
	email := role + "@example.com"
	w.mustCreate("/users", "users", map[string]any{"email": email, "password": "password", "role": role}, nil)
	r := w.do(req{method: "POST", path: "/tokens", auth: basic(email, "password")})
	require.Equal(w.t, 201, r.status, string(r.body))
	return "Bearer " + r.attrs()["token"].(string)
}

func (w *world) productAuth(prod string) string {
	_, tok := w.tokenFor("products", prod, nil)
	return "Bearer " + tok
}

// mut changes stored state the public API cannot set directly (the features' factories).
func (w *world) withStore(fn func(db *store)) {
	w.srv.mu.Lock()
	defer w.srv.mu.Unlock()
	fn(w.srv.db)
}

func (w *world) addLicenseUser(lic, user string) {
	w.withStore(func(db *store) { db.licenses[lic].UserIDs = append(db.licenses[lic].UserIDs, user) })
}

func machineBody(lic, fp string, attrs map[string]any, rels map[string]any) map[string]any {
	if attrs == nil {
		attrs = map[string]any{}
	}
	attrs["fingerprint"] = fp
	if rels == nil {
		rels = map[string]any{}
	}
	rels["license"] = link("licenses", lic)
	return doc("machines", attrs, rels)
}

func rel(r *reply, name string) map[string]any {
	rels, _ := r.data()["relationships"].(map[string]any)
	m, _ := rels[name].(map[string]any)
	return m
}

func (w *world) machineCount() int {
	w.srv.mu.Lock()
	defer w.srv.mu.Unlock()
	return len(w.srv.db.machines)
}

const (
	mcreate  = "machines/create.feature"
	mshow    = "machines/show.feature"
	mindex   = "machines/index.feature"
	mupdate  = "machines/update.feature"
	mdestroy = "machines/destroy.feature"
	mbeat    = "machines/actions/heartbeats.feature"
	mcheck   = "machines/actions/checkouts.feature"
	lcheck   = "licenses/actions/checkouts.feature"
	luses    = "licenses/actions/uses.feature"
)

func TestMachineFeatures(t *testing.T) {
	post := func(auth string, body any) req { return req{method: "POST", path: "/machines", auth: auth, body: body} }
	cases := []apiCase{
		// machines/create.feature ------------------------------------------------------
		{name: mcreate + ": Admin creates a machine for their account", status: 201,
			setup: func(f *world) req {
				l, _ := f.createLicense("", nil, "")
				return post("", machineBody(l, "4d:Eq:UV", nil, nil))
			},
			attrs: map[string]any{"fingerprint": "4d:Eq:UV"},
			check: func(t *testing.T, f *world, r *reply) {
				assert.Nil(t, rel(r, "owner")["data"])
				assert.Equal(t, "/v1/accounts/"+f.srv.AccountID+"/machines/"+r.id()+"/owner", rel(r, "owner")["links"].(map[string]any)["related"])
			}},
		{name: mcreate + ": Admin creates a machine with an owner (license owner matches license user)", status: 201,
			setup: func(f *world) req {
				u := f.createUser("u@example.com")
				l, _ := f.createLicense("", nil, "")
				f.addLicenseUser(l, u)
				return post("", machineBody(l, "fp", nil, map[string]any{"owner": link("users", u)}))
			},
			check: func(t *testing.T, f *world, r *reply) { assert.NotNil(t, rel(r, "owner")["data"]) }},
		{name: mcreate + ": Admin creates a machine with an owner (license owner is not associated)", status: 422,
			setup: func(f *world) req {
				u := f.createUser("u@example.com")
				l, _ := f.createLicense("", nil, "")
				return post("", machineBody(l, "fp", nil, map[string]any{"owner": link("users", u)}))
			},
			title: "Unprocessable resource", code: "OWNER_INVALID", detail: "must be a valid license user",
			source: map[string]any{"pointer": "/data/relationships/owner"}},
		{name: mcreate + ": Admin creates a machine with a null owner (linkage)", status: 201,
			setup: func(f *world) req {
				l, _ := f.createLicense("", nil, "")
				return post("", machineBody(l, "fp", nil, map[string]any{"owner": map[string]any{"data": nil}}))
			}},
		{name: mcreate + ": Admin creates a machine with complex metadata", status: 201,
			setup: func(f *world) req {
				l, _ := f.createLicense("", nil, "")
				return post("", machineBody(l, "fp", map[string]any{"metadata": map[string]any{
					"cpuCount": 16, "memoryTotal": 17179869184, "osPrettyName": "TestOS 1.0", "gpuDevices": []any{"gpu0", "gpu1"},
					"networkInterfaces": []any{map[string]any{"name": "lo", "ipv4": "127.0.0.1"}},
				}}, nil))
			},
			attrs: map[string]any{"metadata": map[string]any{
				"cpuCount": 16.0, "memoryTotal": 17179869184.0, "osPrettyName": "TestOS 1.0", "gpuDevices": []any{"gpu0", "gpu1"},
				"networkInterfaces": []any{map[string]any{"name": "lo", "ipv4": "127.0.0.1"}},
			}}},
		{name: mcreate + ": Support attempts to create a machine for their account", status: 403,
			setup: func(f *world) req {
				l, _ := f.createLicense("", nil, "")
				return post(f.roleAuth("support-agent"), machineBody(l, "fp", nil, nil))
			}},
		{name: mcreate + ": Read-only attempts to create a machine for their account", status: 403,
			setup: func(f *world) req {
				l, _ := f.createLicense("", nil, "")
				return post(f.roleAuth("read-only"), machineBody(l, "fp", nil, nil))
			}},
		{name: mcreate + ": Sales creates a machine for their account", status: 201,
			setup: func(f *world) req {
				l, _ := f.createLicense("", nil, "")
				return post(f.roleAuth("sales-agent"), machineBody(l, "fp", nil, nil))
			}},
		{name: mcreate + ": Admin creates a grouped machine for their account (invalid group)", status: 422,
			setup: func(f *world) req {
				l, _ := f.createLicense("", nil, "")
				return post("", machineBody(l, "fp", nil, map[string]any{"group": link("groups", newUUID())}))
			},
			code: "GROUP_NOT_FOUND", detail: "must exist", source: map[string]any{"pointer": "/data/relationships/group"}},
		{name: mcreate + ": User creates a grouped machine for their account", status: 400,
			setup: func(f *world) req {
				u, auth := f.userToken("u@example.com")
				l, _ := f.createLicense("", nil, u)
				return post(auth, machineBody(l, "fp", nil, map[string]any{"group": link("groups", newUUID())}))
			},
			title: "Bad request", detail: "unpermitted parameter", source: map[string]any{"pointer": "/data/relationships/group"}},
		{name: mcreate + ": Admin creates a machine for their account with a fingerprint matching another machine's ID", status: 422,
			setup: func(f *world) req {
				l, _ := f.createLicense("", nil, "")
				id := f.createMachine(l, "a", nil)
				return post("", machineBody(l, id, nil, nil))
			}},
		{name: mcreate + ": Admin creates a machine for their account with a fingerprint matching a reserved word", status: 422,
			setup: func(f *world) req {
				l, _ := f.createLicense("", nil, "")
				return post("", machineBody(l, "actions", nil, nil))
			}},
		{name: mcreate + ": Admin creates a machine with missing fingerprint", status: 400,
			setup: func(f *world) req {
				l, _ := f.createLicense("", nil, "")
				return post("", doc("machines", map[string]any{}, map[string]any{"license": link("licenses", l)}))
			}},
		{name: mcreate + ": Admin creates a machine with missing license", status: 400,
			setup: func(f *world) req { return post("", doc("machines", map[string]any{"fingerprint": "fp"}, nil)) }},
		{name: mcreate + ": Admin creates a machine with an invalid license UUID", status: 422,
			setup: func(f *world) req { return post("", machineBody(newUUID(), "fp", nil, nil)) }},
		{name: mcreate + ": User creates a machine for their license (as license owner)", status: 201,
			setup: func(f *world) req {
				u, auth := f.userToken("u@example.com")
				l, _ := f.createLicense("", nil, u)
				return post(auth, machineBody(l, "fp", nil, nil))
			},
			check: func(t *testing.T, f *world, r *reply) {
				l := rel(r, "license")["data"].(map[string]any)["id"].(string)
				lr := f.get("/licenses/" + l)
				assert.Equal(t, map[string]any{"cores": 0.0, "memory": 0.0, "disk": 0.0, "count": 1.0}, rel(lr, "machines")["meta"])
			}},
		{name: mcreate + ": User creates a machine for their license (as licensee, as owner)", status: 201,
			setup: func(f *world) req {
				u, auth := f.userToken("u@example.com")
				l, _ := f.createLicense("", nil, "")
				f.addLicenseUser(l, u)
				return post(auth, machineBody(l, "fp", nil, map[string]any{"owner": link("users", u)}))
			}},
		{name: mcreate + ": User creates a machine for their license (as licensee, no owner)", status: 403,
			setup: func(f *world) req {
				u, auth := f.userToken("u@example.com")
				l, _ := f.createLicense("", nil, "")
				f.addLicenseUser(l, u)
				return post(auth, machineBody(l, "fp", nil, nil))
			}},
		{name: mcreate + ": User creates a machine for their license with a protected policy", status: 403,
			setup: func(f *world) req {
				u, auth := f.userToken("u@example.com")
				l, _ := f.createLicense(f.floatingPolicy(map[string]any{"protected": true}), nil, u)
				return post(auth, machineBody(l, "fp", nil, nil))
			}},
		{name: mcreate + ": User creates a machine for another user's license", status: 403,
			setup: func(f *world) req {
				_, auth := f.userToken("u@example.com")
				l, _ := f.createLicense("", nil, f.createUser("other@example.com"))
				return post(auth, machineBody(l, "fp", nil, nil))
			}},
		{name: mcreate + ": License creates a machine for a protected license", status: 201,
			setup: func(f *world) req {
				l, _ := f.createLicense(f.floatingPolicy(map[string]any{"protected": true}), nil, "")
				return post(f.licenseAuth(l, nil), machineBody(l, "fp", nil, nil))
			}},
		{name: mcreate + ": License creates a machine for a protected license but they've hit their activation limit", status: 422,
			setup: func(f *world) req {
				l, _ := f.createLicense("", nil, "")
				auth := f.licenseAuth(l, map[string]any{"maxActivations": 1})
				f.withStore(func(db *store) {
					for _, tk := range db.tokens {
						tk.Activations = 1
					}
				})
				return post(auth, machineBody(l, "fp", nil, nil))
			},
			title: "Unprocessable resource", code: "ACTIVATIONS_LIMIT_EXCEEDED", detail: "exceeds maximum allowed (1)",
			source: map[string]any{"pointer": "/data/attributes/activations"},
			check:  func(t *testing.T, f *world, r *reply) { assert.Equal(t, 0, f.machineCount()) }},
		{name: mcreate + ": License creates a machine for their license with a duplicate fingerprint", status: 422,
			setup: func(f *world) req {
				l, _ := f.createLicense("", nil, "")
				f.createMachine(l, "dup", nil)
				return post(f.licenseAuth(l, nil), machineBody(l, "dup", nil, nil))
			},
			code: "FINGERPRINT_TAKEN", detail: "has already been taken", source: map[string]any{"pointer": "/data/attributes/fingerprint"},
			check: func(t *testing.T, f *world, r *reply) {
				f.withStore(func(db *store) {
					for _, tk := range db.tokens {
						if tk.Kind == "activation-token" {
							assert.Equal(t, 0, tk.Activations)
						}
					}
				})
			}},
		{name: mcreate + ": License creates a machine for their license with a blank fingerprint", status: 400,
			setup: func(f *world) req {
				l, _ := f.createLicense("", nil, "")
				return post(f.licenseAuth(l, nil), machineBody(l, "", nil, nil))
			},
			title: "Bad request", detail: "cannot be blank", source: map[string]any{"pointer": "/data/attributes/fingerprint"}},
		{name: mcreate + ": License creates a machine for another license", status: 403,
			setup: func(f *world) req {
				l, _ := f.createLicense("", nil, "")
				other, _ := f.createLicense("", nil, "")
				return post(f.licenseAuth(l, nil), machineBody(other, "fp", nil, nil))
			}},
		{name: mcreate + ": Product creates a machine associated to a license they don't own", status: 403,
			setup: func(f *world) req {
				l, _ := f.createLicense("", nil, "")
				return post(f.productAuth(f.product()), machineBody(l, "fp", nil, nil))
			}},
		{name: mcreate + ": Unauthenticated user attempts to create a machine", status: 401,
			setup: func(f *world) req {
				l, _ := f.createLicense("", nil, "")
				return post("-", machineBody(l, "fp", nil, nil))
			}},
		{name: mcreate + ": Admin creates a machine for a floating license that has exceeded its limit (allows 1.25x overages)", status: 422,
			setup: func(f *world) req {
				pol := f.floatingPolicy(map[string]any{"maxMachines": 4, "overageStrategy": "ALLOW_1_25X_OVERAGE"})
				l, _ := f.createLicense(pol, nil, "")
				for _, fp := range []string{"a", "b", "c", "d", "e"} {
					f.createMachine(l, fp, nil)
				}
				return post("", machineBody(l, "f", nil, nil))
			},
			title: "Unprocessable resource", code: "MACHINE_LIMIT_EXCEEDED", detail: "machine count has exceeded maximum allowed for license (4)",
			source: map[string]any{"pointer": "/data"}},
		{name: mcreate + ": Admin creates a machine for a floating license that has already reached its limit (no overages)", status: 422,
			setup: func(f *world) req {
				l, _ := f.createLicense(f.floatingPolicy(map[string]any{"maxMachines": 2}), nil, "")
				f.createMachine(l, "a", nil)
				f.createMachine(l, "b", nil)
				return post("", machineBody(l, "c", nil, nil))
			},
			code: "MACHINE_LIMIT_EXCEEDED", detail: "machine count has exceeded maximum allowed for license (2)"},
		{name: mcreate + ": Admin creates a machine for a node-locked license that has already reached its limit (allows 2x overages)", status: 201,
			setup: func(f *world) req {
				l, _ := f.createLicense(f.floatingPolicy(map[string]any{"floating": false, "maxMachines": 1, "overageStrategy": "ALLOW_2X_OVERAGE"}), nil, "")
				f.createMachine(l, "a", nil)
				return post("", machineBody(l, "b", nil, nil))
			}},
		{name: mcreate + ": Admin creates a machine for a node-locked license that has exceeded its limit (allows 2x overages)", status: 422,
			setup: func(f *world) req {
				l, _ := f.createLicense(f.floatingPolicy(map[string]any{"floating": false, "maxMachines": 1, "overageStrategy": "ALLOW_2X_OVERAGE"}), nil, "")
				f.createMachine(l, "a", nil)
				f.createMachine(l, "b", nil)
				return post("", machineBody(l, "c", nil, nil))
			},
			code: "MACHINE_LIMIT_EXCEEDED", detail: "machine count has exceeded maximum allowed for license (1)"},
		{name: mcreate + ": Admin creates a machine for a floating license that has exceeded its limit (PER_USER leasing strategy, no owner)", status: 422,
			setup: func(f *world) req {
				l, _ := f.createLicense(f.floatingPolicy(map[string]any{"maxMachines": 3, "machineLeasingStrategy": "PER_USER"}), nil, "")
				for _, fp := range []string{"a", "b", "c"} {
					f.createMachine(l, fp, nil)
				}
				return post("", machineBody(l, "d", nil, nil))
			},
			code: "MACHINE_LIMIT_EXCEEDED", detail: "machine count has exceeded maximum allowed for user (3)"},
		{name: mcreate + ": Admin creates a machine for a floating license that is under its limit (PER_USER leasing strategy, with owner)", status: 201,
			setup: func(f *world) req {
				u := f.createUser("u@example.com")
				l, _ := f.createLicense(f.floatingPolicy(map[string]any{"maxMachines": 3, "machineLeasingStrategy": "PER_USER"}), nil, u)
				for _, fp := range []string{"a", "b", "c"} {
					f.createMachine(l, fp, nil)
				}
				return post("", machineBody(l, "d", nil, map[string]any{"owner": link("users", u)}))
			}},
		{name: mcreate + ": License creates a machine with a fingerprint from another license's machine for a license-scoped machine uniqueness strategy", status: 201,
			setup: func(f *world) req {
				pol := f.floatingPolicy(nil)
				a, _ := f.createLicense(pol, nil, "")
				b, _ := f.createLicense(pol, nil, "")
				f.createMachine(a, "fp", nil)
				return post(f.licenseAuth(b, nil), machineBody(b, "fp", nil, nil))
			}},
		{name: mcreate + ": License creates a machine with a fingerprint from another license's machine for a product-scoped machine uniqueness strategy (same product)", status: 422,
			setup: func(f *world) req {
				a, _ := f.createLicense(f.floatingPolicy(map[string]any{"machineUniquenessStrategy": "UNIQUE_PER_PRODUCT"}), nil, "")
				b, _ := f.createLicense(f.floatingPolicy(map[string]any{"machineUniquenessStrategy": "UNIQUE_PER_PRODUCT"}), nil, "")
				f.createMachine(a, "fp", nil)
				return post(f.licenseAuth(b, nil), machineBody(b, "fp", nil, nil))
			},
			code: "FINGERPRINT_TAKEN", detail: "has already been taken for this product"},
		{name: mcreate + ": Admin creates a machine for a floating license that has exceeded its core limit (no overages)", status: 422,
			setup: func(f *world) req {
				l, _ := f.createLicense(f.floatingPolicy(map[string]any{"maxCores": 32}), nil, "")
				f.createMachine(l, "a", map[string]any{"cores": 24})
				return post("", machineBody(l, "b", map[string]any{"cores": 16}, nil))
			},
			title: "Unprocessable resource", code: "MACHINE_CORE_LIMIT_EXCEEDED", detail: "machine core count has exceeded maximum allowed for license (32)",
			source: map[string]any{"pointer": "/data"}},
		{name: mcreate + ": Admin creates a machine for a floating license that is under its core overage limit (allow 1.5x overage)", status: 201,
			setup: func(f *world) req {
				l, _ := f.createLicense(f.floatingPolicy(map[string]any{"maxCores": 32, "overageStrategy": "ALLOW_1_5X_OVERAGE"}), nil, "")
				f.createMachine(l, "a", map[string]any{"cores": 24})
				return post("", machineBody(l, "b", map[string]any{"cores": 16}, nil))
			},
			attrs: map[string]any{"cores": 16.0}},
		{name: mcreate + ": Admin creates a machine for a floating license with a max cores override (no overages)", status: 201,
			setup: func(f *world) req {
				l, _ := f.createLicense(f.floatingPolicy(map[string]any{"maxCores": 16}), map[string]any{"maxCores": 32}, "")
				return post("", machineBody(l, "b", map[string]any{"cores": 32}, nil))
			}},
		{name: mcreate + ": Admin creates a machine for a node-locked license that has exceeded its core limit (PER_USER leasing strategy, no owner)", status: 422,
			setup: func(f *world) req {
				l, _ := f.createLicense(f.floatingPolicy(map[string]any{"floating": false, "maxMachines": 1, "maxCores": 8, "machineLeasingStrategy": "PER_USER"}), nil, "")
				return post("", machineBody(l, "b", map[string]any{"cores": 16}, nil))
			},
			code: "MACHINE_CORE_LIMIT_EXCEEDED", detail: "machine core count has exceeded maximum allowed for user (8)"},
		{name: mcreate + ": Admin creates a machine with an invalid core count", status: 422,
			setup: func(f *world) req {
				l, _ := f.createLicense("", nil, "")
				return post("", machineBody(l, "b", map[string]any{"cores": 0}, nil))
			},
			code: "CORES_INVALID", detail: "must be greater than or equal to 1", source: map[string]any{"pointer": "/data/attributes/cores"}},
		{name: mcreate + ": Admin creates a machine with a large memory count but policy has no maximum", status: 201,
			setup: func(f *world) req {
				l, _ := f.createLicense("", nil, "")
				return post("", machineBody(l, "b", map[string]any{"memory": 9223372036854775807, "disk": 9223372036854775807}, nil))
			},
			check: func(t *testing.T, f *world, r *reply) {
				assert.Contains(t, string(r.body), `"memory":9223372036854775807`)
			}},
		{name: mcreate + ": Admin creates a machine for a floating license that has exceeded its memory limit (no overages)", status: 422,
			setup: func(f *world) req {
				l, _ := f.createLicense(f.floatingPolicy(map[string]any{"maxMemory": 32768}), nil, "")
				f.createMachine(l, "a", map[string]any{"memory": 24576})
				return post("", machineBody(l, "b", map[string]any{"memory": 16384}, nil))
			},
			code: "MACHINE_MEMORY_LIMIT_EXCEEDED", detail: "machine memory has exceeded maximum allowed for license (32768)"},
		{name: mcreate + ": Admin creates a machine for a floating license that has exceeded its disk limit (no overages)", status: 422,
			setup: func(f *world) req {
				l, _ := f.createLicense(f.floatingPolicy(map[string]any{"maxDisk": 1048576}), nil, "")
				f.createMachine(l, "a", map[string]any{"disk": 786432})
				return post("", machineBody(l, "b", map[string]any{"disk": 524288}, nil))
			},
			code: "MACHINE_DISK_LIMIT_EXCEEDED", detail: "machine disk has exceeded maximum allowed for license (1048576)"},
		{name: mcreate + ": Admin creates a machine with an invalid disk count", status: 422,
			setup: func(f *world) req {
				l, _ := f.createLicense("", nil, "")
				return post("", machineBody(l, "b", map[string]any{"disk": 0}, nil))
			},
			detail: "must be greater than or equal to 1", source: map[string]any{"pointer": "/data/attributes/disk"}},
		{name: mcreate + ": License activates a machine with an activation expiration basis (not set)", status: 201,
			setup: func(f *world) req {
				l, _ := f.createLicense(f.floatingPolicy(map[string]any{"expirationBasis": "FROM_FIRST_ACTIVATION", "duration": 31556952}), nil, "")
				return post(f.licenseAuth(l, nil), machineBody(l, "fp", nil, nil))
			},
			check: func(t *testing.T, f *world, r *reply) {
				l := rel(r, "license")["data"].(map[string]any)["id"].(string)
				exp, _ := time.Parse(time.RFC3339, f.get("/licenses/" + l).attrs()["expiry"].(string))
				assert.WithinDuration(t, time.Now().AddDate(1, 0, 0), exp, 2*time.Hour)
			}},
		{name: mcreate + ": License activates a machine with a pre-determined ID", status: 201,
			setup: func(f *world) req {
				l, _ := f.createLicense("", nil, "")
				b := machineBody(l, "fp", nil, nil)
				b["data"].(map[string]any)["id"] = "00000000-2521-4033-9f4f-3675387016f7"
				return post(f.licenseAuth(l, nil), b)
			},
			check: func(t *testing.T, f *world, r *reply) {
				assert.Equal(t, "00000000-2521-4033-9f4f-3675387016f7", r.id())
			}},
		{name: mcreate + ": License activates a machine with a pre-determined ID (conflict)", status: 422,
			setup: func(f *world) req {
				l, _ := f.createLicense("", nil, "")
				id := f.createMachine(l, "a", nil)
				b := machineBody(l, "fp", nil, nil)
				b["data"].(map[string]any)["id"] = id
				return post(f.licenseAuth(l, nil), b)
			},
			title: "Unprocessable resource", code: "ID_CONFLICT", detail: "must not conflict with another machine",
			source: map[string]any{"pointer": "/data/id"},
			check:  func(t *testing.T, f *world, r *reply) { assert.Len(t, r.doc["errors"], 1) }},
		{name: mcreate + ": License activates a machine with a pre-determined ID (bad ID)", status: 400,
			setup: func(f *world) req {
				l, _ := f.createLicense("", nil, "")
				b := machineBody(l, "fp", nil, nil)
				b["data"].(map[string]any)["id"] = "foo"
				return post(f.licenseAuth(l, nil), b)
			},
			title: "Bad request", detail: "type mismatch (received string expected UUID string)", source: map[string]any{"pointer": "/data/id"}},
		{name: mcreate + ": License activates a machine with a token (auth strategy not allowed)", status: 403,
			setup: func(f *world) req {
				l, _ := f.createLicense(f.floatingPolicy(map[string]any{"authenticationStrategy": "LICENSE"}), nil, "")
				return post(f.licenseAuth(l, nil), machineBody(l, "fp", nil, nil))
			},
			title: "Access denied", code: "TOKEN_NOT_ALLOWED", detail: "Token authentication is not allowed by policy"},
		{name: mcreate + ": License activates a machine with their key (auth strategy not allowed)", status: 403,
			setup: func(f *world) req {
				l, k := f.createLicense(f.floatingPolicy(map[string]any{"authenticationStrategy": "TOKEN"}), nil, "")
				return post("License "+k, machineBody(l, "fp", nil, nil))
			},
			title: "Access denied", code: "LICENSE_NOT_ALLOWED", detail: "License key authentication is not allowed by policy"},
		{name: mcreate + ": License activates a machine with their key (auth strategy allowed, expired, restrict access)", status: 201,
			setup: func(f *world) req {
				l, k := f.createLicense(f.floatingPolicy(map[string]any{"authenticationStrategy": "LICENSE", "expirationStrategy": "RESTRICT_ACCESS"}), nil, "")
				f.withStore(func(db *store) { e := time.Now().Add(-time.Hour); db.licenses[l].Expiry = &e })
				return post("License "+k, machineBody(l, "fp", nil, nil))
			}},
		{name: mcreate + ": License activates a machine with their key (auth strategy allowed, expired, revoke access)", status: 403,
			setup: func(f *world) req {
				l, k := f.createLicense(f.floatingPolicy(map[string]any{"authenticationStrategy": "LICENSE", "expirationStrategy": "REVOKE_ACCESS"}), nil, "")
				f.withStore(func(db *store) { e := time.Now().Add(-time.Hour); db.licenses[l].Expiry = &e })
				return post("License "+k, machineBody(l, "fp", nil, nil))
			}},
		{name: mcreate + ": License activates a machine with their key (auth strategy allowed, suspended)", status: 403,
			setup: func(f *world) req {
				l, k := f.createLicense(f.floatingPolicy(map[string]any{"authenticationStrategy": "MIXED"}), nil, "")
				f.withStore(func(db *store) { db.licenses[l].Suspended = true })
				return post("License "+k, machineBody(l, "fp", nil, nil))
			}},
		{name: mcreate + ": Admin creates a machine with FROM_FIRST_PING heartbeat basis", status: 201,
			setup: func(f *world) req {
				l, _ := f.createLicense(f.floatingPolicy(map[string]any{"heartbeatBasis": "FROM_FIRST_PING"}), nil, "")
				return post("", machineBody(l, "fp", nil, nil))
			},
			attrs: map[string]any{"heartbeatStatus": "NOT_STARTED", "lastHeartbeat": nil}},
		{name: mcreate + ": Admin creates a machine with FROM_CREATION heartbeat basis", status: 201,
			setup: func(f *world) req {
				l, _ := f.createLicense(f.floatingPolicy(map[string]any{"heartbeatBasis": "FROM_CREATION"}), nil, "")
				return post("", machineBody(l, "fp", nil, nil))
			},
			attrs: map[string]any{"heartbeatStatus": "ALIVE"},
			check: func(t *testing.T, f *world, r *reply) { assert.NotNil(t, r.attrs()["lastHeartbeat"]) }},
	}
	runEach(t, newProductWorld, cases)
}

func TestMachineReadWriteFeatures(t *testing.T) {
	at := func(method, path, auth string, body any) req {
		return req{method: method, path: path, auth: auth, body: body}
	}
	name := func(n string) any { return doc("machines", map[string]any{"name": n}, nil) }
	cases := []apiCase{
		// machines/show.feature --------------------------------------------------------
		{name: mshow + ": Admin retrieves a machine for their account by UUID fingerprint", status: 200,
			setup: func(f *world) req {
				l, _ := f.createLicense("", nil, "")
				f.createMachine(l, "a06b4343-d2cf-45e7-b9a2-b11c618993f3", nil)
				return at("GET", "/machines/a06b4343-d2cf-45e7-b9a2-b11c618993f3", "", nil)
			},
			attrs: map[string]any{"fingerprint": "a06b4343-d2cf-45e7-b9a2-b11c618993f3"}},
		{name: mshow + ": Admin retrieves an invalid machine for their account", status: 404,
			setup: func(f *world) req { return at("GET", "/machines/invalid", "", nil) },
			title: "Not found", code: "NOT_FOUND", detail: "The requested machine 'invalid' was not found"},
		{name: mshow + ": Admin retrieves a machine for their account with a newline character in the ID (ID without newline exists)", status: 404,
			setup: func(f *world) req {
				l, _ := f.createLicense("", nil, "")
				id := f.createMachine(l, "a", nil)
				return at("GET", "/machines/"+id+"%0A", "", nil)
			},
			code: "NOT_FOUND", check: func(t *testing.T, f *world, r *reply) { assert.Contains(t, r.detail(), "\n' was not found") }},
		{name: mshow + ": License retrieves a machine by fingerprint with a newline (newline)", status: 200,
			setup: func(f *world) req {
				l, _ := f.createLicense("", nil, "")
				f.createMachine(l, "foo\n", nil)
				return at("GET", "/machines/foo%0A", f.licenseAuth(l, nil), nil)
			}},
		{name: mshow + ": License retrieves a machine by fingerprint with a newline (no newline)", status: 404,
			setup: func(f *world) req {
				l, _ := f.createLicense("", nil, "")
				f.createMachine(l, "foo\n", nil)
				return at("GET", "/machines/foo", f.licenseAuth(l, nil), nil)
			}},
		{name: mshow + ": Read-only retrieves a machine for their account", status: 200,
			setup: func(f *world) req {
				l, _ := f.createLicense("", nil, "")
				return at("GET", "/machines/"+f.createMachine(l, "a", nil), f.roleAuth("read-only"), nil)
			}},
		{name: mshow + ": User retrieves a machine for their license", status: 200,
			setup: func(f *world) req {
				u, auth := f.userToken("u@example.com")
				l, _ := f.createLicense("", nil, "")
				f.addLicenseUser(l, u)
				return at("GET", "/machines/"+f.createMachine(l, "a", nil), auth, nil)
			}},
		{name: mshow + ": User retrieves a machine for a license", status: 404,
			setup: func(f *world) req {
				_, auth := f.userToken("u@example.com")
				l, _ := f.createLicense("", nil, "")
				return at("GET", "/machines/"+f.createMachine(l, "a", nil), auth, nil)
			}},
		{name: mshow + ": License retrieves a machine by fingerprint that matches the machine of another license", status: 200,
			setup: func(f *world) req {
				a, _ := f.createLicense("", nil, "")
				b, _ := f.createLicense("", nil, "")
				f.createMachine(b, "xxx", nil)
				f.createMachine(a, "xxx", nil)
				return at("GET", "/machines/xxx", f.licenseAuth(a, nil), nil)
			}},
		{name: mshow + ": Product attempts to retrieve a machine for another product", status: 404,
			setup: func(f *world) req {
				l, _ := f.createLicense("", nil, "")
				return at("GET", "/machines/"+f.createMachine(l, "a", nil), f.productAuth(f.product()), nil)
			}},
		{name: mshow + ": Admin retrieves a machine for their account that has a user (v1.5)", status: 200,
			setup: func(f *world) req {
				u := f.createUser("u@example.com")
				l, _ := f.createLicense("", nil, u)
				id := f.createMachine(l, "a", nil)
				f.withStore(func(db *store) { db.machines[id].OwnerID = &u })
				r := at("GET", "/machines/"+id, "", nil)
				r.headers = map[string]string{"Keygen-Version": "1.5"}
				return r
			},
			check: func(t *testing.T, f *world, r *reply) {
				assert.Equal(t, "users", rel(r, "user")["data"].(map[string]any)["type"])
				assert.Contains(t, rel(r, "user")["links"].(map[string]any)["related"], "/user")
			}},
		// machines/index.feature -------------------------------------------------------
		{name: mindex + ": Admin retrieves an offset-paginated list of machines scoped to owner", status: 200,
			setup: func(f *world) req {
				u := f.createUser("u@example.com")
				l, _ := f.createLicense("", nil, u)
				id := f.createMachine(l, "a", nil)
				f.createMachine(l, "b", nil)
				f.withStore(func(db *store) { db.machines[id].OwnerID = &u })
				return at("GET", "/machines?page[number]=1&page[size]=100&owner="+u, "", nil)
			},
			check: func(t *testing.T, f *world, r *reply) {
				assert.Len(t, r.list(), 1)
				links := r.doc["links"].(map[string]any)
				self, _ := url.QueryUnescape(links["self"].(string))
				assert.Contains(t, self, "machines?owner=")
				assert.Equal(t, map[string]any{"pages": 1.0, "count": 1.0}, links["meta"])
			}},
		{name: mindex + ": Admin retrieves an offset-paginated list of machines scoped to user", status: 200,
			setup: func(f *world) req {
				u := f.createUser("u@example.com")
				l, _ := f.createLicense("", nil, u)
				o, _ := f.createLicense("", nil, "")
				f.createMachine(l, "a", nil)
				f.createMachine(o, "b", nil)
				return at("GET", "/machines?page[number]=1&page[size]=100&user="+u, "", nil)
			},
			check: func(t *testing.T, f *world, r *reply) { assert.Len(t, r.list(), 1) }},
		{name: mindex + ": Admin retrieves an offset-paginated list of machines with an invalid page param", status: 400,
			setup: func(f *world) req { return at("GET", "/machines?page=1&size=100", "", nil) }},
		{name: mindex + ": Admin retrieves all machines with a limit that is too high", status: 400,
			setup: func(f *world) req { return at("GET", "/machines?limit=900", "", nil) }},
		{name: mindex + ": Admin retrieves all machines filtered by metadata node ID (snakecase)", status: 200,
			setup: func(f *world) req {
				l, _ := f.createLicense("", nil, "")
				f.createMachine(l, "a", map[string]any{"metadata": map[string]any{"nodeId": "68666bf8b"}})
				f.createMachine(l, "b", nil)
				return at("GET", "/machines?metadata[node_id]=68666bf8b", "", nil)
			},
			check: func(t *testing.T, f *world, r *reply) { assert.Len(t, r.list(), 1) }},
		{name: mindex + ": Admin retrieves all alive machines", status: 200,
			setup: func(f *world) req {
				l, _ := f.createLicense(f.floatingPolicy(map[string]any{"heartbeatDuration": 600}), nil, "")
				alive, dead := f.createMachine(l, "a", nil), f.createMachine(l, "b", nil)
				f.createMachine(l, "c", nil) // never pinged, not required: NOT_STARTED counts as alive
				f.withStore(func(db *store) {
					a, d := time.Now().Add(-time.Minute), time.Now().Add(-time.Hour)
					db.machines[alive].LastHeartbeat = &a
					db.machines[dead].LastHeartbeat = &d
				})
				return at("GET", "/machines?status=alive", "", nil)
			},
			check: func(t *testing.T, f *world, r *reply) {
				assert.Len(t, r.list(), 2)
				assert.Len(t, f.get("/machines?status=dead").list(), 1)
			}},
		{name: mindex + ": User attempts to retrieve machines for their account scoped by a license key that exists", status: 200,
			setup: func(f *world) req {
				u, auth := f.userToken("u@example.com")
				l, k := f.createLicense("", nil, u)
				o, _ := f.createLicense("", nil, "")
				f.createMachine(l, "a", nil)
				f.createMachine(o, "b", nil)
				return at("GET", "/machines?key="+url.QueryEscape(k), auth, nil)
			},
			check: func(t *testing.T, f *world, r *reply) { assert.Len(t, r.list(), 1) }},
		{name: mindex + ": License retrieves all machines for their license with no matches", status: 200,
			setup: func(f *world) req {
				l, _ := f.createLicense("", nil, "")
				o, _ := f.createLicense("", nil, "")
				f.createMachine(o, "b", nil)
				return at("GET", "/machines", f.licenseAuth(l, nil), nil)
			},
			check: func(t *testing.T, f *world, r *reply) { assert.Len(t, r.list(), 0) }},
		// machines/update.feature ------------------------------------------------------
		{name: mupdate + ": Support updates a machine", status: 200,
			setup: func(f *world) req {
				l, _ := f.createLicense("", nil, "")
				return at("PATCH", "/machines/"+f.createMachine(l, "a", nil), f.roleAuth("support-agent"), name("x"))
			}},
		{name: mupdate + ": Read-only updates a machine", status: 403,
			setup: func(f *world) req {
				l, _ := f.createLicense("", nil, "")
				return at("PATCH", "/machines/"+f.createMachine(l, "a", nil), f.roleAuth("read-only"), name("x"))
			}},
		{name: mupdate + ": Admin removes a machine's IP address", status: 200,
			setup: func(f *world) req {
				l, _ := f.createLicense("", nil, "")
				id := f.createMachine(l, "a", map[string]any{"ip": "1.2.3.4"})
				return at("PATCH", "/machines/"+id, "", doc("machines", map[string]any{"ip": nil}, nil))
			},
			attrs: map[string]any{"ip": nil}},
		{name: mupdate + ": Admin updates a machine's core count to an amount that exceeds their maximum core limit (no overages)", status: 422,
			setup: func(f *world) req {
				l, _ := f.createLicense(f.floatingPolicy(map[string]any{"maxCores": 12}), nil, "")
				id := f.createMachine(l, "a", map[string]any{"cores": 4})
				return at("PATCH", "/machines/"+id, "", doc("machines", map[string]any{"cores": 16}, nil))
			},
			title: "Unprocessable resource", code: "MACHINE_CORE_LIMIT_EXCEEDED", detail: "machine core count has exceeded maximum allowed for license (12)",
			source: map[string]any{"pointer": "/data"}},
		{name: mupdate + ": Admin updates a machine's memory to an amount that exceeds their maximum memory limit (allows overages)", status: 200,
			setup: func(f *world) req {
				l, _ := f.createLicense(f.floatingPolicy(map[string]any{"maxMemory": 268435456, "overageStrategy": "ALWAYS_ALLOW_OVERAGE"}), nil, "")
				id := f.createMachine(l, "a", nil)
				return at("PATCH", "/machines/"+id, "", doc("machines", map[string]any{"memory": 536870912}, nil))
			},
			attrs: map[string]any{"memory": 536870912.0}},
		{name: mupdate + ": Admin attempts to update a machine's fingerprint", status: 400,
			setup: func(f *world) req {
				l, _ := f.createLicense("", nil, "")
				return at("PATCH", "/machines/"+f.createMachine(l, "a", nil), "", doc("machines", map[string]any{"fingerprint": "x"}, nil))
			}},
		{name: mupdate + ": License updates a machine's name that belongs to a protected license", status: 403,
			setup: func(f *world) req {
				l, _ := f.createLicense(f.floatingPolicy(map[string]any{"protected": true}), nil, "")
				return at("PATCH", "/machines/"+f.createMachine(l, "a", nil), f.licenseAuth(l, nil), name("x"))
			}},
		{name: mupdate + ": License updates a machine's cores that belongs to a unprotected license", status: 400,
			setup: func(f *world) req {
				l, _ := f.createLicense("", nil, "")
				return at("PATCH", "/machines/"+f.createMachine(l, "a", nil), f.licenseAuth(l, nil), doc("machines", map[string]any{"cores": 2}, nil))
			}},
		{name: mupdate + ": User updates a machine's name that belongs to a unprotected license (license user, no owner)", status: 403,
			setup: func(f *world) req {
				u, auth := f.userToken("u@example.com")
				l, _ := f.createLicense("", nil, "")
				f.addLicenseUser(l, u)
				return at("PATCH", "/machines/"+f.createMachine(l, "a", nil), auth, name("x"))
			}},
		{name: mupdate + ": Product attempts to update a machine for another product", status: 404,
			setup: func(f *world) req {
				l, _ := f.createLicense("", nil, "")
				return at("PATCH", "/machines/"+f.createMachine(l, "a", nil), f.productAuth(f.product()), name("x"))
			}},
		// machines/destroy.feature -----------------------------------------------------
		{name: mdestroy + ": Support deletes one of their machines", status: 403,
			setup: func(f *world) req {
				l, _ := f.createLicense("", nil, "")
				return at("DELETE", "/machines/"+f.createMachine(l, "a", nil), f.roleAuth("support-agent"), nil)
			}},
		{name: mdestroy + ": Owner deletes a machine for their unprotected license (not machine owner)", status: 204,
			setup: func(f *world) req {
				u, auth := f.userToken("u@example.com")
				l, _ := f.createLicense("", nil, u)
				return at("DELETE", "/machines/"+f.createMachine(l, "a", nil), auth, nil)
			}},
		{name: mdestroy + ": User deletes a machine for their unprotected license (not machine owner)", status: 403,
			setup: func(f *world) req {
				u, auth := f.userToken("u@example.com")
				l, _ := f.createLicense("", nil, "")
				f.addLicenseUser(l, u)
				return at("DELETE", "/machines/"+f.createMachine(l, "a", nil), auth, nil)
			}},
		{name: mdestroy + ": User deletes a machine for their protected license (is machine owner)", status: 403,
			setup: func(f *world) req {
				u, auth := f.userToken("u@example.com")
				l, _ := f.createLicense(f.floatingPolicy(map[string]any{"protected": true}), nil, u)
				return at("DELETE", "/machines/"+f.createMachine(l, "a", nil), auth, nil)
			}},
		{name: mdestroy + ": Admin deletes one of their machines by UUID fingerprint", status: 204,
			setup: func(f *world) req {
				l, _ := f.createLicense("", nil, "")
				f.createMachine(l, "a06b4343-d2cf-45e7-b9a2-b11c618993f3", nil)
				return at("DELETE", "/machines/a06b4343-d2cf-45e7-b9a2-b11c618993f3", "", nil)
			},
			check: func(t *testing.T, f *world, r *reply) { assert.Equal(t, 0, f.machineCount()); assert.Empty(t, r.body) }},
		{name: mdestroy + ": License deletes a machine for their license but they've hit their deactivation limit", status: 422,
			setup: func(f *world) req {
				l, _ := f.createLicense("", nil, "")
				auth := f.licenseAuth(l, map[string]any{"maxDeactivations": 1})
				f.withStore(func(db *store) {
					for _, tk := range db.tokens {
						tk.Deactivations = 1
					}
				})
				return at("DELETE", "/machines/"+f.createMachine(l, "a", nil), auth, nil)
			},
			title: "Unprocessable resource", code: "DEACTIVATIONS_LIMIT_EXCEEDED", detail: "exceeds maximum allowed (1)",
			source: map[string]any{"pointer": "/data/attributes/deactivations"},
			check:  func(t *testing.T, f *world, r *reply) { assert.Equal(t, 1, f.machineCount()) }},
		{name: mdestroy + ": License deletes a machine that belongs to another license", status: 404,
			setup: func(f *world) req {
				l, _ := f.createLicense("", nil, "")
				o, _ := f.createLicense("", nil, "")
				return at("DELETE", "/machines/"+f.createMachine(o, "a", nil), f.licenseAuth(l, nil), nil)
			}},
	}
	runEach(t, newProductWorld, cases)
}

func TestHeartbeatFeatures(t *testing.T) {
	// A machine of a license with a 10-minute heartbeat, its last heartbeat `ago` ago
	// (never when ago is 0).
	beat := func(f *world, polAttrs map[string]any, ago time.Duration, owner string) (lic, m string) {
		if polAttrs == nil {
			polAttrs = map[string]any{}
		}
		if _, ok := polAttrs["heartbeatDuration"]; !ok {
			polAttrs["heartbeatDuration"] = 600
		}
		lic, _ = f.createLicense(f.floatingPolicy(polAttrs), nil, owner)
		m = f.createMachine(lic, "4d:Eq:UV:D3", nil)
		if ago != 0 {
			f.withStore(func(db *store) { t := time.Now().Add(-ago); db.machines[m].LastHeartbeat = &t })
		}
		return lic, m
	}
	act := func(m, action, auth string) req {
		return req{method: "POST", path: "/machines/" + m + "/actions/" + action, auth: auth}
	}
	status := func(required bool, st string, hasLast bool) func(t *testing.T, f *world, r *reply) {
		return func(t *testing.T, f *world, r *reply) {
			a := r.attrs()
			assert.Equal(t, required, a["requireHeartbeat"])
			assert.Equal(t, st, a["heartbeatStatus"])
			assert.Equal(t, hasLast, a["lastHeartbeat"] != nil, "lastHeartbeat")
			assert.Equal(t, hasLast, a["nextHeartbeat"] != nil, "nextHeartbeat")
		}
	}
	cases := []apiCase{
		{name: mbeat + ": Admin requests a machine whose heartbeat has not started", status: 200,
			setup: func(f *world) req { _, m := beat(f, nil, 0, ""); return req{method: "GET", path: "/machines/" + m} },
			check: status(false, "NOT_STARTED", false)},
		{name: mbeat + ": Admin requests a machine whose heartbeat is alive", status: 200,
			setup: func(f *world) req {
				_, m := beat(f, nil, time.Minute, "")
				return req{method: "GET", path: "/machines/" + m}
			},
			check: status(true, "ALIVE", true)},
		{name: mbeat + ": Admin requests a machine whose heartbeat is dead", status: 200,
			setup: func(f *world) req {
				_, m := beat(f, nil, time.Hour, "")
				return req{method: "GET", path: "/machines/" + m}
			},
			check: status(true, "DEAD", true)},
		{name: mbeat + ": Anonymous pings a machine's heartbeat for the first time", status: 401,
			setup: func(f *world) req { _, m := beat(f, nil, 0, ""); return act(m, "ping-heartbeat", "-") }},
		{name: mbeat + ": Admin pings a machine's heartbeat for the first time by fingerprint", status: 200,
			setup: func(f *world) req { beat(f, nil, 0, ""); return act("4d:Eq:UV:D3", "ping-heartbeat", "") },
			check: status(true, "ALIVE", true)},
		{name: mbeat + ": Admin pings a dead machine's heartbeat", status: 422,
			setup: func(f *world) req { _, m := beat(f, nil, time.Hour, ""); return act(m, "ping-heartbeat", "") },
			title: "Unprocessable entity", code: "MACHINE_HEARTBEAT_DEAD", detail: "is dead"},
		{name: mbeat + ": Admin pings a dead machine's heartbeat that supports resurrection (period not passed)", status: 200,
			setup: func(f *world) req {
				_, m := beat(f, map[string]any{"heartbeatResurrectionStrategy": "5_MINUTE_REVIVE", "heartbeatCullStrategy": "KEEP_DEAD", "heartbeatDuration": 300}, 7*time.Minute, "")
				return act(m, "ping-heartbeat", "")
			},
			check: func(t *testing.T, f *world, r *reply) {
				status(true, "RESURRECTED", true)(t, f, r)
				assert.Equal(t, "ALIVE", f.get("/machines/" + r.id()).attrs()["heartbeatStatus"])
			}},
		{name: mbeat + ": Admin pings a dead machine's heartbeat that supports resurrection (period passed)", status: 422,
			setup: func(f *world) req {
				_, m := beat(f, map[string]any{"heartbeatResurrectionStrategy": "5_MINUTE_REVIVE", "heartbeatCullStrategy": "KEEP_DEAD"}, time.Hour, "")
				return act(m, "ping-heartbeat", "")
			},
			code: "MACHINE_HEARTBEAT_DEAD", detail: "is dead"},
		{name: mbeat + ": Admin pings a dead machine's heartbeat that supports resurrection (always revive, from creation basis)", status: 200,
			setup: func(f *world) req {
				_, m := beat(f, map[string]any{"heartbeatResurrectionStrategy": "ALWAYS_REVIVE", "heartbeatCullStrategy": "KEEP_DEAD", "heartbeatBasis": "FROM_CREATION"}, 24*time.Hour, "")
				return act(m, "ping-heartbeat", "")
			},
			check: status(true, "RESURRECTED", true)},
		{name: mbeat + ": License pings a machine's heartbeat with a custom heartbeat duration", status: 200,
			setup: func(f *world) req {
				l, m := beat(f, map[string]any{"heartbeatDuration": 604800}, 0, "")
				return act(m, "ping-heartbeat", f.licenseAuth(l, nil))
			},
			check: func(t *testing.T, f *world, r *reply) {
				next, _ := time.Parse(time.RFC3339, r.attrs()["nextHeartbeat"].(string))
				assert.WithinDuration(t, time.Now().Add(7*24*time.Hour), next, time.Minute)
			}},
		{name: mbeat + ": License pings a machine's heartbeat that doesn't belong to them", status: 404,
			setup: func(f *world) req {
				_, m := beat(f, nil, 0, "")
				o, _ := f.createLicense("", nil, "")
				return act(m, "ping-heartbeat", f.licenseAuth(o, nil))
			}},
		{name: mbeat + ": User pings an unprotected machine's heartbeat (license owner)", status: 200,
			setup: func(f *world) req {
				u, auth := f.userToken("u@example.com")
				_, m := beat(f, nil, 0, u)
				return act(m, "ping", auth)
			}},
		{name: mbeat + ": User pings an unprotected machine's heartbeat (license user, not owner)", status: 403,
			setup: func(f *world) req {
				u, auth := f.userToken("u@example.com")
				l, m := beat(f, nil, 0, "")
				f.addLicenseUser(l, u)
				return act(m, "ping", auth)
			}},
		{name: mbeat + ": User pings a protected machine's heartbeat", status: 403,
			setup: func(f *world) req {
				u, auth := f.userToken("u@example.com")
				_, m := beat(f, map[string]any{"protected": true}, 0, u)
				return act(m, "ping-heartbeat", auth)
			}},
		{name: mbeat + ": Admin resets a machine's heartbeat", status: 200,
			setup: func(f *world) req { _, m := beat(f, nil, time.Minute, ""); return act(m, "reset", "") },
			check: status(false, "NOT_STARTED", false)},
		{name: mbeat + ": Product resets a machine's heartbeat that doesn't belong to them", status: 404,
			setup: func(f *world) req {
				_, m := beat(f, nil, time.Minute, "")
				return act(m, "reset-heartbeat", f.productAuth(f.product()))
			}},
		{name: mbeat + ": Product resets a machine's heartbeat", status: 200,
			setup: func(f *world) req {
				_, m := beat(f, nil, time.Minute, "")
				return act(m, "reset-heartbeat", f.productAuth(f.prod))
			}},
		{name: mbeat + ": License resets a machine's heartbeat", status: 403,
			setup: func(f *world) req {
				l, m := beat(f, nil, time.Minute, "")
				return act(m, "reset-heartbeat", f.licenseAuth(l, nil))
			}},
		{name: mbeat + ": User resets a machine's heartbeat", status: 403,
			setup: func(f *world) req {
				u, auth := f.userToken("u@example.com")
				_, m := beat(f, nil, time.Minute, u)
				return act(m, "reset-heartbeat", auth)
			}},
	}
	runEach(t, newProductWorld, cases)
}

func TestCheckoutFeatures(t *testing.T) {
	co := func(method, path, auth string, body any) req {
		return req{method: method, path: path, auth: auth, body: body}
	}
	meta := func(m map[string]any) any { return map[string]any{"meta": m} }
	badReq := func(code, detail, param string) apiCase {
		return apiCase{status: 400, title: "Bad request", code: code, detail: detail, source: map[string]any{"parameter": param}}
	}
	with := func(c apiCase, feature, scenario string, setup func(f *world) req) apiCase {
		c.name, c.setup = feature+": "+scenario, setup
		return c
	}
	lic := func(f *world) string { l, _ := f.createLicense("", nil, ""); return l }
	mach := func(f *world) string { return f.createMachine(lic(f), "41:34:7C", nil) }
	fileAttrs := func(ttl any) func(t *testing.T, f *world, r *reply) {
		return func(t *testing.T, f *world, r *reply) {
			assert.Equal(t, ttl, r.attrs()["ttl"])
			assert.Equal(t, ttl == nil, r.attrs()["expiry"] == nil)
		}
	}
	cases := []apiCase{
		{name: lcheck + ": Admin performs a license checkout with defaults (POST)", status: 200,
			setup: func(f *world) req { return co("POST", "/licenses/"+lic(f)+"/actions/check-out", "", nil) },
			check: func(t *testing.T, f *world, r *reply) {
				assert.Equal(t, "license-files", r.data()["type"])
				assert.Equal(t, 2629746.0, r.attrs()["ttl"])
				assert.Equal(t, "application/vnd.api+json; charset=utf-8", r.header.Get("Content-Type"))
				l := rel(r, "license")
				assert.Contains(t, l["links"].(map[string]any)["related"], "/licenses/")
				lr := f.get("/licenses/" + l["data"].(map[string]any)["id"].(string))
				assert.NotNil(t, lr.attrs()["lastCheckOut"])
			}},
		{name: lcheck + ": Admin performs a license checkout with defaults (GET)", status: 200,
			setup: func(f *world) req { return co("GET", "/licenses/"+lic(f)+"/actions/check-out", "", nil) },
			check: func(t *testing.T, f *world, r *reply) {
				assert.Equal(t, "application/octet-stream", r.header.Get("Content-Type"))
				assert.Regexp(t, `^attachment; filename="[0-9a-f-]{36}\.lic"$`, r.header.Get("Content-Disposition"))
				assert.Contains(t, string(r.body), "-----BEGIN LICENSE FILE-----")
			}},
		{name: lcheck + ": Admin performs an encrypted license checkout with blank value (GET)", status: 200,
			setup: func(f *world) req { return co("GET", "/licenses/"+lic(f)+"/actions/check-out?encrypt=", "", nil) }},
		{name: lcheck + ": Admin performs an encrypted license checkout with blank value (GET): a non-truthy value is false", status: 200,
			setup: func(f *world) req { return co("POST", "/licenses/"+lic(f)+"/actions/check-out?encrypt=foo", "", nil) },
			check: func(t *testing.T, f *world, r *reply) { assert.Equal(t, "base64+ed25519", r.attrs()["algorithm"]) }},
		{name: lcheck + ": Admin performs an encrypted license checkout (GET)", status: 200,
			setup: func(f *world) req { return co("POST", "/licenses/"+lic(f)+"/actions/check-out?encrypt=1", "", nil) },
			check: func(t *testing.T, f *world, r *reply) { assert.Equal(t, "aes-256-gcm+ed25519", r.attrs()["algorithm"]) }},
		with(badReq("CHECKOUT_TTL_INVALID", "must be greater than or equal to 3600 (1 hour)", "ttl"), lcheck,
			"Admin performs a license checkout with a TTL that is too short (GET): a non-numeric TTL coerces to 0",
			func(f *world) req { return co("GET", "/licenses/"+lic(f)+"/actions/check-out?ttl=abc", "", nil) }),
		{name: lcheck + ": Admin performs a license checkout with a nil TTL (POST)", status: 200,
			setup: func(f *world) req {
				return co("POST", "/licenses/"+lic(f)+"/actions/check-out", "", meta(map[string]any{"ttl": nil}))
			},
			check: fileAttrs(nil)},
		{name: lcheck + ": Admin performs a license checkout with an empty TTL (GET)", status: 200,
			setup: func(f *world) req { return co("POST", "/licenses/"+lic(f)+"/actions/check-out?ttl=", "", nil) },
			check: fileAttrs(nil)},
		{name: lcheck + ": Admin performs a license checkout with a TTL that is very long (GET)", status: 200,
			setup: func(f *world) req { return co("POST", "/licenses/"+lic(f)+"/actions/check-out?ttl=189341712", "", nil) },
			check: fileAttrs(189341712.0)},
		with(badReq("CHECKOUT_TTL_INVALID", "must be greater than or equal to 3600 (1 hour)", "ttl"), lcheck,
			"Admin performs a license checkout with a TTL that is too short (POST)",
			func(f *world) req {
				return co("POST", "/licenses/"+lic(f)+"/actions/check-out", "", meta(map[string]any{"ttl": 60}))
			}),
		with(badReq("CHECKOUT_TTL_INVALID", "must be greater than or equal to 3600 (1 hour)", "ttl"), mcheck,
			"Admin performs a machine checkout with a TTL that is too short (GET)",
			func(f *world) req { return co("GET", "/machines/"+mach(f)+"/actions/check-out?ttl=1", "", nil) }),
		with(badReq("CHECKOUT_ALGORITHM_INVALID", "invalid encoding algorithm", "algorithm"), lcheck,
			"Admin performs a license checkout with an invalid encoding algorithm (POST)",
			func(f *world) req {
				return co("POST", "/licenses/"+lic(f)+"/actions/check-out", "", meta(map[string]any{"algorithm": "foo+ed25519"}))
			}),
		with(badReq("CHECKOUT_ALGORITHM_INVALID", "invalid signing algorithm", "algorithm"), mcheck,
			"Admin performs a machines checkout with an invalid signing algorithm (POST)",
			func(f *world) req {
				return co("POST", "/machines/"+mach(f)+"/actions/check-out", "", meta(map[string]any{"algorithm": "aes-256-gcm+foo"}))
			}),
		with(badReq("CHECKOUT_INCLUDE_INVALID", "invalid includes", "include"), lcheck,
			"Admin performs a license checkout with invalid includes (GET)",
			func(f *world) req {
				return co("GET", "/licenses/"+lic(f)+"/actions/check-out?include=account", "", nil)
			}),
		with(badReq("CHECKOUT_INCLUDE_INVALID", "invalid includes", "include"), mcheck,
			"Admin performs a machine checkout with invalid includes (POST)",
			func(f *world) req {
				return co("POST", "/machines/"+mach(f)+"/actions/check-out", "", meta(map[string]any{"include": []any{"account"}}))
			}),
		{name: lcheck + ": Admin performs a license checkout with an owner include (POST)", status: 200,
			setup: func(f *world) req {
				l, _ := f.createLicense("", nil, f.createUser("u@example.com"))
				return co("POST", "/licenses/"+l+"/actions/check-out?include=owner", "", nil)
			},
			check: func(t *testing.T, f *world, r *reply) { assert.Equal(t, []any{"owner"}, r.attrs()["includes"]) }},
		{name: lcheck + ": Admin performs a license checkout with empty includes (GET)", status: 200,
			setup: func(f *world) req { return co("POST", "/licenses/"+lic(f)+"/actions/check-out?include=", "", nil) },
			check: func(t *testing.T, f *world, r *reply) { assert.Equal(t, []any{}, r.attrs()["includes"]) }},
		{name: lcheck + ": Admin performs a license checkout by key (GET)", status: 200,
			setup: func(f *world) req {
				_, k := f.createLicense("", map[string]any{"key": "0092E3-41347C-7EB2AD-65965A-0C3224-V3"}, "")
				return co("GET", "/licenses/"+k+"/actions/check-out", "", nil)
			}},
		{name: lcheck + ": Product performs a checkout for a license of another product (POST)", status: 404,
			setup: func(f *world) req {
				return co("POST", "/licenses/"+lic(f)+"/actions/check-out", f.productAuth(f.product()), nil)
			}},
		{name: lcheck + ": License performs a license checkout for another license (GET)", status: 404,
			setup: func(f *world) req {
				return co("GET", "/licenses/"+lic(f)+"/actions/check-out", f.licenseAuth(lic(f), nil), nil)
			}},
		{name: lcheck + ": User performs a license checkout for their unprotected license (POST, licensee)", status: 200,
			setup: func(f *world) req {
				u, auth := f.userToken("u@example.com")
				l := lic(f)
				f.addLicenseUser(l, u)
				return co("POST", "/licenses/"+l+"/actions/check-out", auth, nil)
			}},
		{name: lcheck + ": User performs a license checkout for their protected license (GET)", status: 403,
			setup: func(f *world) req {
				u, auth := f.userToken("u@example.com")
				l, _ := f.createLicense(f.floatingPolicy(map[string]any{"protected": true}), nil, u)
				return co("GET", "/licenses/"+l+"/actions/check-out", auth, nil)
			}},
		{name: lcheck + ": User performs a license checkout for a license they don't own (POST)", status: 404,
			setup: func(f *world) req {
				_, auth := f.userToken("u@example.com")
				return co("POST", "/licenses/"+lic(f)+"/actions/check-out", auth, nil)
			}},
		{name: lcheck + ": Anonymous performs a license checkout (GET)", status: 401,
			setup: func(f *world) req { return co("GET", "/licenses/"+lic(f)+"/actions/check-out", "-", nil) }},
		// machines/actions/checkouts.feature
		{name: mcheck + ": Admin performs a machine checkout with defaults (POST)", status: 200,
			setup: func(f *world) req { return co("POST", "/machines/"+mach(f)+"/actions/check-out", "", nil) },
			check: func(t *testing.T, f *world, r *reply) {
				assert.Equal(t, "machine-files", r.data()["type"])
				m := rel(r, "machine")["data"].(map[string]any)["id"].(string)
				assert.NotNil(t, f.get("/machines/" + m).attrs()["lastCheckOut"])
			}},
		{name: mcheck + ": Admin performs a machine checkout by fingerprint (GET)", status: 200,
			setup: func(f *world) req { mach(f); return co("GET", "/machines/41:34:7C/actions/check-out", "", nil) },
			check: func(t *testing.T, f *world, r *reply) {
				assert.Contains(t, string(r.body), "-----BEGIN MACHINE FILE-----")
			}},
		{name: mcheck + ": Admin performs a machine checkout with empty includes (GET)", status: 200,
			setup: func(f *world) req { return co("POST", "/machines/"+mach(f)+"/actions/check-out?include=", "", nil) },
			check: func(t *testing.T, f *world, r *reply) { assert.Equal(t, []any{}, r.attrs()["includes"]) }},
		{name: mcheck + ": Product performs a checkout for a machine of another product (GET)", status: 404,
			setup: func(f *world) req {
				return co("GET", "/machines/"+mach(f)+"/actions/check-out", f.productAuth(f.product()), nil)
			}},
		{name: mcheck + ": License performs a machine checkout for another machine (POST)", status: 404,
			setup: func(f *world) req {
				return co("POST", "/machines/"+mach(f)+"/actions/check-out", f.licenseAuth(lic(f), nil), nil)
			}},
		{name: mcheck + ": User performs a machine checkout for their machine (POST, licensee)", status: 200,
			setup: func(f *world) req {
				u, auth := f.userToken("u@example.com")
				l := lic(f)
				f.addLicenseUser(l, u)
				return co("POST", "/machines/"+f.createMachine(l, "fp", nil)+"/actions/check-out", auth, nil)
			}},
		{name: mcheck + ": User performs a machine checkout for their machine (GET, license owner)", status: 200,
			setup: func(f *world) req {
				u, auth := f.userToken("u@example.com")
				l, _ := f.createLicense("", nil, u)
				return co("GET", "/machines/"+f.createMachine(l, "fp", nil)+"/actions/check-out", auth, nil)
			}},
		{name: mcheck + ": User performs a machine checkout for a machine they don't own (GET)", status: 404,
			setup: func(f *world) req {
				_, auth := f.userToken("u@example.com")
				return co("GET", "/machines/"+mach(f)+"/actions/check-out", auth, nil)
			}},
	}
	runEach(t, newProductWorld, cases)
}

// fileDoc decodes the payload of a base64-encoded license or machine file (POST answer).
func fileDoc(t *testing.T, r *reply, kind string) map[string]any {
	t.Helper()
	f := parseCert(t, r.attrs()["certificate"].(string), kind)
	raw, err := base64.StdEncoding.DecodeString(f["enc"])
	require.NoError(t, err)
	var d map[string]any
	require.NoError(t, json.Unmarshal(raw, &d))
	return d
}

// includedTypes lists type/id of the payload's included resources, in order.
func includedTypes(d map[string]any) []string {
	out := []string{}
	incl, _ := d["included"].([]any)
	for _, x := range incl {
		out = append(out, x.(map[string]any)["type"].(string)+"/"+x.(map[string]any)["id"].(string))
	}
	return out
}

func TestCheckoutIncludeFeatures(t *testing.T) {
	type fixture struct{ lic, mach, owner, pol, other string }
	setup := func(f *world) fixture {
		owner := f.createUser("owner@example.com")
		other := f.createUser("other@example.com")
		pol := f.floatingPolicy(nil)
		l, _ := f.createLicense(pol, nil, owner)
		f.addLicenseUser(l, other)
		return fixture{lic: l, mach: f.createMachine(l, "fp", nil), owner: owner, pol: pol, other: other}
	}
	cases := []struct {
		feature, scenario, path, kind string
		want                          func(x fixture, f *world) []string
	}{
		{mcheck, "Admin performs a machine checkout with a license include (POST)", "machines/%m/actions/check-out?include=license", "MACHINE",
			func(x fixture, f *world) []string { return []string{"licenses/" + x.lic} }},
		{mcheck, "Admin performs a machine checkout with a license owner include (POST)", "machines/%m/actions/check-out?include=license.owner", "MACHINE",
			func(x fixture, f *world) []string { return []string{"licenses/" + x.lic, "users/" + x.owner} }},
		{mcheck, "Admin performs a machine checkout with a policy include (POST)", "machines/%m/actions/check-out?include=license.policy", "MACHINE",
			func(x fixture, f *world) []string { return []string{"licenses/" + x.lic, "policies/" + x.pol} }},
		{mcheck, "Admin performs a machine checkout with a license users include (POST)", "machines/%m/actions/check-out?include=license.users", "MACHINE",
			func(x fixture, f *world) []string {
				return []string{"licenses/" + x.lic, "users/" + x.owner, "users/" + x.other}
			}},
		{mcheck, "Admin performs a machine checkout with encrypted includes (POST) (unencrypted here)", "machines/%m/actions/check-out?include=license.policy,license.user", "MACHINE",
			func(x fixture, f *world) []string {
				return []string{"licenses/" + x.lic, "policies/" + x.pol, "users/" + x.owner}
			}},
		{mcheck, "Admin performs a machine checkout with an owner include (POST)", "machines/%m/actions/check-out?include=owner", "MACHINE",
			func(x fixture, f *world) []string { return []string{} }},
		{lcheck, "Admin performs a license checkout with a policy include (POST)", "licenses/%l/actions/check-out?include=policy", "LICENSE",
			func(x fixture, f *world) []string { return []string{"policies/" + x.pol} }},
		{lcheck, "Admin performs a license checkout a product include (GET)", "licenses/%l/actions/check-out?include=product", "LICENSE",
			func(x fixture, f *world) []string { return []string{"products/" + f.prod} }},
		{lcheck, "Admin performs a license checkout with encrypted includes (GET) (unencrypted here)", "licenses/%l/actions/check-out?include=policy,user", "LICENSE",
			func(x fixture, f *world) []string { return []string{"policies/" + x.pol, "users/" + x.owner} }},
	}
	for _, c := range cases {
		t.Run(c.feature+": "+c.scenario, func(t *testing.T) {
			f := newProductWorld(t)
			x := setup(f)
			path := "/" + c.path
			if c.kind == "MACHINE" {
				path = strings.Replace(path, "%m", x.mach, 1)
			} else {
				path = strings.Replace(path, "%l", x.lic, 1)
			}
			r := f.do(req{method: "POST", path: path})
			require.Equal(t, 200, r.status, string(r.body))
			assert.Equal(t, c.want(x, f), includedTypes(fileDoc(t, r, c.kind)))
		})
	}
}

func TestUsageFeatures(t *testing.T) {
	// A license with the given uses under a policy with maxUses (nil: no limit).
	withUses := func(f *world, maxUses any, uses int64, licAttrs map[string]any) string {
		l, _ := f.createLicense(f.floatingPolicy(map[string]any{"maxUses": maxUses}), licAttrs, "")
		f.withStore(func(db *store) { db.licenses[l].Uses = uses })
		return l
	}
	act := func(l, action, auth string, body any) req {
		return req{method: "POST", path: "/licenses/" + l + "/actions/" + action, auth: auth, body: body}
	}
	cases := []apiCase{
		{name: luses + ": Anonymous increments the usage count for a license", status: 401,
			setup: func(f *world) req { return act(withUses(f, 5, 0, nil), "increment-usage", "-", nil) }},
		{name: luses + ": Admin increments the usage count for a license by key", status: 200,
			setup: func(f *world) req {
				l := withUses(f, 5, 0, nil)
				f.withStore(func(db *store) { db.licenses[l].Key = "key1" })
				return act("key1", "increment-usage", "", nil)
			},
			attrs: map[string]any{"uses": 1.0}},
		{name: luses + ": Admin increments the usage count for a license by 100", status: 200,
			setup: func(f *world) req {
				return act(withUses(f, 100, 0, nil), "increment-usage", "", map[string]any{"meta": map[string]any{"increment": 100}})
			},
			attrs: map[string]any{"uses": 100.0}},
		{name: luses + ": Admin increments the usage count for a license by 100 for a policy that only allows 99", status: 422,
			setup: func(f *world) req {
				return act(withUses(f, 99, 0, nil), "increment-usage", "", map[string]any{"meta": map[string]any{"increment": 100}})
			},
			code: "USES_LIMIT_EXCEEDED"},
		{name: luses + ": Admin increments the usage count for a license by a int larger than max int", status: 400,
			setup: func(f *world) req {
				r := act(withUses(f, nil, 0, nil), "increment-usage", "", nil)
				r.raw = `{"meta":{"increment":46116860184273879031}}`
				return r
			},
			title: "Bad request", detail: "integer is too large", source: map[string]any{"pointer": "/meta/increment"}},
		{name: luses + ": Admin increments the usage count for a license that is at its usage limit", status: 422,
			setup: func(f *world) req { return act(withUses(f, 5, 5, nil), "increment-usage", "", nil) },
			title: "Unprocessable resource", code: "USES_LIMIT_EXCEEDED", detail: "usage exceeds maximum allowed for license (5)",
			source: map[string]any{"pointer": "/data/attributes/uses"}},
		{name: luses + ": Admin increments the usage count for a license that would be at its usage limit but has an override", status: 200,
			setup: func(f *world) req {
				return act(withUses(f, 5, 5, map[string]any{"maxUses": 10}), "increment-usage", "", nil)
			},
			attrs: map[string]any{"uses": 6.0}},
		{name: luses + ": User increments the usage count for their license (license owner)", status: 200,
			setup: func(f *world) req {
				u, auth := f.userToken("u@example.com")
				l := withUses(f, 5, 4, nil)
				f.withStore(func(db *store) { db.licenses[l].OwnerID = &u })
				return act(l, "increment-usage", auth, nil)
			},
			attrs: map[string]any{"uses": 5.0}},
		{name: luses + ": User increments the usage count for their license (license user)", status: 403,
			setup: func(f *world) req {
				u, auth := f.userToken("u@example.com")
				l := withUses(f, 5, 4, nil)
				f.addLicenseUser(l, u)
				return act(l, "increment-usage", auth, nil)
			}},
		{name: luses + ": License increments the usage count for itself", status: 200,
			setup: func(f *world) req {
				l := withUses(f, 5, 4, nil)
				return act(l, "increment-usage", f.licenseAuth(l, nil), nil)
			},
			attrs: map[string]any{"uses": 5.0}},
		{name: luses + ": Product decrements the usage count for a license", status: 200,
			setup: func(f *world) req {
				l := withUses(f, 5, 5, nil)
				return act(l, "decrement-usage", f.productAuth(f.prod), nil)
			},
			attrs: map[string]any{"uses": 4.0}},
		{name: luses + ": Admin decrements the usage count for a license by 50", status: 200,
			setup: func(f *world) req {
				return act(withUses(f, 100, 75, nil), "decrement-usage", "", map[string]any{"meta": map[string]any{"decrement": 50}})
			},
			attrs: map[string]any{"uses": 25.0}},
		{name: luses + ": Admin decrements the usage count for a license that is at 0", status: 422,
			setup: func(f *world) req { return act(withUses(f, 5, 0, nil), "decrement-usage", "", nil) },
			title: "Unprocessable resource", code: "USES_INVALID", detail: "must be greater than or equal to 0",
			source: map[string]any{"pointer": "/data/attributes/uses"}},
		{name: luses + ": User decrements the usage count for their license (license owner)", status: 403,
			setup: func(f *world) req {
				u, auth := f.userToken("u@example.com")
				l := withUses(f, 5, 1, nil)
				f.withStore(func(db *store) { db.licenses[l].OwnerID = &u })
				return act(l, "decrement-usage", auth, nil)
			}},
		{name: luses + ": License decrements the usage count for itself", status: 403,
			setup: func(f *world) req {
				l := withUses(f, 5, 4, nil)
				return act(l, "decrement-usage", f.licenseAuth(l, nil), nil)
			}},
		{name: luses + ": License decrements the usage count for another license", status: 404,
			setup: func(f *world) req {
				l := withUses(f, 5, 4, nil)
				return act(withUses(f, 5, 4, nil), "decrement-usage", f.licenseAuth(l, nil), nil)
			}},
		{name: luses + ": Admin resets the usage count for a license", status: 200,
			setup: func(f *world) req { return act(withUses(f, 5, 2, nil), "reset-usage", "", nil) },
			attrs: map[string]any{"uses": 0.0}},
		{name: luses + ": License decrements the usage count for itself (reset-usage)", status: 403,
			setup: func(f *world) req {
				l := withUses(f, 5, 4, nil)
				return act(l, "reset-usage", f.licenseAuth(l, nil), nil)
			}},
		{name: luses + ": License increments its usage count with a usage expiration basis (not set)", status: 200,
			setup: func(f *world) req {
				l, _ := f.createLicense(f.floatingPolicy(map[string]any{"expirationBasis": "FROM_FIRST_USE", "duration": 31556952}), nil, "")
				return act(l, "increment-usage", f.licenseAuth(l, nil), nil)
			},
			check: func(t *testing.T, f *world, r *reply) {
				exp, _ := time.Parse(time.RFC3339, r.attrs()["expiry"].(string))
				assert.WithinDuration(t, time.Now().AddDate(1, 0, 0), exp, 2*time.Hour)
			}},
		{name: luses + ": License increments its usage count with a usage expiration basis (set)", status: 200,
			setup: func(f *world) req {
				l, _ := f.createLicense(f.floatingPolicy(map[string]any{"expirationBasis": "FROM_FIRST_USE", "duration": 31556952}),
					map[string]any{"expiry": "2032-01-03T14:18:02.743Z"}, "")
				return act(l, "increment-usage", f.licenseAuth(l, nil), nil)
			},
			attrs: map[string]any{"expiry": "2032-01-03T14:18:02.743Z"}},
	}
	runEach(t, newProductWorld, cases)
}
