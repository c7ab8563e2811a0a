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

// fx is one fresh account with a product and a few helpers for its fixtures.
type fx struct {
	t    *testing.T
	tt   *tester
	prod string
}

func newFx(t *testing.T) *fx {
	tt := newTester(t)
	return &fx{t: t, tt: tt, prod: tt.product()}
}

func (f *fx) policy(attrs map[string]any) string {
	if attrs == nil {
		attrs = map[string]any{}
	}
	if _, ok := attrs["floating"]; !ok {
		attrs["floating"] = true
	}
	return f.tt.policy(f.prod, attrs)
}

// license makes a license for pol (a new default floating policy when empty).
func (f *fx) license(pol string, attrs map[string]any, owner string) (id, key string) {
	if pol == "" {
		pol = f.policy(nil)
	}
	var rels map[string]any
	if owner != "" {
		rels = map[string]any{"owner": link("users", owner)}
	}
	r := f.tt.mustLicense(pol, attrs, rels)
	return r.id(), r.attrs()["key"].(string)
}

func (f *fx) machine(lic, fp string, attrs map[string]any) string {
	f.t.Helper()
	r := f.tt.machine(lic, fp, attrs, "")
	require.Equal(f.t, 201, r.status, string(r.body))
	return r.id()
}

// licenseAuth is an activation token of the license.
func (f *fx) licenseAuth(lic string, attrs map[string]any) string {
	_, tok := f.tt.tokenFor("licenses", lic, attrs)
	return "Bearer " + tok
}

func (f *fx) userAuth(email string) (string, string) { return f.tt.userToken(email) }

// roleAuth makes a staff user with the role and logs them in.
func (f *fx) roleAuth(role string) string {
	f.t.Helper()
	email := role + "@example.com"
	f.tt.mustCreate("/users", "users", map[string]any{"email": email, "password": "password", "role": role}, nil)
	r := f.tt.do(req{method: "POST", path: "/tokens", auth: basic(email, "password")})
	require.Equal(f.t, 201, r.status, string(r.body))
	return "Bearer " + r.attrs()["token"].(string)
}

func (f *fx) productAuth(prod string) string {
	_, tok := f.tt.tokenFor("products", prod, nil)
	return "Bearer " + tok
}

// mut changes stored state the public API cannot set directly (the features' factories).
func (f *fx) mut(fn func(db *store)) {
	f.tt.srv.mu.Lock()
	defer f.tt.srv.mu.Unlock()
	fn(f.tt.srv.db)
}

func (f *fx) addLicenseUser(lic, user string) {
	f.mut(func(db *store) { db.licenses[lic].UserIDs = append(db.licenses[lic].UserIDs, user) })
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

type featureCase struct {
	feature, scenario string
	setup             func(f *fx) req
	status            int
	title, code       string
	detail            string
	source            map[string]any
	attrs             map[string]any
	check             func(t *testing.T, f *fx, r *reply)
}

func runFeatureCases(t *testing.T, cases []featureCase) {
	for _, c := range cases {
		t.Run(c.feature+": "+c.scenario, func(t *testing.T) {
			f := newFx(t)
			r := f.tt.do(c.setup(f))
			require.Equal(t, c.status, r.status, string(r.body))
			if c.title != "" {
				assert.Equal(t, c.title, r.err(0)["title"], string(r.body))
			}
			if c.code != "" {
				assert.Equal(t, c.code, r.code(), string(r.body))
			}
			if c.detail != "" {
				assert.Equal(t, c.detail, r.detail(), string(r.body))
			}
			if c.source != nil {
				assert.Equal(t, c.source, r.source(), string(r.body))
			}
			for k, v := range c.attrs {
				assert.Equal(t, v, r.attrs()[k], k)
			}
			if c.check != nil {
				c.check(t, f, r)
			}
		})
	}
}

func rel(r *reply, name string) map[string]any {
	rels, _ := r.data()["relationships"].(map[string]any)
	m, _ := rels[name].(map[string]any)
	return m
}

func machineCount(f *fx) int {
	f.tt.srv.mu.Lock()
	defer f.tt.srv.mu.Unlock()
	return len(f.tt.srv.db.machines)
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
	cases := []featureCase{
		// machines/create.feature ------------------------------------------------------
		{feature: mcreate, scenario: "Admin creates a machine for their account", status: 201,
			setup: func(f *fx) req { l, _ := f.license("", nil, ""); return post("", machineBody(l, "4d:Eq:UV", nil, nil)) },
			attrs: map[string]any{"fingerprint": "4d:Eq:UV"},
			check: func(t *testing.T, f *fx, r *reply) {
				assert.Nil(t, rel(r, "owner")["data"])
				assert.Equal(t, "/v1/accounts/"+f.tt.srv.AccountID+"/machines/"+r.id()+"/owner", rel(r, "owner")["links"].(map[string]any)["related"])
			}},
		{feature: mcreate, scenario: "Admin creates a machine with an owner (license owner matches license user)", status: 201,
			setup: func(f *fx) req {
				u := f.tt.user("u@example.com")
				l, _ := f.license("", nil, "")
				f.addLicenseUser(l, u)
				return post("", machineBody(l, "fp", nil, map[string]any{"owner": link("users", u)}))
			},
			check: func(t *testing.T, f *fx, r *reply) { assert.NotNil(t, rel(r, "owner")["data"]) }},
		{feature: mcreate, scenario: "Admin creates a machine with an owner (license owner is not associated)", status: 422,
			setup: func(f *fx) req {
				u := f.tt.user("u@example.com")
				l, _ := f.license("", nil, "")
				return post("", machineBody(l, "fp", nil, map[string]any{"owner": link("users", u)}))
			},
			title: "Unprocessable resource", code: "OWNER_INVALID", detail: "must be a valid license user",
			source: map[string]any{"pointer": "/data/relationships/owner"}},
		{feature: mcreate, scenario: "Admin creates a machine with a null owner (linkage)", status: 201,
			setup: func(f *fx) req {
				l, _ := f.license("", nil, "")
				return post("", machineBody(l, "fp", nil, map[string]any{"owner": map[string]any{"data": nil}}))
			}},
		{feature: mcreate, scenario: "Admin creates a machine with complex metadata", status: 201,
			setup: func(f *fx) req {
				l, _ := f.license("", nil, "")
				return post("", machineBody(l, "fp", map[string]any{"metadata": map[string]any{
					"cpuCount": 16, "memoryTotal": 17179869184, "osPrettyName": "TestOS 1.0", "gpuDevices": []any{"gpu0", "gpu1"},
					"networkInterfaces": []any{map[string]any{"name": "lo", "ipv4": "127.0.0.1"}},
				}}, nil))
			},
			attrs: map[string]any{"metadata": map[string]any{
				"cpuCount": 16.0, "memoryTotal": 17179869184.0, "osPrettyName": "TestOS 1.0", "gpuDevices": []any{"gpu0", "gpu1"},
				"networkInterfaces": []any{map[string]any{"name": "lo", "ipv4": "127.0.0.1"}},
			}}},
		{feature: mcreate, scenario: "Support attempts to create a machine for their account", status: 403,
			setup: func(f *fx) req {
				l, _ := f.license("", nil, "")
				return post(f.roleAuth("support-agent"), machineBody(l, "fp", nil, nil))
			}},
		{feature: mcreate, scenario: "Read-only attempts to create a machine for their account", status: 403,
			setup: func(f *fx) req {
				l, _ := f.license("", nil, "")
				return post(f.roleAuth("read-only"), machineBody(l, "fp", nil, nil))
			}},
		{feature: mcreate, scenario: "Sales creates a machine for their account", status: 201,
			setup: func(f *fx) req {
				l, _ := f.license("", nil, "")
				return post(f.roleAuth("sales-agent"), machineBody(l, "fp", nil, nil))
			}},
		{feature: mcreate, scenario: "Admin creates a grouped machine for their account (invalid group)", status: 422,
			setup: func(f *fx) req {
				l, _ := f.license("", nil, "")
				return post("", machineBody(l, "fp", nil, map[string]any{"group": link("groups", newUUID())}))
			},
			code: "GROUP_NOT_FOUND", detail: "must exist", source: map[string]any{"pointer": "/data/relationships/group"}},
		{feature: mcreate, scenario: "User creates a grouped machine for their account", status: 400,
			setup: func(f *fx) req {
				u, auth := f.userAuth("u@example.com")
				l, _ := f.license("", nil, u)
				return post(auth, machineBody(l, "fp", nil, map[string]any{"group": link("groups", newUUID())}))
			},
			title: "Bad request", detail: "unpermitted parameter", source: map[string]any{"pointer": "/data/relationships/group"}},
		{feature: mcreate, scenario: "Admin creates a machine for their account with a fingerprint matching another machine's ID", status: 422,
			setup: func(f *fx) req {
				l, _ := f.license("", nil, "")
				id := f.machine(l, "a", nil)
				return post("", machineBody(l, id, nil, nil))
			}},
		{feature: mcreate, scenario: "Admin creates a machine for their account with a fingerprint matching a reserved word", status: 422,
			setup: func(f *fx) req { l, _ := f.license("", nil, ""); return post("", machineBody(l, "actions", nil, nil)) }},
		{feature: mcreate, scenario: "Admin creates a machine with missing fingerprint", status: 400,
			setup: func(f *fx) req {
				l, _ := f.license("", nil, "")
				return post("", doc("machines", map[string]any{}, map[string]any{"license": link("licenses", l)}))
			}},
		{feature: mcreate, scenario: "Admin creates a machine with missing license", status: 400,
			setup: func(f *fx) req { return post("", doc("machines", map[string]any{"fingerprint": "fp"}, nil)) }},
		{feature: mcreate, scenario: "Admin creates a machine with an invalid license UUID", status: 422,
			setup: func(f *fx) req { return post("", machineBody(newUUID(), "fp", nil, nil)) }},
		{feature: mcreate, scenario: "User creates a machine for their license (as license owner)", status: 201,
			setup: func(f *fx) req {
				u, auth := f.userAuth("u@example.com")
				l, _ := f.license("", nil, u)
				return post(auth, machineBody(l, "fp", nil, nil))
			},
			check: func(t *testing.T, f *fx, r *reply) {
				l := rel(r, "license")["data"].(map[string]any)["id"].(string)
				lr := f.tt.get("/licenses/" + l)
				assert.Equal(t, map[string]any{"cores": 0.0, "memory": 0.0, "disk": 0.0, "count": 1.0}, rel(lr, "machines")["meta"])
			}},
		{feature: mcreate, scenario: "User creates a machine for their license (as licensee, as owner)", status: 201,
			setup: func(f *fx) req {
				u, auth := f.userAuth("u@example.com")
				l, _ := f.license("", nil, "")
				f.addLicenseUser(l, u)
				return post(auth, machineBody(l, "fp", nil, map[string]any{"owner": link("users", u)}))
			}},
		{feature: mcreate, scenario: "User creates a machine for their license (as licensee, no owner)", status: 403,
			setup: func(f *fx) req {
				u, auth := f.userAuth("u@example.com")
				l, _ := f.license("", nil, "")
				f.addLicenseUser(l, u)
				return post(auth, machineBody(l, "fp", nil, nil))
			}},
		{feature: mcreate, scenario: "User creates a machine for their license with a protected policy", status: 403,
			setup: func(f *fx) req {
				u, auth := f.userAuth("u@example.com")
				l, _ := f.license(f.policy(map[string]any{"protected": true}), nil, u)
				return post(auth, machineBody(l, "fp", nil, nil))
			}},
		{feature: mcreate, scenario: "User creates a machine for another user's license", status: 403,
			setup: func(f *fx) req {
				_, auth := f.userAuth("u@example.com")
				l, _ := f.license("", nil, f.tt.user("other@example.com"))
				return post(auth, machineBody(l, "fp", nil, nil))
			}},
		{feature: mcreate, scenario: "License creates a machine for a protected license", status: 201,
			setup: func(f *fx) req {
				l, _ := f.license(f.policy(map[string]any{"protected": true}), nil, "")
				return post(f.licenseAuth(l, nil), machineBody(l, "fp", nil, nil))
			}},
		{feature: mcreate, scenario: "License creates a machine for a protected license but they've hit their activation limit", status: 422,
			setup: func(f *fx) req {
				l, _ := f.license("", nil, "")
				auth := f.licenseAuth(l, map[string]any{"maxActivations": 1})
				f.mut(func(db *store) {
					for _, tk := range db.tokens {
						tk.Activations = 1
					}
				})
				return post(auth, machineBody(l, "fp", nil, nil))
			},
			title: "Unprocessable resource", code: "ACTIVATIONS_LIMIT_EXCEEDED", detail: "exceeds maximum allowed (1)",
			source: map[string]any{"pointer": "/data/attributes/activations"},
			check:  func(t *testing.T, f *fx, r *reply) { assert.Equal(t, 0, machineCount(f)) }},
		{feature: mcreate, scenario: "License creates a machine for their license with a duplicate fingerprint", status: 422,
			setup: func(f *fx) req {
				l, _ := f.license("", nil, "")
				f.machine(l, "dup", nil)
				return post(f.licenseAuth(l, nil), machineBody(l, "dup", nil, nil))
			},
			code: "FINGERPRINT_TAKEN", detail: "has already been taken", source: map[string]any{"pointer": "/data/attributes/fingerprint"},
			check: func(t *testing.T, f *fx, r *reply) {
				f.mut(func(db *store) {
					for _, tk := range db.tokens {
						if tk.Kind == "activation-token" {
							assert.Equal(t, 0, tk.Activations)
						}
					}
				})
			}},
		{feature: mcreate, scenario: "License creates a machine for their license with a blank fingerprint", status: 400,
			setup: func(f *fx) req {
				l, _ := f.license("", nil, "")
				return post(f.licenseAuth(l, nil), machineBody(l, "", nil, nil))
			},
			title: "Bad request", detail: "cannot be blank", source: map[string]any{"pointer": "/data/attributes/fingerprint"}},
		{feature: mcreate, scenario: "License creates a machine for another license", status: 403,
			setup: func(f *fx) req {
				l, _ := f.license("", nil, "")
				other, _ := f.license("", nil, "")
				return post(f.licenseAuth(l, nil), machineBody(other, "fp", nil, nil))
			}},
		{feature: mcreate, scenario: "Product creates a machine associated to a license they don't own", status: 403,
			setup: func(f *fx) req {
				l, _ := f.license("", nil, "")
				return post(f.productAuth(f.tt.product()), machineBody(l, "fp", nil, nil))
			}},
		{feature: mcreate, scenario: "Unauthenticated user attempts to create a machine", status: 401,
			setup: func(f *fx) req { l, _ := f.license("", nil, ""); return post("-", machineBody(l, "fp", nil, nil)) }},
		{feature: mcreate, scenario: "Admin creates a machine for a floating license that has exceeded its limit (allows 1.25x overages)", status: 422,
			setup: func(f *fx) req {
				pol := f.policy(map[string]any{"maxMachines": 4, "overageStrategy": "ALLOW_1_25X_OVERAGE"})
				l, _ := f.license(pol, nil, "")
				for _, fp := range []string{"a", "b", "c", "d", "e"} {
					f.machine(l, fp, nil)
				}
				return post("", machineBody(l, "f", nil, nil))
			},
			title: "Unprocessable resource", code: "MACHINE_LIMIT_EXCEEDED", detail: "machine count has exceeded maximum allowed for license (4)",
			source: map[string]any{"pointer": "/data"}},
		{feature: mcreate, scenario: "Admin creates a machine for a floating license that has already reached its limit (no overages)", status: 422,
			setup: func(f *fx) req {
				l, _ := f.license(f.policy(map[string]any{"maxMachines": 2}), nil, "")
				f.machine(l, "a", nil)
				f.machine(l, "b", nil)
				return post("", machineBody(l, "c", nil, nil))
			},
			code: "MACHINE_LIMIT_EXCEEDED", detail: "machine count has exceeded maximum allowed for license (2)"},
		{feature: mcreate, scenario: "Admin creates a machine for a node-locked license that has already reached its limit (allows 2x overages)", status: 201,
			setup: func(f *fx) req {
				l, _ := f.license(f.policy(map[string]any{"floating": false, "maxMachines": 1, "overageStrategy": "ALLOW_2X_OVERAGE"}), nil, "")
				f.machine(l, "a", nil)
				return post("", machineBody(l, "b", nil, nil))
			}},
		{feature: mcreate, scenario: "Admin creates a machine for a node-locked license that has exceeded its limit (allows 2x overages)", status: 422,
			setup: func(f *fx) req {
				l, _ := f.license(f.policy(map[string]any{"floating": false, "maxMachines": 1, "overageStrategy": "ALLOW_2X_OVERAGE"}), nil, "")
				f.machine(l, "a", nil)
				f.machine(l, "b", nil)
				return post("", machineBody(l, "c", nil, nil))
			},
			code: "MACHINE_LIMIT_EXCEEDED", detail: "machine count has exceeded maximum allowed for license (1)"},
		{feature: mcreate, scenario: "Admin creates a machine for a floating license that has exceeded its limit (PER_USER leasing strategy, no owner)", status: 422,
			setup: func(f *fx) req {
				l, _ := f.license(f.policy(map[string]any{"maxMachines": 3, "machineLeasingStrategy": "PER_USER"}), nil, "")
				for _, fp := range []string{"a", "b", "c"} {
					f.machine(l, fp, nil)
				}
				return post("", machineBody(l, "d", nil, nil))
			},
			code: "MACHINE_LIMIT_EXCEEDED", detail: "machine count has exceeded maximum allowed for user (3)"},
		{feature: mcreate, scenario: "Admin creates a machine for a floating license that is under its limit (PER_USER leasing strategy, with owner)", status: 201,
			setup: func(f *fx) req {
				u := f.tt.user("u@example.com")
				l, _ := f.license(f.policy(map[string]any{"maxMachines": 3, "machineLeasingStrategy": "PER_USER"}), nil, u)
				for _, fp := range []string{"a", "b", "c"} {
					f.machine(l, fp, nil)
				}
				return post("", machineBody(l, "d", nil, map[string]any{"owner": link("users", u)}))
			}},
		{feature: mcreate, scenario: "License creates a machine with a fingerprint from another license's machine for a license-scoped machine uniqueness strategy", status: 201,
			setup: func(f *fx) req {
				pol := f.policy(nil)
				a, _ := f.license(pol, nil, "")
				b, _ := f.license(pol, nil, "")
				f.machine(a, "fp", nil)
				return post(f.licenseAuth(b, nil), machineBody(b, "fp", nil, nil))
			}},
		{feature: mcreate, scenario: "License creates a machine with a fingerprint from another license's machine for a product-scoped machine uniqueness strategy (same product)", status: 422,
			setup: func(f *fx) req {
				a, _ := f.license(f.policy(map[string]any{"machineUniquenessStrategy": "UNIQUE_PER_PRODUCT"}), nil, "")
				b, _ := f.license(f.policy(map[string]any{"machineUniquenessStrategy": "UNIQUE_PER_PRODUCT"}), nil, "")
				f.machine(a, "fp", nil)
				return post(f.licenseAuth(b, nil), machineBody(b, "fp", nil, nil))
			},
			code: "FINGERPRINT_TAKEN", detail: "has already been taken for this product"},
		{feature: mcreate, scenario: "Admin creates a machine for a floating license that has exceeded its core limit (no overages)", status: 422,
			setup: func(f *fx) req {
				l, _ := f.license(f.policy(map[string]any{"maxCores": 32}), nil, "")
				f.machine(l, "a", map[string]any{"cores": 24})
				return post("", machineBody(l, "b", map[string]any{"cores": 16}, nil))
			},
			title: "Unprocessable resource", code: "MACHINE_CORE_LIMIT_EXCEEDED", detail: "machine core count has exceeded maximum allowed for license (32)",
			source: map[string]any{"pointer": "/data"}},
		{feature: mcreate, scenario: "Admin creates a machine for a floating license that is under its core overage limit (allow 1.5x overage)", status: 201,
			setup: func(f *fx) req {
				l, _ := f.license(f.policy(map[string]any{"maxCores": 32, "overageStrategy": "ALLOW_1_5X_OVERAGE"}), nil, "")
				f.machine(l, "a", map[string]any{"cores": 24})
				return post("", machineBody(l, "b", map[string]any{"cores": 16}, nil))
			},
			attrs: map[string]any{"cores": 16.0}},
		{feature: mcreate, scenario: "Admin creates a machine for a floating license with a max cores override (no overages)", status: 201,
			setup: func(f *fx) req {
				l, _ := f.license(f.policy(map[string]any{"maxCores": 16}), map[string]any{"maxCores": 32}, "")
				return post("", machineBody(l, "b", map[string]any{"cores": 32}, nil))
			}},
		{feature: mcreate, scenario: "Admin creates a machine for a node-locked license that has exceeded its core limit (PER_USER leasing strategy, no owner)", status: 422,
			setup: func(f *fx) req {
				l, _ := f.license(f.policy(map[string]any{"floating": false, "maxMachines": 1, "maxCores": 8, "machineLeasingStrategy": "PER_USER"}), nil, "")
				return post("", machineBody(l, "b", map[string]any{"cores": 16}, nil))
			},
			code: "MACHINE_CORE_LIMIT_EXCEEDED", detail: "machine core count has exceeded maximum allowed for user (8)"},
		{feature: mcreate, scenario: "Admin creates a machine with an invalid core count", status: 422,
			setup: func(f *fx) req {
				l, _ := f.license("", nil, "")
				return post("", machineBody(l, "b", map[string]any{"cores": 0}, nil))
			},
			code: "CORES_INVALID", detail: "must be greater than or equal to 1", source: map[string]any{"pointer": "/data/attributes/cores"}},
		{feature: mcreate, scenario: "Admin creates a machine with a large memory count but policy has no maximum", status: 201,
			setup: func(f *fx) req {
				l, _ := f.license("", nil, "")
				return post("", machineBody(l, "b", map[string]any{"memory": 9223372036854775807, "disk": 9223372036854775807}, nil))
			},
			check: func(t *testing.T, f *fx, r *reply) {
				assert.Contains(t, string(r.body), `"memory":9223372036854775807`)
			}},
		{feature: mcreate, scenario: "Admin creates a machine for a floating license that has exceeded its memory limit (no overages)", status: 422,
			setup: func(f *fx) req {
				l, _ := f.license(f.policy(map[string]any{"maxMemory": 32768}), nil, "")
				f.machine(l, "a", map[string]any{"memory": 24576})
				return post("", machineBody(l, "b", map[string]any{"memory": 16384}, nil))
			},
			code: "MACHINE_MEMORY_LIMIT_EXCEEDED", detail: "machine memory has exceeded maximum allowed for license (32768)"},
		{feature: mcreate, scenario: "Admin creates a machine for a floating license that has exceeded its disk limit (no overages)", status: 422,
			setup: func(f *fx) req {
				l, _ := f.license(f.policy(map[string]any{"maxDisk": 1048576}), nil, "")
				f.machine(l, "a", map[string]any{"disk": 786432})
				return post("", machineBody(l, "b", map[string]any{"disk": 524288}, nil))
			},
			code: "MACHINE_DISK_LIMIT_EXCEEDED", detail: "machine disk has exceeded maximum allowed for license (1048576)"},
		{feature: mcreate, scenario: "Admin creates a machine with an invalid disk count", status: 422,
			setup: func(f *fx) req {
				l, _ := f.license("", nil, "")
				return post("", machineBody(l, "b", map[string]any{"disk": 0}, nil))
			},
			detail: "must be greater than or equal to 1", source: map[string]any{"pointer": "/data/attributes/disk"}},
		{feature: mcreate, scenario: "License activates a machine with an activation expiration basis (not set)", status: 201,
			setup: func(f *fx) req {
				l, _ := f.license(f.policy(map[string]any{"expirationBasis": "FROM_FIRST_ACTIVATION", "duration": 31556952}), nil, "")
				return post(f.licenseAuth(l, nil), machineBody(l, "fp", nil, nil))
			},
			check: func(t *testing.T, f *fx, r *reply) {
				l := rel(r, "license")["data"].(map[string]any)["id"].(string)
				exp, _ := time.Parse(time.RFC3339, f.tt.get("/licenses/" + l).attrs()["expiry"].(string))
				assert.WithinDuration(t, time.Now().AddDate(1, 0, 0), exp, 2*time.Hour)
			}},
		{feature: mcreate, scenario: "License activates a machine with a pre-determined ID", status: 201,
			setup: func(f *fx) req {
				l, _ := f.license("", nil, "")
				b := machineBody(l, "fp", nil, nil)
				b["data"].(map[string]any)["id"] = "00000000-2521-4033-9f4f-3675387016f7"
				return post(f.licenseAuth(l, nil), b)
			},
			check: func(t *testing.T, f *fx, r *reply) { assert.Equal(t, "00000000-2521-4033-9f4f-3675387016f7", r.id()) }},
		{feature: mcreate, scenario: "License activates a machine with a pre-determined ID (conflict)", status: 422,
			setup: func(f *fx) req {
				l, _ := f.license("", nil, "")
				id := f.machine(l, "a", nil)
				b := machineBody(l, "fp", nil, nil)
				b["data"].(map[string]any)["id"] = id
				return post(f.licenseAuth(l, nil), b)
			},
			title: "Unprocessable resource", code: "ID_CONFLICT", detail: "must not conflict with another machine",
			source: map[string]any{"pointer": "/data/id"},
			check:  func(t *testing.T, f *fx, r *reply) { assert.Len(t, r.doc["errors"], 1) }},
		{feature: mcreate, scenario: "License activates a machine with a pre-determined ID (bad ID)", status: 400,
			setup: func(f *fx) req {
				l, _ := f.license("", nil, "")
				b := machineBody(l, "fp", nil, nil)
				b["data"].(map[string]any)["id"] = "foo"
				return post(f.licenseAuth(l, nil), b)
			},
			title: "Bad request", detail: "type mismatch (received string expected UUID string)", source: map[string]any{"pointer": "/data/id"}},
		{feature: mcreate, scenario: "License activates a machine with a token (auth strategy not allowed)", status: 403,
			setup: func(f *fx) req {
				l, _ := f.license(f.policy(map[string]any{"authenticationStrategy": "LICENSE"}), nil, "")
				return post(f.licenseAuth(l, nil), machineBody(l, "fp", nil, nil))
			},
			title: "Access denied", code: "TOKEN_NOT_ALLOWED", detail: "Token authentication is not allowed by policy"},
		{feature: mcreate, scenario: "License activates a machine with their key (auth strategy not allowed)", status: 403,
			setup: func(f *fx) req {
				l, k := f.license(f.policy(map[string]any{"authenticationStrategy": "TOKEN"}), nil, "")
				return post("License "+k, machineBody(l, "fp", nil, nil))
			},
			title: "Access denied", code: "LICENSE_NOT_ALLOWED", detail: "License key authentication is not allowed by policy"},
		{feature: mcreate, scenario: "License activates a machine with their key (auth strategy allowed, expired, restrict access)", status: 201,
			setup: func(f *fx) req {
				l, k := f.license(f.policy(map[string]any{"authenticationStrategy": "LICENSE", "expirationStrategy": "RESTRICT_ACCESS"}), nil, "")
				f.mut(func(db *store) { e := time.Now().Add(-time.Hour); db.licenses[l].Expiry = &e })
				return post("License "+k, machineBody(l, "fp", nil, nil))
			}},
		{feature: mcreate, scenario: "License activates a machine with their key (auth strategy allowed, expired, revoke access)", status: 403,
			setup: func(f *fx) req {
				l, k := f.license(f.policy(map[string]any{"authenticationStrategy": "LICENSE", "expirationStrategy": "REVOKE_ACCESS"}), nil, "")
				f.mut(func(db *store) { e := time.Now().Add(-time.Hour); db.licenses[l].Expiry = &e })
				return post("License "+k, machineBody(l, "fp", nil, nil))
			}},
		{feature: mcreate, scenario: "License activates a machine with their key (auth strategy allowed, suspended)", status: 403,
			setup: func(f *fx) req {
				l, k := f.license(f.policy(map[string]any{"authenticationStrategy": "MIXED"}), nil, "")
				f.mut(func(db *store) { db.licenses[l].Suspended = true })
				return post("License "+k, machineBody(l, "fp", nil, nil))
			}},
		{feature: mcreate, scenario: "Admin creates a machine with FROM_FIRST_PING heartbeat basis", status: 201,
			setup: func(f *fx) req {
				l, _ := f.license(f.policy(map[string]any{"heartbeatBasis": "FROM_FIRST_PING"}), nil, "")
				return post("", machineBody(l, "fp", nil, nil))
			},
			attrs: map[string]any{"heartbeatStatus": "NOT_STARTED", "lastHeartbeat": nil}},
		{feature: mcreate, scenario: "Admin creates a machine with FROM_CREATION heartbeat basis", status: 201,
			setup: func(f *fx) req {
				l, _ := f.license(f.policy(map[string]any{"heartbeatBasis": "FROM_CREATION"}), nil, "")
				return post("", machineBody(l, "fp", nil, nil))
			},
			attrs: map[string]any{"heartbeatStatus": "ALIVE"},
			check: func(t *testing.T, f *fx, r *reply) { assert.NotNil(t, r.attrs()["lastHeartbeat"]) }},
	}
	runFeatureCases(t, cases)
}

func TestMachineReadWriteFeatures(t *testing.T) {
	at := func(method, path, auth string, body any) req {
		return req{method: method, path: path, auth: auth, body: body}
	}
	name := func(n string) any { return doc("machines", map[string]any{"name": n}, nil) }
	cases := []featureCase{
		// machines/show.feature --------------------------------------------------------
		{feature: mshow, scenario: "Admin retrieves a machine for their account by UUID fingerprint", status: 200,
			setup: func(f *fx) req {
				l, _ := f.license("", nil, "")
				f.machine(l, "a06b4343-d2cf-45e7-b9a2-b11c618993f3", nil)
				return at("GET", "/machines/a06b4343-d2cf-45e7-b9a2-b11c618993f3", "", nil)
			},
			attrs: map[string]any{"fingerprint": "a06b4343-d2cf-45e7-b9a2-b11c618993f3"}},
		{feature: mshow, scenario: "Admin retrieves an invalid machine for their account", status: 404,
			setup: func(f *fx) req { return at("GET", "/machines/invalid", "", nil) },
			title: "Not found", code: "NOT_FOUND", detail: "The requested machine 'invalid' was not found"},
		{feature: mshow, scenario: "Admin retrieves a machine for their account with a newline character in the ID (ID without newline exists)", status: 404,
			setup: func(f *fx) req {
				l, _ := f.license("", nil, "")
				id := f.machine(l, "a", nil)
				return at("GET", "/machines/"+id+"%0A", "", nil)
			},
			code: "NOT_FOUND", check: func(t *testing.T, f *fx, r *reply) { assert.Contains(t, r.detail(), "\n' was not found") }},
		{feature: mshow, scenario: "License retrieves a machine by fingerprint with a newline (newline)", status: 200,
			setup: func(f *fx) req {
				l, _ := f.license("", nil, "")
				f.machine(l, "foo\n", nil)
				return at("GET", "/machines/foo%0A", f.licenseAuth(l, nil), nil)
			}},
		{feature: mshow, scenario: "License retrieves a machine by fingerprint with a newline (no newline)", status: 404,
			setup: func(f *fx) req {
				l, _ := f.license("", nil, "")
				f.machine(l, "foo\n", nil)
				return at("GET", "/machines/foo", f.licenseAuth(l, nil), nil)
			}},
		{feature: mshow, scenario: "Read-only retrieves a machine for their account", status: 200,
			setup: func(f *fx) req {
				l, _ := f.license("", nil, "")
				return at("GET", "/machines/"+f.machine(l, "a", nil), f.roleAuth("read-only"), nil)
			}},
		{feature: mshow, scenario: "User retrieves a machine for their license", status: 200,
			setup: func(f *fx) req {
				u, auth := f.userAuth("u@example.com")
				l, _ := f.license("", nil, "")
				f.addLicenseUser(l, u)
				return at("GET", "/machines/"+f.machine(l, "a", nil), auth, nil)
			}},
		{feature: mshow, scenario: "User retrieves a machine for a license", status: 404,
			setup: func(f *fx) req {
				_, auth := f.userAuth("u@example.com")
				l, _ := f.license("", nil, "")
				return at("GET", "/machines/"+f.machine(l, "a", nil), auth, nil)
			}},
		{feature: mshow, scenario: "License retrieves a machine by fingerprint that matches the machine of another license", status: 200,
			setup: func(f *fx) req {
				a, _ := f.license("", nil, "")
				b, _ := f.license("", nil, "")
				f.machine(b, "xxx", nil)
				f.machine(a, "xxx", nil)
				return at("GET", "/machines/xxx", f.licenseAuth(a, nil), nil)
			}},
		{feature: mshow, scenario: "Product attempts to retrieve a machine for another product", status: 404,
			setup: func(f *fx) req {
				l, _ := f.license("", nil, "")
				return at("GET", "/machines/"+f.machine(l, "a", nil), f.productAuth(f.tt.product()), nil)
			}},
		{feature: mshow, scenario: "Admin retrieves a machine for their account that has a user (v1.5)", status: 200,
			setup: func(f *fx) req {
				u := f.tt.user("u@example.com")
				l, _ := f.license("", nil, u)
				id := f.machine(l, "a", nil)
				f.mut(func(db *store) { db.machines[id].OwnerID = &u })
				r := at("GET", "/machines/"+id, "", nil)
				r.headers = map[string]string{"Keygen-Version": "1.5"}
				return r
			},
			check: func(t *testing.T, f *fx, r *reply) {
				assert.Equal(t, "users", rel(r, "user")["data"].(map[string]any)["type"])
				assert.Contains(t, rel(r, "user")["links"].(map[string]any)["related"], "/user")
			}},
		// machines/index.feature -------------------------------------------------------
		{feature: mindex, scenario: "Admin retrieves an offset-paginated list of machines scoped to owner", status: 200,
			setup: func(f *fx) req {
				u := f.tt.user("u@example.com")
				l, _ := f.license("", nil, u)
				id := f.machine(l, "a", nil)
				f.machine(l, "b", nil)
				f.mut(func(db *store) { db.machines[id].OwnerID = &u })
				return at("GET", "/machines?page[number]=1&page[size]=100&owner="+u, "", nil)
			},
			check: func(t *testing.T, f *fx, r *reply) {
				assert.Len(t, r.list(), 1)
				links := r.doc["links"].(map[string]any)
				self, _ := url.QueryUnescape(links["self"].(string))
				assert.Contains(t, self, "machines?owner=")
				assert.Equal(t, map[string]any{"pages": 1.0, "count": 1.0}, links["meta"])
			}},
		{feature: mindex, scenario: "Admin retrieves an offset-paginated list of machines scoped to user", status: 200,
			setup: func(f *fx) req {
				u := f.tt.user("u@example.com")
				l, _ := f.license("", nil, u)
				o, _ := f.license("", nil, "")
				f.machine(l, "a", nil)
				f.machine(o, "b", nil)
				return at("GET", "/machines?page[number]=1&page[size]=100&user="+u, "", nil)
			},
			check: func(t *testing.T, f *fx, r *reply) { assert.Len(t, r.list(), 1) }},
		{feature: mindex, scenario: "Admin retrieves an offset-paginated list of machines with an invalid page param", status: 400,
			setup: func(f *fx) req { return at("GET", "/machines?page=1&size=100", "", nil) }},
		{feature: mindex, scenario: "Admin retrieves all machines with a limit that is too high", status: 400,
			setup: func(f *fx) req { return at("GET", "/machines?limit=900", "", nil) }},
		{feature: mindex, scenario: "Admin retrieves all machines filtered by metadata node ID (snakecase)", status: 200,
			setup: func(f *fx) req {
				l, _ := f.license("", nil, "")
				f.machine(l, "a", map[string]any{"metadata": map[string]any{"nodeId": "68666bf8b"}})
				f.machine(l, "b", nil)
				return at("GET", "/machines?metadata[node_id]=68666bf8b", "", nil)
			},
			check: func(t *testing.T, f *fx, r *reply) { assert.Len(t, r.list(), 1) }},
		{feature: mindex, scenario: "Admin retrieves all alive machines", status: 200,
			setup: func(f *fx) req {
				l, _ := f.license(f.policy(map[string]any{"heartbeatDuration": 600}), nil, "")
				alive, dead := f.machine(l, "a", nil), f.machine(l, "b", nil)
				f.machine(l, "c", nil) // never pinged, not required: NOT_STARTED counts as alive
				f.mut(func(db *store) {
					a, d := time.Now().Add(-time.Minute), time.Now().Add(-time.Hour)
					db.machines[alive].LastHeartbeat = &a
					db.machines[dead].LastHeartbeat = &d
				})
				return at("GET", "/machines?status=alive", "", nil)
			},
			check: func(t *testing.T, f *fx, r *reply) {
				assert.Len(t, r.list(), 2)
				assert.Len(t, f.tt.get("/machines?status=dead").list(), 1)
			}},
		{feature: mindex, scenario: "User attempts to retrieve machines for their account scoped by a license key that exists", status: 200,
			setup: func(f *fx) req {
				u, auth := f.userAuth("u@example.com")
				l, k := f.license("", nil, u)
				o, _ := f.license("", nil, "")
				f.machine(l, "a", nil)
				f.machine(o, "b", nil)
				return at("GET", "/machines?key="+url.QueryEscape(k), auth, nil)
			},
			check: func(t *testing.T, f *fx, r *reply) { assert.Len(t, r.list(), 1) }},
		{feature: mindex, scenario: "License retrieves all machines for their license with no matches", status: 200,
			setup: func(f *fx) req {
				l, _ := f.license("", nil, "")
				o, _ := f.license("", nil, "")
				f.machine(o, "b", nil)
				return at("GET", "/machines", f.licenseAuth(l, nil), nil)
			},
			check: func(t *testing.T, f *fx, r *reply) { assert.Len(t, r.list(), 0) }},
		// machines/update.feature ------------------------------------------------------
		{feature: mupdate, scenario: "Support updates a machine", status: 200,
			setup: func(f *fx) req {
				l, _ := f.license("", nil, "")
				return at("PATCH", "/machines/"+f.machine(l, "a", nil), f.roleAuth("support-agent"), name("x"))
			}},
		{feature: mupdate, scenario: "Read-only updates a machine", status: 403,
			setup: func(f *fx) req {
				l, _ := f.license("", nil, "")
				return at("PATCH", "/machines/"+f.machine(l, "a", nil), f.roleAuth("read-only"), name("x"))
			}},
		{feature: mupdate, scenario: "Admin removes a machine's IP address", status: 200,
			setup: func(f *fx) req {
				l, _ := f.license("", nil, "")
				id := f.machine(l, "a", map[string]any{"ip": "1.2.3.4"})
				return at("PATCH", "/machines/"+id, "", doc("machines", map[string]any{"ip": nil}, nil))
			},
			attrs: map[string]any{"ip": nil}},
		{feature: mupdate, scenario: "Admin updates a machine's core count to an amount that exceeds their maximum core limit (no overages)", status: 422,
			setup: func(f *fx) req {
				l, _ := f.license(f.policy(map[string]any{"maxCores": 12}), nil, "")
				id := f.machine(l, "a", map[string]any{"cores": 4})
				return at("PATCH", "/machines/"+id, "", doc("machines", map[string]any{"cores": 16}, nil))
			},
			title: "Unprocessable resource", code: "MACHINE_CORE_LIMIT_EXCEEDED", detail: "machine core count has exceeded maximum allowed for license (12)",
			source: map[string]any{"pointer": "/data"}},
		{feature: mupdate, scenario: "Admin updates a machine's memory to an amount that exceeds their maximum memory limit (allows overages)", status: 200,
			setup: func(f *fx) req {
				l, _ := f.license(f.policy(map[string]any{"maxMemory": 268435456, "overageStrategy": "ALWAYS_ALLOW_OVERAGE"}), nil, "")
				id := f.machine(l, "a", nil)
				return at("PATCH", "/machines/"+id, "", doc("machines", map[string]any{"memory": 536870912}, nil))
			},
			attrs: map[string]any{"memory": 536870912.0}},
		{feature: mupdate, scenario: "Admin attempts to update a machine's fingerprint", status: 400,
			setup: func(f *fx) req {
				l, _ := f.license("", nil, "")
				return at("PATCH", "/machines/"+f.machine(l, "a", nil), "", doc("machines", map[string]any{"fingerprint": "x"}, nil))
			}},
		{feature: mupdate, scenario: "License updates a machine's name that belongs to a protected license", status: 403,
			setup: func(f *fx) req {
				l, _ := f.license(f.policy(map[string]any{"protected": true}), nil, "")
				return at("PATCH", "/machines/"+f.machine(l, "a", nil), f.licenseAuth(l, nil), name("x"))
			}},
		{feature: mupdate, scenario: "License updates a machine's cores that belongs to a unprotected license", status: 400,
			setup: func(f *fx) req {
				l, _ := f.license("", nil, "")
				return at("PATCH", "/machines/"+f.machine(l, "a", nil), f.licenseAuth(l, nil), doc("machines", map[string]any{"cores": 2}, nil))
			}},
		{feature: mupdate, scenario: "User updates a machine's name that belongs to a unprotected license (license user, no owner)", status: 403,
			setup: func(f *fx) req {
				u, auth := f.userAuth("u@example.com")
				l, _ := f.license("", nil, "")
				f.addLicenseUser(l, u)
				return at("PATCH", "/machines/"+f.machine(l, "a", nil), auth, name("x"))
			}},
		{feature: mupdate, scenario: "Product attempts to update a machine for another product", status: 404,
			setup: func(f *fx) req {
				l, _ := f.license("", nil, "")
				return at("PATCH", "/machines/"+f.machine(l, "a", nil), f.productAuth(f.tt.product()), name("x"))
			}},
		// machines/destroy.feature -----------------------------------------------------
		{feature: mdestroy, scenario: "Support deletes one of their machines", status: 403,
			setup: func(f *fx) req {
				l, _ := f.license("", nil, "")
				return at("DELETE", "/machines/"+f.machine(l, "a", nil), f.roleAuth("support-agent"), nil)
			}},
		{feature: mdestroy, scenario: "Owner deletes a machine for their unprotected license (not machine owner)", status: 204,
			setup: func(f *fx) req {
				u, auth := f.userAuth("u@example.com")
				l, _ := f.license("", nil, u)
				return at("DELETE", "/machines/"+f.machine(l, "a", nil), auth, nil)
			}},
		{feature: mdestroy, scenario: "User deletes a machine for their unprotected license (not machine owner)", status: 403,
			setup: func(f *fx) req {
				u, auth := f.userAuth("u@example.com")
				l, _ := f.license("", nil, "")
				f.addLicenseUser(l, u)
				return at("DELETE", "/machines/"+f.machine(l, "a", nil), auth, nil)
			}},
		{feature: mdestroy, scenario: "User deletes a machine for their protected license (is machine owner)", status: 403,
			setup: func(f *fx) req {
				u, auth := f.userAuth("u@example.com")
				l, _ := f.license(f.policy(map[string]any{"protected": true}), nil, u)
				return at("DELETE", "/machines/"+f.machine(l, "a", nil), auth, nil)
			}},
		{feature: mdestroy, scenario: "Admin deletes one of their machines by UUID fingerprint", status: 204,
			setup: func(f *fx) req {
				l, _ := f.license("", nil, "")
				f.machine(l, "a06b4343-d2cf-45e7-b9a2-b11c618993f3", nil)
				return at("DELETE", "/machines/a06b4343-d2cf-45e7-b9a2-b11c618993f3", "", nil)
			},
			check: func(t *testing.T, f *fx, r *reply) { assert.Equal(t, 0, machineCount(f)); assert.Empty(t, r.body) }},
		{feature: mdestroy, scenario: "License deletes a machine for their license but they've hit their deactivation limit", status: 422,
			setup: func(f *fx) req {
				l, _ := f.license("", nil, "")
				auth := f.licenseAuth(l, map[string]any{"maxDeactivations": 1})
				f.mut(func(db *store) {
					for _, tk := range db.tokens {
						tk.Deactivations = 1
					}
				})
				return at("DELETE", "/machines/"+f.machine(l, "a", nil), auth, nil)
			},
			title: "Unprocessable resource", code: "DEACTIVATIONS_LIMIT_EXCEEDED", detail: "exceeds maximum allowed (1)",
			source: map[string]any{"pointer": "/data/attributes/deactivations"},
			check:  func(t *testing.T, f *fx, r *reply) { assert.Equal(t, 1, machineCount(f)) }},
		{feature: mdestroy, scenario: "License deletes a machine that belongs to another license", status: 404,
			setup: func(f *fx) req {
				l, _ := f.license("", nil, "")
				o, _ := f.license("", nil, "")
				return at("DELETE", "/machines/"+f.machine(o, "a", nil), f.licenseAuth(l, nil), nil)
			}},
	}
	runFeatureCases(t, cases)
}

func TestHeartbeatFeatures(t *testing.T) {
	// A machine of a license with a 10-minute heartbeat, its last heartbeat `ago` ago
	// (never when ago is 0).
	beat := func(f *fx, polAttrs map[string]any, ago time.Duration, owner string) (lic, m string) {
		if polAttrs == nil {
			polAttrs = map[string]any{}
		}
		if _, ok := polAttrs["heartbeatDuration"]; !ok {
			polAttrs["heartbeatDuration"] = 600
		}
		lic, _ = f.license(f.policy(polAttrs), nil, owner)
		m = f.machine(lic, "4d:Eq:UV:D3", nil)
		if ago != 0 {
			f.mut(func(db *store) { t := time.Now().Add(-ago); db.machines[m].LastHeartbeat = &t })
		}
		return lic, m
	}
	act := func(m, action, auth string) req {
		return req{method: "POST", path: "/machines/" + m + "/actions/" + action, auth: auth}
	}
	status := func(required bool, st string, hasLast bool) func(t *testing.T, f *fx, r *reply) {
		return func(t *testing.T, f *fx, r *reply) {
			a := r.attrs()
			assert.Equal(t, required, a["requireHeartbeat"])
			assert.Equal(t, st, a["heartbeatStatus"])
			assert.Equal(t, hasLast, a["lastHeartbeat"] != nil, "lastHeartbeat")
			assert.Equal(t, hasLast, a["nextHeartbeat"] != nil, "nextHeartbeat")
		}
	}
	cases := []featureCase{
		{feature: mbeat, scenario: "Admin requests a machine whose heartbeat has not started", status: 200,
			setup: func(f *fx) req { _, m := beat(f, nil, 0, ""); return req{method: "GET", path: "/machines/" + m} },
			check: status(false, "NOT_STARTED", false)},
		{feature: mbeat, scenario: "Admin requests a machine whose heartbeat is alive", status: 200,
			setup: func(f *fx) req {
				_, m := beat(f, nil, time.Minute, "")
				return req{method: "GET", path: "/machines/" + m}
			},
			check: status(true, "ALIVE", true)},
		{feature: mbeat, scenario: "Admin requests a machine whose heartbeat is dead", status: 200,
			setup: func(f *fx) req {
				_, m := beat(f, nil, time.Hour, "")
				return req{method: "GET", path: "/machines/" + m}
			},
			check: status(true, "DEAD", true)},
		{feature: mbeat, scenario: "Anonymous pings a machine's heartbeat for the first time", status: 401,
			setup: func(f *fx) req { _, m := beat(f, nil, 0, ""); return act(m, "ping-heartbeat", "-") }},
		{feature: mbeat, scenario: "Admin pings a machine's heartbeat for the first time by fingerprint", status: 200,
			setup: func(f *fx) req { beat(f, nil, 0, ""); return act("4d:Eq:UV:D3", "ping-heartbeat", "") },
			check: status(true, "ALIVE", true)},
		{feature: mbeat, scenario: "Admin pings a dead machine's heartbeat", status: 422,
			setup: func(f *fx) req { _, m := beat(f, nil, time.Hour, ""); return act(m, "ping-heartbeat", "") },
			title: "Unprocessable entity", code: "MACHINE_HEARTBEAT_DEAD", detail: "is dead"},
		{feature: mbeat, scenario: "Admin pings a dead machine's heartbeat that supports resurrection (period not passed)", status: 200,
			setup: func(f *fx) req {
				_, m := beat(f, map[string]any{"heartbeatResurrectionStrategy": "5_MINUTE_REVIVE", "heartbeatCullStrategy": "KEEP_DEAD", "heartbeatDuration": 300}, 7*time.Minute, "")
				return act(m, "ping-heartbeat", "")
			},
			check: func(t *testing.T, f *fx, r *reply) {
				status(true, "RESURRECTED", true)(t, f, r)
				assert.Equal(t, "ALIVE", f.tt.get("/machines/" + r.id()).attrs()["heartbeatStatus"])
			}},
		{feature: mbeat, scenario: "Admin pings a dead machine's heartbeat that supports resurrection (period passed)", status: 422,
			setup: func(f *fx) req {
				_, m := beat(f, map[string]any{"heartbeatResurrectionStrategy": "5_MINUTE_REVIVE", "heartbeatCullStrategy": "KEEP_DEAD"}, time.Hour, "")
				return act(m, "ping-heartbeat", "")
			},
			code: "MACHINE_HEARTBEAT_DEAD", detail: "is dead"},
		{feature: mbeat, scenario: "Admin pings a dead machine's heartbeat that supports resurrection (always revive, from creation basis)", status: 200,
			setup: func(f *fx) req {
				_, m := beat(f, map[string]any{"heartbeatResurrectionStrategy": "ALWAYS_REVIVE", "heartbeatCullStrategy": "KEEP_DEAD", "heartbeatBasis": "FROM_CREATION"}, 24*time.Hour, "")
				return act(m, "ping-heartbeat", "")
			},
			check: status(true, "RESURRECTED", true)},
		{feature: mbeat, scenario: "License pings a machine's heartbeat with a custom heartbeat duration", status: 200,
			setup: func(f *fx) req {
				l, m := beat(f, map[string]any{"heartbeatDuration": 604800}, 0, "")
				return act(m, "ping-heartbeat", f.licenseAuth(l, nil))
			},
			check: func(t *testing.T, f *fx, r *reply) {
				next, _ := time.Parse(time.RFC3339, r.attrs()["nextHeartbeat"].(string))
				assert.WithinDuration(t, time.Now().Add(7*24*time.Hour), next, time.Minute)
			}},
		{feature: mbeat, scenario: "License pings a machine's heartbeat that doesn't belong to them", status: 404,
			setup: func(f *fx) req {
				_, m := beat(f, nil, 0, "")
				o, _ := f.license("", nil, "")
				return act(m, "ping-heartbeat", f.licenseAuth(o, nil))
			}},
		{feature: mbeat, scenario: "User pings an unprotected machine's heartbeat (license owner)", status: 200,
			setup: func(f *fx) req {
				u, auth := f.userAuth("u@example.com")
				_, m := beat(f, nil, 0, u)
				return act(m, "ping", auth)
			}},
		{feature: mbeat, scenario: "User pings an unprotected machine's heartbeat (license user, not owner)", status: 403,
			setup: func(f *fx) req {
				u, auth := f.userAuth("u@example.com")
				l, m := beat(f, nil, 0, "")
				f.addLicenseUser(l, u)
				return act(m, "ping", auth)
			}},
		{feature: mbeat, scenario: "User pings a protected machine's heartbeat", status: 403,
			setup: func(f *fx) req {
				u, auth := f.userAuth("u@example.com")
				_, m := beat(f, map[string]any{"protected": true}, 0, u)
				return act(m, "ping-heartbeat", auth)
			}},
		{feature: mbeat, scenario: "Admin resets a machine's heartbeat", status: 200,
			setup: func(f *fx) req { _, m := beat(f, nil, time.Minute, ""); return act(m, "reset", "") },
			check: status(false, "NOT_STARTED", false)},
		{feature: mbeat, scenario: "Product resets a machine's heartbeat that doesn't belong to them", status: 404,
			setup: func(f *fx) req {
				_, m := beat(f, nil, time.Minute, "")
				return act(m, "reset-heartbeat", f.productAuth(f.tt.product()))
			}},
		{feature: mbeat, scenario: "Product resets a machine's heartbeat", status: 200,
			setup: func(f *fx) req {
				_, m := beat(f, nil, time.Minute, "")
				return act(m, "reset-heartbeat", f.productAuth(f.prod))
			}},
		{feature: mbeat, scenario: "License resets a machine's heartbeat", status: 403,
			setup: func(f *fx) req {
				l, m := beat(f, nil, time.Minute, "")
				return act(m, "reset-heartbeat", f.licenseAuth(l, nil))
			}},
		{feature: mbeat, scenario: "User resets a machine's heartbeat", status: 403,
			setup: func(f *fx) req {
				u, auth := f.userAuth("u@example.com")
				_, m := beat(f, nil, time.Minute, u)
				return act(m, "reset-heartbeat", auth)
			}},
	}
	runFeatureCases(t, cases)
}

func TestCheckoutFeatures(t *testing.T) {
	co := func(method, path, auth string, body any) req {
		return req{method: method, path: path, auth: auth, body: body}
	}
	meta := func(m map[string]any) any { return map[string]any{"meta": m} }
	badReq := func(code, detail, param string) featureCase {
		return featureCase{status: 400, title: "Bad request", code: code, detail: detail, source: map[string]any{"parameter": param}}
	}
	with := func(c featureCase, feature, scenario string, setup func(f *fx) req) featureCase {
		c.feature, c.scenario, c.setup = feature, scenario, setup
		return c
	}
	lic := func(f *fx) string { l, _ := f.license("", nil, ""); return l }
	mach := func(f *fx) string { return f.machine(lic(f), "41:34:7C", nil) }
	fileAttrs := func(ttl any) func(t *testing.T, f *fx, r *reply) {
		return func(t *testing.T, f *fx, r *reply) {
			assert.Equal(t, ttl, r.attrs()["ttl"])
			assert.Equal(t, ttl == nil, r.attrs()["expiry"] == nil)
		}
	}
	cases := []featureCase{
		{feature: lcheck, scenario: "Admin performs a license checkout with defaults (POST)", status: 200,
			setup: func(f *fx) req { return co("POST", "/licenses/"+lic(f)+"/actions/check-out", "", nil) },
			check: func(t *testing.T, f *fx, r *reply) {
				assert.Equal(t, "license-files", r.data()["type"])
				assert.Equal(t, 2629746.0, r.attrs()["ttl"])
				assert.Equal(t, "application/vnd.api+json; charset=utf-8", r.header.Get("Content-Type"))
				l := rel(r, "license")
				assert.Contains(t, l["links"].(map[string]any)["related"], "/licenses/")
				lr := f.tt.get("/licenses/" + l["data"].(map[string]any)["id"].(string))
				assert.NotNil(t, lr.attrs()["lastCheckOut"])
			}},
		{feature: lcheck, scenario: "Admin performs a license checkout with defaults (GET)", status: 200,
			setup: func(f *fx) req { return co("GET", "/licenses/"+lic(f)+"/actions/check-out", "", nil) },
			check: func(t *testing.T, f *fx, r *reply) {
				assert.Equal(t, "application/octet-stream", r.header.Get("Content-Type"))
				assert.Regexp(t, `^attachment; filename="[0-9a-f-]{36}\.lic"$`, r.header.Get("Content-Disposition"))
				assert.Contains(t, string(r.body), "-----BEGIN LICENSE FILE-----")
			}},
		{feature: lcheck, scenario: "Admin performs an encrypted license checkout with blank value (GET)", status: 200,
			setup: func(f *fx) req { return co("GET", "/licenses/"+lic(f)+"/actions/check-out?encrypt=", "", nil) }},
		{feature: lcheck, scenario: "Admin performs an encrypted license checkout with blank value (GET): a non-truthy value is false", status: 200,
			setup: func(f *fx) req { return co("POST", "/licenses/"+lic(f)+"/actions/check-out?encrypt=foo", "", nil) },
			check: func(t *testing.T, f *fx, r *reply) { assert.Equal(t, "base64+ed25519", r.attrs()["algorithm"]) }},
		{feature: lcheck, scenario: "Admin performs an encrypted license checkout (GET)", status: 200,
			setup: func(f *fx) req { return co("POST", "/licenses/"+lic(f)+"/actions/check-out?encrypt=1", "", nil) },
			check: func(t *testing.T, f *fx, r *reply) { assert.Equal(t, "aes-256-gcm+ed25519", r.attrs()["algorithm"]) }},
		with(badReq("CHECKOUT_TTL_INVALID", "must be greater than or equal to 3600 (1 hour)", "ttl"), lcheck,
			"Admin performs a license checkout with a TTL that is too short (GET): a non-numeric TTL coerces to 0",
			func(f *fx) req { return co("GET", "/licenses/"+lic(f)+"/actions/check-out?ttl=abc", "", nil) }),
		{feature: lcheck, scenario: "Admin performs a license checkout with a nil TTL (POST)", status: 200,
			setup: func(f *fx) req {
				return co("POST", "/licenses/"+lic(f)+"/actions/check-out", "", meta(map[string]any{"ttl": nil}))
			},
			check: fileAttrs(nil)},
		{feature: lcheck, scenario: "Admin performs a license checkout with an empty TTL (GET)", status: 200,
			setup: func(f *fx) req { return co("POST", "/licenses/"+lic(f)+"/actions/check-out?ttl=", "", nil) },
			check: fileAttrs(nil)},
		{feature: lcheck, scenario: "Admin performs a license checkout with a TTL that is very long (GET)", status: 200,
			setup: func(f *fx) req { return co("POST", "/licenses/"+lic(f)+"/actions/check-out?ttl=189341712", "", nil) },
			check: fileAttrs(189341712.0)},
		with(badReq("CHECKOUT_TTL_INVALID", "must be greater than or equal to 3600 (1 hour)", "ttl"), lcheck,
			"Admin performs a license checkout with a TTL that is too short (POST)",
			func(f *fx) req {
				return co("POST", "/licenses/"+lic(f)+"/actions/check-out", "", meta(map[string]any{"ttl": 60}))
			}),
		with(badReq("CHECKOUT_TTL_INVALID", "must be greater than or equal to 3600 (1 hour)", "ttl"), mcheck,
			"Admin performs a machine checkout with a TTL that is too short (GET)",
			func(f *fx) req { return co("GET", "/machines/"+mach(f)+"/actions/check-out?ttl=1", "", nil) }),
		with(badReq("CHECKOUT_ALGORITHM_INVALID", "invalid encoding algorithm", "algorithm"), lcheck,
			"Admin performs a license checkout with an invalid encoding algorithm (POST)",
			func(f *fx) req {
				return co("POST", "/licenses/"+lic(f)+"/actions/check-out", "", meta(map[string]any{"algorithm": "foo+ed25519"}))
			}),
		with(badReq("CHECKOUT_ALGORITHM_INVALID", "invalid signing algorithm", "algorithm"), mcheck,
			"Admin performs a machines checkout with an invalid signing algorithm (POST)",
			func(f *fx) req {
				return co("POST", "/machines/"+mach(f)+"/actions/check-out", "", meta(map[string]any{"algorithm": "aes-256-gcm+foo"}))
			}),
		with(badReq("CHECKOUT_INCLUDE_INVALID", "invalid includes", "include"), lcheck,
			"Admin performs a license checkout with invalid includes (GET)",
			func(f *fx) req { return co("GET", "/licenses/"+lic(f)+"/actions/check-out?include=account", "", nil) }),
		with(badReq("CHECKOUT_INCLUDE_INVALID", "invalid includes", "include"), mcheck,
			"Admin performs a machine checkout with invalid includes (POST)",
			func(f *fx) req {
				return co("POST", "/machines/"+mach(f)+"/actions/check-out", "", meta(map[string]any{"include": []any{"account"}}))
			}),
		{feature: lcheck, scenario: "Admin performs a license checkout with an owner include (POST)", status: 200,
			setup: func(f *fx) req {
				l, _ := f.license("", nil, f.tt.user("u@example.com"))
				return co("POST", "/licenses/"+l+"/actions/check-out?include=owner", "", nil)
			},
			check: func(t *testing.T, f *fx, r *reply) { assert.Equal(t, []any{"owner"}, r.attrs()["includes"]) }},
		{feature: lcheck, scenario: "Admin performs a license checkout with empty includes (GET)", status: 200,
			setup: func(f *fx) req { return co("POST", "/licenses/"+lic(f)+"/actions/check-out?include=", "", nil) },
			check: func(t *testing.T, f *fx, r *reply) { assert.Equal(t, []any{}, r.attrs()["includes"]) }},
		{feature: lcheck, scenario: "Admin performs a license checkout by key (GET)", status: 200,
			setup: func(f *fx) req {
				_, k := f.license("", map[string]any{"key": "0092E3-41347C-7EB2AD-65965A-0C3224-V3"}, "")
				return co("GET", "/licenses/"+k+"/actions/check-out", "", nil)
			}},
		{feature: lcheck, scenario: "Product performs a checkout for a license of another product (POST)", status: 404,
			setup: func(f *fx) req {
				return co("POST", "/licenses/"+lic(f)+"/actions/check-out", f.productAuth(f.tt.product()), nil)
			}},
		{feature: lcheck, scenario: "License performs a license checkout for another license (GET)", status: 404,
			setup: func(f *fx) req {
				return co("GET", "/licenses/"+lic(f)+"/actions/check-out", f.licenseAuth(lic(f), nil), nil)
			}},
		{feature: lcheck, scenario: "User performs a license checkout for their unprotected license (POST, licensee)", status: 200,
			setup: func(f *fx) req {
				u, auth := f.userAuth("u@example.com")
				l := lic(f)
				f.addLicenseUser(l, u)
				return co("POST", "/licenses/"+l+"/actions/check-out", auth, nil)
			}},
		{feature: lcheck, scenario: "User performs a license checkout for their protected license (GET)", status: 403,
			setup: func(f *fx) req {
				u, auth := f.userAuth("u@example.com")
				l, _ := f.license(f.policy(map[string]any{"protected": true}), nil, u)
				return co("GET", "/licenses/"+l+"/actions/check-out", auth, nil)
			}},
		{feature: lcheck, scenario: "User performs a license checkout for a license they don't own (POST)", status: 404,
			setup: func(f *fx) req {
				_, auth := f.userAuth("u@example.com")
				return co("POST", "/licenses/"+lic(f)+"/actions/check-out", auth, nil)
			}},
		{feature: lcheck, scenario: "Anonymous performs a license checkout (GET)", status: 401,
			setup: func(f *fx) req { return co("GET", "/licenses/"+lic(f)+"/actions/check-out", "-", nil) }},
		// machines/actions/checkouts.feature
		{feature: mcheck, scenario: "Admin performs a machine checkout with defaults (POST)", status: 200,
			setup: func(f *fx) req { return co("POST", "/machines/"+mach(f)+"/actions/check-out", "", nil) },
			check: func(t *testing.T, f *fx, r *reply) {
				assert.Equal(t, "machine-files", r.data()["type"])
				m := rel(r, "machine")["data"].(map[string]any)["id"].(string)
				assert.NotNil(t, f.tt.get("/machines/" + m).attrs()["lastCheckOut"])
			}},
		{feature: mcheck, scenario: "Admin performs a machine checkout by fingerprint (GET)", status: 200,
			setup: func(f *fx) req { mach(f); return co("GET", "/machines/41:34:7C/actions/check-out", "", nil) },
			check: func(t *testing.T, f *fx, r *reply) {
				assert.Contains(t, string(r.body), "-----BEGIN MACHINE FILE-----")
			}},
		{feature: mcheck, scenario: "Admin performs a machine checkout with empty includes (GET)", status: 200,
			setup: func(f *fx) req { return co("POST", "/machines/"+mach(f)+"/actions/check-out?include=", "", nil) },
			check: func(t *testing.T, f *fx, r *reply) { assert.Equal(t, []any{}, r.attrs()["includes"]) }},
		{feature: mcheck, scenario: "Product performs a checkout for a machine of another product (GET)", status: 404,
			setup: func(f *fx) req {
				return co("GET", "/machines/"+mach(f)+"/actions/check-out", f.productAuth(f.tt.product()), nil)
			}},
		{feature: mcheck, scenario: "License performs a machine checkout for another machine (POST)", status: 404,
			setup: func(f *fx) req {
				return co("POST", "/machines/"+mach(f)+"/actions/check-out", f.licenseAuth(lic(f), nil), nil)
			}},
		{feature: mcheck, scenario: "User performs a machine checkout for their machine (POST, licensee)", status: 200,
			setup: func(f *fx) req {
				u, auth := f.userAuth("u@example.com")
				l := lic(f)
				f.addLicenseUser(l, u)
				return co("POST", "/machines/"+f.machine(l, "fp", nil)+"/actions/check-out", auth, nil)
			}},
		{feature: mcheck, scenario: "User performs a machine checkout for their machine (GET, license owner)", status: 200,
			setup: func(f *fx) req {
				u, auth := f.userAuth("u@example.com")
				l, _ := f.license("", nil, u)
				return co("GET", "/machines/"+f.machine(l, "fp", nil)+"/actions/check-out", auth, nil)
			}},
		{feature: mcheck, scenario: "User performs a machine checkout for a machine they don't own (GET)", status: 404,
			setup: func(f *fx) req {
				_, auth := f.userAuth("u@example.com")
				return co("GET", "/machines/"+mach(f)+"/actions/check-out", auth, nil)
			}},
	}
	runFeatureCases(t, cases)
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
	setup := func(f *fx) fixture {
		owner := f.tt.user("owner@example.com")
		other := f.tt.user("other@example.com")
		pol := f.policy(nil)
		l, _ := f.license(pol, nil, owner)
		f.addLicenseUser(l, other)
		return fixture{lic: l, mach: f.machine(l, "fp", nil), owner: owner, pol: pol, other: other}
	}
	cases := []struct {
		feature, scenario, path, kind string
		want                          func(x fixture, f *fx) []string
	}{
		{mcheck, "Admin performs a machine checkout with a license include (POST)", "machines/%m/actions/check-out?include=license", "MACHINE",
			func(x fixture, f *fx) []string { return []string{"licenses/" + x.lic} }},
		{mcheck, "Admin performs a machine checkout with a license owner include (POST)", "machines/%m/actions/check-out?include=license.owner", "MACHINE",
			func(x fixture, f *fx) []string { return []string{"licenses/" + x.lic, "users/" + x.owner} }},
		{mcheck, "Admin performs a machine checkout with a policy include (POST)", "machines/%m/actions/check-out?include=license.policy", "MACHINE",
			func(x fixture, f *fx) []string { return []string{"licenses/" + x.lic, "policies/" + x.pol} }},
		{mcheck, "Admin performs a machine checkout with a license users include (POST)", "machines/%m/actions/check-out?include=license.users", "MACHINE",
			func(x fixture, f *fx) []string {
				return []string{"licenses/" + x.lic, "users/" + x.owner, "users/" + x.other}
			}},
		{mcheck, "Admin performs a machine checkout with encrypted includes (POST) (unencrypted here)", "machines/%m/actions/check-out?include=license.policy,license.user", "MACHINE",
			func(x fixture, f *fx) []string {
				return []string{"licenses/" + x.lic, "policies/" + x.pol, "users/" + x.owner}
			}},
		{mcheck, "Admin performs a machine checkout with an owner include (POST)", "machines/%m/actions/check-out?include=owner", "MACHINE",
			func(x fixture, f *fx) []string { return []string{} }},
		{lcheck, "Admin performs a license checkout with a policy include (POST)", "licenses/%l/actions/check-out?include=policy", "LICENSE",
			func(x fixture, f *fx) []string { return []string{"policies/" + x.pol} }},
		{lcheck, "Admin performs a license checkout a product include (GET)", "licenses/%l/actions/check-out?include=product", "LICENSE",
			func(x fixture, f *fx) []string { return []string{"products/" + f.prod} }},
		{lcheck, "Admin performs a license checkout with encrypted includes (GET) (unencrypted here)", "licenses/%l/actions/check-out?include=policy,user", "LICENSE",
			func(x fixture, f *fx) []string { return []string{"policies/" + x.pol, "users/" + x.owner} }},
	}
	for _, c := range cases {
		t.Run(c.feature+": "+c.scenario, func(t *testing.T) {
			f := newFx(t)
			x := setup(f)
			path := "/" + c.path
			if c.kind == "MACHINE" {
				path = strings.Replace(path, "%m", x.mach, 1)
			} else {
				path = strings.Replace(path, "%l", x.lic, 1)
			}
			r := f.tt.do(req{method: "POST", path: path})
			require.Equal(t, 200, r.status, string(r.body))
			assert.Equal(t, c.want(x, f), includedTypes(fileDoc(t, r, c.kind)))
		})
	}
}

func TestUsageFeatures(t *testing.T) {
	// A license with the given uses under a policy with maxUses (nil: no limit).
	withUses := func(f *fx, maxUses any, uses int64, licAttrs map[string]any) string {
		l, _ := f.license(f.policy(map[string]any{"maxUses": maxUses}), licAttrs, "")
		f.mut(func(db *store) { db.licenses[l].Uses = uses })
		return l
	}
	act := func(l, action, auth string, body any) req {
		return req{method: "POST", path: "/licenses/" + l + "/actions/" + action, auth: auth, body: body}
	}
	cases := []featureCase{
		{feature: luses, scenario: "Anonymous increments the usage count for a license", status: 401,
			setup: func(f *fx) req { return act(withUses(f, 5, 0, nil), "increment-usage", "-", nil) }},
		{feature: luses, scenario: "Admin increments the usage count for a license by key", status: 200,
			setup: func(f *fx) req {
				l := withUses(f, 5, 0, nil)
				f.mut(func(db *store) { db.licenses[l].Key = "key1" })
				return act("key1", "increment-usage", "", nil)
			},
			attrs: map[string]any{"uses": 1.0}},
		{feature: luses, scenario: "Admin increments the usage count for a license by 100", status: 200,
			setup: func(f *fx) req {
				return act(withUses(f, 100, 0, nil), "increment-usage", "", map[string]any{"meta": map[string]any{"increment": 100}})
			},
			attrs: map[string]any{"uses": 100.0}},
		{feature: luses, scenario: "Admin increments the usage count for a license by 100 for a policy that only allows 99", status: 422,
			setup: func(f *fx) req {
				return act(withUses(f, 99, 0, nil), "increment-usage", "", map[string]any{"meta": map[string]any{"increment": 100}})
			},
			code: "USES_LIMIT_EXCEEDED"},
		{feature: luses, scenario: "Admin increments the usage count for a license by a int larger than max int", status: 400,
			setup: func(f *fx) req {
				r := act(withUses(f, nil, 0, nil), "increment-usage", "", nil)
				r.raw = `{"meta":{"increment":46116860184273879031}}`
				return r
			},
			title: "Bad request", detail: "integer is too large", source: map[string]any{"pointer": "/meta/increment"}},
		{feature: luses, scenario: "Admin increments the usage count for a license that is at its usage limit", status: 422,
			setup: func(f *fx) req { return act(withUses(f, 5, 5, nil), "increment-usage", "", nil) },
			title: "Unprocessable resource", code: "USES_LIMIT_EXCEEDED", detail: "usage exceeds maximum allowed for license (5)",
			source: map[string]any{"pointer": "/data/attributes/uses"}},
		{feature: luses, scenario: "Admin increments the usage count for a license that would be at its usage limit but has an override", status: 200,
			setup: func(f *fx) req {
				return act(withUses(f, 5, 5, map[string]any{"maxUses": 10}), "increment-usage", "", nil)
			},
			attrs: map[string]any{"uses": 6.0}},
		{feature: luses, scenario: "User increments the usage count for their license (license owner)", status: 200,
			setup: func(f *fx) req {
				u, auth := f.userAuth("u@example.com")
				l := withUses(f, 5, 4, nil)
				f.mut(func(db *store) { db.licenses[l].OwnerID = &u })
				return act(l, "increment-usage", auth, nil)
			},
			attrs: map[string]any{"uses": 5.0}},
		{feature: luses, scenario: "User increments the usage count for their license (license user)", status: 403,
			setup: func(f *fx) req {
				u, auth := f.userAuth("u@example.com")
				l := withUses(f, 5, 4, nil)
				f.addLicenseUser(l, u)
				return act(l, "increment-usage", auth, nil)
			}},
		{feature: luses, scenario: "License increments the usage count for itself", status: 200,
			setup: func(f *fx) req {
				l := withUses(f, 5, 4, nil)
				return act(l, "increment-usage", f.licenseAuth(l, nil), nil)
			},
			attrs: map[string]any{"uses": 5.0}},
		{feature: luses, scenario: "Product decrements the usage count for a license", status: 200,
			setup: func(f *fx) req {
				l := withUses(f, 5, 5, nil)
				return act(l, "decrement-usage", f.productAuth(f.prod), nil)
			},
			attrs: map[string]any{"uses": 4.0}},
		{feature: luses, scenario: "Admin decrements the usage count for a license by 50", status: 200,
			setup: func(f *fx) req {
				return act(withUses(f, 100, 75, nil), "decrement-usage", "", map[string]any{"meta": map[string]any{"decrement": 50}})
			},
			attrs: map[string]any{"uses": 25.0}},
		{feature: luses, scenario: "Admin decrements the usage count for a license that is at 0", status: 422,
			setup: func(f *fx) req { return act(withUses(f, 5, 0, nil), "decrement-usage", "", nil) },
			title: "Unprocessable resource", code: "USES_INVALID", detail: "must be greater than or equal to 0",
			source: map[string]any{"pointer": "/data/attributes/uses"}},
		{feature: luses, scenario: "User decrements the usage count for their license (license owner)", status: 403,
			setup: func(f *fx) req {
				u, auth := f.userAuth("u@example.com")
				l := withUses(f, 5, 1, nil)
				f.mut(func(db *store) { db.licenses[l].OwnerID = &u })
				return act(l, "decrement-usage", auth, nil)
			}},
		{feature: luses, scenario: "License decrements the usage count for itself", status: 403,
			setup: func(f *fx) req {
				l := withUses(f, 5, 4, nil)
				return act(l, "decrement-usage", f.licenseAuth(l, nil), nil)
			}},
		{feature: luses, scenario: "License decrements the usage count for another license", status: 404,
			setup: func(f *fx) req {
				l := withUses(f, 5, 4, nil)
				return act(withUses(f, 5, 4, nil), "decrement-usage", f.licenseAuth(l, nil), nil)
			}},
		{feature: luses, scenario: "Admin resets the usage count for a license", status: 200,
			setup: func(f *fx) req { return act(withUses(f, 5, 2, nil), "reset-usage", "", nil) },
			attrs: map[string]any{"uses": 0.0}},
		{feature: luses, scenario: "License decrements the usage count for itself (reset-usage)", status: 403,
			setup: func(f *fx) req { l := withUses(f, 5, 4, nil); return act(l, "reset-usage", f.licenseAuth(l, nil), nil) }},
		{feature: luses, scenario: "License increments its usage count with a usage expiration basis (not set)", status: 200,
			setup: func(f *fx) req {
				l, _ := f.license(f.policy(map[string]any{"expirationBasis": "FROM_FIRST_USE", "duration": 31556952}), nil, "")
				return act(l, "increment-usage", f.licenseAuth(l, nil), nil)
			},
			check: func(t *testing.T, f *fx, r *reply) {
				exp, _ := time.Parse(time.RFC3339, r.attrs()["expiry"].(string))
				assert.WithinDuration(t, time.Now().AddDate(1, 0, 0), exp, 2*time.Hour)
			}},
		{feature: luses, scenario: "License increments its usage count with a usage expiration basis (set)", status: 200,
			setup: func(f *fx) req {
				l, _ := f.license(f.policy(map[string]any{"expirationBasis": "FROM_FIRST_USE", "duration": 31556952}),
					map[string]any{"expiry": "2032-01-03T14:18:02.743Z"}, "")
				return act(l, "increment-usage", f.licenseAuth(l, nil), nil)
			},
			attrs: map[string]any{"expiry": "2032-01-03T14:18:02.743Z"}},
	}
	runFeatureCases(t, cases)
}
