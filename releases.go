package keygen

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"strings"
	"time"

	"github.com/licensekit/keygen/internal/jsonapi"
	"github.com/licensekit/keygen/internal/query"
)

// ErrNoUpgrade is returned by Releases.Upgrade when Keygen has no release to upgrade to. It
// wraps the 404 *Error, so errors.Is(err, ErrNotFound) holds too.
var ErrNoUpgrade = errors.New("keygen: no upgrade available")

// Release is a version of a product, in a channel, with artifacts to download
// (keygen-sh/keygen-api, app/serializers/release_serializer.rb).
type Release struct {
	ID          string  `json:"-"`
	Name        *string `json:"name"`
	Description *string `json:"description"`
	// Channel is stable, rc, beta, alpha or dev.
	Channel string `json:"channel"`
	// Status is DRAFT, PUBLISHED or YANKED.
	Status string `json:"status"`
	// Version is the semantic version, without a "v" prefix.
	Version string        `json:"version"`
	Semver  ReleaseSemver `json:"semver"`
	// Tag is an optional alias, unique per product and package, by which Get finds the
	// release too.
	Tag *string `json:"tag"`
	// Backdated is the date the release counts as created for licenses whose access ends at
	// their expiry (RESTRICT_ACCESS, MAINTAIN_ACCESS); nil when not backdated.
	Backdated *time.Time     `json:"backdated"`
	Yanked    *time.Time     `json:"yanked"`
	Metadata  map[string]any `json:"metadata"`
	Created   time.Time      `json:"created"`
	Updated   time.Time      `json:"updated"`

	ProductID string `json:"-"`
	// PackageID is "" for a release outside any package.
	PackageID     string `json:"-"`
	AccountID     string `json:"-"`
	EnvironmentID string `json:"-"`
}

// ReleaseSemver is a release's version in parts.
type ReleaseSemver struct {
	Major      int64   `json:"major"`
	Minor      int64   `json:"minor"`
	Patch      int64   `json:"patch"`
	Prerelease *string `json:"prerelease"`
	Build      *string `json:"build"`
}

func (*Release) resourceType() string { return "releases" }

func (r *Release) bind(h *jsonapi.Head) error {
	r.ID = h.ID
	r.ProductID = h.Relationships.Product.ID()
	r.PackageID = h.Relationships.Package.ID()
	r.AccountID = h.Relationships.Account.ID()
	r.EnvironmentID = h.Relationships.Environment.ID()
	return nil
}

// ReleaseConstraint is an entitlement a license must hold to read a release
// (app/serializers/release_entitlement_constraint_serializer.rb).
type ReleaseConstraint struct {
	ID      string    `json:"-"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`

	EntitlementID string `json:"-"`
	ReleaseID     string `json:"-"`
	AccountID     string `json:"-"`
	EnvironmentID string `json:"-"`
}

func (*ReleaseConstraint) resourceType() string { return "constraints" }

func (rc *ReleaseConstraint) bind(h *jsonapi.Head) error {
	rc.ID = h.ID
	rc.EntitlementID = h.Relationships.Entitlement.ID()
	rc.ReleaseID = h.Relationships.Release.ID()
	rc.AccountID = h.Relationships.Account.ID()
	rc.EnvironmentID = h.Relationships.Environment.ID()
	return nil
}

// ReleasesService manages releases, their constraints, upgrades and installs.
type ReleasesService struct{ service }

// ReleaseCreateOptions are a new release's attributes. ProductID, Version and Channel are
// required. Keygen refuses (422) a version that is not semver (VERSION_INVALID), one already
// released (VERSION_TAKEN), and one that does not fit its channel (VERSION_CHANNEL_INVALID: a
// stable version has no prerelease, an rc version reads x.y.z-rc.n, and so on), all checked
// in app/models/release.rb.
type ReleaseCreateOptions struct {
	ProductID string
	// PackageID puts the release in a package of the same product (422 PACKAGE_NOT_ALLOWED
	// otherwise).
	PackageID string
	Version   string `jsonapi:"attr,version"`
	// Channel is stable, rc, beta, alpha or dev.
	Channel     string `jsonapi:"attr,channel"`
	Name        string `jsonapi:"attr,name,omitempty"`
	Description string `jsonapi:"attr,description,omitempty"`
	// Status is DRAFT (Keygen's default) or PUBLISHED.
	Status   string         `jsonapi:"attr,status,omitempty"`
	Tag      string         `jsonapi:"attr,tag,omitempty"`
	Metadata map[string]any `jsonapi:"attr,metadata,omitempty"`
	// Backdated must be in the past. It is sent by hand: google/jsonapi would drop its
	// milliseconds.
	Backdated *time.Time
	// EntitlementIDs constrain the release: only licenses holding every one of these
	// entitlements may read it.
	EntitlementIDs []string
}

// ReleaseUpdateOptions change a release; zero fields are left unchanged. Version, channel
// and status cannot be changed (Keygen answers 400): use Publish and Yank for the status.
type ReleaseUpdateOptions struct {
	Name        Nullable[string]    `jsonapi:"attr,name,omitempty"`
	Description Nullable[string]    `jsonapi:"attr,description,omitempty"`
	Tag         Nullable[string]    `jsonapi:"attr,tag,omitempty"`
	Backdated   Nullable[time.Time] `jsonapi:"attr,backdated,omitempty"`
	// Metadata replaces the whole metadata object when non-nil.
	Metadata map[string]any `jsonapi:"attr,metadata,omitempty"`
}

// ReleaseListOptions filter a release list (the scopes of
// app/controllers/api/v1/releases_controller.rb).
type ReleaseListOptions struct {
	ListOptions
	Product string
	Package string
	// Engine is a package engine key (pypi, tauri, raw, rubygems, npm, oci).
	Engine string
	// Channel widens as Keygen's channels do: beta lists stable, rc and beta releases, and
	// so on; dev lists dev releases only.
	Channel string
	// Status is DRAFT, PUBLISHED or YANKED.
	Status string
	Yanked *bool
	// Entitlements are entitlement codes: the releases listed are constrained, and only by
	// entitlements among these (entitlements[]; Keygen reads constraints[] the same way).
	Entitlements []string
}

func (o *ReleaseListOptions) encode(q *query.Values) error {
	if o == nil {
		return nil
	}
	if err := o.ListOptions.encode(q); err != nil {
		return err
	}
	q.String("product", o.Product)
	q.String("package", o.Package)
	q.String("engine", o.Engine)
	q.String("channel", o.Channel)
	q.String("status", o.Status)
	q.Bool("yanked", o.Yanked)
	q.Strings("entitlements", o.Entitlements)
	return nil
}

// UpgradeOptions narrow the search for an upgrade; zero fields take Keygen's defaults.
type UpgradeOptions struct {
	// Product finds the current release among this product's releases: needed when it is
	// named by a version that several products share.
	Product string
	// Package looks for the upgrade in another package than the current release's.
	Package string
	// Channel looks in another channel than the current release's, widening as Keygen's
	// channels do (beta also finds stable and rc releases).
	Channel string
	// Constraint keeps the upgrade within a version range: "1.0" allows any 1.x from 1.0
	// on, "1.2" any 1.x from 1.2 on (a malformed one is a 400 CONSTRAINT_INVALID).
	Constraint string
}

// Create creates a release: POST /v1/accounts/{account}/releases (201).
func (s *ReleasesService) Create(ctx context.Context, opts ReleaseCreateOptions) (*Release, error) {
	for _, f := range []struct{ name, v string }{{"ProductID", opts.ProductID}, {"Version", opts.Version}, {"Channel", opts.Channel}} {
		if strings.TrimSpace(f.v) == "" {
			return nil, argErr("Releases.Create", f.name+" is required")
		}
	}
	for _, id := range opts.EntitlementIDs {
		if strings.TrimSpace(id) == "" {
			return nil, argErr("Releases.Create", "an entitlement id is empty")
		}
	}
	attrs, err := jsonapi.Attributes(&opts)
	if err != nil {
		return nil, err
	}
	if opts.Backdated != nil {
		attrs["backdated"] = wireValue(*opts.Backdated)
	}
	rels := map[string]any{"product": jsonapi.LinkTo("products", opts.ProductID)}
	if opts.PackageID != "" {
		rels["package"] = jsonapi.LinkTo("packages", opts.PackageID)
	}
	if len(opts.EntitlementIDs) > 0 {
		rels["constraints"] = map[string]any{"data": constraintObjects(opts.EntitlementIDs)}
	}
	body := jsonapi.Body{Data: jsonapi.Object{Type: "releases", Attributes: attrs, Relationships: rels}}
	return sendOne[Release](ctx, s.c, &request{method: "POST", path: "/releases", body: body})
}

// constraintObjects are the constraint resource objects of a create or attach: each names
// the entitlement it requires.
func constraintObjects(entitlementIDs []string) []jsonapi.Object {
	objs := make([]jsonapi.Object, len(entitlementIDs))
	for i, id := range entitlementIDs {
		objs[i] = jsonapi.Object{Type: "constraints", Relationships: map[string]any{"entitlement": jsonapi.LinkTo("entitlements", id)}}
	}
	return objs
}

// Get fetches a release by id, version or tag: GET /v1/accounts/{account}/releases/{id}. A
// license or user reads only the published releases it is entitled to; any other is a 404.
func (s *ReleasesService) Get(ctx context.Context, idVersionOrTag string) (*Release, error) {
	return getByID[Release](ctx, s.c, "/releases/%s", idVersionOrTag)
}

// Update changes a release: PATCH /v1/accounts/{account}/releases/{id}.
func (s *ReleasesService) Update(ctx context.Context, id string, opts ReleaseUpdateOptions) (*Release, error) {
	return updateByID[Release](ctx, s.c, "/releases/%s", id, "releases", &opts)
}

// Delete deletes a release and its artifacts: DELETE /v1/accounts/{account}/releases/{id}
// (204).
func (s *ReleasesService) Delete(ctx context.Context, id string) error {
	return deleteByID(ctx, s.c, "/releases/%s", id)
}

// List lists releases, newest first: GET /v1/accounts/{account}/releases.
func (s *ReleasesService) List(ctx context.Context, opts *ReleaseListOptions) (*Page[Release], error) {
	return listPage[Release](ctx, s.c, "/releases", opts)
}

// All iterates over every release matching opts: GET /v1/accounts/{account}/releases, page
// after page (see ListOptions for how). It stops at the first error (yielded once), when ctx
// is done, or when the loop breaks.
func (s *ReleasesService) All(ctx context.Context, opts *ReleaseListOptions) iter.Seq2[*Release, error] {
	return allOf(ctx, opts, s.List)
}

// Publish publishes a release, whatever its status (a yanked one too):
// POST /v1/accounts/{account}/releases/{id}/actions/publish.
func (s *ReleasesService) Publish(ctx context.Context, id string) (*Release, error) {
	return s.action(ctx, id, "publish")
}

// Yank withdraws a release: its status becomes YANKED, Yanked is set, and its artifacts can
// no longer be downloaded: POST /v1/accounts/{account}/releases/{id}/actions/yank.
func (s *ReleasesService) Yank(ctx context.Context, id string) (*Release, error) {
	return s.action(ctx, id, "yank")
}

func (s *ReleasesService) action(ctx context.Context, id, action string) (*Release, error) {
	path, err := pathf("/releases/%s/actions/"+action, id)
	if err != nil {
		return nil, err
	}
	return sendOne[Release](ctx, s.c, &request{method: "POST", path: path})
}

// Upgrade finds the release to upgrade to from current (an id, version or tag):
// GET /v1/accounts/{account}/releases/{current}/upgrade. Keygen picks, among the published
// releases the caller may read, in current's product, package and channel unless opts say
// otherwise, the one with the highest version above current's
// (app/controllers/api/v1/releases/relationships/upgrades_controller.rb and Release#upgrade!
// in app/models/release.rb). nil opts takes those defaults.
//
// When there is none the error is ErrNoUpgrade, which wraps Keygen's 404. Keygen answers the
// same 404 when current itself is unknown or not readable by the caller: the *Error's
// detail names the release in that case. With WithPublicKey, an unsigned 404 is still
// ErrNoUpgrade but IsUnverified: anyone on the path could have written it, so take it as "no
// answer", not as "up to date".
func (s *ReleasesService) Upgrade(ctx context.Context, current string, opts *UpgradeOptions) (*Release, error) {
	path, err := pathf("/releases/%s/upgrade", current)
	if err != nil {
		return nil, err
	}
	var q query.Values
	if opts != nil {
		q.String("product", opts.Product)
		q.String("package", opts.Package)
		q.String("channel", opts.Channel)
		q.String("constraint", opts.Constraint)
	}
	r, err := sendOne[Release](ctx, s.c, &request{method: "GET", path: path, query: q.Encode()})
	var apiErr *Error
	if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
		return nil, fmt.Errorf("%w: %w", ErrNoUpgrade, unprefixed{err})
	}
	return r, err
}

// ListConstraints lists a release's entitlement constraints:
// GET /v1/accounts/{account}/releases/{id}/constraints.
func (s *ReleasesService) ListConstraints(ctx context.Context, releaseID string, opts *ListOptions) (*Page[ReleaseConstraint], error) {
	path, err := pathf("/releases/%s/constraints", releaseID)
	if err != nil {
		return nil, err
	}
	return listPage[ReleaseConstraint](ctx, s.c, path, opts)
}

// AttachConstraints constrains a release by entitlements: only licenses holding every one
// of them may read it: POST /v1/accounts/{account}/releases/{id}/constraints.
func (s *ReleasesService) AttachConstraints(ctx context.Context, releaseID string, entitlementIDs ...string) error {
	path, err := constraintsPath("Releases.AttachConstraints", releaseID, entitlementIDs)
	if err != nil {
		return err
	}
	body := jsonapi.Body{Data: constraintObjects(entitlementIDs)}
	return sendNoContent(ctx, s.c, &request{method: "POST", path: path, body: body})
}

// DetachConstraints removes constraints from a release:
// DELETE /v1/accounts/{account}/releases/{id}/constraints (204). It takes the constraints'
// own ids (ReleaseConstraint.ID, from ListConstraints), not their entitlements' ids, as
// Keygen does; detaching one that is not attached is a 422 and detaches nothing
// (app/controllers/api/v1/releases/relationships/release_entitlement_constraints_controller.rb).
func (s *ReleasesService) DetachConstraints(ctx context.Context, releaseID string, constraintIDs ...string) error {
	path, err := constraintsPath("Releases.DetachConstraints", releaseID, constraintIDs)
	if err != nil {
		return err
	}
	objs := make([]jsonapi.Object, len(constraintIDs))
	for i, id := range constraintIDs {
		objs[i] = jsonapi.Object{Type: "constraints", ID: id}
	}
	return sendNoContent(ctx, s.c, &request{method: "DELETE", path: path, body: jsonapi.Body{Data: objs}})
}

func constraintsPath(op, releaseID string, ids []string) (string, error) {
	if len(ids) == 0 {
		return "", argErr(op, "no ids given")
	}
	for _, id := range ids {
		if strings.TrimSpace(id) == "" {
			return "", argErr(op, "an id is empty")
		}
	}
	return pathf("/releases/%s/constraints", releaseID)
}
