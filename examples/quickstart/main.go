// Command quickstart walks the whole licensing story with the SDK: a product, a policy, a
// customer, their license, a validation, a machine activation, a validation with the
// machine's fingerprint, a feature gated on an entitlement, and a license file checked out
// and verified offline.
//
// With no configuration it starts keygentest, an in-memory Keygen, so it needs no account and
// no network:
//
//	go run ./examples/quickstart
//
// With KEYGEN_ACCOUNT and KEYGEN_TOKEN (an admin or product token) set, it runs the same
// story against real Keygen, and cleans up after itself. KEYGEN_PUBLIC_KEY (the account's
// Ed25519 key, hex) turns on signature checks of every answer.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"time"

	"github.com/licensekit/keygen"
	"github.com/licensekit/keygen/keygentest"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart failed:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()

	c, publicKey, cleanup, err := connect()
	if err != nil {
		return err
	}
	defer cleanup()

	suffix := randomHex(4)
	step("Create a product, the thing you sell")
	product, err := c.Products.Create(ctx, keygen.ProductCreateOptions{Name: "Quickstart App " + suffix})
	if err != nil {
		return err
	}
	say("product %q (id %s)", product.Name, product.ID)
	defer func() { _ = c.Products.Delete(context.WithoutCancel(ctx), product.ID) }()

	step("Create a policy: licenses last a year and allow one machine each")
	policy, err := c.Policies.Create(ctx, keygen.PolicyCreateOptions{
		ProductID:   product.ID,
		Name:        "Annual, one machine",
		Duration:    keygen.Ptr(365 * 24 * 3600),
		MaxMachines: keygen.Ptr(1),
	})
	if err != nil {
		return err
	}
	say("policy %q: duration %ds, max machines %d, expiration strategy %s",
		policy.Name, *policy.Duration, *policy.MaxMachines, policy.ExpirationStrategy)

	step("Create a customer")
	user, err := c.Users.Create(ctx, keygen.UserCreateOptions{
		Email:     "jane+" + suffix + "@example.com",
		FirstName: "Jane",
		LastName:  "Doe",
	})
	if err != nil {
		return err
	}
	say("user %s (role %s, status %s)", user.Email, user.Role, user.Status)
	defer func() { _ = c.Users.Delete(context.WithoutCancel(ctx), user.ID) }()

	step("Issue her a license")
	lic, err := c.Licenses.Create(ctx, keygen.LicenseCreateOptions{PolicyID: policy.ID, OwnerID: user.ID, Name: "Jane's license"})
	if err != nil {
		return err
	}
	say("license key %s, expires %s", lic.Key, lic.Expiry.Format(time.DateOnly))

	step("Her app validates the key, naming the machine it runs on")
	fingerprint := "quickstart-machine-" + suffix
	scope := &keygen.ValidateOptions{Scope: &keygen.ValidationScope{Fingerprint: fingerprint}}
	v, err := c.Licenses.ValidateKey(ctx, lic.Key, scope)
	if err != nil {
		return err
	}
	say("valid=%t code=%s: the license %s", v.Valid, v.Code, v.Detail)

	step("So the app activates this machine")
	machine, err := c.Machines.Create(ctx, keygen.MachineCreateOptions{LicenseID: lic.ID, Fingerprint: fingerprint, Platform: "linux"})
	if err != nil {
		return err
	}
	say("machine %s activated (heartbeat %s)", machine.Fingerprint, machine.HeartbeatStatus)

	step("And validates again")
	if v, err = c.Licenses.ValidateKey(ctx, lic.Key, scope); err != nil {
		return err
	}
	say("valid=%t code=%s: the license %s", v.Valid, v.Code, v.Detail)

	step("Grant a feature: an entitlement on the policy, held by all its licenses")
	pro, err := c.Entitlements.Create(ctx, keygen.EntitlementCreateOptions{Name: "Pro features", Code: "PRO-" + suffix})
	if err != nil {
		return err
	}
	defer func() { _ = c.Entitlements.Delete(context.WithoutCancel(ctx), pro.ID) }()
	if err := c.Policies.AttachEntitlements(ctx, policy.ID, pro.ID); err != nil {
		return err
	}
	say("entitlement %s attached to policy %q", pro.Code, policy.Name)

	step("The app turns the feature on only when the license holds it")
	gated := &keygen.ValidateOptions{Scope: &keygen.ValidationScope{Fingerprint: fingerprint, Entitlements: []string{pro.Code}}}
	if v, err = c.Licenses.ValidateKey(ctx, lic.Key, gated); err != nil {
		return err
	}
	say("valid=%t code=%s: %s enabled: %t", v.Valid, v.Code, pro.Code, v.HasEntitlement(pro.Code))
	missing := &keygen.ValidateOptions{Scope: &keygen.ValidationScope{Fingerprint: fingerprint, Entitlements: []string{"ENTERPRISE-" + suffix}}}
	if v, err = c.Licenses.ValidateKey(ctx, lic.Key, missing); err != nil {
		return err
	}
	say("asking for ENTERPRISE: valid=%t code=%s", v.Valid, v.Code)

	step("A second machine is refused: the policy allows one")
	_, err = c.Machines.Create(ctx, keygen.MachineCreateOptions{LicenseID: lic.ID, Fingerprint: fingerprint + "-2"})
	switch {
	case keygen.HasCode(err, keygen.CodeMachineLimitExceeded):
		say("refused as expected: %v", err)
	case err != nil:
		return err
	default:
		return fmt.Errorf("a second machine was accepted")
	}

	step("Check out a license file, for use offline")
	file, err := c.Licenses.CheckOut(ctx, lic.ID, &keygen.CheckOutOptions{Encrypt: true, TTL: 30 * 24 * time.Hour, Include: []string{"entitlements"}})
	if err != nil {
		return err
	}
	say("%s file issued %s, valid until %s", file.Algorithm, file.Issued.Format(time.DateOnly), file.Expiry.Format(time.DateOnly))

	if publicKey != "" {
		step("Verify the file offline, as the app would with no network")
		if err := verifyOffline(file, publicKey, lic.Key); err != nil {
			return err
		}
	}
	step("Done")
	return nil
}

// connect returns an admin client for real Keygen when KEYGEN_ACCOUNT and KEYGEN_TOKEN are
// set, else for an in-memory keygentest server.
func connect() (c *keygen.Client, publicKey string, cleanup func(), err error) {
	account, token := os.Getenv("KEYGEN_ACCOUNT"), os.Getenv("KEYGEN_TOKEN")
	if account != "" && token != "" {
		publicKey = os.Getenv("KEYGEN_PUBLIC_KEY")
		opts := []keygen.Option{keygen.WithToken(token)}
		if publicKey != "" {
			opts = append(opts, keygen.WithPublicKey(publicKey))
		}
		c, err = keygen.NewClient(account, opts...)
		say("Using Keygen account %s", account)
		return c, publicKey, func() {}, err
	}
	srv, err := keygentest.Start()
	if err != nil {
		return nil, "", nil, err
	}
	say("No KEYGEN_ACCOUNT/KEYGEN_TOKEN set: using an in-memory Keygen at %s", srv.URL)
	// Every answer of the in-memory server is signed too; check them as an app would.
	return srv.Client(keygen.WithPublicKey(srv.PublicKey)), srv.PublicKey, srv.Close, nil
}

var stepNo int

func step(title string) {
	stepNo++
	fmt.Printf("\n%d. %s\n", stepNo, title)
}

func say(format string, args ...any) { fmt.Printf("   "+format+"\n", args...) }

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// verifyOffline does what a desktop app does with the stored certificate and no network:
// check its signature with the account's public key, decrypt it with the license key, and
// check it has not expired against a trusted clock.
func verifyOffline(file *keygen.LicenseFile, publicKey, licenseKey string) error {
	data, err := keygen.OpenLicenseFile(file.Certificate, publicKey, licenseKey)
	if err != nil {
		return err
	}
	say("signature verified, payload decrypted: license %s, status %s", data.License.ID, data.License.Status)
	if err := data.ValidAt(time.Now()); err != nil {
		return err
	}
	say("the file is valid offline until %s", data.Expiry.Format(time.DateOnly))

	// A file edited on disk no longer verifies.
	tampered := []byte(file.Certificate)
	tampered[len("-----BEGIN LICENSE FILE-----\n")+10] ^= 1
	if _, err := keygen.OpenLicenseFile(string(tampered), publicKey, licenseKey); err == nil {
		return fmt.Errorf("a tampered license file was accepted")
	}
	say("a tampered copy is rejected")
	return nil
}
