package keygentest

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Cryptography of keygen-api.md §4: the account's key pairs, signed license keys per
// policy scheme (§4.1) and the signatures of license and machine files (§4.2).

// rsa returns the account's RSA-2048 key, generating it once on first use (RSA key
// generation is slow, so a server that never signs with RSA never pays for it).
func (a *Account) rsa() *rsa.PrivateKey {
	a.rsaOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic("keygentest: generate RSA key: " + err.Error())
		}
		a.rsaKey = k
	})
	return a.rsaKey
}

// ecdsa returns the account's ECDSA P-256 key, generating it once on first use.
func (a *Account) ecdsa() *ecdsa.PrivateKey {
	a.ecdsaOnce.Do(func() {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			panic("keygentest: generate ECDSA key: " + err.Error())
		}
		a.ecdsaKey = k
	})
	return a.ecdsaKey
}

// account returns the server's one account (nil before seeding).
func (s *Server) account() *Account {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.db.accounts[s.AccountID]
}

// RSAPublicKeyPEM returns the account's RSA-2048 public key as a PKIX ("PUBLIC KEY") PEM
// block. It verifies RSA signed license keys (RSA_2048_* schemes) and license/machine
// files signed with rsa-sha256 or rsa-pss-sha256. The key is generated on first use.
func (s *Server) RSAPublicKeyPEM() string {
	return pkixPEM(&s.account().rsa().PublicKey)
}

// ECDSAPublicKeyPEM returns the account's ECDSA P-256 public key as a PKIX PEM block. It
// verifies ECDSA_P256_SIGN license keys and files signed with ecdsa-p256.
func (s *Server) ECDSAPublicKeyPEM() string {
	return pkixPEM(&s.account().ecdsa().PublicKey)
}

func pkixPEM(pub any) string {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		panic("keygentest: marshal public key: " + err.Error())
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// signWith signs data with the account key of a file/response algorithm: ed25519 (plain
// Ed25519 over the message), rsa-sha256 (PKCS#1 v1.5, SHA-256), rsa-pss-sha256 (PSS,
// SHA-256, maximum salt) or ecdsa-p256 (ASN.1 DER over SHA-256).
func signWith(a *Account, alg string, data []byte) []byte {
	sum := sha256.Sum256(data)
	var sig []byte
	var err error
	switch alg {
	case "ed25519":
		return ed25519.Sign(a.PrivateKey, data)
	case "rsa-sha256":
		sig, err = rsa.SignPKCS1v15(rand.Reader, a.rsa(), crypto.SHA256, sum[:])
	case "rsa-pss-sha256":
		sig, err = rsa.SignPSS(rand.Reader, a.rsa(), crypto.SHA256, sum[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto, Hash: crypto.SHA256})
	case "ecdsa-p256":
		sig, err = ecdsa.SignASN1(rand.Reader, a.ecdsa(), sum[:])
	default:
		panic("keygentest: unknown signing algorithm " + alg)
	}
	if err != nil {
		panic("keygentest: sign: " + err.Error())
	}
	return sig
}

// schemeSigningAlgorithm is the file signing algorithm that follows a policy scheme
// (keygen-api.md §2.6): PSS schemes rsa-pss-sha256, other RSA schemes rsa-sha256,
// ED25519_SIGN ed25519, ECDSA_P256_SIGN ecdsa-p256, none ed25519.
func schemeSigningAlgorithm(scheme *string) string {
	if scheme == nil {
		return "ed25519"
	}
	switch *scheme {
	case "RSA_2048_PKCS1_PSS_SIGN_V2", "RSA_2048_PKCS1_PSS_SIGN":
		return "rsa-pss-sha256"
	case "RSA_2048_PKCS1_SIGN_V2", "RSA_2048_PKCS1_SIGN", "RSA_2048_PKCS1_ENCRYPT", "RSA_2048_JWT_RS256":
		return "rsa-sha256"
	case "ECDSA_P256_SIGN":
		return "ecdsa-p256"
	}
	return "ed25519"
}

// b64url is Ruby's Base64.urlsafe_encode64: URL-safe alphabet, with "=" padding.
func b64url(b []byte) string { return base64.URLEncoding.EncodeToString(b) }

// keyTemplate holds the values of a custom key's {{…}} placeholders (§4.1).
type keyTemplate map[string]string

// templateVar is TemplateFormatService's /{{(\w+)}}/: only word characters between the
// braces, so "{{ id }}" and "{{foo-bar}}" are left as they are.
var templateVar = regexp.MustCompile(`\{\{(\w+)\}\}`)

// format substitutes {{name}} placeholders; unknown names become empty, like Keygen's
// TemplateFormatService (the name is underscored, so {{ID}} is {{id}}).
func (t keyTemplate) format(s string) string {
	return templateVar.ReplaceAllStringFunc(s, func(m string) string {
		return t[strings.ToLower(m[2:len(m)-2])]
	})
}

// seedTemplate gathers the template values of a license being created.
func seedTemplate(db *store, l *License, pol *Policy) keyTemplate {
	t := keyTemplate{"id": l.ID, "account": l.AccountID, "policy": pol.ID, "product": pol.ProductID,
		"created": fmtTime(l.Created)}
	if l.OwnerID != nil {
		if u := db.users[*l.OwnerID]; u != nil {
			t["user"], t["email"] = u.ID, u.Email
		}
	}
	if l.Expiry != nil {
		t["expiry"] = fmtTime(*l.Expiry)
	}
	if pol.Duration != nil {
		t["duration"] = strconv.FormatInt(*pol.Duration, 10)
	}
	return t
}

// orderedJSON marshals key/value pairs as a JSON object in the given order (Ruby's
// JSON.generate keeps insertion order, and signed datasets are compared byte for byte).
type orderedJSON []kv

type kv struct {
	k string
	v any
}

func (o orderedJSON) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, p := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := rubyJSON(p.k)
		v, err := rubyJSON(p.v)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return []byte(b.String()), nil
}

// defaultDataset is the dataset signed when no key is given (§4.1).
func defaultDataset(db *store, l *License, pol *Policy, now time.Time) string {
	scheme := ""
	if pol.Scheme != nil {
		scheme = *pol.Scheme
	}
	var v any
	switch scheme {
	case "RSA_2048_PKCS1_ENCRYPT":
		v = orderedJSON{{"id", l.ID}, {"created", fmtTime(l.Created)}, {"duration", pol.Duration}, {"expiry", optTime(l.Expiry)}}
	case "RSA_2048_JWT_RS256":
		claims := orderedJSON{{"jti", newUUID()}, {"iss", "https://keygen.sh"}, {"aud", l.AccountID}, {"sub", l.ID},
			{"iat", l.Created.Unix()}, {"nbf", l.Created.Unix()}}
		if l.Expiry != nil {
			claims = append(claims, kv{"exp", l.Expiry.Unix()})
		}
		v = claims
	default:
		var user any
		if l.OwnerID != nil {
			if u := db.users[*l.OwnerID]; u != nil {
				user = orderedJSON{{"id", u.ID}, {"email", u.Email}}
			}
		}
		v = orderedJSON{
			{"account", orderedJSON{{"id", l.AccountID}}},
			{"product", orderedJSON{{"id", pol.ProductID}}},
			{"policy", orderedJSON{{"id", pol.ID}, {"duration", pol.Duration}}},
			{"user", user},
			{"license", orderedJSON{{"id", l.ID}, {"created", fmtTime(l.Created)}, {"expiry", optTime(l.Expiry)}}},
		}
	}
	b, _ := rubyJSON(v)
	return string(b)
}

// rubyJSON encodes like Ruby's to_json: no HTML escaping of <, > and &, which Go's
// json.Marshal would add and which would change the signed bytes of a dataset.
func rubyJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// cryptKey turns a dataset into the license key of a policy scheme (§4.1). It returns a
// 422 for datasets the scheme cannot carry (KEY_BYTE_SIZE_EXCEEDED, KEY_JWT_CLAIMS_INVALID).
func cryptKey(a *Account, scheme, dataset string) (string, error) {
	enc := b64url([]byte(dataset))
	signed := func(alg string, prefix bool) string {
		data := enc
		if prefix {
			data = "key/" + enc
		}
		msg := []byte(data)
		if !prefix {
			msg = []byte(dataset)
		}
		return data + "." + b64url(signWith(a, alg, msg))
	}
	switch scheme {
	case "ED25519_SIGN":
		return signed("ed25519", true), nil
	case "ECDSA_P256_SIGN":
		return signed("ecdsa-p256", true), nil
	case "RSA_2048_PKCS1_SIGN_V2":
		return signed("rsa-sha256", true), nil
	case "RSA_2048_PKCS1_PSS_SIGN_V2":
		return signed("rsa-pss-sha256", true), nil
	case "RSA_2048_PKCS1_SIGN":
		return signed("rsa-sha256", false), nil
	case "RSA_2048_PKCS1_PSS_SIGN":
		return signed("rsa-pss-sha256", false), nil
	case "RSA_2048_PKCS1_ENCRYPT":
		if len(dataset) > 245 {
			return "", newInvalid("licenses").attr("key", "BYTE_SIZE_EXCEEDED", "key exceeds maximum byte length (max size of 245 bytes)").err()
		}
		return b64url(rsaPrivateEncrypt(a.rsa(), []byte(dataset))), nil
	case "RSA_2048_JWT_RS256":
		var claims any
		if err := json.Unmarshal([]byte(dataset), &claims); err != nil {
			return "", newInvalid("licenses").attr("key", "JWT_CLAIMS_INVALID", "key is not a valid JWT claims payload (must be a valid JSON encoded string)").err()
		}
		if obj, ok := claims.(map[string]any); ok {
			// ruby-jwt's numeric claims check (JWT::InvalidPayload, downcased by Keygen).
			for _, k := range []string{"exp", "iat", "nbf"} {
				if v, has := obj[k]; has {
					if _, num := v.(float64); !num {
						return "", newInvalid("licenses").attr("key", "JWT_CLAIMS_INVALID",
							"key is not a valid JWT claims payload ("+k+" claim must be a numeric value but it is a "+rubyClass(v)+")").err()
					}
				}
			}
		}
		// JWT.encode re-generates the parsed payload: compact, in the sent key order.
		var compact bytes.Buffer
		_ = json.Compact(&compact, []byte(dataset))
		head := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256"}`))
		body := base64.RawURLEncoding.EncodeToString(compact.Bytes())
		sig := signWith(a, "rsa-sha256", []byte(head+"."+body))
		return head + "." + body + "." + base64.RawURLEncoding.EncodeToString(sig), nil
	}
	return dataset, nil
}

// rubyClass is the downcased Ruby class name of a parsed JSON value.
func rubyClass(v any) string {
	switch v := v.(type) {
	case nil:
		return "nilclass"
	case bool:
		if v {
			return "trueclass"
		}
		return "falseclass"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "hash"
	}
	return "numeric"
}

// rsaPrivateEncrypt is OpenSSL's RSA_private_encrypt with PKCS#1 v1.5 type 1 padding:
// the raw private-key operation on 00 01 FF… 00 <data>, recoverable with the public key.
func rsaPrivateEncrypt(k *rsa.PrivateKey, data []byte) []byte {
	// A PKCS#1 v1.5 signature with crypto.Hash(0) signs the bytes unprefixed, which is
	// exactly that padding followed by the private-key operation.
	sig, err := rsa.SignPKCS1v15(nil, k, crypto.Hash(0), data)
	if err != nil {
		panic("keygentest: rsa private encrypt: " + err.Error())
	}
	return sig
}

// certificate wraps a file document in Keygen's armour (§4.2): base64 of the JSON
// {"enc","sig","alg"} wrapped at 60 characters between BEGIN/END lines.
func certificate(kind string, enc, sig, alg string) string {
	doc, _ := json.Marshal(orderedJSON{{"enc", enc}, {"sig", sig}, {"alg", alg}})
	b64 := base64.StdEncoding.EncodeToString(doc)
	var lines []string
	for len(b64) > 60 {
		lines = append(lines, b64[:60])
		b64 = b64[60:]
	}
	lines = append(lines, b64)
	return "-----BEGIN " + kind + " FILE-----\n" + strings.Join(lines, "\n") + "\n-----END " + kind + " FILE-----\n"
}
