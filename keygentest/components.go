package keygentest

import (
	"fmt"
	"math"
)

// Machine components (app/models/machine_component.rb,
// app/controllers/api/v1/machine_components_controller.rb,
// app/policies/machine_component_policy.rb, app/serializers/machine_component_serializer.rb),
// their nested creation with a machine (MachinesController#create with
// relationships.components) and the components validation scope
// (app/services/license_validation_service.rb). Specs: features/api/v1/components/*.feature.

// component is a hardware component of a machine.
type component struct {
	base
	MachineID   string
	Fingerprint string
	Name        string
	Metadata    map[string]any
}

// machineComponents are a machine's components, newest first.
func (db *store) machineComponents(machineID string) []*component {
	var out []*component
	for _, cp := range db.lic.components {
		if cp.MachineID == machineID {
			out = append(out, cp)
		}
	}
	sortNewest(out)
	return out
}

// componentLicense returns the component's machine and license (nil when gone).
func (db *store) componentParents(cp *component) (*machine, *license) {
	m := db.machines[cp.MachineID]
	if m == nil {
		return nil, nil
	}
	return m, db.licenses[m.LicenseID]
}

// seesComponent: the bearer sees the component's machine (MachineComponent.for_* scopes
// follow the machine's).
func (c *call) seesComponent(p *principal, cp *component) bool {
	m := c.db().machines[cp.MachineID]
	return m != nil && c.seesMachine(p, m)
}

func (v view) component(cp *component) *resource {
	attrs := map[string]any{"fingerprint": cp.Fingerprint, "name": cp.Name, "metadata": v.metadata(cp.Metadata)}
	r := v.newResource("components", cp.ID, stamp(attrs, &cp.base))
	m, l := v.db.componentParents(cp)
	var licenseID, productID *string
	if m != nil {
		licenseID = strPtr(m.LicenseID)
	}
	if l != nil {
		if pol := v.db.policies[l.PolicyID]; pol != nil {
			productID = strPtr(pol.ProductID)
		}
	}
	machineID := cp.MachineID
	r.Relationships["product"] = toOne(v.path("components", cp.ID, "product"), "products", productID)
	r.Relationships["license"] = toOne(v.path("components", cp.ID, "license"), "licenses", licenseID)
	r.Relationships["machine"] = toOne(v.path("components", cp.ID, "machine"), "machines", &machineID)
	return r
}

func (s *Server) routeComponents(r *router) {
	r.post("/components", s.createComponent)
	r.get("/components", s.listComponents)
	r.get("/components/{id}", s.showComponent)
	r.update("/components/{id}", s.updateComponent)
	r.del("/components/{id}", s.deleteComponent)
	for _, rel := range []string{"machine", "license", "product"} {
		r.get("/components/{id}/"+rel, s.componentRelated(rel))
	}
	r.get("/machines/{id}/components", s.machineComponentsRel(false))
	r.get("/machines/{id}/components/{component}", s.machineComponentsRel(true))
}

func componentSchema(p *principal, create bool) *param {
	a := fields{"name": str()}
	if create || p.hasRole("admin", "developer", "sales-agent", "support-agent", "product", "environment") {
		a["metadata"] = metadataParam()
	}
	data := fields{"type": typeOf("component"), "attributes": obj(a)}
	if create {
		a["fingerprint"] = str()
		// The environment relationship is declared only on EE (Keygen.ee in
		// MachineComponentsController#create's typed params): CE refuses it as unpermitted.
		data["relationships"] = obj(fields{"machine": linkage("machine")})
	} else {
		a["name"] = str().opt()
		data["id"] = str().opt()
	}
	return obj(fields{"data": obj(data)})
}

// componentTaken lists the FINGERPRINT_TAKEN details of a new component of machine m, in
// MachineComponent's validation order (app/models/machine_component.rb): the model's
// uniqueness per machine ("has already been taken", only when m already has components,
// i.e. not for a machine activated with them), then the policy's
// componentUniquenessStrategy on create ("… for this account|product|policy|license";
// UNIQUE_PER_MACHINE adds nothing beyond the model's rule).
func componentTaken(db *store, fp string, m *machine, persisted bool) []string {
	l := db.licenses[m.LicenseID]
	var pol *policy
	if l != nil {
		pol = db.policies[l.PolicyID]
	}
	var sameMachine, sameAccount, sameProduct, samePolicy, sameLicense bool
	for _, o := range db.lic.components {
		if o.AccountID != m.AccountID || o.Fingerprint != fp {
			continue
		}
		om, ol := db.componentParents(o)
		if om == nil {
			continue
		}
		sameAccount = true
		sameMachine = sameMachine || om.ID == m.ID
		sameLicense = sameLicense || om.LicenseID == m.LicenseID
		if ol != nil && l != nil {
			samePolicy = samePolicy || ol.PolicyID == l.PolicyID
			if op := db.policies[ol.PolicyID]; op != nil && pol != nil && op.ProductID == pol.ProductID {
				sameProduct = true
			}
		}
	}
	var out []string
	if persisted && sameMachine {
		out = append(out, "has already been taken")
	}
	if pol == nil {
		return out
	}
	switch {
	case pol.ComponentUniquenessStrategy == "UNIQUE_PER_ACCOUNT" && sameAccount:
		out = append(out, "has already been taken for this account")
	case pol.ComponentUniquenessStrategy == "UNIQUE_PER_PRODUCT" && sameProduct:
		out = append(out, "has already been taken for this product")
	case pol.ComponentUniquenessStrategy == "UNIQUE_PER_POLICY" && samePolicy:
		out = append(out, "has already been taken for this policy")
	case pol.ComponentUniquenessStrategy == "UNIQUE_PER_LICENSE" && sameLicense:
		out = append(out, "has already been taken for this license")
	}
	return out
}

// validateComponent is the MachineComponent model's validations, in its order
// (app/models/machine_component.rb): the fingerprint's uniqueness per machine, exclusion and
// length, the name's length, the metadata's JsonValidator limits, then on create the
// uniqueness strategy's block.
func validateComponent(v *invalid, db *store, cp *component, m *machine, create bool) {
	var taken []string
	if m != nil && create {
		taken = componentTaken(db, cp.Fingerprint, m, true)
	}
	if len(taken) > 0 && taken[0] == "has already been taken" {
		v.attr("fingerprint", "TAKEN", taken[0])
		taken = taken[1:]
	}
	switch {
	case contains(reservedAliases, cp.Fingerprint): // a case-sensitive exclusion (app/models/machine_component.rb)
		v.attr("fingerprint", "NOT_ALLOWED", "is reserved")
	case len(cp.Fingerprint) > 4096:
		v.attr("fingerprint", "TOO_LONG", "is too long (maximum is 4096 characters)")
	}
	if len(cp.Name) > 255 {
		v.attr("name", "TOO_LONG", "is too long (maximum is 255 characters)")
	}
	// metadata is declared after name, before the create-time uniqueness block
	// (app/models/machine_component.rb).
	validateMetadata(v, cp.Metadata)
	for _, t := range taken {
		v.attr("fingerprint", "TAKEN", t)
	}
}

// mayWriteComponent is MachineComponentPolicy#create?/update?/destroy? past the permission:
// the machine policy's rules (admins, developers, sales agents, environments, the product,
// the machine's or license's owner when unprotected; support agents update), except that
// the license writes its machines' components whether or not it is protected
// (app/policies/machine_component_policy.rb).
func (c *call) mayWriteComponent(p *principal, m *machine, action string) bool {
	if m == nil {
		return p.hasRole("admin", "developer", "sales-agent", "environment")
	}
	l := c.db().licenses[m.LicenseID]
	if p.license != nil {
		return l != nil && p.isLicense(l.ID)
	}
	return c.mayWriteMachine(p, m, l, action)
}

func (s *Server) createComponent(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	in, err := c.parse(componentSchema(p, true))
	if err != nil {
		return err
	}
	db := c.db()
	data := in.obj("data")
	a := data.obj("attributes")
	machineID, _ := data.obj("relationships").obj("machine").obj("data").str("id")
	// The machine is looked up account-wide, so another license's machine is a 403.
	m := db.machines[machineID]
	if m != nil && m.AccountID != c.acct.ID {
		m = nil
	}
	if err := c.authorize(p, "component.create", c.mayWriteComponent(p, m, "create")); err != nil {
		return err
	}
	cp := &component{base: newBase(c.acct.ID, c.now()), MachineID: machineID, Metadata: map[string]any{}}
	cp.Fingerprint, _ = a.str("fingerprint")
	cp.Name, _ = a.str("name")
	if a.has("metadata") {
		cp.Metadata = orEmpty(a.hash("metadata"))
	}
	v := newInvalid("components")
	if m == nil {
		v.rel("machine", "NOT_FOUND", "must exist")
	}
	validateComponent(v, db, cp, m, true)
	if err := v.err(); err != nil {
		return err
	}
	db.lic.components[cp.ID] = cp
	res := c.view().component(cp)
	c.emit("component.created", res, nil)
	return c.created(res)
}

// componentFilter applies the list filters (MachineComponent's for_* scopes,
// app/models/machine_component.rb): machine, license, product and owner by id, user by id
// or, for anything not a UUID, by email.
func (c *call) componentFilter(p *principal, cp *component) bool {
	q, db := c.query, c.db()
	m, l := db.componentParents(cp)
	if m == nil {
		return false
	}
	if v := q.Get("machine"); v != "" && m.ID != v {
		return false
	}
	if v := q.Get("license"); v != "" && m.LicenseID != v {
		return false
	}
	if v := q.Get("product"); v != "" && (l == nil || c.licenseProductID(l) != v) {
		return false
	}
	if v := q.Get("owner"); v != "" && deref2(m.OwnerID) != v {
		return false
	}
	// A user bearer's own scope (for_user) replaces the FROM clause that the user filter
	// sets, so that filter has no effect for users (app/policies/application_policy.rb).
	if v := q.Get("user"); v != "" && !(p.user != nil && p.user.Role == "user") {
		if !isUUID(v) {
			for _, u := range db.users {
				if u.AccountID == c.acct.ID && u.Email == v {
					v = u.ID
				}
			}
		}
		if l == nil || !licenseHasUser(l, v) {
			return false
		}
	}
	return true
}

func (s *Server) listComponents(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	items := ofAccount(c.db().lic.components, c.acct.ID, func(cp *component) bool {
		return c.seesComponent(p, cp) && c.componentFilter(p, cp)
	})
	if _, err := c.pager(); err != nil {
		return err
	}
	if err := c.verifyPermission(p, "component.read"); err != nil {
		return err
	}
	return paginate(c, items, true, c.view().component)
}

// findComponentFor resolves a component by id in the bearer's scope, else 404.
func (c *call) findComponentFor(p *principal, id string) (*component, error) {
	cp := c.db().lic.components[lower(id)]
	if cp == nil || cp.AccountID != c.acct.ID || !c.seesComponent(p, cp) {
		// The detail names the model, MachineComponent (app/models/machine_component.rb).
		return nil, errNotFound("machine component", id)
	}
	return cp, nil
}

func (s *Server) showComponent(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	cp, err := c.findComponentFor(p, c.param("id"))
	if err != nil {
		return err
	}
	if err := c.verifyPermission(p, "component.read"); err != nil {
		return err
	}
	return c.ok(c.view().component(cp))
}

func (s *Server) updateComponent(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	cp, err := c.findComponentFor(p, c.param("id"))
	if err != nil {
		return err
	}
	// MachineComponentsController#update authorizes before it reads its typed params, so a
	// bearer that may not update gets its 403 even for a body it may not send
	// (app/controllers/api/v1/machine_components_controller.rb).
	m := c.db().machines[cp.MachineID]
	if err := c.authorize(p, "component.update", c.mayWriteComponent(p, m, "update")); err != nil {
		return err
	}
	in, err := c.parse(componentSchema(p, false))
	if err != nil {
		return err
	}
	next := *cp
	a := in.obj("data").obj("attributes")
	if s, ok := a.str("name"); ok {
		next.Name = s
	}
	if a.has("metadata") {
		next.Metadata = orEmpty(a.hash("metadata"))
	}
	v := newInvalid("components")
	validateComponent(v, c.db(), &next, m, false)
	if err := v.err(); err != nil {
		return err
	}
	// machine_component.update saves, and stamps updated_at, only when something changed
	// (ActiveRecord timestamps; app/controllers/api/v1/machine_components_controller.rb).
	touchIfChanged(cp, &next, c.now())
	*cp = next
	res := c.view().component(cp)
	c.emit("component.updated", res, nil)
	return c.ok(res)
}

func (s *Server) deleteComponent(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	cp, err := c.findComponentFor(p, c.param("id"))
	if err != nil {
		return err
	}
	m := c.db().machines[cp.MachineID]
	if err := c.authorize(p, "component.delete", c.mayWriteComponent(p, m, "delete")); err != nil {
		return err
	}
	c.emit("component.deleted", c.view().component(cp), nil)
	delete(c.db().lic.components, cp.ID)
	return c.noContent()
}

// componentRelated serves GET /components/{id}/machine|license|product
// (app/controllers/api/v1/machine_components/relationships/*).
func (s *Server) componentRelated(rel string) handlerFunc {
	return func(c *call) error {
		p, err := c.requireAuth()
		if err != nil {
			return err
		}
		cp, err := c.findComponentFor(p, c.param("id"))
		if err != nil {
			return err
		}
		db := c.db()
		m, l := db.componentParents(cp)
		if err := c.verifyPermission(p, rel+".read"); err != nil {
			return err
		}
		return c.okMachineRelated(rel, m, l)
	}
}

// machineComponentsRel serves GET /machines/{id}/components[/{component}]
// (app/controllers/api/v1/machines/relationships/machine_components_controller.rb).
func (s *Server) machineComponentsRel(show bool) handlerFunc {
	return machineChildrenRel(show, "component", (*store).machineComponents, view.component)
}

// nestedComponents validates the components of a machine create
// (relationships.components.data, at most 20): fingerprints repeated within the request
// are COMPONENTS_FINGERPRINT_CONFLICT, clashes with stored components
// COMPONENTS_FINGERPRINT_TAKEN, each pointing at its item. The returned components are
// stored by storeNestedComponents once the machine is valid.
func (c *call) nestedComponents(v *invalid, rels params, m *machine) ([]*component, error) {
	if !rels.has("components") {
		return nil, nil
	}
	items, _ := rels.obj("components")["data"].([]any)
	if len(items) > 20 {
		return nil, errUnprocessableEntity("too many records", "", nil)
	}
	db, now := c.db(), c.now()
	var out []*component
	seen := map[string]int{}
	for _, it := range items {
		a := it.(params).obj("attributes")
		fp, _ := a.str("fingerprint")
		seen[fp]++
	}
	for i, it := range items {
		a := it.(params).obj("attributes")
		cp := &component{base: newBase(c.acct.ID, now), MachineID: m.ID, Metadata: map[string]any{}}
		cp.Fingerprint, _ = a.str("fingerprint")
		cp.Name, _ = a.str("name")
		if a.has("metadata") {
			cp.Metadata = orEmpty(a.hash("metadata"))
		}
		ptr := fmt.Sprintf("/data/relationships/components/data/%d/attributes/fingerprint", i)
		add := func(code, detail string) {
			v.errors = append(v.errors, errObject{Title: titles[422], Detail: detail, Code: code, Source: pointer(ptr),
				Links: map[string]string{"about": "https://keygen.sh/docs/api/machines/#machines-object-relationships-components"}})
		}
		if contains(reservedAliases, cp.Fingerprint) { // case-sensitive, as validateComponent
			add("COMPONENTS_FINGERPRINT_NOT_ALLOWED", "is reserved")
		}
		if seen[cp.Fingerprint] > 1 {
			add("COMPONENTS_FINGERPRINT_CONFLICT", "is duplicated")
		}
		for _, taken := range componentTaken(db, cp.Fingerprint, m, false) {
			add("COMPONENTS_FINGERPRINT_TAKEN", taken)
		}
		// Each component's metadata is held to its JsonValidator limits
		// (app/models/machine_component.rb); the machine lists the error under
		// components[i].metadata (index_errors in app/models/machine.rb), after the item's
		// fingerprint errors.
		mv := newInvalid("machines")
		if validateMetadata(mv, cp.Metadata); len(mv.errors) > 0 {
			e := mv.errors[0]
			e.Code = "COMPONENTS_METADATA_TOO_LONG"
			e.Source = pointer(fmt.Sprintf("/data/relationships/components/data/%d/attributes/metadata", i))
			e.Links = map[string]string{"about": "https://keygen.sh/docs/api/machines/#machines-object-relationships-components"}
			v.errors = append(v.errors, e)
		}
		out = append(out, cp)
	}
	return out, nil
}

// storeNestedComponents stores the components created with a machine.
func (db *store) storeNestedComponents(comps []*component) {
	for _, cp := range comps {
		db.lic.components[cp.ID] = cp
	}
}

// deleteMachineChildren removes a deleted machine's components and processes.
func (db *store) deleteMachineChildren(machineID string) {
	for id, cp := range db.lic.components {
		if cp.MachineID == machineID {
			delete(db.lic.components, id)
		}
	}
	for id, pr := range db.lic.processes {
		if pr.MachineID == machineID {
			delete(db.lic.processes, id)
		}
	}
}

// componentsScope is the components check of a validation (LicenseValidationService):
// the given fingerprints (nulls and duplicates removed) counted among the components of
// the license's machine named by the fingerprint scope, against componentMatchingStrategy.
// ok is false with the mismatch detail.
func componentsScope(db *store, l *license, pol *policy, fingerprint string, comps []string) (string, bool) {
	var held []string
	for _, m := range db.licenseMachines(l) {
		if m.Fingerprint == fingerprint {
			for _, cp := range db.machineComponents(m.ID) {
				held = append(held, cp.Fingerprint)
			}
		}
	}
	n, matched := len(comps), 0
	for _, fp := range comps {
		if contains(held, fp) {
			matched++
		}
	}
	switch pol.ComponentMatchingStrategy {
	case "MATCH_MOST":
		return "one or more component is not activated (does not match enough associated components)", float64(matched) >= math.Ceil(float64(n)/2) && matched > 0
	case "MATCH_TWO":
		return "one or more component is not activated (does not match at least 2 associated components)", matched >= 2
	case "MATCH_ALL":
		return "one or more component is not activated (does not match all associated components)", matched == n
	}
	return "one or more component is not activated (does not match any associated components)", matched >= 1
}
