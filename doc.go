// Package keygen is a typed client for the Keygen software licensing API (keygen.sh).
//
// The whole licensing story, run against keygentest, the in-memory Keygen that ships with
// this module (abridged: the package's Example runs it in full, errors checked):
//
//	srv := keygentest.NewServer()
//	defer srv.Close()
//	c := srv.Client() // for Keygen Cloud: keygen.NewClient(account, keygen.WithToken(token))
//
//	product, err := c.Products.Create(ctx, keygen.ProductCreateOptions{Name: "Cool App"})
//	policy, err := c.Policies.Create(ctx, keygen.PolicyCreateOptions{ProductID: product.ID, Name: "Pro", MaxMachines: keygen.Ptr(1)})
//	license, err := c.Licenses.Create(ctx, keygen.LicenseCreateOptions{PolicyID: policy.ID, Name: "Jane's license"})
//
//	scope := &keygen.ValidateOptions{Scope: &keygen.ValidationScope{Fingerprint: "machine-fp-1"}}
//	v, err := c.Licenses.ValidateKey(ctx, license.Key, scope)
//	fmt.Println(v.Valid, v.Code) // false NO_MACHINE
//	_, err = c.Machines.Create(ctx, keygen.MachineCreateOptions{LicenseID: license.ID, Fingerprint: "machine-fp-1"})
//	v, err = c.Licenses.ValidateKey(ctx, license.Key, scope)
//	fmt.Println(v.Valid, v.Code) // true VALID
//
// # Clients
//
// A Client talks to one Keygen account; NewClient does no network I/O and a Client is safe
// for concurrent use. Backend services authenticate with an admin, environment or product
// token (WithToken) to issue and manage licenses; desktop apps authenticate with their license
// key (WithLicenseKey) or a license token to validate, activate their machine and check out
// license files. Resources are reached through services on the client: c.Products,
// c.Policies, c.Users, c.Licenses, c.Machines, c.Entitlements, c.Groups, c.Components,
// c.Processes, c.Keys, c.Tokens, c.Webhooks, c.WebhookEvents and c.Profile. Every method takes a context first, and its doc comment names the Keygen
// operation it calls. Option structs passed by pointer may be nil; Create and Update take
// theirs by value, and Update options tell "leave unchanged", "set" (Set) and "clear to
// null" (Null) apart.
//
// # Errors
//
// An API error answer is a *Error with the status, the request id and every error object
// (title, detail, code, source); test it with errors.Is against ErrNotFound, ErrUnprocessable
// and the other sentinels, or with HasCode against Keygen's codes. A 429 is a *RateLimitError.
// Argument errors (an empty id, an out-of-range option) match ErrInvalidArgument and are
// raised before any request. A license validation is data, not an error: an invalid license
// is a Validation with Valid false and a Code saying why.
//
// # Pagination
//
// List returns one Page; All walks every record lazily as an iter.Seq2, one page in memory,
// by keyset (page[cursor]), so it is not bound by Keygen's limit of 100 pages by offset.
//
// # Retries
//
// 429 answers are retried for every method, honouring Retry-After; transport errors and 5xx
// only for GET, HEAD, PUT and DELETE. A POST or PATCH that may have reached the server is never
// sent again, so a retry cannot create a second license (WithRetry, WithoutRetries).
//
// # Offline licensing
//
// With WithPublicKey every answer's signature is checked and validations carry a nonce the
// signed answer must echo. License and machine files (Licenses.CheckOut, Machines.CheckOut,
// ParseLicenseFile, ParseMachineFile) and signed license keys (VerifyLicenseKey) verify with
// no network; NewHeartbeatMonitor keeps a machine alive; ParseWebhook verifies incoming
// webhook deliveries.
//
// # Testing
//
// The keygentest package serves the same API in memory with Keygen's documents, codes,
// permissions, signatures and webhooks, and a clock to move (Server.Advance), so tests need no
// account and no network.
package keygen
