package server

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
)

// Sequence values are handed out once each, whatever happens: several
// sessions at once, rolled-back transactions, and SIGKILLs between
// nextval calls.

// TestSequenceValuesSurviveKill calls nextval, directly and through a
// serial column's default, from four sessions while the server is killed
// and restarted three times. No value comes back twice, each session sees
// its values grow, and after the last restart the sequences go on past
// everything handed out.
func TestSequenceValuesSurviveKill(t *testing.T) {
	c := newChild(t)
	conn := connectDSN(t, c.dsn(), pgx.QueryExecModeSimpleProtocol)
	mustExec(t, conn, "CREATE SEQUENCE s", "CREATE TABLE t (id bigserial PRIMARY KEY, w int)")
	conn.Close(ctxBG())

	const workers = 4
	var mu sync.Mutex
	seen := map[string]map[int64]int{"s": {}, "t": {}}
	last := make([]map[string]int64, workers)
	for w := range last {
		last[w] = map[string]int64{}
	}
	record := func(w int, what string, v int64) {
		mu.Lock()
		defer mu.Unlock()
		if prev, dup := seen[what][v]; dup {
			t.Errorf("%s: %d handed out to worker %d and again to worker %d", what, v, prev, w)
		}
		seen[what][v] = w
		if v <= last[w][what] {
			t.Errorf("%s: worker %d got %d after %d", what, w, v, last[w][what])
		}
		last[w][what] = v
	}
	chaos(t, c, 3, workers, func(stop context.Context, w int, conn *pgx.Conn) error {
		for stop.Err() == nil {
			var v int64
			if err := conn.QueryRow(context.Background(), "SELECT nextval('s')").Scan(&v); err != nil {
				return err
			}
			record(w, "s", v)
			if err := conn.QueryRow(context.Background(), "INSERT INTO t (w) VALUES ($1) RETURNING id", w).Scan(&v); err != nil {
				return err
			}
			record(w, "t", v)
			// A rolled-back value is not given back either.
			tx, err := conn.Begin(context.Background())
			if err != nil {
				return err
			}
			err = tx.QueryRow(context.Background(), "SELECT nextval('t_id_seq')").Scan(&v)
			tx.Rollback(context.Background())
			if err != nil {
				return err
			}
			record(w, "t", v)
		}
		return nil
	})
	if len(seen["s"]) < 20 || len(seen["t"]) < 20 {
		t.Fatalf("too little work between the kills: %d and %d values", len(seen["s"]), len(seen["t"]))
	}
	conn = connectDSN(t, c.dsn(), pgx.QueryExecModeSimpleProtocol)
	for what, q := range map[string]string{"s": "SELECT nextval('s')", "t": "INSERT INTO t (w) VALUES (-1) RETURNING id"} {
		v := queryInt(t, conn, q)
		for old := range seen[what] {
			if v <= old {
				t.Errorf("%s: %d after the restarts, not past %d handed out before", what, v, old)
				break
			}
		}
	}
	// Every acknowledged insert kept its id.
	if n := queryInt(t, conn, "SELECT count(*) FROM t WHERE w >= 0"); n < int64(len(seen["t"])/2) {
		t.Errorf("only %d rows for %d acknowledged inserts", n, len(seen["t"])/2)
	}
	t.Logf("%d values of s, %d of t", len(seen["s"]), len(seen["t"]))
}

// TestSequenceConcurrentNextval takes values of one sequence from eight
// sessions at once, through nextval and a serial default: all distinct,
// and with no crash, no gaps.
func TestSequenceConcurrentNextval(t *testing.T) {
	srv := startE2E(t)
	conn := connect(t, srv.Addr(), pgx.QueryExecModeSimpleProtocol)
	mustExec(t, conn, "CREATE TABLE t (id serial PRIMARY KEY, w int)")
	const sessions, each = 8, 200
	values := make([][]int64, sessions)
	var wg sync.WaitGroup
	for w := range sessions {
		c := connect(t, srv.Addr(), pgx.QueryExecModeCacheStatement)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				q := "SELECT nextval('t_id_seq')"
				if i%2 == 1 {
					q = "INSERT INTO t (w) VALUES (0) RETURNING id"
				}
				var v int64
				if err := c.QueryRow(context.Background(), q).Scan(&v); err != nil {
					t.Error(err)
					return
				}
				values[w] = append(values[w], v)
			}
		}()
	}
	wg.Wait()
	seen := map[int64]bool{}
	for _, vs := range values {
		for _, v := range vs {
			if seen[v] {
				t.Fatalf("%d handed out twice", v)
			}
			seen[v] = true
		}
	}
	for v := int64(1); v <= sessions*each; v++ {
		if !seen[v] {
			t.Fatalf("%d values, but %d is missing", len(seen), v)
		}
	}
	// currval is each session's own: this one never called nextval.
	_, err := conn.Exec(context.Background(), "SELECT currval('t_id_seq')")
	wantCode(t, err, "55000")
}

// A workflow asks a portal whose body inserts into a table with a serial
// column: the default's nextval runs in the portal's server, which has no
// session, and each ask gets its own id.
func TestSequenceInPortalAskedByWorkflow(t *testing.T) {
	srv := startE2E(t)
	conn := connect(t, srv.Addr(), pgx.QueryExecModeSimpleProtocol)
	mustExec(t, conn,
		"CREATE STREAM requests (item text)",
		"CREATE TABLE orders (id serial PRIMARY KEY, item text)",
		"CREATE PORTAL place(p_item text) RETURNS TABLE (id int) ON orders AS INSERT INTO orders (item) VALUES (p_item) RETURNING id",
		"CREATE WORKFLOW placed AS SELECT r.item, p.id FROM requests r JOIN LATERAL place(r.item) p ON true",
		"INSERT INTO requests VALUES ('a'), ('b')",
		"INSERT INTO requests VALUES ('c')",
		"FLUSH")
	got := queryStrings(t, conn, "SELECT string_agg(item, ',' ORDER BY item), count(DISTINCT id), min(id), max(id) FROM placed")
	if want := [][]string{{"a,b,c", "3", "1", "3"}}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("placed: %v, want %v", got, want)
	}
	if n := queryInt(t, conn, "SELECT nextval('orders_id_seq')"); n != 4 {
		t.Errorf("nextval after three asks: %d, want 4", n)
	}
}
