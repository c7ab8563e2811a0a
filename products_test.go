package keygen

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func assertCoolApp(t *testing.T, p *Product) {
	t.Helper()
	assert.Equal(t, "2313b7e7-1ea6-4a01-901e-2931de6bb1e2", p.ID)
	assert.Equal(t, "Cool App", p.Name)
	assert.Equal(t, Ptr("cool-app"), p.Code)
	assert.Equal(t, "LICENSED", p.DistributionStrategy)
	assert.Equal(t, Ptr("https://example.com/cool"), p.URL)
	assert.Equal(t, []string{"macOS", "Windows"}, p.Platforms)
	assert.Equal(t, []string{"license.validate", "machine.create"}, p.Permissions)
	assert.Equal(t, map[string]any{"tier": "gold", "seats": float64(5)}, p.Metadata)
	assert.Equal(t, mustTime(t, "2024-05-01T10:00:00Z"), p.Created)
	assert.Equal(t, mustTime(t, "2024-05-02T11:30:15.25Z"), p.Updated)
	assert.Equal(t, "4f2d6e0a-0f0b-4f7e-9d3c-6c1f4d2b8a11", p.AccountID)
	assert.Empty(t, p.EnvironmentID)
}

func TestProductsCreate(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	calls := expect(t, mt, wire{method: "POST", path: "/products", golden: "products_create.json", status: 201, fixture: "product.json"})
	p, err := c.Products.Create(context.Background(), ProductCreateOptions{
		Name: "Cool App", Code: "cool-app", URL: "https://example.com/cool?a=1&b=2",
		Platforms: []string{"macOS", "Windows"}, Metadata: map[string]any{"tier": "gold"},
	})
	require.NoError(t, err)
	assert.Equal(t, 1, *calls)
	assertCoolApp(t, p)
}

func TestProductsCreateRequiresName(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	_, err := c.Products.Create(context.Background(), ProductCreateOptions{})
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Zero(t, mt.GetTotalCallCount())
}

func TestProductsGet(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "GET", path: "/products/cool-app", fixture: "product.json"})
	p, err := c.Products.Get(context.Background(), "cool-app")
	require.NoError(t, err)
	assertCoolApp(t, p)

	_, err = c.Products.Get(context.Background(), "")
	require.ErrorIs(t, err, ErrInvalidArgument)
}

func TestProductsUpdate(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "PATCH", path: "/products/2313b7e7-1ea6-4a01-901e-2931de6bb1e2", golden: "products_update.json", fixture: "product.json"})
	p, err := c.Products.Update(context.Background(), "2313b7e7-1ea6-4a01-901e-2931de6bb1e2", ProductUpdateOptions{
		Name: Ptr("Cool App"),
		URL:  Null[string](), // clear it
		Code: Ptr("cool-app"),
	})
	require.NoError(t, err)
	assertCoolApp(t, p)
}

func TestProductsDelete(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	calls := expect(t, mt, wire{method: "DELETE", path: "/products/2313b7e7-1ea6-4a01-901e-2931de6bb1e2", status: 204})
	require.NoError(t, c.Products.Delete(context.Background(), "2313b7e7-1ea6-4a01-901e-2931de6bb1e2"))
	assert.Equal(t, 1, *calls)
}

func TestProductsList(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "GET", path: "/products", query: url.Values{"page[number]": {"1"}, "page[size]": {"2"}}, fixture: "products.json"})
	page, err := c.Products.List(context.Background(), &ProductListOptions{ListOptions{PageSize: 2, PageNumber: 1}})
	require.NoError(t, err)
	require.Len(t, page.Data, 2)
	assert.Equal(t, "Other App", page.Data[1].Name)
	assert.Nil(t, page.Data[0].Code)
	assert.Equal(t, []string{}, page.Data[1].Platforms)
	assert.Equal(t, map[string]any{}, page.Data[0].Metadata)
	assert.Equal(t, 2, page.Pages)
	assert.Equal(t, 3, page.Count)
	assert.Equal(t, "/v1/accounts/acme/products?page%5Bnumber%5D=2&page%5Bsize%5D=2", page.Next)
	assert.Empty(t, page.Prev)
	assert.True(t, page.HasNext())
}

func TestProductsGenerateToken(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	calls := expect(t, mt, wire{
		method: "POST", path: "/products/2313b7e7-1ea6-4a01-901e-2931de6bb1e2/tokens",
		golden: "products_generate_token.json", fixture: "token_product.json", // 200, not 201
	})
	tok, err := c.Products.GenerateToken(context.Background(), "2313b7e7-1ea6-4a01-901e-2931de6bb1e2", &ProductTokenOptions{
		Name:        "Billing backend",
		Expiry:      Null[time.Time](), // never
		Permissions: []string{"license.create", "license.read"},
	})
	require.NoError(t, err)
	assert.Equal(t, 1, *calls)
	assert.Equal(t, "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b", tok.ID)
	assert.Equal(t, "product-token", tok.Kind)
	assert.Equal(t, "prod-9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8bv3", tok.Secret)
	assert.Equal(t, Ptr("Billing backend"), tok.Name)
	assert.Nil(t, tok.Expiry)
	assert.Equal(t, []string{"license.create", "license.read"}, tok.Permissions)
	assert.Equal(t, "products", tok.BearerType)
	assert.Equal(t, "2313b7e7-1ea6-4a01-901e-2931de6bb1e2", tok.BearerID)
	assert.Equal(t, "4f2d6e0a-0f0b-4f7e-9d3c-6c1f4d2b8a11", tok.AccountID)
}

func TestProductsGenerateTokenNilOptionsSendsNoBody(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	calls := expect(t, mt, wire{method: "POST", path: "/products/cool-app/tokens", fixture: "token_product.json"})
	_, err := c.Products.GenerateToken(context.Background(), "cool-app", nil)
	require.NoError(t, err)
	_, err = c.Products.GenerateToken(context.Background(), "cool-app", &ProductTokenOptions{})
	require.NoError(t, err)
	assert.Equal(t, 2, *calls)
}

func TestProductsGenerateTokenNeedsAnID(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	for _, id := range []string{"", "  ", "a/b"} {
		_, err := c.Products.GenerateToken(context.Background(), id, nil)
		require.ErrorIs(t, err, ErrInvalidArgument, "%q", id)
	}
	assert.Zero(t, mt.GetTotalCallCount())
}
