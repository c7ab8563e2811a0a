package keygentest

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Releases (app/models/release.rb, app/controllers/api/v1/releases_controller.rb,
// app/policies/release_policy.rb, app/serializers/release_serializer.rb). Publishing,
// yanking, upgrades and constraints are in releases_actions.go; packages in packages.go;
// channels, platforms and arches in channels.go; artifacts in artifacts.go.

// distStore holds the distribution resources of every account (releases, packages,
// channels, platforms, arches, artifacts and the stored artifact bytes).
type distStore struct {
	releases  map[string]*release
	packages  map[string]*releasePackage
	channels  map[string]*keyed
	platforms map[string]*keyed
	arches    map[string]*keyed
	artifacts map[string]*artifact
	// blobs are the uploaded bytes by artifact id; blobBytes their total size.
	blobs     map[string][]byte
	blobBytes int64
	// links are the live upload and download URLs by token (artifacts_storage.go).
	links map[string]*blobLink
}

func newDistStore() *distStore {
	return &distStore{
		releases:  map[string]*release{},
		packages:  map[string]*releasePackage{},
		channels:  map[string]*keyed{},
		platforms: map[string]*keyed{},
		arches:    map[string]*keyed{},
		artifacts: map[string]*artifact{},
		blobs:     map[string][]byte{},
		links:     map[string]*blobLink{},
	}
}

// dropProduct removes a deleted product's releases, packages and artifacts with their files.
func (d *distStore) dropProduct(productID string) {
	for _, r := range d.releases {
		if r.ProductID != productID {
			continue
		}
		for _, a := range d.artifacts {
			if a.ReleaseID == r.ID {
				d.dropBlob(a.ID)
				delete(d.artifacts, a.ID)
			}
		}
		delete(d.releases, r.ID)
	}
	for _, p := range d.packages {
		if p.ProductID == productID {
			delete(d.packages, p.ID)
		}
	}
}

// release is a release of a product (app/models/release.rb).
type release struct {
	base
	ProductID   string
	PackageID   *string
	ChannelID   string
	Status      string // DRAFT, PUBLISHED or YANKED
	Version     string
	Semver      semver
	Tag         *string
	Name        *string
	Description *string
	Backdated   *time.Time
	Yanked      *time.Time
	Metadata    map[string]any
	// Constraints are the entitlement constraints (app/models/release_entitlement_constraint.rb).
	Constraints []*constraint
}

// semver is a parsed semantic version (lib/semverse, as Release#semver).
type semver struct {
	Major, Minor, Patch int64
	Pre, Build          string
}

var semverRE = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$`)

// parseSemver parses a strict semantic version (no "v" prefix).
func parseSemver(s string) (semver, bool) {
	m := semverRE.FindStringSubmatch(s)
	if m == nil {
		return semver{}, false
	}
	var v semver
	var err error
	for i, dst := range []*int64{&v.Major, &v.Minor, &v.Patch} {
		if *dst, err = strconv.ParseInt(m[i+1], 10, 64); err != nil {
			return semver{}, false
		}
	}
	v.Pre, v.Build = m[4], m[5]
	return v, true
}

// compareSemver orders versions by semver precedence (build metadata ignored).
func compareSemver(a, b semver) int {
	for _, d := range [][2]int64{{a.Major, b.Major}, {a.Minor, b.Minor}, {a.Patch, b.Patch}} {
		if d[0] != d[1] {
			if d[0] < d[1] {
				return -1
			}
			return 1
		}
	}
	switch {
	case a.Pre == b.Pre:
		return 0
	case a.Pre == "":
		return 1
	case b.Pre == "":
		return -1
	}
	ap, bp := strings.Split(a.Pre, "."), strings.Split(b.Pre, ".")
	for i := 0; i < len(ap) && i < len(bp); i++ {
		an, aerr := strconv.ParseUint(ap[i], 10, 64)
		bn, berr := strconv.ParseUint(bp[i], 10, 64)
		switch {
		case aerr == nil && berr == nil:
			if an != bn {
				if an < bn {
					return -1
				}
				return 1
			}
		case aerr == nil:
			return -1
		case berr == nil:
			return 1
		case ap[i] != bp[i]:
			if ap[i] < bp[i] {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(ap) < len(bp):
		return -1
	case len(ap) > len(bp):
		return 1
	}
	return 0
}

// releaseChannels are the channel keys (ReleaseChannel::CHANNELS), from most to least stable.
var releaseChannels = []string{"stable", "rc", "beta", "alpha", "dev"}

// widenChannel is the channel filter of app/models/release.rb (for_channel): a channel
// includes the more stable ones, except dev which is only itself.
func widenChannel(key string) []string {
	if key == "dev" {
		return []string{"dev"}
	}
	for i, k := range releaseChannels {
		if k == key {
			return releaseChannels[:i+1]
		}
	}
	return []string{key}
}

// releaseEngine is the engine key of a release's package, or "".
func (d *distStore) releaseEngine(r *release) string {
	if pkg := d.packages[deref2(r.PackageID)]; pkg != nil {
		return deref2(pkg.Engine)
	}
	return ""
}

func (db *store) releaseChannel(r *release) string {
	if ch := db.dist.channels[r.ChannelID]; ch != nil {
		return ch.Key
	}
	return ""
}

// findRelease resolves a release by id, version or tag (Release's FindByAliasService
// aliases: version, tag), newest first.
func (db *store) findRelease(acct, id string) *release {
	if r := db.dist.releases[id]; r != nil && r.AccountID == acct {
		return r
	}
	for _, r := range ofAccount(db.dist.releases, acct, nil) {
		if r.Version == id || r.Tag != nil && *r.Tag == id {
			return r
		}
	}
	return nil
}

// seesRelease is Release.for_bearer plus ReleasePolicy#show? (app/policies/release_policy.rb,
// app/policies/application_policy.rb verify_license_for_release!): staff all, a product its
// own, anyone the PUBLISHED releases of OPEN products without constraints, and a license (or
// a user through any of their licenses) the PUBLISHED releases it is entitled to.
func (c *call) seesRelease(p *principal, r *release) bool {
	db := c.db()
	switch {
	case p != nil && p.isStaff():
		return true
	case p != nil && p.product != nil:
		return p.isProduct(r.ProductID)
	case r.Status != "PUBLISHED":
		return false
	}
	prod := db.products[r.ProductID]
	if prod == nil {
		return false
	}
	if productIs(prod, "OPEN") && len(r.Constraints) == 0 {
		return true
	}
	switch {
	case p == nil:
		return false
	case p.license != nil:
		return c.licenseReaches(p.license, prod, r)
	case p.user != nil:
		for _, l := range db.licensesOfUser(p.user) {
			if c.licenseReaches(l, prod, r) {
				return true
			}
		}
	}
	return false
}

// licenseReaches is Release.for_license: a license of the release's OPEN or LICENSED product,
// holding every constraining entitlement, within its expiration strategy's window
// (Release.within_expiry_for: created or backdated at or before the expiry). Suspended and banned
// licenses still reach releases; the policy then refuses them (releaseDenial).
func (c *call) licenseReaches(l *license, prod *product, r *release) bool {
	if productIs(prod, "CLOSED") || c.licenseProductID(l) != prod.ID {
		return false
	}
	for _, k := range r.Constraints {
		if !c.licenseHoldsEntitlement(l, k.EntitlementID) {
			return false
		}
	}
	if l.Expiry == nil {
		return true
	}
	strategy := "RESTRICT_ACCESS"
	if pol := c.licensePolicy(l); pol != nil && pol.ExpirationStrategy != "" {
		strategy = pol.ExpirationStrategy
	}
	switch strategy {
	case "ALLOW_ACCESS":
		return true
	case "REVOKE_ACCESS":
		return !c.licenseExpired(l)
	}
	// where(created_at: ..expiry).or(where(backdated_to: ..expiry)): an endless range up to
	// and including the expiry (app/models/release.rb within_expiry_for).
	return !r.Created.After(*l.Expiry) || r.Backdated != nil && !r.Backdated.After(*l.Expiry)
}

// releaseDenial is ApplicationPolicy#verify_license_for_release!: why a license that reaches
// a release may still not read it, or "" when it may.
func (c *call) releaseDenial(l *license, r *release) string {
	pol := c.licensePolicy(l)
	strategy := "RESTRICT_ACCESS"
	if pol != nil && pol.ExpirationStrategy != "" {
		strategy = pol.ExpirationStrategy
	}
	at := r.Created
	if r.Backdated != nil {
		at = *r.Backdated
	}
	switch {
	case l.Suspended:
		return "license is suspended"
	case c.licenseBanned(l):
		return "license is banned"
	case strategy == "REVOKE_ACCESS" && c.licenseExpired(l):
		return "license is expired"
	case l.Expiry != nil && strategy != "ALLOW_ACCESS" && at.After(*l.Expiry):
		return "license expiry falls outside of access window"
	}
	for _, k := range r.Constraints {
		if !c.licenseHoldsEntitlement(l, k.EntitlementID) {
			return "license is missing entitlements"
		}
	}
	return ""
}

// verifyReleases is the license checks of ReleasePolicy#index? and #show? over readable
// releases: a license must pass verify_license_for_release! for every release that is not
// OPEN and unconstrained, a user through any one of their licenses of its product (else the
// last license's reason), each a 403.
func (c *call) verifyReleases(p *principal, rs ...*release) error {
	if p == nil || p.license == nil && !p.isRoleUser() {
		return nil
	}
	db := c.db()
	for _, r := range rs {
		prod := db.products[r.ProductID]
		if prod == nil || productIs(prod, "OPEN") && len(r.Constraints) == 0 {
			continue
		}
		if productIs(prod, "CLOSED") {
			return errForbidden("release distribution strategy is closed")
		}
		if p.license != nil {
			if why := c.releaseDenial(p.license, r); why != "" {
				return errForbidden(why)
			}
			continue
		}
		why := ""
		for _, l := range db.licensesOfUser(p.user) {
			if c.licenseProductID(l) != prod.ID {
				continue
			}
			if why = c.releaseDenial(l, r); why == "" {
				break
			}
		}
		if why != "" {
			return errForbidden(why)
		}
	}
	return nil
}

// findReleaseFor resolves a release by id, version or tag among those the bearer may read
// (authorized_scope), else 404.
func (c *call) findReleaseFor(p *principal, id string) (*release, error) {
	return c.findScopedRelease(p, id, nil)
}

// findScopedRelease resolves a release by id, version or tag among those the bearer may read
// and scope keeps (the controller's has_scope filters, when it applies them), the oldest
// first: FindByAliasService orders the matches by created_at ASC, so a version two products
// share names the older release the bearer may read (app/services/find_by_alias_service.rb,
// ReleasesController#set_release).
func (c *call) findScopedRelease(p *principal, id string, scope func([]*release) ([]*release, error)) (*release, error) {
	items := ofAccount(c.dist().releases, c.acct.ID, func(r *release) bool { return c.seesRelease(p, r) })
	if scope != nil {
		var err error
		if items, err = scope(items); err != nil {
			return nil, err
		}
	}
	for i := len(items) - 1; i >= 0; i-- {
		if r := items[i]; id != "" && (r.ID == id || r.Version == id || r.Tag != nil && *r.Tag == id) {
			return r, nil
		}
	}
	return nil, errNotFound("release", id)
}

// writesRelease is ReleasePolicy's mutation rule: admin, developer, environment and the
// release's product; the permission first.
func (c *call) writesRelease(p *principal, action, productID string) error {
	return c.authorize(p, action, p.canWriteAll() || p.isProduct(productID))
}

// verifyRead checks a read permission for a bearer (anonymous callers have none to check).
func (c *call) verifyRead(p *principal, action string) error {
	if p == nil {
		return nil
	}
	return c.verifyPermission(p, action)
}

func (v view) release(r *release) *resource {
	sv := map[string]any{"major": r.Semver.Major, "minor": r.Semver.Minor, "patch": r.Semver.Patch, "prerelease": nil, "build": nil}
	if r.Semver.Pre != "" {
		sv["prerelease"] = r.Semver.Pre
	}
	if r.Semver.Build != "" {
		sv["build"] = r.Semver.Build
	}
	attrs := map[string]any{
		"name":        opt(r.Name),
		"description": opt(r.Description),
		"channel":     v.db.releaseChannel(r),
		"status":      r.Status,
		"tag":         opt(r.Tag),
		"version":     r.Version,
		"semver":      sv,
		"metadata":    v.metadata(r.Metadata),
		"backdated":   optTime(r.Backdated),
		"yanked":      optTime(r.Yanked),
	}
	res := v.newResource("releases", r.ID, stamp(attrs, &r.base))
	prodID := r.ProductID
	res.Relationships["product"] = toOne(v.path("releases", r.ID, "product"), "products", &prodID)
	res.Relationships["package"] = toOne(v.path("releases", r.ID, "package"), "packages", r.PackageID)
	for _, rel := range []string{"entitlements", "constraints", "artifacts", "upgrade"} {
		res.Relationships[rel] = toMany(v.path("releases", r.ID, rel), nil)
	}
	return res
}

func (s *Server) routeReleases(r *router) {
	r.post("/releases", s.createRelease)
	r.get("/releases", s.listReleases)
	r.get("/releases/{id}", s.showRelease)
	r.update("/releases/{id}", s.updateRelease)
	r.del("/releases/{id}", s.deleteRelease)
	r.get("/releases/{id}/product", s.releaseProduct)
	r.get("/releases/{id}/package", s.releasePackage)
	r.put("/releases/{id}/package", s.changeReleasePackage)
	r.post("/releases/{id}/actions/publish", s.releaseAction("publish"))
	r.post("/releases/{id}/actions/yank", s.releaseAction("yank"))
	r.get("/releases/{id}/upgrade", s.upgradeRelease)
	r.get("/releases/{id}/constraints", s.listReleaseConstraints)
	r.get("/releases/{id}/constraints/{constraint}", s.showReleaseConstraint)
	r.post("/releases/{id}/constraints", s.changeReleaseConstraints(true))
	r.del("/releases/{id}/constraints", s.changeReleaseConstraints(false))
	r.get("/releases/{id}/entitlements", s.listReleaseEntitlements)
	r.get("/releases/{id}/entitlements/{entitlement}", s.showReleaseEntitlement)
	r.get("/releases/{id}/artifacts", s.listReleaseArtifacts)
	r.get("/products/{id}/releases", s.productReleases)
}

func releaseAttrs(create bool) fields {
	f := fields{
		"name":        str().opt().null(),
		"description": str().opt().null(),
		"tag":         str().opt().null(),
		"backdated":   timeParam().opt().null(),
		"metadata":    metadataParam(),
	}
	if create {
		f["version"] = str()
		f["channel"] = str().in(releaseChannels...)
		f["status"] = str().opt().in("DRAFT", "PUBLISHED")
	}
	return f
}

var constraintsParam = obj(fields{"data": arrayOf(obj(fields{
	"type": typeOf("constraint"),
	"relationships": obj(fields{"entitlement": obj(fields{"data": obj(fields{
		"type": typeOf("entitlement"), "id": uuidParam(),
	})})}),
}))})

var (
	createReleaseSchema = obj(fields{"data": obj(fields{
		"type":       typeOf("release"),
		"attributes": obj(releaseAttrs(true)),
		"relationships": obj(fields{
			"product":     linkage("product"),
			"package":     obj(fields{"data": obj(fields{"type": typeOf("package"), "id": uuidParam()}).null()}).opt(),
			"constraints": constraintsParam.opt(),
		}),
	})})
	updateReleaseSchema = obj(fields{"data": obj(fields{
		"type":       typeOf("release"),
		"id":         str().opt(),
		"attributes": obj(releaseAttrs(false)),
	})})
)

// channelFor returns the account's channel of a key, making it on first use
// (Release#channel_attributes= find-or-create).
func (c *call) channelFor(key string) *keyed {
	return c.db().dist.keyedFor(c.dist().channels, c.acct.ID, key, c.now())
}

func (c *call) dist() *distStore { return c.db().dist }

func (s *Server) createRelease(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	in, err := c.parse(createReleaseSchema)
	if err != nil {
		return err
	}
	db := c.db()
	data := in.obj("data")
	a := data.obj("attributes")
	prodID, _ := in.relID("product")
	prod := db.findProduct(c.acct.ID, prodID)
	if prod != nil && !c.seesProduct(p, prod) {
		prod = nil
	}
	owner := prodID
	if prod != nil {
		owner = prod.ID
	}
	if err := c.writesRelease(p, "release.create", owner); err != nil {
		return err
	}
	now := c.now()
	r := &release{base: newBase(c.acct.ID, now), Status: "DRAFT", Metadata: map[string]any{}}
	r.Version, _ = a.str("version")
	if st, ok := a.str("status"); ok {
		r.Status = st
	}
	c.applyRelease(r, a)
	chKey, _ := a.str("channel")
	v := newInvalid("releases")
	if prod == nil {
		v.rel("product", "NOT_FOUND", "must exist")
	} else {
		r.ProductID = prod.ID
	}
	if data.obj("relationships").has("package") {
		if pkgID, ok := in.relID("package"); ok {
			pkg := c.findPackageIn(pkgID)
			switch {
			case pkg == nil:
				v.rel("package", "NOT_FOUND", "must exist")
			case prod != nil && pkg.ProductID != prod.ID:
				v.rel("package", "NOT_ALLOWED", "package product must match release product")
			default:
				r.PackageID = &pkg.ID
			}
		}
	}
	// Nested constraints: each entitlement must exist and appear once.
	ids := constraintIDs(data.obj("relationships").obj("constraints"))
	for i, id := range ids {
		ptr := pointer(fmt.Sprintf("/data/relationships/constraints/data/%d/relationships/entitlement", i))
		switch {
		case countOf(ids, id) > 1:
			v.errors = append(v.errors, errObject{Title: titles[422], Detail: "is duplicated", Code: "CONSTRAINTS_ENTITLEMENT_CONFLICT", Source: ptr})
		case !c.entitlementExists(id):
			v.errors = append(v.errors, errObject{Title: titles[422], Detail: "must exist", Code: "CONSTRAINTS_ENTITLEMENT_NOT_FOUND", Source: ptr})
		default:
			r.Constraints = append(r.Constraints, &constraint{base: newBase(c.acct.ID, now), ReleaseID: r.ID, EntitlementID: id})
		}
	}
	c.validateRelease(v, r, chKey, true)
	if err := v.err(); err != nil {
		return err
	}
	r.ChannelID = c.channelFor(chKey).ID
	db.dist.releases[r.ID] = r
	res := c.view().release(r)
	c.emit("release.created", res, nil)
	return c.created(res)
}

// constraintIDs lists the entitlement ids of a constraints linkage, in order.
func constraintIDs(rel params) []string {
	items, _ := rel["data"].([]any)
	out := make([]string, 0, len(items))
	for _, x := range items {
		con, _ := x.(params)
		id, _ := con.obj("relationships").obj("entitlement").obj("data").str("id")
		out = append(out, id)
	}
	return out
}

// applyRelease copies the updatable attributes onto a release.
func (c *call) applyRelease(r *release, a params) {
	if a.has("name") {
		r.Name = a.strPtr("name")
	}
	if a.has("description") {
		r.Description = a.strPtr("description")
	}
	if a.has("tag") {
		r.Tag = a.strPtr("tag")
	}
	if a.has("backdated") {
		r.Backdated = a.timePtr("backdated")
	}
	if a.has("metadata") {
		r.Metadata = orEmpty(a.hash("metadata"))
	}
}

// validateRelease applies app/models/release.rb's validations: a semver version unique per
// product and package, matching its channel, a unique tag, a past backdate.
func (c *call) validateRelease(v *invalid, r *release, chKey string, create bool) {
	db := c.db()
	if create {
		sv, ok := parseSemver(r.Version)
		switch {
		case r.Version == "":
			v.attr("version", "MISSING", "can't be blank")
		case !ok:
			v.attr("version", "INVALID", "must be a valid version")
		default:
			r.Semver = sv
			switch {
			case chKey == "stable" && sv.Pre != "":
				v.attr("version", "CHANNEL_INVALID", fmt.Sprintf("version does not match stable channel (expected x.y.z got %s)", r.Version))
			case chKey != "stable" && !strings.HasPrefix(sv.Pre, chKey):
				v.attr("version", "CHANNEL_INVALID", fmt.Sprintf("version does not match prerelease channel (expected x.y.z-%s.n got %s)", chKey, r.Version))
			}
		}
	}
	for _, o := range db.dist.releases {
		if o.AccountID != r.AccountID || o.ID == r.ID || o.ProductID != r.ProductID || deref2(o.PackageID) != deref2(r.PackageID) {
			continue
		}
		if create && o.Version == r.Version {
			v.attr("version", "TAKEN", "version already exists")
		}
		if r.Tag != nil && o.Tag != nil && *o.Tag == *r.Tag {
			v.attr("tag", "TAKEN", "tag already exists")
		}
	}
	if r.Tag != nil && (*r.Tag == "" || isUUID(*r.Tag)) {
		v.attr("tag", "INVALID", "is invalid")
	}
	if r.Backdated != nil && r.Backdated.After(c.now()) {
		v.attr("backdated", "INVALID", "must be in the past")
	}
}

// releaseOwnerFilters applies the product and package scopes (blank package: releases
// without one), the has_scope filters ReleasesController and UpgradesController share.
func (c *call) releaseOwnerFilters(items []*release) ([]*release, error) {
	q := c.query
	if v := q.Get("product"); v != "" {
		prod := c.db().findProduct(c.acct.ID, v)
		items = keepIf(items, func(r *release) bool { return prod != nil && r.ProductID == prod.ID })
	}
	if q.Has("package") {
		v := q.Get("package")
		pkg := c.findPackageIn(v)
		items = keepIf(items, func(r *release) bool {
			if v == "" {
				return r.PackageID == nil
			}
			return pkg != nil && deref2(r.PackageID) == pkg.ID
		})
	}
	return items, nil
}

// releaseFilters applies the list filters of ReleasesController#index (has_scope): product,
// package, engine, channel (widened), status, entitlements/constraints, yanked.
func (c *call) releaseFilters(items []*release) ([]*release, error) {
	items, _ = c.releaseOwnerFilters(items)
	db := c.db()
	q := c.query
	if q.Has("engine") { // blank: releases without an engine
		v := lower(q.Get("engine"))
		items = keepIf(items, func(r *release) bool { return db.dist.releaseEngine(r) == v })
	}
	if v := q.Get("channel"); v != "" {
		chans := widenChannel(lower(v))
		items = keepIf(items, func(r *release) bool { return contains(chans, db.releaseChannel(r)) })
	}
	if v := q.Get("status"); v != "" {
		items = keepIf(items, func(r *release) bool { return r.Status == strings.ToUpper(v) })
	}
	// entitlements[] and constraints[] are Release.within_constraints(codes, strict: true):
	// releases whose every constraint is an entitlement with one of the codes, and releases
	// without constraints (app/models/release.rb, ReleasesController has_scope type: :array).
	for _, key := range []string{"entitlements[]", "constraints[]"} {
		codes, ok := q[key]
		if !ok {
			continue
		}
		items = keepIf(items, func(r *release) bool {
			for _, k := range r.Constraints {
				e := db.findEntitlement(c.acct.ID, k.EntitlementID)
				if e == nil || e.ID != k.EntitlementID || e.Code == "" || !contains(codes, e.Code) {
					return false
				}
			}
			return true
		})
	}
	if q.Has("yanked") { // a boolean scope: blank or false keeps the unyanked
		want, _ := queryBool(q.Get("yanked"))
		items = keepIf(items, func(r *release) bool { return (r.Status == "YANKED") == want })
	}
	return items, nil
}

func (s *Server) listReleases(c *call) error {
	p, err := c.authenticate()
	if err != nil {
		return err
	}
	items := ofAccount(c.dist().releases, c.acct.ID, func(r *release) bool { return c.seesRelease(p, r) })
	if items, err = c.releaseFilters(items); err != nil {
		return err
	}
	if _, err := c.pager(); err != nil {
		return err
	}
	if err := c.verifyRead(p, "release.read"); err != nil {
		return err
	}
	if err := c.verifyReleases(p, items...); err != nil {
		return err
	}
	return paginate(c, items, true, c.view().release)
}

func (s *Server) productReleases(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	prod, err := c.findProduct(p, c.param("id"))
	if err != nil {
		return err
	}
	items := ofAccount(c.dist().releases, c.acct.ID, func(r *release) bool { return r.ProductID == prod.ID && c.seesRelease(p, r) })
	return relIndex(c, p, "release.read", true, items, c.view().release)
}

func (s *Server) showRelease(c *call) error {
	p, err := c.authenticate()
	if err != nil {
		return err
	}
	r, err := c.findScopedRelease(p, c.param("id"), c.releaseFilters)
	if err != nil {
		return err
	}
	if err := c.verifyRead(p, "release.read"); err != nil {
		return err
	}
	if err := c.verifyReleases(p, r); err != nil {
		return err
	}
	return c.ok(c.view().release(r))
}

func (s *Server) releaseProduct(c *call) error {
	p, err := c.authenticate()
	if err != nil {
		return err
	}
	r, err := c.findReleaseFor(p, c.param("id"))
	if err != nil {
		return err
	}
	if err := c.verifyRead(p, "product.read"); err != nil {
		return err
	}
	return c.ok(c.view().product(c.db().products[r.ProductID]))
}

func (s *Server) releasePackage(c *call) error {
	p, err := c.authenticate()
	if err != nil {
		return err
	}
	r, err := c.findReleaseFor(p, c.param("id"))
	if err != nil {
		return err
	}
	if err := c.verifyRead(p, "package.read"); err != nil {
		return err
	}
	if pkg := c.dist().packages[deref2(r.PackageID)]; pkg != nil {
		return c.ok(c.view().pkg(pkg))
	}
	return c.ok(nil)
}

var releasePackageSchema = obj(fields{"data": obj(fields{"type": typeOf("package"), "id": uuidParam()}).null()})

// changeReleasePackage moves a release to a package of its product, or out of any with null
// (app/controllers/api/v1/releases/relationships/release_packages_controller.rb#update,
// app/policies/releases/release_package_policy.rb).
func (s *Server) changeReleasePackage(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	r, err := c.findReleaseFor(p, c.param("id"))
	if err != nil {
		return err
	}
	in, err := c.parse(releasePackageSchema)
	if err != nil {
		return err
	}
	var pkg *releasePackage
	if id, ok := in.obj("data").str("id"); ok {
		if pkg = c.dist().packages[id]; pkg != nil && pkg.AccountID != c.acct.ID {
			pkg = nil
		}
	}
	allowed := p.canWriteAll() || p.isProduct(r.ProductID) && pkg != nil && pkg.ProductID == r.ProductID
	if err := c.authorize(p, "release.package.update", allowed); err != nil {
		return err
	}
	if pkg != nil && pkg.ProductID != r.ProductID {
		return newInvalid("releases").rel("package", "NOT_ALLOWED", "package product must match release product").err()
	}
	r.PackageID, r.Updated = nil, c.now()
	if pkg != nil {
		r.PackageID = &pkg.ID
	}
	c.emit("release.package.updated", c.view().release(r), nil)
	if pkg == nil {
		return c.ok(nil)
	}
	return c.ok(c.view().pkg(pkg))
}

func (s *Server) updateRelease(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	r, err := c.findScopedRelease(p, c.param("id"), c.releaseFilters)
	if err != nil {
		return err
	}
	in, err := c.parse(updateReleaseSchema)
	if err != nil {
		return err
	}
	if err := c.writesRelease(p, "release.update", r.ProductID); err != nil {
		return err
	}
	next := *r
	c.applyRelease(&next, in.obj("data").obj("attributes"))
	v := newInvalid("releases")
	c.validateRelease(v, &next, "", false)
	if err := v.err(); err != nil {
		return err
	}
	next.Updated = c.now()
	*r = next
	res := c.view().release(r)
	c.emit("release.updated", res, nil)
	return c.ok(res)
}

// deleteRelease removes a release with its artifacts and their files.
func (s *Server) deleteRelease(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	r, err := c.findScopedRelease(p, c.param("id"), c.releaseFilters)
	if err != nil {
		return err
	}
	if err := c.writesRelease(p, "release.delete", r.ProductID); err != nil {
		return err
	}
	c.emit("release.deleted", c.view().release(r), nil)
	d := c.dist()
	for _, a := range d.artifacts {
		if a.ReleaseID == r.ID {
			d.dropBlob(a.ID)
			delete(d.artifacts, a.ID)
		}
	}
	delete(d.releases, r.ID)
	return c.noContent()
}
