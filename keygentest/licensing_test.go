package keygentest

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fixtures over the real routes --------------------------------------------------------

func (w *world) postLicense(policyID string, attrs map[string]any, rels map[string]any) *reply {
	w.t.Helper()
	if rels == nil {
		rels = map[string]any{}
	}
	rels["policy"] = link("policies", policyID)
	return w.do(req{method: "POST", path: "/licenses", body: doc("licenses", attrs, rels)})
}

func (w *world) mustLicense(policyID string, attrs map[string]any, rels map[string]any) *reply {
	w.t.Helper()
	r := w.postLicense(policyID, attrs, rels)
	require.Equal(w.t, 201, r.status, string(r.body))
	return r
}

func (w *world) postMachine(licenseID, fp string, attrs map[string]any, auth string) *reply {
	if attrs == nil {
		attrs = map[string]any{}
	}
	attrs["fingerprint"] = fp
	return w.do(req{method: "POST", path: "/machines", auth: auth, body: doc("machines", attrs, map[string]any{"license": link("licenses", licenseID)})})
}

func (w *world) patchPolicy(id string, attrs map[string]any) {
	w.t.Helper()
	r := w.do(req{method: "PATCH", path: "/policies/" + id, body: doc("policies", attrs, nil)})
	require.Equal(w.t, 200, r.status, string(r.body))
}

func (w *world) validate(id string, meta map[string]any) map[string]any {
	w.t.Helper()
	var body any
	if meta != nil {
		body = map[string]any{"meta": meta}
	}
	r := w.do(req{method: "POST", path: "/licenses/" + id + "/actions/validate", body: body})
	require.Equal(w.t, 200, r.status, string(r.body))
	m, _ := r.doc["meta"].(map[string]any)
	return m
}

// expectError pins status, code, pointer (or parameter) and optionally the detail.
func expectError(t *testing.T, r *reply, status int, code, source, detail string) {
	t.Helper()
	require.Equal(t, status, r.status, string(r.body))
	assert.Equal(t, code, r.code(), string(r.body))
	if source != "" {
		src := r.source()
		got, _ := src["pointer"].(string)
		if got == "" {
			got, _ = src["parameter"].(string)
		}
		assert.Equal(t, source, got)
	}
	if detail != "" {
		assert.Equal(t, detail, r.detail())
	}
}

// TestLicenseCreate pins §2.6 create rules.
func TestLicenseCreate(t *testing.T) {
	tt := newWorld(t)
	prod := tt.product()
	open := tt.policy(prod, map[string]any{"floating": true, "duration": 86400 * 30, "requireCheckIn": true, "checkInInterval": "day", "checkInIntervalCount": 1})
	protected := tt.policy(prod, map[string]any{"protected": true})
	pooled := tt.policy(prod, map[string]any{"usePool": true})
	user := tt.createUser("lic-user@example.com")
	_, userTok := tt.tokenFor("users", user, nil)
	existing := tt.mustLicense(open, map[string]any{"key": "existing-key"}, nil)

	t.Run("§2.6 defaults on create", func(t *testing.T) {
		r := tt.mustLicense(open, nil, map[string]any{"owner": link("users", user)})
		a := r.attrs()
		assert.Regexp(t, `^[0-9A-F]{6}-[0-9A-F]{6}-[0-9A-F]{6}-[0-9A-F]{6}-[0-9A-F]{6}-V3$`, a["key"], "§2.6 default key format")
		assert.Equal(t, false, a["protected"], "§2.6 protected ← policy")
		assert.Equal(t, "ACTIVE", a["status"])
		exp, _ := time.Parse(timeFormat, a["expiry"].(string))
		assert.WithinDuration(t, tt.srv.Now().AddDate(0, 0, 30), exp, 5*time.Second, "§2.6 expiry ← now+duration")
		assert.NotNil(t, a["lastCheckIn"], "§2.6 lastCheckIn ← now when requireCheckIn")
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
		{"§2.6 KEY_TAKEN", open, map[string]any{"key": "existing-key"}, nil, "", 422, "KEY_TAKEN", "/data/attributes/key"},
		{"§2.6 KEY_CONFLICT", open, map[string]any{"key": existing.id()}, nil, "", 422, "KEY_CONFLICT", "/data/attributes/key"},
		{"§2.6 KEY_TOO_SHORT", open, map[string]any{"key": "short"}, nil, "", 422, "KEY_TOO_SHORT", "/data/attributes/key"},
		{"§1.5 POLICY_NOT_FOUND", tt.srv.AccountID, nil, nil, "", 422, "POLICY_NOT_FOUND", "/data/relationships/policy"},
		{"§1.5 OWNER_NOT_FOUND", open, nil, map[string]any{"owner": link("users", tt.srv.AccountID)}, "", 422, "OWNER_NOT_FOUND", "/data/relationships/owner"},
		{"§2.6 POLICY_POOL_EMPTY", pooled, nil, nil, "", 422, "POLICY_POOL_EMPTY", "/data/relationships/policy"},
		{"§2.6 privileged expiry unpermitted for users", open, map[string]any{"expiry": "2099-01-01T00:00:00Z"}, map[string]any{"user": link("users", user)}, "Bearer " + userTok, 400, "", "/data/attributes/expiry"},
		{"§1.15 user on protected policy 403", protected, nil, map[string]any{"owner": link("users", user)}, "Bearer " + userTok, 403, "", ""},
		{"§1.15 user for someone else 403", open, nil, nil, "Bearer " + userTok, 403, "", ""},
		{"§1.15 user for self on unprotected policy", open, nil, map[string]any{"owner": link("users", user)}, "Bearer " + userTok, 201, "", ""},
		{"§1.14 anonymous 401", open, nil, nil, "-", 401, "TOKEN_MISSING", ""},
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
	t.Run("§2.6 pooled policy pops the oldest key", func(t *testing.T) {
		for _, k := range []string{"pool-key-0001", "pool-key-0002"} {
			tt.mustCreate("/keys", "keys", map[string]any{"key": k}, map[string]any{"policy": link("policies", pooled)})
			time.Sleep(2 * time.Millisecond)
		}
		assert.Equal(t, "pool-key-0001", tt.mustLicense(pooled, nil, nil).attrs()["key"])
	})
	t.Run("§2.6 get by key, patch expiry null, list filters, delete", func(t *testing.T) {
		assert.Equal(t, existing.id(), tt.get("/licenses/existing-key").id(), "§1.1 key alias")
		r := tt.do(req{method: "PATCH", path: "/licenses/" + existing.id(), body: doc("licenses", map[string]any{"expiry": nil, "name": "N", "metadata": map[string]any{"tier": "gold"}}, nil)})
		require.Equal(t, 200, r.status, string(r.body))
		assert.Nil(t, r.attrs()["expiry"])
		assert.Len(t, tt.get("/licenses?metadata[tier]=gold").list(), 1, "§1.9 metadata filter")
		assert.Len(t, tt.get("/licenses?policy="+protected).list(), 0, "§1.9 policy filter")
		assert.Len(t, tt.get("/licenses?owner="+user).list(), 2, "§1.9 owner filter")
		assert.Len(t, tt.get("/licenses?expires[within]=31d").list(), 2, "§1.9 expires[within]")
		assert.Len(t, tt.do(req{method: "GET", path: "/licenses", auth: "Bearer " + userTok}).list(), 2, "§1.15 users see their own")
		assert.Equal(t, 404, tt.do(req{method: "GET", path: "/licenses/" + existing.id(), auth: "Bearer " + userTok}).status, "§1.15 others' → 404")
		assert.Equal(t, 204, tt.do(req{method: "DELETE", path: "/licenses/" + existing.id()}).status)
		assert.Equal(t, 404, tt.get("/licenses/"+existing.id()).status)
	})
}

// TestLicenseActions pins the action table of §2.6.
func TestLicenseActions(t *testing.T) {
	tt := newWorld(t)
	prod := tt.product()
	perpetual := tt.policy(prod, map[string]any{"floating": true, "maxUses": 2})
	timed := tt.policy(prod, map[string]any{"floating": true, "duration": 7889238})
	lic := tt.mustLicense(perpetual, nil, nil).id()
	tl := tt.mustLicense(timed, map[string]any{"expiry": "2021-07-19T00:00:00.000Z"}, nil).id()
	post := func(path string, body any) *reply { return tt.do(req{method: "POST", path: path, body: body}) }

	r := post("/licenses/"+lic+"/actions/suspend", nil)
	require.Equal(t, 200, r.status)
	assert.Equal(t, "SUSPENDED", r.attrs()["status"], "§2.6 suspend")
	cases := []struct {
		name, path   string
		body         any
		code, source string
		detail       string
	}{
		{"§2.6 suspend twice", "/licenses/" + lic + "/actions/suspend", nil, "", "/data/attributes/suspended", "is already suspended"},
		{"§2.6 renew without duration", "/licenses/" + lic + "/actions/renew", nil, "", "", "cannot be renewed because the policy does not have a duration"},
		{"§2.6 check-in not required", "/licenses/" + lic + "/actions/check-in", nil, "", "", "cannot be checked in because the policy does not require it"},
		{"§2.6 USES_LIMIT_EXCEEDED", "/licenses/" + lic + "/actions/increment-usage", map[string]any{"meta": map[string]any{"increment": 3}}, "USES_LIMIT_EXCEEDED", "/data/attributes/uses", "usage exceeds maximum allowed for license (2)"},
		{"§2.6 USES_INVALID", "/licenses/" + lic + "/actions/decrement-usage", nil, "USES_INVALID", "/data/attributes/uses", "must be greater than or equal to 0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			expectError(t, post(c.path, c.body), 422, c.code, c.source, c.detail)
		})
	}
	t.Run("§2.6 reinstate then reinstate again", func(t *testing.T) {
		assert.Equal(t, false, post("/licenses/"+lic+"/actions/reinstate", nil).attrs()["suspended"])
		expectError(t, post("/licenses/"+lic+"/actions/reinstate", nil), 422, "", "/data/attributes/suspended", "is not suspended")
	})
	t.Run("§2.6 renew FROM_EXPIRY adds calendar months", func(t *testing.T) {
		assert.Equal(t, "2021-10-19T00:00:00.000Z", post("/licenses/"+tl+"/actions/renew", nil).attrs()["expiry"])
	})
	t.Run("§2.6 usage increment/reset", func(t *testing.T) {
		assert.Equal(t, float64(2), post("/licenses/"+lic+"/actions/increment-usage", map[string]any{"meta": map[string]any{"increment": 2}}).attrs()["uses"])
		assert.Equal(t, float64(0), post("/licenses/"+lic+"/actions/reset-usage", nil).attrs()["uses"])
	})
	t.Run("§2.6 validate-key unknown and missing key", func(t *testing.T) {
		r := tt.do(req{method: "POST", path: "/licenses/actions/validate-key", auth: "-", body: map[string]any{"meta": map[string]any{"key": "nope-nope"}}})
		require.Equal(t, 200, r.status)
		assert.Nil(t, r.doc["data"])
		assert.Equal(t, "NOT_FOUND", r.doc["meta"].(map[string]any)["code"])
		r = tt.do(req{method: "POST", path: "/licenses/actions/validate-key", auth: "-", body: map[string]any{"meta": map[string]any{}}})
		expectError(t, r, 400, "", "/meta/key", "is missing")
	})
	t.Run("§2.6 revoke is DELETE 204", func(t *testing.T) {
		assert.Equal(t, 204, tt.do(req{method: "DELETE", path: "/licenses/" + lic + "/actions/revoke"}).status)
		assert.Equal(t, 404, tt.get("/licenses/"+lic).status)
	})
}

// TestValidation pins the evaluation order and codes of §3.
func TestValidation(t *testing.T) {
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
		{"§3 step 15 valid", base, nil, true, "VALID"},
		{"§3 step 3 suspended", suspended, nil, false, "SUSPENDED"},
		{"§3 step 4 REVOKE expired before scopes", revoked, map[string]any{"fingerprint": "x"}, false, "EXPIRED"},
		{"§3 step 14 MAINTAIN expired is valid", maintained, nil, true, "EXPIRED"},
		{"§3 step 6 MAINTAIN scope first", maintained, map[string]any{"fingerprint": "x"}, false, "NO_MACHINES"},
		{"§3 step 5 overdue", overdue, nil, false, "OVERDUE"},
		{"§3 step 6b product scope required", prodScoped, nil, false, "PRODUCT_SCOPE_REQUIRED"},
		{"§3 step 6b product scope mismatch", base, map[string]any{"product": tt.srv.AccountID}, false, "PRODUCT_SCOPE_MISMATCH"},
		{"§3 step 6c policy scope mismatch", base, map[string]any{"policy": strictNode}, false, "POLICY_SCOPE_MISMATCH"},
		{"§3 step 6d user scope mismatch", base, map[string]any{"user": "nobody@example.com"}, false, "USER_SCOPE_MISMATCH"},
		{"§3 step 6e entitlements empty", base, map[string]any{"entitlements": []string{}}, false, "ENTITLEMENTS_SCOPE_EMPTY"},
		{"§3 step 6e entitlements missing", base, map[string]any{"entitlements": []string{"PRO"}}, false, "ENTITLEMENTS_MISSING"},
		{"§3 step 6f machine scope mismatch", all, map[string]any{"machine": tt.srv.AccountID}, false, "MACHINE_SCOPE_MISMATCH"},
		{"§3 step 6g fingerprint empty", all, map[string]any{"fingerprints": []string{}}, false, "FINGERPRINT_SCOPE_EMPTY"},
		{"§3 step 6g MATCH_ALL mismatch", all, map[string]any{"fingerprints": []string{"fp-a", "fp-c"}}, false, "FINGERPRINT_SCOPE_MISMATCH"},
		{"§3 step 6g MATCH_ALL match", all, map[string]any{"fingerprints": []string{"fp-a", "fp-b"}}, true, "VALID"},
		{"§3 step 6g heartbeat dead", hb, map[string]any{"fingerprint": "hb-1"}, false, "HEARTBEAT_DEAD"},
		{"§3 step 6h components need fingerprint", base, map[string]any{"components": []string{"c"}}, false, "FINGERPRINT_SCOPE_REQUIRED"},
		{"§3 step 6i checksum mismatch (no releases)", base, map[string]any{"checksum": "abc"}, false, "CHECKSUM_SCOPE_MISMATCH"},
		{"§3 step 6j version mismatch (no releases)", base, map[string]any{"version": "1.0.0"}, false, "VERSION_SCOPE_MISMATCH"},
		{"§3 step 9 strict node-locked no machine", nodeLocked, nil, false, "NO_MACHINE"},
		{"§3 step 12 too many machines", many, nil, false, "TOO_MANY_MACHINES"},
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
				assert.NotNil(t, m["scope"], "§3 scope echoed")
			}
			assert.NotContains(t, m, "nonce", "§3 nonce only when sent")
		})
	}
	t.Run("§3 nonce echo, lastValidated, unknown scope key", func(t *testing.T) {
		r := tt.do(req{method: "POST", path: "/licenses/" + base + "/actions/validate", body: map[string]any{"meta": map[string]any{"nonce": 42}}})
		assert.Equal(t, float64(42), r.doc["meta"].(map[string]any)["nonce"])
		assert.NotNil(t, r.attrs()["lastValidated"])
		r = tt.do(req{method: "POST", path: "/licenses/" + base + "/actions/validate", body: map[string]any{"meta": map[string]any{"scope": map[string]any{"bogus": "x"}}}})
		expectError(t, r, 400, "", "/meta/scope/bogus", "unpermitted parameter")
	})
	t.Run("§3 quick validate skips scopes", func(t *testing.T) {
		r := tt.get("/licenses/" + prodScoped + "/actions/validate")
		assert.Equal(t, "VALID", r.doc["meta"].(map[string]any)["code"])
	})
	t.Run("§2.3 FROM_FIRST_VALIDATION sets expiry", func(t *testing.T) {
		id := lic(firstValidation, nil)
		assert.Nil(t, tt.get("/licenses/" + id).attrs()["expiry"])
		tt.validate(id, nil)
		assert.NotNil(t, tt.get("/licenses/" + id).attrs()["expiry"])
	})
}

// TestMachines pins §2.7.
func TestMachines(t *testing.T) {
	tt := newWorld(t)
	prod := tt.product()
	perAccount := tt.policy(prod, map[string]any{"floating": true, "maxMachines": 2, "machineUniquenessStrategy": "UNIQUE_PER_ACCOUNT", "maxCores": 8, "authenticationStrategy": "MIXED"})
	nodeLocked := tt.policy(prod, nil)
	revive := tt.policy(prod, map[string]any{"floating": true, "requireHeartbeat": true, "heartbeatDuration": 60, "heartbeatResurrectionStrategy": "5_MINUTE_REVIVE"})
	culled := tt.policy(prod, map[string]any{"floating": true, "requireHeartbeat": true, "heartbeatDuration": 60})
	keepDead := tt.policy(prod, map[string]any{"floating": true, "requireHeartbeat": true, "heartbeatDuration": 60, "heartbeatCullStrategy": "KEEP_DEAD"})
	user := tt.createUser("m-user@example.com")
	a := tt.mustLicense(perAccount, nil, nil)
	b := tt.mustLicense(perAccount, nil, nil)
	n := tt.mustLicense(nodeLocked, nil, nil)
	require.Equal(t, 201, tt.postMachine(a.id(), "shared", map[string]any{"cores": 4}, "").status)
	require.Equal(t, 201, tt.postMachine(n.id(), "n-1", nil, "").status)
	_, actTok := tt.tokenFor("licenses", b.id(), map[string]any{"maxActivations": 1})

	cases := []struct {
		name, license, fp string
		attrs             map[string]any
		auth              string
		rels              map[string]any
		code, source      string
		detail            string
	}{
		{"§2.7 FINGERPRINT_TAKEN per account", b.id(), "shared", nil, "", nil, "FINGERPRINT_TAKEN", "/data/attributes/fingerprint", "has already been taken for this account"},
		{"§2.7 MACHINE_LIMIT_EXCEEDED node-locked", n.id(), "n-2", nil, "", nil, "MACHINE_LIMIT_EXCEEDED", "/data", "machine count has exceeded maximum allowed for license (1)"},
		{"§2.7 MACHINE_CORE_LIMIT_EXCEEDED", a.id(), "cores", map[string]any{"cores": 5}, "", nil, "MACHINE_CORE_LIMIT_EXCEEDED", "/data", "machine core count has exceeded maximum allowed for license (8)"},
		{"§2.7 LICENSE_NOT_FOUND", tt.srv.AccountID, "x-1", nil, "", nil, "LICENSE_NOT_FOUND", "/data/relationships/license", ""},
		{"§2.7 OWNER_INVALID", a.id(), "x-2", nil, "", map[string]any{"owner": link("users", user)}, "OWNER_INVALID", "/data/relationships/owner", "must be a valid license user"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rels := map[string]any{"license": link("licenses", c.license)}
			for k, v := range c.rels {
				rels[k] = v
			}
			attrs := map[string]any{"fingerprint": c.fp}
			for k, v := range c.attrs {
				attrs[k] = v
			}
			r := tt.do(req{method: "POST", path: "/machines", auth: c.auth, body: doc("machines", attrs, rels)})
			expectError(t, r, 422, c.code, c.source, c.detail)
		})
	}
	t.Run("§2.1 activation token limit", func(t *testing.T) {
		require.Equal(t, 201, tt.postMachine(b.id(), "b-1", nil, "Bearer "+actTok).status)
		expectError(t, tt.postMachine(b.id(), "b-2", nil, "Bearer "+actTok), 422, "ACTIVATIONS_LIMIT_EXCEEDED", "/data/attributes/activations", "")
	})
	t.Run("§1.14 license key auth activates its own license; 404 for others", func(t *testing.T) {
		r := tt.postMachine(a.id(), "a-key", nil, "License "+a.attrs()["key"].(string))
		require.Equal(t, 201, r.status, string(r.body))
		assert.Equal(t, 404, tt.do(req{method: "GET", path: "/machines/n-1", auth: "License " + a.attrs()["key"].(string)}).status)
		assert.Equal(t, "a-key", tt.get("/machines/a-key").attrs()["fingerprint"], "§1.1 fingerprint alias")
	})
	t.Run("§2.7 heartbeat: ping, dead, resurrect, 422 after window, cull", func(t *testing.T) {
		l := tt.mustLicense(revive, nil, nil).id()
		m := tt.postMachine(l, "hb", nil, "")
		require.Equal(t, 201, m.status)
		assert.Equal(t, "ALIVE", m.attrs()["heartbeatStatus"], "§2.7 FROM_CREATION basis sets lastHeartbeat")
		tt.srv.Advance(2 * time.Minute)
		assert.Equal(t, "DEAD", tt.get("/machines/" + m.id()).attrs()["heartbeatStatus"], "§2.7 dead, kept during the revive window")
		r := tt.do(req{method: "POST", path: "/machines/" + m.id() + "/actions/ping"})
		require.Equal(t, 200, r.status, string(r.body))
		assert.Equal(t, "RESURRECTED", r.attrs()["heartbeatStatus"])
		tt.srv.Advance(4 * time.Minute)
		assert.Equal(t, "DEAD", tt.get("/machines/" + m.id()).attrs()["heartbeatStatus"], "§2.7 still within the revive window")
		tt.srv.Advance(4 * time.Minute)
		assert.Equal(t, 404, tt.get("/machines/"+m.id()).status, "§2.7 DEACTIVATE_DEAD culls after the window")

		lk := tt.mustLicense(keepDead, nil, nil).id()
		mk := tt.postMachine(lk, "hb-keep", nil, "")
		tt.srv.Advance(10 * time.Minute)
		r = tt.do(req{method: "POST", path: "/machines/" + mk.id() + "/actions/ping-heartbeat"})
		expectError(t, r, 422, "MACHINE_HEARTBEAT_DEAD", "", "is dead")

		l2 := tt.mustLicense(culled, nil, nil).id()
		m2 := tt.postMachine(l2, "hb2", nil, "")
		tt.srv.Advance(10 * time.Minute)
		assert.Equal(t, 404, tt.get("/machines/"+m2.id()).status, "§2.7 DEACTIVATE_DEAD culls lazily")
	})
	t.Run("§2.7 reset, delete 204", func(t *testing.T) {
		r := tt.do(req{method: "POST", path: "/machines/a-key/actions/reset"})
		require.Equal(t, 200, r.status)
		assert.Nil(t, r.attrs()["lastHeartbeat"])
		assert.Equal(t, 204, tt.do(req{method: "DELETE", path: "/machines/a-key"}).status)
	})
	t.Run("§1.6 license key auth: suspended and REVOKE expired", func(t *testing.T) {
		key := a.attrs()["key"].(string)
		tt.do(req{method: "POST", path: "/licenses/" + a.id() + "/actions/suspend"})
		expectError(t, tt.do(req{method: "GET", path: "/me", auth: "License " + key}), 403, "LICENSE_SUSPENDED", "", "")
		tt.do(req{method: "POST", path: "/licenses/" + a.id() + "/actions/reinstate"})
		tt.patchPolicy(perAccount, map[string]any{"expirationStrategy": "REVOKE_ACCESS"})
		tt.do(req{method: "PATCH", path: "/licenses/" + a.id(), body: doc("licenses", map[string]any{"expiry": "2001-01-01T00:00:00Z"}, nil)})
		expectError(t, tt.do(req{method: "GET", path: "/me", auth: "License " + key}), 403, "LICENSE_EXPIRED", "", "")
	})
}

// TestCheckOutAndSchemes pins §2.6 check-out, §4.1 signed keys and §4.2 files.
func TestCheckoutFiles(t *testing.T) {
	tt := newWorld(t)
	prod := tt.product()
	plain := tt.policy(prod, map[string]any{"floating": true})
	l := tt.mustLicense(plain, nil, nil)
	key := l.attrs()["key"].(string)
	pub, _ := hex.DecodeString(tt.srv.PublicKey)

	t.Run("§2.6 check-out errors", func(t *testing.T) {
		for _, c := range []struct{ name, query, code, param string }{
			{"ttl below 3600", "?ttl=60", "CHECKOUT_TTL_INVALID", "ttl"},
			{"bad include", "?include=machines", "CHECKOUT_INCLUDE_INVALID", "include"},
			{"bad algorithm", "?algorithm=rot13+ed25519", "CHECKOUT_ALGORITHM_INVALID", "algorithm"},
		} {
			r := tt.do(req{method: "POST", path: "/licenses/" + l.id() + "/actions/check-out" + c.query})
			expectError(t, r, 400, c.code, c.param, "")
		}
	})
	t.Run("§4.2 base64+ed25519 license file", func(t *testing.T) {
		r := tt.do(req{method: "POST", path: "/licenses/" + l.id() + "/actions/check-out?include=product,user"})
		require.Equal(t, 200, r.status, string(r.body))
		assert.Equal(t, "license-files", r.data()["type"])
		assert.Equal(t, float64(2629746), r.attrs()["ttl"], "§2.6 default ttl")
		assert.Equal(t, []any{"product", "owner"}, r.attrs()["includes"], "§2.6 user alias")
		f := parseCert(t, r.attrs()["certificate"].(string), "LICENSE")
		assert.Equal(t, "base64+ed25519", f["alg"])
		sig, _ := base64.StdEncoding.DecodeString(f["sig"])
		assert.True(t, ed25519.Verify(pub, []byte("license/"+f["enc"]), sig), "§4.2 signature over license/<enc>")
		payload, _ := base64.StdEncoding.DecodeString(f["enc"])
		var p map[string]any
		require.NoError(t, json.Unmarshal(payload, &p))
		assert.Equal(t, l.id(), p["data"].(map[string]any)["id"])
		assert.NotNil(t, p["meta"].(map[string]any)["expiry"])
		assert.NotNil(t, tt.get("/licenses/" + l.id()).attrs()["lastCheckOut"], "§2.6 lastCheckOut")
	})
	t.Run("§4.2 aes-256-gcm license file, null ttl, raw GET", func(t *testing.T) {
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
	t.Run("§4.2 machine file: key+fingerprint, machine/ prefix", func(t *testing.T) {
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

func TestLicenseKeySchemes(t *testing.T) {
	tt := newWorld(t)
	prod := tt.product()
	plain := tt.policy(prod, map[string]any{"floating": true})
	tt.mustLicense(plain, nil, nil)
	pub, _ := hex.DecodeString(tt.srv.PublicKey)

	schemes := []string{"ED25519_SIGN", "ECDSA_P256_SIGN", "RSA_2048_PKCS1_SIGN_V2", "RSA_2048_PKCS1_PSS_SIGN_V2", "RSA_2048_PKCS1_SIGN"}
	for _, scheme := range schemes {
		t.Run("§4.1 "+scheme, func(t *testing.T) {
			pol := tt.policy(prod, map[string]any{"scheme": scheme})
			r := tt.mustLicense(pol, map[string]any{"key": `{"id":"{{id}}"}`}, nil)
			k := r.attrs()["key"].(string)
			i := strings.LastIndex(k, ".")
			signing, sig := k[:i], mustB64URL(t, k[i+1:])
			data := []byte(signing)
			dataset := ""
			if strings.HasPrefix(scheme, "RSA_2048_PKCS1_SIGN") && !strings.HasSuffix(scheme, "V2") {
				dataset = string(mustB64URL(t, signing))
				data = []byte(dataset)
			} else {
				require.True(t, strings.HasPrefix(signing, "key/"))
				dataset = string(mustB64URL(t, strings.TrimPrefix(signing, "key/")))
			}
			assert.Equal(t, `{"id":"`+r.id()+`"}`, dataset, "§4.1 template substitution")
			sum := sha256.Sum256(data)
			switch scheme {
			case "ED25519_SIGN":
				assert.True(t, ed25519.Verify(pub, data, sig))
			case "ECDSA_P256_SIGN":
				assert.True(t, ecdsa.VerifyASN1(parsePub(t, tt.srv.ECDSAPublicKeyPEM()).(*ecdsa.PublicKey), sum[:], sig))
			case "RSA_2048_PKCS1_PSS_SIGN_V2":
				assert.NoError(t, rsa.VerifyPSS(parsePub(t, tt.srv.RSAPublicKeyPEM()).(*rsa.PublicKey), crypto.SHA256, sum[:], sig, nil))
			default:
				assert.NoError(t, rsa.VerifyPKCS1v15(parsePub(t, tt.srv.RSAPublicKeyPEM()).(*rsa.PublicKey), crypto.SHA256, sum[:], sig))
			}
			if scheme == "ECDSA_P256_SIGN" {
				cr := tt.do(req{method: "POST", path: "/licenses/" + r.id() + "/actions/check-out"})
				assert.Equal(t, "base64+ecdsa-p256", cr.attrs()["algorithm"], "§2.6 file alg follows the scheme")
			}
		})
	}
	t.Run("§4.1 default dataset", func(t *testing.T) {
		r := tt.mustLicense(tt.policy(prod, map[string]any{"scheme": "ED25519_SIGN"}), nil, nil)
		k := r.attrs()["key"].(string)
		var ds map[string]any
		require.NoError(t, json.Unmarshal(mustB64URL(t, strings.TrimPrefix(k[:strings.LastIndex(k, ".")], "key/")), &ds))
		assert.Equal(t, r.id(), ds["license"].(map[string]any)["id"])
		assert.Nil(t, ds["user"])
	})
}

func mustB64URL(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.URLEncoding.DecodeString(s)
	require.NoError(t, err, s)
	return b
}

func parsePub(t *testing.T, p string) any {
	t.Helper()
	block, _ := pem.Decode([]byte(p))
	require.NotNil(t, block)
	k, err := x509.ParsePKIXPublicKey(block.Bytes)
	require.NoError(t, err)
	return k
}

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
