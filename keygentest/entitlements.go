package keygentest

import (
	"fmt"
	"reflect"
	"sort"
)

// Entitlements (app/models/entitlement.rb, app/controllers/api/v1/entitlements_controller.rb,
// app/policies/entitlement_policy.rb, app/serializers/entitlement_serializer.rb) and their
// policy and license relationships (app/controllers/api/v1/policies/relationships/
// entitlements_controller.rb, app/controllers/api/v1/licenses/relationships/
// entitlements_controller.rb, app/models/{policy,license}_entitlement.rb).

// entitlement is a named feature flag that policies and licenses grant.
type entitlement struct {
	base
	Name     string
	Code     string
	Metadata map[string]any
}

// entitlementLink is a policy-entitlements or license-entitlements join record; OwnerID is
// the policy or the license.
type entitlementLink struct {
	base
	OwnerID       string
	EntitlementID string
}

// findEntitlement resolves an entitlement by id or, exactly, by code
// (EntitlementsController#set_entitlement: FindByAliasService with aliases: :code).
func (db *store) findEntitlement(acct, id string) *entitlement {
	if e := db.lic.entitlements[pgUUID(id)]; e != nil && e.AccountID == acct {
		return e
	}
	for _, e := range db.lic.entitlements {
		if e.AccountID == acct && e.Code == id {
			return e
		}
	}
	return nil
}

// links returns the join records of one policy or license, oldest first.
func entitlementLinks(m map[string]*entitlementLink, ownerID string) []*entitlementLink {
	var out []*entitlementLink
	for _, l := range m {
		if l.OwnerID == ownerID {
			out = append(out, l)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.Before(out[j].Created)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// policyEntitlementIDs are the entitlements a policy grants.
func (db *store) policyEntitlementIDs(policyID string) []string {
	var ids []string
	for _, l := range entitlementLinks(db.lic.policyEntitlements, policyID) {
		if db.lic.entitlements[l.EntitlementID] != nil {
			ids = append(ids, l.EntitlementID)
		}
	}
	return ids
}

// licenseOwnEntitlementIDs are the entitlements attached to the license itself.
func (db *store) licenseOwnEntitlementIDs(licenseID string) []string {
	var ids []string
	for _, l := range entitlementLinks(db.lic.licenseEntitlements, licenseID) {
		if db.lic.entitlements[l.EntitlementID] != nil {
			ids = append(ids, l.EntitlementID)
		}
	}
	return ids
}

// licenseEntitlements are the policy's entitlements and the license's own
// (License#entitlements in app/models/license.rb), newest first.
func (db *store) licenseEntitlements(l *license) []*entitlement {
	ids := append(db.policyEntitlementIDs(l.PolicyID), db.licenseOwnEntitlementIDs(l.ID)...)
	return ofAccount(db.lic.entitlements, l.AccountID, func(e *entitlement) bool { return contains(ids, e.ID) })
}

// licenseEntitlementCodes are the codes of a license's entitlements.
func (db *store) licenseEntitlementCodes(l *license) []string {
	var codes []string
	for _, e := range db.licenseEntitlements(l) {
		codes = append(codes, e.Code)
	}
	return codes
}

// seesEntitlement is Entitlement's authorized scope: staff and products see all; a
// license the entitlements it holds; a user those of the licenses it holds.
func (c *call) seesEntitlement(p *principal, e *entitlement) bool {
	db := c.db()
	switch {
	case p.isStaff(), p.product != nil:
		return true
	case p.license != nil:
		return contains(entitlementIDs(db.licenseEntitlements(p.license)), e.ID)
	case p.user != nil:
		for _, l := range db.licensesOfUser(p.user) {
			if contains(entitlementIDs(db.licenseEntitlements(l)), e.ID) {
				return true
			}
		}
	}
	return false
}

func entitlementIDs(es []*entitlement) []string {
	ids := make([]string, 0, len(es))
	for _, e := range es {
		ids = append(ids, e.ID)
	}
	return ids
}

func (v view) entitlement(e *entitlement) *resource {
	attrs := map[string]any{"name": e.Name, "code": e.Code, "metadata": v.metadata(e.Metadata)}
	return v.newResource("entitlements", e.ID, stamp(attrs, &e.base))
}

// entitlementLink renders a policy-entitlements or license-entitlements record
// (app/serializers/{policy,license}_entitlement_serializer.rb); kind is "policy" or "license".
func (v view) entitlementLink(kind string, l *entitlementLink) *resource {
	typ := kind + "-entitlements"
	r := v.newResource(typ, l.ID, stamp(map[string]any{}, &l.base))
	eid, oid := l.EntitlementID, l.OwnerID
	r.Relationships["entitlement"] = toOne(v.path("entitlements", eid), "entitlements", &eid)
	r.Relationships[kind] = toOne(v.path(plural(kind), oid), plural(kind), &oid)
	r.Links = map[string]any{"related": v.path(plural(kind), oid, "entitlements", eid)}
	return r
}

func (s *Server) routeEntitlements(r *router) {
	r.post("/entitlements", s.createEntitlement)
	r.get("/entitlements", s.listEntitlements)
	r.get("/entitlements/{id}", s.showEntitlement)
	r.update("/entitlements/{id}", s.updateEntitlement)
	r.del("/entitlements/{id}", s.deleteEntitlement)
	for _, kind := range []string{"policy", "license"} {
		base := "/" + plural(kind) + "/{id}/entitlements"
		r.get(base, s.relatedEntitlements(kind, false))
		r.get(base+"/{entitlement}", s.relatedEntitlements(kind, true))
		r.post(base, s.attachEntitlements(kind))
		r.del(base, s.detachEntitlements(kind))
	}
}

func entitlementSchema(create bool) *param {
	a := fields{"name": str(), "code": str(), "metadata": metadataParam()}
	data := fields{"type": typeOf("entitlement"), "attributes": obj(a)}
	if create {
		// The environment relationship is declared only on EE (Keygen.ee in
		// EntitlementsController#create's typed params): CE refuses it as unpermitted.
		data["relationships"] = obj(fields{}).opt()
	} else {
		a["name"] = str().opt()
		a["code"] = str().opt()
		data["id"] = str().opt()
	}
	return obj(fields{"data": obj(data)})
}

// findEntitlementFor resolves an entitlement by id or code in the bearer's scope, else 404.
func (c *call) findEntitlementFor(p *principal, id string) (*entitlement, error) {
	e := c.db().findEntitlement(c.acct.ID, id)
	if e == nil || !c.seesEntitlement(p, e) {
		return nil, errNotFound("entitlement", id)
	}
	return e, nil
}

func applyEntitlement(e *entitlement, a params) {
	if s, ok := a.str("name"); ok {
		e.Name = s
	}
	if s, ok := a.str("code"); ok {
		e.Code = s
	}
	if a.has("metadata") {
		e.Metadata = orEmpty(a.hash("metadata"))
	}
}

// validateEntitlement is the Entitlement model's validations: name and code present and at
// most 255 characters, code unique per account ignoring case, not a UUID and not reserved.
func (c *call) validateEntitlement(e *entitlement) error {
	// Errors come in Entitlement's declaration order: code (exclusion, uniqueness, length,
	// format), then name (app/models/entitlement.rb).
	v := newInvalid("entitlements")
	if contains(reservedAliases, e.Code) { // a case-sensitive exclusion (EXCLUDED_ALIASES, app/models/application_record.rb)
		v.attr("code", "NOT_ALLOWED", "is reserved")
	}
	for _, o := range c.db().lic.entitlements {
		if o.AccountID == e.AccountID && o.ID != e.ID && lower(o.Code) == lower(e.Code) {
			v.attr("code", "TAKEN", "has already been taken")
			break
		}
	}
	if len(e.Code) > 255 {
		v.attr("code", "TOO_LONG", "is too long (maximum is 255 characters)")
	}
	if uuidLikeRE.MatchString(e.Code) {
		v.attr("code", "INVALID", "is invalid")
	}
	if len(e.Name) > 255 {
		v.attr("name", "TOO_LONG", "is too long (maximum is 255 characters)")
	}
	validateMetadata(v, e.Metadata)
	return v.err()
}

func (s *Server) createEntitlement(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	in, err := c.parse(entitlementSchema(true))
	if err != nil {
		return err
	}
	// EntitlementPolicy#create?: entitlement.create, then admins, developers, environments.
	if err := c.authorize(p, "entitlement.create", p.canWriteAll()); err != nil {
		return err
	}
	e := &entitlement{base: newBase(c.acct.ID, c.now()), Metadata: map[string]any{}}
	applyEntitlement(e, in.obj("data").obj("attributes"))
	if err := c.validateEntitlement(e); err != nil {
		return err
	}
	c.db().lic.entitlements[e.ID] = e
	res := c.view().entitlement(e)
	c.emitEntitlement("entitlement.created", res)
	return c.created(res)
}

func (s *Server) listEntitlements(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	items := ofAccount(c.db().lic.entitlements, c.acct.ID, func(e *entitlement) bool { return c.seesEntitlement(p, e) })
	if _, err := c.pager(); err != nil {
		return err
	}
	if err := c.verifyPermission(p, "entitlement.read"); err != nil {
		return err
	}
	return paginate(c, items, true, c.view().entitlement)
}

func (s *Server) showEntitlement(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	e, err := c.findEntitlementFor(p, c.param("id"))
	if err != nil {
		return err
	}
	if err := c.verifyPermission(p, "entitlement.read"); err != nil {
		return err
	}
	return c.ok(c.view().entitlement(e))
}

func (s *Server) updateEntitlement(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	e, err := c.findEntitlementFor(p, c.param("id"))
	if err != nil {
		return err
	}
	// EntitlementsController#update authorizes before it reads entitlement_params, which
	// typed_params checks only then (app/controllers/api/v1/entitlements_controller.rb).
	if err := c.authorize(p, "entitlement.update", p.canWriteAll()); err != nil {
		return err
	}
	in, err := c.parse(entitlementSchema(false))
	if err != nil {
		return err
	}
	next := *e
	applyEntitlement(&next, in.obj("data").obj("attributes"))
	if err := c.validateEntitlement(&next); err != nil {
		return err
	}
	// entitlement.update saves, and stamps updated_at, only when something changed
	// (ActiveRecord timestamps; app/controllers/api/v1/entitlements_controller.rb).
	if next.Name != e.Name || next.Code != e.Code || !reflect.DeepEqual(next.Metadata, e.Metadata) {
		next.Updated = c.now()
	}
	*e = next
	res := c.view().entitlement(e)
	c.emitEntitlement("entitlement.updated", res)
	return c.ok(res)
}

// deleteEntitlement removes an entitlement and its policy and license join records.
func (s *Server) deleteEntitlement(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	e, err := c.findEntitlementFor(p, c.param("id"))
	if err != nil {
		return err
	}
	if err := c.authorize(p, "entitlement.delete", p.canWriteAll()); err != nil {
		return err
	}
	c.emitEntitlement("entitlement.deleted", c.view().entitlement(e))
	lic := c.db().lic
	for _, m := range []map[string]*entitlementLink{lic.policyEntitlements, lic.licenseEntitlements} {
		for id, l := range m {
			if l.EntitlementID == e.ID {
				delete(m, id)
			}
		}
	}
	// Entitlement has_many :release_entitlement_constraints, dependent: :delete_all
	// (app/models/entitlement.rb): the releases it constrained lose those constraints.
	for _, r := range c.db().dist.releases {
		kept := r.Constraints[:0]
		for _, k := range r.Constraints {
			if k.EntitlementID != e.ID {
				kept = append(kept, k)
			}
		}
		r.Constraints = kept
	}
	delete(lic.entitlements, e.ID)
	return c.noContent()
}

// entitlementParent is the policy or license of an entitlements relationship route.
type entitlementParent struct {
	kind      string
	id        string
	productID string
	links     map[string]*entitlementLink
	pol       *policy
	lic       *license
}

func (c *call) findEntitlementParent(p *principal, kind string) (*entitlementParent, error) {
	db := c.db()
	if kind == "policy" {
		pol, err := c.findPolicy(p, c.param("id"))
		if err != nil {
			return nil, err
		}
		return &entitlementParent{kind: kind, id: pol.ID, productID: pol.ProductID, links: db.lic.policyEntitlements, pol: pol}, nil
	}
	l, err := c.findLicenseFor(p, c.param("id"))
	if err != nil {
		return nil, err
	}
	return &entitlementParent{kind: kind, id: l.ID, productID: c.licenseProductID(l), links: db.lic.licenseEntitlements, lic: l}, nil
}

// entitlements are the parent's entitlements: a policy's, or a license's with its policy's.
func (ep *entitlementParent) entitlements(db *store, acct string) []*entitlement {
	if ep.lic != nil {
		return db.licenseEntitlements(ep.lic)
	}
	ids := db.policyEntitlementIDs(ep.id)
	return ofAccount(db.lic.entitlements, acct, func(e *entitlement) bool { return contains(ids, e.ID) })
}

// mayReadEntitlements is {Policies,Licenses}::EntitlementPolicy#index?/show? past the
// permission: staff and the parent's product; for a license also the license itself, its
// owner and its users.
func (c *call) mayReadEntitlements(p *principal, ep *entitlementParent) bool {
	switch {
	case p.isStaff():
		return true
	case p.product != nil:
		return p.isProduct(ep.productID)
	case ep.lic != nil && p.license != nil:
		return p.isLicense(ep.lic.ID)
	case ep.lic != nil && p.user != nil:
		return licenseHasUser(ep.lic, p.user.ID)
	}
	return false
}

// mayChangeEntitlements is attach?/detach?: admins, developers, sales agents, environments
// and the parent's product.
func mayChangeEntitlements(p *principal, ep *entitlementParent) bool {
	return p.hasRole("admin", "developer", "sales-agent", "environment") || p.isProduct(ep.productID)
}

func (s *Server) relatedEntitlements(kind string, show bool) handlerFunc {
	return func(c *call) error {
		p, err := c.requireAuth()
		if err != nil {
			return err
		}
		ep, err := c.findEntitlementParent(p, kind)
		if err != nil {
			return err
		}
		all := ep.entitlements(c.db(), c.acct.ID)
		allow := c.mayReadEntitlements(p, ep)
		if show {
			id := c.param("entitlement")
			for _, e := range all {
				if e.ID == pgUUID(id) { // {policy,license}.entitlements.find reads a Postgres uuid
					if err := c.relAllow(p, "entitlement.read", allow); err != nil {
						return err
					}
					return c.ok(c.view().entitlement(e))
				}
			}
			return errNotFound("entitlement", id)
		}
		return relIndex(c, p, "entitlement.read", allow, all, c.view().entitlement)
	}
}

var entitlementLinksSchema = obj(fields{"data": arrayOf(obj(fields{"type": typeOf("entitlement"), "id": uuidParam()}))})

func (c *call) parseEntitlementIDs() ([]string, error) {
	in, err := c.parse(entitlementLinksSchema)
	if err != nil {
		return nil, err
	}
	items, _ := in["data"].([]any)
	if len(items) < 1 || len(items) > 100 {
		return nil, errBadRequest("length must be between 1 and 100 (inclusive)", pointer("/data"))
	}
	ids := make([]string, 0, len(items))
	for _, it := range items {
		q, _ := it.(params)
		id, _ := q.str("id")
		ids = append(ids, id)
	}
	return ids, nil
}

// entitlementsRequest reads an attach or detach of entitlements (action "attach" or
// "detach") in the controllers' order: the bearer, the parent, the ids, then the policy.
func (c *call) entitlementsRequest(kind, action string) (*entitlementParent, []string, error) {
	p, err := c.requireAuth()
	if err != nil {
		return nil, nil, err
	}
	ep, err := c.findEntitlementParent(p, kind)
	if err != nil {
		return nil, nil, err
	}
	ids, err := c.parseEntitlementIDs()
	if err != nil {
		return nil, nil, err
	}
	if err := c.relAllow(p, kind+".entitlements."+action, mayChangeEntitlements(p, ep)); err != nil {
		return nil, nil, err
	}
	return ep, ids, nil
}

// attachEntitlements is POST /{policies,licenses}/{id}/entitlements: every entitlement is
// attached in one transaction, so the first invalid one undoes the request (must exist,
// not already attached, and for a license not granted by its policy). 200 with the new
// join records.
func (s *Server) attachEntitlements(kind string) handlerFunc {
	return func(c *call) error {
		ep, ids, err := c.entitlementsRequest(kind, "attach")
		if err != nil {
			return err
		}
		db := c.db()
		attached := entitlementIDsOf(ep.links, ep.id)
		var inherited []string
		if ep.lic != nil {
			inherited = db.policyEntitlementIDs(ep.lic.PolicyID)
		}
		for _, id := range ids {
			// The docs topic of PolicyEntitlement and LicenseEntitlement errors is
			// "entitlements" (ApplicationController#render_unprocessable_resource).
			v := newInvalid("entitlements")
			if e := db.lic.entitlements[id]; e == nil || e.AccountID != c.acct.ID {
				v.rel("entitlement", "NOT_FOUND", "must exist")
			}
			if contains(attached, id) {
				v.rel("entitlement", "TAKEN", "already exists")
			}
			if contains(inherited, id) {
				v.rel("entitlement", "CONFLICT", "already exists (entitlement is attached through policy)")
			}
			if err := v.err(); err != nil {
				return err
			}
			attached = append(attached, id)
		}
		now, view := c.now(), c.view()
		out := make([]*resource, 0, len(ids))
		for _, id := range ids {
			l := &entitlementLink{base: newBase(c.acct.ID, now), OwnerID: ep.id, EntitlementID: id}
			ep.links[l.ID] = l
			out = append(out, view.entitlementLink(kind, l))
		}
		// The event's data is a list of join records, whose policy lookup falls back to
		// NilClassPolicy (config/initializers/action_policy.rb): no product-scoped endpoint
		// gets it (app/services/broadcast_webhook_service.rb).
		c.emitList(kind+".entitlements.attached", out)
		return c.json(200, document{Data: out})
	}
}

func entitlementIDsOf(m map[string]*entitlementLink, ownerID string) []string {
	var ids []string
	for _, l := range entitlementLinks(m, ownerID) {
		ids = append(ids, l.EntitlementID)
	}
	return ids
}

// detachEntitlements is DELETE /{policies,licenses}/{id}/entitlements: every id must be
// attached (422 at the first that is not); a license cannot detach what its policy grants
// (403). Nothing is removed unless all can be. 204.
func (s *Server) detachEntitlements(kind string) handlerFunc {
	return func(c *call) error {
		ep, ids, err := c.entitlementsRequest(kind, "detach")
		if err != nil {
			return err
		}
		db := c.db()
		if ep.lic != nil {
			inherited := db.policyEntitlementIDs(ep.lic.PolicyID)
			for i, id := range ids {
				if contains(inherited, id) {
					e := errForbidden("")
					e.errors[0].Detail = fmt.Sprintf("cannot detach entitlement '%s' (entitlement is attached through policy)", id)
					e.errors[0].Source = pointer(fmt.Sprintf("/data/%d", i))
					return e
				}
			}
		}
		attached := entitlementIDsOf(ep.links, ep.id)
		for i, id := range ids {
			if !contains(attached, id) {
				return errUnprocessableEntity(fmt.Sprintf("cannot detach entitlement '%s' (entitlement is not attached)", id), "", pointer(fmt.Sprintf("/data/%d", i)))
			}
		}
		view := c.view()
		var out []*resource
		for _, l := range entitlementLinks(ep.links, ep.id) {
			if contains(ids, l.EntitlementID) {
				out = append(out, view.entitlementLink(kind, l))
				delete(ep.links, l.ID)
			}
		}
		c.emitList(kind+".entitlements.detached", out) // not to product endpoints, as attached
		return c.noContent()
	}
}

// emitEntitlement emits an entitlement event: a product-scoped endpoint gets it when its
// product may read the entitlement, which EntitlementPolicy#show? allows any product
// holding entitlement.read (app/services/broadcast_webhook_service.rb,
// app/policies/entitlement_policy.rb).
func (c *call) emitEntitlement(event string, res *resource) {
	render := func() ([]byte, error) { return marshalDoc(document{Data: res}) }
	c.s.emitFor(c.acct, event, render, func(prod *product) bool { return c.can(&principal{product: prod}, "entitlement.read") })
}
