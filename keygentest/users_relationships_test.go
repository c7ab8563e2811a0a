package keygentest

import "testing"

// User relationships: licenses, machines and products
// (features/api/v1/users/relationships/*.feature).

func TestUsersRelationships(t *testing.T) {
	t.Parallel()
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
