package storage

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportsFlowDown enforces the layering: storage and its sub-packages
// import nothing of portalsdb's but themselves and the shared leaves.
func TestImportsFlowDown(t *testing.T) {
	allowed := func(path string) bool {
		return path == "portalsdb/types" || path == "portalsdb/pgerror" ||
			path == "portalsdb/storage" || strings.HasPrefix(path, "portalsdb/storage/")
	}
	checked := 0
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		checked++
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(path, "portalsdb/") && !allowed(path) {
				t.Errorf("%s imports %s: storage may only import types and pgerror", p, path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 10 {
		t.Fatalf("checked only %d files", checked)
	}
}
