package keygentest

import (
	"strings"
	"time"
)

// Users (app/models/user.rb, app/controllers/api/v1/users_controller.rb). Actions are in
// users_actions.go, relationships in users_relationships.go.

// user is a person of the account (app/models/user.rb); admins are users with role admin.
type user struct {
	base
	Email       string // stored lower-cased
	FirstName   *string
	LastName    *string
	Role        string // user, admin, developer, sales-agent, support-agent, read-only
	Permissions []string
	Metadata    map[string]any // keys snake_case, as received after key conversion
	GroupID     *string
	BannedAt    *time.Time
	// Password is a salted hash; nil means the user has no password.
	Password *passwordHash
	// ResetDigest is the SHA-256 (hex) of the last password-reset token handed out.
	ResetDigest string
	ResetSentAt *time.Time
}

func (db *store) findUser(acct, idOrEmail string) *user {
	if u := db.users[idOrEmail]; u != nil && u.AccountID == acct {
		return u
	}
	email := lower(idOrEmail)
	for _, u := range db.users {
		if u.AccountID == acct && u.Email == email {
			return u
		}
	}
	return nil
}

func (db *store) findUserByEmail(acct, email string) *user {
	email = lower(email)
	for _, u := range db.users {
		if u.AccountID == acct && u.Email == email {
			return u
		}
	}
	return nil
}

// licensesOfUser returns the licenses a user owns or is attached to.
func (db *store) licensesOfUser(u *user) []*license {
	return ofAccount(db.licenses, u.AccountID, func(l *license) bool { return licenseHasUser(l, u.ID) })
}

// seesUser: admins all; other staff, environments and products only role-user users (a
// product: those holding its licenses); a user itself; a license its owner and users.
func (c *call) seesUser(p *principal, u *user) bool {
	switch {
	case p.isAdmin():
		return true
	case p.isStaff():
		return u.Role == "user"
	case p.product != nil:
		if u.Role != "user" {
			return false
		}
		for _, l := range c.db().licensesOfUser(u) {
			if c.licenseProductID(l) == p.product.ID {
				return true
			}
		}
		return false
	case p.user != nil:
		return p.isUser(u.ID)
	case p.license != nil:
		return licenseHasUser(p.license, u.ID)
	}
	return false
}

// scopesUser is the users scope (User.accessible_by): staff every user, products and
// environments every role-user user, a user themself and their teammates (the users of
// any license they own or are attached to), a license its owner and users.
func (c *call) scopesUser(p *principal, u *user) bool {
	switch {
	case p.hasRole("admin", "developer", "read-only", "sales-agent", "support-agent"):
		return true
	case p.hasRole("environment", "product"):
		return u.Role == "user"
	case p.user != nil:
		if p.isUser(u.ID) {
			return true
		}
		db := c.db()
		for _, l := range db.licensesOfUser(p.user) {
			if licenseHasUser(l, u.ID) {
				return true
			}
		}
		return false
	case p.license != nil:
		return licenseHasUser(p.license, u.ID)
	}
	return false
}

// userStatus: BANNED when banned; ACTIVE when created within 90 days or holding an active
// license; else INACTIVE (app/models/user.rb).
func userStatus(db *store, u *user, now time.Time) string {
	if u.BannedAt != nil {
		return "BANNED"
	}
	if u.Created.After(now.Add(-inactiveAfter)) {
		return "ACTIVE"
	}
	for _, l := range db.licensesOfUser(u) {
		if licenseStatus(db, l, now) == "ACTIVE" {
			return "ACTIVE"
		}
	}
	return "INACTIVE"
}

func (v view) user(u *user) *resource {
	var full any
	if u.FirstName != nil && u.LastName != nil {
		full = *u.FirstName + " " + *u.LastName
	}
	attrs := map[string]any{
		"fullName":  full,
		"firstName": opt(u.FirstName),
		"lastName":  opt(u.LastName),
		"email":     u.Email,
		"status":    userStatus(v.db, u, v.now),
		"role":      u.Role,
		"metadata":  v.metadata(u.Metadata),
	}
	r := v.newResource("users", u.ID, stamp(attrs, &u.base))
	r.Relationships["group"] = toOne(v.path("users", u.ID, "group"), "groups", u.GroupID)
	for _, rel := range []string{"products", "licenses", "machines", "tokens"} {
		r.Relationships[rel] = toMany(v.path("users", u.ID, rel), nil)
	}
	r.Relationships["secondFactors"] = toMany(v.path("users", u.ID, "second-factors"), nil)
	return r
}

func (s *Server) routeUsers(r *router) {
	r.post("/users", s.createUser)
	r.get("/users", s.listUsers)
	r.get("/users/{id}", s.showUser)
	r.update("/users/{id}", s.updateUser)
	r.del("/users/{id}", s.deleteUser)
	r.post("/users/{id}/actions/update-password", s.updatePassword)
	r.post("/users/{id}/actions/reset-password", s.resetPassword)
	r.post("/users/{id}/actions/ban", s.banUser(true))
	r.post("/users/{id}/actions/unban", s.banUser(false))
	for _, rel := range []string{"licenses", "machines", "products"} {
		r.get("/users/{id}/"+rel, s.userRelated(rel, false))
		r.get("/users/{id}/"+rel+"/{rel}", s.userRelated(rel, true))
	}
}

var userRoles = []string{"user", "admin", "developer", "sales-agent", "support-agent", "read-only"}

// userSchema gates attributes on the bearer's role, like Keygen's typed params: an
// attribute the bearer may not send is an unpermitted parameter (400).
func userSchema(p *principal, create bool) *param {
	a := fields{
		"first_name": str().opt().null(),
		"last_name":  str().opt().null(),
		"email":      str(),
		"password":   str().opt().null(),
		"metadata":   metadataParam(),
	}
	data := fields{"type": typeOf("user"), "attributes": obj(a)}
	is := func(roles ...string) bool { return p != nil && p.hasRole(roles...) }
	if is("admin") {
		a["role"] = str().opt().in(userRoles...)
	}
	if is("admin", "developer", "product", "environment") {
		a["permissions"] = strs().opt()
	}
	if create {
		// The environment relationship is declared only on EE (Keygen.ee in
		// UsersController#create's typed params): CE refuses it as unpermitted.
		rels := fields{}
		if is("admin", "developer", "sales-agent", "support-agent", "product", "environment") {
			rels["group"] = obj(fields{"data": obj(fields{"type": typeOf("group"), "id": uuidParam()}).null()}).opt()
		}
		data["relationships"] = obj(rels).opt()
	} else {
		a["email"] = str().opt()
		data["id"] = str().opt()
		data["attributes"].optional = true
		if !is("admin", "developer", "product", "environment") {
			delete(a, "password")
		}
		if !is("admin", "developer", "sales-agent", "product", "environment") {
			delete(a, "metadata")
		}
	}
	return obj(fields{"data": obj(data)})
}

// findUser resolves a user by id or email as the bearer may see them, else 404.
func (c *call) findUser(p *principal, id string) (*user, error) {
	u := c.db().findUser(c.acct.ID, id)
	if u == nil || !c.scopesUser(p, u) {
		return nil, errNotFound("user", id)
	}
	return u, nil
}

func (s *Server) createUser(c *call) error {
	p, err := c.authenticate()
	if err != nil {
		return err
	}
	in, err := c.parse(userSchema(p, true))
	if err != nil {
		return err
	}
	a := in.obj("data").obj("attributes")
	u := &user{base: newBase(c.acct.ID, c.now()), Role: "user", Metadata: map[string]any{}}
	if r, ok := a.str("role"); ok {
		u.Role = r
	}
	if err := c.verifyUserPermission(p, "create", u.Role); err != nil {
		return err
	}
	switch {
	case p == nil:
		if c.acct.Protected {
			return errForbidden("ensure a token or license is present and valid")
		}
	case p.isAdmin():
	case p.hasRole("sales-agent", "product", "environment") && u.Role == "user":
	default:
		return errDenied()
	}
	c.applyUser(u, a)
	if g, ok := in.relID("group"); ok {
		u.GroupID = &g
	}
	v := c.validateUser(u, a)
	c.validateGroup(v, "user", u.GroupID, u.ID)
	if err := v.err(); err != nil {
		return err
	}
	c.db().users[u.ID] = u
	res := c.view().user(u)
	c.emit("user.created", res, nil)
	return c.created(res)
}

// applyUser copies sent attributes onto a user (emails are stored lower-cased).
func (c *call) applyUser(u *user, a params) {
	if a.has("first_name") {
		u.FirstName = a.strPtr("first_name")
	}
	if a.has("last_name") {
		u.LastName = a.strPtr("last_name")
	}
	if e, ok := a.str("email"); ok {
		u.Email = strings.TrimSpace(lower(e))
	}
	if a.has("metadata") {
		u.Metadata = orEmpty(a.hash("metadata"))
	}
	if a.has("permissions") {
		u.Permissions = a.strings("permissions")
	}
	if r, ok := a.str("role"); ok {
		u.Role = r
	}
}

// validateUser checks email and password; the password is hashed only when valid.
func (c *call) validateUser(u *user, a params) *invalid {
	v := newInvalid("users")
	switch {
	case u.Email == "":
		v.attr("email", "MISSING", "can't be blank")
	case !emailRE.MatchString(u.Email) || !strings.Contains(u.Email[strings.IndexByte(u.Email, '@'):], "."):
		v.attr("email", "INVALID", "is invalid") // users/create.feature
	case len(u.Email) > 255:
		v.attr("email", "TOO_LONG", "is too long (maximum is 255 characters)")
	default:
		if other := c.db().findUserByEmail(c.acct.ID, u.Email); other != nil && other.ID != u.ID {
			v.attr("email", "TAKEN", "has already been taken")
		}
	}
	if a.has("password") {
		if pw := a.strPtr("password"); pw == nil {
			u.Password = nil
		} else if validatePassword(v, *pw) {
			u.Password = hashPassword(*pw)
		}
	}
	// metadata is declared after email, password and the names (app/models/user.rb).
	validateMetadata(v, u.Metadata)
	return v
}

// validatePassword applies the 6..72 byte rule (app/models/user.rb).
func validatePassword(v *invalid, pw string) bool {
	switch {
	case len(pw) < 6:
		v.attr("password", "TOO_SHORT", "is too short (minimum is 6 characters)")
	case len(pw) > 72:
		v.attr("password", "TOO_LONG", "is too long (maximum is 72 characters)")
	default:
		return true
	}
	return false
}

func (s *Server) listUsers(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	keep := c.userFilter()
	items := ofAccount(c.db().users, c.acct.ID, func(u *user) bool { return c.scopesUser(p, u) && keep(u) })
	v := c.view()
	if err := c.verifyPermission(p, "user.read"); err != nil {
		if _, perr := c.pager(); perr != nil {
			return perr
		}
		return err
	}
	return paginate(c, items, true, v.user)
}

// userFilter applies the list filters of app/controllers/api/v1/users_controller.rb: roles[]
// (default only role user), product, license, status, assigned/active and metadata[key].
func (c *call) userFilter() func(*user) bool {
	q, db, now := c.query, c.db(), c.now()
	roles := append(append([]string{}, q["roles[]"]...), q["roles"]...)
	if len(roles) == 0 {
		roles = []string{"user"}
	}
	meta := metadataFilters(q)
	return func(u *user) bool {
		if !contains(roles, u.Role) {
			return false
		}
		if s := q.Get("status"); s != "" && strings.ToUpper(s) != userStatus(db, u, now) {
			return false
		}
		licenses := db.licensesOfUser(u)
		if prod := q.Get("product"); prod != "" && !anyLicense(licenses, func(l *license) bool { return c.licenseProductID(l) == prod }) {
			return false
		}
		if lic := q.Get("license"); lic != "" && !anyLicense(licenses, func(l *license) bool { return l.ID == lic || l.Key == lic }) {
			return false
		}
		if g := q.Get("group"); g != "" && (u.GroupID == nil || *u.GroupID != g) {
			return false
		}
		for _, k := range []string{"assigned", "active"} {
			if b, ok := queryBool(q.Get(k)); ok && b != (len(licenses) > 0) {
				return false
			}
		}
		return matchMetadata(u.Metadata, meta)
	}
}

func (s *Server) showUser(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	u, err := c.findUser(p, c.param("id"))
	if err != nil {
		return err
	}
	if err := c.verifyPermission(p, "user.read"); err != nil {
		return err
	}
	return c.ok(c.view().user(u))
}

func (s *Server) updateUser(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	u, err := c.findUser(p, c.param("id"))
	if err != nil {
		return err
	}
	in, err := c.parse(userSchema(p, false))
	if err != nil {
		return err
	}
	a := in.obj("data").obj("attributes")
	role := u.Role
	if r, ok := a.str("role"); ok {
		role = r // authorized after assignment, against the new role
	}
	if err := c.verifyUserPermission(p, "update", role); err != nil {
		return err
	}
	if err := verifyPrivileges(p, role); err != nil {
		return err
	}
	switch {
	case p.isAdmin():
	case p.hasRole("sales-agent", "product", "environment") && role == "user":
	case p.isUser(u.ID):
	default:
		return errDenied()
	}
	next := *u
	c.applyUser(&next, a)
	v := c.validateUser(&next, a)
	if u.Role == "admin" && next.Role != "admin" && c.adminCount() <= 1 {
		v.rel("account", "ADMINS_REQUIRED", "account must have at least 1 admin user")
	}
	if err := v.err(); err != nil {
		return err
	}
	if next.Role != u.Role {
		// Keygen revokes a user's tokens when their role changes, except the one in use.
		c.db().deleteTokensOf("users", u.ID, p.token)
	}
	// user.update saves, and stamps updated_at, only when something changed
	// (ActiveRecord timestamps; app/controllers/api/v1/users_controller.rb).
	touchIfChanged(u, &next, c.now())
	*u = next
	res := c.view().user(u)
	c.emit("user.updated", res, nil)
	return c.ok(res)
}

// adminCount counts the account's admins (the last one may not go).
func (c *call) adminCount() int {
	return len(ofAccount(c.db().users, c.acct.ID, func(u *user) bool { return u.Role == "admin" }))
}

func (s *Server) deleteUser(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	u, err := c.findUser(p, c.param("id"))
	if err != nil {
		return err
	}
	db := c.db()
	if err := c.verifyUserPermission(p, "delete", u.Role); err != nil {
		return err
	}
	if err := verifyPrivileges(p, u.Role); err != nil {
		return err
	}
	switch {
	case p.isAdmin():
	case p.hasRole("environment") && u.Role == "user":
	case p.product != nil && u.Role == "user":
		for _, l := range db.licensesOfUser(u) {
			if c.licenseProductID(l) != p.product.ID {
				return errForbidden("user cannot belong to another product")
			}
		}
	default:
		return errDenied()
	}
	if u.Role == "admin" && c.adminCount() <= 1 {
		return newInvalid("users").rel("account", "ADMINS_REQUIRED", "account must have at least 1 admin user").err()
	}
	c.emit("user.deleted", c.view().user(u), nil)
	// Keygen destroys owned licenses and detaches the user from the others.
	for _, l := range db.licensesOfUser(u) {
		if l.OwnerID != nil && *l.OwnerID == u.ID {
			db.deleteLicense(l)
			continue
		}
		l.UserIDs = removeString(l.UserIDs, u.ID)
	}
	for _, m := range db.machines {
		if m.OwnerID != nil && *m.OwnerID == u.ID {
			m.OwnerID = nil
		}
	}
	db.deleteTokensOf("users", u.ID, nil)
	delete(db.users, u.ID)
	return c.noContent()
}

// verifyUserPermission is UserPolicy's verify_permissions!('user.<action>',
// *role_permissions_for(action:)): an admin record also needs admin.<action>. Anonymous
// bearers are not checked.
func (c *call) verifyUserPermission(p *principal, action, role string) error {
	if p == nil {
		return nil
	}
	if err := c.verifyPermission(p, "user."+action); err != nil {
		return err
	}
	if role == "admin" {
		return c.verifyPermission(p, "admin."+action)
	}
	return nil
}
