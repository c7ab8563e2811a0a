package keygentest

import (
	"reflect"
	"slices"
	"strings"
	"time"
)

// Resource files hold their model's store finders (store.findX). Finders resolve a path id
// within an account. Aliases follow app/services/find_by_alias_service.rb: a value
// that is not a UUID is matched only against the alias column; a UUID matches the id or
// the alias. A nil result means not found.

// store holds every entity of every account. It has no lock of its own: the Server's mu
// guards it, and every handler runs with that lock held (see Server.dispatch).
type store struct {
	accounts  map[string]*account
	users     map[string]*user
	tokens    map[string]*token
	products  map[string]*product
	policies  map[string]*policy
	licenses  map[string]*license
	machines  map[string]*machine
	keys      map[string]*key
	endpoints map[string]*webhookEndpoint
	events    map[string]*webhookEvent
	// tokenDigests indexes tokens by the SHA-256 of their secret, for authentication.
	tokenDigests map[string]*token
	// lic holds entitlements, components, processes and groups (licensing.go).
	lic *licensing
	// dist holds releases, packages and artifacts (releases.go).
	dist *distStore
}

func newStore() *store {
	return &store{
		accounts:     map[string]*account{},
		users:        map[string]*user{},
		tokens:       map[string]*token{},
		products:     map[string]*product{},
		policies:     map[string]*policy{},
		licenses:     map[string]*license{},
		machines:     map[string]*machine{},
		keys:         map[string]*key{},
		endpoints:    map[string]*webhookEndpoint{},
		events:       map[string]*webhookEvent{},
		tokenDigests: map[string]*token{},
		lic:          newLicensing(),
		dist:         newDistStore(),
	}
}

// base holds what every stored entity has. Times come from the server clock.
type base struct {
	ID        string
	AccountID string
	Created   time.Time
	Updated   time.Time
}

func (b *base) meta() *base { return b }

// entity is implemented by every stored type (through the embedded base), which lets the
// list helpers sort and page any of them.
type entity interface{ meta() *base }

// newBase stamps a fresh entity of the account with a new id and the current time.
func newBase(accountID string, now time.Time) base {
	return base{ID: newUUID(), AccountID: accountID, Created: now, Updated: now}
}

// touchIfChanged stamps next as updated at now unless it is deeply equal to prev, the same
// record before the update: ActiveRecord saves, and sets updated_at, only a record with a
// changed attribute, so an update that sets the same values (or none) keeps updated. prev
// and next point to values of the same type.
func touchIfChanged(prev, next entity, now time.Time) {
	if !reflect.DeepEqual(prev, next) {
		next.meta().Updated = now
	}
}

// ofAccount returns the entities of m that belong to the account, newest first (created,
// then id), the API's default order (app/models/concerns/orderable.rb).
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
	slices.SortFunc(items, func(x, y T) int {
		a, b := x.meta(), y.meta()
		if c := b.Created.Compare(a.Created); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
}

// reverse flips a slice in place (order=asc).
func reverse[T any](items []T) {
	for i, j := 0, len(items)-1; i < j; i, j = i+1, j-1 {
		items[i], items[j] = items[j], items[i]
	}
}
