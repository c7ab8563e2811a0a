package keygentest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestProducts pins §2.2.
func TestProducts(t *testing.T) {
	tt := newWorld(t)
	r := tt.do(req{method: "POST", path: "/products", body: doc("products", map[string]any{
		"name": "Cool App", "code": "cool", "url": "http://example.com", "platforms": []string{"iOS"}}, nil)})
	require.Equal(t, 201, r.status, string(r.body))
	id := r.id()
	assert.Equal(t, "LICENSED", r.attrs()["distributionStrategy"], "default distribution")
	assert.Equal(t, map[string]any{}, r.attrs()["metadata"], "§1.4 metadata {} when empty")
	assert.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`, r.attrs()["created"], "§1.4 time format")
	assert.Equal(t, tt.srv.URL+"/v1/accounts/"+tt.srv.AccountID+"/products/"+id, r.header.Get("Location"))
	rel := r.data()["relationships"].(map[string]any)
	assert.Equal(t, map[string]any{"links": map[string]any{"related": "/v1/accounts/" + tt.srv.AccountID + "/products/" + id + "/policies"}}, rel["policies"])

	assert.Equal(t, id, tt.get("/products/COOL").id(), "§1.1 code alias, case-insensitive")

	cases := []struct {
		name    string
		attrs   map[string]any
		code    string
		pointer string
	}{
		{"§2.2 CODE_TAKEN", map[string]any{"name": "x", "code": "Cool"}, "CODE_TAKEN", "/data/attributes/code"},
		{"§2.2 bad protocol", map[string]any{"name": "x", "url": "file:///boom.sh"}, "URL_PROTOCOL_INVALID", "/data/attributes/url"},
		{"§2.2 distribution", map[string]any{"name": "x", "distributionStrategy": "FREE"}, "DISTRIBUTION_STRATEGY_NOT_ALLOWED", "/data/attributes/distributionStrategy"},
		{"§1.1 reserved code", map[string]any{"name": "x", "code": "actions"}, "CODE_NOT_ALLOWED", "/data/attributes/code"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := tt.do(req{method: "POST", path: "/products", body: doc("products", c.attrs, nil)})
			require.Equal(t, 422, r.status, string(r.body))
			assert.Equal(t, "Unprocessable resource", r.err(0)["title"])
			assert.Equal(t, c.code, r.code())
			assert.Equal(t, c.pointer, r.source()["pointer"])
		})
	}

	t.Run("update via PATCH and PUT, nullable url", func(t *testing.T) {
		r := tt.do(req{method: "PATCH", path: "/products/" + id, body: doc("products", map[string]any{"url": nil}, nil)})
		require.Equal(t, 200, r.status, string(r.body))
		assert.Nil(t, r.attrs()["url"])
		r = tt.do(req{method: "PUT", path: "/products/" + id, body: doc("products", map[string]any{"name": "Renamed"}, nil)})
		require.Equal(t, 200, r.status)
		assert.Equal(t, "Renamed", r.attrs()["name"])
	})
	t.Run("a product sees only itself", func(t *testing.T) {
		other := tt.product()
		_, tok := tt.tokenFor("products", other, nil)
		assert.Equal(t, 404, tt.do(req{method: "GET", path: "/products/" + id, auth: "Bearer " + tok}).status)
		assert.Equal(t, 200, tt.do(req{method: "GET", path: "/products/" + other, auth: "Bearer " + tok}).status)
		assert.Equal(t, 403, tt.do(req{method: "DELETE", path: "/products/" + other, auth: "Bearer " + tok}).status)
	})
	t.Run("delete 204 then 404", func(t *testing.T) {
		r := tt.do(req{method: "DELETE", path: "/products/" + id})
		assert.Equal(t, 204, r.status)
		assert.Empty(t, r.body)
		r = tt.get("/products/" + id)
		assert.Equal(t, 404, r.status)
		assert.Equal(t, "The requested product '"+id+"' was not found", r.detail())
	})
}

// TestPolicies pins §2.3 defaults and validation codes.
func TestPolicies(t *testing.T) {
	tt := newWorld(t)
	prod := tt.product()
	rel := map[string]any{"product": link("products", prod)}
	r := tt.do(req{method: "POST", path: "/policies", body: doc("policies", map[string]any{"name": "Default"}, rel)})
	require.Equal(t, 201, r.status, string(r.body))
	defaults := map[string]any{
		"duration": nil, "strict": false, "floating": false, "usePool": false, "maxMachines": float64(1),
		"machineUniquenessStrategy": "UNIQUE_PER_LICENSE", "machineMatchingStrategy": "MATCH_ANY",
		"componentUniquenessStrategy": "UNIQUE_PER_MACHINE", "componentMatchingStrategy": "MATCH_ANY",
		"expirationStrategy": "RESTRICT_ACCESS", "expirationBasis": "FROM_CREATION", "renewalBasis": "FROM_EXPIRY",
		"transferStrategy": "KEEP_EXPIRY", "authenticationStrategy": "TOKEN", "machineLeasingStrategy": "PER_LICENSE",
		"processLeasingStrategy": "PER_MACHINE", "overageStrategy": "NO_OVERAGE", "scheme": nil, "encrypted": false,
		"protected": false, "requireCheckIn": false, "checkInInterval": nil, "heartbeatDuration": nil,
		"heartbeatCullStrategy": "DEACTIVATE_DEAD", "heartbeatResurrectionStrategy": "NO_REVIVE",
		"heartbeatBasis": "FROM_FIRST_PING", "requireHeartbeat": false, "metadata": map[string]any{},
	}
	for k, v := range defaults {
		assert.Equal(t, v, r.attrs()[k], k)
	}
	polID := r.id()
	assert.Equal(t, prod, r.data()["relationships"].(map[string]any)["product"].(map[string]any)["data"].(map[string]any)["id"])

	r = tt.do(req{method: "POST", path: "/policies", headers: map[string]string{"Keygen-Version": "1.1"}, body: doc("policies", map[string]any{"name": "Old"}, rel)})
	require.Equal(t, 201, r.status)
	assert.Equal(t, "ALWAYS_ALLOW_OVERAGE", r.attrs()["overageStrategy"], "§1.12 v1.1 default overage")
	assert.Equal(t, "PER_MACHINE", r.attrs()["leasingStrategy"], "§1.12 ≤1.6 leasingStrategy name")

	cases := []struct {
		name    string
		attrs   map[string]any
		code    string
		pointer string
		detail  string
	}{
		{"§2.3 name missing", map[string]any{}, "NAME_MISSING", "/data/attributes/name", "can't be blank"},
		{"§2.3 node-locked max machines", map[string]any{"name": "n", "floating": false, "maxMachines": 5}, "MAX_MACHINES_INVALID", "/data/attributes/maxMachines", "must be equal to 1 for non-floating policy"},
		{"§2.3 floating max machines 0", map[string]any{"name": "n", "floating": true, "maxMachines": 0}, "MAX_MACHINES_INVALID", "/data/attributes/maxMachines", "must be greater than or equal to 1 for floating policy"},
		{"§2.3 duration too short", map[string]any{"name": "n", "duration": 3600}, "DURATION_INVALID", "/data/attributes/duration", "must be greater than or equal to 86400 (1 day)"},
		{"§2.3 heartbeat too short", map[string]any{"name": "n", "heartbeatDuration": 10}, "HEARTBEAT_DURATION_INVALID", "/data/attributes/heartbeatDuration", "must be greater than or equal to 60 (1 minute)"},
		{"§2.3 unknown scheme", map[string]any{"name": "n", "scheme": "ROT13"}, "SCHEME_NOT_ALLOWED", "/data/attributes/scheme", "unsupported signing scheme"},
		{"§2.3 unknown strategy", map[string]any{"name": "n", "expirationStrategy": "NEVER"}, "EXPIRATION_STRATEGY_NOT_ALLOWED", "/data/attributes/expirationStrategy", "unsupported expiration strategy"},
		{"§2.3 1.25x on node-locked", map[string]any{"name": "n", "overageStrategy": "ALLOW_1_25X_OVERAGE"}, "OVERAGE_STRATEGY_NOT_ALLOWED", "/data/attributes/overageStrategy", "incompatible overage strategy (cannot use ALLOW_1_25X_OVERAGE for node-locked policy)"},
		{"§2.3 1.5x divisibility", map[string]any{"name": "n", "floating": true, "maxMachines": 3, "overageStrategy": "ALLOW_1_5X_OVERAGE"}, "OVERAGE_STRATEGY_NOT_ALLOWED", "/data/attributes/overageStrategy", "incompatible overage strategy (cannot use ALLOW_1_5X_OVERAGE with a max machines value not divisible by 2)"},
		{"§2.3 check-in interval", map[string]any{"name": "n", "requireCheckIn": true, "checkInIntervalCount": 1}, "CHECK_IN_INTERVAL_NOT_ALLOWED", "/data/attributes/checkInInterval", "must be one of: day, week, month, year"},
		{"§2.3 pool with scheme", map[string]any{"name": "n", "usePool": true, "scheme": "ED25519_SIGN"}, "SCHEME_NOT_SUPPORTED", "/data/attributes/scheme", "cannot use a scheme and use a pool"},
		{"§2.3 ALWAYS_REVIVE needs KEEP_DEAD", map[string]any{"name": "n", "heartbeatResurrectionStrategy": "ALWAYS_REVIVE"}, "HEARTBEAT_CULL_STRATEGY_NOT_ALLOWED", "/data/attributes/heartbeatCullStrategy", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := tt.do(req{method: "POST", path: "/policies", body: doc("policies", c.attrs, rel)})
			require.Equal(t, 422, r.status, string(r.body))
			assert.Equal(t, c.code, r.code())
			assert.Equal(t, c.pointer, r.source()["pointer"])
			if c.detail != "" {
				assert.Equal(t, c.detail, r.detail())
			}
		})
	}
	t.Run("§1.5 unknown product", func(t *testing.T) {
		r := tt.do(req{method: "POST", path: "/policies", body: doc("policies", map[string]any{"name": "n"}, map[string]any{"product": link("products", tt.srv.AccountID)})})
		require.Equal(t, 422, r.status)
		assert.Equal(t, "PRODUCT_NOT_FOUND", r.code())
		assert.Equal(t, "/data/relationships/product", r.source()["pointer"])
	})
	t.Run("§2.3 update cannot change usePool", func(t *testing.T) {
		r := tt.do(req{method: "PATCH", path: "/policies/" + polID, body: doc("policies", map[string]any{"usePool": true}, nil)})
		assert.Equal(t, 400, r.status)
		assert.Equal(t, "unpermitted parameter", r.detail())
	})
	t.Run("§1.9 product filter", func(t *testing.T) {
		other := tt.product()
		tt.policy(other, nil)
		assert.Len(t, tt.get("/policies?product="+other).list(), 1)
		assert.Len(t, tt.get("/policies?product="+prod).list(), 2)
	})
}

// TestPoolAndKeys pins §2.3 pool pop and §2.8 keys.
func TestKeysCreateAndShow(t *testing.T) {
	tt := newWorld(t)
	prod := tt.product()
	pooled := tt.policy(prod, map[string]any{"usePool": true, "floating": true})
	plain := tt.policy(prod, nil)
	keyRel := func(pol string) map[string]any { return map[string]any{"policy": link("policies", pol)} }

	tt.mustCreate("/keys", "keys", map[string]any{"key": "first-key-0001"}, keyRel(pooled))
	tt.mustCreate("/keys", "keys", map[string]any{"key": "second-key-002"}, keyRel(pooled))

	cases := []struct {
		name    string
		attrs   map[string]any
		pol     string
		code    string
		pointer string
	}{
		{"§2.8 KEY_TAKEN", map[string]any{"key": "first-key-0001"}, pooled, "KEY_TAKEN", "/data/attributes/key"},
		{"§2.8 KEY_TOO_SHORT", map[string]any{"key": "short"}, pooled, "KEY_TOO_SHORT", "/data/attributes/key"},
		{"§2.8 unpooled policy", map[string]any{"key": "whatever-key"}, plain, "POLICY_NOT_SUPPORTED", "/data/relationships/policy"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := tt.do(req{method: "POST", path: "/keys", body: doc("keys", c.attrs, keyRel(c.pol))})
			require.Equal(t, 422, r.status, string(r.body))
			assert.Equal(t, c.code, r.code())
			assert.Equal(t, c.pointer, r.source()["pointer"])
		})
	}
	t.Run("§2.8 users may not create keys", func(t *testing.T) {
		_, tok := tt.tokenFor("users", tt.createUser("u@example.com"), nil)
		r := tt.do(req{method: "POST", path: "/keys", auth: "Bearer " + tok, body: doc("keys", map[string]any{"key": "user-key-0001"}, keyRel(pooled))})
		assert.Equal(t, 403, r.status)
	})
	t.Run("§2.8 show unknown key", func(t *testing.T) {
		r := tt.get("/keys/invalid")
		assert.Equal(t, 404, r.status)
		assert.Equal(t, "The requested key 'invalid' was not found", r.detail())
	})
}

func TestPoliciesPool(t *testing.T) {
	tt := newWorld(t)
	prod := tt.product()
	pooled := tt.policy(prod, map[string]any{"usePool": true, "floating": true})
	plain := tt.policy(prod, nil)
	keyRel := func(pol string) map[string]any { return map[string]any{"policy": link("policies", pol)} }

	first := tt.mustCreate("/keys", "keys", map[string]any{"key": "first-key-0001"}, keyRel(pooled))
	tt.mustCreate("/keys", "keys", map[string]any{"key": "second-key-002"}, keyRel(pooled))

	t.Run("§2.3 pop returns the oldest key and removes it", func(t *testing.T) {
		r := tt.do(req{method: "DELETE", path: "/policies/" + pooled + "/pool"})
		require.Equal(t, 200, r.status, string(r.body))
		assert.Equal(t, "keys", r.data()["type"])
		assert.Equal(t, first, r.id())
		assert.Equal(t, 404, tt.get("/keys/"+first).status)
		assert.Len(t, tt.get("/keys?policy="+pooled).list(), 1)
	})
	t.Run("§2.3 pool errors", func(t *testing.T) {
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
