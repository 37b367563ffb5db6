package server

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// connectErr tries to connect and returns the error.
func connectErr(t *testing.T, dsn string) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err == nil {
		conn.Close(ctx)
	}
	return err
}

func userDSN(addr, user, password string) string {
	return "postgres://" + user + ":" + password + "@" + addr + "/postgres?sslmode=disable"
}

// TestE2EScramAuth runs the server with SCRAM-SHA-256 authentication (the
// --auth scram flag): roles made with CREATE ROLE ... LOGIN PASSWORD log in
// with their password and only with it.
func TestE2EScramAuth(t *testing.T) {
	dir := t.TempDir()
	// Roles are made by the password-less superuser while trust is on.
	srv := startE2E(t, func(c *Config) { c.DataDir = dir })
	admin := connect(t, srv.Addr(), pgx.QueryExecModeSimpleProtocol)
	mustExec(t, admin,
		`CREATE ROLE alice LOGIN SUPERUSER PASSWORD 'wonderland'`,
		`CREATE ROLE bob PASSWORD 'builder'`, // NOLOGIN by default
		`CREATE ROLE carl LOGIN`,             // no password
		`CREATE TABLE secrets (v text)`, `INSERT INTO secrets VALUES ('kept')`)
	admin.Close(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}

	srv = startE2E(t, func(c *Config) { c.DataDir = dir; c.Auth = "scram" })
	addr := srv.Addr()
	alice := connectDSN(t, userDSN(addr, "alice", "wonderland"), pgx.QueryExecModeCacheStatement)
	wantRows(t, "alice reads", queryStrings(t, alice, `SELECT v FROM secrets`), [][]string{{"kept"}})

	for _, c := range []struct{ user, password, code string }{
		{"alice", "wrong", "28P01"},
		{"alice", "", "28P01"},
		{"nobody", "x", "28P01"},
		{"carl", "anything", "28P01"},
		{"postgres", "", "28P01"},
		{"bob", "builder", "28000"},
	} {
		err := connectErr(t, userDSN(addr, c.user, c.password))
		pe := wantCode(t, err, c.code)
		if c.code == "28P01" && pe.Message != `password authentication failed for user "`+c.user+`"` {
			t.Errorf("%s: message %q", c.user, pe.Message)
		}
	}
	// A role made while SCRAM is on can log in at once; a changed password
	// replaces the old one.
	mustExec(t, alice, `CREATE ROLE dora LOGIN PASSWORD 'explorer'`)
	dora := connectDSN(t, userDSN(addr, "dora", "explorer"), pgx.QueryExecModeCacheStatement)
	if got := count(t, dora, `SELECT 2`); got != 2 {
		t.Fatal(got)
	}
	mustExec(t, alice, `ALTER ROLE dora PASSWORD 'map'`)
	wantCode(t, connectErr(t, userDSN(addr, "dora", "explorer")), "28P01")
	if err := connectErr(t, userDSN(addr, "dora", "map")); err != nil {
		t.Fatalf("new password: %v", err)
	}
	// The failed attempts disturbed nobody.
	if got := count(t, alice, `SELECT count(*) FROM secrets`); got != 1 {
		t.Fatal(got)
	}
}

// TestE2EMaxConnections sets the connection limit (--max-connections): the
// client over it is refused with 53300, and a freed slot serves again.
func TestE2EMaxConnections(t *testing.T) {
	srv := startE2E(t, func(c *Config) { c.MaxConnections = 3 })
	var conns []*pgx.Conn
	for i := 0; i < 3; i++ {
		conns = append(conns, connect(t, srv.Addr(), pgx.QueryExecModeSimpleProtocol))
	}
	err := connectErr(t, dsnOf(srv.Addr()))
	pe := wantCode(t, err, "53300")
	if pe.Message != "sorry, too many clients already" {
		t.Errorf("message %q", pe.Message)
	}
	for _, c := range conns {
		if got := count(t, c, `SELECT 1`); got != 1 {
			t.Fatal(got)
		}
	}
	conns[0].Close(context.Background())
	// The server frees the slot when it notices the client left.
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := connectErr(t, dsnOf(srv.Addr()))
		if err == nil {
			break
		}
		wantCode(t, err, "53300")
		if time.Now().After(deadline) {
			t.Fatal("the closed connection's slot was never freed")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
