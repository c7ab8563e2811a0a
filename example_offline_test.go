package keygen_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/licensekit/keygen"
	"github.com/licensekit/keygen/keygentest"
)

// A backend checks out a license file for a customer, who stores it next to the app; the app
// opens it offline (see ExampleOpenLicenseFile).
func ExampleLicensesService_CheckOut() {
	srv := keygentest.NewServer()
	defer srv.Close()
	ctx := context.Background()
	c := srv.Client()
	policy := newPolicy(srv, keygen.PolicyCreateOptions{Name: "Offline"})
	lic, err := c.Licenses.Create(ctx, keygen.LicenseCreateOptions{PolicyID: policy.ID, Name: "Jane's license"})
	if err != nil {
		log.Fatal(err)
	}

	// Encrypted with the license key, so only its holder can read it; valid for 30 days.
	f, err := c.Licenses.CheckOut(ctx, lic.ID, &keygen.CheckOutOptions{Encrypt: true, TTL: 30 * 24 * time.Hour})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(f.Algorithm, *f.TTL)
	dir, err := os.MkdirTemp("", "license")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, "license.lic"), []byte(f.Certificate), 0o600); err != nil {
		log.Fatal(err)
	}

	// The app, offline: the signature proves the file came from the account.
	cert, err := os.ReadFile(filepath.Join(dir, "license.lic"))
	if err != nil {
		log.Fatal(err)
	}
	data, err := keygen.OpenLicenseFile(string(cert), srv.PublicKey, lic.Key)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(*data.License.Name, data.ValidAt(time.Now()) == nil)

	// Any other license key cannot open it.
	_, err = keygen.OpenLicenseFile(string(cert), srv.PublicKey, "C1B6DE-39A6E3-DE1529-8559A0-4AF593-V3")
	fmt.Println(errors.Is(err, keygen.ErrDecryptionFailed))
	// Output:
	// aes-256-gcm+ed25519 2592000
	// Jane's license true
	// true
}

// An app that licenses offline reads its license file, proves it came from the account and
// checks it against a clock it trusts.
func ExampleOpenLicenseFile() {
	// Setup: a license file checked out by the backend, saved where the app finds it.
	srv := keygentest.NewServer()
	defer srv.Close()
	policy := newPolicy(srv, keygen.PolicyCreateOptions{Name: "Offline"})
	lic, err := srv.Client().Licenses.Create(context.Background(), keygen.LicenseCreateOptions{PolicyID: policy.ID, Name: "Jane's license"})
	if err != nil {
		log.Fatal(err)
	}
	f, err := srv.Client().Licenses.CheckOut(context.Background(), lic.ID, &keygen.CheckOutOptions{Encrypt: true, TTL: 14 * 24 * time.Hour})
	if err != nil {
		log.Fatal(err)
	}
	path := filepath.Join(os.TempDir(), fmt.Sprintf("license-%d.lic", os.Getpid()))
	if err := os.WriteFile(path, []byte(f.Certificate), 0o600); err != nil {
		log.Fatal(err)
	}
	defer os.Remove(path)
	publicKey, licenseKey := srv.PublicKey, lic.Key // from the dashboard; from the customer

	cert, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	data, err := keygen.OpenLicenseFile(string(cert), publicKey, licenseKey)
	switch {
	case errors.Is(err, keygen.ErrSignatureInvalid):
		log.Fatal("the license file was tampered with")
	case errors.Is(err, keygen.ErrDecryptionFailed):
		log.Fatal("the license file belongs to another license key")
	case err != nil:
		log.Fatal(err)
	}
	if err := data.ValidAt(time.Now()); err != nil { // better: a signed server time
		log.Fatal(err)
	}
	fmt.Println("licensed to", *data.License.Name, "for", data.Expiry.Sub(data.Issued))
	// Output: licensed to Jane's license for 336h0m0s
}

// A signed license key carries its own data; verify it with the policy's scheme.
func ExampleVerifyLicenseKey() {
	srv := keygentest.NewServer()
	defer srv.Close()
	policy := newPolicy(srv, keygen.PolicyCreateOptions{Name: "Signed", Scheme: keygen.SchemeED25519Sign, Duration: keygen.Ptr(365 * 24 * 3600)})
	lic, err := srv.Client().Licenses.Create(context.Background(), keygen.LicenseCreateOptions{PolicyID: policy.ID})
	if err != nil {
		log.Fatal(err)
	}
	publicKey, licenseKey := srv.PublicKey, lic.Key // the account's key, from the dashboard; the customer's key

	dataset, err := keygen.VerifyLicenseKey(keygen.SchemeED25519Sign, licenseKey, publicKey)
	if err != nil {
		log.Fatal(err)
	}
	d, err := keygen.ParseLicenseKeyDataset(dataset)
	if err != nil {
		log.Fatal(err) // a key created with custom data: parse dataset yourself
	}
	fmt.Println(d.LicenseID == lic.ID, d.Expiry != nil, *d.Duration)

	// Checked with another account's public key, the same key does not verify.
	const otherAccount = "e8601e48b69383ba520245fd07971e983d06d22c4257cfd82304601479cee788"
	_, err = keygen.VerifyLicenseKey(keygen.SchemeED25519Sign, licenseKey, otherAccount)
	fmt.Println(errors.Is(err, keygen.ErrSignatureInvalid))
	// Output:
	// true true 8760h0m0s
	// true
}
