// Command keygentest serves the in-memory Keygen API of package keygentest for programs in
// any language. Once listening it prints one JSON line on stdout:
//
//	{"url":…,"account":…,"adminToken":…,"adminEmail":…,"adminPassword":…,"publicKey":…}
//
// and serves until SIGINT or SIGTERM. POST /_keygentest/advance?by=<Go duration> (with
// the admin token) moves its clock.
//
// Flags:
//
//	-addr 127.0.0.1:0      address to listen on (a free port by default)
//	-rate-limit N          throttle each credential to N requests per window (0: off)
//	-rate-window 1m        the throttle's window
//	-insecure-webhooks     allow http:// and loopback webhook endpoint URLs (not like Keygen)
//	-max-artifact-bytes N  bound the artifact bytes kept in memory (default 64 MiB)
//
// Artifacts are uploaded and downloaded through the URLs that POST /artifacts and GET
// /artifacts/{id} name in Location: absolute, short-lived URLs under /_keygentest/ on the host
// the client used, taking a plain PUT or GET from any HTTP client (no Keygen headers).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/licensekit/keygen/keygentest"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	rateLimit := flag.Int("rate-limit", 0, "requests allowed per window and credential (0 disables throttling)")
	rateWindow := flag.Duration("rate-window", time.Minute, "throttle window")
	insecure := flag.Bool("insecure-webhooks", false, "allow http:// and loopback webhook endpoint URLs (a keygentest-only deviation)")
	maxArtifactBytes := flag.Int64("max-artifact-bytes", 0, "bound on the artifact bytes kept in memory (0: 64 MiB)")
	flag.Parse()

	opts := []keygentest.Option{keygentest.WithAddr(*addr)}
	if *rateLimit > 0 {
		opts = append(opts, keygentest.WithRateLimit(*rateLimit, *rateWindow))
	}
	if *insecure {
		opts = append(opts, keygentest.WithInsecureWebhooks())
	}
	if *maxArtifactBytes > 0 {
		opts = append(opts, keygentest.WithMaxArtifactBytes(*maxArtifactBytes))
	}
	srv, err := keygentest.Start(opts...)
	if err != nil {
		fmt.Fprintln(os.Stderr, "keygentest:", err)
		os.Exit(1)
	}
	defer srv.Close()

	// Signals are caught before the line is printed, so a caller may stop the server as
	// soon as it has read the line.
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)

	line, _ := json.Marshal(info{
		URL:           srv.URL,
		Account:       srv.AccountID,
		AdminToken:    srv.AdminToken,
		AdminEmail:    srv.AdminEmail,
		AdminPassword: srv.AdminPassword,
		PublicKey:     srv.PublicKey,
	})
	fmt.Println(string(line))

	<-stop
}

// info is the one line printed once listening, in this key order.
type info struct {
	URL           string `json:"url"`
	Account       string `json:"account"`
	AdminToken    string `json:"adminToken"`
	AdminEmail    string `json:"adminEmail"`
	AdminPassword string `json:"adminPassword"`
	PublicKey     string `json:"publicKey"`
}
