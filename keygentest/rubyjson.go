package keygentest

import (
	"bytes"
	"encoding/json"
	"strings"
)

// rubyEscapes rewrites string escapes the way Ruby's JSON parser reads them: an unknown
// escape such as \l or \x stands for the character itself ("ro\le" is "role"), while an
// unpaired UTF-16 surrogate (\ud888) is a parse error (users/create.feature, the
// "unicode injection" and "stray backslash injection" scenarios).
func rubyEscapes(raw []byte) ([]byte, bool) {
	if !bytes.Contains(raw, []byte{'\\'}) {
		return raw, true
	}
	out := make([]byte, 0, len(raw))
	inStr := false
	hex4 := func(i int) (rune, bool) {
		if i+6 > len(raw) || raw[i] != '\\' || raw[i+1] != 'u' {
			return 0, false
		}
		var r rune
		for _, h := range raw[i+2 : i+6] {
			switch {
			case h >= '0' && h <= '9':
				r = r<<4 | rune(h-'0')
			case h >= 'a' && h <= 'f':
				r = r<<4 | rune(h-'a'+10)
			case h >= 'A' && h <= 'F':
				r = r<<4 | rune(h-'A'+10)
			default:
				return 0, false
			}
		}
		return r, true
	}
	for i := 0; i < len(raw); i++ {
		b := raw[i]
		if !inStr {
			if b == '"' {
				inStr = true
			}
			out = append(out, b)
			continue
		}
		switch b {
		case '"':
			inStr = false
			out = append(out, b)
		case '\\':
			if i+1 >= len(raw) {
				return nil, false
			}
			switch n := raw[i+1]; n {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				out = append(out, b, n)
				i++
			case 'u':
				r, ok := hex4(i)
				if !ok {
					return nil, false
				}
				if r >= 0xD800 && r <= 0xDBFF {
					lo, ok := hex4(i + 6)
					if !ok || lo < 0xDC00 || lo > 0xDFFF {
						return nil, false
					}
					out = append(out, raw[i:i+12]...)
					i += 11
					continue
				}
				if r >= 0xDC00 && r <= 0xDFFF {
					return nil, false
				}
				out = append(out, raw[i:i+6]...)
				i += 5
			default:
				i++ // the backslash is dropped; the next byte is copied below
				out = append(out, raw[i])
			}
		default:
			out = append(out, b)
		}
	}
	return out, true
}

// rubyJSON encodes like Ruby's to_json: no HTML escaping of <, > and &, which Go's
// json.Marshal would add and which would change the signed bytes of a dataset.
func rubyJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// orderedJSON marshals key/value pairs as a JSON object in the given order (Ruby's
// JSON.generate keeps insertion order, and signed datasets are compared byte for byte).
type orderedJSON []kv

type kv struct {
	k string
	v any
}

func (o orderedJSON) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, p := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := rubyJSON(p.k)
		v, err := rubyJSON(p.v)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return []byte(b.String()), nil
}

// rubyClass is the downcased Ruby class name of a parsed JSON value.
func rubyClass(v any) string {
	switch v := v.(type) {
	case nil:
		return "nilclass"
	case bool:
		if v {
			return "trueclass"
		}
		return "falseclass"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "hash"
	}
	return "numeric"
}
