package server

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
)

// longQueries never finish on their own in a test's lifetime: a large cross
// join aggregated (one batch at a time, so it streams nothing), and a
// recursive CTE that counts to a billion.
var longQueries = []string{
	`SELECT count(*) FROM generate_series(1, 100000) a, generate_series(1, 100000) b`,
	`WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 1000000000) SELECT max(n) FROM r`,
}

// TestE2ECancel cancels running queries through pgx's context (a
// CancelRequest on a second connection): the query fails with 57014 and
// the connection goes on serving.
func TestE2ECancel(t *testing.T) {
	srv := startE2E(t)
	for _, m := range execModes {
		for i, q := range longQueries {
			t.Run(m.name+"/"+strconv.Itoa(i), func(t *testing.T) {
				conn := connectCancelable(t, srv.Addr(), m.mode)
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				time.AfterFunc(200*time.Millisecond, cancel)
				var n int64
				err := conn.QueryRow(ctx, q).Scan(&n)
				if err == nil {
					t.Fatalf("%s finished: %d", q, n)
				}
				if !queryCanceled(err) {
					t.Fatalf("%s: want 57014, got %v", q, err)
				}
				// The connection is still usable.
				if conn.IsClosed() {
					t.Fatal("connection closed after cancel")
				}
				if got := count(t, conn, `SELECT 41 + 1`); got != 42 {
					t.Fatalf("after cancel: %d", got)
				}
			})
		}
	}
}

// connectCancelable connects with pgx set to cancel a query whose context
// ends by sending a CancelRequest and waiting for the query's answer (pgx's
// default gives up on the connection instead).
func connectCancelable(t *testing.T, addr string, mode pgx.QueryExecMode) *pgx.Conn {
	t.Helper()
	cfg, err := pgx.ParseConfig(dsnOf(addr))
	if err != nil {
		t.Fatal(err)
	}
	cfg.DefaultQueryExecMode = mode
	cfg.BuildContextWatcherHandler = func(pc *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: pc, DeadlineDelay: 10 * time.Second}
	}
	conn, err := pgx.ConnectConfig(ctxT(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// queryCanceled reports whether err is the server's 57014. pgx returns the
// server's error when the cancel request arrives in time; when its context
// ends first it may wrap the context error around it.
func queryCanceled(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "57014"
}

// TestE2EStatementTimeout checks that statement_timeout cancels a long
// query with 57014, in a session and inside a transaction block (which it
// fails), and that a timeout that does not fire changes nothing.
func TestE2EStatementTimeout(t *testing.T) {
	srv := startE2E(t)
	conn := connect(t, srv.Addr(), pgx.QueryExecModeCacheStatement)
	ctx := ctxT(t)
	mustExec(t, conn, `SET statement_timeout = '150ms'`)
	for _, q := range longQueries {
		_, err := conn.Exec(ctx, q)
		pe := wantCode(t, err, "57014")
		if pe.Message != "canceling statement due to statement timeout" {
			t.Errorf("message %q", pe.Message)
		}
	}
	if got := count(t, conn, `SELECT count(*) FROM generate_series(1, 1000)`); got != 1000 {
		t.Fatalf("short query: %d", got)
	}
	mustExec(t, conn, `BEGIN`)
	_, err := conn.Exec(ctx, longQueries[0])
	wantCode(t, err, "57014")
	_, err = conn.Exec(ctx, `SELECT 1`)
	wantCode(t, err, "25P02")
	mustExec(t, conn, `ROLLBACK`, `SET statement_timeout = 0`)
	if got := count(t, conn, `SELECT 7`); got != 7 {
		t.Fatal(got)
	}
	// Set through the startup options, as libpq's PGOPTIONS does.
	cfg, _ := pgx.ParseConfig(dsnOf(srv.Addr()))
	cfg.RuntimeParams["options"] = "-c statement_timeout=100"
	c2, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close(ctx)
	_, err = c2.Exec(ctx, longQueries[1])
	wantCode(t, err, "57014")
}
