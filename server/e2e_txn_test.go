package server

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

func count(t *testing.T, conn *pgx.Conn, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := conn.QueryRow(ctxT(t), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// TestE2ETransactionBlocks covers BEGIN/COMMIT/ROLLBACK, savepoints, the
// failed-block state and read-your-own-writes, in each protocol mode.
func TestE2ETransactionBlocks(t *testing.T) {
	for _, m := range execModes {
		t.Run(m.name, func(t *testing.T) {
			srv := startE2E(t)
			conn := connect(t, srv.Addr(), m.mode)
			other := connect(t, srv.Addr(), m.mode)
			ctx := ctxT(t)
			mustExec(t, conn, `CREATE TABLE kv (k int PRIMARY KEY, v text)`)

			// COMMIT publishes, ROLLBACK discards.
			mustExec(t, conn, `BEGIN`, `INSERT INTO kv VALUES (1, 'a')`, `COMMIT`)
			mustExec(t, conn, `BEGIN`, `INSERT INTO kv VALUES (2, 'b')`, `ROLLBACK`)
			wantRows(t, "commit/rollback", queryStrings(t, other, `SELECT k FROM kv ORDER BY k`), [][]string{{"1"}})

			// Read-your-own-writes: the block sees its inserts, updates
			// and deletes at once; another session sees none of them.
			mustExec(t, conn, `BEGIN`, `INSERT INTO kv VALUES (3, 'c'), (4, 'd')`, `UPDATE kv SET v = 'A' WHERE k = 1`,
				`DELETE FROM kv WHERE k = 4`)
			wantRows(t, "own writes", queryStrings(t, conn, `SELECT k, v FROM kv ORDER BY k`), [][]string{{"1", "A"}, {"3", "c"}})
			wantRows(t, "others' view", queryStrings(t, other, `SELECT k, v FROM kv ORDER BY k`), [][]string{{"1", "a"}})
			if conn.PgConn().TxStatus() != 'T' {
				t.Fatalf("status %c in a block", conn.PgConn().TxStatus())
			}
			mustExec(t, conn, `COMMIT`)
			wantRows(t, "after commit", queryStrings(t, other, `SELECT k, v FROM kv ORDER BY k`), [][]string{{"1", "A"}, {"3", "c"}})

			// Savepoints: ROLLBACK TO undoes what followed the savepoint,
			// RELEASE keeps it, and names may repeat (the newest wins).
			mustExec(t, conn, `BEGIN`,
				`INSERT INTO kv VALUES (10, 'kept')`,
				`SAVEPOINT s1`,
				`INSERT INTO kv VALUES (11, 'undone')`,
				`SAVEPOINT s2`,
				`INSERT INTO kv VALUES (12, 'undone too')`,
				`ROLLBACK TO SAVEPOINT s1`,
				`INSERT INTO kv VALUES (13, 'kept')`,
				`SAVEPOINT s3`,
				`INSERT INTO kv VALUES (14, 'kept')`,
				`RELEASE SAVEPOINT s3`,
				`SAVEPOINT s1`,
				`UPDATE kv SET v = 'undone' WHERE k = 10`,
				`ROLLBACK TO s1`,
				`COMMIT`)
			wantRows(t, "savepoints", queryStrings(t, other, `SELECT k, v FROM kv WHERE k >= 10 ORDER BY k`),
				[][]string{{"10", "kept"}, {"13", "kept"}, {"14", "kept"}})
			// A released savepoint is gone.
			mustExec(t, conn, `BEGIN`, `SAVEPOINT a`, `RELEASE a`)
			_, err := conn.Exec(ctx, `ROLLBACK TO a`)
			wantCode(t, err, "3B001")
			mustExec(t, conn, `ROLLBACK`)

			// An error fails the block: every statement but ROLLBACK gets
			// 25P02, and COMMIT rolls back.
			mustExec(t, conn, `BEGIN`, `INSERT INTO kv VALUES (20, 'lost')`)
			_, err = conn.Exec(ctx, `INSERT INTO kv VALUES (1, 'duplicate')`)
			wantCode(t, err, "23505")
			for _, q := range []string{`SELECT 1`, `INSERT INTO kv VALUES (21, 'x')`, `SAVEPOINT x`, `SELECT k FROM kv WHERE k = $1`} {
				var err error
				if q == `SELECT k FROM kv WHERE k = $1` {
					_, err = conn.Exec(ctx, q, 1)
				} else {
					_, err = conn.Exec(ctx, q)
				}
				wantCode(t, err, "25P02")
			}
			if conn.PgConn().TxStatus() != 'E' {
				t.Fatalf("status %c in a failed block", conn.PgConn().TxStatus())
			}
			tag, err := conn.Exec(ctx, `COMMIT`)
			if err != nil || tag.String() != "ROLLBACK" {
				t.Fatalf("COMMIT of a failed block: %q, %v", tag, err)
			}
			if n := count(t, other, `SELECT count(*) FROM kv WHERE k >= 20`); n != 0 {
				t.Fatalf("failed block left %d rows", n)
			}

			// ROLLBACK TO SAVEPOINT rescues a failed block.
			mustExec(t, conn, `BEGIN`, `INSERT INTO kv VALUES (30, 'kept')`, `SAVEPOINT before`)
			_, err = conn.Exec(ctx, `SELECT 1/0`)
			wantCode(t, err, "22012")
			_, err = conn.Exec(ctx, `SELECT 1`)
			wantCode(t, err, "25P02")
			mustExec(t, conn, `ROLLBACK TO SAVEPOINT before`, `INSERT INTO kv VALUES (31, 'kept')`, `COMMIT`)
			wantRows(t, "rescued", queryStrings(t, other, `SELECT k FROM kv WHERE k >= 30 ORDER BY k`), [][]string{{"30"}, {"31"}})

			// DDL is transactional too.
			mustExec(t, conn, `BEGIN`, `CREATE TABLE gone (x int)`, `INSERT INTO gone VALUES (1)`)
			wantRows(t, "ddl in block", queryStrings(t, conn, `SELECT x FROM gone`), [][]string{{"1"}})
			_, err = other.Exec(ctx, `SELECT x FROM gone`)
			wantCode(t, err, "42P01")
			mustExec(t, conn, `ROLLBACK`)
			_, err = conn.Exec(ctx, `SELECT x FROM gone`)
			wantCode(t, err, "42P01")
		})
	}
}

// TestE2ESnapshotIsolation checks that a transaction reads one snapshot:
// it sees neither uncommitted rows nor rows committed after it started.
func TestE2ESnapshotIsolation(t *testing.T) {
	srv := startE2E(t)
	reader := connect(t, srv.Addr(), pgx.QueryExecModeCacheStatement)
	writer := connect(t, srv.Addr(), pgx.QueryExecModeCacheStatement)
	mustExec(t, writer, `CREATE TABLE acct (id int PRIMARY KEY, balance int)`,
		`INSERT INTO acct SELECT g, 100 FROM generate_series(1, 10) g`)

	mustExec(t, reader, `BEGIN ISOLATION LEVEL REPEATABLE READ`)
	if n := count(t, reader, `SELECT sum(balance) FROM acct`); n != 1000 {
		t.Fatalf("sum %d", n)
	}
	// Uncommitted: not seen.
	mustExec(t, writer, `BEGIN`, `UPDATE acct SET balance = balance - 50 WHERE id = 1`, `UPDATE acct SET balance = balance + 50 WHERE id = 2`,
		`INSERT INTO acct VALUES (11, 7)`)
	if n := count(t, reader, `SELECT sum(balance) FROM acct`); n != 1000 {
		t.Fatalf("reader sees uncommitted writes: sum %d", n)
	}
	// Committed after the reader's snapshot: still not seen.
	mustExec(t, writer, `COMMIT`)
	if n := count(t, reader, `SELECT sum(balance) FROM acct`); n != 1000 {
		t.Fatalf("reader sees a later commit: sum %d", n)
	}
	if n := count(t, reader, `SELECT count(*) FROM acct`); n != 10 {
		t.Fatalf("reader sees a later insert: %d rows", n)
	}
	if n := count(t, reader, `SELECT balance FROM acct WHERE id = 1`); n != 100 {
		t.Fatalf("reader sees a later update through the primary key: %d", n)
	}
	mustExec(t, reader, `COMMIT`)
	// A new transaction sees the commit.
	if n := count(t, reader, `SELECT sum(balance) FROM acct`); n != 1007 {
		t.Fatalf("after commit: sum %d", n)
	}
}

// TestE2EWriteConflict has two sessions update the same row: the later
// committer gets 40001 and its update is lost, not merged.
func TestE2EWriteConflict(t *testing.T) {
	srv := startE2E(t)
	a := connect(t, srv.Addr(), pgx.QueryExecModeCacheStatement)
	b := connect(t, srv.Addr(), pgx.QueryExecModeCacheStatement)
	ctx := ctxT(t)
	mustExec(t, a, `CREATE TABLE counter (id int PRIMARY KEY, v int)`, `INSERT INTO counter VALUES (1, 0), (2, 0)`)

	mustExec(t, a, `BEGIN`, `UPDATE counter SET v = v + 1 WHERE id = 1`)
	mustExec(t, b, `BEGIN`, `UPDATE counter SET v = v + 10 WHERE id = 1`, `UPDATE counter SET v = v + 10 WHERE id = 2`)
	mustExec(t, a, `COMMIT`)
	_, err := b.Exec(ctx, `COMMIT`)
	wantCode(t, err, "40001")
	if b.PgConn().TxStatus() != 'I' {
		t.Fatalf("status %c after a failed commit", b.PgConn().TxStatus())
	}
	wantRows(t, "after conflict", queryStrings(t, b, `SELECT id, v FROM counter ORDER BY id`), [][]string{{"1", "1"}, {"2", "0"}})

	// Deleting a row another transaction updated conflicts too.
	mustExec(t, a, `BEGIN`, `DELETE FROM counter WHERE id = 2`)
	mustExec(t, b, `UPDATE counter SET v = 5 WHERE id = 2`)
	_, err = a.Exec(ctx, `COMMIT`)
	wantCode(t, err, "40001")
	wantRows(t, "after delete conflict", queryStrings(t, a, `SELECT id, v FROM counter ORDER BY id`), [][]string{{"1", "1"}, {"2", "5"}})

	// Two inserts of the same key: the second committer gets a conflict
	// rather than a silent overwrite.
	mustExec(t, a, `BEGIN`, `INSERT INTO counter VALUES (3, 100)`)
	mustExec(t, b, `BEGIN`, `INSERT INTO counter VALUES (3, 200)`)
	mustExec(t, a, `COMMIT`)
	_, err = b.Exec(ctx, `COMMIT`)
	if code := pgErr(t, err).Code; code != "40001" && code != "23505" {
		t.Fatalf("second insert of a key: %s", code)
	}
	wantRows(t, "after insert race", queryStrings(t, a, `SELECT v FROM counter WHERE id = 3`), [][]string{{"100"}})
}

// TestE2EConcurrentIncrements runs many goroutines that increment one
// counter, each increment in a transaction that also logs it. Conflicts
// fail with 40001 and are retried; in the end the counter equals the
// number of committed increments, and the log holds exactly those.
func TestE2EConcurrentIncrements(t *testing.T) {
	srv := startE2E(t)
	setup := connect(t, srv.Addr(), pgx.QueryExecModeCacheStatement)
	mustExec(t, setup, `CREATE TABLE counter (id int PRIMARY KEY, v bigint)`, `INSERT INTO counter VALUES (1, 0)`,
		`CREATE TABLE increments (worker int, seq int, seen bigint, PRIMARY KEY (worker, seq))`)

	const workers, each = 12, 15
	var committed, conflicts atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		conn := connect(t, srv.Addr(), pgx.QueryExecModeCacheStatement)
		wg.Add(1)
		go func(w int, conn *pgx.Conn) {
			defer wg.Done()
			ctx := context.Background()
			for i := 0; i < each; {
				err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
					var v int64
					if err := tx.QueryRow(ctx, `SELECT v FROM counter WHERE id = 1`).Scan(&v); err != nil {
						return err
					}
					if _, err := tx.Exec(ctx, `UPDATE counter SET v = $1 WHERE id = 1`, v+1); err != nil {
						return err
					}
					_, err := tx.Exec(ctx, `INSERT INTO increments VALUES ($1, $2, $3)`, w, i, v)
					return err
				})
				var pe *pgconn.PgError
				switch {
				case err == nil:
					committed.Add(1)
					i++
				case errors.As(err, &pe) && pe.Code == "40001":
					conflicts.Add(1)
				default:
					errs <- err
					return
				}
			}
		}(w, conn)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if committed.Load() != workers*each {
		t.Fatalf("%d increments committed, want %d", committed.Load(), workers*each)
	}
	if v := count(t, setup, `SELECT v FROM counter WHERE id = 1`); v != workers*each {
		t.Fatalf("counter %d after %d committed increments (%d conflicts)", v, workers*each, conflicts.Load())
	}
	// Each committed increment read a distinct value: no two transactions
	// that both committed saw the same counter (no lost update).
	if n := count(t, setup, `SELECT count(DISTINCT seen) FROM increments`); n != workers*each {
		t.Fatalf("%d distinct values seen by %d increments", n, workers*each)
	}
	t.Logf("%d increments, %d conflicts retried", workers*each, conflicts.Load())

	// Without retries: each session fires single-statement updates; those
	// that lose get 40001, and the counter counts exactly the winners.
	mustExec(t, setup, `UPDATE counter SET v = 0`)
	var wins atomic.Int64
	var wg2 sync.WaitGroup
	for w := 0; w < workers; w++ {
		conn := connect(t, srv.Addr(), pgx.QueryExecModeCacheStatement)
		wg2.Add(1)
		go func(conn *pgx.Conn) {
			defer wg2.Done()
			for i := 0; i < each; i++ {
				_, err := conn.Exec(context.Background(), `UPDATE counter SET v = v + 1 WHERE id = 1`)
				var pe *pgconn.PgError
				switch {
				case err == nil:
					wins.Add(1)
				case errors.As(err, &pe) && pe.Code == "40001":
				default:
					t.Error(err)
					return
				}
			}
		}(conn)
	}
	wg2.Wait()
	if v := count(t, setup, `SELECT v FROM counter WHERE id = 1`); v != wins.Load() {
		t.Fatalf("counter %d, but %d updates reported success", v, wins.Load())
	}
	t.Logf("single-statement updates: %d of %d committed", wins.Load(), workers*each)
	_ = strconv.Itoa
}
