package keygen

import (
	"context"
	"errors"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	groupID     = "3b4c5d6e-7f80-4912-a3b4-c5d6e7f8a9b0"
	otherUserID = "1c2d3e4f-5061-4728-93a4-b5c6d7e8f9a0"
)

// assertEngineering checks every field of the group in testdata/group.json.
func assertEngineering(t *testing.T, g *Group) {
	t.Helper()
	assert.Equal(t, groupID, g.ID)
	assert.Equal(t, "Acme engineering", g.Name)
	assert.Equal(t, Ptr(10), g.MaxLicenses)
	assert.Equal(t, Ptr(50), g.MaxMachines)
	assert.Equal(t, Ptr(25), g.MaxUsers)
	assert.Equal(t, map[string]any{"costCenter": "eng-42"}, g.Metadata)
	assert.Equal(t, mustTime(t, "2024-03-01T08:00:00Z"), g.Created)
	assert.Equal(t, mustTime(t, "2024-05-02T16:45:10.5Z"), g.Updated)
	assert.Equal(t, "4f2d6e0a-0f0b-4f7e-9d3c-6c1f4d2b8a11", g.AccountID)
	assert.Equal(t, "6a0c3b52-7d3e-4c8e-a1f0-2b9e5d4c3a21", g.EnvironmentID)
}

func TestGroupsCreate(t *testing.T) {
	c, mt := newTestClient(t)
	calls := expect(t, mt, wire{method: "POST", path: "/groups", golden: "groups_create.json", status: 201, fixture: "group.json"})
	g, err := c.Groups.Create(context.Background(), GroupCreateOptions{
		Name: "Acme engineering", MaxLicenses: Ptr(10), MaxMachines: Ptr(50), MaxUsers: Ptr(25),
		Metadata: map[string]any{"costCenter": "eng-42"},
	})
	require.NoError(t, err)
	assert.Equal(t, 1, *calls)
	assertEngineering(t, g)
}

func TestGroupsCreateMinimalAndRequiresName(t *testing.T) {
	c, mt := newTestClient(t)
	calls := expect(t, mt, wire{method: "POST", path: "/groups", golden: "groups_create_minimal.json", status: 201, fixture: "group.json"})
	// A zero limit is a real one, and is sent.
	_, err := c.Groups.Create(context.Background(), GroupCreateOptions{Name: "Acme engineering", MaxMachines: Ptr(0)})
	require.NoError(t, err)
	_, err = c.Groups.Create(context.Background(), GroupCreateOptions{Name: "  ", MaxUsers: Ptr(3)})
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Equal(t, 1, *calls)
	assert.Equal(t, 1, mt.GetTotalCallCount())
}

func TestGroupsGet(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "GET", path: "/groups/" + groupID, fixture: "group.json"})
	g, err := c.Groups.Get(context.Background(), groupID)
	require.NoError(t, err)
	assertEngineering(t, g)
	_, err = c.Groups.Get(context.Background(), "")
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Equal(t, 1, mt.GetTotalCallCount())
}

// Limits are nullable on update: Null lifts one, Set changes it, unset leaves it.
func TestGroupsUpdate(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "PATCH", path: "/groups/" + groupID, golden: "groups_update.json", fixture: "group.json"})
	g, err := c.Groups.Update(context.Background(), groupID, GroupUpdateOptions{
		Name: Ptr("Acme engineering"), MaxLicenses: Set(10), MaxUsers: Null[int](),
		Metadata: map[string]any{"costCenter": "eng-42"},
	})
	require.NoError(t, err)
	assertEngineering(t, g)

	_, err = c.Groups.Update(context.Background(), groupID, GroupUpdateOptions{Name: Ptr("")})
	require.ErrorIs(t, err, ErrInvalidArgument)
	_, err = c.Groups.Update(context.Background(), " ", GroupUpdateOptions{})
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Equal(t, 1, mt.GetTotalCallCount())
}

func TestGroupsDelete(t *testing.T) {
	c, mt := newTestClient(t)
	calls := expect(t, mt, wire{method: "DELETE", path: "/groups/" + groupID, status: 204})
	require.NoError(t, c.Groups.Delete(context.Background(), groupID))
	require.ErrorIs(t, c.Groups.Delete(context.Background(), ""), ErrInvalidArgument)
	assert.Equal(t, 1, *calls)
	assert.Equal(t, 1, mt.GetTotalCallCount())
}

func TestGroupsList(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "GET", path: "/groups", fixture: "groups.json", query: url.Values{
		"page[number]": {"1"}, "page[size]": {"2"},
	}})
	page, err := c.Groups.List(context.Background(), &GroupListOptions{ListOptions: ListOptions{PageNumber: 1, PageSize: 2}})
	require.NoError(t, err)
	require.Len(t, page.Data, 2)
	assertEngineering(t, page.Data[0])
	// No limits and no environment.
	g := page.Data[1]
	assert.Equal(t, "4c5d6e7f-8091-4a23-b4c5-d6e7f8a9b0c1", g.ID)
	assert.Equal(t, "Contractors", g.Name)
	assert.Nil(t, g.MaxLicenses)
	assert.Nil(t, g.MaxMachines)
	assert.Nil(t, g.MaxUsers)
	assert.Equal(t, map[string]any{}, g.Metadata)
	assert.Equal(t, mustTime(t, "2024-02-01T08:00:00Z"), g.Created)
	assert.Empty(t, g.EnvironmentID)
	assert.Equal(t, 1, page.Pages)
	assert.Equal(t, 2, page.Count)
}

func TestGroupsAll(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "GET", path: "/groups", fixture: "groups.json", query: url.Values{
		"page[cursor]": {""}, "page[size]": {"50"}, "order": {"asc"},
	}})
	var names []string
	for g, err := range c.Groups.All(context.Background(), &GroupListOptions{ListOptions: ListOptions{PageSize: 50, Ascending: true}}) {
		require.NoError(t, err)
		names = append(names, g.Name)
	}
	assert.Equal(t, []string{"Acme engineering", "Contractors"}, names)
}

func TestGroupsListOwners(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "GET", path: "/groups/" + groupID + "/owners", fixture: "group_owners.json", query: url.Values{
		"page[number]": {"1"}, "page[size]": {"2"},
	}})
	page, err := c.Groups.ListOwners(context.Background(), groupID, &ListOptions{PageNumber: 1, PageSize: 2})
	require.NoError(t, err)
	require.Len(t, page.Data, 2)
	o := page.Data[0]
	assert.Equal(t, "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0", o.ID)
	assert.Equal(t, groupID, o.GroupID)
	assert.Equal(t, userID, o.UserID)
	assert.Equal(t, mustTime(t, "2024-03-02T08:00:00Z"), o.Created)
	assert.Equal(t, mustTime(t, "2024-03-02T08:00:00Z"), o.Updated)
	assert.Equal(t, "4f2d6e0a-0f0b-4f7e-9d3c-6c1f4d2b8a11", o.AccountID)
	assert.Equal(t, "6a0c3b52-7d3e-4c8e-a1f0-2b9e5d4c3a21", o.EnvironmentID)
	o = page.Data[1]
	assert.Equal(t, "1a0f2e3d-5c4b-4a79-8887-b6c5d4e3f2a1", o.ID)
	assert.Equal(t, otherUserID, o.UserID)
	assert.Equal(t, mustTime(t, "2024-03-05T12:00:00Z"), o.Created)
	assert.Empty(t, o.EnvironmentID)
	assert.Equal(t, 2, page.Count)
}

func TestGroupsAttachAndDetachOwners(t *testing.T) {
	c, mt := newTestClient(t)
	path := "/groups/" + groupID + "/owners"
	attach := expect(t, mt, wire{method: "POST", path: path, golden: "groups_owners_linkages.json", fixture: "group_owners_attached.json"})
	require.NoError(t, c.Groups.AttachOwners(context.Background(), groupID, userID, otherUserID))
	detach := expect(t, mt, wire{method: "DELETE", path: path, golden: "groups_owners_linkages.json", status: 204})
	require.NoError(t, c.Groups.DetachOwners(context.Background(), groupID, userID, otherUserID))
	assert.Equal(t, 1, *attach)
	assert.Equal(t, 1, *detach)
}

func TestGroupsAttachOwnerTaken(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "POST", path: "/groups/" + groupID + "/owners", golden: "groups_owners_linkages.json", status: 422, fixture: "error_user_taken.json"})
	err := c.Groups.AttachOwners(context.Background(), groupID, userID, otherUserID)
	require.ErrorIs(t, err, ErrUnprocessable)
	assert.True(t, HasCode(err, CodeUserTaken))
	var apiErr *Error
	require.True(t, errors.As(err, &apiErr))
	assert.Equal(t, []ErrorObject{{
		Title: "Unprocessable resource", Detail: "already exists", Code: "USER_TAKEN",
		Source: ErrorSource{Pointer: "/data/relationships/user"},
	}}, apiErr.Errors)
}

func TestGroupsMembers(t *testing.T) {
	c, mt := newTestClient(t)
	base := "/groups/" + groupID
	q := url.Values{"limit": {"2"}}
	expect(t, mt, wire{method: "GET", path: base + "/users", fixture: "users.json", query: q})
	expect(t, mt, wire{method: "GET", path: base + "/licenses", fixture: "licenses.json", query: q})
	expect(t, mt, wire{method: "GET", path: base + "/machines", fixture: "machines.json", query: q})
	lo := &ListOptions{Limit: 2}

	users, err := c.Groups.ListUsers(context.Background(), groupID, lo)
	require.NoError(t, err)
	require.Len(t, users.Data, 2)
	assert.Equal(t, "grace@example.com", users.Data[0].Email)
	assert.Equal(t, otherUserID, users.Data[1].ID)
	assert.True(t, users.HasNext())

	licenses, err := c.Groups.ListLicenses(context.Background(), groupID, lo)
	require.NoError(t, err)
	require.Len(t, licenses.Data, 2)
	assertActiveProSeat(t, licenses.Data[0])

	machines, err := c.Groups.ListMachines(context.Background(), groupID, lo)
	require.NoError(t, err)
	require.Len(t, machines.Data, 2)
	assertAdasMac(t, machines.Data[0])

	for name, err := range map[string]error{
		"ListUsers":    errOf(c.Groups.ListUsers(context.Background(), "", nil)),
		"ListLicenses": errOf(c.Groups.ListLicenses(context.Background(), "", nil)),
		"ListMachines": errOf(c.Groups.ListMachines(context.Background(), "", nil)),
		"ListOwners":   errOf(c.Groups.ListOwners(context.Background(), "", nil)),
		"bad paging":   errOf(c.Groups.ListUsers(context.Background(), groupID, &ListOptions{Limit: -1})),
	} {
		require.ErrorIs(t, err, ErrInvalidArgument, name)
	}
	assert.Equal(t, 3, mt.GetTotalCallCount())
}

// errOf keeps the error of a two-result call.
func errOf[T any](_ T, err error) error { return err }
