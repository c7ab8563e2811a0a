package keygentest

func (s *Server) listPool(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	pol, err := c.findPolicy(p, c.param("id"))
	if err != nil {
		return err
	}
	// Policies::PoolPolicy#index?: key.read, then staff and the policy's product.
	items := ofAccount(c.db().keys, c.acct.ID, func(k *key) bool { return k.PolicyID == pol.ID && c.seesKey(p, k) })
	return relIndex(c, p, "key.read", p.isStaff() || p.isProduct(pol.ProductID), items, c.view().key)
}

func (s *Server) showPoolKey(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	pol, err := c.findPolicy(p, c.param("id"))
	if err != nil {
		return err
	}
	k := c.db().findKey(c.acct.ID, c.param("key"))
	if k == nil || k.PolicyID != pol.ID {
		return errNotFound("key", c.param("key"))
	}
	// Policies::PoolPolicy#show?: key.read, then staff and the policy's product.
	if err := c.relAllow(p, "key.read", p.isStaff() || p.isProduct(pol.ProductID)); err != nil {
		return err
	}
	return c.ok(c.view().key(k))
}

// popPool is DELETE /policies/{id}/pool: removes the oldest pooled key and answers 200
// with it (app/controllers/api/v1/policies/relationships/pool_controller.rb).
func (s *Server) popPool(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	pol, err := c.findPolicy(p, c.param("id"))
	if err != nil {
		return err
	}
	// Policies::PoolPolicy#pop?: policy.pool.pop, then admins, developers, environments
	// and the policy's product.
	if err := c.relAllow(p, "policy.pool.pop", mayWritePolicy(p, pol.ProductID, true)); err != nil {
		return err
	}
	if !pol.UsePool {
		return errUnprocessableEntity("pool is not supported", "", pointer("/data/relationships/pool"))
	}
	k := c.db().popKey(pol)
	if k == nil {
		return errUnprocessableEntity("pool is empty", "", pointer("/data/relationships/pool"))
	}
	res := c.view().key(k)
	c.emit("policy.pool.popped", res, nil)
	return c.ok(res)
}

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
		all := ofAccount(c.db().licenses, c.acct.ID, func(l *license) bool { return l.PolicyID == pol.ID })
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
		items := keepIf(all, func(l *license) bool { return c.seesLicense(p, l) && keep(l) })
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
