package keygentest

import (
	"testing"

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
	before := w.artifactCount()
	for name, auth := range map[string]string{fd + "Admin deletes one of their artifacts": "", fd + "Developer deletes one of their artifacts": w.devAuth, fd + "Product deletes one of their artifacts": w.prodAuth} {
		t.Run(name, func(t *testing.T) {
			id := art(w, w.prod)
			r := w.do(req{method: "DELETE", path: "/artifacts/" + id, auth: auth})
			require.Equal(t, 204, r.status, string(r.body))
			// YankArtifactWorker deletes the file and destroys the record
			// (app/workers/yank_artifact_worker.rb): the account has the artifacts it had.
			assert.Equal(t, before, w.artifactCount())
			assert.Equal(t, 404, w.get("/artifacts/"+id).status)
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
					left = append(left, db.dist.releases[a.ReleaseID].Version)
				}
			})
			assert.ElementsMatch(t, c.left, left)
		})
	}
}
