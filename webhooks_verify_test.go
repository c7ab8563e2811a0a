package keygen

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A throwaway signing key for deliveries; the "other" key signs forgeries.
var (
	hookKey      = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
	hookOtherKey = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, ed25519.SeedSize))
	hookPub      = hex.EncodeToString(hookKey.Public().(ed25519.PublicKey))
	hookNow      = time.Date(2024, 5, 4, 12, 0, 2, 0, time.UTC)
)

const hookURL = "https://hooks.example.com/keygen?src=kg&v=2"

// delivery is what Keygen sends: the parts that are signed, and the headers it sets.
type delivery struct {
	host, target string // as signed
	date         time.Time
	body         []byte
	key          ed25519.PrivateKey
}

func newDelivery(t *testing.T) delivery {
	return delivery{host: "hooks.example.com", target: "/keygen?src=kg&v=2", date: hookNow, body: fixture(t, "webhook_delivery.json"), key: hookKey}
}

// headers signs the delivery the way Keygen does (keygen-sh/keygen-api,
// app/workers/webhook_worker.rb and app/controllers/concerns/signature_methods.rb), written
// out here independently of the SDK's verifier.
func (d delivery) headers() http.Header {
	sum := sha256.Sum256(d.body)
	digest := "sha-256=" + base64.StdEncoding.EncodeToString(sum[:])
	date := d.date.UTC().Format(http.TimeFormat)
	msg := "(request-target): post " + d.target + "\nhost: " + d.host + "\ndate: " + date + "\ndigest: " + digest
	sig := base64.StdEncoding.EncodeToString(ed25519.Sign(d.key, []byte(msg)))
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "Keygen/1.8 (+https://keygen.sh/docs/api/webhooks/)")
	h.Set("Date", date)
	h.Set("Digest", digest)
	h.Set("Keygen-Date", date)
	h.Set("Keygen-Digest", digest)
	h.Set("Keygen-Version", "1.8")
	h.Set("Keygen-Signature", `keyid="`+testAccountID+`", algorithm="ed25519", signature="`+sig+`", headers="(request-target) host date digest"`)
	return h
}

// request builds the incoming request for url with the delivery's headers and body.
func (d delivery) request(url string) *http.Request {
	r := httptest.NewRequest("POST", url, bytes.NewReader(d.body))
	for k, v := range d.headers() {
		r.Header[k] = v
	}
	return r
}

var clockOpt = WithWebhookClock(func() time.Time { return hookNow.Add(30 * time.Second) })

func requireSigErr(t *testing.T, err error, reason string) {
	t.Helper()
	require.ErrorIs(t, err, ErrSignatureInvalid)
	var se *SignatureError
	require.ErrorAs(t, err, &se)
	assert.Contains(t, se.Reason, reason)
}

func TestParseWebhookValid(t *testing.T) {
	t.Parallel()
	d := newDelivery(t)
	r := d.request(hookURL)
	ev, err := ParseWebhook(r, hookPub, clockOpt)
	require.NoError(t, err)

	assert.Equal(t, "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f", ev.ID)
	assert.Equal(t, hookURL, ev.Endpoint)
	assert.Equal(t, Ptr("1.8"), ev.APIVersion)
	assert.Equal(t, EventLicenseCreated, ev.Event)
	assert.Equal(t, "DELIVERING", ev.Status)
	assert.Nil(t, ev.LastResponseCode)
	assert.Nil(t, ev.LastResponseBody)
	assert.Equal(t, mustTime(t, "2024-05-04T12:00:02Z"), ev.Created)
	assert.Equal(t, mustTime(t, "2024-05-04T12:00:02Z"), ev.Updated)
	assert.Equal(t, testEventTok, ev.IdempotencyToken)
	assert.Equal(t, testAccountID, ev.AccountID)
	assert.Empty(t, ev.EnvironmentID)
	assert.Equal(t, compactFixture(t, "payload_license.json"), ev.Payload)
	lic, err := ev.PayloadLicense()
	require.NoError(t, err)
	assertPayloadLicense(t, lic)

	// The body is put back for whoever reads it next.
	again, err := io.ReadAll(r.Body)
	require.NoError(t, err)
	assert.Equal(t, d.body, again)
}

func TestParseWebhookTampering(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		mutate func(d *delivery, h http.Header) (url string)
		reason string
	}{
		"changed body byte": {func(d *delivery, h http.Header) string {
			d.body = bytes.Replace(d.body, []byte("license.created"), []byte("license.deleted"), 1)
			return hookURL
		}, "Digest"},
		"changed body with its digest": {func(d *delivery, h http.Header) string {
			d.body = bytes.Replace(d.body, []byte("license.created"), []byte("license.deleted"), 1)
			sum := sha256.Sum256(d.body)
			h.Set("Digest", "sha-256="+base64.StdEncoding.EncodeToString(sum[:]))
			return hookURL
		}, "does not verify"},
		"wrong host":   {func(d *delivery, h http.Header) string { return "https://evil.example.com/keygen?src=kg&v=2" }, "does not verify"},
		"wrong path":   {func(d *delivery, h http.Header) string { return "https://hooks.example.com/other?src=kg&v=2" }, "does not verify"},
		"wrong query":  {func(d *delivery, h http.Header) string { return "https://hooks.example.com/keygen?src=kg&v=3" }, "does not verify"},
		"no query":     {func(d *delivery, h http.Header) string { return "https://hooks.example.com/keygen" }, "does not verify"},
		"stale date":   {func(d *delivery, h http.Header) string { d.date = hookNow.Add(-6 * time.Minute); return "" }, "tolerance 5m0s"},
		"future date":  {func(d *delivery, h http.Header) string { d.date = hookNow.Add(10 * time.Minute); return "" }, "tolerance"},
		"another key":  {func(d *delivery, h http.Header) string { d.key = hookOtherKey; return "" }, "does not verify"},
		"no signature": {func(d *delivery, h http.Header) string { h.Del("Keygen-Signature"); return hookURL }, "missing Keygen-Signature"},
		"no digest":    {func(d *delivery, h http.Header) string { h.Del("Digest"); return hookURL }, "missing Digest"},
		"no date":      {func(d *delivery, h http.Header) string { h.Del("Date"); return hookURL }, "missing Date"},
		"date swapped": {func(d *delivery, h http.Header) string {
			h.Set("Date", hookNow.Add(time.Second).Format(http.TimeFormat))
			return hookURL
		}, "does not verify"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d := newDelivery(t)
			h := d.headers()
			url := tc.mutate(&d, h)
			if url == "" { // re-signed after the mutation
				url, h = hookURL, d.headers()
			}
			r := httptest.NewRequest("POST", url, bytes.NewReader(d.body))
			r.Header = h
			ev, err := ParseWebhook(r, hookPub, clockOpt)
			assert.Nil(t, ev)
			requireSigErr(t, err, tc.reason)
		})
	}
}

func TestParseWebhookWrongMethod(t *testing.T) {
	t.Parallel()
	d := newDelivery(t)
	r := d.request(hookURL)
	r.Method = "PUT"
	_, err := ParseWebhook(r, hookPub, clockOpt)
	requireSigErr(t, err, "does not verify")
}

func TestParseWebhookTolerance(t *testing.T) {
	t.Parallel()
	d := newDelivery(t)
	late := WithWebhookClock(func() time.Time { return hookNow.Add(8 * time.Minute) })
	_, err := ParseWebhook(d.request(hookURL), hookPub, late)
	requireSigErr(t, err, "tolerance")
	_, err = ParseWebhook(d.request(hookURL), hookPub, late, WithWebhookTolerance(10*time.Minute))
	require.NoError(t, err)

	_, err = ParseWebhook(d.request(hookURL), hookPub, WithWebhookTolerance(0))
	require.ErrorIs(t, err, ErrInvalidArgument)
	_, err = ParseWebhook(d.request(hookURL), hookPub, WithWebhookClock(nil))
	require.ErrorIs(t, err, ErrInvalidArgument)
}

func TestParseWebhookBadArguments(t *testing.T) {
	t.Parallel()
	d := newDelivery(t)
	_, err := ParseWebhook(d.request(hookURL), "not-a-key", clockOpt)
	require.ErrorIs(t, err, ErrInvalidArgument)
	require.NotErrorIs(t, err, ErrSignatureInvalid)
	_, err = ParseWebhook(nil, hookPub)
	require.ErrorIs(t, err, ErrInvalidArgument)
	_, err = ParseWebhook(d.request(hookURL), hookPub, WithWebhookEndpoint("/relative"))
	require.ErrorIs(t, err, ErrInvalidArgument)
}

// countingReader counts what is read from it.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func TestParseWebhookBoundsBody(t *testing.T) {
	t.Parallel()
	d := newDelivery(t)
	d.body = bytes.Repeat([]byte(" "), 3*MaxWebhookBodySize)
	body := &countingReader{r: bytes.NewReader(d.body)}
	r := httptest.NewRequest("POST", hookURL, body)
	r.Header = d.headers()
	_, err := ParseWebhook(r, hookPub, clockOpt)
	requireSigErr(t, err, "exceeds")
	assert.LessOrEqual(t, body.n, MaxWebhookBodySize+1, "read past the limit")
}

func TestParseWebhookHostPortAndProxy(t *testing.T) {
	t.Parallel()
	d := newDelivery(t)
	// Keygen signs the endpoint URL's host without its port.
	_, err := ParseWebhook(d.request("https://hooks.example.com:8443/keygen?src=kg&v=2"), hookPub, clockOpt)
	require.NoError(t, err)

	// Behind a proxy the request arrives elsewhere; the registered URL is what was signed.
	r := d.request("http://10.0.0.5:8080/internal/keygen")
	_, err = ParseWebhook(r, hookPub, clockOpt)
	requireSigErr(t, err, "does not verify")
	_, err = ParseWebhook(d.request("http://10.0.0.5:8080/internal/keygen"), hookPub, clockOpt, WithWebhookEndpoint(hookURL))
	require.NoError(t, err)
}

func TestParseWebhookOverHTTP(t *testing.T) {
	t.Parallel()
	// A real server request: RequestURI is the raw target, Host carries the port.
	d := newDelivery(t)
	d.target = "/hooks/keygen%2Fv1?a=1"
	var got *WebhookEvent
	var gotErr error
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, gotErr = ParseWebhook(r, hookPub, clockOpt)
	}))
	defer srv.Close()
	d.host = strings.Split(strings.TrimPrefix(srv.URL, "http://"), ":")[0]
	req, err := http.NewRequest("POST", srv.URL+d.target, bytes.NewReader(d.body))
	require.NoError(t, err)
	req.Header = d.headers()
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.NoError(t, gotErr)
	assert.Equal(t, EventLicenseCreated, got.Event)
}

func TestVerifyWebhookParts(t *testing.T) {
	t.Parallel()
	d := newDelivery(t)
	ev, err := VerifyWebhook(hookPub, WebhookRequest{
		Method: "POST", Host: "hooks.example.com", RequestURI: "/keygen?src=kg&v=2",
		Header: d.headers(), Body: d.body,
	}, clockOpt)
	require.NoError(t, err)
	assert.Equal(t, "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f", ev.ID)

	_, err = VerifyWebhook(hookPub, WebhookRequest{Method: "POST", RequestURI: "/keygen?src=kg&v=2", Header: d.headers(), Body: d.body}, clockOpt)
	requireSigErr(t, err, "no host")
}

func TestVerifyWebhookSignedButNotAnEvent(t *testing.T) {
	t.Parallel()
	d := newDelivery(t)
	d.body = fixture(t, "webhook_endpoint.json")
	_, err := VerifyWebhook(hookPub, WebhookRequest{Method: "POST", Host: d.host, RequestURI: d.target, Header: d.headers(), Body: d.body}, clockOpt)
	require.Error(t, err)
	assert.False(t, errors.Is(err, ErrSignatureInvalid), "a signed body is authentic even when unexpected")
	assert.Contains(t, err.Error(), "not a webhook-events document")
}

// A failed check names the delivery by method and path; the endpoint's query, which may
// carry a secret shared with the receiver, stays out of the error.
func TestWebhookSignatureErrorLeavesOutQuery(t *testing.T) {
	t.Parallel()
	d := newDelivery(t)
	d.key = hookOtherKey
	d.target = "/keygen?token=s3cret"
	_, err := ParseWebhook(d.request("https://hooks.example.com/keygen?token=s3cret"), hookPub, clockOpt)
	requireSigErr(t, err, "does not verify for POST /keygen")
	assert.NotContains(t, err.Error(), "s3cret")
}
