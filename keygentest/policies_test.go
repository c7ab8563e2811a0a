package keygentest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Policies: create, show, index, update, destroy, validations and the staff roles
// (features/api/v1/policies/*.feature, app/models/policy.rb).

// TestPolicies pins policy defaults and validation codes (app/models/policy.rb).
func TestPolicies(t *testing.T) {
	t.Parallel()
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
	assert.Equal(t, "ALWAYS_ALLOW_OVERAGE", r.attrs()["overageStrategy"], "v1.1 default overage")
	assert.Equal(t, "PER_MACHINE", r.attrs()["leasingStrategy"], "≤1.6 leasingStrategy name")

	cases := []struct {
		name    string
		attrs   map[string]any
		code    string
		pointer string
		detail  string
	}{
		{"name missing", map[string]any{}, "NAME_MISSING", "/data/attributes/name", "can't be blank"},
		{"node-locked max machines", map[string]any{"name": "n", "floating": false, "maxMachines": 5}, "MAX_MACHINES_INVALID", "/data/attributes/maxMachines", "must be equal to 1 for non-floating policy"},
		{"floating max machines 0", map[string]any{"name": "n", "floating": true, "maxMachines": 0}, "MAX_MACHINES_INVALID", "/data/attributes/maxMachines", "must be greater than or equal to 1 for floating policy"},
		{"duration too short", map[string]any{"name": "n", "duration": 3600}, "DURATION_INVALID", "/data/attributes/duration", "must be greater than or equal to 86400 (1 day)"},
		{"heartbeat too short", map[string]any{"name": "n", "heartbeatDuration": 10}, "HEARTBEAT_DURATION_INVALID", "/data/attributes/heartbeatDuration", "must be greater than or equal to 60 (1 minute)"},
		{"unknown scheme", map[string]any{"name": "n", "scheme": "ROT13"}, "SCHEME_NOT_ALLOWED", "/data/attributes/scheme", "unsupported signing scheme"},
		{"unknown strategy", map[string]any{"name": "n", "expirationStrategy": "NEVER"}, "EXPIRATION_STRATEGY_NOT_ALLOWED", "/data/attributes/expirationStrategy", "unsupported expiration strategy"},
		{"1.25x on node-locked", map[string]any{"name": "n", "overageStrategy": "ALLOW_1_25X_OVERAGE"}, "OVERAGE_STRATEGY_NOT_ALLOWED", "/data/attributes/overageStrategy", "incompatible overage strategy (cannot use ALLOW_1_25X_OVERAGE for node-locked policy)"},
		{"1.5x divisibility", map[string]any{"name": "n", "floating": true, "maxMachines": 3, "overageStrategy": "ALLOW_1_5X_OVERAGE"}, "OVERAGE_STRATEGY_NOT_ALLOWED", "/data/attributes/overageStrategy", "incompatible overage strategy (cannot use ALLOW_1_5X_OVERAGE with a max machines value not divisible by 2)"},
		{"check-in interval", map[string]any{"name": "n", "requireCheckIn": true, "checkInIntervalCount": 1}, "CHECK_IN_INTERVAL_NOT_ALLOWED", "/data/attributes/checkInInterval", "must be one of: day, week, month, year"},
		{"pool with scheme", map[string]any{"name": "n", "usePool": true, "scheme": "ED25519_SIGN"}, "SCHEME_NOT_SUPPORTED", "/data/attributes/scheme", "cannot use a scheme and use a pool"},
		{"ALWAYS_REVIVE needs KEEP_DEAD", map[string]any{"name": "n", "heartbeatResurrectionStrategy": "ALWAYS_REVIVE"}, "HEARTBEAT_CULL_STRATEGY_NOT_ALLOWED", "/data/attributes/heartbeatCullStrategy", ""},
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
	t.Run("unknown product", func(t *testing.T) {
		r := tt.do(req{method: "POST", path: "/policies", body: doc("policies", map[string]any{"name": "n"}, map[string]any{"product": link("products", tt.srv.AccountID)})})
		require.Equal(t, 422, r.status)
		assert.Equal(t, "PRODUCT_NOT_FOUND", r.code())
		assert.Equal(t, "/data/relationships/product", r.source()["pointer"])
	})
	t.Run("update cannot change usePool", func(t *testing.T) {
		r := tt.do(req{method: "PATCH", path: "/policies/" + polID, body: doc("policies", map[string]any{"usePool": true}, nil)})
		assert.Equal(t, 400, r.status)
		assert.Equal(t, "unpermitted parameter", r.detail())
	})
	t.Run("product filter", func(t *testing.T) {
		other := tt.product()
		tt.policy(other, nil)
		assert.Len(t, tt.get("/policies?product="+other).list(), 1)
		assert.Len(t, tt.get("/policies?product="+prod).list(), 2)
	})
}

// TestPoliciesValidationWire pins validation codes, details and pointers (Policy model
// messages; one error per code+pointer, as Keygen de-duplicates them).
func TestPoliciesValidationWire(t *testing.T) {
	t.Parallel()
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
		{name: "name omitted: NAME_MISSING", r: req{method: "POST", path: "/policies", body: doc("policies", map[string]any{}, rel)}, status: 422,
			code: "NAME_MISSING", detail: "can't be blank", source: map[string]any{"pointer": "/data/attributes/name"},
			about: "https://keygen.sh/docs/api/policies/#policies-object-attrs-name"},
		pol("duration below a day", map[string]any{"duration": 3600}, 422, "DURATION_INVALID", "must be greater than or equal to 86400 (1 day)", "/data/attributes/duration"),
		pol("duration zero: first message only", map[string]any{"duration": 0}, 422, "DURATION_INVALID", "must be greater than 0", "/data/attributes/duration"),
		pol("heartbeat below a minute", map[string]any{"heartbeatDuration": 30}, 422, "HEARTBEAT_DURATION_INVALID", "must be greater than or equal to 60 (1 minute)", "/data/attributes/heartbeatDuration"),
		pol("node-locked maxMachines", map[string]any{"floating": false, "maxMachines": 2}, 422, "MAX_MACHINES_INVALID", "must be equal to 1 for non-floating policy", "/data/attributes/maxMachines"),
		pol("floating maxMachines 0", map[string]any{"floating": true, "maxMachines": 0}, 422, "MAX_MACHINES_INVALID", "must be greater than or equal to 1 for floating policy", "/data/attributes/maxMachines"),
		pol("maxUsers 0", map[string]any{"maxUsers": 0}, 422, "MAX_USERS_INVALID", "must be greater than 0", "/data/attributes/maxUsers"),
		pol("maxUses negative", map[string]any{"maxUses": -1}, 422, "MAX_USES_INVALID", "must be greater than or equal to 0", "/data/attributes/maxUses"),
		pol("expiration strategy", map[string]any{"expirationStrategy": "NOPE"}, 422, "EXPIRATION_STRATEGY_NOT_ALLOWED", "unsupported expiration strategy", "/data/attributes/expirationStrategy"),
		pol("authentication strategy", map[string]any{"authenticationStrategy": "NOPE"}, 422, "AUTHENTICATION_STRATEGY_NOT_ALLOWED", "unsupported authentication strategy", "/data/attributes/authenticationStrategy"),
		pol("overage strategy", map[string]any{"overageStrategy": "NOPE"}, 422, "OVERAGE_STRATEGY_NOT_ALLOWED", "unsupported overage strategy", "/data/attributes/overageStrategy"),
		pol("1.25x node-locked", map[string]any{"floating": false, "maxMachines": 1, "overageStrategy": "ALLOW_1_25X_OVERAGE"}, 422, "OVERAGE_STRATEGY_NOT_ALLOWED",
			"incompatible overage strategy (cannot use ALLOW_1_25X_OVERAGE for node-locked policy)", "/data/attributes/overageStrategy"),
		pol("1.5x needs even maxMachines", map[string]any{"floating": true, "maxMachines": 3, "overageStrategy": "ALLOW_1_5X_OVERAGE"}, 422, "OVERAGE_STRATEGY_NOT_ALLOWED",
			"incompatible overage strategy (cannot use ALLOW_1_5X_OVERAGE with a max machines value not divisible by 2)", "/data/attributes/overageStrategy"),
		pol("ALWAYS_REVIVE needs KEEP_DEAD", map[string]any{"heartbeatResurrectionStrategy": "ALWAYS_REVIVE"}, 422, "HEARTBEAT_CULL_STRATEGY_NOT_ALLOWED",
			"incompatible heartbeat cull strategy (must be KEEP_DEAD when resurrection strategy is ALWAYS_REVIVE)", "/data/attributes/heartbeatCullStrategy"),
		pol("check-in count range", map[string]any{"requireCheckIn": true, "checkInInterval": "day", "checkInIntervalCount": 0}, 422, "CHECK_IN_INTERVAL_COUNT_NOT_ALLOWED",
			"must be a number between 1 and 365 inclusive", "/data/attributes/checkInIntervalCount"),
		pol("pool excludes scheme", map[string]any{"usePool": true, "scheme": "ED25519_SIGN"}, 422, "SCHEME_NOT_SUPPORTED", "cannot use a scheme and use a pool", "/data/attributes/scheme"),
		pol("unknown scheme", map[string]any{"scheme": "ROT13"}, 422, "SCHEME_NOT_ALLOWED", "unsupported signing scheme", "/data/attributes/scheme"),
		{name: "policy name blank: 400", r: req{method: "POST", path: "/policies", body: doc("policies", map[string]any{"name": ""}, rel)}, status: 400,
			detail: "cannot be blank", source: map[string]any{"pointer": "/data/attributes/name"}},
		{name: "unknown product: PRODUCT_NOT_FOUND", r: req{method: "POST", path: "/policies", body: doc("policies", map[string]any{"name": "P"},
			map[string]any{"product": link("products", "00000000-0000-4000-8000-000000000000")})}, status: 422, code: "PRODUCT_NOT_FOUND",
			source: map[string]any{"pointer": "/data/relationships/product"}},
		{name: "null optional integer clears nothing on create", r: req{method: "POST", path: "/policies", body: doc("policies", map[string]any{"name": "N", "maxMachines": nil, "floating": true}, rel)},
			status: 201, attrs: map[string]any{"maxMachines": nil, "overageStrategy": "NO_OVERAGE", "heartbeatBasis": "FROM_FIRST_PING"}},
		{name: "v1.1 default overage ALWAYS_ALLOW_OVERAGE", r: req{method: "POST", path: "/policies", body: doc("policies", map[string]any{"name": "Old", "floating": true}, rel),
			headers: map[string]string{"Keygen-Version": "1.1"}}, status: 201, attrs: map[string]any{"overageStrategy": "ALWAYS_ALLOW_OVERAGE"}},
		{name: "leasingStrategy is unpermitted on 1.8", r: req{method: "POST", path: "/policies", body: doc("policies", map[string]any{"name": "L", "leasingStrategy": "PER_MACHINE"}, rel)},
			status: 400, detail: "unpermitted parameter", source: map[string]any{"pointer": "/data/attributes/leasingStrategy"}},
		{name: "leasingStrategy accepted on 1.6", r: req{method: "POST", path: "/policies", body: doc("policies", map[string]any{"name": "L", "leasingStrategy": "PER_LICENSE"}, rel),
			headers: map[string]string{"Keygen-Version": "1.6"}}, status: 201, attrs: map[string]any{"leasingStrategy": "PER_LICENSE"}},
	}
	tt.run(t, cases)
}

func TestPoliciesValidation(t *testing.T) {
	t.Parallel()
	tt := newWorld(t)
	prod := tt.product()
	pc := "policies/create.feature: "
	ptr := func(attr string) map[string]any { return map[string]any{"pointer": "/data/attributes/" + attr} }
	policy := func(attrs map[string]any) req {
		if _, ok := attrs["name"]; !ok {
			attrs["name"] = "P"
		}
		return req{method: "POST", path: "/policies", body: doc("policies", attrs, map[string]any{"product": link("products", prod)})}
	}
	inv := func(name string, r req, code, attr, detail string) apiCase {
		return apiCase{name: name, r: r, status: 422, title: "Unprocessable resource", code: code, source: ptr(attr), detail: detail}
	}
	tt.run(t, []apiCase{
		inv(pc+"Admin creates a policy that has a max uses that exceeds the max value of a 4 byte integer", policy(map[string]any{"maxUses": 2147483648}),
			"MAX_USES_INVALID", "maxUses", "must be less than or equal to 2147483647"),
		{name: pc + "Admin creates a policy that has a leasing strategy", r: policy(map[string]any{"leasingStrategy": "PER_MACHINE"}), status: 400,
			detail: "unpermitted parameter", source: ptr("leasingStrategy")},
		inv(pc+"Admin creates a policy that has an invalid machine uniqueness strategy", policy(map[string]any{"machineUniquenessStrategy": "UNIQUE_PER_AGENT"}),
			"MACHINE_UNIQUENESS_STRATEGY_NOT_ALLOWED", "machineUniquenessStrategy", "unsupported machine uniqueness strategy"),
		inv(pc+"Admin creates a policy that has an invalid machine matching strategy", policy(map[string]any{"machineMatchingStrategy": "MATCH_NONE"}),
			"MACHINE_MATCHING_STRATEGY_NOT_ALLOWED", "machineMatchingStrategy", "unsupported machine matching strategy"),
		inv(pc+"Admin creates a policy that has an invalid expiration strategy", policy(map[string]any{"expirationStrategy": "REVOKE"}),
			"EXPIRATION_STRATEGY_NOT_ALLOWED", "expirationStrategy", "unsupported expiration strategy"),
		inv(pc+"Admin creates a policy that has an invalid expiration basis", policy(map[string]any{"expirationBasis": "FROM_NEVER"}),
			"EXPIRATION_BASIS_NOT_ALLOWED", "expirationBasis", "unsupported expiration basis"),
		inv(pc+"Admin creates a policy that has an invalid renewal basis", policy(map[string]any{"renewalBasis": "FROM_NEVER"}),
			"RENEWAL_BASIS_NOT_ALLOWED", "renewalBasis", "unsupported renewal basis"),
		inv(pc+"Admin creates a policy that has an invalid license auth strategy", policy(map[string]any{"authenticationStrategy": "BASIC"}),
			"AUTHENTICATION_STRATEGY_NOT_ALLOWED", "authenticationStrategy", "unsupported authentication strategy"),
		inv(pc+"Admin creates a policy that has an invalid heartbeat cull strategy", policy(map[string]any{"heartbeatCullStrategy": "KILL"}),
			"HEARTBEAT_CULL_STRATEGY_NOT_ALLOWED", "heartbeatCullStrategy", "unsupported heartbeat cull strategy"),
		inv(pc+"Admin creates a policy that has an invalid heartbeat resurrection strategy", policy(map[string]any{"heartbeatResurrectionStrategy": "NEVER"}),
			"HEARTBEAT_RESURRECTION_STRATEGY_NOT_ALLOWED", "heartbeatResurrectionStrategy", "unsupported heartbeat resurrection strategy"),
		inv(pc+"Admin creates a policy that has an incompatible heartbeat resurrection strategy", policy(map[string]any{"heartbeatResurrectionStrategy": "ALWAYS_REVIVE", "heartbeatCullStrategy": "DEACTIVATE_DEAD"}),
			"HEARTBEAT_CULL_STRATEGY_NOT_ALLOWED", "heartbeatCullStrategy", "incompatible heartbeat cull strategy (must be KEEP_DEAD when resurrection strategy is ALWAYS_REVIVE)"),
		inv(pc+"Admin creates a policy that has an invalid transfer strategy", policy(map[string]any{"transferStrategy": "RESET"}),
			"TRANSFER_STRATEGY_NOT_ALLOWED", "transferStrategy", "unsupported transfer strategy"),
		inv(pc+"Admin creates a policy that has an allow 1.25x overage strategy (non-divisible machine limit)", policy(map[string]any{"floating": true, "maxMachines": 3, "overageStrategy": "ALLOW_1_25X_OVERAGE"}),
			"OVERAGE_STRATEGY_NOT_ALLOWED", "overageStrategy", "incompatible overage strategy (cannot use ALLOW_1_25X_OVERAGE with a max machines value not divisible by 4)"),
		inv(pc+"Admin creates a policy that has an allow 1.5x overage strategy (odd user limit)", policy(map[string]any{"floating": true, "maxMachines": 2, "maxUsers": 3, "overageStrategy": "ALLOW_1_5X_OVERAGE"}),
			"OVERAGE_STRATEGY_NOT_ALLOWED", "overageStrategy", "incompatible overage strategy (cannot use ALLOW_1_5X_OVERAGE with a max users value not divisible by 2)"),
		inv(pc+"Admin creates a node-locked policy that has an allow 1.5x overage strategy", policy(map[string]any{"floating": false, "overageStrategy": "ALLOW_1_5X_OVERAGE"}),
			"OVERAGE_STRATEGY_NOT_ALLOWED", "overageStrategy", "incompatible overage strategy (cannot use ALLOW_1_5X_OVERAGE for node-locked policy)"),
		inv(pc+"Admin creates a policy that has an invalid overage strategy", policy(map[string]any{"overageStrategy": "ALLOW_3X_OVERAGE"}),
			"OVERAGE_STRATEGY_NOT_ALLOWED", "overageStrategy", "unsupported overage strategy"),
		inv(pc+"Admin creates a policy with a custom heartbeat duration that is too short", policy(map[string]any{"heartbeatDuration": 59}),
			"HEARTBEAT_DURATION_INVALID", "heartbeatDuration", "must be greater than or equal to 60 (1 minute)"),
		inv(pc+"Admin attempts to create a policy that is legacy encrypted that uses a pool", policy(map[string]any{"encrypted": true, "usePool": true}),
			"ENCRYPTED_NOT_SUPPORTED", "encrypted", "cannot be encrypted and use a pool"),
		inv(pc+"Admin attempts to create a policy using scheme RSA_2048_PKCS1_SIGN that uses a pool", policy(map[string]any{"scheme": "RSA_2048_PKCS1_SIGN", "usePool": true}),
			"SCHEME_NOT_SUPPORTED", "scheme", "cannot use a scheme and use a pool"),
		inv(pc+"Admin creates a policy for their account that requires license check-in that is invalid", policy(map[string]any{"requireCheckIn": true, "checkInInterval": "decade", "checkInIntervalCount": 1}),
			"CHECK_IN_INTERVAL_NOT_ALLOWED", "checkInInterval", "must be one of: day, week, month, year"),
		inv(pc+"Admin creates a floating policy for their account that is not valid", policy(map[string]any{"floating": true, "maxMachines": 0}),
			"MAX_MACHINES_INVALID", "maxMachines", "must be greater than or equal to 1 for floating policy"),
		inv(pc+"Admin creates a node-locked policy for their account that is not valid", policy(map[string]any{"floating": false, "maxMachines": 5}),
			"MAX_MACHINES_INVALID", "maxMachines", "must be equal to 1 for non-floating policy"),
		inv(pc+"Admin creates a policy using scheme LEGACY_ENCRYPT for their account without encrypted", policy(map[string]any{"scheme": "LEGACY_ENCRYPT"}),
			"SCHEME_INVALID", "scheme", "must be encrypted when using LEGACY_ENCRYPT scheme"),
		inv(pc+"Admin creates a policy using an unsupported encryption scheme RSA_2048_PKCS1_SIGN", policy(map[string]any{"scheme": "RSA_2048_PKCS1_SIGN", "encrypted": true}),
			"SCHEME_NOT_ALLOWED", "scheme", "unsupported encryption scheme (scheme must be LEGACY_ENCRYPT for legacy encrypted policies)"),
		inv(pc+"Admin creates a policy using scheme AES_SHA256 for their account", policy(map[string]any{"scheme": "AES_SHA256"}),
			"SCHEME_NOT_ALLOWED", "scheme", "unsupported signing scheme"),
		{name: pc + "Admin creates a concurrent policy (v1.2)", r: policy(map[string]any{"concurrent": true}), status: 400},
		inv(pc+"Admin creates a policy for their account that has a duration that is too large", policy(map[string]any{"duration": 2147483648}),
			"DURATION_INVALID", "duration", "must be less than or equal to 2147483647"),
		inv(pc+"Admin creates a policy that has an invalid maximum cores count", policy(map[string]any{"maxCores": 0}), "MAX_CORES_INVALID", "maxCores", "must be greater than or equal to 1"),
		inv(pc+"Admin creates a policy that has an invalid max memory", policy(map[string]any{"maxMemory": 0}), "MAX_MEMORY_INVALID", "maxMemory", "must be greater than or equal to 1"),
		inv(pc+"Admin creates a policy that has an invalid max disk", policy(map[string]any{"maxDisk": 0}), "MAX_DISK_INVALID", "maxDisk", "must be greater than or equal to 1"),
		inv(pc+"Admin creates a policy that has an invalid maximum process count", policy(map[string]any{"maxProcesses": 0}), "MAX_PROCESSES_INVALID", "maxProcesses", "must be greater than 0"),
		{name: pc + "Admin attempts to create an policy for their account with too short of a duration", r: policy(map[string]any{"duration": 3600}), status: 422},
	})
}

func TestPoliciesFeatures(t *testing.T) {
	t.Parallel()
	w := newTeamWorld(t).addLicensees()
	tt := w
	tt.mustCreate("/products", "products", map[string]any{"name": "Closed", "distributionStrategy": "CLOSED"}, nil)
	tt.mustCreate("/products", "products", map[string]any{"name": "Open", "distributionStrategy": "OPEN"}, nil)
	get := func(path, auth string) req { return req{method: "GET", path: path, auth: auth} }
	permUser := tt.createUser("perm@example.com")
	tt.srv.mu.Lock()
	tt.srv.db.users[permUser].Permissions = []string{"user.read", "product.read", "policy.read"}
	tt.srv.mu.Unlock()
	tt.licenseOwnedBy(w.pol, permUser)
	_, permUserTok := tt.tokenFor("users", permUser, nil)

	pols := "policies/show.feature: "
	poli := "policies/index.feature: "
	tt.run(t, []apiCase{
		{name: pols + "Admin retrieves a policy for their account", r: get("/policies/"+w.pol, ""), status: 200},
		{name: pols + "Support retrieves a policy for their account", r: get("/policies/"+w.pol, bearer(w.supportTok)), status: 200},
		{name: pols + "Admin retrieves an invalid policy for their account", r: get("/policies/invalid", ""), status: 404, detail: "The requested policy 'invalid' was not found"},
		{name: pols + "Product retrieves a policy for their product", r: get("/policies/"+w.pol, bearer(w.prodTok)), status: 200},
		{name: pols + "Product attempts to retrieve a policy for another product", r: get("/policies/"+w.pol2, bearer(w.prodTok)), status: 404},
		{name: pols + "License attempts to retrieve their policy (default permissions)", r: get("/policies/"+w.pol, bearer(w.licTok)), status: 403},
		{name: pols + "License attempts to retrieve their policy (explicit permission)", r: get("/policies/"+w.pol, bearer(w.licPermTok)), status: 200},
		{name: pols + "License attempts to retrieve a policy", r: get("/policies/"+w.pol2, bearer(w.licTok)), status: 404},
		{name: pols + "User attempts to retrieve their policy (default permissions)", r: get("/policies/"+w.pol, bearer(w.userTok)), status: 403},
		{name: pols + "User attempts to retrieve their policy (license owner, explicit permission)", r: get("/policies/"+w.pol, bearer(permUserTok)), status: 200},
		{name: pols + "User attempts to retrieve a policy", r: get("/policies/"+w.pol2, bearer(w.userTok)), status: 404},
		{name: poli + "Product retrieves all policies for their product", r: get("/policies", bearer(w.prodTok)), status: 200, check: listLen(1)},
		{name: poli + "License attempts to retrieve their policies (default permissions)", r: get("/policies", bearer(w.licTok)), status: 403},
		{name: poli + "License attempts to retrieve their policies (explicit permission)", r: get("/policies", bearer(w.licPermTok)), status: 200, check: listLen(1)},
		{name: poli + "User attempts to retrieve their policies (default permissions)", r: get("/policies", bearer(w.userTok)), status: 403},
		{name: poli + "User attempts to retrieve their policies (license owner, explicit permission)", r: get("/policies", bearer(permUserTok)), status: 200, check: listLen(1)},
		{name: poli + "Read-only retrieves all policies for their account", r: get("/policies", bearer(w.roTok)), status: 200, check: listLen(2)},
	})

	pc := "policies/create.feature: "
	pu := "policies/update.feature: "
	pd := "policies/destroy.feature: "
	newPol := func(prod, auth string) req {
		return req{method: "POST", path: "/policies", auth: auth, body: doc("policies", map[string]any{"name": "P"}, map[string]any{"product": link("products", prod)})}
	}
	patchPol := func(id, auth string) req {
		return req{method: "PATCH", path: "/policies/" + id, auth: auth, body: doc("policies", map[string]any{"name": "Renamed"}, nil)}
	}
	rmPol := func(id, auth string) req { return req{method: "DELETE", path: "/policies/" + id, auth: auth} }
	tt.run(t, []apiCase{
		{name: pc + "Product attempts to create a policy for their product", r: newPol(w.prod, bearer(w.prodTok)), status: 201},
		{name: pc + "Product attempts to create a policy for another product", r: newPol(w.prod2, bearer(w.prodTok)), status: 403},
		{name: pc + "User attempts to create a policy for their account", r: newPol(w.prod, bearer(w.userTok)), status: 403},
		{name: pc + "License attempts to create a policy for their account", r: newPol(w.prod, bearer(w.licTok)), status: 403},
		{name: pc + "Developer creates a policy for their account", r: newPol(w.prod, bearer(w.devTok)), status: 201},
		{name: pc + "Sales creates a policy for their account", r: newPol(w.prod, bearer(w.salesTok)), status: 201},
		{name: pc + "Support attempts to create a policy for their account", r: newPol(w.prod, bearer(w.supportTok)), status: 403},
		{name: pc + "Read-only attempts to create a policy for their account", r: newPol(w.prod, bearer(w.roTok)), status: 403},
		{name: pu + "Sales updates a policy for their account", r: patchPol(w.pol, bearer(w.salesTok)), status: 200, attrs: map[string]any{"name": "Renamed"}},
		{name: pu + "Support updates a policy for their account", r: patchPol(w.pol, bearer(w.supportTok)), status: 403},
		{name: pu + "Read-only updates a policy for their account", r: patchPol(w.pol, bearer(w.roTok)), status: 403},
		{name: pu + "Product updates a policy for their product", r: patchPol(w.pol, bearer(w.prodTok)), status: 200},
		{name: pu + "Product attempts to update a policy for another product", r: patchPol(w.pol2, bearer(w.prodTok)), status: 404},
		{name: pu + "License attempts to update their policy", r: patchPol(w.pol, bearer(w.licTok)), status: 403},
		{name: pu + "License attempts to update a policy", r: patchPol(w.pol2, bearer(w.licTok)), status: 404},
		{name: pu + "User attempts to update their policy", r: patchPol(w.pol, bearer(w.userTok)), status: 403},
		{name: pu + "User attempts to update a policy", r: patchPol(w.pol2, bearer(w.userTok)), status: 404},
		{name: pd + "Sales deletes one of their policies", r: rmPol(w.pol, bearer(w.salesTok)), status: 403},
		{name: pd + "Support deletes one of their policies", r: rmPol(w.pol, bearer(w.supportTok)), status: 403},
		{name: pd + "Read-only deletes one of their policies", r: rmPol(w.pol, bearer(w.roTok)), status: 403},
		{name: pd + "Product deletes a policy for a different product", r: rmPol(w.pol2, bearer(w.prodTok)), status: 404},
		{name: pd + "License attempts to delete a policy for their product", r: rmPol(w.pol, bearer(w.licTok)), status: 403},
		{name: pd + "User attempts to delete a policy for their product", r: rmPol(w.pol, bearer(w.userTok)), status: 403},
		{name: pd + "Anonymous attempts to delete a policy", r: rmPol(w.pol, "-"), status: 401},
		{name: pd + "Product deletes one of their policies", r: rmPol(tt.policy(w.prod, nil), bearer(w.prodTok)), status: 204},
	})
}

func TestPoliciesStaff(t *testing.T) {
	t.Parallel()
	w := newTeamWorld(t)
	tt := w
	p3, p4 := tt.policy(w.prod, nil), tt.policy(w.prod, nil)
	create := func(tok string) req {
		return writeAs("POST", "/policies", tok, doc("policies", map[string]any{"name": "Staff"}, map[string]any{"product": link("products", w.prod)}))
	}
	update := func(tok string) req {
		return writeAs("PATCH", "/policies/"+w.pol, tok, doc("policies", map[string]any{"name": "Renamed"}, nil))
	}
	c, d, u := "policies/create.feature: ", "policies/destroy.feature: ", "policies/update.feature: "
	cases := []apiCase{
		{name: c + "Developer creates a policy for their account", r: create(w.devTok), status: 201},
		{name: c + "Sales creates a policy for their account", r: create(w.salesTok), status: 201},
		{name: c + "Support attempts to create a policy for their account", r: create(w.supportTok), status: 403, detail: denied},
		{name: c + "Read-only attempts to create a policy for their account", r: create(w.roTok), status: 403, detail: roLacks},
		{name: d + "Developer deletes one of their policies", r: writeAs("DELETE", "/policies/"+p3, w.devTok, nil), status: 204},
		{name: d + "Sales deletes one of their policies", r: writeAs("DELETE", "/policies/"+p4, w.salesTok, nil), status: 403, detail: denied},
		{name: d + "Support deletes one of their policies", r: writeAs("DELETE", "/policies/"+p4, w.supportTok, nil), status: 403, detail: denied},
		{name: d + "Read-only deletes one of their policies", r: writeAs("DELETE", "/policies/"+p4, w.roTok, nil), status: 403, detail: roLacks},
		{name: u + "Developer updates a policy for their account", r: update(w.devTok), status: 200, attrs: map[string]any{"name": "Renamed"}},
		{name: u + "Sales updates a policy for their account", r: update(w.salesTok), status: 200},
		{name: u + "Support updates a policy for their account", r: update(w.supportTok), status: 403, detail: denied},
		{name: u + "Read-only updates a policy for their account", r: update(w.roTok), status: 403, detail: roLacks},
	}
	tt.run(t, append(w.staffReads("policy", "policies", w.pol), cases...))
	assert.Len(t, tt.get("/policies").list(), 5) // 2 + 2 fixtures + 2 created - 1 deleted
}
