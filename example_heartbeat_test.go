package keygen_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/licensekit/keygen"
	"github.com/licensekit/keygen/keygentest"
)

// A machine of a policy that requires heartbeats stays alive while its app runs a monitor;
// once the app stops pinging, Keygen declares it dead.
func ExampleHeartbeatMonitor_Run() {
	srv := keygentest.NewServer()
	defer srv.Close()
	c := srv.Client()
	policy := newPolicy(srv, keygen.PolicyCreateOptions{
		Name: "Heartbeat", RequireHeartbeat: keygen.Ptr(true), HeartbeatDuration: keygen.Ptr(10 * 60),
		// Keep dead machines to show them; Keygen's default deactivates (deletes) them.
		HeartbeatCullStrategy: "KEEP_DEAD",
	})
	lic, err := c.Licenses.Create(context.Background(), keygen.LicenseCreateOptions{PolicyID: policy.ID})
	if err != nil {
		log.Fatal(err)
	}
	m, err := c.Machines.Create(context.Background(), keygen.MachineCreateOptions{LicenseID: lic.ID, Fingerprint: "fp-1"})
	if err != nil {
		log.Fatal(err)
	}

	// Run pings at once, then every half heartbeat duration, until the context ends: here
	// after the first ping, as when the app quits.
	ctx, stop := context.WithTimeout(context.Background(), 10*time.Second)
	defer stop()
	mon := keygen.NewHeartbeatMonitor(c, m.ID, keygen.HeartbeatOptions{
		OnPing: func(m *keygen.Machine) {
			fmt.Println("ping:", m.HeartbeatStatus)
			stop()
		},
		OnError: func(err error) { log.Print(err) }, // passing failures, retried
	})
	err = mon.Run(ctx)
	fmt.Println(errors.Is(err, context.Canceled))

	// Without pings, the machine is dead once its heartbeat duration has passed.
	srv.Advance(11 * time.Minute)
	m, err = c.Machines.Get(context.Background(), m.ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(m.HeartbeatStatus)
	// Output:
	// ping: ALIVE
	// true
	// DEAD
}
