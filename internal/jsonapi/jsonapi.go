// Package jsonapi reads and writes Keygen's JSON:API documents, and is the only code that
// touches github.com/google/jsonapi, so the library can be swapped here alone.
//
// Answers are read in one pass of encoding/json over the response bytes (DecodeOne,
// DecodeMany): the envelope (data, meta, links), each resource's head (id, type, the
// relationships the SDK reads, meta) and its attributes straight into the model, with no
// intermediate map, no copy of raw attributes and no second scan. google/jsonapi cannot read
// top-level meta or links, fails on "data": null, drops error sources and has no polymorphic
// relationships, so it is not used for reading. Parse keeps attributes raw for the documents
// whose resources are of several types (included resources, /me, webhook payloads).
package jsonapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
)

// Document is a parsed top-level JSON:API document.
type Document struct {
	// Data is the raw primary data: an object, an array, or null.
	Data     json.RawMessage `json:"data"`
	Meta     json.RawMessage `json:"meta,omitempty"`
	Links    *Links          `json:"links,omitempty"`
	Errors   []ErrorObject   `json:"errors,omitempty"`
	Included []Resource      `json:"included,omitempty"`
}

// Links are a list's pagination links. Keygen puts the counts in links.meta.
type Links struct {
	Self  string `json:"self"`
	First string `json:"first"`
	Prev  string `json:"prev"`
	Next  string `json:"next"`
	Last  string `json:"last"`
	Meta  struct {
		Pages *int `json:"pages"`
		Count *int `json:"count"`
	} `json:"meta"`
}

// ErrorObject is one entry of an errors document, source included.
type ErrorObject struct {
	Title  string `json:"title"`
	Detail string `json:"detail"`
	Code   string `json:"code"`
	Source struct {
		Pointer   string `json:"pointer"`
		Parameter string `json:"parameter"`
		Header    string `json:"header"`
	} `json:"source"`
	Links map[string]string `json:"-"`
}

// UnmarshalJSON keeps only string links (links.about, links.redirect) and ignores the rest.
func (e *ErrorObject) UnmarshalJSON(b []byte) error {
	type plain ErrorObject
	var aux struct {
		plain
		Links map[string]json.RawMessage `json:"links"`
	}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	*e = ErrorObject(aux.plain)
	for k, v := range aux.Links {
		var s string
		if json.Unmarshal(v, &s) == nil {
			if e.Links == nil {
				e.Links = map[string]string{}
			}
			e.Links[k] = s
		}
	}
	return nil
}

// Head is what every resource object has besides its attributes: identity, relationships
// and meta. Models bind themselves from it after their attributes are decoded.
type Head struct {
	ID            string          `json:"id"`
	Type          string          `json:"type"`
	Relationships Rels            `json:"relationships"`
	Meta          json.RawMessage `json:"meta,omitempty"`
}

// Resource is one resource object whose attributes are kept as raw JSON, for documents whose
// resources are of several types (included resources, /me, webhook payloads).
type Resource struct {
	Head
	Attributes json.RawMessage `json:"attributes,omitempty"`
}

// Res is one resource object decoded in its document's single pass: the attributes go
// straight into A (a model whose fields carry json tags) with no intermediate copy.
type Res[A any] struct {
	Head
	Attributes A `json:"attributes"`
}

// Linkage identifies a related resource.
type Linkage struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// Rels holds the relationships the SDK's models read, by name. Any other relationship is
// skipped by the decoder without being copied; links are never read. Everything decodes
// natively with encoding/json (no custom unmarshaler, so no second scan): a to-one
// relationship's data is an object or null, a to-many one's an array.
type Rels struct {
	Account     ToOne `json:"account"`
	Environment ToOne `json:"environment"`
	Product     ToOne `json:"product"`
	Policy      ToOne `json:"policy"`
	Group       ToOne `json:"group"`
	Owner       ToOne `json:"owner"`
	User        ToOne `json:"user"`
	License     ToOne `json:"license"`
	Machine     ToOne `json:"machine"`
	Bearer      ToOne `json:"bearer"`
	Release     ToOne `json:"release"`
	Package     ToOne `json:"package"`
	Entitlement ToOne `json:"entitlement"`
	// Machines and Users carry counts in their meta (a license's machines, cores, users).
	Machines     Counted `json:"machines"`
	Users        Counted `json:"users"`
	Entitlements ToMany  `json:"entitlements"`
}

// ToOne is a to-one relationship: its linkage, nil when null or link-only.
type ToOne struct {
	Data *Linkage `json:"data"`
}

// ID is the related resource's id, "" when there is none.
func (r *ToOne) ID() string {
	if r.Data != nil {
		return r.Data.ID
	}
	return ""
}

// One is the linkage, or nil.
func (r *ToOne) One() *Linkage { return r.Data }

// ToMany is a to-many relationship sent with its linkage (in documents with includes).
type ToMany struct {
	Data []Linkage `json:"data"`
}

// Counted is a link-only relationship whose meta holds counts.
type Counted struct {
	Meta *Counts `json:"meta"`
}

// Counts is the meta of a license's machines and users relationships.
type Counts struct {
	Count  int   `json:"count"`
	Cores  int64 `json:"cores"`
	Memory int64 `json:"memory"`
	Disk   int64 `json:"disk"`
}

// Parse reads a whole document, its resources with raw attributes.
func Parse(body []byte) (*Document, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, errors.New("empty body")
	}
	d := new(Document)
	if err := json.Unmarshal(body, d); err != nil {
		return nil, fmt.Errorf("invalid JSON:API document: %w", err)
	}
	return d, nil
}

// IsNull reports whether the primary data is null or absent.
func (d *Document) IsNull() bool {
	t := bytes.TrimSpace(d.Data)
	return len(t) == 0 || bytes.Equal(t, []byte("null"))
}

// One returns the single primary resource; nil (and no error) when data is null.
func (d *Document) One() (*Resource, error) {
	if d.IsNull() {
		return nil, nil
	}
	r := new(Resource)
	if err := json.Unmarshal(d.Data, r); err != nil {
		return nil, fmt.Errorf("primary data is not a resource object: %w", err)
	}
	return r, nil
}

// Many returns the primary resources of a list document.
func (d *Document) Many() ([]Resource, error) {
	if d.IsNull() {
		return nil, nil
	}
	var rs []Resource
	if err := json.Unmarshal(d.Data, &rs); err != nil {
		return nil, fmt.Errorf("primary data is not an array of resources: %w", err)
	}
	return rs, nil
}

// MetaString returns a string member of the top-level meta, or "".
func (d *Document) MetaString(key string) string {
	if len(d.Meta) == 0 {
		return ""
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(d.Meta, &m) != nil {
		return ""
	}
	var s string
	if json.Unmarshal(m[key], &s) != nil {
		return ""
	}
	return s
}

// Doc is a whole document decoded in one pass of encoding/json over the response bytes: D is
// the primary data (*Res[A] for one resource, []Res[A] for a list) and M the top-level meta
// (Ignore when unused). Nothing is copied or scanned twice on success.
type Doc[D, M any] struct {
	Data  D      `json:"data"`
	Meta  M      `json:"meta"`
	Links *Links `json:"links"`
}

// Ignore skips a member without decoding it.
type Ignore struct{}

// UnmarshalJSON accepts any value.
func (*Ignore) UnmarshalJSON([]byte) error { return nil }

// DecodeOne reads a single-resource document in one pass; Data is nil for "data": null.
func DecodeOne[A, M any](body []byte) (*Doc[*Res[A], M], error) {
	d := new(Doc[*Res[A], M])
	if err := json.Unmarshal(body, d); err != nil {
		return nil, explain[A](body, false, err)
	}
	return d, nil
}

// DecodeMany reads a list document in one pass.
func DecodeMany[A, M any](body []byte) (*Doc[[]Res[A], M], error) {
	d := new(Doc[[]Res[A], M])
	if err := json.Unmarshal(body, d); err != nil {
		return nil, explain[A](body, true, err)
	}
	return d, nil
}

// explain turns a failed one-pass decode into an error that names the resource and the
// attribute at fault. It takes a second, slower look at the document, on failure only.
func explain[A any](body []byte, many bool, err error) error {
	doc, perr := Parse(body)
	if perr != nil {
		return perr
	}
	var rs []Resource
	if doc.IsNull() {
		return fmt.Errorf("invalid JSON:API document: %w", err)
	}
	if many {
		if rs, perr = doc.Many(); perr != nil {
			return perr
		}
	} else {
		r, perr := doc.One()
		if perr != nil {
			return perr
		}
		rs = []Resource{*r}
	}
	for i := range rs {
		if aerr := UnmarshalAttributes(&rs[i], new(A)); aerr != nil {
			if many {
				return fmt.Errorf("item %d: %w", i, aerr)
			}
			return aerr
		}
	}
	return fmt.Errorf("invalid JSON:API document: %w", err)
}

// UnmarshalAttributes decodes r's attributes into v, a pointer to a model whose fields carry
// json tags. A failure names the attribute at fault ("decoding licenses 8c1f: attribute
// \"uses\": …"), found by decoding the attributes one at a time, on failure only.
func UnmarshalAttributes(r *Resource, v any) error {
	if r == nil {
		return errors.New("no resource")
	}
	attrs := bytes.TrimSpace(r.Attributes)
	if len(attrs) == 0 || bytes.Equal(attrs, []byte("null")) {
		return nil
	}
	err := json.Unmarshal(attrs, v)
	if err == nil {
		return nil
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(attrs, &m) != nil {
		return fmt.Errorf("decoding %s %s: attributes are not a JSON object", r.Type, r.ID)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	rt := reflect.TypeOf(v)
	for _, k := range keys {
		one, _ := json.Marshal(map[string]json.RawMessage{k: m[k]})
		if e := json.Unmarshal(one, reflect.New(rt.Elem()).Interface()); e != nil {
			return fmt.Errorf("decoding %s %s: attribute %q: %w", r.Type, r.ID, k, e)
		}
	}
	return fmt.Errorf("decoding %s %s: %w", r.Type, r.ID, err)
}
