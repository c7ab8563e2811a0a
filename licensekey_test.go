package keygen

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// defaultDataset is Keygen's default dataset for the signing schemes (keygen-sh/keygen-api,
// app/models/license.rb: default_seed_key).
const defaultDataset = `{"account":{"id":"4f2d6e0a-0f0b-4f7e-9d3c-6c1f4d2b8a11"},` +
	`"product":{"id":"2313b7e7-1ea6-4a01-901e-2931de6bb1e2"},` +
	`"policy":{"id":"9b3c1d2e-5f60-4a7b-8c9d-0e1f2a3b4c5d","duration":31556952},` +
	`"user":{"id":"7d8e9f00-1a2b-4c3d-8e4f-5a6b7c8d9e0f","email":"adal@example.com"},` +
	`"license":{"id":"b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e","created":"2024-05-01T10:00:00.000Z","expiry":"2025-05-01T15:49:12.000Z"}}`

// encryptDataset is the flat default dataset of RSA_2048_PKCS1_ENCRYPT.
const encryptDataset = `{"id":"b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e","created":"2024-05-01T10:00:00.000Z","duration":null,"expiry":null}`

// jwtClaims are the default claims of RSA_2048_JWT_RS256.
const jwtClaims = `{"jti":"0d7c2a54-58b3-4b0a-9a8c-3a0c4e1f9b21","iss":"https://keygen.sh","aud":"4f2d6e0a-0f0b-4f7e-9d3c-6c1f4d2b8a11","sub":"b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e","iat":1714557600,"nbf":1714557600,"exp":1746114552}`

// schemeCase is one scheme with the key pair that signs it and the public key as an app has it.
type schemeCase struct {
	scheme  string
	priv    crypto.Signer
	pub     string // right account key
	wrong   string // another account's key of the same type
	dataset string
}

func schemeCases(t testing.TB) []schemeCase {
	k := testKeys(t)
	rsaPub, rsaWrong := pemPKIX(t, k.rsa.Public()), pemPKIX(t, k.rsa2.Public())
	return []schemeCase{
		{SchemeED25519Sign, k.ed, edHex(k.ed), edHex(k.ed2), defaultDataset},
		{SchemeECDSAP256Sign, k.ec, pemPKIX(t, k.ec.Public()), pemPKIX(t, k.ec2.Public()), defaultDataset},
		{SchemeRSA2048PKCS1SignV2, k.rsa, rsaPub, rsaWrong, defaultDataset},
		{SchemeRSA2048PKCS1PSSSignV2, k.rsa, pemPKCS1(&k.rsa.PublicKey), pemPKCS1(&k.rsa2.PublicKey), defaultDataset},
		{SchemeRSA2048PKCS1Sign, k.rsa, rsaPub, rsaWrong, defaultDataset},
		{SchemeRSA2048PKCS1PSSSign, k.rsa, rsaPub, rsaWrong, defaultDataset},
		{SchemeRSA2048PKCS1Encrypt, k.rsa, rsaPub, rsaWrong, encryptDataset},
		{SchemeRSA2048JWTRS256, k.rsa, rsaPub, rsaWrong, jwtClaims},
	}
}

func TestVerifyLicenseKeyRoundTrip(t *testing.T) {
	t.Parallel()
	for _, c := range schemeCases(t) {
		t.Run(c.scheme, func(t *testing.T) {
			t.Parallel()
			key := signLicenseKey(t, c.scheme, c.priv, []byte(c.dataset))
			got, err := VerifyLicenseKey(c.scheme, key, c.pub)
			require.NoError(t, err)
			assert.Equal(t, c.dataset, string(got))

			// One spelling only: a pasted key with whitespace around it is refused, so a
			// key that verifies is always the exact string Keygen issued.
			for _, spelled := range []string{"  " + key, key + "\n", "\t" + key + " "} {
				_, err = VerifyLicenseKey(c.scheme, spelled, c.pub)
				require.ErrorIs(t, err, ErrLicenseKeyMalformed, "%q", spelled)
			}

			v, err := NewLicenseKeyVerifier(c.scheme, c.pub)
			require.NoError(t, err)
			assert.Equal(t, c.scheme, v.Scheme())
			got, err = v.Verify(key)
			require.NoError(t, err)
			assert.Equal(t, c.dataset, string(got))
		})
	}
}

func TestLicenseKeyLayout(t *testing.T) {
	t.Parallel()
	k := testKeys(t)
	// The dataset is 397 bytes: its padded base64url ends in "==", as Ruby writes it.
	key := signLicenseKey(t, SchemeED25519Sign, k.ed, []byte(defaultDataset))
	signed, sig, ok := strings.Cut(key, ".")
	require.True(t, ok)
	assert.True(t, strings.HasPrefix(signed, "key/eyJhY2NvdW50Ijp7ImlkIjoiNGYy"), signed)
	assert.True(t, strings.HasSuffix(signed, "="), "dataset keeps its padding")
	assert.Len(t, sig, 88) // 64 bytes, padded

	legacy := signLicenseKey(t, SchemeRSA2048PKCS1Sign, k.rsa, []byte(defaultDataset))
	assert.False(t, strings.HasPrefix(legacy, "key/"))
}

// TestVerifyLicenseKeyCanonical: a leaked key on a denylist compared as a string must not
// verify again under another spelling. Keygen pads its base64url (Ruby's urlsafe_encode64);
// the signature's padding is not itself signed, so accepting it dropped would give every
// key a second valid spelling.
func TestVerifyLicenseKeyCanonical(t *testing.T) {
	t.Parallel()
	k := testKeys(t)
	key := signLicenseKey(t, SchemeED25519Sign, k.ed, []byte(defaultDataset))
	require.True(t, strings.HasSuffix(key, "=="), "an Ed25519 signature is 64 bytes: padded with ==")
	_, err := VerifyLicenseKey(SchemeED25519Sign, strings.TrimRight(key, "="), edHex(k.ed))
	require.ErrorIs(t, err, ErrLicenseKeyMalformed)
	require.Contains(t, err.Error(), "padding")
	_, err = VerifyLicenseKey(SchemeED25519Sign, key+"=", edHex(k.ed))
	require.Error(t, err, "extra padding")

	// The dataset's padding is inside the signed "key/…" string: dropping it is tampering.
	signed, sig, _ := strings.Cut(key, ".")
	_, err = VerifyLicenseKey(SchemeED25519Sign, strings.TrimRight(signed, "=")+"."+sig, edHex(k.ed))
	require.ErrorIs(t, err, ErrSignatureInvalid)

	// v1 keys sign the raw dataset: neither part may come unpadded.
	legacy := signLicenseKey(t, SchemeRSA2048PKCS1Sign, k.rsa, []byte(defaultDataset))
	d, s, _ := strings.Cut(legacy, ".")
	require.True(t, strings.HasSuffix(d, "=") || strings.HasSuffix(s, "="), "fixture must have padding to drop")
	_, err = VerifyLicenseKey(SchemeRSA2048PKCS1Sign, strings.TrimRight(d, "=")+"."+strings.TrimRight(s, "="), pemPKIX(t, k.rsa.Public()))
	require.ErrorIs(t, err, ErrLicenseKeyMalformed)
	got, err := VerifyLicenseKey(SchemeRSA2048PKCS1Sign, legacy, pemPKIX(t, k.rsa.Public()))
	require.NoError(t, err)
	assert.Equal(t, defaultDataset, string(got))

	// JWTs are the other way round: RFC 7515 parts carry no padding, and padded ones are
	// refused.
	jwt := signLicenseKey(t, SchemeRSA2048JWTRS256, k.rsa, []byte(jwtClaims))
	parts := strings.Split(jwt, ".")
	require.Len(t, parts, 3)
	padded := parts[0] + "." + parts[1] + "." + parts[2] + strings.Repeat("=", (4-len(parts[2])%4)%4)
	if padded != jwt {
		_, err = VerifyLicenseKey(SchemeRSA2048JWTRS256, padded, pemPKIX(t, k.rsa.Public()))
		require.ErrorIs(t, err, ErrLicenseKeyMalformed)
	}
	_, err = VerifyLicenseKey(SchemeRSA2048JWTRS256, jwt, pemPKIX(t, k.rsa.Public()))
	require.NoError(t, err)
}

// swapChar replaces the base64 character at i by another one of the same alphabet, so the
// result still decodes and only the signature check can catch it.
func swapChar(s string, i int) string {
	r := byte('A')
	if s[i] == 'A' {
		r = 'B'
	}
	return s[:i] + string(r) + s[i+1:]
}

func TestVerifyLicenseKeyTampered(t *testing.T) {
	t.Parallel()
	for _, c := range schemeCases(t) {
		t.Run(c.scheme, func(t *testing.T) {
			t.Parallel()
			key := signLicenseKey(t, c.scheme, c.priv, []byte(c.dataset))
			// Positions inside the dataset part and inside the signature part (for the
			// encrypt scheme the whole key is both).
			first := strings.IndexByte(key, '.')
			last := strings.LastIndexByte(key, '.')
			positions := map[string]int{"signature": last + 10}
			if first < 0 {
				positions = map[string]int{"start": 10, "middle": len(key) / 2}
			} else {
				positions["dataset"] = first / 2
			}
			if c.scheme == SchemeRSA2048JWTRS256 {
				positions["header"] = 5
			}
			for name, i := range positions {
				_, err := VerifyLicenseKey(c.scheme, swapChar(key, i), c.pub)
				require.ErrorIs(t, err, ErrSignatureInvalid, "changed %s character at %d", name, i)
				var se *SignatureError
				require.ErrorAs(t, err, &se)
				assert.NotEmpty(t, se.Reason)
			}
		})
	}
}

func TestVerifyLicenseKeyWrongPublicKey(t *testing.T) {
	t.Parallel()
	for _, c := range schemeCases(t) {
		t.Run(c.scheme, func(t *testing.T) {
			t.Parallel()
			key := signLicenseKey(t, c.scheme, c.priv, []byte(c.dataset))
			_, err := VerifyLicenseKey(c.scheme, key, c.wrong)
			require.ErrorIs(t, err, ErrSignatureInvalid)
		})
	}
}

func TestVerifyLicenseKeyWrongScheme(t *testing.T) {
	t.Parallel()
	k := testKeys(t)
	rsaPub := pemPKIX(t, k.rsa.Public())
	cases := []struct {
		name            string
		signed, checked string
		pub             string
		want            error
	}{
		{"pkcs1 v2 as pss v2", SchemeRSA2048PKCS1SignV2, SchemeRSA2048PKCS1PSSSignV2, rsaPub, ErrSignatureInvalid},
		{"pss v2 as pkcs1 v2", SchemeRSA2048PKCS1PSSSignV2, SchemeRSA2048PKCS1SignV2, rsaPub, ErrSignatureInvalid},
		{"pkcs1 v1 as pss v1", SchemeRSA2048PKCS1Sign, SchemeRSA2048PKCS1PSSSign, rsaPub, ErrSignatureInvalid},
		{"v2 as v1", SchemeRSA2048PKCS1SignV2, SchemeRSA2048PKCS1Sign, rsaPub, ErrLicenseKeyMalformed},
		{"v1 as v2", SchemeRSA2048PKCS1Sign, SchemeRSA2048PKCS1SignV2, rsaPub, ErrLicenseKeyMalformed},
		{"jwt as pkcs1 v2", SchemeRSA2048JWTRS256, SchemeRSA2048PKCS1SignV2, rsaPub, ErrLicenseKeyMalformed},
		{"pkcs1 v2 as jwt", SchemeRSA2048PKCS1SignV2, SchemeRSA2048JWTRS256, rsaPub, ErrLicenseKeyMalformed},
		{"pkcs1 v2 as encrypt", SchemeRSA2048PKCS1SignV2, SchemeRSA2048PKCS1Encrypt, rsaPub, ErrLicenseKeyMalformed},
		{"encrypt as pkcs1 v1", SchemeRSA2048PKCS1Encrypt, SchemeRSA2048PKCS1Sign, rsaPub, ErrLicenseKeyMalformed},
		{"ed25519 as ecdsa", SchemeED25519Sign, SchemeECDSAP256Sign, edHex(k.ed), ErrInvalidPublicKey},
		{"ecdsa as ed25519", SchemeECDSAP256Sign, SchemeED25519Sign, pemPKIX(t, k.ec.Public()), ErrInvalidPublicKey},
		{"ed25519 as rsa", SchemeED25519Sign, SchemeRSA2048PKCS1SignV2, edHex(k.ed), ErrInvalidPublicKey},
	}
	privs := map[string]crypto.Signer{SchemeED25519Sign: k.ed, SchemeECDSAP256Sign: k.ec}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			priv := privs[c.signed]
			if priv == nil {
				priv = k.rsa
			}
			dataset := defaultDataset
			if c.signed == SchemeRSA2048PKCS1Encrypt {
				dataset = encryptDataset
			}
			key := signLicenseKey(t, c.signed, priv, []byte(dataset))
			_, err := VerifyLicenseKey(c.checked, key, c.pub)
			require.ErrorIs(t, err, c.want)
		})
	}
}

func TestVerifyLicenseKeyMalformed(t *testing.T) {
	t.Parallel()
	k := testKeys(t)
	edPub, rsaPub := edHex(k.ed), pemPKIX(t, k.rsa.Public())
	good := signLicenseKey(t, SchemeED25519Sign, k.ed, []byte(defaultDataset))
	signed, sig, _ := strings.Cut(good, ".")
	for _, c := range []struct {
		name, scheme, key, pub string
	}{
		{"empty", SchemeED25519Sign, "", edPub},
		{"blank", SchemeED25519Sign, " \n", edPub},
		{"plain key", SchemeED25519Sign, "ABCDEF-123456-ABCDEF-123456-ABCDEF-V3", edPub},
		{"no signature", SchemeED25519Sign, signed, edPub},
		{"no prefix", SchemeED25519Sign, strings.TrimPrefix(good, "key/"), edPub},
		{"signature not base64url", SchemeED25519Sign, signed + ".+/+/", edPub},
		{"standard base64 signature", SchemeED25519Sign, signed + "." + strings.NewReplacer("-", "+", "_", "/").Replace(sig) + "+/", edPub},
		{"line break in signature", SchemeED25519Sign, signed + "." + sig[:20] + "\n" + sig[20:], edPub},
		{"bad padding", SchemeED25519Sign, signed + "." + sig + "=", edPub},
		{"legacy three parts", SchemeRSA2048PKCS1Sign, "YQ==.YQ==.YQ==", rsaPub},
		{"legacy one part", SchemeRSA2048PKCS1Sign, "YQ==", rsaPub},
		{"jwt two parts", SchemeRSA2048JWTRS256, "eyJhbGciOiJSUzI1NiJ9.e30", rsaPub},
		{"jwt four parts", SchemeRSA2048JWTRS256, "a.b.c.d", rsaPub},
		{"encrypt not base64", SchemeRSA2048PKCS1Encrypt, "***", rsaPub},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := VerifyLicenseKey(c.scheme, c.key, c.pub)
			require.ErrorIs(t, err, ErrLicenseKeyMalformed)
			assert.NotErrorIs(t, err, ErrSignatureInvalid)
		})
	}
}

func TestVerifyLicenseKeyJWT(t *testing.T) {
	t.Parallel()
	k := testKeys(t)
	pub := pemPKIX(t, k.rsa.Public())

	// The alg is checked after the signature: a token that says HS256 (the classic
	// key-confusion attack) or none is refused even when an RS256 signature fits.
	for _, alg := range []string{"HS256", "none", "RS512", ""} {
		tok := signJWT(t, k.rsa, `{"alg":"`+alg+`","typ":"JWT"}`, []byte(jwtClaims))
		_, err := VerifyLicenseKey(SchemeRSA2048JWTRS256, tok, pub)
		require.ErrorIs(t, err, ErrSignatureInvalid, "alg %q", alg)
	}
	// An unsigned token.
	raw := base64.RawURLEncoding
	none := raw.EncodeToString([]byte(`{"alg":"none"}`)) + "." + raw.EncodeToString([]byte(jwtClaims)) + "."
	_, err := VerifyLicenseKey(SchemeRSA2048JWTRS256, none, pub)
	require.ErrorIs(t, err, ErrSignatureInvalid)

	// Signed claims that are not an object.
	tok := signJWT(t, k.rsa, `{"alg":"RS256"}`, []byte(`["not","an","object"]`))
	_, err = VerifyLicenseKey(SchemeRSA2048JWTRS256, tok, pub)
	require.ErrorIs(t, err, ErrLicenseKeyMalformed)
}

func TestVerifyLicenseKeyEncryptPadding(t *testing.T) {
	t.Parallel()
	k := testKeys(t)
	pub := pemPKIX(t, k.rsa.Public())
	size := k.rsa.Size()
	pad := func(mutate func(em []byte)) string {
		em := pkcs1Type1Pad(t, k.rsa, []byte(encryptDataset))
		mutate(em)
		return b64u.EncodeToString(rsaPrivateEncrypt(t, k.rsa, em))
	}
	sep := size - len(encryptDataset) - 1 // index of the 00 separator
	for name, key := range map[string]string{
		"type 2 block":      pad(func(em []byte) { em[1] = 0x02 }),
		"leading byte":      pad(func(em []byte) { em[0] = 0x00; em[1] = 0x00 }),
		"no separator":      pad(func(em []byte) { em[sep] = 0xff }),
		"padding not FF":    pad(func(em []byte) { em[5] = 0xfe }),
		"padding too short": b64u.EncodeToString(rsaPrivateEncrypt(t, k.rsa, append(append([]byte{0, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0}, make([]byte, size-11)...), 'x'))),
		"short value":       b64u.EncodeToString(rsaPrivateEncrypt(t, k.rsa, pkcs1Type1Pad(t, k.rsa, []byte("x")))[1:]),
		"long value":        b64u.EncodeToString(append([]byte{0}, rsaPrivateEncrypt(t, k.rsa, pkcs1Type1Pad(t, k.rsa, []byte("x")))...)),
		"modulus itself":    b64u.EncodeToString(k.rsa.N.Bytes()),
		"all FF":            b64u.EncodeToString(fillFF(size)),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := VerifyLicenseKey(SchemeRSA2048PKCS1Encrypt, key, pub)
			require.ErrorIs(t, err, ErrSignatureInvalid)
		})
	}

	// c + n decrypts to the same padded block as c: accepting it would give one key a second
	// spelling. Find a key whose c + n still fits in the modulus size, and expect a refusal.
	found := false
	for i := 0; i < 50 && !found; i++ {
		key := signLicenseKey(t, SchemeRSA2048PKCS1Encrypt, k.rsa, []byte(encryptDataset+strings.Repeat(" ", i)))
		c, err := base64.URLEncoding.DecodeString(key)
		require.NoError(t, err)
		sum := new(big.Int).Add(new(big.Int).SetBytes(c), k.rsa.N)
		if sum.BitLen() > 8*size {
			continue
		}
		found = true
		_, err = VerifyLicenseKey(SchemeRSA2048PKCS1Encrypt, key, pub)
		require.NoError(t, err)
		_, err = VerifyLicenseKey(SchemeRSA2048PKCS1Encrypt, b64u.EncodeToString(sum.FillBytes(make([]byte, size))), pub)
		require.ErrorIs(t, err, ErrSignatureInvalid)
	}
	require.True(t, found, "no key with c+n below 2^2048 in 50 tries")

	// The largest dataset Keygen allows (245 bytes for 2048-bit keys) and an empty one.
	for _, n := range []int{size - 11, 0} {
		data := strings.Repeat("d", n)
		got, err := VerifyLicenseKey(SchemeRSA2048PKCS1Encrypt, signLicenseKey(t, SchemeRSA2048PKCS1Encrypt, k.rsa, []byte(data)), pub)
		require.NoError(t, err)
		assert.Equal(t, data, string(got))
	}
}

func fillFF(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = 0xff
	}
	return b
}

func TestNewLicenseKeyVerifierErrors(t *testing.T) {
	t.Parallel()
	k := testKeys(t)
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err)
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	require.NoError(t, err)

	for _, scheme := range []string{"", "LEGACY_ENCRYPT", "ed25519_sign", "RSA_4096_PKCS1_SIGN"} {
		_, err := NewLicenseKeyVerifier(scheme, edHex(k.ed))
		require.ErrorIs(t, err, ErrUnsupportedScheme, "scheme %q", scheme)
	}
	for name, c := range map[string]struct{ scheme, pub string }{
		"empty":            {SchemeED25519Sign, ""},
		"short hex":        {SchemeED25519Sign, edHex(k.ed)[:62]},
		"garbage":          {SchemeECDSAP256Sign, "not a key"},
		"broken PEM":       {SchemeRSA2048PKCS1SignV2, "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"},
		"unreadable PEM":   {SchemeRSA2048PKCS1SignV2, "-----BEGIN PUBLIC KEY-----\n"},
		"private key PEM":  {SchemeRSA2048PKCS1SignV2, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"},
		"RSA 1024":         {SchemeRSA2048PKCS1SignV2, pemPKIX(t, small.Public())},
		"P-384":            {SchemeECDSAP256Sign, pemPKIX(t, p384.Public())},
		"RSA for ECDSA":    {SchemeECDSAP256Sign, pemPKCS1(&k.rsa.PublicKey)},
		"ECDSA for RSA":    {SchemeRSA2048JWTRS256, pemPKIX(t, k.ec.Public())},
		"Ed25519 for RSA":  {SchemeRSA2048PKCS1Encrypt, pemPKIX(t, k.ed.Public())},
		"RSA for Ed25519":  {SchemeED25519Sign, pemPKIX(t, k.rsa.Public())},
		"PKCS1 wrong type": {SchemeRSA2048PKCS1SignV2, strings.ReplaceAll(pemPKIX(t, k.rsa.Public()), "PUBLIC KEY", "RSA PUBLIC KEY")},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := NewLicenseKeyVerifier(c.scheme, c.pub)
			require.ErrorIs(t, err, ErrInvalidPublicKey)
		})
	}

	// An Ed25519 key as PEM works as well as hex.
	key := signLicenseKey(t, SchemeED25519Sign, k.ed, []byte("hello"))
	got, err := VerifyLicenseKey(SchemeED25519Sign, key, pemPKIX(t, k.ed.Public()))
	require.NoError(t, err)
	assert.Equal(t, "hello", string(got))
}

func TestParseLicenseKeyDataset(t *testing.T) {
	t.Parallel()
	d, err := ParseLicenseKeyDataset([]byte(defaultDataset))
	require.NoError(t, err)
	year := 31556952 * time.Second
	assert.Equal(t, &LicenseKeyDataset{
		AccountID: "4f2d6e0a-0f0b-4f7e-9d3c-6c1f4d2b8a11",
		ProductID: "2313b7e7-1ea6-4a01-901e-2931de6bb1e2",
		PolicyID:  "9b3c1d2e-5f60-4a7b-8c9d-0e1f2a3b4c5d",
		UserID:    "7d8e9f00-1a2b-4c3d-8e4f-5a6b7c8d9e0f",
		UserEmail: "adal@example.com",
		LicenseID: "b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e",
		Created:   mustTime(t, "2024-05-01T10:00:00Z"),
		Expiry:    Ptr(mustTime(t, "2025-05-01T15:49:12Z")),
		Duration:  &year,
	}, d)

	// No owner, no expiry, no duration.
	d, err = ParseLicenseKeyDataset([]byte(`{"account":{"id":"a"},"product":{"id":"p"},"policy":{"id":"po","duration":null},"user":null,` +
		`"license":{"id":"l","created":"2024-05-01T10:00:00.000Z","expiry":null}}`))
	require.NoError(t, err)
	assert.Equal(t, &LicenseKeyDataset{AccountID: "a", ProductID: "p", PolicyID: "po", LicenseID: "l", Created: mustTime(t, "2024-05-01T10:00:00Z")}, d)

	// The flat RSA_2048_PKCS1_ENCRYPT shape.
	d, err = ParseLicenseKeyDataset([]byte(`{"id":"l","created":"2024-05-01T10:00:00.000Z","duration":3600,"expiry":"2024-05-01T11:00:00.000Z"}`))
	require.NoError(t, err)
	hour := time.Hour
	assert.Equal(t, &LicenseKeyDataset{LicenseID: "l", Created: mustTime(t, "2024-05-01T10:00:00Z"), Expiry: Ptr(mustTime(t, "2024-05-01T11:00:00Z")), Duration: &hour}, d)

	for _, custom := range []string{`hello`, `{"tier":"gold"}`, `{"license":{"id":""}}`, `[]`, ``, `{"license":{"id":"l","created":"yesterday"}}`} {
		_, err := ParseLicenseKeyDataset([]byte(custom))
		require.Error(t, err, custom)
	}
}

// FuzzVerifyLicenseKey feeds arbitrary keys to every scheme. Nothing may panic, and whatever
// verifies must be a dataset the test key actually signed: no forgery by re-spelling a key.
func FuzzVerifyLicenseKey(f *testing.F) {
	cases := schemeCases(f)
	signed := map[string]bool{}
	verifiers := make([]*LicenseKeyVerifier, 0, len(cases))
	for _, c := range cases {
		v, err := NewLicenseKeyVerifier(c.scheme, c.pub)
		if err != nil {
			f.Fatal(err)
		}
		verifiers = append(verifiers, v)
		for _, ds := range []string{c.dataset, "short", ""} {
			f.Add(signLicenseKey(f, c.scheme, c.priv, []byte(ds)))
			signed[ds] = true
		}
	}
	f.Add("key/.")
	f.Add("a.b.c")
	f.Add("")
	f.Fuzz(func(t *testing.T, key string) {
		for _, v := range verifiers {
			data, err := v.Verify(key)
			if err == nil && !signed[string(data)] {
				t.Fatalf("%s accepted %q with a dataset nobody signed: %q", v.Scheme(), key, data)
			}
		}
		// The dataset helper must survive whatever a custom key carries.
		_, _ = ParseLicenseKeyDataset([]byte(key))
	})
}

// TestEncryptedKeyIsNotAnotherSchemesSignature: every RSASSA-PKCS1-v1_5 signature by the
// account's RSA key unpads like an RSA_2048_PKCS1_ENCRYPT key (found by FuzzVerifyLicenseKey).
// A signature lifted from a signed key of another scheme must not verify as an encrypted key.
func TestEncryptedKeyIsNotAnotherSchemesSignature(t *testing.T) {
	k := testKeys(t)
	pub := pemPKIX(t, k.rsa.Public())
	signedKey := signLicenseKey(t, SchemeRSA2048PKCS1SignV2, k.rsa, []byte(defaultDataset))
	sigPart := signedKey[strings.LastIndexByte(signedKey, '.')+1:]
	_, err := VerifyLicenseKey(SchemeRSA2048PKCS1Encrypt, sigPart, pub)
	require.ErrorIs(t, err, ErrSignatureInvalid)
	require.ErrorContains(t, err, "signature of another scheme")

	for _, h := range []crypto.Hash{crypto.SHA1, crypto.SHA256, crypto.SHA512} {
		d := h.New()
		d.Write([]byte("anything"))
		sig, err := rsa.SignPKCS1v15(rand.Reader, k.rsa, h, d.Sum(nil))
		require.NoError(t, err)
		_, err = VerifyLicenseKey(SchemeRSA2048PKCS1Encrypt, base64.URLEncoding.EncodeToString(sig), pub)
		require.ErrorIs(t, err, ErrSignatureInvalid, "%v", h)
	}
	// A genuine encrypted key still verifies.
	key := signLicenseKey(t, SchemeRSA2048PKCS1Encrypt, k.rsa, []byte(encryptDataset))
	got, err := VerifyLicenseKey(SchemeRSA2048PKCS1Encrypt, key, pub)
	require.NoError(t, err)
	assert.Equal(t, encryptDataset, string(got))
}
