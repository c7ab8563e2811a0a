package keygentest

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"net"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// signResponse adds Keygen's response signature headers (keygen-api.md §1.11): Date,
// Digest (SHA-256 of the exact body bytes, so an empty body hashes ""), their Keygen-
// copies, and Keygen-Signature, an Ed25519 signature with the account key over
//
//	(request-target): <lowercase method> <path and query as sent>
//	host: <Host as sent, without its port, as Rails' request.host>
//	date: <Date>
//	digest: sha-256=<base64>
func signResponse(h http.Header, acct *Account, r *http.Request, now time.Time, body []byte) {
	date := now.UTC().Format(http.TimeFormat)
	sum := sha256.Sum256(body)
	dig := "sha-256=" + base64.StdEncoding.EncodeToString(sum[:])
	msg := signingString(r.Method, requestTarget(r), hostWithoutPort(r.Host), date, dig)
	sig := ed25519.Sign(acct.PrivateKey, []byte(msg))
	h.Set("Date", date)
	h.Set("Digest", dig)
	h.Set("Keygen-Date", date)
	h.Set("Keygen-Digest", dig)
	h.Set("Keygen-Signature", `keyid="`+acct.ID+`", algorithm="ed25519", signature="`+
		base64.StdEncoding.EncodeToString(sig)+`", headers="(request-target) host date digest"`)
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

var acceptSigRE = regexp.MustCompile(`^\s*(?:keyid="([^"]*)"\s*,\s*)?algorithm="([^"]*)"\s*$`)

// checkAcceptSignature validates Keygen-Accept-Signature. Only ed25519 is implemented;
// Keygen's RSA and ECDSA algorithms are refused like an unsupported one.
func checkAcceptSignature(v, accountID string) *apiError {
	if strings.TrimSpace(v) == "" {
		return nil
	}
	m := acceptSigRE.FindStringSubmatch(v)
	if m == nil {
		return errBadRequest("invalid accept-signature header (malformed)", nil)
	}
	if strings.ToLower(m[2]) != "ed25519" {
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
