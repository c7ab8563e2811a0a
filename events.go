package keygen

import (
	"encoding/json"
	"time"

	"github.com/licensekit/keygen/internal/jsonapi"
)

// WebhookEvent is one delivery record of an event to an endpoint (keygen-api.md §2.10).
type WebhookEvent struct {
	ID         string  `jsonapi:"primary,webhook-events"`
	Endpoint   string  `jsonapi:"attr,endpoint"`
	APIVersion *string `jsonapi:"attr,apiVersion"`
	// Payload is the raw JSON document of the affected resource (on the wire it is a JSON
	// string holding JSON). Decode it with DecodePayload.
	Payload string `jsonapi:"attr,payload"`
	// Event is the event type, e.g. "license.created".
	Event string `jsonapi:"attr,event"`
	// Status is DELIVERING, DELIVERED, FAILING or FAILED.
	Status           string    `jsonapi:"attr,status"`
	LastResponseCode *int      `jsonapi:"attr,lastResponseCode"`
	LastResponseBody *string   `jsonapi:"attr,lastResponseBody"`
	Created          time.Time `jsonapi:"attr,created,iso8601"`
	Updated          time.Time `jsonapi:"attr,updated,iso8601"`

	// IdempotencyToken is the same for every retry of one event: use it to drop duplicates.
	IdempotencyToken string
	AccountID        string
	EnvironmentID    string
}

func (e *WebhookEvent) fromResource(r *jsonapi.Resource) error {
	if err := jsonapi.Unmarshal(r, e); err != nil {
		return err
	}
	e.AccountID = r.RelID("account")
	e.EnvironmentID = r.RelID("environment")
	if len(r.Meta) > 0 {
		var meta struct {
			IdempotencyToken string `json:"idempotencyToken"`
		}
		if err := json.Unmarshal(r.Meta, &meta); err == nil {
			e.IdempotencyToken = meta.IdempotencyToken
		}
	}
	return nil
}

// WebhookEventsService reads, retries and deletes webhook event records.
type WebhookEventsService struct{ service }
