package keygen

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const guardTestPub = "e8601e48b69383ba520245fd07971e983d06d22c4257cfd82304601479cee788"

// memStore is an in-memory Store.
type memStore struct {
	mu      sync.Mutex
	m       map[string][]byte
	loadErr error
	saveErr error
}

func (s *memStore) Load(name string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.loadErr != nil {
		return nil, s.loadErr
	}
	return s.m[name], nil
}

func (s *memStore) Save(name string, data []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.saveErr != nil {
		return s.saveErr
	}
	if s.m == nil {
		s.m = map[string][]byte{}
	}
	if len(data) == 0 {
		delete(s.m, name)
	} else {
		s.m[name] = append([]byte(nil), data...)
	}
	return nil
}

func guardTestClient(t *testing.T, opts ...Option) *Client {
	t.Helper()
	c, err := NewClient("acct", append([]Option{WithBaseURL("http://127.0.0.1:1"), WithoutRetries()}, opts...)...)
	require.NoError(t, err)
	return c
}

// unreachableClient verifies signatures and never gets an answer.
func unreachableClient(t *testing.T) *Client {
	return guardTestClient(t, WithPublicKey(guardTestPub), WithHTTPClient(&http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) {
		return nil, errors.New("network is unreachable")
	})}))
}

func TestNewGuardArguments(t *testing.T) {
	signed := guardTestClient(t, WithPublicKey(guardTestPub))
	ok := GuardOptions{LicenseKey: "KEY", Fingerprint: "fp", Store: &memStore{}}
	for name, c := range map[string]struct {
		app  *Client
		opts func(*GuardOptions)
		want string
	}{
		"nil client":           {nil, nil, "client is nil"},
		"no public key":        {guardTestClient(t, WithLicenseKey("KEY")), nil, "WithPublicKey"},
		"empty options":        {signed, func(o *GuardOptions) { *o = GuardOptions{} }, "LicenseKey is required"},
		"blank license key":    {signed, func(o *GuardOptions) { o.LicenseKey = "  " }, "LicenseKey is required"},
		"no fingerprint":       {signed, func(o *GuardOptions) { o.Fingerprint = "" }, "Fingerprint is required"},
		"fingerprint with /":   {signed, func(o *GuardOptions) { o.Fingerprint = "a/b" }, "must not contain"},
		"fingerprint with \\n": {signed, func(o *GuardOptions) { o.Fingerprint = "a\nb" }, "must not contain"},
		"no store":             {signed, func(o *GuardOptions) { o.Store = nil }, "Store is required"},
		"negative TTL":         {signed, func(o *GuardOptions) { o.FileTTL = -time.Hour }, "negative"},
		"negative skew":        {signed, func(o *GuardOptions) { o.ClockSkew = -1 }, "negative"},
		"negative interval":    {signed, func(o *GuardOptions) { o.RefreshInterval = -1 }, "negative"},
		"empty entitlement":    {signed, func(o *GuardOptions) { o.Entitlements = []string{"PRO", " "} }, "entitlement code is empty"},
	} {
		t.Run(name, func(t *testing.T) {
			o := ok
			if c.opts != nil {
				c.opts(&o)
			}
			g, err := NewGuard(c.app, o)
			require.ErrorIs(t, err, ErrInvalidArgument)
			assert.Contains(t, err.Error(), c.want)
			assert.Nil(t, g)
		})
	}
	t.Run("a client with another license key, or none, is fine", func(t *testing.T) {
		for _, app := range []*Client{signed, guardTestClient(t, WithPublicKey(guardTestPub), WithLicenseKey("OTHER"))} {
			g, err := NewGuard(app, ok)
			require.NoError(t, err)
			assert.Equal(t, runtime.GOOS, g.opts.Platform)
			assert.Equal(t, 5*time.Minute, g.opts.ClockSkew)
		}
	})
	t.Run("the caller's entitlements slice is copied", func(t *testing.T) {
		o := ok
		o.Entitlements = []string{"PRO"}
		g, err := NewGuard(signed, o)
		require.NoError(t, err)
		o.Entitlements[0] = "FREE"
		assert.Equal(t, []string{"PRO"}, g.opts.Entitlements)
	})
}

func TestGuardNilAndZero(t *testing.T) {
	var g *Guard
	st, err := g.Check(context.Background())
	require.ErrorIs(t, err, ErrInvalidArgument)
	require.NotNil(t, st)
	assert.False(t, st.Valid)
	require.ErrorIs(t, g.Run(context.Background()), ErrInvalidArgument)
	st, err = (&Guard{}).Check(context.Background())
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.False(t, st.Valid)

	g, err = NewGuard(unreachableClient(t), GuardOptions{LicenseKey: "KEY", Fingerprint: "fp", Store: &memStore{}})
	require.NoError(t, err)
	st, err = g.Check(nil)
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.False(t, st.Valid)
	require.ErrorIs(t, g.Run(nil), ErrInvalidArgument)
}

func TestGuardErrorPathsNeverPanic(t *testing.T) {
	ctx := context.Background()
	for name, store := range map[string]*memStore{
		"empty":          {},
		"load fails":     {loadErr: errors.New("disk on fire")},
		"load not exist": {loadErr: fs.ErrNotExist},
		"save fails":     {saveErr: errors.New("read-only")},
		"garbage": {m: map[string][]byte{
			guardFileName:  []byte("-----BEGIN MACHINE FILE-----\n!!!\n-----END MACHINE FILE-----"),
			guardStateName: []byte(`{"version":1,"trustedTime":12}`),
		}},
		"huge": {m: map[string][]byte{guardFileName: make([]byte, maxStoredSize+1)}},
	} {
		t.Run(name, func(t *testing.T) {
			g, err := NewGuard(unreachableClient(t), GuardOptions{LicenseKey: "KEY", Fingerprint: "fp", Store: store})
			require.NoError(t, err)
			st, err := g.Check(ctx)
			require.Error(t, err)
			require.NotNil(t, st)
			assert.False(t, st.Valid)
			assert.True(t, st.Offline)
			var te *TransportError
			assert.ErrorAs(t, err, &te)
		})
	}
	t.Run("a future trusted time in the store", func(t *testing.T) {
		store := &memStore{m: map[string][]byte{guardStateName: []byte(`{"version":1,"trustedTime":"2999-01-01T00:00:00Z"}`)}}
		g, err := NewGuard(unreachableClient(t), GuardOptions{LicenseKey: "KEY", Fingerprint: "fp", Store: store})
		require.NoError(t, err)
		st, err := g.Check(ctx)
		require.ErrorIs(t, err, ErrClockTampered)
		assert.False(t, st.Valid)
	})
	t.Run("an unknown state version is ignored", func(t *testing.T) {
		store := &memStore{m: map[string][]byte{guardStateName: []byte(`{"version":2,"trustedTime":"2999-01-01T00:00:00Z"}`)}}
		g, err := NewGuard(unreachableClient(t), GuardOptions{LicenseKey: "KEY", Fingerprint: "fp", Store: store})
		require.NoError(t, err)
		_, err = g.Check(ctx)
		require.NotErrorIs(t, err, ErrClockTampered)
	})
}

func TestGuardClassify(t *testing.T) {
	ctx := context.Background()
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	for name, c := range map[string]struct {
		ctx  context.Context
		err  error
		want answerKind
	}{
		"transport":       {ctx, &TransportError{Err: errors.New("refused")}, kindUnreachable},
		"deadline":        {ctx, fmt.Errorf("x: %w", context.DeadlineExceeded), kindUnreachable},
		"cancelled":       {cancelled, fmt.Errorf("x: %w", context.Canceled), kindOther},
		"bad signature":   {ctx, sigErr("digest"), kindAttack},
		"unverified":      {ctx, &Error{StatusCode: 503, Unverified: true}, kindAttack},
		"signed 500":      {ctx, &Error{StatusCode: 500}, kindOther},
		"decoding":        {ctx, errors.New("keygen: decoding"), kindOther},
		"sig in a wraps":  {ctx, fmt.Errorf("a: %w", &TransportError{Err: sigErr("x")}), kindAttack},
		"rate limit, raw": {ctx, &RateLimitError{APIError: &Error{StatusCode: 429, Unverified: true}}, kindAttack},
	} {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, c.want, classify(c.ctx, c.err))
		})
	}
}

func TestGuardRefusalCodes(t *testing.T) {
	e := func(status int, codes ...string) *Error {
		out := &Error{StatusCode: status}
		for _, c := range codes {
			out.Errors = append(out.Errors, ErrorObject{Code: c})
		}
		return out
	}
	assert.Equal(t, ValidationSuspended, refusalCode(e(403, "LICENSE_SUSPENDED")))
	assert.Equal(t, ValidationExpired, refusalCode(e(403, "LICENSE_EXPIRED")))
	assert.Equal(t, ValidationBanned, refusalCode(e(403, "LICENSE_BANNED")))
	assert.Equal(t, ValidationCode("MACHINE_LIMIT_EXCEEDED"), refusalCode(e(422, "MACHINE_LIMIT_EXCEEDED")))
	assert.Equal(t, ValidationCode("HTTP_400"), refusalCode(e(400)))

	assert.NotNil(t, signedRefusal(e(422, "MACHINE_LIMIT_EXCEEDED")))
	assert.NotNil(t, signedRefusal(fmt.Errorf("wrapped: %w", e(403))))
	for _, status := range []int{408, 409, 429, 500, 503, 302} {
		assert.Nil(t, signedRefusal(e(status)), "%d", status)
	}
	unverified := e(403)
	unverified.Unverified = true
	assert.Nil(t, signedRefusal(unverified))
	assert.Nil(t, signedRefusal(errors.New("other")))
}

func handBuiltFile(issued time.Time, ttl time.Duration, ents ...string) *MachineFileData {
	exp := issued.Add(ttl)
	f := &MachineFileData{
		Machine: &Machine{ID: "m1", Fingerprint: "fp", LicenseID: "l1"},
		License: &License{ID: "l1", Status: "ACTIVE", PolicyID: "p1"},
		Issued:  issued,
		Expiry:  &exp,
	}
	for i, e := range ents {
		f.Included.Entitlements = append(f.Included.Entitlements, &Entitlement{ID: fmt.Sprint("e", i), Code: e, Name: e})
	}
	return f
}

func TestGuardFileEntitlements(t *testing.T) {
	now := time.Now()
	f := handBuiltFile(now, time.Hour, "PRO", "SYNC", "PRO")
	f.Included.Entitlements = append(f.Included.Entitlements, &Entitlement{ID: "nocode"})
	f.Included.Groups = append(f.Included.Groups, &Group{ID: "g", Name: "NOPE"})
	assert.Equal(t, []string{"PRO", "SYNC"}, fileEntitlements(f))
	assert.Nil(t, fileEntitlements(nil))

	t.Run("held: valid offline", func(t *testing.T) {
		code, _ := offlineVerdict(f, []string{"PRO", "SYNC"}, now)
		assert.Equal(t, ValidationValid, code)
	})
	t.Run("one missing: not valid", func(t *testing.T) {
		code, _ := offlineVerdict(f, []string{"PRO", "ENTERPRISE"}, now)
		assert.Equal(t, ValidationEntitlementsMissing, code)
	})
	t.Run("through the guard's offline decision", func(t *testing.T) {
		for _, c := range []struct {
			required []string
			valid    bool
			code     ValidationCode
		}{
			{nil, true, ValidationValid},
			{[]string{"SYNC"}, true, ValidationValid},
			{[]string{"ENTERPRISE"}, false, ValidationEntitlementsMissing},
		} {
			g := &Guard{opts: GuardOptions{Entitlements: c.required}}
			st, err := g.offline(&storedState{file: f, trusted: now}, now, errUnreachable)
			require.NoError(t, err)
			assert.Equal(t, c.valid, st.Valid, "%v", c.required)
			assert.Equal(t, c.code, st.Code)
			assert.True(t, st.Offline)
			assert.Equal(t, []string{"PRO", "SYNC"}, st.Entitlements)
		}
	})
}

func TestGuardOfflineVerdictLicense(t *testing.T) {
	now := time.Now()
	f := handBuiltFile(now.Add(-time.Hour), 48*time.Hour)
	past := now.Add(-time.Minute)
	for name, c := range map[string]struct {
		mod  func(*MachineFileData)
		want ValidationCode
	}{
		"active":                   {func(*MachineFileData) {}, ValidationValid},
		"suspended at check-out":   {func(f *MachineFileData) { f.License.Status = "SUSPENDED" }, ValidationSuspended},
		"banned at check-out":      {func(f *MachineFileData) { f.License.Status = "BANNED" }, ValidationBanned},
		"expired since, no policy": {func(f *MachineFileData) { f.License.Expiry = &past }, ValidationExpired},
		"expired, RESTRICT_ACCESS": {func(f *MachineFileData) { f.License.Expiry = &past; addPolicy(f, "RESTRICT_ACCESS") }, ValidationExpired},
		"expired, ALLOW_ACCESS":    {func(f *MachineFileData) { f.License.Expiry = &past; addPolicy(f, "ALLOW_ACCESS") }, ValidationValid},
		"expired, MAINTAIN_ACCESS": {func(f *MachineFileData) { f.License.Expiry = &past; addPolicy(f, "MAINTAIN_ACCESS") }, ValidationValid},
		"another policy is ignored": {func(f *MachineFileData) {
			f.License.Expiry = &past
			addPolicy(f, "ALLOW_ACCESS")
			f.Included.Policies[0].ID = "p2"
		}, ValidationExpired},
	} {
		t.Run(name, func(t *testing.T) {
			cp := *f
			lic := *f.License
			cp.License = &lic
			cp.Included = Included{}
			c.mod(&cp)
			code, _ := offlineVerdict(&cp, nil, now)
			assert.Equal(t, c.want, code)
		})
	}
}

func addPolicy(f *MachineFileData, strategy string) {
	f.Included.Policies = append(f.Included.Policies, &Policy{ID: f.License.PolicyID, ExpirationStrategy: strategy})
}

func TestGuardRefreshDue(t *testing.T) {
	issued := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	f := handBuiltFile(issued, 30*time.Hour)
	g := &Guard{}
	assert.False(t, g.refreshDue(f, issued))
	assert.False(t, g.refreshDue(f, issued.Add(19*time.Hour+59*time.Minute)))
	assert.True(t, g.refreshDue(f, issued.Add(20*time.Hour)), "a third left")
	assert.True(t, g.refreshDue(f, issued.Add(31*time.Hour)))
	g.opts.RefreshBefore = time.Hour
	assert.False(t, g.refreshDue(f, issued.Add(28*time.Hour)))
	assert.True(t, g.refreshDue(f, issued.Add(29*time.Hour)))
	f.Expiry = nil
	assert.False(t, g.refreshDue(f, issued.Add(1000*time.Hour)), "never expires")
}

func TestGuardOfflineFileChecks(t *testing.T) {
	now := time.Now()
	g := &Guard{}
	t.Run("expired file", func(t *testing.T) {
		f := handBuiltFile(now.Add(-2*time.Hour), time.Hour)
		st, err := g.offline(&storedState{file: f}, now, errUnreachable)
		require.ErrorIs(t, err, ErrLicenseFileExpired)
		require.ErrorIs(t, err, errUnreachable)
		assert.False(t, st.Valid)
	})
	t.Run("the trusted time wins over a clock behind it", func(t *testing.T) {
		f := handBuiltFile(now.Add(-2*time.Hour), 3*time.Hour)
		st, err := g.offline(&storedState{file: f, trusted: now.Add(2 * time.Hour)}, now, errUnreachable)
		require.ErrorIs(t, err, ErrLicenseFileExpired)
		assert.False(t, st.Valid)
	})
	t.Run("no file", func(t *testing.T) {
		st, err := g.offline(&storedState{fileErr: errors.New("no machine file is stored")}, now, errUnreachable)
		require.ErrorIs(t, err, errUnreachable)
		assert.Contains(t, err.Error(), "no machine file")
		assert.False(t, st.Valid)
	})
}

func TestDirStore(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b", "license")
	s := DirStore(dir)
	b, err := s.Load("machine.lic")
	require.NoError(t, err, "a missing name in a missing directory")
	assert.Nil(t, b)

	require.NoError(t, s.Save("machine.lic", []byte("one")))
	for _, d := range []string{dir, filepath.Dir(dir)} {
		info, err := os.Stat(d)
		require.NoError(t, err)
		if runtime.GOOS != "windows" {
			assert.Equal(t, os.FileMode(0o700), info.Mode().Perm(), d)
		}
	}
	info, err := os.Stat(filepath.Join(dir, "machine.lic"))
	require.NoError(t, err)
	if runtime.GOOS != "windows" {
		assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	}
	b, err = s.Load("machine.lic")
	require.NoError(t, err)
	assert.Equal(t, "one", string(b))

	require.NoError(t, s.Save("machine.lic", []byte("two, longer")))
	b, err = s.Load("machine.lic")
	require.NoError(t, err)
	assert.Equal(t, "two, longer", string(b))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "no temporary file left behind")

	require.NoError(t, s.Save("machine.lic", nil), "empty means absent")
	b, err = s.Load("machine.lic")
	require.NoError(t, err)
	assert.Nil(t, b)
	require.NoError(t, s.Save("machine.lic", []byte{}), "removing an absent name is fine")
	require.NoError(t, s.Save("never-saved", nil))

	for _, name := range []string{"", ".", "..", "../x", "a/b", `a\b`, "c:x", ".hidden"} {
		_, err := s.Load(name)
		require.ErrorIs(t, err, ErrInvalidArgument, "%q", name)
		require.ErrorIs(t, s.Save(name, []byte("x")), ErrInvalidArgument, "%q", name)
	}
	_, err = DirStore("").Load("x")
	require.ErrorIs(t, err, ErrInvalidArgument)

	require.NoError(t, os.WriteFile(filepath.Join(dir, "big"), make([]byte, maxStoredSize+1), 0o600))
	_, err = s.Load("big")
	require.Error(t, err)
}

func TestDirStoreAtomicUnderConcurrentReaders(t *testing.T) {
	s := DirStore(t.TempDir())
	a := []byte(strings.Repeat("a", 64<<10))
	b := []byte(strings.Repeat("b", 64<<10))
	require.NoError(t, s.Save("f", a))
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(done)
		for i := range 50 {
			if i%2 == 0 {
				assert.NoError(t, s.Save("f", b))
			} else {
				assert.NoError(t, s.Save("f", a))
			}
		}
	})
	for {
		select {
		case <-done:
			wg.Wait()
			return
		default:
		}
		got, err := s.Load("f")
		if runtime.GOOS == "windows" && err != nil {
			continue // a rename over an open file may be refused there; never torn
		}
		require.NoError(t, err)
		require.True(t, string(got) == string(a) || string(got) == string(b), "a torn read of %d bytes", len(got))
	}
}

// TestDirStoreUnwritable: a store whose directory cannot be made (its parent is a file, which
// no permission, root's included, can get past) fails to save and to load with an error.
func TestDirStoreUnwritable(t *testing.T) {
	t.Parallel()
	parent := filepath.Join(t.TempDir(), "a-file")
	require.NoError(t, os.WriteFile(parent, []byte("x"), 0o600))
	s := DirStore(filepath.Join(parent, "license"))
	require.Error(t, s.Save("x", []byte("y")))
	got, err := s.Load("x")
	assert.Empty(t, got)
	require.Error(t, err, "not a missing file: a path that cannot be a directory")
}
