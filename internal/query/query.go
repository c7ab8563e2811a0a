// Package query encodes Keygen's list filters: plain keys, bracketed keys (page[size],
// metadata[key]) and array keys (roles[]=a&roles[]=b), as Rails parses them.
package query

import (
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"time"
)

// Values collects query parameters. The zero value is ready to use.
type Values struct{ v url.Values }

func (q *Values) add(key, val string) {
	if q.v == nil {
		q.v = url.Values{}
	}
	q.v.Add(key, val)
}

// String adds key=val unless val is empty.
func (q *Values) String(key, val string) {
	if val != "" {
		q.add(key, val)
	}
}

// Keep adds key=val even when val is empty (an empty page[cursor] asks for the first page).
func (q *Values) Keep(key, val string) { q.add(key, val) }

// Int adds key=n unless n is zero.
func (q *Values) Int(key string, n int) {
	if n != 0 {
		q.add(key, strconv.Itoa(n))
	}
}

// Bool adds key=true|false when b is set.
func (q *Values) Bool(key string, b *bool) {
	if b != nil {
		q.add(key, strconv.FormatBool(*b))
	}
}

// Time adds key=<RFC 3339> unless t is zero.
func (q *Values) Time(key string, t time.Time) {
	if !t.IsZero() {
		q.add(key, t.UTC().Format(time.RFC3339))
	}
}

// Strings adds key[]=v for each non-empty value (Rails would read "roles[]=" as a role
// named "").
func (q *Values) Strings(key string, vals []string) {
	for _, v := range vals {
		if v != "" {
			q.add(key+"[]", v)
		}
	}
}

// Map adds prefix[k]=v for each entry, in key order. Values are written as Keygen matches
// them: strings as is, numbers and booleans in their JSON spelling, nil as "null".
func (q *Values) Map(prefix string, m map[string]any) {
	keys := make([]string, 0, len(m))
	for k := range m {
		if k != "" { // "metadata[]" would be an array to Rails, not a key
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		q.add(prefix+"["+k+"]", format(m[k]))
	}
}

func format(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'f', -1, 32)
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	default:
		return fmt.Sprint(x)
	}
}

// Encode returns the query in Keygen's own link spelling: keys sorted, brackets escaped.
func (q *Values) Encode() string {
	if q == nil || q.v == nil {
		return ""
	}
	return q.v.Encode()
}
