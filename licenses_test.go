package keygen

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	licenseID  = "8c1f2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f"
	licenseKey = "A1B2C3-D4E5F6-A7B8C9-D0E1F2-A3B4C5-V3"
	policyID   = "77aa4c1e-5b2d-4f3a-9e8c-1d2f3a4b5c6d"
	// signedKey is an ED25519_SIGN key: it holds "/" and cannot be a path segment.
	signedKey = "key/eyJsaWNlbnNlIjp7ImlkIjoiOGMxZiJ9fQ==.c2lnbmF0dXJl"
)

// assertProSeat checks every field of the license in testdata/license.json; updated is the
// fixture's "updated" time, which differs between answers.
func assertProSeat(t *testing.T, l *License, updated string) {
	t.Helper()
	assert.Equal(t, licenseID, l.ID)
	assert.Equal(t, Ptr("Pro seat"), l.Name)
	assert.Equal(t, licenseKey, l.Key)
	assert.Equal(t, Ptr(mustTime(t, "2025-05-01T10:00:00Z")), l.Expiry)
	assert.Equal(t, 3, l.Uses)
	assert.Nil(t, l.Scheme)
	assert.False(t, l.Encrypted)
	assert.True(t, l.Strict)
	assert.True(t, l.Floating)
	assert.True(t, l.Protected)
	assert.Equal(t, Ptr("1.4.2"), l.Version)
	assert.Equal(t, Ptr(5), l.MaxMachines)
	assert.Equal(t, Ptr(10), l.MaxProcesses)
	assert.Equal(t, Ptr(3), l.MaxUsers)
	assert.Equal(t, Ptr(16), l.MaxCores)
	assert.Equal(t, Ptr(int64(17179869184)), l.MaxMemory)
	assert.Equal(t, Ptr(int64(549755813888)), l.MaxDisk)
	assert.Equal(t, Ptr(100), l.MaxUses)
	assert.True(t, l.RequireHeartbeat)
	assert.True(t, l.RequireCheckIn)
	assert.Equal(t, Ptr(mustTime(t, "2024-05-09T08:00:00Z")), l.LastCheckIn)
	assert.Equal(t, Ptr(mustTime(t, "2024-06-09T08:00:00Z")), l.NextCheckIn)
	assert.Equal(t, Ptr(mustTime(t, "2024-05-09T08:05:30.75Z")), l.LastCheckOut)
	assert.Equal(t, []string{"license.validate", "machine.create"}, l.Permissions)
	assert.Equal(t, map[string]any{"orderId": "ord_123", "seats": float64(5)}, l.Metadata)
	assert.Equal(t, mustTime(t, "2024-05-01T10:00:00Z"), l.Created)
	assert.Equal(t, mustTime(t, updated), l.Updated)
	assert.Equal(t, "2313b7e7-1ea6-4a01-901e-2931de6bb1e2", l.ProductID)
	assert.Equal(t, policyID, l.PolicyID)
	assert.Equal(t, userID, l.OwnerID)
	assert.Equal(t, "3b4c5d6e-7f80-4912-a3b4-c5d6e7f8a9b0", l.GroupID)
	assert.Equal(t, "4f2d6e0a-0f0b-4f7e-9d3c-6c1f4d2b8a11", l.AccountID)
	assert.Equal(t, "6a0c3b52-7d3e-4c8e-a1f0-2b9e5d4c3a21", l.EnvironmentID)
	// Link-only relationships: the counts come from their meta.
	assert.Equal(t, 2, l.MachineCount)
	assert.Equal(t, int64(8), l.MachineCores)
	assert.Equal(t, int64(17179869184), l.MachineMemory)
	assert.Equal(t, int64(274877906944), l.MachineDisk)
	assert.Equal(t, 2, l.UserCount)
}

func assertActiveProSeat(t *testing.T, l *License) {
	t.Helper()
	assertProSeat(t, l, "2024-05-10T12:00:00.5Z")
	assert.Equal(t, "ACTIVE", l.Status)
	assert.False(t, l.Suspended)
	assert.Equal(t, Ptr(mustTime(t, "2024-05-10T12:00:00.5Z")), l.LastValidated)
}

func TestLicensesCreate(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	calls := expect(t, mt, wire{method: "POST", path: "/licenses", golden: "licenses_create.json", status: 201, fixture: "license.json"})
	// A non-UTC expiry is sent in UTC with milliseconds, as Keygen writes times.
	expiry := time.Date(2025, 5, 1, 12, 0, 0, 0, time.FixedZone("CEST", 2*3600))
	l, err := c.Licenses.Create(context.Background(), LicenseCreateOptions{
		PolicyID: policyID, OwnerID: userID, GroupID: "3b4c5d6e-7f80-4912-a3b4-c5d6e7f8a9b0",
		Key: licenseKey, Name: "Pro seat", Metadata: map[string]any{"orderId": "ord_123"},
		Permissions: []string{"license.validate", "machine.create"},
		Expiry:      &expiry, Protected: Ptr(true), Suspended: Ptr(false),
		MaxMachines: Ptr(5), MaxCores: Ptr(16), MaxMemory: Ptr(int64(17179869184)), MaxDisk: Ptr(int64(549755813888)),
		MaxUses: Ptr(100), MaxProcesses: Ptr(10), MaxUsers: Ptr(3),
	})
	require.NoError(t, err)
	assert.Equal(t, 1, *calls)
	assertActiveProSeat(t, l)
}

func TestLicensesCreateMinimal(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "POST", path: "/licenses", golden: "licenses_create_minimal.json", status: 201, fixture: "license.json"})
	_, err := c.Licenses.Create(context.Background(), LicenseCreateOptions{PolicyID: policyID})
	require.NoError(t, err)

	_, err = c.Licenses.Create(context.Background(), LicenseCreateOptions{OwnerID: userID})
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Equal(t, 1, mt.GetTotalCallCount())
}

func TestLicensesGetByKey(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "GET", path: "/licenses/" + licenseKey, fixture: "license.json"})
	l, err := c.Licenses.Get(context.Background(), licenseKey)
	require.NoError(t, err)
	assertActiveProSeat(t, l)
}

// A signed key cannot be routed; the refusal must not repeat the key.
func TestLicensesGetRefusesSignedKeyWithoutEchoingIt(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	_, err := c.Licenses.Get(context.Background(), signedKey)
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.NotContains(t, err.Error(), "eyJsaWNlbnNl")
	_, err = c.Licenses.Validate(context.Background(), signedKey, nil)
	require.ErrorIs(t, err, ErrInvalidArgument)
	_, err = c.Licenses.Get(context.Background(), "")
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Zero(t, mt.GetTotalCallCount())
}

func TestLicensesUpdate(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "PATCH", path: "/licenses/" + licenseID, golden: "licenses_update.json", fixture: "license.json"})
	l, err := c.Licenses.Update(context.Background(), licenseID, LicenseUpdateOptions{
		Name:        Set("Pro seat"),
		Expiry:      Null[time.Time](), // never expires
		Suspended:   Ptr(false),
		Protected:   Ptr(true),
		MaxMachines: Set(5),
		MaxCores:    Null[int](), // back to the policy's limit
		MaxMemory:   Set(int64(17179869184)),
		MaxUses:     Set(100),
		Metadata:    map[string]any{"orderId": "ord_123", "seats": 5},
	})
	require.NoError(t, err)
	assertActiveProSeat(t, l)
}

func TestLicensesUpdateSetsExpiry(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "PATCH", path: "/licenses/" + licenseID, golden: "licenses_update_expiry.json", fixture: "license.json"})
	_, err := c.Licenses.Update(context.Background(), licenseID, LicenseUpdateOptions{
		Expiry: Set(time.Date(2025, 5, 1, 10, 0, 0, 0, time.UTC)),
	})
	require.NoError(t, err)
}

func TestLicensesDeleteAndRevoke(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	del := expect(t, mt, wire{method: "DELETE", path: "/licenses/" + licenseID, status: 204})
	rev := expect(t, mt, wire{method: "DELETE", path: "/licenses/" + licenseID + "/actions/revoke", status: 204})
	require.NoError(t, c.Licenses.Delete(context.Background(), licenseID))
	require.NoError(t, c.Licenses.Revoke(context.Background(), licenseID))
	assert.Equal(t, 1, *del)
	assert.Equal(t, 1, *rev)
	require.ErrorIs(t, c.Licenses.Revoke(context.Background(), ""), ErrInvalidArgument)
	require.ErrorIs(t, c.Licenses.Delete(context.Background(), ""), ErrInvalidArgument)
	assert.Equal(t, 2, mt.GetTotalCallCount())
}

func TestLicensesList(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "GET", path: "/licenses", fixture: "licenses.json", query: url.Values{
		"page[number]":      {"1"},
		"page[size]":        {"2"},
		"order":             {"asc"},
		"owner":             {userID},
		"user":              {"ada@example.com"},
		"product":           {"2313b7e7-1ea6-4a01-901e-2931de6bb1e2"},
		"policy":            {policyID},
		"machine":           {"1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"},
		"group":             {"3b4c5d6e-7f80-4912-a3b4-c5d6e7f8a9b0"},
		"status":            {"ACTIVE"},
		"suspended":         {"false"},
		"expired":           {"false"},
		"expiring":          {"true"},
		"expires[within]":   {"604800"},
		"expires[before]":   {"2025-01-01T00:00:00Z"},
		"expires[after]":    {"2024-06-01T00:00:00Z"},
		"metadata[orderId]": {"ord_123"},
	}})
	page, err := c.Licenses.List(context.Background(), &LicenseListOptions{
		ListOptions: ListOptions{PageSize: 2, PageNumber: 1, Ascending: true},
		Owner:       userID, User: "ada@example.com", Product: "2313b7e7-1ea6-4a01-901e-2931de6bb1e2",
		Policy: policyID, Machine: "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", Group: "3b4c5d6e-7f80-4912-a3b4-c5d6e7f8a9b0",
		Status: "ACTIVE", Suspended: Ptr(false), Expired: Ptr(false), Expiring: Ptr(true),
		ExpiresWithin: 7 * 24 * time.Hour,
		ExpiresBefore: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
		ExpiresAfter:  time.Date(2024, 6, 1, 2, 0, 0, 0, time.FixedZone("CEST", 2*3600)),
		Metadata:      map[string]any{"orderId": "ord_123"},
	})
	require.NoError(t, err)
	require.Len(t, page.Data, 2)
	assertActiveProSeat(t, page.Data[0])

	// A legacy-encrypted license: no key attribute, nulls everywhere, empty counts.
	l := page.Data[1]
	assert.Equal(t, "0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b", l.ID)
	assert.Empty(t, l.Key)
	assert.Equal(t, Ptr("LEGACY_ENCRYPT"), l.Scheme)
	assert.True(t, l.Encrypted)
	assert.Equal(t, "INACTIVE", l.Status)
	assert.Nil(t, l.Name)
	assert.Nil(t, l.Expiry)
	assert.Nil(t, l.MaxUses)
	assert.Nil(t, l.LastValidated)
	assert.Empty(t, l.OwnerID)
	assert.Empty(t, l.GroupID)
	assert.Empty(t, l.EnvironmentID)
	assert.Zero(t, l.MachineCount)
	assert.Zero(t, l.UserCount)
	assert.Equal(t, 1, page.Pages)
	assert.Equal(t, 2, page.Count)
	assert.False(t, page.HasNext())
}

func TestLicensesListRejectsNegativeWithin(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	_, err := c.Licenses.List(context.Background(), &LicenseListOptions{ExpiresWithin: -time.Hour})
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Zero(t, mt.GetTotalCallCount())
}

func TestLicensesAll(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "GET", path: "/licenses", fixture: "licenses.json", query: url.Values{
		"page[cursor]": {""}, "page[size]": {"100"}, "policy": {policyID},
	}})
	var ids []string
	for l, err := range c.Licenses.All(context.Background(), &LicenseListOptions{Policy: policyID}) {
		require.NoError(t, err)
		ids = append(ids, l.ID)
	}
	assert.Equal(t, []string{licenseID, "0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b"}, ids)
}

func TestLicensesSuspend(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "POST", path: "/licenses/" + licenseID + "/actions/suspend", fixture: "license_suspended.json"})
	l, err := c.Licenses.Suspend(context.Background(), licenseID)
	require.NoError(t, err)
	assertProSeat(t, l, "2024-05-11T09:30:00Z")
	assert.True(t, l.Suspended)
	assert.Equal(t, "SUSPENDED", l.Status)
}

// The actions that answer with the license and take no body.
func TestLicensesActions(t *testing.T) {
	t.Parallel()
	for name, call := range map[string]func(c *Client, id string) (*License, error){
		"reinstate":   func(c *Client, id string) (*License, error) { return c.Licenses.Reinstate(context.Background(), id) },
		"renew":       func(c *Client, id string) (*License, error) { return c.Licenses.Renew(context.Background(), id) },
		"check-in":    func(c *Client, id string) (*License, error) { return c.Licenses.CheckIn(context.Background(), id) },
		"reset-usage": func(c *Client, id string) (*License, error) { return c.Licenses.ResetUsage(context.Background(), id) },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, mt := newTestClient(t)
			calls := expect(t, mt, wire{method: "POST", path: "/licenses/" + licenseID + "/actions/" + name, fixture: "license.json"})
			l, err := call(c, licenseID)
			require.NoError(t, err)
			assertActiveProSeat(t, l)
			assert.Equal(t, 1, *calls)
			_, err = call(c, "")
			require.ErrorIs(t, err, ErrInvalidArgument)
			assert.Equal(t, 1, *calls)
		})
	}
}

func TestLicensesUsage(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "POST", path: "/licenses/" + licenseID + "/actions/increment-usage", golden: "licenses_increment_usage.json", fixture: "license.json"})
	expect(t, mt, wire{method: "POST", path: "/licenses/" + licenseID + "/actions/decrement-usage", golden: "licenses_decrement_usage.json", fixture: "license.json"})
	l, err := c.Licenses.IncrementUsage(context.Background(), licenseID, 2)
	require.NoError(t, err)
	assertActiveProSeat(t, l)
	l, err = c.Licenses.DecrementUsage(context.Background(), licenseID, 1)
	require.NoError(t, err)
	assertActiveProSeat(t, l)

	_, err = c.Licenses.IncrementUsage(context.Background(), licenseID, 0)
	require.ErrorIs(t, err, ErrInvalidArgument)
	_, err = c.Licenses.DecrementUsage(context.Background(), licenseID, -1)
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Equal(t, 2, mt.GetTotalCallCount())
}

func assertLicenseFile(t *testing.T, f *LicenseFile) {
	t.Helper()
	assert.Equal(t, "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9", f.ID)
	assert.Contains(t, f.Certificate, "-----BEGIN LICENSE FILE-----\neyJlbmMi")
	assert.Equal(t, "aes-256-gcm+ed25519", f.Algorithm)
	assert.Equal(t, []string{"entitlements", "owner"}, f.Includes)
	assert.Equal(t, Ptr(1209600), f.TTL)
	assert.Equal(t, Ptr(mustTime(t, "2024-05-26T14:30:00Z")), f.Expiry)
	assert.Equal(t, mustTime(t, "2024-05-12T14:30:00Z"), f.Issued)
	assert.Equal(t, licenseID, f.LicenseID)
	assert.Equal(t, "4f2d6e0a-0f0b-4f7e-9d3c-6c1f4d2b8a11", f.AccountID)
	assert.Equal(t, "6a0c3b52-7d3e-4c8e-a1f0-2b9e5d4c3a21", f.EnvironmentID)
}

func TestLicensesCheckOut(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "POST", path: "/licenses/" + licenseID + "/actions/check-out", golden: "licenses_check_out.json", fixture: "license_file.json"})
	f, err := c.Licenses.CheckOut(context.Background(), licenseID, &CheckOutOptions{
		Encrypt: true, Algorithm: "aes-256-gcm+ed25519", TTL: 14 * 24 * time.Hour, Include: []string{"entitlements", "owner"},
	})
	require.NoError(t, err)
	assertLicenseFile(t, f)
}

func TestLicensesCheckOutNoExpiry(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "POST", path: "/licenses/" + licenseID + "/actions/check-out", golden: "licenses_check_out_no_expiry.json", fixture: "license_file.json"})
	_, err := c.Licenses.CheckOut(context.Background(), licenseID, &CheckOutOptions{NoExpiry: true})
	require.NoError(t, err)
}

func TestLicensesCheckOutDefaults(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	calls := expect(t, mt, wire{method: "POST", path: "/licenses/" + licenseID + "/actions/check-out", fixture: "license_file.json"})
	_, err := c.Licenses.CheckOut(context.Background(), licenseID, nil)
	require.NoError(t, err)
	_, err = c.Licenses.CheckOut(context.Background(), licenseID, &CheckOutOptions{})
	require.NoError(t, err)
	assert.Equal(t, 2, *calls)
}

func TestLicensesCheckOutBadOptions(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	for _, o := range []CheckOutOptions{
		{TTL: -time.Hour},
		{TTL: time.Hour, NoExpiry: true},
		{TTL: 90*time.Minute + time.Millisecond},
	} {
		_, err := c.Licenses.CheckOut(context.Background(), licenseID, &o)
		require.ErrorIs(t, err, ErrInvalidArgument, "%+v", o)
	}
	_, err := c.Licenses.CheckOut(context.Background(), "", nil)
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Zero(t, mt.GetTotalCallCount())
}

func TestLicensesGenerateToken(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	calls := expect(t, mt, wire{
		method: "POST", path: "/licenses/" + licenseID + "/tokens",
		golden: "licenses_generate_token.json", fixture: "token_license.json", // 200, not 201
	})
	tok, err := c.Licenses.GenerateToken(context.Background(), licenseID, &LicenseTokenOptions{
		Name:             "Installer",
		Expiry:           Set(time.Date(2025, 5, 1, 10, 0, 0, 0, time.UTC)),
		MaxActivations:   Ptr(3),
		MaxDeactivations: Ptr(0), // zero is a real limit, and is sent
		Permissions:      []string{"license.validate", "machine.create", "machine.delete"},
	})
	require.NoError(t, err)
	assert.Equal(t, 1, *calls)
	assert.Equal(t, "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", tok.ID)
	assert.Equal(t, "activation-token", tok.Kind)
	assert.Equal(t, "activ-0f1e2d3c4b5a69788796a5b4c3d2e1f0v3", tok.Secret)
	assert.Equal(t, Ptr("Installer"), tok.Name)
	assert.Equal(t, Ptr(mustTime(t, "2025-05-01T10:00:00Z")), tok.Expiry)
	assert.Equal(t, Ptr(3), tok.MaxActivations)
	assert.Zero(t, tok.Activations)
	assert.Equal(t, Ptr(1), tok.MaxDeactivations)
	assert.Zero(t, tok.Deactivations)
	assert.Equal(t, "licenses", tok.BearerType)
	assert.Equal(t, licenseID, tok.BearerID)
}

func TestLicensesGenerateTokenLocalErrors(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	for _, tc := range []struct {
		id   string
		opts *LicenseTokenOptions
	}{
		{"", nil},
		{signedKey, nil},
		{licenseID, &LicenseTokenOptions{MaxActivations: Ptr(-1)}},
		{licenseID, &LicenseTokenOptions{MaxDeactivations: Ptr(-1)}},
	} {
		_, err := c.Licenses.GenerateToken(context.Background(), tc.id, tc.opts)
		require.ErrorIs(t, err, ErrInvalidArgument, "%q %+v", tc.id, tc.opts)
		assert.NotContains(t, err.Error(), signedKey)
	}
	assert.Zero(t, mt.GetTotalCallCount())

	calls := expect(t, mt, wire{method: "POST", path: "/licenses/" + licenseKey + "/tokens", fixture: "token_license.json"})
	_, err := c.Licenses.GenerateToken(context.Background(), licenseKey, nil)
	require.NoError(t, err)
	assert.Equal(t, 1, *calls)
}

func TestLicensesChangePolicy(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	calls := expect(t, mt, wire{method: "PUT", path: "/licenses/" + licenseID + "/policy", golden: "licenses_change_policy.json", fixture: "license.json"})
	l, err := c.Licenses.ChangePolicy(context.Background(), licenseID, policyID)
	require.NoError(t, err)
	assert.Equal(t, 1, *calls)
	assertActiveProSeat(t, l)

	for _, args := range [][2]string{{licenseID, ""}, {licenseID, " "}, {"", policyID}, {signedKey, policyID}} {
		_, err := c.Licenses.ChangePolicy(context.Background(), args[0], args[1])
		require.ErrorIs(t, err, ErrInvalidArgument, "%q", args)
	}
	assert.Equal(t, 1, mt.GetTotalCallCount())
}

func TestLicensesChangeOwner(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	calls := expect(t, mt, wire{method: "PUT", path: "/licenses/" + licenseID + "/owner", golden: "licenses_change_owner.json", fixture: "license.json"})
	l, err := c.Licenses.ChangeOwner(context.Background(), licenseID, userID)
	require.NoError(t, err)
	assert.Equal(t, 1, *calls)
	assertActiveProSeat(t, l)

	_, err = c.Licenses.ChangeOwner(context.Background(), licenseID, "  ")
	require.ErrorIs(t, err, ErrInvalidArgument)
	_, err = c.Licenses.ChangeOwner(context.Background(), "", userID)
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Equal(t, 1, mt.GetTotalCallCount())
}

func TestLicensesChangeOwnerToNobodySendsNull(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	calls := expect(t, mt, wire{method: "PUT", path: "/licenses/" + licenseID + "/owner", golden: "licenses_change_owner_null.json", fixture: "license.json"})
	_, err := c.Licenses.ChangeOwner(context.Background(), licenseID, "")
	require.NoError(t, err)
	assert.Equal(t, 1, *calls)
}
