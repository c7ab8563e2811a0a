package keygentest

import "strings"

// tokenOwner resolves the {owner} of /products|licenses|users/{owner}/tokens, as the
// bearer may see it (404 otherwise).
func (c *call) tokenOwner(p *principal, owner string) (bearerType, bearerID string, err error) {
	db := c.db()
	id := c.param("owner")
	switch owner {
	case "products":
		prod := db.findProduct(c.acct.ID, id)
		if prod == nil || !c.seesProduct(p, prod) {
			return "", "", errNotFound("product", id)
		}
		return owner, prod.ID, nil
	case "licenses":
		l := db.findLicense(c.acct.ID, id)
		if l == nil || !c.seesLicense(p, l) {
			return "", "", errNotFound("license", id)
		}
		return owner, l.ID, nil
	default:
		u := db.findUser(c.acct.ID, id)
		if u == nil || !c.scopesUser(p, u) { // the users scope, as Users::TokensController
			return "", "", errNotFound("user", id)
		}
		return owner, u.ID, nil
	}
}

// createBearerToken is POST /{products|licenses|users}/{id}/tokens, answering 200
// (app/controllers/api/v1/users/relationships/tokens_controller.rb).
func (s *Server) createBearerToken(owner string) handlerFunc {
	extra := fields{}
	if owner == "licenses" {
		extra = fields{"max_activations": integer().opt(), "max_deactivations": integer().opt()}
	}
	schema := obj(fields{"data": obj(fields{
		"type":          typeOf("token"),
		"attributes":    obj(tokenAttrs(extra)).opt(),
		"relationships": obj(fields{}).opt(),
	}).opt()}).opt()
	return func(c *call) error {
		p, err := c.requireAuth()
		if err != nil {
			return err
		}
		bearerType, bearerID, err := c.tokenOwner(p, owner)
		if err != nil {
			return err
		}
		in, err := c.parse(schema)
		if err != nil {
			return err
		}
		if err := c.verifyPermission(p, strings.TrimSuffix(owner, "s")+".tokens.generate"); err != nil {
			return err
		}
		if !c.mayCreateBearerToken(p, bearerType, bearerID) {
			return errDenied()
		}
		attrs := in.obj("data").obj("attributes")
		v := newInvalid("tokens")
		for _, k := range []string{"max_activations", "max_deactivations"} {
			if n, ok := attrs.int(k); ok && n < 0 {
				v.attr(camel(k), "INVALID", "must be greater than or equal to 0")
			}
		}
		if err := v.err(); err != nil {
			return err
		}
		t, secret := c.issueToken(bearerType, bearerID, attrs)
		c.emit("token.generated", c.view().token(t, ""), nil)
		return c.ok(c.view().token(t, secret))
	}
}

// mayCreateBearerToken (Products|Licenses|Users::TokenPolicy#create?): admins/developers
// any product, license or user (a role-user or themselves); environments products,
// licenses and role-users; sales agents licenses; a product its licenses and the role-users
// holding one of its licenses.
func (c *call) mayCreateBearerToken(p *principal, bearerType, bearerID string) bool {
	db := c.db()
	switch bearerType {
	case "products":
		return p.canWriteAll()
	case "licenses":
		if p.canWriteAll() || p.hasRole("sales-agent") {
			return true
		}
		return p.product != nil && c.licenseProductID(db.licenses[bearerID]) == p.product.ID
	default:
		u := db.users[bearerID]
		switch {
		case p.isAdmin():
			return u.Role == "user" || p.isUser(u.ID)
		case p.hasRole("environment"):
			return u.Role == "user"
		case p.product != nil:
			return u.Role == "user" && c.userHasProduct(u, p.product.ID)
		}
		return false
	}
}

func (s *Server) listBearerTokens(owner string) handlerFunc {
	return func(c *call) error {
		p, err := c.requireAuth()
		if err != nil {
			return err
		}
		_, bearerID, err := c.tokenOwner(p, owner)
		if err != nil {
			return err
		}
		if err := c.authorize(p, "token.read", c.mayReadBearerTokens(p, owner, bearerID, false)); err != nil {
			return err
		}
		items := ofAccount(c.db().tokens, c.acct.ID, func(t *token) bool { return t.BearerID == bearerID && c.seesToken(p, t) })
		v := c.view()
		return paginate(c, items, true, func(t *token) *resource { return v.token(t, "") })
	}
}

func (s *Server) showBearerToken(owner string) handlerFunc {
	return func(c *call) error {
		p, err := c.requireAuth()
		if err != nil {
			return err
		}
		_, bearerID, err := c.tokenOwner(p, owner)
		if err != nil {
			return err
		}
		t, err := c.findToken(p, c.param("id"))
		if err != nil || t.BearerID != bearerID {
			return errNotFound("token", c.param("id"))
		}
		if err := c.authorize(p, "token.read", c.mayReadBearerTokens(p, owner, bearerID, true)); err != nil {
			return err
		}
		return c.ok(c.view().token(t, ""))
	}
}

// mayReadBearerTokens is {Licenses,Products,Users}::TokenPolicy#index?/show? past the
// token.read permission: staff always; a license's tokens also for its product (visibility
// already narrowed products to their own); a product's tokens for the product itself; a
// user's tokens for products and environments when a role-user (a product's show also
// needs the user to hold one of its licenses) and for the user themself.
func (c *call) mayReadBearerTokens(p *principal, owner, bearerID string, show bool) bool {
	if p.hasRole("admin", "developer", "sales-agent", "support-agent", "read-only") {
		return true
	}
	switch owner {
	case "licenses":
		return p.hasRole("environment") || p.product != nil
	case "products":
		return p.hasRole("environment") || (p.product != nil && p.product.ID == bearerID)
	}
	u := c.db().users[bearerID]
	switch {
	case u == nil:
		return false
	case p.hasRole("environment"):
		return u.Role == "user"
	case p.product != nil:
		return u.Role == "user" && (!show || c.userHasProduct(u, p.product.ID))
	}
	return p.user != nil && p.isUser(u.ID)
}

// userHasProduct reports whether the user owns or is attached to a license of the product.
func (c *call) userHasProduct(u *user, productID string) bool {
	for _, l := range c.db().licensesOfUser(u) {
		if c.licenseProductID(l) == productID {
			return true
		}
	}
	return false
}
