package keygen

import (
	"context"
	"iter"
	"strings"
	"time"

	"github.com/licensekit/keygen/internal/jsonapi"
	"github.com/licensekit/keygen/internal/query"
)

// Policy holds the rules its licenses follow (keygen-sh/keygen-api, app/models/policy.rb).
type Policy struct {
	ID   string `json:"-"`
	Name string `json:"name"`
	// Duration is how long licenses last, in seconds; nil means they do not expire.
	Duration     *int   `json:"duration"`
	Strict       bool   `json:"strict"`
	Floating     bool   `json:"floating"`
	UsePool      bool   `json:"usePool"`
	MaxMachines  *int   `json:"maxMachines"`
	MaxProcesses *int   `json:"maxProcesses"`
	MaxUsers     *int   `json:"maxUsers"`
	MaxCores     *int   `json:"maxCores"`
	MaxMemory    *int64 `json:"maxMemory"`
	MaxDisk      *int64 `json:"maxDisk"`
	MaxUses      *int   `json:"maxUses"`

	MachineUniquenessStrategy   string `json:"machineUniquenessStrategy"`
	MachineMatchingStrategy     string `json:"machineMatchingStrategy"`
	ComponentUniquenessStrategy string `json:"componentUniquenessStrategy"`
	ComponentMatchingStrategy   string `json:"componentMatchingStrategy"`
	ExpirationStrategy          string `json:"expirationStrategy"`
	ExpirationBasis             string `json:"expirationBasis"`
	RenewalBasis                string `json:"renewalBasis"`
	TransferStrategy            string `json:"transferStrategy"`
	AuthenticationStrategy      string `json:"authenticationStrategy"`
	MachineLeasingStrategy      string `json:"machineLeasingStrategy"`
	ProcessLeasingStrategy      string `json:"processLeasingStrategy"`
	OverageStrategy             string `json:"overageStrategy"`

	// Scheme is the signing scheme of license keys (ED25519_SIGN…), nil for plain keys.
	Scheme    *string `json:"scheme"`
	Encrypted bool    `json:"encrypted"`
	Protected bool    `json:"protected"`

	RequireProductScope     bool `json:"requireProductScope"`
	RequirePolicyScope      bool `json:"requirePolicyScope"`
	RequireMachineScope     bool `json:"requireMachineScope"`
	RequireFingerprintScope bool `json:"requireFingerprintScope"`
	RequireComponentsScope  bool `json:"requireComponentsScope"`
	RequireUserScope        bool `json:"requireUserScope"`
	RequireChecksumScope    bool `json:"requireChecksumScope"`
	RequireVersionScope     bool `json:"requireVersionScope"`

	RequireCheckIn       bool    `json:"requireCheckIn"`
	CheckInInterval      *string `json:"checkInInterval"`
	CheckInIntervalCount *int    `json:"checkInIntervalCount"`

	RequireHeartbeat              bool   `json:"requireHeartbeat"`
	HeartbeatDuration             *int   `json:"heartbeatDuration"`
	HeartbeatCullStrategy         string `json:"heartbeatCullStrategy"`
	HeartbeatResurrectionStrategy string `json:"heartbeatResurrectionStrategy"`
	HeartbeatBasis                string `json:"heartbeatBasis"`

	Metadata map[string]any `json:"metadata"`
	Created  time.Time      `json:"created"`
	Updated  time.Time      `json:"updated"`

	ProductID     string `json:"-"`
	AccountID     string `json:"-"`
	EnvironmentID string `json:"-"`
}

func (*Policy) resourceType() string { return "policies" }

func (p *Policy) bind(r *jsonapi.Head) error {
	p.ID = r.ID
	p.ProductID = r.Relationships.Product.ID()
	p.AccountID = r.Relationships.Account.ID()
	p.EnvironmentID = r.Relationships.Environment.ID()
	return nil
}

// PolicyCreateOptions are the attributes of a new policy (keygen-sh/keygen-api,
// app/controllers/api/v1/policies_controller.rb). ProductID and Name are required. Every
// other field is optional: a nil pointer or an empty string leaves Keygen's default, so
// false and 0 can be sent on purpose (Ptr(false), Ptr(0)).
type PolicyCreateOptions struct {
	// ProductID is the product the policy belongs to (the product relationship).
	ProductID string
	Name      string `jsonapi:"attr,name"`
	// Duration is how long licenses last, in seconds (at least 86400); nil means they do not
	// expire.
	Duration *int  `jsonapi:"attr,duration,omitempty"`
	Strict   *bool `jsonapi:"attr,strict,omitempty"`
	Floating *bool `jsonapi:"attr,floating,omitempty"`
	// UsePool makes licenses take their keys from the policy's key pool (create-only).
	UsePool                     *bool  `jsonapi:"attr,usePool,omitempty"`
	MaxMachines                 *int   `jsonapi:"attr,maxMachines,omitempty"`
	MaxProcesses                *int   `jsonapi:"attr,maxProcesses,omitempty"`
	MaxUsers                    *int   `jsonapi:"attr,maxUsers,omitempty"`
	MaxCores                    *int   `jsonapi:"attr,maxCores,omitempty"`
	MaxMemory                   *int64 `jsonapi:"attr,maxMemory,omitempty"`
	MaxDisk                     *int64 `jsonapi:"attr,maxDisk,omitempty"`
	MaxUses                     *int   `jsonapi:"attr,maxUses,omitempty"`
	MachineUniquenessStrategy   string `jsonapi:"attr,machineUniquenessStrategy,omitempty"`
	MachineMatchingStrategy     string `jsonapi:"attr,machineMatchingStrategy,omitempty"`
	ComponentUniquenessStrategy string `jsonapi:"attr,componentUniquenessStrategy,omitempty"`
	ComponentMatchingStrategy   string `jsonapi:"attr,componentMatchingStrategy,omitempty"`
	ExpirationStrategy          string `jsonapi:"attr,expirationStrategy,omitempty"`
	ExpirationBasis             string `jsonapi:"attr,expirationBasis,omitempty"`
	RenewalBasis                string `jsonapi:"attr,renewalBasis,omitempty"`
	TransferStrategy            string `jsonapi:"attr,transferStrategy,omitempty"`
	AuthenticationStrategy      string `jsonapi:"attr,authenticationStrategy,omitempty"`
	MachineLeasingStrategy      string `jsonapi:"attr,machineLeasingStrategy,omitempty"`
	ProcessLeasingStrategy      string `jsonapi:"attr,processLeasingStrategy,omitempty"`
	OverageStrategy             string `jsonapi:"attr,overageStrategy,omitempty"`
	// Scheme signs or encrypts license keys (ED25519_SIGN, RSA_2048_PKCS1_PSS_SIGN_V2…);
	// create-only, and exclusive with UsePool.
	Scheme string `jsonapi:"attr,scheme,omitempty"`
	// Encrypted is the legacy key encryption flag (create-only).
	Encrypted               *bool `jsonapi:"attr,encrypted,omitempty"`
	Protected               *bool `jsonapi:"attr,protected,omitempty"`
	RequireProductScope     *bool `jsonapi:"attr,requireProductScope,omitempty"`
	RequirePolicyScope      *bool `jsonapi:"attr,requirePolicyScope,omitempty"`
	RequireMachineScope     *bool `jsonapi:"attr,requireMachineScope,omitempty"`
	RequireFingerprintScope *bool `jsonapi:"attr,requireFingerprintScope,omitempty"`
	RequireComponentsScope  *bool `jsonapi:"attr,requireComponentsScope,omitempty"`
	RequireUserScope        *bool `jsonapi:"attr,requireUserScope,omitempty"`
	RequireChecksumScope    *bool `jsonapi:"attr,requireChecksumScope,omitempty"`
	RequireVersionScope     *bool `jsonapi:"attr,requireVersionScope,omitempty"`
	RequireCheckIn          *bool `jsonapi:"attr,requireCheckIn,omitempty"`
	// CheckInInterval is day, week, month or year; required with RequireCheckIn.
	CheckInInterval string `jsonapi:"attr,checkInInterval,omitempty"`
	// CheckInIntervalCount is 1 to 365; required with RequireCheckIn.
	CheckInIntervalCount *int  `jsonapi:"attr,checkInIntervalCount,omitempty"`
	RequireHeartbeat     *bool `jsonapi:"attr,requireHeartbeat,omitempty"`
	// HeartbeatDuration is the heartbeat interval in seconds (at least 60).
	HeartbeatDuration             *int           `jsonapi:"attr,heartbeatDuration,omitempty"`
	HeartbeatCullStrategy         string         `jsonapi:"attr,heartbeatCullStrategy,omitempty"`
	HeartbeatResurrectionStrategy string         `jsonapi:"attr,heartbeatResurrectionStrategy,omitempty"`
	HeartbeatBasis                string         `jsonapi:"attr,heartbeatBasis,omitempty"`
	Metadata                      map[string]any `jsonapi:"attr,metadata,omitempty"`
}

// PolicyUpdateOptions change a policy; scheme, encrypted and usePool cannot change after
// creation (keygen-sh/keygen-api, app/controllers/api/v1/policies_controller.rb). Zero
// fields are left unchanged. Nullable fields can also be cleared: Duration: Null[int]()
// makes licenses stop expiring, MaxMachines: Null[int]() lifts the limit.
type PolicyUpdateOptions struct {
	Name                          *string          `jsonapi:"attr,name,omitempty"`
	Duration                      Nullable[int]    `jsonapi:"attr,duration,omitempty"`
	Strict                        *bool            `jsonapi:"attr,strict,omitempty"`
	Floating                      *bool            `jsonapi:"attr,floating,omitempty"`
	MaxMachines                   Nullable[int]    `jsonapi:"attr,maxMachines,omitempty"`
	MaxProcesses                  Nullable[int]    `jsonapi:"attr,maxProcesses,omitempty"`
	MaxUsers                      Nullable[int]    `jsonapi:"attr,maxUsers,omitempty"`
	MaxCores                      Nullable[int]    `jsonapi:"attr,maxCores,omitempty"`
	MaxMemory                     Nullable[int64]  `jsonapi:"attr,maxMemory,omitempty"`
	MaxDisk                       Nullable[int64]  `jsonapi:"attr,maxDisk,omitempty"`
	MaxUses                       Nullable[int]    `jsonapi:"attr,maxUses,omitempty"`
	MachineUniquenessStrategy     *string          `jsonapi:"attr,machineUniquenessStrategy,omitempty"`
	MachineMatchingStrategy       *string          `jsonapi:"attr,machineMatchingStrategy,omitempty"`
	ComponentUniquenessStrategy   *string          `jsonapi:"attr,componentUniquenessStrategy,omitempty"`
	ComponentMatchingStrategy     *string          `jsonapi:"attr,componentMatchingStrategy,omitempty"`
	ExpirationStrategy            *string          `jsonapi:"attr,expirationStrategy,omitempty"`
	ExpirationBasis               *string          `jsonapi:"attr,expirationBasis,omitempty"`
	RenewalBasis                  *string          `jsonapi:"attr,renewalBasis,omitempty"`
	TransferStrategy              *string          `jsonapi:"attr,transferStrategy,omitempty"`
	AuthenticationStrategy        *string          `jsonapi:"attr,authenticationStrategy,omitempty"`
	MachineLeasingStrategy        *string          `jsonapi:"attr,machineLeasingStrategy,omitempty"`
	ProcessLeasingStrategy        *string          `jsonapi:"attr,processLeasingStrategy,omitempty"`
	OverageStrategy               *string          `jsonapi:"attr,overageStrategy,omitempty"`
	Protected                     *bool            `jsonapi:"attr,protected,omitempty"`
	RequireProductScope           *bool            `jsonapi:"attr,requireProductScope,omitempty"`
	RequirePolicyScope            *bool            `jsonapi:"attr,requirePolicyScope,omitempty"`
	RequireMachineScope           *bool            `jsonapi:"attr,requireMachineScope,omitempty"`
	RequireFingerprintScope       *bool            `jsonapi:"attr,requireFingerprintScope,omitempty"`
	RequireComponentsScope        *bool            `jsonapi:"attr,requireComponentsScope,omitempty"`
	RequireUserScope              *bool            `jsonapi:"attr,requireUserScope,omitempty"`
	RequireChecksumScope          *bool            `jsonapi:"attr,requireChecksumScope,omitempty"`
	RequireVersionScope           *bool            `jsonapi:"attr,requireVersionScope,omitempty"`
	RequireCheckIn                *bool            `jsonapi:"attr,requireCheckIn,omitempty"`
	CheckInInterval               Nullable[string] `jsonapi:"attr,checkInInterval,omitempty"`
	CheckInIntervalCount          Nullable[int]    `jsonapi:"attr,checkInIntervalCount,omitempty"`
	RequireHeartbeat              *bool            `jsonapi:"attr,requireHeartbeat,omitempty"`
	HeartbeatDuration             Nullable[int]    `jsonapi:"attr,heartbeatDuration,omitempty"`
	HeartbeatCullStrategy         *string          `jsonapi:"attr,heartbeatCullStrategy,omitempty"`
	HeartbeatResurrectionStrategy *string          `jsonapi:"attr,heartbeatResurrectionStrategy,omitempty"`
	HeartbeatBasis                *string          `jsonapi:"attr,heartbeatBasis,omitempty"`
	// Metadata replaces the whole metadata object when non-nil.
	Metadata map[string]any `jsonapi:"attr,metadata,omitempty"`
}

// PolicyListOptions filter a policy list (keygen-sh/keygen-api,
// app/controllers/api/v1/policies_controller.rb).
type PolicyListOptions struct {
	ListOptions
	// Product keeps the policies of one product (by id).
	Product string
}

// PoliciesService manages policies and their key pools.
type PoliciesService struct{ service }

// Create creates a policy for a product: POST /v1/accounts/{account}/policies.
func (s *PoliciesService) Create(ctx context.Context, opts PolicyCreateOptions) (*Policy, error) {
	if strings.TrimSpace(opts.ProductID) == "" {
		return nil, argErr("Policies.Create", "ProductID is required")
	}
	if strings.TrimSpace(opts.Name) == "" {
		return nil, argErr("Policies.Create", "Name is required")
	}
	a, err := jsonapi.Attributes(&opts)
	if err != nil {
		return nil, err
	}
	body := jsonapi.Body{Data: jsonapi.Object{
		Type:          "policies",
		Attributes:    a,
		Relationships: map[string]any{"product": jsonapi.LinkTo("products", opts.ProductID)},
	}}
	return sendOne[Policy](ctx, s.c, &request{method: "POST", path: "/policies", body: body})
}

// Get fetches a policy: GET /v1/accounts/{account}/policies/{id}.
func (s *PoliciesService) Get(ctx context.Context, id string) (*Policy, error) {
	return getByID[Policy](ctx, s.c, "/policies/%s", id)
}

// Update changes a policy: PATCH /v1/accounts/{account}/policies/{id}. Its licenses follow
// the new rules from their next validation.
func (s *PoliciesService) Update(ctx context.Context, id string, opts PolicyUpdateOptions) (*Policy, error) {
	path, err := pathf("/policies/%s", id)
	if err != nil {
		return nil, err
	}
	a, err := jsonapi.Attributes(&opts)
	if err != nil {
		return nil, err
	}
	body := jsonapi.Body{Data: jsonapi.Object{Type: "policies", Attributes: a}}
	return sendOne[Policy](ctx, s.c, &request{method: "PATCH", path: path, body: body})
}

// Delete deletes a policy and, asynchronously, its licenses:
// DELETE /v1/accounts/{account}/policies/{id}.
func (s *PoliciesService) Delete(ctx context.Context, id string) error {
	return deleteByID(ctx, s.c, "/policies/%s", id)
}

// encode writes the paging parameters and the filters (nil options write nothing).
func (o *PolicyListOptions) encode(q *query.Values) error {
	if o == nil {
		return nil
	}
	if err := o.ListOptions.encode(q); err != nil {
		return err
	}
	q.String("product", o.Product)
	return nil
}

// List lists policies, newest first: GET /v1/accounts/{account}/policies.
func (s *PoliciesService) List(ctx context.Context, opts *PolicyListOptions) (*Page[Policy], error) {
	return listPage[Policy](ctx, s.c, "/policies", opts)
}

// All iterates over every policy matching opts: GET /v1/accounts/{account}/policies, page
// after page (see ListOptions for how). It stops at the first error (yielded once), when ctx is done, or when the
// loop breaks.
func (s *PoliciesService) All(ctx context.Context, opts *PolicyListOptions) iter.Seq2[*Policy, error] {
	return allOf(ctx, opts, s.List)
}

// PopKey takes the oldest key out of a pooled policy's pool and returns it, now deleted from
// Keygen: DELETE /v1/accounts/{account}/policies/{id}/pool. An unpooled policy or an empty
// pool is a *Error with status 422 (detail "pool is not supported" / "pool is empty", source
// pointer /data/relationships/pool).
func (s *PoliciesService) PopKey(ctx context.Context, policyID string) (*Key, error) {
	path, err := pathf("/policies/%s/pool", policyID)
	if err != nil {
		return nil, err
	}
	return sendOne[Key](ctx, s.c, &request{method: "DELETE", path: path, nonIdempotent: true})
}

// ListEntitlements lists a policy's entitlements, which every license of the policy holds:
// GET /v1/accounts/{account}/policies/{id}/entitlements.
func (s *PoliciesService) ListEntitlements(ctx context.Context, policyID string, opts *ListOptions) (*Page[Entitlement], error) {
	return listRelated[Entitlement](ctx, s.c, "/policies/%s/entitlements", policyID, opts)
}

// AttachEntitlements grants entitlements to every license of a policy:
// POST /v1/accounts/{account}/policies/{id}/entitlements with 1 to 100 entitlement ids. All
// or none are attached: an unknown id is a 422 ENTITLEMENT_NOT_FOUND, one already attached
// ENTITLEMENT_TAKEN.
func (s *PoliciesService) AttachEntitlements(ctx context.Context, policyID string, entitlementIDs ...string) error {
	return attachIDs(ctx, s.c, "Policies.AttachEntitlements", "/policies/%s/entitlements", policyID, "entitlements", entitlementIDs)
}

// DetachEntitlements takes entitlements away from a policy and its licenses:
// DELETE /v1/accounts/{account}/policies/{id}/entitlements with 1 to 100 entitlement ids. An
// id that is not attached fails the call (422, pointer /data/<index>) and none is detached.
func (s *PoliciesService) DetachEntitlements(ctx context.Context, policyID string, entitlementIDs ...string) error {
	return detachIDs(ctx, s.c, "Policies.DetachEntitlements", "/policies/%s/entitlements", policyID, "entitlements", entitlementIDs)
}
