package keygentest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Keys, a policy's pool of license keys (features/api/v1/keys/*.feature,
// app/policies/key_policy.rb).

// TestKeysCreateAndShow pins key creation errors and reads
// (app/controllers/api/v1/keys_controller.rb).
func TestKeysCreateAndShow(t *testing.T) {
	t.Parallel()
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
		{"KEY_TAKEN", map[string]any{"key": "first-key-0001"}, pooled, "KEY_TAKEN", "/data/attributes/key"},
		{"KEY_TOO_SHORT", map[string]any{"key": "short"}, pooled, "KEY_TOO_SHORT", "/data/attributes/key"},
		{"unpooled policy", map[string]any{"key": "whatever-key"}, plain, "POLICY_NOT_SUPPORTED", "/data/relationships/policy"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := tt.do(req{method: "POST", path: "/keys", body: doc("keys", c.attrs, keyRel(c.pol))})
			require.Equal(t, 422, r.status, string(r.body))
			assert.Equal(t, c.code, r.code())
			assert.Equal(t, c.pointer, r.source()["pointer"])
		})
	}
	t.Run("users may not create keys", func(t *testing.T) {
		_, tok := tt.tokenFor("users", tt.createUser("u@example.com"), nil)
		r := tt.do(req{method: "POST", path: "/keys", auth: "Bearer " + tok, body: doc("keys", map[string]any{"key": "user-key-0001"}, keyRel(pooled))})
		assert.Equal(t, 403, r.status)
	})
	t.Run("show unknown key", func(t *testing.T) {
		r := tt.get("/keys/invalid")
		assert.Equal(t, 404, r.status)
		assert.Equal(t, "The requested key 'invalid' was not found", r.detail())
	})
}

func TestKeysWire(t *testing.T) {
	t.Parallel()
	tt := newResourceWorld(t)
	pooled, unpooled, userTok, prodTok := tt.poolPol, tt.pol, tt.userTok, tt.prodTok
	tt.run(t, []apiCase{
		{name: "key on unpooled policy", r: req{method: "POST", path: "/keys", body: doc("keys", map[string]any{"key": "abcdefgh"},
			map[string]any{"policy": link("policies", unpooled)})}, status: 422, code: "POLICY_NOT_SUPPORTED", detail: "cannot be added to an unpooled policy",
			source: map[string]any{"pointer": "/data/relationships/policy"}},
		{name: "key create 201", r: req{method: "POST", path: "/keys", body: doc("keys", map[string]any{"key": "pooled-key-1"},
			map[string]any{"policy": link("policies", pooled)})}, status: 201, attrs: map[string]any{"key": "pooled-key-1"}},
		{name: "product token sees its keys", r: req{method: "GET", path: "/keys", auth: "Bearer " + prodTok}, status: 200},
		{name: "user sees no keys list entries", r: req{method: "GET", path: "/keys", auth: "Bearer " + userTok}, status: 403},
	})
}

func TestKeysFeatures(t *testing.T) {
	t.Parallel()
	w := newTeamWorld(t).addLicensees()
	tt := w
	foreign := bearer(newWorld(t).srv.AdminToken)
	pooled := tt.policy(w.prod, map[string]any{"usePool": true})
	pooled2 := tt.policy(w.prod2, map[string]any{"usePool": true})
	newKey := func(pol, key, auth string) req {
		return req{method: "POST", path: "/keys", auth: auth, body: doc("keys", map[string]any{"key": key}, map[string]any{"policy": link("policies", pol)})}
	}
	key := tt.mustCreate("/keys", "keys", map[string]any{"key": "aaaaaaaaaa"}, map[string]any{"policy": link("policies", pooled)})
	key2 := tt.mustCreate("/keys", "keys", map[string]any{"key": "bbbbbbbbbb"}, map[string]any{"policy": link("policies", pooled2)})
	get := func(path, auth string) req { return req{method: "GET", path: path, auth: auth} }
	patchKey := func(id, auth string) req {
		return req{method: "PATCH", path: "/keys/" + id, auth: auth, body: doc("keys", map[string]any{"key": "c-" + id[:8]}, nil)}
	}
	ks, ki, kc, ku, kd := "keys/show.feature: ", "keys/index.feature: ", "keys/create.feature: ", "keys/update.feature: ", "keys/destroy.feature: "
	kp := "keys/relationships/policy.feature: "
	tt.run(t, []apiCase{
		{name: ks + "Admin retrieves a key for their account", r: get("/keys/"+key, ""), status: 200, attrs: map[string]any{"key": "aaaaaaaaaa"}},
		{name: ks + "Admin retrieves an invalid key for their account", r: get("/keys/invalid", ""), status: 404, detail: "The requested key 'invalid' was not found"},
		{name: ks + "Product retrieves a key for their product", r: get("/keys/"+key, bearer(w.prodTok)), status: 200},
		{name: ks + "Product attempts to retrieve a key for another product", r: get("/keys/"+key2, bearer(w.prodTok)), status: 404},
		{name: ks + "License attempts to retrieve a key", r: get("/keys/"+key, bearer(w.licTok)), status: 404},
		{name: ks + "User attempts to retrieve a key", r: get("/keys/"+key, bearer(w.userTok)), status: 404},
		{name: ks + "Admin attempts to retrieve a key for another account", r: get("/keys/"+key, foreign), status: 401},
		{name: ki + "Admin retrieves all keys for their account", r: get("/keys", ""), status: 200, check: listLen(2)},
		{name: ki + "Product retrieves all keys for their product", r: get("/keys", bearer(w.prodTok)), status: 200, check: listLen(1)},
		{name: ki + "License attempts to retrieve all keys for their account", r: get("/keys", bearer(w.licTok)), status: 403},
		{name: ki + "User attempts to retrieve all keys for their account", r: get("/keys", bearer(w.userTok)), status: 403},
		{name: kp + "Product retrieves the policy for a key", r: get("/keys/"+key+"/policy", bearer(w.prodTok)), status: 200},
		{name: kp + "Product retrieves the policy for a key of another product", r: get("/keys/"+key2+"/policy", bearer(w.prodTok)), status: 404},
		{name: kp + "License attempts to retrieve the policy for a key", r: get("/keys/"+key+"/policy", bearer(w.licTok)), status: 404},
		{name: kp + "User attempts to retrieve the policy for a key", r: get("/keys/"+key+"/policy", bearer(w.userTok)), status: 404},
		{name: kc + "Admin creates a key for a pooled policy", r: newKey(pooled, "rNxgJ2niG2eQkiJLWwmvHDimWVpm4L", ""), status: 201, attrs: map[string]any{"key": "rNxgJ2niG2eQkiJLWwmvHDimWVpm4L"}},
		{name: kc + "User attempts to create a key", r: newKey(pooled, "x1xxxxxxxx", bearer(w.userTok)), status: 403},
		{name: kc + "Product creates a key for another product's policy", r: newKey(pooled2, "x2xxxxxxxx", bearer(w.prodTok)), status: 403},
		{name: kc + "Unauthenticated user attempts to create a key", r: newKey(pooled, "x3xxxxxxxx", "-"), status: 401},
		{name: ku + "Product updates a key for their product", r: patchKey(key, bearer(w.prodTok)), status: 200},
		{name: ku + "Product attempts to update a key for another product", r: patchKey(key2, bearer(w.prodTok)), status: 404},
		{name: ku + "License attempts to update a key for their account", r: patchKey(key, bearer(w.licTok)), status: 404},
		{name: ku + "User attempts to update a key for their account", r: patchKey(key, bearer(w.userTok)), status: 404},
		{name: ku + "Anonymous user attempts to update a key for their account", r: patchKey(key, "-"), status: 401},
		{name: kd + "Product attempts to delete a key for another product", r: req{method: "DELETE", path: "/keys/" + key2, auth: bearer(w.prodTok)}, status: 404},
		{name: kd + "License attempts to delete a key for their account", r: req{method: "DELETE", path: "/keys/" + key, auth: bearer(w.licTok)}, status: 404},
		{name: kd + "User attempts to delete a key for their account", r: req{method: "DELETE", path: "/keys/" + key, auth: bearer(w.userTok)}, status: 404},
		{name: kd + "Product attempts to delete a key for their product", r: req{method: "DELETE", path: "/keys/" + key, auth: bearer(w.prodTok)}, status: 204},
	})
}

// TestKeysStaff: read-only holds READ_ONLY_PERMISSIONS beyond the features' routes too: it
// reads keys and webhook endpoints (key.read, webhook-endpoint.read) but writes neither, and
// the agents' limits stay role checks (app/policies/key_policy.rb, webhook_endpoint_policy.rb).
func TestKeysStaff(t *testing.T) {
	t.Parallel()
	w := newTeamWorld(t)
	tt := w
	pool := tt.policy(w.prod, map[string]any{"usePool": true})
	key := tt.mustCreate("/keys", "keys", map[string]any{"key": "pool-key-staff"}, map[string]any{"policy": link("policies", pool)})
	tt.mustCreate("/webhook-endpoints", "webhook-endpoints", map[string]any{"url": "https://example.com/hooks"}, nil)
	newKey := func(tok string) req {
		return writeAs("POST", "/keys", tok, doc("keys", map[string]any{"key": "k-" + tok[:6]}, map[string]any{"policy": link("policies", pool)}))
	}
	tt.run(t, []apiCase{
		{name: "key_policy.rb#show?: read-only reads a key", r: getAs("/keys/"+key, bearer(w.roTok)), status: 200, check: dataID(key)},
		{name: "key_policy.rb#show?: support reads a key", r: getAs("/keys/"+key, bearer(w.supportTok)), status: 200},
		{name: "key_policy.rb#create?: read-only lacks key.create", r: newKey(w.roTok), status: 403, detail: roLacks},
		{name: "key_policy.rb#create?: sales may not create keys", r: newKey(w.salesTok), status: 403, detail: denied},
		{name: "key_policy.rb#create?: developer creates a key", r: newKey(w.devTok), status: 201},
		{name: "key_policy.rb#destroy?: read-only lacks key.delete", r: writeAs("DELETE", "/keys/"+key, w.roTok, nil), status: 403, detail: roLacks},
	})
}

func TestKeysRelationships(t *testing.T) {
	t.Parallel()
	w := newTeamWorld(t).addLicensees().addPoolsAndMachines()
	tt := w
	foreign := bearer(newWorld(t).srv.AdminToken)
	var cases []apiCase
	for _, rel := range []struct{ name, want string }{{"policy", w.poolPol}, {"product", w.prod}} {
		f := "keys/relationships/" + rel.name + ".feature: "
		p := "/keys/" + w.key0 + "/" + rel.name
		cases = append(cases,
			apiCase{name: f + "Admin retrieves the " + rel.name + " for a key", r: getAs(p, ""), status: 200, check: dataID(rel.want)},
			apiCase{name: f + "Product retrieves the " + rel.name + " for a key", r: getAs(p, bearer(w.prodTok)), status: 200, check: dataID(rel.want)},
			apiCase{name: f + "Product retrieves the " + rel.name + " for a key of another product", r: getAs(p, bearer(w.prod2Tok)), status: 404},
			apiCase{name: f + "License attempts to retrieve the " + rel.name + " for a key", r: getAs(p, bearer(w.licTok)), status: 404},
			apiCase{name: f + "User attempts to retrieve the " + rel.name + " for a key", r: getAs(p, bearer(w.userTok)), status: 404},
			apiCase{name: f + "Admin attempts to retrieve the " + rel.name + " for a key of another account", r: getAs(p, foreign), status: 401},
		)
	}
	tt.run(t, cases)
}
