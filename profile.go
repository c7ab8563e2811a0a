package keygen

import (
	"time"

	"github.com/licensekit/keygen/internal/jsonapi"
)

// Environment is a Keygen environment (Enterprise), as a bearer of /me.
type Environment struct {
	ID      string    `jsonapi:"primary,environments"`
	Name    string    `jsonapi:"attr,name"`
	Code    string    `jsonapi:"attr,code"`
	Created time.Time `jsonapi:"attr,created,iso8601"`
	Updated time.Time `jsonapi:"attr,updated,iso8601"`
}

func (e *Environment) fromResource(r *jsonapi.Resource) error {
	return jsonapi.Unmarshal(r, e)
}

// Profile is the authenticated bearer answered by GET /me: exactly one of User, Product,
// License and Environment is set, as Type says.
type Profile struct {
	// Type is the bearer's resource type: users, products, licenses or environments.
	Type        string
	User        *User
	Product     *Product
	License     *License
	Environment *Environment
	// Token is the token used to authenticate (without its secret), nil with license-key auth.
	Token *Token
}

// ProfileService reads the authenticated bearer.
type ProfileService struct{ service }
