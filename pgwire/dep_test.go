package pgwire

import (
	"go/build"
	"strings"
	"testing"
)

// TestImportsFlowDown checks the layering: pgwire knows sessions, not
// plans, so it imports nothing of the layers below the SQL front end.
func TestImportsFlowDown(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{"portalsdb/pgerror": true, "portalsdb/types": true, "portalsdb/sql/auth": true}
	for _, imp := range pkg.Imports {
		if strings.HasPrefix(imp, "portalsdb/") && !allowed[imp] {
			t.Errorf("pgwire imports %s", imp)
		}
	}
}
