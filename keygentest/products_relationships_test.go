package keygentest

import "testing"

// Product relationships: policies, licenses, machines and users
// (features/api/v1/products/relationships/*.feature).

func TestProductsRelationships(t *testing.T) {
	t.Parallel()
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
