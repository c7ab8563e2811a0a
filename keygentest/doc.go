// Package keygentest is an in-memory fake of the Keygen licensing API (keygen.sh) for tests.
//
// It serves the real API's wire format over real HTTP on loopback: the same JSON:API
// documents, status codes, error codes and pointers, authentication schemes and permissions,
// pagination links and response signatures, so that code under test cannot tell it apart
// from Keygen for the operations it implements.
//
//	srv := keygentest.NewServer()
//	defer srv.Close()
//	admin := srv.Client() // a *keygen.Client with the admin token, pointed at srv
//	prod, err := admin.Products.Create(ctx, keygen.ProductCreateOptions{Name: "App"})
//
// srv.Client(keygen.WithLicenseKey(key), keygen.WithPublicKey(srv.PublicKey)) is what a
// desktop app holds. Programs in other languages reach the same server over HTTP at srv.URL
// (account srv.AccountID, bearer srv.AdminToken), or run it alone with cmd/keygentest.
//
// The server is written from the real server's behaviour and never shares decoding code
// with the SDK, so a decoding bug in the SDK cannot hide behind the same bug here. Comments
// cite the real server's source by its path in github.com/keygen-sh/keygen-api (app/…,
// config/…, lib/…, features/api/v1/….feature).
//
// # Webhooks and rate limits
//
// Registered webhook endpoints receive signed deliveries of the events that operations
// emit, from background goroutines that Close stops. Keygen accepts only https endpoints
// with a public host; WithInsecureWebhooks (a keygentest-only deviation) also admits
// http:// and loopback URLs so an httptest.Server can receive them. Failing deliveries are
// retried quickly (WithWebhookRetries; 3 retries from 100 ms by default, where Keygen
// retries over days), and Server.WaitWebhooks waits until every queued delivery has
// settled:
//
//	srv := keygentest.NewServer(keygentest.WithInsecureWebhooks())
//	// POST /webhook-endpoints {"url": receiver.URL}, then create a product …
//	_ = srv.WaitWebhooks(ctx) // the receiver has it; the event is DELIVERED or FAILED
//
// WithRateLimit turns on Keygen's generic request throttle (429 TOO_MANY_REQUESTS with
// Retry-After and X-RateLimit-* headers); its windows follow the server clock, so
// Server.Advance starts a fresh one.
//
// # Releases and artifacts
//
// Releases, packages, channels, platforms and arches are served as Keygen CE serves them.
// Artifact files are kept in memory: POST /artifacts answers 307 with an upload URL in
// Location, an absolute URL under /_keygentest/uploads/ that takes a plain PUT of the bytes
// from any HTTP client for an hour of server time, without Keygen authentication (Keygen
// hands out presigned storage URLs the same way). GET /artifacts/{id} then answers 303 to a
// download URL under /_keygentest/downloads/. The bytes stored are bounded by
// WithMaxArtifactBytes (64 MiB by default); an upload past it is a 413 and stores nothing.
//
// CONTRIBUTING.md in the repository describes how keygentest is laid out.
package keygentest
