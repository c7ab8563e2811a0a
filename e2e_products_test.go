package keygen_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	keygen "github.com/licensekit/keygen"
)

func TestE2EProductsCRUD(t *testing.T) {
	t.Parallel()
	e := newE2E(t)

	// distributionStrategy defaults to LICENSED, code and url are null, metadata is {} when
	// empty (keygen-sh/keygen-api, app/models/product.rb); every resource has the account
	// relationship.
	p, err := e.admin.Products.Create(e.ctx, keygen.ProductCreateOptions{Name: "Desktop App"})
	require.NoError(t, err)
	assert.Len(t, p.ID, 36)
	assert.Equal(t, "Desktop App", p.Name)
	assert.Nil(t, p.Code)
	assert.Nil(t, p.URL)
	assert.Equal(t, "LICENSED", p.DistributionStrategy)
	assert.NotNil(t, p.Metadata)
	assert.Empty(t, p.Metadata)
	assert.Equal(t, e.srv.AccountID, p.AccountID)
	recent(t, p.Created, 0)
	assert.Equal(t, p.Created, p.Updated)

	full, err := e.admin.Products.Create(e.ctx, keygen.ProductCreateOptions{
		Name:                 "Server",
		Code:                 "server",
		DistributionStrategy: "OPEN",
		URL:                  "https://example.com/server",
		Platforms:            []string{"linux", "darwin"},
		// Keys are snake_cased on the way in and lowerCamelCased on the way out (§1.2).
		Metadata: map[string]any{"maxSeats": 5, "tier": "gold"},
	})
	require.NoError(t, err)
	require.NotNil(t, full.Code)
	assert.Equal(t, "server", *full.Code)
	assert.Equal(t, "OPEN", full.DistributionStrategy)
	require.NotNil(t, full.URL)
	assert.Equal(t, "https://example.com/server", *full.URL)
	assert.Equal(t, []string{"linux", "darwin"}, full.Platforms)
	assert.Equal(t, map[string]any{"maxSeats": float64(5), "tier": "gold"}, full.Metadata)

	// Get by id and by its code alias (§1.1).
	got, err := e.admin.Products.Get(e.ctx, full.ID)
	require.NoError(t, err)
	assert.Equal(t, full, got)
	byCode, err := e.admin.Products.Get(e.ctx, "server")
	require.NoError(t, err)
	assert.Equal(t, full.ID, byCode.ID)

	// Update: set, clear to null and leave unchanged.
	e.srv.Advance(time.Second)
	up, err := e.admin.Products.Update(e.ctx, full.ID, keygen.ProductUpdateOptions{
		Name: keygen.Ptr("Server Edition"),
		// §2.2: only distributionStrategy and url are nullable on update; code is not.
		Code:     keygen.Ptr("server-ed"),
		URL:      keygen.Null[string](),
		Metadata: map[string]any{"tier": "platinum"},
	})
	require.NoError(t, err)
	assert.Equal(t, "Server Edition", up.Name)
	require.NotNil(t, up.Code)
	assert.Equal(t, "server-ed", *up.Code)
	assert.Nil(t, up.URL)
	assert.Equal(t, "OPEN", up.DistributionStrategy, "unchanged")
	assert.Equal(t, []string{"linux", "darwin"}, up.Platforms, "unchanged")
	assert.Equal(t, map[string]any{"tier": "platinum"}, up.Metadata)
	assert.True(t, up.Updated.After(full.Updated), "updated moves forward")
	assert.Equal(t, full.Created, up.Created)

	_, err = e.admin.Products.Get(e.ctx, "server")
	errWithCode(t, err, 404, "NOT_FOUND", "")

	require.NoError(t, e.admin.Products.Delete(e.ctx, full.ID))
	_, err = e.admin.Products.Get(e.ctx, full.ID)
	apiErr(t, err, 404)
	assert.True(t, errors.Is(err, keygen.ErrNotFound))
	err = e.admin.Products.Delete(e.ctx, full.ID)
	errWithCode(t, err, 404, keygen.CodeNotFound, "")
}

func TestE2EProductsErrors(t *testing.T) {
	t.Parallel()
	e := newE2E(t)
	_, err := e.admin.Products.Create(e.ctx, keygen.ProductCreateOptions{Name: "One", Code: "app"})
	require.NoError(t, err)

	// Codes are unique per account, case-insensitively (§2.2).
	_, err = e.admin.Products.Create(e.ctx, keygen.ProductCreateOptions{Name: "Two", Code: "APP"})
	o := errWithCode(t, err, 422, "CODE_TAKEN", "/data/attributes/code")
	assert.True(t, errors.Is(err, keygen.ErrUnprocessable))
	assert.NotEmpty(t, o.Detail)

	_, err = e.admin.Products.Create(e.ctx, keygen.ProductCreateOptions{Name: "Three", DistributionStrategy: "FREE"})
	errWithCode(t, err, 422, "DISTRIBUTION_STRATEGY_NOT_ALLOWED", "/data/attributes/distributionStrategy")

	// An empty name on update is refused by typed params (§1.2: 400 "cannot be blank").
	p, err := e.admin.Products.Create(e.ctx, keygen.ProductCreateOptions{Name: "Four"})
	require.NoError(t, err)
	_, err = e.admin.Products.Update(e.ctx, p.ID, keygen.ProductUpdateOptions{Name: keygen.Ptr("")})
	blank := apiErr(t, err, 400)
	assert.Equal(t, "cannot be blank", blank.Errors[0].Detail)
	assert.Equal(t, "/data/attributes/name", blank.Errors[0].Source.Pointer)

	// No credentials: 401 TOKEN_MISSING; a wrong token: 401 TOKEN_INVALID (§1.6).
	_, err = e.client().Products.List(e.ctx, nil)
	errWithCode(t, err, 401, keygen.CodeTokenMissing, "")
	assert.True(t, errors.Is(err, keygen.ErrUnauthorized))
	bad := e.tokenClient("admin-" + randomHex(t, 32) + "v3")
	_, err = bad.Products.Get(e.ctx, p.ID)
	errWithCode(t, err, 401, keygen.CodeTokenInvalid, "")
	// A token's UUID is not its secret: TOKEN_FORMAT_INVALID.
	_, err = e.tokenClient(p.ID).Products.Get(e.ctx, p.ID)
	errWithCode(t, err, 401, keygen.CodeTokenFormatInvalid, "")
}

func TestE2EProductsPagination(t *testing.T) {
	t.Parallel()
	e := newE2E(t)
	var created []string
	for i := range 7 {
		p := e.product("Product " + string(rune('A'+i)))
		created = append(created, p.ID)
		e.srv.Advance(time.Second) // distinct creation times make the order certain
	}
	newestFirst := make([]string, len(created))
	for i, id := range created {
		newestFirst[len(created)-1-i] = id
	}

	// §1.8: offset pages carry self/first/last/prev/next and links.meta {pages, count}.
	page1, err := e.admin.Products.List(e.ctx, &keygen.ProductListOptions{ListOptions: keygen.ListOptions{PageSize: 3}})
	require.NoError(t, err)
	assert.Equal(t, newestFirst[:3], ids(page1.Data, func(p *keygen.Product) string { return p.ID }))
	assert.Equal(t, 7, page1.Count)
	assert.Equal(t, 3, page1.Pages)
	assert.True(t, page1.HasNext())
	assert.Empty(t, page1.Prev)
	assert.Contains(t, page1.Self, "/v1/accounts/"+e.srv.AccountID+"/products?")
	assert.Contains(t, page1.Next, "page%5Bnumber%5D=2")
	assert.Contains(t, page1.Last, "page%5Bnumber%5D=3")
	assert.Contains(t, page1.First, "page%5Bnumber%5D=1")

	page3, err := e.admin.Products.List(e.ctx, &keygen.ProductListOptions{ListOptions: keygen.ListOptions{PageSize: 3, PageNumber: 3}})
	require.NoError(t, err)
	assert.Equal(t, newestFirst[6:], ids(page3.Data, func(p *keygen.Product) string { return p.ID }))
	assert.False(t, page3.HasNext())
	assert.Contains(t, page3.Prev, "page%5Bnumber%5D=2")

	// All walks the three pages, newest first.
	all := collect(t, e.admin.Products.All(e.ctx, &keygen.ProductListOptions{ListOptions: keygen.ListOptions{PageSize: 3}}))
	assert.Equal(t, newestFirst, ids(all, func(p *keygen.Product) string { return p.ID }))
	// Ascending order (order=asc) reverses it.
	asc := collect(t, e.admin.Products.All(e.ctx, &keygen.ProductListOptions{ListOptions: keygen.ListOptions{PageSize: 2, Ascending: true}}))
	assert.Equal(t, created, ids(asc, func(p *keygen.Product) string { return p.ID }))

	// Breaking out of the loop stops the walk.
	n := 0
	for p, err := range e.admin.Products.All(e.ctx, &keygen.ProductListOptions{ListOptions: keygen.ListOptions{PageSize: 3}}) {
		require.NoError(t, err)
		require.NotNil(t, p)
		n++
		if n == 4 {
			break
		}
	}
	assert.Equal(t, 4, n)

	// Limit mode (no page parameter): the newest Limit records and no links.
	lim, err := e.admin.Products.List(e.ctx, &keygen.ProductListOptions{ListOptions: keygen.ListOptions{Limit: 5}})
	require.NoError(t, err)
	assert.Equal(t, newestFirst[:5], ids(lim.Data, func(p *keygen.Product) string { return p.ID }))
	assert.Empty(t, lim.Self)
	assert.Equal(t, 0, lim.Count)
	def, err := e.admin.Products.List(e.ctx, nil)
	require.NoError(t, err)
	assert.Len(t, def.Data, 7)

	// A page past the end is empty, not an error.
	past, err := e.admin.Products.List(e.ctx, &keygen.ProductListOptions{ListOptions: keygen.ListOptions{PageSize: 3, PageNumber: 4}})
	require.NoError(t, err)
	assert.Empty(t, past.Data)
	assert.Equal(t, 7, past.Count)
}

// TestE2EConcurrentClient uses one client from many goroutines (run with -race).
func TestE2EConcurrentClient(t *testing.T) {
	t.Parallel()
	e := newE2E(t)
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 20 {
		wg.Go(func() {
			p, err := e.admin.Products.Create(e.ctx, keygen.ProductCreateOptions{Name: "P", Code: "code-" + string(rune('a'+i))})
			if err == nil {
				_, err = e.admin.Products.Get(e.ctx, p.ID)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	page, err := e.admin.Products.List(e.ctx, &keygen.ProductListOptions{ListOptions: keygen.ListOptions{PageSize: 100}})
	require.NoError(t, err)
	assert.Equal(t, 20, page.Count)
}
