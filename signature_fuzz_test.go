package keygen

import (
	"errors"
	"sort"
	"strings"
	"testing"
)

// FuzzParseSignatureHeader feeds arbitrary Keygen-Signature headers to ParseSignatureHeader.
// Nothing may panic; a failure must be a *SignatureError (so callers see ErrSignatureInvalid);
// a success must carry a signature and parse back to the same parameters when written out
// again, so two readings of one header cannot disagree.
func FuzzParseSignatureHeader(f *testing.F) {
	for _, seed := range []string{
		`keyid="4f2d6e0a-0f0b-4f7e-9d3c-6c1f4d2b8a11", algorithm="ed25519", signature="l0HhmZ6sE7j0Ejd9x8pVvbzZ5aL2S8dwSyCDs1TjWd2Ei8xWrbJeUmFm1d0xTvGqm8h6BkLFrJ9sZw6vrD6DCw==", headers="(request-target) host date digest"`,
		`algorithm="ed25519",signature="c2ln"`,
		`signature=""`,
		`signature="a", signature="b"`,
		`signature="a",`,
		`SIGNATURE="a" , Algorithm = "x"`,
		`signature=a`,
		`signature="a`,
		`=`,
		``,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, header string) {
		params, err := ParseSignatureHeader(header)
		if err != nil {
			var se *SignatureError
			if !errors.As(err, &se) || !errors.Is(err, ErrSignatureInvalid) {
				t.Fatalf("error %v (%T) is not a *SignatureError", err, err)
			}
			if params != nil {
				t.Fatalf("error with parameters %v", params)
			}
			return
		}
		if params["signature"] == "" {
			t.Fatalf("accepted %q without a signature", header)
		}
		names := make([]string, 0, len(params))
		for name := range params {
			names = append(names, name)
		}
		sort.Strings(names)
		parts := make([]string, len(names))
		for i, name := range names {
			parts[i] = name + `="` + params[name] + `"`
		}
		again, err := ParseSignatureHeader(strings.Join(parts, ", "))
		if err != nil {
			t.Fatalf("%q parsed to %v, whose rewrite does not parse: %v", header, params, err)
		}
		if len(again) != len(params) {
			t.Fatalf("%q parsed to %v, its rewrite to %v", header, params, again)
		}
		for name, v := range params {
			if again[name] != v {
				t.Fatalf("%q parsed to %v, its rewrite to %v", header, params, again)
			}
		}
	})
}
