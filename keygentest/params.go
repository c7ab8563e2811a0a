package keygentest

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Typed request parameters, after Keygen's strict typed params
// (config/initializers/typed_params.rb): every body is checked against a schema before a
// handler reads it. Unknown keys are refused with 400 "unpermitted parameter", wrong JSON types
// with 400 "type mismatch (received X expected Y)", missing required keys with 400 "is
// missing", each with source.pointer.
//
// Build schemas from the constructors below. A param is required unless .opt() is called,
// like Keygen's; .null() allows an explicit null. Example (POST /products):
//
//	schema := obj(fields{
//		"data": obj(fields{
//			"type":       typeOf("product"),
//			"attributes": obj(fields{"name": str(), "url": str().opt().null()}),
//		}),
//	})
//	p, err := c.parse(schema)
//	attrs := p.obj("data").obj("attributes")
//
// Keys in schemas are snake_case: request keys are converted before checking.

type pkind int

const (
	kString pkind = iota
	kInt
	kNumber
	kBool
	kTime
	kUUID
	kArray
	kObject // an object with known fields
	kHash   // a free-form object (metadata)
	kAny
)

var kindNames = map[pkind]string{
	kString: "string", kInt: "integer", kNumber: "number", kBool: "boolean", kTime: "time",
	kUUID: "UUID string", kArray: "array", kObject: "object", kHash: "object", kAny: "any",
}

// param is one node of a schema.
type param struct {
	kind     pkind
	optional bool
	nullable bool
	fields   fields
	items    *param
	oneOf    []string
	maxDepth int // for kHash: deepest allowed nesting (0 = unlimited)
	// allowBlank lets a string be empty or whitespace; otherwise it is a 400 "cannot be
	// blank" (typed_params allow_blank).
	allowBlank bool
}

// fields are the children of an object param, keyed by snake_case name.
type fields map[string]*param

func str() *param                { return &param{kind: kString} }
func integer() *param            { return &param{kind: kInt} }
func number() *param             { return &param{kind: kNumber} }
func boolean() *param            { return &param{kind: kBool} }
func timeParam() *param          { return &param{kind: kTime} }
func uuidParam() *param          { return &param{kind: kUUID} }
func anyParam() *param           { return &param{kind: kAny} }
func obj(f fields) *param        { return &param{kind: kObject, fields: f} }
func arrayOf(item *param) *param { return &param{kind: kArray, items: item} }
func strs() *param               { return arrayOf(str()) }

// metadataParam is the free-form metadata object; requests may nest it at most 2 levels
// deep (app/validators/json_validator.rb).
func metadataParam() *param { return &param{kind: kHash, maxDepth: 2, optional: true} }

// typeOf accepts the singular or plural of each given JSON:API type
// (config/initializers/typed_params.rb).
func typeOf(singulars ...string) *param {
	var names []string
	for _, s := range singulars {
		names = append(names, s, plural(s))
	}
	return str().in(names...)
}

// linkage is a to-one relationship {"data":{"type":…,"id":<uuid>}}.
func linkage(singular string) *param {
	return obj(fields{"data": obj(fields{"type": typeOf(singular), "id": uuidParam()})})
}

func (p *param) opt() *param { p.optional = true; return p }

// null allows an explicit null (typed_params allow_nil). On a string it also allows blank
// values: keygentest's nullable strings are Keygen's allow_blank + allow_nil ones (license
// and machine names, user names, …). Use nullOnly for allow_nil alone.
func (p *param) null() *param {
	p.nullable = true
	if p.kind == kString {
		p.allowBlank = true
	}
	return p
}

// nullOnly allows an explicit null but, on a string, still refuses blank values.
func (p *param) nullOnly() *param { p.nullable = true; return p }

// blank allows an empty or whitespace-only string.
func (p *param) blank() *param { p.allowBlank = true; return p }

func (p *param) in(values ...string) *param { p.oneOf = values; return p }

func plural(s string) string {
	switch {
	case strings.HasSuffix(s, "y") && !strings.ContainsAny(s[len(s)-2:len(s)-1], "aeiou"):
		return s[:len(s)-1] + "ies"
	case strings.HasSuffix(s, "s"):
		return s
	default:
		return s + "s"
	}
}

// params is a checked request body (or part of one). Values are coerced: integers are
// int64, times time.Time, UUIDs and strings string, nested objects params.
type params map[string]any

// obj returns a nested object, or an empty params when absent or null.
func (p params) obj(k string) params {
	if m, ok := p[k].(params); ok {
		return m
	}
	return params{}
}

// has reports whether the key was sent, even as null.
func (p params) has(k string) bool { _, ok := p[k]; return ok }

// isNull reports whether the key was sent as null.
func (p params) isNull(k string) bool { v, ok := p[k]; return ok && v == nil }

func (p params) str(k string) (string, bool) { s, ok := p[k].(string); return s, ok }

// strPtr returns the string or nil (absent or null).
func (p params) strPtr(k string) *string {
	if s, ok := p[k].(string); ok {
		return &s
	}
	return nil
}

func (p params) int(k string) (int64, bool) { n, ok := p[k].(int64); return n, ok }

// intPtr returns the integer or nil (absent or null).
func (p params) intPtr(k string) *int64 {
	if n, ok := p[k].(int64); ok {
		return &n
	}
	return nil
}

func (p params) bool(k string) (bool, bool) { b, ok := p[k].(bool); return b, ok }

// timePtr returns the time or nil (absent or null).
func (p params) timePtr(k string) *time.Time {
	if t, ok := p[k].(time.Time); ok {
		return &t
	}
	return nil
}

// strings returns a string array (nil when absent or null).
func (p params) strings(k string) []string {
	a, ok := p[k].([]any)
	if !ok {
		return nil
	}
	out := make([]string, 0, len(a))
	for _, v := range a {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// hash returns a free-form object as plain maps (snake_case keys), nil when absent or null.
func (p params) hash(k string) map[string]any {
	m, ok := p[k].(map[string]any)
	if !ok {
		return nil
	}
	return m
}

// relID returns the id of a to-one relationship data.relationships.<name>, if sent.
func (p params) relID(name string) (string, bool) {
	rel := p.obj("data").obj("relationships")
	if !rel.has(name) {
		return "", false
	}
	return rel.obj(name).obj("data").str("id")
}

// checkParams validates a decoded JSON value (keys already snake_case) against a schema
// and returns the coerced value. Unpermitted keys are reported before any other problem,
// as Keygen does.
func checkParams(v any, schema *param, query bool) (params, *apiError) {
	if v == nil {
		v = map[string]any{}
	}
	if err := findUnpermitted(v, schema, nil, query); err != nil {
		return nil, err
	}
	out, err := checkValue(v, schema, nil, query)
	if err != nil {
		return nil, err
	}
	m, ok := out.(params)
	if !ok {
		return nil, paramError("type mismatch (received "+jsonTypeName(v)+" expected object)", nil, query)
	}
	return m, nil
}

func findUnpermitted(v any, p *param, path []string, query bool) *apiError {
	switch p.kind {
	case kObject:
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		// Keygen reports the first unpermitted key in sorted order; that order is only
		// needed once something is wrong, so the common case does not sort.
		clean := true
		for k, x := range m {
			child, known := p.fields[k]
			if !known || findUnpermitted(x, child, append(path, k), query) != nil {
				clean = false
				break
			}
		}
		if clean {
			return nil
		}
		for _, k := range sortedKeys(m) {
			child, known := p.fields[k]
			if !known {
				return paramError("unpermitted parameter", append(path, k), query)
			}
			if err := findUnpermitted(m[k], child, append(path, k), query); err != nil {
				return err
			}
		}
	case kArray:
		a, ok := v.([]any)
		if !ok {
			return nil
		}
		for i, x := range a {
			if err := findUnpermitted(x, p.items, append(path, fmt.Sprint(i)), query); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkValue(v any, p *param, path []string, query bool) (any, *apiError) {
	mismatch := func() *apiError {
		return paramError("type mismatch (received "+jsonTypeName(v)+" expected "+kindNames[p.kind]+")", path, query)
	}
	if v == nil {
		switch {
		case p.nullable || p.kind == kAny:
			return nil, nil
		case p.optional:
			// typed_params ignore_nil_optionals: a null optional is dropped, as if absent.
			return dropped{}, nil
		}
		return nil, paramError("cannot be null", path, query)
	}
	switch p.kind {
	case kAny:
		return v, nil
	case kString:
		s, ok := v.(string)
		if !ok {
			return nil, mismatch()
		}
		if !p.allowBlank && isBlank(s) {
			return nil, paramError("cannot be blank", path, query)
		}
		if len(p.oneOf) > 0 && !contains(p.oneOf, s) {
			return nil, paramError("is invalid", path, query)
		}
		return s, nil
	case kUUID:
		// typed_params' uuid type is UUID_RE: any case, dashes optional
		// (config/initializers/typed_params.rb); the id is then stored or looked up as a
		// Postgres uuid, in its lower-case dashed form.
		s, ok := v.(string)
		if !ok || pgUUID(s) == "" {
			return nil, mismatch()
		}
		return pgUUID(s), nil
	case kInt:
		n, ok := v.(json.Number)
		if !ok {
			return nil, mismatch()
		}
		i, err := n.Int64()
		if err != nil {
			if strings.ContainsAny(n.String(), ".eE") {
				return nil, paramError("type mismatch (received float expected integer)", path, query)
			}
			return nil, paramError("integer is too large", path, query)
		}
		return i, nil
	case kNumber:
		n, ok := v.(json.Number)
		if !ok {
			return nil, mismatch()
		}
		f, _ := n.Float64()
		return f, nil
	case kBool:
		b, ok := v.(bool)
		if !ok {
			return nil, mismatch()
		}
		return b, nil
	case kTime:
		// typed_params coerces times before checking them: digits are a Unix time, other
		// strings go through String#to_time, which yields nil (then treated like a sent
		// null) for text it cannot read; other JSON types fail to coerce.
		switch t := v.(type) {
		case string:
			if isBlank(t) {
				return checkValue(nil, p, path, query)
			}
			if n, err := strconv.ParseInt(t, 10, 64); err == nil && n >= 0 {
				return time.Unix(n, 0).UTC(), nil
			}
			if tm, ok := parseTime(t); ok {
				return tm, nil
			}
			return checkValue(nil, p, path, query)
		case json.Number:
			if n, err := t.Int64(); err == nil && !strings.ContainsAny(t.String(), ".eE-") {
				return time.Unix(n, 0).UTC(), nil
			}
		}
		return nil, paramError("failed to coerce "+coerceTypeName(v)+" to time", path, query)
	case kArray:
		a, ok := v.([]any)
		if !ok {
			return nil, mismatch()
		}
		out := make([]any, 0, len(a))
		for i, x := range a {
			c, err := checkValue(x, p.items, append(path, fmt.Sprint(i)), query)
			if err != nil {
				return nil, err
			}
			if _, drop := c.(dropped); drop {
				c = nil
			}
			out = append(out, c)
		}
		return out, nil
	case kHash:
		m, ok := v.(map[string]any)
		if !ok {
			return nil, mismatch()
		}
		if p.maxDepth > 0 {
			if sub := tooDeep(m, p.maxDepth, 0, nil); sub != nil {
				return nil, paramError(fmt.Sprintf("maximum depth of %d exceeded", p.maxDepth), append(append([]string{}, path...), sub...), query)
			}
		}
		return plainJSON(m), nil
	case kObject:
		m, ok := v.(map[string]any)
		if !ok {
			return nil, mismatch()
		}
		for k, f := range p.fields {
			if _, present := m[k]; !present && !f.optional {
				// report the first missing one in Keygen's (sorted) order
				for _, k := range sortedFieldNames(p.fields) {
					if _, present := m[k]; !present && !p.fields[k].optional {
						return nil, paramError("is missing", append(path, k), query)
					}
				}
			}
		}
		out := make(params, len(m))
		for k, x := range m {
			c, err := checkValue(x, p.fields[k], append(path, k), query)
			if err != nil {
				// report the first bad one in Keygen's (sorted) order
				for _, k := range sortedKeys(m) {
					if _, err := checkValue(m[k], p.fields[k], append(path, k), query); err != nil {
						return nil, err
					}
				}
				return nil, err
			}
			if _, drop := c.(dropped); drop {
				continue
			}
			out[k] = c
		}
		return out, nil
	}
	return v, nil
}

// dropped marks an optional parameter sent as null: typed_params (ignore_nil_optionals)
// removes it, so handlers see it as absent.
type dropped struct{}

// isBlank is Ruby's String#blank?: empty or only whitespace.
func isBlank(s string) bool { return strings.TrimFunc(s, unicode.IsSpace) == "" }

// coerceTypeName names a JSON value's type as typed_params' coercion errors do.
func coerceTypeName(v any) string {
	switch t := v.(type) {
	case map[string]any:
		return "hash"
	case []any:
		return "array"
	case bool:
		return "boolean"
	case json.Number:
		if strings.ContainsAny(t.String(), ".eE") {
			return "float"
		}
		return "integer"
	}
	return jsonTypeName(v)
}

// tooDeep returns the path (relative to the hash) of the first non-scalar value nested
// deeper than max levels, as typed_params' depth validation reports it, or nil.
func tooDeep(v any, max, cur int, path []string) []string {
	visit := func(k string, x any) []string {
		switch x.(type) {
		case map[string]any, []any:
		default:
			return nil
		}
		p := append(append([]string{}, path...), k)
		if cur >= max {
			return p
		}
		return tooDeep(x, max, cur+1, p)
	}
	switch t := v.(type) {
	case map[string]any:
		for _, k := range sortedKeys(t) {
			if p := visit(k, t[k]); p != nil {
				return p
			}
		}
	case []any:
		for i, x := range t {
			if p := visit(strconv.Itoa(i), x); p != nil {
				return p
			}
		}
	}
	return nil
}

// paramError is a 400 pointing at a body key (JSON pointer, camelCase) or a query
// parameter (bracket notation).
func paramError(detail string, path []string, query bool) *apiError {
	if query {
		name := ""
		for i, k := range path {
			if i == 0 {
				name = k
			} else {
				name += "[" + k + "]"
			}
		}
		return errBadRequest(detail, parameter(name))
	}
	var b strings.Builder
	for _, k := range path {
		b.WriteString("/" + camel(k))
	}
	if b.Len() == 0 {
		b.WriteString("/")
	}
	return errBadRequest(detail, pointer(b.String()))
}

// jsonTypeName names a decoded JSON value's type the way Keygen's messages do.
func jsonTypeName(v any) string {
	switch t := v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case json.Number:
		if strings.ContainsAny(t.String(), ".eE") {
			return "float"
		}
		return "integer"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "unknown"
}

// depth is the nesting depth of a JSON value (a flat object is 1).
func depth(v any) int {
	switch t := v.(type) {
	case map[string]any:
		d := 0
		for _, x := range t {
			d = max(d, depth(x))
		}
		return d + 1
	case []any:
		d := 0
		for _, x := range t {
			d = max(d, depth(x))
		}
		return d + 1
	}
	return 0
}

// plainJSON turns json.Number leaves into int64 or float64 so stored metadata renders as
// numbers without keeping decoder types around.
func plainJSON(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[k] = plainJSON(x)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = plainJSON(x)
		}
		return out
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i
		}
		f, _ := t.Float64()
		return f
	}
	return v
}

// parseTime accepts the ISO-8601 forms clients send for times
// (config/initializers/typed_params.rb).
func parseTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05Z0700", "2006-01-02 15:04:05Z07:00", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

func sortedKeys(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func sortedFieldNames(f fields) []string {
	ks := make([]string, 0, len(f))
	for k := range f {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
