package keygentest

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
	before := *m
	if err := c.inheritOwnerGroup("machine", &m.GroupID, m.ID, owner); err != nil {
		return err
	}
	m.OwnerID = owner
	// machine.update! stamps updated_at only when the owner (or the inherited group) changed
	// (ActiveRecord timestamps; app/controllers/api/v1/machines/relationships/owners_controller.rb).
	touchIfChanged(&before, m, c.now())
	res := c.view().machine(m)
	c.emit("machine.owner.updated", res, nil)
	return c.ok(res)
}

// okMachineRelated answers GET …/{id}/machine|license|product for a resource that belongs to
// a machine (components, processes): the machine, its license, or the license's product,
// null when there is none.
func (c *call) okMachineRelated(rel string, m *machine, l *license) error {
	db, v := c.db(), c.view()
	switch rel {
	case "machine":
		return c.ok(v.machine(m))
	case "license":
		if l != nil {
			return c.ok(v.license(l))
		}
	case "product":
		if l != nil {
			if prod := db.products[c.licenseProductID(l)]; prod != nil {
				return c.ok(v.product(prod))
			}
		}
	}
	return c.ok(nil)
}

// machineChildrenRel serves GET /machines/{id}/<kind>s[/{<kind>}] for the resources that
// belong to a machine (components, processes): the list, or one of them by id, each read
// under the "<kind>.read" permission.
func machineChildrenRel[T entity](show bool, kind string, list func(*store, string) []T, render func(view, T) *resource) handlerFunc {
	return func(c *call) error {
		p, err := c.requireAuth()
		if err != nil {
			return err
		}
		m, err := c.findMachineFor(p, c.param("id"))
		if err != nil {
			return err
		}
		all := list(c.db(), m.ID)
		v := c.view()
		one := func(x T) *resource { return render(v, x) }
		if show {
			id := c.param(kind)
			for _, x := range all {
				if x.meta().ID == lower(id) {
					if err := c.verifyPermission(p, kind+".read"); err != nil {
						return err
					}
					return c.ok(one(x))
				}
			}
			// machine.<kind>s.find: the models are MachineProcess and MachineComponent
			// (app/controllers/api/v1/machines/relationships/machine_processes_controller.rb).
			return errNotFound("machine "+kind, id)
		}
		return relIndex(c, p, kind+".read", true, all, one)
	}
}
