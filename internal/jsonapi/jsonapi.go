// Package jsonapi reads and writes Keygen's JSON:API documents. It is the only code that
// touches github.com/google/jsonapi, so the library can be swapped here alone.
//
// google/jsonapi (v1.0.0) cannot read top-level meta or links, fails on "data": null, drops
// error sources and has no polymorphic relationships. So this package reads the envelope
// itself (data, meta, links, errors, included) and hands the library one resource object at a
// time, with only its id, type and attributes; relationships are read here as plain linkage.
package jsonapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"

	gjsonapi "github.com/google/jsonapi"
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

// Resource is one resource object.
type Resource struct {
	ID            string                  `json:"id"`
	Type          string                  `json:"type"`
	Attributes    json.RawMessage         `json:"attributes,omitempty"`
	Relationships map[string]Relationship `json:"relationships,omitempty"`
	Links         struct {
		Self string `json:"self"`
	} `json:"links"`
	Meta json.RawMessage `json:"meta,omitempty"`
}

// Linkage identifies a related resource.
type Linkage struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// Relationship is a resource's relationship: to-one linkage (possibly null) or link-only.
type Relationship struct {
	// Data is the to-one linkage; nil when the relationship is null or link-only.
	Data *Linkage
	// Many is the to-many linkage, when the server sent an array.
	Many  []Linkage
	Links struct {
		Related string `json:"related"`
	}
	Meta json.RawMessage
}

// UnmarshalJSON accepts data as an object, null, an array, or absent.
func (r *Relationship) UnmarshalJSON(b []byte) error {
	var w relationshipWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*r = w.relationship()
	return nil
}

// resourceWire is how a Resource is decoded. A custom UnmarshalJSON on each relationship
// makes encoding/json scan every relationship object for its extent before decoding it
// again; here relationships are read in the resource's own pass and only their (small) data
// member goes through a custom decoder. Relationship.UnmarshalJSON reuses the same wire
// types, so both paths give the same Resource.
type resourceWire struct {
	ID            string                      `json:"id"`
	Type          string                      `json:"type"`
	Attributes    json.RawMessage             `json:"attributes,omitempty"`
	Relationships map[string]relationshipWire `json:"relationships,omitempty"`
	Links         struct {
		Self string `json:"self"`
	} `json:"links"`
	Meta json.RawMessage `json:"meta,omitempty"`
}

type relationshipWire struct {
	Data  linkageData `json:"data"`
	Links struct {
		Related string `json:"related"`
	} `json:"links"`
	Meta json.RawMessage `json:"meta"`
}

func (w relationshipWire) relationship() Relationship {
	return Relationship{Data: w.Data.one, Many: w.Data.many, Links: w.Links, Meta: w.Meta}
}

// linkageData is a relationship's data: an object, null, or an array.
type linkageData struct {
	one  *Linkage
	many []Linkage
}

func (l *linkageData) UnmarshalJSON(b []byte) error {
	*l = linkageData{} // a repeated "data" member replaces the earlier one
	d := bytes.TrimSpace(b)
	switch {
	case len(d) == 0 || bytes.Equal(d, []byte("null")):
	case d[0] == '[':
		return json.Unmarshal(d, &l.many)
	default:
		l.one = new(Linkage)
		return json.Unmarshal(d, l.one)
	}
	return nil
}

// to fills r from w.
func (w *resourceWire) to(r *Resource) {
	*r = Resource{ID: w.ID, Type: w.Type, Attributes: w.Attributes, Links: w.Links, Meta: w.Meta}
	if w.Relationships != nil {
		r.Relationships = make(map[string]Relationship, len(w.Relationships))
		for k, v := range w.Relationships {
			r.Relationships[k] = v.relationship()
		}
	}
}

// RelID returns the id of a to-one relationship, or "" when it is null, link-only or absent.
func (r *Resource) RelID(name string) string {
	if rel, ok := r.Relationships[name]; ok && rel.Data != nil {
		return rel.Data.ID
	}
	return ""
}

// Rel returns the linkage of a to-one relationship, or nil.
func (r *Resource) Rel(name string) *Linkage {
	if rel, ok := r.Relationships[name]; ok {
		return rel.Data
	}
	return nil
}

// Parse reads a whole document.
func Parse(body []byte) (*Document, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, errors.New("empty body")
	}
	var w struct {
		Data     json.RawMessage `json:"data"`
		Meta     json.RawMessage `json:"meta,omitempty"`
		Links    *Links          `json:"links,omitempty"`
		Errors   []ErrorObject   `json:"errors,omitempty"`
		Included []resourceWire  `json:"included,omitempty"`
	}
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, fmt.Errorf("invalid JSON:API document: %w", err)
	}
	d := &Document{Data: w.Data, Meta: w.Meta, Links: w.Links, Errors: w.Errors}
	if w.Included != nil {
		d.Included = make([]Resource, len(w.Included))
		for i := range w.Included {
			w.Included[i].to(&d.Included[i])
		}
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
	var w resourceWire
	if err := json.Unmarshal(d.Data, &w); err != nil {
		return nil, fmt.Errorf("primary data is not a resource object: %w", err)
	}
	r := new(Resource)
	w.to(r)
	return r, nil
}

// Many returns the primary resources of a list document.
func (d *Document) Many() ([]Resource, error) {
	if d.IsNull() {
		return nil, nil
	}
	var ws []resourceWire
	if err := json.Unmarshal(d.Data, &ws); err != nil {
		return nil, fmt.Errorf("primary data is not an array of resources: %w", err)
	}
	if ws == nil {
		return nil, nil
	}
	rs := make([]Resource, len(ws))
	for i := range ws {
		ws[i].to(&rs[i])
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

// Unmarshal decodes r's id and attributes into v, a pointer to a struct whose fields carry
// `jsonapi:"primary,<type>"` and `jsonapi:"attr,<name>[,iso8601]"` tags. Relationships are
// not touched: callers read them with RelID.
func Unmarshal(r *Resource, v any) error {
	if r == nil {
		return errors.New("no resource")
	}
	attrs := r.Attributes
	if len(bytes.TrimSpace(attrs)) == 0 || bytes.Equal(bytes.TrimSpace(attrs), []byte("null")) {
		attrs = json.RawMessage("{}")
	}
	if err := unmarshalAttrs(r, attrs, v); err != nil {
		// The library's messages ("data is not a jsonapi representation of '*T'") do not
		// say which attribute is wrong; find it by decoding them one at a time.
		var m map[string]json.RawMessage
		rt := reflect.TypeOf(v)
		if rt != nil && rt.Kind() == reflect.Pointer && json.Unmarshal(attrs, &m) == nil &&
			unmarshalAttrs(r, json.RawMessage("{}"), reflect.New(rt.Elem()).Interface()) == nil {
			keys := make([]string, 0, len(m))
			for k := range m {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				one, _ := json.Marshal(map[string]json.RawMessage{k: m[k]})
				if e := unmarshalAttrs(r, one, reflect.New(rt.Elem()).Interface()); e != nil {
					return fmt.Errorf("decoding %s %s: attribute %q: %w", r.Type, r.ID, k, e)
				}
			}
		}
		return fmt.Errorf("decoding %s %s: %w", r.Type, r.ID, err)
	}
	return nil
}

// unmarshalAttrs hands the library a minimal one-resource document.
func unmarshalAttrs(r *Resource, attrs json.RawMessage, v any) error {
	// The document is spliced together rather than json.Marshal'ed: marshalling would scan
	// and copy the attributes once more only to re-validate them. They were decoded from a
	// document (so they are valid JSON), and bad input fails in the library's decoder anyway.
	b := make([]byte, 0, len(attrs)+len(r.Type)+len(r.ID)+48)
	b = append(b, `{"data":{"type":`...)
	b = appendJSONString(b, r.Type)
	b = append(b, `,"id":`...)
	b = appendJSONString(b, r.ID)
	b = append(b, `,"attributes":`...)
	b = append(b, attrs...)
	b = append(b, "}}"...)
	return gjsonapi.UnmarshalPayload(bytes.NewReader(b), v)
}

// appendJSONString appends s as a JSON string; ids and types are plain ASCII, anything else
// goes through encoding/json.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always marshals
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
