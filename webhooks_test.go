package keygen

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	testEndpointID = "9a3f5c1e-6b7d-4e2a-8f90-1c2d3e4f5a6b"
	testAccountID  = "4f2d6e0a-0f0b-4f7e-9d3c-6c1f4d2b8a11"
)

func assertHooksEndpoint(t *testing.T, w *WebhookEndpoint) {
	t.Helper()
	assert.Equal(t, testEndpointID, w.ID)
	assert.Equal(t, "https://hooks.example.com/keygen?src=kg&v=2", w.URL)
	assert.Equal(t, []string{EventLicenseCreated, EventLicenseValidationFailed, EventMachineHeartbeatDead}, w.Subscriptions)
	assert.Equal(t, "ed25519", w.SignatureAlgorithm)
	assert.Equal(t, "1.8", w.APIVersion)
	assert.Equal(t, mustTime(t, "2024-05-01T10:00:00Z"), w.Created)
	assert.Equal(t, mustTime(t, "2024-05-03T08:15:30.125Z"), w.Updated)
	assert.Equal(t, testProductID, w.ProductID)
	assert.Equal(t, testAccountID, w.AccountID)
	assert.Equal(t, "0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5", w.EnvironmentID)
}

func TestWebhooksCreate(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	calls := expect(t, mt, wire{method: "POST", path: "/webhook-endpoints", golden: "webhooks_create.json", status: 201, fixture: "webhook_endpoint.json"})
	w, err := c.Webhooks.Create(context.Background(), WebhookCreateOptions{
		URL:                "https://hooks.example.com/keygen?src=kg&v=2",
		Subscriptions:      []EventType{EventLicenseCreated, EventLicenseValidationFailed, EventMachineHeartbeatDead},
		SignatureAlgorithm: "ed25519",
		APIVersion:         "1.8",
		ProductID:          testProductID,
	})
	require.NoError(t, err)
	assert.Equal(t, 1, *calls)
	assertHooksEndpoint(t, w)
}

func TestWebhooksCreateMinimal(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "POST", path: "/webhook-endpoints", golden: "webhooks_create_minimal.json", status: 201, fixture: "webhook_endpoint.json"})
	_, err := c.Webhooks.Create(context.Background(), WebhookCreateOptions{URL: "https://hooks.example.com/keygen"})
	require.NoError(t, err)
}

func TestWebhooksCreateChecksURL(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	for _, u := range []string{"", "ftp://hooks.example.com/keygen", "hooks.example.com/keygen", "https:///path", "https://exa mple.com/%zz"} {
		_, err := c.Webhooks.Create(context.Background(), WebhookCreateOptions{URL: u})
		require.ErrorIs(t, err, ErrInvalidArgument, "URL %q", u)
	}
	_, err := c.Webhooks.Update(context.Background(), testEndpointID, WebhookUpdateOptions{URL: Ptr("mailto:hooks@example.com")})
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Zero(t, mt.GetTotalCallCount())
}

func TestWebhooksGet(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "GET", path: "/webhook-endpoints/" + testEndpointID, fixture: "webhook_endpoint.json"})
	w, err := c.Webhooks.Get(context.Background(), testEndpointID)
	require.NoError(t, err)
	assertHooksEndpoint(t, w)

	_, err = c.Webhooks.Get(context.Background(), "")
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Equal(t, 1, mt.GetTotalCallCount())
}

func TestWebhooksUpdate(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "PATCH", path: "/webhook-endpoints/" + testEndpointID, golden: "webhooks_update.json", fixture: "webhook_endpoint.json"})
	w, err := c.Webhooks.Update(context.Background(), testEndpointID, WebhookUpdateOptions{
		URL:           Ptr("https://hooks.example.com/keygen?src=kg&v=2"),
		Subscriptions: []EventType{EventAll},
		APIVersion:    Ptr("1.8"),
		ProductID:     Null[string](), // detach from the product
	})
	require.NoError(t, err)
	assertHooksEndpoint(t, w)
}

func TestWebhooksUpdateSetsProduct(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "PATCH", path: "/webhook-endpoints/" + testEndpointID, golden: "webhooks_update_product.json", fixture: "webhook_endpoint.json"})
	_, err := c.Webhooks.Update(context.Background(), testEndpointID, WebhookUpdateOptions{
		SignatureAlgorithm: Ptr("ed25519"),
		ProductID:          Set(testProductID),
	})
	require.NoError(t, err)

	_, err = c.Webhooks.Update(context.Background(), testEndpointID, WebhookUpdateOptions{ProductID: Set("")})
	require.ErrorIs(t, err, ErrInvalidArgument)
	_, err = c.Webhooks.Update(context.Background(), " ", WebhookUpdateOptions{})
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Equal(t, 1, mt.GetTotalCallCount())
}

func TestWebhooksDelete(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	calls := expect(t, mt, wire{method: "DELETE", path: "/webhook-endpoints/" + testEndpointID, status: 204})
	require.NoError(t, c.Webhooks.Delete(context.Background(), testEndpointID))
	assert.Equal(t, 1, *calls)
	require.ErrorIs(t, c.Webhooks.Delete(context.Background(), ""), ErrInvalidArgument)
	assert.Equal(t, 1, *calls)
}

func TestWebhooksList(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "GET", path: "/webhook-endpoints", query: url.Values{"page[number]": {"1"}, "page[size]": {"2"}}, fixture: "webhook_endpoints.json"})
	page, err := c.Webhooks.List(context.Background(), &WebhookListOptions{ListOptions{PageSize: 2}})
	require.NoError(t, err)
	require.Len(t, page.Data, 2)
	assert.Equal(t, "https://hooks.example.com/keygen?src=kg&v=2", page.Data[0].URL)
	assert.Empty(t, page.Data[0].EnvironmentID)
	old := page.Data[1]
	assert.Equal(t, "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9", old.ID)
	assert.Equal(t, []string{}, old.Subscriptions, "a disabled endpoint has no subscriptions")
	assert.Equal(t, "rsa-pss-sha256", old.SignatureAlgorithm)
	assert.Equal(t, "1.5", old.APIVersion)
	assert.Empty(t, old.ProductID)
	assert.Equal(t, 2, page.Pages)
	assert.Equal(t, 3, page.Count)
	assert.True(t, page.HasNext())
	assert.Equal(t, "/v1/accounts/"+testAccountID+"/webhook-endpoints?page%5Bnumber%5D=2&page%5Bsize%5D=2", page.Next)
}

func TestWebhooksListNilOptions(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	calls := expect(t, mt, wire{method: "GET", path: "/webhook-endpoints", fixture: "webhook_endpoints.json"})
	_, err := c.Webhooks.List(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, 1, *calls)
}

func TestWebhooksAll(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	// The fixture says a next page exists; the second page is empty, which ends the walk.
	var pages []string
	mt.RegisterResponder("GET", apiURL("/webhook-endpoints"), func(req *http.Request) (*http.Response, error) {
		require.True(t, req.URL.Query().Has("page[cursor]"), "All pages by keyset")
		pages = append(pages, req.URL.Query().Get("page[cursor]"))
		assert.Equal(t, "100", req.URL.Query().Get("page[size]"))
		if len(pages) == 1 {
			return httpmock.NewBytesResponse(200, fixture(t, "webhook_endpoints.json")), nil
		}
		return httpmock.NewStringResponse(200, `{"data":[],"links":{"self":"x","next":null}}`), nil
	})
	var ids []string
	for w, err := range c.Webhooks.All(context.Background(), nil) {
		require.NoError(t, err)
		ids = append(ids, w.ID)
	}
	assert.Equal(t, []string{testEndpointID, "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9"}, ids)
	assert.Equal(t, []string{"", "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9"}, pages, "the second cursor is the last id seen")
}

func TestWebhookURLErrorsDoNotEchoTheURL(t *testing.T) {
	t.Parallel()
	c, _ := newTestClient(t)
	_, err := c.Webhooks.Create(context.Background(), WebhookCreateOptions{URL: "https://hooks.example.com/k%zz?token=s3cret"})
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.NotContains(t, err.Error(), "s3cret")
	_, err = c.Webhooks.Create(context.Background(), WebhookCreateOptions{URL: "ftp://hooks.example.com/k"})
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Contains(t, err.Error(), "https")
}
