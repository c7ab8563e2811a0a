// Command upgrade is a verified self-upgrade: the vendor publishes two releases of an app to
// an in-memory Keygen (keygentest) and uploads a signed build of the newer one; the app,
// holding only its license key and the vendor's code-signing public key, asks Keygen for an
// upgrade, downloads the build, verifies its SHA-512 checksum and Ed25519ph signature, and
// swaps it in over its executable. A third release whose build was tampered with after
// signing is refused and leaves the executable untouched.
//
//	go run ./examples/upgrade
//
// It needs no configuration; a copy of a throwaway file in a temporary directory stands in
// for the app's executable.
package main

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/licensekit/keygen"
	"github.com/licensekit/keygen/keygentest"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "upgrade example failed:", err)
		os.Exit(1)
	}
}

func run(out io.Writer) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv, err := keygentest.Start()
	if err != nil {
		return err
	}
	defer srv.Close()

	// The vendor's side: a product, a license, a code-signing key, and releases.
	admin := srv.Client()
	prod, err := admin.Products.Create(ctx, keygen.ProductCreateOptions{Name: "Acme", DistributionStrategy: "LICENSED"})
	if err != nil {
		return err
	}
	pol, err := admin.Policies.Create(ctx, keygen.PolicyCreateOptions{Name: "Standard", ProductID: prod.ID, AuthenticationStrategy: "LICENSE"})
	if err != nil {
		return err
	}
	lic, err := admin.Licenses.Create(ctx, keygen.LicenseCreateOptions{PolicyID: pol.ID})
	if err != nil {
		return err
	}
	signPub, signPriv, err := ed25519.GenerateKey(rand.Reader) // `keygen genkey` makes a vendor's
	if err != nil {
		return err
	}
	publish := func(version string, build []byte, tamper bool) error {
		rel, err := admin.Releases.Create(ctx, keygen.ReleaseCreateOptions{ProductID: prod.ID, Version: version, Channel: "stable", Status: "PUBLISHED"})
		if err != nil {
			return err
		}
		digest := sha512.Sum512(build)
		sig, err := signPriv.Sign(nil, digest[:], &ed25519.Options{Hash: crypto.SHA512, Context: prod.ID})
		if err != nil {
			return err
		}
		if tamper {
			build = append(bytes.Clone(build), " with a backdoor"...) // after signing
		}
		size := int64(len(build))
		_, err = admin.Artifacts.Upload(ctx, keygen.ArtifactCreateOptions{
			ReleaseID: rel.ID, Filename: "acme-" + version + "_" + runtime.GOOS + "_" + runtime.GOARCH,
			Platform: runtime.GOOS, Arch: runtime.GOARCH, Filesize: &size,
			Checksum:  base64.StdEncoding.EncodeToString(digest[:]),
			Signature: base64.StdEncoding.EncodeToString(sig),
		}, bytes.NewReader(build))
		return err
	}
	if _, err := admin.Releases.Create(ctx, keygen.ReleaseCreateOptions{ProductID: prod.ID, Version: "1.0.0", Channel: "stable", Status: "PUBLISHED"}); err != nil {
		return err
	}
	if err := publish("1.1.0", []byte("acme 1.1.0"), false); err != nil {
		return err
	}
	fmt.Fprintln(out, "vendor: published 1.0.0 and 1.1.0, with a signed build of 1.1.0 for", runtime.GOOS+"/"+runtime.GOARCH)

	// The app's side: its executable (a throwaway copy here), its license key, and the
	// vendor's code-signing public key.
	dir, err := os.MkdirTemp("", "upgrade-example")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	exe := filepath.Join(dir, "acme")
	if err := os.WriteFile(exe, []byte("acme 1.0.0"), 0o755); err != nil {
		return err
	}
	app, err := keygen.NewClient(srv.AccountID, keygen.WithBaseURL(srv.URL),
		keygen.WithLicenseKey(lic.Key), keygen.WithPublicKey(srv.PublicKey))
	if err != nil {
		return err
	}
	signingKey := hex.EncodeToString(signPub)

	upgrade := func(current string) error {
		next, err := app.Releases.Upgrade(ctx, current, nil)
		if errors.Is(err, keygen.ErrNoUpgrade) && !keygen.IsUnverified(err) {
			fmt.Fprintln(out, "app: "+current+" is up to date")
			return nil
		}
		if err != nil {
			return err
		}
		fmt.Fprintln(out, "app: upgrade available:", current, "->", next.Version)
		if _, err := app.Releases.Install(ctx, next.ID, &keygen.InstallOptions{PublicKey: signingKey, Target: exe}); err != nil {
			fmt.Fprintln(out, "app: refused the build of", next.Version+":", err)
			return nil
		}
		fmt.Fprintln(out, "app: installed", next.Version, "(checksum and signature verified)")
		return nil
	}
	show := func() error {
		b, err := os.ReadFile(exe)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "app: the executable is now %q\n", b)
		return nil
	}

	if err := upgrade("1.0.0"); err != nil {
		return err
	}
	if err := show(); err != nil {
		return err
	}
	if err := upgrade("1.1.0"); err != nil {
		return err
	}
	if err := publish("1.2.0", []byte("acme 1.2.0"), true); err != nil {
		return err
	}
	fmt.Fprintln(out, "attacker: replaced the build of 1.2.0 after it was signed")
	if err := upgrade("1.1.0"); err != nil {
		return err
	}
	return show()
}
