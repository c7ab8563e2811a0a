package keygen

import (
	"time"

	"github.com/licensekit/keygen/internal/jsonapi"
)

// Policy holds the rules its licenses follow (keygen-api.md §2.3).
type Policy struct {
	ID   string `jsonapi:"primary,policies"`
	Name string `jsonapi:"attr,name"`
	// Duration is how long licenses last, in seconds; nil means they do not expire.
	Duration     *int   `jsonapi:"attr,duration"`
	Strict       bool   `jsonapi:"attr,strict"`
	Floating     bool   `jsonapi:"attr,floating"`
	UsePool      bool   `jsonapi:"attr,usePool"`
	MaxMachines  *int   `jsonapi:"attr,maxMachines"`
	MaxProcesses *int   `jsonapi:"attr,maxProcesses"`
	MaxUsers     *int   `jsonapi:"attr,maxUsers"`
	MaxCores     *int   `jsonapi:"attr,maxCores"`
	MaxMemory    *int64 `jsonapi:"attr,maxMemory"`
	MaxDisk      *int64 `jsonapi:"attr,maxDisk"`
	MaxUses      *int   `jsonapi:"attr,maxUses"`

	MachineUniquenessStrategy   string `jsonapi:"attr,machineUniquenessStrategy"`
	MachineMatchingStrategy     string `jsonapi:"attr,machineMatchingStrategy"`
	ComponentUniquenessStrategy string `jsonapi:"attr,componentUniquenessStrategy"`
	ComponentMatchingStrategy   string `jsonapi:"attr,componentMatchingStrategy"`
	ExpirationStrategy          string `jsonapi:"attr,expirationStrategy"`
	ExpirationBasis             string `jsonapi:"attr,expirationBasis"`
	RenewalBasis                string `jsonapi:"attr,renewalBasis"`
	TransferStrategy            string `jsonapi:"attr,transferStrategy"`
	AuthenticationStrategy      string `jsonapi:"attr,authenticationStrategy"`
	MachineLeasingStrategy      string `jsonapi:"attr,machineLeasingStrategy"`
	ProcessLeasingStrategy      string `jsonapi:"attr,processLeasingStrategy"`
	OverageStrategy             string `jsonapi:"attr,overageStrategy"`

	// Scheme is the signing scheme of license keys (ED25519_SIGN…), nil for plain keys.
	Scheme    *string `jsonapi:"attr,scheme"`
	Encrypted bool    `jsonapi:"attr,encrypted"`
	Protected bool    `jsonapi:"attr,protected"`

	RequireProductScope     bool `jsonapi:"attr,requireProductScope"`
	RequirePolicyScope      bool `jsonapi:"attr,requirePolicyScope"`
	RequireMachineScope     bool `jsonapi:"attr,requireMachineScope"`
	RequireFingerprintScope bool `jsonapi:"attr,requireFingerprintScope"`
	RequireComponentsScope  bool `jsonapi:"attr,requireComponentsScope"`
	RequireUserScope        bool `jsonapi:"attr,requireUserScope"`
	RequireChecksumScope    bool `jsonapi:"attr,requireChecksumScope"`
	RequireVersionScope     bool `jsonapi:"attr,requireVersionScope"`

	RequireCheckIn       bool    `jsonapi:"attr,requireCheckIn"`
	CheckInInterval      *string `jsonapi:"attr,checkInInterval"`
	CheckInIntervalCount *int    `jsonapi:"attr,checkInIntervalCount"`

	RequireHeartbeat              bool   `jsonapi:"attr,requireHeartbeat"`
	HeartbeatDuration             *int   `jsonapi:"attr,heartbeatDuration"`
	HeartbeatCullStrategy         string `jsonapi:"attr,heartbeatCullStrategy"`
	HeartbeatResurrectionStrategy string `jsonapi:"attr,heartbeatResurrectionStrategy"`
	HeartbeatBasis                string `jsonapi:"attr,heartbeatBasis"`

	Metadata map[string]any `jsonapi:"attr,metadata"`
	Created  time.Time      `jsonapi:"attr,created,iso8601"`
	Updated  time.Time      `jsonapi:"attr,updated,iso8601"`

	ProductID     string
	AccountID     string
	EnvironmentID string
}

func (p *Policy) fromResource(r *jsonapi.Resource) error {
	if err := jsonapi.Unmarshal(r, p); err != nil {
		return err
	}
	p.ProductID = r.RelID("product")
	p.AccountID = r.RelID("account")
	p.EnvironmentID = r.RelID("environment")
	return nil
}

// PoliciesService manages policies.
type PoliciesService struct{ service }
