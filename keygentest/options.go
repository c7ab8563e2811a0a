package keygentest

import "time"

// config collects the options of NewServer.
type config struct {
	addr          string
	slug          string
	adminEmail    string
	adminPassword string
	start         time.Time
	// rateLimit and rateWindow configure the generic request limiter (keygen-api.md §1.10);
	// zero means disabled, like a self-hosted Keygen by default.
	rateLimit  int
	rateWindow time.Duration
}

// Option configures a Server.
type Option func(*config)

func defaultConfig() config {
	return config{
		addr:          "127.0.0.1:0",
		slug:          "keygentest",
		adminEmail:    "admin@keygentest.example",
		adminPassword: "password",
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

// WithRateLimit limits every credential to n requests per window, answering 429 like
// Keygen's generic throttles (keygen-api.md §1.10). Zero n disables limiting (the default).
func WithRateLimit(n int, window time.Duration) Option {
	return func(c *config) { c.rateLimit, c.rateWindow = n, window }
}
