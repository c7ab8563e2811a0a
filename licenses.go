package keygen

import (
	"encoding/json"
	"time"

	"github.com/licensekit/keygen/internal/jsonapi"
)

// License is a license (keygen-api.md §2.6).
type License struct {
	ID   string  `jsonapi:"primary,licenses"`
	Name *string `jsonapi:"attr,name"`
	// Key is the license key; for signed schemes it is "key/<dataset>.<signature>".
	Key    string     `jsonapi:"attr,key"`
	Expiry *time.Time `jsonapi:"attr,expiry,iso8601"`
	// Status is ACTIVE, INACTIVE, EXPIRING, EXPIRED, SUSPENDED or BANNED.
	Status    string  `jsonapi:"attr,status"`
	Uses      int     `jsonapi:"attr,uses"`
	Suspended bool    `jsonapi:"attr,suspended"`
	Scheme    *string `jsonapi:"attr,scheme"`
	Encrypted bool    `jsonapi:"attr,encrypted"`
	Strict    bool    `jsonapi:"attr,strict"`
	Floating  bool    `jsonapi:"attr,floating"`
	Protected bool    `jsonapi:"attr,protected"`
	Version   *string `jsonapi:"attr,version"`

	MaxMachines  *int   `jsonapi:"attr,maxMachines"`
	MaxProcesses *int   `jsonapi:"attr,maxProcesses"`
	MaxUsers     *int   `jsonapi:"attr,maxUsers"`
	MaxCores     *int   `jsonapi:"attr,maxCores"`
	MaxMemory    *int64 `jsonapi:"attr,maxMemory"`
	MaxDisk      *int64 `jsonapi:"attr,maxDisk"`
	MaxUses      *int   `jsonapi:"attr,maxUses"`

	RequireHeartbeat bool       `jsonapi:"attr,requireHeartbeat"`
	RequireCheckIn   bool       `jsonapi:"attr,requireCheckIn"`
	LastValidated    *time.Time `jsonapi:"attr,lastValidated,iso8601"`
	LastCheckIn      *time.Time `jsonapi:"attr,lastCheckIn,iso8601"`
	NextCheckIn      *time.Time `jsonapi:"attr,nextCheckIn,iso8601"`
	LastCheckOut     *time.Time `jsonapi:"attr,lastCheckOut,iso8601"`

	Permissions []string       `jsonapi:"attr,permissions"`
	Metadata    map[string]any `jsonapi:"attr,metadata"`
	Created     time.Time      `jsonapi:"attr,created,iso8601"`
	Updated     time.Time      `jsonapi:"attr,updated,iso8601"`

	ProductID     string
	PolicyID      string
	OwnerID       string
	GroupID       string
	AccountID     string
	EnvironmentID string
	// MachineCount and the machine totals come from the machines relationship's meta.
	MachineCount int
	MachineCores int64
	// UserCount is the number of users (owner and licensees) from the users relationship's meta.
	UserCount int
}

func (l *License) fromResource(r *jsonapi.Resource) error {
	if err := jsonapi.Unmarshal(r, l); err != nil {
		return err
	}
	l.ProductID = r.RelID("product")
	l.PolicyID = r.RelID("policy")
	l.OwnerID = r.RelID("owner")
	l.GroupID = r.RelID("group")
	l.AccountID = r.RelID("account")
	l.EnvironmentID = r.RelID("environment")
	if m := r.Relationships["machines"].Meta; len(m) > 0 {
		var meta struct {
			Count int   `json:"count"`
			Cores int64 `json:"cores"`
		}
		if err := json.Unmarshal(m, &meta); err == nil {
			l.MachineCount, l.MachineCores = meta.Count, meta.Cores
		}
	}
	if m := r.Relationships["users"].Meta; len(m) > 0 {
		var meta struct {
			Count int `json:"count"`
		}
		if err := json.Unmarshal(m, &meta); err == nil {
			l.UserCount = meta.Count
		}
	}
	return nil
}

// LicensesService manages licenses and their actions.
type LicensesService struct{ service }
