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
// The server is written from the wire reference (keygen-api.md) and never shares decoding
// code with the SDK, so a decoding bug in the SDK cannot hide behind the same bug here.
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
// # Layout for contributors
//
// Every resource lives in its own file, which registers its routes in a routeX method
// called from Server.routes. Handlers run with the store mutex held (see call.go), read the
// clock with c.now(), parse bodies with c.parse and a schema (params.go), find resources with
// the store's finders (store_find.go), check visibility and permissions (permissions.go),
// raise errors built in errors.go, render documents with the view (documents.go) and answer
// with c.ok, c.created, c.noContent (respond.go) or paginate (pagination.go). Operations
// report webhook events through c.emit (events.go).
package keygentest
