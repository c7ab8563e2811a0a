package keygentest

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
			all := ofAccount(db.policies, c.acct.ID, func(pol *policy) bool { return pol.ProductID == prod.ID })
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
			items := keepIf(all, func(pol *policy) bool { return c.seesPolicy(p, pol) })
			return relIndex(c, p, "policy.read", allow, items, v.policy)
		case "licenses":
			all := ofAccount(db.licenses, c.acct.ID, func(l *license) bool { return c.licenseProductID(l) == prod.ID })
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
			items := keepIf(all, func(l *license) bool { return c.seesLicense(p, l) && keep(l) })
			return relIndex(c, p, "license.read", allow, items, v.license)
		case "machines":
			all := ofAccount(db.machines, c.acct.ID, func(m *machine) bool {
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
			items := keepIf(all, func(m *machine) bool {
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
			all := ofAccount(db.users, c.acct.ID, func(u *user) bool {
				return anyLicense(db.licensesOfUser(u), func(l *license) bool { return c.licenseProductID(l) == prod.ID })
			})
			if show {
				var u *user
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
			items := keepIf(all, func(u *user) bool { return c.scopesUser(p, u) && contains(roles, u.Role) })
			return relIndex(c, p, "user.read", allow, items, v.user)
		}
	}
}
