package keygentest

// Release entitlement constraints meet entitlements here, and only here
// (app/models/release.rb within_constraints,
// app/controllers/api/v1/releases/relationships/entitlements_controller.rb).

// entitlementExists reports an entitlement of the account by id.
func (c *call) entitlementExists(id string) bool {
	e := c.db().findEntitlement(c.acct.ID, id)
	return e != nil && e.ID == id
}

// licenseHoldsEntitlement reports whether the license holds the entitlement (its policy's
// or its own).
func (c *call) licenseHoldsEntitlement(l *license, id string) bool {
	for _, e := range c.db().licenseEntitlements(l) {
		if e.ID == id {
			return true
		}
	}
	return false
}

// listReleaseEntitlements lists the entitlements that constrain a release.
func (s *Server) listReleaseEntitlements(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	r, err := c.findReleaseFor(p, c.param("id"))
	if err != nil {
		return err
	}
	var ents []*entitlement
	for _, k := range r.Constraints {
		if e := c.db().findEntitlement(c.acct.ID, k.EntitlementID); e != nil && e.ID == k.EntitlementID {
			ents = append(ents, e)
		}
	}
	return relIndex(c, p, "entitlement.read", true, ents, c.view().entitlement)
}

// showReleaseEntitlement shows one entitlement constraining a release: release.entitlements.find,
// then Releases::EntitlementPolicy#show? (app/controllers/api/v1/releases/relationships/entitlements_controller.rb,
// app/policies/releases/entitlement_policy.rb).
func (s *Server) showReleaseEntitlement(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	r, err := c.findReleaseFor(p, c.param("id"))
	if err != nil {
		return err
	}
	id := c.param("entitlement")
	for _, k := range r.Constraints {
		if k.EntitlementID != lower(id) {
			continue
		}
		if e := c.db().findEntitlement(c.acct.ID, k.EntitlementID); e != nil && e.ID == k.EntitlementID {
			if err := c.relAllow(p, "entitlement.read", true); err != nil {
				return err
			}
			return c.ok(c.view().entitlement(e))
		}
	}
	return errNotFound("entitlement", id)
}
