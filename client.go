package keygen

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/licensekit/keygen/internal/jsonapi"
)

// Version is this SDK's version; it is sent in the User-Agent header.
const Version = "0.1.0"

const (
	// DefaultBaseURL is Keygen Cloud's API host.
	DefaultBaseURL = "https://api.keygen.sh"
	// DefaultAPIVersion is the Keygen API version this SDK speaks and always sends, so that an
	// account pinned to an older version does not change the documents under our feet.
	DefaultAPIVersion = "1.8"

	mediaType = "application/vnd.api+json"
	// maxBodySize bounds how much of a response we read: Keygen documents are small, and a
	// misbehaving proxy must not make us buffer gigabytes.
	maxBodySize = 16 << 20
	// maxErrorBodySize bounds error bodies further; an error page is never large.
	maxErrorBodySize = 1 << 20
)

// Client is a Keygen API client for one account. It is safe for concurrent use.
type Client struct {
	Tokens        *TokensService
	Products      *ProductsService
	Policies      *PoliciesService
	Users         *UsersService
	Licenses      *LicensesService
	Machines      *MachinesService
	Keys          *KeysService
	Webhooks      *WebhooksService
	WebhookEvents *WebhookEventsService
	Profile       *ProfileService

	cfg  config
	http *retryablehttp.Client
}

// service is the shared base of every resource service.
type service struct{ c *Client }

type config struct {
	account      string
	base         string // scheme://host[/prefix], no trailing slash
	token        string
	licenseKey   string
	httpClient   *http.Client
	userAgent    string
	apiVersion   string
	environment  string
	retry        RetryPolicy
	logger       *slog.Logger
	publicKey    ed25519.PublicKey
	maxClockSkew time.Duration
	now          func() time.Time
}

// Option configures a Client. Options return an error for bad input; NewClient reports it.
type Option func(*config) error

// WithToken authenticates every request with a bearer token (admin, environment, product, user
// or license token).
func WithToken(token string) Option {
	return func(c *config) error {
		if strings.TrimSpace(token) == "" {
			return errors.New("WithToken: token is empty")
		}
		if hasControl(token) {
			// Never echo the value: it is a secret.
			return errors.New("WithToken: token contains control characters")
		}
		c.token = token
		return nil
	}
}

// WithLicenseKey authenticates with "Authorization: License <key>". Keygen accepts it only when
// the license's policy has authenticationStrategy LICENSE or MIXED.
func WithLicenseKey(key string) Option {
	return func(c *config) error {
		if strings.TrimSpace(key) == "" {
			return errors.New("WithLicenseKey: license key is empty")
		}
		if hasControl(key) {
			return errors.New("WithLicenseKey: license key contains control characters")
		}
		c.licenseKey = key
		return nil
	}
}

// hasControl reports characters that cannot appear in a header value (CR and LF would split
// the header; Go's transport refuses the rest only when the request is sent).
func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

// WithBaseURL points the client at another host: a self-hosted Keygen, or a local keygentest
// server. A path prefix is kept ("https://example.com/keygen" serves /keygen/v1/...).
func WithBaseURL(rawURL string) Option {
	return func(c *config) error {
		u, err := url.Parse(rawURL)
		if err != nil {
			// url.Parse's error repeats the URL, which may hold credentials.
			return errors.New("WithBaseURL: not a valid URL")
		}
		if u.User != nil {
			// Credentials in the URL would reach logs and error strings; use WithToken.
			return errors.New("WithBaseURL: the URL must not carry user info")
		}
		if u.Scheme != "http" && u.Scheme != "https" {
			return fmt.Errorf("WithBaseURL: scheme must be http or https, got %q", u.Scheme)
		}
		if u.Host == "" {
			return errors.New("WithBaseURL: the URL has no host")
		}
		if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
			// Not repeated: a query is where a misplaced ?token= would sit.
			return errors.New("WithBaseURL: the URL must not have a query or fragment")
		}
		c.base = strings.TrimRight(u.String(), "/")
		return nil
	}
}

// WithHTTPClient sends requests through hc (its Transport, Timeout, Jar…). Retries wrap it.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return errors.New("WithHTTPClient: client is nil")
		}
		c.httpClient = hc
		return nil
	}
}

// WithUserAgent appends ua to the SDK's own User-Agent, e.g. "my-app/1.2".
func WithUserAgent(ua string) Option {
	return func(c *config) error {
		if hasControl(ua) {
			return errors.New("WithUserAgent: user agent contains control characters")
		}
		c.userAgent = strings.TrimSpace(ua)
		return nil
	}
}

// WithAPIVersion sets the Keygen-Version header (default "1.8"). The SDK's models follow 1.8;
// older versions rename some attributes and codes.
func WithAPIVersion(v string) Option {
	return func(c *config) error {
		v = strings.TrimPrefix(strings.TrimSpace(v), "v")
		major, minor, ok := strings.Cut(v, ".")
		if !ok || major != "1" || len(minor) != 1 || minor[0] < '0' || minor[0] > '8' {
			return fmt.Errorf("WithAPIVersion: unsupported version %q (Keygen serves 1.0 to 1.8)", v)
		}
		c.apiVersion = v
		return nil
	}
}

// WithEnvironment selects a Keygen environment (Enterprise) by code or id.
func WithEnvironment(env string) Option {
	return func(c *config) error {
		if strings.TrimSpace(env) == "" || hasControl(env) {
			return errors.New("WithEnvironment: environment is empty or invalid")
		}
		c.environment = env
		return nil
	}
}

// WithLogger logs each answered request (method, path, status, attempts, duration) at debug
// level, API errors included, and requests that got no answer at warn level. Credentials and
// query strings are never logged. nil keeps it silent.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		c.logger = l
		return nil
	}
}

// WithPublicKey turns on response signature checks with the account's Ed25519 public key (the
// 64 hex characters shown in the dashboard). Every response must then carry a valid Digest and
// Keygen-Signature and a Date within WithClockSkew of now, or the call fails with
// ErrSignatureInvalid; license validations also send a random nonce that the signed answer
// must echo, so an old answer cannot be replayed.
func WithPublicKey(hexKey string) Option {
	return func(c *config) error {
		k, err := ParsePublicKey(hexKey)
		if err != nil {
			return fmt.Errorf("WithPublicKey: %w", err)
		}
		c.publicKey = k
		return nil
	}
}

// WithClockSkew sets how far a signed response's Date may be from the local clock (default 5
// minutes) before it is rejected as stale or forged.
func WithClockSkew(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return errors.New("WithClockSkew: tolerance must be positive")
		}
		c.maxClockSkew = d
		return nil
	}
}

// ParsePublicKey decodes an Ed25519 public key given as 64 hex characters, as Keygen shows it.
func ParsePublicKey(hexKey string) (ed25519.PublicKey, error) {
	hexKey = strings.TrimSpace(hexKey)
	b, err := hex.DecodeString(hexKey)
	if err != nil || len(b) != ed25519.PublicKeySize {
		// Keygen's account JSON carries the key as base64 of the hex text; accept that too.
		if dec, err2 := base64.StdEncoding.DecodeString(hexKey); err2 == nil {
			if b2, err3 := hex.DecodeString(string(dec)); err3 == nil && len(b2) == ed25519.PublicKeySize {
				return ed25519.PublicKey(b2), nil
			}
		}
		return nil, errors.New("public key must be 64 hex characters (an Ed25519 key)")
	}
	return ed25519.PublicKey(b), nil
}

// NewClient returns a client for account (its id or slug). It does no network I/O.
func NewClient(account string, opts ...Option) (*Client, error) {
	account = strings.TrimSpace(account)
	if account == "" {
		return nil, fmt.Errorf("keygen: NewClient: account is empty: %w", ErrInvalidArgument)
	}
	if strings.ContainsAny(account, "/?#") {
		return nil, fmt.Errorf("keygen: NewClient: account %q is not an id or slug: %w", account, ErrInvalidArgument)
	}
	cfg := config{
		account:      account,
		base:         DefaultBaseURL,
		apiVersion:   DefaultAPIVersion,
		retry:        DefaultRetryPolicy(),
		maxClockSkew: 5 * time.Minute,
		now:          time.Now,
	}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&cfg); err != nil {
			return nil, fmt.Errorf("keygen: %w: %w", ErrInvalidArgument, err)
		}
	}
	if cfg.token != "" && cfg.licenseKey != "" {
		return nil, fmt.Errorf("keygen: WithToken and WithLicenseKey are exclusive: %w", ErrInvalidArgument)
	}
	if cfg.httpClient == nil {
		cfg.httpClient = &http.Client{Timeout: 60 * time.Second}
	}
	c := &Client{cfg: cfg}
	c.http = newRetryClient(cfg.httpClient, cfg.retry)
	s := service{c: c}
	c.Tokens = &TokensService{s}
	c.Products = &ProductsService{s}
	c.Policies = &PoliciesService{s}
	c.Users = &UsersService{s}
	c.Licenses = &LicensesService{s}
	c.Machines = &MachinesService{s}
	c.Keys = &KeysService{s}
	c.Webhooks = &WebhooksService{s}
	c.WebhookEvents = &WebhookEventsService{s}
	c.Profile = &ProfileService{s}
	return c, nil
}

// Account returns the account id or slug the client was made for.
func (c *Client) Account() string { return c.cfg.account }

// verifyingKey is the account key given with WithPublicKey, nil without it. The desktop
// guard needs it to open machine files with the same key that verifies the answers.
func (c *Client) verifyingKey() ed25519.PublicKey { return c.cfg.publicKey }

// request is one API call before it is sent.
type request struct {
	method string
	path   string // below /v1/accounts/{account}, starting with "/"
	query  string // already encoded, without "?"
	body   any    // marshalled as JSON when non-nil; []byte is sent as is
	// basicAuth replaces the client's credentials (token generation with email and password).
	basicUser, basicPass string
	// noAuth sends no credentials (validate-key, password reset: anyone may call them).
	noAuth bool
	// accept overrides the Accept header (raw license file download).
	accept string
	// nonIdempotent marks a request that must not be repeated once it may have reached the
	// server although its method is DELETE or PUT (popping a key from a policy's pool: a
	// second pop would lose the first key). It is then retried only like a POST.
	nonIdempotent bool
}

// response is a received answer whose body was read in full and, when asked, verified.
type response struct {
	status int
	header http.Header
	body   []byte
	req    *http.Request
	// call names the request in error strings ("GET /v1/accounts/…/licenses/[REDACTED]"):
	// req.URL.Path itself may hold a license key used as an id.
	call string
}

// errorf wraps err with the request it is about.
func (r *response) errorf(err error) error { return fmt.Errorf("keygen: %s: %w", r.call, err) }

// doc parses the body as a JSON:API document.
func (r *response) doc() (*jsonapi.Document, error) {
	d, err := jsonapi.Parse(r.body)
	if err != nil {
		return nil, fmt.Errorf("keygen: decoding %s response: %w", r.call, err)
	}
	return d, nil
}

func (c *Client) url(r *request) string {
	return c.cfg.base + "/v1/accounts/" + url.PathEscape(c.cfg.account) + r.path + queryPart(r.query)
}

func queryPart(q string) string {
	if q == "" {
		return ""
	}
	return "?" + q
}

// do sends r, retrying per the client's policy, and returns the answer for 2xx statuses. Any
// other status becomes a *Error (or *RateLimitError). With WithPublicKey set, the answer's
// signature is checked before anything of it is trusted, error answers included.
func (c *Client) do(ctx context.Context, r *request) (*response, error) {
	if ctx == nil {
		return nil, fmt.Errorf("keygen: nil context: %w", ErrInvalidArgument)
	}
	if err := ctx.Err(); err != nil {
		// Not every transport checks ctx before sending (mocks, custom RoundTrippers).
		return nil, fmt.Errorf("keygen: %s %s: %w", r.method, c.redact(r.path), err)
	}
	var body io.Reader
	var raw []byte
	switch b := r.body.(type) {
	case nil:
	case []byte:
		raw = b
	default:
		var err error
		if raw, err = marshalJSON(b); err != nil {
			return nil, fmt.Errorf("keygen: encoding request body: %w", err)
		}
	}
	if raw != nil {
		body = bytes.NewReader(raw)
	}
	attempts := new(int)
	ctx = withRetryState(ctx, r.method, !r.nonIdempotent, attempts)
	req, err := retryablehttp.NewRequestWithContext(ctx, r.method, c.url(r), body)
	if err != nil {
		return nil, fmt.Errorf("keygen: building request: %w", err)
	}
	c.setHeaders(req.Request, r, raw != nil)

	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		err = c.scrubURLError(err, r)
		c.log(ctx, slog.LevelWarn, "keygen request failed", r, 0, *attempts, start, err)
		if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
			return nil, fmt.Errorf("keygen: %s %s: %w", r.method, c.redact(r.path), ctxErr)
		}
		return nil, &TransportError{Method: r.method, Path: c.redact(r.path), Attempts: *attempts, Err: err}
	}
	defer resp.Body.Close()

	limit := int64(maxBodySize)
	if resp.StatusCode >= 300 {
		limit = maxErrorBodySize
	}
	data, readErr := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	truncated := int64(len(data)) > limit
	if truncated {
		data = data[:limit]
	}
	out := &response{status: resp.StatusCode, header: resp.Header, body: data, req: resp.Request}
	if out.req == nil {
		out.req = req.Request
	}
	out.call = out.req.Method + " " + c.redact(out.req.URL.Path)
	c.log(ctx, slog.LevelDebug, "keygen request", r, resp.StatusCode, *attempts, start, nil)

	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if readErr != nil {
			return nil, &TransportError{Method: r.method, Path: c.redact(r.path), Attempts: *attempts, Err: fmt.Errorf("reading response body: %w", readErr)}
		}
		if truncated {
			return nil, fmt.Errorf("keygen: %s %s: response body exceeds %d bytes", r.method, c.redact(r.path), limit)
		}
	}
	unverified := false
	if c.cfg.publicKey != nil {
		switch {
		case isUnsignedRackError(resp.StatusCode, resp.Header):
			// Keygen answers some errors before it knows the account, unsigned by design.
			// Anyone on the path could have written this one: it stays an error, marked so
			// that nobody acts on it as on a signed answer (see Error.Unverified).
			unverified = true
		case truncated || readErr != nil:
			// A body we could not read whole cannot be checked against its digest, and an
			// answer that cannot be checked is never reported as the server's.
			return nil, sigErr("%s: answer body unreadable or over %d bytes, cannot be verified", out.call, limit)
		default:
			// Verify against the request this client made, not resp.Request: after a redirect
			// that is another request, and a forged redirect would get a genuine answer for
			// another resource (another license's valid validation, nonce included) accepted
			// as ours. Any status is checked: 3xx, 4xx and 5xx answers alike.
			if err := verifyResponse(c.cfg.publicKey, req.Request, out.call, resp.Header, data, c.cfg.now(), c.cfg.maxClockSkew); err != nil {
				return nil, err
			}
		}
	}
	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		err := c.newError(out, *attempts)
		if unverified {
			markUnverified(err)
		}
		return nil, err
	}
	return out, nil
}

// newError builds the *Error of a non-2xx answer, with the client's credentials kept out of
// its path.
func (c *Client) newError(r *response, attempts int) error {
	err := newError(r, attempts)
	var e *Error
	if errors.As(err, &e) {
		// Keygen's 404 detail echoes the id it was given ("The requested license '<key>' was
		// not found"): scrub any license key alias of the path from the error objects too.
		aliases := licenseAliases(e.Path)
		e.Path = c.redact(e.Path)
		for i := range e.Errors {
			e.Errors[i].Detail = c.redact(e.Errors[i].Detail, aliases...)
		}
	}
	return err
}

// licenseAliases returns the license keys used in place of an id in path
// (GET /licenses/{key}): any segment after "licenses" that is not a UUID nor "actions".
func licenseAliases(path string) []string {
	var out []string
	segs := strings.Split(path, "/")
	for i := 1; i < len(segs); i++ {
		if segs[i-1] == "licenses" && segs[i] != "" && segs[i] != "actions" && !isUUID(segs[i]) {
			out = append(out, segs[i])
		}
	}
	return out
}

// redact hides credentials in text bound for logs and error strings: the client's own token
// and license key, any license key used as an id alias in s itself, and the extra secrets,
// each in every spelling a path or a detail may hold: as given, escaped and unescaped.
func (c *Client) redact(s string, extra ...string) string {
	secrets := append(licenseAliases(s), extra...)
	secrets = append(secrets, c.cfg.token, c.cfg.licenseKey)
	for _, secret := range secrets {
		if secret == "" {
			continue
		}
		s = strings.ReplaceAll(s, secret, "[REDACTED]")
		if esc := url.PathEscape(secret); esc != secret {
			s = strings.ReplaceAll(s, esc, "[REDACTED]")
		}
		if unesc, err := url.PathUnescape(secret); err == nil && unesc != secret {
			s = strings.ReplaceAll(s, unesc, "[REDACTED]")
		}
	}
	return s
}

// isUUID reports the 8-4-4-4-12 hex form Keygen uses for ids.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
				return false
			}
		}
	}
	return true
}

// scrubURLError rewrites the URL that net/http puts in its transport errors (Get
// "https://…?key=…": dial tcp …): the query may hold filters with a license key or
// personal data, so only scheme, host and the redacted path remain.
func (c *Client) scrubURLError(err error, r *request) error {
	ue, ok := err.(*url.Error)
	if !ok {
		return err
	}
	return &url.Error{Op: ue.Op, URL: c.redact(c.cfg.base + "/v1/accounts/" + url.PathEscape(c.cfg.account) + r.path), Err: ue.Err}
}

// isUnsignedRackError reports answers that Keygen sends before the account is resolved (rate
// limits from Rack::Attack, malformed requests, routing errors): they carry no signature by
// design (keygen-sh/keygen-api, config/initializers/rack_attack.rb and the signature
// middleware that only signs resolved accounts). They stay errors, marked Unverified, so a
// forgery of one can delay a call but never turn into a success or a signed verdict.
func isUnsignedRackError(status int, h http.Header) bool {
	if status < 400 {
		return false
	}
	return h.Get("Keygen-Signature") == "" && h.Get("Digest") == ""
}

func (c *Client) setHeaders(h *http.Request, r *request, hasBody bool) {
	accept := r.accept
	if accept == "" {
		accept = mediaType
	}
	h.Header.Set("Accept", accept)
	if hasBody {
		h.Header.Set("Content-Type", mediaType)
	}
	h.Header.Set("Keygen-Version", c.cfg.apiVersion)
	ua := "licensekit-keygen-go/" + Version
	if c.cfg.userAgent != "" {
		ua += " " + c.cfg.userAgent
	}
	h.Header.Set("User-Agent", ua)
	if c.cfg.environment != "" {
		h.Header.Set("Keygen-Environment", c.cfg.environment)
	}
	switch {
	case r.basicUser != "" || r.basicPass != "":
		h.SetBasicAuth(r.basicUser, r.basicPass)
	case r.noAuth:
	case c.cfg.token != "":
		h.Header.Set("Authorization", "Bearer "+c.cfg.token)
	case c.cfg.licenseKey != "":
		h.Header.Set("Authorization", "License "+c.cfg.licenseKey)
	}
}

func (c *Client) log(ctx context.Context, level slog.Level, msg string, r *request, status, attempts int, start time.Time, err error) {
	l := c.cfg.logger
	if l == nil || !l.Enabled(ctx, level) {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", r.method),
		slog.String("path", c.redact(r.path)), // never the query: it may hold filters with personal data
		slog.Int("attempts", attempts),
		slog.Duration("duration", time.Since(start)),
	}
	if status != 0 {
		attrs = append(attrs, slog.Int("status", status))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	l.LogAttrs(ctx, level, msg, attrs...)
}

// pathf builds a path below the account, escaping every argument as one path segment. It
// rejects empty values so that "/licenses/" + "" never lists licenses by accident.
func pathf(format string, args ...string) (string, error) {
	esc := make([]any, len(args))
	for i, a := range args {
		if strings.TrimSpace(a) == "" {
			return "", fmt.Errorf("keygen: empty id: %w", ErrInvalidArgument)
		}
		if strings.Contains(a, "/") {
			// Keygen cannot route a segment holding "/". The usual culprit is a signed
			// license key used as an alias: a secret, so the value is not repeated here.
			return "", fmt.Errorf("keygen: an id containing '/' (a signed license key?) cannot be used in a path: use the resource's id: %w", ErrInvalidArgument)
		}
		esc[i] = url.PathEscape(a)
	}
	return fmt.Sprintf(format, esc...), nil
}

// marshalJSON encodes a request body without HTML escaping, so URLs keep their "&".
func marshalJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}
