package keygentest

import (
	"strconv"
	"strings"
)

// metadataFilters collects metadata[key]=value query parameters (keys snake_cased).
func metadataFilters(q map[string][]string) map[string]string {
	out := map[string]string{}
	for k, vs := range q {
		if strings.HasPrefix(k, "metadata[") && strings.HasSuffix(k, "]") {
			out[snake(k[9:len(k)-1])] = vs[0]
		}
	}
	return out
}

// matchMetadata: every filter must match, either as the string or as the value it
// denotes ("true", "false", "null", integers, floats).
func matchMetadata(m map[string]any, filters map[string]string) bool {
	for k, want := range filters {
		got, ok := m[k]
		if !ok || !metadataEqual(got, want) {
			return false
		}
	}
	return true
}

func metadataEqual(got any, want string) bool {
	switch g := got.(type) {
	case string:
		return g == want
	case nil:
		return want == "null"
	case bool:
		return strconv.FormatBool(g) == want
	case int64:
		n, err := strconv.ParseInt(want, 10, 64)
		return err == nil && n == g
	case float64:
		f, err := strconv.ParseFloat(want, 64)
		return err == nil && f == g
	}
	return false
}

func queryBool(s string) (bool, bool) {
	switch lower(s) {
	case "true", "1", "t", "yes":
		return true, true
	case "false", "0", "f", "no":
		return false, true
	}
	return false, false
}

// metadataTerms reads metadata[…] filters as Rails parses them: metadata[key]=v is a
// string, metadata[key][sub]=v a nested hash, metadata[key][]=v an array of strings. Top
// keys are snake_cased like the scope's underscore; nested keys are kept.
func metadataTerms(q map[string][]string) map[string]any {
	out := map[string]any{}
	for k, vs := range q {
		if !strings.HasPrefix(k, "metadata[") || len(vs) == 0 {
			continue
		}
		var segs []string
		rest := k[len("metadata"):]
		for rest != "" {
			end := strings.IndexByte(rest, ']')
			if rest[0] != '[' || end < 0 {
				segs = nil
				break
			}
			segs, rest = append(segs, rest[1:end]), rest[end+1:]
		}
		if len(segs) == 0 || segs[0] == "" {
			continue
		}
		var val any = vs[0]
		if segs[len(segs)-1] == "" {
			arr := make([]any, len(vs))
			for i, v := range vs {
				arr[i] = v
			}
			val, segs = arr, segs[:len(segs)-1]
			if len(segs) == 0 {
				continue
			}
		}
		segs[0] = snake(segs[0])
		cur := out
		for i, seg := range segs {
			if i == len(segs)-1 {
				cur[seg] = val
				break
			}
			next, _ := cur[seg].(map[string]any)
			if next == nil {
				next = map[string]any{}
				cur[seg] = next
			}
			cur = next
		}
	}
	return out
}

// matchMetadataTerms is search_metadata: each term is JSONB containment of {key: value}
// as sent (strings) or, for a top-level string, of its cast value (true, false, null,
// integers, floats); nested hashes and arrays compare their string leaves as sent.
func matchMetadataTerms(m map[string]any, terms map[string]any) bool {
	for k, want := range terms {
		got, ok := m[k]
		if !ok {
			return false
		}
		if s, isStr := want.(string); isStr {
			if !metadataEqual(got, s) {
				return false
			}
			continue
		}
		if !jsonContains(got, want) {
			return false
		}
	}
	return true
}

// jsonContains is PostgreSQL's @> for the shapes a query string can produce.
func jsonContains(got, want any) bool {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return false
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok || !jsonContains(gv, wv) {
				return false
			}
		}
		return true
	case []any:
		g, ok := got.([]any)
		if !ok {
			return false
		}
		for _, wv := range w {
			found := false
			for _, gv := range g {
				if jsonContains(gv, wv) {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
		return true
	case string:
		g, ok := got.(string)
		return ok && g == w
	}
	return false
}
