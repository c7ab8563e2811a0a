package keygentest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pkgBody is a package document of a product.
func pkgBody(prod string, attrs map[string]any) map[string]any {
	return doc("packages", attrs, map[string]any{"product": link("products", prod)})
}

// TestPackagesCreate pins features/api/v1/packages/create.feature.
func TestPackagesCreate(t *testing.T) {
	t.Parallel()
	const f = "packages/create.feature: "
	post := func(attrs map[string]any) func(w *world) req {
		return func(w *world) req { return req{method: "POST", path: "/packages", body: pkgBody(w.prod, attrs)} }
	}
	runEach(t, newProductWorld, []apiCase{
		{name: f + "Admin creates a package for their account", setup: post(map[string]any{"name": "Cool Package", "key": "cool"}), status: 201,
			attrs: map[string]any{"name": "Cool Package", "key": "cool", "engine": nil, "metadata": map[string]any{}},
			check: func(t *testing.T, w *world, r *reply) {
				assert.Equal(t, map[string]any{"links": map[string]any{"related": "/v1/accounts/" + w.srv.AccountID + "/products/" + w.prod},
					"data": map[string]any{"type": "products", "id": w.prod}}, rel(r, "product"))
			}},
		{name: f + "Admin creates a pypi package", setup: post(map[string]any{"name": "Py", "key": "py", "engine": "pypi"}), status: 201, attrs: map[string]any{"engine": "pypi"}},
		{name: f + "Admin creates a package with an invalid engine", setup: post(map[string]any{"name": "X", "key": "x", "engine": "cargo"}), status: 400,
			detail: "is invalid", source: map[string]any{"pointer": "/data/attributes/engine"}},
		{name: f + "Admin creates a package with a duplicate key", setup: func(w *world) req {
			w.mustCreate("/packages", "packages", map[string]any{"name": "A", "key": "dup"}, map[string]any{"product": link("products", w.prod)})
			return post(map[string]any{"name": "B", "key": "dup"})(w)
		}, status: 422, code: "KEY_TAKEN", detail: "already exists", source: map[string]any{"pointer": "/data/attributes/key"}},
		{name: f + "Admin creates a package with a reserved key", setup: post(map[string]any{"name": "A", "key": "actions"}), status: 422, code: "KEY_NOT_ALLOWED"},
		{name: f + "License creates a package", setup: func(w *world) req {
			lic := w.licenseOwnedBy(w.policy(w.prod, nil), "")
			return writeAs("POST", "/packages", w.bearerTokenOf("licenses", lic), pkgBody(w.prod, map[string]any{"name": "A", "key": "a"}))
		}, status: 403},
		{name: f + "Product creates a package", setup: func(w *world) req {
			return writeAs("POST", "/packages", w.bearerTokenOf("products", w.prod), pkgBody(w.prod, map[string]any{"name": "A", "key": "a"}))
		}, status: 201},
	})
}

// TestPackagesReadWrite pins packages/{index,show,update,destroy}.feature: filters, who reads
// which package, and the events.
func TestPackagesReadWrite(t *testing.T) {
	t.Parallel()
	w := newTeamWorld(t)
	w.hookEndpoint()
	own := w.mustCreate("/packages", "packages", map[string]any{"name": "Own", "key": "own", "engine": "npm"}, map[string]any{"product": link("products", w.prod)})
	other := w.mustCreate("/packages", "packages", map[string]any{"name": "Other", "key": "other"}, map[string]any{"product": link("products", w.prod2)})
	open := w.mustCreate("/products", "products", map[string]any{"name": "Open", "distributionStrategy": "OPEN"}, nil)
	openPkg := w.mustCreate("/packages", "packages", map[string]any{"name": "Open", "key": "open"}, map[string]any{"product": link("products", open)})
	w.run(t, []apiCase{
		{name: "packages/index.feature: Admin retrieves all packages", r: getAs("/packages", ""), check: listIDs(openPkg, other, own)},
		{name: "packages/index.feature: Admin retrieves packages filtered by product", r: getAs("/packages?product="+w.prod2, ""), check: listIDs(other)},
		{name: "packages/index.feature: Admin retrieves packages filtered by engine", r: getAs("/packages?engine=npm", ""), check: listIDs(own)},
		{name: "packages/index.feature: License retrieves their packages", r: getAs("/packages", bearer(w.licTok)), check: listIDs(openPkg, own)},
		{name: "packages/index.feature: Anonymous retrieves packages", r: getAs("/packages", "-"), check: listIDs(openPkg)},
		{name: "packages/show.feature: Admin retrieves a package by key", r: getAs("/packages/own", ""), check: dataID(own)},
		{name: "packages/show.feature: Anonymous retrieves a LICENSED package", r: getAs("/packages/"+own, "-"), status: 404},
		{name: "packages/show.feature: User retrieves a package of their license", r: getAs("/packages/"+own, bearer(w.userTok)), check: dataID(own)},
		{name: "packages/show.feature: Product retrieves another product's package", r: getAs("/packages/"+other, bearer(w.prodTok)), status: 404},
		{name: "packages/update.feature: Admin updates a package", r: req{method: "PATCH", path: "/packages/" + own, body: doc("packages", map[string]any{"name": "Renamed", "engine": nil}, nil)},
			attrs: map[string]any{"name": "Renamed", "engine": nil}},
		{name: "packages/update.feature: Admin updates a package's key to a taken key", r: req{method: "PATCH", path: "/packages/" + own, body: doc("packages", map[string]any{"key": "other"}, nil)},
			status: 422, code: "KEY_TAKEN"},
		{name: "packages/update.feature: License updates a package", r: writeAs("PATCH", "/packages/"+own, w.licTok, doc("packages", map[string]any{"name": "x"}, nil)), status: 403},
	})
	rel := w.mustCreate("/releases", "releases", map[string]any{"version": "1.0.0", "channel": "stable"},
		map[string]any{"product": link("products", w.prod), "package": link("packages", own)})
	assert.Equal(t, map[string]any{"type": "packages", "id": own}, relData(w.get("/releases/"+rel), "package"))
	assert.Equal(t, []string{rel}, listedIDs(w.get("/releases?package=own")))
	require.Equal(t, 204, w.do(req{method: "DELETE", path: "/packages/" + own}).status)
	assert.Nil(t, relData(w.get("/releases/"+rel), "package"), "the release stays, without a package")
	for _, ev := range []string{"package.updated", "package.deleted"} {
		w.onlyEvent(ev)
	}
	assert.Len(t, w.get("/webhook-events?events[]=package.created").list(), 3)
}

// TestProductDistributionRelationships pins the products' release relationships
// (config/routes.rb: /products/{id}/releases, packages, artifacts, channels, platforms).
func TestProductDistributionRelationships(t *testing.T) {
	t.Parallel()
	w := newTeamWorld(t)
	rel := w.release(w.prod, "1.0.0", "PUBLISHED", nil)
	w.release(w.prod2, "1.0.0", "PUBLISHED", nil)
	pkg := w.mustCreate("/packages", "packages", map[string]any{"name": "P", "key": "p"}, map[string]any{"product": link("products", w.prod)})
	art := w.artifact(rel, "app.exe", []byte("exe"), map[string]any{"platform": "win32"})
	w.run(t, []apiCase{
		{name: "products/relationships/releases.feature: Admin retrieves the releases for a product", r: getAs("/products/"+w.prod+"/releases", ""), check: listIDs(rel)},
		{name: "products/relationships/packages.feature: Admin retrieves the packages for a product", r: getAs("/products/"+w.prod+"/packages", ""), check: listIDs(pkg)},
		{name: "products/relationships/artifacts.feature: Admin retrieves the artifacts for a product", r: getAs("/products/"+w.prod+"/artifacts", ""), check: listIDs(art)},
		{name: "products/relationships/artifacts.feature: Admin retrieves the artifacts for another product", r: getAs("/products/"+w.prod2+"/artifacts", ""), check: listLen(0)},
		{name: "products/relationships/channels.feature: Admin retrieves the channels for a product", r: getAs("/products/"+w.prod+"/channels", ""), check: listLen(1)},
		{name: "products/relationships/platforms.feature: Admin retrieves the platforms for a product", r: getAs("/products/"+w.prod2+"/platforms", ""), check: listLen(0)},
		{name: "products/relationships/releases.feature: License retrieves the releases for another product", r: getAs("/products/"+w.prod2+"/releases", bearer(w.licTok)), status: 404},
	})
}

// TestProductDeleteDropsDistribution: deleting a product removes its releases, packages and
// artifacts with their stored files (products/destroy.feature, dependent: :destroy_async).
func TestProductDeleteDropsDistribution(t *testing.T) {
	t.Parallel()
	w := newProductWorld(t)
	rel := w.release(w.prod, "1.0.0", "PUBLISHED", nil)
	w.mustCreate("/packages", "packages", map[string]any{"name": "P", "key": "p"}, map[string]any{"product": link("products", w.prod)})
	w.artifact(rel, "a.bin", []byte("abc"), nil)
	require.Equal(t, 204, w.do(req{method: "DELETE", path: "/products/" + w.prod}).status)
	for _, path := range []string{"/releases", "/packages", "/artifacts", "/channels", "/platforms"} {
		assert.Empty(t, w.get(path).list(), path)
	}
	w.withStore(func(db *store) { assert.Zero(t, db.dist.blobBytes) })
}

// TestReleasePackageRelationship pins releases/relationships/package.feature: a release moves
// into a package of its product or out of any.
func TestReleasePackageRelationship(t *testing.T) {
	t.Parallel()
	w := newTeamWorld(t)
	rel := w.release(w.prod, "1.0.0", "PUBLISHED", nil)
	pkg := w.mustCreate("/packages", "packages", map[string]any{"name": "P", "key": "p"}, map[string]any{"product": link("products", w.prod)})
	other := w.mustCreate("/packages", "packages", map[string]any{"name": "O", "key": "o"}, map[string]any{"product": link("products", w.prod2)})
	const f = "releases/relationships/package.feature: "
	w.run(t, []apiCase{
		{name: f + "Admin retrieves the package of a release without one", r: getAs("/releases/"+rel+"/package", ""), check: dataNull},
		{name: f + "Admin changes the package of a release", r: req{method: "PUT", path: "/releases/" + rel + "/package", body: link("packages", pkg)}, check: dataID(pkg)},
		{name: f + "Admin retrieves the package of a release", r: getAs("/releases/"+rel+"/package", ""), check: dataID(pkg)},
		{name: f + "Admin changes the package of a release to another product's", r: req{method: "PUT", path: "/releases/" + rel + "/package", body: link("packages", other)},
			status: 422, code: "PACKAGE_NOT_ALLOWED"},
		{name: f + "License changes the package of a release", r: writeAs("PUT", "/releases/"+rel+"/package", w.licTok, link("packages", pkg)), status: 403},
		{name: f + "Product changes the package of their release", r: writeAs("PUT", "/releases/"+rel+"/package", w.prodTok, link("packages", pkg)), check: dataID(pkg)},
		{name: f + "Admin removes the package of a release", r: req{method: "PUT", path: "/releases/" + rel + "/package", body: map[string]any{"data": nil}}, check: dataNull},
	})
}
