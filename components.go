package keygen

import (
	"context"
	"iter"
	"strings"
	"time"

	"github.com/licensekit/keygen/internal/jsonapi"
	"github.com/licensekit/keygen/internal/query"
)

// Component is a hardware component of a machine (a disk, a board, a network card) with its
// own fingerprint, which a validation's components scope matches against
// (keygen-sh/keygen-api, app/serializers/machine_component_serializer.rb). Its license and
// product come through its machine.
type Component struct {
	ID          string         `json:"-"`
	Fingerprint string         `json:"fingerprint"`
	Name        string         `json:"name"`
	Metadata    map[string]any `json:"metadata"`
	Created     time.Time      `json:"created"`
	Updated     time.Time      `json:"updated"`

	MachineID     string `json:"-"`
	LicenseID     string `json:"-"`
	ProductID     string `json:"-"`
	AccountID     string `json:"-"`
	EnvironmentID string `json:"-"`
}

func (*Component) resourceType() string { return "components" }

func (c *Component) bind(r *jsonapi.Head) error {
	c.ID = r.ID
	c.MachineID = r.Relationships.Machine.ID()
	c.LicenseID = r.Relationships.License.ID()
	c.ProductID = r.Relationships.Product.ID()
	c.AccountID = r.Relationships.Account.ID()
	c.EnvironmentID = r.Relationships.Environment.ID()
	return nil
}

// ComponentsService manages machine components. Components can also be added with the
// machine itself, on activation (MachineCreateOptions.Components).
type ComponentsService struct{ service }

// ComponentCreateOptions add a component to a machine. MachineID, Fingerprint and Name are
// required. The fingerprint must be unique per the policy's component uniqueness strategy
// (422 FINGERPRINT_TAKEN otherwise) and cannot change later.
type ComponentCreateOptions struct {
	MachineID   string
	Fingerprint string         `jsonapi:"attr,fingerprint"`
	Name        string         `jsonapi:"attr,name"`
	Metadata    map[string]any `jsonapi:"attr,metadata,omitempty"`
}

// ComponentUpdateOptions change a component; nil fields are left unchanged. Metadata needs a
// privileged bearer: Keygen refuses it from a license or user (400).
type ComponentUpdateOptions struct {
	Name *string `jsonapi:"attr,name,omitempty"`
	// Metadata replaces the whole metadata object when non-nil.
	Metadata map[string]any `jsonapi:"attr,metadata,omitempty"`
}

// ComponentListOptions filter a component list by id (the has_scope filters of
// app/controllers/api/v1/machine_components_controller.rb).
type ComponentListOptions struct {
	ListOptions
	Machine string
	License string
	Product string
	Owner   string
	User    string
}

func (o *ComponentListOptions) encode(q *query.Values) error {
	if o == nil {
		return nil
	}
	if err := o.ListOptions.encode(q); err != nil {
		return err
	}
	q.String("machine", o.Machine)
	q.String("license", o.License)
	q.String("product", o.Product)
	q.String("owner", o.Owner)
	q.String("user", o.User)
	return nil
}

// Create adds a component to a machine: POST /v1/accounts/{account}/components. With
// WithPublicKey the answer must be a component of opts.MachineID with opts.Fingerprint, or
// the call fails with ErrSignatureInvalid.
func (s *ComponentsService) Create(ctx context.Context, opts ComponentCreateOptions) (*Component, error) {
	const op = "Components.Create"
	switch {
	case strings.TrimSpace(opts.MachineID) == "":
		return nil, argErr(op, "MachineID is required")
	case strings.TrimSpace(opts.Fingerprint) == "":
		return nil, argErr(op, "Fingerprint is required")
	case strings.TrimSpace(opts.Name) == "":
		return nil, argErr(op, "Name is required")
	}
	attrs, err := jsonapi.Attributes(&opts)
	if err != nil {
		return nil, err
	}
	body := jsonapi.Body{Data: jsonapi.Object{
		Type:          "components",
		Attributes:    attrs,
		Relationships: map[string]any{"machine": jsonapi.LinkTo("machines", opts.MachineID)},
	}}
	cp, err := sendOne[Component](ctx, s.c, &request{method: "POST", path: "/components", body: body})
	if err != nil {
		return nil, err
	}
	if s.c.cfg.publicKey != nil && (cp.MachineID != opts.MachineID || cp.Fingerprint != opts.Fingerprint) {
		// The request body is not signed: a relay could add another fingerprint, or to another
		// machine, and hand back that genuine signed answer as ours.
		return nil, sigErr("component answer is for another machine or fingerprint than the one sent (a relayed answer?)")
	}
	return cp, nil
}

// Get fetches a component by id: GET /v1/accounts/{account}/components/{id}.
func (s *ComponentsService) Get(ctx context.Context, id string) (*Component, error) {
	return getByID[Component](ctx, s.c, "/components/%s", id)
}

// Update changes a component: PATCH /v1/accounts/{account}/components/{id}.
func (s *ComponentsService) Update(ctx context.Context, id string, opts ComponentUpdateOptions) (*Component, error) {
	if opts.Name != nil && strings.TrimSpace(*opts.Name) == "" {
		return nil, argErr("Components.Update", "Name cannot be blank")
	}
	return updateByID[Component](ctx, s.c, "/components/%s", id, "components", &opts)
}

// Delete removes a component from its machine: DELETE /v1/accounts/{account}/components/{id}.
func (s *ComponentsService) Delete(ctx context.Context, id string) error {
	return deleteByID(ctx, s.c, "/components/%s", id)
}

// List lists components, newest first: GET /v1/accounts/{account}/components.
func (s *ComponentsService) List(ctx context.Context, opts *ComponentListOptions) (*Page[Component], error) {
	return listPage[Component](ctx, s.c, "/components", opts)
}

// All iterates over every component matching opts: GET /v1/accounts/{account}/components,
// page after page (see ListOptions for how). It stops at the first error (yielded once),
// when ctx is done, or when the loop breaks.
func (s *ComponentsService) All(ctx context.Context, opts *ComponentListOptions) iter.Seq2[*Component, error] {
	return allOf(ctx, opts, s.List)
}
