package keygen

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/licensekit/keygen/internal/jsonapi"
)

var (
	// ErrLicenseFileMalformed marks license or machine file text that is not a certificate:
	// missing armor, bad base64, not the {"enc","sig","alg"} document, unknown algorithm.
	ErrLicenseFileMalformed = errors.New("keygen: malformed license or machine file")
	// ErrDecryptionFailed marks an aes-256-gcm file that does not open with the key given: the
	// wrong license key, or for a machine file the wrong fingerprint.
	ErrDecryptionFailed = errors.New("keygen: license or machine file does not decrypt (wrong license key or fingerprint)")
	// ErrLicenseFileExpired marks a license or machine file used at or after its expiry.
	ErrLicenseFileExpired = errors.New("keygen: license or machine file expired")
	// ErrLicenseFileNotYetValid marks a file used before it was issued: the "trusted" clock is
	// behind the server's, the classic sign of a clock turned back to stretch an expiry.
	ErrLicenseFileNotYetValid = errors.New("keygen: license or machine file issued in the future (clock turned back?)")
	// ErrLicenseFileMismatch marks a genuine file that belongs to someone else: another
	// license key than the one given, or another machine's fingerprint. A signature only
	// proves that Keygen made the file, not that it was made for this license or machine.
	ErrLicenseFileMismatch = errors.New("keygen: license or machine file is for another license or machine")
)

// IssuedClockTolerance is how far before a file's issue time ValidAt still accepts it, so that
// a file checked out a moment ago works on a machine whose clock is slightly behind Keygen's.
const IssuedClockTolerance = 5 * time.Minute

// Certificate encodings (the part of alg before "+").
const (
	encAES256GCM = "aes-256-gcm"
	encBase64    = "base64"
)

// certificate is what license and machine files share: the parsed armor and the state of its
// signature check. Its fields never change after parsing, so "verified" stays true to them.
type certificate struct {
	kind     string // "license" or "machine": the armor word and the signing prefix
	enc, sig string
	alg      string // as written in the file
	encAlg   string // aes-256-gcm or base64
	sigAlg   string // ed25519, rsa-pss-sha256, rsa-sha256 or ecdsa-p256
	verified atomic.Bool
}

func parseCertificate(kind, text string) (*certificate, error) {
	word := strings.ToUpper(kind) + " FILE"
	begin, end := "-----BEGIN "+word+"-----", "-----END "+word+"-----"
	// A file saved by an editor on Windows may start with a UTF-8 byte order mark.
	s := strings.TrimSpace(strings.TrimPrefix(text, "\ufeff"))
	body, ok := strings.CutPrefix(s, begin)
	if !ok {
		if other := map[string]string{"license": "MACHINE", "machine": "LICENSE"}[kind]; strings.HasPrefix(s, "-----BEGIN "+other+" FILE-----") {
			return nil, fmt.Errorf("%w: this is a %s file, not a %s file", ErrLicenseFileMalformed, strings.ToLower(other), kind)
		}
		return nil, fmt.Errorf("%w: no %q line", ErrLicenseFileMalformed, begin)
	}
	body, ok = strings.CutSuffix(body, end)
	if !ok {
		return nil, fmt.Errorf("%w: no %q line", ErrLicenseFileMalformed, end)
	}
	// Keygen wraps the base64 body at 60 columns; files saved on Windows gain \r.
	compact := strings.Map(func(r rune) rune {
		switch r {
		case '\n', '\r', ' ', '\t':
			return -1
		}
		return r
	}, body)
	raw, err := base64.StdEncoding.Strict().DecodeString(compact)
	if err != nil {
		return nil, fmt.Errorf("%w: body is not base64: %v", ErrLicenseFileMalformed, err)
	}
	var doc struct {
		Enc string `json:"enc"`
		Sig string `json:"sig"`
		Alg string `json:"alg"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("%w: body is not the {enc, sig, alg} document: %v", ErrLicenseFileMalformed, err)
	}
	if doc.Enc == "" || doc.Sig == "" || doc.Alg == "" {
		return nil, fmt.Errorf("%w: enc, sig and alg are all required", ErrLicenseFileMalformed)
	}
	encAlg, sigAlg, ok := strings.Cut(doc.Alg, "+")
	if !ok || (encAlg != encAES256GCM && encAlg != encBase64) {
		return nil, fmt.Errorf("%w: unsupported algorithm %q", ErrLicenseFileMalformed, doc.Alg)
	}
	switch sigAlg {
	case algEd25519, algRSAPSS, algRSAPKCS1, algECDSAP256:
	case "ecdsa-secp256r1":
		// Another name for the same primitive: secp256r1 is P-256, which the server calls
		// ecdsa-p256 (keygen-sh/keygen-api, app/services/abstract_checkout_service.rb).
		// Accepting it costs nothing: the key, not the name, decides what verifies.
		sigAlg = algECDSAP256
	default:
		return nil, fmt.Errorf("%w: unsupported algorithm %q", ErrLicenseFileMalformed, doc.Alg)
	}
	return &certificate{kind: kind, enc: doc.Enc, sig: doc.Sig, alg: doc.Alg, encAlg: encAlg, sigAlg: sigAlg}, nil
}

func (c *certificate) algorithm() string {
	if c == nil {
		return ""
	}
	return c.alg
}

func (c *certificate) encrypted() bool { return c != nil && c.encAlg == encAES256GCM }

// verify checks sig over "<kind>/<enc>". The alg in the file is not itself signed, so a key
// of another type than alg names is a failure, never a reason to try a different check.
func (c *certificate) verify(publicKey string) error {
	if c == nil {
		return fmt.Errorf("%w: not made by ParseLicenseFile or ParseMachineFile", ErrLicenseFileMalformed)
	}
	key, err := parseAccountKey(publicKey)
	if err != nil {
		return err
	}
	sig, err := base64.StdEncoding.Strict().DecodeString(c.sig)
	if err != nil {
		return sigErr("%s file signature is not base64", c.kind)
	}
	if err := verifySig(c.sigAlg, key, []byte(c.kind+"/"+c.enc), sig); err != nil {
		var se *SignatureError
		if errors.As(err, &se) {
			return sigErr("%s file: %s", c.kind, se.Reason)
		}
		return err
	}
	c.verified.Store(true)
	return nil
}

// open returns the payload of a verified certificate, decrypting it with the SHA-256 of the
// concatenated secrets; need names them for the error when one is missing.
func (c *certificate) open(need string, secrets ...string) ([]byte, error) {
	if c == nil {
		return nil, fmt.Errorf("%w: not made by ParseLicenseFile or ParseMachineFile", ErrLicenseFileMalformed)
	}
	if !c.verified.Load() {
		return nil, sigErr("%s file not verified: call Verify before Decrypt (or use Open%sFile)", c.kind, strings.ToUpper(c.kind[:1])+c.kind[1:])
	}
	if c.encAlg == encBase64 {
		b, err := base64.StdEncoding.Strict().DecodeString(c.enc)
		if err != nil {
			return nil, fmt.Errorf("%w: enc is not base64", ErrLicenseFileMalformed)
		}
		return b, nil
	}
	for _, s := range secrets {
		if s == "" {
			// An empty part would still make a (wrong) key; say what is missing instead.
			return nil, argErr("Decrypt", need+" required to decrypt an "+encAES256GCM+" file")
		}
	}
	parts := strings.Split(c.enc, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("%w: %s enc is not <ciphertext>.<iv>.<tag>", ErrLicenseFileMalformed, encAES256GCM)
	}
	var ct, iv, tag []byte
	for i, dst := range []*[]byte{&ct, &iv, &tag} {
		b, err := base64.StdEncoding.Strict().DecodeString(parts[i])
		if err != nil {
			return nil, fmt.Errorf("%w: %s enc part %d is not base64", ErrLicenseFileMalformed, encAES256GCM, i+1)
		}
		*dst = b
	}
	if len(iv) != 12 || len(tag) != 16 {
		return nil, fmt.Errorf("%w: %s wants a 12-byte IV and a 16-byte tag, got %d and %d", ErrLicenseFileMalformed, encAES256GCM, len(iv), len(tag))
	}
	key := sha256.Sum256([]byte(strings.Join(secrets, "")))
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	pt, err := gcm.Open(nil, iv, append(ct, tag...), nil)
	if err != nil {
		return nil, ErrDecryptionFailed
	}
	return pt, nil
}

// LicenseFileCertificate is a parsed license file ("-----BEGIN LICENSE FILE-----"). Nothing
// of its payload is readable until Verify has succeeded on it; OpenLicenseFile does both steps
// and is the recommended way in. Safe for concurrent use.
type LicenseFileCertificate struct{ c *certificate }

// ParseLicenseFile parses a license file's text (keygen-sh/keygen-api,
// app/services/license_checkout_service.rb; https://keygen.sh/docs/api/cryptography/), as
// saved from LicenseFile.Certificate or a raw check-out. It checks the layout only; errors
// wrap ErrLicenseFileMalformed.
func ParseLicenseFile(certificate string) (*LicenseFileCertificate, error) {
	c, err := parseCertificate("license", certificate)
	if err != nil {
		return nil, err
	}
	return &LicenseFileCertificate{c}, nil
}

// Algorithm is the file's algorithm, e.g. "aes-256-gcm+ed25519" or "base64+rsa-pss-sha256".
func (f *LicenseFileCertificate) Algorithm() string { return f.c.algorithm() }

// Encrypted reports whether the payload is aes-256-gcm encrypted (else base64 encoded).
func (f *LicenseFileCertificate) Encrypted() bool { return f.c.encrypted() }

// Verify checks the file's signature with the account public key (hex Ed25519, or PEM RSA or
// ECDSA P-256, as for NewLicenseKeyVerifier), which must be of the type the file's algorithm
// names. A bad signature gives a *SignatureError (errors.Is ErrSignatureInvalid).
func (f *LicenseFileCertificate) Verify(publicKey string) error { return f.c.verify(publicKey) }

// Decrypt reads the payload of a verified file (aes-256-gcm with key SHA-256(licenseKey), or
// plain base64) and checks that it is the file of licenseKey: the license inside must have
// exactly that key, encrypted or not, or the error wraps ErrLicenseFileMismatch. licenseKey
// is therefore required, for unencrypted files too (an empty one is ErrInvalidArgument): a
// genuine file of any license of the account verifies, so without the key there is nothing
// to tell this license's file from another's, and no way to skip that check by accident.
//
// It refuses, with a *SignatureError, until Verify has succeeded, so unauthenticated bytes
// are never decoded. The result is not checked against any clock: call ValidAt with a time
// you trust.
func (f *LicenseFileCertificate) Decrypt(licenseKey string) (*LicenseFileData, error) {
	if licenseKey == "" {
		return nil, argErr("LicenseFileCertificate.Decrypt", "the license key is required to bind the file to its license")
	}
	payload, err := f.c.open("the license key is", licenseKey)
	if err != nil {
		return nil, err
	}
	d, err := decodeLicenseFilePayload(payload)
	if err != nil {
		return nil, err
	}
	if d.License.Key != licenseKey {
		return nil, fmt.Errorf("%w: the license file is not the file of the license key given", ErrLicenseFileMismatch)
	}
	return d, nil
}

// OpenLicenseFile parses, verifies and decrypts a license file in one step, the recommended
// way to read one: the file must be signed by the account's key and be the file of
// licenseKey (see LicenseFileCertificate.Decrypt). Check the result's ValidAt against a
// trusted clock before relying on it.
func OpenLicenseFile(certificate, publicKey, licenseKey string) (*LicenseFileData, error) {
	f, err := ParseLicenseFile(certificate)
	if err != nil {
		return nil, err
	}
	if err := f.Verify(publicKey); err != nil {
		return nil, err
	}
	return f.Decrypt(licenseKey)
}

// LicenseFileData is the verified content of a license file.
type LicenseFileData struct {
	License *License
	// Included holds the resources the file was checked out with (Include option).
	Included Included
	Issued   time.Time
	// Expiry is nil for a file checked out without a TTL.
	Expiry *time.Time
	// TTL is the lifetime the file was checked out with, nil for none.
	TTL *time.Duration
}

// ValidAt reports whether the file may be used at trusted, a time the app believes (a
// signed server timestamp from a recent validation, say, rather than the bare local clock):
// ErrLicenseFileExpired at or after Expiry, ErrLicenseFileNotYetValid more than
// IssuedClockTolerance before Issued.
func (d *LicenseFileData) ValidAt(trusted time.Time) error {
	return validAt("license", d.Issued, d.Expiry, trusted)
}

// MachineFileCertificate is a parsed machine file ("-----BEGIN MACHINE FILE-----"), bound to
// one machine. As with license files, nothing is readable before Verify; OpenMachineFile is
// the recommended way in. Safe for concurrent use.
type MachineFileCertificate struct{ c *certificate }

// ParseMachineFile parses a machine file's text. Errors wrap ErrLicenseFileMalformed.
func ParseMachineFile(certificate string) (*MachineFileCertificate, error) {
	c, err := parseCertificate("machine", certificate)
	if err != nil {
		return nil, err
	}
	return &MachineFileCertificate{c}, nil
}

// Algorithm is the file's algorithm, e.g. "aes-256-gcm+ed25519".
func (f *MachineFileCertificate) Algorithm() string { return f.c.algorithm() }

// Encrypted reports whether the payload is aes-256-gcm encrypted (else base64 encoded).
func (f *MachineFileCertificate) Encrypted() bool { return f.c.encrypted() }

// Verify checks the file's signature, as LicenseFileCertificate.Verify does.
func (f *MachineFileCertificate) Verify(publicKey string) error { return f.c.verify(publicKey) }

// Decrypt reads the payload of a verified machine file (aes-256-gcm with key
// SHA-256(licenseKey + fingerprint), or plain base64) and checks that it is the file of this
// machine and license, encrypted or not; a mismatch wraps ErrLicenseFileMismatch:
//   - the machine inside must have exactly fingerprint, so a file copied from another
//     machine does not open here;
//   - it must be a file of licenseKey: an encrypted file proves it by decrypting (its key is
//     derived from the license key); an unencrypted one must include its license (check out
//     with Include "license") with that key, and one that does not cannot be bound and is
//     refused.
//
// Both arguments are required (an empty one is ErrInvalidArgument), so the checks cannot be
// skipped by accident. It refuses until Verify has succeeded; check ValidAt afterwards.
func (f *MachineFileCertificate) Decrypt(licenseKey, fingerprint string) (*MachineFileData, error) {
	if licenseKey == "" || fingerprint == "" {
		return nil, argErr("MachineFileCertificate.Decrypt", "the license key and the machine fingerprint are required to bind the file to its license and machine")
	}
	payload, err := f.c.open("the license key and the machine fingerprint are", licenseKey, fingerprint)
	if err != nil {
		return nil, err
	}
	d, err := decodeMachineFilePayload(payload)
	if err != nil {
		return nil, err
	}
	if d.Machine.Fingerprint != fingerprint {
		return nil, fmt.Errorf("%w: the machine file is for another machine's fingerprint", ErrLicenseFileMismatch)
	}
	switch {
	case d.License != nil:
		if d.License.Key != licenseKey {
			return nil, fmt.Errorf("%w: the machine file is not a file of the license key given", ErrLicenseFileMismatch)
		}
	case !f.c.encrypted():
		return nil, fmt.Errorf("%w: an unencrypted machine file without its license included cannot be bound to a license key: check it out with Encrypt or Include \"license\"", ErrLicenseFileMismatch)
	}
	return d, nil
}

// OpenMachineFile parses, verifies and decrypts a machine file in one step, the recommended
// way to read one: the file must be signed by the account's key and be the file of this
// fingerprint and licenseKey (see MachineFileCertificate.Decrypt). Check the result's ValidAt
// against a trusted clock before relying on it.
func OpenMachineFile(certificate, publicKey, licenseKey, fingerprint string) (*MachineFileData, error) {
	f, err := ParseMachineFile(certificate)
	if err != nil {
		return nil, err
	}
	if err := f.Verify(publicKey); err != nil {
		return nil, err
	}
	return f.Decrypt(licenseKey, fingerprint)
}

// MachineFileData is the verified content of a machine file.
type MachineFileData struct {
	Machine *Machine
	// License is the machine's license when the file was checked out with include "license",
	// else nil. It is also in Included.Licenses.
	License  *License
	Included Included
	Issued   time.Time
	Expiry   *time.Time
	TTL      *time.Duration
}

// ValidAt reports whether the file may be used at trusted, as LicenseFileData.ValidAt does.
func (d *MachineFileData) ValidAt(trusted time.Time) error {
	return validAt("machine", d.Issued, d.Expiry, trusted)
}

func validAt(kind string, issued time.Time, expiry *time.Time, trusted time.Time) error {
	if expiry != nil && !trusted.Before(*expiry) {
		return fmt.Errorf("%w: expired %s, trusted time is %s", ErrLicenseFileExpired, expiry.UTC().Format(time.RFC3339), trusted.UTC().Format(time.RFC3339))
	}
	if trusted.Before(issued.Add(-IssuedClockTolerance)) {
		return fmt.Errorf("%w: %s file issued %s, trusted time is %s", ErrLicenseFileNotYetValid, kind, issued.UTC().Format(time.RFC3339), trusted.UTC().Format(time.RFC3339))
	}
	return nil
}

// Included holds a file's included resources: typed where the SDK has a model, raw otherwise.
type Included struct {
	Licenses     []*License
	Machines     []*Machine
	Products     []*Product
	Policies     []*Policy
	Users        []*User
	Environments []*Environment
	// Entitlements are the license's (include "entitlements" in a license file,
	// "license.entitlements" in a machine file); see HasEntitlement.
	Entitlements []*Entitlement
	Components   []*Component
	Groups       []*Group
	Other        []IncludedResource
}

// IncludedResource is an included resource without a model in this package.
type IncludedResource struct {
	Type string
	ID   string
	// Raw is the whole resource object as the file has it.
	Raw json.RawMessage
}

// filePayload is the decoded document of a license or machine file.
type filePayload struct {
	primary  *jsonapi.Resource
	included Included
	issued   time.Time
	expiry   *time.Time
	ttl      *time.Duration
}

func decodeFilePayload(kind, wantType string, payload []byte) (*filePayload, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("keygen: %s file payload: %s", kind, fmt.Sprintf(format, args...))
	}
	doc, err := jsonapi.Parse(payload)
	if err != nil {
		return nil, bad("%v", err)
	}
	var meta struct {
		Issued *time.Time `json:"issued"`
		Expiry *time.Time `json:"expiry"`
		TTL    *int64     `json:"ttl"`
	}
	if len(bytes.TrimSpace(doc.Meta)) == 0 {
		return nil, bad("no meta")
	}
	if err := json.Unmarshal(doc.Meta, &meta); err != nil {
		return nil, bad("meta: %v", err)
	}
	if meta.Issued == nil {
		return nil, bad("no meta.issued")
	}
	p := &filePayload{issued: *meta.Issued, expiry: meta.Expiry}
	if meta.TTL != nil {
		d := time.Duration(*meta.TTL) * time.Second
		p.ttl = &d
	}
	if p.primary, err = doc.One(); err != nil {
		return nil, bad("%v", err)
	}
	if p.primary == nil || p.primary.Type != wantType {
		return nil, bad("primary data is not a %s resource", wantType)
	}
	// A second pass keeps each included resource's exact JSON for the ones without a model.
	var raw struct {
		Included []json.RawMessage `json:"included"`
	}
	if err := json.Unmarshal(payload, &raw); err != nil || len(raw.Included) != len(doc.Included) {
		return nil, bad("included is not an array of resources")
	}
	in := &p.included
	for i := range doc.Included {
		r := &doc.Included[i]
		var err error
		switch r.Type {
		case "licenses":
			err = appendDecoded(&in.Licenses, r)
		case "machines":
			err = appendDecoded(&in.Machines, r)
		case "products":
			err = appendDecoded(&in.Products, r)
		case "policies":
			err = appendDecoded(&in.Policies, r)
		case "users":
			err = appendDecoded(&in.Users, r)
		case "environments":
			err = appendDecoded(&in.Environments, r)
		case "entitlements":
			err = appendDecoded(&in.Entitlements, r)
		case "components":
			err = appendDecoded(&in.Components, r)
		case "groups":
			err = appendDecoded(&in.Groups, r)
		default:
			in.Other = append(in.Other, IncludedResource{Type: r.Type, ID: r.ID, Raw: raw.Included[i]})
		}
		if err != nil {
			return nil, bad("included %s %s: %v", r.Type, r.ID, err)
		}
	}
	return p, nil
}

func appendDecoded[T any, PT resourcePtr[T]](dst *[]*T, r *jsonapi.Resource) error {
	v, err := decodeAs[T, PT](r)
	if err == nil {
		*dst = append(*dst, v)
	}
	return err
}

func decodeLicenseFilePayload(payload []byte) (*LicenseFileData, error) {
	p, err := decodeFilePayload("license", "licenses", payload)
	if err != nil {
		return nil, err
	}
	l, err := decodeAs[License](p.primary)
	if err != nil {
		return nil, fmt.Errorf("keygen: license file payload: %w", err)
	}
	return &LicenseFileData{License: l, Included: p.included, Issued: p.issued, Expiry: p.expiry, TTL: p.ttl}, nil
}

func decodeMachineFilePayload(payload []byte) (*MachineFileData, error) {
	p, err := decodeFilePayload("machine", "machines", payload)
	if err != nil {
		return nil, err
	}
	m, err := decodeAs[Machine](p.primary)
	if err != nil {
		return nil, fmt.Errorf("keygen: machine file payload: %w", err)
	}
	d := &MachineFileData{Machine: m, Included: p.included, Issued: p.issued, Expiry: p.expiry, TTL: p.ttl}
	for _, l := range p.included.Licenses {
		if l.ID == m.LicenseID {
			d.License = l
		}
	}
	return d, nil
}
