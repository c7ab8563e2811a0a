package keygentest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// License validation (features/api/v1/licenses/actions/validations.feature,
// app/services/license_validation_service.rb), one case per distinct rule, named "feature:
// scenario title". Fixtures the public API cannot produce (more machines than a limit,
// licensees) are seeded in the store; the request under test always goes over HTTP.

const valFeature = "validations.feature: "

func byID(id string, meta map[string]any) req {
	var body any
	if meta != nil {
		body = map[string]any{"meta": meta}
	}
	return req{method: "POST", path: "/licenses/" + id + "/actions/validate", body: body}
}

func quick(id string) req { return req{method: "GET", path: "/licenses/" + id + "/actions/validate"} }

func byKey(key string, extra map[string]any, auth string) req {
	meta := map[string]any{"key": key}
	for k, v := range extra {
		meta[k] = v
	}
	return req{method: "POST", path: "/licenses/actions/validate-key", body: map[string]any{"meta": meta}, auth: auth}
}

func scoped(scope map[string]any) map[string]any { return map[string]any{"scope": scope} }

func res(valid bool, detail, code string) map[string]any {
	return map[string]any{"valid": valid, "detail": detail, "code": code}
}

var (
	vValid = res(true, "is valid", "VALID")
)

func ownedBy(u *user) func(*machine) {
	return func(m *machine) { m.OwnerID = &u.ID }
}

// TestLicensesValidationOrder pins the evaluation order and codes of
// app/services/license_validation_service.rb.
func TestLicensesValidationOrder(t *testing.T) {
	t.Parallel()
	tt := newWorld(t)
	prod := tt.product()
	pol := func(attrs map[string]any) string { return tt.policy(prod, attrs) }
	lic := func(policy string, attrs map[string]any) string { return tt.mustLicense(policy, attrs, nil).id() }
	floating := pol(map[string]any{"floating": true})
	strictNode := pol(map[string]any{"strict": true})
	revoke := pol(map[string]any{"floating": true, "expirationStrategy": "REVOKE_ACCESS"})
	maintain := pol(map[string]any{"floating": true, "expirationStrategy": "MAINTAIN_ACCESS"})
	checkIn := pol(map[string]any{"floating": true, "requireCheckIn": true, "checkInInterval": "day", "checkInIntervalCount": 1})
	reqProduct := pol(map[string]any{"floating": true, "requireProductScope": true})
	matchAll := pol(map[string]any{"floating": true, "machineMatchingStrategy": "MATCH_ALL"})
	heartbeat := pol(map[string]any{"floating": true, "requireHeartbeat": true, "heartbeatCullStrategy": "KEEP_DEAD", "heartbeatDuration": 120})
	firstValidation := pol(map[string]any{"floating": true, "duration": 86400, "expirationBasis": "FROM_FIRST_VALIDATION"})
	tooMany := pol(map[string]any{"floating": true, "strict": true})

	base := lic(floating, nil)
	suspended := lic(floating, map[string]any{"suspended": true})
	revoked := lic(revoke, map[string]any{"expiry": "2001-01-01T00:00:00Z"})
	maintained := lic(maintain, map[string]any{"expiry": "2001-01-01T00:00:00Z"})
	overdue := lic(checkIn, nil)
	prodScoped := lic(reqProduct, nil)
	nodeLocked := lic(strictNode, nil)
	all := lic(matchAll, nil)
	hb := lic(heartbeat, nil)
	many := lic(tooMany, nil)
	for i, fp := range []string{"fp-a", "fp-b"} {
		require.Equal(t, 201, tt.postMachine(all, fp, nil, "").status)
		require.Equal(t, 201, tt.postMachine(many, "many-"+fp, nil, "").status)
		_ = i
	}
	tt.patchPolicy(tooMany, map[string]any{"maxMachines": 1})
	require.Equal(t, 201, tt.postMachine(hb, "hb-1", nil, "").status)
	tt.srv.Advance(25 * time.Hour) // check-in overdue, heartbeat dead

	cases := []struct {
		name    string
		license string
		scope   map[string]any
		valid   bool
		code    string
	}{
		{"step 15 valid", base, nil, true, "VALID"},
		{"step 3 suspended", suspended, nil, false, "SUSPENDED"},
		{"step 4 REVOKE expired before scopes", revoked, map[string]any{"fingerprint": "x"}, false, "EXPIRED"},
		{"step 14 MAINTAIN expired is valid", maintained, nil, true, "EXPIRED"},
		{"step 6 MAINTAIN scope first", maintained, map[string]any{"fingerprint": "x"}, false, "NO_MACHINES"},
		{"step 5 overdue", overdue, nil, false, "OVERDUE"},
		{"step 6b product scope required", prodScoped, nil, false, "PRODUCT_SCOPE_REQUIRED"},
		{"step 6b product scope mismatch", base, map[string]any{"product": tt.srv.AccountID}, false, "PRODUCT_SCOPE_MISMATCH"},
		{"step 6c policy scope mismatch", base, map[string]any{"policy": strictNode}, false, "POLICY_SCOPE_MISMATCH"},
		{"step 6d user scope mismatch", base, map[string]any{"user": "nobody@example.com"}, false, "USER_SCOPE_MISMATCH"},
		{"step 6e entitlements empty", base, map[string]any{"entitlements": []string{}}, false, "ENTITLEMENTS_SCOPE_EMPTY"},
		{"step 6e entitlements missing", base, map[string]any{"entitlements": []string{"PRO"}}, false, "ENTITLEMENTS_MISSING"},
		{"step 6f machine scope mismatch", all, map[string]any{"machine": tt.srv.AccountID}, false, "MACHINE_SCOPE_MISMATCH"},
		{"step 6g fingerprint empty", all, map[string]any{"fingerprints": []string{}}, false, "FINGERPRINT_SCOPE_EMPTY"},
		{"step 6g MATCH_ALL mismatch", all, map[string]any{"fingerprints": []string{"fp-a", "fp-c"}}, false, "FINGERPRINT_SCOPE_MISMATCH"},
		{"step 6g MATCH_ALL match", all, map[string]any{"fingerprints": []string{"fp-a", "fp-b"}}, true, "VALID"},
		{"step 6g heartbeat dead", hb, map[string]any{"fingerprint": "hb-1"}, false, "HEARTBEAT_DEAD"},
		{"step 6h components need fingerprint", base, map[string]any{"components": []string{"c"}}, false, "FINGERPRINT_SCOPE_REQUIRED"},
		{"step 6i checksum mismatch (no releases)", base, map[string]any{"checksum": "abc"}, false, "CHECKSUM_SCOPE_MISMATCH"},
		{"step 6j version mismatch (no releases)", base, map[string]any{"version": "1.0.0"}, false, "VERSION_SCOPE_MISMATCH"},
		{"step 9 strict node-locked no machine", nodeLocked, nil, false, "NO_MACHINE"},
		{"step 12 too many machines", many, nil, false, "TOO_MANY_MACHINES"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var meta map[string]any
			if c.scope != nil {
				meta = map[string]any{"scope": c.scope}
			}
			m := tt.validate(c.license, meta)
			assert.Equal(t, c.code, m["code"], m["detail"])
			assert.Equal(t, c.valid, m["valid"])
			if c.scope != nil {
				assert.NotNil(t, m["scope"], "scope echoed")
			}
			assert.NotContains(t, m, "nonce", "nonce only when sent")
		})
	}
	t.Run("nonce echo, lastValidated, unknown scope key", func(t *testing.T) {
		r := tt.do(req{method: "POST", path: "/licenses/" + base + "/actions/validate", body: map[string]any{"meta": map[string]any{"nonce": 42}}})
		assert.Equal(t, float64(42), r.doc["meta"].(map[string]any)["nonce"])
		assert.NotNil(t, r.attrs()["lastValidated"])
		r = tt.do(req{method: "POST", path: "/licenses/" + base + "/actions/validate", body: map[string]any{"meta": map[string]any{"scope": map[string]any{"bogus": "x"}}}})
		expectError(t, r, 400, "", "/meta/scope/bogus", "unpermitted parameter")
	})
	t.Run("quick validate skips scopes", func(t *testing.T) {
		r := tt.get("/licenses/" + prodScoped + "/actions/validate")
		assert.Equal(t, "VALID", r.doc["meta"].(map[string]any)["code"])
	})
	t.Run("FROM_FIRST_VALIDATION sets expiry", func(t *testing.T) {
		id := lic(firstValidation, nil)
		assert.Nil(t, tt.get("/licenses/" + id).attrs()["expiry"])
		tt.validate(id, nil)
		assert.NotNil(t, tt.get("/licenses/" + id).attrs()["expiry"])
	})
}

// TestLicensesValidationDetails pins validation details: scope echo, nonce, null user scope,
// validate-key permission (bearer must be allowed to validate the license it names, else 403).
func TestLicensesValidationDetails(t *testing.T) {
	t.Parallel()
	tt := newWorld(t)
	prod := tt.product()
	pol := tt.policy(prod, map[string]any{"floating": true})
	mixed := tt.policy(prod, map[string]any{"floating": true, "authenticationStrategy": "LICENSE"})
	owner, ownerAuth := tt.userToken("val-owner@example.com")
	_, otherAuth := tt.userToken("val-other@example.com")
	unowned := tt.mustLicense(pol, map[string]any{"key": "unowned-key"}, nil)
	owned := tt.mustLicense(pol, map[string]any{"key": "owned-key"}, map[string]any{"owner": link("users", owner)})
	licAuth := tt.mustLicense(mixed, map[string]any{"key": "license-auth-key"}, nil)

	type exp struct {
		status      int
		valid       any
		code        string
		scope, echo bool
	}
	cases := []struct {
		name, path, auth string
		method           string
		body             any
		want             exp
	}{
		{"null user scope matches an ownerless license", "/licenses/" + unowned.id() + "/actions/validate", "", "POST",
			map[string]any{"meta": map[string]any{"scope": map[string]any{"user": nil}}}, exp{200, true, "VALID", true, true}},
		{"null user scope does not match an owned license", "/licenses/" + owned.id() + "/actions/validate", "", "POST",
			map[string]any{"meta": map[string]any{"scope": map[string]any{"user": nil}}}, exp{200, false, "USER_SCOPE_MISMATCH", true, true}},
		{"user scope by owner email", "/licenses/" + owned.id() + "/actions/validate", "", "POST",
			map[string]any{"meta": map[string]any{"scope": map[string]any{"user": "val-owner@example.com"}}}, exp{200, true, "VALID", true, true}},
		{"empty scope is still echoed", "/licenses/" + unowned.id() + "/actions/validate", "", "POST",
			map[string]any{"meta": map[string]any{"scope": map[string]any{}}}, exp{200, true, "VALID", true, true}},
		{"validate-key anonymous", "/licenses/actions/validate-key", "-", "POST",
			map[string]any{"meta": map[string]any{"key": "owned-key"}}, exp{200, true, "VALID", false, false}},
		{"validate-key by the owner", "/licenses/actions/validate-key", ownerAuth, "POST",
			map[string]any{"meta": map[string]any{"key": "owned-key"}}, exp{200, true, "VALID", false, false}},
		{"validate-key for a license the bearer does not own → 403", "/licenses/actions/validate-key", otherAuth, "POST",
			map[string]any{"meta": map[string]any{"key": "owned-key"}}, exp{status: 403}},
		{"validate-key unknown key with a bearer → data null", "/licenses/actions/validate-key", otherAuth, "POST",
			map[string]any{"meta": map[string]any{"key": "no-such-key"}}, exp{200, false, "NOT_FOUND", false, false}},
		{"validate-key with License auth of another license → 403", "/licenses/actions/validate-key", "License license-auth-key", "POST",
			map[string]any{"meta": map[string]any{"key": "owned-key"}}, exp{status: 403}},
		{"License auth validates itself by id", "/licenses/" + licAuth.id() + "/actions/validate", "License license-auth-key", "POST",
			nil, exp{200, true, "VALID", false, false}},
		{"another user's license → 404", "/licenses/" + owned.id() + "/actions/validate", otherAuth, "POST", nil, exp{status: 404}},
		{"quick validate of another user's license → 404", "/licenses/" + owned.id() + "/actions/validate", otherAuth, "GET", nil, exp{status: 404}},
		{"scope user must be a string or null", "/licenses/" + owned.id() + "/actions/validate", "", "POST",
			map[string]any{"meta": map[string]any{"scope": map[string]any{"user": 1}}}, exp{status: 400}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := tt.do(req{method: tc.method, path: tc.path, auth: tc.auth, body: tc.body})
			require.Equal(t, tc.want.status, r.status, string(r.body))
			if r.status != 200 {
				if r.status == 403 {
					assert.Equal(t, "Access denied", r.err(0)["title"])
				}
				return
			}
			meta := r.doc["meta"].(map[string]any)
			assert.Equal(t, tc.want.valid, meta["valid"])
			assert.Equal(t, tc.want.code, meta["code"])
			_, hasScope := meta["scope"]
			assert.Equal(t, tc.want.echo, hasScope, "scope echoed only when sent")
			assert.Contains(t, meta, "ts")
			if tc.want.code == "NOT_FOUND" {
				assert.Nil(t, r.doc["data"])
			}
		})
	}
	t.Run("nonce 0 is echoed; quick GET validate never echoes", func(t *testing.T) {
		r := tt.do(req{method: "POST", path: "/licenses/" + unowned.id() + "/actions/validate", body: map[string]any{"meta": map[string]any{"nonce": 0}}})
		assert.Equal(t, float64(0), r.doc["meta"].(map[string]any)["nonce"])
		q := tt.get("/licenses/unowned-key/actions/validate?nonce=5")
		require.Equal(t, 200, q.status)
		assert.NotContains(t, q.doc["meta"], "nonce")
		assert.NotContains(t, q.doc["meta"], "scope")
	})
}

func TestLicensesValidationsFeature(t *testing.T) {
	t.Parallel()
	const anon = "-"
	var cases []apiCase

	cases = append(cases,
		apiCase{name: valFeature + "Admin validates a license (default version)", setup: func(f *world) req {
			return quick(f.storedLicense(f.storedPolicy(nil), nil).ID)
		}, meta: vValid, check: func(t *testing.T, f *world, r *reply) {
			assert.NotContains(t, r.doc["meta"], "constant")
			assert.NotEmpty(t, r.attrs()["lastValidated"])
		}},
		apiCase{name: valFeature + "Admin validates a license (v1.1)", setup: func(f *world) req {
			r := quick(f.storedLicense(f.storedPolicy(nil), nil).ID)
			r.headers = map[string]string{"Keygen-Version": "1.1"}
			return r
		}, meta: map[string]any{"valid": true, "detail": "is valid", "constant": "VALID"}, check: func(t *testing.T, f *world, r *reply) {
			assert.NotContains(t, r.doc["meta"], "code")
		}},
		apiCase{name: valFeature + "Admin validates a license (v1.2)", setup: func(f *world) req {
			r := byID(f.storedLicense(f.storedPolicy(nil), nil).ID, nil)
			r.headers = map[string]string{"Keygen-Version": "1.2"}
			return r
		}, meta: vValid},
		apiCase{name: valFeature + "Admin validates a strict license that has too many processes (ALWAYS_ALLOW_OVERAGE overage strategy, v1.1): overage is invalid before 1.2", setup: func(f *world) req {
			r := byID(f.overageMachines(map[string]any{"strict": true, "maxMachines": 1, "overageStrategy": "ALWAYS_ALLOW_OVERAGE"}, 3, nil).ID, nil)
			r.headers = map[string]string{"Keygen-Version": "1.1"}
			return r
		}, meta: map[string]any{"valid": false, "detail": "has too many associated machines", "constant": "TOO_MANY_MACHINES"}},
		apiCase{name: valFeature + "Anonymous validates a license (v1.0)", setup: func(f *world) req {
			r := byKey(f.storedLicense(f.storedPolicy(nil), nil).Key, nil, anon)
			r.headers = map[string]string{"Keygen-Version": "1.0"}
			return r
		}, meta: map[string]any{"valid": true, "detail": "is valid", "constant": "VALID"}},
		apiCase{name: valFeature + "Anonymous quick validates a check-in license that is valid", setup: func(f *world) req {
			r := quick(f.storedLicense(f.storedPolicy(nil), nil).ID)
			r.auth = anon
			return r
		}, status: 401, code: "TOKEN_MISSING"},
		apiCase{name: valFeature + "License quick validates their license", setup: func(f *world) req {
			l := f.storedLicense(f.storedPolicy(nil), nil)
			_, tok := f.tokenFor("licenses", l.ID, nil)
			r := quick(l.ID)
			r.auth = "Bearer " + tok
			return r
		}, meta: vValid},
		apiCase{name: valFeature + "License attempts to quick validate another license", setup: func(f *world) req {
			p := f.storedPolicy(nil)
			l, other := f.storedLicense(p, nil), f.storedLicense(p, nil)
			_, tok := f.tokenFor("licenses", l.ID, nil)
			r := quick(other.ID)
			r.auth = "Bearer " + tok
			return r
		}, status: 404},
		apiCase{name: valFeature + "License validates their license (without permission)", setup: func(f *world) req {
			l := f.storedLicense(f.storedPolicy(nil), func(l *license) { l.Permissions = []string{} })
			_, tok := f.tokenFor("licenses", l.ID, nil)
			r := byID(l.ID, nil)
			r.auth = "Bearer " + tok
			return r
		}, status: 403},
		apiCase{name: valFeature + "License validates their license (with permission)", setup: func(f *world) req {
			l := f.storedLicense(f.storedPolicy(nil), func(l *license) { l.Permissions = []string{"license.validate"} })
			_, tok := f.tokenFor("licenses", l.ID, nil)
			r := byID(l.ID, nil)
			r.auth = "Bearer " + tok
			return r
		}, meta: vValid},
		apiCase{name: valFeature + "License attempts to validate another license", setup: func(f *world) req {
			p := f.storedPolicy(nil)
			l, other := f.storedLicense(p, nil), f.storedLicense(p, nil)
			_, tok := f.tokenFor("licenses", l.ID, nil)
			r := byID(other.ID, nil)
			r.auth = "Bearer " + tok
			return r
		}, status: 404},
		apiCase{name: valFeature + "Anonymous validates a license and sends a nonce", setup: func(f *world) req {
			l := f.storedLicense(f.storedPolicy(nil), nil)
			_, tok := f.tokenFor("licenses", l.ID, nil)
			r := byID(l.ID, map[string]any{"nonce": 1574265636})
			r.auth = "Bearer " + tok
			return r
		}, meta: map[string]any{"valid": true, "code": "VALID", "nonce": float64(1574265636)}},
		apiCase{name: valFeature + "Anonymous validates an expired license key and sends a nonce", setup: func(f *world) req {
			l := f.storedLicense(f.storedPolicy(nil), func(l *license) { l.Expiry = ptr(time.Now().AddDate(0, -1, 0)) })
			return byKey(l.Key, map[string]any{"nonce": 9048238457}, anon)
		}, meta: map[string]any{"valid": false, "detail": "is expired", "code": "EXPIRED", "nonce": float64(9048238457)},
			check: func(t *testing.T, f *world, r *reply) { assert.NotEmpty(t, r.attrs()["lastValidated"]) }},
		apiCase{name: valFeature + "An admin validates a valid license without a request body", setup: func(f *world) req {
			return byID(f.storedLicense(f.storedPolicy(nil), nil).ID, nil)
		}, meta: vValid, check: func(t *testing.T, f *world, r *reply) { assert.NotContains(t, r.doc["meta"], "scope") }},
		apiCase{name: valFeature + "Anonymous validates a valid license key with an empty scope", setup: func(f *world) req {
			return byKey(f.storedLicense(f.storedPolicy(nil), nil).Key, scoped(map[string]any{}), anon)
		}, meta: vValid},
		apiCase{name: valFeature + "Anonymous validates an invalid license by key", setup: func(f *world) req {
			return byKey("invalid-key", nil, anon)
		}, meta: res(false, "does not exist", "NOT_FOUND"), check: func(t *testing.T, f *world, r *reply) {
			assert.Nil(t, r.doc["data"])
		}},
		apiCase{name: valFeature + "Anonymous validates an non-existent license key scoped to a specific product", setup: func(f *world) req {
			f.storedPolicy(nil)
			return byKey("invalid-key", scoped(map[string]any{"product": f.prod}), anon)
		}, meta: res(false, "does not exist", "NOT_FOUND")},
		apiCase{name: valFeature + "Anonymous validates a blank license key", setup: func(f *world) req {
			return byKey("", nil, anon)
		}, status: 400},
		apiCase{name: valFeature + "Anonymous validates a license key using an invalid content type", setup: func(f *world) req {
			l := f.storedLicense(f.storedPolicy(nil), nil)
			return req{method: "POST", path: "/licenses/actions/validate-key", auth: anon, raw: "<validation><meta><key>" + l.Key + "</key></meta></validation>",
				headers: map[string]string{"Content-Type": "vnd.api+xml"}}
		}, status: 400, code: "MIME_TYPE_INVALID", detail: "The mime type of the request is not acceptable (check content-type and accept headers)", noMeta: true},
		apiCase{name: valFeature + "Anonymous validates a valid license key scoped to an environment", setup: func(f *world) req {
			return byKey(f.storedLicense(f.storedPolicy(nil), nil).Key, scoped(map[string]any{"environment": nil}), anon)
		}, status: 400, detail: "unpermitted parameter", source: map[string]any{"pointer": "/meta/scope/environment"}},
		apiCase{name: valFeature + "Admin validates a license key in an environment", setup: func(f *world) req {
			r := byKey(f.storedLicense(f.storedPolicy(nil), nil).Key, nil, "")
			r.headers = map[string]string{"Keygen-Environment": "invalid"}
			return r
		}, status: 400, code: "ENVIRONMENT_NOT_SUPPORTED", detail: "is unsupported", source: map[string]any{"header": "Keygen-Environment"}},
		apiCase{name: valFeature + "Anonymous validates a legacy encrypted license by key", setup: func(f *world) req {
			l := f.storedLicense(f.storedPolicy(map[string]any{"encrypted": true}), nil)
			return byKey(l.Key, map[string]any{"encrypted": true}, anon)
		}, meta: vValid},
		apiCase{name: valFeature + "Anonymous validates a legacy encrypted license key as an unencrypted key", setup: func(f *world) req {
			l := f.storedLicense(f.storedPolicy(map[string]any{"encrypted": true}), nil)
			return byKey(l.Key, map[string]any{"encrypted": false}, anon)
		}, meta: res(false, "does not exist", "NOT_FOUND")},
		apiCase{name: valFeature + "Anonymous validates an unencrypted license key as a legacy encrypted key", setup: func(f *world) req {
			return byKey(f.storedLicense(f.storedPolicy(nil), nil).Key, map[string]any{"encrypted": true}, anon)
		}, meta: res(false, "does not exist", "NOT_FOUND")},
		apiCase{name: valFeature + "Anonymous validates a license using scheme ED25519_SIGN by key using the legacy encrypted flag", setup: func(f *world) req {
			f.storedPolicy(nil)
			l := f.mustLicense(f.policy(f.prod, map[string]any{"scheme": "ED25519_SIGN"}), nil, nil)
			return byKey(l.attrs()["key"].(string), map[string]any{"legacy_encrypted": true}, anon)
		}, meta: res(false, "does not exist", "NOT_FOUND")},
		apiCase{name: valFeature + "Anonymous validates a license using scheme RSA_2048_PKCS1_SIGN_V2 by key", setup: func(f *world) req {
			f.storedPolicy(nil)
			l := f.mustLicense(f.policy(f.prod, map[string]any{"scheme": "RSA_2048_PKCS1_SIGN_V2"}), nil, nil)
			return byKey(l.attrs()["key"].(string), map[string]any{"encrypted": false}, anon)
		}, meta: vValid},
		apiCase{name: valFeature + "Anonymous validates a valid license by key from a pool", setup: func(f *world) req {
			p := f.storedPolicy(map[string]any{"usePool": true})
			r := f.do(req{method: "POST", path: "/keys", body: doc("keys", map[string]any{"key": "pooled-key"}, map[string]any{"policy": link("policies", p.ID)})})
			require.Equal(f.t, 201, r.status, string(r.body))
			f.mustLicense(p.ID, nil, nil)
			return byKey("pooled-key", nil, anon)
		}, meta: vValid},
		apiCase{name: valFeature + "Anonymous validates a valid license that used a pre-determined key", setup: func(f *world) req {
			l := f.storedLicense(f.storedPolicy(nil), func(l *license) { l.Key = "a-pre-determined-key" })
			return byKey(l.Key, nil, anon)
		}, meta: vValid},
		apiCase{name: valFeature + "Admin quick validates a license by key that is expired (maintain strategy)", setup: func(f *world) req {
			l := f.storedLicense(f.storedPolicy(map[string]any{"expirationStrategy": "MAINTAIN_ACCESS"}), func(l *license) {
				l.Key = "expired-key"
				l.Expiry = ptr(time.Now().Add(-time.Hour))
			})
			return quick(l.Key)
		}, meta: res(true, "is expired", "EXPIRED")},
		apiCase{name: valFeature + "Admin quick validates a license by key that is expired (revoke strategy)", setup: func(f *world) req {
			l := f.storedLicense(f.storedPolicy(map[string]any{"expirationStrategy": "REVOKE_ACCESS"}), func(l *license) {
				l.Key = "expired-key"
				l.Expiry = ptr(time.Now().Add(-time.Hour))
			})
			return quick(l.Key)
		}, meta: res(false, "is expired", "EXPIRED")},
		apiCase{name: valFeature + "Admin quick validates a license by key that is expired (allow strategy)", setup: func(f *world) req {
			l := f.storedLicense(f.storedPolicy(map[string]any{"expirationStrategy": "ALLOW_ACCESS"}), func(l *license) {
				l.Expiry = ptr(time.Now().Add(-time.Hour))
			})
			return quick(l.Key)
		}, meta: res(true, "is expired", "EXPIRED")},
		apiCase{name: valFeature + "Admin validates a license that is expired", setup: func(f *world) req {
			l := f.storedLicense(f.storedPolicy(nil), func(l *license) { l.Expiry = ptr(time.Now().Add(-time.Hour)) })
			return byID(l.ID, nil)
		}, meta: res(false, "is expired", "EXPIRED")},
	)

	cases = append(cases,
		apiCase{name: valFeature + "Admin quick validates a check-in license that is overdue", setup: func(f *world) req {
			p := f.storedPolicy(map[string]any{"requireCheckIn": true, "checkInInterval": "day", "checkInIntervalCount": 1})
			return quick(f.storedLicense(p, func(l *license) { l.LastCheckIn = ptr(time.Now().AddDate(0, 0, -2)) }).ID)
		}, meta: res(false, "is overdue for check in", "OVERDUE")},
		apiCase{name: valFeature + "Admin validates a check-in license that is valid", setup: func(f *world) req {
			p := f.storedPolicy(map[string]any{"requireCheckIn": true, "checkInInterval": "day", "checkInIntervalCount": 1})
			return byID(f.storedLicense(p, func(l *license) { l.LastCheckIn = ptr(time.Now()) }).ID, nil)
		}, meta: vValid},
		apiCase{name: valFeature + "Admin validates a suspended license", setup: func(f *world) req {
			return byID(f.storedLicense(f.storedPolicy(nil), func(l *license) { l.Suspended = true }).ID, nil)
		}, meta: res(false, "is suspended", "SUSPENDED")},
		apiCase{name: valFeature + "Admin validates a license belonging to a banned user", setup: func(f *world) req {
			u := f.storedUser("banned@example.com")
			f.withStore(func(*store) { u.BannedAt = ptr(time.Now().Add(-time.Minute)) })
			return byID(f.storedLicense(f.storedPolicy(nil), func(l *license) { l.OwnerID = &u.ID; l.Suspended = true }).ID, nil)
		}, meta: res(false, "is banned", "BANNED")},
		apiCase{name: valFeature + "Admin validates a license that has not been used", setup: func(f *world) req {
			return byID(f.storedLicense(f.storedPolicy(nil), nil).ID, nil)
		}, meta: vValid},
		apiCase{name: valFeature + "Admin validates a strict floating license that has not been used", setup: func(f *world) req {
			return byID(f.storedLicense(f.storedPolicy(map[string]any{"strict": true, "floating": true}), nil).ID, nil)
		}, meta: res(false, "must have at least 1 associated machine", "NO_MACHINES")},
		apiCase{name: valFeature + "Admin validates a strict license by key that has not been used", setup: func(f *world) req {
			return byKey(f.storedLicense(f.storedPolicy(map[string]any{"strict": true, "floating": false}), nil).Key, nil, "")
		}, meta: res(false, "must have exactly 1 associated machine", "NO_MACHINE")},
		apiCase{name: valFeature + "Admin validates a strict license that is valid", setup: func(f *world) req {
			l := f.storedLicense(f.storedPolicy(map[string]any{"strict": true, "floating": false}), nil)
			f.storedMachine(l, nil)
			return byID(l.ID, nil)
		}, meta: vValid},
		apiCase{name: valFeature + "Admin validates a strict license that has too many machines", setup: func(f *world) req {
			return byID(f.overageMachines(map[string]any{"strict": true, "floating": false}, 2, nil).ID, nil)
		}, meta: res(false, "has too many associated machines", "TOO_MANY_MACHINES")},
		apiCase{name: valFeature + "Admin validates a strict floating license that has too many machines", setup: func(f *world) req {
			return byID(f.overageMachines(map[string]any{"strict": true, "maxMachines": 3}, 5, nil).ID, nil)
		}, meta: res(false, "has too many associated machines", "TOO_MANY_MACHINES")},
		apiCase{name: valFeature + "Admin validates a strict floating license that would have too many machines but has overridden max machines", setup: func(f *world) req {
			l := f.overageMachines(map[string]any{"strict": true, "maxMachines": 3}, 5, nil)
			f.withStore(func(*store) { l.MaxMachines = ptr[int64](5) })
			return byID(l.ID, nil)
		}, meta: vValid},
		apiCase{name: valFeature + "Admin validates a strict floating license that does not have a machine limit", setup: func(f *world) req {
			return byID(f.overageMachines(map[string]any{"strict": true}, 5, nil).ID, nil)
		}, meta: vValid},
		apiCase{name: valFeature + "Admin validates a non-strict license that has too many machines", setup: func(f *world) req {
			return byID(f.overageMachines(map[string]any{"strict": false, "maxMachines": 1}, 3, nil).ID, nil)
		}, meta: vValid},
		apiCase{name: valFeature + "Admin quick validates a non-strict license that has too many machine cores", setup: func(f *world) req {
			return quick(f.overageMachines(map[string]any{"strict": false, "maxCores": 4}, 3, func(m *machine) { m.Cores = ptr[int64](4) }).ID)
		}, meta: vValid},
		apiCase{name: valFeature + "Admin quick validates a strict license that has too many processes (NO_OVERAGE overage strategy, PER_MACHINE leasing strategy)", setup: func(f *world) req {
			return quick(f.overageMachines(map[string]any{"strict": true, "maxProcesses": 1}, 1, nil).ID)
		}, meta: vValid},
		apiCase{name: valFeature + "Admin validates a license scoped to a mismatched machine fingerprint (expired, expiration strategy: maintain): scope first", setup: func(f *world) req {
			p := f.storedPolicy(map[string]any{"expirationStrategy": "MAINTAIN_ACCESS"})
			l := f.storedLicense(p, func(l *license) { l.Expiry = ptr(time.Now().Add(-time.Hour)) })
			f.storedMachine(l, nil)
			return byID(l.ID, scoped(map[string]any{"fingerprint": "nope"}))
		}, meta: res(false, "fingerprint is not activated (does not match any associated machines)", "FINGERPRINT_SCOPE_MISMATCH")},
		apiCase{name: valFeature + "An admin validates an expired license scoped to a mismatched machine fingerprint (expiration strategy: revoke)", setup: func(f *world) req {
			p := f.storedPolicy(map[string]any{"expirationStrategy": "REVOKE_ACCESS"})
			l := f.storedLicense(p, func(l *license) { l.Expiry = ptr(time.Now().Add(-time.Hour)) })
			f.storedMachine(l, nil)
			return byID(l.ID, scoped(map[string]any{"fingerprint": "nope"}))
		}, meta: res(false, "is expired", "EXPIRED")},
	)

	type ov struct {
		strategy string
		n        int
		valid    bool
	}
	for _, o := range []ov{
		{"ALWAYS_ALLOW_OVERAGE", 10, true}, {"ALLOW_1_25X_OVERAGE", 5, true}, {"ALLOW_1_25X_OVERAGE", 6, false},
		{"ALLOW_1_5X_OVERAGE", 6, true}, {"ALLOW_1_5X_OVERAGE", 7, false}, {"ALLOW_2X_OVERAGE", 8, true},
		{"ALLOW_2X_OVERAGE", 9, false}, {"NO_OVERAGE", 5, false},
	} {
		cases = append(cases, apiCase{
			name: valFeature + "Admin validates a strict floating license that has too many machines (" + o.strategy + " overage strategy)",
			setup: func(f *world) req {
				return byID(f.overageMachines(map[string]any{"strict": true, "maxMachines": 4, "overageStrategy": o.strategy}, o.n, nil).ID, nil)
			}, meta: res(o.valid, "has too many associated machines", "TOO_MANY_MACHINES")})
		for _, r := range []struct {
			attr, detail, code string
			set                func(*machine, int64)
		}{
			{"maxCores", "has too many associated machine cores", "TOO_MANY_CORES", func(m *machine, v int64) { m.Cores = &v }},
			{"maxMemory", "has too much associated machine memory", "TOO_MUCH_MEMORY", func(m *machine, v int64) { m.Memory = &v }},
			{"maxDisk", "has too much associated machine disk", "TOO_MUCH_DISK", func(m *machine, v int64) { m.Disk = &v }},
		} {
			cases = append(cases, apiCase{
				name: valFeature + "Admin quick validates a strict license that has too many machine " + r.attr + " (" + o.strategy + " overage strategy)",
				setup: func(f *world) req {
					// 2 machines sharing the total: limit 4, total o.n.
					l := f.overageMachines(map[string]any{"strict": true, "overageStrategy": o.strategy, r.attr: 4}, 1, func(m *machine) { r.set(m, int64(o.n)-1) })
					f.storedMachine(l, func(m *machine) { r.set(m, 1) })
					return quick(l.ID)
				}, meta: res(o.valid, r.detail, r.code)})
		}
		cases = append(cases, apiCase{
			name: valFeature + "Admin validates a license that has too many users (" + o.strategy + " overage strategy)",
			setup: func(f *world) req {
				p := f.storedPolicy(map[string]any{"overageStrategy": o.strategy, "maxUsers": 4})
				owner := f.storedUser("owner@example.com")
				l := f.storedLicense(p, func(l *license) { l.OwnerID = &owner.ID })
				for i := range o.n - 1 {
					u := f.storedUser("licensee" + string(rune('a'+i)) + "@example.com")
					f.withStore(func(*store) { l.UserIDs = append(l.UserIDs, u.ID) })
				}
				return byID(l.ID, nil)
			}, meta: res(o.valid, "has too many associated users", "TOO_MANY_USERS")})
	}
	for _, o := range []ov{{"ALWAYS_ALLOW_OVERAGE", 5, true}, {"ALLOW_2X_OVERAGE", 2, true}, {"ALLOW_2X_OVERAGE", 3, false}, {"NO_OVERAGE", 2, false}} {
		cases = append(cases, apiCase{
			name: valFeature + "Admin validates a strict node-locked license that has too many machines (" + o.strategy + " overage strategy)",
			setup: func(f *world) req {
				return byID(f.overageMachines(map[string]any{"strict": true, "floating": false, "overageStrategy": o.strategy}, o.n, nil).ID, nil)
			}, meta: res(o.valid, "has too many associated machines", "TOO_MANY_MACHINES")})
	}
	// PER_USER leasing: only the scoped user's machines (or the ownerless ones) count.
	for _, pu := range []struct {
		floating      bool
		owned, others int
		scope         bool
		valid         bool
	}{
		{true, 3, 1, true, true}, {true, 5, 0, true, false}, {true, 1, 3, false, true}, {true, 2, 5, false, false},
		{false, 2, 1, true, true}, {false, 3, 2, true, false}, {false, 1, 2, false, true}, {false, 2, 3, false, false},
	} {
		kind, limit := "floating", int64(2)
		if !pu.floating {
			kind, limit = "node-locked", 1
		}
		name := "Admin validates a strict " + kind + " license that has too many machines (ALLOW_2X_OVERAGE, PER_USER leasing strategy, "
		if pu.scope {
			name += "with owner)"
		} else {
			name += "no owner)"
		}
		if pu.valid {
			name += " within"
		} else {
			name += " exceeded"
		}
		cases = append(cases, apiCase{name: valFeature + name, setup: func(f *world) req {
			p := f.storedPolicy(map[string]any{"strict": true, "floating": pu.floating, "maxMachines": limit, "overageStrategy": "ALLOW_2X_OVERAGE", "machineLeasingStrategy": "PER_USER"})
			u := f.storedUser("leaser@example.com")
			l := f.storedLicense(p, func(l *license) { l.UserIDs = []string{u.ID} })
			for range pu.owned {
				f.storedMachine(l, func(m *machine) { m.OwnerID = &u.ID })
			}
			for range pu.others {
				f.storedMachine(l, nil)
			}
			if pu.scope {
				return byID(l.ID, scoped(map[string]any{"user": u.Email}))
			}
			return byID(l.ID, nil)
		}, meta: res(pu.valid, "has too many associated machines", "TOO_MANY_MACHINES")})
	}

	for _, attr := range []string{"requireProductScope", "requirePolicyScope", "requireMachineScope", "requireFingerprintScope", "requireUserScope"} {
		cases = append(cases, apiCase{name: valFeature + "An admin quick validates a valid license that " + attr, setup: func(f *world) req {
			return quick(f.storedLicense(f.storedPolicy(map[string]any{attr: true}), nil).ID)
		}, meta: vValid})
	}

	for _, rq := range []struct{ attr, detail, code string }{
		{"requireProductScope", "product scope is required", "PRODUCT_SCOPE_REQUIRED"},
		{"requirePolicyScope", "policy scope is required", "POLICY_SCOPE_REQUIRED"},
		{"requireMachineScope", "machine scope is required", "MACHINE_SCOPE_REQUIRED"},
		{"requireFingerprintScope", "fingerprint scope is required", "FINGERPRINT_SCOPE_REQUIRED"},
		{"requireUserScope", "user scope is required", "USER_SCOPE_REQUIRED"},
		{"requireChecksumScope", "checksum scope is required", "CHECKSUM_SCOPE_REQUIRED"},
		{"requireVersionScope", "version scope is required", "VERSION_SCOPE_REQUIRED"},
	} {
		cases = append(cases, apiCase{name: valFeature + "An admin validates a valid license that " + rq.attr, setup: func(f *world) req {
			return byID(f.storedLicense(f.storedPolicy(map[string]any{rq.attr: true}), nil).ID, nil)
		}, meta: res(false, rq.detail, rq.code)})
	}
	cases = append(cases,
		apiCase{name: valFeature + "An admin validates a valid license scoped to a specific product", setup: func(f *world) req {
			p := f.storedPolicy(map[string]any{"requireProductScope": true})
			return byID(f.storedLicense(p, nil).ID, scoped(map[string]any{"product": f.prod}))
		}, meta: vValid, check: func(t *testing.T, f *world, r *reply) {
			assert.Equal(t, map[string]any{"product": f.prod}, r.doc["meta"].(map[string]any)["scope"])
		}},
		apiCase{name: valFeature + "An admin validates a license scoped to a mismatched product", setup: func(f *world) req {
			return byID(f.storedLicense(f.storedPolicy(nil), nil).ID, scoped(map[string]any{"product": newUUID()}))
		}, meta: res(false, "product scope does not match", "PRODUCT_SCOPE_MISMATCH")},
		apiCase{name: valFeature + "An admin validates a valid license scoped to a specific policy", setup: func(f *world) req {
			p := f.storedPolicy(nil)
			return byID(f.storedLicense(p, nil).ID, scoped(map[string]any{"policy": p.ID}))
		}, meta: vValid},
		apiCase{name: valFeature + "An admin validates a license scoped to a mismatched policy", setup: func(f *world) req {
			return byID(f.storedLicense(f.storedPolicy(nil), nil).ID, scoped(map[string]any{"policy": newUUID()}))
		}, meta: res(false, "policy scope does not match", "POLICY_SCOPE_MISMATCH")},
		apiCase{name: valFeature + "An admin validates an invalid license scoped to a specific product and machine", setup: func(f *world) req {
			l := f.storedLicense(f.storedPolicy(nil), nil)
			m := f.storedMachine(l, nil)
			return byID(l.ID, scoped(map[string]any{"product": newUUID(), "machine": m.ID}))
		}, meta: res(false, "product scope does not match", "PRODUCT_SCOPE_MISMATCH")},
		apiCase{name: valFeature + "Anonymous validates a valid license key scoped to a specific product and machine", setup: func(f *world) req {
			l := f.storedLicense(f.storedPolicy(nil), nil)
			m := f.storedMachine(l, nil)
			return byKey(l.Key, scoped(map[string]any{"product": f.prod, "machine": m.ID}), anon)
		}, meta: vValid},
		apiCase{name: valFeature + "An admin validates a license scoped to a mismatched machine", setup: func(f *world) req {
			l := f.storedLicense(f.storedPolicy(nil), nil)
			f.storedMachine(l, nil)
			return byID(l.ID, scoped(map[string]any{"machine": newUUID()}))
		}, meta: res(false, "machine is not activated (does not match any associated machines)", "MACHINE_SCOPE_MISMATCH")},
		apiCase{name: valFeature + "Anonymous validates a node-locked license key scoped to a machine, but the license has no machines", setup: func(f *world) req {
			return byKey(f.storedLicense(f.storedPolicy(map[string]any{"floating": false}), nil).Key, scoped(map[string]any{"machine": newUUID()}), anon)
		}, meta: res(false, "machine is not activated (has no associated machine)", "NO_MACHINE")},
		apiCase{name: valFeature + "Anonymous validates a floating license key scoped to a machine, but the license has no machines", setup: func(f *world) req {
			return byKey(f.storedLicense(f.storedPolicy(nil), nil).Key, scoped(map[string]any{"machine": newUUID()}), anon)
		}, meta: res(false, "machine is not activated (has no associated machines)", "NO_MACHINES")},
		apiCase{name: valFeature + "An admin validates a floating license scoped to a mismatched machine fingerprint, but the license has no machines", setup: func(f *world) req {
			return byID(f.storedLicense(f.storedPolicy(nil), nil).ID, scoped(map[string]any{"fingerprint": "x"}))
		}, meta: res(false, "fingerprint is not activated (has no associated machines)", "NO_MACHINES")},
		apiCase{name: valFeature + "An admin validates a node-locked license scoped to a mismatched machine fingerprint, but the license has no machines", setup: func(f *world) req {
			return byID(f.storedLicense(f.storedPolicy(map[string]any{"floating": false}), nil).ID, scoped(map[string]any{"fingerprint": "x"}))
		}, meta: res(false, "fingerprint is not activated (has no associated machine)", "NO_MACHINE")},
		apiCase{name: valFeature + "An admin validates a floating license scoped to a mismatched machine fingerprint, but the license has no machines (quick)", setup: func(f *world) req {
			return quick(f.storedLicense(f.storedPolicy(nil), nil).ID)
		}, meta: vValid},
		apiCase{name: valFeature + "Anonymous validates a valid license key scoped to a specific machine fingerprint", setup: func(f *world) req {
			l := f.storedLicense(f.storedPolicy(map[string]any{"strict": true, "floating": false}), nil)
			m := f.storedMachine(l, nil)
			return byKey(l.Key, scoped(map[string]any{"fingerprint": m.Fingerprint}), anon)
		}, meta: vValid},
		apiCase{name: valFeature + "Anonymous validates a valid license key scoped to an empty array of fingerprints", setup: func(f *world) req {
			l := f.storedLicense(f.storedPolicy(nil), nil)
			f.storedMachine(l, nil)
			return byKey(l.Key, scoped(map[string]any{"fingerprints": []any{}}), anon)
		}, meta: res(false, "fingerprint scope is empty", "FINGERPRINT_SCOPE_EMPTY")},
		apiCase{name: valFeature + "Anonymous validates a valid license key scoped to an array of nil fingerprints", setup: func(f *world) req {
			l := f.storedLicense(f.storedPolicy(nil), nil)
			f.storedMachine(l, nil)
			return byKey(l.Key, scoped(map[string]any{"fingerprints": []any{nil, nil}}), anon)
		}, status: 400, detail: "cannot be null", source: map[string]any{"pointer": "/meta/scope/fingerprints/0"}},
		apiCase{name: valFeature + "Anonymous validates a valid license key scoped to an array of fingerprints belonging to another license", setup: func(f *world) req {
			p := f.storedPolicy(nil)
			l, other := f.storedLicense(p, nil), f.storedLicense(p, nil)
			f.storedMachine(l, nil)
			a, b := f.storedMachine(other, nil), f.storedMachine(other, nil)
			return byKey(l.Key, scoped(map[string]any{"fingerprints": []any{a.Fingerprint, b.Fingerprint}}), anon)
		}, meta: res(false, "one or more fingerprint is not activated (does not match any associated machines)", "FINGERPRINT_SCOPE_MISMATCH")},
		apiCase{name: valFeature + "Anonymous validates a valid license key scoped to an array of an invalid fingerprint (matching strategy: MATCH_MOST)", setup: func(f *world) req {
			l := f.storedLicense(f.storedPolicy(map[string]any{"machineMatchingStrategy": "MATCH_MOST"}), nil)
			f.storedMachine(l, nil)
			return byKey(l.Key, scoped(map[string]any{"fingerprints": []any{"nope"}}), anon)
		}, meta: res(false, "fingerprint is not activated (does not match any associated machines)", "FINGERPRINT_SCOPE_MISMATCH")},
		apiCase{name: valFeature + "Anonymous validates a valid license key scoped to an array of duplicate fingerprints (matching strategy: MATCH_ALL)", setup: func(f *world) req {
			l := f.storedLicense(f.storedPolicy(map[string]any{"machineMatchingStrategy": "MATCH_ALL"}), nil)
			m := f.storedMachine(l, nil)
			return byKey(l.Key, scoped(map[string]any{"fingerprints": []any{m.Fingerprint, m.Fingerprint}}), anon)
		}, meta: vValid},
		apiCase{name: valFeature + "Anonymous validates a license key with an entitlement scope (missing all entitlements)", setup: func(f *world) req {
			return byKey(f.storedLicense(f.storedPolicy(nil), nil).Key, scoped(map[string]any{"entitlements": []any{"FEATURE_A", "FEATURE_B"}}), anon)
		}, meta: res(false, "is missing one or more required entitlements", "ENTITLEMENTS_MISSING")},
		apiCase{name: valFeature + "Anonymous validates a license key with an empty entitlement scope", setup: func(f *world) req {
			return byKey(f.storedLicense(f.storedPolicy(nil), nil).Key, scoped(map[string]any{"entitlements": []any{}}), anon)
		}, meta: res(false, "entitlements scope is empty", "ENTITLEMENTS_SCOPE_EMPTY")},
		apiCase{name: valFeature + "Anonymous validates a license key that requires a checksum scope (mismatch)", setup: func(f *world) req {
			return byKey(f.storedLicense(f.storedPolicy(map[string]any{"requireChecksumScope": true}), nil).Key, scoped(map[string]any{"checksum": "abc"}), anon)
		}, meta: res(false, "checksum scope is not valid (does not match any accessible artifacts)", "CHECKSUM_SCOPE_MISMATCH")},
		apiCase{name: valFeature + "Anonymous validates a license key that requires a version scope (mismatch)", setup: func(f *world) req {
			return byKey(f.storedLicense(f.storedPolicy(map[string]any{"requireVersionScope": true}), nil).Key, scoped(map[string]any{"version": "1.0.0"}), anon)
		}, meta: res(false, "version scope is not valid (does not match any accessible releases)", "VERSION_SCOPE_MISMATCH")},
		apiCase{name: valFeature + "Anonymous validates a valid license key scoped to an array of components without a fingerprint scope", setup: func(f *world) req {
			l := f.storedLicense(f.storedPolicy(nil), nil)
			m := f.storedMachine(l, nil)
			return byKey(l.Key, scoped(map[string]any{"fingerprints": []any{m.Fingerprint}, "components": []any{"c"}}), anon)
		}, meta: res(false, "fingerprint scope is required when using the components scope", "FINGERPRINT_SCOPE_REQUIRED")},
	)
	// fingerprint matching strategies: valid/invalid counts.
	for _, ms := range []struct {
		strategy       string
		valid, invalid int
		ok             bool
		detail         string
	}{
		{"", 3, 0, true, ""},
		{"MATCH_ANY", 1, 2, true, ""},
		{"MATCH_MOST", 3, 2, true, ""},
		{"MATCH_MOST", 2, 2, true, ""},
		{"MATCH_MOST", 1, 3, false, "one or more fingerprint is not activated (does not match enough associated machines)"},
		{"MATCH_MOST", 1, 0, true, ""},
		{"MATCH_TWO", 3, 0, true, ""},
		{"MATCH_TWO", 2, 3, true, ""},
		{"MATCH_TWO", 1, 3, false, "one or more fingerprint is not activated (does not match at least 2 associated machines)"},
		{"MATCH_TWO", 0, 3, false, "one or more fingerprint is not activated (does not match at least 2 associated machines)"},
		{"MATCH_ALL", 2, 1, false, "one or more fingerprint is not activated (does not match all associated machines)"},
		{"MATCH_ALL", 3, 0, true, ""},
	} {
		name := "Anonymous validates a valid license key scoped to an array of fingerprints (matching strategy: " + ms.strategy + ") " + string(rune('0'+ms.valid)) + " valid " + string(rune('0'+ms.invalid)) + " invalid"
		want := vValid
		if !ms.ok {
			want = res(false, ms.detail, "FINGERPRINT_SCOPE_MISMATCH")
		}
		cases = append(cases, apiCase{name: valFeature + name, setup: func(f *world) req {
			attrs := map[string]any{}
			if ms.strategy != "" {
				attrs["machineMatchingStrategy"] = ms.strategy
			}
			l := f.storedLicense(f.storedPolicy(attrs), nil)
			var fps []any
			for range ms.valid {
				fps = append(fps, f.storedMachine(l, nil).Fingerprint)
			}
			f.storedMachine(l, nil)
			for range ms.invalid {
				fps = append(fps, newUUID())
			}
			return byKey(l.Key, scoped(map[string]any{"fingerprints": fps}), anon)
		}, meta: want})
	}

	// user scope
	type us struct {
		name   string
		scope  func(owner, licensee *user) any
		noOwn  bool
		result map[string]any
	}
	for _, u := range []us{
		{"requires a user scope (match owner)", func(o, _ *user) any { return o.ID }, false, vValid},
		{"requires a user scope (match owner email)", func(o, _ *user) any { return o.Email }, false, vValid},
		{"requires a user scope (match user)", func(_, l *user) any { return l.ID }, false, vValid},
		{"requires a user scope (match user email)", func(_, l *user) any { return l.Email }, false, vValid},
		{"requires a user scope (mismatch null)", func(_, _ *user) any { return nil }, false, res(false, "user scope does not match", "USER_SCOPE_MISMATCH")},
		{"requires a user scope (match null)", func(_, _ *user) any { return nil }, true, vValid},
		{"requires a user scope (mismatch)", func(_, _ *user) any { return newUUID() }, false, res(false, "user scope does not match", "USER_SCOPE_MISMATCH")},
	} {
		cases = append(cases, apiCase{name: valFeature + "Anonymous validates a license key that " + u.name, setup: func(f *world) req {
			o, lu := f.storedUser("owner@example.com"), f.storedUser("licensee@example.com")
			l := f.storedLicense(f.storedPolicy(map[string]any{"requireUserScope": true}), func(l *license) {
				if !u.noOwn {
					l.OwnerID = &o.ID
					l.UserIDs = []string{lu.ID}
				}
			})
			return byKey(l.Key, scoped(map[string]any{"user": u.scope(o, lu)}), anon)
		}, meta: u.result})
	}
	// user scope with machines / fingerprints.
	type um struct {
		name      string
		byMachine bool
		owner     int // machine owner: 0 none, 1 the scoped user, 2 another user
		scopeUser int // 1 the license owner, 2 a stranger
		result    map[string]any
	}
	for _, u := range []um{
		{"scoped to its owner and a fingerprint (no machine owner)", false, 0, 1, vValid},
		{"scoped to its owner and a fingerprint (license owner == machine owner)", false, 1, 1, vValid},
		{"scoped to its owner and a fingerprint (license owner != machine owner)", false, 2, 1, res(false, "user scope does not match (does not match associated machine owners)", "USER_SCOPE_MISMATCH")},
		{"scoped to its owner and a fingerprint (invalid user)", false, 1, 2, res(false, "user scope does not match", "USER_SCOPE_MISMATCH")},
		{"scoped to its owner and a machine (no machine owner)", true, 0, 1, vValid},
		{"scoped to its owner and a machine (license owner == machine owner)", true, 1, 1, vValid},
		{"scoped to its owner and a machine (license owner != machine owner)", true, 2, 1, res(false, "user scope does not match (does not match associated machine owner)", "USER_SCOPE_MISMATCH")},
		{"scoped to its owner and a machine (invalid user)", true, 1, 2, res(false, "user scope does not match", "USER_SCOPE_MISMATCH")},
	} {
		cases = append(cases, apiCase{name: valFeature + "An admin validates a valid license " + u.name, setup: func(f *world) req {
			o, other := f.storedUser("owner@example.com"), f.storedUser("other@example.com")
			l := f.storedLicense(f.storedPolicy(nil), func(l *license) { l.OwnerID = &o.ID })
			m := f.storedMachine(l, func(m *machine) {
				switch u.owner {
				case 1:
					m.OwnerID = &o.ID
				case 2:
					m.OwnerID = &other.ID
				}
			})
			user := o.ID
			if u.scopeUser == 2 {
				user = newUUID()
			}
			if u.byMachine {
				return byID(l.ID, scoped(map[string]any{"user": user, "machine": m.ID}))
			}
			return byID(l.ID, scoped(map[string]any{"user": user, "fingerprint": m.Fingerprint}))
		}, meta: u.result})
	}
	// user bearers
	cases = append(cases,
		apiCase{name: valFeature + "A user validates a license scoped to their own email", setup: func(f *world) req {
			u := f.storedUser("me@example.com")
			_, tok := f.tokenFor("users", u.ID, nil)
			l := f.storedLicense(f.storedPolicy(nil), func(l *license) { l.OwnerID = &u.ID; l.Expiry = ptr(time.Now().AddDate(1, 0, 0)) })
			r := byID(l.ID, scoped(map[string]any{"user": u.Email}))
			r.auth = "Bearer " + tok
			return r
		}, meta: vValid},
		apiCase{name: valFeature + "An admin validates a valid license scoped to a specific user email (v1.5)", setup: func(f *world) req {
			u := f.storedUser("me@example.com")
			l := f.storedLicense(f.storedPolicy(nil), func(l *license) { l.OwnerID = &u.ID })
			r := byID(l.ID, scoped(map[string]any{"user": u.Email}))
			r.headers = map[string]string{"Keygen-Version": "1.5"}
			return r
		}, meta: vValid, check: func(t *testing.T, f *world, r *reply) {
			rels := r.data()["relationships"].(map[string]any)
			user, _ := rels["user"].(map[string]any)
			require.NotNil(t, user, string(r.body))
			assert.Equal(t, "users", user["data"].(map[string]any)["type"])
		}},
		apiCase{name: valFeature + "A user validates a license scoped to a different user", setup: func(f *world) req {
			u, other := f.storedUser("me@example.com"), f.storedUser("other@example.com")
			_, tok := f.tokenFor("users", u.ID, nil)
			l := f.storedLicense(f.storedPolicy(nil), func(l *license) { l.OwnerID = &other.ID })
			r := byID(l.ID, scoped(map[string]any{"user": other.ID}))
			r.auth = "Bearer " + tok
			return r
		}, status: 404},
		apiCase{name: valFeature + "A user validates a license key scoped to their own ID", setup: func(f *world) req {
			u := f.storedUser("me@example.com")
			_, tok := f.tokenFor("users", u.ID, nil)
			l := f.storedLicense(f.storedPolicy(nil), func(l *license) { l.OwnerID = &u.ID })
			return byKey(l.Key, scoped(map[string]any{"user": u.ID}), "Bearer "+tok)
		}, meta: vValid},
		apiCase{name: valFeature + "A user validates a license key scoped to a different user", setup: func(f *world) req {
			u, other := f.storedUser("me@example.com"), f.storedUser("other@example.com")
			_, tok := f.tokenFor("users", u.ID, nil)
			l := f.storedLicense(f.storedPolicy(nil), func(l *license) { l.OwnerID = &other.ID })
			return byKey(l.Key, scoped(map[string]any{"user": other.ID}), "Bearer "+tok)
		}, status: 403},
	)

	hb := func(attrs map[string]any, beat *time.Duration, byMachine bool) func(f *world) req {
		return func(f *world) req {
			l := f.storedLicense(f.storedPolicy(attrs), nil)
			m := f.storedMachine(l, func(m *machine) {
				if beat != nil {
					m.LastHeartbeat = ptr(time.Now().Add(-*beat))
				}
			})
			if byMachine {
				return byKey(l.Key, scoped(map[string]any{"machine": m.ID}), anon)
			}
			return byKey(l.Key, scoped(map[string]any{"fingerprint": m.Fingerprint}), anon)
		}
	}
	alive, dead := time.Minute, 2*time.Hour
	hour := map[string]any{"heartbeatDuration": 3600}
	req1h := map[string]any{"heartbeatDuration": 3600, "requireHeartbeat": true}
	cases = append(cases,
		apiCase{name: valFeature + "Anonymous validates a license key scoped to an alive machine (by fingerprint)", setup: hb(hour, &alive, false), meta: vValid},
		apiCase{name: valFeature + "Anonymous validates a license key scoped to a dead machine (by fingerprint)", setup: hb(hour, &dead, false), meta: res(false, "machine heartbeat is dead", "HEARTBEAT_DEAD")},
		apiCase{name: valFeature + "Anonymous validates a license key scoped to an alive machine (by ID)", setup: hb(hour, &alive, true), meta: vValid},
		apiCase{name: valFeature + "Anonymous validates a license key scoped to a dead machine (by ID)", setup: hb(hour, &dead, true), meta: res(false, "machine heartbeat is dead", "HEARTBEAT_DEAD")},
		apiCase{name: valFeature + "Anonymous validates a license key that requires a machine heartbeat (alive)", setup: hb(req1h, &alive, false), meta: vValid},
		apiCase{name: valFeature + "Anonymous validates a license key that requires a machine heartbeat (dead)", setup: hb(req1h, &dead, false), meta: res(false, "machine heartbeat is dead", "HEARTBEAT_DEAD")},
		apiCase{name: valFeature + "Anonymous validates a license key with optional machine heartbeat (not started)", setup: hb(hour, nil, false), meta: vValid},
		apiCase{name: valFeature + "Anonymous validates a license key that requires a machine heartbeat (not started, FROM_FIRST_PING basis)",
			setup: hb(map[string]any{"heartbeatDuration": 3600, "requireHeartbeat": true, "heartbeatBasis": "FROM_FIRST_PING"}, nil, false),
			meta:  res(false, "machine heartbeat is required", "HEARTBEAT_NOT_STARTED")},
		apiCase{name: valFeature + "Anonymous validates a license key that requires a machine heartbeat (by ID)",
			setup: hb(map[string]any{"heartbeatDuration": 3600, "requireHeartbeat": true, "heartbeatBasis": "FROM_FIRST_PING"}, nil, true),
			meta:  res(false, "machine heartbeat is required", "HEARTBEAT_NOT_STARTED")},
		apiCase{name: valFeature + "Anonymous validates a license key that requires a machine heartbeat (not started, FROM_CREATION basis)", setup: func(f *world) req {
			// FROM_CREATION starts the heartbeat when the machine is activated (over the API).
			p := f.storedPolicy(map[string]any{"heartbeatDuration": 3600, "requireHeartbeat": true, "heartbeatBasis": "FROM_CREATION"})
			l := f.storedLicense(p, nil)
			r := f.postMachine(l.ID, "fp-1", nil, "")
			require.Equal(f.t, 201, r.status, string(r.body))
			return byKey(l.Key, scoped(map[string]any{"fingerprint": "fp-1"}), anon)
		}, meta: vValid},
	)

	cases = append(cases,
		apiCase{name: valFeature + "Anonymous validates a license key with a validation expiration basis (not set)", setup: func(f *world) req {
			p := f.storedPolicy(map[string]any{"expirationBasis": "FROM_FIRST_VALIDATION", "duration": 31556952})
			return byKey(f.storedLicense(p, nil).Key, nil, anon)
		}, meta: vValid, check: func(t *testing.T, f *world, r *reply) {
			exp, _ := time.Parse(time.RFC3339, r.attrs()["expiry"].(string))
			assert.WithinDuration(t, time.Now().AddDate(1, 0, 0), exp, 24*time.Hour)
		}},
		apiCase{name: valFeature + "Product validates a license key with a validation expiration basis (not set)", setup: func(f *world) req {
			p := f.storedPolicy(map[string]any{"expirationBasis": "FROM_FIRST_VALIDATION", "duration": 31556952})
			_, tok := f.tokenFor("products", f.prod, nil)
			return byKey(f.storedLicense(p, nil).Key, nil, "Bearer "+tok)
		}, meta: vValid, check: func(t *testing.T, f *world, r *reply) { assert.NotNil(t, r.attrs()["expiry"]) }},
		apiCase{name: valFeature + "Anonymous validates a license key with an activation expiration basis (not set)", setup: func(f *world) req {
			p := f.storedPolicy(map[string]any{"expirationBasis": "FROM_FIRST_ACTIVATION", "duration": 31556952})
			return byKey(f.storedLicense(p, nil).Key, nil, anon)
		}, meta: vValid, check: func(t *testing.T, f *world, r *reply) { assert.Nil(t, r.attrs()["expiry"]) }},
		apiCase{name: valFeature + "Anonymous validates a license key with a validation expiration basis (set)", setup: func(f *world) req {
			p := f.storedPolicy(map[string]any{"expirationBasis": "FROM_FIRST_VALIDATION", "duration": 31556952})
			exp := time.Date(2022, 1, 3, 14, 18, 2, 743e6, time.UTC)
			return byKey(f.storedLicense(p, func(l *license) { l.Expiry = &exp }).Key, nil, anon)
		}, meta: res(false, "is expired", "EXPIRED"), check: func(t *testing.T, f *world, r *reply) {
			assert.Equal(t, "2022-01-03T14:18:02.743Z", r.attrs()["expiry"])
		}},
	)

	runEach(t, func(t *testing.T) *world { return newWorld(t) }, cases)
}

func TestLicensesValidationsFeatureEdges(t *testing.T) {
	t.Parallel()
	const anon = "-"
	ownersMismatch := res(false, "user scope does not match (does not match associated machine owners)", "USER_SCOPE_MISMATCH")
	ownerMismatch := res(false, "user scope does not match (does not match associated machine owner)", "USER_SCOPE_MISMATCH")
	cases := []apiCase{
		{name: valFeature + "An admin validates a valid license scoped to its owner and a fingerprint (no machine owner)", setup: func(f *world) req {
			l, owner, _ := f.ownedLicense(nil, false)
			m := f.storedMachine(l, nil)
			return byID(l.ID, scoped(map[string]any{"fingerprint": m.Fingerprint, "user": owner.Email}))
		}, meta: vValid},
		{name: valFeature + "An admin validates a valid license scoped to its owner and a fingerprint (invalid fingerprint)", setup: func(f *world) req {
			l, owner, _ := f.ownedLicense(nil, false)
			f.storedMachine(l, nil)
			return byID(l.ID, scoped(map[string]any{"fingerprint": "foo", "user": owner.Email}))
		}, meta: res(false, "fingerprint is not activated (does not match any associated machines)", "FINGERPRINT_SCOPE_MISMATCH"), check: func(t *testing.T, f *world, r *reply) {
			rel := r.data()["relationships"].(map[string]any)["owner"].(map[string]any)
			assert.Equal(t, "users", rel["data"].(map[string]any)["type"])
		}},
		{name: valFeature + "An admin validates a valid license scoped to its owner and a fingerprint (license owner != machine owner)", setup: func(f *world) req {
			l, owner, user := f.ownedLicense(nil, true)
			m := f.storedMachine(l, ownedBy(user))
			return byID(l.ID, scoped(map[string]any{"fingerprint": m.Fingerprint, "user": owner.Email}))
		}, meta: ownersMismatch},
		{name: valFeature + "An admin validates a valid license scoped to its user and fingerprints (license user != machine owners)", setup: func(f *world) req {
			l, owner, user := f.ownedLicense(nil, true)
			a, b := f.storedMachine(l, ownedBy(owner)), f.storedMachine(l, ownedBy(user))
			return byID(l.ID, scoped(map[string]any{"fingerprints": []string{a.Fingerprint, b.Fingerprint}, "user": user.Email}))
		}, meta: ownersMismatch},
		{name: valFeature + "An admin validates a valid license scoped to its user and fingerprints (license user == machine owners)", setup: func(f *world) req {
			l, _, user := f.ownedLicense(nil, true)
			a, b := f.storedMachine(l, ownedBy(user)), f.storedMachine(l, ownedBy(user))
			f.storedMachine(l, ownedBy(user))
			return byID(l.ID, scoped(map[string]any{"fingerprints": []string{a.Fingerprint, b.Fingerprint}, "user": user.Email}))
		}, meta: vValid},
		{name: valFeature + "An admin validates a valid license scoped to its owner and fingerprints (invalid user)", setup: func(f *world) req {
			l, _, _ := f.ownedLicense(nil, false)
			m := f.storedMachine(l, nil)
			return byID(l.ID, scoped(map[string]any{"fingerprints": []string{m.Fingerprint}, "user": "foo@example.com"}))
		}, meta: res(false, "user scope does not match", "USER_SCOPE_MISMATCH")},
		{name: valFeature + "An admin validates a valid license scoped to its owner and a machine (license owner != machine owner)", setup: func(f *world) req {
			l, owner, user := f.ownedLicense(nil, true)
			m := f.storedMachine(l, ownedBy(user))
			return byID(l.ID, scoped(map[string]any{"machine": m.ID, "user": owner.Email}))
		}, meta: ownerMismatch},
		{name: valFeature + "An admin validates a valid license scoped to its user and a machine (license user == machine owner)", setup: func(f *world) req {
			l, _, user := f.ownedLicense(nil, true)
			m := f.storedMachine(l, ownedBy(user))
			f.storedMachine(l, ownedBy(user))
			return byID(l.ID, scoped(map[string]any{"machine": m.ID, "user": user.Email}))
		}, meta: vValid},
		{name: valFeature + "An admin validates a valid license scoped to its owner and a machine (invalid machine)", setup: func(f *world) req {
			l, owner, _ := f.ownedLicense(nil, false)
			f.storedMachine(l, nil)
			return byID(l.ID, scoped(map[string]any{"machine": "foo", "user": owner.Email}))
		}, meta: res(false, "machine is not activated (does not match any associated machines)", "MACHINE_SCOPE_MISMATCH")},

		{name: valFeature + "user scope by a differently cased email matches the owner (users.where(email:) normalizes)", setup: func(f *world) req {
			l, _, _ := f.ownedLicense(nil, false)
			return byID(l.ID, scoped(map[string]any{"user": " Owner@Example.COM "}))
		}, meta: vValid},
		{name: valFeature + "user scope by a differently cased email and a fingerprint of the user's machine (for_owner normalizes)", setup: func(f *world) req {
			l, _, user := f.ownedLicense(nil, true)
			m := f.storedMachine(l, ownedBy(user))
			return byID(l.ID, scoped(map[string]any{"fingerprint": m.Fingerprint, "user": "LICENSEE@example.com"}))
		}, meta: vValid},
		{name: valFeature + "user scope by a differently cased email and the user's machine (machine.owner.email == user is exact)", setup: func(f *world) req {
			l, _, user := f.ownedLicense(nil, true)
			m := f.storedMachine(l, ownedBy(user))
			return byID(l.ID, scoped(map[string]any{"machine": m.ID, "user": "LICENSEE@example.com"}))
		}, meta: ownerMismatch},

		{name: valFeature + "An admin validates an expired license scoped to a mismatched machine fingerprint (expiration strategy: revoke)", setup: func(f *world) req {
			p := f.storedPolicy(map[string]any{"expirationStrategy": "REVOKE_ACCESS"})
			l := f.storedLicense(p, func(l *license) { l.Expiry = ptr(time.Now().AddDate(0, -1, 0)) })
			f.storedMachine(l, nil)
			return byID(l.ID, scoped(map[string]any{"fingerprint": "nope"}))
		}, meta: map[string]any{"valid": false, "detail": "is expired", "code": "EXPIRED", "scope": map[string]any{"fingerprint": "nope"}}},
		{name: valFeature + "An admin validates an expired license scoped to a mismatched machine fingerprint (expiration strategy: maintain)", setup: func(f *world) req {
			p := f.storedPolicy(map[string]any{"expirationStrategy": "MAINTAIN_ACCESS"})
			l := f.storedLicense(p, func(l *license) { l.Expiry = ptr(time.Now().AddDate(0, -1, 0)) })
			f.storedMachine(l, nil)
			return byID(l.ID, scoped(map[string]any{"fingerprint": "nope"}))
		}, meta: map[string]any{"valid": false, "detail": "fingerprint is not activated (does not match any associated machines)", "code": "FINGERPRINT_SCOPE_MISMATCH", "scope": map[string]any{"fingerprint": "nope"}}},
		{name: valFeature + "An admin validates an expired license scoped to a matching machine fingerprint (expiration strategy: allow)", setup: func(f *world) req {
			p := f.storedPolicy(map[string]any{"expirationStrategy": "ALLOW_ACCESS"})
			l := f.storedLicense(p, func(l *license) { l.Expiry = ptr(time.Now().AddDate(0, -1, 0)) })
			m := f.storedMachine(l, nil)
			return byID(l.ID, scoped(map[string]any{"fingerprint": m.Fingerprint}))
		}, meta: res(true, "is expired", "EXPIRED")},

		{name: valFeature + "Anonymous validates a license key that requires a machine heartbeat (by ID)", setup: func(f *world) req {
			p := f.storedPolicy(map[string]any{"heartbeatDuration": 3600, "heartbeatBasis": "FROM_FIRST_PING", "requireHeartbeat": true})
			l := f.storedLicense(p, nil)
			m := f.storedMachine(l, nil)
			return byKey(l.Key, scoped(map[string]any{"machine": m.ID}), anon)
		}, meta: res(false, "machine heartbeat is required", "HEARTBEAT_NOT_STARTED")},
		{name: valFeature + "Anonymous validates a license key scoped to a dead machine (by ID)", setup: func(f *world) req {
			p := f.storedPolicy(map[string]any{"heartbeatDuration": 3600})
			l := f.storedLicense(p, nil)
			m := f.storedMachine(l, func(m *machine) { m.LastHeartbeat = ptr(f.srv.clock.now().Add(-2 * time.Hour)) })
			return byKey(l.Key, scoped(map[string]any{"machine": m.ID}), anon)
		}, meta: res(false, "machine heartbeat is dead", "HEARTBEAT_DEAD")},
		{name: valFeature + "Anonymous validates a license key scoped to an alive machine (by ID)", setup: func(f *world) req {
			p := f.storedPolicy(map[string]any{"heartbeatDuration": 3600})
			l := f.storedLicense(p, nil)
			m := f.storedMachine(l, func(m *machine) { m.LastHeartbeat = ptr(f.srv.clock.now().Add(-59 * time.Minute)) })
			return byKey(l.Key, scoped(map[string]any{"machine": m.ID}), anon)
		}, meta: vValid},

		{name: valFeature + "Admin validates a strict node-locked license that has too many machines (ALLOW_2X_OVERAGE overage strategy, within overage allowance, PER_USER leasing strategy, no owner)", setup: func(f *world) req {
			l, _, user := f.ownedLicense(map[string]any{"machineLeasingStrategy": "PER_USER", "overageStrategy": "ALLOW_2X_OVERAGE", "maxMachines": 1, "floating": false, "strict": true}, true)
			f.storedMachine(l, ownedBy(user))
			f.storedMachine(l, nil)
			f.storedMachine(l, nil)
			return byID(l.ID, nil)
		}, meta: res(true, "has too many associated machines", "TOO_MANY_MACHINES")},
		{name: valFeature + "Admin validates a strict node-locked license that has too many machines (ALLOW_2X_OVERAGE overage strategy, exceeded overage allowance, PER_USER leasing strategy, no owner)", setup: func(f *world) req {
			l, _, user := f.ownedLicense(map[string]any{"machineLeasingStrategy": "PER_USER", "overageStrategy": "ALLOW_2X_OVERAGE", "maxMachines": 1, "floating": false, "strict": true}, true)
			f.storedMachine(l, ownedBy(user))
			f.storedMachine(l, ownedBy(user))
			for range 3 {
				f.storedMachine(l, nil)
			}
			return byID(l.ID, nil)
		}, meta: res(false, "has too many associated machines", "TOO_MANY_MACHINES")},

		{name: valFeature + "A user validates a license key scoped to their own ID (v1.5)", setup: func(f *world) req {
			l, owner, _ := f.ownedLicense(nil, false)
			_, tok := f.tokenFor("users", owner.ID, nil)
			r := byKey(l.Key, scoped(map[string]any{"user": owner.ID}), "Bearer "+tok)
			r.headers = map[string]string{"Keygen-Version": "1.5"}
			return r
		}, meta: vValid, check: func(t *testing.T, f *world, r *reply) {
			rels := r.data()["relationships"].(map[string]any)
			assert.NotContains(t, rels, "owner")
			user, _ := rels["user"].(map[string]any)
			require.NotNil(t, user, string(r.body))
			assert.Equal(t, "/v1/accounts/"+f.srv.AccountID+"/licenses/"+r.id()+"/user", user["links"].(map[string]any)["related"])
		}},
		{name: valFeature + "Admin quick validates a strict license that has too many machine cores (ALWAYS_ALLOW_OVERAGE overage strategy, v1.1)", setup: func(f *world) req {
			l := f.overageMachines(map[string]any{"overageStrategy": "ALWAYS_ALLOW_OVERAGE", "maxMachines": 5, "maxCores": 16, "strict": true}, 3, func(m *machine) { m.Cores = ptr[int64](16) })
			r := quick(l.ID)
			r.headers = map[string]string{"Keygen-Version": "1.1"}
			return r
		}, meta: map[string]any{"valid": false, "detail": "has too many associated machine cores", "constant": "TOO_MANY_CORES"}},
		{name: valFeature + "Anonymous validates an invalid license by key (v1.1): the migration also applies without a license", setup: func(f *world) req {
			r := byKey("invalid", nil, anon)
			r.headers = map[string]string{"Keygen-Version": "1.1"}
			return r
		}, meta: map[string]any{"valid": false, "detail": "does not exist", "constant": "NOT_FOUND"}, check: func(t *testing.T, f *world, r *reply) {
			assert.Nil(t, r.doc["data"])
			assert.NotContains(t, r.doc["meta"], "code")
		}},

		{name: valFeature + "Anonymous validates an expired license key and sends a nonce", setup: func(f *world) req {
			l := f.storedLicense(f.storedPolicy(nil), func(l *license) { l.Expiry = ptr(time.Now().AddDate(0, -1, 0)) })
			return byKey(l.Key, map[string]any{"nonce": 9048238457}, anon)
		}, meta: map[string]any{"valid": false, "detail": "is expired", "code": "EXPIRED", "nonce": float64(9048238457)}, check: func(t *testing.T, f *world, r *reply) {
			last, err := time.Parse(time.RFC3339, r.attrs()["lastValidated"].(string))
			require.NoError(t, err)
			assert.WithinDuration(t, time.Now(), last, time.Minute)
		}},
		{name: valFeature + "Anonymous validates a valid license key with an empty scope: the empty scope is echoed", setup: func(f *world) req {
			return byKey(f.storedLicense(f.storedPolicy(nil), nil).Key, scoped(map[string]any{}), anon)
		}, meta: map[string]any{"valid": true, "code": "VALID", "scope": map[string]any{}}, check: func(t *testing.T, f *world, r *reply) {
			assert.NotContains(t, r.doc["meta"], "nonce")
		}},
		{name: valFeature + "Admin quick validates a license from the dashboard origin: no touch", setup: func(f *world) req {
			r := quick(f.storedLicense(f.storedPolicy(nil), nil).ID)
			r.headers = map[string]string{"Origin": "https://app.keygen.sh"}
			return r
		}, meta: vValid, check: func(t *testing.T, f *world, r *reply) {
			assert.Nil(t, r.attrs()["lastValidated"])
		}},
		{name: valFeature + "Admin quick validates a license with a validation expiration basis: no event, no expiry", setup: func(f *world) req {
			p := f.storedPolicy(map[string]any{"expirationBasis": "FROM_FIRST_VALIDATION", "duration": 31556952})
			return quick(f.storedLicense(p, nil).ID)
		}, meta: vValid, check: func(t *testing.T, f *world, r *reply) {
			assert.Nil(t, r.attrs()["expiry"])
			assert.NotNil(t, r.attrs()["lastValidated"])
		}},
		{name: valFeature + "Anonymous validates a license key with a validation expiration basis that fails validation: the expiry is still set", setup: func(f *world) req {
			p := f.storedPolicy(map[string]any{"expirationBasis": "FROM_FIRST_VALIDATION", "duration": 31556952, "strict": true})
			return byKey(f.storedLicense(p, nil).Key, nil, anon)
		}, meta: res(false, "must have at least 1 associated machine", "NO_MACHINES"), check: func(t *testing.T, f *world, r *reply) {
			exp, err := time.Parse(time.RFC3339, r.attrs()["expiry"].(string))
			require.NoError(t, err)
			assert.WithinDuration(t, time.Now().AddDate(1, 0, 0), exp, 24*time.Hour)
		}},
	}
	runEach(t, func(t *testing.T) *world { return newWorld(t) }, cases)
}

// TestLicensesValidationWebhooks: a validation (not a quick one) emits
// license.validation.succeeded/failed to the account-wide endpoints and to the endpoints of
// the license's product only.
func TestLicensesValidationWebhooks(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t)
	tt := newWorld(t, WithInsecureWebhooks())
	f := tt
	other := tt.product()
	p := f.storedPolicy(nil)
	for _, prod := range []string{other, f.prod} {
		for range 3 {
			tt.mustCreate("/webhook-endpoints", "webhook-endpoints", map[string]any{"url": rc.url("/p")}, map[string]any{"product": link("products", prod)})
		}
	}
	tt.mustCreate("/webhook-endpoints", "webhook-endpoints", map[string]any{"url": rc.url("/all")}, nil)
	l := f.storedLicense(p, nil)
	events := func(event string) int {
		r := tt.get("/webhook-events?events[]=" + event)
		require.Equal(t, 200, r.status, string(r.body))
		return len(r.list())
	}

	t.Run(valFeature+"Admin validates a license (default version): quick validation emits no event", func(t *testing.T) {
		require.Equal(t, 200, tt.do(quick(l.ID)).status)
		assert.Zero(t, events("license.validation.succeeded")+events("license.validation.failed"))
	})
	t.Run(valFeature+"Anonymous validates a license and generates authorized webhooks for its product", func(t *testing.T) {
		require.Equal(t, 200, tt.do(byKey(l.Key, nil, "-")).status)
		assert.Equal(t, 4, events("license.validation.succeeded"))
	})
	t.Run(valFeature+"Anonymous validates an invalid license by key: no license, no event", func(t *testing.T) {
		require.Equal(t, 200, tt.do(byKey("nope", nil, "-")).status)
		assert.Zero(t, events("license.validation.failed"))
	})
	t.Run(valFeature+"An admin validates a license scoped to a mismatched policy: failed event", func(t *testing.T) {
		require.Equal(t, 200, tt.do(byID(l.ID, scoped(map[string]any{"policy": newUUID()}))).status)
		assert.Equal(t, 4, events("license.validation.failed"))
	})
	wait(t, tt.srv)
}
