package keygentest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every non-EE scenario of features/api/v1/processes/**/*.feature (keygen-sh/keygen-api),
// one case each, named "<file>: <scenario title>". Scenarios of a disabled account are not
// expressible (keygentest accounts are always active); EE scenarios (environments, the
// permissions attribute) are left out.

// procPolicy is a floating policy of w.prod with attrs (no process limit unless set).
func procPolicy(w *world, attrs map[string]any) string {
	return w.policy(w.prod, mergeAttrs(map[string]any{"floating": true}, attrs))
}

// procMachines makes n machines on lic, owned by owner when it is not empty.
func procMachines(w *world, lic string, n int, owner string) []string {
	w.t.Helper()
	ids := make([]string, 0, n)
	for i := 0; i < n; i++ {
		id := w.createMachine(lic, newUUID(), nil)
		if owner != "" {
			w.withStore(func(db *store) { db.machines[id].OwnerID = ptr(owner) })
		}
		ids = append(ids, id)
	}
	return ids
}

// seedProcesses stores n processes on the machine past the spawn rules, as the features'
// factories do (pids "seed-<i>"), each created a millisecond after the last; mut changes
// each. It returns their ids, oldest first.
func seedProcesses(w *world, machineID string, n int, mut func(*process)) []string {
	ids := make([]string, 0, n)
	w.withStore(func(db *store) {
		now := w.srv.clock.now()
		for i := 0; i < n; i++ {
			at := now.Add(time.Duration(i-n) * time.Millisecond)
			pr := &process{base: newBase(w.srv.AccountID, at), MachineID: machineID, PID: fmt.Sprintf("seed-%d", i),
				LastHeartbeat: now, Metadata: map[string]any{}}
			if mut != nil {
				mut(pr)
			}
			db.lic.processes[pr.ID] = pr
			ids = append(ids, pr.ID)
		}
	})
	return ids
}

// procOn makes a license of pol (owned by w.owner when owned), one machine on it and n
// processes on the machine; it returns the license, the machine and the processes.
func procOn(w *world, pol string, owned bool, n int) (lic, m string, prs []string) {
	lic = w.licenseOf(pol, owned, false, nil)
	m = procMachines(w, lic, 1, "")[0]
	return lic, m, seedProcesses(w, m, n, nil)
}

// licenseUserID is the id of the licensing world's license user.
func licenseUserID(w *world) string {
	var id string
	w.withStore(func(db *store) {
		for _, u := range db.users {
			if u.Email == "license-user@example.com" {
				id = u.ID
			}
		}
	})
	return id
}

func processCount(w *world) int {
	n := 0
	w.withStore(func(db *store) { n = len(db.lic.processes) })
	return n
}

func wantProcessCount(n int) func(t *testing.T, w *world, r *reply) {
	return func(t *testing.T, w *world, r *reply) { assert.Equal(t, n, processCount(w), string(r.body)) }
}

// spawnAs is POST /processes for the machine with the pid.
func spawnAs(auth, machineID, pid string) req {
	return req{method: "POST", path: "/processes", auth: auth, body: processBody(machineID, pid)}
}

// limitCase is a spawn-limit scenario: a policy with attrs; a license owned by w.owner
// (PER_USER scenarios) or not; machines (owned by w.owner when machineOwned) holding the
// given counts of processes; a spawn on machines[target].
func limitCase(name string, attrs map[string]any, owned, machineOwned bool, counts []int, target int, status int, detail string) apiCase {
	c := apiCase{name: "processes/create.feature: " + name, status: status,
		setup: func(w *world) req {
			lic := w.licenseOf(procPolicy(w, attrs), owned, false, nil)
			owner := ""
			if machineOwned {
				owner = w.owner
			}
			ms := procMachines(w, lic, len(counts), owner)
			for i, n := range counts {
				seedProcesses(w, ms[i], n, nil)
			}
			return spawnAs("", ms[target], "1")
		}}
	total := 0
	for _, n := range counts {
		total += n
	}
	if status == 201 {
		c.attrs = map[string]any{"pid": "1"}
		c.check = wantProcessCount(total + 1)
	} else {
		c.title, c.code, c.detail = unprocessed, "MACHINE_PROCESS_LIMIT_EXCEEDED", detail
		c.about = "https://keygen.sh/docs/api/processes/#processes-object"
		c.source = map[string]any{"pointer": "/data"}
		c.check = wantProcessCount(total)
	}
	return c
}

func TestProcessesCreateFeature(t *testing.T) {
	t.Parallel()
	fresh := func(t *testing.T) *world { return newLicensingWorld(t, nil) }
	perUser := func(strategy string, max int) map[string]any {
		a := map[string]any{"processLeasingStrategy": "PER_USER", "maxProcesses": max}
		if strategy != "" {
			a["overageStrategy"] = strategy
		}
		return a
	}
	noLimit := func(s string) map[string]any { return map[string]any{"processLeasingStrategy": s, "maxProcesses": nil} }
	limited := func(s, o string, max int) map[string]any {
		a := map[string]any{"processLeasingStrategy": s, "maxProcesses": max}
		if o != "" {
			a["overageStrategy"] = o
		}
		return a
	}
	const (
		forMachine = "process count has exceeded maximum allowed for machine (%d)"
		forLicense = "process count has exceeded maximum allowed for license (%d)"
		forUser    = "process count has exceeded maximum allowed for user (8)"
	)
	cases := []apiCase{
		{name: "processes/create.feature: Admin spawns a process for their account", status: 201,
			attrs: map[string]any{"pid": "1", "status": "ALIVE"},
			setup: func(w *world) req {
				_, m, _ := procOn(w, procPolicy(w, nil), false, 0)
				return spawnAs("", m, "1")
			},
			check: func(t *testing.T, w *world, r *reply) {
				assertTimeNear(t, r, "lastHeartbeat", w.srv.clock.now())
				last, _ := time.Parse(time.RFC3339Nano, r.attrs()["lastHeartbeat"].(string))
				next, _ := time.Parse(time.RFC3339Nano, r.attrs()["nextHeartbeat"].(string))
				assert.Equal(t, 10*time.Minute, next.Sub(last))
				assert.Equal(t, 1, processCount(w))
			}},
	}
	for _, role := range []struct {
		name   string
		status int
		auth   func(w *world) string
	}{
		{"Developer spawns a process for their account", 201, func(w *world) string { return w.devAuth }},
		{"Sales spawns a process for their account", 201, func(w *world) string { return w.salesAuth }},
		{"Support attempts to spawn a process for their account", 403, func(w *world) string { return w.supportAuth }},
		{"Read-only attempts to spawn a process for their account", 403, func(w *world) string { return w.roAuth }},
	} {
		role := role
		cases = append(cases, apiCase{name: "processes/create.feature: " + role.name, status: role.status,
			setup: func(w *world) req {
				_, m, _ := procOn(w, procPolicy(w, nil), false, 0)
				return spawnAs(role.auth(w), m, "1")
			},
			check: wantProcessCount(map[int]int{201: 1, 403: 0}[role.status])})
	}
	cases = append(cases, []apiCase{
		// Beyond the feature: the environment relationship is declared only on EE
		// (Keygen.ee in MachineProcessesController#create's typed params); CE refuses it.
		{name: "processes/create.feature: Environment spawns an isolated process for their account (CE: environment relationship)", status: 400,
			title: "Bad request", detail: "unpermitted parameter", source: map[string]any{"pointer": "/data/relationships/environment"},
			setup: func(w *world) req {
				_, m, _ := procOn(w, procPolicy(w, nil), false, 0)
				r := spawnAs("", m, "1")
				r.body.(map[string]any)["data"].(map[string]any)["relationships"].(map[string]any)["environment"] = map[string]any{"data": nil}
				return r
			},
			check: wantProcessCount(0)},
		{name: "processes/create.feature: Admin spawns a process for their account with a UUID pid", status: 201,
			attrs: map[string]any{"pid": "977f1752-d6a9-4669-a6af-b039154ec40f"},
			setup: func(w *world) req {
				_, m, _ := procOn(w, procPolicy(w, nil), false, 0)
				return spawnAs("", m, "977f1752-d6a9-4669-a6af-b039154ec40f")
			}},
		{name: "processes/create.feature: Admin spawns a process with a pid matching another process's ID (different machine)", status: 201,
			setup: func(w *world) req {
				lic, _, _ := procOn(w, procPolicy(w, nil), false, 0)
				ms := procMachines(w, lic, 2, "")
				seedProcesses(w, ms[1], 1, func(pr *process) { pr.PID = "1337" })
				return spawnAs("", ms[0], "1337")
			},
			check: wantProcessCount(2)},
		{name: "processes/create.feature: Admin spawns a process with a pid matching another process's ID (same machine)", status: 422,
			title: unprocessed, detail: "has already been taken", code: "PID_TAKEN", source: map[string]any{"pointer": "/data/attributes/pid"},
			about: "https://keygen.sh/docs/api/processes/#processes-object-attrs-pid",
			setup: func(w *world) req {
				_, m, _ := procOn(w, procPolicy(w, nil), false, 0)
				seedProcesses(w, m, 1, func(pr *process) { pr.PID = "1337" })
				return spawnAs("", m, "1337")
			},
			check: wantProcessCount(1)},
		{name: "processes/create.feature: Admin spawns a process for their account with a pid matching a reserved word", status: 422,
			title: unprocessed, code: "PID_NOT_ALLOWED", detail: "is reserved", source: map[string]any{"pointer": "/data/attributes/pid"},
			setup: func(w *world) req {
				_, m, _ := procOn(w, procPolicy(w, nil), false, 1)
				return spawnAs("", m, "actions")
			},
			check: wantProcessCount(1)},
		// Beyond the feature: the exclusion is case-sensitive (EXCLUDED_ALIASES,
		// app/models/application_record.rb).
		{name: "processes/create.feature: Admin spawns a process for their account with a pid matching a reserved word (other case)", status: 201,
			attrs: map[string]any{"pid": "Actions"},
			setup: func(w *world) req {
				_, m, _ := procOn(w, procPolicy(w, nil), false, 1)
				return spawnAs("", m, "Actions")
			}},
		// Beyond the feature: metadata is held to JsonValidator (at most 64 keys, 16 KiB;
		// app/models/machine_process.rb, app/validators/json_validator.rb).
		{name: "processes/create.feature: Admin spawns a process for their account (metadata with too many keys)", status: 422,
			title: unprocessed, code: "METADATA_TOO_LONG", detail: "too many keys (exceeded limit of 64 keys)",
			source: map[string]any{"pointer": "/data/attributes/metadata"},
			setup: func(w *world) req {
				_, m, _ := procOn(w, procPolicy(w, nil), false, 0)
				r := spawnAs("", m, "1")
				md := map[string]any{}
				for i := 0; i < 60; i++ {
					md[fmt.Sprintf("k%d", i)] = i
				}
				md["nested"] = map[string]any{"a": 1, "b": 2, "c": 3, "d": 4} // 65 keys in all
				r.body.(map[string]any)["data"].(map[string]any)["attributes"].(map[string]any)["metadata"] = md
				return r
			},
			check: func(t *testing.T, w *world, r *reply) {
				assert.Len(t, r.doc["errors"], 1)
				assert.Equal(t, 0, processCount(w))
			}},
		{name: "processes/create.feature: Admin spawns a process for their account (metadata with 64 keys)", status: 201,
			setup: func(w *world) req {
				_, m, _ := procOn(w, procPolicy(w, nil), false, 0)
				r := spawnAs("", m, "1")
				md := map[string]any{}
				for i := 0; i < 60; i++ {
					md[fmt.Sprintf("k%d", i)] = i
				}
				md["nested"] = map[string]any{"a": 1, "b": 2, "c": 3}
				r.body.(map[string]any)["data"].(map[string]any)["attributes"].(map[string]any)["metadata"] = md
				return r
			}},
		{name: "processes/create.feature: Admin spawns a process for their account (metadata too large)", status: 422,
			title: unprocessed, code: "METADATA_TOO_LONG", detail: "too large (exceeded limit of 16384 bytes)",
			source: map[string]any{"pointer": "/data/attributes/metadata"},
			setup: func(w *world) req {
				_, m, _ := procOn(w, procPolicy(w, nil), false, 0)
				r := spawnAs("", m, "1")
				r.body.(map[string]any)["data"].(map[string]any)["attributes"].(map[string]any)["metadata"] = map[string]any{"blob": strings.Repeat("x", 16384)}
				return r
			}},
		{name: "processes/create.feature: Admin spawns a process with missing pid", status: 400,
			detail: "is missing", source: map[string]any{"pointer": "/data/attributes"},
			setup: func(w *world) req {
				_, m, _ := procOn(w, procPolicy(w, nil), false, 0)
				return req{method: "POST", path: "/processes", body: doc("processes", nil, map[string]any{"machine": link("machines", m)})}
			},
			check: wantProcessCount(0)},
		{name: "processes/create.feature: Admin spawns a process with missing machine", status: 400,
			detail: "is missing", source: map[string]any{"pointer": "/data/relationships"},
			setup: func(w *world) req {
				procOn(w, procPolicy(w, nil), false, 0)
				return req{method: "POST", path: "/processes", body: doc("processes", map[string]any{"pid": "1337"}, nil)}
			},
			check: wantProcessCount(0)},
		{name: "processes/create.feature: Admin spawns a process with an invalid machine UUID", status: 422,
			title: unprocessed, code: "MACHINE_NOT_FOUND", detail: "must exist", source: map[string]any{"pointer": "/data/relationships/machine"},
			about: "https://keygen.sh/docs/api/processes/#processes-object-relationships-machine",
			setup: func(w *world) req {
				procOn(w, procPolicy(w, nil), false, 0)
				return spawnAs("", "16896379-73ae-4d92-a458-6e7841c9ad08", "n04evzjqadp9ytuo")
			},
			check: wantProcessCount(0)},
		limitCase("Admin spawns a process for a machine that has no limit (PER_MACHINE leasing strategy)", noLimit("PER_MACHINE"), false, false, []int{1, 1}, 0, 201, ""),
		limitCase("Admin spawns a process for a machine that has no limit (PER_LICENSE leasing strategy)", noLimit("PER_LICENSE"), false, false, []int{1, 1}, 0, 201, ""),
		limitCase("Admin spawns a process for a machine that has no limit (PER_USER leasing strategy, with owner)", noLimit("PER_USER"), true, true, []int{1, 1}, 0, 201, ""),
		limitCase("Admin spawns a process for a machine that has no limit (PER_USER leasing strategy, no owner)", noLimit("PER_USER"), true, false, []int{1, 1}, 0, 201, ""),
		limitCase("Admin spawns a process for a machine that has not reached its limit (PER_MACHINE leasing strategy)", limited("PER_MACHINE", "", 3), false, false, []int{0, 3}, 0, 201, ""),
		limitCase("Admin spawns a process for a machine that has not reached its limit (PER_LICENSE leasing strategy)", limited("PER_LICENSE", "", 8), false, false, []int{1, 1}, 0, 201, ""),
		limitCase("Admin spawns a process for a machine that has not reached its limit (PER_USER leasing strategy, with owner)", perUser("", 8), true, true, []int{3, 3}, 0, 201, ""),
		limitCase("Admin spawns a process for a machine that has not reached its limit (PER_USER leasing strategy, no owner)", perUser("", 8), true, false, []int{3, 3}, 0, 201, ""),
		limitCase("Admin spawns a process for a machine that has almost reached its limit (PER_MACHINE leasing strategy)", limited("PER_MACHINE", "", 10), false, false, []int{9, 1}, 0, 201, ""),
		limitCase("Admin spawns a process for a machine that has almost reached its limit (PER_LICENSE leasing strategy)", limited("PER_LICENSE", "", 10), false, false, []int{4, 4, 1}, 2, 201, ""),
		limitCase("Admin spawns a process for a machine that has almost reached its limit (PER_USER leasing strategy, with owner)", perUser("", 8), true, true, []int{4, 3}, 0, 201, ""),
		limitCase("Admin spawns a process for a machine that has almost reached its limit (PER_USER leasing strategy, no owner)", perUser("", 8), true, false, []int{4, 3}, 0, 201, ""),
		limitCase("Admin spawns a process for a machine that has reached its limit (PER_MACHINE leasing strategy, NO_OVERAGE overage strategy)", limited("PER_MACHINE", "NO_OVERAGE", 5), false, false, []int{5}, 0, 422, fmt.Sprintf(forMachine, 5)),
		limitCase("Admin spawns a process for a machine that has reached its limit (PER_LICENSE leasing strategy, NO_OVERAGE overage strategy)", limited("PER_LICENSE", "NO_OVERAGE", 5), false, false, []int{2, 2, 1}, 0, 422, fmt.Sprintf(forLicense, 5)),
		limitCase("Admin spawns a process for a machine that has reached its limit (PER_USER leasing strategy, NO_OVERAGE overage strategy, with owner)", perUser("NO_OVERAGE", 8), true, true, []int{4, 4}, 0, 422, forUser),
		limitCase("Admin spawns a process for a machine that has reached its limit (PER_USER leasing strategy, NO_OVERAGE overage strategy, no owner)", perUser("NO_OVERAGE", 8), true, false, []int{4, 4}, 0, 422, forUser),
		limitCase("Admin spawns a process for a machine that has exceeded its limit (PER_MACHINE leasing strategy, ALWAYS_ALLOW_OVERAGE overage strategy)", limited("PER_MACHINE", "ALWAYS_ALLOW_OVERAGE", 5), false, false, []int{7}, 0, 201, ""),
		limitCase("Admin spawns a process for a machine that has exceeded its limit (PER_LICENSE leasing strategy, ALWAYS_ALLOW_OVERAGE overage strategy)", limited("PER_LICENSE", "ALWAYS_ALLOW_OVERAGE", 5), false, false, []int{3, 2, 1}, 0, 201, ""),
		limitCase("Admin spawns a process for a machine that has exceeded its limit (PER_USER leasing strategy, ALWAYS_ALLOW_OVERAGE overage strategy, with owner)", perUser("ALWAYS_ALLOW_OVERAGE", 8), true, true, []int{4, 4}, 0, 201, ""),
		limitCase("Admin spawns a process for a machine that has exceeded its limit (PER_USER leasing strategy, ALWAYS_ALLOW_OVERAGE overage strategy, no owner)", perUser("ALWAYS_ALLOW_OVERAGE", 8), true, false, []int{4, 4}, 0, 201, ""),
		limitCase("Admin spawns a process for a machine that has exceeded its limit (PER_MACHINE leasing strategy, ALLOW_1_25X_OVERAGE overage strategy)", limited("PER_MACHINE", "ALLOW_1_25X_OVERAGE", 20), false, false, []int{23}, 0, 201, ""),
		limitCase("Admin spawns a process for a machine that has exceeded its overage limit (PER_MACHINE leasing strategy, ALLOW_1_25X_OVERAGE overage strategy)", limited("PER_MACHINE", "ALLOW_1_25X_OVERAGE", 20), false, false, []int{25}, 0, 422, fmt.Sprintf(forMachine, 20)),
		limitCase("Admin spawns a process for a machine that has exceeded its overage limit (PER_USER leasing strategy, ALLOW_1_25X_OVERAGE overage strategy, with owner)", perUser("ALLOW_1_25X_OVERAGE", 8), true, true, []int{5, 5}, 0, 422, forUser),
		limitCase("Admin spawns a process for a machine that has exceeded its overage limit (PER_USER leasing strategy, ALLOW_1_25X_OVERAGE overage strategy, no owner)", perUser("ALLOW_1_25X_OVERAGE", 8), true, false, []int{5, 5}, 0, 422, forUser),
		limitCase("Admin spawns a process for a machine that has exceeded its limit (PER_MACHINE leasing strategy, ALLOW_1_5X_OVERAGE overage strategy)", limited("PER_MACHINE", "ALLOW_1_5X_OVERAGE", 6), false, false, []int{8}, 0, 201, ""),
		limitCase("Admin spawns a process for a machine that has exceeded its overage limit (PER_MACHINE leasing strategy, ALLOW_1_5X_OVERAGE overage strategy)", limited("PER_MACHINE", "ALLOW_1_5X_OVERAGE", 6), false, false, []int{9}, 0, 422, fmt.Sprintf(forMachine, 6)),
		limitCase("Admin spawns a process for a machine that has exceeded its overage limit (PER_USER leasing strategy, ALLOW_1_5X_OVERAGE overage strategy, with owner)", perUser("ALLOW_1_5X_OVERAGE", 8), true, true, []int{6, 6}, 0, 422, forUser),
		limitCase("Admin spawns a process for a machine that has exceeded its overage limit (PER_USER leasing strategy, ALLOW_1_5X_OVERAGE overage strategy, no owner)", perUser("ALLOW_1_5X_OVERAGE", 8), true, false, []int{6, 6}, 0, 422, forUser),
		limitCase("Admin spawns a process for a machine that has exceeded its limit (PER_LICENSE leasing strategy, ALLOW_2X_OVERAGE overage strategy)", limited("PER_LICENSE", "ALLOW_2X_OVERAGE", 5), false, false, []int{4, 3, 2}, 0, 201, ""),
		limitCase("Admin spawns a process for a machine that has exceeded its overage limit (PER_LICENSE leasing strategy, ALLOW_2X_OVERAGE overage strategy)", limited("PER_LICENSE", "ALLOW_2X_OVERAGE", 5), false, false, []int{5, 4, 1}, 0, 422, fmt.Sprintf(forLicense, 5)),
		limitCase("Admin spawns a process for a machine that has exceeded its overage limit (PER_USER leasing strategy, ALLOW_2X_OVERAGE overage strategy, with owner)", perUser("ALLOW_2X_OVERAGE", 8), true, true, []int{8, 8}, 0, 422, forUser),
		limitCase("Admin spawns a process for a machine that has exceeded its overage limit (PER_USER leasing strategy, ALLOW_2X_OVERAGE overage strategy, no owner)", perUser("ALLOW_2X_OVERAGE", 8), true, false, []int{8, 8}, 0, 422, forUser),
		{name: "processes/create.feature: User spawns a process for their machine (license owner)", status: 201, attrs: map[string]any{"pid": "2"},
			setup: func(w *world) req {
				_, m, _ := procOn(w, procPolicy(w, nil), true, 0)
				return spawnAs(w.ownerAuth, m, "2")
			}},
		{name: "processes/create.feature: User spawns a process for their machine (license user, machine owner)", status: 201, attrs: map[string]any{"pid": "2"},
			setup: func(w *world) req {
				lic := w.licenseOf(procPolicy(w, nil), false, true, nil)
				return spawnAs(w.luAuth, procMachines(w, lic, 1, licenseUserID(w))[0], "2")
			}},
		{name: "processes/create.feature: User spawns a process for their machine (license user)", status: 403, detail: denied,
			setup: func(w *world) req {
				lic := w.licenseOf(procPolicy(w, nil), false, true, nil)
				return spawnAs(w.luAuth, procMachines(w, lic, 1, "")[0], "2")
			},
			check: wantProcessCount(0)},
		{name: "processes/create.feature: User spawns a process for their machine with a protected policy", status: 403,
			setup: func(w *world) req {
				_, m, _ := procOn(w, w.prot, true, 0)
				return spawnAs(w.ownerAuth, m, "1337")
			},
			check: wantProcessCount(0)},
		{name: "processes/create.feature: User spawns a process for an unprotected machine", status: 201, attrs: map[string]any{"pid": "1337"},
			setup: func(w *world) req {
				_, m, _ := procOn(w, procPolicy(w, map[string]any{"protected": false}), true, 0)
				return spawnAs(w.ownerAuth, m, "1337")
			}},
		{name: "processes/create.feature: License spawns a process for their machine", status: 201, attrs: map[string]any{"pid": "1337"},
			setup: func(w *world) req {
				lic := w.licenseOf(procPolicy(w, nil), false, false, nil)
				ms := procMachines(w, lic, 3, "")
				return spawnAs(w.licenseAuth(lic, nil), ms[0], "1337")
			}},
		{name: "processes/create.feature: License spawns a process for a protected machine", status: 201, attrs: map[string]any{"pid": "1337"},
			setup: func(w *world) req {
				lic, m, _ := procOn(w, procPolicy(w, map[string]any{"protected": true}), false, 0)
				return spawnAs(w.licenseAuth(lic, nil), m, "1337")
			}},
		{name: "processes/create.feature: License spawns a process for their machine with a duplicate pid", status: 422,
			title: unprocessed, detail: "has already been taken", code: "PID_TAKEN", source: map[string]any{"pointer": "/data/attributes/pid"},
			setup: func(w *world) req {
				lic, m, _ := procOn(w, procPolicy(w, nil), false, 0)
				seedProcesses(w, m, 1, func(pr *process) { pr.PID = "1" })
				return spawnAs(w.licenseAuth(lic, nil), m, "1")
			},
			check: wantProcessCount(1)},
		{name: "processes/create.feature: License spawns a process for their machine with a blank pid", status: 400,
			title: "Bad request", detail: "cannot be blank", source: map[string]any{"pointer": "/data/attributes/pid"},
			setup: func(w *world) req {
				lic, m, _ := procOn(w, procPolicy(w, nil), false, 0)
				return spawnAs(w.licenseAuth(lic, nil), m, "")
			},
			check: wantProcessCount(0)},
		{name: "processes/create.feature: License spawns a process for another license's machine", status: 403, detail: denied,
			setup: func(w *world) req {
				lic, _, _ := procOn(w, procPolicy(w, nil), false, 0)
				_, other, _ := procOn(w, procPolicy(w, nil), false, 0)
				return spawnAs(w.licenseAuth(lic, nil), other, "2")
			},
			check: wantProcessCount(0)},
		{name: "processes/create.feature: Product spawns a process for another product's machine", status: 403, detail: denied,
			setup: func(w *world) req {
				_, m, _ := procOn(w, w.pol2, false, 0)
				return spawnAs(w.prodAuth, m, "1337")
			},
			check: wantProcessCount(0)},
		{name: "processes/create.feature: User spawns a process for another user's machine", status: 403, detail: denied,
			setup: func(w *world) req {
				_, m, _ := procOn(w, procPolicy(w, nil), true, 0)
				return spawnAs(w.otherAuth, m, "2")
			},
			check: wantProcessCount(0)},
		{name: "processes/create.feature: Anonymous attempts to spawn a process", status: 401,
			setup: func(w *world) req {
				_, m, _ := procOn(w, procPolicy(w, nil), false, 0)
				return spawnAs("-", m, "0")
			},
			check: wantProcessCount(0)},
		{name: "processes/create.feature: Admin of another account attempts to spawn a process", status: 401,
			setup: func(w *world) req {
				_, m, _ := procOn(w, procPolicy(w, nil), false, 0)
				return spawnAs(w.otherAcct, m, "0")
			},
			check: wantProcessCount(0)},
		{name: "processes/create.feature: License activates a process with a pre-determined ID", status: 201,
			setup: func(w *world) req {
				lic, m, _ := procOn(w, procPolicy(w, nil), false, 0)
				r := spawnAs(w.licenseAuth(lic, nil), m, "1")
				r.body.(map[string]any)["data"].(map[string]any)["id"] = "00000000-2521-4033-9f4f-3675387016f7"
				return r
			},
			check: both(dataID("00000000-2521-4033-9f4f-3675387016f7"), wantProcessCount(1))},
		// Beyond the feature: typed_params' uuid type is UUID_RE (dashes optional, any case,
		// config/initializers/typed_params.rb); Postgres stores the dashed lower-case form.
		{name: "processes/create.feature: License activates a process with a pre-determined ID (no dashes)", status: 201,
			setup: func(w *world) req {
				lic, m, _ := procOn(w, procPolicy(w, nil), false, 0)
				r := spawnAs(w.licenseAuth(lic, nil), strings.ToUpper(strings.ReplaceAll(m, "-", "")), "1")
				r.body.(map[string]any)["data"].(map[string]any)["id"] = "000000002521403393F4F3675387016F"
				return r
			},
			check: both(dataID("00000000-2521-4033-93f4-f3675387016f"), wantProcessCount(1))},
		{name: "processes/create.feature: License activates a process with a pre-determined ID (conflict)", status: 422,
			title: unprocessed, detail: "must not conflict with another process", code: "ID_CONFLICT", source: map[string]any{"pointer": "/data/id"},
			about: "https://keygen.sh/docs/api/processes/#processes-object",
			setup: func(w *world) req {
				lic, m, _ := procOn(w, procPolicy(w, nil), false, 0)
				_, other, _ := procOn(w, procPolicy(w, nil), false, 0)
				w.withStore(func(db *store) {
					pr := &process{base: newBase(w.srv.AccountID, w.srv.clock.now()), MachineID: other, PID: "x", LastHeartbeat: w.srv.clock.now(), Metadata: map[string]any{}}
					pr.ID = "00000000-2521-4033-9f4f-3675387016f7"
					db.lic.processes[pr.ID] = pr
				})
				r := spawnAs(w.licenseAuth(lic, nil), m, "1")
				r.body.(map[string]any)["data"].(map[string]any)["id"] = "00000000-2521-4033-9f4f-3675387016f7"
				return r
			},
			check: func(t *testing.T, w *world, r *reply) {
				assert.Len(t, r.doc["errors"], 1, string(r.body))
				assert.Equal(t, 1, processCount(w))
			}},
		// Beyond the feature: errors come in the model's declaration order, pid before id
		// (app/models/machine_process.rb).
		{name: "processes/create.feature: License activates a process with a pre-determined ID (conflict, duplicate pid)", status: 422,
			title: unprocessed, code: "PID_TAKEN",
			setup: func(w *world) req {
				lic, m, _ := procOn(w, procPolicy(w, nil), false, 0)
				seedProcesses(w, m, 1, func(pr *process) { pr.ID, pr.PID = "00000000-2521-4033-9f4f-3675387016f7", "1" })
				r := spawnAs(w.licenseAuth(lic, nil), m, "1")
				r.body.(map[string]any)["data"].(map[string]any)["id"] = "00000000-2521-4033-9f4f-3675387016f7"
				return r
			},
			check: func(t *testing.T, w *world, r *reply) {
				require.Len(t, r.doc["errors"], 2, string(r.body))
				assert.Equal(t, "ID_CONFLICT", r.err(1)["code"])
				assert.Equal(t, map[string]any{"pointer": "/data/id"}, r.err(1)["source"])
			}},
		{name: "processes/create.feature: License activates a process with a pre-determined ID (bad ID)", status: 400,
			title: "Bad request", detail: "type mismatch (received string expected UUID string)", source: map[string]any{"pointer": "/data/id"},
			setup: func(w *world) req {
				lic, m, _ := procOn(w, procPolicy(w, nil), false, 0)
				r := spawnAs(w.licenseAuth(lic, nil), m, "1")
				r.body.(map[string]any)["data"].(map[string]any)["id"] = "1"
				return r
			},
			check: func(t *testing.T, w *world, r *reply) {
				assert.Len(t, r.doc["errors"], 1, string(r.body))
				assert.Equal(t, 0, processCount(w))
			}},
	}...)
	runEach(t, fresh, cases)
}

func TestProcessesHeartbeatFeature(t *testing.T) {
	t.Parallel()
	fresh := func(t *testing.T) *world { return newLicensingWorld(t, nil) }
	ping := func(auth, id string) req {
		return req{method: "POST", path: "/processes/" + id + "/actions/ping", auth: auth}
	}
	// pinged checks a fresh heartbeat: lastHeartbeat now, nextHeartbeat interval later.
	pinged := func(interval time.Duration) func(t *testing.T, w *world, r *reply) {
		return func(t *testing.T, w *world, r *reply) {
			assertTimeNear(t, r, "lastHeartbeat", w.srv.clock.now())
			last, err := time.Parse(time.RFC3339Nano, r.attrs()["lastHeartbeat"].(string))
			require.NoError(t, err)
			next, err := time.Parse(time.RFC3339Nano, r.attrs()["nextHeartbeat"].(string))
			require.NoError(t, err)
			assert.Equal(t, interval, next.Sub(last))
		}
	}
	ago := func(d time.Duration) func(*process) {
		return func(pr *process) { pr.LastHeartbeat = pr.LastHeartbeat.Add(-d) }
	}
	runEach(t, fresh, []apiCase{
		// config/routes.rb routes only actions/ping for processes (ping-heartbeat is a
		// machine action).
		{name: "processes/actions/heartbeats.feature: Admin pings a process's heartbeat (ping-heartbeat is not routed)", status: 404,
			code: "NOT_FOUND", noMeta: true, detail: "The requested endpoint was not found (check your HTTP method, Accept header, and URL path)",
			setup: func(w *world) req {
				_, _, prs := procOn(w, procPolicy(w, nil), false, 1)
				return req{method: "POST", path: "/processes/" + prs[0] + "/actions/ping-heartbeat"}
			}},
		{name: "processes/actions/heartbeats.feature: Admin pings a process's heartbeat", attrs: map[string]any{"status": "ALIVE"},
			setup: func(w *world) req {
				_, _, prs := procOn(w, procPolicy(w, nil), false, 1)
				w.srv.Advance(time.Minute)
				return ping("", prs[0])
			},
			check: pinged(10 * time.Minute)},
		{name: "processes/actions/heartbeats.feature: Admin pings a process's heartbeat that has met their process limit",
			attrs: map[string]any{"status": "ALIVE"},
			setup: func(w *world) req {
				_, _, prs := procOn(w, procPolicy(w, map[string]any{"processLeasingStrategy": "PER_MACHINE", "maxProcesses": 5}), false, 5)
				return ping("", prs[0])
			},
			check: func(t *testing.T, w *world, r *reply) { assert.Equal(t, "processes", r.data()["type"]) }},
		{name: "processes/actions/heartbeats.feature: Admin pings a dead process's heartbeat", status: 422,
			title: "Unprocessable entity", code: "PROCESS_HEARTBEAT_DEAD", detail: "is dead",
			setup: func(w *world) req {
				// KEEP_DEAD: the feature's dead process was never culled (no worker ran).
				pol := procPolicy(w, map[string]any{"heartbeatCullStrategy": "KEEP_DEAD"})
				lic := w.licenseOf(pol, false, false, nil)
				prs := seedProcesses(w, procMachines(w, lic, 1, "")[0], 1, ago(time.Hour))
				return ping("", prs[0])
			}},
		// Beyond the feature: CullDeadProcessesWorker runs every 2 minutes
		// (config/schedule.yml), so a process that died since the last run is still there,
		// dead, and its ping is refused rather than not found.
		{name: "processes/actions/heartbeats.feature: Admin pings a dead process's heartbeat (dead since the last cull)", status: 422,
			title: "Unprocessable entity", code: "PROCESS_HEARTBEAT_DEAD", detail: "is dead",
			setup: func(w *world) req {
				_, _, prs := procOn(w, procPolicy(w, nil), false, 1) // spawned just after 21:30:00
				w.srv.Advance(10*time.Minute + 30*time.Second)       // dead since ~21:40:00, last cull at 21:40:00
				return ping("", prs[0])
			}},
		{name: "processes/actions/heartbeats.feature: Admin pings a dead process's heartbeat that supports resurrection (period not passed)",
			attrs: map[string]any{"status": "RESURRECTED"},
			setup: func(w *world) req {
				pol := procPolicy(w, map[string]any{"heartbeatResurrectionStrategy": "5_MINUTE_REVIVE", "heartbeatDuration": 300})
				lic := w.licenseOf(pol, false, false, nil)
				prs := seedProcesses(w, procMachines(w, lic, 1, "")[0], 1, ago(7*time.Minute))
				return ping("", prs[0])
			},
			check: both(pinged(5*time.Minute), func(t *testing.T, w *world, r *reply) {
				assert.Equal(t, "ALIVE", w.get("/processes/" + r.id()).attrs()["status"])
			})},
		{name: "processes/actions/heartbeats.feature: Admin pings a dead process's heartbeat that supports resurrection (period passed)", status: 422,
			title: "Unprocessable entity", code: "PROCESS_HEARTBEAT_DEAD", detail: "is dead",
			setup: func(w *world) req {
				pol := procPolicy(w, map[string]any{"heartbeatResurrectionStrategy": "5_MINUTE_REVIVE", "heartbeatDuration": 300, "heartbeatCullStrategy": "KEEP_DEAD"})
				lic := w.licenseOf(pol, false, false, nil)
				prs := seedProcesses(w, procMachines(w, lic, 1, "")[0], 1, ago(11*time.Minute))
				return ping("", prs[0])
			}},
		{name: "processes/actions/heartbeats.feature: Product pings a process's heartbeat", attrs: map[string]any{"status": "ALIVE"},
			setup: func(w *world) req {
				_, _, prs := procOn(w, procPolicy(w, nil), false, 1)
				return ping(w.prodAuth, prs[0])
			},
			check: pinged(10 * time.Minute)},
		{name: "processes/actions/heartbeats.feature: Product pings a process for a different product", status: 404,
			setup: func(w *world) req {
				_, _, prs := procOn(w, w.pol2, false, 1)
				return ping(w.prodAuth, prs[0])
			}},
		{name: "processes/actions/heartbeats.feature: License pings a process's heartbeat", attrs: map[string]any{"status": "ALIVE"},
			setup: func(w *world) req {
				lic, _, prs := procOn(w, procPolicy(w, nil), false, 1)
				return ping(w.licenseAuth(lic, nil), prs[0])
			},
			check: pinged(10 * time.Minute)},
		{name: "processes/actions/heartbeats.feature: License pings a process's heartbeat with a custom heartbeat duration", attrs: map[string]any{"status": "ALIVE", "interval": float64(1209600)},
			setup: func(w *world) req {
				lic, _, prs := procOn(w, procPolicy(w, map[string]any{"heartbeatDuration": 1209600}), false, 1)
				return ping(w.licenseAuth(lic, nil), prs[0])
			},
			check: pinged(14 * 24 * time.Hour)},
		{name: "processes/actions/heartbeats.feature: License pings a process's heartbeat that doesn't belong to them", status: 404,
			setup: func(w *world) req {
				lic, _, _ := procOn(w, procPolicy(w, nil), false, 0)
				_, _, prs := procOn(w, procPolicy(w, nil), false, 1)
				return ping(w.licenseAuth(lic, nil), prs[0])
			}},
		{name: "processes/actions/heartbeats.feature: User pings an unprotected process's heartbeat (license owner)", attrs: map[string]any{"status": "ALIVE"},
			setup: func(w *world) req {
				_, _, prs := procOn(w, procPolicy(w, map[string]any{"protected": false}), true, 1)
				return ping(w.ownerAuth, prs[0])
			},
			check: pinged(10 * time.Minute)},
		{name: "processes/actions/heartbeats.feature: User pings an unprotected process's heartbeat (license user, machine owner)", attrs: map[string]any{"status": "ALIVE"},
			setup: func(w *world) req {
				lic := w.licenseOf(procPolicy(w, map[string]any{"protected": false}), false, true, nil)
				prs := seedProcesses(w, procMachines(w, lic, 1, licenseUserID(w))[0], 1, nil)
				return ping(w.luAuth, prs[0])
			},
			check: pinged(10 * time.Minute)},
		{name: "processes/actions/heartbeats.feature: User pings an unprotected process's heartbeat (license user, not owner)", status: 403, detail: denied,
			setup: func(w *world) req {
				lic := w.licenseOf(procPolicy(w, map[string]any{"protected": false}), false, true, nil)
				prs := seedProcesses(w, procMachines(w, lic, 1, "")[0], 1, nil)
				return ping(w.luAuth, prs[0])
			}},
		{name: "processes/actions/heartbeats.feature: User pings a protected process's heartbeat", status: 403, detail: denied,
			setup: func(w *world) req {
				_, _, prs := procOn(w, procPolicy(w, map[string]any{"protected": true}), true, 1)
				return ping(w.ownerAuth, prs[0])
			}},
		{name: "processes/actions/heartbeats.feature: User pings a process's heartbeat that doesn't belong to them", status: 404,
			setup: func(w *world) req {
				_, _, prs := procOn(w, procPolicy(w, nil), false, 1)
				return ping(w.ownerAuth, prs[0])
			}},
	})
}

func TestProcessesReadFeature(t *testing.T) {
	t.Parallel()
	fresh := func(t *testing.T) *world { return newLicensingWorld(t, nil) }
	ago := func(d time.Duration) func(*process) {
		return func(pr *process) { pr.LastHeartbeat = pr.LastHeartbeat.Add(-d) }
	}
	// statusWorld seeds five processes last seen 1m, 32m, 3m, 1s and 11m ago on a KEEP_DEAD
	// policy (the feature's dead processes were never culled).
	statusWorld := func(w *world) {
		_, m, _ := procOn(w, procPolicy(w, map[string]any{"heartbeatCullStrategy": "KEEP_DEAD"}), false, 0)
		for _, d := range []time.Duration{time.Minute, 32 * time.Minute, 3 * time.Minute, time.Second, 11 * time.Minute} {
			seedProcesses(w, m, 1, ago(d))
		}
	}
	// twoProducts is the index feature's filter world: a license of each product, a
	// machine on each, with n1 and n2 processes; it returns the licenses and machines.
	twoProducts := func(w *world, n1, n2 int) (l1, l2, m1, m2 string) {
		l1, m1, _ = procOn(w, procPolicy(w, nil), false, n1)
		l2, m2, _ = procOn(w, w.pol2, false, n2)
		return
	}
	list := func(path, auth string) req { return getAs(path, auth) }
	var cases []apiCase
	staffIndex := func(name string, auth func(w *world) string) apiCase {
		return apiCase{name: name,
			setup: func(w *world) req {
				procOn(w, procPolicy(w, nil), false, 3)
				return list("/processes", auth(w))
			},
			check: listLen(3)}
	}
	staffShow := func(name string, auth func(w *world) string) apiCase {
		return apiCase{name: name,
			setup: func(w *world) req {
				_, _, prs := procOn(w, procPolicy(w, nil), false, 3)
				return getAs("/processes/"+prs[0], auth(w))
			},
			check: func(t *testing.T, w *world, r *reply) { assert.Equal(t, "processes", r.data()["type"]) }}
	}
	dev := func(w *world) string { return w.devAuth }
	sales := func(w *world) string { return w.salesAuth }
	support := func(w *world) string { return w.supportAuth }
	ro := func(w *world) string { return w.roAuth }
	cases = append(cases,
		staffIndex("processes/index.feature: Developer retrieves all processes for their account", dev),
		staffIndex("processes/index.feature: Sales retrieves all processes for their account", sales),
		staffIndex("processes/index.feature: Support retrieves all processes for their account", support),
		staffIndex("processes/index.feature: Read-only retrieves all processes for their account", ro),
		staffShow("processes/show.feature: Developer retrieves a process for their account", dev),
		staffShow("processes/show.feature: Sales retrieves a process for their account", sales),
		staffShow("processes/show.feature: Support retrieves a process for their account", support),
		staffShow("processes/show.feature: Read-only retrieves a process for their account", ro),
	)
	twenty := func(w *world) []string { _, _, prs := procOn(w, procPolicy(w, nil), false, 20); return prs }
	nineteen := func(w *world) []string { _, _, prs := procOn(w, procPolicy(w, nil), false, 19); return prs }
	base := func(w *world) string { return "/v1/accounts/" + w.srv.AccountID + "/processes" }
	cases = append(cases, []apiCase{
		{name: "processes/index.feature: Admin retrieves all processes for their account",
			setup: func(w *world) req { procOn(w, procPolicy(w, nil), false, 3); return list("/processes", "") },
			check: listLen(3)},
		{name: "processes/index.feature: Admin retrieves an offset-paginated list of processes",
			setup: func(w *world) req { twenty(w); return list("/processes?page[number]=2&page[size]=5", "") },
			check: listLen(5)},
		{name: "processes/index.feature: Admin retrieves an offset-paginated list of processes scoped to product",
			setup: func(w *world) req {
				twoProducts(w, 9, 6)
				return list("/processes?page[number]=1&page[size]=100&product="+w.prod2, "")
			},
			check: func(t *testing.T, w *world, r *reply) {
				assert.Len(t, r.list(), 6)
				self := base(w) + "?page[number]=1&page[size]=100&product=" + w.prod2
				wantLinks(map[string]any{"self": self, "prev": nil, "next": nil, "first": self, "last": self,
					"meta": map[string]any{"pages": float64(1), "count": float64(6)}})(t, w, r)
			}},
		{name: "processes/index.feature: Admin retrieves an offset-paginated list of processes scoped to license",
			setup: func(w *world) req {
				l1, _, _, _ := twoProducts(w, 13, 4)
				return list("/processes?page[number]=1&page[size]=100&license="+l1, "")
			},
			check: listLen(13)},
		{name: "processes/index.feature: Admin retrieves an offset-paginated list of processes scoped to machine",
			setup: func(w *world) req {
				_, _, _, m2 := twoProducts(w, 2, 14)
				return list("/processes?page[number]=1&page[size]=10&machine="+m2, "")
			},
			check: func(t *testing.T, w *world, r *reply) {
				assert.Len(t, r.list(), 10)
				meta, _ := r.doc["links"].(map[string]any)["meta"].(map[string]any)
				assert.Equal(t, map[string]any{"pages": float64(2), "count": float64(14)}, meta)
			}},
		{name: "processes/index.feature: Admin retrieves an offset-paginated list of processes scoped to owner",
			setup: func(w *world) req {
				l1 := w.licenseOf(procPolicy(w, nil), true, false, nil)
				l2 := w.licenseOf(w.pol2, true, false, nil)
				l3 := w.licenseOf(w.pol2, false, false, nil)
				seedProcesses(w, procMachines(w, l1, 1, w.owner)[0], 7, nil)
				seedProcesses(w, procMachines(w, l2, 1, "")[0], 14, nil)
				seedProcesses(w, procMachines(w, l3, 1, "")[0], 4, nil)
				return list("/processes?page[number]=1&page[size]=10&owner="+w.owner, "")
			},
			check: listLen(7)},
		{name: "processes/index.feature: Admin retrieves an offset-paginated list of processes scoped to user",
			setup: func(w *world) req {
				l1 := w.licenseOf(procPolicy(w, nil), true, false, nil)
				l2 := w.licenseOf(w.pol2, true, false, nil)
				l3 := w.licenseOf(w.pol2, false, false, nil)
				seedProcesses(w, procMachines(w, l1, 1, "")[0], 7, nil)
				seedProcesses(w, procMachines(w, l2, 1, "")[0], 14, nil)
				seedProcesses(w, procMachines(w, l3, 1, "")[0], 4, nil)
				return list("/processes?page[number]=1&page[size]=10&user="+w.owner, "")
			},
			check: func(t *testing.T, w *world, r *reply) {
				assert.Len(t, r.list(), 10)
				meta, _ := r.doc["links"].(map[string]any)["meta"].(map[string]any)
				assert.Equal(t, map[string]any{"pages": float64(3), "count": float64(21)}, meta)
			}},
		// Beyond the feature: MachineProcess.for_machine joins machines by id only (a
		// fingerprint matches nothing); for_user takes a user's id or email.
		{name: "processes/index.feature: Admin retrieves an offset-paginated list of processes scoped to machine (by fingerprint)",
			setup: func(w *world) req {
				_, _, m1, _ := twoProducts(w, 2, 3)
				var fp string
				w.withStore(func(db *store) { fp = db.machines[m1].Fingerprint })
				return list("/processes?machine="+fp, "")
			},
			check: listLen(0)},
		{name: "processes/index.feature: Admin retrieves an offset-paginated list of processes scoped to user (by email)",
			setup: func(w *world) req {
				procOn(w, procPolicy(w, nil), true, 7)
				procOn(w, w.pol2, false, 4)
				return list("/processes?user=owner@example.com", "")
			},
			check: listLen(7)},
		{name: "processes/index.feature: Admin retrieves an offset-paginated list of processes scoped to license (upper-case id)",
			setup: func(w *world) req {
				l1, _, _, _ := twoProducts(w, 13, 4)
				return list("/processes?page[number]=1&page[size]=100&license="+strings.ToUpper(l1), "")
			},
			check: listLen(13)},
		{name: "processes/index.feature: Admin retrieves an offset-paginated list of processes scoped to machine (id without dashes)",
			setup: func(w *world) req {
				_, _, _, m2 := twoProducts(w, 2, 14)
				return list("/processes?page[number]=1&page[size]=100&machine="+strings.ReplaceAll(m2, "-", ""), "")
			},
			check: listLen(14)},
		{name: "processes/index.feature: Admin retrieves an offset-paginated list of processes scoped to owner (not a UUID)",
			setup: func(w *world) req {
				twoProducts(w, 2, 3) // ownerless machines
				return list("/processes?owner=nobody", "")
			},
			check: listLen(0)},
		{name: "processes/index.feature: Admin retrieves an offset-paginated list of processes with a page size that is too high", status: 400,
			setup: func(w *world) req { twenty(w); return list("/processes?page[number]=1&page[size]=250", "") }},
		{name: "processes/index.feature: Admin retrieves an offset-paginated list of processes with a page size that is too low", status: 400,
			setup: func(w *world) req { twenty(w); return list("/processes?page[number]=1&page[size]=0", "") }},
		{name: "processes/index.feature: Admin retrieves an offset-paginated list of processes with an invalid page number", status: 400,
			setup: func(w *world) req { twenty(w); return list("/processes?page[number]=-1&page[size]=10", "") }},
		{name: "processes/index.feature: Admin retrieves an offset-paginated list of processes with an invalid page param", status: 400,
			setup: func(w *world) req { twenty(w); return list("/processes?page=1&size=100", "") }},
		{name: "processes/index.feature: Admin retrieves a keyset-paginated list of processes (first page)",
			setup: func(w *world) req { nineteen(w); return list("/processes?page[size]=5&page[cursor]=", "") },
			check: func(t *testing.T, w *world, r *reply) {
				prs := seededIDs(w)
				assert.Equal(t, prs[len(prs)-5], listedIDs(r)[4])
				wantLinks(map[string]any{"self": base(w) + "?page[cursor]=&page[size]=5",
					"next": base(w) + "?page[cursor]=" + prs[len(prs)-5] + "&page[size]=5"})(t, w, r)
			}},
		{name: "processes/index.feature: Admin retrieves a keyset-paginated list of processes (next page)",
			setup: func(w *world) req {
				prs := nineteen(w)
				return list("/processes?page[size]=5&page[cursor]="+prs[len(prs)-5], "")
			},
			check: func(t *testing.T, w *world, r *reply) {
				prs := seededIDs(w)
				assert.Len(t, r.list(), 5)
				wantLinks(map[string]any{"self": base(w) + "?page[cursor]=" + prs[len(prs)-5] + "&page[size]=5",
					"next": base(w) + "?page[cursor]=" + prs[len(prs)-10] + "&page[size]=5"})(t, w, r)
			}},
		{name: "processes/index.feature: Admin retrieves a keyset-paginated list of processes (last page)",
			setup: func(w *world) req {
				prs := nineteen(w)
				return list("/processes?page[size]=5&page[cursor]="+prs[len(prs)-15], "")
			},
			check: func(t *testing.T, w *world, r *reply) {
				prs := seededIDs(w)
				assert.Len(t, r.list(), 4)
				wantLinks(map[string]any{"self": base(w) + "?page[cursor]=" + prs[len(prs)-15] + "&page[size]=5", "next": nil})(t, w, r)
			}},
		{name: "processes/index.feature: Admin retrieves all processes without a limit for their account",
			setup: func(w *world) req { twenty(w); return list("/processes", "") }, check: listLen(10)},
		{name: "processes/index.feature: Admin retrieves all processes with a low limit for their account",
			setup: func(w *world) req { procOn(w, procPolicy(w, nil), false, 10); return list("/processes?limit=5", "") }, check: listLen(5)},
		{name: "processes/index.feature: Admin retrieves all processes with a high limit for their account",
			setup: func(w *world) req { twenty(w); return list("/processes?limit=20", "") }, check: listLen(20)},
		{name: "processes/index.feature: Admin retrieves all processes with a limit that is too high", status: 400,
			setup: func(w *world) req { procOn(w, procPolicy(w, nil), false, 2); return list("/processes?limit=900", "") }},
		{name: "processes/index.feature: Admin retrieves all processes with a limit that is too low", status: 400,
			setup: func(w *world) req { procOn(w, procPolicy(w, nil), false, 2); return list("/processes?limit=0", "") }},
		{name: "processes/index.feature: Admin retrieves all alive processes",
			setup: func(w *world) req { statusWorld(w); return list("/processes?status=alive", "") }, check: listLen(3)},
		{name: "processes/index.feature: Admin retrieves all dead processes",
			setup: func(w *world) req { statusWorld(w); return list("/processes?status=dead", "") }, check: listLen(2)},
		{name: "processes/index.feature: Product retrieves all processes for their product",
			setup: func(w *world) req {
				procOn(w, procPolicy(w, nil), false, 1)
				procOn(w, w.pol2, false, 5)
				return list("/processes", w.prodAuth)
			},
			check: listLen(1)},
		{name: "processes/index.feature: Admin attempts to retrieve all processes for another account", status: 401,
			setup: func(w *world) req { return list("/processes", w.otherAcct) },
			check: func(t *testing.T, w *world, r *reply) { assert.Len(t, r.doc["errors"], 1) }},
		{name: "processes/index.feature: User attempts to retrieve all processes for their group",
			setup: func(w *world) req {
				g1 := w.mustCreate("/groups", "groups", map[string]any{"name": "g1"}, nil)
				g2 := w.mustCreate("/groups", "groups", map[string]any{"name": "g2"}, nil)
				require.Equal(w.t, 200, w.do(req{method: "POST", path: "/groups/" + g1 + "/owners",
					body: map[string]any{"data": []any{map[string]any{"type": "users", "id": w.owner}}}}).status)
				lic := w.licenseOf(procPolicy(w, nil), false, false, nil)
				ms := procMachines(w, lic, 4, "")
				w.withStore(func(db *store) {
					for i, g := range []string{g1, g1, g2, g2} {
						db.machines[ms[i]].GroupID = ptr(g)
					}
				})
				for i, n := range []int{3, 1, 7, 2} {
					seedProcesses(w, ms[i], n, nil)
				}
				procOn(w, procPolicy(w, nil), false, 5)
				return list("/processes", w.ownerAuth)
			},
			check: listLen(0)},
		{name: "processes/index.feature: User attempts to retrieve all processes for their license (license owner)",
			setup: func(w *world) req {
				procOn(w, procPolicy(w, nil), true, 3)
				procOn(w, procPolicy(w, nil), false, 2)
				return list("/processes", w.ownerAuth)
			},
			check: listLen(3)},
		{name: "processes/index.feature: User attempts to retrieve all processes for their license (license user)",
			setup: func(w *world) req {
				lic := w.licenseOf(procPolicy(w, nil), false, true, nil)
				seedProcesses(w, procMachines(w, lic, 1, "")[0], 3, nil)
				procOn(w, procPolicy(w, nil), false, 2)
				return list("/processes", w.luAuth)
			},
			check: listLen(3)},
		{name: "processes/index.feature: License retrieves all processes for their license with matches",
			setup: func(w *world) req {
				lic, _, _ := procOn(w, procPolicy(w, nil), false, 3)
				procOn(w, procPolicy(w, nil), false, 2)
				return list("/processes", w.licenseAuth(lic, nil))
			},
			check: listLen(3)},
		{name: "processes/index.feature: License retrieves all processes for their license with no matches",
			setup: func(w *world) req {
				lic := w.licenseOf(procPolicy(w, nil), false, false, nil)
				procOn(w, procPolicy(w, nil), false, 5)
				return list("/processes", w.licenseAuth(lic, nil))
			},
			check: listLen(0)},

		// show.feature
		{name: "processes/show.feature: Admin retrieves a process for their account (alive)", attrs: map[string]any{"status": "ALIVE"},
			setup: func(w *world) req {
				_, _, prs := procOn(w, procPolicy(w, nil), false, 1)
				return getAs("/processes/"+prs[0], "")
			}},
		{name: "processes/show.feature: Admin retrieves a process for their account (dead)", attrs: map[string]any{"status": "DEAD"},
			setup: func(w *world) req {
				_, m, _ := procOn(w, procPolicy(w, map[string]any{"heartbeatCullStrategy": "KEEP_DEAD"}), false, 0)
				prs := seedProcesses(w, m, 1, ago(time.Hour))
				return getAs("/processes/"+prs[0], "")
			}},
		{name: "processes/show.feature: Admin retrieves an invalid process for their account", status: 404,
			title: "Not found", code: "NOT_FOUND", detail: "The requested machine process 'invalid' was not found",
			setup: func(w *world) req { return getAs("/processes/invalid", "") }},
		{name: "machines/relationships/processes.feature: Admin retrieves a process for a machine (invalid process)", status: 404,
			title: "Not found", code: "NOT_FOUND", detail: "The requested machine process 'invalid' was not found",
			setup: func(w *world) req {
				_, m, _ := procOn(w, procPolicy(w, nil), false, 1)
				return getAs("/machines/"+m+"/processes/invalid", "")
			}},
		// Beyond the feature: the machine's processes relationship has a status scope too
		// (app/controllers/api/v1/machines/relationships/machine_processes_controller.rb).
		{name: "machines/relationships/processes.feature: Admin retrieves an offset-paginated list of processes for a machine with no other pages (status=dead)",
			setup: func(w *world) req {
				_, m, _ := procOn(w, procPolicy(w, map[string]any{"heartbeatCullStrategy": "KEEP_DEAD"}), false, 0)
				seedProcesses(w, m, 2, nil)
				seedProcesses(w, m, 3, ago(time.Hour))
				return getAs("/machines/"+m+"/processes?status=dead", "")
			},
			check: listLen(3)},
		// Beyond the feature: the id is a Postgres uuid, which also parses without dashes and
		// in upper case (UUID_RE, config/initializers/regexp.rb).
		{name: "processes/show.feature: Admin retrieves a process for their account (alive) (id without dashes)", attrs: map[string]any{"status": "ALIVE"},
			setup: func(w *world) req {
				_, _, prs := procOn(w, procPolicy(w, nil), false, 1)
				return getAs("/processes/"+strings.ToUpper(strings.ReplaceAll(prs[0], "-", "")), "")
			},
			check: func(t *testing.T, w *world, r *reply) { assert.Equal(t, seededIDs(w)[0], r.id()) }},
		{name: "processes/show.feature: Product retrieves a process for their product",
			setup: func(w *world) req {
				_, _, prs := procOn(w, procPolicy(w, nil), false, 1)
				return getAs("/processes/"+prs[0], w.prodAuth)
			}},
		{name: "processes/show.feature: Product attempts to retrieve a process for another product", status: 404,
			setup: func(w *world) req {
				_, _, prs := procOn(w, w.pol2, false, 1)
				return getAs("/processes/"+prs[0], w.prodAuth)
			}},
		{name: "processes/show.feature: User retrieves a process for their license (license owner)",
			setup: func(w *world) req {
				_, _, prs := procOn(w, procPolicy(w, nil), true, 3)
				return getAs("/processes/"+prs[0], w.ownerAuth)
			}},
		{name: "processes/show.feature: User retrieves a process for their license (license user)",
			setup: func(w *world) req {
				lic := w.licenseOf(procPolicy(w, nil), false, true, nil)
				prs := seedProcesses(w, procMachines(w, lic, 1, "")[0], 3, nil)
				return getAs("/processes/"+prs[0], w.luAuth)
			}},
		{name: "processes/show.feature: User retrieves a process for a license they don't own", status: 404,
			setup: func(w *world) req {
				_, _, prs := procOn(w, procPolicy(w, nil), false, 3)
				return getAs("/processes/"+prs[0], w.ownerAuth)
			}},
		{name: "processes/show.feature: License retrieves a process for their license",
			setup: func(w *world) req {
				lic, _, prs := procOn(w, procPolicy(w, nil), false, 3)
				return getAs("/processes/"+prs[0], w.licenseAuth(lic, nil))
			}},
		{name: "processes/show.feature: License retrieves a process for another license", status: 404,
			setup: func(w *world) req {
				lic := w.licenseOf(procPolicy(w, nil), false, false, nil)
				_, _, prs := procOn(w, procPolicy(w, nil), false, 1)
				return getAs("/processes/"+prs[0], w.licenseAuth(lic, nil))
			}},
		{name: "processes/show.feature: Admin attempts to retrieve a process for another account", status: 401,
			setup: func(w *world) req {
				_, _, prs := procOn(w, procPolicy(w, nil), false, 3)
				return getAs("/processes/"+prs[0], w.otherAcct)
			},
			check: func(t *testing.T, w *world, r *reply) { assert.Len(t, r.doc["errors"], 1) }},
	}...)
	runEach(t, fresh, cases)
}

// seededIDs are the account's processes, oldest first.
func seededIDs(w *world) []string {
	var ids []string
	w.withStore(func(db *store) {
		prs := ofAccount(db.lic.processes, w.srv.AccountID, nil)
		for i := len(prs) - 1; i >= 0; i-- {
			ids = append(ids, prs[i].ID)
		}
	})
	return ids
}

func TestProcessesWriteFeature(t *testing.T) {
	t.Parallel()
	fresh := func(t *testing.T) *world { return newLicensingWorld(t, nil) }
	kill := func(auth, id string) req { return req{method: "DELETE", path: "/processes/" + id, auth: auth} }
	patch := func(auth, id string, attrs map[string]any) req {
		body := doc("processes", attrs, nil)
		body["data"].(map[string]any)["id"] = id
		return req{method: "PATCH", path: "/processes/" + id, auth: auth, body: body}
	}
	serverID := map[string]any{"metadata": map[string]any{"serverId": "0000"}}
	var cases []apiCase
	for _, role := range []struct {
		kill, update string
		killed       int
		updated      int
		auth         func(w *world) string
		detail       string
	}{
		{"Developer kills one of their processes", "Developer updates a process", 204, 200, func(w *world) string { return w.devAuth }, ""},
		{"Sales kills one of their processes", "Sales updates a process", 204, 200, func(w *world) string { return w.salesAuth }, ""},
		{"Support kills one of their processes", "Support updates a process", 403, 200, func(w *world) string { return w.supportAuth }, denied},
		{"Read-only kills one of their processes", "Read only updates a process", 403, 403, func(w *world) string { return w.roAuth }, roLacks},
	} {
		role := role
		left := 2
		if role.killed == 403 {
			left = 3
		}
		cases = append(cases,
			apiCase{name: "processes/destroy.feature: " + role.kill, status: role.killed, detail: role.detail,
				setup: func(w *world) req {
					_, _, prs := procOn(w, procPolicy(w, nil), false, 3)
					return kill(role.auth(w), prs[2])
				},
				check: wantProcessCount(left)},
			apiCase{name: "processes/update.feature: " + role.update, status: role.updated,
				setup: func(w *world) req {
					_, _, prs := procOn(w, procPolicy(w, nil), false, 1)
					return patch(role.auth(w), prs[0], serverID)
				},
				check: func(t *testing.T, w *world, r *reply) {
					if role.updated == 403 {
						assert.Equal(t, roLacks, r.detail())
						return
					}
					assert.Equal(t, map[string]any{"serverId": "0000"}, r.attrs()["metadata"])
				}})
	}
	cases = append(cases, []apiCase{
		{name: "processes/destroy.feature: Admin kills one of their processes", status: 204,
			setup: func(w *world) req {
				_, _, prs := procOn(w, procPolicy(w, nil), false, 3)
				return kill("", prs[2])
			},
			check: wantProcessCount(2)},
		{name: "processes/destroy.feature: Product kills one of their processes", status: 204,
			setup: func(w *world) req {
				_, _, prs := procOn(w, procPolicy(w, nil), false, 1)
				return kill(w.prodAuth, prs[0])
			},
			check: wantProcessCount(0)},
		{name: "processes/destroy.feature: Product kills a process for a different product", status: 404,
			setup: func(w *world) req {
				_, _, prs := procOn(w, w.pol2, false, 1)
				return kill(w.prodAuth, prs[0])
			},
			check: wantProcessCount(1)},
		{name: "processes/destroy.feature: User attempts to kill a process that belongs to another user", status: 404,
			setup: func(w *world) req {
				_, _, prs := procOn(w, procPolicy(w, nil), false, 3)
				return kill(w.ownerAuth, prs[1])
			},
			check: both(wantProcessCount(3), func(t *testing.T, w *world, r *reply) { assert.Len(t, r.doc["errors"], 1) })},
		{name: "processes/destroy.feature: User kills a process for their unprotected license (license owner)", status: 204,
			setup: func(w *world) req {
				_, _, prs := procOn(w, procPolicy(w, map[string]any{"protected": false}), true, 1)
				return kill(w.ownerAuth, prs[0])
			},
			check: wantProcessCount(0)},
		{name: "processes/destroy.feature: User kills a process for their unprotected license (license user, machine owner)", status: 204,
			setup: func(w *world) req {
				lic := w.licenseOf(procPolicy(w, map[string]any{"protected": false}), false, true, nil)
				prs := seedProcesses(w, procMachines(w, lic, 1, licenseUserID(w))[0], 1, nil)
				return kill(w.luAuth, prs[0])
			},
			check: wantProcessCount(0)},
		{name: "processes/destroy.feature: User kills a process for their unprotected license (license user, not owner)", status: 403, detail: denied,
			setup: func(w *world) req {
				lic := w.licenseOf(procPolicy(w, map[string]any{"protected": false}), false, true, nil)
				prs := seedProcesses(w, procMachines(w, lic, 1, "")[0], 1, nil)
				return kill(w.luAuth, prs[0])
			},
			check: wantProcessCount(1)},
		{name: "processes/destroy.feature: User kills a process for their protected license", status: 403, detail: denied,
			setup: func(w *world) req {
				_, _, prs := procOn(w, procPolicy(w, map[string]any{"protected": true}), true, 1)
				return kill(w.ownerAuth, prs[0])
			},
			check: wantProcessCount(1)},
		{name: "processes/destroy.feature: License kills a process for one of their machines", status: 204,
			setup: func(w *world) req {
				lic := w.licenseOf(procPolicy(w, nil), false, false, nil)
				ms := procMachines(w, lic, 3, "")
				prs := seedProcesses(w, ms[2], 2, nil)
				return kill(w.licenseAuth(lic, nil), prs[0])
			},
			check: wantProcessCount(1)},
		{name: "processes/destroy.feature: License kills a process for a different license", status: 404,
			setup: func(w *world) req {
				lic := w.licenseOf(procPolicy(w, nil), false, false, nil)
				_, _, prs := procOn(w, procPolicy(w, nil), false, 1)
				return kill(w.licenseAuth(lic, nil), prs[0])
			},
			check: wantProcessCount(1)},
		{name: "processes/destroy.feature: Anonymous user attempts to kill a process for their account", status: 401,
			setup: func(w *world) req {
				_, _, prs := procOn(w, procPolicy(w, nil), false, 3)
				return kill("-", prs[1])
			},
			check: both(wantProcessCount(3), func(t *testing.T, w *world, r *reply) { assert.Len(t, r.doc["errors"], 1) })},
		{name: "processes/destroy.feature: Admin attempts to kill a process for another account", status: 401,
			setup: func(w *world) req {
				_, _, prs := procOn(w, procPolicy(w, nil), false, 3)
				return kill(w.otherAcct, prs[1])
			},
			check: both(wantProcessCount(3), func(t *testing.T, w *world, r *reply) { assert.Len(t, r.doc["errors"], 1) })},

		// update.feature
		{name: "processes/update.feature: Admin updates a process", attrs: serverID,
			setup: func(w *world) req {
				_, _, prs := procOn(w, procPolicy(w, nil), false, 1)
				return patch("", prs[0], serverID)
			}},
		{name: "processes/update.feature: Product updates a process",
			setup: func(w *world) req {
				_, _, prs := procOn(w, procPolicy(w, nil), false, 1)
				return patch(w.prodAuth, prs[0], serverID)
			}},
		{name: "processes/update.feature: Product updates a process for a different product", status: 404,
			setup: func(w *world) req {
				_, _, prs := procOn(w, w.pol2, false, 1)
				return patch(w.prodAuth, prs[0], serverID)
			}},
		{name: "processes/update.feature: License updates a process's metadata", status: 400,
			detail: "unpermitted parameter", source: map[string]any{"pointer": "/data/attributes/metadata"},
			setup: func(w *world) req {
				lic, _, prs := procOn(w, procPolicy(w, nil), false, 1)
				return patch(w.licenseAuth(lic, nil), prs[0], serverID)
			}},
		{name: "processes/update.feature: License updates a process for a different license", status: 404,
			setup: func(w *world) req {
				lic := w.licenseOf(procPolicy(w, nil), false, false, nil)
				_, _, prs := procOn(w, procPolicy(w, nil), false, 1)
				return patch(w.licenseAuth(lic, nil), prs[0], serverID)
			}},
		{name: "processes/update.feature: User updates a process (license owner)",
			setup: func(w *world) req {
				_, _, prs := procOn(w, procPolicy(w, nil), true, 1)
				return patch(w.ownerAuth, prs[0], map[string]any{})
			}},
		// Beyond the feature: an update that changes nothing does not touch updated (Rails
		// saves, and stamps updated_at, only changed records).
		{name: "processes/update.feature: User updates a process (license owner, nothing changes)",
			setup: func(w *world) req {
				_, _, prs := procOn(w, procPolicy(w, nil), true, 1)
				w.srv.Advance(time.Minute)
				return patch(w.ownerAuth, prs[0], map[string]any{})
			},
			check: func(t *testing.T, w *world, r *reply) { assert.Equal(t, r.attrs()["created"], r.attrs()["updated"]) }},
		{name: "processes/update.feature: Admin updates a process (metadata changes)", attrs: serverID,
			setup: func(w *world) req {
				_, _, prs := procOn(w, procPolicy(w, nil), false, 1)
				w.srv.Advance(time.Minute)
				return patch("", prs[0], serverID)
			},
			check: func(t *testing.T, w *world, r *reply) { assert.NotEqual(t, r.attrs()["created"], r.attrs()["updated"]) }},
		{name: "processes/update.feature: User updates a process (license user, machine owner)",
			setup: func(w *world) req {
				lic := w.licenseOf(procPolicy(w, nil), false, true, nil)
				prs := seedProcesses(w, procMachines(w, lic, 1, licenseUserID(w))[0], 1, nil)
				return patch(w.luAuth, prs[0], map[string]any{})
			}},
		{name: "processes/update.feature: User updates a process (license user, not owner)", status: 403, detail: denied,
			setup: func(w *world) req {
				lic := w.licenseOf(procPolicy(w, nil), false, true, nil)
				prs := seedProcesses(w, procMachines(w, lic, 1, "")[0], 1, nil)
				return patch(w.luAuth, prs[0], map[string]any{})
			}},
		{name: "processes/update.feature: User updates a process's metadata", status: 400,
			detail: "unpermitted parameter", source: map[string]any{"pointer": "/data/attributes/metadata"},
			setup: func(w *world) req {
				_, _, prs := procOn(w, procPolicy(w, nil), true, 1)
				return patch(w.ownerAuth, prs[0], serverID)
			}},
		{name: "processes/update.feature: User updates a process for a different user", status: 404,
			setup: func(w *world) req {
				_, _, prs := procOn(w, procPolicy(w, nil), false, 1)
				return patch(w.ownerAuth, prs[0], serverID)
			}},
		// Beyond the feature: MachineProcessPolicy#update? allows the license on a protected
		// license too.
		{name: "processes/update.feature: License updates a process (protected license, no metadata)",
			setup: func(w *world) req {
				lic, _, prs := procOn(w, procPolicy(w, map[string]any{"protected": true}), false, 1)
				return patch(w.licenseAuth(lic, nil), prs[0], map[string]any{})
			},
			check: func(t *testing.T, w *world, r *reply) { assert.Equal(t, "processes", r.data()["type"]) }},
		{name: "processes/update.feature: Admin updates a process (no attributes)", status: 400,
			title: "Bad request", detail: "is missing", source: map[string]any{"pointer": "/data/attributes"},
			setup: func(w *world) req {
				_, _, prs := procOn(w, procPolicy(w, nil), false, 1)
				return req{method: "PATCH", path: "/processes/" + prs[0], body: map[string]any{"data": map[string]any{"type": "processes", "id": prs[0]}}}
			}},
		{name: "processes/update.feature: Admin updates a process (metadata with too many keys)", status: 422,
			title: unprocessed, code: "METADATA_TOO_LONG", detail: "too many keys (exceeded limit of 64 keys)",
			source: map[string]any{"pointer": "/data/attributes/metadata"},
			setup: func(w *world) req {
				_, _, prs := procOn(w, procPolicy(w, nil), false, 1)
				md := map[string]any{}
				for i := 0; i < 65; i++ {
					md[fmt.Sprintf("k%d", i)] = i
				}
				return patch("", prs[0], map[string]any{"metadata": md})
			},
			check: func(t *testing.T, w *world, r *reply) {
				assert.Equal(t, map[string]any{}, w.get("/processes/" + seededIDs(w)[0]).attrs()["metadata"])
			}},
		{name: "processes/update.feature: Anonymous updates a process", status: 401,
			setup: func(w *world) req {
				_, _, prs := procOn(w, procPolicy(w, nil), false, 1)
				return patch("-", prs[0], serverID)
			}},
	}...)
	runEach(t, fresh, cases)
}

func TestProcessesRelationshipsFeature(t *testing.T) {
	t.Parallel()
	fresh := func(t *testing.T) *world { return newLicensingWorld(t, nil) }
	types := map[string]string{"license": "licenses", "machine": "machines", "product": "products"}
	get := func(rel, auth, id string) req { return getAs("/processes/"+id+"/"+rel, auth) }
	isRel := func(rel string) func(t *testing.T, w *world, r *reply) {
		return func(t *testing.T, w *world, r *reply) { assert.Equal(t, types[rel], r.data()["type"], string(r.body)) }
	}
	// One builder per scenario shape; rel is the relationship ("license", "machine", "product").
	admin := func(rel, name string) apiCase {
		return apiCase{name: name, check: isRel(rel),
			setup: func(w *world) req { _, _, prs := procOn(w, procPolicy(w, nil), false, 3); return get(rel, "", prs[0]) }}
	}
	product := func(rel, name string) apiCase {
		return apiCase{name: name, check: isRel(rel),
			setup: func(w *world) req {
				_, _, prs := procOn(w, procPolicy(w, nil), false, 1)
				return get(rel, w.prodAuth, prs[0])
			}}
	}
	otherProduct := func(rel, name string) apiCase {
		return apiCase{name: name, status: 404,
			setup: func(w *world) req { _, _, prs := procOn(w, w.pol2, false, 1); return get(rel, w.prodAuth, prs[0]) }}
	}
	userOwns := func(rel, name string) apiCase {
		return apiCase{name: name, check: isRel(rel),
			setup: func(w *world) req {
				_, _, prs := procOn(w, procPolicy(w, nil), true, 3)
				return get(rel, w.ownerAuth, prs[0])
			}}
	}
	userHas := func(rel, name string) apiCase {
		return apiCase{name: name, check: isRel(rel),
			setup: func(w *world) req {
				lic := w.licenseOf(procPolicy(w, nil), false, true, nil)
				prs := seedProcesses(w, procMachines(w, lic, 1, "")[0], 3, nil)
				return get(rel, w.luAuth, prs[0])
			}}
	}
	userOther := func(rel, name string) apiCase {
		return apiCase{name: name, status: 404,
			setup: func(w *world) req {
				_, _, prs := procOn(w, procPolicy(w, nil), false, 3)
				return get(rel, w.ownerAuth, prs[0])
			}}
	}
	license := func(rel, name string) apiCase {
		return apiCase{name: name, check: isRel(rel),
			setup: func(w *world) req {
				lic, _, prs := procOn(w, procPolicy(w, nil), false, 2)
				return get(rel, w.licenseAuth(lic, nil), prs[1])
			}}
	}
	licenseOther := func(rel, name string) apiCase {
		return apiCase{name: name, status: 404,
			setup: func(w *world) req {
				lic := w.licenseOf(procPolicy(w, nil), false, false, nil)
				_, _, prs := procOn(w, procPolicy(w, nil), false, 2)
				return get(rel, w.licenseAuth(lic, nil), prs[1])
			}}
	}
	anonymous := func(rel, name string) apiCase {
		return apiCase{name: name, status: 401,
			setup: func(w *world) req { _, _, prs := procOn(w, procPolicy(w, nil), false, 1); return get(rel, "-", prs[0]) }}
	}
	otherAccount := func(rel, name string) apiCase {
		return apiCase{name: name, status: 401,
			setup: func(w *world) req {
				_, _, prs := procOn(w, procPolicy(w, nil), false, 3)
				return get(rel, w.otherAcct, prs[0])
			}}
	}
	runEach(t, fresh, []apiCase{
		admin("license", "processes/relationships/license.feature: Admin retrieves the license for a process"),
		product("license", "processes/relationships/license.feature: Product retrieves the license for a process"),
		otherProduct("license", "processes/relationships/license.feature: Product retrieves the license for a process of different product"),
		userOwns("license", "processes/relationships/license.feature: User attempts to retrieve the license for a process they own"),
		userHas("license", "processes/relationships/license.feature: User attempts to retrieve the license for a process they have"),
		userOther("license", "processes/relationships/license.feature: User attempts to retrieve the license for a process they don't own"),
		license("license", "processes/relationships/license.feature: License attempts to retrieves the license of a process"),
		licenseOther("license", "processes/relationships/license.feature: License attempts to retrieve the license for a process they don't own"),
		anonymous("license", "processes/relationships/license.feature: Anonymous attempts to retrieve a processes's license"),
		otherAccount("license", "processes/relationships/license.feature: Admin attempts to retrieve the license for a process of another account"),

		admin("machine", "processes/relationships/machine.feature: Admin retrieves the machine for a process"),
		product("machine", "processes/relationships/machine.feature: Product retrieves the machine for a process"),
		otherProduct("machine", "processes/relationships/machine.feature: Product retrieves the machine for a process of different product"),
		userOwns("machine", "processes/relationships/machine.feature: User attempts to retrieve the machine for a process they own"),
		userHas("machine", "processes/relationships/machine.feature: User attempts to retrieve the machine for a process they have"),
		userOther("machine", "processes/relationships/machine.feature: User attempts to retrieve the machine for a process they don't own"),
		license("machine", "processes/relationships/machine.feature: License attempts to retrieves the machine of a process"),
		licenseOther("machine", "processes/relationships/machine.feature: License attempts to retrieve the machine for a process they don't own"),
		anonymous("machine", "processes/relationships/machine.feature: Anonymous attempts to retrieve a processes's license"),
		otherAccount("machine", "processes/relationships/machine.feature: Admin attempts to retrieve the machine for a process of another account"),

		admin("product", "processes/relationships/product.feature: Admin retrieves the product for a process"),
		product("product", "processes/relationships/product.feature: Product retrieves the product for a process"),
		otherProduct("product", "processes/relationships/product.feature: Product retrieves the product for a process of different product"),
		userOther("product", "processes/relationships/product.feature: User attempts to retrieve the product for a process they don't own"),
		licenseOther("product", "processes/relationships/product.feature: License attempts to retrieve the product for a process they don't own"),
		anonymous("product", "processes/relationships/product.feature: Anonymous attempts to retrieve a processes's license"),
		otherAccount("product", "processes/relationships/product.feature: Admin attempts to retrieve the product for a process of another account"),
		{name: "processes/relationships/product.feature: User attempts to retrieve the product for a process they own (default permission)",
			status: 403, detail: userLacks,
			setup: func(w *world) req {
				_, _, prs := procOn(w, procPolicy(w, nil), true, 3)
				return get("product", w.ownerAuth, prs[0])
			}},
		{name: "processes/relationships/product.feature: License attempts to retrieves the product of a process (default permission)",
			status: 403, detail: licLacks,
			setup: func(w *world) req {
				lic, _, prs := procOn(w, procPolicy(w, nil), false, 2)
				return get("product", w.licenseAuth(lic, nil), prs[1])
			}},
	})
}

// Every non-EE scenario of features/api/v1/machines/relationships/processes.feature
// (app/controllers/api/v1/machines/relationships/machine_processes_controller.rb).
func TestMachineProcessesRelationshipFeature(t *testing.T) {
	t.Parallel()
	fresh := func(t *testing.T) *world { return newLicensingWorld(t, nil) }
	const f = "machines/relationships/processes.feature: "
	base := func(w *world, m string) string {
		return "/v1/accounts/" + w.srv.AccountID + "/machines/" + m + "/processes"
	}
	isProcess := func(t *testing.T, w *world, r *reply) { assert.Equal(t, "processes", r.data()["type"], string(r.body)) }
	runEach(t, fresh, []apiCase{
		{name: f + "Admin retrieves an offset-paginated list of processes for a machine with no other pages",
			setup: func(w *world) req {
				_, m, _ := procOn(w, procPolicy(w, nil), false, 2)
				return getAs("/machines/"+m+"/processes?page[number]=1&page[size]=5", "")
			},
			check: func(t *testing.T, w *world, r *reply) {
				assert.Len(t, r.list(), 2)
				m := seededMachine(w)
				self := base(w, m) + "?page[number]=1&page[size]=5"
				wantLinks(map[string]any{"self": self, "prev": nil, "next": nil, "first": self, "last": self,
					"meta": map[string]any{"pages": float64(1), "count": float64(2)}})(t, w, r)
			}},
		{name: f + "Admin retrieves an offset-paginated list of processes for a machine with other pages",
			setup: func(w *world) req {
				_, m, _ := procOn(w, procPolicy(w, nil), false, 20)
				return getAs("/machines/"+m+"/processes?page[number]=1&page[size]=5", "")
			},
			check: func(t *testing.T, w *world, r *reply) {
				assert.Len(t, r.list(), 5)
				b := base(w, seededMachine(w))
				wantLinks(map[string]any{"self": b + "?page[number]=1&page[size]=5", "prev": nil, "next": b + "?page[number]=2&page[size]=5",
					"first": b + "?page[number]=1&page[size]=5", "last": b + "?page[number]=4&page[size]=5",
					"meta": map[string]any{"pages": float64(4), "count": float64(20)}})(t, w, r)
			}},
		{name: f + "Admin retrieves the processes for a machine by fingerprint",
			setup: func(w *world) req {
				lic := w.licenseOf(procPolicy(w, nil), false, false, nil)
				seedProcesses(w, w.createMachine(lic, "foo", nil), 3, nil)
				return getAs("/machines/foo/processes", "")
			},
			check: listLen(3)},
		{name: f + "Product retrieves the processes for a machine",
			setup: func(w *world) req {
				_, m, _ := procOn(w, procPolicy(w, nil), false, 3)
				return getAs("/machines/"+m+"/processes", w.prodAuth)
			},
			check: listLen(3)},
		{name: f + "Product retrieves the processes for a different product's machine", status: 404,
			setup: func(w *world) req {
				_, m, _ := procOn(w, w.pol2, false, 3)
				return getAs("/machines/"+m+"/processes", w.prodAuth)
			}},
		{name: f + "License retrieves the processes for a machine",
			setup: func(w *world) req {
				lic, m, _ := procOn(w, procPolicy(w, nil), false, 3)
				return getAs("/machines/"+m+"/processes", w.licenseAuth(lic, nil))
			},
			check: listLen(3)},
		{name: f + "License retrieves the processes for different license's machine", status: 404,
			setup: func(w *world) req {
				lic := w.licenseOf(procPolicy(w, nil), false, false, nil)
				_, m, _ := procOn(w, procPolicy(w, nil), false, 3)
				return getAs("/machines/"+m+"/processes", w.licenseAuth(lic, nil))
			}},
		{name: f + "User retrieves the processes for their machine (license owner)",
			setup: func(w *world) req {
				_, m, _ := procOn(w, procPolicy(w, nil), true, 3)
				return getAs("/machines/"+m+"/processes", w.ownerAuth)
			},
			check: listLen(3)},
		{name: f + "User retrieves the processes for their machine (license user)",
			setup: func(w *world) req {
				lic := w.licenseOf(procPolicy(w, nil), false, true, nil)
				m := procMachines(w, lic, 1, "")[0]
				seedProcesses(w, m, 3, nil)
				return getAs("/machines/"+m+"/processes", w.luAuth)
			},
			check: listLen(3)},
		{name: f + "User retrieves the processes for different user's machine", status: 404,
			setup: func(w *world) req {
				_, m, _ := procOn(w, procPolicy(w, nil), false, 3)
				return getAs("/machines/"+m+"/processes", w.ownerAuth)
			}},
		{name: f + "Admin retrieves a process for a machine", check: isProcess,
			setup: func(w *world) req {
				_, m, prs := procOn(w, procPolicy(w, nil), false, 3)
				return getAs("/machines/"+m+"/processes/"+prs[0], "")
			}},
		{name: f + "Product retrieves a process for a machine", check: isProcess,
			setup: func(w *world) req {
				_, m, prs := procOn(w, procPolicy(w, nil), false, 3)
				return getAs("/machines/"+m+"/processes/"+prs[0], w.prodAuth)
			}},
		{name: f + "User retrieves a machine's process (license owner)", check: isProcess,
			setup: func(w *world) req {
				_, m, prs := procOn(w, procPolicy(w, nil), true, 1)
				return getAs("/machines/"+m+"/processes/"+prs[0], w.ownerAuth)
			}},
		{name: f + "User retrieves a machine's process (license user)", check: isProcess,
			setup: func(w *world) req {
				lic := w.licenseOf(procPolicy(w, nil), false, true, nil)
				m := procMachines(w, lic, 1, "")[0]
				prs := seedProcesses(w, m, 1, nil)
				return getAs("/machines/"+m+"/processes/"+prs[0], w.luAuth)
			}},
		{name: f + "User retireves a machine's process for a different user", status: 404,
			setup: func(w *world) req {
				lic := w.licenseOf(procPolicy(w, nil), false, false, nil)
				third := w.createUser("third@example.com")
				w.mutLicense(lic, func(l *license) { l.OwnerID = ptr(third) })
				m := procMachines(w, lic, 1, "")[0]
				prs := seedProcesses(w, m, 1, nil)
				return getAs("/machines/"+m+"/processes/"+prs[0], w.ownerAuth)
			}},
		{name: f + "License retrieves a machine's process", check: isProcess,
			setup: func(w *world) req {
				lic, m, prs := procOn(w, procPolicy(w, nil), false, 3)
				return getAs("/machines/"+m+"/processes/"+prs[0], w.licenseAuth(lic, nil))
			}},
		{name: f + "License retireves a machine's process for a different license", status: 404,
			setup: func(w *world) req {
				lic := w.licenseOf(procPolicy(w, nil), false, false, nil)
				_, m, prs := procOn(w, procPolicy(w, nil), false, 3)
				return getAs("/machines/"+m+"/processes/"+prs[0], w.licenseAuth(lic, nil))
			}},
		{name: f + "License retrieves a wrongly scoped machine's process", status: 404,
			title: "Not found", code: "NOT_FOUND",
			setup: func(w *world) req {
				lic, m0, _ := procOn(w, procPolicy(w, nil), false, 1)
				_, _, other := procOn(w, procPolicy(w, nil), false, 1)
				return getAs("/machines/"+m0+"/processes/"+other[0], w.licenseAuth(lic, nil))
			},
			check: func(t *testing.T, w *world, r *reply) {
				assert.Contains(t, r.detail(), "The requested machine process '")
			}},
		{name: f + "Admin attempts to retrieve the processes for a machine of another account", status: 401,
			setup: func(w *world) req {
				_, m, _ := procOn(w, procPolicy(w, nil), false, 3)
				return getAs("/machines/"+m+"/processes", w.otherAcct)
			}},
	})
}

// seededMachine is the one machine of the world's account.
func seededMachine(w *world) string {
	var id string
	w.withStore(func(db *store) {
		for _, m := range db.machines {
			id = m.ID
		}
	})
	return id
}
