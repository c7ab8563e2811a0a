package keygentest

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Typed request parameters (params.go, config/initializers/typed_params.rb).

// TestParamsTyped pins strict typing: 400s with source.pointer
// (config/initializers/typed_params.rb).
func TestParamsTyped(t *testing.T) {
	t.Parallel()
	tt := newWorld(t)
	prod := tt.product()
	rel := map[string]any{"product": link("products", prod)}
	cases := []struct {
		name    string
		path    string
		body    any
		detail  string
		pointer string
	}{
		{"unknown attribute", "/products", doc("products", map[string]any{"name": "x", "foo": 1}, nil), "unpermitted parameter", "/data/attributes/foo"},
		{"unknown snake attribute points camel", "/products", doc("products", map[string]any{"name": "x", "foo_bar": 1}, nil), "unpermitted parameter", "/data/attributes/fooBar"},
		{"missing required", "/products", doc("products", map[string]any{"code": "x"}, nil), "is missing", "/data/attributes/name"},
		{"missing data", "/products", map[string]any{}, "is missing", "/data"},
		{"string expected", "/products", doc("products", map[string]any{"name": 5}, nil), "type mismatch (received integer expected string)", "/data/attributes/name"},
		{"integer expected", "/policies", doc("policies", map[string]any{"name": "p", "maxMachines": "5"}, rel), "type mismatch (received string expected integer)", "/data/attributes/maxMachines"},
		{"float for integer", "/policies", doc("policies", map[string]any{"name": "p", "duration": 1.5}, rel), "type mismatch (received float expected integer)", "/data/attributes/duration"},
		{"null for a required param", "/products", doc("products", map[string]any{"name": nil}, nil), "cannot be null", "/data/attributes/name"},
		{"blank string", "/products", doc("products", map[string]any{"name": " "}, nil), "cannot be blank", "/data/attributes/name"},
		{"non-UUID relationship id", "/policies", doc("policies", map[string]any{"name": "p"}, map[string]any{"product": link("products", "abc")}),
			"type mismatch (received string expected UUID string)", "/data/relationships/product/data/id"},
		{"missing relationship", "/policies", doc("policies", map[string]any{"name": "p"}, map[string]any{}), "is missing", "/data/relationships/product"},
		{"wrong type", "/products", doc("licenses", map[string]any{"name": "x"}, nil), "is invalid", "/data/type"},
		{"metadata too deep", "/products", doc("products", map[string]any{"name": "x", "metadata": map[string]any{"a": map[string]any{"b": map[string]any{"c": map[string]any{"d": 1}}}}}, nil),
			"maximum depth of 2 exceeded", "/data/attributes/metadata/a/b/c"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := tt.do(req{method: "POST", path: c.path, body: c.body})
			require.Equal(t, 400, r.status, string(r.body))
			assert.Equal(t, "Bad request", r.err(0)["title"])
			assert.Equal(t, c.detail, r.detail())
			assert.Equal(t, c.pointer, r.source()["pointer"])
		})
	}
}

// TestParamsFirstErrorInKeygenOrder: with several bad keys, the one reported is the first in
// sorted order every time, although the common (valid) case checks keys in map order.
func TestParamsFirstErrorInKeygenOrder(t *testing.T) {
	t.Parallel()
	schema := obj(fields{"data": obj(fields{
		"b_name": str(), "a_name": str(), "c_name": str().opt(), "d_count": integer().opt(),
	})})
	cases := []struct {
		name    string
		body    map[string]any
		detail  string
		pointer string
	}{
		{"two unpermitted", map[string]any{"data": map[string]any{"a_name": "x", "b_name": "y", "zeta": json.Number("1"), "beta": json.Number("2"), "mu": json.Number("3")}},
			"unpermitted parameter", "/data/beta"},
		{"two missing", map[string]any{"data": map[string]any{"c_name": "z"}}, "is missing", "/data/aName"},
		{"two mismatches", map[string]any{"data": map[string]any{"a_name": "x", "b_name": json.Number("1"), "c_name": json.Number("2"), "d_count": "3"}},
			"type mismatch (received integer expected string)", "/data/bName"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for range 50 { // map iteration order differs from run to run
				_, err := checkParams(c.body, schema, false)
				require.NotNil(t, err)
				assert.Equal(t, c.detail, err.errors[0].Detail)
				assert.Equal(t, c.pointer, err.errors[0].Source["pointer"])
			}
		})
	}
	p, err := checkParams(map[string]any{"data": map[string]any{"a_name": "x", "b_name": "y", "c_name": nil}}, schema, false)
	require.Nil(t, err)
	assert.Equal(t, params{"a_name": "x", "b_name": "y"}, p.obj("data"), "a null optional is dropped")
}
