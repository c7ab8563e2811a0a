package keygen

import (
	"context"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/licensekit/keygen/internal/jsonapi"
	"github.com/licensekit/keygen/internal/query"
)

// Entitlement is a named feature a license holds, through its policy or on its own
// (keygen-sh/keygen-api, app/serializers/entitlement_serializer.rb).
type Entitlement struct {
	ID   string `json:"-"`
	Name string `json:"name"`
	// Code is what apps check (HasEntitlement) and validation scopes name. Keygen keeps it
	// unique per account ignoring case, but compares it exactly when it validates.
	Code     string         `json:"code"`
	Metadata map[string]any `json:"metadata"`
	Created  time.Time      `json:"created"`
	Updated  time.Time      `json:"updated"`

	AccountID     string `json:"-"`
	EnvironmentID string `json:"-"`
}

func (*Entitlement) resourceType() string { return "entitlements" }

func (e *Entitlement) bind(r *jsonapi.Head) error {
	e.ID = r.ID
	e.AccountID = r.Relationships.Account.ID()
	e.EnvironmentID = r.Relationships.Environment.ID()
	return nil
}

// EntitlementsService manages entitlements. Policies and licenses attach them
// (PoliciesService.AttachEntitlements, LicensesService.AttachEntitlements).
type EntitlementsService struct{ service }

// EntitlementCreateOptions are the attributes of a new entitlement. Name and Code are
// required; a code taken in any case is a 422 CODE_TAKEN.
type EntitlementCreateOptions struct {
	Name     string         `jsonapi:"attr,name"`
	Code     string         `jsonapi:"attr,code"`
	Metadata map[string]any `jsonapi:"attr,metadata,omitempty"`
}

// EntitlementUpdateOptions change an entitlement; nil fields are left unchanged. Name and
// Code cannot be cleared.
type EntitlementUpdateOptions struct {
	Name *string `jsonapi:"attr,name,omitempty"`
	Code *string `jsonapi:"attr,code,omitempty"`
	// Metadata replaces the whole metadata object when non-nil.
	Metadata map[string]any `jsonapi:"attr,metadata,omitempty"`
}

// EntitlementListOptions page an entitlement list (Keygen has no entitlement filters:
// app/controllers/api/v1/entitlements_controller.rb declares no scopes).
type EntitlementListOptions struct {
	ListOptions
}

func (o *EntitlementListOptions) encode(q *query.Values) error {
	if o == nil {
		return nil
	}
	return o.ListOptions.encode(q)
}

// Create creates an entitlement: POST /v1/accounts/{account}/entitlements.
func (s *EntitlementsService) Create(ctx context.Context, opts EntitlementCreateOptions) (*Entitlement, error) {
	const op = "Entitlements.Create"
	if strings.TrimSpace(opts.Name) == "" {
		return nil, argErr(op, "Name is required")
	}
	if strings.TrimSpace(opts.Code) == "" {
		return nil, argErr(op, "Code is required")
	}
	attrs, err := jsonapi.Attributes(&opts)
	if err != nil {
		return nil, err
	}
	body := jsonapi.Body{Data: jsonapi.Object{Type: "entitlements", Attributes: attrs}}
	return sendOne[Entitlement](ctx, s.c, &request{method: "POST", path: "/entitlements", body: body})
}

// Get fetches an entitlement by id or code: GET /v1/accounts/{account}/entitlements/{id}.
// A code matches exactly, case included.
func (s *EntitlementsService) Get(ctx context.Context, idOrCode string) (*Entitlement, error) {
	return getByID[Entitlement](ctx, s.c, "/entitlements/%s", idOrCode)
}

// Update changes an entitlement, by id or code:
// PATCH /v1/accounts/{account}/entitlements/{id}. A new code applies to validations at once:
// apps that check the old one stop finding it.
func (s *EntitlementsService) Update(ctx context.Context, id string, opts EntitlementUpdateOptions) (*Entitlement, error) {
	const op = "Entitlements.Update"
	if opts.Name != nil && strings.TrimSpace(*opts.Name) == "" {
		return nil, argErr(op, "Name cannot be blank")
	}
	if opts.Code != nil && strings.TrimSpace(*opts.Code) == "" {
		return nil, argErr(op, "Code cannot be blank")
	}
	return updateByID[Entitlement](ctx, s.c, "/entitlements/%s", id, "entitlements", &opts)
}

// Delete deletes an entitlement, by id or code, detaching it from every policy and license:
// DELETE /v1/accounts/{account}/entitlements/{id}.
func (s *EntitlementsService) Delete(ctx context.Context, id string) error {
	return deleteByID(ctx, s.c, "/entitlements/%s", id)
}

// List lists entitlements, newest first: GET /v1/accounts/{account}/entitlements. A user or
// license bearer sees only the entitlements it holds.
func (s *EntitlementsService) List(ctx context.Context, opts *EntitlementListOptions) (*Page[Entitlement], error) {
	return listPage[Entitlement](ctx, s.c, "/entitlements", opts)
}

// All iterates over every entitlement: GET /v1/accounts/{account}/entitlements, page after
// page (see ListOptions for how). It stops at the first error (yielded once), when ctx is
// done, or when the loop breaks.
func (s *EntitlementsService) All(ctx context.Context, opts *EntitlementListOptions) iter.Seq2[*Entitlement, error] {
	return allOf(ctx, opts, s.List)
}

// Checking entitlements. Validation, LicenseFileData and MachineFileData answer the same
// question, "does this license hold the entitlement with this code?", with what each of them
// proves. Codes compare exactly, case included, as Keygen compares them when it validates an
// entitlements scope (keygen-sh/keygen-api, app/services/license_validation_service.rb).

// HasEntitlement reports whether the validation proves the license holds the entitlement
// code: the validation is Valid and code was among the entitlements of its scope. Keygen
// checks an entitlements scope before anything else that may still pass, and answers
// ENTITLEMENTS_MISSING (not valid) when the license lacks any of them, so a valid answer
// proves every code it was asked about, and nothing else. To ask about a code, validate with
// it in ValidationScope.Entitlements; a validation without that scope (QuickValidate, for
// one) proves no entitlement.
func (v *Validation) HasEntitlement(code string) bool {
	return code != "" && slices.Contains(v.EntitlementCodes(), code)
}

// EntitlementCodes are the codes the validation proves the license holds (see
// HasEntitlement), without repeats; none unless it is Valid.
func (v *Validation) EntitlementCodes() []string {
	if v == nil || !v.Valid || v.Scope == nil {
		return nil
	}
	return uniqueCodes(v.Scope.Entitlements)
}

// HasEntitlement reports whether the license file lists the entitlement code among the
// entitlements it includes: those of its policy and its own. The file must have been checked
// out with Include "entitlements"; one checked out without holds no entitlement, so this
// answers false. The file says what was true when it was issued: check ValidAt too.
func (d *LicenseFileData) HasEntitlement(code string) bool {
	return code != "" && slices.Contains(d.EntitlementCodes(), code)
}

// EntitlementCodes are the codes of the entitlements the license file includes (see
// HasEntitlement), without repeats.
func (d *LicenseFileData) EntitlementCodes() []string {
	if d == nil {
		return nil
	}
	return d.Included.entitlementCodes()
}

// HasEntitlement reports whether the machine file lists the entitlement code among its
// license's entitlements. The file must have been checked out with Include
// "license.entitlements"; one checked out without holds no entitlement, so this answers
// false. Check ValidAt too.
func (d *MachineFileData) HasEntitlement(code string) bool {
	return code != "" && slices.Contains(d.EntitlementCodes(), code)
}

// EntitlementCodes are the codes of the license entitlements the machine file includes (see
// HasEntitlement), without repeats.
func (d *MachineFileData) EntitlementCodes() []string {
	if d == nil {
		return nil
	}
	return d.Included.entitlementCodes()
}

func (in *Included) entitlementCodes() []string {
	codes := make([]string, 0, len(in.Entitlements))
	for _, e := range in.Entitlements {
		codes = append(codes, e.Code)
	}
	return uniqueCodes(codes)
}

// uniqueCodes drops empty codes and repeats, keeping the first order.
func uniqueCodes(codes []string) []string {
	var out []string
	for _, c := range codes {
		if c != "" && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}
