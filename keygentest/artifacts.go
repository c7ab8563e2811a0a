package keygentest

import (
	"net/http"
	"strconv"
	"strings"
)

// Artifacts (app/models/release_artifact.rb,
// app/controllers/api/v1/release_artifacts_controller.rb,
// app/policies/release_artifact_policy.rb, app/serializers/release_artifact_serializer.rb).
// The upload and download URLs and the stored bytes are in artifacts_storage.go.

// artifact is a file of a release (app/models/release_artifact.rb).
type artifact struct {
	base
	ReleaseID  string
	Filename   string
	Filetype   *string // lower-cased, without a leading dot
	Filesize   *int64
	PlatformID *string
	ArchID     *string
	Signature  *string
	Checksum   *string
	Status     string // WAITING, UPLOADED, YANKED (PROCESSING and FAILED are never reached)
	Metadata   map[string]any
}

// maxArtifactFilesize is the filesize limit of app/models/release_artifact.rb (5 GB).
const maxArtifactFilesize = 5 * 1024 * 1024 * 1024

// seesArtifactOf: the release is readable, and a license, user or anonymous caller sees only
// UPLOADED artifacts (staff and the product see every status).
func (c *call) seesArtifactOf(p *principal, a *artifact, r *release) bool {
	if r == nil || !c.seesRelease(p, r) {
		return false
	}
	if p != nil && (p.isStaff() || p.product != nil) {
		return true
	}
	return a.Status == "UPLOADED"
}

func (c *call) seesArtifact(p *principal, a *artifact) bool {
	return c.seesArtifactOf(p, a, c.dist().releases[a.ReleaseID])
}

func (v view) artifact(a *artifact, redirect string) *resource {
	d := v.db.dist
	keyOf := func(m map[string]*keyed, id *string) any {
		if id == nil || m[*id] == nil {
			return nil
		}
		return m[*id].Key
	}
	attrs := map[string]any{
		"filename":  a.Filename,
		"filetype":  opt(a.Filetype),
		"filesize":  opt(a.Filesize),
		"platform":  keyOf(d.platforms, a.PlatformID),
		"arch":      keyOf(d.arches, a.ArchID),
		"signature": opt(a.Signature),
		"checksum":  opt(a.Checksum),
		"status":    a.Status,
		"metadata":  v.metadata(a.Metadata),
	}
	res := v.newResource("artifacts", a.ID, stamp(attrs, &a.base))
	rid := a.ReleaseID
	res.Relationships["release"] = toOne(v.path("releases", rid), "releases", &rid)
	res.Links["related"] = v.path("artifacts", a.ID, a.Filename)
	if redirect != "" {
		res.Links["redirect"] = redirect
	}
	return res
}

func (s *Server) routeArtifacts(r *router) {
	r.post("/artifacts", s.createArtifact)
	r.get("/artifacts", s.listArtifacts)
	// The id may be a filename with slashes (id: /.*/); a UUID followed by one segment is
	// the vanity route (config/routes.rb).
	// Update and destroy take such an id too (resources :release_artifacts, constraints:
	// { id: /.*/ }), without the vanity route.
	pattern := "/artifacts"
	for i := 0; i < 8; i++ {
		pattern += "/{p" + strconv.Itoa(i) + "}"
		r.get(pattern, s.showArtifact)
		r.update(pattern, s.updateArtifact)
		r.del(pattern, s.deleteArtifact)
	}
	r.get("/products/{id}/artifacts", s.productArtifacts)
	r.get("/releases/{id}/artifacts/{artifact}", s.showReleaseArtifact)
}

// productArtifacts lists the artifacts of a product's releases.
func (s *Server) productArtifacts(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	prod, err := c.findProduct(p, c.param("id"))
	if err != nil {
		return err
	}
	d := c.dist()
	items := ofAccount(d.artifacts, c.acct.ID, func(a *artifact) bool {
		r := d.releases[a.ReleaseID]
		return r != nil && r.ProductID == prod.ID && c.seesArtifactOf(p, a, r)
	})
	v := c.view()
	return relIndex(c, p, "artifact.read", true, c.artifactFilters(items), func(a *artifact) *resource { return v.artifact(a, "") })
}

func artifactAttrs(create bool) fields {
	f := fields{
		"filesize":  integer().opt().null(),
		"signature": str().opt().null(),
		"checksum":  str().opt().null(),
		"metadata":  metadataParam(),
	}
	if create {
		f["filename"] = str()
		f["filetype"] = str().opt().null()
		f["platform"] = str().opt().null()
		f["arch"] = str().opt().null()
	}
	return f
}

var (
	createArtifactSchema = obj(fields{"data": obj(fields{
		"type":          typeOf("artifact"),
		"attributes":    obj(artifactAttrs(true)),
		"relationships": obj(fields{"release": linkage("release")}),
	})})
	updateArtifactSchema = obj(fields{"data": obj(fields{
		"type":       typeOf("artifact"),
		"id":         str().opt(),
		"attributes": obj(artifactAttrs(false)),
	})})
)

// prefers reports a Prefer preference, from the header or a string ?prefer= parameter
// (ApplicationController#prefers?).
func (c *call) prefers(what string) bool {
	var vals []string
	for _, h := range c.r.Header.Values("Prefer") {
		vals = append(vals, strings.Split(h, ",")...)
	}
	if vs, ok := c.query["prefer"]; ok && len(vs) == 1 {
		vals = append(vals, strings.Split(vs[0], ",")...)
	}
	for _, v := range vals {
		if strings.TrimSpace(lower(v)) == what {
			return true
		}
	}
	return false
}

// applyArtifact copies the sent attributes onto an artifact.
func (c *call) applyArtifact(a *artifact, attrs params) {
	if attrs.has("filesize") {
		a.Filesize = attrs.intPtr("filesize")
	}
	if attrs.has("signature") {
		a.Signature = attrs.strPtr("signature")
	}
	if attrs.has("checksum") {
		a.Checksum = attrs.strPtr("checksum")
	}
	if attrs.has("metadata") {
		a.Metadata = orEmpty(attrs.hash("metadata"))
	}
}

// validateArtifact: a filename of at most 255 characters unique in its release, a filetype
// matching the filename's extension, a filesize within 0..5 GB.
func (c *call) validateArtifact(v *invalid, a *artifact) {
	switch {
	case a.Filename == "":
		v.attr("filename", "MISSING", "can't be blank")
	case len(a.Filename) > 255:
		v.attr("filename", "TOO_LONG", "is too long (maximum is 255 characters)")
	}
	if a.Filetype != nil && strings.Contains(a.Filename, ".") && !strings.HasSuffix(lower(a.Filename), "."+*a.Filetype) {
		v.attr("filename", "EXTENSION_INVALID", "filename extension does not match filetype (expected "+*a.Filetype+")")
	}
	if a.Filesize != nil {
		switch {
		case *a.Filesize < 0:
			v.attr("filesize", "INVALID", "must be greater than or equal to 0")
		case *a.Filesize > maxArtifactFilesize:
			v.attr("filesize", "INVALID", "must be less than or equal to "+strconv.Itoa(maxArtifactFilesize))
		}
	}
	for _, o := range c.dist().artifacts {
		if o.ID != a.ID && o.ReleaseID == a.ReleaseID && o.Filename == a.Filename {
			v.attr("filename", "TAKEN", "already exists")
			break
		}
	}
}

func (s *Server) createArtifact(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	in, err := c.parse(createArtifactSchema)
	if err != nil {
		return err
	}
	d := c.dist()
	attrs := in.obj("data").obj("attributes")
	relID, _ := in.relID("release")
	r := c.db().findRelease(c.acct.ID, relID)
	owner := ""
	if r != nil {
		owner = r.ProductID
	}
	if err := c.authorize(p, "artifact.create", p.canWriteAll() || owner != "" && p.isProduct(owner)); err != nil {
		return err
	}
	now := c.now()
	a := &artifact{base: newBase(c.acct.ID, now), Status: "WAITING", Metadata: map[string]any{}}
	a.Filename, _ = attrs.str("filename")
	if ft := attrs.strPtr("filetype"); ft != nil {
		if t := strings.TrimPrefix(lower(strings.TrimSpace(*ft)), "."); t != "" {
			a.Filetype = &t
		}
	}
	c.applyArtifact(a, attrs)
	v := newInvalid("artifacts")
	if r == nil {
		v.rel("release", "NOT_FOUND", "must exist")
	} else {
		a.ReleaseID = r.ID
	}
	c.validateArtifact(v, a)
	if err := v.err(); err != nil {
		return err
	}
	if pl := attrs.strPtr("platform"); pl != nil && *pl != "" {
		a.PlatformID = &d.keyedFor(d.platforms, c.acct.ID, lower(strings.TrimSpace(*pl)), now).ID
	}
	if ar := attrs.strPtr("arch"); ar != nil && *ar != "" {
		a.ArchID = &d.keyedFor(d.arches, c.acct.ID, lower(strings.TrimSpace(*ar)), now).ID
	}
	d.artifacts[a.ID] = a
	upload := c.blobURL(a, true, blobURLTTL)
	c.emit("artifact.created", c.view().artifact(a, ""), nil)
	res := c.view().artifact(a, upload)
	c.header.Set("Location", upload)
	if c.prefers("no-redirect") {
		return c.json(http.StatusOK, document{Data: res})
	}
	return c.json(http.StatusTemporaryRedirect, document{Data: res})
}

// artifactPathID is the artifact id of a show path: the id of the vanity route
// (/artifacts/{uuid}/{filename}), else every segment, a filename that may hold slashes.
func (c *call) artifactPathID() string {
	segs := c.artifactSegments()
	if len(segs) == 2 && isUUID(segs[0]) {
		return segs[0]
	}
	return strings.Join(segs, "/")
}

// artifactFullPathID is the artifact id of an update or destroy path (no vanity route):
// every segment.
func (c *call) artifactFullPathID() string { return strings.Join(c.artifactSegments(), "/") }

// artifactSegments are the path segments after /artifacts/ ({p0}, {p1}, …).
func (c *call) artifactSegments() []string {
	var segs []string
	for i := 0; ; i++ {
		s, ok := c.vars["p"+strconv.Itoa(i)]
		if !ok {
			return segs
		}
		segs = append(segs, s)
	}
}

// findArtifactFor resolves an artifact by id or filename among the readable artifacts that
// pass the list filters (set_artifact: FindByAliasService over the scoped artifacts, the
// highest version first), so ?release= or ?channel= pick among same-named artifacts.
func (c *call) findArtifactFor(p *principal, id string) (*artifact, error) {
	d := c.dist()
	notFound := errNotFound("release artifact", id)
	items := c.artifactFilters(ofAccount(d.artifacts, c.acct.ID, func(a *artifact) bool { return c.seesArtifact(p, a) }))
	for _, a := range items {
		if a.ID == id || a.ID == lower(id) {
			return a, nil
		}
	}
	var best *artifact
	for _, a := range items {
		if a.Filename != id {
			continue
		}
		if best == nil || compareSemver(d.releases[a.ReleaseID].Semver, d.releases[best.ReleaseID].Semver) > 0 {
			best = a
		}
	}
	if best == nil {
		return nil, notFound
	}
	return best, nil
}

// artifactFilters applies ReleaseArtifactsController#index's scopes.
func (c *call) artifactFilters(items []*artifact) []*artifact {
	db := c.db()
	d := db.dist
	q := c.query
	rel := func(a *artifact) *release { return d.releases[a.ReleaseID] }
	// ReleaseArtifact.for_release: a UUID is the release's id; any other term matches every
	// release with that version or tag, of any product (app/models/release_artifact.rb).
	if v := q.Get("release"); v != "" {
		items = keepIf(items, func(a *artifact) bool {
			r := rel(a)
			if isUUID(v) {
				return r.ID == lower(v)
			}
			return r.Version == v || r.Tag != nil && *r.Tag == v
		})
	}
	if v := q.Get("product"); v != "" {
		prod := db.findProduct(c.acct.ID, v)
		items = keepIf(items, func(a *artifact) bool { return prod != nil && rel(a).ProductID == prod.ID })
	}
	// package, engine, filetype, platform and arch allow blanks: those without one.
	if q.Has("package") {
		v := q.Get("package")
		pkg := c.findPackageIn(v)
		items = keepIf(items, func(a *artifact) bool {
			if v == "" {
				return rel(a).PackageID == nil
			}
			return pkg != nil && deref2(rel(a).PackageID) == pkg.ID
		})
	}
	if q.Has("engine") {
		v := lower(q.Get("engine"))
		items = keepIf(items, func(a *artifact) bool { return d.releaseEngine(rel(a)) == v })
	}
	if v := q.Get("channel"); v != "" {
		chans := widenChannel(lower(v))
		items = keepIf(items, func(a *artifact) bool { return contains(chans, db.releaseChannel(rel(a))) })
	}
	if v := q.Get("status"); v != "" {
		items = keepIf(items, func(a *artifact) bool { return a.Status == strings.ToUpper(v) })
	}
	keyIs := func(m map[string]*keyed, id *string, want string) bool {
		if want == "" {
			return id == nil
		}
		return id != nil && m[*id] != nil && m[*id].Key == lower(want)
	}
	if q.Has("platform") {
		v := q.Get("platform")
		items = keepIf(items, func(a *artifact) bool { return keyIs(d.platforms, a.PlatformID, v) })
	}
	if q.Has("arch") {
		v := q.Get("arch")
		items = keepIf(items, func(a *artifact) bool { return keyIs(d.arches, a.ArchID, v) })
	}
	if q.Has("filetype") {
		v := strings.TrimPrefix(lower(q.Get("filetype")), ".")
		items = keepIf(items, func(a *artifact) bool { return deref2(a.Filetype) == v })
	}
	return items
}

func (s *Server) listArtifacts(c *call) error {
	p, err := c.authenticate()
	if err != nil {
		return err
	}
	items := ofAccount(c.dist().artifacts, c.acct.ID, func(a *artifact) bool { return c.seesArtifact(p, a) })
	items = c.artifactFilters(items)
	if _, err := c.pager(); err != nil {
		return err
	}
	if err := c.verifyRead(p, "artifact.read"); err != nil {
		return err
	}
	v := c.view()
	return paginate(c, items, true, func(a *artifact) *resource { return v.artifact(a, "") })
}

// listReleaseArtifacts lists a release's artifacts (GET /releases/{id}/artifacts).
func (s *Server) listReleaseArtifacts(c *call) error {
	p, err := c.authenticate()
	if err != nil {
		return err
	}
	r, err := c.findReleaseFor(p, c.param("id"))
	if err != nil {
		return err
	}
	items := ofAccount(c.dist().artifacts, c.acct.ID, func(a *artifact) bool { return a.ReleaseID == r.ID && c.seesArtifactOf(p, a, r) })
	items = c.artifactFilters(items)
	if _, err := c.pager(); err != nil {
		return err
	}
	if err := c.verifyRead(p, "artifact.read"); err != nil {
		return err
	}
	v := c.view()
	return paginate(c, items, true, func(a *artifact) *resource { return v.artifact(a, "") })
}

// showArtifact is the download action: an UPLOADED artifact of a release that is not yanked
// answers 303 to a short-lived download URL (200 naming it with Prefer: no-redirect, 200
// without it with Prefer: no-download); any other artifact answers 200 with its document.
func (s *Server) showArtifact(c *call) error {
	p, err := c.authenticate()
	if err != nil {
		return err
	}
	a, err := c.findArtifactFor(p, c.artifactPathID())
	if err != nil {
		return err
	}
	return c.downloadArtifact(p, a)
}

// showReleaseArtifact is the download action under a release
// (app/controllers/api/v1/releases/relationships/release_artifacts_controller.rb#show).
func (s *Server) showReleaseArtifact(c *call) error {
	p, err := c.authenticate()
	if err != nil {
		return err
	}
	r, err := c.findReleaseFor(p, c.param("id"))
	if err != nil {
		return err
	}
	id := c.param("artifact")
	d := c.dist()
	items := c.artifactFilters(ofAccount(d.artifacts, c.acct.ID, func(a *artifact) bool { return a.ReleaseID == r.ID && c.seesArtifactOf(p, a, r) }))
	for _, a := range items {
		if a.ID == lower(id) || a.Filename == id {
			return c.downloadArtifact(p, a)
		}
	}
	return errNotFound("release artifact", id)
}

// downloadArtifact answers a readable artifact: 303 to a download URL when downloadable.
func (c *call) downloadArtifact(p *principal, a *artifact) error {
	if err := c.verifyRead(p, "artifact.read"); err != nil {
		return err
	}
	r := c.dist().releases[a.ReleaseID]
	if err := c.verifyReleases(p, r); err != nil {
		return err
	}
	if a.Status != "UPLOADED" || r.Status == "YANKED" || c.prefers("no-download") {
		return c.ok(c.view().artifact(a, ""))
	}
	if p != nil {
		if err := c.verifyPermission(p, "release.download"); err != nil {
			return err
		}
	}
	download := c.blobURL(a, false, c.downloadTTL(p))
	res := c.view().artifact(a, download)
	c.header.Set("Location", download)
	// Both events carry the artifact (BroadcastEventService with resource: artifact).
	c.emit("artifact.downloaded", res, nil)
	c.emit("release.downloaded", res, nil)
	if c.prefers("no-redirect") {
		return c.json(http.StatusOK, document{Data: res})
	}
	return c.json(http.StatusSeeOther, document{Data: res})
}

func (s *Server) updateArtifact(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	a, err := c.findArtifactFor(p, c.artifactFullPathID())
	if err != nil {
		return err
	}
	in, err := c.parse(updateArtifactSchema)
	if err != nil {
		return err
	}
	if err := c.authorize(p, "artifact.update", p.canWriteAll() || p.isProduct(c.dist().releases[a.ReleaseID].ProductID)); err != nil {
		return err
	}
	next := *a
	c.applyArtifact(&next, in.obj("data").obj("attributes"))
	v := newInvalid("artifacts")
	c.validateArtifact(v, &next)
	if err := v.err(); err != nil {
		return err
	}
	next.Updated = c.now()
	*a = next
	res := c.view().artifact(a, "")
	c.emit("artifact.updated", res, nil)
	return c.ok(res)
}

// deleteArtifact yanks the artifact: ReleaseArtifact#yank! marks it YANKED in the request,
// the status the artifact.deleted event carries, and queues YankArtifactWorker, which later
// deletes the file and destroys the record (app/controllers/api/v1/release_artifacts_controller.rb
// #destroy, app/models/release_artifact.rb, app/workers/yank_artifact_worker.rb). keygentest
// answers as the server does right after the request: the record reads YANKED and its file
// is gone (no download). The features, whose test setup counts the records after the job,
// see one artifact fewer; the API sees the yanked one until the worker has run.
func (s *Server) deleteArtifact(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	a, err := c.findArtifactFor(p, c.artifactFullPathID())
	if err != nil {
		return err
	}
	if err := c.authorize(p, "artifact.delete", p.canWriteAll() || p.isProduct(c.dist().releases[a.ReleaseID].ProductID)); err != nil {
		return err
	}
	a.Status, a.Updated = "YANKED", c.now()
	c.emit("artifact.deleted", c.view().artifact(a, ""), nil)
	c.dist().dropBlob(a.ID)
	return c.noContent()
}
