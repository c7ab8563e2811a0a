package keygentest

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Licenses: create, show, update, destroy and the staff roles
// (features/api/v1/licenses/{create,show,update,destroy}.feature).

// licBody is a license create document for the policy with optional extra relationships.
func licBody(pol string, attrs map[string]any, rels map[string]any) map[string]any {
	if rels == nil {
		rels = map[string]any{}
	}
	rels["policy"] = link("policies", pol)
	return doc("licenses", attrs, rels)
}

const lcreate = "licenses/create.feature"

// TestLicensesCreate pins the create rules (app/models/license.rb,
// app/controllers/api/v1/licenses_controller.rb).
func TestLicensesCreate(t *testing.T) {
	t.Parallel()
	tt := newWorld(t)
	prod := tt.product()
	open := tt.policy(prod, map[string]any{"floating": true, "duration": 86400 * 30, "requireCheckIn": true, "checkInInterval": "day", "checkInIntervalCount": 1})
	protected := tt.policy(prod, map[string]any{"protected": true})
	pooled := tt.policy(prod, map[string]any{"usePool": true})
	user := tt.createUser("lic-user@example.com")
	_, userTok := tt.tokenFor("users", user, nil)
	existing := tt.mustLicense(open, map[string]any{"key": "existing-key"}, nil)

	t.Run("defaults on create", func(t *testing.T) {
		r := tt.mustLicense(open, nil, map[string]any{"owner": link("users", user)})
		a := r.attrs()
		assert.Regexp(t, `^[0-9A-F]{6}-[0-9A-F]{6}-[0-9A-F]{6}-[0-9A-F]{6}-[0-9A-F]{6}-V3$`, a["key"], "default key format")
		assert.Equal(t, false, a["protected"], "protected ← policy")
		assert.Equal(t, "ACTIVE", a["status"])
		exp, _ := time.Parse(timeFormat, a["expiry"].(string))
		assert.WithinDuration(t, tt.srv.Now().AddDate(0, 0, 30), exp, 5*time.Second, "expiry ← now+duration")
		assert.NotNil(t, a["lastCheckIn"], "lastCheckIn ← now when requireCheckIn")
		assert.NotNil(t, a["nextCheckIn"])
	})
	cases := []struct {
		name         string
		policy       string
		attrs, rels  map[string]any
		auth         string
		status       int
		code, source string
	}{
		{"KEY_TAKEN", open, map[string]any{"key": "existing-key"}, nil, "", 422, "KEY_TAKEN", "/data/attributes/key"},
		{"KEY_CONFLICT", open, map[string]any{"key": existing.id()}, nil, "", 422, "KEY_CONFLICT", "/data/attributes/key"},
		{"KEY_TOO_SHORT", open, map[string]any{"key": "short"}, nil, "", 422, "KEY_TOO_SHORT", "/data/attributes/key"},
		{"POLICY_NOT_FOUND", tt.srv.AccountID, nil, nil, "", 422, "POLICY_NOT_FOUND", "/data/relationships/policy"},
		{"OWNER_NOT_FOUND", open, nil, map[string]any{"owner": link("users", tt.srv.AccountID)}, "", 422, "OWNER_NOT_FOUND", "/data/relationships/owner"},
		{"POLICY_POOL_EMPTY", pooled, nil, nil, "", 422, "POLICY_POOL_EMPTY", "/data/relationships/policy"},
		{"privileged expiry unpermitted for users", open, map[string]any{"expiry": "2099-01-01T00:00:00Z"}, map[string]any{"user": link("users", user)}, "Bearer " + userTok, 400, "", "/data/attributes/expiry"},
		{"user on protected policy 403", protected, nil, map[string]any{"owner": link("users", user)}, "Bearer " + userTok, 403, "", ""},
		{"user for someone else 403", open, nil, nil, "Bearer " + userTok, 403, "", ""},
		{"user for self on unprotected policy", open, nil, map[string]any{"owner": link("users", user)}, "Bearer " + userTok, 201, "", ""},
		{"anonymous 401", open, nil, nil, "-", 401, "TOKEN_MISSING", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rels := map[string]any{"policy": link("policies", c.policy)}
			for k, v := range c.rels {
				rels[k] = v
			}
			r := tt.do(req{method: "POST", path: "/licenses", auth: c.auth, body: doc("licenses", c.attrs, rels)})
			if c.status == 201 {
				require.Equal(t, 201, r.status, string(r.body))
				return
			}
			expectError(t, r, c.status, c.code, c.source, "")
		})
	}
	t.Run("pooled policy pops the oldest key", func(t *testing.T) {
		for _, k := range []string{"pool-key-0001", "pool-key-0002"} {
			tt.mustCreate("/keys", "keys", map[string]any{"key": k}, map[string]any{"policy": link("policies", pooled)})
			time.Sleep(2 * time.Millisecond)
		}
		assert.Equal(t, "pool-key-0001", tt.mustLicense(pooled, nil, nil).attrs()["key"])
	})
	t.Run("get by key, patch expiry null, list filters, delete", func(t *testing.T) {
		assert.Equal(t, existing.id(), tt.get("/licenses/existing-key").id(), "key alias")
		r := tt.do(req{method: "PATCH", path: "/licenses/" + existing.id(), body: doc("licenses", map[string]any{"expiry": nil, "name": "N", "metadata": map[string]any{"tier": "gold"}}, nil)})
		require.Equal(t, 200, r.status, string(r.body))
		assert.Nil(t, r.attrs()["expiry"])
		assert.Len(t, tt.get("/licenses?metadata[tier]=gold").list(), 1, "metadata filter")
		assert.Len(t, tt.get("/licenses?policy="+protected).list(), 0, "policy filter")
		assert.Len(t, tt.get("/licenses?owner="+user).list(), 2, "owner filter")
		assert.Len(t, tt.get("/licenses?expires[within]=31d").list(), 2, "expires[within]")
		assert.Len(t, tt.do(req{method: "GET", path: "/licenses", auth: "Bearer " + userTok}).list(), 2, "users see their own")
		assert.Equal(t, 404, tt.do(req{method: "GET", path: "/licenses/" + existing.id(), auth: "Bearer " + userTok}).status, "others' → 404")
		assert.Equal(t, 204, tt.do(req{method: "DELETE", path: "/licenses/" + existing.id()}).status)
		assert.Equal(t, 404, tt.get("/licenses/"+existing.id()).status)
	})
}

// TestLicensesCreateFeature pins licenses/create.feature (errors and bearer rules).
func TestLicensesCreateFeature(t *testing.T) {
	t.Parallel()
	f := newLicensingWorld(t, nil)
	tt := f
	const r = "licenses/create.feature: "
	nodeLocked := tt.policy(f.prod, map[string]any{"floating": false})
	encrypted := tt.policy(f.prod, map[string]any{"encrypted": true, "floating": true})
	pooled := tt.policy(f.prod, map[string]any{"usePool": true, "floating": true})
	limitedUser := tt.mustCreate("/users", "users", map[string]any{"email": "limited@example.com", "password": "password", "permissions": []string{"license.validate"}}, nil)
	_, limitedTok := tt.tokenFor("users", limitedUser, nil)
	existing := f.licenseOf(f.pol, false, false, map[string]any{"key": "dup-key"})
	create := func(name, auth string, attrs, rels map[string]any, status int) apiCase {
		if rels == nil {
			rels = map[string]any{"policy": link("policies", f.pol)}
		}
		return apiCase{name: r + name, r: req{method: "POST", path: "/licenses", auth: auth, body: doc("licenses", attrs, rels)}, status: status}
	}
	with := func(c apiCase, title, detail, code string, src map[string]any) apiCase {
		c.title, c.detail, c.code, c.source = title, detail, code, src
		return c
	}
	ptr := func(p string) map[string]any { return map[string]any{"pointer": p} }
	ownRels := func(pol, user string) map[string]any {
		return map[string]any{"policy": link("policies", pol), "user": link("users", user)}
	}
	const bad, unproc = "Bad request", "Unprocessable resource"
	cases := []apiCase{
		create("Support attempts to create a license for a user of their account", f.supportAuth, nil, nil, 403),
		create("Read-only attempts to create a license for a user of their account", f.roAuth, nil, nil, 403),
		with(create("Admin creates a license with an invalid policy for a user of their account", "", nil, map[string]any{"policy": link("policies", f.owner)}, 422),
			unproc, "must exist", "POLICY_NOT_FOUND", ptr("/data/relationships/policy")),
		with(create("Admin creates a license with an empty owner", "", nil, map[string]any{"policy": link("policies", f.pol), "owner": map[string]any{}}, 400),
			bad, "is missing", "", ptr("/data/relationships/owner/data")),
		with(create("Admin creates a license with a false owner", "", nil, map[string]any{"policy": link("policies", f.pol), "owner": false}, 400),
			bad, "type mismatch (received boolean expected object)", "", ptr("/data/relationships/owner")),
		with(create("Admin creates a license for an invalid owner of their account (default)", "", nil, map[string]any{"policy": link("policies", f.pol), "owner": link("users", "8784f31d-ab66-4384-9fec-e69f1cdb189b")}, 422),
			unproc, "must exist", "OWNER_NOT_FOUND", ptr("/data/relationships/owner")),
		func() apiCase {
			c := with(create("Admin creates a license for an invalid user of their account (v1.5)", "", nil, map[string]any{"policy": link("policies", f.pol), "user": link("users", "8784f31d-ab66-4384-9fec-e69f1cdb189b")}, 422),
				unproc, "must exist", "USER_NOT_FOUND", ptr("/data/relationships/user"))
			c.r.headers = map[string]string{"Keygen-Version": "1.5"}
			return c
		}(),
		with(create("Admin creates a license with too complex nested metadata", "", map[string]any{"metadata": map[string]any{"array": []any{1, []any{map[string]any{"a": 1}}}}}, nil, 400),
			bad, "maximum depth of 2 exceeded", "", ptr("/data/attributes/metadata/array/1/0")),
		with(create("Admin creates a duplicate license with a pre-determined key", "", map[string]any{"key": "dup-key"}, nil, 422), unproc, "has already been taken", "KEY_TAKEN", ptr("/data/attributes/key")),
		create("Admin creates a license with a pre-determined key that conflicts with a license ID", "", map[string]any{"key": existing}, nil, 422),
		with(create("Admin creates a legacy encrypted license with a pre-determined key", "", map[string]any{"key": "some-encrypted-key"}, map[string]any{"policy": link("policies", encrypted)}, 422),
			unproc, "cannot be specified for a legacy encrypted license", "KEY_NOT_SUPPORTED", ptr("/data/attributes/key")),
		func() apiCase {
			c := create("Admin creates a license with a pre-determined ID that conflicts with another license", "", nil, nil, 422)
			c.r.body.(map[string]any)["data"].(map[string]any)["id"] = existing
			return with(c, unproc, "must not conflict with another license", "ID_CONFLICT", ptr("/data/id"))
		}(),
		func() apiCase {
			c := create("Admin creates a license with a pre-determined ID that is not a UUID", "", nil, nil, 400)
			c.r.body.(map[string]any)["data"].(map[string]any)["id"] = "1"
			return with(c, bad, "type mismatch (received string expected UUID string)", "", ptr("/data/id"))
		}(),
		with(create("Admin attempts to create a license without a policy", "", nil, map[string]any{}, 400), bad, "is missing", "", ptr("/data/relationships/policy")),
		with(create("Admin creates a license with a reserved key", "", map[string]any{"key": "actions"}, nil, 422), unproc, "is reserved", "KEY_NOT_ALLOWED", ptr("/data/attributes/key")),
		with(create("Admin creates a license with a short key", "", map[string]any{"key": "abc"}, nil, 422), unproc, "is too short (minimum is 6 characters)", "KEY_TOO_SHORT", ptr("/data/attributes/key")),
		create("User creates a license for themself", f.ownerAuth, nil, ownRels(f.pol, f.owner), 201),
		with(create("User creates a license for themself (user lacks permission)", "Bearer "+limitedTok, nil, ownRels(f.pol, limitedUser), 403),
			"Access denied", "You do not have permission to complete the request (user lacks permission to perform action)", "", nil),
		with(create("User creates an unprotected license for themself", f.ownerAuth, map[string]any{"protected": false}, ownRels(f.pol, f.owner), 400), bad, "unpermitted parameter", "", ptr("/data/attributes/protected")),
		func() apiCase {
			c := create("User creates a license for themself with a pre-determined ID", f.ownerAuth, nil, ownRels(f.pol, f.owner), 400)
			c.r.body.(map[string]any)["data"].(map[string]any)["id"] = "5e9527ce-a9ba-4f0f-a881-980129f4d36c"
			return with(c, bad, "unpermitted parameter", "", ptr("/data/id"))
		}(),
		with(create("User creates a suspended license for themself", f.ownerAuth, map[string]any{"suspended": true}, ownRels(f.pol, f.owner), 400), bad, "unpermitted parameter", "", ptr("/data/attributes/suspended")),
		with(create("User creates a license for themself with a pre-determined expiry", f.ownerAuth, map[string]any{"expiry": "2016-09-05T22:53:37.000Z"}, ownRels(f.pol, f.owner), 400), bad, "unpermitted parameter", "", ptr("/data/attributes/expiry")),
		with(create("User creates a license that overrides the policy's max machines", f.ownerAuth, map[string]any{"maxMachines": 5}, ownRels(f.pol, f.owner), 400), bad, "unpermitted parameter", "", ptr("/data/attributes/maxMachines")),
		create("User attempts to create a license without a user", f.ownerAuth, nil, nil, 403),
		create("User attempts to create a license for another user", f.ownerAuth, nil, ownRels(f.pol, limitedUser), 403),
		create("User creates a license using a protected policy", f.ownerAuth, nil, ownRels(f.prot, f.owner), 403),
		create("User attempts to create a license with mismatched policy/user IDs", f.ownerAuth, nil, ownRels(f.owner, f.owner), 422),
		with(create("Admin creates a license with an empty policy pool", "", nil, map[string]any{"policy": link("policies", pooled)}, 422), unproc, "pool is empty", "POLICY_POOL_EMPTY", ptr("/data/relationships/policy")),
		with(create("Admin uses an invalid token while attempting to create a license", "Bearer admin-invalid", nil, nil, 401), "Unauthorized", "You must be authenticated to complete the request", "TOKEN_INVALID", nil),
		with(create("Admin uses an invalid token that looks like a UUID while attempting to create a license", "Bearer 5e9527ce-a9ba-4f0f-a881-980129f4d36c", nil, nil, 401), "Unauthorized",
			"Token format is invalid (make sure that you're providing a token value, not a token's UUID identifier)", "TOKEN_FORMAT_INVALID", nil),
		with(create("Anonymous attempts to create a license", "-", nil, nil, 401), "Unauthorized", "You must be authenticated to complete the request", "TOKEN_MISSING", nil),
		with(create("Admin creates a license for a user of another account", f.otherAcct, nil, nil, 401), "Unauthorized", "You must be authenticated to complete the request", "TOKEN_INVALID", nil),
		create("Product attempts to create a license using an invalid policy ID", f.prodAuth, nil, map[string]any{"policy": link("policies", "5e9527ce-a9ba-4f0f-a881-980129f4d36c")}, 403),
		create("Product attempts to create a license using a policy they don't own", f.prodAuth, nil, map[string]any{"policy": link("policies", f.pol2)}, 403),
		with(create("Product attempts to create a license for a user of another account", f.prodAuth, nil, map[string]any{"policy": link("policies", f.pol), "owner": link("users", "8784f31d-ab66-4384-9fec-e69f1cdb189b")}, 422),
			unproc, "must exist", "OWNER_NOT_FOUND", ptr("/data/relationships/owner")),
		with(apiCase{name: r + "Admin sends invalid JSON while attempting to create a license", r: req{method: "POST", path: "/licenses", raw: `{"data":`}, status: 400, noMeta: true},
			bad, "The request could not be completed because it contains invalid JSON (check formatting/encoding)", "JSON_INVALID", nil),
		with(apiCase{name: r + "Admin creates a license for a user of their account with a name that contains a null byte", r: req{method: "POST", path: "/licenses",
			raw: `{"data":{"type":"licenses","attributes":{"name":"Null\u0000Byte"},"relationships":{"policy":{"data":{"type":"policies","id":"` + f.pol + `"}}}}}`}, status: 400, noMeta: true},
			bad, "The request could not be completed because it contains an unexpected null byte (check encoding)", "ENCODING_INVALID", nil),
		with(create("Admin creates a node-locked license that overrides its policy's max machines", "", map[string]any{"maxMachines": 5}, map[string]any{"policy": link("policies", nodeLocked)}, 422),
			unproc, "must be equal to 1 for non-floating policy", "MAX_MACHINES_INVALID", ptr("/data/attributes/maxMachines")),
		with(create("Admin creates a license with an invalid max memory override", "", map[string]any{"maxMemory": 0}, nil, 422), unproc, "must be greater than or equal to 1", "MAX_MEMORY_INVALID", ptr("/data/attributes/maxMemory")),
		with(create("Admin creates a license with an invalid max disk override", "", map[string]any{"maxDisk": 0}, nil, 422), unproc, "must be greater than or equal to 1", "MAX_DISK_INVALID", ptr("/data/attributes/maxDisk")),
	}
	tt.run(t, cases)
}

func TestLicensesCreateAttributes(t *testing.T) {
	t.Parallel()
	post := func(pol func(f *world) string, attrs map[string]any, rels func(f *world) map[string]any) func(f *world) req {
		return func(f *world) req {
			var rs map[string]any
			if rels != nil {
				rs = rels(f)
			}
			return req{method: "POST", path: "/licenses", body: licBody(pol(f), attrs, rs)}
		}
	}
	polWith := func(attrs map[string]any) func(f *world) string {
		return func(f *world) string { return f.floatingPolicy(attrs) }
	}
	plain := polWith(nil)
	withUser := func(f *world) map[string]any {
		return map[string]any{"user": link("users", f.createUser("u@example.com"))}
	}
	unproc := "Unprocessable resource"
	cases := []apiCase{
		{name: lcreate + ": Admin creates a license for a user of their account", setup: post(plain, nil, func(f *world) map[string]any {
			return map[string]any{"owner": link("users", f.createUser("u@example.com"))}
		}), status: 201, attrs: map[string]any{"protected": false, "uses": float64(0), "suspended": false, "status": "ACTIVE", "expiry": nil, "lastValidated": nil},
			check: func(t *testing.T, f *world, r *reply) {
				o := rel(r, "owner")
				assert.Equal(t, "/v1/accounts/"+f.srv.AccountID+"/licenses/"+r.id()+"/owner", o["links"].(map[string]any)["related"])
				assert.Equal(t, "users", o["data"].(map[string]any)["type"])
				assert.Regexp(t, `^([0-9A-F]{6}-){5}V3$`, r.attrs()["key"], "default key format")
			}},
		{name: lcreate + ": Admin creates a license for a user of their account (v1.5)", setup: func(f *world) req {
			q := post(plain, nil, withUser)(f)
			q.headers = map[string]string{"Keygen-Version": "1.5"}
			return q
		}, status: 201, check: func(t *testing.T, f *world, r *reply) {
			u := rel(r, "user")
			require.NotNil(t, u, string(r.body))
			assert.Equal(t, "/v1/accounts/"+f.srv.AccountID+"/licenses/"+r.id()+"/user", u["links"].(map[string]any)["related"])
			assert.Equal(t, "users", u["data"].(map[string]any)["type"])
		}},
		{name: lcreate + ": Admin attempts to create a license with a null key", setup: post(plain, map[string]any{"key": nil}, nil), status: 201,
			check: func(t *testing.T, f *world, r *reply) { assert.NotEmpty(t, r.attrs()["key"]) }},
		{name: lcreate + ": Admin attempts to create a license with null metadata", setup: post(plain, map[string]any{"metadata": nil}, nil), status: 201,
			attrs: map[string]any{"metadata": map[string]any{}}},
		{name: lcreate + ": Admin creates a license with metadata for their account and the keys should be transformed to camelcase",
			setup: post(plain, map[string]any{"metadata": map[string]any{"example_key_1": 1, "ExampleKey2": 2, "exampleKey3": 3, "example key 4": 4}}, nil), status: 201,
			attrs: map[string]any{"metadata": map[string]any{"exampleKey1": float64(1), "exampleKey2": float64(2), "exampleKey3": float64(3), "exampleKey4": float64(4)}}},
		{name: lcreate + ": Admin creates a license with nested metadata (v1.4)", setup: func(f *world) req {
			q := post(plain, map[string]any{"metadata": map[string]any{"parentKey": map[string]any{"childKey": "value"}}}, nil)(f)
			q.headers = map[string]string{"Keygen-Version": "1.4"}
			return q
		}, status: 201, attrs: map[string]any{"metadata": map[string]any{"parentKey": map[string]any{"child_key": "value"}}}},
		{name: lcreate + ": Admin creates a license with nested metadata (default)",
			setup: post(plain, map[string]any{"metadata": map[string]any{"parentKey": map[string]any{"childKey": "value"}}}, nil), status: 201,
			attrs: map[string]any{"metadata": map[string]any{"parentKey": map[string]any{"childKey": "value"}}}},
		{name: lcreate + ": Admin creates a license with a pre-determined expiry", setup: post(plain, map[string]any{"expiry": "2016-09-05T22:53:37.000Z"}, nil), status: 201,
			attrs: map[string]any{"expiry": "2016-09-05T22:53:37.000Z", "status": "EXPIRED"}},
		{name: lcreate + ": Admin creates a license with a pre-determined UUID key", setup: post(plain, map[string]any{"key": "977f1752-d6a9-4669-a6af-b039154ec40f"}, nil), status: 201,
			attrs: map[string]any{"key": "977f1752-d6a9-4669-a6af-b039154ec40f"}},
		{name: lcreate + ": Admin creates a license with a pre-determined key that conflicts with a license ID", setup: func(f *world) req {
			id, _ := f.createLicense("", nil, "")
			return post(plain, map[string]any{"key": id}, nil)(f)
		}, status: 422, title: unproc, code: "KEY_CONFLICT", detail: "must not conflict with another license's identifier (UUID)", source: map[string]any{"pointer": "/data/attributes/key"}},
		{name: lcreate + ": Admin creates a duplicate license of another account with a pre-determined key", setup: func(f *world) req {
			o := newWorld(t)
			op := o.policy(o.product(), map[string]any{"floating": true})
			o.mustLicense(op, map[string]any{"key": "a-duplicate-key"}, nil)
			return post(polWith(map[string]any{"maxMachines": 3}), map[string]any{"key": "a-duplicate-key"}, nil)(f)
		}, status: 201, attrs: map[string]any{"key": "a-duplicate-key", "maxMachines": float64(3)}},
		{name: lcreate + ": Admin creates a duplicate license of another account with a pre-determined UUID key", setup: func(f *world) req {
			o := newWorld(t)
			op := o.policy(o.product(), map[string]any{"floating": true})
			r := o.do(req{method: "POST", path: "/licenses", body: func() map[string]any {
				d := licBody(op, nil, nil)
				d["data"].(map[string]any)["id"] = "977f1752-d6a9-4669-a6af-b039154ec40f"
				return d
			}()})
			require.Equal(t, 201, r.status, string(r.body))
			return post(polWith(map[string]any{"maxMachines": 3, "maxCores": 32, "maxUses": 100}), map[string]any{"key": "977f1752-d6a9-4669-a6af-b039154ec40f"}, nil)(f)
		}, status: 201, attrs: map[string]any{"key": "977f1752-d6a9-4669-a6af-b039154ec40f", "maxMachines": float64(3), "maxCores": float64(32), "maxUses": float64(100)}},
		{name: lcreate + ": Admin creates a legacy encrypted license for a user of their account", setup: post(polWith(map[string]any{"encrypted": true}), nil, withUser), status: 201,
			attrs: map[string]any{"scheme": "LEGACY_ENCRYPT", "encrypted": true}},
		{name: lcreate + ": Admin creates a license using scheme RSA_2048_PKCS1_ENCRYPT with a pre-determined key",
			setup: post(polWith(map[string]any{"scheme": "RSA_2048_PKCS1_ENCRYPT"}), map[string]any{"key": "some-encrypted-payload-here"}, withUser), status: 201,
			attrs: map[string]any{"scheme": "RSA_2048_PKCS1_ENCRYPT", "encrypted": false}},
		{name: lcreate + ": Admin creates a license using scheme RSA_2048_PKCS1_ENCRYPT with a key that is too large",
			setup: post(polWith(map[string]any{"scheme": "RSA_2048_PKCS1_ENCRYPT"}), map[string]any{"key": strings.Repeat("x", 246)}, withUser), status: 422,
			title: unproc, code: "KEY_BYTE_SIZE_EXCEEDED", detail: "key exceeds maximum byte length (max size of 245 bytes)", source: map[string]any{"pointer": "/data/attributes/key"}},
		{name: lcreate + ": Admin creates a license using scheme RSA_2048_PKCS1_ENCRYPT with a key of exactly 245 bytes",
			setup: post(polWith(map[string]any{"scheme": "RSA_2048_PKCS1_ENCRYPT"}), map[string]any{"key": strings.Repeat("x", 245)}, nil), status: 201},
		{name: lcreate + ": Admin creates a license using scheme RSA_2048_PKCS1_PSS_SIGN with an empty key",
			setup: post(polWith(map[string]any{"scheme": "RSA_2048_PKCS1_PSS_SIGN"}), map[string]any{"key": ""}, withUser), status: 400,
			title: "Bad request", detail: "cannot be blank", source: map[string]any{"pointer": "/data/attributes/key"}},
		{name: lcreate + ": Admin creates a license using scheme RSA_2048_JWT_RS256 with an invalid payload",
			setup: post(polWith(map[string]any{"scheme": "RSA_2048_JWT_RS256"}), map[string]any{"key": "some-non-json-payload"}, withUser), status: 422,
			title: unproc, code: "KEY_JWT_CLAIMS_INVALID", detail: "key is not a valid JWT claims payload (must be a valid JSON encoded string)", source: map[string]any{"pointer": "/data/attributes/key"}},
		{name: lcreate + ": Admin creates a license using scheme RSA_2048_JWT_RS256 with an invalid JWT exp",
			setup: post(polWith(map[string]any{"scheme": "RSA_2048_JWT_RS256"}), map[string]any{"key": `{"exp":"foo"}`}, withUser), status: 422,
			title: unproc, code: "KEY_JWT_CLAIMS_INVALID", detail: "key is not a valid JWT claims payload (exp claim must be a numeric value but it is a string)", source: map[string]any{"pointer": "/data/attributes/key"}},
		{name: lcreate + ": Admin creates a license using scheme RSA_2048_JWT_RS256 with an invalid JWT nbf (boolean)",
			setup: post(polWith(map[string]any{"scheme": "RSA_2048_JWT_RS256"}), map[string]any{"key": `{"iat":1,"nbf":true}`}, nil), status: 422,
			code: "KEY_JWT_CLAIMS_INVALID", detail: "key is not a valid JWT claims payload (nbf claim must be a numeric value but it is a trueclass)"},
		{name: lcreate + ": Admin creates a license using scheme RSA_2048_JWT_RS256 with a pre-determined key",
			setup: post(polWith(map[string]any{"scheme": "RSA_2048_JWT_RS256"}), map[string]any{"key": `{ "exp": 4691671952 }`}, withUser), status: 201,
			attrs: map[string]any{"scheme": "RSA_2048_JWT_RS256", "encrypted": false},
			check: func(t *testing.T, f *world, r *reply) {
				parts := strings.Split(r.attrs()["key"].(string), ".")
				require.Len(t, parts, 3)
				var claims map[string]any
				require.NoError(t, json.Unmarshal(mustRawB64(t, parts[1]), &claims))
				assert.Equal(t, map[string]any{"exp": float64(4691671952)}, claims)
			}},
		{name: lcreate + ": Admin creates a license using scheme RSA_2048_JWT_RS256 for a user of their account",
			setup: post(polWith(map[string]any{"scheme": "RSA_2048_JWT_RS256", "duration": 1209600}), nil, withUser), status: 201,
			check: func(t *testing.T, f *world, r *reply) {
				parts := strings.Split(r.attrs()["key"].(string), ".")
				require.Len(t, parts, 3)
				var claims map[string]any
				require.NoError(t, json.Unmarshal(mustRawB64(t, parts[1]), &claims))
				exp, _ := time.Parse(time.RFC3339, r.attrs()["expiry"].(string))
				cr, _ := time.Parse(time.RFC3339, r.attrs()["created"].(string))
				assert.Equal(t, "https://keygen.sh", claims["iss"])
				assert.Equal(t, f.srv.AccountID, claims["aud"])
				assert.Equal(t, r.id(), claims["sub"])
				assert.Equal(t, float64(exp.Unix()), claims["exp"])
				assert.Equal(t, float64(cr.Unix()), claims["iat"])
				assert.Equal(t, float64(cr.Unix()), claims["nbf"])
			}},
		{name: lcreate + ": Admin creates a license using scheme RSA_2048_PKCS1_SIGN for a user of their account",
			setup: post(polWith(map[string]any{"scheme": "RSA_2048_PKCS1_SIGN"}), nil, func(f *world) map[string]any {
				return map[string]any{"user": link("users", f.createUser("signer@example.com"))}
			}), status: 201,
			check: func(t *testing.T, f *world, r *reply) {
				a := r.attrs()
				ds := keyDataset(t, "RSA_2048_PKCS1_SIGN", a["key"].(string))
				want := `{"account":{"id":"` + f.srv.AccountID + `"},"product":{"id":"` + f.prod + `"},"policy":{"id":"` + rel(r, "policy")["data"].(map[string]any)["id"].(string) +
					`","duration":null},"user":{"id":"` + rel(r, "owner")["data"].(map[string]any)["id"].(string) + `","email":"signer@example.com"},"license":{"id":"` + r.id() +
					`","created":"` + a["created"].(string) + `","expiry":null}}`
				assert.Equal(t, want, ds)
			}},
		{name: lcreate + ": Admin creates a license using scheme RSA_2048_PKCS1_PSS_SIGN_V2 with a pre-determined ID and key", setup: func(f *world) req {
			d := licBody(f.floatingPolicy(map[string]any{"scheme": "RSA_2048_PKCS1_PSS_SIGN_V2"}), map[string]any{"key": "id=00000000-ceca-491a-9741-fddf0082b567"}, nil)
			d["data"].(map[string]any)["id"] = "00000000-ceca-491a-9741-fddf0082b567"
			return req{method: "POST", path: "/licenses", body: d}
		}, status: 201, check: func(t *testing.T, f *world, r *reply) {
			assert.Equal(t, "00000000-ceca-491a-9741-fddf0082b567", r.id())
			assert.Equal(t, "id=00000000-ceca-491a-9741-fddf0082b567", keyDataset(t, "RSA_2048_PKCS1_PSS_SIGN_V2", r.attrs()["key"].(string)))
		}},
		{name: lcreate + ": Admin creates a license using scheme RSA_2048_PKCS1_PSS_SIGN_V2 with a pre-determined ID that conflicts with another license", setup: func(f *world) req {
			pol := f.floatingPolicy(map[string]any{"scheme": "RSA_2048_PKCS1_PSS_SIGN_V2"})
			d := licBody(pol, nil, nil)
			d["data"].(map[string]any)["id"] = "00000000-ceca-491a-9741-fddf0082b567"
			f.mustLicense(pol, nil, nil) // another license
			require.Equal(t, 201, f.do(req{method: "POST", path: "/licenses", body: d}).status)
			d = licBody(pol, map[string]any{"key": "id=00000000-ceca-491a-9741-fddf0082b567"}, nil)
			d["data"].(map[string]any)["id"] = "00000000-ceca-491a-9741-fddf0082b567"
			return req{method: "POST", path: "/licenses", body: d}
		}, status: 422, title: unproc, code: "ID_CONFLICT", detail: "must not conflict with another license", source: map[string]any{"pointer": "/data/id"}},
		{name: lcreate + ": Admin creates a license using scheme ED25519_SIGN with a short key",
			setup: post(polWith(map[string]any{"scheme": "ED25519_SIGN"}), map[string]any{"key": "short"}, withUser), status: 201,
			attrs: map[string]any{"scheme": "ED25519_SIGN", "encrypted": false},
			check: func(t *testing.T, f *world, r *reply) {
				assert.Equal(t, "short", keyDataset(t, "ED25519_SIGN", r.attrs()["key"].(string)))
			}},
		{name: lcreate + ": Admin creates a license using scheme ECDSA_P256_SIGN with a short key",
			setup: post(polWith(map[string]any{"scheme": "ECDSA_P256_SIGN"}), map[string]any{"key": "short"}, withUser), status: 201,
			check: func(t *testing.T, f *world, r *reply) {
				assert.Equal(t, "short", keyDataset(t, "ECDSA_P256_SIGN", r.attrs()["key"].(string)))
			}},
		{name: lcreate + ": Admin creates a license using scheme ED25519_SIGN using invalid template variables",
			setup: post(polWith(map[string]any{"scheme": "ED25519_SIGN"}), map[string]any{"key": `{ "foo": "{{bar}}", "baz": "{{1}}", "qux": "{{{{private_key}}}}" }`}, withUser), status: 201,
			check: func(t *testing.T, f *world, r *reply) {
				assert.Equal(t, `{ "foo": "", "baz": "", "qux": "{{}}" }`, keyDataset(t, "ED25519_SIGN", r.attrs()["key"].(string)))
			}},
		{name: lcreate + ": Admin creates a license using scheme ED25519_SIGN using non-word template variables (left as is)",
			setup: post(polWith(map[string]any{"scheme": "ED25519_SIGN"}), map[string]any{"key": `{{ id }}|{{foo-bar}}|{{ID}}`}, nil), status: 201,
			check: func(t *testing.T, f *world, r *reply) {
				assert.Equal(t, `{{ id }}|{{foo-bar}}|`+r.id(), keyDataset(t, "ED25519_SIGN", r.attrs()["key"].(string)))
			}},
		{name: lcreate + ": Admin creates a license using scheme RSA_2048_PKCS1_PSS_SIGN using template variables",
			setup: post(polWith(map[string]any{"scheme": "RSA_2048_PKCS1_PSS_SIGN"}), map[string]any{"key": `{ "user": "{{user}}", "email": "{{email}}", "expiry": "{{expiry}}", "duration": "{{duration}}", "id": "{{id}}" }`}, nil), status: 201,
			check: func(t *testing.T, f *world, r *reply) {
				assert.Equal(t, `{ "user": "", "email": "", "expiry": "", "duration": "", "id": "`+r.id()+`" }`, keyDataset(t, "RSA_2048_PKCS1_PSS_SIGN", r.attrs()["key"].(string)))
			}},
		{name: lcreate + ": Admin creates a license using scheme RSA_2048_PKCS1_SIGN_V2 using template variables",
			setup: post(polWith(map[string]any{"scheme": "RSA_2048_PKCS1_SIGN_V2", "duration": 1209600}), map[string]any{"key": `{{expiry}}|{{duration}}|{{email}}`}, func(f *world) map[string]any {
				return map[string]any{"user": link("users", f.createUser("test@keygen.example"))}
			}), status: 201,
			check: func(t *testing.T, f *world, r *reply) {
				assert.Equal(t, r.attrs()["expiry"].(string)+"|1209600|test@keygen.example", keyDataset(t, "RSA_2048_PKCS1_SIGN_V2", r.attrs()["key"].(string)))
			}},
		{name: lcreate + ": Admin creates a license without a scheme using template variables",
			setup: post(plain, map[string]any{"key": "{{account}}-{{product}}-{{id}}"}, nil), status: 201, attrs: map[string]any{"key": "{{account}}-{{product}}-{{id}}"}},
		{name: lcreate + ": Admin creates a license using a pooled policy", setup: func(f *world) req {
			pol := f.floatingPolicy(map[string]any{"usePool": true, "strict": true})
			for _, k := range []string{"pool-key-1", "pool-key-2"} {
				f.mustCreate("/keys", "keys", map[string]any{"key": k}, map[string]any{"policy": link("policies", pol)})
			}
			return req{method: "POST", path: "/licenses", body: licBody(pol, nil, nil)}
		}, status: 201, attrs: map[string]any{"strict": true, "key": "pool-key-1"}, check: func(t *testing.T, f *world, r *reply) {
			kr := f.get("/keys")
			require.Len(t, kr.list(), 1)
		}},
		{name: lcreate + ": Admin creates a license using a protected policy", setup: post(polWith(map[string]any{"protected": true}), nil, withUser), status: 201,
			attrs: map[string]any{"protected": true, "strict": false, "floating": true}},
		{name: lcreate + ": Admin creates a protected license using an unprotected policy", setup: post(polWith(map[string]any{"protected": false}), map[string]any{"protected": true}, withUser), status: 201,
			attrs: map[string]any{"protected": true}},
		{name: lcreate + ": Admin creates an unprotected license using a protected policy", setup: post(polWith(map[string]any{"protected": true}), map[string]any{"protected": false}, withUser), status: 201,
			attrs: map[string]any{"protected": false}},
		{name: lcreate + ": Product creates a license using a protected policy", setup: func(f *world) req {
			pol := f.floatingPolicy(map[string]any{"requireCheckIn": true, "checkInInterval": "month", "checkInIntervalCount": 3, "protected": true})
			u := f.createUser("u@example.com")
			d := licBody(pol, nil, map[string]any{"user": link("users", u)})
			d["data"].(map[string]any)["id"] = "00000000-e0e1-4c06-a313-cba8cce6be00"
			return req{method: "POST", path: "/licenses", auth: f.productAuth(f.prod), body: d}
		}, status: 201, attrs: map[string]any{"protected": true, "requireCheckIn": true},
			check: func(t *testing.T, f *world, r *reply) {
				assert.Equal(t, "00000000-e0e1-4c06-a313-cba8cce6be00", r.id())
				assert.Equal(t, r.attrs()["created"], r.attrs()["lastCheckIn"], "set_first_check_in")
				assert.NotNil(t, r.attrs()["nextCheckIn"])
			}},
		{name: lcreate + ": User creates a license using an unprotected policy", setup: func(f *world) req {
			pol := f.floatingPolicy(map[string]any{"name": "Trial Policy", "duration": 30 * 86400, "protected": false})
			uid, auth := f.userToken("self@example.com")
			return req{method: "POST", path: "/licenses", auth: auth, body: licBody(pol, nil, map[string]any{"user": link("users", uid)})}
		}, status: 201, attrs: map[string]any{"protected": false}, check: func(t *testing.T, f *world, r *reply) {
			cr, _ := time.Parse(time.RFC3339, r.attrs()["created"].(string))
			exp, _ := time.Parse(time.RFC3339, r.attrs()["expiry"].(string))
			assert.Equal(t, cr.AddDate(0, 0, 30), exp)
		}},
		{name: lcreate + ": User creates a license for themself (token lacks permission)", setup: func(f *world) req {
			pol := f.floatingPolicy(nil)
			uid := f.mustCreate("/users", "users", map[string]any{"email": "perm@example.com", "password": "password", "permissions": []string{"license.create", "license.validate"}}, nil)
			_, tok := f.tokenFor("users", uid, map[string]any{"permissions": []string{"license.validate"}})
			return req{method: "POST", path: "/licenses", auth: "Bearer " + tok, body: licBody(pol, nil, map[string]any{"user": link("users", uid)})}
		}, status: 403},
		{name: lcreate + ": User creates a protected license for themself", setup: func(f *world) req {
			pol := f.floatingPolicy(nil)
			uid, auth := f.userToken("self@example.com")
			return req{method: "POST", path: "/licenses", auth: auth, body: licBody(pol, map[string]any{"protected": true}, map[string]any{"user": link("users", uid)})}
		}, status: 400, title: "Bad request", detail: "unpermitted parameter", source: map[string]any{"pointer": "/data/attributes/protected"}},
		{name: lcreate + ": User creates a license that overrides the policy's max processes", setup: func(f *world) req {
			pol := f.floatingPolicy(map[string]any{"maxProcesses": 1})
			uid, auth := f.userToken("self@example.com")
			return req{method: "POST", path: "/licenses", auth: auth, body: licBody(pol, map[string]any{"maxProcesses": 999999999}, map[string]any{"user": link("users", uid)})}
		}, status: 400, title: "Bad request", detail: "unpermitted parameter", source: map[string]any{"pointer": "/data/attributes/maxProcesses"}},
		{name: lcreate + ": User creates a grouped license for their account", setup: func(f *world) req {
			pol := f.floatingPolicy(nil)
			uid, auth := f.userToken("self@example.com")
			return req{method: "POST", path: "/licenses", auth: auth, body: licBody(pol, nil, map[string]any{"user": link("users", uid), "group": link("groups", "d03322b2-765e-4220-8f50-3cdc1f2472cb")})}
		}, status: 400, title: "Bad request", detail: "unpermitted parameter", source: map[string]any{"pointer": "/data/relationships/group"}},
		{name: lcreate + ": Admin creates a grouped license for their account (invalid group)",
			setup: post(plain, map[string]any{"name": "Group License"}, func(f *world) map[string]any {
				return map[string]any{"group": link("groups", "d03322b2-765e-4220-8f50-3cdc1f2472cb")}
			}), status: 422, title: unproc, code: "GROUP_NOT_FOUND", detail: "must exist", source: map[string]any{"pointer": "/data/relationships/group"}},
		{name: lcreate + ": Admin creates a grouped license for their account (null group)",
			setup: post(plain, map[string]any{"name": "Group License"}, func(f *world) map[string]any {
				return map[string]any{"group": map[string]any{"data": nil}}
			}), status: 201, attrs: map[string]any{"name": "Group License"}, check: func(t *testing.T, f *world, r *reply) {
				g := rel(r, "group")
				assert.Contains(t, g, "data")
				assert.Nil(t, g["data"])
			}},
		{name: lcreate + ": Admin creates a license with a null owner (relationship)", setup: post(plain, nil, func(f *world) map[string]any {
			return map[string]any{"owner": nil}
		}), status: 201},
		{name: lcreate + ": Admin creates a license with a null user", setup: post(plain, nil, func(f *world) map[string]any {
			return map[string]any{"user": map[string]any{"data": nil}}
		}), status: 201},
		{name: lcreate + ": Admin creates a license for an invalid owner of their account (v1.6)", setup: func(f *world) req {
			q := post(plain, nil, func(f *world) map[string]any {
				return map[string]any{"owner": link("users", "4796e950-0dcf-4bab-9443-8b406889356e")}
			})(f)
			q.headers = map[string]string{"Keygen-Version": "1.6"}
			return q
		}, status: 422, title: unproc, code: "OWNER_NOT_FOUND", detail: "must exist", source: map[string]any{"pointer": "/data/relationships/owner"}},
		{name: lcreate + ": Admin attempts to create a license with an invalid policy", setup: func(f *world) req {
			u := f.createUser("u@example.com")
			return req{method: "POST", path: "/licenses", body: licBody(u, nil, map[string]any{"user": link("users", u)})}
		}, status: 422, title: unproc, code: "POLICY_NOT_FOUND", detail: "must exist", source: map[string]any{"pointer": "/data/relationships/policy"}},
		{name: lcreate + ": Admin creates a floating license that overrides its policy's max machines (noop)",
			setup: post(polWith(map[string]any{"maxMachines": 5}), map[string]any{"maxMachines": nil}, nil), status: 201, attrs: map[string]any{"maxMachines": float64(5), "floating": true}},
		{name: lcreate + ": Admin creates a node-locked license that overrides its policy's max machines (noop)",
			setup: post(polWith(map[string]any{"maxMachines": 1, "floating": false}), map[string]any{"maxMachines": nil}, nil), status: 201, attrs: map[string]any{"maxMachines": float64(1), "floating": false}},
		{name: lcreate + ": Admin creates a floating license that overrides its policy's max machines",
			setup: post(polWith(map[string]any{"maxMachines": 3}), map[string]any{"maxMachines": 9}, nil), status: 201, attrs: map[string]any{"maxMachines": float64(9), "floating": true}},
		{name: lcreate + ": Admin creates a license that overrides its policy's max cores (noop)",
			setup: post(polWith(map[string]any{"maxCores": 16}), map[string]any{"maxCores": nil}, nil), status: 201, attrs: map[string]any{"maxCores": float64(16)}},
		{name: lcreate + ": Admin creates a license that overrides its policy's max uses",
			setup: post(polWith(map[string]any{"maxUses": 100}), map[string]any{"maxUses": 500}, nil), status: 201, attrs: map[string]any{"maxUses": float64(500)}},
		{name: lcreate + ": Admin creates a license that overrides its policy's max processes (noop)",
			setup: post(polWith(map[string]any{"maxProcesses": 16}), map[string]any{"maxProcesses": nil}, nil), status: 201, attrs: map[string]any{"maxProcesses": float64(16)}},
		{name: lcreate + ": Admin creates a license with a max memory override", setup: post(plain, map[string]any{"maxMemory": 131072}, nil), status: 201, attrs: map[string]any{"maxMemory": float64(131072)}},
		{name: lcreate + ": Admin creates a license with an invalid max memory override (-1)", setup: post(plain, map[string]any{"maxMemory": -1}, nil), status: 422,
			title: unproc, code: "MAX_MEMORY_INVALID", detail: "must be greater than or equal to 1", source: map[string]any{"pointer": "/data/attributes/maxMemory"}},
		{name: lcreate + ": Admin creates a license with an invalid max disk override (-1)", setup: post(plain, map[string]any{"maxDisk": -1}, nil), status: 422,
			title: unproc, code: "MAX_DISK_INVALID", detail: "must be greater than or equal to 1", source: map[string]any{"pointer": "/data/attributes/maxDisk"}},
		{name: lcreate + ": Admin creates a license with a creation expiration basis (not set)",
			setup: post(polWith(map[string]any{"expirationBasis": "FROM_CREATION", "duration": 31556952}), nil, nil), status: 201, check: func(t *testing.T, f *world, r *reply) {
				cr, _ := time.Parse(time.RFC3339, r.attrs()["created"].(string))
				exp, _ := time.Parse(time.RFC3339, r.attrs()["expiry"].(string))
				assert.Equal(t, cr.AddDate(1, 0, 0), exp, "ActiveSupport::Duration.build: 1 calendar year")
			}},
		{name: lcreate + ": Admin creates a license with a validation expiration basis (not set)",
			setup: post(polWith(map[string]any{"expirationBasis": "FROM_FIRST_VALIDATION", "duration": 31556952}), nil, nil), status: 201, attrs: map[string]any{"expiry": nil}},
		{name: lcreate + ": Admin creates a license with a creation expiration basis (set)",
			setup: post(polWith(map[string]any{"expirationBasis": "FROM_CREATION", "duration": 31556952}), map[string]any{"expiry": "2022-01-03T14:18:02.743Z"}, nil), status: 201,
			attrs: map[string]any{"expiry": "2022-01-03T14:18:02.743Z"}},
	}
	runEach(t, newProductWorld, cases)
}

// TestLicensesCreateValidations pins create edges read from License's validations
// (app/models/license.rb).
func TestLicensesCreateValidations(t *testing.T) {
	t.Parallel()
	tt := newWorld(t)
	prod := tt.product()
	pol := tt.policy(prod, map[string]any{"floating": true})
	signed := tt.policy(prod, map[string]any{"floating": true, "scheme": "ED25519_SIGN"})
	cases := []struct {
		name, policy  string
		attrs, rels   map[string]any
		headers       map[string]string
		status        int
		code, pointer string
		detail        string
	}{
		// features/api/v1/licenses/create.feature: typed params refuse a blank key (400).
		{"blank key → cannot be blank", pol, map[string]any{"key": ""}, nil, nil, 400, "", "/data/attributes/key", "cannot be blank"},
		{"blank key with a scheme too", signed, map[string]any{"key": ""}, nil, nil, 400, "", "/data/attributes/key", "cannot be blank"},
		{"short key allowed with a scheme", signed, map[string]any{"key": "abc"}, nil, nil, 201, "", "", ""},
		{"reserved key", pol, map[string]any{"key": "actions"}, nil, nil, 422, "KEY_NOT_ALLOWED", "/data/attributes/key", "is reserved"},
		{"v1.5 names the owner relationship user", pol, nil, map[string]any{"user": link("users", tt.srv.AccountID)}, map[string]string{"Keygen-Version": "1.5"}, 422, "USER_NOT_FOUND", "/data/relationships/user", "must exist"},
		{"v1.8 owner not found", pol, nil, map[string]any{"owner": link("users", tt.srv.AccountID)}, nil, 422, "OWNER_NOT_FOUND", "/data/relationships/owner", "must exist"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rels := map[string]any{"policy": link("policies", tc.policy)}
			for k, v := range tc.rels {
				rels[k] = v
			}
			r := tt.do(req{method: "POST", path: "/licenses", headers: tc.headers, body: doc("licenses", tc.attrs, rels)})
			if tc.status == 201 {
				require.Equal(t, 201, r.status, string(r.body))
				assert.Equal(t, tt.srv.URL+"/v1/accounts/"+tt.srv.AccountID+"/licenses/"+r.id(), r.header.Get("Location"), "Location on 201")
				return
			}
			expectError(t, r, tc.status, tc.code, tc.pointer, tc.detail)
		})
	}
}

// TestLicensesShow pins licenses/show.feature.
func TestLicensesShow(t *testing.T) {
	t.Parallel()
	tt := newWorld(t)
	other := newWorld(t)
	prod := tt.product()
	prod2 := tt.product()
	pol := tt.policy(prod, map[string]any{"floating": true, "maxMachines": 5})
	pol2 := tt.policy(prod2, map[string]any{"floating": true})
	_, dev := tt.roleUserAuth("dev@example.com", "developer")
	_, sales := tt.roleUserAuth("sales@example.com", "sales-agent")
	_, support := tt.roleUserAuth("support@example.com", "support-agent")
	_, ro := tt.roleUserAuth("ro@example.com", "read-only")
	owner, _ := tt.userToken("owner@example.com")
	now := tt.srv.Now()
	l0 := tt.mustLicense(pol, map[string]any{"key": "a-license-key"}, map[string]any{"owner": link("users", owner)}).id()
	l1 := tt.mustLicense(pol2, nil, nil).id()
	prodAuth := tt.bearerAuth("products", prod)
	licAuth := tt.bearerAuth("licenses", l0)
	// machines counter caches
	for i := 0; i < 4; i++ {
		r := tt.postMachine(l0, "fp-"+string(rune('a'+i)), map[string]any{"cores": 8, "memory": 34359738368, "disk": 1099511627776}, "")
		require.Equal(t, 201, r.status, string(r.body))
	}
	var extra []string
	for i := 0; i < 4; i++ {
		extra = append(extra, tt.createUser("lu"+string(rune('a'+i))+"@example.com"))
	}
	tt.mutLicense(l0, func(l *license) { l.UserIDs = extra })
	status := func(created, validated, checkOut, checkIn, expiry time.Duration, suspended bool) string {
		return tt.seedLicense(pol, func(l *license) {
			l.Created = now.Add(-created)
			if validated != 0 {
				l.LastValidated = ptr(now.Add(-validated))
			}
			if checkOut != 0 {
				l.LastCheckOut = ptr(now.Add(-checkOut))
			}
			if checkIn != 0 {
				l.LastCheckIn = ptr(now.Add(-checkIn))
			}
			if expiry != 0 {
				l.Expiry = ptr(now.Add(expiry))
			}
			l.Suspended = suspended
		}).ID
	}
	day := 24 * time.Hour
	year := 365 * day
	versioned := tt.seedLicense(pol, func(l *license) { v := "1.2.0"; l.Version = &v }).ID
	const show = "licenses/show.feature: "
	ct := func(accept, want string) apiCase {
		return apiCase{name: show + "accept " + accept, r: req{method: "GET", path: "/licenses/" + l0, headers: map[string]string{"Accept": accept}}, status: 200,
			headers: map[string]string{"Content-Type": want}}
	}
	const js, jsonapi = "application/json; charset=utf-8", "application/vnd.api+json; charset=utf-8"
	cases := []apiCase{
		{name: show + "Admin retrieves a license for their account", r: req{method: "GET", path: "/licenses/" + l0}, status: 200},
		{name: show + "Developer retrieves a license for their account", r: req{method: "GET", path: "/licenses/" + l0, auth: dev}, status: 200},
		{name: show + "Sales retrieves a license for their account", r: req{method: "GET", path: "/licenses/" + l0, auth: sales}, status: 200},
		{name: show + "Support retrieves a license for their account", r: req{method: "GET", path: "/licenses/" + l0, auth: support}, status: 200},
		{name: show + "Read-only retrieves a license for their account", r: req{method: "GET", path: "/licenses/" + l0, auth: ro}, status: 200},
		ct("application/json", js),
		ct("application/json, text/plain, */*", js),
		ct("*/*, application/json, text/plain", js),
		ct("*/*", jsonapi),
		ct("text/plain, application/vnd.api+json, application/json", jsonapi),
		ct("text/plain, application/json, application/html", js),
		{name: show + "Admin retrieves a license for their account with an unsupported accept header", r: req{method: "GET", path: "/licenses/" + l0, headers: map[string]string{"Accept": "text/plain, text/html"}}, status: 400, noMeta: true},
		{name: show + "Admin retrieves a license for their account that has an owner", r: req{method: "GET", path: "/licenses/" + l0}, status: 200,
			check: func(t *testing.T, _ *world, r *reply) {
				assert.Equal(t, map[string]any{"related": "/v1/accounts/" + tt.srv.AccountID + "/licenses/" + l0 + "/owner"}, rel(r, "owner")["links"])
				assert.Equal(t, map[string]any{"type": "users", "id": owner}, rel(r, "owner")["data"])
				assert.Equal(t, map[string]any{"cores": float64(32), "memory": float64(137438953472), "disk": float64(4398046511104), "count": float64(4)}, rel(r, "machines")["meta"],
					"Admin retrieves a license with a correct machine core/memory/disk counter cache")
				assert.Equal(t, map[string]any{"count": float64(5)}, rel(r, "users")["meta"], "Admin retrieves a license with a correct user counter cache")
			}},
		{name: show + "Admin retrieves a license for their account that doesn't have an owner", r: req{method: "GET", path: "/licenses/" + l1}, status: 200,
			check: func(t *testing.T, _ *world, r *reply) {
				assert.Contains(t, rel(r, "owner"), "data")
				assert.Nil(t, rel(r, "owner")["data"])
			}},
		{name: show + "Admin retrieves a license for their account that has a user (v1.5)", r: req{method: "GET", path: "/licenses/" + l0, headers: map[string]string{"Keygen-Version": "1.5"}}, status: 200,
			check: func(t *testing.T, _ *world, r *reply) {
				assert.Equal(t, map[string]any{"related": "/v1/accounts/" + tt.srv.AccountID + "/licenses/" + l0 + "/user"}, rel(r, "user")["links"])
				assert.Equal(t, map[string]any{"type": "users", "id": owner}, rel(r, "user")["data"])
			}},
		{name: show + "Admin retrieves a license for their account that doesn't have a user (v1.5)", r: req{method: "GET", path: "/licenses/" + l1, headers: map[string]string{"Keygen-Version": "1.5"}}, status: 200,
			check: func(t *testing.T, _ *world, r *reply) {
				assert.Contains(t, rel(r, "user"), "data")
				assert.Nil(t, rel(r, "user")["data"])
			}},
		{name: show + "Admin retrieves a license for their account by key", r: req{method: "GET", path: "/licenses/a-license-key"}, status: 200,
			check: func(t *testing.T, _ *world, r *reply) { assert.Equal(t, l0, r.id()) }},
		{name: show + "Admin retrieves a license for their account that does not have a current version", r: req{method: "GET", path: "/licenses/" + l0}, status: 200,
			check: func(t *testing.T, _ *world, r *reply) {
				assert.Contains(t, r.attrs(), "version")
				assert.Nil(t, r.attrs()["version"])
			}},
		{name: show + "Admin retrieves a license for their account that has a current version", r: req{method: "GET", path: "/licenses/" + versioned}, status: 200, attrs: map[string]any{"version": "1.2.0"}},
		{name: show + "Admin retrieves an invalid license for their account", r: req{method: "GET", path: "/licenses/invalid"}, status: 404,
			title: "Not found", detail: "The requested license 'invalid' was not found", code: "NOT_FOUND"},
		{name: show + "Admin attempts to retrieves an active license for their account (new license)", r: req{method: "GET", path: "/licenses/" + status(3*day, 0, 0, 0, 0, false)}, status: 200, attrs: map[string]any{"status": "ACTIVE"}},
		{name: show + "inactive license, unvalidated", r: req{method: "GET", path: "/licenses/" + status(91*day, 0, 0, 0, 0, false)}, status: 200, attrs: map[string]any{"status": "INACTIVE"}},
		{name: show + "old license, recent validation", r: req{method: "GET", path: "/licenses/" + status(year, day, 0, 0, 0, false)}, status: 200, attrs: map[string]any{"status": "ACTIVE"}},
		{name: show + "old license, old validation", r: req{method: "GET", path: "/licenses/" + status(year, 91*day, 0, 0, 0, false)}, status: 200, attrs: map[string]any{"status": "INACTIVE"}},
		{name: show + "old license, recent checkout", r: req{method: "GET", path: "/licenses/" + status(year, 0, 20*day, 0, 0, false)}, status: 200, attrs: map[string]any{"status": "ACTIVE"}},
		{name: show + "old license, old checkout", r: req{method: "GET", path: "/licenses/" + status(year, 0, 101*day, 0, 0, false)}, status: 200, attrs: map[string]any{"status": "INACTIVE"}},
		{name: show + "old license, recent checkin", r: req{method: "GET", path: "/licenses/" + status(year, 0, 0, 20*day, 0, false)}, status: 200, attrs: map[string]any{"status": "ACTIVE"}},
		{name: show + "old license, old checkin", r: req{method: "GET", path: "/licenses/" + status(year, 0, 0, 101*day, 0, false)}, status: 200, attrs: map[string]any{"status": "INACTIVE"}},
		{name: show + "Admin attempts to retrieves an expired license for their account", r: req{method: "GET", path: "/licenses/" + status(day, 0, 0, 0, -day, false)}, status: 200, attrs: map[string]any{"status": "EXPIRED"}},
		{name: show + "Admin attempts to retrieves an expiring license for their account", r: req{method: "GET", path: "/licenses/" + status(day, 0, 0, 0, day, false)}, status: 200, attrs: map[string]any{"status": "EXPIRING"}},
		{name: show + "Admin attempts to retrieves a suspended license for their account", r: req{method: "GET", path: "/licenses/" + status(day, 0, 0, 0, 0, true)}, status: 200, attrs: map[string]any{"status": "SUSPENDED"}},
		{name: show + "Product retrieves a license for their product", r: req{method: "GET", path: "/licenses/" + l0, auth: prodAuth}, status: 200},
		{name: show + "Product attempts to retrieve a license for another product", r: req{method: "GET", path: "/licenses/" + l1, auth: prodAuth}, status: 404},
		{name: show + "License retrieves their license", r: req{method: "GET", path: "/licenses/" + l0, auth: licAuth}, status: 200},
		{name: show + "License attempts to retrieve another license", r: req{method: "GET", path: "/licenses/" + l1, auth: licAuth}, status: 404},
		{name: show + "Admin attempts to retrieve a license for another account", r: req{method: "GET", path: "/licenses/" + l0, auth: "Bearer " + other.srv.AdminToken}, status: 401},
	}
	tt.run(t, cases)
}

// TestLicensesUpdate pins licenses/update.feature.
func TestLicensesUpdate(t *testing.T) {
	t.Parallel()
	f := newLicensingWorld(t, nil)
	tt := f
	const u = "licenses/update.feature: "
	l := f.licenseOf(f.pol, true, false, map[string]any{"key": "163E70-7F0AC7-E72D3D-8A977E-4A7AFA-V3"})
	lu := f.licenseOf(f.pol, false, true, nil)
	other := f.licenseOf(f.pol2, false, false, nil)
	patch := func(name, id, auth string, attrs map[string]any, status int) apiCase {
		return apiCase{name: u + name, r: req{method: "PATCH", path: "/licenses/" + id, auth: auth, body: doc("licenses", attrs, nil)}, status: status}
	}
	withAttrs := func(c apiCase, attrs map[string]any) apiCase { c.attrs = attrs; return c }
	iso := "2016-09-05T22:53:37.000Z"
	cases := []apiCase{
		withAttrs(patch("Admin updates a license expiry (ISO8103 format)", l, "", map[string]any{"expiry": iso, "name": "Some Name"}, 200), map[string]any{"expiry": iso, "name": "Some Name"}),
		withAttrs(patch("Admin updates a license expiry (UNIX string)", l, "", map[string]any{"expiry": "1645630138"}, 200), map[string]any{"expiry": "2022-02-23T15:28:58.000Z"}),
		withAttrs(patch("Admin updates a license expiry (UNIX number)", l, "", map[string]any{"expiry": 1645630138}, 200), map[string]any{"expiry": "2022-02-23T15:28:58.000Z"}),
		withAttrs(patch("Admin updates a license by key", "163E70-7F0AC7-E72D3D-8A977E-4A7AFA-V3", "", map[string]any{"expiry": iso, "name": "Some Name"}, 200),
			map[string]any{"key": "163E70-7F0AC7-E72D3D-8A977E-4A7AFA-V3", "expiry": iso, "name": "Some Name"}),
		withAttrs(patch("Admin overrides a floating license's max machines", l, "", map[string]any{"maxMachines": 10}, 200), map[string]any{"maxMachines": float64(10)}),
		withAttrs(patch("Admin removes a floating license's max machine override", l, "", map[string]any{"maxMachines": nil}, 200), map[string]any{"maxMachines": float64(5)}),
		withAttrs(patch("Admin overrides a floating license's max cores", l, "", map[string]any{"maxCores": 32}, 200), map[string]any{"maxCores": float64(32)}),
		withAttrs(patch("Admin removes a floating license's max cores override", l, "", map[string]any{"maxCores": nil}, 200), map[string]any{"maxCores": float64(4)}),
		withAttrs(patch("Admin overrides a floating license's max uses", l, "", map[string]any{"maxUses": 500}, 200), map[string]any{"maxUses": float64(500)}),
		withAttrs(patch("Admin removes a floating license's max uses override", l, "", map[string]any{"maxUses": nil}, 200), map[string]any{"maxUses": float64(100)}),
		withAttrs(patch("Admin overrides a floating license's max processes", l, "", map[string]any{"maxProcesses": 10}, 200), map[string]any{"maxProcesses": float64(10)}),
		withAttrs(patch("Admin removes a floating license's max processes override", l, "", map[string]any{"maxProcesses": nil}, 200), map[string]any{"maxProcesses": float64(5)}),
		patch("Developer updates a license expiry", l, f.devAuth, map[string]any{"expiry": iso, "name": "Some Name"}, 200),
		patch("Sales updates a license expiry", l, f.salesAuth, map[string]any{"expiry": iso, "name": "Some Name"}, 200),
		patch("Support updates a license expiry", l, f.supportAuth, map[string]any{"expiry": iso, "name": "Some Name"}, 200),
		patch("Read-only updates a license expiry", l, f.roAuth, map[string]any{"expiry": iso, "name": "Some Name"}, 403),
		withAttrs(patch("Admin updates a license to protected", l, "", map[string]any{"protected": true}, 200), map[string]any{"protected": true}),
		withAttrs(patch("Admin updates a license to unprotected", l, "", map[string]any{"protected": false}, 200), map[string]any{"protected": false}),
		withAttrs(patch("Admin removes a license's name", l, "", map[string]any{"name": nil}, 200), map[string]any{"name": nil}),
		{name: u + "Admin updates a license policy", r: req{method: "PATCH", path: "/licenses/" + l, body: doc("licenses", nil, map[string]any{"policy": link("policies", f.pol2)})}, status: 400},
		patch("Admin updates a license key", l, "", map[string]any{"key": "a"}, 400),
		{name: u + "Product updates a license for their product", r: req{method: "PATCH", path: "/licenses/" + l, auth: f.prodAuth, body: doc("licenses", map[string]any{"key": "b"}, nil)}, status: 400,
			title: "Bad request", detail: "unpermitted parameter", source: map[string]any{"pointer": "/data/attributes/key"}},
		patch("Product attempts to update a license for another product", other, f.prodAuth, map[string]any{"key": "c"}, 404),
		patch("License attempts to update themself", l, tt.bearerAuth("licenses", l), map[string]any{"key": "x"}, 403),
		patch("License attempts to update another license", other, tt.bearerAuth("licenses", l), map[string]any{"key": "x"}, 404),
		patch("User attempts to update their license (license owner)", l, f.ownerAuth, map[string]any{"key": "x"}, 403),
		patch("User attempts to update their license (license user)", lu, f.luAuth, map[string]any{"key": "x"}, 403),
		patch("User attempts to update a license", other, f.otherAuth, map[string]any{"key": "x"}, 404),
		patch("Anonymous user attempts to update a license for their account", l, "-", map[string]any{"key": "y"}, 401),
		patch("Admin attempts to update a license for another account", l, f.otherAcct, map[string]any{"key": "z"}, 401),
		withAttrs(patch("Admin updates a license expiry (and suspends it)", l, "", map[string]any{"expiry": "2016-10-05T22:53:37.000Z", "suspended": true}, 200),
			map[string]any{"expiry": "2016-10-05T22:53:37.000Z", "suspended": true}),
		withAttrs(patch("Admin updates a license expiry to a nil value", l, "", map[string]any{"expiry": nil}, 200), map[string]any{"expiry": nil}),
		withAttrs(patch("Product updates a license expiry for their product", l, f.prodAuth, map[string]any{"expiry": "2016-10-05T22:53:37.000Z"}, 200), map[string]any{"expiry": "2016-10-05T22:53:37.000Z"}),
		patch("User attempts to update a license expiry for their account", l, f.ownerAuth, map[string]any{"expiry": "2016-10-05T22:53:37.000Z"}, 403),
		patch("User attempts to update a license name for their account", l, f.ownerAuth, map[string]any{"name": "Test Name"}, 403),
	}
	tt.mutLicense(lu, func(l *license) { l.Uses = 500 })
	cases = append(cases, withAttrs(patch("Admin updates a license that has exceeded it's usage limit", lu, "", map[string]any{"name": "Jackie's License"}, 200), map[string]any{"name": "Jackie's License"}))
	tt.run(t, cases)
}

// TestLicensesDestroy pins licenses/destroy.feature and the revoke scenarios of
// licenses/actions/permits.feature (the same LicensePolicy#destroy? rule).
func TestLicensesDestroy(t *testing.T) {
	t.Parallel()
	f := newLicensingWorld(t, nil)
	tt := f
	const d, p = "licenses/destroy.feature: ", "licenses/actions/permits.feature: "
	del := func(name, id, auth string, status int) []apiCase {
		return []apiCase{
			{name: d + name, r: req{method: "DELETE", path: "/licenses/" + id, auth: auth}, status: status},
		}
	}
	rev := func(name, id, auth string, status int) apiCase {
		return apiCase{name: p + name, r: req{method: "DELETE", path: "/licenses/" + id + "/actions/revoke", auth: auth}, status: status}
	}
	self := f.licenseOf(f.pol, false, false, nil)
	var cases []apiCase
	cases = append(cases, del("Admin deletes one of their licenses", f.licenseOf(f.pol, false, false, nil), "", 204)...)
	cases = append(cases, del("Developer deletes one of their licenses", f.licenseOf(f.pol, false, false, nil), f.devAuth, 204)...)
	cases = append(cases, del("Sales deletes one of their licenses", f.licenseOf(f.pol, false, false, nil), f.salesAuth, 204)...)
	cases = append(cases, del("Support deletes one of their licenses", f.licenseOf(f.pol, false, false, nil), f.supportAuth, 403)...)
	cases = append(cases, del("Read-only deletes one of their licenses", f.licenseOf(f.pol, false, false, nil), f.roAuth, 403)...)
	cases = append(cases, del("Product attempts to delete their license", f.licenseOf(f.pol, false, false, nil), f.prodAuth, 204)...)
	cases = append(cases, del("Product attempts to delete another product's license", f.licenseOf(f.pol2, false, false, nil), f.prodAuth, 404)...)
	cases = append(cases, del("License attempts to delete themself", self, tt.bearerAuth("licenses", self), 403)...)
	cases = append(cases, del("License attempts to delete another license", f.licenseOf(f.pol, false, false, nil), tt.bearerAuth("licenses", self), 404)...)
	cases = append(cases, del("User attempts to delete one of their licenses (license owner)", f.licenseOf(f.pol, true, false, nil), f.ownerAuth, 204)...)
	cases = append(cases, del("User attempts to delete one of their licenses (license user)", f.licenseOf(f.pol, false, true, nil), f.luAuth, 403)...)
	cases = append(cases, del("User attempts to delete a license for their account", f.licenseOf(f.pol, false, false, nil), f.otherAuth, 404)...)
	cases = append(cases, del("Anonymous user attempts to delete a license for their account", f.licenseOf(f.pol, false, false, nil), "-", 401)...)
	cases = append(cases, del("Admin attempts to delete a license for another account", f.licenseOf(f.pol, false, false, nil), f.otherAcct, 401)...)
	cases = append(cases,
		rev("Admin revokes a license", f.licenseOf(f.pol, false, false, nil), "", 204),
		rev("User revokes their own license (license owner)", f.licenseOf(f.pol, true, false, nil), f.ownerAuth, 204),
		rev("User revokes their own license (license user)", f.licenseOf(f.pol, false, true, nil), f.luAuth, 403),
		rev("Admin revokes a license that implements a protected policy", f.licenseOf(f.prot, false, false, nil), "", 204),
		rev("Product revokes a license that implements a protected policy", f.licenseOf(f.prot, false, false, nil), f.prodAuth, 204),
		rev("User revokes their own license that implements a protected policy", f.licenseOf(f.prot, true, false, nil), f.ownerAuth, 403),
		rev("User tries to revoke another user's license", f.licenseOf(f.pol, false, false, nil), f.otherAuth, 404),
		rev("Admin tries to revoke a license for another account", f.licenseOf(f.pol, false, false, nil), f.otherAcct, 401),
	)
	tt.run(t, cases)
}

func TestLicensesStaff(t *testing.T) {
	t.Parallel()
	w := newTeamWorld(t)
	tt := w
	l3, l4 := tt.licenseOwnedBy(w.pol, ""), tt.licenseOwnedBy(w.pol, "")
	create := func(tok string) req {
		return writeAs("POST", "/licenses", tok, doc("licenses", nil, map[string]any{
			"policy": link("policies", w.pol), "owner": link("users", w.user)}))
	}
	expiry := func(tok string) req {
		return writeAs("PATCH", "/licenses/"+w.lic, tok, doc("licenses", map[string]any{"expiry": "2030-01-01T00:00:00.000Z"}, nil))
	}
	c, d, u := "licenses/create.feature: ", "licenses/destroy.feature: ", "licenses/update.feature: "
	cases := []apiCase{
		{name: c + "Developer creates a license for a user of their account", r: create(w.devTok), status: 201},
		{name: c + "Sales creates a license for a user of their account", r: create(w.salesTok), status: 201},
		{name: c + "Support attempts to create a license for a user of their account", r: create(w.supportTok), status: 403, detail: denied},
		{name: c + "Read-only attempts to create a license for a user of their account", r: create(w.roTok), status: 403, detail: roLacks},
		{name: d + "Developer deletes one of their licenses", r: writeAs("DELETE", "/licenses/"+l3, w.devTok, nil), status: 204},
		{name: d + "Sales deletes one of their licenses", r: writeAs("DELETE", "/licenses/"+l4, w.salesTok, nil), status: 204},
		{name: d + "Support deletes one of their licenses", r: writeAs("DELETE", "/licenses/"+w.lic2, w.supportTok, nil), status: 403, detail: denied},
		{name: d + "Read-only deletes one of their licenses", r: writeAs("DELETE", "/licenses/"+w.lic2, w.roTok, nil), status: 403, detail: roLacks},
		{name: u + "Developer updates a license expiry", r: expiry(w.devTok), status: 200, attrs: map[string]any{"expiry": "2030-01-01T00:00:00.000Z"}},
		{name: u + "Sales updates a license expiry", r: expiry(w.salesTok), status: 200},
		{name: u + "Support updates a license expiry", r: expiry(w.supportTok), status: 200},
		{name: u + "Read-only updates a license expiry", r: expiry(w.roTok), status: 403, detail: roLacks},
	}
	tt.run(t, append(w.staffReads("license", "licenses", w.lic), cases...))
	// 2 in the world + 2 fixtures + 2 created - 2 deleted.
	assert.Len(t, tt.get("/licenses").list(), 4)
}
