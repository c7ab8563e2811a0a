package keygen

import (
	"time"

	"github.com/licensekit/keygen/internal/jsonapi"
)

// WebhookEndpoint is a URL that receives signed event deliveries (keygen-api.md §2.9).
type WebhookEndpoint struct {
	ID  string `jsonapi:"primary,webhook-endpoints"`
	URL string `jsonapi:"attr,url"`
	// Subscriptions are the event types delivered; ["*"] means all.
	Subscriptions []string `jsonapi:"attr,subscriptions"`
	// SignatureAlgorithm is ed25519 (default), rsa-pss-sha256, rsa-sha256 or ecdsa-p256.
	SignatureAlgorithm string    `jsonapi:"attr,signatureAlgorithm"`
	APIVersion         string    `jsonapi:"attr,apiVersion"`
	Created            time.Time `jsonapi:"attr,created,iso8601"`
	Updated            time.Time `jsonapi:"attr,updated,iso8601"`

	ProductID     string
	AccountID     string
	EnvironmentID string
}

func (w *WebhookEndpoint) fromResource(r *jsonapi.Resource) error {
	if err := jsonapi.Unmarshal(r, w); err != nil {
		return err
	}
	w.ProductID = r.RelID("product")
	w.AccountID = r.RelID("account")
	w.EnvironmentID = r.RelID("environment")
	return nil
}

// WebhooksService manages webhook endpoints.
type WebhooksService struct{ service }
