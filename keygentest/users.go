package keygentest

import (
	"strconv"
	"strings"
)

// Users (keygen-api.md §2.4).

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
		rels := fields{"environment": anyParam().opt()}
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
func (c *call) findUser(p *principal, id string) (*User, error) {
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
	u := &User{base: newBase(c.acct.ID, c.now()), Role: "user", Metadata: map[string]any{}}
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
	if u.GroupID != nil {
		v.rel("group", "NOT_FOUND", "must exist") // groups are not modelled: none exists
	}
	if err := v.err(); err != nil {
		return err
	}
	c.db().users[u.ID] = u
	res := c.view().user(u)
	c.emit("user.created", res, nil)
	return c.created(res)
}

// applyUser copies sent attributes onto a user (emails are stored lower-cased).
func (c *call) applyUser(u *User, a params) {
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
func (c *call) validateUser(u *User, a params) *invalid {
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
	return v
}

// validatePassword applies the 6..72 byte rule (keygen-api.md §2.4).
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
	items := ofAccount(c.db().users, c.acct.ID, func(u *User) bool { return c.scopesUser(p, u) && keep(u) })
	v := c.view()
	if err := c.verifyPermission(p, "user.read"); err != nil {
		if _, perr := c.pager(); perr != nil {
			return perr
		}
		return err
	}
	return paginate(c, items, true, v.user)
}

// userFilter applies the list filters of keygen-api.md §1.9: roles[] (default only role
// user), product, license, status, assigned/active and metadata[key].
func (c *call) userFilter() func(*User) bool {
	q, db, now := c.query, c.db(), c.now()
	roles := append(append([]string{}, q["roles[]"]...), q["roles"]...)
	if len(roles) == 0 {
		roles = []string{"user"}
	}
	meta := metadataFilters(q)
	return func(u *User) bool {
		if !contains(roles, u.Role) {
			return false
		}
		if s := q.Get("status"); s != "" && strings.ToUpper(s) != userStatus(db, u, now) {
			return false
		}
		licenses := db.licensesOfUser(u)
		if prod := q.Get("product"); prod != "" && !anyLicense(licenses, func(l *License) bool { return c.licenseProductID(l) == prod }) {
			return false
		}
		if lic := q.Get("license"); lic != "" && !anyLicense(licenses, func(l *License) bool { return l.ID == lic || l.Key == lic }) {
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

func anyLicense(ls []*License, f func(*License) bool) bool {
	for _, l := range ls {
		if f(l) {
			return true
		}
	}
	return false
}

// metadataFilters collects metadata[key]=value query parameters (keys snake_cased).
func metadataFilters(q map[string][]string) map[string]string {
	out := map[string]string{}
	for k, vs := range q {
		if strings.HasPrefix(k, "metadata[") && strings.HasSuffix(k, "]") {
			out[snake(k[9:len(k)-1])] = vs[0]
		}
	}
	return out
}

// matchMetadata: every filter must match, either as the string or as the value it
// denotes ("true", "false", "null", integers, floats).
func matchMetadata(m map[string]any, filters map[string]string) bool {
	for k, want := range filters {
		got, ok := m[k]
		if !ok || !metadataEqual(got, want) {
			return false
		}
	}
	return true
}

func metadataEqual(got any, want string) bool {
	switch g := got.(type) {
	case string:
		return g == want
	case nil:
		return want == "null"
	case bool:
		return strconv.FormatBool(g) == want
	case int64:
		n, err := strconv.ParseInt(want, 10, 64)
		return err == nil && n == g
	case float64:
		f, err := strconv.ParseFloat(want, 64)
		return err == nil && f == g
	}
	return false
}

func queryBool(s string) (bool, bool) {
	switch lower(s) {
	case "true", "1", "t", "yes":
		return true, true
	case "false", "0", "f", "no":
		return false, true
	}
	return false, false
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
	next.Updated = c.now()
	*u = next
	res := c.view().user(u)
	c.emit("user.updated", res, nil)
	return c.ok(res)
}

// adminCount counts the account's admins (the last one may not go).
func (c *call) adminCount() int {
	return len(ofAccount(c.db().users, c.acct.ID, func(u *User) bool { return u.Role == "admin" }))
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

func removeString(list []string, s string) []string {
	out := list[:0]
	for _, x := range list {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}

// banUser is POST /users/{id}/actions/ban|unban; only role-user users can be banned.
func (s *Server) banUser(ban bool) handlerFunc {
	return func(c *call) error {
		p, err := c.requireAuth()
		if err != nil {
			return err
		}
		u, err := c.findUser(p, c.param("id"))
		if err != nil {
			return err
		}
		if err := c.verifyPermission(p, map[bool]string{true: "user.ban", false: "user.unban"}[ban]); err != nil {
			return err
		}
		if u.Role != "user" {
			return errForbidden("must have a user role")
		}
		if !p.hasRole("admin", "developer", "sales-agent", "support-agent", "product", "environment") {
			return errDenied()
		}
		event := "user.unbanned"
		if ban {
			now := c.now()
			u.BannedAt, event = &now, "user.banned"
		} else {
			u.BannedAt = nil
		}
		u.Updated = c.now()
		res := c.view().user(u)
		c.emit(event, res, nil)
		return c.ok(res)
	}
}

var (
	updatePasswordSchema = obj(fields{"meta": obj(fields{"old_password": str(), "new_password": str()})})
	resetPasswordSchema  = obj(fields{"meta": obj(fields{"password_reset_token": str(), "new_password": str()})})
)

// updatePassword: a user changes their own password with the old one; every other token
// of theirs is revoked (keygen-api.md §2.4). No event is emitted.
func (s *Server) updatePassword(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	u, err := c.findUser(p, c.param("id"))
	if err != nil {
		return err
	}
	in, err := c.parse(updatePasswordSchema)
	if err != nil {
		return err
	}
	if !p.isUser(u.ID) || p.token == nil {
		return errDenied()
	}
	meta := in.obj("meta")
	old, _ := meta.str("old_password")
	if !u.Password.matches(old) {
		e := errUnauthorized("", "is not valid")
		e.errors[0].Source = pointer("/meta/oldPassword")
		return e
	}
	pw, _ := meta.str("new_password")
	v := newInvalid("users")
	if !validatePassword(v, pw) {
		return v.err()
	}
	u.Password, u.ResetDigest, u.ResetSentAt = hashPassword(pw), "", nil
	u.Updated = c.now()
	c.db().deleteTokensOf("users", u.ID, p.token)
	return c.ok(c.view().user(u))
}

// resetPassword sets a new password with a reset token from POST /passwords; tokens are
// valid 24 hours. A wrong token answers as if the user did not exist (keygen-api.md §2.4).
func (s *Server) resetPassword(c *call) error {
	if _, err := c.authenticate(); err != nil {
		return err
	}
	id := c.param("id")
	u := c.db().findUser(c.acct.ID, id)
	if u == nil {
		return errNotFound("user", id)
	}
	in, err := c.parse(resetPasswordSchema)
	if err != nil {
		return err
	}
	meta := in.obj("meta")
	if c.acct.Protected && u.Role == "user" && u.Password == nil {
		return errDenied()
	}
	tok, _ := meta.str("password_reset_token")
	if u.ResetDigest == "" || u.ResetSentAt == nil || digest(tok) != u.ResetDigest {
		return errNotFound("user", id)
	}
	if u.ResetSentAt.Before(c.now().Add(-day)) {
		e := errUnauthorized("", "is expired")
		e.errors[0].Source = pointer("/meta/passwordResetToken")
		return e
	}
	pw, _ := meta.str("new_password")
	v := newInvalid("users")
	if !validatePassword(v, pw) {
		return v.err()
	}
	u.Password, u.ResetDigest, u.ResetSentAt = hashPassword(pw), "", nil
	u.Updated = c.now()
	c.db().deleteTokensOf("users", u.ID, nil)
	return c.ok(c.view().user(u))
}
