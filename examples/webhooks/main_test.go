package main

import (
	"bytes"
	"context"
	"net"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/licensekit/keygen"
	"github.com/licensekit/keygen/keygentest"
)

// TestRun runs the demo and checks that each event was verified and printed, and that the
// forged delivery was refused.
func TestRun(t *testing.T) {
	var buf bytes.Buffer
	if err := run(context.Background(), &buf); err != nil {
		t.Fatalf("run: %v\n%s", err, buf.String())
	}
	out := buf.String()
	t.Log(out)

	for _, re := range []string{
		`verified product\.created: products [0-9a-f-]{36} named "Webhook Demo" \(idempotency token [0-9a-f]{64}\)`,
		`verified policy\.created: policies [0-9a-f-]{36} named "Standard" \(idempotency token [0-9a-f]{64}\)`,
		`verified license\.created: licenses [0-9a-f-]{36}, status ACTIVE \(idempotency token [0-9a-f]{64}\)`,
		`verified license\.suspended: licenses [0-9a-f-]{36}, status SUSPENDED \(idempotency token [0-9a-f]{64}\)`,
		`verified machine\.created: machines [0-9a-f-]{36} with fingerprint "demo-machine-1" on license [0-9a-f-]{36} \(idempotency token [0-9a-f]{64}\)`,
	} {
		if n := len(regexp.MustCompile(re).FindAllString(out, -1)); n != 1 {
			t.Errorf("want one line matching %s, got %d", re, n)
		}
	}
	if n := strings.Count(out, "verified "); n != 5 {
		t.Errorf("want 5 verified deliveries, got %d", n)
	}
	// Then, in this order: the forgery, its rejection by the handler, the 400, the summary.
	for _, want := range []string{
		"sending a forged copy of the license.suspended delivery",
		"REJECTED a delivery to /keygen/webhooks: keygen: signature invalid: body does not match its Digest",
		"the forged delivery was refused with 400 Bad Request",
		"done: 5 deliveries verified, 1 rejected",
	} {
		var ok bool
		if _, out, ok = strings.Cut(out, want); !ok {
			t.Errorf("output lacks %q (in order)", want)
		}
	}
}

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServe runs the -addr mode (as against real Keygen: wall clock, key from the
// environment) as the endpoint of a keygentest server.
func TestServe(t *testing.T) {
	srv := keygentest.NewServer(keygentest.WithInsecureWebhooks())
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var out syncBuffer
	serveCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- serve(serveCtx, &out, ln, srv.PublicKey, "") }()

	admin := srv.Client()
	if _, err := admin.Webhooks.Create(ctx, keygen.WebhookCreateOptions{
		URL: "http://" + ln.Addr().String() + "/hooks", Subscriptions: []string{keygen.EventProductCreated},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Products.Create(ctx, keygen.ProductCreateOptions{Name: "Served"}); err != nil {
		t.Fatal(err)
	}
	if err := srv.WaitWebhooks(ctx); err != nil {
		t.Fatal(err)
	}
	page, err := admin.WebhookEvents.List(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Data) != 1 || page.Data[0].Status != "DELIVERED" || page.Data[0].LastResponseCode == nil || *page.Data[0].LastResponseCode != 204 {
		t.Errorf("want one event DELIVERED with 204, got %+v", page.Data)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"listening for Keygen webhooks on " + ln.Addr().String(),
		`verified product.created: products `,
		`named "Served"`,
		"stopped: 1 deliveries verified, 0 rejected",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}

// TestServeNeedsPublicKey: the -addr mode refuses to start without a valid key.
func TestServeNeedsPublicKey(t *testing.T) {
	for _, key := range []string{"", "not-hex"} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		err = serve(context.Background(), &out, ln, key, "")
		if err == nil || !strings.Contains(err.Error(), "KEYGEN_PUBLIC_KEY") {
			t.Errorf("key %q: want an error about KEYGEN_PUBLIC_KEY, got %v", key, err)
		}
	}
}
