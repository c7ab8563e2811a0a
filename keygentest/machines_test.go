package keygentest

import (
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Machines: activation, show, index, update, destroy and the staff roles
// (features/api/v1/machines/*.feature).

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

// TestMachines pins machine activation, heartbeats and deactivation
// (app/controllers/api/v1/machines_controller.rb, app/models/machine.rb).
func TestMachines(t *testing.T) {
	t.Parallel()
	tt := newWorld(t)
	prod := tt.product()
	perAccount := tt.policy(prod, map[string]any{"floating": true, "maxMachines": 2, "machineUniquenessStrategy": "UNIQUE_PER_ACCOUNT", "maxCores": 8, "authenticationStrategy": "MIXED"})
	nodeLocked := tt.policy(prod, nil)
	revive := tt.policy(prod, map[string]any{"floating": true, "requireHeartbeat": true, "heartbeatDuration": 60, "heartbeatResurrectionStrategy": "5_MINUTE_REVIVE"})
	culled := tt.policy(prod, map[string]any{"floating": true, "requireHeartbeat": true, "heartbeatDuration": 60})
	keepDead := tt.policy(prod, map[string]any{"floating": true, "requireHeartbeat": true, "heartbeatDuration": 60, "heartbeatCullStrategy": "KEEP_DEAD"})
	user := tt.createUser("m-user@example.com")
	a := tt.mustLicense(perAccount, nil, nil)
	b := tt.mustLicense(perAccount, nil, nil)
	n := tt.mustLicense(nodeLocked, nil, nil)
	require.Equal(t, 201, tt.postMachine(a.id(), "shared", map[string]any{"cores": 4}, "").status)
	require.Equal(t, 201, tt.postMachine(n.id(), "n-1", nil, "").status)
	_, actTok := tt.tokenFor("licenses", b.id(), map[string]any{"maxActivations": 1})

	cases := []struct {
		name, license, fp string
		attrs             map[string]any
		auth              string
		rels              map[string]any
		code, source      string
		detail            string
	}{
		{"FINGERPRINT_TAKEN per account", b.id(), "shared", nil, "", nil, "FINGERPRINT_TAKEN", "/data/attributes/fingerprint", "has already been taken for this account"},
		{"MACHINE_LIMIT_EXCEEDED node-locked", n.id(), "n-2", nil, "", nil, "MACHINE_LIMIT_EXCEEDED", "/data", "machine count has exceeded maximum allowed for license (1)"},
		{"MACHINE_CORE_LIMIT_EXCEEDED", a.id(), "cores", map[string]any{"cores": 5}, "", nil, "MACHINE_CORE_LIMIT_EXCEEDED", "/data", "machine core count has exceeded maximum allowed for license (8)"},
		{"LICENSE_NOT_FOUND", tt.srv.AccountID, "x-1", nil, "", nil, "LICENSE_NOT_FOUND", "/data/relationships/license", ""},
		{"OWNER_INVALID", a.id(), "x-2", nil, "", map[string]any{"owner": link("users", user)}, "OWNER_INVALID", "/data/relationships/owner", "must be a valid license user"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rels := map[string]any{"license": link("licenses", c.license)}
			for k, v := range c.rels {
				rels[k] = v
			}
			attrs := map[string]any{"fingerprint": c.fp}
			for k, v := range c.attrs {
				attrs[k] = v
			}
			r := tt.do(req{method: "POST", path: "/machines", auth: c.auth, body: doc("machines", attrs, rels)})
			expectError(t, r, 422, c.code, c.source, c.detail)
		})
	}
	t.Run("activation token limit", func(t *testing.T) {
		require.Equal(t, 201, tt.postMachine(b.id(), "b-1", nil, "Bearer "+actTok).status)
		expectError(t, tt.postMachine(b.id(), "b-2", nil, "Bearer "+actTok), 422, "ACTIVATIONS_LIMIT_EXCEEDED", "/data/attributes/activations", "")
	})
	t.Run("license key auth activates its own license; 404 for others", func(t *testing.T) {
		r := tt.postMachine(a.id(), "a-key", nil, "License "+a.attrs()["key"].(string))
		require.Equal(t, 201, r.status, string(r.body))
		assert.Equal(t, 404, tt.do(req{method: "GET", path: "/machines/n-1", auth: "License " + a.attrs()["key"].(string)}).status)
		assert.Equal(t, "a-key", tt.get("/machines/a-key").attrs()["fingerprint"], "fingerprint alias")
	})
	t.Run("heartbeat: ping, dead, resurrect, 422 after window, cull", func(t *testing.T) {
		l := tt.mustLicense(revive, nil, nil).id()
		m := tt.postMachine(l, "hb", nil, "")
		require.Equal(t, 201, m.status)
		assert.Equal(t, "ALIVE", m.attrs()["heartbeatStatus"], "FROM_CREATION basis sets lastHeartbeat")
		tt.srv.Advance(2 * time.Minute)
		assert.Equal(t, "DEAD", tt.get("/machines/" + m.id()).attrs()["heartbeatStatus"], "dead, kept during the revive window")
		r := tt.do(req{method: "POST", path: "/machines/" + m.id() + "/actions/ping"})
		require.Equal(t, 200, r.status, string(r.body))
		assert.Equal(t, "RESURRECTED", r.attrs()["heartbeatStatus"])
		tt.srv.Advance(4 * time.Minute)
		assert.Equal(t, "DEAD", tt.get("/machines/" + m.id()).attrs()["heartbeatStatus"], "still within the revive window")
		tt.srv.Advance(4 * time.Minute)
		assert.Equal(t, 404, tt.get("/machines/"+m.id()).status, "DEACTIVATE_DEAD culls after the window")

		lk := tt.mustLicense(keepDead, nil, nil).id()
		mk := tt.postMachine(lk, "hb-keep", nil, "")
		tt.srv.Advance(10 * time.Minute)
		r = tt.do(req{method: "POST", path: "/machines/" + mk.id() + "/actions/ping-heartbeat"})
		expectError(t, r, 422, "MACHINE_HEARTBEAT_DEAD", "", "is dead")

		l2 := tt.mustLicense(culled, nil, nil).id()
		m2 := tt.postMachine(l2, "hb2", nil, "")
		tt.srv.Advance(10 * time.Minute)
		assert.Equal(t, 404, tt.get("/machines/"+m2.id()).status, "DEACTIVATE_DEAD culls lazily")
	})
	t.Run("reset, delete 204", func(t *testing.T) {
		r := tt.do(req{method: "POST", path: "/machines/a-key/actions/reset"})
		require.Equal(t, 200, r.status)
		assert.Nil(t, r.attrs()["lastHeartbeat"])
		assert.Equal(t, 204, tt.do(req{method: "DELETE", path: "/machines/a-key"}).status)
	})
	t.Run("license key auth: suspended and REVOKE expired", func(t *testing.T) {
		key := a.attrs()["key"].(string)
		tt.do(req{method: "POST", path: "/licenses/" + a.id() + "/actions/suspend"})
		expectError(t, tt.do(req{method: "GET", path: "/me", auth: "License " + key}), 403, "LICENSE_SUSPENDED", "", "")
		tt.do(req{method: "POST", path: "/licenses/" + a.id() + "/actions/reinstate"})
		tt.patchPolicy(perAccount, map[string]any{"expirationStrategy": "REVOKE_ACCESS"})
		tt.do(req{method: "PATCH", path: "/licenses/" + a.id(), body: doc("licenses", map[string]any{"expiry": "2001-01-01T00:00:00Z"}, nil)})
		expectError(t, tt.do(req{method: "GET", path: "/me", auth: "License " + key}), 403, "LICENSE_EXPIRED", "", "")
	})
}

func TestMachinesCreate(t *testing.T) {
	t.Parallel()
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

func TestMachinesCreateAttributes(t *testing.T) {
	t.Parallel()
	const fp = "Pm:L2:UP:ti:9Z:eJ:Ts:4k:Zv:Gn:LJ:cv:sn:dW:hw"
	mk := func(lic string, attrs map[string]any, auth string) req {
		return req{method: "POST", path: "/machines", auth: auth, body: machineBody(lic, fp, attrs, nil)}
	}
	unproc := "Unprocessable resource"
	data := map[string]any{"pointer": "/data"}
	cases := []apiCase{
		{name: mcreate + ": Admin creates a machine for their account (defaults)", setup: func(f *world) req {
			lic, _ := f.createLicense("", nil, f.createUser("o@example.com"))
			return mk(lic, nil, "")
		}, status: 201, attrs: map[string]any{"fingerprint": fp, "name": nil, "ip": nil, "hostname": nil, "platform": nil, "cores": nil, "memory": nil, "disk": nil,
			"requireHeartbeat": false, "heartbeatStatus": "NOT_STARTED", "heartbeatDuration": float64(600), "lastHeartbeat": nil, "nextHeartbeat": nil, "lastCheckOut": nil,
			"maxProcesses": nil, "metadata": map[string]any{}},
			check: func(t *testing.T, f *world, r *reply) {
				o := rel(r, "owner")
				assert.Nil(t, o["data"])
				assert.Equal(t, "/v1/accounts/"+f.srv.AccountID+"/machines/"+r.id()+"/owner", o["links"].(map[string]any)["related"])
			}},
		{name: mcreate + ": Admin creates a machine with a null owner (relationship)", setup: func(f *world) req {
			lic, _ := f.createLicense("", nil, f.createUser("o@example.com"))
			q := mk(lic, nil, "")
			q.body.(map[string]any)["data"].(map[string]any)["relationships"].(map[string]any)["owner"] = nil
			return q
		}, status: 201, check: func(t *testing.T, f *world, r *reply) { assert.Nil(t, rel(r, "owner")["data"]) }},
		{name: mcreate + ": Admin creates a machine for their account with a UUID fingerprint", setup: func(f *world) req {
			lic, _ := f.createLicense("", nil, "")
			return req{method: "POST", path: "/machines", body: machineBody(lic, "977f1752-d6a9-4669-a6af-b039154ec40f", nil, nil)}
		}, status: 201, attrs: map[string]any{"fingerprint": "977f1752-d6a9-4669-a6af-b039154ec40f"}},
		{name: mcreate + ": Developer creates a machine for their account", setup: func(f *world) req {
			lic, _ := f.createLicense("", nil, "")
			return mk(lic, nil, f.roleAuth("developer"))
		}, status: 201},
		{name: mcreate + ": User creates a machine for their license (as licensee, other owner)", setup: func(f *world) req {
			lic, _ := f.createLicense("", nil, "")
			me, auth := f.userToken("me@example.com")
			other := f.createUser("other@example.com")
			f.addLicenseUser(lic, me)
			f.addLicenseUser(lic, other)
			return req{method: "POST", path: "/machines", auth: auth, body: machineBody(lic, fp, nil, map[string]any{"owner": link("users", other)})}
		}, status: 403},
		{name: mcreate + ": User creates a machine for an unprotected license", setup: func(f *world) req {
			me, auth := f.userToken("me@example.com")
			lic, _ := f.createLicense("", map[string]any{"protected": false}, me)
			return mk(lic, nil, auth)
		}, status: 201, check: func(t *testing.T, f *world, r *reply) {
			lr := f.get("/licenses/" + r.data()["relationships"].(map[string]any)["license"].(map[string]any)["data"].(map[string]any)["id"].(string))
			assert.Equal(t, map[string]any{"cores": float64(0), "memory": float64(0), "disk": float64(0), "count": float64(1)}, rel(lr, "machines")["meta"])
		}},
		{name: mcreate + ": License creates a machine for their license (token activations)", setup: func(f *world) req {
			lic, _ := f.createLicense("", nil, "")
			return mk(lic, nil, f.licenseAuth(lic, nil))
		}, status: 201, check: func(t *testing.T, f *world, r *reply) {
			tr := f.get("/tokens")
			for _, x := range tr.list() {
				a := x.(map[string]any)["attributes"].(map[string]any)
				if a["kind"] == "activation-token" {
					assert.Equal(t, float64(1), a["activations"])
				}
			}
		}},
		{name: mcreate + ": License creates a machine for their license with a duplicate fingerprint (activations unchanged)", setup: func(f *world) req {
			lic, _ := f.createLicense("", map[string]any{"protected": true}, "")
			f.createMachine(lic, fp, nil)
			return mk(lic, nil, f.licenseAuth(lic, map[string]any{"maxActivations": 1}))
		}, status: 422, title: unproc, code: "FINGERPRINT_TAKEN", detail: "has already been taken", source: map[string]any{"pointer": "/data/attributes/fingerprint"},
			check: func(t *testing.T, f *world, r *reply) {
				for _, x := range f.get("/tokens").list() {
					a := x.(map[string]any)["attributes"].(map[string]any)
					if a["kind"] == "activation-token" {
						assert.Equal(t, float64(0), a["activations"])
					}
				}
			}},
		{name: mcreate + ": License activates a machine without permission", setup: func(f *world) req {
			lic, _ := f.createLicense("", map[string]any{"permissions": []string{"license.validate"}}, "")
			return mk(lic, nil, f.licenseAuth(lic, nil))
		}, status: 403},
		{name: mcreate + ": License creates a machine with nested hardware components (no permission)", setup: func(f *world) req {
			lic, key := f.createLicense(f.floatingPolicy(map[string]any{"authenticationStrategy": "LICENSE"}), map[string]any{"permissions": []string{"machine.create"}}, "")
			comps := map[string]any{"data": []any{map[string]any{"type": "components", "attributes": map[string]any{"fingerprint": "E31EE496D46E4C33A3D27BD3745F3B00", "name": "MOBO"}}}}
			return req{method: "POST", path: "/machines", auth: "License " + key, body: machineBody(lic, fp, map[string]any{"name": "Windows Desktop"}, map[string]any{"components": comps})}
		}, status: 403, title: "Access denied", detail: "You do not have permission to complete the request (license lacks permission to perform action)",
			check: func(t *testing.T, f *world, r *reply) { assert.Zero(t, f.machineCount()) }},
		{name: mcreate + ": License activates a machine with a token lacking machine.create", setup: func(f *world) req {
			lic, _ := f.createLicense("", nil, "")
			return mk(lic, nil, f.licenseAuth(lic, map[string]any{"permissions": []string{"license.validate"}}))
		}, status: 403, title: "Access denied", detail: "You do not have permission to complete the request (token lacks permission to perform action)"},
		{name: mcreate + ": Admin creates a machine for a floating license that has already reached its limit (allows overages)", setup: func(f *world) req {
			return mk(f.overLimit(map[string]any{"overageStrategy": "ALWAYS_ALLOW_OVERAGE", "maxMachines": 5, "strict": true}, 5, nil), nil, "")
		}, status: 201},
		{name: mcreate + ": Admin creates a machine for a floating license that has already reached its limit (allows 1.5x overages)", setup: func(f *world) req {
			return mk(f.overLimit(map[string]any{"overageStrategy": "ALLOW_1_5X_OVERAGE", "maxMachines": 4, "strict": true}, 5, nil), nil, "")
		}, status: 201},
		{name: mcreate + ": Admin creates a machine for a floating license that has exceeded its limit (allows 1.5x overages)", setup: func(f *world) req {
			return mk(f.overLimit(map[string]any{"overageStrategy": "ALLOW_1_5X_OVERAGE", "maxMachines": 4, "strict": true}, 6, nil), nil, "")
		}, status: 422, title: unproc, code: "MACHINE_LIMIT_EXCEEDED", detail: "machine count has exceeded maximum allowed for license (4)", source: data},
		{name: mcreate + ": Admin creates a machine for a floating license that has already reached its limit (allows 2x overages)", setup: func(f *world) req {
			return mk(f.overLimit(map[string]any{"overageStrategy": "ALLOW_2X_OVERAGE", "maxMachines": 5, "strict": true}, 9, nil), nil, "")
		}, status: 201},
		{name: mcreate + ": Admin creates a machine for a floating license that has exceeded its limit (allows 2x overages)", setup: func(f *world) req {
			return mk(f.overLimit(map[string]any{"overageStrategy": "ALLOW_2X_OVERAGE", "maxMachines": 5, "strict": true}, 10, nil), nil, "")
		}, status: 422, title: unproc, code: "MACHINE_LIMIT_EXCEEDED", detail: "machine count has exceeded maximum allowed for license (5)", source: data},
		{name: mcreate + ": Admin creates a machine for a floating license that does not have a limit (no overages)", setup: func(f *world) req {
			return mk(f.overLimit(map[string]any{"overageStrategy": "NO_OVERAGE", "maxMachines": nil, "strict": true}, 5, nil), nil, "")
		}, status: 201},
		{name: mcreate + ": Admin creates a machine for a floating license that has almost reached its limit (no overages)", setup: func(f *world) req {
			return mk(f.overLimit(map[string]any{"overageStrategy": "NO_OVERAGE", "maxMachines": 5, "strict": true}, 4, nil), nil, "")
		}, status: 201},
		{name: mcreate + ": Admin creates a machine for a node-locked license that has already reached its limit (allow overages)", setup: func(f *world) req {
			return mk(f.overLimit(map[string]any{"overageStrategy": "ALWAYS_ALLOW_OVERAGE", "maxMachines": 1, "floating": false, "strict": true}, 1, nil), nil, "")
		}, status: 201},
		{name: mcreate + ": Admin creates a machine for a node-locked license that has already reached its limit (no overages)", setup: func(f *world) req {
			return mk(f.overLimit(map[string]any{"overageStrategy": "NO_OVERAGE", "maxMachines": 1, "floating": false, "strict": true}, 1, nil), nil, "")
		}, status: 422, title: unproc, code: "MACHINE_LIMIT_EXCEEDED", detail: "machine count has exceeded maximum allowed for license (1)", source: data},
		{name: mcreate + ": Admin creates a machine for a floating license that has exceeded its memory overage limit (allow 1.5x overage)", setup: func(f *world) req {
			lic := f.overLimit(map[string]any{"overageStrategy": "ALLOW_1_5X_OVERAGE", "maxMachines": 10, "maxMemory": 32768, "strict": true}, 6, func(m *machine) { v := int64(8192); m.Memory = &v })
			return mk(lic, map[string]any{"memory": 16384}, "")
		}, status: 422, title: unproc, code: "MACHINE_MEMORY_LIMIT_EXCEEDED", detail: "machine memory has exceeded maximum allowed for license (32768)", source: data},
		{name: mcreate + ": Admin creates a machine for a floating license that is under its disk overage limit (allow 2x overage)", setup: func(f *world) req {
			lic := f.overLimit(map[string]any{"overageStrategy": "ALLOW_2X_OVERAGE", "maxMachines": 10, "maxDisk": 1048576, "strict": true}, 7, func(m *machine) { v := int64(262144); m.Disk = &v })
			return mk(lic, map[string]any{"disk": 262144}, "")
		}, status: 201, attrs: map[string]any{"disk": float64(262144)}},
		{name: mcreate + ": Admin creates a machine with an invalid memory count", setup: func(f *world) req {
			lic, _ := f.createLicense("", nil, "")
			return mk(lic, map[string]any{"memory": 0}, "")
		}, status: 422, title: unproc, code: "MEMORY_INVALID", detail: "must be greater than or equal to 1", source: map[string]any{"pointer": "/data/attributes/memory"}},
		{name: mcreate + ": Admin creates a machine with a large core count but policy has no maximum", setup: func(f *world) req {
			lic, _ := f.createLicense("", nil, "")
			return mk(lic, map[string]any{"cores": 2147483647}, "")
		}, status: 201, attrs: map[string]any{"cores": float64(2147483647)}},
		{name: mcreate + ": License activates a machine with an activation expiration basis (not set)", setup: func(f *world) req {
			pol := f.floatingPolicy(map[string]any{"expirationBasis": "FROM_FIRST_ACTIVATION", "duration": 31556952})
			lic, _ := f.createLicense(pol, nil, "")
			return mk(lic, map[string]any{"cores": 2147483647}, f.licenseAuth(lic, nil))
		}, status: 201, check: func(t *testing.T, f *world, r *reply) {
			lid := r.data()["relationships"].(map[string]any)["license"].(map[string]any)["data"].(map[string]any)["id"].(string)
			a := f.get("/licenses/" + lid).attrs()
			exp, err := time.Parse(time.RFC3339, a["expiry"].(string))
			require.NoError(t, err)
			cr, _ := time.Parse(time.RFC3339, r.attrs()["created"].(string))
			assert.Equal(t, cr.AddDate(1, 0, 0), exp.UTC())
		}},
		{name: mcreate + ": Product activates a machine with an activation expiration basis (not set)", setup: func(f *world) req {
			pol := f.floatingPolicy(map[string]any{"expirationBasis": "FROM_FIRST_ACTIVATION", "duration": 2629746})
			lic, _ := f.createLicense(pol, nil, "")
			return mk(lic, nil, f.productAuth(f.prod))
		}, status: 201, check: func(t *testing.T, f *world, r *reply) {
			lid := r.data()["relationships"].(map[string]any)["license"].(map[string]any)["data"].(map[string]any)["id"].(string)
			exp, err := time.Parse(time.RFC3339, f.get("/licenses/" + lid).attrs()["expiry"].(string))
			require.NoError(t, err)
			cr, _ := time.Parse(time.RFC3339, r.attrs()["created"].(string))
			assert.Equal(t, cr.AddDate(0, 1, 0), exp.UTC())
		}},
		{name: mcreate + ": License activates a machine with a validation expiration basis (not set)", setup: func(f *world) req {
			pol := f.floatingPolicy(map[string]any{"expirationBasis": "FROM_FIRST_VALIDATION", "duration": 31556952})
			lic, _ := f.createLicense(pol, nil, "")
			return mk(lic, nil, f.licenseAuth(lic, nil))
		}, status: 201, check: func(t *testing.T, f *world, r *reply) {
			lid := r.data()["relationships"].(map[string]any)["license"].(map[string]any)["data"].(map[string]any)["id"].(string)
			assert.Nil(t, f.get("/licenses/" + lid).attrs()["expiry"])
		}},
		{name: mcreate + ": License activates a machine with an activation expiration basis (set)", setup: func(f *world) req {
			pol := f.floatingPolicy(map[string]any{"expirationBasis": "FROM_FIRST_ACTIVATION", "duration": 31556952})
			lic, _ := f.createLicense(pol, map[string]any{"expiry": "2099-01-03T14:18:02.743Z"}, "")
			return mk(lic, nil, f.licenseAuth(lic, nil))
		}, status: 201, check: func(t *testing.T, f *world, r *reply) {
			lid := r.data()["relationships"].(map[string]any)["license"].(map[string]any)["data"].(map[string]any)["id"].(string)
			assert.Equal(t, "2099-01-03T14:18:02.743Z", f.get("/licenses/" + lid).attrs()["expiry"])
		}},
		{name: mcreate + ": License activates a machine with their key (auth strategy allowed, expired, maintain access)", setup: func(f *world) req {
			pol := f.floatingPolicy(map[string]any{"expirationStrategy": "MAINTAIN_ACCESS", "authenticationStrategy": "LICENSE"})
			lic, key := f.createLicense(pol, map[string]any{"expiry": f.srv.clock.now().Add(-14 * 24 * time.Hour).Format(time.RFC3339)}, "")
			return mk(lic, nil, "License "+key)
		}, status: 201},
		{name: mcreate + ": License activates a machine with their key (auth strategy allowed, expired, allow access)", setup: func(f *world) req {
			pol := f.floatingPolicy(map[string]any{"expirationStrategy": "ALLOW_ACCESS", "authenticationStrategy": "LICENSE"})
			lic, key := f.createLicense(pol, map[string]any{"expiry": f.srv.clock.now().Add(-14 * 24 * time.Hour).Format(time.RFC3339)}, "")
			return mk(lic, nil, "License "+key)
		}, status: 201},
		{name: mcreate + ": License activates a machine with a token (mixed auth strategy)", setup: func(f *world) req {
			lic, _ := f.createLicense(f.floatingPolicy(map[string]any{"authenticationStrategy": "MIXED"}), nil, "")
			return mk(lic, nil, f.licenseAuth(lic, nil))
		}, status: 201},
		{name: mcreate + ": License activates a machine with their key (mixed auth strategy)", setup: func(f *world) req {
			lic, key := f.createLicense(f.floatingPolicy(map[string]any{"authenticationStrategy": "MIXED"}), nil, "")
			return mk(lic, nil, "License "+key)
		}, status: 201},
		{name: mcreate + ": License activates a machine with a token (no auth strategy)", setup: func(f *world) req {
			pol := f.floatingPolicy(nil)
			lic, _ := f.createLicense(pol, nil, "")
			auth := f.licenseAuth(lic, nil)
			f.patchPolicy(pol, map[string]any{"authenticationStrategy": "NONE"})
			return mk(lic, nil, auth)
		}, status: 403, title: "Access denied", code: "TOKEN_NOT_ALLOWED", detail: "Token authentication is not allowed by policy"},
		{name: mcreate + ": License activates a machine with their key (no auth strategy)", setup: func(f *world) req {
			lic, key := f.createLicense(f.floatingPolicy(map[string]any{"authenticationStrategy": "NONE"}), nil, "")
			return mk(lic, nil, "License "+key)
		}, status: 403, title: "Access denied", code: "LICENSE_NOT_ALLOWED", detail: "License key authentication is not allowed by policy"},
		{name: mcreate + ": License activates a machine with their key (auth strategy allowed)", setup: func(f *world) req {
			lic, key := f.createLicense(f.floatingPolicy(map[string]any{"authenticationStrategy": "LICENSE"}), nil, "")
			return mk(lic, nil, "License "+key)
		}, status: 201},
		{name: mcreate + ": License creates a grouped machine for their account", setup: func(f *world) req {
			lic, _ := f.createLicense("", nil, "")
			return req{method: "POST", path: "/machines", auth: f.licenseAuth(lic, nil), body: machineBody(lic, fp, nil, map[string]any{"group": link("groups", "a5370623-b753-4114-830c-610db808543d")})}
		}, status: 400, title: "Bad request", detail: "unpermitted parameter", source: map[string]any{"pointer": "/data/relationships/group"}},
		{name: mcreate + ": Admin creates a grouped machine for their account (null group)", setup: func(f *world) req {
			lic, _ := f.createLicense("", nil, "")
			return req{method: "POST", path: "/machines", body: machineBody(lic, fp, nil, map[string]any{"group": map[string]any{"data": nil}})}
		}, status: 201, check: func(t *testing.T, f *world, r *reply) {
			g := rel(r, "group")
			assert.Contains(t, g, "data")
			assert.Nil(t, g["data"])
		}},
		{name: mcreate + ": Admin of another account attempts to create a machine", setup: func(f *world) req {
			lic, _ := f.createLicense("", nil, "")
			return mk(lic, nil, "Bearer "+newWorld(t).srv.AdminToken)
		}, status: 401},
	}
	runEach(t, newProductWorld, cases)
}

func TestMachinesShowIndexUpdateDestroy(t *testing.T) {
	t.Parallel()
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

// TestMachinesUniqueness pins the fingerprint uniqueness errors (app/models/machine.rb).
func TestMachinesUniqueness(t *testing.T) {
	t.Parallel()
	tt := newWorld(t)
	prod := tt.product()
	perAccount := tt.policy(prod, map[string]any{"floating": true, "maxMachines": 10, "machineUniquenessStrategy": "UNIQUE_PER_ACCOUNT"})
	perPolicy := tt.policy(prod, map[string]any{"floating": true, "maxMachines": 10, "machineUniquenessStrategy": "UNIQUE_PER_POLICY"})
	a := tt.mustLicense(perAccount, nil, nil).id()
	b := tt.mustLicense(perPolicy, nil, nil).id()
	b2 := tt.mustLicense(perPolicy, nil, nil).id()
	require.Equal(t, 201, tt.postMachine(a, "dup", nil, "").status)
	require.Equal(t, 201, tt.postMachine(b, "pdup", nil, "").status)
	tt.postMachine(b, "ping-me", nil, "").id()
	// A sales agent, via password login.
	tt.mustCreate("/users", "users", map[string]any{"email": "sales@example.com", "password": "password", "role": "sales-agent"}, nil)
	tok := tt.do(req{method: "POST", path: "/tokens", auth: basic("sales@example.com", "password")})
	require.Equal(t, 201, tok.status, string(tok.body))

	t.Run("same license under UNIQUE_PER_ACCOUNT: the per-license error only", func(t *testing.T) {
		// The model adds the per-license error, then the strategy's; both are
		// FINGERPRINT_TAKEN at the same pointer, so the serializer keeps the first
		// (lib/keygen/jsonapi/errors.rb, ResourceError#eql?).
		r := tt.postMachine(a, "dup", nil, "")
		require.Equal(t, 422, r.status, string(r.body))
		assert.Len(t, r.doc["errors"], 1)
		assert.Equal(t, "has already been taken", r.err(0)["detail"])
		assert.Equal(t, "FINGERPRINT_TAKEN", r.err(0)["code"])
	})
	// The strategy applied is the new machine's policy's.
	cases := []struct {
		name, license, fp string
		status            int
		detail            string
	}{
		{"UNIQUE_PER_POLICY ignores a fingerprint under another policy", b, "dup", 201, ""},
		{"UNIQUE_PER_POLICY other license same policy", b2, "pdup", 422, "has already been taken for this policy"},
		{"UNIQUE_PER_ACCOUNT rejects a fingerprint under any policy", a, "pdup", 422, "has already been taken for this account"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := tt.postMachine(tc.license, tc.fp, nil, "")
			if tc.status == 201 {
				require.Equal(t, 201, r.status, string(r.body))
				return
			}
			expectError(t, r, 422, "FINGERPRINT_TAKEN", "/data/attributes/fingerprint", tc.detail)
		})
	}
}

func TestMachinesFilters(t *testing.T) {
	t.Parallel()
	tt := newWorld(t)
	prod := tt.product()
	pol, pol2 := tt.policy(prod, map[string]any{"floating": true, "maxMachines": 100}), tt.policy(prod, map[string]any{"floating": true, "maxMachines": 100})
	owner := tt.createUser("owner@example.com")
	lic := tt.mustLicense(pol, nil, map[string]any{"owner": link("users", owner)}).id()
	other := tt.mustLicense(pol2, nil, nil).id()
	first := tt.mustCreate("/machines", "machines", map[string]any{"fingerprint": "foo:bar:baz:qux", "ip": "127.0.1.1", "hostname": "SomeHostname",
		"metadata": map[string]any{"nodeId": "68666bf8b"}}, map[string]any{"license": link("licenses", lic), "owner": link("users", owner)})
	require.Equal(t, 201, tt.postMachine(other, "second", map[string]any{"metadata": map[string]any{"nodeId": "68666bf80"}}, "").status)
	for i := range 5 {
		require.Equal(t, 201, tt.postMachine(other, fmt.Sprint("fp-", i), nil, "").status)
	}
	base := "/v1/accounts/" + tt.srv.AccountID + "/machines"
	mi := "machines/index.feature: "
	g := func(q string) req { return getAs("/machines?"+q, "") }
	one := func(q string) map[string]any {
		l := base + "?" + q
		return map[string]any{"self": l, "prev": nil, "next": nil, "first": l, "last": l, "meta": map[string]any{"pages": float64(1), "count": float64(1)}}
	}
	tt.run(t, []apiCase{
		{name: mi + "Admin retrieves an offset-paginated list of machines scoped to policy", r: g("page[number]=1&page[size]=100&policy=" + pol), status: 200,
			check: both(listIDs(first), wantLinks(one("page[number]=1&page[size]=100&policy="+pol)))},
		{name: mi + "Admin retrieves an offset-paginated list of machines scoped to owner", r: g("page[number]=1&page[size]=100&owner=" + owner), status: 200,
			check: both(listIDs(first), wantLinks(one("owner="+owner+"&page[number]=1&page[size]=100")))},
		{name: mi + "Admin retrieves an offset-paginated list of machines scoped to user", r: g("page[number]=1&page[size]=100&user=" + owner), status: 200,
			check: both(listIDs(first), wantLinks(one("page[number]=1&page[size]=100&user="+owner)))},
		{name: mi + "Admin retrieves all machines filtered by fingerprint", r: g("fingerprint=foo:bar:baz:qux"), status: 200, check: listIDs(first)},
		{name: mi + "Admin retrieves all machines filtered by IP", r: g("ip=127.0.1.1"), status: 200, check: listIDs(first)},
		{name: mi + "Admin retrieves all machines filtered by hostname", r: g("hostname=SomeHostname"), status: 200, check: listIDs(first)},
		{name: mi + "Admin retrieves all machines filtered by metadata node ID (camelcase)", r: g("metadata[nodeId]=68666bf8b"), status: 200, check: listIDs(first)},
		{name: mi + "Admin retrieves all machines filtered by metadata node ID (snakecase)", r: g("metadata[node_id]=68666bf8b"), status: 200, check: listIDs(first)},
		{name: mi + "User attempts to retrieve machines for their account scoped by a fingerprint that doesn't exist", r: g("fingerprint=invalid"), status: 200, check: listLen(0)},
		{name: mi + "(Machine.for_license) license= matches the license id", r: g("license=" + lic), status: 200, check: listIDs(first)},
		{name: mi + "(Machine.for_license) license= does not take a key; key= does", r: g("license=" + tt.get("/licenses/" + lic).attrs()["key"].(string)), status: 200, check: listLen(0)},
		{name: mi + "(Machine.for_key) key= matches the license key", r: g("key=" + tt.get("/licenses/" + lic).attrs()["key"].(string)), status: 200, check: listIDs(first)},
		{name: mi + "(has_scope) a blank filter value is not applied", r: g("fingerprint=&limit=100"), status: 200, check: listLen(7)},
		{name: mi + "Admin retrieves an offset-paginated list of machines with a page size that is too low", r: g("page[number]=1&page[size]=0"), status: 400,
			detail: "page size must be a number between 1 and 100 (got 0)", source: map[string]any{"parameter": "page[size]"}},
		{name: mi + "Admin retrieves all machines with a limit that is too low", r: g("limit=0"), status: 400,
			detail: "limit must be a number between 1 and 100 (got 0)", source: map[string]any{"parameter": "limit"}},
	})
}

func TestMachinesStaff(t *testing.T) {
	t.Parallel()
	w := newTeamWorld(t)
	tt := w
	machine := func(fp string) string {
		lic := tt.licenseOwnedBy(w.pol, "")
		return tt.mustCreate("/machines", "machines", map[string]any{"fingerprint": fp}, map[string]any{"license": link("licenses", lic)})
	}
	m0, m1, m2, m3 := machine("fp-0"), machine("fp-1"), machine("fp-2"), machine("fp-3")
	create := func(tok, fp string) req {
		lic := tt.licenseOwnedBy(w.pol, "")
		return writeAs("POST", "/machines", tok, doc("machines", map[string]any{"fingerprint": fp}, map[string]any{"license": link("licenses", lic)}))
	}
	update := func(tok string) req {
		return writeAs("PATCH", "/machines/"+m0, tok, doc("machines", map[string]any{"name": "Updated"}, nil))
	}
	c, d, u := "machines/create.feature: ", "machines/destroy.feature: ", "machines/update.feature: "
	cases := []apiCase{
		{name: c + "Developer creates a machine for their account", r: create(w.devTok, "fp-dev"), status: 201},
		{name: c + "Sales creates a machine for their account", r: create(w.salesTok, "fp-sales"), status: 201},
		{name: c + "Support attempts to create a machine for their account", r: create(w.supportTok, "fp-support"), status: 403, detail: denied},
		{name: c + "Read-only attempts to create a machine for their account", r: create(w.roTok, "fp-ro"), status: 403, detail: roLacks},
		{name: d + "Developer deletes one of their machines", r: writeAs("DELETE", "/machines/"+m1, w.devTok, nil), status: 204},
		{name: d + "Sales deletes one of their machines", r: writeAs("DELETE", "/machines/"+m2, w.salesTok, nil), status: 204},
		{name: d + "Support deletes one of their machines", r: writeAs("DELETE", "/machines/"+m3, w.supportTok, nil), status: 403, detail: denied},
		{name: d + "Read-only deletes one of their machines", r: writeAs("DELETE", "/machines/"+m3, w.roTok, nil), status: 403, detail: roLacks},
		{name: u + "Developer updates a machine", r: update(w.devTok), status: 200, attrs: map[string]any{"name": "Updated"}},
		{name: u + "Sales updates a machine", r: update(w.salesTok), status: 200},
		{name: u + "Support updates a machine", r: update(w.supportTok), status: 200},
		{name: u + "Read-only updates a machine", r: update(w.roTok), status: 403, detail: roLacks},
	}
	tt.run(t, append(w.staffReads("machine", "machines", m0), cases...))
	assert.Len(t, tt.get("/machines").list(), 4) // 4 fixtures + 2 created - 2 deleted
}
