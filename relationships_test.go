package keygen

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every attach and detach checks its ids before sending: a parent id, 1 to 100 ids, none blank.
func TestAttachDetachLocalErrors(t *testing.T) {
	c, mt := newTestClient(t)
	ctx := context.Background()
	calls := map[string]func(parent string, ids ...string) error{
		"Policies.AttachEntitlements": func(p string, ids ...string) error { return c.Policies.AttachEntitlements(ctx, p, ids...) },
		"Policies.DetachEntitlements": func(p string, ids ...string) error { return c.Policies.DetachEntitlements(ctx, p, ids...) },
		"Licenses.AttachEntitlements": func(p string, ids ...string) error { return c.Licenses.AttachEntitlements(ctx, p, ids...) },
		"Licenses.DetachEntitlements": func(p string, ids ...string) error { return c.Licenses.DetachEntitlements(ctx, p, ids...) },
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
