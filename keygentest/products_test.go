package keygentest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Products: create, show, index, update, destroy and the staff roles
// (features/api/v1/products/*.feature).

// TestProducts pins the product routes (app/controllers/api/v1/products_controller.rb).
func TestProducts(t *testing.T) {
	t.Parallel()
	tt := newWorld(t)
	r := tt.do(req{method: "POST", path: "/products", body: doc("products", map[string]any{
		"name": "Cool App", "code": "cool", "url": "http://example.com", "platforms": []string{"iOS"}}, nil)})
	require.Equal(t, 201, r.status, string(r.body))
	id := r.id()
	assert.Equal(t, "LICENSED", r.attrs()["distributionStrategy"], "default distribution")
	assert.Equal(t, map[string]any{}, r.attrs()["metadata"], "metadata {} when empty")
	assert.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`, r.attrs()["created"], "time format")
	assert.Equal(t, tt.srv.URL+"/v1/accounts/"+tt.srv.AccountID+"/products/"+id, r.header.Get("Location"))
	rel := r.data()["relationships"].(map[string]any)
	assert.Equal(t, map[string]any{"links": map[string]any{"related": "/v1/accounts/" + tt.srv.AccountID + "/products/" + id + "/policies"}}, rel["policies"])

	assert.Equal(t, id, tt.get("/products/COOL").id(), "code alias, case-insensitive")

	cases := []struct {
		name    string
		attrs   map[string]any
		code    string
		pointer string
	}{
		{"CODE_TAKEN", map[string]any{"name": "x", "code": "Cool"}, "CODE_TAKEN", "/data/attributes/code"},
		{"bad protocol", map[string]any{"name": "x", "url": "file:///boom.sh"}, "URL_PROTOCOL_INVALID", "/data/attributes/url"},
		{"distribution", map[string]any{"name": "x", "distributionStrategy": "FREE"}, "DISTRIBUTION_STRATEGY_NOT_ALLOWED", "/data/attributes/distributionStrategy"},
		{"reserved code", map[string]any{"name": "x", "code": "actions"}, "CODE_NOT_ALLOWED", "/data/attributes/code"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := tt.do(req{method: "POST", path: "/products", body: doc("products", c.attrs, nil)})
			require.Equal(t, 422, r.status, string(r.body))
			assert.Equal(t, "Unprocessable resource", r.err(0)["title"])
			assert.Equal(t, c.code, r.code())
			assert.Equal(t, c.pointer, r.source()["pointer"])
		})
	}

	t.Run("update via PATCH and PUT, nullable url", func(t *testing.T) {
		r := tt.do(req{method: "PATCH", path: "/products/" + id, body: doc("products", map[string]any{"url": nil}, nil)})
		require.Equal(t, 200, r.status, string(r.body))
		assert.Nil(t, r.attrs()["url"])
		r = tt.do(req{method: "PUT", path: "/products/" + id, body: doc("products", map[string]any{"name": "Renamed"}, nil)})
		require.Equal(t, 200, r.status)
		assert.Equal(t, "Renamed", r.attrs()["name"])
	})
	t.Run("a product sees only itself", func(t *testing.T) {
		other := tt.product()
		_, tok := tt.tokenFor("products", other, nil)
		assert.Equal(t, 404, tt.do(req{method: "GET", path: "/products/" + id, auth: "Bearer " + tok}).status)
		assert.Equal(t, 200, tt.do(req{method: "GET", path: "/products/" + other, auth: "Bearer " + tok}).status)
		assert.Equal(t, 403, tt.do(req{method: "DELETE", path: "/products/" + other, auth: "Bearer " + tok}).status)
	})
	t.Run("delete 204 then 404", func(t *testing.T) {
		r := tt.do(req{method: "DELETE", path: "/products/" + id})
		assert.Equal(t, 204, r.status)
		assert.Empty(t, r.body)
		r = tt.get("/products/" + id)
		assert.Equal(t, 404, r.status)
		assert.Equal(t, "The requested product '"+id+"' was not found", r.detail())
	})
}

func TestProductsFeatures(t *testing.T) {
	t.Parallel()
	w := newTeamWorld(t).addLicensees()
	tt := w
	foreign := bearer(newWorld(t).srv.AdminToken)
	closed := tt.mustCreate("/products", "products", map[string]any{"name": "Closed", "distributionStrategy": "CLOSED"}, nil)
	tt.mustCreate("/products", "products", map[string]any{"name": "Open", "distributionStrategy": "OPEN"}, nil)
	ps := "products/show.feature: "
	pi := "products/index.feature: "
	get := func(path, auth string) req { return req{method: "GET", path: path, auth: auth} }
	permUser := tt.createUser("perm@example.com")
	tt.srv.mu.Lock()
	tt.srv.db.users[permUser].Permissions = []string{"user.read", "product.read", "policy.read"}
	tt.srv.mu.Unlock()
	tt.licenseOwnedBy(w.pol, permUser)
	_, permUserTok := tt.tokenFor("users", permUser, nil)
	tt.run(t, []apiCase{
		{name: ps + "Admin retrieves a product for their account", r: get("/products/"+w.prod, ""), status: 200, attrs: map[string]any{"name": "App"}},
		{name: ps + "Sales retrieves a product for their account", r: get("/products/"+w.prod, bearer(w.salesTok)), status: 200},
		{name: ps + "Support retrieves a product for their account", r: get("/products/"+w.prod, bearer(w.supportTok)), status: 200},
		{name: ps + "Read-only retrieves a product for their account", r: get("/products/"+w.prod, bearer(w.roTok)), status: 200},
		{name: ps + "Admin retrieves an invalid product for their account", r: get("/products/invalid", ""), status: 404,
			detail: "The requested product 'invalid' was not found", code: "NOT_FOUND"},
		{name: ps + "Admin attempts to retrieve a product for another account", r: get("/products/"+w.prod, foreign), status: 401},
		{name: ps + "Product retrieves itself", r: get("/products/"+w.prod, bearer(w.prodTok)), status: 200},
		{name: ps + "Product attempts to retrieve another product", r: get("/products/"+w.prod2, bearer(w.prodTok)), status: 404},
		{name: ps + "License attempts to retrieve their product (default permissions)", r: get("/products/"+w.prod, bearer(w.licTok)), status: 403,
			detail: "You do not have permission to complete the request (license lacks permission to perform action)"},
		{name: ps + "License attempts to retrieve their product (explicit permission)", r: get("/products/"+w.prod, bearer(w.licPermTok)), status: 200},
		{name: ps + "License attempts to retrieve a product", r: get("/products/"+w.prod2, bearer(w.licTok)), status: 404},
		{name: ps + "User attempts to retrieve their product (default permissions)", r: get("/products/"+w.prod, bearer(w.userTok)), status: 403,
			detail: "You do not have permission to complete the request (user lacks permission to perform action)"},
		{name: ps + "User attempts to retrieve their product (explicit permission)", r: get("/products/"+w.prod, bearer(permUserTok)), status: 200},
		{name: ps + "User attempts to retrieve a product", r: get("/products/"+w.prod2, bearer(w.userTok)), status: 404},
		{name: ps + "User attempts to retrieve a closed product", r: get("/products/"+closed, bearer(permUserTok)), status: 404},

		{name: pi + "Admin retrieves all products for their account", r: get("/products", ""), status: 200, check: listLen(4)},
		{name: pi + "Support retrieves all products for their account", r: get("/products", bearer(w.supportTok)), status: 200, check: listLen(4)},
		{name: pi + "Product attempts to retrieve all products", r: get("/products", bearer(w.prodTok)), status: 403},
		{name: pi + "License attempts to retrieve their products (default permissions)", r: get("/products", bearer(w.licTok)), status: 403},
		{name: pi + "License attempts to retrieve their products (explicit permission)", r: get("/products", bearer(w.licPermTok)), status: 200, check: listLen(2)},
		{name: pi + "User attempts to retrieve their products (default permissions)", r: get("/products", bearer(w.userTok)), status: 403},
		{name: pi + "User attempts to retrieve their products (explicit permission)", r: get("/products", bearer(permUserTok)), status: 200, check: listLen(2)},
		{name: pi + "Admin retrieves all products with a limit that is too low", r: get("/products?limit=0", ""), status: 400},
	})

	pu2 := "products/update.feature: "
	pdl := "products/destroy.feature: "
	pcr := "products/create.feature: "
	patchProd := func(id, auth string) req {
		return req{method: "PATCH", path: "/products/" + id, auth: auth, body: doc("products", map[string]any{"platforms": []string{"Nintendo"}}, nil)}
	}
	rmProd := func(id, auth string) req { return req{method: "DELETE", path: "/products/" + id, auth: auth} }
	newProd := func(auth string) req {
		return req{method: "POST", path: "/products", auth: auth, body: doc("products", map[string]any{"name": "Cool App"}, nil)}
	}
	tt.run(t, []apiCase{
		{name: pcr + "Developer creates a product for their account", r: newProd(bearer(w.devTok)), status: 201, attrs: map[string]any{"name": "Cool App", "distributionStrategy": "LICENSED"}},
		{name: pcr + "Sales attempts to create a product for their account", r: newProd(bearer(w.salesTok)), status: 403},
		{name: pcr + "Support attempts to create a product for their account", r: newProd(bearer(w.supportTok)), status: 403},
		{name: pcr + "Read-only attempts to create a product for their account", r: newProd(bearer(w.roTok)), status: 403},
		{name: pcr + "Product attempts to create a product for their account", r: newProd(bearer(w.prodTok)), status: 403},
		{name: pu2 + "Developer updates a product for their account", r: patchProd(w.prod, bearer(w.devTok)), status: 200, attrs: map[string]any{"platforms": []any{"Nintendo"}}},
		{name: pu2 + "Sales updates a product for their account", r: patchProd(w.prod, bearer(w.salesTok)), status: 403},
		{name: pu2 + "Support updates a product for their account", r: patchProd(w.prod, bearer(w.supportTok)), status: 403},
		{name: pu2 + "Read-only updates a product for their account", r: patchProd(w.prod, bearer(w.roTok)), status: 403},
		{name: pu2 + "Product updates the platforms for itself", r: patchProd(w.prod, bearer(w.prodTok)), status: 200},
		{name: pu2 + "Product attempts to update the platforms for another product", r: patchProd(w.prod2, bearer(w.prodTok)), status: 404},
		{name: pu2 + "License attempts to update the platforms for their product", r: patchProd(w.prod, bearer(w.licPermTok)), status: 403},
		{name: pu2 + "License attempts to update the platforms for a product", r: patchProd(w.prod2, bearer(w.licTok)), status: 404},
		{name: pu2 + "User attempts to update the platforms for their product", r: patchProd(w.prod, bearer(permUserTok)), status: 403},
		{name: pu2 + "User attempts to update the platforms for a product", r: patchProd(w.prod2, bearer(w.userTok)), status: 404},
		{name: pu2 + "Admin removes a product's platforms", r: req{method: "PATCH", path: "/products/" + w.prod, body: doc("products", map[string]any{"platforms": nil}, nil)}, status: 200, attrs: map[string]any{"platforms": nil}},
		{name: pdl + "Sales attempts to delete one of their products", r: rmProd(w.prod, bearer(w.salesTok)), status: 403},
		{name: pdl + "Read-only attempts to delete one of their products", r: rmProd(w.prod, bearer(w.roTok)), status: 403},
		{name: pdl + "Product deletes itself", r: rmProd(w.prod, bearer(w.prodTok)), status: 403},
		{name: pdl + "Product attempts to delete another product for their account", r: rmProd(w.prod2, bearer(w.prodTok)), status: 404},
		{name: pdl + "License attempts to delete their product", r: rmProd(w.prod, bearer(w.licPermTok)), status: 403},
		{name: pdl + "License attempts to delete a product", r: rmProd(w.prod2, bearer(w.licTok)), status: 404},
		{name: pdl + "User attempts to delete a one of their products", r: rmProd(w.prod, bearer(permUserTok)), status: 403},
		{name: pdl + "User attempts to delete a product", r: rmProd(w.prod2, bearer(w.userTok)), status: 404},
		{name: pdl + "Anonymous attempts to delete a product", r: rmProd(w.prod, "-"), status: 401},
		{name: pdl + "Developer deletes one of their products", r: rmProd(closed, bearer(w.devTok)), status: 204},
	})
	require.NotEmpty(t, w.prod)
}

func TestProductsValidation(t *testing.T) {
	t.Parallel()
	tt := newWorld(t)
	tt.product()
	ptr := func(attr string) map[string]any { return map[string]any{"pointer": "/data/attributes/" + attr} }
	inv := func(name string, r req, code, attr, detail string) apiCase {
		return apiCase{name: name, r: r, status: 422, title: "Unprocessable resource", code: code, source: ptr(attr), detail: detail}
	}
	tt.run(t, []apiCase{
		inv("products/create.feature: Admin creates a product with an invalid distribution strategy",
			req{method: "POST", path: "/products", body: doc("products", map[string]any{"name": "X", "distributionStrategy": "PRIVATE"}, nil)},
			"DISTRIBUTION_STRATEGY_NOT_ALLOWED", "distributionStrategy", "unsupported distribution strategy"),
		{name: "products/create.feature: Admin creates a product with an invalid URL for their account",
			r: req{method: "POST", path: "/products", body: doc("products", map[string]any{"name": "X", "url": "file:///boom.sh"}, nil)}, status: 422},
		{name: "products/create.feature: Admin attempts to create an incomplete product for their account",
			r: req{method: "POST", path: "/products", body: doc("products", map[string]any{"url": "https://example.com"}, nil)}, status: 400},
	})
}

func TestProductsWire(t *testing.T) {
	t.Parallel()
	tt := newResourceWorld(t)
	acct := tt.srv.AccountID
	prod, userTok := tt.prod, tt.userTok
	tt.run(t, []apiCase{
		{name: "user sees no licensed product", r: req{method: "GET", path: "/products/" + prod, auth: "Bearer " + userTok}, status: 404,
			detail: "The requested product '" + prod + "' was not found"},
		// ProductPolicy#create? verifies product.create first; USER_PERMISSIONS lacks it.
		{name: "user may not create products", r: req{method: "POST", path: "/products", auth: "Bearer " + userTok, body: doc("products", map[string]any{"name": "x"}, nil)}, status: 403,
			title: "Access denied", detail: "You do not have permission to complete the request (user lacks permission to perform action)"},
		{name: "URL_INVALID", r: req{method: "POST", path: "/products", body: doc("products", map[string]any{"name": "x", "url": "not a url"}, nil)}, status: 422},
		{name: "links", r: req{method: "GET", path: "/products/" + prod}, status: 200, check: func(t *testing.T, _ *world, r *reply) {
			assert.Equal(t, "/v1/accounts/"+acct+"/products/"+prod, r.data()["links"].(map[string]any)["self"])
			rels := r.data()["relationships"].(map[string]any)
			assert.Equal(t, map[string]any{"links": map[string]any{"related": "/v1/accounts/" + acct}, "data": map[string]any{"type": "accounts", "id": acct}}, rels["account"])
		}},
	})
}

func TestProductsStaff(t *testing.T) {
	t.Parallel()
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
