package keygen

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const componentID = "c0a1b2c3-d4e5-4f60-8172-a3b4c5d6e7f9"

// assertBootDisk checks every field of the component in testdata/component.json.
func assertBootDisk(t *testing.T, cp *Component) {
	t.Helper()
	assert.Equal(t, componentID, cp.ID)
	assert.Equal(t, "disk:WD-WX12A3456789", cp.Fingerprint)
	assert.Equal(t, "Boot disk", cp.Name)
	assert.Equal(t, map[string]any{"sizeGb": float64(512)}, cp.Metadata)
	assert.Equal(t, mustTime(t, "2024-05-02T10:00:00Z"), cp.Created)
	assert.Equal(t, mustTime(t, "2024-05-03T07:20:00.125Z"), cp.Updated)
	assert.Equal(t, machineID, cp.MachineID)
	assert.Equal(t, licenseID, cp.LicenseID)
	assert.Equal(t, "2313b7e7-1ea6-4a01-901e-2931de6bb1e2", cp.ProductID)
	assert.Equal(t, "4f2d6e0a-0f0b-4f7e-9d3c-6c1f4d2b8a11", cp.AccountID)
	assert.Equal(t, "6a0c3b52-7d3e-4c8e-a1f0-2b9e5d4c3a21", cp.EnvironmentID)
}

func TestComponentsCreate(t *testing.T) {
	c, mt := newTestClient(t)
	calls := expect(t, mt, wire{method: "POST", path: "/components", golden: "components_create.json", status: 201, fixture: "component.json"})
	cp, err := c.Components.Create(context.Background(), ComponentCreateOptions{
		MachineID: machineID, Fingerprint: "disk:WD-WX12A3456789", Name: "Boot disk",
		Metadata: map[string]any{"sizeGb": 512},
	})
	require.NoError(t, err)
	assert.Equal(t, 1, *calls)
	assertBootDisk(t, cp)
}

func TestComponentsCreateRequiredFields(t *testing.T) {
	c, mt := newTestClient(t)
	for _, o := range []ComponentCreateOptions{
		{Fingerprint: "disk:1", Name: "Disk"},
		{MachineID: machineID, Name: "Disk"},
		{MachineID: machineID, Fingerprint: "disk:1"},
		{MachineID: " ", Fingerprint: "disk:1", Name: "Disk"},
		{MachineID: machineID, Fingerprint: "disk:1", Name: "\n"},
	} {
		_, err := c.Components.Create(context.Background(), o)
		require.ErrorIs(t, err, ErrInvalidArgument, "%+v", o)
	}
	assert.Zero(t, mt.GetTotalCallCount())
}

func TestComponentsGetUpdateDelete(t *testing.T) {
	c, mt := newTestClient(t)
	path := "/components/" + componentID
	expect(t, mt, wire{method: "GET", path: path, fixture: "component.json"})
	expect(t, mt, wire{method: "PATCH", path: path, golden: "components_update.json", fixture: "component.json"})
	del := expect(t, mt, wire{method: "DELETE", path: path, status: 204})

	cp, err := c.Components.Get(context.Background(), componentID)
	require.NoError(t, err)
	assertBootDisk(t, cp)
	cp, err = c.Components.Update(context.Background(), componentID, ComponentUpdateOptions{
		Name: Ptr("Boot disk"), Metadata: map[string]any{"sizeGb": 512},
	})
	require.NoError(t, err)
	assertBootDisk(t, cp)
	require.NoError(t, c.Components.Delete(context.Background(), componentID))
	assert.Equal(t, 1, *del)

	_, err = c.Components.Get(context.Background(), "")
	require.ErrorIs(t, err, ErrInvalidArgument)
	_, err = c.Components.Update(context.Background(), componentID, ComponentUpdateOptions{Name: Ptr(" ")})
	require.ErrorIs(t, err, ErrInvalidArgument)
	_, err = c.Components.Update(context.Background(), "", ComponentUpdateOptions{})
	require.ErrorIs(t, err, ErrInvalidArgument)
	require.ErrorIs(t, c.Components.Delete(context.Background(), ""), ErrInvalidArgument)
	assert.Equal(t, 3, mt.GetTotalCallCount())
}

func TestComponentsList(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "GET", path: "/components", fixture: "components.json", query: url.Values{
		"page[number]": {"1"}, "page[size]": {"2"},
		"machine": {machineID}, "license": {licenseID}, "product": {"2313b7e7-1ea6-4a01-901e-2931de6bb1e2"},
		"owner": {userID}, "user": {otherUserID},
	}})
	page, err := c.Components.List(context.Background(), &ComponentListOptions{
		ListOptions: ListOptions{PageNumber: 1, PageSize: 2},
		Machine:     machineID, License: licenseID, Product: "2313b7e7-1ea6-4a01-901e-2931de6bb1e2",
		Owner: userID, User: otherUserID,
	})
	require.NoError(t, err)
	require.Len(t, page.Data, 2)
	assertBootDisk(t, page.Data[0])
	cp := page.Data[1]
	assert.Equal(t, "c1b2c3d4-e5f6-4071-8283-b4c5d6e7f8a0", cp.ID)
	assert.Equal(t, "mb:MS-7C91-0042", cp.Fingerprint)
	assert.Equal(t, "Motherboard", cp.Name)
	assert.Equal(t, map[string]any{}, cp.Metadata)
	assert.Equal(t, machineID, cp.MachineID)
	assert.Empty(t, cp.EnvironmentID)
	assert.Equal(t, 2, page.Count)
}

func TestComponentsAll(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "GET", path: "/components", fixture: "components.json", query: url.Values{
		"page[cursor]": {""}, "page[size]": {"100"}, "machine": {machineID},
	}})
	var names []string
	for cp, err := range c.Components.All(context.Background(), &ComponentListOptions{Machine: machineID}) {
		require.NoError(t, err)
		names = append(names, cp.Name)
	}
	assert.Equal(t, []string{"Boot disk", "Motherboard"}, names)
}

// With signatures checked, a component answer for another machine or fingerprint than the
// one sent is a relayed answer, however genuine its signature.
func TestComponentsCreateBindsTheAnswer(t *testing.T) {
	c, mt, priv := newSigningClient(t)
	respondSigned(t, mt, priv, "POST", "/components", 201, "component.json")
	_, err := c.Components.Create(context.Background(), ComponentCreateOptions{MachineID: machineID, Fingerprint: "disk:WD-WX12A3456789", Name: "Boot disk"})
	require.NoError(t, err)
	_, err = c.Components.Create(context.Background(), ComponentCreateOptions{MachineID: machineID, Fingerprint: "disk:other", Name: "Boot disk"})
	requireSignatureError(t, err, "another machine or fingerprint")
	_, err = c.Components.Create(context.Background(), ComponentCreateOptions{MachineID: "7b8c9d0e-1f2a-4b3c-9d4e-5f6a7b8c9d0e", Fingerprint: "disk:WD-WX12A3456789", Name: "Boot disk"})
	requireSignatureError(t, err, "another machine or fingerprint")
}

func TestMachinesCreateWithComponents(t *testing.T) {
	c, mt := newTestClient(t)
	calls := expect(t, mt, wire{method: "POST", path: "/machines", golden: "machines_create_components.json", status: 201, fixture: "machine.json"})
	m, err := c.Machines.Create(context.Background(), MachineCreateOptions{
		LicenseID: licenseID, Fingerprint: fingerprint,
		Components: []MachineComponent{
			{Fingerprint: "disk:WD-WX12A3456789", Name: "Boot disk", Metadata: map[string]any{"sizeGb": 512}},
			{Fingerprint: "mb:MS-7C91-0042", Name: "Motherboard"},
		},
	})
	require.NoError(t, err)
	assert.Equal(t, 1, *calls)
	assertAdasMac(t, m)
}

func TestMachinesCreateComponentsLocalErrors(t *testing.T) {
	c, mt := newTestClient(t)
	tooMany := make([]MachineComponent, 21)
	for i := range tooMany {
		tooMany[i] = MachineComponent{Fingerprint: fmt.Sprintf("disk:%d", i), Name: "Disk"}
	}
	for name, cs := range map[string][]MachineComponent{
		"21 components":  tooMany,
		"no fingerprint": {{Name: "Disk"}},
		"blank name":     {{Fingerprint: "disk:1", Name: "Disk"}, {Fingerprint: "disk:2", Name: " "}},
	} {
		_, err := c.Machines.Create(context.Background(), MachineCreateOptions{LicenseID: licenseID, Fingerprint: fingerprint, Components: cs})
		require.ErrorIs(t, err, ErrInvalidArgument, name)
	}
	assert.Zero(t, mt.GetTotalCallCount())

	// Twenty is the limit, and allowed.
	calls := expect(t, mt, wire{method: "POST", path: "/machines", golden: "machines_create_20_components.json", status: 201, fixture: "machine.json"})
	_, err := c.Machines.Create(context.Background(), MachineCreateOptions{LicenseID: licenseID, Fingerprint: fingerprint, Components: tooMany[:20]})
	require.NoError(t, err)
	assert.Equal(t, 1, *calls)
}

// A fingerprint repeated within the activation gives one error per duplicate item, each
// pointing at the item; nothing is created.
func TestMachinesCreateComponentsFingerprintConflict(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "POST", path: "/machines", golden: "machines_create_duplicate_components.json", status: 422, fixture: "error_components_fingerprint_conflict.json"})
	_, err := c.Machines.Create(context.Background(), MachineCreateOptions{
		LicenseID: licenseID, Fingerprint: fingerprint,
		Components: []MachineComponent{
			{Fingerprint: "disk:1", Name: "Disk"}, {Fingerprint: "mb:1", Name: "Board"}, {Fingerprint: "disk:1", Name: "Disk again"},
		},
	})
	require.ErrorIs(t, err, ErrUnprocessable)
	assert.True(t, HasCode(err, CodeComponentsFingerprintConflict))
	var apiErr *Error
	require.True(t, errors.As(err, &apiErr))
	require.Len(t, apiErr.Errors, 2)
	assert.Equal(t, "/data/relationships/components/data/0/attributes/fingerprint", apiErr.Errors[0].Source.Pointer)
	assert.Equal(t, "/data/relationships/components/data/2/attributes/fingerprint", apiErr.Errors[1].Source.Pointer)
	assert.Equal(t, "is duplicated", apiErr.Errors[1].Detail)
}

// respondSigned answers every method request to path with the fixture, signed with priv.
func respondSigned(t *testing.T, mt *httpmock.MockTransport, priv ed25519.PrivateKey, method, path string, status int, name string) {
	body := fixture(t, name)
	mt.RegisterResponder(method, apiURL(path), func(req *http.Request) (*http.Response, error) {
		resp := httpmock.NewBytesResponse(status, body)
		resp.Header.Set("Content-Type", "application/vnd.api+json")
		resp.Request = req
		signResponse(t, priv, req, resp)
		return resp, nil
	})
}
