// Command desktop is a template for a desktop app that licenses with Keygen: at every start it
// asks keygen.Guard "may I run?", which validates online with this machine's fingerprint,
// activates the machine the first time, keeps a signed machine file in the app's state
// directory, decides from that file when Keygen cannot be reached, and refuses a clock set
// back to stretch the file.
//
//	go run ./examples/desktop                    # state in a new temporary directory
//	go run ./examples/desktop -dir ~/.config/x   # or DESKTOP_LICENSE_DIR=…
//
// It needs no configuration: it starts keygentest in process and, acting as the vendor,
// issues itself a license. Then it starts the app four times: the first start activates
// this machine and stores its machine file; the second finds it activated; the third runs
// with keygentest stopped, offline from the stored file; the fourth has its clock set back
// two days and is refused. In a real app, startApp is the part to keep: replace the
// vendor's half with your account, its public key and the license key the user entered.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/licensekit/keygen"
	"github.com/licensekit/keygen/keygentest"
)

// appID names the app: it scopes the machine fingerprint, so that two apps on one machine
// have different ones.
const appID = "com.example.desktop"

func main() {
	dir := flag.String("dir", os.Getenv("DESKTOP_LICENSE_DIR"), "directory for the app's license state (default: a new temporary directory; env DESKTOP_LICENSE_DIR)")
	flag.Parse()
	if *dir == "" {
		d, err := os.MkdirTemp("", "keygen-desktop-example-")
		if err != nil {
			fmt.Fprintln(os.Stderr, "desktop example failed:", err)
			os.Exit(1)
		}
		*dir = d
	}
	if err := run(context.Background(), *dir, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "desktop example failed:", err)
		os.Exit(1)
	}
}

// appConfig is what ships with the app (account, public key) and what the user gave it
// (the license key), plus where it keeps its state.
type appConfig struct {
	Account    string
	BaseURL    string // empty for Keygen Cloud
	PublicKey  string // the account's Ed25519 key, from the dashboard
	LicenseKey string
	StateDir   string // e.g. filepath.Join(os.UserConfigDir(), "MyApp", "license")
	// now replaces the clock: this demo's way to set it back. A real app leaves it nil.
	now func() time.Time
}

// startApp is what the app does at every start: build the client, ask the guard, and keep
// the license alive in the background until ctx ends. It returns the guard's verdict.
func startApp(ctx context.Context, cfg appConfig, out io.Writer) (*keygen.GuardState, error) {
	opts := []keygen.Option{
		keygen.WithLicenseKey(cfg.LicenseKey),
		keygen.WithPublicKey(cfg.PublicKey), // every answer must be signed by the account
	}
	if cfg.BaseURL != "" {
		opts = append(opts, keygen.WithBaseURL(cfg.BaseURL))
	}
	app, err := keygen.NewClient(cfg.Account, opts...)
	if err != nil {
		return nil, err
	}
	store := keygen.DirStore(cfg.StateDir)
	fp, err := fingerprint(store, out)
	if err != nil {
		return nil, err
	}
	g, err := keygen.NewGuard(app, keygen.GuardOptions{
		LicenseKey:  cfg.LicenseKey,
		Fingerprint: fp,
		Store:       store,
		FileTTL:     7 * 24 * time.Hour, // how long the app may run without reaching Keygen
		Now:         cfg.now,
		OnError:     func(err error) { fmt.Fprintln(out, "  (background:", err, ")") },
	})
	if err != nil {
		return nil, err
	}
	st, err := g.Check(ctx)
	if err != nil {
		return st, err
	}
	if st.Valid {
		go g.Run(ctx) // heartbeats (if the policy wants them) and file refresh
	}
	return st, nil
}

// fingerprint is this machine's hashed, app-scoped id. Where the OS has no machine id (a
// minimal container), it falls back to a random install id kept in the store: weaker, since
// a copy of the state directory carries it to another machine, so the app says so.
func fingerprint(store keygen.Store, out io.Writer) (string, error) {
	fp, err := keygen.MachineFingerprint(appID)
	if err == nil {
		return fp, nil
	}
	fmt.Fprintln(out, "app: no machine id here, using an install id instead:", err)
	if b, _ := store.Load("install-id"); len(b) == 64 {
		return string(b), nil
	}
	var id [32]byte
	_, _ = rand.Read(id[:])
	fp = hex.EncodeToString(id[:])
	return fp, store.Save("install-id", []byte(fp))
}

// describe prints a verdict the way an app would log it.
func describe(out io.Writer, start string, st *keygen.GuardState, err error) {
	switch {
	case errors.Is(err, keygen.ErrClockTampered):
		fmt.Fprintf(out, "%s: refused: the system clock was set back (latest signed time %s)\n", start, st.TrustedTime.UTC().Format(time.RFC3339))
	case err != nil:
		fmt.Fprintf(out, "%s: refused: %v\n", start, err)
	case !st.Valid:
		fmt.Fprintf(out, "%s: refused: the license is not valid (%s)\n", start, st.Code)
	default:
		where := "online"
		if st.Offline {
			where = "offline, from the stored machine file"
		}
		until := "no machine file yet"
		if st.Expiry != nil {
			until = "may run offline until " + st.Expiry.UTC().Format(time.DateOnly)
		}
		fmt.Fprintf(out, "%s: licensed (%s), %s; %s\n", start, st.Code, where, until)
	}
}

func run(ctx context.Context, dir string, out io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	srv, err := keygentest.Start()
	if err != nil {
		return err
	}
	defer srv.Close()
	licenseKey, licenseID, err := issueLicense(ctx, srv)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "vendor: issued license key", licenseKey)
	cfg := appConfig{
		Account:    srv.AccountID,
		BaseURL:    srv.URL,
		PublicKey:  srv.PublicKey,
		LicenseKey: licenseKey,
		StateDir:   filepath.Join(dir, "license"),
	}
	fmt.Fprintln(out, "app: license state in", cfg.StateDir)

	// Each start runs until its context ends, as the app would until it quits.
	start := func(name string, cfg appConfig) (*keygen.GuardState, error) {
		appCtx, quit := context.WithCancel(ctx)
		defer quit()
		st, err := startApp(appCtx, cfg, out)
		describe(out, name, st, err)
		return st, err
	}

	if st, err := start("start 1", cfg); err != nil || !st.Valid {
		return fmt.Errorf("the first start must be licensed: %v", err)
	}
	if st, err := start("start 2", cfg); err != nil || !st.Valid || st.Offline {
		return fmt.Errorf("the second start must be licensed online: %v", err)
	}
	machines, err := srv.Client().Machines.List(ctx, &keygen.MachineListOptions{License: licenseID})
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "vendor: machines on the license:", len(machines.Data))
	if len(machines.Data) != 1 {
		return fmt.Errorf("want one machine, got %d", len(machines.Data))
	}

	srv.Close()
	fmt.Fprintln(out, "vendor: Keygen is unreachable now")
	if st, err := start("start 3", cfg); err != nil || !st.Valid || !st.Offline {
		return fmt.Errorf("the third start must be licensed offline: %v", err)
	}

	back := cfg
	back.now = func() time.Time { return time.Now().Add(-48 * time.Hour) }
	if _, err := start("start 4", back); !errors.Is(err, keygen.ErrClockTampered) {
		return fmt.Errorf("the fourth start must be refused for its clock, got %v", err)
	}
	return nil
}

// issueLicense plays the vendor's backend: a product, a policy that lets apps authenticate
// with their license key, and a license.
func issueLicense(ctx context.Context, srv *keygentest.Server) (key, id string, err error) {
	admin := srv.Client()
	product, err := admin.Products.Create(ctx, keygen.ProductCreateOptions{Name: "Desktop App"})
	if err != nil {
		return "", "", err
	}
	policy, err := admin.Policies.Create(ctx, keygen.PolicyCreateOptions{
		ProductID:              product.ID,
		Name:                   "Node-locked",
		MaxMachines:            keygen.Ptr(1),
		AuthenticationStrategy: "LICENSE",
		Duration:               keygen.Ptr(365 * 24 * 3600),
	})
	if err != nil {
		return "", "", err
	}
	lic, err := admin.Licenses.Create(ctx, keygen.LicenseCreateOptions{PolicyID: policy.ID})
	if err != nil {
		return "", "", err
	}
	return lic.Key, lic.ID, nil
}
