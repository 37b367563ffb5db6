package incrtest

import (
	"fmt"
	"strings"
	"testing"
)

// TestOutputLogOnDemand: a workflow writes no output log while nothing
// reads it; FROM_ATOM cannot reach before the log exists; a downstream
// workflow and a SUBSCRIBE turn it on, see every change after, and a
// subscriber resumes from the log after a restart.
func TestOutputLogOnDemand(t *testing.T) {
	dir := t.TempDir()
	srv := startServer(t, dir)
	conn := connect(t, srv.Addr(), nil)
	exec(t, conn,
		"CREATE STREAM s (k int, v int)",
		"CREATE STREAM marker (n int)",
		"CREATE WORKFLOW sums AS SELECT k, sum(v) AS total FROM s GROUP BY k",
		"INSERT INTO s VALUES (1, 10), (2, 5)",
		"INSERT INTO s VALUES (1, 1)",
		"FLUSH",
	)
	oid := uint32(queryInt(t, conn, "SELECT oid FROM pg_class WHERE relname = 'sums'"))
	logAtoms := func() int64 {
		t.Helper()
		w, ok := srv.Engine().Runtime().Workflow(oid)
		if !ok {
			t.Fatal("workflow sums is not running")
		}
		n, err := w.OutputLogAtoms()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := logAtoms(); n != 0 {
		t.Fatalf("with no reader, the output log holds %d atoms", n)
	}
	_, err := Subscribe(connect(t, srv.Addr(), nil), "SUBSCRIBE sums WITH (FROM_ATOM = 1)", nil)
	if sqlState(err) != "55000" || !strings.Contains(err.Error(), "FROM_ATOM") {
		t.Fatalf("FROM_ATOM before the output log: got %v, want 55000", err)
	}
	// A workflow over sums turns its log on before reading its result.
	exec(t, conn, "CREATE WORKFLOW big AS SELECT k FROM sums WHERE total > 10",
		"INSERT INTO s VALUES (2, 20), (3, 1)", "FLUSH")
	if got, want := query(t, conn, "SELECT * FROM big"), query(t, conn, "SELECT k FROM sums WHERE total > 10"); !got.Equal(want) || len(want) != 2 {
		t.Fatalf("downstream workflow: want\n%sgot\n%s", want, got)
	}
	if n := logAtoms(); n != 1 {
		t.Fatalf("after one atom with a downstream reader, the output log holds %d atoms", n)
	}
	sub, err := Subscribe(connect(t, srv.Addr(), nil), "SUBSCRIBE sums WITH (SNAPSHOT = true, PROGRESS = true)", nil)
	if err != nil {
		t.Fatal(err)
	}
	// The marker commits after the workflow's output of (4, 4): once the
	// subscriber's progress passes it, that output was delivered.
	exec(t, conn, "INSERT INTO s VALUES (4, 4)", "FLUSH", "INSERT INTO marker VALUES (1)")
	state, progress, err := sub.Wait(testContext(t), queryInt(t, conn, "SELECT max(_atom) FROM marker"))
	if err != nil {
		t.Fatal(err)
	}
	if want := query(t, conn, "SELECT * FROM sums"); !state.Equal(want) {
		t.Fatalf("SUBSCRIBE: want\n%sgot\n%s", want, state)
	}
	sub.Close()
	// The log stays on across a restart: the subscriber resumes.
	srv.stop()
	srv = startServer(t, dir)
	conn = connect(t, srv.Addr(), nil)
	exec(t, conn, "INSERT INTO s VALUES (1, 100)", "FLUSH", "INSERT INTO marker VALUES (2)")
	sub, err = Subscribe(connect(t, srv.Addr(), nil), fmt.Sprintf("SUBSCRIBE sums WITH (FROM_ATOM = %d, PROGRESS = true)", progress+1), state)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	state, _, err = sub.Wait(testContext(t), queryInt(t, conn, "SELECT max(_atom) FROM marker"))
	if err != nil {
		t.Fatal(err)
	}
	if want := query(t, conn, "SELECT * FROM sums"); !state.Equal(want) {
		t.Fatalf("SUBSCRIBE resumed after a restart: want\n%sgot\n%s", want, state)
	}
}
