package keygen

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The three ways to ask "does this license hold entitlement X?" give the same answers: a
// validation scoped to PRO and SYNC that came back valid, and license and machine files that
// include the license's entitlements PRO and SYNC. Codes compare exactly, as Keygen does.
func TestHasEntitlementAgreesAcrossValidationAndFiles(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "POST", path: "/licenses/" + licenseID + "/actions/validate", golden: "licenses_validate.json", fixture: "license_validation.json"})
	v, err := c.Licenses.Validate(context.Background(), licenseID, &ValidateOptions{
		Nonce: 42,
		Scope: &ValidationScope{Fingerprint: "4c:8e:91:0a:b2:7d", Product: "2313b7e7-1ea6-4a01-901e-2931de6bb1e2", Entitlements: []string{"PRO", "SYNC"}},
	})
	require.NoError(t, err)
	require.True(t, v.Valid)
	lf := openEntitledLicenseFile(t)
	mf := openEntitledMachineFile(t)

	holders := map[string]interface {
		HasEntitlement(string) bool
		EntitlementCodes() []string
	}{"validation": v, "license file": lf, "machine file": mf}
	for name, h := range holders {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, []string{"PRO", "SYNC"}, h.EntitlementCodes())
			for code, want := range map[string]bool{
				"PRO": true, "SYNC": true,
				"pro": false, "Sync": false, " PRO": false, // exact, case-sensitive
				"EXPORT": false, "": false,
			} {
				assert.Equal(t, want, h.HasEntitlement(code), "%q", code)
			}
		})
	}
}

// A validation proves only the entitlements of its scope, and only when it is valid: Keygen
// checks the scope before any check that can still answer valid.
func TestValidationHasEntitlementOnlyWhenValid(t *testing.T) {
	scoped := &ValidationScope{Entitlements: []string{"PRO", "PRO", "SYNC"}}
	for _, tc := range []struct {
		name string
		v    *Validation
		want []string
	}{
		{"valid with the scope, repeats dropped", &Validation{Valid: true, Code: ValidationValid, Scope: scoped}, []string{"PRO", "SYNC"}},
		// Lenient policies answer valid with EXPIRED or TOO_MANY_*: those come after the
		// entitlements check, which therefore passed.
		{"valid although expired", &Validation{Valid: true, Code: ValidationExpired, Scope: scoped}, []string{"PRO", "SYNC"}},
		{"entitlements missing", &Validation{Valid: false, Code: ValidationEntitlementsMissing, Scope: scoped}, nil},
		// A later scope check failed: the entitlements passed, but the answer is not valid.
		{"fingerprint mismatch", &Validation{Valid: false, Code: ValidationFingerprintScopeMismatch, Scope: scoped}, nil},
		{"valid without a scope", &Validation{Valid: true, Code: ValidationValid}, nil},
		{"valid with another scope", &Validation{Valid: true, Code: ValidationValid, Scope: &ValidationScope{Fingerprint: "fp"}}, nil},
		{"nil", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.v.EntitlementCodes())
			assert.Equal(t, tc.want != nil, tc.v.HasEntitlement("PRO"))
			assert.Equal(t, tc.want != nil, tc.v.HasEntitlement("SYNC"))
			assert.False(t, tc.v.HasEntitlement("EXPORT"))
		})
	}
}

// A file checked out without its entitlements holds none, whatever the license has.
func TestFileWithoutEntitlementsHoldsNone(t *testing.T) {
	k := testKeys(t)
	cert := buildCertificate(t, "machine", "base64+ed25519", k.ed, "", fixture(t, "machine_file_payload.json"))
	d, err := OpenMachineFile(cert, edHex(k.ed), testLicenseKey, testFingerprint)
	require.NoError(t, err)
	assert.Empty(t, d.EntitlementCodes())
	assert.False(t, d.HasEntitlement("EXPORT"))

	var none *LicenseFileData
	assert.False(t, none.HasEntitlement("PRO"))
	var noMachine *MachineFileData
	assert.Nil(t, noMachine.EntitlementCodes())
}
