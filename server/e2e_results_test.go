package server

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"portalsdb/exec"
	"portalsdb/storage"
	"portalsdb/storage/rowcodec"
)

// TestE2EAppendOnlyResults: a workflow whose output only inserts rows is
// told apart from its plan at creation, keeps its result as its output log
// (no key per row under its result prefix, every result row stored once),
// and reads as its batch query does through SELECT, AS OF ATOM, COPY TO, a
// portal it serves and a workflow reading it, before and after a restart;
// an aggregate keeps one counted key per row. DROP removes both layouts.
func TestE2EAppendOnlyResults(t *testing.T) {
	cfg := Config{Listen: "127.0.0.1:0", DataDir: t.TempDir(), Sync: true, Logger: quietLogger()}
	var srv *Server
	start := func() *pgx.Conn {
		t.Helper()
		var err error
		if srv, err = Start(cfg); err != nil {
			t.Fatal(err)
		}
		return connect(t, srv.Addr(), pgx.QueryExecModeSimpleProtocol)
	}
	stop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		srv = nil
	}
	t.Cleanup(func() {
		if srv != nil {
			stop()
		}
	})
	conn := start()
	mustExec(t, conn,
		"CREATE STREAM s (k int, v int, note text)",
		"CREATE TABLE owners (id int PRIMARY KEY, name text)",
		"INSERT INTO owners VALUES (0, 'zero'), (1, 'one')",
		"CREATE STREAM trips (zone int, ts timestamp, fare int, WATERMARK FOR ts AS ts - INTERVAL '2 seconds')",
		// Rows from before the workflows: their initial computation.
		"INSERT INTO s VALUES (1, 2, 'a'), (1, 2, 'a'), (2, 3, NULL), (3, 4, 'c')",
		"CREATE WORKFLOW evens AS SELECT k, v, note FROM s WHERE v % 2 = 0",
		"CREATE WORKFLOW evens_scaled AS SELECT k, v * 10 AS v10 FROM evens",
		"CREATE WORKFLOW per_k AS SELECT k, count(*) AS n, sum(v) AS total FROM s GROUP BY k",
		"CREATE WORKFLOW busy_k AS SELECT k FROM per_k WHERE n > 2",
		"CREATE WORKFLOW evens_per_k AS SELECT k, count(*) AS n FROM evens GROUP BY k",
		"CREATE WORKFLOW distinct_k AS SELECT DISTINCT k FROM s",
		"CREATE WORKFLOW owned AS SELECT s.k, s.v, o.name FROM s JOIN owners o ON s.k = o.id",
		`CREATE WORKFLOW fares AS SELECT zone, window_start, count(*) AS n FROM TUMBLE(trips, ts, INTERVAL '10 seconds')
			GROUP BY zone, window_start EMIT ON WINDOW CLOSE`,
		"CREATE PORTAL evens_of(p_k int) RETURNS TABLE (v int) ON evens AS SELECT v FROM evens WHERE k = p_k",
	)
	wantLayout := map[string]bool{"evens": true, "evens_scaled": true, "per_k": false, "busy_k": false, "evens_per_k": false,
		"distinct_k": true, "owned": false, "fares": true}
	for _, row := range queryStrings(t, conn, "SELECT name, append_only FROM portals_catalog.workflows ORDER BY name") {
		if want, ok := wantLayout[row[0]]; !ok || fmt.Sprint(want) != row[1] {
			t.Errorf("workflow %s: append_only = %s, want %v", row[0], row[1], want)
		}
	}

	// Each workflow with the batch query it must equal.
	batch := map[string]string{
		"evens":        "SELECT k, v, note FROM s WHERE v % 2 = 0",
		"evens_scaled": "SELECT k, v * 10 FROM s WHERE v % 2 = 0",
		"per_k":        "SELECT k, count(*), sum(v) FROM s GROUP BY k",
		"evens_per_k":  "SELECT k, count(*) FROM s WHERE v % 2 = 0 GROUP BY k",
		"distinct_k":   "SELECT DISTINCT k FROM s",
	}
	insertAtoms := func(from, to int) {
		t.Helper()
		for a := from; a < to; a++ {
			// Equal rows in one atom and across atoms: the result is a
			// multiset.
			mustExec(t, conn, fmt.Sprintf("INSERT INTO s VALUES (%d, %d, 'x'), (%d, %d, 'x'), (%d, %d, NULL)", a%3, 2*(a%4), a%3, 2*(a%4), a, 2*a+1))
		}
		mustExec(t, conn, "FLUSH")
	}
	check := func(when string) {
		t.Helper()
		for name, q := range batch {
			got, want := sortedRows(t, conn, "SELECT * FROM "+name), sortedRows(t, conn, q)
			if !slices.Equal(got, want) {
				t.Errorf("%s: %s has %d rows, its batch query %d\n got %v\nwant %v", when, name, len(got), len(want), got, want)
			}
		}
		if got, want := sortedRows(t, conn, "SELECT * FROM evens_of(2)"), sortedRows(t, conn, "SELECT v FROM s WHERE v % 2 = 0 AND k = 2"); !slices.Equal(got, want) {
			t.Errorf("%s: the portal over evens answers %v, want %v", when, got, want)
		}
		var copied strings.Builder
		if _, err := conn.PgConn().CopyTo(ctxT(t), &copied, "COPY evens TO STDOUT"); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(copied.String(), "\n"), "\n")
		slices.Sort(lines)
		if want := sortedRows(t, conn, "SELECT k::text || E'\\t' || v::text || E'\\t' || coalesce(note, E'\\\\N') FROM s WHERE v % 2 = 0"); !slices.Equal(lines, want) {
			t.Errorf("%s: COPY evens TO STDOUT gave %q, want %q", when, lines, want)
		}
		// The layouts in storage.
		for _, name := range []string{"evens", "evens_scaled", "distinct_k"} {
			rows := queryCount(t, conn, "SELECT count(*) FROM "+name)
			keys, logged := storedResult(t, srv, conn, name)
			if keys != 0 || logged != rows {
				t.Errorf("%s: append-only %s holds %d keys under its result prefix and %d rows in its log; want none and its %d rows", when, name, keys, logged, rows)
			}
		}
		// Counted: one key per distinct row (these have no duplicates).
		// busy_k has no reader, so no output log; per_k's log is on,
		// since busy_k reads it.
		for _, name := range []string{"per_k", "busy_k"} {
			rows := queryCount(t, conn, "SELECT count(*) FROM "+name)
			keys, logged := storedResult(t, srv, conn, name)
			if keys != rows || name == "busy_k" && logged != 0 {
				t.Errorf("%s: %s holds %d keys under its result prefix and %d rows in its log; want one key per row (%d)", when, name, keys, logged, rows)
			}
		}
	}

	insertAtoms(0, 6)
	asOf := queryCount(t, conn, "SELECT max(_atom) FROM s")
	insertAtoms(6, 12)
	check("before a restart")
	asOfRows := sortedRows(t, conn, fmt.Sprintf("SELECT * FROM evens AS OF ATOM %d", asOf))
	if want := sortedRows(t, conn, fmt.Sprintf("SELECT k, v, note FROM s WHERE v %% 2 = 0 AND _atom <= %d", asOf)); !slices.Equal(asOfRows, want) || len(want) == 0 {
		t.Errorf("evens AS OF ATOM %d: got %v, want %v", asOf, asOfRows, want)
	}

	stop()
	conn = start()
	mustExec(t, conn, "FLUSH")
	check("after a restart")
	insertAtoms(12, 20)
	check("after a restart and more atoms")
	if got := sortedRows(t, conn, fmt.Sprintf("SELECT * FROM evens AS OF ATOM %d", asOf)); !slices.Equal(got, asOfRows) {
		t.Errorf("evens AS OF ATOM %d after a restart: got %v, want %v", asOf, got, asOfRows)
	}

	oid := queryCount(t, conn, "SELECT oid::int8 FROM pg_class WHERE relname = 'evens'")
	mustExec(t, conn, "DROP WORKFLOW evens CASCADE")
	if keys, logged := storedEntries(t, srv, uint32(oid)); keys != 0 || logged != 0 {
		t.Errorf("after DROP: evens keeps %d result keys and %d logged rows", keys, logged)
	}
}

// sortedRows returns a query's rows as text lines, sorted: a multiset.
func sortedRows(t *testing.T, conn *pgx.Conn, q string) []string {
	t.Helper()
	var out []string
	for _, r := range queryStrings(t, conn, q) {
		out = append(out, strings.Join(r, "\t"))
	}
	slices.Sort(out)
	return out
}

func queryCount(t *testing.T, conn *pgx.Conn, q string) int64 {
	t.Helper()
	var n int64
	if err := conn.QueryRow(ctxT(t), q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// storedResult is storedEntries of the workflow with the given name.
func storedResult(t *testing.T, srv *Server, conn *pgx.Conn, name string) (keys, logged int64) {
	t.Helper()
	oid := queryCount(t, conn, "SELECT oid::int8 FROM pg_class WHERE relname = '"+name+"'")
	return storedEntries(t, srv, uint32(oid))
}

// storedEntries counts, at the newest snapshot, the keys under workflow
// oid's result prefix and the rows in its output log.
func storedEntries(t *testing.T, srv *Server, oid uint32) (keys, logged int64) {
	t.Helper()
	txn := srv.Engine().Runtime().DB().Begin()
	defer txn.Rollback()
	p := exec.ResultPrefix(uint64(oid))
	it, err := txn.NewIter(p, storage.PrefixEnd(p))
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	for ok := it.First(); ok; ok = it.Next() {
		keys++
	}
	if err := it.Error(); err != nil {
		t.Fatal(err)
	}
	log, err := txn.ScanLog(uint64(oid), 0, ^storage.Seq(0))
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	for ; log.Valid(); log.Next() {
		n, err := rowcodec.ChunkLen(log.Entry().Value)
		if err != nil {
			t.Fatal(err)
		}
		logged += int64(n)
	}
	if err := log.Error(); err != nil {
		t.Fatal(err)
	}
	return keys, logged
}
