package keygen

import (
	"time"

	"github.com/licensekit/keygen/internal/jsonapi"
)

// Token is an API token (keygen-api.md §2.1). Secret is only filled by Generate and
// Regenerate: Keygen stores a hash and never shows the secret again.
type Token struct {
	ID string `jsonapi:"primary,tokens"`
	// Kind is admin-token, environment-token, product-token, user-token, activation-token
	// (a license token), developer-token, sales-token, support-token or read-only-token.
	Kind   string     `jsonapi:"attr,kind"`
	Secret string     `jsonapi:"attr,token"`
	Name   *string    `jsonapi:"attr,name"`
	Expiry *time.Time `jsonapi:"attr,expiry,iso8601"`
	// License tokens only.
	MaxActivations   *int      `jsonapi:"attr,maxActivations"`
	Activations      int       `jsonapi:"attr,activations"`
	MaxDeactivations *int      `jsonapi:"attr,maxDeactivations"`
	Deactivations    int       `jsonapi:"attr,deactivations"`
	Permissions      []string  `jsonapi:"attr,permissions"`
	Created          time.Time `jsonapi:"attr,created,iso8601"`
	Updated          time.Time `jsonapi:"attr,updated,iso8601"`

	// BearerType is users, products, licenses or environments; BearerID its id.
	BearerType    string
	BearerID      string
	AccountID     string
	EnvironmentID string
}

func (t *Token) fromResource(r *jsonapi.Resource) error {
	if err := jsonapi.Unmarshal(r, t); err != nil {
		return err
	}
	if b := r.Rel("bearer"); b != nil {
		t.BearerType, t.BearerID = b.Type, b.ID
	}
	t.AccountID = r.RelID("account")
	t.EnvironmentID = r.RelID("environment")
	return nil
}

// TokensService manages API tokens.
type TokensService struct{ service }
