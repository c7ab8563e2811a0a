package keygentest

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
			ok := func(l *license) bool {
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
			items := keepIf(licenses, func(l *license) bool { return c.seesLicense(p, l) && keep(l) })
			return relIndex(c, p, "license.read", everyOf(items, ok) && (p.isStaff() || self || p.product != nil && u.Role == "user"), items, v.license)
		case "machines":
			// user.machines: the machines of the user's licenses.
			mine := ofAccount(db.machines, c.acct.ID, func(m *machine) bool {
				return anyLicense(licenses, func(l *license) bool { return l.ID == m.LicenseID })
			})
			ok := func(m *machine) bool {
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
			items := keepIf(mine, func(m *machine) bool { return c.seesMachine(p, m) })
			return relIndex(c, p, "machine.read", everyOf(items, ok) && (p.isStaff() || self || p.product != nil && u.Role == "user"), items, v.machine)
		default: // products: distinct products of the user's licenses
			mine := ofAccount(db.products, c.acct.ID, func(prod *product) bool {
				return anyLicense(licenses, func(l *license) bool { return c.licenseProductID(l) == prod.ID })
			})
			// Users::ProductPolicy: staff; a product for itself; the user themself.
			ok := func(prod *product) bool { return p.isStaff() || self || p.isProduct(prod.ID) }
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
			items := keepIf(mine, func(prod *product) bool { return c.seesProduct(p, prod) })
			allow := p.isStaff() || self || p.product != nil && everyOf(items, func(prod *product) bool { return p.isProduct(prod.ID) })
			return relIndex(c, p, "product.read", allow, items, v.product)
		}
	}
}
