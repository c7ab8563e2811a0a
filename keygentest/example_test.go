package keygentest_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/licensekit/keygen"
	"github.com/licensekit/keygen/keygentest"
)

// Example is the README's "Testing your own code" snippet: an in-memory Keygen, an admin
// client for it, and a clock that moves on request.
func Example() {
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

// ExampleServer_Advance shows a license expiring when the server's clock moves past its
// policy's duration.
func ExampleServer_Advance() {
	ctx := context.Background()
	srv := keygentest.NewServer()
	defer srv.Close()
	c := srv.Client()

	product, _ := c.Products.Create(ctx, keygen.ProductCreateOptions{Name: "App"})
	policy, _ := c.Policies.Create(ctx, keygen.PolicyCreateOptions{
		ProductID: product.ID, Name: "Monthly", Duration: keygen.Ptr(30 * 24 * 3600),
	})
	lic, err := c.Licenses.Create(ctx, keygen.LicenseCreateOptions{PolicyID: policy.ID})
	if err != nil {
		log.Fatal(err)
	}
	v, _ := c.Licenses.ValidateKey(ctx, lic.Key, nil)
	fmt.Println(v.Valid, v.Code)

	srv.Advance(31 * 24 * time.Hour)
	v, _ = c.Licenses.ValidateKey(ctx, lic.Key, nil)
	fmt.Println(v.Valid, v.Code)
	// Output:
	// true VALID
	// false EXPIRED
}
