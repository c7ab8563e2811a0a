package keygentest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every document the test suite makes the server render is also encoded by encoding/json and
// compared byte for byte (marshalDoc panics on a difference, which fails the request's test).
func init() { verifyEncoding = true }

func TestMarshalDocMatchesEncodingJSON(t *testing.T) {
	name := "n"
	for _, v := range []any{
		nil, "plain", "quote\" back\\slash <tag> & amp", "tab\tnew\nline\x01", "é ünïcode", "\u2028\u2029", string([]byte{0xff, 'a'}),
		true, 0, -42, int64(1) << 60, 1.5, 1e21, 1e-7, float64(3),
		&name, (*string)(nil),
		map[string]any{"b": 1, "a": []any{"x", 2.5, nil, map[string]any{"z": true}}, "c": []string{"p", "q"}},
		map[string]any{}, map[string]any(nil), []any{}, []string(nil),
		time.Date(2024, 5, 1, 10, 0, 0, 123000000, time.UTC),
		&resource{ID: "1", Type: "licenses", Attributes: map[string]any{"key": "K"}},
		&resource{ID: "1", Type: "licenses", Attributes: nil, Relationships: map[string]any{"policy": map[string]any{"data": nil}}, Links: map[string]any{"self": "/x"}, Meta: map[string]any{"n": 1}},
		document{Data: nil},
		document{Data: []*resource{{ID: "a", Type: "t"}}, Links: map[string]any{"next": nil}, Meta: map[string]any{"ts": "x"}, Included: []*resource{{ID: "b", Type: "u"}}},
		document{Data: []*resource{}, Links: nil, Meta: map[string]any{}},
		orderedJSON{{"z", 1}, {"a", "b"}},
		json.RawMessage(`{"raw":true}`),
	} {
		want, err := json.Marshal(v)
		require.NoError(t, err)
		got, err := appendJSON(nil, v)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got), "%#v", v)
	}
}

// A relationship value encodes exactly as the nested maps it replaced.
func TestRelationshipEncodesAsItsMap(t *testing.T) {
	id := "8c1f"
	for _, c := range []struct {
		rel  *relationship
		want map[string]any
	}{
		{toOne("/r", "policies", &id), map[string]any{"links": map[string]any{"related": "/r"}, "data": map[string]any{"type": "policies", "id": id}}},
		{toOne("/r", "users", nil), map[string]any{"links": map[string]any{"related": "/r"}, "data": nil}},
		{toMany("/m", nil), map[string]any{"links": map[string]any{"related": "/m"}}},
		{toMany("/m", map[string]any{"count": 2, "cores": 0}), map[string]any{"links": map[string]any{"related": "/m"}, "meta": map[string]any{"count": 2, "cores": 0}}},
		{&relationship{related: nil, toOne: true, typ: "products"}, map[string]any{"links": map[string]any{"related": nil}, "data": nil}},
		{toOne(`/a"<b>`, "t", &id), map[string]any{"links": map[string]any{"related": `/a"<b>`}, "data": map[string]any{"type": "t", "id": id}}},
	} {
		want, err := json.Marshal(c.want)
		require.NoError(t, err)
		got, err := json.Marshal(c.rel)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got))
		got, err = appendJSON(nil, c.rel)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got))
	}
}

// A remembered key order is used only for the key set it was made from: a signature
// collision (forced here by planting a wrong order) falls back to sorting.
func TestAppendJSONKeyOrders(t *testing.T) {
	m := map[string]any{"order-test-b": 2, "order-test-a": 1, "order-test-c": []any{map[string]any{"order-test-y": 1, "order-test-x": 2}}}
	want, err := json.Marshal(m)
	require.NoError(t, err)
	for range 3 { // the first encoding remembers, the next ones use the order
		got, err := appendJSON([]byte("prefix"), m)
		require.NoError(t, err)
		assert.Equal(t, "prefix"+string(want), string(got))
	}
	v, ok := keyOrders.Load(keySignature(m))
	require.True(t, ok, "the order was remembered")
	assert.Equal(t, []string{"order-test-a", "order-test-b", "order-test-c"}, v.([]string))

	other := map[string]any{"collide-b": 1, "collide-a": true, "collide-z": nil}
	keyOrders.Store(keySignature(other), []string{"collide-a", "collide-b", "collide-c"})
	want, err = json.Marshal(other)
	require.NoError(t, err)
	got, err := appendJSON([]byte("["), other)
	require.NoError(t, err)
	assert.Equal(t, "["+string(want), string(got))
}
