// Machine, validation and check-out routes are being added to keygentest; remove the build
// tag once they land.

package keygen_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	keygen "github.com/licensekit/keygen"
)

// TestE2EDesktopFlow is the story of a desktop app: it holds only its license key,
// validates with a fingerprint scope, activates this machine, pings, checks out a license
// file, and later sees suspension and expiry. Every answer is signature-checked.
func TestE2EDesktopFlow(t *testing.T) {
	t.Parallel()
	e := newE2E(t)
	prod := e.product("Desktop")
	pol := e.policy(keygen.PolicyCreateOptions{
		ProductID: prod.ID, Duration: keygen.Ptr(7 * 86400), AuthenticationStrategy: "LICENSE",
	})
	lic, err := e.admin.Licenses.Create(e.ctx, keygen.LicenseCreateOptions{PolicyID: pol.ID})
	require.NoError(t, err)

	app := e.client(keygen.WithLicenseKey(lic.Key), keygen.WithPublicKey(e.srv.PublicKey))
	const fp = "4f:3a:9c:11:22:33"
	scope := &keygen.ValidateOptions{Scope: &keygen.ValidationScope{Fingerprint: fp}}

	// 1. Not activated yet: NO_MACHINE for a node-locked license (§3 step 6g).
	v, err := app.Licenses.ValidateKey(e.ctx, lic.Key, scope)
	require.NoError(t, err)
	assert.False(t, v.Valid)
	assert.Equal(t, keygen.ValidationNoMachine, v.Code)
	require.NotNil(t, v.License)
	assert.Equal(t, lic.ID, v.License.ID)
	require.NotNil(t, v.Scope)
	assert.Equal(t, fp, v.Scope.Fingerprint)
	assert.NotZero(t, v.Nonce, "a nonce is sent and echoed under WithPublicKey")

	// 2. Activate this machine with license-key auth (§2.7).
	m, err := app.Machines.Create(e.ctx, keygen.MachineCreateOptions{
		LicenseID: lic.ID, Fingerprint: fp, Name: "Alice's laptop", Platform: "darwin", Hostname: "alice-mbp", Cores: keygen.Ptr(8),
	})
	require.NoError(t, err)
	assert.Len(t, m.ID, 36)
	assert.Equal(t, fp, m.Fingerprint)
	assert.Equal(t, lic.ID, m.LicenseID)
	assert.Equal(t, prod.ID, m.ProductID)
	assert.Equal(t, e.srv.AccountID, m.AccountID)
	require.NotNil(t, m.Cores)
	assert.Equal(t, 8, *m.Cores)
	require.NotNil(t, m.Platform)
	assert.Equal(t, "darwin", *m.Platform)
	assert.False(t, m.RequireHeartbeat)
	assert.Equal(t, "NOT_STARTED", m.HeartbeatStatus)
	assert.Equal(t, 600, m.HeartbeatDuration, "policy value or 600")
	assert.Nil(t, m.LastHeartbeat)
	assert.Empty(t, m.Metadata)

	// 3. Now valid for this fingerprint, not for another.
	v, err = app.Licenses.ValidateKey(e.ctx, lic.Key, scope)
	require.NoError(t, err)
	assert.True(t, v.Valid)
	assert.Equal(t, keygen.ValidationValid, v.Code)
	assert.Equal(t, 1, v.License.MachineCount)
	assert.Equal(t, int64(8), v.License.MachineCores)
	other, err := app.Licenses.ValidateKey(e.ctx, lic.Key, &keygen.ValidateOptions{Scope: &keygen.ValidationScope{Fingerprint: "other"}})
	require.NoError(t, err)
	assert.False(t, other.Valid)
	assert.Equal(t, keygen.ValidationFingerprintScopeMismatch, other.Code)

	// 4. Heartbeat ping and reset.
	pinged, err := app.Machines.Ping(e.ctx, m.ID)
	require.NoError(t, err)
	assert.Equal(t, "ALIVE", pinged.HeartbeatStatus)
	assert.True(t, pinged.RequireHeartbeat, "a heartbeat was sent")
	require.NotNil(t, pinged.LastHeartbeat)
	require.NotNil(t, pinged.NextHeartbeat)
	assert.WithinDuration(t, pinged.LastHeartbeat.Add(600*time.Second), *pinged.NextHeartbeat, time.Second)
	reset, err := e.admin.Machines.Reset(e.ctx, m.ID)
	require.NoError(t, err)
	assert.Nil(t, reset.LastHeartbeat)

	// 5. Check out a license file and a machine file, and verify them offline.
	lf, err := app.Licenses.CheckOut(e.ctx, lic.ID, &keygen.CheckOutOptions{Encrypt: true})
	require.NoError(t, err)
	assert.Equal(t, lic.ID, verifyCertificate(t, e.srv.PublicKey, lf.Certificate, "LICENSE", lic.Key, "").Data.ID)
	mf, err := app.Machines.CheckOut(e.ctx, m.ID, &keygen.CheckOutOptions{Encrypt: true, Include: []string{"license"}})
	require.NoError(t, err)
	assert.Equal(t, "aes-256-gcm+ed25519", mf.Algorithm)
	assert.Equal(t, m.ID, mf.MachineID)
	assert.Equal(t, lic.ID, mf.LicenseID)
	mp := verifyCertificate(t, e.srv.PublicKey, mf.Certificate, "MACHINE", lic.Key, fp)
	assert.Equal(t, m.ID, mp.Data.ID)
	assert.Equal(t, "machines", mp.Data.Type)
	assert.Len(t, mp.Included, 1)
	got, err := e.admin.Machines.Get(e.ctx, m.ID)
	require.NoError(t, err)
	require.NotNil(t, got.LastCheckOut)

	// 6. An unknown key is NOT_FOUND with no license.
	nf, err := app.Licenses.ValidateKey(e.ctx, "UNKNOWN-KEY", scope)
	require.NoError(t, err)
	assert.False(t, nf.Valid)
	assert.Equal(t, keygen.ValidationNotFound, nf.Code)
	assert.Nil(t, nf.License)

	// 7. The same fingerprint again, and a second machine on a node-locked license.
	_, err = app.Machines.Create(e.ctx, keygen.MachineCreateOptions{LicenseID: lic.ID, Fingerprint: fp})
	errWithCode(t, err, 422, keygen.CodeFingerprintTaken, "/data/attributes/fingerprint")
	_, err = app.Machines.Create(e.ctx, keygen.MachineCreateOptions{LicenseID: lic.ID, Fingerprint: "second-machine"})
	errWithCode(t, err, 422, keygen.CodeMachineLimitExceeded, "/data")

	// 8. Suspension: validation says SUSPENDED; the key no longer authenticates.
	_, err = e.admin.Licenses.Suspend(e.ctx, lic.ID)
	require.NoError(t, err)
	anon := e.client(keygen.WithPublicKey(e.srv.PublicKey))
	v, err = anon.Licenses.ValidateKey(e.ctx, lic.Key, scope)
	require.NoError(t, err)
	assert.False(t, v.Valid)
	assert.Equal(t, keygen.ValidationSuspended, v.Code)
	_, err = app.Machines.Get(e.ctx, m.ID)
	errWithCode(t, err, 403, keygen.CodeLicenseSuspended, "")
	_, err = e.admin.Licenses.Reinstate(e.ctx, lic.ID)
	require.NoError(t, err)

	// 9. Past the policy duration: EXPIRED (RESTRICT_ACCESS: invalid). The server clock
	// moved, so its signed Date is now far from ours: a WithPublicKey client refuses the
	// answer unless it tolerates the skew.
	e.srv.Advance(8 * 24 * time.Hour)
	_, err = anon.Licenses.ValidateKey(e.ctx, lic.Key, scope)
	assert.True(t, errors.Is(err, keygen.ErrSignatureInvalid), "got %v", err)
	late := e.client(keygen.WithPublicKey(e.srv.PublicKey), keygen.WithClockSkew(30*24*time.Hour))
	v, err = late.Licenses.ValidateKey(e.ctx, lic.Key, scope)
	require.NoError(t, err)
	assert.False(t, v.Valid)
	assert.Equal(t, keygen.ValidationExpired, v.Code)
	assert.Equal(t, "EXPIRED", v.License.Status)

	// 10. Deactivate: the seat is free again.
	require.NoError(t, e.admin.Machines.Delete(e.ctx, m.ID))
	_, err = e.admin.Machines.Get(e.ctx, m.ID)
	errWithCode(t, err, 404, keygen.CodeNotFound, "")
	l, err := e.admin.Licenses.Get(e.ctx, lic.ID)
	require.NoError(t, err)
	assert.Equal(t, 0, l.MachineCount)
}

func TestE2EMachinesCRUD(t *testing.T) {
	t.Parallel()
	e := newE2E(t)
	prod := e.product("App")
	pol := e.policy(keygen.PolicyCreateOptions{ProductID: prod.ID, Floating: keygen.Ptr(true), MaxMachines: keygen.Ptr(2)})
	owner, _ := e.user("owner@example.com", "owner-pass")
	lic, err := e.admin.Licenses.Create(e.ctx, keygen.LicenseCreateOptions{PolicyID: pol.ID, OwnerID: owner.ID})
	require.NoError(t, err)
	lic2, err := e.admin.Licenses.Create(e.ctx, keygen.LicenseCreateOptions{PolicyID: pol.ID})
	require.NoError(t, err)

	m1, err := e.admin.Machines.Create(e.ctx, keygen.MachineCreateOptions{
		LicenseID: lic.ID, Fingerprint: "fp-1", IP: "192.0.2.1", Metadata: map[string]any{"osBuild": "22A"}, OwnerID: owner.ID,
	})
	require.NoError(t, err)
	assert.Equal(t, owner.ID, m1.OwnerID)
	require.NotNil(t, m1.IP)
	assert.Equal(t, "192.0.2.1", *m1.IP)
	assert.Equal(t, map[string]any{"osBuild": "22A"}, m1.Metadata)
	m2, err := e.admin.Machines.Create(e.ctx, keygen.MachineCreateOptions{LicenseID: lic.ID, Fingerprint: "fp-2"})
	require.NoError(t, err)
	m3, err := e.admin.Machines.Create(e.ctx, keygen.MachineCreateOptions{LicenseID: lic2.ID, Fingerprint: "fp-1"})
	require.NoError(t, err, "UNIQUE_PER_LICENSE allows the same fingerprint on another license")

	// Floating, maxMachines 2: the third is refused (§2.7).
	_, err = e.admin.Machines.Create(e.ctx, keygen.MachineCreateOptions{LicenseID: lic.ID, Fingerprint: "fp-3"})
	errWithCode(t, err, 422, keygen.CodeMachineLimitExceeded, "/data")
	// An owner who is not a user of the license.
	stranger, _ := e.user("stranger@example.com", "stranger-pass")
	_, err = e.admin.Machines.Create(e.ctx, keygen.MachineCreateOptions{LicenseID: lic2.ID, Fingerprint: "fp-x", OwnerID: stranger.ID})
	errWithCode(t, err, 422, "OWNER_INVALID", "/data/relationships/owner")

	// Get by fingerprint alias; update with set and clear.
	got, err := e.admin.Machines.Get(e.ctx, "fp-2")
	require.NoError(t, err)
	assert.Equal(t, m2.ID, got.ID)
	up, err := e.admin.Machines.Update(e.ctx, m1.ID, keygen.MachineUpdateOptions{Name: keygen.Set("Build box"), IP: keygen.Null[string](), Cores: keygen.Set(16)})
	require.NoError(t, err)
	require.NotNil(t, up.Name)
	assert.Equal(t, "Build box", *up.Name)
	assert.Nil(t, up.IP)
	require.NotNil(t, up.Cores)
	assert.Equal(t, 16, *up.Cores)

	// Filters (§1.9) and All.
	byLicense, err := e.admin.Machines.List(e.ctx, &keygen.MachineListOptions{License: lic.ID})
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{m1.ID, m2.ID}, ids(byLicense.Data, func(m *keygen.Machine) string { return m.ID }))
	byFP, err := e.admin.Machines.List(e.ctx, &keygen.MachineListOptions{Fingerprint: "fp-1"})
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{m1.ID, m3.ID}, ids(byFP.Data, func(m *keygen.Machine) string { return m.ID }))
	byKey, err := e.admin.Machines.List(e.ctx, &keygen.MachineListOptions{Key: lic2.Key})
	require.NoError(t, err)
	assert.Equal(t, []string{m3.ID}, ids(byKey.Data, func(m *keygen.Machine) string { return m.ID }))
	all := collect(t, e.admin.Machines.All(e.ctx, &keygen.MachineListOptions{ListOptions: keygen.ListOptions{PageSize: 2}}))
	assert.Len(t, all, 3)

	l, err := e.admin.Licenses.Get(e.ctx, lic.ID)
	require.NoError(t, err)
	assert.Equal(t, 2, l.MachineCount)
	assert.Equal(t, int64(16), l.MachineCores)

	// A user token sees the machines of their own license only.
	oc := e.tokenClient(e.mustLogin("owner@example.com", "owner-pass"))
	mine := collect(t, oc.Machines.All(e.ctx, nil))
	assert.ElementsMatch(t, []string{m1.ID, m2.ID}, ids(mine, func(m *keygen.Machine) string { return m.ID }))
	_, err = oc.Machines.Get(e.ctx, m3.ID)
	errWithCode(t, err, 404, keygen.CodeNotFound, "")

	require.NoError(t, e.admin.Machines.Delete(e.ctx, m2.ID))
	l, err = e.admin.Licenses.Get(e.ctx, lic.ID)
	require.NoError(t, err)
	assert.Equal(t, 1, l.MachineCount)
}

func (e *e2e) mustLogin(email, password string) string {
	e.t.Helper()
	tok, err := e.client().Tokens.Generate(e.ctx, email, password, nil)
	require.NoError(e.t, err)
	return tok.Secret
}

// TestE2EMachineHeartbeats: a machine that misses its heartbeat is DEAD and, with
// NO_REVIVE, cannot ping again (§2.7); a HeartbeatMonitor pings on its own.
func TestE2EMachineHeartbeats(t *testing.T) {
	t.Parallel()
	e := newE2E(t)
	prod := e.product("App")
	pol := e.policy(keygen.PolicyCreateOptions{
		ProductID: prod.ID, RequireHeartbeat: keygen.Ptr(true), HeartbeatDuration: keygen.Ptr(120),
		HeartbeatCullStrategy: "KEEP_DEAD", HeartbeatResurrectionStrategy: "NO_REVIVE",
	})
	lic, err := e.admin.Licenses.Create(e.ctx, keygen.LicenseCreateOptions{PolicyID: pol.ID})
	require.NoError(t, err)
	m, err := e.admin.Machines.Create(e.ctx, keygen.MachineCreateOptions{LicenseID: lic.ID, Fingerprint: "hb-1"})
	require.NoError(t, err)
	assert.True(t, m.RequireHeartbeat)
	assert.Equal(t, 120, m.HeartbeatDuration)
	// FROM_CREATION basis: the machine starts alive (§2.7, §1.12).
	assert.Equal(t, "ALIVE", m.HeartbeatStatus)
	require.NotNil(t, m.LastHeartbeat)

	// A monitor pings at once; stop it after the first ping.
	ctx, cancel := context.WithCancel(e.ctx)
	var pinged *keygen.Machine
	mon := keygen.NewHeartbeatMonitor(e.admin, m.ID, keygen.HeartbeatOptions{OnPing: func(pm *keygen.Machine) {
		pinged = pm
		cancel()
	}})
	err = mon.Run(ctx)
	assert.ErrorIs(t, err, context.Canceled)
	require.NotNil(t, pinged)
	assert.Equal(t, m.ID, pinged.ID)
	assert.Equal(t, "ALIVE", pinged.HeartbeatStatus)

	e.srv.Advance(5 * time.Minute)
	dead, err := e.admin.Machines.Get(e.ctx, m.ID)
	require.NoError(t, err)
	assert.Equal(t, "DEAD", dead.HeartbeatStatus)
	v, err := e.admin.Licenses.Validate(e.ctx, lic.ID, &keygen.ValidateOptions{Scope: &keygen.ValidationScope{Fingerprint: "hb-1"}})
	require.NoError(t, err)
	assert.False(t, v.Valid)
	assert.Equal(t, keygen.ValidationHeartbeatDead, v.Code)
	_, err = e.admin.Machines.Ping(e.ctx, m.ID)
	o := errWithCode(t, err, 422, keygen.CodeMachineHeartbeatDead, "")
	assert.Equal(t, "is dead", o.Detail)
	// The monitor stops for good on a dead machine.
	err = keygen.NewHeartbeatMonitor(e.admin, m.ID, keygen.HeartbeatOptions{}).Run(e.ctx)
	assert.True(t, keygen.HasCode(err, keygen.CodeMachineHeartbeatDead), "got %v", err)
}
