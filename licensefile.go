package keygen

import (
	"fmt"
	"time"

	"github.com/licensekit/keygen/internal/jsonapi"
)

// LicenseFile is a checked-out license file (keygen-sh/keygen-api,
// app/services/license_checkout_service.rb): a signed, optionally encrypted certificate that
// lets an app validate offline until Expiry.
type LicenseFile struct {
	ID string `json:"-"`
	// Certificate is the "-----BEGIN LICENSE FILE-----" text to store on disk.
	Certificate string `json:"certificate"`
	// Algorithm is e.g. "aes-256-gcm+ed25519" or "base64+ed25519".
	Algorithm string     `json:"algorithm"`
	Includes  []string   `json:"includes"`
	TTL       *int       `json:"ttl"`
	Expiry    *time.Time `json:"expiry"`
	Issued    time.Time  `json:"issued"`

	LicenseID     string `json:"-"`
	AccountID     string `json:"-"`
	EnvironmentID string `json:"-"`
}

func (*LicenseFile) resourceType() string { return "license-files" }

func (f *LicenseFile) bind(r *jsonapi.Head) error {
	f.ID = r.ID
	f.LicenseID = r.Relationships.License.ID()
	f.AccountID = r.Relationships.Account.ID()
	f.EnvironmentID = r.Relationships.Environment.ID()
	return nil
}

// MachineFile is a checked-out machine file: like a license file, bound to one machine.
type MachineFile struct {
	ID          string     `json:"-"`
	Certificate string     `json:"certificate"`
	Algorithm   string     `json:"algorithm"`
	Includes    []string   `json:"includes"`
	TTL         *int       `json:"ttl"`
	Expiry      *time.Time `json:"expiry"`
	Issued      time.Time  `json:"issued"`

	MachineID     string `json:"-"`
	LicenseID     string `json:"-"`
	AccountID     string `json:"-"`
	EnvironmentID string `json:"-"`
}

func (*MachineFile) resourceType() string { return "machine-files" }

func (f *MachineFile) bind(r *jsonapi.Head) error {
	f.ID = r.ID
	f.MachineID = r.Relationships.Machine.ID()
	f.LicenseID = r.Relationships.License.ID()
	f.AccountID = r.Relationships.Account.ID()
	f.EnvironmentID = r.Relationships.Environment.ID()
	return nil
}

// CheckOutOptions shape a license or machine file (keygen-sh/keygen-api,
// app/controllers/api/v1/licenses/actions/checkouts_controller.rb).
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
