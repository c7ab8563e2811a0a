package keygentest

import "fmt"

// License actions (app/controllers/api/v1/licenses/actions/permits_controller.rb,
// app/controllers/api/v1/licenses/actions/uses_controller.rb): suspend, reinstate, renew,
// check-in and usage.

// suspendLicense is suspend (true) and reinstate (false).
func (s *Server) suspendLicense(suspend bool) handlerFunc {
	return func(c *call) error {
		p, err := c.requireAuth()
		if err != nil {
			return err
		}
		l, err := c.findLicenseFor(p, c.param("id"))
		if err != nil {
			return err
		}
		if err := c.verifyPermission(p, map[bool]string{true: "license.suspend", false: "license.reinstate"}[suspend]); err != nil {
			return err
		}
		if !c.mayAdministerLicense(p, l) {
			return errDenied()
		}
		switch {
		case suspend && l.Suspended:
			return errUnprocessableEntity("is already suspended", "", pointer("/data/attributes/suspended"))
		case !suspend && !l.Suspended:
			return errUnprocessableEntity("is not suspended", "", pointer("/data/attributes/suspended"))
		}
		l.Suspended = suspend
		l.Updated = c.now()
		res := c.view().license(l)
		c.emit(map[bool]string{true: "license.suspended", false: "license.reinstated"}[suspend], res, nil)
		return c.ok(res)
	}
}

func (s *Server) renewLicense(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	l, err := c.findLicenseFor(p, c.param("id"))
	if err != nil {
		return err
	}
	if err := c.authorize(p, "license.renew", c.mayManageLicense(p, l)); err != nil {
		return err
	}
	pol := c.licensePolicy(l)
	if pol.Duration == nil {
		return errUnprocessableEntity("cannot be renewed because the policy does not have a duration", "", nil)
	}
	if l.Expiry == nil {
		// Keygen's renew! refuses silently and renders the (empty) record errors.
		return &apiError{status: 422, errors: []errObject{}}
	}
	now := c.now()
	base := *l.Expiry
	switch pol.RenewalBasis {
	case "FROM_NOW":
		base = now
	case "FROM_NOW_IF_EXPIRED":
		if l.Expiry.Before(now) {
			base = now
		}
	}
	exp := addDuration(base, *pol.Duration)
	l.Expiry = &exp
	l.Updated = now
	res := c.view().license(l)
	c.emit("license.renewed", res, nil)
	return c.ok(res)
}

func (s *Server) checkInLicense(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	l, err := c.findLicenseFor(p, c.param("id"))
	if err != nil {
		return err
	}
	if err := c.verifyPermission(p, "license.check-in"); err != nil {
		return err
	}
	ok := p.hasRole("admin", "developer", "sales-agent", "support-agent", "environment") ||
		(p.product != nil && p.isProduct(c.licenseProductID(l))) ||
		(c.isLicenseOwner(p, l) && !licenseProtected(c.db(), l)) || p.isLicense(l.ID)
	if !ok {
		return errDenied()
	}
	if !c.licensePolicy(l).RequireCheckIn {
		return errUnprocessableEntity("cannot be checked in because the policy does not require it", "", nil)
	}
	now := c.now()
	l.LastCheckIn = &now
	l.Updated = now
	res := c.view().license(l)
	c.emit("license.checked-in", res, nil)
	return c.ok(res)
}

// mayUseLicense implements Licenses::UsagePolicy: increment also for the owner of an
// unprotected license and the license itself; decrement/reset only for staff (not
// read-only) and the license's product.
func (c *call) mayUseLicense(p *principal, l *license, increment bool) bool {
	switch {
	case p.hasRole("admin", "developer", "sales-agent", "support-agent", "environment"):
		return true
	case p.product != nil:
		return p.isProduct(c.licenseProductID(l))
	case !increment:
		return false
	case c.isLicenseOwner(p, l):
		return !licenseProtected(c.db(), l)
	}
	return p.isLicense(l.ID)
}

func (s *Server) incrementUsage(c *call) error { return s.changeUsage(c, "increment") }
func (s *Server) decrementUsage(c *call) error { return s.changeUsage(c, "decrement") }
func (s *Server) resetUsage(c *call) error     { return s.changeUsage(c, "reset") }

func (s *Server) changeUsage(c *call, op string) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	l, err := c.findLicenseFor(p, c.param("id"))
	if err != nil {
		return err
	}
	if !c.mayUseLicense(p, l, op == "increment") {
		return errDenied()
	}
	uses := int64(0)
	if op != "reset" {
		in, err := c.parse(obj(fields{"meta": obj(fields{op: integer().opt()}).opt()}))
		if err != nil {
			return err
		}
		n, ok := in.obj("meta").int(op)
		if !ok {
			n = 1
		}
		if op == "decrement" {
			n = -n
		}
		uses = l.Uses + n
		if (n > 0 && uses < l.Uses) || uses > 2147483647 {
			return errBadRequest("integer is too large", pointer("/meta/"+op))
		}
	}
	pol := c.licensePolicy(l)
	v := newInvalid("licenses")
	if uses < 0 {
		v.attr("uses", "INVALID", "must be greater than or equal to 0")
	}
	if max := effective(l.MaxUses, pol.MaxUses); max != nil && uses > *max && uses != l.Uses {
		v.attr("uses", "LIMIT_EXCEEDED", fmt.Sprintf("usage exceeds maximum allowed for license (%d)", *max))
	}
	if err := v.err(); err != nil {
		return err
	}
	now := c.now()
	l.Uses = uses
	l.Updated = now
	if op == "increment" {
		c.setExpiryOnFirst(l, "FROM_FIRST_USE")
	}
	res := c.view().license(l)
	c.emit(map[string]string{"increment": "license.usage.incremented", "decrement": "license.usage.decremented", "reset": "license.usage.reset"}[op], res, nil)
	return c.ok(res)
}

// setExpiryOnFirst starts a license's expiry on its first validation, activation or use
// when the policy's expirationBasis says so and it has a duration.
func (c *call) setExpiryOnFirst(l *license, basis string) {
	pol := c.licensePolicy(l)
	if l.Expiry != nil || pol.ExpirationBasis != basis || pol.Duration == nil {
		return
	}
	exp := addDuration(c.now(), *pol.Duration)
	l.Expiry = &exp
}
