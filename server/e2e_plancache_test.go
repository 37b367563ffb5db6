package server

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgproto3"
)

// A prepared statement keeps its plan and runs it again. These tests check
// that a rerun answers as a fresh plan does, whatever the parameters, the
// plan's shape, failures in between, and interleaved portals.

var planCacheSetup = []string{
	`CREATE TABLE t (k int PRIMARY KEY, g int, v text)`,
	`CREATE INDEX t_g ON t (g)`,
	`CREATE TABLE u (k int, w int)`,
	`INSERT INTO t SELECT i, i % 7, 'v' || i FROM generate_series(1, 300) i`,
	`INSERT INTO u SELECT i % 50, i FROM generate_series(1, 200) i`,
}

// planCacheQueries take one int parameter.
var planCacheQueries = []string{
	`SELECT v FROM t WHERE k = $1`,
	`SELECT k FROM t WHERE g = $1 % 7 ORDER BY k LIMIT 5`,
	`SELECT count(*), sum(k) FROM t WHERE k BETWEEN $1 AND $1 + 40`,
	`SELECT g, count(*) FROM t WHERE k > $1 GROUP BY g ORDER BY g`,
	`SELECT t.k, sum(u.w) FROM t JOIN u ON u.k = t.k WHERE t.k < $1 % 60 GROUP BY t.k ORDER BY t.k`,
	`SELECT k, (SELECT max(w) FROM u WHERE u.k = t.k + $1 % 3) FROM t WHERE k < 10 ORDER BY k`,
	`SELECT k FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.k = t.k AND u.w > $1) ORDER BY k LIMIT 3`,
	`SELECT DISTINCT g FROM t WHERE k <= $1 ORDER BY g`,
	`WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < $1 % 20) SELECT sum(n) FROM r`,
	`SELECT k FROM t WHERE k < $1 UNION SELECT k FROM u WHERE w < $1 ORDER BY 1 LIMIT 4`,
}

// TestE2EPreparedRerunsMatchFreshPlans runs each query as a prepared
// statement with many parameter values, and compares every answer with
// the same query planned afresh (the simple protocol, literal values).
func TestE2EPreparedRerunsMatchFreshPlans(t *testing.T) {
	srv := startE2E(t)
	prepared := connect(t, srv.Addr(), pgx.QueryExecModeCacheStatement)
	fresh := connect(t, srv.Addr(), pgx.QueryExecModeSimpleProtocol)
	mustExec(t, prepared, planCacheSetup...)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, q := range planCacheQueries {
		for i := 0; i < 25; i++ {
			p := rng.IntN(320)
			got := queryStrings(t, prepared, q, p)
			want := queryStrings(t, fresh, strings.ReplaceAll(q, "$1", fmt.Sprint(p)))
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("%s with $1 = %d: prepared rerun gives %v, a fresh plan %v", q, p, got, want)
			}
		}
	}
}

// TestE2EPreparedWritesRerun reruns prepared INSERT, UPDATE and DELETE,
// with failures in between.
func TestE2EPreparedWritesRerun(t *testing.T) {
	srv := startE2E(t)
	conn := connect(t, srv.Addr(), pgx.QueryExecModeCacheStatement)
	ctx := ctxT(t)
	mustExec(t, conn, `CREATE TABLE w (k int PRIMARY KEY, n int CHECK (n >= 0))`)
	for i := 0; i < 50; i++ {
		if _, err := conn.Exec(ctx, `INSERT INTO w VALUES ($1, $2)`, i, i); err != nil {
			t.Fatal(err)
		}
		if i%10 == 9 {
			// A duplicate and a CHECK failure between good runs.
			_, err := conn.Exec(ctx, `INSERT INTO w VALUES ($1, $2)`, i, 0)
			wantCode(t, err, "23505")
			_, err = conn.Exec(ctx, `INSERT INTO w VALUES ($1, $2)`, 1000+i, -1)
			wantCode(t, err, "23514")
		}
	}
	for i := 0; i < 50; i += 2 {
		tag, err := conn.Exec(ctx, `UPDATE w SET n = n + $1 WHERE k = $2`, 100, i)
		if err != nil || tag.RowsAffected() != 1 {
			t.Fatalf("update %d: %v %v", i, tag, err)
		}
	}
	for i := 0; i < 50; i += 5 {
		tag, err := conn.Exec(ctx, `DELETE FROM w WHERE k = $1 RETURNING n`, i)
		if err != nil || tag.RowsAffected() != 1 {
			t.Fatalf("delete %d: %v %v", i, tag, err)
		}
	}
	// 50 rows, 10 deleted; even keys got +100.
	var want int64
	for i := 0; i < 50; i++ {
		if i%5 == 0 {
			continue
		}
		want += int64(i)
		if i%2 == 0 {
			want += 100
		}
	}
	if got := count(t, conn, `SELECT sum(n) FROM w`); got != want {
		t.Fatalf("sum %d, want %d", got, want)
	}
	// DDL between runs: the statement is bound and planned again.
	mustExec(t, conn, `ALTER TABLE w ADD COLUMN x int DEFAULT 5`)
	if _, err := conn.Exec(ctx, `INSERT INTO w VALUES ($1, $2)`, 500, 1); err != nil {
		t.Fatal(err)
	}
	wantRows(t, "after DDL", queryStrings(t, conn, `SELECT n, x FROM w WHERE k = $1`, 500), [][]string{{"1", "5"}})
}

// TestE2EInterleavedPortals binds two portals of one prepared statement
// and fetches from them in turns: each run needs a plan of its own.
func TestE2EInterleavedPortals(t *testing.T) {
	srv := startE2E(t)
	setup := connect(t, srv.Addr(), pgx.QueryExecModeSimpleProtocol)
	mustExec(t, setup, `CREATE TABLE t (k int PRIMARY KEY)`, `INSERT INTO t SELECT g FROM generate_series(1, 10) g`)
	conn := connect(t, srv.Addr(), pgx.QueryExecModeCacheStatement)
	pc := conn.PgConn()
	if _, err := pc.Prepare(ctxT(t), "s", `SELECT k FROM t WHERE k > $1 ORDER BY k`, nil); err != nil {
		t.Fatal(err)
	}
	// Run it once to completion, so that the statement keeps a plan.
	if res := pc.ExecPrepared(ctxT(t), "s", [][]byte{[]byte("0")}, nil, nil).Read(); res.Err != nil || len(res.Rows) != 10 {
		t.Fatalf("first run: %v, %d rows", res.Err, len(res.Rows))
	}
	fe := pc.Frontend()
	bind := func(portal, param string) {
		fe.Send(&pgproto3.Bind{DestinationPortal: portal, PreparedStatement: "s", Parameters: [][]byte{[]byte(param)}})
	}
	fetch := func(portal string) {
		fe.Send(&pgproto3.Execute{Portal: portal, MaxRows: 2})
	}
	pc.Exec(ctxT(t), "BEGIN").ReadAll() // portals live until the transaction ends
	bind("a", "0")
	bind("b", "5")
	fetch("a")
	fetch("b")
	fetch("a")
	fetch("b")
	fetch("a")
	fe.Send(&pgproto3.Sync{})
	if err := fe.Flush(); err != nil {
		t.Fatal(err)
	}
	var got []string
	for {
		msg, err := fe.Receive()
		if err != nil {
			t.Fatal(err)
		}
		switch m := msg.(type) {
		case *pgproto3.DataRow:
			got = append(got, string(m.Values[0]))
		case *pgproto3.PortalSuspended:
			got = append(got, "|")
		case *pgproto3.ErrorResponse:
			t.Fatalf("%s: %s", m.Code, m.Message)
		}
		if _, ok := msg.(*pgproto3.ReadyForQuery); ok {
			break
		}
	}
	want := "1 2 | 6 7 | 3 4 | 8 9 | 5 6 |"
	if strings.Join(got, " ") != want {
		t.Fatalf("interleaved portals gave %q, want %q", strings.Join(got, " "), want)
	}
	if _, err := pc.Exec(ctxT(t), "COMMIT").ReadAll(); err != nil {
		t.Fatal(err)
	}
}

// TestE2EPreparedFollowsSearchPath runs one prepared statement under two
// search paths: each run reads the table the current path names, as in
// PostgreSQL, where a change of search_path invalidates cached plans.
func TestE2EPreparedFollowsSearchPath(t *testing.T) {
	srv := startE2E(t)
	conn := connect(t, srv.Addr(), pgx.QueryExecModeCacheStatement)
	mustExec(t, conn, `CREATE SCHEMA a`, `CREATE SCHEMA b`,
		`CREATE TABLE a.t (v text)`, `CREATE TABLE b.t (v text)`,
		`INSERT INTO a.t VALUES ('from a')`, `INSERT INTO b.t VALUES ('from b')`)
	for _, path := range []string{"a", "b", "a", "b"} {
		mustExec(t, conn, `SET search_path = `+path)
		wantRows(t, "search_path "+path, queryStrings(t, conn, `SELECT v FROM t WHERE v <> $1`, "x"),
			[][]string{{"from " + path}})
	}
}
