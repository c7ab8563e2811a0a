package keygen_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	keygen "github.com/licensekit/keygen"
)

func TestE2EPoliciesDefaults(t *testing.T) {
	t.Parallel()
	e := newE2E(t)
	prod := e.product("App")

	pol, err := e.admin.Policies.Create(e.ctx, keygen.PolicyCreateOptions{ProductID: prod.ID, Name: "Basic"})
	require.NoError(t, err)
	// Server defaults on create (keygen-sh/keygen-api, app/models/policy.rb).
	assert.Len(t, pol.ID, 36)
	assert.Equal(t, "Basic", pol.Name)
	assert.Equal(t, prod.ID, pol.ProductID)
	assert.Equal(t, e.srv.AccountID, pol.AccountID)
	assert.Nil(t, pol.Duration)
	assert.False(t, pol.Strict)
	assert.False(t, pol.Floating)
	assert.False(t, pol.UsePool)
	require.NotNil(t, pol.MaxMachines, "node-locked policies are forced to maxMachines 1")
	assert.Equal(t, 1, *pol.MaxMachines)
	assert.Nil(t, pol.MaxProcesses)
	assert.Nil(t, pol.MaxUsers)
	assert.Nil(t, pol.MaxCores)
	assert.Nil(t, pol.MaxMemory)
	assert.Nil(t, pol.MaxDisk)
	assert.Nil(t, pol.MaxUses)
	assert.Equal(t, "UNIQUE_PER_LICENSE", pol.MachineUniquenessStrategy)
	assert.Equal(t, "MATCH_ANY", pol.MachineMatchingStrategy)
	assert.Equal(t, "UNIQUE_PER_MACHINE", pol.ComponentUniquenessStrategy)
	assert.Equal(t, "MATCH_ANY", pol.ComponentMatchingStrategy)
	assert.Equal(t, "RESTRICT_ACCESS", pol.ExpirationStrategy)
	assert.Equal(t, "FROM_CREATION", pol.ExpirationBasis)
	assert.Equal(t, "FROM_EXPIRY", pol.RenewalBasis)
	assert.Equal(t, "KEEP_EXPIRY", pol.TransferStrategy)
	assert.Equal(t, "TOKEN", pol.AuthenticationStrategy)
	assert.Equal(t, "PER_LICENSE", pol.MachineLeasingStrategy)
	assert.Equal(t, "PER_MACHINE", pol.ProcessLeasingStrategy)
	assert.Equal(t, "NO_OVERAGE", pol.OverageStrategy)
	assert.Nil(t, pol.Scheme)
	assert.False(t, pol.Encrypted)
	assert.False(t, pol.Protected)
	assert.False(t, pol.RequireProductScope)
	assert.False(t, pol.RequirePolicyScope)
	assert.False(t, pol.RequireMachineScope)
	assert.False(t, pol.RequireFingerprintScope)
	assert.False(t, pol.RequireComponentsScope)
	assert.False(t, pol.RequireUserScope)
	assert.False(t, pol.RequireChecksumScope)
	assert.False(t, pol.RequireVersionScope)
	assert.False(t, pol.RequireCheckIn)
	assert.Nil(t, pol.CheckInInterval)
	assert.Nil(t, pol.CheckInIntervalCount)
	assert.False(t, pol.RequireHeartbeat)
	assert.Nil(t, pol.HeartbeatDuration)
	assert.Equal(t, "DEACTIVATE_DEAD", pol.HeartbeatCullStrategy)
	assert.Equal(t, "NO_REVIVE", pol.HeartbeatResurrectionStrategy)
	assert.Equal(t, "FROM_FIRST_PING", pol.HeartbeatBasis, "FROM_FIRST_PING when heartbeats are not required")
	assert.Empty(t, pol.Metadata)
	recent(t, pol.Created, 0)

	// With requireHeartbeat the heartbeat basis defaults to FROM_CREATION.
	hb := e.policy(keygen.PolicyCreateOptions{ProductID: prod.ID, RequireHeartbeat: keygen.Ptr(true), HeartbeatDuration: keygen.Ptr(120)})
	assert.True(t, hb.RequireHeartbeat)
	assert.Equal(t, "FROM_CREATION", hb.HeartbeatBasis)
	require.NotNil(t, hb.HeartbeatDuration)
	assert.Equal(t, 120, *hb.HeartbeatDuration)
}

func TestE2EPoliciesCRUD(t *testing.T) {
	t.Parallel()
	e := newE2E(t)
	prodA, prodB := e.product("A"), e.product("B")

	pol, err := e.admin.Policies.Create(e.ctx, keygen.PolicyCreateOptions{
		ProductID:            prodA.ID,
		Name:                 "Floating",
		Duration:             keygen.Ptr(30 * 86400),
		Floating:             keygen.Ptr(true),
		Strict:               keygen.Ptr(true),
		MaxMachines:          keygen.Ptr(5),
		MaxUses:              keygen.Ptr(0),
		ExpirationStrategy:   "ALLOW_ACCESS",
		RequireCheckIn:       keygen.Ptr(true),
		CheckInInterval:      "week",
		CheckInIntervalCount: keygen.Ptr(2),
		Scheme:               "ED25519_SIGN",
		Metadata:             map[string]any{"planName": "pro"},
	})
	require.NoError(t, err)
	require.NotNil(t, pol.Duration)
	assert.Equal(t, 30*86400, *pol.Duration)
	assert.True(t, pol.Floating)
	assert.True(t, pol.Strict)
	require.NotNil(t, pol.MaxMachines)
	assert.Equal(t, 5, *pol.MaxMachines)
	require.NotNil(t, pol.MaxUses, "0 is sent on purpose, not dropped")
	assert.Equal(t, 0, *pol.MaxUses)
	assert.Equal(t, "ALLOW_ACCESS", pol.ExpirationStrategy)
	assert.True(t, pol.RequireCheckIn)
	require.NotNil(t, pol.CheckInInterval)
	assert.Equal(t, "week", *pol.CheckInInterval)
	require.NotNil(t, pol.CheckInIntervalCount)
	assert.Equal(t, 2, *pol.CheckInIntervalCount)
	require.NotNil(t, pol.Scheme)
	assert.Equal(t, "ED25519_SIGN", *pol.Scheme)
	assert.Equal(t, map[string]any{"planName": "pro"}, pol.Metadata)

	got, err := e.admin.Policies.Get(e.ctx, pol.ID)
	require.NoError(t, err)
	assert.Equal(t, pol, got)

	// Nullable updates: clearing duration makes licenses stop expiring, clearing
	// maxMachines lifts the limit; unset fields stay.
	e.srv.Advance(time.Second)
	up, err := e.admin.Policies.Update(e.ctx, pol.ID, keygen.PolicyUpdateOptions{
		Name:        keygen.Ptr("Floating v2"),
		Duration:    keygen.Null[int](),
		MaxMachines: keygen.Null[int](),
		Strict:      keygen.Ptr(false),
	})
	require.NoError(t, err)
	assert.Equal(t, "Floating v2", up.Name)
	assert.Nil(t, up.Duration)
	assert.Nil(t, up.MaxMachines)
	assert.False(t, up.Strict)
	assert.True(t, up.Floating, "unchanged")
	assert.Equal(t, "ALLOW_ACCESS", up.ExpirationStrategy, "unchanged")
	assert.True(t, up.Updated.After(pol.Updated))
	up, err = e.admin.Policies.Update(e.ctx, pol.ID, keygen.PolicyUpdateOptions{Duration: keygen.Set(86400)})
	require.NoError(t, err)
	require.NotNil(t, up.Duration)
	assert.Equal(t, 86400, *up.Duration)

	// List with the product filter (§1.9), and All.
	other := e.policy(keygen.PolicyCreateOptions{ProductID: prodB.ID})
	listA, err := e.admin.Policies.List(e.ctx, &keygen.PolicyListOptions{Product: prodA.ID})
	require.NoError(t, err)
	assert.Equal(t, []string{pol.ID}, ids(listA.Data, func(p *keygen.Policy) string { return p.ID }))
	all := collect(t, e.admin.Policies.All(e.ctx, &keygen.PolicyListOptions{ListOptions: keygen.ListOptions{PageSize: 1}}))
	assert.ElementsMatch(t, []string{pol.ID, other.ID}, ids(all, func(p *keygen.Policy) string { return p.ID }))
	allB := collect(t, e.admin.Policies.All(e.ctx, &keygen.PolicyListOptions{Product: prodB.ID}))
	assert.Equal(t, []string{other.ID}, ids(allB, func(p *keygen.Policy) string { return p.ID }))

	require.NoError(t, e.admin.Policies.Delete(e.ctx, pol.ID))
	_, err = e.admin.Policies.Get(e.ctx, pol.ID)
	errWithCode(t, err, 404, keygen.CodeNotFound, "")

	// Deleting a product cascades to its policies (§2.2).
	require.NoError(t, e.admin.Products.Delete(e.ctx, prodB.ID))
	_, err = e.admin.Policies.Get(e.ctx, other.ID)
	apiErr(t, err, 404)
}

func TestE2EPoliciesErrors(t *testing.T) {
	t.Parallel()
	e := newE2E(t)
	prod := e.product("App")
	pol := e.policy(keygen.PolicyCreateOptions{ProductID: prod.ID})

	// §1.2: typed params refuse a blank string before the model sees it (400 "cannot be blank").
	_, err := e.admin.Policies.Update(e.ctx, pol.ID, keygen.PolicyUpdateOptions{Name: keygen.Ptr("")})
	bad := apiErr(t, err, 400)
	assert.Equal(t, "cannot be blank", bad.Errors[0].Detail)
	assert.Equal(t, "/data/attributes/name", bad.Errors[0].Source.Pointer)

	// duration ≥ 86400 (numeric comparisons map to _INVALID, §1.6).
	_, err = e.admin.Policies.Create(e.ctx, keygen.PolicyCreateOptions{ProductID: prod.ID, Name: "Short", Duration: keygen.Ptr(3600)})
	errWithCode(t, err, 422, "DURATION_INVALID", "/data/attributes/duration")

	// A missing relationship is <REL>_NOT_FOUND with a relationship pointer (§1.5).
	_, err = e.admin.Policies.Create(e.ctx, keygen.PolicyCreateOptions{ProductID: "00000000-0000-4000-8000-000000000000", Name: "Orphan"})
	errWithCode(t, err, 422, "PRODUCT_NOT_FOUND", "/data/relationships/product")

	// Inclusion checks map to _NOT_ALLOWED.
	_, err = e.admin.Policies.Create(e.ctx, keygen.PolicyCreateOptions{ProductID: prod.ID, Name: "Bad", ExpirationStrategy: "FOREVER"})
	errWithCode(t, err, 422, "EXPIRATION_STRATEGY_NOT_ALLOWED", "/data/attributes/expirationStrategy")
	_, err = e.admin.Policies.Create(e.ctx, keygen.PolicyCreateOptions{ProductID: prod.ID, Name: "Bad", Scheme: "ROT13"})
	errWithCode(t, err, 422, "SCHEME_NOT_ALLOWED", "/data/attributes/scheme")

	// A pool cannot go with a scheme (§2.3).
	_, err = e.admin.Policies.Create(e.ctx, keygen.PolicyCreateOptions{ProductID: prod.ID, Name: "Bad", UsePool: keygen.Ptr(true), Scheme: "ED25519_SIGN"})
	errWithCode(t, err, 422, "SCHEME_NOT_SUPPORTED", "/data/attributes/scheme")

	// Node-locked policies take maxMachines 1 only.
	_, err = e.admin.Policies.Update(e.ctx, pol.ID, keygen.PolicyUpdateOptions{MaxMachines: keygen.Set(3)})
	errWithCode(t, err, 422, "MAX_MACHINES_INVALID", "/data/attributes/maxMachines")

	_, err = e.admin.Policies.Get(e.ctx, "00000000-0000-4000-8000-000000000000")
	errWithCode(t, err, 404, keygen.CodeNotFound, "")
}
