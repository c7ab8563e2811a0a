package keygen

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"strings"
	"sync"
	"testing"
)

// This file is a test-only stand-in for Keygen's signing side (keygen-sh/keygen-api,
// app/models/license.rb and app/services/abstract_checkout_service.rb): it makes
// license keys and license/machine files with throwaway keys, the way the server does, so
// the verifiers can be tested without the network. Its keys are fixed (the RSA ones live in
// testdata/keys, the others derive from constant bytes) so fuzz seeds stay valid across runs.

type testKeySet struct {
	ed, ed2   ed25519.PrivateKey
	ec, ec2   *ecdsa.PrivateKey
	rsa, rsa2 *rsa.PrivateKey
}

var (
	testKeysOnce sync.Once
	testKeysVal  *testKeySet
	testKeysErr  error
)

// testKeys returns the throwaway account keys (and a second, "wrong" set).
func testKeys(tb testing.TB) *testKeySet {
	tb.Helper()
	testKeysOnce.Do(func() {
		k := &testKeySet{
			ed:  ed25519.NewKeyFromSeed(fill(32, 0x11)),
			ed2: ed25519.NewKeyFromSeed(fill(32, 0x22)),
		}
		if k.ec, testKeysErr = ecdsa.ParseRawPrivateKey(elliptic.P256(), fill(32, 0x33)); testKeysErr != nil {
			return
		}
		if k.ec2, testKeysErr = ecdsa.ParseRawPrivateKey(elliptic.P256(), fill(32, 0x44)); testKeysErr != nil {
			return
		}
		if k.rsa, testKeysErr = readRSAKey("testdata/keys/rsa_1.pem"); testKeysErr != nil {
			return
		}
		k.rsa2, testKeysErr = readRSAKey("testdata/keys/rsa_2.pem")
		testKeysVal = k
	})
	if testKeysErr != nil {
		tb.Fatalf("test keys: %v", testKeysErr)
	}
	return testKeysVal
}

func fill(n int, b byte) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = b + byte(i)
	}
	return out
}

func readRSAKey(path string) (*rsa.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(b)
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, err
	}
	return k.(*rsa.PrivateKey), nil
}

// edHex is an Ed25519 public key as Keygen shows it: 64 hex characters.
func edHex(k ed25519.PrivateKey) string { return hex.EncodeToString(k.Public().(ed25519.PublicKey)) }

// pemPKIX is a public key as PEM "PUBLIC KEY".
func pemPKIX(tb testing.TB, pub crypto.PublicKey) string {
	tb.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		tb.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// pemPKCS1 is an RSA public key as PEM "RSA PUBLIC KEY".
func pemPKCS1(pub *rsa.PublicKey) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(pub)}))
}

// testSign signs msg with the primitive alg names, as the server's sign helpers do.
func testSign(tb testing.TB, alg string, priv crypto.Signer, msg []byte) []byte {
	tb.Helper()
	sum := sha256.Sum256(msg)
	var sig []byte
	var err error
	switch alg {
	case algEd25519:
		sig = ed25519.Sign(priv.(ed25519.PrivateKey), msg)
	case algECDSAP256:
		sig, err = ecdsa.SignASN1(rand.Reader, priv.(*ecdsa.PrivateKey), sum[:])
	case algRSAPSS:
		// Keygen signs with salt_length: :max; Go's Auto salt on signing is that maximum.
		sig, err = rsa.SignPSS(rand.Reader, priv.(*rsa.PrivateKey), crypto.SHA256, sum[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto})
	case algRSAPKCS1:
		sig, err = rsa.SignPKCS1v15(nil, priv.(*rsa.PrivateKey), crypto.SHA256, sum[:])
	default:
		tb.Fatalf("testSign: unknown alg %q", alg)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return sig
}

var b64u = base64.URLEncoding // Ruby's urlsafe_encode64: URL alphabet, with padding

// signLicenseKey makes a license key of scheme over dataset, laid out as Keygen writes them
// (keygen-sh/keygen-api, app/models/license.rb: the generate_*_key! methods).
func signLicenseKey(tb testing.TB, scheme string, priv crypto.Signer, dataset []byte) string {
	tb.Helper()
	switch scheme {
	case SchemeED25519Sign, SchemeECDSAP256Sign, SchemeRSA2048PKCS1SignV2, SchemeRSA2048PKCS1PSSSignV2:
		signed := "key/" + b64u.EncodeToString(dataset)
		alg := (&LicenseKeyVerifier{scheme: scheme}).sigAlg()
		return signed + "." + b64u.EncodeToString(testSign(tb, alg, priv, []byte(signed)))
	case SchemeRSA2048PKCS1Sign, SchemeRSA2048PKCS1PSSSign:
		alg := (&LicenseKeyVerifier{scheme: scheme}).sigAlg()
		return b64u.EncodeToString(dataset) + "." + b64u.EncodeToString(testSign(tb, alg, priv, dataset))
	case SchemeRSA2048PKCS1Encrypt:
		return b64u.EncodeToString(rsaPrivateEncrypt(tb, priv.(*rsa.PrivateKey), pkcs1Type1Pad(tb, priv.(*rsa.PrivateKey), dataset)))
	case SchemeRSA2048JWTRS256:
		return signJWT(tb, priv.(*rsa.PrivateKey), `{"alg":"RS256","typ":"JWT"}`, dataset)
	}
	tb.Fatalf("signLicenseKey: unknown scheme %q", scheme)
	return ""
}

// pkcs1Type1Pad is 00 01 FF…FF 00 data, the size of the modulus (OpenSSL's private_encrypt).
func pkcs1Type1Pad(tb testing.TB, priv *rsa.PrivateKey, data []byte) []byte {
	tb.Helper()
	k := priv.Size()
	if len(data) > k-11 {
		tb.Fatalf("dataset of %d bytes is over the %d-byte limit", len(data), k-11)
	}
	em := make([]byte, k)
	em[1] = 0x01
	for i := 2; i < k-len(data)-1; i++ {
		em[i] = 0xff
	}
	copy(em[k-len(data):], data)
	return em
}

// rsaPrivateEncrypt is the raw private-key operation em^d mod n, no padding of its own.
func rsaPrivateEncrypt(tb testing.TB, priv *rsa.PrivateKey, em []byte) []byte {
	tb.Helper()
	m := new(big.Int).SetBytes(em)
	if m.Cmp(priv.N) >= 0 {
		tb.Fatal("message is not below the modulus")
	}
	return new(big.Int).Exp(m, priv.D, priv.N).FillBytes(make([]byte, priv.Size()))
}

// signJWT makes an RS256-signed JWT with the given header and claims (unpadded base64url, as
// JWTs are).
func signJWT(tb testing.TB, priv *rsa.PrivateKey, header string, claims []byte) string {
	tb.Helper()
	raw := base64.RawURLEncoding
	signed := raw.EncodeToString([]byte(header)) + "." + raw.EncodeToString(claims)
	return signed + "." + raw.EncodeToString(testSign(tb, algRSAPKCS1, priv, []byte(signed)))
}

// buildCertificate makes a license or machine file the way Keygen's check-out does
// (keygen-sh/keygen-api, app/services/abstract_checkout_service.rb and
// license_checkout_service.rb): payload encrypted with SHA-256(secret) or base64-encoded,
// signed over "<kind>/<enc>", wrapped in armor at 60 columns like Ruby's Base64.encode64.
func buildCertificate(tb testing.TB, kind, alg string, priv crypto.Signer, secret string, payload []byte) string {
	tb.Helper()
	encAlg, sigAlg, _ := strings.Cut(alg, "+")
	var enc string
	switch encAlg {
	case encBase64:
		enc = base64.StdEncoding.EncodeToString(payload)
	case encAES256GCM:
		enc = testEncrypt(tb, secret, payload)
	default:
		tb.Fatalf("buildCertificate: unknown encoding %q", encAlg)
	}
	sig := base64.StdEncoding.EncodeToString(testSign(tb, sigAlg, priv, []byte(kind+"/"+enc)))
	return armor(tb, kind, map[string]string{"enc": enc, "sig": sig, "alg": alg})
}

// armor wraps a certificate document (any JSON value) in BEGIN/END lines.
func armor(tb testing.TB, kind string, doc any) string {
	tb.Helper()
	b, err := json.Marshal(doc)
	if err != nil {
		tb.Fatal(err)
	}
	body := base64.StdEncoding.EncodeToString(b)
	var lines []string
	for len(body) > 60 {
		lines = append(lines, body[:60])
		body = body[60:]
	}
	lines = append(lines, body)
	word := strings.ToUpper(kind) + " FILE"
	return "-----BEGIN " + word + "-----\n" + strings.Join(lines, "\n") + "\n-----END " + word + "-----\n"
}

// unarmor returns a certificate's document, for tests that tamper with one field.
func unarmor(tb testing.TB, cert string) map[string]string {
	tb.Helper()
	lines := strings.Split(strings.TrimSpace(cert), "\n")
	b, err := base64.StdEncoding.DecodeString(strings.Join(lines[1:len(lines)-1], ""))
	if err != nil {
		tb.Fatal(err)
	}
	var doc map[string]string
	if err := json.Unmarshal(b, &doc); err != nil {
		tb.Fatal(err)
	}
	return doc
}

func testEncrypt(tb testing.TB, secret string, plaintext []byte) string {
	tb.Helper()
	key := sha256.Sum256([]byte(secret))
	gcm := newTestGCM(tb, key[:])
	// A deterministic IV (Keygen's is random) keeps a fuzz seed the same in the fuzzing
	// coordinator and its workers, which each rebuild the seeds.
	ivSum := sha256.Sum256(append([]byte(secret+"\x00"), plaintext...))
	iv := ivSum[:12]
	sealed := gcm.Seal(nil, iv, plaintext, nil)
	ct, tag := sealed[:len(sealed)-16], sealed[len(sealed)-16:]
	std := base64.StdEncoding
	return std.EncodeToString(ct) + "." + std.EncodeToString(iv) + "." + std.EncodeToString(tag)
}

func newTestGCM(tb testing.TB, key []byte) cipher.AEAD {
	tb.Helper()
	block, err := aes.NewCipher(key)
	if err != nil {
		tb.Fatal(err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		tb.Fatal(err)
	}
	return gcm
}
