package keygentest

import "testing"

// Machine relationships: license, owner, product and user
// (features/api/v1/machines/relationships/*.feature).

func TestMachinesRelationships(t *testing.T) {
	t.Parallel()
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
