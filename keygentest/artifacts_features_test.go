package keygentest

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The scenarios of features/api/v1/artifacts/*.feature (keygen-sh/keygen-api), one case per
// scenario, named "<file>: <scenario title>". Scenarios that need Keygen EE (environments),
// a canceled account, S3 faults or API 1.0 are not here.

// postArtifactReq is POST /artifacts for a release as auth.
func postArtifactReq(rel, auth string, attrs map[string]any) req {
	return req{method: "POST", path: "/artifacts", auth: auth, body: doc("artifacts", attrs, map[string]any{"release": link("releases", rel)})}
}

func (w *world) artifactCount() int {
	n := 0
	w.withStore(func(db *store) { n = len(db.dist.artifacts) })
	return n
}

func TestArtifactFeaturesCreate(t *testing.T) {
	t.Parallel()
	const f = "artifacts/create.feature: "
	x := newReleaseAuthWorld(t)
	w := x.world
	created := func(attrs map[string]any) func(w *world) req {
		return func(w *world) req { return postArtifactReq(w.relOf(w.prod, "", nil), "", attrs) }
	}
	as := func(auth string, prod func(w *world) string, attrs map[string]any) func(w *world) req {
		return func(w *world) req {
			p := w.prod
			if prod != nil {
				p = prod(w)
			}
			return postArtifactReq(w.relOf(p, "", nil), auth, attrs)
		}
	}
	exe := map[string]any{"filename": "App-Setup-1-0-0.exe", "filetype": "exe", "filesize": 512, "platform": "win32", "arch": "amd64"}
	runSeq(t, w, []apiCase{
		{name: f + "Admin creates an artifact", setup: created(exe), status: 307,
			attrs: map[string]any{"filename": "App-Setup-1-0-0.exe", "filetype": "exe", "filesize": 512.0, "platform": "win32", "arch": "amd64", "status": "WAITING"}},
		{name: f + "Admin creates an artifact (prefers no-redirect)", setup: func(w *world) req {
			r := created(exe)(w)
			r.headers = map[string]string{"Prefer": "no-redirect"}
			return r
		}, status: 200, attrs: map[string]any{"status": "WAITING"}},
		{name: f + "Admin creates a duplicate artifact", setup: func(w *world) req {
			rel := w.relOf(w.prod, "", nil)
			require.Equal(t, 307, w.createArtifact(rel, "App-Setup-1-0-0.exe", map[string]any{"filetype": "exe"}).status)
			return postArtifactReq(rel, "", exe)
		}, status: 422, title: unprocessed, code: "FILENAME_TAKEN", detail: "already exists", source: map[string]any{"pointer": "/data/attributes/filename"}},
		{name: f + "Admin creates an artifact with a non-lowercase filename", setup: created(map[string]any{"filename": "Product-1.0.0.AppImage", "filetype": ".AppImage", "filesize": 209715200, "platform": "linux"}),
			status: 307, attrs: map[string]any{"filename": "Product-1.0.0.AppImage", "filetype": "appimage"}},
		{name: f + "Admin creates an artifact with a null filename", setup: created(map[string]any{"filename": nil}), status: 400, title: "Bad request", detail: "cannot be null",
			source: map[string]any{"pointer": "/data/attributes/filename"}},
		{name: f + "Admin creates an artifact with a non-lowercase filetype", setup: created(map[string]any{"filename": "App.DMG", "filetype": "DMG"}), status: 307, attrs: map[string]any{"filetype": "dmg"}},
		{name: f + "Admin creates an artifact with a null filetype", setup: created(map[string]any{"filename": "@keygen/node", "filetype": nil}), status: 307, attrs: map[string]any{"filetype": nil}},
		{name: f + "Admin creates an artifact with an empty filetype", setup: created(map[string]any{"filename": "@keygen/node", "filetype": ""}), status: 307, attrs: map[string]any{"filetype": nil}},
		{name: f + "Admin creates an artifact with a null filesize", setup: created(map[string]any{"filename": "Setup.exe", "filetype": "exe", "filesize": nil}), status: 307, attrs: map[string]any{"filesize": nil}},
		{name: f + "Admin creates an artifact with an empty filesize", setup: created(map[string]any{"filename": "Setup.exe", "filetype": "exe", "filesize": ""}), status: 400, title: "Bad request",
			detail: "type mismatch (received string expected integer)", source: map[string]any{"pointer": "/data/attributes/filesize"}},
		{name: f + "Admin creates an artifact with a non-lowercase platform", setup: created(map[string]any{"filename": "App-1.0.0.dmg", "filetype": "dmg", "platform": "macOS"}), status: 307, attrs: map[string]any{"platform": "macos"}},
		{name: f + "Admin creates an artifact with a null platform", setup: created(map[string]any{"filename": "App-1.0.0.dmg", "platform": nil}), status: 307, attrs: map[string]any{"platform": nil}},
		{name: f + "Admin creates an artifact with an empty platform", setup: created(map[string]any{"filename": "App-1.0.0.dmg", "platform": ""}), status: 307, attrs: map[string]any{"platform": nil}},
		{name: f + "Admin creates an artifact with a non-lowercase arch", setup: created(map[string]any{"filename": "App-1.0.0.dmg", "filetype": "dmg", "platform": "macOS", "arch": "M1"}), status: 307, attrs: map[string]any{"arch": "m1"}},
		{name: f + "Admin creates an artifact with a null arch", setup: created(map[string]any{"filename": "App-1.0.0.dmg", "arch": nil}), status: 307, attrs: map[string]any{"arch": nil}},
		{name: f + "Admin creates an artifact with an empty arch", setup: created(map[string]any{"filename": "App-1.0.0.dmg", "arch": ""}), status: 307, attrs: map[string]any{"arch": nil}},
		{name: f + "Admin creates an artifact with a signature", setup: created(map[string]any{"filename": "App-1.0.0.dmg", "signature": "sig"}), status: 307, attrs: map[string]any{"signature": "sig"}},
		{name: f + "Admin creates an artifact with a null signature", setup: created(map[string]any{"filename": "App-1.0.0.dmg", "signature": nil}), status: 307, attrs: map[string]any{"signature": nil}},
		{name: f + "Admin creates an artifact with a checksum", setup: created(map[string]any{"filename": "App-1.0.0.dmg", "checksum": "abc"}), status: 307, attrs: map[string]any{"checksum": "abc"}},
		{name: f + "Admin creates an artifact with a null checksum", setup: created(map[string]any{"filename": "App-1.0.0.dmg", "checksum": nil}), status: 307, attrs: map[string]any{"checksum": nil}},
		{name: f + "Admin creates an artifact with metadata", setup: created(map[string]any{"filename": "keygen_darwin_amd64", "metadata": map[string]any{"shasum": "x"}}), status: 307, attrs: map[string]any{"metadata": map[string]any{"shasum": "x"}}},
		{name: f + "Admin creates an artifact with null metadata", setup: created(map[string]any{"filename": "keygen_darwin_amd64", "metadata": nil}), status: 307, attrs: map[string]any{"metadata": map[string]any{}}},
		{name: f + "Admin creates an artifact with empty metadata", setup: created(map[string]any{"filename": "keygen_darwin_amd64", "metadata": map[string]any{}}), status: 307, attrs: map[string]any{"metadata": map[string]any{}}},
		{name: f + "Product creates an artifact", setup: as(w.prodAuth, nil, exe), status: 307},
		{name: f + "Product creates an artifact for another product", setup: as(w.prodAuth, func(w *world) string { return w.prod2 }, exe), status: 403, title: "Access denied"},
		{name: f + "License creates an artifact", setup: as(x.licAuth, nil, exe), status: 403, title: "Access denied"},
		{name: f + "User creates an artifact", setup: as(w.ownerAuth, nil, exe), status: 403, title: "Access denied"},
		{name: f + "Anonymous creates an artifact", setup: as("-", nil, exe), status: 401},
	})
}

func TestArtifactFeaturesUpdateDestroy(t *testing.T) {
	t.Parallel()
	x := newReleaseAuthWorld(t)
	w := x.world
	// art makes an uploaded artifact of a new release of prod (or of prod2).
	art := func(w *world, prod string) string {
		return w.artifact(w.relOf(prod, "", nil), "App-1.0.0.dmg", []byte("bytes"), map[string]any{"filetype": "dmg", "filesize": 5})
	}
	patch := func(auth, prod string, attrs map[string]any) func(w *world) req {
		return func(w *world) req {
			if prod == "" {
				prod = w.prod
			}
			return req{method: "PATCH", path: "/artifacts/" + art(w, prod), auth: auth, body: doc("artifacts", attrs, nil)}
		}
	}
	const fu = "artifacts/update.feature: "
	runSeq(t, w, []apiCase{
		{name: fu + "Admin updates an artifact's filesize", setup: patch("", "", map[string]any{"filesize": 1024}), attrs: map[string]any{"filesize": 1024.0}},
		{name: fu + "Admin updates an artifact's null filesize", setup: patch("", "", map[string]any{"filesize": nil}), attrs: map[string]any{"filesize": nil}},
		{name: fu + "Admin updates an artifact with an empty filesize", setup: patch("", "", map[string]any{"filesize": ""}), status: 400, title: "Bad request",
			detail: "type mismatch (received string expected integer)", source: map[string]any{"pointer": "/data/attributes/filesize"}},
		{name: fu + "Admin updates an artifact's signature", setup: patch("", "", map[string]any{"signature": "sig"}), attrs: map[string]any{"signature": "sig"}},
		{name: fu + "Admin updates an artifact's null signature", setup: patch("", "", map[string]any{"signature": nil}), attrs: map[string]any{"signature": nil}},
		{name: fu + "Admin updates an artifact's checksum", setup: patch("", "", map[string]any{"checksum": "abc"}), attrs: map[string]any{"checksum": "abc"}},
		{name: fu + "Admin updates an artifact's null checksum", setup: patch("", "", map[string]any{"checksum": nil}), attrs: map[string]any{"checksum": nil}},
		{name: fu + "Admin updates an artifact with metadata", setup: patch("", "", map[string]any{"metadata": map[string]any{"fooBar": "baz"}}), attrs: map[string]any{"metadata": map[string]any{"fooBar": "baz"}}},
		{name: fu + "Admin updates an artifact with null metadata", setup: patch("", "", map[string]any{"metadata": nil}), attrs: map[string]any{"metadata": map[string]any{}}},
		{name: fu + "Admin updates an artifact with empty metadata", setup: patch("", "", map[string]any{"metadata": map[string]any{}}), attrs: map[string]any{"metadata": map[string]any{}}},
		{name: fu + "Admin updates an artifact's filename", setup: patch("", "", map[string]any{"filename": "x.dmg"}), status: 400, title: "Bad request", detail: "unpermitted parameter",
			source: map[string]any{"pointer": "/data/attributes/filename"}},
		{name: fu + "Admin updates an artifact's status", setup: patch("", "", map[string]any{"status": "UPLOADED"}), status: 400, title: "Bad request", detail: "unpermitted parameter",
			source: map[string]any{"pointer": "/data/attributes/status"}},
		{name: fu + "Product updates an artifact", setup: patch(w.prodAuth, "", map[string]any{"signature": "sig"}), attrs: map[string]any{"signature": "sig"}},
		{name: fu + "Product updates an artifact for another product", setup: func(w *world) req { return patch(w.prodAuth, w.prod2, map[string]any{"signature": "sig"})(w) }, status: 404, code: "NOT_FOUND"},
		{name: fu + "License updates an artifact they have access to", setup: patch(x.licAuth, "", map[string]any{"signature": "sig"}), status: 403, title: "Access denied"},
		{name: fu + "License updates an artifact they do not have access to", setup: func(w *world) req { return patch(x.licAuth, w.prod2, map[string]any{"signature": "sig"})(w) }, status: 404, code: "NOT_FOUND"},
		{name: fu + "User updates an artifact they have access to", setup: patch(w.ownerAuth, "", map[string]any{"signature": "sig"}), status: 403, title: "Access denied"},
		{name: fu + "User updates an artifact they do not have access to", setup: func(w *world) req { return patch(w.ownerAuth, w.prod2, map[string]any{"signature": "sig"})(w) }, status: 404, code: "NOT_FOUND"},
	})

	del := func(auth string, prod func(w *world) string) func(w *world) req {
		return func(w *world) req {
			p := w.prod
			if prod != nil {
				p = prod(w)
			}
			return req{method: "DELETE", path: "/artifacts/" + art(w, p), auth: auth}
		}
	}
	const fd = "artifacts/destroy.feature: "
	prod2 := func(w *world) string { return w.prod2 }
	runSeq(t, w, []apiCase{
		{name: fd + "Admin attempts to delete an artifact for another account", setup: del(w.otherAcct, nil), status: 401},
		{name: fd + "Sales deletes one of their artifacts", setup: del(w.salesAuth, nil), status: 403, title: "Access denied", detail: denied},
		{name: fd + "Support deletes one of their releases", setup: del(w.supportAuth, nil), status: 403, title: "Access denied", detail: denied},
		{name: fd + "Read-only deletes one of their artifacts", setup: del(w.roAuth, nil), status: 403, title: "Access denied", detail: roLacks},
		{name: fd + "Product deletes an artifact for a different product", setup: del(w.prodAuth, prod2), status: 404, code: "NOT_FOUND"},
		{name: fd + "License attempts to delete an artifact for their product", setup: del(x.licAuth, nil), status: 403, title: "Access denied"},
		{name: fd + "User attempts to delete an artifact for their product", setup: del(w.ownerAuth, nil), status: 403, title: "Access denied"},
		{name: fd + "Anonymous attempts to delete an artifact", setup: del("-", nil), status: 401},
	})
	for name, auth := range map[string]string{fd + "Admin deletes one of their artifacts": "", fd + "Developer deletes one of their artifacts": w.devAuth, fd + "Product deletes one of their artifacts": w.prodAuth} {
		t.Run(name, func(t *testing.T) {
			before := w.artifactCount()
			id := art(w, w.prod)
			r := w.do(req{method: "DELETE", path: "/artifacts/" + id, auth: auth})
			require.Equal(t, 204, r.status, string(r.body))
			// The artifact is yanked in the request and its record is destroyed later by
			// YankArtifactWorker (app/workers/yank_artifact_worker.rb): right after, it
			// reads YANKED, without a download, and the other artifacts are as they were.
			r = w.get("/artifacts/" + id)
			require.Equal(t, 200, r.status, string(r.body))
			assert.Equal(t, "YANKED", r.attrs()["status"])
			assert.Empty(t, r.header.Get("Location"))
			assert.Equal(t, before+1, w.artifactCount())
		})
	}
}

// TestArtifactFeaturesDestroyByFilename pins destroy.feature's deletions by filename: the
// artifact of the latest release version, or of the ?release= one.
func TestArtifactFeaturesDestroyByFilename(t *testing.T) {
	t.Parallel()
	const fd = "artifacts/destroy.feature: "
	for _, c := range []struct {
		name, query string
		left        []string // versions whose artifacts remain
	}{
		{"Admin deletes one of their artifacts by filename (for latest release)", "", []string{"1.0.0", "1.1.0"}},
		{"Admin deletes one of their artifacts by filename (for release by version)", "?release=1.0.0", []string{"1.1.0", "2.0.0"}},
		{"Admin deletes one of their artifacts by filename (for release by ID)", "?release=1.1.0", []string{"1.0.0", "2.0.0"}},
	} {
		t.Run(fd+c.name, func(t *testing.T) {
			t.Parallel()
			w := newProductWorld(t)
			ids := map[string]string{}
			for _, v := range []string{"1.0.0", "1.1.0", "2.0.0"} {
				ids[v] = w.release(w.prod, v, "PUBLISHED", nil)
				w.artifact(ids[v], "dir/test.tar.gz", []byte(v), map[string]any{"filetype": "tar.gz", "platform": "linux"})
			}
			q := c.query
			if q == "?release=1.1.0" {
				q = "?release=" + ids["1.1.0"]
			}
			r := w.do(req{method: "DELETE", path: "/artifacts/dir/test.tar.gz" + q})
			require.Equal(t, 204, r.status, string(r.body))
			var left []string
			w.withStore(func(db *store) {
				for _, a := range db.dist.artifacts {
					if a.Status != "YANKED" { // the deleted one awaits YankArtifactWorker
						left = append(left, db.dist.releases[a.ReleaseID].Version)
					}
				}
			})
			assert.ElementsMatch(t, c.left, left)
		})
	}
}

func TestArtifactFeaturesShow(t *testing.T) {
	t.Parallel()
	const f = "artifacts/show.feature: "
	d := newDistWorld(t)
	w := d.world
	// show makes an uploaded artifact of a new release of prod with the release status
	// (YANKED: published, then yanked) and then sets the artifact status (the features'
	// factories: WAITING is never uploaded; FAILED and YANKED are stored).
	show := func(auth, prod, relStatus, artStatus string) func(w *world) req {
		return func(w *world) req {
			st := relStatus
			if st == "YANKED" {
				st = "PUBLISHED"
			}
			rel := w.relOf(prod, st, nil)
			var id string
			if artStatus == "WAITING" {
				id = w.createArtifact(rel, "App.zip", nil).id()
			} else {
				id = w.artifact(rel, "App.zip", []byte("bytes"), nil)
			}
			if relStatus == "YANKED" {
				require.Equal(t, 200, w.do(req{method: "POST", path: "/releases/" + rel + "/actions/yank"}).status)
			}
			if artStatus == "FAILED" || artStatus == "YANKED" {
				w.withStore(func(db *store) { db.dist.artifacts[id].Status = artStatus })
			}
			return getAs("/artifacts/"+id, auth)
		}
	}
	redirect := func(name string, setup func(w *world) req) apiCase {
		return apiCase{name: f + name, setup: setup, status: 303, check: func(t *testing.T, _ *world, r *reply) {
			assert.NotEmpty(t, r.header.Get("Location"))
			assert.Equal(t, "artifacts", r.data()["type"])
		}}
	}
	doc200 := func(name string, setup func(w *world) req) apiCase {
		return apiCase{name: f + name, setup: setup, status: 200, check: func(t *testing.T, _ *world, r *reply) {
			assert.Empty(t, r.header.Get("Location"))
			assert.Equal(t, "artifacts", r.data()["type"])
		}}
	}
	notFound := func(name string, setup func(w *world) req) apiCase {
		return apiCase{name: f + name, setup: setup, status: 404, code: "NOT_FOUND"}
	}
	lp, op, cp := d.prodOf["LICENSED"], d.prodOf["OPEN"], d.prodOf["CLOSED"]
	var cases []apiCase
	cases = append(cases,
		redirect("Anonymous retrieves an artifact for an OPEN release", show("-", op, "", "")),
		redirect("License retrieves an artifact for an OPEN release without a license for it", show(d.lic2Auth, op, "", "")),
		redirect("License retrieves an artifact for an OPEN release with a license for it", show(d.licAuthOf["OPEN"], op, "", "")),
		redirect("User retrieves an artifact for an OPEN release without a license for it", show(d.strangerAuth, op, "", "")),
		redirect("User retrieves an artifact for an OPEN release with a license for it", show(w.ownerAuth, op, "", "")),
		redirect("Product retrieves an artifact for an OPEN release", show(w.productAuth(op), op, "", "")),
		notFound("Product retrieves an artifact for an OPEN release of another product", show(w.prodAuth, op, "", "")),
		redirect("Admin retrieves an artifact for an OPEN release", show("", op, "", "")),
		notFound("Anonymous retrieves an artifact for a CLOSED release", show("-", cp, "", "")),
		notFound("License retrieves an artifact for a CLOSED release without a license for it", show(d.lic2Auth, cp, "", "")),
		notFound("License retrieves an artifact for a CLOSED release with a license for it", show(d.licAuthOf["CLOSED"], cp, "", "")),
		notFound("User retrieves an artifact for a CLOSED release without a license for it", show(d.strangerAuth, cp, "", "")),
		notFound("User retrieves an artifact for a CLOSED release with a license for it", show(w.ownerAuth, cp, "", "")),
		redirect("Product retrieves an artifact for a CLOSED release", show(w.productAuth(cp), cp, "", "")),
		notFound("Product retrieves an artifact for a CLOSED release of another product", show(w.prodAuth, cp, "", "")),
		redirect("Admin retrieves an artifact for a CLOSED release", show("", cp, "", "")),
		notFound("Anonymous retrieves an artifact for a LICENSED release", show("-", lp, "", "")),
		notFound("License retrieves an artifact for a LICENSED release without a license for it", show(d.lic2Auth, lp, "", "")),
		redirect("License retrieves an artifact for a LICENSED release with a license for it", show(d.licAuth, lp, "", "")),
		notFound("User retrieves an artifact for a LICENSED release without a license for it", show(d.strangerAuth, lp, "", "")),
		redirect("User retrieves an artifact for a LICENSED release with a license for it", show(w.ownerAuth, lp, "", "")),
		redirect("Product retrieves an artifact for a LICENSED release", show(w.prodAuth, lp, "", "")),
		notFound("Product retrieves an artifact for a LICENSED release of another product", show(w.prodAuth, w.prod2, "", "")),
		redirect("Admin retrieves an artifact for a LICENSED release", show("", lp, "", "")),

		notFound("Anonymous retrieves an artifact for a draft release", show("-", op, "DRAFT", "")),
		notFound("License retrieves an artifact for a draft release without a license for it", show(d.lic2Auth, lp, "DRAFT", "")),
		notFound("License retrieves an artifact for a draft release with a license for it", show(d.licAuth, lp, "DRAFT", "")),
		notFound("User retrieves an artifact for a draft release without a license for it", show(d.strangerAuth, lp, "DRAFT", "")),
		notFound("User retrieves an artifact for a draft release with a license for it", show(w.ownerAuth, lp, "DRAFT", "")),
		redirect("Product retrieves an artifact for a draft release", show(w.prodAuth, lp, "DRAFT", "")),
		notFound("Product retrieves an artifact for a draft release of another product", show(w.prodAuth, w.prod2, "DRAFT", "")),
		redirect("Admin retrieves an artifact for a draft release", show("", lp, "DRAFT", "")),

		notFound("Anonymous retrieves an artifact for a yanked release", show("-", op, "YANKED", "")),
		notFound("License retrieves an artifact for a yanked release without a license for it", show(d.lic2Auth, lp, "YANKED", "")),
		notFound("License retrieves an artifact for a yanked release with a license for it", show(d.licAuth, lp, "YANKED", "")),
		notFound("User retrieves an artifact for a yanked release without a license for it", show(d.strangerAuth, lp, "YANKED", "")),
		notFound("User retrieves an artifact for a yanked release with a license for it", show(w.ownerAuth, lp, "YANKED", "")),
		doc200("Product retrieves an artifact for a yanked release", show(w.prodAuth, lp, "YANKED", "")),
		notFound("Product retrieves an artifact for a yanked release of another product", show(w.prodAuth, w.prod2, "YANKED", "")),
		doc200("Admin retrieves an artifact for a yanked release", show("", lp, "YANKED", "")),
	)
	for _, g := range []struct {
		st     string
		titles [8]string
	}{
		{"WAITING", [8]string{"Anonymous retrieves a waiting artifact", "License retrieves a waiting artifact without a license for it", "License retrieves a waiting artifact with a license for it",
			"User retrieves a waiting artifact without a license for it", "User retrieves a waiting artifact with a license for it", "Product retrieves a waiting artifact",
			"Product retrieves a waiting artifact of another product", "Admin retrieves a waiting artifact"}},
		{"FAILED", [8]string{"Anonymous retrieves a failed artifact", "License retrieves a failed artifact without a license for it", "License retrieves a failed artifact with a license for it",
			"User retrieves a failed artifact without a license for it", "User retrieves a failed artifact with a license for it", "Product retrieves a failed artifact",
			"Product retrieves a failed artifact of another product", "Admin retrieves a failed artifact"}},
		{"YANKED", [8]string{"Anonymous retrieves a yanked artifact", "License retrieves a yanked artifact without a license for it", "License retrieves a yanked artifact with a license for it",
			"User retrieves a yanked artifact without a license for it", "User retrieves a yanked artifact with a license for it", "Product retrieves a yanked artifact",
			"Product retrieves a yanked artifact of another product", "Admin retrieves a yanked artifact"}},
	} {
		cases = append(cases,
			notFound(g.titles[0], show("-", op, "", g.st)),
			notFound(g.titles[1], show(d.lic2Auth, lp, "", g.st)),
			notFound(g.titles[2], show(d.licAuth, lp, "", g.st)),
			notFound(g.titles[3], show(d.strangerAuth, lp, "", g.st)),
			notFound(g.titles[4], show(w.ownerAuth, lp, "", g.st)),
			doc200(g.titles[5], show(w.prodAuth, lp, "", g.st)),
			notFound(g.titles[6], show(w.prodAuth, w.prod2, "", g.st)),
			doc200(g.titles[7], show("", lp, "", g.st)),
		)
	}
	for title, auth := range map[string]string{"Developer retrieves an artifact for their account": w.devAuth, "Sales retrieves an artifact for their account": w.salesAuth,
		"Support retrieves an artifact for their account": w.supportAuth, "Read-only retrieves an artifact for their account": w.roAuth} {
		cases = append(cases, redirect(title, show(auth, lp, "", "")))
	}
	// The artifact show route is outside Keygen's mime type constraint (config/routes.rb):
	// any Accept gets the redirect, in JSON only when JSON is asked for.
	for title, accept := range map[string][2]string{
		"Admin retrieves an artifact with an application/json accept header":         {"application/json", "application/json; charset=utf-8"},
		"Admin retrieves an artifact with an application/xml accept header":          {"application/xml", jsonAPIType},
		"Admin retrieves an artifact with an application/octet-stream accept header": {"application/octet-stream", jsonAPIType},
		"Admin retrieves an artifact with a text/html accept header":                 {"text/html", jsonAPIType},
		"Admin retrieves an artifact with a text/plain accept header":                {"text/plain", jsonAPIType},
		"Admin retrieves an artifact with a */* accept header":                       {"*/*", jsonAPIType},
		"Admin retrieves an artifact with a * accept header":                         {"*", jsonAPIType},
	} {
		cases = append(cases, apiCase{name: f + title, setup: func(w *world) req {
			r := show("", lp, "", "")(w)
			r.headers = map[string]string{"Accept": accept[0]}
			return r
		}, status: 303, check: func(t *testing.T, _ *world, r *reply) {
			assert.NotEmpty(t, r.header.Get("Location"))
			assert.Equal(t, accept[1], r.header.Get("Content-Type"))
		}})
	}
	withHeader := func(setup func(w *world) req, k, v string) func(w *world) req {
		return func(w *world) req { r := setup(w); r.headers = map[string]string{k: v}; return r }
	}
	withQuery := func(setup func(w *world) req, q string) func(w *world) req {
		return func(w *world) req { r := setup(w); r.path += q; return r }
	}
	cases = append(cases,
		doc200("Admin retrieves an artifact for their account (prefers no-download via header)", withHeader(show("", lp, "", ""), "Prefer", "no-download")),
		doc200("Admin retrieves an artifact for their account (prefers no-download via query parameter)", withQuery(show("", lp, "", ""), "?prefer=no-download")),
		apiCase{name: f + "Admin retrieves an artifact for their account (prefers no-redirect via header)", setup: withHeader(show("", lp, "", ""), "Prefer", "no-redirect"),
			check: func(t *testing.T, _ *world, r *reply) {
				assert.NotEmpty(t, r.data()["links"].(map[string]any)["redirect"], string(r.body))
			}},
		apiCase{name: f + "Admin retrieves an artifact for their account (prefers no-redirect via query parameter)", setup: withQuery(show("", lp, "", ""), "?prefer=no-redirect"),
			check: func(t *testing.T, _ *world, r *reply) {
				assert.NotEmpty(t, r.data()["links"].(map[string]any)["redirect"], string(r.body))
			}},
		redirect("Admin retrieves an artifact for their account (prefers via unsupported query parameter)", withQuery(show("", lp, "", ""), "?prefer[]=no-redirect&prefer[]=no-download")),
		redirect("Admin retrieves an artifact using valid vanity filename", withQuery(show("", lp, "", ""), "/App.zip")),
		redirect("Admin retrieves an artifact using invalid vanity filename", withQuery(show("", lp, "", ""), "/bar.zip")),
		apiCase{name: f + "Admin retrieves an invalid artifact for their account", setup: func(*world) req { return getAs("/artifacts/invalid", "") }, status: 404, code: "NOT_FOUND",
			detail: "The requested release artifact 'invalid' was not found"},
		redirect("Product retrieves an artifact for their product", show(w.prodAuth, lp, "", "")),
		notFound("Product retrieves an artifact for another product", show(w.prodAuth, w.prod2, "", "")),
		notFound("User retrieves an artifact without a license for it", show(d.strangerAuth, lp, "", "")),
		redirect("User retrieves an artifact with a license for it (license owner)", show(w.ownerAuth, lp, "", "")),
		redirect("User retrieves an artifact with a license for it (license user)", show(w.luAuth, lp, "", "")),
		notFound("License retrieves an artifact of a different product", show(d.lic2Auth, lp, "", "")),
		apiCase{name: f + "Admin attempts to retrieve an artifact for another account", setup: show(w.otherAcct, lp, "", ""), status: 401},
	)
	runSeq(t, w, cases)
}

func TestArtifactFeaturesIndex(t *testing.T) {
	t.Parallel()
	const f = "artifacts/index.feature: "
	n := count
	list := func(auth, query string) req { return getAs("/artifacts"+query, auth) }
	// arts uploads one artifact to each release.
	arts := func(w *world, rels []string) {
		for _, r := range rels {
			w.artifact(r, "App.zip", []byte(r), nil)
		}
	}
	expiredRels := func(w *world, prod string) {
		rs := w.rels(prod, 4, "")
		for i, at := range []string{"2024-04-01T00:00:00Z", "2024-04-02T00:00:00Z", "2024-04-03T00:00:00Z", "2024-04-03T00:00:00Z"} {
			w.setCreated(rs[i], at)
		}
		bd, _ := time.Parse(time.RFC3339, "2024-04-01T00:00:00Z")
		w.withStore(func(db *store) { db.dist.releases[rs[3]].Backdated = &bd })
		arts(w, rs)
	}
	exp, _ := time.Parse(time.RFC3339, "2024-04-02T00:00:00Z")
	licenseExpired := func(strategy string) func(w *world) req {
		return func(w *world) req {
			expiredRels(w, w.prod)
			lic := w.licenseOwnedBy(w.policy(w.prod, map[string]any{"expirationStrategy": strategy, "authenticationStrategy": "LICENSE"}), "")
			var key string
			w.withStore(func(db *store) { db.licenses[lic].Expiry = &exp; key = db.licenses[lic].Key })
			return list("License "+key, "")
		}
	}
	userExpired := func(strategy string) func(w *world) req {
		return func(w *world) req {
			p2 := w.product()
			expiredRels(w, w.prod)
			arts(w, w.rels(p2, 5, ""))
			lic := w.licenseOwnedBy(w.policy(w.prod, map[string]any{"expirationStrategy": strategy, "authenticationStrategy": "LICENSE"}), "")
			u, auth := w.userToken("u@example.com")
			w.licenseOwnedBy(w.policy(p2, nil), u)
			w.withStore(func(db *store) { db.licenses[lic].Expiry = &exp })
			w.addLicenseUser(lic, u)
			return list(auth, "")
		}
	}
	// constrained: 3 releases with an artifact each, the first constrained by E3, the second
	// by E1 and E2; the license holds E1, its policy E2 (and E3 when all).
	constrained := func(all, user bool) func(w *world) req {
		return func(w *world) req {
			es := []string{w.entitlement("E1"), w.entitlement("E2"), w.entitlement("E3")}
			rs := w.rels(w.prod, 3, "")
			arts(w, rs)
			pol := w.policy(w.prod, nil)
			var u, auth string
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
			return list(auth, "")
		}
	}
	noEnts := func(user bool) func(w *world) req {
		return func(w *world) req {
			rs := w.rels(w.prod, 3, "")
			arts(w, rs)
			w.constrain(rs[2], w.entitlement("X"))
			if user {
				_, _, auth := w.userWithLicense(w.prod)
				return list(auth, "")
			}
			_, auth := w.licBearer(w.prod, nil)
			return list(auth, "")
		}
	}
	// statuses makes 3 artifacts of releases of prod: relStatus DRAFT or YANKED releases
	// with uploaded artifacts, or published releases with artifacts of artStatus.
	statuses := func(relStatus, artStatus string, auth func(w *world) string, prodOf func(w *world) string) func(w *world) req {
		return func(w *world) req {
			p := w.prod
			if prodOf != nil {
				p = prodOf(w)
			}
			for range 3 {
				st := relStatus
				if st == "" || st == "YANKED" {
					st = "PUBLISHED"
				}
				rel := w.relOf(p, st, nil)
				var id string
				if artStatus == "WAITING" {
					id = w.createArtifact(rel, "App.zip", nil).id()
				} else {
					id = w.artifact(rel, "App.zip", []byte("x"), nil)
				}
				if relStatus == "YANKED" {
					require.Equal(t, 200, w.do(req{method: "POST", path: "/releases/" + rel + "/actions/yank"}).status)
				}
				if artStatus == "FAILED" || artStatus == "YANKED" {
					w.withStore(func(db *store) { db.dist.artifacts[id].Status = artStatus })
				}
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
	var cases []apiCase
	for _, g := range []struct {
		rel, art string
		titles   [8]string
	}{
		{"DRAFT", "", [8]string{"Anonymous retrieves artifacts for draft releases", "License retrieves artifacts for draft releases without a license for any",
			"License retrieves artifacts for draft releases with a license for them", "User retrieves artifacts for draft releases without a license for any",
			"User retrieves artifacts for draft releases with a license for them", "Product retrieves artifacts for draft releases",
			"Product retrieves artifacts for draft releases of another product", "Admin retrieves artifacts for draft releases"}},
		{"YANKED", "", [8]string{"Anonymous retrieves artifacts for yanked releases", "License retrieves artifacts for yanked releases without a license for any",
			"License retrieves artifacts for yanked releases with a license for them", "User retrieves artifacts for yanked releases without a license for any",
			"User retrieves artifacts for yanked releases with a license for them", "Product retrieves artifacts for yanked releases",
			"Product retrieves artifacts for yanked releases of another product", "Admin retrieves artifacts for yanked releases"}},
		{"", "WAITING", [8]string{"Anonymous retrieves waiting artifacts", "License retrieves waiting artifacts without a license for any",
			"License retrieves waiting artifacts with a license for them", "User retrieves waiting artifacts without a license for any",
			"User retrieves waiting artifacts with a license for them", "Product retrieves waiting artifacts",
			"Product retrieves waiting artifacts of another product", "Admin retrieves waiting artifacts"}},
		{"", "FAILED", [8]string{"Anonymous retrieves failed artifacts", "License retrieves failed artifacts without a license for any",
			"License retrieves failed artifacts with a license for them", "User retrieves failed artifacts without a license for any",
			"User retrieves failed artifacts with a license for them", "Product retrieves failed artifacts",
			"Product retrieves failed artifacts of another product", "Admin retrieves failed artifacts"}},
		{"", "YANKED", [8]string{"Anonymous retrieves yanked artifacts", "License retrieves yanked artifacts without a license for any",
			"License retrieves yanked artifacts with a license for them", "User retrieves yanked artifacts without a license for any",
			"User retrieves yanked artifacts with a license for them", "Product retrieves yanked artifacts",
			"Product retrieves yanked artifacts of another product", "Admin retrieves yanked artifacts"}},
	} {
		cases = append(cases,
			apiCase{name: f + g.titles[0], setup: statuses(g.rel, g.art, anon, openProd), check: n(0)},
			apiCase{name: f + g.titles[1], setup: statuses(g.rel, g.art, otherLic, nil), check: n(0)},
			apiCase{name: f + g.titles[2], setup: statuses(g.rel, g.art, ownLic, nil), check: n(0)},
			apiCase{name: f + g.titles[3], setup: statuses(g.rel, g.art, otherUser, nil), check: n(0)},
			apiCase{name: f + g.titles[4], setup: statuses(g.rel, g.art, ownUser, nil), check: n(0)},
			apiCase{name: f + g.titles[5], setup: statuses(g.rel, g.art, prodAuth, nil), check: n(3)},
			apiCase{name: f + g.titles[6], setup: statuses(g.rel, g.art, prodAuth, anotherProd), check: n(0)},
			apiCase{name: f + g.titles[7], setup: statuses(g.rel, g.art, admin, nil), check: n(3)},
		)
	}
	cases = append(cases,
		apiCase{name: f + "License retrieves their product artifacts with constraints (no entitlements)", setup: noEnts(false), check: n(2)},
		apiCase{name: f + "License retrieves their product artifacts with constraints (some entitlements)", setup: constrained(false, false), check: n(2)},
		apiCase{name: f + "License retrieves their product artifacts with constraints (all entitlements)", setup: constrained(true, false), check: n(3)},
		apiCase{name: f + "User retrieves their product artifacts with constraints (no entitlements)", setup: noEnts(true), check: n(2)},
		apiCase{name: f + "User retrieves their product artifacts with constraints (some entitlements)", setup: constrained(false, true), check: n(2)},
		apiCase{name: f + "User retrieves their product artifacts with constraints (all entitlements)", setup: constrained(true, true), check: n(3)},
		apiCase{name: f + "License retrieves their artifacts with an expired license (REVOKE_ACCESS)", setup: licenseExpired("REVOKE_ACCESS"), status: 403, code: "LICENSE_EXPIRED"},
		apiCase{name: f + "License retrieves their artifacts with an expired license (RESTRICT_ACCESS)", setup: licenseExpired("RESTRICT_ACCESS"), check: n(3)},
		apiCase{name: f + "License retrieves their artifacts with an expired license (MAINTAIN_ACCESS)", setup: licenseExpired("MAINTAIN_ACCESS"), check: n(3)},
		apiCase{name: f + "License retrieves their artifacts with an expired license (ALLOW_ACCESS)", setup: licenseExpired("ALLOW_ACCESS"), check: n(4)},
		apiCase{name: f + "User retrieves their artifacts with an expired license (REVOKE_ACCESS)", setup: userExpired("REVOKE_ACCESS"), check: n(5)},
		apiCase{name: f + "User retrieves their artifacts with an expired license (RESTRICT_ACCESS)", setup: userExpired("RESTRICT_ACCESS"), check: n(8)},
		apiCase{name: f + "User retrieves their artifacts with an expired license (MAINTAIN_ACCESS)", setup: userExpired("MAINTAIN_ACCESS"), check: n(8)},
		apiCase{name: f + "User retrieves their artifacts with an expired license (ALLOW_ACCESS)", setup: userExpired("ALLOW_ACCESS"), check: n(9)},
		apiCase{name: f + "Admin attempts to retrieve the artifacts for a product of another account", setup: func(w *world) req {
			arts(w, w.rels(w.prod, 2, ""))
			return list("Bearer "+newWorld(w.t).srv.AdminToken, "")
		}, status: 401},
	)
	runEach(t, newProductWorld, cases)
}

// TestReleaseFeaturesArtifacts pins releases/relationships/artifacts.feature.
func TestReleaseFeaturesArtifacts(t *testing.T) {
	t.Parallel()
	const f = "releases/relationships/artifacts.feature: "
	d := newDistWorld(t)
	w := d.world
	lp, op, cp := d.prodOf["LICENSED"], d.prodOf["OPEN"], d.prodOf["CLOSED"]
	// one makes a release of prod with an uploaded artifact (or a waiting one) and returns
	// GET /releases/{release}/artifacts/{artifact}[query] as auth.
	one := func(auth, prod, query string, waiting bool) func(w *world) req {
		return func(w *world) req {
			rel := w.relOf(prod, "", nil)
			var id string
			if waiting {
				id = w.createArtifact(rel, "App.zip", nil).id()
			} else {
				id = w.artifact(rel, "App.zip", []byte("x"), nil)
			}
			return getAs("/releases/"+rel+"/artifacts/"+id+query, auth)
		}
	}
	yanked := func(auth string) func(w *world) req {
		return func(w *world) req {
			rel := w.relOf(lp, "", nil)
			id := w.artifact(rel, "App.zip", []byte("x"), nil)
			require.Equal(t, 200, w.do(req{method: "POST", path: "/releases/" + rel + "/actions/yank"}).status)
			return getAs("/releases/"+rel+"/artifacts/"+id, auth)
		}
	}
	many := func(auth, prod string, n int) func(w *world) req {
		return func(w *world) req {
			rel := w.relOf(prod, "", nil)
			for i := range n {
				w.artifact(rel, "App-"+string(rune('a'+i))+".zip", []byte("x"), nil)
			}
			return getAs("/releases/"+rel+"/artifacts", auth)
		}
	}
	redirect := func(name string, setup func(w *world) req) apiCase {
		return apiCase{name: f + name, setup: setup, status: 303, check: func(t *testing.T, _ *world, r *reply) {
			assert.NotEmpty(t, r.header.Get("Location"))
			assert.Equal(t, "artifacts", r.data()["type"])
		}}
	}
	doc200 := func(name string, setup func(w *world) req) apiCase {
		return apiCase{name: f + name, setup: setup, check: func(t *testing.T, _ *world, r *reply) { assert.Empty(t, r.header.Get("Location")) }}
	}
	notFound := func(name string, setup func(w *world) req) apiCase {
		return apiCase{name: f + name, setup: setup, status: 404, code: "NOT_FOUND"}
	}
	suspendedAuth := func(w *world) string {
		lic := w.licenseOf(w.pol, false, false, nil)
		w.mutLicense(lic, func(l *license) { l.Suspended = true })
		return w.licenseAuth(lic, nil)
	}
	cases := []apiCase{
		{name: f + "Admin retrieves the artifacts for a release", setup: many("", lp, 1), check: count(1)},
		{name: f + "Admin retrieves artifacts for a release that has more than 1 artifact", setup: many("", lp, 3), check: count(3)},
		{name: f + "Product retrieves the artifacts for a release", setup: many(w.prodAuth, lp, 3), check: count(3)},
		notFound("Product retrieves the artifacts for a release of another product", many(w.prodAuth, w.prod2, 1)),
		notFound("License attempts to retrieve the artifacts for a release of a different product", many(d.licAuth, w.prod2, 1)),
		{name: f + "License attempts to retrieve the artifacts for a release of their product", setup: many(d.licAuth, lp, 1), check: count(1)},
		notFound("User attempts to retrieve the artifacts for a release they don't have a license for", many(d.strangerAuth, lp, 1)),
		{name: f + "User attempts to retrieve the artifacts for a release they do have a license for (license owner)", setup: many(w.ownerAuth, lp, 1), check: count(1)},
		{name: f + "User attempts to retrieve the artifacts for a release they do have a license for (license user)", setup: many(w.luAuth, lp, 1), check: count(1)},
		{name: f + "Admin attempts to retrieve the artifacts for a release of another account", setup: many(w.otherAcct, lp, 1), status: 401},
		{name: f + "Anonymous retrieves the artifacts for an open release", setup: many("-", op, 3), check: count(3)},
		redirect("Admin retrieves the artifact for a release", one("", lp, "", false)),
		{name: f + "Admin retrieves an artifact that does not exist", setup: func(w *world) req {
			return getAs("/releases/"+w.relOf(lp, "", nil)+"/artifacts/b101bee6-d965-4977-9421-4ffa07bb846e", "")
		}, status: 404, code: "NOT_FOUND", detail: "The requested release artifact 'b101bee6-d965-4977-9421-4ffa07bb846e' was not found"},
		doc200("Admin retrieves the artifact for a release that has not been uploaded", one("", lp, "", true)),
		doc200("Admin retrieves the artifact for a release that has been yanked", yanked("")),
		redirect("Product retrieves the artifact for a release of their product", one(w.prodAuth, lp, "", false)),
		redirect("Product retrieves the artifact for a release of their product (1 week TTL)", one(w.prodAuth, lp, "?ttl=604800", false)),
		notFound("Product retrieves the artifact for a release of a different product", one(w.prodAuth, w.prod2, "", false)),
		doc200("Product retrieves the artifact for a release that has not been uploaded", one(w.prodAuth, lp, "", true)),
		redirect("License retrieves the artifact for a release of their product", one(d.licAuth, lp, "", false)),
		notFound("License retrieves the artifact for a release that has not been uploaded", one(d.licAuth, lp, "", true)),
		notFound("License retrieves the artifact for a release that has been yanked", yanked(d.licAuth)),
		redirect("License retrieves the artifact for a release of their product (1 day TTL)", one(d.licAuth, lp, "?ttl=86400", false)),
		notFound("License retrieves the artifact for a release of a different product", one(d.lic2Auth, lp, "", false)),
		{name: f + "License retrieves the artifact for a release of their product (suspended)", setup: func(w *world) req { return one(suspendedAuth(w), lp, "", false)(w) },
			status: 403, title: "Access denied", detail: noPerm + " (license is suspended)"},
		redirect("User retrieves a release artifact with a license for it (license owner)", one(w.ownerAuth, lp, "", false)),
		redirect("User retrieves a release artifact with a license for it (license user)", one(w.luAuth, lp, "", false)),
		redirect("User retrieves a release artifact with a license for it (2 minute TTL)", one(w.ownerAuth, lp, "?ttl=120", false)),
		notFound("User retrieves a release artifact without a license for it", one(d.strangerAuth, lp, "", false)),
		notFound("Anonymous retrieves a LICENSED release", one("-", lp, "", false)),
		notFound("License retrieves a LICENSED release without a license for it", one(d.lic2Auth, lp, "", false)),
		redirect("License retrieves a LICENSED release with a license for it", one(d.licAuth, lp, "", false)),
		notFound("User retrieves a LICENSED release without a license for it", one(d.strangerAuth, lp, "", false)),
		redirect("User retrieves a LICENSED release with a license for it", one(w.ownerAuth, lp, "", false)),
		redirect("Product retrieves a LICENSED release", one(w.prodAuth, lp, "", false)),
		notFound("Product retrieves a LICENSED release of another product", one(w.prodAuth, w.prod2, "", false)),
		redirect("Admin retrieves a LICENSED release", one("", lp, "", false)),
		redirect("Anonymous retrieves an OPEN release", one("-", op, "", false)),
		redirect("License retrieves an OPEN release without a license for it", one(d.lic2Auth, op, "", false)),
		redirect("License retrieves an OPEN release with a license for it", one(d.licAuthOf["OPEN"], op, "", false)),
		redirect("User retrieves an OPEN release without a license for it", one(d.strangerAuth, op, "", false)),
		redirect("User retrieves an OPEN release with a license for it", one(w.ownerAuth, op, "", false)),
		redirect("Product retrieves an OPEN release", one(w.productAuth(op), op, "", false)),
		notFound("Product retrieves an OPEN release of another product", one(w.prodAuth, op, "", false)),
		redirect("Admin retrieves an OPEN release", one("", op, "", false)),
		notFound("Anonymous retrieves a CLOSED release", one("-", cp, "", false)),
		notFound("License retrieves a CLOSED release without a license for it", one(d.lic2Auth, cp, "", false)),
		notFound("License retrieves a CLOSED release with a license for it", one(d.licAuthOf["CLOSED"], cp, "", false)),
		notFound("User retrieves a CLOSED release without a license for it", one(d.strangerAuth, cp, "", false)),
		notFound("User retrieves a CLOSED release with a license for it", one(w.ownerAuth, cp, "", false)),
		redirect("Product retrieves a CLOSED release", one(w.productAuth(cp), cp, "", false)),
		notFound("Product retrieves a CLOSED release of another product", one(w.prodAuth, cp, "", false)),
		redirect("Admin retrieves a CLOSED release", one("", cp, "", false)),
		redirect("User retrieves a release artifact with multiple licenses for it (suspended, expired and valid)", func(w *world) req {
			u, auth := w.userToken("multi@example.com")
			past := w.srv.Now().Add(-24 * time.Hour)
			w.mutLicense(w.licenseOwnedBy(w.pol, u), func(l *license) { l.Suspended = true })
			w.mutLicense(w.licenseOwnedBy(w.pol, u), func(l *license) { l.Expiry = &past })
			w.licenseOwnedBy(w.pol, u)
			return one(auth, lp, "", false)(w)
		}),
	}
	runSeq(t, w, cases)
}

// TestArtifactFeaturesIndexFilters pins index.feature's filters on its table: Test 1 with
// 1.0.0, 1.0.1, 1.1.0 (tag latest), 1.2.0-beta.1, 1.0.0-beta.1, 1.0.0-beta.2 and Test 2
// with 1.0.0, an artifact each.
func TestArtifactFeaturesIndexFilters(t *testing.T) {
	t.Parallel()
	const f = "artifacts/index.feature: "
	w := newProductWorld(t)
	t2 := w.product()
	rows := []struct{ prod, version, filename, filetype, platform, arch string }{
		{w.prod, "1.0.0", "Test-App-1.0.0.zip", "zip", "macos", "arm64"},
		{w.prod, "1.0.1", "Test-App-1.0.1.zip", "zip", "macos", "arm64"},
		{w.prod, "1.1.0", "Test-App-1.1.0.zip", "zip", "macos", "arm64"},
		{w.prod, "1.2.0-beta.1", "Test-App-1.2.0-beta.1.zip", "zip", "macos", "amd64"},
		{w.prod, "1.0.0-beta.1", "Test-App.1.0.0-beta.1.exe", "exe", "win32", "amd64"},
		{w.prod, "1.0.0-beta.2", "Test-App.1.0.0-beta.2.exe", "exe", "win32", "amd64"},
		{t2, "1.0.0", "Test-App.1.0.0.tar.gz", "tar.gz", "linux", "x86"},
	}
	var rels []string
	for _, r := range rows {
		var attrs map[string]any
		if r.version == "1.1.0" {
			attrs = map[string]any{"tag": "latest"}
		}
		id := w.release(r.prod, r.version, "PUBLISHED", attrs)
		rels = append(rels, id)
		w.artifact(id, r.filename, []byte(r.filename), map[string]any{"filetype": r.filetype, "platform": r.platform, "arch": r.arch})
	}
	w.run(t, []apiCase{
		{name: f + "Admin retrieves all release artifacts", r: getAs("/artifacts", ""), check: count(7)},
		{name: f + "Admin retrieves all stable release artifacts", r: getAs("/artifacts?channel=stable", ""), check: count(4)},
		{name: f + "Admin retrieves all beta release artifacts", r: getAs("/artifacts?channel=beta", ""), check: count(7)},
		{name: f + "Admin retrieves all artifacts by filetype", r: getAs("/artifacts?filetype=zip", ""), check: count(4)},
		{name: f + "Admin retrieves all artifacts by platform", r: getAs("/artifacts?platform=macos", ""), check: count(4)},
		{name: f + "Admin retrieves all artifacts by arch", r: getAs("/artifacts?arch=amd64", ""), check: count(3)},
		{name: f + "Admin retrieves all artifacts by platform and arch", r: getAs("/artifacts?platform=macos&arch=amd64", ""), check: count(1)},
		{name: f + "Admin retrieves all artifacts by release", r: getAs("/artifacts?release="+rels[6], ""), check: count(1)},
		// for_release: a term that is not a UUID matches every release with that version or
		// tag, here both products' 1.0.0 (app/models/release_artifact.rb).
		{name: f + "Admin retrieves all artifacts by release version", r: getAs("/artifacts?release=1.0.0", ""), check: count(2)},
		{name: f + "Admin retrieves all artifacts by release tag", r: getAs("/artifacts?release=latest", ""), check: count(1)},
		{name: f + "Read-only retrieves all artifacts by release", r: getAs("/artifacts?release="+rels[6], w.roleAuth("read-only")), check: count(1)},
	})
}

// TestArtifactFeaturesShowByFilename pins show.feature's lookups by filename: the latest.yml
// of the highest version within the widened ?channel=, the highest version of conflicting
// filenames, and filenames of artifacts the license may not download.
func TestArtifactFeaturesShowByFilename(t *testing.T) {
	t.Parallel()
	const f = "artifacts/show.feature: "
	w := newProductWorld(t)
	ids := map[string]string{}
	for _, v := range []string{"1.0.0-alpha.1", "1.0.0", "1.0.1", "1.0.2", "1.0.3", "1.1.0", "1.1.1", "1.1.2", "1.2.0", "1.3.0", "1.4.0-beta.1", "1.4.0-beta.2",
		"1.4.0-beta.3", "1.4.0", "1.5.0", "1.6.0", "1.7.0-dev+build.1624653614", "1.7.0", "2.0.0-dev+build.1624653627", "2.0.0-dev+build.1624653693",
		"2.0.0-dev+build.1624653702", "2.0.0-dev+build.1624653708", "2.0.0-dev+build.1624653716", "2.0.0-alpha.1", "2.0.0-alpha.2", "2.0.0-beta.1",
		"2.0.0-beta.2", "2.0.0-beta.3", "2.0.0-rc.1", "2.0.0", "2.0.1-dev+build.1624653735", "2.0.1-dev+build.1624653760", "2.0.1-rc.1", "2.0.1",
		"2.0.2-dev+build.1624653771", "2.0.2-alpha.1", "2.0.2-beta.1", "2.0.3-alpha.1", "2.1.0-dev+build.1624654615"} {
		ids[v] = w.release(w.prod, v, "PUBLISHED", nil)
		w.artifact(ids[v], "latest.yml", []byte(v), map[string]any{"filetype": "yml", "platform": "darwin"})
	}
	// dir/Test-App-1.0.0.zip is waiting (not uploaded); Yanked.zip is of a yanked release.
	r100 := ids["1.0.0"]
	w.createArtifact(r100, "dir/Test-App-1.0.0.zip", map[string]any{"filetype": "zip", "platform": "win32"})
	w.artifact(r100, "Test-App-1.0.0.dmg", []byte("dmg"), nil)
	w.artifact(r100, "dir/Test-App.1.0.0.tar.gz", []byte("tgz"), nil)
	yanked := w.release(w.prod, "0.9.0", "PUBLISHED", nil)
	w.artifact(yanked, "dir/Yanked-0.9.0.zip", []byte("y"), nil)
	require.Equal(t, 200, w.do(req{method: "POST", path: "/releases/" + yanked + "/actions/yank"}).status)
	auth := w.licenseAuth(w.licenseOwnedBy(w.policy(w.prod, nil), ""), nil)
	of := func(version string) func(t *testing.T, w *world, r *reply) {
		return func(t *testing.T, _ *world, r *reply) {
			assert.Equal(t, map[string]any{"type": "releases", "id": ids[version]}, relData(r, "release"), string(r.body))
		}
	}
	w.run(t, []apiCase{
		{name: f + "License retrieves the latest artifact by filename", r: getAs("/artifacts/latest.yml", auth), status: 303, check: of("2.1.0-dev+build.1624654615")},
		{name: f + "License retrieves the latest artifact by filename (stable channel)", r: getAs("/artifacts/latest.yml?channel=stable", auth), status: 303, check: of("2.0.1")},
		{name: f + "License retrieves the latest artifact by filename (rc channel)", r: getAs("/artifacts/latest.yml?channel=rc", auth), status: 303, check: of("2.0.1")},
		{name: f + "License retrieves the latest artifact by filename (beta channel)", r: getAs("/artifacts/latest.yml?channel=beta", auth), status: 303, check: of("2.0.2-beta.1")},
		{name: f + "License retrieves the latest artifact by filename (alpha channel)", r: getAs("/artifacts/latest.yml?channel=alpha", auth), status: 303, check: of("2.0.3-alpha.1")},
		{name: f + "License retrieves an artifact by filename (dev channel)", r: getAs("/artifacts/latest.yml?channel=dev", auth), status: 303, check: of("2.1.0-dev+build.1624654615")},
		{name: f + "License retrieves an artifact by filename (no prefix)", r: getAs("/artifacts/Test-App-1.0.0.dmg", auth), status: 303, check: of("1.0.0")},
		{name: f + "License retrieves an artifact by filename (with prefix, uploaded)", r: getAs("/artifacts/dir/Test-App.1.0.0.tar.gz", auth), status: 303, check: of("1.0.0")},
		{name: f + "License retrieves an artifact by filename (not uploaded)", r: getAs("/artifacts/dir/Test-App-1.0.0.zip", auth), status: 404, code: "NOT_FOUND",
			detail: "The requested release artifact 'dir/Test-App-1.0.0.zip' was not found"},
		{name: f + "License retrieves an artifact by filename (yanked)", r: getAs("/artifacts/dir/Yanked-0.9.0.zip", auth), status: 404, code: "NOT_FOUND"},
		{name: f + "License retrieves an artifact by filename that does not exist", r: getAs("/artifacts/dir/Test-App-2.0.0.zip", auth), status: 404, code: "NOT_FOUND"},
		{name: f + "Admin retrieves an artifact by filename (for release by version)", r: getAs("/artifacts/latest.yml?release=1.4.0-beta.1", ""), status: 303, check: of("1.4.0-beta.1")},
		{name: f + "Admin retrieves an artifact by filename (for release by ID)", r: getAs("/artifacts/latest.yml?release="+ids["1.1.0"], ""), status: 303, check: of("1.1.0")},
	})
}

// TestArtifactFeaturesShowConflicts pins show.feature's conflicting filenames across products.
func TestArtifactFeaturesShowConflicts(t *testing.T) {
	t.Parallel()
	const f = "artifacts/show.feature: "
	for _, c := range []struct {
		name, premium string
		licensed      bool // a license of Premium asks, else anonymous
		qualified     bool
	}{
		{"License retrieves an artifact with a conflicting filename (open/licensed)", "LICENSED", true, false},
		{"License retrieves an artifact with a conflicting filename (open/licensed, with product qualifier)", "LICENSED", true, true},
		{"Anonymous retrieves an artifact with a conflicting filename (open/open)", "OPEN", false, false},
		{"Anonymous retrieves an artifact with a conflicting filename (open/open, with product qualifier)", "OPEN", false, true},
	} {
		t.Run(f+c.name, func(t *testing.T) {
			t.Parallel()
			w := newProductWorld(t)
			free := w.strategyProduct("OPEN")
			premium := w.strategyProduct(c.premium)
			freeRel := w.release(free, "2.0.0", "PUBLISHED", nil)
			premiumRel := w.release(premium, "1.0.0", "PUBLISHED", nil)
			w.artifact(freeRel, "stable.yml", []byte("free"), map[string]any{"filetype": "yml", "platform": "darwin"})
			w.artifact(premiumRel, "stable.yml", []byte("premium"), map[string]any{"filetype": "yml", "platform": "darwin"})
			auth := "-"
			if c.licensed {
				auth = w.licenseAuth(w.licenseOwnedBy(w.policy(premium, nil), ""), nil)
			}
			path, want := "/artifacts/stable.yml", freeRel
			if c.qualified {
				path, want = path+"?product="+premium, premiumRel
			}
			apiCase{status: 303, check: func(t *testing.T, _ *world, r *reply) {
				assert.Equal(t, map[string]any{"type": "releases", "id": want}, relData(r, "release"), string(r.body))
			}}.verify(t, w, w.do(getAs(path, auth)))
		})
	}
}

func TestArtifactFeaturesIndexPagination(t *testing.T) {
	t.Parallel()
	const f = "artifacts/index.feature: "
	w := newProductWorld(t)
	rel := w.relOf(w.prod, "", nil)
	var ids []string
	for i := range 19 {
		ids = append(ids, w.artifact(rel, fmt.Sprintf("App-%02d.zip", i), []byte("x"), nil))
		w.srv.Advance(time.Millisecond)
	}
	bad := func(name, query string) apiCase {
		return apiCase{name: f + name, r: getAs("/artifacts"+query, ""), status: 400, title: "Bad request"}
	}
	w.run(t, []apiCase{
		{name: f + "Admin retrieves an offset-paginated list of artifacts", r: getAs("/artifacts?page[number]=4&page[size]=5", ""), check: count(4)},
		bad("Admin retrieves an offset-paginated list of artifacts with a page size that is too high", "?page[number]=1&page[size]=250"),
		bad("Admin retrieves an offset-paginated list of artifacts with a page size that is too low", "?page[number]=1&page[size]=-250"),
		bad("Admin retrieves an offset-paginated list of artifacts with an invalid page number (negative)", "?page[number]=-1&page[size]=10"),
		bad("Admin retrieves an offset-paginated list of artifacts with an invalid page number (type)", "?page%5Bnumber%5D%3D=0"),
		bad("Admin retrieves an offset-paginated list of artifacts with a page number that is too high", "?page[number]=101&page[size]=100"),
		bad("Admin retrieves an offset-paginated list of artifacts with a page number that is too low", "?page[number]=0&page[size]=100"),
		{name: f + "Admin retrieves a keyset-paginated list of artifacts (first page)", r: getAs("/artifacts?page[size]=5&page[cursor]=", ""), check: listIDs(ids[18], ids[17], ids[16], ids[15], ids[14])},
		{name: f + "Admin retrieves a keyset-paginated list of artifacts (next page)", r: getAs("/artifacts?page[size]=5&page[cursor]="+ids[14], ""), check: listIDs(ids[13], ids[12], ids[11], ids[10], ids[9])},
		{name: f + "Admin retrieves a keyset-paginated list of artifacts (last page)", r: getAs("/artifacts?page[size]=5&page[cursor]="+ids[4], ""), check: listIDs(ids[3], ids[2], ids[1], ids[0])},
		{name: f + "Admin retrieves a keyset-paginated list of artifacts (nonexistent cursor)", r: getAs("/artifacts?page[size]=5&page[cursor]=52a26820-0caa-4bac-9ff1-27bb6ec77ac4", ""), check: count(0)},
		{name: f + "Admin retrieves a keyset-paginated list of artifacts (invalid cursor)", r: getAs("/artifacts?page[size]=5&page[cursor]=foo", ""), status: 400,
			detail: `page cursor must be a valid UUID (got "foo")`},
	})
	newWorld(t).run(t, []apiCase{{name: f + "Admin retrieves a keyset-paginated list of artifacts (no results)", r: getAs("/artifacts?page[size]=5&page[cursor]=", ""), check: count(0)}})
}

// TestArtifactFeaturesIndexAccessible pins index.feature's "accessible" scenarios: LICENSED,
// OPEN and CLOSED products with 3, 5 and 7 releases, an artifact each.
func TestArtifactFeaturesIndexAccessible(t *testing.T) {
	t.Parallel()
	const f = "artifacts/index.feature: "
	w := newProductWorld(t)
	lp, op, cp := w.prod, w.strategyProduct("OPEN"), w.strategyProduct("CLOSED")
	for p, n := range map[string]int{lp: 3, op: 5, cp: 7} {
		for _, r := range w.rels(p, n, "") {
			w.artifact(r, "App.zip", []byte(r), nil)
		}
	}
	_, licAuth := w.licBearer(lp, nil)
	_, _, userAuth := w.userWithLicense(lp)
	w.run(t, []apiCase{
		{name: f + "Anonymous attempts to retrieve all accessible releases", r: getAs("/artifacts", "-"), check: count(5)},
		{name: f + "License attempts to retrieve all accessible releases", r: getAs("/artifacts", licAuth), check: count(8)},
		{name: f + "License attempts to retrieve all accessible releases (filtered)", r: getAs("/artifacts?product="+op, licAuth), check: count(5)},
		{name: f + "User attempts to retrieve all accessible releases", r: getAs("/artifacts", userAuth), check: count(8)},
		{name: f + "User attempts to retrieve all accessible releases (filtered)", r: getAs("/artifacts?product="+lp, userAuth), check: count(3)},
		{name: f + "Product retrieves the artifacts of another product", r: getAs("/artifacts", w.productAuth(w.product())), check: count(0)},
	})
}
