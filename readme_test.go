package keygen

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestREADMESnippets checks that every ```go block of README.md appears, line for line, in an
// Example of some example_test.go or example_*_test.go, which the compiler then checks.
func TestREADMESnippets(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	var examples strings.Builder
	for _, pattern := range []string{"example_test.go", "example_*_test.go", "*/example_test.go"} {
		files, _ := filepath.Glob(pattern)
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			examples.WriteString(normalize(string(b)))
		}
	}
	blocks := regexp.MustCompile("(?s)```go\n(.*?)```").FindAllStringSubmatch(string(readme), -1)
	if len(blocks) == 0 {
		t.Fatal("README.md has no go snippets")
	}
	for _, b := range blocks {
		if !strings.Contains(examples.String(), normalize(b[1])) {
			t.Errorf("README snippet is not in any example_test.go:\n%s", b[1])
		}
	}
}

// normalize drops indentation and blank lines so a snippet matches its indented copy.
func normalize(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n") + "\n"
}
