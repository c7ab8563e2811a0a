package keygen

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testMachineID = "6d7e8f90-a1b2-4c3d-8e4f-5a6b7c8d9e0f"

var pingPath = "/machines/" + testMachineID + "/actions/ping"

// pingResponder answers pings from a script of statuses (200 = the machine fixture); the last
// entry repeats. It records when each ping arrived.
type pingResponder struct {
	mu       sync.Mutex
	statuses []int
	bodies   map[int]string
	at       []time.Time
}

func (p *pingResponder) register(t *testing.T, mt *httpmock.MockTransport) {
	ok := fixture(t, "heartbeat_machine.json")
	mt.RegisterResponder("POST", apiURL(pingPath), func(req *http.Request) (*http.Response, error) {
		checkRequest(t, req, wire{method: "POST"})
		p.mu.Lock()
		defer p.mu.Unlock()
		i := min(len(p.at), len(p.statuses)-1)
		p.at = append(p.at, time.Now())
		status := p.statuses[i]
		if status == 200 {
			return httpmock.NewBytesResponse(200, ok), nil
		}
		return httpmock.NewStringResponse(status, p.bodies[status]), nil
	})
}

func (p *pingResponder) times() []time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]time.Time(nil), p.at...)
}

func assertHeartbeatMachine(t *testing.T, m *Machine) {
	t.Helper()
	assert.Equal(t, testMachineID, m.ID)
	assert.Equal(t, "4a:1f:9c:22:e0:7b", m.Fingerprint)
	assert.Equal(t, Ptr(8), m.Cores)
	assert.Equal(t, Ptr(int64(17179869184)), m.Memory)
	assert.Equal(t, Ptr(int64(512110190592)), m.Disk)
	assert.Equal(t, Ptr("203.0.113.7"), m.IP)
	assert.Equal(t, Ptr("build-mac-02"), m.Hostname)
	assert.Equal(t, Ptr("macOS"), m.Platform)
	assert.Equal(t, Ptr("Build Mac"), m.Name)
	assert.True(t, m.RequireHeartbeat)
	assert.Equal(t, "ALIVE", m.HeartbeatStatus)
	assert.Equal(t, 600, m.HeartbeatDuration)
	assert.Equal(t, Ptr(4), m.MaxProcesses)
	assert.Nil(t, m.LastCheckOut)
	assert.Equal(t, Ptr(mustTime(t, "2024-05-04T12:00:00.25Z")), m.LastHeartbeat)
	assert.Equal(t, Ptr(mustTime(t, "2024-05-04T12:10:00.25Z")), m.NextHeartbeat)
	assert.Equal(t, map[string]any{"rack": "b2", "gpu": true}, m.Metadata)
	assert.Equal(t, mustTime(t, "2024-05-01T10:05:00Z"), m.Created)
	assert.Equal(t, mustTime(t, "2024-05-04T12:00:00.25Z"), m.Updated)
	assert.Equal(t, testProductID, m.ProductID)
	assert.Equal(t, testLicenseID, m.LicenseID)
	assert.Equal(t, "c0ffee00-1234-4abc-9def-0123456789ab", m.OwnerID)
	assert.Equal(t, "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d", m.GroupID)
	assert.Equal(t, testAccountID, m.AccountID)
	assert.Empty(t, m.EnvironmentID)
}

// runMonitor runs m in the background and returns a channel with Run's result.
func runMonitor(ctx context.Context, m *HeartbeatMonitor) <-chan error {
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	return done
}

func waitRun(t *testing.T, done <-chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return")
		return nil
	}
}

func TestHeartbeatPingsOnInterval(t *testing.T) {
	c, mt := newTestClient(t)
	p := &pingResponder{statuses: []int{200}}
	p.register(t, mt)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const interval = 20 * time.Millisecond
	var machines []*Machine
	m := NewHeartbeatMonitor(c, testMachineID, HeartbeatOptions{
		Interval: interval,
		OnPing: func(mach *Machine) {
			machines = append(machines, mach)
			if len(machines) == 3 {
				cancel()
			}
		},
		OnError: func(err error) { t.Errorf("unexpected passing failure: %v", err) },
	})
	start := time.Now()
	err := waitRun(t, runMonitor(ctx, m))
	require.ErrorIs(t, err, context.Canceled)

	at := p.times()
	require.Len(t, at, 3)
	assert.Less(t, at[0].Sub(start), interval, "the first ping goes out at once")
	for i := 1; i < len(at); i++ {
		assert.GreaterOrEqual(t, at[i].Sub(at[i-1]), interval, "ping %d came early", i)
	}
	require.Len(t, machines, 3)
	assertHeartbeatMachine(t, machines[0])
}

func TestHeartbeatRetriesTransientFailure(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	p := &pingResponder{
		statuses: []int{200, 503, 429, 200},
		bodies: map[int]string{
			503: `<html>upstream unavailable</html>`,
			429: `{"errors":[{"title":"Too many requests","detail":"Throttle limit has been reached for your IP address.","code":"TOO_MANY_REQUESTS"}]}`,
		},
	}
	p.register(t, mt)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var errs []error
	pings := 0
	m := NewHeartbeatMonitor(c, testMachineID, HeartbeatOptions{
		Interval: 5 * time.Millisecond,
		OnError:  func(err error) { errs = append(errs, err) },
		OnPing: func(*Machine) {
			if pings++; pings == 2 {
				cancel()
			}
		},
	})
	err := waitRun(t, runMonitor(ctx, m))
	require.ErrorIs(t, err, context.Canceled)
	assert.Len(t, p.times(), 4)
	require.Len(t, errs, 2)
	var e *Error
	require.ErrorAs(t, errs[0], &e)
	assert.Equal(t, 503, e.StatusCode)
	require.ErrorIs(t, errs[1], ErrRateLimited)
	assert.Equal(t, 2, pings, "the monitor went on after the failures")
}

func TestHeartbeatRetriesTransportError(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	calls := 0
	mt.RegisterResponder("POST", apiURL(pingPath), func(*http.Request) (*http.Response, error) {
		if calls++; calls == 1 {
			return nil, errors.New("connection reset by peer")
		}
		return httpmock.NewBytesResponse(200, fixture(t, "heartbeat_machine.json")), nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var errs []error
	m := NewHeartbeatMonitor(c, testMachineID, HeartbeatOptions{
		Interval:     time.Hour, // only the retry may bring the second ping
		MaxRetryWait: 5 * time.Millisecond,
		OnError:      func(err error) { errs = append(errs, err) },
		OnPing:       func(*Machine) { cancel() },
	})
	err := waitRun(t, runMonitor(ctx, m))
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 2, calls)
	require.Len(t, errs, 1)
	var te *TransportError
	assert.ErrorAs(t, errs[0], &te)
}

func TestHeartbeatDeadEndsRun(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	p := &pingResponder{
		statuses: []int{200, 422},
		bodies:   map[int]string{422: `{"meta":{"id":"3f1e…"},"errors":[{"title":"Unprocessable resource","detail":"is dead","code":"MACHINE_HEARTBEAT_DEAD","source":{"pointer":"/data/attributes/heartbeatStatus"}}]}`},
	}
	p.register(t, mt)
	var errs []error
	m := NewHeartbeatMonitor(c, testMachineID, HeartbeatOptions{
		Interval: 5 * time.Millisecond,
		OnError:  func(err error) { errs = append(errs, err) },
	})
	err := waitRun(t, runMonitor(context.Background(), m))
	require.Error(t, err)
	assert.True(t, HasCode(err, CodeMachineHeartbeatDead), "got %v", err)
	require.ErrorIs(t, err, ErrUnprocessable)
	assert.Len(t, p.times(), 2)
	assert.Empty(t, errs, "a terminal failure is returned, not reported as passing")
}

func TestHeartbeatTerminalStatuses(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status int
		body   string
		is     error
	}{
		{404, `{"errors":[{"title":"Not found","detail":"The requested machine '6d7e…' was not found","code":"NOT_FOUND"}]}`, ErrNotFound},
		{401, `{"errors":[{"title":"Unauthorized","detail":"Token is expired","code":"TOKEN_EXPIRED"}]}`, ErrUnauthorized},
		{403, `{"errors":[{"title":"Access denied","detail":"You do not have permission to complete the request"}]}`, ErrForbidden},
	} {
		c, mt := newTestClient(t)
		p := &pingResponder{statuses: []int{tc.status}, bodies: map[int]string{tc.status: tc.body}}
		p.register(t, mt)
		m := NewHeartbeatMonitor(c, testMachineID, HeartbeatOptions{Interval: time.Millisecond})
		err := waitRun(t, runMonitor(context.Background(), m))
		require.ErrorIs(t, err, tc.is, "status %d", tc.status)
		assert.Len(t, p.times(), 1, "status %d is not retried", tc.status)
	}
}

func TestHeartbeatCancelIsPrompt(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	p := &pingResponder{statuses: []int{200}}
	p.register(t, mt)
	ctx, cancel := context.WithCancel(context.Background())
	pinged := make(chan struct{}, 1)
	// No Interval: the machine's 600 s heartbeat gives a 5 minute wait, which cancel must cut.
	m := NewHeartbeatMonitor(c, testMachineID, HeartbeatOptions{OnPing: func(*Machine) { pinged <- struct{}{} }})
	done := runMonitor(ctx, m)
	<-pinged
	start := time.Now()
	cancel()
	err := waitRun(t, done)
	require.ErrorIs(t, err, context.Canceled)
	assert.Less(t, time.Since(start), time.Second)
	assert.Len(t, p.times(), 1)
}

func TestHeartbeatBadArguments(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	for name, m := range map[string]*HeartbeatMonitor{
		"empty id":         NewHeartbeatMonitor(c, "", HeartbeatOptions{}),
		"nil client":       NewHeartbeatMonitor(nil, testMachineID, HeartbeatOptions{}),
		"negative":         NewHeartbeatMonitor(c, testMachineID, HeartbeatOptions{Interval: -time.Second}),
		"negative backoff": NewHeartbeatMonitor(c, testMachineID, HeartbeatOptions{MaxRetryWait: -time.Second}),
	} {
		require.ErrorIs(t, m.Run(context.Background()), ErrInvalidArgument, name)
	}
	assert.Zero(t, mt.GetTotalCallCount())
}

func TestHeartbeatIntervalAndBackoff(t *testing.T) {
	t.Parallel()
	assert.Equal(t, 300*time.Second, heartbeatInterval(600*time.Second))
	assert.Equal(t, 300*time.Second, heartbeatInterval(0), "Keygen's default duration")
	assert.Equal(t, time.Second, heartbeatInterval(time.Second))

	m := &HeartbeatMonitor{}
	iv := 300 * time.Second
	assert.Equal(t, time.Second, m.retryWait(errors.New("x"), 1, iv))
	assert.Equal(t, 4*time.Second, m.retryWait(errors.New("x"), 3, iv))
	assert.Equal(t, iv, m.retryWait(errors.New("x"), 30, iv), "capped by the interval")
	rl := &RateLimitError{APIError: &Error{StatusCode: 429}, RetryAfter: 42 * time.Second}
	assert.Equal(t, 42*time.Second, m.retryWait(rl, 1, iv), "Retry-After is honoured")
	m.opts.MaxRetryWait = 10 * time.Second
	assert.Equal(t, 10*time.Second, m.retryWait(rl, 1, iv))
	assert.Equal(t, 10*time.Millisecond/8, (&HeartbeatMonitor{}).retryWait(errors.New("x"), 1, 10*time.Millisecond))
}
