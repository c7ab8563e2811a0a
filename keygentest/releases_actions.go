package keygentest

import (
	"regexp"
	"strconv"
	"strings"
)

// Release actions and relationships: publish and yank
// (app/controllers/api/v1/releases/actions/publishings_controller.rb), the upgrade route
// (app/controllers/api/v1/releases/relationships/upgrades_controller.rb), entitlement
// constraints (…/relationships/release_entitlement_constraints_controller.rb,
// …/relationships/entitlements_controller.rb) and a release's artifacts
// (…/relationships/release_artifacts_controller.rb).

// releaseAction publishes or yanks a release, from any status.
func (s *Server) releaseAction(action string) handlerFunc {
	return func(c *call) error {
		p, err := c.requireAuth()
		if err != nil {
			return err
		}
		r, err := c.findReleaseFor(p, c.param("id"))
		if err != nil {
			return err
		}
		if err := c.writesRelease(p, "release."+action, r.ProductID); err != nil {
			return err
		}
		now := c.now()
		event := "release.published"
		if action == "publish" {
			// Release#publish! sets the status only: a yanked release keeps its yanked time
			// (app/models/release.rb).
			r.Status = "PUBLISHED"
		} else {
			r.Status, r.Yanked, event = "YANKED", &now, "release.yanked"
		}
		r.Updated = now
		res := c.view().release(r)
		c.emit(event, res, nil)
		return c.ok(res)
	}
}

// upgradeConstraintRE is Semverse::Constraint::REGEX, the ?constraint= format upgrade!
// splits: an optional operator (ignored), a major version, optional minor and patch, and an
// optional pre-release and build (semverse lib/semverse/constraint.rb, app/models/release.rb).
var upgradeConstraintRE = regexp.MustCompile(`^(?:(?:~>|~|>=|<=|=|>|<)\s*)?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z\-.]+))?(?:\+([0-9A-Za-z\-.]+))?$`)

var (
	semverNumTagRE  = regexp.MustCompile(`^\d+$`)
	semverWordTagRE = regexp.MustCompile(`^\w+`)
)

// semverTags splits a pre-release or build as Release::SEMVER_TAG_RE scans it (app/models/release.rb):
// word tags from the start, each followed by one separator, and a final all-digit tag; it
// returns the words joined with "." and that number ("" when absent).
func semverTags(s string) (word, num string) {
	var words []string
	for pos := 0; pos < len(s); {
		rest := s[pos:]
		if semverNumTagRE.MatchString(rest) {
			num = rest
			break
		}
		w := semverWordTagRE.FindString(rest)
		if w == "" {
			break
		}
		words = append(words, w)
		pos += len(w) + 1
	}
	return strings.Join(words, "."), num
}

// withinConstraint reports whether v passes upgrade!'s constraint filters: the pre-release
// and build words and numbers the constraint names, then its version parts ("1" the same
// major, "1.2" the same major and minor ≥ 2, "1.2.3" the same minor and patch ≥ 3).
func withinConstraint(v semver, m []string) bool {
	n := func(s string) int64 { x, _ := strconv.ParseInt(s, 10, 64); return x }
	for _, tag := range [][2]string{{m[4], v.Pre}, {m[5], v.Build}} {
		if tag[0] == "" {
			continue
		}
		word, num := semverTags(tag[0])
		vword, vnum := semverTags(tag[1])
		if word != "" && vword != word || num != "" && (vnum == "" || n(vnum) != n(num)) {
			return false
		}
	}
	major := n(m[1])
	if v.Major != major {
		return false
	}
	switch {
	case m[3] != "":
		return v.Minor == n(m[2]) && v.Patch >= n(m[3])
	case m[2] != "":
		return v.Minor >= n(m[2])
	}
	return true
}

// upgradeRelease answers the highest readable PUBLISHED release of the same product and
// package, in the widened channel, above the current version.
func (s *Server) upgradeRelease(c *call) error {
	p, err := c.authenticate()
	if err != nil {
		return err
	}
	// The current release is found within the product and package scopes
	// (app/controllers/api/v1/releases/relationships/upgrades_controller.rb has_scope).
	cur, err := c.findScopedRelease(p, c.param("id"), c.releaseOwnerFilters)
	if err != nil {
		return err
	}
	var constraint []string
	if v := c.query.Get("constraint"); c.query.Has("constraint") {
		if constraint = upgradeConstraintRE.FindStringSubmatch(v); constraint == nil {
			e := errBadRequest("invalid constraint format", parameter("constraint"))
			e.errors[0].Code = "CONSTRAINT_INVALID"
			return e
		}
	}
	if err := c.verifyRead(p, "release.upgrade"); err != nil {
		return err
	}
	if err := c.verifyReleases(p, cur); err != nil {
		return err
	}
	db := c.db()
	chans := widenChannel(db.releaseChannel(cur))
	if v := c.query.Get("channel"); v != "" {
		chans = widenChannel(lower(v))
	}
	pkgID := deref2(cur.PackageID)
	if c.query.Has("package") {
		pkgID = ""
		if v := c.query.Get("package"); v != "" {
			pkgID = "-"
			if pkg := c.findPackageIn(v); pkg != nil {
				pkgID = pkg.ID
			}
		}
	}
	var next *release
	for _, r := range ofAccount(db.dist.releases, c.acct.ID, nil) {
		if r.ProductID != cur.ProductID || deref2(r.PackageID) != pkgID || r.Status != "PUBLISHED" ||
			!contains(chans, db.releaseChannel(r)) || compareSemver(r.Semver, cur.Semver) <= 0 ||
			constraint != nil && !withinConstraint(r.Semver, constraint) || !c.seesRelease(p, r) {
			continue
		}
		if next == nil || compareSemver(r.Semver, next.Semver) > 0 {
			next = r
		}
	}
	if next == nil {
		return newError(404, "The requested release was not found", "NOT_FOUND", nil)
	}
	res := c.view().release(next)
	meta := map[string]any{"current": cur.Version, "next": next.Version}
	c.emit("release.upgraded", res, meta)
	return c.json(200, document{Data: res, Meta: meta})
}

// constraint is a release entitlement constraint as the relationship lists it.
type constraint struct {
	base
	ReleaseID, EntitlementID string
}

func (v view) constraint(k *constraint) *resource {
	res := v.newResource("constraints", k.ID, stamp(map[string]any{}, &k.base))
	ent, rid := k.EntitlementID, k.ReleaseID
	res.Relationships["entitlement"] = toOne(v.path("entitlements", ent), "entitlements", &ent)
	res.Relationships["release"] = toOne(v.path("releases", rid), "releases", &rid)
	res.Links = map[string]any{"related": v.path("releases", rid, "constraints", k.ID)}
	return res
}

// countOf counts s in list.
func countOf(list []string, s string) int {
	n := 0
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}

// listReleaseConstraints lists the constraints of a release (constraint.read).
func (s *Server) listReleaseConstraints(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	r, err := c.findReleaseFor(p, c.param("id"))
	if err != nil {
		return err
	}
	items := append([]*constraint(nil), r.Constraints...)
	sortNewest(items)
	return relIndex(c, p, "constraint.read", true, items, c.view().constraint)
}

// showReleaseConstraint shows one constraint of a release.
func (s *Server) showReleaseConstraint(c *call) error {
	p, err := c.requireAuth()
	if err != nil {
		return err
	}
	r, err := c.findReleaseFor(p, c.param("id"))
	if err != nil {
		return err
	}
	id := c.param("constraint")
	for _, k := range r.Constraints {
		if k.ID == lower(id) {
			if err := c.relAllow(p, "constraint.read", true); err != nil {
				return err
			}
			return c.ok(c.view().constraint(k))
		}
	}
	return errNotFound("release entitlement constraint", id)
}

var detachConstraintsSchema = obj(fields{"data": arrayOf(obj(fields{"type": typeOf("constraint"), "id": uuidParam()}))})

// changeReleaseConstraints attaches entitlement constraints (data: constraints naming an
// entitlement; each must exist and not constrain the release already) or detaches them (data:
// constraint ids, each attached), as ReleaseEntitlementConstraintsController#attach/#detach.
func (s *Server) changeReleaseConstraints(attach bool) handlerFunc {
	return func(c *call) error {
		p, err := c.requireAuth()
		if err != nil {
			return err
		}
		r, err := c.findReleaseFor(p, c.param("id"))
		if err != nil {
			return err
		}
		schema, action := constraintsParam, "release.constraints.attach"
		if !attach {
			schema, action = detachConstraintsSchema, "release.constraints.detach"
		}
		in, err := c.parse(schema)
		if err != nil {
			return err
		}
		if err := c.writesRelease(p, action, r.ProductID); err != nil {
			return err
		}
		v := c.view()
		if !attach {
			items, _ := in["data"].([]any)
			var drop []string
			for i, x := range items {
				id, _ := x.(params).str("id")
				found := false
				for _, k := range r.Constraints {
					found = found || k.ID == id
				}
				if !found {
					return errUnprocessableEntity("cannot detach constraint '"+id+"' (constraint is not attached)", "", pointer("/data/"+strconv.Itoa(i)))
				}
				drop = append(drop, id)
			}
			var detached []*resource
			r.Constraints = keepIf(r.Constraints, func(k *constraint) bool {
				if contains(drop, k.ID) {
					detached = append(detached, v.constraint(k))
					return false
				}
				return true
			})
			c.emitList("release.constraints.detached", detached)
			return c.noContent()
		}
		ids := constraintIDs(in)
		held := map[string]bool{}
		for _, k := range r.Constraints {
			held[k.EntitlementID] = true
		}
		for _, id := range ids {
			// Each constraint is created in turn (constraints.create!): the first failure wins.
			switch {
			case !c.entitlementExists(id):
				return newInvalid("constraints").rel("entitlement", "NOT_FOUND", "must exist").err()
			case held[id]:
				return newInvalid("constraints").rel("entitlement", "TAKEN", "already exists").err()
			}
			held[id] = true
		}
		now := c.now()
		attached := make([]*resource, 0, len(ids))
		for _, id := range ids {
			k := &constraint{base: newBase(c.acct.ID, now), ReleaseID: r.ID, EntitlementID: id}
			r.Constraints = append(r.Constraints, k)
			attached = append(attached, v.constraint(k))
		}
		c.emitList("release.constraints.attached", attached)
		return c.json(200, document{Data: attached})
	}
}
