package keygen_test

// End-to-end tests of the relay attack: an attacker who controls the app's network puts a
// proxy in front of the real server. It rewrites what the SDK asks (the request body, the
// credential) and forwards the genuine, fresh, signed answer to that other question. Keygen
// signs the method, path, host, Date and the digest of the answer
// (keygen-sh/keygen-api, app/controllers/application_controller.rb), not the request body
// nor the credential, so the signature alone cannot catch this: the SDK must hold every
// answer to the question it asked. Each case here was accepted before that check existed.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	keygen "github.com/licensekit/keygen"
)

// relay is an HTTP proxy in front of keygentest. rewrite may change each request (body and
// headers) before it is forwarded; the answer comes back untouched unless forge is set, in
// which case forge writes the answer itself and nothing is forwarded.
type relay struct {
	*httptest.Server
	target string

	mu      sync.Mutex
	rewrite func(r *http.Request, body map[string]any)
	forge   http.HandlerFunc
	relayed atomic.Int32 // requests rewritten and forwarded
}

func newRelay(t *testing.T, target string) *relay {
	t.Helper()
	rl := &relay{target: target}
	rl.Server = httptest.NewServer(http.HandlerFunc(rl.serve))
	t.Cleanup(rl.Close)
	return rl
}

// set installs the request rewrite for every following request.
func (rl *relay) set(fn func(r *http.Request, body map[string]any)) {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	rl.rewrite, rl.forge = fn, nil
}

// forgeWith answers every following request with fn instead of the server.
func (rl *relay) forgeWith(fn http.HandlerFunc) {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	rl.rewrite, rl.forge = nil, fn
}

func (rl *relay) serve(w http.ResponseWriter, r *http.Request) {
	rl.mu.Lock()
	rewrite, forge := rl.rewrite, rl.forge
	rl.mu.Unlock()
	if forge != nil {
		forge(w, r)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	out, err := http.NewRequestWithContext(r.Context(), r.Method, rl.target+r.URL.RequestURI(), nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	out.Header = r.Header.Clone()
	if rewrite != nil && len(body) > 0 {
		var doc map[string]any
		if json.Unmarshal(body, &doc) == nil {
			rewrite(out, doc)
			body, _ = json.Marshal(doc)
		}
		rl.relayed.Add(1)
	} else if rewrite != nil {
		rewrite(out, nil)
		rl.relayed.Add(1)
	}
	out.Body = io.NopCloser(bytes.NewReader(body))
	out.ContentLength = int64(len(body))
	res, err := http.DefaultTransport.RoundTrip(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer res.Body.Close()
	for k, v := range res.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(res.StatusCode)
	_, _ = io.Copy(w, res.Body)
}

// meta returns the request document's meta object, creating it when missing.
func meta(body map[string]any) map[string]any {
	m, _ := body["meta"].(map[string]any)
	if m == nil {
		m = map[string]any{}
		body["meta"] = m
	}
	return m
}

// relayE2E is a keygentest server with its admin client, and a relay in front of it.
type relayE2E struct {
	*e2e
	rl *relay
}

func newRelayE2E(t *testing.T) *relayE2E {
	t.Helper()
	e := newE2E(t)
	return &relayE2E{e2e: e, rl: newRelay(t, e.srv.URL)}
}

// app is a client that checks signatures and talks to keygentest through the relay.
func (r *relayE2E) app(opts ...keygen.Option) *keygen.Client {
	r.t.Helper()
	all := append([]keygen.Option{keygen.WithBaseURL(r.rl.URL), keygen.WithoutRetries(), keygen.WithPublicKey(r.srv.PublicKey)}, opts...)
	c, err := keygen.NewClient(r.srv.AccountID, all...)
	require.NoError(r.t, err)
	return c
}

// direct is the same client without the relay, to show the honest answer.
func (r *relayE2E) direct(opts ...keygen.Option) *keygen.Client {
	return r.client(append([]keygen.Option{keygen.WithPublicKey(r.srv.PublicKey)}, opts...)...)
}

// world makes a product, a node-locked policy (1 machine, license-key auth) and licenses on it.
type relayWorld struct {
	product *keygen.Product
	policy  *keygen.Policy
}

func (r *relayE2E) world() relayWorld {
	r.t.Helper()
	p := r.product("Relay App")
	pol := r.policy(keygen.PolicyCreateOptions{
		ProductID: p.ID, MaxMachines: keygen.Ptr(1), Strict: keygen.Ptr(true),
		AuthenticationStrategy: "LICENSE",
	})
	return relayWorld{product: p, policy: pol}
}

func (r *relayE2E) license(w relayWorld) *keygen.License {
	r.t.Helper()
	l, err := r.admin.Licenses.Create(r.ctx, keygen.LicenseCreateOptions{PolicyID: w.policy.ID})
	require.NoError(r.t, err)
	return l
}

func (r *relayE2E) activate(l *keygen.License, fp string) *keygen.Machine {
	r.t.Helper()
	m, err := r.admin.Machines.Create(r.ctx, keygen.MachineCreateOptions{LicenseID: l.ID, Fingerprint: fp})
	require.NoError(r.t, err)
	return m
}

// relayed asserts that the relay really rewrote a request and that the SDK refused the
// genuine answer it got back as a signature failure, never as a result.
func (r *relayE2E) relayed(t *testing.T, err error, reason string) {
	t.Helper()
	require.Positive(t, r.rl.relayed.Load(), "the relay rewrote nothing: the test proves nothing")
	sigFail(t, err, reason)
}

func TestE2ERelayValidateKeySwapsKey(t *testing.T) {
	t.Parallel()
	r := newRelayE2E(t)
	w := r.world()
	valid := r.license(w)
	suspended := r.license(w)
	_, err := r.admin.Licenses.Suspend(r.ctx, suspended.ID)
	require.NoError(t, err)
	// The honest answers first: the key is unknown, or suspended.
	v, err := r.direct().Licenses.ValidateKey(r.ctx, "A-KEY-THE-USER-MADE-UP", nil)
	require.NoError(t, err)
	require.Equal(t, keygen.ValidationNotFound, v.Code)
	v, err = r.direct().Licenses.ValidateKey(r.ctx, suspended.Key, nil)
	require.NoError(t, err)
	require.Equal(t, keygen.ValidationSuspended, v.Code)

	for name, key := range map[string]string{"made-up key": "A-KEY-THE-USER-MADE-UP", "suspended key": suspended.Key} {
		t.Run(name, func(t *testing.T) {
			r.rl.set(func(_ *http.Request, body map[string]any) { meta(body)["key"] = valid.Key })
			v, err := r.app().Licenses.ValidateKey(r.ctx, key, nil)
			assert.Nil(t, v)
			r.relayed(t, err, "another license key")
		})
	}
}

func TestE2ERelayValidateRewritesFingerprint(t *testing.T) {
	t.Parallel()
	r := newRelayE2E(t)
	w := r.world()
	lic := r.license(w)
	r.activate(lic, "activated-elsewhere")
	scope := &keygen.ValidationScope{Fingerprint: "this-machine-not-activated"}

	v, err := r.direct().Licenses.ValidateKey(r.ctx, lic.Key, &keygen.ValidateOptions{Scope: scope})
	require.NoError(t, err)
	require.Equal(t, keygen.ValidationFingerprintScopeMismatch, v.Code, "the honest answer")

	rewrite := func(_ *http.Request, body map[string]any) {
		meta(body)["scope"] = map[string]any{"fingerprint": "activated-elsewhere"}
	}
	t.Run("validate-key", func(t *testing.T) {
		r.rl.set(rewrite)
		_, err := r.app().Licenses.ValidateKey(r.ctx, lic.Key, &keygen.ValidateOptions{Scope: scope})
		r.relayed(t, err, "another scope")
	})
	t.Run("validate by id", func(t *testing.T) {
		r.rl.set(rewrite)
		_, err := r.app(keygen.WithLicenseKey(lic.Key)).Licenses.Validate(r.ctx, lic.ID, &keygen.ValidateOptions{Scope: scope})
		r.relayed(t, err, "another scope")
	})
	t.Run("fingerprints list", func(t *testing.T) {
		r.rl.set(func(_ *http.Request, body map[string]any) {
			meta(body)["scope"] = map[string]any{"fingerprints": []any{"activated-elsewhere"}}
		})
		_, err := r.app().Licenses.ValidateKey(r.ctx, lic.Key, &keygen.ValidateOptions{Scope: &keygen.ValidationScope{Fingerprints: []string{"this-machine-not-activated"}}})
		r.relayed(t, err, "another scope")
	})
}

func TestE2ERelayDropsScope(t *testing.T) {
	t.Parallel()
	r := newRelayE2E(t)
	w := r.world()
	lic := r.license(w)
	r.activate(lic, "fp-1")
	other := r.product("Another App")
	for name, scope := range map[string]*keygen.ValidationScope{
		"entitlements": {Fingerprint: "fp-1", Entitlements: []string{"PRO"}},
		"product":      {Fingerprint: "fp-1", Product: other.ID},
	} {
		t.Run(name, func(t *testing.T) {
			v, err := r.direct().Licenses.ValidateKey(r.ctx, lic.Key, &keygen.ValidateOptions{Scope: scope})
			require.NoError(t, err)
			require.False(t, v.Valid, "the honest answer is a no: %s", v.Code)

			r.rl.set(func(_ *http.Request, body map[string]any) { delete(meta(body), "scope") })
			_, err = r.app().Licenses.ValidateKey(r.ctx, lic.Key, &keygen.ValidateOptions{Scope: scope})
			r.relayed(t, err, "no scope")

			// Dropping only the part that fails is caught as well.
			r.rl.set(func(_ *http.Request, body map[string]any) {
				meta(body)["scope"] = map[string]any{"fingerprint": "fp-1"}
			})
			_, err = r.app().Licenses.ValidateKey(r.ctx, lic.Key, &keygen.ValidateOptions{Scope: scope})
			r.relayed(t, err, "another scope")
		})
	}
	t.Run("scope added to a validation without one", func(t *testing.T) {
		r.rl.set(func(_ *http.Request, body map[string]any) {
			meta(body)["scope"] = map[string]any{"fingerprint": "fp-1"}
		})
		_, err := r.app().Licenses.ValidateKey(r.ctx, lic.Key, nil)
		r.relayed(t, err, "none was sent")
	})
}

func TestE2ERelayProfileOfAnotherLicense(t *testing.T) {
	t.Parallel()
	r := newRelayE2E(t)
	w := r.world()
	mine := r.license(w)
	theirs := r.license(w)
	p, err := r.direct(keygen.WithLicenseKey(mine.Key)).Profile.Get(r.ctx)
	require.NoError(t, err)
	require.Equal(t, mine.ID, p.ID, "the honest answer")

	r.rl.set(func(req *http.Request, _ map[string]any) {
		req.Header.Set("Authorization", "License "+theirs.Key)
	})
	p, err = r.app(keygen.WithLicenseKey(mine.Key)).Profile.Get(r.ctx)
	assert.Nil(t, p)
	r.relayed(t, err, "another bearer")
}

func TestE2ERelayActivationMovedToAnotherLicense(t *testing.T) {
	t.Parallel()
	r := newRelayE2E(t)
	w := r.world()
	mine := r.license(w)
	r.activate(mine, "first-machine") // the node-locked license is full
	attackers := r.license(w)

	_, err := r.direct(keygen.WithLicenseKey(mine.Key)).Machines.Create(r.ctx, keygen.MachineCreateOptions{LicenseID: mine.ID, Fingerprint: "second-machine"})
	errWithCode(t, err, http.StatusUnprocessableEntity, keygen.CodeMachineLimitExceeded, "")

	t.Run("to another license", func(t *testing.T) {
		r.rl.set(func(req *http.Request, body map[string]any) {
			req.Header.Set("Authorization", "License "+attackers.Key)
			data := body["data"].(map[string]any)
			rels := data["relationships"].(map[string]any)
			rels["license"] = map[string]any{"data": map[string]any{"type": "licenses", "id": attackers.ID}}
		})
		m, err := r.app(keygen.WithLicenseKey(mine.Key)).Machines.Create(r.ctx, keygen.MachineCreateOptions{LicenseID: mine.ID, Fingerprint: "second-machine"})
		assert.Nil(t, m)
		r.relayed(t, err, "another license or fingerprint")
	})
	t.Run("another fingerprint", func(t *testing.T) {
		spare := r.license(w)
		r.rl.set(func(_ *http.Request, body map[string]any) {
			body["data"].(map[string]any)["attributes"].(map[string]any)["fingerprint"] = "some-other-machine"
		})
		m, err := r.app(keygen.WithLicenseKey(spare.Key)).Machines.Create(r.ctx, keygen.MachineCreateOptions{LicenseID: spare.ID, Fingerprint: "this-machine"})
		assert.Nil(t, m)
		r.relayed(t, err, "another license or fingerprint")
	})
	t.Run("untouched activation passes", func(t *testing.T) {
		spare := r.license(w)
		r.rl.set(nil)
		m, err := r.app(keygen.WithLicenseKey(spare.Key)).Machines.Create(r.ctx, keygen.MachineCreateOptions{LicenseID: spare.ID, Fingerprint: "this-machine"})
		require.NoError(t, err)
		assert.Equal(t, "this-machine", m.Fingerprint)
		assert.Equal(t, spare.ID, m.LicenseID)
	})
}

// TestE2ERelayForeignFiles: genuine files, signed by the account, of another machine or of
// another license, handed to the app (by the relay, or copied onto the disk).
func TestE2ERelayForeignFiles(t *testing.T) {
	t.Parallel()
	r := newRelayE2E(t)
	w := r.world()
	mine := r.license(w)
	theirs := r.license(w)
	r.activate(theirs, "their-machine")
	myMachine := r.activate(mine, "my-machine")
	pub := r.srv.PublicKey

	t.Run("unencrypted machine file of another machine", func(t *testing.T) {
		f, err := r.admin.Machines.CheckOut(r.ctx, "their-machine", &keygen.CheckOutOptions{Include: []string{"license"}})
		require.NoError(t, err)
		_, err = f.Open(pub, theirs.Key, "their-machine")
		require.NoError(t, err, "it opens where it belongs")
		_, err = keygen.OpenMachineFile(f.Certificate, pub, theirs.Key, "my-machine")
		require.ErrorIs(t, err, keygen.ErrLicenseFileMismatch)
		_, err = keygen.OpenMachineFile(f.Certificate, pub, mine.Key, "their-machine")
		require.ErrorIs(t, err, keygen.ErrLicenseFileMismatch)
	})
	t.Run("unencrypted machine file without its license", func(t *testing.T) {
		f, err := r.admin.Machines.CheckOut(r.ctx, myMachine.ID, nil)
		require.NoError(t, err)
		_, err = f.Open(pub, mine.Key, "my-machine")
		require.ErrorIs(t, err, keygen.ErrLicenseFileMismatch)
		f, err = r.admin.Machines.CheckOut(r.ctx, myMachine.ID, &keygen.CheckOutOptions{Encrypt: true})
		require.NoError(t, err)
		_, err = f.Open(pub, mine.Key, "my-machine")
		require.NoError(t, err, "an encrypted file is bound by its key")
	})
	t.Run("unencrypted license file of another license", func(t *testing.T) {
		f, err := r.admin.Licenses.CheckOut(r.ctx, theirs.ID, nil)
		require.NoError(t, err)
		_, err = keygen.OpenLicenseFile(f.Certificate, pub, mine.Key)
		require.ErrorIs(t, err, keygen.ErrLicenseFileMismatch)
		_, err = keygen.OpenLicenseFile(f.Certificate, pub, "")
		require.ErrorIs(t, err, keygen.ErrInvalidArgument)
		d, err := keygen.OpenLicenseFile(f.Certificate, pub, theirs.Key)
		require.NoError(t, err)
		assert.Equal(t, theirs.ID, d.License.ID)
	})
}

// TestE2ERelayForgedErrors: error answers the relay writes itself.
func TestE2ERelayForgedErrors(t *testing.T) {
	t.Parallel()
	r := newRelayE2E(t)
	w := r.world()
	lic := r.license(w)
	mach := r.activate(lic, "hb-machine")

	t.Run("unsigned 404 does not stop heartbeats", func(t *testing.T) {
		var forged atomic.Int32
		r.rl.forgeWith(func(w http.ResponseWriter, _ *http.Request) {
			if forged.Add(1) > 2 {
				// Then let the genuine server answer again.
				r.rl.set(nil)
			}
			w.Header().Set("Content-Type", "application/vnd.api+json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"errors":[{"title":"Not found","detail":"The requested machine was not found","code":"NOT_FOUND"}]}`)
		})
		ctx, cancel := context.WithTimeout(r.ctx, 10*time.Second)
		defer cancel()
		var reported []error
		pinged := 0
		mon := keygen.NewHeartbeatMonitor(r.app(keygen.WithLicenseKey(lic.Key)), mach.ID, keygen.HeartbeatOptions{
			Interval:     20 * time.Millisecond,
			MaxRetryWait: 10 * time.Millisecond,
			OnError:      func(err error) { reported = append(reported, err) },
			OnPing: func(*keygen.Machine) {
				if pinged++; pinged == 2 {
					cancel()
				}
			},
		})
		err := mon.Run(ctx)
		require.ErrorIs(t, err, context.Canceled, "Run stops only when its context ends")
		require.GreaterOrEqual(t, len(reported), 2, "each forged 404 is reported")
		for _, e := range reported {
			require.ErrorIs(t, e, keygen.ErrNotFound)
			assert.True(t, keygen.IsUnverified(e), "marked unverified: %v", e)
			assert.Contains(t, e.Error(), "unsigned")
		}
		assert.Equal(t, 2, pinged, "heartbeats went on once the genuine server answered")
	})

	forged := func(status int, body []byte, header http.Header) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			for k, v := range header {
				w.Header()[k] = v
			}
			w.WriteHeader(status)
			_, _ = w.Write(body)
		}
	}
	badSig := http.Header{
		"Date":             {time.Now().UTC().Format(http.TimeFormat)},
		"Digest":           {"sha-256=AAAA"},
		"Keygen-Signature": {`keyid="x", algorithm="ed25519", signature="AAAA", headers="(request-target) host date digest"`},
		"Content-Type":     {"application/vnd.api+json"},
	}
	for name, c := range map[string]struct {
		status int
		body   []byte
	}{
		"huge error body":      {http.StatusForbidden, append([]byte(`{"errors":[{"title":"`), bytes.Repeat([]byte("x"), 2<<20)...)},
		"3xx without Location": {http.StatusNotModified, nil},
		"3xx huge body":        {http.StatusMultipleChoices, bytes.Repeat([]byte("y"), 2<<20)},
		"302 with a body":      {http.StatusFound, []byte(`{"errors":[{"title":"Found"}]}`)},
		"5xx":                  {http.StatusServiceUnavailable, []byte(`{"errors":[{"title":"Unavailable"}]}`)},
		"422 forged verdict":   {http.StatusUnprocessableEntity, []byte(`{"errors":[{"title":"Unprocessable","code":"MACHINE_HEARTBEAT_DEAD"}]}`)},
	} {
		t.Run("bad signature: "+name, func(t *testing.T) {
			r.rl.forgeWith(forged(c.status, c.body, badSig))
			_, err := r.app(keygen.WithLicenseKey(lic.Key)).Licenses.Get(r.ctx, lic.ID)
			require.ErrorIs(t, err, keygen.ErrSignatureInvalid)
			var ae *keygen.Error
			assert.False(t, errors.As(err, &ae), "not an API error: %v", err)
		})
	}
	t.Run("unsigned 422 stays an unverified error", func(t *testing.T) {
		r.rl.forgeWith(forged(http.StatusUnprocessableEntity, []byte(`{"errors":[{"title":"Unprocessable","code":"MACHINE_HEARTBEAT_DEAD"}]}`), http.Header{"Content-Type": {"application/vnd.api+json"}}))
		_, err := r.app(keygen.WithLicenseKey(lic.Key)).Machines.Ping(r.ctx, mach.ID)
		require.ErrorIs(t, err, keygen.ErrUnprocessable)
		require.True(t, keygen.IsUnverified(err))
		// Without signature checks there is nothing to mark.
		_, err = r.client(keygen.WithLicenseKey(lic.Key), keygen.WithBaseURL(r.rl.URL)).Machines.Ping(r.ctx, mach.ID)
		require.ErrorIs(t, err, keygen.ErrUnprocessable)
		require.False(t, keygen.IsUnverified(err))
	})
}

// TestE2ERelayUntouched: the same flows through the relay without a rewrite still pass, so
// the checks above refuse the relayed answers and nothing else.
func TestE2ERelayUntouched(t *testing.T) {
	t.Parallel()
	r := newRelayE2E(t)
	w := r.world()
	lic := r.license(w)
	r.rl.set(nil)
	app := r.app(keygen.WithLicenseKey(lic.Key))
	ctx := r.ctx

	m, err := app.Machines.Create(ctx, keygen.MachineCreateOptions{LicenseID: lic.ID, Fingerprint: "fp-ok"})
	require.NoError(t, err)
	scopes := []*keygen.ValidationScope{
		nil,
		{},
		{Fingerprint: "fp-ok"},
		{Fingerprint: "fp-ok", Entitlements: []string{"PRO", "PRO"}},
		{Fingerprints: []string{"fp-ok", "fp-ok"}, Product: r.product("Other").ID},
		{Fingerprint: "fp-ok", Machine: m.ID, Policy: w.policy.ID, Product: w.product.ID},
	}
	for _, s := range scopes {
		v, err := app.Licenses.ValidateKey(ctx, lic.Key, &keygen.ValidateOptions{Scope: s})
		require.NoError(t, err, "scope %+v", s)
		assert.Equal(t, lic.ID, v.License.ID)
		v, err = app.Licenses.Validate(ctx, lic.ID, &keygen.ValidateOptions{Scope: s})
		require.NoError(t, err, "scope %+v", s)
		if s == nil {
			assert.Nil(t, v.Scope)
		} else {
			require.NotNil(t, v.Scope)
			assert.Equal(t, *s, *v.Scope)
		}
	}
	v, err := app.Licenses.ValidateKey(ctx, "NO-SUCH-KEY", nil)
	require.NoError(t, err)
	assert.Equal(t, keygen.ValidationNotFound, v.Code)
	p, err := app.Profile.Get(ctx)
	require.NoError(t, err)
	assert.Equal(t, lic.ID, p.ID)
	assert.True(t, strings.HasPrefix(r.rl.URL, "http://127.0.0.1:"))
}
