package keygen

import (
	"context"
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	machineID   = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
	fingerprint = "4c:8e:91:0a:b2:7d"
)

// assertAdasMacBase checks every field of testdata/machine.json but the heartbeat ones, which
// Reset changes.
func assertAdasMacBase(t *testing.T, m *Machine) {
	t.Helper()
	assert.Equal(t, machineID, m.ID)
	assert.Equal(t, fingerprint, m.Fingerprint)
	assert.Equal(t, Ptr(8), m.Cores)
	assert.Equal(t, Ptr(int64(17179869184)), m.Memory)
	assert.Equal(t, Ptr(int64(274877906944)), m.Disk)
	assert.Equal(t, Ptr("203.0.113.7"), m.IP)
	assert.Equal(t, Ptr("ada-laptop"), m.Hostname)
	assert.Equal(t, Ptr("macOS"), m.Platform)
	assert.Equal(t, Ptr("Ada's MacBook"), m.Name)
	assert.True(t, m.RequireHeartbeat)
	assert.Equal(t, 600, m.HeartbeatDuration)
	assert.Equal(t, Ptr(4), m.MaxProcesses)
	assert.Equal(t, Ptr(mustTime(t, "2024-05-12T09:00:00Z")), m.LastCheckOut)
	assert.Equal(t, map[string]any{"osVersion": "14.4", "arm64": true}, m.Metadata)
	assert.Equal(t, mustTime(t, "2024-05-02T10:00:00Z"), m.Created)
	assert.Equal(t, "2313b7e7-1ea6-4a01-901e-2931de6bb1e2", m.ProductID)
	assert.Equal(t, licenseID, m.LicenseID)
	assert.Equal(t, userID, m.OwnerID)
	assert.Equal(t, "3b4c5d6e-7f80-4912-a3b4-c5d6e7f8a9b0", m.GroupID)
	assert.Equal(t, "4f2d6e0a-0f0b-4f7e-9d3c-6c1f4d2b8a11", m.AccountID)
	assert.Equal(t, "6a0c3b52-7d3e-4c8e-a1f0-2b9e5d4c3a21", m.EnvironmentID)
}

func assertAdasMac(t *testing.T, m *Machine) {
	t.Helper()
	assertAdasMacBase(t, m)
	assert.Equal(t, "ALIVE", m.HeartbeatStatus)
	assert.Equal(t, Ptr(mustTime(t, "2024-05-12T14:25:00.25Z")), m.LastHeartbeat)
	assert.Equal(t, Ptr(mustTime(t, "2024-05-12T14:35:00.25Z")), m.NextHeartbeat)
	assert.Equal(t, mustTime(t, "2024-05-12T14:25:00.25Z"), m.Updated)
}

func TestMachinesCreate(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	calls := expect(t, mt, wire{method: "POST", path: "/machines", golden: "machines_create.json", status: 201, fixture: "machine.json"})
	m, err := c.Machines.Create(context.Background(), MachineCreateOptions{
		LicenseID: licenseID, Fingerprint: fingerprint, Name: "Ada's MacBook", IP: "203.0.113.7",
		Hostname: "ada-laptop", Platform: "macOS", Cores: Ptr(8), Memory: Ptr(int64(17179869184)),
		Disk: Ptr(int64(274877906944)), Metadata: map[string]any{"osVersion": "14.4", "arm64": true},
		OwnerID: userID, GroupID: "3b4c5d6e-7f80-4912-a3b4-c5d6e7f8a9b0",
	})
	require.NoError(t, err)
	assert.Equal(t, 1, *calls)
	assertAdasMac(t, m)
}

func TestMachinesCreateRequiresLicenseAndFingerprint(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	_, err := c.Machines.Create(context.Background(), MachineCreateOptions{Fingerprint: fingerprint})
	require.ErrorIs(t, err, ErrInvalidArgument)
	_, err = c.Machines.Create(context.Background(), MachineCreateOptions{LicenseID: licenseID})
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Zero(t, mt.GetTotalCallCount())
}

// A taken fingerprint is a 422 whose error object points at the attribute.
func TestMachinesCreateFingerprintTaken(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "POST", path: "/machines", golden: "machines_create_minimal.json", status: 422, fixture: "machine_fingerprint_taken.json"})
	m, err := c.Machines.Create(context.Background(), MachineCreateOptions{LicenseID: licenseID, Fingerprint: fingerprint})
	assert.Nil(t, m)
	require.ErrorIs(t, err, ErrUnprocessable)
	assert.True(t, HasCode(err, CodeFingerprintTaken))
	var apiErr *Error
	require.True(t, errors.As(err, &apiErr))
	assert.Equal(t, 422, apiErr.StatusCode)
	assert.Equal(t, "b7c1e2d3-0a4f-4e5d-9c8b-7a6f5e4d3c2b", apiErr.RequestID)
	require.Len(t, apiErr.Errors, 1)
	assert.Equal(t, ErrorObject{
		Title: "Unprocessable resource", Detail: "has already been taken", Code: "FINGERPRINT_TAKEN",
		Source: ErrorSource{Pointer: "/data/attributes/fingerprint"},
		Links:  map[string]string{"about": "https://keygen.sh/docs/api/machines/#machines-object-attrs-fingerprint"},
	}, apiErr.Errors[0])
}

func TestMachinesGetByFingerprint(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "GET", path: "/machines/" + url.PathEscape(fingerprint), fixture: "machine.json"})
	m, err := c.Machines.Get(context.Background(), fingerprint)
	require.NoError(t, err)
	assertAdasMac(t, m)

	_, err = c.Machines.Get(context.Background(), "")
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Equal(t, 1, mt.GetTotalCallCount())
}

func TestMachinesUpdate(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "PATCH", path: "/machines/" + machineID, golden: "machines_update.json", fixture: "machine.json"})
	m, err := c.Machines.Update(context.Background(), machineID, MachineUpdateOptions{
		Name:     Set("Ada's MacBook"),
		IP:       Null[string](),
		Hostname: Set("ada-laptop"),
		Cores:    Set(8),
		Disk:     Null[int64](),
		Metadata: map[string]any{"osVersion": "14.4"},
	})
	require.NoError(t, err)
	assertAdasMac(t, m)

	_, err = c.Machines.Update(context.Background(), "", MachineUpdateOptions{})
	require.ErrorIs(t, err, ErrInvalidArgument)
}

func TestMachinesDelete(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	calls := expect(t, mt, wire{method: "DELETE", path: "/machines/" + machineID, status: 204})
	require.NoError(t, c.Machines.Delete(context.Background(), machineID))
	require.ErrorIs(t, c.Machines.Delete(context.Background(), ""), ErrInvalidArgument)
	assert.Equal(t, 1, *calls)
}

func TestMachinesList(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "GET", path: "/machines", fixture: "machines.json", query: url.Values{
		"limit":            {"5"},
		"product":          {"2313b7e7-1ea6-4a01-901e-2931de6bb1e2"},
		"policy":           {policyID},
		"license":          {licenseID},
		"key":              {licenseKey},
		"fingerprint":      {fingerprint},
		"ip":               {"203.0.113.7"},
		"hostname":         {"ada-laptop"},
		"user":             {userID},
		"owner":            {userID},
		"group":            {"3b4c5d6e-7f80-4912-a3b4-c5d6e7f8a9b0"},
		"status":           {"ALIVE"},
		"metadata[arm64]":  {"true"},
		"metadata[osName]": {"null"},
	}})
	page, err := c.Machines.List(context.Background(), &MachineListOptions{
		ListOptions: ListOptions{Limit: 5},
		Product:     "2313b7e7-1ea6-4a01-901e-2931de6bb1e2", Policy: policyID, License: licenseID, Key: licenseKey,
		Fingerprint: fingerprint, IP: "203.0.113.7", Hostname: "ada-laptop", User: userID, Owner: userID,
		Group: "3b4c5d6e-7f80-4912-a3b4-c5d6e7f8a9b0", Status: "ALIVE",
		Metadata: map[string]any{"arm64": true, "osName": nil},
	})
	require.NoError(t, err)
	require.Len(t, page.Data, 2)
	assertAdasMac(t, page.Data[0])
	bare := page.Data[1]
	assert.Equal(t, "9f:00:11:22:33:44", bare.Fingerprint)
	assert.Nil(t, bare.Cores)
	assert.Nil(t, bare.Memory)
	assert.Nil(t, bare.IP)
	assert.Nil(t, bare.LastHeartbeat)
	assert.Equal(t, "NOT_STARTED", bare.HeartbeatStatus)
	assert.False(t, bare.RequireHeartbeat)
	assert.Empty(t, bare.OwnerID)
	assert.Empty(t, bare.GroupID)
	assert.Empty(t, bare.EnvironmentID)
	// Limit mode: no links, no counts.
	assert.False(t, page.HasNext())
	assert.Zero(t, page.Count)
}

func TestMachinesAll(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "GET", path: "/machines", fixture: "machines.json", query: url.Values{
		"page[cursor]": {""}, "page[size]": {"100"}, "license": {licenseID},
	}})
	n := 0
	for m, err := range c.Machines.All(context.Background(), &MachineListOptions{License: licenseID}) {
		require.NoError(t, err)
		assert.Equal(t, licenseID, m.LicenseID)
		n++
	}
	assert.Equal(t, 2, n)
}

func TestMachinesPing(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "POST", path: "/machines/" + machineID + "/actions/ping", fixture: "machine.json"})
	m, err := c.Machines.Ping(context.Background(), machineID)
	require.NoError(t, err)
	assertAdasMac(t, m)
	_, err = c.Machines.Ping(context.Background(), "")
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Equal(t, 1, mt.GetTotalCallCount())
}

func TestMachinesPingDead(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "POST", path: "/machines/" + machineID + "/actions/ping", status: 422, fixture: "machine_heartbeat_dead.json"})
	m, err := c.Machines.Ping(context.Background(), machineID)
	assert.Nil(t, m)
	require.ErrorIs(t, err, ErrUnprocessable)
	assert.True(t, HasCode(err, CodeMachineHeartbeatDead))
	var apiErr *Error
	require.True(t, errors.As(err, &apiErr))
	assert.Equal(t, "is dead", apiErr.Errors[0].Detail)
	assert.Equal(t, "Unprocessable entity", apiErr.Errors[0].Title)
	assert.Equal(t, "c8d2f3e4-1b5a-4f6e-8d9c-8b7a6f5e4d3c", apiErr.RequestID)
}

func TestMachinesReset(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "POST", path: "/machines/" + machineID + "/actions/reset", fixture: "machine_reset.json"})
	m, err := c.Machines.Reset(context.Background(), machineID)
	require.NoError(t, err)
	assertAdasMacBase(t, m)
	assert.Equal(t, "NOT_STARTED", m.HeartbeatStatus)
	assert.Nil(t, m.LastHeartbeat)
	assert.Nil(t, m.NextHeartbeat)
	assert.Equal(t, mustTime(t, "2024-05-12T15:00:00Z"), m.Updated)
}

func TestMachinesCheckOut(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "POST", path: "/machines/" + machineID + "/actions/check-out", golden: "machines_check_out.json", fixture: "machine_file.json"})
	f, err := c.Machines.CheckOut(context.Background(), machineID, &CheckOutOptions{
		NoExpiry: true, Include: []string{"license", "license.entitlements"},
	})
	require.NoError(t, err)
	assert.Equal(t, "6f7a8b9c-0d1e-4f2a-b3c4-d5e6f7a8b9c0", f.ID)
	assert.Contains(t, f.Certificate, "-----BEGIN MACHINE FILE-----\neyJlbmMi")
	assert.Equal(t, "base64+ed25519", f.Algorithm)
	assert.Equal(t, []string{"license", "license.entitlements"}, f.Includes)
	assert.Nil(t, f.TTL)
	assert.Nil(t, f.Expiry)
	assert.Equal(t, mustTime(t, "2024-05-12T14:40:00Z"), f.Issued)
	assert.Equal(t, machineID, f.MachineID)
	assert.Equal(t, licenseID, f.LicenseID)
	assert.Equal(t, "4f2d6e0a-0f0b-4f7e-9d3c-6c1f4d2b8a11", f.AccountID)
	assert.Equal(t, "6a0c3b52-7d3e-4c8e-a1f0-2b9e5d4c3a21", f.EnvironmentID)

	_, err = c.Machines.CheckOut(context.Background(), machineID, &CheckOutOptions{TTL: -time.Second})
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Equal(t, 1, mt.GetTotalCallCount())
}
