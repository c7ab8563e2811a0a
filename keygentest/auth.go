package keygentest

import (
	"encoding/base64"
	"strings"
)

// principal is the authenticated bearer of a request
// (app/controllers/concerns/authentication.rb): a user (of any role), a product, a license or
// an environment, and the token used, if any.
type principal struct {
	user    *user
	product *product
	license *license
	token   *token // nil for license-key and password authentication
}

// kind is the bearer's type: "user", "product", "license" or "environment".
func (p *principal) kind() string {
	switch {
	case p.user != nil:
		return "user"
	case p.product != nil:
		return "product"
	case p.license != nil:
		return "license"
	}
	return "environment"
}

// role is the bearer's role: the user's role, or "product", "license", "environment".
func (p *principal) role() string {
	if p.user != nil {
		return p.user.Role
	}
	return p.kind()
}

func (p *principal) bearerID() string {
	switch {
	case p.user != nil:
		return p.user.ID
	case p.product != nil:
		return p.product.ID
	case p.license != nil:
		return p.license.ID
	}
	return ""
}

const authDocs = "https://keygen.sh/docs/api/authentication/"

// authError is a 401 with Keygen's links.about for authentication codes.
func authError(code, detail string) *apiError {
	e := errUnauthorized(code, detail)
	switch code {
	case "TOKEN_MISSING":
		e.errors[0].Links = map[string]string{"about": authDocs}
	case "TOKEN_INVALID", "TOKEN_FORMAT_INVALID":
		e.errors[0].Links = map[string]string{"about": authDocs + "#token-authentication"}
	case "LICENSE_INVALID":
		e.errors[0].Links = map[string]string{"about": authDocs + "#license-authentication"}
	}
	return e
}

// authenticate resolves the request's credentials once. It returns (nil, nil) when none
// were sent, and an error for bad ones: Keygen rejects bad credentials even on routes
// that allow anonymous access.
func (c *call) authenticate() (*principal, error) {
	if c.authed {
		return c.auth, c.authErr
	}
	c.authed = true
	p, err := c.resolveCredentials()
	if err != nil {
		c.authErr = err
		return nil, err
	}
	c.auth = p
	return p, nil
}

// requireAuth is authenticate for routes that need a bearer: no credentials is a 401
// TOKEN_MISSING.
func (c *call) requireAuth() (*principal, error) {
	p, err := c.authenticate()
	if err != nil {
		return nil, err
	}
	if p == nil {
		// Rails' authenticate_or_request_with_http_basic answers a Basic header whose
		// credentials are empty with Keygen's request_http_basic_authentication: TOKEN_INVALID.
		if scheme, _ := authorization(c); scheme == "basic" {
			return nil, authError("TOKEN_INVALID", "")
		}
		return nil, authError("TOKEN_MISSING", "")
	}
	return p, nil
}

// resolveCredentials follows Keygen's scheme order: Bearer/Token, Basic, License, then
// the ?token= / ?auth= query parameters.
func (c *call) resolveCredentials() (*principal, error) {
	scheme, value := authorization(c)
	switch scheme {
	case "bearer", "token":
		return c.tokenAuth(strings.TrimSpace(value))
	case "basic":
		user, pass, ok := decodeBasic(value)
		if !ok || (user == "" && pass == "") {
			return nil, nil
		}
		return c.prefixedAuth(user, pass)
	case "license":
		return c.licenseAuth(strings.TrimSpace(value))
	}
	q := c.query.Get("token")
	if q == "" {
		q = c.query.Get("auth")
	}
	if q == "" {
		return nil, nil
	}
	user, pass, _ := strings.Cut(q, ":")
	return c.prefixedAuth(user, pass)
}

// prefixedAuth handles "license:<key>", "token:<token>" and legacy "<token>:" credentials.
func (c *call) prefixedAuth(user, pass string) (*principal, error) {
	switch user {
	case "license":
		return c.licenseAuth(pass)
	case "token":
		return c.tokenAuth(pass)
	}
	return c.tokenAuth(user)
}

// authorization splits the Authorization header into a lower-cased scheme and its value.
func authorization(c *call) (string, string) {
	h := strings.TrimSpace(c.r.Header.Get("Authorization"))
	if h == "" {
		return "", ""
	}
	scheme, value, _ := strings.Cut(h, " ")
	return strings.ToLower(scheme), value
}

func decodeBasic(v string) (user, pass string, ok bool) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(v))
	if err != nil {
		return "", "", false
	}
	user, pass, _ = strings.Cut(string(raw), ":")
	return user, pass, true
}

// tokenAuth authenticates a token secret (app/controllers/concerns/authentication.rb,
// app/services/token_lookup_service.rb).
func (c *call) tokenAuth(secret string) (*principal, error) {
	if secret == "" {
		return nil, nil
	}
	if isUUID(secret) {
		return nil, authError("TOKEN_FORMAT_INVALID", "Token format is invalid (make sure that you're providing a token value, not a token's UUID identifier)")
	}
	db := c.db()
	t := db.tokenDigests[digest(secret)]
	if t == nil || t.AccountID != c.acct.ID {
		return nil, authError("TOKEN_INVALID", "")
	}
	p := &principal{token: t}
	switch t.BearerType {
	case "users":
		p.user = db.users[t.BearerID]
	case "products":
		p.product = db.products[t.BearerID]
	case "licenses":
		p.license = db.licenses[t.BearerID]
	}
	if p.user == nil && p.product == nil && p.license == nil {
		return nil, authError("TOKEN_INVALID", "")
	}
	if t.Expiry != nil && t.Expiry.Before(c.now()) {
		return nil, authError("TOKEN_EXPIRED", "Token is expired")
	}
	if p.user != nil && p.user.BannedAt != nil {
		return nil, errForbiddenCode("USER_BANNED", "User is banned")
	}
	if p.license != nil {
		if pol := db.policies[p.license.PolicyID]; pol != nil && !supportsTokenAuth(pol) {
			e := errForbiddenCode("TOKEN_NOT_ALLOWED", "Token authentication is not allowed by policy")
			e.errors[0].Links = map[string]string{"about": authDocs + "#token-authentication"}
			return nil, e
		}
	}
	return p, nil
}

// licenseAuth authenticates a license key: allowed only when the policy's
// authenticationStrategy is LICENSE or MIXED (app/models/policy.rb).
func (c *call) licenseAuth(key string) (*principal, error) {
	if key == "" {
		return nil, nil
	}
	db := c.db()
	l := db.findLicenseByKey(c.acct.ID, key)
	if l == nil {
		return nil, authError("LICENSE_INVALID", "")
	}
	pol := db.policies[l.PolicyID]
	switch {
	case c.licenseBanned(l):
		return nil, errForbiddenCode("LICENSE_BANNED", "License is banned")
	case l.Suspended:
		return nil, errForbiddenCode("LICENSE_SUSPENDED", "License is suspended")
	case pol != nil && pol.ExpirationStrategy == "REVOKE_ACCESS" && c.licenseExpired(l):
		return nil, errForbiddenCode("LICENSE_EXPIRED", "License is expired")
	case pol == nil || !supportsLicenseAuth(pol):
		e := errForbiddenCode("LICENSE_NOT_ALLOWED", "License key authentication is not allowed by policy")
		e.errors[0].Links = map[string]string{"about": authDocs + "#license-authentication"}
		return nil, e
	}
	return &principal{license: l}, nil
}

func supportsTokenAuth(p *policy) bool {
	return p.AuthenticationStrategy == "TOKEN" || p.AuthenticationStrategy == "MIXED"
}

func supportsLicenseAuth(p *policy) bool {
	return p.AuthenticationStrategy == "LICENSE" || p.AuthenticationStrategy == "MIXED"
}

// challenge is the WWW-Authenticate value of a 401: the request's own scheme, or Bearer.
func challenge(c *call) string {
	scheme, _ := authorization(c)
	if scheme == "" {
		scheme = "bearer"
	}
	return strings.ToUpper(scheme[:1]) + scheme[1:] + ` realm="keygen"`
}
