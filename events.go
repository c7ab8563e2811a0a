package keygen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/licensekit/keygen/internal/jsonapi"
	"github.com/licensekit/keygen/internal/query"
)

// EventType names a webhook event, e.g. "license.created". It is an alias of string, like
// ErrorCode, so WebhookEvent.Event compares directly with the constants below and event names
// the SDK does not list (release.*, artifact.*…) still work everywhere.
type EventType = string

// EventAll subscribes an endpoint to every event.
const EventAll EventType = "*"

// Event types emitted by the operations this SDK calls, and the scheduled ones about the same
// resources (keygen-sh/keygen-api, db/seeds.rb; https://keygen.sh/docs/api/webhooks/). The
// payload of each is the affected resource, in its last state for deletions; DecodePayload
// returns it typed.
const (
	EventTokenGenerated   EventType = "token.generated"
	EventTokenRegenerated EventType = "token.regenerated"
	EventTokenRevoked     EventType = "token.revoked"

	EventProductCreated EventType = "product.created"
	EventProductUpdated EventType = "product.updated"
	EventProductDeleted EventType = "product.deleted"

	EventPolicyCreated EventType = "policy.created"
	EventPolicyUpdated EventType = "policy.updated"
	EventPolicyDeleted EventType = "policy.deleted"
	// EventPolicyPoolPopped carries the popped key (*Key) as payload.
	EventPolicyPoolPopped EventType = "policy.pool.popped"

	EventUserCreated  EventType = "user.created"
	EventUserUpdated  EventType = "user.updated"
	EventUserDeleted  EventType = "user.deleted"
	EventUserBanned   EventType = "user.banned"
	EventUserUnbanned EventType = "user.unbanned"
	// EventUserPasswordReset carries meta.passwordResetToken (see PayloadMeta).
	EventUserPasswordReset EventType = "user.password-reset"

	EventLicenseCreated    EventType = "license.created"
	EventLicenseUpdated    EventType = "license.updated"
	EventLicenseDeleted    EventType = "license.deleted"
	EventLicenseSuspended  EventType = "license.suspended"
	EventLicenseReinstated EventType = "license.reinstated"
	EventLicenseRenewed    EventType = "license.renewed"
	EventLicenseRevoked    EventType = "license.revoked"
	EventLicenseCheckedIn  EventType = "license.checked-in"
	EventLicenseCheckedOut EventType = "license.checked-out"
	// The validation events carry the validation meta (valid, code, detail, ts, scope…).
	EventLicenseValidationSucceeded EventType = "license.validation.succeeded"
	EventLicenseValidationFailed    EventType = "license.validation.failed"
	// Scheduled by Keygen, not triggered by a call.
	EventLicenseExpiringSoon        EventType = "license.expiring-soon"
	EventLicenseExpired             EventType = "license.expired"
	EventLicenseCheckInOverdue      EventType = "license.check-in-overdue"
	EventLicenseCheckInRequiredSoon EventType = "license.check-in-required-soon"

	EventMachineCreated    EventType = "machine.created"
	EventMachineUpdated    EventType = "machine.updated"
	EventMachineDeleted    EventType = "machine.deleted"
	EventMachineCheckedOut EventType = "machine.checked-out"

	EventMachineHeartbeatPing        EventType = "machine.heartbeat.ping"
	EventMachineHeartbeatReset       EventType = "machine.heartbeat.reset"
	EventMachineHeartbeatResurrected EventType = "machine.heartbeat.resurrected"
	// Scheduled: pong when a machine pinged in time, dead when it did not.
	EventMachineHeartbeatPong EventType = "machine.heartbeat.pong"
	EventMachineHeartbeatDead EventType = "machine.heartbeat.dead"

	EventKeyCreated EventType = "key.created"
	EventKeyUpdated EventType = "key.updated"
	EventKeyDeleted EventType = "key.deleted"
)

// WebhookEvent is one delivery record of an event to an endpoint (keygen-sh/keygen-api,
// app/models/webhook_event.rb), and the body of every delivery that ParseWebhook accepts.
type WebhookEvent struct {
	ID string `json:"-"`
	// Endpoint is the URL the event is delivered to.
	Endpoint   string  `json:"endpoint"`
	APIVersion *string `json:"apiVersion"`
	// Payload is the raw JSON document of the affected resource (on the wire it is a JSON
	// string holding JSON). Decode it with DecodePayload or the Payload* helpers.
	Payload string `json:"payload"`
	// Event is the event type, e.g. EventLicenseCreated.
	Event EventType `json:"event"`
	// Status is DELIVERING, DELIVERED, FAILING or FAILED.
	Status string `json:"status"`
	// LastResponseCode is the endpoint's last HTTP status, nil before an answer or after a
	// transport failure (then LastResponseBody names it: REQ_TIMEOUT, CONN_REFUSED…).
	LastResponseCode *int      `json:"lastResponseCode"`
	LastResponseBody *string   `json:"lastResponseBody"`
	Created          time.Time `json:"created"`
	Updated          time.Time `json:"updated"`

	// IdempotencyToken is the same for every retry of one event: use it to drop duplicates.
	IdempotencyToken string `json:"-"`
	AccountID        string `json:"-"`
	EnvironmentID    string `json:"-"`
}

func (*WebhookEvent) resourceType() string { return "webhook-events" }

func (e *WebhookEvent) bind(r *jsonapi.Head) error {
	e.ID = r.ID
	e.AccountID = r.Relationships.Account.ID()
	e.EnvironmentID = r.Relationships.Environment.ID()
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

// WebhookEventListOptions filter a webhook event list.
type WebhookEventListOptions struct {
	ListOptions
	// Events keeps only these event types (events[]=…).
	Events []EventType
}

// WebhookEventsService reads, retries and deletes webhook event records.
type WebhookEventsService struct{ service }

// Get fetches a webhook event: GET /v1/accounts/{account}/webhook-events/{id}.
func (s *WebhookEventsService) Get(ctx context.Context, id string) (*WebhookEvent, error) {
	return getByID[WebhookEvent](ctx, s.c, "/webhook-events/%s", id)
}

// encode writes the paging parameters and the filters (nil options write nothing).
func (o *WebhookEventListOptions) encode(q *query.Values) error {
	if o == nil {
		return nil
	}
	if err := o.ListOptions.encode(q); err != nil {
		return err
	}
	q.Strings("events", o.Events)
	return nil
}

// List lists webhook events, newest first: GET /v1/accounts/{account}/webhook-events. Keygen
// does not count events, so the page has no First, Last, Pages or Count.
func (s *WebhookEventsService) List(ctx context.Context, opts *WebhookEventListOptions) (*Page[WebhookEvent], error) {
	return listPage[WebhookEvent](ctx, s.c, "/webhook-events", opts)
}

// All iterates over every webhook event matching opts: GET
// /v1/accounts/{account}/webhook-events, page after page (see ListOptions for how), newest
// first unless opts asks for Ascending. It stops at the first error (yielded once), when ctx
// is done, or when the loop breaks.
func (s *WebhookEventsService) All(ctx context.Context, opts *WebhookEventListOptions) iter.Seq2[*WebhookEvent, error] {
	return allOf(ctx, opts, s.List)
}

// Retry delivers an event again and returns the new event record (same payload and
// IdempotencyToken, status DELIVERING): POST /v1/accounts/{account}/webhook-events/{id}/actions/retry.
// Keygen answers 422 when the event's endpoint no longer exists.
func (s *WebhookEventsService) Retry(ctx context.Context, id string) (*WebhookEvent, error) {
	path, err := pathf("/webhook-events/%s/actions/retry", id)
	if err != nil {
		return nil, err
	}
	return sendOne[WebhookEvent](ctx, s.c, &request{method: "POST", path: path})
}

// Delete deletes a webhook event record: DELETE /v1/accounts/{account}/webhook-events/{id}.
func (s *WebhookEventsService) Delete(ctx context.Context, id string) error {
	return deleteByID(ctx, s.c, "/webhook-events/%s", id)
}

// UnknownResource is a payload resource of a type this SDK has no model for (releases,
// artifacts, groups, entitlements…). Attributes is the raw attributes object, to decode into
// a struct of your own.
type UnknownResource struct {
	Type       string
	ID         string
	Attributes json.RawMessage
}

// ErrNoPayload is returned by the payload decoders when the event carries no payload
// (Keygen may leave it out of lists) or the payload's data is null.
var ErrNoPayload = errors.New("keygen: webhook event has no payload")

// payloadDoc parses the payload string: a JSON:API document encoded a second time.
func (e *WebhookEvent) payloadDoc() (*jsonapi.Document, error) {
	if e.Payload == "" {
		return nil, ErrNoPayload
	}
	doc, err := jsonapi.Parse([]byte(e.Payload))
	if err != nil {
		return nil, fmt.Errorf("keygen: webhook event %s payload: %w", e.ID, err)
	}
	return doc, nil
}

// DecodePayload decodes the payload into the model of its resource type: *License, *Machine,
// *User, *Product, *Policy, *Key, *Token, *LicenseFile, *MachineFile, *WebhookEndpoint or
// *Environment, and *UnknownResource for any other type. A payload whose data is a list
// (users.attached, entitlements.attached…) gives a []any of those.
func (e *WebhookEvent) DecodePayload() (any, error) {
	doc, err := e.payloadDoc()
	if err != nil {
		return nil, err
	}
	if doc.IsNull() {
		return nil, ErrNoPayload
	}
	if trimmed := firstByte(doc.Data); trimmed == '[' {
		rs, err := doc.Many()
		if err != nil {
			return nil, fmt.Errorf("keygen: webhook event %s payload: %w", e.ID, err)
		}
		out := make([]any, 0, len(rs))
		for i := range rs {
			v, err := decodePayloadResource(&rs[i])
			if err != nil {
				return nil, fmt.Errorf("keygen: webhook event %s payload item %d: %w", e.ID, i, err)
			}
			out = append(out, v)
		}
		return out, nil
	}
	res, err := doc.One()
	if err != nil {
		return nil, fmt.Errorf("keygen: webhook event %s payload: %w", e.ID, err)
	}
	v, err := decodePayloadResource(res)
	if err != nil {
		return nil, fmt.Errorf("keygen: webhook event %s payload: %w", e.ID, err)
	}
	return v, nil
}

func firstByte(b []byte) byte {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return c
	}
	return 0
}

func decodePayloadResource(r *jsonapi.Resource) (any, error) {
	switch r.Type {
	case "licenses":
		return decodeAs[License](r)
	case "machines":
		return decodeAs[Machine](r)
	case "users":
		return decodeAs[User](r)
	case "products":
		return decodeAs[Product](r)
	case "policies":
		return decodeAs[Policy](r)
	case "keys":
		return decodeAs[Key](r)
	case "tokens":
		return decodeAs[Token](r)
	case "license-files":
		return decodeAs[LicenseFile](r)
	case "machine-files":
		return decodeAs[MachineFile](r)
	case "webhook-endpoints":
		return decodeAs[WebhookEndpoint](r)
	case "environments":
		return decodeAs[Environment](r)
	}
	return &UnknownResource{Type: r.Type, ID: r.ID, Attributes: r.Attributes}, nil
}

// payloadAs decodes a single-resource payload of the wanted type; another type is an error,
// so a handler wired to the wrong event fails loudly instead of reading zero values.
func payloadAs[T any, PT resourcePtr[T]](e *WebhookEvent, typ string) (*T, error) {
	doc, err := e.payloadDoc()
	if err != nil {
		return nil, err
	}
	res, err := doc.One()
	if err != nil {
		return nil, fmt.Errorf("keygen: webhook event %s payload: %w", e.ID, err)
	}
	if res == nil {
		return nil, ErrNoPayload
	}
	if res.Type != typ {
		return nil, fmt.Errorf("keygen: webhook event %s (%s) payload is %s, not %s", e.ID, e.Event, res.Type, typ)
	}
	v, err := decodeAs[T, PT](res)
	if err != nil {
		return nil, fmt.Errorf("keygen: webhook event %s payload: %w", e.ID, err)
	}
	return v, nil
}

// PayloadLicense decodes the payload of a license.* event.
func (e *WebhookEvent) PayloadLicense() (*License, error) { return payloadAs[License](e, "licenses") }

// PayloadMachine decodes the payload of a machine.* event.
func (e *WebhookEvent) PayloadMachine() (*Machine, error) { return payloadAs[Machine](e, "machines") }

// PayloadUser decodes the payload of a user.* event.
func (e *WebhookEvent) PayloadUser() (*User, error) { return payloadAs[User](e, "users") }

// PayloadProduct decodes the payload of a product.* event.
func (e *WebhookEvent) PayloadProduct() (*Product, error) { return payloadAs[Product](e, "products") }

// PayloadPolicy decodes the payload of a policy.* event (but policy.pool.popped: PayloadKey).
func (e *WebhookEvent) PayloadPolicy() (*Policy, error) { return payloadAs[Policy](e, "policies") }

// PayloadKey decodes the payload of a key.* or policy.pool.popped event.
func (e *WebhookEvent) PayloadKey() (*Key, error) { return payloadAs[Key](e, "keys") }

// PayloadToken decodes the payload of a token.* event. Its Secret is always empty: Keygen
// never puts a token's secret in a webhook.
func (e *WebhookEvent) PayloadToken() (*Token, error) { return payloadAs[Token](e, "tokens") }

// PayloadMeta returns the payload's top-level meta: the validation result (valid, code,
// detail, ts, scope…) for license.validation.* events, passwordResetToken for
// user.password-reset. It is nil, with no error, when the payload has no meta, and
// ErrNoPayload when the event has no payload at all.
func (e *WebhookEvent) PayloadMeta() (map[string]any, error) {
	doc, err := e.payloadDoc()
	if err != nil {
		return nil, err
	}
	if len(doc.Meta) == 0 {
		return nil, nil
	}
	var m map[string]any
	if err := json.Unmarshal(doc.Meta, &m); err != nil {
		return nil, fmt.Errorf("keygen: webhook event %s payload meta: %w", e.ID, err)
	}
	return m, nil
}
