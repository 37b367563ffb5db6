package sql_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// TestSubscribeCursor polls a workflow's changes with FETCH from a cursor
// over SUBSCRIBE: the snapshot first, then each change once, in order; a
// FETCH with nothing new waits for it, and one cut short by
// statement_timeout leaves the cursor usable. Plain cursors are checked
// against PostgreSQL in sqllogictest/testdata/regress/cursors.slt.
func TestSubscribeCursor(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn := connect(t, serverEndpoint(startServer(t, "")))
	mustExec(t, conn, "CREATE STREAM ev (k int, v int)")
	mustExec(t, conn, "CREATE WORKFLOW sums AS SELECT k, sum(v) AS s FROM ev GROUP BY k")
	mustExec(t, conn, "INSERT INTO ev VALUES (1, 10), (2, 20)")
	mustExec(t, conn, "FLUSH")
	mustExec(t, conn, "DECLARE sc CURSOR WITH HOLD FOR SUBSCRIBE sums")

	type change struct{ diff, k, s int64 }
	fetch := func(q string) ([]change, error) {
		rows, err := conn.Query(ctx, q, pgx.QueryExecModeSimpleProtocol)
		if err != nil {
			return nil, err
		}
		var out []change
		for rows.Next() {
			var atom int64
			var c change
			if err := rows.Scan(&atom, &c.diff, &c.k, &c.s); err != nil {
				return nil, err
			}
			out = append(out, c)
		}
		return out, rows.Err()
	}
	// until fetches until it has n changes.
	until := func(n int) []change {
		var got []change
		for len(got) < n {
			more, err := fetch("FETCH ALL sc")
			if err != nil {
				t.Fatalf("FETCH ALL sc: %v", err)
			}
			if len(more) == 0 {
				t.Fatalf("FETCH from a live cursor returned no rows after %v", got)
			}
			got = append(got, more...)
		}
		return got
	}
	snap := until(2)
	if want := []change{{1, 1, 10}, {1, 2, 20}}; !sameChanges(snap, want) {
		t.Fatalf("snapshot %v, want %v", snap, want)
	}
	// One row per FETCH 1: the cursor keeps the rest for the next FETCH.
	mustExec(t, conn, "INSERT INTO ev VALUES (1, 5)")
	first, err := fetch("FETCH 1 sc")
	if err != nil || len(first) != 1 {
		t.Fatalf("FETCH 1 sc: %v %v", first, err)
	}
	rest := until(1)
	if got, want := append(first, rest...), []change{{-1, 1, 10}, {1, 1, 15}}; !sameChanges(got, want) {
		t.Fatalf("changes %v, want %v", got, want)
	}
	// Nothing new: the FETCH waits until statement_timeout cancels it.
	mustExec(t, conn, "SET statement_timeout = '200ms'")
	_, err = fetch("FETCH ALL sc")
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "57014" {
		t.Fatalf("FETCH with nothing to return: %v, want 57014", err)
	}
	mustExec(t, conn, "SET statement_timeout = 0")
	mustExec(t, conn, "INSERT INTO ev VALUES (3, 1)")
	if got, want := until(1), []change{{1, 3, 1}}; !sameChanges(got, want) {
		t.Fatalf("after the timeout: %v, want %v", got, want)
	}
	mustExec(t, conn, "CLOSE sc")

	// Without HOLD a SUBSCRIBE cursor ends with its transaction.
	mustExec(t, conn, "BEGIN")
	mustExec(t, conn, "DECLARE s2 CURSOR FOR SUBSCRIBE sums")
	mustExec(t, conn, "COMMIT")
	if _, err := fetch("FETCH 1 s2"); !errors.As(err, &pgErr) || pgErr.Code != "34000" {
		t.Fatalf("FETCH after COMMIT: %v, want 34000", err)
	}
}

func sameChanges[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[T]int{}
	for _, x := range a {
		seen[x]++
	}
	for _, x := range b {
		seen[x]--
	}
	for _, n := range seen {
		if n != 0 {
			return false
		}
	}
	return true
}
