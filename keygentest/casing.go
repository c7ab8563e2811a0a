package keygentest

import (
	"strings"
	"unicode"
)

// snake converts a key to snake_case the way Keygen normalises request keys
// (app/controllers/application_controller.rb): "maxMachines", "max-machines" and "max_machines"
// all become "max_machines", and acronyms stay together ("HTTPServer" → "http_server").
func snake(s string) string {
	if isSnake(s) {
		return s // already snake_case, as most keys are: nothing would change
	}
	rs := []rune(s)
	var b strings.Builder
	for i, r := range rs {
		switch {
		case r == '-' || r == ' ':
			b.WriteByte('_')
		case unicode.IsUpper(r):
			if i > 0 {
				prev := rs[i-1]
				nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
				if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
					b.WriteByte('_')
				}
			}
			b.WriteRune(unicode.ToLower(r))
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// camel converts a snake_case key to lowerCamelCase, the casing of every output key.
func camel(s string) string {
	parts := strings.Split(s, "_")
	var b strings.Builder
	for i, p := range parts {
		if p == "" {
			continue
		}
		if i == 0 || b.Len() == 0 {
			b.WriteString(p)
			continue
		}
		rs := []rune(p)
		rs[0] = unicode.ToUpper(rs[0])
		b.WriteString(string(rs))
	}
	if b.Len() == 0 {
		return s
	}
	return b.String()
}

// snakeKeys converts every object key of a decoded JSON value to snake_case, recursively.
// It may reuse v (a freshly decoded body) rather than copy it.
func snakeKeys(v any) any {
	switch t := v.(type) {
	case map[string]any:
		if allSnake(t) {
			// No key changes: convert the values in place rather than copy the map (the
			// decoded body is ours).
			for k, x := range t {
				switch x.(type) {
				case map[string]any, []any:
					t[k] = snakeKeys(x)
				}
			}
			return t
		}
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[snake(k)] = snakeKeys(x)
		}
		return out
	case []any:
		for i, x := range t {
			t[i] = snakeKeys(x)
		}
		return t
	default:
		return v
	}
}

// isSnake reports whether snake(s) is s: only lowercase ASCII letters, digits and '_'.
func isSnake(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

func allSnake(m map[string]any) bool {
	for k := range m {
		if !isSnake(k) {
			return false
		}
	}
	return true
}

// camelKeys converts object keys to lowerCamelCase down to maxDepth levels of nesting
// (-1: all levels); deeper keys are left as stored. Metadata uses it: Keygen emits camel
// keys at every depth since 1.5, and only at the top level before
// (app/migrations/update_nested_key_casing_to_snakecase_for_metadata_migration.rb).
func camelKeys(v any, maxDepth int) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			if maxDepth != 0 {
				k = camel(k)
			}
			out[k] = camelKeys(x, maxDepth-1)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = camelKeys(x, maxDepth)
		}
		return out
	default:
		return v
	}
}
