package keygen

import "time"

// Nullable is an update field that can say three things: leave the attribute unchanged (the
// zero value), set it (Set), or clear it to null (Null). Plain pointers cannot tell "clear"
// from "unchanged", and clearing a license's expiry is a real need.
type Nullable[T any] struct {
	value T
	state nullState
}

type nullState uint8

const (
	stateUnchanged nullState = iota // the zero value, so that an unset field sends nothing
	stateSet
	stateNull
)

// Set returns a Nullable that sets the attribute to v.
func Set[T any](v T) Nullable[T] { return Nullable[T]{value: v, state: stateSet} }

// Null returns a Nullable that clears the attribute to null.
func Null[T any]() Nullable[T] { return Nullable[T]{state: stateNull} }

// IsSet reports whether the field sets a value.
func (n Nullable[T]) IsSet() bool { return n.state == stateSet }

// IsNull reports whether the field clears the attribute.
func (n Nullable[T]) IsNull() bool { return n.state == stateNull }

// IsZero reports whether the field leaves the attribute unchanged.
func (n Nullable[T]) IsZero() bool { return n.state == stateUnchanged }

// Get returns the value and whether one is set.
func (n Nullable[T]) Get() (T, bool) { return n.value, n.state == stateSet }

// MarshalJSON writes a set value (times as Keygen writes them) or null. An unchanged
// Nullable is never written: request structs tag it omitempty, which leaves out the zero
// value, so google/jsonapi sends exactly the attributes the caller set or cleared.
func (n Nullable[T]) MarshalJSON() ([]byte, error) {
	if n.state != stateSet {
		return []byte("null"), nil
	}
	return marshalJSON(wireValue(n.value))
}

// Ptr returns a pointer to v, for optional fields of create options.
func Ptr[T any](v T) *T { return &v }

// wireValue writes times as Keygen writes its own (UTC, milliseconds) rather than in
// encoding/json's local-offset nanosecond form; other values go as they are.
func wireValue(v any) any {
	if t, ok := v.(time.Time); ok {
		return t.UTC().Format("2006-01-02T15:04:05.000Z")
	}
	return v
}

// putString writes a string attribute when it is not empty.
func putString(attrs map[string]any, key, v string) {
	if v != "" {
		attrs[key] = v
	}
}
