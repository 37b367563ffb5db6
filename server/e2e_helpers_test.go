package server

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// The end-to-end tests start a real server through this package and talk to
// it with real clients: pgx, psql, and the server binary itself for the
// restart tests. Each test owns its server and data directory.

// startE2E starts a server over a fresh data directory and stops it when
// the test ends. Durability is on, as users run it.
func startE2E(t testing.TB, mutate ...func(*Config)) *Server {
	t.Helper()
	cfg := Config{Listen: "127.0.0.1:0", DataDir: t.TempDir(), Sync: true, Logger: quietLogger()}
	for _, m := range mutate {
		m(&cfg)
	}
	srv, err := Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return srv
}

// quietLogger drops the server's log lines unless PORTALSDB_TEST_LOG is
// set, so that test output shows failures, not chatter.
func quietLogger() *slog.Logger {
	if os.Getenv("PORTALSDB_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func dsnOf(addr string) string {
	return "postgres://postgres@" + addr + "/postgres?sslmode=disable"
}

// connect opens a pgx connection in the given query execution mode.
func connect(t testing.TB, addr string, mode pgx.QueryExecMode) *pgx.Conn {
	t.Helper()
	return connectDSN(t, dsnOf(addr), mode)
}

func connectDSN(t testing.TB, dsn string, mode pgx.QueryExecMode) *pgx.Conn {
	t.Helper()
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DefaultQueryExecMode = mode
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("connect %s: %v", dsn, err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// pgDSN returns the DSN of the reference PostgreSQL, or skips the test.
func pgDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("PORTALSDB_TEST_PG_DSN")
	if dsn == "" {
		t.Skip("PORTALSDB_TEST_PG_DSN is not set")
	}
	return dsn
}

// execModes are the pgx query execution modes the protocol tests run in:
// the simple protocol, and the extended protocol with and without cached
// prepared statements.
var execModes = []struct {
	name string
	mode pgx.QueryExecMode
}{
	{"simple", pgx.QueryExecModeSimpleProtocol},
	{"cache_statement", pgx.QueryExecModeCacheStatement},
	{"describe_exec", pgx.QueryExecModeDescribeExec},
}

func ctxT(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// mustExec runs statements that must succeed.
func mustExec(t testing.TB, conn *pgx.Conn, sqls ...string) {
	t.Helper()
	for _, q := range sqls {
		if _, err := conn.Exec(ctxT(t), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// pgErr returns err as a *pgconn.PgError, failing the test when it is not
// one.
func pgErr(t testing.TB, err error) *pgconn.PgError {
	t.Helper()
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		t.Fatalf("want a PostgreSQL error, got %v", err)
	}
	return pe
}

// wantCode fails unless err is a PostgreSQL error with SQLSTATE code.
func wantCode(t testing.TB, err error, code string) *pgconn.PgError {
	t.Helper()
	if err == nil {
		t.Fatalf("want SQLSTATE %s, got success", code)
	}
	pe := pgErr(t, err)
	if pe.Code != code {
		t.Fatalf("want SQLSTATE %s, got %s: %s", code, pe.Code, pe.Message)
	}
	return pe
}

// queryStrings runs a query and returns its rows as text, one string slice
// per row; NULL is "NULL".
func queryStrings(t testing.TB, conn *pgx.Conn, q string, args ...any) [][]string {
	t.Helper()
	rows, err := conn.Query(ctxT(t), q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out [][]string
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		row := make([]string, len(vals))
		for i, v := range vals {
			row[i] = textOf(v)
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return out
}

// textOf renders a value pgx decoded, for comparisons in tests.
func textOf(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case driver.Valuer:
		dv, err := x.Value()
		if err != nil {
			return "ERROR: " + err.Error()
		}
		if dv == nil {
			return "NULL"
		}
		return fmt.Sprint(dv)
	case []byte:
		return fmt.Sprintf("\\x%x", x)
	case time.Time:
		return x.Format(time.RFC3339Nano)
	}
	return fmt.Sprint(v)
}

func ctxBG() context.Context { return context.Background() }
