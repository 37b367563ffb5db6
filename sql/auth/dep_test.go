package auth

import (
	"go/build"
	"strings"
	"testing"
)

// TestImportsOnlyStdlibAndPgerror keeps this package a leaf: the SQL layer
// and pgwire both use it, so it may depend on neither.
func TestImportsOnlyStdlibAndPgerror(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range pkg.Imports {
		first := strings.Split(imp, "/")[0]
		switch {
		case imp == "portalsdb/pgerror":
		case first == "portalsdb" || strings.Contains(first, "."):
			t.Errorf("sql/auth imports %s; it may import only the standard library and pgerror", imp)
		}
	}
}
