package keygen

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestREADMESnippets checks that every ```go block of README.md appears, line for line
// (indentation aside), in a compiled example of example_test.go, so the README cannot show
// code that does not build (STYLE.md).
func TestREADMESnippets(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	examples, err := os.ReadFile("example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	code := normalizedLines(string(examples))
	blocks := regexp.MustCompile("(?s)```go\n(.*?)```").FindAllStringSubmatch(string(readme), -1)
	if len(blocks) == 0 {
		t.Fatal("README.md has no ```go block")
	}
	for i, b := range blocks {
		snippet := normalizedLines(b[1])
		if !containsRun(code, snippet) {
			t.Errorf("README.md go block %d is not part of any example in example_test.go:\n%s", i+1, b[1])
		}
	}
}

// normalizedLines splits text into lines without surrounding spaces, dropping empty ones.
func normalizedLines(s string) []string {
	var out []string
	for l := range strings.SplitSeq(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// containsRun reports whether want appears in have as consecutive lines.
func containsRun(have, want []string) bool {
	for i := 0; i+len(want) <= len(have); i++ {
		match := true
		for j := range want {
			if have[i+j] != want[j] {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}
