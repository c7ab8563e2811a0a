package keygentest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// License actions: suspend, reinstate, renew, check-in, revoke and usage
// (features/api/v1/licenses/actions/permits.feature, uses.feature).

// TestLicensesActions pins the license actions (app/controllers/api/v1/licenses/actions/).
func TestLicensesActions(t *testing.T) {
	t.Parallel()
	tt := newWorld(t)
	prod := tt.product()
	perpetual := tt.policy(prod, map[string]any{"floating": true, "maxUses": 2})
	timed := tt.policy(prod, map[string]any{"floating": true, "duration": 7889238})
	lic := tt.mustLicense(perpetual, nil, nil).id()
	tl := tt.mustLicense(timed, map[string]any{"expiry": "2021-07-19T00:00:00.000Z"}, nil).id()
	post := func(path string, body any) *reply { return tt.do(req{method: "POST", path: path, body: body}) }

	r := post("/licenses/"+lic+"/actions/suspend", nil)
	require.Equal(t, 200, r.status)
	assert.Equal(t, "SUSPENDED", r.attrs()["status"], "suspend")
	cases := []struct {
		name, path   string
		body         any
		code, source string
		detail       string
	}{
		{"suspend twice", "/licenses/" + lic + "/actions/suspend", nil, "", "/data/attributes/suspended", "is already suspended"},
		{"renew without duration", "/licenses/" + lic + "/actions/renew", nil, "", "", "cannot be renewed because the policy does not have a duration"},
		{"check-in not required", "/licenses/" + lic + "/actions/check-in", nil, "", "", "cannot be checked in because the policy does not require it"},
		{"USES_LIMIT_EXCEEDED", "/licenses/" + lic + "/actions/increment-usage", map[string]any{"meta": map[string]any{"increment": 3}}, "USES_LIMIT_EXCEEDED", "/data/attributes/uses", "usage exceeds maximum allowed for license (2)"},
		{"USES_INVALID", "/licenses/" + lic + "/actions/decrement-usage", nil, "USES_INVALID", "/data/attributes/uses", "must be greater than or equal to 0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			expectError(t, post(c.path, c.body), 422, c.code, c.source, c.detail)
		})
	}
	t.Run("reinstate then reinstate again", func(t *testing.T) {
		assert.Equal(t, false, post("/licenses/"+lic+"/actions/reinstate", nil).attrs()["suspended"])
		expectError(t, post("/licenses/"+lic+"/actions/reinstate", nil), 422, "", "/data/attributes/suspended", "is not suspended")
	})
	t.Run("renew FROM_EXPIRY adds calendar months", func(t *testing.T) {
		assert.Equal(t, "2021-10-19T00:00:00.000Z", post("/licenses/"+tl+"/actions/renew", nil).attrs()["expiry"])
	})
	t.Run("usage increment/reset", func(t *testing.T) {
		assert.Equal(t, float64(2), post("/licenses/"+lic+"/actions/increment-usage", map[string]any{"meta": map[string]any{"increment": 2}}).attrs()["uses"])
		assert.Equal(t, float64(0), post("/licenses/"+lic+"/actions/reset-usage", nil).attrs()["uses"])
	})
	t.Run("validate-key unknown and missing key", func(t *testing.T) {
		r := tt.do(req{method: "POST", path: "/licenses/actions/validate-key", auth: "-", body: map[string]any{"meta": map[string]any{"key": "nope-nope"}}})
		require.Equal(t, 200, r.status)
		assert.Nil(t, r.doc["data"])
		assert.Equal(t, "NOT_FOUND", r.doc["meta"].(map[string]any)["code"])
		r = tt.do(req{method: "POST", path: "/licenses/actions/validate-key", auth: "-", body: map[string]any{"meta": map[string]any{}}})
		expectError(t, r, 400, "", "/meta/key", "is missing")
	})
	t.Run("revoke is DELETE 204", func(t *testing.T) {
		assert.Equal(t, 204, tt.do(req{method: "DELETE", path: "/licenses/" + lic + "/actions/revoke"}).status)
		assert.Equal(t, 404, tt.get("/licenses/"+lic).status)
	})
}

// TestLicensesPermits pins licenses/actions/permits.feature (check-in, suspend,
// reinstate, renew).
func TestLicensesPermits(t *testing.T) {
	t.Parallel()
	f := newLicensingWorld(t, map[string]any{"requireCheckIn": true, "checkInInterval": "day", "checkInIntervalCount": 1, "duration": 30 * 86400})
	tt := f
	const p = "licenses/actions/permits.feature: "
	post := func(name, action, id, auth string, status int) apiCase {
		return apiCase{name: p + name, r: req{method: "POST", path: "/licenses/" + id + "/actions/" + action, auth: auth}, status: status}
	}
	checkedIn := func(c apiCase) apiCase {
		c.check = func(t *testing.T, _ *world, r *reply) {
			assert.NotNil(t, r.attrs()["lastCheckIn"])
			assert.NotNil(t, r.attrs()["nextCheckIn"])
		}
		return c
	}
	suspended := func(c apiCase, want bool) apiCase { c.attrs = map[string]any{"suspended": want}; return c }
	expiry := func(c apiCase, want string) apiCase { c.attrs = map[string]any{"expiry": want}; return c }
	susp := map[string]any{"suspended": true}
	self := f.licenseOf(f.pol, false, false, nil)
	f.licenseOf(f.pol, false, false, map[string]any{"key": "test-key"})
	f.licenseOf(f.prot, false, false, map[string]any{"key": "prot-key"})
	noCheckIn := tt.policy(f.prod, map[string]any{"floating": true})
	// policies for renewal bases (durations as ActiveSupport's seconds)
	const month, year = 2629746, 31556952
	polDur := func(d int, basis string) string {
		a := map[string]any{"floating": true, "duration": d}
		if basis != "" {
			a["renewalBasis"] = basis
		}
		return tt.policy(f.prod, a)
	}
	lic := func(pol, exp string) string { return f.licenseOf(pol, false, false, map[string]any{"expiry": exp}) }
	perpetual := tt.policy(f.prod, map[string]any{"floating": true, "duration": nil})
	_, noPerms := tt.roleUserAuth("noperms@example.com", "user")
	noPermsUser := tt.mustCreate("/users", "users", map[string]any{"email": "np@example.com", "password": "password", "permissions": []string{}}, nil)
	_, npTok := tt.tokenFor("users", noPermsUser, nil)
	_ = noPerms
	npLic := tt.mustLicense(f.pol, map[string]any{"expiry": "2016-12-01T22:53:37.000Z"}, map[string]any{"owner": link("users", noPermsUser)}).id()
	now := tt.srv.Now()
	cases := []apiCase{
		checkedIn(post("Admin checks in a license by key", "check-in", "test-key", "", 200)),
		checkedIn(post("Product checks in a license", "check-in", f.licenseOf(f.pol, false, false, nil), f.prodAuth, 200)),
		checkedIn(post("License checks in itself", "check-in", self, tt.bearerAuth("licenses", self), 200)),
		checkedIn(post("User checks in one of their licenses (license owner)", "check-in", f.licenseOf(f.pol, true, false, nil), f.ownerAuth, 200)),
		post("User checks in one of their licenses (license user)", "check-in", f.licenseOf(f.pol, false, true, nil), f.luAuth, 403),
		post("User checks in one of their licenses for a protected policy", "check-in", f.licenseOf(f.prot, true, false, nil), f.ownerAuth, 403),
		{name: p + "check-in of a license whose policy does not require it", r: req{method: "POST", path: "/licenses/" + f.licenseOf(noCheckIn, false, false, nil) + "/actions/check-in"}, status: 422,
			title: "Unprocessable entity", detail: "cannot be checked in because the policy does not require it"},
		suspended(post("Admin suspends a license", "suspend", f.licenseOf(f.pol, false, false, nil), "", 200), true),
		{name: p + "Admin suspends a license that is already suspended", r: req{method: "POST", path: "/licenses/" + f.licenseOf(f.pol, false, false, susp) + "/actions/suspend"}, status: 422,
			title: "Unprocessable entity", detail: "is already suspended", source: map[string]any{"pointer": "/data/attributes/suspended"}},
		post("User suspends their license (license owner)", "suspend", f.licenseOf(f.pol, true, false, nil), f.ownerAuth, 403),
		post("User suspends their license (license user)", "suspend", f.licenseOf(f.pol, false, true, nil), f.luAuth, 403),
		suspended(post("Admin suspends a license by key that implements a protected policy", "suspend", "prot-key", "", 200), true),
		suspended(post("Product suspends a license that implements a protected policy", "suspend", f.licenseOf(f.prot, false, false, nil), f.prodAuth, 200), true),
		post("User suspends their license that implements a protected policy", "suspend", f.licenseOf(f.prot, true, false, nil), f.ownerAuth, 403),
		suspended(post("Admin reinstates a license", "reinstate", f.licenseOf(f.pol, false, false, susp), "", 200), false),
		{name: p + "Admin reinstates a license that is not suspended", r: req{method: "POST", path: "/licenses/" + f.licenseOf(f.pol, false, false, nil) + "/actions/reinstate"}, status: 422,
			title: "Unprocessable entity", detail: "is not suspended", source: map[string]any{"pointer": "/data/attributes/suspended"}},
		post("User reinstates their license (license owner)", "reinstate", f.licenseOf(f.pol, true, false, susp), f.ownerAuth, 403),
		post("User reinstates their license (license user)", "reinstate", f.licenseOf(f.pol, false, true, susp), f.luAuth, 403),
		suspended(post("Admin reinstates a license that implements a protected policy", "reinstate", f.licenseOf(f.prot, false, false, susp), "", 200), false),
		suspended(post("Product reinstates a license that implements a protected policy", "reinstate", f.licenseOf(f.prot, false, false, susp), f.prodAuth, 200), false),
		post("User reinstates their license that implements a protected policy", "reinstate", f.licenseOf(f.prot, true, false, susp), f.ownerAuth, 403),
		expiry(post("Admin renews a license", "renew", lic(polDur(3*month, ""), "2021-07-19T00:00:00.000Z"), "", 200), "2021-10-19T00:00:00.000Z"),
		expiry(post("Admin renews a license (from expiry renewal basis)", "renew", lic(polDur(month, "FROM_EXPIRY"), "2021-07-19T00:00:00.000Z"), "", 200), "2021-08-19T00:00:00.000Z"),
		{name: p + "Admin renews a license (from now renewal basis)", r: req{method: "POST", path: "/licenses/" + lic(polDur(month, "FROM_NOW"), "2021-07-19T00:00:00.000Z") + "/actions/renew"}, status: 200,
			check: func(t *testing.T, _ *world, r *reply) { assertTimeNear(t, r, "expiry", now.AddDate(0, 1, 0)) }},
		expiry(post("Admin renews a license (from now if expired renewal basis, not expired)", "renew", lic(polDur(year, "FROM_NOW_IF_EXPIRED"), "2024-06-21T00:00:00.000Z"), "", 200), "2025-06-21T00:00:00.000Z"),
		{name: p + "Admin renews a license (from now if expired renewal basis, expired)", r: req{method: "POST", path: "/licenses/" + lic(polDur(year, "FROM_NOW_IF_EXPIRED"), "2023-06-21T21:30:00.000Z") + "/actions/renew"}, status: 200,
			check: func(t *testing.T, _ *world, r *reply) { assertTimeNear(t, r, "expiry", now.AddDate(1, 0, 0)) }},
		{name: p + "Admin renews a license that belongs to a perpetual policy", r: req{method: "POST", path: "/licenses/" + lic(perpetual, "2021-07-19T00:00:00.000Z") + "/actions/renew"}, status: 422,
			title: "Unprocessable entity", detail: "cannot be renewed because the policy does not have a duration"},
		expiry(post("User renews their license (license owner)", "renew", f.licenseOf(f.pol, true, false, map[string]any{"expiry": "2016-12-01T22:53:37.000Z"}), f.ownerAuth, 200), "2016-12-31T22:53:37.000Z"),
		post("User renews their license (license user)", "renew", f.licenseOf(f.pol, false, true, map[string]any{"expiry": "2016-12-01T22:53:37.000Z"}), f.luAuth, 403),
		{name: p + "User renews their license without permission", r: req{method: "POST", path: "/licenses/" + npLic + "/actions/renew", auth: "Bearer " + npTok}, status: 403,
			title: "Access denied", detail: "You do not have permission to complete the request (user lacks permission to perform action)"},
		expiry(post("Admin renews a license that implements a protected policy", "renew", lic(tt.policy(f.prod, map[string]any{"floating": true, "protected": true, "duration": 2 * month}), "2016-09-05T22:53:37.000Z"), "", 200), "2016-11-05T22:53:37.000Z"),
		expiry(post("Product renews a license that implements a protected policy", "renew", lic(f.prot, "2016-09-05T22:53:37.000Z"), f.prodAuth, 200), "2016-10-05T22:53:37.000Z"),
		post("User renews their license that implements a protected policy", "renew", f.licenseOf(f.prot, true, false, map[string]any{"expiry": "2016-09-05T22:53:37.000Z"}), f.ownerAuth, 403),
		post("Admin attempts to renew a license for another account", "renew", f.licenseOf(f.pol, false, false, nil), f.otherAcct, 401),
	}
	tt.run(t, cases)
}

func TestLicensesUsage(t *testing.T) {
	t.Parallel()
	// A license with the given uses under a policy with maxUses (nil: no limit).
	withUses := func(f *world, maxUses any, uses int64, licAttrs map[string]any) string {
		l, _ := f.createLicense(f.floatingPolicy(map[string]any{"maxUses": maxUses}), licAttrs, "")
		f.withStore(func(db *store) { db.licenses[l].Uses = uses })
		return l
	}
	act := func(l, action, auth string, body any) req {
		return req{method: "POST", path: "/licenses/" + l + "/actions/" + action, auth: auth, body: body}
	}
	cases := []apiCase{
		{name: luses + ": Anonymous increments the usage count for a license", status: 401,
			setup: func(f *world) req { return act(withUses(f, 5, 0, nil), "increment-usage", "-", nil) }},
		{name: luses + ": Admin increments the usage count for a license by key", status: 200,
			setup: func(f *world) req {
				l := withUses(f, 5, 0, nil)
				f.withStore(func(db *store) { db.licenses[l].Key = "key1" })
				return act("key1", "increment-usage", "", nil)
			},
			attrs: map[string]any{"uses": 1.0}},
		{name: luses + ": Admin increments the usage count for a license by 100", status: 200,
			setup: func(f *world) req {
				return act(withUses(f, 100, 0, nil), "increment-usage", "", map[string]any{"meta": map[string]any{"increment": 100}})
			},
			attrs: map[string]any{"uses": 100.0}},
		{name: luses + ": Admin increments the usage count for a license by 100 for a policy that only allows 99", status: 422,
			setup: func(f *world) req {
				return act(withUses(f, 99, 0, nil), "increment-usage", "", map[string]any{"meta": map[string]any{"increment": 100}})
			},
			code: "USES_LIMIT_EXCEEDED"},
		{name: luses + ": Admin increments the usage count for a license by a int larger than max int", status: 400,
			setup: func(f *world) req {
				r := act(withUses(f, nil, 0, nil), "increment-usage", "", nil)
				r.raw = `{"meta":{"increment":46116860184273879031}}`
				return r
			},
			title: "Bad request", detail: "integer is too large", source: map[string]any{"pointer": "/meta/increment"}},
		{name: luses + ": Admin increments the usage count for a license that is at its usage limit", status: 422,
			setup: func(f *world) req { return act(withUses(f, 5, 5, nil), "increment-usage", "", nil) },
			title: "Unprocessable resource", code: "USES_LIMIT_EXCEEDED", detail: "usage exceeds maximum allowed for license (5)",
			source: map[string]any{"pointer": "/data/attributes/uses"}},
		{name: luses + ": Admin increments the usage count for a license that would be at its usage limit but has an override", status: 200,
			setup: func(f *world) req {
				return act(withUses(f, 5, 5, map[string]any{"maxUses": 10}), "increment-usage", "", nil)
			},
			attrs: map[string]any{"uses": 6.0}},
		{name: luses + ": User increments the usage count for their license (license owner)", status: 200,
			setup: func(f *world) req {
				u, auth := f.userToken("u@example.com")
				l := withUses(f, 5, 4, nil)
				f.withStore(func(db *store) { db.licenses[l].OwnerID = &u })
				return act(l, "increment-usage", auth, nil)
			},
			attrs: map[string]any{"uses": 5.0}},
		{name: luses + ": User increments the usage count for their license (license user)", status: 403,
			setup: func(f *world) req {
				u, auth := f.userToken("u@example.com")
				l := withUses(f, 5, 4, nil)
				f.addLicenseUser(l, u)
				return act(l, "increment-usage", auth, nil)
			}},
		{name: luses + ": License increments the usage count for itself", status: 200,
			setup: func(f *world) req {
				l := withUses(f, 5, 4, nil)
				return act(l, "increment-usage", f.licenseAuth(l, nil), nil)
			},
			attrs: map[string]any{"uses": 5.0}},
		{name: luses + ": Product decrements the usage count for a license", status: 200,
			setup: func(f *world) req {
				l := withUses(f, 5, 5, nil)
				return act(l, "decrement-usage", f.productAuth(f.prod), nil)
			},
			attrs: map[string]any{"uses": 4.0}},
		{name: luses + ": Admin decrements the usage count for a license by 50", status: 200,
			setup: func(f *world) req {
				return act(withUses(f, 100, 75, nil), "decrement-usage", "", map[string]any{"meta": map[string]any{"decrement": 50}})
			},
			attrs: map[string]any{"uses": 25.0}},
		{name: luses + ": Admin decrements the usage count for a license that is at 0", status: 422,
			setup: func(f *world) req { return act(withUses(f, 5, 0, nil), "decrement-usage", "", nil) },
			title: "Unprocessable resource", code: "USES_INVALID", detail: "must be greater than or equal to 0",
			source: map[string]any{"pointer": "/data/attributes/uses"}},
		{name: luses + ": User decrements the usage count for their license (license owner)", status: 403,
			setup: func(f *world) req {
				u, auth := f.userToken("u@example.com")
				l := withUses(f, 5, 1, nil)
				f.withStore(func(db *store) { db.licenses[l].OwnerID = &u })
				return act(l, "decrement-usage", auth, nil)
			}},
		{name: luses + ": License decrements the usage count for itself", status: 403,
			setup: func(f *world) req {
				l := withUses(f, 5, 4, nil)
				return act(l, "decrement-usage", f.licenseAuth(l, nil), nil)
			}},
		{name: luses + ": License decrements the usage count for another license", status: 404,
			setup: func(f *world) req {
				l := withUses(f, 5, 4, nil)
				return act(withUses(f, 5, 4, nil), "decrement-usage", f.licenseAuth(l, nil), nil)
			}},
		{name: luses + ": Admin resets the usage count for a license", status: 200,
			setup: func(f *world) req { return act(withUses(f, 5, 2, nil), "reset-usage", "", nil) },
			attrs: map[string]any{"uses": 0.0}},
		{name: luses + ": License decrements the usage count for itself (reset-usage)", status: 403,
			setup: func(f *world) req {
				l := withUses(f, 5, 4, nil)
				return act(l, "reset-usage", f.licenseAuth(l, nil), nil)
			}},
		{name: luses + ": License increments its usage count with a usage expiration basis (not set)", status: 200,
			setup: func(f *world) req {
				l, _ := f.createLicense(f.floatingPolicy(map[string]any{"expirationBasis": "FROM_FIRST_USE", "duration": 31556952}), nil, "")
				return act(l, "increment-usage", f.licenseAuth(l, nil), nil)
			},
			check: func(t *testing.T, f *world, r *reply) {
				exp, _ := time.Parse(time.RFC3339, r.attrs()["expiry"].(string))
				assert.WithinDuration(t, time.Now().AddDate(1, 0, 0), exp, 2*time.Hour)
			}},
		{name: luses + ": License increments its usage count with a usage expiration basis (set)", status: 200,
			setup: func(f *world) req {
				l, _ := f.createLicense(f.floatingPolicy(map[string]any{"expirationBasis": "FROM_FIRST_USE", "duration": 31556952}),
					map[string]any{"expiry": "2032-01-03T14:18:02.743Z"}, "")
				return act(l, "increment-usage", f.licenseAuth(l, nil), nil)
			},
			attrs: map[string]any{"expiry": "2032-01-03T14:18:02.743Z"}},
	}
	runEach(t, newProductWorld, cases)
}
