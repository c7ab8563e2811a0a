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
	const prefix = "/v1/accounts/"
	n := len(prefix) + len(v.acct.ID)
	for _, p := range parts {
		n += 1 + len(p)
	}
	var b strings.Builder // one allocation: a document builds a dozen of these
	b.Grow(n)
	b.WriteString(prefix)
	b.WriteString(v.acct.ID)
	for _, p := range parts {
		b.WriteByte('/')
		b.WriteString(p)
	}
	return b.String()
}

// newResource starts a resource with its self link and the account relationship that
// every serializer has (BaseSerializer subclasses in app/serializers). The environment
// relationship and the permissions attribute sit in the serializers' `ee do` blocks, so a
// CE server, which keygentest renders as, emits neither.
func (v view) newResource(typ, id string, attrs map[string]any) *resource {
	// Sized for the dozen relationships a serializer adds: growing the map as they are
	// added cost more than the room that is left over.
	rels := make(map[string]any, 12)
	rels["account"] = &relationship{related: "/v1/accounts/" + v.acct.ID, toOne: true, typ: "accounts", id: v.acct.ID}
	return &resource{
		ID:            id,
		Type:          typ,
		Attributes:    attrs,
		Relationships: rels,
		Links:         map[string]any{"self": v.path(typ, id)},
	}
}

// relationship is a relationship object as the serializers write it: links.related, data
// (linkage or null) when it is a to-one relationship, and meta when Keygen counts something
// there. It is a value rather than nested maps because a document carries a dozen per
// resource, and building and encoding those maps was a large share of the server's cost.
type relationship struct {
	related any  // the related link: a string, or nil for null
	toOne   bool // it has a data member
	typ, id string
	meta    map[string]any
}

// toOne is a to-one relationship with linkage: data is {type,id} or null.
func toOne(related, typ string, id *string) *relationship {
	r := &relationship{related: related, toOne: true, typ: typ}
	if id != nil {
		r.id = *id
	}
	return r
}

// toMany is a link-only relationship, with meta when Keygen sends one.
func toMany(related string, meta map[string]any) *relationship {
	return &relationship{related: related, meta: meta}
}

// linkedID is the id of a to-one relationship's linkage, "" for null or none.
func (r *relationship) linkedID() string {
	if r == nil {
		return ""
	}
	return r.id
}

// MarshalJSON writes the object as encoding/json writes the equivalent map (keys sorted:
// data, links, meta).
func (r *relationship) MarshalJSON() ([]byte, error) { return r.appendJSON(nil) }

func (r *relationship) appendJSON(b []byte) ([]byte, error) {
	b = append(b, '{')
	if r.toOne {
		b = append(b, `"data":`...)
		if r.id == "" {
			b = append(b, "null"...)
		} else {
			b = append(b, `{"id":`...)
			b = appendString(b, r.id)
			b = append(b, `,"type":`...)
			b = appendString(b, r.typ)
			b = append(b, '}')
		}
		b = append(b, ',')
	}
	b = append(b, `"links":{"related":`...)
	b, err := appendJSON(b, r.related)
	if err != nil {
		return nil, err
	}
	b = append(b, '}')
	if r.meta != nil {
		b = append(b, `,"meta":`...)
		if b, err = appendJSON(b, r.meta); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
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
