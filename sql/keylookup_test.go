package sql_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// The primary-key point lookup (exec.KeyLookup): a query whose filter
// binds every key column by equality reads one row with one seek, and the
// equalities are not evaluated again. These tests run prepared statements
// over pgx, so each plan is kept and run again with new parameters, and
// check the answers where a wrong fast path would show: a transaction's
// own writes, other sessions' commits, snapshots, NULL keys, composite
// keys, residual conditions, DML, joins and portals.

// explainText returns the plan of query as one string.
func explainText(t *testing.T, conn *pgx.Conn, query string, args ...any) string {
	t.Helper()
	rows, err := conn.Query(context.Background(), "EXPLAIN "+query, args...)
	if err != nil {
		t.Fatalf("EXPLAIN %s: %v", query, err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("EXPLAIN %s: %v", query, err)
	}
	return strings.Join(lines, "\n")
}

// lookupQty runs the prepared point query and returns qty, or -1 when it
// finds no row.
func lookupQty(t *testing.T, conn *pgx.Conn, id any) int64 {
	t.Helper()
	var name string
	var qty int64
	err := conn.QueryRow(context.Background(), `SELECT name, qty FROM items WHERE id = $1`, id).Scan(&name, &qty)
	if errors.Is(err, pgx.ErrNoRows) {
		return -1
	}
	if err != nil {
		t.Fatalf("lookup %v: %v", id, err)
	}
	return qty
}

func TestKeyLookupSeesOwnWritesCommitsAndSnapshots(t *testing.T) {
	srv := startServer(t, "")
	e := serverEndpoint(srv)
	a, b := connect(t, e), connect(t, e)
	ctx := context.Background()
	mustExec(t, a, `CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL, qty bigint NOT NULL)`)
	mustExec(t, a, `INSERT INTO items VALUES (1, 'one', 1), (2, 'two', 2), (3, 'three', 3)`)
	if plan := explainText(t, a, `SELECT name, qty FROM items WHERE id = $1`, 1); !strings.Contains(plan, "Primary Key Lookup on items") ||
		strings.Contains(plan, "Filter") {
		t.Fatalf("the point query does not use a bare key lookup:\n%s", plan)
	}
	for id, want := range map[int64]int64{1: 1, 2: 2, 3: 3, 4: -1, -1: -1} {
		if got := lookupQty(t, a, id); got != want {
			t.Errorf("id %d: qty %d, want %d", id, got, want)
		}
	}
	if got := lookupQty(t, a, nil); got != -1 {
		t.Errorf("a NULL key found qty %d", got)
	}

	// The transaction's own writes, then their rollback.
	mustExec(t, a, `BEGIN`)
	mustExec(t, a, `UPDATE items SET qty = 20 WHERE id = 2`)
	mustExec(t, a, `DELETE FROM items WHERE id = 3`)
	mustExec(t, a, `INSERT INTO items VALUES (4, 'four', 4)`)
	for id, want := range map[int64]int64{2: 20, 3: -1, 4: 4} {
		if got := lookupQty(t, a, id); got != want {
			t.Errorf("in the transaction, id %d: qty %d, want %d", id, got, want)
		}
	}
	if got := lookupQty(t, b, 2); got != 2 {
		t.Errorf("another session read the uncommitted qty %d of id 2", got)
	}
	mustExec(t, a, `ROLLBACK`)
	for id, want := range map[int64]int64{2: 2, 3: 3, 4: -1} {
		if got := lookupQty(t, a, id); got != want {
			t.Errorf("after the rollback, id %d: qty %d, want %d", id, got, want)
		}
	}

	// Another session's commit: invisible to a transaction that began
	// before it (repeatable read), visible to the next statement after.
	mustExec(t, a, `BEGIN ISOLATION LEVEL REPEATABLE READ`)
	if got := lookupQty(t, a, 1); got != 1 {
		t.Fatalf("id 1: qty %d, want 1", got)
	}
	mustExec(t, b, `UPDATE items SET qty = 100 WHERE id = 1`)
	mustExec(t, b, `DELETE FROM items WHERE id = 2`)
	if got := lookupQty(t, b, 1); got != 100 {
		t.Errorf("the committing session reads qty %d of id 1, want 100", got)
	}
	if got, got2 := lookupQty(t, a, 1), lookupQty(t, a, 2); got != 1 || got2 != 2 {
		t.Errorf("the older snapshot reads qty %d of id 1 and %d of id 2, want 1 and 2", got, got2)
	}
	mustExec(t, a, `COMMIT`)
	if got, got2 := lookupQty(t, a, 1), lookupQty(t, a, 2); got != 100 || got2 != -1 {
		t.Errorf("after the commit, qty %d of id 1 and %d of id 2, want 100 and none", got, got2)
	}

	// Conditions beyond the key still apply.
	for _, c := range []struct {
		id, min int64
		want    bool
	}{{1, 50, true}, {1, 150, false}, {3, 0, true}, {4, 0, false}} {
		var name string
		err := a.QueryRow(ctx, `SELECT name FROM items WHERE id = $1 AND qty > $2`, c.id, c.min).Scan(&name)
		if found := err == nil; found != c.want || (err != nil && !errors.Is(err, pgx.ErrNoRows)) {
			t.Errorf("id %d, qty > %d: found %v (%v), want %v", c.id, c.min, found, err, c.want)
		}
	}

	// UPDATE and DELETE find their row by the key too.
	for i := int64(1); i <= 3; i++ {
		var qty int64
		if err := a.QueryRow(ctx, `UPDATE items SET qty = qty + 1 WHERE id = $1 RETURNING qty`, int64(3)).Scan(&qty); err != nil || qty != 3+i {
			t.Fatalf("UPDATE %d: qty %d, %v; want %d", i, qty, err, 3+i)
		}
	}
	if tag, err := a.Exec(ctx, `DELETE FROM items WHERE id = $1`, int64(3)); err != nil || tag.RowsAffected() != 1 {
		t.Fatalf("DELETE: %v %v", tag, err)
	}
	if got := lookupQty(t, a, 3); got != -1 {
		t.Errorf("the deleted row is found with qty %d", got)
	}
}

func TestKeyLookupCompositeKeysJoinsAndPortals(t *testing.T) {
	srv := startServer(t, "")
	conn := connect(t, serverEndpoint(srv))
	ctx := context.Background()
	mustExec(t, conn, `CREATE TABLE pairs (k1 text, k2 int, v text, PRIMARY KEY (k1, k2))`)
	mustExec(t, conn, `INSERT INTO pairs VALUES ('a', 1, 'a1'), ('a', 2, 'a2'), ('ab', 1, 'ab1'), ('b', 1, 'b1')`)
	for _, q := range []string{`SELECT v FROM pairs WHERE k1 = $1 AND k2 = $2`, `SELECT v FROM pairs WHERE k2 = $2 AND k1 = $1`} {
		if plan := explainText(t, conn, q, "a", 1); !strings.Contains(plan, "Primary Key Lookup on pairs") {
			t.Fatalf("%s does not use a key lookup:\n%s", q, plan)
		}
		for _, c := range []struct {
			k1   any
			k2   any
			want string
		}{{"a", 1, "a1"}, {"a", 2, "a2"}, {"ab", 1, "ab1"}, {"b", 1, "b1"}, {"a", 3, ""}, {"", 1, ""}, {nil, 1, ""}, {"a", nil, ""}} {
			var v string
			err := conn.QueryRow(ctx, q, c.k1, c.k2).Scan(&v)
			if errors.Is(err, pgx.ErrNoRows) {
				v, err = "", nil
			}
			if err != nil || v != c.want {
				t.Errorf("%s with (%v, %v): %q, %v; want %q", q, c.k1, c.k2, v, err, c.want)
			}
		}
	}

	// A key whose equal values have different encodings keeps its equality
	// in the filter: numeric 1.0 = 1.00.
	mustExec(t, conn, `CREATE TABLE amounts (k numeric PRIMARY KEY, v int)`)
	mustExec(t, conn, `INSERT INTO amounts VALUES (1.0, 10), (2.50, 25)`)
	for _, c := range []struct {
		k    string
		want int
	}{{"1", 10}, {"1.00", 10}, {"2.5", 25}, {"3", -1}} {
		v := -1
		err := conn.QueryRow(ctx, `SELECT v FROM amounts WHERE k = $1::numeric`, c.k).Scan(&v)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			t.Fatal(err)
		}
		if v != c.want {
			t.Errorf("amount %s: v %d, want %d", c.k, v, c.want)
		}
	}

	// A lookup join probes the key once per row of its smaller side.
	mustExec(t, conn, `CREATE TABLE goods (id int PRIMARY KEY, name text)`)
	mustExec(t, conn, `INSERT INTO goods SELECT g, 'good ' || g FROM generate_series(1, 500) g`)
	mustExec(t, conn, `CREATE TABLE orders (oid int PRIMARY KEY, good int)`)
	mustExec(t, conn, `INSERT INTO orders VALUES (1, 7), (2, 499), (3, 7), (4, 9999), (5, NULL)`)
	join := `SELECT o.oid, g.name FROM orders o JOIN goods g ON g.id = o.good ORDER BY o.oid`
	if plan := explainText(t, conn, join); !strings.Contains(plan, "Primary Key Lookup on goods") {
		t.Fatalf("the join does not look goods up by key:\n%s", plan)
	}
	rows, _ := conn.Query(ctx, join)
	type pair struct {
		Oid  int32
		Name string
	}
	got, err := pgx.CollectRows(rows, pgx.RowToStructByPos[pair])
	if err != nil {
		t.Fatal(err)
	}
	want := []pair{{1, "good 7"}, {2, "good 499"}, {3, "good 7"}}
	if len(got) != len(want) {
		t.Fatalf("join rows %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("join rows %v, want %v", got, want)
		}
	}

	// A reading portal runs its lookup in the caller's transaction.
	mustExec(t, conn, `CREATE PORTAL good_name(p_id int) RETURNS TABLE (name text) ON goods AS SELECT name FROM goods WHERE id = p_id`)
	name := func() string {
		var n string
		err := conn.QueryRow(ctx, `SELECT name FROM good_name($1)`, int32(7)).Scan(&n)
		if errors.Is(err, pgx.ErrNoRows) {
			return "<none>"
		}
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := name(); n != "good 7" {
		t.Fatalf("portal: %q", n)
	}
	mustExec(t, conn, `BEGIN`)
	mustExec(t, conn, `UPDATE goods SET name = 'renamed' WHERE id = 7`)
	if n := name(); n != "renamed" {
		t.Errorf("portal in the transaction that renamed it: %q", n)
	}
	mustExec(t, conn, `DELETE FROM goods WHERE id = 7`)
	if n := name(); n != "<none>" {
		t.Errorf("portal in the transaction that deleted it: %q", n)
	}
	mustExec(t, conn, `ROLLBACK`)
	if n := name(); n != "good 7" {
		t.Errorf("portal after the rollback: %q", n)
	}
}
