package keygen

import (
	"time"

	"github.com/licensekit/keygen/internal/jsonapi"
)

// Key is a pre-made license key waiting in a pooled policy (keygen-api.md §2.8).
type Key struct {
	ID      string    `jsonapi:"primary,keys"`
	Key     string    `jsonapi:"attr,key"`
	Created time.Time `jsonapi:"attr,created,iso8601"`
	Updated time.Time `jsonapi:"attr,updated,iso8601"`

	ProductID     string
	PolicyID      string
	AccountID     string
	EnvironmentID string
}

func (k *Key) fromResource(r *jsonapi.Resource) error {
	if err := jsonapi.Unmarshal(r, k); err != nil {
		return err
	}
	k.ProductID = r.RelID("product")
	k.PolicyID = r.RelID("policy")
	k.AccountID = r.RelID("account")
	k.EnvironmentID = r.RelID("environment")
	return nil
}

// KeysService manages pooled keys.
type KeysService struct{ service }
