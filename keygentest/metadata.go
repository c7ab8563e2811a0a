package keygentest

import "fmt"

// Metadata limits: the models validate metadata with JsonValidator (maximum_bytesize:
// 16.kilobytes, maximum_depth: 4, maximum_keys: 64; app/validators/json_validator.rb, e.g.
// app/models/machine_process.rb and app/models/entitlement.rb). Each failure is a
// METADATA_TOO_LONG error at /data/attributes/metadata; as they share code and pointer, the
// rendered errors are made unique and only the first one shows
// (lib/keygen/jsonapi/errors.rb, Serializer#serialize_each).
const (
	metadataMaxBytes = 16 * 1024
	metadataMaxDepth = 4
	metadataMaxKeys  = 64
)

// validateMetadata adds the first JsonValidator error of the stored metadata, if any; blank
// metadata is not checked.
func validateMetadata(v *invalid, md map[string]any) {
	if len(md) == 0 {
		return
	}
	if b, err := rubyJSON(md); err == nil && len(b) > metadataMaxBytes {
		v.attr("metadata", "TOO_LONG", fmt.Sprintf("too large (exceeded limit of %d bytes)", metadataMaxBytes))
		return
	}
	if jsonDepth(md) > metadataMaxDepth {
		v.attr("metadata", "TOO_LONG", fmt.Sprintf("too many items (exceeded limit of %d items)", metadataMaxDepth))
		return
	}
	if jsonKeys(md) > metadataMaxKeys {
		v.attr("metadata", "TOO_LONG", fmt.Sprintf("too many keys (exceeded limit of %d keys)", metadataMaxKeys))
	}
}

// jsonDepth is JsonValidator#calculate_depth: objects and arrays add a level.
func jsonDepth(x any) int {
	max := 0
	switch t := x.(type) {
	case map[string]any:
		for _, c := range t {
			if d := jsonDepth(c); d > max {
				max = d
			}
		}
	case []any:
		for _, c := range t {
			if d := jsonDepth(c); d > max {
				max = d
			}
		}
	default:
		return 0
	}
	return 1 + max
}

// jsonKeys is JsonValidator#count_keys: every key of every object, however nested.
func jsonKeys(x any) int {
	n := 0
	switch t := x.(type) {
	case map[string]any:
		n += len(t)
		for _, c := range t {
			n += jsonKeys(c)
		}
	case []any:
		for _, c := range t {
			n += jsonKeys(c)
		}
	}
	return n
}
