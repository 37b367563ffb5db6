package sql_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// pg_sleep waits, and a statement_timeout or a cancel request ends the
// wait with 57014, as in PostgreSQL.
func TestPgSleep(t *testing.T) {
	srv := startServer(t, "")
	conn := connect(t, serverEndpoint(srv))
	start := time.Now()
	mustExec(t, conn, "SELECT pg_sleep(0.05)")
	if waited := time.Since(start); waited < 50*time.Millisecond {
		t.Errorf("pg_sleep(0.05) returned after %v", waited)
	}
	mustExec(t, conn, "SET statement_timeout = '50ms'")
	_, err := conn.Exec(context.Background(), "SELECT pg_sleep(30)")
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "57014" || pgErr.Message != "canceling statement due to statement timeout" {
		t.Fatalf("pg_sleep(30) under a 50ms statement_timeout: %v", err)
	}
	mustExec(t, conn, "SET statement_timeout = 0")
	// A client that gives up cancels the statement; the server must stop
	// sleeping then, not 30 seconds later: another session watches.
	watcher := connect(t, serverEndpoint(srv))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err = conn.Exec(ctx, "SELECT pg_sleep(30)"); err == nil {
		t.Fatal("a canceled pg_sleep(30) succeeded")
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := queryStrings(t, watcher, "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid()")
		if equalStrings(got, []string{"0"}) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("10s after the cancel, %v sessions still run pg_sleep(30)", got)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
