package keygentest

import (
	"fmt"
	"reflect"
	"time"
)

// Machine processes (app/models/machine_process.rb,
// app/controllers/api/v1/machine_processes_controller.rb,
// app/controllers/api/v1/machine_processes/actions/heartbeats_controller.rb,
// app/policies/machine_process_policy.rb, app/workers/process_heartbeat_worker.rb,
// app/serializers/machine_process_serializer.rb). Specs: features/api/v1/processes/*.feature.

// process is a process spawned on a machine; it lives while it keeps pinging.
type process struct {
	base
	MachineID     string
	PID           string
	LastHeartbeat time.Time
	// DeathEventSent is set once process.heartbeat.dead was emitted (reset by a revive).
	DeathEventSent bool
	Metadata       map[string]any
}

// processPolicy is the policy of the process's machine (nil when gone).
func processPolicy(db *store, pr *process) *policy {
	if m := db.machines[pr.MachineID]; m != nil {
		return machinePolicy(db, m)
	}
	return nil
}

// processInterval is the heartbeat interval: the policy's heartbeatDuration, else 600 s.
func processInterval(db *store, pr *process) int64 { return heartbeatDuration(processPolicy(db, pr)) }

func processNextHeartbeat(db *store, pr *process) time.Time {
	return pr.LastHeartbeat.Add(time.Duration(processInterval(db, pr)) * time.Second)
}

// processStatus is MachineProcess#status: ALIVE until the next heartbeat is overdue, then
// DEAD.
func processStatus(db *store, pr *process, now time.Time) string {
	if processNextHeartbeat(db, pr).Before(now) {
		return "DEAD"
	}
	return "ALIVE"
}

// machineProcesses are a machine's processes, newest first.
func (db *store) machineProcesses(machineID string) []*process {
	var out []*process
	for _, pr := range db.lic.processes {
		if pr.MachineID == machineID {
			out = append(out, pr)
		}
	}
	sortNewest(out)
	return out
}

// leasedProcesses are the processes counted against maxProcesses by the policy's
// processLeasingStrategy: the machine's (PER_MACHINE), the license's (PER_LICENSE), or the
// license's on machines with the same owner as m (PER_USER; ownerless machines together).
func leasedProcesses(db *store, l *license, pol *policy, m *machine) []*process {
	var out []*process
	for _, lm := range db.licenseMachines(l) {
		switch pol.ProcessLeasingStrategy {
		case "PER_LICENSE":
		case "PER_USER":
			if deref2(lm.OwnerID) != deref2(m.OwnerID) {
				continue
			}
		default:
			if lm.ID != m.ID {
				continue
			}
		}
		out = append(out, db.machineProcesses(lm.ID)...)
	}
	return out
}

// processLeaseScope names the leasing scope in limit details.
func processLeaseScope(pol *policy) string {
	switch pol.ProcessLeasingStrategy {
	case "PER_LICENSE":
		return "license"
	case "PER_USER":
		return "user"
	}
	return "machine"
}

func (c *call) seesProcess(p *principal, pr *process) bool {
	m := c.db().machines[pr.MachineID]
	return m != nil && c.seesMachine(p, m)
}

// process renders a process; status overrides the computed one (RESURRECTED in the answer
// of the ping that revived it).
func (v view) process(pr *process) *resource { return v.processAs(pr, "") }

func (v view) processAs(pr *process, status string) *resource {
	db := v.db
	if status == "" {
		status = processStatus(db, pr, v.now)
	}
	attrs := map[string]any{
		"pid":           pr.PID,
		"status":        status,
		"lastHeartbeat": fmtTime(pr.LastHeartbeat),
		"nextHeartbeat": fmtTime(processNextHeartbeat(db, pr)),
		"interval":      processInterval(db, pr),
		"metadata":      v.metadata(pr.Metadata),
	}
	r := v.newResource("processes", pr.ID, stamp(attrs, &pr.base))
	var licenseID, productID *string
	if m := db.machines[pr.MachineID]; m != nil {
		licenseID = strPtr(m.LicenseID)
		if pol := machinePolicy(db, m); pol != nil {
			productID = strPtr(pol.ProductID)
		}
	}
	machineID := pr.MachineID
	r.Relationships["product"] = toOne(v.path("processes", pr.ID, "product"), "products", productID)
	r.Relationships["license"] = toOne(v.path("processes", pr.ID, "license"), "licenses", licenseID)
	r.Relationships["machine"] = toOne(v.path("processes", pr.ID, "machine"), "machines", &machineID)
	return r
}

func (s *Server) routeProcesses(r *router) {
	r.post("/processes", s.lazy(s.spawnProcess))
	r.get("/processes", s.lazy(s.listProcesses))
	r.get("/processes/{id}", s.lazy(s.showProcess))
	r.update("/processes/{id}", s.lazy(s.updateProcess))
	r.del("/processes/{id}", s.lazy(s.killProcess))
	// Processes have one action route, ping: no ping-heartbeat alias as machines have
	// (config/routes.rb, resources :machine_processes).
	r.post("/processes/{id}/actions/ping", s.lazy(s.pingProcess))
	for _, rel := range []string{"machine", "license", "product"} {
		r.get("/processes/{id}/"+rel, s.lazy(s.processRelated(rel)))
	}
	r.get("/machines/{id}/processes", s.lazy(s.machineProcessesRel(false)))
	r.get("/machines/{id}/processes/{process}", s.lazy(s.machineProcessesRel(true)))
}

func processSchema(p *principal, create bool) *param {
	a := fields{}
	if create || p.hasRole("admin", "developer", "sales-agent", "support-agent", "product", "environment") {
		a["metadata"] = metadataParam()
	}
	data := fields{"type": str().in("process", "processes"), "attributes": obj(a)}
	if create {
		a["pid"] = str()
		data["id"] = uuidParam().opt()
		// The environment relationship is declared only on EE (Keygen.ee in
		// MachineProcessesController#create's typed params): CE refuses it as unpermitted.
		data["relationships"] = obj(fields{"machine": linkage("machine")})
	} else {
		// attributes is required on update too (MachineProcessesController#update typed_params,
		// app/controllers/api/v1/machine_processes_controller.rb).
		data["id"] = str().opt()
	}
	return obj(fields{"data": obj(data)})
}

// spawnProcess is POST /processes: the pid must be unique on its machine and the process
// limit (maxProcesses, per processLeasingStrategy, with the overage allowance) must hold; a
// refused spawn creates nothing.
func (s *Server) spawnProcess(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	in, err := c.parse(processSchema(p, true))
	if err != nil {
		return err
	}
	db := c.db()
	data := in.obj("data")
	a := data.obj("attributes")
	machineID, _ := data.obj("relationships").obj("machine").obj("data").str("id")
	m := db.machines[machineID]
	if m != nil && m.AccountID != c.acct.ID {
		m = nil
	}
	// MachineProcessPolicy#create?: process.create, then the machine's write rules; the
	// machine is looked up account-wide, so another license's machine is a 403.
	if err := c.authorize(p, "process.create", c.mayWriteComponent(p, m, "create")); err != nil {
		return err
	}
	now := c.now()
	pr := &process{base: newBase(c.acct.ID, now), MachineID: machineID, LastHeartbeat: now, Metadata: map[string]any{}}
	pr.PID, _ = a.str("pid")
	if id, ok := data.str("id"); ok {
		pr.ID = id
	}
	if a.has("metadata") {
		pr.Metadata = orEmpty(a.hash("metadata"))
	}
	// Errors come in MachineProcess's declaration order: machine, pid (uniqueness,
	// exclusion, length), the id conflict, then the process limit
	// (app/models/machine_process.rb).
	v := newInvalid("processes")
	if m == nil {
		v.rel("machine", "NOT_FOUND", "must exist")
	}
	if m != nil {
		for _, o := range db.machineProcesses(m.ID) {
			if o.PID == pr.PID {
				v.attr("pid", "TAKEN", "has already been taken")
				break
			}
		}
	}
	switch {
	case contains(reservedAliases, pr.PID): // a case-sensitive exclusion (EXCLUDED_ALIASES, app/models/application_record.rb)
		v.attr("pid", "NOT_ALLOWED", "is reserved")
	case len(pr.PID) > 4096:
		v.attr("pid", "TOO_LONG", "is too long (maximum is 4096 characters)")
	}
	validateMetadata(v, pr.Metadata)
	if data.has("id") && db.lic.processes[pr.ID] != nil {
		v.attr("id", "CONFLICT", "must not conflict with another process")
	}
	if m != nil {
		if l := db.licenses[m.LicenseID]; l != nil {
			pol := c.licensePolicy(l)
			if max := effective(l.MaxProcesses, pol.MaxProcesses); max != nil && pol.OverageStrategy != "ALWAYS_ALLOW_OVERAGE" {
				n := int64(len(leasedProcesses(db, l, pol, m))) + 1
				if n > *max && !overageAllows(pol.OverageStrategy, n, *max, false) {
					v.record("machine", "PROCESS_LIMIT_EXCEEDED", fmt.Sprintf("process count has exceeded maximum allowed for %s (%d)", processLeaseScope(pol), *max))
				}
			}
		}
	}
	if err := v.err(); err != nil {
		return err
	}
	db.lic.processes[pr.ID] = pr
	res := c.view().process(pr)
	c.emit("process.created", res, nil)
	return c.created(res)
}

func (s *Server) listProcesses(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	db, q, now := c.db(), c.query, c.now()
	items := ofAccount(db.lic.processes, c.acct.ID, func(pr *process) bool {
		if !c.seesProcess(p, pr) {
			return false
		}
		m := db.machines[pr.MachineID]
		l := db.licenses[m.LicenseID]
		// MachineProcess.for_machine joins the machine by id only, not by fingerprint
		// (app/models/machine_process.rb).
		if v := q.Get("machine"); v != "" && !pgIDIs(m.ID, v) {
			return false
		}
		if v := q.Get("license"); v != "" && !pgIDIs(m.LicenseID, v) {
			return false
		}
		if v := q.Get("product"); v != "" && (l == nil || !pgIDIs(c.licenseProductID(l), v)) {
			return false
		}
		if v := q.Get("owner"); v != "" && !pgIDIs(deref2(m.OwnerID), v) {
			return false
		}
		if v := q.Get("user"); v != "" && (l == nil || !licenseHasUser(l, userIDFor(db, c.acct.ID, v))) {
			return false
		}
		if v := lower(q.Get("status")); v != "" && lower(processStatus(db, pr, now)) != v {
			return false
		}
		return true
	})
	if _, err := c.pager(); err != nil {
		return err
	}
	if err := c.verifyPermission(p, "process.read"); err != nil {
		return err
	}
	return paginate(c, items, true, c.view().process)
}

// pgIDIs: the scopes (for_machine, for_license, for_product, for_owner) compare ids as
// Postgres uuids, so any case and missing dashes match, and a value that is no UUID matches
// nothing (app/models/machine_process.rb).
func pgIDIs(got, v string) bool {
	id := pgUUID(v)
	return id != "" && got == id
}

// userIDFor resolves the user filter of MachineProcess.for_user: a UUID is a user id,
// anything else a user id or email (app/models/machine_process.rb).
func userIDFor(db *store, acct, v string) string {
	if id := pgUUID(v); id != "" {
		return id
	}
	for _, u := range db.users {
		if u.AccountID == acct && u.Email == v {
			return u.ID
		}
	}
	return v
}

func (c *call) findProcessFor(p *principal, id string) (*process, error) {
	pr := c.db().lic.processes[pgUUID(id)] // scoped.find casts the id to a Postgres uuid
	if pr == nil || pr.AccountID != c.acct.ID || !c.seesProcess(p, pr) {
		// The model is MachineProcess, named "machine process" in not-found details
		// (app/controllers/application_controller.rb, rescue ActiveRecord::RecordNotFound).
		return nil, errNotFound("machine process", id)
	}
	return pr, nil
}

func (s *Server) showProcess(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	pr, err := c.findProcessFor(p, c.param("id"))
	if err != nil {
		return err
	}
	if err := c.verifyPermission(p, "process.read"); err != nil {
		return err
	}
	return c.ok(c.view().process(pr))
}

func (s *Server) updateProcess(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	pr, err := c.findProcessFor(p, c.param("id"))
	if err != nil {
		return err
	}
	// MachineProcessesController#update authorizes before it reads machine_process_params,
	// which typed_params checks only then: a bearer that may not update gets 403 whatever
	// the body (app/controllers/api/v1/machine_processes_controller.rb).
	// MachineProcessPolicy#update? lets the license update its processes even when its
	// license is protected, unlike MachinePolicy#update? (app/policies/machine_process_policy.rb).
	m := c.db().machines[pr.MachineID]
	allowed := c.mayWriteComponent(p, m, "update") || (p.license != nil && m != nil && p.isLicense(m.LicenseID))
	if err := c.authorize(p, "process.update", allowed); err != nil {
		return err
	}
	in, err := c.parse(processSchema(p, false))
	if err != nil {
		return err
	}
	// machine_process.update saves, and stamps updated_at, only when something changed
	// (ActiveRecord timestamps); the event is broadcast either way
	// (app/controllers/api/v1/machine_processes_controller.rb).
	if a := in.obj("data").obj("attributes"); a.has("metadata") {
		md := orEmpty(a.hash("metadata"))
		v := newInvalid("processes")
		if validateMetadata(v, md); v.err() != nil {
			return v.err()
		}
		if !reflect.DeepEqual(md, pr.Metadata) {
			pr.Metadata, pr.Updated = md, c.now()
		}
	}
	res := c.view().process(pr)
	c.emit("process.updated", res, nil)
	return c.ok(res)
}

func (s *Server) killProcess(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	pr, err := c.findProcessFor(p, c.param("id"))
	if err != nil {
		return err
	}
	if err := c.authorize(p, "process.delete", c.mayWriteComponent(p, c.db().machines[pr.MachineID], "delete")); err != nil {
		return err
	}
	c.emit("process.deleted", c.view().process(pr), nil)
	delete(c.db().lic.processes, pr.ID)
	return c.noContent()
}

// pingProcess is POST /processes/{id}/actions/ping: an alive process gets a fresh
// heartbeat; a dead one is revived (RESURRECTED in this answer) when the policy's
// resurrection strategy and window allow, else 422 PROCESS_HEARTBEAT_DEAD.
func (s *Server) pingProcess(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	pr, err := c.findProcessFor(p, c.param("id"))
	if err != nil {
		return err
	}
	db, now := c.db(), c.now()
	m := db.machines[pr.MachineID]
	if err := c.authorize(p, "process.heartbeat.ping", c.mayHeartbeat(p, m, false)); err != nil {
		return err
	}
	status := ""
	if processStatus(db, pr, now) == "DEAD" {
		pol := processPolicy(db, pr)
		if !resurrects(pol) || processRevivePassed(db, pr, pol, now) {
			return errUnprocessableEntity("is dead", "PROCESS_HEARTBEAT_DEAD", nil)
		}
		status = "RESURRECTED"
	}
	pr.LastHeartbeat = now
	pr.Updated = now
	pr.DeathEventSent = false
	res := c.view().processAs(pr, status)
	// HeartbeatsController#ping: a revive emits process.heartbeat.resurrected instead of
	// process.heartbeat.ping.
	if status == "RESURRECTED" {
		c.emit("process.heartbeat.resurrected", res, nil)
	} else {
		c.emit("process.heartbeat.ping", res, nil)
	}
	return c.ok(res)
}

// processRevivePassed: the revive window after the next heartbeat has passed (never with
// ALWAYS_REVIVE).
func processRevivePassed(db *store, pr *process, pol *policy, now time.Time) bool {
	if pol != nil && pol.HeartbeatResurrectionStrategy == "ALWAYS_REVIVE" {
		return false
	}
	return now.After(processNextHeartbeat(db, pr).Add(lazarusTTL(pol)))
}

// cullDeadProcesses does lazily what ProcessHeartbeatWorker does: a dead process gets
// process.heartbeat.dead once and is deleted, once any revive window has passed, unless
// the policy keeps the dead (KEEP_DEAD). The worker is queued by CullDeadProcessesWorker,
// which runs every 2 minutes (config/schedule.yml, app/workers/cull_dead_processes_worker.rb):
// a process is judged at the latest 2-minute tick, so one that died since is still there,
// dead, until the next tick (a revive window is then rechecked as the worker retries).
func (c *call) cullDeadProcesses() {
	db, now := c.db(), c.now()
	tick := now.Truncate(cullEvery)
	for _, pr := range ofAccount(db.lic.processes, c.acct.ID, nil) {
		if processStatus(db, pr, tick) != "DEAD" {
			continue
		}
		if !pr.DeathEventSent {
			pr.DeathEventSent = true
			c.emit("process.heartbeat.dead", c.view().process(pr), nil)
		}
		pol := processPolicy(db, pr)
		if pol == nil || pol.HeartbeatCullStrategy == "KEEP_DEAD" {
			continue
		}
		if resurrects(pol) && !processRevivePassed(db, pr, pol, now) {
			continue
		}
		delete(db.lic.processes, pr.ID)
	}
}

func (s *Server) processRelated(rel string) handlerFunc {
	return func(c *call) error {
		p, err := c.requireAuth()
		if err != nil {
			return err
		}
		pr, err := c.findProcessFor(p, c.param("id"))
		if err != nil {
			return err
		}
		if err := c.verifyPermission(p, rel+".read"); err != nil {
			return err
		}
		db := c.db()
		m := db.machines[pr.MachineID]
		l := db.licenses[m.LicenseID]
		return c.okMachineRelated(rel, m, l)
	}
}

// machineProcessesRel serves GET /machines/{id}/processes[/{process}]
// (app/controllers/api/v1/machines/relationships/machine_processes_controller.rb).
// The index has a status scope (has_scope :status, MachineProcess.with_status: ALIVE or
// DEAD, any other value matches nothing).
func (s *Server) machineProcessesRel(show bool) handlerFunc {
	return func(c *call) error {
		list := (*store).machineProcesses
		if v := c.query.Get("status"); v != "" && !show {
			now := c.now()
			list = func(db *store, machineID string) []*process {
				var out []*process
				for _, pr := range db.machineProcesses(machineID) {
					if lower(processStatus(db, pr, now)) == lower(v) {
						out = append(out, pr)
					}
				}
				return out
			}
		}
		return machineChildrenRel(show, "process", list, view.process)(c)
	}
}

// tooManyProcesses is the process check of a strict validation (step 13 of
// LicenseValidationService): PER_MACHINE counts the processes of the alive machine named
// by the fingerprint(s) or machine scope (none without one), PER_LICENSE all the license's,
// PER_USER those on machines owned by the scoped user (ownerless ones without a user).
// It reports the count and whether the limit is exceeded.
func tooManyProcesses(db *store, l *license, pol *policy, scope params, scopeUser *string, now time.Time) (int64, int64, bool) {
	max := effective(l.MaxProcesses, pol.MaxProcesses)
	if max == nil {
		return 0, 0, false
	}
	var n int64
	switch pol.ProcessLeasingStrategy {
	case "PER_LICENSE":
		for _, m := range db.licenseMachines(l) {
			n += int64(len(db.machineProcesses(m.ID)))
		}
	case "PER_USER":
		for _, m := range db.licenseMachines(l) {
			if deref2(m.OwnerID) == deref2(scopeUser) {
				n += int64(len(db.machineProcesses(m.ID)))
			}
		}
	default:
		fps := scope.strings("fingerprints")
		if fp, ok := scope.str("fingerprint"); ok {
			fps = append(fps, fp)
		}
		mid, _ := scope.str("machine")
		for _, m := range db.licenseMachines(l) {
			if (contains(fps, m.Fingerprint) || m.ID == mid) && heartbeatStatus(db, m, now) != "DEAD" {
				n = int64(len(db.machineProcesses(m.ID)))
				break
			}
		}
	}
	return n, *max, n > *max
}
