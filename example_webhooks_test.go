package keygen_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/licensekit/keygen"
	"github.com/licensekit/keygen/keygentest"
)

// A webhook receiver verifies each delivery before it acts on it. keygentest delivers real
// signed events; WithInsecureWebhooks lets it post to a plain http test server.
func ExampleParseWebhook() {
	srv := keygentest.NewServer(keygentest.WithInsecureWebhooks())
	defer srv.Close()
	publicKey := srv.PublicKey // the account's Ed25519 key, from the dashboard

	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ev, err := keygen.ParseWebhook(r, publicKey)
		if err != nil {
			http.Error(w, "bad signature", http.StatusBadRequest) // do not act on the body
			return
		}
		if ev.Event == keygen.EventLicenseCreated {
			lic, err := ev.PayloadLicense()
			if err != nil {
				http.Error(w, "bad payload", http.StatusUnprocessableEntity)
				return
			}
			fmt.Println(ev.Event, *lic.Name)
		}
		w.WriteHeader(http.StatusNoContent) // Keygen retries until it gets a 2xx
	}))
	defer receiver.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := srv.Client()
	_, err := c.Webhooks.Create(ctx, keygen.WebhookCreateOptions{
		URL:           receiver.URL + "/hooks/keygen",
		Subscriptions: []keygen.EventType{keygen.EventLicenseCreated},
	})
	if err != nil {
		log.Fatal(err)
	}
	policy := newPolicy(srv, keygen.PolicyCreateOptions{Name: "Pro"})
	if _, err := c.Licenses.Create(ctx, keygen.LicenseCreateOptions{PolicyID: policy.ID, Name: "Jane's license"}); err != nil {
		log.Fatal(err)
	}
	if err := srv.WaitWebhooks(ctx); err != nil { // the delivery has been answered
		log.Fatal(err)
	}

	// A delivery that Keygen did not sign is refused.
	res, err := http.Post(receiver.URL+"/hooks/keygen", "application/vnd.api+json",
		strings.NewReader(`{"data":{"type":"webhook-events","attributes":{"event":"license.created"}}}`))
	if err != nil {
		log.Fatal(err)
	}
	res.Body.Close()
	fmt.Println(res.StatusCode)
	// Output:
	// license.created Jane's license
	// 400
}
