package sql_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"portalsdb/server"
)

// startServer runs a portalsdb server on a free loopback port for the
// test's lifetime, with its data in dir (a fresh one when empty).
func startServer(t *testing.T, dir string) *server.Server {
	t.Helper()
	srv, stop := openServer(t, dir)
	t.Cleanup(stop)
	return srv
}

// openServer starts a server and returns a function that shuts it down;
// calling it again does nothing.
func openServer(t *testing.T, dir string) (*server.Server, func()) {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	srv, err := server.Start(server.Config{Listen: "127.0.0.1:0", DataDir: dir,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	return srv, func() {
		once.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := srv.Shutdown(ctx); err != nil {
				t.Errorf("shutting the server down: %v", err)
			}
		})
	}
}

// endpoint is where a client connects.
type endpoint struct {
	host, port, user, database string
}

func serverEndpoint(srv *server.Server) endpoint {
	host, port, _ := net.SplitHostPort(srv.Addr())
	return endpoint{host: host, port: port, user: "postgres", database: "postgres"}
}

func (e endpoint) url() string {
	return fmt.Sprintf("postgres://%s@%s/%s?sslmode=disable", e.user, net.JoinHostPort(e.host, e.port), e.database)
}

func connect(t *testing.T, e endpoint) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, e.url())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func mustExec(t *testing.T, conn *pgx.Conn, sql string, args ...any) {
	t.Helper()
	if _, err := conn.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// postgresDatabase creates a fresh database on the PostgreSQL of
// PORTALSDB_TEST_PG_DSN for the test and drops it afterwards; ok is false
// when the variable is unset.
func postgresDatabase(t *testing.T) (endpoint, bool) {
	t.Helper()
	dsn := os.Getenv("PORTALSDB_TEST_PG_DSN")
	if dsn == "" {
		return endpoint{}, false
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("PORTALSDB_TEST_PG_DSN: %v", err)
	}
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connecting to PostgreSQL: %v", err)
	}
	name := fmt.Sprintf("portalsdb_catalog_%d", time.Now().UnixNano())
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close(ctx)
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec(context.Background(), "DROP DATABASE "+name+" WITH (FORCE)")
		admin.Close(context.Background())
	})
	host, port, _ := net.SplitHostPort(u.Host)
	user := u.User.Username()
	if user == "" {
		user = "postgres"
	}
	return endpoint{host: host, port: port, user: user, database: name}, true
}
