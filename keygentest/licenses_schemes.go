package keygentest

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// License key schemes: the key of a license created under a policy with a scheme, signed or
// encrypted with the account's keys (account.go), as the generate_*_key! methods of
// app/models/license.rb make it.

// b64url is Ruby's Base64.urlsafe_encode64: URL-safe alphabet, with "=" padding.
func b64url(b []byte) string { return base64.URLEncoding.EncodeToString(b) }

// keyTemplate holds the values of a custom key's {{…}} placeholders
// (app/services/template_format_service.rb).
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
func seedTemplate(db *store, l *license, pol *policy) keyTemplate {
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

// defaultDataset is the dataset signed when no key is given (app/models/license.rb).
func defaultDataset(db *store, l *license, pol *policy, now time.Time) string {
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

// cryptKey turns a dataset into the license key of a policy scheme (app/models/license.rb). It
// returns a 422 for datasets the scheme cannot carry (KEY_BYTE_SIZE_EXCEEDED,
// KEY_JWT_CLAIMS_INVALID).
func cryptKey(a *account, scheme, dataset string) (string, error) {
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
