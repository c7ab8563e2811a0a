package keygentest

import (
	"regexp"
	"time"
	"unicode/utf8"
)

// Tokens (app/models/token.rb, app/controllers/api/v1/tokens_controller.rb). The tokens of
// a bearer (/users|products|licenses/{id}/tokens) are in tokens_bearers.go.

// token is an API token (app/models/token.rb). Only a digest of its secret is kept.
type token struct {
	base
	Kind             string // admin-token, user-token, product-token, activation-token, ...
	BearerType       string // users, products, licenses, environments
	BearerID         string
	Digest           string // hex SHA-256 of the secret
	Name             *string
	Expiry           *time.Time
	MaxActivations   *int
	Activations      int
	MaxDeactivations *int
	Deactivations    int
	Permissions      []string
}

func (db *store) findToken(acct, id string) *token {
	if t := db.tokens[id]; t != nil && t.AccountID == acct {
		return t
	}
	return nil
}

// putToken stores a token and indexes its digest.
func (db *store) putToken(t *token) {
	db.tokens[t.ID] = t
	db.tokenDigests[t.Digest] = t
}

// deleteToken removes a token and its digest index.
func (db *store) deleteToken(t *token) {
	delete(db.tokens, t.ID)
	delete(db.tokenDigests, t.Digest)
}

// deleteTokensOf removes every token of a bearer, except keep (may be nil).
func (db *store) deleteTokensOf(bearerType, bearerID string, keep *token) {
	for _, t := range db.tokens {
		if t.BearerType == bearerType && t.BearerID == bearerID && t != keep {
			db.deleteToken(t)
		}
	}
}

// seesToken: staff all; a product its own and its users' and licenses' tokens; others
// their own tokens.
func (c *call) seesToken(p *principal, t *token) bool {
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

// token renders a token; secret is the raw value, shown only by generate/regenerate.
func (v view) token(t *token, secret string) *resource {
	attrs := map[string]any{
		"kind":   t.Kind,
		"expiry": optTime(t.Expiry),
		"name":   opt(t.Name),
	}
	if secret != "" {
		attrs["token"] = secret
	}
	if t.Kind == "activation-token" {
		attrs["maxActivations"] = opt(t.MaxActivations)
		attrs["activations"] = t.Activations
		attrs["maxDeactivations"] = opt(t.MaxDeactivations)
		attrs["deactivations"] = t.Deactivations
	}
	r := v.newResource("tokens", t.ID, stamp(attrs, &t.base))
	bearerID := t.BearerID
	r.Relationships["bearer"] = toOne(v.path(t.BearerType, t.BearerID), t.BearerType, &bearerID)
	return r
}

const tokenDuration = 14 * day // default expiry of user tokens

func (s *Server) routeTokens(r *router) {
	r.post("/tokens", s.generateToken)
	r.get("/tokens", s.listTokens)
	r.get("/tokens/{id}", s.showToken)
	r.put("/tokens/{id}", s.regenerateToken)
	r.put("/tokens", s.regenerateCurrentToken)
	r.del("/tokens/{id}", s.revokeToken)
	for _, owner := range []string{"products", "licenses", "users"} {
		r.post("/"+owner+"/{owner}/tokens", s.createBearerToken(owner))
		r.get("/"+owner+"/{owner}/tokens", s.listBearerTokens(owner))
		r.get("/"+owner+"/{owner}/tokens/{id}", s.showBearerToken(owner))
	}
}

// newToken makes a token with a fresh secret; only its digest is stored.
func newToken(acct string, now time.Time, bearerType, bearerID, kind string) (*token, string) {
	secret := newTokenSecret(kind)
	return &token{base: newBase(acct, now), Kind: kind, BearerType: bearerType, BearerID: bearerID, Digest: digest(secret)}, secret
}

// tokenKindFor names the kind of a bearer's tokens.
func tokenKindFor(db *store, bearerType, bearerID string) string {
	switch bearerType {
	case "products":
		return "product-token"
	case "licenses":
		return "activation-token"
	case "environments":
		return "environment-token"
	}
	if u := db.users[bearerID]; u != nil {
		switch u.Role {
		case "admin":
			return "admin-token"
		case "developer":
			return "developer-token"
		case "sales-agent":
			return "sales-token"
		case "support-agent":
			return "support-token"
		case "read-only":
			return "read-only-token"
		}
	}
	return "user-token"
}

// isUserToken: the bearer is a user with role user (Keygen's user_token?).
func isUserToken(db *store, t *token) bool {
	u := db.users[t.BearerID]
	return t.BearerType == "users" && u != nil && u.Role == "user"
}

// issueToken stores a new token for a bearer with the optional name/expiry attributes;
// without an expiry, user tokens expire in 14 days and all others never.
func (c *call) issueToken(bearerType, bearerID string, attrs params) (*token, string) {
	db := c.db()
	t, secret := newToken(c.acct.ID, c.now(), bearerType, bearerID, tokenKindFor(db, bearerType, bearerID))
	t.Name = attrs.strPtr("name")
	if attrs.has("expiry") {
		t.Expiry = attrs.timePtr("expiry")
	} else if t.Kind == "user-token" {
		exp := c.now().Add(tokenDuration)
		t.Expiry = &exp
	}
	if attrs.has("permissions") {
		t.Permissions = attrs.strings("permissions")
	}
	if n, ok := attrs.int("max_activations"); ok {
		m := int(n)
		t.MaxActivations = &m
	}
	if n, ok := attrs.int("max_deactivations"); ok {
		m := int(n)
		t.MaxDeactivations = &m
	}
	db.putToken(t)
	return t, secret
}

// tokenAttrs are the attributes every token creation accepts.
func tokenAttrs(extra fields) fields {
	f := fields{"expiry": timeParam().opt().null(), "name": str().opt().nullOnly(), "permissions": strs().opt()}
	for k, v := range extra {
		f[k] = v
	}
	return f
}

var generateSchema = obj(fields{
	"data": obj(fields{
		"type":       typeOf("token"),
		"attributes": obj(tokenAttrs(nil)).opt(),
		"relationships": obj(fields{
			"bearer": obj(fields{"data": obj(fields{
				"type": str().in("environment", "environments", "product", "products", "user", "users", "license", "licenses"),
				"id":   uuidParam(),
			})}).opt(),
		}).opt(),
	}).opt(),
	"meta": obj(fields{"otp": str()}).opt(),
}).opt()

var emailRE = regexp.MustCompile(`^[^@\s]+@[^@\s]+$`)

// loginEmailRE is what a Basic login's user part must look like before any lookup
// (Keygen's EMAIL_RE): anything else, a NUL byte in the domain included, is EMAIL_REQUIRED
// (tokens/generate.feature, "Anonymous attempts to send a null byte within the email").
var loginEmailRE = regexp.MustCompile(`(?i)^[^@\s]+@(?:[-a-z0-9]+\.)+[a-z]{2,}$`)

// generateToken is POST /tokens: log in with Basic email:password, or mint a token with
// a token (app/controllers/api/v1/tokens_controller.rb).
func (s *Server) generateToken(c *call) error {
	var p *principal
	if user, pass, ok := passwordCredentials(c); ok {
		u, err := c.passwordAuth(user, pass)
		if err != nil {
			return err
		}
		p = &principal{user: u}
		c.auth, c.authed = p, true
	} else {
		var err error
		if p, err = c.requireAuth(); err != nil {
			return err
		}
	}
	in, err := c.parse(generateSchema)
	if err != nil {
		return err
	}
	if err := c.verifyPermission(p, "token.generate"); err != nil {
		return err
	}
	db := c.db()
	bearerType, bearerID := p.kind()+"s", p.bearerID()
	if typ, ok := in.obj("data").obj("relationships").obj("bearer").obj("data").str("type"); ok {
		bearerType = plural(typ)
		bearerID, _ = in.relID("bearer")
	}
	// An unknown bearer fails authorization, not validation (tokens/generate.feature,
	// "Admin generates a new token for an invalid product", "… for an invalid user").
	var bearerUser *user
	switch bearerType {
	case "users":
		bearerUser = db.users[bearerID]
		if bearerUser == nil || bearerUser.AccountID != c.acct.ID {
			return errDenied()
		}
	case "products":
		if db.findProduct(c.acct.ID, bearerID) == nil {
			return errDenied()
		}
	case "licenses":
		if db.licenses[bearerID] == nil || db.licenses[bearerID].AccountID != c.acct.ID {
			return errDenied()
		}
	default:
		return errDenied()
	}
	self := bearerID == p.bearerID()
	userToken := bearerUser != nil && bearerUser.Role == "user"
	switch {
	case self && p.user != nil && p.user.Role == "user":
		if p.user.BannedAt != nil {
			return errForbidden("user is banned")
		}
	case self && p.isStaff():
	case p.canWriteAll() && userToken:
	case p.product != nil && userToken && c.seesUser(p, bearerUser):
	case p.product != nil && bearerType == "licenses" && c.licenseProductID(db.licenses[bearerID]) == p.product.ID:
	default:
		return errDenied()
	}
	t, secret := c.issueToken(bearerType, bearerID, in.obj("data").obj("attributes"))
	c.emit("token.generated", c.view().token(t, ""), nil)
	return c.created(c.view().token(t, secret))
}

// passwordCredentials reports Basic credentials whose user part holds an "@": only those
// are a password login (app/controllers/api/v1/tokens_controller.rb).
func passwordCredentials(c *call) (string, string, bool) {
	scheme, value := authorization(c)
	if scheme != "basic" {
		return "", "", false
	}
	user, pass, ok := decodeBasic(value)
	if !ok || !containsAt(user) {
		return "", "", false
	}
	return user, pass, true
}

func containsAt(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '@' {
			return true
		}
	}
	return false
}

// passwordAuth checks an email and password in Keygen's order
// (app/controllers/api/v1/tokens_controller.rb); for API ≤1.7 every credential error reads
// CREDENTIALS_INVALID.
func (c *call) passwordAuth(email, password string) (*user, error) {
	fail := func(code, detail string) error {
		if c.minor <= 7 {
			code, detail = "CREDENTIALS_INVALID", "email and password must be valid"
		}
		e := errUnauthorized(code, detail)
		e.errors[0].Source = header("Authorization")
		return e
	}
	if !loginEmailRE.MatchString(email) {
		return nil, fail("EMAIL_REQUIRED", "email is required")
	}
	if !utf8.ValidString(email) {
		// Keygen's user lookup fails on the bad bytes in the database (tokens/generate.feature,
		// "Anonymous attempts to send a badly encoded email address").
		return nil, newError(400, "The request could not be completed because it contains an invalid byte sequence (check encoding)", "ENCODING_INVALID", nil)
	}
	u := c.db().findUserByEmail(c.acct.ID, email)
	switch {
	case u == nil:
		return nil, fail("EMAIL_INVALID", "email must be valid")
	case u.Password == nil:
		return nil, fail("PASSWORD_NOT_SUPPORTED", "password is unsupported")
	case password == "":
		return nil, fail("PASSWORD_REQUIRED", "password is required")
	case !u.Password.matches(password):
		return nil, fail("PASSWORD_INVALID", "password must be valid")
	}
	return u, nil
}

func (s *Server) listTokens(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	f := tokenFilter(c)
	items := ofAccount(c.db().tokens, c.acct.ID, func(t *token) bool { return c.seesToken(p, t) && f(t) })
	v := c.view()
	return paginate(c, items, true, func(t *token) *resource { return v.token(t, "") })
}

// tokenFilter applies bearer[type], bearer[id] and bearer[role] (has_scope in
// app/controllers/api/v1/tokens_controller.rb).
func tokenFilter(c *call) func(*token) bool {
	q := c.query
	typ, id := q.Get("bearer[type]"), q.Get("bearer[id]")
	roles := append(q["bearer[role]"], q["bearer[role][]"]...)
	db := c.db()
	return func(t *token) bool {
		if typ != "" && plural(lower(typ)) != t.BearerType {
			return false
		}
		if id != "" && id != t.BearerID {
			return false
		}
		if len(roles) > 0 {
			role := t.BearerType[:len(t.BearerType)-1]
			if u := db.users[t.BearerID]; t.BearerType == "users" && u != nil {
				role = u.Role
			}
			return contains(roles, role)
		}
		return true
	}
}

// findToken resolves a token the bearer may see, else 404.
func (c *call) findToken(p *principal, id string) (*token, error) {
	t := c.db().findToken(c.acct.ID, id)
	if t == nil || !c.seesToken(p, t) {
		return nil, errNotFound("token", id)
	}
	return t, nil
}

func (s *Server) showToken(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	t, err := c.findToken(p, c.param("id"))
	if err != nil {
		return err
	}
	if err := c.verifyPermission(p, "token.read"); err != nil {
		return err
	}
	return c.ok(c.view().token(t, ""))
}

// mayManageToken is Keygen's regenerate?/revoke? rule: admins and environments manage
// tokens below them, products their users' and licenses' tokens, everyone their own.
func (c *call) mayManageToken(p *principal, t *token, revoke bool) bool {
	db := c.db()
	switch {
	case t.BearerID == p.bearerID():
		return true
	case p.product != nil:
		if isUserToken(db, t) {
			return c.seesUser(p, db.users[t.BearerID])
		}
		l := db.licenses[t.BearerID]
		return t.BearerType == "licenses" && l != nil && c.licenseProductID(l) == p.product.ID
	case revoke:
		return p.canWriteAll()
	case p.isAdmin():
		return t.BearerType != "users" || isUserToken(db, t)
	case p.hasRole("environment"):
		return t.BearerType == "products" || t.BearerType == "licenses" || isUserToken(db, t)
	}
	return false
}

// regenerate gives a token a new secret; an expiring token's expiry restarts at 14 days.
func (c *call) regenerate(t *token) error {
	db := c.db()
	db.deleteToken(t)
	secret := newTokenSecret(t.Kind)
	t.Digest = digest(secret)
	if t.Expiry != nil {
		exp := c.now().Add(tokenDuration)
		t.Expiry = &exp
	}
	t.Updated = c.now()
	db.putToken(t)
	c.emit("token.regenerated", c.view().token(t, ""), nil)
	return c.ok(c.view().token(t, secret))
}

func (s *Server) regenerateToken(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	t, err := c.findToken(p, c.param("id"))
	if err != nil {
		return err
	}
	if err := c.authorize(p, "token.regenerate", c.mayManageToken(p, t, false)); err != nil {
		return err
	}
	return c.regenerate(t)
}

// regenerateCurrentToken is the deprecated PUT /tokens: regenerate the token in use.
func (s *Server) regenerateCurrentToken(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	if p.token == nil {
		return errNotFound("token", "")
	}
	return c.regenerate(p.token)
}

func (s *Server) revokeToken(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	t, err := c.findToken(p, c.param("id"))
	if err != nil {
		return err
	}
	if err := c.authorize(p, "token.revoke", c.mayManageToken(p, t, true)); err != nil {
		return err
	}
	c.emit("token.revoked", c.view().token(t, ""), nil)
	c.db().deleteToken(t)
	return c.noContent()
}
