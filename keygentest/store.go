package keygentest

import (
	"sort"
	"strings"
	"time"
)

// store holds every entity of every account. It has no lock of its own: the Server's mu
// guards it, and every handler runs with that lock held (see Server.dispatch).
type store struct {
	accounts  map[string]*Account
	users     map[string]*User
	tokens    map[string]*Token
	products  map[string]*Product
	policies  map[string]*Policy
	licenses  map[string]*License
	machines  map[string]*Machine
	keys      map[string]*Key
	endpoints map[string]*WebhookEndpoint
	events    map[string]*WebhookEvent
	// tokenDigests indexes tokens by the SHA-256 of their secret, for authentication.
	tokenDigests map[string]*Token
}

func newStore() *store {
	return &store{
		accounts:     map[string]*Account{},
		users:        map[string]*User{},
		tokens:       map[string]*Token{},
		products:     map[string]*Product{},
		policies:     map[string]*Policy{},
		licenses:     map[string]*License{},
		machines:     map[string]*Machine{},
		keys:         map[string]*Key{},
		endpoints:    map[string]*WebhookEndpoint{},
		events:       map[string]*WebhookEvent{},
		tokenDigests: map[string]*Token{},
	}
}

// newBase stamps a fresh entity of the account with a new id and the current time.
func newBase(accountID string, now time.Time) base {
	return base{ID: newUUID(), AccountID: accountID, Created: now, Updated: now}
}

// ofAccount returns the entities of m that belong to the account, newest first (created,
// then id), the API's default order (keygen-api.md §1.8).
func ofAccount[T entity](m map[string]T, accountID string, keep func(T) bool) []T {
	out := make([]T, 0, len(m))
	for _, v := range m {
		if v.meta().AccountID == accountID && (keep == nil || keep(v)) {
			out = append(out, v)
		}
	}
	sortNewest(out)
	return out
}

// sortNewest orders entities newest first, breaking ties by id descending.
func sortNewest[T entity](items []T) {
	sort.Slice(items, func(i, j int) bool {
		a, b := items[i].meta(), items[j].meta()
		if !a.Created.Equal(b.Created) {
			return a.Created.After(b.Created)
		}
		return a.ID > b.ID
	})
}

// reverse flips a slice in place (order=asc).
func reverse[T any](items []T) {
	for i, j := 0, len(items)-1; i < j; i, j = i+1, j-1 {
		items[i], items[j] = items[j], items[i]
	}
}

// putToken stores a token and indexes its digest.
func (db *store) putToken(t *Token) {
	db.tokens[t.ID] = t
	db.tokenDigests[t.Digest] = t
}

// deleteToken removes a token and its digest index.
func (db *store) deleteToken(t *Token) {
	delete(db.tokens, t.ID)
	delete(db.tokenDigests, t.Digest)
}

// deleteTokensOf removes every token of a bearer, except keep (may be nil).
func (db *store) deleteTokensOf(bearerType, bearerID string, keep *Token) {
	for _, t := range db.tokens {
		if t.BearerType == bearerType && t.BearerID == bearerID && t != keep {
			db.deleteToken(t)
		}
	}
}

// lower is strings.ToLower, named for the alias lookups that are case-insensitive.
func lower(s string) string { return strings.ToLower(s) }

// deletePolicy removes a policy with its pool, its licenses and their machines and tokens
// (Keygen cascades these asynchronously).
func (db *store) deletePolicy(p *Policy) {
	for _, k := range db.keys {
		if k.PolicyID == p.ID {
			delete(db.keys, k.ID)
		}
	}
	for _, l := range db.licenses {
		if l.PolicyID == p.ID {
			db.deleteLicense(l)
		}
	}
	delete(db.policies, p.ID)
}

// deleteLicense removes a license with its machines and tokens.
func (db *store) deleteLicense(l *License) {
	for _, m := range db.machines {
		if m.LicenseID == l.ID {
			delete(db.machines, m.ID)
		}
	}
	db.deleteTokensOf("licenses", l.ID, nil)
	delete(db.licenses, l.ID)
}

// popKey removes and returns the oldest key of a policy's pool (nil when empty). License
// creation on a pooled policy consumes keys the same way.
func (db *store) popKey(pol *Policy) *Key {
	keys := ofAccount(db.keys, pol.AccountID, func(k *Key) bool { return k.PolicyID == pol.ID })
	if len(keys) == 0 {
		return nil
	}
	k := keys[len(keys)-1]
	delete(db.keys, k.ID)
	return k
}
