package keygentest

// Read-only relationship routes of policies, products, users and machines
// (config/routes.rb: policies/{id}/licenses|product, products/{id}/policies|licenses|
// machines|users, users/{id}/licenses|machines|products, machines/{id}/license|owner|
// product|user) and the machine owner changer (keygen-api.md §2.3, §2.2, §2.4, §2.7).
//
// Each follows its Keygen controller: the parent is looked up in the bearer's scope (404),
// an index pages the related records in the bearer's scope (a bad page is 400 before any
// 403), a show finds the related record among the parent's, and then the relationship
// policy runs: verify_permissions! of the read permission (403 naming who lacks it), then
// the role check (403).

// relAllow is a relationship policy: the permission, then the role predicate.
func (c *call) relAllow(p *principal, perm string, allow bool) error {
	if err := c.authorize(p, perm, allow); err != nil {
		return err
	}
	return nil
}

// relIndex pages items after the relationship policy (pagination errors first).
func relIndex[T entity](c *call, p *principal, perm string, allow bool, items []T, render func(T) *resource) error {
	if _, err := c.pager(); err != nil {
		return err
	}
	if err := c.relAllow(p, perm, allow); err != nil {
		return err
	}
	return paginate(c, items, true, render)
}

// isRoleUser: the bearer is a user of role user (Role(:user) in Keygen's policies).
func (p *principal) isRoleUser() bool { return p.user != nil && p.hasRole("user") }

// findMachineIn resolves a machine by id or fingerprint among candidates, else 404.
func findMachineIn(items []*Machine, id string) (*Machine, error) {
	for _, m := range items {
		if m.ID == lower(id) || m.ID == id {
			return m, nil
		}
	}
	for _, m := range items {
		if m.Fingerprint == id {
			return m, nil
		}
	}
	return nil, errNotFound("machine", id)
}

// findLicenseIn resolves a license by id or key among candidates, else 404.
func findLicenseIn(items []*License, id string) (*License, error) {
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

// Policies

func (s *Server) policyLicenses(show bool) handlerFunc {
	return func(c *call) error {
		p, err := c.requireAuth()
		if err != nil {
			return err
		}
		pol, err := c.findPolicy(p, c.param("id"))
		if err != nil {
			return err
		}
		// Policies::LicensePolicy: staff; the policy's product.
		allow := p.isStaff() || p.isProduct(pol.ProductID)
		all := ofAccount(c.db().licenses, c.acct.ID, func(l *License) bool { return l.PolicyID == pol.ID })
		if show {
			l, err := findLicenseIn(all, c.param("license"))
			if err != nil {
				return err
			}
			if err := c.relAllow(p, "license.read", allow); err != nil {
				return err
			}
			return c.ok(c.view().license(l))
		}
		keep, err := c.licenseFilter(p)
		if err != nil {
			return err
		}
		items := keepIf(all, func(l *License) bool { return c.seesLicense(p, l) && keep(l) })
		return relIndex(c, p, "license.read", allow, items, c.view().license)
	}
}

func (s *Server) policyProduct(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	pol, err := c.findPolicy(p, c.param("id"))
	if err != nil {
		return err
	}
	if err := c.relAllow(p, "product.read", p.isStaff() || p.isProduct(pol.ProductID)); err != nil {
		return err
	}
	if prod := c.db().products[pol.ProductID]; prod != nil {
		return c.ok(c.view().product(prod))
	}
	return c.ok(nil)
}

// Products

// productRelated serves GET /products/{id}/policies|licenses|machines|users[/{rel}]:
// Products::*Policy allow staff and the product itself.
func (s *Server) productRelated(rel string, show bool) handlerFunc {
	return func(c *call) error {
		p, err := c.requireAuth()
		if err != nil {
			return err
		}
		prod, err := c.findProduct(p, c.param("id"))
		if err != nil {
			return err
		}
		allow := p.isStaff() || p.isProduct(prod.ID)
		db, v, id := c.db(), c.view(), c.param("rel")
		switch rel {
		case "policies":
			all := ofAccount(db.policies, c.acct.ID, func(pol *Policy) bool { return pol.ProductID == prod.ID })
			if show {
				for _, pol := range all {
					if pol.ID == lower(id) || pol.ID == id {
						if err := c.relAllow(p, "policy.read", allow); err != nil {
							return err
						}
						return c.ok(v.policy(pol))
					}
				}
				return errNotFound("policy", id)
			}
			items := keepIf(all, func(pol *Policy) bool { return c.seesPolicy(p, pol) })
			return relIndex(c, p, "policy.read", allow, items, v.policy)
		case "licenses":
			all := ofAccount(db.licenses, c.acct.ID, func(l *License) bool { return c.licenseProductID(l) == prod.ID })
			if show {
				l, err := findLicenseIn(all, id)
				if err != nil {
					return err
				}
				if err := c.relAllow(p, "license.read", allow); err != nil {
					return err
				}
				return c.ok(v.license(l))
			}
			keep, err := c.licenseFilter(p)
			if err != nil {
				return err
			}
			items := keepIf(all, func(l *License) bool { return c.seesLicense(p, l) && keep(l) })
			return relIndex(c, p, "license.read", allow, items, v.license)
		case "machines":
			all := ofAccount(db.machines, c.acct.ID, func(m *Machine) bool {
				l := db.licenses[m.LicenseID]
				return l != nil && c.licenseProductID(l) == prod.ID
			})
			if show {
				m, err := findMachineIn(all, id)
				if err != nil {
					return err
				}
				if err := c.relAllow(p, "machine.read", allow); err != nil {
					return err
				}
				return c.ok(v.machine(m))
			}
			q := c.query
			items := keepIf(all, func(m *Machine) bool {
				if !c.seesMachine(p, m) {
					return false
				}
				if f := q.Get("fingerprint"); f != "" && m.Fingerprint != f {
					return false
				}
				if lic := q.Get("license"); lic != "" && m.LicenseID != lic && db.licenses[m.LicenseID].Key != lic {
					return false
				}
				return true
			})
			return relIndex(c, p, "machine.read", allow, items, v.machine)
		default: // users: users.for_product (owners and users of its licenses)
			all := ofAccount(db.users, c.acct.ID, func(u *User) bool {
				return anyLicense(db.licensesOfUser(u), func(l *License) bool { return c.licenseProductID(l) == prod.ID })
			})
			if show {
				var u *User
				for _, x := range all {
					if x.ID == lower(id) || x.ID == id || x.Email == lower(id) {
						u = x
						break
					}
				}
				if u == nil {
					return errNotFound("user", id)
				}
				if err := c.relAllow(p, "user.read", allow); err != nil {
					return err
				}
				return c.ok(v.user(u))
			}
			roles := append(append([]string{}, c.query["roles[]"]...), c.query["roles"]...)
			if len(roles) == 0 {
				roles = []string{"user"}
			}
			items := keepIf(all, func(u *User) bool { return c.scopesUser(p, u) && contains(roles, u.Role) })
			return relIndex(c, p, "user.read", allow, items, v.user)
		}
	}
}

// Users

// userRelated serves GET /users/{id}/licenses|machines|products[/{rel}].
func (s *Server) userRelated(rel string, show bool) handlerFunc {
	return func(c *call) error {
		p, err := c.requireAuth()
		if err != nil {
			return err
		}
		u, err := c.findUser(p, c.param("id"))
		if err != nil {
			return err
		}
		db, v, id := c.db(), c.view(), c.param("rel")
		self := p.isRoleUser() && p.isUser(u.ID)
		licenses := db.licensesOfUser(u)
		switch rel {
		case "licenses":
			// Users::LicensePolicy: staff; a product for a role-user user, each license its
			// own; the user themself.
			ok := func(l *License) bool {
				switch {
				case p.isStaff() || self:
					return true
				case p.product != nil && u.Role == "user":
					return c.licenseProductID(l) == p.product.ID
				}
				return false
			}
			if show {
				l, err := findLicenseIn(licenses, id)
				if err != nil {
					return err
				}
				if err := c.relAllow(p, "license.read", ok(l)); err != nil {
					return err
				}
				return c.ok(v.license(l))
			}
			keep, err := c.licenseFilter(p)
			if err != nil {
				return err
			}
			items := keepIf(licenses, func(l *License) bool { return c.seesLicense(p, l) && keep(l) })
			return relIndex(c, p, "license.read", everyOf(items, ok) && (p.isStaff() || self || p.product != nil && u.Role == "user"), items, v.license)
		case "machines":
			// user.machines: the machines of the user's licenses.
			mine := ofAccount(db.machines, c.acct.ID, func(m *Machine) bool {
				return anyLicense(licenses, func(l *License) bool { return l.ID == m.LicenseID })
			})
			ok := func(m *Machine) bool {
				switch {
				case p.isStaff() || self:
					return true
				case p.product != nil && u.Role == "user":
					l := db.licenses[m.LicenseID]
					return l != nil && c.licenseProductID(l) == p.product.ID
				}
				return false
			}
			if show {
				m, err := findMachineIn(mine, id)
				if err != nil {
					return err
				}
				if err := c.relAllow(p, "machine.read", ok(m)); err != nil {
					return err
				}
				return c.ok(v.machine(m))
			}
			items := keepIf(mine, func(m *Machine) bool { return c.seesMachine(p, m) })
			return relIndex(c, p, "machine.read", everyOf(items, ok) && (p.isStaff() || self || p.product != nil && u.Role == "user"), items, v.machine)
		default: // products: distinct products of the user's licenses
			mine := ofAccount(db.products, c.acct.ID, func(prod *Product) bool {
				return anyLicense(licenses, func(l *License) bool { return c.licenseProductID(l) == prod.ID })
			})
			// Users::ProductPolicy: staff; a product for itself; the user themself.
			ok := func(prod *Product) bool { return p.isStaff() || self || p.isProduct(prod.ID) }
			if show {
				for _, prod := range mine {
					if prod.ID == lower(id) || prod.ID == id {
						if err := c.relAllow(p, "product.read", ok(prod)); err != nil {
							return err
						}
						return c.ok(v.product(prod))
					}
				}
				return errNotFound("product", id)
			}
			items := keepIf(mine, func(prod *Product) bool { return c.seesProduct(p, prod) })
			allow := p.isStaff() || self || p.product != nil && everyOf(items, func(prod *Product) bool { return p.isProduct(prod.ID) })
			return relIndex(c, p, "product.read", allow, items, v.product)
		}
	}
}

// Machines

// machineRelated serves GET /machines/{id}/license|owner|product|user. Machines::*Policy
// allow staff, the machine's product, a role-user user owning the machine or its license
// or holding its license (the legacy /user route: owning its license only) and the
// machine's license.
func (s *Server) machineRelated(rel string) handlerFunc {
	return func(c *call) error {
		p, err := c.requireAuth()
		if err != nil {
			return err
		}
		m, err := c.findMachineFor(p, c.param("id"))
		if err != nil {
			return err
		}
		db, v := c.db(), c.view()
		l := db.licenses[m.LicenseID]
		var prodID string
		if l != nil {
			prodID = c.licenseProductID(l)
		}
		allow := p.isStaff() || p.isProduct(prodID) || p.isLicense(m.LicenseID)
		if p.isRoleUser() && l != nil {
			ownsLicense := l.OwnerID != nil && *l.OwnerID == p.user.ID
			if rel == "user" {
				allow = ownsLicense
			} else {
				allow = (m.OwnerID != nil && *m.OwnerID == p.user.ID) || licenseHasUser(l, p.user.ID)
			}
		}
		perm := map[string]string{"license": "license.read", "owner": "user.read", "product": "product.read", "user": "user.read"}[rel]
		if err := c.relAllow(p, perm, allow); err != nil {
			return err
		}
		switch rel {
		case "license":
			if l != nil {
				return c.ok(v.license(l))
			}
		case "product":
			if prod := db.products[prodID]; prod != nil {
				return c.ok(v.product(prod))
			}
		case "owner":
			if m.OwnerID != nil && db.users[*m.OwnerID] != nil {
				return c.ok(v.user(db.users[*m.OwnerID]))
			}
		default:
			if l != nil && l.OwnerID != nil && db.users[*l.OwnerID] != nil {
				return c.ok(v.user(db.users[*l.OwnerID]))
			}
		}
		return c.ok(nil)
	}
}

// changeMachineOwner is PUT /machines/{id}/owner with a users linkage or null; the answer
// is the machine. Machines::OwnerPolicy#update?: staff but support agents and read-only,
// and the machine's product.
func (s *Server) changeMachineOwner(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	m, err := c.findMachineFor(p, c.param("id"))
	if err != nil {
		return err
	}
	in, err := c.parse(obj(fields{"data": obj(fields{"type": typeOf("user"), "id": uuidParam()}).null()}))
	if err != nil {
		return err
	}
	db := c.db()
	l := db.licenses[m.LicenseID]
	var prodID string
	if l != nil {
		prodID = c.licenseProductID(l)
	}
	allow := p.hasRole("admin", "developer", "sales-agent", "environment") || p.isProduct(prodID)
	if err := c.relAllow(p, "machine.owner.update", allow); err != nil {
		return err
	}
	var owner *string
	if id, ok := in.obj("data").str("id"); ok {
		u := db.findUser(c.acct.ID, id)
		if u == nil || u.ID != id {
			return newInvalid("machines").rel("owner", "NOT_FOUND", "must exist").err()
		}
		if l != nil && !licenseHasUser(l, id) {
			return newInvalid("machines").rel("owner", "INVALID", "must be a valid license user").err()
		}
		owner = &id
	}
	m.OwnerID = owner
	m.Updated = c.now()
	res := c.view().machine(m)
	c.emit("machine.owner.updated", res, nil)
	return c.ok(res)
}

// keepIf keeps the items for which keep holds, in order.
func keepIf[T any](items []T, keep func(T) bool) []T {
	out := make([]T, 0, len(items))
	for _, it := range items {
		if keep(it) {
			out = append(out, it)
		}
	}
	return out
}

// everyOf reports whether every item satisfies ok (true for none).
func everyOf[T any](items []T, ok func(T) bool) bool {
	for _, it := range items {
		if !ok(it) {
			return false
		}
	}
	return true
}
