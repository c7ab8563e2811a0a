package keygen

import (
	"context"
	"fmt"
	"iter"
	"strings"
	"time"

	"github.com/licensekit/keygen/internal/jsonapi"
	"github.com/licensekit/keygen/internal/query"
)

// Machine is a device activated on a license (keygen-sh/keygen-api, app/models/machine.rb).
type Machine struct {
	ID          string  `json:"-"`
	Fingerprint string  `json:"fingerprint"`
	Cores       *int    `json:"cores"`
	Memory      *int64  `json:"memory"`
	Disk        *int64  `json:"disk"`
	IP          *string `json:"ip"`
	Hostname    *string `json:"hostname"`
	Platform    *string `json:"platform"`
	Name        *string `json:"name"`

	RequireHeartbeat bool `json:"requireHeartbeat"`
	// HeartbeatStatus is NOT_STARTED, ALIVE, DEAD or RESURRECTED.
	HeartbeatStatus string `json:"heartbeatStatus"`
	// HeartbeatDuration is the heartbeat interval in seconds.
	HeartbeatDuration int        `json:"heartbeatDuration"`
	MaxProcesses      *int       `json:"maxProcesses"`
	LastCheckOut      *time.Time `json:"lastCheckOut"`
	LastHeartbeat     *time.Time `json:"lastHeartbeat"`
	NextHeartbeat     *time.Time `json:"nextHeartbeat"`

	Metadata map[string]any `json:"metadata"`
	Created  time.Time      `json:"created"`
	Updated  time.Time      `json:"updated"`

	ProductID     string `json:"-"`
	LicenseID     string `json:"-"`
	OwnerID       string `json:"-"`
	GroupID       string `json:"-"`
	AccountID     string `json:"-"`
	EnvironmentID string `json:"-"`
}

func (*Machine) resourceType() string { return "machines" }

func (m *Machine) bind(r *jsonapi.Head) error {
	m.ID = r.ID
	m.ProductID = r.Relationships.Product.ID()
	m.LicenseID = r.Relationships.License.ID()
	m.OwnerID = r.Relationships.Owner.ID()
	m.GroupID = r.Relationships.Group.ID()
	m.AccountID = r.Relationships.Account.ID()
	m.EnvironmentID = r.Relationships.Environment.ID()
	return nil
}

// MachinesService manages machines (activations).
type MachinesService struct{ service }

// MachineCreateOptions activate a machine on a license. LicenseID and Fingerprint are
// required; the fingerprint identifies the device and must be unique per the policy's
// machine uniqueness strategy (422 FINGERPRINT_TAKEN otherwise).
type MachineCreateOptions struct {
	LicenseID   string
	Fingerprint string         `jsonapi:"attr,fingerprint"`
	Name        string         `jsonapi:"attr,name,omitempty"`
	IP          string         `jsonapi:"attr,ip,omitempty"`
	Hostname    string         `jsonapi:"attr,hostname,omitempty"`
	Platform    string         `jsonapi:"attr,platform,omitempty"`
	Cores       *int           `jsonapi:"attr,cores,omitempty"`
	Memory      *int64         `jsonapi:"attr,memory,omitempty"`
	Disk        *int64         `jsonapi:"attr,disk,omitempty"`
	Metadata    map[string]any `jsonapi:"attr,metadata,omitempty"`
	// OwnerID must be one of the license's users (422 OWNER_INVALID otherwise).
	OwnerID string
	// GroupID puts the machine in a group (privileged bearers only).
	GroupID string
	// Components are activated with the machine, at most 20 (keygen-sh/keygen-api,
	// app/models/machine.rb accepts nested components with limit: 20). All or none are
	// created: a fingerprint repeated in the list is a 422 COMPONENTS_FINGERPRINT_CONFLICT,
	// one already taken COMPONENTS_FINGERPRINT_TAKEN, each pointing at
	// /data/relationships/components/data/<index>/attributes/fingerprint.
	Components []MachineComponent
}

// maxMachineComponents is the most components one activation may carry.
const maxMachineComponents = 20

// MachineComponent is a component sent with a machine's activation; Fingerprint and Name are
// required. Once activated it is a Component (ComponentsService).
type MachineComponent struct {
	Fingerprint string         `jsonapi:"attr,fingerprint"`
	Name        string         `jsonapi:"attr,name"`
	Metadata    map[string]any `jsonapi:"attr,metadata,omitempty"`
}

// MachineUpdateOptions change a machine; zero fields are left unchanged. Cores, Memory, Disk
// and Metadata need a privileged bearer.
type MachineUpdateOptions struct {
	Name     Nullable[string] `jsonapi:"attr,name,omitempty"`
	IP       Nullable[string] `jsonapi:"attr,ip,omitempty"`
	Hostname Nullable[string] `jsonapi:"attr,hostname,omitempty"`
	Platform Nullable[string] `jsonapi:"attr,platform,omitempty"`
	Cores    Nullable[int]    `jsonapi:"attr,cores,omitempty"`
	Memory   Nullable[int64]  `jsonapi:"attr,memory,omitempty"`
	Disk     Nullable[int64]  `jsonapi:"attr,disk,omitempty"`
	// Metadata replaces the whole metadata object when non-nil.
	Metadata map[string]any `jsonapi:"attr,metadata,omitempty"`
}

// MachineListOptions filter a machine list (keygen-sh/keygen-api,
// app/controllers/api/v1/machines_controller.rb).
type MachineListOptions struct {
	ListOptions
	Product string
	Policy  string
	License string
	// Key filters by license key. It travels in the query string, which the SDK never logs.
	Key         string
	Fingerprint string
	IP          string
	Hostname    string
	User        string
	Owner       string
	Group       string
	// Status is the heartbeat status: ALIVE or DEAD.
	Status   string
	Metadata map[string]any
}

func (o *MachineListOptions) encode(q *query.Values) error {
	if o == nil {
		return nil
	}
	if err := o.ListOptions.encode(q); err != nil {
		return err
	}
	q.String("product", o.Product)
	q.String("policy", o.Policy)
	q.String("license", o.License)
	q.String("key", o.Key)
	q.String("fingerprint", o.Fingerprint)
	q.String("ip", o.IP)
	q.String("hostname", o.Hostname)
	q.String("user", o.User)
	q.String("owner", o.Owner)
	q.String("group", o.Group)
	q.String("status", o.Status)
	q.Map("metadata", o.Metadata)
	return nil
}

// Create activates a machine on a license: POST /v1/accounts/{account}/machines. A license
// key client (or license token) may activate its own license's machines. With WithPublicKey
// the answer must be a machine of opts.LicenseID with opts.Fingerprint, or the call fails
// with ErrSignatureInvalid.
func (s *MachinesService) Create(ctx context.Context, opts MachineCreateOptions) (*Machine, error) {
	if strings.TrimSpace(opts.LicenseID) == "" {
		return nil, argErr("Machines.Create", "LicenseID is required")
	}
	if strings.TrimSpace(opts.Fingerprint) == "" {
		return nil, argErr("Machines.Create", "Fingerprint is required")
	}
	components, err := machineComponents(opts.Components)
	if err != nil {
		return nil, err
	}
	attrs, err := jsonapi.Attributes(&opts)
	if err != nil {
		return nil, err
	}
	rels := map[string]any{"license": jsonapi.LinkTo("licenses", opts.LicenseID)}
	if opts.OwnerID != "" {
		rels["owner"] = jsonapi.LinkTo("users", opts.OwnerID)
	}
	if opts.GroupID != "" {
		rels["group"] = jsonapi.LinkTo("groups", opts.GroupID)
	}
	if components != nil {
		// Nested resources with attributes and no id: Keygen creates them with the machine.
		rels["components"] = map[string]any{"data": components}
	}
	body := jsonapi.Body{Data: jsonapi.Object{Type: "machines", Attributes: attrs, Relationships: rels}}
	m, err := sendOne[Machine](ctx, s.c, &request{method: "POST", path: "/machines", body: body})
	if err != nil {
		return nil, err
	}
	if s.c.cfg.publicKey != nil && (m.LicenseID != opts.LicenseID || m.Fingerprint != opts.Fingerprint) {
		// The request body is not signed: a relay could activate another fingerprint, or on
		// another license, and hand back that genuine signed answer as ours.
		return nil, sigErr("activation answer is for another license or fingerprint than the one sent (a relayed answer?)")
	}
	return m, nil
}

// machineComponents checks and encodes the components of an activation; nil for none.
func machineComponents(cs []MachineComponent) ([]jsonapi.Object, error) {
	const op = "Machines.Create"
	if len(cs) == 0 {
		return nil, nil
	}
	if len(cs) > maxMachineComponents {
		// Keygen would answer 422 "too many records", with no code.
		return nil, argErr(op, fmt.Sprintf("at most %d components per activation, got %d", maxMachineComponents, len(cs)))
	}
	out := make([]jsonapi.Object, len(cs))
	for i := range cs {
		if strings.TrimSpace(cs[i].Fingerprint) == "" || strings.TrimSpace(cs[i].Name) == "" {
			return nil, argErr(op, fmt.Sprintf("component %d needs a Fingerprint and a Name", i))
		}
		attrs, err := jsonapi.Attributes(&cs[i])
		if err != nil {
			return nil, err
		}
		out[i] = jsonapi.Object{Type: "components", Attributes: attrs}
	}
	return out, nil
}

// Get fetches a machine by id or fingerprint: GET /v1/accounts/{account}/machines/{id}.
func (s *MachinesService) Get(ctx context.Context, id string) (*Machine, error) {
	return getByID[Machine](ctx, s.c, "/machines/%s", id)
}

// Update changes a machine: PATCH /v1/accounts/{account}/machines/{id}.
func (s *MachinesService) Update(ctx context.Context, id string, opts MachineUpdateOptions) (*Machine, error) {
	return updateByID[Machine](ctx, s.c, "/machines/%s", id, "machines", &opts)
}

// Delete deactivates a machine, freeing its seat on the license:
// DELETE /v1/accounts/{account}/machines/{id}.
func (s *MachinesService) Delete(ctx context.Context, id string) error {
	return deleteByID(ctx, s.c, "/machines/%s", id)
}

// List lists machines, newest first: GET /v1/accounts/{account}/machines.
func (s *MachinesService) List(ctx context.Context, opts *MachineListOptions) (*Page[Machine], error) {
	return listPage[Machine](ctx, s.c, "/machines", opts)
}

// All iterates over every machine matching opts: GET /v1/accounts/{account}/machines, page
// after page (see ListOptions for how). It stops at the first error (yielded once), when ctx is done, or when
// the loop breaks.
func (s *MachinesService) All(ctx context.Context, opts *MachineListOptions) iter.Seq2[*Machine, error] {
	return allOf(ctx, opts, s.List)
}

// Ping sends a heartbeat: POST /v1/accounts/{account}/machines/{id}/actions/ping. A machine
// already dead, past its policy's resurrection window, answers 422 MACHINE_HEARTBEAT_DEAD;
// within the window it comes back with HeartbeatStatus RESURRECTED.
func (s *MachinesService) Ping(ctx context.Context, id string) (*Machine, error) {
	return s.action(ctx, id, "ping")
}

// Reset clears a machine's heartbeat (lastHeartbeat becomes null):
// POST /v1/accounts/{account}/machines/{id}/actions/reset.
func (s *MachinesService) Reset(ctx context.Context, id string) (*Machine, error) {
	return s.action(ctx, id, "reset")
}

func (s *MachinesService) action(ctx context.Context, id, action string) (*Machine, error) {
	path, err := pathf("/machines/%s/actions/"+action, id)
	if err != nil {
		return nil, err
	}
	return sendOne[Machine](ctx, s.c, &request{method: "POST", path: path})
}

// CheckOut issues a signed machine file for offline use:
// POST /v1/accounts/{account}/machines/{id}/actions/check-out (200). An encrypted machine
// file is keyed by the license key and this machine's fingerprint. nil opts takes Keygen's
// defaults: unencrypted, valid one month.
func (s *MachinesService) CheckOut(ctx context.Context, id string, opts *CheckOutOptions) (*MachineFile, error) {
	meta, err := checkOutMeta("Machines.CheckOut", opts)
	if err != nil {
		return nil, err
	}
	path, err := pathf("/machines/%s/actions/check-out", id)
	if err != nil {
		return nil, err
	}
	r := &request{method: "POST", path: path}
	if meta != nil {
		r.body = jsonapi.Body{Meta: meta}
	}
	return sendOne[MachineFile](ctx, s.c, r)
}

// ChangeOwner gives a machine to another user, or with an empty ownerID leaves it without
// owner: PUT /v1/accounts/{account}/machines/{id}/owner. The owner must be one of the
// license's users (422 otherwise).
func (s *MachinesService) ChangeOwner(ctx context.Context, machineID, ownerID string) (*Machine, error) {
	return changeToOne[Machine](ctx, s.c, "Machines.ChangeOwner", "/machines/%s/owner", machineID, "users", ownerID)
}

// ChangeGroup moves a machine to another group, or with an empty groupID out of its group:
// PUT /v1/accounts/{account}/machines/{id}/group. A full group is a 422
// GROUP_MACHINE_LIMIT_EXCEEDED, an unknown one GROUP_NOT_FOUND. A machine whose license is
// in a group cannot leave it: Keygen gives a machine with no group its license's group on
// every save (keygen-sh/keygen-api, app/models/machine.rb), so clearing answers with the
// license's group again.
func (s *MachinesService) ChangeGroup(ctx context.Context, machineID, groupID string) (*Machine, error) {
	return changeToOne[Machine](ctx, s.c, "Machines.ChangeGroup", "/machines/%s/group", machineID, "groups", groupID)
}
