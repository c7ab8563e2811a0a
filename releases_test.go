package keygen

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	releaseID     = "5e1f2a3b-4c5d-4e6f-8a7b-9c0d1e2f3a4b"
	entitlementID = "9c5d6e7f-8091-42a3-8ebf-3a4b5c6d7e8f"
	constraintID  = "8b4c5d6e-7f80-4192-9dae-2f3a4b5c6d7e"
)

// assertBeta3 checks every field of testdata/release.json.
func assertBeta3(t *testing.T, r *Release) {
	t.Helper()
	assert.Equal(t, releaseID, r.ID)
	assert.Equal(t, Ptr("Acme CLI 1.2.0-beta.3"), r.Name)
	assert.Equal(t, Ptr("Faster sync; new export command."), r.Description)
	assert.Equal(t, "beta", r.Channel)
	assert.Equal(t, "PUBLISHED", r.Status)
	assert.Equal(t, "1.2.0-beta.3", r.Version)
	assert.Equal(t, ReleaseSemver{Major: 1, Minor: 2, Patch: 0, Prerelease: Ptr("beta.3")}, r.Semver)
	assert.Equal(t, Ptr("latest-beta"), r.Tag)
	assert.Equal(t, Ptr(mustTime(t, "2024-05-31T00:00:00Z")), r.Backdated)
	assert.Nil(t, r.Yanked)
	assert.Equal(t, map[string]any{"sha": "9f3c2a1", "notesUrl": "https://acme.example/notes?v=1.2.0&lang=en"}, r.Metadata)
	assert.Equal(t, mustTime(t, "2024-06-01T10:00:00Z"), r.Created)
	assert.Equal(t, mustTime(t, "2024-06-02T11:30:00.25Z"), r.Updated)
	assert.Equal(t, productID, r.ProductID)
	assert.Equal(t, packageID, r.PackageID)
	assert.Equal(t, accountID, r.AccountID)
	assert.Equal(t, "6a0c3b52-7d3e-4c8e-a1f0-2b9e5d4c3a21", r.EnvironmentID)
}

func TestReleasesCreate(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	calls := expect(t, mt, wire{method: "POST", path: "/releases", golden: "releases_create.json", status: 201, fixture: "release.json"})
	r, err := c.Releases.Create(context.Background(), ReleaseCreateOptions{
		ProductID: productID, PackageID: packageID, Version: "1.2.0-beta.3", Channel: "beta",
		Name: "Acme CLI 1.2.0-beta.3", Description: "Faster sync; new export command.", Status: "PUBLISHED",
		Tag: "latest-beta", Backdated: Ptr(time.Date(2024, 5, 31, 0, 0, 0, 125e6, time.FixedZone("CEST", 2*3600))),
		Metadata:       map[string]any{"sha": "9f3c2a1", "notesUrl": "https://acme.example/notes?v=1.2.0&lang=en"},
		EntitlementIDs: []string{entitlementID, "0a6e7f80-91a2-43b4-9fc0-4b5c6d7e8f90"},
	})
	require.NoError(t, err)
	assert.Equal(t, 1, *calls)
	assertBeta3(t, r)
}

func TestReleasesCreateMinimal(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "POST", path: "/releases", golden: "releases_create_minimal.json", status: 201, fixture: "release.json"})
	_, err := c.Releases.Create(context.Background(), ReleaseCreateOptions{ProductID: productID, Version: "1.2.0-beta.3", Channel: "beta"})
	require.NoError(t, err)
}

func TestReleasesCreateChecksArguments(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	for _, opts := range []ReleaseCreateOptions{
		{Version: "1.0.0", Channel: "stable"},
		{ProductID: productID, Channel: "stable"},
		{ProductID: productID, Version: "1.0.0"},
		{ProductID: productID, Version: "1.0.0", Channel: " "},
		{ProductID: productID, Version: "1.0.0", Channel: "stable", EntitlementIDs: []string{entitlementID, ""}},
	} {
		_, err := c.Releases.Create(context.Background(), opts)
		require.ErrorIs(t, err, ErrInvalidArgument, "%+v", opts)
	}
	assert.Zero(t, mt.GetTotalCallCount())
}

// A release is found by id, version or tag; a version's "+" stays as it is in the path.
func TestReleasesGet(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	for _, id := range []string{releaseID, "1.2.0-beta.3", "latest-beta", "1.1.0+build.7"} {
		calls := expect(t, mt, wire{method: "GET", path: "/releases/" + id, fixture: "release.json"})
		r, err := c.Releases.Get(context.Background(), id)
		require.NoError(t, err, id)
		assertBeta3(t, r)
		assert.Equal(t, 1, *calls, id)
	}
	_, err := c.Releases.Get(context.Background(), "")
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Equal(t, 4, mt.GetTotalCallCount())
}

func TestReleasesUpdate(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "PATCH", path: "/releases/" + releaseID, golden: "releases_update.json", fixture: "release.json"})
	r, err := c.Releases.Update(context.Background(), releaseID, ReleaseUpdateOptions{
		Name:        Set("Acme CLI 1.2.0-beta.3"),
		Description: Null[string](),
		Tag:         Set("latest-beta"),
		Backdated:   Set(time.Date(2024, 5, 31, 0, 0, 0, 0, time.UTC)),
		Metadata:    map[string]any{"sha": "9f3c2a1"},
	})
	require.NoError(t, err)
	assertBeta3(t, r)

	_, err = c.Releases.Update(context.Background(), "", ReleaseUpdateOptions{})
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Equal(t, 1, mt.GetTotalCallCount())
}

func TestReleasesDelete(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	calls := expect(t, mt, wire{method: "DELETE", path: "/releases/" + releaseID, status: 204})
	require.NoError(t, c.Releases.Delete(context.Background(), releaseID))
	require.ErrorIs(t, c.Releases.Delete(context.Background(), ""), ErrInvalidArgument)
	assert.Equal(t, 1, *calls)
}

func TestReleasesList(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "GET", path: "/releases", fixture: "releases.json", query: url.Values{
		"page[number]":   {"1"},
		"page[size]":     {"2"},
		"order":          {"asc"},
		"product":        {productID},
		"package":        {packageID},
		"engine":         {"raw"},
		"channel":        {"beta"},
		"status":         {"PUBLISHED"},
		"yanked":         {"false"},
		"entitlements[]": {"PRO", "SYNC"},
	}})
	page, err := c.Releases.List(context.Background(), &ReleaseListOptions{
		ListOptions: ListOptions{PageSize: 2, Ascending: true},
		Product:     productID, Package: packageID, Engine: "raw", Channel: "beta", Status: "PUBLISHED",
		Yanked: Ptr(false), Entitlements: []string{"PRO", "", "SYNC"},
	})
	require.NoError(t, err)
	require.Len(t, page.Data, 2)
	assertBeta3(t, page.Data[0])
	bare := page.Data[1]
	assert.Equal(t, "6f2a3b4c-5d6e-4f70-9b8c-0d1e2f3a4b5c", bare.ID)
	assert.Nil(t, bare.Name)
	assert.Nil(t, bare.Description)
	assert.Nil(t, bare.Tag)
	assert.Nil(t, bare.Backdated)
	assert.Equal(t, "YANKED", bare.Status)
	assert.Equal(t, Ptr(mustTime(t, "2024-05-20T12:00:00Z")), bare.Yanked)
	assert.Equal(t, ReleaseSemver{Major: 1, Minor: 1, Build: Ptr("build.7")}, bare.Semver)
	assert.Empty(t, bare.PackageID)
	assert.Empty(t, bare.EnvironmentID)
	assert.Equal(t, productID, bare.ProductID)
	assert.Equal(t, 2, page.Count)
	assert.False(t, page.HasNext())
}

func TestReleasesAll(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "GET", path: "/releases", fixture: "releases.json", query: url.Values{
		"page[cursor]": {""}, "page[size]": {"100"}, "channel": {"stable"},
	}})
	var versions []string
	for r, err := range c.Releases.All(context.Background(), &ReleaseListOptions{Channel: "stable"}) {
		require.NoError(t, err)
		versions = append(versions, r.Version)
	}
	assert.Equal(t, []string{"1.2.0-beta.3", "1.1.0+build.7"}, versions)
}

func TestReleasesPublishAndYank(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	publish := expect(t, mt, wire{method: "POST", path: "/releases/" + releaseID + "/actions/publish", fixture: "release.json"})
	yank := expect(t, mt, wire{method: "POST", path: "/releases/1.1.0/actions/yank", fixture: "release.json"})
	r, err := c.Releases.Publish(context.Background(), releaseID)
	require.NoError(t, err)
	assertBeta3(t, r)
	_, err = c.Releases.Yank(context.Background(), "1.1.0")
	require.NoError(t, err)
	assert.Equal(t, 1, *publish)
	assert.Equal(t, 1, *yank)

	_, err = c.Releases.Publish(context.Background(), "")
	require.ErrorIs(t, err, ErrInvalidArgument)
	_, err = c.Releases.Yank(context.Background(), "")
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Equal(t, 2, mt.GetTotalCallCount())
}

func TestReleasesUpgrade(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "GET", path: "/releases/1.2.0/upgrade", fixture: "release_upgrade.json", query: url.Values{
		"product": {productID}, "package": {"acme-cli"}, "channel": {"stable"}, "constraint": {"1.0"},
	}})
	r, err := c.Releases.Upgrade(context.Background(), "1.2.0", &UpgradeOptions{
		Product: productID, Package: "acme-cli", Channel: "stable", Constraint: "1.0",
	})
	require.NoError(t, err)
	assert.Equal(t, "7a3b4c5d-6e7f-4081-8c9d-1e2f3a4b5c6d", r.ID)
	assert.Equal(t, "1.3.0", r.Version)
	assert.Equal(t, ReleaseSemver{Major: 1, Minor: 3}, r.Semver)
	assert.Equal(t, "stable", r.Channel)

	// nil options send no query at all.
	expect(t, mt, wire{method: "GET", path: "/releases/" + releaseID + "/upgrade", fixture: "release_upgrade.json"})
	_, err = c.Releases.Upgrade(context.Background(), releaseID, nil)
	require.NoError(t, err)

	_, err = c.Releases.Upgrade(context.Background(), "", nil)
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Equal(t, 2, mt.GetTotalCallCount())
}

// No upgrade is Keygen's 404: ErrNoUpgrade, still ErrNotFound and the *Error it was.
func TestReleasesUpgradeNone(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "GET", path: "/releases/1.3.0/upgrade", status: 404, fixture: "release_upgrade_not_found.json"})
	r, err := c.Releases.Upgrade(context.Background(), "1.3.0", nil)
	assert.Nil(t, r)
	require.ErrorIs(t, err, ErrNoUpgrade)
	require.ErrorIs(t, err, ErrNotFound)
	var apiErr *Error
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, CodeNotFound, apiErr.Code())
	assert.Equal(t, "0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f", apiErr.RequestID)
	assert.Equal(t, "keygen: no upgrade available: GET /base/v1/accounts/acme/releases/1.3.0/upgrade: 404 Not found: The requested release was not found (NOT_FOUND)", err.Error())
}

// Other failures are not ErrNoUpgrade: a bad constraint, or a server error.
func TestReleasesUpgradeOtherErrors(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	mt.RegisterResponder("GET", apiURL("/releases/1.3.0/upgrade"), func(req *http.Request) (*http.Response, error) {
		return jsonResponse(req, 400, `{"errors":[{"title":"Bad request","detail":"invalid constraint format","code":"CONSTRAINT_INVALID","source":{"parameter":"constraint"}}]}`), nil
	})
	_, err := c.Releases.Upgrade(context.Background(), "1.3.0", &UpgradeOptions{Constraint: "one"})
	require.ErrorIs(t, err, ErrBadRequest)
	assert.False(t, errors.Is(err, ErrNoUpgrade))
	assert.True(t, HasCode(err, "CONSTRAINT_INVALID"))
}

// With signatures checked, an unsigned 404 is still "no upgrade" but marked unverified: it
// must not be taken as Keygen's word.
func TestReleasesUpgradeUnsignedNotFound(t *testing.T) {
	t.Parallel()
	priv := newSigningKey(t)
	c := signedClient(t, priv, func(req *http.Request) *http.Response {
		return jsonResponse(req, 404, `{"errors":[{"title":"Not found","code":"NOT_FOUND"}]}`)
	})
	_, err := c.Releases.Upgrade(context.Background(), "1.3.0", nil)
	require.ErrorIs(t, err, ErrNoUpgrade)
	assert.True(t, IsUnverified(err))
}

func TestReleasesListConstraints(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "GET", path: "/releases/" + releaseID + "/constraints", fixture: "release_constraints.json", query: url.Values{"limit": {"20"}}})
	page, err := c.Releases.ListConstraints(context.Background(), releaseID, &ListOptions{Limit: 20})
	require.NoError(t, err)
	require.Len(t, page.Data, 1)
	assert.Equal(t, ReleaseConstraint{
		ID: constraintID, Created: mustTime(t, "2024-06-01T10:05:00Z"), Updated: mustTime(t, "2024-06-01T10:05:00Z"),
		EntitlementID: entitlementID, ReleaseID: releaseID, AccountID: accountID,
	}, *page.Data[0])

	_, err = c.Releases.ListConstraints(context.Background(), "", nil)
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Equal(t, 1, mt.GetTotalCallCount())
}

func TestReleasesAttachAndDetachConstraints(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	attach := expect(t, mt, wire{method: "POST", path: "/releases/" + releaseID + "/constraints", golden: "releases_attach_constraints.json", fixture: "release_constraints.json"})
	detach := expect(t, mt, wire{method: "DELETE", path: "/releases/" + releaseID + "/constraints", golden: "releases_detach_constraints.json", status: 204})
	ctx := context.Background()
	require.NoError(t, c.Releases.AttachConstraints(ctx, releaseID, entitlementID, "0a6e7f80-91a2-43b4-9fc0-4b5c6d7e8f90"))
	require.NoError(t, c.Releases.DetachConstraints(ctx, releaseID, constraintID))
	assert.Equal(t, 1, *attach)
	assert.Equal(t, 1, *detach)

	for _, err := range []error{
		c.Releases.AttachConstraints(ctx, releaseID),
		c.Releases.AttachConstraints(ctx, releaseID, ""),
		c.Releases.AttachConstraints(ctx, "", entitlementID),
		c.Releases.DetachConstraints(ctx, releaseID),
		c.Releases.DetachConstraints(ctx, releaseID, constraintID, " "),
		c.Releases.DetachConstraints(ctx, "", constraintID),
	} {
		require.ErrorIs(t, err, ErrInvalidArgument)
	}
	assert.Equal(t, 2, mt.GetTotalCallCount())
}
