package keygen_test

// Every ```go block of README.md is the body (or a part of the body) of one of these
// examples, so the README cannot drift into code that does not compile; TestREADMESnippets
// checks it. Every example runs against keygentest, an in-memory Keygen, and its output is
// checked: what a README snippet calls account, token and baseURL are then the server's
// account id, admin token and URL (for Keygen Cloud: your account, a token from the
// dashboard, and no WithBaseURL at all).

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/licensekit/keygen"
	"github.com/licensekit/keygen/keygentest"
)

// The whole licensing story against keygentest, an in-memory Keygen: a product, a policy and
// a license on it, then validations before and after the machine is activated. The package
// documentation opens with this example.
func Example() {
	ctx := context.Background()
	srv := keygentest.NewServer()
	defer srv.Close()
	c := srv.Client() // an admin client; for Keygen Cloud: keygen.NewClient(account, keygen.WithToken(token))

	product, err := c.Products.Create(ctx, keygen.ProductCreateOptions{Name: "Cool App"})
	if err != nil {
		log.Fatal(err)
	}
	policy, err := c.Policies.Create(ctx, keygen.PolicyCreateOptions{ProductID: product.ID, Name: "Pro", MaxMachines: keygen.Ptr(1)})
	if err != nil {
		log.Fatal(err)
	}
	license, err := c.Licenses.Create(ctx, keygen.LicenseCreateOptions{PolicyID: policy.ID, Name: "Jane's license"})
	if err != nil {
		log.Fatal(err)
	}

	// Validation is data, not an error: check Valid, and Code for the reason.
	v, err := c.Licenses.ValidateKey(ctx, license.Key, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(v.Valid, v.Code)

	scope := &keygen.ValidateOptions{Scope: &keygen.ValidationScope{Fingerprint: "machine-fp-1"}}
	v, err = c.Licenses.ValidateKey(ctx, license.Key, scope)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(v.Valid, v.Code)

	if _, err := c.Machines.Create(ctx, keygen.MachineCreateOptions{LicenseID: license.ID, Fingerprint: "machine-fp-1"}); err != nil {
		log.Fatal(err)
	}
	v, err = c.Licenses.ValidateKey(ctx, license.Key, scope)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(v.Valid, v.Code, *v.License.Name)
	// Output:
	// true VALID
	// false NO_MACHINE
	// true VALID Jane's license
}

// keygentest in your own tests: a server per test, an admin client, a clock to move.
func Example_testing() {
	ctx := context.Background()
	srv := keygentest.NewServer()
	defer srv.Close()
	c := srv.Client() // an admin client pointed at the server
	product, err := c.Products.Create(ctx, keygen.ProductCreateOptions{Name: "App"})
	if err != nil {
		log.Fatal(err)
	}
	srv.Advance(31 * 24 * time.Hour) // licenses expire, check-ins fall overdue
	fmt.Println(product.Name)
	// Output: App
}

// The README's quick start, run against keygentest: a license, its validation, an update that
// clears a value, and an API error told apart by its code.
func Example_quickStart() {
	srv := keygentest.NewServer()
	defer srv.Close()
	account, token, baseURL := srv.AccountID, srv.AdminToken, srv.URL
	policyID := newPolicy(srv, keygen.PolicyCreateOptions{Name: "Pro"}).ID

	ctx := context.Background()
	c, err := keygen.NewClient(account, // your account's id or slug
		keygen.WithToken(token),     // an admin or product token, kept on your servers
		keygen.WithBaseURL(baseURL), // leave out for Keygen Cloud (see Client options)
	)
	if err != nil {
		log.Fatal(err)
	}
	lic, err := c.Licenses.Create(ctx, keygen.LicenseCreateOptions{
		PolicyID: policyID,
		Name:     "Jane's license",
	})
	if err != nil {
		log.Fatal(err)
	}
	v, err := c.Licenses.ValidateKey(ctx, lic.Key, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(v.Valid, v.Code) // true VALID

	lic, err = c.Licenses.Update(ctx, lic.ID, keygen.LicenseUpdateOptions{
		Name:   keygen.Set("Renamed"),
		Expiry: keygen.Null[time.Time](), // never expires
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(*lic.Name, lic.Expiry == nil)

	if _, err := c.Machines.Create(ctx, keygen.MachineCreateOptions{LicenseID: lic.ID, Fingerprint: "fp-1"}); err != nil {
		log.Fatal(err)
	}
	_, err = c.Machines.Create(ctx, keygen.MachineCreateOptions{LicenseID: lic.ID, Fingerprint: "fp-1"})
	var apiErr *keygen.Error
	switch {
	case keygen.HasCode(err, "FINGERPRINT_TAKEN"):
		fmt.Println("this machine is already activated")
	case errors.Is(err, keygen.ErrNotFound):
		fmt.Println("no such license")
	case errors.As(err, &apiErr):
		fmt.Println(apiErr.StatusCode, apiErr.Errors[0].Source.Pointer)
	}
	// Output:
	// true VALID
	// Renamed true
	// this machine is already activated
}

// The README's client options. NewClient does no I/O; the options only shape the requests.
func ExampleNewClient() {
	srv := keygentest.NewServer()
	defer srv.Close()
	account, token, baseURL := srv.AccountID, srv.AdminToken, srv.URL
	// A logger whose lines are the same on every run: no time, no duration.
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		Level: slog.LevelDebug,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == "duration" {
				return slog.Attr{}
			}
			return a
		},
	}))

	c, err := keygen.NewClient(account,
		keygen.WithToken(token),
		// A self-hosted Keygen ("https://keygen.example.com"; a trailing /v1 is fine) or srv.URL.
		keygen.WithBaseURL(baseURL),
		// Any *slog.Logger: a debug line per request, a warning per unanswered one, no secrets.
		keygen.WithLogger(logger),
		// Your own transport, proxy or timeout; the retries wrap it.
		keygen.WithHTTPClient(&http.Client{Timeout: 10 * time.Second}),
	)
	if err != nil {
		log.Fatal(err)
	}
	page, err := c.Products.List(context.Background(), nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(page.Data), "products")

	// A license key where a token belongs is refused before any request.
	_, err = keygen.NewClient(account, keygen.WithToken("C1B6DE-39A6E3-DE1529-8559A0-4AF593-V3"))
	fmt.Println(errors.Is(err, keygen.ErrInvalidArgument))
	// Output:
	// level=DEBUG msg="keygen request" method=GET path=/products attempts=1 status=200
	// 0 products
	// true
}

// The README's desktop app: it authenticates with its license key, verifies every answer's
// signature, and activates its machine when the validation says NO_MACHINE.
func ExampleWithLicenseKey() {
	srv := keygentest.NewServer()
	defer srv.Close()
	account, baseURL := srv.AccountID, srv.URL
	// License key authentication must be allowed by the policy (LICENSE or MIXED).
	policy := newPolicy(srv, keygen.PolicyCreateOptions{Name: "Desktop", AuthenticationStrategy: "LICENSE"})
	lic, err := srv.Client().Licenses.Create(context.Background(), keygen.LicenseCreateOptions{PolicyID: policy.ID})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	licenseKey, accountPublicKey, fingerprint := lic.Key, srv.PublicKey, "machine-fingerprint"

	app, err := keygen.NewClient(account,
		keygen.WithLicenseKey(licenseKey),
		keygen.WithPublicKey(accountPublicKey), // verify every answer's signature
		keygen.WithBaseURL(baseURL),
	)
	if err != nil {
		log.Fatal(err)
	}
	v, err := app.Licenses.ValidateKey(ctx, licenseKey, &keygen.ValidateOptions{
		Scope: &keygen.ValidationScope{Fingerprint: fingerprint},
	})
	if err != nil {
		log.Fatal(err)
	}
	if v.Code == keygen.ValidationNoMachine {
		_, err = app.Machines.Create(ctx, keygen.MachineCreateOptions{
			LicenseID:   v.License.ID,
			Fingerprint: fingerprint,
		})
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(v.Code)

	v, err = app.Licenses.ValidateKey(ctx, licenseKey, &keygen.ValidateOptions{
		Scope: &keygen.ValidationScope{Fingerprint: fingerprint},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(v.Valid, v.Code)
	// Output:
	// NO_MACHINE
	// true VALID
}

// The README's iterator: every expired license, page after page.
func ExampleLicensesService_All() {
	// A fixed start time makes the expiry dates the same on every run.
	srv := keygentest.NewServer(keygentest.WithStartTime(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)))
	defer srv.Close()
	ctx := context.Background()
	c := srv.Client()
	monthly := newPolicy(srv, keygen.PolicyCreateOptions{Name: "Monthly", Duration: keygen.Ptr(30 * 24 * 3600)})
	perpetual := newPolicy(srv, keygen.PolicyCreateOptions{Name: "Perpetual"})
	for _, policyID := range []string{monthly.ID, monthly.ID, perpetual.ID} {
		if _, err := c.Licenses.Create(ctx, keygen.LicenseCreateOptions{PolicyID: policyID}); err != nil {
			log.Fatal(err)
		}
	}
	srv.Advance(31 * 24 * time.Hour)

	for lic, err := range c.Licenses.All(ctx, &keygen.LicenseListOptions{Status: "EXPIRED"}) {
		if err != nil {
			log.Fatal(err) // yielded once, then the loop ends
		}
		fmt.Println(lic.Status, lic.Expiry.Format(time.DateOnly))
	}
	// Output:
	// EXPIRED 2026-01-31
	// EXPIRED 2026-01-31
}

// The README's retry policy. Retries need no I/O to set up; the first request uses them.
func ExampleWithRetry() {
	account := "my-account"
	token := "prod-" + strings.Repeat("0", 64) + "v3" // from the dashboard, e.g. os.Getenv("KEYGEN_TOKEN")
	var c *keygen.Client
	var err error

	c, err = keygen.NewClient(account,
		keygen.WithToken(token),
		keygen.WithRetry(keygen.RetryPolicy{MaxRetries: 5, MinWait: time.Second, MaxWait: 20 * time.Second}),
	)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(c.Account())
	// Output: my-account
}

// newPolicy makes a product and a policy on it with srv's admin client.
func newPolicy(srv *keygentest.Server, opts keygen.PolicyCreateOptions) *keygen.Policy {
	ctx := context.Background()
	c := srv.Client()
	product, err := c.Products.Create(ctx, keygen.ProductCreateOptions{Name: "App"})
	if err != nil {
		log.Fatal(err)
	}
	opts.ProductID = product.ID
	policy, err := c.Policies.Create(ctx, opts)
	if err != nil {
		log.Fatal(err)
	}
	return policy
}
