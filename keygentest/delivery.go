package keygentest

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Webhook delivery after Keygen's WebhookWorker (app/workers/webhook_worker.rb).
//
// Each webhook-events record is POSTed to its endpoint by background goroutines, never
// under the store lock: one goroutine per endpoint drains that endpoint's queue in the
// order events were created. An attempt that answers 2xx marks the event DELIVERED; any
// other status marks it FAILING (with lastResponseCode and lastResponseBody, or
// RES_BODY_TOO_LARGE past 2048 bytes) and retries it after a backoff; when the retries
// are spent it is FAILED. A refused, reset or unreachable connection, a DNS failure or an
// early EOF marks it FAILED at once (CONN_REFUSED, CONN_RESET, NET_UNREACH, HOST_UNREACH,
// DNS_ERROR, EOF_ERROR); timeouts (REQ_TIMEOUT) and TLS failures (SSL_ERROR) are retried.
// 410 and 530 answers fail the event at once and disable the endpoint (subscriptions []).
//
// keygentest deviation: Keygen retries 15 times over days (count⁴ s + 10–100 min); here
// the default is 3 retries after 100 ms, 200 ms and 400 ms (WithWebhookRetries), so a
// failing event settles as FAILED within a second. Server.WaitWebhooks waits for every
// queued delivery, retries included, to settle.

const (
	maxResponseBodySize = 2048
	defaultHookTimeout  = 15 * time.Second
	defaultHookRetries  = 3
	defaultHookBackoff  = 100 * time.Millisecond
)

// hookJob is one queued delivery of an event.
type hookJob struct {
	accountID, eventID, endpointID string
	body                           []byte // the webhook-events document, rendered at creation
	attempt                        int    // attempts made so far
}

// deliverer runs webhook deliveries in the background.
type deliverer struct {
	s       *Server
	client  *http.Client
	own     *http.Transport // closed on shutdown when the client is ours
	timeout time.Duration
	retries int
	backoff time.Duration

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	queues  map[string][]*hookJob // by endpoint id
	running map[string]bool       // endpoints with a draining goroutine
	pending int                   // jobs not yet settled (queued, in flight or waiting to retry)
	idle    chan struct{}         // closed while pending == 0
	closed  bool
}

func newDeliverer(s *Server, cfg config) *deliverer {
	ctx, cancel := context.WithCancel(context.Background())
	d := &deliverer{
		s: s, ctx: ctx, cancel: cancel,
		timeout: cfg.hookTimeout, retries: cfg.hookRetries, backoff: cfg.hookBackoff,
		queues: map[string][]*hookJob{}, running: map[string]bool{}, idle: make(chan struct{}),
	}
	close(d.idle)
	if d.timeout <= 0 {
		d.timeout = defaultHookTimeout
	}
	if d.retries < 0 {
		d.retries = 0
	}
	if cfg.hookClient != nil {
		d.client = cfg.hookClient
	} else {
		// A fake must never send traffic off the machine: the default transport delivers
		// only to loopback receivers, without a proxy, and fails any other host at once
		// (as DNS_ERROR) without even a DNS lookup. WithWebhookHTTPClient lifts this.
		d.own = &http.Transport{DialContext: dialLoopbackOnly, MaxIdleConnsPerHost: 4, IdleConnTimeout: 30 * time.Second}
		d.client = &http.Client{Transport: d.own}
	}
	return d
}

// enqueue queues a new delivery. It never blocks, so it may run under the store lock.
func (d *deliverer) enqueue(job *hookJob) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return
	}
	if d.pending == 0 {
		d.idle = make(chan struct{})
	}
	d.pending++
	d.push(job)
}

// push appends a job to its endpoint's queue and starts that queue's goroutine. d.mu held.
func (d *deliverer) push(job *hookJob) {
	d.queues[job.endpointID] = append(d.queues[job.endpointID], job)
	if !d.running[job.endpointID] {
		d.running[job.endpointID] = true
		d.wg.Add(1)
		go d.drain(job.endpointID)
	}
}

// settle marks a job as done for good.
func (d *deliverer) settle() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.pending--
	if d.pending == 0 {
		close(d.idle)
	}
}

// drain delivers an endpoint's queued jobs in order, then exits.
func (d *deliverer) drain(endpointID string) {
	defer d.wg.Done()
	for {
		d.mu.Lock()
		q := d.queues[endpointID]
		if len(q) == 0 {
			delete(d.queues, endpointID)
			delete(d.running, endpointID)
			d.mu.Unlock()
			return
		}
		job := q[0]
		d.queues[endpointID] = q[1:]
		d.mu.Unlock()

		if d.ctx.Err() != nil || !d.attempt(job) {
			d.settle()
			continue
		}
		d.scheduleRetry(job)
	}
}

// scheduleRetry puts a failing job back in its queue after the backoff (100 ms, 200 ms,
// 400 ms, … by default).
func (d *deliverer) scheduleRetry(job *hookJob) {
	delay := d.backoff << (job.attempt - 1)
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		t := time.NewTimer(delay)
		defer t.Stop()
		select {
		case <-t.C:
			d.mu.Lock()
			if !d.closed {
				d.push(job)
				d.mu.Unlock()
				return
			}
			d.mu.Unlock()
		case <-d.ctx.Done():
		}
		d.settle()
	}()
}

// wait blocks until no delivery is pending or ctx ends.
func (d *deliverer) wait(ctx context.Context) error {
	for {
		d.mu.Lock()
		if d.pending == 0 {
			d.mu.Unlock()
			return nil
		}
		idle := d.idle
		d.mu.Unlock()
		select {
		case <-idle:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// close stops every delivery (in-flight requests are cancelled) and waits for the
// goroutines to end.
func (d *deliverer) close() {
	d.mu.Lock()
	d.closed = true
	d.mu.Unlock()
	d.cancel()
	d.wg.Wait()
	if d.own != nil {
		d.own.CloseIdleConnections()
	}
}

// outcome is what one attempt did to the event.
type outcome struct {
	code   *int
	body   *string
	status string // DELIVERED, FAILING or FAILED
	retry  bool
	gone   bool // disable the endpoint (410, 530)
	skip   bool // leave the event untouched (shutdown, unknown failure before a response)
}

// attempt makes one delivery attempt and records its outcome on the event. It reports
// whether the job should be retried.
func (d *deliverer) attempt(job *hookJob) bool {
	s := d.s
	s.mu.Lock()
	acct := s.db.accounts[job.accountID]
	ep := s.db.endpoints[job.endpointID]
	ev := s.db.events[job.eventID]
	if acct == nil || ep == nil || ev == nil || !ep.subscribed(ev.Event) {
		s.mu.Unlock()
		return false
	}
	target, alg, version := ep.URL, ep.SignatureAlgorithm, ep.APIVersion
	now := s.clock.now()
	s.mu.Unlock()

	job.attempt++
	out := d.post(acct, target, alg, version, now, job.body)
	if out.skip {
		return false
	}
	if out.retry && job.attempt > d.retries {
		out.status, out.retry = "FAILED", false
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if ev := s.db.events[job.eventID]; ev != nil {
		ev.LastResponseCode, ev.LastResponseBody = out.code, out.body
		ev.Status = out.status
		ev.Updated = s.clock.now()
	}
	if out.gone {
		if ep := s.db.endpoints[job.endpointID]; ep != nil {
			ep.Subscriptions = []string{}
		}
	}
	return out.retry
}

// post sends one signed delivery and classifies the result.
func (d *deliverer) post(acct *account, target, alg, version string, now time.Time, body []byte) outcome {
	u, err := url.Parse(target)
	if err != nil {
		return outcome{status: "FAILED", body: strPtr("DNS_ERROR")}
	}
	ctx, cancel := context.WithTimeout(d.ctx, d.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(string(body)))
	if err != nil {
		return outcome{status: "FAILED", body: strPtr("DNS_ERROR")}
	}
	date := now.UTC().Format(http.TimeFormat)
	sum := sha256.Sum256(body)
	dig := "sha-256=" + base64.StdEncoding.EncodeToString(sum[:])
	msg := signingString("post", webhookTarget(u), hostWithoutPort(u.Host), date, dig)
	usedAlg := alg
	if !contains(supportedSignatureAlgorithms, usedAlg) {
		usedAlg = "ed25519"
	}
	sig := base64.StdEncoding.EncodeToString(signWith(acct, usedAlg, []byte(msg)))
	h := req.Header
	h.Set("User-Agent", "Keygen/"+version+" (+https://keygen.sh/docs/api/webhooks/)")
	h.Set("Content-Type", "application/json")
	h.Set("Date", date)
	h.Set("Digest", dig)
	h.Set("Keygen-Date", date)
	h.Set("Keygen-Digest", dig)
	h.Set("Keygen-Signature", `keyid="`+acct.ID+`", algorithm="`+usedAlg+`", signature="`+sig+`", headers="(request-target) host date digest"`)
	h.Set("Keygen-Version", version)

	res, err := d.client.Do(req)
	if err != nil {
		if d.ctx.Err() != nil {
			return outcome{skip: true} // shutting down
		}
		return transportOutcome(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(res.Body, maxResponseBodySize+1))
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 1<<20))
	text := string(raw)
	if len(raw) > maxResponseBodySize {
		text = "RES_BODY_TOO_LARGE"
	}
	code := res.StatusCode
	out := outcome{code: &code, body: &text}
	switch {
	case code >= 200 && code <= 299:
		out.status = "DELIVERED"
	case code == 410 || code == 530:
		out.status, out.gone = "FAILED", true
	default:
		out.status, out.retry = "FAILING", true
	}
	return out
}

// transportOutcome maps a failed request to Keygen's markers: connection-level failures
// end the event at once, timeouts and TLS failures are retried.
func transportOutcome(err error) outcome {
	failed := func(marker string) outcome { return outcome{status: "FAILED", body: strPtr(marker)} }
	failing := func(marker string) outcome { return outcome{status: "FAILING", body: strPtr(marker), retry: true} }
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalidCert x509.CertificateInvalidError
	var recordErr tls.RecordHeaderError
	var netErr net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return failed("CONN_REFUSED")
	case errors.Is(err, syscall.ECONNRESET):
		return failed("CONN_RESET")
	case errors.Is(err, syscall.ENETUNREACH):
		return failed("NET_UNREACH")
	case errors.Is(err, syscall.EHOSTUNREACH):
		return failed("HOST_UNREACH")
	case errors.As(err, &dnsErr):
		return failed("DNS_ERROR")
	case errors.As(err, &certErr), errors.As(err, &unknownAuth), errors.As(err, &hostErr),
		errors.As(err, &invalidCert), errors.As(err, &recordErr):
		return failing("SSL_ERROR")
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return failing("REQ_TIMEOUT")
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return failed("EOF_ERROR")
	}
	// Keygen lets other errors raise and retries without touching the event.
	return outcome{status: "FAILING", retry: true}
}

// webhookTarget is the signed request target of a delivery: the endpoint URL's path ("/"
// when empty) and "?query" only when it has one.
func webhookTarget(u *url.URL) string {
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	return p
}

// WaitWebhooks blocks until every webhook delivery queued so far has settled
// (DELIVERED or FAILED, retries included, or dropped because its endpoint or event was
// deleted) or ctx ends. Events are queued before the request that caused them is
// answered, so after a call returns, WaitWebhooks covers its events.
func (s *Server) WaitWebhooks(ctx context.Context) error {
	if s.hooks == nil {
		return nil
	}
	return s.hooks.wait(ctx)
}

// dialLoopbackOnly dials localhost and loopback IP literals, and refuses every other host
// with a not-found DNS error before any lookup.
func dialLoopbackOnly(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if strings.EqualFold(host, "localhost") {
		host = "127.0.0.1"
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{
			Err: "keygentest delivers webhooks to loopback hosts only", Name: host, IsNotFound: true}}
	}
	var d net.Dialer
	return d.DialContext(ctx, network, net.JoinHostPort(host, port))
}
