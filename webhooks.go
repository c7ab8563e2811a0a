package keygen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/licensekit/keygen/internal/jsonapi"
	"github.com/licensekit/keygen/internal/query"
)

// WebhookEndpoint is a URL that receives signed event deliveries (keygen-sh/keygen-api,
// app/models/webhook_endpoint.rb).
type WebhookEndpoint struct {
	ID  string `json:"-"`
	URL string `json:"url"`
	// Subscriptions are the event types delivered; ["*"] means all. Keygen empties the list
	// of an endpoint that answered 410 Gone, which disables it.
	Subscriptions []string `json:"subscriptions"`
	// SignatureAlgorithm is ed25519 (default), rsa-pss-sha256, rsa-sha256 or ecdsa-p256.
	SignatureAlgorithm string    `json:"signatureAlgorithm"`
	APIVersion         string    `json:"apiVersion"`
	Created            time.Time `json:"created"`
	Updated            time.Time `json:"updated"`

	// ProductID is set for product-scoped endpoints, which only get that product's events.
	ProductID     string `json:"-"`
	AccountID     string `json:"-"`
	EnvironmentID string `json:"-"`
}

func (*WebhookEndpoint) resourceType() string { return "webhook-endpoints" }

func (w *WebhookEndpoint) bind(r *jsonapi.Head) error {
	w.ID = r.ID
	w.ProductID = r.Relationships.Product.ID()
	w.AccountID = r.Relationships.Account.ID()
	w.EnvironmentID = r.Relationships.Environment.ID()
	return nil
}

// WebhookCreateOptions are the attributes of a new webhook endpoint. URL is required; Keygen
// accepts only https (422 URL_PROTOCOL_INVALID), but the SDK lets http through for servers
// such as keygentest that deliver to a local receiver. Empty fields take Keygen's defaults:
// all events, ed25519, the request's version.
type WebhookCreateOptions struct {
	URL string `jsonapi:"attr,url"`
	// Subscriptions lists event types (EventLicenseCreated…) or EventAll.
	Subscriptions []EventType `jsonapi:"attr,subscriptions,omitempty"`
	// SignatureAlgorithm is ed25519, rsa-pss-sha256, rsa-sha256 or ecdsa-p256. ParseWebhook
	// verifies each with the account key of its type (WithWebhookAlgorithm pins one).
	SignatureAlgorithm string `jsonapi:"attr,signatureAlgorithm,omitempty"`
	// APIVersion is the Keygen version the payloads are rendered in, e.g. "1.8".
	APIVersion string `jsonapi:"attr,apiVersion,omitempty"`
	// ProductID scopes the endpoint to one product.
	ProductID string
}

// WebhookUpdateOptions change a webhook endpoint; zero fields are left unchanged.
type WebhookUpdateOptions struct {
	URL *string `jsonapi:"attr,url,omitempty"`
	// Subscriptions replaces the list when non-nil.
	Subscriptions      []EventType `jsonapi:"attr,subscriptions,omitempty"`
	SignatureAlgorithm *string     `jsonapi:"attr,signatureAlgorithm,omitempty"`
	APIVersion         *string     `jsonapi:"attr,apiVersion,omitempty"`
	// ProductID moves the endpoint to a product (Set) or detaches it from any (Null).
	ProductID Nullable[string]
}

// WebhookListOptions filter a webhook endpoint list (Keygen has no filters beyond paging).
type WebhookListOptions struct {
	ListOptions
}

// WebhooksService manages webhook endpoints. Incoming deliveries are checked by ParseWebhook.
type WebhooksService struct{ service }

// checkWebhookURL refuses what cannot be a webhook URL at all, so a typo fails before any
// I/O. It leaves the https rule to the server (422 URL_PROTOCOL_INVALID): keygentest can be
// told to deliver to a local http receiver, and the SDK must not stand in the way.
func checkWebhookURL(op, raw string) error {
	u, err := url.Parse(raw)
	switch {
	case strings.TrimSpace(raw) == "":
		return argErr(op, "URL is required")
	case err != nil:
		// url.Parse's error repeats the URL, whose query may hold a secret of the receiver.
		return argErr(op, "URL is invalid")
	case u.Scheme != "https" && u.Scheme != "http":
		return argErr(op, "URL must be an https (or, for a local receiver, http) URL")
	case u.Host == "":
		return argErr(op, "URL has no host")
	}
	return nil
}

// Create registers a webhook endpoint: POST /v1/accounts/{account}/webhook-endpoints.
func (s *WebhooksService) Create(ctx context.Context, opts WebhookCreateOptions) (*WebhookEndpoint, error) {
	if err := checkWebhookURL("Webhooks.Create", opts.URL); err != nil {
		return nil, err
	}
	attrs, err := jsonapi.Attributes(&opts)
	if err != nil {
		return nil, err
	}
	obj := jsonapi.Object{Type: "webhook-endpoints", Attributes: attrs}
	if opts.ProductID != "" {
		obj.Relationships = map[string]any{"product": jsonapi.LinkTo("products", opts.ProductID)}
	}
	return sendOne[WebhookEndpoint](ctx, s.c, &request{method: "POST", path: "/webhook-endpoints", body: jsonapi.Body{Data: obj}})
}

// Get fetches a webhook endpoint: GET /v1/accounts/{account}/webhook-endpoints/{id}.
func (s *WebhooksService) Get(ctx context.Context, id string) (*WebhookEndpoint, error) {
	return getByID[WebhookEndpoint](ctx, s.c, "/webhook-endpoints/%s", id)
}

// Update changes a webhook endpoint: PATCH /v1/accounts/{account}/webhook-endpoints/{id}.
func (s *WebhooksService) Update(ctx context.Context, id string, opts WebhookUpdateOptions) (*WebhookEndpoint, error) {
	path, err := pathf("/webhook-endpoints/%s", id)
	if err != nil {
		return nil, err
	}
	if opts.URL != nil {
		if err := checkWebhookURL("Webhooks.Update", *opts.URL); err != nil {
			return nil, err
		}
	}
	attrs, err := jsonapi.Attributes(&opts)
	if err != nil {
		return nil, err
	}
	obj := jsonapi.Object{Type: "webhook-endpoints", Attributes: attrs}
	if v, ok := opts.ProductID.Get(); ok {
		if strings.TrimSpace(v) == "" {
			return nil, argErr("Webhooks.Update", "ProductID is set to an empty id (use Null to detach)")
		}
		obj.Relationships = map[string]any{"product": jsonapi.LinkTo("products", v)}
	} else if opts.ProductID.IsNull() {
		obj.Relationships = map[string]any{"product": jsonapi.LinkNone()}
	}
	return sendOne[WebhookEndpoint](ctx, s.c, &request{method: "PATCH", path: path, body: jsonapi.Body{Data: obj}})
}

// Delete removes a webhook endpoint: DELETE /v1/accounts/{account}/webhook-endpoints/{id}.
func (s *WebhooksService) Delete(ctx context.Context, id string) error {
	return deleteByID(ctx, s.c, "/webhook-endpoints/%s", id)
}

// encode writes the paging parameters (nil options write nothing).
func (o *WebhookListOptions) encode(q *query.Values) error {
	if o == nil {
		return nil
	}
	return o.ListOptions.encode(q)
}

// List lists webhook endpoints, newest first: GET /v1/accounts/{account}/webhook-endpoints.
func (s *WebhooksService) List(ctx context.Context, opts *WebhookListOptions) (*Page[WebhookEndpoint], error) {
	return listPage[WebhookEndpoint](ctx, s.c, "/webhook-endpoints", opts)
}

// All iterates over every webhook endpoint: GET /v1/accounts/{account}/webhook-endpoints,
// page after page (see ListOptions for how). It stops at the first error (yielded once), when ctx is done, or when
// the loop breaks.
func (s *WebhooksService) All(ctx context.Context, opts *WebhookListOptions) iter.Seq2[*WebhookEndpoint, error] {
	return allOf(ctx, opts, s.List)
}

// MaxWebhookBodySize bounds how much of a delivery ParseWebhook reads. Keygen's event
// documents are a few kilobytes; a larger body is refused unread rather than buffered.
const MaxWebhookBodySize = 4 << 20

// WebhookOption configures ParseWebhook and VerifyWebhook.
type WebhookOption func(*webhookConfig) error

type webhookConfig struct {
	tolerance time.Duration
	now       func() time.Time
	// host and target replace the request's when the endpoint URL is given explicitly.
	host, target string
	// algorithm, when set, is the only signature algorithm accepted.
	algorithm string
}

// WithWebhookTolerance sets how far a delivery's Date may be from now (default 5 minutes).
// Keygen signs the Date, so an older delivery is a replay, not a late one: retries of an
// event are signed afresh.
func WithWebhookTolerance(d time.Duration) WebhookOption {
	return func(c *webhookConfig) error {
		if d <= 0 {
			return errors.New("WithWebhookTolerance: tolerance must be positive")
		}
		c.tolerance = d
		return nil
	}
}

// WithWebhookClock replaces time.Now for the Date check (tests, or a trusted clock).
func WithWebhookClock(now func() time.Time) WebhookOption {
	return func(c *webhookConfig) error {
		if now == nil {
			return errors.New("WithWebhookClock: clock is nil")
		}
		c.now = now
		return nil
	}
}

// WithWebhookAlgorithm accepts only deliveries signed with alg ("ed25519", "rsa-pss-sha256",
// "rsa-sha256" or "ecdsa-p256"): the signatureAlgorithm the endpoint is registered with. By
// default any algorithm the public key can check is accepted, and an RSA key checks both
// rsa-pss-sha256 and rsa-sha256; pin the one configured so that no other is ever taken.
// The public key must be of alg's type, or ParseWebhook reports ErrInvalidArgument.
func WithWebhookAlgorithm(alg string) WebhookOption {
	return func(c *webhookConfig) error {
		if !isSignatureAlgorithm(alg) {
			return fmt.Errorf("WithWebhookAlgorithm: unsupported algorithm %q (want ed25519, rsa-pss-sha256, rsa-sha256 or ecdsa-p256)", alg)
		}
		c.algorithm = alg
		return nil
	}
}

// WithWebhookEndpoint verifies against the endpoint URL as registered at Keygen instead of
// the host and path the request arrived with. Use it behind a proxy that rewrites them
// (Keygen signs the registered URL's host, without port, and its path and query).
func WithWebhookEndpoint(rawURL string) WebhookOption {
	return func(c *webhookConfig) error {
		u, err := url.Parse(rawURL)
		if err != nil || u.Host == "" {
			// Not repeated: the endpoint's query may hold a secret shared with the receiver.
			return errors.New("WithWebhookEndpoint: not an absolute URL")
		}
		c.host = signedHost(u.Host)
		c.target = signedTarget(u.EscapedPath(), u.RawQuery)
		return nil
	}
}

// WebhookRequest is a received delivery in parts, for servers that are not net/http or that
// have already read the body.
type WebhookRequest struct {
	// Method is the request method; Keygen always delivers with POST.
	Method string
	// Host is the Host the request was sent to (a port is ignored: Keygen signs without it).
	Host string
	// RequestURI is the path and query as received, e.g. "/hooks/keygen?src=kg".
	RequestURI string
	Header     http.Header
	Body       []byte
}

// ParseWebhook verifies a Keygen webhook delivery and decodes its event. It reads at most
// MaxWebhookBodySize bytes of r.Body and then puts them back, so a later handler can read the
// body again. publicKey is the account's public key of the type the endpoint's
// signatureAlgorithm uses, in any form WithPublicKey takes: the Ed25519 key (64 hex
// characters) for ed25519, Keygen's default; the RSA key (PEM) for rsa-pss-sha256 and
// rsa-sha256; the ECDSA key (PEM) for ecdsa-p256.
//
// It checks, as Keygen signs them (keygen-api app/workers/webhook_worker.rb, with the
// helpers of app/controllers/concerns/signature_methods.rb): the Digest against the exact body
// bytes, the Date within the tolerance, and the Keygen-Signature over the method, the
// request's path and query, its host and the Date and Digest. The delivery's algorithm must be
// one the key checks (an Ed25519 key checks ed25519 only; an RSA key rsa-pss-sha256 and
// rsa-sha256; an ECDSA key ecdsa-p256), or the one WithWebhookAlgorithm pins. Any failure is a
// *SignatureError (errors.Is(err, ErrSignatureInvalid)); answer it with a 4xx and do not act
// on the body. A public key that does not parse, or does not fit the pinned algorithm, is an
// ErrInvalidArgument.
//
//	ev, err := keygen.ParseWebhook(r, os.Getenv("KEYGEN_PUBLIC_KEY"))
//	if err != nil { http.Error(w, "bad signature", http.StatusBadRequest); return }
//	if ev.Event == keygen.EventLicenseCreated { lic, err := ev.PayloadLicense(); … }
//
// Keygen retries a delivery until it gets a 2xx; use ev.IdempotencyToken to drop repeats.
func ParseWebhook(r *http.Request, publicKey string, opts ...WebhookOption) (*WebhookEvent, error) {
	if r == nil || r.Body == nil {
		return nil, argErr("ParseWebhook", "request has no body")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxWebhookBodySize+1))
	r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("keygen: ParseWebhook: reading body: %w", err)
	}
	target := r.RequestURI
	if !strings.HasPrefix(target, "/") {
		// Not a server request (or an absolute-form target): rebuild it from the URL.
		target = r.URL.RequestURI()
	}
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	return VerifyWebhook(publicKey, WebhookRequest{
		Method: r.Method, Host: host, RequestURI: target, Header: r.Header, Body: body,
	}, opts...)
}

// VerifyWebhook is ParseWebhook for a delivery given in parts (see WebhookRequest).
func VerifyWebhook(publicKey string, req WebhookRequest, opts ...WebhookOption) (*WebhookEvent, error) {
	key, err := parseAccountKey(publicKey)
	if err != nil {
		return nil, fmt.Errorf("%w: VerifyWebhook: %w", ErrInvalidArgument, unprefixed{err})
	}
	cfg := webhookConfig{tolerance: 5 * time.Minute, now: time.Now}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&cfg); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidArgument, err)
		}
	}
	algs := algorithmsFor(key)
	if cfg.algorithm != "" {
		if err := checkAlgorithmFits("WithWebhookAlgorithm", cfg.algorithm, key); err != nil {
			return nil, fmt.Errorf("keygen: %w: %w", ErrInvalidArgument, err)
		}
		algs = []string{cfg.algorithm}
	}
	if len(req.Body) > MaxWebhookBodySize {
		return nil, sigErr("body exceeds %d bytes", MaxWebhookBodySize)
	}
	host, target := cfg.host, cfg.target
	if host == "" {
		host = signedHost(req.Host)
		path, rawQuery, _ := strings.Cut(req.RequestURI, "?")
		target = signedTarget(path, rawQuery)
	}
	if host == "" {
		return nil, sigErr("request has no host")
	}
	path, _, _ := strings.Cut(target, "?")
	call := strings.ToUpper(req.Method) + " " + path
	if err := verifySigned(key, algs, strings.ToLower(req.Method), target, host, call, req.Header, req.Body, cfg.now(), cfg.tolerance); err != nil {
		return nil, err
	}
	// Signed by Keygen from here on; a document we cannot read is a bug, not a forgery.
	doc, err := jsonapi.Parse(req.Body)
	if err != nil {
		return nil, fmt.Errorf("keygen: webhook body: %w", err)
	}
	res, err := doc.One()
	if err != nil {
		return nil, fmt.Errorf("keygen: webhook body: %w", err)
	}
	if res == nil || res.Type != "webhook-events" {
		return nil, errors.New("keygen: webhook body is not a webhook-events document")
	}
	ev, err := decodeAs[WebhookEvent](res)
	if err != nil {
		return nil, fmt.Errorf("keygen: webhook body: %w", err)
	}
	return ev, nil
}

// signedHost drops a port: Keygen signs the endpoint URL's host alone (Ruby's URI#host).
func signedHost(hostport string) string {
	h, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return hostport // no port
	}
	if strings.Contains(h, ":") {
		return "[" + h + "]" // IPv6 keeps its brackets, as URI#host does
	}
	return h
}

// signedTarget is the request target as Keygen signs it: the path ("/" when empty), then
// "?query" only when the query is not empty.
func signedTarget(path, rawQuery string) string {
	if path == "" {
		path = "/"
	}
	if rawQuery != "" {
		return path + "?" + rawQuery
	}
	return path
}
