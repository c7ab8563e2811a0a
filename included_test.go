package keygen

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// openEntitledLicenseFile signs testdata/license_file_entitled_payload.json (a license file
// checked out with include "entitlements" and "group") and opens it.
func openEntitledLicenseFile(t *testing.T) *LicenseFileData {
	t.Helper()
	k := testKeys(t)
	cert := buildCertificate(t, "license", "aes-256-gcm+ed25519", k.ed, testLicenseKey, fixture(t, "license_file_entitled_payload.json"))
	d, err := OpenLicenseFile(cert, edHex(k.ed), testLicenseKey)
	require.NoError(t, err)
	return d
}

// openEntitledMachineFile signs testdata/machine_file_entitled_payload.json (a machine file
// checked out with include "license", "license.entitlements", "components" and "group") and
// opens it.
func openEntitledMachineFile(t *testing.T) *MachineFileData {
	t.Helper()
	k := testKeys(t)
	cert := buildCertificate(t, "machine", "base64+ed25519", k.ed, "", fixture(t, "machine_file_entitled_payload.json"))
	d, err := OpenMachineFile(cert, edHex(k.ed), testLicenseKey, testFingerprint)
	require.NoError(t, err)
	return d
}

// assertEntitledIncludes checks the entitlements and the group both files include.
func assertEntitledIncludes(t *testing.T, in Included) {
	t.Helper()
	require.Len(t, in.Entitlements, 2)
	assertPro(t, in.Entitlements[0])
	s := in.Entitlements[1]
	assert.Equal(t, entitlementSync, s.ID)
	assert.Equal(t, "Cloud sync", s.Name)
	assert.Equal(t, "SYNC", s.Code)
	assert.Equal(t, map[string]any{}, s.Metadata)
	assert.Equal(t, mustTime(t, "2024-04-18T09:00:00Z"), s.Created)
	assert.Equal(t, "4f2d6e0a-0f0b-4f7e-9d3c-6c1f4d2b8a11", s.AccountID)
	assert.Empty(t, s.EnvironmentID)
	require.Len(t, in.Groups, 1)
	assertEngineering(t, in.Groups[0])
	assert.Empty(t, in.Other, "every included type has a model")
}

func TestLicenseFileTypedIncludes(t *testing.T) {
	d := openEntitledLicenseFile(t)
	assert.Equal(t, groupID, d.License.GroupID)
	assertEntitledIncludes(t, d.Included)
	assert.Empty(t, d.Included.Components)
	assert.Empty(t, d.Included.Licenses)
}

func TestMachineFileTypedIncludes(t *testing.T) {
	d := openEntitledMachineFile(t)
	assert.Equal(t, groupID, d.Machine.GroupID)
	require.NotNil(t, d.License)
	assert.Equal(t, testLicenseKey, d.License.Key)
	assertEntitledIncludes(t, d.Included)

	require.Len(t, d.Included.Components, 2)
	cp := d.Included.Components[0]
	assert.Equal(t, "d4e5f6a7-b8c9-4d0e-8f1a-2b3c4d5e6f7a", cp.ID)
	assert.Equal(t, "disk:WD-WX12A3456789", cp.Fingerprint)
	assert.Equal(t, "Boot disk", cp.Name)
	assert.Equal(t, map[string]any{"sizeGb": float64(512)}, cp.Metadata)
	assert.Equal(t, mustTime(t, "2024-04-02T09:00:00Z"), cp.Created)
	assert.Equal(t, "c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f", cp.MachineID)
	assert.Equal(t, "b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e", cp.LicenseID)
	assert.Equal(t, "2313b7e7-1ea6-4a01-901e-2931de6bb1e2", cp.ProductID)
	assert.Equal(t, "6a0c3b52-7d3e-4c8e-a1f0-2b9e5d4c3a21", cp.EnvironmentID)
	assert.Equal(t, "mb:MS-7C91-0042", d.Included.Components[1].Fingerprint)
	assert.Empty(t, d.Included.Components[1].EnvironmentID)
}

// An included resource that does not decode fails the whole file, as for the other types.
func TestFileIncludedEntitlementMustDecode(t *testing.T) {
	payload := []byte(`{"meta":{"issued":"2024-05-01T10:00:00.000Z"},
		"data":{"type":"licenses","id":"l1","attributes":{"key":"` + testLicenseKey + `"}},
		"included":[{"type":"entitlements","id":"e1","attributes":{"code":42}}]}`)
	k := testKeys(t)
	cert := buildCertificate(t, "license", "base64+ed25519", k.ed, "", payload)
	_, err := OpenLicenseFile(cert, edHex(k.ed), testLicenseKey)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `included entitlements e1`)
	assert.Contains(t, err.Error(), `attribute "code"`)
}

// A type without a model stays raw in Other, its JSON as the file has it.
func TestFileUnknownIncludedTypeStaysRaw(t *testing.T) {
	payload := []byte(`{"meta":{"issued":"2024-05-01T10:00:00.000Z"},
		"data":{"type":"licenses","id":"l1","attributes":{"key":"` + testLicenseKey + `"}},
		"included":[{"type":"release-channels","id":"ch1","attributes":{"key":"stable"}}]}`)
	k := testKeys(t)
	cert := buildCertificate(t, "license", "base64+ed25519", k.ed, "", payload)
	d, err := OpenLicenseFile(cert, edHex(k.ed), testLicenseKey)
	require.NoError(t, err)
	require.Len(t, d.Included.Other, 1)
	o := d.Included.Other[0]
	assert.Equal(t, "release-channels", o.Type)
	assert.Equal(t, "ch1", o.ID)
	var raw struct {
		Attributes struct{ Key string } `json:"attributes"`
	}
	require.NoError(t, json.Unmarshal(o.Raw, &raw))
	assert.Equal(t, "stable", raw.Attributes.Key)
	assert.Empty(t, d.EntitlementCodes())
}
