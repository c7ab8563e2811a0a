package keygen

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const modulePath = "github.com/licensekit/keygen"

// importRule is one layering rule of the repository, checked on every file it applies to.
type importRule struct {
	why string
	// applies reports whether the rule covers a file (its directory relative to the
	// repository root, "." for the root package, and whether it is a _test.go file).
	applies func(dir string, test bool) bool
	// forbidden reports whether the rule refuses an import path in such a file.
	forbidden func(path string) bool
}

var importRules = []importRule{
	{
		why: "keygentest is written from the wire reference and must not share the SDK's decoding code",
		applies: func(dir string, _ bool) bool {
			return dir == "keygentest" || strings.HasPrefix(dir, "keygentest/")
		},
		forbidden: func(path string) bool { return strings.HasPrefix(path, modulePath+"/internal/") },
	},
	{
		why: "google/jsonapi is kept behind internal/jsonapi, so it can be replaced in one place",
		applies: func(dir string, _ bool) bool {
			return dir != "internal/jsonapi"
		},
		forbidden: func(path string) bool {
			return path == "github.com/google/jsonapi" || strings.HasPrefix(path, "github.com/google/jsonapi/")
		},
	},
	{
		// The compiler refuses most such imports too (keygentest imports the SDK, so it is a
		// cycle; examples are main packages), but only after a confusing setup failure.
		why:     "the SDK must not depend on its test server or its example programs (its tests may use keygentest)",
		applies: func(dir string, test bool) bool { return dir == "." && !test },
		forbidden: func(path string) bool {
			return path == modulePath+"/keygentest" || strings.HasPrefix(path, modulePath+"/keygentest/") ||
				path == modulePath+"/examples" || strings.HasPrefix(path, modulePath+"/examples/")
		},
	},
}

// TestImportRules parses the imports of every .go file of the repository and fails, naming the
// file and the import, on any that breaks one of importRules.
func TestImportRules(t *testing.T) {
	t.Parallel()
	fset := token.NewFileSet()
	files := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			// The go tool ignores testdata and directories starting with "." or "_".
			if name := d.Name(); path != "." && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		files++
		dir := filepath.ToSlash(filepath.Dir(path))
		test := strings.HasSuffix(path, "_test.go")
		for _, imp := range f.Imports {
			ip, err := strconv.Unquote(imp.Path.Value)
			if err != nil {
				return err
			}
			for _, r := range importRules {
				if r.applies(dir, test) && r.forbidden(ip) {
					t.Errorf("%s imports %s: %s", filepath.ToSlash(path), ip, r.why)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 10 {
		t.Fatalf("only %d .go files found: is the test running from the repository root?", files)
	}
}
