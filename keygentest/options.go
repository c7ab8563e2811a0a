package keygentest

import (
	"net/http"
	"time"
)

// config collects the options of NewServer.
type config struct {
	addr          string
	slug          string
	adminEmail    string
	adminPassword string
	start         time.Time
	// rateLimit and rateWindow configure the generic request limiter
	// (config/initializers/rack_attack.rb); zero means disabled, like a self-hosted Keygen by
	// default.
	rateLimit  int
	rateWindow time.Duration
	// webhook delivery (delivery.go)
	insecureHooks bool
	hookTimeout   time.Duration
	hookRetries   int
	hookBackoff   time.Duration
	hookClient    *http.Client
	// maxArtifactBytes bounds the stored artifact files (WithMaxArtifactBytes).
	maxArtifactBytes int64
}

// Option configures a Server.
type Option func(*config)

func defaultConfig() config {
	return config{
		addr:          "127.0.0.1:0",
		slug:          "keygentest",
		adminEmail:    "admin@keygentest.example",
		adminPassword: "password",
		hookTimeout:   defaultHookTimeout,
		hookRetries:   defaultHookRetries,
		hookBackoff:   defaultHookBackoff,
	}
}

// WithAddr sets the loopback address to listen on (default "127.0.0.1:0", a free port).
func WithAddr(addr string) Option { return func(c *config) { c.addr = addr } }

// WithAccountSlug sets the account's slug, usable in paths instead of its UUID
// (default "keygentest").
func WithAccountSlug(slug string) Option { return func(c *config) { c.slug = slug } }

// WithAdmin sets the email and password of the account's admin user
// (default "admin@keygentest.example" / "password").
func WithAdmin(email, password string) Option {
	return func(c *config) { c.adminEmail, c.adminPassword = email, password }
}

// WithStartTime sets the server clock's starting time. The clock then runs with the wall
// clock and jumps with Server.Advance.
func WithStartTime(t time.Time) Option { return func(c *config) { c.start = t } }

// WithRateLimit limits every credential to n requests per window, answering 429 like Keygen's
// generic throttles (config/initializers/rack_attack.rb). Zero n disables limiting (the
// default).
func WithRateLimit(n int, window time.Duration) Option {
	return func(c *config) { c.rateLimit, c.rateWindow = n, window }
}

// WithInsecureWebhooks lets webhook endpoints use http:// URLs and loopback or IP hosts
// (http://127.0.0.1:8080/hook), so tests can receive deliveries with a plain
// httptest.Server. This is a keygentest-only deviation: by default, like Keygen, endpoint
// URLs must be https with a public host name (app/models/webhook_endpoint.rb).
func WithInsecureWebhooks() Option { return func(c *config) { c.insecureHooks = true } }

// WithWebhookTimeout sets the timeout of one webhook delivery attempt (default 15 s, as
// Keygen's open/read/write timeouts).
func WithWebhookTimeout(d time.Duration) Option { return func(c *config) { c.hookTimeout = d } }

// WithWebhookRetries sets how often a failing delivery is retried and the first backoff,
// which doubles on every retry. The default, 3 retries from 100 ms, is a keygentest
// deviation: Keygen retries 15 times over days. Zero retries fails an event on its first
// non-2xx answer.
func WithWebhookRetries(retries int, backoff time.Duration) Option {
	return func(c *config) { c.hookRetries, c.hookBackoff = retries, backoff }
}

// WithWebhookHTTPClient sets the HTTP client that delivers webhooks, e.g. the Client() of an
// httptest.NewTLSServer so https receivers with a test certificate can be used. The
// per-attempt timeout still applies.
func WithWebhookHTTPClient(hc *http.Client) Option { return func(c *config) { c.hookClient = hc } }
