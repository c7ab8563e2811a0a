package keygentest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Policy relationships: the key pool, licenses and product
// (features/api/v1/policies/relationships/*.feature).

func TestPoliciesPool(t *testing.T) {
	t.Parallel()
	tt := newWorld(t)
	prod := tt.product()
	pooled := tt.policy(prod, map[string]any{"usePool": true, "floating": true})
	plain := tt.policy(prod, nil)
	keyRel := func(pol string) map[string]any { return map[string]any{"policy": link("policies", pol)} }

	first := tt.mustCreate("/keys", "keys", map[string]any{"key": "first-key-0001"}, keyRel(pooled))
	tt.mustCreate("/keys", "keys", map[string]any{"key": "second-key-002"}, keyRel(pooled))

	t.Run("pop returns the oldest key and removes it", func(t *testing.T) {
		r := tt.do(req{method: "DELETE", path: "/policies/" + pooled + "/pool"})
		require.Equal(t, 200, r.status, string(r.body))
		assert.Equal(t, "keys", r.data()["type"])
		assert.Equal(t, first, r.id())
		assert.Equal(t, 404, tt.get("/keys/"+first).status)
		assert.Len(t, tt.get("/keys?policy="+pooled).list(), 1)
	})
	t.Run("pool errors", func(t *testing.T) {
		tt.do(req{method: "DELETE", path: "/policies/" + pooled + "/pool"})
		r := tt.do(req{method: "DELETE", path: "/policies/" + pooled + "/pool"})
		require.Equal(t, 422, r.status)
		assert.Equal(t, "pool is empty", r.detail())
		assert.Equal(t, "/data/relationships/pool", r.source()["pointer"])
		r = tt.do(req{method: "DELETE", path: "/policies/" + plain + "/pool"})
		require.Equal(t, 422, r.status)
		assert.Equal(t, "pool is not supported", r.detail())
	})
}

func TestPoliciesRelationships(t *testing.T) {
	t.Parallel()
	w := newTeamWorld(t).addLicensees().addPoolsAndMachines()
	tt := w
	foreign := bearer(newWorld(t).srv.AdminToken)
	pool, lics, prod := "policies/relationships/pool.feature: ", "policies/relationships/licenses.feature: ", "policies/relationships/product.feature: "
	pp := "/policies/" + w.poolPol + "/pool"
	tt.run(t, []apiCase{
		{name: pool + "Admin retrieves the pool for a policy", r: getAs(pp, ""), status: 200, check: listLen(2)},
		{name: pool + "Admin retrieves a key from the pool", r: getAs(pp+"/"+w.key0, ""), status: 200, check: dataID(w.key0)},
		{name: pool + "Admin retrieves the pool of an unpooled policy", r: getAs("/policies/"+w.pol+"/pool", ""), status: 200, check: listLen(0)},
		{name: pool + "Admin retrieves a key from the pool of an unpooled policy", r: getAs("/policies/"+w.pol+"/pool/"+w.key0, ""), status: 404},
		{name: pool + "Product retrieves the pool for a policy", r: getAs(pp, bearer(w.prodTok)), status: 200, check: listLen(2)},
		{name: pool + "Product retrieves the pool for a policy of another product", r: getAs(pp, bearer(w.prod2Tok)), status: 404},
		{name: pool + "License attempts to retrieve the pool for a policy", r: getAs(pp, bearer(w.licTok)), status: 404},
		{name: pool + "User attempts to retrieve the pool for a policy", r: getAs(pp, bearer(w.userTok)), status: 404},
		{name: pool + "Admin attempts to retrieve the pool for a policy of another account", r: getAs(pp, foreign), status: 401},
		{name: pool + "Admin attempts to pop a key from an empty pool", r: req{method: "DELETE", path: "/policies/" + w.emptyPol + "/pool"}, status: 422,
			detail: "pool is empty", title: "Unprocessable entity", source: map[string]any{"pointer": "/data/relationships/pool"}},
		{name: pool + "Admin attempts to pop a key from a policy that doesn't use a pool", r: req{method: "DELETE", path: "/policies/" + w.pol + "/pool"}, status: 422,
			detail: "pool is not supported", title: "Unprocessable entity", source: map[string]any{"pointer": "/data/relationships/pool"}},
		{name: pool + "Product attempts to pop a key from a pool for a policy of another product", r: req{method: "DELETE", path: pp, auth: bearer(w.prod2Tok)}, status: 404},
		{name: pool + "License attempts to pop a key from a pool for a policy", r: req{method: "DELETE", path: "/policies/" + w.pol + "/pool", auth: bearer(w.licTok)}, status: 403, detail: licLacks},
		{name: pool + "User attempts to pop a key from a pool for a policy", r: req{method: "DELETE", path: "/policies/" + w.pol + "/pool", auth: bearer(w.userTok)}, status: 403, detail: userLacks},
		{name: pool + "Admin attempts to pop a key from a pool for another account", r: req{method: "DELETE", path: pp, auth: foreign}, status: 401},
		{name: pool + "Admin pops a key from a pool", r: req{method: "DELETE", path: pp}, status: 200,
			check: func(t *testing.T, _ *world, r *reply) { assert.Equal(t, "keys", r.data()["type"]) }},
		{name: pool + "Product pops a key from a pool", r: req{method: "DELETE", path: pp, auth: bearer(w.prodTok)}, status: 200,
			check: func(t *testing.T, _ *world, r *reply) { assert.Equal(t, "keys", r.data()["type"]) }},

		{name: lics + "Admin retrieves the licenses for a policy", r: getAs("/policies/"+w.pol+"/licenses", ""), status: 200, check: listLen(2)},
		{name: lics + "Product retrieves the licenses for a policy", r: getAs("/policies/"+w.pol+"/licenses", bearer(w.prodTok)), status: 200, check: listLen(2)},
		{name: lics + "Admin retrieves a license for a policy", r: getAs("/policies/"+w.pol+"/licenses/"+w.lic, ""), status: 200, check: dataID(w.lic)},
		{name: lics + "Product retrieves a license for a policy", r: getAs("/policies/"+w.pol+"/licenses/"+w.lic, bearer(w.prodTok)), status: 200, check: dataID(w.lic)},
		{name: lics + "Admin retrieves a license of another policy (not found)", r: getAs("/policies/"+w.pol+"/licenses/"+w.lic2, ""), status: 404,
			detail: "The requested license '" + w.lic2 + "' was not found"},
		{name: lics + "Product retrieves the licenses for a policy of another product", r: getAs("/policies/"+w.pol+"/licenses", bearer(w.prod2Tok)), status: 404},
		{name: lics + "License attempts to retrieve the licenses for their policy", r: getAs("/policies/"+w.pol+"/licenses", bearer(w.licTok)), status: 403, detail: denied},
		{name: lics + "License attempts to retrieve the licenses for a policy", r: getAs("/policies/"+w.pol2+"/licenses", bearer(w.licTok)), status: 404},
		{name: lics + "User attempts to retrieve the licenses for their policy", r: getAs("/policies/"+w.pol+"/licenses", bearer(w.userTok)), status: 403},
		{name: lics + "User attempts to retrieve the licenses for a policy", r: getAs("/policies/"+w.pol2+"/licenses", bearer(w.userTok)), status: 404},
		{name: lics + "Admin attempts to retrieve the licenses for a policy of another account", r: getAs("/policies/"+w.pol+"/licenses", foreign), status: 401},

		{name: prod + "Admin retrieves the product for a policy", r: getAs("/policies/"+w.pol+"/product", ""), status: 200, check: dataID(w.prod)},
		{name: prod + "Product retrieves the product for a policy", r: getAs("/policies/"+w.pol+"/product", bearer(w.prodTok)), status: 200, check: dataID(w.prod)},
		{name: prod + "Product retrieves the product for a policy of another product", r: getAs("/policies/"+w.pol+"/product", bearer(w.prod2Tok)), status: 404},
		{name: prod + "License attempts to retrieve the product for their policy", r: getAs("/policies/"+w.pol+"/product", bearer(w.licTok)), status: 403, detail: licLacks},
		{name: prod + "License attempts to retrieve the product for a policy", r: getAs("/policies/"+w.pol2+"/product", bearer(w.licTok)), status: 404},
		{name: prod + "User attempts to retrieve the product for their policy", r: getAs("/policies/"+w.pol+"/product", bearer(w.userTok)), status: 403, detail: userLacks},
		{name: prod + "User attempts to retrieve the product for a policy", r: getAs("/policies/"+w.pol2+"/product", bearer(w.userTok)), status: 404},
		{name: prod + "Admin attempts to retrieve the product for a policy of another account", r: getAs("/policies/"+w.pol+"/product", foreign), status: 401},
	})
	// After two pops the pool is empty.
	assert.Len(t, tt.get(pp).list(), 0)
}
