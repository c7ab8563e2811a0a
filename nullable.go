package keygen

// Nullable is an update field that can say three things: leave the attribute unchanged (the
// zero value), set it (Set), or clear it to null (Null). Plain pointers cannot tell "clear"
// from "unchanged", and clearing a license's expiry is a real need.
type Nullable[T any] struct {
	value T
	state uint8 // 0 unchanged, 1 set, 2 null
}

// Set returns a Nullable that sets the attribute to v.
func Set[T any](v T) Nullable[T] { return Nullable[T]{value: v, state: 1} }

// Null returns a Nullable that clears the attribute to null.
func Null[T any]() Nullable[T] { return Nullable[T]{state: 2} }

// IsSet reports whether the field sets a value.
func (n Nullable[T]) IsSet() bool { return n.state == 1 }

// IsNull reports whether the field clears the attribute.
func (n Nullable[T]) IsNull() bool { return n.state == 2 }

// IsZero reports whether the field leaves the attribute unchanged.
func (n Nullable[T]) IsZero() bool { return n.state == 0 }

// Get returns the value and whether one is set.
func (n Nullable[T]) Get() (T, bool) { return n.value, n.state == 1 }

// put writes the field into a request's attributes: the value, null, or nothing.
func (n Nullable[T]) put(attrs map[string]any, key string) {
	switch n.state {
	case 1:
		attrs[key] = n.value
	case 2:
		attrs[key] = nil
	}
}

// Ptr returns a pointer to v, for optional fields of create options.
func Ptr[T any](v T) *T { return &v }

// putPtr writes an optional field when it is set.
func putPtr[T any](attrs map[string]any, key string, p *T) {
	if p != nil {
		attrs[key] = *p
	}
}

// putString writes a string attribute when it is not empty.
func putString(attrs map[string]any, key, v string) {
	if v != "" {
		attrs[key] = v
	}
}
