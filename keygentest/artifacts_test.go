package keygentest

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// createArtifact posts an artifact of a release as the admin and returns the answer.
func (w *world) createArtifact(release, filename string, attrs map[string]any) *reply {
	w.t.Helper()
	a := map[string]any{"filename": filename}
	for k, v := range attrs {
		a[k] = v
	}
	return w.do(req{method: "POST", path: "/artifacts", body: doc("artifacts", a, map[string]any{"release": link("releases", release)})})
}

// put sends bytes to an upload URL, as any HTTP client would (no Keygen headers).
func (w *world) put(url string, body []byte) (int, string) {
	w.t.Helper()
	hr, err := http.NewRequest("PUT", url, bytes.NewReader(body))
	require.NoError(w.t, err)
	res, err := http.DefaultClient.Do(hr)
	require.NoError(w.t, err)
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// fetch GETs a URL without credentials.
func fetch(t *testing.T, url string) (int, []byte) {
	t.Helper()
	res, err := http.Get(url)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, b
}

// artifact creates an artifact and uploads its bytes; it returns the artifact's id.
func (w *world) artifact(release, filename string, body []byte, attrs map[string]any) string {
	w.t.Helper()
	r := w.createArtifact(release, filename, attrs)
	require.Equal(w.t, 307, r.status, string(r.body))
	status, msg := w.put(r.header.Get("Location"), body)
	require.Equal(w.t, 200, status, msg)
	return r.id()
}

// noRedirect follows no redirects, so 303 answers can be inspected.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// TestArtifactsCreate pins features/api/v1/artifacts/create.feature.
func TestArtifactsCreate(t *testing.T) {
	t.Parallel()
	const f = "artifacts/create.feature: "
	post := func(attrs map[string]any, headers map[string]string) func(w *world) req {
		return func(w *world) req {
			rel := w.release(w.prod, "1.0.0", "DRAFT", nil)
			a := map[string]any{"filename": "latest-mac.yml", "filetype": "yml", "filesize": 512, "platform": "darwin", "arch": "x86"}
			for k, v := range attrs {
				a[k] = v
			}
			return req{method: "POST", path: "/artifacts", headers: headers, body: doc("artifacts", a, map[string]any{"release": link("releases", rel)})}
		}
	}
	uploadURL := func(t *testing.T, w *world, r *reply) {
		loc := r.header.Get("Location")
		assert.True(t, strings.HasPrefix(loc, w.srv.URL+"/_keygentest/uploads/"), loc)
		assert.GreaterOrEqual(t, len(loc), len(w.srv.URL+"/_keygentest/uploads/")+64, "an unguessable token")
		links, _ := r.data()["links"].(map[string]any)
		assert.Equal(t, loc, links["redirect"])
		assert.Equal(t, "/v1/accounts/"+w.srv.AccountID+"/artifacts/"+r.id()+"/latest-mac.yml", links["related"])
	}
	want := map[string]any{"filename": "latest-mac.yml", "filetype": "yml", "filesize": 512.0, "platform": "darwin", "arch": "x86", "status": "WAITING"}
	runEach(t, newProductWorld, []apiCase{
		{name: f + "Admin creates an artifact for their account", setup: post(nil, nil), status: 307, attrs: want, check: uploadURL},
		{name: f + "Admin creates an artifact (prefers no-redirect)", setup: post(nil, map[string]string{"Prefer": "no-redirect"}), status: 200, attrs: want, check: uploadURL},
		{name: f + "Admin creates an artifact with a dotted upper-case filetype", setup: post(map[string]any{"filetype": ".YML"}, nil), status: 307, attrs: map[string]any{"filetype": "yml"}},
		{name: f + "Admin creates an artifact with a blank filetype", setup: post(map[string]any{"filename": "latest", "filetype": ""}, nil), status: 307, attrs: map[string]any{"filetype": nil}},
		{name: f + "Admin creates an artifact with a non-lowercase platform", setup: post(map[string]any{"platform": "macOS", "arch": "M1"}, nil), status: 307,
			attrs: map[string]any{"platform": "macos", "arch": "m1"}},
		{name: f + "Admin creates an artifact with an empty platform", setup: post(map[string]any{"platform": "", "arch": ""}, nil), status: 307,
			attrs: map[string]any{"platform": nil, "arch": nil}},
		{name: f + "Admin creates an artifact with a null filename", setup: post(map[string]any{"filename": nil}, nil), status: 400,
			detail: "cannot be null", source: map[string]any{"pointer": "/data/attributes/filename"}},
		{name: f + "Admin creates an artifact with an empty signature", setup: post(map[string]any{"signature": "", "checksum": ""}, nil), status: 307,
			attrs: map[string]any{"signature": "", "checksum": ""}},
		{name: f + "Admin creates an artifact with null metadata", setup: post(map[string]any{"metadata": nil}, nil), status: 307,
			attrs: map[string]any{"metadata": map[string]any{}}},
		{name: f + "Admin creates an artifact with a mismatched filetype", setup: post(map[string]any{"filetype": "zip"}, nil), status: 422, code: "FILENAME_EXTENSION_INVALID"},
		{name: f + "Admin creates an artifact with an invalid filesize type", setup: post(map[string]any{"filesize": "512"}, nil), status: 400,
			detail: "type mismatch (received string expected integer)", source: map[string]any{"pointer": "/data/attributes/filesize"}},
		{name: f + "Admin creates an artifact with a negative filesize", setup: post(map[string]any{"filesize": -1}, nil), status: 422, code: "FILESIZE_INVALID"},
		{name: f + "Admin creates a duplicate artifact", setup: func(w *world) req {
			q := post(nil, nil)(w)
			w.do(q)
			return q
		}, status: 422, code: "FILENAME_TAKEN", detail: "already exists", source: map[string]any{"pointer": "/data/attributes/filename"},
			check: func(t *testing.T, w *world, _ *reply) { assert.Len(t, w.get("/artifacts").list(), 1) }},
		{name: f + "License creates an artifact", setup: func(w *world) req {
			q := post(nil, nil)(w)
			lic := w.licenseOwnedBy(w.policy(w.prod, nil), "")
			q.auth = bearer(w.bearerTokenOf("licenses", lic))
			return q
		}, status: 403},
		{name: f + "Product creates an artifact for another product's release", setup: func(w *world) req {
			q := post(nil, nil)(w)
			other := w.mustCreate("/products", "products", map[string]any{"name": "Other"}, nil)
			q.auth = bearer(w.bearerTokenOf("products", other))
			return q
		}, status: 403},
	})
}

// TestArtifactsDownload pins features/api/v1/artifacts/show.feature and destroy.feature over
// the upload and download URLs.
func TestArtifactsDownload(t *testing.T) {
	t.Parallel()
	w := newTeamWorld(t)
	w.hookEndpoint()
	rel := w.release(w.prod, "1.0.0", "PUBLISHED", nil)
	rel2 := w.release(w.prod, "1.1.0", "PUBLISHED", nil)
	created := w.createArtifact(rel, "App.zip", map[string]any{"filetype": "zip", "platform": "macos", "arch": "arm64"})
	require.Equal(t, 307, created.status, string(created.body))
	id := created.id()

	// Not uploaded yet: staff see it without a URL, a license does not see it.
	r := w.get("/artifacts/" + id)
	require.Equal(t, 200, r.status, string(r.body))
	assert.Equal(t, "WAITING", r.attrs()["status"])
	assert.Empty(t, r.header.Get("Location"))
	assert.NotContains(t, r.data()["links"], "redirect")
	assert.Equal(t, 404, w.do(getAs("/artifacts/"+id, bearer(w.licTok))).status)

	status, msg := w.put(created.header.Get("Location"), []byte("the app bytes"))
	require.Equal(t, 200, status, msg)
	w.onlyEvent("artifact.upload.succeeded")
	status, _ = w.put(w.srv.URL+"/_keygentest/uploads/"+strings.Repeat("0", 64), []byte("x"))
	assert.Equal(t, 403, status, "an unknown upload URL")

	second := w.artifact(rel2, "App.zip", []byte("newer bytes"), map[string]any{"filetype": "zip"})
	const f = "artifacts/show.feature: "
	download := func(body string) func(t *testing.T, w *world, r *reply) {
		return func(t *testing.T, w *world, r *reply) {
			loc := r.header.Get("Location")
			require.True(t, strings.HasPrefix(loc, w.srv.URL+"/_keygentest/downloads/"), loc)
			links, _ := r.data()["links"].(map[string]any)
			assert.Equal(t, loc, links["redirect"])
			status, b := fetch(t, loc)
			assert.Equal(t, 200, status)
			assert.Equal(t, body, string(b))
		}
	}
	w.run(t, []apiCase{
		{name: f + "Admin retrieves an artifact for their account", r: getAs("/artifacts/"+id, ""), status: 303, attrs: map[string]any{"status": "UPLOADED", "filesize": 13.0}, check: download("the app bytes")},
		{name: f + "Admin retrieves an artifact (prefers no-redirect)", r: req{method: "GET", path: "/artifacts/" + id, headers: map[string]string{"Prefer": "no-redirect"}}, check: download("the app bytes")},
		{name: f + "Admin retrieves an artifact (prefers no-redirect via query parameter)", r: getAs("/artifacts/"+id+"?prefer=no-redirect", ""), check: download("the app bytes")},
		{name: f + "Admin retrieves an artifact (prefers no-download)", r: req{method: "GET", path: "/artifacts/" + id, headers: map[string]string{"Prefer": "no-download"}},
			headers: map[string]string{"Location": ""}, check: func(t *testing.T, _ *world, r *reply) { assert.NotContains(t, r.data()["links"], "redirect") }},
		{name: f + "Admin retrieves an artifact by filename (latest version)", r: getAs("/artifacts/App.zip", ""), status: 303, check: both(dataID(second), download("newer bytes"))},
		{name: f + "Admin retrieves an artifact by filename (for release by version)", r: getAs("/artifacts/App.zip?release=1.0.0", ""), status: 303, check: dataID(id)},
		{name: f + "Admin retrieves an artifact by vanity filename", r: getAs("/artifacts/"+id+"/App.zip", ""), status: 303, check: dataID(id)},
		{name: f + "License retrieves an artifact of their product", r: getAs("/artifacts/"+id, bearer(w.licTok)), status: 303, check: download("the app bytes")},
		{name: f + "Anonymous retrieves an artifact for a LICENSED release", r: getAs("/artifacts/"+id, "-"), status: 404, detail: "The requested release artifact '" + id + "' was not found"},
		{name: f + "User without a license retrieves an artifact", r: getAs("/artifacts/"+id, bearer(w.user2Tok)), status: 404},
		{name: "artifacts/index.feature: Admin retrieves artifacts filtered by release", r: getAs("/artifacts?release=1.1.0", ""), check: listIDs(second)},
		{name: "artifacts/index.feature: Admin retrieves artifacts filtered by platform", r: getAs("/artifacts?platform=macos", ""), check: listIDs(id)},
		{name: "artifacts/index.feature: Admin retrieves artifacts without an arch", r: getAs("/artifacts?arch=", ""), check: listIDs(second)},
		{name: "artifacts/index.feature: Admin retrieves artifacts filtered by filetype", r: getAs("/artifacts?filetype=.ZIP", ""), check: listIDs(second, id)},
		{name: "artifacts/index.feature: Admin retrieves artifacts without a package", r: getAs("/artifacts?package=", ""), check: listIDs(second, id)},
		{name: "artifacts/index.feature: License retrieves their artifacts", r: getAs("/artifacts", bearer(w.licTok)), check: listIDs(second, id)},
		{name: "releases/relationships/artifacts.feature: Admin retrieves a release's artifacts", r: getAs("/releases/"+rel2+"/artifacts", ""), check: listIDs(second)},
		{name: "platforms/index.feature: Admin retrieves their release platforms", r: getAs("/platforms", ""), check: func(t *testing.T, _ *world, r *reply) {
			require.Len(t, r.list(), 1)
			assert.Equal(t, map[string]any{"key": "macos", "name": nil}, pick(r.list()[0], "key", "name"))
		}},
		{name: "arches/index.feature: Admin retrieves their release arches", r: getAs("/arches", ""), check: listLen(1)},
		{name: "artifacts/destroy.feature: License deletes an artifact", r: req{method: "DELETE", path: "/artifacts/" + id, auth: bearer(w.licTok)}, status: 403},
	})
	assert.Len(t, w.get("/webhook-events?events[]=artifact.created").list(), 2)
	assert.NotEmpty(t, w.get("/webhook-events?events[]=artifact.downloaded").list())

	// A yanked release's artifact is not downloadable.
	w.do(req{method: "POST", path: "/releases/" + rel2 + "/actions/yank"})
	r = w.get("/artifacts/" + second)
	assert.Equal(t, 200, r.status, "artifacts/show.feature: Admin retrieves an artifact for a yanked release")
	assert.Empty(t, r.header.Get("Location"))

	// Deleting yanks the artifact and removes its file; the record reads YANKED until
	// YankArtifactWorker destroys it (app/workers/yank_artifact_worker.rb), which keygentest
	// leaves undone. The event carries the yanked artifact.
	res, err := noRedirect.Do(mustRequest(t, w, "GET", "/artifacts/"+id))
	require.NoError(t, err)
	res.Body.Close()
	old := res.Header.Get("Location")
	require.NotEmpty(t, old)
	r = w.do(req{method: "DELETE", path: "/artifacts/" + id})
	assert.Equal(t, 204, r.status, "artifacts/destroy.feature: Admin deletes one of their artifacts")
	r = w.get("/artifacts/" + id)
	require.Equal(t, 200, r.status)
	assert.Equal(t, "YANKED", r.attrs()["status"])
	assert.Empty(t, r.header.Get("Location"))
	status, _ = fetch(t, old)
	assert.Equal(t, 404, status, "the file is gone")
	assert.Contains(t, w.onlyEvent("artifact.deleted")["payload"], `"status":"YANKED"`)
}

func mustRequest(t *testing.T, w *world, method, path string) *http.Request {
	hr, err := http.NewRequest(method, w.srv.URL+"/v1/accounts/"+w.srv.AccountID+path, nil)
	require.NoError(t, err)
	hr.Header.Set("Authorization", "Bearer "+w.srv.AdminToken)
	return hr
}

// pick returns some attributes of a listed resource.
func pick(item any, keys ...string) map[string]any {
	attrs := item.(map[string]any)["attributes"].(map[string]any)
	out := map[string]any{}
	for _, k := range keys {
		out[k] = attrs[k]
	}
	return out
}

// TestArtifactURLsExpire: upload and download URLs live an hour on the server clock.
func TestArtifactURLsExpire(t *testing.T) {
	t.Parallel()
	w := newProductWorld(t)
	rel := w.release(w.prod, "1.0.0", "PUBLISHED", nil)
	r := w.createArtifact(rel, "a.bin", nil)
	require.Equal(t, 307, r.status)
	w.srv.Advance(61 * time.Minute)
	status, msg := w.put(r.header.Get("Location"), []byte("late"))
	assert.Equal(t, 403, status, msg)
	assert.Equal(t, "WAITING", w.get("/artifacts/" + r.id()).attrs()["status"])

	id := w.artifact(rel, "b.bin", []byte("b"), nil)
	res, err := noRedirect.Do(mustRequest(t, w, "GET", "/artifacts/"+id))
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, 303, res.StatusCode)
	w.srv.Advance(61 * time.Minute)
	status, _ = fetch(t, res.Header.Get("Location"))
	assert.Equal(t, 403, status)
}

// TestArtifactStorageLimit: WithMaxArtifactBytes bounds the stored bytes; an upload past it
// is a 413 and stores nothing.
func TestArtifactStorageLimit(t *testing.T) {
	t.Parallel()
	w := newWorld(t, WithMaxArtifactBytes(10))
	w.prod = w.product()
	rel := w.release(w.prod, "1.0.0", "PUBLISHED", nil)
	big := w.createArtifact(rel, "big.bin", nil)
	status, msg := w.put(big.header.Get("Location"), bytes.Repeat([]byte("x"), 11))
	assert.Equal(t, 413, status)
	assert.Contains(t, msg, "at most 10 bytes")
	assert.Equal(t, "WAITING", w.get("/artifacts/" + big.id()).attrs()["status"])

	w.artifact(rel, "a.bin", bytes.Repeat([]byte("a"), 8), nil)
	more := w.createArtifact(rel, "b.bin", nil)
	status, _ = w.put(more.header.Get("Location"), bytes.Repeat([]byte("b"), 3))
	assert.Equal(t, 413, status, "8 stored + 3 passes 10")
	status, msg = w.put(more.header.Get("Location"), []byte("bb"))
	assert.Equal(t, 200, status, msg)
}

// TestArtifactsByFilename pins show.feature's filename lookups: the list scopes apply
// (?channel=), the highest version wins, and a filename may hold slashes.
func TestArtifactsByFilename(t *testing.T) {
	t.Parallel()
	w := newTeamWorld(t)
	stable := w.release(w.prod, "1.0.0", "PUBLISHED", nil)
	beta := w.release(w.prod, "1.1.0-beta.1", "PUBLISHED", nil)
	onlyBeta := w.release(w.prod, "2.0.0-beta.1", "PUBLISHED", nil)
	s := w.artifact(stable, "App.dmg", []byte("s"), nil)
	b := w.artifact(beta, "App.dmg", []byte("b"), nil)
	w.artifact(onlyBeta, "Beta.dmg", []byte("x"), nil)
	dir := w.artifact(stable, "dir/App.tar.gz", []byte("d"), nil)
	const f = "artifacts/show.feature: "
	w.run(t, []apiCase{
		{name: f + "License retrieves the latest artifact by filename", r: getAs("/artifacts/App.dmg", bearer(w.licTok)), status: 303, check: dataID(b)},
		{name: f + "License retrieves the latest artifact by filename (stable channel)", r: getAs("/artifacts/App.dmg?channel=stable", bearer(w.licTok)), status: 303, check: dataID(s)},
		{name: f + "License retrieves an artifact by filename (not stable)", r: getAs("/artifacts/Beta.dmg?channel=stable", bearer(w.licTok)), status: 404},
		{name: f + "License retrieves an artifact by filename (with prefix, uploaded)", r: getAs("/artifacts/dir/App.tar.gz", bearer(w.licTok)), status: 303, check: dataID(dir)},
		{name: f + "Admin retrieves an artifact using invalid vanity filename", r: getAs("/artifacts/"+s+"/whatever.zip", ""), status: 303, check: dataID(s)},
		{name: f + "License retrieves an artifact by filename that does not exist", r: getAs("/artifacts/Nope.dmg", bearer(w.licTok)), status: 404},
	})
}

// TestReleaseArtifactDownload pins releases/relationships/artifacts.feature's show and the
// ?ttl= of privileged bearers.
func TestReleaseArtifactDownload(t *testing.T) {
	t.Parallel()
	w := newTeamWorld(t)
	rel := w.release(w.prod, "1.0.0", "PUBLISHED", nil)
	id := w.artifact(rel, "app.zip", []byte("zip"), nil)
	r := w.get("/releases/1.0.0/artifacts/app.zip")
	require.Equal(t, 303, r.status, string(r.body))
	assert.Equal(t, id, r.id())
	assert.Equal(t, 404, w.get("/releases/1.0.0/artifacts/other.zip").status)
	assert.Equal(t, 303, w.do(getAs("/releases/"+rel+"/artifacts/"+id, bearer(w.licTok))).status)

	short := w.get("/artifacts/" + id + "?ttl=60").header.Get("Location")
	long := w.do(getAs("/artifacts/"+id+"?ttl=60", bearer(w.licTok))).header.Get("Location")
	w.srv.Advance(2 * time.Minute)
	status, _ := fetch(t, short)
	assert.Equal(t, 403, status, "an admin's ?ttl=60 URL expired")
	status, _ = fetch(t, long)
	assert.Equal(t, 200, status, "a license's ?ttl= is ignored: 1 hour")
}
