package keygentest

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestSerializeErrors: a record's errors come out as Keygen's serializer writes them
// (lib/keygen/jsonapi/errors.rb): grouped by source in the order each first failed, and a
// repeat of the same code at the same source dropped (the first detail stays).
func TestSerializeErrors(t *testing.T) {
	e := func(code, detail, ptr string) errObject {
		return errObject{Title: "Unprocessable resource", Code: code, Detail: detail, Source: pointer(ptr)}
	}
	in := []errObject{
		e("FINGERPRINT_TAKEN", "has already been taken", "/data/attributes/fingerprint"),
		e("METADATA_TOO_LONG", "too many keys (exceeded limit of 64 keys)", "/data/attributes/metadata"),
		e("FINGERPRINT_TAKEN", "has already been taken for this account", "/data/attributes/fingerprint"),
		e("FINGERPRINT_TOO_LONG", "is too long", "/data/attributes/fingerprint"),
		e("COMPONENTS_FINGERPRINT_CONFLICT", "is duplicated", "/data/relationships/components/data/1/attributes/fingerprint"),
		e("COMPONENTS_FINGERPRINT_CONFLICT", "is duplicated", "/data/relationships/components/data/0/attributes/fingerprint"),
	}
	assert.Equal(t, []errObject{in[0], in[3], in[1], in[4], in[5]}, serializeErrors(in))
	err := newInvalid("machines").attr("name", "TOO_LONG", "a").attr("name", "TOO_LONG", "b").err()
	assert.Len(t, err.(*apiError).errors, 1)
}
