package keygentest

// Profile (app/controllers/api/v1/profiles_controller.rb).

func (s *Server) routeProfile(r *router) {
	r.get("/me", s.me)
	r.get("/profile", s.profile)
}

// bearerResource renders the authenticated bearer.
func (c *call) bearerResource(p *principal) *resource {
	v := c.view()
	switch {
	case p.user != nil:
		return v.user(p.user)
	case p.product != nil:
		return v.product(p.product)
	default:
		return v.license(p.license)
	}
}

// me answers with the bearer and, under token authentication, the token (without its
// secret) in included.
func (s *Server) me(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	doc := document{Data: c.bearerResource(p)}
	if p.token != nil {
		doc.Included = []*resource{c.view().token(p.token, "")}
	}
	return c.json(200, doc)
}

// profile is the older GET /profile: the bearer with meta.tokenId.
func (s *Server) profile(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	doc := document{Data: c.bearerResource(p)}
	if p.token != nil {
		doc.Meta = map[string]any{"tokenId": p.token.ID}
	}
	return c.json(200, doc)
}
