package server

import (
	"context"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
)

// badInputSetup is the schema the bad-input cases run against.
var badInputSetup = []string{
	`CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, qty int CHECK (qty >= 0), tag text UNIQUE,
		price int CONSTRAINT positive_price CHECK (price > 0))`,
	`INSERT INTO items VALUES (1, 'a', 0, 'x', 5)`,
}

// badInput is a statement that must fail: with its SQLSTATE, at the
// position of a token (the first occurrence of at, counted from 1 in
// characters) when at is set, and naming the table, column and constraint
// the error is about when those are set.
type badInput struct {
	sql, code, at             string
	table, column, constraint string
}

var badInputs = []badInput{
	{sql: `SELECT * FORM items`, code: "42601", at: "FORM"},
	{sql: `SELECT id FROM items WHERE id = = 1`, code: "42601", at: "= 1"},
	{sql: `SELECT 'unterminated`, code: "42601", at: "'unterminated"},
	{sql: `SELECT 1; SELECT 2 +; SELECT 3`, code: "42601", at: "; SELECT 3"},
	{sql: `SELECT * FROM nosuch`, code: "42P01", at: "nosuch"},
	{sql: `SELECT i.id FROM items i JOIN nosuch.t ON true`, code: "42P01", at: "nosuch"},
	{sql: `SELECT nosuch FROM items`, code: "42703", at: "nosuch"},
	{sql: `UPDATE items SET qty = 1 WHERE nosuch = 2`, code: "42703", at: "nosuch"},
	{sql: `INSERT INTO items (id, name, qty) VALUES (2, 'b', 1 = 1)`, code: "42804", at: "1 = 1"},
	{sql: `UPDATE items SET qty = 'a' || 'b'`, code: "42804", at: "'a' ||"},
	{sql: `SELECT 'abc'::int`, code: "22P02", at: "'abc'"},
	{sql: `INSERT INTO items (id, name, qty) VALUES (2, 'b', 'abc')`, code: "22P02", at: "'abc'"},
	{sql: `SELECT 10 / qty FROM items`, code: "22012"},
	{sql: `SELECT 1 / 0`, code: "22012"},
	{sql: `INSERT INTO items (id) VALUES (5)`, code: "23502", table: "items", column: "name"},
	{sql: `UPDATE items SET name = NULL`, code: "23502", table: "items", column: "name"},
	{sql: `INSERT INTO items VALUES (1, 'dup', 1, 'y', 1)`, code: "23505", table: "items", constraint: "items_pkey"},
	{sql: `INSERT INTO items VALUES (2, 'dup', 1, 'x', 1)`, code: "23505", table: "items", constraint: "items_tag_key"},
	{sql: `INSERT INTO items VALUES (3, 'neg', -1, 'z', 1)`, code: "23514", table: "items", constraint: "items_qty_check"},
	{sql: `UPDATE items SET price = 0`, code: "23514", table: "items", constraint: "positive_price"},
}

// TestE2EBadInput sends statements that must fail, checks each error's
// fields, and that the session and the server go on serving. With
// PORTALSDB_TEST_PG_DSN set, PostgreSQL must agree on every field checked.
func TestE2EBadInput(t *testing.T) {
	srv := startE2E(t)
	targets := map[string]*pgx.Conn{"portalsdb": connect(t, srv.Addr(), pgx.QueryExecModeCacheStatement)}
	if dsn := os.Getenv("PORTALSDB_TEST_PG_DSN"); dsn != "" {
		pg := connectDSN(t, dsn, pgx.QueryExecModeCacheStatement)
		mustExec(t, pg, `CREATE SCHEMA e2e_errors`, `SET search_path = e2e_errors`)
		t.Cleanup(func() { pg.Exec(context.Background(), `DROP SCHEMA e2e_errors CASCADE`) })
		targets["postgres"] = pg
	}
	for name, conn := range targets {
		mustExec(t, conn, badInputSetup...)
		for _, c := range badInputs {
			// The simple protocol takes several statements in one string;
			// the others go through the extended protocol too.
			var err error
			if strings.Contains(c.sql, ";") {
				_, err = conn.PgConn().Exec(ctxT(t), c.sql).ReadAll()
			} else {
				_, err = conn.Exec(ctxT(t), c.sql)
			}
			if err == nil {
				t.Errorf("%s: %s: no error", name, c.sql)
				continue
			}
			pe := pgErr(t, err)
			if pe.Code != c.code {
				t.Errorf("%s: %s: SQLSTATE %s (%s), want %s", name, c.sql, pe.Code, pe.Message, c.code)
			}
			if c.at != "" {
				want := int32(len([]rune(c.sql[:strings.Index(c.sql, c.at)]))) + 1
				if pe.Position != want {
					t.Errorf("%s: %s: position %d, want %d (%q)", name, c.sql, pe.Position, want, c.at)
				}
			}
			if pe.TableName != c.table || pe.ColumnName != c.column || pe.ConstraintName != c.constraint {
				t.Errorf("%s: %s: table %q column %q constraint %q, want %q %q %q", name, c.sql,
					pe.TableName, pe.ColumnName, pe.ConstraintName, c.table, c.column, c.constraint)
			}
			if got := count(t, conn, `SELECT count(*) FROM items`); got != 1 {
				t.Fatalf("%s: after %s: %d rows", name, c.sql, got)
			}
		}
	}
	// Another client is served, and sees the one committed row.
	other := connect(t, srv.Addr(), pgx.QueryExecModeSimpleProtocol)
	if got := count(t, other, `SELECT qty + price FROM items WHERE id = 1`); got != 5 {
		t.Fatalf("other client: %d", got)
	}
	assertNoOpenTransactions(t, srv)
}

// TestE2EMalformedMessage writes bytes that are no protocol message in the
// middle of a session with an open transaction: the server answers with an
// error, closes that connection, rolls its transaction back, and serves
// others.
func TestE2EMalformedMessage(t *testing.T) {
	srv := startE2E(t)
	setup := connect(t, srv.Addr(), pgx.QueryExecModeSimpleProtocol)
	mustExec(t, setup, `CREATE TABLE t (id int PRIMARY KEY)`, `INSERT INTO t VALUES (1)`)

	for _, garbage := range [][]byte{
		{'Q', 0, 0, 0, 2},                // a length shorter than the length field
		{'?', 0, 0, 0, 4},                // an unknown message type
		{'B', 0, 0, 0, 6, 0, 0},          // a truncated Bind
		{'P', 0, 0, 0, 7, 'a', 'b', 'c'}, // a Parse without its terminators
	} {
		nc, err := net.DialTimeout("tcp", srv.Addr(), 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		nc.SetDeadline(time.Now().Add(10 * time.Second))
		fe := pgproto3.NewFrontend(nc, nc)
		fe.Send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30,
			Parameters: map[string]string{"user": "postgres", "database": "postgres"}})
		if err := fe.Flush(); err != nil {
			t.Fatal(err)
		}
		untilReady(t, fe)
		fe.Send(&pgproto3.Query{String: `BEGIN; INSERT INTO t VALUES (2)`})
		if err := fe.Flush(); err != nil {
			t.Fatal(err)
		}
		untilReady(t, fe)
		if _, err := nc.Write(garbage); err != nil {
			t.Fatal(err)
		}
		var gotErr *pgproto3.ErrorResponse
		for {
			msg, err := fe.Receive()
			if err != nil {
				if err != io.EOF && !strings.Contains(err.Error(), "EOF") && !strings.Contains(err.Error(), "reset") {
					t.Fatalf("%x: %v", garbage, err)
				}
				break
			}
			if e, ok := msg.(*pgproto3.ErrorResponse); ok {
				gotErr = e
			}
		}
		if gotErr == nil || gotErr.Code != "08P01" {
			t.Fatalf("%x: want an 08P01 error before the close, got %+v", garbage, gotErr)
		}
		nc.Close()
		waitForNoOpenTransactions(t, srv)
		if got := count(t, setup, `SELECT count(*) FROM t`); got != 1 {
			t.Fatalf("%x: the broken session's uncommitted row is visible (%d rows)", garbage, got)
		}
	}
	other := connect(t, srv.Addr(), pgx.QueryExecModeCacheStatement)
	mustExec(t, other, `INSERT INTO t VALUES (3)`)
	if got := count(t, setup, `SELECT sum(id) FROM t`); got != 4 {
		t.Fatalf("sum %d", got)
	}
}

func untilReady(t *testing.T, fe *pgproto3.Frontend) {
	t.Helper()
	for {
		msg, err := fe.Receive()
		if err != nil {
			t.Fatal(err)
		}
		switch m := msg.(type) {
		case *pgproto3.ReadyForQuery:
			return
		case *pgproto3.ErrorResponse:
			t.Fatalf("error: %s %s", m.Code, m.Message)
		}
	}
}

// TestE2EPanicInStatement makes statements panic through the SQL engine's
// testing hook: each panic is reported as XX000, fails only its own
// statement (and its transaction block), leaves no transaction open, and
// loses nothing committed.
func TestE2EPanicInStatement(t *testing.T) {
	const marker = "/* panic here */"
	srv := startE2E(t, func(c *Config) {
		c.SQLKnobs.BeforeRun = func(sql string) {
			if strings.Contains(sql, marker) {
				panic("test panic")
			}
		}
	})
	conn := connect(t, srv.Addr(), pgx.QueryExecModeCacheStatement)
	bystander := connect(t, srv.Addr(), pgx.QueryExecModeCacheStatement)
	ctx := ctxT(t)
	mustExec(t, conn, `CREATE TABLE t (id int PRIMARY KEY, v text)`, `INSERT INTO t VALUES (1, 'committed')`)
	mustExec(t, bystander, `BEGIN`, `INSERT INTO t VALUES (100, 'bystander')`)

	wantPanic := func(err error) {
		t.Helper()
		pe := wantCode(t, err, "XX000")
		if !strings.Contains(pe.Message, "test panic") {
			t.Errorf("message %q", pe.Message)
		}
	}
	// A query, a write and a COPY in implicit transactions.
	_, err := conn.Exec(ctx, `SELECT * FROM t `+marker)
	wantPanic(err)
	_, err = conn.Exec(ctx, `INSERT INTO t VALUES (2, 'lost') `+marker)
	wantPanic(err)
	_, err = conn.PgConn().CopyFrom(ctx, strings.NewReader("3\tlost\n"), `COPY t FROM STDIN `+marker)
	wantPanic(err)
	_, err = conn.Exec(ctx, `SELECT 1 `+marker, pgx.QueryExecModeSimpleProtocol)
	wantPanic(err)
	if conn.PgConn().TxStatus() != 'I' {
		t.Fatalf("status %c", conn.PgConn().TxStatus())
	}
	// The session goes on.
	mustExec(t, conn, `INSERT INTO t VALUES (4, 'after')`)

	// In a block: the panic fails the block, and ROLLBACK undoes it.
	mustExec(t, conn, `BEGIN`, `INSERT INTO t VALUES (5, 'rolled back')`)
	_, err = conn.Exec(ctx, `UPDATE t SET v = 'x' `+marker)
	wantPanic(err)
	_, err = conn.Exec(ctx, `SELECT 1`)
	wantCode(t, err, "25P02")
	mustExec(t, conn, `ROLLBACK`)

	// The bystander's transaction was untouched and commits.
	mustExec(t, bystander, `COMMIT`)
	wantRows(t, "rows", queryStrings(t, connect(t, srv.Addr(), pgx.QueryExecModeSimpleProtocol), `SELECT id, v FROM t ORDER BY id`),
		[][]string{{"1", "committed"}, {"4", "after"}, {"100", "bystander"}})
	assertNoOpenTransactions(t, srv)
}

// assertNoOpenTransactions checks that, with every client idle, no
// transaction is left open inside the server: garbage collection may
// collect up to the newest commit.
func assertNoOpenTransactions(t *testing.T, srv *Server) {
	t.Helper()
	st, err := srv.db.GC()
	if err != nil {
		t.Fatal(err)
	}
	if st.Horizon != srv.db.VisibleSeq() {
		t.Fatalf("a transaction is still open: the GC horizon is %d, the newest commit %d", st.Horizon, srv.db.VisibleSeq())
	}
}

// waitForNoOpenTransactions is assertNoOpenTransactions for a session that
// the server ends on its own time (after its client went away).
func waitForNoOpenTransactions(t *testing.T, srv *Server) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, err := srv.db.GC()
		if err != nil {
			t.Fatal(err)
		}
		if st.Horizon == srv.db.VisibleSeq() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("a transaction is still open: the GC horizon is %d, the newest commit %d", st.Horizon, srv.db.VisibleSeq())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

var _ = pgconn.PgError{}
