package keygen_test

import (
	"errors"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/licensekit/keygen"
)

// An app that licenses offline reads its license file, proves it came from the account and
// checks it against a clock it trusts.
func ExampleOpenLicenseFile() {
	cert, err := os.ReadFile("license.lic")
	if err != nil {
		log.Fatal(err)
	}
	const publicKey = "e8601e48b69383ba520245fd07971e983d06d22c4257cfd82304601479cee788" // from the dashboard
	data, err := keygen.OpenLicenseFile(string(cert), publicKey, os.Getenv("LICENSE_KEY"))
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
	fmt.Println("licensed to", data.License.ID, "until", data.License.Expiry)
}

// A signed license key carries its own data; verify it with the policy's scheme.
func ExampleVerifyLicenseKey() {
	const publicKey = "e8601e48b69383ba520245fd07971e983d06d22c4257cfd82304601479cee788"
	dataset, err := keygen.VerifyLicenseKey(keygen.SchemeED25519Sign, os.Getenv("LICENSE_KEY"), publicKey)
	if err != nil {
		log.Fatal(err)
	}
	d, err := keygen.ParseLicenseKeyDataset(dataset)
	if err != nil {
		log.Fatal(err) // a key created with custom data: parse dataset yourself
	}
	fmt.Println(d.LicenseID, d.Expiry)
}
