package keygentest

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// Staff roles (developer, sales-agent, support-agent, read-only) across licenses, machines,
// policies, products, users and tokens, drawn from the real server's request specs
// (features/api/v1/*.feature) and played over real HTTP (keygen-api.md §1.15). A staff user
// holds Permission::ADMIN_PERMISSIONS except read-only, which holds READ_ONLY_PERMISSIONS:
// a read-only mutation fails verify_permissions! ("read only lacks permission to perform
// action"), an agent's fails the role check (the default deny detail). Each case names the
// feature file and scenario it pins; details the features leave open come from
// app/policies (ApplicationPolicy#verify_permissions!, UserPolicy#verify_privileges!).

const roLacks = noPerm + " (read only lacks permission to perform action)"

func writeAs(method, path, auth string, body any) req {
	return req{method: method, path: path, auth: bearer(auth), body: body}
}

// h2Reads: every staff role reads the collection and one record (each feature has one
// scenario per role, all 200).
func (w *world) staffReads(feature, plural, one string) []apiCase {
	var cases []apiCase
	for _, role := range []string{"Developer", "Sales", "Support", "Read-only"} {
		cases = append(cases,
			apiCase{name: plural + "/index.feature: " + role + " retrieves all " + plural + " for their account",
				r: getAs("/"+plural, bearer(w.staff[role])), status: 200, check: func(t *testing.T, _ *world, r *reply) { assert.NotEmpty(t, r.list()) }},
			apiCase{name: plural + "/show.feature: " + role + " retrieves a " + feature + " for their account",
				r: getAs("/"+plural+"/"+one, bearer(w.staff[role])), status: 200, check: dataID(one)})
	}
	return cases
}

func TestH2StaffLicenses(t *testing.T) {
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

func TestH2StaffMachines(t *testing.T) {
	w := newTeamWorld(t)
	tt := w
	machine := func(fp string) string {
		lic := tt.licenseOwnedBy(w.pol, "")
		return tt.mustCreate("/machines", "machines", map[string]any{"fingerprint": fp}, map[string]any{"license": link("licenses", lic)})
	}
	m0, m1, m2, m3 := machine("fp-0"), machine("fp-1"), machine("fp-2"), machine("fp-3")
	create := func(tok, fp string) req {
		lic := tt.licenseOwnedBy(w.pol, "")
		return writeAs("POST", "/machines", tok, doc("machines", map[string]any{"fingerprint": fp}, map[string]any{"license": link("licenses", lic)}))
	}
	update := func(tok string) req {
		return writeAs("PATCH", "/machines/"+m0, tok, doc("machines", map[string]any{"name": "Updated"}, nil))
	}
	c, d, u := "machines/create.feature: ", "machines/destroy.feature: ", "machines/update.feature: "
	cases := []apiCase{
		{name: c + "Developer creates a machine for their account", r: create(w.devTok, "fp-dev"), status: 201},
		{name: c + "Sales creates a machine for their account", r: create(w.salesTok, "fp-sales"), status: 201},
		{name: c + "Support attempts to create a machine for their account", r: create(w.supportTok, "fp-support"), status: 403, detail: denied},
		{name: c + "Read-only attempts to create a machine for their account", r: create(w.roTok, "fp-ro"), status: 403, detail: roLacks},
		{name: d + "Developer deletes one of their machines", r: writeAs("DELETE", "/machines/"+m1, w.devTok, nil), status: 204},
		{name: d + "Sales deletes one of their machines", r: writeAs("DELETE", "/machines/"+m2, w.salesTok, nil), status: 204},
		{name: d + "Support deletes one of their machines", r: writeAs("DELETE", "/machines/"+m3, w.supportTok, nil), status: 403, detail: denied},
		{name: d + "Read-only deletes one of their machines", r: writeAs("DELETE", "/machines/"+m3, w.roTok, nil), status: 403, detail: roLacks},
		{name: u + "Developer updates a machine", r: update(w.devTok), status: 200, attrs: map[string]any{"name": "Updated"}},
		{name: u + "Sales updates a machine", r: update(w.salesTok), status: 200},
		{name: u + "Support updates a machine", r: update(w.supportTok), status: 200},
		{name: u + "Read-only updates a machine", r: update(w.roTok), status: 403, detail: roLacks},
	}
	tt.run(t, append(w.staffReads("machine", "machines", m0), cases...))
	assert.Len(t, tt.get("/machines").list(), 4) // 4 fixtures + 2 created - 2 deleted
}

func TestH2StaffPolicies(t *testing.T) {
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

func TestH2StaffProducts(t *testing.T) {
	w := newTeamWorld(t)
	tt := w
	p3, p4 := tt.product(), tt.product()
	create := func(tok string) req {
		return writeAs("POST", "/products", tok, doc("products", map[string]any{"name": "Staff"}, nil))
	}
	update := func(tok string) req {
		return writeAs("PATCH", "/products/"+w.prod, tok, doc("products", map[string]any{"name": "Renamed"}, nil))
	}
	c, d, u := "products/create.feature: ", "products/destroy.feature: ", "products/update.feature: "
	cases := []apiCase{
		{name: c + "Developer creates a product for their account", r: create(w.devTok), status: 201},
		{name: c + "Sales attempts to create a product for their account", r: create(w.salesTok), status: 403, title: "Access denied", detail: denied},
		{name: c + "Support attempts to create a product for their account", r: create(w.supportTok), status: 403, detail: denied},
		{name: c + "Read-only attempts to create a product for their account", r: create(w.roTok), status: 403, detail: roLacks},
		{name: d + "Developer deletes one of their products", r: writeAs("DELETE", "/products/"+p3, w.devTok, nil), status: 204},
		{name: d + "Sales attempts to delete one of their products", r: writeAs("DELETE", "/products/"+p4, w.salesTok, nil), status: 403, detail: denied},
		{name: d + "Support attempts to delete one of their products", r: writeAs("DELETE", "/products/"+p4, w.supportTok, nil), status: 403, detail: denied},
		{name: d + "Read-only attempts to delete one of their products", r: writeAs("DELETE", "/products/"+p4, w.roTok, nil), status: 403, detail: roLacks},
		{name: u + "Developer updates a product for their account", r: update(w.devTok), status: 200, attrs: map[string]any{"name": "Renamed"}},
		{name: u + "Sales updates a product for their account", r: update(w.salesTok), status: 403, detail: denied},
		{name: u + "Support updates a product for their account", r: update(w.supportTok), status: 403, detail: denied},
		{name: u + "Read-only updates a product for their account", r: update(w.roTok), status: 403, detail: roLacks},
	}
	tt.run(t, append(w.staffReads("product", "products", w.prod), cases...))
	assert.Len(t, tt.get("/products").list(), 4) // 2 + 2 fixtures + 1 created - 1 deleted
}

func TestH2StaffUsers(t *testing.T) {
	w := newTeamWorld(t)
	tt := w
	u3, u4 := tt.createUser("u3@example.com"), tt.createUser("u4@example.com")
	create := func(tok, email, role string) req {
		a := map[string]any{"firstName": "Tony", "lastName": "Stark", "email": email, "password": "((jarvis))"}
		if role != "" {
			a["role"] = role
		}
		return writeAs("POST", "/users", tok, doc("users", a, nil))
	}
	update := func(tok, id string) req {
		return writeAs("PATCH", "/users/"+id, tok, doc("users", map[string]any{"firstName": "Mr. Robot"}, nil))
	}
	c, d, u := "users/create.feature: ", "users/destroy.feature: ", "users/update.feature: "
	cases := []apiCase{
		{name: c + "Developer creates a user for their protected account", r: create(w.devTok, "dev-made@keygen.sh", ""), status: 201},
		{name: c + "Sales creates a user for their protected account", r: create(w.salesTok, "ironman@keygen.sh", ""), status: 201, attrs: map[string]any{"role": "user"}},
		{name: c + "Support creates a user for their account", r: create(w.supportTok, "support-made@keygen.sh", ""), status: 403, detail: denied},
		{name: c + "Read-only creates a user for their account", r: create(w.roTok, "ro-made@keygen.sh", ""), status: 403, detail: roLacks},
		// role is a permitted attribute only for admins: anyone else gets a 400.
		{name: c + "Developer attempts to create an admin for their account", r: create(w.devTok, "ecorp@keygen.sh", "admin"), status: 400},
		{name: c + "Sales attempts to create an admin for their unprotected account", r: create(w.salesTok, "stark@keygen.sh", "admin"), status: 400},
		{name: d + "Developer attempts to delete an admin", r: writeAs("DELETE", "/users/"+w.admin2, w.devTok, nil), status: 403,
			detail: noPerm + " (developer lacks privileges to perform action on user)"},
		{name: d + "Developer deletes one of their users", r: writeAs("DELETE", "/users/"+u3, w.devTok, nil), status: 204},
		{name: d + "Sales attempts to delete one of their users", r: writeAs("DELETE", "/users/"+u4, w.salesTok, nil), status: 403, detail: denied},
		{name: d + "Support attempts to delete one of their users", r: writeAs("DELETE", "/users/"+u4, w.supportTok, nil), status: 403, detail: denied},
		{name: d + "Read-only attempts to delete one of their users", r: writeAs("DELETE", "/users/"+u4, w.roTok, nil), status: 403, detail: roLacks},
		{name: u + "Developer updates a user for their account", r: update(w.devTok, w.user), status: 200, attrs: map[string]any{"firstName": "Mr. Robot"}},
		{name: u + "Sales updates a user for their account", r: update(w.salesTok, w.user), status: 200},
		{name: u + "Sales attempts to update an admin for their account", r: update(w.salesTok, w.admin), status: 403,
			detail: noPerm + " (sales agent lacks privileges to perform action on user)"},
		{name: u + "Support updates a user for their account", r: update(w.supportTok, w.user), status: 403, detail: denied},
		{name: u + "Read-only updates a user for their account", r: update(w.roTok, w.user), status: 403, detail: roLacks},
	}
	tt.run(t, append(w.staffReads("user", "users", w.user), cases...))
	r := tt.get("/users/" + u4)
	assert.Equal(t, 200, r.status, "u4 survives the denied deletes")
}

func TestStaffTokens(t *testing.T) {
	w := newTeamWorld(t)
	tt := w
	g := "tokens/generate.feature: "
	login := func(email string) req { return req{method: "POST", path: "/tokens", auth: basic(email, "password")} }
	forBearer := func(id string) req {
		return writeAs("POST", "/tokens", w.devTok, doc("tokens", map[string]any{"name": "Dev Token"}, map[string]any{"bearer": link("user", id)}))
	}
	tt.run(t, []apiCase{
		{name: g + "Developer generates a new token via basic authentication", r: login("dev@example.com"), status: 201, attrs: map[string]any{"kind": "developer-token", "expiry": nil}},
		{name: g + "Sales generates a new token via basic authentication", r: login("sales@example.com"), status: 201, attrs: map[string]any{"kind": "sales-token", "expiry": nil}},
		{name: g + "Support generates a new token via basic authentication", r: login("support@example.com"), status: 201, attrs: map[string]any{"kind": "support-token", "expiry": nil}},
		{name: g + "Read-only generates a new token via basic authentication", r: login("ro@example.com"), status: 201, attrs: map[string]any{"kind": "read-only-token", "expiry": nil}},
		{name: g + "Developer generates a new token", r: forBearer(w.dev), status: 201, attrs: map[string]any{"kind": "developer-token", "expiry": nil},
			check: func(t *testing.T, _ *world, r *reply) {
				rel, _ := r.data()["relationships"].(map[string]any)["bearer"].(map[string]any)
				assert.Equal(t, map[string]any{"type": "users", "id": w.dev}, rel["data"])
			}},
		{name: g + "Developer generates a token for an admin", r: forBearer(w.admin), status: 403, title: "Access denied", detail: denied},
	})
}

func TestStaffPasswords(t *testing.T) {
	w := newTeamWorld(t)
	tt := w
	tt.run(t, []apiCase{
		{name: "users/actions/password.feature: Read only updates their password", r: writeAs("POST", "/users/"+w.ro+"/actions/update-password", w.roTok,
			map[string]any{"meta": map[string]any{"oldPassword": "password", "newPassword": "password2"}}), status: 200},
		{name: "users/actions/password.feature: Read only updates their password (logs in with it)", r: req{method: "POST", path: "/tokens", auth: basic("ro@example.com", "password2")}, status: 201},
	})
}

// Read-only holds READ_ONLY_PERMISSIONS beyond the features' routes too: it reads keys and
// webhook endpoints (key.read, webhook-endpoint.read) but writes neither, and the agents'
// limits stay role checks (app/policies/key_policy.rb, webhook_endpoint_policy.rb).
func TestStaffKeys(t *testing.T) {
	w := newTeamWorld(t)
	tt := w
	pool := tt.policy(w.prod, map[string]any{"usePool": true})
	key := tt.mustCreate("/keys", "keys", map[string]any{"key": "pool-key-h2"}, map[string]any{"policy": link("policies", pool)})
	tt.mustCreate("/webhook-endpoints", "webhook-endpoints", map[string]any{"url": "https://example.com/hooks"}, nil)
	newKey := func(tok string) req {
		return writeAs("POST", "/keys", tok, doc("keys", map[string]any{"key": "k-" + tok[:6]}, map[string]any{"policy": link("policies", pool)}))
	}
	tt.run(t, []apiCase{
		{name: "key_policy.rb#show?: read-only reads a key", r: getAs("/keys/"+key, bearer(w.roTok)), status: 200, check: dataID(key)},
		{name: "key_policy.rb#show?: support reads a key", r: getAs("/keys/"+key, bearer(w.supportTok)), status: 200},
		{name: "key_policy.rb#create?: read-only lacks key.create", r: newKey(w.roTok), status: 403, detail: roLacks},
		{name: "key_policy.rb#create?: sales may not create keys", r: newKey(w.salesTok), status: 403, detail: denied},
		{name: "key_policy.rb#create?: developer creates a key", r: newKey(w.devTok), status: 201},
		{name: "key_policy.rb#destroy?: read-only lacks key.delete", r: writeAs("DELETE", "/keys/"+key, w.roTok, nil), status: 403, detail: roLacks},
	})
}

func TestStaffWebhooks(t *testing.T) {
	w := newTeamWorld(t)
	tt := w
	pool := tt.policy(w.prod, map[string]any{"usePool": true})
	tt.mustCreate("/keys", "keys", map[string]any{"key": "pool-key-h2"}, map[string]any{"policy": link("policies", pool)})
	hook := tt.mustCreate("/webhook-endpoints", "webhook-endpoints", map[string]any{"url": "https://example.com/hooks"}, nil)
	newHook := func(tok string) req {
		return writeAs("POST", "/webhook-endpoints", tok, doc("webhook-endpoints", map[string]any{"url": "https://example.com/x"}, nil))
	}
	tt.run(t, []apiCase{
		{name: "webhook_endpoint_policy.rb#show?: read-only reads an endpoint", r: getAs("/webhook-endpoints/"+hook, bearer(w.roTok)), status: 200},
		{name: "webhook_endpoint_policy.rb#show?: sales may not read endpoints", r: getAs("/webhook-endpoints/"+hook, bearer(w.salesTok)), status: 403, detail: denied},
		{name: "webhook_endpoint_policy.rb#create?: read-only lacks webhook-endpoint.create", r: newHook(w.roTok), status: 403, detail: roLacks},
		{name: "webhook_endpoint_policy.rb#create?: support may not create endpoints", r: newHook(w.supportTok), status: 403, detail: denied},
		{name: "webhook_endpoint_policy.rb#destroy?: read-only lacks webhook-endpoint.delete", r: writeAs("DELETE", "/webhook-endpoints/"+hook, w.roTok, nil), status: 403, detail: roLacks},
		{name: "webhook_endpoint_policy.rb#destroy?: developer deletes an endpoint", r: writeAs("DELETE", "/webhook-endpoints/"+hook, w.devTok, nil), status: 204},
	})
}
