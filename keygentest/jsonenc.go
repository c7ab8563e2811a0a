package keygentest

import (
	"encoding/json"
	"hash/maphash"
	"strconv"
	"sync"
	"sync/atomic"
)

// marshalDoc writes v exactly as encoding/json.Marshal does, faster for the values documents
// are made of (maps of attributes, resources, slices, strings, booleans, integers): the
// reflection and per-map key sorting of encoding/json were most of the server's cost per
// request. Anything else (floats, times, structs with tags, json.Marshaler values) is handed
// to encoding/json, so the output never differs; the test suite checks that on every
// document it renders (verifyEncoding).
func marshalDoc(v any) ([]byte, error) { return appendDoc(make([]byte, 0, 1024), v) }

// appendDoc is marshalDoc writing after b (a docBuffer for an answer).
func appendDoc(b []byte, v any) ([]byte, error) {
	b, err := appendJSON(b, v)
	if err != nil {
		return nil, err
	}
	if verifyEncoding {
		want, werr := json.Marshal(v)
		if werr != nil || string(want) != string(b) {
			panic("keygentest: marshalDoc differs from encoding/json:\n" + string(b) + "\n" + string(want))
		}
	}
	return b, nil
}

// docBuffer is a buffer an answer is encoded into; ServeHTTP hands it back to docBuffers
// once the answer is written. Growing a fresh buffer for every answer was most of the bytes
// a request allocated.
type docBuffer struct{ b []byte }

var docBuffers = sync.Pool{New: func() any { return &docBuffer{b: make([]byte, 0, 4096)} }}

// release returns the buffer for the next answer; very large ones (a page of 100) are left
// to the collector rather than kept alive.
func (d *docBuffer) release() {
	if d == nil || cap(d.b) > 256<<10 {
		return
	}
	d.b = d.b[:0]
	docBuffers.Put(d)
}

// verifyEncoding makes marshalDoc compare itself with encoding/json (set by the tests).
var verifyEncoding = false

func appendJSON(b []byte, v any) ([]byte, error) {
	var err error
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return appendString(b, x), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case int:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case *string:
		if x == nil {
			return append(b, "null"...), nil
		}
		return appendString(b, *x), nil
	case map[string]any:
		if x == nil {
			return append(b, "null"...), nil
		}
		keys, cached := sortedKeysOf(x)
		out, ok, err := appendObject(b, x, keys)
		if err != nil {
			return nil, err
		}
		if !ok { // a remembered order of another key set with the same signature
			out, _, err = appendObject(b, x, sortedKeys(x))
			return out, err
		}
		if !cached {
			rememberKeys(x, keys)
		}
		return out, nil
	case []any:
		if x == nil {
			return append(b, "null"...), nil
		}
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			if b, err = appendJSON(b, e); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case []string:
		if x == nil {
			return append(b, "null"...), nil
		}
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, e)
		}
		return append(b, ']'), nil
	case []*resource:
		if x == nil {
			return append(b, "null"...), nil
		}
		b = append(b, '[')
		for i, r := range x {
			if i > 0 {
				b = append(b, ',')
			}
			if b, err = appendJSON(b, r); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case *relationship:
		return x.appendJSON(b)
	case *resource:
		if x == nil {
			return append(b, "null"...), nil
		}
		b = append(b, `{"id":`...)
		b = appendString(b, x.ID)
		b = append(b, `,"type":`...)
		b = appendString(b, x.Type)
		b = append(b, `,"attributes":`...)
		if b, err = appendJSON(b, x.Attributes); err != nil {
			return nil, err
		}
		for _, f := range []struct {
			name string
			m    map[string]any
		}{{"relationships", x.Relationships}, {"links", x.Links}, {"meta", x.Meta}} {
			if len(f.m) == 0 {
				continue
			}
			b = append(b, ',')
			b = appendString(b, f.name)
			b = append(b, ':')
			if b, err = appendJSON(b, f.m); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	case document:
		b = append(b, `{"data":`...)
		if b, err = appendJSON(b, x.Data); err != nil {
			return nil, err
		}
		if x.Links != nil {
			b = append(b, `,"links":`...)
			if b, err = appendJSON(b, x.Links); err != nil {
				return nil, err
			}
		}
		if len(x.Meta) > 0 {
			b = append(b, `,"meta":`...)
			if b, err = appendJSON(b, x.Meta); err != nil {
				return nil, err
			}
		}
		if len(x.Included) > 0 {
			b = append(b, `,"included":`...)
			if b, err = appendJSON(b, x.Included); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	}
	out, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(b, out...), nil
}

// Objects are written with their keys sorted, as encoding/json does. Sorting the keys of
// every attributes and relationships map was the largest part of encoding a document, and
// a server renders the same few key sets over and over, so the sorted order of a key set is
// remembered under a signature of its keys (their hashes summed, as map order is random).
// A signature can collide: using a remembered order looks every key up, and one that is
// missing (with the same count, the sets then differ) falls back to sorting.
var (
	keyOrders    sync.Map // signature → []string, sorted
	keyOrdersLen atomic.Int32
	keySeed      = maphash.MakeSeed()
)

// maxKeyOrders bounds the remembered key sets (metadata brings arbitrary ones).
const maxKeyOrders = 4096

// appendObject writes m with its keys in the given order; ok is false, and nothing useful
// is written, when one of the keys is not in m.
func appendObject(b []byte, m map[string]any, keys []string) (_ []byte, ok bool, err error) {
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		v, ok := m[k]
		if !ok {
			return b, false, nil
		}
		b = appendString(b, k)
		b = append(b, ':')
		if b, err = appendJSON(b, v); err != nil {
			return nil, false, err
		}
	}
	return append(b, '}'), true, nil
}

func keySignature(m map[string]any) uint64 {
	sig := uint64(len(m))
	for k := range m {
		sig += maphash.String(keySeed, k)
	}
	return sig
}

// sortedKeysOf returns a remembered sorted order for m's key set, if any (cached), else
// m's keys sorted.
func sortedKeysOf(m map[string]any) (keys []string, cached bool) {
	if len(m) > 1 {
		if v, ok := keyOrders.Load(keySignature(m)); ok {
			if keys := v.([]string); len(keys) == len(m) {
				return keys, true
			}
		}
	}
	return sortedKeys(m), false
}

// rememberKeys keeps the sorted keys of m (just written, so known to be m's) for the next
// map with the same key set.
func rememberKeys(m map[string]any, keys []string) {
	if len(m) < 2 || keyOrdersLen.Load() >= maxKeyOrders {
		return
	}
	if _, loaded := keyOrders.LoadOrStore(keySignature(m), keys); !loaded {
		keyOrdersLen.Add(1)
	}
}

// appendString writes s as encoding/json does (HTML characters escaped). Plain printable
// ASCII, by far the common case, is copied; anything else goes through encoding/json.
func appendString(b []byte, s string) []byte {
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
