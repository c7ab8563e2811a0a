package keygentest

import (
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// License lists and their filters (features/api/v1/licenses/index.feature, the has_scope
// list of app/controllers/api/v1/licenses_controller.rb).

// TestLicensesFilters pins the license list filters as License's model scopes apply them:
// status values are independent scopes (not the status attribute's precedence), hash
// filters take their first operator, expires[in] is an alias of within, expired[…]/expires[…]
// stay on their side of now, machine matches ids only, blank values are ignored.
func TestLicensesFilters(t *testing.T) {
	t.Parallel()
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
		{"status=ACTIVE: active scope keeps suspended/expired, drops banned and idle", "status=ACTIVE", sorted(a, b, d)},
		{"status=active is case-insensitive", "status=active", sorted(a, b, d)},
		{"status=SUSPENDED", "status=SUSPENDED", []string{a}},
		{"status=EXPIRED (suspended too)", "status=EXPIRED", []string{a}},
		{"status=EXPIRING", "status=EXPIRING", []string{b}},
		{"status=BANNED", "status=BANNED", []string{c}},
		{"status=INACTIVE", "status=INACTIVE", []string{e}},
		{"unknown status → empty list", "status=BOGUS", []string{}},
		{"suspended=false", "suspended=false", sorted(b, c, d, e)},
		{"suspended=off is false (ActiveRecord cast)", "suspended=off", sorted(b, c, d, e)},
		{"suspended=no is true (ActiveRecord cast)", "suspended=no", []string{a}},
		{"expiring=true", "expiring=true", []string{b}},
		{"expiring=false", "expiring=false", sorted(a, c, d, e)},
		{"expired=true", "expired=true", []string{a}},
		{"expired=false", "expired=false", sorted(b, c, d, e)},
		{"expires[within]=3d", "expires[within]=3d", []string{b}},
		{"expires[in] is within", "expires[in]=P3D", []string{b}},
		{"expires[within] seconds", "expires[within]=" + strconv.Itoa(30*86400), sorted(b, d)},
		{"expires[before] only future expiries", "expires[before]=" + url.QueryEscape(iso(5*24*time.Hour)), []string{b}},
		{"expires[after]", "expires[after]=" + url.QueryEscape(iso(5*24*time.Hour)), []string{d}},
		{"expires[on]", "expires[on]=" + now.Add(48*time.Hour).UTC().Format("2006-01-02"), []string{b}},
		{"expires[bogus] only → none", "expires[bogus]=1", []string{}},
		{"expires[within] unparsable → none", "expires[within]=soon", []string{}},
		{"expired[within]=3d", "expired[within]=3d", []string{a}},
		{"expired[before] only past expiries", "expired[before]=" + url.QueryEscape(iso(30*24*time.Hour)), []string{a}},
		{"expired[after] unix", "expired[after]=" + strconv.FormatInt(now.Add(-72*time.Hour).Unix(), 10), []string{a}},
		{"activity[inside]=30d", "activity[inside]=30d", sorted(a, b, d)},
		{"activity[outside]=30d", "activity[outside]=30d", []string{e}},
		{"activity[after]", "activity[after]=" + url.QueryEscape(iso(-time.Hour)), sorted(a, b, d)},
		{"activity[before]", "activity[before]=" + url.QueryEscape(iso(-time.Hour)), []string{e}},
		{"activations[gt]=0", "activations[gt]=0", []string{d}},
		{"activations: first operator wins (eq before gt)", "activations[gt]=0&activations[eq]=0", sorted(a, b, c, e)},
		{"activated=true", "activated=true", []string{d}},
		{"activated=false", "activated=false", sorted(a, b, c, e)},
		{"machine by id", "machine=" + m.id(), []string{d}},
		{"machine by fingerprint → none", "machine=filter-fp", []string{}},
		{"owner by email", "owner=owner%40example.com", []string{a}},
		{"user by id", "user=" + owner, []string{a}},
		{"assigned=true", "assigned=true", sorted(a, c)},
		{"unassigned=true", "unassigned=true", sorted(b, d, e)},
		{"blank filter is not applied", "product=&policy=", all},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := tt.get("/licenses?limit=100&" + tc.query)
			require.Equal(t, 200, r.status, string(r.body))
			assert.Equal(t, tc.want, sortedIDs(r))
		})
	}
}

// TestLicensesIndex pins licenses/index.feature: who lists what, metadata filter
// typing, and the user filter under a user's own scope.
func TestLicensesIndex(t *testing.T) {
	t.Parallel()
	f := newLicensingWorld(t, nil)
	tt := f
	const r = "licenses/index.feature: "
	var luID string
	tt.srv.mu.Lock()
	for _, u := range tt.srv.db.users {
		if u.Email == "license-user@example.com" {
			luID = u.ID
		}
	}
	tt.srv.mu.Unlock()
	owned := []string{f.licenseOf(f.pol, true, false, nil), f.licenseOf(f.pol, true, false, nil)}
	lu := f.licenseOf(f.pol, false, true, nil)
	other := f.licenseOf(f.pol2, false, false, nil)
	meta := func(m map[string]any) string { return f.licenseOf(f.pol2, false, false, map[string]any{"metadata": m}) }
	boolF := meta(map[string]any{"deleted": false})
	meta(map[string]any{"deleted": true})
	tos1, _ := meta(map[string]any{"tos": 1}), meta(map[string]any{"tos": 0})
	score := meta(map[string]any{"score": 0.9})
	meta(map[string]any{"score": 0.4})
	nullA := meta(map[string]any{"deletedAt": nil})
	meta(map[string]any{"deletedAt": "1624214637"})
	tenant := meta(map[string]any{"internalId": "1624214637", "tenantId": 2})
	meta(map[string]any{"internalId": "1624214637", "tenantId": 3})
	hw := meta(map[string]any{"hardware": map[string]any{"cpu": "ryzen-threadripper", "cores": 64}})
	meta(map[string]any{"ints": []any{2}})
	strA, strB := meta(map[string]any{"strs": []any{"1", "2", "3"}}), meta(map[string]any{"strs": []any{"2"}})
	list := func(name, query, auth string, want []string) apiCase {
		return apiCase{name: r + name, r: req{method: "GET", path: "/licenses?limit=100&" + query, auth: auth}, status: 200,
			check: func(t *testing.T, _ *world, rp *reply) { assert.Equal(t, sorted(want...), sortedIDs(rp)) }}
	}
	count := func(name, auth string, status int) apiCase {
		return apiCase{name: r + name, r: req{method: "GET", path: "/licenses", auth: auth}, status: status}
	}
	cases := []apiCase{
		count("Admin retrieves all licenses for their account", "", 200),
		count("Developer retrieves all licenses for their account", f.devAuth, 200),
		count("Sales retrieves all licenses for their account", f.salesAuth, 200),
		count("Support retrieves all licenses for their account", f.supportAuth, 200),
		count("Read-only retrieves all licenses for their account", f.roAuth, 200),
		count("Admin attempts to retrieve all licenses for another account", f.otherAcct, 401),
		count("License retrieves all licenses (no scope for licenses)", tt.bearerAuth("licenses", lu), 403),
		{name: r + "Admin retrieves all licenses with a limit that is too high", r: req{method: "GET", path: "/licenses?limit=900"}, status: 400},
		{name: r + "Admin retrieves an offset-paginated list of licenses with a page size that is too high", r: req{method: "GET", path: "/licenses?page[number]=1&page[size]=250"}, status: 400},
		{name: r + "Admin retrieves a keyset-paginated list of licenses (invalid cursor)", r: req{method: "GET", path: "/licenses?page[size]=5&page[cursor]=foo"}, status: 400,
			title: "Bad request", detail: `page cursor must be a valid UUID (got "foo")`, source: map[string]any{"parameter": "page[cursor]"}},
		list("Admin retrieves licenses filtered by a boolean metadata value", "metadata[deleted]=false", "", []string{boolF}),
		list("Admin retrieves licenses filtered by an integer metadata value", "metadata[tos]=1", "", []string{tos1}),
		list("Admin retrieves licenses filtered by an float metadata value", "metadata[score]=0.9", "", []string{score}),
		list("Admin retrieves licenses filtered by a null metadata value", "metadata[deletedAt]=null", "", []string{nullA}),
		list("Admin retrieves licenses filtered by a numeric string metadata value", "metadata[internalId]=1624214637&metadata[tenantId]=2", "", []string{tenant}),
		list("Admin retrieves licenses filtered by an object metadata value (integers)", "metadata[hardware][cores]=64", "", []string{}),
		list("Admin retrieves licenses filtered by an object metadata value (strings)", "metadata[hardware][cpu]=ryzen-threadripper", "", []string{hw}),
		list("Admin retrieves licenses filtered by an array metadata value (integers)", "metadata[ints][]=2", "", []string{}),
		list("Admin retrieves licenses filtered by an array metadata value (strings)", "metadata[strs][]=2", "", []string{strA, strB}),
		list("Admin retrieves licenses filtered by owner ID", "owner="+f.owner, "", owned),
		list("Admin retrieves licenses filtered by user ID", "user="+luID, "", []string{lu}),
		list("Admin retrieves licenses filtered by user email", "user=license-user%40example.com", "", []string{lu}),
		list("Admin retrieves licenses filtered by policy ID", "policy="+f.pol, "", append([]string{lu}, owned...)),
		list("Product retrieves all licenses for their product", "", f.prodAuth, append([]string{lu}, owned...)),
		list("User retrieves all licenses for their account (license owner)", "", f.ownerAuth, owned),
		list("User retrieves all licenses for their account (license user)", "", f.luAuth, []string{lu}),
		list("User attempts an SQL injection attack for all licenses", "user=ef8e7a71-6b54-4a9b-8717-778516c9ad25%27%20or%201=1", f.ownerAuth, owned),
		{name: r + "Admin retrieves licenses filtered by product ID", r: req{method: "GET", path: "/licenses?limit=100&product=" + f.prod2}, status: 200,
			check: func(t *testing.T, _ *world, rp *reply) {
				assert.Len(t, rp.list(), 15) // other + 14 metadata licenses
				assert.Contains(t, sortedIDs(rp), other)
				for _, x := range rp.list() {
					rel := x.(map[string]any)["relationships"].(map[string]any)["product"].(map[string]any)
					assert.Equal(t, f.prod2, rel["data"].(map[string]any)["id"])
				}
			}},
	}
	tt.run(t, cases)
}
