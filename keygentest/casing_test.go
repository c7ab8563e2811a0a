package keygentest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Key casing of requests and answers (casing.go).

// TestCasingKeys: camel, kebab and snake keys are equivalent; output is camel, and
// metadata keys come back camel at every depth (snake at depth >1 for API ≤1.4).
func TestCasingKeys(t *testing.T) {
	t.Parallel()
	tt := newWorld(t)
	prod := tt.product()
	for _, key := range []string{"maxMachines", "max_machines", "max-machines"} {
		r := tt.do(req{method: "POST", path: "/policies", body: doc("policies", map[string]any{"name": "p", "floating": true, key: 3},
			map[string]any{"product": link("products", prod)})})
		require.Equal(t, 201, r.status, string(r.body))
		assert.EqualValues(t, 3, r.attrs()["maxMachines"], key)
	}
	meta := map[string]any{"some_key": map[string]any{"inner_key": 1}}
	id := tt.mustCreate("/products", "products", map[string]any{"name": "m", "metadata": meta}, nil)
	r := tt.get("/products/" + id)
	assert.Equal(t, map[string]any{"someKey": map[string]any{"innerKey": float64(1)}}, r.attrs()["metadata"])
	r = tt.do(req{method: "GET", path: "/products/" + id, headers: map[string]string{"Keygen-Version": "1.4"}})
	assert.Equal(t, map[string]any{"someKey": map[string]any{"inner_key": float64(1)}}, r.attrs()["metadata"])
}

func TestCasingSnakeCamel(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"maxMachines": "max_machines", "max-machines": "max_machines", "HTTPServer": "http_server", "already_snake": "already_snake", "requireCheckIn": "require_check_in"} {
		assert.Equal(t, want, snake(in), in)
	}
	for in, want := range map[string]string{"max_machines": "maxMachines", "require_check_in": "requireCheckIn", "x": "x"} {
		assert.Equal(t, want, camel(in), in)
	}
}

// TestCasingSnakeKeysNested: keys are converted at every depth, inside arrays too, whether
// the map already had snake keys (converted in place) or not (copied).
func TestCasingSnakeKeysNested(t *testing.T) {
	t.Parallel()
	in := map[string]any{
		"meta": map[string]any{"scope": map[string]any{"fingerPrints": []any{"a", map[string]any{"innerKey": 1}}}},
		"data": []any{map[string]any{"max-machines": 2, "plain": map[string]any{"deepKey": true}}},
	}
	want := map[string]any{
		"meta": map[string]any{"scope": map[string]any{"finger_prints": []any{"a", map[string]any{"inner_key": 1}}}},
		"data": []any{map[string]any{"max_machines": 2, "plain": map[string]any{"deep_key": true}}},
	}
	assert.Equal(t, want, snakeKeys(in))
}
