package keygen

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licensekit/keygen/internal/jsonapi"
)

// Times in request bodies are written as Keygen writes its own, and the three states of a
// Nullable reach the wire as value, null and nothing, through google/jsonapi's tags.
func TestRequestTimesUseKeygenFormat(t *testing.T) {
	t.Parallel()
	at := time.Date(2030, 1, 2, 4, 5, 6, 789_000_000, time.FixedZone("X", 3600))
	attrs, err := jsonapi.Attributes(&struct {
		A Nullable[time.Time] `jsonapi:"attr,a,omitempty"`
		C Nullable[time.Time] `jsonapi:"attr,c,omitempty"`
		D Nullable[time.Time] `jsonapi:"attr,d,omitempty"`
		E Nullable[string]    `jsonapi:"attr,e,omitempty"`
	}{A: Set(at), C: Null[time.Time](), E: Set("a&b")})
	require.NoError(t, err)
	b, err := marshalJSON(attrs)
	require.NoError(t, err)
	assert.JSONEq(t, `{"a":"2030-01-02T03:05:06.789Z","c":null,"e":"a&b"}`, string(b))
	assert.Contains(t, string(b), `"a&b"`, "no HTML escaping")
	assert.Equal(t, "2030-01-02T03:05:06.789Z", wireValue(at))

}
