package keygentest

import (
	"fmt"
	"time"
)

// License users (app/controllers/api/v1/licenses/relationships/users_controller.rb): GET
// /licenses/{id}/users[/{user}] lists the license's users (its owner and its attached
// licensees), POST attaches licensees and DELETE detaches them, after Keygen's
// Licenses::Relationships::UsersController, Licenses::UserPolicy and the LicenseUser model.

// licenseUser is one license-users record: a user attached to a license besides its
// owner (app/models/license_user.rb, POST|DELETE /licenses/{id}/users).
type licenseUser struct {
	base
	LicenseID string
	UserID    string
}

// licenseUsers are the license's owner and licensees.
func licenseUsers(db *store, l *license) []*user {
	var out []*user
	ids := append([]string{}, l.UserIDs...)
	if l.OwnerID != nil {
		ids = append(ids, *l.OwnerID)
	}
	for _, id := range ids {
		if u := db.users[id]; u != nil {
			out = append(out, u)
		}
	}
	return out
}

// licenseUsersSchema is the attach/detach body: 1 to 100 user linkages.
var licenseUsersSchema = obj(fields{"data": arrayOf(obj(fields{"type": typeOf("user"), "id": uuidParam()}))})

// parseLicenseUserIDs reads the attach/detach body into user ids, in request order.
func (c *call) parseLicenseUserIDs() ([]string, error) {
	in, err := c.parse(licenseUsersSchema)
	if err != nil {
		return nil, err
	}
	items, _ := in["data"].([]any)
	if len(items) < 1 || len(items) > 100 {
		return nil, errBadRequest("length must be between 1 and 100 (inclusive)", pointer("/data"))
	}
	ids := make([]string, 0, len(items))
	for _, it := range items {
		p, _ := it.(params)
		id, _ := p.str("id")
		ids = append(ids, id)
	}
	return ids, nil
}

// licenseUserLink returns the license-users record of an attached user, making one for
// licensees that were set without it.
func licenseUserLink(l *license, userID string, now time.Time) *licenseUser {
	if l.userLinks == nil {
		l.userLinks = map[string]*licenseUser{}
	}
	lu := l.userLinks[userID]
	if lu == nil {
		lu = &licenseUser{base: newBase(l.AccountID, now), LicenseID: l.ID, UserID: userID}
		l.userLinks[userID] = lu
	}
	return lu
}

// licenseUser renders a license-users record; its only link is the related user of the
// license.
func (v view) licenseUser(lu *licenseUser) *resource {
	r := v.newResource("license-users", lu.ID, stamp(map[string]any{}, &lu.base))
	licenseID, userID := lu.LicenseID, lu.UserID
	r.Relationships["license"] = toOne(v.path("licenses", lu.LicenseID), "licenses", &licenseID)
	r.Relationships["user"] = toOne(v.path("users", lu.UserID), "users", &userID)
	r.Links = map[string]any{"related": v.path("licenses", lu.LicenseID, "users", lu.UserID)}
	return r
}

// mayReadLicenseUsers is Licenses::UserPolicy#index?/show? past user.read: staff, the
// license's product, a role-user user holding the license, the license itself.
func (c *call) mayReadLicenseUsers(p *principal, l *license) bool {
	switch {
	case p.isStaff():
		return true
	case p.product != nil:
		return p.isProduct(c.licenseProductID(l))
	case p.isRoleUser():
		return licenseHasUser(l, p.user.ID)
	case p.license != nil:
		return p.isLicense(l.ID)
	}
	return false
}

// mayChangeLicenseUsers is Licenses::UserPolicy#attach?/detach? past the permission:
// staff (read-only and support agents included), the license's product, and its
// role-user owner when the license is unprotected.
func (c *call) mayChangeLicenseUsers(p *principal, l *license) bool {
	switch {
	case p.isStaff():
		return true
	case p.product != nil:
		return p.isProduct(c.licenseProductID(l))
	case p.isRoleUser():
		return c.isLicenseOwner(p, l) && !licenseProtected(c.db(), l)
	}
	return false
}

// licenseUsers serves GET /licenses/{id}/users[/{user}]. The index pages the users in the
// bearer's users scope; the show finds the user (by id or email) among all the license's
// users. Either then checks user.read and the policy.
func (s *Server) licenseUsers(show bool) handlerFunc {
	return func(c *call) error {
		p, err := c.requireAuth()
		if err != nil {
			return err
		}
		l, err := c.findLicenseFor(p, c.param("id"))
		if err != nil {
			return err
		}
		all := ofAccount(c.db().users, c.acct.ID, func(u *user) bool { return licenseHasUser(l, u.ID) })
		allow := c.mayReadLicenseUsers(p, l)
		if show {
			id := c.param("user")
			for _, u := range all {
				if u.ID == lower(id) || u.Email == lower(id) {
					if err := c.relAllow(p, "user.read", allow); err != nil {
						return err
					}
					return c.ok(c.view().user(u))
				}
			}
			return errNotFound("user", id)
		}
		items := keepIf(all, func(u *user) bool { return c.scopesUser(p, u) })
		return relIndex(c, p, "user.read", allow, items, c.view().user)
	}
}

// attachLicenseUsers is POST /licenses/{id}/users: each user is attached in order, with
// the LicenseUser validations (must exist in the account, not already attached, not the
// owner, within the users limit and its overage allowance); the first invalid one
// undoes the request. The answer is the new license-users records.
func (s *Server) attachLicenseUsers(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	l, err := c.findLicenseFor(p, c.param("id"))
	if err != nil {
		return err
	}
	ids, err := c.parseLicenseUserIDs()
	if err != nil {
		return err
	}
	if err := c.relAllow(p, "license.users.attach", c.mayChangeLicenseUsers(p, l)); err != nil {
		return err
	}
	db, pol := c.db(), c.licensePolicy(l)
	max := effective(l.MaxUsers, pol.MaxUsers)
	attached := append([]string{}, l.UserIDs...)
	count := int64(len(attached))
	if l.OwnerID != nil {
		count++
	}
	for _, id := range ids {
		v := newInvalid("license-users")
		u := db.users[id]
		if u == nil || u.AccountID != c.acct.ID {
			v.rel("user", "NOT_FOUND", "must exist")
		}
		if contains(attached, id) {
			v.rel("user", "TAKEN", "already exists")
		}
		if u != nil && l.OwnerID != nil && *l.OwnerID == id {
			v.rel("user", "CONFLICT", "already exists (user is attached through owner)")
		}
		if max != nil && count+1 > *max && !overageAllows(pol.OverageStrategy, count+1, *max, false) {
			// Keygen's code here is singular (USER_…) while the pointer names users.
			v.rel("users", "LIMIT_EXCEEDED", fmt.Sprintf("user count has exceeded maximum allowed for license (%d)", *max))
			v.errors[len(v.errors)-1].Code = "USER_LIMIT_EXCEEDED"
		}
		if err := v.err(); err != nil {
			return err
		}
		attached = append(attached, id)
		count++
	}
	now := c.now()
	v := c.view()
	out := make([]*resource, 0, len(ids))
	for _, id := range ids {
		if l.userLinks != nil {
			delete(l.userLinks, id) // a fresh record, even if one lingered
		}
		out = append(out, v.licenseUser(licenseUserLink(l, id, now)))
	}
	l.UserIDs = attached
	c.emitLicenseUsers("license.users.attached", l, out)
	return c.json(200, document{Data: out})
}

// detachLicenseUsers is DELETE /licenses/{id}/users: the owner cannot be detached (403
// pointing at its index) and every user must be attached (422 pointing at the first one
// that is not); detached users lose the ownership of the license's machines. 204.
func (s *Server) detachLicenseUsers(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	l, err := c.findLicenseFor(p, c.param("id"))
	if err != nil {
		return err
	}
	ids, err := c.parseLicenseUserIDs()
	if err != nil {
		return err
	}
	if err := c.relAllow(p, "license.users.detach", c.mayChangeLicenseUsers(p, l)); err != nil {
		return err
	}
	if l.OwnerID != nil {
		for i, id := range ids {
			if id == *l.OwnerID {
				e := errForbidden("")
				e.errors[0].Detail = fmt.Sprintf("cannot detach user '%s' (user is attached through owner)", id)
				e.errors[0].Source = pointer(fmt.Sprintf("/data/%d", i))
				return e
			}
		}
	}
	// Keygen compares the number of matching records with the number of ids, so a
	// repeated id fails with no id named.
	var found []string
	for _, id := range l.UserIDs {
		if contains(ids, id) {
			found = append(found, id)
		}
	}
	if len(found) != len(ids) {
		bad, ptr := "", "/data/"
		for i, id := range ids {
			if !contains(found, id) {
				bad, ptr = id, fmt.Sprintf("/data/%d", i)
				break
			}
		}
		return errUnprocessableEntity(fmt.Sprintf("cannot detach user '%s' (user is not attached)", bad), "", pointer(ptr))
	}
	now, v, db := c.now(), c.view(), c.db()
	out := make([]*resource, 0, len(found))
	for _, id := range found {
		out = append(out, v.licenseUser(licenseUserLink(l, id, now)))
		delete(l.userLinks, id)
		l.UserIDs = removeString(l.UserIDs, id)
		for _, m := range db.licenseMachines(l) {
			if m.OwnerID != nil && *m.OwnerID == id {
				m.OwnerID = nil
			}
		}
	}
	c.emitLicenseUsers("license.users.detached", l, out)
	return c.noContent()
}

// emitLicenseUsers emits an event whose data is a list of license-users records;
// product-scoped endpoints get it for the license's product.
func (c *call) emitLicenseUsers(event string, l *license, data []*resource) {
	prodID := c.licenseProductID(l)
	render := func() ([]byte, error) { return marshalDoc(document{Data: data}) }
	c.s.emitFor(c.acct, event, render, func(prod *product) bool { return prod.ID == prodID })
}
