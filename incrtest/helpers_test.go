package incrtest

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"portalsdb/server"
)

// long reports whether the long runs are asked for (PORTALSDB_LONG=1).
func long() bool { return os.Getenv("PORTALSDB_LONG") != "" }

// baseSeed is PORTALSDB_INCR_SEED, or 1: runs are reproducible unless a
// seed is given.
func baseSeed(t testing.TB) uint64 {
	if s := os.Getenv("PORTALSDB_INCR_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("PORTALSDB_INCR_SEED=%q: %v", s, err)
		}
		return n
	}
	return 1
}

func serverLogger(t testing.TB) *slog.Logger {
	if os.Getenv("PORTALSDB_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// testServer is an in-process server that a test may stop early (to
// restart it on the same directory); it stops at the end of the test
// otherwise.
type testServer struct {
	*server.Server
	once sync.Once
}

// startServer starts an in-process server on a fresh directory (or dir,
// when given).
func startServer(t testing.TB, dir string) *testServer {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	srv, err := server.Start(server.Config{Listen: "127.0.0.1:0", DataDir: dir, Logger: serverLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{Server: srv}
	t.Cleanup(ts.stop)
	return ts
}

// stop shuts the server down, once.
func (ts *testServer) stop() {
	ts.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = ts.Shutdown(ctx)
	})
}

// connect opens a connection that closes when the test ends; notices go
// to onNotice when it is not nil.
func connect(t testing.TB, addr string, onNotice func(*pgconn.Notice)) *pgx.Conn {
	t.Helper()
	conn, err := dial(addr, onNotice)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = conn.Close(ctx)
	})
	return conn
}

func dial(addr string, onNotice func(*pgconn.Notice)) (*pgx.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	cfg, err := pgx.ParseConfig("host=" + host + " port=" + port + " user=postgres dbname=postgres sslmode=disable")
	if err != nil {
		return nil, err
	}
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	if onNotice != nil {
		cfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) { onNotice(n) }
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return pgx.ConnectConfig(ctx, cfg)
}

// exec runs statements, failing the test on an error.
func exec(t testing.TB, conn *pgx.Conn, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := conn.Exec(testContext(t), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// query returns a query's rows, failing the test on an error.
func query(t testing.TB, conn *pgx.Conn, sql string) Rows {
	t.Helper()
	r, err := Query(testContext(t), conn, sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return r
}

func queryInt(t testing.TB, conn *pgx.Conn, sql string) int64 {
	t.Helper()
	n, err := QueryInt(testContext(t), conn, sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// testContext bounds one step of a test, so a hang fails instead of
// stalling the run.
func testContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// sqlState returns the SQLSTATE of a server error, or "".
func sqlState(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}
