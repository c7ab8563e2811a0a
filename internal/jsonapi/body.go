package jsonapi

import (
	"bytes"
	"encoding/json"
	"fmt"

	gjsonapi "github.com/google/jsonapi"
)

// Attributes returns the attributes of a request described by v, a pointer to a struct whose
// fields carry google/jsonapi tags (`jsonapi:"attr,<name>,omitempty"`): google/jsonapi keeps
// the fields that are set, so an option struct is its own wire description. Values that
// google/jsonapi would reformat (times) are added by the caller.
func Attributes(v any) (map[string]any, error) {
	p, err := gjsonapi.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encoding attributes: %w", err)
	}
	one, ok := p.(*gjsonapi.OnePayload)
	if !ok || one.Data == nil {
		return nil, fmt.Errorf("encoding attributes: %T is not a struct pointer", v)
	}
	if one.Data.Attributes == nil {
		return map[string]any{}, nil
	}
	return one.Data.Attributes, nil
}

// Object is a resource object of a request body. Attributes hold only what the caller set;
// a nil value is sent as JSON null (clear the attribute), an absent key leaves it unchanged.
type Object struct {
	Type          string
	ID            string
	Attributes    map[string]any
	Relationships map[string]any
}

// MarshalJSON writes {"type":…,"id"?:…,"attributes"?:…,"relationships"?:…}, with no HTML
// escaping (a URL attribute keeps its "&": an outer encoder cannot undo \u0026).
func (o Object) MarshalJSON() ([]byte, error) {
	type wire struct {
		Type          string         `json:"type"`
		ID            string         `json:"id,omitempty"`
		Attributes    map[string]any `json:"attributes,omitempty"`
		Relationships map[string]any `json:"relationships,omitempty"`
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(wire(o)); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// Body is a request document: {"data": …} and/or {"meta": …}.
type Body struct {
	Data any `json:"data,omitempty"`
	Meta any `json:"meta,omitempty"`
}

// LinkTo is the linkage of a to-one relationship in a request.
func LinkTo(typ, id string) map[string]any {
	return map[string]any{"data": Linkage{Type: typ, ID: id}}
}

// LinkNone clears a to-one relationship in a request.
func LinkNone() map[string]any {
	return map[string]any{"data": nil}
}
