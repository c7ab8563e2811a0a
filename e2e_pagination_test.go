package keygen_test

import (
	"context"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	keygen "github.com/licensekit/keygen"
	"github.com/licensekit/keygen/keygentest"
)

// queryRecorder records the query of every request it passes on.
type queryRecorder struct {
	mu      sync.Mutex
	queries []url.Values
}

func (r *queryRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.queries = append(r.queries, req.URL.Query())
	r.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

func (r *queryRecorder) take() []url.Values {
	r.mu.Lock()
	defer r.mu.Unlock()
	q := r.queries
	r.queries = nil
	return q
}

// httpClientFunc is a RoundTripper made of a function.
type httpClientFunc func(*http.Request) (*http.Response, error)

func (f httpClientFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

// TestE2EAllPagesByCursor walks more records than offsets reach with small pages (§1.8:
// page[number] stops at 100), by keyset.
func TestE2EAllPagesByCursor(t *testing.T) {
	t.Parallel()
	e := newE2E(t)
	const total = 250
	newestFirst := make([]string, total)
	for i := range total {
		p, err := e.admin.Products.Create(e.ctx, keygen.ProductCreateOptions{Name: "P"})
		require.NoError(t, err)
		newestFirst[total-1-i] = p.ID
		e.srv.Advance(time.Millisecond) // distinct creation times make the order certain
	}
	rec := &queryRecorder{}
	c := e.client(keygen.WithToken(e.srv.AdminToken), keygen.WithHTTPClient(&http.Client{Transport: rec}))

	all := collect(t, c.Products.All(e.ctx, &keygen.ProductListOptions{ListOptions: keygen.ListOptions{PageSize: 100}}))
	assert.Equal(t, newestFirst, ids(all, func(p *keygen.Product) string { return p.ID }))
	qs := rec.take()
	require.Len(t, qs, 3, "250 records, 100 per page")
	for i, want := range []string{"", newestFirst[99], newestFirst[199]} {
		assert.Equal(t, url.Values{"page[cursor]": {want}, "page[size]": {"100"}}, qs[i], "request %d", i)
	}

	// Oldest first: the same records reversed, still by cursor.
	asc := collect(t, c.Products.All(e.ctx, &keygen.ProductListOptions{ListOptions: keygen.ListOptions{PageSize: 100, Ascending: true}}))
	require.Len(t, asc, total)
	for i, p := range asc {
		require.Equal(t, newestFirst[total-1-i], p.ID, "record %d", i)
	}
	assert.Len(t, rec.take(), 3)

	// 125 pages of 2 are more than offsets reach: started at page 99 by number, the walk
	// goes on past page 100 by cursor, in the same order, without a gap or a repeat.
	deep := collect(t, c.Products.All(e.ctx, &keygen.ProductListOptions{ListOptions: keygen.ListOptions{PageSize: 2, PageNumber: 99}}))
	assert.Equal(t, newestFirst[196:], ids(deep, func(p *keygen.Product) string { return p.ID }))
	qs = rec.take()
	require.Len(t, qs, 2+(total-200)/2)
	assert.Equal(t, url.Values{"page[number]": {"99"}, "page[size]": {"2"}}, qs[0])
	assert.Equal(t, url.Values{"page[number]": {"100"}, "page[size]": {"2"}}, qs[1])
	assert.Equal(t, url.Values{"page[cursor]": {newestFirst[199]}, "page[size]": {"2"}}, qs[2])

	// List itself refuses page 101 before any request, as Keygen would with a 400.
	_, err := c.Products.List(e.ctx, &keygen.ProductListOptions{ListOptions: keygen.ListOptions{PageSize: 2, PageNumber: 101}})
	require.ErrorIs(t, err, keygen.ErrInvalidArgument)
	assert.Empty(t, rec.take())
}

// TestE2EWebhookEventsAllByCursor lists uncounted webhook events by keyset, in both orders
// and with an event filter.
func TestE2EWebhookEventsAllByCursor(t *testing.T) {
	t.Parallel()
	// Deliveries are answered in process: this test needs events, not network.
	received := httpClientFunc(func(req *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: http.StatusNoContent, Body: http.NoBody, Request: req}, nil
	})
	srv := keygentest.NewServer(keygentest.WithWebhookHTTPClient(&http.Client{Transport: received}))
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	e := &e2e{t: t, ctx: ctx, srv: srv, admin: srv.Client(keygen.WithoutRetries())}
	_, err := e.admin.Webhooks.Create(e.ctx, keygen.WebhookCreateOptions{URL: "https://example.com/hooks"})
	require.NoError(t, err)
	var products []string
	for range 5 {
		products = append(products, e.product("P").ID)
		e.srv.Advance(time.Second)
	}
	pol := e.policy(keygen.PolicyCreateOptions{ProductID: products[0]})
	e.srv.Advance(time.Second)

	page, err := e.admin.WebhookEvents.List(e.ctx, &keygen.WebhookEventListOptions{ListOptions: keygen.ListOptions{Limit: 100}})
	require.NoError(t, err)
	newestFirst := ids(page.Data, func(ev *keygen.WebhookEvent) string { return ev.ID })
	require.Len(t, newestFirst, 6, "five product.created and one policy.created")

	all := collect(t, e.admin.WebhookEvents.All(e.ctx, &keygen.WebhookEventListOptions{ListOptions: keygen.ListOptions{PageSize: 2}}))
	assert.Equal(t, newestFirst, ids(all, func(ev *keygen.WebhookEvent) string { return ev.ID }))

	asc := collect(t, e.admin.WebhookEvents.All(e.ctx, &keygen.WebhookEventListOptions{ListOptions: keygen.ListOptions{PageSize: 4, Ascending: true}}))
	require.Len(t, asc, len(newestFirst))
	for i, ev := range asc {
		assert.Equal(t, newestFirst[len(newestFirst)-1-i], ev.ID)
	}

	created := collect(t, e.admin.WebhookEvents.All(e.ctx, &keygen.WebhookEventListOptions{
		ListOptions: keygen.ListOptions{PageSize: 2},
		Events:      []keygen.EventType{keygen.EventProductCreated},
	}))
	require.Len(t, created, 5)
	for i, ev := range created {
		assert.Equal(t, keygen.EventProductCreated, ev.Event)
		p, err := ev.PayloadProduct()
		require.NoError(t, err)
		assert.Equal(t, products[len(products)-1-i], p.ID, "newest first")
	}
	policies := collect(t, e.admin.WebhookEvents.All(e.ctx, &keygen.WebhookEventListOptions{Events: []keygen.EventType{keygen.EventPolicyCreated}}))
	require.Len(t, policies, 1)
	got, err := policies[0].PayloadPolicy()
	require.NoError(t, err)
	assert.Equal(t, pol.ID, got.ID)
}
