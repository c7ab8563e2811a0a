package keygen

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	oldBuild = []byte("#!/bin/sh\necho acme 1.2.0\n")
	newBuild = bytes.Repeat([]byte("#!/bin/sh\necho acme 1.3.0\n"), 512)
)

// installWorld is a target file in a directory of its own, a vendor, and a Keygen answering
// for one release.
type installWorld struct {
	c       *Client
	mt      *httpmock.MockTransport
	vendor  codeSigner
	dir     string
	target  string
	storage *int
}

func newInstallWorld(t *testing.T) *installWorld {
	t.Helper()
	c, mt := newTestClient(t)
	w := &installWorld{c: c, mt: mt, vendor: newCodeSigner(t), dir: t.TempDir(), storage: new(int)}
	w.target = filepath.Join(w.dir, "acme")
	require.NoError(t, os.WriteFile(w.target, oldBuild, 0o751))
	require.NoError(t, os.Chmod(w.target, 0o751)) // whatever the umask
	expect(t, mt, wire{method: "GET", path: "/releases/" + releaseID, fixture: "release.json"})
	return w
}

// artifactResource is the resource of testdata/artifact.json as id, with attrs set.
func artifactResource(t *testing.T, id string, attrs map[string]any) map[string]any {
	t.Helper()
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(artifactBody(t, "", attrs)), &doc))
	res := doc["data"].(map[string]any)
	res["id"] = id
	return res
}

// artifact is a signed, uploaded artifact of content for platform/arch.
func (w *installWorld) artifact(t *testing.T, id, filename, platform, arch string, content []byte) map[string]any {
	attrs := signedArtifact(t, w.vendor, content)
	attrs["filename"], attrs["platform"], attrs["arch"], attrs["status"] = filename, platform, arch, "UPLOADED"
	return artifactResource(t, id, attrs)
}

// list answers the artifact list Install asks for with items.
func (w *installWorld) list(t *testing.T, platform, arch string, items ...map[string]any) {
	t.Helper()
	b, err := json.Marshal(map[string]any{"data": items, "links": map[string]any{"self": "/v1/accounts/acme/artifacts", "next": nil}})
	require.NoError(t, err)
	w.mt.RegisterResponder("GET", apiURL("/artifacts"), func(req *http.Request) (*http.Response, error) {
		checkRequest(t, req, wire{method: "GET", query: url.Values{
			"page[cursor]": {""}, "page[size]": {"100"}, "release": {releaseID}, "platform": {platform}, "arch": {arch},
		}})
		return jsonResponse(req, 200, string(b)), nil
	})
}

// download serves the download of res, whose storage host answers with content.
func (w *installWorld) download(t *testing.T, res map[string]any, content []byte) {
	t.Helper()
	w.downloadAs(t, res["id"].(string), res, content)
}

// downloadAs answers the download of artifact id with res.
func (w *installWorld) downloadAs(t *testing.T, id string, res map[string]any, content []byte) {
	t.Helper()
	loc := "https://storage.test/" + res["id"].(string) + "?sig=5ecret"
	res["links"].(map[string]any)["redirect"] = loc
	b, err := json.Marshal(map[string]any{"data": res})
	require.NoError(t, err)
	w.mt.RegisterResponder("GET", apiURL("/artifacts/"+id), func(req *http.Request) (*http.Response, error) {
		resp := jsonResponse(req, http.StatusSeeOther, string(b))
		resp.Header.Set("Location", loc)
		return resp, nil
	})
	w.mt.RegisterResponder("GET", loc, func(req *http.Request) (*http.Response, error) {
		*w.storage++
		assertNoCredentials(t, req)
		resp := httpmock.NewBytesResponse(200, content)
		resp.ContentLength = int64(len(content))
		return resp, nil
	})
}

func (w *installWorld) install(opts InstallOptions) (*Artifact, error) {
	if opts.PublicKey == "" {
		opts.PublicKey = w.vendor.publicKey()
	}
	if opts.Target == "" {
		opts.Target = w.target
	}
	return w.c.Releases.Install(context.Background(), releaseID, &opts)
}

// assertUntouched checks that the target is byte-identical with its mode, and that nothing
// else is left in its directory.
func (w *installWorld) assertUntouched(t *testing.T, msg string) {
	t.Helper()
	got, err := os.ReadFile(w.target)
	require.NoError(t, err, msg)
	assert.Equal(t, oldBuild, got, msg)
	w.assertAlone(t, msg)
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(w.target)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o751), fi.Mode().Perm(), msg)
	}
}

func (w *installWorld) assertAlone(t *testing.T, msg string) {
	t.Helper()
	entries, err := os.ReadDir(w.dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.Equal(t, []string{"acme"}, names, "%s: a temporary file was left behind", msg)
}

// The artifact for this platform replaces the target, with the target's permissions; the
// one for another platform is not taken, although the list holds it.
func TestReleasesInstall(t *testing.T) {
	t.Parallel()
	w := newInstallWorld(t)
	mine := w.artifact(t, artifactID, "acme_linux_amd64", "linux", "amd64", newBuild)
	foreign := w.artifact(t, "0f0f0f0f-1111-4222-8333-444444444444", "acme_darwin_arm64", "darwin", "arm64", []byte("mach-o"))
	w.list(t, "linux", "amd64", foreign, mine)
	w.download(t, mine, newBuild)
	w.download(t, foreign, []byte("mach-o"))

	a, err := w.install(InstallOptions{Platform: "linux", Arch: "amd64"})
	require.NoError(t, err)
	assert.Equal(t, artifactID, a.ID)
	got, err := os.ReadFile(w.target)
	require.NoError(t, err)
	assert.Equal(t, newBuild, got)
	w.assertAlone(t, "success")
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(w.target)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o751), fi.Mode().Perm())
	}
	assert.Equal(t, 1, *w.storage)
	assert.Zero(t, w.mt.GetCallCountInfo()["GET "+apiURL("/artifacts/0f0f0f0f-1111-4222-8333-444444444444")])
}

// Platform and arch default to the running program's.
func TestReleasesInstallDefaultsToThisPlatform(t *testing.T) {
	t.Parallel()
	w := newInstallWorld(t)
	mine := w.artifact(t, artifactID, "acme", runtime.GOOS, runtime.GOARCH, newBuild)
	w.list(t, runtime.GOOS, runtime.GOARCH, mine)
	w.download(t, mine, newBuild)
	_, err := w.install(InstallOptions{})
	require.NoError(t, err)
	got, err := os.ReadFile(w.target)
	require.NoError(t, err)
	assert.Equal(t, newBuild, got)
}

// Several candidates need a Filename, which then picks one.
func TestReleasesInstallFilename(t *testing.T) {
	t.Parallel()
	w := newInstallWorld(t)
	cli := w.artifact(t, artifactID, "acme_linux_amd64", "linux", "amd64", newBuild)
	gz := w.artifact(t, "1e1e1e1e-2222-4333-8444-555555555555", "acme_linux_amd64.tar.gz", "linux", "amd64", []byte("gzip"))
	w.list(t, "linux", "amd64", gz, cli)
	w.download(t, cli, newBuild)

	_, err := w.install(InstallOptions{Platform: "linux", Arch: "amd64"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "acme_linux_amd64, acme_linux_amd64.tar.gz")
	assert.Contains(t, err.Error(), "InstallOptions.Filename")
	w.assertUntouched(t, "ambiguous")

	_, err = w.install(InstallOptions{Platform: "linux", Arch: "amd64", Filename: "acme_linux_amd64"})
	require.NoError(t, err)
	got, err := os.ReadFile(w.target)
	require.NoError(t, err)
	assert.Equal(t, newBuild, got)
}

// Every failure leaves the target byte-identical and no temporary file behind.
func TestReleasesInstallFailuresLeaveTheTarget(t *testing.T) {
	t.Parallel()
	tampered := bytes.Clone(newBuild)
	tampered[100] ^= 1
	cases := []struct {
		name  string
		setup func(t *testing.T, w *installWorld) // serves the list and the download
		want  string
	}{
		{"a tampered byte", func(t *testing.T, w *installWorld) {
			a := w.artifact(t, artifactID, "acme", "linux", "amd64", newBuild)
			w.list(t, "linux", "amd64", a)
			w.download(t, a, tampered)
		}, "does not match its checksum"},
		{"a wrong signature", func(t *testing.T, w *installWorld) {
			a := w.artifact(t, artifactID, "acme", "linux", "amd64", newBuild)
			a["attributes"].(map[string]any)["signature"] = newCodeSigner(t).sign(t, newBuild, productID)
			w.list(t, "linux", "amd64", a)
			w.download(t, a, newBuild)
		}, "signature does not verify"},
		{"a truncated download", func(t *testing.T, w *installWorld) {
			a := w.artifact(t, artifactID, "acme", "linux", "amd64", newBuild)
			w.list(t, "linux", "amd64", a)
			w.download(t, a, newBuild[:len(newBuild)/2])
		}, "the storage host sends"},
		{"an unsigned artifact", func(t *testing.T, w *installWorld) {
			a := w.artifact(t, artifactID, "acme", "linux", "amd64", newBuild)
			a["attributes"].(map[string]any)["signature"] = nil
			w.list(t, "linux", "amd64", a)
			w.download(t, a, newBuild)
		}, "has no signature"},
		{"a storage error", func(t *testing.T, w *installWorld) {
			a := w.artifact(t, artifactID, "acme", "linux", "amd64", newBuild)
			w.list(t, "linux", "amd64", a)
			w.download(t, a, newBuild)
			w.mt.RegisterResponder("GET", "https://storage.test/"+artifactID+"?sig=5ecret", httpmock.NewStringResponder(500, "oops"))
		}, "the storage host answered 500"},
		{"only another platform's artifact", func(t *testing.T, w *installWorld) {
			a := w.artifact(t, artifactID, "acme", "windows", "amd64", newBuild)
			w.list(t, "linux", "amd64", a)
			w.download(t, a, newBuild)
		}, "no uploaded artifact for linux/amd64"},
		{"another release's artifact", func(t *testing.T, w *installWorld) {
			a := w.artifact(t, artifactID, "acme", "linux", "amd64", newBuild)
			a["relationships"].(map[string]any)["release"].(map[string]any)["data"] = map[string]any{"type": "releases", "id": "99999999-8888-4777-8666-555555555555"}
			w.list(t, "linux", "amd64", a)
			w.download(t, a, newBuild)
		}, "no uploaded artifact"},
		{"an artifact not uploaded", func(t *testing.T, w *installWorld) {
			a := w.artifact(t, artifactID, "acme", "linux", "amd64", newBuild)
			a["attributes"].(map[string]any)["status"] = "WAITING"
			w.list(t, "linux", "amd64", a)
		}, "no uploaded artifact"},
		{"a filename with a path separator", func(t *testing.T, w *installWorld) {
			a := w.artifact(t, artifactID, "../acme", "linux", "amd64", newBuild)
			w.list(t, "linux", "amd64", a)
			w.download(t, a, newBuild)
		}, "refusing a filename"},
		{"a filename with a backslash", func(t *testing.T, w *installWorld) {
			a := w.artifact(t, artifactID, `bin\acme.exe`, "linux", "amd64", newBuild)
			w.list(t, "linux", "amd64", a)
			w.download(t, a, newBuild)
		}, "refusing a filename"},
		{"a download answered for another artifact", func(t *testing.T, w *installWorld) {
			a := w.artifact(t, artifactID, "acme", "linux", "amd64", newBuild)
			w.list(t, "linux", "amd64", a)
			other := w.artifact(t, "2d2d2d2d-3333-4444-8555-666666666666", "acme", "linux", "amd64", newBuild)
			w.downloadAs(t, artifactID, other, newBuild)
		}, "another artifact"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newInstallWorld(t)
			tc.setup(t, w)
			a, err := w.install(InstallOptions{Platform: "linux", Arch: "amd64"})
			assert.Nil(t, a)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			w.assertUntouched(t, tc.name)
		})
	}
}

// A cancelled context stops everything before the target is touched.
func TestReleasesInstallCancelled(t *testing.T) {
	t.Parallel()
	w := newInstallWorld(t)
	a := w.artifact(t, artifactID, "acme", "linux", "amd64", newBuild)
	w.list(t, "linux", "amd64", a)
	w.download(t, a, newBuild)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := w.c.Releases.Install(ctx, releaseID, &InstallOptions{PublicKey: w.vendor.publicKey(), Target: w.target, Platform: "linux", Arch: "amd64"})
	require.ErrorIs(t, err, context.Canceled)
	w.assertUntouched(t, "cancelled")
}

func TestReleasesInstallChecksArguments(t *testing.T) {
	t.Parallel()
	w := newInstallWorld(t)
	ctx := context.Background()
	for name, opts := range map[string]*InstallOptions{
		"nil options":           nil,
		"no public key":         {Target: w.target},
		"a bad public key":      {PublicKey: "zz", Target: w.target},
		"a filename with a /":   {PublicKey: w.vendor.publicKey(), Target: w.target, Filename: "bin/acme"},
		"a filename with ..":    {PublicKey: w.vendor.publicKey(), Target: w.target, Filename: "..acme"},
		"a filename with a \\":  {PublicKey: w.vendor.publicKey(), Target: w.target, Filename: `bin\acme`},
		"a filename that is ..": {PublicKey: w.vendor.publicKey(), Target: w.target, Filename: ".."},
	} {
		_, err := w.c.Releases.Install(ctx, releaseID, opts)
		require.ErrorIs(t, err, ErrInvalidArgument, name)
	}
	_, err := w.c.Releases.Install(ctx, "", &InstallOptions{PublicKey: w.vendor.publicKey(), Target: w.target})
	require.ErrorIs(t, err, ErrInvalidArgument)
	_, err = w.c.Releases.Install(ctx, releaseID, &InstallOptions{PublicKey: w.vendor.publicKey(), Target: filepath.Join(w.dir, "missing")})
	require.ErrorIs(t, err, os.ErrNotExist)
	_, err = w.c.Releases.Install(ctx, releaseID, &InstallOptions{PublicKey: w.vendor.publicKey(), Target: w.dir})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not a regular file")
	assert.Zero(t, w.mt.GetTotalCallCount())
	w.assertUntouched(t, "arguments")
}

// A symlink to the program is followed: the program is replaced, the link stays a link.
func TestReleasesInstallThroughSymlink(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("symlinks need privileges on Windows")
	}
	w := newInstallWorld(t)
	a := w.artifact(t, artifactID, "acme", "linux", "amd64", newBuild)
	w.list(t, "linux", "amd64", a)
	w.download(t, a, newBuild)
	linkDir := t.TempDir()
	link := filepath.Join(linkDir, "acme")
	require.NoError(t, os.Symlink(w.target, link))
	_, err := w.install(InstallOptions{Platform: "linux", Arch: "amd64", Target: link})
	require.NoError(t, err)
	got, err := os.ReadFile(w.target)
	require.NoError(t, err)
	assert.Equal(t, newBuild, got)
	fi, err := os.Lstat(link)
	require.NoError(t, err)
	assert.NotZero(t, fi.Mode()&os.ModeSymlink)
}

// Without a Target, Install replaces the running executable.
func TestInstallTargetDefault(t *testing.T) {
	t.Parallel()
	exe, err := os.Executable()
	require.NoError(t, err)
	exe, err = filepath.EvalSymlinks(exe)
	require.NoError(t, err)
	got, _, err := installTarget("")
	require.NoError(t, err)
	assert.Equal(t, exe, got)
}

// The Windows way, run here on files: the old file is moved aside to .old (an earlier one
// replaced), the new one takes the target's name.
func TestReplaceFileWindows(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	target, tmp := filepath.Join(dir, "acme.exe"), filepath.Join(dir, ".acme.exe.1.keygen-update")
	require.NoError(t, os.WriteFile(target, oldBuild, 0o755))
	require.NoError(t, os.WriteFile(tmp, newBuild, 0o755))
	require.NoError(t, os.WriteFile(target+".old", []byte("older"), 0o755))
	require.NoError(t, replaceFile(tmp, target, "windows"))
	got, err := os.ReadFile(target)
	require.NoError(t, err)
	assert.Equal(t, newBuild, got)
	got, err = os.ReadFile(target + ".old")
	require.NoError(t, err)
	assert.Equal(t, oldBuild, got)
	_, err = os.Stat(tmp)
	assert.ErrorIs(t, err, os.ErrNotExist)

	// A failed move-in puts the old file back.
	require.Error(t, replaceFile(filepath.Join(dir, "missing"), target, "windows"))
	got, err = os.ReadFile(target)
	require.NoError(t, err)
	assert.Equal(t, newBuild, got)
}
