package keygen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
)

// ErrClockTampered marks a local clock behind the latest signed time the guard has seen (a
// validation's signed timestamp, a machine file's issue time) by more than the allowed
// skew: the clock was set back, most likely to stretch a machine file's expiry. The guard
// refuses to decide anything until the clock is right again.
var ErrClockTampered = errors.New("keygen: the local clock is behind the latest signed time seen (set back?)")

// Names the guard uses in its Store.
const (
	guardFileName  = "machine.lic"
	guardStateName = "guard.json"
)

// Defaults of GuardOptions.
const (
	defaultGuardSkew            = 5 * time.Minute
	defaultGuardTimeout         = 15 * time.Second
	defaultGuardRefreshInterval = time.Hour
)

// GuardOptions configure a Guard. LicenseKey, Fingerprint and Store are required.
type GuardOptions struct {
	// LicenseKey is the key the user entered. Validations are bound to it (see Threat model
	// in the README), and the machine file is encrypted with it.
	LicenseKey string
	// Fingerprint identifies this machine: MachineFingerprint gives a stable, hashed one.
	Fingerprint string
	// Store keeps the machine file and the latest signed time between runs: DirStore.
	Store Store
	// Entitlements are entitlement codes the license must hold: sent in the validation's
	// entitlements scope online, and read from the machine file's included license
	// entitlements offline. A license without one of them is not valid
	// (ENTITLEMENTS_MISSING).
	Entitlements []string

	// MachineName and Platform are sent when the guard activates this machine; Platform
	// defaults to runtime.GOOS.
	MachineName string
	Platform    string

	// FileTTL is the lifetime asked for each machine file, so how long the app may run
	// without reaching Keygen. Zero keeps Keygen's default (one month); Keygen refuses less
	// than an hour.
	FileTTL time.Duration
	// RefreshBefore is how long before its expiry a stored machine file is replaced by a
	// new one during an online check. Zero means a third of the file's lifetime.
	RefreshBefore time.Duration
	// ClockSkew is how far the local clock may be behind the latest signed time seen before
	// it counts as set back (ErrClockTampered). Zero means 5 minutes.
	ClockSkew time.Duration
	// Timeout bounds each request to Keygen; a request that times out counts as Keygen
	// being unreachable. Zero means 15 seconds.
	Timeout time.Duration

	// RefreshInterval is how often Run checks the license online again (which also
	// refreshes the machine file when due). Zero means an hour.
	RefreshInterval time.Duration
	// HeartbeatInterval is Run's time between heartbeats when the machine requires them.
	// Zero means half the machine's heartbeat duration (see HeartbeatOptions.Interval).
	HeartbeatInterval time.Duration
	// OnError receives failures that do not change a verdict: a machine file that could not
	// be refreshed or stored, and in Run every failed check, failed heartbeat or license
	// that stopped being valid. Calls never overlap. nil ignores them.
	OnError func(error)

	// Now replaces the local clock (tests). nil means time.Now.
	Now func() time.Time
}

// GuardState is a Guard's verdict: may the app run?
type GuardState struct {
	// Valid is the verdict. Check Valid, not Code.
	Valid bool
	// Code is Keygen's validation code (VALID, SUSPENDED, NO_MACHINE…); when Keygen refused
	// to activate this machine, the activation error's code (MACHINE_LIMIT_EXCEEDED…);
	// offline, VALID or the reason read from the machine file (EXPIRED,
	// ENTITLEMENTS_MISSING…). Empty when the verdict comes with an error.
	Code ValidationCode
	// Detail is Keygen's explanation of Code, when there is one.
	Detail string
	// Offline is set when Keygen could not be reached and the verdict was read from the
	// stored machine file.
	Offline bool
	// License and Machine are as Keygen answered them, or as the machine file holds them
	// offline. Either may be nil.
	License *License
	Machine *Machine
	// Entitlements are the entitlement codes the license is known to hold: those of the
	// machine file, and online those required and confirmed by the validation.
	Entitlements []string
	// Expiry is the stored machine file's signed expiry: offline, the app may run until
	// then. nil when there is no file or it never expires.
	Expiry *time.Time
	// TrustedTime is the latest signed time seen; the guard never judges a file at a time
	// earlier than it.
	TrustedTime time.Time
}

// Guard decides whether a desktop app may run: online from a signed validation of its
// license key and machine fingerprint (activating the machine when needed), offline from
// a signed machine file kept in a Store, and never at a time earlier than the latest
// signed time it has seen. It is safe for concurrent use; Checks run one at a time.
type Guard struct {
	app  *Client
	opts GuardOptions
	pub  string // hex account key, for OpenMachineFile

	mu   sync.Mutex
	last *GuardState

	errMu sync.Mutex
}

// NewGuard returns a guard for app, a client made with WithPublicKey (required: an
// unsigned answer could say anything) and with credentials that may activate a machine
// and check out its machine file: WithLicenseKey(opts.LicenseKey) under a LICENSE or
// MIXED authentication strategy, or a license token. Validations send opts.LicenseKey
// whatever the client's credentials. It does no I/O.
func NewGuard(app *Client, opts GuardOptions) (*Guard, error) {
	switch {
	case app == nil:
		return nil, argErr("NewGuard", "the client is nil")
	case app.verifyingKey() == "":
		return nil, argErr("NewGuard", "the client must verify answers: make it with WithPublicKey")
	case strings.TrimSpace(opts.LicenseKey) == "":
		return nil, argErr("NewGuard", "LicenseKey is required")
	case strings.TrimSpace(opts.Fingerprint) == "":
		return nil, argErr("NewGuard", "Fingerprint is required")
	case strings.Contains(opts.Fingerprint, "/") || hasControl(opts.Fingerprint):
		return nil, argErr("NewGuard", "Fingerprint must not contain '/' or control characters")
	case opts.Store == nil:
		return nil, argErr("NewGuard", "Store is required")
	case opts.FileTTL < 0 || opts.RefreshBefore < 0 || opts.ClockSkew < 0 || opts.Timeout < 0 ||
		opts.RefreshInterval < 0 || opts.HeartbeatInterval < 0:
		return nil, argErr("NewGuard", "durations must not be negative")
	}
	for _, e := range opts.Entitlements {
		if strings.TrimSpace(e) == "" {
			return nil, argErr("NewGuard", "an entitlement code is empty")
		}
	}
	opts.Entitlements = slices.Clone(opts.Entitlements)
	if opts.Platform == "" {
		opts.Platform = runtime.GOOS
	}
	if opts.ClockSkew == 0 {
		opts.ClockSkew = defaultGuardSkew
	}
	if opts.Timeout == 0 {
		opts.Timeout = defaultGuardTimeout
	}
	if opts.RefreshInterval == 0 {
		opts.RefreshInterval = defaultGuardRefreshInterval
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Guard{app: app, opts: opts, pub: app.verifyingKey()}, nil
}

// storedState is what the guard read from its Store.
type storedState struct {
	// trusted is the latest signed time seen: the stored one, raised to the file's issue
	// time when the file opens.
	trusted time.Time
	// file is the stored machine file, opened and verified: signed by the account, of this
	// license key and this fingerprint. nil when absent or unusable (fileErr says why).
	file    *MachineFileData
	fileErr error
}

// guardStateDoc is the guard's own record in the Store. It is not signed (nothing on the
// machine can sign it), so it only ever raises the trusted time: a user who edits it down
// gains nothing, as the machine file's signed issue time still counts.
type guardStateDoc struct {
	Version     int       `json:"version"`
	TrustedTime time.Time `json:"trustedTime"`
}

// loadStored reads the Store defensively: any error or garbage is "nothing stored".
func (g *Guard) loadStored() storedState {
	var st storedState
	if raw, err := g.opts.Store.Load(guardStateName); err == nil && len(raw) > 0 && len(raw) <= maxStoredSize {
		var doc guardStateDoc
		if json.Unmarshal(raw, &doc) == nil && doc.Version == 1 {
			st.trusted = doc.TrustedTime
		}
	}
	raw, err := g.opts.Store.Load(guardFileName)
	switch {
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		st.fileErr = fmt.Errorf("keygen: guard: reading the stored machine file: %w", err)
	case len(raw) == 0 || errors.Is(err, fs.ErrNotExist):
		st.fileErr = errors.New("keygen: guard: no machine file is stored")
	case len(raw) > maxStoredSize:
		st.fileErr = fmt.Errorf("%w: the stored machine file is over %d bytes", ErrLicenseFileMalformed, maxStoredSize)
	default:
		st.file, st.fileErr = g.openFile(string(raw))
		if st.file != nil && st.file.Issued.After(st.trusted) {
			st.trusted = st.file.Issued
		}
	}
	return st
}

// openFile verifies and reads a machine file: signed by the account, of this license key
// and this fingerprint (OpenMachineFile), and carrying its license (the guard checks out
// with Include "license"). A panic here would be a bug on unverified input: turn it into
// an error rather than crash the app on a planted file.
func (g *Guard) openFile(cert string) (d *MachineFileData, err error) {
	defer func() {
		if r := recover(); r != nil {
			d, err = nil, fmt.Errorf("%w: %v", ErrLicenseFileMalformed, r)
		}
	}()
	d, err = OpenMachineFile(cert, g.pub, g.opts.LicenseKey, g.opts.Fingerprint)
	if err != nil {
		return nil, fmt.Errorf("keygen: guard: the stored machine file is not usable: %w", err)
	}
	if d.Machine == nil || d.License == nil {
		return nil, fmt.Errorf("keygen: guard: %w: the stored machine file lacks its machine or license", ErrLicenseFileMalformed)
	}
	return d, nil
}

// saveTrusted records t as the latest signed time seen when it is later than before.
func (g *Guard) saveTrusted(st *storedState, t time.Time) error {
	if !t.After(st.trusted) {
		return nil
	}
	st.trusted = t
	b, err := json.Marshal(guardStateDoc{Version: 1, TrustedTime: t.UTC()})
	if err != nil {
		return err
	}
	if err := g.opts.Store.Save(guardStateName, b); err != nil {
		return fmt.Errorf("keygen: guard: storing the trusted time: %w", err)
	}
	return nil
}

func (g *Guard) report(err error) {
	if err == nil || g.opts.OnError == nil {
		return
	}
	g.errMu.Lock()
	defer g.errMu.Unlock()
	g.opts.OnError(err)
}

// Check decides whether the app may run now.
//
// Online, it validates the license key with this machine's fingerprint and the required
// entitlements in the scope (signed, and bound to that key and scope). When Keygen says
// the machine is not activated (NO_MACHINE, NO_MACHINES, FINGERPRINT_SCOPE_MISMATCH) it
// activates it, once, and validates again; a fingerprint already taken (422
// FINGERPRINT_TAKEN, another start of the app got there first) counts as activated, so
// one fingerprint never makes two machines. A valid license gets a fresh machine file in
// the Store when the stored one is missing or near its expiry (see RefreshBefore).
//
// When Keygen cannot be reached (a *TransportError, or a request past Timeout or ctx's
// deadline), it decides from the stored machine file alone: valid, with Offline set,
// until the file's signed expiry, as long as the file is this license's and this
// machine's and the license in it was not expired, suspended or short of an entitlement.
//
// Results:
//   - valid: a state with Valid set and a nil error;
//   - a signed "no" (any validation that is not valid, other than "not activated", or a
//     4xx refusal to activate): a state with Valid false and Code set, and a nil error.
//     The stored machine file is forgotten, so a later start with the network cut is not
//     valid either;
//   - a forged or unverifiable answer (ErrSignatureInvalid, an Unverified *Error): an
//     attack, not an outage: a state with Valid false and the error, and no fallback to
//     the stored file;
//   - a local clock behind the latest signed time seen: ErrClockTampered, not valid;
//   - no answer and no usable file, and any other failure: a state with Valid false and
//     the error.
//
// The state is never nil.
func (g *Guard) Check(ctx context.Context) (*GuardState, error) {
	if g == nil || g.app == nil {
		return &GuardState{}, argErr("Guard.Check", "nil guard: use NewGuard")
	}
	if ctx == nil {
		return &GuardState{}, argErr("Guard.Check", "nil context")
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	st, err := g.check(ctx)
	if st == nil {
		st = &GuardState{}
	}
	g.last = st
	return st, err
}

func (g *Guard) check(ctx context.Context) (*GuardState, error) {
	now := g.opts.Now()
	stored := g.loadStored()
	if now.Before(stored.trusted.Add(-g.opts.ClockSkew)) {
		return &GuardState{TrustedTime: stored.trusted}, fmt.Errorf("%w: local time %s, latest signed time %s",
			ErrClockTampered, now.UTC().Format(time.RFC3339), stored.trusted.UTC().Format(time.RFC3339))
	}
	st, err := g.online(ctx, &stored)
	if errors.Is(err, errUnreachable) {
		return g.offline(&stored, now, err)
	}
	return st, err
}

// errUnreachable marks the online errors that mean "no answer" and allow the offline
// decision.
var errUnreachable = errors.New("keygen: guard: Keygen cannot be reached")

// answerKind sorts an error from Keygen: no answer, an attack, or anything else.
type answerKind int

const (
	kindOther answerKind = iota
	kindUnreachable
	kindAttack
)

// classify tells an outage from an attack. A forged answer (bad signature, or an unsigned
// error where a signed one was due) is never taken for an outage: the attacker who forged
// it wants the app to fall back to something, and it must not.
func classify(ctx context.Context, err error) answerKind {
	var te *TransportError
	switch {
	case errors.Is(err, ErrSignatureInvalid) || IsUnverified(err):
		return kindAttack
	case errors.As(err, &te):
		return kindUnreachable
	case errors.Is(err, context.DeadlineExceeded) && !errors.Is(ctx.Err(), context.Canceled):
		// Our Timeout, or the caller's deadline: either way no answer came in time.
		return kindUnreachable
	}
	return kindOther
}

// call runs one request to Keygen with the guard's Timeout.
func (g *Guard) call(ctx context.Context, fn func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, g.opts.Timeout)
	defer cancel()
	return fn(ctx)
}

// notActivated reports the codes by which Keygen says this fingerprint has no machine on
// the license (keygen-sh/keygen-api, app/services/license_validation_service.rb: the
// fingerprint scope checks).
func notActivated(c ValidationCode) bool {
	switch c {
	case ValidationNoMachine, ValidationNoMachines, ValidationFingerprintScopeMismatch:
		return true
	}
	return false
}

// online asks Keygen. An error wrapping errUnreachable lets Check decide offline.
func (g *Guard) online(ctx context.Context, stored *storedState) (*GuardState, error) {
	scope := &ValidationScope{Fingerprint: g.opts.Fingerprint, Entitlements: g.opts.Entitlements}
	var machine *Machine
	activated, pinged := false, false
	for {
		var v *Validation
		err := g.call(ctx, func(ctx context.Context) (err error) {
			v, err = g.app.Licenses.ValidateKey(ctx, g.opts.LicenseKey, &ValidateOptions{Scope: scope})
			return err
		})
		if err != nil {
			if apiErr := signedRefusal(err); apiErr != nil {
				return g.refused(stored, refusalCode(apiErr), firstDetail(apiErr), nil)
			}
			return g.failed(ctx, stored, "validating the license", err, !activated)
		}
		if err := g.saveTrusted(stored, v.Timestamp); err != nil {
			g.report(err)
		}
		switch {
		case v.Valid && v.License == nil:
			// ValidateKey holds a license in the answer to the key sent; a valid answer
			// without one answers nothing we can bind.
			return &GuardState{TrustedTime: stored.trusted}, errors.New("keygen: guard: a valid validation without its license")
		case v.Valid:
			return g.valid(ctx, stored, v, machine), nil
		case notActivated(v.Code) && v.License != nil && !activated:
			activated = true
			m, err := g.activate(ctx, v.License.ID)
			if err != nil {
				if apiErr := signedRefusal(err); apiErr != nil && !apiErr.HasCode(CodeFingerprintTaken) {
					// A signed refusal to activate (over the machine limit, license
					// suspended…) is a "no" like an invalid validation.
					return g.refused(stored, refusalCode(apiErr), firstDetail(apiErr), v.License)
				}
				if !HasCode(err, CodeFingerprintTaken) {
					// A signed "not activated" came in: no fallback to the file.
					return g.failed(ctx, stored, "activating this machine", err, false)
				}
				// FINGERPRINT_TAKEN: this fingerprint got activated since the validation (a
				// second start of the app at the same time): validate again.
			}
			machine = m
		case v.Code == ValidationHeartbeatNotStarted && v.License != nil && !pinged:
			// The policy requires heartbeats and this machine has sent none yet (a
			// FROM_FIRST_PING basis): the first ping starts them.
			pinged = true
			id := g.opts.Fingerprint
			if machine != nil {
				id = machine.ID
			}
			// Keygen finds a machine by id or fingerprint among those the credential
			// may see (keygen-sh/keygen-api, app/controllers/api/v1/machines/actions/
			// heartbeats_controller.rb); the answer must be this license's machine.
			if err := g.call(ctx, func(ctx context.Context) (err error) {
				machine, err = g.app.Machines.Ping(ctx, id)
				if err == nil && (machine.LicenseID != v.License.ID || machine.Fingerprint != g.opts.Fingerprint) {
					machine, err = nil, sigErr("the machine pinged is another license's or fingerprint's (a relayed answer?)")
				}
				return err
			}); err != nil {
				return g.failed(ctx, stored, "sending the first heartbeat", err, false)
			}
		default:
			return g.refused(stored, v.Code, v.Detail, v.License)
		}
	}
}

// signedRefusal returns the *Error in err when it is a signed 4xx answer that a retry
// cannot change: Keygen refusing this license or this machine. Timeouts (408), lock
// conflicts (409) and throttling (429) pass, so they are not refusals.
func signedRefusal(err error) *Error {
	var e *Error
	if !errors.As(err, &e) || e.Unverified || errors.Is(err, ErrSignatureInvalid) {
		return nil
	}
	switch {
	case e.StatusCode == http.StatusRequestTimeout, e.StatusCode == http.StatusConflict, e.StatusCode == http.StatusTooManyRequests:
		return nil
	case e.StatusCode >= 400 && e.StatusCode < 500:
		return e
	}
	return nil
}

// refusalCode names a refusal as a validation would. A client authenticated with the
// license key is refused before the validation runs when the license is banned,
// suspended or expired under REVOKE_ACCESS (keygen-sh/keygen-api,
// app/controllers/concerns/authentication.rb): 403 LICENSE_BANNED, LICENSE_SUSPENDED,
// LICENSE_EXPIRED, which mean the validation codes BANNED, SUSPENDED and EXPIRED.
func refusalCode(e *Error) ValidationCode {
	switch {
	case e.HasCode(CodeLicenseSuspended):
		return ValidationSuspended
	case e.HasCode(CodeLicenseExpired):
		return ValidationExpired
	case e.HasCode("LICENSE_BANNED"), e.HasCode(CodeUserBanned):
		return ValidationBanned
	}
	if c := e.Code(); c != "" {
		return ValidationCode(c)
	}
	return ValidationCode(fmt.Sprintf("HTTP_%d", e.StatusCode))
}

func firstDetail(e *Error) string {
	for _, o := range e.Errors {
		if o.Detail != "" {
			return o.Title + ": " + o.Detail
		}
	}
	return ""
}

// failed turns an online error into the result: "unreachable" (for Check to decide
// offline, when allowed), an attack, or another failure, never valid.
func (g *Guard) failed(ctx context.Context, stored *storedState, what string, err error, mayFallBack bool) (*GuardState, error) {
	st := &GuardState{TrustedTime: stored.trusted}
	switch classify(ctx, err) {
	case kindAttack:
		return st, fmt.Errorf("keygen: guard: %s: a forged or unverifiable answer, not trusted (nothing falls back to the stored file): %w", what, err)
	case kindUnreachable:
		if mayFallBack {
			return st, fmt.Errorf("%w: %s: %w", errUnreachable, what, err)
		}
	}
	return st, fmt.Errorf("keygen: guard: %s: %w", what, err)
}

// refused is a signed "no": the stored machine file is forgotten, so that the app does
// not run on it offline later.
func (g *Guard) refused(stored *storedState, code ValidationCode, detail string, lic *License) (*GuardState, error) {
	st := &GuardState{Code: code, Detail: detail, License: lic, TrustedTime: stored.trusted}
	stored.file = nil
	if err := g.opts.Store.Save(guardFileName, nil); err != nil {
		return st, fmt.Errorf("keygen: guard: the license is not valid (%s), and forgetting the stored machine file failed: %w", code, err)
	}
	return st, nil
}

// activate creates this machine on the license.
func (g *Guard) activate(ctx context.Context, licenseID string) (*Machine, error) {
	var m *Machine
	err := g.call(ctx, func(ctx context.Context) (err error) {
		m, err = g.app.Machines.Create(ctx, MachineCreateOptions{
			LicenseID:   licenseID,
			Fingerprint: g.opts.Fingerprint,
			Name:        g.opts.MachineName,
			Platform:    g.opts.Platform,
		})
		return err
	})
	return m, err
}

// valid builds the state of a valid validation, refreshing the machine file when due.
// Failures to refresh do not change the verdict: they are reported.
func (g *Guard) valid(ctx context.Context, stored *storedState, v *Validation, machine *Machine) *GuardState {
	file := stored.file
	if file != nil && file.License.ID != v.License.ID {
		file = nil // cannot happen for a file opened with this key; never mix two licenses
	}
	if file == nil || g.refreshDue(file, maxTime(g.opts.Now(), stored.trusted)) {
		fresh, err := g.refresh(ctx, stored, v.License.ID, machine)
		if err != nil {
			g.report(err)
		} else {
			file = fresh
		}
	}
	st := &GuardState{Valid: true, Code: v.Code, Detail: v.Detail, License: v.License, Machine: machine, TrustedTime: stored.trusted}
	if file != nil {
		if st.Machine == nil {
			st.Machine = file.Machine
		}
		st.Expiry = file.Expiry
		st.Entitlements = fileEntitlements(file)
	}
	for _, e := range g.opts.Entitlements {
		// The validation was valid with these in its scope: the license holds them.
		if !slices.Contains(st.Entitlements, e) {
			st.Entitlements = append(st.Entitlements, e)
		}
	}
	return st
}

// refreshDue reports a file that expires within RefreshBefore (default: a third of its
// lifetime) of at.
func (g *Guard) refreshDue(f *MachineFileData, at time.Time) bool {
	if f.Expiry == nil {
		return false
	}
	before := g.opts.RefreshBefore
	if before == 0 {
		before = f.Expiry.Sub(f.Issued) / 3
	}
	return !at.Before(f.Expiry.Add(-before))
}

// refresh checks out a new machine file, verifies it and stores it.
func (g *Guard) refresh(ctx context.Context, stored *storedState, licenseID string, machine *Machine) (*MachineFileData, error) {
	if machine == nil {
		// Look the machine up by fingerprint: the answer is signed for that path, and
		// must be this license's machine with this fingerprint, or a relay swapped it.
		err := g.call(ctx, func(ctx context.Context) (err error) {
			machine, err = g.app.Machines.Get(ctx, g.opts.Fingerprint)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("keygen: guard: finding this machine to refresh its file: %w", err)
		}
		if machine.LicenseID != licenseID || machine.Fingerprint != g.opts.Fingerprint {
			return nil, fmt.Errorf("keygen: guard: finding this machine: %w", sigErr("the machine answered is another license's or fingerprint's (a relayed answer?)"))
		}
	}
	var mf *MachineFile
	err := g.call(ctx, func(ctx context.Context) (err error) {
		mf, err = g.app.Machines.CheckOut(ctx, machine.ID, &CheckOutOptions{
			Encrypt: true,
			TTL:     g.opts.FileTTL,
			// The license, with its policy (for its expiration strategy) and entitlements,
			// so that the offline decision has what the online one had.
			Include: []string{"license", "license.entitlements", "license.policy"},
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("keygen: guard: checking out the machine file: %w", err)
	}
	d, err := g.openFile(mf.Certificate)
	if err != nil {
		return nil, err
	}
	if d.License.ID != licenseID || d.Machine.ID != machine.ID {
		return nil, fmt.Errorf("keygen: guard: %w: the new machine file is for another license or machine", ErrLicenseFileMismatch)
	}
	if err := g.opts.Store.Save(guardFileName, []byte(mf.Certificate)); err != nil {
		return nil, fmt.Errorf("keygen: guard: storing the machine file: %w", err)
	}
	stored.file, stored.fileErr = d, nil
	if err := g.saveTrusted(stored, d.Issued); err != nil {
		g.report(err)
	}
	return d, nil
}

// offline decides from the stored machine file alone, at the later of the local clock
// and the latest signed time seen.
func (g *Guard) offline(stored *storedState, now time.Time, cause error) (*GuardState, error) {
	st := &GuardState{Offline: true, TrustedTime: stored.trusted}
	f := stored.file
	if f == nil {
		return st, fmt.Errorf("%w, and %w", cause, stored.fileErr)
	}
	st.License, st.Machine, st.Expiry = f.License, f.Machine, f.Expiry
	st.Entitlements = fileEntitlements(f)
	at := maxTime(now, stored.trusted)
	if err := f.ValidAt(at); err != nil {
		return st, fmt.Errorf("%w, and the stored machine file is not usable: %w", cause, err)
	}
	code, detail := offlineVerdict(f, g.opts.Entitlements, at)
	st.Code, st.Detail = code, detail
	st.Valid = code == ValidationValid
	return st, nil
}

// offlineVerdict reads the license in a verified machine file as a validation would at
// time at: the file was checked out while the license was valid, so what can have changed
// since is its expiry; suspension and entitlements are as they were at check-out.
func offlineVerdict(f *MachineFileData, required []string, at time.Time) (ValidationCode, string) {
	lic := f.License
	switch lic.Status {
	case "SUSPENDED":
		return ValidationSuspended, "is suspended"
	case "BANNED":
		return ValidationBanned, "is banned"
	}
	if lic.Expiry != nil && !at.Before(*lic.Expiry) && !allowsAccessWhenExpired(f) {
		return ValidationExpired, "is expired"
	}
	have := fileEntitlements(f)
	for _, e := range required {
		if !slices.Contains(have, e) {
			return ValidationEntitlementsMissing, "is missing one or more required entitlements"
		}
	}
	return ValidationValid, "is valid (machine file)"
}

// allowsAccessWhenExpired reports a policy, included in the file, under which Keygen still
// validates an expired license (ALLOW_ACCESS, MAINTAIN_ACCESS; keygen-sh/keygen-api,
// app/services/license_validation_service.rb). Without the policy the answer is no.
func allowsAccessWhenExpired(f *MachineFileData) bool {
	for _, p := range f.Included.Policies {
		if p != nil && p.ID == f.License.PolicyID {
			return p.ExpirationStrategy == "ALLOW_ACCESS" || p.ExpirationStrategy == "MAINTAIN_ACCESS"
		}
	}
	return false
}

// fileEntitlements returns the codes of the entitlements included in a machine file
// checked out with Include "license.entitlements": the same answer MachineFileData.HasEntitlement
// gives.
func fileEntitlements(f *MachineFileData) []string {
	return f.EntitlementCodes()
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// lastState is the latest verdict, nil before the first Check.
func (g *Guard) lastState() *GuardState {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.last
}

// Run keeps the license alive while the app runs, until ctx ends (returning ctx.Err()): it
// checks again every RefreshInterval (which refreshes the machine file when due, and
// activates the machine again if it was deactivated), and when the machine requires
// heartbeats it sends them (HeartbeatMonitor). Failures, and a license that stopped being
// valid, go to OnError; Run never stops for them, and an unreachable Keygen is one of them
// only when no stored file covers it. Run checks at once when no Check has succeeded yet.
func (g *Guard) Run(ctx context.Context) error {
	if g == nil || g.app == nil {
		return argErr("Guard.Run", "nil guard: use NewGuard")
	}
	if ctx == nil {
		return argErr("Guard.Run", "nil context")
	}
	var (
		hbID     string
		hbCancel context.CancelFunc
		hbDone   chan struct{}
	)
	stopHeartbeats := func() {
		if hbCancel != nil {
			hbCancel()
			<-hbDone
			hbCancel, hbDone, hbID = nil, nil, ""
		}
	}
	defer stopHeartbeats()
	for first := true; ; first = false {
		// A first verdict from the app's own Check is not asked again at once.
		if st := g.lastState(); !first || st == nil || !st.Valid {
			st, err := g.Check(ctx)
			switch {
			case ctx.Err() != nil:
				return ctx.Err()
			case err != nil:
				g.report(err)
			case !st.Valid:
				g.report(fmt.Errorf("keygen: guard: the license is not valid (%s)", st.Code))
			}
		}
		if hbDone != nil {
			select {
			case <-hbDone: // the monitor stopped for good (reported): start it again below
				hbCancel, hbDone, hbID = nil, nil, ""
			default:
			}
		}
		if st := g.lastState(); st != nil && st.Valid && st.Machine != nil && st.Machine.RequireHeartbeat {
			if hbID != st.Machine.ID {
				stopHeartbeats()
				hbID = st.Machine.ID
				hctx, cancel := context.WithCancel(ctx)
				hbCancel, hbDone = cancel, make(chan struct{})
				mon := NewHeartbeatMonitor(g.app, hbID, HeartbeatOptions{Interval: g.opts.HeartbeatInterval, OnError: g.report})
				go func(done chan struct{}) {
					defer close(done)
					if err := mon.Run(hctx); err != nil && hctx.Err() == nil {
						g.report(fmt.Errorf("keygen: guard: heartbeats stopped: %w", err))
					}
				}(hbDone)
			}
		} else {
			stopHeartbeats()
		}
		if err := sleepCtx(ctx, g.opts.RefreshInterval); err != nil {
			return err
		}
	}
}
