package keygen

import (
	"fmt"
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

// Verify checks the file's certificate signature with the account public key (see
// LicenseFileCertificate.Verify).
func (f *LicenseFile) Verify(publicKey string) error {
	c, err := ParseLicenseFile(f.Certificate)
	if err != nil {
		return err
	}
	return c.Verify(publicKey)
}

// Open verifies the file's certificate and then decrypts it with the license key (see
// OpenLicenseFile). There is deliberately no Decrypt without a public key: the payload is
// never decoded before its signature verifies. Check ValidAt on the result.
func (f *LicenseFile) Open(publicKey, licenseKey string) (*LicenseFileData, error) {
	d, err := OpenLicenseFile(f.Certificate, publicKey, licenseKey)
	if err != nil {
		return nil, err
	}
	if f.LicenseID != "" && d.License.ID != f.LicenseID {
		// The signed payload wins; an answer whose envelope disagrees with it is suspect.
		return nil, fmt.Errorf("keygen: license file is for license %s, the check-out answer said %s", d.License.ID, f.LicenseID)
	}
	return d, nil
}

// Verify checks the file's certificate signature with the account public key.
func (f *MachineFile) Verify(publicKey string) error {
	c, err := ParseMachineFile(f.Certificate)
	if err != nil {
		return err
	}
	return c.Verify(publicKey)
}

// Open verifies the file's certificate and then decrypts it with the license key and this
// machine's fingerprint (see OpenMachineFile). Check ValidAt on the result.
func (f *MachineFile) Open(publicKey, licenseKey, fingerprint string) (*MachineFileData, error) {
	d, err := OpenMachineFile(f.Certificate, publicKey, licenseKey, fingerprint)
	if err != nil {
		return nil, err
	}
	if f.MachineID != "" && d.Machine.ID != f.MachineID {
		return nil, fmt.Errorf("keygen: machine file is for machine %s, the check-out answer said %s", d.Machine.ID, f.MachineID)
	}
	return d, nil
}
