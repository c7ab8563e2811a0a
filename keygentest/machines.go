package keygentest

import (
	"fmt"
	"time"
)

// Machines (app/models/machine.rb, app/controllers/api/v1/machines_controller.rb).
// Heartbeats are in machines_heartbeat.go, relationships in machines_relationships.go and
// check-out in checkout.go.

// machine is an activated machine (app/models/machine.rb).
type machine struct {
	base
	LicenseID     string
	OwnerID       *string
	GroupID       *string
	Fingerprint   string
	Cores         *int64
	Memory        *int64
	Disk          *int64
	IP            *string
	Hostname      *string
	Platform      *string
	Name          *string
	LastHeartbeat *time.Time
	LastCheckOut  *time.Time
	// ResurrectedAt is set by a reviving ping; the status is RESURRECTED until the next ping.
	ResurrectedAt *time.Time
	// HeartbeatEverSent makes requireHeartbeat true even when the policy does not require it.
	HeartbeatEverSent bool
	// DeathEventSent is set once machine.heartbeat.dead was emitted (reset on resurrection).
	DeathEventSent bool
	Metadata       map[string]any
}

// licenseMachines returns the machines of a license, newest first.
func (db *store) licenseMachines(l *license) []*machine {
	return ofAccount(db.machines, l.AccountID, func(m *machine) bool { return m.LicenseID == l.ID })
}

// machinePolicy returns a machine's policy through its license (nil if gone).
func machinePolicy(db *store, m *machine) *policy {
	if l := db.licenses[m.LicenseID]; l != nil {
		return db.policies[l.PolicyID]
	}
	return nil
}

// findMachineIn resolves a machine by id or fingerprint among candidates, else 404.
func findMachineIn(items []*machine, id string) (*machine, error) {
	for _, m := range items {
		if m.ID == lower(id) || m.ID == id {
			return m, nil
		}
	}
	for _, m := range items {
		if m.Fingerprint == id {
			return m, nil
		}
	}
	return nil, errNotFound("machine", id)
}

// seesMachine: staff all; a product its machines; users the machines they own or of their
// licenses; a license its machines.
func (c *call) seesMachine(p *principal, m *machine) bool {
	switch {
	case p.isStaff():
		return true
	case p.license != nil:
		return m.LicenseID == p.license.ID
	}
	l := c.db().licenses[m.LicenseID]
	if l == nil {
		return false
	}
	switch {
	case p.product != nil:
		return c.licenseProductID(l) == p.product.ID
	case p.user != nil:
		return (m.OwnerID != nil && *m.OwnerID == p.user.ID) || licenseHasUser(l, p.user.ID)
	}
	return false
}

func (v view) machine(m *machine) *resource {
	db := v.db
	var maxProcesses *int64
	var productID *string
	if l := db.licenses[m.LicenseID]; l != nil {
		if pol := db.policies[l.PolicyID]; pol != nil {
			maxProcesses = effective(l.MaxProcesses, pol.MaxProcesses)
			productID = strPtr(pol.ProductID)
		}
	}
	attrs := map[string]any{
		"fingerprint":       m.Fingerprint,
		"cores":             opt(m.Cores),
		"memory":            opt(m.Memory),
		"disk":              opt(m.Disk),
		"ip":                opt(m.IP),
		"hostname":          opt(m.Hostname),
		"platform":          opt(m.Platform),
		"name":              opt(m.Name),
		"requireHeartbeat":  machineRequiresHeartbeat(db, m),
		"heartbeatStatus":   heartbeatStatus(db, m, v.now),
		"heartbeatDuration": heartbeatDuration(machinePolicy(db, m)),
		"maxProcesses":      opt(maxProcesses),
		"lastCheckOut":      optTime(m.LastCheckOut),
		"lastHeartbeat":     optTime(m.LastHeartbeat),
		"nextHeartbeat":     optTime(nextHeartbeat(db, m)),
		"metadata":          v.metadata(m.Metadata),
	}
	r := v.newResource("machines", m.ID, stamp(attrs, &m.base))
	licenseID := m.LicenseID
	r.Relationships["product"] = toOne(v.path("machines", m.ID, "product"), "products", productID)
	r.Relationships["license"] = toOne(v.path("machines", m.ID, "license"), "licenses", &licenseID)
	r.Relationships["group"] = toOne(v.path("machines", m.ID, "group"), "groups", m.GroupID)
	if v.minor <= 5 {
		// AddUserRelationshipToMachineMigration (API ≤1.5): a user relationship holding the
		// license's owner replaces the machine's owner relationship.
		var licenseOwner *string
		if l := db.licenses[m.LicenseID]; l != nil {
			licenseOwner = l.OwnerID
		}
		r.Relationships["user"] = toOne(v.path("machines", m.ID, "user"), "users", licenseOwner)
	} else {
		r.Relationships["owner"] = toOne(v.path("machines", m.ID, "owner"), "users", m.OwnerID)
	}
	r.Relationships["components"] = toMany(v.path("machines", m.ID, "components"), nil)
	r.Relationships["processes"] = toMany(v.path("machines", m.ID, "processes"), nil)
	return r
}

// routeMachines registers the routes for machines (config/routes.rb) and heartbeats.
func (s *Server) routeMachines(r *router) {
	r.post("/machines", s.lazy(s.createMachine))
	r.get("/machines", s.lazy(s.listMachines))
	r.get("/machines/{id}", s.lazy(s.showMachine))
	r.update("/machines/{id}", s.lazy(s.updateMachine))
	r.del("/machines/{id}", s.lazy(s.deleteMachine))
	for _, rel := range []string{"license", "owner", "product", "user"} {
		r.get("/machines/{id}/"+rel, s.lazy(s.machineRelated(rel)))
	}
	r.put("/machines/{id}/owner", s.lazy(s.changeMachineOwner))
	for _, a := range []string{"ping", "ping-heartbeat"} {
		r.post("/machines/{id}/actions/"+a, s.lazy(s.pingMachine))
	}
	for _, a := range []string{"reset", "reset-heartbeat"} {
		r.post("/machines/{id}/actions/"+a, s.lazy(s.resetMachine))
	}
	r.post("/machines/{id}/actions/generate-offline-proof", s.lazy(s.generateMachineProof))
}

func machineSchema(p *principal, create bool) *param {
	nullStr := func() *param { return str().opt().null() }
	a := fields{"name": nullStr(), "ip": nullStr(), "hostname": nullStr(), "platform": nullStr()}
	priv := !create && p.hasRole("admin", "developer", "sales-agent", "product", "environment")
	if create || priv {
		a["cores"] = integer().opt().null()
		a["memory"] = integer().opt().null()
		a["disk"] = integer().opt().null()
		a["metadata"] = metadataParam()
	}
	data := fields{"type": typeOf("machine"), "attributes": obj(a)}
	if create {
		a["fingerprint"] = str()
		data["id"] = uuidParam().opt()
		// The environment relationship is declared only on EE (Keygen.ee in
		// MachinesController#create's typed params): CE refuses it as unpermitted.
		rels := fields{
			"license": linkage("license"),
			"owner":   obj(fields{"data": obj(fields{"type": typeOf("user"), "id": uuidParam()}).null()}).opt(),
			"components": obj(fields{"data": arrayOf(obj(fields{
				"type":       typeOf("component"),
				"attributes": obj(fields{"fingerprint": str(), "name": str(), "metadata": metadataParam()}),
			}))}).opt(),
		}
		if p.hasRole("admin", "developer", "sales-agent", "support-agent", "product", "environment") {
			rels["group"] = obj(fields{"data": obj(fields{"type": typeOf("group"), "id": uuidParam()}).null()}).opt()
		}
		data["relationships"] = obj(rels)
	} else {
		data["id"] = str().opt()
	}
	return obj(fields{"data": obj(data)})
}

// findMachineFor resolves a machine by id or fingerprint as the bearer may see it.
// Like Keygen's FindByAliasService over the authorized scope, the id or fingerprint is
// looked up among the visible machines only, so a fingerprint shared with another
// license's machine still finds the bearer's own.
func (c *call) findMachineFor(p *principal, id string) (*machine, error) {
	db := c.db()
	if m := db.machines[id]; m != nil && m.AccountID == c.acct.ID && c.seesMachine(p, m) {
		return m, nil
	}
	for _, m := range ofAccount(db.machines, c.acct.ID, nil) {
		if m.Fingerprint == id && c.seesMachine(p, m) {
			return m, nil
		}
	}
	return nil, errNotFound("machine", id)
}

// machineOwnedBy: the user owns the machine or its license.
func (c *call) machineOwnedBy(p *principal, m *machine, l *license) bool {
	if p.user == nil {
		return false
	}
	return (m.OwnerID != nil && *m.OwnerID == p.user.ID) || (l != nil && l.OwnerID != nil && *l.OwnerID == p.user.ID)
}

// mayWriteMachine implements MachinePolicy create/destroy (del) and update.
func (c *call) mayWriteMachine(p *principal, m *machine, l *license, action string) bool {
	switch {
	case p.hasRole("admin", "developer", "sales-agent", "environment"):
		return true
	case action == "update" && p.hasRole("support-agent"):
		return true
	case p.product != nil:
		return l != nil && p.isProduct(c.licenseProductID(l))
	case c.machineOwnedBy(p, m, l):
		return l == nil || !licenseProtected(c.db(), l)
	case p.license != nil && l != nil && p.isLicense(l.ID):
		return action != "update" || !licenseProtected(c.db(), l)
	}
	return false
}

// licenseMaxMachines is the effective machine limit: the override, else the policy's.
// A node-locked policy gets 1 when created, but its limit may be cleared afterwards, and
// the license then has none (License#max_machines, app/models/license.rb; Policy's
// before_create and max_machines validations, app/models/policy.rb).
func licenseMaxMachines(l *license, pol *policy) *int64 {
	if l.MaxMachines != nil {
		return l.MaxMachines
	}
	return pol.MaxMachines
}

// leasedMachines are the machines counted against a limit: all of the license's, or with
// PER_USER leasing those with the same owner (a nil owner counts as its own group).
func leasedMachines(db *store, l *license, pol *policy, owner *string, except string) []*machine {
	var out []*machine
	for _, m := range db.licenseMachines(l) {
		if m.ID == except {
			continue
		}
		if pol.MachineLeasingStrategy == "PER_USER" && deref2(m.OwnerID) != deref2(owner) {
			continue
		}
		out = append(out, m)
	}
	return out
}

// validateMachineResources checks the core, memory and disk limits (create and update).
func validateMachineResources(v *invalid, db *store, m *machine, l *license, pol *policy) {
	scope := "license"
	if pol.MachineLeasingStrategy == "PER_USER" {
		scope = "user"
	}
	others := leasedMachines(db, l, pol, m.OwnerID, m.ID)
	for _, r := range []struct {
		typ, noun string
		limit     *int64
		get       func(*machine) *int64
	}{
		{"CORE_LIMIT_EXCEEDED", "machine core count", effective(l.MaxCores, pol.MaxCores), func(x *machine) *int64 { return x.Cores }},
		{"MEMORY_LIMIT_EXCEEDED", "machine memory", effective(l.MaxMemory, pol.MaxMemory), func(x *machine) *int64 { return x.Memory }},
		{"DISK_LIMIT_EXCEEDED", "machine disk", effective(l.MaxDisk, pol.MaxDisk), func(x *machine) *int64 { return x.Disk }},
	} {
		if r.limit == nil || pol.OverageStrategy == "ALWAYS_ALLOW_OVERAGE" {
			continue
		}
		total := deref(r.get(m))
		for _, o := range others {
			total += deref(r.get(o))
		}
		if total > *r.limit && !overageAllows(pol.OverageStrategy, total, *r.limit, false) {
			v.record("machine", r.typ, fmt.Sprintf("%s has exceeded maximum allowed for %s (%d)", r.noun, scope, *r.limit))
		}
	}
}

func (s *Server) createMachine(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	in, err := c.parse(machineSchema(p, true))
	if err != nil {
		return err
	}
	db := c.db()
	data := in.obj("data")
	a := data.obj("attributes")
	rels := data.obj("relationships")
	fp, _ := a.str("fingerprint")
	if fp == "" {
		return errBadRequest("cannot be blank", pointer("/data/attributes/fingerprint"))
	}
	licenseID, _ := rels.obj("license").obj("data").str("id")
	l := db.licenses[licenseID]
	if l != nil && l.AccountID != c.acct.ID {
		l = nil
	}
	now := c.now()
	m := &machine{base: newBase(c.acct.ID, now), LicenseID: licenseID, Fingerprint: fp, Metadata: map[string]any{}}
	if id, ok := data.str("id"); ok {
		m.ID = id
	}
	if rels.has("owner") {
		m.OwnerID = rels.obj("owner").obj("data").strPtr("id")
	}
	if rels.has("group") {
		m.GroupID = rels.obj("group").obj("data").strPtr("id")
	}
	applyMachine(m, a)
	// MachinePolicy#create?: verify_permissions!('machine.create', 'component.create'
	// when components are nested) before the role rules.
	if err := c.verifyPermission(p, "machine.create"); err != nil {
		return err
	}
	if rels.has("components") {
		if err := c.verifyPermission(p, "component.create"); err != nil {
			return err
		}
	}
	if !c.mayWriteMachine(p, m, l, "create") {
		return errDenied()
	}
	pol := &policy{}
	if l != nil {
		pol = c.licensePolicy(l)
		if m.GroupID == nil {
			m.GroupID = l.GroupID
		}
	}

	v := newInvalid("machines")
	if l == nil {
		v.rel("license", "NOT_FOUND", "must exist")
	}
	if m.OwnerID != nil {
		if u := db.users[*m.OwnerID]; u == nil || u.AccountID != c.acct.ID {
			v.rel("owner", "NOT_FOUND", "must exist")
		}
	}
	if m.GroupID == nil && m.OwnerID != nil && db.users[*m.OwnerID] != nil {
		m.GroupID = db.users[*m.OwnerID].GroupID // else the owner's group (groups.go)
	}
	c.validateGroup(v, "machine", m.GroupID, m.ID)
	switch {
	case contains(reservedAliases, lower(fp)):
		v.attr("fingerprint", "NOT_ALLOWED", "is reserved")
	case len(fp) > 4096:
		v.attr("fingerprint", "TOO_LONG", "is too long (maximum is 4096 characters)")
	}
	validateMachineAttrs(v, m)
	if data.has("id") && db.machines[m.ID] != nil {
		v.attr("id", "CONFLICT", "must not conflict with another machine")
	}
	if db.machines[lower(fp)] != nil && db.machines[lower(fp)].AccountID == c.acct.ID {
		v.attr("fingerprint", "CONFLICT", "must not conflict with another machine's identifier (UUID)")
	}
	if l != nil {
		if max := licenseMaxMachines(l, pol); max != nil && pol.OverageStrategy != "ALWAYS_ALLOW_OVERAGE" {
			prev := int64(len(leasedMachines(db, l, pol, m.OwnerID, "")))
			if prev > 0 && prev+1 > *max && !overageAllows(pol.OverageStrategy, prev+1, *max, false) {
				scope := "license"
				if pol.MachineLeasingStrategy == "PER_USER" {
					scope = "user"
				}
				v.record("machine", "LIMIT_EXCEEDED", fmt.Sprintf("machine count has exceeded maximum allowed for %s (%d)", scope, *max))
			}
		}
		validateMachineResources(v, db, m, l, pol)
		for _, taken := range fingerprintTaken(db, c.acct.ID, fp, l, pol) {
			v.attr("fingerprint", "TAKEN", taken)
		}
		if m.OwnerID != nil && !licenseHasUser(l, *m.OwnerID) && db.users[*m.OwnerID] != nil {
			v.rel("owner", "INVALID", "must be a valid license user")
		}
	}
	comps, err := c.nestedComponents(v, rels, m)
	if err != nil {
		return err
	}
	if err := v.err(); err != nil {
		return err
	}
	// An activation token counts its activations (app/models/token.rb).
	if t := p.token; t != nil && t.Kind == "activation-token" {
		if t.MaxActivations != nil && t.Activations+1 > *t.MaxActivations {
			return newInvalid("tokens").attr("activations", "LIMIT_EXCEEDED", fmt.Sprintf("exceeds maximum allowed (%d)", *t.MaxActivations)).err()
		}
		t.Activations++
	}
	if pol.HeartbeatBasis == "FROM_CREATION" {
		m.LastHeartbeat = &now
	}
	db.machines[m.ID] = m
	db.storeNestedComponents(comps)
	c.setExpiryOnFirst(l, "FROM_FIRST_ACTIVATION")
	res := c.view().machine(m)
	c.emit("machine.created", res, nil)
	return c.created(res)
}

// fingerprintTaken lists the FINGERPRINT_TAKEN details, in Keygen's validation order: the
// model's uniqueness per license ("has already been taken") always applies, then the
// policy's machine uniqueness strategy adds its own error.
func fingerprintTaken(db *store, acct, fp string, l *license, pol *policy) []string {
	var sameLicense, sameAccount, sameProduct, samePolicy bool
	for _, o := range db.machines {
		if o.AccountID != acct || o.Fingerprint != fp {
			continue
		}
		sameAccount = true
		sameLicense = sameLicense || o.LicenseID == l.ID
		if ol := db.licenses[o.LicenseID]; ol != nil {
			samePolicy = samePolicy || ol.PolicyID == pol.ID
			if op := db.policies[ol.PolicyID]; op != nil && op.ProductID == pol.ProductID {
				sameProduct = true
			}
		}
	}
	var out []string
	if sameLicense {
		out = append(out, "has already been taken")
	}
	switch pol.MachineUniquenessStrategy {
	case "UNIQUE_PER_ACCOUNT":
		if sameAccount {
			out = append(out, "has already been taken for this account")
		}
	case "UNIQUE_PER_PRODUCT":
		if sameProduct {
			out = append(out, "has already been taken for this product")
		}
	case "UNIQUE_PER_POLICY":
		if samePolicy {
			out = append(out, "has already been taken for this policy")
		}
	case "UNIQUE_PER_LICENSE":
		if sameLicense {
			out = append(out, "has already been taken")
		}
	}
	return out
}

func applyMachine(m *machine, a params) {
	for k, f := range map[string]**string{"name": &m.Name, "ip": &m.IP, "hostname": &m.Hostname, "platform": &m.Platform} {
		if a.has(k) {
			*f = a.strPtr(k)
		}
	}
	for k, f := range map[string]**int64{"cores": &m.Cores, "memory": &m.Memory, "disk": &m.Disk} {
		if a.has(k) {
			*f = a.intPtr(k)
		}
	}
	if a.has("metadata") {
		m.Metadata = orEmpty(a.hash("metadata"))
	}
}

func validateMachineAttrs(v *invalid, m *machine) {
	// metadata is declared after fingerprint and before cores (app/models/machine.rb).
	validateMetadata(v, m.Metadata)
	for _, r := range []struct {
		name string
		n    *int64
	}{{"cores", m.Cores}, {"memory", m.Memory}, {"disk", m.Disk}} {
		switch {
		case r.n == nil:
		case *r.n < 1:
			v.attr(r.name, "INVALID", "must be greater than or equal to 1")
		case r.name == "cores" && *r.n > 2147483647:
			v.attr(r.name, "INVALID", "must be less than or equal to 2147483647")
		}
	}
	for _, r := range []struct {
		name string
		s    *string
	}{{"ip", m.IP}, {"hostname", m.Hostname}, {"platform", m.Platform}, {"name", m.Name}} {
		if r.s != nil && len(*r.s) > 255 {
			v.attr(r.name, "TOO_LONG", "is too long (maximum is 255 characters)")
		}
	}
}

func (s *Server) listMachines(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	q, db, now := c.query, c.db(), c.now()
	meta := metadataFilters(q)
	userMatches := func(id *string, want string) bool {
		if id == nil {
			return false
		}
		u := db.users[*id]
		return *id == want || (u != nil && u.Email == lower(want))
	}
	items := ofAccount(db.machines, c.acct.ID, func(m *machine) bool {
		if !c.seesMachine(p, m) {
			return false
		}
		l := db.licenses[m.LicenseID]
		eq := func(k string, got string) bool { return q.Get(k) == "" || q.Get(k) == got }
		if !eq("fingerprint", m.Fingerprint) || !eq("ip", deref2(m.IP)) || !eq("hostname", deref2(m.Hostname)) ||
			!eq("license", m.LicenseID) { // Machine.for_license matches the id only; key= takes a key

			return false
		}
		if q.Get("status") != "" {
			st := heartbeatStatus(db, m, now)
			want := lower(q.Get("status"))
			alive := st == "ALIVE" || st == "NOT_STARTED" || st == "RESURRECTED"
			if !(want == "alive" && alive || want == "dead" && st == "DEAD") {
				return false
			}
		}
		if l == nil {
			return q.Get("product") == "" && q.Get("policy") == "" && q.Get("key") == "" && q.Get("user") == ""
		}
		if !eq("product", c.licenseProductID(l)) || !eq("policy", l.PolicyID) || !eq("key", l.Key) {
			return false
		}
		if q.Get("owner") != "" && !userMatches(m.OwnerID, q.Get("owner")) {
			return false
		}
		if q.Get("user") != "" {
			ok := userMatches(l.OwnerID, q.Get("user"))
			for _, id := range l.UserIDs {
				ok = ok || userMatches(&id, q.Get("user"))
			}
			if !ok {
				return false
			}
		}
		if q.Get("group") != "" && deref2(m.GroupID) != q.Get("group") {
			return false
		}
		return matchMetadata(m.Metadata, meta)
	})
	v := c.view()
	return paginate(c, items, true, v.machine)
}

func (s *Server) showMachine(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	m, err := c.findMachineFor(p, c.param("id"))
	if err != nil {
		return err
	}
	if err := c.verifyPermission(p, "machine.read"); err != nil {
		return err
	}
	return c.ok(c.view().machine(m))
}

func (s *Server) updateMachine(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	m, err := c.findMachineFor(p, c.param("id"))
	if err != nil {
		return err
	}
	if err := c.verifyPermission(p, "machine.update"); err != nil {
		return err
	}
	l := c.db().licenses[m.LicenseID]
	if !c.mayWriteMachine(p, m, l, "update") {
		return errDenied()
	}
	in, err := c.parse(machineSchema(p, false))
	if err != nil {
		return err
	}
	next := *m
	applyMachine(&next, in.obj("data").obj("attributes"))
	v := newInvalid("machines")
	validateMachineAttrs(v, &next)
	if l != nil {
		validateMachineResources(v, c.db(), &next, l, c.licensePolicy(l))
	}
	if err := v.err(); err != nil {
		return err
	}
	// machine.update saves, and stamps updated_at, only when something changed
	// (ActiveRecord timestamps; app/controllers/api/v1/machines_controller.rb).
	touchIfChanged(m, &next, c.now())
	*m = next
	res := c.view().machine(m)
	c.emit("machine.updated", res, nil)
	return c.ok(res)
}

func (s *Server) deleteMachine(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	m, err := c.findMachineFor(p, c.param("id"))
	if err != nil {
		return err
	}
	if err := c.authorize(p, "machine.delete", c.mayWriteMachine(p, m, c.db().licenses[m.LicenseID], "delete")); err != nil {
		return err
	}
	if t := p.token; t != nil && t.Kind == "activation-token" {
		if t.MaxDeactivations != nil && t.Deactivations+1 > *t.MaxDeactivations {
			return newInvalid("tokens").attr("deactivations", "LIMIT_EXCEEDED", fmt.Sprintf("exceeds maximum allowed (%d)", *t.MaxDeactivations)).err()
		}
		t.Deactivations++
	}
	c.emit("machine.deleted", c.view().machine(m), nil)
	delete(c.db().machines, m.ID)
	c.db().deleteMachineChildren(m.ID)
	return c.noContent()
}
