package keygentest

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Processes, after features/api/v1/processes/*.feature,
// features/api/v1/processes/actions/heartbeats.feature and the process limit of
// features/api/v1/licenses/actions/validations.feature.

func processBody(machineID, pid string) map[string]any {
	return doc("processes", map[string]any{"pid": pid}, map[string]any{"machine": link("machines", machineID)})
}

// spawn spawns a process as the admin and returns its id.
func (w *world) spawn(machineID, pid string) string {
	w.t.Helper()
	r := w.do(req{method: "POST", path: "/processes", body: processBody(machineID, pid)})
	require.Equal(w.t, 201, r.status, string(r.body))
	return r.id()
}

// processWorld is a licensing world whose policy has the given process settings, with one
// license (returned) and a machine on it ("m").
func processWorld(w *world, attrs map[string]any) (lic, m string) {
	pol := w.policy(w.prod, mergeAttrs(map[string]any{"floating": true}, attrs))
	lic = w.licenseOf(pol, false, false, nil)
	return lic, w.createMachine(lic, "m", nil)
}

func mergeAttrs(a, b map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

func TestProcesses(t *testing.T) {
	t.Parallel()
	fresh := func(t *testing.T) *world { return newLicensingWorld(t, nil) }
	runEach(t, fresh, []apiCase{
		{name: "processes/create.feature: Admin spawns a process", status: 201,
			attrs: map[string]any{"pid": "1337", "status": "ALIVE", "interval": float64(600), "metadata": map[string]any{}},
			setup: func(w *world) req {
				_, m := processWorld(w, nil)
				return req{method: "POST", path: "/processes", body: processBody(m, "1337")}
			},
			check: func(t *testing.T, w *world, r *reply) {
				assertTimeNear(t, r, "lastHeartbeat", w.srv.clock.now())
				assertTimeNear(t, r, "nextHeartbeat", w.srv.clock.now().Add(10*time.Minute))
				assert.Equal(t, "processes", r.data()["type"])
				assert.Equal(t, w.srv.URL+"/v1/accounts/"+w.srv.AccountID+"/processes/"+r.id(), r.header.Get("Location"))
			}},
		{name: "processes/create.feature: Admin spawns a process with a duplicate pid on the same machine", status: 422,
			code: "PID_TAKEN", detail: "has already been taken", source: map[string]any{"pointer": "/data/attributes/pid"},
			setup: func(w *world) req {
				_, m := processWorld(w, nil)
				w.spawn(m, "1337")
				return req{method: "POST", path: "/processes", body: processBody(m, "1337")}
			}},
		{name: "processes/create.feature: Admin spawns a process with a pid used on another machine", status: 201,
			setup: func(w *world) req {
				lic, m := processWorld(w, nil)
				w.spawn(m, "1337")
				return req{method: "POST", path: "/processes", body: processBody(w.createMachine(lic, "m2", nil), "1337")}
			}},
		{name: "processes/create.feature: Admin spawns a process for a missing machine", status: 422, code: "MACHINE_NOT_FOUND",
			setup: func(w *world) req {
				return req{method: "POST", path: "/processes", body: processBody("818f1f34-676b-4e0b-ba57-a98d02263212", "1")}
			}},
		{name: "processes/create.feature: Admin spawns a process over the machine limit (PER_MACHINE)", status: 422,
			code: "MACHINE_PROCESS_LIMIT_EXCEEDED", detail: "process count has exceeded maximum allowed for machine (2)",
			source: map[string]any{"pointer": "/data"},
			setup: func(w *world) req {
				_, m := processWorld(w, map[string]any{"maxProcesses": 2})
				w.spawn(m, "1")
				w.spawn(m, "2")
				return req{method: "POST", path: "/processes", body: processBody(m, "3")}
			},
			check: func(t *testing.T, w *world, r *reply) { assert.Len(t, w.get("/processes").list(), 2) }},
		{name: "processes/create.feature: Admin spawns a process over the license limit (PER_LICENSE)", status: 422,
			code: "MACHINE_PROCESS_LIMIT_EXCEEDED", detail: "process count has exceeded maximum allowed for license (2)",
			setup: func(w *world) req {
				lic, m := processWorld(w, map[string]any{"maxProcesses": 2, "processLeasingStrategy": "PER_LICENSE"})
				w.spawn(m, "1")
				w.spawn(w.createMachine(lic, "m2", nil), "2")
				return req{method: "POST", path: "/processes", body: processBody(m, "3")}
			}},
		{name: "processes/create.feature: Admin spawns a process within a 1.25x overage", status: 201,
			setup: func(w *world) req {
				_, m := processWorld(w, map[string]any{"maxProcesses": 4, "overageStrategy": "ALLOW_1_25X_OVERAGE"})
				for i := 0; i < 4; i++ {
					w.spawn(m, fmt.Sprint(i))
				}
				return req{method: "POST", path: "/processes", body: processBody(m, "4")}
			}},
		{name: "processes/create.feature: License spawns a process for another license's machine", status: 403,
			setup: func(w *world) req {
				lic, _ := processWorld(w, nil)
				_, other := processWorld(w, nil)
				return req{method: "POST", path: "/processes", auth: w.licenseAuth(lic, nil), body: processBody(other, "1")}
			}},
		{name: "processes/create.feature: User spawns a process on a protected license", status: 403,
			setup: func(w *world) req {
				lic := w.licenseOf(w.prot, true, false, nil)
				return req{method: "POST", path: "/processes", auth: w.ownerAuth, body: processBody(w.createMachine(lic, "m", nil), "1")}
			}},
		{name: "processes/update.feature: License updates a process's metadata", status: 400, detail: "unpermitted parameter",
			source: map[string]any{"pointer": "/data/attributes/metadata"},
			setup: func(w *world) req {
				lic, m := processWorld(w, nil)
				pr := w.spawn(m, "1")
				return req{method: "PATCH", path: "/processes/" + pr, auth: w.licenseAuth(lic, nil),
					body: doc("processes", map[string]any{"metadata": map[string]any{"k": "v"}}, nil)}
			}},
		{name: "processes/destroy.feature: Admin kills a process", status: 204,
			setup: func(w *world) req {
				_, m := processWorld(w, nil)
				w.spawn(m, "1")
				return req{method: "DELETE", path: "/processes/" + w.spawn(m, "2")}
			},
			check: func(t *testing.T, w *world, r *reply) { assert.Len(t, w.get("/processes").list(), 1) }},
		{name: "processes/index.feature: Admin lists alive processes",
			setup: func(w *world) req {
				_, m := processWorld(w, map[string]any{"heartbeatCullStrategy": "KEEP_DEAD"})
				w.spawn(m, "old")
				w.srv.Advance(11 * time.Minute)
				w.spawn(m, "new")
				assert.Len(w.t, w.get("/processes?status=DEAD").list(), 1)
				return getAs("/processes?status=alive", "")
			},
			check: listLen(1)},
	})
}

func TestProcessesHeartbeat(t *testing.T) {
	t.Parallel()
	fresh := func(t *testing.T) *world { return newLicensingWorld(t, nil) }
	ping := func(id string) req { return req{method: "POST", path: "/processes/" + id + "/actions/ping"} }
	runEach(t, fresh, []apiCase{
		{name: "processes/actions/heartbeats.feature: Admin pings an alive process", attrs: map[string]any{"status": "ALIVE"},
			setup: func(w *world) req {
				_, m := processWorld(w, nil)
				id := w.spawn(m, "1")
				w.srv.Advance(5 * time.Minute)
				return ping(id)
			},
			check: func(t *testing.T, w *world, r *reply) { assertTimeNear(t, r, "lastHeartbeat", w.srv.clock.now()) }},
		{name: "processes/actions/heartbeats.feature: Admin pings a dead process", status: 422, title: "Unprocessable entity",
			code: "PROCESS_HEARTBEAT_DEAD", detail: "is dead",
			check: func(t *testing.T, w *world, r *reply) { assert.NotContains(t, r.err(0), "source") },
			setup: func(w *world) req {
				_, m := processWorld(w, map[string]any{"heartbeatCullStrategy": "KEEP_DEAD"})
				id := w.spawn(m, "1")
				w.srv.Advance(11 * time.Minute)
				return ping(id)
			}},
		{name: "processes/actions/heartbeats.feature: Admin pings a dead process that can be resurrected",
			attrs: map[string]any{"status": "RESURRECTED"},
			setup: func(w *world) req {
				_, m := processWorld(w, map[string]any{"heartbeatResurrectionStrategy": "ALWAYS_REVIVE", "heartbeatCullStrategy": "KEEP_DEAD"})
				id := w.spawn(m, "1")
				w.srv.Advance(30 * time.Minute)
				return ping(id)
			},
			check: func(t *testing.T, w *world, r *reply) {
				assert.Equal(t, "ALIVE", w.get("/processes/" + r.id()).attrs()["status"])
			}},
		{name: "process heartbeat worker: a dead process is culled (DEACTIVATE_DEAD)", status: 404,
			setup: func(w *world) req {
				_, m := processWorld(w, nil)
				id := w.spawn(m, "1")
				// Dead from ~21:40:00; the 2-minute cull at 21:42 removes it.
				w.srv.Advance(13 * time.Minute)
				return getAs("/processes/"+id, "")
			}},
		{name: "process heartbeat worker: a dead process is kept until the next cull", attrs: map[string]any{"status": "DEAD"},
			setup: func(w *world) req {
				_, m := processWorld(w, nil)
				id := w.spawn(m, "1")
				w.srv.Advance(11 * time.Minute) // dead since ~21:40:00, after the 21:40 cull
				return getAs("/processes/"+id, "")
			}},
		{name: "process heartbeat worker: a dead process within its revive window is kept", attrs: map[string]any{"status": "DEAD"},
			setup: func(w *world) req {
				_, m := processWorld(w, map[string]any{"heartbeatResurrectionStrategy": "5_MINUTE_REVIVE"})
				id := w.spawn(m, "1")
				w.srv.Advance(12 * time.Minute)
				return getAs("/processes/"+id, "")
			}},
	})
}

func TestProcessesValidation(t *testing.T) {
	t.Parallel()
	fresh := func(t *testing.T) *world { return newLicensingWorld(t, nil) }
	validate := func(lic string, scope map[string]any) req {
		body := map[string]any{"meta": map[string]any{}}
		if scope != nil {
			body["meta"] = map[string]any{"scope": scope}
		}
		return req{method: "POST", path: "/licenses/" + lic + "/actions/validate", body: body}
	}
	// overLimit spawns n processes on the machine, then limits the policy to max.
	overLimit := func(w *world, attrs map[string]any, n, max int) (string, string) {
		pol := w.policy(w.prod, mergeAttrs(map[string]any{"floating": true, "strict": true}, attrs))
		lic := w.licenseOf(pol, false, false, nil)
		m := w.createMachine(lic, "m", nil)
		for i := 0; i < n; i++ {
			w.spawn(m, fmt.Sprint(i))
		}
		w.patchPolicy(pol, map[string]any{"maxProcesses": max})
		return lic, m
	}
	runEach(t, fresh, []apiCase{
		{name: "validations.feature: PER_LICENSE process limit exceeded", meta: map[string]any{"valid": false,
			"code": "TOO_MANY_PROCESSES", "detail": "has too many associated processes"},
			setup: func(w *world) req {
				lic, _ := overLimit(w, map[string]any{"processLeasingStrategy": "PER_LICENSE"}, 6, 5)
				return validate(lic, nil)
			}},
		{name: "validations.feature: PER_MACHINE process limit without a fingerprint scope is not counted",
			meta: map[string]any{"valid": true, "code": "VALID"},
			setup: func(w *world) req {
				lic, _ := overLimit(w, nil, 3, 2)
				return validate(lic, nil)
			}},
		{name: "validations.feature: PER_MACHINE process limit with a fingerprint scope",
			meta: map[string]any{"valid": false, "code": "TOO_MANY_PROCESSES"},
			setup: func(w *world) req {
				lic, _ := overLimit(w, nil, 3, 2)
				return validate(lic, map[string]any{"fingerprint": "m"})
			}},
		{name: "validations.feature: ALWAYS_ALLOW_OVERAGE process limit exceeded",
			meta: map[string]any{"valid": true, "code": "TOO_MANY_PROCESSES"},
			setup: func(w *world) req {
				lic, _ := overLimit(w, map[string]any{"overageStrategy": "ALWAYS_ALLOW_OVERAGE"}, 3, 2)
				return validate(lic, map[string]any{"fingerprint": "m"})
			}},
		{name: "validations.feature: PER_USER processes on ownerless machines without a user scope",
			meta: map[string]any{"valid": false, "code": "TOO_MANY_PROCESSES"},
			setup: func(w *world) req {
				lic, _ := overLimit(w, map[string]any{"processLeasingStrategy": "PER_USER"}, 3, 2)
				return validate(lic, nil)
			}},
	})
}
