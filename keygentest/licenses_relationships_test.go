package keygentest

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// License relationships: policy, product, owner, user and machines
// (features/api/v1/licenses/relationships/*.feature).

// TestLicensesRelationships pins the license relationship routes: GET policy/product/owner/
// user/machines and PUT policy/owner with their policies (features licenses/relationships).
func TestLicensesRelationships(t *testing.T) {
	t.Parallel()
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
		{"GET policy", "/licenses/" + l + "/policy", "", 200, "policies"},
		{"GET product by key", "/licenses/rel-license/product", "", 200, "products"},
		{"GET owner", "/licenses/" + l + "/owner", "", 200, "users"},
		{"GET owner (none) → data null", "/licenses/" + bare + "/owner", "", 200, ""},
		{"GET user (legacy)", "/licenses/" + l + "/user", "", 200, "users"},
		{"GET machines", "/licenses/" + l + "/machines", "", 200, ""},
		{"GET machine by fingerprint", "/licenses/" + l + "/machines/rel-fp", "", 200, "machines"},
		{"GET machine of another license → 404", "/licenses/" + bare + "/machines/" + m.id(), "", 404, ""},
		{"product GET policy", "/licenses/" + l + "/policy", prodAuth, 200, "policies"},
		{"user GET policy → 403 (no policy.read)", "/licenses/" + l + "/policy", ownerAuth, 403, ""},
		{"user GET product → 403 (no product.read)", "/licenses/" + l + "/product", ownerAuth, 403, ""},
		{"user GET owner", "/licenses/" + l + "/owner", ownerAuth, 200, "users"},
		{"user GET machines", "/licenses/" + l + "/machines", ownerAuth, 200, ""},
		{"user GET other license owner → 404", "/licenses/" + bare + "/owner", ownerAuth, 404, ""},
		{"license GET owner → 403 (no user.read)", "/licenses/" + l + "/owner", "License rel-license", 403, ""},
		{"license GET machines", "/licenses/" + l + "/machines", "License rel-license", 200, ""},
	}
	for _, tc := range gets {
		t.Run(tc.name, func(t *testing.T) {
			r := tt.do(req{method: "GET", path: tc.path, auth: tc.auth})
			require.Equal(t, tc.status, r.status, string(r.body))
			if tc.status == 200 && tc.typ != "" {
				assert.Equal(t, tc.typ, r.data()["type"])
			}
			if tc.name == "GET owner (none) → data null" {
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
		{"product transfers to a policy of another product → 403", "/licenses/" + l + "/policy", prodAuth, link("policies", foreign), 403, "", ""},
		{"owner transfers between unprotected policies", "/licenses/" + l + "/policy", ownerAuth, link("policies", pol2), 200, "", ""},
		{"owner may not transfer to a protected policy", "/licenses/" + l + "/policy", ownerAuth, link("policies", protected), 403, "", ""},
		{"admin transfer to unknown policy", "/licenses/" + l + "/policy", "", link("policies", tt.srv.AccountID), 422, "POLICY_NOT_FOUND", "/data/relationships/policy"},
		{"user may not change the owner", "/licenses/" + l + "/owner", ownerAuth, link("users", second), 403, "", ""},
		{"owner not found", "/licenses/" + l + "/owner", "", link("users", tt.srv.AccountID), 422, "OWNER_NOT_FOUND", "/data/relationships/owner"},
		{"product changes owner", "/licenses/" + bare + "/owner", prodAuth, link("users", second), 200, "", ""},
		{"owner removed with null", "/licenses/" + bare + "/owner", "", map[string]any{"data": nil}, 200, "", ""},
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
	t.Run("owner attach over maxUsers → USER_LIMIT_EXCEEDED", func(t *testing.T) {
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

// TestLicensesPolicyRelationship pins licenses/relationships/policy.feature.
func TestLicensesPolicyRelationship(t *testing.T) {
	t.Parallel()
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

// TestLicensesOwnerRelationship pins licenses/relationships/owner.feature.
func TestLicensesOwnerRelationship(t *testing.T) {
	t.Parallel()
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

func TestLicensesRelationshipsFeatures(t *testing.T) {
	t.Parallel()
	w := newTeamWorld(t).addLicensees().addPoolsAndMachines()
	tt := w
	foreign := bearer(newWorld(t).srv.AdminToken)
	lp, lm, lu := "licenses/relationships/product.feature: ", "licenses/relationships/machines.feature: ", "licenses/relationships/v1x5/user.feature: "
	l := "/licenses/" + w.lic
	key := tt.get(l).attrs()["key"].(string)
	v15 := map[string]string{"Keygen-Version": "1.5"}
	tt.run(t, []apiCase{
		{name: lp + "Admin retrieves the product for a license", r: getAs("/licenses/"+key+"/product", ""), status: 200, check: dataID(w.prod)},
		{name: lp + "Product retrieves the product for a license", r: getAs(l+"/product", bearer(w.prodTok)), status: 200, check: dataID(w.prod)},
		{name: lp + "Product retrieves the product for a license of another product", r: getAs(l+"/product", bearer(w.prod2Tok)), status: 404},
		{name: lp + "User attempts to retrieve the product for their license (license owner)", r: getAs(l+"/product", bearer(w.userTok)), status: 403, detail: userLacks},
		{name: lp + "User attempts to retrieve the product for their license (license user)", r: getAs(l+"/product", bearer(w.user3Tok)), status: 403},
		{name: lp + "User attempts to retrieve the product for another license", r: getAs(l+"/product", bearer(w.user2Tok)), status: 404},
		{name: lp + "Admin attempts to retrieve the product for a license of another account", r: getAs(l+"/product", foreign), status: 401},

		{name: lm + "Admin retrieves the machines for a license", r: getAs("/licenses/"+key+"/machines", ""), status: 200, check: listLen(1)},
		{name: lm + "Admin retrieves an offset-paginated list of machines for a license with no other pages", r: getAs(l+"/machines?page[number]=1&page[size]=5", ""), status: 200, check: listLen(1)},
		{name: lm + "Product retrieves the machines for a license", r: getAs(l+"/machines", bearer(w.prodTok)), status: 200, check: listLen(1)},
		{name: lm + "Admin retrieves a machine for a license", r: getAs(l+"/machines/"+w.m1, ""), status: 200, check: dataID(w.m1)},
		{name: lm + "Admin retrieves a machine for a license (by fingerprint)", r: getAs(l+"/machines/fp-m1", ""), status: 200, check: dataID(w.m1)},
		{name: lm + "Admin retrieves a machine of another license (not found)", r: getAs(l+"/machines/"+w.m2, ""), status: 404},
		{name: lm + "Product retrieves a machine for a license", r: getAs(l+"/machines/"+w.m1, bearer(w.prodTok)), status: 200},
		{name: lm + "Product retrieves the machines for a license of another product", r: getAs(l+"/machines", bearer(w.prod2Tok)), status: 404},
		{name: lm + "User attempts to retrieve the machines for a license they own", r: getAs(l+"/machines", bearer(w.userTok)), status: 200, check: listLen(1)},
		{name: lm + "User attempts to retrieve the machines for a license they have", r: getAs(l+"/machines", bearer(w.user3Tok)), status: 200, check: listLen(1)},
		{name: lm + "User attempts to retrieve the machines for a license they don't own", r: getAs(l+"/machines", bearer(w.user2Tok)), status: 404},
		{name: lm + "Admin attempts to retrieve the machines for a license of another account", r: getAs(l+"/machines", foreign), status: 401},

		{name: lu + "Admin retrieves the user for a license", r: req{method: "GET", path: "/licenses/" + key + "/user", headers: v15}, status: 200, check: dataID(w.user)},
		{name: lu + "Product retrieves the user for a license", r: req{method: "GET", path: l + "/user", auth: bearer(w.prodTok), headers: v15}, status: 200, check: dataID(w.user)},
		{name: lu + "Product retrieves the user for a license of another product", r: req{method: "GET", path: l + "/user", auth: bearer(w.prod2Tok), headers: v15}, status: 404},
		{name: lu + "User attempts to retrieve the user for a license they own", r: req{method: "GET", path: l + "/user", auth: bearer(w.userTok), headers: v15}, status: 200},
		{name: lu + "User attempts to retrieve the user for a license they have", r: req{method: "GET", path: l + "/user", auth: bearer(w.user3Tok), headers: v15}, status: 403},
		{name: lu + "User attempts to retrieve the user for a license they don't own", r: req{method: "GET", path: l + "/user", auth: bearer(w.user2Tok), headers: v15}, status: 404},
		{name: lu + "Admin attempts to retrieve the user for a license of another account", r: req{method: "GET", path: l + "/user", auth: foreign, headers: v15}, status: 401},
	})

	// PUT /licenses/{id}/user on a license of its own, owned by user2.
	lx := tt.licenseOwnedBy(w.pol, w.user2)
	put := func(auth string, data any) req {
		return req{method: "PUT", path: "/licenses/" + lx + "/user", auth: auth, headers: v15, body: map[string]any{"data": data}}
	}
	user := func(id string) func(t *testing.T, w *world, r *reply) {
		return func(t *testing.T, _ *world, r *reply) {
			assertLinkage(t, r, "user", id)
		}
	}
	tt.run(t, []apiCase{
		{name: lu + "Admin changes a license's user relationship to another user", r: put("", link("users", w.user4)["data"]), status: 200, check: user(w.user4)},
		{name: lu + "Admin removes a license's user relationship", r: put("", nil), status: 200, check: user("")},
		{name: lu + "Admin changes a license's policy relationship to a non-existent user", r: put("", map[string]any{"type": "users", "id": "8784f31d-ab66-4384-9fec-e69f1cdb189b"}), status: 422,
			title: unprocessed, detail: "must exist", code: "USER_NOT_FOUND", source: map[string]any{"pointer": "/data/relationships/user"}},
		{name: lu + "Product changes a license's user relationship to another user", r: put(bearer(w.prodTok), link("users", w.user2)["data"]), status: 200, check: user(w.user2)},
		{name: lu + "Product changes a license's user relationship to a new user for a license they don't own", r: put(bearer(w.prod2Tok), link("users", w.user2)["data"]), status: 404},
		{name: lu + "User attempts to change their license's user relationship", r: put(bearer(w.user2Tok), link("users", w.user)["data"]), status: 403},
		{name: lu + "User changes a license's user relationship to another user for a license they don't own", r: put(bearer(w.userTok), link("users", w.user)["data"]), status: 404},
		{name: lu + "Anonymous changes a license's user relationship to a different user", r: put("-", nil), status: 401},
	})
}
