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
	r.get("/licenses/{id}/machines/{machine}", s.lazy(s.showLicenseMachine))
	r.get("/licenses/{id}/policy", s.lazy(s.showLicenseRelated("policy")))
	r.get("/licenses/{id}/product", s.lazy(s.showLicenseRelated("product")))
	r.get("/licenses/{id}/owner", s.lazy(s.showLicenseRelated("owner")))
	r.get("/licenses/{id}/user", s.lazy(s.showLicenseRelated("user")))
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

// licenseFilter applies the list filters of keygen-api.md §1.9 for licenses, each as the
// model scope Keygen's has_scope calls: blank values are not applied, booleans are cast
// like ActiveRecord's, hash filters use their first given operator and answer nothing
// when none is given.
func (c *call) licenseFilter() (func(*License) bool, error) {
	q, db, now := c.query, c.db(), c.now()
	meta := metadataFilters(q)
	var checks []func(*License) bool
	add := func(f func(*License) bool) { checks = append(checks, f) }
	none := func(*License) bool { return false }
	if v, ok := scopeValue(q, "product"); ok {
		add(func(l *License) bool { return c.licenseProductID(l) == v })
	}
	if v, ok := scopeValue(q, "policy"); ok {
		add(func(l *License) bool { return l.PolicyID == v })
	}
	// for_owner/for_user: a UUID matches the id, anything else the id or the exact email.
	userMatches := func(id *string, want string) bool {
		if id == nil {
			return false
		}
		if *id == want {
			return true
		}
		u := db.users[*id]
		return !isUUID(want) && u != nil && u.Email == want
	}
	if v, ok := scopeValue(q, "owner"); ok {
		add(func(l *License) bool { return userMatches(l.OwnerID, v) })
	}
	if v, ok := scopeValue(q, "user"); ok {
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
	if v, ok := scopeValue(q, "machine"); ok {
		// for_machine joins machines by id only (not fingerprint).
		add(func(l *License) bool {
			for _, m := range db.licenseMachines(l) {
				if m.ID == v {
					return true
				}
			}
			return false
		})
	}
	if v, ok := scopeValue(q, "group"); ok {
		add(func(l *License) bool { return l.GroupID != nil && *l.GroupID == v })
	}
	expiring := func(l *License) bool {
		return l.Expiry != nil && l.Expiry.After(now) && l.Expiry.Before(now.Add(expiringWithin))
	}
	if v, ok := scopeValue(q, "status"); ok {
		// with_status: each status is its own scope, not the status attribute's precedence.
		var f func(*License) bool
		switch strings.ToUpper(v) {
		case "BANNED":
			f = func(l *License) bool { return licenseBannedIn(db, l) }
		case "SUSPENDED":
			f = func(l *License) bool { return l.Suspended }
		case "EXPIRED":
			f = func(l *License) bool { return licenseExpiredAt(l, now) }
		case "EXPIRING":
			f = expiring
		case "INACTIVE":
			f = func(l *License) bool { return !licenseBannedIn(db, l) && !activeSince(l, now.Add(-inactiveAfter)) }
		case "ACTIVE":
			f = func(l *License) bool { return !licenseBannedIn(db, l) && activeSince(l, now.Add(-inactiveAfter)) }
		default:
			f = none
		}
		add(f)
	}
	boolFilter := func(name string, f func(l *License, want bool) bool) {
		if v, ok := scopeValue(q, name); ok {
			want := arBool(v)
			add(func(l *License) bool { return f(l, want) })
		}
	}
	assigned := func(l *License) bool { return l.OwnerID != nil && db.users[*l.OwnerID] != nil || len(l.UserIDs) > 0 }
	boolFilter("suspended", func(l *License, want bool) bool { return l.Suspended == want })
	boolFilter("expiring", func(l *License, want bool) bool {
		if want {
			return expiring(l)
		}
		return l.Expiry == nil || l.Expiry.Before(now) || l.Expiry.After(now.Add(expiringWithin))
	})
	boolFilter("assigned", func(l *License, want bool) bool { return assigned(l) == want })
	boolFilter("unassigned", func(l *License, want bool) bool { return assigned(l) != want })
	boolFilter("activated", func(l *License, want bool) bool { return (len(db.licenseMachines(l)) > 0) == want })
	if ops, isHash := hashScope(q, "expired"); isHash {
		add(expiresFilter(ops, now, true))
	} else if v, ok := scopeValue(q, "expired"); ok {
		want := arBool(v)
		add(func(l *License) bool { return licenseExpiredAt(l, now) == want })
	}
	if ops, isHash := hashScope(q, "expires"); isHash {
		add(expiresFilter(ops, now, false))
	}
	if ops, isHash := hashScope(q, "activity"); isHash {
		add(activityFilter(ops, db, now))
	}
	if ops, isHash := hashScope(q, "activations"); isHash {
		f := none
		for _, op := range []string{"eq", "gt", "gte", "lt", "lte"} {
			v := strings.TrimSpace(ops[op])
			if v == "" {
				continue
			}
			n := int64(rubyToI(v))
			f = func(l *License) bool {
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
			}
			break
		}
		add(f)
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

// scopeValue is a plain has_scope filter value: absent or blank values are not applied.
func scopeValue(q map[string][]string, name string) (string, bool) {
	vs, ok := q[name]
	if !ok || len(vs) == 0 || strings.TrimSpace(vs[0]) == "" {
		return "", false
	}
	return vs[0], true
}

// hashScope collects a hash filter ("expires[within]=…") into its operators; isHash is
// false when no "name[…]" key was sent.
func hashScope(q map[string][]string, name string) (ops map[string]string, isHash bool) {
	for k, vs := range q {
		if strings.HasPrefix(k, name+"[") && strings.HasSuffix(k, "]") && len(vs) > 0 {
			if ops == nil {
				ops = map[string]string{}
			}
			ops[k[len(name)+1:len(k)-1]] = vs[0]
		}
	}
	return ops, ops != nil
}

// arBool casts a query value like ActiveRecord::Type::Boolean: only the false words are
// false, anything else is true.
func arBool(s string) bool {
	switch s {
	case "0", "f", "F", "false", "FALSE", "off", "OFF":
		return false
	}
	return true
}

// activeSince is License.active(t) for one license: created or validated, checked out or
// checked in at or after t.
func activeSince(l *License, t time.Time) bool {
	for _, x := range []*time.Time{&l.Created, l.LastValidated, l.LastCheckOut, l.LastCheckIn} {
		if x != nil && !x.Before(t) {
			return true
		}
	}
	return false
}

// filterDuration reads a filter duration like Keygen: digits are seconds, anything else
// ISO 8601 with or without the leading P ("30D", "P1W", "T1H").
func filterDuration(s string) (years, months, days int, rest time.Duration, ok bool) {
	if isDigits(s) {
		n, err := strconv.ParseInt(s, 10, 64)
		return 0, 0, 0, time.Duration(n) * time.Second, err == nil
	}
	m := isoDurationRE.FindStringSubmatch("P" + strings.TrimPrefix(strings.ToUpper(s), "P"))
	if m == nil || m[0] == "P" || strings.HasSuffix(m[0], "T") {
		return 0, 0, 0, 0, false
	}
	n := func(i int) int { x, _ := strconv.Atoi(m[i]); return x }
	return n(1), n(2), n(3)*7 + n(4), time.Duration(n(5))*time.Hour + time.Duration(n(6))*time.Minute + time.Duration(n(7))*time.Second, true
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// ago and fromNow apply a calendar duration like ActiveSupport's Duration#ago/#from_now.
func durationShift(t time.Time, years, months, days int, rest time.Duration, sign int) time.Time {
	t = addMonths(t, sign*(years*12+months))
	t = t.AddDate(0, 0, sign*days)
	return t.Add(time.Duration(sign) * rest)
}

// filterTime reads before/after values: digits are a Unix time, else a parsed time.
func filterTime(s string) (time.Time, bool) {
	if isDigits(s) {
		n, _ := strconv.ParseInt(s, 10, 64)
		return time.Unix(n, 0).UTC(), true
	}
	return parseTime(s)
}

var isoDurationRE = regexp.MustCompile(`^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$`)

// expiresFilter implements expires[…] (expired=false) and expired[…] (expired=true) like
// License.expires/.expired: within (alias in), before, after, on, first given wins;
// expired[…] also requires the expiry to be past, expires[…] (but on) to be ahead.
func expiresFilter(ops map[string]string, now time.Time, expired bool) func(*License) bool {
	none := func(*License) bool { return false }
	get := func(k string) string { return strings.TrimSpace(ops[k]) }
	within := get("within")
	if within == "" {
		within = get("in")
	}
	side := func(e time.Time) bool {
		if expired {
			return e.Before(now)
		}
		return !e.Before(now)
	}
	var f func(e time.Time) bool
	switch {
	case within != "":
		y, mo, d, rest, ok := filterDuration(within)
		if !ok {
			return none
		}
		if expired {
			from := durationShift(now, y, mo, d, rest, -1)
			f = func(e time.Time) bool { return e.Before(now) && !e.Before(from) }
		} else {
			to := durationShift(now, y, mo, d, rest, 1)
			f = func(e time.Time) bool { return !e.Before(now) && !e.After(to) }
		}
	case get("before") != "":
		t, ok := filterTime(get("before"))
		if !ok {
			return none
		}
		f = func(e time.Time) bool { return side(e) && !e.After(t) }
	case get("after") != "":
		t, ok := filterTime(get("after"))
		if !ok {
			return none
		}
		f = func(e time.Time) bool { return side(e) && !e.Before(t) }
	case get("on") != "":
		t, ok := parseTime(get("on"))
		if !ok {
			return none
		}
		y, m, d := t.Date()
		start := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		end := start.Add(day - time.Nanosecond)
		f = func(e time.Time) bool {
			return (!expired || e.Before(now)) && !e.Before(start) && !e.After(end)
		}
	default:
		return none
	}
	return func(l *License) bool { return l.Expiry != nil && f(*l.Expiry) }
}

// activityFilter implements activity[inside|outside|before|after] (License.activity):
// active or inactive since a time, never counting licenses of banned owners.
func activityFilter(ops map[string]string, db *store, now time.Time) func(*License) bool {
	none := func(*License) bool { return false }
	get := func(k string) string { return strings.TrimSpace(ops[k]) }
	var since time.Time
	var active bool
	switch {
	case get("inside") != "", get("outside") != "":
		v := get("inside")
		active = v != ""
		if !active {
			v = get("outside")
		}
		y, mo, d, rest, ok := filterDuration(v)
		if !ok {
			return none
		}
		since = durationShift(now, y, mo, d, rest, -1)
	case get("before") != "":
		t, ok := filterTime(get("before"))
		if !ok {
			return none
		}
		since = t
	case get("after") != "":
		t, ok := filterTime(get("after"))
		if !ok {
			return none
		}
		since, active = t, true
	default:
		return none
	}
	return func(l *License) bool {
		return !licenseBannedIn(db, l) && activeSince(l, since) == active
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
	id, _ := in.obj("data").str("id")
	next := c.db().policies[id]
	if next != nil && next.AccountID != c.acct.ID {
		next = nil
	}
	// Licenses::PolicyPolicy#update?: staff but agents for support and read-only; a
	// product for its license and a policy of its own; the owner when neither the
	// license nor the new policy is protected.
	allowed := false
	switch {
	case p.hasRole("admin", "developer", "sales-agent", "environment"):
		allowed = true
	case p.product != nil:
		allowed = next != nil && p.isProduct(next.ProductID)
	case c.isLicenseOwner(p, l):
		allowed = !licenseProtected(c.db(), l) && (next == nil || !next.Protected)
	}
	if !allowed {
		return errDenied()
	}
	if next == nil {
		return newInvalid("licenses").rel("policy", "NOT_FOUND", "must exist").err()
	}
	prev := c.licensePolicy(l)
	incompatible := ""
	rank := func(s string) int {
		if r, ok := map[string]int{"UNIQUE_PER_LICENSE": 1, "UNIQUE_PER_POLICY": 2, "UNIQUE_PER_PRODUCT": 3, "UNIQUE_PER_ACCOUNT": 4, "UNIQUE_PER_MACHINE": 0}[s]; ok {
			return r
		}
		return -1
	}
	switch {
	case next.Encrypted != prev.Encrypted:
		incompatible = "cannot change from an encrypted policy to an unencrypted policy (or vice-versa)"
	case next.UsePool != prev.UsePool:
		incompatible = "cannot change from a pooled policy to an unpooled policy (or vice-versa)"
	case deref2(next.Scheme) != deref2(prev.Scheme):
		incompatible = "cannot change to a policy with a different scheme"
	case next.MachineUniquenessStrategy != prev.MachineUniquenessStrategy:
		if rank(next.MachineUniquenessStrategy) > rank(prev.MachineUniquenessStrategy) {
			incompatible = "cannot change to a policy with a more strict machine uniqueness strategy"
		}
	case next.ComponentUniquenessStrategy != prev.ComponentUniquenessStrategy:
		if rank(next.ComponentUniquenessStrategy) > rank(prev.ComponentUniquenessStrategy) {
			incompatible = "cannot change to a policy with a more strict component uniqueness strategy"
		}
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
	// Licenses::OwnerPolicy#update?: no agents for support, no users or licenses.
	if !p.hasRole("admin", "developer", "sales-agent", "environment") && !(p.product != nil && p.isProduct(c.licenseProductID(l))) {
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
		// The users limit is checked when an owner is attached (with the overage allowance).
		pol := c.licensePolicy(l)
		if max := effective(l.MaxUsers, pol.MaxUsers); max != nil && (l.OwnerID == nil || *l.OwnerID != id) {
			n := int64(len(l.UserIDs)) + 1
			if n > *max && !overageAllows(pol.OverageStrategy, n, *max, false) {
				// Keygen's code here is singular (USER_…) while the pointer names users.
				v := newInvalid("licenses").rel("users", "LIMIT_EXCEEDED", fmt.Sprintf("user count has exceeded maximum allowed for license (%d)", *max))
				v.errors[0].Code = "USER_LIMIT_EXCEEDED"
				return v.err()
			}
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

// showLicenseMachine is GET /licenses/{id}/machines/{machine} (id or fingerprint).
func (s *Server) showLicenseMachine(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	l, err := c.findLicenseFor(p, c.param("id"))
	if err != nil {
		return err
	}
	id := c.param("machine")
	m := c.db().findMachine(c.acct.ID, id)
	if m == nil || m.LicenseID != l.ID {
		return errNotFound("machine", id)
	}
	return c.ok(c.view().machine(m))
}

// showLicenseRelated serves GET /licenses/{id}/policy|product|owner|user. Visibility of
// the license decides 404; the related policy then allows staff, the license's product
// and, for the owner, its users. Default user permissions lack policy.read and
// product.read, and default license permissions lack those and user.read, so those
// bearers get 403; the legacy /user route is the owner's only.
func (s *Server) showLicenseRelated(rel string) handlerFunc {
	return func(c *call) error {
		p, err := c.requireAuth()
		if err != nil {
			return err
		}
		l, err := c.findLicenseFor(p, c.param("id"))
		if err != nil {
			return err
		}
		db, v := c.db(), c.view()
		switch {
		case p.isStaff() || p.product != nil:
		case p.user != nil && rel == "owner":
		case p.user != nil && rel == "user" && c.isLicenseOwner(p, l):
		default:
			return errDenied()
		}
		switch rel {
		case "policy":
			if pol := db.policies[l.PolicyID]; pol != nil {
				return c.ok(v.policy(pol))
			}
		case "product":
			if prod := db.productOfLicense(l); prod != nil {
				return c.ok(v.product(prod))
			}
		default:
			if l.OwnerID != nil && db.users[*l.OwnerID] != nil {
				return c.ok(v.user(db.users[*l.OwnerID]))
			}
		}
		return c.ok(nil)
	}
}
