package keygen

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// parsePackage parses the package's non-test files with their comments.
func parsePackage(t *testing.T) map[string]*ast.File {
	t.Helper()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	files := map[string]*ast.File{}
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		files[name] = f
	}
	if len(files) == 0 {
		t.Fatal("no source files found")
	}
	return files
}

// receiverName is the type name of a method's receiver, "" for a function.
func receiverName(d *ast.FuncDecl) string {
	if d.Recv == nil {
		return ""
	}
	typ := d.Recv.List[0].Type
	if s, ok := typ.(*ast.StarExpr); ok {
		typ = s.X
	}
	switch x := typ.(type) {
	case *ast.Ident:
		return x.Name
	case *ast.IndexExpr:
		return x.X.(*ast.Ident).Name
	}
	return ""
}

// TestExportedIdentifiersHaveDocs checks that every exported type, function, method,
// constant and variable has a doc comment (a constant in a documented group counts).
func TestExportedIdentifiersHaveDocs(t *testing.T) {
	t.Parallel()
	for name, f := range parsePackage(t) {
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				recv := receiverName(d)
				if !d.Name.IsExported() || (recv != "" && !ast.IsExported(recv)) {
					continue
				}
				if d.Doc == nil {
					t.Errorf("%s: %s.%s has no doc comment", name, recv, d.Name.Name)
				}
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					switch s := spec.(type) {
					case *ast.TypeSpec:
						if s.Name.IsExported() && d.Doc == nil && s.Doc == nil {
							t.Errorf("%s: type %s has no doc comment", name, s.Name.Name)
						}
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if n.IsExported() && d.Doc == nil && s.Doc == nil && s.Comment == nil {
								t.Errorf("%s: %s has no doc comment", name, n.Name)
							}
						}
					}
				}
			}
		}
	}
}

// TestServiceMethodsNameTheirOperation checks that every exported method of a service names
// the HTTP operation it calls, as go-github does.
func TestServiceMethodsNameTheirOperation(t *testing.T) {
	t.Parallel()
	op := regexp.MustCompile(`\b(GET|POST|PUT|PATCH|DELETE)\s+/v1/accounts/\{account\}/`)
	n := 0
	for name, f := range parsePackage(t) {
		for _, decl := range f.Decls {
			d, ok := decl.(*ast.FuncDecl)
			if !ok || !d.Name.IsExported() || !strings.HasSuffix(receiverName(d), "Service") {
				continue
			}
			n++
			if d.Doc == nil || !op.MatchString(d.Doc.Text()) {
				t.Errorf("%s: %s.%s: the doc comment does not name its HTTP operation (METHOD /v1/accounts/{account}/…)", name, receiverName(d), d.Name.Name)
			}
		}
	}
	if n < len(keygenOperations) {
		t.Errorf("found %d service methods, fewer than the %d operations of the table", n, len(keygenOperations))
	}
}
