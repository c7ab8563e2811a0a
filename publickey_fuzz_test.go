package keygen

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

// FuzzParseAccountKey feeds arbitrary strings to parseAccountKey, the parser behind
// WithPublicKey, ParseWebhook, license keys and license files. Nothing may panic; a failure
// must wrap ErrInvalidPublicKey and return no key; a success must be a key Keygen issues
// (Ed25519, RSA of at least 2048 bits, ECDSA P-256) that some signature algorithm checks; and
// base64 of a hex or PEM key, the account document's spelling, must give the same key.
func FuzzParseAccountKey(f *testing.F) {
	keys := testKeys(f)
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	rsaPEM := pemPKIX(f, &keys.rsa.PublicKey)
	for _, seed := range []string{
		edHex(keys.ed),
		b64(edHex(keys.ed)),
		" " + edHex(keys.ed2) + "\n",
		pemPKIX(f, keys.ed.Public()),
		rsaPEM,
		b64(rsaPEM),
		pemPKCS1(&keys.rsa2.PublicKey),
		b64(pemPKCS1(&keys.rsa2.PublicKey)),
		pemPKIX(f, &keys.ec.PublicKey),
		b64(pemPKIX(f, &keys.ec.PublicKey)),
		strings.ReplaceAll(pemPKIX(f, &keys.ec2.PublicKey), "\n", "\r\n"),
		rsaPEM[:len(rsaPEM)/2],
		b64(b64(rsaPEM)),
		"-----BEGIN PUBLIC KEY-----\n!!\n-----END PUBLIC KEY-----\n",
		"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
		b64("-----BEGIN x"),
		"",
		"abcd",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		key, err := parseAccountKey(s)
		optErr := WithPublicKey(s)(&config{})
		if (err == nil) != (optErr == nil) {
			t.Fatalf("parseAccountKey error %v, WithPublicKey error %v", err, optErr)
		}
		if ed, edErr := ParsePublicKey(s); edErr == nil {
			if err != nil || !ed.Equal(key) {
				t.Fatalf("ParsePublicKey read %x, parseAccountKey %v (%v)", ed, key, err)
			}
		}
		if err != nil {
			if !errors.Is(err, ErrInvalidPublicKey) {
				t.Fatalf("error %v does not wrap ErrInvalidPublicKey", err)
			}
			if key != nil {
				t.Fatalf("error %v with key %T", err, key)
			}
			return
		}
		switch k := key.(type) {
		case *rsa.PublicKey:
			if k.N.BitLen() < 2048 {
				t.Fatalf("accepted an RSA key of %d bits", k.N.BitLen())
			}
		case *ecdsa.PublicKey:
			if k.Curve != elliptic.P256() {
				t.Fatalf("accepted an ECDSA key on %s", k.Curve.Params().Name)
			}
		}
		if len(algorithmsFor(key)) == 0 {
			t.Fatalf("accepted a %T key that no signature algorithm checks", key)
		}
		text := strings.TrimSpace(s)
		if strings.HasPrefix(text, "-----BEGIN") || isHex(text) {
			again, err := parseAccountKey(b64(text))
			if err != nil {
				t.Fatalf("%q parses, base64 of it does not: %v", text, err)
			}
			if !again.(interface{ Equal(crypto.PublicKey) bool }).Equal(key) {
				t.Fatalf("%q and base64 of it parse to different keys", text)
			}
		}
	})
}

func isHex(s string) bool {
	return s != "" && strings.Trim(s, "0123456789abcdefABCDEF") == ""
}
