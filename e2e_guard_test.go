package keygen_test

// End-to-end tests of the desktop guard: the SDK over real HTTP against keygentest, with
// the store in a temporary directory, Keygen made unreachable by a transport that fails,
// and an attacker played by a proxy that tampers with answers.

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	keygen "github.com/licensekit/keygen"
)

const guardFP = "4f1c0e8a9b7d6c5e4f1c0e8a9b7d6c5e4f1c0e8a9b7d6c5e4f1c0e8a9b7d6c5e"

// guardE2E is a keygentest server with one license for a desktop app, and a store
// directory for the app's state.
type guardE2E struct {
	*e2e
	policy *keygen.Policy
	lic    *keygen.License
	dir    string
}

// newGuardE2E issues a license under a node-locked policy that lets the app authenticate
// with its key; mod may change the policy.
func newGuardE2E(t *testing.T, mod func(*keygen.PolicyCreateOptions)) *guardE2E {
	t.Helper()
	e := newE2E(t)
	opts := keygen.PolicyCreateOptions{
		ProductID:              e.product("Desktop").ID,
		MaxMachines:            keygen.Ptr(1),
		AuthenticationStrategy: "LICENSE",
	}
	if mod != nil {
		mod(&opts)
	}
	pol := e.policy(opts)
	lic, err := e.admin.Licenses.Create(e.ctx, keygen.LicenseCreateOptions{PolicyID: pol.ID})
	require.NoError(t, err)
	return &guardE2E{e2e: e, policy: pol, lic: lic, dir: filepath.Join(t.TempDir(), "config", "license")}
}

// app is the client the desktop app makes: its license key, the account's public key.
func (w *guardE2E) app(opts ...keygen.Option) *keygen.Client {
	w.t.Helper()
	return w.client(append([]keygen.Option{keygen.WithLicenseKey(w.lic.Key), keygen.WithPublicKey(w.srv.PublicKey)}, opts...)...)
}

// offlineApp is the same client with the network cut: every request fails in transport.
func (w *guardE2E) offlineApp() *keygen.Client {
	return w.app(keygen.WithHTTPClient(&http.Client{Transport: failingTransport{}}))
}

type failingTransport struct{}

type guardRoundTrip func(*http.Request) (*http.Response, error)

func (f guardRoundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func (failingTransport) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("dial tcp: network is unreachable")
}

// guard starts the app once: a new Guard over the same store directory.
func (w *guardE2E) guard(app *keygen.Client, mod func(*keygen.GuardOptions)) *keygen.Guard {
	w.t.Helper()
	opts := keygen.GuardOptions{LicenseKey: w.lic.Key, Fingerprint: guardFP, Store: keygen.DirStore(w.dir)}
	if mod != nil {
		mod(&opts)
	}
	g, err := keygen.NewGuard(app, opts)
	require.NoError(w.t, err)
	return g
}

// machines lists the license's machines as the vendor sees them.
func (w *guardE2E) machines() []*keygen.Machine {
	w.t.Helper()
	return collect(w.t, w.admin.Machines.All(w.ctx, &keygen.MachineListOptions{License: w.lic.ID}))
}

// storedFile is the machine file in the store, nil when there is none.
func (w *guardE2E) storedFile() []byte {
	w.t.Helper()
	b, err := keygen.DirStore(w.dir).Load("machine.lic")
	require.NoError(w.t, err)
	return b
}

// firstStart runs the first start and asserts it activated and stored a file.
func (w *guardE2E) firstStart() *keygen.GuardState {
	w.t.Helper()
	st, err := w.guard(w.app(), nil).Check(w.ctx)
	require.NoError(w.t, err)
	require.True(w.t, st.Valid, "first start: %+v", st)
	require.NotEmpty(w.t, w.storedFile(), "first start stored a machine file")
	return st
}

func TestE2EGuardFirstAndSecondStart(t *testing.T) {
	w := newGuardE2E(t, nil)
	_, err := os.Stat(w.dir)
	require.ErrorIs(t, err, os.ErrNotExist, "nothing stored before the first start")

	st := w.firstStart()
	assert.Equal(t, keygen.ValidationValid, st.Code)
	assert.False(t, st.Offline)
	require.NotNil(t, st.License)
	assert.Equal(t, w.lic.ID, st.License.ID)
	require.NotNil(t, st.Machine)
	assert.Equal(t, guardFP, st.Machine.Fingerprint)
	require.NotNil(t, st.Expiry, "the machine file's expiry")
	assert.True(t, st.Expiry.After(time.Now().Add(27*24*time.Hour)), "Keygen's default month: %s", st.Expiry)
	recent(t, st.TrustedTime, 0)
	ms := w.machines()
	require.Len(t, ms, 1)
	assert.Equal(t, guardFP, ms[0].Fingerprint)
	assert.Equal(t, st.Machine.ID, ms[0].ID)

	info, err := os.Stat(w.dir)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), info.Mode().Perm(), "store directory")
	for _, name := range []string{"machine.lic", "guard.json"} {
		info, err := os.Stat(filepath.Join(w.dir, name))
		require.NoError(t, err, name)
		assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), name)
	}
	assert.True(t, bytes.HasPrefix(w.storedFile(), []byte("-----BEGIN MACHINE FILE-----")))

	// The second start: a new Guard over the same directory, no second machine.
	st2, err := w.guard(w.app(), nil).Check(w.ctx)
	require.NoError(t, err)
	assert.True(t, st2.Valid)
	assert.False(t, st2.Offline)
	assert.Equal(t, st.Machine.ID, st2.Machine.ID)
	assert.Len(t, w.machines(), 1, "the second start made no second machine")
}

func TestE2EGuardOffline(t *testing.T) {
	w := newGuardE2E(t, nil)
	first := w.firstStart()

	t.Run("network cut: valid from the stored file", func(t *testing.T) {
		st, err := w.guard(w.offlineApp(), nil).Check(w.ctx)
		require.NoError(t, err)
		assert.True(t, st.Valid)
		assert.True(t, st.Offline)
		assert.Equal(t, keygen.ValidationValid, st.Code)
		require.NotNil(t, st.License)
		assert.Equal(t, w.lic.ID, st.License.ID)
		assert.Equal(t, first.Machine.ID, st.Machine.ID)
		assert.Equal(t, first.Expiry, st.Expiry)
	})
	t.Run("Keygen too slow: the timeout counts as unreachable", func(t *testing.T) {
		stall := &http.Client{Transport: guardRoundTrip(func(r *http.Request) (*http.Response, error) {
			<-r.Context().Done()
			return nil, r.Context().Err()
		})}
		start := time.Now()
		st, err := w.guard(w.app(keygen.WithHTTPClient(stall)), func(o *keygen.GuardOptions) { o.Timeout = 100 * time.Millisecond }).Check(w.ctx)
		require.NoError(t, err)
		assert.True(t, st.Valid && st.Offline)
		assert.Less(t, time.Since(start), 5*time.Second)
	})
	t.Run("a cancelled check is not an outage", func(t *testing.T) {
		ctx, cancel := context.WithCancel(w.ctx)
		cancel()
		st, err := w.guard(w.app(), nil).Check(ctx)
		require.ErrorIs(t, err, context.Canceled)
		assert.False(t, st.Valid)
	})
	t.Run("after the file's expiry: not valid", func(t *testing.T) {
		later := func() time.Time { return first.Expiry.Add(time.Minute) }
		st, err := w.guard(w.offlineApp(), func(o *keygen.GuardOptions) { o.Now = later }).Check(w.ctx)
		require.ErrorIs(t, err, keygen.ErrLicenseFileExpired)
		assert.False(t, st.Valid)
		assert.True(t, st.Offline)
		assert.Contains(t, err.Error(), "cannot be reached")
	})
	t.Run("no stored file: not valid", func(t *testing.T) {
		g, err := keygen.NewGuard(w.offlineApp(), keygen.GuardOptions{LicenseKey: w.lic.Key, Fingerprint: guardFP, Store: keygen.DirStore(t.TempDir())})
		require.NoError(t, err)
		st, err := g.Check(w.ctx)
		require.Error(t, err)
		var te *keygen.TransportError
		assert.ErrorAs(t, err, &te)
		assert.False(t, st.Valid)
		assert.True(t, st.Offline)
	})
}

func TestE2EGuardShortFileIsRefreshed(t *testing.T) {
	w := newGuardE2E(t, nil)
	opts := func(now func() time.Time) func(*keygen.GuardOptions) {
		return func(o *keygen.GuardOptions) { o.FileTTL = 3 * time.Hour; o.Now = now }
	}
	st, err := w.guard(w.app(), opts(time.Now)).Check(w.ctx)
	require.NoError(t, err)
	require.NotNil(t, st.Expiry)
	firstFile := w.storedFile()
	assert.WithinDuration(t, time.Now().Add(3*time.Hour), *st.Expiry, time.Minute)

	// An hour later the file still has two thirds of its life: kept.
	w.srv.Advance(time.Hour)
	hourLater := func() time.Time { return time.Now().Add(time.Hour) }
	st, err = w.guard(w.app(keygen.WithClockSkew(2*time.Hour)), opts(hourLater)).Check(w.ctx)
	require.NoError(t, err)
	assert.Equal(t, firstFile, w.storedFile(), "not refreshed yet")

	// Two hours and a bit later less than a third is left: replaced by a fresh one.
	w.srv.Advance(time.Hour + time.Minute)
	later := func() time.Time { return time.Now().Add(2*time.Hour + time.Minute) }
	st, err = w.guard(w.app(keygen.WithClockSkew(3*time.Hour)), opts(later)).Check(w.ctx)
	require.NoError(t, err)
	assert.NotEqual(t, firstFile, w.storedFile(), "refreshed")
	assert.WithinDuration(t, later().Add(3*time.Hour), *st.Expiry, time.Minute)
	assert.Len(t, w.machines(), 1)
}

func TestE2EGuardClockSetBack(t *testing.T) {
	w := newGuardE2E(t, nil)
	first := w.firstStart()
	back := func() time.Time { return first.TrustedTime.Add(-time.Hour) }
	for name, app := range map[string]*keygen.Client{"online": w.app(), "offline": w.offlineApp()} {
		t.Run(name, func(t *testing.T) {
			st, err := w.guard(app, func(o *keygen.GuardOptions) { o.Now = back }).Check(w.ctx)
			require.ErrorIs(t, err, keygen.ErrClockTampered)
			assert.False(t, st.Valid)
			assert.Equal(t, first.TrustedTime.UTC(), st.TrustedTime.UTC())
		})
	}
	t.Run("within the allowed skew", func(t *testing.T) {
		slightlyBehind := func() time.Time { return first.TrustedTime.Add(-2 * time.Minute) }
		st, err := w.guard(w.offlineApp(), func(o *keygen.GuardOptions) { o.Now = slightlyBehind }).Check(w.ctx)
		require.NoError(t, err)
		assert.True(t, st.Valid && st.Offline)
	})
	t.Run("the trusted time is kept in the store", func(t *testing.T) {
		b, err := keygen.DirStore(w.dir).Load("guard.json")
		require.NoError(t, err)
		assert.Contains(t, string(b), first.TrustedTime.UTC().Format("2006-01-02T15:04:05"))
	})
	t.Run("a store edited to forget the time still has the file's signed issue time", func(t *testing.T) {
		require.NoError(t, keygen.DirStore(w.dir).Save("guard.json", nil))
		st, err := w.guard(w.offlineApp(), func(o *keygen.GuardOptions) { o.Now = back }).Check(w.ctx)
		require.ErrorIs(t, err, keygen.ErrClockTampered)
		assert.False(t, st.Valid)
	})
}

func TestE2EGuardSuspendedForgetsTheFile(t *testing.T) {
	w := newGuardE2E(t, nil)
	w.firstStart()
	_, err := w.admin.Licenses.Suspend(w.ctx, w.lic.ID)
	require.NoError(t, err)

	st, err := w.guard(w.app(), nil).Check(w.ctx)
	require.NoError(t, err, "a signed no is a verdict, not an error")
	assert.False(t, st.Valid)
	assert.Equal(t, keygen.ValidationSuspended, st.Code)
	assert.False(t, st.Offline)
	assert.Empty(t, w.storedFile(), "the machine file is forgotten")

	st, err = w.guard(w.offlineApp(), nil).Check(w.ctx)
	require.Error(t, err)
	assert.False(t, st.Valid, "offline after a signed no: not valid")

	_, err = w.admin.Licenses.Reinstate(w.ctx, w.lic.ID)
	require.NoError(t, err)
	st, err = w.guard(w.app(), nil).Check(w.ctx)
	require.NoError(t, err)
	assert.True(t, st.Valid, "reinstated")
	assert.NotEmpty(t, w.storedFile())
}

// tamperProxy forwards to keygentest; before runs first on each request, and alter may
// change each answer's body.
type tamperProxy struct {
	*httptest.Server
	mu     sync.Mutex
	before func(r *http.Request)
	alter  func(r *http.Request, body []byte) []byte
	forge  http.HandlerFunc
}

func newTamperProxy(t *testing.T, target string) *tamperProxy {
	p := &tamperProxy{}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		before, alter, forge := p.before, p.alter, p.forge
		p.mu.Unlock()
		if forge != nil {
			forge(w, r)
			return
		}
		if before != nil {
			before(r)
		}
		body, _ := io.ReadAll(r.Body)
		out, err := http.NewRequestWithContext(r.Context(), r.Method, target+r.URL.RequestURI(), bytes.NewReader(body))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		out.Header = r.Header.Clone()
		res, err := http.DefaultTransport.RoundTrip(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer res.Body.Close()
		answer, _ := io.ReadAll(res.Body)
		if alter != nil {
			answer = alter(r, answer)
		}
		for k, v := range res.Header {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(res.StatusCode)
		_, _ = w.Write(answer)
	}))
	t.Cleanup(p.Close)
	return p
}

func (p *tamperProxy) set(before func(*http.Request), alter func(*http.Request, []byte) []byte, forge http.HandlerFunc) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.before, p.alter, p.forge = before, alter, forge
}

func TestE2EGuardForgedAnswerIsNoOutage(t *testing.T) {
	w := newGuardE2E(t, nil)
	w.firstStart()
	stored := w.storedFile()
	proxy := newTamperProxy(t, w.srv.URL)
	viaProxy := w.app(keygen.WithBaseURL(proxy.URL))

	t.Run("one byte of a validation changed", func(t *testing.T) {
		var tampered atomic.Int32
		proxy.set(nil, func(r *http.Request, body []byte) []byte {
			if !strings.HasSuffix(r.URL.Path, "/actions/validate-key") {
				return body
			}
			tampered.Add(1)
			out := bytes.Clone(body)
			i := bytes.Index(out, []byte(`"valid":`))
			require.Positive(t, i)
			out[i+1] = 'V' // "Valid": a one-byte change
			return out
		}, nil)
		st, err := w.guard(viaProxy, nil).Check(w.ctx)
		require.Equal(t, int32(1), tampered.Load())
		require.ErrorIs(t, err, keygen.ErrSignatureInvalid)
		assert.Contains(t, err.Error(), "forged or unverifiable")
		assert.False(t, st.Valid)
		assert.False(t, st.Offline, "no fallback to the stored file")
		assert.Equal(t, stored, w.storedFile(), "a forgery is not a signed no: the file stays")
	})
	t.Run("an unsigned error where a signed answer is due", func(t *testing.T) {
		proxy.set(nil, nil, func(rw http.ResponseWriter, _ *http.Request) {
			rw.Header().Set("Content-Type", "application/vnd.api+json")
			rw.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(rw, `{"errors":[{"title":"Service unavailable"}]}`)
		})
		st, err := w.guard(viaProxy, nil).Check(w.ctx)
		require.Error(t, err)
		assert.True(t, keygen.IsUnverified(err), "%v", err)
		assert.False(t, st.Valid)
		assert.False(t, st.Offline)
	})
	t.Run("the untouched proxy passes", func(t *testing.T) {
		proxy.set(nil, nil, nil)
		st, err := w.guard(viaProxy, nil).Check(w.ctx)
		require.NoError(t, err)
		assert.True(t, st.Valid)
	})
}

func TestE2EGuardFingerprintTakenCountsAsActivated(t *testing.T) {
	w := newGuardE2E(t, nil)
	proxy := newTamperProxy(t, w.srv.URL)
	var raced atomic.Int32
	// Another start of the app activates this fingerprint between this start's validation
	// and its activation.
	proxy.set(func(r *http.Request) {
		if r.Method == "POST" && strings.HasSuffix(r.URL.Path, "/machines") && raced.Add(1) == 1 {
			_, err := w.admin.Machines.Create(w.ctx, keygen.MachineCreateOptions{LicenseID: w.lic.ID, Fingerprint: guardFP})
			require.NoError(t, err)
		}
	}, nil, nil)
	st, err := w.guard(w.app(keygen.WithBaseURL(proxy.URL)), nil).Check(w.ctx)
	require.NoError(t, err)
	assert.Equal(t, int32(1), raced.Load(), "the activation was tried, and answered FINGERPRINT_TAKEN")
	assert.True(t, st.Valid, "%+v", st)
	assert.NotEmpty(t, w.storedFile())
	assert.Len(t, w.machines(), 1)

	_, err = w.app().Machines.Create(w.ctx, keygen.MachineCreateOptions{LicenseID: w.lic.ID, Fingerprint: guardFP})
	errWithCode(t, err, http.StatusUnprocessableEntity, keygen.CodeFingerprintTaken, "")
}

func TestE2EGuardConcurrentStartsMakeOneMachine(t *testing.T) {
	w := newGuardE2E(t, func(o *keygen.PolicyCreateOptions) { o.Floating = keygen.Ptr(true); o.MaxMachines = keygen.Ptr(5) })
	var wg sync.WaitGroup
	states := make([]*keygen.GuardState, 4)
	errs := make([]error, 4)
	for i := range states {
		store := keygen.DirStore(filepath.Join(t.TempDir(), "s"))
		g, err := keygen.NewGuard(w.app(), keygen.GuardOptions{LicenseKey: w.lic.Key, Fingerprint: guardFP, Store: store})
		require.NoError(t, err)
		wg.Go(func() { states[i], errs[i] = g.Check(w.ctx) })
	}
	wg.Wait()
	for i := range states {
		require.NoError(t, errs[i])
		assert.True(t, states[i].Valid, "start %d: %+v", i, states[i])
	}
	assert.Len(t, w.machines(), 1, "one fingerprint, one machine")
}

func TestE2EGuardMachineLimitReached(t *testing.T) {
	w := newGuardE2E(t, nil)
	_, err := w.admin.Machines.Create(w.ctx, keygen.MachineCreateOptions{LicenseID: w.lic.ID, Fingerprint: "the-users-other-computer"})
	require.NoError(t, err)
	st, err := w.guard(w.app(), nil).Check(w.ctx)
	require.NoError(t, err)
	assert.False(t, st.Valid)
	assert.Equal(t, keygen.ValidationCode(keygen.CodeMachineLimitExceeded), st.Code)
	ms := w.machines()
	require.Len(t, ms, 1, "nothing created")
	assert.Equal(t, "the-users-other-computer", ms[0].Fingerprint)
	assert.Empty(t, w.storedFile())
}

func TestE2EGuardForeignStoredFile(t *testing.T) {
	w := newGuardE2E(t, func(o *keygen.PolicyCreateOptions) { o.Floating = keygen.Ptr(true); o.MaxMachines = keygen.Ptr(2) })
	other, err := w.admin.Licenses.Create(w.ctx, keygen.LicenseCreateOptions{PolicyID: w.policy.ID})
	require.NoError(t, err)
	theirs, err := w.admin.Machines.Create(w.ctx, keygen.MachineCreateOptions{LicenseID: other.ID, Fingerprint: guardFP})
	require.NoError(t, err)
	mySecond, err := w.admin.Machines.Create(w.ctx, keygen.MachineCreateOptions{LicenseID: w.lic.ID, Fingerprint: "my-other-machine"})
	require.NoError(t, err)

	for name, c := range map[string]struct {
		machine string
		opts    keygen.CheckOutOptions
		want    error
	}{
		"another license's file (same fingerprint)": {theirs.ID, keygen.CheckOutOptions{Encrypt: true, Include: []string{"license"}}, keygen.ErrDecryptionFailed},
		"another license's file, unencrypted":       {theirs.ID, keygen.CheckOutOptions{Include: []string{"license"}}, keygen.ErrLicenseFileMismatch},
		"another machine's file of this license":    {mySecond.ID, keygen.CheckOutOptions{Include: []string{"license"}}, keygen.ErrLicenseFileMismatch},
	} {
		t.Run(name, func(t *testing.T) {
			f, err := w.admin.Machines.CheckOut(w.ctx, c.machine, &c.opts)
			require.NoError(t, err)
			require.NoError(t, keygen.DirStore(w.dir).Save("machine.lic", []byte(f.Certificate)))
			st, err := w.guard(w.offlineApp(), nil).Check(w.ctx)
			require.ErrorIs(t, err, c.want)
			assert.False(t, st.Valid)

			// Online the foreign file is replaced by this machine's own.
			st, err = w.guard(w.app(), nil).Check(w.ctx)
			require.NoError(t, err)
			assert.True(t, st.Valid)
			assert.NotEqual(t, f.Certificate, string(w.storedFile()))
			st, err = w.guard(w.offlineApp(), nil).Check(w.ctx)
			require.NoError(t, err)
			assert.True(t, st.Valid && st.Offline)
		})
	}
	t.Run("this machine's file with one byte changed", func(t *testing.T) {
		good := w.storedFile()
		bad := bytes.Clone(good)
		i := bytes.IndexByte(bad, '\n') + 10
		bad[i] ^= 0x01
		require.NoError(t, keygen.DirStore(w.dir).Save("machine.lic", bad))
		st, err := w.guard(w.offlineApp(), nil).Check(w.ctx)
		require.Error(t, err)
		assert.False(t, st.Valid)
	})
}

func TestE2EGuardGarbageStore(t *testing.T) {
	w := newGuardE2E(t, nil)
	store := keygen.DirStore(w.dir)
	junk := make([]byte, 4096)
	_, _ = rand.Read(junk)
	for _, name := range []string{"machine.lic", "guard.json"} {
		require.NoError(t, store.Save(name, junk))
	}
	st, err := w.guard(w.offlineApp(), nil).Check(w.ctx)
	require.Error(t, err, "garbage is no file")
	assert.False(t, st.Valid)

	require.NoError(t, store.Save("guard.json", []byte(`{"version":1,"trustedTime":"not a time"}`)))
	st, err = w.guard(w.app(), nil).Check(w.ctx)
	require.NoError(t, err, "a fresh online check works")
	assert.True(t, st.Valid)
	st, err = w.guard(w.offlineApp(), nil).Check(w.ctx)
	require.NoError(t, err)
	assert.True(t, st.Valid && st.Offline, "and left a usable store")
}

func TestE2EGuardEntitlementsMissing(t *testing.T) {
	w := newGuardE2E(t, nil)
	w.firstStart()
	st, err := w.guard(w.app(), func(o *keygen.GuardOptions) { o.Entitlements = []string{"PRO"} }).Check(w.ctx)
	require.NoError(t, err)
	assert.False(t, st.Valid)
	assert.Equal(t, keygen.ValidationEntitlementsMissing, st.Code)
	assert.Empty(t, w.storedFile(), "forgotten")
	assert.Len(t, w.machines(), 1)
}

func TestE2EGuardEntitlementsMissingBeforeActivation(t *testing.T) {
	w := newGuardE2E(t, nil)
	st, err := w.guard(w.app(), func(o *keygen.GuardOptions) { o.Entitlements = []string{"PRO"} }).Check(w.ctx)
	require.NoError(t, err)
	assert.False(t, st.Valid)
	assert.Equal(t, keygen.ValidationEntitlementsMissing, st.Code)
	assert.Empty(t, w.machines(), "Keygen checks entitlements before the fingerprint: nothing activated")
}

// countingTransport counts ping requests and fails them while fail is set.
type countingTransport struct {
	pings atomic.Int32
	fail  atomic.Bool
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, "/actions/ping") {
		c.pings.Add(1)
		if c.fail.Load() {
			return nil, errors.New("connection reset by peer")
		}
	}
	return http.DefaultTransport.RoundTrip(r)
}

func TestE2EGuardRunHeartbeats(t *testing.T) {
	w := newGuardE2E(t, func(o *keygen.PolicyCreateOptions) { o.RequireHeartbeat = keygen.Ptr(true) })
	tr := &countingTransport{}
	tr.fail.Store(true)
	var mu sync.Mutex
	var reported []error
	g := w.guard(w.app(keygen.WithHTTPClient(&http.Client{Transport: tr})), func(o *keygen.GuardOptions) {
		o.HeartbeatInterval = 20 * time.Millisecond
		o.RefreshInterval = 50 * time.Millisecond
		o.OnError = func(err error) {
			mu.Lock()
			defer mu.Unlock()
			reported = append(reported, err)
		}
	})
	st, err := g.Check(w.ctx)
	require.NoError(t, err)
	require.True(t, st.Valid)
	require.True(t, st.Machine.RequireHeartbeat)

	ctx, cancel := context.WithCancel(w.ctx)
	done := make(chan error, 1)
	go func() { done <- g.Run(ctx) }()
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(reported) >= 2
	}, 10*time.Second, 5*time.Millisecond, "failed pings are reported")
	tr.fail.Store(false)
	failed := tr.pings.Load()
	require.Eventually(t, func() bool { return tr.pings.Load() >= failed+3 }, 10*time.Second, 5*time.Millisecond, "heartbeats go on after the errors")
	m, err := w.admin.Machines.Get(w.ctx, st.Machine.ID)
	require.NoError(t, err)
	assert.Equal(t, "ALIVE", m.HeartbeatStatus)
	require.NotNil(t, m.LastHeartbeat)
	recent(t, *m.LastHeartbeat, 0)
	cancel()
	select {
	case err := <-done:
		require.ErrorIs(t, err, context.Canceled)
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop with its context")
	}
	mu.Lock()
	defer mu.Unlock()
	for _, e := range reported {
		var te *keygen.TransportError
		assert.ErrorAs(t, e, &te)
	}
}

func TestE2EGuardRunSurvivesNetworkLoss(t *testing.T) {
	w := newGuardE2E(t, func(o *keygen.PolicyCreateOptions) { o.RequireHeartbeat = keygen.Ptr(true) })
	w.firstStart()
	var calls atomic.Int32
	g := w.guard(w.offlineApp(), func(o *keygen.GuardOptions) {
		o.HeartbeatInterval = 10 * time.Millisecond
		o.RefreshInterval = 10 * time.Millisecond
		o.OnError = func(error) { calls.Add(1) }
	})
	ctx, cancel := context.WithTimeout(w.ctx, 300*time.Millisecond)
	defer cancel()
	err := g.Run(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Positive(t, calls.Load(), "failed heartbeats were reported")
}

func TestE2EGuardExpiredLicenseIsASignedNo(t *testing.T) {
	w := newGuardE2E(t, nil)
	w.firstStart()
	// RESTRICT_ACCESS (the default) still lets the key authenticate, so this "no" comes
	// from the validation itself: valid false, EXPIRED.
	_, err := w.admin.Licenses.Update(w.ctx, w.lic.ID, keygen.LicenseUpdateOptions{Expiry: keygen.Set(time.Now().Add(-time.Hour))})
	require.NoError(t, err)
	st, err := w.guard(w.app(), nil).Check(w.ctx)
	require.NoError(t, err)
	assert.False(t, st.Valid)
	assert.Equal(t, keygen.ValidationExpired, st.Code)
	require.NotNil(t, st.License)
	assert.Empty(t, w.storedFile(), "forgotten")
	st, err = w.guard(w.offlineApp(), nil).Check(w.ctx)
	require.Error(t, err)
	assert.False(t, st.Valid)
}

// TestE2EGuardEntitlementsHeld: a required entitlement the license holds (through its
// policy) is checked online, then offline from the stored machine file's included license
// entitlements; one the license lacks is refused both ways.
func TestE2EGuardEntitlementsHeld(t *testing.T) {
	t.Parallel()
	w := newGuardE2E(t, nil)
	pro, err := w.admin.Entitlements.Create(w.ctx, keygen.EntitlementCreateOptions{Name: "Pro", Code: "PRO"})
	require.NoError(t, err)
	require.NoError(t, w.admin.Policies.AttachEntitlements(w.ctx, w.policy.ID, pro.ID))
	needPro := func(o *keygen.GuardOptions) { o.Entitlements = []string{"PRO"} }

	st, err := w.guard(w.app(), needPro).Check(w.ctx)
	require.NoError(t, err)
	require.True(t, st.Valid, "online: %+v", st)
	assert.False(t, st.Offline)
	assert.Contains(t, st.Entitlements, "PRO")

	st, err = w.guard(w.offlineApp(), needPro).Check(w.ctx)
	require.NoError(t, err)
	require.True(t, st.Valid, "offline from the file: %+v", st)
	assert.True(t, st.Offline)
	assert.Contains(t, st.Entitlements, "PRO")

	st, _ = w.guard(w.offlineApp(), func(o *keygen.GuardOptions) { o.Entitlements = []string{"PRO", "ENTERPRISE"} }).Check(w.ctx)
	require.NotNil(t, st)
	assert.False(t, st.Valid, "offline, a code the file's license lacks is not held")
}
