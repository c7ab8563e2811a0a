package keygen_test

// End-to-end tests of the licensing model: entitlements, components, processes and groups,
// with the wire rules of keygen-sh/keygen-api (app/services/license_validation_service.rb,
// app/models/machine_process.rb, app/models/group.rb, features/api/v1/...).

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	keygen "github.com/licensekit/keygen"
)

// licensingFixture is a product, a floating policy with the given process limit and a
// license of it.
func (e *e2e) licensingFixture(maxProcesses *int) (*keygen.Policy, *keygen.License) {
	e.t.Helper()
	prod := e.product("App " + randomHex(e.t, 3))
	pol := e.policy(keygen.PolicyCreateOptions{ProductID: prod.ID, Floating: keygen.Ptr(true), MaxProcesses: maxProcesses, AuthenticationStrategy: "LICENSE"})
	lic, err := e.admin.Licenses.Create(e.ctx, keygen.LicenseCreateOptions{PolicyID: pol.ID})
	require.NoError(e.t, err)
	return pol, lic
}

func TestE2EEntitlementsValidation(t *testing.T) {
	t.Parallel()
	e := newE2E(t)
	pol, lic := e.licensingFixture(nil)
	pro, err := e.admin.Entitlements.Create(e.ctx, keygen.EntitlementCreateOptions{Name: "Pro", Code: "PRO"})
	require.NoError(t, err)
	_, err = e.admin.Entitlements.Create(e.ctx, keygen.EntitlementCreateOptions{Name: "Pro (any case)", Code: "pro"})
	errWithCode(t, err, 422, "CODE_TAKEN", "/data/attributes/code")
	require.NoError(t, e.admin.Policies.AttachEntitlements(e.ctx, pol.ID, pro.ID))

	got, err := e.admin.Entitlements.Get(e.ctx, "PRO")
	require.NoError(t, err)
	assert.Equal(t, pro.ID, got.ID)

	app := e.client(keygen.WithLicenseKey(lic.Key), keygen.WithPublicKey(e.srv.PublicKey))
	v, err := app.Licenses.Validate(e.ctx, lic.ID, &keygen.ValidateOptions{Scope: &keygen.ValidationScope{Entitlements: []string{"PRO"}}})
	require.NoError(t, err)
	assert.True(t, v.Valid)
	assert.Equal(t, keygen.ValidationCode("VALID"), v.Code)
	assert.True(t, v.HasEntitlement("PRO"))
	assert.False(t, v.HasEntitlement("pro"), "codes compare exactly")

	v, err = app.Licenses.Validate(e.ctx, lic.ID, &keygen.ValidateOptions{Scope: &keygen.ValidationScope{Entitlements: []string{"PRO", "ENTERPRISE"}}})
	require.NoError(t, err)
	assert.False(t, v.Valid)
	assert.Equal(t, keygen.ValidationEntitlementsMissing, v.Code)
	assert.Equal(t, "is missing one or more required entitlements", v.Detail)
	assert.False(t, v.HasEntitlement("PRO"), "an invalid validation proves nothing")

	// A machine file checked out with the license's entitlements includes them.
	m, err := app.Machines.Create(e.ctx, keygen.MachineCreateOptions{LicenseID: lic.ID, Fingerprint: "fp-" + randomHex(t, 4)})
	require.NoError(t, err)
	f, err := app.Machines.CheckOut(e.ctx, m.ID, &keygen.CheckOutOptions{Include: []string{"license.entitlements"}})
	require.NoError(t, err)
	data, err := f.Open(e.srv.PublicKey, lic.Key, m.Fingerprint)
	require.NoError(t, err)
	assert.True(t, data.HasEntitlement("PRO"))
	assert.False(t, data.HasEntitlement("ENTERPRISE"))
	assert.Equal(t, []string{"PRO"}, data.EntitlementCodes())
}

func TestE2EComponents(t *testing.T) {
	t.Parallel()
	e := newE2E(t)
	_, lic := e.licensingFixture(nil)
	app := e.client(keygen.WithLicenseKey(lic.Key))
	m, err := app.Machines.Create(e.ctx, keygen.MachineCreateOptions{
		LicenseID:   lic.ID,
		Fingerprint: "host-1",
		Components: []keygen.MachineComponent{
			{Fingerprint: "cpu-1", Name: "CPU"},
			{Fingerprint: "disk-1", Name: "Disk"},
		},
	})
	require.NoError(t, err)
	comps := collect(t, e.admin.Components.All(e.ctx, &keygen.ComponentListOptions{Machine: m.ID}))
	assert.ElementsMatch(t, []string{"cpu-1", "disk-1"}, ids(comps, func(c *keygen.Component) string { return c.Fingerprint }))

	v, err := app.Licenses.Validate(e.ctx, lic.ID, &keygen.ValidateOptions{Scope: &keygen.ValidationScope{Fingerprint: "host-1", Components: []string{"cpu-1"}}})
	require.NoError(t, err)
	assert.True(t, v.Valid, "%s: %s", v.Code, v.Detail)

	v, err = app.Licenses.Validate(e.ctx, lic.ID, &keygen.ValidateOptions{Scope: &keygen.ValidationScope{Fingerprint: "host-1", Components: []string{"gpu-9"}}})
	require.NoError(t, err)
	assert.False(t, v.Valid)
	assert.Equal(t, keygen.ValidationComponentsScopeMismatch, v.Code)

	// A repeated component fingerprint activates nothing.
	_, err = app.Machines.Create(e.ctx, keygen.MachineCreateOptions{
		LicenseID: lic.ID, Fingerprint: "host-2",
		Components: []keygen.MachineComponent{{Fingerprint: "x", Name: "X"}, {Fingerprint: "x", Name: "X"}},
	})
	errWithCode(t, err, 422, "COMPONENTS_FINGERPRINT_CONFLICT", "/data/relationships/components/data/0/attributes/fingerprint")
	ms := collect(t, e.admin.Machines.All(e.ctx, nil))
	assert.Len(t, ms, 1)
}

func TestE2EProcessLimit(t *testing.T) {
	t.Parallel()
	e := newE2E(t)
	_, lic := e.licensingFixture(keygen.Ptr(2))
	app := e.client(keygen.WithLicenseKey(lic.Key))
	m, err := app.Machines.Create(e.ctx, keygen.MachineCreateOptions{LicenseID: lic.ID, Fingerprint: "host"})
	require.NoError(t, err)
	for _, pid := range []string{"1", "2"} {
		p, err := app.Processes.Create(e.ctx, keygen.ProcessCreateOptions{MachineID: m.ID, PID: pid})
		require.NoError(t, err)
		assert.Equal(t, pid, p.PID)
	}
	_, err = app.Processes.Create(e.ctx, keygen.ProcessCreateOptions{MachineID: m.ID, PID: "3"})
	o := errWithCode(t, err, 422, "MACHINE_PROCESS_LIMIT_EXCEEDED", "/data")
	assert.Equal(t, "process count has exceeded maximum allowed for machine (2)", o.Detail)
	procs := collect(t, e.admin.Processes.All(e.ctx, nil))
	assert.Len(t, procs, 2, "a refused spawn creates nothing")

	// Killing one makes room again.
	require.NoError(t, app.Processes.Delete(e.ctx, procs[0].ID))
	_, err = app.Processes.Create(e.ctx, keygen.ProcessCreateOptions{MachineID: m.ID, PID: "3"})
	require.NoError(t, err)
}

func TestE2EGroupMachineLimit(t *testing.T) {
	t.Parallel()
	e := newE2E(t)
	_, lic := e.licensingFixture(nil)
	g, err := e.admin.Groups.Create(e.ctx, keygen.GroupCreateOptions{Name: "Team", MaxMachines: keygen.Ptr(1)})
	require.NoError(t, err)
	moved, err := e.admin.Licenses.ChangeGroup(e.ctx, lic.ID, g.ID)
	require.NoError(t, err)
	assert.Equal(t, g.ID, moved.GroupID)

	m, err := e.admin.Machines.Create(e.ctx, keygen.MachineCreateOptions{LicenseID: lic.ID, Fingerprint: "a"})
	require.NoError(t, err)
	assert.Equal(t, g.ID, m.GroupID, "a machine takes its license's group")
	_, err = e.admin.Machines.Create(e.ctx, keygen.MachineCreateOptions{LicenseID: lic.ID, Fingerprint: "b"})
	o := errWithCode(t, err, 422, "GROUP_MACHINE_LIMIT_EXCEEDED", "/data/relationships/group")
	assert.Equal(t, "machine count has exceeded maximum allowed by current group (1)", o.Detail)
	members, err := e.admin.Groups.ListMachines(e.ctx, g.ID, nil)
	require.NoError(t, err)
	require.Len(t, members.Data, 1)
	assert.Equal(t, m.ID, members.Data[0].ID)
}
