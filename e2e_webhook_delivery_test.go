package keygen_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	keygen "github.com/licensekit/keygen"
	"github.com/licensekit/keygen/keygentest"
)

// delivery is one webhook request as the receiver saw it, kept whole so tests can replay
// it, untouched or tampered, through VerifyWebhook.
type delivery struct {
	req  keygen.WebhookRequest
	ev   *keygen.WebhookEvent
	err  error
	path string
}

// receiver records keygentest's real deliveries, each parsed with ParseWebhook.
type receiver struct {
	mu    sync.Mutex
	got   []delivery
	srv   *httptest.Server
	pub   string
	clock func() time.Time
}

func newReceiver(t *testing.T, publicKey string, clock func() time.Time) *receiver {
	rc := &receiver{pub: publicKey, clock: clock}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ev, err := keygen.ParseWebhook(r, rc.pub, keygen.WithWebhookClock(rc.clock))
		body, _ := io.ReadAll(r.Body) // ParseWebhook puts the body back
		rc.mu.Lock()
		rc.got = append(rc.got, delivery{
			req: keygen.WebhookRequest{Method: r.Method, Host: r.Host, RequestURI: r.RequestURI, Header: r.Header.Clone(), Body: body},
			ev:  ev, err: err, path: r.URL.Path,
		})
		rc.mu.Unlock()
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) deliveries() []delivery {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]delivery(nil), rc.got...)
}

// TestE2EWebhookDeliveries registers an endpoint on keygentest, lets it deliver real signed
// events, and checks that ParseWebhook accepts every untouched delivery and rejects every
// tampered copy (keygen-sh/keygen-api, app/workers/webhook_worker.rb).
func TestE2EWebhookDeliveries(t *testing.T) {
	t.Parallel()
	srv := keygentest.NewServer(keygentest.WithInsecureWebhooks())
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	admin := srv.Client(keygen.WithoutRetries())
	rc := newReceiver(t, srv.PublicKey, srv.Now)

	_, err := admin.Webhooks.Create(ctx, keygen.WebhookCreateOptions{
		URL:           rc.srv.URL + "/hooks/keygen?src=test",
		Subscriptions: []string{keygen.EventLicenseCreated, keygen.EventLicenseSuspended},
	})
	require.NoError(t, err)

	product, err := admin.Products.Create(ctx, keygen.ProductCreateOptions{Name: "App"})
	require.NoError(t, err)
	policy, err := admin.Policies.Create(ctx, keygen.PolicyCreateOptions{ProductID: product.ID, Name: "Pro"})
	require.NoError(t, err)
	lic, err := admin.Licenses.Create(ctx, keygen.LicenseCreateOptions{PolicyID: policy.ID})
	require.NoError(t, err)
	_, err = admin.Licenses.Suspend(ctx, lic.ID)
	require.NoError(t, err)
	require.NoError(t, srv.WaitWebhooks(ctx))

	got := rc.deliveries()
	require.Len(t, got, 2, "one delivery per subscribed event; product and policy events are not subscribed")
	for i, want := range []string{keygen.EventLicenseCreated, keygen.EventLicenseSuspended} {
		d := got[i]
		require.NoError(t, d.err, "untouched delivery %d must verify", i)
		assert.Equal(t, want, d.ev.Event)
		assert.Equal(t, "/hooks/keygen", d.path)
		l, err := d.ev.PayloadLicense()
		require.NoError(t, err)
		assert.Equal(t, lic.ID, l.ID)
		assert.Equal(t, lic.Key, l.Key)
		assert.Equal(t, want == keygen.EventLicenseSuspended, l.Suspended)
		assert.Len(t, d.ev.IdempotencyToken, 64)
	}

	// The event records say the deliveries succeeded.
	page, err := admin.WebhookEvents.List(ctx, &keygen.WebhookEventListOptions{Events: []string{keygen.EventLicenseCreated}})
	require.NoError(t, err)
	require.Len(t, page.Data, 1)
	assert.Equal(t, "DELIVERED", page.Data[0].Status)
	require.NotNil(t, page.Data[0].LastResponseCode)
	assert.Equal(t, 204, *page.Data[0].LastResponseCode)

	orig := got[0].req
	verify := func(r keygen.WebhookRequest, opts ...keygen.WebhookOption) error {
		_, err := keygen.VerifyWebhook(srv.PublicKey, r, append([]keygen.WebhookOption{keygen.WithWebhookClock(srv.Now)}, opts...)...)
		return err
	}
	require.NoError(t, verify(orig), "replaying the untouched request verifies")

	_, otherPriv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	otherPub := hex.EncodeToString(otherPriv.Public().(ed25519.PublicKey))

	tampered := map[string]func(r *keygen.WebhookRequest){
		"one body byte changed": func(r *keygen.WebhookRequest) {
			r.Body = append([]byte(nil), r.Body...)
			r.Body[len(r.Body)/2] ^= 0x01
		},
		"Digest of another delivery": func(r *keygen.WebhookRequest) {
			r.Header.Set("Digest", got[1].req.Header.Get("Digest"))
		},
		"signature of another delivery": func(r *keygen.WebhookRequest) {
			r.Header.Set("Keygen-Signature", got[1].req.Header.Get("Keygen-Signature"))
		},
		"body of another delivery": func(r *keygen.WebhookRequest) { r.Body = got[1].req.Body },
		"missing signature":        func(r *keygen.WebhookRequest) { r.Header.Del("Keygen-Signature") },
		"missing digest":           func(r *keygen.WebhookRequest) { r.Header.Del("Digest") },
		"missing date":             func(r *keygen.WebhookRequest) { r.Header.Del("Date") },
		"date moved by a second": func(r *keygen.WebhookRequest) {
			d, _ := http.ParseTime(r.Header.Get("Date"))
			r.Header.Set("Date", d.Add(time.Second).UTC().Format(http.TimeFormat))
		},
		"another path":  func(r *keygen.WebhookRequest) { r.RequestURI = "/hooks/other?src=test" },
		"another query": func(r *keygen.WebhookRequest) { r.RequestURI = "/hooks/keygen?src=evil" },
		"another host":  func(r *keygen.WebhookRequest) { r.Host = "evil.example.com" },
	}
	for name, mutate := range tampered {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := orig
			r.Header = orig.Header.Clone()
			mutate(&r)
			err := verify(r)
			require.ErrorIs(t, err, keygen.ErrSignatureInvalid)
		})
	}
	t.Run("another account's key", func(t *testing.T) {
		_, err := keygen.VerifyWebhook(otherPub, orig, keygen.WithWebhookClock(srv.Now))
		require.ErrorIs(t, err, keygen.ErrSignatureInvalid)
	})
	t.Run("replayed an hour later", func(t *testing.T) {
		later := func() time.Time { return srv.Now().Add(time.Hour) }
		_, err := keygen.VerifyWebhook(srv.PublicKey, orig, keygen.WithWebhookClock(later))
		require.ErrorIs(t, err, keygen.ErrSignatureInvalid)
	})
}
