package pgwire

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgproto3"
)

// TestCancelRequestFromPgx cancels a running query the way pgx does when
// its context is canceled and it is told to send a CancelRequest.
func TestCancelRequestFromPgx(t *testing.T) {
	eng := newFakeEngine()
	_, addr := startServer(t, Config{}, eng)
	cfg, err := pgx.ParseConfig(dsn(addr, "postgres", ""))
	if err != nil {
		t.Fatal(err)
	}
	cfg.BuildContextWatcherHandler = func(pc *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: pc, DeadlineDelay: time.Minute}
	}
	conn, err := pgx.ConnectConfig(testCtx(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())

	ctx, cancel := context.WithCancel(testCtx(t))
	go func() {
		<-eng.sleeping // the query runs: now cancel it
		cancel()
	}()
	_, err = conn.Exec(ctx, "sleep")
	if err == nil {
		t.Fatal("canceled query succeeded")
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code != "57014" {
		t.Fatalf("canceled query failed with %v", err)
	}
	<-eng.canceled // the session saw its context end
	var v int32
	if err := conn.QueryRow(testCtx(t), "select 3").Scan(&v); err != nil || v != 3 {
		t.Fatalf("connection after cancel: %v %v", v, err)
	}
}

func sendCancel(t *testing.T, addr string, pid uint32, key []byte) {
	t.Helper()
	c := dialRaw(t, addr)
	c.send(&pgproto3.CancelRequest{ProcessID: pid, SecretKey: key})
	// The server answers nothing and closes the connection once it has
	// acted on the request.
	if _, err := io.ReadAll(c.conn); err != nil {
		t.Fatal(err)
	}
}

func TestCancelRequestNeedsTheRightKey(t *testing.T) {
	eng := newFakeEngine()
	_, addr := startServer(t, Config{}, eng)
	conn := connect(t, addr, pgx.QueryExecModeSimpleProtocol)
	pid, key := conn.PgConn().PID(), conn.PgConn().SecretKey()
	done := make(chan error, 1)
	go func() {
		_, err := conn.Exec(testCtx(t), "sleep")
		done <- err
	}()
	queryCtx := <-eng.sleeping
	wrong := append([]byte(nil), key...)
	wrong[0] ^= 0xff
	sendCancel(t, addr, pid, wrong)
	sendCancel(t, addr, pid+1000, key)
	sendCancel(t, addr, pid, key[:2])
	if queryCtx.Err() != nil {
		t.Fatal("a cancel request with a wrong key or process id canceled the query")
	}
	sendCancel(t, addr, pid, key)
	<-eng.canceled
	if pe := pgError(t, <-done); pe.Code != "57014" {
		t.Fatalf("got %v", pe)
	}
}

func TestClientDisconnectCancelsQuery(t *testing.T) {
	eng := newFakeEngine()
	_, addr := startServer(t, Config{}, eng)
	c := startRaw(t, addr)
	c.send(&pgproto3.Query{String: "sleep"})
	<-eng.sleeping
	c.conn.Close()
	<-eng.canceled
	waitFor(t, "session closed", func() bool { return eng.closed.Load() == eng.opened.Load() })
}

func TestCancelRequestIsNotASession(t *testing.T) {
	// A full server still takes cancel requests.
	eng := newFakeEngine()
	_, addr := startServer(t, Config{MaxConnections: 1}, eng)
	conn := connect(t, addr, pgx.QueryExecModeSimpleProtocol)
	done := make(chan error, 1)
	go func() {
		_, err := conn.Exec(testCtx(t), "sleep")
		done <- err
	}()
	<-eng.sleeping
	sendCancel(t, addr, conn.PgConn().PID(), conn.PgConn().SecretKey())
	<-eng.canceled
	if pe := pgError(t, <-done); pe.Code != "57014" {
		t.Fatalf("got %v", pe)
	}
}
