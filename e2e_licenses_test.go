// Licenses, validation and check-out routes are being added to keygentest; remove the
// build tag once they land.

package keygen_test

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	keygen "github.com/licensekit/keygen"
)

const day = 24 * time.Hour

var defaultKeyRE = regexp.MustCompile(`^[0-9A-F]{6}(-[0-9A-F]{6}){4}-V3$`)

func TestE2ELicensesCRUD(t *testing.T) {
	t.Parallel()
	e := newE2E(t)
	prod := e.product("App")
	pol := e.policy(keygen.PolicyCreateOptions{ProductID: prod.ID, Duration: keygen.Ptr(30 * 86400)})
	owner, _ := e.user("owner@example.com", "owner-pass")

	// Default key format, expiry from a FROM_CREATION duration, limits from the policy,
	// relationship linkage and counts (keygen-sh/keygen-api, app/models/license.rb).
	lic, err := e.admin.Licenses.Create(e.ctx, keygen.LicenseCreateOptions{
		PolicyID: pol.ID, OwnerID: owner.ID, Name: "Alice's seat", Metadata: map[string]any{"orderId": "o-1"},
	})
	require.NoError(t, err)
	assert.Len(t, lic.ID, 36)
	assert.Regexp(t, defaultKeyRE, lic.Key)
	require.NotNil(t, lic.Name)
	assert.Equal(t, "Alice's seat", *lic.Name)
	assert.Equal(t, "ACTIVE", lic.Status)
	assert.Equal(t, 0, lic.Uses)
	assert.False(t, lic.Suspended)
	assert.Nil(t, lic.Scheme)
	assert.False(t, lic.Encrypted)
	assert.False(t, lic.Strict)
	assert.False(t, lic.Floating)
	assert.False(t, lic.Protected)
	require.NotNil(t, lic.MaxMachines)
	assert.Equal(t, 1, *lic.MaxMachines)
	require.NotNil(t, lic.Expiry)
	assert.WithinDuration(t, lic.Created.Add(30*day), *lic.Expiry, time.Second)
	assert.Nil(t, lic.LastValidated)
	assert.Nil(t, lic.LastCheckOut)
	assert.False(t, lic.RequireCheckIn)
	assert.Equal(t, map[string]any{"orderId": "o-1"}, lic.Metadata)
	assert.Equal(t, pol.ID, lic.PolicyID)
	assert.Equal(t, prod.ID, lic.ProductID)
	assert.Equal(t, owner.ID, lic.OwnerID)
	assert.Equal(t, e.srv.AccountID, lic.AccountID)
	assert.Equal(t, 1, lic.UserCount)
	assert.Equal(t, 0, lic.MachineCount)
	recent(t, lic.Created, 0)

	// Get by id and by key alias (§1.1).
	got, err := e.admin.Licenses.Get(e.ctx, lic.ID)
	require.NoError(t, err)
	assert.Equal(t, lic, got)
	byKey, err := e.admin.Licenses.Get(e.ctx, lic.Key)
	require.NoError(t, err)
	assert.Equal(t, lic.ID, byKey.ID)

	up, err := e.admin.Licenses.Update(e.ctx, lic.ID, keygen.LicenseUpdateOptions{
		Name: keygen.Null[string](), Expiry: keygen.Null[time.Time](), MaxUses: keygen.Set(10),
	})
	require.NoError(t, err)
	assert.Nil(t, up.Name)
	assert.Nil(t, up.Expiry)
	require.NotNil(t, up.MaxUses)
	assert.Equal(t, 10, *up.MaxUses)
	assert.Equal(t, lic.Key, up.Key, "unchanged")

	custom, err := e.admin.Licenses.Create(e.ctx, keygen.LicenseCreateOptions{PolicyID: pol.ID, Key: "MY-CUSTOM-KEY"})
	require.NoError(t, err)
	assert.Equal(t, "MY-CUSTOM-KEY", custom.Key)
	assert.Empty(t, custom.OwnerID)
	assert.Equal(t, 0, custom.UserCount)

	// Filters (§1.9) and All.
	byOwner, err := e.admin.Licenses.List(e.ctx, &keygen.LicenseListOptions{Owner: owner.ID})
	require.NoError(t, err)
	assert.Equal(t, []string{lic.ID}, ids(byOwner.Data, func(l *keygen.License) string { return l.ID }))
	byPolicy := collect(t, e.admin.Licenses.All(e.ctx, &keygen.LicenseListOptions{Policy: pol.ID, ListOptions: keygen.ListOptions{PageSize: 1}}))
	assert.ElementsMatch(t, []string{lic.ID, custom.ID}, ids(byPolicy, func(l *keygen.License) string { return l.ID }))
	meta, err := e.admin.Licenses.List(e.ctx, &keygen.LicenseListOptions{Metadata: map[string]any{"orderId": "o-1"}})
	require.NoError(t, err)
	assert.Equal(t, []string{lic.ID}, ids(meta.Data, func(l *keygen.License) string { return l.ID }))

	// The owner's user token sees their license, another user's does not (404).
	_, ownerTok := e.user("owner2@example.com", "owner-pass")
	_, err = e.tokenClient(ownerTok.Secret).Licenses.Get(e.ctx, lic.ID)
	errWithCode(t, err, 404, keygen.CodeNotFound, "")

	require.NoError(t, e.admin.Licenses.Delete(e.ctx, custom.ID))
	_, err = e.admin.Licenses.Get(e.ctx, custom.ID)
	errWithCode(t, err, 404, keygen.CodeNotFound, "")
}

func TestE2ELicensesErrors(t *testing.T) {
	t.Parallel()
	e := newE2E(t)
	prod := e.product("App")
	pol := e.policy(keygen.PolicyCreateOptions{ProductID: prod.ID})
	_, err := e.admin.Licenses.Create(e.ctx, keygen.LicenseCreateOptions{PolicyID: pol.ID, Key: "TAKEN-KEY"})
	require.NoError(t, err)

	_, err = e.admin.Licenses.Create(e.ctx, keygen.LicenseCreateOptions{PolicyID: pol.ID, Key: "TAKEN-KEY"})
	errWithCode(t, err, 422, keygen.CodeKeyTaken, "/data/attributes/key")
	_, err = e.admin.Licenses.Create(e.ctx, keygen.LicenseCreateOptions{PolicyID: "00000000-0000-4000-8000-000000000000"})
	errWithCode(t, err, 422, "POLICY_NOT_FOUND", "/data/relationships/policy")

	// A pooled policy takes the oldest key from its pool; an empty pool is
	// POLICY_POOL_EMPTY (§2.6).
	pooled := e.policy(keygen.PolicyCreateOptions{ProductID: prod.ID, UsePool: keygen.Ptr(true)})
	k, err := e.admin.Keys.Create(e.ctx, keygen.KeyCreateOptions{Key: "FROM-THE-POOL", PolicyID: pooled.ID})
	require.NoError(t, err)
	fromPool, err := e.admin.Licenses.Create(e.ctx, keygen.LicenseCreateOptions{PolicyID: pooled.ID})
	require.NoError(t, err)
	assert.Equal(t, "FROM-THE-POOL", fromPool.Key)
	_, err = e.admin.Keys.Get(e.ctx, k.ID)
	apiErr(t, err, 404)
	_, err = e.admin.Licenses.Create(e.ctx, keygen.LicenseCreateOptions{PolicyID: pooled.ID})
	errWithCode(t, err, 422, keygen.CodePolicyPoolEmpty, "")

	_, err = e.admin.Licenses.Get(e.ctx, "00000000-0000-4000-8000-000000000000")
	errWithCode(t, err, 404, keygen.CodeNotFound, "")
}

func TestE2ELicenseActions(t *testing.T) {
	t.Parallel()
	e := newE2E(t)
	prod := e.product("App")
	pol := e.policy(keygen.PolicyCreateOptions{ProductID: prod.ID, Duration: keygen.Ptr(10 * 86400), MaxUses: keygen.Ptr(3)})
	lic, err := e.admin.Licenses.Create(e.ctx, keygen.LicenseCreateOptions{PolicyID: pol.ID})
	require.NoError(t, err)

	// Suspend / reinstate (§2.6 action table).
	s, err := e.admin.Licenses.Suspend(e.ctx, lic.ID)
	require.NoError(t, err)
	assert.True(t, s.Suspended)
	assert.Equal(t, "SUSPENDED", s.Status)
	_, err = e.admin.Licenses.Suspend(e.ctx, lic.ID)
	o := apiErr(t, err, 422).Errors[0]
	assert.Equal(t, "/data/attributes/suspended", o.Source.Pointer)
	assert.Equal(t, "is already suspended", o.Detail)
	r, err := e.admin.Licenses.Reinstate(e.ctx, lic.ID)
	require.NoError(t, err)
	assert.False(t, r.Suspended)
	assert.Equal(t, "ACTIVE", r.Status)
	_, err = e.admin.Licenses.Reinstate(e.ctx, lic.ID)
	assert.Equal(t, "is not suspended", apiErr(t, err, 422).Errors[0].Detail)

	// Renew adds the duration to the expiry (FROM_EXPIRY).
	renewed, err := e.admin.Licenses.Renew(e.ctx, lic.ID)
	require.NoError(t, err)
	require.NotNil(t, renewed.Expiry)
	assert.WithinDuration(t, lic.Expiry.Add(10*day), *renewed.Expiry, time.Second)

	// Usage.
	u, err := e.admin.Licenses.IncrementUsage(e.ctx, lic.ID, 2)
	require.NoError(t, err)
	assert.Equal(t, 2, u.Uses)
	_, err = e.admin.Licenses.IncrementUsage(e.ctx, lic.ID, 2)
	errWithCode(t, err, 422, keygen.CodeUsesLimitExceeded, "")
	u, err = e.admin.Licenses.DecrementUsage(e.ctx, lic.ID, 1)
	require.NoError(t, err)
	assert.Equal(t, 1, u.Uses)
	_, err = e.admin.Licenses.DecrementUsage(e.ctx, lic.ID, 5)
	errWithCode(t, err, 422, "USES_INVALID", "")
	u, err = e.admin.Licenses.ResetUsage(e.ctx, lic.ID)
	require.NoError(t, err)
	assert.Equal(t, 0, u.Uses)

	// Check-in needs a policy that requires it.
	_, err = e.admin.Licenses.CheckIn(e.ctx, lic.ID)
	apiErr(t, err, 422)
	ci := e.policy(keygen.PolicyCreateOptions{ProductID: prod.ID, RequireCheckIn: keygen.Ptr(true), CheckInInterval: "day", CheckInIntervalCount: keygen.Ptr(1)})
	cl, err := e.admin.Licenses.Create(e.ctx, keygen.LicenseCreateOptions{PolicyID: ci.ID})
	require.NoError(t, err)
	assert.True(t, cl.RequireCheckIn)
	require.NotNil(t, cl.LastCheckIn, "lastCheckIn is set on create when check-ins are required")
	e.srv.Advance(2 * time.Hour)
	checked, err := e.admin.Licenses.CheckIn(e.ctx, cl.ID)
	require.NoError(t, err)
	require.NotNil(t, checked.LastCheckIn)
	require.NotNil(t, checked.NextCheckIn)
	assert.WithinDuration(t, checked.LastCheckIn.Add(day), *checked.NextCheckIn, time.Second)
	assert.True(t, checked.LastCheckIn.After(*cl.LastCheckIn))
	// Overdue after the interval: validation says OVERDUE (§3 step 5).
	e.srv.Advance(2 * day)
	v, err := e.admin.Licenses.Validate(e.ctx, cl.ID, nil)
	require.NoError(t, err)
	assert.False(t, v.Valid)
	assert.Equal(t, keygen.ValidationOverdue, v.Code)

	// A policy without duration cannot renew.
	forever := e.policy(keygen.PolicyCreateOptions{ProductID: prod.ID})
	fl, err := e.admin.Licenses.Create(e.ctx, keygen.LicenseCreateOptions{PolicyID: forever.ID})
	require.NoError(t, err)
	assert.Nil(t, fl.Expiry)
	_, err = e.admin.Licenses.Renew(e.ctx, fl.ID)
	apiErr(t, err, 422)

	// Revoke deletes (DELETE …/actions/revoke, 204).
	require.NoError(t, e.admin.Licenses.Revoke(e.ctx, lic.ID))
	_, err = e.admin.Licenses.Get(e.ctx, lic.ID)
	errWithCode(t, err, 404, keygen.CodeNotFound, "")
}

func TestE2ELicenseValidation(t *testing.T) {
	t.Parallel()
	e := newE2E(t)
	prod := e.product("App")
	pol := e.policy(keygen.PolicyCreateOptions{ProductID: prod.ID, Duration: keygen.Ptr(86400)})
	lic, err := e.admin.Licenses.Create(e.ctx, keygen.LicenseCreateOptions{PolicyID: pol.ID})
	require.NoError(t, err)

	// A non-strict license with no scope is valid (§3 step 8); the answer echoes the
	// license and sets lastValidated.
	v, err := e.admin.Licenses.Validate(e.ctx, lic.ID, nil)
	require.NoError(t, err)
	assert.True(t, v.Valid)
	assert.Equal(t, keygen.ValidationValid, v.Code)
	assert.Equal(t, "is valid", v.Detail)
	recent(t, v.Timestamp, 0)
	require.NotNil(t, v.License)
	assert.Equal(t, lic.ID, v.License.ID)
	require.NotNil(t, v.License.LastValidated)

	// Validate-key needs no credentials; an unknown key is data, not an error.
	anon := e.client()
	nf, err := anon.Licenses.ValidateKey(e.ctx, "NO-SUCH-KEY", nil)
	require.NoError(t, err)
	assert.False(t, nf.Valid)
	assert.Equal(t, keygen.ValidationNotFound, nf.Code)
	assert.Equal(t, "does not exist", nf.Detail)
	assert.Nil(t, nf.License)
	// An unknown id on validate-by-id is a 404 error.
	_, err = e.admin.Licenses.Validate(e.ctx, "00000000-0000-4000-8000-000000000000", nil)
	errWithCode(t, err, 404, keygen.CodeNotFound, "")

	// Scopes: a product mismatch.
	other := e.product("Other")
	ps, err := anon.Licenses.ValidateKey(e.ctx, lic.Key, &keygen.ValidateOptions{Scope: &keygen.ValidationScope{Product: other.ID}})
	require.NoError(t, err)
	assert.False(t, ps.Valid)
	assert.Equal(t, keygen.ValidationProductScopeMismatch, ps.Code)
	require.NotNil(t, ps.Scope)
	assert.Equal(t, other.ID, ps.Scope.Product)

	// Nonces are echoed; with WithPublicKey the SDK sends a random one and checks it.
	signed := e.client(keygen.WithPublicKey(e.srv.PublicKey))
	n, err := signed.Licenses.ValidateKey(e.ctx, lic.Key, &keygen.ValidateOptions{Nonce: 42})
	require.NoError(t, err)
	assert.Equal(t, int64(42), n.Nonce)
	n, err = signed.Licenses.ValidateKey(e.ctx, lic.Key, nil)
	require.NoError(t, err)
	assert.NotZero(t, n.Nonce)
	assert.True(t, n.Valid)
	n, err = e.srv.Client(keygen.WithPublicKey(e.srv.PublicKey)).Licenses.Validate(e.ctx, lic.ID, nil)
	require.NoError(t, err)
	assert.NotZero(t, n.Nonce)
	plain, err := anon.Licenses.ValidateKey(e.ctx, lic.Key, nil)
	require.NoError(t, err)
	assert.Zero(t, plain.Nonce, "no nonce sent, none echoed")

	// Suspended, then expired (RESTRICT_ACCESS: invalid).
	_, err = e.admin.Licenses.Suspend(e.ctx, lic.ID)
	require.NoError(t, err)
	s, err := anon.Licenses.ValidateKey(e.ctx, lic.Key, nil)
	require.NoError(t, err)
	assert.False(t, s.Valid)
	assert.Equal(t, keygen.ValidationSuspended, s.Code)
	_, err = e.admin.Licenses.Reinstate(e.ctx, lic.ID)
	require.NoError(t, err)
	e.srv.Advance(2 * day)
	x, err := anon.Licenses.ValidateKey(e.ctx, lic.Key, nil)
	require.NoError(t, err)
	assert.False(t, x.Valid)
	assert.Equal(t, keygen.ValidationExpired, x.Code)
	assert.Equal(t, "EXPIRED", x.License.Status)
	// ALLOW_ACCESS keeps an expired license valid, still with code EXPIRED (§3 step 8).
	allow := e.policy(keygen.PolicyCreateOptions{ProductID: prod.ID, Duration: keygen.Ptr(86400), ExpirationStrategy: "ALLOW_ACCESS"})
	al, err := e.admin.Licenses.Create(e.ctx, keygen.LicenseCreateOptions{PolicyID: allow.ID})
	require.NoError(t, err)
	e.srv.Advance(2 * day)
	av, err := anon.Licenses.ValidateKey(e.ctx, al.Key, nil)
	require.NoError(t, err)
	assert.True(t, av.Valid)
	assert.Equal(t, keygen.ValidationExpired, av.Code)
}

// TestE2ELicenseAuth: license-key and license-token authentication (keygen-sh/keygen-api,
// app/controllers/concerns/authentication.rb).
func TestE2ELicenseAuth(t *testing.T) {
	t.Parallel()
	e := newE2E(t)
	prod := e.product("App")
	tokenPol := e.policy(keygen.PolicyCreateOptions{ProductID: prod.ID})
	licensePol := e.policy(keygen.PolicyCreateOptions{ProductID: prod.ID, AuthenticationStrategy: "LICENSE"})
	tl, err := e.admin.Licenses.Create(e.ctx, keygen.LicenseCreateOptions{PolicyID: tokenPol.ID})
	require.NoError(t, err)
	ll, err := e.admin.Licenses.Create(e.ctx, keygen.LicenseCreateOptions{PolicyID: licensePol.ID})
	require.NoError(t, err)

	// Under the default TOKEN strategy a license key may not authenticate: 403.
	_, err = e.client(keygen.WithLicenseKey(tl.Key)).Profile.Get(e.ctx)
	errWithCode(t, err, 403, keygen.CodeLicenseNotAllowed, "")
	// An unknown key: 401 LICENSE_INVALID.
	_, err = e.client(keygen.WithLicenseKey("NOT-A-KEY")).Profile.Get(e.ctx)
	errWithCode(t, err, 401, keygen.CodeLicenseInvalid, "")

	// Under LICENSE the key authenticates as the license; no token is included.
	lc := e.client(keygen.WithLicenseKey(ll.Key), keygen.WithPublicKey(e.srv.PublicKey))
	me, err := lc.Profile.Get(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, keygen.BearerTypeLicense, me.Type)
	assert.Equal(t, ll.ID, me.ID)
	require.NotNil(t, me.License)
	assert.Equal(t, ll.Key, me.License.Key)
	assert.Equal(t, licensePol.ID, me.License.PolicyID)
	assert.Nil(t, me.Token)
	self, err := lc.Licenses.Get(e.ctx, ll.ID)
	require.NoError(t, err)
	assert.Equal(t, ll.ID, self.ID)
	_, err = lc.Licenses.Get(e.ctx, tl.ID)
	errWithCode(t, err, 404, keygen.CodeNotFound, "")
	v, err := lc.Licenses.Validate(e.ctx, ll.ID, nil)
	require.NoError(t, err)
	assert.True(t, v.Valid)
	// A suspended license may not authenticate: 403 LICENSE_SUSPENDED.
	_, err = e.admin.Licenses.Suspend(e.ctx, ll.ID)
	require.NoError(t, err)
	_, err = lc.Profile.Get(e.ctx)
	errWithCode(t, err, 403, keygen.CodeLicenseSuspended, "")

	// A license token under TOKEN: /me is the license with the activation token.
	lt := e.bearerToken("licenses", tl.ID)
	tme, err := e.tokenClient(lt).Profile.Get(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, keygen.BearerTypeLicense, tme.Type)
	assert.Equal(t, tl.ID, tme.ID)
	require.NotNil(t, tme.License)
	require.NotNil(t, tme.Token)
	assert.Equal(t, "activation-token", tme.Token.Kind)
	assert.Equal(t, keygen.BearerTypeLicense, tme.Token.BearerType)
	// A license token under LICENSE-only: 403 TOKEN_NOT_ALLOWED.
	_, err = e.admin.Licenses.Reinstate(e.ctx, ll.ID)
	require.NoError(t, err)
	_, err = e.tokenClient(e.bearerToken("licenses", ll.ID)).Profile.Get(e.ctx)
	errWithCode(t, err, 403, keygen.CodeTokenNotAllowed, "")
}

func TestE2ELicenseCheckOut(t *testing.T) {
	t.Parallel()
	e := newE2E(t)
	prod := e.product("App")
	pol := e.policy(keygen.PolicyCreateOptions{ProductID: prod.ID, Duration: keygen.Ptr(365 * 86400)})
	lic, err := e.admin.Licenses.Create(e.ctx, keygen.LicenseCreateOptions{PolicyID: pol.ID})
	require.NoError(t, err)
	c := e.srv.Client(keygen.WithPublicKey(e.srv.PublicKey))

	// Defaults (§2.6): base64+ed25519, TTL 2629746 s.
	f, err := c.Licenses.CheckOut(e.ctx, lic.ID, nil)
	require.NoError(t, err)
	assert.Len(t, f.ID, 36)
	assert.Equal(t, "base64+ed25519", f.Algorithm)
	require.NotNil(t, f.TTL)
	assert.Equal(t, 2629746, *f.TTL)
	recent(t, f.Issued, 0)
	require.NotNil(t, f.Expiry)
	// Keygen's default ttl is ActiveSupport's 1.month (2629746 s), added on the calendar.
	assert.WithinDuration(t, f.Issued.AddDate(0, 1, 0), *f.Expiry, time.Second)
	assert.Equal(t, lic.ID, f.LicenseID)
	assert.Empty(t, f.Includes)
	payload := verifyCertificate(t, e.srv.PublicKey, f.Certificate, "LICENSE", "", "")
	assert.Equal(t, lic.ID, payload.Data.ID)
	assert.Equal(t, "licenses", payload.Data.Type)
	require.NotNil(t, payload.Meta.TTL)
	assert.Equal(t, 2629746, *payload.Meta.TTL)

	after, err := e.admin.Licenses.Get(e.ctx, lic.ID)
	require.NoError(t, err)
	require.NotNil(t, after.LastCheckOut)

	// Encrypted, with includes and a custom TTL; the AES key is SHA-256 of the license key.
	enc, err := c.Licenses.CheckOut(e.ctx, lic.ID, &keygen.CheckOutOptions{Encrypt: true, TTL: 2 * time.Hour, Include: []string{"product", "policy"}})
	require.NoError(t, err)
	assert.Equal(t, "aes-256-gcm+ed25519", enc.Algorithm)
	require.NotNil(t, enc.TTL)
	assert.Equal(t, 7200, *enc.TTL)
	assert.ElementsMatch(t, []string{"product", "policy"}, enc.Includes)
	ep := verifyCertificate(t, e.srv.PublicKey, enc.Certificate, "LICENSE", lic.Key, "")
	assert.Equal(t, lic.ID, ep.Data.ID)
	assert.Len(t, ep.Included, 2)

	// No expiry.
	forever, err := c.Licenses.CheckOut(e.ctx, lic.ID, &keygen.CheckOutOptions{NoExpiry: true})
	require.NoError(t, err)
	assert.Nil(t, forever.TTL)
	assert.Nil(t, forever.Expiry)

	// A TTL under an hour: 400 CHECKOUT_TTL_INVALID with a parameter source (§1.6).
	_, err = c.Licenses.CheckOut(e.ctx, lic.ID, &keygen.CheckOutOptions{TTL: 30 * time.Minute})
	o := errWithCode(t, err, 400, keygen.CodeCheckoutTTLInvalid, "")
	assert.Contains(t, o.Source.Parameter, "ttl")
}

// certPayload is the decoded JSON inside a license or machine file (§4.2).
type certPayload struct {
	Meta struct {
		Issued time.Time  `json:"issued"`
		Expiry *time.Time `json:"expiry"`
		TTL    *int       `json:"ttl"`
	} `json:"meta"`
	Data struct {
		ID   string `json:"id"`
		Type string `json:"type"`
	} `json:"data"`
	Included []json.RawMessage `json:"included"`
}

// verifyCertificate checks a license/machine file offline, as Keygen writes it
// (keygen-sh/keygen-api, app/services/abstract_checkout_service.rb and
// license_checkout_service.rb) and independently of the SDK: armour, signature over
// "<kind>/<enc>", then decodes (and, with a license key, decrypts) the payload.
func verifyCertificate(t *testing.T, pubHex, cert, kind, licenseKey, fingerprint string) certPayload {
	t.Helper()
	begin, end := "-----BEGIN "+kind+" FILE-----\n", "-----END "+kind+" FILE-----\n"
	require.True(t, strings.HasPrefix(cert, begin), "certificate starts with %q: %q", begin, cert)
	require.True(t, strings.HasSuffix(cert, end), "certificate ends with %q", end)
	body := strings.TrimSuffix(strings.TrimPrefix(cert, begin), end)
	for _, line := range strings.Split(strings.TrimSuffix(body, "\n"), "\n") {
		assert.LessOrEqual(t, len(line), 60, "base64 lines are wrapped at 60")
	}
	raw, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(body, "\n", ""))
	require.NoError(t, err)
	var env struct{ Enc, Sig, Alg string }
	require.NoError(t, json.Unmarshal(raw, &env))
	pub, err := hex.DecodeString(pubHex)
	require.NoError(t, err)
	sig, err := base64.StdEncoding.DecodeString(env.Sig)
	require.NoError(t, err)
	prefix := strings.ToLower(kind)
	require.True(t, ed25519.Verify(pub, []byte(prefix+"/"+env.Enc), sig), "signature over %s/<enc>", prefix)

	var plain []byte
	if licenseKey == "" {
		assert.Equal(t, "base64+ed25519", env.Alg)
		plain, err = base64.StdEncoding.DecodeString(env.Enc)
		require.NoError(t, err)
	} else {
		assert.Equal(t, "aes-256-gcm+ed25519", env.Alg)
		parts := strings.Split(env.Enc, ".")
		require.Len(t, parts, 3)
		var bs [3][]byte
		for i, p := range parts {
			bs[i], err = base64.StdEncoding.DecodeString(p)
			require.NoError(t, err)
		}
		key := sha256.Sum256([]byte(licenseKey + fingerprint))
		block, err := aes.NewCipher(key[:])
		require.NoError(t, err)
		gcm, err := cipher.NewGCM(block)
		require.NoError(t, err)
		require.Len(t, bs[1], gcm.NonceSize())
		plain, err = gcm.Open(nil, bs[1], append(bs[0], bs[2]...), nil)
		require.NoError(t, err, "decrypting with SHA-256(key+fingerprint)")
	}
	var p certPayload
	require.NoError(t, json.Unmarshal(plain, &p))
	return p
}
