package keygen

import (
	"context"
	"fmt"
	"time"

	"github.com/licensekit/keygen/internal/jsonapi"
)

// Environment is a Keygen environment (Enterprise), as a bearer of /me.
type Environment struct {
	ID      string    `json:"-"`
	Name    string    `json:"name"`
	Code    string    `json:"code"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
}

func (*Environment) resourceType() string { return "environments" }

func (e *Environment) bind(r *jsonapi.Head) error {
	e.ID = r.ID
	return nil
}

// Profile is the authenticated bearer answered by GET /me: exactly one of User, Product,
// License and Environment is set, as Type says.
type Profile struct {
	// Type is the bearer's resource type: users, products, licenses or environments.
	Type string
	// ID is the bearer's id, whatever its type.
	ID          string
	User        *User
	Product     *Product
	License     *License
	Environment *Environment
	// Token is the token used to authenticate (without its secret), nil with license-key auth.
	Token *Token
}

// Profile bearer types, the values of Profile.Type.
const (
	BearerTypeUser        = "users"
	BearerTypeProduct     = "products"
	BearerTypeLicense     = "licenses"
	BearerTypeEnvironment = "environments"
)

// ProfileService reads the authenticated bearer.
type ProfileService struct{ service }

// Get returns whoever the client authenticates as: GET /v1/accounts/{account}/me. It works
// with every kind of credential (admin, user, product, environment or license token, or a
// license key) and is the cheapest way to check that a credential works.
//
// A bearer type this SDK does not know yet is not an error: the Profile then has only Type
// and ID (and Token) set. With WithPublicKey and WithLicenseKey (and no token), the answer
// must be the license of that key, or the call fails with ErrSignatureInvalid.
func (s *ProfileService) Get(ctx context.Context) (*Profile, error) {
	resp, err := s.c.send(ctx, &request{method: "GET", path: "/me"})
	if err != nil {
		return nil, err
	}
	doc, err := resp.doc()
	if err != nil {
		return nil, err
	}
	res, err := doc.One()
	if err != nil {
		return nil, fmt.Errorf("keygen: GET /me: %w", err)
	}
	if res == nil {
		return nil, fmt.Errorf("keygen: GET /me: the response has no data")
	}
	p := &Profile{Type: res.Type, ID: res.ID}
	switch res.Type {
	case BearerTypeUser:
		p.User, err = decodeAs[User](res)
	case BearerTypeProduct:
		p.Product, err = decodeAs[Product](res)
	case BearerTypeLicense:
		p.License, err = decodeAs[License](res)
	case BearerTypeEnvironment:
		p.Environment, err = decodeAs[Environment](res)
	}
	if err != nil {
		return nil, fmt.Errorf("keygen: GET /me: %w", err)
	}
	if c := s.c.cfg; c.publicKey != nil && c.token == "" && c.licenseKey != "" {
		// The credential is not signed: a relay could send another license's key and hand
		// back the genuine signed /me of that license. Under license-key auth the bearer is
		// the license whose key we hold, and the serializer shows that key.
		if p.License == nil || p.License.Key != c.licenseKey {
			return nil, sigErr("GET /me answered for another bearer than this client's license key (a relayed answer?)")
		}
	}
	for i := range doc.Included {
		if doc.Included[i].Type != "tokens" {
			continue
		}
		if p.Token, err = decodeAs[Token](&doc.Included[i]); err != nil {
			return nil, fmt.Errorf("keygen: GET /me: included token: %w", err)
		}
		break
	}
	return p, nil
}
