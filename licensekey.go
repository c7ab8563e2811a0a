package keygen

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// License key schemes: a policy's `scheme` attribute (keygen-sh/keygen-api,
// app/models/policy.rb; https://keygen.sh/docs/api/cryptography/). Licenses of such a policy
// carry a key that proves itself offline; verify it with VerifyLicenseKey.
const (
	SchemeED25519Sign           = "ED25519_SIGN"
	SchemeECDSAP256Sign         = "ECDSA_P256_SIGN"
	SchemeRSA2048PKCS1SignV2    = "RSA_2048_PKCS1_SIGN_V2"
	SchemeRSA2048PKCS1PSSSignV2 = "RSA_2048_PKCS1_PSS_SIGN_V2"
	// SchemeRSA2048PKCS1Sign and SchemeRSA2048PKCS1PSSSign are the legacy (v1) layouts:
	// no "key/" prefix, the signature covers the raw dataset.
	SchemeRSA2048PKCS1Sign    = "RSA_2048_PKCS1_SIGN"
	SchemeRSA2048PKCS1PSSSign = "RSA_2048_PKCS1_PSS_SIGN"
	// SchemeRSA2048PKCS1Encrypt keys are the dataset "encrypted" with the account's private
	// key: whoever holds the public key can read them, nobody else can make one.
	SchemeRSA2048PKCS1Encrypt = "RSA_2048_PKCS1_ENCRYPT"
	// SchemeRSA2048JWTRS256 keys are RS256 JSON Web Tokens; the dataset is the claims object.
	SchemeRSA2048JWTRS256 = "RSA_2048_JWT_RS256"
)

var (
	// ErrLicenseKeyMalformed marks a license key that does not have its scheme's layout or
	// encoding (truncated, not base64url, missing "key/" prefix…).
	ErrLicenseKeyMalformed = errors.New("keygen: malformed license key")
	// ErrUnsupportedScheme marks a scheme this package cannot verify offline: an unknown name,
	// LEGACY_ENCRYPT (a one-way hash, only the server can check it) or no scheme at all.
	ErrUnsupportedScheme = errors.New("keygen: unsupported license key scheme")
	// ErrInvalidPublicKey marks a public key that does not parse, or whose type does not fit
	// the scheme (an Ed25519 key for an RSA scheme, an RSA key under 2048 bits…).
	ErrInvalidPublicKey = errors.New("keygen: invalid public key")
)

// LicenseKeyVerifier checks signed license keys of one scheme against one account public key.
// It parses the public key once, so an app that checks keys repeatedly pays for that once. A
// LicenseKeyVerifier is immutable and safe for concurrent use.
type LicenseKeyVerifier struct {
	scheme string
	key    crypto.PublicKey
}

// NewLicenseKeyVerifier returns a verifier for keys of scheme (one of the Scheme constants,
// i.e. the policy's scheme), checked with the account's public key as Keygen shows it:
//   - ED25519_SIGN: the Ed25519 key, 64 hex characters (a PEM "PUBLIC KEY" also works);
//   - RSA schemes: the RSA key as PEM, "PUBLIC KEY" (PKIX) or "RSA PUBLIC KEY" (PKCS#1);
//   - ECDSA_P256_SIGN: the P-256 key as PEM "PUBLIC KEY" (PKIX).
//
// Errors wrap ErrUnsupportedScheme or ErrInvalidPublicKey.
func NewLicenseKeyVerifier(scheme, publicKey string) (*LicenseKeyVerifier, error) {
	var want string
	switch scheme {
	case SchemeED25519Sign:
		want = "ed25519"
	case SchemeECDSAP256Sign:
		want = "ecdsa"
	case SchemeRSA2048PKCS1SignV2, SchemeRSA2048PKCS1PSSSignV2, SchemeRSA2048PKCS1Sign,
		SchemeRSA2048PKCS1PSSSign, SchemeRSA2048PKCS1Encrypt, SchemeRSA2048JWTRS256:
		want = "rsa"
	case "LEGACY_ENCRYPT":
		return nil, fmt.Errorf("%w: LEGACY_ENCRYPT keys are hashed secrets that only Keygen can check", ErrUnsupportedScheme)
	default:
		return nil, fmt.Errorf("%w: %q", ErrUnsupportedScheme, scheme)
	}
	key, err := parseAccountKey(publicKey)
	if err != nil {
		return nil, err
	}
	if got := keyKind(key); got != want {
		return nil, fmt.Errorf("%w: scheme %s needs an %s public key, got %s", ErrInvalidPublicKey, scheme, kindName(want), kindName(got))
	}
	return &LicenseKeyVerifier{scheme: scheme, key: key}, nil
}

// Scheme is the scheme the verifier checks.
func (v *LicenseKeyVerifier) Scheme() string { return v.scheme }

// Verify checks licenseKey's signature and returns its dataset: the bytes the license was
// created with (after template substitution), Keygen's default JSON dataset when none was
// given (see ParseLicenseKeyDataset), or the claims JSON of an RS256 JWT.
//
// Verify proves only that the account's private key made the key. Whether the license has
// expired (the dataset's expiry, a JWT's exp and nbf) is the caller's decision against a clock
// it trusts; nothing here reads the local clock.
//
// Each key has exactly one accepted spelling, the one Keygen issues: URL-safe base64 with its
// "=" padding (Ruby's urlsafe_encode64), except a JWT's three parts, which are unpadded as
// RFC 7515 requires; no surrounding whitespace, no line breaks, no stray bits. So a key that
// verifies is the very string Keygen issued, and comparing keys as strings (a denylist of
// leaked keys, say) cannot be sidestepped by respelling one. Trim what you read from a file
// or a form before you call Verify.
//
// A signature that does not verify gives a *SignatureError (errors.Is ErrSignatureInvalid); a
// key without the scheme's layout gives an error wrapping ErrLicenseKeyMalformed.
func (v *LicenseKeyVerifier) Verify(licenseKey string) ([]byte, error) {
	key := licenseKey
	if key == "" {
		return nil, fmt.Errorf("%w: empty", ErrLicenseKeyMalformed)
	}
	if strings.TrimSpace(key) != key {
		return nil, fmt.Errorf("%w: surrounding whitespace (trim the key first: only the spelling Keygen issued verifies)", ErrLicenseKeyMalformed)
	}
	switch v.scheme {
	case SchemeRSA2048PKCS1Encrypt:
		return v.verifyEncrypted(key)
	case SchemeRSA2048JWTRS256:
		return v.verifyJWT(key)
	case SchemeRSA2048PKCS1Sign, SchemeRSA2048PKCS1PSSSign:
		return v.verifyLegacy(key)
	}
	// ED25519_SIGN, ECDSA_P256_SIGN and the RSA v2 schemes: key/<dataset>.<sig>, signed over
	// everything before the last dot. base64url has no dot, so the last one is the separator.
	dot := strings.LastIndexByte(key, '.')
	if dot < 0 {
		return nil, fmt.Errorf("%w: no signature part (want key/<dataset>.<signature>)", ErrLicenseKeyMalformed)
	}
	signed, encSig := key[:dot], key[dot+1:]
	encData, ok := strings.CutPrefix(signed, "key/")
	if !ok {
		return nil, fmt.Errorf("%w: no key/ prefix (want key/<dataset>.<signature>)", ErrLicenseKeyMalformed)
	}
	sig, err := decodeB64URL(encSig)
	if err != nil {
		return nil, fmt.Errorf("%w: signature: %v", ErrLicenseKeyMalformed, err)
	}
	if err := verifySig(v.sigAlg(), v.key, []byte(signed), sig); err != nil {
		return nil, err
	}
	// The dataset is decoded only now that the signature vouches for it.
	data, err := decodeB64URL(encData)
	if err != nil {
		return nil, fmt.Errorf("%w: dataset: %v", ErrLicenseKeyMalformed, err)
	}
	return data, nil
}

// sigAlg maps a signing scheme to its primitive, named as license files name them.
func (v *LicenseKeyVerifier) sigAlg() string {
	switch v.scheme {
	case SchemeED25519Sign:
		return algEd25519
	case SchemeECDSAP256Sign:
		return algECDSAP256
	case SchemeRSA2048PKCS1PSSSignV2, SchemeRSA2048PKCS1PSSSign:
		return algRSAPSS
	}
	return algRSAPKCS1
}

// verifyLegacy checks a v1 key, <b64url(dataset)>.<b64url(sig)>, whose signature covers the
// raw dataset. The dataset must be decoded first; its strict decoding keeps one dataset from
// having several accepted spellings.
func (v *LicenseKeyVerifier) verifyLegacy(key string) ([]byte, error) {
	encData, encSig, ok := strings.Cut(key, ".")
	if !ok || strings.Contains(encSig, ".") {
		return nil, fmt.Errorf("%w: want <dataset>.<signature>", ErrLicenseKeyMalformed)
	}
	data, err := decodeB64URL(encData)
	if err != nil {
		return nil, fmt.Errorf("%w: dataset: %v", ErrLicenseKeyMalformed, err)
	}
	sig, err := decodeB64URL(encSig)
	if err != nil {
		return nil, fmt.Errorf("%w: signature: %v", ErrLicenseKeyMalformed, err)
	}
	if err := verifySig(v.sigAlg(), v.key, data, sig); err != nil {
		return nil, err
	}
	return data, nil
}

// verifyEncrypted recovers an RSA_2048_PKCS1_ENCRYPT key: the server ran a raw RSA private-key
// operation over the PKCS#1 v1.5 type-1 padded dataset, so m = s^e mod n must come back as
// 00 01 FF…FF 00 <dataset>. Go has no API for that public-key "decrypt", hence the modexp.
// Only the private key can produce a value that unpads correctly, which is what makes the
// key authentic; every check works on a buffer of exactly the modulus size.
func (v *LicenseKeyVerifier) verifyEncrypted(key string) ([]byte, error) {
	if strings.Contains(key, ".") {
		return nil, fmt.Errorf("%w: an %s key has no dot", ErrLicenseKeyMalformed, SchemeRSA2048PKCS1Encrypt)
	}
	c, err := decodeB64URL(key)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrLicenseKeyMalformed, err)
	}
	pub := v.key.(*rsa.PublicKey)
	k := (pub.N.BitLen() + 7) / 8
	if len(c) != k {
		return nil, sigErr("%s key is %d bytes, the modulus is %d", SchemeRSA2048PKCS1Encrypt, len(c), k)
	}
	ci := new(big.Int).SetBytes(c)
	if ci.Cmp(pub.N) >= 0 {
		return nil, sigErr("%s key is not below the modulus", SchemeRSA2048PKCS1Encrypt)
	}
	em := new(big.Int).Exp(ci, big.NewInt(int64(pub.E)), pub.N).FillBytes(make([]byte, k))
	// em = 0x00 0x01 PS 0x00 M, PS at least 8 bytes of 0xFF (RFC 8017 §9.2, type 1).
	if em[0] != 0x00 || em[1] != 0x01 {
		return nil, sigErr("%s key does not decrypt to PKCS#1 type-1 padding", SchemeRSA2048PKCS1Encrypt)
	}
	i := 2
	for i < k && em[i] == 0xff {
		i++
	}
	if i == k || em[i] != 0x00 || i-2 < 8 {
		return nil, sigErr("%s key does not decrypt to PKCS#1 type-1 padding", SchemeRSA2048PKCS1Encrypt)
	}
	msg := em[i+1:]
	if isDigestInfo(msg) {
		// The same padding and private-key operation make every RSASSA-PKCS1-v1_5 signature:
		// a signature by the account's RSA key (an RSA_2048_PKCS1_SIGN key's signature part,
		// a response signed rsa-sha256) would otherwise pass for an encrypted key whose
		// dataset is the signed hash. A dataset that is a DigestInfo is that, never a key.
		return nil, sigErr("%s key is an RSA signature of another scheme, not an encrypted dataset", SchemeRSA2048PKCS1Encrypt)
	}
	return msg, nil
}

// digestInfo is the DER structure RSASSA-PKCS1-v1_5 signs (RFC 8017 §9.2).
type digestInfo struct {
	Algorithm pkix.AlgorithmIdentifier
	Digest    []byte
}

// digestSizes maps the hash OIDs of PKCS#1 v1.5 signatures to their digest sizes.
var digestSizes = map[string]int{
	"1.3.14.3.2.26":          20, // SHA-1
	"2.16.840.1.101.3.4.2.4": 28, // SHA-224
	"2.16.840.1.101.3.4.2.1": 32, // SHA-256
	"2.16.840.1.101.3.4.2.2": 48, // SHA-384
	"2.16.840.1.101.3.4.2.3": 64, // SHA-512
	"1.2.840.113549.2.5":     16, // MD5
}

// isDigestInfo reports whether b is exactly a DigestInfo of a known hash.
func isDigestInfo(b []byte) bool {
	if len(b) == 0 || b[0] != 0x30 {
		return false
	}
	var di digestInfo
	rest, err := asn1.Unmarshal(b, &di)
	if err != nil || len(rest) != 0 {
		return false
	}
	size, ok := digestSizes[di.Algorithm.Algorithm.String()]
	return ok && len(di.Digest) == size
}

// verifyJWT checks an RS256 JWT and returns its claims. The signature is checked before any
// part is parsed; the header must then say RS256, so a token that claims "none" or an HMAC
// algorithm is refused even if some RSA signature happened to fit.
func (v *LicenseKeyVerifier) verifyJWT(key string) ([]byte, error) {
	parts := strings.Split(key, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("%w: a JWT has three dot-separated parts, got %d", ErrLicenseKeyMalformed, len(parts))
	}
	sig, err := decodeB64URLRaw(parts[2])
	if err != nil {
		return nil, fmt.Errorf("%w: JWT signature: %v", ErrLicenseKeyMalformed, err)
	}
	if err := verifySig(algRSAPKCS1, v.key, []byte(parts[0]+"."+parts[1]), sig); err != nil {
		return nil, err
	}
	hb, err := decodeB64URLRaw(parts[0])
	if err != nil {
		return nil, fmt.Errorf("%w: JWT header: %v", ErrLicenseKeyMalformed, err)
	}
	var header struct {
		Alg string `json:"alg"`
	}
	if err := json.Unmarshal(hb, &header); err != nil {
		return nil, fmt.Errorf("%w: JWT header: %v", ErrLicenseKeyMalformed, err)
	}
	if header.Alg != "RS256" {
		return nil, sigErr("JWT algorithm %q is not RS256", header.Alg)
	}
	claims, err := decodeB64URLRaw(parts[1])
	if err != nil {
		return nil, fmt.Errorf("%w: JWT claims: %v", ErrLicenseKeyMalformed, err)
	}
	if t := bytes.TrimSpace(claims); len(t) == 0 || t[0] != '{' || !json.Valid(t) {
		return nil, fmt.Errorf("%w: JWT claims are not a JSON object", ErrLicenseKeyMalformed)
	}
	return claims, nil
}

// VerifyLicenseKey is NewLicenseKeyVerifier(scheme, publicKey) followed by Verify(licenseKey).
func VerifyLicenseKey(scheme, licenseKey, publicKey string) ([]byte, error) {
	v, err := NewLicenseKeyVerifier(scheme, publicKey)
	if err != nil {
		return nil, err
	}
	return v.Verify(licenseKey)
}

// LicenseKeyDataset is Keygen's default dataset, the one a signed key carries when the license
// was created without a key of its own (keygen-sh/keygen-api, app/models/license.rb:
// default_seed_key). Fields the dataset lacks stay zero.
type LicenseKeyDataset struct {
	AccountID string
	ProductID string
	PolicyID  string
	// UserID and UserEmail are the license owner's, empty when it has none.
	UserID    string
	UserEmail string
	LicenseID string
	Created   time.Time
	// Expiry is nil for a license that does not expire.
	Expiry *time.Time
	// Duration is the policy's duration, nil when licenses of the policy do not expire.
	Duration *time.Duration
}

// ParseLicenseKeyDataset decodes a verified dataset in Keygen's default shape: the nested
// {"account","product","policy","user","license"} object of the signing schemes, or the flat
// {"id","created","duration","expiry"} object of RSA_2048_PKCS1_ENCRYPT. A dataset the license
// was created with (a custom key) is the caller's format and gives an error.
func ParseLicenseKeyDataset(dataset []byte) (*LicenseKeyDataset, error) {
	type ref struct {
		ID       string `json:"id"`
		Email    string `json:"email"`
		Duration *int64 `json:"duration"`
	}
	var w struct {
		Account *ref `json:"account"`
		Product *ref `json:"product"`
		Policy  *ref `json:"policy"`
		User    *ref `json:"user"`
		License *struct {
			ID      string     `json:"id"`
			Created time.Time  `json:"created"`
			Expiry  *time.Time `json:"expiry"`
		} `json:"license"`
		// The flat RSA_2048_PKCS1_ENCRYPT shape.
		ID       string     `json:"id"`
		Created  time.Time  `json:"created"`
		Expiry   *time.Time `json:"expiry"`
		Duration *int64     `json:"duration"`
	}
	if err := json.Unmarshal(dataset, &w); err != nil {
		return nil, fmt.Errorf("keygen: license key dataset is not Keygen's default JSON dataset: %w", err)
	}
	d := &LicenseKeyDataset{}
	seconds := func(s *int64) *time.Duration {
		if s == nil {
			return nil
		}
		v := time.Duration(*s) * time.Second
		return &v
	}
	switch {
	case w.License != nil && w.License.ID != "":
		d.LicenseID, d.Created, d.Expiry = w.License.ID, w.License.Created, w.License.Expiry
		if w.Account != nil {
			d.AccountID = w.Account.ID
		}
		if w.Product != nil {
			d.ProductID = w.Product.ID
		}
		if w.Policy != nil {
			d.PolicyID, d.Duration = w.Policy.ID, seconds(w.Policy.Duration)
		}
		if w.User != nil {
			d.UserID, d.UserEmail = w.User.ID, w.User.Email
		}
	case w.ID != "":
		d.LicenseID, d.Created, d.Expiry, d.Duration = w.ID, w.Created, w.Expiry, seconds(w.Duration)
	default:
		return nil, errors.New("keygen: license key dataset is not Keygen's default JSON dataset: no license id")
	}
	return d, nil
}

// Signing primitives, named as license files and webhook endpoints name them.
const (
	algEd25519   = "ed25519"
	algRSAPSS    = "rsa-pss-sha256"
	algRSAPKCS1  = "rsa-sha256"
	algECDSAP256 = "ecdsa-p256"
)

// verifySig checks sig over msg with the primitive alg names. A key of the wrong type for alg
// is a failed verification too: whoever picked alg (a license file carries its own, unsigned)
// must not get to pick a weaker check.
func verifySig(alg string, key crypto.PublicKey, msg, sig []byte) error {
	switch alg {
	case algEd25519:
		pub, ok := key.(ed25519.PublicKey)
		if !ok {
			return sigErr("%s signature needs an Ed25519 public key, got %s", alg, kindName(keyKind(key)))
		}
		if !ed25519.Verify(pub, msg, sig) {
			return sigErr("%s signature does not verify", alg)
		}
		return nil
	case algECDSAP256:
		pub, ok := key.(*ecdsa.PublicKey)
		if !ok {
			return sigErr("%s signature needs an ECDSA P-256 public key, got %s", alg, kindName(keyKind(key)))
		}
		sum := sha256.Sum256(msg)
		if !ecdsa.VerifyASN1(pub, sum[:], sig) {
			return sigErr("%s signature does not verify", alg)
		}
		return nil
	case algRSAPSS, algRSAPKCS1:
		pub, ok := key.(*rsa.PublicKey)
		if !ok {
			return sigErr("%s signature needs an RSA public key, got %s", alg, kindName(keyKind(key)))
		}
		sum := sha256.Sum256(msg)
		var err error
		if alg == algRSAPSS {
			// Keygen signs with the maximum salt length; Auto reads it from the signature.
			err = rsa.VerifyPSS(pub, crypto.SHA256, sum[:], sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto})
		} else {
			err = rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig)
		}
		if err != nil {
			return sigErr("%s signature does not verify", alg)
		}
		return nil
	}
	return sigErr("unsupported signature algorithm %q", alg)
}

// parseAccountKey reads an account public key in any form Keygen shows one: Ed25519 as hex
// (see ParsePublicKey), or PEM: "PUBLIC KEY" (PKIX: RSA, ECDSA P-256 or Ed25519) and
// "RSA PUBLIC KEY" (PKCS#1); or base64 of that text, as the account document's meta.keys
// carries every key (keygen-api app/serializers/account_serializer.rb: strict_encode64 of the
// hex or PEM). RSA keys must have at least 2048 bits and ECDSA keys be P-256, the only sizes
// Keygen issues; anything smaller is refused rather than trusted.
func parseAccountKey(s string) (crypto.PublicKey, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, fmt.Errorf("%w: empty", ErrInvalidPublicKey)
	}
	if !strings.HasPrefix(s, "-----BEGIN") {
		if k, err := ParsePublicKey(s); err == nil {
			return k, nil
		}
		// One level of base64 only, around a PEM: base64 of base64 is no form Keygen uses.
		dec, err := base64.StdEncoding.DecodeString(s)
		text := strings.TrimSpace(string(dec))
		if err != nil || !strings.HasPrefix(text, "-----BEGIN") {
			return nil, fmt.Errorf("%w: not 64 hex characters (Ed25519) nor PEM (RSA, ECDSA), nor base64 of either", ErrInvalidPublicKey)
		}
		s = text
	}
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		return nil, fmt.Errorf("%w: unreadable PEM", ErrInvalidPublicKey)
	}
	var key crypto.PublicKey
	var err error
	switch block.Type {
	case "PUBLIC KEY":
		key, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		key, err = x509.ParsePKCS1PublicKey(block.Bytes)
	default:
		return nil, fmt.Errorf("%w: PEM block %q is not a PUBLIC KEY or RSA PUBLIC KEY", ErrInvalidPublicKey, block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidPublicKey, err)
	}
	switch k := key.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() < 2048 || k.E < 3 {
			return nil, fmt.Errorf("%w: RSA key of %d bits (want at least 2048)", ErrInvalidPublicKey, k.N.BitLen())
		}
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() {
			return nil, fmt.Errorf("%w: ECDSA key is not on P-256", ErrInvalidPublicKey)
		}
	case ed25519.PublicKey:
	default:
		return nil, fmt.Errorf("%w: unsupported key type %T", ErrInvalidPublicKey, key)
	}
	return key, nil
}

func keyKind(key crypto.PublicKey) string {
	switch key.(type) {
	case ed25519.PublicKey:
		return "ed25519"
	case *ecdsa.PublicKey:
		return "ecdsa"
	case *rsa.PublicKey:
		return "rsa"
	}
	return "unknown"
}

func kindName(kind string) string {
	switch kind {
	case "ed25519":
		return "Ed25519"
	case "ecdsa":
		return "ECDSA P-256"
	case "rsa":
		return "RSA"
	}
	return "unknown"
}

// decodeB64URL decodes Keygen's URL-safe base64 as Ruby's urlsafe_encode64 writes it: with
// its "=" padding. It is strict (padding required, no line breaks, no stray bits) so that one
// byte string has exactly one accepted spelling.
func decodeB64URL(s string) ([]byte, error) {
	if strings.ContainsAny(s, "\r\n") {
		return nil, errors.New("line break in base64")
	}
	if len(s)%4 != 0 {
		return nil, errors.New("base64 without its = padding (Keygen pads its keys)")
	}
	return base64.URLEncoding.Strict().DecodeString(s)
}

// decodeB64URLRaw decodes a JWT part: URL-safe base64 without padding (RFC 7515 §2), strict.
func decodeB64URLRaw(s string) ([]byte, error) {
	if strings.ContainsAny(s, "\r\n=") {
		return nil, errors.New("a JWT part is unpadded base64url with no line breaks")
	}
	return base64.RawURLEncoding.Strict().DecodeString(s)
}
