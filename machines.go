package keygen

import (
	"time"

	"github.com/licensekit/keygen/internal/jsonapi"
)

// Machine is a device activated on a license (keygen-api.md §2.7).
type Machine struct {
	ID          string  `jsonapi:"primary,machines"`
	Fingerprint string  `jsonapi:"attr,fingerprint"`
	Cores       *int    `jsonapi:"attr,cores"`
	Memory      *int64  `jsonapi:"attr,memory"`
	Disk        *int64  `jsonapi:"attr,disk"`
	IP          *string `jsonapi:"attr,ip"`
	Hostname    *string `jsonapi:"attr,hostname"`
	Platform    *string `jsonapi:"attr,platform"`
	Name        *string `jsonapi:"attr,name"`

	RequireHeartbeat bool `jsonapi:"attr,requireHeartbeat"`
	// HeartbeatStatus is NOT_STARTED, ALIVE, DEAD or RESURRECTED.
	HeartbeatStatus string `jsonapi:"attr,heartbeatStatus"`
	// HeartbeatDuration is the heartbeat interval in seconds.
	HeartbeatDuration int        `jsonapi:"attr,heartbeatDuration"`
	MaxProcesses      *int       `jsonapi:"attr,maxProcesses"`
	LastCheckOut      *time.Time `jsonapi:"attr,lastCheckOut,iso8601"`
	LastHeartbeat     *time.Time `jsonapi:"attr,lastHeartbeat,iso8601"`
	NextHeartbeat     *time.Time `jsonapi:"attr,nextHeartbeat,iso8601"`

	Metadata map[string]any `jsonapi:"attr,metadata"`
	Created  time.Time      `jsonapi:"attr,created,iso8601"`
	Updated  time.Time      `jsonapi:"attr,updated,iso8601"`

	ProductID     string
	LicenseID     string
	OwnerID       string
	GroupID       string
	AccountID     string
	EnvironmentID string
}

func (m *Machine) fromResource(r *jsonapi.Resource) error {
	if err := jsonapi.Unmarshal(r, m); err != nil {
		return err
	}
	m.ProductID = r.RelID("product")
	m.LicenseID = r.RelID("license")
	m.OwnerID = r.RelID("owner")
	m.GroupID = r.RelID("group")
	m.AccountID = r.RelID("account")
	m.EnvironmentID = r.RelID("environment")
	return nil
}

// MachinesService manages machines (activations).
type MachinesService struct{ service }
