package keygentest

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Licenses as the server's request specs pin them (keygen-api.md §2.6; the feature files
// features/api/v1/licenses/{create,show,index,update,destroy}.feature,
// licenses/actions/permits.feature and licenses/relationships/{policy,owner,tokens}.feature).
// Each case names the feature file and one scenario that pins its rule.

// lfRole makes a user with the role and returns its id and bearer header.
func (w *world) roleUserAuth(email, role string) (string, string) {
	w.t.Helper()
	id := w.mustCreate("/users", "users", map[string]any{"email": email, "password": "password", "role": role}, nil)
	_, tok := w.loginToken(email)
	return id, "Bearer " + tok
}

// lfBearer makes a token for a product or license and returns the bearer header.
func (w *world) bearerAuth(kind, id string) string {
	w.t.Helper()
	_, tok := w.tokenFor(kind, id, nil)
	return "Bearer " + tok
}

// TestLicenseShowFeatures pins licenses/show.feature.
func TestLicenseShowFeatures(t *testing.T) {
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

// lfTime asserts an attribute is a timestamp within a minute of want.
func assertTimeNear(t *testing.T, r *reply, attr string, want time.Time) {
	t.Helper()
	s, _ := r.attrs()[attr].(string)
	got, err := time.Parse(time.RFC3339Nano, s)
	require.NoError(t, err, "%s=%v", attr, r.attrs()[attr])
	assert.WithinDuration(t, want, got, time.Minute, attr)
}

func newLicensingWorld(t *testing.T, polAttrs map[string]any) *world {
	tt := newWorld(t, WithStartTime(time.Date(2024, 1, 21, 21, 30, 0, 0, time.UTC)))
	f := tt
	f.prod, f.prod2 = tt.product(), tt.product()
	a := map[string]any{"floating": true, "maxMachines": 5, "maxCores": 4, "maxUses": 100, "maxProcesses": 5}
	for k, v := range polAttrs {
		a[k] = v
	}
	f.pol = tt.policy(f.prod, a)
	b := map[string]any{"protected": true}
	for k, v := range a {
		b[k] = v
	}
	f.prot = tt.policy(f.prod, b)
	f.pol2 = tt.policy(f.prod2, map[string]any{"floating": true})
	f.owner, f.ownerAuth = tt.userToken("owner@example.com")
	_, f.luAuth = tt.userToken("license-user@example.com")
	_, f.otherAuth = tt.userToken("other@example.com")
	_, f.devAuth = tt.roleUserAuth("dev@example.com", "developer")
	_, f.salesAuth = tt.roleUserAuth("sales@example.com", "sales-agent")
	_, f.supportAuth = tt.roleUserAuth("support@example.com", "support-agent")
	_, f.roAuth = tt.roleUserAuth("ro@example.com", "read-only")
	f.prodAuth = tt.bearerAuth("products", f.prod)
	f.otherAcct = "Bearer " + newWorld(t).srv.AdminToken
	return f
}

// lic makes a license of the policy; owned gives it the owner; licenseUser attaches the
// license user (users limit permitting).
func (w *world) licenseOf(pol string, owned, licenseUser bool, attrs map[string]any) string {
	var rels map[string]any
	if owned {
		rels = map[string]any{"owner": link("users", w.owner)}
	}
	id := w.mustLicense(pol, attrs, rels).id()
	if licenseUser {
		var lu string
		w.srv.mu.Lock()
		for _, u := range w.srv.db.users {
			if u.Email == "license-user@example.com" {
				lu = u.ID
			}
		}
		w.srv.mu.Unlock()
		w.mutLicense(id, func(l *license) { l.UserIDs = append(l.UserIDs, lu) })
	}
	return id
}

// TestLicenseDestroyFeatures pins licenses/destroy.feature and the revoke scenarios of
// licenses/actions/permits.feature (the same LicensePolicy#destroy? rule).
func TestLicenseDestroyFeatures(t *testing.T) {
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

// TestLicenseUpdateFeatures pins licenses/update.feature.
func TestLicenseUpdateFeatures(t *testing.T) {
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

// TestLicensePermitFeatures pins licenses/actions/permits.feature (check-in, suspend,
// reinstate, renew).
func TestLicensePermitFeatures(t *testing.T) {
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

// TestLicensePolicyRelationshipFeatures pins licenses/relationships/policy.feature.
func TestLicensePolicyRelationshipFeatures(t *testing.T) {
	f := newLicensingWorld(t, nil)
	tt := f
	const r = "licenses/relationships/policy.feature: "
	polOf := func(prod string, a map[string]any) string {
		if _, ok := a["floating"]; !ok {
			a["floating"] = true
		}
		return tt.policy(prod, a)
	}
	put := func(name, lic, pol, auth string, status int) apiCase {
		return apiCase{name: r + name, r: req{method: "PUT", path: "/licenses/" + lic + "/policy", auth: auth, body: link("policies", pol)}, status: status}
	}
	moved := func(c apiCase, lic, pol string) apiCase {
		c.check = func(t *testing.T, _ *world, rp *reply) {
			assert.Equal(t, map[string]any{"type": "policies", "id": pol}, rel(rp, "policy")["data"])
			assert.Equal(t, map[string]any{"related": "/v1/accounts/" + tt.srv.AccountID + "/licenses/" + lic + "/policy"}, rel(rp, "policy")["links"])
		}
		return c
	}
	incompatible := func(c apiCase, detail string) apiCase {
		c.title, c.detail, c.code = "Unprocessable resource", detail, "POLICY_NOT_COMPATIBLE"
		c.source = map[string]any{"pointer": "/data/relationships/policy"}
		return c
	}
	newPol := polOf(f.prod, map[string]any{})
	otherProdPol := polOf(f.prod2, map[string]any{})
	l := func(pol string, owned, lu bool, attrs map[string]any) string {
		return f.licenseOf(pol, owned, lu, attrs)
	}
	encrypted := polOf(f.prod, map[string]any{"encrypted": true})
	pooled := polOf(f.prod, map[string]any{"usePool": true})
	mk := func(a map[string]any) string { return polOf(f.prod, a) }
	// a pooled license: a key in the pool, then a license that pops it
	require.Equal(t, 201, tt.do(req{method: "POST", path: "/keys", body: doc("keys", map[string]any{"key": "pooled-key"}, map[string]any{"policy": link("policies", pooled)})}).status)
	pooledLic := l(pooled, false, false, nil)
	perLicense := mk(map[string]any{"machineUniquenessStrategy": "UNIQUE_PER_LICENSE"})
	perProduct := mk(map[string]any{"machineUniquenessStrategy": "UNIQUE_PER_PRODUCT"})
	compMachine := mk(map[string]any{"componentUniquenessStrategy": "UNIQUE_PER_MACHINE"})
	compLicense := mk(map[string]any{"componentUniquenessStrategy": "UNIQUE_PER_LICENSE"})
	const exp = "2042-02-21T17:09:26.685Z"
	keep := mk(map[string]any{"transferStrategy": "KEEP_EXPIRY", "duration": 31556952})
	resetDur := mk(map[string]any{"transferStrategy": "RESET_EXPIRY", "duration": 31556952})
	resetNoDur := mk(map[string]any{"transferStrategy": "RESET_EXPIRY"})
	protReset := mk(map[string]any{"transferStrategy": "RESET_EXPIRY", "duration": 31556952, "protected": true})
	l0 := l(f.pol, false, false, map[string]any{"key": "test-key"})
	prodLic := l(f.pol, false, false, nil)
	otherLic := l(f.pol2, false, false, nil)
	owned := l(f.pol, true, false, nil)
	cases := []apiCase{
		{name: r + "Admin retrieves the policy for a license", r: req{method: "GET", path: "/licenses/test-key/policy"}, status: 200,
			check: func(t *testing.T, _ *world, rp *reply) {
				assert.Equal(t, "policies", rp.data()["type"])
				assert.Equal(t, f.pol, rp.id())
			}},
		{name: r + "Product retrieves the policy for a license", r: req{method: "GET", path: "/licenses/" + l0 + "/policy", auth: f.prodAuth}, status: 200},
		{name: r + "Product retrieves the policy for a license of another product", r: req{method: "GET", path: "/licenses/" + otherLic + "/policy", auth: f.prodAuth}, status: 404},
		{name: r + "User attempts to retrieve the policy for a license they own", r: req{method: "GET", path: "/licenses/" + owned + "/policy", auth: f.ownerAuth}, status: 403},
		{name: r + "User attempts to retrieve the policy for a license they have", r: req{method: "GET", path: "/licenses/" + l(f.pol, false, true, nil) + "/policy", auth: f.luAuth}, status: 403},
		{name: r + "Admin attempts to retrieve the policy for a license of another account", r: req{method: "GET", path: "/licenses/" + l0 + "/policy", auth: f.otherAcct}, status: 401},
		moved(put("Admin changes a license's policy relationship to a new policy", l0, newPol, "", 200), l0, newPol),
		{name: r + "Admin changes a license's policy relationship to a non-existent policy", r: req{method: "PUT", path: "/licenses/" + l0 + "/policy", body: link("policies", f.owner)}, status: 422,
			title: "Unprocessable resource", detail: "must exist", code: "POLICY_NOT_FOUND", source: map[string]any{"pointer": "/data/relationships/policy"}},
		moved(put("Admin changes a license's policy relationship to a new policy that belongs to another product", prodLic, otherProdPol, "", 200), prodLic, otherProdPol),
		incompatible(put("Admin changes an unencrypted license's policy relationship to a new encrypted policy", l(f.pol, false, false, nil), encrypted, "", 422),
			"cannot change from an encrypted policy to an unencrypted policy (or vice-versa)"),
		incompatible(put("Admin changes a license's policy relationship to a new policy with a different scheme", l(f.pol, false, false, nil), mk(map[string]any{"scheme": "ED25519_SIGN"}), "", 422),
			"cannot change to a policy with a different scheme"),
		incompatible(put("Admin changes a pooled license's policy relationship to a new unpooled policy", pooledLic, newPol, "", 422),
			"cannot change from a pooled policy to an unpooled policy (or vice-versa)"),
		incompatible(put("Admin changes an unpooled license's policy relationship to a new pooled policy", l(f.pol, false, false, nil), pooled, "", 422),
			"cannot change from a pooled policy to an unpooled policy (or vice-versa)"),
		incompatible(put("Admin changes a license's policy relationship to a policy with a more strict machine uniqueness strategy", l(perLicense, false, false, nil), perProduct, "", 422),
			"cannot change to a policy with a more strict machine uniqueness strategy"),
		put("Admin changes a license's policy relationship to a policy with a less strict machine uniqueness strategy", l(perProduct, false, false, nil), perLicense, "", 200),
		incompatible(put("Admin changes a license's policy relationship to a policy with a more strict component uniqueness strategy", l(compMachine, false, false, nil), compLicense, "", 422),
			"cannot change to a policy with a more strict component uniqueness strategy"),
		put("Admin changes a license's policy relationship to a policy with a less strict component uniqueness strategy", l(compLicense, false, false, nil), compMachine, "", 200),
		func() apiCase {
			c := put("Admin transfers a license to a new policy with a default transfer strategy", l(f.pol, false, false, map[string]any{"expiry": exp}), newPol, "", 200)
			c.attrs = map[string]any{"expiry": exp}
			return c
		}(),
		func() apiCase {
			c := put("Admin transfers a license to a new policy with a KEEP_EXPIRY transfer strategy (has duration)", l(f.pol, false, false, map[string]any{"expiry": exp}), keep, "", 200)
			c.attrs = map[string]any{"expiry": exp}
			return c
		}(),
		func() apiCase {
			c := put("Admin transfers a license to a new policy with a RESET_EXPIRY transfer strategy (has duration)", l(f.pol, false, false, map[string]any{"expiry": exp}), resetDur, "", 200)
			c.check = func(t *testing.T, _ *world, rp *reply) {
				assertTimeNear(t, rp, "expiry", tt.srv.Now().AddDate(1, 0, 0))
			}
			return c
		}(),
		func() apiCase {
			c := put("Admin transfers a license to a new policy with a RESET_EXPIRY transfer strategy (no duration)", l(f.pol, false, false, map[string]any{"expiry": exp}), resetNoDur, "", 200)
			c.attrs = map[string]any{"expiry": nil}
			return c
		}(),
		moved(put("Product changes a license's policy relationship to a new policy", l0, newPol, f.prodAuth, 200), l0, newPol),
		put("Product changes a license's policy relationship to a new policy they don't own", l(f.pol, false, false, nil), otherProdPol, f.prodAuth, 403),
		put("Product changes a license's policy relationship to a new policy for a license they don't own", otherLic, f.pol, f.prodAuth, 404),
		moved(put("User changes a license's policy relationship from an unprotected policy to an unprotected policy (license owner)", owned, newPol, f.ownerAuth, 200), owned, newPol),
		put("User changes a license's policy relationship from an unprotected policy to an unprotected policy (license user)", l(f.pol, false, true, nil), newPol, f.luAuth, 403),
		put("User changes a license's policy relationship from a protected policy to a protected policy", l(f.prot, true, false, nil), mk(map[string]any{"protected": true}), f.ownerAuth, 403),
		put("User changes an unprotected license's policy relationship from an unprotected policy to a protected policy", l(f.pol, true, false, nil), f.prot, f.ownerAuth, 403),
		put("User changes a protected license's policy relationship from a protected policy to an unprotected policy", l(f.prot, true, false, nil), newPol, f.ownerAuth, 403),
		put("User changes an unprotected license's policy relationship to a non-existent policy", l(f.pol, true, false, nil), "5e9527ce-a9ba-4f0f-a881-980129f4d36c", f.ownerAuth, 422),
		put("User changes a license's policy relationship to a new policy for a license they don't own", l0, newPol, f.otherAuth, 404),
		put("User transfers a license to a protected policy with a RESET_EXPIRY transfer strategy", l(f.pol, true, false, map[string]any{"expiry": exp}), protReset, f.ownerAuth, 403),
		put("Anonymous changes a license's policy relationship to a new policy", l0, newPol, "-", 401),
	}
	tt.run(t, cases)
	// the refused transfer left the license alone
	_ = encrypted
}

// TestLicenseOwnerRelationshipFeatures pins licenses/relationships/owner.feature.
func TestLicenseOwnerRelationshipFeatures(t *testing.T) {
	f := newLicensingWorld(t, nil)
	tt := f
	const r = "licenses/relationships/owner.feature: "
	u2 := tt.createUser("second@example.com")
	withOwner := f.licenseOf(f.pol, true, false, map[string]any{"key": "test-key"})
	noOwner := f.licenseOf(f.pol, false, false, nil)
	removable := f.licenseOf(f.pol, true, false, nil)
	luLic := f.licenseOf(f.pol, true, true, nil)
	otherLic := f.licenseOf(f.pol2, true, false, nil)
	permLic := tt.mustLicense(f.pol, map[string]any{"permissions": []string{"user.read"}}, map[string]any{"owner": link("users", f.owner)}).id()
	put := func(name, lic, user, auth string, status int) apiCase {
		body := map[string]any{"data": nil}
		if user != "" {
			body = link("users", user)
		}
		return apiCase{name: r + name, r: req{method: "PUT", path: "/licenses/" + lic + "/owner", auth: auth, body: body}, status: status}
	}
	ownedBy := func(c apiCase, lic, user string) apiCase {
		c.check = func(t *testing.T, _ *world, rp *reply) {
			var want any
			if user != "" {
				want = map[string]any{"type": "users", "id": user}
			}
			assert.Equal(t, want, rel(rp, "owner")["data"])
			assert.Equal(t, map[string]any{"related": "/v1/accounts/" + tt.srv.AccountID + "/licenses/" + lic + "/owner"}, rel(rp, "owner")["links"])
		}
		return c
	}
	isUser := func(t *testing.T, _ *world, rp *reply) { assert.Equal(t, "users", rp.data()["type"]) }
	// users limits with overage strategies: the license has licensees already attached
	n := 0
	limit := func(strategy string, max, attached int) string {
		pol := tt.policy(f.prod, map[string]any{"floating": true, "maxUsers": max, "overageStrategy": strategy})
		id := f.licenseOf(pol, false, false, nil)
		var ids []string
		for i := 0; i < attached; i++ {
			n++
			ids = append(ids, tt.createUser(fmt.Sprintf("licensee-%d@example.com", n)))
		}
		tt.mutLicense(id, func(l *license) { l.UserIDs = ids })
		return id
	}
	exceeded := func(c apiCase, max int) apiCase {
		c.title, c.code = "Unprocessable resource", "USER_LIMIT_EXCEEDED"
		c.detail = "user count has exceeded maximum allowed for license (" + string(rune('0'+max)) + ")"
		c.source = map[string]any{"pointer": "/data/relationships/users"}
		return c
	}
	cases := []apiCase{
		{name: r + "Admin retrieves the owner for a license", r: req{method: "GET", path: "/licenses/test-key/owner"}, status: 200, check: isUser},
		{name: r + "Admin retrieves the owner for a license (no owner)", r: req{method: "GET", path: "/licenses/" + noOwner + "/owner"}, status: 200,
			check: func(t *testing.T, _ *world, rp *reply) { assert.Equal(t, map[string]any{"data": nil}, rp.doc) }},
		{name: r + "Product retrieves the owner for a license", r: req{method: "GET", path: "/licenses/" + withOwner + "/owner", auth: f.prodAuth}, status: 200, check: isUser},
		{name: r + "Product retrieves the owner for a license of another product", r: req{method: "GET", path: "/licenses/" + otherLic + "/owner", auth: f.prodAuth}, status: 404},
		{name: r + "Owner attempts to retrieve the owner for their license", r: req{method: "GET", path: "/licenses/" + withOwner + "/owner", auth: f.ownerAuth}, status: 200, check: isUser},
		{name: r + "User attempts to retrieve the owner for their license", r: req{method: "GET", path: "/licenses/" + luLic + "/owner", auth: f.luAuth}, status: 200, check: isUser},
		{name: r + "User attempts to retrieve the owner for a license", r: req{method: "GET", path: "/licenses/0/owner", auth: f.otherAuth}, status: 404},
		{name: r + "License attempts to retrieve their owner (without permission)", r: req{method: "GET", path: "/licenses/" + luLic + "/owner", auth: tt.bearerAuth("licenses", luLic)}, status: 403},
		{name: r + "License attempts to retrieve their owner (with permission)", r: req{method: "GET", path: "/licenses/" + permLic + "/owner", auth: tt.bearerAuth("licenses", permLic)}, status: 200, check: isUser},
		{name: r + "Admin attempts to retrieve the owner for a license of another account", r: req{method: "GET", path: "/licenses/" + withOwner + "/owner", auth: f.otherAcct}, status: 401},
		ownedBy(put("Admin changes a license's owner relationship to another user", withOwner, u2, "", 200), withOwner, u2),
		put("Admin attaches an owner to a license with a max users limit (ALWAYS_ALLOW_OVERAGE, within limit)", limit("ALWAYS_ALLOW_OVERAGE", 2, 1), u2, "", 200),
		put("Admin attaches an owner to a license with a max users limit (ALWAYS_ALLOW_OVERAGE, exceeds limit)", limit("ALWAYS_ALLOW_OVERAGE", 2, 2), u2, "", 200),
		put("Admin attaches an owner to a license with a max users limit (ALLOW_1_25X_OVERAGE, within limit)", limit("ALLOW_1_25X_OVERAGE", 4, 4), u2, "", 200),
		exceeded(put("Admin attaches an owner to a license with a max users limit (ALLOW_1_25X_OVERAGE, exceeds limit)", limit("ALLOW_1_25X_OVERAGE", 4, 5), u2, "", 422), 4),
		put("Admin attaches an owner to a license with a max users limit (ALLOW_1_5X_OVERAGE, within limit)", limit("ALLOW_1_5X_OVERAGE", 4, 5), u2, "", 200),
		exceeded(put("Admin attaches an owner to a license with a max users limit (ALLOW_1_5X_OVERAGE, exceeds limit)", limit("ALLOW_1_5X_OVERAGE", 4, 6), u2, "", 422), 4),
		put("Admin attaches an owner to a license with a max users limit (ALLOW_2X_OVERAGE, within limit)", limit("ALLOW_2X_OVERAGE", 3, 5), u2, "", 200),
		exceeded(put("Admin attaches an owner to a license with a max users limit (ALLOW_2X_OVERAGE, exceeds limit)", limit("ALLOW_2X_OVERAGE", 3, 6), u2, "", 422), 3),
		put("Admin attaches an owner to a license with a max users limit (NO_OVERAGE, within limit)", limit("NO_OVERAGE", 3, 2), u2, "", 200),
		exceeded(put("Admin attaches an owner to a license with a max users limit (NO_OVERAGE, exceeds limit)", limit("NO_OVERAGE", 3, 3), u2, "", 422), 3),
		ownedBy(put("Admin removes a license's owner relationship", removable, "", "", 200), removable, ""),
		{name: r + "Admin changes a license's owner relationship to a non-existent user (default)", r: req{method: "PUT", path: "/licenses/" + withOwner + "/owner", body: link("users", "8784f31d-ab66-4384-9fec-e69f1cdb189b")}, status: 422,
			title: "Unprocessable resource", detail: "must exist", code: "OWNER_NOT_FOUND", source: map[string]any{"pointer": "/data/relationships/owner"}},
		{name: r + "Admin changes a license's owner relationship to a non-existent user (v1.5)", r: req{method: "PUT", path: "/licenses/" + withOwner + "/owner", headers: map[string]string{"Keygen-Version": "1.5"}, body: link("users", "8784f31d-ab66-4384-9fec-e69f1cdb189b")}, status: 422,
			title: "Unprocessable resource", detail: "must exist", code: "OWNER_NOT_FOUND", source: map[string]any{"pointer": "/data/relationships/owner"}},
		put("Admin changes a license's owner relationship to a user for another account", withOwner, u2, f.otherAcct, 401),
		ownedBy(put("Product changes a license's owner relationship to another user", withOwner, u2, f.prodAuth, 200), withOwner, u2),
		put("Product changes a license's owner relationship to a new user for a license they don't own", otherLic, u2, f.prodAuth, 404),
		put("Owner attempts to change their license's owner relationship", f.licenseOf(f.pol, true, false, nil), u2, f.ownerAuth, 403),
		put("User attempts to change their license's owner relationship", luLic, u2, f.luAuth, 403),
		put("User attempts to change a license's owner relationship", noOwner, u2, f.otherAuth, 404),
		put("License attempts to change their owner relationship", noOwner, u2, tt.bearerAuth("licenses", noOwner), 403),
		put("License attempts to change a license's owner relationship", withOwner, u2, tt.bearerAuth("licenses", noOwner), 404),
		put("Anonymous attempts to change a license's owner relationship", noOwner, u2, "-", 401),
	}
	tt.run(t, cases)
}

// TestLicenseTokensRelationshipFeatures pins licenses/relationships/tokens.feature.
func TestLicenseTokensRelationshipFeatures(t *testing.T) {
	f := newLicensingWorld(t, nil)
	tt := f
	const r = "licenses/relationships/tokens.feature: "
	l0 := f.licenseOf(f.pol, true, false, nil)
	luLic := f.licenseOf(f.pol, false, true, nil)
	otherLic := f.licenseOf(f.pol2, false, false, nil)
	tokID, _ := tt.tokenFor("licenses", l0, nil)
	post := func(name, lic, auth string, attrs map[string]any, status int) apiCase {
		var body any
		if attrs != nil {
			body = doc("tokens", attrs, nil)
		}
		return apiCase{name: r + name, r: req{method: "POST", path: "/licenses/" + lic + "/tokens", auth: auth, body: body}, status: status}
	}
	token := func(c apiCase, attrs map[string]any) apiCase {
		c.attrs = map[string]any{"kind": "activation-token", "expiry": nil, "maxActivations": nil, "maxDeactivations": nil, "activations": float64(0), "deactivations": float64(0)}
		for k, v := range attrs {
			c.attrs[k] = v
		}
		return c
	}
	invalid := func(c apiCase, attr, code string) apiCase {
		c.title, c.detail, c.code = "Unprocessable resource", "must be greater than or equal to 0", code
		c.source = map[string]any{"pointer": "/data/attributes/" + attr}
		return c
	}
	get := func(name, path, auth string, status int) apiCase {
		return apiCase{name: r + name, r: req{method: "GET", path: path, auth: auth}, status: status}
	}
	cases := []apiCase{
		token(post("Admin generates a license token", l0, "", nil, 200), nil),
		func() apiCase {
			c := post("Admin generates a named license token", l0, "", map[string]any{"name": "Client Token"}, 200)
			c.attrs = map[string]any{"name": "Client Token"}
			return c
		}(),
		token(post("Admin generates a license token with a max activation count", l0, "", map[string]any{"maxActivations": 1}, 200), map[string]any{"maxActivations": float64(1)}),
		invalid(post("Admin generates a license token with a negative max activation count", l0, "", map[string]any{"maxActivations": -1}, 422), "maxActivations", "MAX_ACTIVATIONS_INVALID"),
		invalid(post("Admin generates a license token with a negative max deactivation count", l0, "", map[string]any{"maxDeactivations": -1}, 422), "maxDeactivations", "MAX_DEACTIVATIONS_INVALID"),
		token(post("Admin generates a license token with a set expiry", l0, "", map[string]any{"expiry": "2016-10-05T22:53:37.000Z"}, 200), map[string]any{"expiry": "2016-10-05T22:53:37.000Z"}),
		token(post("Admin generates a license token with a max deactivation count", l0, "", map[string]any{"maxDeactivations": 1}, 200), map[string]any{"maxDeactivations": float64(1)}),
		post("Admin generates a license token but sends invalid attributes", l0, "", map[string]any{"bearerId": f.owner, "bearerType": "users"}, 400),
		func() apiCase {
			c := post("Product generates a license token", l0, f.prodAuth, nil, 200)
			c.attrs = map[string]any{"expiry": nil}
			return c
		}(),
		post("Product attempts to generate a token for a license it doesn't own", otherLic, f.prodAuth, nil, 404),
		post("User attempts to generate a token for their license (license owner)", l0, f.ownerAuth, nil, 403),
		post("User attempts to generate a token for their license (license user)", luLic, f.luAuth, nil, 403),
		post("User attempts to generate a token for another license", otherLic, f.ownerAuth, nil, 404),
		post("Admin attempts to generate a license token for another account", l0, f.otherAcct, nil, 401),
		get("Admin requests tokens for one of their licenses", "/licenses/"+luLic+"/tokens", "", 200),
		get("Product requests a license's tokens", "/licenses/"+l0+"/tokens", f.prodAuth, 200),
		get("Product requests a license's token", "/licenses/"+l0+"/tokens/"+tokID, f.prodAuth, 200),
		get("Product attempts to request tokens for a license it doesn't own", "/licenses/"+otherLic+"/tokens", f.prodAuth, 404),
		get("License requests their tokens", "/licenses/"+l0+"/tokens", tt.bearerAuth("licenses", l0), 403),
		get("License requests another license's tokens", "/licenses/"+otherLic+"/tokens", tt.bearerAuth("licenses", l0), 404),
		get("User requests all tokens for their license (license owner)", "/licenses/"+l0+"/tokens", f.ownerAuth, 403),
		get("User requests all tokens for their license (license user)", "/licenses/"+luLic+"/tokens", f.luAuth, 403),
		get("User requests all tokens for another user's license", "/licenses/"+otherLic+"/tokens", f.ownerAuth, 404),
	}
	tt.run(t, cases)
}

// TestLicenseIndexFeatures pins licenses/index.feature: who lists what, metadata filter
// typing, and the user filter under a user's own scope.
func TestLicenseIndexFeatures(t *testing.T) {
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

// TestLicenseCreateFeatures pins licenses/create.feature (errors and bearer rules).
func TestLicenseCreateFeatures(t *testing.T) {
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
