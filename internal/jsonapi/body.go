package jsonapi

import "encoding/json"

// Object is a resource object of a request body. Attributes hold only what the caller set;
// a nil value is sent as JSON null (clear the attribute), an absent key leaves it unchanged.
type Object struct {
	Type          string
	ID            string
	Attributes    map[string]any
	Relationships map[string]any
}

// MarshalJSON writes {"type":…,"id"?:…,"attributes"?:…,"relationships"?:…}.
func (o Object) MarshalJSON() ([]byte, error) {
	type wire struct {
		Type          string         `json:"type"`
		ID            string         `json:"id,omitempty"`
		Attributes    map[string]any `json:"attributes,omitempty"`
		Relationships map[string]any `json:"relationships,omitempty"`
	}
	return json.Marshal(wire(o))
}

// Body is a request document: {"data": …} and/or {"meta": …}.
type Body struct {
	Data any            `json:"data,omitempty"`
	Meta map[string]any `json:"meta,omitempty"`
}

// ToOne is the linkage of a to-one relationship in a request.
func ToOne(typ, id string) map[string]any {
	return map[string]any{"data": Linkage{Type: typ, ID: id}}
}

// NullToOne clears a to-one relationship.
func NullToOne() map[string]any {
	return map[string]any{"data": nil}
}
