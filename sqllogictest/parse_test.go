package sqllogictest

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func mustParse(t *testing.T, name string) *Script {
	t.Helper()
	s, err := ParseFile(filepath.Join("testdata", "parse", name), DialectAuto)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// brief is the part of a record the table-driven checks compare.
type brief struct {
	Kind    Kind
	Line    int
	SQL     string
	Types   string
	Sort    SortMode
	Label   string
	Results []string
}

func briefOf(r Record) brief {
	return brief{Kind: r.Kind, Line: r.Line, SQL: r.SQL, Types: r.Types, Sort: r.Sort, Label: r.Label, Results: r.Results}
}

func checkBriefs(t *testing.T, recs []Record, want []brief) {
	t.Helper()
	if len(recs) != len(want) {
		for _, r := range recs {
			t.Logf("%+v", briefOf(r))
		}
		t.Fatalf("got %d records, want %d", len(recs), len(want))
	}
	for i := range want {
		if got := briefOf(recs[i]); !reflect.DeepEqual(got, want[i]) {
			t.Errorf("record %d:\n got %+v\nwant %+v", i, got, want[i])
		}
	}
}

func TestParseSQLiteFormat(t *testing.T) {
	s := mustParse(t, "sqlite_tricky.test")
	if s.Dialect != DialectSQLite {
		t.Fatalf("dialect = %v, want sqlite", s.Dialect)
	}
	checkBriefs(t, s.Records, []brief{
		{Kind: KindHashThreshold, Line: 3},
		{Kind: KindStatement, Line: 5, SQL: "CREATE TABLE t1(a INTEGER, b VARCHAR(30))"},
		{Kind: KindStatement, Line: 8, SQL: "INSERT INTO t1 VALUES(1, 'one'),\n  (2, 'two')"},
		{Kind: KindQuery, Line: 15, SQL: "SELECT a, b FROM t1", Types: "IT", Sort: RowSort, Label: "label-1",
			Results: []string{"1", "one", "2", "two"}},
		{Kind: KindQuery, Line: 23, SQL: "SELECT a FROM t1", Types: "I", Sort: ValueSort, Results: []string{"1", "2"}},
		{Kind: KindQuery, Line: 31, SQL: "SELECT 1.5", Types: "R", Sort: NoSort, Results: []string{"1.500"}},
		{Kind: KindQuery, Line: 36, SQL: "SELECT 1, 2, 3 UNION ALL SELECT 4, 5, 6", Types: "III",
			Results: []string{"6 values hashing to f3a4562cd2134c76b4ff170ce6f28fee"}},
		{Kind: KindQuery, Line: 41, SQL: "SELECT ''", Types: "T", Results: []string{"(empty)"}},
		{Kind: KindQuery, Line: 46, SQL: "SELECT 1 WHERE false", Types: "I"},
		{Kind: KindStatement, Line: 49, SQL: "SELECT * FROM nosuch"},
		{Kind: KindStatement, Line: 52, SQL: "SELECT * FROM nosuch"},
		{Kind: KindHalt, Line: 57},
		{Kind: KindHalt, Line: 59},
		{Kind: KindStatement, Line: 61, SQL: "SELECT 'after halt'"},
	})
	if got := s.Records[0].Threshold; got != 4 {
		t.Errorf("hash-threshold = %d, want 4", got)
	}
	if got, want := s.Records[3].Conditions, []Condition{{Only: false, Label: "mysql"}, {Only: true, Label: "postgresql"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("conditions = %+v, want %+v", got, want)
	}
	for _, i := range []int{9, 10} {
		e := s.Records[i].Error
		if e == nil || e.Code != "" || e.Regex != nil || e.Exact {
			t.Errorf("record %d: want an error expectation accepting any error, got %+v", i, e)
		}
	}
	if s.Records[1].Error != nil || s.Records[1].Count != -1 {
		t.Errorf("statement ok parsed as %+v", s.Records[1])
	}
	if got, want := s.Records[11].Conditions, []Condition{{Only: true, Label: "mssql"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("halt conditions = %+v, want %+v", got, want)
	}
}

func TestParseCRLF(t *testing.T) {
	s := mustParse(t, "crlf.test")
	checkBriefs(t, s.Records, []brief{
		{Kind: KindStatement, Line: 1, SQL: "CREATE TABLE t(x INTEGER)"},
		{Kind: KindQuery, Line: 4, SQL: "SELECT 1", Types: "I", Sort: NoSort, Results: []string{"1"}},
		// The line of spaces and \r is blank and ends the record; the
		// trailing space of the value is kept, only \r is stripped.
		{Kind: KindQuery, Line: 9, SQL: "SELECT  'a b '", Types: "T", Sort: NoSort, Results: []string{"a b "}},
	})
}

func TestParseRSDialect(t *testing.T) {
	s := mustParse(t, "rs_tricky.slt")
	if s.Dialect != DialectRS {
		t.Fatalf("dialect = %v, want rs", s.Dialect)
	}
	checkBriefs(t, s.Records, []brief{
		{Kind: KindStatement, Line: 3, SQL: "CREATE TABLE t (v INT, s TEXT)"},
		{Kind: KindStatement, Line: 6, SQL: "INSERT INTO t VALUES (1, 'a b'), (2, 'c')"},
		{Kind: KindQuery, Line: 9, SQL: "SELECT v, s FROM t", Types: "IT", Sort: RowSort, Results: []string{"1 a b", "2\tc"}},
		{Kind: KindStatement, Line: 15, SQL: "SELECT * FROM nosuch"},
		{Kind: KindStatement, Line: 18, SQL: "SELECT * FROM nosuch"},
		{Kind: KindQuery, Line: 21, SQL: "SELECT 1/0"},
		{Kind: KindQuery, Line: 24, SQL: "SELECT 1/0"},
		{Kind: KindStatement, Line: 33, SQL: "SELECT * FROM nosuch"},
		{Kind: KindQuery, Line: 38, SQL: "SELECT 1", Types: "I", Results: []string{"1"}},
		{Kind: KindStatement, Line: 44, SQL: "SELECT 1"},
		{Kind: KindQuery, Line: 47, SQL: "SELECT 2", Types: "I", Results: []string{"2"}},
		{Kind: KindStatement, Line: 52, SQL: "SELECT 3"},
		{Kind: KindSleep, Line: 55},
		{Kind: KindControl, Line: 57},
		{Kind: KindControl, Line: 59},
		{Kind: KindSystem, Line: 62, SQL: "echo hi", Results: []string{"hi"}},
		{Kind: KindStatement, Line: 1, SQL: "SELECT 'from a'"},
		{Kind: KindQuery, Line: 1, SQL: "SELECT 'from b'", Types: "T", Results: []string{"from b"}},
		{Kind: KindQuery, Line: 71, SQL: "SELEC 1"},
	})
	r := s.Records
	if r[1].Count != 2 {
		t.Errorf("statement count = %d, want 2", r[1].Count)
	}
	if e := r[3].Error; e == nil || e.Regex == nil || e.Regex.String() != `relation "nosuch" does not exist` || e.Code != "" {
		t.Errorf("inline regex: got %+v", e)
	}
	if e := r[4].Error; e == nil || e.Code != "42P01" || e.Regex != nil {
		t.Errorf("pgcode: got %+v", e)
	}
	if e := r[5].Error; e == nil || e.Code != "22012" || e.Regex == nil || e.Regex.String() != "division by zero" {
		t.Errorf("pgcode with regex: got %+v", e)
	}
	wantMsg := "db error: ERROR: division by zero\n\nCaused by:\n  a second paragraph after a blank line"
	if e := r[6].Error; e == nil || !e.Exact || e.Message != wantMsg {
		t.Errorf("multi-line error: got %+v, want message %q", e, wantMsg)
	}
	if e := r[7].Error; e == nil || !e.Exact || e.Message != `db error: ERROR: relation "nosuch" does not exist` {
		t.Errorf("multi-line error ended by the next record: got %+v", e)
	}
	if r[9].Connection != "other" || r[10].Connection != "" {
		t.Errorf("connection: got %q then %q, want other then default", r[9].Connection, r[10].Connection)
	}
	if want := (Retry{Attempts: 3, Backoff: 10 * time.Millisecond}); r[10].Retry != want {
		t.Errorf("query retry = %+v, want %+v", r[10].Retry, want)
	}
	if want := (Retry{Attempts: 2, Backoff: time.Second}); r[11].Retry != want {
		t.Errorf("statement retry = %+v, want %+v", r[11].Retry, want)
	}
	if r[12].Duration != 5*time.Millisecond {
		t.Errorf("sleep = %v", r[12].Duration)
	}
	if !reflect.DeepEqual(r[13].Control, []string{"sortmode", "rowsort"}) || !reflect.DeepEqual(r[14].Control, []string{"resultmode", "valuewise"}) {
		t.Errorf("controls = %v, %v", r[13].Control, r[14].Control)
	}
	if !reflect.DeepEqual(r[15].Conditions, []Condition{{Only: true, Label: "risingwave"}}) {
		t.Errorf("system conditions = %+v", r[15].Conditions)
	}
	if !strings.HasSuffix(r[16].File, filepath.Join("include", "a.slt")) || !strings.HasSuffix(r[17].File, filepath.Join("include", "b.slt")) {
		t.Errorf("included records come from %q and %q", r[16].File, r[17].File)
	}
}

func TestParseInvalidRecordsKeepTheRest(t *testing.T) {
	s := mustParse(t, "invalid.slt")
	checkBriefs(t, s.Records, []brief{
		{Kind: KindInvalid, Line: 1},
		{Kind: KindInvalid, Line: 4},
		{Kind: KindInvalid, Line: 6},
		{Kind: KindStatement, Line: 11, SQL: "SELECT 'still parsed'"},
	})
	for _, r := range s.Records[:3] {
		if r.ParseError == "" {
			t.Errorf("line %d: invalid record without an explanation", r.Line)
		}
	}
}

func TestParseIncludeLoopEnds(t *testing.T) {
	dir := t.TempDir()
	self := filepath.Join(dir, "self.slt")
	writeFile(t, self, "include self.slt\n")
	s, err := ParseFile(self, DialectAuto)
	if err != nil {
		t.Fatal(err)
	}
	last := s.Records[len(s.Records)-1]
	if last.Kind != KindInvalid || !strings.Contains(last.ParseError, "nested") {
		t.Fatalf("a self-including file should end in a nesting error, got %+v", last)
	}
}

func TestDetectDialect(t *testing.T) {
	cases := []struct {
		name, src string
		want      Dialect
	}{
		{"values per line beat the extension", "query II\nSELECT 1, 2\n----\n1\n2\n", DialectSQLite},
		{"rows per line beat the extension", "query II\nSELECT 1, 2\n----\n1 2\n", DialectRS},
		{"single column falls back to .slt", "query I\nSELECT 1\n----\n1\n", DialectRS},
		{"single column falls back to .test", "query I\nSELECT 1\n----\n1\n", DialectSQLite},
		{"statement count is rs", "statement count 1\nINSERT INTO t VALUES (1)\n", DialectRS},
		{"error regex is rs", "statement error does not exist\nSELECT * FROM x\n", DialectRS},
		{"error comment is not rs", "statement error # why\nSELECT * FROM x\n\nquery II\nSELECT 1,2\n----\n1\n2\n", DialectSQLite},
		{"hash lines do not vote", "query II\nSELECT 1, 2\n----\n2 values hashing to f3a4562cd2134c76b4ff170ce6f28fee\n", DialectSQLite},
		{"query error is rs", "query error\nSELECT 1/0\n", DialectRS},
	}
	for _, c := range cases {
		name := "x.slt"
		if c.want == DialectSQLite && strings.Contains(c.name, ".test") {
			name = "x.test"
		}
		if c.name == "hash lines do not vote" {
			name = "x.test"
		}
		if got := DetectDialect(name, splitLines(c.src)); got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}

func TestForcedDialect(t *testing.T) {
	// A comment line inside results is a value in rs and a comment in SQLite.
	src := "query T\nSELECT '#x'\n----\n#x\n"
	if r := Parse("x.slt", src, DialectRS).Records[0]; !reflect.DeepEqual(r.Results, []string{"#x"}) {
		t.Errorf("rs: results %q", r.Results)
	}
	if r := Parse("x.slt", src, DialectSQLite).Records[0]; r.Results != nil {
		t.Errorf("sqlite: results %q, want none", r.Results)
	}
}

func BenchmarkParseSQLiteLines(b *testing.B) {
	var sb strings.Builder
	for i := range 20000 {
		sb.WriteString("query II rowsort label-1\r\nSELECT a, b FROM t1 WHERE a > ")
		sb.WriteString(strings.Repeat("1", i%5+1))
		sb.WriteString("\r\n----\r\n1\r\n2\r\n3\r\n4\r\n\r\n")
	}
	src := sb.String()
	b.SetBytes(int64(len(src)))
	b.ResetTimer()
	for range b.N {
		if s := Parse("bench.test", src, DialectAuto); len(s.Records) != 20000 {
			b.Fatal(len(s.Records))
		}
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// corpusDir returns SQLite's corpus, ../shared/sqllogictest/sqlite from the
// module root, or skips the test with one line when it is absent.
func corpusDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
	corpus := filepath.Join(dir, "..", "shared", "sqllogictest", "sqlite")
	if _, err := os.Stat(corpus); err != nil {
		t.Skipf("sqllogictest corpus not found at %s; skipping corpus tests", corpus)
	}
	return corpus
}

func corpusFiles(t testing.TB) []string {
	t.Helper()
	files, err := expandFiles([]string{corpusDir(t)})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestCorpusParses parses every corpus file: each is SQLite's format, has no
// record the parser rejects, and every expected result is a hash line or a
// whole number of rows.
func TestCorpusParses(t *testing.T) {
	total := 0
	for _, f := range corpusFiles(t) {
		s, err := ParseFile(f, DialectAuto)
		if err != nil {
			t.Fatal(err)
		}
		if s.Dialect != DialectSQLite {
			t.Errorf("%s: detected %v, want sqlite", f, s.Dialect)
		}
		for _, r := range s.Records {
			total++
			switch r.Kind {
			case KindInvalid:
				t.Errorf("%s:%d: %s", f, r.Line, r.ParseError)
			case KindQuery:
				if len(r.Results) == 1 && isHashLine(r.Results[0]) {
					continue
				}
				if len(r.Types) == 0 || len(r.Results)%len(r.Types) != 0 {
					t.Errorf("%s:%d: %d values for %d columns", f, r.Line, len(r.Results), len(r.Types))
				}
			}
		}
	}
	if total == 0 {
		t.Fatal("the corpus has no records")
	}
}

func BenchmarkParseCorpus(b *testing.B) {
	files := corpusFiles(b)
	var size int64
	srcs := make([]string, len(files))
	for i, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		srcs[i] = string(data)
		size += int64(len(data))
	}
	b.SetBytes(size)
	b.ResetTimer()
	for range b.N {
		for i, src := range srcs {
			Parse(files[i], src, DialectAuto)
		}
	}
}
