package keygen_test

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/licensekit/keygen"
)

// A desktop app looks for a newer release when it starts and installs it, verified, over its
// executable; the new version runs from the next start. Here the executable is a file in a
// temporary directory and Keygen a canned server (keygentest does not serve releases yet).
func ExampleReleasesService_Install() {
	srv, signingKey, productID := distributionServer()
	defer srv.Close()
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	target := filepath.Join(dir, "acme") // the default is the running executable
	if err := os.WriteFile(target, []byte("acme 1.2.0"), 0o755); err != nil {
		log.Fatal(err)
	}
	app, err := keygen.NewClient("acme", keygen.WithBaseURL(srv.URL), keygen.WithLicenseKey("C1B6DE-39A6E3-DE1529-8559A0-4AF593-V3"))
	if err != nil {
		log.Fatal(err)
	}
	ctx, version := context.Background(), "1.2.0"

	next, err := app.Releases.Upgrade(ctx, version, &keygen.UpgradeOptions{Product: productID})
	switch {
	case errors.Is(err, keygen.ErrNoUpgrade) && !keygen.IsUnverified(err):
		fmt.Println("up to date")
		return
	case err != nil:
		log.Print(err) // no answer, or none to trust: try again later
		return
	}
	_, err = app.Releases.Install(ctx, next.ID, &keygen.InstallOptions{PublicKey: signingKey, Target: target})
	if err != nil {
		log.Print(err) // nothing was replaced
		return
	}
	fmt.Println("installed", next.Version, "- restart to run it")

	b, _ := os.ReadFile(target)
	fmt.Println(string(b))
	// Output:
	// installed 1.3.0 - restart to run it
	// acme 1.3.0
}

// distributionServer answers as Keygen does the calls of an upgrade (keygen-sh/keygen-api,
// releases/relationships/upgrades_controller.rb, releases_controller.rb and
// release_artifacts_controller.rb), and serves the artifact's bytes as a storage host. It
// returns the vendor's code-signing public key and the product id.
func distributionServer() (*httptest.Server, string, string) {
	const (
		productID  = "2313b7e7-1ea6-4a01-901e-2931de6bb1e2"
		releaseID  = "7a3b4c5d-6e7f-4081-8c9d-1e2f3a4b5c6d"
		artifactID = "3d4e5f60-7182-4a93-b4c5-d6e7f8091a2b"
	)
	build := []byte("acme 1.3.0")
	vendor := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)) // `keygen genkey` makes yours
	digest := sha512.Sum512(build)
	sig, err := vendor.Sign(nil, digest[:], &ed25519.Options{Hash: crypto.SHA512, Context: productID})
	if err != nil {
		log.Fatal(err)
	}
	release := map[string]any{"type": "releases", "id": releaseID,
		"attributes": map[string]any{"version": "1.3.0", "channel": "stable", "status": "PUBLISHED",
			"semver": map[string]any{"major": 1, "minor": 3, "patch": 0}},
		"relationships": map[string]any{"product": map[string]any{"data": map[string]any{"type": "products", "id": productID}}}}
	var srv *httptest.Server
	artifact := func() map[string]any {
		return map[string]any{"type": "artifacts", "id": artifactID,
			"attributes": map[string]any{"filename": "acme_" + runtime.GOOS + "_" + runtime.GOARCH, "filesize": len(build),
				"platform": runtime.GOOS, "arch": runtime.GOARCH, "status": "UPLOADED",
				"checksum":  base64.RawStdEncoding.EncodeToString(digest[:]),
				"signature": base64.RawStdEncoding.EncodeToString(sig)},
			"relationships": map[string]any{"release": map[string]any{"data": map[string]any{"type": "releases", "id": releaseID}}},
			"links":         map[string]any{"redirect": srv.URL + "/storage/acme?X-Amz-Signature=presigned"}}
	}
	reply := func(w http.ResponseWriter, status int, doc any) {
		w.Header().Set("Content-Type", "application/vnd.api+json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(doc)
	}
	const api = "/v1/accounts/acme"
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch p := r.URL.Path; {
		case p == api+"/releases/1.2.0/upgrade":
			reply(w, 200, map[string]any{"data": release, "meta": map[string]any{"current": "1.2.0", "next": "1.3.0"}})
		case p == api+"/releases/"+releaseID:
			reply(w, 200, map[string]any{"data": release})
		case p == api+"/artifacts":
			reply(w, 200, map[string]any{"data": []any{artifact()}})
		case p == api+"/artifacts/"+artifactID:
			w.Header().Set("Location", artifact()["links"].(map[string]any)["redirect"].(string))
			reply(w, http.StatusSeeOther, map[string]any{"data": artifact()})
		case strings.HasPrefix(p, "/storage/") && r.Header.Get("Authorization") == "":
			_, _ = w.Write(build)
		default:
			http.NotFound(w, r)
		}
	}))
	return srv, hex.EncodeToString(vendor.Public().(ed25519.PublicKey)), productID
}
