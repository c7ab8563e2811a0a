package keygen

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	testPolicyID  = "77aa6b5c-4d3e-4f2a-8b1c-0d9e8f7a6b5c"
	testProductID = "2313b7e7-1ea6-4a01-901e-2931de6bb1e2"
)

// assertProAnnual checks every attribute of testdata/policy.json.
func assertProAnnual(t *testing.T, p *Policy) {
	t.Helper()
	assert.Equal(t, testPolicyID, p.ID)
	assert.Equal(t, "Pro Annual", p.Name)
	assert.Equal(t, Ptr(31536000), p.Duration)
	assert.True(t, p.Strict)
	assert.True(t, p.Floating)
	assert.False(t, p.UsePool)
	assert.Equal(t, Ptr(4), p.MaxMachines)
	assert.Equal(t, Ptr(8), p.MaxProcesses)
	assert.Equal(t, Ptr(2), p.MaxUsers)
	assert.Equal(t, Ptr(16), p.MaxCores)
	assert.Equal(t, Ptr(int64(17179869184)), p.MaxMemory)
	assert.Equal(t, Ptr(int64(1099511627776)), p.MaxDisk)
	assert.Equal(t, Ptr(0), p.MaxUses)
	assert.Equal(t, "UNIQUE_PER_POLICY", p.MachineUniquenessStrategy)
	assert.Equal(t, "MATCH_MOST", p.MachineMatchingStrategy)
	assert.Equal(t, "UNIQUE_PER_LICENSE", p.ComponentUniquenessStrategy)
	assert.Equal(t, "MATCH_TWO", p.ComponentMatchingStrategy)
	assert.Equal(t, "MAINTAIN_ACCESS", p.ExpirationStrategy)
	assert.Equal(t, "FROM_FIRST_ACTIVATION", p.ExpirationBasis)
	assert.Equal(t, "FROM_NOW_IF_EXPIRED", p.RenewalBasis)
	assert.Equal(t, "RESET_EXPIRY", p.TransferStrategy)
	assert.Equal(t, "MIXED", p.AuthenticationStrategy)
	assert.Equal(t, "PER_USER", p.MachineLeasingStrategy)
	assert.Equal(t, "PER_LICENSE", p.ProcessLeasingStrategy)
	assert.Equal(t, "ALLOW_2X_OVERAGE", p.OverageStrategy)
	assert.Equal(t, Ptr("ED25519_SIGN"), p.Scheme)
	assert.False(t, p.Encrypted)
	assert.True(t, p.Protected)
	assert.True(t, p.RequireProductScope)
	assert.False(t, p.RequirePolicyScope)
	assert.True(t, p.RequireMachineScope)
	assert.True(t, p.RequireFingerprintScope)
	assert.False(t, p.RequireComponentsScope)
	assert.True(t, p.RequireUserScope)
	assert.False(t, p.RequireChecksumScope)
	assert.True(t, p.RequireVersionScope)
	assert.True(t, p.RequireCheckIn)
	assert.Equal(t, Ptr("week"), p.CheckInInterval)
	assert.Equal(t, Ptr(2), p.CheckInIntervalCount)
	assert.True(t, p.RequireHeartbeat)
	assert.Equal(t, Ptr(900), p.HeartbeatDuration)
	assert.Equal(t, "KEEP_DEAD", p.HeartbeatCullStrategy)
	assert.Equal(t, "ALWAYS_REVIVE", p.HeartbeatResurrectionStrategy)
	assert.Equal(t, "FROM_FIRST_PING", p.HeartbeatBasis)
	assert.Equal(t, map[string]any{"tier": "pro", "nested": map[string]any{"seatCount": float64(4)}}, p.Metadata)
	assert.Equal(t, mustTime(t, "2024-05-01T10:00:00Z"), p.Created)
	assert.Equal(t, mustTime(t, "2024-05-02T11:30:15.25Z"), p.Updated)
	assert.Equal(t, testProductID, p.ProductID)
	assert.Equal(t, "4f2d6e0a-0f0b-4f7e-9d3c-6c1f4d2b8a11", p.AccountID)
	assert.Equal(t, "3e4f5a6b-7c8d-4e9f-8a0b-1c2d3e4f5a6b", p.EnvironmentID)
}

func TestPoliciesCreateEveryAttribute(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	calls := expect(t, mt, wire{method: "POST", path: "/policies", golden: "policies_create.json", status: 201, fixture: "policy.json"})
	p, err := c.Policies.Create(context.Background(), PolicyCreateOptions{
		ProductID:                     testProductID,
		Name:                          "Pro Annual",
		Duration:                      Ptr(31536000),
		Strict:                        Ptr(true),
		Floating:                      Ptr(true),
		UsePool:                       Ptr(false), // explicit false is sent
		MaxMachines:                   Ptr(4),
		MaxProcesses:                  Ptr(8),
		MaxUsers:                      Ptr(2),
		MaxCores:                      Ptr(16),
		MaxMemory:                     Ptr(int64(17179869184)),
		MaxDisk:                       Ptr(int64(1099511627776)),
		MaxUses:                       Ptr(0), // explicit 0 is sent
		MachineUniquenessStrategy:     "UNIQUE_PER_POLICY",
		MachineMatchingStrategy:       "MATCH_MOST",
		ComponentUniquenessStrategy:   "UNIQUE_PER_LICENSE",
		ComponentMatchingStrategy:     "MATCH_TWO",
		ExpirationStrategy:            "MAINTAIN_ACCESS",
		ExpirationBasis:               "FROM_FIRST_ACTIVATION",
		RenewalBasis:                  "FROM_NOW_IF_EXPIRED",
		TransferStrategy:              "RESET_EXPIRY",
		AuthenticationStrategy:        "MIXED",
		MachineLeasingStrategy:        "PER_USER",
		ProcessLeasingStrategy:        "PER_LICENSE",
		OverageStrategy:               "ALLOW_2X_OVERAGE",
		Scheme:                        "ED25519_SIGN",
		Encrypted:                     Ptr(false),
		Protected:                     Ptr(true),
		RequireProductScope:           Ptr(true),
		RequirePolicyScope:            Ptr(false),
		RequireMachineScope:           Ptr(true),
		RequireFingerprintScope:       Ptr(true),
		RequireComponentsScope:        Ptr(false),
		RequireUserScope:              Ptr(true),
		RequireChecksumScope:          Ptr(false),
		RequireVersionScope:           Ptr(true),
		RequireCheckIn:                Ptr(true),
		CheckInInterval:               "week",
		CheckInIntervalCount:          Ptr(2),
		RequireHeartbeat:              Ptr(true),
		HeartbeatDuration:             Ptr(900),
		HeartbeatCullStrategy:         "KEEP_DEAD",
		HeartbeatResurrectionStrategy: "ALWAYS_REVIVE",
		HeartbeatBasis:                "FROM_FIRST_PING",
		Metadata:                      map[string]any{"tier": "pro", "nested": map[string]any{"seatCount": 4}},
	})
	require.NoError(t, err)
	assert.Equal(t, 1, *calls)
	assertProAnnual(t, p)
}

func TestPoliciesCreateMinimal(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "POST", path: "/policies", golden: "policies_create_minimal.json", status: 201, fixture: "policy.json"})
	_, err := c.Policies.Create(context.Background(), PolicyCreateOptions{ProductID: testProductID, Name: "Basic"})
	require.NoError(t, err)
}

func TestPoliciesCreateLocalErrors(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	_, err := c.Policies.Create(context.Background(), PolicyCreateOptions{Name: "No product"})
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Contains(t, err.Error(), "ProductID")
	_, err = c.Policies.Create(context.Background(), PolicyCreateOptions{ProductID: testProductID})
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Contains(t, err.Error(), "Name")
	assert.Zero(t, mt.GetTotalCallCount())
}

func TestPoliciesGet(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "GET", path: "/policies/" + testPolicyID, fixture: "policy.json"})
	p, err := c.Policies.Get(context.Background(), testPolicyID)
	require.NoError(t, err)
	assertProAnnual(t, p)

	_, err = c.Policies.Get(context.Background(), "")
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Equal(t, 1, mt.GetTotalCallCount())
}

func TestPoliciesUpdate(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "PATCH", path: "/policies/" + testPolicyID, golden: "policies_update.json", fixture: "policy.json"})
	p, err := c.Policies.Update(context.Background(), testPolicyID, PolicyUpdateOptions{
		Name:                 Ptr("Pro Annual"),
		Duration:             Null[int](), // licenses stop expiring
		Strict:               Ptr(false),
		MaxMachines:          Set(0),
		MaxMemory:            Set(int64(17179869184)),
		MaxUses:              Null[int](),
		ExpirationStrategy:   Ptr("REVOKE_ACCESS"),
		Protected:            Ptr(false),
		RequireCheckIn:       Ptr(false),
		CheckInInterval:      Null[string](),
		CheckInIntervalCount: Null[int](),
		HeartbeatDuration:    Set(600),
		HeartbeatBasis:       Ptr("FROM_CREATION"),
		Metadata:             map[string]any{},
	})
	require.NoError(t, err)
	assertProAnnual(t, p)
}

func TestPoliciesUpdateNothing(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "PATCH", path: "/policies/" + testPolicyID, golden: "policies_update_empty.json", fixture: "policy.json"})
	_, err := c.Policies.Update(context.Background(), testPolicyID, PolicyUpdateOptions{})
	require.NoError(t, err)

	_, err = c.Policies.Update(context.Background(), "", PolicyUpdateOptions{Name: Ptr("x")})
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Equal(t, 1, mt.GetTotalCallCount())
}

func TestPoliciesDelete(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	calls := expect(t, mt, wire{method: "DELETE", path: "/policies/" + testPolicyID, status: 204})
	require.NoError(t, c.Policies.Delete(context.Background(), testPolicyID))
	assert.Equal(t, 1, *calls)
	require.ErrorIs(t, c.Policies.Delete(context.Background(), ""), ErrInvalidArgument)
	assert.Equal(t, 1, mt.GetTotalCallCount())
}

func TestPoliciesList(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "GET", path: "/policies", fixture: "policies.json", query: url.Values{
		"page[number]": {"2"}, "page[size]": {"1"}, "product": {testProductID},
	}})
	page, err := c.Policies.List(context.Background(), &PolicyListOptions{ListOptions: ListOptions{PageSize: 1, PageNumber: 2}, Product: testProductID})
	require.NoError(t, err)
	require.Len(t, page.Data, 1)
	p := page.Data[0]
	assert.Equal(t, "Pro Annual", p.Name)
	assert.Nil(t, p.Duration)
	assert.False(t, p.Floating)
	assert.True(t, p.UsePool)
	assert.Equal(t, Ptr(1), p.MaxMachines)
	assert.Nil(t, p.MaxProcesses)
	assert.Nil(t, p.MaxMemory)
	assert.Nil(t, p.Scheme)
	assert.Nil(t, p.CheckInInterval)
	assert.Nil(t, p.HeartbeatDuration)
	assert.Equal(t, map[string]any{}, p.Metadata)
	assert.Equal(t, testProductID, p.ProductID)
	assert.Empty(t, p.EnvironmentID)
	assert.False(t, page.HasNext())
	assert.Equal(t, "/v1/accounts/acme/policies?page%5Bnumber%5D=1&page%5Bsize%5D=1&product="+testProductID, page.Prev)
	assert.Equal(t, 2, page.Pages)
	assert.Equal(t, 2, page.Count)
}

func TestPoliciesPopKey(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	calls := expect(t, mt, wire{method: "DELETE", path: "/policies/" + testPolicyID + "/pool", fixture: "key.json"})
	k, err := c.Policies.PopKey(context.Background(), testPolicyID)
	require.NoError(t, err)
	assert.Equal(t, 1, *calls)
	assertPoolKey(t, k)

	_, err = c.Policies.PopKey(context.Background(), "")
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Equal(t, 1, mt.GetTotalCallCount())
}

func TestPoliciesPopKeyEmptyPool(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "DELETE", path: "/policies/" + testPolicyID + "/pool", status: 422, fixture: "error_pool_empty.json"})
	k, err := c.Policies.PopKey(context.Background(), testPolicyID)
	assert.Nil(t, k)
	require.ErrorIs(t, err, ErrUnprocessable)
	var apiErr *Error
	require.ErrorAs(t, err, &apiErr)
	require.Len(t, apiErr.Errors, 1)
	assert.Equal(t, "pool is empty", apiErr.Errors[0].Detail)
	assert.Equal(t, "/data/relationships/pool", apiErr.Errors[0].Source.Pointer)
	assert.Equal(t, "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a", apiErr.RequestID)
}

// A pop that may have reached the server is never repeated: a second pop would take (and
// lose) another key.
func TestPoliciesPopKeyNotRetriedOn503(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t, WithRetry(RetryPolicy{MaxRetries: 3, MinWait: time.Millisecond, MaxWait: time.Millisecond}))
	calls := expect(t, mt, wire{method: "DELETE", path: "/policies/" + testPolicyID + "/pool", status: 503})
	_, err := c.Policies.PopKey(context.Background(), testPolicyID)
	require.Error(t, err)
	assert.Equal(t, 1, *calls)

	// A plain DELETE is idempotent and is retried.
	calls = expect(t, mt, wire{method: "DELETE", path: "/policies/" + testPolicyID, status: 503})
	require.Error(t, c.Policies.Delete(context.Background(), testPolicyID))
	assert.Equal(t, 4, *calls)
}
