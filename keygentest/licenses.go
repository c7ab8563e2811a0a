package keygentest

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
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
	r.put("/licenses/{id}/owner", s.lazy(s.changeLicenseOwner))
	r.put("/licenses/{id}/user", s.lazy(s.changeLicenseOwner))
	r.get("/licenses/{id}/machines", s.lazy(s.listLicenseMachines))
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
			v.rel("owner", "NOT_FOUND", "must exist")
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
		case key == "" && (pol == nil || pol.Scheme == nil):
			v.attr("key", "TOO_SHORT", "is too short (minimum is 6 characters)")
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
	res := c.view().license(l)
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

func (s *Server) listLicenses(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	if p.license != nil {
		return errDenied()
	}
	keep, err := c.licenseFilter()
	if err != nil {
		return err
	}
	items := ofAccount(c.db().licenses, c.acct.ID, func(l *License) bool { return c.seesLicense(p, l) && keep(l) })
	v := c.view()
	return paginate(c, items, true, v.license)
}

// licenseFilter applies the list filters of keygen-api.md §1.9 for licenses.
func (c *call) licenseFilter() (func(*License) bool, error) {
	q, db, now := c.query, c.db(), c.now()
	meta := metadataFilters(q)
	var checks []func(*License) bool
	add := func(f func(*License) bool) { checks = append(checks, f) }
	if v := q.Get("product"); q.Has("product") {
		add(func(l *License) bool { return c.licenseProductID(l) == v })
	}
	if v := q.Get("policy"); q.Has("policy") {
		add(func(l *License) bool { return l.PolicyID == v })
	}
	userMatches := func(id *string, want string) bool {
		if id == nil {
			return false
		}
		if *id == want {
			return true
		}
		u := db.users[*id]
		return u != nil && u.Email == lower(want)
	}
	if v := q.Get("owner"); q.Has("owner") {
		add(func(l *License) bool { return userMatches(l.OwnerID, v) })
	}
	if v := q.Get("user"); q.Has("user") {
		add(func(l *License) bool {
			if userMatches(l.OwnerID, v) {
				return true
			}
			for _, id := range l.UserIDs {
				if userMatches(&id, v) {
					return true
				}
			}
			return false
		})
	}
	if v := q.Get("machine"); q.Has("machine") {
		add(func(l *License) bool {
			for _, m := range db.licenseMachines(l) {
				if m.ID == v || m.Fingerprint == v {
					return true
				}
			}
			return false
		})
	}
	if v := q.Get("group"); q.Has("group") {
		add(func(l *License) bool { return l.GroupID != nil && *l.GroupID == v })
	}
	if v := q.Get("status"); q.Has("status") {
		add(func(l *License) bool { return strings.ToUpper(v) == licenseStatus(db, l, now) })
	}
	boolFilter := func(name string, f func(*License) bool) {
		if q.Has(name) {
			want, ok := queryBool(q.Get(name))
			if !ok {
				want = true
			}
			add(func(l *License) bool { return f(l) == want })
		}
	}
	boolFilter("suspended", func(l *License) bool { return l.Suspended })
	boolFilter("expiring", func(l *License) bool { return licenseStatus(db, l, now) == "EXPIRING" })
	boolFilter("expired", func(l *License) bool { return licenseExpiredAt(l, now) })
	boolFilter("assigned", func(l *License) bool { return l.OwnerID != nil || len(l.UserIDs) > 0 })
	boolFilter("unassigned", func(l *License) bool { return l.OwnerID == nil && len(l.UserIDs) == 0 })
	boolFilter("activated", func(l *License) bool { return len(db.licenseMachines(l)) > 0 })
	for _, name := range []string{"expires", "expired"} {
		for _, op := range []string{"within", "in", "before", "after", "on"} {
			k := name + "[" + op + "]"
			if !q.Has(k) {
				continue
			}
			f := expiresFilter(op, q.Get(k), now, name == "expired")
			add(f)
		}
	}
	for _, op := range []string{"eq", "gt", "gte", "lt", "lte"} {
		k := "activations[" + op + "]"
		if !q.Has(k) {
			continue
		}
		n := int64(rubyToI(q.Get(k)))
		add(func(l *License) bool {
			got := int64(len(db.licenseMachines(l)))
			switch op {
			case "eq":
				return got == n
			case "gt":
				return got > n
			case "gte":
				return got >= n
			case "lt":
				return got < n
			}
			return got <= n
		})
	}
	return func(l *License) bool {
		for _, f := range checks {
			if !f(l) {
				return false
			}
		}
		return matchMetadata(l.Metadata, meta)
	}, nil
}

var isoDurationRE = regexp.MustCompile(`^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$`)

// parseFilterDuration reads Keygen's filter durations: bare seconds or ISO 8601 without
// the leading P ("30D", "1W", "T1H").
func parseFilterDuration(s string) (time.Duration, bool) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Duration(n) * time.Second, true
	}
	m := isoDurationRE.FindStringSubmatch("P" + strings.TrimPrefix(strings.ToUpper(s), "P"))
	if m == nil {
		return 0, false
	}
	units := []time.Duration{31556952 * time.Second, 2629746 * time.Second, 7 * day, day, time.Hour, time.Minute, time.Second}
	var d time.Duration
	for i, u := range units {
		if m[i+1] != "" {
			n, _ := strconv.Atoi(m[i+1])
			d += time.Duration(n) * u
		}
	}
	return d, true
}

// expiresFilter implements expires[…] and expired[…] (§1.9).
func expiresFilter(op, value string, now time.Time, expired bool) func(*License) bool {
	none := func(*License) bool { return false }
	var at time.Time
	var window time.Duration
	switch op {
	case "within", "in":
		d, ok := parseFilterDuration(value)
		if !ok {
			return none
		}
		window = d
	default:
		if n, err := strconv.ParseInt(value, 10, 64); err == nil {
			at = time.Unix(n, 0)
		} else if t, ok := parseTime(value); ok {
			at = t
		} else {
			return none
		}
	}
	return func(l *License) bool {
		if l.Expiry == nil {
			return false
		}
		e := *l.Expiry
		switch op {
		case "within":
			if expired {
				return !e.After(now) && e.After(now.Add(-window))
			}
			return e.After(now) && !e.After(now.Add(window))
		case "in":
			if expired {
				return e.Before(now) && e.After(now.Add(-window))
			}
			return e.After(now.Add(window).Add(-day)) && !e.After(now.Add(window))
		case "before":
			return e.Before(at)
		case "after":
			return e.After(at)
		}
		y1, m1, d1 := e.Date()
		y2, m2, d2 := at.UTC().Date()
		return y1 == y2 && m1 == m2 && d1 == d2
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
	if !c.mayAdministerLicense(p, l) {
		return errDenied()
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
	return s.destroyLicense(c, "license.deleted")
}

func (s *Server) revokeLicense(c *call) error {
	return s.destroyLicense(c, "license.revoked")
}

func (s *Server) destroyLicense(c *call, event string) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	l, err := c.findLicenseFor(p, c.param("id"))
	if err != nil {
		return err
	}
	if !c.mayManageLicense(p, l) {
		return errDenied()
	}
	c.emit(event, c.view().license(l), nil)
	c.db().deleteLicense(l)
	return c.noContent()
}

// suspendLicense is suspend (true) and reinstate (false).
func (s *Server) suspendLicense(suspend bool) handlerFunc {
	return func(c *call) error {
		p, err := c.requireAuth()
		if err != nil {
			return err
		}
		l, err := c.findLicenseFor(p, c.param("id"))
		if err != nil {
			return err
		}
		if !c.mayAdministerLicense(p, l) {
			return errDenied()
		}
		switch {
		case suspend && l.Suspended:
			return errUnprocessableEntity("is already suspended", "", pointer("/data/attributes/suspended"))
		case !suspend && !l.Suspended:
			return errUnprocessableEntity("is not suspended", "", pointer("/data/attributes/suspended"))
		}
		l.Suspended = suspend
		l.Updated = c.now()
		res := c.view().license(l)
		c.emit(map[bool]string{true: "license.suspended", false: "license.reinstated"}[suspend], res, nil)
		return c.ok(res)
	}
}

func (s *Server) renewLicense(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	l, err := c.findLicenseFor(p, c.param("id"))
	if err != nil {
		return err
	}
	if !c.mayManageLicense(p, l) {
		return errDenied()
	}
	pol := c.licensePolicy(l)
	if pol.Duration == nil {
		return errUnprocessableEntity("cannot be renewed because the policy does not have a duration", "", nil)
	}
	if l.Expiry == nil {
		// Keygen's renew! refuses silently and renders the (empty) record errors.
		return &apiError{status: 422, errors: []errObject{}}
	}
	now := c.now()
	base := *l.Expiry
	switch pol.RenewalBasis {
	case "FROM_NOW":
		base = now
	case "FROM_NOW_IF_EXPIRED":
		if l.Expiry.Before(now) {
			base = now
		}
	}
	exp := addDuration(base, *pol.Duration)
	l.Expiry = &exp
	l.Updated = now
	res := c.view().license(l)
	c.emit("license.renewed", res, nil)
	return c.ok(res)
}

func (s *Server) checkInLicense(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	l, err := c.findLicenseFor(p, c.param("id"))
	if err != nil {
		return err
	}
	ok := p.hasRole("admin", "developer", "sales-agent", "support-agent", "environment") ||
		(p.product != nil && p.isProduct(c.licenseProductID(l))) ||
		(c.isLicenseOwner(p, l) && !licenseProtected(c.db(), l)) || p.isLicense(l.ID)
	if !ok {
		return errDenied()
	}
	if !c.licensePolicy(l).RequireCheckIn {
		return errUnprocessableEntity("cannot be checked in because the policy does not require it", "", nil)
	}
	now := c.now()
	l.LastCheckIn = &now
	l.Updated = now
	res := c.view().license(l)
	c.emit("license.checked-in", res, nil)
	return c.ok(res)
}

// mayUseLicense implements Licenses::UsagePolicy: increment also for the owner of an
// unprotected license and the license itself; decrement/reset only for staff (not
// read-only) and the license's product.
func (c *call) mayUseLicense(p *principal, l *License, increment bool) bool {
	switch {
	case p.hasRole("admin", "developer", "sales-agent", "support-agent", "environment"):
		return true
	case p.product != nil:
		return p.isProduct(c.licenseProductID(l))
	case !increment:
		return false
	case c.isLicenseOwner(p, l):
		return !licenseProtected(c.db(), l)
	}
	return p.isLicense(l.ID)
}

func (s *Server) incrementUsage(c *call) error { return s.changeUsage(c, "increment") }
func (s *Server) decrementUsage(c *call) error { return s.changeUsage(c, "decrement") }
func (s *Server) resetUsage(c *call) error     { return s.changeUsage(c, "reset") }

func (s *Server) changeUsage(c *call, op string) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	l, err := c.findLicenseFor(p, c.param("id"))
	if err != nil {
		return err
	}
	if !c.mayUseLicense(p, l, op == "increment") {
		return errDenied()
	}
	uses := int64(0)
	if op != "reset" {
		in, err := c.parse(obj(fields{"meta": obj(fields{op: integer().opt()}).opt()}))
		if err != nil {
			return err
		}
		n, ok := in.obj("meta").int(op)
		if !ok {
			n = 1
		}
		if op == "decrement" {
			n = -n
		}
		uses = l.Uses + n
		if (n > 0 && uses < l.Uses) || uses > 2147483647 {
			return errBadRequest("integer is too large", pointer("/meta/"+op))
		}
	}
	pol := c.licensePolicy(l)
	v := newInvalid("licenses")
	if uses < 0 {
		v.attr("uses", "INVALID", "must be greater than or equal to 0")
	}
	if max := effective(l.MaxUses, pol.MaxUses); max != nil && uses > *max && uses != l.Uses {
		v.attr("uses", "LIMIT_EXCEEDED", fmt.Sprintf("usage exceeds maximum allowed for license (%d)", *max))
	}
	if err := v.err(); err != nil {
		return err
	}
	now := c.now()
	l.Uses = uses
	l.Updated = now
	if op == "increment" {
		c.setExpiryOnFirst(l, "FROM_FIRST_USE")
	}
	res := c.view().license(l)
	c.emit(map[string]string{"increment": "license.usage.incremented", "decrement": "license.usage.decremented", "reset": "license.usage.reset"}[op], res, nil)
	return c.ok(res)
}

// setExpiryOnFirst starts a license's expiry on its first validation, activation or use
// when the policy's expirationBasis says so and it has a duration.
func (c *call) setExpiryOnFirst(l *License, basis string) {
	pol := c.licensePolicy(l)
	if l.Expiry != nil || pol.ExpirationBasis != basis || pol.Duration == nil {
		return
	}
	exp := addDuration(c.now(), *pol.Duration)
	l.Expiry = &exp
}

// changeLicensePolicy is PUT /licenses/{id}/policy (transfer); the answer is the license.
func (s *Server) changeLicensePolicy(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	l, err := c.findLicenseFor(p, c.param("id"))
	if err != nil {
		return err
	}
	in, err := c.parse(obj(fields{"data": obj(fields{"type": typeOf("policy"), "id": uuidParam()})}))
	if err != nil {
		return err
	}
	if !c.mayAdministerLicense(p, l) {
		return errDenied()
	}
	id, _ := in.obj("data").str("id")
	next := c.db().findPolicy(c.acct.ID, id)
	if next == nil || !c.seesPolicy(p, next) {
		return newInvalid("licenses").rel("policy", "NOT_FOUND", "must exist").err()
	}
	prev := c.licensePolicy(l)
	incompatible := ""
	rank := map[string]int{"UNIQUE_PER_LICENSE": 1, "UNIQUE_PER_POLICY": 2, "UNIQUE_PER_PRODUCT": 3, "UNIQUE_PER_ACCOUNT": 4, "UNIQUE_PER_MACHINE": 0}
	switch {
	case next.Encrypted != prev.Encrypted:
		incompatible = "cannot change from an encrypted policy to an unencrypted policy (or vice-versa)"
	case next.UsePool != prev.UsePool:
		incompatible = "cannot change from a pooled policy to an unpooled policy (or vice-versa)"
	case deref2(next.Scheme) != deref2(prev.Scheme):
		incompatible = "cannot change to a policy with a different scheme"
	case rank[next.MachineUniquenessStrategy] > rank[prev.MachineUniquenessStrategy]:
		incompatible = "cannot change to a policy with a more strict machine uniqueness strategy"
	}
	if incompatible != "" {
		return newInvalid("licenses").rel("policy", "NOT_COMPATIBLE", incompatible).err()
	}
	l.PolicyID = next.ID
	if next.TransferStrategy == "RESET_EXPIRY" {
		l.Expiry = nil
		if next.Duration != nil {
			exp := addDuration(c.now(), *next.Duration)
			l.Expiry = &exp
		}
	}
	l.Updated = c.now()
	res := c.view().license(l)
	c.emit("license.policy.updated", res, nil)
	return c.ok(res)
}

func deref2(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// changeLicenseOwner is PUT /licenses/{id}/owner (legacy /user) with a users linkage or
// null; the answer is the license.
func (s *Server) changeLicenseOwner(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	l, err := c.findLicenseFor(p, c.param("id"))
	if err != nil {
		return err
	}
	in, err := c.parse(obj(fields{"data": obj(fields{"type": typeOf("user"), "id": uuidParam()}).null()}))
	if err != nil {
		return err
	}
	if !c.mayAdministerLicense(p, l) {
		return errDenied()
	}
	var owner *string
	if id, ok := in.obj("data").str("id"); ok {
		u := c.db().findUser(c.acct.ID, id)
		if u == nil || u.ID != id {
			return newInvalid("licenses").rel("owner", "NOT_FOUND", "must exist").err()
		}
		if contains(l.UserIDs, id) {
			return newInvalid("licenses").rel("owner", "INVALID", "already exists (user is attached through users)").err()
		}
		owner = &id
	}
	l.OwnerID = owner
	l.Updated = c.now()
	res := c.view().license(l)
	c.emit("license.owner.updated", res, nil)
	return c.ok(res)
}

func (s *Server) listLicenseMachines(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	l, err := c.findLicenseFor(p, c.param("id"))
	if err != nil {
		return err
	}
	items := ofAccount(c.db().machines, c.acct.ID, func(m *Machine) bool { return m.LicenseID == l.ID && c.seesMachine(p, m) })
	v := c.view()
	return paginate(c, items, true, v.machine)
}
