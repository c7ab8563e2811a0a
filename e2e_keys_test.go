package keygen_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	keygen "github.com/licensekit/keygen"
)

func TestE2EKeysAndPool(t *testing.T) {
	t.Parallel()
	e := newE2E(t)
	prodA, prodB := e.product("A"), e.product("B")
	pooled := e.policy(keygen.PolicyCreateOptions{ProductID: prodA.ID, UsePool: keygen.Ptr(true)})
	require.True(t, pooled.UsePool)
	pooledB := e.policy(keygen.PolicyCreateOptions{ProductID: prodB.ID, UsePool: keygen.Ptr(true)})
	plain := e.policy(keygen.PolicyCreateOptions{ProductID: prodA.ID})

	// Keys: the product relationship comes from the policy (keygen-sh/keygen-api,
	// app/models/key.rb).
	var keys []*keygen.Key
	for _, s := range []string{"POOLKEY-0001", "POOLKEY-0002", "POOLKEY-0003"} {
		k, err := e.admin.Keys.Create(e.ctx, keygen.KeyCreateOptions{Key: s, PolicyID: pooled.ID})
		require.NoError(t, err)
		assert.Equal(t, s, k.Key)
		assert.Equal(t, pooled.ID, k.PolicyID)
		assert.Equal(t, prodA.ID, k.ProductID)
		assert.Equal(t, e.srv.AccountID, k.AccountID)
		recent(t, k.Created, time.Minute)
		keys = append(keys, k)
		e.srv.Advance(time.Second)
	}
	kb, err := e.admin.Keys.Create(e.ctx, keygen.KeyCreateOptions{Key: "OTHERKEY-0001", PolicyID: pooledB.ID})
	require.NoError(t, err)

	got, err := e.admin.Keys.Get(e.ctx, keys[1].ID)
	require.NoError(t, err)
	assert.Equal(t, keys[1], got)

	// Errors: a key already in use, a too-short key, an unpooled policy (§2.8, §1.6).
	_, err = e.admin.Keys.Create(e.ctx, keygen.KeyCreateOptions{Key: "POOLKEY-0001", PolicyID: pooled.ID})
	errWithCode(t, err, 422, keygen.CodeKeyTaken, "/data/attributes/key")
	_, err = e.admin.Keys.Create(e.ctx, keygen.KeyCreateOptions{Key: "short", PolicyID: pooled.ID})
	errWithCode(t, err, 422, "KEY_TOO_SHORT", "/data/attributes/key")
	_, err = e.admin.Keys.Create(e.ctx, keygen.KeyCreateOptions{Key: "UNPOOLED-0001", PolicyID: plain.ID})
	errWithCode(t, err, 422, "POLICY_NOT_SUPPORTED", "/data/relationships/policy")

	// Update and the list filters.
	up, err := e.admin.Keys.Update(e.ctx, keys[2].ID, keygen.KeyUpdateOptions{Key: keygen.Ptr("POOLKEY-0003-B")})
	require.NoError(t, err)
	assert.Equal(t, "POOLKEY-0003-B", up.Key)
	assert.Equal(t, keys[2].ID, up.ID)

	byPolicy, err := e.admin.Keys.List(e.ctx, &keygen.KeyListOptions{Policy: pooled.ID})
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{keys[0].ID, keys[1].ID, keys[2].ID}, ids(byPolicy.Data, func(k *keygen.Key) string { return k.ID }))
	byProduct, err := e.admin.Keys.List(e.ctx, &keygen.KeyListOptions{Product: prodB.ID})
	require.NoError(t, err)
	assert.Equal(t, []string{kb.ID}, ids(byProduct.Data, func(k *keygen.Key) string { return k.ID }))
	all := collect(t, e.admin.Keys.All(e.ctx, &keygen.KeyListOptions{ListOptions: keygen.ListOptions{PageSize: 2}}))
	assert.Len(t, all, 4)

	// PopKey takes the oldest key out of the pool and answers with it (§2.3).
	popped, err := e.admin.Policies.PopKey(e.ctx, pooled.ID)
	require.NoError(t, err)
	assert.Equal(t, keys[0].ID, popped.ID)
	assert.Equal(t, "POOLKEY-0001", popped.Key)
	assert.Equal(t, pooled.ID, popped.PolicyID)
	_, err = e.admin.Keys.Get(e.ctx, keys[0].ID)
	errWithCode(t, err, 404, keygen.CodeNotFound, "")

	require.NoError(t, e.admin.Keys.Delete(e.ctx, keys[1].ID))
	popped, err = e.admin.Policies.PopKey(e.ctx, pooled.ID)
	require.NoError(t, err)
	assert.Equal(t, keys[2].ID, popped.ID)

	// An empty pool and an unpooled policy are 422s with detail and pointer
	// /data/relationships/pool and no code (§2.3). (POLICY_POOL_EMPTY is the code of a
	// license created on an empty pooled policy, §2.6.)
	_, err = e.admin.Policies.PopKey(e.ctx, pooled.ID)
	e1 := apiErr(t, err, 422)
	assert.Equal(t, "pool is empty", e1.Errors[0].Detail)
	assert.Equal(t, "/data/relationships/pool", e1.Errors[0].Source.Pointer)
	_, err = e.admin.Policies.PopKey(e.ctx, plain.ID)
	e2 := apiErr(t, err, 422)
	assert.Equal(t, "pool is not supported", e2.Errors[0].Detail)
	assert.Equal(t, "/data/relationships/pool", e2.Errors[0].Source.Pointer)
}

// TestE2EKeysProductToken: a product token manages its own product's keys and sees no
// other product's (§1.15: keys CRUD "own").
func TestE2EKeysProductToken(t *testing.T) {
	t.Parallel()
	e := newE2E(t)
	prodA, prodB := e.product("A"), e.product("B")
	polA := e.policy(keygen.PolicyCreateOptions{ProductID: prodA.ID, UsePool: keygen.Ptr(true)})
	polB := e.policy(keygen.PolicyCreateOptions{ProductID: prodB.ID, UsePool: keygen.Ptr(true)})
	kb, err := e.admin.Keys.Create(e.ctx, keygen.KeyCreateOptions{Key: "B-KEY-00001", PolicyID: polB.ID})
	require.NoError(t, err)

	pc := e.tokenClient(e.bearerToken("products", prodA.ID))
	ka, err := pc.Keys.Create(e.ctx, keygen.KeyCreateOptions{Key: "A-KEY-00001", PolicyID: polA.ID})
	require.NoError(t, err)
	page, err := pc.Keys.List(e.ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{ka.ID}, ids(page.Data, func(k *keygen.Key) string { return k.ID }))
	_, err = pc.Keys.Get(e.ctx, kb.ID)
	errWithCode(t, err, 404, keygen.CodeNotFound, "")
	popped, err := pc.Policies.PopKey(e.ctx, polA.ID)
	require.NoError(t, err)
	assert.Equal(t, ka.ID, popped.ID)
	_, err = pc.Policies.PopKey(e.ctx, polB.ID)
	apiErr(t, err, 404)
}
