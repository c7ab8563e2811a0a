package keygentest

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// Relationship routes of policies, keys, products, users, machines and licenses, drawn
// from the real server's request specs (features/api/v1/*/relationships/*.feature) and
// played over real HTTP (keygen-api.md §2.2–§2.8, §1.15). Each case names the feature file
// and scenario it pins.

// addPoolsAndMachines adds to the team with licensees pooled policies and keys, machines
// on each license and a fourth user owning licPerm.
func (w *world) addPoolsAndMachines() *world {
	tt := w
	w.user4 = tt.createUser("user4@example.com")
	tt.srv.mu.Lock()
	tt.srv.db.licenses[w.licPerm].OwnerID = &w.user4
	tt.srv.mu.Unlock()
	w.poolPol = tt.policy(w.prod, map[string]any{"usePool": true})
	w.emptyPol = tt.policy(w.prod, map[string]any{"usePool": true})
	key := func(k string) string {
		return tt.mustCreate("/keys", "keys", map[string]any{"key": k}, map[string]any{"policy": link("policies", w.poolPol)})
	}
	w.key0, w.key1 = key("pool-key-0000"), key("pool-key-0001")
	machine := func(fp, lic, owner string) string {
		rels := map[string]any{"license": link("licenses", lic)}
		if owner != "" {
			rels["owner"] = link("users", owner)
		}
		return tt.mustCreate("/machines", "machines", map[string]any{"fingerprint": fp}, rels)
	}
	w.m1 = machine("fp-m1", w.lic, w.user)
	w.m2 = machine("fp-m2", w.lic2, "")
	w.m3 = machine("fp-m3", w.licPerm, w.user4)
	return w
}

const (
	noPerm      = "You do not have permission to complete the request"
	denied      = noPerm + " (ensure the token or license is allowed to access all resources)"
	userLacks   = noPerm + " (user lacks permission to perform action)"
	licLacks    = noPerm + " (license lacks permission to perform action)"
	unprocessed = "Unprocessable resource"
)

func getAs(path, auth string) req { return req{method: "GET", path: path, auth: auth} }

func dataID(id string) func(t *testing.T, w *world, r *reply) {
	return func(t *testing.T, _ *world, r *reply) { assert.Equal(t, id, r.id(), string(r.body)) }
}

func dataNull(t *testing.T, _ *world, r *reply) {
	assert.Contains(t, r.doc, "data")
	assert.Nil(t, r.doc["data"], string(r.body))
}

func TestG1PolicyRelationships(t *testing.T) {
	w := newTeamWorld(t).addLicensees().addPoolsAndMachines()
	tt := w
	foreign := bearer(newWorld(t).srv.AdminToken)
	pool, lics, prod := "policies/relationships/pool.feature: ", "policies/relationships/licenses.feature: ", "policies/relationships/product.feature: "
	pp := "/policies/" + w.poolPol + "/pool"
	tt.run(t, []apiCase{
		{name: pool + "Admin retrieves the pool for a policy", r: getAs(pp, ""), status: 200, check: listLen(2)},
		{name: pool + "Admin retrieves a key from the pool", r: getAs(pp+"/"+w.key0, ""), status: 200, check: dataID(w.key0)},
		{name: pool + "Admin retrieves the pool of an unpooled policy", r: getAs("/policies/"+w.pol+"/pool", ""), status: 200, check: listLen(0)},
		{name: pool + "Admin retrieves a key from the pool of an unpooled policy", r: getAs("/policies/"+w.pol+"/pool/"+w.key0, ""), status: 404},
		{name: pool + "Product retrieves the pool for a policy", r: getAs(pp, bearer(w.prodTok)), status: 200, check: listLen(2)},
		{name: pool + "Product retrieves the pool for a policy of another product", r: getAs(pp, bearer(w.prod2Tok)), status: 404},
		{name: pool + "License attempts to retrieve the pool for a policy", r: getAs(pp, bearer(w.licTok)), status: 404},
		{name: pool + "User attempts to retrieve the pool for a policy", r: getAs(pp, bearer(w.userTok)), status: 404},
		{name: pool + "Admin attempts to retrieve the pool for a policy of another account", r: getAs(pp, foreign), status: 401},
		{name: pool + "Admin attempts to pop a key from an empty pool", r: req{method: "DELETE", path: "/policies/" + w.emptyPol + "/pool"}, status: 422,
			detail: "pool is empty", title: "Unprocessable entity", source: map[string]any{"pointer": "/data/relationships/pool"}},
		{name: pool + "Admin attempts to pop a key from a policy that doesn't use a pool", r: req{method: "DELETE", path: "/policies/" + w.pol + "/pool"}, status: 422,
			detail: "pool is not supported", title: "Unprocessable entity", source: map[string]any{"pointer": "/data/relationships/pool"}},
		{name: pool + "Product attempts to pop a key from a pool for a policy of another product", r: req{method: "DELETE", path: pp, auth: bearer(w.prod2Tok)}, status: 404},
		{name: pool + "License attempts to pop a key from a pool for a policy", r: req{method: "DELETE", path: "/policies/" + w.pol + "/pool", auth: bearer(w.licTok)}, status: 403, detail: licLacks},
		{name: pool + "User attempts to pop a key from a pool for a policy", r: req{method: "DELETE", path: "/policies/" + w.pol + "/pool", auth: bearer(w.userTok)}, status: 403, detail: userLacks},
		{name: pool + "Admin attempts to pop a key from a pool for another account", r: req{method: "DELETE", path: pp, auth: foreign}, status: 401},
		{name: pool + "Admin pops a key from a pool", r: req{method: "DELETE", path: pp}, status: 200,
			check: func(t *testing.T, _ *world, r *reply) { assert.Equal(t, "keys", r.data()["type"]) }},
		{name: pool + "Product pops a key from a pool", r: req{method: "DELETE", path: pp, auth: bearer(w.prodTok)}, status: 200,
			check: func(t *testing.T, _ *world, r *reply) { assert.Equal(t, "keys", r.data()["type"]) }},

		{name: lics + "Admin retrieves the licenses for a policy", r: getAs("/policies/"+w.pol+"/licenses", ""), status: 200, check: listLen(2)},
		{name: lics + "Product retrieves the licenses for a policy", r: getAs("/policies/"+w.pol+"/licenses", bearer(w.prodTok)), status: 200, check: listLen(2)},
		{name: lics + "Admin retrieves a license for a policy", r: getAs("/policies/"+w.pol+"/licenses/"+w.lic, ""), status: 200, check: dataID(w.lic)},
		{name: lics + "Product retrieves a license for a policy", r: getAs("/policies/"+w.pol+"/licenses/"+w.lic, bearer(w.prodTok)), status: 200, check: dataID(w.lic)},
		{name: lics + "Admin retrieves a license of another policy (not found)", r: getAs("/policies/"+w.pol+"/licenses/"+w.lic2, ""), status: 404,
			detail: "The requested license '" + w.lic2 + "' was not found"},
		{name: lics + "Product retrieves the licenses for a policy of another product", r: getAs("/policies/"+w.pol+"/licenses", bearer(w.prod2Tok)), status: 404},
		{name: lics + "License attempts to retrieve the licenses for their policy", r: getAs("/policies/"+w.pol+"/licenses", bearer(w.licTok)), status: 403, detail: denied},
		{name: lics + "License attempts to retrieve the licenses for a policy", r: getAs("/policies/"+w.pol2+"/licenses", bearer(w.licTok)), status: 404},
		{name: lics + "User attempts to retrieve the licenses for their policy", r: getAs("/policies/"+w.pol+"/licenses", bearer(w.userTok)), status: 403},
		{name: lics + "User attempts to retrieve the licenses for a policy", r: getAs("/policies/"+w.pol2+"/licenses", bearer(w.userTok)), status: 404},
		{name: lics + "Admin attempts to retrieve the licenses for a policy of another account", r: getAs("/policies/"+w.pol+"/licenses", foreign), status: 401},

		{name: prod + "Admin retrieves the product for a policy", r: getAs("/policies/"+w.pol+"/product", ""), status: 200, check: dataID(w.prod)},
		{name: prod + "Product retrieves the product for a policy", r: getAs("/policies/"+w.pol+"/product", bearer(w.prodTok)), status: 200, check: dataID(w.prod)},
		{name: prod + "Product retrieves the product for a policy of another product", r: getAs("/policies/"+w.pol+"/product", bearer(w.prod2Tok)), status: 404},
		{name: prod + "License attempts to retrieve the product for their policy", r: getAs("/policies/"+w.pol+"/product", bearer(w.licTok)), status: 403, detail: licLacks},
		{name: prod + "License attempts to retrieve the product for a policy", r: getAs("/policies/"+w.pol2+"/product", bearer(w.licTok)), status: 404},
		{name: prod + "User attempts to retrieve the product for their policy", r: getAs("/policies/"+w.pol+"/product", bearer(w.userTok)), status: 403, detail: userLacks},
		{name: prod + "User attempts to retrieve the product for a policy", r: getAs("/policies/"+w.pol2+"/product", bearer(w.userTok)), status: 404},
		{name: prod + "Admin attempts to retrieve the product for a policy of another account", r: getAs("/policies/"+w.pol+"/product", foreign), status: 401},
	})
	// After two pops the pool is empty.
	assert.Len(t, tt.get(pp).list(), 0)
}

func TestG1KeyRelationships(t *testing.T) {
	w := newTeamWorld(t).addLicensees().addPoolsAndMachines()
	tt := w
	foreign := bearer(newWorld(t).srv.AdminToken)
	var cases []apiCase
	for _, rel := range []struct{ name, want string }{{"policy", w.poolPol}, {"product", w.prod}} {
		f := "keys/relationships/" + rel.name + ".feature: "
		p := "/keys/" + w.key0 + "/" + rel.name
		cases = append(cases,
			apiCase{name: f + "Admin retrieves the " + rel.name + " for a key", r: getAs(p, ""), status: 200, check: dataID(rel.want)},
			apiCase{name: f + "Product retrieves the " + rel.name + " for a key", r: getAs(p, bearer(w.prodTok)), status: 200, check: dataID(rel.want)},
			apiCase{name: f + "Product retrieves the " + rel.name + " for a key of another product", r: getAs(p, bearer(w.prod2Tok)), status: 404},
			apiCase{name: f + "License attempts to retrieve the " + rel.name + " for a key", r: getAs(p, bearer(w.licTok)), status: 404},
			apiCase{name: f + "User attempts to retrieve the " + rel.name + " for a key", r: getAs(p, bearer(w.userTok)), status: 404},
			apiCase{name: f + "Admin attempts to retrieve the " + rel.name + " for a key of another account", r: getAs(p, foreign), status: 401},
		)
	}
	tt.run(t, cases)
}

func TestG1ProductRelationships(t *testing.T) {
	w := newTeamWorld(t).addLicensees().addPoolsAndMachines()
	tt := w
	foreign := bearer(newWorld(t).srv.AdminToken)
	var cases []apiCase
	for _, rel := range []struct {
		name, perm, one string
		n               int
	}{{"policies", "policy", w.pol, 3}, {"licenses", "license", w.lic, 2}, {"machines", "machine", "fp-m1", 2}, {"users", "user", "user@example.com", 3}} {
		f := "products/relationships/" + rel.name + ".feature: "
		p := "/products/" + w.prod + "/" + rel.name
		cases = append(cases,
			apiCase{name: f + "Admin retrieves the " + rel.name + " for a product", r: getAs(p, ""), status: 200, check: listLen(rel.n)},
			apiCase{name: f + "Product retrieves the " + rel.name + " for a product", r: getAs(p, bearer(w.prodTok)), status: 200, check: listLen(rel.n)},
			apiCase{name: f + "Admin retrieves a " + rel.perm + " for a product", r: getAs(p+"/"+rel.one, ""), status: 200},
			apiCase{name: f + "Product retrieves a " + rel.perm + " for a product", r: getAs(p+"/"+rel.one, bearer(w.prodTok)), status: 200},
			apiCase{name: f + "Product retrieves the " + rel.name + " of another product", r: getAs("/products/"+w.prod2+"/"+rel.name, bearer(w.prodTok)), status: 404},
			apiCase{name: f + "License attempts to retrieve the " + rel.name + " for a product", r: getAs("/products/"+w.prod2+"/"+rel.name, bearer(w.licTok)), status: 404},
			apiCase{name: f + "User attempts to retrieve the " + rel.name + " for their product", r: getAs(p, bearer(w.userTok)), status: 403},
			apiCase{name: f + "User attempts to retrieve the " + rel.name + " for a product", r: getAs(p, bearer(w.user2Tok)), status: 404},
			apiCase{name: f + "Admin attempts to retrieve the " + rel.name + " for a product of another account", r: getAs(p, foreign), status: 401},
		)
	}
	pr := "products/relationships/"
	cases = append(cases,
		apiCase{name: pr + "policies.feature: License attempts to retrieve the policies for their product", r: getAs("/products/"+w.prod+"/policies", bearer(w.licTok)), status: 403, detail: licLacks},
		apiCase{name: pr + "licenses.feature: License attempts to retrieve the licenses for their product", r: getAs("/products/"+w.prod+"/licenses", bearer(w.licTok)), status: 403, detail: denied},
		apiCase{name: pr + "machines.feature: License attempts to retrieve the machines for their product", r: getAs("/products/"+w.prod+"/machines", bearer(w.licTok)), status: 403, detail: denied},
		apiCase{name: pr + "users.feature: License attempts to retrieve the users for their product", r: getAs("/products/"+w.prod+"/users", bearer(w.licTok)), status: 403, detail: licLacks},
		apiCase{name: pr + "licenses.feature: Admin retrieves a license for a product by key", r: getAs("/products/"+w.prod+"/licenses/"+w.lic2, ""), status: 404},
	)
	tt.run(t, cases)
}

func TestG1UserRelationships(t *testing.T) {
	w := newTeamWorld(t).addLicensees().addPoolsAndMachines()
	tt := w
	foreign := bearer(newWorld(t).srv.AdminToken)
	ul, um, up := "users/relationships/licenses.feature: ", "users/relationships/machines.feature: ", "users/relationships/products.feature: "
	u := "/users/" + w.user
	tt.run(t, []apiCase{
		{name: ul + "Admin retrieves the licenses for a user", r: getAs(u+"/licenses", ""), status: 200, check: listLen(1)},
		{name: ul + "Admin retrieves the licenses for a user (licensee)", r: getAs("/users/"+w.user3+"/licenses", ""), status: 200, check: listLen(1)},
		{name: ul + "Product retrieves the licenses for a user", r: getAs(u+"/licenses", bearer(w.prodTok)), status: 200, check: listLen(1)},
		{name: ul + "Admin retrieves a license for a user", r: getAs(u+"/licenses/"+w.lic, ""), status: 200, check: dataID(w.lic)},
		{name: ul + "Product retrieves a license for a user", r: getAs(u+"/licenses/"+w.lic, bearer(w.prodTok)), status: 200, check: dataID(w.lic)},
		{name: ul + "Product retrieves the licenses of a user from another product", r: getAs(u+"/licenses", bearer(w.prod2Tok)), status: 200, check: listLen(0)},
		{name: ul + "License attempts to retrieve the licenses for another user", r: getAs("/users/"+w.user2+"/licenses", bearer(w.licTok)), status: 404},
		{name: ul + "License attempts to retrieve their user's licenses", r: getAs(u+"/licenses", bearer(w.licTok)), status: 403, detail: denied},
		{name: ul + "User attempts to retrieve the licenses for another user", r: getAs("/users/"+w.user2+"/licenses", bearer(w.userTok)), status: 404},
		{name: ul + "User attempts to retrieve the licenses for an associated user", r: getAs(u+"/licenses", bearer(w.user3Tok)), status: 403},
		{name: ul + "User attempts to retrieve their licenses", r: getAs(u+"/licenses", bearer(w.userTok)), status: 200, check: listLen(1)},
		{name: ul + "Anonymous attempts to retrieve licenses for a user", r: getAs(u+"/licenses", "-"), status: 401},
		{name: ul + "Admin attempts to retrieve the licenses for a user of another account", r: getAs(u+"/licenses", foreign), status: 401},

		{name: um + "Admin retrieves the machines for a user", r: getAs(u+"/machines", ""), status: 200, check: listLen(1)},
		{name: um + "Product retrieves the machines for a user", r: getAs(u+"/machines", bearer(w.prodTok)), status: 200, check: listLen(1)},
		{name: um + "Admin retrieves a machine for a user", r: getAs(u+"/machines/"+w.m1, ""), status: 200, check: dataID(w.m1)},
		{name: um + "Product retrieves a machine for a user", r: getAs(u+"/machines/"+w.m1, bearer(w.prodTok)), status: 200, check: dataID(w.m1)},
		{name: um + "Product retrieves the machines of a user from another product", r: getAs(u+"/machines", bearer(w.prod2Tok)), status: 200, check: listLen(0)},
		{name: um + "License attempts to retrieve the machines for another user", r: getAs("/users/"+w.user2+"/machines", bearer(w.licTok)), status: 404},
		{name: um + "License attempts to retrieve their user's machines", r: getAs(u+"/machines", bearer(w.licTok)), status: 403},
		{name: um + "User attempts to retrieve the machines for another user", r: getAs("/users/"+w.user2+"/machines", bearer(w.userTok)), status: 404},
		{name: um + "User attempts to retrieve the machines for an associated user", r: getAs(u+"/machines", bearer(w.user3Tok)), status: 403},
		{name: um + "User attempts to retrieve their machines", r: getAs(u+"/machines", bearer(w.userTok)), status: 200, check: listLen(1)},
		{name: um + "Admin attempts to retrieve the machines for a user of another account", r: getAs(u+"/machines", foreign), status: 401},

		{name: up + "Admin retrieves the products for a user", r: getAs(u+"/products", ""), status: 200, check: listLen(1)},
		{name: up + "Product retrieves the products for a user", r: getAs(u+"/products", bearer(w.prodTok)), status: 200, check: listLen(1)},
		{name: up + "Admin retrieves a product for a user", r: getAs(u+"/products/"+w.prod, ""), status: 200, check: dataID(w.prod)},
		{name: up + "Product retrieves a product for a user", r: getAs(u+"/products/"+w.prod, bearer(w.prodTok)), status: 200, check: dataID(w.prod)},
		{name: up + "License attempts to retrieve the products for their user", r: getAs(u+"/products", bearer(w.licTok)), status: 403, detail: licLacks},
		{name: up + "License attempts to retrieve the products for a user", r: getAs("/users/"+w.user2+"/products", bearer(w.licTok)), status: 404},
		{name: up + "User attempts to retrieve their products", r: getAs(u+"/products", bearer(w.userTok)), status: 403, detail: userLacks},
		{name: up + "User attempts to retrieve the products for an associated user", r: getAs(u+"/products", bearer(w.user3Tok)), status: 403},
		{name: up + "User attempts to retrieve the products for another user", r: getAs("/users/"+w.user2+"/products", bearer(w.userTok)), status: 404},
		{name: up + "Admin attempts to retrieve the products for a user of another account", r: getAs(u+"/products", foreign), status: 401},
	})
}

func TestG1MachineRelationships(t *testing.T) {
	w := newTeamWorld(t).addLicensees().addPoolsAndMachines()
	tt := w
	foreign := bearer(newWorld(t).srv.AdminToken)
	ml, mo, mp, mu := "machines/relationships/license.feature: ", "machines/relationships/owner.feature: ", "machines/relationships/product.feature: ", "machines/relationships/v1x5/user.feature: "
	m := func(id, rel string) string { return "/machines/" + id + "/" + rel }
	v15 := map[string]string{"Keygen-Version": "1.5"}
	tt.run(t, []apiCase{
		{name: ml + "Admin retrieves the license for a machine", r: getAs(m(w.m1, "license"), ""), status: 200, check: dataID(w.lic)},
		{name: ml + "Admin retrieves the license for a machine (by fingerprint)", r: getAs(m("fp-m1", "license"), ""), status: 200, check: dataID(w.lic)},
		{name: ml + "Product retrieves the license for a machine", r: getAs(m(w.m1, "license"), bearer(w.prodTok)), status: 200, check: dataID(w.lic)},
		{name: ml + "Product retrieves the license for a machine of another product", r: getAs(m(w.m1, "license"), bearer(w.prod2Tok)), status: 404},
		{name: ml + "User attempts to retrieve the license for a machine they own", r: getAs(m(w.m1, "license"), bearer(w.userTok)), status: 200},
		{name: ml + "User attempts to retrieve the license for a machine they have", r: getAs(m(w.m1, "license"), bearer(w.user3Tok)), status: 200},
		{name: ml + "User attempts to retrieve the license for a machine they don't own", r: getAs(m(w.m1, "license"), bearer(w.user2Tok)), status: 404},
		{name: ml + "License attempts to retrieve themself", r: getAs(m(w.m1, "license"), bearer(w.licTok)), status: 200, check: dataID(w.lic)},
		{name: ml + "License attempts to retrieve the license for a machine they don't own", r: getAs(m(w.m2, "license"), bearer(w.licTok)), status: 404},
		{name: ml + "Admin attempts to retrieve the license for a machine of another account", r: getAs(m(w.m1, "license"), foreign), status: 401},

		{name: mo + "Admin retrieves the owner for a machine (license owner exists)", r: getAs(m(w.m1, "owner"), ""), status: 200, check: dataID(w.user)},
		{name: mo + "Admin retrieves the owner a machine (no owner)", r: getAs(m(w.m2, "owner"), ""), status: 200, check: dataNull},
		{name: mo + "Product retrieves the owner for a machine", r: getAs(m(w.m1, "owner"), bearer(w.prodTok)), status: 200, check: dataID(w.user)},
		{name: mo + "Product retrieves the owner for a machine of another product", r: getAs(m(w.m1, "owner"), bearer(w.prod2Tok)), status: 404},
		{name: mo + "User attempts to retrieve the owner for a machine they own", r: getAs(m(w.m1, "owner"), bearer(w.userTok)), status: 200},
		{name: mo + "User attempts to retrieve the owner for a machine they're associated to", r: getAs(m(w.m1, "owner"), bearer(w.user3Tok)), status: 200},
		{name: mo + "User attempts to retrieve the owner for a machine they're not associated to", r: getAs(m(w.m1, "owner"), bearer(w.user2Tok)), status: 404},
		{name: mo + "License attempts to retrieve their owner (default permission)", r: getAs(m(w.m1, "owner"), bearer(w.licTok)), status: 403, detail: licLacks},
		{name: mo + "License attempts to retrieve their owner (has permission)", r: getAs(m(w.m3, "owner"), bearer(w.licPermTok)), status: 200, check: dataID(w.user4)},
		{name: mo + "License attempts to retrieve the owner for another machine", r: getAs(m(w.m1, "owner"), bearer(w.licPermTok)), status: 404},
		{name: mo + "Admin attempts to retrieve the owner for a machine of another account", r: getAs(m(w.m1, "owner"), foreign), status: 401},

		{name: mp + "Admin retrieves the product for a machine", r: getAs(m(w.m1, "product"), ""), status: 200, check: dataID(w.prod)},
		{name: mp + "Product retrieves the product for a machine", r: getAs(m(w.m1, "product"), bearer(w.prodTok)), status: 200, check: dataID(w.prod)},
		{name: mp + "Product retrieves the product for a machine of another product", r: getAs(m(w.m1, "product"), bearer(w.prod2Tok)), status: 404},
		{name: mp + "License attempts to retrieve the product for a machine", r: getAs(m(w.m2, "product"), bearer(w.licTok)), status: 404},
		{name: mp + "License retrieves the product for its machine (permission, owner lacks it)", r: getAs(m(w.m3, "product"), bearer(w.licPermTok)), status: 403},
		{name: mp + "User attempts to retrieve the product for their machine (license owner)", r: getAs(m(w.m1, "product"), bearer(w.userTok)), status: 403, detail: userLacks},
		{name: mp + "User attempts to retrieve the product for their machine (licenses)", r: getAs(m(w.m1, "product"), bearer(w.user3Tok)), status: 403},
		{name: mp + "User attempts to retrieve the product for a machine", r: getAs(m(w.m1, "product"), bearer(w.user2Tok)), status: 404},
		{name: mp + "Admin attempts to retrieve the product for a machine of another account", r: getAs(m(w.m1, "product"), foreign), status: 401},

		{name: mu + "Admin retrieves the user for a machine", r: req{method: "GET", path: m(w.m1, "user"), headers: v15}, status: 200, check: dataID(w.user)},
		{name: mu + "Product retrieves the user for a machine", r: req{method: "GET", path: m(w.m1, "user"), auth: bearer(w.prodTok), headers: v15}, status: 200, check: dataID(w.user)},
		{name: mu + "Product retrieves the user for a machine of another product", r: req{method: "GET", path: m(w.m1, "user"), auth: bearer(w.prod2Tok), headers: v15}, status: 404},
		{name: mu + "User attempts to retrieve the user for a machine they own", r: req{method: "GET", path: m(w.m1, "user"), auth: bearer(w.userTok), headers: v15}, status: 200},
		{name: mu + "User attempts to retrieve the user for a machine they have", r: req{method: "GET", path: m(w.m1, "user"), auth: bearer(w.user3Tok), headers: v15}, status: 403},
		{name: mu + "User attempts to retrieve the user for a machine they don't own", r: req{method: "GET", path: m(w.m1, "user"), auth: bearer(w.user2Tok), headers: v15}, status: 404},
		{name: mu + "License attempts to retrieve their user (default permission)", r: req{method: "GET", path: m(w.m1, "user"), auth: bearer(w.licTok), headers: v15}, status: 403},
		{name: mu + "License attempts to retrieve their user (has permission)", r: req{method: "GET", path: m(w.m3, "user"), auth: bearer(w.licPermTok), headers: v15}, status: 200, check: dataID(w.user4)},
		{name: mu + "License attempts to retrieve the user for a different license", r: req{method: "GET", path: m(w.m1, "user"), auth: bearer(w.licPermTok), headers: v15}, status: 404},
		{name: mu + "Admin attempts to retrieve the user for a machine of another account", r: req{method: "GET", path: m(w.m1, "user"), auth: foreign, headers: v15}, status: 401},
	})

	put := func(id, auth string, data any) req {
		return req{method: "PUT", path: m(id, "owner"), auth: auth, body: map[string]any{"data": data}}
	}
	owner := func(id string) func(t *testing.T, w *world, r *reply) {
		return func(t *testing.T, _ *world, r *reply) {
			assertLinkage(t, r, "owner", id)
		}
	}
	tt.run(t, []apiCase{
		{name: mo + "Admin changes a machine's owner relationship to another user", r: put(w.m1, "", link("users", w.user3)["data"]), status: 200, check: owner(w.user3)},
		{name: mo + "Admin changes a machine's owner relationship to a user they're not associated to", r: put(w.m1, "", link("users", w.user2)["data"]), status: 422,
			title: unprocessed, detail: "must be a valid license user", code: "OWNER_INVALID", source: map[string]any{"pointer": "/data/relationships/owner"}},
		{name: mo + "Admin removes a machine's owner relationship", r: put(w.m1, "", nil), status: 200, check: owner("")},
		{name: mo + "Admin changes a machine's owner relationship to a non-existent user", r: put(w.m1, "", map[string]any{"type": "users", "id": "8784f31d-ab66-4384-9fec-e69f1cdb189b"}), status: 422,
			title: unprocessed, detail: "must exist", code: "OWNER_NOT_FOUND", source: map[string]any{"pointer": "/data/relationships/owner"}},
		{name: mo + "Admin changes a machine's owner relationship to a user for another account", r: put(w.m1, "", map[string]any{"type": "users", "id": newWorld(t).get("/me").id()}), status: 422,
			code: "OWNER_NOT_FOUND"},
		{name: mo + "Product changes a machine's owner relationship to another user", r: put(w.m1, bearer(w.prodTok), link("users", w.user)["data"]), status: 200, check: owner(w.user)},
		{name: mo + "Product changes a machine's owner relationship to another user (another product)", r: put(w.m1, bearer(w.prod2Tok), link("users", w.user)["data"]), status: 404},
		{name: mo + "Owner attempts to change their machine's owner relationship", r: put(w.m1, bearer(w.userTok), link("users", w.user3)["data"]), status: 403, detail: userLacks},
		{name: mo + "User attempts to change their machine's owner relationship", r: put(w.m1, bearer(w.user3Tok), link("users", w.user3)["data"]), status: 403},
		{name: mo + "User attempts to change a license's owner relationship", r: put(w.m1, bearer(w.user2Tok), link("users", w.user2)["data"]), status: 404},
		{name: mo + "License attempts to change their machine's owner relationship", r: put(w.m1, bearer(w.licTok), link("users", w.user3)["data"]), status: 403},
		{name: mo + "License attempts to change a machine's owner relationship", r: put(w.m2, bearer(w.licTok), nil), status: 404},
		{name: mo + "Anonymous attempts to change a machine's owner relationship", r: put(w.m1, "-", nil), status: 401},
	})
}

func TestG1LicenseRelationships(t *testing.T) {
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

// assertLinkage checks a to-one users linkage of the answer: the user, or null for "".
func assertLinkage(t *testing.T, r *reply, rel, id string) {
	rels, _ := r.data()["relationships"].(map[string]any)
	got, _ := rels[rel].(map[string]any)
	if assert.Contains(t, got, "data", string(r.body)) && id == "" {
		assert.Nil(t, got["data"])
		return
	}
	assert.Equal(t, map[string]any{"type": "users", "id": id}, got["data"])
}
