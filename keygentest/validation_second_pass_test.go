package keygentest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Second review of keygen-api.md §3 against validations.feature: the scenarios not pinned by
// TestValidationsFeature (owner/user + machine/fingerprint variants, expired licenses with
// a scope, heartbeats by machine ID, API-version renames, touch and expiry side effects),
// plus the user-scope email normalization of the User model (where(email:) normalizes the
// queried value; machine.owner.email == user does not). Every request goes over HTTP.

// ownedLicense makes a license owned by a new user, optionally with a licensee.
func (w *world) ownedLicense(attrs map[string]any, licensee bool) (l *license, owner, user *user) {
	p := w.storedPolicy(attrs)
	owner = w.storedUser("owner@example.com")
	if licensee {
		user = w.storedUser("licensee@example.com")
	}
	l = w.storedLicense(p, func(l *license) {
		l.OwnerID = &owner.ID
		if user != nil {
			l.UserIDs = []string{user.ID}
		}
	})
	return l, owner, user
}

func ownedBy(u *user) func(*machine) {
	return func(m *machine) { m.OwnerID = &u.ID }
}

func TestValidationSecondPass(t *testing.T) {
	const anon = "-"
	ownersMismatch := res(false, "user scope does not match (does not match associated machine owners)", "USER_SCOPE_MISMATCH")
	ownerMismatch := res(false, "user scope does not match (does not match associated machine owner)", "USER_SCOPE_MISMATCH")
	cases := []apiCase{
		// --- user scope with a fingerprint, fingerprints or machine ---------------------------
		{name: valFeature + "An admin validates a valid license scoped to its owner and a fingerprint (no machine owner)", setup: func(f *world) req {
			l, owner, _ := f.ownedLicense(nil, false)
			m := f.storedMachine(l, nil)
			return byID(l.ID, scoped(map[string]any{"fingerprint": m.Fingerprint, "user": owner.Email}))
		}, meta: vValid},
		{name: valFeature + "An admin validates a valid license scoped to its owner and a fingerprint (invalid fingerprint)", setup: func(f *world) req {
			l, owner, _ := f.ownedLicense(nil, false)
			f.storedMachine(l, nil)
			return byID(l.ID, scoped(map[string]any{"fingerprint": "foo", "user": owner.Email}))
		}, meta: res(false, "fingerprint is not activated (does not match any associated machines)", "FINGERPRINT_SCOPE_MISMATCH"), check: func(t *testing.T, f *world, r *reply) {
			rel := r.data()["relationships"].(map[string]any)["owner"].(map[string]any)
			assert.Equal(t, "users", rel["data"].(map[string]any)["type"])
		}},
		{name: valFeature + "An admin validates a valid license scoped to its owner and a fingerprint (license owner != machine owner)", setup: func(f *world) req {
			l, owner, user := f.ownedLicense(nil, true)
			m := f.storedMachine(l, ownedBy(user))
			return byID(l.ID, scoped(map[string]any{"fingerprint": m.Fingerprint, "user": owner.Email}))
		}, meta: ownersMismatch},
		{name: valFeature + "An admin validates a valid license scoped to its user and fingerprints (license user != machine owners)", setup: func(f *world) req {
			l, owner, user := f.ownedLicense(nil, true)
			a, b := f.storedMachine(l, ownedBy(owner)), f.storedMachine(l, ownedBy(user))
			return byID(l.ID, scoped(map[string]any{"fingerprints": []string{a.Fingerprint, b.Fingerprint}, "user": user.Email}))
		}, meta: ownersMismatch},
		{name: valFeature + "An admin validates a valid license scoped to its user and fingerprints (license user == machine owners)", setup: func(f *world) req {
			l, _, user := f.ownedLicense(nil, true)
			a, b := f.storedMachine(l, ownedBy(user)), f.storedMachine(l, ownedBy(user))
			f.storedMachine(l, ownedBy(user))
			return byID(l.ID, scoped(map[string]any{"fingerprints": []string{a.Fingerprint, b.Fingerprint}, "user": user.Email}))
		}, meta: vValid},
		{name: valFeature + "An admin validates a valid license scoped to its owner and fingerprints (invalid user)", setup: func(f *world) req {
			l, _, _ := f.ownedLicense(nil, false)
			m := f.storedMachine(l, nil)
			return byID(l.ID, scoped(map[string]any{"fingerprints": []string{m.Fingerprint}, "user": "foo@example.com"}))
		}, meta: res(false, "user scope does not match", "USER_SCOPE_MISMATCH")},
		{name: valFeature + "An admin validates a valid license scoped to its owner and a machine (license owner != machine owner)", setup: func(f *world) req {
			l, owner, user := f.ownedLicense(nil, true)
			m := f.storedMachine(l, ownedBy(user))
			return byID(l.ID, scoped(map[string]any{"machine": m.ID, "user": owner.Email}))
		}, meta: ownerMismatch},
		{name: valFeature + "An admin validates a valid license scoped to its user and a machine (license user == machine owner)", setup: func(f *world) req {
			l, _, user := f.ownedLicense(nil, true)
			m := f.storedMachine(l, ownedBy(user))
			f.storedMachine(l, ownedBy(user))
			return byID(l.ID, scoped(map[string]any{"machine": m.ID, "user": user.Email}))
		}, meta: vValid},
		{name: valFeature + "An admin validates a valid license scoped to its owner and a machine (invalid machine)", setup: func(f *world) req {
			l, owner, _ := f.ownedLicense(nil, false)
			f.storedMachine(l, nil)
			return byID(l.ID, scoped(map[string]any{"machine": "foo", "user": owner.Email}))
		}, meta: res(false, "machine is not activated (does not match any associated machines)", "MACHINE_SCOPE_MISMATCH")},

		// --- email normalization (User normalizes :email; queries normalize their value) ------
		{name: valFeature + "user scope by a differently cased email matches the owner (users.where(email:) normalizes)", setup: func(f *world) req {
			l, _, _ := f.ownedLicense(nil, false)
			return byID(l.ID, scoped(map[string]any{"user": " Owner@Example.COM "}))
		}, meta: vValid},
		{name: valFeature + "user scope by a differently cased email and a fingerprint of the user's machine (for_owner normalizes)", setup: func(f *world) req {
			l, _, user := f.ownedLicense(nil, true)
			m := f.storedMachine(l, ownedBy(user))
			return byID(l.ID, scoped(map[string]any{"fingerprint": m.Fingerprint, "user": "LICENSEE@example.com"}))
		}, meta: vValid},
		{name: valFeature + "user scope by a differently cased email and the user's machine (machine.owner.email == user is exact)", setup: func(f *world) req {
			l, _, user := f.ownedLicense(nil, true)
			m := f.storedMachine(l, ownedBy(user))
			return byID(l.ID, scoped(map[string]any{"machine": m.ID, "user": "LICENSEE@example.com"}))
		}, meta: ownerMismatch},

		// --- expired licenses with a scope: only REVOKE_ACCESS expires before the scope ------
		{name: valFeature + "An admin validates an expired license scoped to a mismatched machine fingerprint (expiration strategy: revoke)", setup: func(f *world) req {
			p := f.storedPolicy(map[string]any{"expirationStrategy": "REVOKE_ACCESS"})
			l := f.storedLicense(p, func(l *license) { l.Expiry = ptr(time.Now().AddDate(0, -1, 0)) })
			f.storedMachine(l, nil)
			return byID(l.ID, scoped(map[string]any{"fingerprint": "nope"}))
		}, meta: map[string]any{"valid": false, "detail": "is expired", "code": "EXPIRED", "scope": map[string]any{"fingerprint": "nope"}}},
		{name: valFeature + "An admin validates an expired license scoped to a mismatched machine fingerprint (expiration strategy: maintain)", setup: func(f *world) req {
			p := f.storedPolicy(map[string]any{"expirationStrategy": "MAINTAIN_ACCESS"})
			l := f.storedLicense(p, func(l *license) { l.Expiry = ptr(time.Now().AddDate(0, -1, 0)) })
			f.storedMachine(l, nil)
			return byID(l.ID, scoped(map[string]any{"fingerprint": "nope"}))
		}, meta: map[string]any{"valid": false, "detail": "fingerprint is not activated (does not match any associated machines)", "code": "FINGERPRINT_SCOPE_MISMATCH", "scope": map[string]any{"fingerprint": "nope"}}},
		{name: valFeature + "An admin validates an expired license scoped to a matching machine fingerprint (expiration strategy: allow)", setup: func(f *world) req {
			p := f.storedPolicy(map[string]any{"expirationStrategy": "ALLOW_ACCESS"})
			l := f.storedLicense(p, func(l *license) { l.Expiry = ptr(time.Now().AddDate(0, -1, 0)) })
			m := f.storedMachine(l, nil)
			return byID(l.ID, scoped(map[string]any{"fingerprint": m.Fingerprint}))
		}, meta: res(true, "is expired", "EXPIRED")},

		// --- heartbeats by machine ID --------------------------------------------------------
		{name: valFeature + "Anonymous validates a license key that requires a machine heartbeat (by ID)", setup: func(f *world) req {
			p := f.storedPolicy(map[string]any{"heartbeatDuration": 3600, "heartbeatBasis": "FROM_FIRST_PING", "requireHeartbeat": true})
			l := f.storedLicense(p, nil)
			m := f.storedMachine(l, nil)
			return byKey(l.Key, scoped(map[string]any{"machine": m.ID}), anon)
		}, meta: res(false, "machine heartbeat is required", "HEARTBEAT_NOT_STARTED")},
		{name: valFeature + "Anonymous validates a license key scoped to a dead machine (by ID)", setup: func(f *world) req {
			p := f.storedPolicy(map[string]any{"heartbeatDuration": 3600})
			l := f.storedLicense(p, nil)
			m := f.storedMachine(l, func(m *machine) { m.LastHeartbeat = ptr(f.srv.clock.now().Add(-2 * time.Hour)) })
			return byKey(l.Key, scoped(map[string]any{"machine": m.ID}), anon)
		}, meta: res(false, "machine heartbeat is dead", "HEARTBEAT_DEAD")},
		{name: valFeature + "Anonymous validates a license key scoped to an alive machine (by ID)", setup: func(f *world) req {
			p := f.storedPolicy(map[string]any{"heartbeatDuration": 3600})
			l := f.storedLicense(p, nil)
			m := f.storedMachine(l, func(m *machine) { m.LastHeartbeat = ptr(f.srv.clock.now().Add(-59 * time.Minute)) })
			return byKey(l.Key, scoped(map[string]any{"machine": m.ID}), anon)
		}, meta: vValid},

		// --- leasing --------------------------------------------------------------------------
		{name: valFeature + "Admin validates a strict node-locked license that has too many machines (ALLOW_2X_OVERAGE overage strategy, within overage allowance, PER_USER leasing strategy, no owner)", setup: func(f *world) req {
			l, _, user := f.ownedLicense(map[string]any{"machineLeasingStrategy": "PER_USER", "overageStrategy": "ALLOW_2X_OVERAGE", "maxMachines": 1, "floating": false, "strict": true}, true)
			f.storedMachine(l, ownedBy(user))
			f.storedMachine(l, nil)
			f.storedMachine(l, nil)
			return byID(l.ID, nil)
		}, meta: res(true, "has too many associated machines", "TOO_MANY_MACHINES")},
		{name: valFeature + "Admin validates a strict node-locked license that has too many machines (ALLOW_2X_OVERAGE overage strategy, exceeded overage allowance, PER_USER leasing strategy, no owner)", setup: func(f *world) req {
			l, _, user := f.ownedLicense(map[string]any{"machineLeasingStrategy": "PER_USER", "overageStrategy": "ALLOW_2X_OVERAGE", "maxMachines": 1, "floating": false, "strict": true}, true)
			f.storedMachine(l, ownedBy(user))
			f.storedMachine(l, ownedBy(user))
			for range 3 {
				f.storedMachine(l, nil)
			}
			return byID(l.ID, nil)
		}, meta: res(false, "has too many associated machines", "TOO_MANY_MACHINES")},

		// --- API versions -----------------------------------------------------------------------
		{name: valFeature + "A user validates a license key scoped to their own ID (v1.5)", setup: func(f *world) req {
			l, owner, _ := f.ownedLicense(nil, false)
			_, tok := f.tokenFor("users", owner.ID, nil)
			r := byKey(l.Key, scoped(map[string]any{"user": owner.ID}), "Bearer "+tok)
			r.headers = map[string]string{"Keygen-Version": "1.5"}
			return r
		}, meta: vValid, check: func(t *testing.T, f *world, r *reply) {
			rels := r.data()["relationships"].(map[string]any)
			assert.NotContains(t, rels, "owner")
			user, _ := rels["user"].(map[string]any)
			require.NotNil(t, user, string(r.body))
			assert.Equal(t, "/v1/accounts/"+f.srv.AccountID+"/licenses/"+r.id()+"/user", user["links"].(map[string]any)["related"])
		}},
		{name: valFeature + "Admin quick validates a strict license that has too many machine cores (ALWAYS_ALLOW_OVERAGE overage strategy, v1.1)", setup: func(f *world) req {
			l := f.overageMachines(map[string]any{"overageStrategy": "ALWAYS_ALLOW_OVERAGE", "maxMachines": 5, "maxCores": 16, "strict": true}, 3, func(m *machine) { m.Cores = ptr[int64](16) })
			r := quick(l.ID)
			r.headers = map[string]string{"Keygen-Version": "1.1"}
			return r
		}, meta: map[string]any{"valid": false, "detail": "has too many associated machine cores", "constant": "TOO_MANY_CORES"}},
		{name: valFeature + "Anonymous validates an invalid license by key (v1.1): the migration also applies without a license", setup: func(f *world) req {
			r := byKey("invalid", nil, anon)
			r.headers = map[string]string{"Keygen-Version": "1.1"}
			return r
		}, meta: map[string]any{"valid": false, "detail": "does not exist", "constant": "NOT_FOUND"}, check: func(t *testing.T, f *world, r *reply) {
			assert.Nil(t, r.doc["data"])
			assert.NotContains(t, r.doc["meta"], "code")
		}},

		// --- nonce, scope echo, touches ---------------------------------------------------------
		{name: valFeature + "Anonymous validates an expired license key and sends a nonce", setup: func(f *world) req {
			l := f.storedLicense(f.storedPolicy(nil), func(l *license) { l.Expiry = ptr(time.Now().AddDate(0, -1, 0)) })
			return byKey(l.Key, map[string]any{"nonce": 9048238457}, anon)
		}, meta: map[string]any{"valid": false, "detail": "is expired", "code": "EXPIRED", "nonce": float64(9048238457)}, check: func(t *testing.T, f *world, r *reply) {
			last, err := time.Parse(time.RFC3339, r.attrs()["lastValidated"].(string))
			require.NoError(t, err)
			assert.WithinDuration(t, time.Now(), last, time.Minute)
		}},
		{name: valFeature + "Anonymous validates a valid license key with an empty scope: the empty scope is echoed", setup: func(f *world) req {
			return byKey(f.storedLicense(f.storedPolicy(nil), nil).Key, scoped(map[string]any{}), anon)
		}, meta: map[string]any{"valid": true, "code": "VALID", "scope": map[string]any{}}, check: func(t *testing.T, f *world, r *reply) {
			assert.NotContains(t, r.doc["meta"], "nonce")
		}},
		{name: valFeature + "Admin quick validates a license from the dashboard origin: no touch", setup: func(f *world) req {
			r := quick(f.storedLicense(f.storedPolicy(nil), nil).ID)
			r.headers = map[string]string{"Origin": "https://app.keygen.sh"}
			return r
		}, meta: vValid, check: func(t *testing.T, f *world, r *reply) {
			assert.Nil(t, r.attrs()["lastValidated"])
		}},
		{name: valFeature + "Admin quick validates a license with a validation expiration basis: no event, no expiry", setup: func(f *world) req {
			p := f.storedPolicy(map[string]any{"expirationBasis": "FROM_FIRST_VALIDATION", "duration": 31556952})
			return quick(f.storedLicense(p, nil).ID)
		}, meta: vValid, check: func(t *testing.T, f *world, r *reply) {
			assert.Nil(t, r.attrs()["expiry"])
			assert.NotNil(t, r.attrs()["lastValidated"])
		}},
		{name: valFeature + "Anonymous validates a license key with a validation expiration basis that fails validation: the expiry is still set", setup: func(f *world) req {
			p := f.storedPolicy(map[string]any{"expirationBasis": "FROM_FIRST_VALIDATION", "duration": 31556952, "strict": true})
			return byKey(f.storedLicense(p, nil).Key, nil, anon)
		}, meta: res(false, "must have at least 1 associated machine", "NO_MACHINES"), check: func(t *testing.T, f *world, r *reply) {
			exp, err := time.Parse(time.RFC3339, r.attrs()["expiry"].(string))
			require.NoError(t, err)
			assert.WithinDuration(t, time.Now().AddDate(1, 0, 0), exp, 24*time.Hour)
		}},
	}
	runEach(t, func(t *testing.T) *world { return newWorld(t) }, cases)
}
