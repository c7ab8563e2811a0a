package keygentest

import (
	"fmt"
	"time"
)

// Licenses (app/models/license.rb, app/controllers/api/v1/licenses_controller.rb): the
// model, its finders, visibility, derived states, renderer, routes and CRUD handlers. The
// rest of the family: licenses_actions.go, licenses_filters.go, licenses_relationships.go,
// licenses_users.go, licenses_validation.go and licenses_schemes.go; check-out is in
// checkout.go.

// license is a license (app/models/license.rb). Limits hold the license's own overrides; the
// effective value falls back to the policy's (see effective).
type license struct {
	base
	PolicyID string
	OwnerID  *string
	GroupID  *string
	UserIDs  []string // attached licensees, besides the owner
	// userLinks holds the license-users records of UserIDs by user id (licenses_users.go);
	// made on first use for licensees set directly.
	userLinks     map[string]*licenseUser
	Name          *string
	Key           string
	Expiry        *time.Time
	Uses          int64
	Suspended     bool
	Protected     *bool // nil: inherit the policy's flag
	Version       *string
	MaxMachines   *int64
	MaxProcesses  *int64
	MaxUsers      *int64
	MaxCores      *int64
	MaxMemory     *int64
	MaxDisk       *int64
	MaxUses       *int64
	LastValidated *time.Time
	LastCheckIn   *time.Time
	LastCheckOut  *time.Time
	Permissions   []string
	Metadata      map[string]any
}

func (db *store) findLicense(acct, idOrKey string) *license {
	if l := db.licenses[idOrKey]; l != nil && l.AccountID == acct {
		return l
	}
	return db.findLicenseByKey(acct, idOrKey)
}

func (db *store) findLicenseByKey(acct, key string) *license {
	for _, l := range db.licenses {
		if l.AccountID == acct && l.Key == key {
			return l
		}
	}
	return nil
}

// productOfLicense returns the product of a license through its policy (nil if gone).
func (db *store) productOfLicense(l *license) *product {
	if p := db.policies[l.PolicyID]; p != nil {
		return db.products[p.ProductID]
	}
	return nil
}

// deleteLicense removes a license with its machines and tokens.
func (db *store) deleteLicense(l *license) {
	for _, m := range db.machines {
		if m.LicenseID == l.ID {
			delete(db.machines, m.ID)
		}
	}
	db.deleteTokensOf("licenses", l.ID, nil)
	delete(db.licenses, l.ID)
}

// licenseHasUser reports whether the user owns the license or is one of its licensees.
func licenseHasUser(l *license, userID string) bool {
	if l.OwnerID != nil && *l.OwnerID == userID {
		return true
	}
	for _, id := range l.UserIDs {
		if id == userID {
			return true
		}
	}
	return false
}

func anyLicense(ls []*license, f func(*license) bool) bool {
	for _, l := range ls {
		if f(l) {
			return true
		}
	}
	return false
}

// findLicenseIn resolves a license by id or key among candidates, else 404.
func findLicenseIn(items []*license, id string) (*license, error) {
	for _, l := range items {
		if l.ID == lower(id) || l.ID == id {
			return l, nil
		}
	}
	for _, l := range items {
		if l.Key == id {
			return l, nil
		}
	}
	return nil, errNotFound("license", id)
}

// seesLicense: staff all; a product its licenses; users those they own or are attached
// to; a license itself.
func (c *call) seesLicense(p *principal, l *license) bool {
	switch {
	case p.isStaff():
		return true
	case p.product != nil:
		return c.licenseProductID(l) == p.product.ID
	case p.user != nil:
		return licenseHasUser(l, p.user.ID)
	case p.license != nil:
		return p.isLicense(l.ID)
	}
	return false
}

// licenseProductID is the product of a license (through its policy).
func (c *call) licenseProductID(l *license) string {
	if pol := c.db().policies[l.PolicyID]; pol != nil {
		return pol.ProductID
	}
	return ""
}

// Derived states are computed lazily from stored fields and the server clock, as Keygen
// computes them on read, so Advance changes them without any background work.

// inactiveAfter is how long without activity makes a license (or user) INACTIVE.
const inactiveAfter = 90 * day

// expiringWithin is how close to its expiry a license is EXPIRING.
const expiringWithin = 3 * day

func (c *call) licenseExpired(l *license) bool { return licenseExpiredAt(l, c.now()) }

func licenseExpiredAt(l *license, now time.Time) bool {
	return l.Expiry != nil && l.Expiry.Before(now)
}

// licenseBanned: a license is banned when its owner is (app/models/license.rb).
func (c *call) licenseBanned(l *license) bool { return licenseBannedIn(c.db(), l) }

func licenseBannedIn(db *store, l *license) bool {
	if l.OwnerID == nil {
		return false
	}
	u := db.users[*l.OwnerID]
	return u != nil && u.BannedAt != nil
}

// licenseStatus applies Keygen's precedence: banned > suspended > expired > expiring
// (within 3 days) > inactive (no activity in 90 days) > active.
func licenseStatus(db *store, l *license, now time.Time) string {
	switch {
	case licenseBannedIn(db, l):
		return "BANNED"
	case l.Suspended:
		return "SUSPENDED"
	case licenseExpiredAt(l, now):
		return "EXPIRED"
	case l.Expiry != nil && l.Expiry.Before(now.Add(expiringWithin)):
		return "EXPIRING"
	case lastActivity(l).Before(now.Add(-inactiveAfter)):
		return "INACTIVE"
	}
	return "ACTIVE"
}

// lastActivity is the latest of creation, validation, check-in and check-out.
func lastActivity(l *license) time.Time {
	t := l.Created
	for _, x := range []*time.Time{l.LastValidated, l.LastCheckIn, l.LastCheckOut} {
		if x != nil && x.After(t) {
			t = *x
		}
	}
	return t
}

// licenseProtected is the license's own flag, else its policy's.
func licenseProtected(db *store, l *license) bool {
	if l.Protected != nil {
		return *l.Protected
	}
	if p := db.policies[l.PolicyID]; p != nil {
		return p.Protected
	}
	return false
}

// effective returns the license override when set, else the policy value.
func effective(own, policy *int64) *int64 {
	if own != nil {
		return own
	}
	return policy
}

// nextCheckIn is lastCheckIn plus the policy's check-in interval, in calendar units.
func nextCheckIn(p *policy, l *license) *time.Time {
	if p == nil || !p.RequireCheckIn || l.LastCheckIn == nil || p.CheckInInterval == nil || p.CheckInIntervalCount == nil {
		return nil
	}
	n := int(*p.CheckInIntervalCount)
	t := *l.LastCheckIn
	switch *p.CheckInInterval {
	case "day":
		t = t.AddDate(0, 0, n)
	case "week":
		t = t.AddDate(0, 0, 7*n)
	case "month":
		t = t.AddDate(0, n, 0)
	case "year":
		t = t.AddDate(n, 0, 0)
	default:
		return nil
	}
	return &t
}

// checkInOverdue: the policy requires check-in and the last check-in is older than the
// interval (License#check_in_overdue?; a null lastCheckIn is never overdue).
func checkInOverdue(p *policy, l *license, now time.Time) bool {
	next := nextCheckIn(p, l)
	return next != nil && next.Before(now)
}

func (v view) license(l *license) *resource { return v.licenseDoc(l, false) }

// licenseDoc renders a license. LicenseSerializer omits key for a legacy encrypted license
// unless its raw key is at hand, which is only while the create request that generated it
// runs (withRaw): afterwards only the key's digest is stored.
func (v view) licenseDoc(l *license, withRaw bool) *resource {
	db := v.db
	pol := db.policies[l.PolicyID]
	if pol == nil {
		pol = &policy{}
	}
	maxMachines := licenseMaxMachines(l, pol)
	attrs := map[string]any{
		"name":             opt(l.Name),
		"key":              l.Key,
		"expiry":           optTime(l.Expiry),
		"status":           licenseStatus(db, l, v.now),
		"uses":             l.Uses,
		"suspended":        l.Suspended,
		"scheme":           opt(pol.Scheme),
		"encrypted":        pol.Encrypted,
		"strict":           pol.Strict,
		"floating":         pol.Floating,
		"protected":        licenseProtected(db, l),
		"version":          opt(l.Version),
		"maxMachines":      opt(maxMachines),
		"maxProcesses":     opt(effective(l.MaxProcesses, pol.MaxProcesses)),
		"maxUsers":         opt(effective(l.MaxUsers, pol.MaxUsers)),
		"maxCores":         opt(effective(l.MaxCores, pol.MaxCores)),
		"maxMemory":        opt(effective(l.MaxMemory, pol.MaxMemory)),
		"maxDisk":          opt(effective(l.MaxDisk, pol.MaxDisk)),
		"maxUses":          opt(effective(l.MaxUses, pol.MaxUses)),
		"requireHeartbeat": pol.RequireHeartbeat,
		"requireCheckIn":   pol.RequireCheckIn,
		"lastValidated":    optTime(l.LastValidated),
		"lastCheckIn":      optTime(l.LastCheckIn),
		"nextCheckIn":      optTime(nextCheckIn(pol, l)),
		"lastCheckOut":     optTime(l.LastCheckOut),
		"metadata":         v.metadata(l.Metadata),
	}
	if pol.Encrypted && pol.Scheme != nil && *pol.Scheme == "LEGACY_ENCRYPT" && !withRaw {
		delete(attrs, "key")
	}
	r := v.newResource("licenses", l.ID, stamp(attrs, &l.base))
	var productID *string
	if pol.ID != "" {
		productID = strPtr(pol.ProductID)
	}
	policyID := l.PolicyID
	r.Relationships["product"] = toOne(v.path("licenses", l.ID, "product"), "products", productID)
	r.Relationships["policy"] = toOne(v.path("licenses", l.ID, "policy"), "policies", &policyID)
	r.Relationships["group"] = toOne(v.path("licenses", l.ID, "group"), "groups", l.GroupID)
	if v.minor <= 5 {
		r.Relationships["user"] = toOne(v.path("licenses", l.ID, "user"), "users", l.OwnerID)
	} else {
		r.Relationships["owner"] = toOne(v.path("licenses", l.ID, "owner"), "users", l.OwnerID)
	}
	users := len(l.UserIDs)
	if l.OwnerID != nil {
		users++
	}
	r.Relationships["users"] = toMany(v.path("licenses", l.ID, "users"), map[string]any{"count": users})
	var cores, memory, disk int64
	machines := db.licenseMachines(l)
	for _, m := range machines {
		cores += deref(m.Cores)
		memory += deref(m.Memory)
		disk += deref(m.Disk)
	}
	r.Relationships["machines"] = toMany(v.path("licenses", l.ID, "machines"),
		map[string]any{"cores": cores, "memory": memory, "disk": disk, "count": len(machines)})
	r.Relationships["tokens"] = toMany(v.path("licenses", l.ID, "tokens"), nil)
	r.Relationships["entitlements"] = toMany(v.path("licenses", l.ID, "entitlements"), nil)
	return r
}

// routeLicenses registers the routes for licenses (config/routes.rb) and their actions.
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
		// The environment relationship is declared only on EE (Keygen.ee in
		// LicensesController#create's typed params): CE refuses it as unpermitted.
		rels := fields{"policy": linkage("policy"), "owner": owner, "user": owner}
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

// findLicenseFor resolves a license by id or key as the bearer may see it, else 404.
func (c *call) findLicenseFor(p *principal, id string) (*license, error) {
	l := c.db().findLicense(c.acct.ID, id)
	if l == nil || p == nil || !c.seesLicense(p, l) {
		return nil, errNotFound("license", id)
	}
	return l, nil
}

// licensePolicy returns a license's policy (a zero policy when it is gone).
func (c *call) licensePolicy(l *license) *policy {
	if pol := c.db().policies[l.PolicyID]; pol != nil {
		return pol
	}
	return &policy{}
}

func (c *call) isLicenseOwner(p *principal, l *license) bool {
	return p.user != nil && l.OwnerID != nil && *l.OwnerID == p.user.ID
}

// mayManageLicense implements LicensePolicy for destroy, revoke and renew: admins,
// developers, sales agents, environments; a product its own; a user its owned license
// on an unprotected policy.
func (c *call) mayManageLicense(p *principal, l *license) bool {
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
func (c *call) mayAdministerLicense(p *principal, l *license) bool {
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
	l := &license{base: newBase(c.acct.ID, now), PolicyID: policyID, Metadata: map[string]any{}}
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
	var owner *user
	if ownerID != nil {
		if owner = db.findUser(c.acct.ID, *ownerID); owner == nil || owner.ID != *ownerID {
			owner = nil
			// API ≤1.5 names the relationship user
			// (app/migrations/rename_owner_relationship_to_user_for_license_migration.rb).
			rel := "owner"
			if c.minor <= 5 {
				rel = "user"
			}
			v.rel(rel, "NOT_FOUND", "must exist")
		}
	}
	if l.GroupID == nil && owner != nil {
		l.GroupID = owner.GroupID // a license without a group takes its owner's (groups.go)
	}
	c.validateGroup(v, "license", l.GroupID, l.ID)
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
	// metadata is declared after the create-time key conflict checks and before the key's
	// own validations (app/models/license.rb).
	validateMetadata(v, l.Metadata)
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
func (c *call) applyLicense(l *license, a params) {
	if a.has("name") {
		l.Name = a.strPtr("name")
	}
	if a.has("expiry") {
		// The same instant in another zone is no change (ActiveRecord compares the value).
		if t := a.timePtr("expiry"); t == nil || l.Expiry == nil || !t.Equal(*l.Expiry) {
			l.Expiry = t
		}
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

func licenseLimit(l *license, k string) **int64 {
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
func validateLicenseLimits(v *invalid, l *license, pol *policy) {
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
	validateMetadata(v, next.Metadata) // before name and the limits (app/models/license.rb)
	validateLicenseLimits(v, &next, c.licensePolicy(l))
	if err := v.err(); err != nil {
		return err
	}
	// license.update saves, and stamps updated_at, only when something changed
	// (ActiveRecord timestamps; app/controllers/api/v1/licenses_controller.rb).
	touchIfChanged(l, &next, c.now())
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
