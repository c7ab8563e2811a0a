// Command webhooks is a Keygen webhook receiver: it verifies each delivery's signature with
// keygen.ParseWebhook, answers 204 to genuine ones (400 to anything that does not verify)
// and prints what happened in plain words.
//
// With no configuration it demonstrates itself against keygentest, an in-memory Keygen, so it
// needs no account and no network:
//
//	go run ./examples/webhooks
//
// It starts keygentest and a receiver on 127.0.0.1, registers the receiver as a webhook
// endpoint, creates a product, a policy and a license, suspends the license, activates a
// machine, prints each verified delivery, then sends itself a forged copy of one delivery (a
// changed body) to show that it is rejected, and exits.
//
// To receive real Keygen deliveries instead, give the address to listen on and the
// account's Ed25519 public key (Settings → Public keys in the dashboard, 64 hex characters):
//
//	KEYGEN_PUBLIC_KEY=… go run ./examples/webhooks -addr :8080
//
// and register https://<your host>/… (any path) as an endpoint with the ed25519 signature
// algorithm. Behind a proxy that rewrites the host or path, pass the URL registered at
// Keygen with -endpoint, since Keygen signs that URL's host and path.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/licensekit/keygen"
	"github.com/licensekit/keygen/keygentest"
)

func main() {
	addr := flag.String("addr", "", "listen on this address for real Keygen deliveries, e.g. :8080 (needs KEYGEN_PUBLIC_KEY); empty runs the self-contained demo")
	endpoint := flag.String("endpoint", "", "with -addr: the endpoint URL as registered at Keygen, when a proxy rewrites the host or path")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	if *addr == "" {
		err = run(ctx, os.Stdout)
	} else {
		err = listenAndServe(ctx, os.Stdout, *addr, os.Getenv("KEYGEN_PUBLIC_KEY"), *endpoint)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "webhooks:", err)
		os.Exit(1)
	}
}

// receiver is the webhook handler: it verifies, prints and remembers deliveries.
type receiver struct {
	out       *lockedWriter
	publicKey string
	opts      []keygen.WebhookOption

	mu       sync.Mutex
	seen     map[string]bool // idempotency tokens already handled
	verified int
	rejected int
	// byEvent keeps the last genuine delivery of each event type as received, so the demo
	// can forge a copy.
	byEvent map[string]*rawDelivery
}

type rawDelivery struct {
	header http.Header
	body   []byte
}

func newReceiver(out *lockedWriter, publicKey string, opts ...keygen.WebhookOption) *receiver {
	return &receiver{out: out, publicKey: publicKey, opts: opts, seen: map[string]bool{}, byEvent: map[string]*rawDelivery{}}
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "webhook deliveries are POSTed", http.StatusMethodNotAllowed)
		return
	}
	ev, err := keygen.ParseWebhook(r, rc.publicKey, rc.opts...)
	if err != nil {
		// Never act on a body that did not verify: anyone can POST here.
		rc.mu.Lock()
		rc.rejected++
		rc.mu.Unlock()
		rc.out.printf("REJECTED a delivery to %s: %v\n", r.URL.Path, err)
		http.Error(w, "invalid webhook signature", http.StatusBadRequest)
		return
	}
	body, _ := io.ReadAll(r.Body) // ParseWebhook put the body back

	rc.mu.Lock()
	dup := rc.seen[ev.IdempotencyToken]
	rc.seen[ev.IdempotencyToken] = true
	if !dup {
		rc.verified++
		rc.byEvent[ev.Event] = &rawDelivery{header: r.Header.Clone(), body: body}
	}
	rc.mu.Unlock()
	if dup {
		// Keygen retries until it gets a 2xx; the token is the same for every retry.
		rc.out.printf("duplicate delivery of %s (idempotency token %s), already handled\n", ev.Event, ev.IdempotencyToken)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	rc.out.printf("verified %s: %s (idempotency token %s)\n", ev.Event, describe(ev), ev.IdempotencyToken)
	w.WriteHeader(http.StatusNoContent)
}

// describe says in plain words which resource an event is about.
func describe(ev *keygen.WebhookEvent) string {
	var doc struct {
		Data *struct {
			Type string `json:"type"`
			ID   string `json:"id"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(ev.Payload), &doc); err != nil || doc.Data == nil {
		return "no resource in the payload"
	}
	s := fmt.Sprintf("%s %s", doc.Data.Type, doc.Data.ID)
	switch doc.Data.Type {
	case "products":
		if p, err := ev.PayloadProduct(); err == nil {
			s += fmt.Sprintf(" named %q", p.Name)
		}
	case "policies":
		if p, err := ev.PayloadPolicy(); err == nil {
			s += fmt.Sprintf(" named %q", p.Name)
		}
	case "licenses":
		if l, err := ev.PayloadLicense(); err == nil {
			s += fmt.Sprintf(", status %s", l.Status)
		}
	case "machines":
		if m, err := ev.PayloadMachine(); err == nil {
			s += fmt.Sprintf(" with fingerprint %q on license %s", m.Fingerprint, m.LicenseID)
		}
	}
	return s
}

func (rc *receiver) counts() (verified, rejected int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.verified, rc.rejected
}

// lockedWriter serialises prints from the handler's goroutines and the main flow.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, format, args...)
}

// listenAndServe receives real Keygen deliveries on addr until ctx ends.
func listenAndServe(ctx context.Context, out io.Writer, addr, publicKey, endpoint string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return serve(ctx, out, ln, publicKey, endpoint)
}

// serve receives deliveries on ln, verified with publicKey against the wall clock, until ctx
// ends. endpoint, when set, is the URL registered at Keygen (see -endpoint).
func serve(ctx context.Context, out io.Writer, ln net.Listener, publicKey, endpoint string) error {
	defer ln.Close()
	if _, err := keygen.ParsePublicKey(publicKey); err != nil {
		return fmt.Errorf("KEYGEN_PUBLIC_KEY: %w", err)
	}
	var opts []keygen.WebhookOption
	if endpoint != "" {
		opts = append(opts, keygen.WithWebhookEndpoint(endpoint))
	}
	rc := newReceiver(&lockedWriter{w: out}, publicKey, opts...)
	hs := &http.Server{Handler: rc, ReadHeaderTimeout: 10 * time.Second}
	rc.out.printf("listening for Keygen webhooks on %s\n", ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdown); err != nil {
		return err
	}
	v, r := rc.counts()
	rc.out.printf("stopped: %d deliveries verified, %d rejected\n", v, r)
	return nil
}

// run is the self-contained demo against an in-memory Keygen.
func run(ctx context.Context, w io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	out := &lockedWriter{w: w}

	// keygentest refuses http:// and loopback endpoints like Keygen does, unless told not to.
	srv := keygentest.NewServer(keygentest.WithInsecureWebhooks())
	defer srv.Close()
	out.printf("using an in-memory Keygen at %s\n", srv.URL)

	// The receiver checks Dates against the in-memory Keygen's clock, which is the wall
	// clock here; against real Keygen the default (time.Now) is right.
	rc := newReceiver(out, srv.PublicKey, keygen.WithWebhookClock(srv.Now))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: rc, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	defer hs.Close()
	hookURL := "http://" + ln.Addr().String() + "/keygen/webhooks"
	out.printf("receiver listening on %s\n", hookURL)

	admin := srv.Client()
	endpoint, err := admin.Webhooks.Create(ctx, keygen.WebhookCreateOptions{
		URL: hookURL,
		Subscriptions: []keygen.EventType{
			keygen.EventProductCreated, keygen.EventPolicyCreated, keygen.EventLicenseCreated,
			keygen.EventLicenseSuspended, keygen.EventMachineCreated,
		},
	})
	if err != nil {
		return fmt.Errorf("registering the endpoint: %w", err)
	}
	out.printf("registered webhook endpoint %s for %d event types\n", endpoint.ID, len(endpoint.Subscriptions))

	out.printf("triggering events: product, policy and license created, license suspended, machine activated\n")
	product, err := admin.Products.Create(ctx, keygen.ProductCreateOptions{Name: "Webhook Demo"})
	if err != nil {
		return err
	}
	policy, err := admin.Policies.Create(ctx, keygen.PolicyCreateOptions{ProductID: product.ID, Name: "Standard"})
	if err != nil {
		return err
	}
	lic, err := admin.Licenses.Create(ctx, keygen.LicenseCreateOptions{PolicyID: policy.ID})
	if err != nil {
		return err
	}
	if _, err := admin.Licenses.Suspend(ctx, lic.ID); err != nil {
		return err
	}
	if _, err := admin.Machines.Create(ctx, keygen.MachineCreateOptions{LicenseID: lic.ID, Fingerprint: "demo-machine-1"}); err != nil {
		return err
	}
	if err := srv.WaitWebhooks(ctx); err != nil {
		return fmt.Errorf("waiting for deliveries: %w", err)
	}
	if v, r := rc.counts(); v != 5 || r != 0 {
		return fmt.Errorf("want 5 verified deliveries and none rejected, got %d and %d", v, r)
	}

	// A man in the middle (or anyone who saw one delivery) turns the suspension into a
	// reinstatement and sends it on with the genuine signature headers.
	rc.mu.Lock()
	genuine := rc.byEvent[keygen.EventLicenseSuspended]
	rc.mu.Unlock()
	forged := bytes.Replace(genuine.body, []byte(`"event":"license.suspended"`), []byte(`"event":"license.reinstated"`), 1)
	if bytes.Equal(forged, genuine.body) {
		return errors.New("the license.suspended delivery has no event attribute to forge")
	}
	out.printf("sending a forged copy of the license.suspended delivery, its event changed to license.reinstated, with the genuine signature headers\n")
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hookURL, bytes.NewReader(forged))
	if err != nil {
		return err
	}
	req.Header = genuine.header.Clone()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest {
		return fmt.Errorf("the forged delivery was answered %s, want 400", res.Status)
	}
	out.printf("the forged delivery was refused with %s\n", res.Status)

	v, r := rc.counts()
	out.printf("done: %d deliveries verified, %d rejected\n", v, r)
	if r != 1 {
		return errors.New("the forged delivery was not counted as rejected")
	}
	return nil
}
