package query

import (
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func decode(t *testing.T, q *Values) url.Values {
	t.Helper()
	v, err := url.ParseQuery(q.Encode())
	require.NoError(t, err)
	return v
}

func TestZeroValueEncodesNothing(t *testing.T) {
	var q Values
	assert.Equal(t, "", q.Encode())
	var nilQ *Values
	assert.Equal(t, "", nilQ.Encode())
}

func TestMetadataFilters(t *testing.T) {
	var q Values
	q.Map("metadata", map[string]any{
		"tier":   "gold",
		"seats":  5,
		"ratio":  1.5,
		"big":    float64(1e21),
		"small":  float32(0.25),
		"id64":   int64(9007199254740993),
		"on":     true,
		"off":    false,
		"gone":   nil,
		"empty":  "",
		"a&b=c":  "x y",
		"":       "ignored",
		"joined": time.Date(2024, 5, 1, 10, 0, 0, 0, time.FixedZone("x", 3600)),
	})
	assert.Equal(t, url.Values{
		"metadata[tier]":   {"gold"},
		"metadata[seats]":  {"5"},
		"metadata[ratio]":  {"1.5"},
		"metadata[big]":    {"1000000000000000000000"},
		"metadata[small]":  {"0.25"},
		"metadata[id64]":   {"9007199254740993"},
		"metadata[on]":     {"true"},
		"metadata[off]":    {"false"},
		"metadata[gone]":   {"null"},
		"metadata[empty]":  {""},
		"metadata[a&b=c]":  {"x y"},
		"metadata[joined]": {"2024-05-01T09:00:00Z"},
	}, decode(t, &q))
	assert.Contains(t, q.Encode(), "metadata%5Ba%26b%3Dc%5D=x+y", "keys are escaped")
}

func TestArrayParams(t *testing.T) {
	var q Values
	q.Strings("roles", []string{"admin", "user", ""})
	q.Strings("events", []string{"license.created", "machine.deleted"})
	q.Strings("none", nil)
	assert.Equal(t, url.Values{
		"roles[]":  {"admin", "user"},
		"events[]": {"license.created", "machine.deleted"},
	}, decode(t, &q))
	assert.Equal(t, "events%5B%5D=license.created&events%5B%5D=machine.deleted&roles%5B%5D=admin&roles%5B%5D=user", q.Encode(),
		"sorted keys, values in the order given")
}

func TestScalarsOmitEmptyValues(t *testing.T) {
	yes, no := true, false
	var q Values
	q.String("product", "")
	q.String("policy", "p1")
	q.Int("limit", 0)
	q.Int("page[size]", 25)
	q.Int("activations[gte]", -1)
	q.Bool("suspended", nil)
	q.Bool("expired", &yes)
	q.Bool("assigned", &no)
	q.Time("expires[before]", time.Time{})
	q.Time("expires[after]", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC))
	assert.Equal(t, url.Values{
		"policy":           {"p1"},
		"page[size]":       {"25"},
		"activations[gte]": {"-1"},
		"expired":          {"true"},
		"assigned":         {"false"},
		"expires[after]":   {"2024-01-02T03:04:05Z"},
	}, decode(t, &q))
}
