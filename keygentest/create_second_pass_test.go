package keygentest

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Second pass over machines/create.feature and licenses/create.feature (keygen-api.md
// §2.6, §2.7, §4.1): the success-document attributes and error details the first pass
// left unpinned. Each case names the feature file and the scenario title.

const lcreate = "licenses/create.feature"

// licBody is a license create document for the policy with optional extra relationships.
func licBody(pol string, attrs map[string]any, rels map[string]any) map[string]any {
	if rels == nil {
		rels = map[string]any{}
	}
	rels["policy"] = link("policies", pol)
	return doc("licenses", attrs, rels)
}

// keyDataset returns the signed dataset carried by a scheme's license key.
func keyDataset(t *testing.T, scheme, key string) string {
	t.Helper()
	i := strings.LastIndex(key, ".")
	require.Positive(t, i, key)
	signing := key[:i]
	switch scheme {
	case "RSA_2048_PKCS1_SIGN", "RSA_2048_PKCS1_PSS_SIGN":
		return string(mustB64URL(t, signing))
	}
	require.True(t, strings.HasPrefix(signing, "key/"), key)
	return string(mustB64URL(t, strings.TrimPrefix(signing, "key/")))
}

func TestLicenseCreateSecondPass(t *testing.T) {
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
				assert.Regexp(t, `^([0-9A-F]{6}-){5}V3$`, r.attrs()["key"], "§4.1 default key format")
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

func mustRawB64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	require.NoError(t, err, s)
	return b
}

// seedMachines attaches n machines to the license directly (the features' factories
// may exceed limits the API enforces).
func (w *world) seedMachines(lic string, n int, mutate func(m *machine)) {
	w.t.Helper()
	for i := 0; i < n; i++ {
		id := w.createMachine(lic, newUUID(), nil)
		if mutate != nil {
			w.withStore(func(db *store) { mutate(db.machines[id]) })
		}
	}
}

// overLimit makes a license of a policy with attrs whose limits are lifted while n
// machines are seeded, then restored (the features' direct DB writes).
func (w *world) overLimit(attrs map[string]any, n int, mutate func(m *machine)) string {
	pol := w.floatingPolicy(attrs)
	lic, _ := w.createLicense(pol, nil, "")
	w.withStore(func(db *store) { db.policies[pol].OverageStrategy = "ALWAYS_ALLOW_OVERAGE" })
	w.seedMachines(lic, n, mutate)
	w.patchPolicy(pol, map[string]any{"overageStrategy": attrs["overageStrategy"]})
	return lic
}

func TestMachineCreateSecondPass(t *testing.T) {
	const fp = "Pm:L2:UP:ti:9Z:eJ:Ts:4k:Zv:Gn:LJ:cv:sn:dW:hw"
	mk := func(lic string, attrs map[string]any, auth string) req {
		return req{method: "POST", path: "/machines", auth: auth, body: machineBody(lic, fp, attrs, nil)}
	}
	unproc := "Unprocessable resource"
	data := map[string]any{"pointer": "/data"}
	cases := []apiCase{
		{name: mcreate + ": Admin creates a machine for their account (defaults)", setup: func(f *world) req {
			lic, _ := f.createLicense("", nil, f.createUser("o@example.com"))
			return mk(lic, nil, "")
		}, status: 201, attrs: map[string]any{"fingerprint": fp, "name": nil, "ip": nil, "hostname": nil, "platform": nil, "cores": nil, "memory": nil, "disk": nil,
			"requireHeartbeat": false, "heartbeatStatus": "NOT_STARTED", "heartbeatDuration": float64(600), "lastHeartbeat": nil, "nextHeartbeat": nil, "lastCheckOut": nil,
			"maxProcesses": nil, "metadata": map[string]any{}},
			check: func(t *testing.T, f *world, r *reply) {
				o := rel(r, "owner")
				assert.Nil(t, o["data"])
				assert.Equal(t, "/v1/accounts/"+f.srv.AccountID+"/machines/"+r.id()+"/owner", o["links"].(map[string]any)["related"])
			}},
		{name: mcreate + ": Admin creates a machine with a null owner (relationship)", setup: func(f *world) req {
			lic, _ := f.createLicense("", nil, f.createUser("o@example.com"))
			q := mk(lic, nil, "")
			q.body.(map[string]any)["data"].(map[string]any)["relationships"].(map[string]any)["owner"] = nil
			return q
		}, status: 201, check: func(t *testing.T, f *world, r *reply) { assert.Nil(t, rel(r, "owner")["data"]) }},
		{name: mcreate + ": Admin creates a machine for their account with a UUID fingerprint", setup: func(f *world) req {
			lic, _ := f.createLicense("", nil, "")
			return req{method: "POST", path: "/machines", body: machineBody(lic, "977f1752-d6a9-4669-a6af-b039154ec40f", nil, nil)}
		}, status: 201, attrs: map[string]any{"fingerprint": "977f1752-d6a9-4669-a6af-b039154ec40f"}},
		{name: mcreate + ": Developer creates a machine for their account", setup: func(f *world) req {
			lic, _ := f.createLicense("", nil, "")
			return mk(lic, nil, f.roleAuth("developer"))
		}, status: 201},
		{name: mcreate + ": User creates a machine for their license (as licensee, other owner)", setup: func(f *world) req {
			lic, _ := f.createLicense("", nil, "")
			me, auth := f.userToken("me@example.com")
			other := f.createUser("other@example.com")
			f.addLicenseUser(lic, me)
			f.addLicenseUser(lic, other)
			return req{method: "POST", path: "/machines", auth: auth, body: machineBody(lic, fp, nil, map[string]any{"owner": link("users", other)})}
		}, status: 403},
		{name: mcreate + ": User creates a machine for an unprotected license", setup: func(f *world) req {
			me, auth := f.userToken("me@example.com")
			lic, _ := f.createLicense("", map[string]any{"protected": false}, me)
			return mk(lic, nil, auth)
		}, status: 201, check: func(t *testing.T, f *world, r *reply) {
			lr := f.get("/licenses/" + r.data()["relationships"].(map[string]any)["license"].(map[string]any)["data"].(map[string]any)["id"].(string))
			assert.Equal(t, map[string]any{"cores": float64(0), "memory": float64(0), "disk": float64(0), "count": float64(1)}, rel(lr, "machines")["meta"])
		}},
		{name: mcreate + ": License creates a machine for their license (token activations)", setup: func(f *world) req {
			lic, _ := f.createLicense("", nil, "")
			return mk(lic, nil, f.licenseAuth(lic, nil))
		}, status: 201, check: func(t *testing.T, f *world, r *reply) {
			tr := f.get("/tokens")
			for _, x := range tr.list() {
				a := x.(map[string]any)["attributes"].(map[string]any)
				if a["kind"] == "activation-token" {
					assert.Equal(t, float64(1), a["activations"])
				}
			}
		}},
		{name: mcreate + ": License creates a machine for their license with a duplicate fingerprint (activations unchanged)", setup: func(f *world) req {
			lic, _ := f.createLicense("", map[string]any{"protected": true}, "")
			f.createMachine(lic, fp, nil)
			return mk(lic, nil, f.licenseAuth(lic, map[string]any{"maxActivations": 1}))
		}, status: 422, title: unproc, code: "FINGERPRINT_TAKEN", detail: "has already been taken", source: map[string]any{"pointer": "/data/attributes/fingerprint"},
			check: func(t *testing.T, f *world, r *reply) {
				for _, x := range f.get("/tokens").list() {
					a := x.(map[string]any)["attributes"].(map[string]any)
					if a["kind"] == "activation-token" {
						assert.Equal(t, float64(0), a["activations"])
					}
				}
			}},
		{name: mcreate + ": License activates a machine without permission", setup: func(f *world) req {
			lic, _ := f.createLicense("", map[string]any{"permissions": []string{"license.validate"}}, "")
			return mk(lic, nil, f.licenseAuth(lic, nil))
		}, status: 403},
		{name: mcreate + ": License creates a machine with nested hardware components (no permission)", setup: func(f *world) req {
			lic, key := f.createLicense(f.floatingPolicy(map[string]any{"authenticationStrategy": "LICENSE"}), map[string]any{"permissions": []string{"machine.create"}}, "")
			comps := map[string]any{"data": []any{map[string]any{"type": "components", "attributes": map[string]any{"fingerprint": "E31EE496D46E4C33A3D27BD3745F3B00", "name": "MOBO"}}}}
			return req{method: "POST", path: "/machines", auth: "License " + key, body: machineBody(lic, fp, map[string]any{"name": "Windows Desktop"}, map[string]any{"components": comps})}
		}, status: 403, title: "Access denied", detail: "You do not have permission to complete the request (license lacks permission to perform action)",
			check: func(t *testing.T, f *world, r *reply) { assert.Zero(t, f.machineCount()) }},
		{name: mcreate + ": License activates a machine with a token lacking machine.create", setup: func(f *world) req {
			lic, _ := f.createLicense("", nil, "")
			return mk(lic, nil, f.licenseAuth(lic, map[string]any{"permissions": []string{"license.validate"}}))
		}, status: 403, title: "Access denied", detail: "You do not have permission to complete the request (token lacks permission to perform action)"},
		{name: mcreate + ": Admin creates a machine for a floating license that has already reached its limit (allows overages)", setup: func(f *world) req {
			return mk(f.overLimit(map[string]any{"overageStrategy": "ALWAYS_ALLOW_OVERAGE", "maxMachines": 5, "strict": true}, 5, nil), nil, "")
		}, status: 201},
		{name: mcreate + ": Admin creates a machine for a floating license that has already reached its limit (allows 1.5x overages)", setup: func(f *world) req {
			return mk(f.overLimit(map[string]any{"overageStrategy": "ALLOW_1_5X_OVERAGE", "maxMachines": 4, "strict": true}, 5, nil), nil, "")
		}, status: 201},
		{name: mcreate + ": Admin creates a machine for a floating license that has exceeded its limit (allows 1.5x overages)", setup: func(f *world) req {
			return mk(f.overLimit(map[string]any{"overageStrategy": "ALLOW_1_5X_OVERAGE", "maxMachines": 4, "strict": true}, 6, nil), nil, "")
		}, status: 422, title: unproc, code: "MACHINE_LIMIT_EXCEEDED", detail: "machine count has exceeded maximum allowed for license (4)", source: data},
		{name: mcreate + ": Admin creates a machine for a floating license that has already reached its limit (allows 2x overages)", setup: func(f *world) req {
			return mk(f.overLimit(map[string]any{"overageStrategy": "ALLOW_2X_OVERAGE", "maxMachines": 5, "strict": true}, 9, nil), nil, "")
		}, status: 201},
		{name: mcreate + ": Admin creates a machine for a floating license that has exceeded its limit (allows 2x overages)", setup: func(f *world) req {
			return mk(f.overLimit(map[string]any{"overageStrategy": "ALLOW_2X_OVERAGE", "maxMachines": 5, "strict": true}, 10, nil), nil, "")
		}, status: 422, title: unproc, code: "MACHINE_LIMIT_EXCEEDED", detail: "machine count has exceeded maximum allowed for license (5)", source: data},
		{name: mcreate + ": Admin creates a machine for a floating license that does not have a limit (no overages)", setup: func(f *world) req {
			return mk(f.overLimit(map[string]any{"overageStrategy": "NO_OVERAGE", "maxMachines": nil, "strict": true}, 5, nil), nil, "")
		}, status: 201},
		{name: mcreate + ": Admin creates a machine for a floating license that has almost reached its limit (no overages)", setup: func(f *world) req {
			return mk(f.overLimit(map[string]any{"overageStrategy": "NO_OVERAGE", "maxMachines": 5, "strict": true}, 4, nil), nil, "")
		}, status: 201},
		{name: mcreate + ": Admin creates a machine for a node-locked license that has already reached its limit (allow overages)", setup: func(f *world) req {
			return mk(f.overLimit(map[string]any{"overageStrategy": "ALWAYS_ALLOW_OVERAGE", "maxMachines": 1, "floating": false, "strict": true}, 1, nil), nil, "")
		}, status: 201},
		{name: mcreate + ": Admin creates a machine for a node-locked license that has already reached its limit (no overages)", setup: func(f *world) req {
			return mk(f.overLimit(map[string]any{"overageStrategy": "NO_OVERAGE", "maxMachines": 1, "floating": false, "strict": true}, 1, nil), nil, "")
		}, status: 422, title: unproc, code: "MACHINE_LIMIT_EXCEEDED", detail: "machine count has exceeded maximum allowed for license (1)", source: data},
		{name: mcreate + ": Admin creates a machine for a floating license that has exceeded its memory overage limit (allow 1.5x overage)", setup: func(f *world) req {
			lic := f.overLimit(map[string]any{"overageStrategy": "ALLOW_1_5X_OVERAGE", "maxMachines": 10, "maxMemory": 32768, "strict": true}, 6, func(m *machine) { v := int64(8192); m.Memory = &v })
			return mk(lic, map[string]any{"memory": 16384}, "")
		}, status: 422, title: unproc, code: "MACHINE_MEMORY_LIMIT_EXCEEDED", detail: "machine memory has exceeded maximum allowed for license (32768)", source: data},
		{name: mcreate + ": Admin creates a machine for a floating license that is under its disk overage limit (allow 2x overage)", setup: func(f *world) req {
			lic := f.overLimit(map[string]any{"overageStrategy": "ALLOW_2X_OVERAGE", "maxMachines": 10, "maxDisk": 1048576, "strict": true}, 7, func(m *machine) { v := int64(262144); m.Disk = &v })
			return mk(lic, map[string]any{"disk": 262144}, "")
		}, status: 201, attrs: map[string]any{"disk": float64(262144)}},
		{name: mcreate + ": Admin creates a machine with an invalid memory count", setup: func(f *world) req {
			lic, _ := f.createLicense("", nil, "")
			return mk(lic, map[string]any{"memory": 0}, "")
		}, status: 422, title: unproc, code: "MEMORY_INVALID", detail: "must be greater than or equal to 1", source: map[string]any{"pointer": "/data/attributes/memory"}},
		{name: mcreate + ": Admin creates a machine with a large core count but policy has no maximum", setup: func(f *world) req {
			lic, _ := f.createLicense("", nil, "")
			return mk(lic, map[string]any{"cores": 2147483647}, "")
		}, status: 201, attrs: map[string]any{"cores": float64(2147483647)}},
		{name: mcreate + ": License activates a machine with an activation expiration basis (not set)", setup: func(f *world) req {
			pol := f.floatingPolicy(map[string]any{"expirationBasis": "FROM_FIRST_ACTIVATION", "duration": 31556952})
			lic, _ := f.createLicense(pol, nil, "")
			return mk(lic, map[string]any{"cores": 2147483647}, f.licenseAuth(lic, nil))
		}, status: 201, check: func(t *testing.T, f *world, r *reply) {
			lid := r.data()["relationships"].(map[string]any)["license"].(map[string]any)["data"].(map[string]any)["id"].(string)
			a := f.get("/licenses/" + lid).attrs()
			exp, err := time.Parse(time.RFC3339, a["expiry"].(string))
			require.NoError(t, err)
			cr, _ := time.Parse(time.RFC3339, r.attrs()["created"].(string))
			assert.Equal(t, cr.AddDate(1, 0, 0), exp.UTC())
		}},
		{name: mcreate + ": Product activates a machine with an activation expiration basis (not set)", setup: func(f *world) req {
			pol := f.floatingPolicy(map[string]any{"expirationBasis": "FROM_FIRST_ACTIVATION", "duration": 2629746})
			lic, _ := f.createLicense(pol, nil, "")
			return mk(lic, nil, f.productAuth(f.prod))
		}, status: 201, check: func(t *testing.T, f *world, r *reply) {
			lid := r.data()["relationships"].(map[string]any)["license"].(map[string]any)["data"].(map[string]any)["id"].(string)
			exp, err := time.Parse(time.RFC3339, f.get("/licenses/" + lid).attrs()["expiry"].(string))
			require.NoError(t, err)
			cr, _ := time.Parse(time.RFC3339, r.attrs()["created"].(string))
			assert.Equal(t, cr.AddDate(0, 1, 0), exp.UTC())
		}},
		{name: mcreate + ": License activates a machine with a validation expiration basis (not set)", setup: func(f *world) req {
			pol := f.floatingPolicy(map[string]any{"expirationBasis": "FROM_FIRST_VALIDATION", "duration": 31556952})
			lic, _ := f.createLicense(pol, nil, "")
			return mk(lic, nil, f.licenseAuth(lic, nil))
		}, status: 201, check: func(t *testing.T, f *world, r *reply) {
			lid := r.data()["relationships"].(map[string]any)["license"].(map[string]any)["data"].(map[string]any)["id"].(string)
			assert.Nil(t, f.get("/licenses/" + lid).attrs()["expiry"])
		}},
		{name: mcreate + ": License activates a machine with an activation expiration basis (set)", setup: func(f *world) req {
			pol := f.floatingPolicy(map[string]any{"expirationBasis": "FROM_FIRST_ACTIVATION", "duration": 31556952})
			lic, _ := f.createLicense(pol, map[string]any{"expiry": "2099-01-03T14:18:02.743Z"}, "")
			return mk(lic, nil, f.licenseAuth(lic, nil))
		}, status: 201, check: func(t *testing.T, f *world, r *reply) {
			lid := r.data()["relationships"].(map[string]any)["license"].(map[string]any)["data"].(map[string]any)["id"].(string)
			assert.Equal(t, "2099-01-03T14:18:02.743Z", f.get("/licenses/" + lid).attrs()["expiry"])
		}},
		{name: mcreate + ": License activates a machine with their key (auth strategy allowed, expired, maintain access)", setup: func(f *world) req {
			pol := f.floatingPolicy(map[string]any{"expirationStrategy": "MAINTAIN_ACCESS", "authenticationStrategy": "LICENSE"})
			lic, key := f.createLicense(pol, map[string]any{"expiry": f.srv.clock.now().Add(-14 * 24 * time.Hour).Format(time.RFC3339)}, "")
			return mk(lic, nil, "License "+key)
		}, status: 201},
		{name: mcreate + ": License activates a machine with their key (auth strategy allowed, expired, allow access)", setup: func(f *world) req {
			pol := f.floatingPolicy(map[string]any{"expirationStrategy": "ALLOW_ACCESS", "authenticationStrategy": "LICENSE"})
			lic, key := f.createLicense(pol, map[string]any{"expiry": f.srv.clock.now().Add(-14 * 24 * time.Hour).Format(time.RFC3339)}, "")
			return mk(lic, nil, "License "+key)
		}, status: 201},
		{name: mcreate + ": License activates a machine with a token (mixed auth strategy)", setup: func(f *world) req {
			lic, _ := f.createLicense(f.floatingPolicy(map[string]any{"authenticationStrategy": "MIXED"}), nil, "")
			return mk(lic, nil, f.licenseAuth(lic, nil))
		}, status: 201},
		{name: mcreate + ": License activates a machine with their key (mixed auth strategy)", setup: func(f *world) req {
			lic, key := f.createLicense(f.floatingPolicy(map[string]any{"authenticationStrategy": "MIXED"}), nil, "")
			return mk(lic, nil, "License "+key)
		}, status: 201},
		{name: mcreate + ": License activates a machine with a token (no auth strategy)", setup: func(f *world) req {
			pol := f.floatingPolicy(nil)
			lic, _ := f.createLicense(pol, nil, "")
			auth := f.licenseAuth(lic, nil)
			f.patchPolicy(pol, map[string]any{"authenticationStrategy": "NONE"})
			return mk(lic, nil, auth)
		}, status: 403, title: "Access denied", code: "TOKEN_NOT_ALLOWED", detail: "Token authentication is not allowed by policy"},
		{name: mcreate + ": License activates a machine with their key (no auth strategy)", setup: func(f *world) req {
			lic, key := f.createLicense(f.floatingPolicy(map[string]any{"authenticationStrategy": "NONE"}), nil, "")
			return mk(lic, nil, "License "+key)
		}, status: 403, title: "Access denied", code: "LICENSE_NOT_ALLOWED", detail: "License key authentication is not allowed by policy"},
		{name: mcreate + ": License activates a machine with their key (auth strategy allowed)", setup: func(f *world) req {
			lic, key := f.createLicense(f.floatingPolicy(map[string]any{"authenticationStrategy": "LICENSE"}), nil, "")
			return mk(lic, nil, "License "+key)
		}, status: 201},
		{name: mcreate + ": License creates a grouped machine for their account", setup: func(f *world) req {
			lic, _ := f.createLicense("", nil, "")
			return req{method: "POST", path: "/machines", auth: f.licenseAuth(lic, nil), body: machineBody(lic, fp, nil, map[string]any{"group": link("groups", "a5370623-b753-4114-830c-610db808543d")})}
		}, status: 400, title: "Bad request", detail: "unpermitted parameter", source: map[string]any{"pointer": "/data/relationships/group"}},
		{name: mcreate + ": Admin creates a grouped machine for their account (null group)", setup: func(f *world) req {
			lic, _ := f.createLicense("", nil, "")
			return req{method: "POST", path: "/machines", body: machineBody(lic, fp, nil, map[string]any{"group": map[string]any{"data": nil}})}
		}, status: 201, check: func(t *testing.T, f *world, r *reply) {
			g := rel(r, "group")
			assert.Contains(t, g, "data")
			assert.Nil(t, g["data"])
		}},
		{name: mcreate + ": Admin of another account attempts to create a machine", setup: func(f *world) req {
			lic, _ := f.createLicense("", nil, "")
			return mk(lic, nil, "Bearer "+newWorld(t).srv.AdminToken)
		}, status: 401},
	}
	runEach(t, newProductWorld, cases)
}

// §4.1: the default dataset is Ruby's to_json, which leaves <, > and & unescaped; the owner's
// email shows it.
func TestDefaultDatasetIsNotHTMLEscaped(t *testing.T) {
	db := &store{users: map[string]*user{}}
	email := "a&b<c>@example.com"
	owner := "u1"
	db.users[owner] = &user{base: base{ID: owner}, Email: email}
	l := &license{base: base{ID: "l1", AccountID: "a1", Created: time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)}, OwnerID: &owner}
	pol := &policy{base: base{ID: "p1"}, ProductID: "pr1"}
	ds := defaultDataset(db, l, pol, l.Created)
	if !strings.Contains(ds, `"email":"a&b<c>@example.com"`) {
		t.Fatalf("dataset %s escapes the email", ds)
	}
}
