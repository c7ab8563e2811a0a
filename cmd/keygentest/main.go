// Command keygentest serves the in-memory Keygen API of package keygentest for programs in
// any language. Once listening it prints one JSON line on stdout:
//
//	{"url":…,"account":…,"adminToken":…,"adminEmail":…,"adminPassword":…,"publicKey":…}
//
// and serves until SIGINT or SIGTERM. POST /_keygentest/advance?by=<Go duration> (with
// the admin token) moves its clock.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/licensekit/keygen/keygentest"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	flag.Parse()

	srv, err := keygentest.Start(keygentest.WithAddr(*addr))
	if err != nil {
		fmt.Fprintln(os.Stderr, "keygentest:", err)
		os.Exit(1)
	}
	defer srv.Close()

	line, _ := json.Marshal(map[string]string{
		"url":           srv.URL,
		"account":       srv.AccountID,
		"adminToken":    srv.AdminToken,
		"adminEmail":    srv.AdminEmail,
		"adminPassword": srv.AdminPassword,
		"publicKey":     srv.PublicKey,
	})
	fmt.Println(string(line))

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	<-stop
}
