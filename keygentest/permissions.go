package keygentest

import "strings"

// Permissions follow keygen-api.md §1.15 with the convention the features assert: a
// bearer that cannot see a resource gets 404 (errNotFound), one that sees it but may not
// act gets 403 (errDenied / errForbidden). Each resource handler finds the record, checks
// c.sees*(…) for visibility, then a role predicate for the action.

// hasRole reports whether the bearer's role is one of roles.
func (p *principal) hasRole(roles ...string) bool {
	r := p.role()
	for _, x := range roles {
		if x == r {
			return true
		}
	}
	return false
}

// isAdmin: admins and developers may do everything.
func (p *principal) isAdmin() bool { return p.hasRole("admin", "developer") }

// isStaff: account-wide bearers that see every resource (read-only and agents included).
func (p *principal) isStaff() bool {
	return p.hasRole("admin", "developer", "read-only", "sales-agent", "support-agent", "environment")
}

// canWriteAll: bearers that may mutate any resource of the account (admin, developer,
// environment). Agents get per-operation grants at each handler.
func (p *principal) canWriteAll() bool { return p.hasRole("admin", "developer", "environment") }

func (p *principal) isProduct(id string) bool { return p.product != nil && p.product.ID == id }
func (p *principal) isUser(id string) bool    { return p.user != nil && p.user.ID == id }
func (p *principal) isLicense(id string) bool { return p.license != nil && p.license.ID == id }

// seesProduct: staff all; a product itself; users the open products and those they hold a
// license of; a license its own product.
func (c *call) seesProduct(p *principal, prod *Product) bool {
	switch {
	case p.isStaff():
		return true
	case p.product != nil:
		return p.isProduct(prod.ID)
	case p.license != nil:
		return c.licenseProductID(p.license) == prod.ID
	case p.user != nil:
		if prod.DistributionStrategy != nil && *prod.DistributionStrategy == "OPEN" {
			return true
		}
		for _, l := range c.db().licensesOfUser(p.user) {
			if c.licenseProductID(l) == prod.ID {
				return true
			}
		}
	}
	return false
}

// seesPolicy: staff all; a product its policies; users the policies of their licenses; a
// license its own policy.
func (c *call) seesPolicy(p *principal, pol *Policy) bool {
	switch {
	case p.isStaff():
		return true
	case p.product != nil:
		return p.isProduct(pol.ProductID)
	case p.license != nil:
		return p.license.PolicyID == pol.ID
	case p.user != nil:
		for _, l := range c.db().licensesOfUser(p.user) {
			if l.PolicyID == pol.ID {
				return true
			}
		}
	}
	return false
}

// seesKey: staff all; a product the keys of its policies. Users and licenses none.
func (c *call) seesKey(p *principal, k *Key) bool {
	switch {
	case p.isStaff():
		return true
	case p.product != nil:
		pol := c.db().policies[k.PolicyID]
		return pol != nil && p.isProduct(pol.ProductID)
	}
	return false
}

// seesUser: admins all; other staff, environments and products only role-user users (a
// product: those holding its licenses); a user itself; a license its owner and users.
func (c *call) seesUser(p *principal, u *User) bool {
	switch {
	case p.isAdmin():
		return true
	case p.isStaff():
		return u.Role == "user"
	case p.product != nil:
		if u.Role != "user" {
			return false
		}
		for _, l := range c.db().licensesOfUser(u) {
			if c.licenseProductID(l) == p.product.ID {
				return true
			}
		}
		return false
	case p.user != nil:
		return p.isUser(u.ID)
	case p.license != nil:
		return licenseHasUser(p.license, u.ID)
	}
	return false
}

// seesLicense: staff all; a product its licenses; users those they own or are attached
// to; a license itself.
func (c *call) seesLicense(p *principal, l *License) bool {
	switch {
	case p.isStaff():
		return true
	case p.product != nil:
		return c.licenseProductID(l) == p.product.ID
	case p.user != nil:
		return licenseHasUser(l, p.user.ID)
	case p.license != nil:
		return p.isLicense(l.ID)
	}
	return false
}

// seesMachine: staff all; a product its machines; users the machines they own or of their
// licenses; a license its machines.
func (c *call) seesMachine(p *principal, m *Machine) bool {
	switch {
	case p.isStaff():
		return true
	case p.license != nil:
		return m.LicenseID == p.license.ID
	}
	l := c.db().licenses[m.LicenseID]
	if l == nil {
		return false
	}
	switch {
	case p.product != nil:
		return c.licenseProductID(l) == p.product.ID
	case p.user != nil:
		return (m.OwnerID != nil && *m.OwnerID == p.user.ID) || licenseHasUser(l, p.user.ID)
	}
	return false
}

// seesToken: staff all; a product its own and its users' and licenses' tokens; others
// their own tokens.
func (c *call) seesToken(p *principal, t *Token) bool {
	db := c.db()
	switch {
	case p.isStaff():
		return true
	case p.product != nil:
		switch t.BearerType {
		case "products":
			return p.isProduct(t.BearerID)
		case "licenses":
			l := db.licenses[t.BearerID]
			return l != nil && c.licenseProductID(l) == p.product.ID
		case "users":
			u := db.users[t.BearerID]
			return u != nil && c.seesUser(p, u)
		}
		return false
	}
	return t.BearerID == p.bearerID()
}

// licenseProductID is the product of a license (through its policy).
func (c *call) licenseProductID(l *License) string {
	if pol := c.db().policies[l.PolicyID]; pol != nil {
		return pol.ProductID
	}
	return ""
}

// lacksPermission is Keygen's verify_permissions!: a bearer, then its token, whose
// explicit permissions hold neither perm nor "*" is denied (403) with the reason. Bearers
// and tokens without explicit permissions have their role's defaults, which the role
// checks of each handler model.
func (p *principal) lacksPermission(perm string) error {
	has := func(ps []string) bool {
		if ps == nil {
			return true
		}
		for _, x := range ps {
			if x == "*" || x == perm {
				return true
			}
		}
		return false
	}
	var own []string
	switch {
	case p.user != nil:
		own = p.user.Permissions
	case p.product != nil:
		own = p.product.Permissions
	case p.license != nil:
		own = p.license.Permissions
	}
	if !has(own) {
		return errForbidden(strings.ReplaceAll(p.role(), "-", " ") + " lacks permission to perform action")
	}
	if p.token != nil && !has(p.token.Permissions) {
		return errForbidden("token lacks permission to perform action")
	}
	return nil
}
