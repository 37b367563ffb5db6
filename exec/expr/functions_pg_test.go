package expr_test

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"portalsdb/server"
)

// The differential suite: testdata/functions.sql lists expressions (and a
// few whole queries), one per line; testdata/functions.pg holds what
// PostgreSQL 15 printed for each. TestFunctionsRecorded checks portalsdb
// against the recording, TestFunctionsAgainstPostgres against a live
// PostgreSQL, and -record rewrites the recording from that PostgreSQL.
//
// A line of functions.sql is one of:
//
//	# comment
//	SET, CREATE, INSERT, DROP ...  run on both servers, output ignored
//	SELECT/WITH/VALUES a whole query
//	anything else      an expression, run as SELECT <expr>
//
// Results are compared as the text the server sends: rows joined by
// newlines, columns by '|', NULL as "NULL". An error compares by SQLSTATE.

var record = flag.Bool("record", false, "rewrite testdata/functions.pg from the PostgreSQL in PORTALSDB_TEST_PG_DSN")

const (
	functionsFile = "testdata/functions.sql"
	recordedFile  = "testdata/functions.pg"
)

type case_ struct {
	line int
	sql  string
	stmt bool // a SET: run, not compared
}

func readCases(t *testing.T) []case_ {
	t.Helper()
	f, err := os.Open(functionsFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []case_
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		upper := strings.ToUpper(line)
		c := case_{line: n, sql: line}
		switch {
		case strings.HasPrefix(upper, "SET "), strings.HasPrefix(upper, "CREATE "),
			strings.HasPrefix(upper, "INSERT "), strings.HasPrefix(upper, "DROP "):
			c.stmt = true
		case strings.HasPrefix(upper, "SELECT ") || strings.HasPrefix(upper, "WITH ") || strings.HasPrefix(upper, "VALUES "):
		default:
			c.sql = "SELECT " + line
		}
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// result renders what one query returned: its rows, or its SQLSTATE.
func result(ctx context.Context, conn *pgconn.PgConn, sql string) string {
	res := conn.ExecParams(ctx, sql, nil, nil, nil, nil).Read()
	if res.Err != nil {
		var pe *pgconn.PgError
		if errors.As(res.Err, &pe) {
			return "ERROR " + pe.Code
		}
		return "ERROR " + res.Err.Error()
	}
	var rows []string
	for _, r := range res.Rows {
		cols := make([]string, len(r))
		for i, v := range r {
			if v == nil {
				cols[i] = "NULL"
			} else {
				cols[i] = string(v)
			}
		}
		rows = append(rows, strings.Join(cols, "|"))
	}
	return strings.Join(rows, "\n")
}

func connect(t *testing.T, dsn string) *pgconn.PgConn {
	t.Helper()
	conn, err := pgconn.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatalf("connect %s: %v", dsn, err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func startPortalsdb(t *testing.T) *pgconn.PgConn {
	t.Helper()
	srv, err := server.Start(server.Config{Listen: "127.0.0.1:0", DataDir: t.TempDir(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Shutdown(context.Background()) })
	return connect(t, "postgres://postgres@"+srv.Addr()+"/postgres?sslmode=disable")
}

// runAll runs the cases on conn, returning each compared case's result.
func runAll(t *testing.T, conn *pgconn.PgConn, cases []case_) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	for _, c := range cases {
		if c.stmt {
			if err := conn.Exec(ctx, c.sql).Close(); err != nil {
				t.Fatalf("line %d: %s: %v", c.line, c.sql, err)
			}
			continue
		}
		out = append(out, result(ctx, conn, c.sql))
	}
	return out
}

func compared(cases []case_) []case_ {
	var out []case_
	for _, c := range cases {
		if !c.stmt {
			out = append(out, c)
		}
	}
	return out
}

// readRecorded parses functions.pg: for each case, the query on one line
// and its quoted result on the next.
func readRecorded(t *testing.T) map[string]string {
	t.Helper()
	data, err := os.ReadFile(recordedFile)
	if err != nil {
		t.Fatalf("%v (record it with -record and PORTALSDB_TEST_PG_DSN)", err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	out := map[string]string{}
	for i := 0; i+1 < len(lines); i += 2 {
		v, err := strconv.Unquote(strings.TrimPrefix(lines[i+1], "=> "))
		if err != nil {
			t.Fatalf("%s:%d: %v", recordedFile, i+2, err)
		}
		out[lines[i]] = v
	}
	return out
}

func writeRecorded(t *testing.T, cases []case_, results []string) {
	t.Helper()
	var b strings.Builder
	for i, c := range cases {
		fmt.Fprintf(&b, "%s\n=> %s\n", c.sql, strconv.Quote(results[i]))
	}
	if err := os.WriteFile(filepath.Clean(recordedFile), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestFunctionsRecorded runs every case on portalsdb and compares with what
// PostgreSQL printed when the suite was recorded.
func TestFunctionsRecorded(t *testing.T) {
	cases := readCases(t)
	rec := readRecorded(t)
	got := runAll(t, startPortalsdb(t), cases)
	fails := 0
	for i, c := range compared(cases) {
		want, ok := rec[c.sql]
		if !ok {
			t.Errorf("%s:%d: %s: not recorded (run with -record)", functionsFile, c.line, c.sql)
			continue
		}
		if got[i] != want {
			fails++
			t.Errorf("%s:%d: %s\n got: %q\nwant: %q", functionsFile, c.line, c.sql, got[i], want)
		}
	}
	if fails > 0 {
		t.Logf("%d of %d cases differ from PostgreSQL", fails, len(compared(cases)))
	}
}

// TestFunctionsAgainstPostgres runs every case on portalsdb and on a live
// PostgreSQL and requires the same text and the same SQLSTATEs. With
// -record it rewrites the recording instead.
func TestFunctionsAgainstPostgres(t *testing.T) {
	dsn := os.Getenv("PORTALSDB_TEST_PG_DSN")
	if dsn == "" {
		t.Skip("PORTALSDB_TEST_PG_DSN is not set: no PostgreSQL to compare with")
	}
	cases := readCases(t)
	want := runAll(t, connect(t, dsn), cases)
	if *record {
		writeRecorded(t, compared(cases), want)
		return
	}
	got := runAll(t, startPortalsdb(t), cases)
	for i, c := range compared(cases) {
		if got[i] != want[i] {
			t.Errorf("%s:%d: %s\n portalsdb: %q\npostgresql: %q", functionsFile, c.line, c.sql, got[i], want[i])
		}
	}
}
