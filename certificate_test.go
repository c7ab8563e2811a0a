package keygen

import (
	"crypto"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	testLicenseKey  = "ABCDEF-123456-ABCDEF-123456-ABCDEF-V3"
	testFingerprint = "4c:9d:8e:0f:1a:2b"
)

// certAlg is a signing algorithm with the key pair that signs and the public key that checks.
type certAlg struct {
	alg   string
	priv  crypto.Signer
	pub   string
	wrong string
}

func certAlgs(t testing.TB) []certAlg {
	k := testKeys(t)
	return []certAlg{
		{algEd25519, k.ed, edHex(k.ed), edHex(k.ed2)},
		{algRSAPSS, k.rsa, pemPKIX(t, k.rsa.Public()), pemPKIX(t, k.rsa2.Public())},
		{algRSAPKCS1, k.rsa, pemPKCS1(&k.rsa.PublicKey), pemPKCS1(&k.rsa2.PublicKey)},
		{algECDSAP256, k.ec, pemPKIX(t, k.ec.Public()), pemPKIX(t, k.ec2.Public())},
	}
}

func assertLicenseFileData(t *testing.T, d *LicenseFileData) {
	t.Helper()
	l := d.License
	require.NotNil(t, l)
	assert.Equal(t, "b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e", l.ID)
	assert.Equal(t, testLicenseKey, l.Key)
	assert.Equal(t, Ptr("Ada's license"), l.Name)
	assert.Equal(t, Ptr(mustTime(t, "2025-05-01T15:49:12Z")), l.Expiry)
	assert.Equal(t, 3, l.Uses)
	assert.True(t, l.Strict)
	assert.Equal(t, Ptr(1), l.MaxMachines)
	assert.Equal(t, map[string]any{"tier": "gold"}, l.Metadata)
	assert.Equal(t, "9b3c1d2e-5f60-4a7b-8c9d-0e1f2a3b4c5d", l.PolicyID)
	assert.Equal(t, "2313b7e7-1ea6-4a01-901e-2931de6bb1e2", l.ProductID)
	assert.Equal(t, "7d8e9f00-1a2b-4c3d-8e4f-5a6b7c8d9e0f", l.OwnerID)
	assert.Equal(t, 1, l.MachineCount)
	assert.Equal(t, int64(8), l.MachineCores)

	assert.Equal(t, mustTime(t, "2024-05-01T10:00:00Z"), d.Issued)
	assert.Equal(t, Ptr(mustTime(t, "2024-06-01T10:00:00Z")), d.Expiry)
	assert.Equal(t, Ptr(744*time.Hour), d.TTL)

	in := d.Included
	require.Len(t, in.Products, 1)
	assert.Equal(t, "Cool App", in.Products[0].Name)
	require.Len(t, in.Policies, 1)
	assert.Equal(t, "Pro", in.Policies[0].Name)
	assert.Equal(t, Ptr(31556952), in.Policies[0].Duration)
	require.Len(t, in.Users, 1)
	assert.Equal(t, "adal@example.com", in.Users[0].Email)
	assert.Empty(t, in.Licenses)
	assert.Empty(t, in.Machines)
	require.Len(t, in.Entitlements, 1)
	assert.Equal(t, "e5f6a7b8-c9d0-4e1f-8a2b-3c4d5e6f7a8b", in.Entitlements[0].ID)
	assert.Equal(t, "Export", in.Entitlements[0].Name)
	assert.Equal(t, "EXPORT", in.Entitlements[0].Code)
	assert.Empty(t, in.Other)
	assert.True(t, d.HasEntitlement("EXPORT"))
}

func TestLicenseFileRoundTrip(t *testing.T) {
	t.Parallel()
	payload := fixture(t, "license_file_payload.json")
	for _, a := range certAlgs(t) {
		for _, enc := range []string{encAES256GCM, encBase64} {
			alg := enc + "+" + a.alg
			t.Run(alg, func(t *testing.T) {
				t.Parallel()
				cert := buildCertificate(t, "license", alg, a.priv, testLicenseKey, payload)

				d, err := OpenLicenseFile(cert, a.pub, testLicenseKey)
				require.NoError(t, err)
				assertLicenseFileData(t, d)

				// The same, step by step.
				f, err := ParseLicenseFile(cert)
				require.NoError(t, err)
				assert.Equal(t, alg, f.Algorithm())
				assert.Equal(t, enc == encAES256GCM, f.Encrypted())
				require.NoError(t, f.Verify(a.pub))
				d, err = f.Decrypt(testLicenseKey)
				require.NoError(t, err)
				assertLicenseFileData(t, d)

				// Through the model a check-out answers with.
				lf := &LicenseFile{Certificate: cert, LicenseID: "b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e"}
				require.NoError(t, lf.Verify(a.pub))
				d, err = lf.Open(a.pub, testLicenseKey)
				require.NoError(t, err)
				assertLicenseFileData(t, d)
			})
		}
	}
}

// TestLicenseFileBoundToLicenseKey: a genuine file of another license of the same account
// verifies (same signing key), so an unencrypted file must still be held to the license key
// given, and no key at all is an argument error rather than "skip the check".
func TestLicenseFileBoundToLicenseKey(t *testing.T) {
	t.Parallel()
	k := testKeys(t)
	for _, enc := range []string{encBase64, encAES256GCM} {
		t.Run(enc, func(t *testing.T) {
			t.Parallel()
			cert := buildCertificate(t, "license", enc+"+ed25519", k.ed, testLicenseKey, fixture(t, "license_file_payload.json"))
			d, err := OpenLicenseFile(cert, edHex(k.ed), testLicenseKey)
			require.NoError(t, err)
			assert.Equal(t, testLicenseKey, d.License.Key)

			_, err = OpenLicenseFile(cert, edHex(k.ed), "")
			require.ErrorIs(t, err, ErrInvalidArgument)
			_, err = OpenLicenseFile(cert, edHex(k.ed), "ANOTHER-LICENSE-KEY")
			if enc == encBase64 {
				require.ErrorIs(t, err, ErrLicenseFileMismatch)
			} else {
				require.ErrorIs(t, err, ErrDecryptionFailed)
			}
		})
	}
}

func TestMachineFileRoundTrip(t *testing.T) {
	t.Parallel()
	payload := fixture(t, "machine_file_payload.json")
	for _, a := range certAlgs(t) {
		for _, enc := range []string{encAES256GCM, encBase64} {
			alg := enc + "+" + a.alg
			t.Run(alg, func(t *testing.T) {
				t.Parallel()
				cert := buildCertificate(t, "machine", alg, a.priv, testLicenseKey+testFingerprint, payload)
				mf := &MachineFile{Certificate: cert, MachineID: "c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f"}
				require.NoError(t, mf.Verify(a.pub))
				d, err := mf.Open(a.pub, testLicenseKey, testFingerprint)
				require.NoError(t, err)

				m := d.Machine
				require.NotNil(t, m)
				assert.Equal(t, "c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f", m.ID)
				assert.Equal(t, testFingerprint, m.Fingerprint)
				assert.Equal(t, Ptr(8), m.Cores)
				assert.Equal(t, Ptr("ada-laptop"), m.Hostname)
				assert.Equal(t, "b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e", m.LicenseID)
				assert.Equal(t, mustTime(t, "2024-05-01T10:00:00Z"), d.Issued)
				assert.Nil(t, d.Expiry)
				assert.Nil(t, d.TTL)
				require.NotNil(t, d.License)
				assert.Equal(t, testLicenseKey, d.License.Key)
				assert.Equal(t, "9b3c1d2e-5f60-4a7b-8c9d-0e1f2a3b4c5d", d.License.PolicyID)
				assert.Same(t, d.Included.Licenses[0], d.License)
				require.Len(t, d.Included.Components, 1)
				assert.Equal(t, "disk-serial-1", d.Included.Components[0].Fingerprint)
				assert.Empty(t, d.Included.Other)
				// No expiry: valid at any trusted time after issue.
				require.NoError(t, d.ValidAt(mustTime(t, "2034-05-01T10:00:00Z")))
			})
		}
	}
}

func TestLicenseFileFailsClosed(t *testing.T) {
	t.Parallel()
	k := testKeys(t)
	payload := fixture(t, "license_file_payload.json")
	pub := edHex(k.ed)
	cert := buildCertificate(t, "license", "aes-256-gcm+ed25519", k.ed, testLicenseKey, payload)
	doc := unarmor(t, cert)
	other := unarmor(t, buildCertificate(t, "license", "aes-256-gcm+ed25519", k.ed, testLicenseKey, []byte(`{"meta":{"issued":"2030-01-01T00:00:00Z"},"data":{"type":"licenses","id":"x"}}`)))

	with := func(field, value string) string {
		d := map[string]string{}
		for k, v := range doc {
			d[k] = v
		}
		d[field] = value
		return armor(t, "license", d)
	}
	mid := len(doc["enc"]) / 4 // inside the ciphertext, away from padding

	cases := []struct {
		name    string
		cert    string
		pub     string
		key     string
		wantErr error
	}{
		{"one changed base64 char in enc", with("enc", swapChar(doc["enc"], mid)), pub, testLicenseKey, ErrSignatureInvalid},
		{"changed char in sig", with("sig", swapChar(doc["sig"], 10)), pub, testLicenseKey, ErrSignatureInvalid},
		{"sig of another file", with("sig", other["sig"]), pub, testLicenseKey, ErrSignatureInvalid},
		{"enc of another file", with("enc", other["enc"]), pub, testLicenseKey, ErrSignatureInvalid},
		{"sig not base64", with("sig", "***"), pub, testLicenseKey, ErrSignatureInvalid},
		{"alg says rsa, key is ed25519", with("alg", "aes-256-gcm+rsa-sha256"), pub, testLicenseKey, ErrSignatureInvalid},
		{"alg says ecdsa, key is ed25519", with("alg", "aes-256-gcm+ecdsa-p256"), pub, testLicenseKey, ErrSignatureInvalid},
		{"alg says rsa, key is RSA", with("alg", "aes-256-gcm+rsa-pss-sha256"), pemPKIX(t, k.rsa.Public()), testLicenseKey, ErrSignatureInvalid},
		// The alg is not signed; claiming base64 for an encrypted enc verifies but then
		// cannot decode.
		{"alg says base64", with("alg", "base64+ed25519"), pub, testLicenseKey, ErrLicenseFileMalformed},
		{"unknown alg", with("alg", "aes-256-gcm+hmac-sha256"), pub, testLicenseKey, ErrLicenseFileMalformed},
		{"unknown encoding", with("alg", "aes-128-gcm+ed25519"), pub, testLicenseKey, ErrLicenseFileMalformed},
		{"no plus in alg", with("alg", "ed25519"), pub, testLicenseKey, ErrLicenseFileMalformed},
		{"empty sig", with("sig", ""), pub, testLicenseKey, ErrLicenseFileMalformed},
		{"wrong public key", cert, edHex(k.ed2), testLicenseKey, ErrSignatureInvalid},
		{"bad public key", cert, "nope", testLicenseKey, ErrInvalidPublicKey},
		{"wrong license key", cert, pub, "ABCDEF-123456-ABCDEF-123456-ABCDEF-V4", ErrDecryptionFailed},
		{"license key with extra space", cert, pub, testLicenseKey + " ", ErrDecryptionFailed},
		{"no license key", cert, pub, "", ErrInvalidArgument},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			d, err := OpenLicenseFile(c.cert, c.pub, c.key)
			require.ErrorIs(t, err, c.wantErr)
			assert.Nil(t, d)
		})
	}

	// A tampered file never reaches decryption, even with the right key.
	f, err := ParseLicenseFile(with("enc", swapChar(doc["enc"], mid)))
	require.NoError(t, err)
	require.ErrorIs(t, f.Verify(pub), ErrSignatureInvalid)
	_, err = f.Decrypt(testLicenseKey)
	require.ErrorIs(t, err, ErrSignatureInvalid)
}

func TestLicenseFileDecryptRequiresVerify(t *testing.T) {
	t.Parallel()
	k := testKeys(t)
	cert := buildCertificate(t, "license", "base64+ed25519", k.ed, "", fixture(t, "license_file_payload.json"))
	f, err := ParseLicenseFile(cert)
	require.NoError(t, err)
	_, err = f.Decrypt(testLicenseKey)
	require.ErrorIs(t, err, ErrSignatureInvalid)

	// A failed Verify does not unlock it either; a good one does.
	require.ErrorIs(t, f.Verify(edHex(k.ed2)), ErrSignatureInvalid)
	_, err = f.Decrypt(testLicenseKey)
	require.ErrorIs(t, err, ErrSignatureInvalid)
	require.NoError(t, f.Verify(edHex(k.ed)))
	_, err = f.Decrypt(testLicenseKey)
	require.NoError(t, err)

	m, err := ParseMachineFile(buildCertificate(t, "machine", "base64+ed25519", k.ed, "", fixture(t, "machine_file_payload.json")))
	require.NoError(t, err)
	_, err = m.Decrypt(testLicenseKey, testFingerprint)
	require.ErrorIs(t, err, ErrSignatureInvalid)
}

func TestMachineFileFailsClosed(t *testing.T) {
	t.Parallel()
	k := testKeys(t)
	pub := edHex(k.ed)
	cert := buildCertificate(t, "machine", "aes-256-gcm+ed25519", k.ed, testLicenseKey+testFingerprint, fixture(t, "machine_file_payload.json"))

	for name, c := range map[string]struct {
		key, fingerprint string
		want             error
	}{
		"wrong fingerprint":     {testLicenseKey, "4c:9d:8e:0f:1a:2c", ErrDecryptionFailed},
		"wrong license key":     {"ABCDEF-123456-ABCDEF-123456-ABCDEF-V4", testFingerprint, ErrDecryptionFailed},
		"license key only":      {testLicenseKey + testFingerprint, "", ErrInvalidArgument},
		"fingerprint only":      {"", testLicenseKey + testFingerprint, ErrInvalidArgument},
		"key and print swapped": {testFingerprint, testLicenseKey, ErrDecryptionFailed},
		"license file's secret": {testLicenseKey, " ", ErrDecryptionFailed},
		// The AES key is SHA-256 of the concatenation, as Keygen makes it, so another split
		// decrypts; the fingerprint inside the file must then still be the one given.
		"split at another place": {testLicenseKey[:5], testLicenseKey[5:] + testFingerprint, ErrLicenseFileMismatch},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := OpenMachineFile(cert, pub, c.key, c.fingerprint)
			require.ErrorIs(t, err, c.want)
		})
	}

	// A license file is not a machine file, and the other way round.
	_, err := ParseLicenseFile(cert)
	require.ErrorIs(t, err, ErrLicenseFileMalformed)
	assert.Contains(t, err.Error(), "machine file")
	_, err = ParseMachineFile(buildCertificate(t, "license", "base64+ed25519", k.ed, "", fixture(t, "license_file_payload.json")))
	require.ErrorIs(t, err, ErrLicenseFileMalformed)

	// A machine file signed as a license file ("license/<enc>") does not verify as one.
	doc := unarmor(t, buildCertificate(t, "license", "base64+ed25519", k.ed, "", fixture(t, "machine_file_payload.json")))
	_, err = OpenMachineFile(armor(t, "machine", doc), pub, testLicenseKey, testFingerprint)
	require.ErrorIs(t, err, ErrSignatureInvalid)

	// The check-out envelope must agree with the signed payload.
	mf := &MachineFile{Certificate: cert, MachineID: "someone-else"}
	_, err = mf.Open(pub, testLicenseKey, testFingerprint)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "someone-else")
}

func TestLicenseFileModelMismatch(t *testing.T) {
	t.Parallel()
	k := testKeys(t)
	cert := buildCertificate(t, "license", "base64+ed25519", k.ed, "", fixture(t, "license_file_payload.json"))
	lf := &LicenseFile{Certificate: cert, LicenseID: "another-license"}
	_, err := lf.Open(edHex(k.ed), testLicenseKey)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "another-license")
}

func TestLicenseFileValidAt(t *testing.T) {
	t.Parallel()
	d := &LicenseFileData{Issued: mustTime(t, "2024-05-01T10:00:00Z"), Expiry: Ptr(mustTime(t, "2024-06-01T10:00:00Z"))}
	require.NoError(t, d.ValidAt(mustTime(t, "2024-05-15T00:00:00Z")))
	require.NoError(t, d.ValidAt(mustTime(t, "2024-06-01T09:59:59Z")))
	require.NoError(t, d.ValidAt(mustTime(t, "2024-05-01T09:56:00Z")), "within the clock tolerance")

	err := d.ValidAt(mustTime(t, "2024-06-01T10:00:00Z"))
	require.ErrorIs(t, err, ErrLicenseFileExpired)
	assert.Contains(t, err.Error(), "2024-06-01T10:00:00Z")
	require.ErrorIs(t, d.ValidAt(mustTime(t, "2030-01-01T00:00:00Z")), ErrLicenseFileExpired)

	require.ErrorIs(t, d.ValidAt(mustTime(t, "2024-05-01T09:54:00Z")), ErrLicenseFileNotYetValid)
	require.ErrorIs(t, d.ValidAt(time.Time{}), ErrLicenseFileNotYetValid)

	m := &MachineFileData{Issued: d.Issued, Expiry: d.Expiry}
	require.ErrorIs(t, m.ValidAt(mustTime(t, "2024-07-01T00:00:00Z")), ErrLicenseFileExpired)
	require.NoError(t, m.ValidAt(mustTime(t, "2024-05-02T00:00:00Z")))
}

func TestOpenedLicenseFileExpired(t *testing.T) {
	t.Parallel()
	k := testKeys(t)
	d, err := OpenLicenseFile(buildCertificate(t, "license", "aes-256-gcm+ed25519", k.ed, testLicenseKey, fixture(t, "license_file_payload.json")), edHex(k.ed), testLicenseKey)
	require.NoError(t, err)
	require.ErrorIs(t, d.ValidAt(mustTime(t, "2024-06-02T00:00:00Z")), ErrLicenseFileExpired)
	require.NoError(t, d.ValidAt(mustTime(t, "2024-05-02T00:00:00Z")))
}

func TestParseLicenseFileLayout(t *testing.T) {
	t.Parallel()
	k := testKeys(t)
	cert := buildCertificate(t, "license", "base64+ed25519", k.ed, "", fixture(t, "license_file_payload.json"))
	lines := strings.Split(strings.TrimSpace(cert), "\n")
	require.Greater(t, len(lines), 3)
	for _, l := range lines[1 : len(lines)-2] {
		assert.Len(t, l, 60)
	}

	// CRLF line endings, surrounding blank lines and an unwrapped body all parse.
	for name, variant := range map[string]string{
		"crlf":      strings.ReplaceAll(cert, "\n", "\r\n"),
		"padded":    "\n\n  " + cert + "\n\n",
		"unwrapped": lines[0] + "\n" + strings.Join(lines[1:len(lines)-1], "") + "\n" + lines[len(lines)-1],
		"UTF-8 BOM": "\ufeff" + cert,
		"BOM, CRLF": "\ufeff" + strings.ReplaceAll(cert, "\n", "\r\n"),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d, err := OpenLicenseFile(variant, edHex(k.ed), testLicenseKey)
			require.NoError(t, err)
			assert.Equal(t, "b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e", d.License.ID)
		})
	}

	// ecdsa-secp256r1 names the same primitive as ecdsa-p256.
	doc := unarmor(t, buildCertificate(t, "license", "base64+ecdsa-p256", k.ec, "", fixture(t, "license_file_payload.json")))
	doc["alg"] = "base64+ecdsa-secp256r1"
	f, err := ParseLicenseFile(armor(t, "license", doc))
	require.NoError(t, err)
	assert.Equal(t, "base64+ecdsa-secp256r1", f.Algorithm())
	require.NoError(t, f.Verify(pemPKIX(t, k.ec.Public())))
}

func TestParseLicenseFileGarbage(t *testing.T) {
	t.Parallel()
	begin, end := "-----BEGIN LICENSE FILE-----\n", "\n-----END LICENSE FILE-----\n"
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	for name, text := range map[string]string{
		"empty":          "",
		"no armor":       b64(`{"enc":"a","sig":"b","alg":"base64+ed25519"}`),
		"no end":         begin + b64(`{}`),
		"no begin":       b64(`{}`) + end,
		"empty body":     begin + end,
		"not base64":     begin + "!!!!" + end,
		"not JSON":       begin + b64("hello") + end,
		"JSON array":     begin + b64(`["enc","sig","alg"]`) + end,
		"numbers":        begin + b64(`{"enc":1,"sig":2,"alg":3}`) + end,
		"missing enc":    begin + b64(`{"sig":"b","alg":"base64+ed25519"}`) + end,
		"missing alg":    begin + b64(`{"enc":"a","sig":"b"}`) + end,
		"pem header":     "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
		"trailing junk":  begin + b64(`{"enc":"a","sig":"b","alg":"base64+ed25519"}`) + end + "junk",
		"lowercase word": "-----begin license file-----\n" + b64(`{}`) + "\n-----end license file-----",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseLicenseFile(text)
			require.ErrorIs(t, err, ErrLicenseFileMalformed)
			_, err = ParseMachineFile(text)
			require.ErrorIs(t, err, ErrLicenseFileMalformed)
		})
	}
}

func TestLicenseFilePayloadGarbage(t *testing.T) {
	t.Parallel()
	// Signed but unusable payloads: the server would never send them, yet none may panic or
	// give a half-filled result.
	k := testKeys(t)
	for name, payload := range map[string]string{
		"not JSON":         `hello`,
		"no meta":          `{"data":{"type":"licenses","id":"l"}}`,
		"no issued":        `{"meta":{"expiry":null},"data":{"type":"licenses","id":"l"}}`,
		"bad issued":       `{"meta":{"issued":"yesterday"},"data":{"type":"licenses","id":"l"}}`,
		"null data":        `{"meta":{"issued":"2024-05-01T10:00:00Z"},"data":null}`,
		"machine data":     `{"meta":{"issued":"2024-05-01T10:00:00Z"},"data":{"type":"machines","id":"m"}}`,
		"data array":       `{"meta":{"issued":"2024-05-01T10:00:00Z"},"data":[{"type":"licenses","id":"l"}]}`,
		"bad attributes":   `{"meta":{"issued":"2024-05-01T10:00:00Z"},"data":{"type":"licenses","id":"l","attributes":{"uses":"many"}}}`,
		"included object":  `{"meta":{"issued":"2024-05-01T10:00:00Z"},"data":{"type":"licenses","id":"l"},"included":{}}`,
		"bad included":     `{"meta":{"issued":"2024-05-01T10:00:00Z"},"data":{"type":"licenses","id":"l"},"included":[{"type":"products","id":"p","attributes":{"name":5}}]}`,
		"ttl not a number": `{"meta":{"issued":"2024-05-01T10:00:00Z","ttl":"1h"},"data":{"type":"licenses","id":"l"}}`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cert := buildCertificate(t, "license", "aes-256-gcm+ed25519", k.ed, testLicenseKey, []byte(payload))
			d, err := OpenLicenseFile(cert, edHex(k.ed), testLicenseKey)
			require.Error(t, err)
			assert.Nil(t, d)
		})
	}
}

// FuzzParseLicenseFile feeds arbitrary text to the certificate parser and, through the
// verify step, checks that nothing but a file the test key signed ever verifies. The same
// input also goes straight to the payload decoder, which otherwise only signed input reaches.
func FuzzParseLicenseFile(f *testing.F) {
	k := testKeys(f)
	pub := edHex(k.ed)
	signedEnc := map[string]bool{}
	// Small payloads: every new input the fuzzer finds is minimized, and minimizing a
	// several-kilobyte certificate would eat the whole run.
	payloads := map[string]string{
		"license": `{"meta":{"issued":"2024-05-01T10:00:00Z","expiry":null,"ttl":null},"data":{"type":"licenses","id":"l","attributes":{"key":"K"},"relationships":{"policy":{"data":{"type":"policies","id":"p"}}}},"included":[{"type":"products","id":"p","attributes":{"name":"A"}},{"type":"entitlements","id":"e"}]}`,
		"machine": `{"meta":{"issued":"2024-05-01T10:00:00Z","expiry":"2024-06-01T10:00:00Z","ttl":3600},"data":{"type":"machines","id":"m","attributes":{"fingerprint":"F"},"relationships":{"license":{"data":{"type":"licenses","id":"l"}}}},"included":[{"type":"licenses","id":"l"}]}`,
	}
	for kind, payload := range payloads {
		for _, alg := range []string{"aes-256-gcm+ed25519", "base64+ed25519"} {
			cert := buildCertificate(f, kind, alg, k.ed, testLicenseKey, []byte(payload))
			f.Add(cert)
			signedEnc[unarmor(f, cert)["enc"]] = true
		}
		f.Add(payload)
	}
	f.Add("-----BEGIN LICENSE FILE-----\n-----END LICENSE FILE-----")
	f.Add("")
	f.Fuzz(func(t *testing.T, text string) {
		if c, err := ParseLicenseFile(text); err == nil {
			if c.Verify(pub) == nil {
				if !signedEnc[c.c.enc] {
					t.Fatalf("verified a license file nobody signed: %q", text)
				}
				_, _ = c.Decrypt(testLicenseKey)
			}
		}
		if c, err := ParseMachineFile(text); err == nil && c.Verify(pub) == nil {
			if !signedEnc[c.c.enc] {
				t.Fatalf("verified a machine file nobody signed: %q", text)
			}
			_, _ = c.Decrypt(testLicenseKey, testFingerprint)
		}
		_, _ = decodeLicenseFilePayload([]byte(text))
		_, _ = decodeMachineFilePayload([]byte(text))
	})
}

func TestZeroCertificateDoesNotPanic(t *testing.T) {
	t.Parallel()
	var l LicenseFileCertificate
	assert.Empty(t, l.Algorithm())
	assert.False(t, l.Encrypted())
	require.ErrorIs(t, l.Verify("00"), ErrLicenseFileMalformed)
	_, err := l.Decrypt(testLicenseKey)
	require.ErrorIs(t, err, ErrLicenseFileMalformed)
	var m MachineFileCertificate
	require.ErrorIs(t, m.Verify("00"), ErrLicenseFileMalformed)
	_, err = m.Decrypt(testLicenseKey, testFingerprint)
	require.ErrorIs(t, err, ErrLicenseFileMalformed)
}

// TestMachineFileBoundToMachineAndLicense: an unencrypted machine file (Keygen's default) is
// a genuine signed file wherever it is copied, so its fingerprint and license key are
// compared with the ones given; one that cannot be bound to a license key is refused.
func TestMachineFileBoundToMachineAndLicense(t *testing.T) {
	t.Parallel()
	k := testKeys(t)
	pub := edHex(k.ed)
	payload := fixture(t, "machine_file_payload.json")
	withoutLicense := func() []byte {
		var doc map[string]any
		require.NoError(t, json.Unmarshal(payload, &doc))
		var kept []any
		for _, r := range doc["included"].([]any) {
			if r.(map[string]any)["type"] != "licenses" {
				kept = append(kept, r)
			}
		}
		doc["included"] = kept
		b, err := json.Marshal(doc)
		require.NoError(t, err)
		return b
	}()

	plain := buildCertificate(t, "machine", "base64+ed25519", k.ed, "", payload)
	d, err := OpenMachineFile(plain, pub, testLicenseKey, testFingerprint)
	require.NoError(t, err)
	assert.Equal(t, testFingerprint, d.Machine.Fingerprint)

	_, err = OpenMachineFile(plain, pub, testLicenseKey, "another:machine")
	require.ErrorIs(t, err, ErrLicenseFileMismatch, "another machine's file")
	_, err = OpenMachineFile(plain, pub, "ANOTHER-LICENSE-KEY", testFingerprint)
	require.ErrorIs(t, err, ErrLicenseFileMismatch, "another license's file")
	for _, args := range [][2]string{{"", testFingerprint}, {testLicenseKey, ""}, {"", ""}} {
		_, err = OpenMachineFile(plain, pub, args[0], args[1])
		require.ErrorIs(t, err, ErrInvalidArgument, "%q", args)
	}

	bare := buildCertificate(t, "machine", "base64+ed25519", k.ed, "", withoutLicense)
	_, err = OpenMachineFile(bare, pub, testLicenseKey, testFingerprint)
	require.ErrorIs(t, err, ErrLicenseFileMismatch)
	require.Contains(t, err.Error(), `Include "license"`)

	// Encrypted, the key derivation binds the license key even without the license included.
	sealed := buildCertificate(t, "machine", "aes-256-gcm+ed25519", k.ed, testLicenseKey+testFingerprint, withoutLicense)
	d, err = OpenMachineFile(sealed, pub, testLicenseKey, testFingerprint)
	require.NoError(t, err)
	assert.Nil(t, d.License)
	mf := &MachineFile{Certificate: sealed}
	_, err = mf.Open(pub, testLicenseKey, "")
	require.ErrorIs(t, err, ErrInvalidArgument)
}
