package keygen

import (
	"context"
	"iter"
	"strings"
	"time"

	"github.com/licensekit/keygen/internal/jsonapi"
	"github.com/licensekit/keygen/internal/query"
)

// Process is a running instance of an app on a machine, counted against the license's
// maxProcesses and kept alive by pings (keygen-sh/keygen-api,
// app/serializers/machine_process_serializer.rb, app/models/machine_process.rb).
type Process struct {
	ID string `json:"-"`
	// PID identifies the process on its machine (unique per machine, 422 PID_TAKEN).
	PID string `json:"pid"`
	// Status is ALIVE or DEAD, and RESURRECTED in the one answer to the ping that revived a
	// dead process (later reads say ALIVE).
	Status string `json:"status"`
	// LastHeartbeat is set on spawn and by every ping; NextHeartbeat is LastHeartbeat plus
	// Interval, after which the process is dead.
	LastHeartbeat time.Time `json:"lastHeartbeat"`
	NextHeartbeat time.Time `json:"nextHeartbeat"`
	// Interval is the heartbeat interval in seconds: the policy's heartbeatDuration, else 600.
	Interval int            `json:"interval"`
	Metadata map[string]any `json:"metadata"`
	Created  time.Time      `json:"created"`
	Updated  time.Time      `json:"updated"`

	MachineID     string `json:"-"`
	LicenseID     string `json:"-"`
	ProductID     string `json:"-"`
	AccountID     string `json:"-"`
	EnvironmentID string `json:"-"`
}

func (*Process) resourceType() string { return "processes" }

func (p *Process) bind(r *jsonapi.Head) error {
	p.ID = r.ID
	p.MachineID = r.Relationships.Machine.ID()
	p.LicenseID = r.Relationships.License.ID()
	p.ProductID = r.Relationships.Product.ID()
	p.AccountID = r.Relationships.Account.ID()
	p.EnvironmentID = r.Relationships.Environment.ID()
	return nil
}

// ProcessesService spawns, pings and kills processes.
type ProcessesService struct{ service }

// ProcessCreateOptions spawn a process on a machine. MachineID (an id, not a fingerprint) and
// PID are required.
type ProcessCreateOptions struct {
	MachineID string
	PID       string         `jsonapi:"attr,pid"`
	Metadata  map[string]any `jsonapi:"attr,metadata,omitempty"`
}

// ProcessUpdateOptions change a process; the pid cannot change. Metadata needs a privileged
// bearer.
type ProcessUpdateOptions struct {
	// Metadata replaces the whole metadata object when non-nil.
	Metadata map[string]any `jsonapi:"attr,metadata,omitempty"`
}

// ProcessListOptions filter a process list (the has_scope filters of
// app/controllers/api/v1/machine_processes_controller.rb).
type ProcessListOptions struct {
	ListOptions
	Machine string
	License string
	Product string
	Owner   string
	User    string
	// Status is ALIVE or DEAD.
	Status string
}

func (o *ProcessListOptions) encode(q *query.Values) error {
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
	q.String("status", o.Status)
	return nil
}

// Create spawns a process: POST /v1/accounts/{account}/processes. Over the license's process
// limit (per machine, license or user, as the policy's processLeasingStrategy says) Keygen
// answers 422 MACHINE_PROCESS_LIMIT_EXCEEDED. With WithPublicKey the answer must be a process
// of opts.MachineID with opts.PID, or the call fails with ErrSignatureInvalid.
func (s *ProcessesService) Create(ctx context.Context, opts ProcessCreateOptions) (*Process, error) {
	const op = "Processes.Create"
	switch {
	case strings.TrimSpace(opts.MachineID) == "":
		return nil, argErr(op, "MachineID is required")
	case strings.TrimSpace(opts.PID) == "":
		return nil, argErr(op, "PID is required")
	}
	attrs, err := jsonapi.Attributes(&opts)
	if err != nil {
		return nil, err
	}
	body := jsonapi.Body{Data: jsonapi.Object{
		Type:          "processes",
		Attributes:    attrs,
		Relationships: map[string]any{"machine": jsonapi.LinkTo("machines", opts.MachineID)},
	}}
	p, err := sendOne[Process](ctx, s.c, &request{method: "POST", path: "/processes", body: body})
	if err != nil {
		return nil, err
	}
	if s.c.cfg.publicKey != nil && (p.MachineID != opts.MachineID || p.PID != opts.PID) {
		// As for machine activations: the request body is not signed, so a relay could spawn
		// on another machine and hand back that genuine signed answer as ours.
		return nil, sigErr("process answer is for another machine or pid than the one sent (a relayed answer?)")
	}
	return p, nil
}

// Get fetches a process: GET /v1/accounts/{account}/processes/{id}.
func (s *ProcessesService) Get(ctx context.Context, id string) (*Process, error) {
	return getByID[Process](ctx, s.c, "/processes/%s", id)
}

// Update changes a process's metadata: PATCH /v1/accounts/{account}/processes/{id}.
func (s *ProcessesService) Update(ctx context.Context, id string, opts ProcessUpdateOptions) (*Process, error) {
	return updateByID[Process](ctx, s.c, "/processes/%s", id, "processes", &opts)
}

// Delete kills a process, freeing its place under the process limit:
// DELETE /v1/accounts/{account}/processes/{id}.
func (s *ProcessesService) Delete(ctx context.Context, id string) error {
	return deleteByID(ctx, s.c, "/processes/%s", id)
}

// List lists processes, newest first: GET /v1/accounts/{account}/processes.
func (s *ProcessesService) List(ctx context.Context, opts *ProcessListOptions) (*Page[Process], error) {
	return listPage[Process](ctx, s.c, "/processes", opts)
}

// All iterates over every process matching opts: GET /v1/accounts/{account}/processes, page
// after page (see ListOptions for how). It stops at the first error (yielded once), when ctx
// is done, or when the loop breaks.
func (s *ProcessesService) All(ctx context.Context, opts *ProcessListOptions) iter.Seq2[*Process, error] {
	return allOf(ctx, opts, s.List)
}

// Ping sends a process heartbeat: POST /v1/accounts/{account}/processes/{id}/actions/ping.
// A dead process comes back with Status RESURRECTED when the policy's resurrection strategy
// allows it; otherwise Keygen answers 422 PROCESS_HEARTBEAT_DEAD
// (app/controllers/api/v1/machine_processes/actions/heartbeats_controller.rb), and the app
// should spawn a new process.
func (s *ProcessesService) Ping(ctx context.Context, id string) (*Process, error) {
	path, err := pathf("/processes/%s/actions/ping", id)
	if err != nil {
		return nil, err
	}
	return sendOne[Process](ctx, s.c, &request{method: "POST", path: path})
}
