package keygentest

// banUser is POST /users/{id}/actions/ban|unban; only role-user users can be banned.
func (s *Server) banUser(ban bool) handlerFunc {
	return func(c *call) error {
		p, err := c.requireAuth()
		if err != nil {
			return err
		}
		u, err := c.findUser(p, c.param("id"))
		if err != nil {
			return err
		}
		if err := c.verifyPermission(p, map[bool]string{true: "user.ban", false: "user.unban"}[ban]); err != nil {
			return err
		}
		if u.Role != "user" {
			return errForbidden("must have a user role")
		}
		if !p.hasRole("admin", "developer", "sales-agent", "support-agent", "product", "environment") {
			return errDenied()
		}
		event := "user.unbanned"
		if ban {
			now := c.now()
			u.BannedAt, event = &now, "user.banned"
		} else {
			u.BannedAt = nil
		}
		u.Updated = c.now()
		res := c.view().user(u)
		c.emit(event, res, nil)
		return c.ok(res)
	}
}

var (
	updatePasswordSchema = obj(fields{"meta": obj(fields{"old_password": str(), "new_password": str()})})
	resetPasswordSchema  = obj(fields{"meta": obj(fields{"password_reset_token": str(), "new_password": str()})})
)

// updatePassword: a user changes their own password with the old one; every other token of
// theirs is revoked (app/controllers/api/v1/users/actions/bans_controller.rb). No event is
// emitted.
func (s *Server) updatePassword(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	u, err := c.findUser(p, c.param("id"))
	if err != nil {
		return err
	}
	in, err := c.parse(updatePasswordSchema)
	if err != nil {
		return err
	}
	if !p.isUser(u.ID) || p.token == nil {
		return errDenied()
	}
	meta := in.obj("meta")
	old, _ := meta.str("old_password")
	if !u.Password.matches(old) {
		e := errUnauthorized("", "is not valid")
		e.errors[0].Source = pointer("/meta/oldPassword")
		return e
	}
	pw, _ := meta.str("new_password")
	v := newInvalid("users")
	if !validatePassword(v, pw) {
		return v.err()
	}
	u.Password, u.ResetDigest, u.ResetSentAt = hashPassword(pw), "", nil
	u.Updated = c.now()
	c.db().deleteTokensOf("users", u.ID, p.token)
	return c.ok(c.view().user(u))
}

// resetPassword sets a new password with a reset token from POST /passwords; tokens are valid
// 24 hours. A wrong token answers as if the user did not exist
// (app/controllers/api/v1/users/actions/password_controller.rb).
func (s *Server) resetPassword(c *call) error {
	if _, err := c.authenticate(); err != nil {
		return err
	}
	id := c.param("id")
	u := c.db().findUser(c.acct.ID, id)
	if u == nil {
		return errNotFound("user", id)
	}
	in, err := c.parse(resetPasswordSchema)
	if err != nil {
		return err
	}
	meta := in.obj("meta")
	if c.acct.Protected && u.Role == "user" && u.Password == nil {
		return errDenied()
	}
	tok, _ := meta.str("password_reset_token")
	if u.ResetDigest == "" || u.ResetSentAt == nil || digest(tok) != u.ResetDigest {
		return errNotFound("user", id)
	}
	if u.ResetSentAt.Before(c.now().Add(-day)) {
		e := errUnauthorized("", "is expired")
		e.errors[0].Source = pointer("/meta/passwordResetToken")
		return e
	}
	pw, _ := meta.str("new_password")
	v := newInvalid("users")
	if !validatePassword(v, pw) {
		return v.err()
	}
	u.Password, u.ResetDigest, u.ResetSentAt = hashPassword(pw), "", nil
	u.Updated = c.now()
	c.db().deleteTokensOf("users", u.ID, nil)
	return c.ok(c.view().user(u))
}
