package keygen

import (
	"crypto"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/licensekit/keygen/internal/retry"
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
	Entitlements  *EntitlementsService
	Groups        *GroupsService
	Components    *ComponentsService
	Processes     *ProcessesService
	Keys          *KeysService
	Webhooks      *WebhooksService
	WebhookEvents *WebhookEventsService
	Profile       *ProfileService
	Releases      *ReleasesService
	Artifacts     *ArtifactsService
	Packages      *PackagesService
	Channels      *ChannelsService
	Platforms     *PlatformsService
	Arches        *ArchesService

	cfg    config
	http   *retryablehttp.Client
	budget *retry.Budget
}

// service is the shared base of every resource service.
type service struct{ c *Client }

type config struct {
	account     string
	base        string // scheme://host[/prefix], no trailing slash
	token       string
	licenseKey  string
	httpClient  *http.Client
	callTimeout time.Duration // deadline of a call whose ctx has none; 0: none
	userAgent   string
	apiVersion  string
	environment string
	retry       RetryPolicy
	logger      *slog.Logger
	publicKey   crypto.PublicKey // Ed25519, RSA or ECDSA P-256; nil: no signature checks
	// publicKeyText is the key as given, for the desktop guard's machine files.
	publicKeyText string
	maxClockSkew  time.Duration
	now           func() time.Time

	// signatureAlgorithm is asked for with Keygen-Accept-Signature and required of every
	// answer; NewClient derives it from publicKey when WithSignatureAlgorithm is not given.
	signatureAlgorithm string
}

// Option configures a Client. Options return an error for bad input; NewClient reports it.
type Option func(*config) error

// WithToken authenticates every request with a bearer token (admin, environment, product, user
// or license token). Keygen's tokens read "<kind>-<hex>v3" (admin-…v3, prod-…v3, activ-…v3;
// Token#generate! in keygen-api's app/models/token.rb).
// A license key given here is refused with a hint to use WithLicenseKey: sent as a bearer
// token it would only get 401s.
func WithToken(token string) Option {
	return func(c *config) error {
		if strings.TrimSpace(token) == "" {
			return errors.New("WithToken: token is empty")
		}
		if hasControl(token) {
			// Never echo the value: it is a secret.
			return errors.New("WithToken: token contains control characters")
		}
		if looksLikeLicenseKey(token) {
			// Not repeated either: a license key is a secret too.
			return errors.New("WithToken: the value looks like a license key, not an API token: use WithLicenseKey")
		}
		c.token = token
		return nil
	}
}

// defaultKeyRE is the shape of Keygen's default (unsigned) license keys: 16 random bytes in
// hex, the last two characters replaced by the algorithm version, cut in groups of 6 and
// upcased, e.g. C1B6DE-39A6E3-DE1529-8559A0-4AF593-V3 (generate_unencrypted_key! in
// keygen-api's app/models/license.rb, with generate_token of app/models/concerns/tokenable.rb).
var defaultKeyRE = regexp.MustCompile(`(?i)^[0-9a-f]{6}(-[0-9a-f]{6}){4}-v[0-9]$`)

// looksLikeLicenseKey reports the two license key shapes no token can have: a signed key
// ("key/<dataset>.<signature>", the signing data of app/models/license.rb's signed schemes) and
// the default key format. Any other shape is let through: a self-hosted Keygen, or keys
// created with a custom value, may differ, and Keygen itself is the judge of a token.
func looksLikeLicenseKey(s string) bool {
	s = strings.TrimSpace(s)
	return strings.HasPrefix(s, "key/") || defaultKeyRE.MatchString(s)
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
// server (srv.URL). A path prefix is kept ("https://example.com/keygen" serves
// /keygen/v1/...). A trailing "/v1" (or "/v1/") is dropped, so the API root as Keygen's
// documentation writes it, "https://keygen.example.com/v1", works too: the client adds
// /v1/accounts/{account} itself, and would otherwise ask for /v1/v1/accounts/….
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
		// Every route sits under the "v1" namespace (keygen-api's config/routes.rb), which the
		// client prefixes to each path; a base that already ends in it would be doubled.
		c.base = strings.TrimSuffix(strings.TrimRight(u.String(), "/"), "/v1")
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

// WithTimeout bounds every call, retries and backoff waits included, when its context has no
// deadline of its own (a context's deadline always wins). Zero means no bound. A client made
// without WithHTTPClient defaults to DefaultCallTimeout (30s) per call and
// DefaultAttemptTimeout (10s) per attempt, so a server that accepts and never answers costs a
// desktop app 30 seconds at most; a client given its own *http.Client keeps that client's
// Timeout per attempt and has no call bound unless set here.
func WithTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return errors.New("WithTimeout: negative duration")
		}
		c.callTimeout = d
		if d == 0 {
			c.callTimeout = -1 // explicitly none, not "take the default"
		}
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

// WithPublicKey turns on response signature checks with the account's public key, in any
// form Keygen shows it: the Ed25519 key as 64 hex characters (the dashboard), or the RSA 2048
// or ECDSA P-256 key as PEM; or base64 of any of these, as the account document's
// meta.keys carries them. Every response must then carry a valid Digest and Keygen-Signature
// made with the signature algorithm (see WithSignatureAlgorithm) and a Date within
// WithClockSkew of now, or the call fails with ErrSignatureInvalid; license validations also
// send a random nonce that the signed answer must echo, so an old answer cannot be replayed.
// A key that does not parse is an error wrapping ErrInvalidPublicKey.
func WithPublicKey(key string) Option {
	return func(c *config) error {
		k, err := parseAccountKey(key)
		if err != nil {
			return fmt.Errorf("WithPublicKey: %w", unprefixed{err})
		}
		c.publicKey, c.publicKeyText = k, key
		return nil
	}
}

// WithSignatureAlgorithm picks the algorithm Keygen signs answers with: "ed25519",
// "rsa-pss-sha256", "rsa-sha256" or "ecdsa-p256". The client asks for it on every request
// (Keygen-Accept-Signature) and refuses an answer signed with any other, so that nobody in
// between can pick the check. It needs WithPublicKey with a key of the matching type: the
// Ed25519 key for ed25519, the RSA key for both RSA algorithms, the ECDSA key for ecdsa-p256.
//
// Without it the algorithm follows the key: ed25519 for an Ed25519 key (Keygen's default),
// rsa-pss-sha256 for an RSA key (PSS rather than PKCS#1 v1.5: randomised padding with a
// security proof), ecdsa-p256 for an ECDSA key.
func WithSignatureAlgorithm(alg string) Option {
	return func(c *config) error {
		if !isSignatureAlgorithm(alg) {
			return fmt.Errorf("WithSignatureAlgorithm: unsupported algorithm %q (want ed25519, rsa-pss-sha256, rsa-sha256 or ecdsa-p256)", alg)
		}
		c.signatureAlgorithm = alg
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

// ParsePublicKey decodes an Ed25519 public key given as 64 hex characters, as Keygen shows it,
// or as base64 of those characters, as the account document carries it. WithPublicKey and
// ParseWebhook also take the account's RSA and ECDSA keys.
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
		return nil, argErr("NewClient", "account is empty")
	}
	if strings.ContainsAny(account, "/?#") {
		return nil, argErr("NewClient", fmt.Sprintf("account %q is not an id or slug", account))
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
			// Option errors carry no prefix of their own ("WithToken: token is empty").
			return nil, fmt.Errorf("%w: %w", ErrInvalidArgument, err)
		}
	}
	if cfg.token != "" && cfg.licenseKey != "" {
		return nil, argErr("NewClient", "WithToken and WithLicenseKey are exclusive")
	}
	if err := cfg.resolveSignatureAlgorithm(); err != nil {
		return nil, fmt.Errorf("keygen: %w: %w", ErrInvalidArgument, err)
	}
	if cfg.httpClient == nil {
		cfg.httpClient = &http.Client{Transport: newTransport(), Timeout: DefaultAttemptTimeout}
		if cfg.callTimeout == 0 {
			cfg.callTimeout = DefaultCallTimeout
		}
	}
	c := &Client{cfg: cfg, budget: retry.NewBudget(max(cfg.retry.Budget, 0))}
	if cfg.retry.MaxRetries == 0 {
		c.budget = nil
	}
	c.http = newRetryClient(cfg.httpClient, cfg.retry)
	s := service{c: c}
	c.Tokens = &TokensService{s}
	c.Products = &ProductsService{s}
	c.Policies = &PoliciesService{s}
	c.Users = &UsersService{s}
	c.Licenses = &LicensesService{s}
	c.Machines = &MachinesService{s}
	c.Entitlements = &EntitlementsService{s}
	c.Groups = &GroupsService{s}
	c.Components = &ComponentsService{s}
	c.Processes = &ProcessesService{s}
	c.Keys = &KeysService{s}
	c.Webhooks = &WebhooksService{s}
	c.WebhookEvents = &WebhookEventsService{s}
	c.Profile = &ProfileService{s}
	c.Releases = &ReleasesService{s}
	c.Artifacts = &ArtifactsService{s}
	c.Packages = &PackagesService{s}
	c.Channels = &ChannelsService{s}
	c.Platforms = &PlatformsService{s}
	c.Arches = &ArchesService{s}
	return c, nil
}

// Account returns the account id or slug the client was made for.
func (c *Client) Account() string { return c.cfg.account }

// verifyingKey is the account key as given to WithPublicKey, "" without it. The desktop
// guard opens machine files with the same key that verifies the answers.
func (c *Client) verifyingKey() string { return c.cfg.publicKeyText }
