package keygentest

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// Server is an in-memory Keygen API listening on loopback. It is safe for concurrent use.
type Server struct {
	// URL is the base URL, e.g. "http://127.0.0.1:41234" (API paths start with /v1).
	URL string
	// AccountID is the UUID of the one account; AccountSlug may be used in paths instead.
	AccountID   string
	AccountSlug string
	// AdminToken is an admin-token of the account's admin user (no expiry).
	AdminToken string
	// AdminEmail and AdminPassword log the admin in with POST /tokens.
	AdminEmail    string
	AdminPassword string
	// PublicKey is the hex Ed25519 public key that verifies response signatures.
	PublicKey string

	cfg    config
	clock  *clock
	router *router
	ln     net.Listener
	http   *http.Server

	// hooks delivers webhook events in the background (delivery.go); limiter counts
	// requests for WithRateLimit (ratelimit.go).
	hooks   *deliverer
	limiter *limiter

	// mu guards db; every handler runs with it held.
	mu sync.Mutex
	db *store
}

// NewServer starts a server with one account and its admin user. Like httptest.NewServer
// it panics when it cannot listen; use Start to get the error instead.
func NewServer(opts ...Option) *Server {
	s, err := Start(opts...)
	if err != nil {
		panic("keygentest: " + err.Error())
	}
	return s
}

// Start is NewServer returning an error instead of panicking when it cannot listen.
func Start(opts ...Option) (*Server, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.slug == "" || isUUID(cfg.slug) {
		return nil, errors.New("account slug must be non-empty and not a UUID")
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", cfg.addr, err)
	}
	s := &Server{cfg: cfg, clock: newClock(cfg.start), db: newStore(), ln: ln, router: &router{}}
	s.hooks = newDeliverer(s, cfg)
	s.limiter = newLimiter(cfg.rateLimit, cfg.rateWindow)
	s.routes()
	if err := s.seed(); err != nil {
		ln.Close()
		return nil, err
	}
	s.URL = "http://" + ln.Addr().String()
	s.http = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.http.Serve(ln) }()
	return s, nil
}

// seed creates the account, its signing key, its admin user and the admin's token.
func (s *Server) seed() error {
	now := s.clock.now()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	acct := &account{base: newBase("", now), Slug: lower(s.cfg.slug), Name: s.cfg.slug, APIVersion: "1.8", PrivateKey: priv}
	acct.AccountID = acct.ID
	s.db.accounts[acct.ID] = acct

	admin := &user{base: newBase(acct.ID, now), Email: lower(s.cfg.adminEmail), Role: "admin", Metadata: map[string]any{}}
	if s.cfg.adminPassword != "" {
		admin.Password = hashPassword(s.cfg.adminPassword)
	}
	s.db.users[admin.ID] = admin

	tok, secret := newToken(acct.ID, now, "users", admin.ID, "admin-token")
	s.db.putToken(tok)

	s.AccountID, s.AccountSlug = acct.ID, acct.Slug
	s.AdminEmail, s.AdminPassword = admin.Email, s.cfg.adminPassword
	s.AdminToken = secret
	s.PublicKey = hex.EncodeToString(pub)
	return nil
}

// Close shuts the server down, closing open connections and stopping webhook deliveries
// (in-flight ones are cancelled; no goroutine outlives Close).
func (s *Server) Close() {
	if s.http != nil {
		_ = s.http.Close()
	}
	if s.hooks != nil {
		s.hooks.close()
	}
}

// Advance moves the server clock forward by d, so expiries, check-in deadlines and
// heartbeats can be tested without sleeping.
func (s *Server) Advance(d time.Duration) {
	s.clock.advance(d)
}

// Now returns the server clock's current time.
func (s *Server) Now() time.Time { return s.clock.now() }
