package store_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportsNothingOfOurs keeps store the bottom of the graph, and free
// of drivers: every backend and every caller imports it, so it can import
// none of them, nor database/sql.
func TestImportsNothingOfOurs(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no Go files: %v", err)
	}
	fset := token.NewFileSet()
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		file, err := parser.ParseFile(fset, f, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range file.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(path, "github.com/exchangebot/exchangebot") && !strings.HasSuffix(f, "_test.go") ||
				strings.HasPrefix(path, "database/sql") || strings.Contains(path, "sqlite") || strings.Contains(path, "pgx") {
				t.Errorf("%s imports %s", f, path)
			}
		}
	}
}
