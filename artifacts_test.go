package keygen

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	artifactID = "3d4e5f60-7182-4a93-b4c5-d6e7f8091a2b"
	// uploadURL is the presigned URL of testdata/artifact_created.json.
	uploadURL = "https://keygen-dist.s3.us-east-2.amazonaws.com/artifacts/4f2d6e0a/3d4e5f60/acme_linux_amd64.tar.gz?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE%2F20240601%2Fus-east-2%2Fs3%2Faws4_request&X-Amz-Date=20240601T101000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=5ecret0fthepresignedur1"
	// storageURL is a download URL on the simulated storage host.
	storageURL = "https://storage.test/artifacts/acme_linux_amd64.tar.gz?X-Amz-Signature=5ecret"
)

// assertArtifactBase checks the fields of testdata/artifact.json that do not change with the
// upload.
func assertArtifactBase(t *testing.T, a *Artifact) {
	t.Helper()
	assert.Equal(t, artifactID, a.ID)
	assert.Equal(t, "acme_linux_amd64.tar.gz", a.Filename)
	assert.Equal(t, Ptr("gz"), a.Filetype)
	assert.Equal(t, Ptr(int64(10485760)), a.Filesize)
	assert.Equal(t, Ptr("linux"), a.Platform)
	assert.Equal(t, Ptr("amd64"), a.Arch)
	assert.Equal(t, Ptr("cG9zaXRpdmVseSBub3QgYSByZWFsIHNpZ25hdHVyZSBidXQgc2l4dHktZm91ciBieXRlcyBsb25nIG9rYXk"), a.Signature)
	assert.Equal(t, Ptr("Y2hlY2tzdW0gcGxhY2Vob2xkZXIgb2Ygc2l4dHktZm91ciBieXRlcyBmb3IgdGhlIGRlY29kaW5nIHRlc3Q"), a.Checksum)
	assert.Equal(t, map[string]any{"buildId": "ci-4242"}, a.Metadata)
	assert.Equal(t, mustTime(t, "2024-06-01T10:10:00Z"), a.Created)
	assert.Equal(t, releaseID, a.ReleaseID)
	assert.Equal(t, accountID, a.AccountID)
	assert.Equal(t, "6a0c3b52-7d3e-4c8e-a1f0-2b9e5d4c3a21", a.EnvironmentID)
}

// assertNoCredentials checks that a request to the storage host carries nothing of the
// client's: no Authorization, no Keygen-* header, no JSON:API media type.
func assertNoCredentials(t *testing.T, req *http.Request) {
	t.Helper()
	assert.Empty(t, req.Header.Get("Authorization"), "Authorization reached the storage host")
	for k := range req.Header {
		assert.False(t, strings.HasPrefix(strings.ToLower(k), "keygen-"), "%s reached the storage host", k)
	}
	assert.NotContains(t, req.Header.Get("Accept"), "vnd.api+json")
	assert.Empty(t, req.Header.Get("Cookie"))
}

func fullArtifactOptions() ArtifactCreateOptions {
	return ArtifactCreateOptions{
		ReleaseID: releaseID, Filename: "acme_linux_amd64.tar.gz", Filetype: "gz", Filesize: Ptr(int64(10485760)),
		Platform: "linux", Arch: "amd64",
		Signature: "cG9zaXRpdmVseSBub3QgYSByZWFsIHNpZ25hdHVyZSBidXQgc2l4dHktZm91ciBieXRlcyBsb25nIG9rYXk",
		Checksum:  "Y2hlY2tzdW0gcGxhY2Vob2xkZXIgb2Ygc2l4dHktZm91ciBieXRlcyBmb3IgdGhlIGRlY29kaW5nIHRlc3Q",
		Metadata:  map[string]any{"buildId": "ci-4242"},
	}
}

// Keygen answers a create with 307 to the upload URL: the SDK keeps the answer, follows
// nothing (a followed 307 would re-send the body to the storage host), and hands the URL over.
func TestArtifactsCreate(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusTemporaryRedirect, http.StatusOK} { // 200: Prefer: no-redirect
		c, mt := newTestClient(t)
		expect(t, mt, wire{method: "POST", path: "/artifacts", golden: "artifacts_create.json", status: status,
			fixture: "artifact_created.json", header: http.Header{"Location": {uploadURL}}})
		mt.RegisterResponder("PUT", uploadURL, httpmock.NewStringResponder(200, ""))
		mt.RegisterResponder("POST", uploadURL, httpmock.NewStringResponder(200, ""))
		a, err := c.Artifacts.Create(context.Background(), fullArtifactOptions())
		require.NoError(t, err, "status %d", status)
		assertArtifactBase(t, a)
		assert.Equal(t, "WAITING", a.Status)
		assert.Equal(t, uploadURL, a.RedirectURL)
		assert.Equal(t, 1, mt.GetTotalCallCount(), "status %d: only Keygen was called", status)
	}
}

func TestArtifactsCreateMinimal(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "POST", path: "/artifacts", golden: "artifacts_create_minimal.json", status: 307,
		fixture: "artifact_created.json", header: http.Header{"Location": {uploadURL}}})
	_, err := c.Artifacts.Create(context.Background(), ArtifactCreateOptions{ReleaseID: releaseID, Filename: "acme_linux_amd64.tar.gz"})
	require.NoError(t, err)
}

func TestArtifactsCreateChecksArguments(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	for _, opts := range []ArtifactCreateOptions{
		{Filename: "acme.tar.gz"},
		{ReleaseID: releaseID},
		{ReleaseID: releaseID, Filename: " "},
		{ReleaseID: releaseID, Filename: "acme.tar.gz", Filesize: Ptr(int64(-1))},
	} {
		_, err := c.Artifacts.Create(context.Background(), opts)
		require.ErrorIs(t, err, ErrInvalidArgument, "%+v", opts)
		_, err = c.Artifacts.Upload(context.Background(), opts, strings.NewReader("x"))
		require.ErrorIs(t, err, ErrInvalidArgument, "%+v", opts)
	}
	assert.Zero(t, mt.GetTotalCallCount())
}

// The Location header is not covered by the answer's signature; data.links.redirect is. When
// they differ the answer is refused, as a forgery when signatures are checked.
func TestArtifactsCreateLocationDiffersFromLink(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "POST", path: "/artifacts", golden: "artifacts_create_minimal.json", status: 307,
		fixture: "artifact_created.json", header: http.Header{"Location": {"https://evil.test/upload"}}})
	_, err := c.Artifacts.Create(context.Background(), ArtifactCreateOptions{ReleaseID: releaseID, Filename: "acme_linux_amd64.tar.gz"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Location header differs")

	priv := newSigningKey(t)
	s := signer{key: priv, mutate: func(h http.Header, _ *string) { h.Set("Location", "https://evil.test/upload") }}
	body := string(fixture(t, "artifact_created.json"))
	signed := signedClient(t, priv, func(req *http.Request) *http.Response { return s.sign(req, 307, body) })
	_, err = signed.Artifacts.Create(context.Background(), ArtifactCreateOptions{ReleaseID: releaseID, Filename: "acme_linux_amd64.tar.gz"})
	requireSignatureError(t, err, "Location header differs")
}

// Upload creates the artifact, then streams the bytes to the upload URL with their length and
// nothing of the client's credentials.
func TestArtifactsUpload(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	content := strings.Repeat("acme binary ", 1000)
	expect(t, mt, wire{method: "POST", path: "/artifacts", golden: "artifacts_upload.json", status: 307,
		fixture: "artifact_created.json", header: http.Header{"Location": {uploadURL}}})
	var got []byte
	mt.RegisterResponder("PUT", uploadURL, func(req *http.Request) (*http.Response, error) {
		assertNoCredentials(t, req)
		assert.Equal(t, int64(len(content)), req.ContentLength)
		assert.Equal(t, "application/octet-stream", req.Header.Get("Content-Type"))
		assert.Equal(t, "host", req.URL.Query().Get("X-Amz-SignedHeaders"), "the presigned query is sent as given")
		var err error
		got, err = io.ReadAll(req.Body)
		require.NoError(t, err)
		return httpmock.NewStringResponse(200, ""), nil
	})
	a, err := c.Artifacts.Upload(context.Background(), ArtifactCreateOptions{
		ReleaseID: releaseID, Filename: "acme_linux_amd64.tar.gz", Platform: "linux", Arch: "amd64",
	}, strings.NewReader(content))
	require.NoError(t, err)
	assert.Equal(t, content, string(got))
	assert.Equal(t, "WAITING", a.Status)
	assert.Equal(t, uploadURL, a.RedirectURL)
	assert.Equal(t, 2, mt.GetTotalCallCount())
}

// A file is sent from where it stands, and stays open for its owner.
func TestArtifactsUploadFile(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	path := filepath.Join(t.TempDir(), "acme")
	require.NoError(t, os.WriteFile(path, []byte("HEADERpayload"), 0o600))
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	_, err = f.Seek(int64(len("HEADER")), io.SeekStart)
	require.NoError(t, err)

	mt.RegisterResponder("POST", apiURL("/artifacts"), func(req *http.Request) (*http.Response, error) {
		var doc struct {
			Data struct {
				Attributes map[string]any `json:"attributes"`
			} `json:"data"`
		}
		require.NoError(t, json.NewDecoder(req.Body).Decode(&doc))
		assert.Equal(t, float64(len("payload")), doc.Data.Attributes["filesize"])
		resp := jsonResponse(req, 307, string(fixture(t, "artifact_created.json")))
		resp.Header.Set("Location", uploadURL)
		return resp, nil
	})
	var got []byte
	mt.RegisterResponder("PUT", uploadURL, func(req *http.Request) (*http.Response, error) {
		assert.Equal(t, int64(len("payload")), req.ContentLength)
		got, _ = io.ReadAll(req.Body)
		return httpmock.NewStringResponse(200, ""), nil
	})
	_, err = c.Artifacts.Upload(context.Background(), ArtifactCreateOptions{ReleaseID: releaseID, Filename: "acme_linux_amd64.tar.gz"}, f)
	require.NoError(t, err)
	assert.Equal(t, "payload", string(got))
	_, err = f.Seek(0, io.SeekStart)
	assert.NoError(t, err, "Upload closed the caller's file")
}

// A reader of unknown size needs a Filesize (storage hosts refuse chunked uploads); one that
// contradicts the reader is refused before anything is sent.
func TestArtifactsUploadSize(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	opts := ArtifactCreateOptions{ReleaseID: releaseID, Filename: "acme_linux_amd64.tar.gz"}
	pr, pw := io.Pipe()
	defer pr.Close()
	_, err := c.Artifacts.Upload(context.Background(), opts, pr)
	require.ErrorIs(t, err, ErrInvalidArgument)
	o := opts
	o.Filesize = Ptr(int64(3))
	_, err = c.Artifacts.Upload(context.Background(), o, strings.NewReader("four"))
	require.ErrorIs(t, err, ErrInvalidArgument)
	_, err = c.Artifacts.Upload(context.Background(), opts, nil)
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Zero(t, mt.GetTotalCallCount())

	// With a Filesize, a pipe streams: the bytes are written while the PUT reads them.
	expect(t, mt, wire{method: "POST", path: "/artifacts", golden: "artifacts_upload_stream.json", status: 307,
		fixture: "artifact_created.json", header: http.Header{"Location": {uploadURL}}})
	var got []byte
	mt.RegisterResponder("PUT", uploadURL, func(req *http.Request) (*http.Response, error) {
		assert.Equal(t, int64(6), req.ContentLength)
		got, _ = io.ReadAll(req.Body)
		return httpmock.NewStringResponse(200, ""), nil
	})
	go func() {
		_, _ = pw.Write([]byte("abc"))
		_, _ = pw.Write([]byte("def"))
		pw.Close()
	}()
	o = opts
	o.Filesize = Ptr(int64(6))
	_, err = c.Artifacts.Upload(context.Background(), o, pr)
	require.NoError(t, err)
	assert.Equal(t, "abcdef", string(got))
}

// A failed transfer returns the created artifact with the error, which never repeats the
// presigned credential.
func TestArtifactsUploadStorageRefuses(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "POST", path: "/artifacts", golden: "artifacts_upload_one_byte.json", status: 307,
		fixture: "artifact_created.json", header: http.Header{"Location": {uploadURL}}})
	mt.RegisterResponder("PUT", uploadURL, httpmock.NewStringResponder(403, "<Error><Code>SignatureDoesNotMatch</Code><StringToSign>secret</StringToSign></Error>"))
	a, err := c.Artifacts.Upload(context.Background(), ArtifactCreateOptions{ReleaseID: releaseID, Filename: "acme_linux_amd64.tar.gz"}, strings.NewReader("x"))
	require.Error(t, err)
	require.NotNil(t, a)
	assert.Equal(t, artifactID, a.ID)
	assert.Contains(t, err.Error(), "403")
	assert.Contains(t, err.Error(), "https://keygen-dist.s3.us-east-2.amazonaws.com/artifacts/")
	assert.NotContains(t, err.Error(), "5ecret")
	assert.NotContains(t, err.Error(), "StringToSign")

	// A transport failure is scrubbed too.
	c2, mt2 := newTestClient(t)
	expect(t, mt2, wire{method: "POST", path: "/artifacts", golden: "artifacts_upload_one_byte.json", status: 307,
		fixture: "artifact_created.json", header: http.Header{"Location": {uploadURL}}})
	mt2.RegisterResponder("PUT", uploadURL, httpmock.NewErrorResponder(errors.New("connection reset")))
	_, err = c2.Artifacts.Upload(context.Background(), ArtifactCreateOptions{ReleaseID: releaseID, Filename: "acme_linux_amd64.tar.gz"}, strings.NewReader("x"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "connection reset")
	assert.NotContains(t, err.Error(), "5ecret")
}

// Bytes go to https only, or to plain http on a loopback host.
func TestArtifactsUploadRefusesPlainHTTP(t *testing.T) {
	t.Parallel()
	for loc, ok := range map[string]bool{"http://storage.test/upload?sig=5ecret": false, "http://127.0.0.1:9/upload?sig=5ecret": true} {
		c, mt := newTestClient(t)
		mt.RegisterResponder("POST", apiURL("/artifacts"), func(req *http.Request) (*http.Response, error) {
			resp := jsonResponse(req, 307, artifactBody(t, loc, map[string]any{"status": "WAITING"}))
			resp.Header.Set("Location", loc)
			return resp, nil
		})
		mt.RegisterResponder("PUT", loc, httpmock.NewStringResponder(200, ""))
		a, err := c.Artifacts.Upload(context.Background(), ArtifactCreateOptions{ReleaseID: releaseID, Filename: "acme_linux_amd64.tar.gz"}, strings.NewReader("x"))
		require.NotNil(t, a, loc)
		if ok {
			require.NoError(t, err, loc)
			assert.Equal(t, 1, mt.GetCallCountInfo()["PUT "+loc])
			continue
		}
		require.Error(t, err, loc)
		assert.Contains(t, err.Error(), "plain http")
		assert.NotContains(t, err.Error(), "5ecret")
		assert.Zero(t, mt.GetCallCountInfo()["PUT "+loc])
	}
}

// artifactBody is testdata/artifact.json with attrs set (nil writes null) and, unless
// redirect is "", data.links.redirect.
func artifactBody(t *testing.T, redirect string, attrs map[string]any) string {
	t.Helper()
	var doc map[string]any
	require.NoError(t, json.Unmarshal(fixture(t, "artifact.json"), &doc))
	data := doc["data"].(map[string]any)
	a := data["attributes"].(map[string]any)
	for k, v := range attrs {
		a[k] = v
	}
	if redirect != "" {
		data["links"].(map[string]any)["redirect"] = redirect
	}
	b, err := json.Marshal(doc)
	require.NoError(t, err)
	return string(b)
}

// codeSigner is the vendor's side: it signs artifacts as Keygen's CLI does (keygen upload:
// Ed25519ph over the file's SHA-512 digest, the product id as context, unpadded base64).
type codeSigner struct{ priv ed25519.PrivateKey }

func newCodeSigner(t *testing.T) codeSigner { return codeSigner{newSigningKey(t)} }

func (s codeSigner) publicKey() string { return pubHex(s.priv) }

func (s codeSigner) sign(t *testing.T, data []byte, context string) string {
	t.Helper()
	d := sha512.Sum512(data)
	sig, err := s.priv.Sign(nil, d[:], &ed25519.Options{Hash: crypto.SHA512, Context: context})
	require.NoError(t, err)
	return base64.RawStdEncoding.EncodeToString(sig)
}

func checksumOf(data []byte) string {
	d := sha512.Sum512(data)
	return base64.RawStdEncoding.EncodeToString(d[:])
}

// signedArtifact is the attributes of an artifact of content, signed by s for the product.
func signedArtifact(t *testing.T, s codeSigner, content []byte) map[string]any {
	return map[string]any{
		"filesize":  len(content),
		"checksum":  checksumOf(content),
		"signature": s.sign(t, content, productID),
	}
}

// serveDownload answers GET /artifacts/{id} with a 303 carrying body, with loc as Location
// unless it is "", and, unless content is nil, loc with content; it returns the count of
// those storage requests, each checked for credentials.
func serveDownload(t *testing.T, mt *httpmock.MockTransport, id, body, loc string, content []byte) *int {
	t.Helper()
	mt.RegisterResponder("GET", apiURL("/artifacts/"+url.PathEscape(id)), func(req *http.Request) (*http.Response, error) {
		checkRequest(t, req, wire{method: "GET", query: req.URL.Query()})
		resp := jsonResponse(req, http.StatusSeeOther, body)
		if loc != "" {
			resp.Header.Set("Location", loc)
		}
		return resp, nil
	})
	storage := new(int)
	if content != nil {
		mt.RegisterResponder("GET", loc, func(req *http.Request) (*http.Response, error) {
			*storage++
			assertNoCredentials(t, req)
			resp := httpmock.NewBytesResponse(200, content)
			resp.ContentLength = int64(len(content))
			return resp, nil
		})
	}
	return storage
}

// serveRelease answers GET /releases/{releaseID}, which Download reads for the product id.
func serveRelease(t *testing.T, mt *httpmock.MockTransport) *int {
	return expect(t, mt, wire{method: "GET", path: "/releases/" + releaseID, fixture: "release.json"})
}

var artifactContent = bytes.Repeat([]byte("\x7fELF acme 1.3.0 "), 4096)

// A genuine artifact: the bytes reach dst, the signature verifies with the product id
// (read from the release) as context, and the storage host sees no credential.
func TestArtifactsDownload(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	v := newCodeSigner(t)
	body := artifactBody(t, storageURL, signedArtifact(t, v, artifactContent))
	storage := serveDownload(t, mt, artifactID, body, storageURL, artifactContent)
	releases := serveRelease(t, mt)
	var dst bytes.Buffer
	a, err := c.Artifacts.Download(context.Background(), artifactID, &dst, &DownloadOptions{PublicKey: v.publicKey()})
	require.NoError(t, err)
	assert.True(t, bytes.Equal(artifactContent, dst.Bytes()))
	assert.Equal(t, artifactID, a.ID)
	assert.Equal(t, storageURL, a.RedirectURL)
	assert.Equal(t, 1, *storage)
	assert.Equal(t, 1, *releases)
}

// Every encoding Keygen's CLI may write verifies; with Product given no release is read; a
// signature with no context (plain Ed25519ph) verifies too.
func TestArtifactsDownloadEncodings(t *testing.T) {
	t.Parallel()
	v := newCodeSigner(t)
	d := sha512.Sum512(artifactContent)
	sig := func(context string) []byte {
		s, err := v.priv.Sign(nil, d[:], &ed25519.Options{Hash: crypto.SHA512, Context: context})
		require.NoError(t, err)
		return s
	}
	cases := map[string]struct{ checksum, signature string }{
		"base64raw":  {base64.RawStdEncoding.EncodeToString(d[:]), base64.RawStdEncoding.EncodeToString(sig(productID))},
		"base64":     {base64.StdEncoding.EncodeToString(d[:]), base64.StdEncoding.EncodeToString(sig(productID))},
		"base64url":  {base64.URLEncoding.EncodeToString(d[:]), base64.URLEncoding.EncodeToString(sig(productID))},
		"hex":        {hex.EncodeToString(d[:]), hex.EncodeToString(sig(productID))},
		"no context": {base64.RawStdEncoding.EncodeToString(d[:]), base64.RawStdEncoding.EncodeToString(sig(""))},
	}
	for name, tc := range cases {
		c, mt := newTestClient(t)
		body := artifactBody(t, storageURL, map[string]any{"filesize": len(artifactContent), "checksum": tc.checksum, "signature": tc.signature})
		serveDownload(t, mt, artifactID, body, storageURL, artifactContent)
		var dst bytes.Buffer
		_, err := c.Artifacts.Download(context.Background(), artifactID, &dst, &DownloadOptions{PublicKey: v.publicKey(), Product: productID})
		require.NoError(t, err, name)
		assert.Equal(t, 2, mt.GetTotalCallCount(), "%s: no release read", name)
	}
}

// Each forgery fails with ErrSignatureInvalid, after the bytes went to dst (which the caller
// must discard) or before any went there.
func TestArtifactsDownloadRefusesForgeries(t *testing.T) {
	t.Parallel()
	v := newCodeSigner(t)
	other := newCodeSigner(t)
	tampered := bytes.Clone(artifactContent)
	tampered[1000] ^= 1
	good := signedArtifact(t, v, artifactContent)
	with := func(k string, val any) map[string]any {
		m := map[string]any{}
		for k, v := range good {
			m[k] = v
		}
		m[k] = val
		return m
	}
	cases := []struct {
		name    string
		attrs   map[string]any
		content []byte
		reason  string
		noBytes bool // refused before the transfer
	}{
		{"a tampered byte", good, tampered, "does not match its checksum", false},
		{"a wrong checksum", with("checksum", checksumOf([]byte("another file"))), artifactContent, "does not match its checksum", false},
		{"another key's signature", with("signature", other.sign(t, artifactContent, productID)), artifactContent, "signature does not verify", false},
		{"a signature of other bytes", with("signature", v.sign(t, tampered, productID)), artifactContent, "signature does not verify", false},
		{"another product's signature", with("signature", v.sign(t, artifactContent, "11111111-2222-4333-8444-555555555555")), artifactContent, "signature does not verify", false},
		{"no checksum", with("checksum", nil), artifactContent, "has no checksum", true},
		{"an empty signature", with("signature", ""), artifactContent, "has no signature", true},
		{"no signature", with("signature", nil), artifactContent, "has no signature", true},
		{"a SHA-256 checksum", with("checksum", base64.StdEncoding.EncodeToString(make([]byte, 32))), artifactContent, "not a SHA-512 digest", true},
		{"a garbled signature", with("signature", "not base64!"), artifactContent, "not an Ed25519 signature", true},
	}
	for _, tc := range cases {
		c, mt := newTestClient(t)
		storage := serveDownload(t, mt, artifactID, artifactBody(t, storageURL, tc.attrs), storageURL, tc.content)
		var dst bytes.Buffer
		a, err := c.Artifacts.Download(context.Background(), artifactID, &dst, &DownloadOptions{PublicKey: v.publicKey(), Product: productID})
		assert.Nil(t, a, tc.name)
		require.ErrorIs(t, err, ErrSignatureInvalid, tc.name)
		assert.Contains(t, err.Error(), tc.reason, tc.name)
		if tc.noBytes {
			assert.Zero(t, dst.Len(), tc.name)
			assert.Zero(t, *storage, tc.name)
		}
	}
}

// Without a code-signing key, a checksum is still checked when there is one; an artifact
// with neither checksum nor signature downloads as it is.
func TestArtifactsDownloadWithoutPublicKey(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	serveDownload(t, mt, artifactID, artifactBody(t, storageURL, map[string]any{"filesize": len(artifactContent), "checksum": nil, "signature": nil}), storageURL, artifactContent)
	var dst bytes.Buffer
	_, err := c.Artifacts.Download(context.Background(), artifactID, &dst, nil)
	require.NoError(t, err)
	assert.Equal(t, len(artifactContent), dst.Len())

	c, mt = newTestClient(t)
	serveDownload(t, mt, artifactID, artifactBody(t, storageURL, map[string]any{"filesize": len(artifactContent), "checksum": checksumOf([]byte("x")), "signature": nil}), storageURL, artifactContent)
	_, err = c.Artifacts.Download(context.Background(), artifactID, io.Discard, nil)
	require.ErrorIs(t, err, ErrSignatureInvalid)
}

// A body shorter or longer than the artifact's filesize or the storage host's Content-Length
// is an error.
func TestArtifactsDownloadLength(t *testing.T) {
	t.Parallel()
	v := newCodeSigner(t)
	attrs := signedArtifact(t, v, artifactContent)
	n := len(artifactContent)
	cases := []struct {
		name          string
		body          []byte
		contentLength int64
		filesize      any
		want          string
	}{
		{"cut short of its Content-Length", artifactContent[:n-10], int64(n), n, "truncated"},
		{"cut short of its filesize, no Content-Length", artifactContent[:n-10], -1, n, "truncated"},
		{"longer than its filesize, no Content-Length", append(bytes.Clone(artifactContent), 'x'), -1, n, "more than the"},
		{"a Content-Length other than the filesize", artifactContent, int64(n + 1), n, "the storage host sends"},
	}
	for _, tc := range cases {
		c, mt := newTestClient(t)
		a := map[string]any{}
		for k, v := range attrs {
			a[k] = v
		}
		a["filesize"] = tc.filesize
		serveDownload(t, mt, artifactID, artifactBody(t, storageURL, a), storageURL, nil)
		mt.RegisterResponder("GET", storageURL, func(*http.Request) (*http.Response, error) {
			resp := httpmock.NewBytesResponse(200, tc.body)
			resp.ContentLength = tc.contentLength
			return resp, nil
		})
		_, err := c.Artifacts.Download(context.Background(), artifactID, io.Discard, &DownloadOptions{PublicKey: v.publicKey(), Product: productID})
		require.Error(t, err, tc.name)
		assert.Contains(t, err.Error(), tc.want, tc.name)
		assert.NotContains(t, err.Error(), "5ecret", tc.name)
	}
}

// The storage leg over real HTTP, to a server on 127.0.0.1 (plain http is allowed to a
// loopback host): it gets no credential, a body the server cuts short is an error, and
// cancelling the context mid-transfer stops it.
func TestArtifactsDownloadFromLoopbackServer(t *testing.T) {
	t.Parallel()
	v := newCodeSigner(t)
	var mu sync.Mutex
	var sawAuth []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		sawAuth = append(sawAuth, r.Header.Get("Authorization")+r.Header.Get("Keygen-Version"))
		mu.Unlock()
		switch r.URL.Path {
		case "/whole":
			w.Header().Set("Content-Length", strconv.Itoa(len(artifactContent)))
			_, _ = w.Write(artifactContent)
		case "/cut":
			w.Header().Set("Content-Length", strconv.Itoa(len(artifactContent)))
			_, _ = w.Write(artifactContent[:len(artifactContent)/2])
			// returning closes the connection short of Content-Length
		case "/stall":
			w.Header().Set("Content-Length", strconv.Itoa(len(artifactContent)))
			_, _ = w.Write(artifactContent[:len(artifactContent)/2])
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		}
	}))
	defer srv.Close()
	attrs := signedArtifact(t, v, artifactContent)
	download := func(ctx context.Context, path string, dst io.Writer) error {
		c, mt := newTestClient(t)
		mt.RegisterNoResponder(httpmock.InitialTransport.RoundTrip) // the storage host is real
		loc := srv.URL + path + "?sig=5ecret"
		serveDownload(t, mt, artifactID, artifactBody(t, loc, attrs), loc, nil)
		_, err := c.Artifacts.Download(ctx, artifactID, dst, &DownloadOptions{PublicKey: v.publicKey(), Product: productID})
		return err
	}

	var dst bytes.Buffer
	require.NoError(t, download(context.Background(), "/whole", &dst))
	assert.True(t, bytes.Equal(artifactContent, dst.Bytes()))

	err := download(context.Background(), "/cut", io.Discard)
	require.Error(t, err)
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.NotContains(t, err.Error(), "5ecret")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := &cancelAfter{n: 1, cancel: cancel}
	err = download(ctx, "/stall", w)
	require.ErrorIs(t, err, context.Canceled)
	assert.Positive(t, w.written)

	mu.Lock()
	defer mu.Unlock()
	for _, auth := range sawAuth {
		assert.Empty(t, auth, "a credential or Keygen header reached the storage host")
	}
	assert.Len(t, sawAuth, 3)
}

// cancelAfter cancels its context once it has received n bytes.
type cancelAfter struct {
	n, written int
	cancel     context.CancelFunc
}

func (w *cancelAfter) Write(p []byte) (int, error) {
	w.written += len(p)
	if w.written >= w.n {
		w.cancel()
	}
	return len(p), nil
}

// Only https storage URLs are fetched, or http to a loopback host; the check holds on
// redirects of the storage host too.
func TestArtifactsDownloadURLPolicy(t *testing.T) {
	t.Parallel()
	for loc, ok := range map[string]bool{
		"http://storage.test/a?sig=1":    false,
		"ftp://storage.test/a":           false,
		"https://user:pw@storage.test/a": false,
		"http://127.0.0.1:9/a?sig=1":     true,
		"http://[::1]:9/a":               true,
		"http://localhost:9/a":           true,
		"https://storage.test/a?sig=1":   true,
		"http://127.0.0.1.evil.test:9/a": false,
		"http://10.0.0.1/a":              false,
	} {
		c, mt := newTestClient(t)
		storage := serveDownload(t, mt, artifactID, artifactBody(t, "", map[string]any{"filesize": 3, "checksum": nil, "signature": nil}), loc, []byte("abc"))
		_, err := c.Artifacts.Download(context.Background(), artifactID, io.Discard, nil)
		if ok {
			assert.NoError(t, err, loc)
			assert.Equal(t, 1, *storage, loc)
		} else {
			assert.Error(t, err, loc)
			assert.Zero(t, *storage, loc)
		}
	}

	// A storage host redirecting to plain http is not followed.
	c, mt := newTestClient(t)
	serveDownload(t, mt, artifactID, artifactBody(t, storageURL, map[string]any{"filesize": 3, "checksum": nil, "signature": nil}), storageURL, nil)
	mt.RegisterResponder("GET", storageURL, func(*http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(302, "")
		resp.Header.Set("Location", "http://mirror.test/a")
		return resp, nil
	})
	mt.RegisterResponder("GET", "http://mirror.test/a", httpmock.NewStringResponder(200, "abc"))
	_, err := c.Artifacts.Download(context.Background(), artifactID, io.Discard, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "plain http")
	assert.Zero(t, mt.GetCallCountInfo()["GET http://mirror.test/a"])
}

// An artifact that cannot be downloaded (not uploaded yet, or its release yanked) answers 200
// with no URL: an error naming its status, and nothing fetched.
func TestArtifactsDownloadNotDownloadable(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	mt.RegisterResponder("GET", apiURL("/artifacts/"+artifactID), func(req *http.Request) (*http.Response, error) {
		return jsonResponse(req, 200, artifactBody(t, "", map[string]any{"status": "WAITING"})), nil
	})
	_, err := c.Artifacts.Download(context.Background(), artifactID, io.Discard, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "status WAITING")
	assert.Equal(t, 1, mt.GetTotalCallCount())
}

// A filename with a release qualifier and a TTL travel in the query.
func TestArtifactsDownloadQuery(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	mt.RegisterResponder("GET", apiURL("/artifacts/acme_linux_amd64.tar.gz"), func(req *http.Request) (*http.Response, error) {
		checkRequest(t, req, wire{method: "GET", query: url.Values{"release": {"1.3.0"}, "ttl": {"600"}}})
		resp := jsonResponse(req, 303, artifactBody(t, storageURL, map[string]any{"filesize": 3, "checksum": nil, "signature": nil}))
		resp.Header.Set("Location", storageURL)
		return resp, nil
	})
	mt.RegisterResponder("GET", storageURL, httpmock.NewStringResponder(200, "abc"))
	var dst bytes.Buffer
	_, err := c.Artifacts.Download(context.Background(), "acme_linux_amd64.tar.gz", &dst, &DownloadOptions{Release: "1.3.0", TTL: 10 * time.Minute})
	require.NoError(t, err)
	assert.Equal(t, "abc", dst.String())
}

// With response signatures on, the 303 itself must be signed; a Location rewritten in
// transit (it is outside the signature) no longer matches the signed link and is refused.
func TestArtifactsDownloadSignedAnswer(t *testing.T) {
	t.Parallel()
	priv := newSigningKey(t)
	v := newCodeSigner(t)
	body := artifactBody(t, storageURL, signedArtifact(t, v, artifactContent))
	for _, loc := range []string{storageURL, "https://evil.test/a"} {
		s := signer{key: priv}
		c, mt := newTestClient(t, WithPublicKey(pubHex(priv)))
		mt.RegisterResponder("GET", apiURL("/artifacts/"+artifactID), func(req *http.Request) (*http.Response, error) {
			resp := s.sign(req, http.StatusSeeOther, body)
			resp.Header.Set("Location", loc)
			return resp, nil
		})
		mt.RegisterResponder("GET", storageURL, func(req *http.Request) (*http.Response, error) {
			assertNoCredentials(t, req)
			return httpmock.NewBytesResponse(200, artifactContent), nil
		})
		mt.RegisterResponder("GET", "https://evil.test/a", httpmock.NewBytesResponder(200, artifactContent))
		_, err := c.Artifacts.Download(context.Background(), artifactID, io.Discard, &DownloadOptions{PublicKey: v.publicKey(), Product: productID})
		if loc == storageURL {
			require.NoError(t, err)
		} else {
			requireSignatureError(t, err, "Location header differs")
			assert.Zero(t, mt.GetCallCountInfo()["GET https://evil.test/a"])
		}
	}

	// The vendor's key must not be the account's: Keygen holds that one's private half.
	c, mt := newTestClient(t, WithPublicKey(pubHex(priv)))
	_, err := c.Artifacts.Download(context.Background(), artifactID, io.Discard, &DownloadOptions{PublicKey: pubHex(priv)})
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Zero(t, mt.GetTotalCallCount())
}

func TestArtifactsDownloadChecksArguments(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	ctx := context.Background()
	for name, call := range map[string]func() error{
		"nil dst":  func() error { _, err := c.Artifacts.Download(ctx, artifactID, nil, nil); return err },
		"empty id": func() error { _, err := c.Artifacts.Download(ctx, "", io.Discard, nil); return err },
		"bad public key": func() error {
			_, err := c.Artifacts.Download(ctx, artifactID, io.Discard, &DownloadOptions{PublicKey: "nope"})
			return err
		},
		"negative TTL": func() error {
			_, err := c.Artifacts.Download(ctx, artifactID, io.Discard, &DownloadOptions{TTL: -time.Second})
			return err
		},
	} {
		require.ErrorIs(t, call(), ErrInvalidArgument, name)
	}
	assert.Zero(t, mt.GetTotalCallCount())
}

// Get asks Keygen's download route for the document only, and follows nothing.
func TestArtifactsGet(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	for _, id := range []string{artifactID, "acme_linux_amd64.tar.gz"} {
		expect(t, mt, wire{method: "GET", path: "/artifacts/" + id, query: url.Values{"prefer": {"no-download"}}, fixture: "artifact.json"})
		a, err := c.Artifacts.Get(context.Background(), id)
		require.NoError(t, err, id)
		assertArtifactBase(t, a)
		assert.Equal(t, "UPLOADED", a.Status)
		assert.Equal(t, mustTime(t, "2024-06-01T10:12:30.5Z"), a.Updated)
		assert.Empty(t, a.RedirectURL)
	}
	// A server that ignores the preference and redirects anyway is not followed.
	mt.RegisterResponder("GET", apiURL("/artifacts/moved"), func(req *http.Request) (*http.Response, error) {
		resp := jsonResponse(req, 303, artifactBody(t, storageURL, nil))
		resp.Header.Set("Location", storageURL)
		return resp, nil
	})
	mt.RegisterResponder("GET", storageURL, httpmock.NewStringResponder(200, "bytes"))
	a, err := c.Artifacts.Get(context.Background(), "moved")
	require.NoError(t, err)
	assert.Equal(t, storageURL, a.RedirectURL)
	assert.Zero(t, mt.GetCallCountInfo()["GET "+storageURL])

	_, err = c.Artifacts.Get(context.Background(), "")
	require.ErrorIs(t, err, ErrInvalidArgument)
}

func TestArtifactsUpdate(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "PATCH", path: "/artifacts/" + artifactID, golden: "artifacts_update.json", fixture: "artifact.json"})
	a, err := c.Artifacts.Update(context.Background(), artifactID, ArtifactUpdateOptions{
		Filesize:  Set(int64(10485760)),
		Signature: Null[string](),
		Checksum:  Set("Y2hlY2tzdW0gcGxhY2Vob2xkZXIgb2Ygc2l4dHktZm91ciBieXRlcyBmb3IgdGhlIGRlY29kaW5nIHRlc3Q"),
		Metadata:  map[string]any{"buildId": "ci-4242"},
	})
	require.NoError(t, err)
	assertArtifactBase(t, a)
	_, err = c.Artifacts.Update(context.Background(), "", ArtifactUpdateOptions{})
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Equal(t, 1, mt.GetTotalCallCount())
}

func TestArtifactsDelete(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	calls := expect(t, mt, wire{method: "DELETE", path: "/artifacts/" + artifactID, status: 204})
	require.NoError(t, c.Artifacts.Delete(context.Background(), artifactID))
	require.ErrorIs(t, c.Artifacts.Delete(context.Background(), ""), ErrInvalidArgument)
	assert.Equal(t, 1, *calls)
}

func TestArtifactsList(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "GET", path: "/artifacts", fixture: "artifacts.json", query: url.Values{
		"limit": {"10"}, "release": {"1.3.0"}, "product": {productID}, "channel": {"beta"}, "status": {"UPLOADED"},
		"platform": {"linux"}, "arch": {"amd64"}, "filetype": {"gz"}, "package": {"acme-cli"}, "engine": {"raw"},
	}})
	page, err := c.Artifacts.List(context.Background(), &ArtifactListOptions{
		ListOptions: ListOptions{Limit: 10}, Release: "1.3.0", Product: productID, Channel: "beta", Status: "UPLOADED",
		Platform: "linux", Arch: "amd64", Filetype: "gz", Package: "acme-cli", Engine: "raw",
	})
	require.NoError(t, err)
	require.Len(t, page.Data, 2)
	assertArtifactBase(t, page.Data[0])
	bare := page.Data[1]
	assert.Equal(t, "README", bare.Filename)
	assert.Equal(t, "WAITING", bare.Status)
	for _, p := range []*string{bare.Filetype, bare.Platform, bare.Arch, bare.Signature, bare.Checksum} {
		assert.Nil(t, p)
	}
	assert.Nil(t, bare.Filesize)
	assert.Empty(t, bare.EnvironmentID)
	assert.Equal(t, releaseID, bare.ReleaseID)
}

func TestArtifactsAll(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "GET", path: "/artifacts", fixture: "artifacts.json", query: url.Values{
		"page[cursor]": {""}, "page[size]": {"100"}, "release": {releaseID},
	}})
	var names []string
	for a, err := range c.Artifacts.All(context.Background(), &ArtifactListOptions{Release: releaseID}) {
		require.NoError(t, err)
		names = append(names, a.Filename)
	}
	assert.Equal(t, []string{"acme_linux_amd64.tar.gz", "README"}, names)
}

func TestDecode64(t *testing.T) {
	t.Parallel()
	b := bytes.Repeat([]byte{0xfb, 0xff}, 32)
	for _, s := range []string{
		base64.StdEncoding.EncodeToString(b), base64.RawStdEncoding.EncodeToString(b),
		base64.URLEncoding.EncodeToString(b), base64.RawURLEncoding.EncodeToString(b),
		hex.EncodeToString(b), strings.ToUpper(hex.EncodeToString(b)), " " + hex.EncodeToString(b) + "\n",
	} {
		assert.Equal(t, b, decode64(s, 64), s)
	}
	for _, s := range []string{"", "zz", base64.StdEncoding.EncodeToString(b[:63]), hex.EncodeToString(b[:32])} {
		assert.Nil(t, decode64(s, 64), s)
	}
}
