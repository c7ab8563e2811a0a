package keygen

import (
	"context"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	packageID = "7c3e1f52-4b8d-4a6e-9f10-2d3c4b5a6e7f"
	productID = "2313b7e7-1ea6-4a01-901e-2931de6bb1e2"
	accountID = "4f2d6e0a-0f0b-4f7e-9d3c-6c1f4d2b8a11"
)

// assertAcmeCLI checks every field of testdata/package.json.
func assertAcmeCLI(t *testing.T, p *Package) {
	t.Helper()
	assert.Equal(t, packageID, p.ID)
	assert.Equal(t, "Acme CLI", p.Name)
	assert.Equal(t, "acme-cli", p.Key)
	assert.Equal(t, Ptr("raw"), p.Engine)
	assert.Equal(t, map[string]any{"team": "tools"}, p.Metadata)
	assert.Equal(t, mustTime(t, "2024-05-01T08:00:00Z"), p.Created)
	assert.Equal(t, mustTime(t, "2024-05-03T09:30:00.125Z"), p.Updated)
	assert.Equal(t, productID, p.ProductID)
	assert.Equal(t, accountID, p.AccountID)
}

func TestPackagesCreate(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	calls := expect(t, mt, wire{method: "POST", path: "/packages", golden: "packages_create.json", status: 201, fixture: "package.json"})
	p, err := c.Packages.Create(context.Background(), PackageCreateOptions{
		ProductID: productID, Name: "Acme CLI", Key: "acme-cli", Engine: "raw",
		Metadata: map[string]any{"team": "tools"},
	})
	require.NoError(t, err)
	assert.Equal(t, 1, *calls)
	assertAcmeCLI(t, p)
	assert.Equal(t, "6a0c3b52-7d3e-4c8e-a1f0-2b9e5d4c3a21", p.EnvironmentID)
}

func TestPackagesCreateChecksArguments(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	for _, opts := range []PackageCreateOptions{
		{Name: "Acme CLI", Key: "acme-cli"},
		{ProductID: productID, Key: "acme-cli"},
		{ProductID: productID, Name: "Acme CLI", Key: "  "},
	} {
		_, err := c.Packages.Create(context.Background(), opts)
		require.ErrorIs(t, err, ErrInvalidArgument)
	}
	assert.Zero(t, mt.GetTotalCallCount())
}

func TestPackagesGetByKey(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "GET", path: "/packages/acme-cli", fixture: "package.json"})
	p, err := c.Packages.Get(context.Background(), "acme-cli")
	require.NoError(t, err)
	assertAcmeCLI(t, p)
	_, err = c.Packages.Get(context.Background(), "")
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Equal(t, 1, mt.GetTotalCallCount())
}

// An update sends only what is set; the engine is cleared with null.
func TestPackagesUpdate(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "PATCH", path: "/packages/" + packageID, golden: "packages_update.json", fixture: "package.json"})
	p, err := c.Packages.Update(context.Background(), packageID, PackageUpdateOptions{
		Name: "Acme CLI", Engine: Null[string](), Metadata: map[string]any{"team": "tools"},
	})
	require.NoError(t, err)
	assertAcmeCLI(t, p)
	_, err = c.Packages.Update(context.Background(), "", PackageUpdateOptions{})
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Equal(t, 1, mt.GetTotalCallCount())
}

func TestPackagesDelete(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	calls := expect(t, mt, wire{method: "DELETE", path: "/packages/" + packageID, status: 204})
	require.NoError(t, c.Packages.Delete(context.Background(), packageID))
	require.ErrorIs(t, c.Packages.Delete(context.Background(), ""), ErrInvalidArgument)
	assert.Equal(t, 1, *calls)
}

func TestPackagesList(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "GET", path: "/packages", fixture: "packages.json", query: url.Values{
		"page[number]": {"1"}, "page[size]": {"2"}, "product": {productID}, "engine": {"raw"},
	}})
	page, err := c.Packages.List(context.Background(), &PackageListOptions{
		ListOptions: ListOptions{PageSize: 2}, Product: productID, Engine: "raw",
	})
	require.NoError(t, err)
	require.Len(t, page.Data, 2)
	assertAcmeCLI(t, page.Data[0])
	bare := page.Data[1]
	assert.Equal(t, "acme-desktop", bare.Key)
	assert.Nil(t, bare.Engine)
	assert.Empty(t, bare.Metadata)
	assert.Empty(t, bare.EnvironmentID)
	assert.Equal(t, 2, page.Pages)
	assert.Equal(t, 3, page.Count)
	assert.True(t, page.HasNext())
}

func TestPackagesAll(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "GET", path: "/packages", fixture: "package_list_last.json", query: url.Values{
		"page[cursor]": {""}, "page[size]": {"100"}, "engine": {"raw"},
	}})
	var keys []string
	for p, err := range c.Packages.All(context.Background(), &PackageListOptions{Engine: "raw"}) {
		require.NoError(t, err)
		keys = append(keys, p.Key)
	}
	assert.Equal(t, []string{"acme-cli"}, keys)
}
