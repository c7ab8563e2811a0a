package keygentest

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestPolicyValidationWire pins §2.3 validation codes, details and pointers (Policy model
// messages; one error per code+pointer, as Keygen de-duplicates them).
func TestPolicyValidationWire(t *testing.T) {
	tt := newWorld(t)
	prod := tt.product()
	rel := map[string]any{"product": link("products", prod)}
	pol := func(name string, attrs map[string]any, status int, code, detail, ptr string) apiCase {
		if _, ok := attrs["name"]; !ok {
			attrs["name"] = "P"
		}
		return apiCase{name: name, r: req{method: "POST", path: "/policies", body: doc("policies", attrs, rel)}, status: status,
			title: "Unprocessable resource", code: code, detail: detail, source: map[string]any{"pointer": ptr}}
	}
	cases := []apiCase{
		{name: "§2.3 name omitted: NAME_MISSING", r: req{method: "POST", path: "/policies", body: doc("policies", map[string]any{}, rel)}, status: 422,
			code: "NAME_MISSING", detail: "can't be blank", source: map[string]any{"pointer": "/data/attributes/name"},
			about: "https://keygen.sh/docs/api/policies/#policies-object-attrs-name"},
		pol("§2.3 duration below a day", map[string]any{"duration": 3600}, 422, "DURATION_INVALID", "must be greater than or equal to 86400 (1 day)", "/data/attributes/duration"),
		pol("§2.3 duration zero: first message only", map[string]any{"duration": 0}, 422, "DURATION_INVALID", "must be greater than 0", "/data/attributes/duration"),
		pol("§2.3 heartbeat below a minute", map[string]any{"heartbeatDuration": 30}, 422, "HEARTBEAT_DURATION_INVALID", "must be greater than or equal to 60 (1 minute)", "/data/attributes/heartbeatDuration"),
		pol("§2.3 node-locked maxMachines", map[string]any{"floating": false, "maxMachines": 2}, 422, "MAX_MACHINES_INVALID", "must be equal to 1 for non-floating policy", "/data/attributes/maxMachines"),
		pol("§2.3 floating maxMachines 0", map[string]any{"floating": true, "maxMachines": 0}, 422, "MAX_MACHINES_INVALID", "must be greater than or equal to 1 for floating policy", "/data/attributes/maxMachines"),
		pol("§2.3 maxUsers 0", map[string]any{"maxUsers": 0}, 422, "MAX_USERS_INVALID", "must be greater than 0", "/data/attributes/maxUsers"),
		pol("§2.3 maxUses negative", map[string]any{"maxUses": -1}, 422, "MAX_USES_INVALID", "must be greater than or equal to 0", "/data/attributes/maxUses"),
		pol("§2.3 expiration strategy", map[string]any{"expirationStrategy": "NOPE"}, 422, "EXPIRATION_STRATEGY_NOT_ALLOWED", "unsupported expiration strategy", "/data/attributes/expirationStrategy"),
		pol("§2.3 authentication strategy", map[string]any{"authenticationStrategy": "NOPE"}, 422, "AUTHENTICATION_STRATEGY_NOT_ALLOWED", "unsupported authentication strategy", "/data/attributes/authenticationStrategy"),
		pol("§2.3 overage strategy", map[string]any{"overageStrategy": "NOPE"}, 422, "OVERAGE_STRATEGY_NOT_ALLOWED", "unsupported overage strategy", "/data/attributes/overageStrategy"),
		pol("§2.3 1.25x node-locked", map[string]any{"floating": false, "maxMachines": 1, "overageStrategy": "ALLOW_1_25X_OVERAGE"}, 422, "OVERAGE_STRATEGY_NOT_ALLOWED",
			"incompatible overage strategy (cannot use ALLOW_1_25X_OVERAGE for node-locked policy)", "/data/attributes/overageStrategy"),
		pol("§2.3 1.5x needs even maxMachines", map[string]any{"floating": true, "maxMachines": 3, "overageStrategy": "ALLOW_1_5X_OVERAGE"}, 422, "OVERAGE_STRATEGY_NOT_ALLOWED",
			"incompatible overage strategy (cannot use ALLOW_1_5X_OVERAGE with a max machines value not divisible by 2)", "/data/attributes/overageStrategy"),
		pol("§2.3 ALWAYS_REVIVE needs KEEP_DEAD", map[string]any{"heartbeatResurrectionStrategy": "ALWAYS_REVIVE"}, 422, "HEARTBEAT_CULL_STRATEGY_NOT_ALLOWED",
			"incompatible heartbeat cull strategy (must be KEEP_DEAD when resurrection strategy is ALWAYS_REVIVE)", "/data/attributes/heartbeatCullStrategy"),
		pol("§2.3 check-in count range", map[string]any{"requireCheckIn": true, "checkInInterval": "day", "checkInIntervalCount": 0}, 422, "CHECK_IN_INTERVAL_COUNT_NOT_ALLOWED",
			"must be a number between 1 and 365 inclusive", "/data/attributes/checkInIntervalCount"),
		pol("§2.3 pool excludes scheme", map[string]any{"usePool": true, "scheme": "ED25519_SIGN"}, 422, "SCHEME_NOT_SUPPORTED", "cannot use a scheme and use a pool", "/data/attributes/scheme"),
		pol("§2.3 unknown scheme", map[string]any{"scheme": "ROT13"}, 422, "SCHEME_NOT_ALLOWED", "unsupported signing scheme", "/data/attributes/scheme"),
		{name: "§2.3 policy name blank: 400", r: req{method: "POST", path: "/policies", body: doc("policies", map[string]any{"name": ""}, rel)}, status: 400,
			detail: "cannot be blank", source: map[string]any{"pointer": "/data/attributes/name"}},
		{name: "§2.3 unknown product: PRODUCT_NOT_FOUND", r: req{method: "POST", path: "/policies", body: doc("policies", map[string]any{"name": "P"},
			map[string]any{"product": link("products", "00000000-0000-4000-8000-000000000000")})}, status: 422, code: "PRODUCT_NOT_FOUND",
			source: map[string]any{"pointer": "/data/relationships/product"}},
		{name: "§2.3 null optional integer clears nothing on create", r: req{method: "POST", path: "/policies", body: doc("policies", map[string]any{"name": "N", "maxMachines": nil, "floating": true}, rel)},
			status: 201, attrs: map[string]any{"maxMachines": nil, "overageStrategy": "NO_OVERAGE", "heartbeatBasis": "FROM_FIRST_PING"}},
		{name: "§1.12 v1.1 default overage ALWAYS_ALLOW_OVERAGE", r: req{method: "POST", path: "/policies", body: doc("policies", map[string]any{"name": "Old", "floating": true}, rel),
			headers: map[string]string{"Keygen-Version": "1.1"}}, status: 201, attrs: map[string]any{"overageStrategy": "ALWAYS_ALLOW_OVERAGE"}},
		{name: "§1.12 leasingStrategy is unpermitted on 1.8", r: req{method: "POST", path: "/policies", body: doc("policies", map[string]any{"name": "L", "leasingStrategy": "PER_MACHINE"}, rel)},
			status: 400, detail: "unpermitted parameter", source: map[string]any{"pointer": "/data/attributes/leasingStrategy"}},
		{name: "§1.12 leasingStrategy accepted on 1.6", r: req{method: "POST", path: "/policies", body: doc("policies", map[string]any{"name": "L", "leasingStrategy": "PER_LICENSE"}, rel),
			headers: map[string]string{"Keygen-Version": "1.6"}}, status: 201, attrs: map[string]any{"leasingStrategy": "PER_LICENSE"}},
	}
	tt.run(t, cases)
}

// The wire answers of each resource's routes on a newResourceWorld (tokens, products,
// users, passwords, keys, webhook endpoints, profile).
func TestResourcesWireTokens(t *testing.T) {
	tt := newResourceWorld(t)
	prod, uid, userTok := tt.prod, tt.user, tt.userTok
	tt.run(t, []apiCase{
		{name: "§2.1 password login: 201 user token, expiry +14d", r: req{method: "POST", path: "/tokens", auth: basic("u@example.com", "password")}, status: 201,
			attrs: map[string]any{"kind": "user-token"}, check: func(t *testing.T, _ *world, r *reply) {
				assert.NotEmpty(t, r.attrs()["token"])
				assert.NotNil(t, r.attrs()["expiry"])
				assert.NotEmpty(t, r.header.Get("Location"))
			}},
		{name: "§2.1 wrong password", r: req{method: "POST", path: "/tokens", auth: basic("u@example.com", "nope")}, status: 401,
			code: "PASSWORD_INVALID", detail: "password must be valid", source: map[string]any{"header": "Authorization"}},
		{name: "§2.1 unknown email", r: req{method: "POST", path: "/tokens", auth: basic("who@example.com", "password")}, status: 401,
			code: "EMAIL_INVALID", detail: "email must be valid", source: map[string]any{"header": "Authorization"}},
		{name: "§2.1 blank password", r: req{method: "POST", path: "/tokens", auth: basic("u@example.com", "")}, status: 401,
			code: "PASSWORD_REQUIRED", detail: "password is required", source: map[string]any{"header": "Authorization"}},
		{name: "§1.12 v1.7 CREDENTIALS_INVALID", r: req{method: "POST", path: "/tokens", auth: basic("u@example.com", "nope"), headers: map[string]string{"Keygen-Version": "1.7"}},
			status: 401, code: "CREDENTIALS_INVALID", detail: "email and password must be valid"},
		{name: "§2.1 generate without credentials", r: req{method: "POST", path: "/tokens", auth: "-"}, status: 401, code: "TOKEN_MISSING"},
		{name: "§2.1 retrieve has no secret", r: req{method: "GET", path: "/tokens", auth: "Bearer " + userTok}, status: 200, check: func(t *testing.T, _ *world, r *reply) {
			for _, x := range r.list() {
				assert.NotContains(t, x.(map[string]any)["attributes"], "token")
			}
		}},
		{name: "§2.1 token id as bearer", r: req{method: "GET", path: "/tokens", auth: "Bearer " + uid}, status: 401, code: "TOKEN_FORMAT_INVALID"},
		{name: "§1.2 blank token name: cannot be blank", r: req{method: "POST", path: "/products/" + prod + "/tokens", body: doc("tokens", map[string]any{"name": ""}, nil)},
			status: 400, detail: "cannot be blank", source: map[string]any{"pointer": "/data/attributes/name"}},
		{name: "§1.2 blank webhook apiVersion: cannot be blank", r: req{method: "POST", path: "/webhook-endpoints", body: doc("webhook-endpoints", map[string]any{"url": "https://example.com/b", "apiVersion": ""}, nil)},
			status: 400, detail: "cannot be blank", source: map[string]any{"pointer": "/data/attributes/apiVersion"}},
		{name: "§2.1 product token route: 200", r: req{method: "POST", path: "/products/" + prod + "/tokens"}, status: 200, attrs: map[string]any{"kind": "product-token", "expiry": nil}},
		{name: "§2.1 user token route: 200", r: req{method: "POST", path: "/users/" + uid + "/tokens"}, status: 200, attrs: map[string]any{"kind": "user-token"}},
		{name: "§2.1 user cannot mint product tokens (cannot see product → 404)", r: req{method: "POST", path: "/products/" + prod + "/tokens", auth: "Bearer " + userTok}, status: 404},
	})
}

func TestResourcesWireProducts(t *testing.T) {
	tt := newResourceWorld(t)
	acct := tt.srv.AccountID
	prod, userTok := tt.prod, tt.userTok
	tt.run(t, []apiCase{
		{name: "§2.2 user sees no licensed product", r: req{method: "GET", path: "/products/" + prod, auth: "Bearer " + userTok}, status: 404,
			detail: "The requested product '" + prod + "' was not found"},
		// ProductPolicy#create? verifies product.create first; USER_PERMISSIONS lacks it.
		{name: "§2.2 user may not create products", r: req{method: "POST", path: "/products", auth: "Bearer " + userTok, body: doc("products", map[string]any{"name": "x"}, nil)}, status: 403,
			title: "Access denied", detail: "You do not have permission to complete the request (user lacks permission to perform action)"},
		{name: "§2.2 URL_INVALID", r: req{method: "POST", path: "/products", body: doc("products", map[string]any{"name": "x", "url": "not a url"}, nil)}, status: 422},
		{name: "§2.2 links", r: req{method: "GET", path: "/products/" + prod}, status: 200, check: func(t *testing.T, _ *world, r *reply) {
			assert.Equal(t, "/v1/accounts/"+acct+"/products/"+prod, r.data()["links"].(map[string]any)["self"])
			rels := r.data()["relationships"].(map[string]any)
			assert.Equal(t, map[string]any{"links": map[string]any{"related": "/v1/accounts/" + acct}, "data": map[string]any{"type": "accounts", "id": acct}}, rels["account"])
		}},
	})
}

func TestResourcesWireUsers(t *testing.T) {
	tt := newResourceWorld(t)
	uid, userTok := tt.user, tt.userTok
	tt.run(t, []apiCase{
		{name: "§2.4 EMAIL_TAKEN", r: req{method: "POST", path: "/users", body: doc("users", map[string]any{"email": "U@example.com"}, nil)}, status: 422,
			code: "EMAIL_TAKEN", detail: "has already been taken", source: map[string]any{"pointer": "/data/attributes/email"}},
		{name: "§2.4 EMAIL_INVALID", r: req{method: "POST", path: "/users", body: doc("users", map[string]any{"email": "foo.com"}, nil)}, status: 422,
			code: "EMAIL_INVALID", detail: "is invalid"},
		{name: "§2.4 email missing: 400", r: req{method: "POST", path: "/users", body: doc("users", map[string]any{"firstName": "A"}, nil)}, status: 400,
			detail: "is missing", source: map[string]any{"pointer": "/data/attributes/email"}},
		{name: "§2.4 invalid role: 400 is invalid", r: req{method: "PATCH", path: "/users/" + uid, body: doc("users", map[string]any{"role": "mod"}, nil)}, status: 400,
			detail: "is invalid", source: map[string]any{"pointer": "/data/attributes/role"}},
		{name: "§2.4 blank first name allowed", r: req{method: "PATCH", path: "/users/" + uid, body: doc("users", map[string]any{"firstName": ""}, nil)}, status: 200},
		{name: "§2.4 user may not set own password via update", r: req{method: "PATCH", path: "/users/" + uid, auth: "Bearer " + userTok,
			body: doc("users", map[string]any{"password": "newpassword"}, nil)}, status: 400, detail: "unpermitted parameter",
			source: map[string]any{"pointer": "/data/attributes/password"}},
		{name: "§2.4 user by email alias", r: req{method: "GET", path: "/users/U@EXAMPLE.COM"}, status: 200, check: func(t *testing.T, _ *world, r *reply) { assert.Equal(t, uid, r.id()) }},
		{name: "§2.4 update-password wrong old", r: req{method: "POST", path: "/users/" + uid + "/actions/update-password", auth: "Bearer " + userTok,
			body: map[string]any{"meta": map[string]any{"oldPassword": "wrong", "newPassword": "newpassword"}}}, status: 401,
			detail: "is not valid", source: map[string]any{"pointer": "/meta/oldPassword"}},
	})
}

func TestResourcesWirePasswords(t *testing.T) {
	tt := newResourceWorld(t)
	tt.run(t, []apiCase{
		{name: "§2.5 forgot password: 204 even for unknown", r: req{method: "POST", path: "/passwords", auth: "-",
			body: map[string]any{"meta": map[string]any{"email": "nobody@example.com", "deliver": false}}}, status: 204,
			check: func(t *testing.T, _ *world, r *reply) { assert.Empty(t, r.body) }},
		{name: "§2.5 email missing: 400", r: req{method: "POST", path: "/passwords", auth: "-", body: map[string]any{"meta": map[string]any{}}}, status: 400,
			detail: "is missing", source: map[string]any{"pointer": "/meta/email"}},
	})
}

func TestResourcesWireKeys(t *testing.T) {
	tt := newResourceWorld(t)
	pooled, unpooled, userTok, prodTok := tt.poolPol, tt.pol, tt.userTok, tt.prodTok
	tt.run(t, []apiCase{
		{name: "§2.8 key on unpooled policy", r: req{method: "POST", path: "/keys", body: doc("keys", map[string]any{"key": "abcdefgh"},
			map[string]any{"policy": link("policies", unpooled)})}, status: 422, code: "POLICY_NOT_SUPPORTED", detail: "cannot be added to an unpooled policy",
			source: map[string]any{"pointer": "/data/relationships/policy"}},
		{name: "§2.8 key create 201", r: req{method: "POST", path: "/keys", body: doc("keys", map[string]any{"key": "pooled-key-1"},
			map[string]any{"policy": link("policies", pooled)})}, status: 201, attrs: map[string]any{"key": "pooled-key-1"}},
		{name: "§2.8 product token sees its keys", r: req{method: "GET", path: "/keys", auth: "Bearer " + prodTok}, status: 200},
		{name: "§2.8 user sees no keys list entries", r: req{method: "GET", path: "/keys", auth: "Bearer " + userTok}, status: 403},
	})
}

func TestResourcesWireWebhookEndpoints(t *testing.T) {
	tt := newResourceWorld(t)
	userTok := tt.userTok
	tt.run(t, []apiCase{
		{name: "§2.9 defaults", r: req{method: "POST", path: "/webhook-endpoints", body: doc("webhook-endpoints", map[string]any{"url": "https://example.com/hook"}, nil)}, status: 201,
			attrs: map[string]any{"subscriptions": []any{"*"}, "signatureAlgorithm": "ed25519", "apiVersion": "1.8"}},
		{name: "§2.9 camel type accepted", r: req{method: "POST", path: "/webhook-endpoints", body: doc("webhookEndpoint", map[string]any{"url": "https://example.com/camel"}, nil)}, status: 201},
		{name: "§2.9 bad apiVersion: 400 is invalid", r: req{method: "POST", path: "/webhook-endpoints", body: doc("webhook-endpoints", map[string]any{"url": "https://example.com/v", "apiVersion": "0.0"}, nil)},
			status: 400, detail: "is invalid", source: map[string]any{"pointer": "/data/attributes/apiVersion"}},
		{name: "§2.9 empty subscriptions", r: req{method: "POST", path: "/webhook-endpoints", body: doc("webhook-endpoints", map[string]any{"url": "https://example.com/s", "subscriptions": []any{}}, nil)},
			status: 422, code: "SUBSCRIPTIONS_TOO_SHORT", source: map[string]any{"pointer": "/data/attributes/subscriptions"}},
		{name: "§2.9 unknown event", r: req{method: "POST", path: "/webhook-endpoints", body: doc("webhook-endpoints", map[string]any{"url": "https://example.com/s", "subscriptions": []any{"nope.nope"}}, nil)},
			status: 422, code: "SUBSCRIPTIONS_NOT_ALLOWED"},
		{name: "§2.9 bad signature algorithm", r: req{method: "POST", path: "/webhook-endpoints", body: doc("webhook-endpoints", map[string]any{"url": "https://example.com/s", "signatureAlgorithm": "md5"}, nil)},
			status: 422, code: "SIGNATURE_ALGORITHM_NOT_ALLOWED", source: map[string]any{"pointer": "/data/attributes/signatureAlgorithm"}},
		{name: "§2.9 user may not list endpoints", r: req{method: "GET", path: "/webhook-endpoints", auth: "Bearer " + userTok}, status: 403},
	})
}

func TestResourcesWireProfile(t *testing.T) {
	tt := newResourceWorld(t)
	userTok, prodTok := tt.userTok, tt.prodTok
	tt.run(t, []apiCase{
		{name: "§2.11 /me with a user token includes the token", r: req{method: "GET", path: "/me", auth: "Bearer " + userTok}, status: 200, check: func(t *testing.T, _ *world, r *reply) {
			assert.Equal(t, "users", r.data()["type"])
			inc, _ := r.doc["included"].([]any)
			if assert.Len(t, inc, 1) {
				assert.Equal(t, "tokens", inc[0].(map[string]any)["type"])
				assert.NotContains(t, inc[0].(map[string]any)["attributes"], "token")
			}
		}},
		{name: "§2.11 /me without auth", r: req{method: "GET", path: "/me", auth: "-"}, status: 401, code: "TOKEN_MISSING"},
		{name: "§2.11 /profile meta.tokenId", r: req{method: "GET", path: "/profile", auth: "Bearer " + prodTok}, status: 200, check: func(t *testing.T, _ *world, r *reply) {
			assert.Equal(t, "products", r.data()["type"])
			assert.Contains(t, r.doc["meta"], "tokenId")
		}},
	})
}
