package keygen

// Webhook deliveries signed in each of the four algorithms an endpoint's signatureAlgorithm
// may name, as keygen-api's WebhookWorker signs them (app/workers/webhook_worker.rb): POST,
// the endpoint URL's path and query and its host, the Date and the Digest.

import (
	"bytes"
	"crypto"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// signedHook is a delivery of the fixture event to hookURL whose Keygen-Signature names label
// and is made with the primitive with ("" is label).
func signedHook(t *testing.T, key crypto.Signer, label, with string) (http.Header, []byte) {
	t.Helper()
	d := newDelivery(t)
	h := d.headers() // Date, Digest and the rest, as Keygen sends them
	msg := "(request-target): post " + d.target + "\nhost: " + d.host + "\ndate: " + h.Get("Date") + "\ndigest: " + h.Get("Digest")
	if with == "" {
		with = label
	}
	sig := base64.StdEncoding.EncodeToString(testSign(t, with, key, []byte(msg)))
	h.Set("Keygen-Signature", `keyid="`+testAccountID+`", algorithm="`+label+`", signature="`+sig+`", headers="(request-target) host date digest"`)
	return h, d.body
}

func hookRequest(h http.Header, body []byte) *http.Request {
	r := httptest.NewRequest("POST", hookURL, bytes.NewReader(body))
	r.Header = h.Clone()
	return r
}

func TestWebhookAlgorithms(t *testing.T) {
	t.Parallel()
	keys := freshKeys(t)
	others := freshKeys(t)
	for _, alg := range allAlgorithms {
		t.Run(alg, func(t *testing.T) {
			t.Parallel()
			k := keys[kindOf[alg]]
			h, body := signedHook(t, k.priv, alg, "")
			for name, pub := range keyForms(t, kindOf[alg], k) {
				ev, err := ParseWebhook(hookRequest(h, body), pub, clockOpt)
				require.NoError(t, err, "key %s", name)
				assert.Equal(t, EventLicenseCreated, ev.Event)
				assert.Equal(t, "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f", ev.ID)
			}
			// Pinned to the endpoint's algorithm.
			_, err := ParseWebhook(hookRequest(h, body), k.pub, clockOpt, WithWebhookAlgorithm(alg))
			require.NoError(t, err)

			// One body byte changed; the same with its Digest recomputed.
			tampered := bytes.Replace(body, []byte("license.created"), []byte("license.deleted"), 1)
			require.NotEqual(t, body, tampered)
			_, err = ParseWebhook(hookRequest(h, tampered), k.pub, clockOpt)
			requireSigErr(t, err, "body does not match its Digest")
			h2 := h.Clone()
			h2.Set("Digest", digestOf(string(tampered)))
			_, err = ParseWebhook(hookRequest(h2, tampered), k.pub, clockOpt)
			requireSigErr(t, err, "does not verify for POST /keygen ("+alg+")")

			// Signed by another account's key of the same type.
			hOther, _ := signedHook(t, others[kindOf[alg]].priv, alg, "")
			_, err = ParseWebhook(hookRequest(hOther, body), k.pub, clockOpt)
			requireSigErr(t, err, "does not verify")
		})
	}
}

// A key checks only the algorithms of its type; WithWebhookAlgorithm narrows that to one.
func TestWebhookAlgorithmMismatch(t *testing.T) {
	t.Parallel()
	keys := freshKeys(t)
	cases := []struct {
		name            string
		delivery        string // algorithm the delivery is signed with
		with            string // primitive actually used, "" for delivery
		key             string // key type given to ParseWebhook
		pin             string // WithWebhookAlgorithm, "" for none
		reason          string // "" means it verifies
		signedWithOther string // key type that signs, "" for kindOf[delivery]
	}{
		{name: "RSA key, rsa-sha256 delivery", delivery: "rsa-sha256", key: "rsa"},
		{name: "RSA key, rsa-pss-sha256 delivery", delivery: "rsa-pss-sha256", key: "rsa"},
		{name: "RSA key pinned to PSS, rsa-sha256 delivery", delivery: "rsa-sha256", key: "rsa", pin: "rsa-pss-sha256", reason: `algorithm "rsa-sha256" is not rsa-pss-sha256`},
		{name: "RSA key pinned to PKCS#1 v1.5, PSS delivery", delivery: "rsa-pss-sha256", key: "rsa", pin: "rsa-sha256", reason: `algorithm "rsa-pss-sha256" is not rsa-sha256`},
		{name: "Ed25519 key, rsa-sha256 delivery", delivery: "rsa-sha256", key: "ed25519", reason: `algorithm "rsa-sha256" is not ed25519`},
		{name: "Ed25519 key, ecdsa-p256 delivery", delivery: "ecdsa-p256", key: "ed25519", reason: `algorithm "ecdsa-p256" is not ed25519`},
		{name: "RSA key, ed25519 delivery", delivery: "ed25519", key: "rsa", reason: `algorithm "ed25519" is not rsa-pss-sha256 or rsa-sha256`},
		{name: "RSA key, ecdsa-p256 delivery", delivery: "ecdsa-p256", key: "rsa", reason: `algorithm "ecdsa-p256" is not rsa-pss-sha256 or rsa-sha256`},
		{name: "ECDSA key, ed25519 delivery", delivery: "ed25519", key: "ecdsa", reason: `algorithm "ed25519" is not ecdsa-p256`},
		{name: "ECDSA key, rsa-pss-sha256 delivery", delivery: "rsa-pss-sha256", key: "ecdsa", reason: `algorithm "rsa-pss-sha256" is not ecdsa-p256`},
		{name: "PSS signature labelled rsa-sha256", delivery: "rsa-sha256", with: "rsa-pss-sha256", key: "rsa", reason: "Keygen-Signature does not verify"},
		{name: "PKCS#1 v1.5 signature labelled rsa-pss-sha256", delivery: "rsa-pss-sha256", with: "rsa-sha256", key: "rsa", reason: "Keygen-Signature does not verify"},
		{name: "label in upper case", delivery: "ED25519", with: "ed25519", key: "ed25519", signedWithOther: "ed25519", reason: `algorithm "ED25519" is not ed25519`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			signer := tc.signedWithOther
			if signer == "" {
				signer = kindOf[tc.delivery]
			}
			h, body := signedHook(t, keys[signer].priv, tc.delivery, tc.with)
			var opts []WebhookOption
			if tc.pin != "" {
				opts = append(opts, WithWebhookAlgorithm(tc.pin))
			}
			ev, err := ParseWebhook(hookRequest(h, body), keys[tc.key].pub, append(opts, clockOpt)...)
			if tc.reason == "" {
				require.NoError(t, err)
				assert.Equal(t, EventLicenseCreated, ev.Event)
				return
			}
			assert.Nil(t, ev)
			requireSigErr(t, err, tc.reason)
			assert.NotErrorIs(t, err, ErrInvalidArgument)
		})
	}
}

func TestWithWebhookAlgorithmErrors(t *testing.T) {
	t.Parallel()
	keys := freshKeys(t)
	h, body := signedHook(t, keys["rsa"].priv, "rsa-sha256", "")
	for _, alg := range []string{"", "RSA-SHA256", "rsa", "sha256", "ed448", "legacy"} {
		_, err := ParseWebhook(hookRequest(h, body), keys["rsa"].pub, clockOpt, WithWebhookAlgorithm(alg))
		require.ErrorIs(t, err, ErrInvalidArgument, "%q", alg)
		assert.NotErrorIs(t, err, ErrSignatureInvalid)
		assert.Contains(t, err.Error(), `WithWebhookAlgorithm: unsupported algorithm "`+alg+`"`)
	}
	// A pinned algorithm the key cannot check is a configuration error, whatever arrives.
	for _, tc := range []struct{ key, alg, msg string }{
		{"rsa", "ed25519", "ed25519 signatures need the account's Ed25519 public key, but the key given is its RSA key"},
		{"rsa", "ecdsa-p256", "ecdsa-p256 signatures need the account's ECDSA P-256 public key, but the key given is its RSA key"},
		{"ed25519", "rsa-sha256", "rsa-sha256 signatures need the account's RSA public key, but the key given is its Ed25519 key"},
		{"ecdsa", "rsa-pss-sha256", "rsa-pss-sha256 signatures need the account's RSA public key, but the key given is its ECDSA P-256 key"},
	} {
		_, err := ParseWebhook(hookRequest(h, body), keys[tc.key].pub, clockOpt, WithWebhookAlgorithm(tc.alg))
		require.ErrorIs(t, err, ErrInvalidArgument, tc.msg)
		assert.NotErrorIs(t, err, ErrSignatureInvalid)
		assert.Contains(t, err.Error(), "WithWebhookAlgorithm: "+tc.msg)
	}
}
