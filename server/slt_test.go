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

// TestRunnerSuitesOnPortalsdb runs the sqllogictest runner's own suites
// (both formats, every sqllogictest-rs directive: statement and query error
// regexes, multi-line errors, statement count, include globs, sleep, retry,
// control, onlyif/skipif, connection) against portalsdb, as its tests run
// them against PostgreSQL: each passes with the same counts, and each record
// of the failing suites fails.
func TestRunnerSuitesOnPortalsdb(t *testing.T) {
	dir := filepath.Join("..", "sqllogictest", "testdata")
	for _, c := range []struct {
		file                    string
		passed, failed, skipped int
	}{
		{"sqlite_suite.test", 16, 0, 3},
		{"rs_suite.slt", 21, 0, 3},
		{"rs_retry_sleep.slt", 6, 0, 0},
		// Of its 12 records that fail on PostgreSQL, the one that calls
		// pg_terminate_backend expects an error, and gets one here: portalsdb
		// has no such function.
		{filepath.Join("failing", "sqlite_failures.test"), 6, 11, 0},
		{filepath.Join("failing", "rs_failures.slt"), 3, 9, 0},
	} {
		t.Run(c.file, func(t *testing.T) {
			srv := startE2E(t)
			var out bytes.Buffer
			sum, err := sqllogictest.Run(context.Background(), sqllogictest.Config{DSN: dsnOf(srv.Addr()), Verbose: true},
				[]string{filepath.Join(dir, c.file)}, &out)
			if err != nil {
				t.Fatal(err)
			}
			if sum.Passed != c.passed || sum.Failed != c.failed || sum.Skipped != c.skipped {
				t.Errorf("%d passed, %d failed, %d skipped; want %d, %d, %d\n%s",
					sum.Passed, sum.Failed, sum.Skipped, c.passed, c.failed, c.skipped, out.String())
			}
		})
	}
}
