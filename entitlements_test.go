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
	entitlementPro  = "e1a2b3c4-d5e6-4f70-8192-a3b4c5d6e7f8"
	entitlementSync = "e2b3c4d5-e6f7-4081-92a3-b4c5d6e7f8a9"
)

// assertPro checks every field of the entitlement in testdata/entitlement.json.
func assertPro(t *testing.T, e *Entitlement) {
	t.Helper()
	assert.Equal(t, entitlementPro, e.ID)
	assert.Equal(t, "Pro features", e.Name)
	assert.Equal(t, "PRO", e.Code)
	assert.Equal(t, map[string]any{"tier": "pro"}, e.Metadata)
	assert.Equal(t, mustTime(t, "2024-04-20T09:00:00Z"), e.Created)
	assert.Equal(t, mustTime(t, "2024-04-22T11:30:00.25Z"), e.Updated)
	assert.Equal(t, "4f2d6e0a-0f0b-4f7e-9d3c-6c1f4d2b8a11", e.AccountID)
	assert.Equal(t, "6a0c3b52-7d3e-4c8e-a1f0-2b9e5d4c3a21", e.EnvironmentID)
}

func TestEntitlementsCreate(t *testing.T) {
	c, mt := newTestClient(t)
	calls := expect(t, mt, wire{method: "POST", path: "/entitlements", golden: "entitlements_create.json", status: 201, fixture: "entitlement.json"})
	e, err := c.Entitlements.Create(context.Background(), EntitlementCreateOptions{
		Name: "Pro features", Code: "PRO", Metadata: map[string]any{"tier": "pro"},
	})
	require.NoError(t, err)
	assert.Equal(t, 1, *calls)
	assertPro(t, e)
}

func TestEntitlementsCreateRequiresNameAndCode(t *testing.T) {
	c, mt := newTestClient(t)
	for _, o := range []EntitlementCreateOptions{{Code: "PRO"}, {Name: "Pro features"}, {Name: " ", Code: "PRO"}, {Name: "Pro", Code: "\t"}} {
		_, err := c.Entitlements.Create(context.Background(), o)
		require.ErrorIs(t, err, ErrInvalidArgument, "%+v", o)
	}
	assert.Zero(t, mt.GetTotalCallCount())
}

// Keygen keeps codes unique per account ignoring case: a taken one is a 422 on the code.
func TestEntitlementsCreateCodeTaken(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "POST", path: "/entitlements", golden: "entitlements_create_minimal.json", status: 422, fixture: "error_code_taken.json"})
	e, err := c.Entitlements.Create(context.Background(), EntitlementCreateOptions{Name: "Pro", Code: "pro"})
	assert.Nil(t, e)
	require.ErrorIs(t, err, ErrUnprocessable)
	assert.True(t, HasCode(err, CodeCodeTaken))
	var apiErr *Error
	require.True(t, errors.As(err, &apiErr))
	assert.Equal(t, "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a", apiErr.RequestID)
	require.Len(t, apiErr.Errors, 1)
	assert.Equal(t, ErrorObject{
		Title: "Unprocessable resource", Detail: "has already been taken", Code: "CODE_TAKEN",
		Source: ErrorSource{Pointer: "/data/attributes/code"},
		Links:  map[string]string{"about": "https://keygen.sh/docs/api/entitlements/#entitlements-object-attrs-code"},
	}, apiErr.Errors[0])
}

func TestEntitlementsGetByIDOrCode(t *testing.T) {
	c, mt := newTestClient(t)
	byID := expect(t, mt, wire{method: "GET", path: "/entitlements/" + entitlementPro, fixture: "entitlement.json"})
	// A code is escaped as one path segment.
	byCode := expect(t, mt, wire{method: "GET", path: "/entitlements/" + url.PathEscape("PRO 2024"), fixture: "entitlement.json"})
	e, err := c.Entitlements.Get(context.Background(), entitlementPro)
	require.NoError(t, err)
	assertPro(t, e)
	e, err = c.Entitlements.Get(context.Background(), "PRO 2024")
	require.NoError(t, err)
	assertPro(t, e)
	assert.Equal(t, 1, *byID)
	assert.Equal(t, 1, *byCode)

	_, err = c.Entitlements.Get(context.Background(), "")
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Equal(t, 2, mt.GetTotalCallCount())
}

func TestEntitlementsUpdate(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "PATCH", path: "/entitlements/PRO", golden: "entitlements_update.json", fixture: "entitlement.json"})
	e, err := c.Entitlements.Update(context.Background(), "PRO", EntitlementUpdateOptions{
		Name: Ptr("Pro features"), Metadata: map[string]any{"tier": "pro"},
	})
	require.NoError(t, err)
	assertPro(t, e)

	for _, o := range []EntitlementUpdateOptions{{Name: Ptr("")}, {Code: Ptr(" ")}} {
		_, err = c.Entitlements.Update(context.Background(), "PRO", o)
		require.ErrorIs(t, err, ErrInvalidArgument, "%+v", o)
	}
	_, err = c.Entitlements.Update(context.Background(), "", EntitlementUpdateOptions{})
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Equal(t, 1, mt.GetTotalCallCount())
}

func TestEntitlementsUpdateCode(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "PATCH", path: "/entitlements/" + entitlementPro, golden: "entitlements_update_code.json", fixture: "entitlement.json"})
	_, err := c.Entitlements.Update(context.Background(), entitlementPro, EntitlementUpdateOptions{Code: Ptr("PRO")})
	require.NoError(t, err)
}

func TestEntitlementsDelete(t *testing.T) {
	c, mt := newTestClient(t)
	calls := expect(t, mt, wire{method: "DELETE", path: "/entitlements/" + entitlementPro, status: 204})
	require.NoError(t, c.Entitlements.Delete(context.Background(), entitlementPro))
	require.ErrorIs(t, c.Entitlements.Delete(context.Background(), " "), ErrInvalidArgument)
	assert.Equal(t, 1, *calls)
	assert.Equal(t, 1, mt.GetTotalCallCount())
}

// assertEntitlementsPage checks testdata/entitlements.json: PRO, then SYNC (no environment,
// empty metadata).
func assertEntitlementsPage(t *testing.T, page *Page[Entitlement]) {
	t.Helper()
	require.Len(t, page.Data, 2)
	assertPro(t, page.Data[0])
	s := page.Data[1]
	assert.Equal(t, entitlementSync, s.ID)
	assert.Equal(t, "Cloud sync", s.Name)
	assert.Equal(t, "SYNC", s.Code)
	assert.Equal(t, map[string]any{}, s.Metadata)
	assert.Equal(t, mustTime(t, "2024-04-18T09:00:00Z"), s.Created)
	assert.Equal(t, mustTime(t, "2024-04-18T09:00:00Z"), s.Updated)
	assert.Equal(t, "4f2d6e0a-0f0b-4f7e-9d3c-6c1f4d2b8a11", s.AccountID)
	assert.Empty(t, s.EnvironmentID)
	assert.Equal(t, 1, page.Pages)
	assert.Equal(t, 2, page.Count)
	assert.False(t, page.HasNext())
}

func TestEntitlementsList(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "GET", path: "/entitlements", fixture: "entitlements.json", query: url.Values{
		"page[number]": {"1"}, "page[size]": {"2"}, "order": {"asc"},
	}})
	page, err := c.Entitlements.List(context.Background(), &EntitlementListOptions{ListOptions: ListOptions{PageNumber: 1, PageSize: 2, Ascending: true}})
	require.NoError(t, err)
	assertEntitlementsPage(t, page)

	_, err = c.Entitlements.List(context.Background(), &EntitlementListOptions{ListOptions: ListOptions{PageSize: 101}})
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Equal(t, 1, mt.GetTotalCallCount())
}

func TestEntitlementsAll(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "GET", path: "/entitlements", fixture: "entitlements.json", query: url.Values{
		"page[cursor]": {""}, "page[size]": {"100"},
	}})
	var codes []string
	for e, err := range c.Entitlements.All(context.Background(), nil) {
		require.NoError(t, err)
		codes = append(codes, e.Code)
	}
	assert.Equal(t, []string{"PRO", "SYNC"}, codes)
}

func TestPoliciesEntitlements(t *testing.T) {
	c, mt := newTestClient(t)
	base := "/policies/" + policyID + "/entitlements"
	list := expect(t, mt, wire{method: "GET", path: base, fixture: "entitlements.json", query: url.Values{"limit": {"2"}}})
	page, err := c.Policies.ListEntitlements(context.Background(), policyID, &ListOptions{Limit: 2})
	require.NoError(t, err)
	assertEntitlementsPage(t, page)
	assert.Equal(t, 1, *list)

	// Attach answers 200 with the join records; the method returns only the error.
	attach := expect(t, mt, wire{method: "POST", path: base, golden: "entitlements_linkages.json", fixture: "policy_entitlements.json"})
	require.NoError(t, c.Policies.AttachEntitlements(context.Background(), policyID, entitlementPro, entitlementSync))
	assert.Equal(t, 1, *attach)
	detach := expect(t, mt, wire{method: "DELETE", path: base, golden: "entitlements_linkages.json", status: 204})
	require.NoError(t, c.Policies.DetachEntitlements(context.Background(), policyID, entitlementPro, entitlementSync))
	assert.Equal(t, 1, *detach)
}

func TestPoliciesListEntitlementsWithoutOptions(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "GET", path: "/policies/" + policyID + "/entitlements", fixture: "entitlements.json"})
	page, err := c.Policies.ListEntitlements(context.Background(), policyID, nil)
	require.NoError(t, err)
	assert.Len(t, page.Data, 2)
}

func TestLicensesEntitlements(t *testing.T) {
	c, mt := newTestClient(t)
	// By key: the license's entitlements are its policy's and its own.
	list := expect(t, mt, wire{method: "GET", path: "/licenses/" + licenseKey + "/entitlements", fixture: "entitlements.json", query: url.Values{
		"page[number]": {"1"}, "page[size]": {"2"},
	}})
	page, err := c.Licenses.ListEntitlements(context.Background(), licenseKey, &ListOptions{PageSize: 2})
	require.NoError(t, err)
	assertEntitlementsPage(t, page)
	assert.Equal(t, 1, *list)

	base := "/licenses/" + licenseID + "/entitlements"
	attach := expect(t, mt, wire{method: "POST", path: base, golden: "licenses_attach_entitlements.json", fixture: "license_entitlements.json"})
	require.NoError(t, c.Licenses.AttachEntitlements(context.Background(), licenseID, entitlementSync))
	assert.Equal(t, 1, *attach)
	detach := expect(t, mt, wire{method: "DELETE", path: base, golden: "licenses_attach_entitlements.json", status: 204})
	require.NoError(t, c.Licenses.DetachEntitlements(context.Background(), licenseID, entitlementSync))
	assert.Equal(t, 1, *detach)
}

// An entitlement the policy already grants cannot be attached to the license too.
func TestLicensesAttachEntitlementConflict(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "POST", path: "/licenses/" + licenseID + "/entitlements", golden: "entitlements_linkages.json", status: 422, fixture: "error_entitlement_conflict.json"})
	err := c.Licenses.AttachEntitlements(context.Background(), licenseID, entitlementPro, entitlementSync)
	require.ErrorIs(t, err, ErrUnprocessable)
	assert.True(t, HasCode(err, CodeEntitlementConflict))
	var apiErr *Error
	require.True(t, errors.As(err, &apiErr))
	assert.Equal(t, []ErrorObject{{
		Title: "Unprocessable resource", Detail: "already exists (entitlement is attached through policy)",
		Code: "ENTITLEMENT_CONFLICT", Source: ErrorSource{Pointer: "/data/relationships/entitlement"},
	}}, apiErr.Errors)
}

// Detaching a policy's entitlement from one license is refused with a 403 pointing at the
// offending item, and no code.
func TestLicensesDetachPolicyEntitlementForbidden(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "DELETE", path: "/licenses/" + licenseID + "/entitlements", golden: "entitlements_linkages.json", status: 403, fixture: "error_entitlement_policy_detach.json"})
	err := c.Licenses.DetachEntitlements(context.Background(), licenseID, entitlementPro, entitlementSync)
	require.ErrorIs(t, err, ErrForbidden)
	var apiErr *Error
	require.True(t, errors.As(err, &apiErr))
	require.Len(t, apiErr.Errors, 1)
	assert.Empty(t, apiErr.Code())
	assert.Equal(t, "/data/0", apiErr.Errors[0].Source.Pointer)
	assert.Contains(t, apiErr.Errors[0].Detail, "attached through policy")
}
