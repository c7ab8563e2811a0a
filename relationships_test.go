package keygen

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLicensesUsers(t *testing.T) {
	c, mt := newTestClient(t)
	// By key, as for the license itself.
	list := expect(t, mt, wire{method: "GET", path: "/licenses/" + licenseKey + "/users", fixture: "users.json", query: url.Values{
		"page[number]": {"1"}, "page[size]": {"2"},
	}})
	page, err := c.Licenses.ListUsers(context.Background(), licenseKey, &ListOptions{PageSize: 2})
	require.NoError(t, err)
	require.Len(t, page.Data, 2)
	assert.Equal(t, "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9", page.Data[0].ID)
	assert.Equal(t, "BANNED", page.Data[0].Status)
	assert.Equal(t, otherUserID, page.Data[1].ID)
	assert.Equal(t, "admin", page.Data[1].Role)
	assert.Equal(t, 3, page.Count)
	assert.True(t, page.HasNext())
	assert.Equal(t, 1, *list)

	base := "/licenses/" + licenseID + "/users"
	attach := expect(t, mt, wire{method: "POST", path: base, golden: "licenses_users_linkages.json", fixture: "license_users.json"})
	require.NoError(t, c.Licenses.AttachUsers(context.Background(), licenseID, otherUserID))
	detach := expect(t, mt, wire{method: "DELETE", path: base, golden: "licenses_users_linkages.json", status: 204})
	require.NoError(t, c.Licenses.DetachUsers(context.Background(), licenseID, otherUserID))
	assert.Equal(t, 1, *attach)
	assert.Equal(t, 1, *detach)

	_, err = c.Licenses.ListUsers(context.Background(), signedKey, nil)
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.NotContains(t, err.Error(), "eyJsaWNlbnNl")
	assert.Equal(t, 3, mt.GetTotalCallCount())
}

// A member's group and a machine's owner are to-one relationships: the PUT answers with the
// member itself, and "" clears the relationship with {"data":null}.
func TestChangeGroupAndOwner(t *testing.T) {
	for _, tc := range []struct {
		name    string
		path    string // the relationship's path
		related string // the new group or owner
		golden  string
		fixture string
		// call changes the relationship and checks every field of the member answered.
		call func(t *testing.T, c *Client, id, related string) error
		id   string
	}{
		{"Licenses.ChangeGroup", "/licenses/" + licenseID + "/group", groupID, "change_group.json", "license.json",
			func(t *testing.T, c *Client, id, related string) error {
				l, err := c.Licenses.ChangeGroup(context.Background(), id, related)
				if err == nil {
					assertActiveProSeat(t, l)
				}
				return err
			}, licenseID},
		{"Users.ChangeGroup", "/users/" + userID + "/group", groupID, "change_group.json", "user.json",
			func(t *testing.T, c *Client, id, related string) error {
				u, err := c.Users.ChangeGroup(context.Background(), id, related)
				if err == nil {
					assertAda(t, u)
				}
				return err
			}, userID},
		{"Machines.ChangeGroup", "/machines/" + machineID + "/group", groupID, "change_group.json", "machine.json",
			func(t *testing.T, c *Client, id, related string) error {
				m, err := c.Machines.ChangeGroup(context.Background(), id, related)
				if err == nil {
					assertAdasMac(t, m)
				}
				return err
			}, machineID},
		{"Machines.ChangeOwner", "/machines/" + machineID + "/owner", userID, "machines_change_owner.json", "machine.json",
			func(t *testing.T, c *Client, id, related string) error {
				m, err := c.Machines.ChangeOwner(context.Background(), id, related)
				if err == nil {
					assertAdasMac(t, m)
				}
				return err
			}, machineID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, mt := newTestClient(t)
			calls := expect(t, mt, wire{method: "PUT", path: tc.path, golden: tc.golden, fixture: tc.fixture})
			require.NoError(t, tc.call(t, c, tc.id, tc.related))
			assert.Equal(t, 1, *calls)
		})
		t.Run(tc.name+" to none", func(t *testing.T) {
			c, mt := newTestClient(t)
			calls := expect(t, mt, wire{method: "PUT", path: tc.path, golden: "relationship_null.json", fixture: tc.fixture})
			require.NoError(t, tc.call(t, c, tc.id, ""))
			assert.Equal(t, 1, *calls)
		})
		t.Run(tc.name+" local errors", func(t *testing.T) {
			c, mt := newTestClient(t)
			for _, args := range [][2]string{{tc.id, "  "}, {"", tc.related}, {" ", ""}} {
				err := tc.call(t, c, args[0], args[1])
				require.ErrorIs(t, err, ErrInvalidArgument, "%q", args)
			}
			assert.Zero(t, mt.GetTotalCallCount())
		})
	}
}

// A full group refuses a new member with a 422 on the group relationship.
func TestLicensesChangeGroupLimitExceeded(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "PUT", path: "/licenses/" + licenseID + "/group", golden: "change_group.json", status: 422, fixture: "error_group_license_limit.json"})
	l, err := c.Licenses.ChangeGroup(context.Background(), licenseID, groupID)
	assert.Nil(t, l)
	require.ErrorIs(t, err, ErrUnprocessable)
	assert.True(t, HasCode(err, CodeGroupLicenseLimitExceeded))
	var apiErr *Error
	require.True(t, errors.As(err, &apiErr))
	assert.Equal(t, []ErrorObject{{
		Title: "Unprocessable resource", Detail: "license count has exceeded maximum allowed by current group (10)",
		Code: "GROUP_LICENSE_LIMIT_EXCEEDED", Source: ErrorSource{Pointer: "/data/relationships/group"},
	}}, apiErr.Errors)
}

// Every attach and detach checks its ids before sending: a parent id, 1 to 100 ids, none blank.
func TestAttachDetachLocalErrors(t *testing.T) {
	c, mt := newTestClient(t)
	ctx := context.Background()
	calls := map[string]func(parent string, ids ...string) error{
		"Policies.AttachEntitlements": func(p string, ids ...string) error { return c.Policies.AttachEntitlements(ctx, p, ids...) },
		"Policies.DetachEntitlements": func(p string, ids ...string) error { return c.Policies.DetachEntitlements(ctx, p, ids...) },
		"Licenses.AttachEntitlements": func(p string, ids ...string) error { return c.Licenses.AttachEntitlements(ctx, p, ids...) },
		"Licenses.DetachEntitlements": func(p string, ids ...string) error { return c.Licenses.DetachEntitlements(ctx, p, ids...) },
		"Licenses.AttachUsers":        func(p string, ids ...string) error { return c.Licenses.AttachUsers(ctx, p, ids...) },
		"Licenses.DetachUsers":        func(p string, ids ...string) error { return c.Licenses.DetachUsers(ctx, p, ids...) },
		"Groups.AttachOwners":         func(p string, ids ...string) error { return c.Groups.AttachOwners(ctx, p, ids...) },
		"Groups.DetachOwners":         func(p string, ids ...string) error { return c.Groups.DetachOwners(ctx, p, ids...) },
	}
	tooMany := make([]string, 101)
	for i := range tooMany {
		tooMany[i] = entitlementPro
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			for _, tc := range []struct {
				why    string
				parent string
				ids    []string
				want   string
			}{
				{"no parent", "", []string{entitlementPro}, "empty id"},
				{"signed key parent", signedKey, []string{entitlementPro}, "'/'"},
				{"no ids", "p1", nil, "at least one id"},
				{"101 ids", "p1", tooMany, "at most 100 ids per call, got 101"},
				{"blank id", "p1", []string{entitlementPro, " "}, "id 1 is empty"},
			} {
				err := call(tc.parent, tc.ids...)
				require.ErrorIs(t, err, ErrInvalidArgument, tc.why)
				assert.Contains(t, err.Error(), tc.want, tc.why)
				assert.True(t, strings.HasPrefix(err.Error(), "keygen: invalid argument: "), tc.why)
			}
		})
	}
	assert.Zero(t, mt.GetTotalCallCount())
}

func TestAttachAcceptsExactlyOneHundredIDs(t *testing.T) {
	c, mt := newTestClient(t)
	ids := make([]string, 100)
	for i := range ids {
		ids[i] = entitlementPro
	}
	var sent int
	mt.RegisterResponder("POST", apiURL("/policies/"+policyID+"/entitlements"), func(req *http.Request) (*http.Response, error) {
		var body struct {
			Data []struct{ Type, ID string } `json:"data"`
		}
		require.NoError(t, json.NewDecoder(req.Body).Decode(&body))
		sent = len(body.Data)
		resp := httpmock.NewBytesResponse(200, fixture(t, "policy_entitlements.json"))
		resp.Request = req
		return resp, nil
	})
	require.NoError(t, c.Policies.AttachEntitlements(context.Background(), policyID, ids...))
	assert.Equal(t, 100, sent)
}
