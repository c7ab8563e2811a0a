package keygen

import (
	"context"
	"errors"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	processID     = "f0e1d2c3-b4a5-4968-8776-5a4b3c2d1e0f"
	deadProcessID = "f1e2d3c4-b5a6-4079-8887-6b5c4d3e2f1a"
)

// assertWorker checks every field of the process in testdata/process.json.
func assertWorker(t *testing.T, p *Process) {
	t.Helper()
	assert.Equal(t, processID, p.ID)
	assert.Equal(t, "4242", p.PID)
	assert.Equal(t, "ALIVE", p.Status)
	assert.Equal(t, mustTime(t, "2024-05-12T14:25:00.25Z"), p.LastHeartbeat)
	assert.Equal(t, mustTime(t, "2024-05-12T14:35:00.25Z"), p.NextHeartbeat)
	assert.Equal(t, 600, p.Interval)
	assert.Equal(t, map[string]any{"version": "1.4.2"}, p.Metadata)
	assert.Equal(t, mustTime(t, "2024-05-12T14:00:00Z"), p.Created)
	assert.Equal(t, mustTime(t, "2024-05-12T14:25:00.25Z"), p.Updated)
	assert.Equal(t, machineID, p.MachineID)
	assert.Equal(t, licenseID, p.LicenseID)
	assert.Equal(t, "2313b7e7-1ea6-4a01-901e-2931de6bb1e2", p.ProductID)
	assert.Equal(t, "4f2d6e0a-0f0b-4f7e-9d3c-6c1f4d2b8a11", p.AccountID)
	assert.Equal(t, "6a0c3b52-7d3e-4c8e-a1f0-2b9e5d4c3a21", p.EnvironmentID)
}

func TestProcessesCreate(t *testing.T) {
	c, mt := newTestClient(t)
	calls := expect(t, mt, wire{method: "POST", path: "/processes", golden: "processes_create.json", status: 201, fixture: "process.json"})
	p, err := c.Processes.Create(context.Background(), ProcessCreateOptions{
		MachineID: machineID, PID: "4242", Metadata: map[string]any{"version": "1.4.2"},
	})
	require.NoError(t, err)
	assert.Equal(t, 1, *calls)
	assertWorker(t, p)
}

func TestProcessesCreateRequiredFields(t *testing.T) {
	c, mt := newTestClient(t)
	for _, o := range []ProcessCreateOptions{{PID: "4242"}, {MachineID: machineID}, {MachineID: machineID, PID: " "}} {
		_, err := c.Processes.Create(context.Background(), o)
		require.ErrorIs(t, err, ErrInvalidArgument, "%+v", o)
	}
	assert.Zero(t, mt.GetTotalCallCount())
}

// Over the process limit, Keygen refuses the spawn with a 422 on /data.
func TestProcessesCreateLimitExceeded(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "POST", path: "/processes", golden: "processes_create_minimal.json", status: 422, fixture: "error_process_limit.json"})
	p, err := c.Processes.Create(context.Background(), ProcessCreateOptions{MachineID: machineID, PID: "4242"})
	assert.Nil(t, p)
	require.ErrorIs(t, err, ErrUnprocessable)
	assert.True(t, HasCode(err, CodeMachineProcessLimitExceeded))
	var apiErr *Error
	require.True(t, errors.As(err, &apiErr))
	assert.Equal(t, []ErrorObject{{
		Title: "Unprocessable resource", Detail: "process count has exceeded maximum allowed for machine (4)",
		Code: "MACHINE_PROCESS_LIMIT_EXCEEDED", Source: ErrorSource{Pointer: "/data"},
	}}, apiErr.Errors)
}

// With signatures checked, a spawn answer for another machine or pid is a relayed answer.
func TestProcessesCreateBindsTheAnswer(t *testing.T) {
	c, mt, priv := newSigningClient(t)
	respondSigned(t, mt, priv, "POST", "/processes", 201, "process.json")
	_, err := c.Processes.Create(context.Background(), ProcessCreateOptions{MachineID: machineID, PID: "4242"})
	require.NoError(t, err)
	_, err = c.Processes.Create(context.Background(), ProcessCreateOptions{MachineID: machineID, PID: "4243"})
	requireSignatureError(t, err, "another machine or pid")
	_, err = c.Processes.Create(context.Background(), ProcessCreateOptions{MachineID: "7b8c9d0e-1f2a-4b3c-9d4e-5f6a7b8c9d0e", PID: "4242"})
	requireSignatureError(t, err, "another machine or pid")
}

func TestProcessesGetUpdateDelete(t *testing.T) {
	c, mt := newTestClient(t)
	path := "/processes/" + processID
	expect(t, mt, wire{method: "GET", path: path, fixture: "process.json"})
	expect(t, mt, wire{method: "PATCH", path: path, golden: "processes_update.json", fixture: "process.json"})
	del := expect(t, mt, wire{method: "DELETE", path: path, status: 204})

	p, err := c.Processes.Get(context.Background(), processID)
	require.NoError(t, err)
	assertWorker(t, p)
	p, err = c.Processes.Update(context.Background(), processID, ProcessUpdateOptions{Metadata: map[string]any{"version": "1.4.2"}})
	require.NoError(t, err)
	assertWorker(t, p)
	require.NoError(t, c.Processes.Delete(context.Background(), processID))
	assert.Equal(t, 1, *del)

	_, err = c.Processes.Get(context.Background(), "")
	require.ErrorIs(t, err, ErrInvalidArgument)
	_, err = c.Processes.Update(context.Background(), "", ProcessUpdateOptions{})
	require.ErrorIs(t, err, ErrInvalidArgument)
	require.ErrorIs(t, c.Processes.Delete(context.Background(), ""), ErrInvalidArgument)
	assert.Equal(t, 3, mt.GetTotalCallCount())
}

func TestProcessesList(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "GET", path: "/processes", fixture: "processes.json", query: url.Values{
		"page[number]": {"1"}, "page[size]": {"2"},
		"machine": {machineID}, "license": {licenseID}, "product": {"2313b7e7-1ea6-4a01-901e-2931de6bb1e2"},
		"owner": {userID}, "user": {otherUserID}, "status": {"ALIVE"},
	}})
	page, err := c.Processes.List(context.Background(), &ProcessListOptions{
		ListOptions: ListOptions{PageNumber: 1, PageSize: 2},
		Machine:     machineID, License: licenseID, Product: "2313b7e7-1ea6-4a01-901e-2931de6bb1e2",
		Owner: userID, User: otherUserID, Status: "ALIVE",
	})
	require.NoError(t, err)
	require.Len(t, page.Data, 2)
	assertWorker(t, page.Data[0])
	p := page.Data[1]
	assert.Equal(t, deadProcessID, p.ID)
	assert.Equal(t, "4243", p.PID)
	assert.Equal(t, "DEAD", p.Status)
	assert.Equal(t, mustTime(t, "2024-05-12T13:10:00Z"), p.NextHeartbeat)
	assert.Equal(t, map[string]any{}, p.Metadata)
	assert.Empty(t, p.EnvironmentID)
	assert.Equal(t, 2, page.Count)
}

func TestProcessesAll(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "GET", path: "/processes", fixture: "processes.json", query: url.Values{
		"page[cursor]": {""}, "page[size]": {"100"}, "status": {"DEAD"},
	}})
	var pids []string
	for p, err := range c.Processes.All(context.Background(), &ProcessListOptions{Status: "DEAD"}) {
		require.NoError(t, err)
		pids = append(pids, p.PID)
	}
	assert.Equal(t, []string{"4242", "4243"}, pids)
}

func TestProcessesPing(t *testing.T) {
	c, mt := newTestClient(t)
	alive := expect(t, mt, wire{method: "POST", path: "/processes/" + processID + "/actions/ping", fixture: "process.json"})
	p, err := c.Processes.Ping(context.Background(), processID)
	require.NoError(t, err)
	assertWorker(t, p)
	assert.Equal(t, 1, *alive)

	// A dead process within its resurrection window comes back, RESURRECTED in this answer.
	expect(t, mt, wire{method: "POST", path: "/processes/" + deadProcessID + "/actions/ping", fixture: "process_resurrected.json"})
	p, err = c.Processes.Ping(context.Background(), deadProcessID)
	require.NoError(t, err)
	assert.Equal(t, "RESURRECTED", p.Status)
	assert.Equal(t, mustTime(t, "2024-05-12T14:30:00Z"), p.LastHeartbeat)
	assert.Equal(t, mustTime(t, "2024-05-12T14:40:00Z"), p.NextHeartbeat)

	_, err = c.Processes.Ping(context.Background(), "")
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Equal(t, 2, mt.GetTotalCallCount())
}

func TestProcessesPingDead(t *testing.T) {
	c, mt := newTestClient(t)
	expect(t, mt, wire{method: "POST", path: "/processes/" + deadProcessID + "/actions/ping", status: 422, fixture: "error_process_heartbeat_dead.json"})
	p, err := c.Processes.Ping(context.Background(), deadProcessID)
	assert.Nil(t, p)
	require.ErrorIs(t, err, ErrUnprocessable)
	assert.True(t, HasCode(err, CodeProcessHeartbeatDead))
	var apiErr *Error
	require.True(t, errors.As(err, &apiErr))
	assert.Equal(t, []ErrorObject{{Title: "Unprocessable entity", Detail: "is dead", Code: "PROCESS_HEARTBEAT_DEAD"}}, apiErr.Errors)
}
