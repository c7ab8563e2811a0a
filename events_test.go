package keygen

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	testEventID   = "e1a2b3c4-d5e6-4f70-8192-a3b4c5d6e7f8"
	testLicenseID = "8c1f2a3b-4c5d-4e6f-9a0b-1c2d3e4f5a6b"
	testEventTok  = "d2a8c4e6f0b1d3e5a7c9e1f3b5d7f9a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9b1d3"
)

// compactFixture is testdata/<name> as one line of JSON, as Keygen renders a payload.
func compactFixture(t *testing.T, name string) string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, json.Compact(&b, fixture(t, name)))
	return b.String()
}

func assertValidationFailedEvent(t *testing.T, e *WebhookEvent) {
	t.Helper()
	assert.Equal(t, testEventID, e.ID)
	assert.Equal(t, "https://hooks.example.com/keygen?src=kg&v=2", e.Endpoint)
	assert.Equal(t, Ptr("1.8"), e.APIVersion)
	assert.Equal(t, compactFixture(t, "payload_license.json"), e.Payload)
	assert.Equal(t, EventLicenseValidationFailed, e.Event)
	assert.Equal(t, "DELIVERED", e.Status)
	assert.Equal(t, Ptr(200), e.LastResponseCode)
	assert.Equal(t, Ptr("ok"), e.LastResponseBody)
	assert.Equal(t, mustTime(t, "2024-05-04T12:00:02Z"), e.Created)
	assert.Equal(t, mustTime(t, "2024-05-04T12:00:03.75Z"), e.Updated)
	assert.Equal(t, testEventTok, e.IdempotencyToken)
	assert.Equal(t, testAccountID, e.AccountID)
	assert.Equal(t, "0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5", e.EnvironmentID)
}

// assertPayloadLicense checks every field of the license in payload_license.json.
func assertPayloadLicense(t *testing.T, l *License) {
	t.Helper()
	assert.Equal(t, testLicenseID, l.ID)
	assert.Equal(t, Ptr("Acme Pro"), l.Name)
	assert.Equal(t, "0D1F8A-5E2B7C-9A3D4F-6B8E1C-2F7A9D-V3", l.Key)
	assert.Equal(t, Ptr(mustTime(t, "2025-05-01T10:00:00Z")), l.Expiry)
	assert.Equal(t, "ACTIVE", l.Status)
	assert.Equal(t, 3, l.Uses)
	assert.False(t, l.Suspended)
	assert.Nil(t, l.Scheme)
	assert.False(t, l.Encrypted)
	assert.True(t, l.Strict)
	assert.True(t, l.Floating)
	assert.True(t, l.Protected)
	assert.Equal(t, Ptr("2.1.0"), l.Version)
	assert.Equal(t, Ptr(5), l.MaxMachines)
	assert.Nil(t, l.MaxProcesses)
	assert.Equal(t, Ptr(2), l.MaxUsers)
	assert.Equal(t, Ptr(16), l.MaxCores)
	assert.Equal(t, Ptr(int64(17179869184)), l.MaxMemory)
	assert.Equal(t, Ptr(int64(536870912000)), l.MaxDisk)
	assert.Equal(t, Ptr(100), l.MaxUses)
	assert.True(t, l.RequireHeartbeat)
	assert.False(t, l.RequireCheckIn)
	assert.Equal(t, Ptr(mustTime(t, "2024-05-04T12:00:01.5Z")), l.LastValidated)
	assert.Nil(t, l.LastCheckIn)
	assert.Nil(t, l.NextCheckIn)
	assert.Equal(t, Ptr(mustTime(t, "2024-05-02T09:30:00Z")), l.LastCheckOut)
	assert.Equal(t, []string{"license.validate", "machine.create"}, l.Permissions)
	assert.Equal(t, map[string]any{"customerId": "cus_42"}, l.Metadata)
	assert.Equal(t, mustTime(t, "2024-05-01T10:00:00Z"), l.Created)
	assert.Equal(t, mustTime(t, "2024-05-04T12:00:01.5Z"), l.Updated)
	assert.Equal(t, testProductID, l.ProductID)
	assert.Equal(t, "77aa1b2c-3d4e-4f5a-8b6c-7d8e9f0a1b2c", l.PolicyID)
	assert.Equal(t, "c0ffee00-1234-4abc-9def-0123456789ab", l.OwnerID)
	assert.Empty(t, l.GroupID)
	assert.Equal(t, testAccountID, l.AccountID)
	assert.Empty(t, l.EnvironmentID)
	assert.Equal(t, 2, l.MachineCount)
	assert.Equal(t, int64(12), l.MachineCores)
	assert.Equal(t, 2, l.UserCount)
}

func TestWebhookEventsGet(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "GET", path: "/webhook-events/" + testEventID, fixture: "webhook_event.json"})
	e, err := c.WebhookEvents.Get(context.Background(), testEventID)
	require.NoError(t, err)
	assertValidationFailedEvent(t, e)

	_, err = c.WebhookEvents.Get(context.Background(), "")
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Equal(t, 1, mt.GetTotalCallCount())
}

func TestWebhookEventsList(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "GET", path: "/webhook-events", query: url.Values{
		"events[]":     {EventLicenseValidationFailed, EventUserPasswordReset},
		"page[number]": {"1"},
		"page[size]":   {"2"},
	}, fixture: "webhook_events.json"})
	page, err := c.WebhookEvents.List(context.Background(), &WebhookEventListOptions{
		ListOptions: ListOptions{PageSize: 2, PageNumber: 1},
		Events:      []EventType{EventLicenseValidationFailed, EventUserPasswordReset},
	})
	require.NoError(t, err)
	require.Len(t, page.Data, 2)
	assertValidationFailedEvent(t, page.Data[0])

	failing := page.Data[1]
	assert.Equal(t, EventUserPasswordReset, failing.Event)
	assert.Equal(t, "FAILING", failing.Status)
	assert.Nil(t, failing.LastResponseCode)
	assert.Equal(t, Ptr("REQ_TIMEOUT"), failing.LastResponseBody)
	assert.Nil(t, failing.APIVersion)
	assert.Empty(t, failing.EnvironmentID)
	assert.Equal(t, "0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f0e9d", failing.IdempotencyToken)

	// Events are not counted: no totals, no first/last.
	assert.Zero(t, page.Pages)
	assert.Zero(t, page.Count)
	assert.Empty(t, page.Last)
	assert.True(t, page.HasNext())
}

func TestWebhookEventsListRejectsBadPaging(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	_, err := c.WebhookEvents.List(context.Background(), &WebhookEventListOptions{ListOptions: ListOptions{PageSize: 101}})
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Zero(t, mt.GetTotalCallCount())
}

func TestWebhookEventsAllKeepsFilter(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	calls := expect(t, mt, wire{method: "GET", path: "/webhook-events", query: url.Values{
		"events[]":     {EventUserPasswordReset},
		"page[number]": {"3"},
		"page[size]":   {"100"},
	}, fixture: "webhook_events.json"})
	// The fixture's next link points further; breaking out must stop the walk.
	n := 0
	for e, err := range c.WebhookEvents.All(context.Background(), &WebhookEventListOptions{
		ListOptions: ListOptions{PageNumber: 3}, Events: []EventType{EventUserPasswordReset},
	}) {
		require.NoError(t, err)
		require.NotNil(t, e)
		if n++; n == 2 {
			break
		}
	}
	assert.Equal(t, 1, *calls)
}

func TestWebhookEventsRetry(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	calls := expect(t, mt, wire{method: "POST", path: "/webhook-events/" + testEventID + "/actions/retry", status: 201, fixture: "webhook_event_retry.json"})
	e, err := c.WebhookEvents.Retry(context.Background(), testEventID)
	require.NoError(t, err)
	assert.Equal(t, 1, *calls)
	assert.Equal(t, "f0e1d2c3-b4a5-4968-8778-695a4b3c2d1e", e.ID)
	assert.Equal(t, "DELIVERING", e.Status)
	assert.Nil(t, e.LastResponseCode)
	assert.Nil(t, e.LastResponseBody)
	assert.Equal(t, testEventTok, e.IdempotencyToken, "a retry keeps the idempotency token")
	assert.Equal(t, EventLicenseValidationFailed, e.Event)

	_, err = c.WebhookEvents.Retry(context.Background(), "")
	require.ErrorIs(t, err, ErrInvalidArgument)
}

func TestWebhookEventsRetryEndpointGone(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	mt.RegisterResponder("POST", apiURL("/webhook-events/"+testEventID+"/actions/retry"),
		func(req *http.Request) (*http.Response, error) {
			return httpmock.NewStringResponse(422, `{"meta":{"id":"req-1"},"errors":[{"title":"Unprocessable entity","detail":"webhook event failed to retry"}]}`), nil
		})
	_, err := c.WebhookEvents.Retry(context.Background(), testEventID)
	require.ErrorIs(t, err, ErrUnprocessable)
	var apiErr *Error
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "webhook event failed to retry", apiErr.Errors[0].Detail)
}

func TestWebhookEventsDelete(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	calls := expect(t, mt, wire{method: "DELETE", path: "/webhook-events/" + testEventID, status: 204})
	require.NoError(t, c.WebhookEvents.Delete(context.Background(), testEventID))
	assert.Equal(t, 1, *calls)
	require.ErrorIs(t, c.WebhookEvents.Delete(context.Background(), "a/b"), ErrInvalidArgument)
	assert.Equal(t, 1, *calls)
}

func TestWebhookFixturesEmbedPayloads(t *testing.T) {
	t.Parallel()
	// The event fixtures carry the payload documents of testdata/payload_*.json, encoded as
	// a JSON string the way Keygen does: a second JSON encoding inside the first.
	var list struct {
		Data []struct {
			Attributes struct{ Payload string } `json:"attributes"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal(fixture(t, "webhook_events.json"), &list))
	require.Len(t, list.Data, 2)
	assert.Equal(t, compactFixture(t, "payload_license.json"), list.Data[0].Attributes.Payload)
	assert.Equal(t, compactFixture(t, "payload_user_password_reset.json"), list.Data[1].Attributes.Payload)
}

func TestWebhookEventDecodePayload(t *testing.T) {
	t.Parallel()
	e := &WebhookEvent{ID: testEventID, Event: EventLicenseValidationFailed, Payload: compactFixture(t, "payload_license.json")}
	v, err := e.DecodePayload()
	require.NoError(t, err)
	lic, ok := v.(*License)
	require.True(t, ok, "got %T", v)
	assertPayloadLicense(t, lic)

	lic, err = e.PayloadLicense()
	require.NoError(t, err)
	assertPayloadLicense(t, lic)

	meta, err := e.PayloadMeta()
	require.NoError(t, err)
	assert.Equal(t, map[string]any{
		"ts":     "2024-05-04T12:00:01.500Z",
		"valid":  false,
		"detail": "fingerprint is not activated (does not match any associated machines)",
		"code":   "FINGERPRINT_SCOPE_MISMATCH",
		"scope":  map[string]any{"fingerprint": "4a:1f:9c:22:e0:7b"},
	}, meta)

	// Asking for the wrong type is an error, not a zero value.
	_, err = e.PayloadMachine()
	require.ErrorContains(t, err, "payload is licenses, not machines")
}

func TestWebhookEventPasswordResetPayload(t *testing.T) {
	t.Parallel()
	e := &WebhookEvent{Event: EventUserPasswordReset, Payload: compactFixture(t, "payload_user_password_reset.json")}
	u, err := e.PayloadUser()
	require.NoError(t, err)
	assert.Equal(t, "c0ffee00-1234-4abc-9def-0123456789ab", u.ID)
	assert.Equal(t, Ptr("Ada Lovelace"), u.FullName)
	assert.Equal(t, Ptr("Ada"), u.FirstName)
	assert.Equal(t, Ptr("Lovelace"), u.LastName)
	assert.Equal(t, "ada@example.com", u.Email)
	assert.Equal(t, "ACTIVE", u.Status)
	assert.Equal(t, "user", u.Role)
	assert.Equal(t, []string{"license.read", "machine.create"}, u.Permissions)
	assert.Equal(t, map[string]any{}, u.Metadata)
	assert.Equal(t, mustTime(t, "2024-04-30T09:00:00Z"), u.Created)
	assert.Equal(t, mustTime(t, "2024-05-04T12:30:00Z"), u.Updated)
	assert.Empty(t, u.GroupID)
	assert.Equal(t, testAccountID, u.AccountID)
	assert.Empty(t, u.EnvironmentID)

	meta, err := e.PayloadMeta()
	require.NoError(t, err)
	assert.Equal(t, "3b0f2c1d9e8a7f6b5c4d3e2f1a0b9c8d", meta["passwordResetToken"])
}

func TestWebhookEventDecodePayloadTypes(t *testing.T) {
	t.Parallel()
	doc := func(typ string) string {
		return `{"data":{"id":"0a1b2c3d-0000-4000-8000-000000000001","type":"` + typ + `","attributes":{"created":"2024-05-01T10:00:00.000Z","updated":"2024-05-01T10:00:00.000Z"},"relationships":{"account":{"links":{"related":"/v1/accounts/` + testAccountID + `"},"data":{"type":"accounts","id":"` + testAccountID + `"}}}}}`
	}
	for typ, want := range map[string]any{
		"licenses": &License{}, "machines": &Machine{}, "users": &User{}, "products": &Product{},
		"policies": &Policy{}, "keys": &Key{}, "tokens": &Token{}, "license-files": &LicenseFile{},
		"machine-files": &MachineFile{}, "webhook-endpoints": &WebhookEndpoint{}, "environments": &Environment{},
		"releases": &UnknownResource{},
	} {
		e := &WebhookEvent{Payload: doc(typ)}
		v, err := e.DecodePayload()
		require.NoError(t, err, typ)
		assert.IsType(t, want, v, typ)
	}

	v, err := (&WebhookEvent{Payload: doc("releases")}).DecodePayload()
	require.NoError(t, err)
	assert.Equal(t, "releases", v.(*UnknownResource).Type)
	assert.JSONEq(t, `{"created":"2024-05-01T10:00:00.000Z","updated":"2024-05-01T10:00:00.000Z"}`, string(v.(*UnknownResource).Attributes))

	k, err := (&WebhookEvent{Event: EventPolicyPoolPopped, Payload: doc("keys")}).PayloadKey()
	require.NoError(t, err)
	assert.Equal(t, testAccountID, k.AccountID)
	for name, f := range map[string]func(*WebhookEvent) (any, error){
		"products": func(e *WebhookEvent) (any, error) { return e.PayloadProduct() },
		"policies": func(e *WebhookEvent) (any, error) { return e.PayloadPolicy() },
		"tokens":   func(e *WebhookEvent) (any, error) { return e.PayloadToken() },
		"machines": func(e *WebhookEvent) (any, error) { return e.PayloadMachine() },
	} {
		v, err := f(&WebhookEvent{Payload: doc(name)})
		require.NoError(t, err, name)
		assert.NotNil(t, v, name)
	}
}

func TestWebhookEventDecodePayloadList(t *testing.T) {
	t.Parallel()
	e := &WebhookEvent{Event: "license.users.attached", Payload: `{"data":[
		{"id":"u1","type":"users","attributes":{"email":"a@example.com","created":"2024-05-01T10:00:00.000Z","updated":"2024-05-01T10:00:00.000Z"}},
		{"id":"u2","type":"users","attributes":{"email":"b@example.com","created":"2024-05-01T10:00:00.000Z","updated":"2024-05-01T10:00:00.000Z"}}]}`}
	v, err := e.DecodePayload()
	require.NoError(t, err)
	list, ok := v.([]any)
	require.True(t, ok, "got %T", v)
	require.Len(t, list, 2)
	assert.Equal(t, "b@example.com", list[1].(*User).Email)
}

func TestWebhookEventNoPayload(t *testing.T) {
	t.Parallel()
	for _, p := range []string{"", `{"data":null}`} {
		e := &WebhookEvent{Payload: p}
		_, err := e.DecodePayload()
		require.ErrorIs(t, err, ErrNoPayload, "payload %q", p)
		_, err = e.PayloadLicense()
		require.ErrorIs(t, err, ErrNoPayload, "payload %q", p)
	}
	meta, err := (&WebhookEvent{Payload: `{"data":null}`}).PayloadMeta()
	require.NoError(t, err)
	assert.Nil(t, meta)

	_, err = (&WebhookEvent{Payload: `{"data":`}).DecodePayload()
	require.Error(t, err)
	require.NotErrorIs(t, err, ErrNoPayload)
}
