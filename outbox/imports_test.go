package outbox

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportsNoSurfaceOrDriver keeps the engine a core package: it knows
// the store's interface and nothing of Slack, HTTP, SQL or the surfaces.
func TestImportsNoSurfaceOrDriver(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no Go files: %v", err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range file.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			ours, _ := strings.CutPrefix(path, "github.com/exchangebot/exchangebot/")
			if strings.Contains(path, "slack") || path == "net/http" || strings.HasPrefix(path, "database/sql") ||
				ours != path && ours != "store" {
				t.Errorf("%s imports %s", f, path)
			}
		}
	}
}
