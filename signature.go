package keygen

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
	"time"
)

// verifyResponse checks a response's Digest against the exact body bytes and its
// Keygen-Signature (ed25519) over the signing string of keygen-api.md §1.11, built from the
// method, path+query and host of req, and that its Date is within skew of now. req must be
// the request the client made, never resp.Request: after a (forged) redirect that is another
// request, whose genuine answer is no answer to ours. Nothing else of the answer may be
// trusted before this passes. call names the request in errors (credentials redacted).
//
// Keygen signs Rails' request.host, which drops the port; a signature over host:port is
// refused, so that exactly one spelling of a request verifies.
func verifyResponse(pub ed25519.PublicKey, req *http.Request, call string, h http.Header, body []byte, now time.Time, skew time.Duration) error {
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	return verifySigned(pub, strings.ToLower(req.Method), req.URL.RequestURI(), signedHost(host), call, h, body, now, skew)
}

// verifySigned is the check shared by responses and webhook deliveries. call names the
// request in the error; the target is not used there, as its path or query may hold a
// license key (GET /licenses/{key}, ?key=).
func verifySigned(pub ed25519.PublicKey, method, target, host, call string, h http.Header, body []byte, now time.Time, skew time.Duration) error {
	sigHeader := h.Get("Keygen-Signature")
	if sigHeader == "" {
		return sigErr("missing Keygen-Signature header")
	}
	digest := h.Get("Digest")
	if digest == "" {
		return sigErr("missing Digest header")
	}
	sum := sha256.Sum256(body)
	if want := "sha-256=" + base64.StdEncoding.EncodeToString(sum[:]); digest != want {
		return sigErr("body does not match its Digest")
	}
	date := h.Get("Date")
	if date == "" {
		return sigErr("missing Date header")
	}
	t, err := http.ParseTime(date)
	if err != nil {
		return sigErr("unparseable Date header %q", date)
	}
	if d := now.Sub(t); d > skew || d < -skew {
		return sigErr("Date %s is %s away from the local clock (tolerance %s)", date, d.Round(time.Second), skew)
	}
	params, err := ParseSignatureHeader(sigHeader)
	if err != nil {
		return err
	}
	if alg := params["algorithm"]; alg != "ed25519" {
		return sigErr("algorithm %q is not ed25519", alg)
	}
	if hs, ok := params["headers"]; ok && hs != "(request-target) host date digest" {
		return sigErr("signed headers %q are not (request-target) host date digest", hs)
	}
	sig, err := base64.StdEncoding.DecodeString(params["signature"])
	if err != nil || len(sig) != ed25519.SignatureSize {
		return sigErr("signature is not a base64 Ed25519 signature")
	}
	msg := "(request-target): " + method + " " + target + "\n" +
		"host: " + host + "\n" +
		"date: " + date + "\n" +
		"digest: " + digest
	if !ed25519.Verify(pub, []byte(msg), sig) {
		return sigErr("Keygen-Signature does not verify for %s", call)
	}
	return nil
}

// ParseSignatureHeader splits a Keygen-Signature header (keyid="…", algorithm="…",
// signature="…", headers="…") into its parameters, names lower-cased. Values must be quoted;
// duplicate or malformed parameters and a missing signature are errors. Empty list elements
// (a trailing comma, ", ,") are skipped, as HTTP list syntax requires of recipients.
func ParseSignatureHeader(v string) (map[string]string, error) {
	out := map[string]string{}
	rest := strings.TrimSpace(v)
	for rest != "" {
		if rest[0] == ',' {
			rest = strings.TrimSpace(rest[1:])
			continue
		}
		eq := strings.IndexByte(rest, '=')
		if eq <= 0 {
			return nil, sigErr("malformed Keygen-Signature header")
		}
		name := strings.ToLower(strings.TrimSpace(rest[:eq]))
		if !isToken(name) {
			return nil, sigErr("malformed Keygen-Signature header: bad parameter name %q", name)
		}
		rest = strings.TrimLeft(rest[eq+1:], " \t")
		if !strings.HasPrefix(rest, `"`) {
			return nil, sigErr("malformed Keygen-Signature header: %s is not quoted", name)
		}
		end := strings.IndexByte(rest[1:], '"')
		if end < 0 {
			return nil, sigErr("malformed Keygen-Signature header: unterminated %s", name)
		}
		val := rest[1 : end+1]
		rest = strings.TrimSpace(rest[end+2:])
		if _, dup := out[name]; dup {
			return nil, sigErr("Keygen-Signature header repeats %s", name)
		}
		out[name] = val
		if rest != "" && rest[0] != ',' {
			return nil, sigErr("malformed Keygen-Signature header: junk after %s", name)
		}
	}
	if out["signature"] == "" {
		return nil, sigErr("Keygen-Signature header has no signature")
	}
	return out, nil
}

// isToken reports a lower-cased parameter name: letters, digits, '-' and '_'.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}
