package keygentest

import (
	"fmt"
)

// Licenses (keygen-api.md §2.6) and their actions. Validation is in validation.go and
// check-out in checkout.go.

// routeLicenses registers the routes for licenses (§2.6) and their actions.
func (s *Server) routeLicenses(r *router) {
	r.post("/licenses", s.lazy(s.createLicense))
	r.get("/licenses", s.lazy(s.listLicenses))
	r.get("/licenses/{id}", s.lazy(s.showLicense))
	r.update("/licenses/{id}", s.lazy(s.updateLicense))
	r.del("/licenses/{id}", s.lazy(s.deleteLicense))
	r.post("/licenses/{id}/actions/suspend", s.lazy(s.suspendLicense(true)))
	r.post("/licenses/{id}/actions/reinstate", s.lazy(s.suspendLicense(false)))
	r.post("/licenses/{id}/actions/renew", s.lazy(s.renewLicense))
	r.del("/licenses/{id}/actions/revoke", s.lazy(s.revokeLicense))
	r.post("/licenses/{id}/actions/check-in", s.lazy(s.checkInLicense))
	r.post("/licenses/{id}/actions/increment-usage", s.lazy(s.incrementUsage))
	r.post("/licenses/{id}/actions/decrement-usage", s.lazy(s.decrementUsage))
	r.post("/licenses/{id}/actions/reset-usage", s.lazy(s.resetUsage))
	r.put("/licenses/{id}/policy", s.lazy(s.changeLicensePolicy))
	r.put("/licenses/{id}/owner", s.lazy(s.changeLicenseOwner(false)))
	r.put("/licenses/{id}/user", s.lazy(s.changeLicenseOwner(true)))
	r.get("/licenses/{id}/machines", s.lazy(s.listLicenseMachines))
	r.get("/licenses/{id}/machines/{machine}", s.lazy(s.showLicenseMachine))
	r.get("/licenses/{id}/policy", s.lazy(s.showLicenseRelated("policy")))
	r.get("/licenses/{id}/product", s.lazy(s.showLicenseRelated("product")))
	r.get("/licenses/{id}/owner", s.lazy(s.showLicenseRelated("owner")))
	r.get("/licenses/{id}/user", s.lazy(s.showLicenseRelated("user")))
	r.get("/licenses/{id}/users", s.lazy(s.licenseUsers(false)))
	r.get("/licenses/{id}/users/{user}", s.lazy(s.licenseUsers(true)))
	r.post("/licenses/{id}/users", s.lazy(s.attachLicenseUsers))
	r.del("/licenses/{id}/users", s.lazy(s.detachLicenseUsers))
}

// licensePrivileged: bearers that may set privileged license attributes on create.
func licensePrivileged(p *principal, update bool) bool {
	if update && p.hasRole("support-agent") {
		return true
	}
	return p.hasRole("admin", "developer", "sales-agent", "product", "environment")
}

var licenseLimitAttrs = []string{"max_machines", "max_cores", "max_memory", "max_disk", "max_uses", "max_processes", "max_users"}

// licenseSchema gates attributes on the bearer's role like Keygen's typed params: an
// attribute the bearer may not send is an unpermitted parameter (400).
func licenseSchema(p *principal, create bool) *param {
	a := fields{"name": str().opt().null()}
	priv := licensePrivileged(p, !create)
	if priv {
		a["expiry"] = timeParam().opt().null()
		a["protected"] = boolean().opt()
		a["suspended"] = boolean().opt()
		for _, k := range licenseLimitAttrs {
			a[k] = integer().opt().null()
		}
	}
	if create || priv {
		a["metadata"] = metadataParam()
	}
	if p.hasRole("admin", "developer", "product", "environment") {
		a["permissions"] = strs().opt()
	}
	data := fields{"type": typeOf("license"), "attributes": obj(a).opt()}
	if create {
		a["key"] = str().opt()
		if priv {
			data["id"] = uuidParam().opt()
		}
		owner := obj(fields{"data": obj(fields{"type": typeOf("user"), "id": uuidParam()}).null()}).opt()
		rels := fields{"policy": linkage("policy"), "owner": owner, "user": owner, "environment": anyParam().opt()}
		if priv || p.hasRole("support-agent") {
			rels["group"] = obj(fields{"data": obj(fields{"type": typeOf("group"), "id": uuidParam()}).null()}).opt()
		}
		data["relationships"] = obj(rels)
	} else {
		data["id"] = str().opt()
		data["attributes"] = obj(a)
	}
	return obj(fields{"data": obj(data)})
}

// lazy wraps a handler so that the clock-driven state is brought up to date first:
// dead machines are culled as Keygen's periodic worker would have (machines.go).
func (s *Server) lazy(h handlerFunc) handlerFunc {
	return func(c *call) error {
		c.cullDeadMachines()
		return h(c)
	}
}

// findLicenseFor resolves a license by id or key as the bearer may see it, else 404.
func (c *call) findLicenseFor(p *principal, id string) (*License, error) {
	l := c.db().findLicense(c.acct.ID, id)
	if l == nil || p == nil || !c.seesLicense(p, l) {
		return nil, errNotFound("license", id)
	}
	return l, nil
}

// licensePolicy returns a license's policy (a zero policy when it is gone).
func (c *call) licensePolicy(l *License) *Policy {
	if pol := c.db().policies[l.PolicyID]; pol != nil {
		return pol
	}
	return &Policy{}
}

func (c *call) isLicenseOwner(p *principal, l *License) bool {
	return p.user != nil && l.OwnerID != nil && *l.OwnerID == p.user.ID
}

// mayManageLicense implements LicensePolicy for destroy, revoke and renew: admins,
// developers, sales agents, environments; a product its own; a user its owned license
// on an unprotected policy.
func (c *call) mayManageLicense(p *principal, l *License) bool {
	switch {
	case p.hasRole("admin", "developer", "sales-agent", "environment"):
		return true
	case p.product != nil:
		return p.isProduct(c.licenseProductID(l))
	case c.isLicenseOwner(p, l):
		return !c.licensePolicy(l).Protected
	}
	return false
}

// mayAdministerLicense implements update, suspend and reinstate: staff but read-only,
// and a product its own.
func (c *call) mayAdministerLicense(p *principal, l *License) bool {
	return p.hasRole("admin", "developer", "sales-agent", "support-agent", "environment") ||
		(p.product != nil && p.isProduct(c.licenseProductID(l)))
}

func (s *Server) createLicense(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	in, err := c.parse(licenseSchema(p, true))
	if err != nil {
		return err
	}
	db := c.db()
	data := in.obj("data")
	a := data.obj("attributes")
	rels := data.obj("relationships")
	policyID, _ := rels.obj("policy").obj("data").str("id")
	pol := db.findPolicy(c.acct.ID, policyID)
	now := c.now()
	l := &License{base: newBase(c.acct.ID, now), PolicyID: policyID, Metadata: map[string]any{}}
	if id, ok := data.str("id"); ok {
		l.ID = id
	}
	var ownerID *string
	for _, rel := range []string{"owner", "user"} {
		if rels.has(rel) {
			ownerID = rels.obj(rel).obj("data").strPtr("id")
		}
	}
	l.OwnerID = ownerID
	if rels.has("group") {
		l.GroupID = rels.obj("group").obj("data").strPtr("id")
	}
	// Authorization (LicensePolicy#create?).
	if err := c.verifyPermission(p, "license.create"); err != nil {
		return err
	}
	switch {
	case p.hasRole("admin", "developer", "sales-agent", "environment"):
	case p.product != nil && pol != nil && p.isProduct(pol.ProductID):
	case p.user != nil && ownerID != nil && *ownerID == p.user.ID:
		if pol != nil && pol.Protected {
			return errDenied()
		}
	default:
		return errDenied()
	}
	key, hasKey := a.str("key")
	c.applyLicense(l, a)

	v := newInvalid("licenses")
	if pol == nil {
		v.rel("policy", "NOT_FOUND", "must exist")
	}
	var owner *User
	if ownerID != nil {
		if owner = db.findUser(c.acct.ID, *ownerID); owner == nil || owner.ID != *ownerID {
			owner = nil
			// API ≤1.5 names the relationship user (keygen-api.md §1.12).
			rel := "owner"
			if c.minor <= 5 {
				rel = "user"
			}
			v.rel(rel, "NOT_FOUND", "must exist")
		}
	}
	if l.GroupID != nil {
		v.rel("group", "NOT_FOUND", "must exist") // groups are not modelled: none exists
	}
	if data.has("id") {
		if db.licenses[l.ID] != nil {
			v.attr("id", "CONFLICT", "must not conflict with another license")
		}
	}
	if pol != nil && hasKey {
		if isUUID(key) && db.findLicense(c.acct.ID, lower(key)) != nil && db.licenses[lower(key)] != nil {
			v.attr("key", "CONFLICT", "must not conflict with another license's identifier (UUID)")
		}
		if pol.Encrypted {
			v.attr("key", "NOT_SUPPORTED", "cannot be specified for a legacy encrypted license")
		}
	}
	if hasKey {
		switch {
		case contains(reservedAliases, lower(key)):
			v.attr("key", "NOT_ALLOWED", "is reserved")
		case db.findLicenseByKey(c.acct.ID, key) != nil:
			v.attr("key", "TAKEN", "has already been taken")
		}
		switch {
		case key == "":
			// The first length validation (minimum 1) applies whatever the scheme; the
			// 6-character one only to present keys.
			v.attr("key", "TOO_SHORT", "is too short (minimum is 1 character)")
		case len(key) > 16<<10:
			v.attr("key", "TOO_LONG", "is too long (maximum is 16384 characters)")
		case len(key) < 6 && (pol == nil || pol.Scheme == nil):
			v.attr("key", "TOO_SHORT", "is too short (minimum is 6 characters)")
		}
	}
	if pol != nil {
		validateLicenseLimits(v, l, pol)
	}
	if err := v.err(); err != nil {
		return err
	}
	// before_create callbacks, in Keygen's order.
	if l.Protected == nil {
		l.Protected = &pol.Protected
	}
	if pol.RequireCheckIn {
		l.LastCheckIn = &now
	}
	if l.Expiry == nil && pol.ExpirationBasis == "FROM_CREATION" && pol.Duration != nil {
		exp := addDuration(now, *pol.Duration)
		l.Expiry = &exp
	}
	switch {
	case hasKey:
		l.Key = key
	case pol.Scheme != nil && *pol.Scheme != "LEGACY_ENCRYPT":
		l.Key = defaultDataset(db, l, pol, now)
	case pol.UsePool:
		k := db.popKey(pol)
		if k == nil {
			return newInvalid("licenses").rel("policy", "POOL_EMPTY", "pool is empty").err()
		}
		c.emit("policy.pool.popped", c.view().key(k), nil)
		l.Key = k.Key
	default:
		l.Key = newLicenseKey()
	}
	if pol.Scheme != nil && *pol.Scheme != "LEGACY_ENCRYPT" {
		signed, err := cryptKey(c.acct, *pol.Scheme, seedTemplate(db, l, pol).format(l.Key))
		if err != nil {
			return err
		}
		l.Key = signed
	}
	db.licenses[l.ID] = l
	res := c.view().licenseDoc(l, true)
	c.emit("license.created", res, nil)
	return c.created(res)
}

// applyLicense copies the sent attributes (create or update) onto a license.
func (c *call) applyLicense(l *License, a params) {
	if a.has("name") {
		l.Name = a.strPtr("name")
	}
	if a.has("expiry") {
		l.Expiry = a.timePtr("expiry")
	}
	if b, ok := a.bool("protected"); ok {
		l.Protected = &b
	}
	if b, ok := a.bool("suspended"); ok {
		l.Suspended = b
	}
	for _, k := range licenseLimitAttrs {
		if a.has(k) {
			*licenseLimit(l, k) = a.intPtr(k)
		}
	}
	if a.has("metadata") {
		l.Metadata = orEmpty(a.hash("metadata"))
	}
	if a.has("permissions") {
		l.Permissions = a.strings("permissions")
	}
}

func licenseLimit(l *License, k string) **int64 {
	switch k {
	case "max_machines":
		return &l.MaxMachines
	case "max_cores":
		return &l.MaxCores
	case "max_memory":
		return &l.MaxMemory
	case "max_disk":
		return &l.MaxDisk
	case "max_uses":
		return &l.MaxUses
	case "max_processes":
		return &l.MaxProcesses
	}
	return &l.MaxUsers
}

// validateLicenseLimits applies the license model's validations of its overrides.
func validateLicenseLimits(v *invalid, l *License, pol *Policy) {
	const maxInt = 2147483647
	if l.Name != nil && len(*l.Name) > 1024 {
		v.attr("name", "TOO_LONG", "is too long (maximum is 1024 characters)")
	}
	if m := l.MaxMachines; m != nil {
		switch {
		case *m < 0:
			v.attr("maxMachines", "INVALID", "must be greater than or equal to 0")
		case *m > maxInt:
			v.attr("maxMachines", "INVALID", fmt.Sprintf("must be less than or equal to %d", maxInt))
		}
		switch {
		case pol.Floating && *m < 1:
			v.attr("maxMachines", "INVALID", "must be greater than or equal to 1 for floating policy")
		case !pol.Floating && *m != 1:
			v.attr("maxMachines", "INVALID", "must be equal to 1 for non-floating policy")
		}
	}
	for _, lim := range []struct {
		name string
		n    *int64
		lo   int64
	}{{"maxCores", l.MaxCores, 1}, {"maxMemory", l.MaxMemory, 1}, {"maxDisk", l.MaxDisk, 1}, {"maxUses", l.MaxUses, 0}, {"maxProcesses", l.MaxProcesses, 0}, {"maxUsers", l.MaxUsers, 0}} {
		switch {
		case lim.n == nil:
		case *lim.n < lim.lo:
			v.attr(lim.name, "INVALID", fmt.Sprintf("must be greater than or equal to %d", lim.lo))
		case *lim.n > maxInt && lim.name != "maxMemory" && lim.name != "maxDisk":
			v.attr(lim.name, "INVALID", fmt.Sprintf("must be less than or equal to %d", maxInt))
		}
	}
}

func (s *Server) showLicense(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	l, err := c.findLicenseFor(p, c.param("id"))
	if err != nil {
		return err
	}
	if err := c.verifyPermission(p, "license.read"); err != nil {
		return err
	}
	return c.ok(c.view().license(l))
}

func (s *Server) updateLicense(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	l, err := c.findLicenseFor(p, c.param("id"))
	if err != nil {
		return err
	}
	if err := c.authorize(p, "license.update", c.mayAdministerLicense(p, l)); err != nil {
		return err
	}
	in, err := c.parse(licenseSchema(p, false))
	if err != nil {
		return err
	}
	next := *l
	c.applyLicense(&next, in.obj("data").obj("attributes"))
	v := newInvalid("licenses")
	validateLicenseLimits(v, &next, c.licensePolicy(l))
	if err := v.err(); err != nil {
		return err
	}
	next.Updated = c.now()
	*l = next
	res := c.view().license(l)
	c.emit("license.updated", res, nil)
	return c.ok(res)
}

func (s *Server) deleteLicense(c *call) error {
	return s.destroyLicense(c, "license.deleted", "license.delete")
}

func (s *Server) revokeLicense(c *call) error {
	return s.destroyLicense(c, "license.revoked", "license.revoke")
}

func (s *Server) destroyLicense(c *call, event, perm string) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	l, err := c.findLicenseFor(p, c.param("id"))
	if err != nil {
		return err
	}
	if err := c.authorize(p, perm, c.mayManageLicense(p, l)); err != nil {
		return err
	}
	c.emit(event, c.view().license(l), nil)
	c.db().deleteLicense(l)
	return c.noContent()
}
