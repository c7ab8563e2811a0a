package keygen_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/licensekit/keygen"
	"github.com/licensekit/keygen/keygentest"
)

// A desktop app asks one question at start: may I run? The guard answers online, activating
// this machine on first use, and offline from the machine file it keeps. The README's
// "Desktop apps" recipe is the middle of this example.
func ExampleNewGuard() {
	// The vendor's side, played by keygentest: a license for the app.
	srv := keygentest.NewServer()
	defer srv.Close()
	licenseKey, err := issueDesktopLicense(srv)
	if err != nil {
		log.Fatal(err)
	}
	configDir, err := os.MkdirTemp("", "guard-example") // an app uses os.UserConfigDir()
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(configDir)
	app, err := keygen.NewClient(srv.AccountID,
		keygen.WithBaseURL(srv.URL), // Keygen Cloud needs no base URL
		keygen.WithLicenseKey(licenseKey),
		keygen.WithPublicKey(srv.PublicKey),
	)
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	fp, err := keygen.MachineFingerprint("com.example.app")
	if err != nil {
		log.Fatal(err) // no readable machine id (a container?): see MachineFingerprint
	}
	g, err := keygen.NewGuard(app, keygen.GuardOptions{ // app: WithLicenseKey and WithPublicKey
		LicenseKey:  licenseKey,
		Fingerprint: fp,
		Store:       keygen.DirStore(filepath.Join(configDir, "license")),
	})
	if err != nil {
		log.Fatal(err)
	}
	st, err := g.Check(ctx)
	switch {
	case errors.Is(err, keygen.ErrClockTampered):
		log.Fatal("the system clock was set back: fix it and start again")
	case err != nil:
		log.Fatal(err) // no answer and no usable machine file, or a forged answer
	case !st.Valid:
		log.Fatalf("not licensed: %s", st.Code) // a signed "no": suspended, expired, over a limit…
	}
	go g.Run(ctx) // heartbeats and machine file refresh, until ctx ends
	fmt.Println("licensed:", st.Code, "offline:", st.Offline)

	// The app quits; next time it starts, Keygen cannot be reached.
	cancel()
	srv.Close()
	g, err = keygen.NewGuard(app, keygen.GuardOptions{
		LicenseKey:  licenseKey,
		Fingerprint: fp,
		Store:       keygen.DirStore(filepath.Join(configDir, "license")),
	})
	if err != nil {
		log.Fatal(err)
	}
	st, err = g.Check(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("licensed:", st.Code, "offline:", st.Offline)
	// Output:
	// licensed: VALID offline: false
	// licensed: VALID offline: true
}

// issueDesktopLicense plays the vendor's backend: a product, a node-locked policy that
// lets the app authenticate with its license key, and a license.
func issueDesktopLicense(srv *keygentest.Server) (string, error) {
	ctx := context.Background()
	admin := srv.Client()
	product, err := admin.Products.Create(ctx, keygen.ProductCreateOptions{Name: "Desktop App"})
	if err != nil {
		return "", err
	}
	policy, err := admin.Policies.Create(ctx, keygen.PolicyCreateOptions{
		ProductID: product.ID, Name: "Node-locked", MaxMachines: keygen.Ptr(1), AuthenticationStrategy: "LICENSE",
	})
	if err != nil {
		return "", err
	}
	lic, err := admin.Licenses.Create(ctx, keygen.LicenseCreateOptions{PolicyID: policy.ID})
	if err != nil {
		return "", err
	}
	return lic.Key, nil
}
