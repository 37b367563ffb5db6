package sql_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// TestNoticeCodes checks that "already exists, skipping" notices carry
// PostgreSQL's SQLSTATE (recorded from PostgreSQL 15 with VERBOSITY
// verbose), and "does not exist, skipping" ones 00000.
func TestNoticeCodes(t *testing.T) {
	srv := startServer(t, "")
	cfg, err := pgx.ParseConfig(serverEndpoint(srv).url())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	cfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) { got = append(got, n.Code+": "+n.Message) }
	conn, err := pgx.ConnectConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	for _, q := range []string{
		"CREATE TABLE IF NOT EXISTS nt (a int)",
		"CREATE TABLE IF NOT EXISTS nt (a int)",
		"CREATE SCHEMA IF NOT EXISTS public",
		"ALTER TABLE nt ADD COLUMN IF NOT EXISTS a int",
		"DROP TABLE IF EXISTS nt_missing",
		"CREATE INDEX IF NOT EXISTS nt_i ON nt (a)",
		"CREATE INDEX IF NOT EXISTS nt_i ON nt (a)",
	} {
		mustExec(t, conn, q)
	}
	want := []string{
		`42P07: relation "nt" already exists, skipping`,
		`42P06: schema "public" already exists, skipping`,
		`42701: column "a" of relation "nt" already exists, skipping`,
		`00000: table "nt_missing" does not exist, skipping`,
		`42P07: relation "nt_i" already exists, skipping`,
	}
	if len(got) != len(want) {
		t.Fatalf("notices %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("notice %d: %q, want %q", i, got[i], want[i])
		}
	}
}
