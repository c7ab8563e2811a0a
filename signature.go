package keygen

import (
	"crypto"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Keygen signs answers and webhook deliveries with one of four algorithms, named as in
// keygen-api's SignatureMethods::SUPPORTED_SIGNATURE_ALGORITHMS
// (app/controllers/concerns/signature_methods.rb): the client picks one per request with
// Keygen-Accept-Signature, a webhook endpoint with its signatureAlgorithm attribute. They are
// the primitives of license files too, so verifySig checks them all.
var signatureAlgorithms = []string{algEd25519, algRSAPSS, algRSAPKCS1, algECDSAP256}

// isSignatureAlgorithm reports one of the four names, spelled exactly: Keygen echoes the name
// the client sent, and an endpoint's signatureAlgorithm is validated lower-case.
func isSignatureAlgorithm(alg string) bool { return slices.Contains(signatureAlgorithms, alg) }

// algorithmsFor lists the signature algorithms key can check, the default first. Keygen signs
// rsa-pss-sha256 and rsa-sha256 with the same account RSA key, so an RSA key fits both.
func algorithmsFor(key crypto.PublicKey) []string {
	switch keyKind(key) {
	case "ed25519":
		return []string{algEd25519}
	case "rsa":
		return []string{algRSAPSS, algRSAPKCS1}
	case "ecdsa":
		return []string{algECDSAP256}
	}
	return nil
}

// algorithmKind is the key type an algorithm needs, as keyKind names it.
func algorithmKind(alg string) string {
	switch alg {
	case algEd25519:
		return "ed25519"
	case algRSAPSS, algRSAPKCS1:
		return "rsa"
	case algECDSAP256:
		return "ecdsa"
	}
	return "unknown"
}

// checkAlgorithmFits reports an algorithm the key cannot check, naming both; op is the option
// that picked alg.
func checkAlgorithmFits(op, alg string, key crypto.PublicKey) error {
	if slices.Contains(algorithmsFor(key), alg) {
		return nil
	}
	return fmt.Errorf("%s: %s signatures need the account's %s public key, but the key given is its %s key",
		op, alg, kindName(algorithmKind(alg)), kindName(keyKind(key)))
}

// resolveSignatureAlgorithm settles the response signature algorithm once every option has
// run, so that WithSignatureAlgorithm and WithPublicKey may come in any order.
func (c *config) resolveSignatureAlgorithm() error {
	if c.publicKey == nil {
		if c.signatureAlgorithm != "" {
			// Asking for a signature nobody checks would only look safe.
			return errors.New("WithSignatureAlgorithm needs WithPublicKey: without the account's public key no signature is checked")
		}
		return nil
	}
	if c.signatureAlgorithm == "" {
		c.signatureAlgorithm = algorithmsFor(c.publicKey)[0]
		return nil
	}
	return checkAlgorithmFits("WithSignatureAlgorithm", c.signatureAlgorithm, c.publicKey)
}

// verifyResponse checks a response's Digest against the exact body bytes and its
// Keygen-Signature, made with alg, over the signing string Keygen builds (keygen-api
// app/controllers/concerns/signature_methods.rb, generate_signing_data) from the method,
// path+query and host of req, and that its Date is within skew of now. req must be the request
// the client made, never resp.Request: after a (forged) redirect that is another request, whose
// genuine answer is no answer to ours. Nothing else of the answer may be trusted before this
// passes. call names the request in errors (credentials redacted).
//
// Keygen signs Rails' request.host, which drops the port; a signature over host:port is
// refused, so that exactly one spelling of a request verifies.
func verifyResponse(key crypto.PublicKey, alg string, req *http.Request, call string, h http.Header, body []byte, now time.Time, skew time.Duration) error {
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	return verifySigned(key, []string{alg}, strings.ToLower(req.Method), req.URL.RequestURI(), signedHost(host), call, h, body, now, skew)
}

// verifySigned is the check shared by responses and webhook deliveries. The answer's
// algorithm parameter must be one of algs, each of which key can check: the client asked for
// one algorithm, so an answer signed with another, even validly, is refused rather than
// checked with whatever it names (no downgrade from PSS to PKCS#1 v1.5). call names the
// request in the error; the target is not used there, as its path or query may hold a license
// key (GET /licenses/{key}, ?key=).
func verifySigned(key crypto.PublicKey, algs []string, method, target, host, call string, h http.Header, body []byte, now time.Time, skew time.Duration) error {
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
	alg := params["algorithm"]
	if !slices.Contains(algs, alg) {
		return sigErr("algorithm %q is not %s", alg, strings.Join(algs, " or "))
	}
	if hs, ok := params["headers"]; ok && hs != "(request-target) host date digest" {
		return sigErr("signed headers %q are not (request-target) host date digest", hs)
	}
	sig, err := base64.StdEncoding.DecodeString(params["signature"])
	if err != nil {
		return sigErr("signature is not base64")
	}
	msg := "(request-target): " + method + " " + target + "\n" +
		"host: " + host + "\n" +
		"date: " + date + "\n" +
		"digest: " + digest
	if err := verifySig(alg, key, []byte(msg), sig); err != nil {
		return sigErr("Keygen-Signature does not verify for %s (%s)", call, alg)
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
