package keygentest

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Artifact storage: Keygen hands out presigned S3 URLs (app/models/release_artifact.rb
// upload_url/download_url, app/workers/wait_for_artifact_upload_worker.rb). keygentest keeps
// the bytes in memory and serves its own short-lived, unguessable URLs under /_keygentest/
// (a keygentest extension, outside the Keygen API and without Keygen authentication):
//
//	PUT /_keygentest/uploads/{token}              stores the file; WAITING → UPLOADED
//	GET /_keygentest/downloads/{token}/{filename} streams it
//
// The stored bytes of all artifacts are bounded by WithMaxArtifactBytes.

// blobURLTTL is how long an upload or download URL lives on the server clock (the S3
// presigned URLs' default expiry, 1 hour).
const blobURLTTL = time.Hour

// defaultMaxArtifactBytes bounds the stored artifact bytes of a server.
const defaultMaxArtifactBytes = 64 << 20

// WithMaxArtifactBytes bounds the total size of the artifact files a server stores in memory
// (default 64 MiB). An upload that would pass it is refused with a 413 and stores nothing.
func WithMaxArtifactBytes(n int64) Option { return func(c *config) { c.maxArtifactBytes = n } }

// blobLink is a live upload or download URL.
type blobLink struct {
	artifactID string
	upload     bool
	expires    time.Time
}

// downloadTTL is the download URL's lifetime: ?ttl= seconds for privileged bearers (the
// typed_query of ReleaseArtifactsController#show), else blobURLTTL.
func (c *call) downloadTTL(p *principal) time.Duration {
	if p == nil || !p.hasRole("admin", "developer", "sales-agent", "support-agent", "product", "environment") {
		return blobURLTTL
	}
	if n, err := strconv.Atoi(c.query.Get("ttl")); err == nil && n > 0 {
		return time.Duration(n) * time.Second
	}
	return blobURLTTL
}

// blobURL mints an upload or download URL for an artifact, valid for ttl.
func (c *call) blobURL(a *artifact, upload bool, ttl time.Duration) string {
	d := c.dist()
	now := c.now()
	for tok, l := range d.links {
		if !now.Before(l.expires) {
			delete(d.links, tok)
		}
	}
	tok := randomHex(32)
	d.links[tok] = &blobLink{artifactID: a.ID, upload: upload, expires: now.Add(ttl)}
	if upload {
		return c.absoluteURL("/_keygentest/uploads/" + tok)
	}
	return c.absoluteURL("/_keygentest/downloads/" + tok + "/" + url.PathEscape(a.Filename))
}

// dropBlob removes an artifact's stored bytes.
func (d *distStore) dropBlob(id string) {
	d.blobBytes -= int64(len(d.blobs[id]))
	delete(d.blobs, id)
}

// serveBlob serves the upload and download URLs; it reports whether the path was one.
func (s *Server) serveBlob(w http.ResponseWriter, r *http.Request) bool {
	fail := func(status int, msg string) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, msg+"\n")
	}
	rest, upload := strings.CutPrefix(r.URL.Path, "/_keygentest/uploads/")
	if !upload {
		var ok bool
		if rest, ok = strings.CutPrefix(r.URL.Path, "/_keygentest/downloads/"); !ok {
			return false
		}
	}
	tok, _, _ := strings.Cut(rest, "/")
	switch {
	case upload && r.Method != http.MethodPut:
		w.Header().Set("Allow", "PUT")
		fail(http.StatusMethodNotAllowed, "keygentest: upload URLs take PUT")
		return true
	case !upload && r.Method != http.MethodGet && r.Method != http.MethodHead:
		w.Header().Set("Allow", "GET, HEAD")
		fail(http.StatusMethodNotAllowed, "keygentest: download URLs take GET")
		return true
	}
	max := s.cfg.maxArtifactBytes
	if max <= 0 {
		max = defaultMaxArtifactBytes
	}
	var body []byte
	if upload {
		if r.ContentLength > max {
			fail(http.StatusRequestEntityTooLarge, fmt.Sprintf("keygentest: artifact too large: the server stores at most %d bytes of artifacts (WithMaxArtifactBytes)", max))
			return true
		}
		b, err := io.ReadAll(io.LimitReader(r.Body, max+1))
		if err != nil {
			fail(http.StatusBadRequest, "keygentest: reading the upload: "+err.Error())
			return true
		}
		body = b
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.db.dist
	now := s.clock.now()
	l := d.links[tok]
	if l == nil || l.upload != upload || !now.Before(l.expires) {
		fail(http.StatusForbidden, "keygentest: this URL is unknown or has expired")
		return true
	}
	a := d.artifacts[l.artifactID]
	if a == nil || a.Status == "YANKED" {
		fail(http.StatusNotFound, "keygentest: the artifact no longer exists")
		return true
	}
	if !upload {
		b := d.blobs[a.ID]
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.WriteHeader(http.StatusOK)
		if r.Method == http.MethodGet {
			_, _ = w.Write(b)
		}
		return true
	}
	if int64(len(body)) > max || d.blobBytes-int64(len(d.blobs[a.ID]))+int64(len(body)) > max {
		fail(http.StatusRequestEntityTooLarge, fmt.Sprintf("keygentest: artifact storage full: the server stores at most %d bytes of artifacts (WithMaxArtifactBytes); %d are in use", max, d.blobBytes))
		return true
	}
	d.dropBlob(a.ID)
	d.blobs[a.ID] = body
	d.blobBytes += int64(len(body))
	a.Status, a.Updated = "UPLOADED", now
	if a.Filesize == nil {
		n := int64(len(body))
		a.Filesize = &n
	}
	if acct := s.db.accounts[a.AccountID]; acct != nil {
		c := &call{s: s, acct: acct, minor: 8, at: now, r: r, header: http.Header{}}
		c.emit("artifact.upload.succeeded", c.view().artifact(a, ""), nil)
	}
	w.WriteHeader(http.StatusOK)
	return true
}
