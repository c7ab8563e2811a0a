package keygen

import (
	"go/doc"
	"go/parser"
	"go/token"
	"path/filepath"
	"testing"
)

// TestExamplesRun: every Example of the root package has an "// Output:" comment, so go test
// runs it and checks what it prints; one without it would only be compiled and could rot.
func TestExamplesRun(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	n := 0
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		for _, ex := range doc.Examples(f) {
			n++
			if ex.Output == "" && !ex.EmptyOutput {
				t.Errorf("%s: Example%s has no // Output: comment, so it never runs", name, ex.Name)
			}
		}
	}
	if n == 0 {
		t.Fatal("no examples found")
	}
}
