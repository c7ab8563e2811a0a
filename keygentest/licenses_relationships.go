package keygentest

import "fmt"

// License relationships (app/controllers/api/v1/licenses/relationships/): policy transfer,
// owner change, and the related resources (policy, product, owner, machines).

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
	before := *l
	l.PolicyID = next.ID
	if next.TransferStrategy == "RESET_EXPIRY" {
		l.Expiry = nil
		if next.Duration != nil {
			exp := addDuration(c.now(), *next.Duration)
			l.Expiry = &exp
		}
	}
	// license.transfer! saves, and stamps updated_at, only when the policy or the expiry
	// changed (ActiveRecord timestamps; app/models/license.rb).
	touchIfChanged(&before, l, c.now())
	res := c.view().license(l)
	c.emit("license.policy.updated", res, nil)
	return c.ok(res)
}

// changeLicenseOwner is PUT /licenses/{id}/owner (legacy: /user) with a users linkage or
// null; the answer is the license. The legacy route (Licenses::V1x5::UsersController)
// checks license.user.update, names the relationship user in its errors and emits
// license.user.updated.
func (s *Server) changeLicenseOwner(legacy bool) handlerFunc {
	return func(c *call) error { return s.changeOwnerOf(c, legacy) }
}

func (s *Server) changeOwnerOf(c *call, legacy bool) error {
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
	// Licenses::OwnerPolicy#update? (V1x5::UserPolicy): no agents for support, no users or
	// licenses.
	perm, rel, event := "license.owner.update", "owner", "license.owner.updated"
	if legacy {
		perm, rel, event = "license.user.update", "user", "license.user.updated"
	}
	if err := c.relAllow(p, perm, p.hasRole("admin", "developer", "sales-agent", "environment") || p.isProduct(c.licenseProductID(l))); err != nil {
		return err
	}
	var owner *string
	if id, ok := in.obj("data").str("id"); ok {
		u := c.db().findUser(c.acct.ID, id)
		if u == nil || u.ID != id {
			return newInvalid("licenses").rel(rel, "NOT_FOUND", "must exist").err()
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
	before := *l
	if err := c.inheritOwnerGroup("license", &l.GroupID, l.ID, owner); err != nil {
		return err
	}
	l.OwnerID = owner
	// license.update! stamps updated_at only when the owner (or the inherited group) changed
	// (ActiveRecord timestamps; app/controllers/api/v1/licenses/relationships/owners_controller.rb).
	touchIfChanged(&before, l, c.now())
	res := c.view().license(l)
	c.emit(event, res, nil)
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
	// Licenses::MachinePolicy: machine.read, then whoever sees the license.
	items := ofAccount(c.db().machines, c.acct.ID, func(m *machine) bool { return m.LicenseID == l.ID && c.seesMachine(p, m) })
	return relIndex(c, p, "machine.read", true, items, c.view().machine)
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
	m, err := findMachineIn(c.db().licenseMachines(l), c.param("machine"))
	if err != nil {
		return err
	}
	if err := c.verifyPermission(p, "machine.read"); err != nil {
		return err
	}
	return c.ok(c.view().machine(m))
}

// showLicenseRelated serves GET /licenses/{id}/policy|product|owner|user. Visibility of
// the license decides 404; then the bearer needs the read permission of the related type
// (verify_permissions!: default user permissions lack policy.read and product.read,
// default license permissions lack those and user.read; explicit permissions replace the
// defaults), then the related policy allows staff, the license's product, its users and
// the license itself; the legacy /user route is the owner's only.
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
		perm := map[string]string{"policy": "policy.read", "product": "product.read", "owner": "user.read", "user": "user.read"}[rel]
		if err := c.verifyPermission(p, perm); err != nil {
			return err
		}
		switch {
		case p.isStaff() || p.product != nil:
		case p.user != nil && rel != "user":
		case p.user != nil && rel == "user" && c.isLicenseOwner(p, l):
		case p.license != nil && p.isLicense(l.ID):
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
