package keygentest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// License key schemes: signed and encrypted keys of a policy's scheme (app/models/license.rb).

// keyDataset returns the signed dataset carried by a scheme's license key.
func keyDataset(t *testing.T, scheme, key string) string {
	t.Helper()
	i := strings.LastIndex(key, ".")
	require.Positive(t, i, key)
	signing := key[:i]
	switch scheme {
	case "RSA_2048_PKCS1_SIGN", "RSA_2048_PKCS1_PSS_SIGN":
		return string(mustB64URL(t, signing))
	}
	require.True(t, strings.HasPrefix(signing, "key/"), key)
	return string(mustB64URL(t, strings.TrimPrefix(signing, "key/")))
}

func mustB64URL(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.URLEncoding.DecodeString(s)
	require.NoError(t, err, s)
	return b
}

func mustRawB64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	require.NoError(t, err, s)
	return b
}

func parsePub(t *testing.T, p string) any {
	t.Helper()
	block, _ := pem.Decode([]byte(p))
	require.NotNil(t, block)
	k, err := x509.ParsePKIXPublicKey(block.Bytes)
	require.NoError(t, err)
	return k
}

func TestLicensesKeySchemes(t *testing.T) {
	t.Parallel()
	tt := newWorld(t)
	prod := tt.product()
	plain := tt.policy(prod, map[string]any{"floating": true})
	tt.mustLicense(plain, nil, nil)
	pub, _ := hex.DecodeString(tt.srv.PublicKey)

	schemes := []string{"ED25519_SIGN", "ECDSA_P256_SIGN", "RSA_2048_PKCS1_SIGN_V2", "RSA_2048_PKCS1_PSS_SIGN_V2", "RSA_2048_PKCS1_SIGN"}
	for _, scheme := range schemes {
		t.Run(scheme, func(t *testing.T) {
			pol := tt.policy(prod, map[string]any{"scheme": scheme})
			r := tt.mustLicense(pol, map[string]any{"key": `{"id":"{{id}}"}`}, nil)
			k := r.attrs()["key"].(string)
			i := strings.LastIndex(k, ".")
			signing, sig := k[:i], mustB64URL(t, k[i+1:])
			data := []byte(signing)
			dataset := ""
			if strings.HasPrefix(scheme, "RSA_2048_PKCS1_SIGN") && !strings.HasSuffix(scheme, "V2") {
				dataset = string(mustB64URL(t, signing))
				data = []byte(dataset)
			} else {
				require.True(t, strings.HasPrefix(signing, "key/"))
				dataset = string(mustB64URL(t, strings.TrimPrefix(signing, "key/")))
			}
			assert.Equal(t, `{"id":"`+r.id()+`"}`, dataset, "template substitution")
			sum := sha256.Sum256(data)
			switch scheme {
			case "ED25519_SIGN":
				assert.True(t, ed25519.Verify(pub, data, sig))
			case "ECDSA_P256_SIGN":
				assert.True(t, ecdsa.VerifyASN1(parsePub(t, tt.srv.ECDSAPublicKeyPEM()).(*ecdsa.PublicKey), sum[:], sig))
			case "RSA_2048_PKCS1_PSS_SIGN_V2":
				assert.NoError(t, rsa.VerifyPSS(parsePub(t, tt.srv.RSAPublicKeyPEM()).(*rsa.PublicKey), crypto.SHA256, sum[:], sig, nil))
			default:
				assert.NoError(t, rsa.VerifyPKCS1v15(parsePub(t, tt.srv.RSAPublicKeyPEM()).(*rsa.PublicKey), crypto.SHA256, sum[:], sig))
			}
			if scheme == "ECDSA_P256_SIGN" {
				cr := tt.do(req{method: "POST", path: "/licenses/" + r.id() + "/actions/check-out"})
				assert.Equal(t, "base64+ecdsa-p256", cr.attrs()["algorithm"], "file alg follows the scheme")
			}
		})
	}
	t.Run("default dataset", func(t *testing.T) {
		r := tt.mustLicense(tt.policy(prod, map[string]any{"scheme": "ED25519_SIGN"}), nil, nil)
		k := r.attrs()["key"].(string)
		var ds map[string]any
		require.NoError(t, json.Unmarshal(mustB64URL(t, strings.TrimPrefix(k[:strings.LastIndex(k, ".")], "key/")), &ds))
		assert.Equal(t, r.id(), ds["license"].(map[string]any)["id"])
		assert.Nil(t, ds["user"])
	})
}

// TestLicensesDefaultDatasetNotHTMLEscaped: the default dataset is Ruby's to_json, which leaves
// <, > and & unescaped; the owner's email shows it.
func TestLicensesDefaultDatasetNotHTMLEscaped(t *testing.T) {
	t.Parallel()
	db := &store{users: map[string]*user{}}
	email := "a&b<c>@example.com"
	owner := "u1"
	db.users[owner] = &user{base: base{ID: owner}, Email: email}
	l := &license{base: base{ID: "l1", AccountID: "a1", Created: time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)}, OwnerID: &owner}
	pol := &policy{base: base{ID: "p1"}, ProductID: "pr1"}
	ds := defaultDataset(db, l, pol, l.Created)
	if !strings.Contains(ds, `"email":"a&b<c>@example.com"`) {
		t.Fatalf("dataset %s escapes the email", ds)
	}
}
