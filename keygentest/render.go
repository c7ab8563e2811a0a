package keygentest

import (
	"strings"
	"time"
)

// resource is a JSON:API resource object (app/serializers/base_serializer.rb).
type resource struct {
	ID            string         `json:"id"`
	Type          string         `json:"type"`
	Attributes    map[string]any `json:"attributes"`
	Relationships map[string]any `json:"relationships,omitempty"`
	Links         map[string]any `json:"links,omitempty"`
	Meta          map[string]any `json:"meta,omitempty"`
}

// view renders store entities as Keygen documents for one API version. Handlers get one
// from c.view(); webhook delivery builds one with the endpoint's version.
type view struct {
	db    *store
	acct  *account
	minor int
	now   time.Time
}

func (c *call) view() view { return view{db: c.db(), acct: c.acct, minor: c.minor, now: c.now()} }

// path builds an API path with the account UUID (never the slug), as Keygen's links do.
func (v view) path(parts ...string) string {
	return "/v1/accounts/" + v.acct.ID + "/" + strings.Join(parts, "/")
}

// newResource starts a resource with its self link and the account relationship that
// every serializer has (BaseSerializer subclasses in app/serializers). The environment
// relationship and the permissions attribute sit in the serializers' `ee do` blocks, so a
// CE server, which keygentest renders as, emits neither.
func (v view) newResource(typ, id string, attrs map[string]any) *resource {
	return &resource{
		ID:         id,
		Type:       typ,
		Attributes: attrs,
		Relationships: map[string]any{
			"account": map[string]any{"links": map[string]any{"related": "/v1/accounts/" + v.acct.ID}, "data": map[string]any{"type": "accounts", "id": v.acct.ID}},
		},
		Links: map[string]any{"self": v.path(typ, id)},
	}
}

// toOne is a to-one relationship with linkage: data is {type,id} or null.
func toOne(related, typ string, id *string) map[string]any {
	if id == nil {
		return map[string]any{"links": map[string]any{"related": related}, "data": nil}
	}
	return map[string]any{"links": map[string]any{"related": related}, "data": map[string]any{"type": typ, "id": *id}}
}

// toMany is a link-only relationship, with meta when Keygen sends one.
func toMany(related string, meta map[string]any) map[string]any {
	r := map[string]any{"links": map[string]any{"related": related}}
	if meta != nil {
		r["meta"] = meta
	}
	return r
}

// timeFormat is Keygen's time format: RFC 3339 UTC with milliseconds.
const timeFormat = "2006-01-02T15:04:05.000Z"

func fmtTime(t time.Time) string { return t.UTC().Format(timeFormat) }

// optTime renders a nullable time.
func optTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return fmtTime(*t)
}

// opt renders a nullable value.
func opt[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// list renders a string list, null when nil.
func list(s []string) any {
	if s == nil {
		return nil
	}
	return s
}

// metadata renders stored (snake_case) metadata with lowerCamelCase keys at every depth,
// or only the top level for API ≤1.4; empty metadata is {}
// (app/migrations/update_nested_key_casing_to_snakecase_for_metadata_migration.rb).
func (v view) metadata(m map[string]any) map[string]any {
	if len(m) == 0 {
		return map[string]any{}
	}
	d := -1
	if v.minor <= 4 {
		d = 1
	}
	return camelKeys(m, d).(map[string]any)
}

// stamp adds created and updated.
func stamp(attrs map[string]any, b *base) map[string]any {
	attrs["created"] = fmtTime(b.Created)
	attrs["updated"] = fmtTime(b.Updated)
	return attrs
}

// strPtr is a helper for literal nullable strings.
func strPtr(s string) *string { return &s }

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}
