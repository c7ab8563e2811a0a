package keygentest

// Release entitlement constraints meet entitlements here, and only here. Entitlements are
// not modelled on this branch (another branch adds them in entitlements.go), so no
// entitlement exists, no license holds one, and a release's entitlements list is empty.
// Once entitlements exist, these three become: entitlementExists →
// c.db().findEntitlement(c.acct.ID, id) != nil (by id); licenseHoldsEntitlement → the id is
// among c.db().licenseEntitlements(l); listReleaseEntitlements renders the constraining
// entitlements with view.entitlement (app/models/release.rb within_constraints,
// app/controllers/api/v1/releases/relationships/entitlements_controller.rb).

// entitlementExists: entitlements are not modelled on this branch.
func (c *call) entitlementExists(_ string) bool { return false }

// licenseHoldsEntitlement: entitlements are not modelled on this branch, so no license holds
// a constraining entitlement.
func (c *call) licenseHoldsEntitlement(_ *license, _ string) bool { return false }

// listReleaseEntitlements lists the constraining entitlements. Entitlements are not modelled
// on this branch, so a release has none to list.
func (s *Server) listReleaseEntitlements(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	if _, err := c.findReleaseFor(p, c.param("id")); err != nil {
		return err
	}
	return relIndex(c, p, "entitlement.read", true, []*constraint{}, c.view().constraint)
}
