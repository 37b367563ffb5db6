package incrtest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// notices collects a connection's notices.
type notices struct {
	mu   sync.Mutex
	list []*pgconn.Notice
}

func (n *notices) add(x *pgconn.Notice) {
	n.mu.Lock()
	n.list = append(n.list, x)
	n.mu.Unlock()
}

// take returns the notices since the last take.
func (n *notices) take() []*pgconn.Notice {
	n.mu.Lock()
	defer n.mu.Unlock()
	l := n.list
	n.list = nil
	return l
}

// readStopped reads a stopped workflow: it must answer want with one
// warning (SQLSTATE 55000) that names the failed atom.
func readStopped(t *testing.T, conn *pgx.Conn, ns *notices, wf string, atom int64, want Rows) {
	t.Helper()
	ns.take()
	got := query(t, conn, "SELECT * FROM "+wf)
	if !got.Equal(want) {
		t.Fatalf("stopped workflow %s: want\n%sgot\n%s", wf, want, got)
	}
	list := ns.take()
	if len(list) != 1 || list[0].Severity != "WARNING" || list[0].Code != "55000" ||
		!strings.Contains(list[0].Message, fmt.Sprintf("stopped at atom %d", atom)) || !strings.Contains(list[0].Message, "division by zero") {
		var msgs []string
		for _, n := range list {
			msgs = append(msgs, n.Severity+" "+n.Code+" "+n.Message)
		}
		t.Fatalf("reading stopped workflow %s: want one warning naming atom %d and the error, got %q", wf, atom, msgs)
	}
}

// TestWorkflowStopsOnError: a workflow that divides by a value that
// becomes 0 stops at that atom; its SUBSCRIBE ends with the error, SELECT
// warns and answers as of the atom before, and the stop survives a
// restart. RESUME retries the atom (and stops again, even after a later
// compensating row); SKIP ATOM skips it and processing continues.
func TestWorkflowStopsOnError(t *testing.T) {
	dir := t.TempDir()
	srv := startServer(t, dir)
	ns := &notices{}
	conn := connect(t, srv.Addr(), ns.add)
	exec(t, conn,
		"CREATE STREAM s (k int, v int)",
		"CREATE WORKFLOW ratio AS SELECT k, 100 / v AS r FROM s",
		"CREATE WORKFLOW ratios AS SELECT count(*) AS n, sum(r) AS total FROM ratio",
		"INSERT INTO s VALUES (1, 10), (2, 5)",
	)
	before := query(t, conn, "SELECT * FROM ratio")
	if want := (Rows{`("1", "10")`: 1, `("2", "20")`: 1}); !before.Equal(want) {
		t.Fatalf("before the failure: want\n%sgot\n%s", want, before)
	}
	beforeTotal := query(t, conn, "SELECT * FROM ratios")
	sub, err := Subscribe(connect(t, srv.Addr(), nil), "SUBSCRIBE ratio WITH (SNAPSHOT = true, PROGRESS = true)", nil)
	if err != nil {
		t.Fatal(err)
	}
	exec(t, conn, "INSERT INTO s VALUES (3, 7), (4, 0)")
	bad := queryInt(t, conn, "SELECT _atom FROM s WHERE v = 0")
	readStopped(t, conn, ns, "ratio", bad, before)
	// The downstream workflow keeps running, as of its input's last atom.
	if got := query(t, conn, "SELECT * FROM ratios"); !got.Equal(beforeTotal) {
		t.Fatalf("downstream of a stopped workflow: want\n%sgot\n%s", beforeTotal, got)
	}
	err = sub.Ended(testContext(t))
	if sqlState(err) != "55000" || !strings.Contains(err.Error(), "division by zero") || !strings.Contains(err.Error(), fmt.Sprint(bad)) {
		t.Fatalf("SUBSCRIBE of a workflow that stopped ended with %v; want 55000 naming atom %d and the error", err, bad)
	}
	state, _ := sub.State()
	if !state.Equal(before) {
		t.Fatalf("SUBSCRIBE before the failure: want\n%sgot\n%s", before, state)
	}
	sub.Close()
	// A new SUBSCRIBE of the stopped workflow ends with the error too.
	if sub, err = Subscribe(connect(t, srv.Addr(), nil), "SUBSCRIBE ratio WITH (SNAPSHOT = true, PROGRESS = true)", nil); err == nil {
		err = sub.Ended(testContext(t))
		sub.Close()
	}
	if sqlState(err) != "55000" || !strings.Contains(err.Error(), "division by zero") {
		t.Fatalf("SUBSCRIBE of a stopped workflow: got %v, want 55000 naming the error", err)
	}

	// Later atoms wait behind the failed one.
	exec(t, conn, "INSERT INTO s VALUES (5, 50)")
	readStopped(t, conn, ns, "ratio", bad, before)

	// The stop survives a restart.
	srv.stop()
	srv = startServer(t, dir)
	conn = connect(t, srv.Addr(), ns.add)
	readStopped(t, conn, ns, "ratio", bad, before)

	// RESUME retries the atom, which fails again, also once a later atom
	// compensates for it.
	exec(t, conn, "INSERT INTO s VALUES (4, 1)")
	exec(t, conn, "ALTER WORKFLOW ratio RESUME")
	readStopped(t, conn, ns, "ratio", bad, before)

	// SKIP ATOM skips it; the atoms after it are processed.
	exec(t, conn, "ALTER WORKFLOW ratio SKIP ATOM")
	got := query(t, conn, "SELECT * FROM ratio")
	want := query(t, conn, fmt.Sprintf("SELECT k, 100 / v AS r FROM s WHERE _atom <> %d", bad))
	if !got.Equal(want) || want.Len() != 4 {
		t.Fatalf("after SKIP ATOM: want the 4 rows of the other atoms\n%sgot\n%s", want, got)
	}
	if l := ns.take(); len(l) != 0 {
		t.Fatalf("reading a running workflow gave notices: %v", l[0].Message)
	}
	got = query(t, conn, "SELECT * FROM ratios")
	want = query(t, conn, fmt.Sprintf("SELECT count(*) AS n, sum(100 / v) AS total FROM s WHERE _atom <> %d", bad))
	if !got.Equal(want) {
		t.Fatalf("downstream after SKIP ATOM: want\n%sgot\n%s", want, got)
	}
	// RESUME and SKIP ATOM need a stopped workflow.
	for _, s := range []string{"ALTER WORKFLOW ratio RESUME", "ALTER WORKFLOW ratio SKIP ATOM"} {
		if _, err := conn.Exec(context.Background(), s); sqlState(err) != "55000" {
			t.Errorf("%s on a running workflow: got %v, want 55000", s, err)
		}
	}
}
