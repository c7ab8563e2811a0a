package keygen

import (
	"context"
	"iter"
	"strings"
	"time"

	"github.com/licensekit/keygen/internal/jsonapi"
	"github.com/licensekit/keygen/internal/query"
)

// License is a license (keygen-sh/keygen-api, app/models/license.rb).
type License struct {
	ID   string  `json:"-"`
	Name *string `json:"name"`
	// Key is the license key; for signed schemes it is "key/<dataset>.<signature>".
	Key    string     `json:"key"`
	Expiry *time.Time `json:"expiry"`
	// Status is ACTIVE, INACTIVE, EXPIRING, EXPIRED, SUSPENDED or BANNED.
	Status    string  `json:"status"`
	Uses      int     `json:"uses"`
	Suspended bool    `json:"suspended"`
	Scheme    *string `json:"scheme"`
	Encrypted bool    `json:"encrypted"`
	Strict    bool    `json:"strict"`
	Floating  bool    `json:"floating"`
	Protected bool    `json:"protected"`
	Version   *string `json:"version"`

	MaxMachines  *int   `json:"maxMachines"`
	MaxProcesses *int   `json:"maxProcesses"`
	MaxUsers     *int   `json:"maxUsers"`
	MaxCores     *int   `json:"maxCores"`
	MaxMemory    *int64 `json:"maxMemory"`
	MaxDisk      *int64 `json:"maxDisk"`
	MaxUses      *int   `json:"maxUses"`

	RequireHeartbeat bool       `json:"requireHeartbeat"`
	RequireCheckIn   bool       `json:"requireCheckIn"`
	LastValidated    *time.Time `json:"lastValidated"`
	LastCheckIn      *time.Time `json:"lastCheckIn"`
	NextCheckIn      *time.Time `json:"nextCheckIn"`
	LastCheckOut     *time.Time `json:"lastCheckOut"`

	Permissions []string       `json:"permissions"`
	Metadata    map[string]any `json:"metadata"`
	Created     time.Time      `json:"created"`
	Updated     time.Time      `json:"updated"`

	ProductID     string `json:"-"`
	PolicyID      string `json:"-"`
	OwnerID       string `json:"-"`
	GroupID       string `json:"-"`
	AccountID     string `json:"-"`
	EnvironmentID string `json:"-"`
	// MachineCount and the machine totals (cores, memory and disk of the activated
	// machines) come from the machines relationship's meta.
	MachineCount  int   `json:"-"`
	MachineCores  int64 `json:"-"`
	MachineMemory int64 `json:"-"`
	MachineDisk   int64 `json:"-"`
	// UserCount is the number of users (owner and licensees) from the users relationship's meta.
	UserCount int `json:"-"`
}

func (*License) resourceType() string { return "licenses" }

func (l *License) bind(r *jsonapi.Head) error {
	l.ID = r.ID
	l.ProductID = r.Relationships.Product.ID()
	l.PolicyID = r.Relationships.Policy.ID()
	l.OwnerID = r.Relationships.Owner.ID()
	l.GroupID = r.Relationships.Group.ID()
	l.AccountID = r.Relationships.Account.ID()
	l.EnvironmentID = r.Relationships.Environment.ID()
	if m := r.Relationships.Machines.Meta; m != nil {
		l.MachineCount, l.MachineCores, l.MachineMemory, l.MachineDisk = m.Count, m.Cores, m.Memory, m.Disk
	}
	if m := r.Relationships.Users.Meta; m != nil {
		l.UserCount = m.Count
	}
	return nil
}

// LicensesService manages licenses and their actions.
type LicensesService struct{ service }

// LicenseCreateOptions are the attributes of a new license. PolicyID is required. The
// privileged fields (Expiry, Protected, Suspended, Max*) override the policy and need an
// admin, environment, product or sales bearer.
type LicenseCreateOptions struct {
	PolicyID string
	// OwnerID is the user who owns the license (the owner relationship).
	OwnerID string
	GroupID string
	// Key is a custom license key (at least 6 characters for unsigned schemes). Empty lets
	// Keygen generate one, or pop one from the policy's pool.
	Key      string         `jsonapi:"attr,key,omitempty"`
	Name     string         `jsonapi:"attr,name,omitempty"`
	Metadata map[string]any `jsonapi:"attr,metadata,omitempty"`
	// Permissions are Enterprise permission strings.
	Permissions []string `jsonapi:"attr,permissions,omitempty"`
	// Expiry is sent by hand: google/jsonapi would drop its milliseconds.
	Expiry       *time.Time
	Protected    *bool  `jsonapi:"attr,protected,omitempty"`
	Suspended    *bool  `jsonapi:"attr,suspended,omitempty"`
	MaxMachines  *int   `jsonapi:"attr,maxMachines,omitempty"`
	MaxCores     *int   `jsonapi:"attr,maxCores,omitempty"`
	MaxMemory    *int64 `jsonapi:"attr,maxMemory,omitempty"`
	MaxDisk      *int64 `jsonapi:"attr,maxDisk,omitempty"`
	MaxUses      *int   `jsonapi:"attr,maxUses,omitempty"`
	MaxProcesses *int   `jsonapi:"attr,maxProcesses,omitempty"`
	MaxUsers     *int   `jsonapi:"attr,maxUsers,omitempty"`
}

// LicenseUpdateOptions change a license; zero fields are left unchanged. Clearing a Max*
// field returns the license to its policy's limit; clearing Expiry makes it never expire.
// The key and relationships cannot be changed here.
type LicenseUpdateOptions struct {
	Name         Nullable[string]    `jsonapi:"attr,name,omitempty"`
	Expiry       Nullable[time.Time] `jsonapi:"attr,expiry,omitempty"`
	Suspended    *bool               `jsonapi:"attr,suspended,omitempty"`
	Protected    *bool               `jsonapi:"attr,protected,omitempty"`
	MaxMachines  Nullable[int]       `jsonapi:"attr,maxMachines,omitempty"`
	MaxCores     Nullable[int]       `jsonapi:"attr,maxCores,omitempty"`
	MaxMemory    Nullable[int64]     `jsonapi:"attr,maxMemory,omitempty"`
	MaxDisk      Nullable[int64]     `jsonapi:"attr,maxDisk,omitempty"`
	MaxUses      Nullable[int]       `jsonapi:"attr,maxUses,omitempty"`
	MaxProcesses Nullable[int]       `jsonapi:"attr,maxProcesses,omitempty"`
	MaxUsers     Nullable[int]       `jsonapi:"attr,maxUsers,omitempty"`
	Permissions  []string            `jsonapi:"attr,permissions,omitempty"`
	// Metadata replaces the whole metadata object when non-nil.
	Metadata map[string]any `jsonapi:"attr,metadata,omitempty"`
}

// LicenseListOptions filter a license list (keygen-sh/keygen-api,
// app/controllers/api/v1/licenses_controller.rb). Ids may be given where the API takes
// them; zero fields are not sent.
type LicenseListOptions struct {
	ListOptions
	Owner   string
	User    string
	Product string
	Policy  string
	Machine string
	Group   string
	// Status is ACTIVE, INACTIVE, EXPIRING, EXPIRED, SUSPENDED or BANNED.
	Status    string
	Suspended *bool
	Expired   *bool
	// Expiring selects licenses expiring within the next 3 days (or, false, the others).
	Expiring *bool
	// ExpiresWithin selects licenses that have not expired yet and expire within this
	// duration from now (expires[within]=<seconds>).
	ExpiresWithin time.Duration
	// ExpiresBefore and ExpiresAfter select unexpired licenses expiring before or after a
	// time (expires[before], expires[after]). Keygen applies only one expires filter:
	// within, then before, then after.
	ExpiresBefore time.Time
	ExpiresAfter  time.Time
	Metadata      map[string]any
}

func (o *LicenseListOptions) encode(q *query.Values) error {
	if o == nil {
		return nil
	}
	if err := o.ListOptions.encode(q); err != nil {
		return err
	}
	if o.ExpiresWithin < 0 {
		return argErr("Licenses.List", "ExpiresWithin is negative")
	}
	q.String("owner", o.Owner)
	q.String("user", o.User)
	q.String("product", o.Product)
	q.String("policy", o.Policy)
	q.String("machine", o.Machine)
	q.String("group", o.Group)
	q.String("status", o.Status)
	q.Bool("suspended", o.Suspended)
	q.Bool("expired", o.Expired)
	q.Bool("expiring", o.Expiring)
	// Keygen reads a bare integer as seconds (anything else as an ISO 8601 duration).
	q.Int("expires[within]", int(o.ExpiresWithin/time.Second))
	q.Time("expires[before]", o.ExpiresBefore)
	q.Time("expires[after]", o.ExpiresAfter)
	q.Map("metadata", o.Metadata)
	return nil
}

// Create creates a license: POST /v1/accounts/{account}/licenses.
func (s *LicensesService) Create(ctx context.Context, opts LicenseCreateOptions) (*License, error) {
	if strings.TrimSpace(opts.PolicyID) == "" {
		return nil, argErr("Licenses.Create", "PolicyID is required")
	}
	attrs, err := jsonapi.Attributes(&opts)
	if err != nil {
		return nil, err
	}
	if opts.Expiry != nil {
		attrs["expiry"] = wireValue(*opts.Expiry)
	}
	rels := map[string]any{"policy": jsonapi.LinkTo("policies", opts.PolicyID)}
	if opts.OwnerID != "" {
		rels["owner"] = jsonapi.LinkTo("users", opts.OwnerID)
	}
	if opts.GroupID != "" {
		rels["group"] = jsonapi.LinkTo("groups", opts.GroupID)
	}
	body := jsonapi.Body{Data: jsonapi.Object{Type: "licenses", Attributes: attrs, Relationships: rels}}
	return sendOne[License](ctx, s.c, &request{method: "POST", path: "/licenses", body: body})
}

// Get fetches a license by id or key: GET /v1/accounts/{account}/licenses/{id}.
func (s *LicensesService) Get(ctx context.Context, id string) (*License, error) {
	return getByID[License](ctx, s.c, "/licenses/%s", id)
}

// Update changes a license: PATCH /v1/accounts/{account}/licenses/{id}.
func (s *LicensesService) Update(ctx context.Context, id string, opts LicenseUpdateOptions) (*License, error) {
	return updateByID[License](ctx, s.c, "/licenses/%s", id, "licenses", &opts)
}

// Delete deletes a license and its machines: DELETE /v1/accounts/{account}/licenses/{id}.
func (s *LicensesService) Delete(ctx context.Context, id string) error {
	return deleteByID(ctx, s.c, "/licenses/%s", id)
}

// List lists licenses, newest first: GET /v1/accounts/{account}/licenses.
func (s *LicensesService) List(ctx context.Context, opts *LicenseListOptions) (*Page[License], error) {
	return listPage[License](ctx, s.c, "/licenses", opts)
}

// All iterates over every license matching opts: GET /v1/accounts/{account}/licenses, page
// after page (see ListOptions for how). It stops at the first error (yielded once), when ctx is done, or when
// the loop breaks.
func (s *LicensesService) All(ctx context.Context, opts *LicenseListOptions) iter.Seq2[*License, error] {
	return allOf(ctx, opts, s.List)
}

// Suspend suspends a license: POST /v1/accounts/{account}/licenses/{id}/actions/suspend.
// Suspending a suspended license is a 422.
func (s *LicensesService) Suspend(ctx context.Context, id string) (*License, error) {
	return s.action(ctx, id, "suspend", nil)
}

// Reinstate lifts a suspension: POST /v1/accounts/{account}/licenses/{id}/actions/reinstate.
func (s *LicensesService) Reinstate(ctx context.Context, id string) (*License, error) {
	return s.action(ctx, id, "reinstate", nil)
}

// Renew extends a license's expiry by its policy's duration (per the policy's renewal
// basis): POST /v1/accounts/{account}/licenses/{id}/actions/renew. A policy without a
// duration makes it a 422.
func (s *LicensesService) Renew(ctx context.Context, id string) (*License, error) {
	return s.action(ctx, id, "renew", nil)
}

// Revoke revokes a license, which deletes it (and emits license.revoked rather than
// license.deleted): DELETE /v1/accounts/{account}/licenses/{id}/actions/revoke.
func (s *LicensesService) Revoke(ctx context.Context, id string) error {
	path, err := pathf("/licenses/%s/actions/revoke", id)
	if err != nil {
		return err
	}
	return sendNoContent(ctx, s.c, &request{method: "DELETE", path: path})
}

// CheckIn records a check-in for a policy that requires them:
// POST /v1/accounts/{account}/licenses/{id}/actions/check-in.
func (s *LicensesService) CheckIn(ctx context.Context, id string) (*License, error) {
	return s.action(ctx, id, "check-in", nil)
}

// IncrementUsage adds n (at least 1) to the license's uses:
// POST /v1/accounts/{account}/licenses/{id}/actions/increment-usage. Going over maxUses is a
// 422 USES_LIMIT_EXCEEDED; a concurrent increment may be a 409, safe to retry.
func (s *LicensesService) IncrementUsage(ctx context.Context, id string, n int) (*License, error) {
	if n < 1 {
		return nil, argErr("Licenses.IncrementUsage", "n must be at least 1")
	}
	return s.action(ctx, id, "increment-usage", map[string]any{"increment": n})
}

// DecrementUsage subtracts n (at least 1) from the license's uses:
// POST /v1/accounts/{account}/licenses/{id}/actions/decrement-usage. Going below zero is a
// 422 USES_INVALID.
func (s *LicensesService) DecrementUsage(ctx context.Context, id string, n int) (*License, error) {
	if n < 1 {
		return nil, argErr("Licenses.DecrementUsage", "n must be at least 1")
	}
	return s.action(ctx, id, "decrement-usage", map[string]any{"decrement": n})
}

// ResetUsage sets the license's uses to zero:
// POST /v1/accounts/{account}/licenses/{id}/actions/reset-usage.
func (s *LicensesService) ResetUsage(ctx context.Context, id string) (*License, error) {
	return s.action(ctx, id, "reset-usage", nil)
}

// action POSTs a license action that answers with the license, with an optional meta body.
func (s *LicensesService) action(ctx context.Context, id, action string, meta map[string]any) (*License, error) {
	path, err := pathf("/licenses/%s/actions/"+action, id)
	if err != nil {
		return nil, err
	}
	r := &request{method: "POST", path: path}
	if meta != nil {
		r.body = jsonapi.Body{Meta: meta}
	}
	return sendOne[License](ctx, s.c, r)
}

// CheckOut issues a signed license file for offline use:
// POST /v1/accounts/{account}/licenses/{id}/actions/check-out (200, not 201: nothing is
// stored). nil opts takes Keygen's defaults: unencrypted, valid one month.
func (s *LicensesService) CheckOut(ctx context.Context, id string, opts *CheckOutOptions) (*LicenseFile, error) {
	meta, err := checkOutMeta("Licenses.CheckOut", opts)
	if err != nil {
		return nil, err
	}
	path, err := pathf("/licenses/%s/actions/check-out", id)
	if err != nil {
		return nil, err
	}
	r := &request{method: "POST", path: path}
	if meta != nil {
		r.body = jsonapi.Body{Meta: meta}
	}
	return sendOne[LicenseFile](ctx, s.c, r)
}

// checkOutMeta encodes check-out options as the request's meta (shared with machine files).
// TTL goes in whole seconds; NoExpiry sends "ttl": null, which Keygen reads as "never".
func checkOutMeta(op string, opts *CheckOutOptions) (map[string]any, error) {
	if opts == nil {
		return nil, nil
	}
	if opts.TTL < 0 {
		return nil, argErr(op, "TTL is negative")
	}
	if opts.NoExpiry && opts.TTL != 0 {
		return nil, argErr(op, "TTL and NoExpiry are exclusive")
	}
	if opts.TTL%time.Second != 0 {
		return nil, argErr(op, "TTL must be a whole number of seconds")
	}
	meta := map[string]any{}
	if opts.Encrypt {
		meta["encrypt"] = true
	}
	putString(meta, "algorithm", opts.Algorithm)
	switch {
	case opts.NoExpiry:
		meta["ttl"] = nil
	case opts.TTL > 0:
		meta["ttl"] = int64(opts.TTL / time.Second)
	}
	if len(opts.Include) > 0 {
		meta["include"] = opts.Include
	}
	if len(meta) == 0 {
		return nil, nil
	}
	return meta, nil
}

// LicenseTokenOptions are the optional attributes of a license (activation) token. A nil
// *LicenseTokenOptions, like a zero one, sends no body: the token then has no name, never
// expires and may activate and deactivate machines without limit.
type LicenseTokenOptions struct {
	// Name labels the token.
	Name string `jsonapi:"attr,name,omitempty"`
	// Expiry sets when the token expires: Set(t) for a time, Null[time.Time]() or unset for
	// never.
	Expiry Nullable[time.Time] `jsonapi:"attr,expiry,omitempty"`
	// MaxActivations caps how many machines the token may activate (422
	// ACTIVATIONS_LIMIT_EXCEEDED beyond); nil for no cap.
	MaxActivations *int `jsonapi:"attr,maxActivations,omitempty"`
	// MaxDeactivations caps how many machines the token may deactivate (422
	// DEACTIVATIONS_LIMIT_EXCEEDED beyond); nil for no cap.
	MaxDeactivations *int `jsonapi:"attr,maxDeactivations,omitempty"`
	// Permissions restricts the token (Keygen Enterprise), e.g. "license.validate".
	Permissions []string `jsonapi:"attr,permissions,omitempty"`
}

// GenerateToken creates a license token (kind activation-token), the credential to ship with
// an app instead of an admin or product token: POST /v1/accounts/{account}/licenses/{id}/tokens
// (200). It needs an admin, developer, sales or environment bearer, or the license's product.
// The returned Token carries the Secret; it is shown only this once.
func (s *LicensesService) GenerateToken(ctx context.Context, licenseID string, opts *LicenseTokenOptions) (*Token, error) {
	const op = "Licenses.GenerateToken"
	var attrs map[string]any
	if opts != nil {
		if opts.MaxActivations != nil && *opts.MaxActivations < 0 {
			return nil, argErr(op, "MaxActivations is negative")
		}
		if opts.MaxDeactivations != nil && *opts.MaxDeactivations < 0 {
			return nil, argErr(op, "MaxDeactivations is negative")
		}
		var err error
		if attrs, err = jsonapi.Attributes(opts); err != nil {
			return nil, err
		}
	}
	return s.bearerToken(ctx, "/licenses/%s/tokens", licenseID, attrs)
}

// ChangePolicy moves a license to another policy: PUT
// /v1/accounts/{account}/licenses/{id}/policy. Both policies must be compatible (same
// encryption, pooling and scheme, and a machine uniqueness strategy no stricter), or Keygen
// answers 422 POLICY_NOT_COMPATIBLE. The new policy's transfer strategy decides whether the
// expiry is reset.
func (s *LicensesService) ChangePolicy(ctx context.Context, id, policyID string) (*License, error) {
	const op = "Licenses.ChangePolicy"
	if strings.TrimSpace(policyID) == "" {
		return nil, argErr(op, "policyID is required")
	}
	path, err := pathf("/licenses/%s/policy", id)
	if err != nil {
		return nil, err
	}
	// A relationship document: {"data":{"type":"policies","id":…}}.
	body := jsonapi.LinkTo("policies", policyID)
	return sendOne[License](ctx, s.c, &request{method: "PUT", path: path, body: body})
}

// ChangeOwner gives a license to another user, or with an empty ownerID leaves it without
// owner: PUT /v1/accounts/{account}/licenses/{id}/owner. A user who is already one of the
// license's users (licensees) cannot become its owner (422).
func (s *LicensesService) ChangeOwner(ctx context.Context, id, ownerID string) (*License, error) {
	const op = "Licenses.ChangeOwner"
	if ownerID != "" && strings.TrimSpace(ownerID) == "" {
		return nil, argErr(op, "ownerID is blank (use \"\" to remove the owner)")
	}
	path, err := pathf("/licenses/%s/owner", id)
	if err != nil {
		return nil, err
	}
	// A relationship document: {"data":{"type":"users","id":…}}, or {"data":null}.
	body := jsonapi.LinkNone()
	if ownerID != "" {
		body = jsonapi.LinkTo("users", ownerID)
	}
	return sendOne[License](ctx, s.c, &request{method: "PUT", path: path, body: body})
}

// ListEntitlements lists the entitlements a license holds, by id or key: those of its policy
// and its own: GET /v1/accounts/{account}/licenses/{id}/entitlements (keygen-sh/keygen-api,
// License#entitlements in app/models/license.rb).
func (s *LicensesService) ListEntitlements(ctx context.Context, licenseID string, opts *ListOptions) (*Page[Entitlement], error) {
	return listRelated[Entitlement](ctx, s.c, "/licenses/%s/entitlements", licenseID, opts)
}

// AttachEntitlements grants entitlements to one license, beyond its policy's:
// POST /v1/accounts/{account}/licenses/{id}/entitlements with 1 to 100 entitlement ids. All
// or none are attached: an unknown id is a 422 ENTITLEMENT_NOT_FOUND, one already attached
// ENTITLEMENT_TAKEN, one the policy already grants ENTITLEMENT_CONFLICT.
func (s *LicensesService) AttachEntitlements(ctx context.Context, licenseID string, entitlementIDs ...string) error {
	return attachIDs(ctx, s.c, "Licenses.AttachEntitlements", "/licenses/%s/entitlements", licenseID, "entitlements", entitlementIDs)
}

// DetachEntitlements takes a license's own entitlements away:
// DELETE /v1/accounts/{account}/licenses/{id}/entitlements with 1 to 100 entitlement ids.
// One granted through the policy cannot be detached here (403; detach it from the policy),
// one not attached is a 422; either way none is detached.
func (s *LicensesService) DetachEntitlements(ctx context.Context, licenseID string, entitlementIDs ...string) error {
	return detachIDs(ctx, s.c, "Licenses.DetachEntitlements", "/licenses/%s/entitlements", licenseID, "entitlements", entitlementIDs)
}

// ListUsers lists a license's users, by id or key: its owner and its licensees:
// GET /v1/accounts/{account}/licenses/{id}/users.
func (s *LicensesService) ListUsers(ctx context.Context, licenseID string, opts *ListOptions) (*Page[User], error) {
	return listRelated[User](ctx, s.c, "/licenses/%s/users", licenseID, opts)
}

// AttachUsers adds licensees to a license (they count against its maxUsers):
// POST /v1/accounts/{account}/licenses/{id}/users with 1 to 100 user ids, all or none.
func (s *LicensesService) AttachUsers(ctx context.Context, licenseID string, userIDs ...string) error {
	return attachIDs(ctx, s.c, "Licenses.AttachUsers", "/licenses/%s/users", licenseID, "users", userIDs)
}

// DetachUsers removes licensees from a license:
// DELETE /v1/accounts/{account}/licenses/{id}/users with 1 to 100 user ids. The owner cannot
// be detached here (403; see ChangeOwner), a user who is not a licensee is a 422; either way
// none is removed.
func (s *LicensesService) DetachUsers(ctx context.Context, licenseID string, userIDs ...string) error {
	return detachIDs(ctx, s.c, "Licenses.DetachUsers", "/licenses/%s/users", licenseID, "users", userIDs)
}

// ChangeGroup moves a license to another group, or with an empty groupID out of its group:
// PUT /v1/accounts/{account}/licenses/{id}/group. A full group is a 422
// GROUP_LICENSE_LIMIT_EXCEEDED, an unknown one GROUP_NOT_FOUND. A license with no group
// joins its owner's when it gets a new owner (keygen-sh/keygen-api, app/models/license.rb).
func (s *LicensesService) ChangeGroup(ctx context.Context, licenseID, groupID string) (*License, error) {
	return changeToOne[License](ctx, s.c, "Licenses.ChangeGroup", "/licenses/%s/group", licenseID, "groups", groupID)
}
