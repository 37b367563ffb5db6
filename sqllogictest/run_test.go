package sqllogictest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"portalsdb/bench"
	"regexp"
	"strings"
	"testing"
	"time"
)

// pgDSNEnv names the environment variable with the DSN of a real PostgreSQL
// for the integration tests, e.g.
// postgres://postgres@127.0.0.1:55432/postgres?sslmode=disable.
const pgDSNEnv = "PORTALSDB_TEST_PG_DSN"

// --- comparison, without a server ---

func newTestFileRun(threshold int) *fileRun {
	return &fileRun{cfg: &Config{Engine: DefaultEngine}, threshold: threshold, labels: map[string]string{}}
}

func rowsOf(oids []uint32, texts ...string) *resultSet {
	rs := &resultSet{described: true, oids: oids}
	for _, t := range texts {
		if t == "<null>" {
			rs.cells = append(rs.cells, cell{null: true})
		} else {
			rs.cells = append(rs.cells, cell{text: t})
		}
	}
	return rs
}

func TestCompareSQLite(t *testing.T) {
	two := []uint32{int4OID, textOID}
	cases := []struct {
		name       string
		rec        Record
		rows       *resultSet
		threshold  int
		wantPass   bool
		wantReason string
	}{
		{"rowsort", Record{Types: "IT", Sort: RowSort, Results: []string{"1", "a", "2", "b"}},
			rowsOf(two, "2", "b", "1", "a"), 8, true, ""},
		{"nosort keeps order", Record{Types: "IT", Sort: NoSort, Results: []string{"1", "a", "2", "b"}},
			rowsOf(two, "2", "b", "1", "a"), 8, false, "wrong result"},
		{"valuesort", Record{Types: "IT", Sort: ValueSort, Results: []string{"1", "2", "a", "b"}},
			rowsOf(two, "2", "b", "1", "a"), 8, true, ""},
		{"missing expected values", Record{Types: "I", Results: []string{"1"}},
			rowsOf([]uint32{int4OID}, "1", "2"), 8, false, "wrong result"},
		{"hash", Record{Types: "I", Sort: ValueSort, Results: []string{"6 values hashing to f3a4562cd2134c76b4ff170ce6f28fee"}},
			rowsOf([]uint32{int4OID}, "6", "5", "4", "3", "2", "1"), 3, true, ""},
		{"hash with wrong count", Record{Types: "I", Sort: ValueSort, Results: []string{"7 values hashing to f3a4562cd2134c76b4ff170ce6f28fee"}},
			rowsOf([]uint32{int4OID}, "6", "5", "4", "3", "2", "1"), 3, false, "wrong result hash"},
		{"hash line below the threshold still compares by hash", Record{Types: "I", Sort: ValueSort, Results: []string{"6 values hashing to f3a4562cd2134c76b4ff170ce6f28fee"}},
			rowsOf([]uint32{int4OID}, "6", "5", "4", "3", "2", "1"), 8, true, ""},
		// Values written out are compared value by value even above the
		// threshold (SQLite's runner would want a hash line there).
		{"values above the threshold", Record{Types: "I", Sort: ValueSort, Results: []string{"1", "2", "3", "4", "5", "6"}},
			rowsOf([]uint32{int4OID}, "6", "5", "4", "3", "2", "1"), 3, true, ""},
		{"wrong values above the threshold", Record{Types: "I", Sort: ValueSort, Results: []string{"1", "2", "3", "4", "5", "7"}},
			rowsOf([]uint32{int4OID}, "6", "5", "4", "3", "2", "1"), 3, false, "wrong result"},
		{"column count", Record{Types: "II", Results: []string{"1"}},
			rowsOf([]uint32{int4OID}, "1"), 8, false, "wrong number of result columns"},
		{"not a query", Record{Types: "I"},
			&resultSet{}, 8, false, "not a query"},
		{"empty result", Record{Types: "I"},
			rowsOf([]uint32{int4OID}), 8, true, ""},
		{"null and conversion", Record{Types: "IR", Results: []string{"NULL", "2.500"}},
			rowsOf([]uint32{numericOID, numericOID}, "<null>", "2.5"), 8, true, ""},
	}
	for _, c := range cases {
		c.rec.Kind, c.rec.Dialect = KindQuery, DialectSQLite
		o := newTestFileRun(c.threshold).checkSQLiteQuery(&c.rec, c.rows)
		if o.pass != c.wantPass || !strings.Contains(o.reason, c.wantReason) {
			t.Errorf("%s: pass=%v reason=%q, want pass=%v reason containing %q", c.name, o.pass, o.reason, c.wantPass, c.wantReason)
		}
	}
}

func TestLabelsMustAgree(t *testing.T) {
	fr := newTestFileRun(8)
	one := []uint32{int4OID}
	first := Record{Kind: KindQuery, Dialect: DialectSQLite, Types: "I", Label: "label-1", Results: []string{"1"}}
	if o := fr.checkSQLiteQuery(&first, rowsOf(one, "1")); !o.pass {
		t.Fatalf("first labeled query failed: %s", o.reason)
	}
	second := Record{Kind: KindQuery, Dialect: DialectSQLite, Types: "I", Label: "label-1", Results: []string{"2"}}
	o := fr.checkSQLiteQuery(&second, rowsOf(one, "2"))
	if o.pass || !strings.Contains(o.reason, "does not agree") {
		t.Fatalf("second labeled query with other values: pass=%v reason=%q", o.pass, o.reason)
	}
	third := Record{Kind: KindQuery, Dialect: DialectSQLite, Types: "I", Label: "label-1", Results: []string{"1"}}
	if o := fr.checkSQLiteQuery(&third, rowsOf(one, "1")); !o.pass {
		t.Fatalf("agreeing labeled query failed: %s", o.reason)
	}
}

func TestSkippedLabeledQuerySetsTheLabel(t *testing.T) {
	fr := newTestFileRun(8)
	skipped := Record{Kind: KindQuery, Dialect: DialectSQLite, Types: "I", Label: "label-9", Results: []string{"7"}}
	fr.rememberSkippedLabel(&skipped)
	// A later query with the label whose own expectation (wrongly) agrees
	// with its wrong values is still caught by the label.
	run := Record{Kind: KindQuery, Dialect: DialectSQLite, Types: "I", Label: "label-9", Results: []string{"8"}}
	o := fr.checkSQLiteQuery(&run, rowsOf([]uint32{int4OID}, "8"))
	if o.pass || !strings.Contains(o.reason, "does not agree") {
		t.Fatalf("pass=%v reason=%q, want a label disagreement", o.pass, o.reason)
	}
}

func TestCompareRS(t *testing.T) {
	two := []uint32{int4OID, textOID}
	cases := []struct {
		name      string
		rec       Record
		rows      *resultSet
		valuewise bool
		wantPass  bool
	}{
		{"rows per line", Record{Types: "IT", Results: []string{"1 a", "2 NULL"}}, rowsOf(two, "1", "a", "2", "<null>"), false, true},
		{"spaces normalized", Record{Types: "IT", Results: []string{"1\t  two  words "}}, rowsOf(two, "1", "two   words"), false, true},
		{"order matters without sort", Record{Types: "IT", Results: []string{"2 b", "1 a"}}, rowsOf(two, "1", "a", "2", "b"), false, false},
		{"rowsort sorts both sides", Record{Types: "IT", Sort: RowSort, Results: []string{"2 b", "1 a"}}, rowsOf(two, "2", "b", "1", "a"), false, true},
		{"empty string", Record{Types: "T", Results: []string{"(empty)"}}, rowsOf([]uint32{textOID}, ""), false, true},
		{"valuewise", Record{Types: "IT", Results: []string{"1", "a"}}, rowsOf(two, "1", "a"), true, true},
		{"valuesort", Record{Types: "IT", Sort: ValueSort, Results: []string{"1", "2", "a", "b"}}, rowsOf(two, "2", "b", "1", "a"), false, true},
		{"wrong value", Record{Types: "I", Results: []string{"1"}}, rowsOf([]uint32{int4OID}, "2"), false, false},
		{"bool text kept", Record{Types: "T", Results: []string{"t"}}, rowsOf([]uint32{boolOID}, "t"), false, true},
	}
	for _, c := range cases {
		c.rec.Kind, c.rec.Dialect = KindQuery, DialectRS
		fr := newTestFileRun(0)
		fr.valuewise = c.valuewise
		if o := fr.checkRSQuery(&c.rec, c.rows); o.pass != c.wantPass {
			t.Errorf("%s: pass=%v (%s), want %v", c.name, o.pass, o.reason, c.wantPass)
		}
	}
}

func TestSkipConditions(t *testing.T) {
	fr := &fileRun{cfg: &Config{Engine: "postgresql", Labels: []string{"portalsdb"}}}
	cases := []struct {
		conds []Condition
		skip  bool
	}{
		{nil, false},
		{[]Condition{{Only: false, Label: "mysql"}}, false},
		{[]Condition{{Only: false, Label: "PostgreSQL"}}, true},
		{[]Condition{{Only: true, Label: "sqlite"}}, true},
		{[]Condition{{Only: true, Label: "postgresql"}}, false},
		{[]Condition{{Only: true, Label: "portalsdb"}}, false},
		{[]Condition{{Only: false, Label: "mysql"}, {Only: false, Label: "postgresql"}}, true},
	}
	for _, c := range cases {
		if got := fr.skipped(&Record{Conditions: c.conds}); got != c.skip {
			t.Errorf("%+v: skipped=%v, want %v", c.conds, got, c.skip)
		}
	}
}

func TestRunNeedsATarget(t *testing.T) {
	if _, err := Run(context.Background(), Config{}, []string{"x.test"}, &bytes.Buffer{}); err == nil {
		t.Fatal("Run without DSN or Prepare should fail")
	}
	if _, err := Run(context.Background(), Config{DSN: "postgres://localhost/x", Jobs: 2}, []string{"x.test"}, &bytes.Buffer{}); err == nil {
		t.Fatal("Run with Jobs > 1 on one shared database should fail")
	}
}

// --- against a real PostgreSQL ---

func postgresDSN(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv(pgDSNEnv)
	if dsn == "" {
		t.Skipf("%s is not set: no PostgreSQL to run against", pgDSNEnv)
	}
	return dsn
}

// runOnPostgres runs files against PostgreSQL, a fresh database per file.
func runOnPostgres(t *testing.T, cfg Config, files ...string) (Summary, string) {
	t.Helper()
	fresh, err := NewFreshDatabases(postgresDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	cfg.Prepare = fresh.Prepare
	var out bytes.Buffer
	sum, err := Run(context.Background(), cfg, files, &out)
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, out.String())
	}
	return sum, out.String()
}

func TestOwnSuitesPassOnPostgres(t *testing.T) {
	cases := []struct {
		file                         string
		dialect                      Dialect
		passed, skipped, divergences int
	}{
		{"testdata/sqlite_suite.test", DialectSQLite, 16, 3, 0},
		{"testdata/rs_suite.slt", DialectRS, 21, 3, 0},
		{"testdata/rs_retry_sleep.slt", DialectRS, 6, 0, 0},
	}
	for _, c := range cases {
		sum, out := runOnPostgres(t, Config{Verbose: true}, c.file)
		f := sum.Files[0]
		if f.Dialect != c.dialect || sum.Failed != 0 || sum.Passed != c.passed || sum.Skipped != c.skipped || sum.Divergences != c.divergences {
			t.Errorf("%s: dialect %v, %d passed, %d failed, %d skipped, %d divergences; want %v, %d passed, 0 failed, %d skipped\n%s",
				c.file, f.Dialect, sum.Passed, sum.Failed, sum.Skipped, sum.Divergences, c.dialect, c.passed, c.skipped, out)
		}
		wantTail := fmt.Sprintf("%d passed, 0 failed, %d skipped\n0 divergences (listed)\n", c.passed, c.skipped)
		if !strings.HasSuffix(out, wantTail) {
			t.Errorf("%s: output should end with %q, got:\n%s", c.file, wantTail, out)
		}
	}
}

// expectedFailures reads the "# fails: <text>" annotations of a file: the
// line of the record each one precedes, and the text its reason must hold.
func expectedFailures(t *testing.T, file string) map[int]string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := map[int]string{}
	pending := ""
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "# fails: "):
			pending = strings.TrimPrefix(line, "# fails: ")
		case line == "" || strings.HasPrefix(line, "#"):
		case pending != "":
			want[n] = pending
			pending = ""
		}
	}
	return want
}

func TestFailuresAreCaughtOnPostgres(t *testing.T) {
	for _, file := range []string{"testdata/failing/sqlite_failures.test", "testdata/failing/rs_failures.slt"} {
		want := expectedFailures(t, file)
		sum, out := runOnPostgres(t, Config{Verbose: true, RecordTimeout: time.Second}, file)
		got := map[int]string{}
		for _, f := range sum.Failures {
			got[f.Line] = f.Reason
		}
		for line, text := range want {
			reason, failed := got[line]
			if !failed {
				t.Errorf("%s:%d should fail with %q but passed", file, line, text)
			} else if !strings.Contains(reason, text) {
				t.Errorf("%s:%d failed with %q, want a reason containing %q", file, line, reason, text)
			}
		}
		for line, reason := range got {
			if _, ok := want[line]; !ok {
				t.Errorf("%s:%d failed unexpectedly: %s", file, line, reason)
			}
		}
		if sum.Failed != len(want) {
			t.Errorf("%s: %d failed, want %d", file, sum.Failed, len(want))
		}
		if !strings.Contains(out, "FAIL "+file+":") {
			t.Errorf("-v output lacks FAIL lines:\n%s", out)
		}
		// -v shows each failing record's SQL, expected and actual output.
		if file == "testdata/failing/rs_failures.slt" {
			want := "wrong result\n    sql:\n        SELECT 1, 2\n    expected:\n        1 3\n    actual:\n        1 2\n"
			if !strings.Contains(out, want) {
				t.Errorf("-v output lacks the report %q", want)
			}
		}
		if t.Failed() {
			t.Logf("output:\n%s", out)
		}
	}
}

func TestDivergencesCountApartOnPostgres(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "corpus", "div.test")
	writeFile(t, file, `statement ok
CREATE TABLE t(x INTEGER)

query I nosort
SELECT 1
----
2

query I nosort
SELECT 1
----
1

query I nosort
SELECT 3
----
4
`)
	// Line 4 fails and is listed, line 9 passes but is listed, line 14
	// fails unlisted, line 20 names no record.
	list, err := ParseDivergences(strings.NewReader(`# == kind ==
corpus/div.test:4  fails as PostgreSQL does
corpus/div.test:9  listed by mistake
corpus/div.test:20  stale
other/file.test:1  another file
`))
	if err != nil {
		t.Fatal(err)
	}
	sum, out := runOnPostgres(t, Config{Divergences: list, CheckDivergences: true}, file)
	if sum.Passed != 1 || sum.Failed != 1 || sum.Divergences != 2 {
		t.Errorf("%d passed, %d failed, %d divergences; want 1, 1, 2\n%s", sum.Passed, sum.Failed, sum.Divergences, out)
	}
	if len(sum.ListedPassing) != 1 || sum.ListedPassing[0].Line != 9 {
		t.Errorf("listed entries that pass: %+v, want line 9", sum.ListedPassing)
	}
	if len(sum.ListedStale) != 1 || sum.ListedStale[0].Line != 20 {
		t.Errorf("stale entries: %+v, want line 20", sum.ListedStale)
	}
	if sum.OK(true) {
		t.Error("a run with a failure and a passing listed entry is not OK")
	}
	if !strings.HasSuffix(out, "1 passed, 1 failed, 0 skipped\n2 divergences (listed)\n") {
		t.Errorf("summary lines:\n%s", out)
	}
}

func TestFailFastStopsOnPostgres(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.test")
	b := filepath.Join(dir, "b.test")
	writeFile(t, a, "statement ok\nSELECT * FROM nosuch\n\nstatement ok\nSELECT 1\n")
	writeFile(t, b, "statement ok\nSELECT 1\n")
	sum, out := runOnPostgres(t, Config{FailFast: true}, a, b)
	if !sum.Stopped || sum.Failed != 1 || sum.Passed != 0 || len(sum.Files) != 1 {
		t.Errorf("fail-fast: stopped=%v %d failed %d passed over %d files\n%s", sum.Stopped, sum.Failed, sum.Passed, len(sum.Files), out)
	}
}

// TestCorpusOnPostgres runs SQLite's corpus against real PostgreSQL with
// the shipped divergence list: nothing may fail, every listed record must
// still fail, and the list must be complete. With -short only evidence/
// runs.
func TestCorpusOnPostgres(t *testing.T) {
	files := corpusFiles(t)
	dsn := postgresDSN(t)
	if testing.Short() {
		var evidence []string
		for _, f := range files {
			if strings.Contains(filepath.ToSlash(f), "/evidence/") {
				evidence = append(evidence, f)
			}
		}
		files = evidence
	}
	list, err := BuiltinDivergences()
	if err != nil {
		t.Fatal(err)
	}
	// A schema per file: the corpus uses unqualified names only, and
	// CREATE DATABASE would cost PostgreSQL more than the files themselves.
	fresh, err := NewFreshSchemas(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	var out bytes.Buffer
	sum, err := Run(context.Background(), Config{
		Prepare: fresh.Prepare, Jobs: 2, Divergences: list, CheckDivergences: true, Verbose: true,
	}, files, &out)
	if err != nil {
		t.Fatal(err)
	}
	if !sum.OK(true) {
		t.Errorf("%d failed, %d listed entries pass, %d stale\n%s", sum.Failed, len(sum.ListedPassing), len(sum.ListedStale), out.String())
	}
	wantDiv := list.Len()
	if testing.Short() {
		wantDiv = 0
		for _, e := range list.Entries() {
			if strings.HasPrefix(e.Path, "evidence/") {
				wantDiv++
			}
		}
	}
	if sum.Divergences != wantDiv {
		t.Errorf("%d divergences counted, want %d", sum.Divergences, wantDiv)
	}
	t.Logf("%d records in %v: %d passed, %d skipped, %d divergences", sum.Records(), sum.Elapsed, sum.Passed, sum.Skipped, sum.Divergences)
}

// TestProgressLines: a long run reports files done and records per second
// while it goes.
func TestProgressLines(t *testing.T) {
	file := filepath.Join(t.TempDir(), "slow.slt")
	writeFile(t, file, "statement ok\nSELECT 1\n\nsleep 300ms\n\nstatement ok\nSELECT 2\n")
	var progress bench.LockedBuffer
	sum, out := runOnPostgres(t, Config{Progress: &progress, ProgressInterval: 20 * time.Millisecond}, file)
	if sum.Failed != 0 || sum.Passed != 2 {
		t.Fatalf("%d passed, %d failed\n%s", sum.Passed, sum.Failed, out)
	}
	line := regexp.MustCompile(`(?m)^slt: 0/1 files, [12] records, [0-9]+ records/s$`)
	if !line.MatchString(progress.String()) {
		t.Errorf("no progress line during the sleep:\n%s", progress.String())
	}
}
