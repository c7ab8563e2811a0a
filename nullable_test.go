package keygen

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// Times in request bodies are written as Keygen writes its own, whichever helper puts them.
func TestRequestTimesUseKeygenFormat(t *testing.T) {
	at := time.Date(2030, 1, 2, 4, 5, 6, 789_000_000, time.FixedZone("X", 3600))
	attrs := map[string]any{}
	Set(at).put(attrs, "a")
	putPtr(attrs, "b", &at)
	Null[time.Time]().put(attrs, "c")
	Nullable[time.Time]{}.put(attrs, "d")
	assert.Equal(t, map[string]any{"a": "2030-01-02T03:05:06.789Z", "b": "2030-01-02T03:05:06.789Z", "c": nil}, attrs)
}
