// Package keygentest is an in-memory fake of the Keygen licensing API (keygen.sh) for tests.
//
// It serves the real API's wire format over real HTTP on loopback: the same JSON:API
// documents, status codes, error codes and pointers, authentication schemes and permissions,
// pagination links and response signatures, so that code under test cannot tell it apart
// from Keygen for the operations it implements.
//
//	srv := keygentest.NewServer()
//	defer srv.Close()
//	req, _ := http.NewRequest("GET", srv.URL+"/v1/accounts/"+srv.AccountID+"/products", nil)
//	req.Header.Set("Authorization", "Bearer "+srv.AdminToken)
//	res, _ := http.DefaultClient.Do(req)
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
// # Layout for contributors
//
// Every resource lives in one file named after it (tokens.go, products.go, policies.go,
// keys.go, users.go, licenses.go, machines.go, webhooks.go, …), or in a family of files
// sharing its prefix (licenses_actions.go, licenses_validation.go, machines_heartbeat.go,
// users_relationships.go, …). The main file holds the resource's model, its store finders
// (store.findX), its visibility rule (c.seesX), its renderer (view.x), its routes (a routeX
// method) and its handlers. Adding a resource is one new file plus one line in the route
// registry (resourceRoutes in router.go).
//
// The other files know no resource: the dispatch pipeline (call.go), the router
// (router.go), answers (respond.go), documents (render.go), typed parameters (params.go),
// key casing (casing.go), Ruby's JSON quirks (rubyjson.go), errors (errors.go),
// authentication (auth.go), the permission engine (permissions.go), the store (store.go),
// the account and its keys (account.go), webhook events and their delivery (events.go,
// delivery.go), response signatures (signing.go), the clock (clock.go), pagination
// (pagination.go), list filters (filters.go), rate limits (ratelimit.go), secrets
// (secrets.go) and small shared helpers (helpers.go).
//
// Handlers run with the store mutex held (see call.go), read the clock with c.now(), parse
// bodies with c.parse and a schema, find resources with the store's finders, check
// visibility and permissions, raise errors built in errors.go, render documents with the
// view and answer with c.ok, c.created, c.noContent or paginate. Operations report webhook
// events through c.emit.
package keygentest
