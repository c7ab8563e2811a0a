package keygen

import (
	"time"

	"github.com/licensekit/keygen/internal/jsonapi"
)

// LicenseFile is a checked-out license file (keygen-api.md §2.6, §4.2): a signed, optionally
// encrypted certificate that lets an app validate offline until Expiry.
type LicenseFile struct {
	ID string `jsonapi:"primary,license-files"`
	// Certificate is the "-----BEGIN LICENSE FILE-----" text to store on disk.
	Certificate string `jsonapi:"attr,certificate"`
	// Algorithm is e.g. "aes-256-gcm+ed25519" or "base64+ed25519".
	Algorithm string     `jsonapi:"attr,algorithm"`
	Includes  []string   `jsonapi:"attr,includes"`
	TTL       *int       `jsonapi:"attr,ttl"`
	Expiry    *time.Time `jsonapi:"attr,expiry,iso8601"`
	Issued    time.Time  `jsonapi:"attr,issued,iso8601"`

	LicenseID     string
	AccountID     string
	EnvironmentID string
}

func (f *LicenseFile) fromResource(r *jsonapi.Resource) error {
	if err := jsonapi.Unmarshal(r, f); err != nil {
		return err
	}
	f.LicenseID = r.RelID("license")
	f.AccountID = r.RelID("account")
	f.EnvironmentID = r.RelID("environment")
	return nil
}

// MachineFile is a checked-out machine file: like a license file, bound to one machine.
type MachineFile struct {
	ID          string     `jsonapi:"primary,machine-files"`
	Certificate string     `jsonapi:"attr,certificate"`
	Algorithm   string     `jsonapi:"attr,algorithm"`
	Includes    []string   `jsonapi:"attr,includes"`
	TTL         *int       `jsonapi:"attr,ttl"`
	Expiry      *time.Time `jsonapi:"attr,expiry,iso8601"`
	Issued      time.Time  `jsonapi:"attr,issued,iso8601"`

	MachineID     string
	LicenseID     string
	AccountID     string
	EnvironmentID string
}

func (f *MachineFile) fromResource(r *jsonapi.Resource) error {
	if err := jsonapi.Unmarshal(r, f); err != nil {
		return err
	}
	f.MachineID = r.RelID("machine")
	f.LicenseID = r.RelID("license")
	f.AccountID = r.RelID("account")
	f.EnvironmentID = r.RelID("environment")
	return nil
}

// CheckOutOptions shape a license or machine file (keygen-api.md §2.6).
type CheckOutOptions struct {
	// Encrypt encrypts the file with aes-256-gcm, keyed by the license key (and fingerprint).
	Encrypt bool
	// Algorithm overrides the algorithm, e.g. "aes-256-gcm+ed25519".
	Algorithm string
	// TTL is the file's lifetime; zero keeps Keygen's default (one month), and NoExpiry asks
	// for a file that never expires. Keygen refuses less than an hour.
	TTL      time.Duration
	NoExpiry bool
	// Include embeds related resources, e.g. "entitlements", "product", "policy", "owner".
	Include []string
}
