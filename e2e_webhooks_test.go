// Webhook endpoint and event routes are being added to keygentest; remove the build tag
// once they land.

package keygen_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	keygen "github.com/licensekit/keygen"
)

func TestE2EWebhookEndpoints(t *testing.T) {
	t.Parallel()
	e := newE2E(t)
	prod := e.product("App")

	// Defaults: all events, ed25519, the request's API version (keygen-sh/keygen-api,
	// db/schema.rb and app/controllers/api/v1/webhook_endpoints_controller.rb).
	all, err := e.admin.Webhooks.Create(e.ctx, keygen.WebhookCreateOptions{URL: "https://hooks.example.com/keygen"})
	require.NoError(t, err)
	assert.Len(t, all.ID, 36)
	assert.Equal(t, "https://hooks.example.com/keygen", all.URL)
	assert.Equal(t, []string{keygen.EventAll}, all.Subscriptions)
	assert.Equal(t, "ed25519", all.SignatureAlgorithm)
	assert.Equal(t, "1.8", all.APIVersion)
	assert.Empty(t, all.ProductID)
	assert.Equal(t, e.srv.AccountID, all.AccountID)
	recent(t, all.Created, 0)

	scoped, err := e.admin.Webhooks.Create(e.ctx, keygen.WebhookCreateOptions{
		URL: "https://hooks.example.com/licenses?src=kg", Subscriptions: []keygen.EventType{keygen.EventLicenseCreated, keygen.EventLicenseDeleted},
		ProductID: prod.ID,
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"license.created", "license.deleted"}, scoped.Subscriptions)
	assert.Equal(t, prod.ID, scoped.ProductID)

	got, err := e.admin.Webhooks.Get(e.ctx, scoped.ID)
	require.NoError(t, err)
	assert.Equal(t, scoped, got)

	up, err := e.admin.Webhooks.Update(e.ctx, scoped.ID, keygen.WebhookUpdateOptions{
		Subscriptions: []keygen.EventType{keygen.EventMachineCreated}, ProductID: keygen.Null[string](),
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"machine.created"}, up.Subscriptions)
	assert.Empty(t, up.ProductID)
	assert.Equal(t, scoped.URL, up.URL)

	page, err := e.admin.Webhooks.List(e.ctx, nil)
	require.NoError(t, err)
	assert.Len(t, page.Data, 2)
	everything := collect(t, e.admin.Webhooks.All(e.ctx, &keygen.WebhookListOptions{ListOptions: keygen.ListOptions{PageSize: 1}}))
	assert.ElementsMatch(t, []string{all.ID, scoped.ID}, ids(everything, func(w *keygen.WebhookEndpoint) string { return w.ID }))

	// Errors (§2.9).
	_, err = e.admin.Webhooks.Create(e.ctx, keygen.WebhookCreateOptions{URL: "https://hooks.example.com/x", Subscriptions: []keygen.EventType{"no.such.event"}})
	errWithCode(t, err, 422, "SUBSCRIPTIONS_NOT_ALLOWED", "/data/attributes/subscriptions")
	_, err = e.admin.Webhooks.Create(e.ctx, keygen.WebhookCreateOptions{URL: "https://hooks.example.com/x", Subscriptions: []keygen.EventType{}})
	errWithCode(t, err, 422, "SUBSCRIPTIONS_TOO_SHORT", "/data/attributes/subscriptions")
	_, err = e.admin.Webhooks.Create(e.ctx, keygen.WebhookCreateOptions{URL: "https://hooks.example.com/x", SignatureAlgorithm: "md5"})
	errWithCode(t, err, 422, "SIGNATURE_ALGORITHM_NOT_ALLOWED", "/data/attributes/signatureAlgorithm")
	// A user token may not manage endpoints (§1.15).
	_, tok := e.user("alice@example.com", "alice-pass")
	_, err = e.tokenClient(tok.Secret).Webhooks.Create(e.ctx, keygen.WebhookCreateOptions{URL: "https://hooks.example.com/x"})
	apiErr(t, err, 403)

	require.NoError(t, e.admin.Webhooks.Delete(e.ctx, scoped.ID))
	_, err = e.admin.Webhooks.Get(e.ctx, scoped.ID)
	errWithCode(t, err, 404, keygen.CodeNotFound, "")
}

func TestE2EWebhookEvents(t *testing.T) {
	t.Parallel()
	e := newE2E(t)
	ep, err := e.admin.Webhooks.Create(e.ctx, keygen.WebhookCreateOptions{URL: "https://hooks.example.com/keygen"})
	require.NoError(t, err)

	// Operations emit events to subscribed endpoints (§5).
	prod := e.product("Evented")
	pol := e.policy(keygen.PolicyCreateOptions{ProductID: prod.ID})
	lic, err := e.admin.Licenses.Create(e.ctx, keygen.LicenseCreateOptions{PolicyID: pol.ID})
	require.NoError(t, err)
	_, err = e.client().Licenses.ValidateKey(e.ctx, lic.Key, nil)
	require.NoError(t, err)
	alice, _ := e.user("alice@example.com", "alice-pass")

	page, err := e.admin.WebhookEvents.List(e.ctx, &keygen.WebhookEventListOptions{Events: []keygen.EventType{keygen.EventProductCreated}})
	require.NoError(t, err)
	require.Len(t, page.Data, 1)
	ev := page.Data[0]
	assert.Equal(t, keygen.EventProductCreated, ev.Event)
	assert.Equal(t, ep.URL, ev.Endpoint)
	require.NotNil(t, ev.APIVersion)
	assert.Equal(t, "1.8", *ev.APIVersion)
	assert.Len(t, ev.IdempotencyToken, 64)
	assert.Contains(t, []string{"DELIVERING", "DELIVERED", "FAILING", "FAILED"}, ev.Status)
	pp, err := ev.PayloadProduct()
	require.NoError(t, err)
	assert.Equal(t, prod.ID, pp.ID)
	assert.Equal(t, "Evented", pp.Name)

	got, err := e.admin.WebhookEvents.Get(e.ctx, ev.ID)
	require.NoError(t, err)
	assert.Equal(t, ev.ID, got.ID)
	assert.Equal(t, ev.Payload, got.Payload)

	// Validation events carry the validation meta; token events never carry the secret.
	vp, err := e.admin.WebhookEvents.List(e.ctx, &keygen.WebhookEventListOptions{Events: []keygen.EventType{keygen.EventLicenseValidationSucceeded}})
	require.NoError(t, err)
	require.Len(t, vp.Data, 1)
	meta, err := vp.Data[0].PayloadMeta()
	require.NoError(t, err)
	assert.Equal(t, "VALID", meta["code"])
	assert.Equal(t, true, meta["valid"])
	pl, err := vp.Data[0].PayloadLicense()
	require.NoError(t, err)
	assert.Equal(t, lic.ID, pl.ID)
	tp, err := e.admin.WebhookEvents.List(e.ctx, &keygen.WebhookEventListOptions{Events: []keygen.EventType{keygen.EventTokenGenerated}})
	require.NoError(t, err)
	require.NotEmpty(t, tp.Data)
	tok, err := tp.Data[0].PayloadToken()
	require.NoError(t, err)
	assert.Empty(t, tok.Secret)
	assert.Equal(t, alice.ID, tok.BearerID)

	// The password-reset event is the only way to learn the reset token (§2.5).
	require.NoError(t, e.client().Users.RequestPasswordReset(e.ctx, "alice@example.com", false))
	rp, err := e.admin.WebhookEvents.List(e.ctx, &keygen.WebhookEventListOptions{Events: []keygen.EventType{keygen.EventUserPasswordReset}})
	require.NoError(t, err)
	require.Len(t, rp.Data, 1)
	rmeta, err := rp.Data[0].PayloadMeta()
	require.NoError(t, err)
	resetToken, _ := rmeta["passwordResetToken"].(string)
	require.NotEmpty(t, resetToken)
	_, err = e.client().Users.ResetPassword(e.ctx, alice.ID, resetToken, "brand-new-pass")
	require.NoError(t, err)
	_, err = e.client().Tokens.Generate(e.ctx, "alice@example.com", "brand-new-pass", nil)
	require.NoError(t, err)

	// Events are not counted: no Count/Last (§1.8).
	counted, err := e.admin.WebhookEvents.List(e.ctx, &keygen.WebhookEventListOptions{ListOptions: keygen.ListOptions{PageSize: 2}})
	require.NoError(t, err)
	assert.Len(t, counted.Data, 2)
	assert.Zero(t, counted.Count)
	assert.Empty(t, counted.Last)
	assert.True(t, counted.HasNext())
	allEvents := collect(t, e.admin.WebhookEvents.All(e.ctx, &keygen.WebhookEventListOptions{ListOptions: keygen.ListOptions{PageSize: 2}}))
	assert.Greater(t, len(allEvents), 5)

	// Retry: a new event with the same payload and idempotency token (201, §2.10).
	re, err := e.admin.WebhookEvents.Retry(e.ctx, ev.ID)
	require.NoError(t, err)
	assert.NotEqual(t, ev.ID, re.ID)
	assert.Equal(t, ev.IdempotencyToken, re.IdempotencyToken)
	assert.Equal(t, ev.Payload, re.Payload)
	assert.Equal(t, ev.Event, re.Event)

	require.NoError(t, e.admin.WebhookEvents.Delete(e.ctx, ev.ID))
	_, err = e.admin.WebhookEvents.Get(e.ctx, ev.ID)
	errWithCode(t, err, 404, keygen.CodeNotFound, "")

	// Retrying an event whose endpoint is gone: 422.
	require.NoError(t, e.admin.Webhooks.Delete(e.ctx, ep.ID))
	_, err = e.admin.WebhookEvents.Retry(e.ctx, re.ID)
	apiErr(t, err, 422)
}
