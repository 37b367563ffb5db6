package server

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"portalsdb/sqllogictest"
)

// TestSLTSuites runs the sqllogictest suites of testdata/slt, each on a
// fresh server: the portals, streams and workflows applications written
// in SQL.
func TestSLTSuites(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "slt", "*.slt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no suites in testdata/slt")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			srv := startE2E(t)
			var out bytes.Buffer
			sum, err := sqllogictest.Run(context.Background(), sqllogictest.Config{DSN: dsnOf(srv.Addr()), Verbose: true,
				Dialect: sqllogictest.DialectRS, Engine: "portalsdb"}, []string{f}, &out)
			if err != nil {
				t.Fatal(err)
			}
			if sum.Failed > 0 || sum.Passed == 0 {
				t.Errorf("%d passed, %d failed\n%s", sum.Passed, sum.Failed, out.String())
			}
		})
	}
}
