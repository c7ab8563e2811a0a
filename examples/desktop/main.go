// Command desktop is what a desktop app does with its license: it holds only its license key
// and the account's public key, validates with this machine's fingerprint, activates the
// machine when Keygen says it is not activated yet, keeps it alive with heartbeats, checks
// out a license file and then verifies and reads that file offline.
//
//	go run ./examples/desktop
//
// It needs no configuration: it starts keygentest in process and, acting as the vendor,
// issues itself a license first. Every answer's signature is checked (WithPublicKey).
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/licensekit/keygen"
	"github.com/licensekit/keygen/keygentest"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "desktop example failed:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	srv, err := keygentest.Start()
	if err != nil {
		return err
	}
	defer srv.Close()

	licenseKey, err := issueLicense(ctx, srv)
	if err != nil {
		return err
	}
	fmt.Println("vendor: issued license key", licenseKey)

	// From here on, only what ships inside the app: the account, its public key, and the
	// license key the user typed in.
	app, err := keygen.NewClient(srv.AccountID,
		keygen.WithBaseURL(srv.URL),
		keygen.WithLicenseKey(licenseKey),
		keygen.WithPublicKey(srv.PublicKey),
	)
	if err != nil {
		return err
	}
	fingerprint := "desktop-example-fingerprint"
	scope := &keygen.ValidateOptions{Scope: &keygen.ValidationScope{Fingerprint: fingerprint}}

	v, err := app.Licenses.ValidateKey(ctx, licenseKey, scope)
	if err != nil {
		return err
	}
	fmt.Printf("app: validate → valid=%t code=%s (%s)\n", v.Valid, v.Code, v.Detail)
	if v.Code != keygen.ValidationNoMachine {
		return fmt.Errorf("expected NO_MACHINE, got %s", v.Code)
	}

	machine, err := app.Machines.Create(ctx, keygen.MachineCreateOptions{LicenseID: v.License.ID, Fingerprint: fingerprint, Platform: "linux"})
	if err != nil {
		return err
	}
	fmt.Println("app: activated this machine, id", machine.ID)

	if v, err = app.Licenses.ValidateKey(ctx, licenseKey, scope); err != nil {
		return err
	}
	fmt.Printf("app: validate → valid=%t code=%s (%s)\n", v.Valid, v.Code, v.Detail)
	if !v.Valid {
		return fmt.Errorf("expected a valid license, got %s", v.Code)
	}

	// Heartbeats run beside the app until it quits; here, until two pings went through.
	hbCtx, stopHeartbeats := context.WithCancel(ctx)
	pings := 0
	monitor := keygen.NewHeartbeatMonitor(app, machine.ID, keygen.HeartbeatOptions{
		Interval: 50 * time.Millisecond,
		OnPing: func(m *keygen.Machine) {
			pings++
			fmt.Printf("app: heartbeat %d → %s, next due %s\n", pings, m.HeartbeatStatus, m.NextHeartbeat.Format(time.TimeOnly))
			if pings == 2 {
				stopHeartbeats()
			}
		},
		OnError: func(err error) { fmt.Println("app: heartbeat failed, will retry:", err) },
	})
	if err := monitor.Run(hbCtx); err != nil && hbCtx.Err() == nil {
		return err
	}

	file, err := app.Licenses.CheckOut(ctx, v.License.ID, &keygen.CheckOutOptions{Encrypt: true, TTL: 7 * 24 * time.Hour})
	if err != nil {
		return err
	}
	fmt.Printf("app: checked out a %s license file, stored on disk\n", file.Algorithm)

	// Offline: no network, only the certificate, the public key and the license key.
	data, err := keygen.OpenLicenseFile(file.Certificate, srv.PublicKey, licenseKey)
	if err != nil {
		return err
	}
	if err := data.ValidAt(time.Now()); err != nil {
		return err
	}
	fmt.Printf("app (offline): license %s verified, %s, valid until %s\n",
		data.License.ID, data.License.Status, data.Expiry.Format(time.DateOnly))
	return nil
}

// issueLicense plays the vendor's backend: a product, a policy that lets apps authenticate
// with their license key, and a license.
func issueLicense(ctx context.Context, srv *keygentest.Server) (string, error) {
	admin := srv.Client()
	product, err := admin.Products.Create(ctx, keygen.ProductCreateOptions{Name: "Desktop App"})
	if err != nil {
		return "", err
	}
	policy, err := admin.Policies.Create(ctx, keygen.PolicyCreateOptions{
		ProductID:              product.ID,
		Name:                   "Node-locked",
		MaxMachines:            keygen.Ptr(1),
		AuthenticationStrategy: "LICENSE",
		Duration:               keygen.Ptr(365 * 24 * 3600),
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
