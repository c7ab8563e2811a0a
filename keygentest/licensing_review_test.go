package keygentest

import (
	"net/url"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Table tests over real HTTP pinning the rules of keygen-api.md §1.9, §2.6, §2.7 and §3
// that the first pass left open. Where keygen-api.md is silent the expectation follows the
// server source (keygen-sh/keygen-api: app/models/license.rb scopes, machine.rb
// validations, app/policies/**, the checkout services) and its request features.

// ids lists the ids of a list answer, sorted.
func sortedIDs(r *reply) []string {
	out := []string{}
	for _, x := range r.list() {
		out = append(out, x.(map[string]any)["id"].(string))
	}
	sort.Strings(out)
	return out
}

func sorted(s ...string) []string {
	out := append([]string{}, s...)
	sort.Strings(out)
	return out
}

func (w *world) userToken(email string) (string, string) {
	id := w.createUser(email)
	_, tok := w.tokenFor("users", id, nil)
	return id, "Bearer " + tok
}

// TestLicenseListFilters pins §1.9 license filters as License's model scopes apply them:
// status values are independent scopes (not the status attribute's precedence), hash
// filters take their first operator, expires[in] is an alias of within, expired[…]/expires[…]
// stay on their side of now, machine matches ids only, blank values are ignored.
func TestLicenseListFilters(t *testing.T) {
	tt := newWorld(t)
	prod := tt.product()
	pol := tt.policy(prod, map[string]any{"floating": true, "maxMachines": 5})
	owner, _ := tt.userToken("owner@example.com")
	banned, _ := tt.userToken("banned@example.com")
	now := tt.srv.Now()
	iso := func(d time.Duration) string { return now.Add(d).UTC().Format(time.RFC3339) }

	a := tt.mustLicense(pol, map[string]any{"suspended": true, "expiry": iso(-48 * time.Hour)}, map[string]any{"owner": link("users", owner)}).id()
	b := tt.mustLicense(pol, map[string]any{"expiry": iso(48 * time.Hour)}, nil).id()
	c := tt.mustLicense(pol, nil, map[string]any{"owner": link("users", banned)}).id()
	d := tt.mustLicense(pol, map[string]any{"expiry": iso(10 * 24 * time.Hour)}, nil).id()
	m := tt.postMachine(d, "filter-fp", nil, "")
	require.Equal(t, 201, m.status, string(m.body))
	e := tt.seedLicense(pol, func(l *license) { l.Created = now.Add(-200 * 24 * time.Hour) }).ID
	require.Equal(t, 200, tt.do(req{method: "POST", path: "/users/" + banned + "/actions/ban"}).status)
	all := sorted(a, b, c, d, e)

	cases := []struct {
		name, query string
		want        []string
	}{
		{"§1.9 status=ACTIVE: active scope keeps suspended/expired, drops banned and idle", "status=ACTIVE", sorted(a, b, d)},
		{"§1.9 status=active is case-insensitive", "status=active", sorted(a, b, d)},
		{"§1.9 status=SUSPENDED", "status=SUSPENDED", []string{a}},
		{"§1.9 status=EXPIRED (suspended too)", "status=EXPIRED", []string{a}},
		{"§1.9 status=EXPIRING", "status=EXPIRING", []string{b}},
		{"§1.9 status=BANNED", "status=BANNED", []string{c}},
		{"§1.9 status=INACTIVE", "status=INACTIVE", []string{e}},
		{"§1.9 unknown status → empty list", "status=BOGUS", []string{}},
		{"§1.9 suspended=false", "suspended=false", sorted(b, c, d, e)},
		{"§1.9 suspended=off is false (ActiveRecord cast)", "suspended=off", sorted(b, c, d, e)},
		{"§1.9 suspended=no is true (ActiveRecord cast)", "suspended=no", []string{a}},
		{"§1.9 expiring=true", "expiring=true", []string{b}},
		{"§1.9 expiring=false", "expiring=false", sorted(a, c, d, e)},
		{"§1.9 expired=true", "expired=true", []string{a}},
		{"§1.9 expired=false", "expired=false", sorted(b, c, d, e)},
		{"§1.9 expires[within]=3d", "expires[within]=3d", []string{b}},
		{"§1.9 expires[in] is within", "expires[in]=P3D", []string{b}},
		{"§1.9 expires[within] seconds", "expires[within]=" + strconv.Itoa(30*86400), sorted(b, d)},
		{"§1.9 expires[before] only future expiries", "expires[before]=" + url.QueryEscape(iso(5*24*time.Hour)), []string{b}},
		{"§1.9 expires[after]", "expires[after]=" + url.QueryEscape(iso(5*24*time.Hour)), []string{d}},
		{"§1.9 expires[on]", "expires[on]=" + now.Add(48*time.Hour).UTC().Format("2006-01-02"), []string{b}},
		{"§1.9 expires[bogus] only → none", "expires[bogus]=1", []string{}},
		{"§1.9 expires[within] unparsable → none", "expires[within]=soon", []string{}},
		{"§1.9 expired[within]=3d", "expired[within]=3d", []string{a}},
		{"§1.9 expired[before] only past expiries", "expired[before]=" + url.QueryEscape(iso(30*24*time.Hour)), []string{a}},
		{"§1.9 expired[after] unix", "expired[after]=" + strconv.FormatInt(now.Add(-72*time.Hour).Unix(), 10), []string{a}},
		{"§1.9 activity[inside]=30d", "activity[inside]=30d", sorted(a, b, d)},
		{"§1.9 activity[outside]=30d", "activity[outside]=30d", []string{e}},
		{"§1.9 activity[after]", "activity[after]=" + url.QueryEscape(iso(-time.Hour)), sorted(a, b, d)},
		{"§1.9 activity[before]", "activity[before]=" + url.QueryEscape(iso(-time.Hour)), []string{e}},
		{"§1.9 activations[gt]=0", "activations[gt]=0", []string{d}},
		{"§1.9 activations: first operator wins (eq before gt)", "activations[gt]=0&activations[eq]=0", sorted(a, b, c, e)},
		{"§1.9 activated=true", "activated=true", []string{d}},
		{"§1.9 activated=false", "activated=false", sorted(a, b, c, e)},
		{"§1.9 machine by id", "machine=" + m.id(), []string{d}},
		{"§1.9 machine by fingerprint → none", "machine=filter-fp", []string{}},
		{"§1.9 owner by email", "owner=owner%40example.com", []string{a}},
		{"§1.9 user by id", "user=" + owner, []string{a}},
		{"§1.9 assigned=true", "assigned=true", sorted(a, c)},
		{"§1.9 unassigned=true", "unassigned=true", sorted(b, d, e)},
		{"§1.9 blank filter is not applied", "product=&policy=", all},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := tt.get("/licenses?limit=100&" + tc.query)
			require.Equal(t, 200, r.status, string(r.body))
			assert.Equal(t, tc.want, sortedIDs(r))
		})
	}
}

// TestValidationRules pins §3 details: scope echo, nonce, null user scope, validate-key
// permission (bearer must be allowed to validate the license it names, else 403).
func TestValidationRules(t *testing.T) {
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
		{"§3 null user scope matches an ownerless license", "/licenses/" + unowned.id() + "/actions/validate", "", "POST",
			map[string]any{"meta": map[string]any{"scope": map[string]any{"user": nil}}}, exp{200, true, "VALID", true, true}},
		{"§3 null user scope does not match an owned license", "/licenses/" + owned.id() + "/actions/validate", "", "POST",
			map[string]any{"meta": map[string]any{"scope": map[string]any{"user": nil}}}, exp{200, false, "USER_SCOPE_MISMATCH", true, true}},
		{"§3 user scope by owner email", "/licenses/" + owned.id() + "/actions/validate", "", "POST",
			map[string]any{"meta": map[string]any{"scope": map[string]any{"user": "val-owner@example.com"}}}, exp{200, true, "VALID", true, true}},
		{"§3 empty scope is still echoed", "/licenses/" + unowned.id() + "/actions/validate", "", "POST",
			map[string]any{"meta": map[string]any{"scope": map[string]any{}}}, exp{200, true, "VALID", true, true}},
		{"§3 validate-key anonymous", "/licenses/actions/validate-key", "-", "POST",
			map[string]any{"meta": map[string]any{"key": "owned-key"}}, exp{200, true, "VALID", false, false}},
		{"§3 validate-key by the owner", "/licenses/actions/validate-key", ownerAuth, "POST",
			map[string]any{"meta": map[string]any{"key": "owned-key"}}, exp{200, true, "VALID", false, false}},
		{"§3 validate-key for a license the bearer does not own → 403", "/licenses/actions/validate-key", otherAuth, "POST",
			map[string]any{"meta": map[string]any{"key": "owned-key"}}, exp{status: 403}},
		{"§3 validate-key unknown key with a bearer → data null", "/licenses/actions/validate-key", otherAuth, "POST",
			map[string]any{"meta": map[string]any{"key": "no-such-key"}}, exp{200, false, "NOT_FOUND", false, false}},
		{"§3 validate-key with License auth of another license → 403", "/licenses/actions/validate-key", "License license-auth-key", "POST",
			map[string]any{"meta": map[string]any{"key": "owned-key"}}, exp{status: 403}},
		{"§1.14 License auth validates itself by id", "/licenses/" + licAuth.id() + "/actions/validate", "License license-auth-key", "POST",
			nil, exp{200, true, "VALID", false, false}},
		{"§1.15 another user's license → 404", "/licenses/" + owned.id() + "/actions/validate", otherAuth, "POST", nil, exp{status: 404}},
		{"§3 quick validate of another user's license → 404", "/licenses/" + owned.id() + "/actions/validate", otherAuth, "GET", nil, exp{status: 404}},
		{"§3 scope user must be a string or null", "/licenses/" + owned.id() + "/actions/validate", "", "POST",
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
			assert.Equal(t, tc.want.echo, hasScope, "§3 scope echoed only when sent")
			assert.Contains(t, meta, "ts")
			if tc.want.code == "NOT_FOUND" {
				assert.Nil(t, r.doc["data"])
			}
		})
	}
	t.Run("§3 nonce 0 is echoed; quick GET validate never echoes", func(t *testing.T) {
		r := tt.do(req{method: "POST", path: "/licenses/" + unowned.id() + "/actions/validate", body: map[string]any{"meta": map[string]any{"nonce": 0}}})
		assert.Equal(t, float64(0), r.doc["meta"].(map[string]any)["nonce"])
		q := tt.get("/licenses/unowned-key/actions/validate?nonce=5")
		require.Equal(t, 200, q.status)
		assert.NotContains(t, q.doc["meta"], "nonce")
		assert.NotContains(t, q.doc["meta"], "scope")
	})
}

// TestCheckoutDetails pins §2.6/§2.7 check-out details from the checkout services: the
// legacy user include is replaced by owner pushed last, includes are de-duplicated, and
// license/machine files have no links member.
func TestCheckoutDetails(t *testing.T) {
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
		{"§2.6 user include → owner appended last", "/licenses/" + l.id() + "/actions/check-out?include=user,product", nil, 200, []any{"product", "owner"}, "", ""},
		{"§2.6 includes de-duplicated", "/licenses/" + l.id() + "/actions/check-out?include=product,policy,product", nil, 200, []any{"product", "policy"}, "", ""},
		{"§2.6 meta include wins over query", "/licenses/" + l.id() + "/actions/check-out?include=product", map[string]any{"meta": map[string]any{"include": []string{"policy"}}}, 200, []any{"policy"}, "", ""},
		{"§2.6 no include → []", "/licenses/" + l.id() + "/actions/check-out", nil, 200, []any{}, "", ""},
		{"§2.7 license.user include → license.owner appended last", "/machines/" + m.id() + "/actions/check-out?include=license.user,license", nil, 200, []any{"license", "license.owner"}, "", ""},
		{"§2.7 license-file includes are invalid for machines", "/machines/" + m.id() + "/actions/check-out?include=product", nil, 400, nil, "CHECKOUT_INCLUDE_INVALID", "include"},
		{"§2.6 include checked before ttl", "/licenses/" + l.id() + "/actions/check-out?include=bogus&ttl=1", nil, 400, nil, "CHECKOUT_INCLUDE_INVALID", "include"},
		{"§2.6 ttl checked before algorithm", "/licenses/" + l.id() + "/actions/check-out?ttl=1&algorithm=bogus", nil, 400, nil, "CHECKOUT_TTL_INVALID", "ttl"},
		{"§2.6 encoding without signature", "/licenses/" + l.id() + "/actions/check-out?algorithm=base64", nil, 400, nil, "CHECKOUT_ALGORITHM_INVALID", "algorithm"},
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
	t.Run("§2.7 raw machine check-out headers", func(t *testing.T) {
		r := tt.get("/machines/" + m.id() + "/actions/check-out?ttl=")
		require.Equal(t, 200, r.status, string(r.body))
		assert.Equal(t, "application/octet-stream", r.header.Get("Content-Type"))
		assert.Equal(t, `attachment; filename="`+m.id()+`.lic"`, r.header.Get("Content-Disposition"))
		assert.Contains(t, string(r.body), "-----BEGIN MACHINE FILE-----\n")
	})
}

// TestMachineRules pins §2.7 uniqueness errors and heartbeat permissions.
func TestMachineRules(t *testing.T) {
	tt := newWorld(t)
	prod := tt.product()
	perAccount := tt.policy(prod, map[string]any{"floating": true, "maxMachines": 10, "machineUniquenessStrategy": "UNIQUE_PER_ACCOUNT"})
	perPolicy := tt.policy(prod, map[string]any{"floating": true, "maxMachines": 10, "machineUniquenessStrategy": "UNIQUE_PER_POLICY"})
	a := tt.mustLicense(perAccount, nil, nil).id()
	b := tt.mustLicense(perPolicy, nil, nil).id()
	b2 := tt.mustLicense(perPolicy, nil, nil).id()
	require.Equal(t, 201, tt.postMachine(a, "dup", nil, "").status)
	require.Equal(t, 201, tt.postMachine(b, "pdup", nil, "").status)
	mid := tt.postMachine(b, "ping-me", nil, "").id()
	// A sales agent, via password login.
	tt.mustCreate("/users", "users", map[string]any{"email": "sales@example.com", "password": "password", "role": "sales-agent"}, nil)
	tok := tt.do(req{method: "POST", path: "/tokens", auth: basic("sales@example.com", "password")})
	require.Equal(t, 201, tok.status, string(tok.body))
	sales := "Bearer " + tok.attrs()["token"].(string)

	t.Run("§2.7 same license under UNIQUE_PER_ACCOUNT: per-license error first, then the strategy's", func(t *testing.T) {
		r := tt.postMachine(a, "dup", nil, "")
		require.Equal(t, 422, r.status, string(r.body))
		assert.Len(t, r.doc["errors"], 2)
		assert.Equal(t, "has already been taken", r.err(0)["detail"])
		assert.Equal(t, "FINGERPRINT_TAKEN", r.err(0)["code"])
		assert.Equal(t, "has already been taken for this account", r.err(1)["detail"])
	})
	// The strategy applied is the new machine's policy's.
	cases := []struct {
		name, license, fp string
		status            int
		detail            string
	}{
		{"§2.7 UNIQUE_PER_POLICY ignores a fingerprint under another policy", b, "dup", 201, ""},
		{"§2.7 UNIQUE_PER_POLICY other license same policy", b2, "pdup", 422, "has already been taken for this policy"},
		{"§2.7 UNIQUE_PER_ACCOUNT rejects a fingerprint under any policy", a, "pdup", 422, "has already been taken for this account"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := tt.postMachine(tc.license, tc.fp, nil, "")
			if tc.status == 201 {
				require.Equal(t, 201, r.status, string(r.body))
				return
			}
			expectError(t, r, 422, "FINGERPRINT_TAKEN", "/data/attributes/fingerprint", tc.detail)
		})
	}
	heartbeat := []struct {
		name, action, auth string
		status             int
	}{
		{"§1.15 sales agent may not ping (HeartbeatPolicy)", "ping", sales, 403},
		{"§1.15 sales agent may reset", "reset", sales, 200},
		{"§1.15 admin pings", "ping", "", 200},
	}
	for _, tc := range heartbeat {
		t.Run(tc.name, func(t *testing.T) {
			r := tt.do(req{method: "POST", path: "/machines/" + mid + "/actions/" + tc.action, auth: tc.auth})
			require.Equal(t, tc.status, r.status, string(r.body))
		})
	}
}

// TestLicenseRelationships pins the §2.6 relationship routes: GET policy/product/owner/
// user/machines and PUT policy/owner with their policies (features licenses/relationships).
func TestLicenseRelationships(t *testing.T) {
	tt := newWorld(t)
	prod := tt.product()
	other := tt.product()
	pol := tt.policy(prod, map[string]any{"floating": true, "authenticationStrategy": "MIXED"})
	pol2 := tt.policy(prod, map[string]any{"floating": true})
	protected := tt.policy(prod, map[string]any{"floating": true, "protected": true})
	foreign := tt.policy(other, map[string]any{"floating": true})
	capped := tt.policy(prod, map[string]any{"floating": true, "maxUsers": 1})
	owner, ownerAuth := tt.userToken("rel-owner@example.com")
	second, _ := tt.userToken("rel-second@example.com")
	l := tt.mustLicense(pol, map[string]any{"key": "rel-license"}, map[string]any{"owner": link("users", owner)}).id()
	bare := tt.mustLicense(pol, nil, nil).id()
	m := tt.postMachine(l, "rel-fp", nil, "")
	require.Equal(t, 201, m.status)
	_, prodTok := tt.tokenFor("products", prod, nil)
	prodAuth := "Bearer " + prodTok

	gets := []struct {
		name, path, auth string
		status           int
		typ              string
	}{
		{"§2.6 GET policy", "/licenses/" + l + "/policy", "", 200, "policies"},
		{"§2.6 GET product by key", "/licenses/rel-license/product", "", 200, "products"},
		{"§2.6 GET owner", "/licenses/" + l + "/owner", "", 200, "users"},
		{"§2.6 GET owner (none) → data null", "/licenses/" + bare + "/owner", "", 200, ""},
		{"§1.12 GET user (legacy)", "/licenses/" + l + "/user", "", 200, "users"},
		{"§2.6 GET machines", "/licenses/" + l + "/machines", "", 200, ""},
		{"§2.6 GET machine by fingerprint", "/licenses/" + l + "/machines/rel-fp", "", 200, "machines"},
		{"§2.6 GET machine of another license → 404", "/licenses/" + bare + "/machines/" + m.id(), "", 404, ""},
		{"§1.15 product GET policy", "/licenses/" + l + "/policy", prodAuth, 200, "policies"},
		{"§1.15 user GET policy → 403 (no policy.read)", "/licenses/" + l + "/policy", ownerAuth, 403, ""},
		{"§1.15 user GET product → 403 (no product.read)", "/licenses/" + l + "/product", ownerAuth, 403, ""},
		{"§1.15 user GET owner", "/licenses/" + l + "/owner", ownerAuth, 200, "users"},
		{"§1.15 user GET machines", "/licenses/" + l + "/machines", ownerAuth, 200, ""},
		{"§1.15 user GET other license owner → 404", "/licenses/" + bare + "/owner", ownerAuth, 404, ""},
		{"§1.15 license GET owner → 403 (no user.read)", "/licenses/" + l + "/owner", "License rel-license", 403, ""},
		{"§1.15 license GET machines", "/licenses/" + l + "/machines", "License rel-license", 200, ""},
	}
	for _, tc := range gets {
		t.Run(tc.name, func(t *testing.T) {
			r := tt.do(req{method: "GET", path: tc.path, auth: tc.auth})
			require.Equal(t, tc.status, r.status, string(r.body))
			if tc.status == 200 && tc.typ != "" {
				assert.Equal(t, tc.typ, r.data()["type"])
			}
			if tc.name == "§2.6 GET owner (none) → data null" {
				assert.JSONEq(t, `{"data":null}`, string(r.body))
			}
		})
	}
	puts := []struct {
		name, path, auth string
		body             any
		status           int
		code, pointer    string
	}{
		{"§2.6 product transfers to a policy of another product → 403", "/licenses/" + l + "/policy", prodAuth, link("policies", foreign), 403, "", ""},
		{"§2.6 owner transfers between unprotected policies", "/licenses/" + l + "/policy", ownerAuth, link("policies", pol2), 200, "", ""},
		{"§2.6 owner may not transfer to a protected policy", "/licenses/" + l + "/policy", ownerAuth, link("policies", protected), 403, "", ""},
		{"§2.6 admin transfer to unknown policy", "/licenses/" + l + "/policy", "", link("policies", tt.srv.AccountID), 422, "POLICY_NOT_FOUND", "/data/relationships/policy"},
		{"§2.6 user may not change the owner", "/licenses/" + l + "/owner", ownerAuth, link("users", second), 403, "", ""},
		{"§2.6 owner not found", "/licenses/" + l + "/owner", "", link("users", tt.srv.AccountID), 422, "OWNER_NOT_FOUND", "/data/relationships/owner"},
		{"§2.6 product changes owner", "/licenses/" + bare + "/owner", prodAuth, link("users", second), 200, "", ""},
		{"§2.6 owner removed with null", "/licenses/" + bare + "/owner", "", map[string]any{"data": nil}, 200, "", ""},
	}
	for _, tc := range puts {
		t.Run(tc.name, func(t *testing.T) {
			r := tt.do(req{method: "PUT", path: tc.path, auth: tc.auth, body: tc.body})
			require.Equal(t, tc.status, r.status, string(r.body))
			if tc.code != "" {
				expectError(t, r, tc.status, tc.code, tc.pointer, "must exist")
			}
			if tc.status == 200 {
				assert.Equal(t, "licenses", r.data()["type"], "the answer is the license")
			}
		})
	}
	t.Run("§2.6 owner attach over maxUsers → USER_LIMIT_EXCEEDED", func(t *testing.T) {
		cl := tt.mustLicense(capped, nil, nil).id()
		require.Equal(t, 200, tt.do(req{method: "PUT", path: "/licenses/" + cl + "/owner", body: link("users", owner)}).status)
		// Two users (one licensee seeded) exceed 1 with NO_OVERAGE.
		tt.srv.mu.Lock()
		tt.srv.db.licenses[cl].UserIDs = []string{second}
		tt.srv.db.licenses[cl].OwnerID = nil
		tt.srv.mu.Unlock()
		r := tt.do(req{method: "PUT", path: "/licenses/" + cl + "/owner", body: link("users", owner)})
		expectError(t, r, 422, "USER_LIMIT_EXCEEDED", "/data/relationships/users", "user count has exceeded maximum allowed for license (1)")
	})
}

// TestLicenseCreateEdges pins §2.6 create edges read from License's validations.
func TestLicenseCreateEdges(t *testing.T) {
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
		{"§1.2 blank key → cannot be blank", pol, map[string]any{"key": ""}, nil, nil, 400, "", "/data/attributes/key", "cannot be blank"},
		{"§1.2 blank key with a scheme too", signed, map[string]any{"key": ""}, nil, nil, 400, "", "/data/attributes/key", "cannot be blank"},
		{"§4.1 short key allowed with a scheme", signed, map[string]any{"key": "abc"}, nil, nil, 201, "", "", ""},
		{"§2.6 reserved key", pol, map[string]any{"key": "actions"}, nil, nil, 422, "KEY_NOT_ALLOWED", "/data/attributes/key", "is reserved"},
		{"§1.12 v1.5 names the owner relationship user", pol, nil, map[string]any{"user": link("users", tt.srv.AccountID)}, map[string]string{"Keygen-Version": "1.5"}, 422, "USER_NOT_FOUND", "/data/relationships/user", "must exist"},
		{"§1.5 v1.8 owner not found", pol, nil, map[string]any{"owner": link("users", tt.srv.AccountID)}, nil, 422, "OWNER_NOT_FOUND", "/data/relationships/owner", "must exist"},
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
				assert.Equal(t, tt.srv.URL+"/v1/accounts/"+tt.srv.AccountID+"/licenses/"+r.id(), r.header.Get("Location"), "§1.3 Location on 201")
				return
			}
			expectError(t, r, tc.status, tc.code, tc.pointer, tc.detail)
		})
	}
}
