package keygentest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Machine heartbeats: ping, reset, death, resurrection and culling
// (features/api/v1/machines/actions/heartbeats.feature).

func TestMachinesHeartbeats(t *testing.T) {
	t.Parallel()
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

func TestMachinesHeartbeatPermissions(t *testing.T) {
	t.Parallel()
	tt := newWorld(t)
	prod := tt.product()
	perAccount := tt.policy(prod, map[string]any{"floating": true, "maxMachines": 10, "machineUniquenessStrategy": "UNIQUE_PER_ACCOUNT"})
	perPolicy := tt.policy(prod, map[string]any{"floating": true, "maxMachines": 10, "machineUniquenessStrategy": "UNIQUE_PER_POLICY"})
	a := tt.mustLicense(perAccount, nil, nil).id()
	b := tt.mustLicense(perPolicy, nil, nil).id()
	tt.mustLicense(perPolicy, nil, nil).id()
	require.Equal(t, 201, tt.postMachine(a, "dup", nil, "").status)
	require.Equal(t, 201, tt.postMachine(b, "pdup", nil, "").status)
	mid := tt.postMachine(b, "ping-me", nil, "").id()
	// A sales agent, via password login.
	tt.mustCreate("/users", "users", map[string]any{"email": "sales@example.com", "password": "password", "role": "sales-agent"}, nil)
	tok := tt.do(req{method: "POST", path: "/tokens", auth: basic("sales@example.com", "password")})
	require.Equal(t, 201, tok.status, string(tok.body))
	sales := "Bearer " + tok.attrs()["token"].(string)

	heartbeat := []struct {
		name, action, auth string
		status             int
	}{
		{"sales agent may not ping (HeartbeatPolicy)", "ping", sales, 403},
		{"sales agent may reset", "reset", sales, 200},
		{"admin pings", "ping", "", 200},
	}
	for _, tc := range heartbeat {
		t.Run(tc.name, func(t *testing.T) {
			r := tt.do(req{method: "POST", path: "/machines/" + mid + "/actions/" + tc.action, auth: tc.auth})
			require.Equal(t, tc.status, r.status, string(r.body))
		})
	}
}
