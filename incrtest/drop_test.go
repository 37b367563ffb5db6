package incrtest

import (
	"context"
	"testing"
)

// TestDropDependencies: DROP refuses to drop what workflows read (2BP01),
// CASCADE drops the dependents, a restart does not bring them back, and a
// workflow created again under a dropped one's name starts afresh.
func TestDropDependencies(t *testing.T) {
	dir := t.TempDir()
	srv := startServer(t, dir)
	conn := connect(t, srv.Addr(), nil)
	exec(t, conn,
		"CREATE STREAM s (k int, v int)",
		"CREATE TABLE t (k int PRIMARY KEY, name text)",
		"CREATE WORKFLOW base AS SELECT k, sum(v) AS total FROM s GROUP BY k",
		"CREATE WORKFLOW upper AS SELECT count(*) AS n FROM base",
		"CREATE WORKFLOW named AS SELECT t.name, base.total FROM base JOIN t ON base.k = t.k",
		"CREATE WORKFLOW on_table AS SELECT name FROM t WHERE k > 0",
		"INSERT INTO s VALUES (1, 10), (2, 20)",
		"INSERT INTO t VALUES (1, 'one'), (2, 'two')",
	)
	refused := []string{
		"DROP WORKFLOW base",
		"DROP STREAM s",
		"DROP TABLE t",
		"DROP WORKFLOW base RESTRICT",
	}
	for _, s := range refused {
		if _, err := conn.Exec(context.Background(), s); sqlState(err) != "2BP01" {
			t.Errorf("%s while workflows read it: got %v, want 2BP01", s, err)
		}
	}
	if got := queryInt(t, conn, "SELECT n FROM upper"); got != 2 {
		t.Fatalf("after refused drops: upper = %d, want 2", got)
	}
	// DROP TABLE ... CASCADE drops the workflows that read the table.
	exec(t, conn, "DROP TABLE t CASCADE")
	for _, gone := range []string{"t", "named", "on_table"} {
		if _, err := conn.Exec(context.Background(), "SELECT * FROM "+gone); sqlState(err) != "42P01" {
			t.Errorf("after DROP TABLE t CASCADE, SELECT * FROM %s: %v, want 42P01", gone, err)
		}
	}
	// DROP WORKFLOW ... CASCADE drops the workflows on it.
	exec(t, conn, "DROP WORKFLOW base CASCADE")
	for _, gone := range []string{"base", "upper"} {
		if _, err := conn.Exec(context.Background(), "SELECT * FROM "+gone); sqlState(err) != "42P01" {
			t.Errorf("after DROP WORKFLOW base CASCADE, SELECT * FROM %s: %v, want 42P01", gone, err)
		}
	}
	exec(t, conn, "INSERT INTO s VALUES (3, 30)")
	srv.stop()
	srv = startServer(t, dir)
	conn = connect(t, srv.Addr(), nil)
	for _, gone := range []string{"t", "named", "on_table", "base", "upper"} {
		if _, err := conn.Exec(context.Background(), "SELECT * FROM "+gone); sqlState(err) != "42P01" {
			t.Errorf("after a restart, dropped %s: %v, want 42P01", gone, err)
		}
	}
	// The same name again: a new workflow over the stream's whole log, with
	// none of the old one's state.
	exec(t, conn, "CREATE WORKFLOW base AS SELECT k, sum(v) AS total FROM s GROUP BY k", "INSERT INTO s VALUES (1, 1)")
	got := query(t, conn, "SELECT * FROM base")
	want := query(t, conn, "SELECT k, sum(v) AS total FROM s GROUP BY k")
	if !got.Equal(want) || want.Len() != 3 {
		t.Fatalf("workflow created again: want\n%sgot\n%s", want, got)
	}
	// With nothing reading it, the stream can go.
	exec(t, conn, "DROP WORKFLOW base", "DROP STREAM s")
}
