package keygen_test

// Every ```go block of README.md is the body (or a part of the body) of one of these
// examples, so the README cannot drift into code that does not compile; TestREADMESnippets
// checks it. Those that need a Keygen account compile but do not run; those that use
// keygentest run, and their output is checked.

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
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

// The README's quick start against Keygen Cloud (compiled, not run: it needs an account).
func Example_quickStart() {
	ctx := context.Background()
	c, err := keygen.NewClient("my-account", keygen.WithToken(os.Getenv("KEYGEN_TOKEN")))
	if err != nil {
		log.Fatal(err)
	}
	lic, err := c.Licenses.Create(ctx, keygen.LicenseCreateOptions{
		PolicyID: "9b1c3a6e-…",
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
}

func ExampleWithLicenseKey() {
	ctx := context.Background()
	licenseKey, accountPublicKey, fingerprint := os.Getenv("LICENSE_KEY"), os.Getenv("KEYGEN_PUBLIC_KEY"), "machine-fingerprint"

	app, err := keygen.NewClient("my-account",
		keygen.WithLicenseKey(licenseKey),
		keygen.WithPublicKey(accountPublicKey), // verify every answer's signature
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
}

func ExampleLicensesService_All() {
	ctx := context.Background()
	c, err := keygen.NewClient("my-account", keygen.WithToken(os.Getenv("KEYGEN_TOKEN")))
	if err != nil {
		log.Fatal(err)
	}
	for lic, err := range c.Licenses.All(ctx, &keygen.LicenseListOptions{Status: "EXPIRED"}) {
		if err != nil {
			log.Fatal(err) // yielded once, then the loop ends
		}
		fmt.Println(lic.ID, lic.Expiry)
	}
}

func ExampleWithRetry() {
	token := os.Getenv("KEYGEN_TOKEN")
	c, err := keygen.NewClient("my-account", keygen.WithToken(token))
	c, err = keygen.NewClient("my-account",
		keygen.WithToken(token),
		keygen.WithRetry(keygen.RetryPolicy{MaxRetries: 5, MinWait: time.Second, MaxWait: 20 * time.Second}),
	)
	if err != nil {
		log.Fatal(err)
	}
	_ = c
}
