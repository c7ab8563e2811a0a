package keygentest

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// License and machine check-out and their files
// (features/api/v1/licenses/actions/checkouts.feature,
// features/api/v1/machines/actions/checkouts.feature, app/services/abstract_checkout_service.rb).

// parseCert checks the armour (60-character lines) and returns {"enc","sig","alg"}.
func parseCert(t *testing.T, cert, kind string) map[string]string {
	t.Helper()
	require.True(t, strings.HasPrefix(cert, "-----BEGIN "+kind+" FILE-----\n"))
	require.True(t, strings.HasSuffix(cert, "\n-----END "+kind+" FILE-----\n"))
	lines := strings.Split(strings.TrimSpace(cert), "\n")
	body := lines[1 : len(lines)-1]
	for _, l := range body[:len(body)-1] {
		assert.Len(t, l, 60)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.Join(body, ""))
	require.NoError(t, err)
	var f map[string]string
	require.NoError(t, json.Unmarshal(raw, &f))
	return f
}

func decryptFile(t *testing.T, enc, secret string) map[string]any {
	t.Helper()
	parts := strings.Split(enc, ".")
	require.Len(t, parts, 3)
	ct, _ := base64.StdEncoding.DecodeString(parts[0])
	iv, _ := base64.StdEncoding.DecodeString(parts[1])
	tag, _ := base64.StdEncoding.DecodeString(parts[2])
	k := sha256.Sum256([]byte(secret))
	block, err := aes.NewCipher(k[:])
	require.NoError(t, err)
	gcm, err := cipher.NewGCM(block)
	require.NoError(t, err)
	plain, err := gcm.Open(nil, iv, append(ct, tag...), nil)
	require.NoError(t, err)
	var p map[string]any
	require.NoError(t, json.Unmarshal(plain, &p))
	return p
}

// fileDoc decodes the payload of a base64-encoded license or machine file (POST answer).
func fileDoc(t *testing.T, r *reply, kind string) map[string]any {
	t.Helper()
	f := parseCert(t, r.attrs()["certificate"].(string), kind)
	raw, err := base64.StdEncoding.DecodeString(f["enc"])
	require.NoError(t, err)
	var d map[string]any
	require.NoError(t, json.Unmarshal(raw, &d))
	return d
}

// includedTypes lists type/id of the payload's included resources, in order.
func includedTypes(d map[string]any) []string {
	out := []string{}
	incl, _ := d["included"].([]any)
	for _, x := range incl {
		out = append(out, x.(map[string]any)["type"].(string)+"/"+x.(map[string]any)["id"].(string))
	}
	return out
}

// TestCheckoutFiles pins license and machine check-out and their files
// (app/services/abstract_checkout_service.rb).
func TestCheckoutFiles(t *testing.T) {
	t.Parallel()
	tt := newWorld(t)
	prod := tt.product()
	plain := tt.policy(prod, map[string]any{"floating": true})
	l := tt.mustLicense(plain, nil, nil)
	key := l.attrs()["key"].(string)
	pub, _ := hex.DecodeString(tt.srv.PublicKey)

	t.Run("check-out errors", func(t *testing.T) {
		for _, c := range []struct{ name, query, code, param string }{
			{"ttl below 3600", "?ttl=60", "CHECKOUT_TTL_INVALID", "ttl"},
			{"bad include", "?include=machines", "CHECKOUT_INCLUDE_INVALID", "include"},
			{"bad algorithm", "?algorithm=rot13+ed25519", "CHECKOUT_ALGORITHM_INVALID", "algorithm"},
		} {
			r := tt.do(req{method: "POST", path: "/licenses/" + l.id() + "/actions/check-out" + c.query})
			expectError(t, r, 400, c.code, c.param, "")
		}
	})
	t.Run("base64+ed25519 license file", func(t *testing.T) {
		r := tt.do(req{method: "POST", path: "/licenses/" + l.id() + "/actions/check-out?include=product,user"})
		require.Equal(t, 200, r.status, string(r.body))
		assert.Equal(t, "license-files", r.data()["type"])
		assert.Equal(t, float64(2629746), r.attrs()["ttl"], "default ttl")
		assert.Equal(t, []any{"product", "owner"}, r.attrs()["includes"], "user alias")
		f := parseCert(t, r.attrs()["certificate"].(string), "LICENSE")
		assert.Equal(t, "base64+ed25519", f["alg"])
		sig, _ := base64.StdEncoding.DecodeString(f["sig"])
		assert.True(t, ed25519.Verify(pub, []byte("license/"+f["enc"]), sig), "signature over license/<enc>")
		payload, _ := base64.StdEncoding.DecodeString(f["enc"])
		var p map[string]any
		require.NoError(t, json.Unmarshal(payload, &p))
		assert.Equal(t, l.id(), p["data"].(map[string]any)["id"])
		assert.NotNil(t, p["meta"].(map[string]any)["expiry"])
		assert.NotNil(t, tt.get("/licenses/" + l.id()).attrs()["lastCheckOut"], "lastCheckOut")
	})
	t.Run("aes-256-gcm license file, null ttl, raw GET", func(t *testing.T) {
		r := tt.do(req{method: "POST", path: "/licenses/" + l.id() + "/actions/check-out", body: map[string]any{"meta": map[string]any{"encrypt": true, "ttl": nil}}})
		require.Equal(t, 200, r.status, string(r.body))
		assert.Nil(t, r.attrs()["expiry"])
		f := parseCert(t, r.attrs()["certificate"].(string), "LICENSE")
		assert.Equal(t, "aes-256-gcm+ed25519", f["alg"])
		p := decryptFile(t, f["enc"], key)
		assert.Nil(t, p["meta"].(map[string]any)["ttl"])
		raw := tt.do(req{method: "GET", path: "/licenses/" + l.id() + "/actions/check-out"})
		require.Equal(t, 200, raw.status)
		assert.Equal(t, "application/octet-stream", raw.header.Get("Content-Type"))
		assert.Equal(t, `attachment; filename="`+l.id()+`.lic"`, raw.header.Get("Content-Disposition"))
		assert.True(t, strings.HasPrefix(string(raw.body), "-----BEGIN LICENSE FILE-----\n"))
	})
	t.Run("machine file: key+fingerprint, machine/ prefix", func(t *testing.T) {
		m := tt.postMachine(l.id(), "mf-1", nil, "")
		r := tt.do(req{method: "POST", path: "/machines/" + m.id() + "/actions/check-out?encrypt=true&include=license"})
		require.Equal(t, 200, r.status, string(r.body))
		assert.Equal(t, "machine-files", r.data()["type"])
		f := parseCert(t, r.attrs()["certificate"].(string), "MACHINE")
		sig, _ := base64.StdEncoding.DecodeString(f["sig"])
		assert.True(t, ed25519.Verify(pub, []byte("machine/"+f["enc"]), sig))
		p := decryptFile(t, f["enc"], key+"mf-1")
		assert.Len(t, p["included"], 1)
	})
}

// TestCheckoutIncludeRules pins check-out details from the checkout services: the
// legacy user include is replaced by owner pushed last, includes are de-duplicated, and
// license/machine files have no links member.
func TestCheckoutIncludeRules(t *testing.T) {
	t.Parallel()
	tt := newWorld(t)
	prod := tt.product()
	pol := tt.policy(prod, map[string]any{"floating": true})
	l := tt.mustLicense(pol, nil, nil)
	m := tt.postMachine(l.id(), "co-fp", nil, "")
	require.Equal(t, 201, m.status)

	cases := []struct {
		name, path string
		body       any
		status     int
		includes   []any
		code       string
		param      string
	}{
		{"user include → owner appended last", "/licenses/" + l.id() + "/actions/check-out?include=user,product", nil, 200, []any{"product", "owner"}, "", ""},
		{"includes de-duplicated", "/licenses/" + l.id() + "/actions/check-out?include=product,policy,product", nil, 200, []any{"product", "policy"}, "", ""},
		{"meta include wins over query", "/licenses/" + l.id() + "/actions/check-out?include=product", map[string]any{"meta": map[string]any{"include": []string{"policy"}}}, 200, []any{"policy"}, "", ""},
		{"no include → []", "/licenses/" + l.id() + "/actions/check-out", nil, 200, []any{}, "", ""},
		{"license.user include → license.owner appended last", "/machines/" + m.id() + "/actions/check-out?include=license.user,license", nil, 200, []any{"license", "license.owner"}, "", ""},
		{"license-file includes are invalid for machines", "/machines/" + m.id() + "/actions/check-out?include=product", nil, 400, nil, "CHECKOUT_INCLUDE_INVALID", "include"},
		{"include checked before ttl", "/licenses/" + l.id() + "/actions/check-out?include=bogus&ttl=1", nil, 400, nil, "CHECKOUT_INCLUDE_INVALID", "include"},
		{"ttl checked before algorithm", "/licenses/" + l.id() + "/actions/check-out?ttl=1&algorithm=bogus", nil, 400, nil, "CHECKOUT_TTL_INVALID", "ttl"},
		{"encoding without signature", "/licenses/" + l.id() + "/actions/check-out?algorithm=base64", nil, 400, nil, "CHECKOUT_ALGORITHM_INVALID", "algorithm"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := tt.do(req{method: "POST", path: tc.path, body: tc.body})
			require.Equal(t, tc.status, r.status, string(r.body))
			if tc.status != 200 {
				expectError(t, r, 400, tc.code, tc.param, "")
				return
			}
			assert.Equal(t, tc.includes, r.attrs()["includes"])
			assert.NotContains(t, r.data(), "links", "files have no self link")
			rel := r.data()["relationships"].(map[string]any)["license"].(map[string]any)
			assert.Equal(t, "/v1/accounts/"+tt.srv.AccountID+"/licenses/"+l.id(), rel["links"].(map[string]any)["related"])
		})
	}
	t.Run("raw machine check-out headers", func(t *testing.T) {
		r := tt.get("/machines/" + m.id() + "/actions/check-out?ttl=")
		require.Equal(t, 200, r.status, string(r.body))
		assert.Equal(t, "application/octet-stream", r.header.Get("Content-Type"))
		assert.Equal(t, `attachment; filename="`+m.id()+`.lic"`, r.header.Get("Content-Disposition"))
		assert.Contains(t, string(r.body), "-----BEGIN MACHINE FILE-----\n")
	})
}

func TestCheckoutActions(t *testing.T) {
	t.Parallel()
	co := func(method, path, auth string, body any) req {
		return req{method: method, path: path, auth: auth, body: body}
	}
	meta := func(m map[string]any) any { return map[string]any{"meta": m} }
	badReq := func(code, detail, param string) apiCase {
		return apiCase{status: 400, title: "Bad request", code: code, detail: detail, source: map[string]any{"parameter": param}}
	}
	with := func(c apiCase, feature, scenario string, setup func(f *world) req) apiCase {
		c.name, c.setup = feature+": "+scenario, setup
		return c
	}
	lic := func(f *world) string { l, _ := f.createLicense("", nil, ""); return l }
	mach := func(f *world) string { return f.createMachine(lic(f), "41:34:7C", nil) }
	fileAttrs := func(ttl any) func(t *testing.T, f *world, r *reply) {
		return func(t *testing.T, f *world, r *reply) {
			assert.Equal(t, ttl, r.attrs()["ttl"])
			assert.Equal(t, ttl == nil, r.attrs()["expiry"] == nil)
		}
	}
	cases := []apiCase{
		{name: lcheck + ": Admin performs a license checkout with defaults (POST)", status: 200,
			setup: func(f *world) req { return co("POST", "/licenses/"+lic(f)+"/actions/check-out", "", nil) },
			check: func(t *testing.T, f *world, r *reply) {
				assert.Equal(t, "license-files", r.data()["type"])
				assert.Equal(t, 2629746.0, r.attrs()["ttl"])
				assert.Equal(t, "application/vnd.api+json; charset=utf-8", r.header.Get("Content-Type"))
				l := rel(r, "license")
				assert.Contains(t, l["links"].(map[string]any)["related"], "/licenses/")
				lr := f.get("/licenses/" + l["data"].(map[string]any)["id"].(string))
				assert.NotNil(t, lr.attrs()["lastCheckOut"])
			}},
		{name: lcheck + ": Admin performs a license checkout with defaults (GET)", status: 200,
			setup: func(f *world) req { return co("GET", "/licenses/"+lic(f)+"/actions/check-out", "", nil) },
			check: func(t *testing.T, f *world, r *reply) {
				assert.Equal(t, "application/octet-stream", r.header.Get("Content-Type"))
				assert.Regexp(t, `^attachment; filename="[0-9a-f-]{36}\.lic"$`, r.header.Get("Content-Disposition"))
				assert.Contains(t, string(r.body), "-----BEGIN LICENSE FILE-----")
			}},
		{name: lcheck + ": Admin performs an encrypted license checkout with blank value (GET)", status: 200,
			setup: func(f *world) req { return co("GET", "/licenses/"+lic(f)+"/actions/check-out?encrypt=", "", nil) }},
		{name: lcheck + ": Admin performs an encrypted license checkout with blank value (GET): a non-truthy value is false", status: 200,
			setup: func(f *world) req { return co("POST", "/licenses/"+lic(f)+"/actions/check-out?encrypt=foo", "", nil) },
			check: func(t *testing.T, f *world, r *reply) { assert.Equal(t, "base64+ed25519", r.attrs()["algorithm"]) }},
		{name: lcheck + ": Admin performs an encrypted license checkout (GET)", status: 200,
			setup: func(f *world) req { return co("POST", "/licenses/"+lic(f)+"/actions/check-out?encrypt=1", "", nil) },
			check: func(t *testing.T, f *world, r *reply) { assert.Equal(t, "aes-256-gcm+ed25519", r.attrs()["algorithm"]) }},
		with(badReq("CHECKOUT_TTL_INVALID", "must be greater than or equal to 3600 (1 hour)", "ttl"), lcheck,
			"Admin performs a license checkout with a TTL that is too short (GET): a non-numeric TTL coerces to 0",
			func(f *world) req { return co("GET", "/licenses/"+lic(f)+"/actions/check-out?ttl=abc", "", nil) }),
		{name: lcheck + ": Admin performs a license checkout with a nil TTL (POST)", status: 200,
			setup: func(f *world) req {
				return co("POST", "/licenses/"+lic(f)+"/actions/check-out", "", meta(map[string]any{"ttl": nil}))
			},
			check: fileAttrs(nil)},
		{name: lcheck + ": Admin performs a license checkout with an empty TTL (GET)", status: 200,
			setup: func(f *world) req { return co("POST", "/licenses/"+lic(f)+"/actions/check-out?ttl=", "", nil) },
			check: fileAttrs(nil)},
		{name: lcheck + ": Admin performs a license checkout with a TTL that is very long (GET)", status: 200,
			setup: func(f *world) req { return co("POST", "/licenses/"+lic(f)+"/actions/check-out?ttl=189341712", "", nil) },
			check: fileAttrs(189341712.0)},
		with(badReq("CHECKOUT_TTL_INVALID", "must be greater than or equal to 3600 (1 hour)", "ttl"), lcheck,
			"Admin performs a license checkout with a TTL that is too short (POST)",
			func(f *world) req {
				return co("POST", "/licenses/"+lic(f)+"/actions/check-out", "", meta(map[string]any{"ttl": 60}))
			}),
		with(badReq("CHECKOUT_TTL_INVALID", "must be greater than or equal to 3600 (1 hour)", "ttl"), mcheck,
			"Admin performs a machine checkout with a TTL that is too short (GET)",
			func(f *world) req { return co("GET", "/machines/"+mach(f)+"/actions/check-out?ttl=1", "", nil) }),
		with(badReq("CHECKOUT_ALGORITHM_INVALID", "invalid encoding algorithm", "algorithm"), lcheck,
			"Admin performs a license checkout with an invalid encoding algorithm (POST)",
			func(f *world) req {
				return co("POST", "/licenses/"+lic(f)+"/actions/check-out", "", meta(map[string]any{"algorithm": "foo+ed25519"}))
			}),
		with(badReq("CHECKOUT_ALGORITHM_INVALID", "invalid signing algorithm", "algorithm"), mcheck,
			"Admin performs a machines checkout with an invalid signing algorithm (POST)",
			func(f *world) req {
				return co("POST", "/machines/"+mach(f)+"/actions/check-out", "", meta(map[string]any{"algorithm": "aes-256-gcm+foo"}))
			}),
		with(badReq("CHECKOUT_INCLUDE_INVALID", "invalid includes", "include"), lcheck,
			"Admin performs a license checkout with invalid includes (GET)",
			func(f *world) req {
				return co("GET", "/licenses/"+lic(f)+"/actions/check-out?include=account", "", nil)
			}),
		with(badReq("CHECKOUT_INCLUDE_INVALID", "invalid includes", "include"), mcheck,
			"Admin performs a machine checkout with invalid includes (POST)",
			func(f *world) req {
				return co("POST", "/machines/"+mach(f)+"/actions/check-out", "", meta(map[string]any{"include": []any{"account"}}))
			}),
		{name: lcheck + ": Admin performs a license checkout with an owner include (POST)", status: 200,
			setup: func(f *world) req {
				l, _ := f.createLicense("", nil, f.createUser("u@example.com"))
				return co("POST", "/licenses/"+l+"/actions/check-out?include=owner", "", nil)
			},
			check: func(t *testing.T, f *world, r *reply) { assert.Equal(t, []any{"owner"}, r.attrs()["includes"]) }},
		{name: lcheck + ": Admin performs a license checkout with empty includes (GET)", status: 200,
			setup: func(f *world) req { return co("POST", "/licenses/"+lic(f)+"/actions/check-out?include=", "", nil) },
			check: func(t *testing.T, f *world, r *reply) { assert.Equal(t, []any{}, r.attrs()["includes"]) }},
		{name: lcheck + ": Admin performs a license checkout by key (GET)", status: 200,
			setup: func(f *world) req {
				_, k := f.createLicense("", map[string]any{"key": "0092E3-41347C-7EB2AD-65965A-0C3224-V3"}, "")
				return co("GET", "/licenses/"+k+"/actions/check-out", "", nil)
			}},
		{name: lcheck + ": Product performs a checkout for a license of another product (POST)", status: 404,
			setup: func(f *world) req {
				return co("POST", "/licenses/"+lic(f)+"/actions/check-out", f.productAuth(f.product()), nil)
			}},
		{name: lcheck + ": License performs a license checkout for another license (GET)", status: 404,
			setup: func(f *world) req {
				return co("GET", "/licenses/"+lic(f)+"/actions/check-out", f.licenseAuth(lic(f), nil), nil)
			}},
		{name: lcheck + ": User performs a license checkout for their unprotected license (POST, licensee)", status: 200,
			setup: func(f *world) req {
				u, auth := f.userToken("u@example.com")
				l := lic(f)
				f.addLicenseUser(l, u)
				return co("POST", "/licenses/"+l+"/actions/check-out", auth, nil)
			}},
		{name: lcheck + ": User performs a license checkout for their protected license (GET)", status: 403,
			setup: func(f *world) req {
				u, auth := f.userToken("u@example.com")
				l, _ := f.createLicense(f.floatingPolicy(map[string]any{"protected": true}), nil, u)
				return co("GET", "/licenses/"+l+"/actions/check-out", auth, nil)
			}},
		{name: lcheck + ": User performs a license checkout for a license they don't own (POST)", status: 404,
			setup: func(f *world) req {
				_, auth := f.userToken("u@example.com")
				return co("POST", "/licenses/"+lic(f)+"/actions/check-out", auth, nil)
			}},
		{name: lcheck + ": Anonymous performs a license checkout (GET)", status: 401,
			setup: func(f *world) req { return co("GET", "/licenses/"+lic(f)+"/actions/check-out", "-", nil) }},
		// machines/actions/checkouts.feature
		{name: mcheck + ": Admin performs a machine checkout with defaults (POST)", status: 200,
			setup: func(f *world) req { return co("POST", "/machines/"+mach(f)+"/actions/check-out", "", nil) },
			check: func(t *testing.T, f *world, r *reply) {
				assert.Equal(t, "machine-files", r.data()["type"])
				m := rel(r, "machine")["data"].(map[string]any)["id"].(string)
				assert.NotNil(t, f.get("/machines/" + m).attrs()["lastCheckOut"])
			}},
		{name: mcheck + ": Admin performs a machine checkout by fingerprint (GET)", status: 200,
			setup: func(f *world) req { mach(f); return co("GET", "/machines/41:34:7C/actions/check-out", "", nil) },
			check: func(t *testing.T, f *world, r *reply) {
				assert.Contains(t, string(r.body), "-----BEGIN MACHINE FILE-----")
			}},
		{name: mcheck + ": Admin performs a machine checkout with empty includes (GET)", status: 200,
			setup: func(f *world) req { return co("POST", "/machines/"+mach(f)+"/actions/check-out?include=", "", nil) },
			check: func(t *testing.T, f *world, r *reply) { assert.Equal(t, []any{}, r.attrs()["includes"]) }},
		{name: mcheck + ": Product performs a checkout for a machine of another product (GET)", status: 404,
			setup: func(f *world) req {
				return co("GET", "/machines/"+mach(f)+"/actions/check-out", f.productAuth(f.product()), nil)
			}},
		{name: mcheck + ": License performs a machine checkout for another machine (POST)", status: 404,
			setup: func(f *world) req {
				return co("POST", "/machines/"+mach(f)+"/actions/check-out", f.licenseAuth(lic(f), nil), nil)
			}},
		{name: mcheck + ": User performs a machine checkout for their machine (POST, licensee)", status: 200,
			setup: func(f *world) req {
				u, auth := f.userToken("u@example.com")
				l := lic(f)
				f.addLicenseUser(l, u)
				return co("POST", "/machines/"+f.createMachine(l, "fp", nil)+"/actions/check-out", auth, nil)
			}},
		{name: mcheck + ": User performs a machine checkout for their machine (GET, license owner)", status: 200,
			setup: func(f *world) req {
				u, auth := f.userToken("u@example.com")
				l, _ := f.createLicense("", nil, u)
				return co("GET", "/machines/"+f.createMachine(l, "fp", nil)+"/actions/check-out", auth, nil)
			}},
		{name: mcheck + ": User performs a machine checkout for a machine they don't own (GET)", status: 404,
			setup: func(f *world) req {
				_, auth := f.userToken("u@example.com")
				return co("GET", "/machines/"+mach(f)+"/actions/check-out", auth, nil)
			}},
	}
	runEach(t, newProductWorld, cases)
}

func TestCheckoutIncludes(t *testing.T) {
	t.Parallel()
	type fixture struct{ lic, mach, owner, pol, other string }
	setup := func(f *world) fixture {
		owner := f.createUser("owner@example.com")
		other := f.createUser("other@example.com")
		pol := f.floatingPolicy(nil)
		l, _ := f.createLicense(pol, nil, owner)
		f.addLicenseUser(l, other)
		return fixture{lic: l, mach: f.createMachine(l, "fp", nil), owner: owner, pol: pol, other: other}
	}
	cases := []struct {
		feature, scenario, path, kind string
		want                          func(x fixture, f *world) []string
	}{
		{mcheck, "Admin performs a machine checkout with a license include (POST)", "machines/%m/actions/check-out?include=license", "MACHINE",
			func(x fixture, f *world) []string { return []string{"licenses/" + x.lic} }},
		{mcheck, "Admin performs a machine checkout with a license owner include (POST)", "machines/%m/actions/check-out?include=license.owner", "MACHINE",
			func(x fixture, f *world) []string { return []string{"licenses/" + x.lic, "users/" + x.owner} }},
		{mcheck, "Admin performs a machine checkout with a policy include (POST)", "machines/%m/actions/check-out?include=license.policy", "MACHINE",
			func(x fixture, f *world) []string { return []string{"licenses/" + x.lic, "policies/" + x.pol} }},
		{mcheck, "Admin performs a machine checkout with a license users include (POST)", "machines/%m/actions/check-out?include=license.users", "MACHINE",
			func(x fixture, f *world) []string {
				return []string{"licenses/" + x.lic, "users/" + x.owner, "users/" + x.other}
			}},
		{mcheck, "Admin performs a machine checkout with encrypted includes (POST) (unencrypted here)", "machines/%m/actions/check-out?include=license.policy,license.user", "MACHINE",
			func(x fixture, f *world) []string {
				return []string{"licenses/" + x.lic, "policies/" + x.pol, "users/" + x.owner}
			}},
		{mcheck, "Admin performs a machine checkout with an owner include (POST)", "machines/%m/actions/check-out?include=owner", "MACHINE",
			func(x fixture, f *world) []string { return []string{} }},
		{lcheck, "Admin performs a license checkout with a policy include (POST)", "licenses/%l/actions/check-out?include=policy", "LICENSE",
			func(x fixture, f *world) []string { return []string{"policies/" + x.pol} }},
		{lcheck, "Admin performs a license checkout a product include (GET)", "licenses/%l/actions/check-out?include=product", "LICENSE",
			func(x fixture, f *world) []string { return []string{"products/" + f.prod} }},
		{lcheck, "Admin performs a license checkout with encrypted includes (GET) (unencrypted here)", "licenses/%l/actions/check-out?include=policy,user", "LICENSE",
			func(x fixture, f *world) []string { return []string{"policies/" + x.pol, "users/" + x.owner} }},
	}
	for _, c := range cases {
		t.Run(c.feature+": "+c.scenario, func(t *testing.T) {
			f := newProductWorld(t)
			x := setup(f)
			path := "/" + c.path
			if c.kind == "MACHINE" {
				path = strings.Replace(path, "%m", x.mach, 1)
			} else {
				path = strings.Replace(path, "%l", x.lic, 1)
			}
			r := f.do(req{method: "POST", path: path})
			require.Equal(t, 200, r.status, string(r.body))
			assert.Equal(t, c.want(x, f), includedTypes(fileDoc(t, r, c.kind)))
		})
	}
}
