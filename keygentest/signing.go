package keygentest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"net"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// signResponse adds Keygen's response signature headers
// (app/controllers/concerns/signature_headers.rb): Date, Digest (SHA-256 of the exact body
// bytes, so an empty body hashes ""), their Keygen- copies, and Keygen-Signature, an Ed25519
// signature with the account key over
//
//	(request-target): <lowercase method> <path and query as sent>
//	host: <Host as sent, without its port, as Rails' request.host>
//	date: <Date>
//	digest: sha-256=<base64>
func signResponse(h http.Header, acct *account, r *http.Request, now time.Time, body []byte) {
	date := now.UTC().Format(http.TimeFormat)
	sum := sha256.Sum256(body)
	dig := "sha-256=" + base64.StdEncoding.EncodeToString(sum[:])
	msg := signingString(r.Method, requestTarget(r), hostWithoutPort(r.Host), date, dig)
	alg := acceptedAlgorithm(r.Header.Get("Keygen-Accept-Signature"))
	sig := base64.StdEncoding.EncodeToString(signWith(acct, alg, []byte(msg)))
	h.Set("Date", date)
	h.Set("Digest", dig)
	h.Set("Keygen-Date", date)
	h.Set("Keygen-Digest", dig)
	h.Set("Keygen-Signature", `keyid="`+acct.ID+`", algorithm="`+alg+`", signature="`+sig+`", headers="(request-target) host date digest"`)
}

// signingString is the LF-joined message that is signed, without a trailing LF.
func signingString(method, target, host, date, digest string) string {
	return "(request-target): " + strings.ToLower(method) + " " + target + "\n" +
		"host: " + host + "\n" +
		"date: " + date + "\n" +
		"digest: " + digest
}

// requestTarget is the path and query exactly as the client sent them, which is what a
// client signs-checks against.
func requestTarget(r *http.Request) string {
	if r.RequestURI != "" && strings.HasPrefix(r.RequestURI, "/") {
		return r.RequestURI
	}
	return r.URL.RequestURI()
}

var acceptSigRE = regexp.MustCompile(`(?i)^\s*(?:keyid="([^"]*)"\s*,\s*)?algorithm="([^"]*)"\s*;?\s*$`)

// supportedSignatureAlgorithms are the response signature algorithms
// (app/controllers/concerns/signature_methods.rb).
var supportedSignatureAlgorithms = []string{"ed25519", "rsa-pss-sha256", "rsa-sha256", "ecdsa-p256"}

// acceptedAlgorithm is the algorithm a (validated) Keygen-Accept-Signature asks for,
// ed25519 by default.
func acceptedAlgorithm(v string) string {
	if m := acceptSigRE.FindStringSubmatch(v); m != nil {
		return strings.ToLower(m[2])
	}
	return "ed25519"
}

// checkAcceptSignature validates Keygen-Accept-Signature
// (app/controllers/concerns/signature_headers.rb).
func checkAcceptSignature(v, accountID string) *apiError {
	if strings.TrimSpace(v) == "" {
		return nil
	}
	m := acceptSigRE.FindStringSubmatch(v)
	if m == nil {
		return errBadRequest("invalid accept-signature header (malformed)", nil)
	}
	if !contains(supportedSignatureAlgorithms, strings.ToLower(m[2])) {
		return errBadRequest("invalid accept-signature header (unsupported algorithm)", nil)
	}
	if m[1] != "" && m[1] != accountID {
		return errBadRequest("invalid accept-signature header (keyid not found)", nil)
	}
	return nil
}

// hostWithoutPort is Rails' request.host: the Host header without a port.
func hostWithoutPort(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		if strings.Contains(h, ":") {
			return "[" + h + "]"
		}
		return h
	}
	return hostport
}

// signWith signs data with the account key of a file/response algorithm: ed25519 (plain
// Ed25519 over the message), rsa-sha256 (PKCS#1 v1.5, SHA-256), rsa-pss-sha256 (PSS,
// SHA-256, maximum salt) or ecdsa-p256 (ASN.1 DER over SHA-256).
func signWith(a *account, alg string, data []byte) []byte {
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
