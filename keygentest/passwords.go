package keygentest

// Forgot password (app/controllers/api/v1/passwords_controller.rb).

func (s *Server) routePasswords(r *router) {
	r.post("/passwords", s.forgotPassword)
}

var forgotPasswordSchema = obj(fields{"meta": obj(fields{"email": str(), "deliver": boolean().opt()})})

// forgotPassword always answers 204, so emails cannot be enumerated. For a known user it
// stores a fresh reset token (valid 24 h) and emits user.password-reset carrying the raw
// token in meta.passwordResetToken; that event is the only way to learn it.
func (s *Server) forgotPassword(c *call) error {
	in, err := c.parse(forgotPasswordSchema)
	if err != nil {
		return err
	}
	email, _ := in.obj("meta").str("email")
	u := c.db().findUserByEmail(c.acct.ID, email)
	if u == nil {
		return c.noContent()
	}
	token := randomHex(24) + "v3"
	now := c.now()
	u.ResetDigest, u.ResetSentAt = digest(token), &now
	c.emit("user.password-reset", c.view().user(u), map[string]any{"passwordResetToken": token})
	return c.noContent()
}
