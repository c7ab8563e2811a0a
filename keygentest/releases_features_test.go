package keygentest

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The scenarios of features/api/v1/releases/**/*.feature (keygen-sh/keygen-api), one case per
// scenario, named "<file>: <scenario title>". Scenarios that need Keygen EE (environments, the
// permissions attribute), a canceled account, billing tiers, package engines or API 1.0 are
// not here.

// runSeq plays each case's setup on the shared world w, in order (for cases whose requests
// change state, each on records of its own).
func runSeq(t *testing.T, w *world, cases []apiCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.verify(t, w, w.do(c.setup(w)))
		})
	}
}

// relSeq numbers the releases relOf makes, so that versions never collide.
var relSeq atomic.Int64

// relOf makes a stable release of prod ("the current account has 1 release"), with the
// factory's default status PUBLISHED unless status is set (spec/factories/release.rb).
func (w *world) relOf(prod, status string, attrs map[string]any) string {
	w.t.Helper()
	if status == "" {
		status = "PUBLISHED"
	}
	return w.release(prod, fmt.Sprintf("1.%d.0", relSeq.Add(1)), status, attrs)
}

// pkgOf makes a package of prod.
func (w *world) pkgOf(prod, key string) string {
	return w.mustCreate("/packages", "packages", map[string]any{"name": key, "key": key}, map[string]any{"product": link("products", prod)})
}

func (w *world) releaseCount() int {
	n := 0
	w.withStore(func(db *store) { n = len(db.dist.releases) })
	return n
}

func relCount(n int) func(t *testing.T, w *world, r *reply) {
	return func(t *testing.T, w *world, _ *reply) { assert.Equal(t, n, w.releaseCount()) }
}

func constraintOf(ent string) map[string]any {
	return map[string]any{"type": "constraint", "relationships": map[string]any{"entitlement": map[string]any{"data": map[string]any{"type": "entitlement", "id": ent}}}}
}

// postRelease is POST /releases for prod as auth, with rels added to the product.
func postRelease(prod, auth string, attrs, rels map[string]any) req {
	body := releaseBody(prod, attrs)
	for k, v := range rels {
		body["data"].(map[string]any)["relationships"].(map[string]any)[k] = v
	}
	r := req{method: "POST", path: "/releases", body: body}
	r.auth = auth
	return r
}

func semverOf(major, minor, patch float64, pre, build any) map[string]any {
	return map[string]any{"major": major, "minor": minor, "patch": patch, "prerelease": pre, "build": build}
}

func TestReleaseFeaturesCreate(t *testing.T) {
	t.Parallel()
	const f = "releases/create.feature: "
	shasums := map[string]any{"shasums": []any{"36022a3f0b4bb6f3cdf57276867a210dc81f5c5b2215abf8a93c81ad18fa6bf0b1e36ee24ab7517c9474a1ad445a403d4612899687cabf591f938004df105011"}}
	launch := map[string]any{"name": "Launch Release", "channel": "stable", "tag": "application@v1.0.0", "version": "1.0.0", "metadata": shasums}
	with := func(base map[string]any, kv ...any) map[string]any {
		out := map[string]any{}
		for k, v := range base {
			out[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			out[kv[i].(string)] = kv[i+1]
		}
		return out
	}
	pkgLinkage := func(want any) func(t *testing.T, w *world, r *reply) {
		return func(t *testing.T, w *world, r *reply) {
			pkg := rel(r, "package")
			assert.Equal(t, "/v1/accounts/"+w.srv.AccountID+"/releases/"+r.id()+"/package", pkg["links"].(map[string]any)["related"])
			assert.Equal(t, want, pkg["data"])
		}
	}
	// s and s2 are one product's world and another's; pk is a package of the first.
	w := newLicensingWorld(t, nil)
	pk := w.pkgOf(w.prod, "pk")
	pk2 := w.pkgOf(w.prod, "pk2")
	e1, e2 := w.entitlement("E1"), w.entitlement("E2")
	w.entitlement("E3")
	other := newWorld(t)
	oe1 := other.entitlement("O1")
	oe2 := other.entitlement("O2")
	cons := func(ids ...string) map[string]any {
		var data []any
		for _, id := range ids {
			data = append(data, constraintOf(id))
		}
		return map[string]any{"constraints": map[string]any{"data": data}}
	}
	// Each case uses a version of its own (per product and package).
	runSeq(t, w, []apiCase{
		{name: f + "Admin creates a new release for their account", setup: func(w *world) req { return postRelease(w.prod, "", launch, nil) }, status: 201,
			attrs: map[string]any{"name": "Launch Release", "channel": "stable", "status": "DRAFT", "tag": "application@v1.0.0", "version": "1.0.0",
				"semver": semverOf(1, 0, 0, nil, nil), "metadata": shasums},
			check: func(t *testing.T, w *world, r *reply) {
				assert.Equal(t, "/v1/accounts/"+w.srv.AccountID+"/releases/"+r.id()+"/artifacts", rel(r, "artifacts")["links"].(map[string]any)["related"])
			}},
		{name: f + "Admin creates a new packaged release for their account", setup: func(w *world) req {
			return postRelease(w.prod, "", with(launch, "name", "Packaged Release", "tag", "pkg@v1.0.0"), map[string]any{"package": link("packages", pk)})
		}, status: 201, attrs: map[string]any{"name": "Packaged Release", "status": "DRAFT", "tag": "pkg@v1.0.0", "version": "1.0.0"},
			check: pkgLinkage(map[string]any{"type": "packages", "id": pk})},
		{name: f + "Admin creates a new unpackaged release for their account (implicit)", setup: func(w *world) req {
			return postRelease(w.prod2, "", with(launch, "name", "Unpackaged Release", "tag", "pkg@v1.0.0"), nil)
		}, status: 201, attrs: map[string]any{"name": "Unpackaged Release", "status": "DRAFT", "tag": "pkg@v1.0.0", "version": "1.0.0", "semver": semverOf(1, 0, 0, nil, nil)},
			check: pkgLinkage(nil)},
		{name: f + "Admin creates a new unpackaged release for their account (explicit)", setup: func(w *world) req {
			return postRelease(w.prod2, "", with(launch, "name", "Unpackaged Release", "tag", "pkg@v1.0.1", "version", "1.0.1"), map[string]any{"package": map[string]any{"data": nil}})
		}, status: 201, attrs: map[string]any{"name": "Unpackaged Release", "tag": "pkg@v1.0.1"}, check: pkgLinkage(nil)},
		{name: f + "Admin upserts a new release for their account", setup: func(w *world) req {
			r := postRelease(w.prod, "", with(launch, "tag", "latest", "version", "1.0.2"), nil)
			r.method = "PUT"
			return r
		}, status: 404, code: "NOT_FOUND", noMeta: true},
		{name: f + "Admin creates a new backdated release for their account", setup: func(w *world) req {
			return postRelease(w.prod, "", map[string]any{"name": "Patch Release", "channel": "stable", "version": "1.9.99", "backdated": "2016-09-05T22:53:37.000Z"}, nil)
		}, status: 201, attrs: map[string]any{"name": "Patch Release", "channel": "stable", "version": "1.9.99", "backdated": "2016-09-05T22:53:37.000Z"}},
		{name: f + "Admin creates a backdated release in the future", setup: func(w *world) req {
			return postRelease(w.prod, "", map[string]any{"name": "Patch Release", "channel": "stable", "version": "1.9.98", "backdated": "2552-09-05T22:53:37.000Z"}, nil)
		}, status: 422, title: unprocessed, code: "BACKDATED_INVALID", detail: "must be in the past", source: map[string]any{"pointer": "/data/attributes/backdated"},
			about: "https://keygen.sh/docs/api/releases/#releases-object-attrs-backdated"},
		{name: f + "Admin creates a draft release for their account", setup: func(w *world) req {
			return postRelease(w.prod, "", map[string]any{"name": "Launch Release", "channel": "stable", "status": "DRAFT", "tag": "application@v2.0.0", "version": "2.0.0"}, nil)
		}, status: 201, attrs: map[string]any{"status": "DRAFT", "tag": "application@v2.0.0", "semver": semverOf(2, 0, 0, nil, nil)}},
		{name: f + "Admin creates a published release for their account", setup: func(w *world) req {
			return postRelease(w.prod, "", map[string]any{"name": "Launch Release", "channel": "stable", "status": "PUBLISHED", "tag": "application@v2.0.1", "version": "2.0.1"}, nil)
		}, status: 201, attrs: map[string]any{"status": "PUBLISHED", "tag": "application@v2.0.1"}},
		{name: f + "Admin creates a yanked release for their account", setup: func(w *world) req {
			return postRelease(w.prod, "", map[string]any{"name": "Launch Release", "channel": "stable", "status": "YANKED", "tag": "application@v2.0.2", "version": "2.0.2"}, nil)
		}, status: 400, title: "Bad request", detail: "is invalid", source: map[string]any{"pointer": "/data/attributes/status"}},
		{name: f + "Admin creates a duplicate release (by tag, same package)", setup: func(w *world) req {
			w.mustCreate("/releases", "releases", map[string]any{"version": "3.0.0", "channel": "stable", "tag": "pkg-tag"}, map[string]any{"product": link("products", w.prod), "package": link("packages", pk)})
			return postRelease(w.prod, "", map[string]any{"version": "3.0.1", "channel": "stable", "tag": "pkg-tag"}, map[string]any{"package": link("packages", pk)})
		}, status: 422, title: unprocessed, code: "TAG_TAKEN", detail: "tag already exists", source: map[string]any{"pointer": "/data/attributes/tag"}},
		{name: f + "Admin creates a duplicate release (by tag, different package)", setup: func(w *world) req {
			return postRelease(w.prod, "", map[string]any{"version": "3.0.2", "channel": "stable", "tag": "pkg-tag"}, map[string]any{"package": link("packages", pk2)})
		}, status: 201, attrs: map[string]any{"tag": "pkg-tag"}},
		{name: f + "Admin creates a duplicate release (by tag, different product)", setup: func(w *world) req {
			w.release(w.prod2, "3.0.3", "PUBLISHED", map[string]any{"tag": "prod-tag"})
			return postRelease(w.prod, "", map[string]any{"version": "3.0.3", "channel": "stable", "tag": "prod-tag"}, nil)
		}, status: 201, attrs: map[string]any{"tag": "prod-tag", "version": "3.0.3"}},
		{name: f + "Admin creates a somewhat duplicate release", setup: func(w *world) req {
			w.release(w.prod, "4.0.0-beta", "PUBLISHED", nil)
			return postRelease(w.prod, "", map[string]any{"name": "Duplicate Release", "channel": "beta", "version": "4.0.0-beta.1"}, nil)
		}, status: 201},
		{name: f + "Admin creates an rc release", setup: func(w *world) req {
			return postRelease(w.prod, "", map[string]any{"channel": "rc", "version": "5.0.0-rc.1"}, nil)
		}, status: 201, attrs: map[string]any{"channel": "rc", "semver": semverOf(5, 0, 0, "rc.1", nil)}},
		{name: f + "Admin creates an alpha release", setup: func(w *world) req {
			return postRelease(w.prod, "", map[string]any{"channel": "alpha", "version": "5.0.0-alpha.1"}, nil)
		}, status: 201, attrs: map[string]any{"channel": "alpha", "semver": semverOf(5, 0, 0, "alpha.1", nil)}},
		{name: f + "Admin creates a beta release", setup: func(w *world) req {
			return postRelease(w.prod, "", map[string]any{"channel": "beta", "version": "5.0.0-beta.1"}, nil)
		}, status: 201, attrs: map[string]any{"channel": "beta", "semver": semverOf(5, 0, 0, "beta.1", nil)}},
		{name: f + "Admin creates a dev release", setup: func(w *world) req {
			return postRelease(w.prod, "", map[string]any{"channel": "dev", "version": "5.0.0-dev.1"}, nil)
		}, status: 201, attrs: map[string]any{"channel": "dev", "semver": semverOf(5, 0, 0, "dev.1", nil)}},
		{name: f + "Admin creates an alpha release on the stable channel", setup: func(w *world) req {
			return postRelease(w.prod, "", map[string]any{"name": "Alpha Release", "channel": "stable", "version": "1.0.0-alpha.1"}, nil)
		}, status: 422, title: unprocessed, code: "VERSION_CHANNEL_INVALID", detail: "version does not match stable channel (expected x.y.z got 1.0.0-alpha.1)",
			source: map[string]any{"pointer": "/data/attributes/version"}},
		{name: f + "Admin creates an alpha release on the beta channel", setup: func(w *world) req {
			return postRelease(w.prod, "", map[string]any{"name": "Alpha Release", "channel": "beta", "version": "1.0.0-alpha.1"}, nil)
		}, status: 422, title: unprocessed, code: "VERSION_CHANNEL_INVALID", detail: "version does not match prerelease channel (expected x.y.z-beta.n got 1.0.0-alpha.1)",
			source: map[string]any{"pointer": "/data/attributes/version"}},
		{name: f + "Admin creates a release with an invalid version (not a semver)", setup: func(w *world) req {
			return postRelease(w.prod, "", map[string]any{"name": "Bad Version: Invalid", "channel": "stable", "version": "1.2.34.56789"}, nil)
		}, status: 422, title: unprocessed, code: "VERSION_INVALID", detail: "must be a valid version", source: map[string]any{"pointer": "/data/attributes/version"},
			check: func(t *testing.T, _ *world, r *reply) { assert.Len(t, r.doc["errors"], 1) }},
		{name: f + "Admin creates a release with an invalid version (v prefix)", setup: func(w *world) req {
			return postRelease(w.prod, "", map[string]any{"name": "Bad Version: Prefix", "channel": "stable", "version": "v1.2.34"}, nil)
		}, status: 422, title: unprocessed, code: "VERSION_INVALID", detail: "must be a valid version", source: map[string]any{"pointer": "/data/attributes/version"},
			check: func(t *testing.T, _ *world, r *reply) { assert.Len(t, r.doc["errors"], 1) }},
		{name: f + "Admin creates a release with entitlement constraints", setup: func(w *world) req {
			return postRelease(w.prod, "", map[string]any{"name": "Product Version 2 (Alpha)", "version": "6.0.0-alpha1", "channel": "alpha"}, cons(e1, e2))
		}, status: 201, check: func(t *testing.T, w *world, r *reply) {
			cs := w.get("/releases/" + r.id() + "/constraints")
			assert.Len(t, cs.list(), 2, string(cs.body))
		}},
		{name: f + "Admin creates a release with invalid constraints", setup: func(w *world) req {
			return postRelease(w.prod, "", map[string]any{"name": "Product Version 2 (Alpha)", "version": "6.0.1-alpha1", "channel": "alpha"}, cons("0da4c974-fbc3-4e4f-a1b2-34234457d2c8", e2))
		}, status: 422, title: unprocessed, code: "CONSTRAINTS_ENTITLEMENT_NOT_FOUND", detail: "must exist",
			source: map[string]any{"pointer": "/data/relationships/constraints/data/0/relationships/entitlement"}},
		{name: f + "Admin creates a release with entitlement constraints that belong to another account", setup: func(w *world) req {
			return postRelease(w.prod, "", map[string]any{"name": "Product Version 2 (Alpha)", "version": "6.0.2-alpha1", "channel": "alpha"}, cons(oe1, oe2))
		}, status: 422, title: unprocessed, code: "CONSTRAINTS_ENTITLEMENT_NOT_FOUND", detail: "must exist",
			source: map[string]any{"pointer": "/data/relationships/constraints/data/0/relationships/entitlement"},
			check: func(t *testing.T, _ *world, r *reply) {
				assert.Equal(t, "CONSTRAINTS_ENTITLEMENT_NOT_FOUND", r.err(1)["code"])
				assert.Equal(t, map[string]any{"pointer": "/data/relationships/constraints/data/1/relationships/entitlement"}, r.err(1)["source"])
			}},
		{name: f + "Product creates a new release", setup: func(w *world) req {
			return postRelease(w.prod, w.prodAuth, map[string]any{"name": "Product Release", "channel": "stable", "version": "7.0.0"}, nil)
		}, status: 201, attrs: map[string]any{"name": "Product Release", "version": "7.0.0", "status": "DRAFT"},
			check: func(t *testing.T, w *world, r *reply) {
				assert.Equal(t, map[string]any{"type": "products", "id": w.prod}, relData(r, "product"))
			}},
	})
}

// releaseAuthWorld is the licensing world with a license of prod owned by the owner user
// and with the license user attached (lic), and a license of prod2 (lic2), each with a
// bearer: licAuth, lic2Auth.
type releaseAuthWorld struct {
	*world
	lic, licAuth, lic2, lic2Auth string
}

func newReleaseAuthWorld(t *testing.T) *releaseAuthWorld {
	w := newLicensingWorld(t, nil)
	x := &releaseAuthWorld{world: w}
	x.lic = w.licenseOf(w.pol, true, true, nil)
	x.licAuth = w.licenseAuth(x.lic, nil)
	x.lic2 = w.licenseOf(w.pol2, false, false, nil)
	x.lic2Auth = w.licenseAuth(x.lic2, nil)
	return x
}

func TestReleaseFeaturesUpdate(t *testing.T) {
	t.Parallel()
	const f = "releases/update.feature: "
	x := newReleaseAuthWorld(t)
	w := x.world
	patch := func(auth string, relAttrs, attrs map[string]any) func(w *world) req {
		return func(w *world) req {
			id := w.relOf(w.prod, "", relAttrs)
			return req{method: "PATCH", path: "/releases/" + id, auth: auth, body: doc("releases", attrs, nil)}
		}
	}
	runSeq(t, w, []apiCase{
		{name: f + "Admin updates a release for their account", setup: patch("", nil, map[string]any{"name": "Fixed Release", "metadata": map[string]any{"foo": "bar"}}),
			attrs: map[string]any{"name": "Fixed Release", "metadata": map[string]any{"foo": "bar"}}},
		{name: f + "Admin updates the name of release", setup: patch("", nil, map[string]any{"name": "Renamed Release"}), attrs: map[string]any{"name": "Renamed Release"}},
		{name: f + "Admin removes the name of release", setup: patch("", map[string]any{"name": "Named Release"}, map[string]any{"name": nil}), attrs: map[string]any{"name": nil}},
		{name: f + "Admin updates the description of a release", setup: patch("", nil, map[string]any{"description": "A description"}), attrs: map[string]any{"description": "A description"}},
		{name: f + "Admin removes the description of a release", setup: patch("", map[string]any{"description": "A description"}, map[string]any{"description": nil}), attrs: map[string]any{"description": nil}},
		{name: f + "Admin updates the tag of a release", setup: patch("", nil, map[string]any{"tag": "some-tag"}), attrs: map[string]any{"tag": "some-tag"}},
		{name: f + "Admin removes the tag of a release", setup: patch("", map[string]any{"tag": "a-tag"}, map[string]any{"tag": nil}), attrs: map[string]any{"tag": nil}},
		{name: f + "Admin updates the tag of a release with an existing tag (different products)", setup: func(w *world) req {
			w.relOf(w.prod2, "", map[string]any{"tag": "dup-tag"})
			return patch("", nil, map[string]any{"tag": "dup-tag"})(w)
		}, attrs: map[string]any{"tag": "dup-tag"}},
		{name: f + "Admin updates the tag of a release with an existing tag (same product)", setup: func(w *world) req {
			w.relOf(w.prod, "", map[string]any{"tag": "taken-tag"})
			return patch("", nil, map[string]any{"tag": "taken-tag"})(w)
		}, status: 422, title: unprocessed, code: "TAG_TAKEN", detail: "tag already exists", source: map[string]any{"pointer": "/data/attributes/tag"}},
		{name: f + "Admin backdates a release", setup: patch("", nil, map[string]any{"backdated": "2016-09-05T22:53:37.000Z"}), attrs: map[string]any{"backdated": "2016-09-05T22:53:37.000Z"}},
		{name: f + "Admin removes the backdate of a release", setup: patch("", map[string]any{"backdated": "2016-09-05T22:53:37.000Z"}, map[string]any{"backdated": nil}), attrs: map[string]any{"backdated": nil}},
		{name: f + "Product updates one of their releases", setup: patch(w.prodAuth, nil, map[string]any{"name": "P1 Release"}), attrs: map[string]any{"name": "P1 Release"}},
		{name: f + "Product attempts to update a release for another product", setup: func(w *world) req {
			id := w.relOf(w.prod2, "", nil)
			return req{method: "PATCH", path: "/releases/" + id, auth: w.prodAuth, body: doc("releases", map[string]any{"name": "P2 Release"}, nil)}
		}, status: 404, code: "NOT_FOUND"},
		{name: f + "License attempts to update a release for their product", setup: patch(x.licAuth, nil, map[string]any{"name": "Not My Release"}), status: 403, title: "Access denied"},
		{name: f + "User attempts to update a release for their license (license owner)", setup: patch(w.ownerAuth, nil, map[string]any{"name": "Not My Release"}), status: 403, title: "Access denied"},
		{name: f + "User attempts to update a release for their license (license user)", setup: patch(w.luAuth, nil, map[string]any{"name": "Not My Release"}), status: 403, title: "Access denied"},
		{name: f + "Anonymous attempts to update a release", setup: patch("-", nil, map[string]any{"name": "Not My Release"}), status: 401},
	})
}

func TestReleaseFeaturesDestroy(t *testing.T) {
	t.Parallel()
	const f = "releases/destroy.feature: "
	x := newReleaseAuthWorld(t)
	w := x.world
	del := func(auth string, prod func(w *world) string) func(w *world) req {
		return func(w *world) req {
			p := w.prod
			if prod != nil {
				p = prod(w)
			}
			return req{method: "DELETE", path: "/releases/" + w.relOf(p, "", nil), auth: auth}
		}
	}
	gone := func(t *testing.T, w *world, r *reply) { assert.Empty(t, r.body) }
	prod2 := func(w *world) string { return w.prod2 }
	runSeq(t, w, []apiCase{
		{name: f + "Admin deletes one of their releases", setup: del("", nil), status: 204, check: gone},
		{name: f + "Developer deletes one of their releases", setup: del(w.devAuth, nil), status: 204},
		{name: f + "Sales deletes one of their releases", setup: del(w.salesAuth, nil), status: 403, title: "Access denied", detail: denied},
		{name: f + "Support deletes one of their releases", setup: del(w.supportAuth, nil), status: 403, title: "Access denied", detail: denied},
		{name: f + "Read-only deletes one of their releases", setup: del(w.roAuth, nil), status: 403, title: "Access denied", detail: roLacks},
		{name: f + "Product deletes one of their releases", setup: del(w.prodAuth, nil), status: 204},
		{name: f + "Product deletes a release for a different product", setup: del(w.prodAuth, prod2), status: 404, code: "NOT_FOUND"},
		{name: f + "License attempts to delete a release for their product", setup: del(x.licAuth, nil), status: 403, title: "Access denied"},
		{name: f + "User attempts to delete a release for their license (license owner)", setup: del(w.ownerAuth, nil), status: 403, title: "Access denied"},
		{name: f + "User attempts to delete a release for their license (license user)", setup: del(w.luAuth, nil), status: 403, title: "Access denied"},
		{name: f + "Anonymous attempts to delete a release", setup: del("-", nil), status: 401},
		{name: f + "Admin attempts to delete a release for another account", setup: del(w.otherAcct, nil), status: 401, check: func(t *testing.T, w *world, r *reply) {
			assert.Len(t, r.doc["errors"], 1)
		}},
	})
	// Admin, developer and product deleted theirs; the refused ones remain.
	assert.Equal(t, 9, w.releaseCount())
}

// TestReleaseFeaturesPublishYank pins releases/actions/publish.feature and yank.feature.
func TestReleaseFeaturesPublishYank(t *testing.T) {
	t.Parallel()
	x := newReleaseAuthWorld(t)
	w := x.world
	other := w.product()
	act := func(action, auth, status string, prod func(w *world) string) func(w *world) req {
		return func(w *world) req {
			p := w.prod
			if prod != nil {
				p = prod(w)
			}
			var id string
			if status != "YANKED" {
				id = w.relOf(p, status, nil)
			} else { // the factory's :yanked trait: made, then yanked
				id = w.relOf(p, "PUBLISHED", nil)
				r := w.do(req{method: "POST", path: "/releases/" + id + "/actions/yank"})
				require.Equal(t, 200, r.status, string(r.body))
			}
			return req{method: "POST", path: "/releases/" + id + "/actions/" + action, auth: auth}
		}
	}
	prod2 := func(w *world) string { return w.prod2 }
	otherProd := func(*world) string { return other }
	var cases []apiCase
	for _, a := range []struct {
		action, want string
		titles       [10]string
	}{
		{"publish", "PUBLISHED", [10]string{"Admin publishes a draft release for their account", "Admin publishes a published release for their account", "Product publishes a release", "Product publishes a release for another product", "License publishes a release without a license for it", "License publishes a release with a license for it", "User publishes a release without a license for it", "User publishes a release with a license for it (license owner)", "User publishes a release with a license for it (license user)", "Anonymous publishes a release"}},
		{"yank", "YANKED", [10]string{"Admin yanks a draft release for their account", "Admin yanks a published release for their account", "Product yanks a release", "Product yanks a release for another product", "License yanks a release without a license for it", "License yanks a release with a license for it", "User yanks a release without a license for it", "User yanks a release with a license for it (license owner)", "User yanks a release with a license for it (license user)", "Anonymous yanks a release"}},
	} {
		f := "releases/actions/" + a.action + ".feature: "
		yanked := func(t *testing.T, _ *world, r *reply) {
			if a.action == "yank" {
				assert.NotNil(t, r.attrs()["yanked"], string(r.body))
			}
		}
		cases = append(cases,
			apiCase{name: f + a.titles[0], setup: act(a.action, "", "DRAFT", nil), attrs: map[string]any{"status": a.want}, check: yanked},
			apiCase{name: f + a.titles[1], setup: act(a.action, "", "PUBLISHED", nil), attrs: map[string]any{"status": a.want}, check: yanked},
			apiCase{name: f + a.titles[2], setup: act(a.action, w.prodAuth, "", nil), attrs: map[string]any{"status": a.want}},
			apiCase{name: f + a.titles[3], setup: act(a.action, w.prodAuth, "", prod2), status: 404, code: "NOT_FOUND"},
			apiCase{name: f + a.titles[4], setup: act(a.action, x.lic2Auth, "", otherProd), status: 404, code: "NOT_FOUND"},
			apiCase{name: f + a.titles[5], setup: act(a.action, x.licAuth, "", nil), status: 403, title: "Access denied"},
			apiCase{name: f + a.titles[6], setup: act(a.action, w.otherAuth, "", nil), status: 404, code: "NOT_FOUND"},
			apiCase{name: f + a.titles[7], setup: act(a.action, w.ownerAuth, "", nil), status: 403, title: "Access denied"},
			apiCase{name: f + a.titles[8], setup: act(a.action, w.luAuth, "", nil), status: 403, title: "Access denied"},
			apiCase{name: f + a.titles[9], setup: act(a.action, "-", "", nil), status: 401},
		)
	}
	cases = append(cases,
		// Release#publish! sets the status only: a yanked release keeps its yanked time
		// (app/models/release.rb).
		apiCase{name: "releases/actions/publish.feature: Admin publishes a yanked release for their account", setup: act("publish", "", "YANKED", nil),
			attrs: map[string]any{"status": "PUBLISHED"}, check: func(t *testing.T, _ *world, r *reply) { assert.NotNil(t, r.attrs()["yanked"], string(r.body)) }},
		apiCase{name: "releases/actions/yank.feature: Admin yanks a yanked release for their account", setup: act("yank", "", "YANKED", nil),
			attrs: map[string]any{"status": "YANKED"}, check: func(t *testing.T, _ *world, r *reply) { assert.NotNil(t, r.attrs()["yanked"], string(r.body)) }},
	)
	runSeq(t, w, cases)
}

// distWorld is the release auth world with an OPEN and a CLOSED product beside the LICENSED
// prod, each with a policy and a license owned by the owner (bearers in licAuthOf), and a
// stranger user owning a license of prod2 only.
type distWorld struct {
	*releaseAuthWorld
	prodOf       map[string]string // strategy → product
	licAuthOf    map[string]string // strategy → license bearer of that product
	strangerAuth string
}

func newDistWorld(t *testing.T) *distWorld {
	x := newReleaseAuthWorld(t)
	w := x.world
	d := &distWorld{releaseAuthWorld: x, prodOf: map[string]string{"LICENSED": w.prod}, licAuthOf: map[string]string{"LICENSED": x.licAuth}}
	for _, s := range []string{"OPEN", "CLOSED"} {
		p := w.mustCreate("/products", "products", map[string]any{"name": s, "distributionStrategy": s}, nil)
		d.prodOf[s] = p
		d.licAuthOf[s] = w.licenseAuth(w.licenseOf(w.policy(p, nil), true, false, nil), nil)
	}
	stranger, auth := w.userToken("stranger@example.com")
	w.licenseOwnedBy(w.pol2, stranger)
	d.strangerAuth = auth
	return d
}

func TestReleaseFeaturesShow(t *testing.T) {
	t.Parallel()
	const f = "releases/show.feature: "
	d := newDistWorld(t)
	w := d.world
	show := func(auth, prod, status string) func(w *world) req {
		return func(w *world) req {
			var id string
			if status == "YANKED" {
				id = w.relOf(prod, "PUBLISHED", nil)
				r := w.do(req{method: "POST", path: "/releases/" + id + "/actions/yank"})
				require.Equal(t, 200, r.status, string(r.body))
			} else {
				id = w.relOf(prod, status, nil)
			}
			return getAs("/releases/"+id, auth)
		}
	}
	ok := func(name string, setup func(w *world) req) apiCase {
		return apiCase{name: f + name, setup: setup, check: isType("releases")}
	}
	notFound := func(name string, setup func(w *world) req) apiCase {
		return apiCase{name: f + name, setup: setup, status: 404, code: "NOT_FOUND"}
	}
	lp := w.prod
	var cases []apiCase
	for _, g := range []struct {
		s      string
		titles [8]string
	}{
		{"LICENSED", [8]string{"Anonymous retrieves a LICENSED release", "License retrieves a LICENSED release without a license for it", "License retrieves a LICENSED release with a license for it", "User retrieves a LICENSED release without a license for it", "User retrieves a LICENSED release with a license for it", "Product retrieves a LICENSED release", "Product retrieves a LICENSED release of another product", "Admin retrieves a LICENSED release"}},
		{"OPEN", [8]string{"Anonymous retrieves an OPEN release", "License retrieves an OPEN release without a license for it", "License retrieves an OPEN release with a license for it", "User retrieves an OPEN release without a license for it", "User retrieves an OPEN release with a license for it", "Product retrieves an OPEN release", "Product retrieves an OPEN release of another product", "Admin retrieves an OPEN release"}},
		{"CLOSED", [8]string{"Anonymous retrieves a CLOSED release", "License retrieves a CLOSED release without a license for it", "License retrieves a CLOSED release with a license for it", "User retrieves a CLOSED release without a license for it", "User retrieves a CLOSED release with a license for it", "Product retrieves a CLOSED release", "Product retrieves a CLOSED release of another product", "Admin retrieves a CLOSED release"}},
	} {
		s := g.s
		p := d.prodOf[s]
		otherProd := p // the product bearer's is the LICENSED one
		if s == "LICENSED" {
			otherProd = w.prod2
		}
		sees := func(name string, visible bool, setup func(w *world) req) apiCase {
			if visible {
				return ok(name, setup)
			}
			return notFound(name, setup)
		}
		cases = append(cases,
			sees(g.titles[0], s == "OPEN", show("-", p, "")),
			sees(g.titles[1], s == "OPEN", show(d.lic2Auth, p, "")),
			sees(g.titles[2], s != "CLOSED", show(d.licAuthOf[s], p, "")),
			sees(g.titles[3], s == "OPEN", show(d.strangerAuth, p, "")),
			sees(g.titles[4], s != "CLOSED", show(w.ownerAuth, p, "")),
			ok(g.titles[5], show(w.productAuth(p), p, "")),
			notFound(g.titles[6], show(w.prodAuth, otherProd, "")),
			ok(g.titles[7], show("", p, "")),
		)
	}
	for _, g := range []struct {
		st     string
		titles [9]string
	}{
		{"DRAFT", [9]string{"Anonymous retrieves a draft release", "License retrieves a draft release without a license for it", "License retrieves a draft release with a license for it", "User retrieves a draft release without a license for it", "User retrieves a draft release with a license for it", "Product retrieves a draft release", "Product retrieves a draft release of another product", "Admin retrieves a draft release", "Admin retrieves a draft release for their account"}},
		{"YANKED", [9]string{"Anonymous retrieves a yanked release", "License retrieves a yanked release without a license for it", "License retrieves a yanked release with a license for it", "User retrieves a yanked release without a license for it", "User retrieves a yanked release with a license for it", "Product retrieves a yanked release", "Product retrieves a yanked release of another product", "Admin retrieves a yanked release", "Admin retrieves a yanked release for their account"}},
	} {
		st := g.st
		cases = append(cases,
			notFound(g.titles[0], show("-", lp, st)),
			notFound(g.titles[1], show(d.lic2Auth, lp, st)),
			notFound(g.titles[2], show(d.licAuth, lp, st)),
			notFound(g.titles[3], show(d.strangerAuth, lp, st)),
			notFound(g.titles[4], show(w.ownerAuth, lp, st)),
			ok(g.titles[5], show(w.prodAuth, lp, st)),
			notFound(g.titles[6], show(w.prodAuth, w.prod2, st)),
			ok(g.titles[7], show("", lp, st)),
			apiCase{name: f + g.titles[8], setup: show("", lp, st), attrs: map[string]any{"status": st}},
		)
	}
	for title, auth := range map[string]string{"Developer retrieves a release for their account": w.devAuth, "Sales retrieves a release for their account": w.salesAuth,
		"Support retrieves a release for their account": w.supportAuth, "Read-only retrieves a release for their account": w.roAuth} {
		cases = append(cases, ok(title, show(auth, w.prod2, "")))
	}
	cases = append(cases,
		apiCase{name: f + "Admin retrieves a published release for their account", setup: show("", lp, "PUBLISHED"), attrs: map[string]any{"status": "PUBLISHED"}},
		apiCase{name: f + "Admin retrieves a release for their account by version", setup: func(w *world) req {
			w.relOf(lp, "", nil)
			w.release(lp, "1.0.0-beta.1", "PUBLISHED", nil)
			return getAs("/releases/1.0.0-beta.1", "")
		}, attrs: map[string]any{"version": "1.0.0-beta.1"}},
		apiCase{name: f + "Admin retrieves a release for their account by ID", setup: func(w *world) req {
			id := w.relOf(lp, "", nil)
			w.artifact(id, "App.zip", []byte("x"), nil)
			return getAs("/releases/"+id, "")
		}, check: func(t *testing.T, w *world, r *reply) {
			assert.Equal(t, "/v1/accounts/"+w.srv.AccountID+"/releases/"+r.id()+"/artifacts", rel(r, "artifacts")["links"].(map[string]any)["related"])
		}},
		apiCase{name: f + "Admin retrieves a release for their account by ID (v1.1)", setup: func(w *world) req {
			r := show("", lp, "")(w)
			r.headers = map[string]string{"Keygen-Version": "1.1"}
			return r
		}, check: func(t *testing.T, w *world, r *reply) {
			assert.Equal(t, "/v1/accounts/"+w.srv.AccountID+"/releases/"+r.id()+"/artifacts", rel(r, "artifacts")["links"].(map[string]any)["related"])
		}},
		apiCase{name: f + "Admin retrieves a release without a package", setup: show("", lp, ""), check: func(t *testing.T, w *world, r *reply) {
			assert.Contains(t, rel(r, "package"), "data")
			assert.Nil(t, rel(r, "package")["data"])
		}},
		apiCase{name: f + "Admin retrieves a release with a package", setup: func(w *world) req {
			pkg := w.pkgOf(lp, "show-pkg")
			id := w.mustCreate("/releases", "releases", map[string]any{"version": "1.0.0", "channel": "stable"}, map[string]any{"product": link("products", lp), "package": link("packages", pkg)})
			return getAs("/releases/"+id, "")
		}, check: func(t *testing.T, w *world, r *reply) {
			assert.Equal(t, "packages", relData(r, "package")["type"])
		}},
		apiCase{name: f + "Admin retrieves an invalid release for their account", setup: func(*world) req { return getAs("/releases/invalid", "") },
			status: 404, title: "Not found", code: "NOT_FOUND", detail: "The requested release 'invalid' was not found"},
		ok("Product retrieves a release for their product", show(w.prodAuth, lp, "")),
		notFound("Product retrieves a release for another product", show(w.prodAuth, w.prod2, "")),
		notFound("User retrieves a release without a license for it", show(d.strangerAuth, lp, "")),
		ok("User retrieves a release with a license for it (license owner)", show(w.ownerAuth, lp, "")),
		ok("User retrieves a release with a license for it (license user)", show(w.luAuth, lp, "")),
		notFound("License retrieves a release of a different product", show(d.lic2Auth, lp, "")),
		ok("License retrieves an OPEN release with an expired license for it", func(w *world) req {
			lic := w.licenseOf(w.policy(d.prodOf["OPEN"], nil), false, false, map[string]any{"expiry": w.srv.Now().AddDate(0, -2, 0).Format(time.RFC3339)})
			return show(w.licenseAuth(lic, nil), d.prodOf["OPEN"], "")(w)
		}),
		ok("User retrieves a LICENSED release with multiple licenses for it (all valid)", func(w *world) req {
			u, auth := w.userToken(newUUID() + "@example.com")
			for range 3 {
				w.licenseOwnedBy(w.pol, u)
			}
			return show(auth, lp, "")(w)
		}),
		apiCase{name: f + "Admin attempts to retrieve a release for another account", setup: show(w.otherAcct, lp, ""), status: 401,
			check: func(t *testing.T, _ *world, r *reply) { assert.Len(t, r.doc["errors"], 1) }},
	)
	runSeq(t, w, cases)
}

// TestReleaseFeaturesShowConflicts pins show.feature's conflicting versions: a version names
// the oldest release the bearer may read, among those the query's scopes keep
// (app/services/find_by_alias_service.rb, ReleasesController#set_release).
func TestReleaseFeaturesShowConflicts(t *testing.T) {
	t.Parallel()
	const f = "releases/show.feature: "
	for _, c := range []struct {
		name      string
		qualified bool
	}{
		{"License retrieves a release with a conflicting version (open/licensed)", false},
		{"License retrieves a release with a conflicting version (open/licensed, with product qualifier)", true},
	} {
		t.Run(f+c.name, func(t *testing.T) {
			t.Parallel()
			w := newProductWorld(t)
			// Freemium (OPEN) and Premium (LICENSED) each have a 1.0.0, Freemium's first; the
			// license is of Premium.
			free := w.mustCreate("/products", "products", map[string]any{"name": "Freemium App", "distributionStrategy": "OPEN"}, nil)
			premium := w.mustCreate("/products", "products", map[string]any{"name": "Premium App", "distributionStrategy": "LICENSED"}, nil)
			freeRel := w.release(free, "1.0.0", "PUBLISHED", nil)
			w.srv.Advance(time.Second)
			premiumRel := w.release(premium, "1.0.0", "PUBLISHED", nil)
			lic := w.mustCreate("/licenses", "licenses", nil, map[string]any{"policy": link("policies", w.policy(premium, nil))})
			path, want, wantProd := "/releases/1.0.0", freeRel, free
			if c.qualified {
				path, want, wantProd = path+"?product="+premium, premiumRel, premium
			}
			apiCase{attrs: map[string]any{"version": "1.0.0"}, check: both(dataID(want), func(t *testing.T, _ *world, r *reply) {
				assert.Equal(t, map[string]any{"type": "products", "id": wantProd}, relData(r, "product"))
			})}.verify(t, w, w.do(getAs(path, w.licenseAuth(lic, nil))))
		})
	}
}

// count checks the number of listed items (reporting their ids only).
func count(n int) func(t *testing.T, w *world, r *reply) {
	return func(t *testing.T, _ *world, r *reply) {
		assert.Len(t, listedIDs(r), n, "%d listed", len(listedIDs(r)))
	}
}

// setCreated backdates a release's created time (the features' createdAt rows).
func (w *world) setCreated(id string, at string) {
	ts, err := time.Parse(time.RFC3339, at)
	require.NoError(w.t, err)
	w.withStore(func(db *store) { db.dist.releases[id].Created = ts })
}

// constrain attaches entitlement constraints to a release.
func (w *world) constrain(rel string, ents ...string) {
	w.t.Helper()
	var data []any
	for _, e := range ents {
		data = append(data, constraintOf(e))
	}
	r := w.do(req{method: "POST", path: "/releases/" + rel + "/constraints", body: map[string]any{"data": data}})
	require.Equal(w.t, 200, r.status, string(r.body))
}

// rels makes n releases of prod with the status.
func (w *world) rels(prod string, n int, status string) []string {
	var out []string
	for range n {
		out = append(out, w.relOf(prod, status, nil))
	}
	return out
}

// strategyProduct makes a product with the distribution strategy.
func (w *world) strategyProduct(s string) string {
	return w.mustCreate("/products", "products", map[string]any{"name": s, "distributionStrategy": s}, nil)
}

// licBearer makes a license of a new policy of prod and returns its id and bearer.
func (w *world) licBearer(prod string, polAttrs map[string]any) (string, string) {
	lic := w.licenseOwnedBy(w.policy(prod, polAttrs), "")
	return lic, w.licenseAuth(lic, nil)
}

// userWithLicense makes a user owning a license of a new policy of prod.
func (w *world) userWithLicense(prod string) (user, lic, auth string) {
	user, auth = w.userToken(newUUID()[:8] + "@example.com")
	lic = w.licenseOwnedBy(w.policy(prod, nil), user)
	return user, lic, auth
}

func TestReleaseFeaturesIndex(t *testing.T) {
	t.Parallel()
	const f = "releases/index.feature: "
	list := func(auth, query string) req { return getAs("/releases"+query, auth) }
	n := count
	fresh := newProductWorld
	// accessible is the world of "… attempts to retrieve all accessible releases": LICENSED,
	// OPEN and CLOSED products with 3, 5 and 7 releases, and a license of the LICENSED one.
	accessible := func(w *world) (lp, op string) {
		lp, op = w.prod, w.strategyProduct("OPEN")
		cp := w.strategyProduct("CLOSED")
		w.rels(lp, 3, "")
		w.rels(op, 5, "")
		w.rels(cp, 7, "")
		return lp, op
	}
	// constrained is "their product releases with constraints": 3 releases, the first
	// constrained by E3, the second by E1 and E2; the license holds E1, its policy E2 (and E3
	// when all).
	constrained := func(w *world, all bool, user bool) (auth string, es []string) {
		es = []string{w.entitlement("E1"), w.entitlement("E2"), w.entitlement("E3")}
		rs := w.rels(w.prod, 3, "")
		pol := w.policy(w.prod, nil)
		var u string
		if user {
			u, auth = w.userToken("u@example.com")
		}
		lic := w.licenseOwnedBy(pol, u)
		if !user {
			auth = w.licenseAuth(lic, nil)
		}
		w.attachEntitlements("licenses", lic, es[0])
		w.attachEntitlements("policies", pol, es[1])
		if all {
			w.attachEntitlements("policies", pol, es[2])
		}
		w.constrain(rs[0], es[2])
		w.constrain(rs[1], es[0], es[1])
		return auth, es
	}
	// expired is "… their releases with an expired license (<strategy>)".
	licenseExpired := func(strategy string) func(w *world) req {
		return func(w *world) req {
			rs := w.rels(w.prod, 4, "")
			for i, at := range []string{"2024-04-01T00:00:00Z", "2024-04-02T00:00:00Z", "2024-04-03T00:00:00Z", "2024-04-03T00:00:00Z"} {
				w.setCreated(rs[i], at)
			}
			bd, _ := time.Parse(time.RFC3339, "2024-04-01T00:00:00Z")
			w.withStore(func(db *store) { db.dist.releases[rs[3]].Backdated = &bd })
			pol := w.policy(w.prod, map[string]any{"expirationStrategy": strategy, "authenticationStrategy": "LICENSE"})
			lic := w.licenseOwnedBy(pol, "")
			exp, _ := time.Parse(time.RFC3339, "2024-04-02T00:00:00Z")
			var key string
			w.withStore(func(db *store) { db.licenses[lic].Expiry = &exp; key = db.licenses[lic].Key })
			return list("License "+key, "")
		}
	}
	userExpired := func(strategy string) func(w *world) req {
		return func(w *world) req {
			p2 := w.product()
			rs := w.rels(w.prod, 3, "")
			w.rels(p2, 5, "")
			for i, at := range []string{"2024-04-01T00:00:00Z", "2024-04-02T00:00:00Z", "2024-04-03T00:00:00Z"} {
				w.setCreated(rs[i], at)
			}
			pol := w.policy(w.prod, map[string]any{"expirationStrategy": strategy, "authenticationStrategy": "LICENSE"})
			u, auth := w.userToken("u@example.com")
			lic := w.licenseOwnedBy(pol, "")
			w.licenseOwnedBy(w.policy(p2, nil), u)
			exp, _ := time.Parse(time.RFC3339, "2024-04-02T00:00:00Z")
			w.withStore(func(db *store) { db.licenses[lic].Expiry = &exp })
			w.addLicenseUser(lic, u)
			return list(auth, "")
		}
	}
	yankedRels := func(w *world, prod string, n int) {
		for _, id := range w.rels(prod, n, "PUBLISHED") {
			r := w.do(req{method: "POST", path: "/releases/" + id + "/actions/yank"})
			require.Equal(w.t, 200, r.status, string(r.body))
		}
	}
	// statusTable is the release rows of the yanked scenarios: 1.0.0, 1.1.0 and 1.2.0
	// published, 1.2.0-beta.1 yanked, 1.0.0-alpha.2 and 1.0.0-beta.1 drafts.
	statusTable := func(query string) func(w *world) req {
		return func(w *world) req {
			for v, st := range map[string]string{"1.0.0": "PUBLISHED", "1.1.0": "PUBLISHED", "1.2.0": "PUBLISHED", "1.0.0-alpha.2": "DRAFT", "1.0.0-beta.1": "DRAFT"} {
				w.release(w.prod, v, st, nil)
			}
			id := w.release(w.prod, "1.2.0-beta.1", "PUBLISHED", nil)
			require.Equal(w.t, 200, w.do(req{method: "POST", path: "/releases/" + id + "/actions/yank"}).status)
			return list("", query)
		}
	}
	// artifactTable is releases of the versions with an artifact each (win32 x64 exe for
	// prereleases, macos x86 dmg otherwise).
	artifactTable := func(query string, versions ...string) func(w *world) req {
		return func(w *world) req {
			for _, v := range versions {
				id := w.release(w.prod, v, "PUBLISHED", nil)
				attrs := map[string]any{"filetype": "dmg", "platform": "macos", "arch": "x86"}
				name := "Test-App-" + v + ".dmg"
				if releaseChannelOf(v) != "stable" {
					attrs = map[string]any{"filetype": "exe", "platform": "win32", "arch": "x64"}
					name = "Test-App." + v + ".exe"
				}
				w.artifact(id, name, []byte(v), attrs)
			}
			return list("", query)
		}
	}
	var cases []apiCase
	for _, g := range []struct {
		st     string
		titles [8]string
	}{
		{"DRAFT", [8]string{"Anonymous retrieves draft releases", "License retrieves draft releases without a license for any", "License retrieves draft releases with a license for them", "User retrieves draft releases without a license for any", "User retrieves draft releases with a license for them", "Product retrieves draft releases", "Product retrieves draft releases of another product", "Admin retrieves draft releases"}},
		{"YANKED", [8]string{"Anonymous retrieves yanked releases", "License retrieves yanked releases without a license for any", "License retrieves yanked releases with a license for them", "User retrieves yanked releases without a license for any", "User retrieves yanked releases with a license for them", "Product retrieves yanked releases", "Product retrieves yanked releases of another product", "Admin retrieves yanked releases"}},
	} {
		st := g.st
		mk := func(auth func(w *world) string, prodOf func(w *world) string) func(w *world) req {
			return func(w *world) req {
				p := w.prod
				if prodOf != nil {
					p = prodOf(w)
				}
				if st == "YANKED" {
					yankedRels(w, p, 3)
				} else {
					w.rels(p, 3, st)
				}
				return list(auth(w), "")
			}
		}
		otherLic := func(w *world) string { _, a := w.licBearer(w.product(), nil); return a }
		ownLic := func(w *world) string { _, a := w.licBearer(w.prod, nil); return a }
		otherUser := func(w *world) string { _, _, a := w.userWithLicense(w.product()); return a }
		ownUser := func(w *world) string { _, _, a := w.userWithLicense(w.prod); return a }
		prodAuth := func(w *world) string { return w.productAuth(w.prod) }
		anon := func(*world) string { return "-" }
		admin := func(*world) string { return "" }
		openProd := func(w *world) string { return w.strategyProduct("OPEN") }
		anotherProd := func(w *world) string { return w.product() }
		cases = append(cases,
			apiCase{name: f + g.titles[0], setup: mk(anon, openProd), check: n(0)},
			apiCase{name: f + g.titles[1], setup: mk(otherLic, nil), check: n(0)},
			apiCase{name: f + g.titles[2], setup: mk(ownLic, nil), check: n(0)},
			apiCase{name: f + g.titles[3], setup: mk(otherUser, nil), check: n(0)},
			apiCase{name: f + g.titles[4], setup: mk(ownUser, nil), check: n(0)},
			apiCase{name: f + g.titles[5], setup: mk(prodAuth, nil), check: n(3)},
			apiCase{name: f + g.titles[6], setup: mk(prodAuth, anotherProd), check: n(0)},
			apiCase{name: f + g.titles[7], setup: mk(admin, nil), check: n(3)},
		)
	}
	cases = append(cases,
		apiCase{name: f + "Admin retrieves all releases for their account", setup: func(w *world) req { w.rels(w.prod, 6, ""); return list("", "") }, check: n(6)},
		apiCase{name: f + "Admin retrieves all releases for their account (v1.1)", setup: func(w *world) req {
			rs := w.rels(w.prod, 2, "")
			w.artifact(rs[0], "App.zip", []byte("x"), nil)
			r := list("", "")
			r.headers = map[string]string{"Keygen-Version": "1.1"}
			return r
		}, check: n(2)},
		apiCase{name: f + "Admin retrieves all non-yanked stable releases for their account", setup: statusTable("?yanked=false&channel=stable"), check: n(3)},
		apiCase{name: f + "Admin retrieves all non-yanked releases for their account", setup: statusTable("?yanked=false"), check: n(5)},
		apiCase{name: f + "Admin retrieves all yanked stable releases for their account", setup: statusTable("?yanked=true&channel=stable"), check: n(0)},
		apiCase{name: f + "Admin retrieves all yanked releases for their account", setup: statusTable("?yanked=true"), check: n(1)},
		// platform, arch, filetype and version filter releases in API 1.0 only
		// (ReleasesController has_scope … if: current_api_version == '1.0').
		apiCase{name: f + "Admin retrieves all beta releases filtered by platform", setup: artifactTable("?channel=beta&platform=win32", "1.0.0", "1.0.1", "1.1.0", "1.2.0-beta.1", "1.0.0-beta.1", "1.0.0-beta.2"), check: n(6)},
		apiCase{name: f + "Admin retrieves all releases filtered by arch", setup: artifactTable("?arch=x64", "1.0.0", "1.0.1", "1.1.0", "1.2.0-beta.1", "1.0.0-beta.1", "1.0.0-beta.2"), check: n(6)},
		apiCase{name: f + "Admin retrieves all releases filtered by version", setup: artifactTable("?version=1.0.0", "1.0.0", "1.1.0", "1.2.0-beta.1", "1.0.0-alpha.2", "1.0.0-beta.1"), check: n(5)},
		apiCase{name: f + "Admin retrieves all releases filtered by filetype", setup: artifactTable("?filetype=tar.gz", "1.0.0", "1.1.0", "1.2.0-beta.1", "1.0.0-alpha.2", "1.0.0-beta.1"), check: n(5)},
		apiCase{name: f + "Admin retrieves all win32 product releases for their account", setup: func(w *world) req {
			win := w.product()
			for _, v := range []string{"1.0.0", "1.0.1", "1.1.0", "1.2.0-beta.1"} {
				w.release(w.prod, v, "PUBLISHED", nil)
			}
			for _, v := range []string{"1.0.0-beta.1", "1.0.0-beta.2"} {
				w.release(win, v, "PUBLISHED", nil)
			}
			return list("", "?product="+win+"&channel=alpha")
		}, check: n(2)},
		apiCase{name: f + "Product retrieves all releases", setup: func(w *world) req {
			w.rels(w.prod, 2, "")
			w.rels(w.product(), 2, "")
			return list(w.productAuth(w.prod), "")
		}, check: n(2)},
		apiCase{name: f + "User retrieves all releases for their license (license owner)", setup: func(w *world) req {
			w.rels(w.prod, 3, "")
			w.rels(w.product(), 7, "")
			_, _, auth := w.userWithLicense(w.prod)
			return list(auth, "")
		}, check: n(3)},
		apiCase{name: f + "User retrieves all releases for their license (license user)", setup: func(w *world) req {
			w.rels(w.prod, 3, "")
			w.rels(w.product(), 7, "")
			u, auth := w.userToken("lu@example.com")
			w.addLicenseUser(w.licenseOwnedBy(w.policy(w.prod, nil), ""), u)
			return list(auth, "")
		}, check: n(3)},
		apiCase{name: f + "License retrieves all releases for their product", setup: func(w *world) req {
			w.rels(w.prod, 9, "")
			w.rels(w.product(), 5, "")
			_, auth := w.licBearer(w.prod, nil)
			return list(auth, "")
		}, check: n(9)},
		apiCase{name: f + "Anonymous attempts to retrieve all accessible releases", setup: func(w *world) req {
			op, lp, cp := w.strategyProduct("OPEN"), w.strategyProduct("LICENSED"), w.strategyProduct("CLOSED")
			rs := w.rels(op, 5, "")
			w.constrain(rs[1], w.entitlement("A"), w.entitlement("B"), w.entitlement("C"))
			w.rels(lp, 3, "")
			w.rels(cp, 7, "")
			return list("-", "")
		}, check: n(4)},
		apiCase{name: f + "License attempts to retrieve all draft releases", setup: func(w *world) req {
			w.relOf(w.prod, "DRAFT", nil)
			yankedRels(w, w.prod, 1)
			w.artifact(w.relOf(w.prod, "PUBLISHED", nil), "App.zip", []byte("x"), nil)
			_, auth := w.licBearer(w.prod, nil)
			return list(auth, "?status=DRAFT")
		}, check: n(0)},
		apiCase{name: f + "License attempts to retrieve all published releases", setup: func(w *world) req {
			w.artifact(w.relOf(w.prod, "PUBLISHED", nil), "App.zip", []byte("x"), nil)
			w.relOf(w.prod, "DRAFT", nil)
			w.artifact(w.relOf(w.prod, "PUBLISHED", nil), "App.zip", []byte("y"), nil)
			yankedRels(w, w.prod, 1)
			_, auth := w.licBearer(w.prod, nil)
			return list(auth, "?status=PUBLISHED")
		}, check: n(2)},
		apiCase{name: f + "License attempts to retrieve all yanked releases", setup: func(w *world) req {
			w.relOf(w.prod, "DRAFT", nil)
			yankedRels(w, w.prod, 1)
			w.relOf(w.prod, "PUBLISHED", nil)
			_, auth := w.licBearer(w.prod, nil)
			return list(auth, "?status=YANKED")
		}, check: n(0)},
		apiCase{name: f + "License attempts to retrieve all accessible releases", setup: func(w *world) req {
			lp, _ := accessible(w)
			_, auth := w.licBearer(lp, nil)
			return list(auth, "")
		}, check: n(8)},
		apiCase{name: f + "License attempts to retrieve all accessible releases (filtered)", setup: func(w *world) req {
			lp, _ := accessible(w)
			_, auth := w.licBearer(lp, nil)
			return list(auth, "?product="+lp)
		}, check: n(3)},
		apiCase{name: f + "User attempts to retrieve all accessible releases", setup: func(w *world) req {
			lp, _ := accessible(w)
			_, _, auth := w.userWithLicense(lp)
			return list(auth, "")
		}, check: n(8)},
		apiCase{name: f + "User attempts to retrieve all accessible releases (limit)", setup: func(w *world) req {
			w.rels(w.prod, 1, "")
			w.rels(w.strategyProduct("OPEN"), 1, "")
			w.rels(w.strategyProduct("CLOSED"), 1, "")
			_, _, auth := w.userWithLicense(w.prod)
			return list(auth, "?limit=1")
		}, check: n(1)},
		apiCase{name: f + "User attempts to retrieve all accessible releases (filtered)", setup: func(w *world) req {
			lp, op := accessible(w)
			_, _, auth := w.userWithLicense(lp)
			return list(auth, "?product="+op)
		}, check: n(5)},
		apiCase{name: f + "Admin attempts to retrieve releases for another account", setup: func(w *world) req {
			w.rels(w.prod, 2, "")
			return list("Bearer "+newWorld(w.t).srv.AdminToken, "")
		}, status: 401, check: func(t *testing.T, _ *world, r *reply) { assert.Len(t, r.doc["errors"], 1) }},
		apiCase{name: f + "Admin retrieves releases filtered by constraint", setup: func(w *world) req {
			for i, id := range w.rels(w.prod, 3, "") {
				w.constrain(id, w.entitlement(fmt.Sprint("C", i)))
			}
			w.relOf(w.prod, "", nil)
			return list("", "?constraints[]=C0")
		}, check: n(2)},
		apiCase{name: f + "Admin retrieves releases filtered by entitlement", setup: func(w *world) req {
			for i, id := range w.rels(w.prod, 3, "") {
				w.constrain(id, w.entitlement(fmt.Sprint("C", i)))
			}
			w.relOf(w.prod, "", nil)
			return list("", "?entitlements[]=C0")
		}, check: n(2)},
		apiCase{name: f + "License retrieves their product releases with constraints (no entitlements)", setup: func(w *world) req {
			rs := w.rels(w.prod, 3, "")
			w.constrain(rs[2], w.entitlement("X"))
			_, auth := w.licBearer(w.prod, nil)
			return list(auth, "")
		}, check: n(2)},
		apiCase{name: f + "License retrieves their product releases with constraints (some entitlements)", setup: func(w *world) req {
			auth, _ := constrained(w, false, false)
			return list(auth, "")
		}, check: n(2)},
		apiCase{name: f + "License retrieves their product releases with constraints (all entitlements)", setup: func(w *world) req {
			auth, _ := constrained(w, true, false)
			return list(auth, "")
		}, check: n(3)},
		apiCase{name: f + "License retrieves their product releases with constraints (with filters)", setup: func(w *world) req {
			auth, _ := constrained(w, false, false)
			return list(auth, "?product="+w.prod+"&entitlements[]=E2")
		}, check: n(1)},
		apiCase{name: f + "User retrieves their product releases with constraints (no entitlements)", setup: func(w *world) req {
			rs := w.rels(w.prod, 3, "")
			w.constrain(rs[2], w.entitlement("X"))
			_, _, auth := w.userWithLicense(w.prod)
			return list(auth, "")
		}, check: n(2)},
		apiCase{name: f + "User retrieves their product releases with constraints (some entitlements)", setup: func(w *world) req {
			auth, _ := constrained(w, false, true)
			return list(auth, "")
		}, check: n(2)},
		apiCase{name: f + "User retrieves their product releases with constraints (all entitlements)", setup: func(w *world) req {
			auth, _ := constrained(w, true, true)
			return list(auth, "")
		}, check: n(3)},
		apiCase{name: f + "License retrieves their releases with an expired license (REVOKE_ACCESS)", setup: licenseExpired("REVOKE_ACCESS"), status: 403, code: "LICENSE_EXPIRED", detail: "License is expired"},
		apiCase{name: f + "License retrieves their releases with an expired license (RESTRICT_ACCESS)", setup: licenseExpired("RESTRICT_ACCESS"), check: n(3)},
		apiCase{name: f + "License retrieves their releases with an expired license (MAINTAIN_ACCESS)", setup: licenseExpired("MAINTAIN_ACCESS"), check: n(3)},
		apiCase{name: f + "License retrieves their releases with an expired license (ALLOW_ACCESS)", setup: licenseExpired("ALLOW_ACCESS"), check: n(4)},
		apiCase{name: f + "User retrieves their releases with an expired license (REVOKE_ACCESS)", setup: userExpired("REVOKE_ACCESS"), check: n(5)},
		apiCase{name: f + "User retrieves their releases with an expired license (RESTRICT_ACCESS)", setup: userExpired("RESTRICT_ACCESS"), check: n(7)},
		apiCase{name: f + "User retrieves their releases with an expired license (MAINTAIN_ACCESS)", setup: userExpired("MAINTAIN_ACCESS"), check: n(7)},
		apiCase{name: f + "User retrieves their releases with an expired license (ALLOW_ACCESS)", setup: userExpired("ALLOW_ACCESS"), check: n(8)},
	)
	runEach(t, fresh, cases)
}

func TestReleaseFeaturesIndexPagination(t *testing.T) {
	t.Parallel()
	const f = "releases/index.feature: "
	w := newProductWorld(t)
	var ids []string
	for range 19 {
		ids = append(ids, w.relOf(w.prod, "", nil))
		w.srv.Advance(time.Millisecond)
	}
	bad := func(name, query string) apiCase {
		return apiCase{name: f + name, r: getAs("/releases"+query, ""), status: 400, title: "Bad request"}
	}
	w.run(t, []apiCase{
		{name: f + "Admin retrieves an offset-paginated list of releases", r: getAs("/releases?page[number]=4&page[size]=5", ""), check: count(4)},
		bad("Admin retrieves an offset-paginated list of releases with a page size that is too high", "?page[number]=1&page[size]=250"),
		bad("Admin retrieves an offset-paginated list of releases with a page size that is too low", "?page[number]=1&page[size]=-250"),
		bad("Admin retrieves an offset-paginated list of releases with an invalid page number (negative)", "?page[number]=-1&page[size]=10"),
		bad("Admin retrieves an offset-paginated list of releases with an invalid page number (type)", "?page%5Bnumber%5D%3D=0"),
		bad("Admin retrieves an offset-paginated list of releases with a page number that is too high", "?page[number]=101&page[size]=100"),
		bad("Admin retrieves an offset-paginated list of releases with a page number that is too low", "?page[number]=0&page[size]=100"),
		{name: f + "Admin retrieves a keyset-paginated list of releases (first page)", r: getAs("/releases?page[size]=5&page[cursor]=", ""), check: listIDs(ids[18], ids[17], ids[16], ids[15], ids[14])},
		{name: f + "Admin retrieves a keyset-paginated list of releases (next page)", r: getAs("/releases?page[size]=5&page[cursor]="+ids[14], ""), check: listIDs(ids[13], ids[12], ids[11], ids[10], ids[9])},
		{name: f + "Admin retrieves a keyset-paginated list of releases (last page)", r: getAs("/releases?page[size]=5&page[cursor]="+ids[4], ""), check: listIDs(ids[3], ids[2], ids[1], ids[0])},
		{name: f + "Admin retrieves a keyset-paginated list of releases (nonexistent cursor)", r: getAs("/releases?page[size]=5&page[cursor]=52a26820-0caa-4bac-9ff1-27bb6ec77ac4", ""), check: count(0)},
		{name: f + "Admin retrieves a keyset-paginated list of releases (invalid cursor)", r: getAs("/releases?page[size]=5&page[cursor]=foo", ""), status: 400,
			detail: `page cursor must be a valid UUID (got "foo")`, check: func(t *testing.T, _ *world, r *reply) { assert.Len(t, r.doc["errors"], 1) }},
	})
	// (no results) is an account without releases.
	e := newWorld(t)
	e.run(t, []apiCase{{name: f + "Admin retrieves a keyset-paginated list of releases (no results)", r: getAs("/releases?page[size]=5&page[cursor]=", ""), check: count(0)}})
}

// productNamed is the id of the product with the name.
func (w *world) productNamed(name string) string {
	var id string
	w.withStore(func(db *store) {
		for _, p := range db.products {
			if p.Name == name {
				id = p.ID
			}
		}
	})
	return id
}

// upgradeTo checks an upgrade answer: the next release's version and product, and meta.
func upgradeTo(cur, next string, prod func(w *world) string) func(t *testing.T, w *world, r *reply) {
	return func(t *testing.T, w *world, r *reply) {
		assert.Equal(t, next, r.attrs()["version"], string(r.body))
		assert.Equal(t, map[string]any{"current": cur, "next": next}, r.doc["meta"])
		if prod != nil {
			assert.Equal(t, map[string]any{"type": "products", "id": prod(w)}, relData(r, "product"))
		}
	}
}

// TestReleaseFeaturesUpgrade pins scenarios of releases/relationships/upgrade.feature.
func TestReleaseFeaturesUpgrade(t *testing.T) {
	t.Parallel()
	const f = "releases/relationships/upgrade.feature: "
	prodA := func(w *world) string { return w.productNamed("Test App A") }
	prodB := func(w *world) string { return w.productNamed("Test App B") }
	// products is "Test App A" and "Test App B" (the strategy), each with 1.0.0 and 1.0.1, A's
	// first; with a license of A when licensed.
	products := func(strategy string, licensed bool, path func(w *world) string) func(w *world) req {
		return func(w *world) req {
			a := w.mustCreate("/products", "products", map[string]any{"name": "Test App A", "distributionStrategy": strategy}, nil)
			b := w.mustCreate("/products", "products", map[string]any{"name": "Test App B", "distributionStrategy": strategy}, nil)
			w.release(a, "1.0.0", "PUBLISHED", nil)
			w.release(a, "1.0.1", "PUBLISHED", nil)
			w.srv.Advance(time.Second)
			w.release(b, "1.0.0", "PUBLISHED", nil)
			w.release(b, "1.0.1", "PUBLISHED", nil)
			auth := ""
			if licensed {
				_, auth = w.licBearer(a, nil)
			}
			return getAs(path(w), auth)
		}
	}
	pathOf := func(s string) func(w *world) string { return func(*world) string { return s } }
	// packages is one CLOSED product with package1, no package and package2 each holding
	// 1.0.0 and 1.0.1, in that order.
	packages := func(path func(w *world, pkg2 string, ids []string) string) func(w *world) req {
		return func(w *world) req {
			p := w.mustCreate("/products", "products", map[string]any{"name": "Test App A", "distributionStrategy": "CLOSED"}, nil)
			p1, p2 := w.pkgOf(p, "package1"), w.pkgOf(p, "package2")
			var ids []string
			for _, pkg := range []string{p1, "", p2} {
				for _, v := range []string{"1.0.0", "1.0.1"} {
					rels := map[string]any{"product": link("products", p)}
					if pkg != "" {
						rels["package"] = link("packages", pkg)
					}
					ids = append(ids, w.mustCreate("/releases", "releases", map[string]any{"version": v, "channel": "stable", "status": "PUBLISHED"}, rels))
				}
				w.srv.Advance(time.Second)
			}
			return getAs(path(w, p2, ids), "")
		}
	}
	runEach(t, newProductWorld, []apiCase{
		{name: f + "Admin retrieves an upgrade for a product release conflicting with another product release (without scope)", setup: products("CLOSED", false, pathOf("/releases/1.0.0/upgrade")),
			check: upgradeTo("1.0.0", "1.0.1", prodA)},
		{name: f + "Admin retrieves an upgrade for a product release conflicting with another product release (with scope)", setup: products("CLOSED", false, func(w *world) string { return "/releases/1.0.0/upgrade?product=" + prodB(w) }),
			check: upgradeTo("1.0.0", "1.0.1", prodB)},
		{name: f + "License retrieves an upgrade for a product release conflicting with another product release (without scope)", setup: products("LICENSED", true, pathOf("/releases/1.0.0/upgrade")),
			check: upgradeTo("1.0.0", "1.0.1", prodA)},
		{name: f + "License retrieves an upgrade for a product release conflicting with another product release (with scope)", setup: products("LICENSED", true, func(w *world) string { return "/releases/1.0.0/upgrade?product=" + prodB(w) }),
			status: 404, code: "NOT_FOUND"},
		{name: f + "Admin retrieves an upgrade for a release conflicting with another package (with scope)", setup: packages(func(w *world, pkg2 string, _ []string) string { return "/releases/1.0.0/upgrade?package=" + pkg2 }),
			check: both(upgradeTo("1.0.0", "1.0.1", prodA), func(t *testing.T, w *world, r *reply) { assert.NotNil(t, relData(r, "package"), string(r.body)) })},
		{name: f + "Admin retrieves an upgrade for a release conflicting with another package (nil scope)", setup: packages(func(w *world, _ string, ids []string) string { return "/releases/1.0.0/upgrade?package=" }),
			check: both(upgradeTo("1.0.0", "1.0.1", prodA), func(t *testing.T, w *world, r *reply) { assert.Nil(t, relData(r, "package"), string(r.body)) })},
		{name: f + "Admin retrieves an upgrade for a release conflicting with another package (no scope)", setup: packages(func(w *world, _ string, ids []string) string { return "/releases/" + ids[4] + "/upgrade" }),
			check: both(upgradeTo("1.0.0", "1.0.1", prodA), func(t *testing.T, w *world, r *reply) { assert.NotNil(t, relData(r, "package"), string(r.body)) })},
		{name: f + "Admin retrieves an upgrade by an invalid version", setup: func(w *world) req {
			w.release(w.prod, "1.0.0", "PUBLISHED", nil)
			return getAs("/releases/%3Cnot%20set%3E/upgrade", "")
		}, status: 404, code: "NOT_FOUND", detail: "The requested release '<not set>' was not found"},
		{name: f + "Admin retrieves an upgrade by tag", setup: func(w *world) req {
			w.release(w.prod, "1.0.0", "PUBLISHED", map[string]any{"tag": "app@1.0.0"})
			w.release(w.prod, "2.0.0", "PUBLISHED", nil)
			return getAs("/releases/app@1.0.0/upgrade", "")
		}, check: upgradeTo("1.0.0", "2.0.0", nil)},
		{name: f + "License retrieves an upgrade for a product release using an invalid channel", setup: func(w *world) req {
			for _, v := range []string{"1.0.0", "1.5.0", "1.7.0"} {
				w.release(w.prod, v, "PUBLISHED", nil)
			}
			_, auth := w.licBearer(w.prod, nil)
			return getAs("/releases/1.0.0/upgrade?channel=edge", auth)
		}, status: 404, code: "NOT_FOUND"},
		{name: f + "License retrieves an upgrade for a product release using an invalid constraint", setup: func(w *world) req {
			for _, v := range []string{"1.0.0", "1.5.0", "1.7.0"} {
				w.release(w.prod, v, "PUBLISHED", nil)
			}
			_, auth := w.licBearer(w.prod, nil)
			return getAs("/releases/1.5.0/upgrade?constraint=A", auth)
		}, status: 400, code: "CONSTRAINT_INVALID", detail: "invalid constraint format", source: map[string]any{"parameter": "constraint"}},
		{name: f + "License retrieves an upgrade for a product release using a constraint", setup: func(w *world) req {
			for _, v := range []string{"1.0.0", "1.5.0", "1.7.0", "2.0.0"} {
				w.release(w.prod, v, "PUBLISHED", nil)
			}
			_, auth := w.licBearer(w.prod, nil)
			return getAs("/releases/1.5.0/upgrade?constraint=1.0", auth)
		}, check: upgradeTo("1.5.0", "1.7.0", nil)},
		{name: f + "Admin retrieves an upgrade for a product release (up-to-date)", setup: func(w *world) req {
			w.release(w.prod, "1.0.0", "PUBLISHED", nil)
			id := w.release(w.prod, "2.0.1", "PUBLISHED", nil)
			return getAs("/releases/"+id+"/upgrade", "")
		}, status: 404, code: "NOT_FOUND", detail: "The requested release was not found"},
		{name: f + "Admin retrieves an upgrade for a product release (upgrade available)", setup: func(w *world) req {
			id := w.release(w.prod, "1.0.0", "PUBLISHED", nil)
			w.release(w.prod, "2.0.1", "PUBLISHED", nil)
			w.release(w.prod, "2.0.2", "DRAFT", nil)
			return getAs("/releases/"+id+"/upgrade", "")
		}, check: upgradeTo("1.0.0", "2.0.1", nil)},
		{name: f + "Anonymous retrieves an upgrade for a product release (CLOSED distribution strategy)", setup: func(w *world) req {
			p := w.strategyProduct("CLOSED")
			id := w.release(p, "1.0.0", "PUBLISHED", nil)
			w.release(p, "1.1.0", "PUBLISHED", nil)
			return getAs("/releases/"+id+"/upgrade", "-")
		}, status: 404, code: "NOT_FOUND"},
		{name: f + "Anonymous retrieves an upgrade for a product release (OPEN distribution strategy)", setup: func(w *world) req {
			p := w.strategyProduct("OPEN")
			id := w.release(p, "1.0.0", "PUBLISHED", nil)
			w.release(p, "1.1.0", "PUBLISHED", nil)
			return getAs("/releases/"+id+"/upgrade", "-")
		}, check: upgradeTo("1.0.0", "1.1.0", nil)},
		{name: f + "Product retrieves an upgrade for another product release (CLOSED distribution strategy)", setup: func(w *world) req {
			p := w.strategyProduct("CLOSED")
			id := w.release(p, "1.0.0", "PUBLISHED", nil)
			w.release(p, "1.1.0", "PUBLISHED", nil)
			return getAs("/releases/"+id+"/upgrade", w.productAuth(w.prod))
		}, status: 404, code: "NOT_FOUND"},
		{name: f + "Product retrieves an upgrade for their release (CLOSED distribution strategy)", setup: func(w *world) req {
			p := w.strategyProduct("CLOSED")
			id := w.release(p, "1.0.0", "PUBLISHED", nil)
			w.release(p, "1.1.0", "PUBLISHED", nil)
			return getAs("/releases/"+id+"/upgrade", w.productAuth(p))
		}, check: upgradeTo("1.0.0", "1.1.0", nil)},
		{name: f + "License retrieves an upgrade for a release of their product (key auth, suspended)", setup: func(w *world) req {
			id := w.release(w.prod, "1.0.0", "PUBLISHED", nil)
			lic := w.licenseOwnedBy(w.policy(w.prod, map[string]any{"authenticationStrategy": "LICENSE"}), "")
			var key string
			w.mutLicense(lic, func(l *license) { l.Suspended = true; key = l.Key })
			return getAs("/releases/"+id+"/upgrade", "License "+key)
		}, status: 403, code: "LICENSE_SUSPENDED", detail: "License is suspended"},
	})
}

// TestReleaseFeaturesRelationships pins releases/relationships/entitlements.feature,
// constraints.feature, product.feature and package.feature.
func TestReleaseFeaturesRelationships(t *testing.T) {
	t.Parallel()
	x := newReleaseAuthWorld(t)
	w := x.world
	// rel is a release of prod constrained by three entitlements that lic's policy holds, so
	// that the license, its owner and its user may read it; bare is the same for a license
	// holding none (barelic), and other a release of prod2.
	ents := []string{w.entitlement("R1"), w.entitlement("R2"), w.entitlement("R3")}
	w.attachEntitlements("policies", w.pol, ents...)
	rel := w.relOf(w.prod, "", nil)
	w.constrain(rel, ents...)
	var cons []string
	w.withStore(func(db *store) {
		for _, k := range db.dist.releases[rel].Constraints {
			cons = append(cons, k.ID)
		}
	})
	bareAuth := w.licenseAuth(w.licenseOf(w.policy(w.prod, nil), false, false, nil), nil)
	strangerU, strangerAuth := w.userToken("stranger@example.com")
	w.licenseOwnedBy(w.pol2, strangerU)
	other := w.relOf(w.prod2, "", nil)
	w.constrain(other, ents[0])
	var otherCon string
	w.withStore(func(db *store) { otherCon = db.dist.releases[other].Constraints[0].ID })
	pkg := w.pkgOf(w.prod, "rel-pkg")
	pkgRel := w.mustCreate("/releases", "releases", map[string]any{"version": "1.0.0", "channel": "stable", "status": "PUBLISHED"},
		map[string]any{"product": link("products", w.prod), "package": link("packages", pkg)})
	open := w.strategyProduct("OPEN")
	openPkg := w.pkgOf(open, "open-pkg")
	openRel := w.mustCreate("/releases", "releases", map[string]any{"version": "1.0.0", "channel": "stable", "status": "PUBLISHED"},
		map[string]any{"product": link("products", open), "package": link("packages", openPkg)})
	closed := w.strategyProduct("CLOSED")
	closedRel := w.relOf(closed, "", nil)
	isPkg := func(t *testing.T, _ *world, r *reply) { assert.Equal(t, "packages", r.data()["type"], string(r.body)) }
	isProduct := func(t *testing.T, _ *world, r *reply) { assert.Equal(t, w.prod, r.id(), string(r.body)) }
	const fe = "releases/relationships/entitlements.feature: "
	const fc = "releases/relationships/constraints.feature: "
	const fp = "releases/relationships/product.feature: "
	const fk = "releases/relationships/package.feature: "
	w.run(t, []apiCase{
		{name: fe + "Admin retrieves the entitlements for a release", r: getAs("/releases/"+rel+"/entitlements", ""), check: count(3)},
		{name: fe + "Product retrieves the entitlements for a release", r: getAs("/releases/"+rel+"/entitlements", w.prodAuth), check: count(3)},
		{name: fe + "Admin retrieves an entitlement for a release", r: getAs("/releases/"+rel+"/entitlements/"+ents[0], ""), check: dataID(ents[0])},
		{name: fe + "Product retrieves an entitlement for a release", r: getAs("/releases/"+rel+"/entitlements/"+ents[1], w.prodAuth), check: dataID(ents[1])},
		{name: fe + "Product retrieves the entitlements for a release of another product", r: getAs("/releases/"+other+"/entitlements", w.prodAuth), status: 404, code: "NOT_FOUND"},
		{name: fe + "License attempts to retrieve the entitlements for a release of a different product", r: getAs("/releases/"+other+"/entitlements", x.licAuth), status: 404, code: "NOT_FOUND"},
		{name: fe + "License attempts to retrieve the entitlements for a release of their product", r: getAs("/releases/"+rel+"/entitlements", x.licAuth), check: count(3)},
		{name: fe + "User attempts to retrieve the entitlements for a release they don't have a license for", r: getAs("/releases/"+rel+"/entitlements", strangerAuth), status: 404, code: "NOT_FOUND"},
		{name: fe + "User attempts to retrieve the entitlements for a release they do have a license for (license owner)", r: getAs("/releases/"+rel+"/entitlements", w.ownerAuth), check: count(3)},
		{name: fe + "User attempts to retrieve the entitlements for a release they do have a license for (license user)", r: getAs("/releases/"+rel+"/entitlements", w.luAuth), check: count(3)},
		{name: fe + "Admin attempts to retrieve the entitlements for a release of another account", r: getAs("/releases/"+rel+"/entitlements", w.otherAcct), status: 401},
		{name: fe + "License attempts to retrieve an entitlement for a release of their product (has entitlements)", r: getAs("/releases/"+rel+"/entitlements/"+ents[2], x.licAuth), check: dataID(ents[2])},
		{name: fe + "License attempts to retrieve an entitlement for a release of their product (no entitlements)", r: getAs("/releases/"+rel+"/entitlements/"+ents[2], bareAuth), status: 404, code: "NOT_FOUND"},
		{name: fe + "License attempts to retrieve an entitlement for a product release", r: getAs("/releases/"+other+"/entitlements/"+ents[0], x.licAuth), status: 404, code: "NOT_FOUND"},
		{name: fe + "User attempts to retrieve an entitlement for a release they do have a license for (license owner, has entitlements)", r: getAs("/releases/"+rel+"/entitlements/"+ents[0], w.ownerAuth), check: dataID(ents[0])},
		{name: fe + "User attempts to retrieve an entitlement for a release they do have a license for (license user, has entitlements)", r: getAs("/releases/"+rel+"/entitlements/"+ents[0], w.luAuth), check: dataID(ents[0])},
		{name: fe + "User attempts to retrieve an entitlement for a release they don't have a license for", r: getAs("/releases/"+rel+"/entitlements/"+ents[0], strangerAuth), status: 404, code: "NOT_FOUND"},
		{name: fe + "Admin retrieves an entitlement for a release (not a constraint)", r: getAs("/releases/"+other+"/entitlements/"+ents[1], ""), status: 404, code: "NOT_FOUND",
			detail: "The requested entitlement '" + ents[1] + "' was not found"},

		{name: fc + "Admin retrieves the constraints for a release", r: getAs("/releases/"+rel+"/constraints", ""), check: count(3)},
		{name: fc + "Product retrieves the constraints for a release", r: getAs("/releases/"+rel+"/constraints", w.prodAuth), check: count(3)},
		{name: fc + "Admin retrieves an constraints for a release", r: getAs("/releases/"+rel+"/constraints/"+cons[0], ""), check: dataID(cons[0])},
		{name: fc + "Product retrieves an constraints for a release", r: getAs("/releases/"+rel+"/constraints/"+cons[0], w.prodAuth), check: dataID(cons[0])},
		{name: fc + "Product retrieves the constraints for a release of another product", r: getAs("/releases/"+other+"/constraints", w.prodAuth), status: 404, code: "NOT_FOUND"},
		{name: fc + "License attempts to retrieve the constraints for a release of a different product", r: getAs("/releases/"+other+"/constraints", x.licAuth), status: 404, code: "NOT_FOUND"},
		{name: fc + "License attempts to retrieve the constraints for a release of their product", r: getAs("/releases/"+rel+"/constraints", x.licAuth), check: count(3)},
		{name: fc + "User attempts to retrieve the constraints for a release they do have a license for (license owner)", r: getAs("/releases/"+rel+"/constraints", w.ownerAuth), check: count(3)},
		{name: fc + "User attempts to retrieve the constraints for a release they do have a license for (license user)", r: getAs("/releases/"+rel+"/constraints", w.luAuth), check: count(3)},
		{name: fc + "Admin attempts to retrieve the constraints for a release of another account", r: getAs("/releases/"+rel+"/constraints", w.otherAcct), status: 401},
		{name: fc + "License attempts to retrieve a constraint for a release of their product (has entitlements)", r: getAs("/releases/"+rel+"/constraints/"+cons[1], x.licAuth), check: dataID(cons[1])},
		{name: fc + "License attempts to retrieve a constraint for a release of their product (no entitlements)", r: getAs("/releases/"+rel+"/constraints/"+cons[1], bareAuth), status: 404, code: "NOT_FOUND"},
		{name: fc + "License attempts to retrieve a constraint for a product release", r: getAs("/releases/"+other+"/constraints/"+otherCon, x.licAuth), status: 404, code: "NOT_FOUND"},
		{name: fc + "User attempts to retrieve a constraint for a release they do have a license for (license owner, has entitlements)", r: getAs("/releases/"+rel+"/constraints/"+cons[2], w.ownerAuth), check: dataID(cons[2])},
		{name: fc + "User attempts to retrieve a constraint for a release they do have a license for (license user, has entitlements)", r: getAs("/releases/"+rel+"/constraints/"+cons[2], w.luAuth), check: dataID(cons[2])},
		{name: fc + "User attempts to retrieve a constraint for a release they don't have a license for", r: getAs("/releases/"+rel+"/constraints/"+cons[2], strangerAuth), status: 404, code: "NOT_FOUND"},
		{name: fc + "Admin attaches constraints to a release when the constraint already exists", r: req{method: "POST", path: "/releases/" + rel + "/constraints", body: map[string]any{"data": []any{constraintOf(ents[0])}}},
			status: 422, title: unprocessed, code: "ENTITLEMENT_TAKEN", detail: "already exists", source: map[string]any{"pointer": "/data/relationships/entitlement"}},
		{name: fc + "Admin attempts to attach an constraint to a release for another account", r: req{method: "POST", path: "/releases/" + rel + "/constraints", auth: w.otherAcct, body: map[string]any{"data": []any{constraintOf(ents[0])}}}, status: 401},
		{name: fc + "Product attempts to attach constraints to a release it doesn't own", r: req{method: "POST", path: "/releases/" + other + "/constraints", auth: w.prodAuth, body: map[string]any{"data": []any{constraintOf(ents[1])}}}, status: 404, code: "NOT_FOUND"},
		{name: fc + "User attempts to attach constraints to a release", r: req{method: "POST", path: "/releases/" + rel + "/constraints", auth: w.ownerAuth, body: map[string]any{"data": []any{constraintOf(ents[1])}}}, status: 403, title: "Access denied"},
		{name: fc + "Admin attempts to detach constraints from a release with an invalid constraint ID", r: req{method: "DELETE", path: "/releases/" + rel + "/constraints", body: map[string]any{"data": []any{
			map[string]any{"type": "constraints", "id": cons[0]}, map[string]any{"type": "constraints", "id": cons[1]}, map[string]any{"type": "constraints", "id": "f40913d3-a786-407f-8dd6-94664b95ade8"}}}},
			status: 422, title: "Unprocessable entity", detail: "cannot detach constraint 'f40913d3-a786-407f-8dd6-94664b95ade8' (constraint is not attached)", source: map[string]any{"pointer": "/data/2"},
			check: func(t *testing.T, w *world, _ *reply) {
				assert.Len(t, w.get("/releases/"+rel+"/constraints").list(), 3, "nothing is detached")
			}},
		{name: fc + "Admin attempts to detach an constraint from a release for another account", r: req{method: "DELETE", path: "/releases/" + rel + "/constraints", auth: w.otherAcct, body: map[string]any{"data": []any{map[string]any{"type": "constraints", "id": cons[0]}}}}, status: 401},
		{name: fc + "Product attempts to detach constraints from a release it doesn't own", r: req{method: "DELETE", path: "/releases/" + other + "/constraints", auth: w.prodAuth, body: map[string]any{"data": []any{map[string]any{"type": "constraints", "id": otherCon}}}}, status: 404, code: "NOT_FOUND"},
		{name: fc + "License attempts to detach constraints from a release", r: req{method: "DELETE", path: "/releases/" + rel + "/constraints", auth: x.licAuth, body: map[string]any{"data": []any{map[string]any{"type": "constraints", "id": cons[0]}}}}, status: 403, title: "Access denied"},
		{name: fc + "User attempts to detach constraints from a release", r: req{method: "DELETE", path: "/releases/" + rel + "/constraints", auth: w.ownerAuth, body: map[string]any{"data": []any{map[string]any{"type": "constraints", "id": cons[0]}}}}, status: 403, title: "Access denied"},

		{name: fp + "Admin retrieves the product for a release", r: getAs("/releases/"+rel+"/product", ""), check: isProduct},
		{name: fp + "Product retrieves the product for a release", r: getAs("/releases/"+rel+"/product", w.prodAuth), check: isProduct},
		{name: fp + "Product retrieves the product for a release of another product", r: getAs("/releases/"+other+"/product", w.prodAuth), status: 404, code: "NOT_FOUND"},
		{name: fp + "User attempts to retrieve the product for their release (license owner)", r: getAs("/releases/"+rel+"/product", w.ownerAuth), status: 403, title: "Access denied"},
		{name: fp + "User attempts to retrieve the product for their release (license user)", r: getAs("/releases/"+rel+"/product", w.luAuth), status: 403, title: "Access denied"},
		{name: fp + "User attempts to retrieve the product for a release", r: getAs("/releases/"+rel+"/product", strangerAuth), status: 404, code: "NOT_FOUND"},
		{name: fp + "Admin attempts to retrieve the product for a release of another account", r: getAs("/releases/"+rel+"/product", w.otherAcct), status: 401},

		{name: fk + "Admin retrieves the package for a release", r: getAs("/releases/"+pkgRel+"/package", ""), check: isPkg},
		{name: fk + "Product retrieves the package for a release", r: getAs("/releases/"+pkgRel+"/package", w.prodAuth), check: isPkg},
		{name: fk + "Product retrieves the package for a release of another product", r: getAs("/releases/"+openRel+"/package", w.prodAuth), status: 404, code: "NOT_FOUND"},
		{name: fk + "License retrieves the package for a release", r: getAs("/releases/"+pkgRel+"/package", x.licAuth), check: isPkg},
		{name: fk + "License retrieves the package for a release of another product", r: getAs("/releases/"+other+"/package", x.licAuth), status: 404, code: "NOT_FOUND"},
		{name: fk + "User retrieves the package for a release of a product (license owner)", r: getAs("/releases/"+pkgRel+"/package", w.ownerAuth), check: isPkg},
		{name: fk + "User retrieves the package for a release of a product (license user)", r: getAs("/releases/"+pkgRel+"/package", w.luAuth), check: isPkg},
		{name: fk + "User retrieves the package for a release of another product", r: getAs("/releases/"+pkgRel+"/package", strangerAuth), status: 404, code: "NOT_FOUND"},
		{name: fk + "Anonymous retrieves the package for a licensed release", r: getAs("/releases/"+pkgRel+"/package", "-"), status: 404, code: "NOT_FOUND"},
		{name: fk + "Anonymous retrieves the package for a closed release", r: getAs("/releases/"+closedRel+"/package", "-"), status: 404, code: "NOT_FOUND"},
		{name: fk + "Anonymous retrieves the package for an open release", r: getAs("/releases/"+openRel+"/package", "-"), check: isPkg},
		{name: fk + "Admin attempts to retrieve the package for a release of another account", r: getAs("/releases/"+pkgRel+"/package", w.otherAcct), status: 401},
		{name: fk + "License updates the package for a release", r: req{method: "PUT", path: "/releases/" + pkgRel + "/package", auth: x.licAuth, body: link("packages", pkg)}, status: 403, title: "Access denied"},
		{name: fk + "User updates the package for a release", r: req{method: "PUT", path: "/releases/" + pkgRel + "/package", auth: w.ownerAuth, body: link("packages", pkg)}, status: 403, title: "Access denied"},
		{name: fk + "Anonmyous updates the package for a release", r: req{method: "PUT", path: "/releases/" + pkgRel + "/package", auth: "-", body: link("packages", pkg)}, status: 401},
		{name: fk + "Admin clears the package for a release", r: req{method: "PUT", path: "/releases/" + w.relOf(w.prod, "", nil) + "/package", body: map[string]any{"data": nil}},
			check: func(t *testing.T, _ *world, r *reply) {
				assert.Nil(t, r.doc["data"])
				assert.Contains(t, r.doc, "data")
			}},
		{name: fk + "Admin updates the package for a release", r: req{method: "PUT", path: "/releases/" + w.relOf(w.prod, "", nil) + "/package", body: link("packages", pkg)}, check: dataID(pkg)},
		{name: fk + "Product updates the package for a release", r: req{method: "PUT", path: "/releases/" + w.relOf(w.prod, "", nil) + "/package", auth: w.prodAuth, body: link("packages", pkg)}, check: dataID(pkg)},
	})
}

// TestReleaseFeaturesUpgradeExpiry pins upgrade.feature's expiration windows: releases 1.0.0
// (Jan 1), 1.0.1 (Jan 2), 1.1.0 (Feb 1), 1.2.0 (Mar 1), 1.3.0 (Apr 1), 2.0.0-beta.1 (May 1)
// and, when backdated, 1.2.1 (Jun 1, backdated to Jan 1); a license with the strategy and
// expiry; the windows include releases created at the expiry.
func TestReleaseFeaturesUpgradeExpiry(t *testing.T) {
	t.Parallel()
	const f = "releases/relationships/upgrade.feature: "
	upgrade := func(strategy, expiry, from string, backdated, keyAuth bool) func(w *world) req {
		return func(w *world) req {
			for _, r := range []struct{ v, at string }{{"1.0.0", "2024-01-01T00:00:00Z"}, {"1.2.0", "2024-03-01T00:00:00Z"}, {"1.0.1", "2024-01-02T00:00:00Z"},
				{"1.1.0", "2024-02-01T00:00:00Z"}, {"1.3.0", "2024-04-01T00:00:00Z"}, {"2.0.0-beta.1", "2024-05-01T00:00:00Z"}} {
				w.setCreated(w.release(w.prod, r.v, "PUBLISHED", nil), r.at)
			}
			if backdated {
				id := w.release(w.prod, "1.2.1", "PUBLISHED", map[string]any{"backdated": "2024-01-01T00:00:00Z"})
				w.setCreated(id, "2024-06-01T00:00:00Z")
			}
			lic := w.licenseOwnedBy(w.policy(w.prod, map[string]any{"expirationStrategy": strategy, "authenticationStrategy": "MIXED"}), "")
			exp, err := time.Parse(time.RFC3339, expiry)
			require.NoError(t, err)
			var key string
			w.withStore(func(db *store) { db.licenses[lic].Expiry = &exp; key = db.licenses[lic].Key })
			auth := w.licenseAuth(lic, nil)
			if keyAuth {
				auth = "License " + key
			}
			return getAs("/releases/"+from+"/upgrade", auth)
		}
	}
	next := func(cur, nxt string) func(t *testing.T, w *world, r *reply) { return upgradeTo(cur, nxt, nil) }
	runEach(t, newProductWorld, []apiCase{
		{name: f + "License retrieves an upgrade for a release of their product (expired, out of date, but access restricted)", setup: upgrade("RESTRICT_ACCESS", "2024-03-02T00:00:00Z", "1.1.0", false, false), check: next("1.1.0", "1.2.0")},
		{name: f + "License retrieves an upgrade for a release of their product (expired, out of date, backdated, but access restricted)", setup: upgrade("RESTRICT_ACCESS", "2024-03-02T00:00:00Z", "1.1.0", true, false), check: next("1.1.0", "1.2.1")},
		{name: f + "License retrieves an upgrade for a release of their product (expired, up to date, but access restricted)", setup: upgrade("RESTRICT_ACCESS", "2024-03-02T00:00:00Z", "1.2.0", false, false), status: 404, code: "NOT_FOUND"},
		{name: f + "License retrieves an upgrade for a release of their product (expired, out of date, but access maintained)", setup: upgrade("MAINTAIN_ACCESS", "2024-03-01T00:00:00Z", "1.0.1", false, false), check: next("1.0.1", "1.2.0")},
		{name: f + "License retrieves an upgrade for a release of their product (expired, out of date, backdated, but access maintained)", setup: upgrade("MAINTAIN_ACCESS", "2024-03-01T00:00:00Z", "1.0.1", true, false), check: next("1.0.1", "1.2.1")},
		{name: f + "License retrieves an upgrade for a release of their product (valid, but access maintained)", setup: upgrade("MAINTAIN_ACCESS", "2099-01-01T00:00:00Z", "1.0.1", false, false), check: next("1.0.1", "1.3.0")},
		{name: f + "License retrieves an upgrade for a release of their product (expired, access allowed)", setup: upgrade("ALLOW_ACCESS", "2024-01-01T00:00:00Z", "1.0.1", false, false), check: next("1.0.1", "1.3.0")},
		{name: f + "License retrieves an upgrade for a release of their product (expired, but access revoked)", setup: upgrade("REVOKE_ACCESS", "2024-01-01T00:00:00Z", "1.0.0", false, false), status: 404, code: "NOT_FOUND"},
		{name: f + "License retrieves an upgrade for a release of their product (key auth, expired, but access restricted)", setup: upgrade("RESTRICT_ACCESS", "2024-02-01T00:00:00Z", "1.0.1", false, true), check: next("1.0.1", "1.1.0")},
		{name: f + "License retrieves an upgrade for a release of their product (key auth, expired, but access allowed)", setup: upgrade("ALLOW_ACCESS", "2024-02-01T00:00:00Z", "1.2.0", false, true), check: next("1.2.0", "1.3.0")},
		{name: f + "License retrieves an upgrade for a release of their product (key auth, expired, but access revoked)", setup: upgrade("REVOKE_ACCESS", "2024-02-01T00:00:00Z", "1.0.1", false, true),
			status: 403, code: "LICENSE_EXPIRED", detail: "License is expired"},
	})
}

// TestReleaseFeaturesUpgradeEntitlements pins upgrade.feature's entitlement constraints and
// duplicate versions.
func TestReleaseFeaturesUpgradeEntitlements(t *testing.T) {
	t.Parallel()
	const f = "releases/relationships/upgrade.feature: "
	// ents makes the versions' releases, n entitlements and a license holding the first
	// `held` of them (owned by a user when user), constrains the releases as cons says
	// (release index → entitlement indexes) and asks for the first release's upgrade.
	ents := func(versions []string, n, held int, cons map[int][]int, user bool) func(w *world) req {
		return func(w *world) req {
			var rs, es []string
			for _, v := range versions {
				rs = append(rs, w.release(w.prod, v, "PUBLISHED", nil))
			}
			for i := range n {
				es = append(es, w.entitlement(fmt.Sprint("UE", i)))
			}
			var u, auth string
			if user {
				u, auth = w.userToken("u@example.com")
			}
			lic := w.licenseOwnedBy(w.policy(w.prod, nil), u)
			if held > 0 {
				w.attachEntitlements("licenses", lic, es[:held]...)
			}
			if !user {
				auth = w.licenseAuth(lic, nil)
			}
			for ri, eis := range cons {
				var ids []string
				for _, ei := range eis {
					ids = append(ids, es[ei])
				}
				w.constrain(rs[ri], ids...)
			}
			return getAs("/releases/"+rs[0]+"/upgrade", auth)
		}
	}
	alpha := []string{"1.0.0-alpha.1", "1.0.0"}
	runEach(t, newProductWorld, []apiCase{
		{name: f + "License retrieves an upgrade for a release of their product (has single entitlement)", setup: ents([]string{"1.0.0", "1.1.0", "1.2.0"}, 1, 1, map[int][]int{0: {0}, 1: {0}}, false),
			check: upgradeTo("1.0.0", "1.2.0", nil)},
		{name: f + "License retrieves an upgrade for a release of their product (missing some entitlements)", setup: ents(alpha, 2, 1, map[int][]int{0: {0}, 1: {0, 1}}, false), status: 404, code: "NOT_FOUND"},
		{name: f + "License retrieves an upgrade for a release of their product (missing all entitlements)", setup: ents(alpha, 2, 0, map[int][]int{0: {0}, 1: {0, 1}}, false), status: 404, code: "NOT_FOUND"},
		{name: f + "User retrieves an upgrade for a release of their product (has single entitlement)", setup: ents([]string{"1.0.0", "1.1.0", "1.2.0"}, 1, 1, map[int][]int{0: {0}, 1: {0}}, true),
			check: upgradeTo("1.0.0", "1.2.0", nil)},
		{name: f + "User retrieves an upgrade for a release of their product (has multiple entitlements)", setup: ents(alpha, 2, 2, map[int][]int{0: {0}, 1: {0, 1}}, true), check: upgradeTo("1.0.0-alpha.1", "1.0.0", nil)},
		{name: f + "User retrieves an upgrade for a release of their product (missing some entitlements)", setup: ents(alpha, 2, 1, map[int][]int{0: {0}, 1: {0, 1}}, true), status: 404, code: "NOT_FOUND"},
		{name: f + "User retrieves an upgrade for a release of their product (missing all entitlements)", setup: ents(alpha, 2, 0, map[int][]int{0: {0}, 1: {0, 1}}, true), status: 404, code: "NOT_FOUND"},
		// The rows hold three 1.0.0 releases of one product (the API refuses a duplicate
		// version): an upgrade skips the same version (app/models/release.rb upgrade!).
		{name: f + "Admin retrieves an upgrade for a product release (duplicate versions)", setup: func(w *world) req {
			id := w.release(w.prod, "1.0.0", "PUBLISHED", nil)
			w.withStore(func(db *store) {
				for range 2 {
					dup := *db.dist.releases[id]
					dup.base = newBase(dup.AccountID, dup.Created)
					db.dist.releases[dup.ID] = &dup
				}
			})
			return getAs("/releases/"+id+"/upgrade", "")
		}, status: 404, code: "NOT_FOUND", detail: "The requested release was not found"},
	})
}

// TestReleaseFeaturesUpgradeTagConstraints pins upgrade.feature's constraints with a build
// or pre-release tag: Semverse::Constraint.split accepts "1+p1" and "1-beta", and upgrade!
// keeps the releases whose build or pre-release words match.
func TestReleaseFeaturesUpgradeTagConstraints(t *testing.T) {
	t.Parallel()
	const f = "releases/relationships/upgrade.feature: "
	// table makes "Test App A" and "Test App B" with the versions and asks, as a license of
	// A, for the upgrade of from under the constraint.
	table := func(a, b []string, from, constraint string) func(w *world) req {
		return func(w *world) req {
			pa := w.mustCreate("/products", "products", map[string]any{"name": "Test App A"}, nil)
			pb := w.mustCreate("/products", "products", map[string]any{"name": "Test App B"}, nil)
			for _, v := range a {
				w.release(pa, v, "PUBLISHED", nil)
			}
			for _, v := range b {
				w.release(pb, v, "PUBLISHED", nil)
			}
			_, auth := w.licBearer(pa, nil)
			return getAs("/releases/"+from+"/upgrade?constraint="+constraint, auth)
		}
	}
	prodA := func(w *world) string { return w.productNamed("Test App A") }
	runEach(t, newProductWorld, []apiCase{
		{name: f + "License retrieves an upgrade for a product release with build tag constraint",
			setup: table([]string{"1.0.0+p1", "1.0.1+p1"}, []string{"1.0.0+p2", "1.1.0+p2", "1.2.0+p2", "2.0.0+p2"}, "1.0.0%2Bp1", "1%2Bp1"),
			check: upgradeTo("1.0.0+p1", "1.0.1+p1", prodA)},
		{name: f + "License retrieves an upgrade for a product release with pre tag constraint",
			setup: table([]string{"1.0.0-beta.1", "1.0.0-beta.2", "1.0.0-beta.3", "1.0.0"}, []string{"1.0.0", "1.0.1", "1.1.0-beta.1", "1.1.0-beta.2", "1.1.0"}, "1.0.0-beta.1", "1-beta"),
			check: upgradeTo("1.0.0-beta.1", "1.0.0-beta.3", prodA)},
		{name: "upgrade constraint with a Semverse operator (~> 1.0): split keeps the version parts",
			setup: table([]string{"1.0.0", "1.5.0", "1.7.0", "2.0.0"}, nil, "1.5.0", "~%3E%201.0"),
			check: upgradeTo("1.5.0", "1.7.0", prodA)},
	})
}
